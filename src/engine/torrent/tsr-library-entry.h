/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-entry.h: what one torrent's entry in the library's index
 * (torrents.json) keeps beside its hash and folder, to JSON and back:
 * file priorities, the limits the user set, the torrent's options and
 * the trackers and web seeds the user set.
 * Used by tsr-library.c (which declares the public side in
 * tsr-library.h); no I/O.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tsr-torrent.h"

G_BEGIN_DECLS

/* A torrent's own options (tsr_library_set_options), kept in the index;
 * all zero is "none set". */
typedef struct
{
  gboolean sequential;    /* pieces in order (tsr_torrent_set_sequential) */
  gboolean first_last;    /* each file's first and last pieces first */
  guint    seed_idle;     /* stop seeding after this many idle seconds; 0: never */
  guint    max_peers;     /* 0: the front end's default for every torrent */
} TsrTorrentOptions;

/* "options", only when some are set; read back within bounds (a value
 * out of them is left out), and applied to the torrent. */
void     tsr_library_entry_add_options     (JsonBuilder             *builder,
                                            TsrTorrent              *torrent);
void     tsr_library_entry_restore_options (TsrTorrent              *torrent,
                                            JsonObject              *entry);
/* Keeps @options on @torrent and applies them to the engine. */
void     tsr_library_entry_set_options     (TsrTorrent              *torrent,
                                            const TsrTorrentOptions *options);
void     tsr_library_entry_get_options     (TsrTorrent              *torrent,
                                            TsrTorrentOptions       *options);
/* Applies them again: a magnet's once its metainfo came. */
void     tsr_library_entry_reapply_options (TsrTorrent              *torrent);

/* "priorities": one per file (TsrPriority), only when some file is not
 * normal; read back only when the count matches the files. */
void     tsr_library_entry_add_priorities (JsonBuilder *builder,
                                           TsrTorrent  *torrent);
void     tsr_library_entry_set_priorities (TsrTorrent  *torrent,
                                           JsonArray   *priorities);
/* "paths": the files renamed (tsr_torrent_rename_path_async), by index,
 * only when some are; restored before the torrent starts, and left out
 * (with a warning) when they would not be a rename the torrent allows. */
void     tsr_library_entry_add_paths      (JsonBuilder *builder,
                                           TsrTorrent  *torrent);
void     tsr_library_entry_restore_paths  (TsrTorrent  *torrent,
                                           JsonObject  *entry);
/* "limits", only for a torrent whose limits the user set (marked with
 * tsr_library_entry_set_own_limits); @limits (nullable) applied and marked. */
void     tsr_library_entry_add_limits     (JsonBuilder *builder,
                                           TsrTorrent  *torrent);
void     tsr_library_entry_apply_limits   (TsrTorrent  *torrent,
                                           JsonObject  *limits);
void     tsr_library_entry_set_own_limits (TsrTorrent  *torrent);
gboolean tsr_library_entry_has_own_limits (TsrTorrent  *torrent);

/* "trackers": the tiers the user set (tsr_torrent_set_trackers), only
 * when set; @tiers NULL goes back to the metainfo's. */
gboolean tsr_library_entry_set_trackers     (TsrTorrent  *torrent,
                                             GPtrArray   *tiers,
                                             GError     **error);
void     tsr_library_entry_add_trackers     (JsonBuilder *builder,
                                             TsrTorrent  *torrent);
void     tsr_library_entry_restore_trackers (TsrTorrent  *torrent,
                                             JsonObject  *entry);

/* "web-seeds": the BEP 19 URLs the user set (tsr_torrent_set_web_seeds),
 * only when set; @urls NULL goes back to the metainfo's. */
gboolean tsr_library_entry_set_web_seeds     (TsrTorrent          *torrent,
                                              const char * const  *urls,
                                              GError             **error);
void     tsr_library_entry_add_web_seeds     (JsonBuilder         *builder,
                                              TsrTorrent          *torrent);
void     tsr_library_entry_restore_web_seeds (TsrTorrent          *torrent,
                                              JsonObject          *entry);

/* "added": when the torrent came into the library (0: not set). */
void     tsr_library_entry_set_added         (TsrTorrent          *torrent,
                                              gint64               when);
gint64   tsr_library_entry_get_added         (TsrTorrent          *torrent);
void     tsr_library_entry_add_added         (JsonBuilder         *builder,
                                              TsrTorrent          *torrent);
void     tsr_library_entry_restore_added     (TsrTorrent          *torrent,
                                              JsonObject          *entry);

G_END_DECLS
