/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-add-dialog.c: the add dialog in-process (under Xvfb), opened the
 * way the window opens it with "ask where to save" on, and answered
 * through its widgets and its response as a person would: for a torrent
 * file, "Add" adds it into the chosen folder without the files left
 * unchecked, with the labels typed in, started or not as the switch
 * says, and "Cancel" adds
 * nothing; for a magnet link, the dialog comes once the metainfo has come
 * from a seeder on 127.0.0.1, "Add" downloads it and "Cancel" takes it
 * out of the library; an "Add" the library refuses is reported through
 * the dialog's "failed" signal and shown by the window as a toast. Each
 * dialog is announced by the event "add-dialog NAME" (log domain
 * tsr-app-events).
 */
#define G_LOG_DOMAIN "test-add-dialog"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-add-dialog.h"
#include "tsr-app-test-util.h"
#include "tsr-app-util.h"
#include "tsr-label-chooser.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

typedef struct
{
  TsrAppTestLibrary app;
  GSettings        *settings;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  tsr_app_test_library_init (&fixture->app, "tsr-add-dialog");
  fixture->settings = g_settings_new (APP_ID);
  g_settings_set_boolean (fixture->settings, "ask-where-to-save", TRUE);
  g_settings_set_boolean (fixture->settings, "start-paused", FALSE);
  g_settings_set_string (fixture->settings, "download-folder", fixture->app.downloads);
  tsr_app_test_library_open_window (&fixture->app);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Index writes on the I/O pool land before the folder goes. */
  tsr_app_test_library_clear (&fixture->app);
  g_settings_reset (fixture->settings, "ask-where-to-save");
  g_settings_reset (fixture->settings, "start-paused");
  g_settings_reset (fixture->settings, "download-folder");
  g_clear_object (&fixture->settings);
}

/* The add dialog on screen, or NULL. */
static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint i;

  for (i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (TSR_IS_ADD_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static AdwMessageDialog *
wait_for_dialog (guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (find_dialog () == NULL && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return find_dialog ();
}

/* The file's check button, by the start of its label ("pack/b.bin (…)"). */
static GtkCheckButton *
find_check (AdwMessageDialog *dialog,
            const char       *file)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autofree char *prefix = g_strconcat (file, " (", NULL);
  guint i;

  tsr_app_test_collect (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, found);
  for (i = 0; i < found->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (found, i);

      if (g_str_has_prefix (gtk_check_button_get_label (check), prefix))
        return check;
    }
  g_error ("no check button for %s", file);
}

/* The subtitle of the "Save In" row. */
static const char *
folder_shown (AdwMessageDialog *dialog)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, rows);
  for (i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), "Save In") == 0)
      return adw_action_row_get_subtitle (g_ptr_array_index (rows, i));
  g_error ("no Save In row");
}

/* What a click on a response button does: the response, then the dialog
 * closes (which must not undo the answer). */
static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
iterate_until (gboolean (*done) (TsrTorrent *), TsrTorrent *torrent, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (torrent) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return done (torrent);
}

static gboolean
is_seeding (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) == TSR_TORRENT_SEEDING;
}

static TsrMetainfo *
make_pack (const char *dir,
           const char *name,
           guint       seed)
{
  g_autofree char *root = g_build_filename (dir, name, NULL);

  tsr_test_write_file (root, "a.bin", 300000, seed);
  tsr_test_write_file (root, "b.bin", 20000, seed + 1);
  return tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
}

static void
assert_same_file (const char *got_path,
                  const char *want_path)
{
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  gsize got_length = 0;
  gsize want_length = 0;

  g_assert_true (g_file_get_contents (got_path, &got, &got_length, NULL));
  g_assert_true (g_file_get_contents (want_path, &want, &want_length, NULL));
  g_assert_cmpmem (got, got_length, want, want_length);
}

/* A torrent file with "start paused" set: the dialog names it, offers the
 * download folder, both files and a switch that is off; with the second
 * file unchecked and the switch turned on, "Add" adds it started, into
 * that folder, without the second file. */
static void
test_file_add (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->app.dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = make_pack (fixture->app.dir, "pack", 1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GListModel *torrents = tsr_library_get_torrents (fixture->app.library);
  g_autoptr(TsrTorrent) added = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *start;
  guint pos;

  tsr_test_write_torrent_file (info, path);
  g_settings_set_boolean (fixture->settings, "start-paused", TRUE);
  g_test_expect_message (TSR_APP_EVENTS_DOMAIN, G_LOG_LEVEL_DEBUG, "add-dialog pack");
  g_assert_true (tsr_window_add_file (fixture->app.window, file));
  g_test_assert_expected_messages ();

  /* Nothing is added before the answer. */
  g_assert_cmpuint (g_list_model_get_n_items (torrents), ==, 0);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->app.window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "pack");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2 files"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "add");
  /* The responses, as the template gives them: closing cancels. */
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "add"), ==, "_Add");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "add"), ==, ADW_RESPONSE_SUGGESTED);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "cancel"), ==, "_Cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_cmpstr (folder_shown (dialog), ==, fixture->app.downloads);
  start = tsr_app_test_find_one (GTK_WIDGET (dialog), GTK_TYPE_SWITCH);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (start)));
  g_assert_true (gtk_check_button_get_active (find_check (dialog, "pack/a.bin")));
  g_assert_true (gtk_check_button_get_active (find_check (dialog, "pack/b.bin")));

  gtk_check_button_set_active (find_check (dialog, "pack/b.bin"), FALSE);
  gtk_switch_set_active (GTK_SWITCH (start), TRUE);
  /* Labels typed in: the torrent gets them, as the library's rule keeps them. */
  tsr_label_chooser_set_new_text (TSR_LABEL_CHOOSER (tsr_app_test_find_one (GTK_WIDGET (dialog),
                                                                            TSR_TYPE_LABEL_CHOOSER)),
                                  "Films, linux,  ");
  answer (dialog, "add");

  g_assert_null (find_dialog ());
  g_assert_cmpuint (g_list_model_get_n_items (torrents), ==, 1);
  added = g_list_model_get_item (torrents, 0);
  g_assert_cmpmem (tsr_torrent_get_info_hash (added), 20, info->info_hash, 20);
  g_assert_cmpstr (tsr_torrent_get_folder (added), ==, fixture->app.downloads);
  g_assert_cmpint (tsr_torrent_get_state (added), !=, TSR_TORRENT_STOPPED);
  for (pos = 0; pos < info->n_files; pos++)
    g_assert_cmpint (tsr_torrent_get_file_priority (added, pos), ==,
                     g_str_equal (info->files[pos].display_path, "pack/b.bin") ? TSR_PRIORITY_SKIP : TSR_PRIORITY_NORMAL);
  g_assert_cmpstr (tsr_library_get_labels (fixture->app.library, added)[0], ==, "Films");
  g_assert_cmpstr (tsr_library_get_labels (fixture->app.library, added)[1], ==, "linux");
  g_assert_null (tsr_library_get_labels (fixture->app.library, added)[2]);
}

/* "Cancel" (or closing the dialog) adds nothing; the switch follows
 * "start paused" being off. */
static void
test_file_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->app.dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = make_pack (fixture->app.dir, "pack", 3);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AdwMessageDialog *dialog;

  tsr_test_write_torrent_file (info, path);
  g_assert_true (tsr_window_add_file (fixture->app.window, file));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (tsr_app_test_find_one (GTK_WIDGET (dialog), GTK_TYPE_SWITCH))));
  answer (dialog, "cancel");
  g_assert_null (find_dialog ());
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->app.library)), ==, 0);

  /* Closed without an answer: the same. */
  g_assert_true (tsr_window_add_file (fixture->app.window, file));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (find_dialog ());
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->app.library)), ==, 0);
}

static void
on_failed (TsrAddDialog *dialog,
           const GError *error,
           GError      **out)
{
  g_assert_null (*out);
  *out = g_error_copy (error);
}

/* A label with @text under @widget (a toast's title), or NULL. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint i;

  tsr_app_test_collect (widget, GTK_TYPE_LABEL, labels);
  for (i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return g_ptr_array_index (labels, i);
  return NULL;
}

/* "Add" for a torrent already in the list: the dialog reports the
 * library's error through "failed" (it knows nothing of the window), and
 * the window that opened it shows the message as a toast. */
static void
test_file_failed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->app.dir, "pack.torrent", NULL);
  g_autoptr(TsrMetainfo) info = make_pack (fixture->app.dir, "pack", 9);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  tsr_test_write_torrent_file (info, path);
  g_assert_true (tsr_window_add_file (fixture->app.window, file));
  answer (find_dialog (), "add");
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->app.library)), ==, 1);

  g_assert_true (tsr_window_add_file (fixture->app.window, file));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_failed), &error);
  g_assert_null (find_label (GTK_WIDGET (fixture->app.window), "“pack” is already in the list"));
  answer (dialog, "add");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==, "“pack” is already in the list");
  g_assert_nonnull (find_label (GTK_WIDGET (fixture->app.window), error->message));
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->app.library)), ==, 1);
}

/* Magnet links, with a seeder on 127.0.0.1 named in x.pe: no dialog
 * until the metainfo comes; then "Add" downloads into the download
 * folder, and "Cancel" takes the other one out of the library. */
static void
test_magnet (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *seeds = g_build_filename (fixture->app.dir, "seeds", NULL);
  g_autoptr(TsrMetainfo) info = make_pack (seeds, "pack", 5);
  g_autoptr(TsrMetainfo) other_info = make_pack (seeds, "other", 7);
  g_autoptr(TsrSession) seed_session = tsr_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = tsr_metainfo_dup_info_hash_hex (info);
  g_autofree char *other_hex = tsr_metainfo_dup_info_hash_hex (other_info);
  g_autofree char *uri = NULL;
  g_autofree char *other_uri = NULL;
  g_autofree char *got = g_build_filename (fixture->app.downloads, "pack", "a.bin", NULL);
  g_autofree char *want = g_build_filename (seeds, "pack", "a.bin", NULL);
  TsrTorrent *seed;
  TsrTorrent *other_seed;
  TsrTorrent *torrent;
  AdwMessageDialog *dialog;

  g_assert_true (tsr_session_listen_on (seed_session, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  seed = tsr_session_add_torrent (seed_session, info, seeds);
  other_seed = tsr_session_add_torrent (seed_session, other_info, seeds);
  tsr_torrent_start (seed);
  tsr_torrent_start (other_seed);
  g_assert_true (iterate_until (is_seeding, seed, 30));
  g_assert_true (iterate_until (is_seeding, other_seed, 30));
  uri = g_strdup_printf ("magnet:?xt=urn:btih:%s&x.pe=127.0.0.1:%u", hex, tsr_session_get_port (seed_session));
  other_uri = g_strdup_printf ("magnet:?xt=urn:btih:%s&x.pe=127.0.0.1:%u", other_hex,
                               tsr_session_get_port (seed_session));

  g_assert_true (tsr_window_add_magnet (fixture->app.window, uri));
  g_assert_null (find_dialog ());
  torrent = tsr_library_find (fixture->app.library, info->info_hash);
  g_assert_nonnull (torrent);
  g_assert_false (tsr_torrent_has_metainfo (torrent));
  g_assert_true (tsr_library_asks_after_metadata (fixture->app.library, torrent));
  g_test_expect_message (TSR_APP_EVENTS_DOMAIN, G_LOG_LEVEL_DEBUG, "add-dialog pack");
  dialog = wait_for_dialog (60);
  g_assert_nonnull (dialog);
  g_test_assert_expected_messages ();
  g_assert_true (tsr_torrent_has_metainfo (torrent));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "pack");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (tsr_app_test_find_one (GTK_WIDGET (dialog), GTK_TYPE_SWITCH))));
  /* Waiting for the answer, stopped: nothing of the data yet. */
  g_assert_cmpint (tsr_torrent_get_state (torrent), ==, TSR_TORRENT_STOPPED);
  answer (dialog, "add");
  g_assert_false (tsr_library_asks_after_metadata (fixture->app.library, torrent));
  g_assert_true (iterate_until (is_seeding, torrent, 60));
  g_assert_cmpstr (tsr_torrent_get_folder (torrent), ==, fixture->app.downloads);
  assert_same_file (got, want);

  g_assert_true (tsr_window_add_magnet (fixture->app.window, other_uri));
  torrent = tsr_library_find (fixture->app.library, other_info->info_hash);
  g_assert_nonnull (torrent);
  g_test_expect_message (TSR_APP_EVENTS_DOMAIN, G_LOG_LEVEL_DEBUG, "add-dialog other");
  dialog = wait_for_dialog (60);
  g_assert_nonnull (dialog);
  g_test_assert_expected_messages ();
  answer (dialog, "cancel");
  g_assert_null (tsr_library_find (fixture->app.library, other_info->info_hash));
  g_assert_nonnull (tsr_library_find (fixture->app.library, info->info_hash));
  g_assert_cmpuint (g_list_model_get_n_items (tsr_library_get_torrents (fixture->app.library)), ==, 1);

  tsr_torrent_stop (seed);
  tsr_torrent_stop (other_seed);
}

/* From the app's compiled resources (tessera-resources.c): the window's
 * template. Referenced here so that the linker keeps it. */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add ("/add-dialog/file/add", Fixture, NULL, fixture_set_up, test_file_add, fixture_tear_down);
  g_test_add ("/add-dialog/file/cancel", Fixture, NULL, fixture_set_up, test_file_cancel, fixture_tear_down);
  g_test_add ("/add-dialog/file/failed", Fixture, NULL, fixture_set_up, test_file_failed, fixture_tear_down);
  g_test_add ("/add-dialog/magnet", Fixture, NULL, fixture_set_up, test_magnet, fixture_tear_down);
  return g_test_run ();
}
