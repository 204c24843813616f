/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-server.h: Transmission's RPC over HTTP (libsoup's server), for
 * `tessera-cli daemon` and, later, the app: POST /transmission/rpc with
 * the X-Transmission-Session-Id handshake (409), HTTP Basic
 * authentication (401), an allow-list of client addresses (403) and of
 * Host names against DNS rebinding (421), and a size limit on request
 * bodies (413). Any other path goes to the static handler (the web
 * interface), past the same checks but the session id.
 */
#pragma once

#include <libsoup/soup.h>

#include "tsr-rpc-context.h"

G_BEGIN_DECLS

#define TSR_RPC_SERVER_MAX_BODY (1024 * 1024)

#define TSR_TYPE_RPC_SERVER (tsr_rpc_server_get_type ())
G_DECLARE_FINAL_TYPE (TsrRpcServer, tsr_rpc_server, TSR, RPC_SERVER, GObject)

/* Serves a path other than /transmission/rpc, once the client passed the
 * address, password and Host checks: sets @message's status and body. */
typedef void (*TsrRpcStaticHandler) (SoupServerMessage *message,
                                     const char        *path,
                                     gpointer           user_data);

/* Takes @context (transfer full). */
TsrRpcServer *tsr_rpc_server_new      (TsrRpcContext       *context);
TsrRpcContext *tsr_rpc_server_get_context (TsrRpcServer    *self);
/* Basic authentication with @user and @password; NULL @password: none. */
void          tsr_rpc_server_set_credentials (TsrRpcServer *self,
                                              const char   *user,
                                              const char   *password);
/* Client addresses allowed, as patterns with '*' ("192.168.1.*");
 * NULL: 127.0.0.1 and ::1 only; a "*" allows all. */
void          tsr_rpc_server_set_whitelist (TsrRpcServer       *self,
                                            const char * const *patterns);
/* Host names allowed besides localhost and IP literals, as patterns
 * with '*'; NULL: those only; a "*" allows all. */
void          tsr_rpc_server_set_host_whitelist (TsrRpcServer       *self,
                                                 const char * const *patterns);
/* Bytes a request body may have (default TSR_RPC_SERVER_MAX_BODY). */
void          tsr_rpc_server_set_max_body (TsrRpcServer *self,
                                           gsize         max);
/* The hook for the web interface (NULL: 404 for every other path). */
void          tsr_rpc_server_set_static_handler (TsrRpcServer        *self,
                                                 TsrRpcStaticHandler  handler,
                                                 gpointer             user_data,
                                                 GDestroyNotify       destroy);
/* Listens on @address (an IP literal) and @port (0: any free one). */
gboolean      tsr_rpc_server_listen   (TsrRpcServer       *self,
                                       const char         *address,
                                       guint16             port,
                                       GError            **error);
guint16       tsr_rpc_server_get_port (TsrRpcServer       *self);
void          tsr_rpc_server_disconnect (TsrRpcServer     *self);

G_END_DECLS
