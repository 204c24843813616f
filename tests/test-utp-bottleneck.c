/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-bottleneck.c: LEDBAT as a whole, one uTP connection sending
 * through the fake link of tsr-test-utp-link.c with a bottleneck in the
 * way: a 20 Mbit/s queue, 40 ms round trip, room for far more than the
 * target (as in tests/bench/utp.sh, where the wire holds it). With the
 * clock virtual the runs are deterministic. The queue the connection
 * builds settles at LEDBAT's target or below while the link stays
 * full, also after minutes without a pause; slow start does not
 * overshoot it; a standing queue someone else builds makes the
 * connection give way within seconds; and a sender its application
 * holds back does not grow a window it does not use. A TCP flow (CUBIC
 * with HyStart, as Linux's) started beside it gets most of the link.
 */
#include "config.h"

#include <glib.h>

#include "tsr-ledbat.h"
#include "tsr-test-util.h"
#include "tsr-test-utp-link.h"

/* 20 Mbit/s; 40 ms round trip; a queue of 2 s at that rate. */
#define RATE        (2500 * 1000)
#define ONE_WAY     (20 * MS)
#define QUEUE       (2 * RATE)
#define TARGET      TSR_LEDBAT_TARGET_US

static TsrTestLink *
bottleneck_link (void)
{
  TsrTestLink *link = tsr_test_link_new (ONE_WAY);

  link->bottleneck_rate = RATE;
  link->bottleneck_queue = QUEUE;
  return link;
}

/* What end 0's DATA packets sent in [@from, @to) did in the queue: the
 * mean and greatest wait, and the payload bytes a second. */
typedef struct
{
  gint64 mean_queued;
  gint64 max_queued;
  gint64 rate;
} Span;

static Span
measure (TsrTestLink *link,
         gint64       from,
         gint64       to)
{
  Span span = { 0 };
  gint64 total = 0;
  guint64 bytes = 0;
  guint n = 0;
  guint i;

  for (i = 0; i < link->log->len; i++)
    {
      const TsrTestSent *sent = &g_array_index (link->log, TsrTestSent, i);

      if (sent->from != 0 || sent->type != TSR_UTP_DATA || sent->at < from || sent->at >= to ||
          sent->fate == TSR_TEST_FATE_DROP)
        continue;
      total += sent->queued;
      span.max_queued = MAX (span.max_queued, sent->queued);
      bytes += sent->payload_length;
      n++;
    }
  g_assert_cmpuint (n, >, 0);
  span.mean_queued = total / n;
  span.rate = (gint64) (bytes * SECOND / (guint64) (to - from));
  g_test_message ("%.1f–%.1f s: queue %" G_GINT64_FORMAT " ms mean, %" G_GINT64_FORMAT " ms most; %"
                  G_GINT64_FORMAT " kB/s", (gdouble) from / SECOND, (gdouble) to / SECOND,
                  span.mean_queued / MS, span.max_queued / MS, span.rate / 1000);
  return span;
}

/* End 0 connects and starts sending @data to end 1; returns when. */
static gint64
start_sending (TsrTestLink *link,
               GBytes      *data)
{
  tsr_test_end_set_source (&link->ends[0], data, FALSE);
  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + 10 * SECOND, tsr_test_link_both_connected));
  return link->now;
}

static void
test_queue_settles_at_target (void)
{
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  g_autoptr(GBytes) data = tsr_test_make_bytes (40 * MIB, 1);
  gint64 start = start_sending (link, data);
  Span settled;

  g_assert_true (tsr_test_link_run (link, start + 14 * SECOND, NULL));
  g_assert_no_error (link->ends[0].error);
  g_assert_cmpuint (link->ends[0].max_in_flight_over_window, ==, 0);
  /* The last 6 s: the queue stands near the target, not above it, and
   * the link stays busy (so a window held small would fail too). */
  settled = measure (link, start + 8 * SECOND, start + 14 * SECOND);
  g_assert_cmpint (settled.mean_queued, <=, TARGET * 12 / 10);
  g_assert_cmpint (settled.mean_queued, >=, TARGET / 4);
  g_assert_cmpint (settled.rate, >=, RATE * 9 / 10);
}

/* Sends @data again and again for @seconds, in steps of @step_us (the
 * application never lets the connection wait for bytes), and measures
 * the last @last seconds. The link reads @data till it is freed. */
static Span
send_without_pause (TsrTestLink *link,
                    GBytes      *data,
                    gint64       seconds,
                    gint64       step_us,
                    gint64       last)
{
  gint64 start = start_sending (link, data);
  gint64 end = start + seconds * SECOND;

  while (link->now < end)
    {
      g_assert_true (tsr_test_link_run (link, link->now + step_us, NULL));
      if (link->ends[0].written == link->ends[0].source_length)
        tsr_test_end_set_source (&link->ends[0], data, FALSE);
      g_byte_array_set_size (link->ends[1].received, 0);
      if (link->now < end - last * SECOND)
        g_array_set_size (link->log, 0);
    }
  g_assert_no_error (link->ends[0].error);
  return measure (link, end - last * SECOND, end);
}

/* Minutes of sending without a pause, so the queue never empties: the
 * base delay must still be the empty path's, or the standing queue
 * becomes the base and LEDBAT builds another on top of it (with a base
 * of two minutes, BEP 29's, the queue went from 99 to 145 ms in the
 * third minute). */
static void
test_queue_stays_at_target_for_minutes (void)
{
  g_autoptr(GBytes) data = tsr_test_make_bytes (16 * MIB, 1);
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  Span late = send_without_pause (link, data, 200, 10 * MS, 20);

  g_assert_cmpint (late.mean_queued, <=, TARGET * 12 / 10);
  g_assert_cmpint (late.max_queued, <=, TARGET * 12 / 10);
  g_assert_cmpint (late.rate, >=, RATE * 9 / 10);
}

/* Twenty minutes without a pause: the queue LEDBAT keeps near its target
 * never empties by itself, so the least delay of ten minutes would be
 * that queue's and LEDBAT would build another on top of it. Periodic
 * slowdowns (LEDBAT++) empty it now and then, so the base stays the
 * empty path's. */
static void
test_queue_stays_at_target_for_twenty_minutes (void)
{
  g_autoptr(GBytes) data = tsr_test_make_bytes (16 * MIB, 1);
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  Span late = send_without_pause (link, data, 1200, 100 * MS, 60);

  g_assert_cmpint (late.mean_queued, <=, TARGET * 12 / 10);
  g_assert_cmpint (late.rate, >=, RATE * 85 / 100);
}

/* Slow start doubles the window each round trip, and the delay that
 * should end it comes back a round trip late: ending it is not enough,
 * the window must come back to what made that delay, or the queue
 * stands at twice the threshold plus the path for many seconds. */
static void
test_slow_start_does_not_overshoot (void)
{
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  g_autoptr(GBytes) data = tsr_test_make_bytes (16 * MIB, 1);
  gint64 start = start_sending (link, data);
  Span early;

  g_assert_true (tsr_test_link_run (link, start + 4 * SECOND, NULL));
  g_assert_no_error (link->ends[0].error);
  /* The first packets find the queue empty; from half a second on, slow
   * start is over and the queue must be under the target. */
  early = measure (link, start + SECOND / 2, start + 4 * SECOND);
  g_assert_cmpint (early.mean_queued, <=, TARGET);
  g_assert_cmpint (early.max_queued, <=, TARGET);
  g_assert_cmpint (early.rate, >=, RATE * 9 / 10);
}

/* An application that writes 64 KiB every 100 ms, a quarter of what the
 * link takes: no queue builds, and the window stays near what it ever
 * had in flight instead of growing without bound while acks come back
 * from an empty path. */
static void
test_app_limited_window_bounded (void)
{
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  g_autoptr(GBytes) chunk = tsr_test_make_bytes (64 * 1024, 1);
  gsize most_in_flight = 0;
  guint i;

  tsr_test_link_connect (link);
  g_assert_true (tsr_test_link_run (link, link->now + 10 * SECOND, tsr_test_link_both_connected));
  for (i = 0; i < 200; i++)
    {
      gint64 next = link->now + 100 * MS;

      tsr_test_end_set_source (&link->ends[0], chunk, FALSE);
      g_assert_cmpuint (link->ends[0].written, ==, g_bytes_get_size (chunk));
      while (link->now < next)
        {
          g_assert_true (tsr_test_link_run (link, MIN (next, link->now + MS), NULL));
          most_in_flight = MAX (most_in_flight, tsr_utp_conn_get_in_flight (link->ends[0].conn));
        }
    }
  g_assert_no_error (link->ends[0].error);
  g_assert_cmpuint (link->ends[1].received->len, >=, 199 * g_bytes_get_size (chunk));
  g_test_message ("window %zu, most in flight %zu", tsr_utp_conn_get_window (link->ends[0].conn), most_in_flight);
  g_assert_cmpuint (most_in_flight, <=, 2 * g_bytes_get_size (chunk));
  g_assert_cmpuint (tsr_utp_conn_get_window (link->ends[0].conn), <=, 2 * most_in_flight + TSR_UTP_CONN_PAYLOAD_MAX);
}

/* From *filter_data on, end 0's datagrams wait 150 ms more on their
 * way: the queue of someone else's flow at the bottleneck (a TCP flow
 * keeps it full). */
static TsrTestFate
foreign_queue (TsrTestLink     *link,
               TsrTestOutgoing *out)
{
  const gint64 *from = link->filter_data;

  if (out->sent->from == 0 && link->now >= *from)
    out->extra_delay = 150 * MS;
  return TSR_TEST_FATE_DELIVER;
}

/* LEDBAT's point: when another flow's queue puts the delay over the
 * target, uTP gives the link up within seconds (tests/bench/utp.sh asks
 * that a TCP flow get 80 % of it within 5 s). */
static void
test_yields_to_a_foreign_queue (void)
{
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  g_autoptr(GBytes) data = tsr_test_make_bytes (32 * MIB, 1);
  gint64 from = G_MAXINT64;
  gint64 start;
  gsize window;
  Span before;
  Span after;

  link->filter = foreign_queue;
  link->filter_data = &from;
  start = start_sending (link, data);
  from = start + 8 * SECOND;
  g_assert_true (tsr_test_link_run (link, from, NULL));
  window = tsr_utp_conn_get_window (link->ends[0].conn);
  before = measure (link, from - 2 * SECOND, from);
  g_assert_cmpint (before.rate, >=, RATE * 9 / 10);
  g_assert_true (tsr_test_link_run (link, from + 5 * SECOND, NULL));
  g_assert_no_error (link->ends[0].error);
  after = measure (link, from + 2 * SECOND, from + 5 * SECOND);
  g_assert_cmpint (after.rate, <=, RATE / 5);
  g_assert_cmpuint (tsr_utp_conn_get_window (link->ends[0].conn), <=, window / 4);
}

/* tests/bench/utp.sh part 2 in the simulation: uTP alone on the link,
 * then a TCP flow beside it that fills the bottleneck's queue, as tc tbf
 * with `latency 400ms` holds it (dropping at that limit). The TCP flow
 * must get 80 % of the link within its first 5 s, and uTP give it up. */
static void
test_yields_to_tcp (void)
{
  g_autoptr(TsrTestLink) link = bottleneck_link ();
  g_autoptr(GBytes) data = tsr_test_make_bytes (64 * MIB, 1);
  gint64 start;
  gint64 from;
  guint64 tcp_bytes;
  Span utp;

  link->bottleneck_queue = RATE * 4 / 10;
  start = start_sending (link, data);
  from = start + 8 * SECOND;
  g_assert_true (tsr_test_link_run (link, from, NULL));
  utp = measure (link, from - 2 * SECOND, from);
  g_assert_cmpint (utp.rate, >=, RATE * 9 / 10);
  tsr_test_link_start_tcp (link);
  g_assert_true (tsr_test_link_run (link, from + 5 * SECOND, NULL));
  g_assert_no_error (link->ends[0].error);
  tcp_bytes = link->tcp.delivered;
  utp = measure (link, from, from + 5 * SECOND);
  g_test_message ("TCP: %" G_GUINT64_FORMAT " kB/s in its first 5 s, window %.0f (%u lost, slow start for %"
                  G_GINT64_FORMAT " ms); uTP window %zu", tcp_bytes / 5 / 1000, link->tcp.window, link->tcp.lost,
                  ((link->tcp.slow_start_ended ? link->tcp.slow_start_ended : link->now) - from) / MS,
                  tsr_utp_conn_get_window (link->ends[0].conn));
  g_assert_cmpuint (tcp_bytes, >=, (guint64) RATE * 5 * 8 / 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/utp-bottleneck/queue-settles-at-target", test_queue_settles_at_target);
  g_test_add_func ("/utp-bottleneck/queue-stays-at-target-for-minutes", test_queue_stays_at_target_for_minutes);
  g_test_add_func ("/utp-bottleneck/queue-stays-at-target-for-twenty-minutes", test_queue_stays_at_target_for_twenty_minutes);
  g_test_add_func ("/utp-bottleneck/slow-start-does-not-overshoot", test_slow_start_does_not_overshoot);
  g_test_add_func ("/utp-bottleneck/app-limited-window-bounded", test_app_limited_window_bounded);
  g_test_add_func ("/utp-bottleneck/yields-to-a-foreign-queue", test_yields_to_a_foreign_queue);
  g_test_add_func ("/utp-bottleneck/yields-to-tcp", test_yields_to_tcp);

  return g_test_run ();
}
