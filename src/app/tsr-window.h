/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window.h: the main window: the torrent list and the details of the
 * selected torrent.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_WINDOW (tsr_window_get_type ())
G_DECLARE_FINAL_TYPE (TsrWindow, tsr_window, TSR, WINDOW, AdwApplicationWindow)

TsrWindow *tsr_window_new        (AdwApplication *application,
                                  TsrLibrary     *library);
void       tsr_window_add_toast  (TsrWindow      *self,
                                  const char     *message);
/* Adds a torrent file (from a chooser, a drop, or the desktop); a toast
 * says why when it cannot. */
gboolean   tsr_window_add_file   (TsrWindow      *self,
                                  GFile          *file);
gboolean   tsr_window_add_magnet (TsrWindow      *self,
                                  const char     *uri);
/* What a drop on the window does with @value: a GdkFileList of torrent
 * files, or text holding a magnet link. TRUE when something was added. */
gboolean   tsr_window_drop       (TsrWindow      *self,
                                  const GValue   *value);
/* For tests and tessera-screenshots (tests/app/screenshots.c): selects
 * row @position and shows details page @page; saves what the window
 * shows as a PNG. */
void       tsr_window_show       (TsrWindow      *self,
                                  guint           position,
                                  const char     *page);
gboolean   tsr_window_save_png   (TsrWindow      *self,
                                  const char     *path,
                                  GError        **error);
/* Opens the creation dialog, with @path (nullable) dropped on it. */
GtkWidget *tsr_window_open_create_dialog (TsrWindow  *self,
                                          const char *path);
/* Finding and organising (tsr-window-find.c): the sidebar's rows
 * (element-type TsrTorrentGroup) and choosing row @position; the search
 * text, as if typed: the differing end deleted, then the rest inserted
 * (it opens the search bar); the list's filtered model
 * (the same one for the window's life); the labels dialog for the
 * selected torrents (NULL when none is selected). */
GListModel         *tsr_window_get_groups   (TsrWindow  *self);
void                tsr_window_show_group   (TsrWindow  *self,
                                             guint       position);
void                tsr_window_set_search   (TsrWindow  *self,
                                             const char *text);
GtkFilterListModel *tsr_window_get_filtered (TsrWindow  *self);
GtkWidget          *tsr_window_open_labels_dialog (TsrWindow *self);
/* Selects @torrent alone and scrolls to it, first showing all torrents
 * (the search closed, the sidebar on All) when they hide it; FALSE when
 * it is not in the library. */
gboolean            tsr_window_select_torrent (TsrWindow  *self,
                                               TsrTorrent *torrent);
/* The trackers dialog for the selected torrent (NULL unless exactly one
 * is selected). */
GtkWidget          *tsr_window_open_trackers_dialog (TsrWindow *self);
/* The status line under the list: rates, peers, the DHT, the port. */
char      *tsr_window_format_status (TsrLibrary *library);

G_END_DECLS
