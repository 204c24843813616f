/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-raw-files.c: the parsed files of a torrent before the merge: a
 * v1 entry's path read back from its encoded list, a v2 file's from its
 * place in the tree, symlink targets kept aside, and one file's path
 * compared across the two views as a hybrid torrent needs.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-raw-files.h"

/* The components of file @index joined by '/', and their count. */
static char *
dup_joined (const TsrRawFiles *files,
            guint              index,
            guint             *n)
{
  GString *joined = g_string_new (NULL);
  TsrRawPath path;
  guint i;

  *n = tsr_raw_files_read_path (files, index, &path);
  for (i = 0; i < *n; i++)
    {
      gsize length = 0;
      const char *data = tsr_raw_path_get_component (&path, i, &length);

      if (joined->len > 0)
        g_string_append_c (joined, '/');
      g_string_append_len (joined, data, (gssize) length);
    }
  return g_string_free (joined, FALSE);
}

static GPtrArray *
target_of (const char *first,
           ...)
{
  GPtrArray *target = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *component;
  va_list args;

  va_start (args, first);
  for (component = first; component != NULL; component = va_arg (args, const char *))
    g_ptr_array_add (target, g_bytes_new (component, strlen (component)));
  va_end (args);
  return target;
}

static void
test_v1_list_read_back (void)
{
  /* Components may hold any byte, ':' and digits included: only the
   * encoded lengths say where one ends. */
  static const guint8 list[] = "l3:dir11:12:45.67890e";
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  g_autofree char *joined = NULL;
  gsize length = 0;
  guint n = 0;

  tsr_raw_files_add_list (files, 1234, 0, list, 2, NULL);
  g_assert_cmpuint (tsr_raw_files_get_n_files (files), ==, 1);
  g_assert_cmpuint (tsr_raw_files_get_length (files, 0), ==, 1234);
  joined = dup_joined (files, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (joined, ==, "dir/12:45.67890");
  /* Out of order too: the list is read again from its start. */
  {
    TsrRawPath path;
    const char *data;

    g_assert_cmpuint (tsr_raw_files_read_path (files, 0, &path), ==, 2);
    data = tsr_raw_path_get_component (&path, 1, &length);
    g_assert_cmpmem (data, length, "12:45.67890", 11);
    data = tsr_raw_path_get_component (&path, 0, &length);
    g_assert_cmpmem (data, length, "dir", 3);
  }
  g_assert_null (tsr_raw_files_get_top_name (files, 0, &length));
  g_assert_null (tsr_raw_files_get_symlink_target (files, 0));
}

static void
test_v1_single_has_no_path (void)
{
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  g_autofree char *joined = NULL;
  guint n = 7;

  tsr_raw_files_reserve (files, 1000);
  g_assert_cmpuint (tsr_raw_files_get_n_files (files), ==, 0);
  tsr_raw_files_add_single (files, 42, 1 << 1);
  g_assert_cmpuint (tsr_raw_files_get_n_files (files), ==, 1);
  g_assert_cmpuint (tsr_raw_files_get_attr (files, 0), ==, 1 << 1);
  joined = dup_joined (files, 0, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpstr (joined, ==, "");
}

static void
test_v2_tree_shares_folders (void)
{
  static const guint8 root_a[32] = { 1 };
  static const guint8 root_b[32] = { 2 };
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  const TsrRawTreePath *docs = tsr_raw_files_add_tree_path (files, NULL, (const guint8 *) "docs", 4);
  const TsrRawTreePath *sub = tsr_raw_files_add_tree_path (files, docs, (const guint8 *) "sub", 3);
  const TsrRawTreePath *a = tsr_raw_files_add_tree_path (files, sub, (const guint8 *) "a.txt", 5);
  const TsrRawTreePath *b = tsr_raw_files_add_tree_path (files, docs, (const guint8 *) "b.txt", 5);
  const TsrRawTreePath *top = tsr_raw_files_add_tree_path (files, NULL, (const guint8 *) "top.bin", 7);
  g_autofree char *joined_a = NULL;
  g_autofree char *joined_b = NULL;
  gsize length = 0;
  const guint8 *name;
  guint n = 0;

  tsr_raw_files_add_tree (files, 10, 0, root_a, a, NULL);
  tsr_raw_files_add_tree (files, 20, 0, root_b, b, NULL);
  tsr_raw_files_add_tree (files, 0, 0, NULL, top, NULL);
  g_assert_cmpuint (tsr_raw_files_get_n_files (files), ==, 3);

  joined_a = dup_joined (files, 0, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (joined_a, ==, "docs/sub/a.txt");
  joined_b = dup_joined (files, 1, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (joined_b, ==, "docs/b.txt");
  g_assert_true (tsr_raw_files_get_pieces_root (files, 0) == root_a);
  g_assert_true (tsr_raw_files_get_pieces_root (files, 1) == root_b);
  g_assert_null (tsr_raw_files_get_pieces_root (files, 2));

  /* Only a file at the top has a name of its own. */
  g_assert_null (tsr_raw_files_get_top_name (files, 0, &length));
  name = tsr_raw_files_get_top_name (files, 2, &length);
  g_assert_nonnull (name);
  g_assert_cmpmem (name, length, "top.bin", 7);
}

static void
test_deep_tree_in_order (void)
{
  /* More folders than a pool block holds, and the deepest path a tree
   * may have: read back in order from the top. */
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *joined = NULL;
  const TsrRawTreePath *path = NULL;
  guint n = 0;
  guint i;

  for (i = 0; i < 5000; i++)
    tsr_raw_files_add_tree_path (files, NULL, (const guint8 *) "x", 1);
  for (i = 0; i < TSR_RAW_FILES_MAX_DEPTH; i++)
    {
      char *key = g_strdup_printf ("d%u", i);

      g_ptr_array_add (keys, key);
      path = tsr_raw_files_add_tree_path (files, path, (const guint8 *) key, strlen (key));
      if (expected->len > 0)
        g_string_append_c (expected, '/');
      g_string_append (expected, key);
    }
  tsr_raw_files_add_tree (files, 1, 0, NULL, path, NULL);
  joined = dup_joined (files, 0, &n);
  g_assert_cmpuint (n, ==, TSR_RAW_FILES_MAX_DEPTH);
  g_assert_cmpstr (joined, ==, expected->str);
}

static void
test_same_path_across_views (void)
{
  static const guint8 list_ab[] = "l1:a5:b.txte";
  static const guint8 list_ac[] = "l1:a5:c.txte";
  static const guint8 list_a[] = "l5:b.txte";
  static const guint8 list_abx[] = "l1:a5:b.txt1:xe";
  g_autoptr(TsrRawFiles) v1 = tsr_raw_files_new ();
  g_autoptr(TsrRawFiles) v2 = tsr_raw_files_new ();
  const TsrRawTreePath *a = tsr_raw_files_add_tree_path (v2, NULL, (const guint8 *) "a", 1);

  tsr_raw_files_add_tree (v2, 5, 0, NULL, tsr_raw_files_add_tree_path (v2, a, (const guint8 *) "b.txt", 5), NULL);
  tsr_raw_files_add_list (v1, 5, 0, list_ab, 2, NULL);
  tsr_raw_files_add_list (v1, 5, 0, list_ac, 2, NULL);
  tsr_raw_files_add_list (v1, 5, 0, list_a, 1, NULL);
  tsr_raw_files_add_list (v1, 5, 0, list_abx, 3, NULL);

  g_assert_true (tsr_raw_files_same_path (v1, 0, v2, 0));
  g_assert_true (tsr_raw_files_same_path (v2, 0, v1, 0));
  g_assert_false (tsr_raw_files_same_path (v1, 1, v2, 0));   /* one byte differs */
  g_assert_false (tsr_raw_files_same_path (v1, 2, v2, 0));   /* fewer components */
  g_assert_false (tsr_raw_files_same_path (v1, 3, v2, 0));   /* more components */
  g_assert_true (tsr_raw_files_same_path (v1, 3, v1, 3));
}

static void
test_symlink_keeps_path (void)
{
  static const guint8 list[] = "l4:link3:nowe";
  static const guint8 root[32] = { 9 };
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  const TsrRawTreePath *node = tsr_raw_files_add_tree_path (files, NULL, (const guint8 *) "ln", 2);
  GPtrArray *target;
  g_autofree char *joined = NULL;
  gsize length = 0;
  guint n = 0;

  tsr_raw_files_add_list (files, 0, 1 << 3, list, 2, target_of ("..", "real", NULL));
  tsr_raw_files_add_tree (files, 0, 1 << 3, root, node, target_of ("other", NULL));

  target = tsr_raw_files_get_symlink_target (files, 0);
  g_assert_nonnull (target);
  g_assert_cmpuint (target->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (target, 1), NULL),
                   g_bytes_get_size (g_ptr_array_index (target, 1)), "real", 4);
  joined = dup_joined (files, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (joined, ==, "link/now");
  g_assert_cmpuint (tsr_raw_files_get_attr (files, 0), ==, 1 << 3);

  /* A v2 symlink keeps its place in the tree and its root. */
  g_assert_cmpuint (tsr_raw_files_get_symlink_target (files, 1)->len, ==, 1);
  g_assert_cmpmem (tsr_raw_files_get_top_name (files, 1, &length), length, "ln", 2);
  g_assert_true (tsr_raw_files_get_pieces_root (files, 1) == root);

  /* The merge gives a v1 entry the root of its v2 twin. */
  tsr_raw_files_set_pieces_root (files, 0, root);
  g_assert_true (tsr_raw_files_get_pieces_root (files, 0) == root);
  g_assert_nonnull (tsr_raw_files_get_symlink_target (files, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/raw-files/v1/list-read-back", test_v1_list_read_back);
  g_test_add_func ("/raw-files/v1/single-has-no-path", test_v1_single_has_no_path);
  g_test_add_func ("/raw-files/v2/tree-shares-folders", test_v2_tree_shares_folders);
  g_test_add_func ("/raw-files/v2/deep-tree-in-order", test_deep_tree_in_order);
  g_test_add_func ("/raw-files/same-path-across-views", test_same_path_across_views);
  g_test_add_func ("/raw-files/symlink-keeps-path", test_symlink_keeps_path);

  return g_test_run ();
}
