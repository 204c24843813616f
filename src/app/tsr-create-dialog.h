/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-create-dialog.h: making a torrent from the desktop: drop a file or
 * a folder (or choose one), set the options (remembered), create. The
 * scan and the hashing run on worker threads, with progress, rate and
 * time left, and can be cancelled at any time; nothing is written until
 * the torrent is complete. The result can be seeded from where the files
 * are, and its magnet link copied.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_CREATE_DIALOG (tsr_create_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsrCreateDialog, tsr_create_dialog, TSR, CREATE_DIALOG, AdwWindow)

GtkWidget  *tsr_create_dialog_new          (GtkWindow       *parent,
                                            TsrLibrary      *library);
/* What a drop does: @files (element-type GFile) must be one file or one
 * folder; it is scanned on a worker thread. FALSE (and an inline error)
 * otherwise. */
gboolean    tsr_create_dialog_set_files    (TsrCreateDialog *self,
                                            GSList          *files);
/* The summary shown once scanned ("name — size in N files, P pieces"),
 * or NULL before. */
const char *tsr_create_dialog_get_summary  (TsrCreateDialog *self);
/* The error shown inline, or NULL. */
const char *tsr_create_dialog_get_error    (TsrCreateDialog *self);
/* Creates the torrent into @output (the save dialog's path). "created"
 * (output path) or "failed" (message) follows; tsr_create_dialog_cancel
 * stops it and leaves no file. */
void        tsr_create_dialog_create_to    (TsrCreateDialog *self,
                                            const char      *output);
void        tsr_create_dialog_cancel       (TsrCreateDialog *self);

G_END_DECLS
