/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-choker.c: tit-for-tat decisions: the best givers unchoked, snubs
 * and uninterested peers not, one optimistic unchoke kept for 30 s and
 * drawn with new peers favoured, and a seed's rotation of its slots.
 */
#include "config.h"

#include <glib.h>

#include "tsr-choker.h"

static void
fill (TsrChokerPeer *peers,
      guint          n,
      const guint64 *rates)
{
  guint i;

  for (i = 0; i < n; i++)
    {
      peers[i].id = GUINT_TO_POINTER (i + 1);
      peers[i].interested = TRUE;
      peers[i].snubbed = FALSE;
      peers[i].rate = rates[i];
      peers[i].connected_at = 0;
    }
}

static guint
count_unchoked (TsrChokerPeer *peers,
                guint          n,
                guint         *optimistic)
{
  guint count = 0;
  guint i;

  *optimistic = G_MAXUINT;
  for (i = 0; i < n; i++)
    {
      count += peers[i].unchoke;
      if (peers[i].optimistic)
        {
          g_assert_true (peers[i].unchoke);
          g_assert_cmpuint (*optimistic, ==, G_MAXUINT);
          *optimistic = i;
        }
    }
  return count;
}

static void
test_leech_rewards_givers (void)
{
  g_autoptr(TsrChoker) choker = tsr_choker_new ();
  const guint64 rates[7] = { 10, 20, 30, 40, 50, 1000, 5000 };
  TsrChokerPeer peers[7];
  guint optimistic;
  guint first;
  gint64 now;

  fill (peers, 7, rates);
  peers[5].snubbed = TRUE;        /* fast once, nothing for a minute */
  peers[6].interested = FALSE;    /* wants nothing from us */
  tsr_choker_run (choker, peers, 7, FALSE, 100);
  g_assert_cmpuint (count_unchoked (peers, 7, &optimistic), ==, 4);
  g_assert_true (peers[4].unchoke && peers[3].unchoke && peers[2].unchoke);
  g_assert_false (peers[6].unchoke);
  g_assert_true (optimistic <= 1 || optimistic == 5);
  g_assert_false (peers[4].optimistic || peers[3].optimistic || peers[2].optimistic);

  /* The optimistic one stays for three rounds... */
  first = optimistic;
  for (now = 110; now < 130; now += 10)
    {
      tsr_choker_run (choker, peers, 7, FALSE, now);
      g_assert_cmpuint (count_unchoked (peers, 7, &optimistic), ==, 4);
      g_assert_cmpuint (optimistic, ==, first);
    }
  /* ...unless it loses interest. */
  peers[first].interested = FALSE;
  tsr_choker_run (choker, peers, 7, FALSE, 130);
  g_assert_cmpuint (count_unchoked (peers, 7, &optimistic), ==, 4);
  g_assert_cmpuint (optimistic, !=, first);
  g_assert_false (peers[first].unchoke);

  /* A faster giver takes a regular slot at the next round. */
  peers[0].rate = 100;
  peers[first].interested = TRUE;
  tsr_choker_run (choker, peers, 7, FALSE, 140);
  g_assert_true (peers[0].unchoke && !peers[0].optimistic);
  g_assert_true (peers[4].unchoke && peers[3].unchoke);
  g_assert_true (!peers[2].unchoke || peers[2].optimistic);
}

static void
test_optimistic_rotates (void)
{
  g_autoptr(TsrChoker) choker = tsr_choker_new ();
  const guint64 rates[8] = { 100, 90, 80, 1, 1, 1, 1, 1 };
  TsrChokerPeer peers[8];
  gboolean chosen[8] = { FALSE };
  guint distinct = 0;
  guint optimistic;
  gint64 now;
  guint i;

  fill (peers, 8, rates);
  for (now = 0; now < 30 * 40; now += 30)
    {
      tsr_choker_run (choker, peers, 8, FALSE, now);
      g_assert_cmpuint (count_unchoked (peers, 8, &optimistic), ==, 4);
      g_assert_cmpuint (optimistic, >=, 3);
      chosen[optimistic] = TRUE;
    }
  for (i = 0; i < 8; i++)
    distinct += chosen[i];
  g_assert_cmpuint (distinct, >=, 3);
}

static void
test_new_peers_favoured (void)
{
  const guint64 rates[7] = { 100, 90, 80, 1, 1, 1, 1 };
  guint new_chosen = 0;
  guint round;

  /* Peer 3 connected just now, peers 4 to 6 long ago: by weight 3 to
   * 1 + 1 + 1 it should win half the draws, not a quarter. */
  for (round = 0; round < 2000; round++)
    {
      g_autoptr(TsrChoker) choker = tsr_choker_new ();
      TsrChokerPeer peers[7];
      guint optimistic;

      fill (peers, 7, rates);
      peers[3].connected_at = 1000;
      tsr_choker_run (choker, peers, 7, FALSE, 1010);
      g_assert_cmpuint (count_unchoked (peers, 7, &optimistic), ==, 4);
      new_chosen += optimistic == 3;
    }
  g_assert_cmpuint (new_chosen, >, 800);
  g_assert_cmpuint (new_chosen, <, 1200);
}

static void
test_seed_rotation (void)
{
  g_autoptr(TsrChoker) choker = tsr_choker_new ();
  const guint64 rates[5] = { 500, 400, 300, 20, 10 };
  TsrChokerPeer peers[5];
  guint optimistic;
  gint64 now;

  fill (peers, 5, rates);
  for (now = 0; now < 30; now += 10)
    {
      tsr_choker_run (choker, peers, 5, TRUE, now);
      g_assert_true (peers[0].unchoke && !peers[0].optimistic);
      g_assert_true (peers[1].unchoke && !peers[1].optimistic);
      g_assert_true (peers[2].unchoke && !peers[2].optimistic);
    }
  /* After three rounds the fast three have had their turn: the waiting
   * peers get regular slots, the best of the served fills the third. */
  tsr_choker_run (choker, peers, 5, TRUE, 30);
  g_assert_cmpuint (count_unchoked (peers, 5, &optimistic), ==, 4);
  g_assert_true (peers[3].unchoke && !peers[3].optimistic);
  g_assert_true (peers[4].unchoke && !peers[4].optimistic);
  g_assert_true (peers[0].unchoke && !peers[0].optimistic);
  /* Nobody is left out forever: a seed with few leechers unchokes all. */
  peers[0].interested = peers[1].interested = FALSE;
  tsr_choker_run (choker, peers, 5, TRUE, 40);
  g_assert_cmpuint (count_unchoked (peers, 5, &optimistic), ==, 3);
  g_assert_false (peers[0].unchoke || peers[1].unchoke);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/choker/leech-rewards-givers", test_leech_rewards_givers);
  g_test_add_func ("/choker/optimistic-rotates", test_optimistic_rotates);
  g_test_add_func ("/choker/new-peers-favoured", test_new_peers_favoured);
  g_test_add_func ("/choker/seed-rotation", test_seed_rotation);
  return g_test_run ();
}
