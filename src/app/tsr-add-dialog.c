/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-add-dialog.c: the add-torrent dialog (see the .h). Files left
 * unchecked are added with the "skip" priority, so nothing of theirs is
 * fetched but the pieces they share with wanted files. It reports a
 * failure to add through its "failed" signal and knows nothing of the
 * window that opened it. The rows are in its template
 * (tsr-add-dialog.ui); the torrent's name, size and files are filled in,
 * and a label chooser offering the labels the library's torrents have.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-a11y.h"
#include "tsr-add-dialog.h"
#include "tsr-label-chooser.h"

/* Files listed at most; the rest are fetched. */
#define MAX_FILES_LISTED 5000

struct _TsrAddDialog
{
  AdwMessageDialog      parent_instance;
  TsrLibrary           *library;      /* (owned) */
  TsrMetainfo          *info;         /* (owned) */
  TsrTorrent           *torrent;      /* (owned) (nullable) a magnet's, already in the library */
  char                 *path;         /* (owned) */
  char                 *folder;       /* (owned) */
  AdwActionRow         *folder_row;   /* template child */
  GtkSwitch            *start;        /* template child */
  GtkListBox           *files;        /* template child: the checks */
  GtkWidget            *labels_box;   /* template child */
  TsrLabelChooser      *labels;       /* borrowed: labels_box holds it */
  GPtrArray            *checks;       /* (owned) GtkCheckButton per listed file, "file" data = index */
  GtkFileChooserNative *chooser;      /* (owned) (nullable) */
  gboolean              answered;     /* one response only (closing after it must not cancel) */
};

G_DEFINE_FINAL_TYPE (TsrAddDialog, tsr_add_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum
{
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  TsrAddDialog    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_free (self->folder);
          self->folder = path;
          adw_action_row_set_subtitle (self->folder_row, path);
        }
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_folder (GtkButton    *button,
                  TsrAddDialog *self)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save In"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static int
compare_labels (const void *a,
                const void *b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static void
set_labels (TsrAddDialog *self,
            TsrTorrent   *torrent)
{
  g_auto(GStrv) labels = tsr_label_chooser_apply (self->labels, tsr_library_get_labels (self->library, torrent));

  tsr_library_set_labels (self->library, torrent, (const char * const *) labels);
}

/* The labels the library's torrents have, sorted, once each: read once
 * as the dialog opens. */
static GStrv
dup_known_labels (TsrLibrary *library)
{
  GListModel *torrents = tsr_library_get_torrents (library);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GStrv known;
  guint i;
  guint j;

  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);
      const char * const *labels = tsr_library_get_labels (library, torrent);

      /* The strings live as long as the torrents, which outlive this. */
      for (j = 0; labels[j] != NULL; j++)
        g_hash_table_add (seen, (gpointer) labels[j]);
    }
  known = (GStrv) g_hash_table_get_keys_as_array (seen, NULL);
  for (i = 0; known[i] != NULL; i++)
    known[i] = g_strdup (known[i]);
  qsort (known, g_strv_length (known), sizeof (char *), compare_labels);
  return known;
}

static void
tsr_add_dialog_response (AdwMessageDialog *dialog,
                         const char       *response)
{
  TsrAddDialog *self = TSR_ADD_DIALOG (dialog);
  g_autofree guint8 *priorities = NULL;
  g_autoptr(GError) error = NULL;
  TsrTorrent *added;
  guint i;

  if (self->answered)
    return;
  self->answered = TRUE;
  if (!g_str_equal (response, "add"))
    {
      /* A magnet's torrent was only waiting for this answer. */
      if (self->torrent != NULL)
        tsr_library_remove (self->library, self->torrent, FALSE);
      return;
    }
  priorities = g_new (guint8, MAX (self->info->n_files, 1));
  memset (priorities, TSR_PRIORITY_NORMAL, MAX (self->info->n_files, 1));
  for (i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);
      guint file = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "file"));

      if (!gtk_check_button_get_active (check))
        priorities[file] = TSR_PRIORITY_SKIP;
    }
  if (self->torrent != NULL)
    {
      if (!tsr_library_configure (self->library, self->torrent, self->folder, priorities,
                                  gtk_switch_get_active (self->start), &error))
        g_signal_emit (self, signals[FAILED], 0, error);
      else
        set_labels (self, self->torrent);
      return;
    }
  added = tsr_library_add_file (self->library, self->path, self->folder, !gtk_switch_get_active (self->start),
                                priorities, &error);
  if (added == NULL)
    g_signal_emit (self, signals[FAILED], 0, error);
  else
    set_labels (self, added);
}

/* What the template leaves to the torrent: its name, size and files. */
static void
fill (TsrAddDialog *self,
      gboolean      start)
{
  g_autofree char *size = g_format_size (self->info->total_length);
  g_autofree char *body = NULL;
  g_auto(GStrv) known = NULL;
  guint n_files = 0;
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    if (!(self->info->files[i].attr & TSR_FILE_ATTR_PAD))
      n_files++;
  body = g_strdup_printf (g_dngettext (NULL, "%s in %u file", "%s in %u files", n_files), size, n_files);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), self->info->display_name);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  adw_action_row_set_subtitle (self->folder_row, self->folder);
  gtk_switch_set_active (self->start, start);
  known = dup_known_labels (self->library);
  self->labels = TSR_LABEL_CHOOSER (tsr_label_chooser_new ((const char * const *) known));
  gtk_box_append (GTK_BOX (self->labels_box), GTK_WIDGET (self->labels));

  for (i = 0; i < self->info->n_files && self->checks->len < MAX_FILES_LISTED; i++)
    {
      const TsrFile *file = &self->info->files[i];
      g_autofree char *file_size = NULL;
      g_autofree char *label = NULL;
      GtkWidget *check;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      file_size = g_format_size (file->length);
      /* TRANSLATORS: a file of the torrent and its size */
      label = g_strdup_printf (_("%s (%s)"), file->display_path, file_size);
      check = gtk_check_button_new_with_label (label);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      gtk_widget_set_margin_start (check, 6);
      g_object_set_data (G_OBJECT (check), "file", GUINT_TO_POINTER (i));
      gtk_list_box_append (self->files, check);
      /* GTK 4.8 leaves the row it makes around the check button unnamed. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (check)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      g_ptr_array_add (self->checks, check);
    }
}

static void
tsr_add_dialog_dispose (GObject *object)
{
  TsrAddDialog *self = TSR_ADD_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->library);
  g_clear_object (&self->torrent);
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_ADD_DIALOG);
  G_OBJECT_CLASS (tsr_add_dialog_parent_class)->dispose (object);
}

static void
tsr_add_dialog_finalize (GObject *object)
{
  TsrAddDialog *self = TSR_ADD_DIALOG (object);

  g_free (self->path);
  g_free (self->folder);
  G_OBJECT_CLASS (tsr_add_dialog_parent_class)->finalize (object);
}

static void
tsr_add_dialog_class_init (TsrAddDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tsr_add_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = tsr_add_dialog_finalize;
  ADW_MESSAGE_DIALOG_CLASS (klass)->response = tsr_add_dialog_response;

  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrAddDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, TsrAddDialog, start);
  gtk_widget_class_bind_template_child (widget_class, TsrAddDialog, files);
  gtk_widget_class_bind_template_child (widget_class, TsrAddDialog, labels_box);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
}

static void
tsr_add_dialog_init (TsrAddDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  tsr_a11y_fix_adw_parts (GTK_WIDGET (self));
  self->checks = g_ptr_array_new ();
}

GtkWidget *
tsr_add_dialog_new (GtkWindow   *parent,
                    TsrLibrary  *library,
                    const char  *path,
                    TsrMetainfo *info,
                    const char  *folder,
                    gboolean     start)
{
  TsrAddDialog *self = g_object_new (TSR_TYPE_ADD_DIALOG, "transient-for", parent, NULL);

  self->library = g_object_ref (library);
  self->info = tsr_metainfo_ref (info);
  self->path = g_strdup (path);
  self->folder = g_strdup (folder);
  fill (self, start);
  return GTK_WIDGET (self);
}

GtkWidget *
tsr_add_dialog_new_for_torrent (GtkWindow   *parent,
                                TsrLibrary  *library,
                                TsrTorrent  *torrent,
                                const char  *folder,
                                gboolean     start)
{
  TsrAddDialog *self = g_object_new (TSR_TYPE_ADD_DIALOG, "transient-for", parent, NULL);

  self->library = g_object_ref (library);
  self->torrent = g_object_ref (torrent);
  self->info = tsr_metainfo_ref (tsr_torrent_get_metainfo (torrent));
  self->folder = g_strdup (folder);
  fill (self, start);
  return GTK_WIDGET (self);
}
