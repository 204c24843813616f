/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-webui.c: the web interface's files served by tsr-webui.c on a real
 * SoupServer on 127.0.0.1, fetched with a SoupSession: each file with its
 * type and the same bytes as the resource, the security and cache
 * headers, HEAD without a body, 404 for every other path (resource names,
 * dot segments), 405 for other methods, a more specific handler (the
 * RPC's) left alone, and every file the page links to being served.
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "tsr-webui.h"

typedef struct
{
  SoupServer  *server;
  SoupSession *session;
  char        *base;     /* http://127.0.0.1:PORT */
} Fixture;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;    /* (owned) */
  GBytes             *body;       /* (owned) */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
on_rpc (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->server = soup_server_new (NULL, NULL);
  tsr_webui_add_handler (fixture->server);
  /* As the daemon will: the RPC beside the pages. */
  soup_server_add_handler (fixture->server, "/transmission/rpc", on_rpc, NULL, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fixture->session = soup_session_new ();
  /* Straight to 127.0.0.1: no proxy lookup (libproxy's C++ under ASan). */
  soup_session_set_proxy_resolver (fixture->session, NULL);
  soup_session_set_timeout (fixture->session, 10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->base, g_free);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The server runs in this thread's main context, so the request is sent
 * asynchronously and the context turns until it is answered. */
static void
fetch (Fixture    *fixture,
       const char *method,
       const char *path,
       Reply      *reply)
{
  g_autofree char *uri = g_strconcat (fixture->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, on_read, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply->body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
}

static GBytes *
resource (const char *name)
{
  g_autofree char *path = g_strconcat ("/io/github/tessera/Tessera/webui/", name, NULL);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
assert_security_headers (SoupMessageHeaders *headers)
{
  const char *csp = soup_message_headers_get_one (headers, "Content-Security-Policy");

  g_assert_nonnull (csp);
  g_assert_nonnull (strstr (csp, "default-src 'none'"));
  g_assert_nonnull (strstr (csp, "script-src 'self'"));
  g_assert_nonnull (strstr (csp, "connect-src 'self'"));
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
  g_assert_null (strstr (csp, "unsafe-inline"));
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Content-Type-Options"), ==, "nosniff");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-cache");
}

static void
test_files (Fixture       *fixture,
            gconstpointer  data)
{
  static const struct { const char *path, *resource, *type; } cases[] = {
    { "/", "index.html", "text/html; charset=utf-8" },
    { "/index.html", "index.html", "text/html; charset=utf-8" },
    { "/tessera.js", "tessera.js", "text/javascript; charset=utf-8" },
    { "/tessera.css", "tessera.css", "text/css; charset=utf-8" },
    { "/tessera.svg", "tessera.svg", "image/svg+xml" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Reply) reply = { 0 };
      g_autoptr(GBytes) expected = resource (cases[i].resource);

      fetch (fixture, "GET", cases[i].path, &reply);
      g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
      g_assert_cmpstr (soup_message_headers_get_one (reply.headers, "Content-Type"), ==, cases[i].type);
      g_assert_true (g_bytes_equal (reply.body, expected));
      g_assert_cmpuint (g_bytes_get_size (reply.body), >, 100);
      assert_security_headers (reply.headers);
    }
}

static void
test_head (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };
  g_autoptr(GBytes) expected = resource ("tessera.js");

  fetch (fixture, "HEAD", "/tessera.js", &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (g_bytes_get_size (reply.body), ==, 0);
  g_assert_cmpint (soup_message_headers_get_content_length (reply.headers), ==, g_bytes_get_size (expected));
  g_assert_cmpstr (soup_message_headers_get_one (reply.headers, "Content-Type"), ==,
                   "text/javascript; charset=utf-8");
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  static const char *const paths[] = {
    "/nothing", "/index.htm", "/tessera.js/", "/TESSERA.JS", "/tessera-webui.gresource.xml",
    "/io/github/tessera/Tessera/webui/index.html", "/webui/index.html", "/%2e%2e/%2e%2e/etc/passwd",
    "/transmission/web/", "//",
  };
  g_auto(Reply) nul = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto(Reply) reply = { 0 };

      g_test_message ("GET %s", paths[i]);
      fetch (fixture, "GET", paths[i], &reply);
      g_assert_cmpuint (reply.status, ==, SOUP_STATUS_NOT_FOUND);
      g_assert_cmpstr (soup_message_headers_get_one (reply.headers, "Content-Type"), ==,
                       "text/plain; charset=utf-8");
      g_assert_cmpuint (g_bytes_get_size (reply.body), >, 0);
      assert_security_headers (reply.headers);
    }

  /* libsoup itself refuses a NUL in the path before any handler. */
  fetch (fixture, "GET", "/index.html%00", &nul);
  g_assert_cmpuint (nul.status, ==, SOUP_STATUS_BAD_REQUEST);
}

static void
test_methods (Fixture       *fixture,
              gconstpointer  data)
{
  static const char *const methods[] = { "POST", "PUT", "DELETE", "OPTIONS" };

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_auto(Reply) reply = { 0 };

      fetch (fixture, methods[i], "/", &reply);
      g_assert_cmpuint (reply.status, ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
      g_assert_cmpstr (soup_message_headers_get_one (reply.headers, "Allow"), ==, "GET, HEAD");
    }
}

static void
test_rpc_untouched (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };

  fetch (fixture, "POST", "/transmission/rpc", &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_NO_CONTENT);
  g_assert_null (soup_message_headers_get_one (reply.headers, "Content-Security-Policy"));
}

/* Every src= and href= of the page names a file the server serves. */
static void
test_links_served (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) page = resource ("index.html");
  g_autofree char *html = g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
  g_autoptr(GRegex) regex = g_regex_new ("(?:src|href)=\"([^\"]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint links = 0;

  g_regex_match (regex, html, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *target = g_match_info_fetch (match, 1);
      g_autofree char *path = g_strconcat ("/", target, NULL);
      g_auto(Reply) reply = { 0 };

      g_assert_false (g_str_has_prefix (target, "http"));   /* nothing from elsewhere */
      fetch (fixture, "GET", path, &reply);
      g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
      links++;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (links, ==, 3);
  /* CSP without 'unsafe-inline': the page has no inline script or style. */
  g_assert_null (strstr (html, "<script>"));
  g_assert_null (strstr (html, "style="));
  g_assert_null (strstr (html, "<style"));
  g_assert_false (g_regex_match_simple ("\\son[a-z]+\\s*=", html, G_REGEX_CASELESS, 0));   /* onclick= */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/webui/files", Fixture, NULL, fixture_set_up, test_files, fixture_tear_down);
  g_test_add ("/webui/head", Fixture, NULL, fixture_set_up, test_head, fixture_tear_down);
  g_test_add ("/webui/not-found", Fixture, NULL, fixture_set_up, test_not_found, fixture_tear_down);
  g_test_add ("/webui/methods", Fixture, NULL, fixture_set_up, test_methods, fixture_tear_down);
  g_test_add ("/webui/rpc-untouched", Fixture, NULL, fixture_set_up, test_rpc_untouched, fixture_tear_down);
  g_test_add ("/webui/links-served", Fixture, NULL, fixture_set_up, test_links_served, fixture_tear_down);

  return g_test_run ();
}
