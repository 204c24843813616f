/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-listener.c: TsrListener on 127.0.0.1 against a fake owner that
 * knows one torrent (KNOWN_HASH, key &known_key) and logs what it is
 * asked. Clients are raw sockets (connected blocking: the kernel accepts
 * from the backlog without our main loop) or, for MSE, an outgoing
 * TsrPeer on the same main context.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-listener.h"
#include "tsr-peer.h"
#include "tsr-test-util.h"
#include "tsr-wire.h"

/* Long enough for a loaded machine, far below the listener's default
 * 30 s handshake timeout, so that no test passes on that timer. */
#define WAIT_SECONDS 10

static const guint8 known_hash[20] = "known-torrent-hash!";
static const guint8 other_hash[20] = "other-torrent-hash!";
static int known_key;

typedef struct
{
  TsrListener *listener;
  GString     *log;        /* "find <first byte>", "accepted", one line each */
  GPtrArray   *accepted;   /* (element-type TsrPeer) handed over, in order */
  gpointer     key;        /* the key of the last one */
  guint8       hash[20];   /* the info hash it asked for */
  gboolean     answer;     /* accepted() answers with our handshake */
} Fixture;

/* ------------------------------------------------------------------ */
/* Waiting                                                             */

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, WAIT_SECONDS, what)

/* ------------------------------------------------------------------ */
/* The fake owner                                                      */

static gpointer
owner_find (const guint8 *info_hash,
            gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "find %c\n", info_hash[0]);
  return memcmp (info_hash, known_hash, 20) == 0 ? &known_key : NULL;
}

static void
owner_foreach_hash (TsrListenerHashFunc func,
                    gpointer            func_data,
                    gpointer            user_data)
{
  func (known_hash, func_data);
}

static void
owner_accepted (TsrPeer      *peer,
                gpointer      key,
                const guint8 *info_hash,
                gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append (f->log, "accepted\n");
  g_ptr_array_add (f->accepted, g_object_ref (peer));
  f->key = key;
  memcpy (f->hash, info_hash, 20);
  if (f->answer)
    {
      TsrWireHandshake ours = { { 0 } };

      memcpy (ours.info_hash, info_hash, 20);
      memcpy (ours.peer_id, "-TE0000-listenerside", 20);
      tsr_peer_accept (peer, &ours);
    }
}

static const TsrListenerFuncs owner_funcs = {
  .find = owner_find,
  .foreach_hash = owner_foreach_hash,
  .accepted = owner_accepted,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->log = g_string_new (NULL);
  f->accepted = g_ptr_array_new_with_free_func (g_object_unref);
  f->listener = tsr_listener_new (&owner_funcs, f);
  g_assert_true (tsr_listener_listen (f->listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_listener_get_port (f->listener), !=, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  guint i;

  for (i = 0; i < f->accepted->len; i++)
    tsr_peer_close (g_ptr_array_index (f->accepted, i), NULL);
  g_ptr_array_unref (f->accepted);
  g_clear_pointer (&f->listener, tsr_listener_free);
  g_string_free (f->log, TRUE);
  /* Let closed sockets and cancelled reads finish. */
  tsr_test_run_for (50);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ------------------------------------------------------------------ */
/* Raw clients                                                         */

typedef struct
{
  GCancellable *cancellable;
  gboolean      busy;
  gssize        result;
  guint8        byte;
} RawRead;

static GSocketConnection *
raw_connect (Fixture *f)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", tsr_listener_get_port (f->listener));
  GSocketConnection *connection;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, WAIT_SECONDS);
  connection = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_no_error (error);
  /* The connect timeout must not end reads: only the listener may. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  return connection;
}

static void
raw_send_handshake (GSocketConnection *connection,
                    const guint8      *info_hash)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrWireHandshake ours = { { 0 } };

  memcpy (ours.info_hash, info_hash, 20);
  memcpy (ours.peer_id, "-XX0000-rawrawrawraw", 20);
  tsr_wire_write_handshake (bytes, &ours);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            bytes->data, bytes->len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
on_raw_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawRead *read = user_data;

  read->result = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  read->busy = FALSE;
}

/* Starts reading one byte: the read ends when the listener writes, or
 * hangs up (result 0 or an error). */
static void
raw_read_start (RawRead           *read,
                GSocketConnection *connection)
{
  read->cancellable = g_cancellable_new ();
  read->busy = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)), &read->byte, 1,
                             G_PRIORITY_DEFAULT, read->cancellable, on_raw_read, read);
}

static void
raw_read_stop (RawRead *read)
{
  g_cancellable_cancel (read->cancellable);
  WAIT_UNTIL (!read->busy, "a cancelled read to end");
  g_clear_object (&read->cancellable);
}

static gboolean
raw_hung_up (const RawRead *read)
{
  return !read->busy && read->result <= 0;
}

/* ------------------------------------------------------------------ */
/* Plaintext                                                           */

/* A handshake for the known hash is handed over with its key and hash,
 * as the incoming connection from 127.0.0.1 it is, and leaves the
 * pending ones; nothing is said to it before the owner answers. */
static void
test_plaintext_known_hash (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = raw_connect (f);
  TsrPeer *peer;
  RawRead read = { 0 };

  raw_read_start (&read, connection);
  WAIT_UNTIL (tsr_listener_get_n_pending (f->listener) == 1, "the connection to be accepted");
  raw_send_handshake (connection, known_hash);
  WAIT_UNTIL (f->accepted->len == 1, "the peer to be handed over");
  g_assert_cmpstr (f->log->str, ==, "find k\naccepted\n");
  g_assert_true (f->key == &known_key);
  g_assert_cmpmem (f->hash, 20, known_hash, 20);
  peer = g_ptr_array_index (f->accepted, 0);
  g_assert_true (tsr_peer_is_incoming (peer));
  g_assert_false (tsr_peer_is_closed (peer));
  g_assert_false (tsr_peer_is_encrypted (peer));
  g_assert_cmpmem (tsr_peer_get_id (peer), 20, "-XX0000-rawrawrawraw", 20);
  g_assert_true (g_str_has_prefix (tsr_peer_get_address (peer), "127.0.0.1:"));
  g_assert_cmpuint (tsr_listener_get_n_pending (f->listener), ==, 0);
  tsr_test_run_for (100);
  g_assert_true (read.busy);
  raw_read_stop (&read);
}

/* A handshake for a hash the owner does not know closes the connection;
 * nothing is handed over. */
static void
test_plaintext_unknown_hash (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = raw_connect (f);
  RawRead read = { 0 };

  raw_read_start (&read, connection);
  raw_send_handshake (connection, other_hash);
  WAIT_UNTIL (!read.busy, "the listener to hang up");
  g_assert_true (raw_hung_up (&read));
  g_assert_cmpstr (f->log->str, ==, "find o\n");
  g_assert_cmpuint (f->accepted->len, ==, 0);
  g_assert_cmpuint (tsr_listener_get_n_pending (f->listener), ==, 0);
  raw_read_stop (&read);
}

/* With encryption required, a plaintext handshake for the known hash is
 * closed before anyone is asked about it. */
static void
test_plaintext_refused_when_required (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;
  RawRead read = { 0 };

  tsr_listener_set_encryption (f->listener, TSR_PEER_ENCRYPTION_REQUIRE);
  connection = raw_connect (f);
  raw_read_start (&read, connection);
  raw_send_handshake (connection, known_hash);
  WAIT_UNTIL (!read.busy, "the listener to hang up");
  g_assert_true (raw_hung_up (&read));
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->accepted->len, ==, 0);
  raw_read_stop (&read);
}

/* ------------------------------------------------------------------ */
/* MSE                                                                 */

typedef struct
{
  gboolean handshake;   /* the listener's side answered */
  guint8   hash[20];    /* with this info hash */
  gboolean closed;
} Dialer;

static void
on_dialer_handshake (TsrPeer                *peer,
                     const TsrWireHandshake *theirs,
                     gpointer                user_data)
{
  Dialer *dialer = user_data;

  dialer->handshake = TRUE;
  memcpy (dialer->hash, theirs->info_hash, 20);
}

static void
on_dialer_closed (TsrPeer    *peer,
                  const char *reason,
                  gpointer    user_data)
{
  Dialer *dialer = user_data;

  dialer->closed = TRUE;
}

static const TsrPeerFuncs dialer_funcs = {
  .handshake = on_dialer_handshake,
  .closed = on_dialer_closed,
};

/* An outgoing peer that speaks only MSE (RC4), for @info_hash. */
static TsrPeer *
dial_encrypted (Fixture      *f,
                const guint8 *info_hash,
                Dialer       *dialer)
{
  TsrPeerAddress address;
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", tsr_listener_get_port (f->listener));
  TsrWireHandshake ours = { { 0 } };
  TsrPeer *peer;

  g_assert_true (tsr_peer_address_parse (text, &address));
  peer = tsr_peer_new_outgoing (&address, NULL);
  tsr_peer_set_encryption (peer, TSR_PEER_ENCRYPTION_REQUIRE, NULL, NULL);
  tsr_peer_set_funcs (peer, &dialer_funcs, dialer);
  memcpy (ours.info_hash, info_hash, 20);
  memcpy (ours.peer_id, "-XX0000-dialerdialer", 20);
  tsr_peer_start (peer, &ours);
  return peer;
}

static void
dialer_free (TsrPeer *peer,
             Dialer  *dialer)
{
  tsr_peer_set_funcs (peer, NULL, NULL);
  tsr_peer_close (peer, NULL);
  g_object_unref (peer);
}

/* An encrypted handshake whose SKEY is the known hash is found through
 * foreach_hash, handed over with the known key once the handshake inside
 * it arrives, and stays encrypted: the owner's answer reaches the dialer
 * over RC4. */
static void
test_mse_known_skey (Fixture       *f,
                     gconstpointer  data)
{
  Dialer dialer = { 0 };
  TsrPeer *dialed;
  TsrPeer *peer;

  f->answer = TRUE;
  dialed = dial_encrypted (f, known_hash, &dialer);
  WAIT_UNTIL (f->accepted->len == 1 || dialer.closed, "the encrypted peer to be handed over");
  g_assert_cmpuint (f->accepted->len, ==, 1);
  g_assert_cmpstr (f->log->str, ==, "find k\naccepted\n");
  g_assert_true (f->key == &known_key);
  g_assert_cmpmem (f->hash, 20, known_hash, 20);
  peer = g_ptr_array_index (f->accepted, 0);
  g_assert_true (tsr_peer_is_encrypted (peer));
  g_assert_cmpmem (tsr_peer_get_id (peer), 20, "-XX0000-dialerdialer", 20);
  WAIT_UNTIL (dialer.handshake || dialer.closed, "the dialer to hear the answer");
  g_assert_true (dialer.handshake);
  g_assert_cmpmem (dialer.hash, 20, known_hash, 20);
  g_assert_true (tsr_peer_is_encrypted (dialed));
  g_assert_cmpuint (tsr_listener_get_n_pending (f->listener), ==, 0);
  dialer_free (dialed, &dialer);
}

/* An encrypted handshake for a torrent the owner does not have fails
 * inside MSE: the dialer is closed, find() is never asked and nothing is
 * handed over. */
static void
test_mse_unknown_skey (Fixture       *f,
                       gconstpointer  data)
{
  Dialer dialer = { 0 };
  TsrPeer *dialed = dial_encrypted (f, other_hash, &dialer);

  WAIT_UNTIL (dialer.closed, "the dialer to be closed");
  g_assert_false (dialer.handshake);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->accepted->len, ==, 0);
  WAIT_UNTIL (tsr_listener_get_n_pending (f->listener) == 0, "the pending connection to go");
  dialer_free (dialed, &dialer);
}

/* With encryption off, an encrypted handshake is closed. */
static void
test_mse_refused_when_off (Fixture       *f,
                           gconstpointer  data)
{
  Dialer dialer = { 0 };
  TsrPeer *dialed;

  tsr_listener_set_encryption (f->listener, TSR_PEER_ENCRYPTION_OFF);
  dialed = dial_encrypted (f, known_hash, &dialer);
  WAIT_UNTIL (dialer.closed, "the dialer to be closed");
  g_assert_false (dialer.handshake);
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->accepted->len, ==, 0);
  dialer_free (dialed, &dialer);
}

/* ------------------------------------------------------------------ */
/* Timeout and budget                                                  */

/* A connection that never sends its handshake is closed once the
 * handshake timeout set through the API has passed, not before. */
static void
test_silent_closed_after_timeout (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;
  RawRead read = { 0 };
  gint64 start;
  gint64 elapsed;

  tsr_listener_set_handshake_timeout (f->listener, 300);
  connection = raw_connect (f);
  start = g_get_monotonic_time ();
  raw_read_start (&read, connection);
  WAIT_UNTIL (tsr_listener_get_n_pending (f->listener) == 1, "the connection to be accepted");
  TSR_TEST_WAIT_UNTIL (!read.busy, 5, "the silent connection to be closed");
  elapsed = g_get_monotonic_time () - start;
  g_assert_true (raw_hung_up (&read));
  g_assert_cmpint (elapsed, >=, 250 * 1000);
  g_assert_cmpuint (tsr_listener_get_n_pending (f->listener), ==, 0);
  g_assert_cmpuint (f->accepted->len, ==, 0);
  raw_read_stop (&read);
}

/* A connection that speaks in time is not closed by the timer. */
static void
test_handshake_beats_timeout (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;

  tsr_listener_set_handshake_timeout (f->listener, 300);
  connection = raw_connect (f);
  raw_send_handshake (connection, known_hash);
  WAIT_UNTIL (f->accepted->len == 1, "the peer to be handed over");
  tsr_test_run_for (600);
  g_assert_false (tsr_peer_is_closed (g_ptr_array_index (f->accepted, 0)));
}

/* Two connections when one may wait: the second is refused at once, the
 * first still waits. */
static void
check_second_refused (Fixture *f)
{
  g_autoptr(GSocketConnection) first = raw_connect (f);
  g_autoptr(GSocketConnection) second = NULL;
  RawRead first_read = { 0 };
  RawRead second_read = { 0 };

  raw_read_start (&first_read, first);
  WAIT_UNTIL (tsr_listener_get_n_pending (f->listener) == 1, "the first connection to be accepted");
  second = raw_connect (f);
  raw_read_start (&second_read, second);
  WAIT_UNTIL (!second_read.busy, "the second connection to be refused");
  g_assert_true (raw_hung_up (&second_read));
  tsr_test_run_for (100);
  g_assert_true (first_read.busy);
  g_assert_cmpuint (tsr_listener_get_n_pending (f->listener), ==, 1);
  g_assert_cmpstr (f->log->str, ==, "");
  raw_read_stop (&first_read);
  raw_read_stop (&second_read);
}

static void
test_budget_total (Fixture       *f,
                   gconstpointer  data)
{
  tsr_listener_set_max_pending (f->listener, 1, TSR_LISTENER_MAX_PENDING_PER_HOST);
  check_second_refused (f);
}

static void
test_budget_per_host (Fixture       *f,
                      gconstpointer  data)
{
  tsr_listener_set_max_pending (f->listener, TSR_LISTENER_MAX_PENDING, 1);
  check_second_refused (f);
}

/* Freeing the listener drops the waiting connections without calling
 * its owner. */
static void
test_free_drops_pending (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = raw_connect (f);
  RawRead read = { 0 };

  raw_read_start (&read, connection);
  WAIT_UNTIL (tsr_listener_get_n_pending (f->listener) == 1, "the connection to be accepted");
  g_clear_pointer (&f->listener, tsr_listener_free);
  WAIT_UNTIL (!read.busy, "the dropped connection to be closed");
  g_assert_true (raw_hung_up (&read));
  g_assert_cmpstr (f->log->str, ==, "");
  raw_read_stop (&read);
}

/* ------------------------------------------------------------------ */
/* Listening                                                           */

static void
test_listen_loopback (void)
{
  TsrListener *listener = tsr_listener_new (&owner_funcs, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (tsr_listener_get_port (listener), ==, 0);
  g_assert_true (tsr_listener_listen (listener, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_listener_get_port (listener), !=, 0);
  g_assert_true (tsr_listener_is_loopback (listener));
  tsr_listener_free (listener);
}

static void
test_listen_bad_address (void)
{
  TsrListener *listener = tsr_listener_new (&owner_funcs, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (tsr_listener_listen (listener, "not-an-address", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (tsr_listener_get_port (listener), ==, 0);
  tsr_listener_free (listener);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/listener/plaintext/known-hash", Fixture, NULL,
              fixture_set_up, test_plaintext_known_hash, fixture_tear_down);
  g_test_add ("/listener/plaintext/unknown-hash", Fixture, NULL,
              fixture_set_up, test_plaintext_unknown_hash, fixture_tear_down);
  g_test_add ("/listener/plaintext/refused-when-required", Fixture, NULL,
              fixture_set_up, test_plaintext_refused_when_required, fixture_tear_down);
  g_test_add ("/listener/mse/known-skey", Fixture, NULL,
              fixture_set_up, test_mse_known_skey, fixture_tear_down);
  g_test_add ("/listener/mse/unknown-skey", Fixture, NULL,
              fixture_set_up, test_mse_unknown_skey, fixture_tear_down);
  g_test_add ("/listener/mse/refused-when-off", Fixture, NULL,
              fixture_set_up, test_mse_refused_when_off, fixture_tear_down);
  g_test_add ("/listener/timeout/silent-closed", Fixture, NULL,
              fixture_set_up, test_silent_closed_after_timeout, fixture_tear_down);
  g_test_add ("/listener/timeout/handshake-in-time", Fixture, NULL,
              fixture_set_up, test_handshake_beats_timeout, fixture_tear_down);
  g_test_add ("/listener/budget/total", Fixture, NULL,
              fixture_set_up, test_budget_total, fixture_tear_down);
  g_test_add ("/listener/budget/per-host", Fixture, NULL,
              fixture_set_up, test_budget_per_host, fixture_tear_down);
  g_test_add ("/listener/free-drops-pending", Fixture, NULL,
              fixture_set_up, test_free_drops_pending, fixture_tear_down);
  g_test_add_func ("/listener/listen/loopback", test_listen_loopback);
  g_test_add_func ("/listener/listen/bad-address", test_listen_bad_address);
  return g_test_run ();
}
