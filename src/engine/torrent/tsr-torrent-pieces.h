/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-pieces.h: what a torrent has and wants of its pieces: the
 * verified pieces ("have"), the picker, the block map of pieces in
 * progress, the smart ban that answers for failed pieces, the file
 * priorities and the sequential flag. Told when a piece was written (or
 * failed its hash), it updates all of those and reports upward through
 * TsrTorrentPiecesFuncs. Made with the metainfo.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-block-map.h"
#include "tsr-magnet.h"
#include "tsr-metainfo.h"
#include "tsr-peer-address.h"
#include "tsr-piece-picker.h"
#include "tsr-smart-ban.h"

G_BEGIN_DECLS

typedef struct _TsrTorrentPieces TsrTorrentPieces;

typedef struct
{
  /* Piece @index passed its hash: it is had now (have, picker, smart ban
   * and block map updated). Once per piece written. */
  void     (*verified)    (guint                 index,
                           gpointer              user_data);
  /* Piece @index failed its hash. TRUE: someone else answers for it (a
   * web seed, which sent it whole); FALSE: its senders do, through the
   * smart ban, and the block map starts it afresh. */
  gboolean (*hash_failed) (guint                 index,
                           gpointer              user_data);
  /* The smart ban names a peer that sent bad data. */
  void     (*ban)         (const TsrPeerAddress *address,
                           const char           *reason,
                           gpointer              user_data);
} TsrTorrentPiecesFuncs;

/* @memory: bytes of pieces in progress the block map may hold. */
TsrTorrentPieces *tsr_torrent_pieces_new       (TsrMetainfo                 *info,
                                                gsize                        memory,
                                                gboolean                     sequential,
                                                const TsrTorrentPiecesFuncs *funcs,
                                                gpointer                     user_data);
void              tsr_torrent_pieces_free      (TsrTorrentPieces            *self);

/* Borrowed, as long as @self lives. The block map and the smart ban are
 * made by the first call (the swarm's first member, or the web seeds):
 * _peek_ gives them, or NULL, without making them. */
TsrBitfield      *tsr_torrent_pieces_get_have      (TsrTorrentPieces *self);
TsrBlockMap      *tsr_torrent_pieces_get_blocks    (TsrTorrentPieces *self);
TsrBlockMap      *tsr_torrent_pieces_peek_blocks   (TsrTorrentPieces *self);
TsrPiecePicker   *tsr_torrent_pieces_get_picker    (TsrTorrentPieces *self);
TsrSmartBan      *tsr_torrent_pieces_get_smart_ban (TsrTorrentPieces *self);
TsrSmartBan      *tsr_torrent_pieces_peek_smart_ban (TsrTorrentPieces *self);

/* Piece @index reached the disk: passed (@hash_ok) or failed its hash.
 * Reports verified or hash_failed. */
void              tsr_torrent_pieces_written   (TsrTorrentPieces            *self,
                                                guint                        index,
                                                gboolean                     hash_ok);
/* A check or a resume record says which pieces are good: "have" holds
 * exactly those now (the picker follows at tsr_torrent_pieces_known). */
void              tsr_torrent_pieces_load_have (TsrTorrentPieces            *self,
                                                const TsrBitfield           *have);
/* "have" is true now: the picker learns it. */
void              tsr_torrent_pieces_known     (TsrTorrentPieces            *self);
/* The torrent stopped: pieces in progress are dropped (strikes stay). */
void              tsr_torrent_pieces_stop      (TsrTorrentPieces            *self);

/* TRUE when the priority changed (and with it what the picker wants). */
gboolean          tsr_torrent_pieces_set_file_priority (TsrTorrentPieces *self,
                                                        guint             file,
                                                        TsrPriority       priority);
TsrPriority       tsr_torrent_pieces_get_file_priority (TsrTorrentPieces *self,
                                                        guint             file);
/* BEP 53 "so": the files @magnet does not select are skipped. */
void              tsr_torrent_pieces_select_files      (TsrTorrentPieces *self,
                                                        const TsrMagnet  *magnet);
void              tsr_torrent_pieces_set_sequential    (TsrTorrentPieces *self,
                                                        gboolean          sequential);
/* Each wanted file's first and last pieces before the rest (the
 * picker's priorities are made again). */
void              tsr_torrent_pieces_set_first_last    (TsrTorrentPieces *self,
                                                        gboolean          first_last);
/* Pieces wanted and not had. */
guint             tsr_torrent_pieces_count_wanted      (TsrTorrentPieces *self);
/* Bytes of verified pieces (the last one may be short). */
guint64           tsr_torrent_pieces_get_bytes_have    (TsrTorrentPieces *self);

G_END_DECLS
