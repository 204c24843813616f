/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-swarm-limits.c: a swarm's limits. Connections: dialled ones
 * capped at 3/4 of all unless set, accepted ones at all, the session's
 * budget over both, and why an incoming one is refused. Rates: what the
 * members are charged to: the session's bucket until the first rate of
 * the torrent's own, then an own bucket under it, kept at 0 and moved
 * under new parents; the owner told each time that changes, and only
 * then.
 */
#include "config.h"

#include <glib.h>

#include "tsr-swarm-limits.h"

static void
count_changed (gpointer user_data)
{
  (*(guint *) user_data)++;
}

static const TsrSwarmLimitsFuncs funcs = {
  .changed = count_changed,
};

static void
test_parent_until_first_rate (void)
{
  g_autoptr(TsrLimiter) session_up = tsr_limiter_new (0);
  g_autoptr(TsrLimiter) session_down = tsr_limiter_new (0);
  guint changed = 0;
  TsrSwarmLimits *limits = tsr_swarm_limits_new (10, &funcs, &changed);
  TsrLimiter *own;

  g_assert_null (tsr_swarm_limits_get (limits, TRUE));
  tsr_swarm_limits_set_parents (limits, session_up, session_down);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (tsr_swarm_limits_get (limits, TRUE) == session_up);
  g_assert_true (tsr_swarm_limits_get (limits, FALSE) == session_down);
  /* No rate of its own: no bucket, nothing to charge again. */
  tsr_swarm_limits_set_rates (limits, 0, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 0);

  tsr_swarm_limits_set_rates (limits, 0, 1000);
  g_assert_cmpuint (changed, ==, 2);
  own = tsr_swarm_limits_get (limits, FALSE);
  g_assert_true (own != session_down);
  g_assert_cmpuint (tsr_limiter_get_rate (own), ==, 1000);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 1000);
  g_assert_true (tsr_swarm_limits_get (limits, TRUE) == session_up);
  /* A new rate on the same bucket: the members keep theirs. */
  tsr_swarm_limits_set_rates (limits, 0, 2000);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_true (tsr_swarm_limits_get (limits, FALSE) == own);
  /* Back to 0: kept, unlimited, passing through to the session's. */
  tsr_swarm_limits_set_rates (limits, 0, 0);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_true (tsr_swarm_limits_get (limits, FALSE) == own);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 0);
  tsr_swarm_limits_free (limits);
}

/* The own bucket is charged through to the parent it is under now. */
static void
test_own_moves_under_new_parent (void)
{
  g_autoptr(TsrLimiter) first = tsr_limiter_new (1);
  g_autoptr(TsrLimiter) second = tsr_limiter_new (1);
  guint changed = 0;
  TsrSwarmLimits *limits = tsr_swarm_limits_new (10, &funcs, &changed);
  TsrLimiter *own;

  tsr_swarm_limits_set_rates (limits, 500, 0);
  g_assert_cmpuint (changed, ==, 1);
  own = tsr_swarm_limits_get (limits, TRUE);
  g_assert_nonnull (own);
  tsr_swarm_limits_set_parents (limits, first, NULL);
  tsr_swarm_limits_set_parents (limits, second, NULL);
  g_assert_cmpuint (changed, ==, 3);
  g_assert_true (tsr_swarm_limits_get (limits, TRUE) == own);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, TRUE), ==, 500);
  g_assert_null (tsr_swarm_limits_get (limits, FALSE));
  tsr_limiter_consume (own, 100);
  g_assert_cmpuint (tsr_limiter_wait_ms (second), >, 0);
  g_assert_cmpuint (tsr_limiter_wait_ms (first), ==, 0);
  tsr_swarm_limits_free (limits);
}

static void
test_connection_caps (void)
{
  g_autoptr(TsrBudget) budget = tsr_budget_new (1);
  guint changed = 0;
  TsrSwarmLimits *limits = tsr_swarm_limits_new (8, &funcs, &changed);

  /* Dialled: 3/4 of all by default; accepted: all. */
  g_assert_cmpuint (tsr_swarm_limits_dial_limit (limits), ==, 6);
  g_assert_cmpuint (tsr_swarm_limits_accept_limit (limits), ==, 8);
  g_assert_true (tsr_swarm_limits_may_dial (limits, 7, 5));
  g_assert_false (tsr_swarm_limits_may_dial (limits, 7, 6));
  g_assert_false (tsr_swarm_limits_may_dial (limits, 8, 0));
  g_assert_null (tsr_swarm_limits_refuse (limits, 7, 3));
  g_assert_cmpstr (tsr_swarm_limits_refuse (limits, 8, 0), ==, "Too many connections for this torrent");

  tsr_swarm_limits_set_max (limits, 8, 2, 3);
  g_assert_cmpuint (tsr_swarm_limits_get_max_dialed (limits), ==, 2);
  g_assert_cmpuint (tsr_swarm_limits_get_max_accepted (limits), ==, 3);
  g_assert_false (tsr_swarm_limits_may_dial (limits, 2, 2));
  g_assert_nonnull (tsr_swarm_limits_refuse (limits, 3, 3));
  g_assert_null (tsr_swarm_limits_refuse (limits, 3, 2));
  /* Even at 1, one may be dialled. */
  tsr_swarm_limits_set_max (limits, 1, 0, 0);
  g_assert_cmpuint (tsr_swarm_limits_dial_limit (limits), ==, 1);
  g_assert_true (tsr_swarm_limits_may_dial (limits, 0, 0));

  /* The session's budget, spent elsewhere. */
  tsr_swarm_limits_set_max (limits, 8, 0, 0);
  tsr_swarm_limits_set_budget (limits, budget);
  g_assert_true (tsr_swarm_limits_get_budget (limits) == budget);
  tsr_budget_take (budget);
  g_assert_false (tsr_swarm_limits_may_dial (limits, 0, 0));
  g_assert_cmpstr (tsr_swarm_limits_refuse (limits, 0, 0), ==, "Too many connections in all");
  tsr_budget_give (budget);
  g_assert_true (tsr_swarm_limits_may_dial (limits, 0, 0));
  g_assert_cmpuint (changed, ==, 0);
  tsr_swarm_limits_free (limits);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/swarm-limits/connection-caps", test_connection_caps);
  g_test_add_func ("/swarm-limits/parent-until-first-rate", test_parent_until_first_rate);
  g_test_add_func ("/swarm-limits/own-moves-under-new-parent", test_own_moves_under_new_parent);
  return g_test_run ();
}
