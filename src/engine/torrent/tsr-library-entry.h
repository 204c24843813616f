/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-entry.h: what one torrent's entry in the library's index
 * (torrents.json) keeps beside its hash and folder, to JSON and back:
 * file priorities and the limits the user set. Used by tsr-library.c
 * only; no I/O.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tsr-torrent.h"

G_BEGIN_DECLS

/* "priorities": one per file (TsrPriority), only when some file is not
 * normal; read back only when the count matches the files. */
void     tsr_library_entry_add_priorities (JsonBuilder *builder,
                                           TsrTorrent  *torrent);
void     tsr_library_entry_set_priorities (TsrTorrent  *torrent,
                                           JsonArray   *priorities);
/* "limits", only for a torrent whose limits the user set (marked with
 * tsr_library_entry_set_own_limits); @limits (nullable) applied and marked. */
void     tsr_library_entry_add_limits     (JsonBuilder *builder,
                                           TsrTorrent  *torrent);
void     tsr_library_entry_apply_limits   (TsrTorrent  *torrent,
                                           JsonObject  *limits);
void     tsr_library_entry_set_own_limits (TsrTorrent  *torrent);
gboolean tsr_library_entry_has_own_limits (TsrTorrent  *torrent);

G_END_DECLS
