/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-pool.c: the address book's dial order, back-off, capacity
 * and bans that end, with the clock passed in.
 */
#include "config.h"

#include <glib.h>

#include "tsr-peer-pool.h"

/* @text parsed, in a ring of slots that outlive one assertion. */
static const TsrPeerAddress *
A (const char *text)
{
  static TsrPeerAddress ring[8];
  static guint next;
  TsrPeerAddress *slot = &ring[next++ % G_N_ELEMENTS (ring)];

  g_assert_true (tsr_peer_address_parse (text, slot));
  return slot;
}

/* @address as text (NULL for NULL), likewise. */
static const char *
S (const TsrPeerAddress *address)
{
  static char ring[8][64];
  static guint next;
  g_autofree char *text = NULL;
  char *slot = ring[next++ % G_N_ELEMENTS (ring)];

  if (address == NULL)
    return NULL;
  text = tsr_peer_address_to_string (address);
  g_strlcpy (slot, text, sizeof ring[0]);
  return slot;
}

static void
test_take_order (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (100);

  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.1:1"), TSR_PEER_SOURCE_TRACKER, 100));
  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.2:2"), TSR_PEER_SOURCE_TRACKER, 100));
  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.3:3"), TSR_PEER_SOURCE_USER, 100));
  g_assert_false (tsr_peer_pool_add (pool, A ("10.0.0.1:1"), TSR_PEER_SOURCE_TRACKER, 101));
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 3);

  /* The user's address first, and only it when user_only. */
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, 100, TRUE), ==, 1);
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 100, TRUE)), ==, "10.0.0.3:3");
  g_assert_null (tsr_peer_pool_take (pool, 100, TRUE));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 1);

  /* A failure sends the first tracker address behind the other. */
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 100, FALSE)), ==, "10.0.0.1:1");
  g_assert_cmpint (tsr_peer_pool_failed (pool, A ("10.0.0.1:1"), 100), ==, 101 + TSR_PEER_POOL_BACKOFF);
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, 100, FALSE), ==, 1);
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 100, FALSE)), ==, "10.0.0.2:2");
  g_assert_null (tsr_peer_pool_take (pool, 100, FALSE));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 2);

  /* Connected addresses are not dialled; closed ones wait a minute. */
  tsr_peer_pool_connected (pool, A ("10.0.0.2:2"), 101);
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 1);
  tsr_peer_pool_closed (pool, A ("10.0.0.2:2"), 200);
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, 200 + TSR_PEER_POOL_REDIAL - 1, FALSE), ==, 1);
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, 200 + TSR_PEER_POOL_REDIAL, FALSE), ==, 2);

  /* Stopping drops every dial and connection at once. */
  tsr_peer_pool_reset (pool);
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 0);
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 1000, TRUE)), ==, "10.0.0.3:3");
}

static void
test_backoff (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);
  gint64 now = 1000;
  gint64 expected = TSR_PEER_POOL_BACKOFF;
  guint i;

  tsr_peer_pool_add (pool, A ("[::1]:6881"), TSR_PEER_SOURCE_TRACKER, now);
  for (i = 0; i < 12; i++)
    {
      gint64 next;

      g_assert_cmpstr (S (tsr_peer_pool_take (pool, now, FALSE)), ==, "[::1]:6881");
      next = tsr_peer_pool_failed (pool, A ("[::1]:6881"), now);
      g_assert_cmpint (next - now, ==, 1 + MIN (expected, TSR_PEER_POOL_MAX_BACKOFF));
      g_assert_null (tsr_peer_pool_take (pool, next - 1, FALSE));
      now = next;
      expected *= 2;
    }
  /* A handshake forgets the failures. */
  g_assert_nonnull (tsr_peer_pool_take (pool, now, FALSE));
  tsr_peer_pool_connected (pool, A ("[::1]:6881"), now);
  tsr_peer_pool_closed (pool, A ("[::1]:6881"), now);
  g_assert_nonnull (tsr_peer_pool_take (pool, now + TSR_PEER_POOL_REDIAL, FALSE));
  g_assert_cmpint (tsr_peer_pool_failed (pool, A ("[::1]:6881"), now), ==, now + 1 + TSR_PEER_POOL_BACKOFF);

  /* The user's addresses are retried sooner and never left for long. */
  tsr_peer_pool_add (pool, A ("10.1.1.1:1"), TSR_PEER_SOURCE_USER, now);
  expected = TSR_PEER_POOL_USER_BACKOFF;
  for (i = 0; i < 8; i++)
    {
      gint64 next;

      g_assert_cmpstr (S (tsr_peer_pool_take (pool, now, TRUE)), ==, "10.1.1.1:1");
      next = tsr_peer_pool_failed (pool, A ("10.1.1.1:1"), now);
      g_assert_cmpint (next - now, ==, 1 + MIN (expected, TSR_PEER_POOL_USER_MAX_BACKOFF));
      now = next;
      expected *= 2;
    }
}

/* Seconds are rounded down, so a dial that failed during second 100 (at
 * 100.9, perhaps) is not given again before 101 + the back-off. */
static void
test_backoff_never_shorter (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);

  tsr_peer_pool_add (pool, A ("10.0.0.1:1"), TSR_PEER_SOURCE_TRACKER, 100);
  g_assert_nonnull (tsr_peer_pool_take (pool, 100, FALSE));
  g_assert_cmpint (tsr_peer_pool_failed (pool, A ("10.0.0.1:1"), 100), ==, 101 + TSR_PEER_POOL_BACKOFF);
  g_assert_null (tsr_peer_pool_take (pool, 100 + TSR_PEER_POOL_BACKOFF, FALSE));
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 101 + TSR_PEER_POOL_BACKOFF, FALSE)), ==, "10.0.0.1:1");

  g_assert_cmpint (tsr_peer_pool_failed (pool, A ("10.0.0.1:1"), 200), ==, 201 + 2 * TSR_PEER_POOL_BACKOFF);
}

static void
test_capacity (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (2);

  g_assert_true (tsr_peer_pool_add (pool, A ("1.1.1.1:1"), TSR_PEER_SOURCE_TRACKER, 0));
  g_assert_true (tsr_peer_pool_add (pool, A ("2.2.2.2:2"), TSR_PEER_SOURCE_TRACKER, 0));
  /* Full of untried addresses: the newcomer waits its turn. */
  g_assert_false (tsr_peer_pool_add (pool, A ("3.3.3.3:3"), TSR_PEER_SOURCE_TRACKER, 0));
  /* One that failed makes room... */
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 0, FALSE)), !=, NULL);
  tsr_peer_pool_failed (pool, A ("1.1.1.1:1"), 0);
  tsr_peer_pool_failed (pool, A ("2.2.2.2:2"), 0);
  g_assert_true (tsr_peer_pool_add (pool, A ("3.3.3.3:3"), TSR_PEER_SOURCE_TRACKER, 0));
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 2);
  /* ...and the user's addresses are always taken. */
  g_assert_true (tsr_peer_pool_add (pool, A ("4.4.4.4:4"), TSR_PEER_SOURCE_USER, 0));
  g_assert_true (tsr_peer_pool_add (pool, A ("5.5.5.5:5"), TSR_PEER_SOURCE_USER, 0));
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), >=, 3);
}

static void
test_shrink (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (100);
  char address[32];
  guint i;

  for (i = 0; i < 10; i++)
    {
      g_snprintf (address, sizeof address, "10.0.0.%u:1", i);
      g_assert_true (tsr_peer_pool_add (pool, A (address), TSR_PEER_SOURCE_PEX, 100 + i));
    }
  g_assert_true (tsr_peer_pool_add (pool, A ("10.9.9.9:9"), TSR_PEER_SOURCE_USER, 0));
  /* One failed, one is being dialled. */
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 200, FALSE)), ==, "10.9.9.9:9");
  tsr_peer_pool_failed (pool, A ("10.9.9.9:9"), 200);
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 200, FALSE)), ==, "10.0.0.9:1");
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 200, FALSE)), ==, "10.0.0.8:1");
  tsr_peer_pool_failed (pool, A ("10.0.0.8:1"), 200);

  /* Down to 4: the user's and the dialled one stay; of the idle, the
   * failed one goes first, then those seen longest ago. */
  tsr_peer_pool_set_capacity (pool, 4);
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 4);
  g_assert_true (tsr_peer_pool_get_source (pool, A ("10.9.9.9:9"), &(TsrPeerSource){ 0 }));
  g_assert_true (tsr_peer_pool_get_source (pool, A ("10.0.0.9:1"), &(TsrPeerSource){ 0 }));
  g_assert_true (tsr_peer_pool_get_source (pool, A ("10.0.0.7:1"), &(TsrPeerSource){ 0 }));
  g_assert_true (tsr_peer_pool_get_source (pool, A ("10.0.0.6:1"), &(TsrPeerSource){ 0 }));
  g_assert_false (tsr_peer_pool_get_source (pool, A ("10.0.0.8:1"), &(TsrPeerSource){ 0 }));
  g_assert_false (tsr_peer_pool_get_source (pool, A ("10.0.0.5:1"), &(TsrPeerSource){ 0 }));
  /* Held there: a newcomer waits while the rest are untried. */
  g_assert_false (tsr_peer_pool_add (pool, A ("10.1.1.1:1"), TSR_PEER_SOURCE_TRACKER, 300));
  /* Growing again keeps everything. */
  tsr_peer_pool_set_capacity (pool, 100);
  g_assert_true (tsr_peer_pool_add (pool, A ("10.1.1.1:1"), TSR_PEER_SOURCE_TRACKER, 300));
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 5);

  /* Forgetting spares the user's and the one being dialled. */
  g_assert_true (tsr_peer_pool_forget (pool, A ("10.1.1.1:1")));
  g_assert_false (tsr_peer_pool_forget (pool, A ("10.1.1.1:1")));
  g_assert_false (tsr_peer_pool_forget (pool, A ("10.9.9.9:9")));
  g_assert_false (tsr_peer_pool_forget (pool, A ("10.0.0.9:1")));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 1);
  tsr_peer_pool_closed (pool, A ("10.0.0.9:1"), 300);
  g_assert_true (tsr_peer_pool_forget (pool, A ("10.0.0.9:1")));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 0);
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 3);
}

static void
test_bans (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);
  g_autoptr(GPtrArray) bans = NULL;
  TsrPeerBan *ban;

  tsr_peer_pool_add (pool, A ("10.0.0.1:1"), TSR_PEER_SOURCE_USER, 0);
  tsr_peer_pool_ban (pool, A ("10.0.0.1:1"), "sent garbage", 10, 100);
  tsr_peer_pool_ban (pool, A ("10.0.0.2:2"), "lied", 10, 50);
  g_assert_cmpstr (tsr_peer_pool_get_ban (pool, A ("10.0.0.1:1"), 50), ==, "sent garbage");
  g_assert_null (tsr_peer_pool_get_ban (pool, A ("10.0.0.3:3"), 50));
  /* A banned address is neither dialled nor learned. */
  g_assert_null (tsr_peer_pool_take (pool, 50, FALSE));
  g_assert_false (tsr_peer_pool_add (pool, A ("10.0.0.2:2"), TSR_PEER_SOURCE_TRACKER, 50));

  bans = tsr_peer_pool_dup_bans (pool, 50);
  g_assert_cmpuint (bans->len, ==, 2);
  ban = g_ptr_array_index (bans, 0);
  g_assert_cmpstr (ban->address, ==, "10.0.0.2:2");
  g_assert_cmpstr (ban->reason, ==, "lied");
  g_assert_cmpint (ban->until, ==, 60);
  g_clear_pointer (&bans, g_ptr_array_unref);

  /* Bans end by themselves. */
  bans = tsr_peer_pool_dup_bans (pool, 60);
  g_assert_cmpuint (bans->len, ==, 1);
  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.2:2"), TSR_PEER_SOURCE_TRACKER, 60));
  g_assert_null (tsr_peer_pool_take (pool, 109, TRUE));
  g_assert_null (tsr_peer_pool_get_ban (pool, A ("10.0.0.1:1"), 110));
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 110, TRUE)), ==, "10.0.0.1:1");

  /* Cleared by hand. */
  tsr_peer_pool_ban (pool, A ("10.0.0.2:2"), "lied", 200, 50);
  g_assert_nonnull (tsr_peer_pool_get_ban (pool, A ("10.0.0.2:2"), 210));
  tsr_peer_pool_clear_bans (pool);
  g_assert_null (tsr_peer_pool_get_ban (pool, A ("10.0.0.2:2"), 210));
  g_clear_pointer (&bans, g_ptr_array_unref);
  bans = tsr_peer_pool_dup_bans (pool, 210);
  g_assert_cmpuint (bans->len, ==, 0);
}

/* A host ban (port 0) names the host alone and is found only as the
 * host; URL bans (web seeds) sit beside address bans. */
static void
test_host_and_url_bans (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);
  g_autoptr(GPtrArray) bans = NULL;
  TsrPeerAddress host = tsr_peer_address_get_host (A ("[2001:db8::5]:6881"));

  tsr_peer_pool_ban (pool, &host, "sent garbage", 0, 100);
  g_assert_cmpstr (tsr_peer_pool_get_ban (pool, &host, 10), ==, "sent garbage");
  g_assert_null (tsr_peer_pool_get_ban (pool, A ("[2001:db8::5]:6881"), 10));
  tsr_peer_pool_ban_url (pool, "http://seed.example/f", "corrupt", 0, 50);
  g_assert_cmpstr (tsr_peer_pool_get_url_ban (pool, "http://seed.example/f", 10), ==, "corrupt");
  g_assert_null (tsr_peer_pool_get_url_ban (pool, "http://seed.example/g", 10));

  bans = tsr_peer_pool_dup_bans (pool, 10);
  g_assert_cmpuint (bans->len, ==, 2);
  g_assert_cmpstr (((TsrPeerBan *) g_ptr_array_index (bans, 0))->address, ==, "http://seed.example/f");
  g_assert_cmpstr (((TsrPeerBan *) g_ptr_array_index (bans, 1))->address, ==, "[2001:db8::5]");
  g_clear_pointer (&bans, g_ptr_array_unref);

  g_assert_null (tsr_peer_pool_get_url_ban (pool, "http://seed.example/f", 50));
  tsr_peer_pool_clear_bans (pool);
  g_assert_null (tsr_peer_pool_get_ban (pool, &host, 10));
  bans = tsr_peer_pool_dup_bans (pool, 10);
  g_assert_cmpuint (bans->len, ==, 0);
}

/* Two spellings of one peer are one entry. */
static void
test_mapped_is_one_peer (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);

  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.7:6881"), TSR_PEER_SOURCE_TRACKER, 0));
  g_assert_false (tsr_peer_pool_add (pool, A ("[::ffff:10.0.0.7]:6881"), TSR_PEER_SOURCE_PEX, 0));
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 1);
}

/* An address that turned out to be our own is dropped while being
 * dialled and never learned again, from any source. */
static void
test_self (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);

  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.9:6881"), TSR_PEER_SOURCE_TRACKER, 0));
  g_assert_cmpstr (S (tsr_peer_pool_take (pool, 0, FALSE)), ==, "10.0.0.9:6881");
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 1);
  tsr_peer_pool_mark_self (pool, A ("10.0.0.9:6881"));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 0);
  g_assert_cmpuint (tsr_peer_pool_get_size (pool), ==, 0);
  g_assert_false (tsr_peer_pool_add (pool, A ("10.0.0.9:6881"), TSR_PEER_SOURCE_TRACKER, 100));
  g_assert_false (tsr_peer_pool_add (pool, A ("10.0.0.9:6881"), TSR_PEER_SOURCE_USER, 100));
  g_assert_null (tsr_peer_pool_take (pool, 100000, FALSE));
  /* Nothing else is affected. */
  g_assert_true (tsr_peer_pool_add (pool, A ("10.0.0.9:6882"), TSR_PEER_SOURCE_TRACKER, 100));
}

/* BEP 55: a relay's connect is dialled at once, whatever the back-off;
 * never twice at a time, never a banned or unknown address. */
static void
test_take_address (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);
  gint64 now = 1000;

  g_assert_false (tsr_peer_pool_take_address (pool, A ("10.0.0.9:6881"), now));
  tsr_peer_pool_add (pool, A ("10.0.0.2:6881"), TSR_PEER_SOURCE_PEX, now);
  g_assert_nonnull (tsr_peer_pool_take (pool, now, FALSE));
  tsr_peer_pool_failed (pool, A ("10.0.0.2:6881"), now);
  /* Backing off: take gives nothing, take_address does. */
  g_assert_null (tsr_peer_pool_take (pool, now + 1, FALSE));
  g_assert_true (tsr_peer_pool_take_address (pool, A ("10.0.0.2:6881"), now + 1));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 1);
  /* Being dialled already. */
  g_assert_false (tsr_peer_pool_take_address (pool, A ("10.0.0.2:6881"), now + 1));
  tsr_peer_pool_failed (pool, A ("10.0.0.2:6881"), now + 1);
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 0);
  tsr_peer_pool_ban (pool, A ("10.0.0.2:6881"), "test", now + 1, 60);
  g_assert_false (tsr_peer_pool_take_address (pool, A ("10.0.0.2:6881"), now + 2));
}

/* Past the back-off once a TSR_PEER_POOL_PUNCH_GAP per address, however
 * many connects name it; once the back-off is over, as often as take. */
static void
test_take_address_gap (void)
{
  g_autoptr(TsrPeerPool) pool = tsr_peer_pool_new (10);
  const TsrPeerAddress *b = A ("10.0.0.3:6881");
  gint64 now = 1000;
  gint64 next = now;
  gint64 t;
  guint i;

  tsr_peer_pool_add (pool, b, TSR_PEER_SOURCE_PEX, now);
  /* Each time its back-off is over: a plain take, no punch spent. */
  for (i = 0; i < 4; i++)
    {
      now = next;
      g_assert_true (tsr_peer_pool_take_address (pool, b, now));
      next = tsr_peer_pool_failed (pool, b, now);
    }
  /* Four failures: 15 × 2^3 s, longer than the gap. */
  g_assert_cmpint (next - now, >, TSR_PEER_POOL_PUNCH_GAP + 2);
  g_assert_null (tsr_peer_pool_take (pool, now + 1, FALSE));
  /* A relay's connect: past the back-off, once. */
  g_assert_true (tsr_peer_pool_take_address (pool, b, now + 1));
  next = tsr_peer_pool_failed (pool, b, now + 1);
  for (t = now + 2; t < now + 1 + TSR_PEER_POOL_PUNCH_GAP; t++)
    g_assert_false (tsr_peer_pool_take_address (pool, b, t));
  g_assert_cmpuint (tsr_peer_pool_get_n_dialing (pool), ==, 0);
  /* The gap over and still backing off: one more, then the gap again. */
  t = now + 1 + TSR_PEER_POOL_PUNCH_GAP;
  g_assert_cmpint (next, >, t);
  g_assert_true (tsr_peer_pool_take_address (pool, b, t));
  next = tsr_peer_pool_failed (pool, b, t);
  g_assert_false (tsr_peer_pool_take_address (pool, b, t + 1));
  /* Its back-off over, no gap holds it. */
  g_assert_true (tsr_peer_pool_take_address (pool, b, next));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-pool/take-order", test_take_order);
  g_test_add_func ("/peer-pool/backoff", test_backoff);
  g_test_add_func ("/peer-pool/take-address", test_take_address);
  g_test_add_func ("/peer-pool/take-address-gap", test_take_address_gap);
  g_test_add_func ("/peer-pool/backoff-never-shorter", test_backoff_never_shorter);
  g_test_add_func ("/peer-pool/capacity", test_capacity);
  g_test_add_func ("/peer-pool/shrink", test_shrink);
  g_test_add_func ("/peer-pool/bans", test_bans);
  g_test_add_func ("/peer-pool/host-and-url-bans", test_host_and_url_bans);
  g_test_add_func ("/peer-pool/mapped-is-one-peer", test_mapped_is_one_peer);
  g_test_add_func ("/peer-pool/self", test_self);
  return g_test_run ();
}
