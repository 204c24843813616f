/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-listener.h: the listening socket for all torrents and the
 * connections it accepts until their handshake names a torrent. A
 * connection is refused at once when too many wait for their handshake
 * (in all, or from its host), and closed when its handshake, plaintext or
 * inside MSE, asks for a torrent its owner does not know, or when it
 * stays silent too long. The listener knows torrents only as opaque keys
 * and the info hashes they answer to, and speaks to its owner through a
 * table of functions.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-blocklist.h"
#include "tsr-peer.h"

G_BEGIN_DECLS

/* Accepted connections still waiting for their handshake, at most: in
 * all (a burst of honest peers after a popular announce fits), and from
 * one host (a single host's flood does not crowd the others out). */
#define TSR_LISTENER_MAX_PENDING 512
#define TSR_LISTENER_MAX_PENDING_PER_HOST 16
/* Milliseconds an accepted connection has to send its handshake. */
#define TSR_LISTENER_HANDSHAKE_TIMEOUT (30 * 1000)

typedef struct _TsrListener TsrListener;

/* Called by the owner's foreach_hash for each info hash it answers to;
 * TRUE stops the walk. */
typedef gboolean (*TsrListenerHashFunc) (const guint8 *info_hash,
                                         gpointer      data);

/* How the listener asks its owner and reports to it; all on the main
 * context, never from tsr_listener_free(). */
typedef struct
{
  /* A handshake asks for @info_hash (20 bytes): the torrent that takes
   * the connection now, as a key for accepted(), or NULL to close it. */
  gpointer (*find)         (const guint8        *info_hash,
                            gpointer             user_data);
  /* Calls @func with every info hash (20 bytes) an encrypted handshake
   * may name, until it returns TRUE: MSE names the torrent only by
   * HASH('req2', info hash), so the listener tries each. */
  void     (*foreach_hash) (TsrListenerHashFunc  func,
                            gpointer             func_data,
                            gpointer             user_data);
  /* @peer's handshake asked for @info_hash, which find() gave @key for:
   * the owner takes @peer (a reference) and answers or closes it. */
  void     (*accepted)     (TsrPeer             *peer,
                            gpointer             key,
                            const guint8        *info_hash,
                            gpointer             user_data);
} TsrListenerFuncs;

TsrListener *tsr_listener_new    (const TsrListenerFuncs *funcs,
                                  gpointer                user_data);
/* Stops listening; the connections still waiting for their handshake are
 * dropped. */
void         tsr_listener_free   (TsrListener            *self);
/* Listens on @port (0: any free one) at one IP @address, or at every
 * address when @address is NULL. Once only. */
gboolean     tsr_listener_listen (TsrListener            *self,
                                  const char             *address,
                                  guint16                 port,
                                  GError                **error);
/* The port listened on (0: not listening). */
guint16      tsr_listener_get_port     (TsrListener      *self);
/* Whether it listens on a loopback address only. */
gboolean     tsr_listener_is_loopback  (TsrListener      *self);
/* MSE/PE for the connections accepted from now on (default PREFER). */
void         tsr_listener_set_encryption (TsrListener       *self,
                                          TsrPeerEncryption  mode);
/* Whether TCP connections are taken (default TRUE); when not, the
 * socket still listens, and closes each at once. */
void         tsr_listener_set_tcp        (TsrListener       *self,
                                          gboolean           enabled);
/* Whether a connection from @from (nullable: unknown) would be let in
 * now: TRUE when fewer than the maximum wait, in all and from its host,
 * and @from is not in the blocklist (a refusal it counts). */
gboolean     tsr_listener_has_room       (TsrListener          *self,
                                          const TsrPeerAddress *from);
/* An incoming connection over another transport (a TsrUtpStream), let in
 * by has_room(): from now on as an accepted TCP one (handshake timeout,
 * MSE, the torrent's lookup). Takes a reference. */
void         tsr_listener_take_stream    (TsrListener          *self,
                                          GIOStream            *stream);
/* Connections waiting for their handshake, at most: @max in all and
 * @max_per_host from one host; more are closed as they come. */
void         tsr_listener_set_max_pending (TsrListener   *self,
                                           guint          max,
                                           guint          max_per_host);
/* Milliseconds a connection accepted from now on has to send its
 * handshake. */
void         tsr_listener_set_handshake_timeout (TsrListener *self,
                                                 guint        ms);
/* The blocklist asked about every connection, TCP and uTP (nullable: none;
 * a reference is taken). */
void         tsr_listener_set_blocklist (TsrListener     *self,
                                         TsrBlocklist    *blocklist);
/* Connections waiting for their handshake now. */
guint        tsr_listener_get_n_pending (TsrListener     *self);

G_END_DECLS
