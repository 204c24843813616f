/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dialer.c: the dialer's fallback from uTP to TCP against a peer
 * whose UDP port is silent, on loopback: the delay it chooses for the
 * path (tsr-dial-delay.h; test-dial-delay.c checks every case without
 * sockets), TCP carrying the dial within that short delay, and the
 * losing uTP leg never carrying a byte of BitTorrent, even when its SYN
 * is answered after TCP won. test-transports.c has whole sessions.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-dial-delay.h"
#include "tsr-dialer.h"
#include "tsr-peer.h"
#include "tsr-test-util.h"
#include "tsr-utp-manager.h"
#include "tsr-utp-packet.h"
#include "tsr-wire.h"

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, 20, what)

/* A peer on 127.0.0.1 without uTP: a TCP listener, and a UDP socket on
 * the same port that takes datagrams and never answers unless told to. */
typedef struct
{
  GSocketListener   *listener;   /* (owned) */
  GSocket           *udp;        /* (owned) */
  GSocketConnection *accepted;   /* (owned) (nullable) */
  TsrPeerAddress     address;
} SilentPeer;

static void
on_tcp_accepted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SilentPeer *peer = user_data;

  peer->accepted = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
}

static void
silent_peer_init (SilentPeer *peer)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) same = NULL;
  g_autoptr(GError) error = NULL;

  memset (peer, 0, sizeof *peer);
  peer->listener = g_socket_listener_new ();
  g_assert_true (g_socket_listener_add_address (peer->listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  peer->udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  same = g_inet_socket_address_new (loopback, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_assert_true (g_socket_bind (peer->udp, same, FALSE, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (peer->udp, FALSE);
  g_assert_true (tsr_peer_address_from_socket (bound, &peer->address));
  g_socket_listener_accept_async (peer->listener, NULL, on_tcp_accepted, peer);
}

static void
silent_peer_clear (SilentPeer *peer)
{
  g_socket_listener_close (peer->listener);
  g_clear_object (&peer->listener);
  g_clear_object (&peer->udp);
  g_clear_object (&peer->accepted);
}

/* Reads one datagram waiting at the peer's UDP socket into @packet
 * (@buffer holds it); FALSE when none waits. @from gets the sender. */
static gboolean
receive_packet (SilentPeer      *peer,
                guint8          *buffer,
                gsize            size,
                TsrUtpPacket    *packet,
                GSocketAddress **from)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_receive_from (peer->udp, from, (gchar *) buffer, size, NULL, &error);

  if (n < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      return FALSE;
    }
  g_assert_true (tsr_utp_packet_parse (packet, buffer, (gsize) n, &error));
  g_assert_no_error (error);
  return TRUE;
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static TsrDialer *
dialer_on_loopback (TsrUdpSocket **socket)
{
  g_autoptr(GError) error = NULL;
  TsrDialer *dialer = tsr_dialer_new (NULL, NULL);

  *socket = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_assert_no_error (error);
  tsr_dialer_add_socket (dialer, *socket);
  return dialer;
}

/* The delay the dialer would give, by path, before anything is measured. */
static void
test_delay_by_path (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (&socket);
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse ("127.0.0.1:6881", &address));
  g_assert_cmpuint (tsr_dialer_get_fallback_ms (dialer, &address), ==, TSR_DIAL_DELAY_LOCAL_MS);
  g_assert_true (tsr_peer_address_parse ("192.168.0.7:6881", &address));
  g_assert_cmpuint (tsr_dialer_get_fallback_ms (dialer, &address), ==, TSR_DIAL_DELAY_LOCAL_MS);
  g_assert_true (tsr_peer_address_parse ("192.0.2.7:6881", &address));
  g_assert_cmpuint (tsr_dialer_get_fallback_ms (dialer, &address), ==, TSR_DIAL_DELAY_DEFAULT_MS);
  g_assert_true (tsr_peer_address_parse ("[2001:db8::7]:6881", &address));
  g_assert_cmpuint (tsr_dialer_get_fallback_ms (dialer, &address), ==, TSR_DIAL_DELAY_DEFAULT_MS);
}

/* The first dial to a peer without uTP on loopback: TCP within the
 * short local delay (before: 800 ms). */
static void
test_silent_loopback_fast (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (&socket);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buffer[2048];
  TsrDialerStats stats;
  TsrUtpPacket packet;
  SilentPeer peer;
  gint64 elapsed;
  gint64 start;

  silent_peer_init (&peer);
  start = g_get_monotonic_time ();
  tsr_dialer_connect_async (dialer, &peer.address, NULL, on_dialled, &result);
  WAIT_UNTIL (result != NULL, "the dial's end");
  elapsed = g_get_monotonic_time () - start;
  stream = tsr_dialer_connect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsr_dialer_transport_of (stream), ==, TSR_TRANSPORT_TCP);
  tsr_dialer_get_stats (dialer, &stats);
  g_test_message ("first connection to a silent-UDP peer on loopback after %.1f ms (uTP had %u ms; 800 ms before)",
                  (gdouble) elapsed / 1000, stats.last_fallback_ms);
  g_assert_cmpuint (stats.last_fallback_ms, ==, TSR_DIAL_DELAY_LOCAL_MS);
  g_assert_cmpint (elapsed, >=, TSR_DIAL_DELAY_LOCAL_MS * 1000);
  g_assert_cmpint (elapsed, <, 250 * 1000);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.fallbacks, ==, 1);
  g_assert_cmpuint (stats.tcp_connected, ==, 1);
  WAIT_UNTIL (peer.accepted != NULL, "the TCP connection at the peer");
  /* uTP was tried first: its SYN reached the silent port. */
  g_assert_true (receive_packet (&peer, buffer, sizeof buffer, &packet, NULL));
  g_assert_cmpint (packet.type, ==, TSR_UTP_SYN);
  WAIT_UNTIL (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)) == 0,
              "the cancelled uTP dial's end");
  tsr_test_drain ();
  silent_peer_clear (&peer);
}

/* Reads what the TCP side got until @received holds @want bytes. */
static gboolean
receive_some (GSocket    *socket,
              GByteArray *received,
              guint       want)
{
  guint8 buffer[4096];
  gssize n = g_socket_receive (socket, (gchar *) buffer, sizeof buffer, NULL, NULL);

  if (n > 0)
    g_byte_array_append (received, buffer, (guint) n);
  return received->len >= want;
}

/* The peer answers our uTP SYN only once TCP has won: the loser must not
 * send a handshake (a peer seeing two from us drops one, and may count
 * it against us). The late STATE gets a RESET, or nothing, never DATA;
 * the handshake goes over TCP alone. */
static void
test_late_utp_sends_nothing (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (&socket);
  g_autoptr(TsrPeer) ours = NULL;
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(GByteArray) received = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrWireHandshake handshake = { 0 };
  TsrWireHandshake theirs;
  TsrUtpPacket syn;
  TsrUtpPacket state = { 0 };
  TsrUtpPacket packet;
  guint8 syn_buffer[2048];
  guint8 buffer[2048];
  guint8 reply[64];
  gsize length;
  guint n_reset = 0;
  SilentPeer peer;

  silent_peer_init (&peer);
  memset (handshake.info_hash, 0xcd, sizeof handshake.info_hash);
  memcpy (handshake.peer_id, "-TE0100-latelosertst", 20);
  ours = tsr_peer_new_outgoing (&peer.address, dialer);
  tsr_peer_set_encryption (ours, TSR_PEER_ENCRYPTION_OFF, NULL, NULL);
  tsr_peer_start (ours, &handshake);
  /* The SYN went first: it waits at the silent port once TCP is in. */
  WAIT_UNTIL (peer.accepted != NULL, "the TCP connection at the peer");
  g_assert_true (receive_packet (&peer, syn_buffer, sizeof syn_buffer, &syn, &from));
  g_assert_cmpint (syn.type, ==, TSR_UTP_SYN);
  g_socket_set_blocking (g_socket_connection_get_socket (peer.accepted), FALSE);
  WAIT_UNTIL (receive_some (g_socket_connection_get_socket (peer.accepted), received, TSR_WIRE_HANDSHAKE_LENGTH),
              "our handshake over TCP");
  g_assert_true (tsr_wire_parse_handshake (received->data, received->len, &theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (theirs.peer_id, 20, handshake.peer_id, 20);

  /* BEP 29: the answer to a SYN has the SYN's connection id and acks its seq_nr. */
  state.type = TSR_UTP_STATE;
  state.connection_id = syn.connection_id;
  state.timestamp_us = (guint32) g_get_monotonic_time ();
  state.wnd_size = 1 << 20;
  state.seq_nr = 4242;
  state.ack_nr = syn.seq_nr;
  length = tsr_utp_packet_write (&state, reply, sizeof reply);
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpint (g_socket_send_to (peer.udp, from, (const gchar *) reply, length, NULL, &error), ==, (gssize) length);
  g_assert_no_error (error);
  tsr_test_run_for (300);
  while (receive_packet (&peer, buffer, sizeof buffer, &packet, NULL))
    {
      g_test_message ("after TCP won, uTP sent type %d", packet.type);
      g_assert_cmpint (packet.type, !=, TSR_UTP_DATA);
      g_assert_cmpuint (packet.payload_length, ==, 0);
      n_reset += packet.type == TSR_UTP_RESET;
    }
  g_test_message ("%u RESET(s) for the late STATE", n_reset);
  g_assert_cmpint (tsr_peer_get_transport (ours), ==, TSR_TRANSPORT_TCP);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)), ==, 0);
  tsr_peer_close (ours, NULL);
  tsr_test_drain ();
  silent_peer_clear (&peer);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dialer/delay-by-path", test_delay_by_path);
  g_test_add_func ("/dialer/silent-udp/loopback-fast", test_silent_loopback_fast);
  g_test_add_func ("/dialer/silent-udp/late-utp-sends-nothing", test_late_utp_sends_nothing);
  return g_test_run ();
}
