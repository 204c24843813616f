/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo.c: parses and validates .torrent files, v1 (BEP 3), v2 and
 * hybrid (BEP 52), with BEP 12 tiers, BEP 17/19 web seeds, BEP 27 private
 * torrents and BEP 47 pad files and attributes.
 *
 * A torrent is hostile input. Everything is checked before it is used:
 * sizes cannot overflow, piece counts must match the data, v2 piece layers
 * must hash up to their roots, and every path component goes through the
 * sanitizer so that no file can land outside the download folder. The info
 * hash is computed over the info dictionary's original bytes.
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

#include "tsr-merkle.h"
#include "tsr-metainfo.h"
#include "tsr-path.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-metainfo-error-quark, tsr_metainfo_error)

#define V2_BLOCK_SIZE      16384
/* 512 MiB: larger pieces are not made by any tool and would make a
 * single piece buffer unreasonably large. */
#define MAX_PIECE_LENGTH   (G_GUINT64_CONSTANT (512) * 1024 * 1024)
/* The total must fit a signed 64-bit file offset. */
#define MAX_TOTAL_LENGTH   ((guint64) G_MAXINT64)
#define MAX_FILES          (1000 * 1000)

/* BEP 52 trees nest 256 levels at most here: a v2 path has at most as
 * many components. */
#define MAX_TREE_DEPTH 256

/* A folder or file of a v2 file tree, linked to its parent: the files of
 * a folder share its chain instead of each copying the path. The key is
 * borrowed from the decoded tree. */
typedef struct _TreePath TreePath;
struct _TreePath
{
  const TreePath *parent;
  const guint8   *key;
  gsize           key_length;
  guint           depth;      /* components up to and including this one */
};

/* TreePaths in blocks, freed together with the parse. */
typedef struct
{
  GPtrArray *blocks;     /* (element-type TreePath[TREE_PATH_BLOCK]) (owned) */
  guint      used;       /* in the last block */
} TreePathPool;

#define TREE_PATH_BLOCK 4096

static const TreePath *
tree_path_new (TreePathPool   *pool,
               const TreePath *parent,
               const guint8   *key,
               gsize           key_length)
{
  TreePath *path;

  if (pool->blocks->len == 0 || pool->used == TREE_PATH_BLOCK)
    {
      g_ptr_array_add (pool->blocks, g_new (TreePath, TREE_PATH_BLOCK));
      pool->used = 0;
    }
  path = (TreePath *) g_ptr_array_index (pool->blocks, pool->blocks->len - 1) + pool->used++;
  path->parent = parent;
  path->key = key;
  path->key_length = key_length;
  path->depth = parent != NULL ? parent->depth + 1 : 1;
  return path;
}

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

/* Where a parsed file's raw path comes from. */
typedef enum
{
  RAW_PATH_NONE,      /* a single file: the torrent's name alone */
  RAW_PATH_LIST,      /* v1: the entry's encoded "path" list, in the input */
  RAW_PATH_TREE,      /* v2: its place in the file tree */
  RAW_PATH_SYMLINK,   /* one of the above, aside with a BEP 47 symlink target */
} RawPathKind;

typedef struct _RawSymlink RawSymlink;

/* A file as parsed, before the v1 and v2 views are merged: 32 bytes, as
 * a million-file torrent holds a million of them beside its decoded tree.
 * A path is borrowed, never copied: a v1 entry's from the input, a v2
 * file's from its place in the tree. */
typedef struct
{
  union
  {
    const guint8   *list;      /* "l<n>:<bytes>...e", checked by the decoder */
    const TreePath *tree;
    RawSymlink     *symlink;   /* (owned) */
  } path;
  guint64       length;
  const guint8 *pieces_root;   /* (nullable) 32 bytes borrowed from the input */
  guint32       path_n;        /* components in @path.list */
  guint8        path_kind;     /* RawPathKind */
  guint8        attr;          /* TsrFileAttr */
} RawFile;

G_STATIC_ASSERT (sizeof (RawFile) <= 32);

/* Symlinks are rare: their targets do not make every file larger. */
struct _RawSymlink
{
  RawFile    file;     /* the symlink's own path, never RAW_PATH_SYMLINK */
  GPtrArray *target;   /* (owned) (element-type GBytes) */
};

static void
raw_file_clear (gpointer data)
{
  RawFile *file = data;

  if (file->path_kind == RAW_PATH_SYMLINK)
    {
      g_ptr_array_unref (file->path.symlink->target);
      g_free (file->path.symlink);
    }
  file->path_kind = RAW_PATH_NONE;
}

/* Sets @target (owned) as the symlink target of @file. */
static void
raw_file_set_symlink (RawFile   *file,
                      GPtrArray *target)
{
  RawSymlink *symlink = g_new0 (RawSymlink, 1);

  g_assert (file->path_kind != RAW_PATH_SYMLINK);
  symlink->file = *file;
  symlink->target = target;
  file->path.symlink = symlink;
  file->path_kind = RAW_PATH_SYMLINK;
}

/* The file that holds @file's path: itself, or its symlink's copy. */
static const RawFile *
raw_file_path_holder (const RawFile *file)
{
  return file->path_kind == RAW_PATH_SYMLINK ? &file->path.symlink->file : file;
}

/* (nullable) */
static GPtrArray *
raw_file_symlink_target (const RawFile *file)
{
  return file->path_kind == RAW_PATH_SYMLINK ? file->path.symlink->target : NULL;
}

/* (nullable) a v2 file's place in the tree */
static const TreePath *
raw_file_tree_path (const RawFile *file)
{
  file = raw_file_path_holder (file);
  return file->path_kind == RAW_PATH_TREE ? file->path.tree : NULL;
}

static GArray *
raw_file_array_new (void)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (RawFile));

  g_array_set_clear_func (array, raw_file_clear);
  return array;
}

static guint
raw_file_n_components (const RawFile *file)
{
  file = raw_file_path_holder (file);
  switch (file->path_kind)
    {
    case RAW_PATH_LIST:
      return file->path_n;
    case RAW_PATH_TREE:
      return file->path.tree->depth;
    case RAW_PATH_NONE:
    default:
      return 0;
    }
}

/* A file's components in order, read once: a v2 path is walked up from
 * the file a single time, not once per component. */
typedef struct
{
  const RawFile *file;
  const guint8  *data[MAX_TREE_DEPTH + 1];
  gsize          lengths[MAX_TREE_DEPTH + 1];
  guint          n;
  /* v1: the next component to read in the encoded list; components are
   * read in order, so a long path stays linear. */
  const guint8  *cursor;
  guint          cursor_index;
} Components;

static void
components_init (Components    *self,
                 const RawFile *file)
{
  const TreePath *path;

  file = raw_file_path_holder (file);
  self->file = file;
  self->n = raw_file_n_components (file);
  self->cursor = NULL;
  self->cursor_index = 0;
  if (file->path_kind != RAW_PATH_TREE)
    return;
  g_assert (self->n <= MAX_TREE_DEPTH + 1);
  for (path = file->path.tree; path != NULL; path = path->parent)
    {
      self->data[path->depth - 1] = path->key;
      self->lengths[path->depth - 1] = path->key_length;
    }
}

/* Reads "<length>:<bytes>" at @p, already validated by the decoder. */
static const guint8 *
read_encoded_string (const guint8 **p,
                     gsize         *length)
{
  const guint8 *data;
  gsize n = 0;

  while (**p != ':')
    n = n * 10 + (gsize) (*(*p)++ - '0');
  data = ++(*p);
  *p += n;
  *length = n;
  return data;
}

static const char *
components_get (Components *self,
                guint       index,
                gsize      *length)
{
  if (self->file->path_kind == RAW_PATH_LIST)
    {
      const guint8 *data;
      gsize skipped = 0;

      if (self->cursor == NULL || index < self->cursor_index)
        {
          self->cursor = self->file->path.list + 1;   /* 'l' */
          self->cursor_index = 0;
        }
      while (self->cursor_index < index)
        {
          read_encoded_string (&self->cursor, &skipped);
          self->cursor_index++;
        }
      data = read_encoded_string (&self->cursor, length);
      self->cursor_index++;
      return (const char *) data;
    }
  g_assert (self->file->path_kind == RAW_PATH_TREE);
  *length = self->lengths[index];
  return (const char *) self->data[index];
}

static void
tsr_file_clear (TsrFile *file)
{
  g_free (file->path);
  /* The display path is the path itself when they read the same. */
  if (file->display_path != file->path)
    g_free (file->display_path);
  g_free (file->symlink_path);
}

TsrMetainfo *
tsr_metainfo_ref (TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
tsr_metainfo_unref (TsrMetainfo *self)
{
  guint i;

  g_return_if_fail (self != NULL);
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->display_name);
  for (i = 0; i < self->n_files; i++)
    tsr_file_clear (&self->files[i]);
  g_free (self->files);
  g_clear_pointer (&self->pieces, g_bytes_unref);
  g_clear_pointer (&self->piece_layers, g_hash_table_unref);
  g_clear_pointer (&self->trackers, g_ptr_array_unref);
  g_clear_pointer (&self->web_seeds, g_ptr_array_unref);
  g_clear_pointer (&self->http_seeds, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_free (self->comment);
  g_free (self->created_by);
  g_free (self->source);
  g_clear_pointer (&self->info_bytes, g_bytes_unref);
  g_free (self);
}

static TsrMetainfo *
tsr_metainfo_alloc (void)
{
  TsrMetainfo *self = g_new0 (TsrMetainfo, 1);

  self->ref_count = 1;
  self->creation_date = -1;
  self->trackers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->web_seeds = g_ptr_array_new_with_free_func (g_free);
  self->http_seeds = g_ptr_array_new_with_free_func (g_free);
  self->notes = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/* ------------------------------------------------------------------ */
/* Small typed accessors that report what is wrong                     */

static TsrBencode *
require_key (const TsrBencode *dict,
             const char       *key,
             TsrBencodeType    type,
             const char       *where,
             GError          **error)
{
  TsrBencode *value = tsr_bencode_dict_lookup (dict, key);

  if (value == NULL)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                   _("%s has no “%s” field"), where, key);
      return NULL;
    }
  if (tsr_bencode_get_node_type (value) != type)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                   /* TRANSLATORS: a field's name (stays in English); where it is ("the
                    * info dictionary", "file 3", "the torrent"); then two names of
                    * bencode types: "integer", "string", "list" or "dictionary" */
                   _("Field “%s” in %s has the type %s instead of %s"), key, where,
                   tsr_bencode_type_to_string (tsr_bencode_get_node_type (value)),
                   tsr_bencode_type_to_string (type));
      return NULL;
    }
  return value;
}

/* An optional key: absent is fine, the wrong type is an error. */
static gboolean
optional_key (const TsrBencode  *dict,
              const char        *key,
              TsrBencodeType     type,
              const char        *where,
              TsrBencode       **out,
              GError           **error)
{
  TsrBencode *value = tsr_bencode_dict_lookup (dict, key);

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (tsr_bencode_get_node_type (value) != type)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                   /* TRANSLATORS: a field's name (stays in English); where it is ("the
                    * info dictionary", "file 3", "the torrent"); then two names of
                    * bencode types: "integer", "string", "list" or "dictionary" */
                   _("Field “%s” in %s has the type %s instead of %s"), key, where,
                   tsr_bencode_type_to_string (tsr_bencode_get_node_type (value)),
                   tsr_bencode_type_to_string (type));
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* Text fields meant for people (comment, created by): valid UTF-8 is kept,
 * anything else converted the way paths are. Prefers the "KEY.utf-8"
 * variant that some old clients wrote. Loose on purpose: a bad comment is
 * not a reason to refuse a torrent. */
static char *
dup_text_field (const TsrBencode *dict,
                const char       *key)
{
  g_autofree char *utf8_key = g_strconcat (key, ".utf-8", NULL);
  const guint8 *data;
  gsize length = 0;

  data = tsr_bencode_dict_lookup_string (dict, utf8_key, &length);
  if (data == NULL || !g_utf8_validate ((const char *) data, length, NULL))
    data = tsr_bencode_dict_lookup_string (dict, key, &length);
  if (data == NULL)
    return NULL;
  return tsr_path_to_display ((const char *) data, length);
}

/* A URL from a tracker list: trimmed, valid UTF-8 without control
 * characters, else skipped. */
static char *
dup_url (const TsrBencode *node)
{
  const guint8 *data;
  gsize length = 0;
  g_autofree char *text = NULL;
  const char *p;

  if (node == NULL || tsr_bencode_get_node_type (node) != TSR_BENCODE_STRING)
    return NULL;
  data = tsr_bencode_get_string (node, &length);
  if (!g_utf8_validate ((const char *) data, length, NULL) || memchr (data, '\0', length) != NULL)
    return NULL;
  text = g_strstrip (g_strndup ((const char *) data, length));
  for (p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return NULL;
  if (*text == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

/* A note for people about something the parser changed or dropped (show
 * prints them); the torrent still loads. */
static void
add_note (TsrMetainfo *self,
          char        *note)
{
  g_ptr_array_add (self->notes, note);
}

/* BEP 12: announce-list is a list of tiers; when it is absent or holds no
 * usable URL, announce is the only tracker. Duplicates are dropped through
 * a set, not a scan of the tiers so far: a hostile torrent lists hundreds
 * of thousands of tiers, and a scan per URL made loading quadratic. Past
 * TSR_METAINFO_MAX_TRACKERS the rest is dropped with a note, not refused:
 * no swarm needs more, and each one would cost an announce. */
static void
parse_trackers (TsrMetainfo      *self,
                const TsrBencode *root)
{
  TsrBencode *list = tsr_bencode_dict_lookup_type (root, "announce-list", TSR_BENCODE_LIST);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint kept = 0;
  guint dropped = 0;
  guint i, j;

  if (list != NULL)
    {
      for (i = 0; i < tsr_bencode_list_length (list); i++)
        {
          TsrBencode *tier_node = tsr_bencode_list_get (list, i);
          g_autoptr(GPtrArray) tier = g_ptr_array_new_with_free_func (g_free);
          guint n_urls = 1;

          /* Some creators write a flat list of strings; take each as a tier. */
          if (tsr_bencode_get_node_type (tier_node) == TSR_BENCODE_LIST)
            n_urls = tsr_bencode_list_length (tier_node);
          else if (tsr_bencode_get_node_type (tier_node) != TSR_BENCODE_STRING)
            continue;
          for (j = 0; j < n_urls; j++)
            {
              TsrBencode *url_node = tsr_bencode_get_node_type (tier_node) == TSR_BENCODE_STRING
                                     ? tier_node : tsr_bencode_list_get (tier_node, j);
              char *url = dup_url (url_node);

              if (url == NULL || g_hash_table_contains (seen, url))
                {
                  g_free (url);
                  continue;
                }
              if (kept >= TSR_METAINFO_MAX_TRACKERS)
                {
                  g_free (url);
                  dropped++;
                  continue;
                }
              g_hash_table_add (seen, url);   /* borrowed: the tier owns it */
              g_ptr_array_add (tier, url);
              kept++;
            }
          if (tier->len > 0)
            g_ptr_array_add (self->trackers, g_steal_pointer (&tier));
        }
    }
  if (dropped > 0)
    add_note (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%u more tracker was left out: a torrent keeps at most %u",
                                                  "%u more trackers were left out: a torrent keeps at most %u",
                                                  dropped),
                                     dropped, (guint) TSR_METAINFO_MAX_TRACKERS));

  if (self->trackers->len == 0)
    {
      char *url = dup_url (tsr_bencode_dict_lookup (root, "announce"));

      if (url != NULL)
        {
          GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

          g_ptr_array_add (tier, url);
          g_ptr_array_add (self->trackers, tier);
        }
    }
}

/* BEP 19 url-list is a string or a list of strings; BEP 17 httpseeds a list. */
static void
parse_url_list (TsrMetainfo      *self,
                const TsrBencode *node,
                GPtrArray        *out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint dropped = 0;
  guint i;

  if (node == NULL)
    return;
  if (tsr_bencode_get_node_type (node) == TSR_BENCODE_STRING)
    {
      char *url = dup_url (node);

      if (url != NULL)
        g_ptr_array_add (out, url);
      return;
    }
  if (tsr_bencode_get_node_type (node) != TSR_BENCODE_LIST)
    return;
  /* A set, not a scan: linear in the list, whatever its length. */
  for (i = 0; i < tsr_bencode_list_length (node); i++)
    {
      char *url = dup_url (tsr_bencode_list_get (node, i));

      if (url == NULL || g_hash_table_contains (seen, url))
        g_free (url);
      else if (out->len >= TSR_METAINFO_MAX_WEB_SEEDS)
        {
          g_free (url);
          dropped++;
        }
      else
        {
          g_hash_table_add (seen, url);
          g_ptr_array_add (out, url);
        }
    }
  if (dropped > 0)
    add_note (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%u more web seed was left out: a torrent keeps at most %u",
                                                  "%u more web seeds were left out: a torrent keeps at most %u",
                                                  dropped),
                                     dropped, (guint) TSR_METAINFO_MAX_WEB_SEEDS));
}

static TsrFileAttr
parse_attr (const TsrBencode *dict)
{
  const guint8 *data;
  gsize length = 0;
  TsrFileAttr attr = TSR_FILE_ATTR_NONE;
  gsize i;

  data = tsr_bencode_dict_lookup_string (dict, "attr", &length);
  if (data == NULL)
    return attr;
  /* BEP 47: unknown attribute letters are ignored. */
  for (i = 0; i < length; i++)
    switch (data[i])
      {
      case 'p': attr |= TSR_FILE_ATTR_PAD; break;
      case 'x': attr |= TSR_FILE_ATTR_EXECUTABLE; break;
      case 'h': attr |= TSR_FILE_ATTR_HIDDEN; break;
      case 'l': attr |= TSR_FILE_ATTR_SYMLINK; break;
      default: break;
      }
  return attr;
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
  TsrBencode *node = require_key (dict, "length", TSR_BENCODE_INTEGER, where, error);
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
static GArray *
parse_v1_files (const Input      *input,
                const TsrBencode *info,
                gboolean         *multi_file,
                GError          **error)
{
  g_autoptr(GArray) files = raw_file_array_new ();
  TsrBencode *list = NULL;
  TsrBencode *length_node = NULL;
  guint64 total = 0;
  guint i;

  if (!optional_key (info, "files", TSR_BENCODE_LIST, _("the info dictionary"), &list, error) ||
      !optional_key (info, "length", TSR_BENCODE_INTEGER, _("the info dictionary"), &length_node, error))
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
      RawFile file = { 0 };

      if (!read_length (info, _("the info dictionary"), &file.length, error))
        return NULL;
      file.path_kind = RAW_PATH_NONE;
      file.attr = parse_attr (info);
      g_array_append_val (files, file);
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

  /* Sized once: doubling a million-entry array would briefly hold it twice. */
  g_array_set_size (files, tsr_bencode_list_length (list));
  g_array_set_size (files, 0);
  for (i = 0; i < tsr_bencode_list_length (list); i++)
    {
      TsrBencode *entry = tsr_bencode_list_get (list, i);
      g_autofree char *where = g_strdup_printf (_("file %u"), i + 1);
      TsrBencode *path = NULL;
      TsrBencode *symlink = NULL;
      RawFile file = { 0 };

      if (tsr_bencode_get_node_type (entry) != TSR_BENCODE_DICT)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                       _("Entry %u of the file list is not a dictionary"), i + 1);
          return NULL;
        }
      file.attr = parse_attr (entry);
      symlink = tsr_bencode_dict_lookup_type (entry, "symlink path", TSR_BENCODE_LIST);
      /* BEP 47: a symlink is described by its target and needs no length
       * (libtorrent writes none); it takes no room in the stream. */
      if ((file.attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL &&
          tsr_bencode_dict_lookup (entry, "length") == NULL)
        file.length = 0;
      else if (!read_length (entry, where, &file.length, error))
        return NULL;
      if (!add_length (&total, file.length, error))
        return NULL;

      /* Prefer "path.utf-8" when it is there and valid (old clients). */
      path = tsr_bencode_dict_lookup_type (entry, "path.utf-8", TSR_BENCODE_LIST);
      if (path == NULL && (path = require_key (entry, "path", TSR_BENCODE_LIST, where, error)) == NULL)
        return NULL;
      if (!check_component_list (path, where, error))
        return NULL;
      {
        gsize span_length = 0;

        file.path.list = input_node_data (input, path, &span_length);
        file.path_n = tsr_bencode_list_length (path);
        file.path_kind = RAW_PATH_LIST;
      }
      if ((file.attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL)
        {
          GPtrArray *target = parse_component_list (symlink, where, TRUE, error);

          if (target == NULL)
            return NULL;
          raw_file_set_symlink (&file, target);
        }
      g_array_append_val (files, file);
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
walk_file_tree (const Input      *input,
                const TsrBencode *node,
                const TreePath   *prefix,
                TreePathPool     *pool,
                GArray           *files,
                guint64          *total,
                guint             depth,
                GError          **error)
{
  const guint8 *previous = NULL;
  gsize previous_length = 0;
  gsize child_span = 0;
  guint i;

  if (depth > MAX_TREE_DEPTH)
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
          RawFile file = { 0 };
          const guint8 *root;
          gsize root_length = 0;
          TsrBencode *symlink;

          if (depth == 0 || tsr_bencode_dict_size (node) != 1)
            {
              g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                                   _("The file tree has a file entry beside other entries"));
              return FALSE;
            }
          if (files->len >= MAX_FILES)
            {
              g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                           g_dngettext (GETTEXT_PACKAGE, "The torrent lists more than %u file",
                                        "The torrent lists more than %u files", MAX_FILES), (guint) MAX_FILES);
              return FALSE;
            }
          file.attr = parse_attr (child);
          symlink = tsr_bencode_dict_lookup_type (child, "symlink path", TSR_BENCODE_LIST);
          /* BEP 47 attributes hold in v2 trees too: a symlink has a target
           * and no data, and may leave out its length. */
          if ((file.attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL &&
              tsr_bencode_dict_lookup (child, "length") == NULL)
            file.length = 0;
          else if (!read_length (child, _("a file of the file tree"), &file.length, error))
            return FALSE;
          if (!add_length (total, file.length, error))
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
              file.pieces_root = input_string_data (input, tsr_bencode_dict_lookup (child, "pieces root"));
            }
          else if (file.length > 0 && !(file.attr & TSR_FILE_ATTR_SYMLINK))
            {
              g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE,
                                   _("A non-empty file of the file tree has no pieces root"));
              return FALSE;
            }
          file.path.tree = prefix;
          file.path_kind = RAW_PATH_TREE;
          if ((file.attr & TSR_FILE_ATTR_SYMLINK) && symlink != NULL)
            {
              GPtrArray *target = parse_component_list (symlink, _("a file of the file tree"), TRUE, error);

              if (target == NULL)
                return FALSE;
              raw_file_set_symlink (&file, target);
            }
          g_array_append_val (files, file);
          continue;
        }

      /* The key's bytes end where its value starts, in the input. */
      key = input_node_data (input, child, &child_span) - key_length;
      if (!walk_file_tree (input, child, tree_path_new (pool, prefix, key, key_length), pool, files, total,
                           depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static GArray *
parse_v2_files (const Input      *input,
                const TsrBencode *tree,
                TreePathPool     *pool,
                GError          **error)
{
  g_autoptr(GArray) files = raw_file_array_new ();
  guint64 total = 0;

  if (!walk_file_tree (input, tree, NULL, pool, files, &total, 0, error))
    return NULL;
  if (files->len == 0)
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
static gboolean
parse_piece_layers (TsrMetainfo      *self,
                    const TsrBencode *root,
                    GArray           *v2_files,
                    gboolean          required,
                    GError          **error)
{
  TsrBencode *layers = NULL;
  g_autoptr(GHashTable) layers_by_root = NULL;
  guint i;

  if (!optional_key (root, "piece layers", TSR_BENCODE_DICT, _("the torrent"), &layers, error))
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

      for (i = 0; i < v2_files->len; i++)
        {
          RawFile *file = &g_array_index (v2_files, RawFile, i);

          if (file->pieces_root != NULL)
            g_hash_table_add (roots, g_bytes_new_static (file->pieces_root, 32));
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
  for (i = 0; i < v2_files->len; i++)
    {
      RawFile *file = &g_array_index (v2_files, RawFile, i);
      g_autoptr(GBytes) key = NULL;
      const guint8 *layer;
      gsize layer_length = 0;
      guint64 pieces;
      guint8 computed[32];
      TsrBencode *value;

      if (file->pieces_root == NULL || file->length <= self->piece_length)
        continue;
      key = g_bytes_new (file->pieces_root, 32);
      if (g_hash_table_contains (self->piece_layers, key))
        continue;   /* two files with the same content share a layer */
      pieces = (file->length + self->piece_length - 1) / self->piece_length;
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
      if (memcmp (computed, file->pieces_root, 32) != 0)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECE_LAYERS,
                               _("A piece layer does not hash to its file's pieces root"));
          return FALSE;
        }
      g_hash_table_insert (self->piece_layers, g_steal_pointer (&key), g_bytes_new (layer, layer_length));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */

/* Turns raw components (@list or @components) into a safe relative path
 * and a display path. Components that sanitize to nothing ("", ".",
 * "..") are dropped. */
static gboolean
build_paths (const RawFile *raw,
             GPtrArray     *components,
             const char    *top,
             const char    *display_top,
             guint          index,
             char         **path_out,
             char         **display_out,
             GError       **error)
{
  g_autoptr(GString) path = g_string_new (top);
  g_autoptr(GString) display = g_string_new (display_top);
  Components view;
  guint n;
  gboolean any = FALSE;
  guint i;

  if (components == NULL)
    components_init (&view, raw);
  n = components != NULL ? components->len : view.n;
  for (i = 0; i < n; i++)
    {
      gsize length = 0;
      const char *data = components != NULL ? g_bytes_get_data (g_ptr_array_index (components, i), &length)
                                             : components_get (&view, i, &length);
      g_autofree char *safe = tsr_path_sanitize_component (data, length, NULL);
      g_autofree char *shown = tsr_path_to_display (data, length);

      if (display->len > 0)
        g_string_append_c (display, '/');
      g_string_append (display, shown);
      if (safe == NULL)
        continue;
      if (path->len > 0)
        g_string_append_c (path, '/');
      g_string_append (path, safe);
      any = TRUE;
    }
  if (!any && n > 0)
    {
      g_autofree char *shown = tsr_quote_for_message (display->str, display->len);

      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                   _("File %u has no usable path (“%s”)"), index + 1, shown);
      return FALSE;
    }
  /* Copied to their exact size: a GString keeps 64 bytes or more, which
   * for a million short paths is most of the torrent's memory. */
  *path_out = g_strndup (path->str, path->len);
  *display_out = g_strndup (display->str, display->len);
  return TRUE;
}

/* "dir/name.ext" → "dir/name.N.ext" with the first N from @next (per
 * path, so that a thousand copies of one name stay linear) that no file or
 * folder has yet: libtorrent's renaming of duplicate file names. */
static char *
unique_path (const char *path,
             GHashTable *files,
             GHashTable *folders,
             GHashTable *next)
{
  const char *slash = strrchr (path, '/');
  const char *base = slash != NULL ? slash + 1 : path;
  const char *dot = strrchr (base, '.');
  gsize stem_length = (dot != NULL && dot != base) ? (gsize) (dot - path) : strlen (path);
  const char *extension = path + stem_length;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (next, path));

  for (n = MAX (n, 1);; n++)
    {
      char *candidate = g_strdup_printf ("%.*s.%u%s", (int) stem_length, path, n, extension);

      if (!g_hash_table_contains (files, candidate) && !g_hash_table_contains (folders, candidate))
        {
          g_hash_table_insert (next, g_strdup (path), GUINT_TO_POINTER (n + 1));
          return candidate;
        }
      g_free (candidate);
    }
}

/* Two files landing on one path (often only after sanitizing: "a/b" and
 * "a\b") are kept apart by renaming the later ones as libtorrent does
 * ("name.1.ext"), with a note; strict loading refuses them. No file may
 * sit where another needs a folder. Names that differ only in letter case
 * are the storage's business: it refuses them on a file system that
 * ignores case. Pad files are never written, so they are left out. */
static gboolean
check_collisions (TsrMetainfo  *self,
                  GError      **error)
{
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) next = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint i;

  for (i = 0; i < self->n_files; i++)
    {
      TsrFile *file = &self->files[i];
      char *slash;
      g_autofree char *parent = NULL;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      if (g_hash_table_contains (files, file->path) && !g_hash_table_contains (folders, file->path))
        {
          char *renamed = unique_path (file->path, files, folders, next);
          g_autofree char *shown = tsr_quote_for_message (file->display_path, strlen (file->display_path));

          add_note (self, g_strdup_printf (_("File %u “%s” is saved as “%s”: an earlier file has its path"),
                                           i + 1, shown, renamed));
          if (file->display_path == file->path)
            file->display_path = g_steal_pointer (&file->path);
          else
            g_free (file->path);
          file->path = renamed;
        }
      if (g_hash_table_contains (files, file->path) || g_hash_table_contains (folders, file->path))
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                       _("Two entries of the torrent map to the same path “%s”"), file->path);
          return FALSE;
        }
      g_hash_table_add (files, file->path);
      parent = g_strdup (file->path);
      while ((slash = strrchr (parent, '/')) != NULL)
        {
          *slash = '\0';
          if (g_hash_table_contains (files, parent))
            {
              g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                           _("Two entries of the torrent map to the same path “%s”"), parent);
              return FALSE;
            }
          if (g_hash_table_contains (folders, parent))
            break;
          g_hash_table_add (folders, g_strdup (parent));
        }
    }
  return TRUE;
}

static gboolean
components_equal (const RawFile *a,
                  const RawFile *b)
{
  /* Two views of up to 257 components each: 8 KiB of stack. */
  Components x, y;
  guint i;

  components_init (&x, a);
  components_init (&y, b);
  if (x.n != y.n)
    return FALSE;
  for (i = 0; i < x.n; i++)
    {
      gsize a_length = 0, b_length = 0;
      const char *a_data = components_get (&x, i, &a_length);
      const char *b_data = components_get (&y, i, &b_length);

      if (a_length != b_length || memcmp (a_data, b_data, a_length) != 0)
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The info dictionary                                                 */

static gboolean
parse_name (TsrMetainfo      *self,
            const TsrBencode *info,
            GError          **error)
{
  const guint8 *data;
  gsize length = 0;

  data = tsr_bencode_dict_lookup_string (info, "name.utf-8", &length);
  if (data == NULL || !g_utf8_validate ((const char *) data, length, NULL))
    {
      if (require_key (info, "name", TSR_BENCODE_STRING, _("the info dictionary"), error) == NULL)
        return FALSE;
      data = tsr_bencode_dict_lookup_string (info, "name", &length);
    }
  self->display_name = tsr_path_to_display ((const char *) data, length);
  self->name = tsr_path_sanitize_component ((const char *) data, length, NULL);
  /* A single file needs its name: libtorrent refuses such a torrent too. */
  if (self->name == NULL && tsr_bencode_dict_lookup (info, "length") != NULL)
    {
      g_autofree char *shown = tsr_quote_for_message (self->display_name, strlen (self->display_name));

      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                   _("The torrent's name “%s” cannot be used as a file name"), shown);
      return FALSE;
    }
  if (self->name == NULL)
    {
      g_autofree char *shown = tsr_quote_for_message (self->display_name, strlen (self->display_name));
      gsize info_length = 0;
      const guint8 *info_data = g_bytes_get_data (self->info_bytes, &info_length);
      guint8 digest[SHA256_DIGEST_SIZE];

      /* The folder of a multi-file torrent named "..", "." or nothing:
       * the info hash in hex instead, as libtorrent does (it uses "_" for
       * an empty name alone), the v1 hash, or for a v2-only torrent the
       * v2 hash truncated to 20 bytes, the one peers know. */
      if (tsr_bencode_dict_lookup (info, "pieces") != NULL)
        {
          struct sha1_ctx ctx;

          sha1_init (&ctx);
          sha1_update (&ctx, info_length, info_data);
          sha1_digest (&ctx, SHA1_DIGEST_SIZE, digest);
        }
      else
        {
          struct sha256_ctx ctx;

          sha256_init (&ctx);
          sha256_update (&ctx, info_length, info_data);
          sha256_digest (&ctx, SHA256_DIGEST_SIZE, digest);
        }
      self->name = tsr_hex_encode (digest, 20);
      add_note (self, g_strdup_printf (_("The torrent's name “%s” cannot be a file name: it is saved as “%s”"),
                                       shown, self->name));
    }
  return TRUE;
}

static gboolean
parse_piece_length (TsrMetainfo      *self,
                    const TsrBencode *info,
                    GError          **error)
{
  TsrBencode *node = require_key (info, "piece length", TSR_BENCODE_INTEGER, _("the info dictionary"), error);
  gint64 value;

  if (node == NULL)
    return FALSE;
  value = tsr_bencode_get_integer (node);
  if (value <= 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                   _("The piece length %" PRId64 " is not positive"), value);
      return FALSE;
    }
  if ((guint64) value > MAX_PIECE_LENGTH)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   _("The piece length %" PRId64 " is larger than %" PRIu64),
                   value, MAX_PIECE_LENGTH);
      return FALSE;
    }
  self->piece_length = (guint64) value;
  return TRUE;
}

/* Merges the parsed file lists into self->files. For hybrid torrents the
 * v1 list (with its pad files) gives the layout and must describe the
 * same files as the v2 tree. */
static gboolean
build_files (TsrMetainfo *self,
             GArray      *v1_files,
             GArray      *v2_files,
             GError     **error)
{
  GArray *layout = v1_files != NULL ? v1_files : v2_files;
  const char *top = self->multi_file ? self->name : "";
  const char *display_top = self->multi_file ? self->display_name : "";
  guint64 offset = 0;
  guint v2_index = 0;
  guint i;

  if (v1_files != NULL && v2_files != NULL)
    {
      for (i = 0; i < v1_files->len; i++)
        {
          RawFile *a = &g_array_index (v1_files, RawFile, i);
          RawFile *b;

          if (a->attr & TSR_FILE_ATTR_PAD)
            continue;
          if (v2_index >= v2_files->len)
            goto mismatch;
          b = &g_array_index (v2_files, RawFile, v2_index++);
          /* A single-file v1 torrent names its file in "name"; v2 puts
           * the name as the tree's only key. */
          if (a->length != b->length ||
              (self->multi_file && !components_equal (a, b)))
            goto mismatch;
          a->pieces_root = b->pieces_root;
        }
      if (v2_index != v2_files->len)
        goto mismatch;
    }

  self->n_files = layout->len;
  self->files = g_new0 (TsrFile, layout->len);
  for (i = 0; i < layout->len; i++)
    {
      RawFile *raw = &g_array_index (layout, RawFile, i);
      TsrFile *file = &self->files[i];

      file->length = raw->length;
      file->attr = raw->attr;
      file->has_pieces_root = raw->pieces_root != NULL;
      if (raw->pieces_root != NULL)
        memcpy (file->pieces_root, raw->pieces_root, 32);

      if (!self->multi_file)
        {
          file->path = g_strdup (self->name);
          file->display_path = g_strdup (self->display_name);
        }
      else if (!build_paths (raw, NULL, top, display_top, i,
                             &file->path, &file->display_path, error))
        return FALSE;
      if (g_str_equal (file->path, file->display_path))
        {
          g_free (file->display_path);
          file->display_path = file->path;
        }

      if (raw_file_symlink_target (raw) != NULL)
        {
          g_autofree char *shown = NULL;

          /* Symlink targets are relative to the torrent's top folder. */
          if (!build_paths (raw, raw_file_symlink_target (raw), "", "", i, &file->symlink_path, &shown, error))
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

  return check_collisions (self, error);

mismatch:
  g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH,
                       _("The v1 file list and the v2 file tree of this hybrid torrent differ"));
  return FALSE;
}

/* Pad files alone, or files adding up to nothing, make no torrent: there
 * is nothing to download or share. libtorrent and Transmission refuse
 * both. */
static gboolean
check_not_empty (TsrMetainfo  *self,
                 GError      **error)
{
  guint i;

  for (i = 0; i < self->n_files; i++)
    if (!(self->files[i].attr & TSR_FILE_ATTR_PAD))
      break;
  if (i == self->n_files)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY,
                           _("The torrent holds only padding files (BEP 47), no content"));
      return FALSE;
    }
  if (self->total_length == 0)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY,
                           _("The torrent is empty: its files add up to 0 bytes"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_info (TsrMetainfo      *self,
            TsrBencode      **owned_root,
            const TsrBencode *root,
            const TsrBencode *info,
            gboolean          need_piece_layers,
            GError          **error)
{
  Input input = { g_bytes_get_data (self->info_bytes, NULL), 0 };
  gsize pieces_length = 0;
  g_autoptr(GPtrArray) tree_blocks = g_ptr_array_new_with_free_func (g_free);
  TreePathPool tree_paths = { tree_blocks, 0 };   /* v2 paths: live as long as v2_files */
  g_autoptr(GArray) v1_files = NULL;
  g_autoptr(GArray) v2_files = NULL;
  TsrBencode *pieces = NULL;
  TsrBencode *tree = NULL;
  gint64 meta_version = 1;
  gint64 private_flag = 0;

  if (!tsr_bencode_get_span (info, &input.info_offset, NULL))
    g_assert_not_reached ();
  if (!parse_name (self, info, error) || !parse_piece_length (self, info, error))
    return FALSE;

  if (tsr_bencode_dict_lookup (info, "meta version") != NULL)
    {
      if (require_key (info, "meta version", TSR_BENCODE_INTEGER, _("the info dictionary"), error) == NULL)
        return FALSE;
      tsr_bencode_dict_lookup_integer (info, "meta version", &meta_version);
      if (meta_version != 1 && meta_version != 2)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                       _("Unsupported meta version %" PRId64), meta_version);
          return FALSE;
        }
    }

  if (!optional_key (info, "pieces", TSR_BENCODE_STRING, _("the info dictionary"), &pieces, error))
    return FALSE;
  self->has_v1 = pieces != NULL;
  self->has_v2 = meta_version == 2;
  if (!self->has_v1 && !self->has_v2)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                           _("The info dictionary has no “pieces” field"));
      return FALSE;
    }

  if (self->has_v2)
    {
      guint64 p = self->piece_length;

      /* BEP 52: a power of two, at least 16 KiB. */
      if (p < V2_BLOCK_SIZE || (p & (p - 1)) != 0)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                       _("The piece length %" PRIu64 " of a v2 torrent is not a power of two of at least 16 KiB"), p);
          return FALSE;
        }
      tree = require_key (info, "file tree", TSR_BENCODE_DICT, _("the info dictionary"), error);
      if (tree == NULL)
        return FALSE;
      v2_files = parse_v2_files (&input, tree, &tree_paths, error);
      if (v2_files == NULL)
        return FALSE;
    }

  if (self->has_v1)
    {
      v1_files = parse_v1_files (&input, info, &self->multi_file, error);
      if (v1_files == NULL)
        return FALSE;
    }
  else
    {
      const TreePath *first = raw_file_tree_path (&g_array_index (v2_files, RawFile, 0));
      gsize name_length = 0;
      const guint8 *name = tsr_bencode_dict_lookup_string (info, "name", &name_length);

      /* A v2 torrent whose tree holds one file named like the torrent is a
       * single-file torrent; otherwise every path starts below the name. */
      self->multi_file = TRUE;
      if (v2_files->len == 1 && first->depth == 1 && name != NULL)
        {
          gsize first_length = first->key_length;
          const guint8 *first_component = first->key;

          self->multi_file = name_length != first_length || memcmp (name, first_component, first_length) != 0;
        }
    }
  if (self->has_v1 && self->has_v2 && !self->multi_file)
    {
      /* Single-file hybrid: the tree's only entry must be the name
       * (BEP 52, "Upgrade path": both parts describe the same file). */
      const TreePath *only = raw_file_tree_path (&g_array_index (v2_files, RawFile, 0));
      gsize name_length = 0;
      const guint8 *name = tsr_bencode_dict_lookup_string (info, "name", &name_length);
      gsize key_length = only->key_length;
      const guint8 *key = only->depth == 1 ? only->key : NULL;

      if (v2_files->len != 1 || key == NULL || name == NULL ||
          key_length != name_length || memcmp (key, name, name_length) != 0)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH,
                               _("The v1 file list and the v2 file tree of this hybrid torrent differ"));
          return FALSE;
        }
    }

  /* Everything else the tree holds is read now: the files borrow from the
   * input, not from the tree, which is freed before they are built (for a
   * million files it is as large as the files themselves). */
  if (self->has_v2 && !parse_piece_layers (self, root, v2_files, need_piece_layers, error))
    return FALSE;
  /* BEP 27 writes private=1; like libtorrent and Transmission, any nonzero
   * value counts, the safe reading for a flag that keeps peers off DHT/PEX. */
  if (tsr_bencode_dict_lookup_integer (info, "private", &private_flag))
    self->is_private = private_flag != 0;
  self->source = dup_text_field (info, "source");
  if (self->has_v1)
    {
      const guint8 *data = tsr_bencode_get_string (pieces, &pieces_length);

      self->pieces = g_bytes_new (data, pieces_length);
    }
  root = info = pieces = tree = NULL;
  g_clear_pointer (owned_root, tsr_bencode_free);

  if (!build_files (self, v1_files, v2_files, error))
    return FALSE;
  if (!check_not_empty (self, error))
    return FALSE;

  if (self->has_v1)
    {
      guint64 expected;

      if (pieces_length % 20 != 0)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECES,
                       g_dngettext (GETTEXT_PACKAGE, "The piece hashes are %zu byte long, not a multiple of 20",
                                    "The piece hashes are %zu bytes long, not a multiple of 20",
                                    (gulong) pieces_length), pieces_length);
          return FALSE;
        }
      expected = self->stream_length / self->piece_length
                 + (self->stream_length % self->piece_length != 0);
      if (expected != pieces_length / 20)
        {
          g_autofree char *have = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The torrent has %zu piece hash",
                                                                "The torrent has %zu piece hashes",
                                                                (gulong) (pieces_length / 20)), pieces_length / 20);
          /* TRANSLATORS: the torrent's size, then the piece hashes it needs,
           * in "The torrent has 3 piece hashes, but 100000 bytes need 7" */
          g_autofree char *need = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte needs %" PRIu64,
                                                                "%" PRIu64 " bytes need %" PRIu64,
                                                                (gulong) self->stream_length),
                                                   self->stream_length, expected);

          /* TRANSLATORS: "The torrent has 3 piece hashes, but 100000 bytes
           * need 7" */
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECES, C_("piece hashes", "%s, but %s"),
                       have, need);
          return FALSE;
        }
      if (expected > G_MAXUINT32)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                               _("The torrent has too many pieces"));
          return FALSE;
        }
      self->piece_count = (guint) expected;
    }
  else
    {
      guint64 count = self->stream_length / self->piece_length
                      + (self->stream_length % self->piece_length != 0);

      if (count > G_MAXUINT32)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                               _("The torrent has too many pieces"));
          return FALSE;
        }
      self->piece_count = (guint) count;
    }
  return TRUE;
}

static void
parse_extras (TsrMetainfo      *self,
              const TsrBencode *root)
{
  gint64 date;

  parse_trackers (self, root);
  parse_url_list (self, tsr_bencode_dict_lookup (root, "url-list"), self->web_seeds);
  parse_url_list (self, tsr_bencode_dict_lookup (root, "httpseeds"), self->http_seeds);
  self->comment = dup_text_field (root, "comment");
  self->created_by = dup_text_field (root, "created by");
  if (tsr_bencode_dict_lookup_integer (root, "creation date", &date) && date >= 0)
    self->creation_date = date;
}

static void
compute_hashes (TsrMetainfo *self)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (self->info_bytes, &length);

  if (self->has_v1)
    {
      struct sha1_ctx ctx;

      sha1_init (&ctx);
      sha1_update (&ctx, length, data);
      sha1_digest (&ctx, SHA1_DIGEST_SIZE, self->info_hash);
    }
  if (self->has_v2)
    {
      struct sha256_ctx ctx;

      sha256_init (&ctx);
      sha256_update (&ctx, length, data);
      sha256_digest (&ctx, SHA256_DIGEST_SIZE, self->info_hash_v2);
    }
}

/* Size cap, strict decoding, and a dictionary at the top. With @trailing
 * (nullable), bytes after the dictionary are allowed and counted. */
static TsrBencode *
decode_dict (GBytes                *bytes,
             TsrBencodeDecodeFlags  flags,
             gsize                 *trailing,
             const char            *not_dict_message,
             GError               **error)
{
  g_autoptr(TsrBencode) root = NULL;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gsize consumed = 0;

  if (g_bytes_get_size (bytes) > TSR_METAINFO_MAX_FILE_SIZE)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   _("The torrent file is larger than %d MiB"), TSR_METAINFO_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }
  if (trailing != NULL)
    flags |= TSR_BENCODE_DECODE_ALLOW_TRAILING;
  root = tsr_bencode_decode (data, length, flags, &consumed, error);
  if (root == NULL)
    return NULL;
  if (trailing != NULL)
    *trailing = length - consumed;
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_NOT_A_DICT, not_dict_message);
      return NULL;
    }
  return g_steal_pointer (&root);
}

TsrMetainfo *
tsr_metainfo_new_from_bytes (GBytes  *bytes,
                             GError **error)
{
  return tsr_metainfo_new_from_bytes_full (bytes, TSR_METAINFO_LOAD_DEFAULT, error);
}

TsrMetainfo *
tsr_metainfo_new_from_bytes_full (GBytes                *bytes,
                                  TsrMetainfoLoadFlags   flags,
                                  GError               **error)
{
  g_autoptr(TsrMetainfo) self = NULL;
  g_autoptr(TsrBencode) root = NULL;
  TsrBencode *info;
  gsize offset = 0;
  gsize length = 0;
  gsize trailing = 0;
  gboolean strict = (flags & TSR_METAINFO_LOAD_STRICT) != 0;

  g_return_val_if_fail (bytes != NULL, NULL);

  /* Bytes after the torrent (often one newline from an editor or a web
   * server) are ignored, as libtorrent and Transmission do: the info hash
   * covers the info dictionary alone. Strict loading refuses them, and
   * dictionary keys out of order. */
  root = decode_dict (bytes, strict ? TSR_BENCODE_DECODE_STRICT_ORDER : TSR_BENCODE_DECODE_DEFAULT, &trailing,
                      _("The file is bencoded but not a torrent: its top level is not a dictionary"), error);
  if (root == NULL)
    return NULL;
  if (trailing > 0 && strict)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TRAILING_DATA,
                   g_dngettext (GETTEXT_PACKAGE, "%zu byte follows the end of the torrent",
                                "%zu bytes follow the end of the torrent", (gulong) trailing),
                   trailing);
      return NULL;
    }
  info = tsr_bencode_dict_lookup (root, "info");
  if (info == NULL)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                           _("The torrent has no “info” dictionary"));
      return NULL;
    }
  if (tsr_bencode_get_node_type (info) != TSR_BENCODE_DICT)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_NOT_A_DICT,
                           _("The torrent's “info” field is not a dictionary"));
      return NULL;
    }

  self = tsr_metainfo_alloc ();
  if (!tsr_bencode_get_span (info, &offset, &length))
    g_assert_not_reached ();
  self->info_bytes = g_bytes_new_from_bytes (bytes, offset, length);
  self->trailing_bytes = trailing;
  if (trailing > 0)
    add_note (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%zu byte after the end of the torrent was ignored",
                                                  "%zu bytes after the end of the torrent were ignored",
                                                  (gulong) trailing),
                                     trailing));
  /* Before parse_info (), which frees the tree. */
  parse_extras (self, root);
  if (!parse_info (self, &root, root, info, TRUE, error))
    return NULL;
  compute_hashes (self);
  /* Strict: whatever was repaired with a note is refused instead (the
   * trailing bytes were refused above). */
  if (strict && self->notes->len > 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE, "%s",
                   (const char *) g_ptr_array_index (self->notes, self->notes->len - 1));
      return NULL;
    }
  return g_steal_pointer (&self);
}

TsrMetainfo *
tsr_metainfo_new_from_info (GBytes          *info_bytes,
                            const TsrMagnet *extra,
                            GError         **error)
{
  g_autoptr(TsrMetainfo) self = NULL;
  g_autoptr(TsrBencode) info = NULL;
  g_autoptr(TsrBencode) empty = tsr_bencode_new_dict ();
  guint i;

  g_return_val_if_fail (info_bytes != NULL, NULL);

  info = decode_dict (info_bytes, TSR_BENCODE_DECODE_DEFAULT, NULL,
                      _("The torrent's “info” field is not a dictionary"), error);
  if (info == NULL)
    return NULL;
  self = tsr_metainfo_alloc ();
  self->info_bytes = g_bytes_ref (info_bytes);
  /* Piece layers of v2 torrents come from peers later (BEP 52 hash requests). */
  if (!parse_info (self, &info, empty, info, FALSE, error))
    return NULL;
  compute_hashes (self);
  if (extra != NULL)
    {
      /* The same caps as for a torrent file's lists. */
      for (i = 0; extra->trackers != NULL && i < MIN (extra->trackers->len, TSR_METAINFO_MAX_TRACKERS); i++)
        {
          GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

          g_ptr_array_add (tier, g_strdup (g_ptr_array_index (extra->trackers, i)));
          g_ptr_array_add (self->trackers, tier);
        }
      for (i = 0; extra->web_seeds != NULL && i < MIN (extra->web_seeds->len, TSR_METAINFO_MAX_WEB_SEEDS); i++)
        g_ptr_array_add (self->web_seeds, g_strdup (g_ptr_array_index (extra->web_seeds, i)));
    }
  return g_steal_pointer (&self);
}

TsrMetainfo *
tsr_metainfo_new_from_file (const char  *path,
                            GError     **error)
{
  return tsr_metainfo_new_from_file_full (path, TSR_METAINFO_LOAD_DEFAULT, error);
}

TsrMetainfo *
tsr_metainfo_new_from_file_full (const char            *path,
                                 TsrMetainfoLoadFlags   flags,
                                 GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  bytes = tsr_read_small_file (path, TSR_METAINFO_MAX_FILE_SIZE, error);
  if (bytes == NULL)
    return NULL;
  return tsr_metainfo_new_from_bytes_full (bytes, flags, error);
}

guint64
tsr_metainfo_get_piece_size (const TsrMetainfo *self,
                             guint              index)
{
  guint64 start;
  guint lo, hi;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->piece_count, 0);

  start = (guint64) index * self->piece_length;
  if (self->has_v1)
    return MIN (self->piece_length, self->stream_length - start);

  /* v2: pieces never cross files; find the file holding this piece. */
  lo = 0;
  hi = self->n_files;
  while (lo + 1 < hi)
    {
      guint mid = (lo + hi) / 2;

      if (self->files[mid].offset <= start)
        lo = mid;
      else
        hi = mid;
    }
  while (lo < self->n_files && self->files[lo].offset + self->files[lo].length <= start)
    lo++;
  if (lo >= self->n_files)
    return 0;
  return MIN (self->piece_length, self->files[lo].offset + self->files[lo].length - start);
}

char *
tsr_metainfo_dup_info_hash_hex (const TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->has_v1 ? tsr_hex_encode (self->info_hash, 20) : NULL;
}

char *
tsr_metainfo_dup_info_hash_v2_hex (const TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->has_v2 ? tsr_hex_encode (self->info_hash_v2, 32) : NULL;
}

TsrMagnet *
tsr_metainfo_to_magnet (const TsrMetainfo *self)
{
  TsrMagnet *magnet;
  guint i, j;

  g_return_val_if_fail (self != NULL, NULL);

  magnet = tsr_magnet_new ();
  magnet->has_v1 = self->has_v1;
  memcpy (magnet->info_hash_v1, self->info_hash, 20);
  magnet->has_v2 = self->has_v2;
  memcpy (magnet->info_hash_v2, self->info_hash_v2, 32);
  magnet->display_name = g_strdup (self->display_name);
  for (i = 0; i < self->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (self->trackers, i);

      for (j = 0; j < tier->len; j++)
        g_ptr_array_add (magnet->trackers, g_strdup (g_ptr_array_index (tier, j)));
    }
  for (i = 0; i < self->web_seeds->len; i++)
    g_ptr_array_add (magnet->web_seeds, g_strdup (g_ptr_array_index (self->web_seeds, i)));
  return magnet;
}

char *
tsr_metainfo_dup_magnet_uri (const TsrMetainfo *self)
{
  g_autoptr(TsrMagnet) magnet = tsr_metainfo_to_magnet (self);

  return tsr_magnet_to_string (magnet);
}

const TsrFile *
tsr_metainfo_get_piece_file (const TsrMetainfo *self,
                             guint              index)
{
  guint64 start = (guint64) index * self->piece_length;
  guint lo = 0;
  guint hi = self->n_files;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  /* Files are in stream order: find the first ending after @start. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->files[mid].offset + self->files[mid].length <= start)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (i = lo; i < self->n_files && self->files[i].offset <= start; i++)
    {
      const TsrFile *file = &self->files[i];

      if (!(file->attr & TSR_FILE_ATTR_PAD) && file->length > 0 && start < file->offset + file->length)
        return file;
    }
  return NULL;
}

const guint8 *
tsr_metainfo_get_piece_v2_hash (const TsrMetainfo *self,
                                guint              index)
{
  const TsrFile *file;
  g_autoptr(GBytes) key = NULL;
  GBytes *layer;
  guint64 first;

  g_return_val_if_fail (self != NULL, NULL);
  if (!self->has_v2 || index >= self->piece_count)
    return NULL;
  file = tsr_metainfo_get_piece_file (self, index);
  if (file == NULL || !file->has_pieces_root)
    return NULL;
  if (file->length <= self->piece_length)
    return file->pieces_root;
  key = g_bytes_new_static (file->pieces_root, 32);
  layer = self->piece_layers != NULL ? g_hash_table_lookup (self->piece_layers, key) : NULL;
  if (layer == NULL)
    return NULL;
  first = file->offset / self->piece_length;
  return (const guint8 *) g_bytes_get_data (layer, NULL) + (index - first) * 32;
}

const guint8 *
tsr_metainfo_get_wire_hash (const TsrMetainfo *self)
{
  return self->has_v1 ? self->info_hash : self->info_hash_v2;
}

/* The inside of a dictionary's encoding (no "d" and "e"), to splice the
 * raw info dictionary among the other keys in order. */
static void
append_inner (GByteArray *out,
              TsrBencode *dict)
{
  g_autoptr(GByteArray) encoded = g_byte_array_new ();

  tsr_bencode_encode_to (dict, encoded);
  g_byte_array_append (out, encoded->data + 1, encoded->len - 2);
}

GBytes *
tsr_metainfo_dup_torrent_file (const TsrMetainfo *self)
{
  g_autoptr(TsrBencode) before = tsr_bencode_new_dict ();
  g_autoptr(TsrBencode) after = tsr_bencode_new_dict ();
  GByteArray *out = g_byte_array_new ();
  gsize length = 0;
  const guint8 *info = g_bytes_get_data (self->info_bytes, &length);
  guint i, j;

  /* Keys sorted: announce, announce-list, comment, created by, creation
   * date | info | piece layers, url-list. */
  if (self->trackers->len > 0)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      GPtrArray *first = g_ptr_array_index (self->trackers, 0);

      tsr_bencode_dict_insert (before, "announce", tsr_bencode_new_text (g_ptr_array_index (first, 0)));
      for (i = 0; i < self->trackers->len; i++)
        {
          GPtrArray *tier = g_ptr_array_index (self->trackers, i);
          TsrBencode *urls = tsr_bencode_new_list ();

          for (j = 0; j < tier->len; j++)
            tsr_bencode_list_append (urls, tsr_bencode_new_text (g_ptr_array_index (tier, j)));
          tsr_bencode_list_append (list, urls);
        }
      tsr_bencode_dict_insert (before, "announce-list", list);
    }
  if (self->comment != NULL)
    tsr_bencode_dict_insert (before, "comment", tsr_bencode_new_text (self->comment));
  if (self->created_by != NULL)
    tsr_bencode_dict_insert (before, "created by", tsr_bencode_new_text (self->created_by));
  if (self->creation_date > 0)
    tsr_bencode_dict_insert (before, "creation date", tsr_bencode_new_integer (self->creation_date));
  if (self->piece_layers != NULL && g_hash_table_size (self->piece_layers) > 0)
    {
      TsrBencode *layers = tsr_bencode_new_dict ();
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->piece_layers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gsize key_length = 0, value_length = 0;
          const guint8 *key_data = g_bytes_get_data (key, &key_length);
          const guint8 *value_data = g_bytes_get_data (value, &value_length);

          tsr_bencode_dict_insert_len (layers, key_data, key_length,
                                       tsr_bencode_new_string (value_data, value_length));
        }
      tsr_bencode_dict_insert (after, "piece layers", layers);
    }
  if (self->web_seeds->len > 0)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      for (i = 0; i < self->web_seeds->len; i++)
        tsr_bencode_list_append (list, tsr_bencode_new_text (g_ptr_array_index (self->web_seeds, i)));
      tsr_bencode_dict_insert (after, "url-list", list);
    }
  g_byte_array_append (out, (const guint8 *) "d", 1);
  append_inner (out, before);
  g_byte_array_append (out, (const guint8 *) "4:info", 6);
  g_byte_array_append (out, info, (guint) length);
  append_inner (out, after);
  g_byte_array_append (out, (const guint8 *) "e", 1);
  return g_byte_array_free_to_bytes (out);
}

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
