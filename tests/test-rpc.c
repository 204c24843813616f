/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-rpc.c: the Transmission RPC module without HTTP: the path rule
 * (absolute, no "..", inside the allowed roots, symlinks resolved), ids
 * that stay with their torrents when others go, and the request handler's
 * envelope (tag echoed, errors named, "table" rows matching their header),
 * and the blocklist: session-set of its URL, blocklist-update fetching it
 * (from a local server) and answering its size, session-get telling it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "tsr-rpc-methods.h"
#include "tsr-rpc-request.h"
#include "tsr-test-util.h"

typedef struct
{
  char           *dir;
  char           *root;
  TsrLibrary     *library;
  TsrRpcSettings *settings;
  TsrRpcContext  *context;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *library_dir = NULL;

  f->dir = g_dir_make_tmp ("tsr-rpc-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->root = g_build_filename (f->dir, "downloads", NULL);
  g_assert_cmpint (g_mkdir (f->root, 0700), ==, 0);
  library_dir = g_build_filename (f->dir, "library", NULL);
  f->library = tsr_library_new (library_dir);
  tsr_library_set_use_trackers (f->library, FALSE);
  f->settings = tsr_rpc_settings_new (f->root);
  f->context = tsr_rpc_context_new (f->library, f->settings, f->dir, NULL, NULL);
  f->context->allowed_roots = g_new0 (char *, 2);
  f->context->allowed_roots[0] = g_strdup (f->root);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_rpc_context_free (f->context);
  tsr_library_shutdown (f->library);
  g_object_unref (f->library);
  tsr_rpc_settings_free (f->settings);
  tsr_test_drain ();
  tsr_test_remove_tree (f->dir);
  g_free (f->root);
  g_free (f->dir);
}

/* The reply to @request, parsed; its HTTP status in @status. */
static JsonObject *
ask (Fixture    *f,
     const char *request,
     guint      *status)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint ignored;

  text = tsr_rpc_handle_request (f->context, request, strlen (request), status != NULL ? status : &ignored);
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_paths (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *inside = g_build_filename (f->root, "tv", "show", NULL);
  g_autofree char *dotdot = g_build_filename (f->root, "..", "elsewhere", NULL);
  g_autofree char *sibling = g_strconcat (f->root, "-not", NULL);
  g_autofree char *link = g_build_filename (f->root, "link", NULL);
  g_autofree char *through = g_build_filename (link, "x", NULL);

  g_assert_true (tsr_rpc_context_check_folder (f->context, inside, &error));
  g_assert_no_error (error);
  g_assert_true (tsr_rpc_context_check_folder (f->context, f->root, &error));
  g_assert_false (tsr_rpc_context_check_folder (f->context, "relative/dir", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (tsr_rpc_context_check_folder (f->context, dotdot, &error));
  g_clear_error (&error);
  /* A name that starts like the root is not inside it. */
  g_assert_false (tsr_rpc_context_check_folder (f->context, sibling, &error));
  g_clear_error (&error);
  g_assert_false (tsr_rpc_context_check_folder (f->context, "/etc", &error));
  g_clear_error (&error);
  /* A symlink in the root leading out is out. */
  g_assert_cmpint (symlink (f->dir, link), ==, 0);
  g_assert_false (tsr_rpc_context_check_folder (f->context, through, &error));
  g_clear_error (&error);
  /* A torrent file must be a regular file. */
  g_assert_false (tsr_rpc_context_check_file (f->context, inside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* No roots: any absolute path without "..". */
  g_clear_pointer (&f->context->allowed_roots, g_strfreev);
  g_assert_true (tsr_rpc_context_check_folder (f->context, "/etc", &error));
  g_assert_false (tsr_rpc_context_check_folder (f->context, dotdot, &error));
}

static gint64
add_magnet (Fixture    *f,
            const char *hex)
{
  g_autofree char *request = g_strdup_printf ("{\"method\":\"torrent-add\",\"arguments\":{\"paused\":true,"
                                              "\"filename\":\"magnet:?xt=urn:btih:%s\"}}", hex);
  g_autoptr(JsonObject) reply = ask (f, request, NULL);
  JsonObject *args = json_object_get_object_member (reply, "arguments");

  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  return json_object_get_int_member (json_object_get_object_member (args, "torrent-added"), "id");
}

static void
serve_blocklist (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char body[] = "a:10.0.0.0-10.0.0.255\nb:10.0.1.0-10.0.1.255\n192.0.2.0/24\nmalformed\n";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
on_reply (char     *reply,
          guint     status,
          gpointer  user_data)
{
  *(char **) user_data = reply;
}

static void
test_blocklist (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) server = tsr_test_http_server_new (serve_blocklist, NULL, &base);
  g_autofree char *set = g_strdup_printf ("{\"method\":\"session-set\",\"arguments\":{\"blocklist-enabled\":true,"
                                          "\"blocklist-url\":\"%s/list.p2p\"}}", base);
  const char *update = "{\"method\":\"blocklist-update\",\"tag\":7}";
  const char *get = "{\"method\":\"session-get\",\"arguments\":{\"fields\":[\"blocklist-enabled\","
                    "\"blocklist-size\",\"blocklist-url\"]}}";
  g_autoptr(JsonObject) before = ask (f, update, NULL);
  g_autoptr(JsonObject) bad = ask (f, "{\"method\":\"session-set\",\"arguments\":{\"blocklist-url\":\"/etc/x\"}}", NULL);
  g_autoptr(JsonObject) set_reply = NULL;
  g_autoptr(JsonObject) got = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *url = g_strconcat (base, "/list.p2p", NULL);
  JsonObject *reply, *args;

  /* Waits for its fetch: the synchronous handler says so. */
  g_assert_cmpstr (json_object_get_string_member (before, "result"), ==, "blocklist-update is answered by the server only");
  g_assert_cmpstr (json_object_get_string_member (bad, "result"), ==, "blocklist-url must be an http or https URL");
  set_reply = ask (f, set, NULL);
  g_assert_cmpstr (json_object_get_string_member (set_reply, "result"), ==, "success");
  tsr_rpc_handle_request_async (f->context, update, strlen (update), NULL, on_reply, &text);
  TSR_TEST_WAIT_UNTIL (text != NULL, 20, "the blocklist-update reply");
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  reply = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (reply, "tag"), ==, 7);
  args = json_object_get_object_member (reply, "arguments");
  /* a and b are adjacent: merged. */
  g_assert_cmpint (json_object_get_int_member (args, "blocklist-size"), ==, 2);

  got = ask (f, get, NULL);
  args = json_object_get_object_member (got, "arguments");
  g_assert_true (json_object_get_boolean_member (args, "blocklist-enabled"));
  g_assert_cmpint (json_object_get_int_member (args, "blocklist-size"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (args, "blocklist-url"), ==, url);
  /* Kept in the config folder, for the next start. */
  g_assert_true (g_file_test (f->dir, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *kept = g_build_filename (f->dir, "blocklists", NULL);

    g_assert_true (g_file_test (kept, G_FILE_TEST_IS_DIR));
  }
}

static void
test_ids_stable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) again = NULL;
  JsonArray *torrents;

  g_assert_cmpint (add_magnet (f, "0101010101010101010101010101010101010101"), ==, 1);
  g_assert_cmpint (add_magnet (f, "0202020202020202020202020202020202020202"), ==, 2);
  reply = ask (f, "{\"method\":\"torrent-remove\",\"arguments\":{\"ids\":[1]}}", NULL);
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  tsr_test_drain ();
  /* Never given again, and the second keeps its number. */
  g_assert_cmpint (add_magnet (f, "0303030303030303030303030303030303030303"), ==, 3);
  again = ask (f, "{\"method\":\"torrent-get\",\"arguments\":{\"fields\":[\"id\",\"hashString\"]}}", NULL);
  torrents = json_object_get_array_member (json_object_get_object_member (again, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (torrents), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (torrents, 0), "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (torrents, 0), "hashString"), ==,
                   "0202020202020202020202020202020202020202");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (torrents, 1), "id"), ==, 3);
}

static void
test_envelope (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(JsonObject) unknown = NULL;
  g_autoptr(JsonObject) table = NULL;
  g_autoptr(JsonObject) session = NULL;
  JsonArray *rows;
  guint status = 0;

  bad = ask (f, "{\"method\":", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (bad, "result"), !=, "success");
  unknown = ask (f, "{\"method\":\"nope\",\"tag\":42}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (unknown, "result"), ==, "method name not recognized");
  g_assert_cmpint (json_object_get_int_member (unknown, "tag"), ==, 42);

  add_magnet (f, "0404040404040404040404040404040404040404");
  /* An unknown field is left out of the header and of every row. */
  table = ask (f, "{\"method\":\"torrent-get\",\"arguments\":{\"format\":\"table\",\"fields\":[\"id\",\"bogus\",\"status\"]}}",
               NULL);
  rows = json_object_get_array_member (json_object_get_object_member (table, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 0)), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (rows, 0), 1), ==, "status");
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 1)), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (rows, 1), 1), ==, 0);

  session = ask (f, "{\"method\":\"session-get\",\"arguments\":{\"fields\":[\"version\",\"rpc-version\"]}}", NULL);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (session, "arguments"),
                                                                  "version"), "3.00 (Tessera "));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (session, "arguments")), ==, 2);
}

/* json-glib cuts a string at \u0000 without a word: torrent-rename-path
 * finds the escape in the request's text instead. */
static void
test_escaped_nul (void)
{
  static const struct { const char *json; gboolean nul; } cases[] = {
    { "{\"name\":\"x\\u0000/../y\"}", TRUE },
    { "{\"name\":\"\\u0000\"}", TRUE },
    { "{\"name\":\"x\\\\u0000\"}", FALSE },         /* an escaped backslash, then text */
    { "{\"name\":\"x\\\"\\u0000\"}", TRUE },         /* after an escaped quote */
    { "{\"name\":\"x\\u00001\"}", TRUE },
    { "{\"name\":\"x\\u0001\"}", FALSE },
    { "{\"u0000\":1}", FALSE },
    { "{\"name\":\"x\\u000", FALSE },                /* cut short */
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (tsr_rpc_json_has_escaped_nul (cases[i].json, strlen (cases[i].json)), ==, cases[i].nul);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/rpc/paths", Fixture, NULL, fixture_set_up, test_paths, fixture_tear_down);
  g_test_add ("/rpc/ids-stable", Fixture, NULL, fixture_set_up, test_ids_stable, fixture_tear_down);
  g_test_add ("/rpc/blocklist", Fixture, NULL, fixture_set_up, test_blocklist, fixture_tear_down);
  g_test_add ("/rpc/envelope", Fixture, NULL, fixture_set_up, test_envelope, fixture_tear_down);
  g_test_add_func ("/rpc/escaped-nul", test_escaped_nul);
  return g_test_run ();
}
