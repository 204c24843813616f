/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-disk-queue.h: one torrent's pieces on their way to disk (hash check
 * and write on the I/O pool), and fences: jobs that must run only once
 * every earlier write has landed (moving or deleting the files).
 */
#pragma once

#include <gio/gio.h>

#include "tsr-io-pool.h"
#include "tsr-storage.h"

G_BEGIN_DECLS

typedef struct _TsrDiskQueue TsrDiskQueue;

/* How the queue reports to its owner, on the main context. Neither is
 * called after tsr_disk_queue_detach(). */
typedef struct
{
  /* Piece @index was checked: written when @hash_ok, dropped if not. */
  void (*written) (guint         index,
                   gboolean      hash_ok,
                   gpointer      user_data);
  /* Piece @index could not be written (never for a cancellation). */
  void (*failed)  (guint         index,
                   const GError *error,
                   gpointer      user_data);
} TsrDiskQueueFuncs;

TsrDiskQueue *tsr_disk_queue_new         (TsrStorage              *storage,
                                          const TsrDiskQueueFuncs *funcs,
                                          gpointer                 user_data);
TsrDiskQueue *tsr_disk_queue_ref         (TsrDiskQueue            *self);
void          tsr_disk_queue_unref       (TsrDiskQueue            *self);
/* The owner lets go: writes in flight still land (each holds a
 * reference), fences still run, but nothing is reported any more. */
void          tsr_disk_queue_detach      (TsrDiskQueue            *self);

/* Hash-checks piece @index (@piece is its whole data) and writes it if
 * it is good. Not cancellable: a piece on its way to disk lands even if
 * the torrent stops, so that the resume record written at shutdown can
 * count it. */
void          tsr_disk_queue_write       (TsrDiskQueue            *self,
                                          guint                    index,
                                          GBytes                  *piece);
/* Runs @run (@task) on the I/O pool once the writes queued before it
 * have landed; at once when none is pending. Takes a reference to
 * @task. @self may be NULL (no storage yet): then it runs at once. */
void          tsr_disk_queue_fence       (TsrDiskQueue            *self,
                                          GTask                   *task,
                                          TsrIoFunc                run);
/* Pieces queued and not landed yet. */
guint         tsr_disk_queue_get_pending (TsrDiskQueue            *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDiskQueue, tsr_disk_queue_unref)

G_END_DECLS
