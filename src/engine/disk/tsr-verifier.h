/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-verifier.h: checks the data of a torrent on disk against its piece
 * hashes (v1 SHA-1, v2 piece layers and roots), for `tessera-cli verify`
 * and the engine's recheck. The hashing itself is a TsrHashJob.
 */
#pragma once

#include <glib.h>

#include "tsr-hasher.h"
#include "tsr-metainfo.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_PIECE_CHECK_GOOD,
  TSR_PIECE_CHECK_BAD,
  TSR_PIECE_CHECK_MISSING,
} TsrPieceCheck;

typedef enum
{
  TSR_FILE_CHECK_COMPLETE,     /* there, and every piece it touches is good */
  TSR_FILE_CHECK_INCOMPLETE,   /* there, but some piece is bad or missing */
  TSR_FILE_CHECK_MISSING,      /* not there, or shorter than it should be */
} TsrFileCheck;

typedef struct
{
  guint          n_pieces;
  guint          good;
  guint          bad;
  guint          missing;
  TsrPieceCheck *pieces;       /* per piece */
  TsrFileCheck  *files;        /* per file of the metainfo (pad files: complete) */
  guint         *file_bad;     /* per file: pieces touching it that are bad */
} TsrVerifyReport;

/* A job over the torrent's files below @folder (missing files allowed). */
TsrHashJob      *tsr_verifier_prepare_job (const TsrMetainfo *info,
                                           const char        *folder);
/* After the job ran: compares every piece with the torrent's hashes. */
TsrVerifyReport *tsr_verifier_report      (const TsrMetainfo *info,
                                           TsrHashJob        *job);
void             tsr_verify_report_free   (TsrVerifyReport   *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrVerifyReport, tsr_verify_report_free)

G_END_DECLS
