/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-resume.h: resume records: which pieces were verified, and the size
 * and modification time of every file when they were, so that a restart
 * trusts the record only when the disk still matches it.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-metainfo.h"

G_BEGIN_DECLS

/* Blocking (stat of every file): call from a worker thread. */
GBytes   *tsr_resume_encode  (const TsrMetainfo *info,
                              const char        *folder,
                              const TsrBitfield *have);
/* Fills @have from @record when it belongs to @info and every file's size
 * and mtime still match; FALSE otherwise (then recheck). Blocking. */
gboolean  tsr_resume_apply   (const TsrMetainfo *info,
                              const char        *folder,
                              GBytes            *record,
                              TsrBitfield       *have);
/* "<folder>/<info hash hex>.resume" */
char     *tsr_resume_path    (const TsrMetainfo *info,
                              const char        *state_folder);

/* A record to write or read on a worker: copies of what it needs, taken
 * on the main thread. */
typedef struct _TsrResumeRecord TsrResumeRecord;

/* @have is copied; NULL for a record that is only to be read. */
TsrResumeRecord *tsr_resume_record_new        (TsrMetainfo       *info,
                                               const char        *folder,
                                               const char        *path,
                                               const TsrBitfield *have);
void             tsr_resume_record_free       (TsrResumeRecord   *record);
/* The data folder the record speaks of (after a move). */
void             tsr_resume_record_set_folder (TsrResumeRecord   *record,
                                               const char        *folder);
/* Blocking: writes the record (temp file, fsync, rename: a crash leaves
 * the old record or the new), creating its folder. */
gboolean         tsr_resume_record_write      (TsrResumeRecord   *record,
                                               GError           **error);
/* Blocking: the pieces the record on disk vouches for, or NULL when
 * there is none or the disk no longer matches it (then recheck). */
TsrBitfield     *tsr_resume_record_read       (TsrResumeRecord   *record);

G_END_DECLS
