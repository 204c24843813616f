/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-lookup.h: a "host:port" that people or magnets give, made into
 * a TsrPeerAddress: at once for a numeric address, through the system
 * resolver for a host name (a magnet's "x.pe" or `--peer` may name one).
 */
#pragma once

#include <gio/gio.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Finds @text's address; @tag is handed back by the finish call (the
 * caller's note of where the address came from). */
void     tsr_peer_lookup_async  (const char          *text,
                                 guint                tag,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
/* The first address the resolver gave (the one a connection to the name
 * would have tried first). */
gboolean tsr_peer_lookup_finish (GAsyncResult        *result,
                                 TsrPeerAddress      *address,
                                 guint               *tag,
                                 GError             **error);

G_END_DECLS
