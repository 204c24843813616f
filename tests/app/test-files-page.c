/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-files-page.c: each file row of the Files page has a pieces bar of
 * exactly the pieces its bytes fall in. The two-file pack (a.bin 40000
 * bytes, b.bin 30000, five 16 KiB pieces, the third shared) is shown
 * before any piece is checked: both bars are empty. Then a.bin is
 * damaged and the torrent verified for real, so pieces 0-2 fail and 3-4
 * are had: after a refresh a.bin's bar is [0 0 0] and b.bin's [0 1 1],
 * the shared piece shown as it is in both. The folder row has no bar.
 */
#include "config.h"

#include <adwaita.h>

#include "tsr-app-test-util.h"
#include "tsr-file-node.h"
#include "tsr-files-page.h"
#include "tsr-pieces-bar.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the page's template). */
GResource *tsr_get_resource (void);

static gboolean
is_checked (TsrTorrent *torrent)
{
  return tsr_torrent_get_state (torrent) != TSR_TORRENT_CHECKING && tsr_torrent_get_pieces_have (torrent) > 0;
}

/* Every pieces bar under @widget that would be drawn, in tree order. */
static void
collect_bars (GtkWidget *widget,
              GPtrArray *bars)
{
  GtkWidget *child;

  if (!gtk_widget_get_visible (widget))
    return;
  if (TSR_IS_PIECES_BAR (widget))
    g_ptr_array_add (bars, widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_bars (child, bars);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The bars' values as "0 1 1" strings, sorted, joined with "|". */
static char *
describe_bars (GtkWidget *page)
{
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint i;

  tsr_test_run_for (200);   /* the view binds its rows at layout */
  collect_bars (page, bars);
  for (i = 0; i < bars->len; i++)
    {
      guint n = 0;
      const float *values = tsr_pieces_bar_get_values (bars->pdata[i], &n);
      GString *text = g_string_new (NULL);
      guint j;

      for (j = 0; j < n; j++)
        g_string_append_printf (text, "%s%g", j > 0 ? " " : "", values[j]);
      g_ptr_array_add (texts, g_string_free (text, FALSE));
    }
  g_ptr_array_sort (texts, compare_strings);
  g_ptr_array_add (texts, NULL);
  return g_strjoinv ("|", (char **) texts->pdata);
}

static void
test_piece_ranges (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-files-page-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = tsr_test_make_pack (root);
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  g_autoptr(TsrTorrent) torrent = tsr_torrent_new (info, dir, id);
  g_autoptr(GListStore) roots = tsr_file_nodes_new (torrent);
  g_autoptr(TsrFileNode) pack = g_list_model_get_item (G_LIST_MODEL (roots), 0);
  GListModel *files = tsr_file_node_get_children (pack);
  guint first = 99;
  guint n = 99;
  guint i;

  g_assert_false (tsr_file_node_get_piece_range (pack, torrent, &first, &n));
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 2);
  for (i = 0; i < 2; i++)
    {
      g_autoptr(TsrFileNode) file = g_list_model_get_item (files, i);

      g_assert_true (tsr_file_node_get_piece_range (file, torrent, &first, &n));
      /* a.bin [0, 40000): pieces 0-2; b.bin [40000, 70000): pieces 2-4. */
      g_assert_cmpuint (first, ==, g_str_equal (tsr_file_node_get_name (file), "a.bin") ? 0 : 2);
      g_assert_cmpuint (n, ==, 3);
    }
  g_clear_object (&roots);
  g_clear_object (&torrent);
  tsr_test_remove_tree (dir);
}

static void
test_bars (void)
{
  TsrAppTestFilesPage fixture;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 end;

  tsr_app_test_files_page_init (&fixture, "tsr-files-page");

  /* Nothing checked yet: two bars (the folder has none), all empty. */
  before = describe_bars (fixture.page);
  g_assert_cmpstr (before, ==, "0 0 0|0 0 0");

  /* a.bin damaged: only the pieces wholly in b.bin verify. */
  tsr_test_write_file (fixture.root, "a.bin", 40000, 7);
  tsr_torrent_verify (fixture.torrent);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!is_checked (fixture.torrent))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (tsr_torrent_get_pieces_have (fixture.torrent), ==, 2);
  tsr_files_page_refresh (TSR_FILES_PAGE (fixture.page));
  after = describe_bars (fixture.page);
  g_assert_cmpstr (after, ==, "0 0 0|0 1 1");

  tsr_torrent_stop (fixture.torrent);
  tsr_app_test_files_page_clear (&fixture);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/files-page/piece-ranges", test_piece_ranges);
  g_test_add_func ("/files-page/bars", test_bars);
  return g_test_run ();
}
