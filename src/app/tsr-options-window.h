/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-options-window.h: a torrent's own options, from the torrent menu
 * and the details: sequential download, first and last pieces first,
 * stop seeding when idle, and peers for it. Applied at once, to each of
 * the torrents it was opened for, and kept by the library.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_OPTIONS_WINDOW (tsr_options_window_get_type ())
G_DECLARE_FINAL_TYPE (TsrOptionsWindow, tsr_options_window, TSR, OPTIONS_WINDOW, AdwPreferencesWindow)

/* For @torrents (element-type TsrTorrent, at least one; the first's
 * options are shown); @settings gives "max-peers-per-torrent", which a
 * torrent goes back to when its own peers are set to 0. */
GtkWidget *tsr_options_window_new (TsrLibrary *library,
                                   GPtrArray  *torrents,
                                   GSettings  *settings);

G_END_DECLS
