/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-remote-control.c: the app's in-process Transmission RPC (under
 * Xvfb), driven as a person would, through the Remote Control page of the
 * preferences window, and as a remote client would, over HTTP with
 * SoupSession on 127.0.0.1: the switch starts the server on the app's
 * library (session-get answers 409 then 200, torrent-get lists the app's
 * torrent, torrent-stop stops it in the app's library), and turning it
 * off closes the port. With authentication, a wrong or missing password
 * gets 401 and the password lands in a 0600 file, not in GSettings. A
 * port already taken shows its error on the page and nothing crashes;
 * the web interface is served at / until it is turned off, and
 * session-close turns the remote control off, not the app. The text
 * fields are TsrEntryRow (a GtkEntry a screen reader hears, labelled by
 * the row's title): a change from the settings shows no apply button,
 * typing does, Enter saves; the password field hides its text until
 * its "Show the Password" button is on.
 */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "tsr-app-test-util.h"
#include "tsr-entry-row.h"
#include "tsr-preferences-window.h"
#include "tsr-remote-control.h"
#include "tsr-remote-page.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the page's template). */
GResource *tsr_get_resource (void);

typedef struct
{
  TsrAppTestLibrary app;
  TsrTorrent       *torrent;   /* borrowed: the library's */
  GSettings        *settings;  /* (owned) */
  char             *config;    /* (owned) where the password is kept */
  TsrRemoteControl *remote;    /* (owned) */
  GtkWidget        *window;    /* the preferences window, with the page */
  TsrRemotePage    *page;      /* borrowed: the window's */
  SoupSession      *session;   /* (owned) */
  char             *session_id; /* (owned) (nullable) the last 409's */
} Fixture;

static const char *rpc_keys[] = {
  "rpc-enabled", "rpc-port", "rpc-bind-address", "rpc-auth-required", "rpc-username",
  "rpc-whitelist", "rpc-host-whitelist", "web-interface-enabled",
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;
  g_autofree char *file = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  guint i;

  tsr_app_test_library_init (&fixture->app, "tsr-remote");
  root = g_build_filename (fixture->app.dir, "Remote Alpha", NULL);
  file = g_strconcat (root, ".torrent", NULL);
  tsr_test_write_file (root, "a.bin", 20000, 7);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  tsr_test_write_torrent_file (info, file);
  fixture->torrent = tsr_app_test_library_add (&fixture->app, file);

  /* The memory backend outlives a test: each starts from the defaults. */
  fixture->settings = g_settings_new (APP_ID);
  for (i = 0; i < G_N_ELEMENTS (rpc_keys); i++)
    g_settings_reset (fixture->settings, rpc_keys[i]);
  g_settings_set_value (fixture->settings, "rpc-port", g_variant_new_uint16 (0));
  fixture->config = g_build_filename (fixture->app.dir, "config", NULL);
  fixture->remote = tsr_remote_control_new (fixture->settings, fixture->app.library, fixture->config);
  fixture->window = tsr_preferences_window_new (fixture->settings, NULL);
  fixture->page = TSR_REMOTE_PAGE (tsr_remote_page_new (fixture->settings, fixture->remote));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (fixture->window), ADW_PREFERENCES_PAGE (fixture->page));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (fixture->window),
                                           ADW_PREFERENCES_PAGE (fixture->page));
  gtk_window_present (GTK_WINDOW (fixture->window));
  fixture->session = soup_session_new ();
  soup_session_set_proxy_resolver (fixture->session, NULL);
  soup_session_set_timeout (fixture->session, 10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->remote);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->settings);
  g_free (fixture->session_id);
  g_free (fixture->config);
  tsr_test_drain ();
  tsr_app_test_library_clear (&fixture->app);
}

static GtkWidget *
page_widget (Fixture    *fixture,
             const char *id)
{
  GtkWidget *widget = tsr_app_test_find_widget (GTK_WIDGET (fixture->page), id);

  g_assert_nonnull (widget);
  return widget;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GBytes **body = user_data;
  g_autoptr(GError) error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* Sends @message and runs the main loop (the server is this process)
 * until the answer is in; returns its body. */
static GBytes *
send (Fixture     *fixture,
      SoupMessage *message)
{
  GBytes *body = NULL;
  TsrTestDeadline deadline;

  tsr_test_deadline_start (&deadline, 10000);
  soup_session_send_and_read_async (fixture->session, message, G_PRIORITY_DEFAULT, NULL, on_read, &body);
  while (body == NULL && !deadline.expired)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
  g_assert_nonnull (body);
  return body;
}

/* POSTs @request to /transmission/rpc with the session id last given
 * and @auth ("user:password") if any; returns the status, the reply's
 * JSON in @reply when asked. */
static guint
post (Fixture     *fixture,
      const char  *request,
      const char  *auth,
      JsonObject **reply)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/transmission/rpc",
                                          tsr_remote_control_get_port (fixture->remote));
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  g_autoptr(GBytes) request_body = g_bytes_new (request, strlen (request));
  g_autoptr(GBytes) body = NULL;
  const char *id;

  soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  if (fixture->session_id != NULL)
    soup_message_headers_replace (headers, "X-Transmission-Session-Id", fixture->session_id);
  if (auth != NULL)
    {
      g_autofree char *encoded = g_base64_encode ((const guchar *) auth, strlen (auth));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
    }
  body = send (fixture, message);
  id = soup_message_headers_get_one (soup_message_get_response_headers (message), "X-Transmission-Session-Id");
  if (soup_message_get_status (message) == SOUP_STATUS_CONFLICT)
    {
      g_assert_nonnull (id);
      g_free (fixture->session_id);
      fixture->session_id = g_strdup (id);
    }
  if (reply != NULL && soup_message_get_status (message) == SOUP_STATUS_OK)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      gsize length = 0;
      const char *data = g_bytes_get_data (body, &length);

      json_parser_load_from_data (parser, data, (gssize) length, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      *reply = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  return soup_message_get_status (message);
}

/* The request's reply, after the 409 handshake if needed; asserts
 * "success". */
static JsonObject *
call (Fixture    *fixture,
      const char *request,
      const char *auth)
{
  JsonObject *reply = NULL;
  guint status = post (fixture, request, auth, &reply);

  if (status == SOUP_STATUS_CONFLICT)
    status = post (fixture, request, auth, &reply);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  return reply;
}

/* The torrent's info hash in hex, as "hashString" has it. */
static char *
hash_string (TsrTorrent *torrent)
{
  const guint8 *hash = tsr_torrent_get_info_hash (torrent);
  GString *text = g_string_new (NULL);
  guint i;

  for (i = 0; i < 20; i++)
    g_string_append_printf (text, "%02x", hash[i]);
  return g_string_free (text, FALSE);
}

static gboolean
port_open (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, &error);
  if (connection == NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  return connection != NULL;
}

static void
test_serves_library (Fixture       *fixture,
                     gconstpointer  unused)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *stop = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *named = NULL;
  g_autofree char *hash = hash_string (fixture->torrent);
  JsonArray *torrents;
  JsonObject *torrent;
  const char *subtitle;
  guint port;

  /* Off by default: nothing listens. */
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (page_widget (fixture, "status_row"))), ==, "Off");
  g_assert_false (gtk_widget_get_sensitive (page_widget (fixture, "open_button")));

  gtk_switch_set_active (GTK_SWITCH (page_widget (fixture, "rpc-enabled")), TRUE);
  g_assert_true (g_settings_get_boolean (fixture->settings, "rpc-enabled"));
  g_assert_true (tsr_remote_control_get_running (fixture->remote));
  port = tsr_remote_control_get_port (fixture->remote);
  g_assert_cmpuint (port, >, 0);
  g_assert_null (tsr_remote_control_get_error (fixture->remote));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (page_widget (fixture, "status_row")));
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/", port);
    g_autofree char *page_uri = tsr_remote_page_dup_uri (fixture->page);

    g_assert_nonnull (strstr (subtitle, uri));
    g_assert_cmpstr (page_uri, ==, uri);
  }
  g_assert_true (gtk_widget_get_sensitive (page_widget (fixture, "open_button")));

  /* The handshake: no id, 409 with one; with it, 200. */
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", NULL, NULL), ==, SOUP_STATUS_CONFLICT);
  g_assert_nonnull (fixture->session_id);
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\",\"tag\":5}", NULL, &reply), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (reply, "tag"), ==, 5);
  g_clear_pointer (&reply, json_object_unref);

  /* The app's own torrent, by name and hash. */
  reply = call (fixture, "{\"method\":\"torrent-get\",\"arguments\":{\"fields\":[\"id\",\"name\",\"hashString\"]}}",
                NULL);
  torrents = json_object_get_array_member (json_object_get_object_member (reply, "arguments"), "torrents");
  g_assert_cmpuint (json_array_get_length (torrents), ==, 1);
  torrent = json_array_get_object_element (torrents, 0);
  g_assert_cmpstr (json_object_get_string_member (torrent, "name"), ==, "Remote Alpha");
  g_assert_cmpstr (json_object_get_string_member (torrent, "hashString"), ==, hash);
  g_clear_pointer (&reply, json_object_unref);

  /* Started by the app, stopped by the remote: the app's library sees it. */
  tsr_library_start (fixture->app.library, fixture->torrent);
  g_assert_cmpint (tsr_torrent_get_state (fixture->torrent), !=, TSR_TORRENT_STOPPED);
  stop = g_strdup_printf ("{\"method\":\"torrent-stop\",\"arguments\":{\"ids\":[\"%s\"]}}", hash);
  reply = call (fixture, stop, NULL);
  g_assert_cmpint (tsr_torrent_get_state (fixture->torrent), ==, TSR_TORRENT_STOPPED);

  g_clear_pointer (&reply, json_object_unref);

  /* session-set lands in the app's preferences (kB/s to KiB/s), and a
   * value out of the key's range is left out. */
  g_settings_set_uint (fixture->settings, "max-peers-global", 321);
  reply = call (fixture, "{\"method\":\"session-set\",\"arguments\":{\"speed-limit-down\":100,"
                "\"speed-limit-down-enabled\":true,\"peer-limit-global\":4000000000}}", NULL);
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "download-rate-limit"), ==, 98);
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "max-peers-global"), ==, 321);
  /* The app's own GSettings still writes through at once. */
  g_assert_false (g_settings_get_has_unapplied (fixture->settings));
  g_settings_set_uint (fixture->settings, "download-rate-limit", 0);
  {
    g_autoptr(GSettings) other = g_settings_new (APP_ID);

    g_assert_cmpuint (g_settings_get_uint (other, "download-rate-limit"), ==, 0);
  }

  /* The blocklist: a file of the app's own is no URL to a client ("")
   * and stays through a session-set; a URL the client names lands in
   * the key, as does the switch. */
  g_clear_pointer (&reply, json_object_unref);
  g_settings_set_string (fixture->settings, "blocklist-url", "/srv/lists/level1.p2p");
  reply = call (fixture, "{\"method\":\"session-get\"}", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply, "arguments"), "blocklist-url"),
                   ==, "");
  g_clear_pointer (&reply, json_object_unref);
  reply = call (fixture, "{\"method\":\"session-set\",\"arguments\":{\"blocklist-enabled\":true}}", NULL);
  g_assert_true (g_settings_get_boolean (fixture->settings, "blocklist-enabled"));
  kept = g_settings_get_string (fixture->settings, "blocklist-url");
  g_assert_cmpstr (kept, ==, "/srv/lists/level1.p2p");
  g_clear_pointer (&reply, json_object_unref);
  reply = call (fixture, "{\"method\":\"session-set\",\"arguments\":{\"blocklist-enabled\":false,"
                "\"blocklist-url\":\"https://lists.example/level1.gz\"}}", NULL);
  g_assert_false (g_settings_get_boolean (fixture->settings, "blocklist-enabled"));
  named = g_settings_get_string (fixture->settings, "blocklist-url");
  g_assert_cmpstr (named, ==, "https://lists.example/level1.gz");
  g_settings_reset (fixture->settings, "blocklist-url");

  /* Off: the port is closed. */
  g_assert_true (port_open (port));
  gtk_switch_set_active (GTK_SWITCH (page_widget (fixture, "rpc-enabled")), FALSE);
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_false (port_open (port));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (page_widget (fixture, "status_row"))), ==, "Off");
}

static void
test_authentication (Fixture       *fixture,
                     gconstpointer  unused)
{
  g_autofree char *path = g_build_filename (fixture->config, "rpc-password", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) reply = NULL;
  GStatBuf info;
  TsrTestDeadline deadline;
  GtkEditable *user = GTK_EDITABLE (page_widget (fixture, "user_row"));
  GtkEditable *password = GTK_EDITABLE (page_widget (fixture, "password_row"));

  /* Asked for a password without one: the page says so, nothing runs. */
  g_settings_set_boolean (fixture->settings, "rpc-auth-required", TRUE);
  g_settings_set_boolean (fixture->settings, "rpc-enabled", TRUE);
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_nonnull (tsr_remote_control_get_error (fixture->remote));

  gtk_editable_set_text (user, "alice");
  g_signal_emit_by_name (user, "apply");
  g_assert_cmpstr (g_settings_get_string (fixture->settings, "rpc-username"), ==, "alice");
  gtk_editable_set_text (password, "s3cret pass");
  g_signal_emit_by_name (password, "apply");
  g_assert_true (tsr_remote_control_has_password (fixture->remote));
  g_assert_true (tsr_remote_control_get_running (fixture->remote));
  g_assert_null (tsr_remote_control_get_error (fixture->remote));

  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", "alice:wrong", NULL), ==,
                    SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", "mallory:s3cret pass", NULL), ==,
                    SOUP_STATUS_UNAUTHORIZED);
  reply = call (fixture, "{\"method\":\"session-get\"}", "alice:s3cret pass");

  /* Saved in the background, readable by the user only. */
  tsr_test_deadline_start (&deadline, 5000);
  while (!deadline.expired && !g_file_test (path, G_FILE_TEST_EXISTS))
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
  tsr_test_run_for (100);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "s3cret pass");

  /* A restart reads it back. */
  g_clear_object (&fixture->remote);
  fixture->remote = tsr_remote_control_new (fixture->settings, fixture->app.library, fixture->config);
  g_assert_true (tsr_remote_control_get_running (fixture->remote));
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", "alice:wrong", NULL), ==,
                    SOUP_STATUS_UNAUTHORIZED);
  g_clear_pointer (&reply, json_object_unref);
  reply = call (fixture, "{\"method\":\"session-get\"}", "alice:s3cret pass");
}

static void
test_port_taken (Fixture       *fixture,
                 gconstpointer  unused)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *status = page_widget (fixture, "status_row");
  guint16 port;

  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (page_widget (fixture, "rpc-port")), port);
  gtk_switch_set_active (GTK_SWITCH (page_widget (fixture, "rpc-enabled")), TRUE);
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_nonnull (tsr_remote_control_get_error (fixture->remote));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (status)), ==,
                   tsr_remote_control_get_error (fixture->remote));
  g_assert_true (gtk_widget_has_css_class (status, "error"));
  g_assert_false (gtk_widget_get_sensitive (page_widget (fixture, "open_button")));

  /* A bad address is an error too. */
  g_settings_set_value (fixture->settings, "rpc-port", g_variant_new_uint16 (0));
  g_settings_set_string (fixture->settings, "rpc-bind-address", "not-an-address");
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_true (gtk_widget_has_css_class (status, "error"));

  /* Fixed: it runs and the error goes. */
  gtk_editable_set_text (GTK_EDITABLE (page_widget (fixture, "bind_row")), "127.0.0.1");
  g_signal_emit_by_name (page_widget (fixture, "bind_row"), "apply");
  g_assert_true (tsr_remote_control_get_running (fixture->remote));
  g_assert_null (tsr_remote_control_get_error (fixture->remote));
  g_assert_false (gtk_widget_has_css_class (status, "error"));
}

static guint
get_status (Fixture    *fixture,
            const char *path)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", tsr_remote_control_get_port (fixture->remote), path);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GBytes) body = send (fixture, message);

  return soup_message_get_status (message);
}

static void
test_web_interface (Fixture       *fixture,
                    gconstpointer  unused)
{
  g_autoptr(JsonObject) reply = NULL;

  g_settings_set_boolean (fixture->settings, "rpc-enabled", TRUE);
  g_assert_cmpuint (get_status (fixture, "/"), ==, SOUP_STATUS_OK);
  gtk_switch_set_active (GTK_SWITCH (page_widget (fixture, "web-interface-enabled")), FALSE);
  g_assert_false (gtk_widget_get_sensitive (page_widget (fixture, "open_button")));
  g_assert_cmpuint (get_status (fixture, "/"), ==, SOUP_STATUS_NOT_FOUND);
  /* The RPC itself stays. */
  g_assert_cmpuint (post (fixture, "{\"method\":\"session-get\"}", NULL, NULL), ==, SOUP_STATUS_CONFLICT);

  /* session-close turns the remote control off, not the app. */
  reply = call (fixture, "{\"method\":\"session-close\"}", NULL);
  tsr_test_run_for (500);
  g_assert_false (g_settings_get_boolean (fixture->settings, "rpc-enabled"));
  g_assert_false (tsr_remote_control_get_running (fixture->remote));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (page_widget (fixture, "rpc-enabled"))));
}

/* The button under @row whose icon is @icon_name. */
static GtkWidget *
find_icon_button (GtkWidget  *row,
                  const char *icon_name)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (row, GTK_TYPE_BUTTON, buttons);
  for (i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_icon_name (g_ptr_array_index (buttons, i)), icon_name) == 0)
      return g_ptr_array_index (buttons, i);
  g_error ("no button with the icon %s", icon_name);
}

static void
test_entry_rows (Fixture       *fixture,
                 gconstpointer  unused)
{
  GtkWidget *user_row = page_widget (fixture, "user_row");
  GtkWidget *password_row = page_widget (fixture, "password_row");
  GtkWidget *user = tsr_entry_row_get_entry (TSR_ENTRY_ROW (user_row));
  GtkWidget *password = tsr_entry_row_get_entry (TSR_ENTRY_ROW (password_row));
  GtkWidget *apply = find_icon_button (user_row, "object-select-symbolic");
  GtkWidget *reveal = find_icon_button (password_row, "view-reveal-symbolic");

  /* A plain entry, which the row activates (a click on it focuses it). */
  g_assert_true (GTK_IS_ENTRY (user));
  g_assert_true (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (user_row)) == user);
  g_assert_true (gtk_widget_get_hexpand (user));

  /* Set from the settings: the field follows, no apply button. */
  g_settings_set_string (fixture->settings, "rpc-username", "bob");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (user)), ==, "bob");
  g_assert_false (gtk_widget_get_visible (apply));

  /* Typed: the apply button shows; Enter saves and hides it. */
  adw_action_row_activate (ADW_ACTION_ROW (user_row));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (fixture->window)), user));
  gtk_editable_set_text (GTK_EDITABLE (user), "carol");
  g_assert_true (gtk_widget_get_visible (apply));
  g_assert_cmpstr (g_settings_get_string (fixture->settings, "rpc-username"), ==, "bob");
  g_signal_emit_by_name (user, "activate");
  g_assert_cmpstr (g_settings_get_string (fixture->settings, "rpc-username"), ==, "carol");
  g_assert_false (gtk_widget_get_visible (apply));

  /* The password is hidden until its button shows it. */
  g_assert_true (gtk_widget_get_visible (reveal));
  g_assert_false (gtk_widget_get_visible (find_icon_button (user_row, "view-reveal-symbolic")));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (password)));
  g_assert_cmpint (gtk_entry_get_input_purpose (GTK_ENTRY (password)), ==, GTK_INPUT_PURPOSE_PASSWORD);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (reveal), TRUE);
  g_assert_true (gtk_entry_get_visibility (GTK_ENTRY (password)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (reveal), FALSE);
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (password)));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add ("/app/remote-control/serves-library", Fixture, NULL, fixture_set_up, test_serves_library,
              fixture_tear_down);
  g_test_add ("/app/remote-control/authentication", Fixture, NULL, fixture_set_up, test_authentication,
              fixture_tear_down);
  g_test_add ("/app/remote-control/port-taken", Fixture, NULL, fixture_set_up, test_port_taken,
              fixture_tear_down);
  g_test_add ("/app/remote-control/web-interface", Fixture, NULL, fixture_set_up, test_web_interface,
              fixture_tear_down);
  g_test_add ("/app/remote-control/entry-rows", Fixture, NULL, fixture_set_up, test_entry_rows,
              fixture_tear_down);
  return g_test_run ();
}
