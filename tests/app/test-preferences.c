/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-preferences.c: the preferences window (under Xvfb) keeps each row
 * bound to its GSettings key both ways, as a template could silently
 * lose: each row is found by its title, a value set in GSettings shows
 * in its switch, spin button or choice, and a value set in the widget is
 * saved to the key. Every row of the window is in the table below, so a
 * row added without a test fails here too. The download folder row shows
 * the key's folder (and the watched folder's row its own), and the
 * window is modal. The schedule's times read
 * as hours and minutes, its days are a toggle a day (Monday first) in
 * step with the key's bitmask, and its rows wait for the schedule.
 * The Blocklist group, over a session's blocklist: a local list set as
 * the source is read, its rules and malformed lines are shown, the
 * session blocks the addresses in it (and, turned off, none), "Update
 * Now" reads the file again, and a missing file is told in the row.
 * The listening port: 0 (the first start) becomes a random port in the
 * dynamic range, kept from then on, and "Randomize" picks another.
 */
#include "config.h"

#include <adwaita.h>

#include <glib/gstdio.h>

#include "tsr-app-test-util.h"
#include "tsr-app-util.h"
#include "tsr-preferences-window.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the window's template). */
GResource *tsr_get_resource (void);

/* Each row: its title, its key, a value for the key (GVariant text) and
 * what the widget shows for it, then a value set in the widget and the
 * key's value that follows (as text). The values differ from the
 * defaults, so that a row bound to nothing fails. */
static const struct
{
  const char *title;
  const char *key;
  const char *to_key;
  double      shown;     /* a switch's 0 or 1, a spin button's value, a choice's index */
  double      to_widget;
  const char *saved;
} rows[] = {
  { "Ask Before Adding", "ask-where-to-save", "false", 0, 1, "true" },
  { "Add Torrents Stopped", "start-paused", "true", 1, 0, "false" },
  { "Notify When Done", "notify-on-complete", "false", 0, 1, "true" },
  { "One Notification for Several", "notify-summary", "false", 0, 1, "true" },
  { "Run in the Background", "run-in-background", "true", 1, 0, "false" },
  { "Log Length", "log-history", "uint32 1234", 1234, 250, "uint32 250" },
  { "Listening Port", "listen-port", "uint16 6881", 6881, 51500, "uint16 51500" },
  { "Peers per Torrent", "max-peers-per-torrent", "uint32 33", 33, 44, "uint32 44" },
  { "Peers in All", "max-peers-global", "uint32 333", 333, 444, "uint32 444" },
  { "Find Peers on the Local Network", "local-discovery", "false", 0, 1, "true" },
  { "Find Peers through the DHT", "dht", "false", 0, 1, "true" },
  { "Forward the Port on the Router", "port-mapping", "false", 0, 1, "true" },
  { "Block Listed Peers", "blocklist-enabled", "true", 1, 0, "false" },
  { "Update Every (Hours)", "blocklist-update-interval", "uint32 48", 48, 6, "uint32 6" },
  { "Downloads at Once", "download-queue-size", "uint32 3", 3, 7, "uint32 7" },
  { "Seeds at Once", "seed-queue-size", "uint32 4", 4, 9, "uint32 9" },
  { "Encryption", "encryption", "'require'", 1, 2, "'off'" },
  { "Transports", "transports", "'utp'", 1, 2, "'tcp'" },
  { "Download Limit (KiB/s)", "download-rate-limit", "uint32 120", 120, 340, "uint32 340" },
  { "Upload Limit (KiB/s)", "upload-rate-limit", "uint32 56", 56, 78, "uint32 78" },
  { "Stop Seeding at Ratio", "max-ratio", "1.5", 1.5, 2.25, "2.25" },
  { "Add Torrents from a Folder", "watch-folder-enabled", "true", 1, 0, "false" },
  { "Once Added", "watch-folder-after", "'delete'", 1, 0, "'rename'" },
  { "Alternative Download Limit (KiB/s)", "alt-speed-down", "uint32 120", 120, 340, "uint32 340" },
  { "Alternative Upload Limit (KiB/s)", "alt-speed-up", "uint32 56", 56, 78, "uint32 78" },
  { "On a Schedule", "alt-speed-time-enabled", "true", 1, 0, "false" },
  { "From", "alt-speed-time-begin", "uint32 480", 480, 600, "uint32 600" },
  { "Until", "alt-speed-time-end", "uint32 1080", 1080, 1200, "uint32 1200" },
};

static AdwActionRow *
find_row (GtkWidget  *window,
          const char *title)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  AdwActionRow *row = NULL;
  guint i;

  tsr_app_test_collect (window, ADW_TYPE_ACTION_ROW, found);
  for (i = 0; i < found->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (found, i)), title) == 0)
      {
        g_assert_null (row);   /* one row of that title */
        row = g_ptr_array_index (found, i);
      }
  if (row == NULL)
    g_error ("no row titled “%s”", title);
  return row;
}

/* What the row shows, as a number; sets it first when @set is not NULL. */
static double
row_value (AdwActionRow *row,
           const double *set)
{
  g_autoptr(GPtrArray) switches = g_ptr_array_new ();
  GtkWidget *widget;

  if (ADW_IS_COMBO_ROW (row))
    {
      if (set != NULL)
        adw_combo_row_set_selected (ADW_COMBO_ROW (row), (guint) *set);
      return adw_combo_row_get_selected (ADW_COMBO_ROW (row));
    }
  tsr_app_test_collect (GTK_WIDGET (row), GTK_TYPE_SWITCH, switches);
  if (switches->len > 0)
    {
      widget = tsr_app_test_find_one (GTK_WIDGET (row), GTK_TYPE_SWITCH);
      if (set != NULL)
        gtk_switch_set_active (GTK_SWITCH (widget), *set != 0);
      return gtk_switch_get_active (GTK_SWITCH (widget)) ? 1 : 0;
    }
  widget = tsr_app_test_find_one (GTK_WIDGET (row), GTK_TYPE_SPIN_BUTTON);
  if (set != NULL)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), *set);
  return gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget));
}

static void
test_rows_follow_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GPtrArray) all_rows = g_ptr_array_new ();
  GtkWidget *window = tsr_preferences_window_new (settings, NULL);
  guint i;

  g_object_get (settings, "settings-schema", &schema, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (window)));
  for (i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, rows[i].key);
      g_autoptr(GVariant) value = g_variant_parse (g_settings_schema_key_get_value_type (key), rows[i].to_key, NULL,
                                                   NULL, NULL);
      g_autoptr(GVariant) saved = NULL;
      g_autofree char *saved_text = NULL;
      AdwActionRow *row = find_row (window, rows[i].title);

      g_test_message ("%s (%s)", rows[i].title, rows[i].key);
      g_assert_nonnull (value);
      g_assert_true (g_settings_set_value (settings, rows[i].key, value));
      g_assert_cmpfloat_with_epsilon (row_value (row, NULL), rows[i].shown, 1e-9);
      g_assert_cmpfloat_with_epsilon (row_value (row, &rows[i].to_widget), rows[i].to_widget, 1e-9);
      saved = g_settings_get_value (settings, rows[i].key);
      saved_text = g_variant_print (saved, TRUE);
      g_assert_cmpstr (saved_text, ==, rows[i].saved);
      g_settings_reset (settings, rows[i].key);
    }

  /* Every row is one of those, or the two folders', the days', the
   * blocklist's source (a TsrEntryRow is an action row) or its status. */
  tsr_app_test_collect (window, ADW_TYPE_ACTION_ROW, all_rows);
  g_assert_cmpuint (all_rows->len, ==, G_N_ELEMENTS (rows) + 5);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The folder row shows the key's folder, and follows it. */
static void
test_folder_row (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *window;
  AdwActionRow *row;

  g_settings_set_string (settings, "download-folder", "/srv/first");
  window = tsr_preferences_window_new (settings, NULL);
  row = find_row (window, "Download Folder");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "/srv/first");
  g_settings_set_string (settings, "download-folder", "/srv/second");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "/srv/second");
  /* The row's button chooses the folder. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (tsr_app_test_find_one (GTK_WIDGET (row), GTK_TYPE_BUTTON))), ==,
                   "_Choose…");
  g_settings_reset (settings, "download-folder");
  /* Likewise the watched folder's, which says when there is none. */
  row = find_row (window, "Watched Folder");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "None chosen");
  g_settings_set_string (settings, "watch-folder", "/srv/watched");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "/srv/watched");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (tsr_app_test_find_one (GTK_WIDGET (row), GTK_TYPE_BUTTON))), ==,
                   "_Choose…");
  g_settings_reset (settings, "watch-folder");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_schedule_rows (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) days = g_ptr_array_new ();
  GtkWidget *window = tsr_preferences_window_new (settings, NULL);
  AdwActionRow *from = find_row (window, "From");
  AdwActionRow *days_row = find_row (window, "Days");
  GtkWidget *spin = tsr_app_test_find_one (GTK_WIDGET (from), GTK_TYPE_SPIN_BUTTON);
  guint i;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (days_row)));
  g_settings_set_boolean (settings, "alt-speed-time-enabled", TRUE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (days_row)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (from)));

  /* 9:30 reads as such, and typed so it is saved in minutes. */
  g_settings_set_uint (settings, "alt-speed-time-begin", 9 * 60 + 30);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "09:30");
  gtk_editable_set_text (GTK_EDITABLE (spin), "21:45");
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  g_assert_cmpuint (g_settings_get_uint (settings, "alt-speed-time-begin"), ==, 21 * 60 + 45);

  tsr_app_test_collect (GTK_WIDGET (days_row), GTK_TYPE_TOGGLE_BUTTON, days);
  g_assert_cmpuint (days->len, ==, 7);
  /* Weekdays: Monday to Friday on, Saturday and Sunday off. */
  g_settings_set_uint (settings, "alt-speed-time-day", 0x3e);
  for (i = 0; i < 7; i++)
    g_assert_cmpint (gtk_toggle_button_get_active (g_ptr_array_index (days, i)), ==, i < 5);
  /* Sunday (the last) toggled on: bit 0. */
  gtk_toggle_button_set_active (g_ptr_array_index (days, 6), TRUE);
  g_assert_cmpuint (g_settings_get_uint (settings, "alt-speed-time-day"), ==, 0x3f);
  gtk_toggle_button_set_active (g_ptr_array_index (days, 0), FALSE);
  g_assert_cmpuint (g_settings_get_uint (settings, "alt-speed-time-day"), ==, 0x3d);

  g_settings_reset (settings, "alt-speed-time-enabled");
  g_settings_reset (settings, "alt-speed-time-begin");
  g_settings_reset (settings, "alt-speed-time-day");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
blocks (TsrBlocklist *blocklist,
        const char   *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return tsr_blocklist_blocks (blocklist, &address);
}

/* Until the list read or updated is in (ten seconds at most). */
static void
wait_idle (TsrBlocklistSettings *glue)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* Reading starts at once: busy first, then done. */
  while (tsr_blocklist_settings_get_busy (glue))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_blocklist (void)
{
  static const char list[] =
    "# a P2P list: comments and blank lines are not rules\n"
    "\n"
    "first:10.1.0.0-10.1.255.255\n"
    "overlapping:10.1.128.0-10.2.0.255\n"   /* merged with the first */
    "documentation:192.0.2.0-192.0.2.255\n"
    "one address:198.51.100.7-198.51.100.7\n"
    "this line is no range\n";
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrSession) session = tsr_session_new ();
  TsrBlocklist *blocklist = tsr_session_get_blocklist (session);
  g_autofree char *dir = g_dir_make_tmp ("tessera-blocklist-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "list.p2p", NULL);
  g_autofree char *more = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(TsrBlocklistSettings) glue = NULL;
  GtkWidget *window;
  GtkWidget *source_row;
  GtkWidget *button;
  AdwActionRow *status;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (path, list, -1, NULL));
  glue = tsr_blocklist_settings_new (settings, blocklist, dir);
  window = tsr_preferences_window_new (settings, glue);
  gtk_window_present (GTK_WINDOW (window));
  status = find_row (window, "Rules Loaded");
  source_row = tsr_app_test_find_widget (window, "source_row");
  button = tsr_app_test_find_widget (window, "update_button");
  g_assert_nonnull (source_row);
  g_assert_nonnull (button);
  g_assert_cmpstr (adw_action_row_get_subtitle (status), ==, "No list chosen");
  g_assert_false (gtk_widget_get_sensitive (button));

  /* Off, a source is not read yet; on, it is, off the main loop. */
  gtk_editable_set_text (GTK_EDITABLE (source_row), path);
  g_signal_emit_by_name (source_row, "apply");
  g_assert_false (tsr_blocklist_settings_get_busy (glue));
  g_assert_cmpuint (tsr_blocklist_settings_get_n_rules (glue), ==, 0);
  row_value (find_row (window, "Block Listed Peers"), (const double[]) { 1 });
  g_assert_true (g_settings_get_boolean (settings, "blocklist-enabled"));
  g_assert_true (tsr_blocklist_settings_get_busy (glue));
  g_assert_cmpstr (adw_action_row_get_subtitle (status), ==, "Reading the list…");
  wait_idle (glue);
  g_assert_null (tsr_blocklist_settings_get_error (glue));
  g_assert_cmpstr (adw_action_row_get_subtitle (status), ==, "3 rules; malformed lines skipped: 1");
  g_assert_true (gtk_widget_get_sensitive (button));

  /* The session refuses what the list holds, and nothing else. */
  g_assert_true (blocks (blocklist, "10.1.200.1:6881"));
  g_assert_true (blocks (blocklist, "10.2.0.255:1"));
  g_assert_false (blocks (blocklist, "10.2.1.0:1"));
  g_assert_true (blocks (blocklist, "198.51.100.7:51413"));
  g_assert_false (blocks (blocklist, "198.51.100.8:51413"));
  g_assert_false (blocks (blocklist, "127.0.0.1:6881"));

  /* Off: nothing is refused; the rules stay loaded, and shown. */
  g_settings_set_boolean (settings, "blocklist-enabled", FALSE);
  g_assert_false (blocks (blocklist, "10.1.200.1:6881"));
  g_assert_cmpstr (adw_action_row_get_subtitle (status), ==, "3 rules; malformed lines skipped: 1");
  g_settings_set_boolean (settings, "blocklist-enabled", TRUE);
  g_assert_false (tsr_blocklist_settings_get_busy (glue));   /* not read again */
  g_assert_true (blocks (blocklist, "10.1.200.1:6881"));

  /* The same file as a URI is the same source: not read again. */
  more = g_strconcat (list, "added:203.0.113.0-203.0.113.9\n", NULL);
  g_assert_true (g_file_set_contents (path, more, -1, NULL));
  uri = g_filename_to_uri (path, NULL, NULL);
  g_settings_set_string (settings, "blocklist-url", uri);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (source_row)), ==, uri);
  g_assert_false (tsr_blocklist_settings_get_busy (glue));
  g_assert_false (blocks (blocklist, "203.0.113.5:1"));
  /* "Update Now" reads it again: a fourth rule, in force. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (tsr_blocklist_settings_get_busy (glue));
  g_assert_false (gtk_widget_get_sensitive (button));
  wait_idle (glue);
  g_assert_cmpstr (adw_action_row_get_subtitle (status), ==, "4 rules; malformed lines skipped: 1");
  g_assert_true (blocks (blocklist, "203.0.113.5:1"));
  g_assert_false (blocks (blocklist, "203.0.113.10:1"));

  /* Off, another source: the old rules go, not to pass for its own. */
  g_settings_set_boolean (settings, "blocklist-enabled", FALSE);
  missing = g_build_filename (dir, "missing.p2p", NULL);
  g_settings_set_string (settings, "blocklist-url", missing);
  g_assert_false (tsr_blocklist_settings_get_busy (glue));
  g_assert_cmpuint (tsr_blocklist_settings_get_n_rules (glue), ==, 0);
  /* On, it is read: a missing file is said in the row, in the error style. */
  g_settings_set_boolean (settings, "blocklist-enabled", TRUE);
  wait_idle (glue);
  g_assert_nonnull (tsr_blocklist_settings_get_error (glue));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (status), "Not loaded: "));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status), "error"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "blocklist-enabled");
  g_settings_reset (settings, "blocklist-url");
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (dir));
}

static guint16
port_key (GSettings *settings)
{
  g_autoptr(GVariant) port = g_settings_get_value (settings, "listen-port");

  return g_variant_get_uint16 (port);
}

static void
test_random_port (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *window = tsr_preferences_window_new (settings, NULL);
  GtkWidget *spin = tsr_app_test_find_one (GTK_WIDGET (find_row (window, "Listening Port")), GTK_TYPE_SPIN_BUTTON);
  GtkWidget *button = tsr_app_test_find_widget (window, "randomize_button");
  guint16 first;
  guint i;

  /* The first start: unset (0) becomes a port of the dynamic range. */
  g_assert_nonnull (button);
  g_assert_cmpuint (port_key (settings), ==, 0);
  first = tsr_ensure_listen_port (settings);
  g_assert_cmpuint (first, >=, TSR_SESSION_RANDOM_PORT_MIN);
  g_assert_cmpuint (port_key (settings), ==, first);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, first);
  /* Kept at the next start. */
  g_assert_cmpuint (tsr_ensure_listen_port (settings), ==, first);

  /* Randomize: another, shown (a draw may repeat one in 16384: a few). */
  for (i = 0; i < 4 && port_key (settings) == first; i++)
    g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (port_key (settings), !=, first);
  g_assert_cmpuint (port_key (settings), >=, TSR_SESSION_RANDOM_PORT_MIN);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, port_key (settings));

  /* A port chosen by hand stays, in or out of that range. */
  g_settings_set_value (settings, "listen-port", g_variant_new_uint16 (6881));
  g_assert_cmpuint (tsr_ensure_listen_port (settings), ==, 6881);
  g_settings_reset (settings, "listen-port");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/preferences/rows-follow-settings", test_rows_follow_settings);
  g_test_add_func ("/preferences/folder-row", test_folder_row);
  g_test_add_func ("/preferences/schedule-rows", test_schedule_rows);
  g_test_add_func ("/preferences/blocklist", test_blocklist);
  g_test_add_func ("/preferences/random-port", test_random_port);
  return g_test_run ();
}
