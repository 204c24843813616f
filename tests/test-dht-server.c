/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-server.c: a TsrDhtServer against a fake host, without
 * sockets: queries are written and parsed by the KRPC codec, and the
 * replies the server sends are parsed back. ping, find_node (BEP 32
 * "want"), get_peers and announce_peer with good, missing, foreign and
 * expired tokens; read-only askers (BEP 43); the rate limit per sender;
 * stored peers that expire; unknown methods.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-dht-server.h"
#include "tsr-dht-table.h"
#include "tsr-dht-token.h"

#define OWN_ID  "\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11"
#define THEIR_ID "\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22\x22"
#define HASH    "\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab\xab"
#define NOW     1000

typedef struct
{
  guint8        id[TSR_DHT_ID_LENGTH];
  TsrDhtServer *server;
  GPtrArray    *replies;   /* (element-type TsrKrpcMessage) */
  GPtrArray    *to;        /* (element-type TsrPeerAddress) where each went */
  GArray       *seen;      /* (element-type TsrDhtNode) */
} Fixture;

static void
on_send_reply (const TsrPeerAddress *to,
               GBytes               *reply,
               gpointer              user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  TsrKrpcMessage *message = tsr_krpc_message_parse (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                                    &error);

  g_assert_no_error (error);
  g_ptr_array_add (f->replies, message);
  g_ptr_array_add (f->to, g_memdup2 (to, sizeof *to));
}

static void
on_table_seen (const TsrDhtNode *node,
               gpointer          user_data)
{
  Fixture *f = user_data;

  g_array_append_val (f->seen, *node);
}

/* Three IPv4 and two IPv6 nodes, whatever the target. */
static void
on_closest (const guint8 *target,
            guint         family,
            guint         count,
            GArray       *nodes,
            gpointer      user_data)
{
  guint i;

  g_assert_cmpuint (count, ==, TSR_DHT_K);
  for (i = 0; i < (family == 6 ? 2 : 3); i++)
    {
      TsrDhtNode node = { { 0 } };

      memset (node.id, 0x30 + i, TSR_DHT_ID_LENGTH);
      node.address.family = (guint8) family;
      node.address.address[0] = family == 6 ? 0x20 : 10;
      node.address.address[family == 6 ? 15 : 3] = (guint8) (i + 1);
      node.address.port = (guint16) (7000 + i);
      g_array_append_val (nodes, node);
    }
}

static const TsrDhtServerFuncs funcs = {
  .send_reply = on_send_reply,
  .table_seen = on_table_seen,
  .closest = on_closest,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  memcpy (f->id, OWN_ID, TSR_DHT_ID_LENGTH);
  f->server = tsr_dht_server_new (f->id, NOW, &funcs, f);
  f->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_krpc_message_free);
  f->to = g_ptr_array_new_with_free_func (g_free);
  f->seen = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_dht_server_free (f->server);
  g_ptr_array_unref (f->replies);
  g_ptr_array_unref (f->to);
  g_array_unref (f->seen);
}

static TsrPeerAddress
address4 (guint8  last,
          guint16 port)
{
  TsrPeerAddress address = { 4, { 198, 51, 100, last }, port };

  return address;
}

static TsrPeerAddress
address6 (guint8  last,
          guint16 port)
{
  TsrPeerAddress address = { 6, { 0x20, 0x01, 0x0d, 0xb8 }, port };

  address.address[15] = last;
  return address;
}

/* Parses @packet as a query and hands it to the server; the reply (or
 * NULL) comes back, borrowed. */
static TsrKrpcMessage *
ask (Fixture              *f,
     GBytes               *packet,
     const TsrPeerAddress *from,
     gint64                now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrKrpcMessage) query = tsr_krpc_message_parse (g_bytes_get_data (packet, NULL),
                                                             g_bytes_get_size (packet), &error);
  guint before = f->replies->len;

  g_assert_no_error (error);
  g_bytes_unref (packet);
  tsr_dht_server_handle_query (f->server, query, from, now);
  if (f->replies->len == before)
    return NULL;
  g_assert_cmpuint (f->replies->len, ==, before + 1);
  g_assert_cmpmem (g_ptr_array_index (f->to, before), sizeof *from, from, sizeof *from);
  return g_ptr_array_index (f->replies, before);
}

static GBytes *
ping (gboolean read_only)
{
  return tsr_krpc_write_ping ((const guint8 *) "pi", 2, (const guint8 *) THEIR_ID, read_only);
}

static GBytes *
get_peers (TsrKrpcWant want)
{
  return tsr_krpc_write_get_peers ((const guint8 *) "gp", 2, (const guint8 *) THEIR_ID, FALSE,
                                   (const guint8 *) HASH, want);
}

static GBytes *
announce (guint16       port,
          gboolean      implied,
          const guint8 *token,
          gsize         token_length)
{
  return tsr_krpc_write_announce_peer ((const guint8 *) "ap", 2, (const guint8 *) THEIR_ID, FALSE,
                                       (const guint8 *) HASH, port, implied, token, token_length);
}

/* ping: our id, the transaction echoed, the asker's address (BEP 42);
 * the asker is offered to the table, unless it is read-only (BEP 43). */
static void
test_ping (Fixture       *f,
           gconstpointer  data)
{
  TsrPeerAddress from = address4 (7, 6881);
  TsrKrpcMessage *reply = ask (f, ping (FALSE), &from, NOW);
  TsrDhtNode *seen;

  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);
  g_assert_cmpmem (reply->transaction, reply->transaction_length, "pi", 2);
  g_assert_cmpmem (reply->id, TSR_DHT_ID_LENGTH, OWN_ID, TSR_DHT_ID_LENGTH);
  g_assert_true (reply->has_ip);
  g_assert_cmpmem (reply->ip.address, 4, from.address, 4);
  g_assert_cmpuint (reply->ip.port, ==, 6881);
  g_assert_null (reply->nodes);
  g_assert_cmpuint (f->seen->len, ==, 1);
  seen = &g_array_index (f->seen, TsrDhtNode, 0);
  g_assert_cmpmem (seen->id, TSR_DHT_ID_LENGTH, THEIR_ID, TSR_DHT_ID_LENGTH);
  g_assert_cmpuint (seen->address.port, ==, 6881);

  reply = ask (f, ping (TRUE), &from, NOW);
  g_assert_nonnull (reply);
  g_assert_cmpuint (f->seen->len, ==, 1);

  /* BEP 42: the id answered is the host's as it is now. */
  f->id[0] = 0x99;
  reply = ask (f, ping (FALSE), &from, NOW);
  g_assert_cmpuint (reply->id[0], ==, 0x99);
}

/* find_node: the asker's family by default, either or both on request. */
static void
test_find_node (Fixture       *f,
                gconstpointer  data)
{
  static const struct
  {
    TsrKrpcWant want;
    gboolean    from6;
    gint        nodes, nodes6;
  } cases[] = {
    { TSR_KRPC_WANT_NONE, FALSE, 3, -1 },
    { TSR_KRPC_WANT_NONE, TRUE, -1, 2 },
    { TSR_KRPC_WANT_N6, FALSE, -1, 2 },
    { TSR_KRPC_WANT_N4 | TSR_KRPC_WANT_N6, TRUE, 3, 2 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TsrPeerAddress from = cases[i].from6 ? address6 (i, 6881) : address4 (i, 6881);
      GBytes *query = tsr_krpc_write_find_node ((const guint8 *) "fn", 2, (const guint8 *) THEIR_ID, FALSE,
                                                (const guint8 *) HASH, cases[i].want);
      TsrKrpcMessage *reply = ask (f, query, &from, NOW);

      g_test_message ("case %u", i);
      g_assert_nonnull (reply);
      g_assert_cmpint (reply->nodes != NULL ? (gint) reply->nodes->len : -1, ==, cases[i].nodes);
      g_assert_cmpint (reply->nodes6 != NULL ? (gint) reply->nodes6->len : -1, ==, cases[i].nodes6);
      g_assert_false (reply->has_token);
      g_assert_null (reply->values);
    }
}

/* get_peers gives nodes and a token; announce_peer with it stores the
 * asker at the port it names (or its UDP port, implied_port); the next
 * get_peers gives the peers of the asker's family along with nodes. */
static void
test_get_peers_and_announce (Fixture       *f,
                             gconstpointer  data)
{
  TsrPeerAddress a = address4 (1, 6881);
  TsrPeerAddress b = address4 (2, 6882);
  TsrPeerAddress c = address4 (3, 6883);
  TsrPeerAddress v6 = address6 (4, 6884);
  TsrKrpcMessage *reply;
  guint8 token_a[TSR_KRPC_MAX_TOKEN], token_b[TSR_KRPC_MAX_TOKEN], token_6[TSR_KRPC_MAX_TOKEN];
  gsize length_a, length_b, length_6;

  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &a, NOW);
  g_assert_true (reply->has_token);
  g_assert_cmpuint (reply->token_length, ==, TSR_DHT_TOKEN_LENGTH);
  g_assert_null (reply->values);
  g_assert_cmpuint (reply->nodes->len, ==, 3);
  memcpy (token_a, reply->token, reply->token_length);
  length_a = reply->token_length;
  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &b, NOW);
  memcpy (token_b, reply->token, reply->token_length);
  length_b = reply->token_length;
  g_assert_false (memcmp (token_a, token_b, length_a) == 0);   /* one per address */
  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &v6, NOW);
  memcpy (token_6, reply->token, reply->token_length);
  length_6 = reply->token_length;

  reply = ask (f, announce (51413, FALSE, token_a, length_a), &a, NOW);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);
  reply = ask (f, announce (1, TRUE, token_b, length_b), &b, NOW);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);
  reply = ask (f, announce (9999, FALSE, token_6, length_6), &v6, NOW);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);
  /* Announcing again refreshes, it does not add. */
  reply = ask (f, announce (51413, FALSE, token_a, length_a), &a, NOW + 10);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);

  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &c, NOW + 20);
  g_assert_nonnull (reply->values);
  g_assert_cmpuint (reply->values->len, ==, 2);
  g_assert_cmpmem (g_array_index (reply->values, TsrPeerAddress, 0).address, 4, a.address, 4);
  g_assert_cmpuint (g_array_index (reply->values, TsrPeerAddress, 0).port, ==, 51413);
  g_assert_cmpmem (g_array_index (reply->values, TsrPeerAddress, 1).address, 4, b.address, 4);
  g_assert_cmpuint (g_array_index (reply->values, TsrPeerAddress, 1).port, ==, 6882);
  g_assert_nonnull (reply->nodes);   /* nodes too, as libtorrent does */

  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &v6, NOW + 20);
  g_assert_cmpuint (reply->values->len, ==, 1);
  g_assert_cmpuint (g_array_index (reply->values, TsrPeerAddress, 0).family, ==, 6);
  g_assert_cmpuint (g_array_index (reply->values, TsrPeerAddress, 0).port, ==, 9999);
}

static void
assert_bad_token (TsrKrpcMessage *reply)
{
  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_ERROR);
  g_assert_cmpint (reply->error_code, ==, TSR_KRPC_CODE_PROTOCOL);
  g_assert_cmpstr (reply->error_message, ==, "bad token");
}

/* No token, another address's token, a made-up one, and one two
 * rotations old: refused, and nothing is stored. One rotation old
 * still counts. */
static void
test_bad_tokens (Fixture       *f,
                 gconstpointer  data)
{
  TsrPeerAddress a = address4 (1, 6881);
  TsrPeerAddress b = address4 (2, 6882);
  TsrKrpcMessage *reply;
  guint8 token[TSR_KRPC_MAX_TOKEN];
  gsize length;

  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &a, NOW);
  memcpy (token, reply->token, reply->token_length);
  length = reply->token_length;

  assert_bad_token (ask (f, announce (1000, FALSE, NULL, 0), &a, NOW));
  assert_bad_token (ask (f, announce (1000, FALSE, token, length), &b, NOW));
  assert_bad_token (ask (f, announce (1000, FALSE, (const guint8 *) "12345678", 8), &a, NOW));
  assert_bad_token (ask (f, announce (1000, FALSE, token, length - 1), &a, NOW));
  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &b, NOW);
  g_assert_null (reply->values);

  tsr_dht_server_upkeep (f->server, NOW + TSR_DHT_TOKEN_ROTATION);
  reply = ask (f, announce (1000, FALSE, token, length), &a, NOW + TSR_DHT_TOKEN_ROTATION);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);
  tsr_dht_server_upkeep (f->server, NOW + 2 * TSR_DHT_TOKEN_ROTATION);
  assert_bad_token (ask (f, announce (1000, FALSE, token, length), &a, NOW + 2 * TSR_DHT_TOKEN_ROTATION));
}

/* Peers are kept TSR_DHT_STORE_SECONDS from their last announce. */
static void
test_stored_peers_expire (Fixture       *f,
                          gconstpointer  data)
{
  TsrPeerAddress a = address4 (1, 6881);
  TsrPeerAddress b = address4 (2, 6882);
  TsrKrpcMessage *reply;
  gint64 later = NOW + TSR_DHT_STORE_SECONDS;

  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &a, NOW);
  reply = ask (f, announce (1000, FALSE, reply->token, reply->token_length), &a, NOW);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_RESPONSE);

  tsr_dht_server_upkeep (f->server, later);
  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &b, later);
  g_assert_nonnull (reply->values);
  tsr_dht_server_upkeep (f->server, later + 1);
  reply = ask (f, get_peers (TSR_KRPC_WANT_NONE), &b, later + 1);
  g_assert_null (reply->values);
}

/* TSR_DHT_QUERY_RATE answers a second per host (by address; by address
 * and port on loopback, where every local node shares the address). */
static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  TsrPeerAddress a = address4 (1, 6881);
  TsrPeerAddress a_other_port = address4 (1, 6999);
  TsrPeerAddress b = address4 (2, 6881);
  TsrPeerAddress local1 = { 4, { 127, 0, 0, 1 }, 7001 };
  TsrPeerAddress local2 = { 4, { 127, 0, 0, 1 }, 7002 };
  guint i, answered = 0;

  for (i = 0; i < TSR_DHT_QUERY_RATE + 5; i++)
    answered += ask (f, ping (FALSE), &a, NOW) != NULL;
  g_assert_cmpuint (answered, ==, TSR_DHT_QUERY_RATE);
  g_assert_null (ask (f, ping (FALSE), &a_other_port, NOW));
  g_assert_cmpuint (f->seen->len, ==, TSR_DHT_QUERY_RATE);   /* dropped queries are not seen */
  g_assert_nonnull (ask (f, ping (FALSE), &b, NOW));
  g_assert_nonnull (ask (f, ping (FALSE), &a, NOW + 1));

  for (i = 0; i < TSR_DHT_QUERY_RATE; i++)
    g_assert_nonnull (ask (f, ping (FALSE), &local1, NOW));
  g_assert_null (ask (f, ping (FALSE), &local1, NOW));
  g_assert_nonnull (ask (f, ping (FALSE), &local2, NOW));
}

/* A method of another BEP: error 204, and the asker is still seen. */
static void
test_unknown_method (Fixture       *f,
                     gconstpointer  data)
{
  static const char query[] = "d1:ad2:id20:" THEIR_ID "e1:q9:sample_me1:t2:um1:y1:qe";
  TsrPeerAddress a = address4 (1, 6881);
  TsrKrpcMessage *reply = ask (f, g_bytes_new_static (query, sizeof query - 1), &a, NOW);

  g_assert_nonnull (reply);
  g_assert_cmpint (reply->type, ==, TSR_KRPC_TYPE_ERROR);
  g_assert_cmpint (reply->error_code, ==, TSR_KRPC_CODE_METHOD_UNKNOWN);
  g_assert_cmpmem (reply->transaction, reply->transaction_length, "um", 2);
  g_assert_cmpuint (f->seen->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dht-server/ping", test_ping);
  ADD ("/dht-server/find-node", test_find_node);
  ADD ("/dht-server/get-peers-and-announce", test_get_peers_and_announce);
  ADD ("/dht-server/bad-tokens", test_bad_tokens);
  ADD ("/dht-server/stored-peers-expire", test_stored_peers_expire);
  ADD ("/dht-server/rate-limit", test_rate_limit);
  ADD ("/dht-server/unknown-method", test_unknown_method);
#undef ADD

  return g_test_run ();
}
