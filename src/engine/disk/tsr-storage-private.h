/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage-private.h: what tsr-storage-files.c borrows from
 * TsrStorage: its safe walk beneath the download folder, its error codes,
 * and the folder's change after a move. Functions only: the struct stays
 * tsr-storage.c's.
 */
#pragma once

#include "tsr-storage.h"

G_BEGIN_DECLS

/* Opens the folder that holds @relative's last component under @root,
 * one component at a time without following a symlink, creating missing
 * folders when @create. Returns its fd and sets @name (the last
 * component), or -1 with errno set (ELOOP or ENOTDIR for a link in the
 * way). */
int  _tsr_storage_open_parent_beneath (const char  *root,
                                       const char  *relative,
                                       gboolean     create,
                                       char       **name);
/* The TsrStorageError code for @saved_errno: NO_SPACE for a full disk or
 * quota, IO otherwise. */
int  _tsr_storage_error_code          (int          saved_errno);
/* The files are now under @folder (canonical, transfer full). */
void _tsr_storage_set_folder          (TsrStorage  *self,
                                       char        *folder);

G_END_DECLS
