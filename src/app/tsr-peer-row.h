/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-row.h: one row of the peers view, and keeping a list of them
 * in step with the engine's peers: rows are updated in place (a row is
 * the same object for as long as its peer stays connected), added and
 * removed, so the view keeps its scroll position and selection.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_PEER_ROW (tsr_peer_row_get_type ())
G_DECLARE_FINAL_TYPE (TsrPeerRow, tsr_peer_row, TSR, PEER_ROW, GObject)

const char *tsr_peer_row_get_address (TsrPeerRow *self);

/* Brings @store (element-type TsrPeerRow) in step with @infos
 * (element-type TsrPeerInfo); notifies only what changed. */
void        tsr_peer_rows_update     (GListStore *store,
                                      GPtrArray  *infos);

G_END_DECLS
