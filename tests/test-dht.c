/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht.c: a TsrDht node against a fake node on 127.0.0.1 that
 * answers the way libtorrent 2.0.8 does, byte for byte (top-level "ip"
 * and "v", an integer "p" in "r", and the asker itself among the
 * "nodes"): the node bootstraps from it, finds the peers it holds, and
 * never sends it more than libtorrent tolerates (it bans an address
 * after 50 packets in 10 seconds). A node that never answers is not
 * flooded either, and one with nothing on its port fails at once: the
 * socket's ICMP report is the DHT's, for the query it had pending.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-dht-contacts.h"
#include "tsr-dht.h"
#include "tsr-krpc.h"
#include "tsr-udp-socket.h"

#define FAKE_ID "\x4d\x54\xa8\xd6\x09\x1a\x7c\x4e\x58\x67\xdb\xbc\x66\xef\xe1\x6f\xc6\x07\xf3\x78"

typedef struct
{
  GSocket  *socket;
  GSource  *source;
  guint16   port;
  gboolean  answers;
  guint     received;
  guint     find_nodes;
  guint     get_peers;
  guint     announces;
  guint16   announced_port;
  guint8    dht_id[20];       /* the node under test, to name it back */
  guint16   dht_port;
} FakeNode;

static void
append_string (GByteArray   *out,
               const guint8 *data,
               gsize         length)
{
  g_autofree char *prefix = g_strdup_printf ("%zu:", length);

  g_byte_array_append (out, (const guint8 *) prefix, strlen (prefix));
  g_byte_array_append (out, data, length);
}

#define append_text(out, text) g_byte_array_append ((out), (const guint8 *) (text), strlen (text))

/* libtorrent's reply layout: keys sorted, "ip" (the asker's address)
 * first, "r" with "id", "nodes", "p" (the asker's port, an integer),
 * "token" and "values" as the query calls for, then "t" echoed and
 * "v" = "LT" 2.0.8. */
static GBytes *
libtorrent_reply (FakeNode             *fake,
                  const TsrKrpcMessage *query,
                  const TsrPeerAddress *from)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) nodes = g_byte_array_new ();
  guint8 ip[6];
  guint8 node[26];
  g_autofree char *p = g_strdup_printf ("1:pi%ue", from->port);

  memcpy (ip, from->address, 4);
  ip[4] = (guint8) (from->port >> 8);
  ip[5] = (guint8) from->port;
  /* Itself and the asker: what a small DHT answers again and again. */
  memcpy (node, FAKE_ID, 20);
  memcpy (node + 20, "\x7f\x00\x00\x01", 4);
  node[24] = (guint8) (fake->port >> 8);
  node[25] = (guint8) fake->port;
  g_byte_array_append (nodes, node, 26);
  memcpy (node, fake->dht_id, 20);
  node[24] = (guint8) (fake->dht_port >> 8);
  node[25] = (guint8) fake->dht_port;
  g_byte_array_append (nodes, node, 26);

  append_text (out, "d2:ip");
  append_string (out, ip, 6);
  append_text (out, "1:rd2:id");
  append_string (out, (const guint8 *) FAKE_ID, 20);
  if (query->method == TSR_KRPC_METHOD_FIND_NODE || query->method == TSR_KRPC_METHOD_GET_PEERS)
    {
      append_text (out, "5:nodes");
      append_string (out, nodes->data, nodes->len);
    }
  append_text (out, p);
  if (query->method == TSR_KRPC_METHOD_GET_PEERS)
    {
      append_text (out, "5:token4:vI\xaaZ");
      /* One peer: 127.0.0.1:6881. */
      append_text (out, "6:valuesl6:\x7f");
      g_byte_array_append (out, (const guint8 *) "\x00\x00\x01\x1a\xe1", 5);
      append_text (out, "e");
    }
  append_text (out, "e1:t");
  append_string (out, query->transaction, query->transaction_length);
  append_text (out, "1:v4:LT\x02\x08" "1:y1:re");
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
on_fake_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  FakeNode *fake = user_data;
  guint8 buffer[2048];
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(TsrKrpcMessage) query = NULL;
  g_autoptr(GBytes) reply = NULL;
  TsrPeerAddress peer = { 4 };
  gssize length = g_socket_receive_from (socket, &from, (gchar *) buffer, sizeof buffer, NULL, NULL);

  if (length <= 0)
    return G_SOURCE_CONTINUE;
  fake->received++;
  query = tsr_krpc_message_parse (buffer, (gsize) length, NULL);
  g_assert_nonnull (query);
  g_assert_cmpint (query->type, ==, TSR_KRPC_TYPE_QUERY);
  if (query->method == TSR_KRPC_METHOD_FIND_NODE)
    fake->find_nodes++;
  else if (query->method == TSR_KRPC_METHOD_GET_PEERS)
    fake->get_peers++;
  else if (query->method == TSR_KRPC_METHOD_ANNOUNCE_PEER)
    {
      fake->announces++;
      fake->announced_port = query->port;
    }
  if (!fake->answers)
    return G_SOURCE_CONTINUE;
  memcpy (peer.address, "\x7f\x00\x00\x01", 4);
  peer.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from));
  reply = libtorrent_reply (fake, query, &peer);
  g_socket_send_to (socket, from, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static void
fake_start (FakeNode *fake,
            gboolean  answers)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;

  memset (fake, 0, sizeof *fake);
  fake->answers = answers;
  fake->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (fake->socket, any, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (fake->socket, FALSE);
  local = g_socket_get_local_address (fake->socket, &error);
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  fake->source = g_socket_create_source (fake->socket, G_IO_IN, NULL);
  g_source_set_callback (fake->source, (GSourceFunc) (void (*) (void)) on_fake_readable, fake, NULL);
  g_source_attach (fake->source, NULL);
}

static void
fake_stop (FakeNode *fake)
{
  g_source_destroy (fake->source);
  g_clear_pointer (&fake->source, g_source_unref);
  g_clear_object (&fake->socket);
}

static TsrDht *
new_dht (FakeNode *fake)
{
  g_autoptr(GError) error = NULL;
  TsrDht *dht = tsr_dht_new ("127.0.0.1", 0, NULL, &error);

  g_assert_no_error (error);
  memcpy (fake->dht_id, tsr_dht_get_id (dht), 20);
  fake->dht_port = tsr_dht_get_port (dht);
  return dht;
}

static void
bootstrap_from (TsrDht   *dht,
                FakeNode *fake)
{
  g_autofree char *node = g_strdup_printf ("127.0.0.1:%u", fake->port);
  const char *nodes[] = { node, NULL };

  tsr_dht_set_bootstrap (dht, nodes);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds, or until *@stop. */
static void
iterate_for (guint     ms,
             gboolean *stop)
{
  gboolean over = FALSE;
  guint timer = g_timeout_add (ms, on_timeout, &over);

  while (!over && (stop == NULL || !*stop))
    g_main_context_iteration (NULL, TRUE);
  if (!over)
    g_source_remove (timer);
}

static void
test_bootstrap_asks_once (void)
{
  FakeNode fake;
  g_autoptr(TsrDht) dht = NULL;
  const guint seconds = 3;

  fake_start (&fake, TRUE);
  dht = new_dht (&fake);
  bootstrap_from (dht, &fake);
  iterate_for (seconds * 1000, NULL);
  /* The fake answered and entered the table... */
  g_assert_cmpuint (tsr_dht_get_n_nodes (dht), ==, 1);
  /* ... and its answers, naming itself (and us) again, did not make us
   * ask it again: before, each answer brought another find_node, over a
   * thousand in these seconds. */
  g_assert_cmpuint (fake.find_nodes, ==, 1);
  g_assert_cmpuint (fake.received, <=, TSR_DHT_SEND_BURST + seconds * TSR_DHT_SEND_PER_SECOND);
  fake_stop (&fake);
}

typedef struct
{
  gboolean done;
  guint    answered;
  guint    peers;
  guint16  port;
} LookupResult;

static void
on_peers (TsrDht       *dht,
          const guint8 *info_hash,
          GArray       *peers,
          LookupResult *result)
{
  result->peers += peers->len;
  if (peers->len > 0)
    result->port = g_array_index (peers, TsrPeerAddress, 0).port;
}

static void
on_lookup_done (TsrDht       *dht,
                const guint8 *info_hash,
                guint         answered,
                LookupResult *result)
{
  result->done = TRUE;
  result->answered = answered;
}

static void
test_lookup_and_announce (void)
{
  FakeNode fake;
  g_autoptr(TsrDht) dht = NULL;
  LookupResult result = { 0 };
  guint8 info_hash[20];

  fake_start (&fake, TRUE);
  dht = new_dht (&fake);
  g_signal_connect (dht, "peers", G_CALLBACK (on_peers), &result);
  g_signal_connect (dht, "lookup-done", G_CALLBACK (on_lookup_done), &result);
  bootstrap_from (dht, &fake);
  memset (info_hash, 0xab, sizeof info_hash);
  tsr_dht_get_peers (dht, info_hash, 7777);
  iterate_for (8000, &result.done);
  g_assert_true (result.done);
  g_assert_cmpuint (result.answered, ==, 1);
  g_assert_cmpuint (result.peers, ==, 1);
  g_assert_cmpuint (result.port, ==, 6881);
  /* The announce went out with the token libtorrent gave. */
  iterate_for (300, NULL);
  g_assert_cmpuint (fake.get_peers, ==, 1);
  g_assert_cmpuint (fake.announces, ==, 1);
  g_assert_cmpuint (fake.announced_port, ==, 7777);
  g_signal_handlers_disconnect_by_data (dht, &result);
  fake_stop (&fake);
}

static void
test_silent_node_not_flooded (void)
{
  FakeNode fake;
  g_autoptr(TsrDht) dht = NULL;
  TsrPeerAddress address = { 4, { 127, 0, 0, 1 } };
  const guint seconds = 5;
  guint i;

  fake_start (&fake, FALSE);
  dht = new_dht (&fake);
  address.port = fake.port;
  /* Peers keep naming the node (BEP 5 port messages): it hears a few
   * queries, not one per mention, and after it leaves them unanswered
   * it is left alone. */
  for (i = 0; i < 50; i++)
    tsr_dht_add_node (dht, &address);
  iterate_for (seconds * 1000, NULL);
  for (i = 0; i < 50; i++)
    tsr_dht_add_node (dht, &address);
  iterate_for (500, NULL);
  g_assert_cmpuint (fake.received, <=, TSR_DHT_SEND_BURST + seconds * TSR_DHT_SEND_PER_SECOND);
  /* Named a hundred times in a minute, asked once. */
  g_assert_cmpuint (fake.received, ==, 1);
  fake_stop (&fake);
}

static void
test_unreachable_node_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autoptr(TsrDht) dht = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) gone = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                                          NULL);
  g_autoptr(GSocketAddress) local = NULL;
  TsrUdpSocketStats stats = { 0 };
  TsrPeerAddress closed;
  gint64 end;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (gone, where, FALSE, NULL));
  local = g_socket_get_local_address (gone, NULL);
  g_assert_true (tsr_peer_address_from_socket (local, &closed));
  g_socket_close (gone, NULL);
  dht = tsr_dht_new_on_sockets (udp, NULL, NULL);
  /* Pinged; the port is closed. The report comes well within the
   * query's TSR_DHT_QUERY_TIMEOUT, so the ping is still pending: the
   * DHT claims it (before, nobody did and it was counted unclaimed). */
  tsr_dht_add_node (dht, &closed);
  end = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (stats.unreachable == 0 && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      tsr_udp_socket_get_stats (udp, &stats);
    }
  g_assert_cmpuint (stats.unreachable, ==, 1);
  g_assert_cmpuint (stats.unclaimed, ==, 0);
  g_assert_cmpuint (tsr_dht_get_n_nodes (dht), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dht/libtorrent/bootstrap-asks-once", test_bootstrap_asks_once);
  g_test_add_func ("/dht/libtorrent/lookup-and-announce", test_lookup_and_announce);
  g_test_add_func ("/dht/silent-node-not-flooded", test_silent_node_not_flooded);
  g_test_add_func ("/dht/unreachable-node-fails", test_unreachable_node_fails);
  return g_test_run ();
}
