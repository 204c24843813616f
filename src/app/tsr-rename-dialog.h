/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rename-dialog.h: "Rename…" for a file or folder of a torrent (the
 * Files page): an AdwMessageDialog with the name in an entry. Renaming
 * asks the engine (tsr_torrent_rename_path_async); a refusal (a name
 * that cannot be, one already taken, the disk) is shown in a dialog of
 * its own, naming the reason.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_RENAME_DIALOG (tsr_rename_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsrRenameDialog, tsr_rename_dialog, TSR, RENAME_DIALOG, AdwMessageDialog)

/* Renames @path (as tsr_torrent_get_file_path names it, or a folder of
 * it), now called @name, of @torrent. */
GtkWidget    *tsr_rename_dialog_new         (GtkWindow       *parent,
                                             TsrTorrent      *torrent,
                                             const char      *path,
                                             const char      *name);
GtkEditable  *tsr_rename_dialog_get_entry   (TsrRenameDialog *self);
/* For tests: whether the engine answered, its refusal (NULL when the
 * rename worked), and the dialog that shows it. */
gboolean      tsr_rename_dialog_is_finished (TsrRenameDialog *self);
const GError *tsr_rename_dialog_get_error   (TsrRenameDialog *self);
GtkWindow    *tsr_rename_dialog_get_error_dialog (TsrRenameDialog *self);

G_END_DECLS
