/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-create-dialog.c: the torrent creation dialog (see the .h). The
 * engine's TsrCreator does the work in three steps: the scan (on the I/O
 * pool, since a folder may hold 100 000 files), the hashing (a TsrHashJob
 * on its own threads, read by a progress timer), and the encoding. The
 * file is written once, whole, at the end: a cancel leaves nothing.
 * Workers answer through a weak reference (a task holding the dialog may
 * drop the last one on its thread, finalizing widgets there): closing the
 * dialog finalizes it at once, cancelling; a late answer finds nobody.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-create-dialog.h"
#include "tsr-create-options.h"
#include "tsr-entry-row.h"

struct _TsrCreateDialog
{
  AdwWindow             parent_instance;
  TsrLibrary           *library;        /* (owned) */
  GSettings            *settings;       /* (owned) */
  char                 *path;           /* (owned) (nullable) what is shared */
  TsrCreator           *creator;        /* (owned) (nullable) once scanned, until hashed */
  guint                 scan_serial;    /* a newer scan outdates older ones */
  GCancellable         *cancellable;    /* (owned) (nullable) while hashing */
  TsrHashJob           *job;            /* borrowed from the HashRun's creator, while hashing */
  char                 *output;         /* (owned) (nullable) */
  gint64                started;        /* monotonic µs */
  guint                 progress_source;
  char                 *summary;        /* (owned) (nullable) */
  char                 *error;          /* (owned) (nullable) */
  GtkFileChooserNative *chooser;        /* (owned) (nullable) */
  /* Template children: */
  GtkWidget            *drop_label;
  GtkWidget            *summary_label;
  GtkWidget            *error_label;
  GtkTextBuffer        *trackers;
  GtkTextBuffer        *web_seeds;
  GtkWidget            *piece_size;     /* GtkDropDown: Automatic, 16 KiB … 64 MiB */
  GtkWidget            *format;         /* GtkDropDown: v1, v2, hybrid */
  GtkWidget            *is_private;
  GtkWidget            *comment;
  GtkWidget            *source;
  GtkWidget            *exclude;
  GtkWidget            *progress;
  GtkWidget            *progress_label;
  GtkWidget            *create_button;
  GtkWidget            *cancel_button;
  GtkWidget            *result_box;
};

G_DEFINE_FINAL_TYPE (TsrCreateDialog, tsr_create_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_CREATED,
  SIGNAL_FAILED,
  SIGNAL_SCANNED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GWeakRef *
weak_ref_new (TsrCreateDialog *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

/* The dialog (a new reference) or NULL once closed; frees @ref. */
static TsrCreateDialog *
weak_ref_take (GWeakRef *ref)
{
  TsrCreateDialog *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  return self;
}

/* Piece sizes offered after "Automatic": 16 KiB to 64 MiB. */
#define N_PIECE_SIZES 13

static void
show_error (TsrCreateDialog *self,
            const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (GTK_LABEL (self->error_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->error_label, message != NULL);
}

static guint64
chosen_piece_length (TsrCreateDialog *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->piece_size));

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || self->creator == NULL)
    return self->creator != NULL ? tsr_creator_choose_piece_length (tsr_creator_get_total_size (self->creator)) : 0;
  return (guint64) TSR_CREATOR_MIN_PIECE_LENGTH << (selected - 1);
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

typedef struct
{
  char            *path;
  char           **exclude;
  TsrCreateFormat  format;
  guint            serial;
  TsrCreator      *creator;   /* (owned) the result */
} ScanJob;

static void
scan_job_free (ScanJob *job)
{
  g_free (job->path);
  g_strfreev (job->exclude);
  g_clear_pointer (&job->creator, tsr_creator_free);
  g_free (job);
}

static void
scan_run (GTask *task)
{
  ScanJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->creator = tsr_creator_new (job->path, (const char * const *) job->exclude, job->format, &error);
  if (job->creator == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void on_piece_size_changed (TsrCreateDialog *self);

static void
update_summary (TsrCreateDialog *self)
{
  g_autofree char *size = NULL;
  g_autofree char *piece = NULL;
  g_autofree char *name = NULL;
  g_autofree char *automatic = NULL;
  g_autofree char *automatic_size = NULL;
  g_autofree char *files = NULL;
  g_autofree char *pieces = NULL;
  guint64 total;
  guint64 length;
  guint64 n_pieces;
  guint n;

  if (self->creator == NULL)
    return;
  total = tsr_creator_get_total_size (self->creator);
  length = chosen_piece_length (self);
  n = tsr_creator_get_n_files (self->creator);
  size = g_format_size (total);
  piece = g_format_size_full (length, G_FORMAT_SIZE_IEC_UNITS);
  name = g_path_get_basename (self->path);
  n_pieces = (total + length - 1) / MAX (length, 1);
  files = g_strdup_printf (g_dngettext (NULL, "%u file", "%u files", n), n);
  /* TRANSLATORS: a piece count and a piece size, as in "Album — 1.2 GB in
   * 12 files, 1145 pieces of 1.0 MiB" */
  pieces = g_strdup_printf (g_dngettext (NULL, "%" PRIu64 " piece of %s", "%" PRIu64 " pieces of %s",
                                         (gulong) n_pieces), n_pieces, piece);
  g_free (self->summary);
  /* TRANSLATORS: name — size in "12 files", "1145 pieces of 1.0 MiB" */
  self->summary = g_strdup_printf (C_("create summary", "%s — %s in %s, %s"), name, size, files, pieces);
  gtk_label_set_text (GTK_LABEL (self->summary_label), self->summary);
  automatic_size = g_format_size_full (tsr_creator_choose_piece_length (total), G_FORMAT_SIZE_IEC_UNITS);
  automatic = g_strdup_printf (_("Automatic (%s)"), automatic_size);
  /* The first choice names the automatic size; replacing it must not
   * read as the user choosing (which would come back here). */
  {
    GtkStringList *choices = GTK_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (self->piece_size)));
    guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->piece_size));

    if (g_strcmp0 (gtk_string_list_get_string (choices, 0), automatic) != 0)
      {
        g_signal_handlers_block_by_func (self->piece_size, on_piece_size_changed, self);
        gtk_string_list_splice (choices, 0, 1, (const char *[]) { automatic, NULL });
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->piece_size), selected);
        g_signal_handlers_unblock_by_func (self->piece_size, on_piece_size_changed, self);
      }
  }
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrCreateDialog) self = weak_ref_take (user_data);
  ScanJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (job->serial == self->scan_serial)
        {
          show_error (self, error->message);
          gtk_widget_set_sensitive (self->create_button, FALSE);
          g_signal_emit (self, signals[SIGNAL_SCANNED], 0);
        }
      return;
    }
  if (job->serial != self->scan_serial)
    return;   /* the options changed while it ran */
  g_clear_pointer (&self->creator, tsr_creator_free);
  self->creator = g_steal_pointer (&job->creator);
  update_summary (self);
  gtk_widget_set_sensitive (self->create_button, TRUE);
  g_signal_emit (self, signals[SIGNAL_SCANNED], 0);
}

static void
rescan (TsrCreateDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *exclude = NULL;
  ScanJob *job;

  if (self->path == NULL || self->cancellable != NULL)
    return;
  g_clear_pointer (&self->creator, tsr_creator_free);
  g_clear_pointer (&self->summary, g_free);
  show_error (self, NULL);
  gtk_widget_set_sensitive (self->create_button, FALSE);
  gtk_widget_set_visible (self->result_box, FALSE);
  gtk_label_set_text (GTK_LABEL (self->summary_label), _("Looking at the files…"));
  job = g_new0 (ScanJob, 1);
  job->path = g_strdup (self->path);
  exclude = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->exclude)));
  job->exclude = g_strsplit (exclude, ",", -1);
  for (guint i = 0; job->exclude[i] != NULL; i++)
    g_strstrip (job->exclude[i]);
  job->format = (TsrCreateFormat) MIN (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format)), TSR_CREATE_HYBRID);
  job->serial = ++self->scan_serial;
  task = g_task_new (NULL, NULL, on_scanned, weak_ref_new (self));
  g_task_set_task_data (task, job, (GDestroyNotify) scan_job_free);
  tsr_io_pool_run (task, scan_run);
}

gboolean
tsr_create_dialog_set_files (TsrCreateDialog *self,
                             GSList          *files)
{
  g_autofree char *path = NULL;

  if (files == NULL || files->next != NULL)
    {
      show_error (self, _("Drop one file or one folder: a torrent shares one of either"));
      return FALSE;
    }
  path = g_file_get_path (files->data);
  if (path == NULL)
    {
      show_error (self, _("Only local files can be shared"));
      return FALSE;
    }
  g_free (self->path);
  self->path = g_steal_pointer (&path);
  gtk_label_set_text (GTK_LABEL (self->drop_label), self->path);
  rescan (self);
  return TRUE;
}

const char *
tsr_create_dialog_get_summary (TsrCreateDialog *self)
{
  return self->summary;
}

const char *
tsr_create_dialog_get_error (TsrCreateDialog *self)
{
  return self->error;
}

static gboolean
on_drop (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         TsrCreateDialog *self)
{
  return G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) &&
         tsr_create_dialog_set_files (self, g_value_get_boxed (value));
}

static void
on_chosen (GtkNativeDialog *dialog,
           int              response,
           TsrCreateDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      GtkFileChooserAction action = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (action == GTK_FILE_CHOOSER_ACTION_SAVE)
        {
          g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

          if (path != NULL)
            tsr_create_dialog_create_to (self, path);
        }
      else if (file != NULL)
        {
          GSList one = { file, NULL };

          tsr_create_dialog_set_files (self, &one);
        }
    }
  g_clear_object (&self->chooser);
}

static void
choose (TsrCreateDialog      *self,
        GtkFileChooserAction  action,
        const char           *title,
        const char           *accept)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (action == GTK_FILE_CHOOSER_ACTION_SAVE && self->path != NULL)
    {
      g_autofree char *base = g_path_get_basename (self->path);
      g_autofree char *name = g_strconcat (base, ".torrent", NULL);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_choose_file (GtkButton       *button,
                TsrCreateDialog *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Share a File"), _("_Select"));
}

static void
on_choose_folder (GtkButton       *button,
                  TsrCreateDialog *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Share a Folder"), _("_Select"));
}

/* ------------------------------------------------------------------ */
/* Creating                                                            */

static gboolean
on_progress (gpointer user_data)
{
  TsrCreateDialog *self = user_data;
  guint64 total = tsr_hash_job_get_total_bytes (self->job);
  guint64 done = tsr_hash_job_get_bytes_done (self->job);
  gdouble seconds = (gdouble) (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC;
  guint64 rate = seconds > 0.5 ? (guint64) ((gdouble) done / seconds) : 0;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (total);
  g_autofree char *rate_text = tsr_format_rate (rate);
  g_autofree char *left = rate > 0 ? tsr_format_duration ((gint64) ((total - MIN (done, total)) / rate)) : NULL;
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), total > 0 ? (gdouble) done / total : 0);
  if (left != NULL)
    /* TRANSLATORS: bytes hashed of all, the rate, the time left */
    text = g_strdup_printf (_("%s of %s at %s, %s left"), done_text, total_text, rate_text, left);
  else
    text = g_strdup_printf (_("%s of %s"), done_text, total_text);
  gtk_label_set_text (GTK_LABEL (self->progress_label), text);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (TsrCreateDialog *self,
          gboolean         busy)
{
  gtk_widget_set_visible (self->progress, busy);
  gtk_widget_set_sensitive (self->create_button, !busy && self->creator != NULL);
  gtk_widget_set_visible (self->cancel_button, busy);
  if (!busy)
    g_clear_handle_id (&self->progress_source, g_source_remove);
}

/* Encoding, checking and writing the torrent: on the I/O pool, since a
 * torrent of 100 000 files is megabytes to build, parse and write. */
typedef struct
{
  TsrCreator *creator;      /* (owned) */
  GPtrArray  *tiers;        /* (owned) */
  GPtrArray  *web_seeds;    /* (owned) */
  char       *comment;      /* (owned) (nullable) */
  char       *source;       /* (owned) (nullable) */
  char       *created_by;   /* (owned) */
  gboolean    is_private;
  gint64      creation_date;
  char       *output;       /* (owned) */
  char       *magnet;       /* (owned) the result's */
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  g_clear_pointer (&job->creator, tsr_creator_free);
  g_clear_pointer (&job->tiers, g_ptr_array_unref);
  g_clear_pointer (&job->web_seeds, g_ptr_array_unref);
  g_free (job->comment);
  g_free (job->source);
  g_free (job->created_by);
  g_free (job->output);
  g_free (job->magnet);
  g_free (job);
}

static void
build_run (GTask *task)
{
  BuildJob *job = g_task_get_task_data (task);
  TsrCreateOptions options = { 0 };
  g_autoptr(GBytes) torrent = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  GError *error = NULL;

  options.tiers = job->tiers;
  options.web_seeds = job->web_seeds;
  options.comment = job->comment;
  options.source = job->source;
  options.created_by = job->created_by;
  options.creation_date = job->creation_date;
  options.is_private = job->is_private;
  torrent = tsr_creator_build (job->creator, &options, &error);
  /* Read back what was made: the parser's checks are the creator's. */
  if (torrent != NULL)
    info = tsr_metainfo_new_from_bytes (torrent, &error);
  /* Written once, whole (a temporary file renamed into place). */
  if (info != NULL &&
      g_file_set_contents (job->output, g_bytes_get_data (torrent, NULL), (gssize) g_bytes_get_size (torrent),
                           &error))
    {
      job->magnet = tsr_metainfo_dup_magnet_uri (info);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
}

static void
failed (TsrCreateDialog *self,
        const GError    *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (GTK_LABEL (self->progress_label), _("Cancelled: nothing was written"));
  else
    {
      show_error (self, error->message);
      gtk_label_set_text (GTK_LABEL (self->progress_label), "");
    }
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error->message);
  /* The job ran (or half ran): scan again for the next try. */
  rescan (self);
}

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TsrCreateDialog) self = weak_ref_take (user_data);
  BuildJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;

  if (self == NULL)
    return;   /* closed while it wrote: the file is there */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      failed (self, error);
      return;
    }
  done = g_strdup_printf (_("Saved as %s"), job->output);
  g_object_set_data_full (G_OBJECT (self), "magnet", g_steal_pointer (&job->magnet), g_free);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, job->output);
  /* The hashes are spent: another torrent needs a fresh scan. */
  rescan (self);
  gtk_label_set_text (GTK_LABEL (self->progress_label), done);
  gtk_widget_set_visible (self->result_box, TRUE);
}

/* A hashing under way keeps what its threads read: the dialog may go. */
typedef struct
{
  GWeakRef   *dialog;    /* (owned) */
  TsrCreator *creator;   /* (owned) */
  TsrHashJob *job;       /* borrowed from creator */
} HashRun;

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  HashRun *run = user_data;
  g_autoptr(TsrCreateDialog) self = weak_ref_take (run->dialog);
  g_autoptr(TsrCreator) creator = g_steal_pointer (&run->creator);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *trackers_text = NULL;
  g_autofree char *seeds_text = NULL;
  const char *comment;
  const char *source_tag;
  gboolean ok = tsr_hash_job_run_finish (run->job, result, &error);
  BuildJob *job;

  g_free (run);
  if (self == NULL)
    return;   /* closed, and so cancelled */
  trackers_text = tsr_text_buffer_dup_text (self->trackers);
  seeds_text = tsr_text_buffer_dup_text (self->web_seeds);
  g_clear_object (&self->cancellable);
  self->job = NULL;
  job = g_new0 (BuildJob, 1);
  job->creator = g_steal_pointer (&creator);
  set_busy (self, FALSE);
  if (ok)
    job->tiers = tsr_parse_tiers_text (trackers_text, &error);
  if (job->tiers != NULL)
    job->web_seeds = tsr_parse_web_seeds_text (seeds_text, &error);
  if (job->web_seeds == NULL)
    {
      build_job_free (job);
      failed (self, error);
      return;
    }
  comment = gtk_editable_get_text (GTK_EDITABLE (self->comment));
  source_tag = gtk_editable_get_text (GTK_EDITABLE (self->source));
  job->comment = comment[0] != '\0' ? g_strdup (comment) : NULL;
  job->source = source_tag[0] != '\0' ? g_strdup (source_tag) : NULL;
  job->created_by = g_strdup_printf ("Tessera %s", PACKAGE_VERSION);
  job->creation_date = g_get_real_time () / G_USEC_PER_SEC;
  job->is_private = gtk_switch_get_active (GTK_SWITCH (self->is_private));
  job->output = g_strdup (self->output);
  gtk_label_set_text (GTK_LABEL (self->progress_label), _("Writing the torrent…"));
  task = g_task_new (NULL, NULL, on_built, weak_ref_new (self));
  g_task_set_task_data (task, job, (GDestroyNotify) build_job_free);
  tsr_io_pool_run (task, build_run);
}

void
tsr_create_dialog_create_to (TsrCreateDialog *self,
                             const char      *output)
{
  g_autofree char *trackers_text = tsr_text_buffer_dup_text (self->trackers);
  g_autofree char *seeds_text = tsr_text_buffer_dup_text (self->web_seeds);
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GPtrArray) web_seeds = NULL;
  g_autoptr(GError) error = NULL;
  HashRun *run;

  g_return_if_fail (self->creator != NULL && self->cancellable == NULL);
  /* Options checked before minutes of hashing, not after. */
  tiers = tsr_parse_tiers_text (trackers_text, &error);
  if (tiers != NULL)
    web_seeds = tsr_parse_web_seeds_text (seeds_text, &error);
  if (web_seeds == NULL)
    {
      show_error (self, error->message);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, error->message);
      return;
    }
  show_error (self, NULL);
  g_free (self->output);
  self->output = g_strdup (output);
  self->cancellable = g_cancellable_new ();
  run = g_new0 (HashRun, 1);
  run->dialog = weak_ref_new (self);
  run->job = tsr_creator_prepare_job (self->creator, chosen_piece_length (self));
  run->creator = g_steal_pointer (&self->creator);
  self->job = run->job;
  self->started = g_get_monotonic_time ();
  set_busy (self, TRUE);
  gtk_widget_set_visible (self->result_box, FALSE);
  self->progress_source = g_timeout_add (250, on_progress, self);
  on_progress (self);
  tsr_hash_job_run_async (self->job, 0, self->cancellable, on_hashed, run);
}

void
tsr_create_dialog_cancel (TsrCreateDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
on_create_clicked (GtkButton       *button,
                   TsrCreateDialog *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_SAVE, _("Save the Torrent"), _("_Save"));
}

static void
on_seed_clicked (GtkButton       *button,
                 TsrCreateDialog *self)
{
  g_autofree char *folder = g_path_get_dirname (self->path);
  g_autoptr(GError) error = NULL;

  /* The data is where it was shared from: the check finds it all. */
  if (tsr_library_add_file (self->library, self->output, folder, FALSE, NULL, &error) == NULL)
    show_error (self, error->message);
  else
    gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
}

static void
on_copy_clicked (GtkButton       *button,
                 TsrCreateDialog *self)
{
  const char *magnet = g_object_get_data (G_OBJECT (self), "magnet");

  if (magnet != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), magnet);
}

/* ------------------------------------------------------------------ */
/* Setting up (the widgets are in tsr-create-dialog.ui)                */

static void
on_format_or_exclude_changed (TsrCreateDialog *self)
{
  g_settings_set_int (self->settings, "create-format", (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format)));
  rescan (self);
}

static void
on_piece_size_changed (TsrCreateDialog *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->piece_size));

  g_settings_set_uint (self->settings, "create-piece-size",
                       selected == 0 || selected == GTK_INVALID_LIST_POSITION
                       ? 0 : (guint) (TSR_CREATOR_MIN_PIECE_LENGTH << (selected - 1)));
  update_summary (self);
}

/* What the template leaves to code: the piece sizes, formatted for the
 * locale; each option shown as saved, then bound to its key; drops. The
 * drop-downs are heard only once they show what was saved, so that
 * showing it is not read as a choice. */
static void
set_up (TsrCreateDialog *self)
{
  GtkStringList *sizes = gtk_string_list_new ((const char *[]) { _("Automatic"), NULL });
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  guint saved_size = g_settings_get_uint (self->settings, "create-piece-size");
  guint selected = 0;
  guint i;

  for (i = 0; i < N_PIECE_SIZES; i++)
    {
      g_autofree char *size = g_format_size_full ((guint64) TSR_CREATOR_MIN_PIECE_LENGTH << i,
                                                  G_FORMAT_SIZE_IEC_UNITS);

      gtk_string_list_append (sizes, size);
      if (saved_size == ((guint) TSR_CREATOR_MIN_PIECE_LENGTH << i))
        selected = i + 1;
    }
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->piece_size), G_LIST_MODEL (sizes));
  g_object_unref (sizes);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->piece_size), selected);
  g_signal_connect_swapped (self->piece_size, "notify::selected", G_CALLBACK (on_piece_size_changed), self);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format), (guint) g_settings_get_int (self->settings,
                                                                                        "create-format"));
  g_signal_connect_swapped (self->format, "notify::selected", G_CALLBACK (on_format_or_exclude_changed), self);

  tsr_settings_bind_text_buffer (self->settings, "create-trackers", self->trackers);
  tsr_settings_bind_text_buffer (self->settings, "create-web-seeds", self->web_seeds);
  g_settings_bind (self->settings, "create-private", self->is_private, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "create-comment", self->comment, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "create-source", self->source, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "create-exclude", self->exclude, "text", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

static void
tsr_create_dialog_dispose (GObject *object)
{
  TsrCreateDialog *self = TSR_CREATE_DIALOG (object);

  tsr_create_dialog_cancel (self);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_CREATE_DIALOG);
  G_OBJECT_CLASS (tsr_create_dialog_parent_class)->dispose (object);
}

static void
tsr_create_dialog_finalize (GObject *object)
{
  TsrCreateDialog *self = TSR_CREATE_DIALOG (object);

  g_clear_pointer (&self->creator, tsr_creator_free);
  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->output);
  g_free (self->summary);
  g_free (self->error);
  G_OBJECT_CLASS (tsr_create_dialog_parent_class)->finalize (object);
}

static void
tsr_create_dialog_class_init (TsrCreateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = tsr_create_dialog_dispose;
  object_class->finalize = tsr_create_dialog_finalize;
  /* The torrent's path, once written. */
  signals[SIGNAL_CREATED] = g_signal_new ("created", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                          G_TYPE_STRING);
  /* Why it was not (also "Cancelled"). */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         G_TYPE_STRING);
  /* A scan ended (a summary or an error is shown). */
  signals[SIGNAL_SCANNED] = g_signal_new ("scanned", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TSR_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, drop_label);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, trackers);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, web_seeds);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, piece_size);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, format);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, is_private);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, comment);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, source);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, exclude);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, progress);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TsrCreateDialog, result_box);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_file);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
  gtk_widget_class_bind_template_callback (widget_class, on_format_or_exclude_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_seed_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, tsr_create_dialog_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  /* An AdwWindow closes on neither key by itself: a keyboard user could
   * not leave the dialog (its close button is no Tab stop). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
tsr_create_dialog_init (TsrCreateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  tsr_a11y_fix_adw_parts (GTK_WIDGET (self));
  tsr_a11y_name_drop_down (GTK_DROP_DOWN (self->piece_size), _("Piece Size"));
  tsr_a11y_name_drop_down (GTK_DROP_DOWN (self->format), _("Format"));
  self->settings = g_settings_new (APP_ID);
  set_up (self);
}

GtkWidget *
tsr_create_dialog_new (GtkWindow  *parent,
                       TsrLibrary *library)
{
  TsrCreateDialog *self = g_object_new (TSR_TYPE_CREATE_DIALOG, "transient-for", parent, NULL);

  self->library = g_object_ref (library);
  return GTK_WIDGET (self);
}
