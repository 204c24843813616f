/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-pieces.c: TsrTorrentPieces against a fake owner that logs
 * what it hears, without sockets or disk: a written piece becomes had and
 * is reported once; a failed one strikes its senders through the smart
 * ban, or is left to a web seed that answers for it; file priorities
 * change what is wanted; a check's result replaces "have"; stopping
 * drops the pieces in progress.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-torrent-pieces.h"

/* Two files, 40000 and 30000 bytes, in 16 KiB pieces: five pieces, the
 * third shared by both files, the last 4464 bytes long. */
#define PIECE 16384
#define TOTAL 70000

typedef struct
{
  char             *dir;
  TsrMetainfo      *info;
  TsrTorrentPieces *pieces;
  GString          *log;          /* the owner's callbacks, one line each */
  gboolean          web_answers;  /* hash_failed returns this */
} Fixture;

static void
on_verified (guint    index,
             gpointer user_data)
{
  Fixture *f = user_data;

  /* Had before the owner hears of it. */
  g_assert_true (tsr_bitfield_get (tsr_torrent_pieces_get_have (f->pieces), index));
  g_string_append_printf (f->log, "verified %u\n", index);
}

static gboolean
on_hash_failed (guint    index,
                gpointer user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "hash-failed %u\n", index);
  return f->web_answers;
}

static void
on_ban (const TsrPeerAddress *address,
        const char           *reason,
        gpointer              user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  g_assert_nonnull (reason);
  g_string_append_printf (f->log, "ban %s\n", text);
}

static const TsrTorrentPiecesFuncs funcs = {
  .verified = on_verified,
  .hash_failed = on_hash_failed,
  .ban = on_ban,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-torrent-pieces-XXXXXX", NULL);
  root = g_build_filename (f->dir, "pack", NULL);
  f->info = tsr_test_make_pack (root);
  g_assert_cmpuint (f->info->n_files, ==, 2);
  f->pieces = tsr_torrent_pieces_new (f->info, 4 * 1024 * 1024, FALSE, &funcs, f);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_torrent_pieces_free (f->pieces);
  tsr_metainfo_unref (f->info);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
  g_string_free (f->log, TRUE);
}

static TsrPeerAddress
address (const char *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

/* Puts every block of piece @index into the block map, zeros. */
static void
fill_piece (Fixture *f,
            guint    index)
{
  TsrBlockMap *blocks = tsr_torrent_pieces_get_blocks (f->pieces);
  guint32 size = (guint32) tsr_metainfo_get_piece_size (f->info, index);
  g_autofree guint8 *zeros = g_malloc0 (PIECE);
  guint32 begin;

  tsr_block_map_start (blocks, index);
  for (begin = 0; begin < size; begin += 16384)
    tsr_block_map_put (blocks, index, begin, zeros, MIN (16384, size - begin));
}

/* Neither the block map nor the smart ban exists before someone asks:
 * stopping without them is fine, and the first ask makes each once. */
static void
test_parts_made_at_first_need (Fixture       *f,
                               gconstpointer  data)
{
  TsrBlockMap *blocks;
  TsrSmartBan *smart_ban;

  g_assert_null (tsr_torrent_pieces_peek_blocks (f->pieces));
  g_assert_null (tsr_torrent_pieces_peek_smart_ban (f->pieces));
  tsr_torrent_pieces_stop (f->pieces);
  g_assert_null (tsr_torrent_pieces_peek_blocks (f->pieces));
  blocks = tsr_torrent_pieces_get_blocks (f->pieces);
  smart_ban = tsr_torrent_pieces_get_smart_ban (f->pieces);
  g_assert_nonnull (blocks);
  g_assert_nonnull (smart_ban);
  g_assert_true (tsr_torrent_pieces_peek_blocks (f->pieces) == blocks);
  g_assert_true (tsr_torrent_pieces_get_blocks (f->pieces) == blocks);
  g_assert_true (tsr_torrent_pieces_get_smart_ban (f->pieces) == smart_ban);
}

static void
test_written_is_had (Fixture       *f,
                     gconstpointer  data)
{
  TsrBitfield *have = tsr_torrent_pieces_get_have (f->pieces);

  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 5);
  g_assert_cmpuint (tsr_torrent_pieces_get_bytes_have (f->pieces), ==, 0);
  fill_piece (f, 1);
  g_assert_true (tsr_block_map_contains (tsr_torrent_pieces_get_blocks (f->pieces), 1));
  tsr_torrent_pieces_written (f->pieces, 1, TRUE);
  g_assert_cmpstr (f->log->str, ==, "verified 1\n");
  g_assert_true (tsr_bitfield_get (have, 1));
  g_assert_cmpuint (tsr_bitfield_count (have), ==, 1);
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 4);
  g_assert_false (tsr_block_map_contains (tsr_torrent_pieces_get_blocks (f->pieces), 1));
  g_assert_cmpuint (tsr_torrent_pieces_get_bytes_have (f->pieces), ==, PIECE);
  /* The short last piece counts its own length. */
  tsr_torrent_pieces_written (f->pieces, 4, TRUE);
  g_assert_cmpstr (f->log->str, ==, "verified 1\nverified 4\n");
  g_assert_cmpuint (tsr_torrent_pieces_get_bytes_have (f->pieces), ==, PIECE + (TOTAL - 4 * PIECE));
}

static void
test_failed_strikes_senders (Fixture       *f,
                             gconstpointer  data)
{
  TsrSmartBan *smart_ban = tsr_torrent_pieces_get_smart_ban (f->pieces);
  TsrBlockMap *blocks = tsr_torrent_pieces_get_blocks (f->pieces);
  TsrPeerAddress liar = address ("192.0.2.1:6881");

  fill_piece (f, 2);
  g_assert_cmpfloat (tsr_block_map_get_fraction (blocks, 2), ==, 1.0f);
  tsr_smart_ban_sent (smart_ban, 2, &liar);
  tsr_torrent_pieces_written (f->pieces, 2, FALSE);
  /* One sender alone answers for the piece: banned at once. */
  g_assert_cmpstr (f->log->str, ==, "hash-failed 2\nban 192.0.2.1:6881\n");
  g_assert_false (tsr_bitfield_get (tsr_torrent_pieces_get_have (f->pieces), 2));
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 5);
  /* Fetched again from scratch. */
  g_assert_cmpfloat (tsr_block_map_get_fraction (blocks, 2), ==, 0.0f);
}

static void
test_failed_web_seed_answers (Fixture       *f,
                              gconstpointer  data)
{
  TsrSmartBan *smart_ban = tsr_torrent_pieces_get_smart_ban (f->pieces);
  TsrBlockMap *blocks = tsr_torrent_pieces_get_blocks (f->pieces);
  TsrPeerAddress peer = address ("192.0.2.2:6881");

  f->web_answers = TRUE;
  fill_piece (f, 0);
  tsr_smart_ban_sent (smart_ban, 0, &peer);
  tsr_torrent_pieces_written (f->pieces, 0, FALSE);
  /* The owner's web seed answers: no peer is blamed, nothing reset. */
  g_assert_cmpstr (f->log->str, ==, "hash-failed 0\n");
  g_assert_cmpuint (tsr_smart_ban_get_strikes (smart_ban, &peer), ==, 0);
  g_assert_cmpfloat (tsr_block_map_get_fraction (blocks, 0), ==, 1.0f);
}

static void
test_skip_removes_wants (Fixture       *f,
                         gconstpointer  data)
{
  g_assert_cmpint (tsr_torrent_pieces_get_file_priority (f->pieces, 1), ==, TSR_PRIORITY_NORMAL);
  g_assert_false (tsr_torrent_pieces_set_file_priority (f->pieces, 1, TSR_PRIORITY_NORMAL));
  g_assert_true (tsr_torrent_pieces_set_file_priority (f->pieces, 1, TSR_PRIORITY_SKIP));
  g_assert_cmpint (tsr_torrent_pieces_get_file_priority (f->pieces, 1), ==, TSR_PRIORITY_SKIP);
  /* Pieces 3 and 4 are the second file's alone; 2 is shared and stays. */
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 3);
  g_assert_cmpint (tsr_piece_picker_get_priority (tsr_torrent_pieces_get_picker (f->pieces), 4), ==,
                   TSR_PRIORITY_SKIP);
  g_assert_cmpint (tsr_piece_picker_get_priority (tsr_torrent_pieces_get_picker (f->pieces), 2), !=,
                   TSR_PRIORITY_SKIP);
  g_assert_true (tsr_torrent_pieces_set_file_priority (f->pieces, 1, TSR_PRIORITY_HIGH));
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 5);
}

/* First and last pieces first, at once and through later file choices:
 * a.bin is pieces 0-2, b.bin 2-4. */
static void
test_first_last (Fixture       *f,
                 gconstpointer  data)
{
  TsrPiecePicker *picker = tsr_torrent_pieces_get_picker (f->pieces);

  tsr_torrent_pieces_set_first_last (f->pieces, TRUE);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 0), ==, TSR_PRIORITY_HIGH);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 1), ==, TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 2), ==, TSR_PRIORITY_HIGH);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 4), ==, TSR_PRIORITY_HIGH);
  /* b.bin skipped: its last piece with it; a.bin's edges stay. */
  g_assert_true (tsr_torrent_pieces_set_file_priority (f->pieces, 1, TSR_PRIORITY_SKIP));
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 4), ==, TSR_PRIORITY_SKIP);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 2), ==, TSR_PRIORITY_HIGH);
  tsr_torrent_pieces_set_first_last (f->pieces, FALSE);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 0), ==, TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 2), ==, TSR_PRIORITY_NORMAL);
}

static void
test_magnet_selects_files (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("magnet:?xt=urn:btih:%s&so=0", "0123456789abcdef0123456789abcdef01234567");
  g_autoptr(GError) error = NULL;
  TsrMagnet *magnet = tsr_magnet_parse (uri, &error);

  g_assert_no_error (error);
  tsr_torrent_pieces_select_files (f->pieces, magnet);
  g_assert_cmpint (tsr_torrent_pieces_get_file_priority (f->pieces, 0), ==, TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_torrent_pieces_get_file_priority (f->pieces, 1), ==, TSR_PRIORITY_SKIP);
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 3);
  tsr_magnet_free (magnet);
}

static void
test_load_have_replaces (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(TsrBitfield) checked = tsr_bitfield_new (5);
  TsrBitfield *have = tsr_torrent_pieces_get_have (f->pieces);

  tsr_torrent_pieces_written (f->pieces, 0, TRUE);
  tsr_bitfield_set (checked, 3, TRUE);
  tsr_bitfield_set (checked, 4, TRUE);
  tsr_torrent_pieces_load_have (f->pieces, checked);
  /* The check is the whole truth: piece 0 is gone, the pointer stays. */
  g_assert_true (tsr_torrent_pieces_get_have (f->pieces) == have);
  g_assert_false (tsr_bitfield_get (have, 0));
  g_assert_true (tsr_bitfield_get (have, 3));
  g_assert_cmpuint (tsr_bitfield_count (have), ==, 2);
  tsr_torrent_pieces_known (f->pieces);
  g_assert_cmpuint (tsr_torrent_pieces_count_wanted (f->pieces), ==, 3);
  g_assert_cmpuint (tsr_torrent_pieces_get_bytes_have (f->pieces), ==, PIECE + (TOTAL - 4 * PIECE));
  /* Only written pieces are reported. */
  g_assert_cmpstr (f->log->str, ==, "verified 0\n");
}

static void
test_stop_drops_progress (Fixture       *f,
                          gconstpointer  data)
{
  TsrSmartBan *smart_ban = tsr_torrent_pieces_get_smart_ban (f->pieces);
  TsrPeerAddress a = address ("192.0.2.3:6881");
  TsrPeerAddress b = address ("192.0.2.4:6881");

  fill_piece (f, 1);
  tsr_smart_ban_sent (smart_ban, 1, &a);
  tsr_smart_ban_sent (smart_ban, 1, &b);
  tsr_torrent_pieces_written (f->pieces, 1, FALSE);
  /* Two senders: a strike each, nobody banned yet. */
  g_assert_cmpstr (f->log->str, ==, "hash-failed 1\n");
  g_assert_cmpuint (tsr_smart_ban_get_strikes (smart_ban, &a), ==, 1);
  fill_piece (f, 0);
  tsr_torrent_pieces_stop (f->pieces);
  g_assert_cmpuint (tsr_block_map_get_size (tsr_torrent_pieces_get_blocks (f->pieces)), ==, 0);
  /* Strikes outlive a stop. */
  g_assert_cmpuint (tsr_smart_ban_get_strikes (smart_ban, &a), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/torrent-pieces/parts-made-at-first-need", Fixture, NULL, fixture_set_up,
              test_parts_made_at_first_need, fixture_tear_down);
  g_test_add ("/torrent-pieces/written/is-had", Fixture, NULL, fixture_set_up, test_written_is_had,
              fixture_tear_down);
  g_test_add ("/torrent-pieces/failed/strikes-senders", Fixture, NULL, fixture_set_up, test_failed_strikes_senders,
              fixture_tear_down);
  g_test_add ("/torrent-pieces/failed/web-seed-answers", Fixture, NULL, fixture_set_up,
              test_failed_web_seed_answers, fixture_tear_down);
  g_test_add ("/torrent-pieces/priority/skip-removes-wants", Fixture, NULL, fixture_set_up, test_skip_removes_wants,
              fixture_tear_down);
  g_test_add ("/torrent-pieces/priority/first-last", Fixture, NULL, fixture_set_up, test_first_last,
              fixture_tear_down);
  g_test_add ("/torrent-pieces/priority/magnet-selects-files", Fixture, NULL, fixture_set_up,
              test_magnet_selects_files, fixture_tear_down);
  g_test_add ("/torrent-pieces/have/load-replaces", Fixture, NULL, fixture_set_up, test_load_have_replaces,
              fixture_tear_down);
  g_test_add ("/torrent-pieces/stop/drops-progress", Fixture, NULL, fixture_set_up, test_stop_drops_progress,
              fixture_tear_down);
  return g_test_run ();
}
