/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library.c: the torrents across runs (see tsr-library.h), shared by
 * the app, `tessera-cli peer --library` and the coming daemon, so that
 * each reads and writes the same files the same way. No GTK here.
 *
 * Layout under the data folder:
 *   torrents/<hash>.torrent   a copy of each torrent file added
 *   torrents.json             [{"hash", "folder", "paused", "labels", "paths", ...}...], in queue
 *                             order (tsr_session_get_queue_position): the queue survives a restart
 *   resume/                   the engine's resume records
 * A torrent is known by its v1 info hash, or its v2 hash for v2-only ones.
 */
#define G_LOG_DOMAIN "tsr-library"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tsr-library.h"
#include "tsr-library-entry.h"
#include "tsr-library-store.h"
#include "tsr-magnet.h"
#include "tsr-metainfo.h"
#include "tsr-storage.h"
#include "tsr-util.h"

struct _TsrLibrary
{
  GObject     parent_instance;
  TsrSession *session;         /* (owned) */
  char       *folder;          /* (owned) the data folder */
  char       *torrents_folder; /* (owned) */
  char       *resume_folder;   /* (owned) */
  char       *index_path;      /* (owned) */
  gboolean    restoring;       /* no index writes while restoring */
  gboolean    no_trackers;     /* `peer --library --no-tracker` */
  TsrLibraryStore *store;      /* (owned) the index and the copies on their way to disk */
  GHashTable *entries;         /* (owned) TsrTorrent (owned) -> TsrLibraryEntry (owned): what
                                * the library keeps of each torrent it holds */
};

G_DEFINE_FINAL_TYPE (TsrLibrary, tsr_library, G_TYPE_OBJECT)

static void save_quietly (TsrLibrary *self);
static char *index_text (gpointer user_data);

enum
{
  SIGNAL_TORRENT_DONE,
  SIGNAL_TORRENT_FAILED,
  SIGNAL_LABELS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tsr_library_dispose (GObject *object)
{
  TsrLibrary *self = TSR_LIBRARY (object);

  /* tsr_library_shutdown has written the index as it is. */
  if (self->store != NULL)
    tsr_library_store_set_paused (self->store, TRUE);
  if (self->entries != NULL)
    g_hash_table_remove_all (self->entries);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (tsr_library_parent_class)->dispose (object);
}

static void
tsr_library_finalize (GObject *object)
{
  TsrLibrary *self = TSR_LIBRARY (object);

  g_free (self->folder);
  g_free (self->torrents_folder);
  g_free (self->resume_folder);
  g_free (self->index_path);
  g_clear_pointer (&self->store, tsr_library_store_free);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  G_OBJECT_CLASS (tsr_library_parent_class)->finalize (object);
}

static void
tsr_library_class_init (TsrLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_library_dispose;
  object_class->finalize = tsr_library_finalize;

  /* A torrent finished downloading (not one that was complete at start). */
  signals[SIGNAL_TORRENT_DONE] = g_signal_new ("torrent-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                               0, NULL, NULL, NULL, G_TYPE_NONE, 1, TSR_TYPE_TORRENT);
  /* A torrent stopped on an error (a full disk, its data gone). */
  signals[SIGNAL_TORRENT_FAILED] = g_signal_new ("torrent-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, TSR_TYPE_TORRENT);
  /* A torrent's labels changed (tsr_library_set_labels). */
  signals[SIGNAL_LABELS_CHANGED] = g_signal_new ("labels-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, TSR_TYPE_TORRENT);
}

static void
tsr_library_init (TsrLibrary *self)
{
  self->session = tsr_session_new ();
  self->entries = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref,
                                         (GDestroyNotify) tsr_library_entry_free);
}

/* (nullable) what the library keeps of @torrent: NULL for one it does not hold. */
static TsrLibraryEntry *
lookup (TsrLibrary *self,
        TsrTorrent *torrent)
{
  return self->entries != NULL ? g_hash_table_lookup (self->entries, torrent) : NULL;
}

/* Made when the torrent comes into the library (added or restored), or
 * when it is first told of one put in its session by someone else. */
static TsrLibraryEntry *
ensure_entry (TsrLibrary *self,
              TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  if (entry == NULL)
    {
      entry = tsr_library_entry_new (torrent);
      g_hash_table_insert (self->entries, g_object_ref (torrent), entry);
    }
  return entry;
}

/* Its entry in the index is made again at the next write. */
static void
mark_changed (TsrLibrary *self,
              TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  if (entry != NULL)
    tsr_library_entry_changed (entry);
}

/* Moving a thousand selected torrents is a thousand changes: written once
 * (save_quietly). */
static void
on_queue_changed (TsrSession *session,
                  TsrLibrary *self)
{
  save_quietly (self);
}

TsrLibrary *
tsr_library_new (const char *data_folder)
{
  TsrLibrary *self = g_object_new (TSR_TYPE_LIBRARY, NULL);

  self->folder = g_strdup (data_folder);
  self->torrents_folder = g_build_filename (data_folder, "torrents", NULL);
  self->resume_folder = g_build_filename (data_folder, "resume", NULL);
  self->index_path = g_build_filename (data_folder, "torrents.json", NULL);
  self->store = tsr_library_store_new (G_OBJECT (self), self->folder, self->index_path, index_text);
  /* A move in the queue is kept like any other change. */
  g_signal_connect_object (self->session, "queue-changed", G_CALLBACK (on_queue_changed), self, 0);
  return self;
}

TsrSession *
tsr_library_get_session (TsrLibrary *self)
{
  return self->session;
}

GListModel *
tsr_library_get_torrents (TsrLibrary *self)
{
  return tsr_session_get_torrents (self->session);
}

gboolean
tsr_library_listen (TsrLibrary  *self,
                    guint16      port,
                    GError     **error)
{
  g_autoptr(GError) taken = NULL;

  if (tsr_session_listen (self->session, port, &taken))
    return TRUE;
  g_message ("Port %u is not free (%s); listening on another", port, taken->message);
  return tsr_session_listen (self->session, 0, error);
}

gboolean
tsr_library_listen_random (TsrLibrary  *self,
                           guint16     *port,
                           GError     **error)
{
  guint tries;

  for (tries = 0; tries < 16; tries++)
    {
      if (tries > 0)
        *port = tsr_session_pick_random_port ();
      if (tsr_session_listen (self->session, *port, NULL))
        return TRUE;
    }
  return tsr_library_listen (self, *port, error);
}

void
tsr_library_set_use_trackers (TsrLibrary *self,
                              gboolean    use)
{
  self->no_trackers = !use;
}

char *
tsr_library_dup_torrent_file_path (TsrLibrary *self,
                                   TsrTorrent *torrent)
{
  g_autofree char *hash = tsr_library_entry_dup_hash (torrent);
  g_autofree char *file_name = g_strconcat (hash, ".torrent", NULL);

  return g_build_filename (self->torrents_folder, file_name, NULL);
}

TsrTorrent *
tsr_library_find (TsrLibrary   *self,
                  const guint8 *info_hash)
{
  return tsr_session_find_torrent (self->session, info_hash);
}

gboolean
tsr_library_has_own_limits (TsrLibrary *self,
                            TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  return entry != NULL && tsr_library_entry_has_own_limits (entry);
}

void
tsr_library_set_limits (TsrLibrary *self,
                        TsrTorrent *torrent,
                        guint64     up_rate,
                        guint64     down_rate,
                        guint64     up_total,
                        guint64     down_total,
                        gdouble     seed_ratio)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);

  tsr_library_entry_set_own_limits (entry);
  tsr_torrent_set_rate_limits (torrent, up_rate, down_rate);
  tsr_torrent_set_limits (torrent, up_total, down_total, seed_ratio);
  save_quietly (self);
}

void
tsr_library_get_options (TsrLibrary        *self,
                         TsrTorrent        *torrent,
                         TsrTorrentOptions *options)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  if (entry != NULL)
    tsr_library_entry_get_options (entry, options);
  else
    memset (options, 0, sizeof *options);
}

void
tsr_library_set_options (TsrLibrary              *self,
                         TsrTorrent              *torrent,
                         const TsrTorrentOptions *options)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);

  tsr_library_entry_set_options (entry, options);
  save_quietly (self);
}

gboolean
tsr_library_set_trackers (TsrLibrary  *self,
                          TsrTorrent  *torrent,
                          GPtrArray   *tiers,
                          GError     **error)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);

  if (!tsr_library_entry_set_trackers (entry, tiers, error))
    return FALSE;
  save_quietly (self);
  return TRUE;
}

gint64
tsr_library_get_added (TsrLibrary *self,
                       TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  return entry != NULL ? tsr_library_entry_get_added (entry) : 0;
}

gboolean
tsr_library_set_web_seeds (TsrLibrary          *self,
                           TsrTorrent          *torrent,
                           const char * const  *urls,
                           GError             **error)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);

  if (!tsr_library_entry_set_web_seeds (entry, urls, error))
    return FALSE;
  save_quietly (self);
  return TRUE;
}

const char * const *
tsr_library_get_labels (TsrLibrary *self,
                        TsrTorrent *torrent)
{
  static const char * const none[] = { NULL };
  TsrLibraryEntry *entry = lookup (self, torrent);

  return entry != NULL ? tsr_library_entry_get_labels (entry) : none;
}

void
tsr_library_set_labels (TsrLibrary         *self,
                        TsrTorrent         *torrent,
                        const char * const *labels)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);
  g_auto(GStrv) kept = tsr_labels_sanitise (labels);

  if (tsr_labels_equal (tsr_library_entry_get_labels (entry), (const char * const *) kept))
    return;
  tsr_library_entry_set_labels (entry, (const char * const *) kept);
  save_quietly (self);
  g_signal_emit (self, signals[SIGNAL_LABELS_CHANGED], 0, torrent);
}

/* The index as text, made on the main thread (it reads the torrents):
 * each torrent's entry as its TsrLibraryEntry keeps it, made again only
 * after a change, in queue order. */
static char *
index_text (gpointer user_data)
{
  TsrLibrary *self = user_data;
  GString *text = g_string_sized_new (4096);
  TsrTorrent *torrent;
  guint i;

  g_string_append (text, "{\n  \"torrents\" : [");
  for (i = 0; (torrent = tsr_session_get_queued_nth (self->session, i)) != NULL; i++)
    {
      TsrLibraryEntry *entry = ensure_entry (self, torrent);

      g_string_append (text, i == 0 ? "\n    " : ",\n    ");
      g_string_append (text, tsr_library_entry_get_text (entry));
    }
  g_string_append (text, "\n  ]\n}");
  return g_string_free (text, FALSE);
}

gboolean
tsr_library_save (TsrLibrary  *self,
                  GError     **error)
{
  if (self->restoring)
    return TRUE;
  return tsr_library_store_save (self->store, error);
}

/* After each change: one index text for all the changes of one turn of
 * the loop (labels given to a thousand selected torrents are one text,
 * not a thousand), and one per interval while they keep coming. */
static void
save_quietly (TsrLibrary *self)
{
  if (!self->restoring)
    tsr_library_store_save_soon (self->store);
}

/* A torrent's own change: its entry and the index are made again. */
static void
save_changed (TsrLibrary *self,
              TsrTorrent *torrent)
{
  mark_changed (self, torrent);
  save_quietly (self);
}

static void
on_torrent_file_renamed (TsrTorrent *torrent,
                         const char *path,
                         const char *new_name,
                         TsrLibrary *self)
{
  save_changed (self, torrent);
}

static void
on_torrent_done (TsrTorrent *torrent,
                 TsrLibrary *self)
{
  /* The engine also says "done" when a torrent complete at start has
   * been checked or resumed: that is no news. */
  if (tsr_torrent_get_downloaded (torrent) > 0)
    g_signal_emit (self, signals[SIGNAL_TORRENT_DONE], 0, torrent);
}

static void
on_torrent_state_changed (TsrTorrent *torrent,
                          TsrLibrary *self)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);

  mark_changed (self, torrent);
  /* Stopped or started by the engine itself (a limit, an error): the
   * index follows. */
  if (state == TSR_TORRENT_STOPPED || state == TSR_TORRENT_ERROR || state == TSR_TORRENT_DOWNLOADING ||
      state == TSR_TORRENT_SEEDING)
    save_quietly (self);
  if (state == TSR_TORRENT_ERROR)
    g_signal_emit (self, signals[SIGNAL_TORRENT_FAILED], 0, torrent);
}

/* With a queue limit a torrent waits its turn, by position, rather than
 * starting to be sent back a moment later. */
static void
start_or_queue (TsrLibrary *self,
                TsrTorrent *torrent)
{
  if (tsr_session_get_max_active (self->session) > 0 || tsr_session_get_max_seeding (self->session) > 0)
    tsr_torrent_queue (torrent);
  else
    tsr_torrent_start (torrent);
}

/* Adds @info to the session, wired to the index and the resume folder. */
static void on_metadata_received (TsrTorrent *torrent, TsrLibrary *self);

static TsrTorrent *
set_up (TsrLibrary  *self,
        TsrTorrent  *torrent,
        gboolean     paused,
        JsonArray   *priorities,
        JsonObject  *limits)
{
  TsrLibraryEntry *entry = ensure_entry (self, torrent);

  if (!tsr_torrent_has_metainfo (torrent))
    g_signal_connect_object (torrent, "metadata-received", G_CALLBACK (on_metadata_received), self, 0);
  tsr_library_entry_set_priorities (torrent, priorities);
  tsr_library_entry_apply_limits (entry, limits);
  tsr_library_entry_set_added (entry, g_get_real_time () / G_USEC_PER_SEC);

  tsr_torrent_set_state_folder (torrent, self->resume_folder);
  g_signal_connect_object (torrent, "done", G_CALLBACK (on_torrent_done), self, 0);
  g_signal_connect_object (torrent, "file-renamed", G_CALLBACK (on_torrent_file_renamed), self, 0);
  g_signal_connect_object (torrent, "state-changed", G_CALLBACK (on_torrent_state_changed), self, 0);
  if (tsr_session_get_port (self->session) != 0 && !self->no_trackers)
    tsr_torrent_enable_trackers (torrent, tsr_session_get_port (self->session));
  if (!paused)
    start_or_queue (self, torrent);
  return torrent;
}

static TsrTorrent *
add_to_session (TsrLibrary  *self,
                TsrMetainfo *info,
                const char  *folder,
                gboolean     paused,
                JsonArray   *priorities,
                JsonObject  *limits,
                JsonObject  *entry)
{
  TsrTorrent *torrent = tsr_session_add_torrent (self->session, info, folder);

  tsr_library_entry_restore_paths (torrent, entry);   /* before the check at start */
  return set_up (self, torrent, paused, priorities, limits);
}

static void
on_metadata_received (TsrTorrent *torrent,
                      TsrLibrary *self)
{
  g_autofree char *hash = tsr_library_entry_dup_hash (torrent);
  g_autofree char *file_name = g_strconcat (hash, ".torrent", NULL);
  g_autofree char *path = g_build_filename (self->torrents_folder, file_name, NULL);
  g_autoptr(GBytes) bytes = tsr_metainfo_dup_torrent_file (tsr_torrent_get_metainfo (torrent));

  tsr_library_entry_reapply_options (ensure_entry (self, torrent));
  /* The copy, then the index that names it by hash, no longer by magnet. */
  tsr_library_store_keep_copy (self->store, path, bytes);
  save_changed (self, torrent);
}

gboolean
tsr_library_configure (TsrLibrary    *self,
                       TsrTorrent    *torrent,
                       const char    *folder,
                       const guint8  *priorities,
                       gboolean       start,
                       GError       **error)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  guint i;

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot create the folder “%s”: %s"),
                   folder, g_strerror (saved));
      return FALSE;
    }
  if (!tsr_torrent_set_folder (torrent, folder, error))
    return FALSE;
  for (i = 0; priorities != NULL && info != NULL && i < info->n_files; i++)
    tsr_torrent_set_file_priority (torrent, i, (TsrPriority) MIN (priorities[i], TSR_PRIORITY_HIGH));
  tsr_library_entry_set_ask (ensure_entry (self, torrent), FALSE);
  tsr_torrent_set_stop_after_metadata (torrent, FALSE);
  if (start)
    start_or_queue (self, torrent);
  save_changed (self, torrent);
  return TRUE;
}

void
tsr_library_ask_after_metadata (TsrLibrary *self,
                                TsrTorrent *torrent)
{
  tsr_library_entry_set_ask (ensure_entry (self, torrent), TRUE);
  tsr_torrent_set_stop_after_metadata (torrent, TRUE);
  save_quietly (self);
}

gboolean
tsr_library_asks_after_metadata (TsrLibrary *self,
                                 TsrTorrent *torrent)
{
  TsrLibraryEntry *entry = lookup (self, torrent);

  return entry != NULL && tsr_library_entry_get_ask (entry);
}

TsrTorrent *
tsr_library_add_magnet (TsrLibrary  *self,
                        const char  *uri,
                        const char  *folder,
                        gboolean     paused,
                        GError     **error)
{
  g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (uri, error);
  TsrTorrent *torrent;

  if (magnet == NULL)
    return NULL;
  if (tsr_library_find (self, magnet->has_v1 ? magnet->info_hash_v1 : magnet->info_hash_v2) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("“%s” is already in the list"),
                   magnet->display_name != NULL ? magnet->display_name : uri);
      return NULL;
    }
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot create the folder “%s”: %s"),
                   folder, g_strerror (saved));
      return NULL;
    }
  torrent = set_up (self, tsr_session_add_magnet (self->session, magnet, folder), paused, NULL, NULL);
  save_quietly (self);
  return torrent;
}

/* The name in an error about @bytes: the file's, when they came from one. */
static TsrTorrent *
add_bytes (TsrLibrary   *self,
           GBytes       *bytes,
           const char   *name,
           const char   *folder,
           gboolean      paused,
           const guint8 *priorities,
           GError      **error)
{
  g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_bytes (bytes, error);
  g_autofree char *hash = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *file_name = NULL;
  TsrTorrent *torrent;

  if (info == NULL)
    {
      if (name != NULL)
        g_prefix_error (error, "%s: ", name);
      return NULL;
    }
  if (tsr_library_find (self, info->has_v1 ? info->info_hash : info->info_hash_v2) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("“%s” is already in the list"), info->display_name);
      return NULL;
    }
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot create a folder for “%s”: %s"),
                   info->display_name, g_strerror (saved));
      return NULL;
    }
  hash = tsr_library_entry_hash_of (info);
  file_name = g_strconcat (hash, ".torrent", NULL);
  copy = g_build_filename (self->torrents_folder, file_name, NULL);
  /* Written on the I/O pool, before the index that lists it. */
  tsr_library_store_keep_copy (self->store, copy, bytes);
  torrent = add_to_session (self, info, folder, TRUE, NULL, NULL, NULL);
  for (guint i = 0; priorities != NULL && i < info->n_files; i++)
    tsr_torrent_set_file_priority (torrent, i, (TsrPriority) MIN (priorities[i], TSR_PRIORITY_HIGH));
  if (!paused)
    tsr_torrent_start (torrent);
  save_changed (self, torrent);
  return torrent;
}

TsrTorrent *
tsr_library_add_file (TsrLibrary   *self,
                      const char   *path,
                      const char   *folder,
                      gboolean      paused,
                      const guint8 *priorities,
                      GError      **error)
{
  g_autoptr(GBytes) bytes = tsr_read_small_file (path, TSR_METAINFO_MAX_FILE_SIZE, error);
  g_autofree char *name = NULL;

  if (bytes == NULL)
    return NULL;
  name = g_filename_display_basename (path);
  return add_bytes (self, bytes, name, folder, paused, priorities, error);
}

TsrTorrent *
tsr_library_add_bytes (TsrLibrary   *self,
                       GBytes       *bytes,
                       const char   *folder,
                       gboolean      paused,
                       const guint8 *priorities,
                       GError      **error)
{
  return add_bytes (self, bytes, NULL, folder, paused, priorities, error);
}

/* What the index keeps beside the torrent, read back after set_up. */
static void
restore_entry (TsrLibraryEntry *entry,
               JsonObject      *entry_object)
{
  tsr_library_entry_restore_labels (entry, entry_object);
  tsr_library_entry_restore_options (entry, entry_object);
  tsr_library_entry_restore_trackers (entry, entry_object);
  tsr_library_entry_restore_web_seeds (entry, entry_object);
  tsr_library_entry_restore_added (entry, entry_object);
}

void
tsr_library_restore (TsrLibrary *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *list;
  guint i;

  if (!g_file_test (self->index_path, G_FILE_TEST_EXISTS))
    return;
  if (!json_parser_load_from_file (parser, self->index_path, &error))
    {
      g_warning ("Cannot read %s: %s", self->index_path, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "torrents") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "torrents")))
    {
      g_warning ("%s is not a list of torrents", self->index_path);
      return;
    }
  list = json_object_get_array_member (json_node_get_object (root), "torrents");
  self->restoring = TRUE;
  for (i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *hash = entry != NULL ? json_object_get_string_member_with_default (entry, "hash", NULL) : NULL;
      const char *folder = entry != NULL ? json_object_get_string_member_with_default (entry, "folder", NULL) : NULL;
      const char *magnet_uri = entry != NULL ? json_object_get_string_member_with_default (entry, "magnet", NULL)
                                             : NULL;
      g_autofree char *file_name = NULL;
      g_autofree char *path = NULL;
      g_autoptr(TsrMetainfo) info = NULL;
      g_autoptr(GError) load_error = NULL;
      TsrTorrent *torrent;

      /* A magnet still fetching when we quit: fetch again. */
      if (magnet_uri != NULL && folder != NULL)
        {
          g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (magnet_uri, &load_error);

          if (magnet == NULL)
            g_warning ("Cannot restore a magnet link: %s", load_error->message);
          else
            {
              torrent = tsr_session_add_magnet (self->session, magnet, folder);

              /* Files and folder still to be chosen once the metainfo comes. */
              if (json_object_get_boolean_member_with_default (entry, "ask", FALSE))
                {
                  tsr_library_entry_set_ask (ensure_entry (self, torrent), TRUE);
                  tsr_torrent_set_stop_after_metadata (torrent, TRUE);
                }
              set_up (self, torrent, json_object_get_boolean_member_with_default (entry, "paused", FALSE), NULL,
                      NULL);
              restore_entry (ensure_entry (self, torrent), entry);
            }
          continue;
        }
      /* The hash names a file: only hex digits, so no path can hide in it. */
      if (hash == NULL || folder == NULL || strspn (hash, "0123456789abcdef") != strlen (hash) ||
          (strlen (hash) != 40 && strlen (hash) != 64))
        {
          g_warning ("Entry %u of %s is malformed; left out", i, self->index_path);
          continue;
        }
      file_name = g_strconcat (hash, ".torrent", NULL);
      path = g_build_filename (self->torrents_folder, file_name, NULL);
      info = tsr_metainfo_new_from_file (path, &load_error);
      if (info == NULL)
        {
          g_warning ("Cannot restore a torrent: %s", load_error->message);
          continue;
        }
      torrent = add_to_session (self, info, folder,
                                json_object_get_boolean_member_with_default (entry, "paused", FALSE),
                                json_object_has_member (entry, "priorities") &&
                                JSON_NODE_HOLDS_ARRAY (json_object_get_member (entry, "priorities"))
                                ? json_object_get_array_member (entry, "priorities") : NULL,
                                json_object_has_member (entry, "limits") &&
                                JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "limits"))
                                ? json_object_get_object_member (entry, "limits") : NULL, entry);
      restore_entry (ensure_entry (self, torrent), entry);
    }
  self->restoring = FALSE;
}

void
tsr_library_start (TsrLibrary *self,
                   TsrTorrent *torrent)
{
  start_or_queue (self, torrent);
  save_changed (self, torrent);
}

void
tsr_library_stop (TsrLibrary *self,
                  TsrTorrent *torrent)
{
  tsr_torrent_stop (torrent);
  tsr_torrent_save_resume_soon (torrent);
  save_changed (self, torrent);
}

typedef struct
{
  TsrLibrary *library;   /* (owned) */
  char       *copy;      /* (owned) the torrent file's copy */
} RemoveData;

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RemoveData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!tsr_session_remove_torrent_finish (TSR_SESSION (source), result, &error))
    g_warning ("Removing a torrent: %s", error->message);
  g_unlink (data->copy);
  save_quietly (data->library);
  g_object_unref (data->library);
  g_free (data->copy);
  g_free (data);
}

void
tsr_library_remove (TsrLibrary *self,
                    TsrTorrent *torrent,
                    gboolean    delete_data)
{
  RemoveData *data = g_new0 (RemoveData, 1);
  g_autofree char *hash = tsr_library_entry_dup_hash (torrent);
  g_autofree char *file_name = g_strconcat (hash, ".torrent", NULL);

  data->library = g_object_ref (self);
  data->copy = g_build_filename (self->torrents_folder, file_name, NULL);
  g_signal_handlers_disconnect_by_data (torrent, self);
  g_hash_table_remove (self->entries, torrent);
  tsr_session_remove_torrent_async (self->session, torrent, delete_data, NULL, on_removed, data);
  /* The list no longer holds it: the index can say so at once. */
  save_quietly (self);
}

static gboolean
on_wait_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
tsr_library_shutdown (TsrLibrary *self)
{
  GListModel *torrents = tsr_library_get_torrents (self);
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint tick;
  gboolean pending = TRUE;
  guint i;

  /* The index first: which torrents ran is what the next start needs. */
  tsr_library_store_flush (self->store);
  self->restoring = TRUE;
  tsr_library_store_set_paused (self->store, TRUE);
  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      TsrTorrent *torrent = g_list_model_get_item (torrents, i);

      g_signal_handlers_disconnect_by_data (torrent, self);
      tsr_torrent_stop (torrent);
      g_ptr_array_add (running, torrent);
    }
  tick = g_timeout_add (100, on_wait_tick, NULL);
  while (pending && g_get_monotonic_time () < deadline)
    {
      /* The router forgets our port mapping too (UPnP's removal is a request). */
      pending = tsr_library_store_is_busy (self->store) || tsr_session_unmap_port (self->session);
      for (i = 0; i < running->len; i++)
        if (tsr_torrent_get_pending_writes (g_ptr_array_index (running, i)) > 0 ||
            tsr_torrent_is_announcing (g_ptr_array_index (running, i)))
          pending = TRUE;
      if (pending)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  for (i = 0; i < running->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!tsr_torrent_save_resume (g_ptr_array_index (running, i), &error))
        g_warning ("Cannot save resume data: %s", error->message);
    }
}

void
tsr_library_save_soon (TsrLibrary *self)
{
  GHashTableIter iter;
  gpointer entry;

  /* Whatever changed, the library was not told which: every entry is
   * made again (tsr_library_torrent_changed says which). */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    tsr_library_entry_changed (entry);
  save_quietly (self);
}

void
tsr_library_torrent_changed (TsrLibrary *self,
                             TsrTorrent *torrent)
{
  save_changed (self, torrent);
}
