/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library.h: the torrents across runs, for the app, `tessera-cli
 * peer --library` and the coming daemon alike. It owns the engine's
 * session; each added torrent's file is copied under the data folder and
 * listed, with its save folder and whether it was stopped, in an index
 * that is rewritten atomically on every change. Resume records (verified
 * pieces) live beside it, so a restart checks nothing it need not.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-labels.h"
#include "tsr-library-entry.h"
#include "tsr-session.h"

G_BEGIN_DECLS

#define TSR_TYPE_LIBRARY (tsr_library_get_type ())
G_DECLARE_FINAL_TYPE (TsrLibrary, tsr_library, TSR, LIBRARY, GObject)

/* Keeps its files under @data_folder (e.g. ~/.local/share/tessera). */
TsrLibrary  *tsr_library_new            (const char  *data_folder);
TsrSession  *tsr_library_get_session    (TsrLibrary  *self);
/* The session's torrents (element-type TsrTorrent). */
GListModel  *tsr_library_get_torrents   (TsrLibrary  *self);

/* Listens for peers on @port, or on any free port when it is taken;
 * FALSE only when no port at all can be had. */
gboolean     tsr_library_listen         (TsrLibrary  *self,
                                         guint16      port,
                                         GError     **error);
/* The same for a port just picked at random
 * (tsr_session_pick_random_port): when it is taken, another pick in the
 * range, up to 16, before any free port; @port is set to the one used
 * when it is a pick, for the caller to keep. */
gboolean     tsr_library_listen_random  (TsrLibrary  *self,
                                         guint16     *port,
                                         GError     **error);
/* Whether the torrents added from now on announce to their trackers
 * (default: they do, once the session listens). */
void         tsr_library_set_use_trackers (TsrLibrary *self,
                                           gboolean    use);
/* Adds the torrents of the last run, as they were (started or not). */
void         tsr_library_restore        (TsrLibrary  *self);

/* Adds the torrent file at @path, saving into @folder; started unless
 * @paused; @priorities (nullable) holds a TsrPriority per file, set
 * before it starts. Fails for a file that is not a torrent or a torrent
 * already added (the error names it). */
TsrTorrent  *tsr_library_add_file       (TsrLibrary  *self,
                                         const char  *path,
                                         const char  *folder,
                                         gboolean     paused,
                                         const guint8 *priorities,
                                         GError     **error);
/* The same with the torrent file's contents, for a remote client's
 * upload (nothing is read from disk; the copy is written off the main
 * loop). */
TsrTorrent  *tsr_library_add_bytes      (TsrLibrary  *self,
                                         GBytes      *bytes,
                                         const char  *folder,
                                         gboolean     paused,
                                         const guint8 *priorities,
                                         GError     **error);
/* Adds a magnet link: the torrent fetches its metainfo from peers, and
 * its .torrent is kept like an added file's once it comes. */
TsrTorrent  *tsr_library_add_magnet     (TsrLibrary  *self,
                                         const char  *uri,
                                         const char  *folder,
                                         gboolean     paused,
                                         GError     **error);
/* A magnet's torrent stops once its metainfo comes, for the add dialog
 * (kept across restarts); tsr_library_configure then sets its folder and
 * files, and starts it if @start. */
void         tsr_library_ask_after_metadata  (TsrLibrary  *self,
                                              TsrTorrent  *torrent);
gboolean     tsr_library_asks_after_metadata (TsrLibrary  *self,
                                              TsrTorrent  *torrent);
gboolean     tsr_library_configure      (TsrLibrary    *self,
                                         TsrTorrent    *torrent,
                                         const char    *folder,
                                         const guint8  *priorities,
                                         gboolean       start,
                                         GError       **error);
TsrTorrent  *tsr_library_find           (TsrLibrary  *self,
                                         const guint8 *info_hash);
/* Where the torrent's file is kept (a magnet's, once its metainfo came). */
char        *tsr_library_dup_torrent_file_path (TsrLibrary *self,
                                                TsrTorrent *torrent);
/* A torrent's own options (TsrTorrentOptions, tsr-library-entry.h):
 * applied to the engine at once and kept in the index. */
void         tsr_library_get_options    (TsrLibrary              *self,
                                         TsrTorrent              *torrent,
                                         TsrTorrentOptions       *options);
void         tsr_library_set_options    (TsrLibrary              *self,
                                         TsrTorrent              *torrent,
                                         const TsrTorrentOptions *options);
/* Replaces @torrent's tracker tiers (tsr_torrent_set_trackers; NULL:
 * the metainfo's) and keeps them in the index. */
gboolean     tsr_library_set_trackers   (TsrLibrary              *self,
                                         TsrTorrent              *torrent,
                                         GPtrArray               *tiers,
                                         GError                 **error);
/* Replaces @torrent's BEP 19 web seeds (tsr_torrent_set_web_seeds; NULL:
 * the metainfo's) and keeps them in the index. */
gboolean     tsr_library_set_web_seeds  (TsrLibrary              *self,
                                         TsrTorrent              *torrent,
                                         const char * const      *urls,
                                         GError                 **error);
/* Starts @torrent, or queues it when the session limits how many run
 * (tsr_session_set_max_active, _max_seeding). */
void         tsr_library_start          (TsrLibrary  *self,
                                         TsrTorrent  *torrent);
void         tsr_library_stop           (TsrLibrary  *self,
                                         TsrTorrent  *torrent);
/* Takes @torrent out for good, with its files when @delete_data. */
void         tsr_library_remove         (TsrLibrary  *self,
                                         TsrTorrent  *torrent,
                                         gboolean     delete_data);
/* The torrent's own limits (bytes a second, bytes, ratio; 0: none), set
 * from its details: applied at once and kept across restarts, in place
 * of the preferences' seeding ratio. */
/* Whether the torrent has limits of its own (set_limits, or restored
 * with them): those win over the program's defaults. */
gboolean     tsr_library_has_own_limits (TsrLibrary  *self,
                                         TsrTorrent  *torrent);
void         tsr_library_set_limits     (TsrLibrary  *self,
                                         TsrTorrent  *torrent,
                                         guint64      up_rate,
                                         guint64      down_rate,
                                         guint64      up_total,
                                         guint64      down_total,
                                         gdouble      seed_ratio);
/* The torrent's labels (never NULL; empty when none), kept in the index
 * as "labels" and, through the remote-control protocol, shown as
 * `labels`. Setting them applies tsr-labels.h's rule (invalid UTF-8 left
 * out, control characters made spaces, cut to 64 characters, case-blind
 * duplicates and labels past 32 left out), saves the index and emits
 * "labels-changed" (TsrTorrent) when they differ from before. */
const char * const *tsr_library_get_labels (TsrLibrary         *self,
                                            TsrTorrent         *torrent);
/* When @torrent came into the library, in seconds since 1970 (kept in
 * the index; 0 for a torrent the library does not hold). */
gint64       tsr_library_get_added      (TsrLibrary              *self,
                                         TsrTorrent              *torrent);
void         tsr_library_set_labels     (TsrLibrary         *self,
                                         TsrTorrent         *torrent,
                                         const char * const *labels);
/* Rewrites the index on the I/O pool (as after each change the library
 * sees; file priorities it does not see), every torrent's entry made
 * again: for a change the caller cannot pin on one torrent. */
void         tsr_library_save_soon      (TsrLibrary  *self);
/* @torrent changed behind the library's back (its file priorities, its
 * folder): its entry is made again and the index rewritten on the I/O
 * pool. Every other torrent's entry is kept as it was written. */
void         tsr_library_torrent_changed (TsrLibrary *self,
                                          TsrTorrent *torrent);
/* Rewrites the index now, blocking (it is also rewritten after each change). */
gboolean     tsr_library_save           (TsrLibrary  *self,
                                         GError     **error);
/* Stops every torrent, waits (a few seconds at most) for pieces on
 * their way to disk and for trackers to hear "stopped", and saves the
 * index and the resume records. */
void         tsr_library_shutdown       (TsrLibrary  *self);

G_END_DECLS
