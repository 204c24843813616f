/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-turnover.c: which connection makes room for a new peer: the one
 * that gave least among those connected long enough, past their
 * handshake, choked by us and not closing; and a round only once per
 * interval.
 */
#include "config.h"

#include <glib.h>

#include "tsr-turnover.h"

#define SECONDS 60

static void
fill (TsrTurnoverPeer *peers,
      guint            n,
      const guint64   *scores)
{
  guint i;

  for (i = 0; i < n; i++)
    {
      peers[i].shaken = TRUE;
      peers[i].dropping = FALSE;
      peers[i].am_choking = TRUE;
      peers[i].connected_at = 0;
      peers[i].score = scores[i];
    }
}

static void
test_picks_least_useful (void)
{
  static const guint64 scores[] = { 500, 20, 300, 20 };
  TsrTurnoverPeer peers[4];

  fill (peers, 4, scores);
  /* The first of the two that gave least. */
  g_assert_cmpint (tsr_turnover_pick (peers, 4, SECONDS, SECONDS), ==, 1);
  /* Nobody is judged before it has been connected an interval. */
  g_assert_cmpint (tsr_turnover_pick (peers, 4, SECONDS, SECONDS - 1), ==, -1);
  g_assert_cmpint (tsr_turnover_pick (peers, 0, SECONDS, SECONDS), ==, -1);
}

static void
test_spares_the_unjudged (void)
{
  static const guint64 scores[] = { 0, 0, 0, 0, 0, 900 };
  TsrTurnoverPeer peers[6];

  fill (peers, 6, scores);
  peers[0].shaken = FALSE;                 /* still handshaking */
  peers[1].dropping = TRUE;                /* going already */
  peers[2].am_choking = FALSE;             /* we upload to it */
  peers[3].connected_at = SECONDS;         /* too new */
  peers[4].connected_at = SECONDS - 1;
  g_assert_cmpint (tsr_turnover_pick (peers, 6, SECONDS, 2 * SECONDS - 1), ==, 4);
  peers[4].am_choking = FALSE;
  /* Only the one that gave most is left to judge: it goes all the same. */
  g_assert_cmpint (tsr_turnover_pick (peers, 6, SECONDS, 2 * SECONDS - 1), ==, 5);
  peers[5].shaken = FALSE;
  g_assert_cmpint (tsr_turnover_pick (peers, 6, SECONDS, 2 * SECONDS - 1), ==, -1);
}

static void
test_due_once_an_interval (void)
{
  gint64 last = 0;

  g_assert_false (tsr_turnover_due (SECONDS, &last, SECONDS - 1));
  g_assert_cmpint (last, ==, 0);
  g_assert_true (tsr_turnover_due (SECONDS, &last, SECONDS + 5));
  g_assert_cmpint (last, ==, SECONDS + 5);
  g_assert_false (tsr_turnover_due (SECONDS, &last, 2 * SECONDS + 4));
  g_assert_true (tsr_turnover_due (SECONDS, &last, 2 * SECONDS + 5));
  /* 0: turnover off. */
  g_assert_false (tsr_turnover_due (0, &last, 100 * SECONDS));
  g_assert_cmpint (last, ==, 2 * SECONDS + 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/turnover/picks-least-useful", test_picks_least_useful);
  g_test_add_func ("/turnover/spares-the-unjudged", test_spares_the_unjudged);
  g_test_add_func ("/turnover/due-once-an-interval", test_due_once_an_interval);
  return g_test_run ();
}
