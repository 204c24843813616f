/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-overview-page.h: a torrent at a glance, as the original wm/torrent
 * window showed it: the pieces we have and their availability as bars,
 * start/stop/announce buttons, state and info grids and the torrent's own
 * limits; and, when it failed on a full disk or on data gone, what
 * happened with a button that resumes or verifies it. A details page.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_OVERVIEW_PAGE (tsr_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrOverviewPage, tsr_overview_page, TSR, OVERVIEW_PAGE, GtkWidget)

/* Where edited limits are kept, and through which Resume starts. */
void tsr_overview_page_set_library (TsrOverviewPage *self,
                                    TsrLibrary      *library);
/* @torrent: (nullable): what to show; it must have its metainfo. Fills
 * the info grid and the limits; the rest comes with the refresh. */
void tsr_overview_page_set_torrent (TsrOverviewPage *self,
                                    TsrTorrent      *torrent);
/* The bars, the state grid and the error, with @peers (element-type
 * TsrPeerInfo) the torrent's peers now. */
void tsr_overview_page_refresh     (TsrOverviewPage *self,
                                    GPtrArray       *peers);

G_END_DECLS
