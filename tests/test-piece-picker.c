/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-piece-picker.c: rarest first with random ties, random first
 * pieces, priorities, sequential mode, and availability kept right
 * through thousands of random joins, haves and departures (checked
 * against a plain count).
 */
#include "config.h"

#include <glib.h>

#include "tsr-piece-picker.h"
#include "tsr-test-util.h"

static TsrBitfield *
bits (guint        n,
      const char  *pattern)
{
  TsrBitfield *field = tsr_bitfield_new (n);
  guint i;

  for (i = 0; i < n && pattern[i] != '\0'; i++)
    tsr_bitfield_set (field, i, pattern[i] == '1');
  return field;
}

static void
test_rarest_first (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (10);
  g_autoptr(TsrBitfield) all = bits (10, "1111111111");
  g_autoptr(TsrBitfield) most = bits (10, "1111111100");
  g_autoptr(TsrBitfield) some = bits (10, "1111110000");
  gboolean seen8 = FALSE, seen9 = FALSE;
  guint index = 0;
  guint i;

  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_add_bitfield (picker, most);
  tsr_piece_picker_add_bitfield (picker, some);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 0), ==, 3);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 7), ==, 2);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 9), ==, 1);
  /* Past the random first pieces. */
  for (i = 0; i < TSR_PIECE_PICKER_RANDOM_FIRST; i++)
    tsr_piece_picker_set_have (picker, i, TRUE);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 10 - TSR_PIECE_PICKER_RANDOM_FIRST);

  /* The rarest two, each of them sometimes. */
  for (i = 0; i < 200; i++)
    {
      g_assert_true (tsr_piece_picker_pick (picker, all, &index));
      g_assert_true (index == 8 || index == 9);
      seen8 |= index == 8;
      seen9 |= index == 9;
    }
  g_assert_true (seen8 && seen9);

  /* In progress: the next bucket. A peer without them: its rarest. */
  tsr_piece_picker_set_in_progress (picker, 8, TRUE);
  tsr_piece_picker_set_in_progress (picker, 9, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_true (index == 6 || index == 7);
  g_assert_true (tsr_piece_picker_pick (picker, some, &index));
  g_assert_true (index == 4 || index == 5);

  /* A have makes 6 as common as 4 and 5; 7 stays the rarest. */
  tsr_piece_picker_add_have (picker, 6);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 6), ==, 3);
  for (i = 0; i < 50; i++)
    {
      g_assert_true (tsr_piece_picker_pick (picker, all, &index));
      g_assert_cmpuint (index, ==, 7);
    }
  /* The best-stocked peer leaves: 8 and 9 are nowhere now. */
  tsr_piece_picker_remove_bitfield (picker, all);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 9), ==, 0);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 6), ==, 2);
  tsr_piece_picker_set_in_progress (picker, 8, FALSE);
  g_assert_true (tsr_piece_picker_pick (picker, most, &index));
  g_assert_true (index == 6 || index == 7);

  /* Nothing left that this peer has. */
  for (i = 4; i < 10; i++)
    tsr_piece_picker_set_have (picker, i, TRUE);
  g_assert_false (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 0);
}

static void
test_random_first (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (64);
  g_autoptr(TsrBitfield) all = tsr_bitfield_new (64);
  g_autoptr(TsrBitfield) rare = tsr_bitfield_new (64);
  guint picked[64] = { 0 };
  guint distinct = 0;
  guint index = 0;
  guint i;

  tsr_bitfield_set_all (all, TRUE);
  tsr_bitfield_set_all (rare, TRUE);
  tsr_bitfield_set (rare, 5, FALSE);
  /* Piece 5 is the rarest, but nothing is here yet: any piece goes. */
  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_add_bitfield (picker, rare);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 5), ==, 1);
  for (i = 0; i < 400; i++)
    {
      g_assert_true (tsr_piece_picker_pick (picker, all, &index));
      g_assert_cmpuint (index, <, 64);
      picked[index]++;
    }
  for (i = 0; i < 64; i++)
    distinct += picked[i] > 0;
  g_assert_cmpuint (distinct, >, 20);

  /* With a few pieces here, rarest first takes over. */
  for (i = 0; i < TSR_PIECE_PICKER_RANDOM_FIRST; i++)
    tsr_piece_picker_set_have (picker, 10 + i, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, ==, 5);
}

static void
test_priorities (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (8);
  g_autoptr(TsrBitfield) all = bits (8, "11111111");
  g_autoptr(TsrBitfield) half = bits (8, "11110000");
  guint index = 0;
  guint i;

  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_add_bitfield (picker, half);
  for (i = 0; i < 8; i++)
    tsr_piece_picker_set_priority (picker, i, i < 4 ? TSR_PRIORITY_SKIP : TSR_PRIORITY_NORMAL);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 4);
  /* Skipped pieces never come, even from a peer that has only them. */
  g_assert_false (tsr_piece_picker_pick (picker, half, &index));
  tsr_piece_picker_set_priority (picker, 1, TSR_PRIORITY_HIGH);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 1), ==, TSR_PRIORITY_HIGH);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 5);
  /* High before rarer normal pieces, random first or not. */
  for (i = 0; i < 20; i++)
    {
      g_assert_true (tsr_piece_picker_pick (picker, all, &index));
      g_assert_cmpuint (index, ==, 1);
    }
  tsr_piece_picker_set_have (picker, 1, TRUE);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 4);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, >=, 4);
  /* Had pieces leave the count whatever their priority. */
  tsr_piece_picker_set_priority (picker, 1, TSR_PRIORITY_SKIP);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 4);
}

static void
test_sequential (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (6);
  g_autoptr(TsrBitfield) all = bits (6, "111111");
  g_autoptr(TsrBitfield) tail = bits (6, "000111");
  guint index = 0;

  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_add_bitfield (picker, tail);
  tsr_piece_picker_set_sequential (picker, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, ==, 0);
  tsr_piece_picker_set_in_progress (picker, 0, TRUE);
  tsr_piece_picker_set_have (picker, 1, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, ==, 2);
  g_assert_true (tsr_piece_picker_pick (picker, tail, &index));
  g_assert_cmpuint (index, ==, 3);
  tsr_piece_picker_set_priority (picker, 5, TSR_PRIORITY_HIGH);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, ==, 5);
}

/* Random peers come, say have and go; the picker's counts must match a
 * plain count, and every pick must be of the least available kind. */
static void
test_model (void)
{
  const guint n = 97;
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (n);
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_bitfield_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint step, i;

  for (i = 0; i < TSR_PIECE_PICKER_RANDOM_FIRST; i++)
    tsr_piece_picker_set_have (picker, i, TRUE);
  for (step = 0; step < 3000; step++)
    {
      guint action = (guint) g_rand_int_range (rand, 0, 10);

      if (action < 2 || peers->len == 0)
        {
          TsrBitfield *field = tsr_bitfield_new (n);

          for (i = 0; i < n; i++)
            tsr_bitfield_set (field, i, g_rand_int_range (rand, 0, 4) == 0);
          tsr_piece_picker_add_bitfield (picker, field);
          g_ptr_array_add (peers, field);
        }
      else if (action < 4 && peers->len > 1)
        {
          guint victim = (guint) g_rand_int_range (rand, 0, (gint32) peers->len);

          tsr_piece_picker_remove_bitfield (picker, g_ptr_array_index (peers, victim));
          g_ptr_array_remove_index_fast (peers, victim);
        }
      else
        {
          TsrBitfield *field = g_ptr_array_index (peers, g_rand_int_range (rand, 0, (gint32) peers->len));
          guint piece = (guint) g_rand_int_range (rand, 0, (gint32) n);

          if (!tsr_bitfield_get (field, piece))
            {
              tsr_bitfield_set (field, piece, TRUE);
              tsr_piece_picker_add_have (picker, piece);
            }
        }
      if (step % 10 == 0)
        {
          TsrBitfield *asker = g_ptr_array_index (peers, 0);
          guint least = G_MAXUINT;
          guint index = 0;
          gboolean any = FALSE;

          for (i = 0; i < n; i++)
            {
              guint expected = 0;
              guint p;

              for (p = 0; p < peers->len; p++)
                expected += tsr_bitfield_get (g_ptr_array_index (peers, p), i);
              g_assert_cmpuint (tsr_piece_picker_get_availability (picker, i), ==, expected);
              if (i >= TSR_PIECE_PICKER_RANDOM_FIRST && tsr_bitfield_get (asker, i))
                {
                  least = MIN (least, expected);
                  any = TRUE;
                }
            }
          g_assert_cmpint (tsr_piece_picker_pick (picker, asker, &index), ==, any);
          if (any)
            {
              g_assert_true (tsr_bitfield_get (asker, index));
              g_assert_cmpuint (tsr_piece_picker_get_availability (picker, index), ==, least);
            }
        }
    }
}

/* A web seed has every piece: the pieces no peer has come first for it,
 * and it still gets pieces when no peer has any; a peer never gets
 * a piece nobody has. */
static void
test_for_source (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (10);
  g_autoptr(TsrBitfield) all = bits (10, "1111111111");
  g_autoptr(TsrBitfield) some = bits (10, "1111111100");
  guint index = 0;
  guint i;

  for (i = 0; i < TSR_PIECE_PICKER_RANDOM_FIRST; i++)
    tsr_piece_picker_set_have (picker, i, TRUE);
  /* No peer at all: only a web seed can be asked. */
  g_assert_false (tsr_piece_picker_pick (picker, all, &index));
  g_assert_true (tsr_piece_picker_pick_for_source (picker, all, &index));
  g_assert_cmpuint (index, >=, TSR_PIECE_PICKER_RANDOM_FIRST);
  /* A peer with all but 8 and 9: those are the web seed's. */
  tsr_piece_picker_add_bitfield (picker, some);
  for (i = 0; i < 100; i++)
    {
      g_assert_true (tsr_piece_picker_pick_for_source (picker, all, &index));
      g_assert_true (index == 8 || index == 9);
    }
  tsr_piece_picker_set_in_progress (picker, 8, TRUE);
  tsr_piece_picker_set_in_progress (picker, 9, TRUE);
  g_assert_true (tsr_piece_picker_pick_for_source (picker, all, &index));
  g_assert_true (index >= TSR_PIECE_PICKER_RANDOM_FIRST && index < 8);
}

/* Three files over five 16 KiB pieces: a.bin [0, 20000) in pieces 0-1,
 * b.bin [20000, 30000) in piece 1, c.bin [30000, 70000) in pieces 1-4. A
 * piece takes the highest priority of the files it holds bytes of. */
static void
test_file_priorities (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-piece-picker-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  TsrPiecePicker *picker;
  guint8 files[3] = { TSR_PRIORITY_SKIP, TSR_PRIORITY_HIGH, TSR_PRIORITY_SKIP };
  static const TsrPriority expected[][5] = {
    { TSR_PRIORITY_SKIP, TSR_PRIORITY_HIGH, TSR_PRIORITY_SKIP, TSR_PRIORITY_SKIP, TSR_PRIORITY_SKIP },
    { TSR_PRIORITY_HIGH, TSR_PRIORITY_HIGH, TSR_PRIORITY_NORMAL, TSR_PRIORITY_NORMAL, TSR_PRIORITY_NORMAL },
  };
  guint i;

  tsr_test_write_file (root, "a.bin", 20000, 1);
  tsr_test_write_file (root, "b.bin", 10000, 2);
  tsr_test_write_file (root, "c.bin", 40000, 3);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  g_assert_cmpuint (info->n_files, ==, 3);
  g_assert_cmpuint (info->piece_count, ==, 5);
  picker = tsr_piece_picker_new (info->piece_count);
  tsr_piece_picker_set_file_priorities (picker, info, files);
  for (i = 0; i < 5; i++)
    g_assert_cmpint (tsr_piece_picker_get_priority (picker, i), ==, expected[0][i]);
  files[0] = TSR_PRIORITY_HIGH;
  files[1] = TSR_PRIORITY_SKIP;
  files[2] = TSR_PRIORITY_NORMAL;
  tsr_piece_picker_set_file_priorities (picker, info, files);
  for (i = 0; i < 5; i++)
    g_assert_cmpint (tsr_piece_picker_get_priority (picker, i), ==, expected[1][i]);
  tsr_piece_picker_free (picker);
  tsr_test_remove_tree (dir);
}

/* First and last pieces first: each wanted file's edges are high and
 * picked before the rest, a skipped file's stay skipped; off again, the
 * file priorities alone decide. */
static void
test_first_last (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-piece-picker-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrPiecePicker) picker = NULL;
  g_autoptr(TsrBitfield) all = NULL;
  guint8 files[2] = { TSR_PRIORITY_NORMAL, TSR_PRIORITY_SKIP };
  guint index = 0;
  guint i;

  /* a.bin: pieces 0-6 (100000 bytes); b.bin: pieces 6-9. */
  tsr_test_write_file (root, "a.bin", 100000, 1);
  tsr_test_write_file (root, "b.bin", 50000, 2);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  g_assert_cmpuint (info->piece_count, ==, 10);
  picker = tsr_piece_picker_new (info->piece_count);
  all = bits (10, "1111111111");
  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_set_first_last (picker, TRUE);
  tsr_piece_picker_set_file_priorities (picker, info, files);
  for (i = 0; i < 10; i++)
    g_assert_cmpint (tsr_piece_picker_get_priority (picker, i), ==,
                     i == 0 || i == 6 ? TSR_PRIORITY_HIGH : i < 6 ? TSR_PRIORITY_NORMAL : TSR_PRIORITY_SKIP);
  /* Whatever the random start, the two edges come first. */
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_true (index == 0 || index == 6);
  tsr_piece_picker_set_in_progress (picker, index, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_true (index == 0 || index == 6);
  tsr_piece_picker_set_in_progress (picker, index, TRUE);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, >=, 1);
  g_assert_cmpuint (index, <=, 5);

  /* Both files wanted: b.bin's last piece too (its first is a.bin's last). */
  files[1] = TSR_PRIORITY_NORMAL;
  tsr_piece_picker_set_file_priorities (picker, info, files);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 9), ==, TSR_PRIORITY_HIGH);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 8), ==, TSR_PRIORITY_NORMAL);
  tsr_piece_picker_set_first_last (picker, FALSE);
  tsr_piece_picker_set_file_priorities (picker, info, files);
  for (i = 0; i < 10; i++)
    g_assert_cmpint (tsr_piece_picker_get_priority (picker, i), ==, TSR_PRIORITY_NORMAL);
  tsr_test_remove_tree (dir);
}

/* An idle torrent's picker holds no per-piece array; a peer's pieces
 * bring the availability, a piece of ours the states, and the last peer
 * leaving takes the availability away again, with picks unchanged. */
static void
test_arrays_only_when_used (void)
{
  g_autoptr(TsrPiecePicker) picker = tsr_piece_picker_new (8);
  g_autoptr(TsrBitfield) none = bits (8, "00000000");
  g_autoptr(TsrBitfield) some = bits (8, "00110000");
  g_autoptr(TsrBitfield) all = bits (8, "11111111");
  guint index = 0;
  guint i;

  g_assert_cmpuint (tsr_piece_picker_get_memory (picker), ==, 0);
  /* What changes nothing allocates nothing. */
  tsr_piece_picker_add_bitfield (picker, none);
  tsr_piece_picker_set_have (picker, 1, FALSE);
  tsr_piece_picker_set_in_progress (picker, 1, FALSE);
  tsr_piece_picker_set_priority (picker, 1, TSR_PRIORITY_NORMAL);
  g_assert_cmpuint (tsr_piece_picker_get_memory (picker), ==, 0);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 8);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 2), ==, 0);
  g_assert_cmpint (tsr_piece_picker_get_priority (picker, 2), ==, TSR_PRIORITY_NORMAL);
  /* A web seed may still be asked for any piece. */
  g_assert_true (tsr_piece_picker_pick_for_source (picker, all, &index));
  g_assert_cmpuint (index, <, 8);
  g_assert_false (tsr_piece_picker_pick (picker, none, &index));

  tsr_piece_picker_add_bitfield (picker, some);
  g_assert_cmpuint (tsr_piece_picker_get_memory (picker), >, 0);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 2), ==, 1);
  tsr_piece_picker_add_have (picker, 7);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 7), ==, 1);
  tsr_bitfield_set (some, 7, TRUE);
  tsr_piece_picker_remove_bitfield (picker, some);
  g_assert_cmpuint (tsr_piece_picker_get_memory (picker), ==, 0);
  g_assert_cmpuint (tsr_piece_picker_get_availability (picker, 7), ==, 0);

  /* Past the random first pieces, rarest first works on fresh arrays. */
  for (i = 0; i < TSR_PIECE_PICKER_RANDOM_FIRST; i++)
    tsr_piece_picker_set_have (picker, i, TRUE);
  g_assert_cmpuint (tsr_piece_picker_get_memory (picker), ==, 16);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 8 - TSR_PIECE_PICKER_RANDOM_FIRST);
  g_assert_false (tsr_piece_picker_pick (picker, all, &index));
  tsr_piece_picker_add_bitfield (picker, all);
  tsr_piece_picker_add_have (picker, 4);
  tsr_piece_picker_add_have (picker, 5);
  tsr_piece_picker_add_have (picker, 6);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_cmpuint (index, ==, 7);
  tsr_piece_picker_set_priority (picker, 7, TSR_PRIORITY_SKIP);
  g_assert_cmpuint (tsr_piece_picker_count_wanted (picker), ==, 3);
  g_assert_true (tsr_piece_picker_pick (picker, all, &index));
  g_assert_true (index >= 4 && index <= 6);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/piece-picker/rarest-first", test_rarest_first);
  g_test_add_func ("/piece-picker/random-first", test_random_first);
  g_test_add_func ("/piece-picker/priorities", test_priorities);
  g_test_add_func ("/piece-picker/sequential", test_sequential);
  g_test_add_func ("/piece-picker/model", test_model);
  g_test_add_func ("/piece-picker/for-source", test_for_source);
  g_test_add_func ("/piece-picker/file-priorities", test_file_priorities);
  g_test_add_func ("/piece-picker/first-last", test_first_last);
  g_test_add_func ("/piece-picker/arrays-only-when-used", test_arrays_only_when_used);
  return g_test_run ();
}
