/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-queue.c: the queue in the main window (under Xvfb): Move to Top,
 * Up, Down and Bottom (the torrent menu's actions) move the selected
 * torrents, several as a block that keeps its order and stops at either
 * end; the list's "#" column shows each torrent's position from 1 and
 * follows a move at once, and sorting by it orders the list; the order
 * comes back in a window over a library read again from disk.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

typedef struct
{
  TsrAppTestLibrary app;
} Fixture;

static const char *names[] = { "Alpha", "Bravo", "Charlie" };

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  guint i;

  tsr_app_test_library_init (&fixture->app, "tsr-queue");
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *root = g_build_filename (fixture->app.dir, names[i], NULL);
      g_autofree char *file = g_strconcat (root, ".torrent", NULL);
      g_autoptr(TsrMetainfo) info = NULL;

      tsr_test_write_file (root, "a.bin", 20000, i + 1);
      info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
      tsr_test_write_torrent_file (info, file);
      tsr_app_test_library_add (&fixture->app, file);
    }
  tsr_app_test_library_open_window (&fixture->app);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_app_test_library_clear (&fixture->app);
}

static GtkColumnView *
column_view_of (Fixture *fixture)
{
  return GTK_COLUMN_VIEW (tsr_app_test_find_widget (GTK_WIDGET (fixture->app.window), "column_view"));
}

/* The queue as initials, first position first: "ABC". */
static char *
queue_order (Fixture *fixture)
{
  TsrSession *session = tsr_library_get_session (fixture->app.library);
  GString *order = g_string_new (NULL);
  TsrTorrent *torrent;
  guint i;

  for (i = 0; (torrent = tsr_session_get_queued_nth (session, i)) != NULL; i++)
    g_string_append_c (order, tsr_torrent_get_name (torrent)[0]);
  return g_string_free (order, FALSE);
}

/* The list as it is shown, as initials. */
static char *
list_order (Fixture *fixture)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (column_view_of (fixture)));
  GString *order = g_string_new (NULL);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (model, i);

      g_string_append_c (order, tsr_torrent_get_name (torrent)[0]);
    }
  return g_string_free (order, FALSE);
}

/* Selects the torrents whose initials @initials holds, only them, and
 * runs the window action @action. */
static void
move (Fixture    *fixture,
      const char *initials,
      const char *action)
{
  GtkSelectionModel *selection = gtk_column_view_get_model (column_view_of (fixture));
  guint i;

  gtk_selection_model_unselect_all (selection);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (strchr (initials, tsr_torrent_get_name (torrent)[0]) != NULL)
        gtk_selection_model_select_item (selection, i, FALSE);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->app.window), action, NULL));
}

static void
assert_queue (Fixture    *fixture,
              const char *expected)
{
  g_autofree char *order = queue_order (fixture);

  g_assert_cmpstr (order, ==, expected);
}

/* The first label under @widget, depth first. */
static const char *
first_label (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *text = first_label (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

/* What the first cell (the "#" column) of the row showing @name says:
 * the row is the deepest widget with a child cell showing @name. */
static const char *
shown_position (GtkWidget  *widget,
                const char *name)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *found = shown_position (child, name);

      if (found != NULL)
        return found;
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (child != gtk_widget_get_first_child (widget) && GTK_IS_LABEL (gtk_widget_get_first_child (child)) &&
        tsr_app_test_shows_text (child, name))
      return first_label (gtk_widget_get_first_child (widget));
  return NULL;
}

/* Iterates until every row's "#" cell says its torrent's position + 1. */
static gboolean
column_shows_queue (Fixture *fixture)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  TsrSession *session = tsr_library_get_session (fixture->app.library);
  gboolean all = FALSE;

  while (!all && g_get_monotonic_time () < end)
    {
      TsrTorrent *torrent;
      guint i;

      all = TRUE;
      for (i = 0; (torrent = tsr_session_get_queued_nth (session, i)) != NULL; i++)
        {
          g_autofree char *expected = g_strdup_printf ("%u", i + 1);
          const char *shown = shown_position (GTK_WIDGET (column_view_of (fixture)), tsr_torrent_get_name (torrent));

          if (g_strcmp0 (shown, expected) != 0)
            all = FALSE;
        }
      if (!all && !g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return all;
}

static void
sort_by_queue (Fixture *fixture)
{
  GtkColumnView *view = column_view_of (fixture);
  g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (gtk_column_view_get_columns (view), 0);

  g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, "#");
  gtk_column_view_sort_by_column (view, column, GTK_SORT_ASCENDING);
}

static void
assert_list (Fixture    *fixture,
             const char *expected)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  g_autofree char *order = list_order (fixture);

  /* The sorter is told on an idle, once per burst of moves. */
  while (!g_str_equal (order, expected) && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_free (order);
      order = list_order (fixture);
    }
  g_assert_cmpstr (order, ==, expected);
}

static void
test_moves (Fixture       *fixture,
            gconstpointer  unused)
{
  assert_queue (fixture, "ABC");
  g_assert_true (column_shows_queue (fixture));
  sort_by_queue (fixture);

  move (fixture, "C", "win.queue-top");
  assert_queue (fixture, "CAB");
  g_assert_true (column_shows_queue (fixture));
  assert_list (fixture, "CAB");

  /* Two as a block: up together, then stopped at the top together. */
  move (fixture, "AB", "win.queue-up");
  assert_queue (fixture, "ABC");
  move (fixture, "AB", "win.queue-up");
  assert_queue (fixture, "ABC");
  move (fixture, "BC", "win.queue-down");
  assert_queue (fixture, "ABC");
  move (fixture, "AB", "win.queue-bottom");
  assert_queue (fixture, "CAB");
  move (fixture, "C", "win.queue-down");
  assert_queue (fixture, "ACB");
  g_assert_true (column_shows_queue (fixture));
  assert_list (fixture, "ACB");

  /* Nothing selected: the moves are off, like the other torrent actions. */
  gtk_selection_model_unselect_all (gtk_column_view_get_model (column_view_of (fixture)));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->app.window), "queue-up"));

  /* A restart: the window goes, the library is saved and read again. */
  tsr_app_test_library_reload (&fixture->app);
  tsr_app_test_library_open_window (&fixture->app);
  assert_queue (fixture, "ACB");
  g_assert_true (column_shows_queue (fixture));
  sort_by_queue (fixture);
  assert_list (fixture, "ACB");
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
  g_test_add ("/queue/moves", Fixture, NULL, fixture_set_up, test_moves, fixture_tear_down);
  return g_test_run ();
}
