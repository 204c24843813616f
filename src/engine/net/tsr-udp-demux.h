/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-udp-demux.h: tells apart the datagrams reaching one UDP socket
 * that the DHT, uTP and UDP trackers share, by their first bytes, and
 * hands each to the receiver registered for its kind. No I/O: the socket
 * (tsr-udp-socket.h) owns one and feeds it what it reads.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_UDP_KIND_UNKNOWN,   /* none of the below: dropped */
  TSR_UDP_KIND_KRPC,      /* BEP 5: a bencoded dictionary, so 'd' first */
  TSR_UDP_KIND_UTP,       /* BEP 29: version 1 in the low nibble, a type up to SYN */
  TSR_UDP_KIND_TRACKER,   /* BEP 15: a 32-bit action up to 3 (error), then the transaction id */
  TSR_UDP_N_KINDS
} TsrUdpKind;

/* What the first bytes say, nothing more: a datagram shaped like a
 * tracker reply is delivered only when its transaction is pending. The
 * kinds cannot overlap: 'd' is version 4 to uTP, and a tracker reply
 * starts with a zero byte (version 0). */
TsrUdpKind    tsr_udp_classify                 (const guint8              *data,
                                                gsize                      length);

typedef struct
{
  /* @data is the receiver's during the call only. @from never has port 0. */
  void     (*received)    (const guint8         *data,
                          gsize                 length,
                          const TsrPeerAddress *from,
                          gpointer              user_data);
  /* Optional. The kernel reports @to unreachable (an ICMP "port" or
   * "host unreachable" for a datagram sent there): @error, in the
   * G_IO_ERROR domain, says why. TRUE when @to is the receiver's (it
   * sent there); FALSE lets another have it. A transaction's receiver
   * hears of its tracker's address; it may remove it from within. */
  gboolean (*unreachable) (const TsrPeerAddress *to,
                          const GError         *error,
                          gpointer              user_data);
  /* Optional, KRPC and uTP receivers only. The datagrams read at once
   * (one recvmmsg) are all delivered: what waits for the end of a batch
   * goes now (uTP acks each batch once). */
  void     (*drained)     (gpointer              user_data);
} TsrUdpReceiverFuncs;

typedef struct _TsrUdpDemux TsrUdpDemux;

TsrUdpDemux  *tsr_udp_demux_new                (void);
void          tsr_udp_demux_free               (TsrUdpDemux               *self);

/* The one receiver of every KRPC or uTP datagram; @funcs NULL lets go
 * (a receiver must before it goes). Only one at a time per kind. */
void          tsr_udp_demux_set_receiver       (TsrUdpDemux               *self,
                                                TsrUdpKind                 kind,
                                                const TsrUdpReceiverFuncs *funcs,
                                                gpointer                   user_data);
/* A UDP tracker waits for the reply to @transaction from @from: replies
 * with that transaction id from that address go to @funcs until it is
 * removed. FALSE when another waits for the same id (pick another). */
gboolean      tsr_udp_demux_add_transaction    (TsrUdpDemux               *self,
                                                guint32                    transaction,
                                                const TsrPeerAddress      *from,
                                                const TsrUdpReceiverFuncs *funcs,
                                                gpointer                   user_data);
void          tsr_udp_demux_remove_transaction (TsrUdpDemux               *self,
                                                guint32                    transaction);
guint         tsr_udp_demux_get_n_transactions (TsrUdpDemux               *self);

/* Hands @data to its receiver and returns its kind, or drops it and
 * returns TSR_UDP_KIND_UNKNOWN: no kind, no receiver for it, or a
 * tracker reply nobody (at that address) waits for. A receiver may
 * register, unregister or free receivers from within the call. */
TsrUdpKind    tsr_udp_demux_deliver            (TsrUdpDemux               *self,
                                                const guint8              *data,
                                                gsize                      length,
                                                const TsrPeerAddress      *from);
/* Tells the receivers that @to cannot be reached: every transaction
 * pending on that address, else the KRPC receiver, else uTP's, until
 * one claims it. FALSE when none did: the report is counted and dropped.
 * Receivers may change the receivers from within, as with deliver. */
gboolean      tsr_udp_demux_report_unreachable (TsrUdpDemux               *self,
                                                const TsrPeerAddress      *to,
                                                const GError              *error);
/* The batch just delivered is complete: tells the receivers that ask. */
void          tsr_udp_demux_drained            (TsrUdpDemux               *self);
/* Reports no receiver claimed. */
guint64       tsr_udp_demux_get_unclaimed      (TsrUdpDemux               *self);
/* Datagrams delivered as @kind; for TSR_UDP_KIND_UNKNOWN, those dropped. */
guint64       tsr_udp_demux_get_count          (TsrUdpDemux               *self,
                                                TsrUdpKind                 kind);

G_END_DECLS
