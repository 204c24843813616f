/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-disk.h: a torrent's data on disk: its folder, the storage
 * of its files, the queue of pieces on their way there, the resume
 * record, and the check at start (the resume record, else hashing the
 * data on the I/O pool). Reports upward through TsrTorrentDiskFuncs; the
 * owner never waits for the disk.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-bitfield.h"
#include "tsr-disk-queue.h"
#include "tsr-metainfo.h"
#include "tsr-resume-store.h"
#include "tsr-storage.h"

G_BEGIN_DECLS

typedef struct _TsrTorrentDisk TsrTorrentDisk;

typedef struct
{
  /* Piece @index landed: written when @hash_ok, dropped if not. */
  void               (*written) (guint              index,
                                 gboolean           hash_ok,
                                 gpointer           user_data);
  /* A write failed, or the check could not read the data (a cancelled
   * check reports nothing). */
  void               (*failed)  (const GError      *error,
                                 gpointer           user_data);
  /* The check ended: @have (borrowed) holds the good pieces; @resumed:
   * a resume record told, else the data was hashed. The last thing the
   * check does: @self may be freed in it. */
  void               (*checked) (const TsrBitfield *have,
                                 gboolean           resumed,
                                 gpointer           user_data);
  /* Asks what a resume record holds: NULL while it is not known (before
   * a check ends), and then nothing is written. */
  const TsrBitfield *(*have)    (gpointer           user_data);
  /* A storage was made (the metainfo came, or another folder): what
   * reads the data must use @storage (borrowed) from now on. */
  void               (*storage) (TsrStorage        *storage,
                                 gpointer           user_data);
} TsrTorrentDiskFuncs;

/* @resume_delay: seconds a resume record waits after a change. */
TsrTorrentDisk *tsr_torrent_disk_new          (const char                *folder,
                                               guint                      resume_delay,
                                               const TsrTorrentDiskFuncs *funcs,
                                               gpointer                   user_data);
/* Cancels a check; pieces on their way still land, unreported. */
void            tsr_torrent_disk_free         (TsrTorrentDisk            *self);

/* Makes the storage: at once, or when a magnet's comes. */
void            tsr_torrent_disk_set_metainfo (TsrTorrentDisk            *self,
                                               TsrMetainfo               *info);
/* Another folder for data not there yet: new storage (the queue, with
 * its last writes, goes). */
void            tsr_torrent_disk_set_folder   (TsrTorrentDisk            *self,
                                               const char                *folder);
/* Where each file lands (one entry per file, NULL: its own path): the
 * storage, the check and the resume record use them from now on. The
 * files on disk are the caller's to rename first. */
void            tsr_torrent_disk_set_paths    (TsrTorrentDisk            *self,
                                               const char * const        *paths);
/* The name of the top folder or single file now (NULL before the
 * metainfo). */
const char     *tsr_torrent_disk_get_name     (TsrTorrentDisk            *self);
/* Where file @index lands now, relative to the folder. */
const char     *tsr_torrent_disk_get_path     (TsrTorrentDisk            *self,
                                               guint                      index);
/* The resume record is saved within the delay, if what it holds is
 * known (the owner's have). */
void            tsr_torrent_disk_save_soon    (TsrTorrentDisk            *self);
/* The data was moved to the storage's folder: it is ours now. */
void            tsr_torrent_disk_moved        (TsrTorrentDisk            *self);
const char     *tsr_torrent_disk_get_folder   (TsrTorrentDisk            *self);

/* Finds the good pieces: from the resume record unless @hash or there is
 * none, else by hashing the data, when its turn comes. A check still
 * running or waiting is cancelled. */
void            tsr_torrent_disk_check        (TsrTorrentDisk            *self,
                                               gboolean                   hash);
void            tsr_torrent_disk_cancel       (TsrTorrentDisk            *self);
/* Checks take turns, this many at a time in the process. */
#define TSR_TORRENT_DISK_CHECKS_AT_ONCE 128
/* How many checks run now, and how many wait (those cancelled while
 * waiting included, until their turn). */
void            tsr_torrent_disk_count_checks (guint                     *running,
                                               guint                     *waiting);

/* The queue owns @piece now, even if the torrent stops meanwhile. */
void            tsr_torrent_disk_write        (TsrTorrentDisk            *self,
                                               guint                      index,
                                               GBytes                    *piece);

/* Borrowed; the storage is NULL before the metainfo, the queue until
 * the first piece is written (an idle torrent keeps none). */
TsrStorage     *tsr_torrent_disk_get_storage  (TsrTorrentDisk            *self);
TsrDiskQueue   *tsr_torrent_disk_get_queue    (TsrTorrentDisk            *self);
TsrResumeStore *tsr_torrent_disk_get_resume   (TsrTorrentDisk            *self);

G_END_DECLS
