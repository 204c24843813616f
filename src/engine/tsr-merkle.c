/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-merkle.c: BEP 52 merkle trees, shared by the metainfo parser (which
 * checks piece layers against their roots) and the hasher (which builds
 * them).
 */
#define G_LOG_DOMAIN "tsr-merkle"

#include "config.h"

#include <nettle/sha2.h>
#include <string.h>

#include "tsr-merkle.h"

static void
sha256_pair (const guint8 *left,
             const guint8 *right,
             guint8       *out)
{
  struct sha256_ctx ctx;

  sha256_init (&ctx);
  sha256_update (&ctx, 32, left);
  sha256_update (&ctx, 32, right);
  sha256_digest (&ctx, 32, out);
}

gsize
tsr_next_power_of_two (gsize n)
{
  gsize width = 1;

  while (width < n)
    width *= 2;
  return width;
}

void
tsr_merkle_fold (const guint8 *hashes,
                 gsize         n,
                 gsize         width,
                 const guint8  pad_in[32],
                 guint8        root[32])
{
  g_autofree guint8 *level = NULL;
  guint8 pad[32];
  gsize count = n;
  gsize i;

  g_return_if_fail (width >= n && width > 0 && (width & (width - 1)) == 0);

  level = g_malloc (MAX (n, 1) * 32);
  memcpy (pad, pad_in, 32);
  if (n > 0)
    memcpy (level, hashes, n * 32);
  while (width > 1)
    {
      gsize next = (count + 1) / 2;

      for (i = 0; i < next; i++)
        {
          const guint8 *right = 2 * i + 1 < count ? level + (2 * i + 1) * 32 : pad;

          sha256_pair (level + 2 * i * 32, right, level + i * 32);
        }
      sha256_pair (pad, pad, pad);
      count = next;
      width /= 2;
    }
  memcpy (root, count == 0 ? pad : level, 32);
}

void
tsr_merkle_root (const guint8 *leaves,
                 gsize         n_leaves,
                 gsize         width,
                 guint8        root[32])
{
  static const guint8 zero[32] = { 0 };

  tsr_merkle_fold (leaves, n_leaves, width, zero, root);
}

void
tsr_merkle_pad_hash (guint64 piece_length,
                     guint8  out[32])
{
  guint64 leaves;

  memset (out, 0, 32);
  for (leaves = piece_length / TSR_MERKLE_BLOCK_SIZE; leaves > 1; leaves /= 2)
    sha256_pair (out, out, out);
}

void
tsr_merkle_layer_root (const guint8 *layer,
                       gsize         n,
                       guint64       piece_length,
                       guint8        root[32])
{
  guint8 pad[32];

  tsr_merkle_pad_hash (piece_length, pad);
  tsr_merkle_fold (layer, n, tsr_next_power_of_two (n), pad, root);
}

void
tsr_merkle_hash_piece (const guint8 *data,
                       gsize         length,
                       guint64       piece_length,
                       guint64       file_length,
                       guint8       *leaves,
                       guint8        out[32])
{
  g_autofree guint8 *owned = NULL;
  gsize n_blocks = (length + TSR_MERKLE_BLOCK_SIZE - 1) / TSR_MERKLE_BLOCK_SIZE;
  gsize width;
  gsize i;

  if (leaves == NULL)
    leaves = owned = g_malloc (MAX (n_blocks, 1) * 32);
  for (i = 0; i < n_blocks; i++)
    {
      struct sha256_ctx ctx;
      gsize block = MIN ((gsize) TSR_MERKLE_BLOCK_SIZE, length - i * TSR_MERKLE_BLOCK_SIZE);

      sha256_init (&ctx);
      sha256_update (&ctx, block, data + i * TSR_MERKLE_BLOCK_SIZE);
      sha256_digest (&ctx, 32, leaves + i * 32);
    }
  /* BEP 52: a file of one piece or less is its own tree, as wide as its
   * blocks need; longer files have piece-sized subtrees. */
  if (file_length <= piece_length)
    width = tsr_next_power_of_two (n_blocks);
  else
    width = piece_length / TSR_MERKLE_BLOCK_SIZE;
  tsr_merkle_root (leaves, n_blocks, width, out);
}
