/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window.c: the main window: the torrent list (a column view over the
 * library's torrents, sortable, multi-select, with a context menu), the
 * details of the selected torrent below it, and the window actions that
 * the header bar, the menu and the shortcuts share: add a file or a
 * magnet link, start, stop, ask the tracker, open the folder, copy the
 * magnet link, remove, show a details page. Torrent files dropped on the
 * window are added.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-add-dialog.h"
#include "tsr-create-dialog.h"
#include "tsr-details-view.h"
#include "tsr-app-util.h"
#include "tessera-engine.h"
#include "tsr-portal.h"
#include "tsr-window.h"

struct _TsrWindow
{
  AdwApplicationWindow  parent_instance;
  GSettings            *settings;         /* (owned) */
  TsrLibrary           *library;          /* (owned) */
  GtkMultiSelection    *selection;        /* (owned) */
  GtkFileChooserNative *chooser;          /* (owned) (nullable) while open */
  AdwToastOverlay      *toast_overlay;    /* template child */
  GtkStack             *main_stack;       /* template child */
  GtkColumnView        *column_view;      /* template child */
  GtkPaned             *paned;            /* template child */
  GtkWidget            *create_button;    /* template child */
  TsrDetailsView       *details_view;     /* template child */
  GMenuModel           *torrent_menu;     /* template child */
  GtkLabel             *status_label;     /* template child */
  guint                 status_timer;
};

G_DEFINE_FINAL_TYPE (TsrWindow, tsr_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_LIBRARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Cells                                                               */

typedef enum
{
  CELL_LABEL,          /* text, start-aligned */
  CELL_NUMBER,         /* text, end-aligned, tabular figures */
  CELL_PROGRESS,
} CellKind;

typedef struct
{
  const char *title;
  const char *property;     /* TsrTorrent property shown */
  GCallback   format;       /* (nullable) property value → text */
  GType       value_type;
  CellKind    kind;
  gboolean    expand;
} ColumnSpec;

static char *
format_state_cell (gpointer unused,
                   int      state)
{
  return g_strdup (tsr_format_state (state));
}

static char *
format_size_cell (gpointer unused,
                  guint64  size)
{
  return g_format_size (size);
}

static char *
format_rate_cell (gpointer unused,
                  guint64  rate)
{
  return rate == 0 ? g_strdup ("") : tsr_format_rate (rate);
}

static char *
format_count_cell (gpointer unused,
                   guint    count)
{
  return g_strdup_printf ("%u", count);
}

static char *
format_ratio_cell (gpointer unused,
                   gdouble  ratio)
{
  return g_strdup_printf ("%.2f", ratio);
}

static char *
format_eta_cell (gpointer unused,
                 gint64   eta)
{
  return eta < 0 ? g_strdup ("") : tsr_format_duration (eta);
}

static const ColumnSpec columns[] = {
  { N_("Name"), "name", NULL, G_TYPE_STRING, CELL_LABEL, TRUE },
  { N_("Progress"), "progress", NULL, G_TYPE_DOUBLE, CELL_PROGRESS, FALSE },
  { N_("State"), "state", G_CALLBACK (format_state_cell), G_TYPE_INT, CELL_LABEL, FALSE },
  { N_("Size"), "size", G_CALLBACK (format_size_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE },
  { N_("Down"), "down-rate", G_CALLBACK (format_rate_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE },
  { N_("Up"), "up-rate", G_CALLBACK (format_rate_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE },
  { N_("Peers"), "n-peers", G_CALLBACK (format_count_cell), G_TYPE_UINT, CELL_NUMBER, FALSE },
  { N_("Seeds"), "n-seeds", G_CALLBACK (format_count_cell), G_TYPE_UINT, CELL_NUMBER, FALSE },
  { N_("Ratio"), "ratio", G_CALLBACK (format_ratio_cell), G_TYPE_DOUBLE, CELL_NUMBER, FALSE },
  { N_("ETA"), "eta", G_CALLBACK (format_eta_cell), G_TYPE_INT64, CELL_NUMBER, FALSE },
};

/* Cells bind once, in setup: the expression follows the row's item and
 * the torrent's notifications. */
static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               const ColumnSpec         *spec)
{
  GtkExpression *torrent = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *value = gtk_property_expression_new (TSR_TYPE_TORRENT, torrent, spec->property);
  GtkWidget *child;

  if (spec->kind == CELL_PROGRESS)
    {
      child = gtk_progress_bar_new ();
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (child, 100, -1);
      gtk_expression_bind (value, child, "fraction", item);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (child), spec->kind == CELL_NUMBER ? 1.0f : 0.0f);
      if (spec->kind == CELL_NUMBER)
        gtk_widget_add_css_class (child, "numeric");
      if (spec->format != NULL)
        value = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &value, spec->format, NULL, NULL);
      gtk_expression_bind (value, child, "label", item);
    }
  gtk_list_item_set_child (item, child);
}

static GtkSorter *
column_sorter (const ColumnSpec *spec)
{
  GtkExpression *value = gtk_property_expression_new (TSR_TYPE_TORRENT, NULL, spec->property);

  if (spec->value_type == G_TYPE_STRING)
    return GTK_SORTER (gtk_string_sorter_new (value));
  return GTK_SORTER (gtk_numeric_sorter_new (value));
}

static void
build_columns (TsrWindow *self)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = column_sorter (&columns[i]);

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), (gpointer) &columns[i]);
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      if (columns[i].expand)
        gtk_column_view_column_set_fixed_width (column, 240);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
    }
}

/* ------------------------------------------------------------------ */
/* Selection                                                           */

/* The selected torrents (element-type TsrTorrent), in list order. */
static GPtrArray *
dup_selected (TsrWindow *self)
{
  GPtrArray *selected = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_iter_init_first (&iter, set, &position))
    do
      g_ptr_array_add (selected, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
    while (gtk_bitset_iter_next (&iter, &position));
  return selected;
}

static void
update_actions (TsrWindow *self)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);
  gboolean any = selected->len > 0;
  static const char *names[] = { "start", "stop", "announce", "verify", "open-folder", "copy-magnet", "remove" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), any);
    }
  tsr_details_view_set_torrent (self->details_view,
                                selected->len == 1 ? g_ptr_array_index (selected, 0) : NULL);
}

static void
on_selection_changed (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      TsrWindow         *self)
{
  update_actions (self);
}

/* A magnet added with "ask before adding" has its files now: the add
 * dialog, for them and the folder. */
static void
on_magnet_metadata (TsrTorrent *torrent,
                    TsrWindow  *self)
{
  g_autofree char *folder = NULL;
  GtkWidget *dialog;

  if (!tsr_library_asks_after_metadata (torrent))
    return;
  folder = g_strdup (tsr_torrent_get_folder (torrent));
  dialog = tsr_add_dialog_new_for_torrent (GTK_WINDOW (self), self->library, torrent, folder,
                                           !g_settings_get_boolean (self->settings, "start-paused"));
  gtk_window_present (GTK_WINDOW (dialog));
  tsr_app_event ("add-dialog %s", tsr_torrent_get_metainfo (torrent)->display_name);
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
          g_signal_connect_object (torrent, "metadata-received", G_CALLBACK (on_magnet_metadata), self, 0);
        }
    }
  gtk_stack_set_visible_child_name (self->main_stack, g_list_model_get_n_items (model) > 0 ? "list" : "empty");
  update_actions (self);
}

/* ------------------------------------------------------------------ */
/* Adding                                                              */

static char *
default_folder (TsrWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "download-folder");
  const char *downloads;

  if (folder[0] != '\0')
    return g_steal_pointer (&folder);
  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  return g_strdup (downloads != NULL ? downloads : g_get_home_dir ());
}

gboolean
tsr_window_add_file (TsrWindow  *self,
                     GFile      *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *folder = default_folder (self);
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Only local torrent files can be added, not “%s”"), uri);

      tsr_window_add_toast (self, message);
      return FALSE;
    }
  if (g_settings_get_boolean (self->settings, "ask-where-to-save"))
    {
      g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_file (path, &error);

      if (info == NULL)
        {
          tsr_window_add_toast (self, error->message);
          return FALSE;
        }
      GtkWidget *dialog = tsr_add_dialog_new (GTK_WINDOW (self), self->library, path, info, folder,
                                              !g_settings_get_boolean (self->settings, "start-paused"));

      gtk_window_present (GTK_WINDOW (dialog));
      tsr_app_event ("add-dialog %s", info->display_name);
      return TRUE;
    }
  torrent = tsr_library_add_file (self->library, path, folder,
                                  g_settings_get_boolean (self->settings, "start-paused"), NULL, &error);
  if (torrent == NULL)
    {
      tsr_window_add_toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
tsr_window_add_magnet (TsrWindow  *self,
                       const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = default_folder (self);
  gboolean ask = g_settings_get_boolean (self->settings, "ask-where-to-save");
  /* Asking: it fetches its metainfo at once, then waits for the dialog. */
  TsrTorrent *torrent = tsr_library_add_magnet (self->library, uri, folder,
                                                !ask && g_settings_get_boolean (self->settings, "start-paused"),
                                                &error);

  if (torrent == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot add the magnet link: %s"), error->message);

      tsr_window_add_toast (self, message);
      return FALSE;
    }
  if (ask)
    tsr_library_ask_after_metadata (self->library, torrent);
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     TsrWindow       *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint i;

      for (i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          tsr_window_add_file (self, file);
        }
    }
  g_clear_object (&self->chooser);
}

static void
add_torrent_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  TsrWindow *self = user_data;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Add Torrent Files"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Torrent files"));
  gtk_file_filter_add_mime_type (filter, "application/x-bittorrent");
  gtk_file_filter_add_suffix (filter, "torrent");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_magnet_response (AdwMessageDialog *dialog,
                    const char       *response,
                    TsrWindow        *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (g_str_equal (response, "add"))
    tsr_window_add_magnet (self, gtk_editable_get_text (entry));
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GtkEditable) entry = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  if (text != NULL && g_str_has_prefix (g_strstrip (text), "magnet:") && gtk_editable_get_text (entry)[0] == '\0')
    gtk_editable_set_text (entry, text);
}

static void
add_magnet_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  TsrWindow *self = user_data;
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Add a Magnet Link"), NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "magnet:?xt=urn:btih:…");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Magnet link"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_magnet_response), self);
  /* Prefilled when the clipboard holds a magnet link. */
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL, on_clipboard_text, g_object_ref (entry));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Files dropped with Ctrl held, or on the create button, are to be
 * shared: the creation dialog opens with them. */
static gboolean
to_share (GtkDropTarget *target,
          const GValue  *value)
{
  GdkModifierType modifiers = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (target));

  return G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) &&
         ((modifiers & GDK_CONTROL_MASK) != 0 || g_object_get_data (G_OBJECT (target), "create") != NULL);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         TsrWindow     *self)
{
  if (to_share (target, value))
    {
      GtkWidget *dialog = tsr_window_open_create_dialog (self, NULL);

      return tsr_create_dialog_set_files (TSR_CREATE_DIALOG (dialog), g_value_get_boxed (value));
    }
  return tsr_window_drop (self, value);
}

gboolean
tsr_window_drop (TsrWindow    *self,
                 const GValue *value)
{
  gboolean any = FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      GSList *l;

      for (l = files; l != NULL; l = l->next)
        any |= tsr_window_add_file (self, l->data);
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_STRING))
    {
      g_autofree char *text = g_strstrip (g_value_dup_string (value));

      if (g_str_has_prefix (text, "magnet:"))
        any = tsr_window_add_magnet (self, text);
    }
  return any;
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
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "torrents", selected, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The torrent menu, pointing at (@x, @y) in the list. */
static void
popup_torrent_menu (TsrWindow *self,
                    double     x,
                    double     y)
{
  GtkWidget *popover;

  if (!gtk_widget_is_sensitive (GTK_WIDGET (self->column_view)))
    return;
  popover = gtk_popover_menu_new_from_model (self->torrent_menu);
  gtk_widget_set_parent (popover, GTK_WIDGET (self->column_view));
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
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), controller);
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
  sorted = gtk_sort_list_model_new (g_object_ref (torrents),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (sorted));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
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

static gboolean
on_status_timer (gpointer user_data)
{
  TsrWindow *self = user_data;
  g_autofree char *text = tsr_window_format_status (self->library);

  gtk_label_set_text (self->status_label, text);
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
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_WINDOW);
  g_clear_object (&self->selection);
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
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/tsr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, details_view);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, TsrWindow, torrent_menu);

}

static void
create_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  tsr_window_open_create_dialog (user_data, NULL);
}

GtkWidget *
tsr_window_open_create_dialog (TsrWindow  *self,
                               const char *path)
{
  GtkWidget *dialog = tsr_create_dialog_new (GTK_WINDOW (self), self->library);

  gtk_window_present (GTK_WINDOW (dialog));
  if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      GSList one = { file, NULL };

      tsr_create_dialog_set_files (TSR_CREATE_DIALOG (dialog), &one);
    }
  return dialog;
}

static void
show_page_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TsrWindow *self = user_data;

  tsr_details_view_show_page (self->details_view, g_variant_get_string (parameter, NULL));
}

static const GActionEntry window_actions[] = {
  { "add-torrent", add_torrent_action },
  { "create", create_action },
  { "add-magnet", add_magnet_action },
  { "start", start_action },
  { "stop", stop_action },
  { "announce", announce_action },
  { "verify", verify_action },
  { "open-folder", open_folder_action },
  { "copy-magnet", copy_magnet_action },
  { "remove", remove_action },
  { "show-page", show_page_action, "s" },
};

static void
tsr_window_init (TsrWindow *self)
{
  GtkDropTarget *drop;
  GtkGesture *click;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_widget_init_template (GTK_WIDGET (self));
  build_columns (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions), self);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_object_set_data (G_OBJECT (drop), "create", GINT_TO_POINTER (TRUE));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (self->create_button, GTK_EVENT_CONTROLLER (drop));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_list_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (click));
  add_list_shortcuts (self);

  /* The list gets a third of the height, the details the rest. */
  gtk_paned_set_position (self->paned, 200);
  self->settings = g_settings_new (APP_ID);
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
  return g_object_new (TSR_TYPE_WINDOW, "application", application, "library", library, NULL);
}

void
tsr_window_add_toast (TsrWindow  *self,
                      const char *message)
{
  g_return_if_fail (TSR_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
