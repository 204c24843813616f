/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-context.c: the state the RPC methods share, the torrent
 * selection every torrent method starts with ("ids"), and the path rule:
 * a client names folders and torrent files on the server's disk, so each
 * must be absolute, free of "..", and inside an allowed root when roots
 * are configured (a symlink inside a root is resolved before the check),
 * or the method fails without touching anything.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-rpc-context.h"

TsrRpcContext *
tsr_rpc_context_new (TsrLibrary               *library,
                     TsrRpcSettings           *settings,
                     const char               *config_dir,
                     const TsrRpcContextFuncs *funcs,
                     gpointer                  user_data)
{
  TsrRpcContext *self = g_new0 (TsrRpcContext, 1);

  self->library = g_object_ref (library);
  self->ids = tsr_rpc_ids_new (tsr_library_get_torrents (library));
  self->settings = settings;
  self->config_dir = g_strdup (config_dir);
  if (funcs != NULL)
    self->funcs = *funcs;
  self->user_data = user_data;
  self->history = tsr_rpc_history_new (library);
  return self;
}

void
tsr_rpc_context_free (TsrRpcContext *self)
{
  if (self == NULL)
    return;
  tsr_rpc_history_free (self->history);
  tsr_rpc_ids_free (self->ids);
  g_object_unref (self->library);
  g_free (self->config_dir);
  g_strfreev (self->allowed_roots);
  g_free (self);
}

typedef struct
{
  gint64      id;
  TsrTorrent *torrent;   /* borrowed */
} Numbered;

static gint
compare_numbered (gconstpointer a,
                  gconstpointer b)
{
  gint64 x = ((const Numbered *) a)->id;
  gint64 y = ((const Numbered *) b)->id;

  return x < y ? -1 : x > y;
}

/* In id order, as Transmission lists them. Each id is looked up once (a
 * sort comparing through the lookup made 25 000 of them for 1 000
 * torrents, a third of a poll), and the library's own order, which is
 * mostly the order of the ids, needs no sort at all. */
static void
sort_by_id (TsrRpcIds *ids,
            GPtrArray *torrents)
{
  g_autofree Numbered *numbered = g_new (Numbered, MAX (torrents->len, 1));
  gboolean sorted = TRUE;
  guint i;

  for (i = 0; i < torrents->len; i++)
    {
      numbered[i].torrent = g_ptr_array_index (torrents, i);
      numbered[i].id = tsr_rpc_ids_get (ids, numbered[i].torrent);
      sorted = sorted && (i == 0 || numbered[i - 1].id < numbered[i].id);
    }
  if (sorted)
    return;
  qsort (numbered, torrents->len, sizeof (Numbered), compare_numbered);
  for (i = 0; i < torrents->len; i++)
    torrents->pdata[i] = numbered[i].torrent;
}

static gboolean
is_recently_active (TsrTorrent *torrent)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);

  return tsr_torrent_get_down_rate (torrent) > 0 || tsr_torrent_get_up_rate (torrent) > 0 ||
         state == TSR_TORRENT_CHECKING || state == TSR_TORRENT_FETCHING || state == TSR_TORRENT_DOWNLOADING;
}

static TsrTorrent *
find_by_hash (TsrRpcContext *self,
              const char    *hex)
{
  guint8 hash[20];
  guint i;

  if (strlen (hex) != 40)
    return NULL;
  for (i = 0; i < 20; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return NULL;
      hash[i] = hi << 4 | lo;
    }
  return tsr_library_find (self->library, hash);
}

static gboolean
add_one (TsrRpcContext *self,
         JsonNode      *node,
         GHashTable    *chosen,
         GError       **error)
{
  TsrTorrent *torrent = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    torrent = tsr_rpc_ids_lookup (self->ids, json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    torrent = tsr_rpc_ids_lookup (self->ids, (gint64) json_node_get_double (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    torrent = find_by_hash (self, json_node_get_string (node));
  else
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid or corrupt torrent id");
      return FALSE;
    }
  /* Transmission skips ids it does not know. */
  if (torrent != NULL)
    g_hash_table_add (chosen, torrent);
  return TRUE;
}

GPtrArray *
tsr_rpc_context_select (TsrRpcContext *self,
                        JsonObject    *args,
                        GError       **error)
{
  GListModel *torrents = tsr_library_get_torrents (self->library);
  g_autoptr(GPtrArray) selected = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) chosen = g_hash_table_new (NULL, NULL);
  JsonNode *ids = args != NULL ? json_object_get_member (args, "ids") : NULL;
  gboolean all = ids == NULL || JSON_NODE_HOLDS_NULL (ids);
  gboolean recent = FALSE;
  guint i, n = g_list_model_get_n_items (torrents);

  if (!all && JSON_NODE_HOLDS_VALUE (ids) && json_node_get_value_type (ids) == G_TYPE_STRING &&
      g_str_equal (json_node_get_string (ids), "recently-active"))
    recent = TRUE;
  else if (!all && JSON_NODE_HOLDS_ARRAY (ids))
    {
      JsonArray *array = json_node_get_array (ids);

      for (i = 0; i < json_array_get_length (array); i++)
        if (!add_one (self, json_array_get_element (array, i), chosen, error))
          return NULL;
    }
  else if (!all && !add_one (self, ids, chosen, error))
    return NULL;

  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      if (all || (recent && is_recently_active (torrent)) || g_hash_table_contains (chosen, torrent))
        g_ptr_array_add (selected, g_steal_pointer (&torrent));
    }
  sort_by_id (self->ids, selected);
  return g_steal_pointer (&selected);
}

static gboolean
has_dot_dot (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint i;

  for (i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return TRUE;
  return FALSE;
}

static gboolean
within (const char *path,
        const char *root)
{
  gsize n = strlen (root);

  while (n > 1 && root[n - 1] == '/')
    n--;
  return strncmp (path, root, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1);
}

/* @path resolved through the symlinks of its existing ancestors. */
static char *
resolve (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *real = realpath (path, NULL);
  g_autofree char *parent = NULL;
  char *result;

  if (real != NULL)
    {
      result = g_strdup (real);
      free (real);
      return result;
    }
  if (g_str_equal (dir, path))
    return g_strdup (path);
  parent = resolve (dir);
  return g_build_filename (parent, base, NULL);
}

static gboolean
check_path (TsrRpcContext *self,
            const char    *path,
            GError       **error)
{
  g_autofree char *real = NULL;
  guint i;

  if (path == NULL || !g_path_is_absolute (path) || has_dot_dot (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("Path “%s” is not absolute or has a “..” in it"), path != NULL ? path : "");
      return FALSE;
    }
  if (self->allowed_roots == NULL || self->allowed_roots[0] == NULL)
    return TRUE;
  real = resolve (path);
  for (i = 0; self->allowed_roots[i] != NULL; i++)
    {
      g_autofree char *root = resolve (self->allowed_roots[i]);

      if (within (real, root))
        return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               _("Path “%s” is outside the folders this server allows"), path);
  return FALSE;
}

gboolean
tsr_rpc_context_check_folder (TsrRpcContext *self,
                              const char    *folder,
                              GError       **error)
{
  return check_path (self, folder, error);
}

gboolean
tsr_rpc_context_check_file (TsrRpcContext *self,
                            const char    *path,
                            GError       **error)
{
  if (!check_path (self, path, error))
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No torrent file at “%s”"), path);
      return FALSE;
    }
  return TRUE;
}

gint64
tsr_rpc_args_int (JsonObject *args,
                  const char *name,
                  gint64      fallback)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      {
        gdouble value = json_node_get_double (node);

        return value > -9e18 && value < 9e18 ? (gint64) value : fallback;
      }
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node);
    default:
      return fallback;
    }
}

gdouble
tsr_rpc_args_double (JsonObject *args,
                     const char *name,
                     gdouble     fallback)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  return fallback;
}

gboolean
tsr_rpc_args_bool (JsonObject *args,
                   const char *name,
                   gboolean    fallback)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return fallback;
}

const char *
tsr_rpc_args_string (JsonObject *args,
                     const char *name)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
tsr_rpc_args_has_value (JsonObject *args,
                        const char *name)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_BOOLEAN;
}
