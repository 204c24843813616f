/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-done-batch.h: downloads that finish close together, told in one
 * notification ("3 Downloads Finished") rather than one each: a batch
 * goes on while each finishes within TSR_DONE_BATCH_WINDOW of the one
 * before, and its notification is replaced as it grows. Pure: the caller
 * gives the time, so tests need no clock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_DONE_BATCH_WINDOW (10 * G_TIME_SPAN_SECOND)

typedef struct _TsrDoneBatch TsrDoneBatch;

TsrDoneBatch *tsr_done_batch_new        (void);
void          tsr_done_batch_free       (TsrDoneBatch *self);
/* Counts the torrent @name, saved in @folder, finished at @now (monotonic
 * microseconds). Returns the batch's number: the previous one's while
 * torrents finish within the window of each other, a new one after. */
guint         tsr_done_batch_add        (TsrDoneBatch *self,
                                         const char   *name,
                                         const char   *folder,
                                         gint64        now);
guint         tsr_done_batch_get_count  (TsrDoneBatch *self);
/* The folder of all the batch's torrents, or NULL when they differ. */
const char   *tsr_done_batch_get_folder (TsrDoneBatch *self);
/* "Download Complete" or "3 Downloads Finished". */
char         *tsr_done_batch_dup_title  (TsrDoneBatch *self);
/* The name, or up to three names and how many more. */
char         *tsr_done_batch_dup_body   (TsrDoneBatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDoneBatch, tsr_done_batch_free)

G_END_DECLS
