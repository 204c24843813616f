/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-add-dialog.h: what to do with a torrent file before it is added:
 * where to save it, which files to fetch (with their sizes), and whether
 * to start at once.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_ADD_DIALOG (tsr_add_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsrAddDialog, tsr_add_dialog, TSR, ADD_DIALOG, AdwMessageDialog)

/* Signals:
 *   failed (TsrAddDialog *dialog, const GError *error): "Add" was chosen
 *   but the library could not add (or set up) the torrent; the dialog
 *   is closing, and whoever opened it says why. */

/* For the torrent file at @path (already parsed as @info). On "Add", the
 * torrent goes into @library ("failed" when it cannot). */
GtkWidget *tsr_add_dialog_new (GtkWindow   *parent,
                               TsrLibrary  *library,
                               const char  *path,
                               TsrMetainfo *info,
                               const char  *folder,
                               gboolean     start);

/* For a magnet's torrent whose metainfo just came (it waits, stopped):
 * "Add" sets its folder and files and starts it if asked; "Cancel"
 * removes it. */
GtkWidget *tsr_add_dialog_new_for_torrent (GtkWindow   *parent,
                                           TsrLibrary  *library,
                                           TsrTorrent  *torrent,
                                           const char  *folder,
                                           gboolean     start);

G_END_DECLS
