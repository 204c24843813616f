/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-details-view.h: the selected torrent's details, as the original
 * wm/torrent window showed them, one page each: the overview (pieces and
 * availability bars, state and info grids, limits), files, peers with a
 * disconnect button each, trackers, banned peers and the three logs (see
 * tsr-*-page.h). Refreshed once a second while a torrent is shown.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_DETAILS_VIEW (tsr_details_view_get_type ())
G_DECLARE_FINAL_TYPE (TsrDetailsView, tsr_details_view, TSR, DETAILS_VIEW, GtkWidget)

GtkWidget  *tsr_details_view_new         (void);
/* Where edited per-torrent limits are kept. */
void        tsr_details_view_set_library (TsrDetailsView *self,
                                          TsrLibrary     *library);
/* @torrent: (nullable): what to show; NULL shows a hint instead. */
void        tsr_details_view_set_torrent (TsrDetailsView *self,
                                          TsrTorrent     *torrent);
/* (nullable) (transfer none) the torrent shown. */
TsrTorrent *tsr_details_view_get_torrent (TsrDetailsView *self);
/* The rows of the peers page (element-type TsrPeerRow), for tests. */
GListModel *tsr_details_view_get_peers   (TsrDetailsView *self);
/* Shows one page by name ("overview", "files", "peers"…); unknown names
 * are ignored. */
void        tsr_details_view_show_page   (TsrDetailsView *self,
                                          const char     *name);
/* Refreshes now instead of at the next second. */
void        tsr_details_view_refresh     (TsrDetailsView *self);

G_END_DECLS
