/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dialer.h: the transports that carry peer connections, TCP and uTP
 * (BEP 29), behind one call that gives a GIOStream. It holds the uTP
 * side of the shared UDP sockets (one TsrUtpManager each, registered as
 * the socket's uTP receiver, ICMP errors included) and hands incoming uTP
 * connections to its owner, which treats them as accepted TCP ones.
 *
 * Dialling, when both transports are on, is uTP first with TCP a short
 * while after, or at once when uTP fails (a RESET, an ICMP "port
 * unreachable"); the first to connect is kept and the other cancelled,
 * as "happy eyeballs" (RFC 8305) does for IPv6. The loser never carries
 * a byte of BitTorrent: the handshake is written by the owner, on the
 * one stream the dial returns; a uTP leg that connects after TCP won is
 * aborted (a RESET), a TCP one closed. Not both at once: a peer that
 * speaks both would see two connections from us for every dial, and
 * every dial would count twice against firewalls' and home routers'
 * connection tables; on a path where uTP works it wins in one round
 * trip, inside the delay.
 *
 * The delay follows the path (tsr-dial-delay.h): 25 ms to loopback,
 * link-local and private addresses; elsewhere twice the 90th percentile
 * of the latest uTP connect times, within [100 ms, 800 ms], 250 ms
 * before any is known; half that (not under 50 ms) once TCP carried 4
 * dials in a row where uTP was tried too, until uTP carries one again.
 *
 * The dialer remembers, per address, which transport carried the last
 * dial that tried uTP (tsr-transport-memory.h: an hour, 4096 addresses):
 * where uTP failed and TCP worked, the next dials go straight to TCP
 * without the delay; where uTP worked, it stays first.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-blocklist.h"
#include "tsr-peer-address.h"
#include "tsr-udp-socket.h"
#include "tsr-utp-manager.h"

G_BEGIN_DECLS

/* The transports a peer connection may use; a set of them is enabled. */
typedef enum
{
  TSR_TRANSPORT_TCP  = 1 << 0,
  TSR_TRANSPORT_UTP  = 1 << 1,
  TSR_TRANSPORT_BOTH = TSR_TRANSPORT_TCP | TSR_TRANSPORT_UTP,
} TsrTransport;

/* "tcp", "utp" (a single transport; NULL for another value). */
const char *tsr_transport_to_string (TsrTransport transport);

typedef struct _TsrDialer TsrDialer;

/* How incoming uTP connections reach the owner, on the main context,
 * never from tsr_dialer_shutdown(). */
typedef struct
{
  /* A SYN from @from: FALSE refuses it (a RESET). Budgets and limits on
   * connections waiting for their handshake are the owner's. */
  gboolean (*accept)   (const TsrPeerAddress *from,
                        gpointer              user_data);
  /* Then the connection: the owner takes a reference to @stream. */
  void     (*incoming) (GIOStream            *stream,
                        const TsrPeerAddress *from,
                        gpointer              user_data);
} TsrDialerFuncs;

typedef struct
{
  guint64 utp_dials;       /* dials that tried uTP */
  guint64 utp_connected;   /* dials that uTP carried */
  guint64 tcp_dials;       /* dials that tried TCP (at first, or falling back) */
  guint64 tcp_connected;   /* dials that TCP carried */
  guint64 fallbacks;       /* TCP tried because uTP failed or was slow */
  guint64 remembered_tcp;  /* dials straight to TCP: uTP failed there lately, TCP worked */
  guint64 utp_accepted;    /* incoming uTP connections handed to the owner */
  guint64 utp_refused;     /* incoming uTP connections refused */
  guint   last_fallback_ms; /* the delay uTP had in the latest dial that tried both */
} TsrDialerStats;

/* Both transports on, no UDP socket yet (TCP alone until one is added). */
TsrDialer    *tsr_dialer_new             (const TsrDialerFuncs  *funcs,
                                          gpointer               user_data);
TsrDialer    *tsr_dialer_ref             (TsrDialer             *self);
void          tsr_dialer_unref           (TsrDialer             *self);
/* The owner goes: no more reports, uTP connections end (their streams
 * fail), the sockets are let go. Dials still running go on over TCP. */
void          tsr_dialer_shutdown        (TsrDialer             *self);

/* uTP over @socket (its family's dials, its incoming connections). */
void          tsr_dialer_add_socket      (TsrDialer             *self,
                                          TsrUdpSocket          *socket);
/* Transports used from now on, dialling and accepting (not 0). */
void          tsr_dialer_set_transports  (TsrDialer             *self,
                                          TsrTransport           transports);
TsrTransport  tsr_dialer_get_transports  (TsrDialer             *self);
/* (nullable) The uTP manager of @family's socket. */
TsrUtpManager *tsr_dialer_get_utp_manager (TsrDialer            *self,
                                           TsrPeerAddressFamily  family);
void          tsr_dialer_get_stats       (TsrDialer             *self,
                                          TsrDialerStats        *stats);
/* Milliseconds a dial to @address now would give uTP before TCP. */
guint         tsr_dialer_get_fallback_ms (TsrDialer             *self,
                                          const TsrPeerAddress  *address);

/* The blocklist asked before every dial (nullable: none; a reference is
 * taken): a blocked address fails at once with G_IO_ERROR_PERMISSION_DENIED,
 * no packet sent, whichever torrent or source (tracker, PEX, DHT, LSD,
 * the user) named it. */
void          tsr_dialer_set_blocklist   (TsrDialer             *self,
                                          TsrBlocklist          *blocklist);

/* Connects to @address over the enabled transports (@self NULL: TCP
 * alone), as described above. The stream is a GSocketConnection (TCP)
 * or a TsrUtpStream. */
void          tsr_dialer_connect_async   (TsrDialer             *self,
                                          const TsrPeerAddress  *address,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
GIOStream    *tsr_dialer_connect_finish  (GAsyncResult          *result,
                                          GError               **error);
/* Which transport carries @stream (one made by the dialer or accepted). */
TsrTransport  tsr_dialer_transport_of    (GIOStream             *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDialer, tsr_dialer_unref)

G_END_DECLS
