/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-create-dialog.c: the torrent creation dialog in-process (under
 * Xvfb), through the code paths its widgets use: a drop of one folder
 * fills the summary; creating yields the same info hashes as
 * `tessera-cli create` with the same options; a drop of two files, a bad
 * tracker URL and a cancel are refused or stopped with nothing written;
 * a dialog closed while it hashes or scans ends at once, on the main
 * thread, and the workers' late answers find nobody. The options typed
 * into the dialog's own widgets (its template's) reach the torrent and
 * are remembered, and its result buttons seed it and copy its magnet.
 * Its text fields read as tracker tiers and web seeds, with the first
 * bad URL named.
 */
#include "config.h"

#include <adwaita.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tsr-app-test-util.h"
#include "tsr-create-dialog.h"
#include "tsr-create-options.h"
#include "tsr-metainfo.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the dialog's template). */
GResource *tsr_get_resource (void);

typedef struct
{
  gboolean  scanned;
  char     *created;
  char     *failed;
} Outcome;

static void
on_scanned (TsrCreateDialog *dialog,
            Outcome         *outcome)
{
  outcome->scanned = TRUE;
}

static void
on_created (TsrCreateDialog *dialog,
            const char      *path,
            Outcome         *outcome)
{
  outcome->created = g_strdup (path);
}

static void
on_failed (TsrCreateDialog *dialog,
           const char      *message,
           Outcome         *outcome)
{
  outcome->failed = g_strdup (message);
}

static void
wait_for (gboolean   *flag_or_null,
          char      **string_a,
          char      **string_b)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((flag_or_null == NULL || !*flag_or_null) && (string_a == NULL || *string_a == NULL) &&
         (string_b == NULL || *string_b == NULL))
    {
      if (g_get_monotonic_time () > end)
        g_error ("the dialog did not answer within 60 s");
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
outcome_clear (Outcome *outcome)
{
  outcome->scanned = FALSE;
  g_clear_pointer (&outcome->created, g_free);
  g_clear_pointer (&outcome->failed, g_free);
}

/* The row titled @title. */
static GtkWidget *
find_row (GtkWidget  *dialog,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (dialog, ADW_TYPE_PREFERENCES_ROW, rows);
  for (i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);
  g_error ("no row titled “%s”", title);
}

/* The widget of @type beside the label reading @text (a text area under
 * its heading). */
static GtkWidget *
find_beside (GtkWidget  *dialog,
             const char *text,
             GType       type)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (dialog, GTK_TYPE_LABEL, labels);
  for (i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return tsr_app_test_find_one (gtk_widget_get_parent (g_ptr_array_index (labels, i)), type);
  g_error ("no label “%s”", text);
}

static GtkWidget *
find_button (GtkWidget  *dialog,
             const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (dialog, GTK_TYPE_BUTTON, buttons);
  for (i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0)
      return g_ptr_array_index (buttons, i);
  g_error ("no button “%s”", label);
}

static void
test_create (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-create-dialog-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "share", NULL);
  g_autofree char *ours = g_build_filename (dir, "ours.torrent", NULL);
  g_autofree char *theirs = g_build_filename (dir, "theirs.torrent", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.torrent", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(TsrMetainfo) a = NULL;
  g_autoptr(TsrMetainfo) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) one = NULL;
  g_autoptr(GFile) two = NULL;
  g_autofree char *cli_out = NULL;
  g_autofree char *cli_err = NULL;
  const char *cli = g_getenv ("TESSERA_CLI");
  TsrCreateDialog *dialog;
  GtkWidget *cancel;
  Outcome outcome = { 0 };
  GSList list = { NULL, NULL };
  GSList second = { NULL, NULL };
  int status = -1;

  if (cli == NULL)
    g_error ("TESSERA_CLI must name the built tessera-cli");
  tsr_test_write_file (root, "a.bin", 70000, 1);
  tsr_test_write_file (root, "dir/b.bin", 5000, 2);
  tsr_test_write_file (root, "dir/c.txt", 300, 3);
  g_settings_set_string (settings, "create-trackers", "http://127.0.0.1:1/announce\n\nudp://127.0.0.1:2/announce\n");
  g_settings_set_string (settings, "create-comment", "made in a test");
  g_settings_set_string (settings, "create-source", "TEST");
  g_settings_set_boolean (settings, "create-private", TRUE);
  g_settings_set_int (settings, "create-format", TSR_CREATE_HYBRID);
  g_settings_set_uint (settings, "create-piece-size", 32768);
  g_settings_set_string (settings, "create-exclude", "");

  dialog = TSR_CREATE_DIALOG (tsr_create_dialog_new (NULL, library));
  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned), &outcome);
  g_signal_connect (dialog, "created", G_CALLBACK (on_created), &outcome);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_failed), &outcome);

  /* Two files: a torrent shares one file or one folder. */
  one = g_file_new_build_filename (root, "a.bin", NULL);
  two = g_file_new_build_filename (root, "dir", "b.bin", NULL);
  list.data = one;
  list.next = &second;
  second.data = two;
  g_assert_false (tsr_create_dialog_set_files (dialog, &list));
  g_assert_nonnull (tsr_create_dialog_get_error (dialog));

  /* One folder: scanned on a worker, summed up. */
  folder = g_file_new_for_path (root);
  list.data = folder;
  list.next = NULL;
  g_assert_true (tsr_create_dialog_set_files (dialog, &list));
  wait_for (&outcome.scanned, NULL, NULL);
  g_assert_null (tsr_create_dialog_get_error (dialog));
  g_assert_nonnull (strstr (tsr_create_dialog_get_summary (dialog), "share"));
  g_assert_nonnull (strstr (tsr_create_dialog_get_summary (dialog), "3 files"));
  g_test_message ("summary: %s", tsr_create_dialog_get_summary (dialog));
  g_assert_nonnull (strstr (tsr_create_dialog_get_summary (dialog), "3 pieces of 32.0"));

  /* Created, then compared with the command line's. */
  tsr_create_dialog_create_to (dialog, ours);
  wait_for (NULL, &outcome.created, &outcome.failed);
  g_assert_null (outcome.failed);
  g_assert_cmpstr (outcome.created, ==, ours);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) cli, "create", "-q", "--hybrid", "-p", "32k", "--private",
                                                  "-s", "TEST", "-t", "http://127.0.0.1:1/announce", "-t",
                                                  "udp://127.0.0.1:2/announce", "-c", "made in a test", "-o",
                                                  theirs, root, NULL },
                               NULL, G_SPAWN_DEFAULT, NULL, NULL, &cli_out, &cli_err, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  a = tsr_metainfo_new_from_file (ours, &error);
  g_assert_no_error (error);
  b = tsr_metainfo_new_from_file (theirs, &error);
  g_assert_no_error (error);
  g_assert_true (a->has_v1 && a->has_v2 && a->is_private);
  g_assert_true (memcmp (a->info_hash, b->info_hash, 20) == 0);
  g_assert_true (memcmp (a->info_hash_v2, b->info_hash_v2, 32) == 0);
  g_assert_cmpuint (a->trackers->len, ==, 2);
  g_assert_cmpstr (a->comment, ==, "made in a test");

  /* A bad tracker URL: said before any hashing, nothing written. */
  outcome_clear (&outcome);
  wait_for (&outcome.scanned, NULL, NULL);   /* the fresh scan after creating */
  g_settings_set_string (settings, "create-trackers", "ftp://127.0.0.1/announce");
  outcome_clear (&outcome);
  tsr_create_dialog_create_to (dialog, bad);
  g_assert_nonnull (outcome.failed);
  g_assert_nonnull (strstr (outcome.failed, "ftp://127.0.0.1/announce"));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  /* Cancelled while hashing, by the button shown meanwhile: nothing
   * written. */
  g_settings_set_string (settings, "create-trackers", "");
  outcome_clear (&outcome);
  tsr_create_dialog_create_to (dialog, bad);
  cancel = find_button (GTK_WIDGET (dialog), "_Cancel");
  g_assert_true (gtk_widget_get_visible (cancel));
  g_signal_emit_by_name (cancel, "clicked");
  wait_for (NULL, &outcome.created, &outcome.failed);
  g_assert_null (outcome.created);
  g_assert_false (gtk_widget_get_visible (cancel));
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (dialog));
  outcome_clear (&outcome);
  tsr_test_remove_tree (dir);
}

static void
reset_create_keys (GSettings *settings)
{
  static const char *keys[] = { "create-trackers", "create-web-seeds", "create-piece-size", "create-format",
                                "create-private", "create-comment", "create-source", "create-exclude" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

/* Every option typed into the dialog's widgets, as a person would, with
 * the settings at their defaults: each reaches the torrent made and is
 * remembered in its key. Then "Seed Now" adds the torrent to the library
 * and "Copy Magnet Link" puts its magnet on the clipboard. */
static void
test_widgets (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-create-dialog-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "share", NULL);
  g_autofree char *output = g_build_filename (dir, "typed.torrent", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *trackers = NULL;
  g_autofree char *web_seeds = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *source = NULL;
  g_autofree char *exclude = NULL;
  GValue copied = G_VALUE_INIT;
  GdkContentProvider *clipboard;
  GtkWidget *dialog;
  GtkWidget *create;
  Outcome outcome = { 0 };
  GSList list = { NULL, NULL };
  guint n_files = 0;
  guint i;

  tsr_test_write_file (root, "a.bin", 70000, 1);
  tsr_test_write_file (root, "dir/b.bin", 5000, 2);
  tsr_test_write_file (root, "dir/c.txt", 300, 3);
  reset_create_keys (settings);
  dialog = tsr_create_dialog_new (NULL, library);
  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned), &outcome);
  g_signal_connect (dialog, "created", G_CALLBACK (on_created), &outcome);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_failed), &outcome);
  gtk_window_present (GTK_WINDOW (dialog));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_beside (dialog,
                                                      "Trackers (a blank line between tiers)", GTK_TYPE_TEXT_VIEW))),
                            "http://127.0.0.1:1/announce\n\nudp://127.0.0.1:2/announce", -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_beside (dialog, "Web Seeds",
                                                                                  GTK_TYPE_TEXT_VIEW))),
                            "http://127.0.0.1:3/files/", -1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (tsr_app_test_find_one (find_row (dialog, "Format"), GTK_TYPE_DROP_DOWN)),
                              TSR_CREATE_HYBRID);
  /* "Automatic", then 16 KiB, 32 KiB… */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (tsr_app_test_find_one (find_row (dialog, "Piece Size"),
                                                                    GTK_TYPE_DROP_DOWN)), 2);
  gtk_switch_set_active (GTK_SWITCH (tsr_app_test_find_one (find_row (dialog, "Private"), GTK_TYPE_SWITCH)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, "Comment")), "typed in the dialog");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, "Source")), "TYPED");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, "Leave Out (globs, comma-separated)")), "*.txt");
  g_signal_emit_by_name (find_row (dialog, "Leave Out (globs, comma-separated)"), "apply");

  folder = g_file_new_for_path (root);
  list.data = folder;
  g_assert_true (tsr_create_dialog_set_files (TSR_CREATE_DIALOG (dialog), &list));
  wait_for (&outcome.scanned, NULL, NULL);
  g_assert_null (tsr_create_dialog_get_error (TSR_CREATE_DIALOG (dialog)));
  g_test_message ("summary: %s", tsr_create_dialog_get_summary (TSR_CREATE_DIALOG (dialog)));
  g_assert_nonnull (strstr (tsr_create_dialog_get_summary (TSR_CREATE_DIALOG (dialog)), "2 files"));
  create = find_button (dialog, "C_reate…");
  g_assert_true (gtk_widget_get_sensitive (create));
  g_assert_false (gtk_widget_is_visible (find_button (dialog, "_Seed Now")));

  tsr_create_dialog_create_to (TSR_CREATE_DIALOG (dialog), output);
  wait_for (NULL, &outcome.created, &outcome.failed);
  g_assert_null (outcome.failed);
  info = tsr_metainfo_new_from_file (output, &error);
  g_assert_no_error (error);
  g_assert_true (info->has_v1 && info->has_v2);
  g_assert_cmpuint (info->piece_length, ==, 32768);
  g_assert_true (info->is_private);
  g_assert_cmpstr (info->comment, ==, "typed in the dialog");
  g_assert_cmpstr (info->source, ==, "TYPED");
  g_assert_cmpuint (info->trackers->len, ==, 2);
  g_assert_cmpuint (info->web_seeds->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (info->web_seeds, 0), ==, "http://127.0.0.1:3/files/");
  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      {
        g_assert_false (g_str_has_suffix (info->files[i].path, ".txt"));
        n_files++;
      }
  g_assert_cmpuint (n_files, ==, 2);

  /* Remembered for the next torrent. */
  g_settings_get (settings, "create-trackers", "s", &trackers);
  g_settings_get (settings, "create-web-seeds", "s", &web_seeds);
  g_settings_get (settings, "create-comment", "s", &comment);
  g_settings_get (settings, "create-source", "s", &source);
  g_settings_get (settings, "create-exclude", "s", &exclude);
  g_assert_cmpstr (trackers, ==, "http://127.0.0.1:1/announce\n\nudp://127.0.0.1:2/announce");
  g_assert_cmpstr (web_seeds, ==, "http://127.0.0.1:3/files/");
  g_assert_cmpstr (comment, ==, "typed in the dialog");
  g_assert_cmpstr (source, ==, "TYPED");
  g_assert_cmpstr (exclude, ==, "*.txt");
  g_assert_cmpint (g_settings_get_int (settings, "create-format"), ==, TSR_CREATE_HYBRID);
  g_assert_cmpuint (g_settings_get_uint (settings, "create-piece-size"), ==, 32768);
  g_assert_true (g_settings_get_boolean (settings, "create-private"));

  /* The result's buttons. */
  g_assert_true (gtk_widget_is_visible (find_button (dialog, "_Seed Now")));
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (library)), ==, 0);
  g_signal_emit_by_name (find_button (dialog, "_Seed Now"), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (library)), ==, 1);
  g_assert_nonnull (tsr_library_find (library, info->info_hash));
  g_signal_emit_by_name (find_button (dialog, "Copy _Magnet Link"), "clicked");
  clipboard = gdk_clipboard_get_content (gtk_widget_get_clipboard (dialog));
  g_assert_nonnull (clipboard);
  g_value_init (&copied, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (clipboard, &copied, &error));
  g_assert_no_error (error);
  hex = tsr_metainfo_dup_info_hash_hex (info);
  g_assert_true (g_str_has_prefix (g_value_get_string (&copied), "magnet:?xt=urn:btih:"));
  g_assert_nonnull (strstr (g_value_get_string (&copied), hex));
  g_value_unset (&copied);

  gtk_window_destroy (GTK_WINDOW (dialog));
  tsr_library_shutdown (library);
  outcome_clear (&outcome);
  reset_create_keys (settings);
  tsr_test_remove_tree (dir);
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The main loop turned for @ms milliseconds, sleeping when idle. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Where and whether a dialog was finalized. */
typedef struct
{
  gboolean  finalized;
  GThread  *thread;
} End;

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  End *end = data;

  end->thread = g_thread_self ();
  g_atomic_int_set (&end->finalized, TRUE);   /* maybe from another thread: the fault looked for */
}

/* Closing lets go of the dialog at once, on the main thread: nothing it
 * started holds it. Then two seconds for the workers it started to end
 * and answer nobody; it says nothing more. */
static void
after_close (End     *end,
             Outcome *outcome)
{
  g_assert_true (g_atomic_int_get (&end->finalized));
  g_assert_true (end->thread == g_thread_self ());
  iterate_for (2000);
  g_assert_false (outcome->scanned);
  g_assert_null (outcome->created);
  g_assert_null (outcome->failed);
}

static TsrCreateDialog *
new_dialog (TsrLibrary *library,
            Outcome    *outcome,
            End        *end)
{
  TsrCreateDialog *dialog = TSR_CREATE_DIALOG (tsr_create_dialog_new (NULL, library));

  g_object_weak_ref (G_OBJECT (dialog), on_finalized, end);
  g_signal_connect (dialog, "scanned", G_CALLBACK (on_scanned), outcome);
  g_signal_connect (dialog, "created", G_CALLBACK (on_created), outcome);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_failed), outcome);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* Cancelled and closed while it hashes, as a person may (and as
 * tessera-screenshots did, which crashed). gtk_window_destroy finalizes
 * a window only if nothing else holds it; the hashing's callback held
 * the dialog, which so lived on closed, and when the hashing ended it
 * scanned again; that scan's task held the dialog too, and its worker
 * could drop the last reference, finalizing GTK widgets on its thread. */
static void
test_destroyed_while_hashing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-create-dialog-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "share", NULL);
  g_autofree char *big = g_build_filename (root, "big.bin", NULL);
  g_autofree char *output = g_build_filename (dir, "out.torrent", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(GFile) folder = NULL;
  TsrCreateDialog *dialog;
  Outcome outcome = { 0 };
  End end = { 0 };
  GSList list = { NULL, NULL };
  int fd;

  /* 8 GiB, sparse: many seconds of hashing for nothing on disk. */
  tsr_test_write_file (root, "small.bin", 70000, 1);
  fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) 8 << 30), ==, 0);
  close (fd);
  g_settings_set_string (settings, "create-trackers", "");
  g_settings_set_string (settings, "create-web-seeds", "");
  g_settings_set_int (settings, "create-format", TSR_CREATE_HYBRID);
  g_settings_set_uint (settings, "create-piece-size", 0);
  g_settings_set_string (settings, "create-exclude", "");

  dialog = new_dialog (library, &outcome, &end);
  folder = g_file_new_for_path (root);
  list.data = folder;
  g_assert_true (tsr_create_dialog_set_files (dialog, &list));
  wait_for (&outcome.scanned, NULL, NULL);
  g_assert_null (tsr_create_dialog_get_error (dialog));

  /* Hashing for a moment, its progress shown. */
  tsr_create_dialog_create_to (dialog, output);
  iterate_for (500);
  g_assert_null (outcome.created);
  g_assert_null (outcome.failed);

  /* Cancel, then close, as a person does. */
  outcome_clear (&outcome);
  tsr_create_dialog_cancel (dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  after_close (&end, &outcome);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  tsr_test_remove_tree (dir);
}

/* Closed before its scan answers: the answer finds nobody. */
static void
test_destroyed_while_scanning (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-create-dialog-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "share", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (data);
  g_autoptr(GFile) folder = NULL;
  TsrCreateDialog *dialog;
  Outcome outcome = { 0 };
  End end = { 0 };
  GSList list = { NULL, NULL };

  tsr_test_write_file (root, "a.bin", 70000, 1);
  dialog = new_dialog (library, &outcome, &end);
  folder = g_file_new_for_path (root);
  list.data = folder;
  g_assert_true (tsr_create_dialog_set_files (dialog, &list));
  gtk_window_destroy (GTK_WINDOW (dialog));
  after_close (&end, &outcome);

  tsr_test_remove_tree (dir);
}

/* One URL a line, spaces trimmed; blank lines (one or more) between
 * tiers; a URL of another scheme is refused by name. */
static void
test_tiers_text (void)
{
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *tier;

  tiers = tsr_parse_tiers_text ("\n  http://a.test/announce \nudp://b.test:80\n\n\n https://c.test/announce\n",
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tiers->len, ==, 2);
  tier = g_ptr_array_index (tiers, 0);
  g_assert_cmpuint (tier->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (tier, 0), ==, "http://a.test/announce");
  g_assert_cmpstr (g_ptr_array_index (tier, 1), ==, "udp://b.test:80");
  tier = g_ptr_array_index (tiers, 1);
  g_assert_cmpuint (tier->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (tier, 0), ==, "https://c.test/announce");

  none = tsr_parse_tiers_text ("", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_null (tsr_parse_tiers_text ("http://a.test/announce\nftp://d.test/announce", &error));
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION);
  g_assert_nonnull (strstr (error->message, "“ftp://d.test/announce”"));
}

/* One URL a line, blank lines skipped; http and https only. */
static void
test_web_seeds_text (void)
{
  g_autoptr(GPtrArray) seeds = NULL;
  g_autoptr(GError) error = NULL;

  seeds = tsr_parse_web_seeds_text (" https://a.test/files/\n\nHTTP://b.test/pack\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seeds->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seeds, 0), ==, "https://a.test/files/");
  g_assert_cmpstr (g_ptr_array_index (seeds, 1), ==, "HTTP://b.test/pack");

  g_assert_null (tsr_parse_web_seeds_text ("https://a.test/files/\nudp://b.test:80", &error));
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION);
  g_assert_nonnull (strstr (error->message, "“udp://b.test:80”"));
  g_clear_error (&error);
  g_assert_null (tsr_parse_web_seeds_text ("not a url", &error));
  g_assert_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/create-dialog/create", test_create);
  g_test_add_func ("/create-dialog/widgets", test_widgets);
  g_test_add_func ("/create-dialog/tiers-text", test_tiers_text);
  g_test_add_func ("/create-dialog/web-seeds-text", test_web_seeds_text);
  g_test_add_func ("/create-dialog/destroyed-while-hashing", test_destroyed_while_hashing);
  g_test_add_func ("/create-dialog/destroyed-while-scanning", test_destroyed_while_scanning);
  return g_test_run ();
}
