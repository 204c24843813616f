/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-transports.c: peer connections over uTP (BEP 29) and TCP, on
 * 127.0.0.1 only. Two sessions with uTP alone hand a torrent over, in
 * plaintext and with MSE; with both transports on uTP carries it and
 * TCP is never dialled; a peer without uTP is reached over TCP, at once
 * when it refuses the SYN and after the fallback delay when its UDP
 * port stays silent, and the next dial there goes to TCP at once
 * without a uTP datagram; a uTP dial to a closed port fails within
 * milliseconds through the ICMP error; a cancelled dial tries nothing
 * more; a session with TCP off closes TCP connections; uTP connections
 * keep the upload limit and the connection budget; in a mixed swarm a
 * uTP-only and a TCP-only leech each get the data over theirs; two peers
 * dialling each other keep one connection; a peer that sent a bad piece
 * over uTP is banned, and its host's next uTP and TCP connections are
 * turned away at the handshake.
 * Each transfer logs its throughput.
 *
 * Every wait iterates the main context against a deadline.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tsr-dial-delay.h"
#include "tsr-dialer.h"
#include "tsr-peer.h"
#include "tsr-session.h"
#include "tsr-test-util.h"

#define WAIT_SECONDS 20
#define PIECE_LENGTH (256 * 1024)
#define MIB          (1024 * 1024)

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, WAIT_SECONDS, what)

typedef TsrTestSwarmDirs Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  gsize size = GPOINTER_TO_SIZE (data);
  g_autofree char *root = NULL;

  tsr_test_swarm_dirs_init (f, "tsr-transports");
  root = g_build_filename (f->source, "data", NULL);
  tsr_test_write_file (root, "payload.bin", size, 29);
  tsr_test_write_file (root, "tail.bin", 12345, 30);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_test_swarm_dirs_clear (f);
}

static void
on_done (TsrTorrent *torrent,
         gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static TsrSession *
session_new (TsrTransport       transports,
             TsrPeerEncryption  encryption)
{
  TsrSession *session = tsr_session_new ();
  g_autoptr(GError) error = NULL;

  tsr_session_set_encryption (session, encryption);
  tsr_session_set_transports (session, transports);
  g_assert_cmpint (tsr_session_get_transports (session), ==, transports);
  g_assert_true (tsr_session_listen_on (session, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  /* uTP runs on the UDP socket, on the TCP port when it was free. */
  g_assert_cmpuint (tsr_session_get_udp_port (session), !=, 0);
  return session;
}

static void
assert_same_data_in (Fixture    *f,
                     const char *folder)
{
  g_assert_cmpuint (tsr_test_assert_same_files (f->info, f->source, folder), ==, 2);
}

static void
assert_same_data (Fixture *f)
{
  assert_same_data_in (f, f->target);
}

/* The one peer @torrent has, past its handshake, came over @transport. */
static void
assert_one_peer_over (TsrTorrent   *torrent,
                      TsrTransport  transport)
{
  g_autoptr(GPtrArray) infos = tsr_torrent_dup_peer_infos (torrent);
  TsrPeerInfo *info;

  g_assert_cmpuint (infos->len, ==, 1);
  info = g_ptr_array_index (infos, 0);
  g_assert_cmpstr (tsr_transport_to_string (info->transport), ==, tsr_transport_to_string (transport));
}

typedef struct
{
  TsrTransport      seed;
  TsrTransport      leech;
  TsrPeerEncryption encryption;
  TsrTransport      expected;      /* what carries the data */
} Transfer;

/* The leech dials the seed; the seed keeps its one peer until the leech
 * is done. Returns the leech's dialer counters. */
static void
run_transfer (Fixture        *f,
              const Transfer *transfer,
              TsrDialerStats *leech_stats,
              gdouble        *seconds)
{
  TsrSession *seeder = session_new (transfer->seed, transfer->encryption);
  TsrSession *leecher = session_new (transfer->leech, transfer->encryption);
  TsrTorrent *seed = tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  TsrTorrent *leech = tsr_test_add_and_start (leecher, f->info, f->target, TSR_TORRENT_DOWNLOADING);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  gint64 start;
  guint done = 0;

  g_signal_connect (leech, "done", G_CALLBACK (on_done), &done);
  start = g_get_monotonic_time ();
  tsr_torrent_add_peer_address (leech, address);
  WAIT_UNTIL (done > 0, "the leech's \"done\"");
  *seconds = (gdouble) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  assert_same_data (f);
  assert_one_peer_over (leech, transfer->expected);
  assert_one_peer_over (seed, transfer->expected);
  tsr_dialer_get_stats (tsr_session_get_dialer (leecher), leech_stats);
  g_test_message ("%s, %s: %.1f MiB in %.2f s: %.1f MB/s", tsr_transport_to_string (transfer->expected),
                  transfer->encryption == TSR_PEER_ENCRYPTION_REQUIRE ? "RC4" : "plaintext",
                  (gdouble) f->info->total_length / MIB, *seconds, (gdouble) f->info->total_length / 1e6 / *seconds);
  g_signal_handlers_disconnect_by_data (leech, &done);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* uTP alone, both ends: the bytes cannot have gone another way. */
static void
test_utp_only (Fixture       *f,
               gconstpointer  data)
{
  Transfer transfer = { TSR_TRANSPORT_UTP, TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF, TSR_TRANSPORT_UTP };
  TsrDialerStats stats;
  gdouble seconds;

  run_transfer (f, &transfer, &stats, &seconds);
  g_assert_cmpuint (stats.utp_connected, ==, 1);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
}

/* MSE is only a stream to uTP: RC4 both ways. */
static void
test_utp_only_encrypted (Fixture       *f,
                         gconstpointer  data)
{
  Transfer transfer = { TSR_TRANSPORT_UTP, TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_REQUIRE, TSR_TRANSPORT_UTP };
  TsrDialerStats stats;
  gdouble seconds;

  run_transfer (f, &transfer, &stats, &seconds);
  g_assert_cmpuint (stats.utp_connected, ==, 1);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
}

/* Both on at both ends: uTP wins and TCP is never dialled. */
static void
test_both_prefers_utp (Fixture       *f,
                       gconstpointer  data)
{
  Transfer transfer = { TSR_TRANSPORT_BOTH, TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_PREFER, TSR_TRANSPORT_UTP };
  TsrDialerStats stats;
  gdouble seconds;

  run_transfer (f, &transfer, &stats, &seconds);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.utp_connected, ==, 1);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
  g_assert_cmpuint (stats.fallbacks, ==, 0);
}

/* The same torrent over TCP alone, for the throughput beside uTP's. */
static void
test_tcp_only (Fixture       *f,
               gconstpointer  data)
{
  Transfer transfer = { TSR_TRANSPORT_TCP, TSR_TRANSPORT_TCP, TSR_PEER_ENCRYPTION_OFF, TSR_TRANSPORT_TCP };
  TsrDialerStats stats;
  gdouble seconds;

  run_transfer (f, &transfer, &stats, &seconds);
  g_assert_cmpuint (stats.utp_dials, ==, 0);
  g_assert_cmpuint (stats.tcp_connected, ==, 1);
}

/* A seed without uTP refuses the SYN with a RESET: TCP follows at once,
 * well inside the fallback delay. */
static void
test_fallback_when_refused (Fixture       *f,
                            gconstpointer  data)
{
  Transfer transfer = { TSR_TRANSPORT_TCP, TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_OFF, TSR_TRANSPORT_TCP };
  TsrDialerStats stats;
  gdouble seconds;

  run_transfer (f, &transfer, &stats, &seconds);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.utp_connected, ==, 0);
  g_assert_cmpuint (stats.fallbacks, ==, 1);
  g_assert_cmpuint (stats.tcp_connected, ==, 1);
}

/* The session's upload limit holds over uTP: 8 MiB at 4 MB/s take more
 * than the bucket's first second. */
static void
test_utp_rate_limited (Fixture       *f,
                       gconstpointer  data)
{
  TsrSession *seeder = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
  TsrSession *leecher = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
  TsrTorrent *leech = tsr_test_add_and_start (leecher, f->info, f->target, TSR_TORRENT_DOWNLOADING);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  gint64 start;
  gdouble seconds;
  guint done = 0;

  tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  tsr_session_set_rate_limits (seeder, 4000000, 0);
  g_signal_connect (leech, "done", G_CALLBACK (on_done), &done);
  start = g_get_monotonic_time ();
  tsr_torrent_add_peer_address (leech, address);
  WAIT_UNTIL (done > 0, "the leech's \"done\"");
  seconds = (gdouble) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_test_message ("utp at 4 MB/s: %.1f MiB in %.2f s", (gdouble) f->info->total_length / MIB, seconds);
  assert_same_data (f);
  assert_one_peer_over (leech, TSR_TRANSPORT_UTP);
  g_assert_cmpfloat (seconds, >=, 1.2);
  g_signal_handlers_disconnect_by_data (leech, &done);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* The session's connection budget counts uTP connections: a seed allowed
 * one connection never holds two, though two leeches dial it over uTP
 * at once; both finish, one after the other. */
typedef struct
{
  TsrSession *seeder;
  guint       most;
} Watch;

static gboolean
on_watch_tick (gpointer user_data)
{
  Watch *watch = user_data;

  watch->most = MAX (watch->most, tsr_session_get_n_connections (watch->seeder));
  return G_SOURCE_CONTINUE;
}

static void
test_utp_budget (Fixture       *f,
                 gconstpointer  data)
{
  TsrSession *seeder = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
  TsrSession *leechers[2];
  TsrTorrent *leeches[2];
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  g_autofree char *second = g_build_filename (f->dir, "second", NULL);
  Watch watch = { seeder, 0 };
  guint done = 0;
  guint tick;
  guint i;

  g_assert_cmpint (g_mkdir (second, 0755), ==, 0);
  tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  tsr_session_set_max_connections (seeder, 1);
  /* Slow enough that the second dial comes while the first downloads. */
  tsr_session_set_rate_limits (seeder, 8000000, 0);
  for (i = 0; i < 2; i++)
    {
      leechers[i] = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
      leeches[i] = tsr_test_add_and_start (leechers[i], f->info, i == 0 ? f->target : second, TSR_TORRENT_DOWNLOADING);
      g_signal_connect (leeches[i], "done", G_CALLBACK (on_done), &done);
    }
  tick = g_timeout_add (5, on_watch_tick, &watch);
  for (i = 0; i < 2; i++)
    tsr_torrent_add_peer_address (leeches[i], address);
  WAIT_UNTIL (done == 2, "both leeches' \"done\"");
  g_source_remove (tick);
  assert_same_data (f);
  assert_same_data_in (f, second);
  g_assert_cmpuint (watch.most, ==, 1);
  for (i = 0; i < 2; i++)
    {
      g_signal_handlers_disconnect_by_data (leeches[i], &done);
      g_object_unref (leechers[i]);
    }
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* A mixed swarm: a seed with both transports, one leech with uTP alone
 * and one with TCP alone. Each gets the data over the one it has; when
 * each is done, its peers (the seed) are over that transport. */
typedef struct
{
  guint        done;
  TsrTransport seen;   /* the transports of its peers when it was done */
} Mixed;

static void
on_mixed_done (TsrTorrent *torrent,
               gpointer    user_data)
{
  Mixed *mixed = user_data;
  g_autoptr(GPtrArray) infos = tsr_torrent_dup_peer_infos (torrent);
  guint i;

  mixed->done++;
  for (i = 0; i < infos->len; i++)
    mixed->seen |= ((TsrPeerInfo *) g_ptr_array_index (infos, i))->transport;
}

static void
test_mixed_swarm (Fixture       *f,
                  gconstpointer  data)
{
  static const TsrTransport transports[] = { TSR_TRANSPORT_UTP, TSR_TRANSPORT_TCP };
  TsrSession *seeder = session_new (TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_OFF);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  g_autofree char *second = g_build_filename (f->dir, "second", NULL);
  TsrSession *leechers[2];
  TsrTorrent *leeches[2];
  Mixed mixed[2] = { { 0, 0 }, { 0, 0 } };
  guint i;

  g_assert_cmpint (g_mkdir (second, 0755), ==, 0);
  tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  for (i = 0; i < 2; i++)
    {
      leechers[i] = session_new (transports[i], TSR_PEER_ENCRYPTION_OFF);
      leeches[i] = tsr_test_add_and_start (leechers[i], f->info, i == 0 ? f->target : second, TSR_TORRENT_DOWNLOADING);
      g_signal_connect (leeches[i], "done", G_CALLBACK (on_mixed_done), &mixed[i]);
      tsr_torrent_add_peer_address (leeches[i], address);
    }
  WAIT_UNTIL (mixed[0].done > 0 && mixed[1].done > 0, "both leeches' \"done\"");
  assert_same_data (f);
  assert_same_data_in (f, second);
  for (i = 0; i < 2; i++)
    {
      g_assert_cmpint (mixed[i].seen, ==, transports[i]);
      g_signal_handlers_disconnect_by_data (leeches[i], &mixed[i]);
      g_object_unref (leechers[i]);
    }
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* ------------------------------------------------------------------ */
/* The dialer alone                                                    */

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static TsrDialer *
dialer_on_loopback (TsrTransport   transports,
                    TsrUdpSocket **socket)
{
  g_autoptr(GError) error = NULL;
  TsrDialer *dialer = tsr_dialer_new (NULL, NULL);

  *socket = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_assert_no_error (error);
  tsr_dialer_add_socket (dialer, *socket);
  tsr_dialer_set_transports (dialer, transports);
  return dialer;
}

/* A port on 127.0.0.1 of @type where nothing is bound now. */
static guint16
closed_port (GSocketType type)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ICMP "port unreachable" ends the dial at once: without it uTP would
 * resend its SYN for seconds. */
static void
test_utp_closed_port_fails_fast (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (TSR_TRANSPORT_UTP, &socket);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", closed_port (G_SOCKET_TYPE_DATAGRAM));
  TsrUdpSocketStats socket_stats;
  TsrPeerAddress address;
  gint64 start;

  g_assert_true (tsr_peer_address_parse (text, &address));
  start = g_get_monotonic_time ();
  tsr_dialer_connect_async (dialer, &address, NULL, on_dialled, &result);
  WAIT_UNTIL (result != NULL, "the uTP dial's end");
  stream = tsr_dialer_connect_finish (result, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_test_message ("uTP dial to a closed port failed in %.1f ms: %s",
                  (gdouble) (g_get_monotonic_time () - start) / 1000, error->message);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);
  tsr_udp_socket_get_stats (socket, &socket_stats);
  g_assert_cmpuint (socket_stats.unreachable, >=, 1);
  g_assert_cmpuint (socket_stats.unclaimed, ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)), ==, 0);
}

static void
on_tcp_accepted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GSocketConnection **out = user_data;

  *out = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
}

/* The uTP datagrams waiting at @socket, read and counted. */
static guint
count_datagrams (GSocket *socket)
{
  guint8 buffer[2048];
  guint n = 0;

  while (g_socket_condition_check (socket, G_IO_IN) & G_IO_IN)
    {
      g_assert_cmpint (g_socket_receive (socket, (gchar *) buffer, sizeof buffer, NULL, NULL), >=, 20);
      /* BEP 29: version 1 in the low nibble, the type in the high one. */
      g_assert_cmpuint (buffer[0] & 0x0f, ==, 1);
      n++;
    }
  return n;
}

/* A peer whose UDP port takes datagrams and never answers (no uTP, no
 * ICMP): TCP is tried after the fallback delay, and carries the dial.
 * The dialer remembers: the next dial there goes to TCP at once, with
 * not a single uTP datagram. */
static void
test_fallback_when_silent (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (TSR_TRANSPORT_BOTH, &socket);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) same = NULL;
  g_autoptr(GSocket) silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GSocketConnection) accepted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  TsrDialerStats stats;
  TsrPeerAddress address;
  gint64 elapsed;
  gint64 start;

  g_assert_true (g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  same = g_inet_socket_address_new (loopback, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_assert_true (g_socket_bind (silent, same, FALSE, &error));
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, on_tcp_accepted, &accepted);
  g_assert_true (tsr_peer_address_from_socket (bound, &address));
  start = g_get_monotonic_time ();
  tsr_dialer_connect_async (dialer, &address, NULL, on_dialled, &result);
  WAIT_UNTIL (result != NULL, "the dial's end");
  elapsed = g_get_monotonic_time () - start;
  stream = tsr_dialer_connect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsr_dialer_transport_of (stream), ==, TSR_TRANSPORT_TCP);
  /* Loopback: the short local delay, as the README says. */
  g_assert_cmpint (elapsed, >=, TSR_DIAL_DELAY_LOCAL_MS * 1000);
  g_assert_cmpint (elapsed, <, 400 * 1000);
  WAIT_UNTIL (accepted != NULL, "the TCP connection at the listener");
  tsr_dialer_get_stats (dialer, &stats);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.fallbacks, ==, 1);
  g_assert_cmpuint (stats.tcp_connected, ==, 1);
  g_assert_cmpuint (stats.utp_connected, ==, 0);
  /* The uTP leg was given up: no connection lingers. */
  WAIT_UNTIL (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)) == 0,
              "the cancelled uTP dial's end");
  tsr_test_drain ();
  /* The SYN (and whatever ended the given-up connection) reached it. */
  g_assert_cmpuint (count_datagrams (silent), >=, 1);

  g_clear_object (&result);
  g_clear_object (&stream);
  g_clear_object (&accepted);
  g_socket_listener_accept_async (listener, NULL, on_tcp_accepted, &accepted);
  start = g_get_monotonic_time ();
  tsr_dialer_connect_async (dialer, &address, NULL, on_dialled, &result);
  WAIT_UNTIL (result != NULL, "the second dial's end");
  elapsed = g_get_monotonic_time () - start;
  stream = tsr_dialer_connect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tsr_dialer_transport_of (stream), ==, TSR_TRANSPORT_TCP);
  /* The fallback delay was not waited out, nor uTP tried (below). */
  g_assert_cmpint (elapsed, <, 400 * 1000);
  WAIT_UNTIL (accepted != NULL, "the second TCP connection at the listener");
  tsr_dialer_get_stats (dialer, &stats);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.remembered_tcp, ==, 1);
  g_assert_cmpuint (stats.fallbacks, ==, 1);
  g_assert_cmpuint (stats.tcp_connected, ==, 2);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)), ==, 0);
  tsr_test_drain ();
  g_assert_cmpuint (count_datagrams (silent), ==, 0);
}

/* Appends what @socket has (non-blocking) to @received; TRUE once it
 * holds @want bytes or more. */
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

/* What the owner sends while a dial is still on its way (a HAVE for a
 * piece verified meanwhile: uTP first makes that wait up to 0.8 s) must
 * not go ahead of the handshake, or of MSE's key, at the other end:
 * libtorrent takes such a stream for an unknown protocol and answers
 * with an MSE key of its own. It follows them. */
static void
nothing_before_handshake (TsrPeerEncryption encryption)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (TSR_TRANSPORT_BOTH, &socket);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) same = NULL;
  g_autoptr(GSocket) silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GSocketConnection) accepted = NULL;
  g_autoptr(TsrPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  TsrWireMessage have = { 0 };
  TsrWireHandshake ours = { 0 };
  g_autoptr(GByteArray) received = g_byte_array_new ();
  guint want = encryption == TSR_PEER_ENCRYPTION_OFF ? TSR_WIRE_HANDSHAKE_LENGTH + 9 : 96;
  static const guint8 have_bytes[] = { 0, 0, 0, 5, 4, 0, 0, 0, 7 };   /* length 5, HAVE, index 7 */
  TsrPeerAddress address;
  GSocket *raw;

  g_assert_true (g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &bound, &error));
  g_assert_no_error (error);
  /* Its UDP port takes the SYN and never answers: TCP after the delay. */
  same = g_inet_socket_address_new (loopback, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_assert_true (g_socket_bind (silent, same, FALSE, &error));
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, on_tcp_accepted, &accepted);
  g_assert_true (tsr_peer_address_from_socket (bound, &address));
  memset (ours.info_hash, 0xab, sizeof ours.info_hash);
  memcpy (ours.peer_id, "-TE0100-dialfixtest0", 20);
  peer = tsr_peer_new_outgoing (&address, dialer);
  tsr_peer_set_encryption (peer, encryption, NULL, NULL);
  tsr_peer_start (peer, &ours);
  /* Before the main context runs: the dial cannot have connected. */
  g_assert_null (accepted);
  have.type = TSR_WIRE_HAVE;
  have.index = 7;
  tsr_peer_send (peer, &have);
  WAIT_UNTIL (accepted != NULL, "the TCP connection at the listener");
  /* The peer writes on this main context: read without blocking it. */
  raw = g_socket_connection_get_socket (accepted);
  g_socket_set_blocking (raw, FALSE);
  WAIT_UNTIL (receive_some (raw, received, want), "the dialled peer's first bytes");
  if (encryption == TSR_PEER_ENCRYPTION_OFF)
    {
      TsrWireHandshake theirs;

      g_assert_true (tsr_wire_parse_handshake (received->data, received->len, &theirs, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (theirs.info_hash, 20, ours.info_hash, 20);
      g_assert_cmpmem (received->data + TSR_WIRE_HANDSHAKE_LENGTH, sizeof have_bytes, have_bytes, sizeof have_bytes);
    }
  else
    {
      /* MSE's key is 96 random bytes: the HAVE must not come first. */
      g_assert_cmpint (memcmp (received->data, have_bytes, sizeof have_bytes), !=, 0);
    }
  tsr_peer_close (peer, NULL);
  g_io_stream_close (G_IO_STREAM (accepted), NULL, NULL);
  tsr_test_drain ();
}

static void
test_nothing_before_handshake (void)
{
  nothing_before_handshake (TSR_PEER_ENCRYPTION_OFF);
}

static void
test_nothing_before_mse (void)
{
  nothing_before_handshake (TSR_PEER_ENCRYPTION_PREFER);
}

/* A dial cancelled while uTP waits for its STATE returns CANCELLED: TCP
 * is never tried, and the uTP attempt ends. */
static void
test_dial_cancelled (void)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (TSR_TRANSPORT_BOTH, &socket);
  g_autoptr(GSocket) silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  TsrDialerStats stats;
  TsrPeerAddress address;

  g_assert_true (g_socket_bind (silent, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (silent, NULL);
  g_assert_true (tsr_peer_address_from_socket (bound, &address));
  tsr_dialer_connect_async (dialer, &address, cancellable, on_dialled, &result);
  /* What is ready runs (the SYN goes), well inside loopback's delay. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (result);
  tsr_dialer_get_stats (dialer, &stats);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (result != NULL, "the cancelled dial's end");
  stream = tsr_dialer_connect_finish (result, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Past the fallback delay: still no TCP. */
  tsr_test_run_for (1000);
  tsr_dialer_get_stats (dialer, &stats);
  g_assert_cmpuint (stats.utp_dials, ==, 1);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
  g_assert_cmpuint (stats.fallbacks, ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (tsr_dialer_get_utp_manager (dialer, TSR_PEER_ADDRESS_IPV4)), ==, 0);
}

/* TCP off: the port still listens, and hangs up on each connection. */
static void
test_tcp_off_closes_tcp (void)
{
  g_autoptr(TsrSession) session = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (session));
  TsrTestDeadline deadline;
  guint8 buffer[68];
  gssize n = -1;

  connection = g_socket_client_connect_to_host (client, host, 0, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (g_socket_connection_get_socket (connection), FALSE);
  tsr_test_deadline_start (&deadline, WAIT_SECONDS * 1000);
  while (!deadline.expired)
    {
      g_clear_error (&error);
      n = g_socket_receive (g_socket_connection_get_socket (connection), (char *) buffer, sizeof buffer, NULL, &error);
      if (n >= 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  tsr_test_deadline_stop (&deadline);
  /* Closed (0) or reset, never a handshake. */
  g_assert_cmpint (n, <=, 0);
  g_assert_false (deadline.expired);
}

/* Both dial each other at once over uTP. Each end finds the other's
 * handshake twice and both must close the same connection (the one the
 * higher peer id dialled): closing each its own would leave none. */
typedef struct
{
  TsrSession *sessions[2];
  TsrTorrent *leech;
  guint       done;
  guint       connections[2];   /* each session's, when the leech was done */
  guint       peers;            /* the leech's then */
} Crossing;

static void
on_crossing_done (TsrTorrent *torrent,
                  gpointer    user_data)
{
  Crossing *crossing = user_data;

  crossing->done++;
  crossing->connections[0] = tsr_session_get_n_connections (crossing->sessions[0]);
  crossing->connections[1] = tsr_session_get_n_connections (crossing->sessions[1]);
  crossing->peers = tsr_torrent_get_n_peers (torrent);
}

static void
test_one_connection_per_peer (Fixture       *f,
                              gconstpointer  data)
{
  TsrSession *seeder = session_new (TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_OFF);
  TsrSession *leecher = session_new (TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_OFF);
  TsrTorrent *seed = tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  TsrTorrent *leech = tsr_test_add_and_start (leecher, f->info, f->target, TSR_TORRENT_DOWNLOADING);
  g_autofree char *seed_address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  g_autofree char *leech_address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (leecher));
  Crossing crossing = { { seeder, leecher }, leech, 0, { 0, 0 }, 0 };
  TsrDialerStats stats;

  g_signal_connect (leech, "done", G_CALLBACK (on_crossing_done), &crossing);
  tsr_torrent_add_peer_address (leech, seed_address);
  tsr_torrent_add_peer_address (seed, leech_address);
  WAIT_UNTIL (crossing.done > 0, "the leech's \"done\"");
  assert_same_data (f);
  g_assert_cmpuint (crossing.peers, ==, 1);
  g_assert_cmpuint (crossing.connections[0], ==, 1);
  g_assert_cmpuint (crossing.connections[1], ==, 1);
  /* Both did dial, over uTP. */
  tsr_dialer_get_stats (tsr_session_get_dialer (seeder), &stats);
  g_assert_cmpuint (stats.utp_connected, ==, 1);
  tsr_dialer_get_stats (tsr_session_get_dialer (leecher), &stats);
  g_assert_cmpuint (stats.utp_connected, ==, 1);
  g_signal_handlers_disconnect_by_data (leech, &crossing);
  g_object_unref (leecher);
  g_object_unref (seeder);
  tsr_test_drain ();
}

/* Bans ------------------------------------------------------------- */

typedef struct
{
  gboolean shaken;   /* the other end answered our handshake */
  gboolean closed;
} Probe;

static void
on_probe_handshake (TsrPeer                *peer,
                    const TsrWireHandshake *theirs,
                    gpointer                user_data)
{
  ((Probe *) user_data)->shaken = TRUE;
}

static void
on_probe_closed (TsrPeer    *peer,
                 const char *reason,
                 gpointer    user_data)
{
  ((Probe *) user_data)->closed = TRUE;
}

static const TsrPeerFuncs probe_funcs = {
  .handshake = on_probe_handshake,
  .closed = on_probe_closed,
};

/* Dials 127.0.0.1:@port over @transport alone (uTP from a UDP socket of
 * its own), with a handshake for @info_hash. Returns whether the other
 * end answered it; @connected, whether the connection was made: a TCP
 * connect always is (a torrent's bans are known once the handshake names
 * it), a uTP SYN not from an address every torrent bans. */
static gboolean
probe_answered (guint16       port,
                TsrTransport  transport,
                const guint8 *info_hash,
                gboolean     *connected)
{
  g_autoptr(TsrUdpSocket) socket = NULL;
  g_autoptr(TsrDialer) dialer = dialer_on_loopback (transport, &socket);
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(TsrPeer) peer = NULL;
  TsrWireHandshake ours = { 0 };
  TsrDialerStats stats;
  TsrPeerAddress address;
  Probe probe = { FALSE, FALSE };

  g_assert_true (tsr_peer_address_parse (text, &address));
  memcpy (ours.info_hash, info_hash, 20);
  memcpy (ours.peer_id, "-TE0100-banprobe0000", 20);
  peer = tsr_peer_new_outgoing (&address, dialer);
  tsr_peer_set_funcs (peer, &probe_funcs, &probe);
  tsr_peer_start (peer, &ours);
  WAIT_UNTIL (probe.shaken || probe.closed, "the probe's answer or its end");
  tsr_dialer_get_stats (dialer, &stats);
  if (transport == TSR_TRANSPORT_UTP)
    {
      g_assert_cmpuint (stats.utp_dials, ==, 1);
      g_assert_cmpuint (stats.tcp_dials, ==, 0);
      *connected = stats.utp_connected == 1;
    }
  else
    {
      g_assert_cmpuint (stats.tcp_connected, ==, 1);
      g_assert_cmpuint (stats.utp_dials, ==, 0);
      *connected = TRUE;
    }
  tsr_peer_set_funcs (peer, NULL, NULL);
  tsr_peer_close (peer, NULL);
  tsr_test_drain ();
  return probe.shaken;
}

typedef struct
{
  guint        banned;
  TsrTransport transport;   /* the banned peer's, when it was banned */
  char        *address;     /* (owned) */
} Banned;

static void
on_peer_banned (TsrTorrent *torrent,
                const char *address,
                const char *reason,
                gpointer    user_data)
{
  Banned *banned = user_data;
  g_autoptr(GPtrArray) infos = tsr_torrent_dup_peer_infos (torrent);

  banned->banned++;
  g_free (banned->address);
  banned->address = g_strdup (address);
  /* Still listed: it is hung up on after the signal. */
  g_assert_cmpuint (infos->len, ==, 1);
  banned->transport = ((TsrPeerInfo *) g_ptr_array_index (infos, 0))->transport;
}

/* A seed with uTP alone dials the leech and sends pieces that fail their
 * hash (its file was overwritten after its check): the leech bans it as
 * it would over TCP, by host (it dialled in, its next connection comes
 * from another port), and hangs up. From that host, a uTP connection and
 * a TCP one then get no answer to their handshake; with the ban cleared,
 * the same two are answered. */
static void
test_utp_ban (Fixture       *f,
              gconstpointer  data)
{
  TsrSession *seeder = session_new (TSR_TRANSPORT_UTP, TSR_PEER_ENCRYPTION_OFF);
  TsrSession *leecher = session_new (TSR_TRANSPORT_BOTH, TSR_PEER_ENCRYPTION_OFF);
  TsrTorrent *seed = tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  TsrTorrent *leech = tsr_test_add_and_start (leecher, f->info, f->target, TSR_TORRENT_DOWNLOADING);
  g_autofree char *leech_address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (leecher));
  g_autofree char *path = g_build_filename (f->source, "data", "payload.bin", NULL);
  g_autofree guint8 *garbage = g_malloc (PIECE_LENGTH);
  g_autoptr(GPtrArray) bans = NULL;
  Banned banned = { 0, 0, NULL };
  TsrDialerStats before;
  TsrDialerStats stats;
  gboolean connected;
  guint16 port = tsr_session_get_port (leecher);
  FILE *file;
  guint i;

  /* In place (the seed may hold the file open): every piece of it lies. */
  memset (garbage, 0x5a, PIECE_LENGTH);
  file = fopen (path, "r+b");
  g_assert_nonnull (file);
  for (i = 0; i < GPOINTER_TO_SIZE (data) / PIECE_LENGTH; i++)
    g_assert_cmpuint (fwrite (garbage, 1, PIECE_LENGTH, file), ==, PIECE_LENGTH);
  g_assert_cmpint (fclose (file), ==, 0);
  g_signal_connect (leech, "peer-banned", G_CALLBACK (on_peer_banned), &banned);
  tsr_torrent_add_peer_address (seed, leech_address);
  WAIT_UNTIL (banned.banned > 0, "the leech's \"peer-banned\"");
  g_assert_cmpstr (tsr_transport_to_string (banned.transport), ==, tsr_transport_to_string (TSR_TRANSPORT_UTP));
  g_assert_cmpstr (banned.address, ==, "127.0.0.1");
  g_assert_cmpuint (tsr_torrent_get_pieces_have (leech), ==, 0);
  WAIT_UNTIL (tsr_torrent_get_n_peers (leech) == 0, "the banned peer's end");
  tsr_dialer_get_stats (tsr_session_get_dialer (seeder), &stats);
  g_assert_cmpuint (stats.utp_connected, >=, 1);
  g_assert_cmpuint (stats.tcp_dials, ==, 0);
  bans = tsr_torrent_dup_bans (leech);
  g_assert_cmpuint (bans->len, ==, 1);
  g_assert_cmpstr (((TsrPeerBan *) g_ptr_array_index (bans, 0))->address, ==, "127.0.0.1");

  /* uTP: the SYN is refused (a RESET), no connection, no handshake. */
  tsr_dialer_get_stats (tsr_session_get_dialer (leecher), &before);
  g_assert_false (probe_answered (port, TSR_TRANSPORT_UTP, f->info->info_hash, &connected));
  g_assert_false (connected);
  tsr_dialer_get_stats (tsr_session_get_dialer (leecher), &stats);
  g_assert_cmpuint (stats.utp_refused, ==, before.utp_refused + 1);
  g_assert_cmpuint (stats.utp_accepted, ==, before.utp_accepted);
  /* TCP: taken, then closed at the handshake. */
  g_assert_false (probe_answered (port, TSR_TRANSPORT_TCP, f->info->info_hash, &connected));
  g_assert_true (connected);
  g_assert_cmpuint (tsr_torrent_get_n_peers (leech), ==, 0);
  /* The ban, and nothing else, turned them away. */
  g_signal_handlers_disconnect_by_data (leech, &banned);
  g_object_unref (seeder);
  tsr_test_drain ();
  tsr_torrent_clear_bans (leech);
  g_assert_true (probe_answered (port, TSR_TRANSPORT_UTP, f->info->info_hash, &connected));
  g_assert_true (connected);
  g_assert_true (probe_answered (port, TSR_TRANSPORT_TCP, f->info->info_hash, &connected));
  g_assert_true (connected);
  g_free (banned.address);
  g_object_unref (leecher);
  tsr_test_drain ();
}

int
main (int    argc,
      char **argv)
{
  gconstpointer small = GSIZE_TO_POINTER (2 * MIB);
  gconstpointer medium = GSIZE_TO_POINTER (8 * MIB);

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/transports/utp-only/seed-to-leech", Fixture, medium, fixture_set_up, test_utp_only,
              fixture_tear_down);
  g_test_add ("/transports/tcp-only/seed-to-leech", Fixture, medium, fixture_set_up, test_tcp_only,
              fixture_tear_down);
  g_test_add ("/transports/utp-only/encrypted", Fixture, small, fixture_set_up, test_utp_only_encrypted,
              fixture_tear_down);
  g_test_add ("/transports/both/prefers-utp", Fixture, small, fixture_set_up, test_both_prefers_utp,
              fixture_tear_down);
  g_test_add ("/transports/fallback/refused", Fixture, small, fixture_set_up, test_fallback_when_refused,
              fixture_tear_down);
  g_test_add_func ("/transports/fallback/silent", test_fallback_when_silent);
  g_test_add ("/transports/utp-only/rate-limited", Fixture, medium, fixture_set_up, test_utp_rate_limited,
              fixture_tear_down);
  g_test_add ("/transports/utp-only/budget", Fixture, small, fixture_set_up, test_utp_budget, fixture_tear_down);
  g_test_add_func ("/transports/utp/closed-port-fails-fast", test_utp_closed_port_fails_fast);
  g_test_add_func ("/transports/dial/cancelled", test_dial_cancelled);
  g_test_add ("/transports/utp-only/ban", Fixture, small, fixture_set_up, test_utp_ban, fixture_tear_down);
  g_test_add_func ("/transports/dial/nothing-before-handshake", test_nothing_before_handshake);
  g_test_add_func ("/transports/dial/nothing-before-mse", test_nothing_before_mse);
  g_test_add_func ("/transports/tcp-off/closes-tcp", test_tcp_off_closes_tcp);
  g_test_add ("/transports/mixed-swarm", Fixture, small, fixture_set_up, test_mixed_swarm, fixture_tear_down);
  g_test_add ("/transports/one-connection-per-peer", Fixture, small, fixture_set_up, test_one_connection_per_peer,
              fixture_tear_down);
  /* The figures for 64 MiB, uTP beside TCP: with -m slow. */
  if (g_test_slow ())
    {
      gconstpointer large = GSIZE_TO_POINTER (64 * MIB);

      g_test_add ("/transports/utp-only/seed-to-leech/64mib", Fixture, large, fixture_set_up, test_utp_only,
                  fixture_tear_down);
      g_test_add ("/transports/tcp-only/seed-to-leech/64mib", Fixture, large, fixture_set_up, test_tcp_only,
                  fixture_tear_down);
    }
  return g_test_run ();
}
