/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-http-body.c: tsr_http_body_read_async() against a raw HTTP server
 * on 127.0.0.1 written here, so that a reply can lie, never end, be a
 * gzip bomb or trickle: a body under the cap comes back whole (decoded),
 * one over it fails as TOO_LARGE whether declared, chunked or compressed,
 * a slow one as TIMED_OUT, an error page is not read, and the caller's
 * cancellable still cancels.
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-http-body.h"

typedef enum
{
  SEND_ONCE,       /* the canned reply, then close */
  SEND_ENDLESS,    /* the canned head, then chunks forever */
  SEND_TRICKLE,    /* the canned reply a byte every 100 ms */
  SEND_NOTHING,    /* read the request, never answer */
} SendMode;

typedef struct
{
  GSocketService *service;
  guint16         port;
  SendMode        mode;
  GBytes         *reply;       /* (owned) */
  GPtrArray      *connections; /* (element-type Client) */
  GCancellable   *cancellable; /* cancels every write at the end */
  guint64         sent;
} Server;

typedef struct
{
  Server            *server;
  GSocketConnection *connection;  /* (owned) */
  gsize              offset;
  guint              timer;
  gboolean           writing;
} Client;

static void client_write (Client *client);

static gboolean
on_trickle (gpointer user_data)
{
  Client *client = user_data;

  client->timer = 0;
  client_write (client);
  return G_SOURCE_REMOVE;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Client *client = user_data;
  gsize written = 0;

  client->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, NULL))
    return;   /* the reader hung up (what the test wants), or the end */
  client->server->sent += written;
  if (client->server->mode == SEND_TRICKLE)
    client->timer = g_timeout_add (100, on_trickle, client);
  else
    client_write (client);
}

static void
client_write (Client *client)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (client->server->reply, &size);
  static guint8 chunk[6 + 4096 + 2];

  if (client->offset < size)
    {
      /* A trickle sends its head at once, then a byte at a time. */
      gsize n = client->server->mode == SEND_TRICKLE && client->offset > 0 ? 1 : size - client->offset;

      if (client->server->mode == SEND_TRICKLE && client->offset == 0)
        n = (gsize) ((const guint8 *) g_strstr_len ((const char *) data, (gssize) size, "\r\n\r\n") - data) + 4;
      client->writing = TRUE;
      g_output_stream_write_all_async (out, data + client->offset, n, G_PRIORITY_DEFAULT, client->server->cancellable,
                                       on_written, client);
      client->offset += n;
      return;
    }
  if (client->server->mode == SEND_ENDLESS || client->server->mode == SEND_TRICKLE)
    {
      /* Chunks forever; a trickle's body is spaces, a byte at a time. */
      gsize n = client->server->mode == SEND_TRICKLE ? 1 : sizeof chunk;

      memcpy (chunk, "1000\r\n", 6);
      memset (chunk + 6, 'x', 4096);
      memcpy (chunk + 6 + 4096, "\r\n", 2);
      client->writing = TRUE;
      g_output_stream_write_all_async (out, client->server->mode == SEND_TRICKLE ? (const guint8 *) " " : chunk, n,
                                       G_PRIORITY_DEFAULT, client->server->cancellable, on_written, client);
      return;
    }
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  Server *server = user_data;
  Client *client = g_new0 (Client, 1);

  /* The request is small and already there; it is not even read. */
  client->server = server;
  client->connection = g_object_ref (connection);
  g_ptr_array_add (server->connections, client);
  if (server->mode != SEND_NOTHING)
    client_write (client);
  return TRUE;
}

static void
client_free (gpointer data)
{
  Client *client = data;

  g_clear_handle_id (&client->timer, g_source_remove);
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_free (client);
}

static Server *
server_new (SendMode    mode,
            const char *head,
            GBytes     *body)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_byte_array_append (reply, (const guint8 *) head, (guint) strlen (head));
  if (body != NULL)
    g_byte_array_append (reply, g_bytes_get_data (body, NULL), (guint) g_bytes_get_size (body));
  server->reply = g_byte_array_free_to_bytes (g_steal_pointer (&reply));
  server->mode = mode;
  server->connections = g_ptr_array_new_with_free_func (client_free);
  server->cancellable = g_cancellable_new ();
  server->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_socket_service_start (server->service);
  return server;
}

static void
server_free (Server *server)
{
  gboolean writing = TRUE;
  guint i;

  /* Writes in flight end (cancelled) before their clients go. */
  g_cancellable_cancel (server->cancellable);
  while (writing)
    {
      writing = FALSE;
      for (i = 0; i < server->connections->len; i++)
        writing |= ((Client *) g_ptr_array_index (server->connections, i))->writing;
      if (writing)
        g_main_context_iteration (NULL, TRUE);
    }
  g_object_unref (server->cancellable);
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_ptr_array_unref (server->connections);
  g_object_unref (server->service);
  g_bytes_unref (server->reply);
  g_free (server);
}

typedef struct
{
  GBytes      *body;
  GError      *error;
  guint        status;
  gboolean     done;
} Result;

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Result *out = user_data;

  out->body = tsr_http_body_read_finish (SOUP_SESSION (source), result, &out->error);
  out->status = soup_message_get_status (tsr_http_body_get_message (result));
  out->done = TRUE;
}

/* Reads http://127.0.0.1:PORT/ within @max_size and @timeout seconds,
 * iterating the main context (the test fails after 20 s). */
static Result
fetch (Server       *server,
       gsize         max_size,
       guint         timeout,
       GCancellable *cancellable)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/announce", server->port);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  Result result = { 0 };

  soup_session_set_proxy_resolver (session, NULL);
  tsr_http_body_read_async (session, message, max_size, timeout, cancellable, on_read, &result);
  while (!result.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  return result;
}

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->body, g_bytes_unref);
  g_clear_error (&result->error);
}

static void
test_small_body (void)
{
  Server *server = server_new (SEND_ONCE, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", NULL);
  Result result = fetch (server, 1024, 10, NULL);

  g_assert_no_error (result.error);
  g_assert_cmpuint (result.status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (result.body, NULL), g_bytes_get_size (result.body), "hello", 5);
  result_clear (&result);
  server_free (server);
}

static void
test_declared_too_large (void)
{
  /* A gigabyte announced and never sent: refused on the headers alone. */
  static const char declared[] = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\nd8:interval";
  Server *server = server_new (SEND_NOTHING, "", NULL);
  Result result;

  server->mode = SEND_ONCE;
  g_bytes_unref (server->reply);
  server->reply = g_bytes_new_static (declared, sizeof declared - 1);
  result = fetch (server, 2048, 10, NULL);
  g_assert_error (result.error, TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (result.error->message, "too large"));
  result_clear (&result);
  server_free (server);
}

static void
test_endless_chunks (void)
{
  Server *server = server_new (SEND_ENDLESS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", NULL);
  Result result = fetch (server, 64 * 1024, 10, NULL);

  g_assert_error (result.error, TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TOO_LARGE);
  g_assert_null (result.body);
  /* Stopped near the cap, not at the end there never is. */
  g_assert_cmpuint (server->sent, <, 16 * 1024 * 1024);
  result_clear (&result);
  server_free (server);
}

static GBytes *
gzip_zeros (gsize size)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_autofree guint8 *zeros = g_malloc0 (size);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, zeros, size, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static void
test_gzip (void)
{
  g_autoptr(GBytes) bomb = gzip_zeros (4 * 1024 * 1024);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
                                           g_bytes_get_size (bomb));
  Server *server = server_new (SEND_ONCE, head, bomb);
  Result result;

  /* The wire carries 4 KiB; decoded, 4 MiB: over a 1 MiB cap. */
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 64 * 1024);
  result = fetch (server, 1024 * 1024, 10, NULL);
  g_assert_error (result.error, TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TOO_LARGE);
  result_clear (&result);
  /* Under the cap: the decoded bytes come back. */
  result = fetch (server, 8 * 1024 * 1024, 10, NULL);
  g_assert_no_error (result.error);
  g_assert_cmpuint (g_bytes_get_size (result.body), ==, 4 * 1024 * 1024);
  result_clear (&result);
  server_free (server);
}

static void
test_trickle_times_out (void)
{
  Server *server = server_new (SEND_TRICKLE, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", NULL);
  gint64 start = g_get_monotonic_time ();
  Result result;

  result = fetch (server, 1024, 1, NULL);
  g_assert_error (result.error, TSR_HTTP_BODY_ERROR, TSR_HTTP_BODY_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (result.error->message, "took too long"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  result_clear (&result);
  server_free (server);
}

static void
test_error_page_not_read (void)
{
  Server *server = server_new (SEND_ENDLESS, "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n", NULL);
  Result result = fetch (server, 1024, 10, NULL);

  g_assert_no_error (result.error);
  g_assert_cmpuint (result.status, ==, 404);
  g_assert_cmpuint (g_bytes_get_size (result.body), ==, 0);
  result_clear (&result);
  server_free (server);
}

static gboolean
on_cancel (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancelled (void)
{
  Server *server = server_new (SEND_NOTHING, "", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result result;

  g_timeout_add (200, on_cancel, cancellable);
  result = fetch (server, 1024, 10, cancellable);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);
  server_free (server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http-body/small", test_small_body);
  g_test_add_func ("/http-body/declared-too-large", test_declared_too_large);
  g_test_add_func ("/http-body/endless-chunks", test_endless_chunks);
  g_test_add_func ("/http-body/gzip", test_gzip);
  g_test_add_func ("/http-body/trickle-times-out", test_trickle_times_out);
  g_test_add_func ("/http-body/error-page-not-read", test_error_page_not_read);
  g_test_add_func ("/http-body/cancelled", test_cancelled);
  return g_test_run ();
}
