/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-row.h: one torrent in the list's detailed mode, two lines
 * as Transmission shows them: the name in bold, under it a progress bar
 * and a status line ("1.2 GB of 4.0 GB (30 %) — ↓ 2.1 MB/s ↑ 300 kB/s —
 * 12 peers — 5 min left"). A row follows its torrent's notifications
 * only while it is bound to one, so that only rows on screen cost.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_TORRENT_ROW (tsr_torrent_row_get_type ())
G_DECLARE_FINAL_TYPE (TsrTorrentRow, tsr_torrent_row, TSR, TORRENT_ROW, GtkWidget)

GtkWidget          *tsr_torrent_row_new               (void);
/* @torrent: (nullable): the torrent shown and followed; NULL lets go. */
void                tsr_torrent_row_set_torrent       (TsrTorrentRow *self,
                                                       TsrTorrent    *torrent);
TsrTorrent         *tsr_torrent_row_get_torrent       (TsrTorrentRow *self);
/* The status line as shown, and what a screen reader says for the row
 * ("NAME, 30 percent, Downloading"), for tests. */
const char         *tsr_torrent_row_get_status        (TsrTorrentRow *self);
const char         *tsr_torrent_row_get_accessible_text (TsrTorrentRow *self);

/* Returns: (transfer full): the status line of @torrent. */
char               *tsr_torrent_row_format_status     (TsrTorrent    *torrent);

/* Returns: (transfer full): a factory of rows for a list view whose
 * model holds TsrTorrents: each row is bound and unbound with its item. */
GtkListItemFactory *tsr_torrent_row_factory_new       (void);

G_END_DECLS
