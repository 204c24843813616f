/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-stats.h: what a torrent has moved and what a window shows
 * of it. The bytes downloaded and uploaded (fed by the swarm's and the web
 * seeds' reports), and the values computed from them and from what the
 * owner knows (progress, ratio, ETA); the read-only properties a list of
 * torrents binds to, notified at most when asked (once a second) and only
 * for a value that changed since. The owner answers what the stats ask
 * through a table of functions, all facts at once; the module never
 * sees it. The stop conditions (TsrTorrentLimits, made when one is first
 * set) are measured against these stats and the running state the owner
 * tells; a limit reached goes up through the same table.
 */
#pragma once

#include <glib-object.h>

#include "tsr-torrent-limits.h"

G_BEGIN_DECLS

typedef struct _TsrTorrentStats TsrTorrentStats;

/* What the stats ask their owner, as of now. */
typedef struct
{
  /* The torrent's name (a magnet's "dn" until its metainfo comes),
   * borrowed until the owner changes it. */
  const char *name;
  /* A TsrTorrentState, and whether it is downloading (the only state
   * with an ETA). */
  gint        state;
  gboolean    downloading;
  /* Bytes of verified pieces. */
  guint64     bytes_have;
  /* Bytes a second: from the peers and the web seeds; to the peers. */
  guint64     down_rate;
  guint64     up_rate;
  /* Connections, and those of them that have every piece. */
  guint       n_peers;
  guint       n_seeds;
} TsrStatsFacts;

/* On the main context; not from tsr_torrent_stats_free(). */
typedef struct
{
  void (*facts)         (TsrStatsFacts *facts,
                         gpointer       user_data);
  /* A stop condition was reached (from an idle, checked again then):
   * @reason as TsrTorrentLimitsFuncs.reached. The owner stops. */
  void (*limit_reached) (const char    *reason,
                         gpointer       user_data);
} TsrTorrentStatsFuncs;

/* The properties, installed on @object_class from @first_id on: "name",
 * "state", "progress", "size", "down-rate", "up-rate", "downloaded",
 * "uploaded", "ratio", "eta", "n-peers", "n-seeds". One class installs
 * them (TsrTorrent, or a test's). */
void             tsr_torrent_stats_install_properties (GObjectClass *object_class,
                                                       guint         first_id);

TsrTorrentStats *tsr_torrent_stats_new            (const TsrTorrentStatsFuncs *funcs,
                                                   gpointer                    user_data);
void             tsr_torrent_stats_free           (TsrTorrentStats *self);

/* The torrent's size, once its metainfo is known (until then progress
 * and ratio are 0 and the ETA unknown). */
void             tsr_torrent_stats_set_size       (TsrTorrentStats *self,
                                                   guint64          total_length);
/* @bytes came from (or went to, @uploaded) a peer or a web seed, at
 * monotonic second @now. */
void             tsr_torrent_stats_moved          (TsrTorrentStats *self,
                                                   guint64          bytes,
                                                   gboolean         uploaded,
                                                   gint64           now);

/* Whether the owner runs (downloads or seeds: a limit may stop it) and
 * seeds; seeding's start counts as an upload for the idle limit. Leaving
 * the running states drops a report of a limit on its way. */
void             tsr_torrent_stats_set_running    (TsrTorrentStats *self,
                                                   gboolean         running,
                                                   gboolean         seeding,
                                                   gint64           now);
/* (nullable) The stop conditions: NULL until one is set; @make: made
 * then (most torrents never have one). */
TsrTorrentLimits *tsr_torrent_stats_get_limits    (TsrTorrentStats *self,
                                                   gboolean         make);
/* Checks the stop conditions now (idleness is a limit that no byte moves
 * toward); moved bytes and starting to seed check them by themselves. */
void             tsr_torrent_stats_check_limits   (TsrTorrentStats *self);
/* A limit's report is on its way: the owner is about to stop. */
gboolean         tsr_torrent_stats_is_stopping    (TsrTorrentStats *self);

guint64          tsr_torrent_stats_get_downloaded  (TsrTorrentStats *self);
guint64          tsr_torrent_stats_get_uploaded    (TsrTorrentStats *self);
/* Monotonic seconds of the last upload, 0: none yet. */
gint64           tsr_torrent_stats_get_last_upload (TsrTorrentStats *self);
/* The owner's rates, as asked. */
guint64          tsr_torrent_stats_get_down_rate   (TsrTorrentStats *self);
guint64          tsr_torrent_stats_get_up_rate     (TsrTorrentStats *self);
/* Verified bytes over the size, 0 to 1. */
gdouble          tsr_torrent_stats_get_progress    (TsrTorrentStats *self);
/* Uploaded over the size. */
gdouble          tsr_torrent_stats_get_ratio       (TsrTorrentStats *self);
/* Seconds to completion at the current rate while downloading; -1 when
 * unknown. */
gint64           tsr_torrent_stats_get_eta         (TsrTorrentStats *self);

/* The value of property @id of @self's owner; FALSE when @id is not one
 * of the properties installed. */
gboolean         tsr_torrent_stats_get_property   (TsrTorrentStats *self,
                                                   guint            id,
                                                   GValue          *value);
/* Notifies on @object the properties whose value changed since the last
 * call ("name" and "size" never are). */
void             tsr_torrent_stats_notify         (TsrTorrentStats *self,
                                                   GObject         *object);

G_END_DECLS
