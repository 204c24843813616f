/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-http-body.c: an HTTP reply read whole, within a size and a time.
 *
 * soup_session_send_and_read_async() holds whatever the server sends:
 * a gzip bomb decodes to a gigabyte, a chunked body may never end. Here
 * the body is read as a stream, a chunk at a time on the main loop, and
 * the read stops the moment the cap is passed: at most the cap plus one
 * chunk is ever held. A declared Content-Length over the cap is refused
 * before a byte of the body is read, and one deadline covers the headers
 * and the body together, so a server dribbling a byte every few seconds
 * (which resets libsoup's idle timeout each time) cannot hold us either.
 */
#define G_LOG_DOMAIN "tsr-http-body"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-deadline.h"
#include "tsr-http-body.h"

/* What each read asks for: a cap is passed by one chunk at most. */
#define CHUNK_SIZE (16 * 1024)

G_DEFINE_QUARK (tsr-http-body-error-quark, tsr_http_body_error)

typedef struct
{
  SoupMessage  *message;      /* (owned) */
  GInputStream *stream;       /* (owned) (nullable) */
  GByteArray   *body;         /* (owned) (nullable) once returned */
  gsize         max_size;
  TsrDeadline   deadline;     /* over the headers and the body */
} BodyRead;

static void
body_read_free (gpointer data)
{
  BodyRead *read = data;

  tsr_deadline_stop (&read->deadline);
  /* Closing a body not read to the end drops the connection instead of
   * reading the rest (libsoup marks the message finished). */
  if (read->stream != NULL && !g_input_stream_is_closed (read->stream))
    g_input_stream_close_async (read->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&read->stream);
  tsr_deadline_clear (&read->deadline);
  g_clear_pointer (&read->body, g_byte_array_unref);
  g_clear_object (&read->message);
  g_free (read);
}

static void
fail (GTask  *task,
      GError *error)
{
  BodyRead *read = g_task_get_task_data (task);

  tsr_deadline_stop (&read->deadline);
  if (tsr_deadline_expired (&read->deadline, error))
    {
      g_clear_error (&error);
      g_set_error (&error, TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TIMED_OUT,
                   g_dngettext (GETTEXT_PACKAGE, "The reply took too long: more than %u second",
                                "The reply took too long: more than %u seconds", read->deadline.seconds),
                   read->deadline.seconds);
    }
  g_task_return_error (task, error);
}

static void
fail_too_large (GTask   *task,
                guint64  declared)
{
  BodyRead *read = g_task_get_task_data (task);
  g_autofree char *cap = g_format_size_full (read->max_size, G_FORMAT_SIZE_IEC_UNITS);
  GError *error;

  if (declared > 0)
    {
      g_autofree char *size = g_format_size_full (declared, G_FORMAT_SIZE_IEC_UNITS);

      /* TRANSLATORS: both are sizes, e.g. "1.0 GiB" and "2.0 MiB" */
      error = g_error_new (TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TOO_LARGE,
                           _("The reply is too large: %s announced, at most %s accepted"), size, cap);
    }
  else
    /* TRANSLATORS: %s is a size, e.g. "2.0 MiB" */
    error = g_error_new (TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TOO_LARGE,
                         _("The reply is too large: more than %s"), cap);
  fail (task, error);
}

static void
complete (GTask *task)
{
  BodyRead *read = g_task_get_task_data (task);
  GByteArray *body = g_steal_pointer (&read->body);

  tsr_deadline_stop (&read->deadline);
  g_task_return_pointer (task, g_byte_array_free_to_bytes (body), (GDestroyNotify) g_bytes_unref);
}

static void read_next (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BodyRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize size;

  if (chunk == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      complete (task);
      return;
    }
  if (size > read->max_size - read->body->len)
    {
      fail_too_large (task, 0);
      return;
    }
  g_byte_array_append (read->body, g_bytes_get_data (chunk, NULL), (guint) size);
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  BodyRead *read = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (read->stream, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   read->deadline.cancellable, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BodyRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  goffset declared;

  read->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (read->stream == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  /* The caller reports the status; an error page is nobody's business. */
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (read->message)))
    {
      complete (task);
      return;
    }
  /* Compressed or not, a body announced over the cap is not worth a read. */
  headers = soup_message_get_response_headers (read->message);
  declared = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
             ? soup_message_headers_get_content_length (headers) : 0;
  if (declared > 0 && (guint64) declared > read->max_size)
    {
      fail_too_large (task, (guint64) declared);
      return;
    }
  read_next (g_steal_pointer (&task));
}

void
tsr_http_body_read_async (SoupSession          *session,
                          SoupMessage          *message,
                          gsize                 max_size,
                          guint                 timeout_seconds,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  GTask *task;
  BodyRead *read;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (message));
  g_return_if_fail (max_size > 0 && max_size <= G_MAXUINT);
  g_return_if_fail (timeout_seconds > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, tsr_http_body_read_async);
  read = g_new0 (BodyRead, 1);
  read->message = g_object_ref (message);
  read->body = g_byte_array_new ();
  read->max_size = max_size;
  tsr_deadline_start (&read->deadline, cancellable, timeout_seconds);
  g_task_set_task_data (task, read, body_read_free);
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, read->deadline.cancellable, on_sent, task);
}

GBytes *
tsr_http_body_read_finish (SoupSession   *session,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tsr_http_body_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

SoupMessage *
tsr_http_body_get_message (GAsyncResult *result)
{
  BodyRead *read;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  read = g_task_get_task_data (G_TASK (result));
  return read->message;
}
