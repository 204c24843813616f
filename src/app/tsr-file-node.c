/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-file-node.c: the Files page's tree (see the .h). Nodes are built
 * once per torrent from the paths it names; sizes, progress and
 * priorities of folders are sums (or the common value) of their files.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <string.h>

#include "tsr-file-node.h"

struct _TsrFileNode
{
  GObject      parent_instance;
  char        *name;
  char        *path;        /* below the save folder, as saved */
  int          index;       /* -1: a folder */
  guint64      size;
  gdouble      progress;
  int          priority;    /* TsrPriority, or -1 when the files below differ */
  GListStore  *children;    /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (TsrFileNode, tsr_file_node, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_SIZE,
  PROP_PROGRESS,
  PROP_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tsr_file_node_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsrFileNode *self = TSR_FILE_NODE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_file_node_finalize (GObject *object)
{
  TsrFileNode *self = TSR_FILE_NODE (object);

  g_free (self->name);
  g_free (self->path);
  g_clear_object (&self->children);
  G_OBJECT_CLASS (tsr_file_node_parent_class)->finalize (object);
}

static void
tsr_file_node_class_init (TsrFileNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = tsr_file_node_get_property;
  object_class->finalize = tsr_file_node_finalize;
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_PRIORITY] = g_param_spec_int ("priority", NULL, NULL, -1, TSR_PRIORITY_HIGH, TSR_PRIORITY_NORMAL,
                                                flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tsr_file_node_init (TsrFileNode *self)
{
  self->index = -1;
}

const char *
tsr_file_node_get_name (TsrFileNode *self)
{
  return self->name;
}

GListModel *
tsr_file_node_get_children (TsrFileNode *self)
{
  return self->children != NULL ? G_LIST_MODEL (self->children) : NULL;
}

int
tsr_file_node_get_index (TsrFileNode *self)
{
  return self->index;
}

const char *
tsr_file_node_get_path (TsrFileNode *self)
{
  return self->path;
}

gboolean
tsr_file_node_get_piece_range (TsrFileNode *self,
                               TsrTorrent  *torrent,
                               guint       *first,
                               guint       *n_pieces)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  const TsrFile *file;
  guint64 last;

  *first = 0;
  *n_pieces = 0;
  if (self->index < 0 || (guint) self->index >= info->n_files || info->piece_length == 0)
    return FALSE;
  file = &info->files[self->index];
  *first = (guint) MIN (file->offset / info->piece_length, info->piece_count);
  if (file->length == 0)
    return TRUE;
  last = (file->offset + file->length - 1) / info->piece_length;   /* inclusive */
  if (last >= info->piece_count)
    last = info->piece_count - 1;
  *n_pieces = last >= *first ? (guint) (last - *first + 1) : 0;
  return TRUE;
}

int
tsr_file_node_get_priority (TsrFileNode *self)
{
  return self->priority;
}

static TsrFileNode *
node_new (const char *name,
          const char *path,
          int         index)
{
  TsrFileNode *node = g_object_new (TSR_TYPE_FILE_NODE, NULL);

  node->name = g_strdup (name);
  node->path = g_strdup (path);
  node->index = index;
  if (index < 0)
    node->children = g_list_store_new (TSR_TYPE_FILE_NODE);
  return node;
}

/* The child of @store named @name, made a folder if missing. */
static TsrFileNode *
folder_in (GListStore *store,
           const char *name,
           const char *path)
{
  guint i;
  TsrFileNode *node;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(TsrFileNode) child = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (child->index < 0 && g_str_equal (child->name, name))
        return child;   /* the store keeps it alive */
    }
  node = node_new (name, path, -1);
  g_list_store_append (store, node);
  g_object_unref (node);
  return node;
}

GListStore *
tsr_file_nodes_new (TsrTorrent *torrent)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  GListStore *roots = g_list_store_new (TSR_TYPE_FILE_NODE);
  guint i;

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_auto(GStrv) shown = NULL;
      g_auto(GStrv) saved = NULL;
      g_auto(GStrv) original = NULL;
      GListStore *level = roots;
      g_autoptr(TsrFileNode) leaf = NULL;
      g_autoptr(GString) path = g_string_new (NULL);
      guint depth;
      guint parts;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      /* Folders are named as the torrent names them; the path is where
       * the file is saved (sanitized, or as the user renamed it). All
       * three have the same depth; a renamed part reads as its new name. */
      shown = g_strsplit (file->display_path, "/", -1);
      saved = g_strsplit (tsr_torrent_get_file_path (torrent, i), "/", -1);
      original = g_strsplit (file->path, "/", -1);
      parts = g_strv_length (shown);
      if (parts != g_strv_length (saved) || parts != g_strv_length (original) || parts == 0)
        {
          g_clear_pointer (&shown, g_strfreev);
          shown = g_strdupv (saved);
          parts = g_strv_length (saved);
        }
      for (depth = 0; depth < parts && original[depth] != NULL; depth++)
        if (!g_str_equal (original[depth], saved[depth]))
          {
            g_free (shown[depth]);
            shown[depth] = g_strdup (saved[depth]);
          }
      for (depth = 0; depth + 1 < parts; depth++)
        {
          TsrFileNode *folder;

          if (path->len > 0)
            g_string_append_c (path, '/');
          g_string_append (path, saved[depth]);
          folder = folder_in (level, shown[depth], path->str);
          level = folder->children;
        }
      leaf = node_new (shown[parts - 1], tsr_torrent_get_file_path (torrent, i), (int) i);
      g_list_store_append (level, leaf);
    }
  tsr_file_nodes_update (roots, torrent);
  return roots;
}

static void
set_values (TsrFileNode *self,
            guint64      size,
            gdouble      progress,
            int          priority)
{
  if (self->size != size)
    {
      self->size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (self->priority != priority)
    {
      self->priority = priority;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
    }
}

/* Updates @node and below; adds its size and verified bytes. */
static void
update_node (TsrFileNode  *node,
             TsrTorrent   *torrent,
             const float  *fractions,
             guint         n_pieces,
             guint64      *size_out,
             gdouble      *have_out,
             int          *priority_out)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  guint64 size = 0;
  gdouble have = 0;
  int priority = -2;   /* none seen yet */

  if (node->index >= 0)
    {
      const TsrFile *file = &info->files[node->index];
      guint64 end = file->offset + file->length;
      guint64 piece;

      size = file->length;
      for (piece = info->piece_length > 0 ? file->offset / info->piece_length : n_pieces;
           piece < n_pieces && piece * info->piece_length < end; piece++)
        {
          guint64 from = MAX (file->offset, piece * info->piece_length);
          guint64 to = MIN (end, (piece + 1) * info->piece_length);

          have += (gdouble) (to - from) * fractions[piece];
        }
      priority = tsr_torrent_get_file_priority (torrent, (guint) node->index);
    }
  else
    {
      guint i;

      for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (node->children)); i++)
        {
          g_autoptr(TsrFileNode) child = g_list_model_get_item (G_LIST_MODEL (node->children), i);
          int child_priority = 0;

          update_node (child, torrent, fractions, n_pieces, &size, &have, &child_priority);
          priority = priority == -2 || priority == child_priority ? child_priority : -1;
        }
      if (priority == -2)
        priority = TSR_PRIORITY_NORMAL;
    }
  set_values (node, size, size > 0 ? MIN (have / (gdouble) size, 1.0) : 1.0, priority);
  *size_out += size;
  *have_out += have;
  *priority_out = priority;
}

void
tsr_file_nodes_update (GListStore *roots,
                       TsrTorrent *torrent)
{
  guint n = 0;
  g_autofree float *fractions = tsr_torrent_dup_piece_fractions (torrent, &n);

  tsr_file_nodes_update_from (roots, torrent, fractions, n);
}

void
tsr_file_nodes_update_from (GListStore  *roots,
                            TsrTorrent  *torrent,
                            const float *fractions,
                            guint        n)
{
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (roots)); i++)
    {
      g_autoptr(TsrFileNode) node = g_list_model_get_item (G_LIST_MODEL (roots), i);
      guint64 size = 0;
      gdouble have = 0;
      int priority = 0;

      update_node (node, torrent, fractions, n, &size, &have, &priority);
    }
}

static void
set_priority_below (TsrFileNode *self,
                    TsrTorrent  *torrent,
                    TsrPriority  priority)
{
  guint i;

  if (self->index >= 0)
    {
      tsr_torrent_set_file_priority (torrent, (guint) self->index, priority);
      return;
    }
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->children)); i++)
    {
      g_autoptr(TsrFileNode) child = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      set_priority_below (child, torrent, priority);
    }
}

void
tsr_file_node_set_priority (TsrFileNode *self,
                            TsrTorrent  *torrent,
                            TsrPriority  priority)
{
  set_priority_below (self, torrent, priority);
}
