/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-filter.h: which torrents the list shows: those in the
 * sidebar's chosen group that match every word of the search. A word
 * matches the name; "label:WORD" a label and "tracker:WORD" a tracker
 * host; all case-insensitive, each a part of the text it looks in.
 *
 * There is one GtkFilter for the window's life (a GtkCustomFilter):
 * a keystroke calls gtk_filter_changed() on it, MORE_STRICT when each
 * word only grew or words were added, LESS_STRICT the other way round,
 * so the GtkFilterListModel over it looks again only at what can change.
 * A torrent that moves between groups (its state, rates, labels) while
 * the group or the search depends on that, or a magnet whose name came
 * during a search, is looked at again with all the others at most twice
 * a second (coalesced).
 */
#pragma once

#include <gtk/gtk.h>

#include "tsr-torrent-groups.h"

G_BEGIN_DECLS

#define TSR_TYPE_TORRENT_FILTER (tsr_torrent_filter_get_type ())
G_DECLARE_FINAL_TYPE (TsrTorrentFilter, tsr_torrent_filter, TSR, TORRENT_FILTER, GObject)

TsrTorrentFilter *tsr_torrent_filter_new        (TsrTorrentGroups *groups);
/* (transfer none) the same filter for the object's life. */
GtkFilter        *tsr_torrent_filter_get_filter (TsrTorrentFilter *self);
void              tsr_torrent_filter_set_search (TsrTorrentFilter *self,
                                                 const char       *text);
/* @group: nullable, meaning all. */
void              tsr_torrent_filter_set_group  (TsrTorrentFilter *self,
                                                 TsrTorrentGroup  *group);
TsrTorrentGroup  *tsr_torrent_filter_get_group  (TsrTorrentFilter *self);
gboolean          tsr_torrent_filter_match      (TsrTorrentFilter *self,
                                                 TsrTorrent       *torrent);

G_END_DECLS
