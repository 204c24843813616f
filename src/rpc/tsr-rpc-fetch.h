/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-fetch.h: torrent-add's "filename" as an http(s) URL: the
 * torrent file fetched, at most TSR_RPC_FETCH_MAX bytes, with a time
 * bound, for the request handler to add as "metainfo".
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TSR_RPC_FETCH_MAX (16 * 1024 * 1024)
#define TSR_RPC_FETCH_TIMEOUT 30

void    tsr_rpc_fetch_async  (const char          *url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
/* The body, or NULL with @error (a failed request, an HTTP error
 * status, or a body over the limit). */
GBytes *tsr_rpc_fetch_finish (GAsyncResult        *result,
                              GError             **error);

G_END_DECLS
