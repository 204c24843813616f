/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-lookup.c: a TsrDhtLookup against a fake host, without
 * sockets: a simulated DHT of 64 nodes answers its get_peers with the
 * nodes it knows closest to the target. The lookup converges on the K
 * closest, never has more than alpha queries out, never asks us, tells
 * each peer once, announces with each node's own token, ends once; and
 * it copes with silent nodes, spent budgets, an empty table and a host
 * that goes away.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-dht-lookup.h"
#include "tsr-dht-table.h"

#define N_NODES 64

typedef struct
{
  TsrDhtLookupQuery query;
  TsrDhtNode        node;
  guint8            token[TSR_KRPC_MAX_TOKEN];
  gsize             token_length;
} Sent;

typedef struct
{
  guint8      own_id[TSR_DHT_ID_LENGTH];
  guint8      target[TSR_DHT_ID_LENGTH];
  TsrDhtNode  world[N_NODES];
  GArray     *seeds;        /* (element-type TsrDhtNode) what the tables give */
  GArray     *sent;         /* (element-type Sent) every query, in order */
  GArray     *out;          /* (element-type TsrDhtNode) get_peers not answered yet */
  guint       max_out;
  GArray     *peers;        /* (element-type TsrPeerAddress) found, in order */
  guint       n_done;
  guint       answered;
  gboolean    sent_after_done;
  TsrDhtSend  verdict;      /* what send_query answers */
  TsrDhtLookup *lookup;
} Fixture;

static TsrDhtSend
on_send_query (TsrDhtLookup      *lookup,
               TsrDhtLookupQuery  query,
               const TsrDhtNode  *node,
               const guint8      *token,
               gsize              token_length,
               gpointer           user_data)
{
  Fixture *f = user_data;
  Sent sent = { query, *node, { 0 }, token_length };

  g_assert_true (lookup == f->lookup);
  if (f->n_done > 0)
    f->sent_after_done = TRUE;
  if (f->verdict != TSR_DHT_SEND_OK && query == TSR_DHT_LOOKUP_GET_PEERS)
    return f->verdict;
  g_assert_cmpuint (token_length, <=, sizeof sent.token);
  if (token_length > 0)
    memcpy (sent.token, token, token_length);
  g_array_append_val (f->sent, sent);
  if (query == TSR_DHT_LOOKUP_GET_PEERS)
    {
      g_array_append_val (f->out, *node);
      f->max_out = MAX (f->max_out, f->out->len);
    }
  return TSR_DHT_SEND_OK;
}

static void
on_closest (const guint8 *target,
            guint         family,
            guint         count,
            GArray       *nodes,
            gpointer      user_data)
{
  Fixture *f = user_data;
  guint i;

  g_assert_cmpmem (target, TSR_DHT_ID_LENGTH, f->target, TSR_DHT_ID_LENGTH);
  if (family != 4)
    return;
  for (i = 0; i < f->seeds->len && i < count; i++)
    g_array_append_val (nodes, g_array_index (f->seeds, TsrDhtNode, i));
}

static void
on_found_peers (const guint8 *target,
                const GArray *peers,
                gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_cmpmem (target, TSR_DHT_ID_LENGTH, f->target, TSR_DHT_ID_LENGTH);
  g_assert_cmpuint (peers->len, >, 0);
  g_array_append_vals (f->peers, peers->data, peers->len);
}

static void
on_done (const guint8 *target,
         guint         answered,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_cmpmem (target, TSR_DHT_ID_LENGTH, f->target, TSR_DHT_ID_LENGTH);
  f->n_done++;
  f->answered = answered;
}

static const TsrDhtLookupFuncs funcs = {
  .send_query = on_send_query,
  .closest = on_closest,
  .found_peers = on_found_peers,
  .done = on_done,
};

static void
make_node (TsrDhtNode *node,
           GRand      *rand,
           guint       n)
{
  guint i;

  memset (node, 0, sizeof *node);
  for (i = 0; i < TSR_DHT_ID_LENGTH; i++)
    node->id[i] = (guint8) g_rand_int (rand);
  node->address.family = 4;
  node->address.address[0] = 10;
  node->address.address[2] = (guint8) (n >> 8);
  node->address.address[3] = (guint8) n;
  node->address.port = (guint16) (6881 + n);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  guint i;

  memset (f, 0, sizeof *f);
  for (i = 0; i < TSR_DHT_ID_LENGTH; i++)
    {
      f->own_id[i] = (guint8) g_rand_int (rand);
      f->target[i] = (guint8) g_rand_int (rand);
    }
  for (i = 0; i < N_NODES; i++)
    make_node (&f->world[i], rand, i + 1);
  f->seeds = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  f->sent = g_array_new (FALSE, FALSE, sizeof (Sent));
  f->out = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  f->peers = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  f->verdict = TSR_DHT_SEND_OK;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->lookup, tsr_dht_lookup_unref);
  g_array_unref (f->seeds);
  g_array_unref (f->sent);
  g_array_unref (f->out);
  g_array_unref (f->peers);
}

/* The world's nodes by distance to the target, closest first. */
static gint
compare_distance (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return tsr_dht_id_compare_distance (user_data, ((const TsrDhtNode *) a)->id, ((const TsrDhtNode *) b)->id);
}

static GArray *
world_by_distance (Fixture *f)
{
  GArray *sorted = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));

  g_array_append_vals (sorted, f->world, N_NODES);
  g_array_sort_with_data (sorted, compare_distance, f->target);
  return sorted;
}

/* Seeds: the four nodes farthest from the target. */
static void
seed_far (Fixture *f)
{
  g_autoptr(GArray) sorted = world_by_distance (f);

  g_array_append_vals (f->seeds, &g_array_index (sorted, TsrDhtNode, N_NODES - 4), 4);
}

static gboolean
same_node (const TsrDhtNode *a,
           const TsrDhtNode *b)
{
  return memcmp (a->id, b->id, TSR_DHT_ID_LENGTH) == 0;
}

static guint
world_index (Fixture          *f,
             const TsrDhtNode *node)
{
  guint i;

  for (i = 0; i < N_NODES; i++)
    if (same_node (&f->world[i], node))
      return i;
  g_assert_not_reached ();
  return 0;
}

/* What a node of the world answers: the nodes of the world closest to
 * the target, ourselves among them (nodes name their askers), a node
 * without a port, and its own token. */
static TsrKrpcMessage *
world_answer (Fixture          *f,
              const TsrDhtNode *asked)
{
  TsrKrpcMessage *message = tsr_krpc_message_new (TSR_KRPC_TYPE_RESPONSE);
  g_autoptr(GArray) sorted = world_by_distance (f);
  TsrDhtNode us = f->world[0];
  TsrDhtNode portless = f->world[1];
  guint index = world_index (f, asked);

  memcpy (message->id, asked->id, TSR_DHT_ID_LENGTH);
  message->nodes = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  memcpy (us.id, f->own_id, TSR_DHT_ID_LENGTH);
  g_array_append_val (message->nodes, us);
  memset (portless.id, 0, TSR_DHT_ID_LENGTH);
  memcpy (portless.id, f->target, 12);
  portless.address.port = 0;
  g_array_append_val (message->nodes, portless);
  g_array_append_vals (message->nodes, sorted->data, TSR_DHT_K);
  message->has_token = TRUE;
  message->token_length = 4;
  message->token[0] = 't';
  message->token[1] = (guint8) index;
  message->token[2] = 'o';
  message->token[3] = 'k';
  return message;
}

static void
answer (Fixture        *f,
        guint           i,
        TsrKrpcMessage *message)
{
  TsrDhtNode asked = g_array_index (f->out, TsrDhtNode, i);

  g_array_remove_index (f->out, i);
  tsr_dht_lookup_answered (f->lookup, &asked, &asked.address, message);
  tsr_dht_lookup_step (f->lookup);
  tsr_krpc_message_free (message);
}

static guint
count_sent (Fixture           *f,
            TsrDhtLookupQuery  query,
            const TsrDhtNode  *node)
{
  guint i, n = 0;

  for (i = 0; i < f->sent->len; i++)
    {
      Sent *sent = &g_array_index (f->sent, Sent, i);

      if (sent->query == query && (node == NULL || same_node (&sent->node, node)))
        n++;
    }
  return n;
}

/* From four far nodes to the K closest of the world, alpha at a time;
 * then announce_peer to exactly those, each with its own token. */
static void
test_converges_and_announces (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GArray) sorted = world_by_distance (f);
  guint i, rounds = 0;

  seed_far (f);
  f->lookup = tsr_dht_lookup_new (f->target, 6881, f->own_id, &funcs, f);
  g_assert_cmpuint (f->sent->len, ==, 0);   /* nothing before the first step */
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->out->len, ==, TSR_DHT_ALPHA);
  while (f->out->len > 0 && rounds++ < 1000)
    answer (f, 0, world_answer (f, &g_array_index (f->out, TsrDhtNode, 0)));

  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_true (tsr_dht_lookup_is_done (f->lookup));
  g_assert_cmpuint (f->max_out, <=, TSR_DHT_ALPHA);
  g_assert_cmpuint (f->answered, ==, count_sent (f, TSR_DHT_LOOKUP_GET_PEERS, NULL));
  /* It stopped at the closest: far fewer queries than nodes. */
  g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_GET_PEERS, NULL), <=, 4 + TSR_DHT_K + TSR_DHT_ALPHA);
  for (i = 0; i < N_NODES; i++)
    g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_GET_PEERS, &f->world[i]), <=, 1);
  for (i = 0; i < f->sent->len; i++)
    {
      Sent *sent = &g_array_index (f->sent, Sent, i);

      g_assert_false (memcmp (sent->node.id, f->own_id, TSR_DHT_ID_LENGTH) == 0);
      g_assert_cmpuint (sent->node.address.port, !=, 0);
    }
  for (i = 0; i < TSR_DHT_K; i++)
    {
      const TsrDhtNode *close = &g_array_index (sorted, TsrDhtNode, i);
      guint j;

      g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_GET_PEERS, close), ==, 1);
      g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_ANNOUNCE, close), ==, 1);
      for (j = 0; j < f->sent->len; j++)
        {
          Sent *sent = &g_array_index (f->sent, Sent, j);

          if (sent->query != TSR_DHT_LOOKUP_ANNOUNCE || !same_node (&sent->node, close))
            continue;
          g_assert_cmpuint (sent->token_length, ==, 4);
          g_assert_cmpuint (sent->token[1], ==, world_index (f, close));
        }
    }
  g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_ANNOUNCE, NULL), ==, TSR_DHT_K);
  g_assert_false (f->sent_after_done);

  /* Late answers and timeouts change nothing. */
  tsr_dht_lookup_failed (f->lookup, &f->world[0]);
  tsr_dht_lookup_step (f->lookup);
  tsr_dht_lookup_retry (f->lookup);
  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_false (f->sent_after_done);
}

/* Without an announce port the lookup only looks. */
static void
test_no_announce (Fixture       *f,
                  gconstpointer  data)
{
  guint rounds = 0;

  seed_far (f);
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  while (f->out->len > 0 && rounds++ < 1000)
    answer (f, 0, world_answer (f, &g_array_index (f->out, TsrDhtNode, 0)));
  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_cmpuint (count_sent (f, TSR_DHT_LOOKUP_ANNOUNCE, NULL), ==, 0);
}

static TsrKrpcMessage *
values_answer (const TsrDhtNode *asked,
               const guint16    *ports,
               guint             n_ports)
{
  TsrKrpcMessage *message = tsr_krpc_message_new (TSR_KRPC_TYPE_RESPONSE);
  guint i;

  memcpy (message->id, asked->id, TSR_DHT_ID_LENGTH);
  message->values = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  for (i = 0; i < n_ports; i++)
    {
      TsrPeerAddress peer = { 4, { 192, 0, 2, 1 }, ports[i] };

      g_array_append_val (message->values, peer);
    }
  return message;
}

/* Peers are told as they come, each once; a port of 0 is no peer. */
static void
test_peers_told_once (Fixture       *f,
                      gconstpointer  data)
{
  static const guint16 first[] = { 1000, 1001, 0 };
  static const guint16 second[] = { 1001, 1002, 1000 };
  static const guint16 third[] = { 1002 };

  g_array_append_vals (f->seeds, f->world, 3);
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->out->len, ==, 3);
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), first, G_N_ELEMENTS (first)));
  g_assert_cmpuint (f->peers->len, ==, 2);
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), second, G_N_ELEMENTS (second)));
  g_assert_cmpuint (f->peers->len, ==, 3);
  g_assert_cmpuint (f->n_done, ==, 0);
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), third, G_N_ELEMENTS (third)));
  g_assert_cmpuint (f->peers->len, ==, 3);
  g_assert_cmpuint (g_array_index (f->peers, TsrPeerAddress, 0).port, ==, 1000);
  g_assert_cmpuint (g_array_index (f->peers, TsrPeerAddress, 1).port, ==, 1001);
  g_assert_cmpuint (g_array_index (f->peers, TsrPeerAddress, 2).port, ==, 1002);
  /* The three answered and named no one closer: done. */
  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_cmpuint (f->answered, ==, 3);
}

/* A node that times out or answers with an error is dropped and the
 * next candidate asked; the lookup still ends, counting only answers. */
static void
test_failures_replaced (Fixture       *f,
                        gconstpointer  data)
{
  TsrDhtNode asked;
  g_autoptr(TsrKrpcMessage) error = tsr_krpc_message_new (TSR_KRPC_TYPE_ERROR);

  g_array_append_vals (f->seeds, f->world, 5);
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 3);

  asked = g_array_index (f->out, TsrDhtNode, 0);
  g_array_remove_index (f->out, 0);
  tsr_dht_lookup_failed (f->lookup, &asked);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 4);

  asked = g_array_index (f->out, TsrDhtNode, 0);
  g_array_remove_index (f->out, 0);
  tsr_dht_lookup_answered (f->lookup, &asked, &asked.address, error);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 5);
  g_assert_cmpuint (f->out->len, ==, 3);

  while (f->out->len > 0)
    answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), NULL, 0));
  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_cmpuint (f->answered, ==, 3);
  g_assert_cmpuint (f->sent->len, ==, 5);   /* no node asked twice */
}

/* A spent budget leaves the candidate for later (the host's tick); a
 * node in backoff is not waited for. */
static void
test_budget (Fixture       *f,
             gconstpointer  data)
{
  g_array_append_vals (f->seeds, f->world, 2);
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  f->verdict = TSR_DHT_SEND_LATER;
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_cmpuint (f->n_done, ==, 0);

  f->verdict = TSR_DHT_SEND_OK;
  tsr_dht_lookup_retry (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 2);
  tsr_dht_lookup_retry (f->lookup);   /* queries out: the tick leaves it alone */
  g_assert_cmpuint (f->sent->len, ==, 2);
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), NULL, 0));
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), NULL, 0));
  g_assert_cmpuint (f->n_done, ==, 1);
  g_clear_pointer (&f->lookup, tsr_dht_lookup_unref);

  /* Every candidate in backoff: nothing to wait for, done at once. */
  f->n_done = 0;
  f->verdict = TSR_DHT_SEND_BACKOFF;
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->n_done, ==, 1);
  g_assert_cmpuint (f->answered, ==, 0);
}

/* No node in the tables: nothing happens until the tables fill. */
static void
test_empty_tables (Fixture       *f,
                   gconstpointer  data)
{
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  tsr_dht_lookup_retry (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_cmpuint (f->n_done, ==, 0);
  g_array_append_vals (f->seeds, f->world, 1);
  tsr_dht_lookup_retry (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 1);
}

/* Once the host goes, the lookup calls nothing. */
static void
test_detach (Fixture       *f,
             gconstpointer  data)
{
  g_array_append_vals (f->seeds, f->world, 4);
  f->lookup = tsr_dht_lookup_new (f->target, 0, f->own_id, &funcs, f);
  tsr_dht_lookup_step (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 3);
  tsr_dht_lookup_detach (f->lookup);
  answer (f, 0, values_answer (&g_array_index (f->out, TsrDhtNode, 0), (const guint16[]) { 7 }, 1));
  tsr_dht_lookup_retry (f->lookup);
  g_assert_cmpuint (f->sent->len, ==, 3);
  g_assert_cmpuint (f->peers->len, ==, 0);
  g_assert_cmpuint (f->n_done, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dht-lookup/converges-and-announces", test_converges_and_announces);
  ADD ("/dht-lookup/no-announce", test_no_announce);
  ADD ("/dht-lookup/peers-told-once", test_peers_told_once);
  ADD ("/dht-lookup/failures-replaced", test_failures_replaced);
  ADD ("/dht-lookup/budget", test_budget);
  ADD ("/dht-lookup/empty-tables", test_empty_tables);
  ADD ("/dht-lookup/detach", test_detach);
#undef ADD

  return g_test_run ();
}
