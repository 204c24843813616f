/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist.c: the session's blocklist, its sources and their
 * updates. A load is one GTask: first the URL sources that have no kept
 * copy (or all of them, for an update) are fetched one after the other,
 * streamed by libsoup into the state folder (GFile's replace writes a
 * temporary file and renames it on close, so a failed fetch leaves the
 * old copy); then a worker thread reads every source in 64 KiB pieces,
 * through a GZlibDecompressor when it starts with gzip's magic, into one
 * TsrIpRangesBuilder, and the main context swaps the result in. A list
 * of a million lines is never held whole: only its ranges.
 */
#define G_LOG_DOMAIN "tsr-blocklist"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tsr-blocklist.h"

#define CHUNK (64 * 1024)

struct _TsrBlocklist
{
  GObject       parent_instance;
  GStrv         sources;          /* (owned) files and URLs */
  char         *folder;           /* (owned) (nullable) */
  TsrIpRanges  *ranges;           /* (owned) (nullable) in force */
  gboolean      enabled;
  guint64       n_refused;
  guint         interval;         /* seconds; 0: no timer */
  guint         timer;            /* the update timer, while a URL source is known */
  SoupSession  *soup;             /* (owned) (nullable) made at the first fetch */
  GCancellable *cancellable;      /* (owned) the timer's updates; cancelled in dispose */
};

G_DEFINE_FINAL_TYPE (TsrBlocklist, tsr_blocklist, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rearm_timer (TsrBlocklist *self);

static void
tsr_blocklist_dispose (GObject *object)
{
  TsrBlocklist *self = TSR_BLOCKLIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_object (&self->soup);
  G_OBJECT_CLASS (tsr_blocklist_parent_class)->dispose (object);
}

static void
tsr_blocklist_finalize (GObject *object)
{
  TsrBlocklist *self = TSR_BLOCKLIST (object);

  g_strfreev (self->sources);
  g_free (self->folder);
  g_clear_pointer (&self->ranges, tsr_ip_ranges_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tsr_blocklist_parent_class)->finalize (object);
}

static void
tsr_blocklist_class_init (TsrBlocklistClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_blocklist_dispose;
  G_OBJECT_CLASS (klass)->finalize = tsr_blocklist_finalize;
  /* The ranges in force, or whether they are enabled, changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tsr_blocklist_init (TsrBlocklist *self)
{
  self->sources = g_new0 (char *, 1);
  self->enabled = TRUE;
  self->interval = TSR_BLOCKLIST_UPDATE_INTERVAL;
  self->cancellable = g_cancellable_new ();
}

TsrBlocklist *
tsr_blocklist_new (void)
{
  return g_object_new (TSR_TYPE_BLOCKLIST, NULL);
}

/* Sources ------------------------------------------------------------- */

static gboolean
is_url (const char *source)
{
  return g_str_has_prefix (source, "http://") || g_str_has_prefix (source, "https://");
}

/* Where @url's list is kept: named by its hash, so two URLs never share. */
static char *
kept_path (TsrBlocklist *self,
           const char   *url)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, url, -1);
  g_autofree char *name = g_strdup_printf ("url-%.16s.list", hash);

  return self->folder != NULL ? g_build_filename (self->folder, "blocklists", name, NULL) : NULL;
}

void
tsr_blocklist_set_folder (TsrBlocklist *self,
                          const char   *folder)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  g_free (self->folder);
  self->folder = g_strdup (folder);
}

void
tsr_blocklist_set_sources (TsrBlocklist      *self,
                           const char *const *sources)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  g_strfreev (self->sources);
  self->sources = sources != NULL ? g_strdupv ((char **) sources) : g_new0 (char *, 1);
  rearm_timer (self);
}

const char *const *
tsr_blocklist_get_sources (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), NULL);
  return (const char *const *) self->sources;
}

const char *
tsr_blocklist_get_url (TsrBlocklist *self)
{
  guint i;

  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), NULL);
  for (i = 0; self->sources[i] != NULL; i++)
    if (is_url (self->sources[i]))
      return self->sources[i];
  return NULL;
}

void
tsr_blocklist_set_url (TsrBlocklist *self,
                       const char   *url)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) sources = NULL;
  guint i;

  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  for (i = 0; self->sources[i] != NULL; i++)
    if (!is_url (self->sources[i]))
      g_strv_builder_add (builder, self->sources[i]);
  if (url != NULL && *url != '\0')
    g_strv_builder_add (builder, url);
  sources = g_strv_builder_end (builder);
  tsr_blocklist_set_sources (self, (const char *const *) sources);
}

static void
on_timer_updated (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The ranges in force stay; the next interval tries again. */
  if (!tsr_blocklist_update_finish (TSR_BLOCKLIST (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message (_("The blocklist was not updated: %s"), error->message);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrBlocklist *self = user_data;

  tsr_blocklist_update_async (self, self->cancellable, on_timer_updated, NULL);
  return G_SOURCE_CONTINUE;
}

static void
rearm_timer (TsrBlocklist *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->interval > 0 && tsr_blocklist_get_url (self) != NULL)
    self->timer = g_timeout_add_seconds (self->interval, on_timer, self);
}

void
tsr_blocklist_set_update_interval (TsrBlocklist *self,
                                   guint         seconds)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  self->interval = seconds;
  rearm_timer (self);
}

guint
tsr_blocklist_get_update_interval (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), 0);
  return self->interval;
}

void
tsr_blocklist_set_enabled (TsrBlocklist *self,
                           gboolean      enabled)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  if (self->enabled == !!enabled)
    return;
  self->enabled = !!enabled;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
tsr_blocklist_get_enabled (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), FALSE);
  return self->enabled;
}

/* The ranges ------------------------------------------------------------ */

void
tsr_blocklist_set_ranges (TsrBlocklist *self,
                          TsrIpRanges  *ranges)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  g_clear_pointer (&self->ranges, tsr_ip_ranges_unref);
  self->ranges = ranges != NULL ? tsr_ip_ranges_ref (ranges) : NULL;
  g_signal_emit (self, signals[CHANGED], 0);
}

TsrIpRanges *
tsr_blocklist_get_ranges (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), NULL);
  return self->ranges;
}

guint
tsr_blocklist_get_n_ranges (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), 0);
  return self->enabled && self->ranges != NULL ? tsr_ip_ranges_get_n_ranges (self->ranges, 0) : 0;
}

gboolean
tsr_blocklist_blocks (TsrBlocklist         *self,
                      const TsrPeerAddress *address)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), FALSE);
  return self->enabled && self->ranges != NULL && tsr_ip_ranges_contains (self->ranges, address);
}

gboolean
tsr_blocklist_refuses (TsrBlocklist         *self,
                       const TsrPeerAddress *address)
{
  if (!tsr_blocklist_blocks (self, address))
    return FALSE;
  self->n_refused++;
  if (G_UNLIKELY (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE))
    {
      g_autofree char *text = tsr_peer_address_to_string (address);

      g_debug ("Refusing %s: it is in the blocklist", text);
    }
  return TRUE;
}

guint64
tsr_blocklist_get_n_refused (TsrBlocklist *self)
{
  g_return_val_if_fail (TSR_IS_BLOCKLIST (self), 0);
  return self->n_refused;
}

/* Reading, on a worker thread ------------------------------------------ */

typedef struct
{
  GPtrArray *paths;      /* (element-type utf8) files to read, in order */
  GPtrArray *fetch;      /* (element-type utf8) URLs to fetch first */
  GPtrArray *memory;     /* (element-type GBytes) lists fetched without a folder */
  guint      next;       /* the next URL in fetch */
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_ptr_array_unref (load->paths);
  g_ptr_array_unref (load->fetch);
  g_ptr_array_unref (load->memory);
  g_free (load);
}

/* @stream through a gzip decompressor when it starts as gzip does. */
static GInputStream *
maybe_inflate (GInputStream  *stream,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GBufferedInputStream) buffered = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new (stream));
  g_autoptr(GZlibDecompressor) inflater = NULL;
  gsize available;
  const guint8 *head;

  if (g_buffered_input_stream_fill (buffered, 2, cancellable, error) < 0)
    return NULL;
  head = g_buffered_input_stream_peek_buffer (buffered, &available);
  if (!tsr_ip_ranges_is_gzip (head, available))
    return G_INPUT_STREAM (g_steal_pointer (&buffered));
  inflater = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  return g_converter_input_stream_new (G_INPUT_STREAM (buffered), G_CONVERTER (inflater));
}

static gboolean
read_stream (TsrIpRangesBuilder  *builder,
             GInputStream        *raw,
             char                *buffer,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GInputStream) stream = maybe_inflate (raw, cancellable, error);

  if (stream == NULL)
    return FALSE;
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, CHUNK, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      tsr_ip_ranges_builder_feed (builder, buffer, n);
    }
  tsr_ip_ranges_builder_end_source (builder);
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(TsrIpRangesBuilder) builder = tsr_ip_ranges_builder_new ();
  g_autofree char *buffer = g_malloc (CHUNK);
  GError *error = NULL;
  TsrIpRanges *ranges;
  guint i;

  for (i = 0; i < load->paths->len; i++)
    {
      const char *path = g_ptr_array_index (load->paths, i);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, &error);

      if (stream == NULL || !read_stream (builder, G_INPUT_STREAM (stream), buffer, cancellable, &error))
        {
          g_prefix_error (&error, "%s: ", path);
          g_task_return_error (task, error);
          return;
        }
    }
  for (i = 0; i < load->memory->len; i++)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (g_ptr_array_index (load->memory, i));

      if (!read_stream (builder, stream, buffer, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  ranges = tsr_ip_ranges_builder_finish (g_steal_pointer (&builder));
  g_task_return_pointer (task, ranges, (GDestroyNotify) tsr_ip_ranges_unref);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  TsrBlocklist *self = g_task_get_source_object (outer);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrIpRanges) ranges = g_task_propagate_pointer (G_TASK (result), &error);
  const guint *lines;
  guint n_lines, n_malformed, i;

  if (ranges == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  n_malformed = tsr_ip_ranges_get_n_malformed (ranges, &lines, &n_lines);
  if (n_malformed > 0)
    {
      g_autoptr(GString) where = g_string_new (NULL);

      for (i = 0; i < n_lines; i++)
        g_string_append_printf (where, "%s%u", i > 0 ? ", " : "", lines[i]);
      if (n_malformed > n_lines)
        g_string_append (where, ", …");
      /* TRANSLATORS: the count, then the numbers of the first few lines ("3, 17, …") */
      g_message (ngettext ("The blocklist has %u malformed line (line %s), skipped",
                           "The blocklist has %u malformed lines (lines %s), skipped", n_malformed),
                 n_malformed, where->str);
    }
  tsr_blocklist_set_ranges (self, ranges);
  g_task_return_boolean (outer, TRUE);
}

static void
start_reading (GTask *task)
{
  Load *load = g_task_get_task_data (task);
  g_autoptr(GTask) inner = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                                       on_loaded, g_object_ref (task));

  /* The worker reads the Load: the outer task keeps it alive. */
  g_task_set_task_data (inner, load, NULL);
  g_task_run_in_thread (inner, load_thread);
}

/* Fetching ---------------------------------------------------------------- */

/* Takes the reference to @task. */
static void fetch_next (GTask *task);

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch_next (g_steal_pointer (&task));
}

typedef struct
{
  GTask        *task;    /* (owned) */
  GInputStream *body;    /* (owned) */
} Fetch;

static void
on_replaced (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GTask) task = fetch->task;
  g_autoptr(GInputStream) body = fetch->body;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = g_file_replace_finish (G_FILE (source), result, &error);
  GCancellable *cancellable;

  g_free (fetch);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  g_output_stream_splice_async (G_OUTPUT_STREAM (out), body,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, cancellable, on_spliced, g_steal_pointer (&task));
}

static void
on_read_whole (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  const char *url = g_ptr_array_index (load->fetch, load->next - 1);

  if (body != NULL && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s answered HTTP %u %s"), url,
                 soup_message_get_status (msg), soup_message_get_reason_phrase (msg));
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_add (load->memory, g_steal_pointer (&body));
  fetch_next (g_steal_pointer (&task));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsrBlocklist *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  const char *url = g_ptr_array_index (load->fetch, load->next - 1);
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;
  g_autoptr(GFile) file = NULL;
  Fetch *fetch;

  if (body != NULL && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s answered HTTP %u %s"), url,
                 soup_message_get_status (msg), soup_message_get_reason_phrase (msg));
  if (error != NULL)
    {
      g_prefix_error (&error, "%s: ", url);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  path = kept_path (self, url);
  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", folder, g_strerror (saved));
      return;
    }
  file = g_file_new_for_path (path);
  fetch = g_new0 (Fetch, 1);
  fetch->task = g_steal_pointer (&task);
  fetch->body = g_steal_pointer (&body);
  g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                        g_task_get_cancellable (fetch->task), on_replaced, fetch);
}

static void
fetch_next (GTask *task)
{
  TsrBlocklist *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  const char *url;

  if (load->next == load->fetch->len)
    {
      start_reading (task);
      g_object_unref (task);
      return;
    }
  url = g_ptr_array_index (load->fetch, load->next++);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a URL"), url);
      g_object_unref (task);
      return;
    }
  if (self->soup == NULL)
    self->soup = soup_session_new_with_options ("timeout", 60, "user-agent", "Tessera/" PACKAGE_VERSION, NULL);
  if (self->folder == NULL)
    soup_session_send_and_read_async (self->soup, msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                      on_read_whole, task);
  else
    soup_session_send_async (self->soup, msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_sent, task);
}

static void
start (TsrBlocklist        *self,
       gboolean             refetch,
       gpointer             tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Load *load = g_new0 (Load, 1);
  guint i;

  g_task_set_source_tag (task, tag);
  load->paths = g_ptr_array_new_with_free_func (g_free);
  load->fetch = g_ptr_array_new_with_free_func (g_free);
  load->memory = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (i = 0; self->sources[i] != NULL; i++)
    {
      const char *source = self->sources[i];
      g_autofree char *kept = is_url (source) ? kept_path (self, source) : NULL;

      if (!is_url (source))
        g_ptr_array_add (load->paths, g_strdup (source));
      else
        {
          if (refetch || kept == NULL || !g_file_test (kept, G_FILE_TEST_EXISTS))
            g_ptr_array_add (load->fetch, g_strdup (source));
          if (kept != NULL)
            g_ptr_array_add (load->paths, g_steal_pointer (&kept));
        }
    }
  g_task_set_task_data (task, load, load_free);
  fetch_next (g_steal_pointer (&task));
}

void
tsr_blocklist_load_async (TsrBlocklist        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  start (self, FALSE, tsr_blocklist_load_async, cancellable, callback, user_data);
}

gboolean
tsr_blocklist_load_finish (TsrBlocklist  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tsr_blocklist_update_async (TsrBlocklist        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (TSR_IS_BLOCKLIST (self));
  start (self, TRUE, tsr_blocklist_update_async, cancellable, callback, user_data);
}

gboolean
tsr_blocklist_update_finish (TsrBlocklist  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
