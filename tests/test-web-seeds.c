/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-web-seeds.c: TsrWebSeeds, a torrent's set of web seeds, against an
 * in-process SoupServer on 127.0.0.1 and a fake owner. The server serves
 * the data at /files/, corrupts it at /bad/, starts a reply at /hold/ and
 * never finishes it, and can answer 404 to the next request. The owner
 * checks each piece handed over against the data and gives its verdict
 * later, as the disk queue would; it tells the time (the test moves it
 * on). A real block map and piece picker hold the pieces, and a real
 * TsrRequester stands for the peers.
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-requester.h"
#include "tsr-storage.h"
#include "tsr-test-util.h"
#include "tsr-web-seed.h"
#include "tsr-web-seeds.h"
#include "tsr-wire.h"

#define PIECE_LENGTH (2 * TSR_WIRE_BLOCK_SIZE)
/* "a.bin" ends on a piece boundary, so no piece spans two files and each
 * piece is one request; "b.bin" ends 12768 bytes into the last piece. */
#define A_LENGTH     (4 * PIECE_LENGTH)
#define B_LENGTH     (3 * PIECE_LENGTH + 20000)
#define N_PIECES     8

typedef struct
{
  guint    index;
  gboolean ok;
} Verdict;

typedef struct
{
  char               *dir;
  char               *www;           /* served at /files/, /bad/ and /hold/ */
  SoupServer         *server;
  char               *base;          /* http://127.0.0.1:PORT */
  GPtrArray          *requests;      /* the path of each request */
  GPtrArray          *held;          /* (element-type SoupServerMessage) borrowed: replies never finished */
  guint               fail_next;     /* requests answered 404 */
  TsrMetainfo        *info;
  TsrStorage         *data;          /* the served files, for the owner's checks */
  TsrPiecePicker     *picker;
  TsrBlockMap        *blocks;
  TsrWebSeeds        *seeds;
  TsrBitfield        *have;          /* verified pieces */
  GArray             *verdicts;      /* (element-type Verdict) pieces "on their way to disk" */
  GHashTable         *banned;        /* URLs reported banned */
  TsrPeerPool        *pool;          /* the torrent's: where URLs are banned */
  TsrLimiter         *down;          /* (nullable) the torrent's download limit */
  GString            *log;           /* "fetched N", "ban URL: reason", "peers sent N" */
  guint               calls;         /* of any of the owner's functions */
  gint                first_failed;  /* the first piece that failed its check, -1: none */
  guint               n_failed;      /* pieces that failed it */
  gboolean            may_start;
  gint64              now;           /* monotonic seconds, as the owner says */
} Fixture;

/* ------------------------------------------------------------------ */
/* The server                                                          */

static void
on_held_finished (SoupServerMessage *msg,
                  Fixture           *f)
{
  g_ptr_array_remove (f->held, msg);
}

/* @relative under f->www, the range asked: as it is, corrupted (every
 * byte flipped), or only the headers, the body never coming. */
static void
serve_range (Fixture           *f,
             SoupServerMessage *msg,
             const char        *relative,
             const char        *how)
{
  SoupMessageHeaders *reply = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Range");
  g_autofree char *path = g_build_filename (f->www, relative, NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  guint64 first = 0;
  guint64 last = 0;
  guint64 i;

  if (strstr (relative, "..") != NULL || !g_file_get_contents (path, &data, &length, NULL) ||
      !tsr_test_parse_range (range, &first, &last) || last >= length)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
  soup_message_headers_set_content_range (reply, (goffset) first, (goffset) last, (goffset) length);
  if (g_str_equal (how, "hold"))
    {
      soup_message_headers_set_encoding (reply, SOUP_ENCODING_CHUNKED);
      g_ptr_array_add (f->held, msg);
      g_signal_connect (msg, "finished", G_CALLBACK (on_held_finished), f);
      return;
    }
  if (g_str_equal (how, "bad"))
    for (i = first; i <= last; i++)
      data[i] = (char) ~data[i];
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, data + first,
                                    (gsize) (last - first + 1));
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  static const char *const prefixes[] = { "files", "bad", "hold" };
  guint i;

  g_ptr_array_add (f->requests, g_strdup (path));
  if (f->fail_next > 0)
    {
      f->fail_next--;
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  for (i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("/%s/", prefixes[i]);

      if (g_str_has_prefix (path, prefix))
        {
          serve_range (f, msg, path + strlen (prefix), prefixes[i]);
          return;
        }
    }
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* Requests whose path starts with @prefix. */
static guint
count_requests (Fixture    *f,
                const char *prefix)
{
  guint count = 0;
  guint i;

  for (i = 0; i < f->requests->len; i++)
    count += g_str_has_prefix (g_ptr_array_index (f->requests, i), prefix);
  return count;
}

/* ------------------------------------------------------------------ */
/* The owner                                                           */

static gboolean
owner_may_start (gpointer user_data)
{
  Fixture *f = user_data;

  f->calls++;
  return f->may_start;
}

static void
owner_banned (const char *url,
              const char *reason,
              gpointer    user_data)
{
  Fixture *f = user_data;

  f->calls++;
  /* Banned in the pool before the owner hears of it, once. */
  g_assert_cmpstr (tsr_peer_pool_get_url_ban (f->pool, url, f->now), ==, reason);
  g_assert_false (g_hash_table_contains (f->banned, url));
  g_hash_table_add (f->banned, g_strdup (url));
  g_string_append_printf (f->log, "ban %s: %s\n", url, reason);
}

/* The piece goes "to disk": its verdict comes later, in land_verdicts(). */
static void
owner_fetched (guint    index,
               GBytes  *piece,
               gpointer user_data)
{
  Fixture *f = user_data;
  gsize size = tsr_metainfo_get_piece_size (f->info, index);
  g_autofree guint8 *want = g_malloc (size);
  Verdict verdict = { index, FALSE };

  f->calls++;
  g_assert_true (tsr_block_map_is_writing (f->blocks, index));
  g_assert_true (tsr_storage_read (f->data, (guint64) index * PIECE_LENGTH, want, size, NULL));
  verdict.ok = g_bytes_get_size (piece) == size && memcmp (g_bytes_get_data (piece, NULL), want, size) == 0;
  g_array_append_val (f->verdicts, verdict);
  g_string_append_printf (f->log, "fetched %u\n", index);
}

static gint64
owner_now (gpointer user_data)
{
  Fixture *f = user_data;

  f->calls++;
  return f->now;
}

static TsrLimiter *
owner_limiter (gpointer user_data)
{
  Fixture *f = user_data;

  return f->down;
}

static const TsrWebSeedsFuncs funcs = {
  .may_start = owner_may_start,
  .banned = owner_banned,
  .fetched = owner_fetched,
  .now = owner_now,
  .limiter = owner_limiter,
};

/* The disk's verdicts, as the torrent takes them: a failed piece is the
 * web seeds' to answer for if one of them fetched it, then fetched
 * afresh; a passed one is had. The seeds are ticked after each. */
static void
land_verdicts (Fixture *f)
{
  while (f->verdicts->len > 0)
    {
      Verdict verdict = g_array_index (f->verdicts, Verdict, 0);

      g_array_remove_index (f->verdicts, 0);
      if (!verdict.ok && f->n_failed++ == 0)
        f->first_failed = (gint) verdict.index;
      if (verdict.ok)
        tsr_block_map_written (f->blocks, verdict.index, TRUE);
      else if (!tsr_web_seeds_hash_failed (f->seeds, verdict.index))
        {
          g_string_append_printf (f->log, "peers sent %u\n", verdict.index);
          tsr_block_map_written (f->blocks, verdict.index, FALSE);
        }
      if (verdict.ok)
        {
          tsr_bitfield_set (f->have, verdict.index, TRUE);
          tsr_piece_picker_set_have (f->picker, verdict.index, TRUE);
        }
      tsr_web_seeds_tick (f->seeds);
    }
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-web-seeds-XXXXXX", NULL);
  f->www = g_build_filename (f->dir, "www", NULL);
  root = g_build_filename (f->www, "pack", NULL);
  tsr_test_write_file (root, "a.bin", A_LENGTH, 1);
  tsr_test_write_file (root, "b.bin", B_LENGTH, 2);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, ==, N_PIECES);
  f->data = tsr_storage_new (f->info, f->www);
  f->requests = g_ptr_array_new_with_free_func (g_free);
  f->held = g_ptr_array_new ();
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->blocks = tsr_block_map_new (f->info, f->picker, 24 * 1024 * 1024);
  f->have = tsr_bitfield_new (N_PIECES);
  f->verdicts = g_array_new (FALSE, FALSE, sizeof (Verdict));
  f->banned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->pool = tsr_peer_pool_new (50);
  f->log = g_string_new (NULL);
  f->may_start = TRUE;
  f->first_failed = -1;
  f->now = g_get_monotonic_time () / G_USEC_PER_SEC;

  f->server = tsr_test_http_server_new (on_request, f, &f->base);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  g_clear_pointer (&f->seeds, tsr_web_seeds_free);
  /* Replies still held end, and the seeds' connections close. */
  while (f->held->len > 0)
    {
      SoupServerMessage *msg = g_ptr_array_steal_index (f->held, 0);

      g_signal_handlers_disconnect_by_data (msg, f);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  tsr_block_map_free (f->blocks);
  tsr_piece_picker_free (f->picker);
  tsr_bitfield_free (f->have);
  g_array_unref (f->verdicts);
  g_hash_table_unref (f->banned);
  tsr_peer_pool_free (f->pool);
  g_clear_pointer (&f->down, tsr_limiter_unref);
  g_string_free (f->log, TRUE);
  g_ptr_array_unref (f->requests);
  g_ptr_array_unref (f->held);
  g_object_unref (f->data);
  tsr_metainfo_unref (f->info);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->www);
  g_free (f->base);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The set, with a seed at each of @paths ("/files", "/bad", "/hold"). */
static void
make_seeds (Fixture           *f,
            const char *const *paths)
{
  guint i;

  /* A loaded metainfo's empty list is shared: a list of our own. */
  g_ptr_array_unref (f->info->web_seeds);
  f->info->web_seeds = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (f->info->web_seeds, g_strconcat (f->base, paths[i], NULL));
  f->seeds = tsr_web_seeds_new (f->info, f->blocks, f->picker, f->pool, &funcs, f);
  g_assert_nonnull (f->seeds);
  g_assert_cmpuint (tsr_web_seeds_get_n_seeds (f->seeds), ==, 0);
}

typedef gboolean (*Condition) (Fixture *f);

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop, landing verdicts, until @done holds (10 s at most). */
static void
run_until (Fixture   *f,
           Condition  done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, on_timeout, &timed_out);

  while (!done (f) && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      land_verdicts (f);
    }
  g_assert_false (timed_out);
  g_source_remove (id);
}

static gboolean
all_had (Fixture *f)
{
  return tsr_bitfield_is_full (f->have);
}

static gboolean none_fetching (Fixture *f);

static gboolean
one_held (Fixture *f)
{
  return f->held->len == 1;
}

static gboolean
none_fetching (Fixture *f)
{
  TsrWebSeedInfo info;
  guint i;

  for (i = 0; i < tsr_web_seeds_get_n_seeds (f->seeds); i++)
    {
      tsr_web_seeds_get_info (f->seeds, i, &info);
      if (info.fetching)
        return FALSE;
    }
  return TRUE;
}

/* The pieces reserved in the block map, by whom does not matter. */
static guint
count_reserved (Fixture *f,
                guint   *index)
{
  guint count = 0;
  guint i;

  for (i = 0; i < N_PIECES; i++)
    if (tsr_block_map_get_reserved (f->blocks, i) != NULL)
      {
        *index = i;
        count++;
      }
  return count;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* Nothing starts while the owner says no; then every piece is fetched
 * with one request each, handed over exactly as served, and counted for
 * the peers view and the rate. */
static void
test_fetch_hands_pieces_over (Fixture       *f,
                              gconstpointer  unused)
{
  static const char *const paths[] = { "/files", NULL };
  g_autofree char *url = g_strconcat (f->base, "/files", NULL);
  TsrWebSeedInfo info;
  guint index = N_PIECES;
  guint i;

  make_seeds (f, paths);
  f->may_start = FALSE;
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (tsr_web_seeds_get_n_seeds (f->seeds), ==, 1);
  g_assert_cmpuint (count_reserved (f, &index), ==, 0);
  g_assert_true (none_fetching (f));

  f->may_start = TRUE;
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 1);
  g_assert_true (tsr_block_map_is_busy (f->blocks, index));
  run_until (f, all_had);
  g_assert_cmpuint (count_requests (f, "/files/pack/"), ==, N_PIECES);
  g_assert_cmpuint (f->requests->len, ==, N_PIECES);
  for (i = 0; i < N_PIECES; i++)
    {
      g_autofree char *line = g_strdup_printf ("fetched %u\n", i);

      g_assert_nonnull (strstr (f->log->str, line));
    }
  g_assert_null (strstr (f->log->str, "peers sent"));
  g_assert_null (strstr (f->log->str, "ban"));

  tsr_web_seeds_get_info (f->seeds, 0, &info);
  g_assert_cmpstr (info.url, ==, url);
  g_assert_false (info.http_seed);
  g_assert_false (info.fetching);
  g_assert_cmpuint (info.received, ==, f->info->total_length);
  /* The clock stood still while it fetched: a second later the rate is
   * half the bytes of that second (smoothed with the 0 before). */
  g_assert_cmpuint (tsr_web_seeds_get_rate (f->seeds), ==, 0);
  f->now++;
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (tsr_web_seeds_get_rate (f->seeds), ==, f->info->total_length / 2);
  tsr_web_seeds_get_info (f->seeds, 0, &info);
  g_assert_cmpuint (info.rate, ==, f->info->total_length / 2);
}

static void
host_send_request (gpointer conn,
                   guint32  index,
                   guint32  begin,
                   guint32  length,
                   gpointer user_data)
{
  GString *log = user_data;

  g_string_append_printf (log, "R %u %u\n", index, begin);
}

static void
host_send_cancel (gpointer conn,
                  guint32  index,
                  guint32  begin,
                  guint32  length,
                  gpointer user_data)
{
  g_assert_not_reached ();
}

static const TsrBitfield *
host_have (gpointer conn,
           gpointer user_data)
{
  return conn;
}

static gboolean
host_no (gpointer conn,
         gpointer user_data)
{
  return FALSE;
}

static gboolean
host_yes (gpointer conn,
          gpointer user_data)
{
  return TRUE;
}

static const TsrPeerAddress *
host_address (gpointer conn,
              gpointer user_data)
{
  static TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse ("10.0.0.1:6881", &address));
  return &address;
}

static gboolean
host_we_have (guint    index,
              gpointer user_data)
{
  return FALSE;
}

static void
host_snubbed (gpointer conn,
              gpointer user_data)
{
  g_assert_not_reached ();
}

static const TsrRequesterFuncs request_funcs = {
  .send_request = host_send_request,
  .send_cancel = host_send_cancel,
  .have = host_have,
  .choking = host_no,
  .interested = host_yes,
  .fast = host_no,
  .address = host_address,
  .we_have = host_we_have,
  .snubbed = host_snubbed,
};

static void
smart_ban_ban (const TsrPeerAddress *address,
               const char           *reason,
               gpointer              user_data)
{
  g_assert_not_reached ();
}

static const TsrSmartBanFuncs smart_ban_funcs = {
  .ban = smart_ban_ban,
};

/* A peer with every piece, unchoking us, is asked for every block but
 * those of the piece a web seed is fetching, end game or not. */
static void
test_reserved_not_given_to_peers (Fixture       *f,
                                  gconstpointer  unused)
{
  static const char *const paths[] = { "/hold", NULL };
  g_autoptr(GString) requests = g_string_new (NULL);
  g_autoptr(TsrBitfield) everything = tsr_bitfield_new (N_PIECES);
  TsrSmartBan *smart_ban = tsr_smart_ban_new (&smart_ban_funcs, NULL);
  TsrRequester *requester = tsr_requester_new (&request_funcs, requests);
  TsrRequesterPeer *peer;
  TsrWebSeedInfo info;
  guint reserved = N_PIECES;
  guint i;

  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &reserved), ==, 1);
  run_until (f, one_held);
  tsr_web_seeds_get_info (f->seeds, 0, &info);
  g_assert_true (info.fetching);

  tsr_bitfield_set_all (everything, TRUE);
  tsr_piece_picker_add_bitfield (f->picker, everything);
  tsr_requester_set_pieces (requester, f->blocks, f->picker, smart_ban, N_PIECES);
  peer = tsr_requester_add_peer (requester, everything, f->now);
  tsr_requester_fill (requester, peer);
  g_assert_true (tsr_block_map_in_endgame (f->blocks));
  for (i = 0; i < N_PIECES; i++)
    {
      g_autofree char *first = g_strdup_printf ("R %u 0\n", i);
      g_autofree char *second = g_strdup_printf ("R %u %u\n", i, TSR_WIRE_BLOCK_SIZE);

      g_assert_true ((strstr (requests->str, first) != NULL) == (i != reserved));
      g_assert_true ((strstr (requests->str, second) != NULL) == (i != reserved));
    }
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 2 * (N_PIECES - 1));
  g_assert_true (tsr_block_map_get_reserved (f->blocks, reserved) != NULL);

  tsr_requester_remove_peer (requester, peer);
  tsr_piece_picker_remove_bitfield (f->picker, everything);
  tsr_requester_free (requester);
  tsr_smart_ban_free (smart_ban);
}

/* A 404 gives the piece back and the seed backs off: not asked again
 * before its time, asked again after, and then it fetches everything. */
static void
test_failure_backs_off (Fixture       *f,
                        gconstpointer  unused)
{
  static const char *const paths[] = { "/files", NULL };
  guint index = N_PIECES;

  make_seeds (f, paths);
  f->fail_next = 1;
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 1);
  run_until (f, none_fetching);
  g_assert_cmpuint (f->requests->len, ==, 1);
  g_assert_false (tsr_block_map_contains (f->blocks, index));
  g_assert_cmpstr (f->log->str, ==, "");

  /* Backing off: nothing is started however often it is ticked. */
  tsr_web_seeds_tick (f->seeds);
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 0);
  g_assert_true (none_fetching (f));

  /* Its back-off is over. */
  f->now = g_get_monotonic_time () / G_USEC_PER_SEC + TSR_WEB_SEED_RETRY_MIN + 1;
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 1);
  run_until (f, all_had);
  g_assert_cmpuint (f->requests->len, ==, 1 + N_PIECES);
}

/* A seed whose piece fails its hash check is banned by its URL, once,
 * and not asked again; the piece is fetched afresh, and the other seed
 * fetches it and the rest: a torrent with web seeds alone completes. A
 * piece that peers sent is not the seeds' to answer for. */
static void
test_bad_data_banned_by_url (Fixture       *f,
                             gconstpointer  unused)
{
  static const char *const paths[] = { "/bad", "/files", NULL };
  g_autofree char *bad = g_strconcat (f->base, "/bad", NULL);
  g_autofree char *expected = NULL;
  guint index = N_PIECES;
  guint asked;

  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 2);
  run_until (f, all_had);
  /* Its first piece was handed over, and its next one may have started
   * before the verdict came; after that, nothing. Each piece it spoilt
   * was fetched again from the good seed. */
  asked = count_requests (f, "/bad/");
  g_assert_cmpuint (asked, >=, 1);
  g_assert_cmpuint (asked, <=, 2);
  g_assert_cmpuint (f->n_failed, ==, asked);
  g_assert_cmpuint (count_requests (f, "/files/"), ==, N_PIECES);
  g_assert_false (tsr_block_map_contains (f->blocks, (guint) f->first_failed));
  g_assert_cmpuint (g_hash_table_size (f->banned), ==, 1);
  g_assert_true (g_hash_table_contains (f->banned, bad));
  expected = g_strdup_printf ("ban %s: sent piece %d, which failed its hash check\n", bad, f->first_failed);
  g_assert_nonnull (strstr (f->log->str, expected));
  run_until (f, none_fetching);

  /* A piece is wanted again: in the ban's last second, the banned seed,
   * though first in line, is not asked; the other one is. */
  for (index = 0; !tsr_bitfield_get (f->have, index); index++)
    ;
  tsr_bitfield_set (f->have, index, FALSE);
  tsr_piece_picker_set_have (f->picker, index, FALSE);
  f->now += TSR_WEB_SEEDS_BAN_SECONDS - 1;
  tsr_web_seeds_tick (f->seeds);
  run_until (f, all_had);
  g_assert_cmpuint (count_requests (f, "/bad/"), ==, asked);
  g_assert_cmpuint (count_requests (f, "/files/"), ==, N_PIECES + 1);

  /* Not reserved by a seed: the peers' business, and left in the block
   * map for them. */
  run_until (f, none_fetching);
  g_assert_false (tsr_block_map_contains (f->blocks, index));
  tsr_block_map_start (f->blocks, index);
  g_assert_false (tsr_web_seeds_hash_failed (f->seeds, index));
  g_assert_true (tsr_block_map_contains (f->blocks, index));
  g_assert_cmpuint (g_hash_table_size (f->banned), ==, 1);
}

/* Freed with a fetch in flight: its owner hears nothing more, however the
 * fetch ends. */
static void
test_free_in_flight_calls_nothing (Fixture       *f,
                                   gconstpointer  unused)
{
  static const char *const paths[] = { "/hold", NULL };
  gint64 end;
  guint calls;

  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  run_until (f, one_held);
  calls = f->calls;
  g_clear_pointer (&f->seeds, tsr_web_seeds_free);
  /* The cancelled fetch lands; the held reply may end too. */
  end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (f->calls, ==, calls);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->verdicts->len, ==, 0);
}

/* Freed with a fetch in flight (the user replaced the seeds of a running
 * torrent): the piece leaves the block map, free for the peers and the
 * next seeds, not reserved for ever by a seed that is gone. */
static void
test_free_in_flight_releases_piece (Fixture       *f,
                                    gconstpointer  unused)
{
  static const char *const paths[] = { "/hold", NULL };
  guint index = N_PIECES;

  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  run_until (f, one_held);
  g_assert_cmpuint (count_reserved (f, &index), ==, 1);
  g_assert_true (tsr_block_map_is_busy (f->blocks, index));
  g_clear_pointer (&f->seeds, tsr_web_seeds_free);
  g_assert_cmpuint (count_reserved (f, &index), ==, 0);
  g_assert_false (tsr_block_map_is_busy (f->blocks, index));
}

/* The user's list stands in for the metainfo's BEP 19 seeds: only its
 * seeds are asked, and an empty one with no BEP 17 seed makes no set. */
static void
test_urls_replace_metainfo (Fixture       *f,
                            gconstpointer  unused)
{
  static const char *const paths[] = { "/bad", NULL };
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  TsrWebSeedInfo info;

  make_seeds (f, paths);
  g_clear_pointer (&f->seeds, tsr_web_seeds_free);
  g_assert_null (tsr_web_seeds_new_with_urls (f->info, none, f->blocks, f->picker, f->pool, &funcs, f));
  g_ptr_array_add (urls, g_strconcat (f->base, "/files", NULL));
  f->seeds = tsr_web_seeds_new_with_urls (f->info, urls, f->blocks, f->picker, f->pool, &funcs, f);
  g_assert_nonnull (f->seeds);
  /* Copied: the caller's list may go. */
  g_ptr_array_set_size (urls, 0);
  tsr_web_seeds_tick (f->seeds);
  run_until (f, all_had);
  g_assert_cmpuint (tsr_web_seeds_get_n_seeds (f->seeds), ==, 1);
  tsr_web_seeds_get_info (f->seeds, 0, &info);
  g_assert_true (g_str_has_suffix (info.url, "/files"));
  g_assert_cmpuint (count_requests (f, "/files/pack/"), ==, N_PIECES);
  g_assert_cmpuint (count_requests (f, "/bad/"), ==, 0);
}

/* Stopped (the owner clears the block map, as a stopping torrent does):
 * the fetch is cancelled and lands handing nothing over, and is no
 * failure: the next tick starts afresh, with no back-off. */
static void
test_stop_cancels (Fixture       *f,
                   gconstpointer  unused)
{
  static const char *const paths[] = { "/hold", NULL };
  guint index = N_PIECES;

  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  run_until (f, one_held);
  tsr_web_seeds_stop (f->seeds);
  tsr_block_map_clear (f->blocks);
  run_until (f, none_fetching);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (count_reserved (f, &index), ==, 0);

  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (count_reserved (f, &index), ==, 1);
  g_assert_false (none_fetching (f));
}

/* The download limit holds the seeds back while it has no room, and
 * counts what they fetch (here through a parent bucket, as the
 * session's is). */
static void
test_download_limit (Fixture       *f,
                     gconstpointer  unused)
{
  static const char *const paths[] = { "/files", NULL };
  g_autoptr(TsrLimiter) session = tsr_limiter_new (1000);

  f->down = tsr_limiter_new (1);
  make_seeds (f, paths);
  tsr_web_seeds_tick (f->seeds);
  tsr_test_run_for (100);
  tsr_web_seeds_tick (f->seeds);
  g_assert_cmpuint (f->requests->len, ==, 0);
  g_assert_true (none_fetching (f));

  /* Room (the session's bucket fills within a millisecond): it fetches,
   * and the piece puts both buckets in debt. */
  tsr_limiter_set_rate (f->down, 0);
  tsr_limiter_set_parent (f->down, session);
  g_usleep (2000);
  g_assert_cmpuint (tsr_limiter_wait_ms (session), ==, 0);
  tsr_web_seeds_tick (f->seeds);
  g_assert_false (none_fetching (f));
  TSR_TEST_WAIT_UNTIL (f->verdicts->len > 0, 10, "the first piece");
  g_assert_cmpuint (tsr_limiter_wait_ms (session), >, 0);
  g_assert_cmpuint (tsr_limiter_get_allowance (f->down), ==, 0);
  /* No room: the seed, idle again, starts nothing. */
  g_assert_true (none_fetching (f));
  g_assert_cmpuint (f->requests->len, ==, 1);
}

/* Nothing is kept for a torrent without web seeds. */
static void
test_none_listed (Fixture       *f,
                  gconstpointer  unused)
{
  g_assert_null (tsr_web_seeds_new (f->info, f->blocks, f->picker, f->pool, &funcs, f));
  /* A loaded metainfo's empty list is shared: a list of our own. */
  g_ptr_array_unref (f->info->http_seeds);
  f->info->http_seeds = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->info->http_seeds, g_strconcat (f->base, "/seed", NULL));
  f->seeds = tsr_web_seeds_new (f->info, f->blocks, f->picker, f->pool, &funcs, f);
  g_assert_nonnull (f->seeds);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/web-seeds/fetch/hands-pieces-over", test_fetch_hands_pieces_over);
  ADD ("/web-seeds/reserve/not-given-to-peers", test_reserved_not_given_to_peers);
  ADD ("/web-seeds/failure/backs-off", test_failure_backs_off);
  ADD ("/web-seeds/ban/bad-data-by-url", test_bad_data_banned_by_url);
  ADD ("/web-seeds/free/in-flight-calls-nothing", test_free_in_flight_calls_nothing);
  ADD ("/web-seeds/free/in-flight-releases-piece", test_free_in_flight_releases_piece);
  ADD ("/web-seeds/urls/replace-metainfo", test_urls_replace_metainfo);
  ADD ("/web-seeds/stop/cancels", test_stop_cancels);
  ADD ("/web-seeds/new/none-listed", test_none_listed);
  ADD ("/web-seeds/limit/download", test_download_limit);
#undef ADD

  return g_test_run ();
}
