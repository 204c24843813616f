/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-udp-socket.h: one UDP socket on one address (IPv4 or IPv6), shared
 * by the DHT, uTP and UDP trackers: datagrams are read in batches on the
 * main context and handed out by the socket's TsrUdpDemux; datagrams to
 * send wait in a bounded queue flushed in batches. Main-thread only.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"
#include "tsr-udp-demux.h"

G_BEGIN_DECLS

/* Longer datagrams are dropped when read (the kernel cuts them). A BEP 15
 * reply with 200 IPv4 peers is 1 220 bytes; uTP keeps under the MTU. */
#define TSR_UDP_DATAGRAM_MAX   2048
/* Datagrams waiting to be sent, at most; past it tsr_udp_socket_send()
 * drops them (the DHT and the trackers ask again, uTP sees a loss). */
#define TSR_UDP_SEND_QUEUE_MAX 512

typedef struct _TsrUdpSocket TsrUdpSocket;

typedef struct
{
  guint64 received;         /* datagrams read, including those dropped */
  guint64 too_long;         /* over TSR_UDP_DATAGRAM_MAX, dropped */
  guint64 read_dispatches;  /* wake-ups that read something: fewer than datagrams when batched */
  guint64 sent;             /* datagrams the kernel took */
  guint64 queue_full;       /* refused by tsr_udp_socket_send(): the queue was full */
  guint64 send_failed;      /* refused by the kernel (no route, another family), dropped */
  guint64 send_stalls;      /* times the kernel said "later" (EAGAIN, ENOBUFS): kept, retried */
  guint64 errors;           /* reports read from the error queue (ICMP errors for datagrams sent) */
  guint64 unreachable;      /* of those, destinations unreachable, told to the demultiplexer */
  guint64 unclaimed;        /* of those, for a destination no receiver claimed: dropped */
  guint64 gso_sends;        /* messages that took several datagrams to one address at once (UDP GSO) */
  guint64 gro_reads;        /* messages read that held several datagrams of one sender (UDP GRO) */
} TsrUdpSocketStats;

/* Binds UDP @port (0: any) at @address (NULL: any address of @family;
 * else an address of that family). IPv6 sockets take IPv6 only, so that
 * an IPv4 socket can have the same port. */
TsrUdpSocket *tsr_udp_socket_new        (const char           *address,
                                         TsrPeerAddressFamily  family,
                                         guint16               port,
                                         GError              **error);
TsrUdpSocket *tsr_udp_socket_ref        (TsrUdpSocket         *self);
/* The last reference closes the socket. Queued datagrams are sent then,
 * once and without waiting; those the kernel does not take are dropped. */
void          tsr_udp_socket_unref      (TsrUdpSocket         *self);

guint16              tsr_udp_socket_get_port   (TsrUdpSocket *self);
TsrPeerAddressFamily tsr_udp_socket_get_family (TsrUdpSocket *self);
/* Where receivers register; the socket's, valid while it is. */
TsrUdpDemux         *tsr_udp_socket_get_demux  (TsrUdpSocket *self);

/* Queues a copy of @data for @to, sent with the next batch (within this
 * main-loop iteration unless the kernel is full). FALSE, and nothing
 * queued, when the queue is full, @to is of the other family or port 0,
 * or @length is 0 or over TSR_UDP_DATAGRAM_MAX. */
gboolean      tsr_udp_socket_send       (TsrUdpSocket         *self,
                                         const TsrPeerAddress *to,
                                         const guint8         *data,
                                         gsize                 length);
guint         tsr_udp_socket_get_queued (TsrUdpSocket         *self);
void          tsr_udp_socket_get_stats  (TsrUdpSocket         *self,
                                         TsrUdpSocketStats    *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUdpSocket, tsr_udp_socket_unref)

G_END_DECLS
