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

G_END_DECLS
