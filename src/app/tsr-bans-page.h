/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bans-page.h: the peers a torrent has banned (corrupt data, protocol
 * breaches), each with until when and why, and a button that lifts all
 * the bans; a details page.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_BANS_PAGE (tsr_bans_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrBansPage, tsr_bans_page, TSR, BANS_PAGE, GtkWidget)

/* @torrent: (nullable): whose bans to show (borrowed: the details view
 * keeps it while it is shown). */
void tsr_bans_page_set_torrent (TsrBansPage *self,
                                TsrTorrent  *torrent);
/* Rebuilds the list if the bans changed. */
void tsr_bans_page_refresh     (TsrBansPage *self);

G_END_DECLS
