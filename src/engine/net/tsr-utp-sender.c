/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-sender.c: what goes out on a uTP connection, and when.
 *
 * Numbers: @seq_nr is the next sequence number to send, @acked_nr the
 * last the peer acknowledged in order; the packets between are in the
 * send buffer. An ack_nr outside [acked_nr, seq_nr - 1] acks a packet
 * never sent: the connection ignores that packet whole. All comparisons
 * wrap at 16 bits (tsr-utp-packet.h).
 *
 * Windows: a packet waits for room under the least of LEDBAT's window
 * and the peer's wnd_size, so a huge advertised window changes nothing.
 * Resends go first. A packet shorter than a full one waits while
 * anything is unacknowledged (Nagle), unless the application finished
 * and no more bytes will come. Only packets sent once give round-trip
 * samples (Karn): a resent one cannot tell which copy was acked.
 *
 * Loss: three duplicate acks (STATE packets acking nothing new while
 * data is out), or three packets selectively acked past an unacked one
 * (libutp's rule), resend it at once, once, whatever the window (it is
 * what the window waits for; but one packet over the window at most, so
 * a further loss just after the window was cut waits its turn), and
 * halve the window (LEDBAT keeps that to once per round trip). The
 * retransmission timer takes everything out of flight, resends the
 * oldest with a window of one packet and doubles; the connection gives
 * up after a bound of timeouts in a row. Any valid packet from the peer
 * shows it alive and clears the count, so a reader that keeps its
 * window shut for long does not look like a dead link.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include "tsr-ledbat.h"
#include "tsr-utp-sender.h"

/* BEP 29 */
#define DUPLICATE_ACKS 3
#define NO_DEADLINE    G_MAXINT64

struct _TsrUtpSender
{
  const TsrUtpSenderFuncs *funcs;
  gpointer          user_data;
  gsize             capacity;
  gsize             payload_max;
  TsrUtpSendBuffer *buffer;         /* (owned) */
  TsrLedbat        *ledbat;         /* (owned) */

  guint16           seq_nr;         /* next to send */
  guint16           acked_nr;       /* the peer has all up to this */
  gsize             in_flight;      /* payload bytes sent, neither acked nor lost */
  guint             n_lost;         /* packets waiting to be resent */
  guint32           peer_window;

  guint             duplicate_acks;
  guint16           fast_resend_nr; /* no fast resend of packets before this */
  guint             n_timeouts;     /* in a row */
  gint64            rto_deadline;
  gint64            probe_at;       /* zero window: one packet goes anyway then */

  gboolean          finishing;
  gboolean          fin_sent;
  guint16           fin_nr;
  gboolean          fin_acked;

  TsrUtpSenderStats stats;
};

TsrUtpSender *
tsr_utp_sender_new (const TsrUtpSenderFuncs *funcs,
                    gpointer                 user_data,
                    gsize                    capacity,
                    gsize                    payload_max)
{
  TsrUtpSender *self;

  g_return_val_if_fail (funcs != NULL && funcs->transmit != NULL, NULL);
  g_return_val_if_fail (payload_max > 0, NULL);

  self = g_new0 (TsrUtpSender, 1);
  self->funcs = funcs;
  self->user_data = user_data;
  self->capacity = capacity;
  self->payload_max = payload_max;
  self->buffer = tsr_utp_send_buffer_new (capacity);
  self->ledbat = tsr_ledbat_new (payload_max);
  self->rto_deadline = NO_DEADLINE;
  self->probe_at = NO_DEADLINE;
  return self;
}

void
tsr_utp_sender_free (TsrUtpSender *self)
{
  if (self == NULL)
    return;
  tsr_utp_send_buffer_free (self->buffer);
  tsr_ledbat_free (self->ledbat);
  g_free (self);
}

void
tsr_utp_sender_start (TsrUtpSender *self,
                      guint16       seq_nr)
{
  g_return_if_fail (self != NULL);

  self->seq_nr = seq_nr;
  self->acked_nr = seq_nr - 1;
  self->fast_resend_nr = seq_nr;
}

guint16
tsr_utp_sender_get_seq_nr (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->seq_nr;
}

gsize
tsr_utp_sender_write (TsrUtpSender *self,
                      const guint8 *data,
                      gsize         length)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->finishing)
    return 0;
  return tsr_utp_send_buffer_write (self->buffer, data, length);
}

void
tsr_utp_sender_finish (TsrUtpSender *self)
{
  g_return_if_fail (self != NULL);

  self->finishing = TRUE;
}

gboolean
tsr_utp_sender_get_fin_acked (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->fin_acked;
}

gsize
tsr_utp_sender_get_space (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_utp_send_buffer_get_space (self->buffer);
}

gsize
tsr_utp_sender_get_unacked (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->capacity - tsr_utp_send_buffer_get_space (self->buffer);
}

static void
transmit (TsrUtpSender    *self,
          TsrUtpOutPacket *out,
          gint64           now_us)
{
  if (out->transmissions == 0)
    self->stats.packets_sent++;
  else
    self->stats.packets_resent++;
  if (out->transmissions == 0 || out->need_resend)
    self->in_flight += out->length;
  if (out->need_resend)
    {
      out->need_resend = FALSE;
      self->n_lost--;
    }
  out->transmissions++;
  out->sent_at_us = now_us;
  if (self->rto_deadline == NO_DEADLINE)
    self->rto_deadline = now_us + tsr_ledbat_get_rto (self->ledbat);
  self->funcs->transmit (out, self->user_data);
}

/* @out is out of flight until resent. */
static void
lose (TsrUtpSender    *self,
      TsrUtpOutPacket *out)
{
  if (out->need_resend || out->sacked)
    return;
  out->need_resend = TRUE;
  self->n_lost++;
  self->in_flight -= out->length;
}

void
tsr_utp_sender_flush (TsrUtpSender *self,
                      gint64        now_us)
{
  gsize window;
  guint16 nr;

  g_return_if_fail (self != NULL);

  window = MIN (tsr_ledbat_get_window (self->ledbat), self->peer_window);

  for (nr = self->acked_nr + 1; self->n_lost > 0 && nr != self->seq_nr; nr++)
    {
      TsrUtpOutPacket *out = tsr_utp_send_buffer_lookup (self->buffer, nr);

      if (out == NULL || !out->need_resend)
        continue;
      if (self->in_flight > 0 && self->in_flight + out->length > window)
        {
          tsr_ledbat_note_window_full (self->ledbat, now_us);
          return;
        }
      transmit (self, out, now_us);
    }

  for (;;)
    {
      gsize unsent = tsr_utp_send_buffer_get_unsent (self->buffer);
      gsize size = MIN (unsent, self->payload_max);
      guint n_packets = tsr_utp_send_buffer_get_n_packets (self->buffer);
      gboolean fin = unsent == 0 && self->finishing && !self->fin_sent;
      TsrUtpOutPacket *out;

      if ((unsent == 0 && !fin) || n_packets >= TSR_UTP_SEND_SLOTS)
        return;
      /* Nagle: a short packet waits for the acks, or for more bytes. */
      if (size < self->payload_max && !self->finishing && n_packets > 0)
        return;
      if (self->in_flight + size > window)
        {
          if (n_packets > 0)
            {
              if (self->in_flight + size > tsr_ledbat_get_window (self->ledbat))
                tsr_ledbat_note_window_full (self->ledbat, now_us);
              return;
            }
          /* Nothing out, so LEDBAT's window (a packet at least) has room:
           * the peer's is shut. Wait for it to open, and send one packet
           * anyway if it stays shut (the STATE opening it may be lost). */
          if (self->probe_at == NO_DEADLINE)
            self->probe_at = now_us + TSR_UTP_SENDER_PROBE_US;
          if (now_us < self->probe_at)
            return;
        }
      self->probe_at = NO_DEADLINE;
      out = tsr_utp_send_buffer_take (self->buffer, self->seq_nr, size, fin);
      if (out == NULL)
        return;
      if (fin)
        {
          self->fin_sent = TRUE;
          self->fin_nr = self->seq_nr;
        }
      self->seq_nr++;
      transmit (self, out, now_us);
    }
}

gboolean
tsr_utp_sender_ack_is_valid (TsrUtpSender *self,
                             guint16       ack_nr)
{
  guint16 outstanding;

  g_return_val_if_fail (self != NULL, FALSE);

  outstanding = tsr_utp_seq_distance (self->acked_nr, self->seq_nr) - 1;
  return tsr_utp_seq_distance (self->acked_nr, ack_nr) <= outstanding;
}

/* Returns the payload bytes @out's ack acknowledges for the first time. */
static gsize
acknowledge (TsrUtpSender    *self,
             TsrUtpOutPacket *out,
             gint64           now_us)
{
  if (out->sacked)
    return 0;
  if (out->need_resend)
    {
      out->need_resend = FALSE;
      self->n_lost--;
    }
  else
    self->in_flight -= out->length;
  /* Karn: a resent packet's ack may answer either copy. */
  if (out->transmissions == 1)
    tsr_ledbat_add_rtt_sample (self->ledbat, now_us - out->sent_at_us);
  return out->length;
}

/* The lost packet goes at once even if the window is full (it is what
 * the window waits for), but one packet over it at most: when the
 * window was just cut, by this round trip's first loss or by the end
 * of slow start, a second loss waits in line for room (flush sends
 * resends first). */
static void
fast_resend (TsrUtpSender    *self,
             TsrUtpOutPacket *out,
             gint64           now_us)
{
  lose (self, out);
  self->stats.fast_resends++;
  self->fast_resend_nr = out->seq_nr + 1;
  if (self->in_flight + out->length <= tsr_ledbat_get_window (self->ledbat) + self->payload_max)
    transmit (self, out, now_us);
}

/* Marks what the selective ACK acks, and resends each packet three
 * packets after it were acked past. Bits for packets never sent are
 * ignored. Returns the bytes newly acked. */
static gsize
on_sack (TsrUtpSender       *self,
         const TsrUtpPacket *packet,
         gint64              now_us,
         gboolean           *lost)
{
  guint16 outstanding = tsr_utp_seq_distance (self->acked_nr, self->seq_nr) - 1;
  /* Bit i is acked_nr + 2 + i: at most outstanding - 1 of them exist. */
  guint n_bits = MIN (packet->sack_length * 8u, outstanding > 1 ? outstanding - 1u : 0u);
  gsize bytes = 0;
  guint acked_after = 0;
  guint bit;
  guint distance;

  for (bit = 0; bit < n_bits; bit++)
    {
      TsrUtpOutPacket *out;

      if (!tsr_utp_sack_get (packet->sack, packet->sack_length, bit))
        continue;
      out = tsr_utp_send_buffer_lookup (self->buffer, (guint16) (self->acked_nr + 2 + bit));
      if (out == NULL || out->sacked)
        continue;
      bytes += acknowledge (self, out, now_us);
      out->sacked = TRUE;
      self->stats.packets_sacked++;
    }

  /* From the newest down, counting the packets the peer has. */
  for (distance = n_bits + 1; distance >= 1; distance--)
    {
      guint16 nr = (guint16) (self->acked_nr + distance);
      TsrUtpOutPacket *out = tsr_utp_send_buffer_lookup (self->buffer, nr);

      if (out == NULL)
        continue;
      if (out->sacked)
        acked_after++;
      else if (acked_after >= DUPLICATE_ACKS && !out->need_resend &&
               !tsr_utp_seq_before (nr, self->fast_resend_nr))
        {
          fast_resend (self, out, now_us);
          *lost = TRUE;
        }
    }
  return bytes;
}

void
tsr_utp_sender_on_packet (TsrUtpSender       *self,
                          const TsrUtpPacket *packet,
                          gint64              now_us)
{
  guint16 progress;
  guint64 sacked_before;
  gsize flight_size;
  gsize bytes = 0;
  gboolean lost = FALSE;
  TsrUtpOutPacket *reopened = NULL;
  guint i;

  g_return_if_fail (self != NULL);
  g_return_if_fail (packet != NULL);
  g_return_if_fail (tsr_utp_sender_ack_is_valid (self, packet->ack_nr));

  self->n_timeouts = 0;
  flight_size = self->in_flight;
  /* The window opens after a packet went into it shut (a probe): that
   * packet was dropped, most likely; resend it now, not at the timer. */
  if (self->peer_window < self->payload_max && packet->wnd_size >= self->payload_max && self->in_flight > 0 &&
      tsr_utp_seq_distance (self->acked_nr, packet->ack_nr) == 0)
    reopened = tsr_utp_send_buffer_lookup (self->buffer, (guint16) (self->acked_nr + 1));
  self->peer_window = packet->wnd_size;
  tsr_ledbat_add_delay_sample (self->ledbat, packet->timestamp_difference_us, now_us);

  progress = tsr_utp_seq_distance (self->acked_nr, packet->ack_nr);
  for (i = 1; i <= progress; i++)
    {
      guint16 nr = (guint16) (self->acked_nr + i);
      TsrUtpOutPacket *out = tsr_utp_send_buffer_lookup (self->buffer, nr);

      if (out == NULL)
        continue;
      bytes += acknowledge (self, out, now_us);
      if (out->fin)
        self->fin_acked = TRUE;
      tsr_utp_send_buffer_remove (self->buffer, nr);
    }
  self->acked_nr = packet->ack_nr;
  if (tsr_utp_seq_before (self->fast_resend_nr, self->acked_nr + 1))
    self->fast_resend_nr = self->acked_nr + 1;

  if (progress > 0)
    self->duplicate_acks = 0;
  else if (packet->type == TSR_UTP_STATE && tsr_utp_send_buffer_get_n_packets (self->buffer) > 0)
    {
      /* BEP 29: the third duplicate ack resends the packet after it. */
      TsrUtpOutPacket *out = tsr_utp_send_buffer_lookup (self->buffer, (guint16) (self->acked_nr + 1));

      if (++self->duplicate_acks == DUPLICATE_ACKS && out != NULL && !out->sacked &&
          !tsr_utp_seq_before (out->seq_nr, self->fast_resend_nr))
        {
          fast_resend (self, out, now_us);
          lost = TRUE;
        }
    }

  sacked_before = self->stats.packets_sacked;
  if (packet->sack != NULL)
    bytes += on_sack (self, packet, now_us, &lost);

  if (reopened != NULL && !reopened->sacked && !reopened->need_resend)
    {
      lose (self, reopened);
      transmit (self, reopened, now_us);
    }

  if (bytes > 0)
    tsr_ledbat_acked (self->ledbat, bytes, flight_size, now_us);
  if (lost)
    tsr_ledbat_lost (self->ledbat, now_us);
  /* Progress restarts the timer; with nothing out it stops. */
  if (progress > 0 || self->stats.packets_sacked != sacked_before)
    self->rto_deadline = tsr_utp_send_buffer_get_n_packets (self->buffer) > 0
                         ? now_us + tsr_ledbat_get_rto (self->ledbat) : NO_DEADLINE;
}

void
tsr_utp_sender_set_peer_window (TsrUtpSender *self,
                                guint32       window)
{
  g_return_if_fail (self != NULL);

  self->peer_window = window;
}

void
tsr_utp_sender_add_rtt_sample (TsrUtpSender *self,
                               gint64        rtt_us)
{
  g_return_if_fail (self != NULL);

  tsr_ledbat_add_rtt_sample (self->ledbat, MAX (rtt_us, 0));
}

void
tsr_utp_sender_syn_timed_out (TsrUtpSender *self,
                              gint64        now_us)
{
  g_return_if_fail (self != NULL);

  tsr_ledbat_timed_out (self->ledbat, now_us);
}

gint64
tsr_utp_sender_get_deadline (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, NO_DEADLINE);

  return MIN (self->rto_deadline, self->probe_at);
}

gboolean
tsr_utp_sender_on_timer (TsrUtpSender *self,
                         guint         max_timeouts,
                         gint64        now_us)
{
  guint16 nr;

  g_return_val_if_fail (self != NULL, FALSE);

  if (now_us >= self->probe_at)
    {
      tsr_utp_sender_flush (self, now_us);
      /* Nothing went (the data is gone, or the window opened and
       * closed): the next shut window arms it again. */
      if (now_us >= self->probe_at)
        self->probe_at = NO_DEADLINE;
    }
  if (now_us < self->rto_deadline)
    return TRUE;
  self->rto_deadline = NO_DEADLINE;
  if (tsr_utp_send_buffer_get_n_packets (self->buffer) == 0)
    return TRUE;

  self->stats.timeouts++;
  if (++self->n_timeouts >= max_timeouts)
    return FALSE;
  /* Everything out is lost: the oldest goes now, the rest as acks open
   * the window again (one packet now, LEDBAT says). */
  tsr_ledbat_timed_out (self->ledbat, now_us);
  for (nr = self->acked_nr + 1; nr != self->seq_nr; nr++)
    {
      TsrUtpOutPacket *out = tsr_utp_send_buffer_lookup (self->buffer, nr);

      if (out != NULL)
        lose (self, out);
    }
  self->duplicate_acks = 0;
  tsr_utp_sender_flush (self, now_us);
  if (self->rto_deadline == NO_DEADLINE)
    self->rto_deadline = now_us + tsr_ledbat_get_rto (self->ledbat);
  return TRUE;
}

void
tsr_utp_sender_trim (TsrUtpSender *self)
{
  g_return_if_fail (self != NULL);

  tsr_utp_send_buffer_trim (self->buffer);
}

guint
tsr_utp_sender_get_n_timeouts (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_timeouts;
}

gsize
tsr_utp_sender_get_in_flight (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->in_flight;
}

gsize
tsr_utp_sender_get_window (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_ledbat_get_window (self->ledbat);
}

gint64
tsr_utp_sender_get_rto (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return tsr_ledbat_get_rto (self->ledbat);
}

const TsrUtpSenderStats *
tsr_utp_sender_get_stats (TsrUtpSender *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->stats;
}
