/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-resume-store.h: when and where one torrent's resume record is
 * written and read: batched saves after changes, an immediate save at
 * exit, and the asynchronous load at start.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-bitfield.h"
#include "tsr-metainfo.h"
#include "tsr-resume.h"

G_BEGIN_DECLS

typedef struct _TsrResumeStore TsrResumeStore;

typedef struct
{
  /* What to record now: the data folder and the verified pieces, both
   * borrowed; FALSE when there is nothing worth recording yet (before
   * the first check ends, "have" says nothing). */
  gboolean (*snapshot) (const char        **folder,
                        const TsrBitfield **have,
                        gpointer            user_data);
} TsrResumeStoreFuncs;

/* Saves come at most once every @delay_seconds after a change. */
TsrResumeStore  *tsr_resume_store_new              (guint                      delay_seconds,
                                                    const TsrResumeStoreFuncs *funcs,
                                                    gpointer                   user_data);
/* Stops the timer; a save already on a worker finishes on its own. */
void             tsr_resume_store_free             (TsrResumeStore            *self);
/* A magnet's metainfo arrives late: nothing is saved or loaded before. */
void             tsr_resume_store_set_metainfo     (TsrResumeStore            *self,
                                                    TsrMetainfo               *info);
/* Where records live; NULL: never saved (nor loaded). */
void             tsr_resume_store_set_state_folder (TsrResumeStore            *self,
                                                    const char                *state_folder);
gboolean         tsr_resume_store_is_enabled       (TsrResumeStore            *self);
/* "<state folder>/<info hash>.resume", or NULL when not enabled. */
char            *tsr_resume_store_dup_path         (TsrResumeStore            *self);
/* Something the record holds changed: saved within the delay. */
void             tsr_resume_store_changed          (TsrResumeStore            *self);
/* Something changed that must not wait for the delay (the torrent
 * stopped on an error): saved on the next turn of the main loop. */
void             tsr_resume_store_changed_now      (TsrResumeStore            *self);
/* The record is out of date, but no save is scheduled for it (the next
 * one, or the one at exit, writes it). */
void             tsr_resume_store_mark_dirty       (TsrResumeStore            *self);
gboolean         tsr_resume_store_is_dirty         (TsrResumeStore            *self);
/* A save is being written by a worker (the store holds what they share
 * only then). */
gboolean         tsr_resume_store_is_saving        (TsrResumeStore            *self);
/* A record of now, to write elsewhere (a move); NULL when not enabled or
 * nothing is worth recording. */
TsrResumeRecord *tsr_resume_store_snapshot         (TsrResumeStore            *self);
/* Blocking: writes the record now if it changed since the last save
 * (quitting with thousands of idle torrents writes none of them). */
gboolean         tsr_resume_store_save_now         (TsrResumeStore            *self,
                                                    GError                   **error);
/* Reads the record for data in @folder on a worker. */
void             tsr_resume_store_load_async       (TsrResumeStore            *self,
                                                    const char                *folder,
                                                    GCancellable              *cancellable,
                                                    GAsyncReadyCallback        callback,
                                                    gpointer                   user_data);
/* The verified pieces, or NULL: no record, or one the disk no longer
 * matches (@error set only when cancelled). */
TsrBitfield     *tsr_resume_store_load_finish      (TsrResumeStore            *self,
                                                    GAsyncResult              *result,
                                                    GError                   **error);

G_END_DECLS
