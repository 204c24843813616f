/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-ledbat.c: the uTP congestion controller, fed by hand with delay
 * samples, acks, losses and timeouts at chosen times: the window grows
 * below the target and shrinks above it by BEP 29's formula or,
 * faster, by (queuing / target - 1) of itself a round trip (half at
 * most), slow start doubles it until the queue reaches half the target
 * and then halves it, it grows no further than what is in flight, the
 * base delay forgets a minimum within ten minutes (also across the
 * 32-bit wrap),
 * loss halves the window once per round trip, the timeout follows
 * RFC 6298 with a 500 ms floor and doubles, and the window never falls
 * below one packet.
 */
#include "config.h"

#include <glib.h>

#include "tsr-ledbat.h"

#define PACKET 1000
/* The one-way delay of an empty path, clock offset included. */
#define BASE   20000
#define MS     1000
#define SECOND G_USEC_PER_SEC
#define TARGET TSR_LEDBAT_TARGET_US

/* Three samples: the queuing delay is the least of the last three, so
 * after this it is @queuing_us. */
static void
feed_delay (TsrLedbat *ledbat,
            guint32    queuing_us,
            gint64     now_us)
{
  guint i;

  for (i = 0; i < 3; i++)
    tsr_ledbat_add_delay_sample (ledbat, BASE + queuing_us, now_us);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (ledbat), ==, queuing_us);
}

/* Acks one whole window at once: by BEP 29's formula the window then
 * moves by TSR_LEDBAT_GAIN_BYTES times off_target. */
static void
ack_window (TsrLedbat *ledbat,
            gint64     now_us)
{
  gsize window = tsr_ledbat_get_window (ledbat);

  tsr_ledbat_note_window_full (ledbat, now_us);
  tsr_ledbat_acked (ledbat, window, window, now_us);
}

/* A controller whose slow start took the window to 32 packets over an
 * empty path, doubling: 1000, 2000 (LEDBAT's 3000 would be more, but
 * the window grows no further than what was in flight and acked),
 * 4000, 8000, 16000, 32000. */
static TsrLedbat *
grown (void)
{
  TsrLedbat *ledbat = tsr_ledbat_new (PACKET);
  static const gsize steps[] = { 2000, 4000, 8000, 16000, 32000 };
  guint i;

  feed_delay (ledbat, 0, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);
  for (i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      ack_window (ledbat, 0);
      g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, steps[i]);
      g_assert_true (tsr_ledbat_in_slow_start (ledbat));
    }
  return ledbat;
}

static void
test_below_target_grows (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();
  gsize before;
  guint i;

  /* The loss ends slow start: from here on LEDBAT alone. */
  g_assert_true (tsr_ledbat_lost (ledbat, 0));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  g_assert_false (tsr_ledbat_in_slow_start (ledbat));

  /* No queue: a window's worth of acks adds the whole gain. */
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 19000);

  /* A late ack for ten windows counts as one: the gain is per round
   * trip, not per byte. */
  tsr_ledbat_note_window_full (ledbat, 0);
  tsr_ledbat_acked (ledbat, 10 * 19000, 10 * 19000, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 22000);

  /* Half the target: off_target 0.5, half the gain. */
  feed_delay (ledbat, TARGET / 2, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 23500);

  /* On target: no change. */
  feed_delay (ledbat, TARGET, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 23500);

  /* A window acked packet by packet, with no queue, adds a little less
   * than the whole gain: each ack counts for its share of a window that
   * grows meanwhile, so at least gain * before / (before + gain). */
  feed_delay (ledbat, 0, 0);
  before = tsr_ledbat_get_window (ledbat);
  for (i = 0; i < before / PACKET; i++)
    {
      tsr_ledbat_note_window_full (ledbat, 0);
      tsr_ledbat_acked (ledbat, PACKET, tsr_ledbat_get_window (ledbat), 0);
    }
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), >=, before + 3000 * before / (before + 3000));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), <, before + 3000);
}

static void
test_above_target_shrinks (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();

  /* The queue ends slow start, halving the window (a whole gain taken
   * away would leave 29000): no doubling when it clears. */
  feed_delay (ledbat, 2 * TARGET, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  g_assert_false (tsr_ledbat_in_slow_start (ledbat));
  /* Twice the target: BEP 29's off_target -1 would take a whole gain
   * away (13000), but the window halves, the most it loses to delay in
   * a round trip. */
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 8000);
  /* A tenth over the target: a tenth of the window (800) beats BEP
   * 29's 300. */
  feed_delay (ledbat, TARGET * 11 / 10, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 7200);
  /* Far above, with a window of 2 packets: BEP 29's gain is the larger
   * cut (-3000 * 9), and the floor of one packet holds (a round trip of
   * the initial 1 s after the first loss, before the first slowdown). */
  feed_delay (ledbat, 10 * TARGET, 0);
  tsr_ledbat_lost (ledbat, 0);
  tsr_ledbat_lost (ledbat, 3 * SECOND / 2);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 1800);
  ack_window (ledbat, 3 * SECOND / 2);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);
  /* Shrinking needs no full window: a queue is a queue. */
  {
    g_autoptr(TsrLedbat) other = grown ();

    g_assert_true (tsr_ledbat_lost (other, 0));
    feed_delay (other, 3 * TARGET / 2, 3 * SECOND / 2);
    tsr_ledbat_acked (other, 16000, 16000, 3 * SECOND / 2);
    g_assert_cmpuint (tsr_ledbat_get_window (other), ==, 8000);
  }
}

/* LEDBAT++'s periodic slowdown: two round trips after slow start ends,
 * two packets for two round trips, then slow start back to the window
 * before; the next one nine times that long later, but not before 30 s. */
static void
test_periodic_slowdown (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();
  const gint64 rtt = 100 * 1000;
  static const gsize back[] = { 4000, 8000, 16000, 19000 };
  gint64 now;
  guint i;

  tsr_ledbat_add_rtt_sample (ledbat, rtt);
  g_assert_true (tsr_ledbat_lost (ledbat, 0));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  ack_window (ledbat, rtt);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 19000);

  /* The slowdown: the window falls and stays down for two round trips,
   * whatever the acks say. */
  ack_window (ledbat, 2 * rtt);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 2 * PACKET);
  ack_window (ledbat, 3 * rtt);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 2 * PACKET);

  /* Then slow start, up to the window before and no further. */
  for (i = 0; i < G_N_ELEMENTS (back); i++)
    {
      ack_window (ledbat, (4 + i) * rtt);
      g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, back[i]);
      g_assert_true (tsr_ledbat_in_slow_start (ledbat) == (i + 1 < G_N_ELEMENTS (back)));
    }

  /* It took 0.5 s: the next comes 30 s after its end, not 4.5 s. */
  now = 7 * rtt;
  ack_window (ledbat, now + 5 * SECOND);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 22000);
  ack_window (ledbat, now + 30 * SECOND - 1);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 25000);
  ack_window (ledbat, now + 30 * SECOND);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 2 * PACKET);
}

static void
test_slow_start_ends_at_half_target (void)
{
  g_autoptr(TsrLedbat) ledbat = tsr_ledbat_new (PACKET);

  feed_delay (ledbat, 0, 0);
  ack_window (ledbat, 0);
  ack_window (ledbat, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 8000);
  g_assert_true (tsr_ledbat_in_slow_start (ledbat));

  /* Just under half the target: still doubling. */
  feed_delay (ledbat, TARGET / 2 - MS, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  g_assert_true (tsr_ledbat_in_slow_start (ledbat));

  /* Half the target: slow start ends, and the window falls back to the
   * half that made this delay (it doubled in the round trip the delay
   * took to come back), not LEDBAT's +1500. */
  feed_delay (ledbat, TARGET / 2, 0);
  ack_window (ledbat, 0);
  g_assert_false (tsr_ledbat_in_slow_start (ledbat));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 8000);
  /* The queue drained: growth is linear now, not doubling. */
  feed_delay (ledbat, 0, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 11000);
}

/* RFC 6817's max_allowed_cwnd: a sender that leaves its window half
 * empty (its application had no more, or a rate limit held it) learns
 * nothing about the path from the acks, and its window stays; filled,
 * it grows again. */
static void
test_grows_only_as_far_as_in_flight (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();
  guint i;

  g_assert_true (tsr_ledbat_lost (ledbat, 0));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  feed_delay (ledbat, 0, 0);
  /* A hundred round trips with 4000 bytes out at a time, the window
   * marked full all along (the application writes in bursts): none of
   * them takes the window past 4000 + 4000, and it is not cut. */
  for (i = 0; i < 100 * 4; i++)
    {
      tsr_ledbat_note_window_full (ledbat, 0);
      tsr_ledbat_acked (ledbat, PACKET, 4 * PACKET, 0);
    }
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  /* In slow start (after a timeout) the same. */
  tsr_ledbat_timed_out (ledbat, 0);
  for (i = 0; i < 100 * 4; i++)
    {
      tsr_ledbat_note_window_full (ledbat, 0);
      tsr_ledbat_acked (ledbat, PACKET, 4 * PACKET, 0);
    }
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 5 * PACKET);
  /* Filled, it doubles again, up to half the window before the
   * timeout. */
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 8 * PACKET);
}

static void
test_grows_only_when_window_full (void)
{
  g_autoptr(TsrLedbat) ledbat = tsr_ledbat_new (PACKET);

  /* Acks without a delay measured yet move nothing; nor does a 0
   * sample, which only says the peer has none. */
  tsr_ledbat_note_window_full (ledbat, 0);
  tsr_ledbat_acked (ledbat, PACKET, PACKET, 0);
  tsr_ledbat_add_delay_sample (ledbat, 0, 0);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (ledbat), ==, -1);
  tsr_ledbat_acked (ledbat, PACKET, PACKET, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);

  /* An empty path, but the window was last full 1.5 s ago: the sender
   * is held back by something else, and the window stays. */
  feed_delay (ledbat, 0, 0);
  tsr_ledbat_acked (ledbat, PACKET, PACKET, 1500 * MS);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);
  /* Full within the second: it grows (as far as in flight and acked). */
  tsr_ledbat_note_window_full (ledbat, 1600 * MS);
  tsr_ledbat_acked (ledbat, PACKET, PACKET, 2600 * MS);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 2000);
}

static void
test_base_delay_window (void)
{
  g_autoptr(TsrLedbat) ledbat = tsr_ledbat_new (PACKET);
  g_autoptr(TsrLedbat) recent = tsr_ledbat_new (PACKET);
  g_autoptr(TsrLedbat) idle = tsr_ledbat_new (PACKET);
  g_autoptr(TsrLedbat) wrapped = tsr_ledbat_new (PACKET);
  gint64 t;

  /* A 10 ms minimum at the start, then 50 ms for ten minutes: 40 ms of
   * queue while the minimum counts, none once it is forgotten. Two
   * minutes (BEP 29) are not enough: a queue LEDBAT keeps standing
   * would become the base. */
  tsr_ledbat_add_delay_sample (ledbat, 10 * MS, 0);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (ledbat), ==, 0);
  for (t = 1; t < 600; t++)
    tsr_ledbat_add_delay_sample (ledbat, 50 * MS, t * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (ledbat), ==, 40 * MS);
  tsr_ledbat_add_delay_sample (ledbat, 50 * MS, 600 * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (ledbat), ==, 0);

  /* A lower sample within the minute becomes the base at once; one
   * seen at 90 s (in the second minute) still counts at 659 s, not at
   * 660 s, when the eleventh minute begins. */
  tsr_ledbat_add_delay_sample (recent, 50 * MS, 0);
  tsr_ledbat_add_delay_sample (recent, 40 * MS, 10 * SECOND);
  for (t = 11; t <= 13; t++)
    tsr_ledbat_add_delay_sample (recent, 50 * MS, t * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (recent), ==, 10 * MS);
  tsr_ledbat_add_delay_sample (recent, 30 * MS, 90 * SECOND);
  for (t = 91; t < 660; t++)
    tsr_ledbat_add_delay_sample (recent, 50 * MS, t * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (recent), ==, 20 * MS);
  tsr_ledbat_add_delay_sample (recent, 50 * MS, 660 * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (recent), ==, 0);

  /* Five silent minutes forget nothing; ten forget everything. */
  tsr_ledbat_add_delay_sample (idle, 10 * MS, 0);
  for (t = 1; t <= 3; t++)
    tsr_ledbat_add_delay_sample (idle, 80 * MS, t * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (idle), ==, 70 * MS);
  for (t = 300; t <= 302; t++)
    tsr_ledbat_add_delay_sample (idle, 60 * MS, t * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (idle), ==, 50 * MS);
  tsr_ledbat_add_delay_sample (idle, 50 * MS, 910 * SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (idle), ==, 0);

  /* The clocks' offset may put the samples across the 32-bit wrap:
   * 0x400 is 0x500 above 0xffffff00. */
  tsr_ledbat_add_delay_sample (wrapped, 0xffffff00, 0);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (wrapped), ==, 0);
  for (t = 0; t < 3; t++)
    tsr_ledbat_add_delay_sample (wrapped, 0x400, SECOND);
  g_assert_cmpint (tsr_ledbat_get_queuing_delay (wrapped), ==, 0x500);
}

static void
test_loss_halves_once_per_rtt (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();
  g_autoptr(TsrLedbat) unmeasured = grown ();

  tsr_ledbat_add_rtt_sample (ledbat, 100 * MS);
  g_assert_true (tsr_ledbat_lost (ledbat, 10 * SECOND));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  /* More losses from the same window: one congestion event. */
  g_assert_false (tsr_ledbat_lost (ledbat, 10 * SECOND + 50 * MS));
  g_assert_false (tsr_ledbat_lost (ledbat, 10 * SECOND + 100 * MS - 1));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  /* A round trip later, a new one. */
  g_assert_true (tsr_ledbat_lost (ledbat, 10 * SECOND + 100 * MS));
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 8000);

  /* With no RTT measured, the initial timeout stands in for it. */
  g_assert_true (tsr_ledbat_lost (unmeasured, 0));
  g_assert_false (tsr_ledbat_lost (unmeasured, SECOND - 1));
  g_assert_true (tsr_ledbat_lost (unmeasured, SECOND));
  g_assert_cmpuint (tsr_ledbat_get_window (unmeasured), ==, 8000);
}

static void
test_timeout (void)
{
  g_autoptr(TsrLedbat) ledbat = tsr_ledbat_new (PACKET);
  g_autoptr(TsrLedbat) slow = tsr_ledbat_new (PACKET);
  guint i;

  /* BEP 29: 1 s at first, doubling on each timeout in a row. */
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, SECOND);
  tsr_ledbat_timed_out (ledbat, 0);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, 2 * SECOND);
  tsr_ledbat_timed_out (ledbat, 0);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, 4 * SECOND);
  for (i = 0; i < 10; i++)
    tsr_ledbat_timed_out (ledbat, 0);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, TSR_LEDBAT_MAX_RTO_US);

  /* A sample sets it from the formula again; a fast path meets the
   * 500 ms floor (10 ms + 4 * 5 ms is far below it). */
  tsr_ledbat_add_rtt_sample (ledbat, 10 * MS);
  g_assert_cmpint (tsr_ledbat_get_rtt (ledbat), ==, 10 * MS);
  g_assert_cmpint (tsr_ledbat_get_rtt_var (ledbat), ==, 5 * MS);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, 500 * MS);
  tsr_ledbat_timed_out (ledbat, 0);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, SECOND);
  tsr_ledbat_timed_out (ledbat, 0);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, 2 * SECOND);
  tsr_ledbat_add_rtt_sample (ledbat, 10 * MS);
  g_assert_cmpint (tsr_ledbat_get_rto (ledbat), ==, 500 * MS);

  /* RFC 6298: the first sample R gives rtt R and rtt_var R / 2; then
   * rtt_var = 3/4 rtt_var + 1/4 |rtt - R| and rtt = 7/8 rtt + 1/8 R. */
  tsr_ledbat_add_rtt_sample (slow, 400 * MS);
  g_assert_cmpint (tsr_ledbat_get_rto (slow), ==, 1200 * MS);
  tsr_ledbat_add_rtt_sample (slow, 800 * MS);
  g_assert_cmpint (tsr_ledbat_get_rtt_var (slow), ==, 250 * MS);
  g_assert_cmpint (tsr_ledbat_get_rtt (slow), ==, 450 * MS);
  g_assert_cmpint (tsr_ledbat_get_rto (slow), ==, 1450 * MS);
}

static void
test_window_floor (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();
  g_autoptr(TsrLedbat) fresh = tsr_ledbat_new (PACKET);
  guint i;

  /* Ten seconds of queue: off_target -99, far more than the window. */
  feed_delay (ledbat, 10 * SECOND, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);
  for (i = 0; i < 5; i++)
    tsr_ledbat_lost (ledbat, (i + 1) * 10 * SECOND);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, PACKET);

  /* A timeout leaves one packet, whatever the window was. */
  tsr_ledbat_timed_out (fresh, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (fresh), ==, PACKET);
  {
    g_autoptr(TsrLedbat) big = grown ();

    tsr_ledbat_timed_out (big, 0);
    g_assert_cmpuint (tsr_ledbat_get_window (big), ==, PACKET);
    g_assert_true (tsr_ledbat_in_slow_start (big));
  }

  /* A larger packet raises the floor with it. */
  tsr_ledbat_set_packet_size (ledbat, 1400);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 1400);
}

static void
test_slow_start_after_timeout (void)
{
  g_autoptr(TsrLedbat) ledbat = grown ();

  /* 32000 before the timeout: slow start again, up to 16000, then
   * linear. */
  tsr_ledbat_timed_out (ledbat, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 2000);
  ack_window (ledbat, 0);
  ack_window (ledbat, 0);
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 16000);
  g_assert_false (tsr_ledbat_in_slow_start (ledbat));
  ack_window (ledbat, 0);
  g_assert_cmpuint (tsr_ledbat_get_window (ledbat), ==, 19000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ledbat/below-target-grows", test_below_target_grows);
  g_test_add_func ("/ledbat/above-target-shrinks", test_above_target_shrinks);
  g_test_add_func ("/ledbat/periodic-slowdown", test_periodic_slowdown);
  g_test_add_func ("/ledbat/slow-start-ends-at-half-target", test_slow_start_ends_at_half_target);
  g_test_add_func ("/ledbat/grows-only-as-far-as-in-flight", test_grows_only_as_far_as_in_flight);
  g_test_add_func ("/ledbat/grows-only-when-window-full", test_grows_only_when_window_full);
  g_test_add_func ("/ledbat/base-delay-window", test_base_delay_window);
  g_test_add_func ("/ledbat/loss-halves-once-per-rtt", test_loss_halves_once_per_rtt);
  g_test_add_func ("/ledbat/timeout", test_timeout);
  g_test_add_func ("/ledbat/window-floor", test_window_floor);
  g_test_add_func ("/ledbat/slow-start-after-timeout", test_slow_start_after_timeout);

  return g_test_run ();
}
