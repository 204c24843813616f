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

struct _TsrMerkleTree
{
  guint    n_levels;   /* the piece layer is 0, the root n_levels - 1 */
  gsize    width;      /* hashes in level 0 */
  guint8 **levels;     /* (owned) each width >> level hashes */
};

TsrMerkleTree *
tsr_merkle_tree_new (const guint8 *layer,
                     gsize         n_pieces,
                     guint64       piece_length)
{
  TsrMerkleTree *tree = g_new0 (TsrMerkleTree, 1);
  guint8 pad[32];
  gsize width = tsr_next_power_of_two (MAX (n_pieces, 1));
  gsize level_width;
  guint l;
  gsize i;

  tsr_merkle_pad_hash (piece_length, pad);
  tree->width = width;
  for (level_width = width; level_width > 1; level_width /= 2)
    tree->n_levels++;
  tree->n_levels++;
  tree->levels = g_new0 (guint8 *, tree->n_levels);
  tree->levels[0] = g_malloc (width * 32);
  memcpy (tree->levels[0], layer, n_pieces * 32);
  for (i = n_pieces; i < width; i++)
    memcpy (tree->levels[0] + i * 32, pad, 32);
  for (l = 1, level_width = width / 2; l < tree->n_levels; l++, level_width /= 2)
    {
      tree->levels[l] = g_malloc (level_width * 32);
      for (i = 0; i < level_width; i++)
        sha256_pair (tree->levels[l - 1] + 2 * i * 32, tree->levels[l - 1] + (2 * i + 1) * 32,
                     tree->levels[l] + i * 32);
    }
  return tree;
}

void
tsr_merkle_tree_free (TsrMerkleTree *tree)
{
  guint l;

  if (tree == NULL)
    return;
  for (l = 0; l < tree->n_levels; l++)
    g_free (tree->levels[l]);
  g_free (tree->levels);
  g_free (tree);
}

const guint8 *
tsr_merkle_tree_get_root (const TsrMerkleTree *tree)
{
  return tree->levels[tree->n_levels - 1];
}

static guint
log2_exact (guint32 n)
{
  guint k = 0;

  while ((1u << k) < n)
    k++;
  return k;
}

gboolean
tsr_merkle_tree_get_hashes (const TsrMerkleTree *tree,
                            guint                level,
                            guint32              index,
                            guint32              count,
                            guint32              proof_layers,
                            GByteArray          *out)
{
  gsize level_width;
  guint h;
  guint i;

  if (level >= tree->n_levels)
    return FALSE;
  level_width = tree->width >> level;
  /* BEP 52: a power of two, at least two (or the whole level when it is
   * narrower), at most 512, and index a multiple of it. */
  if (count == 0 || count > 512 || (count & (count - 1)) != 0 || (count < 2 && level_width >= 2) ||
      index % count != 0 || (gsize) index + count > level_width)
    return FALSE;
  h = log2_exact (count);
  /* Each proof layer climbs one level; the last may reach the root's
   * children, never the root. */
  if ((guint64) level + proof_layers + 2 > tree->n_levels)
    return FALSE;
  g_byte_array_append (out, tree->levels[level] + (gsize) index * 32, count * 32);
  for (i = h > 0 ? h - 1 : 0; i < proof_layers; i++)
    {
      guint ancestor_level = level + i + 1;
      gsize sibling = ((gsize) index >> (i + 1)) ^ 1;

      g_byte_array_append (out, tree->levels[ancestor_level] + sibling * 32, 32);
    }
  return TRUE;
}

gboolean
tsr_merkle_verify_piece_hashes (const guint8  root[32],
                                gsize         n_pieces,
                                guint32       index,
                                guint32       count,
                                const guint8 *hashes,
                                gsize         n_uncles)
{
  gsize width = tsr_next_power_of_two (MAX (n_pieces, 1));
  guint8 node[32];
  gsize at;
  gsize i;
  gsize level_width;
  guint levels = 0;

  if (count == 0 || (count & (count - 1)) != 0 || index % count != 0 || (gsize) index + count > width)
    return FALSE;
  for (level_width = width; level_width > count; level_width /= 2)
    levels++;
  /* Uncles from the subtree's root up to the root's children. */
  if (n_uncles != levels)
    return FALSE;
  {
    g_autofree guint8 *level = g_memdup2 (hashes, (gsize) count * 32);
    gsize n = count;

    while (n > 1)
      {
        for (i = 0; i < n / 2; i++)
          sha256_pair (level + 2 * i * 32, level + (2 * i + 1) * 32, level + i * 32);
        n /= 2;
      }
    memcpy (node, level, 32);
  }
  at = index / count;
  for (i = 0; i < n_uncles; i++)
    {
      const guint8 *uncle = hashes + ((gsize) count + i) * 32;

      if (at % 2 == 0)
        sha256_pair (node, uncle, node);
      else
        sha256_pair (uncle, node, node);
      at /= 2;
    }
  return memcmp (node, root, 32) == 0;
}

const guint8 *
tsr_merkle_tree_get_node (const TsrMerkleTree *tree,
                          guint                level,
                          gsize                index)
{
  if (level >= tree->n_levels || index >= (tree->width >> level))
    return NULL;
  return tree->levels[level] + index * 32;
}

guint
tsr_merkle_tree_get_n_levels (const TsrMerkleTree *tree)
{
  return tree->n_levels;
}
