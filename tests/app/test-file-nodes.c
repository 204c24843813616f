/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-file-nodes.c: the Files page's tree: folders as the torrent names
 * them, sizes summed, a folder's priority set on every file below it,
 * and a folder whose files differ shows no single priority.
 */
#include "config.h"

#include <gio/gio.h>

#include "tsr-file-node.h"
#include "tsr-test-util.h"

/* Item @position of @model, kept alive by the model. */
static TsrFileNode *
child (GListModel *model,
       guint       position)
{
  g_autoptr(TsrFileNode) node = g_list_model_get_item (model, position);

  g_assert_nonnull (node);
  return node;
}

static guint64
size_of (TsrFileNode *node)
{
  guint64 size = 0;

  g_object_get (node, "size", &size, NULL);
  return size;
}

static void
test_tree (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-file-nodes-XXXXXX", NULL);
  g_autofree char *root = g_build_filename (dir, "pack", NULL);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrTorrent) torrent = NULL;
  g_autoptr(GListStore) roots = NULL;
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  TsrFileNode *pack;
  TsrFileNode *sub;
  GListModel *top;
  guint i;

  tsr_test_write_file (root, "a.bin", 30000, 1);
  tsr_test_write_file (root, "sub/b.bin", 20000, 2);
  tsr_test_write_file (root, "sub/c.bin", 10000, 3);
  info = tsr_test_make_torrent (root, TSR_CREATE_HYBRID, 16384);   /* pad files too */
  torrent = tsr_torrent_new (info, dir, id);
  roots = tsr_file_nodes_new (torrent);

  /* pack/ { a.bin, sub/ { b.bin, c.bin } }: pad files left out. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (roots)), ==, 1);
  pack = child (G_LIST_MODEL (roots), 0);
  g_assert_cmpstr (tsr_file_node_get_name (pack), ==, "pack");
  g_assert_cmpint (tsr_file_node_get_index (pack), ==, -1);
  g_assert_cmpuint (size_of (pack), ==, 60000);
  top = tsr_file_node_get_children (pack);
  g_assert_cmpuint (g_list_model_get_n_items (top), ==, 2);
  sub = NULL;
  for (i = 0; i < 2; i++)
    if (tsr_file_node_get_children (child (top, i)) != NULL)
      sub = child (top, i);
  g_assert_nonnull (sub);
  g_assert_cmpstr (tsr_file_node_get_name (sub), ==, "sub");
  g_assert_cmpstr (tsr_file_node_get_path (sub), ==, "pack/sub");
  g_assert_cmpuint (size_of (sub), ==, 30000);
  g_assert_cmpuint (g_list_model_get_n_items (tsr_file_node_get_children (sub)), ==, 2);
  g_assert_cmpint (tsr_file_node_get_priority (pack), ==, TSR_PRIORITY_NORMAL);

  /* A folder's priority reaches every file below it... */
  tsr_file_node_set_priority (sub, torrent, TSR_PRIORITY_SKIP);
  tsr_file_nodes_update (roots, torrent);
  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      g_assert_cmpint (tsr_torrent_get_file_priority (torrent, i), ==,
                       g_str_has_prefix (info->files[i].path, "pack/sub/") ? TSR_PRIORITY_SKIP : TSR_PRIORITY_NORMAL);
  g_assert_cmpint (tsr_file_node_get_priority (sub), ==, TSR_PRIORITY_SKIP);
  /* ...and a folder whose files differ has none of its own. */
  g_assert_cmpint (tsr_file_node_get_priority (pack), ==, -1);

  g_clear_object (&roots);
  g_clear_object (&torrent);
  tsr_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/file-nodes/tree", test_tree);
  return g_test_run ();
}
