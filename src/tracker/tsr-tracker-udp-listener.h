/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-udp-listener.h: the tracker's UDP front (BEP 15):
 * datagrams read and answered in batches, connection ids, and the
 * announces and scrapes handed to the server through callbacks.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-tracker-proto.h"

G_BEGIN_DECLS

typedef struct _TsrTrackerUdpListener TsrTrackerUdpListener;

typedef struct
{
  /* Whether @peer may make one more request now. */
  gboolean (*allowed)  (const TsrPeerAddress  *peer,
                        gpointer               user_data);
  /* Records @peer's announce (its port the one it listens on) and
   * appends up to @numwant (-1: the default) other peers to @out_peers
   * (element-type TsrPeerAddress, emptied by the caller). FALSE when the
   * torrent is not served. */
  gboolean (*announce) (const guint8          *info_hash,
                        const TsrPeerAddress  *peer,
                        guint64                left,
                        TsrAnnounceEvent       event,
                        gint32                 numwant,
                        GArray                *out_peers,
                        guint                 *complete,
                        guint                 *incomplete,
                        gpointer               user_data);
  /* Fills the counts of @entries, whose info hashes are set. */
  void     (*scrape)   (TsrTrackerScrapeEntry *entries,
                        guint                  n_entries,
                        gpointer               user_data);
} TsrTrackerUdpListenerFuncs;

/* @interval: the seconds between announces that replies ask for. @key:
 * the connection ids' secret (32 bytes from a cryptographic generator).
 * @funcs (static) are called with @user_data (borrowed). */
TsrTrackerUdpListener *tsr_tracker_udp_listener_new        (guint                             interval,
                                                            const guint8                     *key,
                                                            const TsrTrackerUdpListenerFuncs *funcs,
                                                            gpointer                          user_data);
/* Stops serving and drops its references to the sockets; calls nothing
 * back. */
void                   tsr_tracker_udp_listener_free       (TsrTrackerUdpListener           *self);
/* Serves @socket (bound, non-blocking; a new ref is taken). */
void                   tsr_tracker_udp_listener_add_socket (TsrTrackerUdpListener           *self,
                                                            GSocket                         *socket);

G_END_DECLS
