/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-move-dialog.c: moving torrents' data, with progress (see the .h).
 * A small window built in code: a line saying what moves, a bar, the
 * errors, and a Close button that is on once every move has ended. The
 * moves run one at a time: each renames or copies a whole torrent on the
 * engine's workers, and two at once would only fight for the disk.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-move-dialog.h"

struct _TsrMoveDialog
{
  AdwWindow       parent_instance;
  TsrLibrary     *library;       /* (owned) */
  GPtrArray      *torrents;      /* (owned) (element-type TsrTorrent) */
  char           *folder;        /* (owned) */
  guint           next;          /* the torrent moving, then the count moved */
  GString        *errors;        /* (owned) */
  GCancellable   *cancellable;   /* (owned) cancelled when the window goes */
  guint           pulse;         /* while one moves */
  GtkLabel       *status;
  GtkProgressBar *bar;
  GtkLabel       *error_label;
  GtkButton      *close_button;
};

G_DEFINE_FINAL_TYPE (TsrMoveDialog, tsr_move_dialog, ADW_TYPE_WINDOW)

static void move_next (TsrMoveDialog *self);

/* The status line, and the bar's description: GTK 4.8 does not read a
 * described-by relation as the description over AT-SPI. */
static void
show_status (TsrMoveDialog *self,
             const char    *text)
{
  gtk_label_set_text (self->status, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static gboolean
on_pulse (gpointer user_data)
{
  TsrMoveDialog *self = user_data;

  gtk_progress_bar_pulse (self->bar);
  return G_SOURCE_CONTINUE;
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TsrMoveDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent = TSR_TORRENT (source);

  if (!tsr_torrent_move_data_finish (torrent, result, &error))
    {
      if (self->errors->len > 0)
        g_string_append_c (self->errors, '\n');
      /* TRANSLATORS: a torrent's name, then why its data did not move */
      g_string_append_printf (self->errors, _("%s: %s"), tsr_torrent_get_name (torrent), error->message);
    }
  if (self->library == NULL)   /* the window went meanwhile */
    return;
  tsr_library_torrent_changed (self->library, torrent);
  self->next++;
  move_next (self);
}

static void
move_next (TsrMoveDialog *self)
{
  g_autofree char *status = NULL;

  g_clear_handle_id (&self->pulse, g_source_remove);
  if (self->next >= self->torrents->len)
    {
      gtk_progress_bar_set_fraction (self->bar, 1.0);
      show_status (self, self->errors->len == 0 ? _("The data was moved") : _("Some of the data could not be moved"));
      gtk_label_set_text (self->error_label, self->errors->str);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->errors->len > 0);
      gtk_widget_set_sensitive (GTK_WIDGET (self->close_button), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->close_button));
      return;
    }
  /* TRANSLATORS: moving a torrent's data: its name, then which one of how many */
  status = g_strdup_printf (_("Moving “%s” (%u of %u)"),
                            tsr_torrent_get_name (g_ptr_array_index (self->torrents, self->next)),
                            self->next + 1, self->torrents->len);
  show_status (self, status);
  gtk_progress_bar_set_fraction (self->bar, (double) self->next / self->torrents->len);
  self->pulse = g_timeout_add (200, on_pulse, self);
  tsr_torrent_move_data_async (g_ptr_array_index (self->torrents, self->next), self->folder, self->cancellable,
                               on_moved, g_object_ref (self));
}

static void
tsr_move_dialog_dispose (GObject *object)
{
  TsrMoveDialog *self = TSR_MOVE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse, g_source_remove);
  g_clear_object (&self->library);
  G_OBJECT_CLASS (tsr_move_dialog_parent_class)->dispose (object);
}

static void
tsr_move_dialog_finalize (GObject *object)
{
  TsrMoveDialog *self = TSR_MOVE_DIALOG (object);

  g_clear_pointer (&self->torrents, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_string_free (self->errors, TRUE);
  g_free (self->folder);
  G_OBJECT_CLASS (tsr_move_dialog_parent_class)->finalize (object);
}

/* Closing while a move runs would leave nobody to show its end: only
 * once every move has ended. */
static gboolean
tsr_move_dialog_close_request (GtkWindow *window)
{
  return !tsr_move_dialog_is_finished (TSR_MOVE_DIALOG (window));
}

static void
tsr_move_dialog_class_init (TsrMoveDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tsr_move_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = tsr_move_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = tsr_move_dialog_close_request;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
tsr_move_dialog_init (TsrMoveDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->errors = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Move Data"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 420, -1);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->status));
  self->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  /* Named, and described by the status line: not "GtkProgressBar". */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Data moved"), -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->bar), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->status, NULL, -1);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->bar));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->error_label));
  self->close_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Close")));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->close_button), "window.close");
  gtk_widget_set_halign (GTK_WIDGET (self->close_button), GTK_ALIGN_END);
  gtk_widget_set_sensitive (GTK_WIDGET (self->close_button), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->close_button));
  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (self), box);
  /* GTK 4.8 would read the Close button as "_Close Close". */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
}

GtkWidget *
tsr_move_dialog_new (TsrLibrary *library,
                     GPtrArray  *torrents,
                     const char *folder)
{
  TsrMoveDialog *self = g_object_new (TSR_TYPE_MOVE_DIALOG, NULL);

  self->library = g_object_ref (library);
  self->torrents = g_ptr_array_ref (torrents);
  self->folder = g_strdup (folder);
  move_next (self);
  return GTK_WIDGET (self);
}

gboolean
tsr_move_dialog_is_finished (TsrMoveDialog *self)
{
  g_return_val_if_fail (TSR_IS_MOVE_DIALOG (self), FALSE);
  return self->torrents == NULL || self->next >= self->torrents->len;
}

const char *
tsr_move_dialog_get_errors (TsrMoveDialog *self)
{
  g_return_val_if_fail (TSR_IS_MOVE_DIALOG (self), NULL);
  return self->errors->len > 0 ? self->errors->str : NULL;
}
