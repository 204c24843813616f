/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rename-dialog.c: renaming a torrent's file or folder (see the .h).
 * libadwaita 1.2's AdwMessageDialog closes on any response, so the
 * engine's answer comes after it is gone from the screen: the dialog
 * keeps itself alive (a reference held by the call) until then, and a
 * refusal opens a second dialog on the same parent.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tsr-a11y.h"
#include "tsr-rename-dialog.h"

struct _TsrRenameDialog
{
  AdwMessageDialog  parent_instance;
  GtkWidget        *entry;          /* owned by the dialog */
  GtkWindow        *parent;         /* (owned) (nullable) */
  TsrTorrent       *torrent;        /* (owned) */
  char             *path;           /* (owned) */
  char             *name;           /* (owned) the name it has */
  GError           *error;          /* (owned) (nullable) the engine's refusal */
  GtkWindow        *error_dialog;   /* (nullable) weak: shows it */
  gboolean          finished;
};

G_DEFINE_FINAL_TYPE (TsrRenameDialog, tsr_rename_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
show_error (TsrRenameDialog *self)
{
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  /* TRANSLATORS: a dialog's heading; %s is a file or folder name */
  heading = g_strdup_printf (_("Cannot Rename “%s”"), self->name);
  dialog = adw_message_dialog_new (self->parent, heading, self->error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  self->error_dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->error_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrRenameDialog) self = user_data;

  self->finished = TRUE;
  if (!tsr_torrent_rename_path_finish (TSR_TORRENT (source), result, &self->error))
    show_error (self);
}

static void
tsr_rename_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  TsrRenameDialog *self = TSR_RENAME_DIALOG (dialog);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  if (!g_str_equal (response, "rename"))
    return;
  tsr_torrent_rename_path_async (self->torrent, self->path, name, NULL, on_renamed, g_object_ref (self));
}

/* Renaming to nothing is not offered; the engine judges the rest and
 * says why. */
static void
on_entry_changed (GtkEditable     *entry,
                  TsrRenameDialog *self)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "rename",
                                           *gtk_editable_get_text (entry) != '\0');
}

/* Focus in the entry, the name without its extension selected as file
 * managers do (focusing an entry would select all of it). */
static void
tsr_rename_dialog_map (GtkWidget *widget)
{
  TsrRenameDialog *self = TSR_RENAME_DIALOG (widget);
  const char *dot = strrchr (self->name, '.');

  GTK_WIDGET_CLASS (tsr_rename_dialog_parent_class)->map (widget);
  gtk_entry_grab_focus_without_selecting (GTK_ENTRY (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0,
                              dot != NULL && dot != self->name ? (int) g_utf8_pointer_to_offset (self->name, dot)
                                                               : -1);
}

static void
tsr_rename_dialog_dispose (GObject *object)
{
  TsrRenameDialog *self = TSR_RENAME_DIALOG (object);

  if (self->error_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->error_dialog), (gpointer *) &self->error_dialog);
  self->error_dialog = NULL;
  g_clear_object (&self->parent);
  g_clear_object (&self->torrent);
  G_OBJECT_CLASS (tsr_rename_dialog_parent_class)->dispose (object);
}

static void
tsr_rename_dialog_finalize (GObject *object)
{
  TsrRenameDialog *self = TSR_RENAME_DIALOG (object);

  g_free (self->path);
  g_free (self->name);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (tsr_rename_dialog_parent_class)->finalize (object);
}

static void
tsr_rename_dialog_class_init (TsrRenameDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_rename_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = tsr_rename_dialog_finalize;
  GTK_WIDGET_CLASS (klass)->map = tsr_rename_dialog_map;
  ADW_MESSAGE_DIALOG_CLASS (klass)->response = tsr_rename_dialog_response;
}

static void
tsr_rename_dialog_init (TsrRenameDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);

  adw_message_dialog_set_heading (dialog, _("Rename"));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  /* GTK 4.8 reads a response button by its mnemonic and label ("_Add Add"). */
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (dialog));
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  self->entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (self->entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New name"), -1);
  g_signal_connect (self->entry, "changed", G_CALLBACK (on_entry_changed), self);
  adw_message_dialog_set_extra_child (dialog, self->entry);
}

GtkWidget *
tsr_rename_dialog_new (GtkWindow  *parent,
                       TsrTorrent *torrent,
                       const char *path,
                       const char *name)
{
  TsrRenameDialog *self;
  g_autofree char *body = NULL;

  g_return_val_if_fail (TSR_IS_TORRENT (torrent) && path != NULL && name != NULL, NULL);

  self = g_object_new (TSR_TYPE_RENAME_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->parent = parent != NULL ? g_object_ref (parent) : NULL;
  self->torrent = g_object_ref (torrent);
  self->path = g_strdup (path);
  self->name = g_strdup (name);
  /* TRANSLATORS: %s is a file or folder name */
  body = g_strdup_printf (_("A new name for “%s”, on disk and in the torrent."), name);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), name);
  return GTK_WIDGET (self);
}

GtkEditable *
tsr_rename_dialog_get_entry (TsrRenameDialog *self)
{
  g_return_val_if_fail (TSR_IS_RENAME_DIALOG (self), NULL);
  return GTK_EDITABLE (self->entry);
}

gboolean
tsr_rename_dialog_is_finished (TsrRenameDialog *self)
{
  g_return_val_if_fail (TSR_IS_RENAME_DIALOG (self), FALSE);
  return self->finished;
}

const GError *
tsr_rename_dialog_get_error (TsrRenameDialog *self)
{
  g_return_val_if_fail (TSR_IS_RENAME_DIALOG (self), NULL);
  return self->error;
}

GtkWindow *
tsr_rename_dialog_get_error_dialog (TsrRenameDialog *self)
{
  g_return_val_if_fail (TSR_IS_RENAME_DIALOG (self), NULL);
  return self->error_dialog;
}
