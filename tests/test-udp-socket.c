/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-udp-socket.c: TsrUdpSocket on 127.0.0.1 (and ::1) against plain
 * sockets and against another TsrUdpSocket: each kind of datagram
 * reaches its receiver and only it, tracker replies only for a pending
 * transaction from the right address, bursts arrive whole in batches,
 * each batch followed by one `drained` report (uTP acks a batch once),
 * the send queue keeps its order and its bound, runs of one size go as
 * one message (UDP GSO) and arrive as the datagrams they were, and a
 * socket closed with datagrams queued (or from within a receiver) sends
 * them once and frees them (run under valgrind or ASan to see the
 * latter). A datagram to a
 * closed port comes back as an "unreachable" report for its destination
 * (IPv4 and IPv6), to whoever claims it, within a second.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

#include "tsr-announce.h"
#include "tsr-krpc.h"
#include "tsr-test-util.h"
#include "tsr-udp-socket.h"
#include "tsr-utp-packet.h"

#define WAIT_SECONDS 10
#define BURST        500
#define BURST_STEP   100

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, WAIT_SECONDS, what)

/* ------------------------------------------------------------------ */
/* Receivers that keep what they get                                   */

typedef struct
{
  GPtrArray      *datagrams;  /* (element-type GBytes) in order */
  TsrPeerAddress  from;       /* the last sender */
  guint           n_drained;
  guint           drained_at; /* datagrams received at the last `drained` */
} Recorder;

static void
on_received (const guint8         *data,
             gsize                 length,
             const TsrPeerAddress *from,
             gpointer              user_data)
{
  Recorder *recorder = user_data;

  g_ptr_array_add (recorder->datagrams, g_bytes_new (data, length));
  recorder->from = *from;
}

static void
on_drained (gpointer user_data)
{
  Recorder *recorder = user_data;

  recorder->n_drained++;
  recorder->drained_at = recorder->datagrams->len;
}

static const TsrUdpReceiverFuncs recorder_funcs = {
  .received = on_received,
  .drained = on_drained,
};

static void
recorder_init (Recorder *recorder)
{
  memset (recorder, 0, sizeof *recorder);
  recorder->datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
recorder_clear (Recorder *recorder)
{
  g_ptr_array_unref (recorder->datagrams);
}

typedef struct
{
  TsrUdpSocket *udp;
  GSocket      *peer;        /* a plain socket on 127.0.0.1, blocking */
  Recorder      krpc;
  Recorder      utp;
  Recorder      tracker;
} Fixture;

static GSocket *
plain_socket (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (inet, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, where, FALSE, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&socket);
}

static void
address_of_socket (GSocket        *socket,
                   TsrPeerAddress *out)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  g_assert_true (tsr_peer_address_from_socket (local, out));
}

static void
udp_address (TsrUdpSocket   *udp,
             const char     *host,
             TsrPeerAddress *out)
{
  g_autofree char *text = g_strdup_printf (strchr (host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
                                           tsr_udp_socket_get_port (udp));

  g_assert_true (tsr_peer_address_parse (text, out));
}

/* Sends @data from the plain socket @from to @udp at @host. */
static void
send_plain (GSocket      *from,
            TsrUdpSocket *udp,
            const char   *host,
            const guint8 *data,
            gsize         length)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (inet, tsr_udp_socket_get_port (udp));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_socket_send_to (from, to, (const char *) data, length, NULL, &error), ==, (gssize) length);
  g_assert_no_error (error);
}

static guint64
received (TsrUdpSocket *udp)
{
  TsrUdpSocketStats stats;

  tsr_udp_socket_get_stats (udp, &stats);
  return stats.received;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  TsrUdpDemux *demux;

  fixture->udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_udp_socket_get_port (fixture->udp), !=, 0);
  fixture->peer = plain_socket ("127.0.0.1");
  recorder_init (&fixture->krpc);
  recorder_init (&fixture->utp);
  recorder_init (&fixture->tracker);
  demux = tsr_udp_socket_get_demux (fixture->udp);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_KRPC, &recorder_funcs, &fixture->krpc);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_UTP, &recorder_funcs, &fixture->utp);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->udp, tsr_udp_socket_unref);
  g_clear_object (&fixture->peer);
  recorder_clear (&fixture->krpc);
  recorder_clear (&fixture->utp);
  recorder_clear (&fixture->tracker);
}

static guint
n_routed (Fixture *fixture)
{
  return fixture->krpc.datagrams->len + fixture->utp.datagrams->len + fixture->tracker.datagrams->len;
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

static void
test_route_krpc (Fixture       *fixture,
                 gconstpointer  data)
{
  static const guint8 id[20] = "a-test-dht-node-id!";
  g_autoptr(GBytes) ping = tsr_krpc_write_ping ((const guint8 *) "aa", 2, id, FALSE);
  g_autoptr(TsrKrpcMessage) message = NULL;
  TsrPeerAddress sender;
  GBytes *got;

  send_plain (fixture->peer, fixture->udp, "127.0.0.1", g_bytes_get_data (ping, NULL), g_bytes_get_size (ping));
  WAIT_UNTIL (n_routed (fixture) == 1, "the ping");
  g_assert_cmpuint (fixture->krpc.datagrams->len, ==, 1);
  got = g_ptr_array_index (fixture->krpc.datagrams, 0);
  g_assert_true (g_bytes_equal (got, ping));
  message = tsr_krpc_message_parse (g_bytes_get_data (got, NULL), g_bytes_get_size (got), NULL);
  g_assert_nonnull (message);
  g_assert_cmpint (message->type, ==, TSR_KRPC_TYPE_QUERY);
  address_of_socket (fixture->peer, &sender);
  g_assert_true (tsr_peer_address_equal (&fixture->krpc.from, &sender));
  g_assert_cmpuint (tsr_udp_demux_get_count (tsr_udp_socket_get_demux (fixture->udp), TSR_UDP_KIND_KRPC), ==, 1);
}

static void
test_route_utp (Fixture       *fixture,
                gconstpointer  data)
{
  TsrUtpPacket syn = { 0 };
  TsrUtpPacket parsed;
  guint8 buffer[64];
  gsize length;
  GBytes *got;

  syn.type = TSR_UTP_SYN;
  syn.connection_id = 4321;
  syn.timestamp_us = 1000;
  syn.wnd_size = 1 << 20;
  syn.seq_nr = 1;
  length = tsr_utp_packet_write (&syn, buffer, sizeof buffer);
  g_assert_cmpuint (length, ==, TSR_UTP_HEADER_SIZE);
  g_assert_cmpint (tsr_udp_classify (buffer, length), ==, TSR_UDP_KIND_UTP);

  send_plain (fixture->peer, fixture->udp, "127.0.0.1", buffer, length);
  WAIT_UNTIL (n_routed (fixture) == 1, "the SYN");
  g_assert_cmpuint (fixture->utp.datagrams->len, ==, 1);
  got = g_ptr_array_index (fixture->utp.datagrams, 0);
  g_assert_true (tsr_utp_packet_parse (&parsed, g_bytes_get_data (got, NULL), g_bytes_get_size (got), NULL));
  g_assert_cmpint (parsed.type, ==, TSR_UTP_SYN);
  g_assert_cmpuint (parsed.connection_id, ==, 4321);
}

/* Datagrams waiting together are read in one batch, and the receiver
 * hears that the batch is over once, after all of them. */
static void
test_drained_per_batch (Fixture       *fixture,
                        gconstpointer  data)
{
  TsrUtpPacket state = { 0 };
  guint8 buffer[64];
  gsize length;
  guint i;

  state.type = TSR_UTP_STATE;
  state.connection_id = 4321;
  length = tsr_utp_packet_write (&state, buffer, sizeof buffer);
  /* Loopback delivers each before send returns: all ten wait at once. */
  for (i = 0; i < 10; i++)
    send_plain (fixture->peer, fixture->udp, "127.0.0.1", buffer, length);
  WAIT_UNTIL (fixture->utp.datagrams->len == 10 && fixture->utp.n_drained > 0, "the ten STATEs");
  g_assert_cmpuint (fixture->utp.n_drained, ==, 1);
  g_assert_cmpuint (fixture->utp.drained_at, ==, 10);
}

/* A BEP 15 connect reply: action 0, the transaction, a connection id. */
static void
write_connect_reply (guint8  *out,
                     guint32  transaction,
                     guint64  connection_id)
{
  guint i;

  memset (out, 0, 4);
  for (i = 0; i < 4; i++)
    out[4 + i] = (guint8) (transaction >> (24 - 8 * i));
  for (i = 0; i < 8; i++)
    out[8 + i] = (guint8) (connection_id >> (56 - 8 * i));
}

static void
test_route_tracker (Fixture       *fixture,
                    gconstpointer  data)
{
  TsrUdpDemux *demux = tsr_udp_socket_get_demux (fixture->udp);
  g_autoptr(GSocket) stranger = plain_socket ("127.0.0.1");
  guint8 reply[16];
  TsrPeerAddress tracker;
  guint64 connection_id = 0;
  guint64 dropped;
  GBytes *got;

  address_of_socket (fixture->peer, &tracker);
  g_assert_true (tsr_udp_demux_add_transaction (demux, 0x12345678, &tracker, &recorder_funcs, &fixture->tracker));
  /* One waiter per id. */
  g_assert_false (tsr_udp_demux_add_transaction (demux, 0x12345678, &tracker, &recorder_funcs, &fixture->krpc));
  g_assert_cmpuint (tsr_udp_demux_get_n_transactions (demux), ==, 1);

  write_connect_reply (reply, 0x12345678, G_GUINT64_CONSTANT (0x0102030405060708));
  g_assert_cmpint (tsr_udp_classify (reply, sizeof reply), ==, TSR_UDP_KIND_TRACKER);
  send_plain (fixture->peer, fixture->udp, "127.0.0.1", reply, sizeof reply);
  WAIT_UNTIL (n_routed (fixture) == 1, "the connect reply");
  g_assert_cmpuint (fixture->tracker.datagrams->len, ==, 1);
  got = g_ptr_array_index (fixture->tracker.datagrams, 0);
  g_assert_true (tsr_udp_parse_connect (g_bytes_get_data (got, NULL), g_bytes_get_size (got), 0x12345678,
                                        &connection_id, NULL));
  g_assert_cmphex (connection_id, ==, G_GUINT64_CONSTANT (0x0102030405060708));

  /* The same reply for a transaction nobody waits for: dropped, counted. */
  dropped = tsr_udp_demux_get_count (demux, TSR_UDP_KIND_UNKNOWN);
  write_connect_reply (reply, 0x87654321, 1);
  send_plain (fixture->peer, fixture->udp, "127.0.0.1", reply, sizeof reply);
  WAIT_UNTIL (received (fixture->udp) == 2, "the unregistered reply");
  g_assert_cmpuint (n_routed (fixture), ==, 1);
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_UNKNOWN), ==, dropped + 1);

  /* The pending one, but from another address: dropped too. */
  write_connect_reply (reply, 0x12345678, 2);
  send_plain (stranger, fixture->udp, "127.0.0.1", reply, sizeof reply);
  WAIT_UNTIL (received (fixture->udp) == 3, "the spoofed reply");
  g_assert_cmpuint (n_routed (fixture), ==, 1);
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_UNKNOWN), ==, dropped + 2);

  /* Once removed, the id is nobody's. */
  tsr_udp_demux_remove_transaction (demux, 0x12345678);
  g_assert_cmpuint (tsr_udp_demux_get_n_transactions (demux), ==, 0);
  send_plain (fixture->peer, fixture->udp, "127.0.0.1", reply, sizeof reply);
  WAIT_UNTIL (received (fixture->udp) == 4, "the late reply");
  g_assert_cmpuint (n_routed (fixture), ==, 1);
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_TRACKER), ==, 1);
}

static void
test_route_unknown (Fixture       *fixture,
                    gconstpointer  data)
{
  TsrUdpDemux *demux = tsr_udp_socket_get_demux (fixture->udp);
  static const guint8 garbage[] = "hello, is anybody there?";
  TsrUtpPacket state = { 0 };
  guint8 buffer[64];
  gsize length;

  send_plain (fixture->peer, fixture->udp, "127.0.0.1", garbage, sizeof garbage);
  WAIT_UNTIL (received (fixture->udp) == 1, "the garbage");
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_UNKNOWN), ==, 1);

  /* uTP with nobody for it (uTP is not on yet): dropped. */
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_UTP, NULL, NULL);
  state.type = TSR_UTP_STATE;
  length = tsr_utp_packet_write (&state, buffer, sizeof buffer);
  send_plain (fixture->peer, fixture->udp, "127.0.0.1", buffer, length);
  WAIT_UNTIL (received (fixture->udp) == 2, "the orphan uTP packet");
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_UNKNOWN), ==, 2);
  g_assert_cmpuint (n_routed (fixture), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */

static void
test_burst (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree gboolean *seen = g_new0 (gboolean, BURST);
  TsrUdpSocketStats stats;
  guint sent = 0;
  guint i;

  /* In steps the kernel's buffer holds; each step arrives before the
   * socket's source runs, so that it is read in batches. */
  while (sent < BURST)
    {
      for (i = 0; i < BURST_STEP; i++, sent++)
        {
          g_autofree char *message = g_strdup_printf ("d1:ni%uee", sent);

          send_plain (fixture->peer, fixture->udp, "127.0.0.1", (const guint8 *) message, strlen (message));
        }
      WAIT_UNTIL (fixture->krpc.datagrams->len == sent, "a step of the burst");
    }
  for (i = 0; i < BURST; i++)
    {
      GBytes *got = g_ptr_array_index (fixture->krpc.datagrams, i);
      g_autofree char *text = g_strndup (g_bytes_get_data (got, NULL), g_bytes_get_size (got));
      guint64 n = g_ascii_strtoull (text + 5, NULL, 10);

      g_assert_cmpuint (n, <, BURST);
      g_assert_false (seen[n]);
      seen[n] = TRUE;
    }
  tsr_udp_socket_get_stats (fixture->udp, &stats);
  g_assert_cmpuint (stats.received, ==, BURST);
  g_test_message ("%u datagrams in %" G_GUINT64_FORMAT " wake-ups", BURST, stats.read_dispatches);
  g_assert_cmpuint (stats.read_dispatches, <, BURST);
  g_assert_cmpuint (stats.read_dispatches, >=, BURST / 32 / 4);
}

/* The send queue: TSR_UDP_SEND_QUEUE_MAX datagrams wait, the rest are
 * refused and counted; those sent arrive in order, from our port. */
static void
test_send_order_and_bound (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) sender = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  TsrUdpSocketStats stats;
  TsrPeerAddress to;
  TsrPeerAddress expected_from;
  guint i;

  g_assert_no_error (error);
  udp_address (fixture->udp, "127.0.0.1", &to);
  for (i = 0; i < TSR_UDP_SEND_QUEUE_MAX + 8; i++)
    {
      guint8 datagram[5] = { 'd', (guint8) (i >> 24), (guint8) (i >> 16), (guint8) (i >> 8), (guint8) i };

      g_assert_true (tsr_udp_socket_send (sender, &to, datagram, sizeof datagram) == (i < TSR_UDP_SEND_QUEUE_MAX));
    }
  g_assert_cmpuint (tsr_udp_socket_get_queued (sender), ==, TSR_UDP_SEND_QUEUE_MAX);
  tsr_udp_socket_get_stats (sender, &stats);
  g_assert_cmpuint (stats.queue_full, ==, 8);
  g_assert_cmpuint (stats.sent, ==, 0);

  WAIT_UNTIL (fixture->krpc.datagrams->len == TSR_UDP_SEND_QUEUE_MAX, "the queue");
  for (i = 0; i < TSR_UDP_SEND_QUEUE_MAX; i++)
    {
      const guint8 *got = g_bytes_get_data (g_ptr_array_index (fixture->krpc.datagrams, i), NULL);
      guint n = (guint) got[1] << 24 | (guint) got[2] << 16 | (guint) got[3] << 8 | got[4];

      g_assert_cmpuint (n, ==, i);
    }
  udp_address (sender, "127.0.0.1", &expected_from);
  g_assert_true (tsr_peer_address_equal (&fixture->krpc.from, &expected_from));
  tsr_udp_socket_get_stats (sender, &stats);
  g_assert_cmpuint (stats.sent, ==, TSR_UDP_SEND_QUEUE_MAX);
  g_assert_cmpuint (tsr_udp_socket_get_queued (sender), ==, 0);

  /* Room again once flushed; a datagram for the other family, to port 0,
   * empty or too long is refused without queueing. */
  g_assert_true (tsr_udp_socket_send (sender, &to, (const guint8 *) "d", 1));
  {
    TsrPeerAddress v6 = { 0 };
    TsrPeerAddress port0 = to;
    g_autofree guint8 *big = g_malloc0 (TSR_UDP_DATAGRAM_MAX + 1);

    g_assert_true (tsr_peer_address_parse ("[::1]:6881", &v6));
    port0.port = 0;
    g_assert_false (tsr_udp_socket_send (sender, &v6, (const guint8 *) "d", 1));
    g_assert_false (tsr_udp_socket_send (sender, &port0, (const guint8 *) "d", 1));
    g_assert_false (tsr_udp_socket_send (sender, &to, big, 0));
    g_assert_false (tsr_udp_socket_send (sender, &to, big, TSR_UDP_DATAGRAM_MAX + 1));
  }
  g_assert_cmpuint (tsr_udp_socket_get_queued (sender), ==, 1);
  WAIT_UNTIL (fixture->krpc.datagrams->len == TSR_UDP_SEND_QUEUE_MAX + 1, "the last one");
}

/* Runs of one size to one address go as one message each (UDP GSO),
 * and arrive as the datagrams they were: each whole, in order, a run cut
 * where the size changes, grows, or a shorter one ends it; the receiving
 * socket reads a run at once (UDP GRO) and cuts it the same way. */
static void
test_send_gso (Fixture       *fixture,
               gconstpointer  data)
{
  static const gsize sizes[] = { 1200, 1200, 1200, 1200, 1200, 20, 1200, 1200, 1200, 700, 1200, 1300, 1300, 5,
                                 2000, 2000 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) sender = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autofree guint8 *buffer = g_malloc (TSR_UDP_DATAGRAM_MAX);
  TsrUdpSocketStats stats;
  TsrPeerAddress to;
  guint round;
  guint i;

  g_assert_no_error (error);
  udp_address (fixture->udp, "127.0.0.1", &to);
  /* Twice: the sizes above, then a long run of full ones (three
   * messages of 64 and one of 8). */
  for (round = 0; round < 2; round++)
    {
      guint n = round == 0 ? G_N_ELEMENTS (sizes) : 200;
      guint base = fixture->krpc.datagrams->len;

      for (i = 0; i < n; i++)
        {
          gsize length = round == 0 ? sizes[i] : 1200;

          memset (buffer, (int) (i & 0xff), length);
          buffer[0] = 'd';
          buffer[length - 1] = (guint8) i;
          g_assert_true (tsr_udp_socket_send (sender, &to, buffer, length));
        }
      WAIT_UNTIL (fixture->krpc.datagrams->len == base + n, "the datagrams");
      for (i = 0; i < n; i++)
        {
          gsize length;
          const guint8 *got = g_bytes_get_data (g_ptr_array_index (fixture->krpc.datagrams, base + i), &length);

          g_assert_cmpuint (length, ==, round == 0 ? sizes[i] : 1200);
          g_assert_cmpuint (got[length - 1], ==, (guint8) i);
          if (length > 2)
            g_assert_cmpuint (got[1], ==, (guint8) i);
        }
    }
  tsr_udp_socket_get_stats (sender, &stats);
  g_assert_cmpuint (stats.sent, ==, G_N_ELEMENTS (sizes) + 200);
  g_assert_cmpuint (stats.send_failed, ==, 0);
  /* First round: [1200 x5, 20] [1200 x3, 700] [1200] [1300 x2, 5], and
   * the two of 2000 bytes alone (a run of them could pass a path's MTU);
   * then 64 + 64 + 64 + 8. */
  g_assert_cmpuint (stats.gso_sends, ==, 3 + 4);
  /* And the receiving socket, which asks for UDP_GRO, had them as runs
   * too, and cut them (loopback keeps a GSO run whole for it). */
  tsr_udp_socket_get_stats (fixture->udp, &stats);
  g_assert_cmpuint (stats.received, ==, G_N_ELEMENTS (sizes) + 200);
  g_assert_cmpuint (stats.gro_reads, >, 0);
  g_assert_cmpuint (stats.too_long, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Unreachable destinations (ICMP)                                     */

/* What a receiver hears of unreachable destinations; it claims them
 * when @claim is set. */
typedef struct
{
  gboolean       claim;
  guint          calls;
  TsrPeerAddress to;
  GError        *error;   /* (owned) (nullable) the last one */
} Unreachable;

static gboolean
on_unreachable (const TsrPeerAddress *to,
                const GError         *error,
                gpointer              user_data)
{
  Unreachable *unreachable = user_data;

  unreachable->calls++;
  unreachable->to = *to;
  g_clear_error (&unreachable->error);
  unreachable->error = g_error_copy (error);
  return unreachable->claim;
}

static void
on_received_nothing (const guint8         *data,
                     gsize                 length,
                     const TsrPeerAddress *from,
                     gpointer              user_data)
{
  g_assert_not_reached ();
}

static const TsrUdpReceiverFuncs unreachable_funcs = {
  .received = on_received_nothing,
  .unreachable = on_unreachable,
};

/* An address of 127.0.0.1 where nothing listens: a port just closed. */
static void
closed_port (TsrPeerAddress *out)
{
  g_autoptr(GSocket) socket = plain_socket ("127.0.0.1");

  address_of_socket (socket, out);
  g_socket_close (socket, NULL);
}

static guint64
unreachable_stats (TsrUdpSocket *udp,
                   guint64      *unclaimed)
{
  TsrUdpSocketStats stats;

  tsr_udp_socket_get_stats (udp, &stats);
  *unclaimed = stats.unclaimed;
  return stats.unreachable;
}

/* The kernel's ICMP "port unreachable" reaches the tracker transaction
 * waiting on that address, within a second, and the socket goes on
 * sending and receiving. */
static void
test_unreachable_transaction (Fixture       *fixture,
                              gconstpointer  data)
{
  TsrUdpDemux *demux = tsr_udp_socket_get_demux (fixture->udp);
  Unreachable unreachable = { .claim = TRUE };
  TsrPeerAddress closed, peer;
  guint64 unclaimed;
  gint64 start;
  char buffer[16];

  closed_port (&closed);
  g_assert_true (tsr_udp_demux_add_transaction (demux, 0x2a, &closed, &unreachable_funcs, &unreachable));
  start = g_get_monotonic_time ();
  g_assert_true (tsr_udp_socket_send (fixture->udp, &closed, (const guint8 *) "connect?", 8));
  WAIT_UNTIL (unreachable.calls > 0, "the unreachable report");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (unreachable.calls, ==, 1);
  g_assert_true (tsr_peer_address_equal (&unreachable.to, &closed));
  g_assert_error (unreachable.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (unreachable.error->message, ==, g_strerror (ECONNREFUSED));
  g_assert_cmpuint (unreachable_stats (fixture->udp, &unclaimed), ==, 1);
  g_assert_cmpuint (unclaimed, ==, 0);
  g_assert_cmpuint (tsr_udp_demux_get_unclaimed (demux), ==, 0);
  tsr_udp_demux_remove_transaction (demux, 0x2a);

  /* The error spoils nothing after it: a datagram out, one in. */
  address_of_socket (fixture->peer, &peer);
  g_assert_true (tsr_udp_socket_send (fixture->udp, &peer, (const guint8 *) "d1:xi0ee", 8));
  WAIT_UNTIL (g_socket_condition_check (fixture->peer, G_IO_IN) & G_IO_IN, "the datagram after the error");
  g_assert_cmpint (g_socket_receive (fixture->peer, buffer, sizeof buffer, NULL, NULL), ==, 8);
  send_plain (fixture->peer, fixture->udp, "127.0.0.1", (const guint8 *) "d1:xi1ee", 8);
  WAIT_UNTIL (fixture->krpc.datagrams->len == 1, "the datagram in after the error");
  g_assert_cmpuint (unreachable.calls, ==, 1);
  g_clear_error (&unreachable.error);
}

/* With no transaction on the address, the KRPC receiver is asked; a
 * report that it declines (and uTP's receiver, without the callback,
 * cannot take) is counted and dropped. */
static void
test_unreachable_unclaimed (Fixture       *fixture,
                            gconstpointer  data)
{
  TsrUdpDemux *demux = tsr_udp_socket_get_demux (fixture->udp);
  Unreachable krpc = { .claim = FALSE };
  TsrPeerAddress closed;
  guint64 unclaimed;

  closed_port (&closed);
  /* Nobody has the callback: dropped, counted. */
  g_assert_true (tsr_udp_socket_send (fixture->udp, &closed, (const guint8 *) "d1:xi0ee", 8));
  WAIT_UNTIL (unreachable_stats (fixture->udp, &unclaimed) == 1, "the first report");
  g_assert_cmpuint (unclaimed, ==, 1);
  g_assert_cmpuint (tsr_udp_demux_get_unclaimed (demux), ==, 1);

  /* The KRPC receiver declines it: still nobody's. */
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_KRPC, NULL, NULL);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_KRPC, &unreachable_funcs, &krpc);
  g_assert_true (tsr_udp_socket_send (fixture->udp, &closed, (const guint8 *) "d1:xi0ee", 8));
  WAIT_UNTIL (unreachable_stats (fixture->udp, &unclaimed) == 2, "the second report");
  g_assert_cmpuint (krpc.calls, ==, 1);
  g_assert_true (tsr_peer_address_equal (&krpc.to, &closed));
  g_assert_cmpuint (unclaimed, ==, 2);

  /* It claims it: counted as told, not as dropped. */
  krpc.claim = TRUE;
  g_assert_true (tsr_udp_socket_send (fixture->udp, &closed, (const guint8 *) "d1:xi0ee", 8));
  WAIT_UNTIL (unreachable_stats (fixture->udp, &unclaimed) == 3, "the third report");
  g_assert_cmpuint (krpc.calls, ==, 2);
  g_assert_cmpuint (unclaimed, ==, 2);
  g_assert_cmpuint (tsr_udp_demux_get_unclaimed (demux), ==, 2);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_KRPC, NULL, NULL);
  g_clear_error (&krpc.error);
}

/* ------------------------------------------------------------------ */
/* IPv6                                                                */

/* IPV6_RECVERR: ICMPv6 "port unreachable" on ::1 the same way. */
static void
test_unreachable_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) udp = tsr_udp_socket_new ("::1", TSR_PEER_ADDRESS_IPV6, 0, &error);
  g_autoptr(GSocket) socket = NULL;
  Unreachable unreachable = { .claim = TRUE };
  TsrUdpDemux *demux;
  TsrPeerAddress closed;
  guint64 unclaimed;
  gint64 start;

  if (udp == NULL)
    {
      g_test_fail_printf ("::1 is unavailable for UDP on this machine: %s", error->message);
      return;
    }
  socket = plain_socket ("::1");
  address_of_socket (socket, &closed);
  g_socket_close (socket, NULL);
  demux = tsr_udp_socket_get_demux (udp);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_UTP, &unreachable_funcs, &unreachable);
  start = g_get_monotonic_time ();
  g_assert_true (tsr_udp_socket_send (udp, &closed, (const guint8 *) "d1:xi0ee", 8));
  WAIT_UNTIL (unreachable.calls > 0, "the unreachable report over IPv6");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_true (tsr_peer_address_equal (&unreachable.to, &closed));
  g_assert_error (unreachable.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (unreachable_stats (udp, &unclaimed), ==, 1);
  g_assert_cmpuint (unclaimed, ==, 0);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_UTP, NULL, NULL);
  g_clear_error (&unreachable.error);
}

static void
test_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) v4 = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autoptr(TsrUdpSocket) v6 = NULL;
  g_autoptr(GSocket) peer = NULL;
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) any6 = g_inet_socket_address_new (loopback6, 0);
  static const guint8 id[20] = "a-test-dht-node-id!";
  g_autoptr(GBytes) ping = tsr_krpc_write_ping ((const guint8 *) "v6", 2, id, FALSE);
  TsrPeerAddress sender;
  Recorder krpc;
  char answer[64];
  gssize length;

  g_assert_no_error (error);
  /* The same port on both families, as the session binds them. */
  v6 = tsr_udp_socket_new ("::1", TSR_PEER_ADDRESS_IPV6, tsr_udp_socket_get_port (v4), &error);
  if (v6 == NULL)
    {
      g_test_fail_printf ("::1 is unavailable for UDP on this machine: %s", error->message);
      return;
    }
  g_assert_cmpuint (tsr_udp_socket_get_port (v6), ==, tsr_udp_socket_get_port (v4));
  g_assert_cmpint (tsr_udp_socket_get_family (v6), ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_null (tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV6, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  recorder_init (&krpc);
  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (v6), TSR_UDP_KIND_KRPC, &recorder_funcs, &krpc);
  peer = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (peer, any6, FALSE, &error);
  g_assert_no_error (error);
  send_plain (peer, v6, "::1", g_bytes_get_data (ping, NULL), g_bytes_get_size (ping));
  WAIT_UNTIL (krpc.datagrams->len == 1, "the ping over IPv6");
  address_of_socket (peer, &sender);
  g_assert_cmpint (krpc.from.family, ==, TSR_PEER_ADDRESS_IPV6);
  g_assert_true (tsr_peer_address_equal (&krpc.from, &sender));

  /* And back: the answer reaches the sender. */
  g_assert_true (tsr_udp_socket_send (v6, &krpc.from, (const guint8 *) "d1:y1:re", 8));
  WAIT_UNTIL (g_socket_condition_check (peer, G_IO_IN) & G_IO_IN, "the answer over IPv6");
  length = g_socket_receive (peer, answer, sizeof answer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (length, ==, 8);
  g_assert_cmpmem (answer, 8, "d1:y1:re", 8);

  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (v6), TSR_UDP_KIND_KRPC, NULL, NULL);
  recorder_clear (&krpc);
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

static void
test_close_with_queue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) peer = plain_socket ("127.0.0.1");
  TsrUdpSocket *udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  TsrPeerAddress to;
  guint arrived = 0;
  guint i;

  g_assert_no_error (error);
  address_of_socket (peer, &to);
  for (i = 0; i < 100; i++)
    g_assert_true (tsr_udp_socket_send (udp, &to, (const guint8 *) "d1:xi0ee", 8));
  g_assert_cmpuint (tsr_udp_socket_get_queued (udp), ==, 100);
  /* A second reference keeps it open (the DHT's, a tracker's). */
  tsr_udp_socket_ref (udp);
  tsr_udp_socket_unref (udp);
  g_assert_cmpuint (tsr_udp_socket_get_queued (udp), ==, 100);
  /* The last one sends what is queued, then frees it all. */
  tsr_udp_socket_unref (udp);
  g_socket_set_blocking (peer, FALSE);
  for (;;)
    {
      char buffer[16];

      if (g_socket_receive (peer, buffer, sizeof buffer, NULL, NULL) != 8)
        break;
      arrived++;
    }
  g_assert_cmpuint (arrived, ==, 100);
  /* Its source is gone with it: the loop has nothing of it to run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A receiver that drops the last reference while a batch is being
 * handed out: the rest of the batch is dropped, nothing is touched after. */
typedef struct
{
  TsrUdpSocket *udp;
  guint         calls;
} Dropper;

static void
on_received_drop (const guint8         *data,
                  gsize                 length,
                  const TsrPeerAddress *from,
                  gpointer              user_data)
{
  Dropper *dropper = user_data;

  dropper->calls++;
  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (dropper->udp), TSR_UDP_KIND_KRPC, NULL, NULL);
  g_clear_pointer (&dropper->udp, tsr_udp_socket_unref);
}

static const TsrUdpReceiverFuncs drop_funcs = {
  .received = on_received_drop,
};

static void
test_close_from_receiver (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) peer = plain_socket ("127.0.0.1");
  Dropper dropper = { 0 };
  TsrPeerAddress to;
  guint i;

  dropper.udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_assert_no_error (error);
  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (dropper.udp), TSR_UDP_KIND_KRPC, &drop_funcs, &dropper);
  /* Something queued to send as well. */
  g_assert_true (tsr_peer_address_parse ("127.0.0.1:9", &to));
  g_assert_true (tsr_udp_socket_send (dropper.udp, &to, (const guint8 *) "d1:xi0ee", 8));
  for (i = 0; i < 10; i++)
    send_plain (peer, dropper.udp, "127.0.0.1", (const guint8 *) "d1:xi1ee", 8);
  WAIT_UNTIL (dropper.udp == NULL, "the receiver to close the socket");
  g_assert_cmpuint (dropper.calls, ==, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/udp-socket/route/krpc", Fixture, NULL, fixture_set_up, test_route_krpc, fixture_tear_down);
  g_test_add ("/udp-socket/route/utp", Fixture, NULL, fixture_set_up, test_route_utp, fixture_tear_down);
  g_test_add ("/udp-socket/route/drained", Fixture, NULL, fixture_set_up, test_drained_per_batch, fixture_tear_down);
  g_test_add ("/udp-socket/route/tracker", Fixture, NULL, fixture_set_up, test_route_tracker, fixture_tear_down);
  g_test_add ("/udp-socket/route/unknown", Fixture, NULL, fixture_set_up, test_route_unknown, fixture_tear_down);
  g_test_add ("/udp-socket/burst", Fixture, NULL, fixture_set_up, test_burst, fixture_tear_down);
  g_test_add ("/udp-socket/send/order-and-bound", Fixture, NULL, fixture_set_up, test_send_order_and_bound,
              fixture_tear_down);
  g_test_add ("/udp-socket/send/gso", Fixture, NULL, fixture_set_up, test_send_gso, fixture_tear_down);
  g_test_add ("/udp-socket/unreachable/transaction", Fixture, NULL, fixture_set_up, test_unreachable_transaction,
              fixture_tear_down);
  g_test_add ("/udp-socket/unreachable/unclaimed", Fixture, NULL, fixture_set_up, test_unreachable_unclaimed,
              fixture_tear_down);
  g_test_add_func ("/udp-socket/ipv6", test_ipv6);
  g_test_add_func ("/udp-socket/unreachable/ipv6", test_unreachable_ipv6);
  g_test_add_func ("/udp-socket/close/with-queue", test_close_with_queue);
  g_test_add_func ("/udp-socket/close/from-receiver", test_close_from_receiver);
  return g_test_run ();
}
