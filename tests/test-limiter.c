/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-limiter.c: token buckets, alone and chained (a torrent's bucket
 * drawing on the session's): what is consumed is charged to both, and
 * the wait is the longer of the two.
 */
#include "config.h"

#include <glib.h>

#include "tsr-limiter.h"

static void
test_single (void)
{
  g_autoptr(TsrLimiter) limiter = tsr_limiter_new (1000);
  guint wait;

  g_assert_cmpuint (tsr_limiter_wait_ms (limiter), ==, 0);
  tsr_limiter_consume (limiter, 500);
  wait = tsr_limiter_wait_ms (limiter);
  /* 500 bytes of debt at 1000 bytes a second. */
  g_assert_cmpuint (wait, >=, 400);
  g_assert_cmpuint (wait, <=, 501);
  /* In debt: nothing may go out without waiting. */
  g_assert_cmpuint (tsr_limiter_get_allowance (limiter), ==, 0);
  tsr_limiter_set_rate (limiter, 0);
  g_assert_cmpuint (tsr_limiter_wait_ms (limiter), ==, 0);
  g_assert_cmpuint (tsr_limiter_get_allowance (limiter), ==, G_MAXUINT64);
  tsr_limiter_consume (limiter, 1 << 30);
  g_assert_cmpuint (tsr_limiter_wait_ms (limiter), ==, 0);
}

static void
test_chained (void)
{
  TsrLimiter *session = tsr_limiter_new (1000);
  g_autoptr(TsrLimiter) torrent = tsr_limiter_new (0);
  g_autoptr(TsrLimiter) other = tsr_limiter_new (0);
  guint wait;

  tsr_limiter_set_parent (torrent, session);
  tsr_limiter_set_parent (other, session);
  /* The child keeps its parent alive. */
  tsr_limiter_unref (session);

  /* No limit of its own: the session's bucket decides, for both. */
  tsr_limiter_consume (torrent, 1000);
  wait = tsr_limiter_wait_ms (torrent);
  g_assert_cmpuint (wait, >=, 900);
  g_assert_cmpuint (wait, <=, 1000);
  g_assert_cmpuint (tsr_limiter_wait_ms (other), >=, 900);

  /* A tighter limit of its own wins over a generous session's. */
  {
    g_autoptr(TsrLimiter) fast = tsr_limiter_new (1000 * 1000 * 1000);
    g_autoptr(TsrLimiter) slow = tsr_limiter_new (100);

    tsr_limiter_set_parent (slow, fast);
    tsr_limiter_consume (slow, 50);
    wait = tsr_limiter_wait_ms (slow);
    g_assert_cmpuint (wait, >=, 400);
    g_assert_cmpuint (wait, <=, 501);
    g_assert_cmpuint (tsr_limiter_wait_ms (fast), <=, 1);
    /* A quarter second's worth refills, at most: no burst after a pause. */
    g_usleep (300 * 1000);
    g_assert_cmpuint (tsr_limiter_get_allowance (slow), ==, 0);   /* 50 owed, 30 back */
    g_usleep (600 * 1000);
    g_assert_cmpuint (tsr_limiter_get_allowance (slow), ==, 25);  /* capped */
  }
  /* Detached, only its own bucket counts. */
  tsr_limiter_set_parent (torrent, NULL);
  g_assert_cmpuint (tsr_limiter_wait_ms (torrent), ==, 0);
}

/* No bucket until a rate: 0 leaves it NULL; the first rate makes it,
 * under the parent; later calls change it and never make another. */
static void
test_own_rate (void)
{
  g_autoptr(TsrLimiter) session = tsr_limiter_new (1);
  g_autoptr(TsrLimiter) other = tsr_limiter_new (0);
  g_autoptr(TsrLimiter) own = NULL;
  TsrLimiter *made;

  g_assert_false (tsr_limiter_set_own_rate (&own, session, 0));
  g_assert_null (own);
  g_assert_true (tsr_limiter_set_own_rate (&own, session, 1000));
  g_assert_nonnull (own);
  g_assert_cmpuint (tsr_limiter_get_rate (own), ==, 1000);
  /* Charged through it, the parent is charged too. */
  tsr_limiter_consume (own, 100);
  g_assert_cmpuint (tsr_limiter_wait_ms (session), >, 0);
  made = own;
  g_assert_false (tsr_limiter_set_own_rate (&own, other, 0));
  g_assert_true (own == made);
  g_assert_cmpuint (tsr_limiter_get_rate (own), ==, 0);
  /* Now under the other parent, which has no limit: no wait. */
  g_assert_cmpuint (tsr_limiter_wait_ms (own), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limiter/single", test_single);
  g_test_add_func ("/limiter/chained", test_chained);
  g_test_add_func ("/limiter/own-rate", test_own_rate);
  return g_test_run ();
}
