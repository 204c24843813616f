/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-conn.c: two uTP connections wired back to back through the
 * fake link of tsr-test-utp-link.c (a virtual clock, a one-way delay, a
 * filter per test that drops, delays, duplicates or rewrites chosen
 * datagrams). Each test runs the clock from event to event and checks
 * what went over the wire as well as what came out: the handshake and
 * its ids, 1 MiB both ways (also with 5 % loss, and with every datagram
 * twice), Nagle's coalescing, reordering repaired through selective
 * ACKs, fast retransmit before the timeout, the timeout doubling until a
 * dead link is given up, Karn's rule, FIN behind data in flight, RESET,
 * closing while dialling, a reader's shut window, the keep-alive, and
 * forged input (acks never sent, huge windows held to the send buffer,
 * stale SYNs, sequence numbers outside the window, RESETs on ids not
 * the connection's). Throughout, a sender never has more in flight than its
 * congestion window (plus the one packet a resend or a probe may add),
 * and a timer that ran is never still due.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-ledbat.h"
#include "tsr-test-util.h"
#include "tsr-test-utp-link.h"

/* Filters. */

/* The initiator's first transmission of a DATA packet. */
static gboolean
is_first_data (const TsrTestSent *sent)
{
  return sent->from == 0 && sent->type == TSR_UTP_DATA && sent->transmission == 1;
}

static TsrTestFate
drop_all (TsrTestLink     *link,
          TsrTestOutgoing *out)
{
  return TSR_TEST_FATE_DROP;
}

static TsrTestFate
drop_first_syn (TsrTestLink     *link,
                TsrTestOutgoing *out)
{
  guint *n_syn = link->filter_data;

  if (out->sent->type == TSR_UTP_SYN && (*n_syn)++ == 0)
    return TSR_TEST_FATE_DROP;
  return TSR_TEST_FATE_DELIVER;
}

/* Every 20th datagram each way, acks included: 5 %. */
static TsrTestFate
drop_one_in_twenty (TsrTestLink     *link,
                    TsrTestOutgoing *out)
{
  guint *counts = link->filter_data;

  return ++counts[out->sent->from] % 20 == 0 ? TSR_TEST_FATE_DROP : TSR_TEST_FATE_DELIVER;
}

/* Holds back one new DATA packet in eight for 15 ms, 1.5 times the
 * one-way delay: later packets overtake it. */
static TsrTestFate
reorder (TsrTestLink     *link,
         TsrTestOutgoing *out)
{
  if (is_first_data (out->sent) && out->sent->seq_nr % 8 == 3)
    out->extra_delay = 15 * MS;
  return TSR_TEST_FATE_DELIVER;
}

/* Drops the first transmission of the initiator's packet
 * *filter_data. */
static TsrTestFate
drop_first_of_one (TsrTestLink     *link,
                   TsrTestOutgoing *out)
{
  guint16 *victim = link->filter_data;

  if (is_first_data (out->sent) && out->sent->seq_nr == *victim)
    return TSR_TEST_FATE_DROP;
  return TSR_TEST_FATE_DELIVER;
}

/* As drop_first_of_one, and takes the selective ACKs out of every
 * STATE, so only duplicate acks can tell the sender. */
static TsrTestFate
drop_one_no_sack (TsrTestLink     *link,
                  TsrTestOutgoing *out)
{
  TsrUtpPacket packet;

  if (out->sent->type == TSR_UTP_STATE && out->sent->sack_length > 0)
    {
      g_assert_true (tsr_utp_packet_parse (&packet, out->data, out->length, NULL));
      packet.sack = NULL;
      packet.sack_length = 0;
      out->length = tsr_utp_packet_write (&packet, out->data, TSR_UTP_CONN_DATAGRAM_MAX);
    }
  return drop_first_of_one (link, out);
}

/* The first copy of the initiator's first DATA packet takes 650 ms
 * more: its timer runs out first, and the ack that comes answers the
 * first copy, not the resend. */
static TsrTestFate
late_first_copy (TsrTestLink     *link,
                 TsrTestOutgoing *out)
{
  if (is_first_data (out->sent) && out->sent->seq_nr == (guint16) (SEQ_A + 1))
    out->extra_delay = 650 * MS;
  return TSR_TEST_FATE_DELIVER;
}

static TsrTestFate
duplicate_all (TsrTestLink     *link,
               TsrTestOutgoing *out)
{
  return TSR_TEST_FATE_DUPLICATE;
}

/* The acceptor claims a window of 4 GiB. */
static TsrTestFate
huge_window (TsrTestLink     *link,
             TsrTestOutgoing *out)
{
  if (out->sent->from == 1)
    memset (out->data + 12, 0xff, 4);
  return TSR_TEST_FATE_DELIVER;
}

static TsrTestFate
drop_data (TsrTestLink     *link,
           TsrTestOutgoing *out)
{
  return out->sent->type == TSR_UTP_DATA ? TSR_TEST_FATE_DROP : TSR_TEST_FATE_DELIVER;
}

/* Tests. */

static void
test_handshake (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (20 * MS);
  gint64 start = link->now;
  const TsrTestSent *sent;
  static const guint8 hello[] = "hello";
  static const guint8 world[] = "world";

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, start + SECOND, tsr_test_link_both_connected));
  /* One round trip. */
  g_assert_cmpint (link->now - start, ==, 40 * MS);

  /* BEP 29: the SYN carries the initiator's receive id and a sequence
   * number of its own; the STATE goes back on that id and acks it. */
  sent = &g_array_index (link->log, TsrTestSent, 0);
  g_assert_cmpint (sent->type, ==, TSR_UTP_SYN);
  g_assert_cmpuint (sent->connection_id, ==, CONN_ID);
  g_assert_cmpuint (sent->seq_nr, ==, SEQ_A);
  sent = &g_array_index (link->log, TsrTestSent, 1);
  g_assert_cmpint (sent->type, ==, TSR_UTP_STATE);
  g_assert_cmpuint (sent->from, ==, 1);
  g_assert_cmpuint (sent->connection_id, ==, CONN_ID);
  g_assert_cmpuint (sent->seq_nr, ==, SEQ_B);
  g_assert_cmpuint (sent->ack_nr, ==, SEQ_A);
  /* The initiator sends on recv_id + 1, wrapping; the acceptor receives
   * there and sends on the SYN's id. */
  g_assert_cmpuint (tsr_utp_conn_get_recv_id (link->ends[0].conn), ==, CONN_ID);
  g_assert_cmpuint (tsr_utp_conn_get_send_id (link->ends[0].conn), ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_recv_id (link->ends[1].conn), ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_send_id (link->ends[1].conn), ==, CONN_ID);

  g_assert_cmpuint (tsr_utp_conn_write (link->ends[0].conn, hello, 5, link->now), ==, 5);
  g_assert_cmpuint (tsr_utp_conn_write (link->ends[1].conn, world, 5, link->now), ==, 5);
  tsr_test_link_run (link, link->now + SECOND, NULL);
  g_assert_cmpmem (link->ends[1].received->data, link->ends[1].received->len, "hello", 5);
  g_assert_cmpmem (link->ends[0].received->data, link->ends[0].received->len, "world", 5);
  /* The SYN took SEQ_A; the STATE took nothing. */
  sent = tsr_test_link_last_sent (link, 0, TSR_UTP_DATA);
  g_assert_cmpuint (sent->connection_id, ==, 0);
  g_assert_cmpuint (sent->seq_nr, ==, (guint16) (SEQ_A + 1));
  sent = tsr_test_link_last_sent (link, 1, TSR_UTP_DATA);
  g_assert_cmpuint (sent->connection_id, ==, CONN_ID);
  g_assert_cmpuint (sent->seq_nr, ==, SEQ_B);
  g_assert_cmpuint (link->ends[0].n_closed + link->ends[1].n_closed, ==, 0);
}

static void
test_handshake_syn_resent (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (20 * MS);
  gint64 start = link->now;
  guint n_syn = 0;

  link->filter = drop_first_syn;
  link->filter_data = &n_syn;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, start + 10 * SECOND, tsr_test_link_both_connected));
  /* The first SYN was lost: the second went after the initial 1 s. */
  g_assert_cmpuint (tsr_test_link_count_sent (link, 0, TSR_UTP_SYN), ==, 2);
  g_assert_cmpint (link->now - start, ==, SECOND + 40 * MS);
}

static void
test_handshake_gives_up (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (20 * MS);
  gint64 start = link->now;
  guint i;
  static const gint64 syn_at[] = { 0, SECOND, 3 * SECOND };

  link->filter = drop_all;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, start + 60 * SECOND, tsr_test_link_first_closed));
  /* SYNs at 0, 1 and 3 s (the timeout doubling), then 4 s more. */
  g_assert_cmpuint (link->log->len, ==, TSR_UTP_CONN_SYN_TRIES);
  for (i = 0; i < G_N_ELEMENTS (syn_at); i++)
    g_assert_cmpint (g_array_index (link->log, TsrTestSent, i).at - start, ==, syn_at[i]);
  g_assert_cmpint (link->now - start, ==, 7 * SECOND);
  g_assert_error (link->ends[0].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 1);
  g_assert_false (link->ends[0].connected);
}

/* @a_bytes from the initiator and @b_bytes back, both closing when
 * done; both must close cleanly with everything intact. */
static void
transfer (TsrTestLink *link,
          gsize        a_bytes,
          gsize        b_bytes)
{
  g_autoptr(GBytes) a_data = tsr_test_make_bytes (a_bytes, 1);
  g_autoptr(GBytes) b_data = tsr_test_make_bytes (b_bytes, 2);

  tsr_test_end_set_source (&link->ends[0], a_data, TRUE);
  link->ends[0].close_on_eof = FALSE;
  link->ends[1].close_on_eof = FALSE;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + 10 * SECOND, tsr_test_link_both_connected));
  tsr_test_end_set_source (&link->ends[1], b_data, TRUE);
  g_assert_true (tsr_test_link_run (link, link->now + 600 * SECOND, tsr_test_link_both_closed));
  tsr_test_end_read (&link->ends[0]);
  tsr_test_end_read (&link->ends[1]);
  g_assert_no_error (link->ends[0].error);
  g_assert_no_error (link->ends[1].error);
  tsr_test_end_assert_received (&link->ends[1], a_data);
  tsr_test_end_assert_received (&link->ends[0], b_data);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 1);
  g_assert_cmpuint (link->ends[1].n_closed, ==, 1);
  g_assert_cmpuint (link->ends[0].max_in_flight_over_window, ==, 0);
  g_assert_cmpuint (link->ends[1].max_in_flight_over_window, ==, 0);
}

static void
test_transfer_both_ways (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  const TsrUtpConnStats *stats;

  transfer (link, MIB, MIB);
  /* Over 800 packets from SEQ_A = 65000: the numbers wrapped. */
  g_assert_cmpuint (tsr_test_link_last_sent (link, 0, TSR_UTP_FIN)->seq_nr, <, SEQ_A);
  /* A clean path: nothing was resent, and every packet but the last
   * of each side was full. */
  stats = tsr_utp_conn_get_stats (link->ends[0].conn);
  g_assert_cmpuint (stats->packets_resent, ==, 0);
  g_assert_cmpuint (stats->packets_sent, ==, (MIB + TSR_UTP_CONN_PAYLOAD_MAX - 1) / TSR_UTP_CONN_PAYLOAD_MAX + 1);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_resent, ==, 0);
}

static void
test_transfer_loss (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  guint counts[2] = { 0, 0 };

  link->filter = drop_one_in_twenty;
  link->filter_data = counts;
  transfer (link, MIB, MIB);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->packets_resent, >, 0);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_resent, >, 0);
}

static void
test_transfer_duplicates (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);

  link->filter = duplicate_all;
  transfer (link, 200 * 1024, 200 * 1024);
}

static void
test_sack_reorder (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  const TsrUtpConnStats *stats;
  gboolean seen = FALSE;
  guint i;

  link->filter = reorder;
  transfer (link, 300 * 1024, 0);
  /* The receiver described the holes, and the sender took them in. */
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->sacks_sent, >, 0);
  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      seen |= sent->from == 1 && sent->type == TSR_UTP_STATE && sent->sack_length >= 4 && sent->sack_length % 4 == 0;
    }
  g_assert_true (seen);
  stats = tsr_utp_conn_get_stats (link->ends[0].conn);
  g_assert_cmpuint (stats->packets_sacked, >, 0);
  g_assert_cmpuint (stats->timeouts, ==, 0);
}

static void
test_fast_retransmit (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  guint16 victim = (guint16) (SEQ_A + 10);
  const TsrUtpConnStats *stats;
  const TsrTestSent *first = NULL;
  const TsrTestSent *second = NULL;
  guint i;

  link->filter = drop_one_no_sack;
  link->filter_data = &victim;
  transfer (link, 100 * 1024, 0);
  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      if (sent->from == 0 && sent->type == TSR_UTP_DATA && sent->seq_nr == victim)
        {
          if (sent->transmission == 1)
            first = sent;
          else if (sent->transmission == 2)
            second = sent;
        }
    }
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  /* Resent on the third duplicate ack, well before the 500 ms timeout. */
  g_assert_cmpint (second->at - first->at, <, TSR_LEDBAT_MIN_RTO_US);
  stats = tsr_utp_conn_get_stats (link->ends[0].conn);
  g_assert_cmpuint (stats->fast_resends, ==, 1);
  g_assert_cmpuint (stats->timeouts, ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->sacks_sent, >, 0);
}

static void
test_nagle_coalesces (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  guint8 chunk[100];
  guint i;

  memset (chunk, 'x', sizeof chunk);
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* 100 small writes at once: the first goes alone (nothing is out),
   * the rest waits for acks and leaves in full packets. */
  for (i = 0; i < 100; i++)
    g_assert_cmpuint (tsr_utp_conn_write (link->ends[0].conn, chunk, sizeof chunk, link->now), ==, sizeof chunk);
  tsr_test_link_run (link, link->now + 5 * SECOND, NULL);
  g_assert_cmpuint (link->ends[1].received->len, ==, 100 * sizeof chunk);
  g_assert_cmpuint (tsr_test_link_count_sent (link, 0, TSR_UTP_DATA), ==, 1 + (99 * sizeof chunk + TSR_UTP_CONN_PAYLOAD_MAX - 1) / TSR_UTP_CONN_PAYLOAD_MAX);
  for (i = 0; i < link->log->len; i++)
    g_assert_cmpuint (g_array_index (link->log, TsrTestSent, i).payload_length, <=, TSR_UTP_CONN_PAYLOAD_MAX);
}

static void
test_timeout_doubles_then_gives_up (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (20 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (5000, 3);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint16 first_nr;
  guint i;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* The SYN's round trip (40 ms) set the timeout to its 500 ms floor. */
  g_assert_cmpint (tsr_utp_conn_get_rto (link->ends[0].conn), ==, TSR_LEDBAT_MIN_RTO_US);
  link->filter = drop_all;
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  first_nr = (guint16) (SEQ_A + 1);
  g_assert_true (tsr_test_link_run (link, link->now + 600 * SECOND, tsr_test_link_first_closed));

  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      if (sent->from == 0 && sent->type == TSR_UTP_DATA && sent->seq_nr == first_nr)
        g_array_append_val (times, sent->at);
    }
  /* TsrTestSent, then resent after 0.5, 1, 2, 4 and 8 s; given up 16 s after. */
  g_assert_cmpuint (times->len, ==, TSR_UTP_CONN_MAX_TIMEOUTS);
  for (i = 1; i < times->len; i++)
    g_assert_cmpint (g_array_index (times, gint64, i) - g_array_index (times, gint64, i - 1), ==,
                     (TSR_LEDBAT_MIN_RTO_US << (i - 1)));
  g_assert_cmpint (link->now - g_array_index (times, gint64, times->len - 1), ==,
                   TSR_LEDBAT_MIN_RTO_US << (times->len - 1));
  g_assert_error (link->ends[0].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->timeouts, ==, TSR_UTP_CONN_MAX_TIMEOUTS);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 1);
}

static void
test_karn (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (100 * MS);
  gint64 rto;

  link->filter = late_first_copy;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* The SYN's round trip, 200 ms: max(200 + 4 * 100, 500) ms. */
  rto = tsr_utp_conn_get_rto (link->ends[0].conn);
  g_assert_cmpint (rto, ==, 600 * MS);
  g_assert_cmpuint (tsr_utp_conn_write (link->ends[0].conn, (const guint8 *) "karn", 4, link->now), ==, 4);
  tsr_test_link_run (link, link->now + 2 * SECOND, NULL);
  g_assert_cmpuint (link->ends[1].received->len, ==, 4);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->timeouts, ==, 1);
  /* The ack came 250 ms after the resend: taken as a sample it would
   * pull the timeout back down. Karn: a resent packet gives none, and
   * the doubled timeout stands. */
  g_assert_cmpint (tsr_utp_conn_get_rto (link->ends[0].conn), ==, 2 * rto);
}

static void
test_fin_behind_data_in_flight (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (100 * 1024, 4);
  guint16 victim = (guint16) (SEQ_A + 5);
  gsize fin_index = G_MAXSIZE;
  gsize resend_index = G_MAXSIZE;
  guint i;

  link->filter = drop_first_of_one;
  link->filter_data = &victim;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* All written and closed at once: the FIN waits behind 85 packets. */
  tsr_test_end_set_source (&link->ends[0], data, TRUE);
  link->ends[1].close_on_eof = TRUE;
  g_assert_true (tsr_test_link_run (link, link->now + 60 * SECOND, tsr_test_link_both_closed));

  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      if (sent->from == 0 && sent->type == TSR_UTP_FIN && fin_index == G_MAXSIZE)
        fin_index = i;
      if (sent->from == 0 && sent->seq_nr == victim && sent->transmission == 2)
        resend_index = i;
    }
  /* The FIN went out while a packet before it was still missing, and
   * the stream ended only after it came. */
  g_assert_cmpuint (fin_index, <, G_MAXSIZE);
  g_assert_cmpuint (resend_index, <, G_MAXSIZE);
  g_assert_cmpuint (tsr_test_link_last_sent (link, 0, TSR_UTP_DATA)->seq_nr + 1, ==, tsr_test_link_last_sent (link, 0, TSR_UTP_FIN)->seq_nr);
  tsr_test_end_assert_received (&link->ends[1], data);
  g_assert_true (tsr_utp_conn_get_eof (link->ends[1].conn));
  g_assert_no_error (link->ends[0].error);
  g_assert_no_error (link->ends[1].error);
  g_assert_cmpuint (tsr_utp_conn_write (link->ends[0].conn, (const guint8 *) "late", 4, link->now), ==, 0);
}

static void
test_reset (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  TsrUtpPacket packet = { 0 };
  guint8 buffer[TSR_UTP_HEADER_SIZE];
  const TsrTestSent *sent;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  tsr_utp_conn_abort (link->ends[1].conn, link->now);
  sent = tsr_test_link_last_sent (link, 1, TSR_UTP_RESET);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sent->connection_id, ==, CONN_ID);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_first_closed));
  g_assert_error (link->ends[0].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_RESET);
  /* The aborting side reports nothing: it asked. */
  g_assert_cmpuint (link->ends[1].n_closed, ==, 0);

  /* Data for the connection that is over is answered with a RESET on
   * the id it came on, acking it; a RESET never answers a RESET. */
  packet.type = TSR_UTP_DATA;
  packet.connection_id = CONN_ID;
  packet.seq_nr = 1234;
  packet.payload = (const guint8 *) "x";
  packet.payload_length = 1;
  tsr_test_link_inject (link, 0, &packet);
  sent = tsr_test_link_last_sent (link, 0, TSR_UTP_RESET);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sent->connection_id, ==, CONN_ID);
  g_assert_cmpuint (sent->ack_nr, ==, 1234);
  packet.type = TSR_UTP_RESET;
  g_assert_cmpuint (tsr_utp_conn_write_reset (&packet, 0, buffer, sizeof buffer), ==, 0);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 1);
}

static void
test_reset_refuses_syn (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  const TsrTestSent *syn;
  TsrUtpPacket packet = { 0 };
  guint8 buffer[TSR_UTP_HEADER_SIZE];
  gsize length;

  tsr_test_link_connect (link);
  /* Nobody listens at the other end: its socket answers with a RESET. */
  syn = tsr_test_link_last_sent (link, 0, TSR_UTP_SYN);
  packet.type = TSR_UTP_SYN;
  packet.connection_id = syn->connection_id;
  packet.seq_nr = syn->seq_nr;
  length = tsr_utp_conn_write_reset (&packet, 77, buffer, sizeof buffer);
  g_assert_cmpuint (length, ==, TSR_UTP_HEADER_SIZE);
  tsr_utp_conn_receive_datagram (link->ends[0].conn, buffer, length, link->now);
  g_assert_error (link->ends[0].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_REFUSED);
  g_assert_true (tsr_utp_conn_is_closed (link->ends[0].conn));
  g_assert_cmpint (tsr_utp_conn_get_deadline (link->ends[0].conn), ==, TSR_UTP_CONN_NO_DEADLINE);
}

static void
test_close_while_dialling (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  const TsrTestSent *sent;

  tsr_test_link_connect (link);
  tsr_utp_conn_close (link->ends[0].conn, link->now);
  /* The SYN may have made the peer a connection: a RESET ends it. */
  g_assert_cmpuint (link->log->len, ==, 2);
  sent = tsr_test_link_last_sent (link, 0, TSR_UTP_RESET);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sent->connection_id, ==, (guint16) (CONN_ID + 1));
  g_assert_true (tsr_utp_conn_is_closed (link->ends[0].conn));
  g_assert_cmpint (tsr_utp_conn_get_deadline (link->ends[0].conn), ==, TSR_UTP_CONN_NO_DEADLINE);
  tsr_test_link_run (link, link->now + 60 * SECOND, NULL);
  /* The acceptor made from the SYN took the RESET; closing reports
   * nothing to the side that asked. */
  g_assert_error (link->ends[1].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_RESET);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 0);
}

static gboolean
sender_stalled (TsrTestLink *link)
{
  return link->ends[1].conn != NULL && tsr_utp_conn_get_unread (link->ends[1].conn) > 0 &&
         tsr_utp_conn_get_in_flight (link->ends[0].conn) == 0;
}

static void
test_zero_window (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (256 * 1024, 5);
  const gsize buffer = 64 * 1024;
  guint data_before;
  guint states_before;
  const TsrTestSent *state;

  link->ends[1].recv_buffer = buffer;
  link->ends[1].read_paused = TRUE;
  link->ends[1].close_on_eof = TRUE;
  tsr_test_end_set_source (&link->ends[0], data, TRUE);
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + 30 * SECOND, sender_stalled));

  /* The reader's buffer filled, it said so, and the sender stopped. */
  g_assert_cmpuint (tsr_utp_conn_get_unread (link->ends[1].conn), >=, buffer - TSR_UTP_CONN_PAYLOAD_MAX);
  g_assert_cmpuint (tsr_utp_conn_get_unread (link->ends[1].conn), <=, buffer + TSR_UTP_CONN_PAYLOAD_MAX);
  state = tsr_test_link_last_sent (link, 1, TSR_UTP_STATE);
  g_assert_cmpuint (state->wnd_size, <, TSR_UTP_CONN_PAYLOAD_MAX);
  g_assert_cmpuint (tsr_utp_conn_get_unacked (link->ends[0].conn), >, 0);
  data_before = tsr_test_link_count_sent (link, 0, TSR_UTP_DATA);
  tsr_test_link_run (link, link->now + 4 * SECOND, NULL);
  g_assert_cmpuint (tsr_test_link_count_sent (link, 0, TSR_UTP_DATA), ==, data_before);
  /* Shut for a minute: probes at most, and the link is not given up. */
  tsr_test_link_run (link, link->now + 60 * SECOND, NULL);
  g_assert_cmpuint (tsr_test_link_count_sent (link, 0, TSR_UTP_DATA) - data_before, <=, 8);
  g_assert_cmpuint (link->ends[0].n_closed, ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_unread (link->ends[1].conn), <=, buffer + TSR_UTP_CONN_PAYLOAD_MAX);

  /* Reading opens the window: STATEs say so at once (when a packet
   * fits again, and when half the buffer more does), and the rest
   * flows. */
  link->ends[1].read_paused = FALSE;
  states_before = tsr_test_link_count_sent (link, 1, TSR_UTP_STATE);
  tsr_test_end_read (&link->ends[1]);
  state = tsr_test_link_last_sent (link, 1, TSR_UTP_STATE);
  g_assert_cmpint (state->at, ==, link->now);
  g_assert_cmpuint (state->wnd_size, >=, buffer / 2);
  g_assert_cmpuint (tsr_test_link_count_sent (link, 1, TSR_UTP_STATE) - states_before, ==, 2);
  g_assert_true (tsr_test_link_run (link, link->now + 60 * SECOND, tsr_test_link_both_closed));
  tsr_test_end_assert_received (&link->ends[1], data);
  g_assert_no_error (link->ends[0].error);
}

static void
test_keepalive (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  gint64 quiet_since;
  const TsrTestSent *sent;
  guint i;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  quiet_since = link->now;
  tsr_test_link_run (link, quiet_since + TSR_UTP_CONN_KEEPALIVE_US - 50 * MS, NULL);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->keepalives_sent, ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->keepalives_sent, ==, 0);
  tsr_test_link_run (link, quiet_since + TSR_UTP_CONN_KEEPALIVE_US + 20 * MS, NULL);
  for (i = 0; i < 2; i++)
    {
      g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[i].conn)->keepalives_sent, ==, 1);
      sent = tsr_test_link_last_sent (link, i, TSR_UTP_STATE);
      g_assert_cmpuint (sent->payload_length, ==, 0);
      g_assert_cmpint (sent->at, <=, quiet_since + TSR_UTP_CONN_KEEPALIVE_US);
      g_assert_cmpint (sent->at, >=, quiet_since + TSR_UTP_CONN_KEEPALIVE_US - 40 * MS);
    }
  /* Keep-alives keep an idle connection open well past the idle limit. */
  tsr_test_link_run (link, quiet_since + 2 * TSR_UTP_CONN_IDLE_US, NULL);
  g_assert_true (tsr_utp_conn_is_connected (link->ends[0].conn));
  g_assert_true (tsr_utp_conn_is_connected (link->ends[1].conn));
  /* Without them arriving, the peer is gone. */
  link->filter = drop_all;
  tsr_test_link_run (link, link->now + TSR_UTP_CONN_IDLE_US + SECOND, NULL);
  g_assert_error (link->ends[0].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
  g_assert_error (link->ends[1].error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
}

/* Hostile input. */

/* After a hostile packet: end 0 writes the rest of its source and
 * closes, end 1 closes at the end of the stream; both close within a
 * minute, and end 1 got @data intact. */
static void
finish_intact (TsrTestLink *link,
               GBytes      *data)
{
  link->ends[0].close_when_written = TRUE;
  tsr_test_end_write (&link->ends[0]);
  link->ends[1].close_on_eof = TRUE;
  g_assert_true (tsr_test_link_run (link, link->now + 60 * SECOND, tsr_test_link_both_closed));
  tsr_test_end_assert_received (&link->ends[1], data);
}

static void
test_hostile_ack_never_sent (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (50 * 1024, 6);
  TsrUtpPacket packet = { 0 };
  guint64 ignored;
  gsize unacked;

  link->filter = drop_data;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  tsr_test_end_set_source (&link->ends[0], data, TRUE);
  unacked = tsr_utp_conn_get_unacked (link->ends[0].conn);
  ignored = tsr_utp_conn_get_stats (link->ends[0].conn)->packets_ignored;
  /* Acks for packets not sent yet, or half the sequence space away. */
  packet.type = TSR_UTP_STATE;
  packet.connection_id = CONN_ID;
  packet.seq_nr = SEQ_B;
  packet.wnd_size = 1 << 20;
  packet.ack_nr = (guint16) (SEQ_A + 40);
  tsr_test_link_inject (link, 0, &packet);
  packet.ack_nr = (guint16) (SEQ_A + 0x8000);
  tsr_test_link_inject (link, 0, &packet);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->packets_ignored, ==, ignored + 2);
  g_assert_cmpuint (tsr_utp_conn_get_unacked (link->ends[0].conn), ==, unacked);
  link->filter = NULL;
  link->ends[1].close_on_eof = TRUE;
  g_assert_true (tsr_test_link_run (link, link->now + 60 * SECOND, tsr_test_link_both_closed));
  tsr_test_end_assert_received (&link->ends[1], data);
}

static void
test_hostile_huge_window (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);

  /* transfer () checks that the sender kept to its congestion window. */
  link->filter = huge_window;
  transfer (link, MIB, 0);
}

static void
test_hostile_stale_syn (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (20 * 1024, 7);
  TsrUtpPacket syn = { 0 };
  guint states;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  tsr_test_link_run (link, link->now + SECOND, NULL);
  states = tsr_test_link_count_sent (link, 1, TSR_UTP_STATE);

  /* The SYN again, once data came: no answer. Another SYN on the same
   * id, or on the receive ids: no answer either. */
  syn.type = TSR_UTP_SYN;
  syn.connection_id = CONN_ID;
  syn.seq_nr = SEQ_A;
  tsr_test_link_inject (link, 1, &syn);
  syn.seq_nr = 4242;
  tsr_test_link_inject (link, 1, &syn);
  syn.connection_id = 0;
  tsr_test_link_inject (link, 1, &syn);
  syn.connection_id = CONN_ID;
  tsr_test_link_inject (link, 0, &syn);
  g_assert_cmpuint (tsr_test_link_count_sent (link, 1, TSR_UTP_STATE), ==, states);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_ignored, >=, 3);
  g_assert_true (tsr_utp_conn_is_connected (link->ends[0].conn));
  g_assert_true (tsr_utp_conn_is_connected (link->ends[1].conn));
  finish_intact (link, data);
}

static void
test_hostile_sack_from_the_future (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (500, 8);
  TsrUtpPacket packet = { 0 };
  guint8 mask[TSR_UTP_SACK_MAX];

  link->filter = drop_data;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* One packet out; the selective ACK claims 256 after it. */
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  memset (mask, 0xff, sizeof mask);
  packet.type = TSR_UTP_STATE;
  packet.connection_id = CONN_ID;
  packet.seq_nr = SEQ_B;
  packet.ack_nr = SEQ_A;
  packet.wnd_size = 1 << 20;
  packet.sack = mask;
  packet.sack_length = sizeof mask;
  tsr_test_link_inject (link, 0, &packet);
  tsr_test_link_inject (link, 0, &packet);
  tsr_test_link_inject (link, 0, &packet);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->packets_sacked, ==, 0);
  g_assert_cmpuint (tsr_utp_conn_get_in_flight (link->ends[0].conn), <=, 500);
  g_assert_cmpuint (tsr_utp_conn_get_unacked (link->ends[0].conn), ==, 500);
  link->filter = NULL;
  finish_intact (link, data);
}

static void
test_hostile_early_flood (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  const gsize buffer = 64 * 1024;
  guint8 payload[TSR_UTP_CONN_PAYLOAD_MAX];
  TsrUtpPacket packet = { 0 };
  guint i;

  link->ends[1].recv_buffer = buffer;
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  /* A thousand full packets past a hole that never fills: at most the
   * buffer's worth is kept, the rest dropped, and the window shuts. */
  memset (payload, 'z', sizeof payload);
  packet.type = TSR_UTP_DATA;
  packet.connection_id = 0;
  packet.ack_nr = SEQ_B - 1;
  packet.payload = payload;
  packet.payload_length = sizeof payload;
  for (i = 2; i < 1002; i++)
    {
      packet.seq_nr = (guint16) (SEQ_A + i);
      tsr_test_link_inject (link, 1, &packet);
    }
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_dropped, >=, 1000 - buffer / sizeof payload);
  g_assert_cmpuint (tsr_test_link_last_sent (link, 1, TSR_UTP_STATE)->wnd_size, <, sizeof payload);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_dropped, ==, 1000 - buffer / sizeof payload);
  /* The selective ACK lists what was kept, bits 0 to 53. */
  g_assert_cmpuint (tsr_test_link_last_sent (link, 1, TSR_UTP_STATE)->sack_length, ==, tsr_utp_sack_size (buffer / sizeof payload));
  g_assert_cmpuint (tsr_test_link_last_sent (link, 1, TSR_UTP_STATE)->ack_nr, ==, SEQ_A);
  g_assert_cmpuint (tsr_utp_conn_get_unread (link->ends[1].conn), ==, 0);
  g_assert_true (tsr_utp_conn_is_connected (link->ends[1].conn));
}

/* Packets on the right id but outside the receive window, either way,
 * or acking half the sequence space back: nothing is delivered, no end
 * of stream, and the transfer goes on intact. */
static void
test_hostile_seq_out_of_window (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (200 * 1024, 9);
  guint8 payload[TSR_UTP_CONN_PAYLOAD_MAX];
  TsrUtpPacket packet = { 0 };
  const TsrTestSent *last;
  guint16 acked;
  static const guint16 offsets[] = { 0x0400, 0x4000, 0x7fff, 0x8000, 0xc000, 0xfff0 };
  gsize unread;
  guint64 dropped;
  guint i;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  tsr_test_link_run (link, link->now + 50 * MS, NULL);
  last = tsr_test_link_last_sent (link, 1, TSR_UTP_STATE);
  g_assert_nonnull (last);
  /* A copy: what the injected packets make end 1 send grows the log,
   * which may move it. */
  acked = last->ack_nr;
  unread = tsr_utp_conn_get_unread (link->ends[1].conn);
  dropped = tsr_utp_conn_get_stats (link->ends[1].conn)->packets_dropped;

  memset (payload, 'z', sizeof payload);
  packet.connection_id = 0;
  packet.wnd_size = 1 << 20;
  packet.ack_nr = (guint16) (SEQ_B - 1);
  for (i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      packet.seq_nr = (guint16) (acked + offsets[i]);
      packet.type = TSR_UTP_DATA;
      packet.payload = payload;
      packet.payload_length = sizeof payload;
      tsr_test_link_inject (link, 1, &packet);
      packet.type = TSR_UTP_FIN;
      packet.payload = NULL;
      packet.payload_length = 0;
      tsr_test_link_inject (link, 1, &packet);
    }
  /* The acceptor's own seq_nr is SEQ_B: an ack half the space behind it. */
  packet.type = TSR_UTP_DATA;
  packet.seq_nr = (guint16) (acked + 1);
  packet.ack_nr = (guint16) (SEQ_B - 0x8000);
  packet.payload = payload;
  packet.payload_length = sizeof payload;
  tsr_test_link_inject (link, 1, &packet);

  g_assert_cmpuint (tsr_utp_conn_get_unread (link->ends[1].conn), ==, unread);
  g_assert_false (tsr_utp_conn_get_eof (link->ends[1].conn));
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_dropped, >=, dropped);
  g_assert_true (tsr_utp_conn_is_connected (link->ends[1].conn));
  g_assert_cmpuint (link->ends[1].n_closed, ==, 0);
  finish_intact (link, data);
}

/* A RESET on neither of the connection's ids does nothing, whichever
 * side gets it; one on an id it owns still ends it. */
static void
test_hostile_reset_wrong_id (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (10 * MS);
  g_autoptr(GBytes) data = tsr_test_make_bytes (100 * 1024, 10);
  TsrUtpPacket reset = { 0 };
  static const guint16 ids[] = { 1, 2, CONN_ID - 1, 0x8000 };
  guint i;
  guint to;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + SECOND, tsr_test_link_both_connected));
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  tsr_test_link_run (link, link->now + 30 * MS, NULL);
  /* The initiator receives on CONN_ID and sends on 0, the acceptor the
   * other way: ids 0 and CONN_ID are theirs, the rest are not. */
  reset.type = TSR_UTP_RESET;
  for (to = 0; to < 2; to++)
    for (i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        reset.connection_id = ids[i];
        reset.seq_nr = (guint16) (SEQ_B + i);
        reset.ack_nr = (guint16) (SEQ_A + i);
        tsr_test_link_inject (link, to, &reset);
      }
  g_assert_true (tsr_utp_conn_is_connected (link->ends[0].conn));
  g_assert_true (tsr_utp_conn_is_connected (link->ends[1].conn));
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[0].conn)->packets_ignored, >=, 4);
  g_assert_cmpuint (tsr_utp_conn_get_stats (link->ends[1].conn)->packets_ignored, >=, 4);
  finish_intact (link, data);
  g_assert_no_error (link->ends[0].error);
  g_assert_no_error (link->ends[1].error);
}

/* The peer acks at once and claims a 4 GiB window: what is in flight
 * never passes the send buffer (TSR_UTP_CONN_SEND_BUFFER), whatever
 * the application writes. */
static TsrTestFate
huge_window_watch (TsrTestLink     *link,
                   TsrTestOutgoing *out)
{
  gsize *max_in_flight = link->filter_data;

  if (link->ends[0].conn != NULL)
    {
      *max_in_flight = MAX (*max_in_flight, tsr_utp_conn_get_in_flight (link->ends[0].conn));
      g_assert_cmpuint (tsr_utp_conn_get_unacked (link->ends[0].conn), <=, TSR_UTP_CONN_SEND_BUFFER);
    }
  return huge_window (link, out);
}

static void
test_hostile_huge_window_send_buffer (void)
{
  g_autoptr(TsrTestLink) link = tsr_test_link_new (MS);
  gsize max_in_flight = 0;

  link->filter = huge_window_watch;
  link->filter_data = &max_in_flight;
  transfer (link, 8 * MIB, 0);
  g_assert_cmpuint (max_in_flight, >, 0);
  g_assert_cmpuint (max_in_flight, <=, TSR_UTP_CONN_SEND_BUFFER);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/utp-conn/handshake", test_handshake);
  g_test_add_func ("/utp-conn/handshake/syn-resent", test_handshake_syn_resent);
  g_test_add_func ("/utp-conn/handshake/gives-up", test_handshake_gives_up);
  g_test_add_func ("/utp-conn/transfer/both-ways", test_transfer_both_ways);
  g_test_add_func ("/utp-conn/transfer/loss", test_transfer_loss);
  g_test_add_func ("/utp-conn/transfer/duplicates", test_transfer_duplicates);
  g_test_add_func ("/utp-conn/nagle", test_nagle_coalesces);
  g_test_add_func ("/utp-conn/sack/reorder", test_sack_reorder);
  g_test_add_func ("/utp-conn/fast-retransmit", test_fast_retransmit);
  g_test_add_func ("/utp-conn/timeout/doubles-then-gives-up", test_timeout_doubles_then_gives_up);
  g_test_add_func ("/utp-conn/timeout/karn", test_karn);
  g_test_add_func ("/utp-conn/fin/behind-data-in-flight", test_fin_behind_data_in_flight);
  g_test_add_func ("/utp-conn/reset", test_reset);
  g_test_add_func ("/utp-conn/reset/refuses-syn", test_reset_refuses_syn);
  g_test_add_func ("/utp-conn/close/while-dialling", test_close_while_dialling);
  g_test_add_func ("/utp-conn/window/zero", test_zero_window);
  g_test_add_func ("/utp-conn/keepalive", test_keepalive);
  g_test_add_func ("/utp-conn/hostile/ack-never-sent", test_hostile_ack_never_sent);
  g_test_add_func ("/utp-conn/hostile/huge-window", test_hostile_huge_window);
  g_test_add_func ("/utp-conn/hostile/stale-syn", test_hostile_stale_syn);
  g_test_add_func ("/utp-conn/hostile/sack-from-the-future", test_hostile_sack_from_the_future);
  g_test_add_func ("/utp-conn/hostile/early-flood", test_hostile_early_flood);
  g_test_add_func ("/utp-conn/hostile/seq-out-of-window", test_hostile_seq_out_of_window);
  g_test_add_func ("/utp-conn/hostile/reset-wrong-id", test_hostile_reset_wrong_id);
  g_test_add_func ("/utp-conn/hostile/huge-window-send-buffer", test_hostile_huge_window_send_buffer);

  return g_test_run ();
}
