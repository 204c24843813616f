/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-list-modes.c: the main list's two modes and the details pane
 * (under Xvfb, issue 23): the mode chosen in the menu is remembered by a
 * new window; a detailed row shows a torrent's sizes, percent and state
 * in its status line and to a screen reader, follows the torrent's
 * notifications while bound and lets go when unbound; selection and the
 * torrent menu's queue actions work on the detailed list, whose keys are
 * the compact list's; the details pane shows only for one selected
 * torrent, F9's action hides and shows it and keeps the divider, a
 * details page asked for brings it back; the Sort By menu and the
 * compact mode's headers set one order, shown by both modes, kept in the
 * settings and followed by a new window; and the
 * list gets the height by default (12 compact rows in an 800-pixel
 * window with the pane showing).
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-torrent-row.h"
#include "tsr-window.h"

typedef struct
{
  TsrAppTestLibrary app;
  GSettings        *settings;
} Fixture;

static const char *names[] = { "Alpha", "Bravo", "Charlie" };

/* Another window over the library (the fixture's is fixture->app.window). */
static TsrWindow *
open_window (Fixture *fixture)
{
  TsrWindow *window = g_object_new (TSR_TYPE_WINDOW, "library", fixture->app.library, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  guint i;

  fixture->settings = g_settings_new (APP_ID);
  g_settings_reset (fixture->settings, "list-mode");
  g_settings_reset (fixture->settings, "show-details");
  g_settings_reset (fixture->settings, "details-pane-position");
  g_settings_reset (fixture->settings, "sort-by");
  g_settings_reset (fixture->settings, "sort-descending");
  tsr_app_test_library_init (&fixture->app, "tsr-list-modes");
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *root = g_build_filename (fixture->app.dir, names[i], NULL);
      g_autofree char *file = g_strconcat (root, ".torrent", NULL);
      g_autoptr(TsrMetainfo) info = NULL;
      g_autoptr(GError) error = NULL;

      /* The data is where the torrent saves: a check finds all of it. */
      tsr_test_write_file (root, "a.bin", 20000, i + 1);
      info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
      tsr_test_write_torrent_file (info, file);
      g_assert_nonnull (tsr_library_add_file (fixture->app.library, file, fixture->app.dir, TRUE, NULL, &error));
      g_assert_no_error (error);
    }
  fixture->app.window = open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_app_test_library_clear (&fixture->app);
  g_clear_object (&fixture->settings);
}

static GtkWidget *
widget_of (TsrWindow  *window,
           const char *id)
{
  GtkWidget *widget = tsr_app_test_find_widget (GTK_WIDGET (window), id);

  g_assert_nonnull (widget);
  return widget;
}

/* The detailed row bound to the torrent named @name, if any is. */
static TsrTorrentRow *
find_row (GtkWidget  *widget,
          const char *name)
{
  GtkWidget *child;

  if (TSR_IS_TORRENT_ROW (widget))
    {
      TsrTorrent *torrent = tsr_torrent_row_get_torrent (TSR_TORRENT_ROW (widget));

      return torrent != NULL && g_str_equal (tsr_torrent_get_name (torrent), name) ? TSR_TORRENT_ROW (widget) : NULL;
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      TsrTorrentRow *found = find_row (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static TsrTorrentRow *
wait_for_row (Fixture    *fixture,
              const char *name)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  TsrTorrentRow *row = NULL;

  while ((row = find_row (widget_of (fixture->app.window, "list_view"), name)) == NULL && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_nonnull (row);
  return row;
}

static gboolean
wait_for_status (TsrTorrentRow *row,
                 const char    *expected)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_strcmp0 (tsr_torrent_row_get_status (row), expected) != 0 && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return g_strcmp0 (tsr_torrent_row_get_status (row), expected) == 0;
}

static void
wait_for_mapped (GtkWidget *widget)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!(gtk_widget_get_mapped (widget) && gtk_widget_get_height (widget) > 0) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (gtk_widget_get_mapped (widget));
  /* And one more frame, for the allocation to settle. */
  tsr_test_run_for (100);
}

/* The first button under @widget for @action. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  GtkWidget *child;

  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
set_mode (TsrWindow  *window,
          const char *mode)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.list-mode", "s", mode));
}

static const char *
shown_mode (TsrWindow *window)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (widget_of (window, "list_stack")));
}

/* Selects the torrent named @name only, through @selection. */
static void
select_named (GtkSelectionModel *selection,
              const char        *name)
{
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_str_equal (tsr_torrent_get_name (torrent), name))
        gtk_selection_model_select_item (selection, i, TRUE);
    }
}

static TsrTorrent *
torrent_named (Fixture    *fixture,
               const char *name)
{
  GListModel *torrents = tsr_library_get_torrents (fixture->app.library);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      if (g_str_equal (tsr_torrent_get_name (torrent), name))
        return torrent;
    }
  g_assert_not_reached ();
}

static void
test_mode_remembered (Fixture       *fixture,
                      gconstpointer  unused)
{
  g_autofree char *saved = NULL;
  TsrWindow *second;

  g_assert_cmpstr (shown_mode (fixture->app.window), ==, "compact");
  set_mode (fixture->app.window, "detailed");
  g_assert_cmpstr (shown_mode (fixture->app.window), ==, "detailed");
  saved = g_settings_get_string (fixture->settings, "list-mode");
  g_assert_cmpstr (saved, ==, "detailed");
  /* Both lists show the window's one selection: search, sidebar and
   * actions act on what either shows. */
  g_assert_true (gtk_list_view_get_model (GTK_LIST_VIEW (widget_of (fixture->app.window, "list_view"))) ==
                 gtk_column_view_get_model (GTK_COLUMN_VIEW (widget_of (fixture->app.window, "column_view"))));

  second = open_window (fixture);
  g_assert_cmpstr (shown_mode (second), ==, "detailed");
  set_mode (second, "compact");
  g_assert_cmpstr (shown_mode (second), ==, "compact");
  /* The setting drives every window. */
  g_assert_cmpstr (shown_mode (fixture->app.window), ==, "compact");
  gtk_window_destroy (GTK_WINDOW (second));
}

static void
test_detailed_row (Fixture       *fixture,
                   gconstpointer  unused)
{
  TsrTorrent *alpha = torrent_named (fixture, "Alpha");
  g_autofree char *size = g_format_size (20000);
  g_autofree char *nothing = g_format_size (0);
  g_autofree char *before = g_strdup_printf ("Stopped — %s of %s (0 %%)", nothing, size);
  g_autofree char *after = g_strdup_printf ("Stopped — %s", size);
  TsrTorrentRow *row;
  GtkWidget *name;
  GtkWidget *bar;
  GtkWidget *lone;

  set_mode (fixture->app.window, "detailed");
  row = wait_for_row (fixture, "Alpha");
  g_assert_cmpstr (tsr_torrent_row_get_status (row), ==, before);
  g_assert_cmpstr (tsr_torrent_row_get_accessible_text (row), ==, "Alpha, 0 percent, Stopped");
  /* What GTK keeps for the screen reader (GTK_A11Y=test): the row's name
   * and description, and the bar labelled by the name above it. */
  gtk_test_accessible_assert_property (row, GTK_ACCESSIBLE_PROPERTY_LABEL, "Alpha, 0 percent, Stopped");
  gtk_test_accessible_assert_property (row, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, before);
  name = gtk_widget_get_first_child (GTK_WIDGET (row));
  bar = gtk_widget_get_next_sibling (name);
  g_assert_true (GTK_IS_LABEL (name) && GTK_IS_PROGRESS_BAR (bar));
  gtk_test_accessible_assert_relation (bar, GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL);

  /* A check finds the data: the row follows the torrent's notifications. */
  tsr_torrent_verify (alpha);
  g_assert_true (wait_for_status (row, after));
  g_assert_cmpstr (tsr_torrent_row_get_accessible_text (row), ==, "Alpha, 100 percent, Stopped");
  gtk_test_accessible_assert_property (row, GTK_ACCESSIBLE_PROPERTY_LABEL, "Alpha, 100 percent, Stopped");

  /* Unbound, a row lets go of its torrent's signals. */
  lone = g_object_ref_sink (tsr_torrent_row_new ());
  tsr_torrent_row_set_torrent (TSR_TORRENT_ROW (lone), alpha);
  g_assert_cmpstr (tsr_torrent_row_get_status (TSR_TORRENT_ROW (lone)), ==, after);
  g_assert_cmpuint (g_signal_handler_find (alpha, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, lone), !=, 0);
  tsr_torrent_row_set_torrent (TSR_TORRENT_ROW (lone), NULL);
  g_assert_cmpuint (g_signal_handler_find (alpha, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, lone), ==, 0);
  g_object_unref (lone);
}

/* GTK 4.8's controllers of @widget, looked up by name. */
static gboolean
has_controller (GtkWidget  *widget,
                const char *name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_detailed_actions (Fixture       *fixture,
                       gconstpointer  unused)
{
  TsrSession *session = tsr_library_get_session (fixture->app.library);
  GtkListView *list_view = GTK_LIST_VIEW (widget_of (fixture->app.window, "list_view"));
  GtkSelectionModel *selection = gtk_list_view_get_model (list_view);
  GtkWidget *list_stack = widget_of (fixture->app.window, "list_stack");

  set_mode (fixture->app.window, "detailed");
  wait_for_row (fixture, "Charlie");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->app.window), "queue-top"));
  select_named (selection, "Charlie");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->app.window), "queue-top"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.queue-top", NULL));
  g_assert_cmpstr (tsr_torrent_get_name (tsr_session_get_queued_nth (session, 0)), ==, "Charlie");
  /* The list's keys (Delete, the menu keys, the queue's) are on what
   * holds both lists, so they work in either mode. */
  g_assert_true (has_controller (list_stack, "tsr-list-shortcuts"));
  g_assert_true (has_controller (list_stack, "tsr-queue-shortcuts"));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (list_view), list_stack));
}

static void
test_details_pane (Fixture       *fixture,
                   gconstpointer  unused)
{
  GtkWidget *details = widget_of (fixture->app.window, "details_view");
  GtkPaned *paned = GTK_PANED (widget_of (fixture->app.window, "paned"));
  GtkColumnView *column_view = GTK_COLUMN_VIEW (widget_of (fixture->app.window, "column_view"));
  GtkSelectionModel *selection = gtk_column_view_get_model (column_view);
  GtkWidget *list_stack = widget_of (fixture->app.window, "list_stack");
  GtkWidget *row = NULL;
  GtkWidget *child;

  /* The header bar's toggle is named for a screen reader. */
  gtk_test_accessible_assert_property (find_action_button (GTK_WIDGET (fixture->app.window), "win.show-details"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Details");

  /* Nothing selected: no pane at all, the list has the height. */
  wait_for_mapped (list_stack);
  g_assert_false (gtk_widget_get_visible (details));
  select_named (selection, "Bravo");
  g_assert_true (gtk_widget_get_visible (details));
  gtk_selection_model_select_all (selection);
  g_assert_false (gtk_widget_get_visible (details));
  select_named (selection, "Bravo");
  g_assert_true (gtk_widget_get_visible (details));
  wait_for_mapped (details);

  /* By default, with the pane showing, an 800-pixel window shows at least
   * 12 compact rows (the column view's rows are its inner list view's
   * children). */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (column_view)); child != NULL && row == NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      row = gtk_widget_get_first_child (child);
  g_assert_nonnull (row);
  g_assert_cmpint (gtk_widget_get_height (row), >, 0);
  g_test_message ("list %d px, row %d px", gtk_widget_get_height (list_stack), gtk_widget_get_height (row));
  g_assert_cmpint (gtk_widget_get_height (list_stack) / gtk_widget_get_height (row), >=, 13);

  /* F9's action: hidden, and where the divider was is kept; shown
   * again, there. */
  gtk_paned_set_position (paned, 300);
  tsr_test_run_for (100);
  g_assert_cmpint (gtk_paned_get_position (paned), ==, 300);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.show-details", NULL));
  g_assert_false (g_settings_get_boolean (fixture->settings, "show-details"));
  g_assert_false (gtk_widget_get_visible (details));
  g_assert_cmpint (g_settings_get_int (fixture->settings, "details-pane-position"), ==, 300);
  /* Off, a selection brings no pane. */
  select_named (selection, "Alpha");
  g_assert_false (gtk_widget_get_visible (details));
  gtk_paned_set_position (paned, 420);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.show-details", NULL));
  g_assert_true (gtk_widget_get_visible (details));
  g_assert_cmpint (gtk_paned_get_position (paned), ==, 300);
  /* Asking for a details page (Alt+3) brings the hidden pane back. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.show-details", NULL));
  g_assert_false (gtk_widget_get_visible (details));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.show-page", "s", "peers"));
  g_assert_true (gtk_widget_get_visible (details));
  g_assert_true (g_settings_get_boolean (fixture->settings, "show-details"));
  gtk_selection_model_unselect_all (selection);
  g_assert_false (gtk_widget_get_visible (details));
}

/* The names in the order @window's lists show them. */
static char *
shown_names (TsrWindow *window)
{
  GListModel *rows = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (widget_of (window, "list_view"))));
  GString *text = g_string_new (NULL);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (rows, i);

      g_string_append_printf (text, "%s%s", i > 0 ? " " : "", tsr_torrent_get_name (torrent));
    }
  return g_string_free (text, FALSE);
}

/* The list resorts on an idle after a queue move, and a header's sort
 * reaches the settings on one: waited for, up to 5 s. */
static void
assert_shown (TsrWindow  *window,
              const char *expected)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_autofree char *names_shown = shown_names (window);

  while (g_strcmp0 (names_shown, expected) != 0 && g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      g_free (names_shown);
      names_shown = shown_names (window);
    }
  g_assert_cmpstr (names_shown, ==, expected);
}

static gboolean
has_sort_state (TsrWindow  *window,
                const char *key,
                gboolean    descending)
{
  g_autoptr(GVariant) by = g_action_group_get_action_state (G_ACTION_GROUP (window), "sort-by");
  g_autoptr(GVariant) down = g_action_group_get_action_state (G_ACTION_GROUP (window), "sort-descending");

  return g_str_equal (g_variant_get_string (by, NULL), key) && g_variant_get_boolean (down) == descending;
}

static void
assert_sort_state (TsrWindow  *window,
                   const char *key,
                   gboolean    descending)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!has_sort_state (window, key, descending) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (!has_sort_state (window, key, descending))
    g_error ("not sorted by %s %s", key, descending ? "descending" : "ascending");
}

/* How many items of @menu and its submenus are for @action. */
static guint
count_menu_items (GMenuModel *menu,
                  const char *action)
{
  guint count = 0;
  int i;

  for (i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuLinkIter) links = g_menu_model_iterate_item_links (menu, i);
      GMenuModel *linked;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        count++;
      while (g_menu_link_iter_get_next (links, NULL, &linked))
        {
          count += count_menu_items (linked, action);
          g_object_unref (linked);
        }
    }
  return count;
}

/* The primary menu's model (the header bar's menu button's). */
static GMenuModel *
find_primary_menu (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL &&
      count_menu_items (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), "win.list-mode") > 0)
    return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GMenuModel *found = find_primary_menu (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkColumnViewColumn *
column_titled (TsrWindow  *window,
               const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (widget_of (window, "column_view")));
  guint i;

  for (i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_assert_not_reached ();
}

static void
test_sort_by (Fixture       *fixture,
              gconstpointer  unused)
{
  GtkColumnView *column_view = GTK_COLUMN_VIEW (widget_of (fixture->app.window, "column_view"));
  GMenuModel *menu = find_primary_menu (GTK_WIDGET (fixture->app.window));
  g_autofree char *key = NULL;
  TsrWindow *second;

  /* The menu offers every key, and the direction. */
  g_assert_nonnull (menu);
  g_assert_cmpuint (count_menu_items (menu, "win.sort-by"), ==, 9);
  g_assert_cmpuint (count_menu_items (menu, "win.sort-descending"), ==, 1);

  /* By queue position at first; Charlie to the top moves it first. */
  assert_sort_state (fixture->app.window, "queue", FALSE);
  assert_shown (fixture->app.window, "Alpha Bravo Charlie");
  select_named (gtk_column_view_get_model (column_view), "Charlie");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.queue-top", NULL));
  assert_shown (fixture->app.window, "Charlie Alpha Bravo");

  /* The detailed mode's menu: by name, then descending. */
  set_mode (fixture->app.window, "detailed");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.sort-by", "s", "name"));
  key = g_settings_get_string (fixture->settings, "sort-by");
  g_assert_cmpstr (key, ==, "name");
  assert_sort_state (fixture->app.window, "name", FALSE);
  assert_shown (fixture->app.window, "Alpha Bravo Charlie");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.sort-descending", NULL));
  g_assert_true (g_settings_get_boolean (fixture->settings, "sort-descending"));
  assert_sort_state (fixture->app.window, "name", TRUE);
  assert_shown (fixture->app.window, "Charlie Bravo Alpha");
  tsr_test_run_for (100);
  /* The headers follow the menu: writing them back changes nothing. */
  assert_sort_state (fixture->app.window, "name", TRUE);

  /* The compact mode shows that order, and its headers set the menu's. */
  set_mode (fixture->app.window, "compact");
  wait_for_mapped (GTK_WIDGET (column_view));
  assert_shown (fixture->app.window, "Charlie Bravo Alpha");
  gtk_column_view_sort_by_column (column_view, column_titled (fixture->app.window, "#"), GTK_SORT_ASCENDING);
  assert_sort_state (fixture->app.window, "queue", FALSE);
  assert_shown (fixture->app.window, "Charlie Alpha Bravo");
  gtk_column_view_sort_by_column (column_view, column_titled (fixture->app.window, "#"), GTK_SORT_DESCENDING);
  assert_sort_state (fixture->app.window, "queue", TRUE);
  assert_shown (fixture->app.window, "Bravo Alpha Charlie");
  gtk_column_view_sort_by_column (column_view, column_titled (fixture->app.window, "Name"), GTK_SORT_ASCENDING);
  assert_sort_state (fixture->app.window, "name", FALSE);
  assert_shown (fixture->app.window, "Alpha Bravo Charlie");

  /* Not a key the list knows: nothing changes (and no critical). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.sort-by", "s", "colour"));
  assert_sort_state (fixture->app.window, "name", FALSE);

  /* By date added (all three came in the same second here: the order
   * stays), from the menu and from the Added column's header. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.sort-by", "s", "added"));
  assert_sort_state (fixture->app.window, "added", FALSE);
  assert_shown (fixture->app.window, "Alpha Bravo Charlie");
  gtk_column_view_sort_by_column (column_view, column_titled (fixture->app.window, "Added"), GTK_SORT_DESCENDING);
  assert_sort_state (fixture->app.window, "added", TRUE);
  gtk_column_view_sort_by_column (column_view, column_titled (fixture->app.window, "Name"), GTK_SORT_ASCENDING);
  assert_sort_state (fixture->app.window, "name", FALSE);

  /* A new window sorts as the settings say, and follows them. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), "win.sort-descending", NULL));
  second = open_window (fixture);
  assert_sort_state (second, "name", TRUE);
  assert_shown (second, "Charlie Bravo Alpha");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.sort-by", "s", "queue"));
  assert_shown (fixture->app.window, "Bravo Alpha Charlie");
  gtk_window_destroy (GTK_WINDOW (second));
  /* Closed, it lets go of the settings. */
  g_settings_set_string (fixture->settings, "sort-by", "name");
  tsr_test_run_for (100);
  assert_shown (fixture->app.window, "Charlie Bravo Alpha");
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
  g_test_add ("/list-modes/mode-remembered", Fixture, NULL, fixture_set_up, test_mode_remembered, fixture_tear_down);
  g_test_add ("/list-modes/detailed-row", Fixture, NULL, fixture_set_up, test_detailed_row, fixture_tear_down);
  g_test_add ("/list-modes/detailed-actions", Fixture, NULL, fixture_set_up, test_detailed_actions,
              fixture_tear_down);
  g_test_add ("/list-modes/details-pane", Fixture, NULL, fixture_set_up, test_details_pane, fixture_tear_down);
  g_test_add ("/list-modes/sort-by", Fixture, NULL, fixture_set_up, test_sort_by, fixture_tear_down);
  return g_test_run ();
}
