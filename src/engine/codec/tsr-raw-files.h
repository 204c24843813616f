/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-raw-files.h: a torrent's files as parsed, before the v1 file list
 * and the v2 file tree (BEP 52) are merged into TsrFiles.
 *
 * A raw file borrows its path instead of copying it: a v1 entry's encoded
 * "path" list from the input, a v2 file its place in the file tree. Both
 * must outlive the TsrRawFiles. Components are read back in order, one
 * file at a time, for sanitizing and for comparing a hybrid torrent's two
 * views of one file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* BEP 52 trees nest 256 levels at most here: a v2 path has at most as
 * many components. */
#define TSR_RAW_FILES_MAX_DEPTH 256

typedef struct _TsrRawFiles    TsrRawFiles;
/* A folder or file of a v2 file tree: owned by its TsrRawFiles. */
typedef struct _TsrRawTreePath TsrRawTreePath;

TsrRawFiles          *tsr_raw_files_new               (void);
void                  tsr_raw_files_free              (TsrRawFiles          *self);
/* Room for @n_files without growing (a million entries, never held twice). */
void                  tsr_raw_files_reserve           (TsrRawFiles          *self,
                                                       guint                 n_files);
guint                 tsr_raw_files_get_n_files       (const TsrRawFiles    *self);

/* A single-file torrent's file: no path of its own (the torrent's name). */
void                  tsr_raw_files_add_single        (TsrRawFiles          *self,
                                                       guint64               length,
                                                       guint                 attr);
/* A v1 entry: @list is its encoded "path" list, "l<n>:<bytes>...e", as
 * checked by the decoder (borrowed), of @n_components strings.
 * @symlink_target: (nullable) (transfer full) (element-type GBytes): the
 * BEP 47 target's components. */
void                  tsr_raw_files_add_list          (TsrRawFiles          *self,
                                                       guint64               length,
                                                       guint                 attr,
                                                       const guint8         *list,
                                                       guint                 n_components,
                                                       GPtrArray            *symlink_target);
/* A place in a v2 file tree below @parent (nullable: the top), named by
 * @key (borrowed). Lives as long as @self. */
const TsrRawTreePath *tsr_raw_files_add_tree_path     (TsrRawFiles          *self,
                                                       const TsrRawTreePath *parent,
                                                       const guint8         *key,
                                                       gsize                 key_length);
/* A v2 file at @path (of @self). @pieces_root: (nullable): 32 bytes,
 * borrowed. */
void                  tsr_raw_files_add_tree          (TsrRawFiles          *self,
                                                       guint64               length,
                                                       guint                 attr,
                                                       const guint8         *pieces_root,
                                                       const TsrRawTreePath *path,
                                                       GPtrArray            *symlink_target);

guint64               tsr_raw_files_get_length        (const TsrRawFiles    *self,
                                                       guint                 index);
/* TsrFileAttr bits. */
guint                 tsr_raw_files_get_attr          (const TsrRawFiles    *self,
                                                       guint                 index);
/* Returns: (nullable): 32 bytes, borrowed. */
const guint8         *tsr_raw_files_get_pieces_root   (const TsrRawFiles    *self,
                                                       guint                 index);
void                  tsr_raw_files_set_pieces_root   (TsrRawFiles          *self,
                                                       guint                 index,
                                                       const guint8         *pieces_root);
/* Returns: (nullable) (transfer none) (element-type GBytes): the BEP 47
 * symlink target's components. */
GPtrArray            *tsr_raw_files_get_symlink_target (const TsrRawFiles   *self,
                                                        guint                index);
/* Returns: (nullable): the file's name when it sits at the top of a v2
 * file tree (a path of one component), else NULL. */
const guint8         *tsr_raw_files_get_top_name      (const TsrRawFiles    *self,
                                                       guint                 index,
                                                       gsize                *length);

/* Reads one file's path a component at a time, in order, without copying
 * it: on the stack (4 KiB), fields private. */
typedef struct
{
  /*< private >*/
  gconstpointer dummy1[2 * (TSR_RAW_FILES_MAX_DEPTH + 1) + 3];
  guint         dummy2[2];
} TsrRawPath;

/* Sets @path to read file @index's path; returns how many components it
 * has (none for a single file's). */
guint                 tsr_raw_files_read_path         (const TsrRawFiles    *self,
                                                       guint                 index,
                                                       TsrRawPath           *path);
/* Returns: (transfer none): component @index of @path (not
 * NUL-terminated), borrowed like the path. Fastest in order. */
const char           *tsr_raw_path_get_component      (TsrRawPath           *path,
                                                       guint                 index,
                                                       gsize                *length);
/* Whether file @a_index of @a and file @b_index of @b have the same
 * components, byte for byte (a v1 entry may be compared with a v2 file). */
gboolean              tsr_raw_files_same_path         (const TsrRawFiles    *a,
                                                       guint                 a_index,
                                                       const TsrRawFiles    *b,
                                                       guint                 b_index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrRawFiles, tsr_raw_files_free)

G_END_DECLS
