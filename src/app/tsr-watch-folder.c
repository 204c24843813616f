/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-watch-folder.c: the watch folder (see the .h). Each .torrent file
 * the monitor or the scan names becomes a pending entry; a timer, running
 * while any is pending, looks at their size and modification time (on
 * GIO's worker threads) and adds a file once both are as they were at the
 * previous look. Files that failed are remembered with that size and
 * time, so that one broken file is reported once and not tried again
 * until it changes (a copy being written, or the user fixing it): it is
 * not renamed, as a writer may still hold it open.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-watch-folder.h"

#define ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                   G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED "," \
                   G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC

typedef struct
{
  char    *version;     /* (owned) (nullable) "size:mtime" at the last look */
  gboolean looking;     /* a look is on its way */
  gboolean changed;     /* the monitor saw a change since the last look */
} Pending;

struct _TsrWatchFolder
{
  GObject                parent_instance;
  TsrWatchFolderAddFunc  add;
  gpointer               add_data;
  TsrWatchFolderAfter    after;
  guint                  settle_ms;
  GFile                 *folder;        /* (owned) (nullable) */
  GFileMonitor          *monitor;       /* (owned) (nullable) */
  GCancellable          *cancellable;   /* (owned) this folder's scan and looks */
  GHashTable            *pending;       /* (owned) path → Pending */
  GHashTable            *done;          /* (owned) path → version failed or already handled */
  guint                  timer;
};

G_DEFINE_FINAL_TYPE (TsrWatchFolder, tsr_watch_folder, G_TYPE_OBJECT)

enum
{
  SIGNAL_ADDED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pending_free (Pending *pending)
{
  g_free (pending->version);
  g_free (pending);
}

static gboolean
is_torrent_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".torrent") && name[0] != '.';
}

static gboolean on_timer (gpointer user_data);

static void
consider (TsrWatchFolder *self,
          GFile          *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *path = g_file_get_path (file);
  Pending *pending;

  if (name == NULL || path == NULL || !is_torrent_name (name))
    return;
  pending = g_hash_table_lookup (self->pending, path);
  if (pending == NULL)
    {
      pending = g_new0 (Pending, 1);
      g_hash_table_insert (self->pending, g_steal_pointer (&path), pending);
    }
  pending->changed = TRUE;
  if (self->timer == 0)
    self->timer = g_timeout_add (self->settle_ms, on_timer, self);
}

static void
forget (TsrWatchFolder *self,
        GFile          *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    return;
  g_hash_table_remove (self->pending, path);
  g_hash_table_remove (self->done, path);
}

/* ------------------------------------------------------------------ */
/* Adding a settled file                                               */

static void
report (TsrWatchFolder *self,
        const char     *path,
        const GError   *error)
{
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, path, error);
}

/* Added, but the file stays: remembered (in done) so it is not added
 * again, and said once. */
static void
after_failed (TsrWatchFolder *self,
              GFile          *file,
              const GError   *error)
{
  g_autofree char *path = g_file_get_path (file);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report (self, path, error);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrWatchFolder) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error))
    after_failed (self, G_FILE (source), error);
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrWatchFolder) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    after_failed (self, G_FILE (source), error);
}

static void
add_settled (TsrWatchFolder *self,
             const char     *path,
             const char     *version)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (self->done, g_strdup (path), g_strdup (version));
  if (!self->add (path, self->add_data, &error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      report (self, path, error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_ADDED], 0, path);
  if (self->after == TSR_WATCH_FOLDER_DELETE)
    g_file_delete_async (file, G_PRIORITY_DEFAULT, self->cancellable, on_deleted, g_object_ref (self));
  else
    {
      g_autofree char *added = g_strconcat (path, ".added", NULL);
      g_autoptr(GFile) target = g_file_new_for_path (added);

      /* An older NAME.torrent.added is the same name added before. */
      g_file_move_async (file, target, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                         self->cancellable, NULL, NULL, on_renamed, g_object_ref (self));
    }
}

static void
on_looked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TsrWatchFolder) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autofree char *path = g_file_get_path (G_FILE (source));
  g_autofree char *version = NULL;
  Pending *pending;

  /* Cancelled: the folder changed, and this path is not ours any more. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (pending = g_hash_table_lookup (self->pending, path)) == NULL)
    return;
  pending->looking = FALSE;
  /* Gone, or not a file: nothing to add. */
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_hash_table_remove (self->pending, path);
      return;
    }
  version = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT ".%06u", g_file_info_get_size (info),
                             g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                             g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC));
  /* Reported or handled as it is now: left alone. */
  if (g_strcmp0 (g_hash_table_lookup (self->done, path), version) == 0)
    {
      g_hash_table_remove (self->pending, path);
      return;
    }
  /* Still changing (or empty, as a file just created is): look again. */
  if (pending->changed || g_strcmp0 (pending->version, version) != 0 || g_file_info_get_size (info) == 0)
    {
      g_free (pending->version);
      pending->version = g_steal_pointer (&version);
      pending->changed = FALSE;
      return;
    }
  g_hash_table_remove (self->pending, path);
  add_settled (self, path, version);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrWatchFolder *self = user_data;
  GHashTableIter iter;
  const char *path;
  Pending *pending;

  if (g_hash_table_size (self->pending) == 0)
    {
      self->timer = 0;
      return G_SOURCE_REMOVE;
    }
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, (gpointer *) &pending))
    if (!pending->looking)
      {
        g_autoptr(GFile) file = g_file_new_for_path (path);

        pending->looking = TRUE;
        /* A change seen from now on counts for the next look. */
        pending->changed = FALSE;
        g_file_query_info_async (file, ATTRIBUTES, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                                 self->cancellable, on_looked, g_object_ref (self));
      }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* The monitor and the scan                                            */

static void
on_folder_changed (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other_file,
                   GFileMonitorEvent  event,
                   TsrWatchFolder    *self)
{
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      consider (self, file);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      /* NAME.torrent.part renamed NAME.torrent, as browsers do. */
      forget (self, file);
      if (other_file != NULL)
        consider (self, other_file);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      forget (self, file);
      break;
    default:
      break;
    }
}

static void on_next_files (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

static void
on_enumerated (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TsrWatchFolder) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children_finish (G_FILE (source), result, &error);

  if (children == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *path = g_file_get_path (G_FILE (source));

          report (self, path, error);
        }
      return;
    }
  g_file_enumerator_next_files_async (children, 64, G_PRIORITY_DEFAULT, self->cancellable, on_next_files,
                                      g_object_ref (self));
}

static void
on_next_files (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TsrWatchFolder) self = user_data;
  GFileEnumerator *children = G_FILE_ENUMERATOR (source);
  GList *infos = g_file_enumerator_next_files_finish (children, result, NULL);
  GList *l;

  /* The end, an error, or cancelled by a new folder. */
  if (infos == NULL || self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_list_free_full (infos, g_object_unref);
      return;
    }
  for (l = infos; l != NULL; l = l->next)
    if (g_file_info_get_file_type (l->data) == G_FILE_TYPE_REGULAR)
      {
        g_autoptr(GFile) file = g_file_enumerator_get_child (children, l->data);

        consider (self, file);
      }
  g_list_free_full (infos, g_object_unref);
  g_file_enumerator_next_files_async (children, 64, G_PRIORITY_DEFAULT, self->cancellable, on_next_files,
                                      g_object_ref (self));
}

static void
stop (TsrWatchFolder *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);
  g_clear_object (&self->folder);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_hash_table_remove_all (self->pending);
  g_hash_table_remove_all (self->done);
}

void
tsr_watch_folder_set_folder (TsrWatchFolder *self,
                             const char     *folder)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TSR_IS_WATCH_FOLDER (self));
  stop (self);
  if (folder == NULL || folder[0] == '\0')
    return;
  self->folder = g_file_new_for_path (folder);
  self->cancellable = g_cancellable_new ();
  self->monitor = g_file_monitor_directory (self->folder, G_FILE_MONITOR_WATCH_MOVES, self->cancellable, &error);
  if (self->monitor == NULL)
    report (self, folder, error);
  else
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_folder_changed), self);
  /* What is there already. */
  g_file_enumerate_children_async (self->folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT, self->cancellable,
                                   on_enumerated, g_object_ref (self));
}

void
tsr_watch_folder_set_after (TsrWatchFolder      *self,
                            TsrWatchFolderAfter  after)
{
  g_return_if_fail (TSR_IS_WATCH_FOLDER (self));
  self->after = after;
}

void
tsr_watch_folder_set_settle_time (TsrWatchFolder *self,
                                  guint           milliseconds)
{
  g_return_if_fail (TSR_IS_WATCH_FOLDER (self));
  self->settle_ms = MAX (milliseconds, 10);
}

static void
tsr_watch_folder_dispose (GObject *object)
{
  stop (TSR_WATCH_FOLDER (object));
  G_OBJECT_CLASS (tsr_watch_folder_parent_class)->dispose (object);
}

static void
tsr_watch_folder_finalize (GObject *object)
{
  TsrWatchFolder *self = TSR_WATCH_FOLDER (object);

  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->done);
  G_OBJECT_CLASS (tsr_watch_folder_parent_class)->finalize (object);
}

static void
tsr_watch_folder_class_init (TsrWatchFolderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_watch_folder_dispose;
  object_class->finalize = tsr_watch_folder_finalize;
  signals[SIGNAL_ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
tsr_watch_folder_init (TsrWatchFolder *self)
{
  self->settle_ms = 1000;
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pending_free);
  self->done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

TsrWatchFolder *
tsr_watch_folder_new (TsrWatchFolderAddFunc add,
                      gpointer              user_data)
{
  TsrWatchFolder *self = g_object_new (TSR_TYPE_WATCH_FOLDER, NULL);

  self->add = add;
  self->add_data = user_data;
  return self;
}
