/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-library.h: `tessera-cli peer --library DIR`: the app's torrent
 * library loaded for a run without a window.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

/* Sees a torrent as it joins the session, before it starts. */
typedef void (*TsrCliAdoptFunc) (TsrTorrent *torrent,
                                 gpointer    user_data);

/* Restores the library's torrents as the app would (folders, file
 * priorities, limits, resume records, started or not), then adds
 * @inputs (torrent files or magnet links) to it, saving into @folder,
 * started unless @stopped; one already in the library stays as it is.
 * @adopt sees each torrent first, so that the library's stored settings,
 * applied after it, win over the caller's. Each running torrent is given
 * the addresses in @peers (nullable), and @n_running counts them. FALSE,
 * with @error naming the input, when one cannot be added. */
gboolean tsr_cli_library_load (TsrLibrary         *library,
                               const char * const *inputs,
                               const char         *folder,
                               gboolean            stopped,
                               const char * const *peers,
                               TsrCliAdoptFunc     adopt,
                               gpointer            user_data,
                               guint              *n_running,
                               GError            **error);

G_END_DECLS
