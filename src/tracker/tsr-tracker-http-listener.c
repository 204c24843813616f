/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-http-listener.c: the tracker's HTTP front (see tsr-http.c
 * for why not libsoup's server). It accepts connections on the listening
 * sockets, reads requests with our own HTTP/1.1 reader, keep-alive and
 * pipelining included, answers each in order and sends the answers
 * without blocking. A GET request goes to the server's `request`
 * callback, which routes it; anything else gets 405, and bytes that are
 * no request 400 and the end of the connection. Connections over the
 * limit are refused, idle ones closed.
 */
#define G_LOG_DOMAIN "tsr-tracker"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-tracker-http-listener.h"

typedef struct
{
  TsrTrackerHttpListener *listener;   /* borrowed */
  GSocket                *socket;     /* (owned) listening */
  GSource                *source;     /* (owned) */
} Socket;

struct _TsrTrackerHttpListener
{
  const TsrTrackerHttpListenerFuncs *funcs;
  gpointer                           user_data;     /* borrowed */
  guint                              max_connections;
  guint                              idle_seconds;
  GPtrArray                         *sockets;       /* (owned) (element-type Socket) */
  GHashTable                        *connections;   /* (owned) set of HttpConnection */
};

typedef struct
{
  TsrTrackerHttpListener *listener;    /* borrowed */
  GSocket                *socket;      /* (owned) */
  GSource                *source;      /* (owned) */
  GIOCondition            watching;
  GByteArray             *in;          /* (owned) bytes not yet read as requests */
  GByteArray             *out;         /* (owned) responses not yet sent */
  gsize                   sent;        /* of out */
  gboolean                closing;     /* close once out is sent */
  gint64                  last_active; /* monotonic seconds */
  TsrPeerAddress          peer;
} HttpConnection;

static gboolean on_http_io (GSocket *socket, GIOCondition condition, gpointer user_data);

static void
socket_free (Socket *listening)
{
  g_source_destroy (listening->source);
  g_source_unref (listening->source);
  g_object_unref (listening->socket);
  g_free (listening);
}

static void
http_connection_free (HttpConnection *connection)
{
  g_source_destroy (connection->source);
  g_source_unref (connection->source);
  g_socket_close (connection->socket, NULL);
  g_object_unref (connection->socket);
  g_byte_array_unref (connection->in);
  g_byte_array_unref (connection->out);
  g_free (connection);
}

/* The address as 4 bytes (IPv4, also when mapped into IPv6) or 16. */
static gboolean
peer_address_of (GSocketAddress *address,
                 TsrPeerAddress *peer)
{
  GInetAddress *inet;
  const guint8 *bytes;

  memset (peer, 0, sizeof *peer);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return FALSE;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  bytes = g_inet_address_to_bytes (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4)
    {
      peer->family = 4;
      memcpy (peer->address, bytes, 4);
    }
  else if (g_inet_address_get_is_any (inet) == FALSE && memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
    {
      peer->family = 4;
      memcpy (peer->address, bytes + 12, 4);
    }
  else
    {
      peer->family = 6;
      memcpy (peer->address, bytes, 16);
    }
  peer->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
  return TRUE;
}

static void
http_watch (HttpConnection *connection,
            GIOCondition    condition)
{
  if (connection->source != NULL && connection->watching == condition)
    return;
  if (connection->source != NULL)
    {
      g_source_destroy (connection->source);
      g_source_unref (connection->source);
    }
  connection->watching = condition;
  connection->source = g_socket_create_source (connection->socket, condition, NULL);
  g_source_set_callback (connection->source, (GSourceFunc) (void (*) (void)) on_http_io, connection, NULL);
  g_source_attach (connection->source, NULL);
}

static void
http_close (HttpConnection *connection)
{
  g_hash_table_remove (connection->listener->connections, connection);
}

static void
http_answer (HttpConnection       *connection,
             const TsrHttpRequest *request)
{
  TsrTrackerHttpListener *self = connection->listener;
  g_autoptr(GBytes) body = NULL;
  const char *type = "text/plain";
  guint status = 200;
  const char *reason = "OK";

  if (!request->get)
    {
      status = 405;
      reason = "Method Not Allowed";
      body = g_bytes_new_static ("", 0);
      connection->closing = TRUE;
    }
  else
    body = self->funcs->request (request, &connection->peer, &status, &reason, &type, self->user_data);
  if (!request->keep_alive)
    connection->closing = TRUE;
  tsr_http_write_response (connection->out, status, reason, type, g_bytes_get_data (body, NULL),
                           g_bytes_get_size (body), !connection->closing);
}

/* Sends what is waiting; FALSE when the connection is gone. */
static gboolean
http_flush (HttpConnection *connection)
{
  int fd = g_socket_get_fd (connection->socket);

  while (connection->sent < connection->out->len)
    {
      ssize_t n = send (fd, connection->out->data + connection->sent, connection->out->len - connection->sent,
                        MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          http_watch (connection, G_IO_IN | G_IO_OUT);
          return TRUE;
        }
      if (n <= 0)
        {
          http_close (connection);
          return FALSE;
        }
      connection->sent += (gsize) n;
    }
  g_byte_array_set_size (connection->out, 0);
  connection->sent = 0;
  if (connection->closing)
    {
      http_close (connection);
      return FALSE;
    }
  http_watch (connection, G_IO_IN);
  return TRUE;
}

static gboolean
on_http_io (GSocket      *socket,
            GIOCondition  condition,
            gpointer      user_data)
{
  HttpConnection *connection = user_data;
  int fd = g_socket_get_fd (socket);
  guint8 buffer[16384];
  gsize offset = 0;

  connection->last_active = g_get_monotonic_time () / G_USEC_PER_SEC;
  if (condition & G_IO_IN && !connection->closing)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        {
          http_close (connection);
          return G_SOURCE_REMOVE;
        }
      if (n > 0)
        g_byte_array_append (connection->in, buffer, (guint) n);
    }
  else if (condition & (G_IO_HUP | G_IO_ERR) && !(condition & G_IO_OUT))
    {
      http_close (connection);
      return G_SOURCE_REMOVE;
    }
  /* Every whole request in the buffer (pipelining), in order. */
  while (!connection->closing)
    {
      TsrHttpRequest request;
      gsize consumed = 0;
      TsrHttpResult result = tsr_http_parse_request (connection->in->data + offset, connection->in->len - offset,
                                                     &request, &consumed);

      if (result == TSR_HTTP_NEED_MORE)
        break;
      if (result == TSR_HTTP_BAD)
        {
          connection->closing = TRUE;
          tsr_http_write_response (connection->out, 400, "Bad Request", "text/plain", NULL, 0, FALSE);
          break;
        }
      http_answer (connection, &request);
      offset += consumed;
    }
  if (offset > 0)
    g_byte_array_remove_range (connection->in, 0, (guint) offset);
  if (!http_flush (connection))
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_http_accept (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  TsrTrackerHttpListener *self = user_data;
  guint i;

  for (i = 0; i < 64; i++)
    {
      g_autoptr(GSocket) accepted = g_socket_accept (socket, NULL, NULL);
      g_autoptr(GSocketAddress) remote = NULL;
      HttpConnection *connection;

      if (accepted == NULL)
        break;
      remote = g_socket_get_remote_address (accepted, NULL);
      if (g_hash_table_size (self->connections) >= self->max_connections || remote == NULL)
        {
          g_socket_close (accepted, NULL);
          continue;
        }
      g_socket_set_blocking (accepted, FALSE);
      connection = g_new0 (HttpConnection, 1);
      connection->listener = self;
      connection->socket = g_steal_pointer (&accepted);
      connection->in = g_byte_array_new ();
      connection->out = g_byte_array_new ();
      connection->last_active = g_get_monotonic_time () / G_USEC_PER_SEC;
      peer_address_of (remote, &connection->peer);
      g_hash_table_add (self->connections, connection);
      http_watch (connection, G_IO_IN);
    }
  return G_SOURCE_CONTINUE;
}

void
tsr_tracker_http_listener_close_idle (TsrTrackerHttpListener *self)
{
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (now - ((HttpConnection *) key)->last_active > self->idle_seconds)
      g_hash_table_iter_remove (&iter);
}

TsrTrackerHttpListener *
tsr_tracker_http_listener_new (guint                              max_connections,
                               guint                              idle_seconds,
                               const TsrTrackerHttpListenerFuncs *funcs,
                               gpointer                           user_data)
{
  TsrTrackerHttpListener *self = g_new0 (TsrTrackerHttpListener, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->max_connections = max_connections;
  self->idle_seconds = idle_seconds;
  self->sockets = g_ptr_array_new_with_free_func ((GDestroyNotify) socket_free);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) http_connection_free, NULL);
  return self;
}

void
tsr_tracker_http_listener_free (TsrTrackerHttpListener *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->connections);
  g_ptr_array_unref (self->sockets);
  g_free (self);
}

void
tsr_tracker_http_listener_add_socket (TsrTrackerHttpListener *self,
                                      GSocket                *socket)
{
  Socket *listening = g_new0 (Socket, 1);

  listening->listener = self;
  listening->socket = g_object_ref (socket);
  listening->source = g_socket_create_source (listening->socket, G_IO_IN, NULL);
  g_source_set_callback (listening->source, (GSourceFunc) (void (*) (void)) on_http_accept, self, NULL);
  g_source_attach (listening->source, NULL);
  g_ptr_array_add (self->sockets, listening);
}
