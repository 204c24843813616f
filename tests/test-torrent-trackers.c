/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-trackers.c: editing a torrent's trackers
 * (tsr_torrent_set_trackers): the tiers read back as set, a URL named
 * twice kept once, empty tiers dropped; a URL that is not http, https or
 * udp with a host is refused by name and changes nothing; NULL goes back
 * to the metainfo's; and a running torrent announces to a tracker added
 * while it runs (a local HTTP tracker on 127.0.0.1 hears "started");
 * web seeds are edited the same way (tsr_torrent_set_web_seeds).
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-session.h"
#include "tsr-test-util.h"

static GPtrArray *
tiers_of (const char *text)
{
  GPtrArray *tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_auto(GStrv) parts = g_strsplit (text, "|", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) urls = g_strsplit (parts[i], " ", -1);
      GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);
      guint j;

      for (j = 0; urls[j] != NULL; j++)
        if (urls[j][0] != '\0')
          g_ptr_array_add (tier, g_strdup (urls[j]));
      g_ptr_array_add (tiers, tier);
    }
  return tiers;
}

/* "a b|c" for tiers [[a, b], [c]]. */
static char *
text_of (GPtrArray *tiers)
{
  GString *text = g_string_new (NULL);
  guint i, j;

  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);

      if (i > 0)
        g_string_append_c (text, '|');
      for (j = 0; j < tier->len; j++)
        g_string_append_printf (text, "%s%s", j > 0 ? " " : "", (char *) g_ptr_array_index (tier, j));
    }
  return g_string_free (text, FALSE);
}

static void
assert_tiers (TsrTorrent *torrent,
              const char *expected)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (torrent);
  g_autofree char *text = text_of (tiers);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_edit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-trackers-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrSession) session = tsr_session_new ();
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent = tsr_session_add_torrent (session, info, dir);
  static const char *bad[] = {
    "ftp://tracker.example/announce",
    "http:///announce",
    "http://tracker.example/a b",
    "udp://tracker.example:80\n/announce",
    "not a url",
  };
  guint i;

  assert_tiers (torrent, "");
  {
    g_autoptr(GPtrArray) tiers = tiers_of ("http://a.example/announce udp://b.example:6969||"
                                           "https://c.example/x http://a.example/announce");

    g_assert_true (tsr_torrent_set_trackers (torrent, tiers, &error));
    g_assert_no_error (error);
  }
  assert_tiers (torrent, "http://a.example/announce udp://b.example:6969|https://c.example/x");
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) tiers = tiers_of ("http://d.example/announce");

      g_ptr_array_add (g_ptr_array_index (tiers, 0), g_strdup (bad[i]));
      g_assert_false (tsr_torrent_set_trackers (torrent, tiers, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
  assert_tiers (torrent, "http://a.example/announce udp://b.example:6969|https://c.example/x");
  g_assert_true (tsr_torrent_set_trackers (torrent, NULL, &error));
  assert_tiers (torrent, "");
  tsr_test_remove_tree (dir);
}

static void
assert_web_seeds (TsrTorrent *torrent,
                  const char *expected)
{
  g_auto(GStrv) urls = tsr_torrent_dup_web_seeds (torrent);
  g_autofree char *text = g_strjoinv (" ", urls);

  g_assert_cmpstr (text, ==, expected);
}

/* The web seeds (BEP 19) are edited like the trackers: read back as set,
 * once each; anything but http or https with a host refused by name,
 * changing nothing; an empty list is none, NULL the metainfo's. */
static void
test_web_seeds_edit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-trackers-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrSession) session = tsr_session_new ();
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;
  static const char *set[] = { "http://a.example/files/", "https://b.example/x", "http://a.example/files/", NULL };
  static const char *none[] = { NULL };
  static const char *bad[] = {
    "ftp://seed.example/files/",
    "udp://seed.example:6969",
    "http:///files/",
    "http://seed.example/a b",
    "not a url",
  };
  guint i;

  /* The metainfo's own list is where NULL goes back to. */
  g_ptr_array_unref (info->web_seeds);
  info->web_seeds = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (info->web_seeds, g_strdup ("http://own.example/pack/"));
  torrent = tsr_session_add_torrent (session, info, dir);
  assert_web_seeds (torrent, "http://own.example/pack/");
  g_assert_true (tsr_torrent_set_web_seeds (torrent, set, &error));
  g_assert_no_error (error);
  assert_web_seeds (torrent, "http://a.example/files/ https://b.example/x");
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *urls[] = { "http://c.example/", bad[i], NULL };

      g_assert_false (tsr_torrent_set_web_seeds (torrent, urls, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
  assert_web_seeds (torrent, "http://a.example/files/ https://b.example/x");
  g_assert_true (tsr_torrent_set_web_seeds (torrent, none, &error));
  assert_web_seeds (torrent, "");
  g_assert_true (tsr_torrent_set_web_seeds (torrent, NULL, &error));
  assert_web_seeds (torrent, "http://own.example/pack/");
  tsr_test_remove_tree (dir);
}

static void
on_announce (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  guint *announces = user_data;
  static const char reply[] = "d8:intervali1800e5:peers0:e";

  if (g_str_equal (path, "/announce") && query != NULL && g_hash_table_contains (query, "info_hash"))
    (*announces)++;
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, reply, sizeof reply - 1);
}

static void
test_added_while_running (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-trackers-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  g_autoptr(TsrSession) session = tsr_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(SoupServer) server = NULL;
  guint announces = 0;
  TsrTestDeadline deadline;
  TsrTorrent *torrent;

  server = tsr_test_http_server_new (on_announce, &announces, &base);
  url = g_strconcat (base, "/announce", NULL);
  g_assert_true (tsr_session_listen_on (session, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  torrent = tsr_session_add_torrent (session, info, empty);
  tsr_torrent_enable_trackers (torrent, tsr_session_get_port (session));
  tsr_torrent_start (torrent);
  tsr_test_deadline_start (&deadline, 10000);
  while (tsr_torrent_get_state (torrent) != TSR_TORRENT_DOWNLOADING)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
  g_assert_cmpuint (announces, ==, 0);

  tiers = tiers_of (url);
  g_assert_true (tsr_torrent_set_trackers (torrent, tiers, &error));
  g_assert_no_error (error);
  tsr_test_deadline_start (&deadline, 10000);
  while (announces == 0)
    g_main_context_iteration (NULL, TRUE);
  tsr_test_deadline_stop (&deadline);
  tsr_torrent_stop (torrent);
  tsr_test_drain ();
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-trackers/edit", test_edit);
  g_test_add_func ("/torrent-trackers/added-while-running", test_added_while_running);
  g_test_add_func ("/torrent-trackers/web-seeds/edit", test_web_seeds_edit);
  return g_test_run ();
}
