/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-groups.h: the sidebar's rows and their counts over a
 * library of thousands of torrents. Each torrent is looked at once when
 * it is listed, then again only when one of its own signals says
 * something changed (its state, its rates, its metainfo, its labels):
 * the counts it was in go down and the ones it is now in go up. Nothing
 * ever recounts the whole library. It also answers, for the list's
 * filter, whether a torrent is in a group and what its hosts and labels
 * are, from what it keeps per torrent.
 */
#pragma once

#include "tessera-engine.h"
#include "tsr-torrent-group.h"

G_BEGIN_DECLS

#define TSR_TYPE_TORRENT_GROUPS (tsr_torrent_groups_get_type ())
G_DECLARE_FINAL_TYPE (TsrTorrentGroups, tsr_torrent_groups, TSR, TORRENT_GROUPS, GObject)

TsrTorrentGroups   *tsr_torrent_groups_new        (TsrLibrary       *library);
/* The rows (element-type TsrTorrentGroup): the eight states, then one
 * per tracker host, then one per label, each sorted; a host or label
 * row comes with its first torrent and goes with its last. */
GListModel         *tsr_torrent_groups_get_model  (TsrTorrentGroups *self);
/* The label rows' labels, sorted (for the label chooser). */
GStrv               tsr_torrent_groups_dup_labels (TsrTorrentGroups *self);
gboolean            tsr_torrent_groups_match      (TsrTorrentGroups *self,
                                                   TsrTorrentGroup  *group,
                                                   TsrTorrent       *torrent);
/* (transfer none) the library whose torrents are grouped. */
TsrLibrary         *tsr_torrent_groups_get_library (TsrTorrentGroups *self);
/* The torrent's tracker hosts, lower case (never NULL). */
const char * const *tsr_torrent_groups_get_hosts  (TsrTorrentGroups *self,
                                                   TsrTorrent       *torrent);

/* Signals, each with the TsrTorrent: "changed" when it moved between
 * groups; "renamed" when its metainfo came (a magnet's name changes). */

G_END_DECLS
