/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-web-seed.c: BEP 19 web seeds and BEP 17 HTTP seeds against an
 * in-process SoupServer on 127.0.0.1: every piece of single-file, v1,
 * v2 and hybrid torrents (a piece spanning a tiny and an empty file,
 * names that need escaping, pad files never asked), servers that ignore
 * Range, lie about lengths or flood, 404 and 503 back-off, redirects,
 * BEP 17 URLs and waits. The header parsers and URL builders alone are
 * test-web-seed-http.c's.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-creator.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"
#include "tsr-torrent.h"
#include "tsr-web-seed.h"

typedef enum
{
  SERVE_RANGES,          /* 206 with Content-Range, as asked */
  SERVE_WHOLE_FILE,      /* ignores Range: 200 with the whole file */
  SERVE_SHORT_BODY,      /* 206, right Content-Range, one byte short */
  SERVE_OTHER_RANGE,     /* 206 for the range one byte later */
  SERVE_TRUNCATED_FILE,  /* 200 with the file less its last byte */
  SERVE_CHUNKED_FILE,    /* 200, chunked (no Content-Length), the whole file */
  SERVE_CHUNKED_TRUNCATED, /* the same, less the file's last byte */
  SERVE_FLOOD,           /* 206, chunked, with a megabyte more than asked */
  SERVE_STATUS,          /* f->status, with f->retry_after and f->status_body */
  SERVE_PIECES,          /* BEP 17 at /seed */
  SERVE_TRICKLE,         /* 206, chunked, a byte every 100 ms */
} ServeMode;

typedef struct
{
  char          *dir;
  char          *www;          /* served at /files/ */
  SoupServer    *server;
  char          *base;         /* http://127.0.0.1:PORT */
  ServeMode      mode;
  guint          status;
  const char    *retry_after;
  const char    *status_body;
  GPtrArray     *requests;     /* path?query of each request (SoupServer
                                * decodes the path, not the query) */
  GPtrArray     *ranges;       /* Range header of each request, or "" */
  guint          bad_requests; /* BEP 17 requests of the wrong form */
  TsrMetainfo   *info;
  GBytes        *piece;
  GError        *error;
  gboolean       done;
  GError        *busy_error;
  gboolean       busy_done;
  guint          trickle;      /* source id: the next byte of a trickle */
  SoupServerMessage *trickling; /* (nullable) borrowed: the message it feeds */
} Fixture;

/* ------------------------------------------------------------------ */
/* The server                                                          */

static gboolean
on_trickle (gpointer user_data)
{
  Fixture *f = user_data;

  soup_message_body_append (soup_server_message_get_response_body (f->trickling), SOUP_MEMORY_STATIC, "x", 1);
  soup_server_message_unpause (f->trickling);
  return G_SOURCE_CONTINUE;
}

static void
on_trickle_finished (SoupServerMessage *msg,
                     Fixture           *f)
{
  g_clear_handle_id (&f->trickle, g_source_remove);
  f->trickling = NULL;
}

static void
serve_file (Fixture           *f,
            SoupServerMessage *msg,
            const char        *relative)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *reply = soup_server_message_get_response_headers (msg);
  g_autofree char *path = g_build_filename (f->www, relative, NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  guint64 first = 0, last = 0;

  if (strstr (relative, "..") != NULL || !g_file_get_contents (path, &data, &length, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (!tsr_test_parse_range (soup_message_headers_get_one (request, "Range"), &first, &last) ||
      last >= length)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  switch (f->mode)
    {
    case SERVE_RANGES:
    case SERVE_SHORT_BODY:
    case SERVE_OTHER_RANGE:
      if (f->mode == SERVE_OTHER_RANGE)
        {
          first++;
          last = MIN (last + 1, length - 1);
        }
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_message_headers_set_content_range (reply, (goffset) first, (goffset) last, (goffset) length);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, data + first,
                                        (gsize) (last - first + 1) - (f->mode == SERVE_SHORT_BODY));
      break;

    case SERVE_WHOLE_FILE:
    case SERVE_TRUNCATED_FILE:
      /* Without the Range header SoupServer would make the 200 a 206. */
      soup_message_headers_remove (request, "Range");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, data,
                                        length - (f->mode == SERVE_TRUNCATED_FILE));
      break;

    case SERVE_CHUNKED_FILE:
    case SERVE_CHUNKED_TRUNCATED:
      {
        SoupMessageBody *body = soup_server_message_get_response_body (msg);

        soup_message_headers_remove (request, "Range");
        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_message_headers_set_encoding (reply, SOUP_ENCODING_CHUNKED);
        soup_message_body_append (body, SOUP_MEMORY_COPY, data, length - (f->mode == SERVE_CHUNKED_TRUNCATED));
        soup_message_body_complete (body);
      }
      break;

    case SERVE_FLOOD:
      {
        SoupMessageBody *body = soup_server_message_get_response_body (msg);
        g_autofree char *extra = g_malloc0 (1024 * 1024);

        soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
        soup_message_headers_set_content_range (reply, (goffset) first, (goffset) last, (goffset) length);
        soup_message_headers_set_encoding (reply, SOUP_ENCODING_CHUNKED);
        soup_message_body_append (body, SOUP_MEMORY_COPY, data + first, (gsize) (last - first + 1));
        soup_message_body_append (body, SOUP_MEMORY_COPY, extra, 1024 * 1024);
        soup_message_body_complete (body);
      }
      break;

    case SERVE_TRICKLE:
      /* Every byte in time for the idle timeout, the piece never. */
      g_assert_null (f->trickling);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_message_headers_set_content_range (reply, (goffset) first, (goffset) last, (goffset) length);
      soup_message_headers_set_encoding (reply, SOUP_ENCODING_CHUNKED);
      f->trickling = msg;
      g_signal_connect (msg, "finished", G_CALLBACK (on_trickle_finished), f);
      f->trickle = g_timeout_add (100, on_trickle, f);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* BEP 17: /seed?info_hash=<20 bytes escaped>&piece=N, and other
 * parameters the seed URL had. */
static void
serve_piece (Fixture           *f,
             SoupServerMessage *msg,
             const char        *query)
{
  g_auto(GStrv) params = g_strsplit (query != NULL ? query : "", "&", -1);
  g_autoptr(TsrStorage) storage = NULL;
  gboolean hash_ok = FALSE;
  gint64 piece = -1;
  guint8 *buffer;
  gsize size;
  guint i;

  for (i = 0; params[i] != NULL; i++)
    {
      if (g_str_has_prefix (params[i], "info_hash="))
        {
          g_autoptr(GBytes) hash = g_uri_unescape_bytes (params[i] + 10, -1, NULL, NULL);

          hash_ok = hash != NULL && g_bytes_get_size (hash) == 20 &&
                    memcmp (g_bytes_get_data (hash, NULL), f->info->info_hash, 20) == 0;
        }
      else if (g_str_has_prefix (params[i], "piece="))
        {
          guint64 value = 0;

          if (g_ascii_string_to_unsigned (params[i] + 6, 10, 0, f->info->piece_count - 1, &value, NULL))
            piece = (gint64) value;
        }
    }
  if (!hash_ok || piece < 0)
    {
      f->bad_requests++;
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  storage = tsr_storage_new (f->info, f->www);
  size = tsr_metainfo_get_piece_size (f->info, (guint) piece);
  buffer = g_malloc (size);
  g_assert_true (tsr_storage_read (storage, (guint64) piece * f->info->piece_length, buffer, size, NULL));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE, (char *) buffer, size);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *unused_path,
            GHashTable        *unused_query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);
  const char *range = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Range");

  g_ptr_array_add (f->requests, query != NULL ? g_strconcat (path, "?", query, NULL) : g_strdup (path));
  g_ptr_array_add (f->ranges, g_strdup (range != NULL ? range : ""));

  if (g_str_has_prefix (path, "/loop/"))
    {
      g_autofree char *target = g_uri_escape_string (path, "/", FALSE);

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, target);
    }
  else if (g_str_has_prefix (path, "/moved/"))
    {
      g_autofree char *rest = g_uri_escape_string (path + 7, "/", FALSE);
      g_autofree char *target = g_strconcat ("/files/", rest, NULL);

      soup_server_message_set_redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, target);
    }
  else if (f->mode == SERVE_STATUS)
    {
      SoupMessageHeaders *reply = soup_server_message_get_response_headers (msg);

      soup_server_message_set_status (msg, f->status, NULL);
      if (f->retry_after != NULL)
        soup_message_headers_replace (reply, "Retry-After", f->retry_after);
      if (f->status_body != NULL)
        soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY,
                                          f->status_body, strlen (f->status_body));
    }
  else if (f->mode == SERVE_PIECES && g_str_equal (path, "/seed"))
    serve_piece (f, msg, query);
  else if (g_str_has_prefix (path, "/files/"))
    serve_file (f, msg, path + 7);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

/* Sorted bytewise, piece 0 (16 KiB) spans "a file.bin", "b tiny" (3
 * bytes), "c empty" (0) and the start of "d ünïcödé.bin". */
static void
write_pack (const char *www)
{
  g_autofree char *root = g_build_filename (www, "pack", NULL);

  tsr_test_write_file (root, "a file.bin", 10000, 1);
  tsr_test_write_file (root, "b tiny", 3, 2);
  tsr_test_write_file (root, "c empty", 0, 3);
  tsr_test_write_file (root, "d ünïcödé.bin", 30000, 4);
  tsr_test_write_file (root, "sub dir/é #1%.bin", 5000, 5);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  TsrCreateFormat format = GPOINTER_TO_INT (data);
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-web-seed-XXXXXX", NULL);
  f->www = g_build_filename (f->dir, "www", NULL);
  write_pack (f->www);
  root = g_build_filename (f->www, "pack", NULL);
  f->info = tsr_test_make_torrent (root, format, 16384);
  f->requests = g_ptr_array_new_with_free_func (g_free);
  f->ranges = g_ptr_array_new_with_free_func (g_free);

  f->server = tsr_test_http_server_new (on_request, f, &f->base);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_handle_id (&f->trickle, g_source_remove);
  /* Let the server see the seeds' connections close first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->www);
  g_free (f->base);
  g_ptr_array_unref (f->requests);
  g_ptr_array_unref (f->ranges);
  tsr_metainfo_unref (f->info);
  g_clear_pointer (&f->piece, g_bytes_unref);
  g_clear_error (&f->error);
  g_clear_error (&f->busy_error);
  /* Let closed connections and idle sources go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
use_torrent (Fixture     *f,
             TsrMetainfo *info)
{
  tsr_metainfo_unref (f->info);
  f->info = info;
}

static TsrWebSeed *
new_seed (Fixture    *f,
          const char *path,
          gboolean    http_seed)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);

  return tsr_web_seed_new (f->info, url, http_seed, NULL);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_error (&f->error);
  g_clear_pointer (&f->piece, g_bytes_unref);
  f->piece = tsr_web_seed_fetch_piece_finish (TSR_WEB_SEED (source), result, &f->error);
  g_assert_true ((f->piece == NULL) != (f->error == NULL));
  f->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Fetches piece @index into f->piece or f->error. */
static void
fetch (Fixture    *f,
       TsrWebSeed *seed,
       guint       index)
{
  f->done = FALSE;
  tsr_web_seed_fetch_piece_async (seed, index, NULL, on_fetched, f);
  wait_for (&f->done);
  g_assert_false (tsr_web_seed_is_busy (seed));
}

static GBytes *
expected_piece (Fixture *f,
                guint    index)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->www);
  gsize size = tsr_metainfo_get_piece_size (f->info, index);
  guint8 *buffer = g_malloc (size);
  g_autoptr(GError) error = NULL;

  g_assert_true (tsr_storage_read (storage, (guint64) index * f->info->piece_length, buffer, size, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

/* Every piece comes back whole, equal to the files and passing its hash. */
static void
fetch_all_and_check (Fixture    *f,
                     TsrWebSeed *seed)
{
  g_autoptr(TsrStorage) storage = tsr_storage_new (f->info, f->www);
  guint64 total = 0;
  guint i;

  for (i = 0; i < f->info->piece_count; i++)
    {
      g_autoptr(GBytes) want = expected_piece (f, i);

      fetch (f, seed, i);
      g_assert_no_error (f->error);
      g_assert_cmpmem (g_bytes_get_data (f->piece, NULL), g_bytes_get_size (f->piece),
                       g_bytes_get_data (want, NULL), g_bytes_get_size (want));
      g_assert_true (tsr_storage_piece_matches (storage, i, g_bytes_get_data (f->piece, NULL),
                                                g_bytes_get_size (f->piece)));
      total += g_bytes_get_size (f->piece);
    }
  /* v1 pieces cover the stream, pad files too; v2 pieces the files. */
  g_assert_cmpuint (total, ==, f->info->has_v1 ? f->info->stream_length : f->info->total_length);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), ==, 0);
}

static gboolean
requested (Fixture    *f,
           const char *path)
{
  guint i;

  for (i = 0; i < f->requests->len; i++)
    if (g_str_equal (g_ptr_array_index (f->requests, i), path))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */

static TsrMetainfo *
make_single_file (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->www, "single ü.bin", NULL);

  tsr_test_write_file (f->www, "single ü.bin", 40000, 9);
  return tsr_test_make_torrent (path, TSR_CREATE_V1, 16384);
}

static void
test_url_single_file (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TsrWebSeed) folder = NULL;
  g_autoptr(TsrWebSeed) file = NULL;
  g_autofree char *folder_url = NULL;
  g_autofree char *file_url = NULL;

  use_torrent (f, make_single_file (f));
  folder = tsr_web_seed_new (f->info, "http://example.org/files/", FALSE, NULL);
  file = tsr_web_seed_new (f->info, "http://example.org/other/name.bin", FALSE, NULL);
  folder_url = tsr_web_seed_dup_file_url (folder, 0);
  file_url = tsr_web_seed_dup_file_url (file, 0);
  /* BEP 19: the name is added only when the URL ends in '/'. */
  g_assert_cmpstr (folder_url, ==, "http://example.org/files/single%20%C3%BC.bin");
  g_assert_cmpstr (file_url, ==, "http://example.org/other/name.bin");
}

static void
test_url_multi_file (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = tsr_web_seed_new (f->info, "https://example.org/mirror", FALSE, NULL);
  g_autoptr(TsrWebSeed) http_seed = tsr_web_seed_new (f->info, "https://example.org/seed", TRUE, NULL);
  guint i;
  guint pads = 0;

  for (i = 0; i < f->info->n_files; i++)
    {
      g_autofree char *url = tsr_web_seed_dup_file_url (seed, i);
      g_autofree char *none = tsr_web_seed_dup_file_url (http_seed, i);

      g_assert_null (none);
      if (f->info->files[i].attr & TSR_FILE_ATTR_PAD)
        {
          g_assert_null (url);
          pads++;
          continue;
        }
      g_assert_true (g_str_has_prefix (url, "https://example.org/mirror/pack/"));
      if (g_str_equal (f->info->files[i].path, "pack/sub dir/é #1%.bin"))
        g_assert_cmpstr (url, ==, "https://example.org/mirror/pack/sub%20dir/%C3%A9%20%231%25.bin");
      if (g_str_equal (f->info->files[i].path, "pack/d ünïcödé.bin"))
        g_assert_cmpstr (url, ==, "https://example.org/mirror/pack/d%20%C3%BCn%C3%AFc%C3%B6d%C3%A9.bin");
    }
  if (GPOINTER_TO_INT (data) == TSR_CREATE_HYBRID)
    g_assert_cmpuint (pads, >, 0);
}

/* ------------------------------------------------------------------ */
/* BEP 19 fetches                                                      */

static void
test_fetch_single_file (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrWebSeed) folder = NULL;
  g_autoptr(TsrWebSeed) file = NULL;

  use_torrent (f, make_single_file (f));
  folder = new_seed (f, "/files/", FALSE);
  fetch_all_and_check (f, folder);
  g_assert_true (requested (f, "/files/single ü.bin"));

  file = new_seed (f, "/files/single%20%C3%BC.bin", FALSE);
  fetch_all_and_check (f, file);
  g_assert_cmpuint (tsr_web_seed_get_bytes_received (file), ==, f->info->total_length);
}

static void
test_fetch_multi_file (Fixture       *f,
                       gconstpointer  data)
{
  TsrCreateFormat format = GPOINTER_TO_INT (data);
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files", FALSE);
  guint i;

  if (format == TSR_CREATE_V1)
    {
      /* Piece 0 spans four files: three are asked, the empty one not. */
      fetch (f, seed, 0);
      g_assert_no_error (f->error);
      g_assert_cmpuint (f->requests->len, ==, 3);
      g_assert_cmpstr (g_ptr_array_index (f->requests, 0), ==, "/files/pack/a file.bin");
      g_assert_cmpstr (g_ptr_array_index (f->ranges, 0), ==, "bytes=0-9999");
      g_assert_cmpstr (g_ptr_array_index (f->requests, 1), ==, "/files/pack/b tiny");
      g_assert_cmpstr (g_ptr_array_index (f->ranges, 1), ==, "bytes=0-2");
      g_assert_cmpstr (g_ptr_array_index (f->requests, 2), ==, "/files/pack/d ünïcödé.bin");
      g_assert_cmpstr (g_ptr_array_index (f->ranges, 2), ==, "bytes=0-6380");
    }
  fetch_all_and_check (f, seed);
  /* Unescaped, '#' would end the path and '%' break it. */
  g_assert_true (requested (f, "/files/pack/sub dir/é #1%.bin"));
  for (i = 0; i < f->requests->len; i++)
    {
      const char *path = g_ptr_array_index (f->requests, i);

      g_assert_null (strstr (path, ".pad"));       /* BEP 47: pad files are zeros */
      g_assert_null (strstr (path, "c empty"));
    }
  g_assert_cmpuint (tsr_web_seed_get_bytes_received (seed), >=, f->info->total_length);
}

static void
test_fetch_whole_file_reply (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);
  g_autoptr(TsrWebSeed) chunked = new_seed (f, "/files/", FALSE);
  guint i;

  f->mode = SERVE_WHOLE_FILE;
  fetch_all_and_check (f, seed);
  /* No Content-Length: read to the end to see it is the whole file. */
  f->mode = SERVE_CHUNKED_FILE;
  fetch_all_and_check (f, chunked);
  /* It was asked for ranges all the same. */
  for (i = 0; i < f->ranges->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (f->ranges, i), "bytes="));
}

static void
test_fetch_follows_redirect (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/moved/", FALSE);

  fetch_all_and_check (f, seed);
  g_assert_true (requested (f, "/moved/pack/a file.bin"));
  g_assert_true (requested (f, "/files/pack/a file.bin"));
}

static void
test_fetch_bad_replies (Fixture       *f,
                        gconstpointer  data)
{
  static const struct
  {
    ServeMode        mode;
    guint            piece;
    TsrWebSeedError  code;
  } cases[] = {
    { SERVE_SHORT_BODY, 0, TSR_WEB_SEED_ERROR_BAD_LENGTH },
    { SERVE_OTHER_RANGE, 1, TSR_WEB_SEED_ERROR_BAD_RANGE },
    { SERVE_TRUNCATED_FILE, 1, TSR_WEB_SEED_ERROR_BAD_LENGTH },
    { SERVE_CHUNKED_TRUNCATED, 1, TSR_WEB_SEED_ERROR_BAD_LENGTH },
    { SERVE_FLOOD, 1, TSR_WEB_SEED_ERROR_BAD_LENGTH },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);

      f->mode = cases[i].mode;
      fetch (f, seed, cases[i].piece);
      g_assert_error (f->error, TSR_WEB_SEED_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (f->error->message, f->base));
      g_assert_cmpuint (tsr_web_seed_get_n_failures (seed), ==, 1);
      g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >, 0);
      /* A flood is cut one small read (64 bytes) past what was asked. */
      if (cases[i].mode == SERVE_FLOOD)
        g_assert_cmpuint (tsr_web_seed_get_bytes_received (seed), <=,
                          tsr_metainfo_get_piece_size (f->info, cases[i].piece) + 64);
    }
}

/* The server's copy of a file no longer has the torrent's length. */
static void
test_fetch_file_changed (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);
  g_autofree char *path = g_build_filename (f->www, "pack", "d ünïcödé.bin", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, (gssize) length - 100, NULL));
  fetch (f, seed, 1);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_BAD_LENGTH);
  g_assert_nonnull (strstr (f->error->message, "29900"));
}

static void
test_fetch_not_found_backs_off (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);
  gint64 now;
  gint64 retry_at;
  guint i;

  f->mode = SERVE_STATUS;
  f->status = SOUP_STATUS_NOT_FOUND;
  g_assert_true (tsr_web_seed_is_ready (seed, g_get_monotonic_time () / G_USEC_PER_SEC));

  now = g_get_monotonic_time () / G_USEC_PER_SEC;
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (f->error->message, "404"));
  g_assert_nonnull (strstr (f->error->message, "/files/pack/a%20file.bin"));
  retry_at = tsr_web_seed_get_retry_at (seed);
  g_assert_cmpint (retry_at, >=, now + 30);
  g_assert_cmpint (retry_at, <=, now + 31);
  g_assert_false (tsr_web_seed_is_ready (seed, now));
  g_assert_true (tsr_web_seed_is_ready (seed, retry_at));

  /* Doubling, up to an hour. */
  now = g_get_monotonic_time () / G_USEC_PER_SEC;
  fetch (f, seed, 0);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >=, now + 60);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), <=, now + 61);
  for (i = 0; i < 8; i++)
    fetch (f, seed, 0);
  now = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_assert_cmpuint (tsr_web_seed_get_n_failures (seed), ==, 10);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >=, now + TSR_WEB_SEED_RETRY_MAX - 1);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), <=, now + TSR_WEB_SEED_RETRY_MAX);

  /* A success resets it. */
  f->mode = SERVE_RANGES;
  fetch (f, seed, 0);
  g_assert_no_error (f->error);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), ==, 0);
  g_assert_cmpuint (tsr_web_seed_get_n_failures (seed), ==, 0);
}

static void
test_fetch_retry_after (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  f->mode = SERVE_STATUS;
  f->status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  f->retry_after = "120";
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_UNAVAILABLE);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >=, now + 120);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), <=, now + 121);

  /* Without Retry-After, our own back-off. */
  f->retry_after = NULL;
  now = g_get_monotonic_time () / G_USEC_PER_SEC;
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_UNAVAILABLE);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >=, now + 60);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), <=, now + 61);
}

static void
test_fetch_redirect_loop (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/loop/", FALSE);

  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_REDIRECT_LOOP);
  g_assert_nonnull (strstr (f->error->message, "/loop/pack/a%20file.bin"));
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >, 0);
}

static void
test_fetch_bad_url (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = tsr_web_seed_new (f->info, "ftp://example.org/files/", FALSE, NULL);

  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_BAD_URL);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static void
on_fetched_busy (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GBytes) piece = tsr_web_seed_fetch_piece_finish (TSR_WEB_SEED (source), result, &f->busy_error);

  g_assert_null (piece);
  f->busy_done = TRUE;
}

static void
test_fetch_busy (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);

  f->done = FALSE;
  tsr_web_seed_fetch_piece_async (seed, 1, NULL, on_fetched, f);
  g_assert_true (tsr_web_seed_is_busy (seed));
  g_assert_false (tsr_web_seed_is_ready (seed, G_MAXINT64));
  tsr_web_seed_fetch_piece_async (seed, 2, NULL, on_fetched_busy, f);
  wait_for (&f->busy_done);
  g_assert_error (f->busy_error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_BUSY);
  wait_for (&f->done);
  g_assert_no_error (f->error);
  g_assert_cmpuint (g_bytes_get_size (f->piece), ==, tsr_metainfo_get_piece_size (f->info, 1));
  /* Being busy is no failure. */
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), ==, 0);
}

/* A server that keeps the connection alive with a byte every 100 ms:
 * the piece has the session's timeout (1 s here) plus a second per
 * 16 KiB, then fails as TIMED_OUT and counts as a failure. */
static void
test_fetch_trickle_times_out (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (f->base, "/files/", NULL);
  g_autoptr(TsrWebSeed) seed = NULL;
  gint64 start = g_get_monotonic_time ();

  soup_session_set_timeout (session, 1);
  soup_session_set_proxy_resolver (session, NULL);
  seed = tsr_web_seed_new (f->info, url, FALSE, session);
  f->mode = SERVE_TRICKLE;
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (f->error->message, "took too long"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (tsr_web_seed_get_n_failures (seed), ==, 1);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >, 0);
}

static void
test_fetch_cancelled (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/files/", FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  f->done = FALSE;
  tsr_web_seed_fetch_piece_async (seed, 0, cancellable, on_fetched, f);
  g_cancellable_cancel (cancellable);
  wait_for (&f->done);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (tsr_web_seed_is_busy (seed));
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), ==, 0);
  g_assert_cmpuint (tsr_web_seed_get_n_failures (seed), ==, 0);
}

/* ------------------------------------------------------------------ */
/* BEP 17                                                              */

static void
test_http_seed_fetch (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/seed", TRUE);
  g_autoptr(TsrWebSeed) keyed = new_seed (f, "/seed?key=abc", TRUE);
  g_autoptr(GString) hash = g_string_new ("info_hash=");
  g_autofree char *first = NULL;
  guint i;

  f->mode = SERVE_PIECES;
  fetch_all_and_check (f, seed);
  g_assert_cmpuint (f->bad_requests, ==, 0);
  g_assert_cmpuint (f->requests->len, ==, f->info->piece_count);
  /* The 20 bytes, each unreserved byte as is and the rest as %XX. */
  for (i = 0; i < 20; i++)
    {
      guint8 c = f->info->info_hash[i];

      if (g_ascii_isalnum (c) || strchr ("-._~", c) != NULL)
        g_string_append_c (hash, (char) c);
      else
        g_string_append_printf (hash, "%%%02X", c);
    }
  first = g_strdup_printf ("/seed?%s&piece=0", hash->str);
  g_assert_cmpstr (g_ptr_array_index (f->requests, 0), ==, first);
  for (i = 0; i < f->ranges->len; i++)
    g_assert_cmpstr (g_ptr_array_index (f->ranges, i), ==, "");

  fetch (f, keyed, f->info->piece_count - 1);
  g_assert_no_error (f->error);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->requests, f->requests->len - 1), "/seed?key=abc&info_hash="));
}

static void
test_http_seed_wait (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/seed", TRUE);
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  /* BEP 17: a 503's body is the seconds to wait. */
  f->mode = SERVE_STATUS;
  f->status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  f->status_body = "90\n";
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_UNAVAILABLE);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), >=, now + 90);
  g_assert_cmpint (tsr_web_seed_get_retry_at (seed), <=, now + 91);
}

static void
test_http_seed_wrong_length (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/seed", TRUE);

  f->mode = SERVE_STATUS;
  f->status = SOUP_STATUS_OK;
  f->status_body = "far too short";
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_BAD_LENGTH);
}

static void
test_http_seed_needs_v1 (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TsrWebSeed) seed = new_seed (f, "/seed", TRUE);

  g_assert_false (f->info->has_v1);
  fetch (f, seed, 0);
  g_assert_error (f->error, TSR_WEB_SEED_ERROR, TSR_WEB_SEED_ERROR_UNSUPPORTED);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

/* A torrent whose only source is a web seed (BEP 19 url-list, or BEP 17
 * httpseeds with the data at "/seed") downloads all of it; the peers view
 * lists the seed with its source. */
static void
torrent_from_seed (Fixture  *f,
                   gboolean  http_seed)
{
  g_autofree char *url = g_strconcat (f->base, http_seed ? "/seed" : "/files", NULL);
  g_autofree char *downloads = g_build_filename (f->dir, "downloads", NULL);
  g_autoptr(TsrTorrent) torrent = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(TsrStorage) got = NULL;
  g_autoptr(TsrStorage) want = NULL;
  g_autofree char *www = g_build_filename (f->www, NULL);
  static const guint8 peer_id[20] = "-TE0100-webseedtest0";
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  TsrPeerInfo *info = NULL;
  GPtrArray **seeds = http_seed ? &f->info->http_seeds : &f->info->web_seeds;
  guint i;

  /* A loaded metainfo's empty list is shared: a list of our own. */
  g_ptr_array_unref (*seeds);
  *seeds = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*seeds, g_strdup (url));
  f->mode = http_seed ? SERVE_PIECES : SERVE_RANGES;
  g_assert_cmpint (g_mkdir (downloads, 0755), ==, 0);
  torrent = tsr_torrent_new (f->info, downloads, peer_id);
  tsr_torrent_start (torrent);
  while (tsr_torrent_get_state (torrent) != TSR_TORRENT_SEEDING && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, TSR_TORRENT_SEEDING);
  g_assert_cmpuint (tsr_torrent_get_pieces_have (torrent), ==, f->info->piece_count);
  /* Every byte as served. */
  got = tsr_storage_new (f->info, downloads);
  want = tsr_storage_new (f->info, www);
  for (i = 0; i < f->info->piece_count; i++)
    {
      gsize size = tsr_metainfo_get_piece_size (f->info, i);
      g_autofree guint8 *a = g_malloc (size);
      g_autofree guint8 *b = g_malloc (size);

      g_assert_true (tsr_storage_read (got, (guint64) i * f->info->piece_length, a, size, NULL));
      g_assert_true (tsr_storage_read (want, (guint64) i * f->info->piece_length, b, size, NULL));
      g_assert_cmpmem (a, size, b, size);
    }
  infos = tsr_torrent_dup_peer_infos (torrent);
  for (i = 0; i < infos->len; i++)
    if (((TsrPeerInfo *) g_ptr_array_index (infos, i))->source == TSR_PEER_SOURCE_WEB_SEED)
      info = g_ptr_array_index (infos, i);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->address, ==, url);
  g_assert_cmpuint (info->downloaded, >=, f->info->total_length);
  tsr_torrent_stop (torrent);
}

static void
test_torrent_from_web_seed (Fixture       *f,
                            gconstpointer  data)
{
  torrent_from_seed (f, FALSE);
}

static void
test_torrent_from_http_seed (Fixture       *f,
                             gconstpointer  data)
{
  torrent_from_seed (f, TRUE);
}

/* ------------------------------------------------------------------ */
/* The request line as sent                                            */

/* A bare server on 127.0.0.1 that keeps each request line exactly as it
 * came (SoupServer would decode the path) and answers 404. */
typedef struct
{
  GPtrArray *lines;
} RawServer;

static void
on_raw_line (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawServer *server = user_data;
  GDataInputStream *data = G_DATA_INPUT_STREAM (source);
  GIOStream *connection = g_object_get_data (G_OBJECT (data), "connection");
  g_autofree char *line = g_data_input_stream_read_line_finish (data, result, NULL, NULL);
  static const char reply[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

  if (line != NULL)
    g_ptr_array_add (server->lines, g_steal_pointer (&line));
  g_output_stream_write_all (g_io_stream_get_output_stream (connection), reply, sizeof reply - 1,
                             NULL, NULL, NULL);
  g_io_stream_close (connection, NULL, NULL);
  g_object_unref (data);
}

static gboolean
on_raw_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source,
                 gpointer           user_data)
{
  GDataInputStream *data = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));

  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_object_set_data_full (G_OBJECT (data), "connection", g_object_ref (connection), g_object_unref);
  g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, on_raw_line, user_data);
  return TRUE;
}

static void
on_raw_fetched (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) piece = tsr_web_seed_fetch_piece_finish (TSR_WEB_SEED (source), result, &error);

  g_assert_null (piece);   /* the server answers 404 */
  *done = TRUE;
}

/* BEP 19: each path component is percent-escaped byte for byte (spaces,
 * '#', '%', '?', '+', '&', '=', ';', brackets, UTF-8), joined by '/', and
 * libsoup sends the path as built. */
static void
test_url_escaped_on_the_wire (void)
{
  static const char torrent[] =
    "d4:infod5:filesld6:lengthi5e4:pathl7:sub dir18:a b#1%?+&=;[x].binee"
    "d6:lengthi5e4:pathl6:\xc3\xbc.binee"
    "e4:name10:My Torrent12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee";
  static const char first[] = "/files/My%20Torrent/sub%20dir/a%20b%231%25%3F%2B%26%3D%3B%5Bx%5D.bin";
  static const char second[] = "/files/My%20Torrent/%C3%BC.bin";
  g_autoptr(GBytes) bytes = g_bytes_new_static (torrent, sizeof torrent - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (bytes, &error);
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(TsrWebSeed) seed = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  RawServer server = { g_ptr_array_new_with_free_func (g_free) };
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timeout;

  g_assert_no_error (error);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_raw_incoming), &server);
  g_socket_service_start (service);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  url = g_strconcat (base, "/files", NULL);
  seed = tsr_web_seed_new (info, url, FALSE, NULL);
  g_clear_pointer (&url, g_free);

  url = tsr_web_seed_dup_file_url (seed, 0);
  expected = g_strconcat (base, first, NULL);
  g_assert_cmpstr (url, ==, expected);
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&expected, g_free);
  url = tsr_web_seed_dup_file_url (seed, 1);
  expected = g_strconcat (base, second, NULL);
  g_assert_cmpstr (url, ==, expected);
  g_clear_pointer (&expected, g_free);

  timeout = g_timeout_add_seconds (10, on_timeout, &timed_out);
  tsr_web_seed_fetch_piece_async (seed, 0, NULL, on_raw_fetched, &done);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));

  g_assert_cmpuint (server.lines->len, >=, 1);
  expected = g_strconcat ("GET ", first, " HTTP/1.1", NULL);
  g_assert_cmpstr (g_ptr_array_index (server.lines, 0), ==, expected);
  g_ptr_array_unref (server.lines);
}

int
main (int   argc,
      char *argv[])
{
  gconstpointer v1 = GINT_TO_POINTER (TSR_CREATE_V1);
  gconstpointer v2 = GINT_TO_POINTER (TSR_CREATE_V2);
  gconstpointer hybrid = GINT_TO_POINTER (TSR_CREATE_HYBRID);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/web-seed/url/escaped-on-the-wire", test_url_escaped_on_the_wire);
#define ADD(path, data, func) g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/web-seed/url/single-file", v1, test_url_single_file);
  ADD ("/web-seed/url/multi-file/v1", v1, test_url_multi_file);
  ADD ("/web-seed/url/multi-file/v2", v2, test_url_multi_file);
  ADD ("/web-seed/url/multi-file/hybrid", hybrid, test_url_multi_file);
  ADD ("/web-seed/fetch/single-file", v1, test_fetch_single_file);
  ADD ("/web-seed/fetch/multi-file/v1", v1, test_fetch_multi_file);
  ADD ("/web-seed/fetch/multi-file/v2", v2, test_fetch_multi_file);
  ADD ("/web-seed/fetch/multi-file/hybrid", hybrid, test_fetch_multi_file);
  ADD ("/web-seed/fetch/whole-file-reply/v1", v1, test_fetch_whole_file_reply);
  ADD ("/web-seed/fetch/whole-file-reply/hybrid", hybrid, test_fetch_whole_file_reply);
  ADD ("/web-seed/fetch/follows-redirect", v1, test_fetch_follows_redirect);
  ADD ("/web-seed/fetch/bad-replies", v1, test_fetch_bad_replies);
  ADD ("/web-seed/fetch/file-changed", v1, test_fetch_file_changed);
  ADD ("/web-seed/fetch/not-found-backs-off", v1, test_fetch_not_found_backs_off);
  ADD ("/web-seed/fetch/retry-after", v1, test_fetch_retry_after);
  ADD ("/web-seed/fetch/redirect-loop", v1, test_fetch_redirect_loop);
  ADD ("/web-seed/fetch/bad-url", v1, test_fetch_bad_url);
  ADD ("/web-seed/fetch/busy", v1, test_fetch_busy);
  ADD ("/web-seed/fetch/cancelled", v1, test_fetch_cancelled);
  ADD ("/web-seed/fetch/trickle-times-out", v1, test_fetch_trickle_times_out);
  ADD ("/web-seed/http-seed/fetch", v1, test_http_seed_fetch);
  ADD ("/web-seed/http-seed/fetch/hybrid", hybrid, test_http_seed_fetch);
  ADD ("/web-seed/http-seed/wait", v1, test_http_seed_wait);
  ADD ("/web-seed/http-seed/wrong-length", v1, test_http_seed_wrong_length);
  ADD ("/web-seed/http-seed/needs-v1", v2, test_http_seed_needs_v1);
  ADD ("/web-seed/torrent/v1", v1, test_torrent_from_web_seed);
  ADD ("/web-seed/torrent/v2", v2, test_torrent_from_web_seed);
  ADD ("/web-seed/torrent/hybrid", hybrid, test_torrent_from_web_seed);
  ADD ("/web-seed/torrent/http-seed", v1, test_torrent_from_http_seed);
#undef ADD

  return g_test_run ();
}
