/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-server.c: the HTTP side of the Transmission RPC. The checks go
 * in Transmission's order, so clients see the codes they expect: the
 * client's address (403), the password (401), the Host header (421, the
 * DNS-rebinding guard: localhost names and IP literals always pass), and
 * for the RPC the session id (409 with the id in
 * X-Transmission-Session-Id, which the client then sends back). Bodies
 * larger than the limit are refused from their headers, before they are
 * read (413), as are bodies of unknown length (411).
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-request.h"
#include "tsr-rpc-server.h"

#define RPC_PATH "/transmission/rpc"
#define SESSION_HEADER "X-Transmission-Session-Id"

struct _TsrRpcServer
{
  GObject              parent_instance;
  SoupServer          *server;           /* (owned) */
  GCancellable        *cancellable;      /* (owned) cancelled in dispose: fetches stop */
  TsrRpcContext       *context;          /* (owned) */
  char                *session_id;
  char                *user;
  char                *password;         /* (nullable): no authentication */
  char               **whitelist;        /* (nullable) */
  char               **host_whitelist;   /* (nullable) */
  gsize                max_body;
  TsrRpcStaticHandler  static_handler;
  gpointer             static_data;
  GDestroyNotify       static_destroy;
};

G_DEFINE_FINAL_TYPE (TsrRpcServer, tsr_rpc_server, G_TYPE_OBJECT)

static void
tsr_rpc_server_dispose (GObject *object)
{
  TsrRpcServer *self = TSR_RPC_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->static_destroy != NULL)
    self->static_destroy (self->static_data);
  self->static_destroy = NULL;
  self->static_handler = NULL;
  G_OBJECT_CLASS (tsr_rpc_server_parent_class)->dispose (object);
}

static void
tsr_rpc_server_finalize (GObject *object)
{
  TsrRpcServer *self = TSR_RPC_SERVER (object);

  tsr_rpc_context_free (self->context);
  g_clear_object (&self->cancellable);
  g_free (self->session_id);
  g_free (self->user);
  g_free (self->password);
  g_strfreev (self->whitelist);
  g_strfreev (self->host_whitelist);
  G_OBJECT_CLASS (tsr_rpc_server_parent_class)->finalize (object);
}

static void
tsr_rpc_server_class_init (TsrRpcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_rpc_server_dispose;
  object_class->finalize = tsr_rpc_server_finalize;
}

static void
tsr_rpc_server_init (TsrRpcServer *self)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  guint i;

  self->max_body = TSR_RPC_SERVER_MAX_BODY;
  self->cancellable = g_cancellable_new ();
  self->session_id = g_malloc (49);
  for (i = 0; i < 48; i++)
    self->session_id[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  self->session_id[48] = '\0';
}

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *type,
         const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, type, SOUP_MEMORY_COPY, body, strlen (body));
}

static gboolean
matches_any (char * const *patterns,
             const char   *text)
{
  g_autofree char *folded = g_ascii_strdown (text, -1);
  guint i;

  for (i = 0; patterns != NULL && patterns[i] != NULL; i++)
    {
      g_autofree char *pattern = g_ascii_strdown (patterns[i], -1);

      if (g_pattern_match_simple (pattern, folded))
        return TRUE;
    }
  return FALSE;
}

static gboolean
address_allowed (TsrRpcServer      *self,
                 SoupServerMessage *message)
{
  const char *host = soup_server_message_get_remote_host (message);

  if (host == NULL)
    return FALSE;
  /* An IPv4 client of a dual-stack socket. */
  if (g_str_has_prefix (host, "::ffff:") && strchr (host + 7, '.') != NULL)
    host += 7;
  if (self->whitelist == NULL)
    return g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1");
  return matches_any (self->whitelist, host);
}

static gboolean
host_allowed (TsrRpcServer      *self,
              SoupServerMessage *message)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (message), "Host");
  g_autofree char *host = NULL;
  char *end;

  /* HTTP/1.0 clients may send none; Transmission lets them through. */
  if (header == NULL)
    return TRUE;
  if (header[0] == '[')
    {
      host = g_strdup (header + 1);
      end = strchr (host, ']');
      if (end == NULL)
        return FALSE;
      *end = '\0';
    }
  else
    {
      host = g_strdup (header);
      end = strrchr (host, ':');
      if (end != NULL)
        *end = '\0';
    }
  if (g_hostname_is_ip_address (host))
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;
  return matches_any (self->host_whitelist, host);
}

/* Compares all of both, so the time taken says nothing of where they differ. */
static gboolean
same_secret (const char *a,
             gsize       a_length,
             const char *b)
{
  gsize b_length = strlen (b), i;
  guint8 diff = a_length != b_length;

  for (i = 0; i < a_length; i++)
    diff |= a[i] ^ b[i % MAX (b_length, 1)];
  return diff == 0;
}

static gboolean
authorized (TsrRpcServer      *self,
            SoupServerMessage *message)
{
  const char *header;
  g_autofree guchar *decoded = NULL;
  g_autofree char *expected = NULL;
  gsize length = 0;

  if (self->password == NULL)
    return TRUE;
  header = soup_message_headers_get_one (soup_server_message_get_request_headers (message), "Authorization");
  if (header == NULL || g_ascii_strncasecmp (header, "Basic ", 6) != 0)
    return FALSE;
  decoded = g_base64_decode (header + 6, &length);
  expected = g_strdup_printf ("%s:%s", self->user != NULL ? self->user : "", self->password);
  return decoded != NULL && same_secret ((const char *) decoded, length, expected);
}

/* The checks every path passes; FALSE when @message was answered. */
static gboolean
check_access (TsrRpcServer      *self,
              SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  if (!address_allowed (self, message))
    {
      respond (message, SOUP_STATUS_FORBIDDEN, "text/plain",
               "403: Forbidden\nUnauthorized IP Address. Add it to the daemon's --rpc-whitelist.\n");
      return FALSE;
    }
  if (!authorized (self, message))
    {
      soup_message_headers_replace (headers, "WWW-Authenticate", "Basic realm=\"Transmission\"");
      respond (message, SOUP_STATUS_UNAUTHORIZED, "text/plain", "401: Unauthorized\n");
      return FALSE;
    }
  if (!host_allowed (self, message))
    {
      respond (message, SOUP_STATUS_MISDIRECTED_REQUEST, "text/plain",
               "421: Misdirected Request\nThis Host is not allowed (DNS rebinding guard). "
               "Add it to the daemon's --rpc-host-whitelist.\n");
      return FALSE;
    }
  return TRUE;
}

static void
on_early (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  TsrRpcServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);

  /* Refused before its body is read; the handler checks again. */
  if (!address_allowed (self, message))
    respond (message, SOUP_STATUS_FORBIDDEN, "text/plain", "403: Forbidden\n");
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    respond (message, SOUP_STATUS_LENGTH_REQUIRED, "text/plain", "411: Length Required\n");
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
           soup_message_headers_get_content_length (headers) > (goffset) self->max_body)
    respond (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "application/json",
             "{\"arguments\":{},\"result\":\"request too large\"}");
}

static void
on_reply (char     *reply,
          guint     http_status,
          gpointer  user_data)
{
  g_autoptr(SoupServerMessage) message = user_data;

  /* The body takes the reply's memory: torrent-get of thousands of
   * torrents is a megabyte, not to be copied again. */
  soup_server_message_set_status (message, http_status, NULL);
  soup_server_message_set_response (message, "application/json; charset=UTF-8", SOUP_MEMORY_TAKE, reply,
                                    strlen (reply));
  soup_server_message_unpause (message);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  TsrRpcServer *self = user_data;
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (message);
  const char *method = soup_server_message_get_method (message);
  const char *id;
  SoupMessageBody *body;

  if (!check_access (self, message))
    return;
  /* transmission-remote 3.00 asks for "/transmission/rpc/". */
  if (!g_str_equal (path, RPC_PATH) && !g_str_equal (path, RPC_PATH "/"))
    {
      if (self->static_handler != NULL)
        self->static_handler (message, path, self->static_data);
      else
        respond (message, SOUP_STATUS_NOT_FOUND, "text/plain", "404: Not Found\n");
      return;
    }
  soup_message_headers_replace (response_headers, SESSION_HEADER, self->session_id);
  id = soup_message_headers_get_one (soup_server_message_get_request_headers (message), SESSION_HEADER);
  if (id == NULL || !g_str_equal (id, self->session_id))
    {
      g_autofree char *text = g_strdup_printf ("<h1>409: Conflict</h1><p>Your request had an invalid session-id "
                                               "header.</p><p><code>%s: %s</code></p>",
                                               SESSION_HEADER, self->session_id);

      respond (message, SOUP_STATUS_CONFLICT, "text/html", text);
      return;
    }
  if (!g_str_equal (method, SOUP_METHOD_POST))
    {
      soup_message_headers_replace (response_headers, "Allow", "POST");
      respond (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "405: Method Not Allowed\n");
      return;
    }
  body = soup_server_message_get_request_body (message);
  if ((gsize) body->length > self->max_body)
    {
      respond (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "application/json",
               "{\"arguments\":{},\"result\":\"request too large\"}");
      return;
    }
  /* Held until the reply, which may wait for a fetch. */
  soup_server_message_pause (message);
  tsr_rpc_handle_request_async (self->context, body->data != NULL ? body->data : "", body->length,
                                self->cancellable, on_reply, g_object_ref (message));
}

TsrRpcServer *
tsr_rpc_server_new (TsrRpcContext *context)
{
  TsrRpcServer *self = g_object_new (TSR_TYPE_RPC_SERVER, NULL);
  g_autofree char *header = g_strdup_printf ("Tessera/%s ", PACKAGE_VERSION);

  self->context = context;
  self->server = soup_server_new ("server-header", header, NULL);
  soup_server_add_early_handler (self->server, NULL, on_early, self, NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  return self;
}

TsrRpcContext *
tsr_rpc_server_get_context (TsrRpcServer *self)
{
  return self->context;
}

void
tsr_rpc_server_set_credentials (TsrRpcServer *self,
                                const char   *user,
                                const char   *password)
{
  g_free (self->user);
  g_free (self->password);
  self->user = g_strdup (user);
  self->password = g_strdup (password);
}

void
tsr_rpc_server_set_whitelist (TsrRpcServer       *self,
                              const char * const *patterns)
{
  g_strfreev (self->whitelist);
  self->whitelist = g_strdupv ((char **) patterns);
}

void
tsr_rpc_server_set_host_whitelist (TsrRpcServer       *self,
                                   const char * const *patterns)
{
  g_strfreev (self->host_whitelist);
  self->host_whitelist = g_strdupv ((char **) patterns);
}

void
tsr_rpc_server_set_max_body (TsrRpcServer *self,
                             gsize         max)
{
  self->max_body = max;
}

void
tsr_rpc_server_set_static_handler (TsrRpcServer        *self,
                                   TsrRpcStaticHandler  handler,
                                   gpointer             user_data,
                                   GDestroyNotify       destroy)
{
  if (self->static_destroy != NULL)
    self->static_destroy (self->static_data);
  self->static_handler = handler;
  self->static_data = user_data;
  self->static_destroy = destroy;
}

gboolean
tsr_rpc_server_listen (TsrRpcServer *self,
                       const char   *address,
                       guint16       port,
                       GError      **error)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new_from_string (address, port);

  if (socket_address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not an IP address", address);
      return FALSE;
    }
  return soup_server_listen (self->server, socket_address, 0, error);
}

guint16
tsr_rpc_server_get_port (TsrRpcServer *self)
{
  GSList *uris = soup_server_get_uris (self->server);
  guint16 port = uris != NULL ? g_uri_get_port (uris->data) : 0;

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

void
tsr_rpc_server_disconnect (TsrRpcServer *self)
{
  soup_server_disconnect (self->server);
}
