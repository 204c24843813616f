/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-piece-picker.h: which piece to start next. Keeps how many
 * connected peers have each piece, updated as bitfields, haves and
 * departures arrive (never recomputed per request), and picks the rarest
 * piece a peer has, with a random tie-break, high-priority pieces first
 * and skipped ones never; the first few pieces are picked at random, so
 * that there is soon something to trade; a sequential mode picks in
 * order, for playing media while it downloads.
 *
 * Pure bookkeeping, no I/O: the torrent tells it what happens.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-metainfo.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_PRIORITY_SKIP,
  TSR_PRIORITY_NORMAL,
  TSR_PRIORITY_HIGH,
} TsrPriority;

typedef struct _TsrPiecePicker TsrPiecePicker;

/* Pieces picked at random before rarest-first starts. */
#define TSR_PIECE_PICKER_RANDOM_FIRST 4

TsrPiecePicker *tsr_piece_picker_new              (guint                n_pieces);
void            tsr_piece_picker_free             (TsrPiecePicker      *self);

/* Availability: a peer's bitfield arrives or leaves; a peer says "have". */
void            tsr_piece_picker_add_bitfield     (TsrPiecePicker      *self,
                                                   const TsrBitfield   *have);
void            tsr_piece_picker_remove_bitfield  (TsrPiecePicker      *self,
                                                   const TsrBitfield   *have);
void            tsr_piece_picker_add_have         (TsrPiecePicker      *self,
                                                   guint                index);
guint           tsr_piece_picker_get_availability (TsrPiecePicker      *self,
                                                   guint                index);

/* Our side: pieces we have are never picked; nor are pieces in progress
 * (started and not yet verified or given up). */
void            tsr_piece_picker_set_have         (TsrPiecePicker      *self,
                                                   guint                index,
                                                   gboolean             have);
void            tsr_piece_picker_set_in_progress  (TsrPiecePicker      *self,
                                                   guint                index,
                                                   gboolean             in_progress);
void            tsr_piece_picker_set_priority     (TsrPiecePicker      *self,
                                                   guint                index,
                                                   TsrPriority          priority);
TsrPriority     tsr_piece_picker_get_priority     (TsrPiecePicker      *self,
                                                   guint                index);
/* Each piece of @info gets the highest of the priorities of the files it
 * holds bytes of (@file_priority: a TsrPriority per file; pad files do not
 * count): a piece shared with a wanted file is fetched even if its other
 * file is skipped. */
void            tsr_piece_picker_set_file_priorities (TsrPiecePicker    *self,
                                                      const TsrMetainfo *info,
                                                      const guint8      *file_priority);
void            tsr_piece_picker_set_sequential   (TsrPiecePicker      *self,
                                                   gboolean             sequential);
/* From the next tsr_piece_picker_set_file_priorities on, the first and
 * the last piece of each file that is not skipped are high priority:
 * what a media player needs first to preview a file. */
void            tsr_piece_picker_set_first_last   (TsrPiecePicker      *self,
                                                   gboolean             first_last);
/* Bytes of per-piece arrays held: 0 while no peer has a piece and every
 * piece is missing, not in progress and of normal priority (idle). */
gsize           tsr_piece_picker_get_memory       (TsrPiecePicker      *self);
/* Pieces neither had nor skipped. */
guint           tsr_piece_picker_count_wanted     (TsrPiecePicker      *self);

/* A piece to start that @peer_have holds: wanted, not had, not in
 * progress. FALSE when there is none. */
/* The same for a source that is not a connected peer (a web seed): pieces
 * no peer has come first, as the rarest. */
gboolean        tsr_piece_picker_pick_for_source  (TsrPiecePicker      *self,
                                                   const TsrBitfield   *source_have,
                                                   guint               *index);
gboolean        tsr_piece_picker_pick             (TsrPiecePicker      *self,
                                                   const TsrBitfield   *peer_have,
                                                   guint               *index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrPiecePicker, tsr_piece_picker_free)

G_END_DECLS
