/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-block-map.c: a hash table of pieces in progress, each a pooled
 * page-aligned buffer plus one byte of state and one byte of requester
 * count per block. Hot path: a block arriving is one lookup, a memcpy
 * and two stores.
 */
#define G_LOG_DOMAIN "tsr-block-map"

#include "config.h"

#include <string.h>

#include "tsr-block-map.h"
#include "tsr-piece-buffer.h"
#include "tsr-wire.h"

typedef struct
{
  gsize          size;
  guint8        *buffer;        /* (owned) (nullable) NULL once taken for the disk */
  guint          n_blocks;
  guint          first_free;    /* no block below this is free */
  guint          received;
  gboolean       writing;       /* with the disk: hash check and write */
  gconstpointer  reserved;      /* (nullable) the web seed fetching it whole */
  guint8        *blocks;        /* (owned) TsrBlockState per block */
  guint8        *requesters;    /* (owned) peers asked for each block */
} Piece;

struct _TsrBlockMap
{
  TsrMetainfo    *info;      /* (owned) */
  TsrPiecePicker *picker;    /* borrowed */
  guint64         memory;
  GHashTable     *pieces;    /* (nullable) index → Piece (owned); made at the first piece */
  /* The piece looked up last: a block's arrival and a scan of the
   * pieces ask about the same piece several times in a row. */
  guint           last_index;
  Piece          *last;      /* (nullable) */
};

static void
piece_free (Piece *piece)
{
  tsr_piece_buffer_give (piece->buffer, piece->size);
  g_free (piece->blocks);
  g_free (piece->requesters);
  g_free (piece);
}

static void
piece_reset (Piece *piece)
{
  if (piece->buffer == NULL)
    piece->buffer = tsr_piece_buffer_take (piece->size);
  memset (piece->blocks, TSR_BLOCK_FREE, piece->n_blocks);
  memset (piece->requesters, 0, piece->n_blocks);
  piece->first_free = 0;
  piece->received = 0;
  piece->writing = FALSE;
  piece->reserved = NULL;
}

TsrBlockMap *
tsr_block_map_new (TsrMetainfo    *info,
                   TsrPiecePicker *picker,
                   guint64         memory)
{
  TsrBlockMap *self = g_new0 (TsrBlockMap, 1);

  self->info = tsr_metainfo_ref (info);
  self->picker = picker;
  self->memory = memory;
  return self;
}

void
tsr_block_map_free (TsrBlockMap *self)
{
  g_clear_pointer (&self->pieces, g_hash_table_unref);
  tsr_metainfo_unref (self->info);
  g_free (self);
}

static Piece *
lookup (TsrBlockMap *self,
        guint        index)
{
  if (self->pieces == NULL)
    return NULL;
  if (self->last == NULL || self->last_index != index)
    {
      self->last = g_hash_table_lookup (self->pieces, GUINT_TO_POINTER (index));
      self->last_index = index;
    }
  return self->last;
}

static void
forget_last (TsrBlockMap *self)
{
  self->last = NULL;
}

gboolean
tsr_block_map_may_start_more (TsrBlockMap *self)
{
  guint n = tsr_block_map_get_size (self);

  return n < 2 || (guint64) n * self->info->piece_length < self->memory;
}

void
tsr_block_map_start (TsrBlockMap *self,
                     guint        index)
{
  Piece *piece;

  g_return_if_fail (index < self->info->piece_count && lookup (self, index) == NULL);
  piece = g_new0 (Piece, 1);
  piece->size = tsr_metainfo_get_piece_size (self->info, index);
  piece->n_blocks = (guint) ((piece->size + TSR_WIRE_BLOCK_SIZE - 1) / TSR_WIRE_BLOCK_SIZE);
  piece->blocks = g_malloc0 (piece->n_blocks);
  piece->requesters = g_malloc0 (piece->n_blocks);
  piece->buffer = tsr_piece_buffer_take (piece->size);
  if (self->pieces == NULL)
    self->pieces = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) piece_free);
  g_hash_table_insert (self->pieces, GUINT_TO_POINTER (index), piece);
  forget_last (self);
  tsr_piece_picker_set_in_progress (self->picker, index, TRUE);
}

gboolean
tsr_block_map_contains (TsrBlockMap *self,
                        guint        index)
{
  return lookup (self, index) != NULL;
}

guint
tsr_block_map_get_size (TsrBlockMap *self)
{
  return self->pieces != NULL ? g_hash_table_size (self->pieces) : 0;
}

gboolean
tsr_block_map_in_endgame (TsrBlockMap *self)
{
  guint n = tsr_block_map_get_size (self);

  return n > 0 && tsr_piece_picker_count_wanted (self->picker) <= n;
}

void
tsr_block_map_drop (TsrBlockMap *self,
                    guint        index)
{
  forget_last (self);
  if (self->pieces != NULL && g_hash_table_remove (self->pieces, GUINT_TO_POINTER (index)))
    tsr_piece_picker_set_in_progress (self->picker, index, FALSE);
}

void
tsr_block_map_clear (TsrBlockMap *self)
{
  GHashTableIter iter;
  gpointer key;

  forget_last (self);
  if (self->pieces == NULL)
    return;
  g_hash_table_iter_init (&iter, self->pieces);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    tsr_piece_picker_set_in_progress (self->picker, GPOINTER_TO_UINT (key), FALSE);
  /* An idle torrent goes back to one pointer. */
  g_clear_pointer (&self->pieces, g_hash_table_unref);
}

void
tsr_block_map_iter_init (TsrBlockMapIter *iter,
                         TsrBlockMap     *self)
{
  iter->map = self;
  iter->empty = self->pieces == NULL;
  if (!iter->empty)
    g_hash_table_iter_init (&iter->iter, self->pieces);
}

gboolean
tsr_block_map_iter_next (TsrBlockMapIter *iter,
                         guint           *index)
{
  gpointer key;
  gpointer value;

  if (iter->empty || !g_hash_table_iter_next (&iter->iter, &key, &value))
    return FALSE;
  *index = GPOINTER_TO_UINT (key);
  /* What the caller asks next is about this piece. */
  iter->map->last_index = *index;
  iter->map->last = value;
  return TRUE;
}

guint
tsr_block_map_get_n_blocks (TsrBlockMap *self,
                            guint        index)
{
  Piece *piece = lookup (self, index);

  return piece != NULL ? piece->n_blocks : 0;
}

guint
tsr_block_map_next_free (TsrBlockMap *self,
                         guint        index)
{
  Piece *piece = lookup (self, index);

  if (piece == NULL)
    return 0;
  while (piece->first_free < piece->n_blocks && piece->blocks[piece->first_free] != TSR_BLOCK_FREE)
    piece->first_free++;
  return piece->first_free;
}

TsrBlockState
tsr_block_map_get_state (TsrBlockMap *self,
                         guint        index,
                         guint        block)
{
  Piece *piece = lookup (self, index);

  return piece != NULL && block < piece->n_blocks ? piece->blocks[block] : TSR_BLOCK_FREE;
}

guint
tsr_block_map_get_requesters (TsrBlockMap *self,
                              guint        index,
                              guint        block)
{
  Piece *piece = lookup (self, index);

  return piece != NULL && block < piece->n_blocks ? piece->requesters[block] : 0;
}

guint32
tsr_block_map_get_block_length (TsrBlockMap *self,
                                guint        index,
                                guint        block)
{
  Piece *piece = lookup (self, index);
  gsize begin = (gsize) block * TSR_WIRE_BLOCK_SIZE;

  if (piece == NULL || begin >= piece->size)
    return 0;
  return (guint32) MIN ((gsize) TSR_WIRE_BLOCK_SIZE, piece->size - begin);
}

gboolean
tsr_block_map_is_busy (TsrBlockMap *self,
                       guint        index)
{
  Piece *piece = lookup (self, index);

  return piece != NULL && (piece->writing || piece->reserved != NULL);
}

gboolean
tsr_block_map_is_writing (TsrBlockMap *self,
                          guint        index)
{
  Piece *piece = lookup (self, index);

  return piece != NULL && piece->writing;
}

void
tsr_block_map_asked (TsrBlockMap *self,
                     guint        index,
                     guint        block)
{
  Piece *piece = lookup (self, index);

  g_return_if_fail (piece != NULL && block < piece->n_blocks);
  piece->blocks[block] = TSR_BLOCK_REQUESTED;
  if (piece->requesters[block] < G_MAXUINT8)
    piece->requesters[block]++;
}

void
tsr_block_map_unasked (TsrBlockMap *self,
                       guint        index,
                       guint        block)
{
  Piece *piece = lookup (self, index);

  if (piece == NULL || block >= piece->n_blocks || piece->requesters[block] == 0)
    return;
  piece->requesters[block]--;
  if (piece->requesters[block] == 0 && piece->blocks[block] == TSR_BLOCK_REQUESTED)
    {
      piece->blocks[block] = TSR_BLOCK_FREE;
      piece->first_free = MIN (piece->first_free, block);
    }
}

TsrBlockResult
tsr_block_map_put (TsrBlockMap  *self,
                   guint         index,
                   guint32       begin,
                   const guint8 *data,
                   gsize         length)
{
  Piece *piece = lookup (self, index);
  guint block = begin / TSR_WIRE_BLOCK_SIZE;

  /* Unasked, duplicate or misaligned blocks are dropped. */
  if (piece == NULL || piece->writing || begin % TSR_WIRE_BLOCK_SIZE != 0 || block >= piece->n_blocks ||
      piece->blocks[block] == TSR_BLOCK_RECEIVED ||
      length != MIN ((gsize) TSR_WIRE_BLOCK_SIZE, piece->size - begin))
    return TSR_BLOCK_DROPPED;
  memcpy (piece->buffer + begin, data, length);
  piece->blocks[block] = TSR_BLOCK_RECEIVED;
  piece->received++;
  return piece->received == piece->n_blocks ? TSR_BLOCK_COMPLETED : TSR_BLOCK_STORED;
}

void
tsr_block_map_reserve (TsrBlockMap   *self,
                       guint          index,
                       gconstpointer  owner)
{
  Piece *piece = lookup (self, index);

  g_return_if_fail (piece != NULL && owner != NULL);
  piece->reserved = owner;
  /* Its blocks are spoken for: peers look elsewhere. */
  memset (piece->blocks, TSR_BLOCK_REQUESTED, piece->n_blocks);
  piece->first_free = piece->n_blocks;
}

gconstpointer
tsr_block_map_get_reserved (TsrBlockMap *self,
                            guint        index)
{
  Piece *piece = lookup (self, index);

  return piece != NULL ? piece->reserved : NULL;
}

gboolean
tsr_block_map_put_whole (TsrBlockMap *self,
                         guint        index,
                         GBytes      *bytes)
{
  Piece *piece = lookup (self, index);

  if (piece == NULL || piece->writing || bytes == NULL || g_bytes_get_size (bytes) != piece->size)
    return FALSE;
  memcpy (piece->buffer, g_bytes_get_data (bytes, NULL), piece->size);
  memset (piece->blocks, TSR_BLOCK_RECEIVED, piece->n_blocks);
  piece->received = piece->n_blocks;
  piece->first_free = piece->n_blocks;
  return TRUE;
}

GBytes *
tsr_block_map_take_complete (TsrBlockMap *self,
                             guint        index)
{
  Piece *piece = lookup (self, index);

  g_return_val_if_fail (piece != NULL && piece->buffer != NULL, NULL);
  piece->writing = TRUE;
  return tsr_piece_buffer_to_bytes (g_steal_pointer (&piece->buffer), piece->size);
}

void
tsr_block_map_written (TsrBlockMap *self,
                       guint        index,
                       gboolean     hash_ok)
{
  Piece *piece = lookup (self, index);

  if (piece == NULL)
    return;
  if (hash_ok)
    tsr_block_map_drop (self, index);
  else
    piece_reset (piece);
}

gfloat
tsr_block_map_get_fraction (TsrBlockMap *self,
                            guint        index)
{
  Piece *piece = lookup (self, index);

  return piece != NULL && piece->n_blocks > 0 ? (gfloat) piece->received / (gfloat) piece->n_blocks : 0.0f;
}

void
tsr_block_map_count (TsrBlockMap *self,
                     guint        index,
                     guint        counts[3])
{
  Piece *piece = lookup (self, index);
  guint b;

  counts[0] = counts[1] = counts[2] = 0;
  for (b = 0; piece != NULL && b < piece->n_blocks; b++)
    counts[MIN (piece->blocks[b], 2)]++;
}
