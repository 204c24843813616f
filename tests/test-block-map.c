/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-block-map.c: the pieces in progress, without peers or sockets:
 * requester counts and free blocks, blocks put until the piece is whole,
 * what is dropped (duplicate, misaligned, wrong length, unknown piece,
 * while writing), a failed hash starting the piece afresh, a web seed's
 * reservation, the memory budget, the end game, and the picker's "in
 * progress" marks kept in step.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-block-map.h"
#include "tsr-test-util.h"
#include "tsr-wire.h"

#define PIECE_LENGTH (4 * TSR_WIRE_BLOCK_SIZE)

typedef struct
{
  char           *dir;
  TsrMetainfo    *info;      /* 3 pieces: 64 KiB, 64 KiB, 20000 bytes */
  TsrPiecePicker *picker;
  TsrBlockMap    *map;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;

  f->dir = g_dir_make_tmp ("tsr-block-map-XXXXXX", NULL);
  root = g_build_filename (f->dir, "data", NULL);
  tsr_test_write_file (root, "a.bin", 2 * PIECE_LENGTH + 20000, 1);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, ==, 3);
  f->picker = tsr_piece_picker_new (f->info->piece_count);
  /* Room for two whole pieces. */
  f->map = tsr_block_map_new (f->info, f->picker, 2 * PIECE_LENGTH);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  unused)
{
  tsr_block_map_free (f->map);
  tsr_piece_picker_free (f->picker);
  tsr_metainfo_unref (f->info);
  tsr_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* A peer that has every piece: what the picker would start next. */
static gboolean
pick (Fixture *f,
      guint   *index)
{
  g_autoptr(TsrBitfield) all = tsr_bitfield_new (f->info->piece_count);

  tsr_bitfield_set_all (all, TRUE);
  return tsr_piece_picker_pick (f->picker, all, index);
}

static void
test_request_count (Fixture       *f,
                    gconstpointer  unused)
{
  tsr_block_map_start (f->map, 0);
  g_assert_cmpuint (tsr_block_map_get_n_blocks (f->map, 0), ==, 4);
  g_assert_cmpuint (tsr_block_map_next_free (f->map, 0), ==, 0);
  tsr_block_map_asked (f->map, 0, 0);
  tsr_block_map_asked (f->map, 0, 1);
  tsr_block_map_asked (f->map, 0, 1);
  g_assert_cmpuint (tsr_block_map_next_free (f->map, 0), ==, 2);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->map, 0, 1), ==, 2);
  /* One of two requests gone: still asked of the other peer. */
  tsr_block_map_unasked (f->map, 0, 1);
  g_assert_cmpint (tsr_block_map_get_state (f->map, 0, 1), ==, TSR_BLOCK_REQUESTED);
  tsr_block_map_unasked (f->map, 0, 1);
  g_assert_cmpint (tsr_block_map_get_state (f->map, 0, 1), ==, TSR_BLOCK_FREE);
  /* The hint moves back to the block given back. */
  g_assert_cmpuint (tsr_block_map_next_free (f->map, 0), ==, 1);
  /* More "unasked" than asked never underflows. */
  tsr_block_map_unasked (f->map, 0, 1);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->map, 0, 1), ==, 0);
}

static void
test_put_complete (Fixture       *f,
                   gconstpointer  unused)
{
  g_autofree guint8 *block = g_malloc (TSR_WIRE_BLOCK_SIZE);
  g_autoptr(GBytes) piece = NULL;
  guint b;

  tsr_block_map_start (f->map, 2);
  /* The last piece: 20000 bytes, a short second block. */
  g_assert_cmpuint (tsr_block_map_get_n_blocks (f->map, 2), ==, 2);
  g_assert_cmpuint (tsr_block_map_get_block_length (f->map, 2, 1), ==, 20000 - TSR_WIRE_BLOCK_SIZE);
  for (b = 0; b < 2; b++)
    {
      gsize length = tsr_block_map_get_block_length (f->map, 2, b);

      memset (block, 'a' + b, length);
      tsr_block_map_asked (f->map, 2, b);
      g_assert_cmpint (tsr_block_map_put (f->map, 2, b * TSR_WIRE_BLOCK_SIZE, block, length), ==,
                       b == 0 ? TSR_BLOCK_STORED : TSR_BLOCK_COMPLETED);
    }
  g_assert_cmpfloat (tsr_block_map_get_fraction (f->map, 2), ==, 1.0f);
  piece = tsr_block_map_take_complete (f->map, 2);
  g_assert_cmpuint (g_bytes_get_size (piece), ==, 20000);
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (piece, NULL))[0], ==, 'a');
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (piece, NULL))[19999], ==, 'b');
  g_assert_true (tsr_block_map_is_writing (f->map, 2));
  g_assert_true (tsr_block_map_is_busy (f->map, 2));
  /* Passed: it leaves the map and may be picked by nobody (the torrent
   * marks it had), until then it is no longer in progress. */
  tsr_block_map_written (f->map, 2, TRUE);
  g_assert_false (tsr_block_map_contains (f->map, 2));
  g_assert_cmpuint (tsr_block_map_get_size (f->map), ==, 0);
}

static void
test_dropped (Fixture       *f,
              gconstpointer  unused)
{
  g_autofree guint8 *block = g_malloc0 (TSR_WIRE_BLOCK_SIZE);
  guint counts[3];

  g_assert_cmpint (tsr_block_map_put (f->map, 0, 0, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_DROPPED);
  tsr_block_map_start (f->map, 0);
  g_assert_cmpint (tsr_block_map_put (f->map, 0, 100, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_block_map_put (f->map, 0, 0, block, 100), ==, TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_block_map_put (f->map, 0, 4 * TSR_WIRE_BLOCK_SIZE, block, TSR_WIRE_BLOCK_SIZE), ==,
                   TSR_BLOCK_DROPPED);
  g_assert_cmpint (tsr_block_map_put (f->map, 0, 0, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_STORED);
  g_assert_cmpint (tsr_block_map_put (f->map, 0, 0, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_DROPPED);
  tsr_block_map_count (f->map, 0, counts);
  g_assert_cmpuint (counts[TSR_BLOCK_FREE], ==, 3);
  g_assert_cmpuint (counts[TSR_BLOCK_RECEIVED], ==, 1);
  g_assert_cmpfloat (tsr_block_map_get_fraction (f->map, 0), ==, 0.25f);
}

static void
test_hash_fail_resets (Fixture       *f,
                       gconstpointer  unused)
{
  g_autofree guint8 *block = g_malloc0 (TSR_WIRE_BLOCK_SIZE);
  g_autoptr(GBytes) piece = NULL;
  guint b;
  guint index;

  tsr_block_map_start (f->map, 1);
  for (b = 0; b < 4; b++)
    {
      tsr_block_map_asked (f->map, 1, b);
      tsr_block_map_put (f->map, 1, b * TSR_WIRE_BLOCK_SIZE, block, TSR_WIRE_BLOCK_SIZE);
    }
  piece = tsr_block_map_take_complete (f->map, 1);
  /* Blocks arriving while it is checked are dropped. */
  g_assert_cmpint (tsr_block_map_put (f->map, 1, 0, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_DROPPED);
  tsr_block_map_written (f->map, 1, FALSE);
  g_assert_true (tsr_block_map_contains (f->map, 1));
  g_assert_false (tsr_block_map_is_busy (f->map, 1));
  g_assert_cmpuint (tsr_block_map_next_free (f->map, 1), ==, 0);
  g_assert_cmpuint (tsr_block_map_get_requesters (f->map, 1, 3), ==, 0);
  g_assert_cmpfloat (tsr_block_map_get_fraction (f->map, 1), ==, 0.0f);
  /* Still in progress for the picker: not started twice. */
  g_assert_true (pick (f, &index));
  g_assert_cmpuint (index, !=, 1);
  /* And a fresh buffer to fill. */
  g_assert_cmpint (tsr_block_map_put (f->map, 1, 0, block, TSR_WIRE_BLOCK_SIZE), ==, TSR_BLOCK_STORED);
}

static void
test_reserve (Fixture       *f,
              gconstpointer  unused)
{
  static const char web[] = "web seed";
  g_autoptr(GBytes) wrong = g_bytes_new_static (web, sizeof web);
  g_autofree guint8 *data = g_malloc (PIECE_LENGTH);
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GBytes) piece = NULL;

  memset (data, 'w', PIECE_LENGTH);
  whole = g_bytes_new_take (g_steal_pointer (&data), PIECE_LENGTH);
  tsr_block_map_start (f->map, 0);
  tsr_block_map_reserve (f->map, 0, web);
  g_assert_true (tsr_block_map_get_reserved (f->map, 0) == web);
  g_assert_true (tsr_block_map_is_busy (f->map, 0));
  /* Peers find nothing free in it. */
  g_assert_cmpuint (tsr_block_map_next_free (f->map, 0), ==, 4);
  g_assert_false (tsr_block_map_put_whole (f->map, 0, wrong));
  g_assert_true (tsr_block_map_put_whole (f->map, 0, whole));
  piece = tsr_block_map_take_complete (f->map, 0);
  g_assert_true (g_bytes_equal (piece, whole));
  /* Failed: unreserved, for the peers to fetch. */
  tsr_block_map_written (f->map, 0, FALSE);
  g_assert_null (tsr_block_map_get_reserved (f->map, 0));
  g_assert_false (tsr_block_map_is_busy (f->map, 0));
  tsr_block_map_drop (f->map, 0);
  g_assert_false (tsr_block_map_contains (f->map, 0));
}

static void
test_budget_and_endgame (Fixture       *f,
                         gconstpointer  unused)
{
  guint index;

  g_assert_true (tsr_block_map_may_start_more (f->map));
  g_assert_false (tsr_block_map_in_endgame (f->map));
  g_assert_true (pick (f, &index));
  tsr_block_map_start (f->map, index);
  g_assert_true (tsr_block_map_may_start_more (f->map));
  g_assert_true (pick (f, &index));
  tsr_block_map_start (f->map, index);
  /* Two whole pieces fill the budget of this map. */
  g_assert_false (tsr_block_map_may_start_more (f->map));
  g_assert_false (tsr_block_map_in_endgame (f->map));
  g_assert_true (pick (f, &index));
  tsr_block_map_start (f->map, index);
  /* Every wanted piece started: the end game. */
  g_assert_true (tsr_block_map_in_endgame (f->map));
  g_assert_false (pick (f, &index));
  /* Stopping gives them all back to the picker. */
  tsr_block_map_clear (f->map);
  g_assert_cmpuint (tsr_block_map_get_size (f->map), ==, 0);
  g_assert_true (pick (f, &index));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/block-map/request-count", test_request_count);
  ADD ("/block-map/put-complete", test_put_complete);
  ADD ("/block-map/dropped", test_dropped);
  ADD ("/block-map/hash-fail-resets", test_hash_fail_resets);
  ADD ("/block-map/reserve", test_reserve);
  ADD ("/block-map/budget-and-endgame", test_budget_and_endgame);
#undef ADD
  return g_test_run ();
}
