/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-move-dialog.h: moving torrents' data to another folder, with its
 * progress: one torrent after the other (tsr_torrent_move_data_async),
 * the bar counting the torrents moved and pulsing while one moves (the
 * engine tells no bytes), each failure said by name, and the library's
 * index saved with the new folders.
 */
#pragma once

#include <adwaita.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_MOVE_DIALOG (tsr_move_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TsrMoveDialog, tsr_move_dialog, TSR, MOVE_DIALOG, AdwWindow)

/* Starts moving @torrents (element-type TsrTorrent) into @folder at once. */
GtkWidget *tsr_move_dialog_new         (TsrLibrary *library,
                                        GPtrArray  *torrents,
                                        const char *folder);
/* Whether every move has ended (the Close button is on). */
gboolean   tsr_move_dialog_is_finished (TsrMoveDialog *self);
/* (nullable) What went wrong, one line per torrent that did not move. */
const char *tsr_move_dialog_get_errors (TsrMoveDialog *self);

G_END_DECLS
