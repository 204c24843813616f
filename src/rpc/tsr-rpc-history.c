/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-history.c: the RPC's memory across runs, in LIBRARY/rpc-history.ini:
 * [session] holds the totals of the runs before (bytes up and down,
 * torrent files added, seconds active, runs), and a [torrent HASH] group
 * per torrent its seconds downloading and seeding and when it finished.
 * A torrent's group is handed to its activity (tsr-rpc-activity.h) when
 * the torrent comes into the library, once. The file is rewritten every
 * minute on GIO's worker (the text is made on the main loop: a few lines
 * per torrent), and at the end of the run; torrents no longer in the
 * library drop out of it then. Bytes of a torrent removed during a run
 * are not counted (the engine's counters go with it), as a crash loses
 * up to a minute.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-activity.h"
#include "tsr-rpc-history.h"

#define SAVE_SECONDS 60
#define SESSION_GROUP "session"
#define TORRENT_PREFIX "torrent "

typedef struct
{
  gint64 downloading;
  gint64 seeding;
  gint64 done_date;
} Past;

struct _TsrRpcHistory
{
  TsrLibrary   *library;      /* (owned) */
  GListModel   *torrents;     /* borrowed: the library's */
  gulong        handler;
  char         *path;         /* (owned) (nullable): kept nowhere */
  GHashTable   *pending;      /* hash hex → Past (owned): not yet in the library */
  TsrRpcTotals  past;
  gint64        started;      /* monotonic µs */
  guint64       files_added;
  guint         timer;
  GCancellable *cancellable;  /* (owned) */
};

static char *
hash_hex (TsrTorrent *torrent)
{
  const guint8 *hash = tsr_torrent_get_info_hash (torrent);
  char *hex = g_malloc (41);
  guint i;

  for (i = 0; i < 20; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", hash[i]);
  return hex;
}

static void
restore (TsrRpcHistory *self,
         TsrTorrent    *torrent)
{
  g_autofree char *hex = hash_hex (torrent);
  Past *past = g_hash_table_lookup (self->pending, hex);

  if (past == NULL)
    return;
  tsr_rpc_activity_watch (torrent);
  tsr_rpc_activity_add_past (torrent, past->downloading, past->seeding, past->done_date);
  g_hash_table_remove (self->pending, hex);
}

static void
on_items_changed (GListModel    *torrents,
                  guint          position,
                  guint          removed,
                  guint          added,
                  TsrRpcHistory *self)
{
  guint i;

  for (i = position; i < position + added; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      restore (self, torrent);
    }
}

TsrRpcHistory *
tsr_rpc_history_new (TsrLibrary *library)
{
  TsrRpcHistory *self = g_new0 (TsrRpcHistory, 1);

  self->library = g_object_ref (library);
  self->torrents = tsr_library_get_torrents (library);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->started = g_get_monotonic_time ();
  self->cancellable = g_cancellable_new ();
  return self;
}

void
tsr_rpc_history_free (TsrRpcHistory *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_signal_handler (&self->handler, self->torrents);
  g_hash_table_unref (self->pending);
  g_object_unref (self->library);
  g_free (self->path);
  g_free (self);
}

static gint64
read_int (GKeyFile   *keyfile,
          const char *group,
          const char *key)
{
  gint64 value = g_key_file_get_int64 (keyfile, group, key, NULL);

  return MAX (value, 0);
}

static void
add_current (TsrRpcHistory *self,
             TsrRpcTotals  *totals)
{
  guint i, n = g_list_model_get_n_items (self->torrents);

  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);

      totals->uploaded += tsr_torrent_get_uploaded (torrent);
      totals->downloaded += tsr_torrent_get_downloaded (torrent);
    }
  totals->files_added += self->files_added;
  totals->seconds_active += (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC;
  totals->sessions += 1;
}

void
tsr_rpc_history_get_totals (TsrRpcHistory *self,
                            TsrRpcTotals  *current,
                            TsrRpcTotals  *cumulative)
{
  *current = (TsrRpcTotals) { 0 };
  add_current (self, current);
  *cumulative = self->past;
  add_current (self, cumulative);
}

void
tsr_rpc_history_file_added (TsrRpcHistory *self)
{
  self->files_added++;
}

static GBytes *
to_bytes (TsrRpcHistory *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  TsrRpcTotals totals = self->past;
  guint i, n = g_list_model_get_n_items (self->torrents);
  gsize length = 0;
  char *text;

  add_current (self, &totals);
  g_key_file_set_uint64 (keyfile, SESSION_GROUP, "uploaded-bytes", totals.uploaded);
  g_key_file_set_uint64 (keyfile, SESSION_GROUP, "downloaded-bytes", totals.downloaded);
  g_key_file_set_uint64 (keyfile, SESSION_GROUP, "files-added", totals.files_added);
  g_key_file_set_int64 (keyfile, SESSION_GROUP, "seconds-active", totals.seconds_active);
  g_key_file_set_uint64 (keyfile, SESSION_GROUP, "session-count", totals.sessions);
  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);
      g_autofree char *hex = hash_hex (torrent);
      g_autofree char *group = g_strconcat (TORRENT_PREFIX, hex, NULL);

      g_key_file_set_int64 (keyfile, group, "seconds-downloading", tsr_rpc_activity_get_seconds_downloading (torrent));
      g_key_file_set_int64 (keyfile, group, "seconds-seeding", tsr_rpc_activity_get_seconds_seeding (torrent));
      g_key_file_set_int64 (keyfile, group, "done-date", tsr_rpc_activity_get_done_date (torrent));
    }
  text = g_key_file_to_data (keyfile, &length, NULL);
  return g_bytes_new_take (text, length);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("%s", error->message);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrRpcHistory *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GBytes) bytes = to_bytes (self);

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, self->cancellable,
                                       on_saved, NULL);
  return G_SOURCE_CONTINUE;
}

gboolean
tsr_rpc_history_keep (TsrRpcHistory  *self,
                      const char     *path,
                      GError        **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) load_error = NULL;
  g_auto(GStrv) groups = NULL;
  guint i, n;

  g_return_val_if_fail (self->path == NULL, FALSE);
  self->path = g_strdup (path);
  self->handler = g_signal_connect (self->torrents, "items-changed", G_CALLBACK (on_items_changed), self);
  self->timer = g_timeout_add_seconds (SAVE_SECONDS, on_timer, self);
  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &load_error))
    {
      if (g_error_matches (load_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&load_error), "%s: ", path);
      return FALSE;
    }
  self->past.uploaded = read_int (keyfile, SESSION_GROUP, "uploaded-bytes");
  self->past.downloaded = read_int (keyfile, SESSION_GROUP, "downloaded-bytes");
  self->past.files_added = read_int (keyfile, SESSION_GROUP, "files-added");
  self->past.seconds_active = read_int (keyfile, SESSION_GROUP, "seconds-active");
  self->past.sessions = read_int (keyfile, SESSION_GROUP, "session-count");
  groups = g_key_file_get_groups (keyfile, NULL);
  for (i = 0; groups[i] != NULL; i++)
    {
      Past *past;

      if (!g_str_has_prefix (groups[i], TORRENT_PREFIX))
        continue;
      past = g_new0 (Past, 1);
      past->downloading = read_int (keyfile, groups[i], "seconds-downloading");
      past->seeding = read_int (keyfile, groups[i], "seconds-seeding");
      past->done_date = read_int (keyfile, groups[i], "done-date");
      g_hash_table_replace (self->pending, g_ascii_strdown (groups[i] + strlen (TORRENT_PREFIX), -1), past);
    }
  /* Torrents the library holds already. */
  n = g_list_model_get_n_items (self->torrents);
  for (i = 0; i < n; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);

      restore (self, torrent);
    }
  return TRUE;
}

gboolean
tsr_rpc_history_save_now (TsrRpcHistory  *self,
                          GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->path == NULL)
    return TRUE;
  /* No write of the timer's may land after this one. */
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  bytes = to_bytes (self);
  return g_file_set_contents_full (self->path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
