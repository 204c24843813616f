/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-rename-dialog.c: "Rename…" on the Files page (under Xvfb). The
 * two-file pack (pack/a.bin, pack/b.bin) with its data on disk: the
 * page's files.rename (F2's action) on the selected a.bin row opens the
 * dialog with its name, the name without its extension selected; an
 * empty name cannot be sent; "first.bin" renames the file on disk and
 * the tree shows the new name. Renaming b.bin to that name too is
 * refused by the engine: the dialog's error says why, shows it in a
 * dialog of its own, and nothing on disk changed. F2 is the page's key
 * for the action; it renames the row with the keyboard focus (Tab and
 * the arrow keys move it, not the selection) before the selected one.
 * A right click on a name selects its row and offers "Rename…" for it
 * in a menu; Shift+F10 (files.menu) offers it for the focused row.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-app-test-util.h"
#include "tsr-file-node.h"
#include "tsr-files-page.h"
#include "tsr-rename-dialog.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the page's template). */
GResource *tsr_get_resource (void);

static gboolean
exists (const char *folder,
        const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The one rename dialog on screen, or NULL. */
static TsrRenameDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  TsrRenameDialog *found = NULL;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TSR_IS_RENAME_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          g_assert_null (found);
          found = TSR_RENAME_DIALOG (window);
        }
    }
  return found;
}

/* Expands the tree's top row and selects the row named @name. */
static void
select_row (GtkWidget  *page,
            const char *name)
{
  GtkWidget *view = gtk_widget_get_first_child (gtk_widget_get_first_child (page));
  GtkSelectionModel *model = gtk_column_view_get_model (GTK_COLUMN_VIEW (view));
  g_autoptr(GtkTreeListRow) top = g_list_model_get_item (G_LIST_MODEL (model), 0);
  guint i;

  gtk_tree_list_row_set_expanded (top, TRUE);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autoptr(TsrFileNode) node = gtk_tree_list_row_get_item (row);

      if (g_str_equal (tsr_file_node_get_name (node), name))
        {
          gtk_selection_model_select_item (model, i, TRUE);
          return;
        }
    }
  g_assert_not_reached ();
}

/* The names of the top folder's files, as the page's tree has them. */
static char *
describe_tree (GtkWidget *page)
{
  GtkWidget *view = gtk_widget_get_first_child (gtk_widget_get_first_child (page));
  GtkSelectionModel *model = gtk_column_view_get_model (GTK_COLUMN_VIEW (view));
  g_autoptr(GtkTreeListRow) top = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_autoptr(TsrFileNode) pack = gtk_tree_list_row_get_item (top);
  GListModel *files = tsr_file_node_get_children (pack);
  g_autoptr(GString) text = g_string_new (tsr_file_node_get_name (pack));
  guint i;

  for (i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(TsrFileNode) file = g_list_model_get_item (files, i);

      g_string_append_printf (text, " %s=%s", tsr_file_node_get_name (file), tsr_file_node_get_path (file));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static TsrRenameDialog *
open_dialog (GtkWidget  *page,
             const char *name)
{
  TsrRenameDialog *dialog;

  select_row (page, name);
  g_assert_true (gtk_widget_activate_action (page, "files.rename", NULL));
  tsr_test_run_for (50);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  return g_object_ref (dialog);
}

/* As a click on the response's button does. */
static void
respond (TsrRenameDialog *dialog,
         const char      *response)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
wait_finished (TsrRenameDialog *dialog)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!tsr_rename_dialog_is_finished (dialog) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (tsr_rename_dialog_is_finished (dialog));
  tsr_test_run_for (50);
}

/* The tree expander (name cell) under @widget showing @name, or NULL. */
static GtkWidget *
find_name_cell (GtkWidget  *widget,
                const char *name)
{
  GtkWidget *child;

  if (GTK_IS_TREE_EXPANDER (widget))
    {
      GtkWidget *label = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (widget));

      if (GTK_IS_LABEL (label) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), name) == 0)
        return widget;
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_name_cell (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Puts the keyboard focus on @name's row (its row widget, in the
 * view's list of rows), as Tab does: the selection stays. */
static void
focus_row (GtkWidget  *page,
           const char *name)
{
  GtkWidget *row;

  tsr_test_run_for (100);   /* the view binds its rows at layout */
  row = find_name_cell (page, name);
  g_assert_nonnull (row);
  while (gtk_widget_get_parent (row) != NULL &&
         !g_str_equal (G_OBJECT_TYPE_NAME (gtk_widget_get_parent (row)), "GtkColumnListView"))
    row = gtk_widget_get_parent (row);
  g_assert_nonnull (gtk_widget_get_parent (row));
  g_assert_true (gtk_widget_grab_focus (row));
}

/* The name the one rename dialog on screen was opened for; cancels it. */
static char *
dup_dialog_name_and_cancel (void)
{
  TsrRenameDialog *dialog;
  char *name;

  tsr_test_run_for (50);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  name = g_strdup (gtk_editable_get_text (tsr_rename_dialog_get_entry (dialog)));
  respond (dialog, "cancel");
  tsr_test_run_for (50);
  g_assert_null (find_dialog ());
  return name;
}

/* A right click on @name's cell, as its click gesture hears it. */
static void
right_click (GtkWidget  *page,
             const char *name)
{
  GtkWidget *cell;
  g_autoptr(GListModel) controllers = NULL;
  guint i;

  tsr_test_run_for (100);   /* the view binds its rows at layout */
  cell = find_name_cell (page, name);
  g_assert_nonnull (cell);
  controllers = gtk_widget_observe_controllers (cell);
  for (i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller) &&
          gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
        {
          g_signal_emit_by_name (controller, "pressed", 1, 4.0, 4.0);
          return;
        }
    }
  g_assert_not_reached ();
}

/* The popover menu the page shows, or NULL. */
static GtkWidget *
find_menu (GtkWidget *page)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (page); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child))
      return child;
  return NULL;
}

/* F2 is one of the page's class shortcuts, for files.rename. */
static gboolean
has_f2 (void)
{
  GtkWidget *page = g_object_new (TSR_TYPE_FILES_PAGE, NULL);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (page);
  gboolean found = FALSE;
  guint i;

  g_object_ref_sink (page);
  for (i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      guint j;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));

          found = g_str_equal (trigger, "F2") && strstr (action, "files.rename") != NULL;
        }
    }
  g_clear_object (&controllers);
  g_object_unref (page);
  return found;
}

static void
test_rename (void)
{
  TsrAppTestFilesPage fixture;
  GtkWidget *page;
  const char *root;
  g_autoptr(TsrRenameDialog) dialog = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkEditable *entry;
  GtkWindow *error_dialog;
  int start = -1;
  int end = -1;

  g_assert_true (has_f2 ());
  tsr_app_test_files_page_init (&fixture, "tsr-rename-dialog");
  page = fixture.page;
  root = fixture.root;
  before = describe_tree (page);
  g_assert_cmpstr (before, ==, "pack a.bin=pack/a.bin b.bin=pack/b.bin");

  /* The dialog has the name, its stem selected; no empty name. */
  dialog = open_dialog (page, "a.bin");
  entry = tsr_rename_dialog_get_entry (dialog);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "a.bin");
  g_assert_true (gtk_editable_get_selection_bounds (entry, &start, &end));
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, 1);
  gtk_editable_set_text (entry, "");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "rename"));
  gtk_editable_set_text (entry, "first.bin");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "rename"));
  respond (dialog, "rename");
  wait_finished (dialog);
  g_assert_null (tsr_rename_dialog_get_error (dialog));
  g_assert_null (tsr_rename_dialog_get_error_dialog (dialog));
  g_assert_true (exists (root, "first.bin"));
  g_assert_false (exists (root, "a.bin"));
  after = describe_tree (page);
  g_assert_cmpstr (after, ==, "pack first.bin=pack/first.bin b.bin=pack/b.bin");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_clear_object (&dialog);

  /* Refused: the name is taken. The reason is shown; nothing moved. */
  dialog = open_dialog (page, "b.bin");
  gtk_editable_set_text (tsr_rename_dialog_get_entry (dialog), "first.bin");
  respond (dialog, "rename");
  wait_finished (dialog);
  g_assert_error ((GError *) tsr_rename_dialog_get_error (dialog), G_IO_ERROR, G_IO_ERROR_EXISTS);
  error_dialog = tsr_rename_dialog_get_error_dialog (dialog);
  g_assert_nonnull (error_dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_dialog)));
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (error_dialog)), ==,
                   tsr_rename_dialog_get_error (dialog)->message);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (error_dialog)), "b.bin"));
  g_assert_true (exists (root, "b.bin"));
  g_assert_true (exists (root, "first.bin"));
  g_free (after);
  after = describe_tree (page);
  g_assert_cmpstr (after, ==, "pack first.bin=pack/first.bin b.bin=pack/b.bin");
  gtk_window_destroy (error_dialog);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_clear_object (&dialog);

  /* A right click on a name selects its row and offers "Rename…" for
   * it: the dialog it opens names that row. */
  right_click (page, "first.bin");   /* b.bin is the row selected now */
  {
    GtkWidget *menu = find_menu (page);
    GMenuModel *model;
    g_autofree char *label = NULL;
    g_autofree char *action = NULL;

    g_assert_nonnull (menu);
    g_assert_true (gtk_widget_get_visible (menu));
    model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (menu));
    g_assert_cmpint (g_menu_model_get_n_items (model), ==, 1);
    g_assert_true (g_menu_model_get_item_attribute (model, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
    g_assert_true (g_menu_model_get_item_attribute (model, 0, G_MENU_ATTRIBUTE_ACTION, "s", &action));
    g_assert_cmpstr (label, ==, "_Rename…");
    g_assert_cmpstr (action, ==, "files.rename-menu-row");
    gtk_popover_popdown (GTK_POPOVER (menu));
    g_assert_true (gtk_widget_activate_action (page, action, NULL));
    tsr_test_run_for (50);
    dialog = g_object_ref (find_dialog ());
    g_assert_cmpstr (gtk_editable_get_text (tsr_rename_dialog_get_entry (dialog)), ==, "first.bin");
    respond (dialog, "cancel");
    g_clear_object (&dialog);
    g_assert_null (find_dialog ());
  }

  /* F2 with the keyboard focus on b.bin's row, first.bin selected:
   * b.bin. With the focus out of the rows: the selected one. */
  {
    g_autofree char *focused = NULL;
    g_autofree char *selected = NULL;
    g_autofree char *from_menu = NULL;
    GtkWidget *menu;

    select_row (page, "first.bin");
    focus_row (page, "b.bin");
    g_assert_true (gtk_widget_activate_action (page, "files.rename", NULL));
    focused = dup_dialog_name_and_cancel ();
    g_assert_cmpstr (focused, ==, "b.bin");

    gtk_root_set_focus (gtk_widget_get_root (page), NULL);
    select_row (page, "first.bin");
    g_assert_true (gtk_widget_activate_action (page, "files.rename", NULL));
    selected = dup_dialog_name_and_cancel ();
    g_assert_cmpstr (selected, ==, "first.bin");

    /* Shift+F10 on the focused row: its menu, for it (and it selected). */
    focus_row (page, "b.bin");
    g_assert_true (gtk_widget_activate_action (page, "files.menu", NULL));
    menu = find_menu (page);
    g_assert_nonnull (menu);
    g_assert_true (gtk_widget_get_visible (menu));
    gtk_popover_popdown (GTK_POPOVER (menu));
    tsr_test_run_for (50);
    focus_row (page, "first.bin");   /* where the focus went back to does not count */
    g_assert_true (gtk_widget_activate_action (page, "files.rename-menu-row", NULL));
    from_menu = dup_dialog_name_and_cancel ();
    g_assert_cmpstr (from_menu, ==, "b.bin");
  }

  tsr_app_test_files_page_clear (&fixture);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/rename-dialog/rename", test_rename);
  return g_test_run ();
}
