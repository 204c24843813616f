/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-http-listener.h: the tracker's HTTP front: listening
 * sockets and their connections, each GET request handed to the server
 * through a callback.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-http.h"
#include "tsr-tracker-proto.h"   /* TsrPeerAddress */

G_BEGIN_DECLS

typedef struct _TsrTrackerHttpListener TsrTrackerHttpListener;

typedef struct
{
  /* A GET request from @peer (its port the connection's): returns
   * (transfer full) the response body. *@status (200), *@reason ("OK")
   * and *@content_type ("text/plain") may be set to other static strings. */
  GBytes *(*request) (const TsrHttpRequest  *request,
                      const TsrPeerAddress  *peer,
                      guint                 *status,
                      const char           **reason,
                      const char           **content_type,
                      gpointer               user_data);
} TsrTrackerHttpListenerFuncs;

/* Keeps at most @max_connections at once; a connection silent for more
 * than @idle_seconds goes at the next tsr_tracker_http_listener_close_idle().
 * @funcs (static) are called with @user_data (borrowed). */
TsrTrackerHttpListener *tsr_tracker_http_listener_new        (guint                              max_connections,
                                                              guint                              idle_seconds,
                                                              const TsrTrackerHttpListenerFuncs *funcs,
                                                              gpointer                           user_data);
/* Closes every connection and socket; calls nothing back. */
void                    tsr_tracker_http_listener_free       (TsrTrackerHttpListener            *self);
/* Accepts connections on @socket (listening, non-blocking; a new ref is
 * taken). */
void                    tsr_tracker_http_listener_add_socket (TsrTrackerHttpListener            *self,
                                                              GSocket                           *socket);
/* Closes idle connections, and ones whose reader stopped reading. */
void                    tsr_tracker_http_listener_close_idle (TsrTrackerHttpListener            *self);

G_END_DECLS
