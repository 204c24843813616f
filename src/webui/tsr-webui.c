/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-webui.c: serves the web interface's files from the GResource
 * compiled into the binary. Only the files in the table below are ever
 * served, whatever the resource holds, so no request path reaches a
 * resource lookup. GET and HEAD only (libsoup sends no body for HEAD).
 * Every answer says what the page may load: its own origin and nothing
 * else (Content-Security-Policy), which the page keeps to: no inline
 * script or style, no fetch but the RPC.
 */
#define G_LOG_DOMAIN "tsr-webui"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tsr-webui.h"
#include "tsr-webui-resources.h"

#define TSR_WEBUI_RESOURCE "/io/github/tessera/Tessera/webui/"

/* Same origin for scripts, styles, the icon and the RPC; no plugins, no
 * framing (clickjacking the Remove button), no base or form targets. */
#define TSR_WEBUI_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
                      "img-src 'self'; connect-src 'self'; base-uri 'none'; " \
                      "form-action 'none'; frame-ancestors 'none'"

typedef struct
{
  const char *path;           /* the request path */
  const char *resource;       /* its file in the resource */
  const char *content_type;
} TsrWebuiFile;

static const TsrWebuiFile files[] = {
  { "/",            "index.html",  "text/html; charset=utf-8" },
  { "/index.html",  "index.html",  "text/html; charset=utf-8" },
  { "/tessera.js",  "tessera.js",  "text/javascript; charset=utf-8" },
  { "/tessera.css", "tessera.css", "text/css; charset=utf-8" },
  { "/tessera.svg", "tessera.svg", "image/svg+xml" },
};

static void
set_common_headers (SoupMessageHeaders *headers)
{
  soup_message_headers_replace (headers, "Content-Security-Policy", TSR_WEBUI_CSP);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  /* The files change with the program: a browser asks again each time
   * (they are small) rather than run an old script against a new RPC. */
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
}

static void
set_error (SoupServerMessage *msg,
           guint              status,
           const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

/**
 * tsr_webui_serve:
 * @msg: a request the caller has not answered
 * @path: its path
 *
 * Answers @msg with the web interface's file at @path, or with 404 (no
 * such file) or 405 (neither GET nor HEAD). For a server that dispatches
 * paths itself; tsr_webui_add_handler() is the usual way.
 *
 * Returns: TRUE when a file was served, FALSE when @msg got an error.
 */
gboolean
tsr_webui_serve (SoupServerMessage *msg,
                 const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const TsrWebuiFile *file = NULL;
  g_autofree char *resource_path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  set_common_headers (headers);
  if (g_strcmp0 (method, SOUP_METHOD_GET) != 0 && g_strcmp0 (method, SOUP_METHOD_HEAD) != 0)
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      set_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                 _("Only GET and HEAD requests are answered here"));
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    if (g_str_equal (path, files[i].path))
      file = &files[i];
  if (file == NULL)
    {
      set_error (msg, SOUP_STATUS_NOT_FOUND, _("There is no such page"));
      return FALSE;
    }

  resource_path = g_strconcat (TSR_WEBUI_RESOURCE, file->resource, NULL);
  bytes = g_resource_lookup_data (tsr_webui_get_resource (), resource_path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      /* The table and the .gresource.xml disagree: a build fault. */
      g_critical ("%s: %s", resource_path, error->message);
      set_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, _("The web interface is missing a file"));
      return FALSE;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", file->content_type);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  return TRUE;
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  tsr_webui_serve (msg, path);
}

/**
 * tsr_webui_add_handler:
 * @server: the server to serve the web interface on
 *
 * Serves the web interface at `/` of @server. The handler takes every
 * path no more specific handler takes (libsoup picks the longest
 * prefix), so the RPC's `/transmission/rpc` handler keeps its own.
 * Authentication, Host and address checks are the server's: an auth
 * domain covering `/` guards these files as it guards the RPC.
 */
void
tsr_webui_add_handler (SoupServer *server)
{
  g_return_if_fail (SOUP_IS_SERVER (server));

  soup_server_add_handler (server, "/", on_request, NULL, NULL);
}
