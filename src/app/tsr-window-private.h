/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-private.h: the window's own struct, shared by its own files
 * only (a widget's own private header): tsr-window.c (the list, the
 * torrent actions, the status line, the window's life),
 * tsr-window-add.c (what comes in: torrent files and magnet links to
 * add, files to share), tsr-window-find.c (sidebar, search, labels) and
 * tsr-window-queue.c (queue positions) and tsr-window-view.c (list
 * modes, details pane). tsr-window.c calls into the
 * others, never the other way round.
 */
#pragma once

#include "tsr-details-view.h"
#include "tsr-speed-graph.h"
#include "tsr-torrent-filter.h"
#include "tsr-window.h"

G_BEGIN_DECLS

struct _TsrWindow
{
  AdwApplicationWindow  parent_instance;
  GSettings            *settings;         /* (owned) */
  TsrLibrary           *library;          /* (owned) */
  GtkMultiSelection    *selection;        /* (owned) */
  GtkFileChooserNative *chooser;          /* (owned) (nullable) while open: tsr-window-add.c's */
  AdwToastOverlay      *toast_overlay;    /* template child */
  GtkStack             *main_stack;       /* template child */
  GtkColumnView        *column_view;      /* template child: the compact mode */
  GtkListView          *list_view;        /* template child: the detailed mode */
  GtkStack             *list_stack;       /* template child: "compact" or "detailed" */
  GtkPaned             *paned;            /* template child */
  GtkWidget            *create_button;    /* template child */
  TsrDetailsView       *details_view;     /* template child: hidden unless one torrent is selected */
  TsrTorrent           *details_torrent;  /* (owned) (nullable) the one selected, tsr-window-view.c's */
  GMenuModel           *torrent_menu;     /* template child */
  GtkLabel             *status_label;     /* template child */
  GtkLabel             *alt_speed_label;  /* template child: shown while the alternative limits are on */
  TsrSpeedGraph        *session_graph;    /* template child: in the status line's popover */
  TsrSpeedHistory      *session_speed;    /* (owned) all torrents' rates, sampled with the status line */
  AdwFlap              *flap;             /* template child */
  GtkListBox           *sidebar_list;     /* template child */
  GtkSearchBar         *search_bar;       /* template child */
  GtkEditable          *search_entry;     /* template child */
  GtkToggleButton      *search_button;    /* template child */
  TsrTorrentGroups     *groups;           /* (owned) tsr-window-find.c's */
  TsrTorrentFilter     *filter;           /* (owned) tsr-window-find.c's */
  guint                 status_timer;
  guint                 sort_idle;        /* tsr-window-view.c's: a header click to the settings */
  gboolean              applying_sort;    /* tsr-window-view.c's: the settings to the headers */
};

/* tsr-window-add.c, from tsr_window_init (): the "add-torrent",
 * "add-magnet" and "create" actions, and the drop targets on the window
 * and on the create button. */
void _tsr_window_add_init           (TsrWindow  *self);
/* For a magnet @torrent just listed and still without its metainfo: if
 * it was added with "ask before adding", the add dialog opens when the
 * metainfo comes. */
void _tsr_window_add_watch_magnet   (TsrWindow  *self,
                                     TsrTorrent *torrent);

/* tsr-window-find.c, from tsr_window_init (): the "find", "show-sidebar"
 * and "labels" actions and the search bar. */
void        _tsr_window_find_init   (TsrWindow  *self);
/* From constructed: the sidebar over the library and the list's filter;
 * returns (transfer full) @torrents filtered. */
GListModel *_tsr_window_find_filter (TsrWindow  *self,
                                     GListModel *torrents);
/* From dispose, before the template goes: the sidebar lets go of the groups. */
void        _tsr_window_find_dispose (TsrWindow *self);
/* The selected torrents (element-type TsrTorrent), in list order. */
GPtrArray  *_tsr_window_dup_selected (TsrWindow *self);

/* tsr-window-queue.c, from constructed: the "#" column, the "queue-top",
 * "queue-up", "queue-down" and "queue-bottom" actions and their keys. */
void        _tsr_window_queue_init   (TsrWindow *self);

/* tsr-window-view.c: the list's modes and the details pane. From
 * tsr_window_init (), after the settings: the "list-mode" and
 * "show-details" actions and the detailed mode's rows. */
void        _tsr_window_view_init    (TsrWindow  *self);
/* On each selection change: @torrent (nullable) is the one selected
 * torrent; the pane shows it, or hides. */
void        _tsr_window_view_show_torrent (TsrWindow  *self,
                                           TsrTorrent *torrent);
/* From constructed, once every column is in: the "sort-by" and
 * "sort-descending" actions over the settings of those names, which sort
 * the one sorted model under both modes (through the compact mode's
 * column headers, whose clicks write them back). */
void        _tsr_window_view_sort_init (TsrWindow *self);
/* Keeps the divider's position in the settings (while the pane shows). */
void        _tsr_window_view_save    (TsrWindow  *self);
/* Focus to, or scroll to @position in, whichever list is shown. */
void        _tsr_window_view_focus_list (TsrWindow *self);
void        _tsr_window_view_scroll_to  (TsrWindow *self,
                                         guint      position);
void        _tsr_window_view_dispose (TsrWindow  *self);
/* The window's own stateful action over the setting @key, of its name:
 * not g_settings_create_action (), whose action outlives a closed window
 * in GLib 2.74 and warns on the next change. */
void        _tsr_window_add_setting_action (TsrWindow  *self,
                                            const char *key);

G_END_DECLS
