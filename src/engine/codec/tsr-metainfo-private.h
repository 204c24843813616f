/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo-private.h: how the files of the .torrent parser call each
 * other. Functions only: TsrMetainfo is the public struct they fill, and
 * the raw files are an opaque TsrRawFiles. The calls go one way, down:
 *
 *   tsr-metainfo.c (loading, the info dictionary, hashes, accessors)
 *     → tsr-metainfo-files.c (v1 file list, v2 file tree, piece layers)
 *         → tsr-metainfo-paths.c (safe paths, collisions)
 *     → tsr-metainfo-keys.c (typed lookups, trackers, web seeds, text);
 *       the lower files call it too, and it calls none of them.
 */
#pragma once

#include <glib.h>

#include "tsr-bencode.h"
#include "tsr-metainfo.h"
#include "tsr-raw-files.h"

G_BEGIN_DECLS

/* tsr-metainfo-keys.c */

/* Returns: (transfer none) (nullable): the value of @key in @dict when
 * it has @type; else NULL with an error that names @where. */
TsrBencode  *_tsr_metainfo_require_key      (const TsrBencode  *dict,
                                             const char        *key,
                                             TsrBencodeType     type,
                                             const char        *where,
                                             GError           **error);
/* An optional key: absent is fine (*@out is NULL), the wrong type is an
 * error. */
gboolean     _tsr_metainfo_optional_key     (const TsrBencode  *dict,
                                             const char        *key,
                                             TsrBencodeType     type,
                                             const char        *where,
                                             TsrBencode       **out,
                                             GError           **error);
/* Returns: (transfer full) (nullable): a text field meant for people,
 * as UTF-8. */
char        *_tsr_metainfo_dup_text_field   (const TsrBencode  *dict,
                                             const char        *key);
/* Returns: BEP 47 "attr" of a file's dictionary, as TsrFileAttr bits. */
TsrFileAttr  _tsr_metainfo_parse_attr       (const TsrBencode  *dict);
/* Takes @note (owned), for people: what loading changed or dropped. */
void         _tsr_metainfo_add_note         (TsrMetainfo       *self,
                                             char              *note);
/* Trackers, web seeds, comment, creator and date: the keys outside the
 * info dictionary. Never fails: what is unusable is skipped. */
void         _tsr_metainfo_parse_extras     (TsrMetainfo       *self,
                                             const TsrBencode  *root);

/* tsr-metainfo-files.c. @info is the decoded info dictionary of
 * self->info_bytes: the raw files borrow their paths from those bytes. */

/* Returns: (transfer full) (nullable): BEP 3 "files" or "length". */
TsrRawFiles *_tsr_metainfo_parse_v1_files   (const TsrMetainfo *self,
                                             const TsrBencode  *info,
                                             gboolean          *multi_file,
                                             GError           **error);
/* Returns: (transfer full) (nullable): the files of BEP 52 @tree. */
TsrRawFiles *_tsr_metainfo_parse_v2_files   (const TsrMetainfo *self,
                                             const TsrBencode  *info,
                                             const TsrBencode  *tree,
                                             GError           **error);
/* Sets self->piece_layers from @root's "piece layers", each checked
 * against its file's root; with @required, every file of more than one
 * piece must have one. */
gboolean     _tsr_metainfo_parse_piece_layers (TsrMetainfo       *self,
                                               const TsrBencode  *root,
                                               const TsrRawFiles *v2_files,
                                               gboolean           required,
                                               GError           **error);
/* Merges the parsed files into self->files (v1 gives the layout of a
 * hybrid, and takes the v2 roots). */
gboolean     _tsr_metainfo_build_files      (TsrMetainfo       *self,
                                             TsrRawFiles       *v1_files,
                                             const TsrRawFiles *v2_files,
                                             GError           **error);

/* tsr-metainfo-paths.c */

/* Turns file @index's raw path (or @components, nullable, of GBytes)
 * into a safe relative path below @top and a display path below
 * @display_top. */
gboolean     _tsr_metainfo_build_paths      (const TsrRawFiles *files,
                                             guint              index,
                                             GPtrArray         *components,
                                             const char        *top,
                                             const char        *display_top,
                                             char             **path_out,
                                             char             **display_out,
                                             GError           **error);
/* Renames files that land on one path (with a note), and refuses a file
 * where another needs a folder. */
gboolean     _tsr_metainfo_check_collisions (TsrMetainfo       *self,
                                             GError           **error);

G_END_DECLS
