/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dial-delay.c: the delay a dial gives uTP before TCP, for each
 * kind of path: local addresses get the short fixed one; others 250 ms
 * before any round trip is known, then twice the 90th percentile of the
 * latest uTP connect times within [100, 800] ms; a run of dials that TCP
 * carried halves it until uTP carries one again. No clock: the times are
 * given.
 */
#include "config.h"

#include <glib.h>

#include "tsr-dial-delay.h"

#define MS ((gint64) 1000)

static TsrPeerAddress
address_of (const char *text)
{
  TsrPeerAddress address = { 0 };

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

static void
test_local (void)
{
  static const char *const local[] = {
    "127.0.0.1:6881", "10.1.2.3:6881", "172.16.0.9:6881", "172.31.255.1:6881", "192.168.1.20:6881",
    "169.254.7.7:6881", "[::1]:6881", "[fd12:3456::1]:6881", "[fc00::1]:6881", "[fe80::1]:6881",
    "[::ffff:192.168.1.20]:6881",
  };
  static const char *const remote[] = {
    "192.0.2.1:6881", "172.32.0.1:6881", "11.0.0.1:6881", "[2001:db8::1]:6881", "[fec0::1]:6881",
  };
  g_autoptr(TsrDialDelay) delay = tsr_dial_delay_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (local); i++)
    {
      TsrPeerAddress address = address_of (local[i]);

      g_test_message ("%s", local[i]);
      g_assert_true (tsr_dial_delay_is_local (&address));
      g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &address), ==, TSR_DIAL_DELAY_LOCAL_MS);
    }
  for (i = 0; i < G_N_ELEMENTS (remote); i++)
    {
      TsrPeerAddress address = address_of (remote[i]);

      g_test_message ("%s", remote[i]);
      g_assert_false (tsr_dial_delay_is_local (&address));
      g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &address), ==, TSR_DIAL_DELAY_DEFAULT_MS);
    }
}

/* Nothing known: RFC 8305's 250 ms. Then 2 × p90 of what was measured. */
static void
test_from_round_trips (void)
{
  g_autoptr(TsrDialDelay) delay = tsr_dial_delay_new ();
  TsrPeerAddress remote = address_of ("192.0.2.1:6881");
  TsrPeerAddress lan = address_of ("192.168.1.2:6881");
  guint i;

  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 250);
  /* Nine at 60 ms, one at 90 ms: p90 (nearest rank 9 of 10) is 60 ms. */
  for (i = 0; i < 9; i++)
    tsr_dial_delay_utp_connected (delay, &remote, 60 * MS);
  tsr_dial_delay_utp_connected (delay, &remote, 90 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 120);
  /* One more slow one: rank 10 of 11 is 90 ms. */
  tsr_dial_delay_utp_connected (delay, &remote, 90 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 180);
  /* Local round trips are not samples, and local dials keep theirs. */
  for (i = 0; i < 40; i++)
    tsr_dial_delay_utp_connected (delay, &lan, 1 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 180);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &lan), ==, TSR_DIAL_DELAY_LOCAL_MS);
}

static void
test_clamped (void)
{
  g_autoptr(TsrDialDelay) delay = tsr_dial_delay_new ();
  TsrPeerAddress remote = address_of ("[2001:db8::7]:51413");
  guint i;

  tsr_dial_delay_utp_connected (delay, &remote, 5 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, TSR_DIAL_DELAY_MIN_MS);
  /* A SYN answered only after its resend: 1.2 s, more than the ceiling. */
  for (i = 0; i < 4; i++)
    tsr_dial_delay_utp_connected (delay, &remote, 1200 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, TSR_DIAL_DELAY_MAX_MS);
}

/* Only the latest TSR_DIAL_DELAY_SAMPLES count: old slow ones leave. */
static void
test_recent_only (void)
{
  g_autoptr(TsrDialDelay) delay = tsr_dial_delay_new ();
  TsrPeerAddress remote = address_of ("192.0.2.9:6881");
  guint i;

  for (i = 0; i < TSR_DIAL_DELAY_SAMPLES; i++)
    tsr_dial_delay_utp_connected (delay, &remote, 350 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 700);
  for (i = 0; i < TSR_DIAL_DELAY_SAMPLES - 1; i++)
    tsr_dial_delay_utp_connected (delay, &remote, 70 * MS);
  /* One slow sample of 32 is above the 90th percentile. */
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 140);
  tsr_dial_delay_utp_connected (delay, &remote, 70 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 140);
}

/* TSR_DIAL_DELAY_STREAK dials in a row carried by TCP halve the delay;
 * local ones do not count; a uTP connection ends the streak. */
static void
test_tcp_streak (void)
{
  g_autoptr(TsrDialDelay) delay = tsr_dial_delay_new ();
  TsrPeerAddress remote = address_of ("198.51.100.4:6881");
  TsrPeerAddress lan = address_of ("10.0.0.4:6881");
  guint i;

  for (i = 0; i < TSR_DIAL_DELAY_STREAK - 1; i++)
    tsr_dial_delay_tcp_won (delay, &remote);
  for (i = 0; i < 10; i++)
    tsr_dial_delay_tcp_won (delay, &lan);
  g_assert_cmpuint (tsr_dial_delay_get_tcp_streak (delay), ==, TSR_DIAL_DELAY_STREAK - 1);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 250);
  tsr_dial_delay_tcp_won (delay, &remote);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 125);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &lan), ==, TSR_DIAL_DELAY_LOCAL_MS);
  /* uTP worked somewhere (40 ms): 2 × 40 clamps to 100, streak over. */
  tsr_dial_delay_utp_connected (delay, &remote, 40 * MS);
  g_assert_cmpuint (tsr_dial_delay_get_tcp_streak (delay), ==, 0);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, 100);
  /* Halving never goes under the floor. */
  for (i = 0; i < TSR_DIAL_DELAY_STREAK; i++)
    tsr_dial_delay_tcp_won (delay, &remote);
  g_assert_cmpuint (tsr_dial_delay_get_ms (delay, &remote), ==, TSR_DIAL_DELAY_STREAK_MIN_MS);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dial-delay/local", test_local);
  g_test_add_func ("/dial-delay/from-round-trips", test_from_round_trips);
  g_test_add_func ("/dial-delay/clamped", test_clamped);
  g_test_add_func ("/dial-delay/recent-only", test_recent_only);
  g_test_add_func ("/dial-delay/tcp-streak", test_tcp_streak);
  return g_test_run ();
}
