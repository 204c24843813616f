/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-view.c: how the main window lays out its list and details
 * (issue 23, "See"): the list in a compact mode (tsr-torrent-columns.c's
 * column view, one line per torrent) or a detailed one (a list view of
 * tsr-torrent-row.c's two-line rows), both over the window's one
 * selection model, so search, sidebar, selection, menus and queue keys
 * act the same in either; and the details pane under the list, which
 * shows only when exactly one torrent with metainfo is selected and
 * "show-details" (F9) is on, with its divider kept in GSettings. The
 * window's own file (tsr-window-private.h): tsr-window.c calls in.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

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

  g_settings_set_value (self->settings, g_action_get_name (G_ACTION (action)), value);
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

/* Before the template goes: no setting reaches a closed window. */
void
_tsr_window_view_dispose (TsrWindow *self)
{
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->details_torrent);
}
