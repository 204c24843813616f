/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-ids.h: the numbers remote clients know torrents by (the
 * Transmission RPC's "id"): given in the order torrents are first seen,
 * never reused, stable for the life of the server; and which torrents
 * went away lately, for "recently-active".
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct _TsrRpcIds TsrRpcIds;

/* Watches @torrents (element-type TsrTorrent), numbering those it holds. */
TsrRpcIds  *tsr_rpc_ids_new           (GListModel *torrents);
void        tsr_rpc_ids_free          (TsrRpcIds  *self);
/* @torrent's id, given now if it has none yet. */
gint64      tsr_rpc_ids_get           (TsrRpcIds  *self,
                                       TsrTorrent *torrent);
/* (nullable) (transfer none) The torrent numbered @id, if still there. */
TsrTorrent *tsr_rpc_ids_lookup        (TsrRpcIds  *self,
                                       gint64      id);
/* Real seconds since the epoch when @torrent was first seen. */
gint64      tsr_rpc_ids_get_added     (TsrRpcIds  *self,
                                       TsrTorrent *torrent);
/* Ids removed in the last @seconds (element-type gint64 in a GArray). */
GArray     *tsr_rpc_ids_dup_removed   (TsrRpcIds  *self,
                                       gint64      seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrRpcIds, tsr_rpc_ids_free)

G_END_DECLS
