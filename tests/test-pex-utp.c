/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-pex-utp.c: peer exchange's "supports uTP" flag (BEP 11, 0x04) for
 * a peer we dialled over uTP, not only for one that came to us over it.
 * A swarm dials a peer on 127.0.0.1 through a uTP-only dialer; the test
 * is the peer, with a dialer of its own that takes the connection and
 * answers the handshake. What the swarm would tell others of it then
 * carries the flag. (test-ext-holepunch checks the flags of peers whose
 * transport is set by hand.)
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-dialer.h"
#include "tsr-extensions.h"
#include "tsr-pex.h"
#include "tsr-peer.h"
#include "tsr-swarm.h"
#include "tsr-test-util.h"

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, 20, what)

#define OUR_ID   "-TS0000-ourselves000"
#define THEIR_ID "-XX0000-thempexutp00"

typedef struct
{
  GIOStream *stream;   /* (owned) (nullable) the connection the peer took */
  gboolean   written;  /* its handshake went */
} Them;

static gboolean
them_accept (const TsrPeerAddress *from,
             gpointer              user_data)
{
  return TRUE;
}

static void
them_incoming (GIOStream            *stream,
               const TsrPeerAddress *from,
               gpointer              user_data)
{
  Them *them = user_data;

  g_assert_null (them->stream);
  them->stream = g_object_ref (stream);
}

static const TsrDialerFuncs them_funcs = {
  .accept = them_accept,
  .incoming = them_incoming,
};

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error));
  g_assert_no_error (error);
  ((Them *) user_data)->written = TRUE;
}

static void
swarm_event (TsrSwarmEvent  event,
             const char    *address,
             const char    *detail,
             gpointer       user_data)
{
  g_test_message ("swarm event %d %s %s", event, address, detail != NULL ? detail : "");
}

static void
swarm_banned (const TsrPeerAddress *key,
              const char           *reason,
              gpointer              user_data)
{
  g_assert_not_reached ();
}

static void
swarm_dial (const TsrPeerAddress *address,
            TsrPeerEncryption     encryption,
            gpointer              user_data)
{
  g_assert_not_reached ();
}

static gboolean
swarm_stopping (gpointer user_data)
{
  return FALSE;
}

static const TsrSwarmFuncs swarm_funcs = {
  .event = swarm_event,
  .banned = swarm_banned,
  .dial = swarm_dial,
  .stopping = swarm_stopping,
};

static TsrDialer *
dialer_on_loopback (TsrTransport          transports,
                    const TsrDialerFuncs *funcs,
                    gpointer              user_data,
                    TsrUdpSocket        **socket)
{
  g_autoptr(GError) error = NULL;
  TsrDialer *dialer = tsr_dialer_new (funcs, user_data);

  *socket = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_assert_no_error (error);
  tsr_dialer_add_socket (dialer, *socket);
  tsr_dialer_set_transports (dialer, transports);
  return dialer;
}

/* What the swarm would tell others of its one peer (it tells no peer of
 * itself: pass none as the receiver). */
static gboolean
told_one (TsrSwarm   *swarm,
          TsrPexPeer *out)
{
  g_autoptr(GArray) told = tsr_extensions_dup_dialable (tsr_swarm_get_extensions (swarm), NULL);

  if (told->len != 1)
    return FALSE;
  *out = g_array_index (told, TsrPexPeer, 0);
  return TRUE;
}

static void
test_dialled_over_utp (void)
{
  g_autoptr(TsrUdpSocket) our_socket = NULL;
  g_autoptr(TsrUdpSocket) their_socket = NULL;
  Them them = { NULL, FALSE };
  g_autoptr(TsrDialer) ours = dialer_on_loopback (TSR_TRANSPORT_UTP, NULL, NULL, &our_socket);
  g_autoptr(TsrDialer) theirs = dialer_on_loopback (TSR_TRANSPORT_UTP, &them_funcs, &them, &their_socket);
  g_autoptr(TsrSwarm) swarm = NULL;
  g_autoptr(TsrPeer) peer = NULL;
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", tsr_udp_socket_get_port (their_socket));
  TsrWireHandshake handshake = { { 0 } };
  TsrPexPeer told = { 0 };
  TsrPeerAddress address;
  guint8 info_hash[20];

  memset (info_hash, 0x5e, sizeof info_hash);
  swarm = tsr_swarm_new (100, 4, 60, &swarm_funcs, NULL);
  tsr_swarm_set_identity (swarm, (const guint8 *) OUR_ID, info_hash);
  g_assert_true (tsr_peer_address_parse (text, &address));
  peer = tsr_peer_new_outgoing (&address, ours);
  tsr_peer_set_encryption (peer, TSR_PEER_ENCRYPTION_OFF, NULL, NULL);
  /* Its member is made before the dial connects: no transport yet. */
  tsr_swarm_dial_peer (swarm, peer);
  g_assert_cmpint (tsr_peer_get_transport (peer), ==, 0);
  WAIT_UNTIL (them.stream != NULL, "our uTP connection at the peer");

  memcpy (handshake.info_hash, info_hash, 20);
  memcpy (handshake.peer_id, THEIR_ID, 20);
  tsr_wire_write_handshake (wire, &handshake);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (them.stream), wire->data, wire->len,
                                   G_PRIORITY_DEFAULT, NULL, on_written, &them);
  WAIT_UNTIL (them.written, "the peer's handshake sent");
  WAIT_UNTIL (told_one (swarm, &told), "the peer, shaken, in what peer exchange tells");
  g_assert_cmpint (tsr_peer_get_transport (peer), ==, TSR_TRANSPORT_UTP);
  g_assert_true (tsr_peer_address_equal (&told.address, &address));
  /* We reached it (0x10) over uTP (0x04). */
  g_assert_cmpuint (told.flags & TSR_PEX_FLAG_UTP, ==, TSR_PEX_FLAG_UTP);
  g_assert_cmpuint (told.flags & TSR_PEX_FLAG_REACHABLE, ==, TSR_PEX_FLAG_REACHABLE);

  g_clear_pointer (&swarm, tsr_swarm_free);
  tsr_dialer_shutdown (ours);
  tsr_dialer_shutdown (theirs);
  g_clear_object (&them.stream);
  tsr_test_drain ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pex/utp-flag/dialled-over-utp", test_dialled_over_utp);
  return g_test_run ();
}
