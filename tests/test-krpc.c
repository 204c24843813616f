/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-krpc.c: the KRPC codec of the DHT: BEP 5's example packets read
 * and written byte for byte, BEP 32 "want" and "nodes6", BEP 42 "ip",
 * round trips of every message kind, and every refusal (truncated,
 * wrong types, wrong lengths, missing keys, too many values).
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-krpc.h"

#define ID_A "abcdefghij0123456789"
#define ID_M "mnopqrstuvwxyz123456"

/* BEP 5's example packets, as the BEP spells them. */
#define PING_QUERY          "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
#define PING_RESPONSE       "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"
#define FIND_NODE_QUERY     "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"
#define FIND_NODE_RESPONSE  "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re"
#define GET_PEERS_QUERY     "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe"
#define GET_PEERS_VALUES    "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re"
#define GET_PEERS_NODES     "d1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re"
#define ANNOUNCE_QUERY      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"
#define GENERIC_ERROR       "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"

/* A find_node response with one real node (the BEP's "def456..." is a
 * placeholder): id "ABCDEFGHIJKLMNOPQRST" at 127.0.0.1:6881. */
static const char find_node_response[] =
  "d1:rd2:id20:0123456789abcdefghij5:nodes26:ABCDEFGHIJKLMNOPQRST\x7f\x00\x00\x01\x1a\xe1" "e1:t2:aa1:y1:re";

static TsrKrpcMessage *
parse (const char *data,
       gsize       length)
{
  g_autoptr(GError) error = NULL;
  TsrKrpcMessage *message = tsr_krpc_message_parse ((const guint8 *) data, length, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              gsize       length)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, length);
}

#define assert_text(bytes, literal) assert_bytes ((bytes), (literal), sizeof (literal) - 1)

static char *
peer_text (GArray *peers,
           guint   i)
{
  return tsr_peer_address_to_string (&g_array_index (peers, TsrPeerAddress, i));
}

static char *
node_text (GArray *nodes,
           guint   i)
{
  return tsr_peer_address_to_string (&g_array_index (nodes, TsrDhtNode, i).address);
}

static void
assert_same_nodes (GArray *a,
                   GArray *b)
{
  guint i;

  g_assert_true ((a == NULL) == (b == NULL));
  if (a == NULL)
    return;
  g_assert_cmpuint (a->len, ==, b->len);
  for (i = 0; i < a->len; i++)
    {
      TsrDhtNode *x = &g_array_index (a, TsrDhtNode, i);
      TsrDhtNode *y = &g_array_index (b, TsrDhtNode, i);

      g_assert_cmpmem (x->id, 20, y->id, 20);
      g_assert_cmpuint (x->address.family, ==, y->address.family);
      g_assert_cmpmem (x->address.address, 16, y->address.address, 16);
      g_assert_cmpuint (x->address.port, ==, y->address.port);
    }
}

static void
assert_same_message (const TsrKrpcMessage *a,
                     const TsrKrpcMessage *b)
{
  guint i;

  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpmem (a->transaction, a->transaction_length, b->transaction, b->transaction_length);
  g_assert_cmpmem (a->version, a->version_length, b->version, b->version_length);
  g_assert_cmpint (a->read_only, ==, b->read_only);
  g_assert_cmpint (a->has_ip, ==, b->has_ip);
  if (a->has_ip)
    {
      g_assert_cmpuint (a->ip.family, ==, b->ip.family);
      g_assert_cmpmem (a->ip.address, 16, b->ip.address, 16);
      g_assert_cmpuint (a->ip.port, ==, b->ip.port);
    }
  g_assert_cmpmem (a->id, 20, b->id, 20);
  g_assert_cmpint (a->method, ==, b->method);
  g_assert_cmpmem (a->target, 20, b->target, 20);
  g_assert_cmpmem (a->info_hash, 20, b->info_hash, 20);
  g_assert_cmpint (a->want, ==, b->want);
  g_assert_cmpuint (a->port, ==, b->port);
  g_assert_cmpint (a->implied_port, ==, b->implied_port);
  g_assert_cmpint (a->has_token, ==, b->has_token);
  g_assert_cmpmem (a->token, a->token_length, b->token, b->token_length);
  assert_same_nodes (a->nodes, b->nodes);
  assert_same_nodes (a->nodes6, b->nodes6);
  g_assert_true ((a->values == NULL) == (b->values == NULL));
  if (a->values != NULL)
    {
      g_assert_cmpuint (a->values->len, ==, b->values->len);
      for (i = 0; i < a->values->len; i++)
        {
          g_autofree char *x = peer_text (a->values, i);
          g_autofree char *y = peer_text (b->values, i);

          g_assert_cmpstr (x, ==, y);
        }
    }
  g_assert_cmpint (a->error_code, ==, b->error_code);
  g_assert_cmpuint (a->error_message_length, ==, b->error_message_length);
  if (a->error_message_length > 0)
    g_assert_cmpmem (a->error_message, a->error_message_length, b->error_message, b->error_message_length);
}

/* Encodes @message, parses it back and checks nothing changed. */
static void
assert_round_trip (const TsrKrpcMessage *message)
{
  g_autoptr(GBytes) bytes = tsr_krpc_message_encode (message);
  g_autoptr(TsrKrpcMessage) again = NULL;

  g_assert_nonnull (bytes);
  again = parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  assert_same_message (message, again);
}

static void
test_bep5_ping (void)
{
  g_autoptr(TsrKrpcMessage) query = parse (PING_QUERY, strlen (PING_QUERY));
  g_autoptr(TsrKrpcMessage) response = parse (PING_RESPONSE, strlen (PING_RESPONSE));
  g_autoptr(GBytes) written = tsr_krpc_write_ping ((const guint8 *) "aa", 2, (const guint8 *) ID_A, FALSE);
  g_autoptr(GBytes) answer = tsr_krpc_write_response ((const guint8 *) "aa", 2, (const guint8 *) ID_M,
                                                      NULL, NULL, NULL, NULL, NULL, 0);

  g_assert_cmpint (query->type, ==, TSR_KRPC_TYPE_QUERY);
  g_assert_cmpint (query->method, ==, TSR_KRPC_METHOD_PING);
  g_assert_cmpmem (query->transaction, query->transaction_length, "aa", 2);
  g_assert_cmpmem (query->id, 20, ID_A, 20);
  g_assert_false (query->read_only);
  g_assert_false (query->has_ip);
  g_assert_cmpuint (query->version_length, ==, 0);
  g_assert_cmpint (response->type, ==, TSR_KRPC_TYPE_RESPONSE);
  g_assert_cmpmem (response->id, 20, ID_M, 20);
  g_assert_null (response->nodes);
  g_assert_null (response->nodes6);
  g_assert_null (response->values);
  g_assert_false (response->has_token);
  assert_bytes (written, PING_QUERY, strlen (PING_QUERY));
  assert_bytes (answer, PING_RESPONSE, strlen (PING_RESPONSE));
}

static void
test_bep5_find_node (void)
{
  g_autoptr(TsrKrpcMessage) query = parse (FIND_NODE_QUERY, strlen (FIND_NODE_QUERY));
  g_autoptr(TsrKrpcMessage) response = parse (find_node_response, sizeof find_node_response - 1);
  g_autoptr(GBytes) written = tsr_krpc_write_find_node ((const guint8 *) "aa", 2, (const guint8 *) ID_A, FALSE,
                                                        (const guint8 *) ID_M, TSR_KRPC_WANT_NONE);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (query->method, ==, TSR_KRPC_METHOD_FIND_NODE);
  g_assert_cmpmem (query->id, 20, ID_A, 20);
  g_assert_cmpmem (query->target, 20, ID_M, 20);
  g_assert_cmpint (query->want, ==, TSR_KRPC_WANT_NONE);
  assert_bytes (written, FIND_NODE_QUERY, strlen (FIND_NODE_QUERY));

  g_assert_cmpmem (response->id, 20, "0123456789abcdefghij", 20);
  g_assert_nonnull (response->nodes);
  g_assert_cmpuint (response->nodes->len, ==, 1);
  g_assert_cmpmem (g_array_index (response->nodes, TsrDhtNode, 0).id, 20, "ABCDEFGHIJKLMNOPQRST", 20);
  text = node_text (response->nodes, 0);
  g_assert_cmpstr (text, ==, "127.0.0.1:6881");
  g_assert_null (response->nodes6);
  answer = tsr_krpc_write_response ((const guint8 *) "aa", 2, (const guint8 *) "0123456789abcdefghij",
                                    NULL, response->nodes, NULL, NULL, NULL, 0);
  assert_bytes (answer, find_node_response, sizeof find_node_response - 1);

  /* The BEP's "def456..." is 9 bytes: no whole node. */
  g_assert_null (tsr_krpc_message_parse ((const guint8 *) FIND_NODE_RESPONSE, strlen (FIND_NODE_RESPONSE), &error));
  g_assert_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH);
}

static void
test_bep5_get_peers (void)
{
  g_autoptr(TsrKrpcMessage) query = parse (GET_PEERS_QUERY, strlen (GET_PEERS_QUERY));
  g_autoptr(TsrKrpcMessage) response = parse (GET_PEERS_VALUES, strlen (GET_PEERS_VALUES));
  g_autoptr(GBytes) written = tsr_krpc_write_get_peers ((const guint8 *) "aa", 2, (const guint8 *) ID_A, FALSE,
                                                        (const guint8 *) ID_M, TSR_KRPC_WANT_NONE);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_cmpint (query->method, ==, TSR_KRPC_METHOD_GET_PEERS);
  g_assert_cmpmem (query->info_hash, 20, ID_M, 20);
  assert_bytes (written, GET_PEERS_QUERY, strlen (GET_PEERS_QUERY));

  g_assert_true (response->has_token);
  g_assert_cmpmem (response->token, response->token_length, "aoeusnth", 8);
  g_assert_nonnull (response->values);
  g_assert_cmpuint (response->values->len, ==, 2);
  /* "axje.u": 'a' 'x' 'j' 'e' is 97.120.106.101, ".u" port 0x2e75. */
  first = peer_text (response->values, 0);
  second = peer_text (response->values, 1);
  g_assert_cmpstr (first, ==, "97.120.106.101:11893");
  g_assert_cmpstr (second, ==, "105.100.104.116:28269");
  g_assert_null (response->nodes);
  answer = tsr_krpc_write_response ((const guint8 *) "aa", 2, (const guint8 *) ID_A, NULL, NULL, NULL,
                                    response->values, (const guint8 *) "aoeusnth", 8);
  assert_bytes (answer, GET_PEERS_VALUES, strlen (GET_PEERS_VALUES));

  g_assert_null (tsr_krpc_message_parse ((const guint8 *) GET_PEERS_NODES, strlen (GET_PEERS_NODES), &error));
  g_assert_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH);
}

static void
test_bep5_announce_peer (void)
{
  static const char implied[] =
    "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e"
    "5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
  g_autoptr(TsrKrpcMessage) query = parse (ANNOUNCE_QUERY, strlen (ANNOUNCE_QUERY));
  g_autoptr(TsrKrpcMessage) implied_query = parse (implied, sizeof implied - 1);
  g_autoptr(GBytes) written = tsr_krpc_write_announce_peer ((const guint8 *) "aa", 2, (const guint8 *) ID_A, FALSE,
                                                            (const guint8 *) ID_M, 6881, FALSE,
                                                            (const guint8 *) "aoeusnth", 8);
  g_autoptr(GBytes) written_implied = tsr_krpc_write_announce_peer ((const guint8 *) "aa", 2, (const guint8 *) ID_A,
                                                                    FALSE, (const guint8 *) ID_M, 6881, TRUE,
                                                                    (const guint8 *) "aoeusnth", 8);

  g_assert_cmpint (query->method, ==, TSR_KRPC_METHOD_ANNOUNCE_PEER);
  g_assert_cmpmem (query->id, 20, ID_A, 20);
  g_assert_cmpmem (query->info_hash, 20, ID_M, 20);
  g_assert_cmpuint (query->port, ==, 6881);
  g_assert_false (query->implied_port);
  g_assert_true (query->has_token);
  g_assert_cmpmem (query->token, query->token_length, "aoeusnth", 8);
  assert_bytes (written, ANNOUNCE_QUERY, strlen (ANNOUNCE_QUERY));
  g_assert_true (implied_query->implied_port);
  g_assert_cmpuint (implied_query->port, ==, 6881);
  assert_bytes (written_implied, implied, sizeof implied - 1);
}

static void
test_bep5_error (void)
{
  g_autoptr(TsrKrpcMessage) message = parse (GENERIC_ERROR, strlen (GENERIC_ERROR));
  g_autoptr(GBytes) written = tsr_krpc_write_error ((const guint8 *) "aa", 2, TSR_KRPC_CODE_GENERIC,
                                                    "A Generic Error Ocurred", NULL);
  g_autoptr(GBytes) by_code = tsr_krpc_write_error ((const guint8 *) "aa", 2, TSR_KRPC_CODE_METHOD_UNKNOWN, NULL, NULL);

  g_assert_cmpint (message->type, ==, TSR_KRPC_TYPE_ERROR);
  g_assert_cmpint (message->error_code, ==, 201);
  g_assert_cmpstr (message->error_message, ==, "A Generic Error Ocurred");
  g_assert_cmpuint (message->error_message_length, ==, 23);
  assert_bytes (written, GENERIC_ERROR, strlen (GENERIC_ERROR));
  assert_text (by_code, "d1:eli204e14:Method Unknowne1:t2:aa1:y1:ee");
  g_assert_cmpstr (tsr_krpc_code_to_string (202), ==, "Server Error");
  g_assert_cmpstr (tsr_krpc_code_to_string (203), ==, "Protocol Error");
}

static void
test_bep32 (void)
{
  static const char want[] =
    "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz1234564:wantl2:n42:n62:xxee"
    "1:q9:find_node1:t2:aa1:y1:qe";
  /* One IPv6 node, [2001:db8::1]:6881. */
  static const char nodes6[] =
    "d1:rd2:id20:0123456789abcdefghij6:nodes638:ABCDEFGHIJKLMNOPQRST"
    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1" "e1:t2:aa1:y1:re";
  /* A hybrid "values": an IPv4 and an IPv6 peer. */
  static const char hybrid[] =
    "d1:rd2:id20:0123456789abcdefghij5:token1:x6:valuesl6:\x0a\x00\x00\x01\x00\x50"
    "18:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x51" "ee1:t2:aa1:y1:re";
  g_autoptr(TsrKrpcMessage) query = parse (want, sizeof want - 1);
  g_autoptr(TsrKrpcMessage) response = parse (nodes6, sizeof nodes6 - 1);
  g_autoptr(TsrKrpcMessage) mixed = parse (hybrid, sizeof hybrid - 1);
  g_autoptr(GBytes) written = tsr_krpc_write_get_peers ((const guint8 *) "aa", 2, (const guint8 *) ID_A, FALSE,
                                                        (const guint8 *) ID_M, TSR_KRPC_WANT_N6);
  g_autoptr(TsrKrpcMessage) get_peers = NULL;
  g_autofree char *text = NULL;
  g_autofree char *v4 = NULL;
  g_autofree char *v6 = NULL;

  /* Unknown wants are ignored. */
  g_assert_cmpint (query->want, ==, TSR_KRPC_WANT_N4 | TSR_KRPC_WANT_N6);
  g_assert_null (response->nodes);
  g_assert_nonnull (response->nodes6);
  g_assert_cmpuint (response->nodes6->len, ==, 1);
  text = node_text (response->nodes6, 0);
  g_assert_cmpstr (text, ==, "[2001:db8::1]:6881");
  g_assert_cmpuint (mixed->values->len, ==, 2);
  v4 = peer_text (mixed->values, 0);
  v6 = peer_text (mixed->values, 1);
  g_assert_cmpstr (v4, ==, "10.0.0.1:80");
  g_assert_cmpstr (v6, ==, "[2001:db8::2]:81");
  get_peers = parse (g_bytes_get_data (written, NULL), g_bytes_get_size (written));
  g_assert_cmpint (get_peers->want, ==, TSR_KRPC_WANT_N6);
  assert_text (written,
               "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:wantl2:n6ee"
               "1:q9:get_peers1:t2:aa1:y1:qe");
}

static void
test_bep42_top_level (void)
{
  /* The requester's 124.31.75.21:6881, from a read-only node "TE" 0.1. */
  static const char text[] =
    "d2:ip6:\x7c\x1f\x4b\x15\x1a\xe1" "1:rd2:id20:mnopqrstuvwxyz123456e2:roi1e1:t2:aa1:v4:TE\x00\x01" "1:y1:re";
  g_autoptr(TsrKrpcMessage) message = parse (text, sizeof text - 1);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) written = NULL;
  g_autofree char *ip = NULL;
  TsrPeerAddress requester = { 0 };

  g_assert_true (message->has_ip);
  ip = tsr_peer_address_to_string (&message->ip);
  g_assert_cmpstr (ip, ==, "124.31.75.21:6881");
  g_assert_true (message->read_only);
  g_assert_cmpmem (message->version, message->version_length, "TE\x00\x01", 4);
  again = tsr_krpc_message_encode (message);
  assert_bytes (again, text, sizeof text - 1);

  /* The writers put "ip" in responses and errors. */
  g_assert_true (tsr_peer_address_parse ("[2001:db8::5]:51413", &requester));
  written = tsr_krpc_write_response ((const guint8 *) "zz", 2, (const guint8 *) ID_M, &requester,
                                     NULL, NULL, NULL, NULL, 0);
  g_clear_pointer (&message, tsr_krpc_message_free);
  message = parse (g_bytes_get_data (written, NULL), g_bytes_get_size (written));
  g_assert_true (message->has_ip);
  g_clear_pointer (&ip, g_free);
  ip = tsr_peer_address_to_string (&message->ip);
  g_assert_cmpstr (ip, ==, "[2001:db8::5]:51413");
  g_clear_pointer (&written, g_bytes_unref);
  written = tsr_krpc_write_error ((const guint8 *) "zz", 2, TSR_KRPC_CODE_PROTOCOL, "bad token", &requester);
  g_clear_pointer (&message, tsr_krpc_message_free);
  message = parse (g_bytes_get_data (written, NULL), g_bytes_get_size (written));
  g_assert_true (message->has_ip);
  g_assert_cmpint (message->error_code, ==, 203);
  g_assert_cmpstr (message->error_message, ==, "bad token");
}

static TsrDhtNode
make_node (guint8      fill,
           const char *address)
{
  TsrDhtNode node = { 0 };

  memset (node.id, fill, sizeof node.id);
  g_assert_true (tsr_peer_address_parse (address, &node.address));
  return node;
}

static void
test_round_trips (void)
{
  static const guint8 t[4] = { 0x00, 0xff, 0x10, 0x00 };
  g_autoptr(TsrKrpcMessage) message = NULL;
  TsrKrpcMethod method;
  TsrPeerAddress peer;
  TsrDhtNode node;
  guint code;

  /* Queries of each method, with and without the optional parts. */
  for (method = TSR_KRPC_METHOD_PING; method <= TSR_KRPC_METHOD_ANNOUNCE_PEER; method++)
    {
      guint variant;

      for (variant = 0; variant < 2; variant++)
        {
          g_autoptr(TsrKrpcMessage) query = tsr_krpc_message_new (TSR_KRPC_TYPE_QUERY);

          query->method = method;
          memcpy (query->transaction, t, sizeof t);
          query->transaction_length = variant == 0 ? sizeof t : 1;
          memset (query->id, 0x11, 20);
          query->read_only = variant == 1;
          if (method == TSR_KRPC_METHOD_FIND_NODE)
            memset (query->target, 0x22, 20);
          if (method == TSR_KRPC_METHOD_GET_PEERS || method == TSR_KRPC_METHOD_ANNOUNCE_PEER)
            memset (query->info_hash, 0x33, 20);
          if (method == TSR_KRPC_METHOD_FIND_NODE || method == TSR_KRPC_METHOD_GET_PEERS)
            query->want = variant == 0 ? TSR_KRPC_WANT_N4 : TSR_KRPC_WANT_N4 | TSR_KRPC_WANT_N6;
          if (method == TSR_KRPC_METHOD_ANNOUNCE_PEER)
            {
              query->port = variant == 0 ? 1 : 0;
              query->implied_port = variant == 1;
              query->has_token = TRUE;
              query->token_length = variant == 0 ? TSR_KRPC_MAX_TOKEN : 0;
              memset (query->token, 0xee, query->token_length);
            }
          if (variant == 1)
            {
              memcpy (query->version, "TE\x00\x01", 4);
              query->version_length = 4;
            }
          assert_round_trip (query);
        }
    }

  /* A response with everything. */
  message = tsr_krpc_message_new (TSR_KRPC_TYPE_RESPONSE);
  memcpy (message->transaction, "xy", 2);
  message->transaction_length = 2;
  memset (message->id, 0x44, 20);
  message->has_ip = TRUE;
  g_assert_true (tsr_peer_address_parse ("1.2.3.4:5", &message->ip));
  message->nodes = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  node = make_node (0x55, "8.8.8.8:53");
  g_array_append_val (message->nodes, node);
  node = make_node (0x56, "9.9.9.9:65535");
  g_array_append_val (message->nodes, node);
  message->nodes6 = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  node = make_node (0x57, "[2001:db8::1]:1");
  g_array_append_val (message->nodes6, node);
  message->values = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  g_assert_true (tsr_peer_address_parse ("10.1.2.3:6881", &peer));
  g_array_append_val (message->values, peer);
  g_assert_true (tsr_peer_address_parse ("[::1]:6882", &peer));
  g_array_append_val (message->values, peer);
  message->has_token = TRUE;
  memcpy (message->token, "tok", 3);
  message->token_length = 3;
  assert_round_trip (message);

  /* Empty lists stay present; absent ones stay absent. */
  g_array_set_size (message->nodes, 0);
  g_array_set_size (message->values, 0);
  g_clear_pointer (&message->nodes6, g_array_unref);
  message->has_token = FALSE;
  message->token_length = 0;
  assert_round_trip (message);
  g_clear_pointer (&message, tsr_krpc_message_free);

  /* Errors of each code, with and without text. */
  for (code = TSR_KRPC_CODE_GENERIC; code <= TSR_KRPC_CODE_METHOD_UNKNOWN; code++)
    {
      g_autoptr(GBytes) bytes = tsr_krpc_write_error (t, sizeof t, code, code == 203 ? "" : NULL, NULL);
      g_autoptr(TsrKrpcMessage) error = parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      g_assert_cmpint (error->error_code, ==, code);
      g_assert_cmpstr (error->error_message, ==, code == 203 ? "" : tsr_krpc_code_to_string (code));
      assert_round_trip (error);
    }
}

typedef struct
{
  const char *text;
  gsize       length;     /* 0: strlen */
  GQuark      domain;     /* 0: TSR_KRPC_ERROR */
  gint        code;
} Refusal;

static void
check_refusal (const char *text,
               gsize       length,
               GQuark      domain,
               gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrKrpcMessage) message = tsr_krpc_message_parse ((const guint8 *) text, length, &error);

  if (message != NULL || error == NULL || error->domain != domain || error->code != code)
    g_test_message ("input: %.*s", (int) MIN (length, 200), text);
  g_assert_null (message);
  g_assert_error (error, domain, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

#define A_ID "2:id20:abcdefghij0123456789"
#define R_ID "d1:rd2:id20:abcdefghij0123456789"

static void
test_refusals (void)
{
  const Refusal refusals[] = {
    { "", 0, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_EMPTY },
    { "d1:t2:aa1:y1:q", 0, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_TRUNCATED },
    { "d1:t2:aa1:y1:qee", 0, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_TRAILING_DATA },
    { "li1ee", 0, 0, TSR_KRPC_ERROR_MALFORMED },
    { "4:spam", 0, 0, TSR_KRPC_ERROR_MALFORMED },
    /* "t" and "y" */
    { "d1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:t2:aae", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ti1e1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:t17:aaaaaaaaaaaaaaaaa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d1:t2:aa1:y1:xe", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:t2:aa1:y2:qqe", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:t2:aa1:y0:e", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:t2:aa1:yi1ee", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    /* Queries */
    { "d1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ai1e1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "e1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "e1:qi1e1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ade1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ade1:q3:get1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d1:ad2:id21:abcdefghij0123456789xe1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d1:ad2:idi5ee1:q4:ping1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "e1:q9:find_node1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "6:target19:mnopqrstuvwxyz12345e1:q9:find_node1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d1:ad" A_ID "6:target20:mnopqrstuvwxyz1234564:want2:n4e1:q9:find_node1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "6:target20:mnopqrstuvwxyz1234564:wantli4eee1:q9:find_node1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "e1:q9:get_peers1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "9:info_hash21:mnopqrstuvwxyz1234567e1:q9:get_peers1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_BAD_LENGTH },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234564:porti6881ee1:q13:announce_peer1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234565:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "4:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe", 0, 0,
      TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234564:porti0e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
      0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234564:porti65536e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
      0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:ad" A_ID "12:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti-1e5:token8:aoeusnthe"
      "1:q13:announce_peer1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234564:port4:68815:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
      0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "12:implied_port1:19:info_hash20:mnopqrstuvwxyz1234564:porti1e5:token8:aoeusnthe"
      "1:q13:announce_peer1:t2:aa1:y1:qe", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ad" A_ID "9:info_hash20:mnopqrstuvwxyz1234564:porti1e5:tokeni8ee1:q13:announce_peer1:t2:aa1:y1:qe",
      0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    /* Responses */
    { "d1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:rle1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:rde1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:rd2:id0:e1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "5:nodes25:xxxxxxxxxxxxxxxxxxxxxxxxxe1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "5:nodes27:xxxxxxxxxxxxxxxxxxxxxxxxxxxe1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "6:nodes626:xxxxxxxxxxxxxxxxxxxxxxxxxxe1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "5:nodesi26ee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { R_ID "6:values6:axje.ue1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { R_ID "6:valuesl7:axje.uxee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "6:valuesl6:axje.u5:axje.ee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "6:valuesl0:ee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { R_ID "6:valuesli1eee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { R_ID "5:tokenli1eee1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    /* Top-level extensions */
    { "d2:ip5:abcde1:rd" A_ID "e1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d2:ip7:abcdefg1:rd" A_ID "e1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d2:ip19:abcdefghijklmnopqrs1:rd" A_ID "e1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_BAD_LENGTH },
    { "d2:ipi1e1:rd" A_ID "e1:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:rd" A_ID "e2:ro1:11:t2:aa1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:rd" A_ID "e1:t2:aa1:vi1e1:y1:re", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    /* Errors */
    { "d1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_MISSING_KEY },
    { "d1:ei201e1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:ele1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:eli201ee1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_BAD_VALUE },
    { "d1:el4:oopsi201ee1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
    { "d1:eli201eli1eee1:t2:aa1:y1:ee", 0, 0, TSR_KRPC_ERROR_WRONG_TYPE },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refusals); i++)
    check_refusal (refusals[i].text, refusals[i].length != 0 ? refusals[i].length : strlen (refusals[i].text),
                   refusals[i].domain != 0 ? refusals[i].domain : TSR_KRPC_ERROR, refusals[i].code);
}

static void
test_truncated (void)
{
  static const struct
  {
    const char *text;
    gsize       length;
  } valid[] = {
    { PING_QUERY, sizeof PING_QUERY - 1 },
    { PING_RESPONSE, sizeof PING_RESPONSE - 1 },
    { FIND_NODE_QUERY, sizeof FIND_NODE_QUERY - 1 },
    { find_node_response, sizeof find_node_response - 1 },
    { GET_PEERS_QUERY, sizeof GET_PEERS_QUERY - 1 },
    { GET_PEERS_VALUES, sizeof GET_PEERS_VALUES - 1 },
    { ANNOUNCE_QUERY, sizeof ANNOUNCE_QUERY - 1 },
    { GENERIC_ERROR, sizeof GENERIC_ERROR - 1 },
  };
  guint i;

  /* Every proper prefix of a message is refused, never read past. */
  for (i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(TsrKrpcMessage) whole = NULL;
      gsize cut;

      for (cut = 0; cut < valid[i].length; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree guint8 *copy = g_memdup2 (valid[i].text, cut);   /* exact size: ASan sees overreads */

          g_assert_null (tsr_krpc_message_parse (copy, cut, &error));
          g_assert_nonnull (error);
        }
      whole = parse (valid[i].text, valid[i].length);
    }
}

/* A get_peers response with @n_values IPv4 peers and @n_nodes nodes. */
static GString *
big_response (guint n_values,
              guint n_nodes)
{
  GString *text = g_string_new (R_ID);
  guint i;

  if (n_nodes > 0)
    {
      g_string_append_printf (text, "5:nodes%u:", n_nodes * TSR_KRPC_NODE4_LENGTH);
      for (i = 0; i < n_nodes * TSR_KRPC_NODE4_LENGTH; i++)
        g_string_append_c (text, (char) ('A' + i % 26));
    }
  g_string_append (text, "6:valuesl");
  for (i = 0; i < n_values; i++)
    {
      guint8 peer[6] = { 10, 1, 1 + i / 200, 1 + i % 200, 0x1a, 0xe1 };

      g_string_append (text, "6:");
      g_string_append_len (text, (const char *) peer, sizeof peer);
    }
  g_string_append (text, "ee1:t2:aa1:y1:re");
  return text;
}

static void
test_caps (void)
{
  GString *text;
  g_autoptr(TsrKrpcMessage) message = NULL;
  g_autofree char *token = NULL;
  GString *padded;

  text = big_response (TSR_KRPC_MAX_VALUES, TSR_KRPC_MAX_NODES);
  message = parse (text->str, text->len);
  g_assert_cmpuint (message->values->len, ==, TSR_KRPC_MAX_VALUES);
  g_assert_cmpuint (message->nodes->len, ==, TSR_KRPC_MAX_NODES);
  g_string_free (text, TRUE);
  text = big_response (TSR_KRPC_MAX_VALUES + 1, 1);
  check_refusal (text->str, text->len, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_MANY);
  g_string_free (text, TRUE);
  text = big_response (1, TSR_KRPC_MAX_NODES + 1);
  check_refusal (text->str, text->len, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_MANY);
  g_string_free (text, TRUE);

  /* Tokens of 64 bytes are read, of 65 refused, in queries and responses. */
  token = g_strnfill (TSR_KRPC_MAX_TOKEN, 'k');
  text = g_string_new (NULL);
  g_string_printf (text, R_ID "5:token%u:%se1:t2:aa1:y1:re", TSR_KRPC_MAX_TOKEN, token);
  g_clear_pointer (&message, tsr_krpc_message_free);
  message = parse (text->str, text->len);
  g_assert_cmpuint (message->token_length, ==, TSR_KRPC_MAX_TOKEN);
  g_string_printf (text, R_ID "5:token%u:%sXe1:t2:aa1:y1:re", TSR_KRPC_MAX_TOKEN + 1, token);
  check_refusal (text->str, text->len, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH);
  g_string_printf (text, "d1:ad" A_ID "9:info_hash20:" ID_M "4:porti1e5:token%u:%sXe1:q13:announce_peer"
                   "1:t2:aa1:y1:qe", TSR_KRPC_MAX_TOKEN + 1, token);
  check_refusal (text->str, text->len, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH);
  g_string_free (text, TRUE);

  /* Up to TSR_KRPC_MAX_DATAGRAM bytes, whatever they hold. */
  padded = g_string_new ("d1:rd" A_ID "e1:t2:aa1:y1:r1:z");
  g_string_append_printf (padded, "%u:", TSR_KRPC_MAX_DATAGRAM - (guint) padded->len - 6 - 1);
  while (padded->len < TSR_KRPC_MAX_DATAGRAM - 1)
    g_string_append_c (padded, 'p');
  g_string_append_c (padded, 'e');
  g_assert_cmpuint (padded->len, ==, TSR_KRPC_MAX_DATAGRAM);
  g_clear_pointer (&message, tsr_krpc_message_free);
  message = parse (padded->str, padded->len);
  g_string_insert_c (padded, padded->len - 1, 'p');
  check_refusal (padded->str, padded->len, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_LARGE);
  g_string_free (padded, TRUE);
}

static void
test_cut_fields (void)
{
  g_autofree char *long_text = g_strnfill (300, 'm');
  g_autofree char *error_text = g_strdup_printf ("d1:eli202e300:%se1:t2:aa1:y1:ee", long_text);
  static const char long_version[] = "d1:rd" A_ID "e1:t2:aa1:v20:ABCDEFGHIJKLMNOPQRST1:y1:re";
  g_autoptr(TsrKrpcMessage) error = parse (error_text, strlen (error_text));
  g_autoptr(TsrKrpcMessage) response = parse (long_version, sizeof long_version - 1);

  g_assert_cmpuint (error->error_message_length, ==, TSR_KRPC_MAX_MESSAGE);
  g_assert_cmpuint (strlen (error->error_message), ==, TSR_KRPC_MAX_MESSAGE);
  g_assert_cmpmem (response->version, response->version_length, "ABCDEFGHIJKLMNOP", TSR_KRPC_MAX_VERSION);
  assert_round_trip (error);
  assert_round_trip (response);
}

static void
test_unknown (void)
{
  /* A BEP 44 "get": known by its id only; unknown keys everywhere are ignored. */
  static const char get[] = "d1:ad" A_ID "6:target20:" ID_M "e1:q3:get1:t2:aa1:y1:q3:zzzi1ee";
  static const char extra[] = "d1:rd" A_ID "7:samples0:e1:t2:aa1:y1:r3:zzzle1:zd1:ai1eee";
  g_autoptr(TsrKrpcMessage) query = parse (get, sizeof get - 1);
  g_autoptr(TsrKrpcMessage) response = parse (extra, sizeof extra - 1);

  g_assert_cmpint (query->type, ==, TSR_KRPC_TYPE_QUERY);
  g_assert_cmpint (query->method, ==, TSR_KRPC_METHOD_UNKNOWN);
  g_assert_cmpmem (query->id, 20, ID_A, 20);
  g_assert_cmpint (response->type, ==, TSR_KRPC_TYPE_RESPONSE);
  g_assert_null (response->values);
}

static void
test_compact (void)
{
  static const guint8 node4[26] = "ABCDEFGHIJKLMNOPQRST\x01\x02\x03\x04\xff\xfe";
  static const guint8 buffer[40] = { 0 };
  TsrPeerAddress peer;
  TsrDhtNode node;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GArray) nodes = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (tsr_krpc_node_read (node4, sizeof node4, &node));
  text = tsr_peer_address_to_string (&node.address);
  g_assert_cmpstr (text, ==, "1.2.3.4:65534");
  tsr_krpc_node_append (out, &node);
  g_assert_cmpmem (out->data, out->len, node4, sizeof node4);
  for (length = 0; length < sizeof buffer; length++)
    if (length != 26 && length != 38)
      g_assert_false (tsr_krpc_node_read (buffer, length, &node));
  for (length = 0; length < sizeof buffer; length++)
    if (length != 6 && length != 18)
      g_assert_false (tsr_krpc_peer_read (buffer, length, &peer));

  g_byte_array_set_size (out, 0);
  g_assert_true (tsr_peer_address_parse ("[2001:db8::9]:4660", &peer));
  tsr_krpc_peer_append (out, &peer);
  g_assert_cmpuint (out->len, ==, 18);
  g_assert_cmphex (out->data[16], ==, 0x12);
  g_assert_cmphex (out->data[17], ==, 0x34);
  memset (&node, 0, sizeof node);
  memset (node.id, 0x42, 20);
  node.address = peer;
  g_byte_array_set_size (out, 0);
  tsr_krpc_node_append (out, &node);
  tsr_krpc_node_append (out, &node);
  g_assert_cmpuint (out->len, ==, 2 * TSR_KRPC_NODE6_LENGTH);
  g_assert_true (tsr_krpc_nodes_parse (out->data, out->len, 6, nodes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nodes->len, ==, 2);
  g_assert_cmpmem (g_array_index (nodes, TsrDhtNode, 1).id, 20, node.id, 20);
  g_assert_false (tsr_krpc_nodes_parse (out->data, out->len, 4, nodes, &error));
  g_assert_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH);
}

/* What libtorrent 2.0.8 sent on 127.0.0.1, captured byte for byte: the
 * asker's address in a top-level "ip" (BEP 42), an integer "p" (the
 * asker's port) in "r" that BEP 5 does not know, "v" = "LT" 2.0.8. */
static const char libtorrent_find_node[] =
  "d2:ip6:\x7f\x00\x00\x01\xe6\xd0" "1:rd2:id20:MT\xa8\xd6\t\x1a|NXg\xdb\xbc" "f\xef\xe1o\xc6\x07\xf3x"
  "5:nodes0:1:pi59088ee1:t2:\x12\x34" "1:v4:LT\x02\x08" "1:y1:re";
static const char libtorrent_get_peers[] =
  "d2:ip6:\x7f\x00\x00\x01\xe6\xd0" "1:rd2:id20:MT\xa8\xd6\t\x1a|NXg\xdb\xbc" "f\xef\xe1o\xc6\x07\xf3x"
  "5:nodes26:\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x7f\x00\x00\x01\xe6\xd0"
  "1:pi59088e5:token4:vI\xaaZe1:t2:\x12\x35" "1:v4:LT\x02\x08" "1:y1:re";

static void
test_libtorrent_replies (void)
{
  g_autoptr(TsrKrpcMessage) find_node = parse (libtorrent_find_node, sizeof libtorrent_find_node - 1);
  g_autoptr(TsrKrpcMessage) get_peers = parse (libtorrent_get_peers, sizeof libtorrent_get_peers - 1);
  g_autofree char *ip = NULL;
  g_autofree char *node = NULL;

  g_assert_cmpint (find_node->type, ==, TSR_KRPC_TYPE_RESPONSE);
  g_assert_cmpmem (find_node->transaction, find_node->transaction_length, "\x12\x34", 2);
  g_assert_cmpmem (find_node->id, 20, "MT\xa8\xd6\t\x1a|NXg\xdb\xbc" "f\xef\xe1o\xc6\x07\xf3x", 20);
  g_assert_cmpmem (find_node->version, find_node->version_length, "LT\x02\x08", 4);
  g_assert_true (find_node->has_ip);
  ip = tsr_peer_address_to_string (&find_node->ip);
  g_assert_cmpstr (ip, ==, "127.0.0.1:59088");
  /* An empty "nodes" (it knew nobody yet) is a list of none. */
  g_assert_nonnull (find_node->nodes);
  g_assert_cmpuint (find_node->nodes->len, ==, 0);
  g_assert_false (find_node->has_token);

  g_assert_cmpmem (get_peers->transaction, get_peers->transaction_length, "\x12\x35", 2);
  g_assert_cmpuint (get_peers->nodes->len, ==, 1);
  node = node_text (get_peers->nodes, 0);
  g_assert_cmpstr (node, ==, "127.0.0.1:59088");
  g_assert_cmpmem (get_peers->token, get_peers->token_length, "vI\xaaZ", 4);
  g_assert_null (get_peers->values);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/krpc/bep5/ping", test_bep5_ping);
  g_test_add_func ("/krpc/bep5/find-node", test_bep5_find_node);
  g_test_add_func ("/krpc/bep5/get-peers", test_bep5_get_peers);
  g_test_add_func ("/krpc/bep5/announce-peer", test_bep5_announce_peer);
  g_test_add_func ("/krpc/bep5/error", test_bep5_error);
  g_test_add_func ("/krpc/bep32", test_bep32);
  g_test_add_func ("/krpc/bep42-top-level", test_bep42_top_level);
  g_test_add_func ("/krpc/round-trips", test_round_trips);
  g_test_add_func ("/krpc/refusals", test_refusals);
  g_test_add_func ("/krpc/truncated", test_truncated);
  g_test_add_func ("/krpc/caps", test_caps);
  g_test_add_func ("/krpc/cut-fields", test_cut_fields);
  g_test_add_func ("/krpc/unknown", test_unknown);
  g_test_add_func ("/krpc/compact", test_compact);
  g_test_add_func ("/krpc/libtorrent-replies", test_libtorrent_replies);
  return g_test_run ();
}
