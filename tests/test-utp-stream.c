/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-stream.c: TsrUtpStream over real UDP on 127.0.0.1: two
 * managers, each with its own GSocket and a small pump that feeds it
 * what the socket receives. 4 MiB each way at once, intact, through
 * GIO's async calls (read_async, write_all_async, close_async) and
 * through pollable sources; the peer's FIN read as the end of the
 * stream; closing one side seen by the other as the end of the stream,
 * and aborting it as CONNECTION_CLOSED; a refused dial as
 * CONNECTION_REFUSED; blocking calls that would block failing as such.
 * Every wait is bounded.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-test-util.h"
#include "tsr-utp-stream.h"

#define TRANSFER (4 * 1024 * 1024)
#define WAIT_SECONDS 20

typedef struct
{
  GSocket        *socket;
  GSource        *source;
  TsrUtpManager  *manager;
  TsrPeerAddress  address;
  GPtrArray      *accepted;  /* TsrUtpStream */
  gboolean        refuse;
} Side;

typedef struct
{
  Side sides[2];
} Fixture;

static void
on_send_to (const TsrPeerAddress *address,
            const guint8         *data,
            gsize                 length,
            gpointer              user_data)
{
  Side *side = user_data;
  g_autoptr(GSocketAddress) to = tsr_peer_address_to_socket_address (address);

  /* A full socket buffer drops the datagram, as a network would. */
  g_socket_send_to (side->socket, to, (const char *) data, length, NULL, NULL);
}

static gboolean
on_accept (TsrUtpChannel        *channel,
           const TsrPeerAddress *address,
           gpointer              user_data)
{
  Side *side = user_data;

  if (side->refuse)
    return FALSE;
  g_ptr_array_add (side->accepted, tsr_utp_stream_new (channel));
  return TRUE;
}

static const TsrUtpManagerFuncs manager_funcs = {
  .send_to = on_send_to,
  .accept = on_accept,
};

/* The pump: what the socket has, to the manager. */
static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  Side *side = user_data;
  guint8 buffer[2048];
  guint i;

  for (i = 0; i < 256; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      TsrPeerAddress address;
      gssize n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, NULL);

      if (n < 0)
        break;
      if (tsr_peer_address_from_socket (from, &address))
        tsr_utp_manager_receive (side->manager, &address, buffer, (gsize) n, g_get_monotonic_time ());
    }
  return G_SOURCE_CONTINUE;
}

static void
side_set_up (Side *side)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;

  side->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (side->socket, FALSE);
  g_socket_set_option (side->socket, SOL_SOCKET, SO_RCVBUF, 4 * 1024 * 1024, NULL);
  g_assert_true (g_socket_bind (side->socket, any, FALSE, &error));
  g_assert_no_error (error);
  local = g_socket_get_local_address (side->socket, &error);
  g_assert_no_error (error);
  g_assert_true (tsr_peer_address_from_socket (local, &side->address));
  side->source = g_socket_create_source (side->socket, G_IO_IN, NULL);
  g_source_set_callback (side->source, G_SOURCE_FUNC (on_socket_readable), side, NULL);
  g_source_attach (side->source, NULL);
  side->manager = tsr_utp_manager_new (&manager_funcs, side);
  side->accepted = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  side_set_up (&fixture->sides[0]);
  side_set_up (&fixture->sides[1]);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  guint i;

  for (i = 0; i < 2; i++)
    {
      Side *side = &fixture->sides[i];

      g_ptr_array_unref (side->accepted);
      tsr_utp_manager_free (side->manager);
      g_source_destroy (side->source);
      g_source_unref (side->source);
      g_object_unref (side->socket);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @done says so; fails after WAIT_SECONDS. */
static void
run_until (gboolean (*done) (gpointer data),
           gpointer   data)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (WAIT_SECONDS, on_timeout, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Side 0 dials side 1: both ends of one connection. */
static void
connect_pair (Fixture       *fixture,
              TsrUtpStream **dialled,
              TsrUtpStream **accepted)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tsr_utp_stream_connect_async (fixture->sides[0].manager, &fixture->sides[1].address, NULL, on_connected, &result);
  run_until (is_set, &result);
  *dialled = tsr_utp_stream_connect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (TSR_IS_UTP_STREAM (*dialled));
  g_assert_true (tsr_peer_address_equal (tsr_utp_stream_get_address (*dialled), &fixture->sides[1].address));
  g_assert_cmpuint (fixture->sides[1].accepted->len, ==, 1);
  *accepted = g_object_ref (g_ptr_array_index (fixture->sides[1].accepted, 0));
}

static GBytes *
make_bytes (gsize size,
            guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint32 *data = g_malloc (size);
  gsize i;

  for (i = 0; i < size / 4; i++)
    data[i] = g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

/* One direction of a transfer: one stream writes @data, the other reads. */
typedef struct
{
  GInputStream  *input;
  GOutputStream *output;
  GBytes        *data;
  gsize          written;
  GByteArray    *received;
  gboolean       write_done;
  gboolean       read_done;
  guint8         buffer[64 * 1024];
} Transfer;

static Transfer *
transfer_new (TsrUtpStream *from,
              TsrUtpStream *to,
              guint         seed)
{
  Transfer *transfer = g_new0 (Transfer, 1);

  transfer->output = g_io_stream_get_output_stream (G_IO_STREAM (from));
  transfer->input = g_io_stream_get_input_stream (G_IO_STREAM (to));
  transfer->data = make_bytes (TRANSFER, seed);
  transfer->received = g_byte_array_new ();
  return transfer;
}

static void
transfer_free (Transfer *transfer)
{
  g_bytes_unref (transfer->data);
  g_byte_array_unref (transfer->received);
  g_free (transfer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transfer, transfer_free)

static gboolean
both_done (gpointer data)
{
  Transfer **transfers = data;

  return transfers[0]->write_done && transfers[0]->read_done && transfers[1]->write_done && transfers[1]->read_done;
}

/* @a and @b send each other TRANSFER bytes at once (seeds @seed and
 * @seed + 1), each direction begun by @start; both arrive intact. */
static void
transfer_both_ways (TsrUtpStream *a,
                    TsrUtpStream *b,
                    guint         seed,
                    void        (*start) (Transfer *transfer))
{
  g_autoptr(Transfer) up = transfer_new (a, b, seed);
  g_autoptr(Transfer) down = transfer_new (b, a, seed + 1);
  Transfer *transfers[2] = { up, down };

  start (up);
  start (down);
  run_until (both_done, transfers);
  tsr_test_assert_received (up->received, up->data);
  tsr_test_assert_received (down->received, down->data);
}

/* Async. */

static void
on_output_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error));
  g_assert_no_error (error);
  transfer->write_done = TRUE;
}

static void
on_written_all (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &transfer->written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (transfer->written, ==, TRANSFER);
  /* Our FIN. */
  g_output_stream_close_async (transfer->output, G_PRIORITY_DEFAULT, NULL, on_output_closed, transfer);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, >=, 0);
  if (n == 0)
    {
      transfer->read_done = TRUE;
      return;
    }
  g_byte_array_append (transfer->received, transfer->buffer, (guint) n);
  g_input_stream_read_async (transfer->input, transfer->buffer, sizeof transfer->buffer, G_PRIORITY_DEFAULT, NULL,
                             on_read, transfer);
}

static void
transfer_start_async (Transfer *transfer)
{
  g_output_stream_write_all_async (transfer->output, g_bytes_get_data (transfer->data, NULL), TRANSFER,
                                   G_PRIORITY_DEFAULT, NULL, on_written_all, transfer);
  g_input_stream_read_async (transfer->input, transfer->buffer, sizeof transfer->buffer, G_PRIORITY_DEFAULT, NULL,
                             on_read, transfer);
}

static gboolean
no_connections (gpointer data)
{
  Fixture *fixture = data;

  return tsr_utp_manager_get_n_connections (fixture->sides[0].manager) == 0 &&
         tsr_utp_manager_get_n_connections (fixture->sides[1].manager) == 0;
}

/* Waits until neither side has a connection left; neither sent a RESET. */
static void
wait_closed_cleanly (Fixture *fixture)
{
  run_until (no_connections, fixture);
  g_assert_cmpuint (tsr_utp_manager_get_stats (fixture->sides[0].manager)->resets_sent, ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_stats (fixture->sides[1].manager)->resets_sent, ==, 0);
}

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (source), result, &error));
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

static gboolean
two_closed (gpointer data)
{
  return *(guint *) data == 2;
}

static void
test_async_both_ways (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TsrUtpStream) a = NULL;
  g_autoptr(TsrUtpStream) b = NULL;
  guint closed = 0;

  connect_pair (fixture, &a, &b);
  transfer_both_ways (a, b, 1, transfer_start_async);

  g_io_stream_close_async (G_IO_STREAM (a), G_PRIORITY_DEFAULT, NULL, on_stream_closed, &closed);
  g_io_stream_close_async (G_IO_STREAM (b), G_PRIORITY_DEFAULT, NULL, on_stream_closed, &closed);
  run_until (two_closed, &closed);
  /* Both FINs were through: the connections end at once, cleanly. */
  wait_closed_cleanly (fixture);
}

/* Pollable sources. */

static gboolean
on_pollable_writable (GObject  *stream,
                      gpointer  user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;
  const guint8 *data = g_bytes_get_data (transfer->data, NULL);

  while (transfer->written < TRANSFER)
    {
      gssize n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (stream), data + transfer->written,
                                                             TRANSFER - transfer->written, NULL, &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          return G_SOURCE_CONTINUE;
        }
      g_assert_cmpint (n, >, 0);
      transfer->written += (gsize) n;
    }
  g_assert_true (g_output_stream_close (transfer->output, NULL, &error));
  transfer->write_done = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_pollable_readable (GObject  *stream,
                      gpointer  user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), transfer->buffer,
                                                           sizeof transfer->buffer, NULL, &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          return G_SOURCE_CONTINUE;
        }
      if (n == 0)
        {
          transfer->read_done = TRUE;
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (transfer->received, transfer->buffer, (guint) n);
    }
}

static void
transfer_start_pollable (Transfer *transfer)
{
  g_autoptr(GSource) write_source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (transfer->output), NULL);
  g_autoptr(GSource) read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (transfer->input), NULL);

  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (transfer->input)));
  g_assert_true (g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (transfer->output)));
  g_source_set_callback (write_source, G_SOURCE_FUNC (on_pollable_writable), transfer, NULL);
  g_source_set_callback (read_source, G_SOURCE_FUNC (on_pollable_readable), transfer, NULL);
  g_source_attach (write_source, NULL);
  g_source_attach (read_source, NULL);
}

static void
test_pollable_both_ways (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TsrUtpStream) a = NULL;
  g_autoptr(TsrUtpStream) b = NULL;

  connect_pair (fixture, &a, &b);
  /* Nothing to read yet: not readable, and a read would block. */
  g_assert_false (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (b)))));
  g_assert_true (g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (a)))));
  transfer_both_ways (a, b, 3, transfer_start_pollable);
  g_assert_true (g_io_stream_close (G_IO_STREAM (a), NULL, NULL));
  g_assert_true (g_io_stream_close (G_IO_STREAM (b), NULL, NULL));
  run_until (no_connections, fixture);
}

/* Closing one side. */

typedef struct
{
  GByteArray *received;
  GError     *error;
  gboolean    done;
  guint8      buffer[4096];
} Reader;

static void
on_reader_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Reader *reader = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &reader->error);

  if (n <= 0)
    {
      reader->done = TRUE;
      return;
    }
  g_byte_array_append (reader->received, reader->buffer, (guint) n);
  g_input_stream_read_async (G_INPUT_STREAM (source), reader->buffer, sizeof reader->buffer, G_PRIORITY_DEFAULT, NULL,
                             on_reader_read, reader);
}

static void
reader_start (Reader       *reader,
              TsrUtpStream *stream)
{
  reader->received = g_byte_array_new ();
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (stream)), reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_reader_read, reader);
}

static void
reader_clear (Reader *reader)
{
  g_byte_array_unref (reader->received);
  g_clear_error (&reader->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reader, reader_clear)

static gboolean
reader_done (gpointer data)
{
  return ((Reader *) data)->done;
}

static void
test_close_is_end_of_stream (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(TsrUtpStream) a = NULL;
  g_autoptr(TsrUtpStream) b = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *b_output;
  guint8 byte;
  gsize written = 0;
  g_auto(Reader) reader = { 0 };

  connect_pair (fixture, &a, &b);
  /* The blocking calls do not block (tsr-utp-stream.h). */
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (b)), &byte, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (a)), "hello", 5, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_close (G_IO_STREAM (a), NULL, &error));
  g_assert_no_error (error);
  /* A's halves are closed for A. */
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (a)), &byte, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  /* B reads what came, then the end of the stream (read returns 0). */
  reader_start (&reader, b);
  run_until (reader_done, &reader);
  g_assert_no_error (reader.error);
  g_assert_cmpmem (reader.received->data, reader.received->len, "hello", 5);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (b)), &byte, 1, NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* Half-closed: B may still write (A's manager reads and drops it),
   * then B's FIN ends the connection on both sides, cleanly. */
  b_output = g_io_stream_get_output_stream (G_IO_STREAM (b));
  g_assert_true (g_output_stream_write_all (b_output, "late", 4, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (b_output, NULL, &error));
  wait_closed_cleanly (fixture);
}

static void
test_abort_fails_peer (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TsrUtpStream) a = NULL;
  g_autoptr(TsrUtpStream) b = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Reader) reader = { 0 };

  connect_pair (fixture, &a, &b);
  reader_start (&reader, b);
  tsr_utp_stream_abort (a);
  run_until (reader_done, &reader);
  g_assert_error (reader.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_nonnull (strstr (reader.error->message, "reset"));
  /* Writing fails the same way (GIO's BROKEN_PIPE is the same code). */
  g_assert_cmpint (g_pollable_output_stream_write_nonblocking (
                     G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (b))), "x", 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (fixture->sides[0].manager), ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (fixture->sides[1].manager), ==, 0);
}

static void
test_connect_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUtpStream) stream = NULL;

  fixture->sides[1].refuse = TRUE;
  tsr_utp_stream_connect_async (fixture->sides[0].manager, &fixture->sides[1].address, NULL, on_connected, &result);
  run_until (is_set, &result);
  stream = tsr_utp_stream_connect_finish (result, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (tsr_utp_manager_get_stats (fixture->sides[1].manager)->refused, ==, 1);
}

static void
test_connect_cancelled (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUtpStream) stream = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocket) silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  TsrPeerAddress nobody;

  /* A socket that never answers. */
  g_assert_true (g_socket_bind (silent, any, FALSE, NULL));
  local = g_socket_get_local_address (silent, NULL);
  g_assert_true (tsr_peer_address_from_socket (local, &nobody));
  tsr_utp_stream_connect_async (fixture->sides[0].manager, &nobody, cancellable, on_connected, &result);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (fixture->sides[0].manager), ==, 1);
  g_cancellable_cancel (cancellable);
  run_until (is_set, &result);
  stream = tsr_utp_stream_connect_finish (result, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (fixture->sides[0].manager), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/utp-stream/async/both-ways", Fixture, NULL, fixture_set_up, test_async_both_ways, fixture_tear_down);
  g_test_add ("/utp-stream/pollable/both-ways", Fixture, NULL, fixture_set_up, test_pollable_both_ways, fixture_tear_down);
  g_test_add ("/utp-stream/close/end-of-stream", Fixture, NULL, fixture_set_up, test_close_is_end_of_stream, fixture_tear_down);
  g_test_add ("/utp-stream/abort/fails-peer", Fixture, NULL, fixture_set_up, test_abort_fails_peer, fixture_tear_down);
  g_test_add ("/utp-stream/connect/refused", Fixture, NULL, fixture_set_up, test_connect_refused, fixture_tear_down);
  g_test_add ("/utp-stream/connect/cancelled", Fixture, NULL, fixture_set_up, test_connect_cancelled, fixture_tear_down);

  return g_test_run ();
}
