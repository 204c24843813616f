/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-writer.c: TsrPeerWriter over a GMemoryOutputStream (what
 * leaves, in which order, in how many writes) and over a TCP connection
 * on 127.0.0.1 whose reader does not read (a write that stays in flight).
 * The owner's reports are counted by a fake host.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-limiter.h"
#include "tsr-mse-crypto.h"
#include "tsr-peer-writer.h"
#include "tsr-wire.h"

typedef struct
{
  guint    n_written;
  guint64  written;       /* bytes reported written */
  gsize    largest;       /* the most bytes one report carried */
  gint64   first_at;      /* monotonic µs of the first report */
  GArray  *at;            /* (element-type gint64) when each report came */
  GArray  *total;         /* (element-type guint64) bytes written by then */
  guint    n_failed;
  GError  *error;         /* the last failure reported */
} Host;

static void
host_written (gsize    bytes,
              gpointer user_data)
{
  Host *host = user_data;
  gint64 now = g_get_monotonic_time ();

  if (host->n_written++ == 0)
    host->first_at = now;
  host->written += bytes;
  host->largest = MAX (host->largest, bytes);
  g_array_append_val (host->at, now);
  g_array_append_val (host->total, host->written);
}

static void
host_failed (const GError *error,
             gpointer      user_data)
{
  Host *host = user_data;

  host->n_failed++;
  g_clear_error (&host->error);
  host->error = g_error_copy (error);
}

static const TsrPeerWriterFuncs funcs = {
  .written = host_written,
  .failed = host_failed,
};

typedef struct
{
  Host           host;
  GOutputStream *memory;   /* a resizable GMemoryOutputStream */
  TsrPeerWriter *writer;   /* writes to @memory */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->host.at = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->host.total = g_array_new (FALSE, FALSE, sizeof (guint64));
  f->memory = g_memory_output_stream_new_resizable ();
  f->writer = tsr_peer_writer_new (&funcs, &f->host, NULL);
  tsr_peer_writer_set_stream (f->writer, f->memory);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->writer, tsr_peer_writer_free);
  g_clear_object (&f->memory);
  g_array_unref (f->host.at);
  g_array_unref (f->host.total);
  g_clear_error (&f->host.error);
}

/* One turn of the main context, never blocking for long. */
static void
step (void)
{
  if (!g_main_context_iteration (NULL, FALSE))
    g_usleep (1000);
}

/* Runs the main context until @count is at least @at_least; the test
 * fails after 10 s. */
static void
wait_for (guint *count,
          guint  at_least)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (*count < at_least)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      step ();
    }
}

/* Runs the main context for @ms milliseconds: whatever was due happens. */
static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    step ();
}

static GBytes *
make_bytes (gsize  length,
            guint8 seed)
{
  guint8 *data = g_malloc (length);
  gsize i;

  for (i = 0; i < length; i++)
    data[i] = (guint8) (seed + i * 7);
  return g_bytes_new_take (data, length);
}

static void
append_message (GByteArray    *out,
                TsrWireType    type,
                guint32        index)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  tsr_wire_write_message (out, &message);
}

static void
append_block (GByteArray *out,
              guint32     index,
              guint32     begin,
              GBytes     *block)
{
  TsrWireMessage header = { 0 };

  header.type = TSR_WIRE_PIECE;
  header.index = index;
  header.begin = begin;
  header.length = (guint32) g_bytes_get_size (block);
  tsr_wire_write_message (out, &header);
  g_byte_array_append (out, g_bytes_get_data (block, NULL), (guint) g_bytes_get_size (block));
}

static void
send_message (TsrPeerWriter *writer,
              TsrWireType    type,
              guint32        index)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  tsr_peer_writer_send (writer, &message);
}

static void
assert_memory_is (Fixture    *f,
                  GByteArray *expected)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (f->memory);

  g_assert_cmpmem (g_memory_output_stream_get_data (memory), g_memory_output_stream_get_data_size (memory),
                   expected->data, expected->len);
}

/* Messages, blocks and raw bytes leave in the order they were given,
 * a block right behind its header. */
static void
test_order_kept (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) block = make_bytes (TSR_WIRE_BLOCK_SIZE, 1);
  g_autoptr(GByteArray) expected = g_byte_array_new ();

  send_message (f->writer, TSR_WIRE_HAVE, 1);
  send_message (f->writer, TSR_WIRE_INTERESTED, 0);
  tsr_peer_writer_send_block (f->writer, 2, 0, block);
  send_message (f->writer, TSR_WIRE_HAVE, 3);
  tsr_peer_writer_take_bytes (f->writer, g_bytes_new_static ("raw", 3));
  send_message (f->writer, TSR_WIRE_HAVE, 4);
  wait_for (&f->host.n_written, 1);
  settle (50);

  append_message (expected, TSR_WIRE_HAVE, 1);
  append_message (expected, TSR_WIRE_INTERESTED, 0);
  append_block (expected, 2, 0, block);
  append_message (expected, TSR_WIRE_HAVE, 3);
  g_byte_array_append (expected, (const guint8 *) "raw", 3);
  append_message (expected, TSR_WIRE_HAVE, 4);
  assert_memory_is (f, expected);
  g_assert_cmpuint (f->host.written, ==, expected->len);
}

/* What is given in one turn of the main loop leaves in one write, blocks
 * included; the queue counts it until then. */
static void
test_vectored_flush (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = make_bytes (TSR_WIRE_BLOCK_SIZE, 2);
  g_autoptr(GBytes) second = make_bytes (TSR_WIRE_BLOCK_SIZE, 3);
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  guint i;

  for (i = 0; i < 5; i++)
    {
      send_message (f->writer, TSR_WIRE_HAVE, i);
      append_message (expected, TSR_WIRE_HAVE, i);
    }
  tsr_peer_writer_send_block (f->writer, 7, 0, first);
  append_block (expected, 7, 0, first);
  tsr_peer_writer_send_block (f->writer, 7, TSR_WIRE_BLOCK_SIZE, second);
  append_block (expected, 7, TSR_WIRE_BLOCK_SIZE, second);
  send_message (f->writer, TSR_WIRE_UNCHOKE, 0);
  append_message (expected, TSR_WIRE_UNCHOKE, 0);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, expected->len);

  wait_for (&f->host.n_written, 1);
  settle (50);
  g_assert_cmpuint (f->host.n_written, ==, 1);
  g_assert_cmpuint (f->host.written, ==, expected->len);
  assert_memory_is (f, expected);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, 0);
  g_assert_cmpuint (tsr_peer_writer_get_written (f->writer), ==, expected->len);
}

/* Under an upload limit the queue leaves in several writes, none larger
 * than the bucket holds (a quarter second of the rate), and the bytes
 * written by any time stay within the rate since the start plus that
 * burst. */
static void
test_limiter_throttles (Fixture       *f,
                        gconstpointer  data)
{
  const guint64 rate = 64 * 1024;
  const gsize piece = 4096;
  const guint n = 16;
  gint64 start = g_get_monotonic_time ();   /* before the bucket fills at all */
  g_autoptr(TsrLimiter) limiter = tsr_limiter_new (rate);
  guint i;

  tsr_peer_writer_set_limiter (f->writer, limiter);
  for (i = 0; i < n; i++)
    tsr_peer_writer_take_bytes (f->writer, make_bytes (piece, (guint8) i));
  while (f->host.written < n * piece)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, start + 10 * G_USEC_PER_SEC);
      step ();
    }

  g_assert_cmpuint (f->host.written, ==, n * piece);
  g_assert_cmpuint (f->host.n_written, >=, (n * piece) / (rate / 4));
  g_assert_cmpuint (f->host.largest, <=, rate / 4);
  for (i = 0; i < f->host.at->len; i++)
    {
      gint64 elapsed = g_array_index (f->host.at, gint64, i) - start;
      guint64 allowed = rate * (guint64) elapsed / G_USEC_PER_SEC + rate / 4 + piece;

      g_assert_cmpuint (g_array_index (f->host.total, guint64, i), <=, allowed);
    }
  /* 64 KiB at 64 KiB/s with a 16 KiB burst: three quarters of a second. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
}

/* A stream that fails (closed under the writer) is reported once, with
 * the stream's own error; nothing is written or reported after it. */
static void
test_failed_once (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_true (g_output_stream_close (f->memory, NULL, NULL));
  send_message (f->writer, TSR_WIRE_HAVE, 1);
  wait_for (&f->host.n_failed, 1);
  g_assert_error (f->host.error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  send_message (f->writer, TSR_WIRE_HAVE, 2);
  tsr_peer_writer_take_bytes (f->writer, make_bytes (100, 4));
  settle (100);
  g_assert_cmpuint (f->host.n_failed, ==, 1);
  g_assert_cmpuint (f->host.n_written, ==, 0);
  g_assert_cmpuint (tsr_peer_writer_get_written (f->writer), ==, 0);
}

/* Closed before its turn: nothing reaches the stream, nothing is reported,
 * and what was queued stays counted. */
static void
test_nothing_after_close (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) block = make_bytes (1000, 5);

  send_message (f->writer, TSR_WIRE_HAVE, 1);
  tsr_peer_writer_send_block (f->writer, 0, 0, block);
  tsr_peer_writer_close (f->writer);
  send_message (f->writer, TSR_WIRE_HAVE, 2);
  settle (100);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->memory)), ==, 0);
  g_assert_cmpuint (f->host.n_written + f->host.n_failed, ==, 0);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, 9 + 13 + 1000);
}

/* The queue counts every byte given (messages, a block and its header,
 * raw bytes) until written; with no stream yet, they wait, and leave
 * once it comes. */
static void
test_queued_bytes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) block = make_bytes (500, 6);
  TsrWireHandshake ours = { 0 };
  TsrPeerWriter *writer = tsr_peer_writer_new (&funcs, &f->host, NULL);
  guint64 expected = 0;

  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, 0);
  tsr_peer_writer_send_handshake (writer, &ours);
  expected += TSR_WIRE_HANDSHAKE_LENGTH;
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, expected);
  send_message (writer, TSR_WIRE_HAVE, 9);
  expected += 9;
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, expected);
  tsr_peer_writer_send_block (writer, 1, 0, block);
  expected += 13 + 500;
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, expected);
  tsr_peer_writer_take_bytes (writer, make_bytes (20, 7));
  expected += 20;
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, expected);

  settle (50);
  g_assert_cmpuint (f->host.n_written, ==, 0);
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, expected);

  tsr_peer_writer_free (f->writer);
  f->writer = writer;
  g_object_unref (f->memory);
  f->memory = g_memory_output_stream_new_resizable ();
  tsr_peer_writer_set_stream (writer, f->memory);
  wait_for (&f->host.n_written, 1);
  settle (50);
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, 0);
  g_assert_cmpuint (f->host.written, ==, expected);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->memory)), ==, expected);
}

/* MSE: bytes given before the cipher leave as they are, bytes after it
 * are RC4 in sending order, and a shared block is encrypted in a copy. */
static void
test_cipher_in_order (Fixture       *f,
                      gconstpointer  data)
{
  static const guint8 key[] = "0123456789abcdefghij";
  g_autoptr(GBytes) block = make_bytes (3000, 8);
  g_autoptr(GBytes) pristine = g_bytes_new (g_bytes_get_data (block, NULL), g_bytes_get_size (block));
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(TsrRc4) rc4 = tsr_rc4_new (key, sizeof key - 1, 1024);

  tsr_peer_writer_take_bytes (f->writer, g_bytes_new_static ("clear", 5));
  g_byte_array_append (expected, (const guint8 *) "clear", 5);
  tsr_peer_writer_set_cipher (f->writer, tsr_rc4_new (key, sizeof key - 1, 1024));
  send_message (f->writer, TSR_WIRE_HAVE, 1);
  append_message (plain, TSR_WIRE_HAVE, 1);
  tsr_peer_writer_send_block (f->writer, 3, 0, block);
  append_block (plain, 3, 0, block);
  send_message (f->writer, TSR_WIRE_HAVE, 2);
  append_message (plain, TSR_WIRE_HAVE, 2);
  tsr_rc4_crypt (rc4, plain->data, plain->len);
  g_byte_array_append (expected, plain->data, plain->len);

  wait_for (&f->host.n_written, 1);
  settle (50);
  assert_memory_is (f, expected);
  g_assert_true (g_bytes_equal (block, pristine));
}

/* BEP 3: a keep-alive goes out only after TSR_PEER_WRITER_KEEPALIVE_AFTER
 * seconds without a write; a write starts the wait again. */
static void
test_keep_alive (Fixture       *f,
                 gconstpointer  data)
{
  static const guint8 keepalive[4] = { 0 };
  gint64 now = g_get_monotonic_time ();

  tsr_peer_writer_keep_alive (f->writer, now + (TSR_PEER_WRITER_KEEPALIVE_AFTER - 5) * G_USEC_PER_SEC);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, 0);
  tsr_peer_writer_keep_alive (f->writer, now + (TSR_PEER_WRITER_KEEPALIVE_AFTER + 1) * G_USEC_PER_SEC);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, 4);
  wait_for (&f->host.n_written, 1);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (f->memory)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (f->memory)),
                   keepalive, sizeof keepalive);
  now = g_get_monotonic_time ();
  tsr_peer_writer_keep_alive (f->writer, now + (TSR_PEER_WRITER_KEEPALIVE_AFTER - 5) * G_USEC_PER_SEC);
  g_assert_cmpuint (tsr_peer_writer_get_queued (f->writer), ==, 0);
}

/* Two ends of a TCP connection on 127.0.0.1 with small buffers. */
static void
connect_pair (GSocketConnection **writing,
              GSocketConnection **reading)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GSocket) server = NULL;

  g_assert_no_error (error);
  /* Set before listening, so the accepted end has it from the start. */
  g_assert_true (g_socket_set_option (listener, SOL_SOCKET, SO_RCVBUF, 32 * 1024, &error));
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_set_option (client, SOL_SOCKET, SO_SNDBUF, 32 * 1024, &error));
  g_assert_true (g_socket_connect (client, bound, NULL, &error));
  server = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (server, FALSE);
  *writing = g_socket_connection_factory_create_connection (client);
  *reading = g_socket_connection_factory_create_connection (server);
}

/* Reads what has arrived and keeps reading until nothing came for
 * @quiet_ms; returns the bytes read. */
static gsize
drain (GSocketConnection *reading,
       guint              quiet_ms)
{
  GSocket *socket = g_socket_connection_get_socket (reading);
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  gint64 quiet_until = g_get_monotonic_time () + quiet_ms * 1000;
  gsize total = 0;

  while (g_get_monotonic_time () < quiet_until)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (gchar *) buffer, 64 * 1024, NULL, &error);

      if (n > 0)
        {
          total += (gsize) n;
          quiet_until = g_get_monotonic_time () + quiet_ms * 1000;
          continue;
        }
      if (n == 0)
        break;
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      step ();
    }
  return total;
}

/* Closed (@data NULL) or freed with a write in flight (the reader does
 * not read): the write is cancelled, nothing is reported (not even the
 * cancellation), and the rest of the block never comes however fast the
 * reader then reads. */
static void
test_nothing_in_flight_after (gconstpointer data)
{
  gboolean free_it = data != NULL;
  g_autoptr(GSocketConnection) writing = NULL;
  g_autoptr(GSocketConnection) reading = NULL;
  g_autoptr(GBytes) block = make_bytes (8 * 1024 * 1024, 9);
  Host host = { 0 };
  TsrPeerWriter *writer;
  gsize arrived;

  host.at = g_array_new (FALSE, FALSE, sizeof (gint64));
  host.total = g_array_new (FALSE, FALSE, sizeof (guint64));
  connect_pair (&writing, &reading);
  writer = tsr_peer_writer_new (&funcs, &host, NULL);
  tsr_peer_writer_set_stream (writer, g_io_stream_get_output_stream (G_IO_STREAM (writing)));
  tsr_peer_writer_send_block (writer, 0, 0, block);
  settle (100);
  g_assert_cmpuint (host.n_written + host.n_failed, ==, 0);
  g_assert_cmpuint (tsr_peer_writer_get_queued (writer), ==, 13 + g_bytes_get_size (block));

  if (free_it)
    tsr_peer_writer_free (writer);
  else
    tsr_peer_writer_close (writer);
  arrived = drain (reading, 300);
  g_assert_cmpuint (arrived, >, 0);
  g_assert_cmpuint (arrived, <, 13 + g_bytes_get_size (block));
  g_assert_cmpuint (host.n_written + host.n_failed, ==, 0);
  if (!free_it)
    tsr_peer_writer_free (writer);
  g_array_unref (host.at);
  g_array_unref (host.total);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/peer-writer/order-kept", Fixture, NULL, fixture_set_up, test_order_kept, fixture_tear_down);
  g_test_add ("/peer-writer/vectored-flush", Fixture, NULL, fixture_set_up, test_vectored_flush,
              fixture_tear_down);
  g_test_add ("/peer-writer/limiter-throttles", Fixture, NULL, fixture_set_up, test_limiter_throttles,
              fixture_tear_down);
  g_test_add ("/peer-writer/failed-once", Fixture, NULL, fixture_set_up, test_failed_once, fixture_tear_down);
  g_test_add ("/peer-writer/nothing-after-close", Fixture, NULL, fixture_set_up, test_nothing_after_close,
              fixture_tear_down);
  g_test_add ("/peer-writer/queued-bytes", Fixture, NULL, fixture_set_up, test_queued_bytes, fixture_tear_down);
  g_test_add ("/peer-writer/cipher-in-order", Fixture, NULL, fixture_set_up, test_cipher_in_order,
              fixture_tear_down);
  g_test_add ("/peer-writer/keep-alive", Fixture, NULL, fixture_set_up, test_keep_alive, fixture_tear_down);
  g_test_add_data_func ("/peer-writer/nothing-in-flight-after-close", NULL, test_nothing_in_flight_after);
  g_test_add_data_func ("/peer-writer/nothing-in-flight-after-free", "free", test_nothing_in_flight_after);
  return g_test_run ();
}
