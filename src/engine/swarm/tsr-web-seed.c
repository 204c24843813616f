/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seed.c: whole pieces from HTTP(S) servers.
 *
 * BEP 19 (url-list): the server holds the torrent's files under the URL,
 * named as the torrent names them. A piece is asked file by file with
 * Range requests, one request at a time; pad files (BEP 47) are zeros and
 * are never asked. BEP 17 (httpseeds): one GET per piece,
 * ?info_hash=…&piece=N, and a 503 whose body is the seconds to wait.
 *
 * Bodies are read as streams straight into the piece, never more than
 * was asked (plus one small read to notice a longer reply), so a hostile
 * server cannot make us hold or read more than a piece. A server that ignores
 * Range and sends the whole file still works: the slice is kept, the
 * rest skipped. The piece is not hashed here; the caller checks it.
 * The URLs and the header parsers are pure, in tsr-web-seed-http.c.
 */
#define G_LOG_DOMAIN "tsr-web-seed"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-deadline.h"
#include "tsr-web-seed-http.h"
#include "tsr-web-seed.h"

/* Seconds without progress before a request fails (our own session). */
#define HTTP_TIMEOUT 60
/* A 503 body we read: BEP 17 seeds put the seconds to wait there. */
#define ERROR_BODY_MAX 64
/* Skipped bytes (a 200 reply before and after the slice) land here. */
#define SCRATCH_SIZE (64 * 1024)
/* Smallest read we ask of libsoup (see read_next). */
#define MIN_READ 64

G_DEFINE_QUARK (tsr-web-seed-error-quark, tsr_web_seed_error)

struct _TsrWebSeed
{
  GObject       parent_instance;
  TsrMetainfo  *info;            /* (owned) */
  char         *url;             /* (owned) as the torrent gives it */
  gboolean      http_seed;       /* BEP 17 rather than BEP 19 */
  SoupSession  *session;         /* (owned) ours or the caller's */
  GPtrArray    *file_paths;      /* (owned) (nullable): each file's escaped path, made at first use */
  gboolean      busy;
  guint         n_failures;
  gint64        retry_at;        /* monotonic seconds; 0: ready */
  guint64       bytes_received;
};

G_DEFINE_FINAL_TYPE (TsrWebSeed, tsr_web_seed, G_TYPE_OBJECT)

/* One range of one file, and where it goes in the piece. */
typedef struct
{
  guint    file;
  guint64  first;          /* first byte asked, in the file */
  gsize    length;
  gsize    piece_offset;
} Segment;

typedef enum
{
  READ_SKIP,         /* a 200 to a range request: the bytes before the slice */
  READ_BODY,         /* the bytes asked, into the piece */
  READ_TAIL,         /* up to the end, where no Content-Length vouched for the length */
  READ_ERROR_BODY,   /* a 503's body */
} ReadPhase;

typedef struct
{
  guint         index;
  guint8       *piece;         /* (owned) zeroed: pad files cost nothing */
  gsize         piece_size;
  GArray       *segments;      /* (owned) BEP 19 only */
  guint         current;       /* segment being asked */
  char         *shown_url;     /* (owned) current request, password hidden, for messages */
  SoupMessage  *message;       /* (owned) */
  GInputStream *stream;        /* (owned) */
  ReadPhase     phase;
  guint8       *dest;          /* READ_BODY target, inside piece */
  gboolean      direct;        /* the read in flight goes to dest, not scratch */
  gsize         want;
  gsize         got;
  guint64       skip;          /* READ_SKIP: bytes left before the slice */
  guint64       tail;          /* READ_TAIL: bytes still allowed before the end */
  gboolean      check_tail;    /* no Content-Length: read on to the end */
  GString      *error_body;    /* (owned) */
  TsrDeadline   deadline;      /* over every request of the piece */
  guint8        scratch[SCRATCH_SIZE];
} Fetch;

static gint64
monotonic_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
close_stream (Fetch *fetch)
{
  /* Closing a body not read to the end drops the connection instead of
   * reading the rest (libsoup marks it finished). */
  if (fetch->stream != NULL)
    g_input_stream_close_async (fetch->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&fetch->stream);
}

static void
fetch_free (gpointer data)
{
  Fetch *fetch = data;

  tsr_deadline_stop (&fetch->deadline);
  close_stream (fetch);
  tsr_deadline_clear (&fetch->deadline);
  g_clear_object (&fetch->message);
  g_free (fetch->piece);
  g_clear_pointer (&fetch->segments, g_array_unref);
  g_free (fetch->shown_url);
  if (fetch->error_body != NULL)
    g_string_free (fetch->error_body, TRUE);
  g_free (fetch);
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */

static const char *
get_file_path (TsrWebSeed *self,
               guint       index)
{
  if (self->file_paths == NULL)
    self->file_paths = tsr_web_seed_http_dup_file_paths (self->info);
  return g_ptr_array_index (self->file_paths, index);
}

char *
tsr_web_seed_dup_file_url (TsrWebSeed *self,
                           guint       index)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), NULL);
  g_return_val_if_fail (index < self->info->n_files, NULL);

  if (self->http_seed || (self->info->files[index].attr & TSR_FILE_ATTR_PAD))
    return NULL;
  return tsr_web_seed_http_build_file_url (self->url, self->info->multi_file, get_file_path (self, index));
}

/* ------------------------------------------------------------------ */
/* The object                                                          */

static void
tsr_web_seed_dispose (GObject *object)
{
  TsrWebSeed *self = TSR_WEB_SEED (object);

  /* A fetch holds a reference: nothing is in flight here. */
  g_clear_object (&self->session);
  G_OBJECT_CLASS (tsr_web_seed_parent_class)->dispose (object);
}

static void
tsr_web_seed_finalize (GObject *object)
{
  TsrWebSeed *self = TSR_WEB_SEED (object);

  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_pointer (&self->file_paths, g_ptr_array_unref);
  g_free (self->url);
  G_OBJECT_CLASS (tsr_web_seed_parent_class)->finalize (object);
}

static void
tsr_web_seed_class_init (TsrWebSeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_web_seed_dispose;
  object_class->finalize = tsr_web_seed_finalize;
}

static void
tsr_web_seed_init (TsrWebSeed *self)
{
}

TsrWebSeed *
tsr_web_seed_new (TsrMetainfo *info,
                  const char  *url,
                  gboolean     http_seed,
                  SoupSession *session)
{
  TsrWebSeed *self;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (session == NULL || SOUP_IS_SESSION (session), NULL);

  self = g_object_new (TSR_TYPE_WEB_SEED, NULL);
  self->info = tsr_metainfo_ref (info);
  self->url = g_strdup (url);
  self->http_seed = http_seed;
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    {
      self->session = soup_session_new ();
      soup_session_set_timeout (self->session, HTTP_TIMEOUT);
      soup_session_set_user_agent (self->session, "Tessera/" PACKAGE_VERSION);
      /* Seeds are contacted directly, like trackers and peers. */
      soup_session_set_proxy_resolver (self->session, NULL);
    }
  return self;
}

const char *
tsr_web_seed_get_url (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), NULL);
  return self->url;
}

gboolean
tsr_web_seed_is_http_seed (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), FALSE);
  return self->http_seed;
}

gboolean
tsr_web_seed_is_busy (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), FALSE);
  return self->busy;
}

gint64
tsr_web_seed_get_retry_at (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), 0);
  return self->retry_at;
}

guint
tsr_web_seed_get_n_failures (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), 0);
  return self->n_failures;
}

gboolean
tsr_web_seed_is_ready (TsrWebSeed *self,
                       gint64      now)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), FALSE);
  return !self->busy && now >= self->retry_at;
}

guint64
tsr_web_seed_get_bytes_received (TsrWebSeed *self)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), 0);
  return self->bytes_received;
}

/* ------------------------------------------------------------------ */
/* Fetching                                                            */

static void start_request (GTask *task);

/* Ends the fetch with @error (taken). @retry_after: the server's wait in
 * seconds, or -1 for our own back-off. Cancelling is not a failure. */
static void
fetch_failed (GTask  *task,
              GError *error,
              gint64  retry_after)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  gint64 delay;

  self->busy = FALSE;
  tsr_deadline_stop (&fetch->deadline);
  /* Our deadline, not the caller, cancelled it: a failure of the server. */
  if (tsr_deadline_expired (&fetch->deadline, error))
    {
      g_clear_error (&error);
      /* TRANSLATORS: %s is a web seed’s address */
      error = g_error_new (TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_TIMED_OUT,
                           g_dngettext (GETTEXT_PACKAGE, "%s took too long for piece %u: more than %u second",
                                        "%s took too long for piece %u: more than %u seconds",
                                        fetch->deadline.seconds),
                           fetch->shown_url != NULL ? fetch->shown_url : self->url, fetch->index,
                           fetch->deadline.seconds);
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->n_failures++;
      if (retry_after >= 0)
        delay = MIN (retry_after, TSR_WEB_SEED_RETRY_AFTER_MAX);
      else
        delay = MIN ((gint64) TSR_WEB_SEED_RETRY_MIN << MIN (self->n_failures - 1, 10),
                     TSR_WEB_SEED_RETRY_MAX);
      self->retry_at = monotonic_seconds () + delay;
      g_debug ("%s: %s; next try in %" G_GINT64_FORMAT " s", self->url, error->message, delay);
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void fail (GTask           *task,
                  gint64           retry_after,
                  TsrWebSeedError  code,
                  const char      *format,
                  ...) G_GNUC_PRINTF (4, 5);

static void
fail (GTask           *task,
      gint64           retry_after,
      TsrWebSeedError  code,
      const char      *format,
      ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (TSR_WEB_SEED_ERROR, code, format, args);
  va_end (args);
  fetch_failed (task, error, retry_after);
}

static void
fetch_succeeded (GTask *task)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  GBytes *piece = g_bytes_new_take (g_steal_pointer (&fetch->piece), fetch->piece_size);

  self->busy = FALSE;
  self->n_failures = 0;
  self->retry_at = 0;
  tsr_deadline_stop (&fetch->deadline);
  g_task_return_pointer (task, piece, (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

/* The current request got all it needed. */
static void
request_done (GTask *task)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);

  close_stream (fetch);
  g_clear_object (&fetch->message);
  if (!self->http_seed && ++fetch->current < fetch->segments->len)
    start_request (task);
  else
    fetch_succeeded (task);
}

static void
service_unavailable (GTask *task)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (fetch->message);
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint64 seconds = 0;
  gboolean known;

  known = value != NULL && tsr_web_seed_http_parse_retry_after (value, now, &seconds);
  /* BEP 17: the body is the number of seconds to wait. */
  if (!known && self->http_seed)
    known = tsr_web_seed_http_parse_retry_after (fetch->error_body->str, NULL, &seconds);
  if (known)
    {
      seconds = MIN (seconds, TSR_WEB_SEED_RETRY_AFTER_MAX);
      fail (task, (gint64) seconds, TSR_WEB_SEED_ERROR_UNAVAILABLE,
            _("%s is unavailable (HTTP 503) and asks to wait %" PRIu64 " s"),
            fetch->shown_url, seconds);
    }
  else
    fail (task, -1, TSR_WEB_SEED_ERROR_UNAVAILABLE,
          _("%s is unavailable (HTTP 503)"), fetch->shown_url);
}

/* Takes @n bytes of body read into the scratch buffer: skipped, copied
 * into the piece, then counted against the tail. FALSE when it failed
 * the fetch. */
static gboolean
consume (GTask        *task,
         const guint8 *data,
         gsize         n)
{
  Fetch *fetch = g_task_get_task_data (task);
  gsize k;

  while (n > 0)
    switch (fetch->phase)
      {
      case READ_SKIP:
        k = (gsize) MIN (fetch->skip, (guint64) n);
        fetch->skip -= k;
        data += k;
        n -= k;
        if (fetch->skip == 0)
          fetch->phase = READ_BODY;
        break;

      case READ_BODY:
        k = MIN (fetch->want - fetch->got, n);
        memcpy (fetch->dest + fetch->got, data, k);
        fetch->got += k;
        data += k;
        n -= k;
        if (fetch->got == fetch->want)
          fetch->phase = READ_TAIL;
        break;

      case READ_TAIL:
        if ((guint64) n > fetch->tail)
          {
            fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
                  _("%s sent more bytes than the %zu asked"),
                  fetch->shown_url, fetch->want);
            return FALSE;
          }
        fetch->tail -= n;
        n = 0;
        break;

      default:
        g_assert_not_reached ();
      }
  return TRUE;
}

static void on_read (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  guint64 need = 0;

  /* Large reads go straight into the piece. Small ones go through the
   * scratch buffer and never ask for fewer than MIN_READ bytes: libsoup
   * 3.2 fails an assertion when a one-byte read meets the end of a
   * chunked body. What comes past the body is then checked as tail. */
  fetch->direct = fetch->phase == READ_BODY && fetch->want - fetch->got >= MIN_READ;
  if (fetch->direct)
    {
      g_input_stream_read_async (fetch->stream, fetch->dest + fetch->got, fetch->want - fetch->got,
                                 G_PRIORITY_DEFAULT, fetch->deadline.cancellable, on_read, task);
      return;
    }
  switch (fetch->phase)
    {
    case READ_SKIP:
      need = fetch->skip;
      break;
    case READ_BODY:
      need = fetch->want - fetch->got;
      break;
    case READ_TAIL:
      need = fetch->tail + 1;   /* one byte more shows a body too long */
      break;
    case READ_ERROR_BODY:
      need = ERROR_BODY_MAX + 1 - fetch->error_body->len;
      break;
    default:
      g_assert_not_reached ();
    }
  g_input_stream_read_async (fetch->stream, fetch->scratch, (gsize) CLAMP (need, MIN_READ, SCRATCH_SIZE),
                             G_PRIORITY_DEFAULT, fetch->deadline.cancellable, on_read, task);
}

/* The body ended after @fetch's last read. */
static void
body_ended (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  switch (fetch->phase)
    {
    case READ_SKIP:
      fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
            _("%s ended before byte %" PRIu64 " of the file"),
            fetch->shown_url, g_array_index (fetch->segments, Segment, fetch->current).first);
      break;
    case READ_BODY:
      fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
            /* TRANSLATORS: %s is a web seed’s address */
            g_dngettext (GETTEXT_PACKAGE, "%s sent %zu byte; %zu were asked",
                         "%s sent %zu bytes; %zu were asked", (gulong) fetch->got),
            fetch->shown_url, fetch->got, fetch->want);
      break;
    case READ_TAIL:
      if (fetch->tail > 0)
        fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
              /* TRANSLATORS: %s is a web seed’s address */
              g_dngettext (GETTEXT_PACKAGE, "%s ended %" PRIu64 " byte before the end of the file",
                           "%s ended %" PRIu64 " bytes before the end of the file", (gulong) fetch->tail),
              fetch->shown_url, fetch->tail);
      else
        request_done (task);
      break;
    case READ_ERROR_BODY:
      service_unavailable (task);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_prefix_error (&error, "%s: ", fetch->shown_url);
      fetch_failed (task, g_steal_pointer (&error), -1);
      return;
    }
  self->bytes_received += (guint64) n;
  if (n == 0)
    {
      body_ended (task);
      return;
    }

  if (fetch->phase == READ_ERROR_BODY)
    {
      g_string_append_len (fetch->error_body, (const char *) fetch->scratch,
                           MIN (n, (gssize) (ERROR_BODY_MAX + 1 - fetch->error_body->len)));
      if (fetch->error_body->len > ERROR_BODY_MAX)
        {
          service_unavailable (task);
          return;
        }
    }
  else if (fetch->direct)
    {
      fetch->got += (gsize) n;
      if (fetch->got == fetch->want)
        fetch->phase = READ_TAIL;
    }
  else if (!consume (task, fetch->scratch, (gsize) n))
    return;

  /* Where Content-Length vouched for the length, the slice is enough. */
  if (fetch->phase == READ_TAIL && !fetch->check_tail)
    request_done (task);
  else
    read_next (task);
}

/* Sets up reading a BEP 19 reply; FALSE when it failed the fetch. */
static gboolean
accept_file_reply (GTask *task)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  Segment *segment = &g_array_index (fetch->segments, Segment, fetch->current);
  const TsrFile *file = &self->info->files[segment->file];
  SoupMessageHeaders *headers = soup_message_get_response_headers (fetch->message);
  gboolean has_length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH;
  guint64 length = has_length ? (guint64) soup_message_headers_get_content_length (headers) : 0;
  guint64 last = segment->first + segment->length - 1;
  const char *range;
  guint64 first, end, total;

  fetch->phase = READ_BODY;
  fetch->dest = fetch->piece + segment->piece_offset;
  fetch->want = segment->length;
  fetch->got = 0;
  fetch->check_tail = !has_length;
  fetch->tail = 0;

  if (soup_message_get_status (fetch->message) == SOUP_STATUS_PARTIAL_CONTENT)
    {
      range = soup_message_headers_get_one (headers, "Content-Range");
      if (range == NULL || !tsr_web_seed_http_parse_content_range (range, &first, &end, &total))
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_BAD_RANGE,
                _("%s answered a range request without a valid Content-Range"), fetch->shown_url);
          return FALSE;
        }
      if (first != segment->first || end != last)
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_BAD_RANGE,
                _("%s sent bytes %" PRIu64 "-%" PRIu64
                  "; bytes %" PRIu64 "-%" PRIu64 " were asked"),
                fetch->shown_url, first, end, segment->first, last);
          return FALSE;
        }
      if (total != G_MAXUINT64 && total != file->length)
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
                /* TRANSLATORS: %s is a web seed’s address */
                g_dngettext (GETTEXT_PACKAGE, "%s has %" PRIu64 " byte; the torrent says %" PRIu64,
                             "%s has %" PRIu64 " bytes; the torrent says %" PRIu64, (gulong) total),
                fetch->shown_url, total, file->length);
          return FALSE;
        }
      if (has_length && length != segment->length)
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
                /* TRANSLATORS: %s is a web seed’s address */
                g_dngettext (GETTEXT_PACKAGE, "%s announced %" PRIu64 " byte; %zu were asked",
                             "%s announced %" PRIu64 " bytes; %zu were asked", (gulong) length),
                fetch->shown_url, length, segment->length);
          return FALSE;
        }
      return TRUE;
    }

  /* A 200: the server ignored Range and sends the whole file. Keep the
   * slice if it is the whole file; skip what comes before. */
  if (has_length && length != file->length)
    {
      fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
            /* TRANSLATORS: %s is a web seed’s address */
            g_dngettext (GETTEXT_PACKAGE,
                         "%s sent %" PRIu64 " byte, neither the range asked nor the whole file of %" PRIu64,
                         "%s sent %" PRIu64 " bytes, neither the range asked nor the whole file of %" PRIu64,
                         (gulong) length),
            fetch->shown_url, length, file->length);
      return FALSE;
    }
  fetch->skip = segment->first;
  if (fetch->skip > 0)
    fetch->phase = READ_SKIP;
  fetch->tail = file->length - segment->first - segment->length;
  return TRUE;
}

/* Sets up reading a BEP 17 reply; FALSE when it failed the fetch. */
static gboolean
accept_piece_reply (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (fetch->message);
  gboolean has_length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH;
  guint64 length = has_length ? (guint64) soup_message_headers_get_content_length (headers) : 0;

  if (has_length && length != fetch->piece_size)
    {
      fail (task, -1, TSR_WEB_SEED_ERROR_BAD_LENGTH,
            /* TRANSLATORS: %s is a web seed’s address; then a byte count,
             * a piece number and the piece’s length */
            g_dngettext (GETTEXT_PACKAGE, "%s sent %" PRIu64 " byte for piece %u of %zu",
                         "%s sent %" PRIu64 " bytes for piece %u of %zu", (gulong) length),
            fetch->shown_url, length, fetch->index, fetch->piece_size);
      return FALSE;
    }
  fetch->phase = READ_BODY;
  fetch->dest = fetch->piece;
  fetch->want = fetch->piece_size;
  fetch->got = 0;
  fetch->check_tail = !has_length;
  fetch->tail = 0;
  return TRUE;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS))
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_REDIRECT_LOOP,
                _("%s redirects in a loop"), fetch->shown_url);
          return;
        }
      g_prefix_error (&error, "%s: ", fetch->shown_url);
      fetch_failed (task, g_steal_pointer (&error), -1);
      return;
    }

  status = soup_message_get_status (fetch->message);
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      fetch->phase = READ_ERROR_BODY;
      fetch->error_body = g_string_new (NULL);
      read_next (task);
      return;
    }
  if (status != SOUP_STATUS_OK && (self->http_seed || status != SOUP_STATUS_PARTIAL_CONTENT))
    {
      fail (task, -1, TSR_WEB_SEED_ERROR_HTTP_STATUS, _("%s answered HTTP %u %s"),
            fetch->shown_url, status, soup_message_get_reason_phrase (fetch->message));
      return;
    }
  if (self->http_seed ? !accept_piece_reply (task) : !accept_file_reply (task))
    return;
  read_next (task);
}

static void
start_request (GTask *task)
{
  TsrWebSeed *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (self->http_seed)
    url = tsr_web_seed_http_build_piece_url (self->url, self->info->info_hash, fetch->index);
  else
    url = tsr_web_seed_dup_file_url (self, g_array_index (fetch->segments, Segment, fetch->current).file);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL || *host == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      fail (task, -1, TSR_WEB_SEED_ERROR_BAD_URL,
            _("The web seed URL “%s” is not a valid HTTP or HTTPS URL"), self->url);
      return;
    }
  g_free (fetch->shown_url);
  fetch->shown_url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);

  fetch->message = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  /* Ranges count bytes of the file, not of a compressed body. */
  soup_message_disable_feature (fetch->message, SOUP_TYPE_CONTENT_DECODER);
  if (!self->http_seed)
    {
      Segment *segment = &g_array_index (fetch->segments, Segment, fetch->current);

      soup_message_headers_set_range (soup_message_get_request_headers (fetch->message),
                                      (goffset) segment->first,
                                      (goffset) (segment->first + segment->length - 1));
    }
  soup_session_send_async (self->session, fetch->message, G_PRIORITY_DEFAULT,
                           fetch->deadline.cancellable, on_sent, task);
}

/* The ranges of the files piece @index covers, skipping pad files and
 * empty files. v2 pieces stay inside one file; v1 pieces may span many. */
static GArray *
piece_segments (TsrMetainfo *info,
                guint        index,
                gsize        size)
{
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  guint64 start = (guint64) index * info->piece_length;
  guint64 end = start + size;
  guint lo = 0;
  guint hi = info->n_files;
  guint i;

  /* Files are in stream order: find the first ending after @start. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (info->files[mid].offset + info->files[mid].length <= start)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (i = lo; i < info->n_files && info->files[i].offset < end; i++)
    {
      const TsrFile *file = &info->files[i];
      guint64 from = MAX (start, file->offset);
      guint64 to = MIN (end, file->offset + file->length);
      Segment segment;

      /* BEP 47: pad files are zeros, never asked for. */
      if ((file->attr & (TSR_FILE_ATTR_PAD | TSR_FILE_ATTR_SYMLINK)) || from >= to)
        continue;
      segment.file = i;
      segment.first = from - file->offset;
      segment.length = (gsize) (to - from);
      segment.piece_offset = (gsize) (from - start);
      g_array_append_val (segments, segment);
    }
  return segments;
}

void
tsr_web_seed_fetch_piece_async (TsrWebSeed          *self,
                                guint                index,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  Fetch *fetch;
  guint timeout;

  g_return_if_fail (TSR_IS_WEB_SEED (self));
  g_return_if_fail (index < self->info->piece_count);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tsr_web_seed_fetch_piece_async);

  if (self->busy)
    {
      /* Not a failure of the server: no back-off. */
      g_task_return_new_error (task, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_BUSY,
                               _("%s is already fetching a piece"), self->url);
      g_object_unref (task);
      return;
    }
  self->busy = TRUE;

  fetch = g_new0 (Fetch, 1);
  fetch->index = index;
  fetch->piece_size = (gsize) tsr_metainfo_get_piece_size (self->info, index);
  fetch->piece = g_malloc0 (fetch->piece_size);
  g_task_set_task_data (task, fetch, fetch_free);
  /* One deadline for the whole piece, every request of it: a server
   * sending a byte now and then resets the session's idle timeout. */
  timeout = soup_session_get_timeout (self->session);
  tsr_deadline_start (&fetch->deadline, cancellable,
                      (timeout > 0 ? timeout : HTTP_TIMEOUT) + (guint) (fetch->piece_size / TSR_WEB_SEED_MIN_RATE));

  if (self->http_seed)
    {
      if (!self->info->has_v1)
        {
          fail (task, -1, TSR_WEB_SEED_ERROR_UNSUPPORTED,
                _("%s: an HTTP seed (BEP 17) needs a torrent with a v1 info hash"), self->url);
          return;
        }
      start_request (task);
      return;
    }
  fetch->segments = piece_segments (self->info, index, fetch->piece_size);
  if (fetch->segments->len == 0)
    fetch_succeeded (task);   /* all padding */
  else
    start_request (task);
}

GBytes *
tsr_web_seed_fetch_piece_finish (TsrWebSeed    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (TSR_IS_WEB_SEED (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tsr_web_seed_fetch_piece_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
