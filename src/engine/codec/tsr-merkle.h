/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-merkle.h: BEP 52 merkle trees of SHA-256 hashes over 16 KiB blocks.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_MERKLE_BLOCK_SIZE 16384

/* Folds @n hashes (32 bytes each), padded to @width (a power of two, at
 * least @n) with @pad — the hash of an all-zero subtree at this level —
 * into @root. */
void   tsr_merkle_fold        (const guint8 *hashes,
                               gsize         n,
                               gsize         width,
                               const guint8  pad[32],
                               guint8        root[32]);

/* The same, for leaves: padding leaves are 32 zero bytes (BEP 52). */
void   tsr_merkle_root        (const guint8 *leaves,
                               gsize         n_leaves,
                               gsize         width,
                               guint8        root[32]);

/* Root of a subtree of @piece_length / 16 KiB zero leaves: what pads a
 * piece layer. */
void   tsr_merkle_pad_hash    (guint64       piece_length,
                               guint8        out[32]);

/* Root of a file from its piece layer (@n piece hashes). */
void   tsr_merkle_layer_root  (const guint8 *layer,
                               gsize         n,
                               guint64       piece_length,
                               guint8        root[32]);

gsize  tsr_next_power_of_two  (gsize         n);

/* The v2 hash of a piece's @length bytes of data in a file of
 * @file_length bytes: the root of its piece-sized subtree, or for a file
 * of one piece or less, the file's root. @leaves is scratch space for
 * piece_length / 16 KiB hashes (NULL: allocated here). */
void   tsr_merkle_hash_piece  (const guint8 *data,
                               gsize         length,
                               guint64       piece_length,
                               guint64       file_length,
                               guint8       *leaves,
                               guint8        out[32]);

/* The tree of a file above its piece layer (BEP 52), for answering hash
 * requests: level 0 is the piece layer padded to a power of two with
 * pad hashes, the last level is the root. Build it off the main thread
 * (it hashes the whole layer once). */
typedef struct _TsrMerkleTree TsrMerkleTree;

TsrMerkleTree *tsr_merkle_tree_new        (const guint8        *layer,
                                           gsize                n_pieces,
                                           guint64              piece_length);
void           tsr_merkle_tree_free       (TsrMerkleTree       *tree);
const guint8  *tsr_merkle_tree_get_root   (const TsrMerkleTree *tree);
/* The hash at @level above the piece layer, @index in it; NULL past it. */
const guint8  *tsr_merkle_tree_get_node   (const TsrMerkleTree *tree,
                                           guint                level,
                                           gsize                index);
guint          tsr_merkle_tree_get_n_levels (const TsrMerkleTree *tree);
/* The hashes of a "hashes" message answering a request at @level above
 * the piece layer: @count hashes from @index, then the uncles of
 * @proof_layers (BEP 52: the first log2(count) - 1 are implied by the
 * hashes and left out). FALSE for a request the tree cannot answer. */
gboolean       tsr_merkle_tree_get_hashes (const TsrMerkleTree *tree,
                                           guint                level,
                                           guint32              index,
                                           guint32              count,
                                           guint32              proof_layers,
                                           GByteArray          *out);
/* Checks @count piece-layer hashes from @index and the @n_uncles uncle
 * hashes after them (up to the root's children) against @root, for a
 * file of @n_pieces pieces. */
gboolean       tsr_merkle_verify_piece_hashes (const guint8    root[32],
                                               gsize           n_pieces,
                                               guint32         index,
                                               guint32         count,
                                               const guint8   *hashes,
                                               gsize           n_uncles);

G_END_DECLS
