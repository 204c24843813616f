/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo.h: .torrent files: v1 (BEP 3), v2 and hybrid (BEP 52).
 *
 * A TsrMetainfo is parsed once, validated, and then read-only; it is
 * reference counted so that torrents, views and workers can share it.
 */
#pragma once

#include <glib.h>

#include "tsr-bencode.h"
#include "tsr-magnet.h"

G_BEGIN_DECLS

#define TSR_METAINFO_ERROR (tsr_metainfo_error_quark ())
GQuark tsr_metainfo_error_quark (void);

typedef enum
{
  TSR_METAINFO_ERROR_NOT_A_DICT,        /* top level or info is not a dictionary */
  TSR_METAINFO_ERROR_MISSING_FIELD,     /* a required key is absent */
  TSR_METAINFO_ERROR_WRONG_TYPE,        /* a key holds the wrong kind of value */
  TSR_METAINFO_ERROR_BAD_VALUE,         /* a value out of range */
  TSR_METAINFO_ERROR_BAD_PIECES,        /* pieces length or count inconsistent */
  TSR_METAINFO_ERROR_BAD_PATH,          /* a file path that cannot be made safe */
  TSR_METAINFO_ERROR_BAD_FILE_TREE,     /* malformed v2 file tree */
  TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,  /* v2 piece layers missing or not matching */
  TSR_METAINFO_ERROR_HYBRID_MISMATCH,   /* v1 and v2 parts describe different files */
  TSR_METAINFO_ERROR_TOO_LARGE,         /* sizes that overflow or exceed limits */
  TSR_METAINFO_ERROR_EMPTY,             /* no content: padding only, or 0 bytes */
  TSR_METAINFO_ERROR_TRAILING_DATA,     /* bytes after the torrent (strict loading only) */
} TsrMetainfoError;

/* Largest .torrent file we load (libtorrent and Transmission use similar caps). */
#define TSR_METAINFO_MAX_FILE_SIZE (64 * 1024 * 1024)
/* Trackers and web seeds kept per torrent; the rest is dropped with a note
 * (a torrent that lists more is hostile or broken, not refused). */
#define TSR_METAINFO_MAX_TRACKERS  1000
#define TSR_METAINFO_MAX_WEB_SEEDS 1000

typedef enum
{
  TSR_FILE_ATTR_NONE       = 0,
  TSR_FILE_ATTR_PAD        = 1 << 0,   /* BEP 47 'p' */
  TSR_FILE_ATTR_EXECUTABLE = 1 << 1,   /* 'x' */
  TSR_FILE_ATTR_HIDDEN     = 1 << 2,   /* 'h' */
  TSR_FILE_ATTR_SYMLINK    = 1 << 3,   /* 'l' */
} TsrFileAttr;

/**
 * TsrFile:
 * @path: safe relative path under the download folder, components joined
 *   by '/'; starts with the torrent's (sanitized) name for multi-file torrents
 * @display_path: the path as the torrent names it, as UTF-8, for people
 * @length: bytes
 * @offset: where the file starts in the torrent's byte stream (pad files
 *   included), which maps it onto v1 pieces
 * @attr: BEP 47 attributes
 * @has_pieces_root, @pieces_root: v2 merkle root (absent for empty files)
 * @symlink_path: (nullable): BEP 47 symlink target, sanitized
 */
typedef struct
{
  char        *path;
  char        *display_path;
  guint64      length;
  guint64      offset;
  TsrFileAttr  attr;
  gboolean     has_pieces_root;
  guint8       pieces_root[32];
  char        *symlink_path;
} TsrFile;

typedef struct _TsrMetainfo TsrMetainfo;

/**
 * TsrMetainfo:
 * All fields are read-only, lists included: an empty list may be one
 * array shared by every metainfo. Lists hold UTF-8 strings.
 * @name: sanitized name (file name or top folder)
 * @display_name: name as given, UTF-8
 * @files, @n_files: every file, pad files included (see TsrFile.attr)
 * @total_length: sum of non-pad file lengths
 * @stream_length: sum of all lengths, pad files included
 * @piece_count: number of pieces (v1 count; for v2-only, pieces per file summed)
 * @pieces: (nullable): v1 SHA-1 piece hashes, 20 bytes each
 * @piece_layers: (nullable): v2 only: pieces root (32 bytes, as a GBytes key) to
 *   the file's piece layer (GBytes)
 * @trackers: tiers (GPtrArray of GPtrArray of char*), from announce-list or announce
 * @web_seeds: BEP 19 url-list; @http_seeds: BEP 17 httpseeds
 * @creation_date: seconds since the epoch, or -1 when absent
 * @info_bytes: the info dictionary's exact bytes (for BEP 9 metadata exchange)
 * @notes: (element-type utf8): what loading changed or dropped, for people
 *   (trackers over the cap, renamed files, trailing bytes); empty when none
 * @trailing_bytes: bytes after the top-level dictionary (ignored)
 */
struct _TsrMetainfo
{
  /*< private >*/
  gint         ref_count;
  /*< public >*/
  char        *name;
  char        *display_name;
  guint64      piece_length;
  guint        piece_count;
  guint64      total_length;
  guint64      stream_length;
  TsrFile     *files;
  guint        n_files;
  gboolean     multi_file;
  gboolean     is_private;
  gboolean     has_v1;
  gboolean     has_v2;
  guint8       info_hash[20];
  guint8       info_hash_v2[32];
  GBytes      *pieces;
  GHashTable  *piece_layers;
  GPtrArray   *trackers;
  GPtrArray   *web_seeds;
  GPtrArray   *http_seeds;
  char        *comment;
  char        *created_by;
  char        *source;
  gint64       creation_date;
  GBytes      *info_bytes;
  GPtrArray   *notes;
  gsize        trailing_bytes;
};

typedef enum
{
  TSR_METAINFO_LOAD_DEFAULT = 0,
  /* Refuse what the default loading repairs or ignores with a note (as
   * libtorrent and Transmission do): bytes after the torrent, dictionary
   * keys out of order, files renamed because two share a path, trackers or
   * web seeds over the cap. */
  TSR_METAINFO_LOAD_STRICT  = 1 << 0,
} TsrMetainfoLoadFlags;

TsrMetainfo *tsr_metainfo_new_from_bytes (GBytes            *bytes,
                                          GError           **error);
TsrMetainfo *tsr_metainfo_new_from_bytes_full (GBytes               *bytes,
                                               TsrMetainfoLoadFlags  flags,
                                               GError              **error);
/* Reads the file off the calling thread's disk: call from a worker or CLI. */
TsrMetainfo *tsr_metainfo_new_from_file  (const char        *path,
                                          GError           **error);
TsrMetainfo *tsr_metainfo_new_from_file_full (const char            *path,
                                              TsrMetainfoLoadFlags   flags,
                                              GError               **error);
/* Builds a metainfo from a bare info dictionary (after a BEP 9 metadata
 * download); @extra (nullable) supplies trackers and web seeds. */
TsrMetainfo *tsr_metainfo_new_from_info  (GBytes            *info_bytes,
                                          const TsrMagnet   *extra,
                                          GError           **error);

TsrMetainfo *tsr_metainfo_ref            (TsrMetainfo       *self);
/* The 20 bytes peers and trackers know the torrent by: the v1 hash, or
 * for a v2-only torrent the v2 hash truncated (BEP 52). */
const guint8 *tsr_metainfo_get_wire_hash (const TsrMetainfo *self);
/* Adds a file's piece layer learned from peers (BEP 52 hashes, already
 * checked against @pieces_root). Before the torrent uses the metainfo. */
void          tsr_metainfo_set_piece_layer (TsrMetainfo  *self,
                                            const guint8 *pieces_root,
                                            GBytes       *layer);
/* Returns: (transfer full): a .torrent file for the metainfo: its info
 * dictionary as it was, trackers (announce, announce-list), web seeds
 * and piece layers. For saving a torrent fetched from a magnet link. */
GBytes      *tsr_metainfo_dup_torrent_file (const TsrMetainfo *self);
void         tsr_metainfo_unref          (TsrMetainfo       *self);
/* Returns: (transfer full): a copy of @self whose file @i lands at
 * @paths[@i] (NULL: where it did) instead; a renamed file's display path
 * is its new path, and a renamed top folder (or single file) is its
 * name too. @paths holds one entry per file, each already safe (a
 * relative path under the download folder, as TsrFile's @path is). For
 * the storage of a torrent whose files were renamed; the hashes, trackers
 * and info dictionary are @self's, shared (a v2 torrent's piece layers
 * too: a table is made on @self for them if it had none). */
TsrMetainfo *tsr_metainfo_new_renamed    (TsrMetainfo        *self,
                                          const char * const *paths);

/* Length of piece @index (the last is usually shorter; v2 pieces end at
 * file boundaries). */
guint64      tsr_metainfo_get_piece_size (const TsrMetainfo *self,
                                          guint              index);

/* The v2 hash piece @index must have (its file's piece-layer entry, or the
 * file's root for a file of one piece), or NULL when unknown (v1 only, or
 * piece layers not yet received). */
const guint8 *tsr_metainfo_get_piece_v2_hash (const TsrMetainfo *self,
                                              guint              index);
/* The file holding the first byte of piece @index (pad files skipped), or
 * NULL. */
const TsrFile *tsr_metainfo_get_piece_file   (const TsrMetainfo *self,
                                              guint              index);

/* Returns: (transfer full): the info hash as lowercase hex, or NULL when
 * the torrent has no such hash. */
char        *tsr_metainfo_dup_info_hash_hex    (const TsrMetainfo *self);
char        *tsr_metainfo_dup_info_hash_v2_hex (const TsrMetainfo *self);

/* Returns: (transfer full): a magnet built from the torrent (hashes,
 * name, every tracker, web seeds). */
TsrMagnet   *tsr_metainfo_to_magnet      (const TsrMetainfo *self);
char        *tsr_metainfo_dup_magnet_uri (const TsrMetainfo *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrMetainfo, tsr_metainfo_unref)

G_END_DECLS
