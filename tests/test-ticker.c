/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-ticker.c: the process-wide once-a-second timer: periods, the
 * first call one period after adding, a tick removing itself or another
 * during a round, a tick added during a round, and the timer gone when
 * nothing is registered.
 */
#include "config.h"

#include <glib.h>

#include "tsr-ticker.h"

typedef struct
{
  guint    calls;
  TsrTick *self;       /* removed at its second call, if set */
  TsrTick *other;      /* removed at its first call, if set */
  TsrTick *added;      /* made at its first call */
  guint    added_calls;
} Counter;

static void
on_added (gpointer user_data)
{
  Counter *counter = user_data;

  counter->added_calls++;
}

static void
on_tick (gpointer user_data)
{
  Counter *counter = user_data;

  counter->calls++;
  if (counter->other != NULL)
    g_clear_pointer (&counter->other, tsr_ticker_remove);
  if (counter->self != NULL && counter->calls == 2)
    g_clear_pointer (&counter->self, tsr_ticker_remove);
  if (counter->calls == 1 && counter->added == NULL && counter->added_calls == 0 && counter->self == NULL &&
      counter->other == NULL)
    counter->added = tsr_ticker_add (1, on_added, counter);
}

/* Runs the main context until @calls reaches @target: the assertions
 * count rounds, not seconds, so a loaded machine that fires the timer
 * late changes nothing. A timer that stops firing fails at a deadline
 * that is far beyond any real delay. */
static void
run_until_calls (const guint *calls,
                 guint        target)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*calls < target)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("%u of %u rounds in 30 s: the timer stopped", *calls, target);
          return;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static void
test_periods (void)
{
  Counter every = { 0 };
  Counter third = { .added_calls = 1 };   /* adds nothing */
  TsrTick *a = tsr_ticker_add (1, on_tick, &every);
  TsrTick *b = tsr_ticker_add (3, on_tick, &third);

  /* Four rounds: the 3-second tick ran in the third only. */
  run_until_calls (&every.calls, 4);
  g_assert_cmpuint (every.calls, ==, 4);
  g_assert_cmpuint (third.calls, ==, 1);
  /* The tick added during the first round ran from the next one on. */
  g_assert_nonnull (every.added);
  g_assert_cmpuint (every.added_calls, ==, 3);
  tsr_ticker_remove (every.added);
  tsr_ticker_remove (a);
  tsr_ticker_remove (b);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, 0);
}

static void
test_removal_during_round (void)
{
  Counter victim = { 0 };
  Counter killer = { 0 };
  Counter quitter = { 0 };
  TsrTick *tick;

  victim.added_calls = 1;   /* adds nothing */
  killer.added_calls = 1;
  /* Added first, so that it runs before the tick it removes. */
  killer.other = tsr_ticker_add (1, on_tick, &victim);
  quitter.self = tsr_ticker_add (1, on_tick, &quitter);
  tick = tsr_ticker_add (1, on_tick, &killer);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, 3);
  run_until_calls (&killer.calls, 4);
  /* The victim ran in the first round only (before its killer), the
   * quitter twice, the killer every round. */
  g_assert_cmpuint (victim.calls, ==, 1);
  g_assert_cmpuint (quitter.calls, ==, 2);
  g_assert_cmpuint (killer.calls, ==, 4);
  g_assert_null (killer.other);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, 1);
  tsr_ticker_remove (tick);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ticker/periods", test_periods);
  g_test_add_func ("/ticker/removal-during-round", test_removal_during_round);
  return g_test_run ();
}
