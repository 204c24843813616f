/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-requester.c: TsrRequester against fake connections, each a
 * GINT_TO_POINTER id with a bitfield and choke, interest and BEP 6 flags
 * the test sets; what it is told to send is logged ("1: R index begin
 * length", "1: C ...", "1: snubbed") and compared. A real block map,
 * piece picker and smart ban hold the pieces. No sockets, no clock: the
 * test says what time it is.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-requester.h"
#include "tsr-test-util.h"
#include "tsr-wire.h"

#define BLOCK        TSR_WIRE_BLOCK_SIZE
#define PIECE_LENGTH (4 * BLOCK)
#define N_PIECES     64
/* The last piece is 10000 bytes short: its last block is 6384 bytes. */
#define TOTAL_LENGTH (N_PIECES * PIECE_LENGTH - 10000)
#define N_CONNS      3
#define START        1000

/* One fake connection: its facts, settable by the test. */
typedef struct
{
  TsrBitfield      *have;       /* (owned) (nullable) */
  gboolean          choking;    /* it chokes us */
  gboolean          interested; /* we are interested */
  gboolean          fast;
  TsrPeerAddress    address;
  TsrRequesterPeer *peer;       /* (nullable) while added */
} Conn;

typedef struct
{
  char           *dir;
  TsrMetainfo    *info;
  TsrPiecePicker *picker;
  TsrBlockMap    *blocks;
  TsrSmartBan    *smart_ban;
  TsrRequester   *requester;
  TsrBitfield    *ours;
  Conn            conns[N_CONNS + 1];  /* by id, from 1 */
  GString        *log;                 /* what the connections were sent, one line each */
} Fixture;

static const guint8 zeros[BLOCK];

static Conn *
conn_of (Fixture  *f,
         gpointer  conn)
{
  gint id = GPOINTER_TO_INT (conn);

  g_assert_cmpint (id, >=, 1);
  g_assert_cmpint (id, <=, N_CONNS);
  g_assert_nonnull (f->conns[id].peer);
  return &f->conns[id];
}

static void
host_send_request (gpointer conn,
                   guint32  index,
                   guint32  begin,
                   guint32  length,
                   gpointer user_data)
{
  Fixture *f = user_data;

  conn_of (f, conn);
  g_string_append_printf (f->log, "%d: R %u %u %u\n", GPOINTER_TO_INT (conn), index, begin, length);
}

static void
host_send_cancel (gpointer conn,
                  guint32  index,
                  guint32  begin,
                  guint32  length,
                  gpointer user_data)
{
  Fixture *f = user_data;

  conn_of (f, conn);
  g_string_append_printf (f->log, "%d: C %u %u %u\n", GPOINTER_TO_INT (conn), index, begin, length);
}

static const TsrBitfield *
host_have (gpointer conn,
           gpointer user_data)
{
  return conn_of (user_data, conn)->have;
}

static gboolean
host_choking (gpointer conn,
              gpointer user_data)
{
  return conn_of (user_data, conn)->choking;
}

static gboolean
host_interested (gpointer conn,
                 gpointer user_data)
{
  return conn_of (user_data, conn)->interested;
}

static gboolean
host_fast (gpointer conn,
           gpointer user_data)
{
  return conn_of (user_data, conn)->fast;
}

static const TsrPeerAddress *
host_address (gpointer conn,
              gpointer user_data)
{
  return &conn_of (user_data, conn)->address;
}

static gboolean
host_we_have (guint    index,
              gpointer user_data)
{
  Fixture *f = user_data;

  return tsr_bitfield_get (f->ours, index);
}

static void
host_snubbed (gpointer conn,
              gpointer user_data)
{
  Fixture *f = user_data;

  conn_of (f, conn);
  g_string_append_printf (f->log, "%d: snubbed\n", GPOINTER_TO_INT (conn));
}

static const TsrRequesterFuncs funcs = {
  .send_request = host_send_request,
  .send_cancel = host_send_cancel,
  .have = host_have,
  .choking = host_choking,
  .interested = host_interested,
  .fast = host_fast,
  .address = host_address,
  .we_have = host_we_have,
  .snubbed = host_snubbed,
};

static void
host_ban (const TsrPeerAddress *address,
          const char           *reason,
          gpointer              user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "ban %u\n", address->port);
}

static const TsrSmartBanFuncs ban_funcs = {
  .ban = host_ban,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-requester-XXXXXX", NULL);
  root = g_build_filename (f->dir, "data", NULL);
  tsr_test_write_file (root, "a.bin", TOTAL_LENGTH, 1);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, ==, N_PIECES);
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->blocks = tsr_block_map_new (f->info, f->picker, 24 * 1024 * 1024);
  f->smart_ban = tsr_smart_ban_new (&ban_funcs, f);
  f->requester = tsr_requester_new (&funcs, f);
  tsr_requester_set_pieces (f->requester, f->blocks, f->picker, f->smart_ban, N_PIECES);
  f->ours = tsr_bitfield_new (N_PIECES);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  guint id;

  for (id = 1; id <= N_CONNS; id++)
    {
      Conn *conn = &f->conns[id];

      if (conn->peer != NULL)
        tsr_requester_remove_peer (f->requester, conn->peer);
      if (conn->have != NULL)
        tsr_piece_picker_remove_bitfield (f->picker, conn->have);
      g_clear_pointer (&conn->have, tsr_bitfield_free);
    }
  tsr_requester_free (f->requester);
  tsr_smart_ban_free (f->smart_ban);
  tsr_block_map_free (f->blocks);
  tsr_piece_picker_free (f->picker);
  tsr_bitfield_free (f->ours);
  tsr_metainfo_unref (f->info);
  g_string_free (f->log, TRUE);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Connection @id, unchoking us, BEP 6, with pieces @first to @last,
 * which the picker counts, as the torrent does. */
static TsrRequesterPeer *
add_conn (Fixture *f,
          gint     id,
          guint    first,
          guint    last)
{
  Conn *conn = &f->conns[id];
  g_autofree char *text = g_strdup_printf ("10.0.0.%d:%d", id, 6880 + id);
  guint i;

  g_assert_null (conn->peer);
  g_assert_true (tsr_peer_address_parse (text, &conn->address));
  conn->have = tsr_bitfield_new (N_PIECES);
  for (i = first; i <= last; i++)
    tsr_bitfield_set (conn->have, i, TRUE);
  tsr_piece_picker_add_bitfield (f->picker, conn->have);
  conn->interested = TRUE;
  conn->fast = TRUE;
  conn->peer = tsr_requester_add_peer (f->requester, GINT_TO_POINTER (id), START);
  return conn->peer;
}

/* Pieces @first to @last are ours, verified. */
static void
we_have (Fixture *f,
         guint    first,
         guint    last)
{
  guint i;

  for (i = first; i <= last; i++)
    {
      tsr_bitfield_set (f->ours, i, TRUE);
      tsr_piece_picker_set_have (f->picker, i, TRUE);
    }
}

/* The log so far, cleared. */
static char *
take_log (Fixture *f)
{
  char *text = g_strdup (f->log->str);

  g_string_truncate (f->log, 0);
  return text;
}

static guint
count_lines (const char *text,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && g_str_has_prefix (lines[i], prefix))
      n++;
  return n;
}

static TsrBlockResult
block (Fixture          *f,
       TsrRequesterPeer *peer,
       guint32           index,
       guint32           begin,
       gsize             length,
       gint64            now)
{
  return tsr_requester_on_block (f->requester, peer, index, begin, zeros, length, now);
}

/* The first block @peer was asked for, by piece and offset. */
static void
first_request (TsrRequesterPeer *peer,
               guint32          *index,
               guint32          *begin)
{
  guint i, b;

  for (i = 0; i < N_PIECES; i++)
    for (b = 0; b < 4; b++)
      if (tsr_requester_peer_has_request (peer, i, b * BLOCK))
        {
          *index = i;
          *begin = b * BLOCK;
          return;
        }
  g_assert_not_reached ();
}

/* ------------------------------------------------------------------ */

/* The pipeline is two seconds of the peer's rate, at least 32 blocks,
 * at most 250, or up to the reqq it told (at most 1000); snubbed, 1. */
static void
test_pipeline_depth_follows_rate (Fixture       *f,
                                  gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);

  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, TSR_REQUESTER_PIPELINE);
  tsr_requester_tick (f->requester, peer, 0, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 32);
  /* 50 blocks a second: 100 in two seconds. */
  tsr_requester_tick (f->requester, peer, 50 * BLOCK, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 100);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 100);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 100);
  tsr_requester_tick (f->requester, peer, 1000 * BLOCK, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, TSR_REQUESTER_PIPELINE_MAX);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 250);
  /* A told queue caps it, and lets it grow past 250, up to 1000. */
  tsr_requester_peer_set_reqq (peer, 10);
  tsr_requester_tick (f->requester, peer, 1000 * BLOCK, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 10);
  tsr_requester_peer_set_reqq (peer, 600);
  tsr_requester_tick (f->requester, peer, 1000 * BLOCK, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 600);
  tsr_requester_peer_set_reqq (peer, 5000);
  tsr_requester_tick (f->requester, peer, 1000 * BLOCK, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, TSR_REQUESTER_PIPELINE_TOLD);
  /* A slow peer that told a small queue gets that much, not 32. */
  tsr_requester_peer_set_reqq (peer, 4);
  tsr_requester_tick (f->requester, peer, 0, START);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 4);
}

/* A piece begun with one peer is finished by the next before anything
 * new is started. */
static void
test_pipeline_started_first (Fixture       *f,
                             gconstpointer  unused)
{
  /* Not the last piece, whose last block is short: the picker's random
   * choice fell on it once in 64 runs, and the requests below are whole. */
  TsrRequesterPeer *one = add_conn (f, 1, 0, N_PIECES - 2);
  TsrRequesterPeer *two = add_conn (f, 2, 0, N_PIECES - 2);
  g_autofree char *first = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *log = NULL;
  guint32 index, begin;

  tsr_requester_peer_set_reqq (one, 2);
  tsr_requester_tick (f->requester, one, 0, START);
  tsr_requester_fill (f->requester, one);
  first = take_log (f);
  first_request (one, &index, &begin);
  expected = g_strdup_printf ("1: R %u 0 16384\n1: R %u 16384 16384\n", index, index);
  g_assert_cmpstr (first, ==, expected);
  g_assert_cmpuint (tsr_block_map_get_size (f->blocks), ==, 1);

  tsr_requester_fill (f->requester, two);
  log = take_log (f);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("2: R %u 32768 16384\n2: R %u 49152 16384\n", index, index);
  g_assert_true (g_str_has_prefix (log, expected));
  g_assert_cmpuint (count_lines (log, "2: R "), ==, 32);
  /* That piece, then 30 blocks: 7 pieces and half of another. */
  g_assert_cmpuint (tsr_block_map_get_size (f->blocks), ==, 9);
}

/* Rarest first, but a BEP 6 suggestion (newest first) comes before. */
static void
test_suggest_before_rarest (Fixture       *f,
                            gconstpointer  unused)
{
  TsrRequesterPeer *peer;
  g_autofree char *log = NULL;

  /* Past the random first pieces; the others make 8 the rarest. */
  we_have (f, 0, 3);
  we_have (f, 12, N_PIECES - 1);
  add_conn (f, 2, 9, 11);
  add_conn (f, 3, 9, 11);
  peer = add_conn (f, 1, 8, 11);
  tsr_requester_on_suggest (f->requester, peer, 10);
  tsr_requester_on_suggest (f->requester, peer, 11);
  tsr_requester_peer_set_reqq (peer, 12);
  tsr_requester_tick (f->requester, peer, 0, START);
  tsr_requester_fill (f->requester, peer);
  log = take_log (f);
  g_assert_cmpstr (log, ==,
                   "1: R 11 0 16384\n1: R 11 16384 16384\n1: R 11 32768 16384\n1: R 11 49152 16384\n"
                   "1: R 10 0 16384\n1: R 10 16384 16384\n1: R 10 32768 16384\n1: R 10 49152 16384\n"
                   "1: R 8 0 16384\n1: R 8 16384 16384\n1: R 8 32768 16384\n1: R 8 49152 16384\n");
}

/* In order: suggestions are not taken, nor allowed-fast pieces. */
static void
test_sequential_ignores_suggest (Fixture       *f,
                                 gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  g_autofree char *log = NULL;

  tsr_piece_picker_set_sequential (f->picker, TRUE);
  tsr_requester_set_sequential (f->requester, TRUE);
  we_have (f, 0, 1);
  tsr_requester_on_suggest (f->requester, peer, 40);
  tsr_requester_peer_set_reqq (peer, 8);
  tsr_requester_tick (f->requester, peer, 0, START);
  tsr_requester_fill (f->requester, peer);
  log = take_log (f);
  g_assert_cmpstr (log, ==,
                   "1: R 2 0 16384\n1: R 2 16384 16384\n1: R 2 32768 16384\n1: R 2 49152 16384\n"
                   "1: R 3 0 16384\n1: R 3 16384 16384\n1: R 3 32768 16384\n1: R 3 49152 16384\n");
  g_assert_false (tsr_block_map_contains (f->blocks, 40));

  /* Choked, allowed-fast pieces (anywhere) are not asked for either. */
  tsr_requester_release (f->requester, peer);
  f->conns[1].choking = TRUE;
  g_assert_true (tsr_requester_on_allowed_fast (f->requester, peer, 50));
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpstr (f->log->str, ==, "");
}

/* End game: each last block is asked of two peers, never three, and
 * never twice of the same. */
static void
test_endgame_two_copies (Fixture       *f,
                         gconstpointer  unused)
{
  TsrRequesterPeer *one, *two, *three;
  g_autofree char *log = NULL;

  we_have (f, 0, N_PIECES - 2);
  one = add_conn (f, 1, 0, N_PIECES - 1);
  two = add_conn (f, 2, 0, N_PIECES - 1);
  three = add_conn (f, 3, 0, N_PIECES - 1);
  tsr_requester_fill (f->requester, one);
  log = take_log (f);
  g_assert_cmpstr (log, ==, "1: R 63 0 16384\n1: R 63 16384 16384\n1: R 63 32768 16384\n1: R 63 49152 6384\n");
  g_assert_true (tsr_block_map_in_endgame (f->blocks));
  tsr_requester_fill (f->requester, two);
  g_clear_pointer (&log, g_free);
  log = take_log (f);
  g_assert_cmpstr (log, ==, "2: R 63 0 16384\n2: R 63 16384 16384\n2: R 63 32768 16384\n2: R 63 49152 6384\n");
  g_assert_cmpuint (tsr_block_map_get_requesters (f->blocks, 63, 3), ==, 2);
  tsr_requester_fill (f->requester, three);
  tsr_requester_fill (f->requester, two);
  tsr_requester_fill (f->requester, one);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (three), ==, 0);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (two), ==, 4);
}

/* The first copy to arrive cancels the other, which is then dropped;
 * a block asked of one peer alone cancels nothing. */
static void
test_endgame_first_copy_cancels_other (Fixture       *f,
                                       gconstpointer  unused)
{
  TsrRequesterPeer *one, *two;

  we_have (f, 0, N_PIECES - 2);
  one = add_conn (f, 1, 0, N_PIECES - 1);
  two = add_conn (f, 2, 0, N_PIECES - 1);
  tsr_requester_peer_set_reqq (one, 3);
  tsr_requester_tick (f->requester, one, 0, START);
  tsr_requester_fill (f->requester, one);
  tsr_requester_peer_set_reqq (two, 3);
  tsr_requester_tick (f->requester, two, 0, START);
  tsr_requester_fill (f->requester, two);
  /* One has blocks 0-2; two has 3 alone, then 0 and 1 as copies. */
  g_string_truncate (f->log, 0);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->blocks, 63, 0), ==, 2);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->blocks, 63, 2), ==, 1);

  g_assert_cmpint (block (f, two, 63, 0, BLOCK, START + 1), ==, TSR_BLOCK_STORED);
  g_assert_cmpstr (f->log->str, ==, "1: C 63 0 16384\n");
  g_assert_false (tsr_requester_peer_has_request (one, 63, 0));
  g_assert_cmpuint (tsr_block_map_get_requesters (f->blocks, 63, 0), ==, 0);
  /* Its copy was cancelled: when it comes anyway, it is dropped. */
  g_assert_cmpint (block (f, one, 63, 0, BLOCK, START + 1), ==, TSR_BLOCK_DROPPED);

  g_string_truncate (f->log, 0);
  g_assert_cmpint (block (f, one, 63, 2 * BLOCK, BLOCK, START + 1), ==, TSR_BLOCK_STORED);
  g_assert_cmpint (block (f, two, 63, 3 * BLOCK, 6384, START + 1), ==, TSR_BLOCK_STORED);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpint (block (f, one, 63, BLOCK, BLOCK, START + 1), ==, TSR_BLOCK_COMPLETED);
  g_assert_cmpstr (f->log->str, ==, "2: C 63 16384 16384\n");
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (one), ==, 0);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (two), ==, 0);
}

/* Choked, a peer's requests go back: the blocks are free for others. */
static void
test_choke_gives_back (Fixture       *f,
                       gconstpointer  unused)
{
  TsrRequesterPeer *one = add_conn (f, 1, 0, N_PIECES - 1);
  TsrRequesterPeer *two = add_conn (f, 2, 0, N_PIECES - 1);
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  guint32 index, begin;

  tsr_requester_fill (f->requester, one);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (one), ==, 32);
  first_request (one, &index, &begin);
  g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, 0), ==, TSR_BLOCK_REQUESTED);
  f->conns[1].choking = TRUE;
  tsr_requester_release (f->requester, one);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (one), ==, 0);
  g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, 0), ==, TSR_BLOCK_FREE);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->blocks, index, 0), ==, 0);
  /* Choked, no allowed-fast pieces: nothing asked. */
  g_string_truncate (f->log, 0);
  tsr_requester_fill (f->requester, one);
  g_assert_cmpstr (f->log->str, ==, "");
  /* Another peer takes the same 8 pieces, no new one. */
  tsr_requester_fill (f->requester, two);
  log = take_log (f);
  expected = g_strdup_printf ("2: R %u 0 16384\n", index);
  g_assert_cmpuint (count_lines (log, "2: R "), ==, 32);
  g_assert_cmpuint (tsr_block_map_get_size (f->blocks), ==, 8);
  g_assert_nonnull (strstr (log, expected));
  /* A peer that leaves gives its requests back the same way. */
  tsr_requester_remove_peer (f->requester, two);
  f->conns[2].peer = NULL;
  g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, 0), ==, TSR_BLOCK_FREE);
}

/* BEP 6: choked, a peer is asked for its allowed-fast pieces only, each
 * kept once, and none from a peer without the extension. */
static void
test_fast_while_choked (Fixture       *f,
                        gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  TsrRequesterPeer *plain = add_conn (f, 2, 0, N_PIECES - 1);
  g_autofree char *log = NULL;

  f->conns[1].choking = TRUE;
  f->conns[2].choking = TRUE;
  f->conns[2].fast = FALSE;
  we_have (f, 7, 7);
  g_assert_true (tsr_requester_on_allowed_fast (f->requester, peer, 5));
  g_assert_false (tsr_requester_on_allowed_fast (f->requester, peer, 5));
  /* One we have is kept, but never asked for. */
  g_assert_true (tsr_requester_on_allowed_fast (f->requester, peer, 7));
  g_assert_true (tsr_requester_on_allowed_fast (f->requester, peer, 9));
  g_assert_false (tsr_requester_on_allowed_fast (f->requester, plain, 5));
  tsr_requester_fill (f->requester, peer);
  log = take_log (f);
  g_assert_cmpstr (log, ==,
                   "1: R 5 0 16384\n1: R 5 16384 16384\n1: R 5 32768 16384\n1: R 5 49152 16384\n"
                   "1: R 9 0 16384\n1: R 9 16384 16384\n1: R 9 32768 16384\n1: R 9 49152 16384\n");
  tsr_requester_fill (f->requester, plain);
  g_assert_cmpstr (f->log->str, ==, "");
  /* Not interested: nothing at all. */
  tsr_requester_release (f->requester, peer);
  f->conns[1].interested = FALSE;
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpstr (f->log->str, ==, "");
}

/* BEP 6: at most TSR_REQUESTER_MAX_THEIR_FAST allowed-fast pieces are
 * kept, and the newest TSR_REQUESTER_MAX_SUGGESTED suggestions. */
static void
test_fast_bounded (Fixture       *f,
                   gconstpointer  unused)
{
  TsrRequesterPeer *peer;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint i;

  we_have (f, 0, 3);
  add_conn (f, 2, 4, N_PIECES - 1);
  add_conn (f, 3, 4, N_PIECES - 1);
  peer = add_conn (f, 1, 4, N_PIECES - 1);
  /* The others lack 30: it is the rarest. */
  for (i = 2; i <= 3; i++)
    {
      tsr_piece_picker_remove_bitfield (f->picker, f->conns[i].have);
      tsr_bitfield_set (f->conns[i].have, 30, FALSE);
      tsr_piece_picker_add_bitfield (f->picker, f->conns[i].have);
    }
  for (i = 0; i < TSR_REQUESTER_MAX_THEIR_FAST; i++)
    g_assert_true (tsr_requester_on_allowed_fast (f->requester, peer, i));
  g_assert_false (tsr_requester_on_allowed_fast (f->requester, peer, TSR_REQUESTER_MAX_THEIR_FAST));

  /* 4 first, then 5 to 20: 4 is pushed out, so after the 16 suggested
   * pieces comes the rarest, 30, not 4. */
  for (i = 4; i <= 4 + TSR_REQUESTER_MAX_SUGGESTED; i++)
    tsr_requester_on_suggest (f->requester, peer, i);
  tsr_requester_peer_set_reqq (peer, 4 * (TSR_REQUESTER_MAX_SUGGESTED + 1));
  tsr_requester_tick (f->requester, peer, 1000 * BLOCK, START);
  tsr_requester_fill (f->requester, peer);
  log = take_log (f);
  lines = g_strsplit (log, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4 * (TSR_REQUESTER_MAX_SUGGESTED + 1) + 1);
  g_assert_cmpstr (lines[0], ==, "1: R 20 0 16384");
  g_assert_cmpstr (lines[4 * (TSR_REQUESTER_MAX_SUGGESTED - 1)], ==, "1: R 5 0 16384");
  g_assert_cmpstr (lines[4 * TSR_REQUESTER_MAX_SUGGESTED], ==, "1: R 30 0 16384");
  g_assert_false (tsr_block_map_contains (f->blocks, 4));
}

/* Rejects of pieces it claims, while it unchokes us, count up to
 * TSR_REQUESTER_MAX_REFUSALS; a block resets the count; rejects while
 * choked or of what was never asked do not count. */
static void
test_reject_refusals_count (Fixture       *f,
                            gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  guint32 index, begin;
  guint i;

  tsr_requester_fill (f->requester, peer);
  g_assert_false (tsr_requester_on_reject (f->requester, peer, 0, 100));
  g_assert_cmpuint (tsr_requester_peer_get_refusals (peer), ==, 0);
  for (i = 1; i < TSR_REQUESTER_MAX_REFUSALS; i++)
    {
      first_request (peer, &index, &begin);
      g_assert_false (tsr_requester_on_reject (f->requester, peer, index, begin));
      g_assert_cmpuint (tsr_requester_peer_get_refusals (peer), ==, i);
      g_assert_false (tsr_requester_peer_has_request (peer, index, begin));
      g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, begin / BLOCK), ==, TSR_BLOCK_FREE);
      if (i == 50)
        {
          /* Choked, a reject is only the choke's consequence. */
          first_request (peer, &index, &begin);
          f->conns[1].choking = TRUE;
          g_assert_false (tsr_requester_on_reject (f->requester, peer, index, begin));
          g_assert_cmpuint (tsr_requester_peer_get_refusals (peer), ==, i);
          f->conns[1].choking = FALSE;
        }
      tsr_requester_fill (f->requester, peer);
    }
  first_request (peer, &index, &begin);
  g_assert_true (tsr_requester_on_reject (f->requester, peer, index, begin));
  g_assert_cmpuint (tsr_requester_peer_get_refusals (peer), ==, TSR_REQUESTER_MAX_REFUSALS);

  /* A block sent starts the count afresh. */
  tsr_requester_fill (f->requester, peer);
  first_request (peer, &index, &begin);
  g_assert_cmpint (block (f, peer, index, begin, BLOCK, START), ==, TSR_BLOCK_STORED);
  g_assert_cmpuint (tsr_requester_peer_get_refusals (peer), ==, 0);
}

/* Unchoked, asked, and nothing for a minute: snubbed, its requests go
 * back, and it keeps one at a time until a block comes. */
static void
test_snub_one_request (Fixture       *f,
                       gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  guint32 index, begin;

  tsr_requester_fill (f->requester, peer);
  g_string_truncate (f->log, 0);
  tsr_requester_tick (f->requester, peer, 0, START + TSR_REQUESTER_SNUB_SECONDS - 1);
  g_assert_false (tsr_requester_peer_is_snubbed (peer));
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 32);
  /* Choked, it is not snubbing us. */
  f->conns[1].choking = TRUE;
  tsr_requester_tick (f->requester, peer, 0, START + TSR_REQUESTER_SNUB_SECONDS);
  g_assert_false (tsr_requester_peer_is_snubbed (peer));
  f->conns[1].choking = FALSE;
  tsr_requester_tick (f->requester, peer, 0, START + TSR_REQUESTER_SNUB_SECONDS);
  g_assert_true (tsr_requester_peer_is_snubbed (peer));
  g_assert_cmpstr (f->log->str, ==, "1: snubbed\n");
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 0);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 1);
  g_string_truncate (f->log, 0);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 1);
  /* Told once only. */
  tsr_requester_tick (f->requester, peer, 0, START + 2 * TSR_REQUESTER_SNUB_SECONDS);
  g_assert_cmpuint (count_lines (f->log->str, "1: snubbed"), ==, 0);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 1);
  /* A block wakes it. */
  first_request (peer, &index, &begin);
  g_assert_cmpint (block (f, peer, index, begin, BLOCK, START + 150), ==, TSR_BLOCK_STORED);
  g_assert_false (tsr_requester_peer_is_snubbed (peer));
  g_assert_cmpint (tsr_requester_peer_get_last_block (peer), ==, START + 150);
  tsr_requester_tick (f->requester, peer, 0, START + 151);
  g_assert_cmpuint (tsr_requester_peer_get_pipeline (peer), ==, 32);
  /* Its unchoke restarts the clock too. */
  tsr_requester_unchoked (f->requester, peer, START + 400);
  g_assert_cmpint (tsr_requester_peer_get_last_block (peer), ==, START + 400);
}

/* A block nobody asked for is dropped: nothing stored, nothing reset. */
static void
test_block_unasked_dropped (Fixture       *f,
                            gconstpointer  unused)
{
  TsrRequesterPeer *one = add_conn (f, 1, 0, N_PIECES - 1);
  TsrRequesterPeer *two = add_conn (f, 2, 0, N_PIECES - 1);
  guint32 index, begin;

  tsr_requester_fill (f->requester, one);
  first_request (one, &index, &begin);
  /* Asked of one, sent by two. */
  g_assert_cmpint (block (f, two, index, begin, BLOCK, START + 5), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, begin / BLOCK), ==, TSR_BLOCK_REQUESTED);
  g_assert_cmpint (tsr_requester_peer_get_last_block (two), ==, START);
  g_assert_true (tsr_requester_peer_has_request (one, index, begin));
  /* A piece not in progress at all. */
  for (index = 0; tsr_block_map_contains (f->blocks, index); index++)
    ;
  g_assert_cmpint (block (f, one, index, 0, BLOCK, START + 5), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_requester_peer_get_last_block (one), ==, START);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (one), ==, 32);
  g_assert_cmpstr (strstr (f->log->str, "C "), ==, NULL);
}

/* The same block twice: the second is dropped. */
static void
test_block_duplicate_dropped (Fixture       *f,
                              gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  guint32 index, begin;
  guint counts[3];

  tsr_requester_fill (f->requester, peer);
  first_request (peer, &index, &begin);
  g_assert_cmpint (block (f, peer, index, begin, BLOCK, START + 1), ==, TSR_BLOCK_STORED);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 31);
  g_assert_cmpint (block (f, peer, index, begin, BLOCK, START + 2), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_requester_peer_get_last_block (peer), ==, START + 1);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 31);
  tsr_block_map_count (f->blocks, index, counts);
  g_assert_cmpuint (counts[TSR_BLOCK_RECEIVED], ==, 1);
}

/* A misaligned block matches no request; one of the wrong length is
 * dropped by the block map, and its block asked again later. */
static void
test_block_misaligned_dropped (Fixture       *f,
                               gconstpointer  unused)
{
  TsrRequesterPeer *peer = add_conn (f, 1, 0, N_PIECES - 1);
  g_autofree char *expected = NULL;
  guint32 index, begin;
  guint counts[3];

  tsr_requester_fill (f->requester, peer);
  first_request (peer, &index, &begin);
  g_assert_cmpint (block (f, peer, index, begin + 100, BLOCK, START + 1), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 32);
  g_assert_cmpint (block (f, peer, index, begin, BLOCK - 1, START + 1), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 31);
  g_assert_cmpint (tsr_block_map_get_state (f->blocks, index, begin / BLOCK), ==, TSR_BLOCK_FREE);
  tsr_block_map_count (f->blocks, index, counts);
  g_assert_cmpuint (counts[TSR_BLOCK_RECEIVED], ==, 0);
  g_string_truncate (f->log, 0);
  tsr_requester_fill (f->requester, peer);
  expected = g_strdup_printf ("1: R %u %u 16384\n", index, begin);
  g_assert_cmpstr (f->log->str, ==, expected);
}

/* Past the memory budget no piece is started: those begun are finished;
 * a piece written makes room. */
static void
test_budget_stops_new_pieces (Fixture       *f,
                              gconstpointer  unused)
{
  TsrRequesterPeer *peer;
  TsrBlockMapIter iter;
  g_autoptr(GBytes) bytes = NULL;
  guint index;
  guint b;

  tsr_block_map_free (f->blocks);
  f->blocks = tsr_block_map_new (f->info, f->picker, 3 * PIECE_LENGTH);
  tsr_requester_set_pieces (f->requester, f->blocks, f->picker, f->smart_ban, N_PIECES);
  peer = add_conn (f, 1, 0, N_PIECES - 1);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (tsr_block_map_get_size (f->blocks), ==, 3);
  g_assert_cmpuint (tsr_requester_peer_get_n_requests (peer), ==, 12);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 12);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 12);

  tsr_block_map_iter_init (&iter, f->blocks);
  g_assert_true (tsr_block_map_iter_next (&iter, &index));
  for (b = 0; b < 4; b++)
    g_assert_cmpint (block (f, peer, index, b * BLOCK, tsr_block_map_get_block_length (f->blocks, index, b),
                            START + 1), !=, TSR_BLOCK_DROPPED);
  /* Being written, it still counts against the budget. */
  bytes = tsr_block_map_take_complete (f->blocks, index);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 12);
  tsr_block_map_written (f->blocks, index, TRUE);
  tsr_bitfield_set (f->ours, index, TRUE);
  tsr_piece_picker_set_have (f->picker, index, TRUE);
  tsr_requester_fill (f->requester, peer);
  g_assert_cmpuint (count_lines (f->log->str, "1: R "), ==, 16);
  g_assert_cmpuint (tsr_block_map_get_size (f->blocks), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/requester/pipeline/depth-follows-rate", test_pipeline_depth_follows_rate);
  ADD ("/requester/pipeline/started-first", test_pipeline_started_first);
  ADD ("/requester/suggest-before-rarest", test_suggest_before_rarest);
  ADD ("/requester/sequential-ignores-suggest", test_sequential_ignores_suggest);
  ADD ("/requester/endgame/two-copies", test_endgame_two_copies);
  ADD ("/requester/endgame/first-copy-cancels-other", test_endgame_first_copy_cancels_other);
  ADD ("/requester/choke-gives-back", test_choke_gives_back);
  ADD ("/requester/fast/while-choked", test_fast_while_choked);
  ADD ("/requester/fast/bounded", test_fast_bounded);
  ADD ("/requester/reject/refusals-count", test_reject_refusals_count);
  ADD ("/requester/snub/one-request", test_snub_one_request);
  ADD ("/requester/block/unasked-dropped", test_block_unasked_dropped);
  ADD ("/requester/block/duplicate-dropped", test_block_duplicate_dropped);
  ADD ("/requester/block/misaligned-dropped", test_block_misaligned_dropped);
  ADD ("/requester/budget-stops-new-pieces", test_budget_stops_new_pieces);
#undef ADD
  return g_test_run ();
}
