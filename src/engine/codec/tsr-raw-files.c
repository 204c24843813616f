/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-raw-files.c: the files of a torrent as parsed, held small. A
 * million-file torrent holds a million of them beside its decoded tree, so
 * a file is 32 bytes and borrows its path: a v1 entry's encoded "path"
 * list from the input, a v2 file its place in the file tree, whose folders
 * are shared by their files and allocated in blocks. Paths are read back
 * one component at a time, in order, without copying them.
 */
#define G_LOG_DOMAIN "tsr-raw-files"

#include "config.h"

#include <string.h>

#include "tsr-raw-files.h"

/* A folder or file of a v2 file tree, linked to its parent: the files of
 * a folder share its chain instead of each copying the path. The key is
 * borrowed from the decoded tree. */
struct _TsrRawTreePath
{
  const TsrRawTreePath *parent;
  const guint8         *key;
  gsize                 key_length;
  guint                 depth;      /* components up to and including this one */
};

#define TREE_PATH_BLOCK 4096

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
    const guint8         *list;      /* "l<n>:<bytes>...e", checked by the decoder */
    const TsrRawTreePath *tree;
    RawSymlink           *symlink;   /* (owned) */
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

struct _TsrRawFiles
{
  GArray    *files;        /* (element-type RawFile) (owned) */
  /* TsrRawTreePaths in blocks, freed together with the files. */
  GPtrArray *tree_blocks;  /* (element-type TsrRawTreePath[TREE_PATH_BLOCK]) (owned) */
  guint      tree_used;    /* in the last block */
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
  const guint8  *data[TSR_RAW_FILES_MAX_DEPTH + 1];
  gsize          lengths[TSR_RAW_FILES_MAX_DEPTH + 1];
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
  const TsrRawTreePath *path;

  file = raw_file_path_holder (file);
  self->file = file;
  self->n = raw_file_n_components (file);
  self->cursor = NULL;
  self->cursor_index = 0;
  if (file->path_kind != RAW_PATH_TREE)
    return;
  g_assert (self->n <= TSR_RAW_FILES_MAX_DEPTH + 1);
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

TsrRawFiles *
tsr_raw_files_new (void)
{
  TsrRawFiles *self = g_new0 (TsrRawFiles, 1);

  self->files = g_array_new (FALSE, TRUE, sizeof (RawFile));
  g_array_set_clear_func (self->files, raw_file_clear);
  self->tree_blocks = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
tsr_raw_files_free (TsrRawFiles *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->files);
  g_ptr_array_unref (self->tree_blocks);
  g_free (self);
}

void
tsr_raw_files_reserve (TsrRawFiles *self,
                       guint        n_files)
{
  guint len = self->files->len;

  /* Sized once: doubling a million-entry array would briefly hold it twice. */
  g_array_set_size (self->files, len + n_files);
  g_array_set_size (self->files, len);
}

guint
tsr_raw_files_get_n_files (const TsrRawFiles *self)
{
  return self->files->len;
}

/* Appends @file, taking @symlink_target (nullable). */
static void
add_file (TsrRawFiles *self,
          RawFile     *file,
          GPtrArray   *symlink_target)
{
  if (symlink_target != NULL)
    raw_file_set_symlink (file, symlink_target);
  g_array_append_vals (self->files, file, 1);
}

void
tsr_raw_files_add_single (TsrRawFiles *self,
                          guint64      length,
                          guint        attr)
{
  RawFile file = { 0 };

  file.length = length;
  file.path_kind = RAW_PATH_NONE;
  file.attr = (guint8) attr;
  add_file (self, &file, NULL);
}

void
tsr_raw_files_add_list (TsrRawFiles  *self,
                        guint64       length,
                        guint         attr,
                        const guint8 *list,
                        guint         n_components,
                        GPtrArray    *symlink_target)
{
  RawFile file = { 0 };

  g_assert (list != NULL && list[0] == 'l');
  file.length = length;
  file.attr = (guint8) attr;
  file.path.list = list;
  file.path_n = n_components;
  file.path_kind = RAW_PATH_LIST;
  add_file (self, &file, symlink_target);
}

const TsrRawTreePath *
tsr_raw_files_add_tree_path (TsrRawFiles          *self,
                             const TsrRawTreePath *parent,
                             const guint8         *key,
                             gsize                 key_length)
{
  TsrRawTreePath *path;

  if (self->tree_blocks->len == 0 || self->tree_used == TREE_PATH_BLOCK)
    {
      g_ptr_array_add (self->tree_blocks, g_new (TsrRawTreePath, TREE_PATH_BLOCK));
      self->tree_used = 0;
    }
  path = (TsrRawTreePath *) g_ptr_array_index (self->tree_blocks, self->tree_blocks->len - 1) + self->tree_used++;
  path->parent = parent;
  path->key = key;
  path->key_length = key_length;
  path->depth = parent != NULL ? parent->depth + 1 : 1;
  return path;
}

void
tsr_raw_files_add_tree (TsrRawFiles          *self,
                        guint64               length,
                        guint                 attr,
                        const guint8         *pieces_root,
                        const TsrRawTreePath *path,
                        GPtrArray            *symlink_target)
{
  RawFile file = { 0 };

  g_assert (path != NULL);
  file.length = length;
  file.attr = (guint8) attr;
  file.pieces_root = pieces_root;
  file.path.tree = path;
  file.path_kind = RAW_PATH_TREE;
  add_file (self, &file, symlink_target);
}

static const RawFile *
get_file (const TsrRawFiles *self,
          guint              index)
{
  g_assert (index < self->files->len);
  return &g_array_index (self->files, RawFile, index);
}

guint64
tsr_raw_files_get_length (const TsrRawFiles *self,
                          guint              index)
{
  return get_file (self, index)->length;
}

guint
tsr_raw_files_get_attr (const TsrRawFiles *self,
                        guint              index)
{
  return get_file (self, index)->attr;
}

const guint8 *
tsr_raw_files_get_pieces_root (const TsrRawFiles *self,
                               guint              index)
{
  return get_file (self, index)->pieces_root;
}

void
tsr_raw_files_set_pieces_root (TsrRawFiles  *self,
                               guint         index,
                               const guint8 *pieces_root)
{
  g_assert (index < self->files->len);
  g_array_index (self->files, RawFile, index).pieces_root = pieces_root;
}

GPtrArray *
tsr_raw_files_get_symlink_target (const TsrRawFiles *self,
                                  guint              index)
{
  const RawFile *file = get_file (self, index);

  return file->path_kind == RAW_PATH_SYMLINK ? file->path.symlink->target : NULL;
}

const guint8 *
tsr_raw_files_get_top_name (const TsrRawFiles *self,
                            guint              index,
                            gsize             *length)
{
  const RawFile *file = raw_file_path_holder (get_file (self, index));

  if (file->path_kind != RAW_PATH_TREE || file->path.tree->depth != 1)
    return NULL;
  *length = file->path.tree->key_length;
  return file->path.tree->key;
}

G_STATIC_ASSERT (sizeof (Components) <= sizeof (TsrRawPath));
G_STATIC_ASSERT (G_ALIGNOF (Components) <= G_ALIGNOF (TsrRawPath));

guint
tsr_raw_files_read_path (const TsrRawFiles *self,
                         guint              index,
                         TsrRawPath        *path)
{
  Components *view = (Components *) path;

  components_init (view, get_file (self, index));
  return view->n;
}

const char *
tsr_raw_path_get_component (TsrRawPath *path,
                            guint       index,
                            gsize      *length)
{
  Components *view = (Components *) path;

  g_assert (index < view->n);
  return components_get (view, index, length);
}

gboolean
tsr_raw_files_same_path (const TsrRawFiles *a,
                         guint              a_index,
                         const TsrRawFiles *b,
                         guint              b_index)
{
  /* Two views of up to 257 components each: 8 KiB of stack. */
  Components x, y;
  guint i;

  components_init (&x, get_file (a, a_index));
  components_init (&y, get_file (b, b_index));
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
