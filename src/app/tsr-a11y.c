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

      /* A titled group's list is labelled by its title already: a label
       * on top would be read too ("Queue Queue"). */
      if (title == NULL || *title == '\0')
        label (root, _("Options"));
    }
  else if (GTK_IS_IMAGE (root) && !GTK_IS_BUTTON (gtk_widget_get_parent (root)) &&
           ancestor_named (root, "AdwViewSwitcher") != NULL)
    /* A switcher button says its page's title: the icon is decoration. */
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

/* The text a GtkShortcutLabel shows ("Ctrl+?", "Shift+F10/Menu"): its
 * labels' texts, joined. */
static char *
dup_shown_keys (GtkWidget *shortcut_label)
{
  GString *text = g_string_new (NULL);
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (shortcut_label); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      g_string_append (text, gtk_label_get_text (GTK_LABEL (child)));
  return g_string_free (text, FALSE);
}

static GtkWidget *
find_shortcut_label (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_SHORTCUT_LABEL (widget))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shortcut_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A shortcuts page's title as a person reads it: "Page 1" for "_1" (the
 * pages GTK makes of a long section), others without their mnemonic. */
static char *
dup_page_title (const char *title)
{
  g_autofree char *plain = NULL;
  char **parts = g_strsplit (title, "_", -1);

  plain = g_strjoinv ("", parts);
  g_strfreev (parts);
  if (g_ascii_isdigit (plain[0]))
    /* TRANSLATORS: an accessible label, a page of the keyboard shortcuts window */
    return g_strdup_printf (_("Page %s"), plain);
  return g_steal_pointer (&plain);
}

/* A page of one of the shortcuts window's stacks: by its title, else by
 * what it holds (the header's title, the sections' menu, the search
 * results); GTK 4.8 reads "GtkStackPage". */
static void
name_stack_pages (GtkStack *stack)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkStackPage *page = gtk_stack_get_page (stack, child);
      const char *title = gtk_stack_page_get_title (page);
      g_autofree char *text = NULL;

      if (title != NULL && *title != '\0')
        text = dup_page_title (title);
      else if (GTK_IS_SHORTCUTS_SECTION (child))
        g_object_get (child, "title", &text, NULL);
      else if (GTK_IS_LABEL (child))
        text = g_strdup (gtk_label_get_text (GTK_LABEL (child)));
      else if (GTK_IS_MENU_BUTTON (child))
        text = g_strdup (_("Sections"));
      else
        text = g_strdup (_("Search Results"));
      if (text != NULL && *text != '\0')
        gtk_accessible_update_property (GTK_ACCESSIBLE (page), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
}

static void
fix_shortcuts_parts (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_SHORTCUTS_GROUP (widget))
    {
      g_autofree char *title = NULL;

      g_object_get (widget, "title", &title, NULL);
      if (title != NULL && *title != '\0')
        label (widget, title);
    }
  else if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *title = NULL;
      g_autofree char *keys = NULL;

      g_object_get (widget, "title", &title, NULL);
      /* GTK 4.8: the key label is in a box of the shortcut's. */
      if ((child = find_shortcut_label (widget)) != NULL)
        {
          keys = dup_shown_keys (child);
          if (*keys != '\0')
            label (child, keys);
        }
      if (title != NULL && keys != NULL && *keys != '\0')
        {
          /* TRANSLATORS: an accessible label, a row of the keyboard shortcuts window: what it does, then its keys */
          g_autofree char *text = g_strdup_printf (_("%s: %s"), title, keys);

          label (widget, text);
        }
      else if (title != NULL)
        label (widget, title);
    }
  else if (GTK_IS_SEARCH_ENTRY (widget))
    label (widget, _("Search Shortcuts"));
  else if (GTK_IS_TOGGLE_BUTTON (widget) &&
           g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "edit-find-symbolic") == 0)
    label (widget, _("Search"));
  else if (GTK_IS_MENU_BUTTON (widget))
    label (widget, _("Sections"));
  else if (GTK_IS_IMAGE (widget) && !GTK_IS_BUTTON (gtk_widget_get_parent (widget)))
    /* The search's "no results" icon, beside its words: decoration. */
    gtk_accessible_update_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  else if (GTK_IS_STACK_SWITCHER (widget))
    label (widget, _("Pages"));
  else if (GTK_IS_TOGGLE_BUTTON (widget) && GTK_IS_STACK_SWITCHER (gtk_widget_get_parent (widget)))
    {
      /* The switcher's button says its page's title, "_1", mnemonic and all. */
      GtkWidget *text = gtk_widget_get_first_child (widget);

      if (GTK_IS_LABEL (text))
        {
          g_autofree char *title = dup_page_title (gtk_label_get_text (GTK_LABEL (text)));

          label (widget, title);
        }
    }
  if (GTK_IS_STACK (widget))
    name_stack_pages (GTK_STACK (widget));
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    fix_shortcuts_parts (child);
}

/* On map: the shortcuts take their keys from the application's
 * accelerators only then. */
static void
on_shortcuts_window_map (GtkWidget *overlay,
                         gpointer   unused)
{
  fix_shortcuts_parts (overlay);
}

void
tsr_a11y_fix_shortcuts_window (GtkShortcutsWindow *overlay)
{
  g_signal_connect_after (overlay, "map", G_CALLBACK (on_shortcuts_window_map), NULL);
}
