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

G_END_DECLS
