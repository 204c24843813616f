/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-uploader.c: TsrUploader against a fake host that logs what it is
 * told to send ("B index begin length", "R index begin length", "F index",
 * "flood") and answers for its connections' facts, over real storage and
 * a real read cache in a temporary folder. No sockets.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-storage.h"
#include "tsr-test-util.h"
#include "tsr-uploader.h"
#include "tsr-wire.h"

#define PIECE_LENGTH 32768
#define N_PIECES     30
#define BLOCK        TSR_WIRE_BLOCK_SIZE

/* One fake connection: its facts, settable by the test. */
typedef struct
{
  const char *name;       /* prefixes its log lines when set */
  gboolean    choking;
  gboolean    fast;
  gboolean    closed;
  guint64     queued;
  guint64     up_rate;
} Conn;

typedef struct
{
  char         *dir;
  char         *file;
  TsrMetainfo  *info;
  TsrStorage   *storage;
  TsrUploader  *uploader;
  GString      *log;        /* what the host was told, one line each */
  GError       *error;      /* the last read failure reported */
  guint         n_failed;
  guint64       uploaded;
  char         *flood;      /* the last flood reason */
} Fixture;

static void
log_line (Fixture    *f,
          Conn       *conn,
          const char *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
log_line (Fixture    *f,
          Conn       *conn,
          const char *format,
          ...)
{
  va_list args;

  if (conn->name != NULL)
    g_string_append_printf (f->log, "%s: ", conn->name);
  va_start (args, format);
  g_string_append_vprintf (f->log, format, args);
  va_end (args);
}

static void
host_send_block (gpointer conn,
                 guint32  index,
                 guint32  begin,
                 GBytes  *block,
                 gpointer user_data)
{
  log_line (user_data, conn, "B %u %u %zu\n", index, begin, g_bytes_get_size (block));
}

static void
host_send_reject (gpointer conn,
                  guint32  index,
                  guint32  begin,
                  guint32  length,
                  gpointer user_data)
{
  log_line (user_data, conn, "R %u %u %u\n", index, begin, length);
}

static void
host_send_allowed_fast (gpointer conn,
                        guint32  index,
                        gpointer user_data)
{
  log_line (user_data, conn, "F %u\n", index);
}

static guint64
host_queued (gpointer conn,
             gpointer user_data)
{
  return ((Conn *) conn)->queued;
}

static gboolean
host_choking (gpointer conn,
              gpointer user_data)
{
  return ((Conn *) conn)->choking;
}

static gboolean
host_fast (gpointer conn,
           gpointer user_data)
{
  return ((Conn *) conn)->fast;
}

static gboolean
host_closed (gpointer conn,
             gpointer user_data)
{
  return ((Conn *) conn)->closed;
}

static guint64
host_up_rate (gpointer conn,
              gpointer user_data)
{
  return ((Conn *) conn)->up_rate;
}

static void
host_uploaded (gsize    bytes,
               gpointer user_data)
{
  Fixture *f = user_data;

  f->uploaded += bytes;
}

static void
host_read_failed (const GError *error,
                  gpointer      user_data)
{
  Fixture *f = user_data;

  f->n_failed++;
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static void
host_flood (gpointer    conn,
            const char *reason,
            gpointer    user_data)
{
  Fixture *f = user_data;

  log_line (f, conn, "flood\n");
  g_free (f->flood);
  f->flood = g_strdup (reason);
}

static const TsrUploaderFuncs funcs = {
  .send_block = host_send_block,
  .send_reject = host_send_reject,
  .send_allowed_fast = host_send_allowed_fast,
  .queued = host_queued,
  .choking = host_choking,
  .fast = host_fast,
  .closed = host_closed,
  .up_rate = host_up_rate,
  .uploaded = host_uploaded,
  .read_failed = host_read_failed,
  .flood = host_flood,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-uploader-XXXXXX", NULL);
  root = g_build_filename (f->dir, "pack", NULL);
  tsr_test_write_file (root, "a.bin", N_PIECES * PIECE_LENGTH / 2, 1);
  tsr_test_write_file (root, "b.bin", N_PIECES * PIECE_LENGTH / 2, 2);
  f->file = g_build_filename (root, "b.bin", NULL);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, ==, N_PIECES);
  f->storage = tsr_storage_new (f->info, f->dir);
  f->uploader = tsr_uploader_new (&funcs, f);
  tsr_uploader_set_storage (f->uploader, f->storage);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->uploader, tsr_uploader_free);
  g_clear_object (&f->storage);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->file);
  tsr_metainfo_unref (f->info);
  g_string_free (f->log, TRUE);
  g_clear_error (&f->error);
  g_free (f->flood);
}

/* One turn of the main context, never blocking for long: a read that
 * never comes fails the test at its deadline instead of hanging it. */
static void
step (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (1000);
}

/* Runs the main context until the log has @lines lines. */
static void
wait_for_lines (Fixture *f,
                guint    lines)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      guint n = 0;
      gsize i;

      for (i = 0; i < f->log->len; i++)
        n += f->log->str[i] == '\n';
      if (n >= lines)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      step ();
    }
}

static void
wait_for_failure (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (f->n_failed == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      step ();
    }
}

/* Lets whatever is in flight land. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
request (Fixture         *f,
         TsrUploaderPeer *peer,
         guint32          index,
         guint32          begin)
{
  tsr_uploader_request (f->uploader, peer, index, begin, BLOCK, TRUE);
}

/* Requests are answered in the order asked: within a piece being read,
 * and across pieces already in the cache (answered at once). */
static void
test_order_kept (Fixture       *f,
                 gconstpointer  data)
{
  Conn conn = { 0 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  request (f, peer, 3, BLOCK);
  request (f, peer, 3, 0);
  wait_for_lines (f, 2);
  g_assert_cmpstr (f->log->str, ==, "B 3 16384 16384\nB 3 0 16384\n");

  /* Warm pieces 5, 6 and 7, then ask across them out of order. */
  request (f, peer, 5, 0);
  request (f, peer, 6, 0);
  request (f, peer, 7, 0);
  wait_for_lines (f, 5);
  g_string_truncate (f->log, 0);
  request (f, peer, 7, BLOCK);
  request (f, peer, 5, BLOCK);
  request (f, peer, 6, BLOCK);
  request (f, peer, 3, 0);
  g_assert_cmpstr (f->log->str, ==, "B 7 16384 16384\nB 5 16384 16384\nB 6 16384 16384\nB 3 0 16384\n");
  g_assert_cmpuint (f->uploaded, ==, 9 * BLOCK);
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 0);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 0);
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* No read cache until the first read; expiring everything lets the
 * cache itself go, but not while a read is in flight; the next read makes
 * a new one. */
static void
test_cache_made_and_let_go (Fixture       *f,
                            gconstpointer  data)
{
  Conn conn = { 0 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  g_assert_false (tsr_uploader_has_cache (f->uploader));
  request (f, peer, 4, 0);
  g_assert_true (tsr_uploader_has_cache (f->uploader));
  /* Reading piece 4: expiring now must not drop the read. */
  tsr_uploader_expire (f->uploader, G_MAXINT64);
  g_assert_true (tsr_uploader_has_cache (f->uploader));
  wait_for_lines (f, 1);
  g_assert_cmpstr (f->log->str, ==, "B 4 0 16384\n");
  g_assert_cmpuint (tsr_uploader_get_cache_size (f->uploader), ==, PIECE_LENGTH);
  /* Used a moment ago: an expiry for older pieces keeps it. */
  tsr_uploader_expire (f->uploader, g_get_monotonic_time () - 60 * G_USEC_PER_SEC);
  g_assert_true (tsr_uploader_has_cache (f->uploader));
  tsr_uploader_expire (f->uploader, G_MAXINT64);
  g_assert_false (tsr_uploader_has_cache (f->uploader));
  g_assert_cmpuint (tsr_uploader_get_cache_size (f->uploader), ==, 0);
  request (f, peer, 4, BLOCK);
  wait_for_lines (f, 2);
  g_assert_cmpstr (f->log->str, ==, "B 4 0 16384\nB 4 16384 16384\n");
  g_assert_true (tsr_uploader_has_cache (f->uploader));
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* A cancel takes back a waiting request, and only the one named. */
static void
test_cancel_removes (Fixture       *f,
                     gconstpointer  data)
{
  Conn conn = { .queued = G_MAXUINT32 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  request (f, peer, 1, 0);
  request (f, peer, 1, BLOCK);
  request (f, peer, 2, 0);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 3);
  tsr_uploader_cancel (f->uploader, peer, 1, BLOCK, BLOCK - 1);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 3);
  tsr_uploader_cancel (f->uploader, peer, 1, BLOCK, BLOCK);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 2);

  conn.queued = 0;
  tsr_uploader_drained (f->uploader, peer);
  wait_for_lines (f, 2);
  settle ();
  /* Pieces 1 and 2 are read at once and may land in either order; the
   * cancelled block is never sent. */
  g_assert_true (g_str_equal (f->log->str, "B 1 0 16384\nB 2 0 16384\n") ||
                 g_str_equal (f->log->str, "B 2 0 16384\nB 1 0 16384\n"));
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* The canonical allowed-fast set of 10.0.0.1 for this torrent. */
static guint
fast_set (Fixture *f,
          guint32 *set)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse ("10.0.0.1:6881", &address));
  return tsr_wire_allowed_fast_set (address.address, tsr_metainfo_get_wire_hash (f->info), N_PIECES,
                                    TSR_UPLOADER_ALLOWED_FAST, set);
}

static gboolean
in_set (const guint32 *set,
        guint          n,
        guint32        index)
{
  guint i;

  for (i = 0; i < n; i++)
    if (set[i] == index)
      return TRUE;
  return FALSE;
}

/* BEP 6: the pieces of the canonical set we have are offered once, to a
 * fast newcomer at an IPv4 address only. */
static void
test_allowed_fast_set (Fixture       *f,
                       gconstpointer  data)
{
  Conn conn = { .fast = TRUE };
  Conn slow = { .fast = FALSE };
  Conn old = { .fast = TRUE };
  Conn six = { .fast = TRUE };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);
  TsrUploaderPeer *slow_peer = tsr_uploader_add_peer (f->uploader, &slow);
  TsrUploaderPeer *old_peer = tsr_uploader_add_peer (f->uploader, &old);
  TsrUploaderPeer *six_peer = tsr_uploader_add_peer (f->uploader, &six);
  g_autoptr(TsrBitfield) ours = tsr_bitfield_new (N_PIECES);
  g_autoptr(GString) expected = g_string_new (NULL);
  guint32 set[TSR_UPLOADER_ALLOWED_FAST];
  TsrPeerAddress address;
  TsrPeerAddress v6;
  guint n = fast_set (f, set);
  guint i;

  g_assert_cmpuint (n, ==, TSR_UPLOADER_ALLOWED_FAST);
  tsr_bitfield_set_all (ours, TRUE);
  tsr_bitfield_set (ours, set[0], FALSE);
  for (i = 1; i < n; i++)
    g_string_append_printf (expected, "F %u\n", set[i]);
  g_assert_true (tsr_peer_address_parse ("10.0.0.1:6881", &address));
  g_assert_true (tsr_peer_address_parse ("[::1]:6881", &v6));

  tsr_uploader_offer_fast (f->uploader, slow_peer, &address, tsr_metainfo_get_wire_hash (f->info), ours, 0);
  tsr_uploader_offer_fast (f->uploader, old_peer, &address, tsr_metainfo_get_wire_hash (f->info), ours,
                           TSR_UPLOADER_ALLOWED_FAST);
  tsr_uploader_offer_fast (f->uploader, six_peer, &v6, tsr_metainfo_get_wire_hash (f->info), ours, 0);
  g_assert_cmpstr (f->log->str, ==, "");
  tsr_uploader_offer_fast (f->uploader, peer, &address, tsr_metainfo_get_wire_hash (f->info), ours, 3);
  g_assert_cmpstr (f->log->str, ==, expected->str);
  tsr_uploader_offer_fast (f->uploader, peer, &address, tsr_metainfo_get_wire_hash (f->info), ours, 3);
  g_assert_cmpstr (f->log->str, ==, expected->str);

  tsr_uploader_remove_peer (f->uploader, peer);
  tsr_uploader_remove_peer (f->uploader, slow_peer);
  tsr_uploader_remove_peer (f->uploader, old_peer);
  tsr_uploader_remove_peer (f->uploader, six_peer);
}

/* Choking refuses every waiting request but the allowed-fast ones, and
 * refuses new ones the same way; the allowed-fast ones still go. */
static void
test_choke_rejects_all_but_fast (Fixture       *f,
                                 gconstpointer  data)
{
  Conn conn = { .fast = TRUE, .queued = G_MAXUINT32 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);
  g_autoptr(TsrBitfield) ours = tsr_bitfield_new (N_PIECES);
  guint32 set[TSR_UPLOADER_ALLOWED_FAST];
  TsrPeerAddress address;
  guint n = fast_set (f, set);
  guint32 other;
  g_autofree char *expected = NULL;

  for (other = 0; in_set (set, n, other); other++)
    ;
  tsr_bitfield_set_all (ours, TRUE);
  g_assert_true (tsr_peer_address_parse ("10.0.0.1:6881", &address));
  tsr_uploader_offer_fast (f->uploader, peer, &address, tsr_metainfo_get_wire_hash (f->info), ours, 0);
  g_string_truncate (f->log, 0);

  request (f, peer, other, 0);
  request (f, peer, set[0], 0);
  request (f, peer, other, BLOCK);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 3);
  conn.choking = TRUE;
  tsr_uploader_choked (f->uploader, peer);
  expected = g_strdup_printf ("R %u 0 16384\nR %u 16384 16384\n", other, other);
  g_assert_cmpstr (f->log->str, ==, expected);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 1);

  /* While choked: refused, but for an allowed-fast piece. */
  g_string_truncate (f->log, 0);
  request (f, peer, other, 0);
  request (f, peer, set[1], BLOCK);
  g_free (expected);
  expected = g_strdup_printf ("R %u 0 16384\n", other);
  g_assert_cmpstr (f->log->str, ==, expected);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 2);

  /* Not allowed (a piece we lack, uploads paused): refused too. */
  g_string_truncate (f->log, 0);
  tsr_uploader_request (f->uploader, peer, set[2], 0, BLOCK, FALSE);
  g_free (expected);
  expected = g_strdup_printf ("R %u 0 16384\n", set[2]);
  g_assert_cmpstr (f->log->str, ==, expected);

  g_string_truncate (f->log, 0);
  conn.queued = 0;
  tsr_uploader_drained (f->uploader, peer);
  wait_for_lines (f, 2);
  settle ();
  g_free (expected);
  expected = g_strdup_printf ("B %u 0 16384\n", set[0]);
  /* Two pieces read at once: they may land in either order. */
  g_assert_nonnull (strstr (f->log->str, expected));
  g_free (expected);
  expected = g_strdup_printf ("B %u 16384 16384\n", set[1]);
  g_assert_nonnull (strstr (f->log->str, expected));
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 0);
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* A peer that does not speak BEP 6 hears no rejects at all. */
static void
test_choke_silent_without_fast (Fixture       *f,
                                gconstpointer  data)
{
  Conn conn = { .queued = G_MAXUINT32 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  request (f, peer, 1, 0);
  conn.choking = TRUE;
  tsr_uploader_choked (f->uploader, peer);
  request (f, peer, 2, 0);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 0);
  g_assert_cmpstr (f->log->str, ==, "");
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* Reads in flight for a peer stay under its watermark: the bytes read
 * and not sent plus what its socket holds. */
static void
test_watermark_bounds_reads (Fixture       *f,
                             gconstpointer  data)
{
  Conn conn = { .queued = TSR_UPLOADER_LOW_WATER - 1 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);
  guint i;

  for (i = 0; i < 6; i++)
    request (f, peer, 10 + i, 0);
  /* Under the mark: one read starts, which puts it over. */
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 1);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 5);
  wait_for_lines (f, 1);
  g_assert_cmpstr (f->log->str, ==, "B 10 0 16384\n");
  /* The block landed: the next one is read (the socket is no fuller). */
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 1);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 4);

  /* At the mark: nothing more is read. */
  conn.queued = TSR_UPLOADER_LOW_WATER;
  wait_for_lines (f, 2);
  settle ();
  tsr_uploader_drained (f->uploader, peer);
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 0);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 4);

  /* A fast link's mark is half a second of its rate, up to the high
   * water: 4 blocks fit under it now. */
  conn.up_rate = 2 * (TSR_UPLOADER_LOW_WATER + 4 * BLOCK);
  tsr_uploader_drained (f->uploader, peer);
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 4);
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, 0);
  wait_for_lines (f, 6);
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* More than TSR_UPLOADER_MAX_QUEUED_REQUESTS at once is a flood. */
static void
test_flood_reported (Fixture       *f,
                     gconstpointer  data)
{
  Conn conn = { .queued = G_MAXUINT32 };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);
  g_autofree char *count = g_strdup_printf ("%u", TSR_UPLOADER_MAX_QUEUED_REQUESTS);
  guint i;

  for (i = 0; i < TSR_UPLOADER_MAX_QUEUED_REQUESTS; i++)
    request (f, peer, i % N_PIECES, 0);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, TSR_UPLOADER_MAX_QUEUED_REQUESTS);
  request (f, peer, 0, BLOCK);
  g_assert_cmpstr (f->log->str, ==, "flood\n");
  g_assert_nonnull (f->flood);
  g_assert_nonnull (strstr (f->flood, count));
  g_assert_cmpuint (tsr_uploader_peer_get_waiting (peer), ==, TSR_UPLOADER_MAX_QUEUED_REQUESTS);
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* Deleted data: the request is refused and the failure reported, typed. */
static void
test_read_error_typed (Fixture       *f,
                       gconstpointer  data)
{
  Conn conn = { .fast = TRUE };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  g_assert_cmpint (g_unlink (f->file), ==, 0);
  request (f, peer, N_PIECES - 1, 0);
  wait_for_failure (f);
  g_assert_error (f->error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING);
  g_assert_cmpuint (f->n_failed, ==, 1);
  g_assert_cmpstr (f->log->str, ==, "R 29 0 16384\n");
  g_assert_cmpuint (f->uploaded, ==, 0);
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 0);
  tsr_uploader_remove_peer (f->uploader, peer);
}

/* A read that lands after its peer left sends nothing, to anyone; the
 * next peer asking for the same piece is served. */
static void
test_read_after_removal (Fixture       *f,
                         gconstpointer  data)
{
  Conn gone = { .name = "gone", .fast = TRUE };
  Conn next = { .name = "next", .fast = TRUE };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &gone);
  TsrUploaderPeer *other;

  request (f, peer, 4, 0);
  request (f, peer, 4, BLOCK);
  g_assert_cmpuint (tsr_uploader_peer_get_reads (peer), ==, 2);
  tsr_uploader_remove_peer (f->uploader, peer);
  other = tsr_uploader_add_peer (f->uploader, &next);
  request (f, other, 4, BLOCK);
  wait_for_lines (f, 1);
  settle ();
  g_assert_cmpstr (f->log->str, ==, "next: B 4 16384 16384\n");
  g_assert_cmpuint (f->uploaded, ==, BLOCK);
  tsr_uploader_remove_peer (f->uploader, other);
}

/* Reads in flight when the torrent stops (reset) or goes (free) are
 * dropped, without a word. */
static void
test_reads_dropped_on_stop (Fixture       *f,
                            gconstpointer  data)
{
  Conn conn = { .fast = TRUE };
  TsrUploaderPeer *peer = tsr_uploader_add_peer (f->uploader, &conn);

  request (f, peer, 8, 0);
  tsr_uploader_reset (f->uploader);
  tsr_uploader_remove_peer (f->uploader, peer);
  peer = tsr_uploader_add_peer (f->uploader, &conn);
  request (f, peer, 9, 0);
  tsr_uploader_remove_peer (f->uploader, peer);
  g_clear_pointer (&f->uploader, tsr_uploader_free);
  settle ();
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->n_failed, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/uploader/order-kept", test_order_kept);
  ADD ("/uploader/cancel-removes", test_cancel_removes);
  ADD ("/uploader/allowed-fast-set", test_allowed_fast_set);
  ADD ("/uploader/choke-rejects-all-but-fast", test_choke_rejects_all_but_fast);
  ADD ("/uploader/choke-silent-without-fast", test_choke_silent_without_fast);
  ADD ("/uploader/watermark-bounds-reads", test_watermark_bounds_reads);
  ADD ("/uploader/flood-reported", test_flood_reported);
  ADD ("/uploader/read-error-typed", test_read_error_typed);
  ADD ("/uploader/read-after-removal", test_read_after_removal);
  ADD ("/uploader/reads-dropped-on-stop", test_reads_dropped_on_stop);
  ADD ("/uploader/cache-made-and-let-go", test_cache_made_and_let_go);
#undef ADD
  return g_test_run ();
}
