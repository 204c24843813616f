/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-options-window.c: a torrent's own options (under Xvfb), opened
 * from the torrent menu's action: each row sets its option at once on
 * the torrent (the engine's peers limit follows, and goes back to the
 * preference at 0), the other options untouched; every row has an
 * accessible name; and the options come back, shown in the window, over
 * a library read again from disk.
 */
#include "config.h"

#include <adwaita.h>

#include "tsr-options-window.h"
#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

typedef struct
{
  TsrAppTestLibrary app;
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
  g_autofree char *root = NULL;
  g_autofree char *file = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  tsr_app_test_library_init (&fixture->app, "tsr-options");
  root = g_build_filename (fixture->app.dir, "Film", NULL);
  file = g_build_filename (fixture->app.dir, "Film.torrent", NULL);
  info = tsr_test_make_pack (root);
  tsr_test_write_torrent_file (info, file);
  tsr_app_test_library_add (&fixture->app, file);
  open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_app_test_library_clear (&fixture->app);
}

/* Selects the torrent and opens its options through the menu's action. */
static GtkWidget *
open_options (Fixture *fixture)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint i;

  tsr_window_show (fixture->app.window, 0, "overview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.options", NULL));
  for (i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (TSR_IS_OPTIONS_WINDOW (window))
        return window;
    }
  g_assert_not_reached ();
}

static TsrTorrent *
torrent_of (Fixture *fixture)
{
  TsrTorrent *torrent = g_list_model_get_item (tsr_library_get_torrents (fixture->app.library), 0);

  g_object_unref (torrent);   /* the library holds it */
  return torrent;
}

static void
assert_named (GtkWidget  *widget,
              const char *name)
{
  /* GTK's test backend (GTK_A11Y=test) keeps the accessible properties. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name);
}

/* A switch that is its row's activatable widget is named by libadwaita's
 * labelled-by relation to the row's title; a label of its own on top
 * would be read too, over AT-SPI ("Sequential Download Sequential
 * Download": tests/app/test-a11y-atspi.py). */
static void
assert_named_by_row (GtkWidget  *widget,
                     const char *name)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, name);
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL));
}

static void
test_options (Fixture       *fixture,
              gconstpointer  unused)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  GtkWidget *window = open_options (fixture);
  GtkSwitch *sequential = GTK_SWITCH (tsr_app_test_find_widget (window, "sequential"));
  GtkSwitch *first_last = GTK_SWITCH (tsr_app_test_find_widget (window, "first_last"));
  GtkSpinButton *seed_idle = GTK_SPIN_BUTTON (tsr_app_test_find_widget (window, "seed_idle"));
  GtkSpinButton *max_peers = GTK_SPIN_BUTTON (tsr_app_test_find_widget (window, "max_peers"));
  TsrTorrent *torrent = torrent_of (fixture);
  TsrTorrentOptions options;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Film");
  assert_named_by_row (GTK_WIDGET (sequential), "Sequential Download");
  assert_named_by_row (GTK_WIDGET (first_last), "First and Last Pieces First");
  assert_named (GTK_WIDGET (seed_idle), "Stop Seeding When Idle (minutes)");
  assert_named (GTK_WIDGET (max_peers), "Peers for This Torrent");
  g_assert_false (gtk_switch_get_active (sequential));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (max_peers), ==, 0);

  gtk_switch_set_active (sequential, TRUE);
  tsr_library_get_options (fixture->app.library, torrent, &options);
  g_assert_true (options.sequential);
  g_assert_false (options.first_last);
  gtk_switch_set_active (first_last, TRUE);
  gtk_spin_button_set_value (seed_idle, 30);
  gtk_spin_button_set_value (max_peers, 7);
  tsr_library_get_options (fixture->app.library, torrent, &options);
  g_assert_true (options.sequential);
  g_assert_true (options.first_last);
  g_assert_cmpuint (options.seed_idle, ==, 30 * 60);
  g_assert_cmpuint (options.max_peers, ==, 7);
  g_assert_cmpuint (tsr_torrent_get_max_peers (torrent), ==, 7);

  /* 0: the preference again. */
  g_settings_set_uint (settings, "max-peers-per-torrent", 55);
  gtk_spin_button_set_value (max_peers, 0);
  g_assert_cmpuint (tsr_torrent_get_max_peers (torrent), ==, 55);
  gtk_spin_button_set_value (max_peers, 9);
  gtk_window_destroy (GTK_WINDOW (window));

  /* A restart: the window goes, the library is saved and read again. */
  tsr_app_test_library_reload (&fixture->app);
  open_window (fixture);
  g_assert_cmpuint (tsr_torrent_get_max_peers (torrent_of (fixture)), ==, 9);
  window = open_options (fixture);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (tsr_app_test_find_widget (window, "sequential"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (tsr_app_test_find_widget (window, "first_last"))));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (tsr_app_test_find_widget (window, "seed_idle"))), ==, 30);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (tsr_app_test_find_widget (window, "max_peers"))), ==, 9);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* From the app's compiled resources (tessera-resources.c). */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add ("/options-window/options", Fixture, NULL, fixture_set_up, test_options, fixture_tear_down);
  return g_test_run ();
}
