/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-manager.h: every uTP connection (BEP 29) of one UDP socket.
 * The socket's owner feeds it each uTP datagram with its source address
 * and the time; the manager routes it by (address, connection id) to its
 * connection, answers what matches none, makes incoming connections from
 * SYNs (asking the owner first) and dials. It sends through its owner's
 * `send_to` and keeps one GSource timer, on the thread-default main
 * context it was made in, at the earliest deadline of all connections.
 *
 * Each connection is a TsrUtpChannel: read, write, close, with its own
 * table of callbacks. A channel belongs to whoever dialled it or took it
 * in `accept`, until tsr_utp_channel_release(); the manager finishes a
 * released connection in the background (FIN, lingering) and frees it.
 *
 * Policy, in BEP 29's terms:
 * - ids: a connection's two ids (receive and send, one apart) are used by
 *   no other connection with the same address, so every (address, id)
 *   names one connection; dialled ids and every first sequence number
 *   are random (tsr_random_bytes), so a blind spoofer guesses 32 bits.
 * - RESET: answers a DATA, FIN or STATE for no connection, a SYN whose
 *   ids are in use, and a SYN the owner refused; never a RESET. At most
 *   TSR_UTP_MANAGER_RESETS_PER_SECOND, so spoofed floods cannot turn the
 *   socket into a reflector.
 * - SYN flood: an incoming connection is half-open until a packet other
 *   than its SYN comes with a valid ack (BitTorrent's initiator speaks
 *   first); half-open connections are bounded in all and per host (IP,
 *   any port), and given TSR_UTP_MANAGER_HALF_OPEN_US. A SYN over a bound
 *   is dropped without an answer: the real initiator resends it at 1 s
 *   and 3 s, and a spoofed one gets nothing to reflect.
 *
 * No callback may free the manager. tsr_utp_manager_free() never calls
 * back and sends nothing (abort channels first to tell their peers).
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"
#include "tsr-utp-conn.h"

G_BEGIN_DECLS

/* Connections at once, open or finishing: a bound on memory (each has
 * up to 1.5 MiB of buffers), above any peer budget. */
#define TSR_UTP_MANAGER_MAX_CONNECTIONS        2048
#define TSR_UTP_MANAGER_MAX_HALF_OPEN          64
#define TSR_UTP_MANAGER_MAX_HALF_OPEN_PER_HOST 8
/* An initiator gives up its SYNs after 7 s: one that got our STATE and
 * said nothing for 10 s is gone, or was never there. */
#define TSR_UTP_MANAGER_HALF_OPEN_US           (10 * G_USEC_PER_SEC)
#define TSR_UTP_MANAGER_RESETS_PER_SECOND      100

#define TSR_UTP_MANAGER_ERROR (tsr_utp_manager_error_quark ())
GQuark tsr_utp_manager_error_quark (void);

typedef enum
{
  TSR_UTP_MANAGER_ERROR_TOO_MANY,   /* dial: max_connections open already */
  TSR_UTP_MANAGER_ERROR_NO_ID,      /* dial: no free pair of ids for the address */
  TSR_UTP_MANAGER_ERROR_SHUT_DOWN,  /* the manager was freed under the channel */
  TSR_UTP_MANAGER_ERROR_ABORTED,    /* tsr_utp_channel_abort() */
} TsrUtpManagerError;

typedef struct _TsrUtpManager TsrUtpManager;
typedef struct _TsrUtpChannel TsrUtpChannel;

typedef struct
{
  /* One datagram for @address; @data is the manager's until return.
   * Must not call back into the manager. */
  void     (*send_to) (const TsrPeerAddress *address,
                       const guint8         *data,
                       gsize                 length,
                       gpointer              user_data);
  /* A SYN from @address: TRUE takes @channel (set its callbacks here,
   * release it when done), FALSE refuses it with a RESET (and @channel
   * is freed on return). Budgets and bans are the owner's. */
  gboolean (*accept)  (TsrUtpChannel        *channel,
                       const TsrPeerAddress *address,
                       gpointer              user_data);
  /* (nullable) The clock, monotonic microseconds: g_get_monotonic_time
   * when NULL. */
  gint64   (*now)     (gpointer              user_data);
} TsrUtpManagerFuncs;

/* A channel's reports, as TsrUtpConnFuncs's: each may call back into
 * the channel (read, write, close, release). */
typedef struct
{
  void (*readable)  (gpointer      user_data);
  void (*writable)  (gpointer      user_data);
  /* Dialled: the peer answered. Accepted: the initiator confirmed. */
  void (*connected) (gpointer      user_data);
  /* The last report: @error is NULL after a clean close. */
  void (*closed)    (const GError *error,
                     gpointer      user_data);
} TsrUtpChannelFuncs;

typedef struct
{
  guint max_connections;
  guint max_half_open;
  guint max_half_open_per_host;
} TsrUtpManagerLimits;

typedef struct
{
  guint64 datagrams;        /* fed to tsr_utp_manager_receive */
  guint64 invalid;          /* not uTP packets */
  guint64 accepted;         /* SYNs the owner took */
  guint64 refused;          /* SYNs the owner refused */
  guint64 syn_dropped;      /* SYNs over a bound, unanswered */
  guint64 half_open_expired;
  guint64 resets_sent;
  guint64 resets_withheld;  /* over TSR_UTP_MANAGER_RESETS_PER_SECOND */
  guint64 timer_wakeups;    /* the GSource fired */
} TsrUtpManagerStats;

TsrUtpManager *tsr_utp_manager_new              (const TsrUtpManagerFuncs  *funcs,
                                                 gpointer                   user_data);
void           tsr_utp_manager_free             (TsrUtpManager             *self);
void           tsr_utp_manager_set_limits       (TsrUtpManager             *self,
                                                 const TsrUtpManagerLimits *limits);

/* One datagram from @from that looks like uTP, received at @now_us. */
void           tsr_utp_manager_receive          (TsrUtpManager             *self,
                                                 const TsrPeerAddress      *from,
                                                 const guint8              *data,
                                                 gsize                      length,
                                                 gint64                     now_us);
/* The owner hands datagrams over in batches (all that one read of the
 * socket brought) and calls tsr_utp_manager_flush_acks() after each:
 * the connections ack once per batch, not once per DATA packet. */
void           tsr_utp_manager_set_defer_acks   (TsrUtpManager             *self,
                                                 gboolean                   defer);
void           tsr_utp_manager_flush_acks       (TsrUtpManager             *self,
                                                 gint64                     now_us);
/* Sends a SYN to @address; `connected` or `closed` (refused, timed out)
 * comes later. NULL when over max_connections or out of ids. */
TsrUtpChannel *tsr_utp_manager_dial             (TsrUtpManager             *self,
                                                 const TsrPeerAddress      *address,
                                                 const TsrUtpChannelFuncs  *funcs,
                                                 gpointer                   user_data,
                                                 GError                   **error);

/* The kernel reports @address unreachable (an ICMP error, @error):
 * our dials to it that no STATE answered yet fail at once as refused,
 * instead of resending their SYN for seconds. TRUE when there was one. */
gboolean       tsr_utp_manager_unreachable      (TsrUtpManager             *self,
                                                 const TsrPeerAddress      *address,
                                                 const GError              *error);

/* The earliest deadline of all connections (TSR_UTP_CONN_NO_DEADLINE
 * for none), and running what is due: the GSource does it; an owner
 * with a clock of its own may too. */
gint64         tsr_utp_manager_get_deadline     (TsrUtpManager             *self);
void           tsr_utp_manager_on_timer         (TsrUtpManager             *self,
                                                 gint64                     now_us);

/* Connections open or finishing, and those half-open among them. */
guint          tsr_utp_manager_get_n_connections (TsrUtpManager            *self);
guint          tsr_utp_manager_get_n_half_open  (TsrUtpManager             *self);
const TsrUtpManagerStats *tsr_utp_manager_get_stats (TsrUtpManager         *self);

void           tsr_utp_channel_set_funcs        (TsrUtpChannel             *channel,
                                                 const TsrUtpChannelFuncs  *funcs,
                                                 gpointer                   user_data);
/* As tsr_utp_conn_read() and _write(); 0 once the channel is closed. */
gsize          tsr_utp_channel_read             (TsrUtpChannel             *channel,
                                                 guint8                    *buffer,
                                                 gsize                      size);
gsize          tsr_utp_channel_write            (TsrUtpChannel             *channel,
                                                 const guint8              *data,
                                                 gsize                      length);
/* Room in the send buffer: a write of this much takes it all. */
gsize          tsr_utp_channel_get_space        (TsrUtpChannel             *channel);
gsize          tsr_utp_channel_get_unread       (TsrUtpChannel             *channel);
/* The peer's FIN came and every byte before it was read. */
gboolean       tsr_utp_channel_get_eof          (TsrUtpChannel             *channel);
gboolean       tsr_utp_channel_is_connected     (TsrUtpChannel             *channel);
gboolean       tsr_utp_channel_is_closed        (TsrUtpChannel             *channel);
/* (nullable) Why it closed: NULL while open and after a clean close. */
const GError  *tsr_utp_channel_get_error        (TsrUtpChannel             *channel);
const TsrPeerAddress *tsr_utp_channel_get_address (TsrUtpChannel           *channel);
guint16        tsr_utp_channel_get_recv_id      (TsrUtpChannel             *channel);
guint16        tsr_utp_channel_get_send_id      (TsrUtpChannel             *channel);
/* Our FIN after what was written (see tsr_utp_conn_close()). */
void           tsr_utp_channel_close            (TsrUtpChannel             *channel);
/* A RESET now; no `closed` follows. */
void           tsr_utp_channel_abort            (TsrUtpChannel             *channel);
/* The owner is done: no more reports; an open connection is closed
 * (FIN), what still arrives is read and dropped, and the manager frees
 * it once closed. May be called from the channel's own callbacks. */
void           tsr_utp_channel_release          (TsrUtpChannel             *channel);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUtpManager, tsr_utp_manager_free)

G_END_DECLS
