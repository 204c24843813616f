/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peers-page.h: a torrent's connected peers in a column view (address,
 * client, rates, flags…), each row with a button that disconnects it; a
 * details page.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_PEERS_PAGE (tsr_peers_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrPeersPage, tsr_peers_page, TSR, PEERS_PAGE, GtkWidget)

/* @torrent: (nullable): whose peers to show; the rows go until the next
 * refresh. */
void        tsr_peers_page_set_torrent (TsrPeersPage *self,
                                        TsrTorrent   *torrent);
/* Brings the rows in step with @peers (element-type TsrPeerInfo, from
 * tsr_torrent_dup_peer_infos), in place. */
void        tsr_peers_page_refresh     (TsrPeersPage *self,
                                        GPtrArray    *peers);
/* The rows (element-type TsrPeerRow). */
GListModel *tsr_peers_page_get_rows    (TsrPeersPage *self);

G_END_DECLS
