/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-trackers-dialog.h: editing a torrent's trackers as text, as
 * Transmission does: one announce URL a line, tiers apart by a blank
 * line; and under them its web seeds (BEP 19), one URL a line. Apply
 * hands the tiers to the library (tsr_library_set_trackers), which
 * refuses a URL that is not http, https or udp, and the web seeds, when
 * edited, too (tsr_library_set_web_seeds), which refuses one that is not
 * http or https: each error is told as a toast and that list does not
 * change.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

/* Tiers (element-type GPtrArray of URLs) from the text: lines trimmed,
 * a blank line ends a tier, empty tiers left out. */
GPtrArray *tsr_trackers_dialog_parse  (const char *text);
/* The text for @tiers, the inverse of tsr_trackers_dialog_parse. */
char      *tsr_trackers_dialog_format (GPtrArray  *tiers);
/* Web seed URLs (a new NULL-terminated array) from the text: lines
 * trimmed, blank ones left out. */
char     **tsr_trackers_dialog_parse_web_seeds (const char *text);
/* An AdwMessageDialog over @parent for @torrent, presented; errors go
 * to @toasts (nullable). */
GtkWidget *tsr_trackers_dialog_new    (GtkWindow       *parent,
                                       AdwToastOverlay *toasts,
                                       TsrLibrary      *library,
                                       TsrTorrent      *torrent);

G_END_DECLS
