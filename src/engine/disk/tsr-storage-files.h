/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage-files.h: a torrent's files on disk as whole files: deleted,
 * or moved to another folder, or one of them (or a folder of them)
 * renamed in place.
 */
#pragma once

#include "tsr-storage.h"

G_BEGIN_DECLS

/* Blocking (run it on a worker): closes the torrent's files and deletes
 * them, then the folders of the torrent that are left empty. Never
 * follows a symlink, never touches anything the torrent does not name. */
gboolean     tsr_storage_delete_files      (TsrStorage          *self,
                                            GError             **error);

/* Blocking (run it on a worker, with no other I/O on this storage):
 * moves the torrent's files under @destination (renamed, or copied with
 * their times and then deleted across file systems) and from then on
 * works there. Refuses, moving nothing, if a file is already there. */
gboolean     tsr_storage_move_files        (TsrStorage          *self,
                                            const char          *destination,
                                            GError             **error);

/* Blocking (run it on a worker, with no other I/O on this storage):
 * renames @path (a file's or a folder's path relative to the folder)
 * to @new_name (one safe component) in the same folder. Nothing there
 * yet is fine (it is written under the new name later); something
 * already at the new name is never replaced, and no symlink is
 * followed. The storage keeps its mapping: make one for the new names. */
gboolean     tsr_storage_rename_path       (TsrStorage          *self,
                                            const char          *path,
                                            const char          *new_name,
                                            GError             **error);

G_END_DECLS
