/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window.c: the main window: the torrent list (a column view over the
 * library's torrents, sortable, multi-select, with a context menu; its
 * columns are tsr-torrent-columns.c's), the status line, and the torrent
 * actions that the header bar, the menu and the shortcuts share: start,
 * stop, ask the tracker, verify, open the folder, copy the magnet link,
 * remove, show a details page. What comes in (files and magnet links to
 * add, files to share, drops) is tsr-window-add.c's; finding and
 * organising (the sidebar, the search, labels) tsr-window-find.c's; the
 * list's detailed mode and the details pane under it tsr-window-view.c's,
 * all over the same struct (tsr-window-private.h).
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tsr-a11y.h"
#include "tsr-alt-speed.h"
#include "tsr-app-util.h"
#include "tsr-move-dialog.h"
#include "tsr-options-window.h"
#include "tsr-portal.h"
#include "tsr-torrent-columns.h"
#include "tsr-trackers-dialog.h"
#include "tsr-window-private.h"

G_DEFINE_FINAL_TYPE (TsrWindow, tsr_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_LIBRARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Selection                                                           */

/* The selected torrents (element-type TsrTorrent), in list order
 * (tsr-window-find.c's, where the labels dialog needs them too). */
static GPtrArray *
dup_selected (TsrWindow *self)
{
  return _tsr_window_dup_selected (self);
}

static void
update_actions (TsrWindow *self)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);
  gboolean any = selected->len > 0;
  static const char *names[] = { "start", "stop", "announce", "verify", "open-folder", "copy-magnet", "labels",
                                 "remove", "queue-top", "queue-up", "queue-down", "queue-bottom", "options",
                                 "move-data" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), any);
    }
  /* One torrent's list at a time. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "edit-trackers")),
                               selected->len == 1);
  _tsr_window_view_show_torrent (self, selected->len == 1 ? g_ptr_array_index (selected, 0) : NULL);
}

static void
on_selection_changed (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      TsrWindow         *self)
{
  update_actions (self);
}

static void
on_torrents_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     TsrWindow  *self)
{
  guint i;

  /* A magnet's details come with its metainfo: show them then if selected. */
  for (i = position; i < position + added; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (model, i);

      if (!tsr_torrent_has_metainfo (torrent))
        {
          g_signal_connect_object (torrent, "metadata-received", G_CALLBACK (update_actions), self,
                                   G_CONNECT_SWAPPED);
          _tsr_window_add_watch_magnet (self, torrent);
        }
    }
  gtk_stack_set_visible_child_name (self->main_stack, g_list_model_get_n_items (model) > 0 ? "list" : "empty");
  update_actions (self);
}

/* ------------------------------------------------------------------ */
/* Torrent actions                                                     */

/* Calls @func (library, torrent) for each selected torrent. */
static void
each_selected (TsrWindow *self,
               void     (*func) (TsrLibrary *library, TsrTorrent *torrent))
{
  g_autoptr(GPtrArray) selected = dup_selected (self);
  guint i;

  for (i = 0; i < selected->len; i++)
    func (self->library, g_ptr_array_index (selected, i));
}

static void
verify (TsrLibrary *library,
        TsrTorrent *torrent)
{
  tsr_torrent_verify (torrent);
}

static void
start_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  each_selected (user_data, tsr_library_start);
}

static void
stop_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  each_selected (user_data, tsr_library_stop);
}

static void
verify_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  each_selected (user_data, verify);
}

static void
announce_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GPtrArray) selected = dup_selected (self);
  guint asked = 0;
  guint i;

  for (i = 0; i < selected->len; i++)
    asked += tsr_torrent_announce_now (g_ptr_array_index (selected, i)) ? 1 : 0;
  if (asked == 0)
    tsr_window_add_toast (self, _("No running tracker to ask: start the torrent first"));
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GPtrArray) selected = dup_selected (self);

  if (selected->len > 0)
    tsr_open_folder (GTK_WINDOW (self), tsr_torrent_get_folder (g_ptr_array_index (selected, 0)));
}

static void
copy_magnet_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GPtrArray) selected = dup_selected (self);
  g_autoptr(GString) text = g_string_new (NULL);
  guint i;

  for (i = 0; i < selected->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (selected, i);
      g_autofree char *uri = tsr_torrent_dup_magnet_uri (torrent);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, uri);
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text->str);
  tsr_window_add_toast (self, g_dngettext (NULL, "Magnet link copied", "Magnet links copied", selected->len));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    TsrWindow        *self)
{
  GPtrArray *selected = g_object_get_data (G_OBJECT (dialog), "torrents");
  gboolean delete_data = g_str_equal (response, "delete");
  guint i;

  if (!g_str_equal (response, "remove") && !delete_data)
    return;
  for (i = 0; i < selected->len; i++)
    tsr_library_remove (self->library, g_ptr_array_index (selected, i), delete_data);
}

static void
remove_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  TsrWindow *self = user_data;
  GPtrArray *selected = dup_selected (self);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (selected->len == 0)
    {
      g_ptr_array_unref (selected);
      return;
    }
  if (selected->len == 1)
    heading = g_strdup_printf (_("Remove “%s”?"), tsr_torrent_get_name (g_ptr_array_index (selected, 0)));
  else
    heading = g_strdup_printf (g_dngettext (NULL, "Remove %u torrent?", "Remove %u torrents?", selected->len),
                               selected->len);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Removing keeps the downloaded files unless you delete them too."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "delete",
                                    _("_Delete Files"), "remove", _("_Remove"), NULL);
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "torrents", selected, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The torrent menu, pointing at (@x, @y) in the list (either mode's:
 * the stack holding both). */
static void
popup_torrent_menu (TsrWindow *self,
                    double     x,
                    double     y)
{
  GtkWidget *popover;

  if (!gtk_widget_is_sensitive (GTK_WIDGET (self->list_stack)))
    return;
  popover = gtk_popover_menu_new_from_model (self->torrent_menu);
  gtk_widget_set_parent (popover, GTK_WIDGET (self->list_stack));
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
on_list_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 TsrWindow       *self)
{
  popup_torrent_menu (self, x, y);
}

/* Shift+F10 or the Menu key: the torrent menu, below the focused row. */
static gboolean
on_list_menu_key (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  TsrWindow *self = user_data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  graphene_rect_t bounds;

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget) &&
      gtk_widget_compute_bounds (focus, widget, &bounds))
    popup_torrent_menu (self, bounds.origin.x + 12, bounds.origin.y + bounds.size.height);
  else
    popup_torrent_menu (self, 12, 12);
  return TRUE;
}

/* Keys for the torrent list only, where no text is typed: as application
 * accelerators, Delete would remove torrents while a limit is edited. */
static void
add_list_shortcuts (TsrWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  /* The shortcuts test lists the "tsr-" controllers' keys. */
  gtk_event_controller_set_name (controller, "tsr-list-shortcuts");
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("win.remove")));
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_alternative_trigger_new (
                                                            gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK),
                                                            gtk_keyval_trigger_new (GDK_KEY_Menu, 0)),
                                                          gtk_callback_action_new (on_list_menu_key, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->list_stack), controller);
}

/* ------------------------------------------------------------------ */
/* Window                                                              */

/* The Background portal's answer. "No" (the user turned background
 * running off for Tessera) means quit, as an app without the preference
 * would; no portal at all (a desktop without one) means go on. */
static void
on_background_answer (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GApplication) app = user_data;
  g_autoptr(GError) error = NULL;

  if (tsr_portal_request_background_finish (G_DBUS_CONNECTION (source), result, &error))
    return;
  if (error != NULL)
    {
      g_debug ("No Background portal: %s", error->message);
      return;
    }
  g_message ("Running in the background was refused: quitting");
  g_application_quit (app);
}

static gboolean
tsr_window_close_request (GtkWindow *window)
{
  TsrWindow *self = TSR_WINDOW (window);
  int width = 0;
  int height = 0;

  /* The default size is the unmaximized size, which is what to restore. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  _tsr_window_view_save (self);
  /* Kept alive, hidden: the torrents go on, and opening Tessera again
   * (or a torrent file) shows this window. */
  if (g_settings_get_boolean (self->settings, "run-in-background"))
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (window));
      GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;

      gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
      /* The desktop lists us among the apps running in the background,
       * and inside Flatpak this is what lets us go on. */
      if (bus != NULL)
        tsr_portal_request_background_async (bus, _("Tessera goes on downloading and seeding with its window "
                                                    "closed"), NULL, on_background_answer, g_object_ref (app));
      return TRUE;
    }
  return GTK_WINDOW_CLASS (tsr_window_parent_class)->close_request (window);
}

static void
on_priorities_changed (TsrDetailsView *view,
                       TsrWindow      *self)
{
  TsrTorrent *torrent = tsr_details_view_get_torrent (view);

  if (torrent != NULL)
    tsr_library_torrent_changed (self->library, torrent);
  else
    tsr_library_save_soon (self->library);
}

static gboolean on_status_timer (gpointer user_data);

static void
tsr_window_constructed (GObject *object)
{
  TsrWindow *self = TSR_WINDOW (object);
  GListModel *torrents = tsr_library_get_torrents (self->library);
  GtkSortListModel *sorted;

  G_OBJECT_CLASS (tsr_window_parent_class)->constructed (object);
  _tsr_window_queue_init (self);
  sorted = gtk_sort_list_model_new (_tsr_window_find_filter (self, torrents),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (sorted));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  _tsr_window_view_sort_init (self);
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self, 0);
  g_signal_connect_object (self->details_view, "priorities-changed", G_CALLBACK (on_priorities_changed), self, 0);
  on_status_timer (self);
  self->status_timer = g_timeout_add_seconds (1, on_status_timer, self);
  tsr_details_view_set_library (self->details_view, self->library);
  g_signal_connect_object (torrents, "items-changed", G_CALLBACK (on_torrents_changed), self, 0);
  on_torrents_changed (torrents, 0, 0, 0, self);
}

static void
tsr_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  TsrWindow *self = TSR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LIBRARY:
      self->library = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ------------------------------------------------------------------ */
/* Status line                                                         */

/* The session at a glance under the list: rates over all torrents,
 * peers, the DHT and whether the router forwards the listening port. */
char *
tsr_window_format_status (TsrLibrary *library)
{
  TsrSession *session = tsr_library_get_session (library);
  GListModel *torrents = tsr_library_get_torrents (library);
  TsrDht *dht = tsr_session_get_dht (session);
  TsrPortMap *map = tsr_session_get_port_map (session);
  guint16 port = tsr_session_get_port (session);
  guint64 down = 0;
  guint64 up = 0;
  guint peers = tsr_session_get_n_connections (session);
  g_autofree char *down_text = NULL;
  g_autofree char *up_text = NULL;
  g_autofree char *rates = NULL;
  g_autofree char *peers_text = NULL;
  g_autofree char *dht_text = NULL;
  g_autofree char *port_text = NULL;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      down += tsr_torrent_get_down_rate (torrent);
      up += tsr_torrent_get_up_rate (torrent);
    }
  down_text = tsr_format_rate (down);
  up_text = tsr_format_rate (up);
  /* TRANSLATORS: the download and upload rates over all torrents */
  rates = g_strdup_printf (_("↓ %s  ↑ %s"), down_text, up_text);
  peers_text = g_strdup_printf (g_dngettext (NULL, "%u peer", "%u peers", peers), peers);
  if (dht != NULL)
    {
      guint nodes = tsr_dht_get_n_nodes (dht);

      dht_text = g_strdup_printf (g_dngettext (NULL, "DHT: %u node", "DHT: %u nodes", nodes), nodes);
    }
  else
    dht_text = g_strdup (_("DHT off"));
  if (port == 0)
    port_text = g_strdup (_("Not listening"));
  else if (map == NULL)
    /* TRANSLATORS: the listening port, not forwarded on the router (port mapping is off) */
    port_text = g_strdup_printf (_("Port %u"), port);
  else
    switch (tsr_port_map_get_state (map))
      {
      case TSR_PORT_MAP_MAPPED:
        /* TRANSLATORS: the listening port, forwarded by the router: the method (UPnP, NAT-PMP), then the
         * router's external address and port */
        port_text = g_strdup_printf (_("Port %u forwarded (%s, %s:%u)"), port, tsr_port_map_get_method (map),
                                     tsr_port_map_get_external_address (map), tsr_port_map_get_external_port (map));
        break;
      case TSR_PORT_MAP_FAILED:
        /* TRANSLATORS: the listening port, and why the router does not forward it */
        port_text = g_strdup_printf (_("Port %u not forwarded: %s"), port, tsr_port_map_get_error (map));
        break;
      case TSR_PORT_MAP_SEARCHING:
      default:
        port_text = g_strdup_printf (_("Port %u: asking the router"), port);
        break;
      }
  /* TRANSLATORS: the parts of the status line: rates, peers, DHT, port */
  return g_strdup_printf (_("%s · %s · %s · %s"), rates, peers_text, dht_text, port_text);
}

/* The alternative limits, while they are on, beside the status line. */
static void
update_alt_speed (TsrWindow *self)
{
  g_autofree char *text = tsr_alt_speed_format_status (g_settings_get_uint (self->settings, "alt-speed-down"),
                                                       g_settings_get_uint (self->settings, "alt-speed-up"));

  gtk_label_set_text (self->alt_speed_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->alt_speed_label),
                          g_settings_get_boolean (self->settings, "alt-speed-enabled"));
}

/* The session's rates into the graph's ring, which runs whether or not
 * the graph is shown (summing 5,000 torrents a second is cheap); the
 * graph draws only while its popover is open. */
static void
sample_speed (TsrWindow *self)
{
  GListModel *torrents = tsr_library_get_torrents (self->library);
  guint64 down = 0;
  guint64 up = 0;
  guint64 down_limit = 0;
  guint64 up_limit = 0;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      down += tsr_torrent_get_down_rate (torrent);
      up += tsr_torrent_get_up_rate (torrent);
    }
  tsr_alt_speed_get_limits (self->settings, &up_limit, &down_limit);
  tsr_speed_graph_set_limits (self->session_graph, down_limit, up_limit);
  tsr_speed_history_push (self->session_speed, down, up);
}

static gboolean
on_status_timer (gpointer user_data)
{
  TsrWindow *self = user_data;
  g_autofree char *text = tsr_window_format_status (self->library);

  gtk_label_set_text (self->status_label, text);
  sample_speed (self);
  return G_SOURCE_CONTINUE;
}

static void
tsr_window_dispose (GObject *object)
{
  TsrWindow *self = TSR_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_handle_id (&self->status_timer, g_source_remove);
  _tsr_window_find_dispose (self);
  _tsr_window_view_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->session_speed);
  g_clear_object (&self->settings);
  g_clear_object (&self->library);
  G_OBJECT_CLASS (tsr_window_parent_class)->dispose (object);
}

static void
tsr_window_class_init (TsrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = tsr_window_constructed;
  object_class->set_property = tsr_window_set_property;
  object_class->dispose = tsr_window_dispose;
  window_class->close_request = tsr_window_close_request;

  properties[PROP_LIBRARY] = g_param_spec_object ("library", NULL, NULL, TSR_TYPE_LIBRARY,
                                                  G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TSR_TYPE_DETAILS_VIEW);
  g_type_ensure (TSR_TYPE_SPEED_GRAPH);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tsr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, details_view);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, alt_speed_label);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, session_graph);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, torrent_menu);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, search_button);
}

static void
show_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TsrWindow *self = user_data;

  /* Asking for a page (Alt+1…8) asks for the pane too, if F9 hid it. */
  g_settings_set_boolean (self->settings, "show-details", TRUE);
  tsr_details_view_show_page (self->details_view, g_variant_get_string (parameter, NULL));
}

/* The selected torrents' own options (the first's shown). */
static void
options_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GPtrArray) selected = dup_selected (self);
  GtkWidget *window;

  if (selected->len == 0)
    return;
  window = tsr_options_window_new (self->library, selected, self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_move_folder_chosen (GtkNativeDialog *dialog,
                       int              response,
                       TsrWindow       *self)
{
  GPtrArray *selected = g_object_get_data (G_OBJECT (dialog), "torrents");
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  GtkWidget *window;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  path = folder != NULL ? g_file_get_path (folder) : NULL;
  if (path != NULL)
    {
      window = tsr_move_dialog_new (self->library, selected, path);
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
      gtk_window_present (GTK_WINDOW (window));
    }
  g_clear_object (&self->chooser);
}

/* The selected torrents' data to a folder chosen now, with progress. */
static void
move_data_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TsrWindow *self = user_data;
  GPtrArray *selected = dup_selected (self);
  g_autoptr(GFile) start = NULL;

  if (self->chooser != NULL || selected->len == 0)
    {
      g_ptr_array_unref (selected);
      return;
    }
  self->chooser = gtk_file_chooser_native_new (_("Move Data To"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Move"), _("_Cancel"));
  /* It starts where the (first) data is: a person moves it from there,
   * and "Move" at once leaves it in place. */
  start = g_file_new_for_path (tsr_torrent_get_folder (g_ptr_array_index (selected, 0)));
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), start, NULL);
  g_object_set_data_full (G_OBJECT (self->chooser), "torrents", selected, (GDestroyNotify) g_ptr_array_unref);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_move_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

GtkWidget *
tsr_window_open_trackers_dialog (TsrWindow *self)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);

  if (selected->len != 1)
    return NULL;
  return tsr_trackers_dialog_new (GTK_WINDOW (self), self->toast_overlay, self->library,
                                  g_ptr_array_index (selected, 0));
}

static void
edit_trackers_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  tsr_window_open_trackers_dialog (user_data);
}

static const GActionEntry window_actions[] = {
  { "start", start_action },
  { "stop", stop_action },
  { "announce", announce_action },
  { "verify", verify_action },
  { "open-folder", open_folder_action },
  { "copy-magnet", copy_magnet_action },
  { "remove", remove_action },
  { "options", options_action },
  { "move-data", move_data_action },
  { "edit-trackers", edit_trackers_action },
  { "show-page", show_page_action, "s" },
};

static void
tsr_window_init (TsrWindow *self)
{
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_torrent_columns_append (self->column_view);
  tsr_a11y_name_column_view (self->column_view, _("Torrents"));

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions), self);
  _tsr_window_add_init (self);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_list_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_stack), GTK_EVENT_CONTROLLER (click));
  add_list_shortcuts (self);

  self->settings = g_settings_new (APP_ID);
  _tsr_window_view_init (self);
  self->session_speed = tsr_speed_history_new (TSR_SPEED_HISTORY_DEFAULT_CAPACITY);
  tsr_speed_graph_set_history (self->session_graph, self->session_speed);
  _tsr_window_find_init (self);
  /* The turtle: the header bar's toggle is the setting itself. */
  _tsr_window_add_setting_action (self, "alt-speed-enabled");
  g_signal_connect_object (self->settings, "changed::alt-speed-enabled", G_CALLBACK (update_alt_speed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::alt-speed-down", G_CALLBACK (update_alt_speed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::alt-speed-up", G_CALLBACK (update_alt_speed), self,
                           G_CONNECT_SWAPPED);
  update_alt_speed (self);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

void
tsr_window_show (TsrWindow  *self,
                 guint       position,
                 const char *page)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  tsr_details_view_show_page (self->details_view, page);
}

gboolean
tsr_window_save_png (TsrWindow   *self,
                     const char  *path,
                     GError     **error)
{
  return tsr_widget_save_png (GTK_WIDGET (self), path, error);
}

TsrWindow *
tsr_window_new (AdwApplication *application,
                TsrLibrary     *library)
{
  TsrWindow *window = g_object_new (TSR_TYPE_WINDOW, "application", application, "library", library, NULL);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));

  /* The application gave the window its shortcuts window (gtk/help-overlay.ui). */
  if (overlay != NULL)
    tsr_a11y_fix_shortcuts_window (overlay);
  return window;
}

void
tsr_window_add_toast (TsrWindow  *self,
                      const char *message)
{
  g_return_if_fail (TSR_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
