/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-columns.h: the columns of the torrent list: name, progress,
 * state, size, rates, peers, seeds, ratio and ETA of each TsrTorrent,
 * each sortable and resizable. Its cells are a label or a progress bar
 * (no composite widget, so no template): they bind once, in setup, and
 * follow the torrent's notifications.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

/* The object data of a sortable column naming it for the window's
 * "sort-by" setting: its property ("name", "progress", "state", "size",
 * "down-rate", "up-rate", "ratio", ...), "queue" for the "#" column and
 * "added" for the Added one. */
#define TSR_TORRENT_COLUMNS_SORT_KEY "tsr-sort-key"

/* Appends the columns to @view, whose model holds TsrTorrents; each
 * column's sorter compares the property its cells show. */
void tsr_torrent_columns_append (GtkColumnView *view);
/* Appends a "Labels" column: each torrent's labels from @library, kept
 * up by its "labels-changed"; sorted by them. */
void tsr_torrent_columns_append_labels (GtkColumnView *view,
                                        TsrLibrary    *library);

/* Appends an "Added" column: when the library took each torrent in
 * (tsr_library_get_added), as a date; sorted by it ("added"). */
void tsr_torrent_columns_append_added (GtkColumnView *view,
                                       TsrLibrary    *library);

/* Inserts a "#" column at @position: each torrent's queue position in
 * @session, counted from 1, kept up by its "queue-changed"; sorted by it. */
void tsr_torrent_columns_insert_queue (GtkColumnView *view,
                                       guint          position,
                                       TsrSession    *session);

G_END_DECLS
