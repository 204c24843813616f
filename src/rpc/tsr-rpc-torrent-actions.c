/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-torrent-actions.c: the Transmission RPC methods that change
 * torrents: torrent-add, -start, -start-now, -stop, -verify, -reannounce,
 * -remove, -set-location and queue-move-*. Each goes through the library
 * (tsr-library.h), so what a remote client does is kept exactly as what
 * the app does is. Paths a client names pass tsr_rpc_context_check_*
 * first.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tsr-rpc-methods.h"

static void
add_torrent_summary (TsrRpcContext *context,
                     JsonBuilder   *out,
                     const char    *member,
                     TsrTorrent    *torrent)
{
  const guint8 *hash = tsr_torrent_get_info_hash (torrent);
  char hex[41];
  guint i;

  for (i = 0; i < 20; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", hash[i]);
  json_builder_set_member_name (out, member);
  json_builder_begin_object (out);
  json_builder_set_member_name (out, "id");
  json_builder_add_int_value (out, tsr_rpc_ids_get (context->ids, torrent));
  json_builder_set_member_name (out, "name");
  json_builder_add_string_value (out, tsr_torrent_get_name (torrent));
  json_builder_set_member_name (out, "hashString");
  json_builder_add_string_value (out, hex);
  json_builder_end_object (out);
}

/* The torrent already in the library that @bytes, @path or @magnet names. */
static TsrTorrent *
find_duplicate (TsrRpcContext *context,
                GBytes        *bytes,
                const char    *path,
                const char    *magnet)
{
  if (magnet != NULL)
    {
      g_autoptr(TsrMagnet) parsed = tsr_magnet_parse (magnet, NULL);

      if (parsed == NULL)
        return NULL;
      if (parsed->has_v1)
        return tsr_library_find (context->library, parsed->info_hash_v1);
      if (parsed->has_v2)
        return tsr_library_find (context->library, parsed->info_hash_v2);
      return NULL;
    }
  else
    {
      g_autoptr(TsrMetainfo) info = bytes != NULL ? tsr_metainfo_new_from_bytes (bytes, NULL)
                                                  : tsr_metainfo_new_from_file (path, NULL);

      return info != NULL ? tsr_library_find (context->library, tsr_metainfo_get_wire_hash (info)) : NULL;
    }
}

/* Tessera keeps one priority per file where Transmission keeps "wanted"
 * and a priority apart: wanting a skipped file makes it normal, a
 * priority changes only a wanted file, and "low" is normal. */
typedef enum
{
  FILES_WANTED,
  FILES_UNWANTED,
  FILES_HIGH,
  FILES_NORMAL,
} FilesChange;

static void
set_files (TsrTorrent  *torrent,
           JsonObject  *args,
           const char  *member,
           FilesChange  change)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  JsonNode *node = args != NULL ? json_object_get_member (args, member) : NULL;
  JsonArray *files;
  guint i, j, n = 0;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || info == NULL)
    return;
  files = json_node_get_array (node);
  for (i = 0; i < info->n_files; i++)
    {
      /* An empty list means every file, as in Transmission. */
      gboolean listed = json_array_get_length (files) == 0;
      TsrPriority now;

      if ((info->files[i].attr & TSR_FILE_ATTR_PAD) != 0)
        continue;
      for (j = 0; !listed && j < json_array_get_length (files); j++)
        listed = JSON_NODE_HOLDS_VALUE (json_array_get_element (files, j)) &&
                 json_node_get_value_type (json_array_get_element (files, j)) == G_TYPE_INT64 &&
                 json_node_get_int (json_array_get_element (files, j)) == n;
      n++;
      if (!listed)
        continue;
      now = tsr_torrent_get_file_priority (torrent, i);
      if (change == FILES_WANTED && now == TSR_PRIORITY_SKIP)
        tsr_torrent_set_file_priority (torrent, i, TSR_PRIORITY_NORMAL);
      else if (change == FILES_UNWANTED)
        tsr_torrent_set_file_priority (torrent, i, TSR_PRIORITY_SKIP);
      else if (change == FILES_HIGH && now != TSR_PRIORITY_SKIP)
        tsr_torrent_set_file_priority (torrent, i, TSR_PRIORITY_HIGH);
      else if (change == FILES_NORMAL && now == TSR_PRIORITY_HIGH)
        tsr_torrent_set_file_priority (torrent, i, TSR_PRIORITY_NORMAL);
    }
}

void
tsr_rpc_apply_file_choices (TsrRpcContext *context,
                            TsrTorrent    *torrent,
                            JsonObject    *args)
{
  set_files (torrent, args, "files-wanted", FILES_WANTED);
  set_files (torrent, args, "files-unwanted", FILES_UNWANTED);
  set_files (torrent, args, "priority-high", FILES_HIGH);
  set_files (torrent, args, "priority-normal", FILES_NORMAL);
  set_files (torrent, args, "priority-low", FILES_NORMAL);
}

void
tsr_rpc_apply_labels (TsrRpcContext *context,
              TsrTorrent    *torrent,
              JsonObject    *args)
{
  g_auto(GStrv) labels = tsr_labels_from_json (json_object_get_member (args, "labels"));

  if (labels != NULL)
    tsr_library_set_labels (context->library, torrent, (const char * const *) labels);
}

char *
tsr_rpc_torrent_add (TsrRpcContext *context,
                     JsonObject    *args,
                     JsonBuilder   *out)
{
  const char *filename = tsr_rpc_args_string (args, "filename");
  const char *metainfo = tsr_rpc_args_string (args, "metainfo");
  const char *folder = tsr_rpc_args_string (args, "download-dir");
  gboolean paused = tsr_rpc_args_bool (args, "paused", !context->settings->start_added_torrents);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *magnet = NULL;
  const char *path = NULL;
  TsrTorrent *torrent;

  if (folder == NULL)
    folder = context->settings->download_dir;
  else if (!tsr_rpc_context_check_folder (context, folder, &error))
    return g_strdup (error->message);

  if (metainfo != NULL)
    {
      gsize length = 0;
      guchar *decoded = g_base64_decode (metainfo, &length);

      bytes = g_bytes_new_take (decoded, length);
      if (length == 0)
        return g_strdup ("invalid or corrupt torrent file");
    }
  else if (filename == NULL)
    return g_strdup ("no filename or metainfo specified");
  else if (g_str_has_prefix (filename, "magnet:"))
    magnet = filename;
  /* tsr_rpc_handle_request_async fetches these and comes back with "metainfo". */
  else if (g_str_has_prefix (filename, "http://") || g_str_has_prefix (filename, "https://"))
    return g_strdup (_("Adding a torrent by its web address is not supported yet"));
  else if (!tsr_rpc_context_check_file (context, filename, &error))
    return g_strdup (error->message);
  else
    path = filename;

  /* Added stopped so that files and labels are set before it starts. */
  if (magnet != NULL)
    torrent = tsr_library_add_magnet (context->library, magnet, folder, TRUE, &error);
  else if (bytes != NULL)
    torrent = tsr_library_add_bytes (context->library, bytes, folder, TRUE, NULL, &error);
  else
    torrent = tsr_library_add_file (context->library, path, folder, TRUE, NULL, &error);
  if (torrent == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      TsrTorrent *duplicate = find_duplicate (context, bytes, path, magnet);

      if (duplicate == NULL)
        return g_strdup (error->message);
      add_torrent_summary (context, out, "torrent-duplicate", duplicate);
      return NULL;
    }
  if (torrent == NULL)
    {
      g_debug ("torrent-add: %s", error->message);
      return g_strdup ("invalid or corrupt torrent file");
    }
  tsr_rpc_history_file_added (context->history);
  tsr_rpc_settings_apply_torrent (context->settings, context->library, torrent);
  tsr_rpc_apply_file_choices (context, torrent, args);
  tsr_rpc_apply_labels (context, torrent, args);
  tsr_library_torrent_changed (context->library, torrent);
  if (!paused)
    tsr_library_start (context->library, torrent);
  add_torrent_summary (context, out, "torrent-added", torrent);
  return NULL;
}

typedef void (*TorrentAction) (TsrRpcContext *context,
                               TsrTorrent    *torrent);

static char *
for_each (TsrRpcContext *context,
          JsonObject    *args,
          TorrentAction  action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = tsr_rpc_context_select (context, args, &error);
  guint i;

  if (torrents == NULL)
    return g_strdup (error->message);
  for (i = 0; i < torrents->len; i++)
    action (context, g_ptr_array_index (torrents, i));
  return NULL;
}

static void
start (TsrRpcContext *context,
       TsrTorrent    *torrent)
{
  tsr_library_start (context->library, torrent);
}

static void
start_now (TsrRpcContext *context,
           TsrTorrent    *torrent)
{
  /* Past the queue: first in it, so the queue starts it at once. */
  tsr_session_move_in_queue (tsr_library_get_session (context->library), torrent, TSR_QUEUE_MOVE_TOP);
  tsr_library_start (context->library, torrent);
}

static void
stop (TsrRpcContext *context,
      TsrTorrent    *torrent)
{
  tsr_library_stop (context->library, torrent);
}

static void
verify (TsrRpcContext *context,
        TsrTorrent    *torrent)
{
  if (tsr_torrent_has_metainfo (torrent))
    tsr_torrent_verify (torrent);
}

static void
reannounce (TsrRpcContext *context,
            TsrTorrent    *torrent)
{
  tsr_torrent_announce_now (torrent);
}

static void
remove_keep (TsrRpcContext *context,
             TsrTorrent    *torrent)
{
  tsr_library_remove (context->library, torrent, FALSE);
}

static void
remove_delete (TsrRpcContext *context,
               TsrTorrent    *torrent)
{
  tsr_library_remove (context->library, torrent, TRUE);
}

char *
tsr_rpc_torrent_start (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, start);
}

char *
tsr_rpc_torrent_start_now (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, start_now);
}

char *
tsr_rpc_torrent_stop (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, stop);
}

char *
tsr_rpc_torrent_verify (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, verify);
}

char *
tsr_rpc_torrent_reannounce (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, reannounce);
}

char *
tsr_rpc_torrent_remove (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return for_each (context, args, tsr_rpc_args_bool (args, "delete-local-data", FALSE) ? remove_delete : remove_keep);
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TsrLibrary) library = user_data;
  g_autoptr(GError) error = NULL;

  if (!tsr_torrent_move_data_finish (TSR_TORRENT (source), result, &error))
    g_warning ("%s: %s", tsr_torrent_get_name (TSR_TORRENT (source)), error->message);
  tsr_library_torrent_changed (library, TSR_TORRENT (source));
}

char *
tsr_rpc_torrent_set_location (TsrRpcContext *context,
                              JsonObject    *args,
                              JsonBuilder   *out)
{
  const char *location = tsr_rpc_args_string (args, "location");
  gboolean move = tsr_rpc_args_bool (args, "move", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = NULL;
  guint i;

  if (location == NULL)
    return g_strdup ("no location");
  if (!tsr_rpc_context_check_folder (context, location, &error))
    return g_strdup (error->message);
  torrents = tsr_rpc_context_select (context, args, &error);
  if (torrents == NULL)
    return g_strdup (error->message);
  for (i = 0; i < torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (torrents, i);

      if (g_strcmp0 (tsr_torrent_get_folder (torrent), location) == 0)
        continue;
      /* The move runs on: Transmission too answers before it ends. */
      if (move)
        tsr_torrent_move_data_async (torrent, location, NULL, on_moved, g_object_ref (context->library));
      else if (!tsr_torrent_set_folder (torrent, location, &error))
        return g_strdup (error->message);
      else
        tsr_library_torrent_changed (context->library, torrent);
    }
  return NULL;
}

static char *
queue_move (TsrRpcContext *context,
            JsonObject    *args,
            TsrQueueMove   move)
{
  TsrSession *session = tsr_library_get_session (context->library);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = tsr_rpc_context_select (context, args, &error);
  guint i;

  if (torrents == NULL)
    return g_strdup (error->message);
  /* To the top, the last first, so that the chosen keep their order. */
  for (i = 0; i < torrents->len; i++)
    {
      guint k = move == TSR_QUEUE_MOVE_TOP || move == TSR_QUEUE_MOVE_DOWN ? torrents->len - 1 - i : i;

      tsr_session_move_in_queue (session, g_ptr_array_index (torrents, k), move);
    }
  /* The library writes the index on the session's "queue-changed", each
   * entry as it was, in the new order. */
  return NULL;
}

char *
tsr_rpc_queue_move_top (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return queue_move (context, args, TSR_QUEUE_MOVE_TOP);
}

char *
tsr_rpc_queue_move_up (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return queue_move (context, args, TSR_QUEUE_MOVE_UP);
}

char *
tsr_rpc_queue_move_down (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return queue_move (context, args, TSR_QUEUE_MOVE_DOWN);
}

char *
tsr_rpc_queue_move_bottom (TsrRpcContext *context, JsonObject *args, JsonBuilder *out)
{
  return queue_move (context, args, TSR_QUEUE_MOVE_BOTTOM);
}
