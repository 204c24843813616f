/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer.c: TsrPeer's timers. A connection is timed by one entry in
 * the process's ticker (keep-alives, silence, a dialled peer's missing
 * handshake), not by GSources of its own: with thousands of connections
 * each source costs memory and wake-ups.
 */
#include "config.h"

#include <gio/gio.h>
#include <sys/socket.h>

#include "tsr-peer.h"
#include "tsr-ticker.h"

/* One end of a socket pair as a stream that stays open and silent. */
static GIOStream *
new_silent_stream (GSocket **other)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) ours = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  *other = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (ours));
}

static void
spin (void)
{
  guint i;

  for (i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* Started: one tick; closed (or freed): none left, no source of its own. */
static void
test_one_tick_while_open (void)
{
  g_autoptr(GSocket) other = NULL;
  g_autoptr(GIOStream) stream = new_silent_stream (&other);
  TsrPeerAddress address;
  TsrPeer *peer;
  TsrPeer *second;
  guint before = tsr_ticker_get_n_ticks ();

  g_assert_true (tsr_peer_address_parse ("127.0.0.1:6881", &address));
  peer = tsr_peer_new_for_stream (stream, &address);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, before);
  tsr_peer_start (peer, NULL);
  spin ();
  g_assert_false (tsr_peer_is_closed (peer));
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, before + 1);
  tsr_peer_close (peer, NULL);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, before);
  g_object_unref (peer);

  /* Freed while open, without a close first. */
  g_clear_object (&stream);
  g_clear_object (&other);
  stream = new_silent_stream (&other);
  second = tsr_peer_new_for_stream (stream, &address);
  tsr_peer_start (second, NULL);
  spin ();
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, before + 1);
  g_object_unref (second);
  g_assert_cmpuint (tsr_ticker_get_n_ticks (), ==, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer/tick/one-while-open", test_one_tick_while_open);
  return g_test_run ();
}
