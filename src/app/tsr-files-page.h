/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-files-page.h: a torrent's files as a tree (folders fold), each with
 * its size, progress, a priority to choose (skip, normal, high) and a
 * button that opens it; a details page. Emits "priorities-changed" when
 * the user changed a priority, for the app to save.
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_FILES_PAGE (tsr_files_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrFilesPage, tsr_files_page, TSR, FILES_PAGE, GtkWidget)

/* @torrent: (nullable): whose files to show; it must have its metainfo.
 * The tree is built anew. */
void tsr_files_page_set_torrent (TsrFilesPage *self,
                                 TsrTorrent   *torrent);
/* The files' progress and priorities, from the torrent. */
void tsr_files_page_refresh     (TsrFilesPage *self);

G_END_DECLS
