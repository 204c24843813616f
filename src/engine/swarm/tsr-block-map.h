/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-block-map.h: the pieces being downloaded. For each, a buffer and
 * the state of its 16 KiB blocks (free, asked for, received) with how
 * many peers were asked for each (the end game asks several), until the
 * piece is complete and handed to the disk, then passes (gone) or fails
 * its hash (fresh again). A web seed reserves a whole piece. Memory is
 * budgeted: past it, finish what is started before starting more.
 *
 * Pure bookkeeping, no I/O: the swarm tells it what happens; it keeps
 * the piece picker's "in progress" marks in step.
 */
#pragma once

#include <glib.h>

#include "tsr-metainfo.h"
#include "tsr-piece-picker.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_BLOCK_FREE,
  TSR_BLOCK_REQUESTED,
  TSR_BLOCK_RECEIVED,
} TsrBlockState;

typedef enum
{
  TSR_BLOCK_DROPPED,     /* no piece in progress, misaligned, wrong length, a duplicate: nothing changed */
  TSR_BLOCK_STORED,
  TSR_BLOCK_COMPLETED,   /* stored, and the piece is whole: take it */
} TsrBlockResult;

typedef struct _TsrBlockMap TsrBlockMap;

typedef struct
{
  /*< private >*/
  GHashTableIter  iter;
  TsrBlockMap    *map;
  gboolean        empty;
} TsrBlockMapIter;

/* @picker is borrowed and outlives the map; @memory is the budget in
 * bytes (at least two pieces are always allowed). */
TsrBlockMap    *tsr_block_map_new              (TsrMetainfo        *info,
                                                TsrPiecePicker     *picker,
                                                guint64             memory);
void            tsr_block_map_free             (TsrBlockMap        *self);

/* Starting and dropping pieces. */
gboolean        tsr_block_map_may_start_more   (TsrBlockMap        *self);
void            tsr_block_map_start            (TsrBlockMap        *self,
                                                guint               index);
gboolean        tsr_block_map_contains         (TsrBlockMap        *self,
                                                guint               index);
guint           tsr_block_map_get_size         (TsrBlockMap        *self);
/* Every wanted piece is started: the last blocks may be asked of
 * several peers. */
gboolean        tsr_block_map_in_endgame       (TsrBlockMap        *self);
/* Gives piece @index up (its web seed failed). */
void            tsr_block_map_drop             (TsrBlockMap        *self,
                                                guint               index);
/* Gives every piece up (the torrent stopped). */
void            tsr_block_map_clear            (TsrBlockMap        *self);
void            tsr_block_map_iter_init        (TsrBlockMapIter    *iter,
                                                TsrBlockMap        *self);
gboolean        tsr_block_map_iter_next        (TsrBlockMapIter    *iter,
                                                guint              *index);

/* Blocks of a piece in progress. */
guint           tsr_block_map_get_n_blocks     (TsrBlockMap        *self,
                                                guint               index);
/* The first free block (n_blocks when none): amortized O(1), since the
 * hint only moves back when a block is given back. */
guint           tsr_block_map_next_free        (TsrBlockMap        *self,
                                                guint               index);
TsrBlockState   tsr_block_map_get_state        (TsrBlockMap        *self,
                                                guint               index,
                                                guint               block);
guint           tsr_block_map_get_requesters   (TsrBlockMap        *self,
                                                guint               index,
                                                guint               block);
guint32         tsr_block_map_get_block_length (TsrBlockMap        *self,
                                                guint               index,
                                                guint               block);
/* Hashing and writing, or reserved by a web seed: peers are not asked. */
gboolean        tsr_block_map_is_busy          (TsrBlockMap        *self,
                                                guint               index);
gboolean        tsr_block_map_is_writing       (TsrBlockMap        *self,
                                                guint               index);
/* A peer was asked for the block, or the request is gone (choked,
 * rejected, cancelled, the peer left): the block is free again once
 * nobody was asked. */
void            tsr_block_map_asked            (TsrBlockMap        *self,
                                                guint               index,
                                                guint               block);
void            tsr_block_map_unasked          (TsrBlockMap        *self,
                                                guint               index,
                                                guint               block);
/* A block arrived: copied into the piece's buffer. */
TsrBlockResult  tsr_block_map_put              (TsrBlockMap        *self,
                                                guint               index,
                                                guint32             begin,
                                                const guint8       *data,
                                                gsize               length);
/* A web seed fetches piece @index whole; @owner (not NULL) names it. */
void            tsr_block_map_reserve          (TsrBlockMap        *self,
                                                guint               index,
                                                gconstpointer       owner);
gconstpointer   tsr_block_map_get_reserved     (TsrBlockMap        *self,
                                                guint               index);
/* The web seed's whole piece: TRUE (then take it) when its size is right. */
gboolean        tsr_block_map_put_whole        (TsrBlockMap        *self,
                                                guint               index,
                                                GBytes             *piece);
/* The whole piece for the disk; from now on it is "writing". The bytes
 * go back to the buffer pool when their last reference drops. */
GBytes         *tsr_block_map_take_complete    (TsrBlockMap        *self,
                                                guint               index);
/* The disk's verdict: passed, the piece leaves the map; failed, it is
 * fetched again from scratch (and unreserved). */
void            tsr_block_map_written          (TsrBlockMap        *self,
                                                guint               index,
                                                gboolean            hash_ok);
/* Of piece @index, the fraction received (0 when not in progress), and
 * block counts by state for debug output. */
gfloat          tsr_block_map_get_fraction     (TsrBlockMap        *self,
                                                guint               index);
void            tsr_block_map_count            (TsrBlockMap        *self,
                                                guint               index,
                                                guint               counts[3]);

G_END_DECLS
