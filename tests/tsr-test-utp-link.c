/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-utp-link.c: the fake link of tsr-test-utp-link.h. Datagrams
 * wait in a list sorted by arrival time (then by sending order); the
 * clock jumps to the next arrival or the next connection deadline,
 * whichever comes first. Each datagram sent is parsed and logged before
 * the filter sees it, and the sender's in-flight bytes are checked
 * against its congestion window as it goes.
 */
#include "config.h"

#include <glib.h>
#include <math.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-test-utp-link.h"

typedef struct
{
  gint64  at;
  guint64 order;
  guint   to;
  gsize   length;
  guint8  data[];
} Datagram;

static const TsrUtpConnFuncs funcs;

/* The TCP flow's segments, and its first window (RFC 6928). */
#define TCP_MSS            1448
#define TCP_INITIAL_WINDOW (10 * TCP_MSS)
/* Datagrams to this "end" are the TCP flow's news: an ack or a loss. */
#define TCP_END            2

static gint
datagram_compare (gconstpointer a,
                  gconstpointer b)
{
  const Datagram *x = a;
  const Datagram *y = b;

  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return x->order < y->order ? -1 : 1;
}

static void
enqueue (TsrTestLink  *link,
         guint         to,
         const guint8 *data,
         gsize         length,
         gint64        at)
{
  Datagram *datagram = g_malloc (sizeof *datagram + length);

  datagram->at = at;
  datagram->order = link->order++;
  datagram->to = to;
  datagram->length = length;
  memcpy (datagram->data, data, length);
  link->queue = g_list_insert_sorted (link->queue, datagram, datagram_compare);
}

/* A datagram of @length bytes enters the bottleneck now: FALSE if its
 * queue has no room (tail drop), else *@wait is how long it waits
 * there and *@leaves when it is through. */
static gboolean
bottleneck_take (TsrTestLink *link,
                 gsize        length,
                 gint64      *wait,
                 gint64      *leaves)
{
  gint64 start = MAX (link->now, link->bottleneck_free_at);
  gint64 held = (start - link->now) * link->bottleneck_rate / SECOND;

  if ((gsize) held + length > link->bottleneck_queue)
    return FALSE;
  *wait = start - link->now;
  link->bottleneck_free_at = start + (gint64) length * SECOND / link->bottleneck_rate;
  *leaves = link->bottleneck_free_at;
  return TRUE;
}

/* What the TCP flow hears of a segment: acked or lost, and when sent. */
typedef struct
{
  gboolean acked;
  gint64   sent_at;
} TcpNews;

/* The TCP flow sends what its window allows. A segment through the
 * bottleneck is acked a round trip after it left; one dropped there is
 * found lost when the acks of those after it come (three duplicate
 * acks): about a round trip with the queue as it is now. */
static void
tcp_send (TsrTestLink *link)
{
  TsrTestTcp *tcp = &link->tcp;

  while (tcp->in_flight + TCP_MSS <= tcp->window)
    {
      TcpNews news = { FALSE, link->now };
      gint64 wait;
      gint64 leaves;

      if (bottleneck_take (link, TCP_MSS, &wait, &leaves))
        news.acked = TRUE;
      else
        leaves = MAX (link->now, link->bottleneck_free_at);
      enqueue (link, TCP_END, (const guint8 *) &news, sizeof news, leaves + 2 * link->delay);
      tcp->in_flight += TCP_MSS;
    }
}

/* CUBIC (RFC 9438, as Linux's tcp_cubic.c): C = 0.4, beta = 0.7. */
#define CUBIC_C    0.4
#define CUBIC_BETA 0.7

static void
cubic_on_ack (TsrTestLink *link)
{
  TsrTestTcp *tcp = &link->tcp;
  gdouble packets = tcp->window / TCP_MSS;
  gdouble t;
  gdouble target;
  gdouble increase;

  if (tcp->epoch_start == 0)
    {
      tcp->epoch_start = link->now;
      if (tcp->last_max > packets)
        {
          tcp->k = cbrt ((tcp->last_max - packets) / CUBIC_C);
          tcp->origin = tcp->last_max;
        }
      else
        {
          tcp->k = 0;
          tcp->origin = packets;
        }
      tcp->reno_window = packets;
    }
  t = (gdouble) (link->now - tcp->epoch_start + tcp->min_rtt) / SECOND;
  target = tcp->origin + CUBIC_C * (t - tcp->k) * (t - tcp->k) * (t - tcp->k);
  /* At most half a packet an ack (Linux: cnt >= 2). */
  increase = target > packets ? MIN ((target - packets) / packets, 0.5) : 0.01 / packets;
  /* TCP friendliness: Reno's growth with this beta, 3 (1 - b) / (1 + b)
   * packets a round trip. */
  tcp->reno_window += 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA) / packets;
  if (tcp->reno_window > packets)
    increase = MAX (increase, MIN ((tcp->reno_window - packets) / packets, 0.5));
  tcp->window += increase * TCP_MSS;
}

/* HyStart (Linux's delay detection): slow start ends when the least of
 * a round's first 8 RTT samples is over the least RTT by an eighth of
 * it, 4 to 16 ms; only from 16 packets on. */
static void
hystart_on_ack (TsrTestLink *link,
                gint64       rtt)
{
  TsrTestTcp *tcp = &link->tcp;

  if (link->now >= tcp->round_end)
    {
      tcp->round_end = link->now + rtt;
      tcp->round_min = G_MAXINT64;
      tcp->round_samples = 0;
    }
  if (tcp->round_samples < 8)
    {
      tcp->round_min = MIN (tcp->round_min, rtt);
      if (++tcp->round_samples == 8 && tcp->window >= 16 * TCP_MSS &&
          tcp->round_min >= tcp->min_rtt + CLAMP (tcp->min_rtt / 8, 4 * MS, 16 * MS))
        tcp->slow_start_limit = tcp->window;
    }
}

static void
tcp_on_news (TsrTestLink   *link,
             const TcpNews *news)
{
  TsrTestTcp *tcp = &link->tcp;

  tcp->in_flight -= TCP_MSS;
  if (news->acked)
    {
      gint64 rtt = link->now - news->sent_at;

      tcp->delivered += TCP_MSS;
      tcp->min_rtt = tcp->min_rtt == 0 ? rtt : MIN (tcp->min_rtt, rtt);
      if (tcp->window < tcp->slow_start_limit)
        {
          tcp->window += TCP_MSS;
          hystart_on_ack (link, rtt);
        }
      else
        {
          if (tcp->slow_start_ended == 0)
            tcp->slow_start_ended = link->now;
          cubic_on_ack (link);
        }
    }
  else
    {
      tcp->lost++;
      if (link->now >= tcp->cut_until)
        {
          gdouble packets = tcp->window / TCP_MSS;

          /* Fast convergence: a flow that lost below its last maximum
           * gives more room. */
          tcp->last_max = packets < tcp->last_max ? packets * (1 + CUBIC_BETA) / 2 : packets;
          tcp->window = MAX (tcp->window * CUBIC_BETA, 2.0 * TCP_MSS);
          tcp->slow_start_limit = tcp->window;
          tcp->epoch_start = 0;
          /* The segments in flight now were sent with the old window. */
          tcp->cut_until = MAX (link->now, link->bottleneck_free_at) + 2 * link->delay;
        }
    }
  tcp_send (link);
}

/* A TCP flow starts now beside end 0's, through the bottleneck. */
void
tsr_test_link_start_tcp (TsrTestLink *link)
{
  g_assert_cmpint (link->bottleneck_rate, >, 0);

  link->tcp.on = TRUE;
  link->tcp.window = TCP_INITIAL_WINDOW;
  link->tcp.slow_start_limit = G_MAXDOUBLE;
  tcp_send (link);
}

static void
on_send_datagram (const guint8 *data,
                  gsize         length,
                  gpointer      user_data)
{
  TsrTestEnd *end = user_data;
  TsrTestLink *link = end->link;
  guint8 copy[TSR_UTP_CONN_DATAGRAM_MAX];
  TsrUtpPacket packet;
  TsrTestSent sent = { 0 };
  TsrTestOutgoing out = { &sent, copy, length, 0 };

  g_assert_cmpuint (length, <=, TSR_UTP_CONN_DATAGRAM_MAX);
  g_assert_true (tsr_utp_packet_parse (&packet, data, length, NULL));
  sent.at = link->now;
  sent.from = end->index;
  sent.type = packet.type;
  sent.connection_id = packet.connection_id;
  sent.seq_nr = packet.seq_nr;
  sent.ack_nr = packet.ack_nr;
  sent.wnd_size = packet.wnd_size;
  sent.sack_length = packet.sack_length;
  sent.payload_length = packet.payload_length;
  if (packet.type == TSR_UTP_DATA || packet.type == TSR_UTP_FIN)
    {
      guint times = GPOINTER_TO_UINT (g_hash_table_lookup (end->transmissions, GUINT_TO_POINTER (packet.seq_nr))) + 1;

      g_hash_table_insert (end->transmissions, GUINT_TO_POINTER (packet.seq_nr), GUINT_TO_POINTER (times));
      sent.transmission = times;
      /* The sender keeps under its congestion window, whatever the peer
       * advertises (a probe or a resend may go one packet over). */
      if (tsr_utp_conn_get_in_flight (end->conn) > tsr_utp_conn_get_window (end->conn) + TSR_UTP_CONN_PAYLOAD_MAX)
        end->max_in_flight_over_window++;
    }

  memcpy (copy, data, length);
  sent.fate = link->filter != NULL ? link->filter (link, &out) : TSR_TEST_FATE_DELIVER;
  if (sent.fate != TSR_TEST_FATE_DROP && end->index == 0 && link->bottleneck_rate > 0)
    {
      gint64 leaves;

      /* Tail drop; a duplicate takes no room of its own here. */
      if (!bottleneck_take (link, out.length, &sent.queued, &leaves))
        sent.fate = TSR_TEST_FATE_DROP;
      else
        out.extra_delay += leaves - link->now;
    }
  g_array_append_val (link->log, sent);
  if (sent.fate == TSR_TEST_FATE_DROP)
    return;
  enqueue (link, 1 - end->index, copy, out.length, link->now + link->delay + out.extra_delay);
  if (sent.fate == TSR_TEST_FATE_DUPLICATE)
    enqueue (link, 1 - end->index, copy, out.length, link->now + link->delay + out.extra_delay + 1);
}

void
tsr_test_end_read (TsrTestEnd *end)
{
  guint8 buffer[4096];
  gsize n;

  if (end->read_paused)
    return;
  while ((n = tsr_utp_conn_read (end->conn, buffer, sizeof buffer, end->link->now)) > 0)
    g_byte_array_append (end->received, buffer, n);
  if (end->close_on_eof && tsr_utp_conn_get_eof (end->conn))
    {
      end->close_on_eof = FALSE;
      tsr_utp_conn_close (end->conn, end->link->now);
    }
}

void
tsr_test_end_write (TsrTestEnd *end)
{
  if (!tsr_utp_conn_is_connected (end->conn))
    return;
  if (end->written < end->source_length)
    end->written += tsr_utp_conn_write (end->conn, end->source + end->written,
                                        end->source_length - end->written, end->link->now);
  if (end->written == end->source_length && end->close_when_written)
    {
      end->close_when_written = FALSE;
      tsr_utp_conn_close (end->conn, end->link->now);
    }
}

static void
on_readable (gpointer user_data)
{
  tsr_test_end_read (user_data);
}

static void
on_writable (gpointer user_data)
{
  tsr_test_end_write (user_data);
}

static void
on_connected (gpointer user_data)
{
  TsrTestEnd *end = user_data;

  end->connected = TRUE;
  tsr_test_end_write (end);
}

static void
on_closed (const GError *error,
           gpointer      user_data)
{
  TsrTestEnd *end = user_data;

  end->n_closed++;
  g_clear_error (&end->error);
  end->error = error != NULL ? g_error_copy (error) : NULL;
}

static const TsrUtpConnFuncs funcs = {
  .send_datagram = on_send_datagram,
  .readable = on_readable,
  .writable = on_writable,
  .connected = on_connected,
  .closed = on_closed,
};

TsrTestLink *
tsr_test_link_new (gint64 delay)
{
  TsrTestLink *link = g_new0 (TsrTestLink, 1);
  guint i;

  /* 32-bit microsecond timestamps wrap at 4294.97 s: start just before. */
  link->now = (gint64) 4294 * SECOND;
  link->delay = delay;
  link->log = g_array_new (FALSE, FALSE, sizeof (TsrTestSent));
  for (i = 0; i < 2; i++)
    {
      link->ends[i].link = link;
      link->ends[i].index = i;
      link->ends[i].received = g_byte_array_new ();
      link->ends[i].transmissions = g_hash_table_new (NULL, NULL);
    }
  link->ends[0].conn = tsr_utp_conn_new (&funcs, &link->ends[0]);
  return link;
}

void
tsr_test_link_free (TsrTestLink *link)
{
  guint i;

  for (i = 0; i < 2; i++)
    {
      g_clear_pointer (&link->ends[i].conn, tsr_utp_conn_free);
      g_byte_array_unref (link->ends[i].received);
      g_hash_table_unref (link->ends[i].transmissions);
      g_clear_error (&link->ends[i].error);
    }
  g_list_free_full (link->queue, g_free);
  g_array_unref (link->log);
  g_free (link);
}

static void
deliver (TsrTestLink *link,
         Datagram    *datagram)
{
  TsrTestEnd *end;
  TsrUtpPacket packet;

  if (datagram->to == TCP_END)
    {
      TcpNews news;

      memcpy (&news, datagram->data, sizeof news);
      tcp_on_news (link, &news);
      return;
    }
  end = &link->ends[datagram->to];
  /* The acceptor's socket: a SYN for no connection makes one. */
  if (end->conn == NULL)
    {
      if (tsr_utp_packet_parse (&packet, datagram->data, datagram->length, NULL) && packet.type == TSR_UTP_SYN)
        {
          end->conn = tsr_utp_conn_new (&funcs, end);
          if (end->recv_buffer > 0)
            tsr_utp_conn_set_recv_buffer (end->conn, end->recv_buffer);
          tsr_utp_conn_accept (end->conn, &packet, SEQ_B, link->now);
        }
      return;
    }
  tsr_utp_conn_receive_datagram (end->conn, datagram->data, datagram->length, link->now);
}

gboolean
tsr_test_link_run (TsrTestLink  *link,
                   gint64        until,
                   gboolean    (*done) (TsrTestLink *link))
{
  while (done == NULL || !done (link))
    {
      gint64 next = G_MAXINT64;
      guint i;

      if (link->queue != NULL)
        next = ((Datagram *) link->queue->data)->at;
      for (i = 0; i < 2; i++)
        if (link->ends[i].conn != NULL)
          next = MIN (next, tsr_utp_conn_get_deadline (link->ends[i].conn));
      if (next == G_MAXINT64)
        return FALSE;
      if (next > until)
        {
          link->now = until;
          return done == NULL;
        }
      link->now = MAX (link->now, next);
      if (link->queue != NULL && ((Datagram *) link->queue->data)->at <= link->now)
        {
          Datagram *datagram = link->queue->data;

          link->queue = g_list_delete_link (link->queue, link->queue);
          deliver (link, datagram);
          g_free (datagram);
          continue;
        }
      for (i = 0; i < 2; i++)
        if (link->ends[i].conn != NULL && tsr_utp_conn_get_deadline (link->ends[i].conn) <= link->now)
          {
            tsr_utp_conn_on_timer (link->ends[i].conn, link->now);
            /* What was due ran: a timer still due would spin its owner. */
            g_assert_cmpint (tsr_utp_conn_get_deadline (link->ends[i].conn), >, link->now);
          }
    }
  return TRUE;
}

gboolean
tsr_test_link_both_connected (TsrTestLink *link)
{
  return link->ends[0].connected && link->ends[1].connected;
}

gboolean
tsr_test_link_both_closed (TsrTestLink *link)
{
  return link->ends[0].n_closed > 0 && link->ends[1].n_closed > 0;
}

gboolean
tsr_test_link_first_closed (TsrTestLink *link)
{
  return link->ends[0].n_closed > 0;
}

void
tsr_test_link_connect (TsrTestLink *link)
{
  tsr_utp_conn_connect (link->ends[0].conn, CONN_ID, SEQ_A, link->now);
}

void
tsr_test_end_set_source (TsrTestEnd *end,
                         GBytes     *data,
                         gboolean    close_when_written)
{
  end->source = g_bytes_get_data (data, &end->source_length);
  end->written = 0;
  end->close_when_written = close_when_written;
  if (end->conn != NULL)
    tsr_test_end_write (end);
}

void
tsr_test_end_assert_received (TsrTestEnd *end,
                              GBytes     *data)
{
  tsr_test_assert_received (end->received, data);
}

guint
tsr_test_link_count_sent (TsrTestLink *link,
                          guint        from,
                          TsrUtpType   type)
{
  guint n = 0;
  guint i;

  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      n += sent->from == from && sent->type == type;
    }
  return n;
}

/* Sends @packet to end @to as if from its peer, now. */
void
tsr_test_link_inject (TsrTestLink        *link,
                      guint               to,
                      const TsrUtpPacket *packet)
{
  guint8 buffer[TSR_UTP_CONN_DATAGRAM_MAX + 64];
  gsize length = tsr_utp_packet_write (packet, buffer, sizeof buffer);

  g_assert_cmpuint (length, >, 0);
  tsr_utp_conn_receive_datagram (link->ends[to].conn, buffer, length, link->now);
}

const TsrTestSent *
tsr_test_link_last_sent (TsrTestLink *link,
                         guint        from,
                         TsrUtpType   type)
{
  guint i;

  for (i = link->log->len; i > 0; i--)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i - 1);

      if (sent->from == from && sent->type == type)
        return sent;
    }
  return NULL;
}

