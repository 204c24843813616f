/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-view.c: how the main window lays out its list and details
 * (issue 23, "See"): the list in a compact mode (tsr-torrent-columns.c's
 * column view, one line per torrent) or a detailed one (a list view of
 * tsr-torrent-row.c's two-line rows), both over the window's one
 * selection model, so search, sidebar, selection, menus and queue keys
 * act the same in either; and the details pane under the list, which
 * shows only when exactly one torrent with metainfo is selected and
 * "show-details" (F9) is on, with its divider kept in GSettings; and the
 * order of both modes, the compact mode's column headers and the Sort By
 * menu (which the detailed mode, without headers, needs) agreeing
 * through the "sort-by" and "sort-descending" settings. The
 * window's own file (tsr-window-private.h): tsr-window.c calls in.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-torrent-columns.h"
#include "tsr-torrent-row.h"
#include "tsr-window-private.h"

/* Where the user left the divider, kept while it is on screen: a hidden
 * pane has no position worth keeping. */
void
_tsr_window_view_save (TsrWindow *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->details_view)) || !gtk_widget_get_mapped (GTK_WIDGET (self->paned)))
    return;
  /* Within the key's range, or GSettings refuses it. */
  g_settings_set_int (self->settings, "details-pane-position",
                      CLAMP (gtk_paned_get_position (self->paned), 100, 100000));
}

static void
update_details_visible (TsrWindow *self)
{
  gboolean visible = self->details_torrent != NULL && g_settings_get_boolean (self->settings, "show-details");
  gboolean was_visible = gtk_widget_get_visible (GTK_WIDGET (self->details_view));

  if (was_visible && !visible)
    _tsr_window_view_save (self);
  /* The details follow their torrent only while shown: hidden, they cost nothing. */
  tsr_details_view_set_torrent (self->details_view, visible ? self->details_torrent : NULL);
  if (visible && !was_visible)
    gtk_paned_set_position (self->paned, g_settings_get_int (self->settings, "details-pane-position"));
  gtk_widget_set_visible (GTK_WIDGET (self->details_view), visible);
}

void
_tsr_window_view_show_torrent (TsrWindow  *self,
                               TsrTorrent *torrent)
{
  /* A magnet's torrent has nothing to show until its metainfo comes
   * (the window calls again on "metadata-received"). */
  if (torrent != NULL && !tsr_torrent_has_metainfo (torrent))
    torrent = NULL;
  g_set_object (&self->details_torrent, torrent);
  update_details_visible (self);
}

void
_tsr_window_view_focus_list (TsrWindow *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "detailed") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

void
_tsr_window_view_scroll_to (TsrWindow *self,
                            guint      position)
{
  GtkWidget *child;

  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  /* GTK 4.8's column view scrolls through its inner list view's action. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
}

/* The menu's and F9's actions write the settings; the settings move the
 * actions' states (and every window's). Not g_settings_create_action ():
 * its action outlives a closed window's action group in GLib 2.74 and
 * then warns on the next change from another window. */
static void
change_setting_state (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  TsrWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;

  /* A target outside the key's choices ("win.sort-by::nonsense") is
   * ignored, not a GSettings critical. */
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, name);
  if (!g_settings_schema_key_range_check (key, value))
    return;
  g_settings_set_value (self->settings, name, value);
}

static void
activate_toggle (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (action));

  g_action_change_state (G_ACTION (action), g_variant_new_boolean (!g_variant_get_boolean (state)));
}

static void
sync_state (TsrWindow  *self,
            const char *key)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), key);

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_settings_get_value (self->settings, key));
}

static void
on_setting_changed (GSettings  *settings,
                    const char *key,
                    TsrWindow  *self)
{
  sync_state (self, key);
}

/* A stateful action named for the setting @key (a boolean toggles when
 * activated, GSimpleAction's default; any other type takes its value as
 * parameter): it writes the setting and follows it, and being the
 * window's, goes with it; the handler is by data, so dispose's
 * disconnection takes it. */
void
_tsr_window_add_setting_action (TsrWindow  *self,
                                const char *key)
{
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, key);
  const GVariantType *parameter = g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)
    ? NULL : g_variant_get_type (value);
  g_autoptr(GSimpleAction) action = g_simple_action_new_stateful (key, parameter, value);
  g_autofree char *signal = g_strconcat ("changed::", key, NULL);

  g_signal_connect (action, "change-state", G_CALLBACK (change_setting_state), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
  g_signal_connect (self->settings, signal, G_CALLBACK (on_setting_changed), self);
}

static void
on_show_details_changed (GSettings  *settings,
                         const char *key,
                         TsrWindow  *self)
{
  sync_state (self, key);
  update_details_visible (self);
}

static void
on_list_mode_changed (GSettings  *settings,
                      const char *key,
                      TsrWindow  *self)
{
  g_autofree char *mode = g_settings_get_string (settings, "list-mode");
  gboolean had_focus = gtk_widget_has_focus (GTK_WIDGET (self->column_view)) ||
                       gtk_widget_has_focus (GTK_WIDGET (self->list_view));

  sync_state (self, key);
  gtk_stack_set_visible_child_name (self->list_stack, mode);
  if (had_focus)
    _tsr_window_view_focus_list (self);
}

static const GActionEntry view_actions[] = {
  { "list-mode", NULL, "s", "'compact'", change_setting_state },
  { "show-details", activate_toggle, NULL, "true", change_setting_state },
};

void
_tsr_window_view_init (TsrWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = tsr_torrent_row_factory_new ();

  gtk_list_view_set_factory (self->list_view, factory);
  g_action_map_add_action_entries (G_ACTION_MAP (self), view_actions, G_N_ELEMENTS (view_actions), self);
  g_signal_connect (self->settings, "changed::list-mode", G_CALLBACK (on_list_mode_changed), self);
  g_signal_connect (self->settings, "changed::show-details", G_CALLBACK (on_show_details_changed), self);
  on_list_mode_changed (self->settings, "list-mode", self);
  sync_state (self, "show-details");
  /* Nothing selected yet: no pane, the list has the height. */
  gtk_widget_set_visible (GTK_WIDGET (self->details_view), FALSE);
  gtk_paned_set_position (self->paned, g_settings_get_int (self->settings, "details-pane-position"));
}

/* ------------------------------------------------------------------ */
/* Sorting                                                             */

/* The first label under @widget, itself included. */
static GtkLabel *
find_label (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget))
    return GTK_LABEL (widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The sort arrow under @widget: the widget styled "ascending" or
 * "descending", or NULL. */
static GtkWidget *
find_arrow (GtkWidget *widget)
{
  GtkWidget *child;

  if (gtk_widget_has_css_class (widget, "ascending") || gtk_widget_has_css_class (widget, "descending"))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_arrow (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The column whose header title is @title. */
static GtkColumnViewColumn *
column_of_title (TsrWindow *self,
                 GtkWidget *title)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  GtkLabel *label = find_label (title);
  guint i;

  for (i = 0; label != NULL && i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), gtk_label_get_text (label)) == 0)
        return column;   /* the view holds it */
    }
  return NULL;
}

/* The compact mode's header titles, one per column (GTK 4.8 keeps them
 * under the column view's first child). */
static GtkWidget *
first_title (TsrWindow *self)
{
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));

  return header != NULL ? gtk_widget_get_first_child (header) : NULL;
}

/* The column the headers sort by now, after a change from @previous (the
 * one the settings name), and its direction; NULL when no arrow shows.
 * GTK 4.8 has no call that says it
 * (gtk_column_view_sorter_get_primary_sort_column () is 4.10's) and
 * leaves a former primary column's arrow standing; but it always styles
 * the arrow of the column it sorts by, "ascending" or "descending": an
 * arrow on another column than @previous is the new one, else
 * @previous's tells its new direction. clear_other_arrows () keeps it to
 * at most those two. */
static GtkColumnViewColumn *
find_sorted_column (TsrWindow           *self,
                    GtkColumnViewColumn *previous,
                    gboolean            *descending)
{
  GtkColumnViewColumn *found = NULL;
  GtkWidget *title;

  for (title = first_title (self); title != NULL; title = gtk_widget_get_next_sibling (title))
    {
      GtkWidget *arrow = find_arrow (title);
      GtkColumnViewColumn *column = arrow != NULL ? column_of_title (self, title) : NULL;

      if (column == NULL || (found != NULL && column == previous))
        continue;
      found = column;
      *descending = gtk_widget_has_css_class (arrow, "descending");
      if (column != previous)
        break;
    }
  return found;
}

/* One arrow, on @primary: GTK 4.8 would leave the former one's too. */
static void
clear_other_arrows (TsrWindow           *self,
                    GtkColumnViewColumn *primary)
{
  GtkWidget *title;

  for (title = first_title (self); title != NULL; title = gtk_widget_get_next_sibling (title))
    {
      GtkWidget *arrow = find_arrow (title);

      if (arrow == NULL || column_of_title (self, title) == primary)
        continue;
      gtk_widget_remove_css_class (arrow, "ascending");
      gtk_widget_remove_css_class (arrow, "descending");
      gtk_widget_add_css_class (arrow, "unsorted");
    }
}

static GtkColumnViewColumn *
column_for_key (TsrWindow  *self,
                const char *key)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  guint i;

  for (i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (column), TSR_TORRENT_COLUMNS_SORT_KEY), key) == 0)
        return column;   /* the view holds it */
    }
  return NULL;
}

/* The settings to the headers, and so to the one sorted model. */
static void
apply_sort (TsrWindow *self)
{
  g_autofree char *key = g_settings_get_string (self->settings, "sort-by");
  gboolean descending = g_settings_get_boolean (self->settings, "sort-descending");
  GtkColumnViewColumn *column = column_for_key (self, key);

  if (column == NULL)
    return;
  self->applying_sort = TRUE;
  gtk_column_view_sort_by_column (self->column_view, column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  clear_other_arrows (self, column);
  self->applying_sort = FALSE;
}

static void
on_sort_setting_changed (GSettings  *settings,
                         const char *key,
                         TsrWindow  *self)
{
  apply_sort (self);
}

/* A header click to the settings, once the header shows it. A column the
 * menu does not offer (Labels) leaves them as they are. */
static gboolean
on_sort_idle (gpointer user_data)
{
  TsrWindow *self = user_data;
  g_autofree char *saved = g_settings_get_string (self->settings, "sort-by");
  gboolean descending = FALSE;
  GtkColumnViewColumn *column = find_sorted_column (self, column_for_key (self, saved), &descending);
  const char *key = column != NULL ? g_object_get_data (G_OBJECT (column), TSR_TORRENT_COLUMNS_SORT_KEY) : NULL;

  self->sort_idle = 0;
  if (column != NULL)
    clear_other_arrows (self, column);
  if (key == NULL)
    return G_SOURCE_REMOVE;
  if (!g_str_equal (key, saved))
    g_settings_set_string (self->settings, "sort-by", key);
  if (descending != g_settings_get_boolean (self->settings, "sort-descending"))
    g_settings_set_boolean (self->settings, "sort-descending", descending);
  return G_SOURCE_REMOVE;
}

static void
on_column_sorter_changed (GtkSorter       *sorter,
                          GtkSorterChange  change,
                          TsrWindow       *self)
{
  if (!self->applying_sort && self->sort_idle == 0)
    self->sort_idle = g_idle_add_full (G_PRIORITY_DEFAULT, on_sort_idle, self, NULL);
}

void
_tsr_window_view_sort_init (TsrWindow *self)
{
  tsr_torrent_columns_append_added (self->column_view, self->library);
  _tsr_window_add_setting_action (self, "sort-by");
  _tsr_window_add_setting_action (self, "sort-descending");
  g_signal_connect (self->settings, "changed::sort-by", G_CALLBACK (on_sort_setting_changed), self);
  g_signal_connect (self->settings, "changed::sort-descending", G_CALLBACK (on_sort_setting_changed), self);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_column_sorter_changed), self, 0);
  apply_sort (self);
}

/* Before the template goes: no setting reaches a closed window (this
 * takes every handler the window's files put on its settings, the
 * setting actions' too). */
void
_tsr_window_view_dispose (TsrWindow *self)
{
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  /* The headers go with the template: no sort change may come back. */
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  g_clear_handle_id (&self->sort_idle, g_source_remove);
  g_clear_object (&self->details_torrent);
}
