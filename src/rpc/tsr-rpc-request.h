/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-request.h: one Transmission RPC request body in, its reply body
 * out, with no HTTP: the server (tsr-rpc-server.h) checks who may ask,
 * this answers, and the fuzz target drives it directly.
 */
#pragma once

#include "tsr-rpc-context.h"

G_BEGIN_DECLS

/* Answers @body (@length bytes, any bytes at all): the reply's JSON, with
 * "result" and "arguments" and the request's "tag" echoed. *@http_status
 * is 200, or 400 when @body is not a JSON object naming a method. */
char *tsr_rpc_handle_request (TsrRpcContext *context,
                              const char    *body,
                              gsize          length,
                              guint         *http_status);

/* The reply and its HTTP status; @reply (owned) is the callee's. */
typedef void (*TsrRpcReplyFunc) (char     *reply,
                                 guint     http_status,
                                 gpointer  user_data);

/* The same, except that torrent-add with an http(s) "filename" fetches
 * the torrent file first (tsr-rpc-fetch.h); @callback may run before this
 * returns. */
void  tsr_rpc_handle_request_async (TsrRpcContext   *context,
                                    const char      *body,
                                    gsize            length,
                                    GCancellable    *cancellable,
                                    TsrRpcReplyFunc  callback,
                                    gpointer         user_data);

G_END_DECLS
