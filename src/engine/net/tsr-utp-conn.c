/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-conn.c: one uTP connection (BEP 29), fed packets and the time:
 * the ids, the handshake, what arrives, the end, and the timers. What
 * goes out and when (windows, acks, resends) is net/tsr-utp-sender.c's;
 * what came in and waits to be read is net/tsr-utp-recv-buffer.c's.
 *
 * The handshake: the initiator's SYN carries the id it receives on and
 * takes a sequence number; the acceptor answers with a STATE that does
 * not, so the acceptor's first DATA has the STATE's seq_nr and the
 * initiator's ack_nr starts one before it (as libutp and libtorrent
 * do). Only that STATE opens the connection for the initiator: a DATA
 * arriving first (the STATE lost) is ignored, as starting from it could
 * skip a packet lost before it; the SYN's resend brings the STATE again.
 *
 * Receiving: every DATA and FIN is answered at once, by the next DATA
 * packet if one goes out and there is no hole, else by a STATE, which
 * carries a selective ACK when packets came early. With deferred acks
 * the STATE waits for the owner's tsr_utp_conn_flush_ack() at the end
 * of the batch it reads: one STATE for many DATA packets. A packet whose ack_nr
 * acknowledges something never sent is ignored whole, so forged or stale
 * packets neither ack data nor deliver any.
 *
 * The end: close() queues a FIN after the data; `closed` comes when it
 * is acknowledged and the peer's FIN arrived with everything before it,
 * or TSR_UTP_CONN_LINGER_US after the ack if the peer keeps its FIN.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-utp-conn.h"
#include "tsr-utp-recv-buffer.h"
#include "tsr-utp-sender.h"

G_DEFINE_QUARK (tsr-utp-conn-error-quark, tsr_utp_conn_error)

typedef enum
{
  STATE_IDLE,
  STATE_SYN_SENT,
  STATE_CONNECTED,
  STATE_CLOSED,
} State;

struct _TsrUtpConn
{
  const TsrUtpConnFuncs *funcs;
  gpointer          user_data;
  State             state;
  gboolean          initiator;
  guint16           recv_id;
  guint16           send_id;
  guint16           syn_nr;             /* the SYN's: ours (initiator) or the peer's (acceptor) */
  guint             syn_transmissions;
  gint64            syn_sent_at;

  TsrUtpSender     *sender;             /* (owned) */
  TsrUtpRecvBuffer *recv;               /* (owned) (nullable) until the handshake */
  gsize             recv_capacity;
  guint32           reply_micro;        /* timestamp_difference to send back */
  guint32           last_window_sent;
  gboolean          need_ack;
  gboolean          defer_acks;
  gboolean          want_writable;
  gboolean          closing;
  gint64            fin_acked_at;       /* TSR_UTP_CONN_NO_DEADLINE until then */
  gint64            last_sent;
  gint64            last_received;

  TsrUtpConnStats   stats;
  guint8            datagram[TSR_UTP_CONN_DATAGRAM_MAX];
};

static void on_sender_transmit (const TsrUtpOutPacket *out,
                                gpointer               user_data);

static const TsrUtpSenderFuncs sender_funcs = {
  .transmit = on_sender_transmit,
};

TsrUtpConn *
tsr_utp_conn_new (const TsrUtpConnFuncs *funcs,
                  gpointer               user_data)
{
  TsrUtpConn *self;

  g_return_val_if_fail (funcs != NULL && funcs->send_datagram != NULL && funcs->closed != NULL, NULL);

  self = g_new0 (TsrUtpConn, 1);
  self->funcs = funcs;
  self->user_data = user_data;
  self->state = STATE_IDLE;
  self->sender = tsr_utp_sender_new (&sender_funcs, self, TSR_UTP_CONN_SEND_BUFFER, TSR_UTP_CONN_PAYLOAD_MAX);
  self->recv_capacity = TSR_UTP_CONN_RECV_BUFFER;
  self->fin_acked_at = TSR_UTP_CONN_NO_DEADLINE;
  return self;
}

void
tsr_utp_conn_free (TsrUtpConn *self)
{
  if (self == NULL)
    return;
  tsr_utp_sender_free (self->sender);
  tsr_utp_recv_buffer_free (self->recv);
  g_free (self);
}

static guint32
advertised_window (TsrUtpConn *self)
{
  return self->recv != NULL ? tsr_utp_recv_buffer_get_window (self->recv) : (guint32) MIN (self->recv_capacity, G_MAXUINT32);
}

static guint16
ack_nr (TsrUtpConn *self)
{
  return self->recv != NULL ? tsr_utp_recv_buffer_get_ack_nr (self->recv) : 0;
}

/* Fills in the times and the window, and sends. */
static void
send_packet (TsrUtpConn   *self,
             TsrUtpPacket *packet,
             gint64        now_us)
{
  gsize length;

  packet->timestamp_us = (guint32) now_us;
  packet->timestamp_difference_us = self->reply_micro;
  packet->wnd_size = advertised_window (self);
  length = tsr_utp_packet_write (packet, self->datagram, sizeof self->datagram);
  g_assert (length > 0);
  self->last_window_sent = packet->wnd_size;
  self->last_sent = now_us;
  self->funcs->send_datagram (self->datagram, length, self->user_data);
}

static void
send_state (TsrUtpConn *self,
            gint64      now_us)
{
  TsrUtpPacket packet = { 0 };
  guint8 mask[TSR_UTP_SACK_MAX];

  packet.type = TSR_UTP_STATE;
  packet.connection_id = self->send_id;
  packet.seq_nr = tsr_utp_sender_get_seq_nr (self->sender);
  packet.ack_nr = ack_nr (self);
  if (self->recv != NULL)
    packet.sack_length = tsr_utp_recv_buffer_write_sack (self->recv, mask);
  if (packet.sack_length > 0)
    {
      packet.sack = mask;
      self->stats.sacks_sent++;
    }
  self->stats.acks_sent++;
  self->need_ack = FALSE;
  send_packet (self, &packet, now_us);
}

static void
send_syn (TsrUtpConn *self,
          gint64      now_us)
{
  TsrUtpPacket packet = { 0 };

  /* BEP 29: the SYN carries the id we receive on. */
  packet.type = TSR_UTP_SYN;
  packet.connection_id = self->recv_id;
  packet.seq_nr = self->syn_nr;
  self->syn_transmissions++;
  self->syn_sent_at = now_us;
  send_packet (self, &packet, now_us);
}

static void
on_sender_transmit (const TsrUtpOutPacket *out,
                    gpointer               user_data)
{
  TsrUtpConn *self = user_data;
  TsrUtpPacket packet = { 0 };

  packet.type = out->fin ? TSR_UTP_FIN : TSR_UTP_DATA;
  packet.connection_id = self->send_id;
  packet.seq_nr = out->seq_nr;
  packet.ack_nr = ack_nr (self);
  packet.payload = out->length > 0 ? out->payload : NULL;
  packet.payload_length = out->length;
  /* The ack rides along; only a STATE carries a selective ACK. */
  if (self->recv == NULL || !tsr_utp_recv_buffer_has_gap (self->recv))
    self->need_ack = FALSE;
  send_packet (self, &packet, out->sent_at_us);
}

static void
close_with (TsrUtpConn *self,
            GError     *error)
{
  g_autoptr(GError) owned G_GNUC_UNUSED = error;

  if (self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSED;
  if (error != NULL)
    g_debug ("uTP connection %u: %s", self->recv_id, error->message);
  self->funcs->closed (error, self->user_data);
}

static void
flush (TsrUtpConn *self,
       gint64      now_us)
{
  if (self->state == STATE_CONNECTED)
    tsr_utp_sender_flush (self->sender, now_us);
}

static void
maybe_writable (TsrUtpConn *self)
{
  if (!self->want_writable || self->closing ||
      tsr_utp_sender_get_space (self->sender) < TSR_UTP_CONN_SEND_BUFFER / 4)
    return;
  self->want_writable = FALSE;
  if (self->funcs->writable != NULL)
    self->funcs->writable (self->user_data);
}

/* Both FINs are through: the connection is done. */
static void
maybe_finish (TsrUtpConn *self,
              gint64      now_us)
{
  if (self->state != STATE_CONNECTED || !tsr_utp_sender_get_fin_acked (self->sender))
    return;
  if (self->fin_acked_at == TSR_UTP_CONN_NO_DEADLINE)
    self->fin_acked_at = now_us;
  if (tsr_utp_recv_buffer_get_eof (self->recv))
    close_with (self, NULL);
}

static void
on_reset (TsrUtpConn         *self,
          const TsrUtpPacket *packet)
{
  /* BEP 29 leaves open which id a RESET carries: libutp takes both. */
  if (packet->connection_id != self->recv_id && packet->connection_id != self->send_id)
    {
      self->stats.packets_ignored++;
      return;
    }
  if (self->state == STATE_SYN_SENT)
    close_with (self, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_REFUSED,
                                   _("The uTP peer refused the connection")));
  else if (self->fin_acked_at != TSR_UTP_CONN_NO_DEADLINE && tsr_utp_recv_buffer_get_eof (self->recv))
    /* Our last ack was lost, and the peer has forgotten the connection. */
    close_with (self, NULL);
  else
    close_with (self, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_RESET,
                                   _("The uTP peer reset the connection")));
}

/* The acceptor's STATE answers the SYN: the connection is open. */
static gboolean
on_syn_answered (TsrUtpConn         *self,
                 const TsrUtpPacket *packet,
                 gint64              now_us)
{
  if (packet->type != TSR_UTP_STATE || packet->ack_nr != self->syn_nr)
    {
      self->stats.packets_ignored++;
      return FALSE;
    }
  self->recv = tsr_utp_recv_buffer_new (self->recv_capacity, (guint16) (packet->seq_nr - 1));
  self->state = STATE_CONNECTED;
  if (self->syn_transmissions == 1)
    tsr_utp_sender_add_rtt_sample (self->sender, now_us - self->syn_sent_at);
  if (self->funcs->connected != NULL)
    self->funcs->connected (self->user_data);
  return self->state == STATE_CONNECTED;
}

/* Whether @packet is for this connection, open, and not a SYN; answers
 * a repeated SYN and takes a RESET on the way. */
static gboolean
accept_packet (TsrUtpConn         *self,
               const TsrUtpPacket *packet,
               gint64              now_us)
{
  gsize length;

  switch (self->state)
    {
    case STATE_IDLE:
      return FALSE;
    case STATE_CLOSED:
      /* A peer still sending to a connection that is over learns so. */
      if ((packet->type == TSR_UTP_DATA || packet->type == TSR_UTP_FIN) && packet->connection_id == self->recv_id)
        {
          length = tsr_utp_conn_write_reset (packet, (guint32) now_us, self->datagram, sizeof self->datagram);
          self->funcs->send_datagram (self->datagram, length, self->user_data);
        }
      return FALSE;
    case STATE_SYN_SENT:
    case STATE_CONNECTED:
    default:
      break;
    }
  if (packet->type == TSR_UTP_RESET)
    {
      on_reset (self, packet);
      return FALSE;
    }
  if (packet->connection_id == self->recv_id && packet->type != TSR_UTP_SYN)
    return TRUE;
  /* The SYN again: our STATE was lost. Answered while nothing else came
   * from the initiator; any other SYN is stale, or forged. */
  if (packet->type == TSR_UTP_SYN && !self->initiator && packet->connection_id == self->send_id &&
      packet->seq_nr == self->syn_nr && ack_nr (self) == self->syn_nr)
    send_state (self, now_us);
  else
    self->stats.packets_ignored++;
  return FALSE;
}

void
tsr_utp_conn_receive (TsrUtpConn         *self,
                      const TsrUtpPacket *packet,
                      gint64              now_us)
{
  gboolean readable = FALSE;

  g_return_if_fail (self != NULL);
  g_return_if_fail (packet != NULL);

  if (!accept_packet (self, packet, now_us))
    return;
  if (self->state == STATE_SYN_SENT && !on_syn_answered (self, packet, now_us))
    return;
  if (!tsr_utp_sender_ack_is_valid (self->sender, packet->ack_nr))
    {
      self->stats.packets_ignored++;
      return;
    }

  self->last_received = now_us;
  self->reply_micro = (guint32) now_us - packet->timestamp_us;
  tsr_utp_sender_on_packet (self->sender, packet, now_us);

  if (packet->type == TSR_UTP_DATA || packet->type == TSR_UTP_FIN)
    {
      TsrUtpRecvResult result = packet->type == TSR_UTP_DATA
                                ? tsr_utp_recv_buffer_put (self->recv, packet->seq_nr, packet->payload, packet->payload_length)
                                : tsr_utp_recv_buffer_put_fin (self->recv, packet->seq_nr);

      if (result == TSR_UTP_RECV_DROPPED)
        self->stats.packets_dropped++;
      readable = result == TSR_UTP_RECV_IN_ORDER;
      self->need_ack = TRUE;
    }

  flush (self, now_us);
  /* The end of the stream is acked at once even so: it may end the
   * connection below, after which no ack goes. */
  if (self->need_ack && (!self->defer_acks || tsr_utp_recv_buffer_get_eof (self->recv)))
    send_state (self, now_us);
  if (readable && self->funcs->readable != NULL)
    self->funcs->readable (self->user_data);
  if (self->state != STATE_CONNECTED)
    return;
  maybe_writable (self);
  maybe_finish (self, now_us);
}

void
tsr_utp_conn_set_defer_acks (TsrUtpConn *self,
                             gboolean    defer)
{
  g_return_if_fail (self != NULL);

  self->defer_acks = defer;
}

gboolean
tsr_utp_conn_get_ack_pending (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->need_ack && self->state == STATE_CONNECTED;
}

void
tsr_utp_conn_flush_ack (TsrUtpConn *self,
                        gint64      now_us)
{
  g_return_if_fail (self != NULL);

  if (self->need_ack && self->state == STATE_CONNECTED)
    send_state (self, now_us);
}

void
tsr_utp_conn_receive_datagram (TsrUtpConn   *self,
                               const guint8 *data,
                               gsize         length,
                               gint64        now_us)
{
  TsrUtpPacket packet;

  g_return_if_fail (self != NULL);

  if (!tsr_utp_packet_parse (&packet, data, length, NULL))
    {
      self->stats.packets_ignored++;
      return;
    }
  tsr_utp_conn_receive (self, &packet, now_us);
}

void
tsr_utp_conn_connect (TsrUtpConn *self,
                      guint16     recv_id,
                      guint16     seq_nr,
                      gint64      now_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_IDLE);

  self->initiator = TRUE;
  self->recv_id = recv_id;
  self->send_id = recv_id + 1;
  self->syn_nr = seq_nr;
  /* The SYN is handled here; the sender starts after it. */
  tsr_utp_sender_start (self->sender, seq_nr + 1);
  self->state = STATE_SYN_SENT;
  self->last_received = now_us;
  send_syn (self, now_us);
}

void
tsr_utp_conn_accept (TsrUtpConn         *self,
                     const TsrUtpPacket *syn,
                     guint16             seq_nr,
                     gint64              now_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_IDLE);
  g_return_if_fail (syn != NULL && syn->type == TSR_UTP_SYN);

  /* BEP 29: the acceptor sends on the SYN's id and receives on id + 1. */
  self->initiator = FALSE;
  self->send_id = syn->connection_id;
  self->recv_id = syn->connection_id + 1;
  self->syn_nr = syn->seq_nr;
  self->recv = tsr_utp_recv_buffer_new (self->recv_capacity, syn->seq_nr);
  tsr_utp_sender_start (self->sender, seq_nr);
  tsr_utp_sender_set_peer_window (self->sender, syn->wnd_size);
  self->reply_micro = (guint32) now_us - syn->timestamp_us;
  self->state = STATE_CONNECTED;
  self->last_received = now_us;
  send_state (self, now_us);
  if (self->funcs->connected != NULL)
    self->funcs->connected (self->user_data);
}

gsize
tsr_utp_conn_write (TsrUtpConn   *self,
                    const guint8 *data,
                    gsize         length,
                    gint64        now_us)
{
  gsize n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (data != NULL || length == 0, 0);

  if (self->state == STATE_CLOSED || self->state == STATE_IDLE || self->closing)
    return 0;
  n = tsr_utp_sender_write (self->sender, data, length);
  if (n < length)
    self->want_writable = TRUE;
  flush (self, now_us);
  return n;
}

gsize
tsr_utp_conn_read (TsrUtpConn *self,
                   guint8     *buffer,
                   gsize       size,
                   gint64      now_us)
{
  gsize n;
  guint32 window;

  g_return_val_if_fail (self != NULL, 0);

  if (self->recv == NULL)
    return 0;
  n = tsr_utp_recv_buffer_read (self->recv, buffer, size);
  if (n == 0 || self->state != STATE_CONNECTED)
    return n;
  /* Tell a sender held back by our window that it opened: when a full
   * packet fits again, or half the buffer more than we last said. */
  window = advertised_window (self);
  if ((self->last_window_sent < TSR_UTP_CONN_PAYLOAD_MAX && window >= TSR_UTP_CONN_PAYLOAD_MAX) ||
      window - MIN (window, self->last_window_sent) >= self->recv_capacity / 2)
    send_state (self, now_us);
  return n;
}

gboolean
tsr_utp_conn_get_eof (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->recv != NULL && tsr_utp_recv_buffer_get_eof (self->recv) &&
         tsr_utp_recv_buffer_get_unread (self->recv) == 0;
}

gsize
tsr_utp_conn_get_unread (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->recv != NULL ? tsr_utp_recv_buffer_get_unread (self->recv) : 0;
}

gsize
tsr_utp_conn_get_unacked (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_utp_sender_get_unacked (self->sender);
}

void
tsr_utp_conn_set_recv_buffer (TsrUtpConn *self,
                              gsize       size)
{
  g_return_if_fail (self != NULL);

  self->recv_capacity = size;
  if (self->recv != NULL)
    tsr_utp_recv_buffer_set_capacity (self->recv, size);
}

void
tsr_utp_conn_close (TsrUtpConn *self,
                    gint64      now_us)
{
  g_return_if_fail (self != NULL);

  if (self->state != STATE_CONNECTED)
    {
      /* Not open yet: nothing to flush, nothing to report; a SYN out
       * may have made the peer a connection, which the RESET ends. */
      tsr_utp_conn_abort (self, now_us);
      return;
    }
  self->closing = TRUE;
  tsr_utp_sender_finish (self->sender);
  flush (self, now_us);
}

void
tsr_utp_conn_abort (TsrUtpConn *self,
                    gint64      now_us)
{
  TsrUtpPacket packet = { 0 };

  g_return_if_fail (self != NULL);

  if (self->state == STATE_SYN_SENT || self->state == STATE_CONNECTED)
    {
      packet.type = TSR_UTP_RESET;
      packet.connection_id = self->send_id;
      packet.seq_nr = tsr_utp_sender_get_seq_nr (self->sender);
      packet.ack_nr = ack_nr (self);
      send_packet (self, &packet, now_us);
    }
  self->state = STATE_CLOSED;
}

gint64
tsr_utp_conn_get_deadline (TsrUtpConn *self)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, TSR_UTP_CONN_NO_DEADLINE);

  switch (self->state)
    {
    case STATE_SYN_SENT:
      return self->syn_sent_at + tsr_utp_sender_get_rto (self->sender);
    case STATE_CONNECTED:
      deadline = MIN (self->last_received + TSR_UTP_CONN_IDLE_US, self->last_sent + TSR_UTP_CONN_KEEPALIVE_US);
      deadline = MIN (deadline, tsr_utp_sender_get_deadline (self->sender));
      if (self->fin_acked_at != TSR_UTP_CONN_NO_DEADLINE)
        deadline = MIN (deadline, self->fin_acked_at + TSR_UTP_CONN_LINGER_US);
      return deadline;
    case STATE_IDLE:
    case STATE_CLOSED:
    default:
      return TSR_UTP_CONN_NO_DEADLINE;
    }
}

static void
on_syn_timer (TsrUtpConn *self,
              gint64      now_us)
{
  if (now_us < self->syn_sent_at + tsr_utp_sender_get_rto (self->sender))
    return;
  if (self->syn_transmissions >= TSR_UTP_CONN_SYN_TRIES)
    {
      close_with (self, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT,
                                     g_dngettext (GETTEXT_PACKAGE, "The uTP peer did not answer %u SYN",
                                                  "The uTP peer did not answer %u SYNs", self->syn_transmissions),
                                     self->syn_transmissions));
      return;
    }
  tsr_utp_sender_syn_timed_out (self->sender, now_us);
  send_syn (self, now_us);
}

void
tsr_utp_conn_on_timer (TsrUtpConn *self,
                       gint64      now_us)
{
  g_return_if_fail (self != NULL);

  if (self->state == STATE_SYN_SENT)
    on_syn_timer (self, now_us);
  if (self->state != STATE_CONNECTED)
    return;

  if (now_us >= self->last_received + TSR_UTP_CONN_IDLE_US)
    {
      close_with (self, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT,
                                     _("Nothing came from the uTP peer for %d seconds"),
                                     (int) (TSR_UTP_CONN_IDLE_US / G_USEC_PER_SEC)));
      return;
    }
  if (self->fin_acked_at != TSR_UTP_CONN_NO_DEADLINE && now_us >= self->fin_acked_at + TSR_UTP_CONN_LINGER_US)
    {
      /* Our data is through; the peer keeps its FIN to itself. */
      close_with (self, NULL);
      return;
    }
  if (!tsr_utp_sender_on_timer (self->sender, TSR_UTP_CONN_MAX_TIMEOUTS, now_us))
    {
      guint resends = tsr_utp_sender_get_n_timeouts (self->sender) - 1;

      close_with (self, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT,
                                     g_dngettext (GETTEXT_PACKAGE, "The uTP peer acknowledged nothing after %u resend",
                                                  "The uTP peer acknowledged nothing after %u resends", resends),
                                     resends));
      return;
    }
  maybe_finish (self, now_us);
  if (self->state == STATE_CONNECTED && now_us >= self->last_sent + TSR_UTP_CONN_KEEPALIVE_US)
    {
      self->stats.keepalives_sent++;
      /* Nothing sent for long: the packets' spare memory goes too. */
      tsr_utp_sender_trim (self->sender);
      send_state (self, now_us);
    }
}

gboolean
tsr_utp_conn_is_connected (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->state == STATE_CONNECTED;
}

gboolean
tsr_utp_conn_is_closed (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->state == STATE_CLOSED;
}

guint16
tsr_utp_conn_get_recv_id (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->recv_id;
}

guint16
tsr_utp_conn_get_send_id (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->send_id;
}

gsize
tsr_utp_conn_get_in_flight (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_utp_sender_get_in_flight (self->sender);
}

gsize
tsr_utp_conn_get_window (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_utp_sender_get_window (self->sender);
}

gint64
tsr_utp_conn_get_rto (TsrUtpConn *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_utp_sender_get_rto (self->sender);
}

const TsrUtpConnStats *
tsr_utp_conn_get_stats (TsrUtpConn *self)
{
  const TsrUtpSenderStats *sent;

  g_return_val_if_fail (self != NULL, NULL);

  sent = tsr_utp_sender_get_stats (self->sender);
  self->stats.packets_sent = sent->packets_sent;
  self->stats.packets_resent = sent->packets_resent;
  self->stats.fast_resends = sent->fast_resends;
  self->stats.timeouts = sent->timeouts;
  self->stats.packets_sacked = sent->packets_sacked;
  return &self->stats;
}

gsize
tsr_utp_conn_write_reset (const TsrUtpPacket *packet,
                          guint32             timestamp_us,
                          guint8             *buffer,
                          gsize               size)
{
  TsrUtpPacket reset = { 0 };

  g_return_val_if_fail (packet != NULL, 0);
  g_return_val_if_fail (buffer != NULL, 0);

  /* Two RESETs must never answer each other. */
  if (packet->type == TSR_UTP_RESET)
    return 0;
  /* On the id the packet came on: the sender's send id (its receive id,
   * on a SYN), and it takes a RESET on either. */
  reset.type = TSR_UTP_RESET;
  reset.connection_id = packet->connection_id;
  reset.timestamp_us = timestamp_us;
  reset.ack_nr = packet->seq_nr;
  return tsr_utp_packet_write (&reset, buffer, size);
}
