/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-entry.h: what the library keeps of one torrent, and its
 * entry in the library's index (torrents.json), to JSON and back: hash
 * or magnet, folder, file priorities and paths, the limits the user set,
 * labels, the torrent's options and the trackers and web seeds the user
 * set.
 * Used by tsr-library.c (which declares the public side in
 * tsr-library.h); no I/O.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tsr-metainfo.h"
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

/* What the library keeps of one torrent beside the torrent itself (the
 * engine's torrent has no use for it): labels, the limits and options
 * the user set, the trackers and web seeds the user set, when it was
 * added, whether the add dialog waits for its metainfo; and its entry in
 * the index as text, made again only after a change (5000 torrents are
 * one concatenation, not 5000 walks through json-glib). Owned by the
 * library, one per torrent; no I/O. */
typedef struct _TsrLibraryEntry TsrLibraryEntry;

/* @torrent is borrowed: the library holds it while the entry lives. */
TsrLibraryEntry    *tsr_library_entry_new   (TsrTorrent      *torrent);
void                tsr_library_entry_free  (TsrLibraryEntry *entry);
/* Something the entry's text holds changed: made again when next asked. */
void                tsr_library_entry_changed (TsrLibraryEntry *entry);
/* (transfer none) the entry as one JSON object, valid until the next
 * change; made again when tsr_library_entry_changed was called, or when
 * the torrent's folder or its being stopped differ from the text's. */
const char         *tsr_library_entry_get_text (TsrLibraryEntry *entry);

/* The name of its copy under torrents/: the v1 info hash, or the v2 one
 * for a v2-only torrent; a magnet still fetching, the hash it is known by. */
char               *tsr_library_entry_hash_of         (TsrMetainfo *info);
char               *tsr_library_entry_dup_hash        (TsrTorrent  *torrent);

/* Labels, always sanitised (tsr-labels.h); never NULL. */
const char * const *tsr_library_entry_get_labels      (TsrLibraryEntry    *entry);
void                tsr_library_entry_set_labels      (TsrLibraryEntry    *entry,
                                                       const char * const *labels);
void                tsr_library_entry_restore_labels  (TsrLibraryEntry    *entry,
                                                       JsonObject         *entry_object);

/* Whether the add dialog waits for a magnet's metainfo ("ask"). */
void                tsr_library_entry_set_ask         (TsrLibraryEntry *entry,
                                                       gboolean         ask);
gboolean            tsr_library_entry_get_ask         (TsrLibraryEntry *entry);

/* "options", only when some are set; read back within bounds (a value
 * out of them is left out), and applied to the torrent. */
void     tsr_library_entry_restore_options (TsrLibraryEntry         *entry,
                                            JsonObject              *entry_object);
/* Keeps @options and applies them to the engine. */
void     tsr_library_entry_set_options     (TsrLibraryEntry         *entry,
                                            const TsrTorrentOptions *options);
void     tsr_library_entry_get_options     (TsrLibraryEntry         *entry,
                                            TsrTorrentOptions       *options);
/* Applies them again: a magnet's once its metainfo came. */
void     tsr_library_entry_reapply_options (TsrLibraryEntry         *entry);

/* "priorities": one per file (TsrPriority), only when some file is not
 * normal; read back only when the count matches the files. */
void     tsr_library_entry_set_priorities (TsrTorrent  *torrent,
                                           JsonArray   *priorities);
/* "paths": the files renamed (tsr_torrent_rename_path_async), by index,
 * only when some are; restored before the torrent starts, and left out
 * (with a warning) when they would not be a rename the torrent allows. */
void     tsr_library_entry_restore_paths  (TsrTorrent  *torrent,
                                           JsonObject  *entry_object);
/* "limits", only for a torrent whose limits the user set (marked with
 * tsr_library_entry_set_own_limits); @limits (nullable) applied and marked. */
void     tsr_library_entry_apply_limits   (TsrLibraryEntry *entry,
                                           JsonObject      *limits);
void     tsr_library_entry_set_own_limits (TsrLibraryEntry *entry);
gboolean tsr_library_entry_has_own_limits (TsrLibraryEntry *entry);

/* "trackers": the tiers the user set (tsr_torrent_set_trackers), only
 * when set; @tiers NULL goes back to the metainfo's. */
gboolean tsr_library_entry_set_trackers     (TsrLibraryEntry  *entry,
                                             GPtrArray        *tiers,
                                             GError          **error);
void     tsr_library_entry_restore_trackers (TsrLibraryEntry  *entry,
                                             JsonObject       *entry_object);

/* "web-seeds": the BEP 19 URLs the user set (tsr_torrent_set_web_seeds),
 * only when set; @urls NULL goes back to the metainfo's. */
gboolean tsr_library_entry_set_web_seeds     (TsrLibraryEntry     *entry,
                                              const char * const  *urls,
                                              GError             **error);
void     tsr_library_entry_restore_web_seeds (TsrLibraryEntry     *entry,
                                              JsonObject          *entry_object);

/* "added": when the torrent came into the library (0: not set). */
void     tsr_library_entry_set_added         (TsrLibraryEntry     *entry,
                                              gint64               when);
gint64   tsr_library_entry_get_added         (TsrLibraryEntry     *entry);
void     tsr_library_entry_restore_added     (TsrLibraryEntry     *entry,
                                              JsonObject          *entry_object);

G_END_DECLS
