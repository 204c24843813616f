/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-sender.h: the sending side of one uTP connection: the bytes to
 * send and the packets in flight, LEDBAT's window and the peer's, acks
 * (cumulative and selective), fast retransmit, the retransmission timer
 * and the FIN. It decides what goes out and when, and hands each packet
 * to its owner (the connection), which writes the header. No I/O, no
 * clock: the time comes with each call.
 */
#pragma once

#include <glib.h>

#include "tsr-utp-packet.h"
#include "tsr-utp-send-buffer.h"

G_BEGIN_DECLS

/* The peer's window has no room for a packet and nothing is in flight:
 * one packet goes anyway after this long, in case the STATE that opened
 * the window was lost (libutp waits 15 s). */
#define TSR_UTP_SENDER_PROBE_US (5 * G_USEC_PER_SEC)

typedef struct
{
  /* Send @out now: a DATA packet, or the FIN when out->fin. */
  void (*transmit) (const TsrUtpOutPacket *out,
                    gpointer               user_data);
} TsrUtpSenderFuncs;

typedef struct
{
  guint64 packets_sent;     /* DATA and FIN, first transmissions */
  guint64 packets_resent;
  guint64 fast_resends;     /* after three duplicate acks, or three packets acked past a hole */
  guint64 timeouts;
  guint64 packets_sacked;   /* acknowledged first by a selective ACK */
} TsrUtpSenderStats;

typedef struct _TsrUtpSender TsrUtpSender;

/* @capacity bounds the bytes written and not yet acknowledged; full
 * packets carry @payload_max bytes. */
TsrUtpSender *tsr_utp_sender_new              (const TsrUtpSenderFuncs *funcs,
                                               gpointer                 user_data,
                                               gsize                    capacity,
                                               gsize                    payload_max);
void          tsr_utp_sender_free             (TsrUtpSender            *self);

/* The first sequence number to send (the SYN's, for the initiator); the
 * peer has acknowledged the one before. */
void          tsr_utp_sender_start            (TsrUtpSender            *self,
                                               guint16                  seq_nr);
/* The next sequence number: what a STATE carries. */
guint16       tsr_utp_sender_get_seq_nr       (TsrUtpSender            *self);

gsize         tsr_utp_sender_write            (TsrUtpSender            *self,
                                               const guint8            *data,
                                               gsize                    length);
/* No more writes: a FIN goes after the last byte. */
void          tsr_utp_sender_finish           (TsrUtpSender            *self);
/* The FIN is out and acknowledged. */
gboolean      tsr_utp_sender_get_fin_acked    (TsrUtpSender            *self);
gsize         tsr_utp_sender_get_space        (TsrUtpSender            *self);
gsize         tsr_utp_sender_get_unacked      (TsrUtpSender            *self);

/* Sends what the windows allow. */
void          tsr_utp_sender_flush            (TsrUtpSender            *self,
                                               gint64                   now_us);

/* Whether @ack_nr acks only packets we sent (anything else is forged or
 * from another connection, and the packet must be ignored). */
gboolean      tsr_utp_sender_ack_is_valid     (TsrUtpSender            *self,
                                               guint16                  ack_nr);
/* A valid packet from the peer: its window, its delay measure, its ack
 * and selective ACK. Resends what it shows lost at once. */
void          tsr_utp_sender_on_packet        (TsrUtpSender            *self,
                                               const TsrUtpPacket      *packet,
                                               gint64                   now_us);
/* The window the peer's SYN advertised, before any ack. */
void          tsr_utp_sender_set_peer_window  (TsrUtpSender            *self,
                                               guint32                  window);
/* The SYN's round trip, when it was sent once. */
void          tsr_utp_sender_add_rtt_sample   (TsrUtpSender            *self,
                                               gint64                   rtt_us);
/* A SYN timed out: the timeout doubles. */
void          tsr_utp_sender_syn_timed_out    (TsrUtpSender            *self,
                                               gint64                   now_us);

/* The retransmission timer or the zero-window probe, whichever first;
 * G_MAXINT64 for none. */
gint64        tsr_utp_sender_get_deadline     (TsrUtpSender            *self);
/* Runs what is due. Returns FALSE when @max_timeouts timeouts came in a
 * row with no packet from the peer between: it is gone. */
gboolean      tsr_utp_sender_on_timer         (TsrUtpSender            *self,
                                               guint                    max_timeouts,
                                               gint64                   now_us);
guint         tsr_utp_sender_get_n_timeouts   (TsrUtpSender            *self);
/* The connection is idle: frees the memory kept for packets to come. */
void          tsr_utp_sender_trim             (TsrUtpSender            *self);

gsize         tsr_utp_sender_get_in_flight    (TsrUtpSender            *self);
gsize         tsr_utp_sender_get_window       (TsrUtpSender            *self);
gint64        tsr_utp_sender_get_rto          (TsrUtpSender            *self);
const TsrUtpSenderStats *tsr_utp_sender_get_stats (TsrUtpSender        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUtpSender, tsr_utp_sender_free)

G_END_DECLS
