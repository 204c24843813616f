/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-magnet.h: a torrent added from a magnet link until its
 * metainfo comes (BEP 9): the link (with the name it shows meanwhile),
 * the hash peers and trackers know it by, an empty "have", the progress
 * of the fetch and whether to stop once the metainfo is here. It starts
 * the fetch through ut_metadata, is handed what the fetch ended with,
 * checks it and reports upward through TsrTorrentMagnetFuncs, once.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-ext-hashes.h"
#include "tsr-ext-metadata.h"
#include "tsr-magnet.h"
#include "tsr-metainfo.h"

G_BEGIN_DECLS

typedef struct _TsrTorrentMagnet TsrTorrentMagnet;

typedef struct
{
  /* The metainfo came whole (a v2-only torrent's piece hashes too) and
   * the fetch is stopped; @stop: the owner was asked to stop here, for
   * someone to choose files and folder. */
  void (*ready)  (TsrMetainfo  *info,
                  gboolean      stop,
                  gpointer      user_data);
  /* The fetch ended with nothing of use: why. */
  void (*failed) (const GError *error,
                  gpointer      user_data);
} TsrTorrentMagnetFuncs;

/* Copies @magnet (which names a v1 or a v2 hash) and fetches its info
 * dictionary through @metadata (nullable: no fetch), a v2-only one's
 * piece layers through @hashes. */
TsrTorrentMagnet  *tsr_torrent_magnet_new            (const TsrMagnet             *magnet,
                                                      TsrExtMetadata              *metadata,
                                                      TsrExtHashes                *hashes,
                                                      const TsrTorrentMagnetFuncs *funcs,
                                                      gpointer                     user_data);
void               tsr_torrent_magnet_free           (TsrTorrentMagnet            *self);
/* The link, its "dn" filled with the hash in hex when it had none. */
const TsrMagnet   *tsr_torrent_magnet_get_magnet     (TsrTorrentMagnet            *self);
const char        *tsr_torrent_magnet_get_name       (TsrTorrentMagnet            *self);
/* 20 bytes: the v1 hash, else the v2 hash cut short (BEP 52). */
const guint8      *tsr_torrent_magnet_get_wire_hash  (TsrTorrentMagnet            *self);
/* Empty: nothing is had before the metainfo. */
const TsrBitfield *tsr_torrent_magnet_get_have       (TsrTorrentMagnet            *self);
/* 0 to 1; 1 once the metainfo was reported. */
gdouble            tsr_torrent_magnet_get_progress   (TsrTorrentMagnet            *self);
void               tsr_torrent_magnet_set_stop_after (TsrTorrentMagnet            *self,
                                                      gboolean                     stop);
/* What the fetch ended with (@info NULL: @error says why): reported as
 * ready or failed; nothing once the metainfo was reported. */
void               tsr_torrent_magnet_take           (TsrTorrentMagnet            *self,
                                                      TsrMetainfo                 *info,
                                                      const GError                *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTorrentMagnet, tsr_torrent_magnet_free)

G_END_DECLS
