/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-a11y.c: workarounds for GTK 4.8's AT-SPI names (see the .h).
 * GTK 4.8 names an object over AT-SPI by its accessible label and then
 * by every label it is labelled by, both at once; with neither it says
 * the widget's type ("GtkListItemWidget"). List rows and column view
 * cells are private widgets with no API to name them before 4.12, so
 * they are found from the child the app gives them, by type name.
 * tests/app/test-a11y-atspi.py reads the result as a screen reader does.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"

char *
tsr_a11y_dup_torrent_text (TsrTorrent *torrent)
{
  /* Whole percents, rounded down: 100 only when everything is there. */
  int percent = (int) floor (tsr_torrent_get_progress (torrent) * 100.0);

  /* TRANSLATORS: a torrent in the list as a screen reader says it: its name, the percent there, its state */
  return g_strdup_printf (_("%s, %d percent, %s"), tsr_torrent_get_name (torrent), percent,
                          tsr_format_state (tsr_torrent_get_state (torrent)));
}

void
tsr_a11y_fix_mnemonic_buttons (GtkWidget *root)
{
  GtkWidget *child;

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root)) &&
      gtk_button_get_label (GTK_BUTTON (root)) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL);
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    tsr_a11y_fix_mnemonic_buttons (child);
}

/* The nearest ancestor of @widget (at most three up) of type @type_name. */
static GtkWidget *
find_ancestor_named (GtkWidget  *widget,
                     const char *type_name)
{
  guint i;

  for (i = 0; i < 3 && widget != NULL; i++)
    {
      widget = gtk_widget_get_parent (widget);
      if (widget != NULL && g_str_equal (G_OBJECT_TYPE_NAME (widget), type_name))
        return widget;
    }
  return NULL;
}

void
tsr_a11y_set_row_label (GtkWidget  *child,
                        const char *label)
{
  /* The cell (GtkColumnViewCell) derives from GtkListItemWidget: the
   * exact type name picks the row. */
  GtkWidget *row = find_ancestor_named (child, "GtkListItemWidget");

  if (row != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

void
tsr_a11y_set_cell_label (GtkWidget  *child,
                         const char *label)
{
  GtkWidget *cell = find_ancestor_named (child, "GtkColumnViewCell");

  if (cell != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
on_cell_label_changed (GtkLabel   *label,
                       GParamSpec *pspec,
                       gpointer    unused)
{
  const char *text = gtk_label_get_text (label);

  if (*text == '\0')
    {
      /* GtkLabel sets its own accessible label from its text, except
       * that an empty one reads as its type. */
      text = C_("empty cell", "None");
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
  tsr_a11y_set_cell_label (GTK_WIDGET (label), text);
}

void
tsr_a11y_follow_cell_label (GtkLabel *label)
{
  g_signal_connect (label, "notify::label", G_CALLBACK (on_cell_label_changed), NULL);
  /* A cell that stays empty is named once it is in its cell. */
  g_signal_connect (label, "notify::parent", G_CALLBACK (on_cell_label_changed), NULL);
  on_cell_label_changed (label, NULL, NULL);
}

static void
on_cell_progress_changed (GtkProgressBar *bar,
                          GParamSpec     *pspec,
                          gpointer        unused)
{
  /* TRANSLATORS: an accessible label, how far a torrent or a file is in the list */
  g_autofree char *percent = g_strdup_printf (_("%d percent"),
                                              (int) floor (gtk_progress_bar_get_fraction (bar) * 100.0));

  tsr_a11y_set_cell_label (GTK_WIDGET (bar), percent);
}

void
tsr_a11y_follow_cell_progress (GtkProgressBar *bar)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Progress"), -1);
  g_signal_connect (bar, "notify::fraction", G_CALLBACK (on_cell_progress_changed), NULL);
  g_signal_connect (bar, "notify::parent", G_CALLBACK (on_cell_progress_changed), NULL);
  on_cell_progress_changed (bar, NULL, NULL);
}

static void
on_tree_row_expanded (GtkTreeListRow *row,
                      GParamSpec     *pspec,
                      GtkWidget      *child)
{
  GtkWidget *item = find_ancestor_named (child, "GtkListItemWidget");

  if (item == NULL)
    return;
  if (gtk_tree_list_row_is_expandable (row))
    gtk_accessible_update_state (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_STATE_EXPANDED,
                                 gtk_tree_list_row_get_expanded (row), -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_STATE_EXPANDED);
}

void
tsr_a11y_follow_tree_row (GtkWidget      *child,
                          GtkTreeListRow *row)
{
  GtkTreeListRow *previous = g_object_get_data (G_OBJECT (child), "tsr-a11y-tree-row");

  if (previous != NULL)
    g_signal_handlers_disconnect_by_func (previous, on_tree_row_expanded, child);
  if (row == NULL)
    {
      g_object_set_data (G_OBJECT (child), "tsr-a11y-tree-row", NULL);
      return;
    }
  /* (owned) the row followed, so that the next call can let it go */
  g_object_set_data_full (G_OBJECT (child), "tsr-a11y-tree-row", g_object_ref (row), g_object_unref);
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_tree_row_expanded), child, 0);
  on_tree_row_expanded (row, NULL, child);
}

void
tsr_a11y_name_drop_down (GtkDropDown *drop_down,
                         const char  *label)
{
  GtkWidget *child;

  /* GTK 4.8: the drop-down's first child is its toggle button. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (drop_down)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *
ancestor_named (GtkWidget  *widget,
                const char *type_name)
{
  for (widget = gtk_widget_get_parent (widget); widget != NULL; widget = gtk_widget_get_parent (widget))
    if (g_str_equal (G_OBJECT_TYPE_NAME (widget), type_name))
      return widget;
  return NULL;
}

static void
label (GtkWidget  *widget,
       const char *text)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

void
tsr_a11y_fix_adw_parts (GtkWidget *root)
{
  GtkWidget *child;
  GtkWidget *group;
  const char *type_name = G_OBJECT_TYPE_NAME (root);
  const char *id = GTK_IS_BUILDABLE (root) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)) : NULL;

  if (GTK_IS_TOGGLE_BUTTON (root) && g_strcmp0 (id, "search_button") == 0 &&
      gtk_widget_get_ancestor (root, ADW_TYPE_PREFERENCES_WINDOW) != NULL)
    label (root, _("Search"));
  else if (GTK_IS_SEARCH_ENTRY (root) && gtk_widget_get_ancestor (root, ADW_TYPE_PREFERENCES_WINDOW) != NULL)
    label (root, _("Search Preferences"));
  else if (g_str_equal (type_name, "AdwViewSwitcher"))
    label (root, _("Pages"));
  else if (GTK_IS_LIST_BOX (root) && g_strcmp0 (id, "search_results") == 0)
    label (root, _("Search Results"));
  else if (GTK_IS_LIST_BOX (root) && g_strcmp0 (id, "listbox") == 0 &&
           (group = gtk_widget_get_ancestor (root, ADW_TYPE_PREFERENCES_GROUP)) != NULL)
    {
      const char *title = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group));

      label (root, title != NULL && *title != '\0' ? title : _("Options"));
    }
  else if (GTK_IS_IMAGE (root) && !GTK_IS_BUTTON (gtk_widget_get_parent (root)) &&
           (ancestor_named (root, "AdwViewSwitcher") != NULL ||
            gtk_widget_get_ancestor (root, ADW_TYPE_ENTRY_ROW) != NULL))
    /* A switcher button says its page's title, an entry row (a password
     * row too) its title: the icon is decoration. */
    gtk_accessible_update_state (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    tsr_a11y_fix_adw_parts (child);
}

void
tsr_a11y_name_column_view (GtkColumnView *view,
                           const char    *name)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkListItemWidget"))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Column Titles"), -1);
    else if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkColumnListView"))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}
