/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-trackers-page.h: a torrent's trackers, tier by tier, each with what
 * it last answered (and its swarm's counts when scraped), when the next
 * announce goes out and a button to ask now; a details page.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_TRACKERS_PAGE (tsr_trackers_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrTrackersPage, tsr_trackers_page, TSR, TRACKERS_PAGE, GtkWidget)

/* @torrent: (nullable): whose trackers to show; it must have its
 * metainfo. */
void tsr_trackers_page_set_torrent (TsrTrackersPage *self,
                                    TsrTorrent      *torrent);
/* The next announce; the rows are rebuilt if a tracker's status changed. */
void tsr_trackers_page_refresh     (TsrTrackersPage *self);

G_END_DECLS
