/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-pieces.c: a torrent's pieces: which it has, which it
 * wants, which are in progress and who sent them. A piece written to
 * disk becomes had here (smart ban cleared, block map told, picker told)
 * before the owner hears "verified"; a failed one strikes its senders,
 * unless the owner says a web seed answers for it.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <string.h>

#include "tsr-torrent-pieces.h"

struct _TsrTorrentPieces
{
  TsrMetainfo                 *info;          /* (owned) */
  TsrBitfield                 *have;          /* (owned) verified pieces */
  TsrPiecePicker              *picker;        /* (owned) availability, what to start next */
  TsrBlockMap                 *blocks;        /* (owned) (nullable) pieces in progress: made at first need */
  TsrSmartBan                 *smart_ban;     /* (owned) (nullable) who answers for failed pieces: likewise */
  gsize                        memory;        /* the block map's budget */
  guint8                      *file_priority; /* (owned) TsrPriority per file */
  const TsrTorrentPiecesFuncs *funcs;
  gpointer                     user_data;
};

static void
on_smart_ban (const TsrPeerAddress *address,
              const char           *reason,
              gpointer              user_data)
{
  TsrTorrentPieces *self = user_data;

  self->funcs->ban (address, reason, self->user_data);
}

static const TsrSmartBanFuncs smart_ban_funcs = {
  .ban = on_smart_ban,
};

TsrTorrentPieces *
tsr_torrent_pieces_new (TsrMetainfo                 *info,
                        gsize                        memory,
                        gboolean                     sequential,
                        const TsrTorrentPiecesFuncs *funcs,
                        gpointer                     user_data)
{
  TsrTorrentPieces *self = g_new0 (TsrTorrentPieces, 1);

  self->info = tsr_metainfo_ref (info);
  self->funcs = funcs;
  self->user_data = user_data;
  self->have = tsr_bitfield_new (info->piece_count);
  self->picker = tsr_piece_picker_new (info->piece_count);
  tsr_piece_picker_set_sequential (self->picker, sequential);
  self->memory = memory;
  self->file_priority = g_malloc (MAX (info->n_files, 1));
  memset (self->file_priority, TSR_PRIORITY_NORMAL, info->n_files);
  return self;
}

void
tsr_torrent_pieces_free (TsrTorrentPieces *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->blocks, tsr_block_map_free);
  g_clear_pointer (&self->smart_ban, tsr_smart_ban_free);
  g_clear_pointer (&self->picker, tsr_piece_picker_free);
  g_clear_pointer (&self->have, tsr_bitfield_free);
  g_free (self->file_priority);
  tsr_metainfo_unref (self->info);
  g_free (self);
}

TsrBitfield *
tsr_torrent_pieces_get_have (TsrTorrentPieces *self)
{
  return self->have;
}

/* Pieces are fetched only through a peer or a web seed, which ask for
 * these: a torrent that never had one makes neither. */
TsrBlockMap *
tsr_torrent_pieces_get_blocks (TsrTorrentPieces *self)
{
  if (self->blocks == NULL)
    self->blocks = tsr_block_map_new (self->info, self->picker, self->memory);
  return self->blocks;
}

TsrBlockMap *
tsr_torrent_pieces_peek_blocks (TsrTorrentPieces *self)
{
  return self->blocks;
}

TsrPiecePicker *
tsr_torrent_pieces_get_picker (TsrTorrentPieces *self)
{
  return self->picker;
}

TsrSmartBan *
tsr_torrent_pieces_get_smart_ban (TsrTorrentPieces *self)
{
  if (self->smart_ban == NULL)
    self->smart_ban = tsr_smart_ban_new (&smart_ban_funcs, self);
  return self->smart_ban;
}

TsrSmartBan *
tsr_torrent_pieces_peek_smart_ban (TsrTorrentPieces *self)
{
  return self->smart_ban;
}

void
tsr_torrent_pieces_written (TsrTorrentPieces *self,
                            guint             index,
                            gboolean          hash_ok)
{
  g_return_if_fail (index < self->info->piece_count);

  if (!hash_ok)
    {
      /* Fetch it again; its senders answer for it (a web seed sent it
       * whole, alone: its owner bans it by its URL). */
      if (!self->funcs->hash_failed (index, self->user_data))
        {
          tsr_smart_ban_failed (tsr_torrent_pieces_get_smart_ban (self), index);
          tsr_block_map_written (tsr_torrent_pieces_get_blocks (self), index, FALSE);
        }
      return;
    }
  tsr_smart_ban_passed (tsr_torrent_pieces_get_smart_ban (self), index);
  tsr_block_map_written (tsr_torrent_pieces_get_blocks (self), index, TRUE);
  tsr_bitfield_set (self->have, index, TRUE);
  tsr_piece_picker_set_have (self->picker, index, TRUE);
  self->funcs->verified (index, self->user_data);
}

void
tsr_torrent_pieces_load_have (TsrTorrentPieces  *self,
                              const TsrBitfield *have)
{
  guint i;

  /* The check is the whole truth: what a previous run had counts for
   * nothing (a restart after the data changed, or "verify"). */
  tsr_bitfield_set_all (self->have, FALSE);
  for (i = 0; i < self->info->piece_count && i < tsr_bitfield_get_size (have); i++)
    if (tsr_bitfield_get (have, i))
      tsr_bitfield_set (self->have, i, TRUE);
}

void
tsr_torrent_pieces_known (TsrTorrentPieces *self)
{
  guint i;

  for (i = 0; i < self->info->piece_count; i++)
    tsr_piece_picker_set_have (self->picker, i, tsr_bitfield_get (self->have, i));
}

void
tsr_torrent_pieces_stop (TsrTorrentPieces *self)
{
  if (self->blocks != NULL)
    tsr_block_map_clear (self->blocks);
  if (self->smart_ban != NULL)
    tsr_smart_ban_forget_pieces (self->smart_ban);
}

gboolean
tsr_torrent_pieces_set_file_priority (TsrTorrentPieces *self,
                                      guint             file,
                                      TsrPriority       priority)
{
  g_return_val_if_fail (file < self->info->n_files, FALSE);
  if (self->file_priority[file] == priority)
    return FALSE;
  self->file_priority[file] = (guint8) priority;
  tsr_piece_picker_set_file_priorities (self->picker, self->info, self->file_priority);
  return TRUE;
}

TsrPriority
tsr_torrent_pieces_get_file_priority (TsrTorrentPieces *self,
                                      guint             file)
{
  g_return_val_if_fail (file < self->info->n_files, TSR_PRIORITY_SKIP);
  return (TsrPriority) self->file_priority[file];
}

void
tsr_torrent_pieces_select_files (TsrTorrentPieces *self,
                                 const TsrMagnet  *magnet)
{
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    if (!tsr_magnet_selects_file (magnet, i))
      self->file_priority[i] = TSR_PRIORITY_SKIP;
  tsr_piece_picker_set_file_priorities (self->picker, self->info, self->file_priority);
}

void
tsr_torrent_pieces_set_first_last (TsrTorrentPieces *self,
                                   gboolean          first_last)
{
  tsr_piece_picker_set_first_last (self->picker, first_last);
  tsr_piece_picker_set_file_priorities (self->picker, self->info, self->file_priority);
}

void
tsr_torrent_pieces_set_sequential (TsrTorrentPieces *self,
                                   gboolean          sequential)
{
  tsr_piece_picker_set_sequential (self->picker, sequential);
}

guint
tsr_torrent_pieces_count_wanted (TsrTorrentPieces *self)
{
  return tsr_piece_picker_count_wanted (self->picker);
}

guint64
tsr_torrent_pieces_get_bytes_have (TsrTorrentPieces *self)
{
  guint count = tsr_bitfield_count (self->have);
  guint64 bytes = (guint64) count * self->info->piece_length;
  guint last = self->info->piece_count - 1;

  if (count > 0 && tsr_bitfield_get (self->have, last))
    bytes -= self->info->piece_length - tsr_metainfo_get_piece_size (self->info, last);
  return MIN (bytes, self->info->total_length);
}
