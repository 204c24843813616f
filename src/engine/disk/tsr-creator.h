/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-creator.h: makes .torrent files from a file or a folder: v1, v2 or
 * hybrid (BEP 3, 52, 47 pad files), with trackers in tiers (BEP 12), web
 * seeds (BEP 19), private (BEP 27) and a source tag.
 *
 * Three steps, so that a dialog can show each: scan (blocking, quick),
 * hash (a TsrHashJob: threads, progress, cancellable), build (encode).
 */
#pragma once

#include <glib.h>

#include "tsr-hasher.h"

G_BEGIN_DECLS

#define TSR_CREATOR_ERROR (tsr_creator_error_quark ())
GQuark tsr_creator_error_quark (void);

typedef enum
{
  TSR_CREATOR_ERROR_NO_FILES,       /* nothing to put in the torrent */
  TSR_CREATOR_ERROR_SCAN,           /* a folder or file could not be read */
  TSR_CREATOR_ERROR_CHANGED,        /* a file changed while it was hashed */
  TSR_CREATOR_ERROR_BAD_OPTION,     /* piece length, tracker URL, name */
} TsrCreatorError;

typedef enum
{
  TSR_CREATE_V1,
  TSR_CREATE_V2,
  TSR_CREATE_HYBRID,
} TsrCreateFormat;

#define TSR_CREATOR_MIN_PIECE_LENGTH (16 * 1024)
#define TSR_CREATOR_MAX_PIECE_LENGTH (64 * 1024 * 1024)

typedef struct _TsrCreator TsrCreator;

/* Scans @path (a file or a folder). Files are sorted bytewise by path;
 * symlinks are followed only when they point inside @path; empty folders,
 * special files and paths matching an @exclude glob (on the relative path
 * or the file name) are left out. */
TsrCreator  *tsr_creator_new                (const char         *path,
                                             const char * const *exclude,
                                             TsrCreateFormat     format,
                                             GError            **error);
void         tsr_creator_free               (TsrCreator         *self);

guint        tsr_creator_get_n_files        (TsrCreator         *self);
guint64      tsr_creator_get_total_size     (TsrCreator         *self);
/* Relative path of file @index, '/'-separated. */
const char  *tsr_creator_get_file_path      (TsrCreator         *self,
                                             guint               index);
gboolean     tsr_creator_is_single_file     (TsrCreator         *self);

/* The default: the smallest power of two from 16 KiB to 64 MiB that
 * gives at most 2000 pieces (so 1000-2000 pieces for most sizes). */
guint64      tsr_creator_choose_piece_length (guint64            total_size);
gboolean     tsr_creator_piece_length_valid  (guint64            piece_length);

/* A tracker URL we accept: http, https or udp with a host. */
gboolean     tsr_creator_tracker_url_valid   (const char        *url);

/* Makes the hash job for @piece_length (0: the default); the creator keeps
 * a reference, run it before building. */
TsrHashJob  *tsr_creator_prepare_job        (TsrCreator         *self,
                                             guint64             piece_length);

typedef struct
{
  const char *name;            /* (nullable): the torrent's name; default the scanned path's name */
  GPtrArray  *tiers;           /* (nullable) (element-type GPtrArray<utf8>) */
  GPtrArray  *web_seeds;       /* (nullable) (element-type utf8) */
  const char *comment;         /* (nullable) */
  const char *source;          /* (nullable) */
  const char *created_by;      /* (nullable): omitted when NULL */
  gint64      creation_date;   /* -1: omitted */
  gboolean    is_private;
} TsrCreateOptions;

/* After the job has run: checks that no file changed, and encodes the
 * torrent. */
GBytes      *tsr_creator_build              (TsrCreator              *self,
                                             const TsrCreateOptions  *options,
                                             GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrCreator, tsr_creator_free)

G_END_DECLS
