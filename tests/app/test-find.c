/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-find.c: finding and organising in the main window (under Xvfb):
 * the sidebar's counts follow a torrent's state and labels one torrent
 * at a time (the All row is not touched by a state change: nothing is
 * recounted), a host row goes with its last torrent, and the chosen row
 * filters the list, which follows state changes; the search filters by name, label: and tracker:, through
 * the same filter and filtered model all along, told MORE_STRICT or
 * LESS_STRICT as the text grows or shrinks; Escape closes and clears
 * it; labels set through the Labels dialog show in the list's Labels
 * column at once and come back, counted and shown, in a window over a
 * library reloaded from disk; the sidebar's toggle follows the setting
 * in every window, and a closed window's lets go of it.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-label-chooser.h"
#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-torrent-group.h"
#include "tsr-window.h"

/* A .torrent of @name (a folder of one file, @seed) announcing to @tracker. */
static char *
write_torrent (const char *dir,
               const char *name,
               guint       seed,
               const char *tracker)
{
  g_autofree char *root = g_build_filename (dir, name, NULL);
  g_autofree char *file_name = g_strconcat (name, ".torrent", NULL);
  char *path = g_build_filename (dir, file_name, NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  gsize length = 0;
  const char *bytes;

  tsr_test_write_file (root, "a.bin", 20000, seed);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  bytes = g_bytes_get_data (info->info_bytes, &length);
  g_string_append_printf (file, "d8:announce%zu:%s4:info", strlen (tracker), tracker);
  g_string_append_len (file, bytes, (gssize) length);
  g_string_append_c (file, 'e');
  g_assert_true (g_file_set_contents (path, file->str, (gssize) file->len, NULL));
  tsr_test_remove_tree (root);
  return path;
}

typedef struct
{
  TsrAppTestLibrary app;
  TsrTorrent       *ubuntu;    /* borrowed: the library's */
  TsrTorrent       *debian;    /* borrowed: the library's */
} Fixture;

static void
open_window (Fixture *fixture)
{
  tsr_app_test_library_open_window (&fixture->app);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *ubuntu = NULL;
  g_autofree char *debian = NULL;

  tsr_app_test_library_init (&fixture->app, "tsr-find");
  ubuntu = write_torrent (fixture->app.dir, "Ubuntu ISO", 1, "http://tracker.ubuntu.example:6969/announce");
  debian = write_torrent (fixture->app.dir, "Debian DVD", 2, "udp://bttracker.debian.example:6881");
  fixture->ubuntu = tsr_app_test_library_add (&fixture->app, ubuntu);
  fixture->debian = tsr_app_test_library_add (&fixture->app, debian);
  open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_app_test_library_clear (&fixture->app);
}

/* The sidebar row titled @title, and its count (-1 when there is none). */
static int
count_of (TsrWindow  *window,
          const char *title)
{
  GListModel *groups = tsr_window_get_groups (window);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(TsrTorrentGroup) group = g_list_model_get_item (groups, i);

      if (g_str_equal (tsr_torrent_group_get_title (group), title))
        return (int) tsr_torrent_group_get_count (group);
    }
  return -1;
}

static guint
position_of (TsrWindow  *window,
             const char *title)
{
  GListModel *groups = tsr_window_get_groups (window);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr(TsrTorrentGroup) group = g_list_model_get_item (groups, i);

      if (g_str_equal (tsr_torrent_group_get_title (group), title))
        return i;
    }
  g_assert_not_reached ();
}

static void
on_count_notify (GObject    *group,
                 GParamSpec *pspec,
                 guint      *notified)
{
  (*notified)++;
}

static gboolean
is_stopped (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_STOPPED;
}

/* The eight state rows and one per tracker host, counted; a started
 * torrent leaves Stopped for another state's row, and the All row hears
 * nothing of it. */
static void
test_sidebar_counts (Fixture       *fixture,
                     gconstpointer  unused)
{
  TsrWindow *window = fixture->app.window;
  GListModel *groups = tsr_window_get_groups (window);
  g_autoptr(TsrTorrentGroup) all = g_list_model_get_item (groups, 0);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint all_notified = 0;

  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 8 + 2);
  g_assert_cmpstr (tsr_torrent_group_get_title (all), ==, "All");
  g_assert_cmpint (count_of (window, "All"), ==, 2);
  g_assert_cmpint (count_of (window, "Stopped"), ==, 2);
  g_assert_cmpint (count_of (window, "Downloading"), ==, 0);
  g_assert_cmpint (count_of (window, "Active"), ==, 0);
  /* Hosts, sorted, after the states. */
  g_assert_cmpint (count_of (window, "bttracker.debian.example"), ==, 1);
  g_assert_cmpint (count_of (window, "tracker.ubuntu.example"), ==, 1);
  g_assert_cmpuint (position_of (window, "bttracker.debian.example"), ==, 8);

  g_signal_connect (all, "notify::count", G_CALLBACK (on_count_notify), &all_notified);
  tsr_library_start (fixture->app.library, fixture->ubuntu);
  while (is_stopped (fixture->ubuntu) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (is_stopped (fixture->ubuntu));
  g_assert_cmpint (count_of (window, "Stopped"), ==, 1);
  g_assert_cmpint (count_of (window, "Downloading") + count_of (window, "Checking") +
                   count_of (window, "Seeding") + count_of (window, "Queued"), ==, 1);
  tsr_library_stop (fixture->app.library, fixture->ubuntu);
  g_assert_cmpint (count_of (window, "Stopped"), ==, 2);
  g_assert_cmpint (count_of (window, "Downloading") + count_of (window, "Checking"), ==, 0);
  g_assert_cmpint (count_of (window, "All"), ==, 2);
  g_assert_cmpuint (all_notified, ==, 0);
  /* The rows read as their title and count. */
  {
    GtkWidget *list = tsr_app_test_find_widget (GTK_WIDGET (window), "sidebar_list");
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), (int) position_of (window, "Stopped"));

    g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                       "Stopped, 2 torrents"));
  }
  g_signal_handlers_disconnect_by_data (all, &all_notified);

  /* With Stopped chosen, a torrent that starts leaves the list soon after
   * (the filter looks again at most twice a second). */
  tsr_window_show_group (window, position_of (window, "Stopped"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 2);
  tsr_library_start (fixture->app.library, fixture->debian);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))) != 1 &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 1);
  tsr_library_stop (fixture->app.library, fixture->debian);

  /* Choosing a row filters the list. */
  tsr_window_show_group (window, position_of (window, "tracker.ubuntu.example"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 1);
  tsr_window_show_group (window, position_of (window, "Downloading"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 0);
  tsr_window_show_group (window, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 2);

  /* A removed torrent's host row goes with it; the chosen row going
   * brings All back. */
  tsr_window_show_group (window, position_of (window, "bttracker.debian.example"));
  tsr_library_remove (fixture->app.library, fixture->debian, FALSE);
  g_assert_cmpint (count_of (window, "bttracker.debian.example"), ==, -1);
  g_assert_cmpint (count_of (window, "All"), ==, 1);
  g_assert_cmpint (count_of (window, "Stopped"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (groups), ==, 8 + 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window))), ==, 1);
}

typedef struct
{
  GtkFilterChange last;
  guint           changes;
} Changes;

static void
on_filter_changed (GtkFilter       *filter,
                   GtkFilterChange  change,
                   Changes         *changes)
{
  changes->last = change;
  changes->changes++;
}

static guint
n_shown (TsrWindow *window)
{
  return g_list_model_get_n_items (G_LIST_MODEL (tsr_window_get_filtered (window)));
}

static char *
dup_first_name (TsrWindow *window)
{
  g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (tsr_window_get_filtered (window)), 0);

  return g_strdup (tsr_torrent_get_name (torrent));
}

/* Each prefix filters; each keystroke changes the one filter the one
 * filtered model has had from the start, more strictly as the text grows
 * and less as it shrinks. */
static void
test_search (Fixture       *fixture,
             gconstpointer  unused)
{
  TsrWindow *window = fixture->app.window;
  GtkFilterListModel *filtered = tsr_window_get_filtered (window);
  GtkFilter *filter = gtk_filter_list_model_get_filter (filtered);
  const char *labels[] = { "Linux", "Server", NULL };
  Changes changes = { 0 };
  g_autofree char *name = NULL;
  GtkWidget *focus;

  g_signal_connect (filter, "changed", G_CALLBACK (on_filter_changed), &changes);
  tsr_library_set_labels (fixture->app.library, fixture->debian, labels);
  g_assert_cmpuint (n_shown (window), ==, 2);

  /* By name: case-insensitive, any part. */
  tsr_window_set_search (window, "u");
  g_assert_cmpint (changes.last, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (n_shown (window), ==, 1);
  tsr_window_set_search (window, "ubu");
  g_assert_cmpint (changes.last, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  tsr_window_set_search (window, "UBUNTU i");
  g_assert_cmpint (changes.last, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (n_shown (window), ==, 1);
  name = dup_first_name (window);
  g_assert_cmpstr (name, ==, "Ubuntu ISO");
  tsr_window_set_search (window, "UBUNTU");
  g_assert_cmpint (changes.last, ==, GTK_FILTER_CHANGE_LESS_STRICT);
  tsr_window_set_search (window, "xyz");
  g_assert_cmpuint (n_shown (window), ==, 0);

  /* By label, and by tracker host. */
  tsr_window_set_search (window, "label:serv");
  g_assert_cmpuint (n_shown (window), ==, 1);
  g_clear_pointer (&name, g_free);
  name = dup_first_name (window);
  g_assert_cmpstr (name, ==, "Debian DVD");
  tsr_window_set_search (window, "label:servers");
  g_assert_cmpint (changes.last, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (n_shown (window), ==, 0);
  tsr_window_set_search (window, "tracker:ubuntu.example");
  g_assert_cmpuint (n_shown (window), ==, 1);
  g_clear_pointer (&name, g_free);
  name = dup_first_name (window);
  g_assert_cmpstr (name, ==, "Ubuntu ISO");
  tsr_window_set_search (window, "tracker:example dvd");
  g_assert_cmpuint (n_shown (window), ==, 1);
  g_clear_pointer (&name, g_free);
  name = dup_first_name (window);
  g_assert_cmpstr (name, ==, "Debian DVD");

  /* Never a new filter or model: the same ones took every keystroke. */
  g_assert_true (tsr_window_get_filtered (window) == filtered);
  g_assert_true (gtk_filter_list_model_get_filter (filtered) == filter);
  g_assert_cmpuint (changes.changes, >=, 9);

  /* Ctrl+F's action focuses the entry; Escape there closes and clears. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.find", NULL));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (GTK_IS_EDITABLE (focus));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY));
  g_signal_emit_by_name (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY), "stop-search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (focus)), ==, "");
  g_assert_cmpuint (n_shown (window), ==, 2);
  g_signal_handlers_disconnect_by_data (filter, &changes);
}

/* Labels given through the Labels dialog: counted in the sidebar at once,
 * and again in a new window over a library read back from disk. */
static void
test_labels_persist (Fixture       *fixture,
                     gconstpointer  unused)
{
  GtkWidget *dialog;
  GtkWidget *chooser;
  g_autoptr(TsrTorrent) restored = NULL;
  const char * const *labels;

  g_assert_null (tsr_window_open_labels_dialog (fixture->app.window));
  tsr_window_show (fixture->app.window, 0, "overview");
  dialog = tsr_window_open_labels_dialog (fixture->app.window);
  g_assert_nonnull (dialog);
  chooser = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  tsr_label_chooser_set_new_text (TSR_LABEL_CHOOSER (chooser), "Films, 2026 ,");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (count_of (fixture->app.window, "Films"), ==, 1);
  g_assert_cmpint (count_of (fixture->app.window, "2026"), ==, 1);
  /* The list's Labels column follows at once. */
  g_assert_true (tsr_app_test_wait_for_text (GTK_WIDGET (fixture->app.window), "Films, 2026"));

  /* The other torrent too, through the same dialog: Films now counts two. */
  tsr_window_show (fixture->app.window, 1, "overview");
  dialog = tsr_window_open_labels_dialog (fixture->app.window);
  chooser = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  tsr_label_chooser_set (TSR_LABEL_CHOOSER (chooser), "Films", TRUE, FALSE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (count_of (fixture->app.window, "Films"), ==, 2);

  /* A restart: the window goes, the library is saved and read again. */
  tsr_app_test_library_reload (&fixture->app);
  open_window (fixture);
  g_assert_cmpint (count_of (fixture->app.window, "All"), ==, 2);
  g_assert_cmpint (count_of (fixture->app.window, "Films"), ==, 2);
  g_assert_cmpint (count_of (fixture->app.window, "2026"), ==, 1);
  g_assert_true (tsr_app_test_wait_for_text (GTK_WIDGET (fixture->app.window), "Films, 2026"));
  tsr_window_set_search (fixture->app.window, "label:2026");
  g_assert_cmpuint (n_shown (fixture->app.window), ==, 1);
  restored = g_list_model_get_item (G_LIST_MODEL (tsr_window_get_filtered (fixture->app.window)), 0);
  labels = tsr_library_get_labels (fixture->app.library, restored);
  g_assert_cmpstr (labels[0], ==, "Films");
  g_assert_cmpstr (labels[1], ==, "2026");
  g_assert_null (labels[2]);
}

static gboolean
action_state (TsrWindow  *window,
              const char *name)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window), name);

  return g_variant_get_boolean (state);
}

/* The sidebar's toggle is the window's own action over "show-sidebar":
 * it writes the setting, every window follows, and a closed window lets
 * go of the setting even while something still holds it (GLib 2.74's
 * g_settings_create_action () did not, and warned on the next change:
 * warnings are fatal here). */
static void
test_sidebar_action_after_close (Fixture       *fixture,
                                 gconstpointer  unused)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  AdwFlap *flap = ADW_FLAP (tsr_app_test_find_widget (GTK_WIDGET (fixture->app.window), "flap"));
  TsrWindow *second;

  g_settings_reset (settings, "show-sidebar");
  g_assert_true (action_state (fixture->app.window, "show-sidebar"));
  g_assert_true (adw_flap_get_reveal_flap (flap));
  second = g_object_new (TSR_TYPE_WINDOW, "library", fixture->app.library, NULL);
  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.show-sidebar", NULL));
  g_assert_false (g_settings_get_boolean (settings, "show-sidebar"));
  g_assert_false (action_state (second, "show-sidebar"));
  g_assert_false (action_state (fixture->app.window, "show-sidebar"));
  g_assert_false (adw_flap_get_reveal_flap (flap));

  /* Closed, but still held (as a late callback would hold it). */
  g_object_ref (second);
  gtk_window_destroy (GTK_WINDOW (second));
  tsr_test_run_for (50);
  g_settings_set_boolean (settings, "show-sidebar", TRUE);
  tsr_test_run_for (50);
  g_assert_true (action_state (fixture->app.window, "show-sidebar"));
  g_assert_true (adw_flap_get_reveal_flap (flap));
  g_object_unref (second);
  /* And gone for good. */
  g_settings_set_boolean (settings, "show-sidebar", FALSE);
  tsr_test_run_for (50);
  g_assert_false (action_state (fixture->app.window, "show-sidebar"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.show-sidebar", NULL));
  g_assert_true (g_settings_get_boolean (settings, "show-sidebar"));
  g_settings_reset (settings, "show-sidebar");
}

/* From the app's compiled resources (tessera-resources.c): the window's
 * template. */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add ("/find/sidebar-counts", Fixture, NULL, fixture_set_up, test_sidebar_counts, fixture_tear_down);
  g_test_add ("/find/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/find/labels-persist", Fixture, NULL, fixture_set_up, test_labels_persist, fixture_tear_down);
  g_test_add ("/find/sidebar-action-after-close", Fixture, NULL, fixture_set_up, test_sidebar_action_after_close,
              fixture_tear_down);
  return g_test_run ();
}
