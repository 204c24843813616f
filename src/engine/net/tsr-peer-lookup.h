/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-lookup.h: a "host:port" that people or magnets give, made into
 * a TsrPeerAddress: at once for a numeric address, through the system
 * resolver for a host name (a magnet's "x.pe" or `--peer` may name one);
 * and a set of them for an owner that may go before they end.
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

/* An address found, and the tag it was asked with. */
typedef void (*TsrPeerFoundFunc) (const TsrPeerAddress *address,
                                  guint                 tag,
                                  gpointer              user_data);

typedef struct _TsrPeerLookups TsrPeerLookups;

/* Hands each address found to @found: a numeric one at once, a host
 * name's once resolved (a failure is only logged). */
TsrPeerLookups *tsr_peer_lookups_new  (TsrPeerFoundFunc  found,
                                       gpointer          user_data);
void            tsr_peer_lookups_add  (TsrPeerLookups   *self,
                                       const char       *text,
                                       guint             tag);
/* Cancels the lookups still running: @found hears nothing more. */
void            tsr_peer_lookups_free (TsrPeerLookups   *self);

G_END_DECLS
