/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-group.h: one row of the sidebar: a state (all, downloading,
 * seeding...), a tracker host or a label, and how many torrents are in
 * it. TsrTorrentGroups makes and counts them.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* In sidebar order; the state kinds are bits of a torrent's mask. */
typedef enum
{
  TSR_GROUP_ALL,
  TSR_GROUP_DOWNLOADING,
  TSR_GROUP_SEEDING,
  TSR_GROUP_STOPPED,
  TSR_GROUP_QUEUED,
  TSR_GROUP_CHECKING,
  TSR_GROUP_ERROR,
  TSR_GROUP_ACTIVE,
  TSR_GROUP_N_STATES,
  TSR_GROUP_TRACKER = TSR_GROUP_N_STATES,
  TSR_GROUP_LABEL,
} TsrGroupKind;

#define TSR_TYPE_TORRENT_GROUP (tsr_torrent_group_get_type ())
G_DECLARE_FINAL_TYPE (TsrTorrentGroup, tsr_torrent_group, TSR, TORRENT_GROUP, GObject)

/* @key: the host or the label (NULL for a state). */
TsrTorrentGroup *tsr_torrent_group_new       (TsrGroupKind     kind,
                                              const char      *key);
TsrGroupKind     tsr_torrent_group_get_kind  (TsrTorrentGroup *self);
const char      *tsr_torrent_group_get_key   (TsrTorrentGroup *self);
/* The row's title: the state's name, the host or the label. */
const char      *tsr_torrent_group_get_title (TsrTorrentGroup *self);
guint            tsr_torrent_group_get_count (TsrTorrentGroup *self);
/* Notifies "count" when it changes. */
void             tsr_torrent_group_add       (TsrTorrentGroup *self,
                                              int              delta);

G_END_DECLS
