/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-trackers-dialog.c: editing a torrent's trackers as text (under
 * Xvfb): the text and the tiers convert both ways (blank lines part
 * tiers, spaces trimmed); the dialog from the window's action shows the
 * torrent's tiers, Apply sets new ones (added, removed, moved to another
 * tier) and the Trackers page lists them; a URL that is not a tracker's
 * is refused with a toast and changes nothing; the list comes back over
 * a library read again from disk; the text view has a name. The web
 * seeds below them are edited the same way, refused unless http or
 * https.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-trackers-dialog.h"
#include "tsr-window.h"

typedef struct
{
  TsrAppTestLibrary app;
} Fixture;

/* A .torrent announcing to one tracker. */
static char *
write_torrent (const char *dir)
{
  g_autofree char *root = g_build_filename (dir, "Film", NULL);
  char *path = g_build_filename (dir, "Film.torrent", NULL);
  static const char tracker[] = "http://first.example/announce";
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  gsize length = 0;
  const char *bytes;

  tsr_test_write_file (root, "a.bin", 20000, 1);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  bytes = g_bytes_get_data (info->info_bytes, &length);
  g_string_append_printf (file, "d8:announce%zu:%s4:info", strlen (tracker), tracker);
  g_string_append_len (file, bytes, (gssize) length);
  g_string_append_c (file, 'e');
  g_assert_true (g_file_set_contents (path, file->str, (gssize) file->len, NULL));
  return path;
}

static void
open_window (Fixture *fixture)
{
  tsr_app_test_library_open_window (&fixture->app);
  tsr_window_show (fixture->app.window, 0, "trackers");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *path = NULL;

  tsr_app_test_library_init (&fixture->app, "tsr-trackers");
  path = write_torrent (fixture->app.dir);
  tsr_app_test_library_add (&fixture->app, path);
  open_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_app_test_library_clear (&fixture->app);
}

static void
test_text (void)
{
  g_autoptr(GPtrArray) tiers = tsr_trackers_dialog_parse ("  http://a/announce \nudp://b:1\n\n\n\nhttps://c/x\n\n");
  g_autofree char *text = NULL;

  g_assert_cmpuint (tiers->len, ==, 2);
  g_assert_cmpuint (((GPtrArray *) g_ptr_array_index (tiers, 0))->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (tiers, 0), 0), ==, "http://a/announce");
  g_assert_cmpstr (g_ptr_array_index ((GPtrArray *) g_ptr_array_index (tiers, 1), 0), ==, "https://c/x");
  text = tsr_trackers_dialog_format (tiers);
  g_assert_cmpstr (text, ==, "http://a/announce\nudp://b:1\n\nhttps://c/x\n");
  {
    g_auto(GStrv) seeds = tsr_trackers_dialog_parse_web_seeds (" http://s/a \n\n\thttps://t/b\n");

    g_assert_cmpuint (g_strv_length (seeds), ==, 2);
    g_assert_cmpstr (seeds[0], ==, "http://s/a");
    g_assert_cmpstr (seeds[1], ==, "https://t/b");
  }
}

/* The dialog's @n-th text view (0: trackers, 1: web seeds), depth first. */
static GtkWidget *
find_text_view (GtkWidget *widget,
                guint     *n)
{
  GtkWidget *child;

  if (GTK_IS_TEXT_VIEW (widget) && (*n)-- == 0)
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text_view (child, n);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkTextBuffer *
nth_buffer (GtkWidget  *dialog,
            guint       n,
            const char *name)
{
  GtkWidget *view = find_text_view (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog)), &n);

  g_assert_nonnull (view);
  /* GTK's test backend (GTK_A11Y=test) keeps the accessible properties. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
}

static GtkTextBuffer *
buffer_of (GtkWidget *dialog)
{
  return nth_buffer (dialog, 0, "Tracker addresses");
}

static GtkTextBuffer *
web_seeds_buffer_of (GtkWidget *dialog)
{
  return nth_buffer (dialog, 1, "Web seed addresses");
}

static char *
text_of (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static TsrTorrent *
torrent_of (Fixture *fixture)
{
  TsrTorrent *torrent = g_list_model_get_item (tsr_library_get_torrents (fixture->app.library), 0);

  g_object_unref (torrent);   /* the library holds it */
  return torrent;
}

static char *
tiers_text (Fixture *fixture)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (torrent_of (fixture));

  return tsr_trackers_dialog_format (tiers);
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  unused)
{
  GtkWidget *dialog = tsr_window_open_trackers_dialog (fixture->app.window);
  g_autofree char *shown = text_of (buffer_of (dialog));
  g_autofree char *now = NULL;

  g_assert_cmpstr (shown, ==, "http://first.example/announce\n");
  /* The first to a second tier, two added before it. */
  gtk_text_buffer_set_text (buffer_of (dialog), "udp://new.example:6969\nhttps://other.example/a\n\n"
                                                "http://first.example/announce\n", -1);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  now = tiers_text (fixture);
  g_assert_cmpstr (now, ==, "udp://new.example:6969\nhttps://other.example/a\n\nhttp://first.example/announce\n");
  g_assert_true (tsr_app_test_wait_for_text (GTK_WIDGET (fixture->app.window), "udp://new.example:6969"));

  /* Refused: nothing changes. */
  dialog = tsr_window_open_trackers_dialog (fixture->app.window);
  gtk_text_buffer_set_text (buffer_of (dialog), "gopher://old.example/\n", -1);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  g_clear_pointer (&now, g_free);
  now = tiers_text (fixture);
  g_assert_cmpstr (now, ==, "udp://new.example:6969\nhttps://other.example/a\n\nhttp://first.example/announce\n");
  g_assert_true (tsr_app_test_wait_for_text (GTK_WIDGET (fixture->app.window),
                                "“gopher://old.example/” is not a tracker address (http, https or udp)"));

  /* A restart: the list comes back. */
  tsr_app_test_library_reload (&fixture->app);
  open_window (fixture);
  g_clear_pointer (&now, g_free);
  now = tiers_text (fixture);
  g_assert_cmpstr (now, ==, "udp://new.example:6969\nhttps://other.example/a\n\nhttp://first.example/announce\n");
}

static char *
web_seeds_text (Fixture *fixture)
{
  g_auto(GStrv) urls = tsr_torrent_dup_web_seeds (torrent_of (fixture));

  return g_strjoinv (" ", urls);
}

/* The web seeds under the trackers: none at first; Apply sets those
 * typed (trimmed, blank lines left out), and the reopened dialog shows
 * them; an address that is not http or https is refused with a toast
 * that names it and changes nothing, trackers included; the list comes
 * back over a library read again from disk. */
static void
test_web_seeds (Fixture       *fixture,
                gconstpointer  unused)
{
  GtkWidget *dialog = tsr_window_open_trackers_dialog (fixture->app.window);
  g_autofree char *shown = text_of (web_seeds_buffer_of (dialog));
  g_autofree char *now = NULL;
  g_autofree char *tiers = NULL;

  g_assert_cmpstr (shown, ==, "");
  gtk_text_buffer_set_text (web_seeds_buffer_of (dialog), "  http://seed.example/files/ \n\nhttps://mirror.example/x\n", -1);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  now = web_seeds_text (fixture);
  g_assert_cmpstr (now, ==, "http://seed.example/files/ https://mirror.example/x");
  tiers = tiers_text (fixture);
  g_assert_cmpstr (tiers, ==, "http://first.example/announce\n");

  dialog = tsr_window_open_trackers_dialog (fixture->app.window);
  g_clear_pointer (&shown, g_free);
  shown = text_of (web_seeds_buffer_of (dialog));
  g_assert_cmpstr (shown, ==, "http://seed.example/files/\nhttps://mirror.example/x\n");
  gtk_text_buffer_set_text (web_seeds_buffer_of (dialog), "http://seed.example/files/\nftp://seed.example/\n", -1);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  g_clear_pointer (&now, g_free);
  now = web_seeds_text (fixture);
  g_assert_cmpstr (now, ==, "http://seed.example/files/ https://mirror.example/x");
  g_assert_true (tsr_app_test_wait_for_text (GTK_WIDGET (fixture->app.window),
                                "“ftp://seed.example/” is not a web seed address (http or https)"));

  /* A restart: the list comes back. */
  tsr_app_test_library_reload (&fixture->app);
  open_window (fixture);
  g_clear_pointer (&now, g_free);
  now = web_seeds_text (fixture);
  g_assert_cmpstr (now, ==, "http://seed.example/files/ https://mirror.example/x");
}

/* From the app's compiled resources (tessera-resources.c). */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/trackers-dialog/text", test_text);
  g_test_add ("/trackers-dialog/edit", Fixture, NULL, fixture_set_up, test_edit, fixture_tear_down);
  g_test_add ("/trackers-dialog/web-seeds", Fixture, NULL, fixture_set_up, test_web_seeds, fixture_tear_down);
  return g_test_run ();
}
