/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-table.c: the DHT routing table (BEP 5): insertion, only our
 * bucket splitting, full far buckets keeping their good nodes and caching
 * newcomers, bad nodes replaced from the cache, node states over time,
 * closest nodes against a brute-force sort, pings, refresh targets in
 * their bucket's range, and images kept across restarts.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-dht-table.h"

static void
random_id (guint8 *id)
{
  guint i;

  for (i = 0; i < TSR_DHT_ID_LENGTH; i++)
    id[i] = (guint8) g_test_rand_int_range (0, 256);
}

/* A random id sharing exactly @shared leading bits with @ours. */
static void
id_sharing (const guint8 *ours,
            guint         shared,
            guint8       *out)
{
  guint bit;

  g_assert_cmpuint (shared, <, 160);
  random_id (out);
  for (bit = 0; bit <= shared; bit++)
    {
      guint8 mask = (guint8) (0x80 >> (bit % 8));
      guint8 value = (ours[bit / 8] & mask) ^ (bit == shared ? mask : 0);

      out[bit / 8] = (guint8) ((out[bit / 8] & ~mask) | value);
    }
  g_assert_cmpuint (tsr_dht_id_common_prefix (ours, out), ==, shared);
}

/* A node of @family with @id at a distinct address numbered @n. */
static TsrDhtNode
make_node (const guint8 *id,
           guint         family,
           guint         n)
{
  TsrDhtNode node = { 0 };

  memcpy (node.id, id, TSR_DHT_ID_LENGTH);
  node.address.family = (guint8) family;
  if (family == 4)
    {
      node.address.address[0] = 198;
      node.address.address[1] = 18;
      node.address.address[2] = (guint8) (n >> 8);
      node.address.address[3] = (guint8) n;
    }
  else
    {
      node.address.address[0] = 0x20;
      node.address.address[1] = 0x01;
      node.address.address[14] = (guint8) (n >> 8);
      node.address.address[15] = (guint8) n;
    }
  node.address.port = 6881;
  return node;
}

/* The entry for @id in the table (not the cache), or NULL. */
static const TsrDhtTableEntry *
find (TsrDhtTable  *table,
      const guint8 *id)
{
  TsrDhtTableIter iter;
  const TsrDhtTableEntry *entry;

  tsr_dht_table_iter_init (&iter, table);
  while (tsr_dht_table_iter_next (&iter, &entry))
    if (memcmp (entry->node.id, id, TSR_DHT_ID_LENGTH) == 0)
      return entry;
  return NULL;
}

static void
test_insert (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(TsrDhtTable) table6 = NULL;
  guint8 ids[5][TSR_DHT_ID_LENGTH];
  TsrDhtTableIter iter;
  const TsrDhtTableEntry *entry;
  TsrDhtNode node;
  guint seen = 0;
  guint good;
  guint questionable;
  guint bad;
  guint i;

  random_id (ours);
  table = tsr_dht_table_new (ours, 4);
  g_assert_cmpmem (tsr_dht_table_get_id (table), 20, ours, 20);
  g_assert_cmpuint (tsr_dht_table_get_family (table), ==, 4);
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 1);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 0);
  for (i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      random_id (ids[i]);
      node = make_node (ids[i], 4, i);
      g_assert_true (tsr_dht_table_heard_from (table, &node, i % 2 == 0, 100));
    }
  /* Heard again: updated, not added twice. */
  node = make_node (ids[1], 4, 1);
  g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 101));
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 5);
  /* Never ourselves. */
  node = make_node (ours, 4, 99);
  g_assert_false (tsr_dht_table_heard_from (table, &node, TRUE, 100));
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 5);
  g_assert_null (find (table, ours));

  tsr_dht_table_count (table, 101, &good, &questionable, &bad);
  /* 0, 2, 4 answered, 1 answered later; 3 only queried us. */
  g_assert_cmpuint (good, ==, 4);
  g_assert_cmpuint (questionable, ==, 1);
  g_assert_cmpuint (bad, ==, 0);
  tsr_dht_table_iter_init (&iter, table);
  while (tsr_dht_table_iter_next (&iter, &entry))
    {
      g_assert_nonnull (find (table, entry->node.id));
      seen++;
    }
  g_assert_cmpuint (seen, ==, 5);
  entry = find (table, ids[1]);
  g_assert_cmpint (entry->last_response, ==, 101);
  g_assert_cmpint (entry->last_query, ==, 100);
  entry = find (table, ids[3]);
  g_assert_cmpint (entry->last_response, ==, TSR_DHT_NEVER);

  /* An IPv6 table takes IPv6 nodes. */
  table6 = tsr_dht_table_new (ours, 6);
  node = make_node (ids[0], 6, 7);
  g_assert_true (tsr_dht_table_heard_from (table6, &node, TRUE, 1));
  g_assert_cmpuint (find (table6, ids[0])->node.address.family, ==, 6);
}

/* 8 nodes sharing no bit with our id, then 9 sharing 3: the table ends
 * with buckets 0 (8 nodes), 1, 2 (empty), 3 (8 nodes, 1 cached) and 4
 * (ours, empty). */
static TsrDhtTable *
make_split_table (guint8  *ours,
                  guint8   far[8][TSR_DHT_ID_LENGTH],
                  guint8   near[9][TSR_DHT_ID_LENGTH],
                  gint64   now)
{
  TsrDhtTable *table;
  TsrDhtNode node;
  guint i;

  random_id (ours);
  table = tsr_dht_table_new (ours, 4);
  for (i = 0; i < 8; i++)
    {
      id_sharing (ours, 0, far[i]);
      node = make_node (far[i], 4, i);
      g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, now));
    }
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 1);
  for (i = 0; i < 9; i++)
    {
      id_sharing (ours, 3, near[i]);
      node = make_node (near[i], 4, 100 + i);
      g_assert_cmpint (tsr_dht_table_heard_from (table, &node, TRUE, now), ==, i < 8);
    }
  return table;
}

static void
test_split (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 far[8][TSR_DHT_ID_LENGTH];
  guint8 near[9][TSR_DHT_ID_LENGTH];
  guint8 id[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = make_split_table (ours, far, near, 10);
  TsrDhtNode node;
  guint i;

  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 5);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 16);
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 1);
  g_assert_null (find (table, near[8]));

  /* The far bucket is full and does not split. */
  id_sharing (ours, 0, id);
  node = make_node (id, 4, 500);
  g_assert_false (tsr_dht_table_heard_from (table, &node, TRUE, 11));
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 5);
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 2);
  /* Our bucket (4: sharing 4 bits or more) has room. */
  for (i = 0; i < 8; i++)
    {
      id_sharing (ours, 4 + i * 10, id);
      node = make_node (id, 4, 600 + i);
      g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 11));
    }
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 5);
  /* Full now: the next node near us splits it again. */
  id_sharing (ours, 150, id);
  node = make_node (id, 4, 700);
  g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 11));
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 6);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 25);
}

static void
test_split_to_the_end (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  guint shared;

  /* Nodes ever nearer split our bucket again and again; all fit. */
  random_id (ours);
  table = tsr_dht_table_new (ours, 4);
  for (shared = 0; shared < 160; shared++)
    {
      guint free_bits = MIN (159 - shared, 3);
      guint8 mask = (guint8) ((1u << free_bits) - 1);
      guint k;

      /* As many distinct ids as there are, 8 at most: 4, 2, 1 at the end. */
      for (k = 0; k < (1u << free_bits); k++)
        {
          guint8 id[TSR_DHT_ID_LENGTH];
          TsrDhtNode node;

          id_sharing (ours, shared, id);
          id[19] = (guint8) ((id[19] & ~mask) | k);
          node = make_node (id, 4, shared * 8 + k);
          g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 1));
        }
      if (shared == 149)
        g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 150);
    }
  /* Buckets 0-156 of 8 nodes, and ours with the 7 ids sharing 157 bits
   * or more: it cannot fill, so it never splits again. */
  g_assert_cmpuint (tsr_dht_table_get_n_buckets (table), ==, 158);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 157 * 8 + 7);
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 0);
}

static void
test_full_far_bucket (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 far[8][TSR_DHT_ID_LENGTH];
  guint8 near[9][TSR_DHT_ID_LENGTH];
  guint8 newcomer[TSR_DHT_ID_LENGTH];
  guint8 queried[TSR_DHT_CACHE_SIZE + 3][TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = make_split_table (ours, far, near, 0);
  TsrDhtNode node;
  guint i;

  id_sharing (ours, 0, newcomer);
  node = make_node (newcomer, 4, 900);
  g_assert_false (tsr_dht_table_heard_from (table, &node, TRUE, 60));
  for (i = 0; i < 8; i++)
    g_assert_nonnull (find (table, far[i]));
  g_assert_null (find (table, newcomer));
  /* Still not in when the old nodes are merely questionable. */
  g_assert_false (tsr_dht_table_heard_from (table, &node, TRUE, 2 * TSR_DHT_GOOD_SECONDS));
  g_assert_null (find (table, newcomer));
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 2);
  /* The cache keeps a few: the newcomer that answered, and the newest of
   * those that only queried us. */
  for (i = 0; i < G_N_ELEMENTS (queried); i++)
    {
      id_sharing (ours, 0, queried[i]);
      node = make_node (queried[i], 4, 1000 + i);
      g_assert_false (tsr_dht_table_heard_from (table, &node, FALSE, 3000 + i));
    }
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 1 + TSR_DHT_CACHE_SIZE);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 16);
  /* Four nodes go bad: the one that answered comes in first, then the
   * newest. */
  for (i = 0; i < TSR_DHT_CACHE_SIZE; i++)
    {
      node = make_node (far[i], 4, i);
      tsr_dht_table_failed (table, &node, 4000);
      tsr_dht_table_failed (table, &node, 4000);
      g_assert_null (find (table, far[i]));
    }
  g_assert_nonnull (find (table, newcomer));
  for (i = 0; i < G_N_ELEMENTS (queried); i++)
    g_assert_cmpint (find (table, queried[i]) != NULL, ==, i >= G_N_ELEMENTS (queried) - (TSR_DHT_CACHE_SIZE - 1));
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 1);
}

static void
test_bad_replaced (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 far[8][TSR_DHT_ID_LENGTH];
  guint8 near[9][TSR_DHT_ID_LENGTH];
  guint8 answered[TSR_DHT_ID_LENGTH];
  guint8 queried[TSR_DHT_ID_LENGTH];
  guint8 late[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = make_split_table (ours, far, near, 0);
  g_autoptr(GArray) closest = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  TsrDhtNode node;
  guint bad;
  guint i;

  /* Two newcomers wait: one answered us, then one only queried us. */
  id_sharing (ours, 0, answered);
  node = make_node (answered, 4, 300);
  g_assert_false (tsr_dht_table_heard_from (table, &node, TRUE, 50));
  id_sharing (ours, 0, queried);
  node = make_node (queried, 4, 301);
  g_assert_false (tsr_dht_table_heard_from (table, &node, FALSE, 60));

  /* One failure: still there. */
  node = make_node (far[2], 4, 2);
  tsr_dht_table_failed (table, &node, 70);
  g_assert_nonnull (find (table, far[2]));
  g_assert_cmpuint (find (table, far[2])->failures, ==, 1);
  /* A failure reported for another address does not count. */
  node = make_node (far[2], 4, 77);
  tsr_dht_table_failed (table, &node, 70);
  g_assert_cmpuint (find (table, far[2])->failures, ==, 1);
  /* Two in a row: replaced by the cached node that answered. */
  node = make_node (far[2], 4, 2);
  tsr_dht_table_failed (table, &node, 80);
  g_assert_null (find (table, far[2]));
  g_assert_nonnull (find (table, answered));
  g_assert_cmpint (find (table, answered)->last_response, ==, 50);
  g_assert_cmpuint (tsr_dht_table_get_n_cached (table), ==, 2);

  /* An answer in between resets the count. */
  node = make_node (far[3], 4, 3);
  tsr_dht_table_failed (table, &node, 90);
  g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 91));
  tsr_dht_table_failed (table, &node, 92);
  g_assert_nonnull (find (table, far[3]));

  /* Bucket 3 has near[8] cached: two failures of near[0] bring it in. */
  node = make_node (near[0], 4, 100);
  tsr_dht_table_failed (table, &node, 93);
  tsr_dht_table_failed (table, &node, 94);
  g_assert_null (find (table, near[0]));
  g_assert_nonnull (find (table, near[8]));

  /* With the cache of bucket 0 used up, bad nodes stay, out of answers. */
  node = make_node (far[4], 4, 4);
  tsr_dht_table_failed (table, &node, 95);
  tsr_dht_table_failed (table, &node, 96);
  g_assert_nonnull (find (table, queried));
  node = make_node (far[5], 4, 5);
  tsr_dht_table_failed (table, &node, 97);
  tsr_dht_table_failed (table, &node, 98);
  g_assert_nonnull (find (table, far[5]));
  tsr_dht_table_count (table, 99, NULL, NULL, &bad);
  g_assert_cmpuint (bad, ==, 1);
  tsr_dht_table_closest (table, far[5], 16, closest);
  for (i = 0; i < closest->len; i++)
    g_assert_true (memcmp (g_array_index (closest, TsrDhtNode, i).id, far[5], 20) != 0);
  /* ... until a newcomer takes the bad node's place at once. */
  id_sharing (ours, 0, late);
  node = make_node (late, 4, 302);
  g_assert_true (tsr_dht_table_heard_from (table, &node, FALSE, 100));
  g_assert_null (find (table, far[5]));
  tsr_dht_table_count (table, 100, NULL, NULL, &bad);
  g_assert_cmpuint (bad, ==, 0);
}

static void
test_states (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 id[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  const TsrDhtTableEntry *entry;
  TsrDhtNode node;
  const gint64 t = 10000;

  random_id (ours);
  random_id (id);
  table = tsr_dht_table_new (ours, 4);
  node = make_node (id, 4, 1);
  /* Queried us, never answered: questionable. */
  g_assert_true (tsr_dht_table_heard_from (table, &node, FALSE, t));
  entry = find (table, id);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t), ==, TSR_DHT_NODE_QUESTIONABLE);
  /* Answered: good for 15 minutes. */
  tsr_dht_table_heard_from (table, &node, TRUE, t + 10);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 10 + TSR_DHT_GOOD_SECONDS - 1), ==, TSR_DHT_NODE_GOOD);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 10 + TSR_DHT_GOOD_SECONDS), ==, TSR_DHT_NODE_QUESTIONABLE);
  /* Having answered once, a query keeps it good. */
  tsr_dht_table_heard_from (table, &node, FALSE, t + 5000);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5000), ==, TSR_DHT_NODE_GOOD);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5000 + TSR_DHT_GOOD_SECONDS), ==,
                   TSR_DHT_NODE_QUESTIONABLE);
  /* Failures make it bad whatever the time. */
  tsr_dht_table_failed (table, &node, t + 5001);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5001), ==, TSR_DHT_NODE_GOOD);
  tsr_dht_table_failed (table, &node, t + 5002);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5002), ==, TSR_DHT_NODE_BAD);
  /* A query from a bad node does not redeem it; an answer does. */
  tsr_dht_table_heard_from (table, &node, FALSE, t + 5003);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5003), ==, TSR_DHT_NODE_BAD);
  tsr_dht_table_heard_from (table, &node, TRUE, t + 5004);
  g_assert_cmpint (tsr_dht_table_entry_state (entry, t + 5004), ==, TSR_DHT_NODE_GOOD);
  /* Times before zero are times too. */
  node = make_node (ours, 4, 2);
  node.id[19] ^= 1;
  g_assert_true (tsr_dht_table_heard_from (table, &node, FALSE, -50));
  g_assert_cmpint (tsr_dht_table_entry_state (find (table, node.id), -40), ==, TSR_DHT_NODE_QUESTIONABLE);
}

static void
test_moved_id (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 id[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  TsrDhtNode node;
  TsrDhtNode impostor;

  random_id (ours);
  random_id (id);
  table = tsr_dht_table_new (ours, 4);
  node = make_node (id, 4, 1);
  impostor = make_node (id, 4, 2);
  g_assert_true (tsr_dht_table_heard_from (table, &node, TRUE, 1));
  /* A known id from elsewhere does not take over a node that is not bad. */
  g_assert_false (tsr_dht_table_heard_from (table, &impostor, TRUE, 2));
  g_assert_cmpuint (find (table, id)->node.address.address[3], ==, 1);
  g_assert_cmpint (find (table, id)->last_response, ==, 1);
  tsr_dht_table_failed (table, &node, 3);
  tsr_dht_table_failed (table, &node, 4);
  /* Bad: a node that moved may have it. */
  g_assert_true (tsr_dht_table_heard_from (table, &impostor, TRUE, 5));
  g_assert_cmpuint (find (table, id)->node.address.address[3], ==, 2);
  g_assert_cmpuint (find (table, id)->failures, ==, 0);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 1);
}

static gint
compare_by_distance (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  const guint8 *target = user_data;

  return tsr_dht_id_compare_distance (target, ((const TsrDhtNode *) a)->id, ((const TsrDhtNode *) b)->id);
}

static void
test_closest (void)
{
  static const guint counts[] = { 1, 3, 8, 20, 2000 };
  guint8 ours[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(GArray) far = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  g_autoptr(GArray) live = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  TsrDhtTableIter iter;
  const TsrDhtTableEntry *entry;
  guint bad;
  guint round;
  guint i;

  random_id (ours);
  table = tsr_dht_table_new (ours, 4);
  for (i = 0; i < 2000; i++)
    {
      guint8 id[TSR_DHT_ID_LENGTH];
      TsrDhtNode node;

      random_id (id);
      node = make_node (id, 4, i);
      tsr_dht_table_heard_from (table, &node, i % 3 != 0, 1);
    }
  /* Every node of the farthest bucket fails twice: its cache replaces
   * some, the rest stay bad and must not be named. */
  tsr_dht_table_iter_init (&iter, table);
  while (tsr_dht_table_iter_next (&iter, &entry))
    if (tsr_dht_id_common_prefix (ours, entry->node.id) == 0)
      g_array_append_vals (far, &entry->node, 1);
  g_assert_cmpuint (far->len, ==, TSR_DHT_K);
  for (i = 0; i < far->len; i++)
    {
      tsr_dht_table_failed (table, &g_array_index (far, TsrDhtNode, i), 2);
      tsr_dht_table_failed (table, &g_array_index (far, TsrDhtNode, i), 2);
    }
  tsr_dht_table_count (table, 2, NULL, NULL, &bad);
  g_assert_cmpuint (bad, ==, TSR_DHT_K - TSR_DHT_CACHE_SIZE);

  tsr_dht_table_iter_init (&iter, table);
  while (tsr_dht_table_iter_next (&iter, &entry))
    if (tsr_dht_table_entry_state (entry, 2) != TSR_DHT_NODE_BAD)
      g_array_append_vals (live, &entry->node, 1);
  g_assert_cmpuint (live->len, ==, tsr_dht_table_get_n_nodes (table) - bad);
  g_assert_cmpuint (live->len, >, 50);

  for (round = 0; round < 100; round++)
    {
      guint8 target[TSR_DHT_ID_LENGTH];
      g_autoptr(GArray) expected = NULL;

      /* Random targets, and ids in the table (distance 0 comes first). */
      if (round % 4 == 0)
        memcpy (target, g_array_index (live, TsrDhtNode, round % live->len).id, 20);
      else
        random_id (target);
      expected = g_array_copy (live);
      g_array_sort_with_data (expected, compare_by_distance, target);
      for (i = 0; i < G_N_ELEMENTS (counts); i++)
        {
          g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
          guint n = tsr_dht_table_closest (table, target, counts[i], out);
          guint k;

          g_assert_cmpuint (n, ==, MIN (counts[i], live->len));
          g_assert_cmpuint (out->len, ==, n);
          for (k = 0; k < n; k++)
            g_assert_cmpmem (g_array_index (out, TsrDhtNode, k).id, 20,
                             g_array_index (expected, TsrDhtNode, k).id, 20);
        }
    }
}

static void
test_ping (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 ids[6][TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  TsrDhtNode node;
  const gint64 t = 100;
  guint i;

  random_id (ours);
  table = tsr_dht_table_new (ours, 4);
  /* 0-2 only queried us, 3-4 answered, 5 goes bad. */
  for (i = 0; i < 6; i++)
    {
      random_id (ids[i]);
      node = make_node (ids[i], 4, i);
      tsr_dht_table_heard_from (table, &node, i >= 3, t);
    }
  node = make_node (ids[5], 4, 5);
  tsr_dht_table_failed (table, &node, t);
  tsr_dht_table_failed (table, &node, t);
  g_assert_cmpuint (tsr_dht_table_nodes_to_ping (table, t, out), ==, 3);
  for (i = 0; i < out->len; i++)
    g_assert_nonnull (find (table, g_array_index (out, TsrDhtNode, i).id));
  for (i = 0; i < 3; i++)
    {
      guint k;
      gboolean named = FALSE;

      for (k = 0; k < out->len; k++)
        named |= memcmp (g_array_index (out, TsrDhtNode, k).id, ids[i], 20) == 0;
      g_assert_true (named);
    }
  /* Named once a minute at most. */
  g_assert_cmpuint (tsr_dht_table_nodes_to_ping (table, t + TSR_DHT_PING_SECONDS - 1, out), ==, 0);
  /* One answered meanwhile. */
  node = make_node (ids[0], 4, 0);
  tsr_dht_table_heard_from (table, &node, TRUE, t + 30);
  g_assert_cmpuint (tsr_dht_table_nodes_to_ping (table, t + TSR_DHT_PING_SECONDS, out), ==, 2);
  /* After 15 minutes every node that is not bad is questionable. */
  g_assert_cmpuint (tsr_dht_table_nodes_to_ping (table, t + 30 + TSR_DHT_GOOD_SECONDS, out), ==, 5);
}

static void
check_targets (TsrDhtTable *table,
               GArray      *targets,
               guint        first_bucket)
{
  guint n = tsr_dht_table_get_n_buckets (table);
  guint i;

  for (i = 0; i < targets->len; i++)
    {
      const guint8 *target = &g_array_index (targets, guint8, i * TSR_DHT_ID_LENGTH);
      guint shared = tsr_dht_id_common_prefix (tsr_dht_table_get_id (table), target);

      g_assert_cmpuint (MIN (shared, n - 1), ==, first_bucket + i);
    }
}

static void
test_refresh (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 far[8][TSR_DHT_ID_LENGTH];
  guint8 near[9][TSR_DHT_ID_LENGTH];
  const gint64 t = 5000;
  g_autoptr(TsrDhtTable) table = make_split_table (ours, far, near, t);
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, TSR_DHT_ID_LENGTH);
  g_autoptr(TsrDhtTable) fresh = tsr_dht_table_new (ours, 4);
  TsrDhtNode node;
  guint n = tsr_dht_table_get_n_buckets (table);
  gboolean last_shares_least = FALSE;
  gint64 now;

  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (table, t + TSR_DHT_REFRESH_SECONDS - 1, targets), ==, 0);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (table, t + TSR_DHT_REFRESH_SECONDS, targets), ==, n);
  check_targets (table, targets, 0);
  /* Named: not again for 15 minutes. */
  g_array_set_size (targets, 0);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (table, t + TSR_DHT_REFRESH_SECONDS + 1, targets), ==, 0);
  /* An answer in bucket 0 keeps it fresh. */
  node = make_node (far[0], 4, 0);
  tsr_dht_table_heard_from (table, &node, TRUE, t + 1000);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (table, t + 2 * TSR_DHT_REFRESH_SECONDS, targets), ==, n - 1);
  check_targets (table, targets, 1);
  /* Many rounds: the random bits never leave the range, and they cover
   * our bucket's range (sharing n - 1 bits with our id, or more). */
  for (now = t + 3 * TSR_DHT_REFRESH_SECONDS; now < t + 60 * TSR_DHT_REFRESH_SECONDS; now += TSR_DHT_REFRESH_SECONDS)
    {
      g_array_set_size (targets, 0);
      g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (table, now, targets), ==, n);
      check_targets (table, targets, 0);
      last_shares_least |= tsr_dht_id_common_prefix (ours, &g_array_index (targets, guint8, (n - 1) * 20)) == n - 1;
    }
  g_assert_true (last_shares_least);
  /* A new table's one bucket is due at once. */
  g_array_set_size (targets, 0);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (fresh, 0, targets), ==, 1);
}

static GBytes *
image (gint64        version,
       gint64        family,
       const guint8 *id,
       gsize         id_length,
       const guint8 *nodes,
       gsize         nodes_length)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();

  if (version >= 0)
    tsr_bencode_dict_insert (root, "version", tsr_bencode_new_integer (version));
  tsr_bencode_dict_insert (root, "family", tsr_bencode_new_integer (family));
  if (id != NULL)
    tsr_bencode_dict_insert (root, "id", tsr_bencode_new_string (id, id_length));
  if (nodes != NULL)
    tsr_bencode_dict_insert (root, "nodes", tsr_bencode_new_string (nodes, nodes_length));
  else
    tsr_bencode_dict_insert (root, "nodes", tsr_bencode_new_integer (0));
  return tsr_bencode_encode (root);
}

static void
check_image_refused (GBytes *bytes,
                     gint    code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrDhtTable) table = tsr_dht_table_deserialize (g_bytes_get_data (bytes, NULL),
                                                            g_bytes_get_size (bytes), 4, &error);

  g_assert_null (table);
  g_assert_error (error, TSR_DHT_TABLE_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_serialize (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 far[8][TSR_DHT_ID_LENGTH];
  guint8 near[9][TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = make_split_table (ours, far, near, 0);
  g_autoptr(TsrDhtTable) loaded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, TSR_DHT_ID_LENGTH);
  TsrDhtTableIter iter;
  const TsrDhtTableEntry *entry;
  TsrDhtNode node;
  const guint8 *data;
  gsize length;
  guint good;
  guint questionable;
  guint bad;
  guint n = 0;
  gsize cut;

  /* far[0] goes bad (bucket 0 has no cache): it is not kept. */
  node = make_node (far[0], 4, 0);
  tsr_dht_table_failed (table, &node, 1);
  tsr_dht_table_failed (table, &node, 1);
  bytes = tsr_dht_table_serialize (table);
  data = g_bytes_get_data (bytes, &length);
  loaded = tsr_dht_table_deserialize (data, length, 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpmem (tsr_dht_table_get_id (loaded), 20, ours, 20);
  g_assert_cmpuint (tsr_dht_table_get_family (loaded), ==, 4);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (loaded), ==, 15);
  g_assert_null (find (loaded, far[0]));
  tsr_dht_table_iter_init (&iter, table);
  while (tsr_dht_table_iter_next (&iter, &entry))
    {
      const TsrDhtTableEntry *copy = find (loaded, entry->node.id);

      if (tsr_dht_table_entry_state (entry, 1) == TSR_DHT_NODE_BAD)
        continue;
      g_assert_nonnull (copy);
      g_assert_cmpmem (&copy->node.address.address, 16, &entry->node.address.address, 16);
      g_assert_cmpuint (copy->node.address.port, ==, entry->node.address.port);
      n++;
    }
  g_assert_cmpuint (n, ==, 15);
  /* Loaded nodes are questionable until they answer; buckets are due. */
  tsr_dht_table_count (loaded, 1, &good, &questionable, &bad);
  g_assert_cmpuint (good, ==, 0);
  g_assert_cmpuint (questionable, ==, 15);
  g_assert_cmpuint (bad, ==, 0);
  g_assert_cmpuint (tsr_dht_table_buckets_to_refresh (loaded, 1, targets), ==, tsr_dht_table_get_n_buckets (loaded));
  /* The wrong family is refused. */
  g_assert_null (tsr_dht_table_deserialize (data, length, 6, &error));
  g_assert_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_FAMILY);
  g_clear_error (&error);

  /* Every proper prefix is refused. */
  for (cut = 0; cut < length; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, cut);
      g_autoptr(TsrDhtTable) partial = tsr_dht_table_deserialize (copy, cut, 4, &error);

      g_assert_null (partial);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

static void
test_serialize_ipv6 (void)
{
  guint8 ours[TSR_DHT_ID_LENGTH];
  guint8 id[TSR_DHT_ID_LENGTH];
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(TsrDhtTable) loaded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  TsrDhtNode node;
  guint i;

  random_id (ours);
  table = tsr_dht_table_new (ours, 6);
  for (i = 0; i < 30; i++)
    {
      random_id (id);
      node = make_node (id, 6, i);
      tsr_dht_table_heard_from (table, &node, TRUE, 1);
    }
  bytes = tsr_dht_table_serialize (table);
  loaded = tsr_dht_table_deserialize (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 6, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (loaded), ==, tsr_dht_table_get_n_nodes (table));
  g_assert_cmpuint (find (loaded, node.id) != NULL, ==, find (table, node.id) != NULL);
}

static void
test_damaged_images (void)
{
  guint8 id[TSR_DHT_ID_LENGTH] = { 1 };
  guint8 nodes[2 * TSR_KRPC_NODE4_LENGTH] = { 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *huge = NULL;

  /* A valid one first, with our own id among the nodes (skipped). */
  memset (nodes, 0x22, sizeof nodes);
  memcpy (nodes, id, 20);
  bytes = image (1, 4, id, 20, nodes, sizeof nodes);
  table = tsr_dht_table_deserialize (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_dht_table_get_n_nodes (table), ==, 1);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_null (tsr_dht_table_deserialize ((const guint8 *) "", 0, 4, &error));
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_EMPTY);
  g_clear_error (&error);

#define REFUSED(expression, code) \
  G_STMT_START { \
    g_autoptr(GBytes) damaged = (expression); \
    check_image_refused (damaged, (code)); \
  } G_STMT_END

  REFUSED (g_bytes_new_static ("le", 2), TSR_DHT_TABLE_ERROR_MALFORMED);
  REFUSED (image (-1, 4, id, 20, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_MALFORMED);
  REFUSED (image (2, 4, id, 20, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_VERSION);
  REFUSED (image (0, 4, id, 20, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_VERSION);
  REFUSED (image (1, 6, id, 20, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_FAMILY);
  REFUSED (image (1, 4, NULL, 0, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_MALFORMED);
  REFUSED (image (1, 4, id, 19, nodes, sizeof nodes), TSR_DHT_TABLE_ERROR_BAD_LENGTH);
  REFUSED (image (1, 4, id, 20, nodes, sizeof nodes - 1), TSR_DHT_TABLE_ERROR_BAD_LENGTH);
  REFUSED (image (1, 4, id, 20, nodes, TSR_KRPC_NODE6_LENGTH), TSR_DHT_TABLE_ERROR_BAD_LENGTH);
  REFUSED (image (1, 4, id, 20, NULL, 0), TSR_DHT_TABLE_ERROR_MALFORMED);
  huge = g_malloc0 (TSR_DHT_TABLE_MAX_IMAGE + 1);
  REFUSED (g_bytes_new (huge, TSR_DHT_TABLE_MAX_IMAGE + 1), TSR_DHT_TABLE_ERROR_TOO_LARGE);
#undef REFUSED
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dht-table/insert", test_insert);
  g_test_add_func ("/dht-table/split", test_split);
  g_test_add_func ("/dht-table/split-to-the-end", test_split_to_the_end);
  g_test_add_func ("/dht-table/full-far-bucket", test_full_far_bucket);
  g_test_add_func ("/dht-table/bad-replaced", test_bad_replaced);
  g_test_add_func ("/dht-table/states", test_states);
  g_test_add_func ("/dht-table/moved-id", test_moved_id);
  g_test_add_func ("/dht-table/closest", test_closest);
  g_test_add_func ("/dht-table/ping", test_ping);
  g_test_add_func ("/dht-table/refresh", test_refresh);
  g_test_add_func ("/dht-table/serialize", test_serialize);
  g_test_add_func ("/dht-table/serialize-ipv6", test_serialize_ipv6);
  g_test_add_func ("/dht-table/damaged-images", test_damaged_images);
  return g_test_run ();
}
