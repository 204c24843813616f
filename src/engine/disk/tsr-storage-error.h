/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage-error.h: the storage's error domain, apart from TsrStorage
 * so that the front ends (through tessera-engine.h) can tell a full disk
 * or missing files from other failures of a torrent without seeing the
 * storage object itself. The quark is defined in tsr-storage.c.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_STORAGE_ERROR (tsr_storage_error_quark ())
GQuark tsr_storage_error_quark (void);

typedef enum
{
  TSR_STORAGE_ERROR_IO,         /* a read or write failed */
  TSR_STORAGE_ERROR_NO_SPACE,   /* the disk is full: nothing was lost, try again */
  TSR_STORAGE_ERROR_MISSING,    /* data asked for is not on disk */
  TSR_STORAGE_ERROR_BAD_RANGE,  /* a piece or block outside the torrent */
} TsrStorageError;

G_END_DECLS
