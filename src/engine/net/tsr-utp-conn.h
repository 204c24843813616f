/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-conn.h: one BEP 29 uTP connection as a state machine. It is
 * fed the datagrams its owner (the socket's demultiplexer) routes to it
 * and the time, in monotonic microseconds, and it reports through a
 * table of callbacks: datagrams to send, data to read, room to write,
 * connected, closed. It does no I/O and reads no clock: the owner calls
 * tsr_utp_conn_on_timer() at tsr_utp_conn_get_deadline().
 *
 * Every callback except send_datagram may call back into the
 * connection (read, write, close); none may free it: free it after the
 * call that reported `closed` returns. tsr_utp_conn_free() never calls
 * back.
 */
#pragma once

#include <glib.h>

#include "tsr-utp-packet.h"

G_BEGIN_DECLS

/* The largest datagram a connection sends: IPv6's minimum MTU (1280)
 * less the IPv6 and UDP headers. It crosses any path, IPv4 or IPv6,
 * tunnelled or not, without fragmenting; path MTU discovery may raise it
 * one day. */
#define TSR_UTP_CONN_DATAGRAM_MAX  1232
/* The payload of a full DATA packet (DATA packets carry no selective
 * ACK: a STATE does, when there is a hole). */
#define TSR_UTP_CONN_PAYLOAD_MAX   (TSR_UTP_CONN_DATAGRAM_MAX - TSR_UTP_HEADER_SIZE)
/* Bytes written and not yet acknowledged, and bytes received and not
 * yet read, at most (by default). */
#define TSR_UTP_CONN_SEND_BUFFER   (512 * 1024)
#define TSR_UTP_CONN_RECV_BUFFER   (1024 * 1024)
/* SYNs sent before giving up: at 0, 1 s and 3 s, and the last one waits
 * 4 s, so a dead address fails within 7 s (TCP can take over). */
#define TSR_UTP_CONN_SYN_TRIES     3
/* Retransmission timeouts in a row (the timeout doubling each time)
 * after which the peer is gone: 5 resends, then 63 s of silence from a
 * 1 s timeout, 31.5 s from the 500 ms floor (libutp gives up after 4). */
#define TSR_UTP_CONN_MAX_TIMEOUTS  6
/* An empty STATE after this long without sending (libtorrent's 29 s):
 * NAT mappings expire after 30 s at the shortest. */
#define TSR_UTP_CONN_KEEPALIVE_US  (29 * G_USEC_PER_SEC)
/* Nothing at all from the peer for this long, keep-alives included:
 * it is gone. */
#define TSR_UTP_CONN_IDLE_US       (180 * G_USEC_PER_SEC)
/* After our FIN is acknowledged, how long the peer has to send its own. */
#define TSR_UTP_CONN_LINGER_US     (10 * G_USEC_PER_SEC)
#define TSR_UTP_CONN_NO_DEADLINE   G_MAXINT64

#define TSR_UTP_CONN_ERROR (tsr_utp_conn_error_quark ())
GQuark tsr_utp_conn_error_quark (void);

typedef enum
{
  TSR_UTP_CONN_ERROR_RESET,      /* the peer sent RESET on an open connection */
  TSR_UTP_CONN_ERROR_TIMED_OUT,  /* no answer to the SYN, to resends, or to anything */
  TSR_UTP_CONN_ERROR_REFUSED,    /* the peer answered our SYN with RESET */
} TsrUtpConnError;

typedef struct
{
  /* One datagram for the peer; @data is the connection's until return. */
  void (*send_datagram) (const guint8 *data,
                         gsize         length,
                         gpointer      user_data);
  /* Bytes arrived in order, or the stream ended: read them. */
  void (*readable)      (gpointer      user_data);
  /* A short write happened earlier and there is room again. */
  void (*writable)      (gpointer      user_data);
  void (*connected)     (gpointer      user_data);
  /* The last callback: @error is NULL after a clean close (both FINs). */
  void (*closed)        (const GError *error,
                         gpointer      user_data);
} TsrUtpConnFuncs;

/* What the connection did, for tests, logs and the peers page. */
typedef struct
{
  guint64 packets_sent;     /* DATA and FIN, first transmissions */
  guint64 packets_resent;
  guint64 fast_resends;     /* after three duplicate acks, or three packets acked past a hole */
  guint64 timeouts;
  guint64 packets_sacked;   /* of ours, acknowledged first by a selective ACK */
  guint64 acks_sent;        /* STATE packets, keep-alives and window updates included */
  guint64 sacks_sent;       /* STATE packets with a selective ACK */
  guint64 keepalives_sent;
  guint64 packets_ignored;  /* received and ignored: a wrong id or state, an impossible ack */
  guint64 packets_dropped;  /* payloads beyond the window, past the FIN, or with no room */
} TsrUtpConnStats;

typedef struct _TsrUtpConn TsrUtpConn;

TsrUtpConn *tsr_utp_conn_new                (const TsrUtpConnFuncs *funcs,
                                             gpointer               user_data);
void        tsr_utp_conn_free               (TsrUtpConn            *self);

/* Dials: sends the SYN on @recv_id (which the owner picked free), and
 * sends on recv_id + 1 from then on. @seq_nr is the SYN's (random). */
void        tsr_utp_conn_connect            (TsrUtpConn            *self,
                                             guint16                recv_id,
                                             guint16                seq_nr,
                                             gint64                 now_us);
/* Answers @syn with a STATE: receives on its connection_id + 1 and
 * sends on its connection_id (BEP 29). @seq_nr is our first (random).
 * Reports `connected` before returning. */
void        tsr_utp_conn_accept             (TsrUtpConn            *self,
                                             const TsrUtpPacket    *syn,
                                             guint16                seq_nr,
                                             gint64                 now_us);

/* Acks wait for tsr_utp_conn_flush_ack() instead of going at once:
 * the owner reads datagrams in batches and acks each batch once, as
 * libtorrent does (one STATE per batch, not one per DATA packet). */
void        tsr_utp_conn_set_defer_acks     (TsrUtpConn            *self,
                                             gboolean               defer);
/* Whether a DATA or FIN that came waits for its ack. */
gboolean    tsr_utp_conn_get_ack_pending    (TsrUtpConn            *self);
/* Sends the STATE a deferred ack waits for, if one does. */
void        tsr_utp_conn_flush_ack          (TsrUtpConn            *self,
                                             gint64                 now_us);

/* A datagram from the peer's address, parsed or not. Anything may come:
 * what does not fit is ignored. */
void        tsr_utp_conn_receive            (TsrUtpConn            *self,
                                             const TsrUtpPacket    *packet,
                                             gint64                 now_us);
void        tsr_utp_conn_receive_datagram   (TsrUtpConn            *self,
                                             const guint8          *data,
                                             gsize                  length,
                                             gint64                 now_us);

/* Copies what fits of @data into the send buffer and returns its length;
 * after a short write, `writable` says when there is room again. */
gsize       tsr_utp_conn_write              (TsrUtpConn            *self,
                                             const guint8          *data,
                                             gsize                  length,
                                             gint64                 now_us);
/* Reads received bytes; 0 when there are none (see _get_eof). Reading
 * opens the window the connection advertises. */
gsize       tsr_utp_conn_read               (TsrUtpConn            *self,
                                             guint8                *buffer,
                                             gsize                  size,
                                             gint64                 now_us);
/* The peer's FIN arrived and every byte before it was read. */
gboolean    tsr_utp_conn_get_eof            (TsrUtpConn            *self);
gsize       tsr_utp_conn_get_unread         (TsrUtpConn            *self);
/* Bytes written and not yet acknowledged (sent or not). */
gsize       tsr_utp_conn_get_unacked        (TsrUtpConn            *self);
/* The receive buffer, which sets the window we advertise. */
void        tsr_utp_conn_set_recv_buffer    (TsrUtpConn            *self,
                                             gsize                  size);

/* Sends a FIN after whatever was written; `closed` comes once it is
 * acknowledged and the peer's FIN arrived (or the peer took too long).
 * While dialling, sends a RESET instead and stops, without calling back. */
void        tsr_utp_conn_close              (TsrUtpConn            *self,
                                             gint64                 now_us);
/* Sends a RESET and stops, without calling back. */
void        tsr_utp_conn_abort              (TsrUtpConn            *self,
                                             gint64                 now_us);

/* When tsr_utp_conn_on_timer() must run, TSR_UTP_CONN_NO_DEADLINE for
 * never. Calling it early does no harm. */
gint64      tsr_utp_conn_get_deadline       (TsrUtpConn            *self);
void        tsr_utp_conn_on_timer           (TsrUtpConn            *self,
                                             gint64                 now_us);

gboolean    tsr_utp_conn_is_connected       (TsrUtpConn            *self);
gboolean    tsr_utp_conn_is_closed          (TsrUtpConn            *self);
guint16     tsr_utp_conn_get_recv_id        (TsrUtpConn            *self);
guint16     tsr_utp_conn_get_send_id        (TsrUtpConn            *self);
/* Payload bytes sent and neither acknowledged nor given up as lost. */
gsize       tsr_utp_conn_get_in_flight      (TsrUtpConn            *self);
/* The congestion window (LEDBAT), in bytes. */
gsize       tsr_utp_conn_get_window         (TsrUtpConn            *self);
gint64      tsr_utp_conn_get_rto            (TsrUtpConn            *self);
const TsrUtpConnStats *tsr_utp_conn_get_stats (TsrUtpConn          *self);

/* For the demultiplexer: the RESET answering @packet, which matched no
 * connection (BEP 29), written into @buffer (TSR_UTP_HEADER_SIZE bytes
 * at least). Returns its length. Never answers a RESET. */
gsize       tsr_utp_conn_write_reset        (const TsrUtpPacket    *packet,
                                             guint32                timestamp_us,
                                             guint8                *buffer,
                                             gsize                  size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUtpConn, tsr_utp_conn_free)

G_END_DECLS
