/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window-find.c: finding and organising torrents in the main window
 * (its struct is tsr-window-private.h's): the sidebar of groups with
 * their counts (TsrTorrentGroups), the search bar (Ctrl+F; Escape closes
 * and clears it), the one filter both drive (TsrTorrentFilter), and the
 * "Labels…" dialog of the torrent menu.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-label-chooser.h"
#include "tsr-stall-probe.h"
#include "tsr-torrent-columns.h"
#include "tsr-window-private.h"

/* ------------------------------------------------------------------ */
/* Sidebar                                                             */

static gboolean
count_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      unused)
{
  g_value_take_string (to, g_strdup_printf ("%u", g_value_get_uint (from)));
  return TRUE;
}

/* The row as a screen reader says it: "Seeding, 3 torrents" (the two
 * labels of the row would be read as two unrelated texts). */
static void
update_row_name (TsrTorrentGroup *group,
                 GParamSpec      *pspec,
                 GtkWidget       *row)
{
  guint count = tsr_torrent_group_get_count (group);
  g_autofree char *name = NULL;

  /* TRANSLATORS: a row of the sidebar: a state, tracker host or label, and how many torrents are in it */
  name = g_strdup_printf (g_dngettext (NULL, "%s, %u torrent", "%s, %u torrents", count),
                          tsr_torrent_group_get_title (group), count);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  if (pspec != NULL)
    tsr_stall_probe_sidebar_update ();   /* a count moved, not the row's making */
}

static GtkWidget *
create_group_row (gpointer item,
                  gpointer unused)
{
  TsrTorrentGroup *group = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (tsr_torrent_group_get_title (group));
  GtkWidget *count = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  g_object_bind_property_full (group, "count", count, "label", G_BINDING_SYNC_CREATE, count_to_text, NULL, NULL,
                               NULL);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  update_row_name (group, NULL, row);
  g_signal_connect_object (group, "notify::count", G_CALLBACK (update_row_name), row, 0);
  return row;
}

/* A heading over the first tracker row and the first label row. */
static void
update_group_header (GtkListBoxRow *row,
                     GtkListBoxRow *before,
                     gpointer       user_data)
{
  TsrWindow *self = user_data;
  GListModel *model = tsr_torrent_groups_get_model (self->groups);
  g_autoptr(TsrTorrentGroup) group = g_list_model_get_item (model, (guint) gtk_list_box_row_get_index (row));
  g_autoptr(TsrTorrentGroup) previous = before != NULL
    ? g_list_model_get_item (model, (guint) gtk_list_box_row_get_index (before)) : NULL;
  TsrGroupKind kind = group != NULL ? tsr_torrent_group_get_kind (group) : TSR_GROUP_ALL;
  GtkWidget *header;

  if (kind < TSR_GROUP_N_STATES || (previous != NULL && tsr_torrent_group_get_kind (previous) == kind))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  header = gtk_label_new (kind == TSR_GROUP_TRACKER ? _("Trackers") : _("Labels"));
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_list_box_row_set_header (row, header);
}

static void
on_sidebar_row_selected (GtkListBox    *list,
                         GtkListBoxRow *row,
                         TsrWindow     *self)
{
  g_autoptr(TsrTorrentGroup) group = NULL;

  if (row == NULL)
    {
      /* The chosen host or label went with its last torrent: back to All. */
      gtk_list_box_select_row (list, gtk_list_box_get_row_at_index (list, 0));
      return;
    }
  group = g_list_model_get_item (tsr_torrent_groups_get_model (self->groups),
                                 (guint) gtk_list_box_row_get_index (row));
  tsr_torrent_filter_set_group (self->filter, group);
}

/* ------------------------------------------------------------------ */
/* Search                                                              */

static void
on_search_changed (GtkEditable *entry,
                   TsrWindow   *self)
{
  tsr_torrent_filter_set_search (self->filter, gtk_editable_get_text (entry));
}

static void
on_search_mode_changed (GtkSearchBar *bar,
                        GParamSpec   *pspec,
                        TsrWindow    *self)
{
  if (gtk_search_bar_get_search_mode (bar))
    return;
  /* Closed (Escape, or the button): cleared, and back to the list. */
  gtk_editable_set_text (self->search_entry, "");
  _tsr_window_view_focus_list (self);
}

/* GTK 4.8's search bar close button is an icon with no accessible name
 * (the screen reader walk): name it ourselves. */
static void
name_close_button (GtkWidget *widget)
{
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Close the Search"), -1);
      else
        name_close_button (child);
    }
}

static void
find_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  TsrWindow *self = user_data;

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */

/* The selected torrents (element-type TsrTorrent), in list order: here,
 * where the labels dialog needs them, for tsr-window.c too. */
GPtrArray *
_tsr_window_dup_selected (TsrWindow *self)
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
on_labels_response (AdwMessageDialog *dialog,
                    const char       *response,
                    TsrWindow        *self)
{
  GPtrArray *selected = g_object_get_data (G_OBJECT (dialog), "torrents");
  TsrLabelChooser *chooser = TSR_LABEL_CHOOSER (adw_message_dialog_get_extra_child (dialog));
  guint i;

  if (!g_str_equal (response, "apply"))
    return;
  for (i = 0; i < selected->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (selected, i);
      g_auto(GStrv) labels = tsr_label_chooser_apply (chooser, tsr_library_get_labels (self->library, torrent));

      tsr_library_set_labels (self->library, torrent, (const char * const *) labels);
    }
}

/* Opens the labels dialog for the selected torrents; for tests too. */
GtkWidget *
tsr_window_open_labels_dialog (TsrWindow *self)
{
  GPtrArray *selected = _tsr_window_dup_selected (self);
  g_auto(GStrv) known = tsr_torrent_groups_dup_labels (self->groups);
  GtkWidget *chooser = tsr_label_chooser_new ((const char * const *) known);
  GtkWidget *dialog;
  guint i;
  guint j;

  if (selected->len == 0)
    {
      g_ptr_array_unref (selected);
      return NULL;
    }
  for (i = 0; known[i] != NULL; i++)
    {
      guint with = 0;

      for (j = 0; j < selected->len; j++)
        with += tsr_labels_contain (tsr_library_get_labels (self->library, g_ptr_array_index (selected, j)), known[i]) ? 1 : 0;
      tsr_label_chooser_set (TSR_LABEL_CHOOSER (chooser), known[i], with > 0, with > 0 && with < selected->len);
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Labels"),
                                   g_dngettext (NULL, "Labels of the selected torrent",
                                                "Labels of the selected torrents", selected->len));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), chooser);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Apply"),
                                    NULL);
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "torrents", selected, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_labels_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
labels_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  tsr_window_open_labels_dialog (user_data);
}

static const GActionEntry find_actions[] = {
  { "find", find_action },
  { "labels", labels_action },
};

void
_tsr_window_find_init (TsrWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), find_actions, G_N_ELEMENTS (find_actions), self);
  /* The window's own action, not g_settings_create_action ()'s: that one
   * outlives the closed window and warns on the next change. */
  _tsr_window_add_setting_action (self, "show-sidebar");
  g_settings_bind (self->settings, "show-sidebar", self->flap, "reveal-flap", G_SETTINGS_BIND_GET);
  gtk_search_bar_connect_entry (self->search_bar, self->search_entry);
  name_close_button (GTK_WIDGET (self->search_bar));
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect (self->search_entry, "changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (on_search_mode_changed), self);
}

GListModel *
_tsr_window_find_filter (TsrWindow  *self,
                         GListModel *torrents)
{
  GtkFilterListModel *filtered;

  self->groups = tsr_torrent_groups_new (self->library);
  self->filter = tsr_torrent_filter_new (self->groups);
  filtered = gtk_filter_list_model_new (g_object_ref (torrents),
                                        g_object_ref (tsr_torrent_filter_get_filter (self->filter)));
  gtk_list_box_bind_model (self->sidebar_list, tsr_torrent_groups_get_model (self->groups), create_group_row,
                           NULL, NULL);
  gtk_list_box_set_header_func (self->sidebar_list, update_group_header, self, NULL);
  g_signal_connect_object (self->sidebar_list, "row-selected", G_CALLBACK (on_sidebar_row_selected), self, 0);
  gtk_list_box_select_row (self->sidebar_list, gtk_list_box_get_row_at_index (self->sidebar_list, 0));
  tsr_torrent_columns_append_labels (self->column_view, self->library);
  tsr_stall_probe_watch_list (GTK_WIDGET (self->column_view), G_LIST_MODEL (filtered));
  return G_LIST_MODEL (filtered);
}

void
_tsr_window_find_dispose (TsrWindow *self)
{
  if (self->sidebar_list != NULL)
    {
      gtk_list_box_set_header_func (self->sidebar_list, NULL, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->sidebar_list, self);
      gtk_list_box_bind_model (self->sidebar_list, NULL, NULL, NULL, NULL);
    }
  g_clear_object (&self->filter);
  g_clear_object (&self->groups);
}

GListModel *
tsr_window_get_groups (TsrWindow *self)
{
  return tsr_torrent_groups_get_model (self->groups);
}

void
tsr_window_show_group (TsrWindow *self,
                       guint      position)
{
  gtk_list_box_select_row (self->sidebar_list, gtk_list_box_get_row_at_index (self->sidebar_list, (int) position));
}

void
tsr_window_set_search (TsrWindow  *self,
                       const char *text)
{
  const char *old = gtk_editable_get_text (self->search_entry);
  const char *a = old;
  const char *b = text;
  int position;

  /* As typing does: what differs at the end is deleted, then inserted. */
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  while (*a != '\0' && g_utf8_get_char (a) == g_utf8_get_char (b))
    {
      a = g_utf8_next_char (a);
      b = g_utf8_next_char (b);
    }
  position = (int) g_utf8_pointer_to_offset (old, a);
  if (*a != '\0')
    gtk_editable_delete_text (self->search_entry, position, -1);
  if (*b != '\0')
    gtk_editable_insert_text (self->search_entry, b, -1, &position);
}

GtkFilterListModel *
tsr_window_get_filtered (TsrWindow *self)
{
  GtkSortListModel *sorted = GTK_SORT_LIST_MODEL (gtk_multi_selection_get_model (self->selection));

  return GTK_FILTER_LIST_MODEL (gtk_sort_list_model_get_model (sorted));
}

static guint
position_in (GListModel *model,
             TsrTorrent *torrent)
{
  guint i;

  for (i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TsrTorrent) item = g_list_model_get_item (model, i);

      if (item == torrent)
        return i;
    }
  return G_MAXUINT;
}

gboolean
tsr_window_select_torrent (TsrWindow  *self,
                           TsrTorrent *torrent)
{
  GListModel *rows = G_LIST_MODEL (self->selection);
  guint position = position_in (rows, torrent);

  if (position == G_MAXUINT)
    {
      /* Hidden by the search or the sidebar's choice: everything shown. */
      gtk_search_bar_set_search_mode (self->search_bar, FALSE);
      tsr_window_show_group (self, 0);
      position = position_in (rows, torrent);
    }
  if (position == G_MAXUINT)
    return FALSE;
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  _tsr_window_view_scroll_to (self, position);
  return TRUE;
}
