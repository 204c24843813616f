/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-verifier.c: maps a torrent's files under a folder onto a hash job,
 * then judges each piece and file. A piece whose data is partly absent is
 * "missing", not "bad": the difference between an unfinished download and
 * a corrupt one.
 */
#define G_LOG_DOMAIN "tsr-verifier"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tsr-path.h"
#include "tsr-verifier.h"

TsrHashJob *
tsr_verifier_prepare_job (const TsrMetainfo *info,
                          const char        *folder)
{
  g_autofree char *absolute = NULL;
  TsrHashKinds kinds = 0;
  TsrHashJob *job;
  guint i;

  g_return_val_if_fail (info != NULL && folder != NULL, NULL);

  absolute = g_canonicalize_filename (folder, NULL);
  if (info->has_v1)
    kinds |= TSR_HASH_V1;
  if (info->has_v2)
    kinds |= TSR_HASH_V2;
  job = tsr_hash_job_new (info->piece_length, kinds, TRUE);
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_autofree char *path = NULL;

      if (!(file->attr & TSR_FILE_ATTR_PAD))
        {
          /* Sanitized paths cannot leave the folder; check anyway. */
          g_return_val_if_fail (tsr_path_is_inside (absolute, file->path), job);
          path = g_build_filename (absolute, file->path, NULL);
        }
      tsr_hash_job_add_file (job, path, file->offset, file->length);
    }
  tsr_hash_job_set_stream_length (job, info->stream_length);
  return job;
}

TsrVerifyReport *
tsr_verifier_report (const TsrMetainfo *info,
                     TsrHashJob        *job)
{
  TsrVerifyReport *report;
  const guint8 *pieces = info->pieces != NULL ? g_bytes_get_data (info->pieces, NULL) : NULL;
  guint i;

  g_return_val_if_fail (info != NULL && job != NULL, NULL);

  report = g_new0 (TsrVerifyReport, 1);
  report->n_pieces = info->piece_count;
  report->pieces = g_new0 (TsrPieceCheck, MAX (info->piece_count, 1));
  report->files = g_new0 (TsrFileCheck, MAX (info->n_files, 1));
  report->file_bad = g_new0 (guint, MAX (info->n_files, 1));

  for (i = 0; i < info->piece_count; i++)
    {
      TsrPieceState state = tsr_hash_job_get_piece_state (job, i);
      gboolean good = state == TSR_PIECE_HASHED;

      if (state != TSR_PIECE_HASHED)
        {
          report->pieces[i] = TSR_PIECE_CHECK_MISSING;
          report->missing++;
          continue;
        }
      if (info->has_v1)
        good = good && memcmp (tsr_hash_job_get_piece_sha1 (job, i), pieces + (gsize) i * 20, 20) == 0;
      if (info->has_v2)
        {
          const guint8 *expected = tsr_metainfo_get_piece_v2_hash (info, i);
          const guint8 *computed = tsr_hash_job_get_piece_v2 (job, i);

          /* A v2-only piece without a known hash cannot be trusted. */
          if (expected != NULL && computed != NULL)
            good = good && memcmp (expected, computed, 32) == 0;
          else if (!info->has_v1)
            good = FALSE;
        }
      report->pieces[i] = good ? TSR_PIECE_CHECK_GOOD : TSR_PIECE_CHECK_BAD;
      if (good)
        report->good++;
      else
        report->bad++;
    }

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      guint64 first, last, p;
      gboolean all_good = TRUE;

      if (file->attr & TSR_FILE_ATTR_PAD)
        {
          report->files[i] = TSR_FILE_CHECK_COMPLETE;
          continue;
        }
      if (!tsr_hash_job_get_file_present (job, i))
        {
          report->files[i] = TSR_FILE_CHECK_MISSING;
          continue;
        }
      if (file->length == 0)
        {
          report->files[i] = TSR_FILE_CHECK_COMPLETE;
          continue;
        }
      first = file->offset / info->piece_length;
      last = (file->offset + file->length - 1) / info->piece_length;
      for (p = first; p <= last && p < info->piece_count; p++)
        if (report->pieces[p] != TSR_PIECE_CHECK_GOOD)
          {
            all_good = FALSE;
            report->file_bad[i]++;
          }
      report->files[i] = all_good ? TSR_FILE_CHECK_COMPLETE : TSR_FILE_CHECK_INCOMPLETE;
    }
  return report;
}

void
tsr_verify_report_free (TsrVerifyReport *report)
{
  if (report == NULL)
    return;
  g_free (report->pieces);
  g_free (report->files);
  g_free (report->file_bad);
  g_free (report);
}
