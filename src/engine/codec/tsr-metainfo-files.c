/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo-files.c: the files of a .torrent: the BEP 3 file list
 * (v1), the BEP 52 file tree (v2) and its piece layers, and the merge of
 * both views of a hybrid torrent into TsrMetainfo.files; and a copy
 * whose files land elsewhere (renamed by the user).
 *
 * Sizes cannot overflow, a v2 tree must be in order and not too deep, and
 * every piece layer must hash up to its file's root. The parsed files
 * borrow their paths from the info dictionary's bytes (TsrRawFiles), so
 * that the decoded tree can be freed before the files are built.
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-merkle.h"
#include "tsr-metainfo-private.h"
#include "tsr-util.h"

/* The total must fit a signed 64-bit file offset. */
#define MAX_TOTAL_LENGTH   ((guint64) G_MAXINT64)
#define MAX_FILES          (1000 * 1000)

/* Where the decoded info dictionary came from: a node's bytes are found
 * in the input from its span, so that what the files borrow stays valid
 * once the decoded tree is freed (before the files are built, which is
 * when a million-file torrent needs the most memory). */
typedef struct
{
  const guint8 *info_data;     /* the info dictionary's bytes, in self->info_bytes */
  gsize         info_offset;   /* its offset in the decoded input */
} Input;

/* The bytes of @node in the input, and their length. */
static const guint8 *
input_node_data (const Input      *input,
                 const TsrBencode *node,
                 gsize            *length)
{
  gsize offset = 0;
  gsize span_length = 0;

  if (!tsr_bencode_get_span (node, &offset, &span_length))
    g_assert_not_reached ();
  g_assert (offset >= input->info_offset);
  *length = span_length;
  return input->info_data + (offset - input->info_offset);
}

/* A decoded string's bytes in the input: its encoding ends with them. */
static const guint8 *
input_string_data (const Input      *input,
                   const TsrBencode *node)
{
  gsize string_length = 0;
  gsize span_length = 0;
  const guint8 *span = input_node_data (input, node, &span_length);

  tsr_bencode_get_string (node, &string_length);
  return span + span_length - string_length;
}

/* @info is the decoded self->info_bytes. */
static void
input_init (Input             *input,
            const TsrMetainfo *self,
            const TsrBencode  *info)
{
  input->info_data = g_bytes_get_data (self->info_bytes, NULL);
  input->info_offset = 0;
  if (!tsr_bencode_get_span (info, &input->info_offset, NULL))
    g_assert_not_reached ();
}

/* A list of byte-string path components. */
static GPtrArray *
parse_component_list (const TsrBencode *list,
                      const char       *where,
                      gboolean          allow_empty,
                      GError          **error)
{
  g_autoptr(GPtrArray) components = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint i;

  if (tsr_bencode_list_length (list) == 0 && !allow_empty)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                   _("%s has an empty path"), where);
      return NULL;
    }
  for (i = 0; i < tsr_bencode_list_length (list); i++)
    {
      TsrBencode *item = tsr_bencode_list_get (list, i);
      const guint8 *data;
      gsize length = 0;

      if (tsr_bencode_get_node_type (item) != TSR_BENCODE_STRING)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                       _("%s has a path element that is not a string"), where);
          return NULL;
        }
      data = tsr_bencode_get_string (item, &length);
      g_ptr_array_add (components, g_bytes_new (data, length));
    }
  return g_steal_pointer (&components);
}

/* Checks a v1 "path" list without copying it: non-empty, strings only. */
static gboolean
check_component_list (const TsrBencode *list,
                      const char       *where,
                      GError          **error)
{
  guint i;

  if (tsr_bencode_list_length (list) == 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                   _("%s has an empty path"), where);
      return FALSE;
    }
  for (i = 0; i < tsr_bencode_list_length (list); i++)
    if (tsr_bencode_get_node_type (tsr_bencode_list_get (list, i)) != TSR_BENCODE_STRING)
      {
        g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                     _("%s has a path element that is not a string"), where);
        return FALSE;
      }
  return TRUE;
}

static gboolean
add_length (guint64   *total,
            guint64    length,
            GError   **error)
{
  if (length > MAX_TOTAL_LENGTH || *total > MAX_TOTAL_LENGTH - length)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   g_dngettext (GETTEXT_PACKAGE, "The files add up to more than %" PRIu64 " byte",
                                "The files add up to more than %" PRIu64 " bytes", (gulong) MAX_TOTAL_LENGTH),
                   (guint64) MAX_TOTAL_LENGTH);
      return FALSE;
    }
  *total += length;
  return TRUE;
}

static gboolean
read_length (const TsrBencode *dict,
             const char       *where,
             guint64          *out,
             GError          **error)
{
  TsrBencode *node = _tsr_metainfo_require_key (dict, "length", TSR_BENCODE_INTEGER, where, error);
  gint64 length;

  if (node == NULL)
    return FALSE;
  length = tsr_bencode_get_integer (node);
  if (length < 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                   _("%s has a negative length (%" PRId64 ")"), where, length);
      return FALSE;
    }
  *out = (guint64) length;
  return TRUE;
}

/* BEP 3 "files" (multi-file) or "length" (single file). */
TsrRawFiles *
_tsr_metainfo_parse_v1_files (const TsrMetainfo *self,
                              const TsrBencode  *info,
                              gboolean          *multi_file,
                              GError           **error)
{
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  Input input;
  TsrBencode *list = NULL;
  TsrBencode *length_node = NULL;
  guint64 total = 0;
  guint i;

  input_init (&input, self, info);
  if (!_tsr_metainfo_optional_key (info, "files", TSR_BENCODE_LIST, _("the info dictionary"), &list, error) ||
      !_tsr_metainfo_optional_key (info, "length", TSR_BENCODE_INTEGER, _("the info dictionary"), &length_node,
                                   error))
    return NULL;

  if (list != NULL && length_node != NULL)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                           _("The info dictionary has both “files” and “length”"));
      return NULL;
    }
  if (list == NULL && length_node == NULL)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                           _("The info dictionary has neither “files” nor “length”"));
      return NULL;
    }

  if (length_node != NULL)
    {
      guint64 length = 0;

      if (!read_length (info, _("the info dictionary"), &length, error))
        return NULL;
      tsr_raw_files_add_single (files, length, _tsr_metainfo_parse_attr (info));
      *multi_file = FALSE;
      return g_steal_pointer (&files);
    }

  if (tsr_bencode_list_length (list) == 0)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                           _("The torrent's file list is empty"));
      return NULL;
    }
  if (tsr_bencode_list_length (list) > MAX_FILES)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   g_dngettext (GETTEXT_PACKAGE, "The torrent lists more than %u file",
                                "The torrent lists more than %u files", MAX_FILES), (guint) MAX_FILES);
      return NULL;
    }

  tsr_raw_files_reserve (files, tsr_bencode_list_length (list));
  for (i = 0; i < tsr_bencode_list_length (list); i++)
    {
      TsrBencode *entry = tsr_bencode_list_get (list, i);
      g_autofree char *where = g_strdup_printf (_("file %u"), i + 1);
      TsrBencode *path = NULL;
      TsrBencode *symlink = NULL;
      GPtrArray *target = NULL;
      TsrFileAttr attr;
      guint64 length = 0;
      gsize span_length = 0;

      if (tsr_bencode_get_node_type (entry) != TSR_BENCODE_DICT)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                       _("Entry %u of the file list is not a dictionary"), i + 1);
          return NULL;
        }
      attr = _tsr_metainfo_parse_attr (entry);
      symlink = tsr_bencode_dict_lookup_type (entry, "symlink path", TSR_BENCODE_LIST);
      /* BEP 47: a symlink is described by its target and needs no length
       * (libtorrent writes none); it takes no room in the stream. */
      if ((attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL &&
          tsr_bencode_dict_lookup (entry, "length") == NULL)
        length = 0;
      else if (!read_length (entry, where, &length, error))
        return NULL;
      if (!add_length (&total, length, error))
        return NULL;

      /* Prefer "path.utf-8" when it is there and valid (old clients). */
      path = tsr_bencode_dict_lookup_type (entry, "path.utf-8", TSR_BENCODE_LIST);
      if (path == NULL &&
          (path = _tsr_metainfo_require_key (entry, "path", TSR_BENCODE_LIST, where, error)) == NULL)
        return NULL;
      if (!check_component_list (path, where, error))
        return NULL;
      if ((attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL)
        {
          target = parse_component_list (symlink, where, TRUE, error);
          if (target == NULL)
            return NULL;
        }
      tsr_raw_files_add_list (files, length, attr, input_node_data (&input, path, &span_length),
                              tsr_bencode_list_length (path), target);
    }

  *multi_file = TRUE;
  return g_steal_pointer (&files);
}

static gboolean
is_all_zero (const guint8 *data,
             gsize         length)
{
  gsize i;

  for (i = 0; i < length; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

/* BEP 52 file tree: nested dictionaries keyed by path component; a file is
 * a dictionary whose only key is "" holding length and pieces root. */
static gboolean
walk_file_tree (const Input          *input,
                const TsrBencode     *node,
                const TsrRawTreePath *prefix,
                TsrRawFiles          *files,
                guint64              *total,
                guint                 depth,
                GError              **error)
{
  const guint8 *previous = NULL;
  gsize previous_length = 0;
  gsize child_span = 0;
  guint i;

  if (depth > TSR_RAW_FILES_MAX_DEPTH)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                           _("The file tree is nested too deeply"));
      return FALSE;
    }
  for (i = 0; i < tsr_bencode_dict_size (node); i++)
    {
      const guint8 *key;
      gsize key_length = 0;
      TsrBencode *child = tsr_bencode_dict_get_nth (node, i, &key, &key_length);

      /* BEP 52: the tree's order is the order of the files, which fixes
       * their pieces; a tree out of bytewise order is ambiguous, and
       * libtorrent refuses it. */
      if (previous != NULL)
        {
          int order = memcmp (previous, key, MIN (previous_length, key_length));

          if (order > 0 || (order == 0 && previous_length >= key_length))
            {
              g_autofree char *shown = tsr_quote_for_message ((const char *) key, key_length);

              g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                           _("The file tree is not in sorted order at “%s”"), shown);
              return FALSE;
            }
        }
      previous = key;
      previous_length = key_length;
      if (tsr_bencode_get_node_type (child) != TSR_BENCODE_DICT)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                               _("The file tree has an entry that is not a dictionary"));
          return FALSE;
        }
      if (key_length == 0)
        {
          TsrFileAttr attr;
          guint64 length = 0;
          const guint8 *pieces_root = NULL;
          GPtrArray *target = NULL;
          const guint8 *root;
          gsize root_length = 0;
          TsrBencode *symlink;

          if (depth == 0 || tsr_bencode_dict_size (node) != 1)
            {
              g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                                   _("The file tree has a file entry beside other entries"));
              return FALSE;
            }
          if (tsr_raw_files_get_n_files (files) >= MAX_FILES)
            {
              g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                           g_dngettext (GETTEXT_PACKAGE, "The torrent lists more than %u file",
                                        "The torrent lists more than %u files", MAX_FILES), (guint) MAX_FILES);
              return FALSE;
            }
          attr = _tsr_metainfo_parse_attr (child);
          symlink = tsr_bencode_dict_lookup_type (child, "symlink path", TSR_BENCODE_LIST);
          /* BEP 47 attributes hold in v2 trees too: a symlink has a target
           * and no data, and may leave out its length. */
          if ((attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL &&
              tsr_bencode_dict_lookup (child, "length") == NULL)
            length = 0;
          else if (!read_length (child, _("a file of the file tree"), &length, error))
            return FALSE;
          if (!add_length (total, length, error))
            return FALSE;
          root = tsr_bencode_dict_lookup_string (child, "pieces root", &root_length);
          if (root != NULL)
            {
              if (root_length != 32)
                {
                  g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "A file of the file tree has a pieces root of %zu byte, not 32",
                                            "A file of the file tree has a pieces root of %zu bytes, not 32",
                                            (gulong) root_length),
                               root_length);
                  return FALSE;
                }
              /* All zero is no hash of any data: a placeholder. */
              if (is_all_zero (root, 32))
                {
                  g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                                       _("A file of the file tree has a pieces root of all zero bytes"));
                  return FALSE;
                }
              pieces_root = input_string_data (input, tsr_bencode_dict_lookup (child, "pieces root"));
            }
          else if (length > 0 && !(attr & TSR_FILE_ATTR_SYMLINK))
            {
              g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                                   _("A non-empty file of the file tree has no pieces root"));
              return FALSE;
            }
          if ((attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL)
            {
              target = parse_component_list (symlink, _("a file of the file tree"), TRUE, error);
              if (target == NULL)
                return FALSE;
            }
          tsr_raw_files_add_tree (files, length, attr, pieces_root, prefix, target);
          continue;
        }

      /* The key's bytes end where its value starts, in the input. */
      key = input_node_data (input, child, &child_span) - key_length;
      if (!walk_file_tree (input, child, tsr_raw_files_add_tree_path (files, prefix, key, key_length), files, total,
                           depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

TsrRawFiles *
_tsr_metainfo_parse_v2_files (const TsrMetainfo *self,
                              const TsrBencode  *info,
                              const TsrBencode  *tree,
                              GError           **error)
{
  g_autoptr(TsrRawFiles) files = tsr_raw_files_new ();
  Input input;
  guint64 total = 0;

  input_init (&input, self, info);
  if (!walk_file_tree (&input, tree, NULL, files, &total, 0, error))
    return NULL;
  if (tsr_raw_files_get_n_files (files) == 0)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                           _("The file tree holds no files"));
      return NULL;
    }
  return g_steal_pointer (&files);
}

static guint
bytes_hash_32 (gconstpointer key)
{
  return g_bytes_hash (key);
}

/* "piece layers": pieces root → concatenated piece hashes of that file.
 * Needed for every file longer than one piece; each must hash to its root. */
gboolean
_tsr_metainfo_parse_piece_layers (TsrMetainfo       *self,
                                  const TsrBencode  *root,
                                  const TsrRawFiles *v2_files,
                                  gboolean           required,
                                  GError           **error)
{
  guint n_files = tsr_raw_files_get_n_files (v2_files);
  TsrBencode *layers = NULL;
  g_autoptr(GHashTable) layers_by_root = NULL;
  guint i;

  if (!_tsr_metainfo_optional_key (root, "piece layers", TSR_BENCODE_DICT, _("the torrent"), &layers, error))
    return FALSE;

  if (layers != NULL)
    {
      layers_by_root = g_hash_table_new_full (bytes_hash_32, g_bytes_equal,
                                              (GDestroyNotify) g_bytes_unref, NULL);
      for (i = 0; i < tsr_bencode_dict_size (layers); i++)
        {
          const guint8 *k;
          gsize k_length = 0;
          TsrBencode *value = tsr_bencode_dict_get_nth (layers, i, &k, &k_length);

          g_hash_table_insert (layers_by_root, g_bytes_new (k, k_length), value);
        }
    }

  /* BEP 52: piece layers are keyed by the pieces roots of the tree's
   * files; a layer for no file is a torrent made wrong (libtorrent
   * refuses it too), not something to carry along. */
  if (layers_by_root != NULL)
    {
      g_autoptr(GHashTable) roots = g_hash_table_new_full (bytes_hash_32, g_bytes_equal,
                                                          (GDestroyNotify) g_bytes_unref, NULL);
      GHashTableIter iter;
      gpointer key;

      for (i = 0; i < n_files; i++)
        {
          const guint8 *pieces_root = tsr_raw_files_get_pieces_root (v2_files, i);

          if (pieces_root != NULL)
            g_hash_table_add (roots, g_bytes_new_static (pieces_root, 32));
        }
      g_hash_table_iter_init (&iter, layers_by_root);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (roots, key))
          {
            g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                                 _("A piece layer belongs to no file of the file tree"));
            return FALSE;
          }
    }

  self->piece_layers = g_hash_table_new_full (bytes_hash_32, g_bytes_equal,
                                              (GDestroyNotify) g_bytes_unref,
                                              (GDestroyNotify) g_bytes_unref);
  for (i = 0; i < n_files; i++)
    {
      const guint8 *pieces_root = tsr_raw_files_get_pieces_root (v2_files, i);
      guint64 length = tsr_raw_files_get_length (v2_files, i);
      g_autoptr(GBytes) key = NULL;
      const guint8 *layer;
      gsize layer_length = 0;
      guint64 pieces;
      guint8 computed[32];
      TsrBencode *value;

      if (pieces_root == NULL || length <= self->piece_length)
        continue;
      key = g_bytes_new (pieces_root, 32);
      if (g_hash_table_contains (self->piece_layers, key))
        continue;   /* two files with the same content share a layer */
      pieces = (length + self->piece_length - 1) / self->piece_length;
      value = layers_by_root != NULL ? g_hash_table_lookup (layers_by_root, key) : NULL;
      layer = NULL;
      if (value != NULL)
        {
          if (tsr_bencode_get_node_type (value) != TSR_BENCODE_STRING)
            {
              g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                                   _("A piece layer is not a string"));
              return FALSE;
            }
          layer = tsr_bencode_get_string (value, &layer_length);
        }
      if (layer == NULL)
        {
          if (!required)
            continue;
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                               _("The piece layer of a file larger than one piece is missing"));
          return FALSE;
        }
      if (layer_length != pieces * 32)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                       g_dngettext (GETTEXT_PACKAGE, "A piece layer has %zu byte; its file needs %" PRIu64,
                                    "A piece layer has %zu bytes; its file needs %" PRIu64, (gulong) layer_length),
                       layer_length, pieces * 32);
          return FALSE;
        }
      tsr_merkle_layer_root (layer, pieces, self->piece_length, computed);
      if (memcmp (computed, pieces_root, 32) != 0)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                               _("A piece layer does not hash to its file's pieces root"));
          return FALSE;
        }
      g_hash_table_insert (self->piece_layers, g_steal_pointer (&key), g_bytes_new (layer, layer_length));
    }
  return TRUE;
}

/* Merges the parsed file lists into self->files. For hybrid torrents the
 * v1 list (with its pad files) gives the layout and must describe the
 * same files as the v2 tree. */
gboolean
_tsr_metainfo_build_files (TsrMetainfo       *self,
                           TsrRawFiles       *v1_files,
                           const TsrRawFiles *v2_files,
                           GError           **error)
{
  const TsrRawFiles *layout = v1_files != NULL ? v1_files : v2_files;
  guint n_files = tsr_raw_files_get_n_files (layout);
  const char *top = self->multi_file ? self->name : "";
  const char *display_top = self->multi_file ? self->display_name : "";
  guint64 offset = 0;
  guint v2_index = 0;
  guint i;

  if (v1_files != NULL && v2_files != NULL)
    {
      for (i = 0; i < tsr_raw_files_get_n_files (v1_files); i++)
        {
          guint b;

          if (tsr_raw_files_get_attr (v1_files, i) & TSR_FILE_ATTR_PAD)
            continue;
          if (v2_index >= tsr_raw_files_get_n_files (v2_files))
            goto mismatch;
          b = v2_index++;
          /* A single-file v1 torrent names its file in "name"; v2 puts
           * the name as the tree's only key. */
          if (tsr_raw_files_get_length (v1_files, i) != tsr_raw_files_get_length (v2_files, b) ||
              (self->multi_file && !tsr_raw_files_same_path (v1_files, i, v2_files, b)))
            goto mismatch;
          tsr_raw_files_set_pieces_root (v1_files, i, tsr_raw_files_get_pieces_root (v2_files, b));
        }
      if (v2_index != tsr_raw_files_get_n_files (v2_files))
        goto mismatch;
    }

  self->n_files = n_files;
  self->files = g_new0 (TsrFile, n_files);
  for (i = 0; i < n_files; i++)
    {
      TsrFile *file = &self->files[i];
      const guint8 *pieces_root = tsr_raw_files_get_pieces_root (layout, i);
      GPtrArray *symlink_target = tsr_raw_files_get_symlink_target (layout, i);

      file->length = tsr_raw_files_get_length (layout, i);
      file->attr = tsr_raw_files_get_attr (layout, i);
      file->has_pieces_root = pieces_root != NULL;
      if (pieces_root != NULL)
        memcpy (file->pieces_root, pieces_root, 32);

      if (!self->multi_file)
        {
          file->path = g_strdup (self->name);
          file->display_path = g_strdup (self->display_name);
        }
      else if (!_tsr_metainfo_build_paths (layout, i, NULL, top, display_top,
                                           &file->path, &file->display_path, error))
        return FALSE;
      if (g_str_equal (file->path, file->display_path))
        {
          g_free (file->display_path);
          file->display_path = file->path;
        }

      if (symlink_target != NULL)
        {
          g_autofree char *shown = NULL;

          /* Symlink targets are relative to the torrent's top folder. */
          if (!_tsr_metainfo_build_paths (layout, i, symlink_target, "", "", &file->symlink_path, &shown, error))
            return FALSE;
        }

      /* v2 files (without v1 pad files) start on a piece boundary. */
      if (v1_files == NULL && offset % self->piece_length != 0)
        offset += self->piece_length - offset % self->piece_length;
      file->offset = offset;
      if (!add_length (&offset, file->length, error))
        return FALSE;
      if (!(file->attr & TSR_FILE_ATTR_PAD))
        self->total_length += file->length;
    }
  self->stream_length = offset;

  /* Hybrid: v2 pieces map onto v1 pieces only if each file starts on a
   * piece boundary (BEP 47 pad files make it so). */
  if (v1_files != NULL && v2_files != NULL)
    for (i = 0; i < self->n_files; i++)
      if (!(self->files[i].attr & TSR_FILE_ATTR_PAD) && self->files[i].length > 0 &&
          self->files[i].offset % self->piece_length != 0)
        goto mismatch;

  return _tsr_metainfo_check_collisions (self, error);

mismatch:
  g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH,
                       _("The v1 file list and the v2 file tree of this hybrid torrent differ"));
  return FALSE;
}

/* Layers learned from peers (BEP 52 hash requests) join the parsed ones. */
void
tsr_metainfo_set_piece_layer (TsrMetainfo  *self,
                              const guint8 *pieces_root,
                              GBytes       *layer)
{
  if (self->piece_layers == NULL)
    self->piece_layers = g_hash_table_new_full (bytes_hash_32, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                (GDestroyNotify) g_bytes_unref);
  g_hash_table_insert (self->piece_layers, g_bytes_new (pieces_root, 32), g_bytes_ref (layer));
}

TsrMetainfo *
tsr_metainfo_new_renamed (TsrMetainfo        *self,
                          const char * const *paths)
{
  TsrMetainfo *copy;
  guint i;

  g_return_val_if_fail (self != NULL && paths != NULL, NULL);

  /* Made now if need be, so that a layer learned later (a v2 magnet's,
   * from peers) lands in the table both share. */
  if (self->has_v2 && self->piece_layers == NULL)
    self->piece_layers = g_hash_table_new_full (bytes_hash_32, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                (GDestroyNotify) g_bytes_unref);
  copy = g_new (TsrMetainfo, 1);
  *copy = *self;
  copy->ref_count = 1;
  copy->name = g_strdup (self->name);
  copy->display_name = g_strdup (self->display_name);
  copy->comment = g_strdup (self->comment);
  copy->created_by = g_strdup (self->created_by);
  copy->source = g_strdup (self->source);
  /* Shared, not copied: the hashes, trackers and seeds are the same
   * torrent's. */
  copy->pieces = self->pieces != NULL ? g_bytes_ref (self->pieces) : NULL;
  copy->piece_layers = self->piece_layers != NULL ? g_hash_table_ref (self->piece_layers) : NULL;
  copy->trackers = self->trackers != NULL ? g_ptr_array_ref (self->trackers) : NULL;
  copy->web_seeds = self->web_seeds != NULL ? g_ptr_array_ref (self->web_seeds) : NULL;
  copy->http_seeds = self->http_seeds != NULL ? g_ptr_array_ref (self->http_seeds) : NULL;
  copy->notes = self->notes != NULL ? g_ptr_array_ref (self->notes) : NULL;
  copy->info_bytes = self->info_bytes != NULL ? g_bytes_ref (self->info_bytes) : NULL;
  copy->files = g_new0 (TsrFile, MAX (self->n_files, 1));
  for (i = 0; i < self->n_files; i++)
    {
      const char *path = paths[i] != NULL ? paths[i] : self->files[i].path;

      copy->files[i] = self->files[i];
      copy->files[i].path = g_strdup (path);
      /* A renamed file reads as its new name; the others as before. */
      copy->files[i].display_path = g_str_equal (path, self->files[i].path)
                                    ? g_strdup (self->files[i].display_path) : copy->files[i].path;
      copy->files[i].symlink_path = g_strdup (self->files[i].symlink_path);
    }
  /* The torrent's name is its top folder, or its one file: renamed with it. */
  if (self->n_files > 0)
    {
      gsize was = strcspn (self->files[0].path, "/");
      gsize now = strcspn (copy->files[0].path, "/");

      if (was != now || strncmp (self->files[0].path, copy->files[0].path, was) != 0)
        {
          g_free (copy->name);
          g_free (copy->display_name);
          copy->name = g_strndup (copy->files[0].path, now);
          copy->display_name = g_strdup (copy->name);
        }
    }
  return copy;
}
