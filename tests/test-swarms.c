/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-swarms.c: the tracker server's swarm store: announce bookkeeping,
 * the peers handed out (fair, bounded work, never the requester, no
 * seeders to seeders), expiry with a moving clock, the whitelist, the cap,
 * counters against a recount, the state image and memory per peer.
 */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "tsr-swarms.h"
#include "tsr-swarms-private.h"

static void
make_hash (guint    n,
           guint8   hash[20])
{
  guint i;

  for (i = 0; i < 20; i++)
    hash[i] = (guint8) (n * 31 + i * 7 + (n >> 8));
  hash[0] = n & 0xff;
  hash[1] = (n >> 8) & 0xff;
  hash[2] = (n >> 16) & 0xff;
}

/* Peer @n: 10.x.y.z:(6881 + n % 7), or fd00::n when @v6. */
static TsrPeerAddress
make_peer (guint    n,
           gboolean v6)
{
  TsrPeerAddress peer = { 0 };

  peer.port = 6881 + n % 7;
  if (v6)
    {
      peer.family = 6;
      peer.address[0] = 0xfd;
      peer.address[12] = (n >> 24) & 0xff;
      peer.address[13] = (n >> 16) & 0xff;
      peer.address[14] = (n >> 8) & 0xff;
      peer.address[15] = n & 0xff;
    }
  else
    {
      peer.family = 4;
      peer.address[0] = 10;
      peer.address[1] = (n >> 16) & 0xff;
      peer.address[2] = (n >> 8) & 0xff;
      peer.address[3] = n & 0xff;
    }
  return peer;
}

static gboolean
same_peer (const TsrPeerAddress *a,
           const TsrPeerAddress *b)
{
  return a->family == b->family && a->port == b->port &&
         memcmp (a->address, b->address, a->family == 4 ? 4 : 16) == 0;
}

static GArray *
peers_new (void)
{
  return g_array_new (FALSE, TRUE, sizeof (TsrPeerAddress));
}

/* Announces and checks the result is OK; returns the peers handed out. */
static GArray *
announce (TsrSwarms        *swarms,
          const guint8     *hash,
          guint             n,
          guint64           left,
          TsrAnnounceEvent  event,
          guint             numwant,
          guint32           now)
{
  TsrPeerAddress peer = make_peer (n, FALSE);
  GArray *out = peers_new ();

  g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, left, event, numwant, now,
                                        out, NULL, NULL), ==, TSR_SWARMS_OK);
  return out;
}

static void
announce_quiet (TsrSwarms        *swarms,
                const guint8     *hash,
                guint             n,
                guint64           left,
                TsrAnnounceEvent  event,
                guint32           now)
{
  g_array_unref (announce (swarms, hash, n, left, event, 0, now));
}

static void
assert_counters_exact (TsrSwarms *swarms)
{
  TsrSwarmsStats stats;
  TsrSwarmsStats recount;

  tsr_swarms_get_stats (swarms, &stats);
  g_assert_true (_tsr_swarms_recount (swarms, &recount));
  g_assert_cmpuint (stats.swarms, ==, recount.swarms);
  g_assert_cmpuint (stats.peers, ==, recount.peers);
  g_assert_cmpuint (stats.seeders, ==, recount.seeders);
  g_assert_cmpuint (stats.leechers, ==, recount.leechers);
  g_assert_cmpuint (stats.seeders + stats.leechers, ==, stats.peers);
}

static void
assert_scrape (TsrSwarms    *swarms,
               const guint8 *hash,
               guint         complete,
               guint         incomplete,
               guint         downloaded)
{
  guint c = 0, i = 0, d = 0;

  g_assert_true (tsr_swarms_scrape (swarms, hash, &c, &i, &d));
  g_assert_cmpuint (c, ==, complete);
  g_assert_cmpuint (i, ==, incomplete);
  g_assert_cmpuint (d, ==, downloaded);
}

static void
test_announce_counts (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  TsrPeerAddress peer = make_peer (1, FALSE);
  g_autoptr(GArray) out = peers_new ();
  TsrSwarmsStats stats;
  guint8 hash[20], other[20];
  guint complete = 99, incomplete = 99;

  make_hash (1, hash);
  make_hash (2, other);

  /* A stop for a swarm nobody announced creates nothing. */
  g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, 10, TSR_ANNOUNCE_EVENT_STOPPED, 50, 1,
                                        out, &complete, &incomplete), ==, TSR_SWARMS_OK);
  g_assert_cmpuint (complete + incomplete, ==, 0);
  g_assert_false (tsr_swarms_scrape (swarms, hash, NULL, NULL, NULL));

  g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, 10, TSR_ANNOUNCE_EVENT_STARTED, 50, 1,
                                        out, &complete, &incomplete), ==, TSR_SWARMS_OK);
  g_assert_cmpuint (complete, ==, 0);
  g_assert_cmpuint (incomplete, ==, 1);
  g_assert_cmpuint (out->len, ==, 0);
  announce_quiet (swarms, hash, 2, 10, TSR_ANNOUNCE_EVENT_STARTED, 2);
  announce_quiet (swarms, hash, 3, 0, TSR_ANNOUNCE_EVENT_STARTED, 3);
  assert_scrape (swarms, hash, 1, 2, 0);

  /* A repeated announce updates, it does not add. */
  announce_quiet (swarms, hash, 2, 5, TSR_ANNOUNCE_EVENT_NONE, 4);
  assert_scrape (swarms, hash, 1, 2, 0);

  /* Completed: counted once per peer, and the peer is a seeder now. */
  announce_quiet (swarms, hash, 2, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 5);
  assert_scrape (swarms, hash, 2, 1, 1);
  announce_quiet (swarms, hash, 2, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 6);
  assert_scrape (swarms, hash, 2, 1, 1);
  announce_quiet (swarms, hash, 1, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 7);
  assert_scrape (swarms, hash, 3, 0, 2);

  /* A seeder that starts leeching again (a new file) is a leecher. */
  announce_quiet (swarms, hash, 3, 100, TSR_ANNOUNCE_EVENT_NONE, 8);
  assert_scrape (swarms, hash, 2, 1, 2);

  /* Same address, another port: another peer; another swarm is apart. */
  peer = make_peer (2, FALSE);
  peer.port = 1;
  g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, 1, TSR_ANNOUNCE_EVENT_STARTED, 50, 9,
                                        out, NULL, NULL), ==, TSR_SWARMS_OK);
  assert_scrape (swarms, hash, 2, 2, 2);
  announce_quiet (swarms, other, 2, 1, TSR_ANNOUNCE_EVENT_STARTED, 9);
  assert_scrape (swarms, other, 0, 1, 0);

  /* Stopped: gone at once, and no peers handed out. */
  g_array_set_size (out, 0);
  g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, 1, TSR_ANNOUNCE_EVENT_STOPPED, 50, 10,
                                        out, &complete, &incomplete), ==, TSR_SWARMS_OK);
  g_assert_cmpuint (out->len, ==, 0);
  g_assert_cmpuint (complete, ==, 2);
  g_assert_cmpuint (incomplete, ==, 1);
  announce_quiet (swarms, hash, 3, 100, TSR_ANNOUNCE_EVENT_STOPPED, 10);
  assert_scrape (swarms, hash, 2, 0, 2);
  /* Stopping twice changes nothing. */
  announce_quiet (swarms, hash, 3, 100, TSR_ANNOUNCE_EVENT_STOPPED, 10);
  assert_scrape (swarms, hash, 2, 0, 2);

  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 2);
  g_assert_cmpuint (stats.peers, ==, 3);
  g_assert_cmpuint (stats.seeders, ==, 2);
  g_assert_cmpuint (stats.leechers, ==, 1);
  assert_counters_exact (swarms);
}

static void
test_completed_without_event (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  guint8 hash[20];

  make_hash (1, hash);
  /* Leeching, then stopping with nothing left (aria2's way): counted. */
  announce_quiet (swarms, hash, 1, 100, TSR_ANNOUNCE_EVENT_STARTED, 1);
  announce_quiet (swarms, hash, 1, 0, TSR_ANNOUNCE_EVENT_STOPPED, 2);
  assert_scrape (swarms, hash, 0, 0, 1);
  /* Leeching, then a plain announce with nothing left: counted once, and
   * a late `completed` does not count it again. */
  announce_quiet (swarms, hash, 2, 100, TSR_ANNOUNCE_EVENT_STARTED, 3);
  announce_quiet (swarms, hash, 2, 0, TSR_ANNOUNCE_EVENT_NONE, 4);
  assert_scrape (swarms, hash, 1, 0, 2);
  announce_quiet (swarms, hash, 2, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 5);
  announce_quiet (swarms, hash, 2, 0, TSR_ANNOUNCE_EVENT_STOPPED, 6);
  assert_scrape (swarms, hash, 0, 0, 2);
  /* A seeder from the start never downloaded here: not counted, nor a
   * peer that stops while still leeching, nor one we never saw. */
  announce_quiet (swarms, hash, 3, 0, TSR_ANNOUNCE_EVENT_STARTED, 7);
  announce_quiet (swarms, hash, 3, 0, TSR_ANNOUNCE_EVENT_STOPPED, 8);
  announce_quiet (swarms, hash, 4, 50, TSR_ANNOUNCE_EVENT_STARTED, 9);
  announce_quiet (swarms, hash, 4, 50, TSR_ANNOUNCE_EVENT_STOPPED, 10);
  announce_quiet (swarms, hash, 5, 0, TSR_ANNOUNCE_EVENT_STOPPED, 11);
  assert_scrape (swarms, hash, 0, 0, 2);
  assert_counters_exact (swarms);
}

static void
test_never_self (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  guint8 hash[20];
  guint n, round;

  make_hash (7, hash);
  for (n = 0; n < 5; n++)
    announce_quiet (swarms, hash, n, 1, TSR_ANNOUNCE_EVENT_STARTED, 1);

  /* Fewer eligible peers than asked for: all of them, but the requester. */
  for (n = 0; n < 5; n++)
    {
      g_autoptr(GArray) out = announce (swarms, hash, n, 1, TSR_ANNOUNCE_EVENT_NONE, 50, 2);
      TsrPeerAddress me = make_peer (n, FALSE);
      guint seen = 0;
      guint i;

      g_assert_cmpuint (out->len, ==, 4);
      for (i = 0; i < out->len; i++)
        {
          TsrPeerAddress *p = &g_array_index (out, TsrPeerAddress, i);
          guint k;

          g_assert_false (same_peer (p, &me));
          for (k = 0; k < 5; k++)
            {
              TsrPeerAddress expected = make_peer (k, FALSE);

              if (same_peer (p, &expected))
                seen |= 1u << k;
            }
        }
      g_assert_cmpuint (seen, ==, 0x1f & ~(1u << n));
    }

  /* In a big swarm too (where peers are found through the index). */
  for (n = 5; n < 300; n++)
    announce_quiet (swarms, hash, n, n % 3, TSR_ANNOUNCE_EVENT_STARTED, 3);
  for (round = 0; round < 2000; round++)
    {
      guint who = round % 300;
      g_autoptr(GArray) out = announce (swarms, hash, who, who % 3, TSR_ANNOUNCE_EVENT_NONE, 80, 4);
      TsrPeerAddress me = make_peer (who, FALSE);
      guint i;

      for (i = 0; i < out->len; i++)
        g_assert_false (same_peer (&g_array_index (out, TsrPeerAddress, i), &me));
    }
  assert_counters_exact (swarms);
}

static void
test_seeder_gets_no_seeders (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  g_autoptr(GArray) from_seeder = NULL;
  g_autoptr(GArray) from_leecher = NULL;
  guint8 hash[20];
  guint n, i;

  make_hash (3, hash);
  /* Peers 0-2 seed, 3-6 leech, joined in mixed order. */
  for (n = 0; n < 7; n++)
    {
      guint who = (n * 3) % 7;

      announce_quiet (swarms, hash, who, who < 3 ? 0 : 1000, TSR_ANNOUNCE_EVENT_STARTED, 1);
    }
  from_seeder = announce (swarms, hash, 1, 0, TSR_ANNOUNCE_EVENT_NONE, 50, 2);
  g_assert_cmpuint (from_seeder->len, ==, 4);
  for (i = 0; i < from_seeder->len; i++)
    {
      TsrPeerAddress *p = &g_array_index (from_seeder, TsrPeerAddress, i);

      g_assert_cmpuint (p->address[3], >=, 3);
    }
  from_leecher = announce (swarms, hash, 4, 1000, TSR_ANNOUNCE_EVENT_NONE, 50, 2);
  g_assert_cmpuint (from_leecher->len, ==, 6);

  /* A leecher finishing is a seeder for this very reply. */
  g_clear_pointer (&from_leecher, g_array_unref);
  from_leecher = announce (swarms, hash, 4, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 50, 3);
  g_assert_cmpuint (from_leecher->len, ==, 3);
  for (i = 0; i < from_leecher->len; i++)
    g_assert_cmpuint (g_array_index (from_leecher, TsrPeerAddress, i).address[3], >=, 3);

  /* Big swarm: 100 seeders, 50 leechers; a seeder's sample is leechers only. */
  make_hash (4, hash);
  for (n = 0; n < 150; n++)
    announce_quiet (swarms, hash, n, n < 100 ? 0 : 1, TSR_ANNOUNCE_EVENT_STARTED, 1);
  for (n = 0; n < 200; n++)
    {
      g_autoptr(GArray) out = announce (swarms, hash, n % 100, 0, TSR_ANNOUNCE_EVENT_NONE, 30, 2);

      g_assert_cmpuint (out->len, ==, 30);
      for (i = 0; i < out->len; i++)
        {
          TsrPeerAddress *p = &g_array_index (out, TsrPeerAddress, i);

          g_assert_cmpuint (p->address[3], >=, 100);
        }
    }
  assert_counters_exact (swarms);
}

static void
test_sample_fair (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  guint counts[100] = { 0 };
  const guint rounds = 20000;
  const guint numwant = 10;
  double expected = (double) rounds * numwant / 99;
  guint8 hash[20];
  guint n, round;

  _tsr_swarms_set_seed (swarms, 42);
  make_hash (5, hash);
  for (n = 0; n < 100; n++)
    announce_quiet (swarms, hash, n, 1, TSR_ANNOUNCE_EVENT_STARTED, 1);

  for (round = 0; round < rounds; round++)
    {
      g_autoptr(GArray) out = announce (swarms, hash, 0, 1, TSR_ANNOUNCE_EVENT_NONE, numwant, 2);
      guint seen[100] = { 0 };
      guint i;

      g_assert_cmpuint (out->len, ==, numwant);
      for (i = 0; i < out->len; i++)
        {
          TsrPeerAddress *p = &g_array_index (out, TsrPeerAddress, i);
          guint who = p->address[3];

          g_assert_cmpuint (who, <, 100);
          g_assert_cmpuint (seen[who]++, ==, 0);   /* no peer twice in a reply */
          counts[who]++;
        }
    }
  g_assert_cmpuint (counts[0], ==, 0);
  for (n = 1; n < 100; n++)
    {
      g_assert_cmpfloat (counts[n], >, expected * 0.8);
      g_assert_cmpfloat (counts[n], <, expected * 1.2);
    }
}

/* Records touched per announce of a known peer with numwant 50. */
static double
touched_per_request (guint n_peers)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  guint8 hash[20];
  guint64 before;
  guint n;

  make_hash (n_peers, hash);
  for (n = 0; n < n_peers; n++)
    announce_quiet (swarms, hash, n, n % 2, TSR_ANNOUNCE_EVENT_STARTED, 1);
  before = _tsr_swarms_get_touched (swarms);
  for (n = 0; n < 1000; n++)
    {
      guint who = (n * 7919) % n_peers;
      g_autoptr(GArray) out = announce (swarms, hash, who, who % 2, TSR_ANNOUNCE_EVENT_NONE, 50, 2);

      g_assert_cmpuint (out->len, ==, 50);
    }
  return (_tsr_swarms_get_touched (swarms) - before) / 1000.0;
}

static void
test_sample_bounded_work (void)
{
  double small = touched_per_request (200);
  double big = touched_per_request (100000);

  g_test_message ("records touched per request: %.1f (200 peers), %.1f (100,000 peers)", small, big);
  /* 50 handed out, plus a short probe to find the requester. */
  g_assert_cmpfloat (small, <, 50 + 8);
  g_assert_cmpfloat (big, <, 50 + 8);
}

static void
test_expire (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 120);
  TsrSwarmsStats stats;
  guint8 hash[20], quiet[20];
  guint n;

  make_hash (1, hash);
  make_hash (2, quiet);
  for (n = 0; n < 100; n++)
    announce_quiet (swarms, hash, n, n % 4 == 0 ? 0 : 1, TSR_ANNOUNCE_EVENT_STARTED, 1000);
  announce_quiet (swarms, quiet, 1, 1, TSR_ANNOUNCE_EVENT_COMPLETED, 1000);

  /* Half of them announce again a minute later. */
  for (n = 0; n < 100; n += 2)
    announce_quiet (swarms, hash, n, n % 4 == 0 ? 0 : 1, TSR_ANNOUNCE_EVENT_NONE, 1060);

  g_assert_cmpuint (tsr_swarms_expire_all (swarms, 1119), ==, 0);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.peers, ==, 101);

  /* At 1120 the silent half and the quiet swarm are gone: without a
   * whitelist a swarm without peers goes, downloaded count and all. */
  g_assert_cmpuint (tsr_swarms_expire_all (swarms, 1120), ==, 51);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 1);
  g_assert_cmpuint (stats.peers, ==, 50);
  g_assert_cmpuint (stats.seeders, ==, 25);
  assert_counters_exact (swarms);
  g_assert_false (tsr_swarms_scrape (swarms, quiet, NULL, NULL, NULL));
  assert_scrape (swarms, hash, 25, 25, 0);

  g_assert_cmpuint (tsr_swarms_expire_all (swarms, 1180), ==, 50);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 0);
  g_assert_cmpuint (stats.peers, ==, 0);
  assert_counters_exact (swarms);
}

static void
test_expire_bounded (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 60);
  TsrSwarmsStats stats;
  guint dropped, total = 0, calls = 0;
  guint n;

  /* 5,000 swarms of 3 peers: more than one call's budget. */
  for (n = 0; n < 5000; n++)
    {
      guint8 hash[20];
      guint k;

      make_hash (n, hash);
      for (k = 0; k < 3; k++)
        announce_quiet (swarms, hash, n * 3 + k, 1, TSR_ANNOUNCE_EVENT_STARTED, 10);
    }
  dropped = tsr_swarms_expire (swarms, 100);
  g_assert_cmpuint (dropped, >, 0);
  g_assert_cmpuint (dropped, <=, TSR_SWARMS_EXPIRE_BUDGET);
  g_assert_cmpuint (dropped, <, 15000);
  assert_counters_exact (swarms);
  total = dropped;
  while ((dropped = tsr_swarms_expire (swarms, 100)) > 0)
    {
      total += dropped;
      calls++;
      g_assert_cmpuint (calls, <, 100);
    }
  g_assert_cmpuint (total, ==, 15000);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 0);
  assert_counters_exact (swarms);
}

static void
test_whitelist (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 60);
  g_autoptr(GArray) out = peers_new ();
  TsrPeerAddress peer = make_peer (1, FALSE);
  guint8 allowed[40];
  guint8 stranger[20];
  TsrSwarmsStats stats;
  guint complete = 5;

  make_hash (1, allowed);
  make_hash (2, allowed + 20);
  make_hash (3, stranger);

  announce_quiet (swarms, stranger, 1, 1, TSR_ANNOUNCE_EVENT_STARTED, 1);
  announce_quiet (swarms, allowed, 1, 1, TSR_ANNOUNCE_EVENT_STARTED, 1);
  tsr_swarms_set_whitelist (swarms, allowed, 2);
  /* Swarms off the new list go at once. */
  g_assert_false (tsr_swarms_scrape (swarms, stranger, NULL, NULL, NULL));
  assert_scrape (swarms, allowed, 0, 1, 0);

  g_assert_cmpint (tsr_swarms_announce (swarms, stranger, &peer, 1, TSR_ANNOUNCE_EVENT_STARTED, 50, 2,
                                        out, &complete, NULL), ==, TSR_SWARMS_NOT_ALLOWED);
  g_assert_cmpuint (complete, ==, 0);
  g_assert_false (tsr_swarms_scrape (swarms, stranger, NULL, NULL, NULL));
  g_assert_cmpint (tsr_swarms_announce (swarms, allowed + 20, &peer, 0, TSR_ANNOUNCE_EVENT_COMPLETED, 50, 2,
                                        out, NULL, NULL), ==, TSR_SWARMS_OK);

  /* Whitelisted swarms keep their downloaded count without peers. */
  tsr_swarms_expire_all (swarms, 1000);
  assert_scrape (swarms, allowed + 20, 0, 0, 1);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 2);
  g_assert_cmpuint (stats.peers, ==, 0);

  tsr_swarms_set_whitelist (swarms, NULL, 0);
  g_assert_cmpint (tsr_swarms_announce (swarms, stranger, &peer, 1, TSR_ANNOUNCE_EVENT_STARTED, 50, 2,
                                        out, NULL, NULL), ==, TSR_SWARMS_OK);
  assert_counters_exact (swarms);
}

static void
test_evict_emptiest (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (4, 3600);
  guint8 hash[6][20];
  guint sizes[4] = { 3, 1, 2, 1 };
  TsrSwarmsStats stats;
  guint n, k, who = 0;

  for (n = 0; n < 6; n++)
    make_hash (n, hash[n]);
  /* Swarm 1 and 3 hold one peer each; swarm 1 was announced longest ago. */
  for (n = 0; n < 4; n++)
    for (k = 0; k < sizes[n]; k++)
      announce_quiet (swarms, hash[n], who++, 1, TSR_ANNOUNCE_EVENT_STARTED, 10 + n);
  announce_quiet (swarms, hash[0], 0, 1, TSR_ANNOUNCE_EVENT_NONE, 20);
  announce_quiet (swarms, hash[2], 4, 1, TSR_ANNOUNCE_EVENT_NONE, 20);

  announce_quiet (swarms, hash[4], who++, 1, TSR_ANNOUNCE_EVENT_STARTED, 30);
  g_assert_false (tsr_swarms_scrape (swarms, hash[1], NULL, NULL, NULL));
  for (n = 0; n < 5; n++)
    g_assert_true (n == 1 || tsr_swarms_scrape (swarms, hash[n], NULL, NULL, NULL));
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 4);
  g_assert_cmpuint (stats.peers, ==, 7);

  /* Now swarms 3 (at 13) and 4 (at 30) tie on one peer: 3 is older. */
  announce_quiet (swarms, hash[5], who++, 1, TSR_ANNOUNCE_EVENT_STARTED, 31);
  g_assert_false (tsr_swarms_scrape (swarms, hash[3], NULL, NULL, NULL));
  g_assert_true (tsr_swarms_scrape (swarms, hash[4], NULL, NULL, NULL));
  g_assert_true (tsr_swarms_scrape (swarms, hash[5], NULL, NULL, NULL));
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 4);
  g_assert_cmpuint (stats.peers, ==, 7);
  assert_counters_exact (swarms);

  /* A lower cap evicts at once, the emptiest first: swarms 0 (3 peers)
   * and 2 (2 peers) stay. */
  tsr_swarms_set_max_swarms (swarms, 2);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 2);
  g_assert_cmpuint (stats.peers, ==, 5);
  g_assert_true (tsr_swarms_scrape (swarms, hash[0], NULL, NULL, NULL));
  g_assert_true (tsr_swarms_scrape (swarms, hash[2], NULL, NULL, NULL));
  assert_counters_exact (swarms);
  /* No cap: nothing goes. */
  tsr_swarms_set_max_swarms (swarms, 0);
  for (n = 0; n < 6; n++)
    announce_quiet (swarms, hash[n], who++, 1, TSR_ANNOUNCE_EVENT_STARTED, 40);
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 6);
  assert_counters_exact (swarms);
}

/* Random announces, stops, completions and expiries over a few swarms,
 * some past the index threshold and back: the running counters match a
 * recount after every step. */
static void
test_counters_exact (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (6, 50);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint32 now = 1000;
  guint step;

  for (step = 0; step < 20000; step++)
    {
      guint8 hash[20];
      TsrPeerAddress peer = make_peer (g_rand_int_range (rand, 0, 400), g_rand_boolean (rand));
      TsrAnnounceEvent event = g_rand_int_range (rand, 0, 4);
      guint64 left = g_rand_int_range (rand, 0, 3) == 0 ? 0 : 100;
      g_autoptr(GArray) out = peers_new ();
      guint complete, incomplete, i;

      make_hash (g_rand_int_range (rand, 0, step < 10000 ? 3 : 8), hash);
      g_assert_cmpint (tsr_swarms_announce (swarms, hash, &peer, left, event,
                                            g_rand_int_range (rand, 0, 60), now,
                                            out, &complete, &incomplete), ==, TSR_SWARMS_OK);
      for (i = 0; i < out->len; i++)
        {
          g_assert_false (same_peer (&g_array_index (out, TsrPeerAddress, i), &peer));
          /* Output families are as given. */
          g_assert_true (g_array_index (out, TsrPeerAddress, i).family == 4 ||
                         g_array_index (out, TsrPeerAddress, i).address[0] == 0xfd);
        }
      if (g_rand_int_range (rand, 0, 10) == 0)
        now++;
      if (step % 97 == 0)
        tsr_swarms_expire (swarms, now);
      if (step % 5003 == 0)
        tsr_swarms_expire_all (swarms, now + 40);
      assert_counters_exact (swarms);
    }
}

static TsrSwarms *
make_store (void)
{
  TsrSwarms *swarms = tsr_swarms_new (0, 3600);
  guint8 hash[20];
  guint n;

  for (n = 0; n < 3; n++)
    {
      guint k;

      make_hash (n, hash);
      for (k = 0; k < 5 + n * 40; k++)
        {
          TsrPeerAddress peer = make_peer (k, k % 3 == 0);

          tsr_swarms_announce (swarms, hash, &peer, k % 2 ? 0 : 7,
                               k % 5 == 0 ? TSR_ANNOUNCE_EVENT_COMPLETED : TSR_ANNOUNCE_EVENT_STARTED,
                               0, 1000 + k, NULL, NULL, NULL);
        }
    }
  return swarms;
}

static void
test_state_round_trip (void)
{
  g_autoptr(TsrSwarms) swarms = make_store ();
  g_autoptr(TsrSwarms) loaded = NULL;
  g_autoptr(TsrSwarms) capped = NULL;
  g_autoptr(GBytes) image = tsr_swarms_serialize (swarms);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) out = peers_new ();
  TsrSwarmsStats a, b;
  TsrPeerAddress v6 = make_peer (0, TRUE);
  guint8 hash[20];
  guint n, i;
  gboolean found_v6 = FALSE;

  loaded = tsr_swarms_deserialize (image, 0, 3600, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  tsr_swarms_get_stats (swarms, &a);
  tsr_swarms_get_stats (loaded, &b);
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  assert_counters_exact (loaded);
  for (n = 0; n < 3; n++)
    {
      guint c1, i1, d1, c2, i2, d2;

      make_hash (n, hash);
      g_assert_true (tsr_swarms_scrape (swarms, hash, &c1, &i1, &d1));
      g_assert_true (tsr_swarms_scrape (loaded, hash, &c2, &i2, &d2));
      g_assert_cmpuint (c1, ==, c2);
      g_assert_cmpuint (i1, ==, i2);
      g_assert_cmpuint (d1, ==, d2);
      g_assert_cmpuint (d1, >, 0);
    }
  again = tsr_swarms_serialize (loaded);
  g_assert_true (g_bytes_equal (image, again));

  /* Completions survive: peer 0 completed before, no second count; IPv6
   * peers come back as such; last-seen survives: peers 0-3 (seen at
   * 1000-1003) are gone at 1003 + 3600, but for peer 0 of swarm 2,
   * seen again. */
  make_hash (2, hash);
  tsr_swarms_scrape (loaded, hash, NULL, NULL, &n);
  tsr_swarms_announce (loaded, hash, &v6, 7, TSR_ANNOUNCE_EVENT_COMPLETED, 200, 2000, out, NULL, NULL);
  assert_scrape (loaded, hash, 42, 43, n);
  g_assert_cmpuint (out->len, >, 0);
  for (i = 0; i < out->len; i++)
    found_v6 |= g_array_index (out, TsrPeerAddress, i).family == 6;
  g_assert_true (found_v6);
  tsr_swarms_expire_all (loaded, 1003 + 3600);
  g_assert_true (tsr_swarms_scrape (loaded, hash, NULL, NULL, NULL));
  tsr_swarms_get_stats (loaded, &b);
  g_assert_cmpuint (b.peers, ==, a.peers - 4 * 3 + 1);

  /* A smaller cap keeps the first swarms. */
  capped = tsr_swarms_deserialize (image, 2, 3600, &error);
  g_assert_no_error (error);
  tsr_swarms_get_stats (capped, &b);
  g_assert_cmpuint (b.swarms, ==, 2);
  assert_counters_exact (capped);
}

/* Recomputes the trailing checksum, to reach the checks behind it. */
static GBytes *
reseal (const guint8 *data,
        gsize         length)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 *copy = g_malloc (length + 32);
  gsize digest_length = 32;

  memcpy (copy, data, length);
  g_checksum_update (checksum, copy, length);
  g_checksum_get_digest (checksum, copy + length, &digest_length);
  return g_bytes_new_take (copy, length + 32);
}

static void
assert_rejected (GBytes *bytes,
                 int     code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrSwarms) loaded = tsr_swarms_deserialize (bytes, 0, 60, &error);

  g_assert_null (loaded);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TSR_SWARMS_ERROR);
  if (code >= 0)
    g_assert_error (error, TSR_SWARMS_ERROR, code);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_state_rejects_corrupt (void)
{
  g_autoptr(TsrSwarms) swarms = make_store ();
  g_autoptr(GBytes) image = tsr_swarms_serialize (swarms);
  gsize length;
  const guint8 *data = g_bytes_get_data (image, &length);
  gsize body = length - 32;
  guint8 *copy;
  gsize i;

  /* Cut short at every length. */
  for (i = 0; i < length; i++)
    {
      g_autoptr(GBytes) cut = g_bytes_new (data, i);

      assert_rejected (cut, -1);
    }
  /* Any flipped byte, header first, is caught. */
  copy = g_memdup2 (data, length);
  for (i = 0; i < length; i++)
    {
      g_autoptr(GBytes) flipped = NULL;

      copy[i] ^= 0x5a;
      flipped = g_bytes_new (copy, length);
      assert_rejected (flipped, i < 8 ? TSR_SWARMS_ERROR_BAD_MAGIC :
                                i < 12 ? TSR_SWARMS_ERROR_VERSION : TSR_SWARMS_ERROR_CHECKSUM);
      copy[i] ^= 0x5a;
    }

  /* Behind a valid checksum: counts that claim more than there is. */
  {
    g_autoptr(GBytes) sealed = NULL;

    copy[15] += 1;   /* one swarm more */
    sealed = reseal (copy, body);
    assert_rejected (sealed, TSR_SWARMS_ERROR_TRUNCATED);
    copy[15] -= 1;
  }
  {
    g_autoptr(GBytes) sealed = NULL;

    copy[16 + 24] = 0x7f;   /* the first swarm's peer count */
    sealed = reseal (copy, body);
    assert_rejected (sealed, TSR_SWARMS_ERROR_TRUNCATED);
    copy[16 + 24] = 0;
  }
  {
    g_autoptr(GBytes) sealed = NULL;

    copy[15] -= 1;   /* one swarm fewer: bytes left over */
    sealed = reseal (copy, body);
    assert_rejected (sealed, TSR_SWARMS_ERROR_INVALID);
    copy[15] += 1;
  }
  {
    g_autoptr(GBytes) sealed = NULL;

    copy[16 + 28 + 18] |= 0x80;   /* an unknown flag */
    sealed = reseal (copy, body);
    assert_rejected (sealed, TSR_SWARMS_ERROR_INVALID);
    copy[16 + 28 + 18] &= 0x7f;
  }
  {
    g_autoptr(GBytes) sealed = NULL;

    memcpy (copy + 16 + 28 + 24, copy + 16 + 28, 18);   /* peer 2 = peer 1 */
    sealed = reseal (copy, body);
    assert_rejected (sealed, TSR_SWARMS_ERROR_INVALID);
  }
  {
    g_autoptr(GBytes) sealed = reseal (data, body);
    g_autoptr(TsrSwarms) loaded = NULL;

    /* The control: resealing the unchanged image loads. */
    loaded = tsr_swarms_deserialize (sealed, 0, 60, NULL);
    g_assert_nonnull (loaded);
  }
  g_free (copy);
}

static void
test_memory (void)
{
  g_autoptr(TsrSwarms) swarms = tsr_swarms_new (0, 3600);
  TsrSwarmsStats stats;
  gsize bytes;
  double per_peer;
  guint n;

  for (n = 0; n < 10000; n++)
    {
      guint8 hash[20];
      guint k;

      make_hash (n, hash);
      for (k = 0; k < 20; k++)
        announce_quiet (swarms, hash, n * 20 + k, k % 4 ? 1 : 0, TSR_ANNOUNCE_EVENT_STARTED, 1);
    }
  tsr_swarms_get_stats (swarms, &stats);
  g_assert_cmpuint (stats.swarms, ==, 10000);
  g_assert_cmpuint (stats.peers, ==, 200000);
  g_assert_cmpuint (stats.seeders, ==, 50000);
  bytes = tsr_swarms_get_memory_size (swarms);
  per_peer = (double) bytes / stats.peers;
  g_test_message ("10,000 swarms x 20 peers: %zu bytes, %.1f bytes per peer", bytes, per_peer);
  g_printerr ("# memory: %zu bytes for 200,000 peers, %.1f bytes per peer\n", bytes, per_peer);
  g_assert_cmpfloat (per_peer, <, 40);
  g_assert_cmpfloat (per_peer, >=, 24);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/swarms/announce/counts", test_announce_counts);
  g_test_add_func ("/swarms/announce/completed-without-event", test_completed_without_event);
  g_test_add_func ("/swarms/announce/never-self", test_never_self);
  g_test_add_func ("/swarms/announce/seeder-gets-no-seeders", test_seeder_gets_no_seeders);
  g_test_add_func ("/swarms/sample/fair", test_sample_fair);
  g_test_add_func ("/swarms/sample/bounded-work", test_sample_bounded_work);
  g_test_add_func ("/swarms/expire/moving-clock", test_expire);
  g_test_add_func ("/swarms/expire/bounded", test_expire_bounded);
  g_test_add_func ("/swarms/whitelist", test_whitelist);
  g_test_add_func ("/swarms/cap/evicts-emptiest", test_evict_emptiest);
  g_test_add_func ("/swarms/stats/exact", test_counters_exact);
  g_test_add_func ("/swarms/state/round-trip", test_state_round_trip);
  g_test_add_func ("/swarms/state/rejects-corrupt", test_state_rejects_corrupt);
  g_test_add_func ("/swarms/memory", test_memory);

  return g_test_run ();
}
