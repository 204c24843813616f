/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-merkle.c: BEP 52 hash messages' trees: answers to hash requests
 * (whole piece layers and halves with their uncle) verify against the
 * file's root, tampered or short answers do not, and requests the BEP
 * forbids are refused.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-merkle.h"

#define PIECE_LENGTH (4 * TSR_MERKLE_BLOCK_SIZE)

static guint8 *
random_layer (gsize n)
{
  guint8 *layer = g_malloc (n * 32);
  gsize i;

  for (i = 0; i < n * 32; i++)
    layer[i] = (guint8) g_test_rand_int_range (0, 256);
  return layer;
}

static void
test_whole_layer (void)
{
  g_autofree guint8 *layer = random_layer (5);
  TsrMerkleTree *tree = tsr_merkle_tree_new (layer, 5, PIECE_LENGTH);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 root[32];
  guint8 pad[32];

  /* The root is the one the metainfo code computes from the layer. */
  tsr_merkle_layer_root (layer, 5, PIECE_LENGTH, root);
  g_assert_cmpmem (tsr_merkle_tree_get_root (tree), 32, root, 32);
  /* The whole (padded) layer of 8: no uncle is needed (proof layers 2 are
   * all implied by the hashes). */
  g_assert_true (tsr_merkle_tree_get_hashes (tree, 0, 0, 8, 2, out));
  g_assert_cmpuint (out->len, ==, 8 * 32);
  g_assert_cmpmem (out->data, 5 * 32, layer, 5 * 32);
  tsr_merkle_pad_hash (PIECE_LENGTH, pad);
  g_assert_cmpmem (out->data + 7 * 32, 32, pad, 32);
  g_assert_true (tsr_merkle_verify_piece_hashes (root, 5, 0, 8, out->data, 0));
  out->data[3 * 32] ^= 1;
  g_assert_false (tsr_merkle_verify_piece_hashes (root, 5, 0, 8, out->data, 0));
  tsr_merkle_tree_free (tree);
}

static void
test_halves (void)
{
  g_autofree guint8 *layer = random_layer (700);
  TsrMerkleTree *tree = tsr_merkle_tree_new (layer, 700, PIECE_LENGTH);
  guint32 index;

  /* 1024 wide: two requests of 512, each with the other half's root. */
  for (index = 0; index < 1024; index += 512)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();

      g_assert_true (tsr_merkle_tree_get_hashes (tree, 0, index, 512, 9, out));
      g_assert_cmpuint (out->len, ==, (512 + 1) * 32);
      g_assert_true (tsr_merkle_verify_piece_hashes (tsr_merkle_tree_get_root (tree), 700, index, 512,
                                                     out->data, 1));
      /* The uncle wrong, or missing: refused. */
      g_assert_false (tsr_merkle_verify_piece_hashes (tsr_merkle_tree_get_root (tree), 700, index, 512,
                                                      out->data, 0));
      out->data[512 * 32] ^= 0x80;
      g_assert_false (tsr_merkle_verify_piece_hashes (tsr_merkle_tree_get_root (tree), 700, index, 512,
                                                      out->data, 1));
    }
  /* Smaller pieces of the layer carry more uncles: 128 from 256 needs 3. */
  {
    g_autoptr(GByteArray) out = g_byte_array_new ();

    g_assert_true (tsr_merkle_tree_get_hashes (tree, 0, 256, 128, 9, out));
    g_assert_cmpuint (out->len, ==, (128 + 3) * 32);
    g_assert_true (tsr_merkle_verify_piece_hashes (tsr_merkle_tree_get_root (tree), 700, 256, 128, out->data, 3));
  }
  tsr_merkle_tree_free (tree);
}

static void
test_refused (void)
{
  g_autofree guint8 *layer = random_layer (700);
  TsrMerkleTree *tree = tsr_merkle_tree_new (layer, 700, PIECE_LENGTH);
  g_autoptr(GByteArray) out = g_byte_array_new ();

  g_assert_false (tsr_merkle_tree_get_hashes (tree, 0, 0, 1024, 9, out));   /* more than 512 */
  g_assert_false (tsr_merkle_tree_get_hashes (tree, 0, 0, 384, 9, out));    /* not a power of two */
  g_assert_false (tsr_merkle_tree_get_hashes (tree, 0, 100, 128, 9, out));  /* not a multiple */
  g_assert_false (tsr_merkle_tree_get_hashes (tree, 0, 1024, 2, 0, out));   /* past the layer */
  g_assert_false (tsr_merkle_tree_get_hashes (tree, 0, 0, 512, 10, out));   /* proof up to the root */
  g_assert_false (tsr_merkle_tree_get_hashes (tree, 11, 0, 2, 0, out));     /* no such level */
  g_assert_cmpuint (out->len, ==, 0);
  /* Higher levels can be asked too: level 1 is 512 wide. */
  g_assert_true (tsr_merkle_tree_get_hashes (tree, 1, 0, 512, 8, out));
  g_assert_cmpuint (out->len, ==, 512 * 32);
  tsr_merkle_tree_free (tree);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/merkle/whole-layer", test_whole_layer);
  g_test_add_func ("/merkle/halves", test_halves);
  g_test_add_func ("/merkle/refused", test_refused);
  return g_test_run ();
}
