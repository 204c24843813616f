/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-rename.c: renaming a torrent's file or folder, as
 * Transmission's torrent-rename-path does. The new paths are worked out
 * and checked on the main thread, against the paths the files have now;
 * what is on disk is renamed on a worker behind the disk queue (pieces
 * on their way land under the old name first and move with it); then the
 * torrent's disk part takes the new paths, from which its storage, its
 * check and its resume record work. The names themselves are kept by
 * whoever keeps the torrent (the library) and given back with
 * tsr_torrent_set_file_paths. It sees the torrent only through
 * tsr-torrent-parts-private.h.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-data-jobs.h"
#include "tsr-path.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-torrent-signals.h"
#include "tsr-torrent.h"

/* Whether @name can be one component of a path here: the same rule as
 * for the names a torrent brings (tsr-path.h), refused rather than
 * changed. */
static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The new name is empty"));
      return FALSE;
    }
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” cannot be a name"), name);
      return FALSE;
    }
  if (strchr (name, '/') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A name cannot contain “/”: rename one file or folder at a time"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || !tsr_path_component_is_safe (name))
    {
      g_autofree char *shown = g_utf8_make_valid (name, -1);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot be a file name here: it has a character or a form that is not allowed"), shown);
      return FALSE;
    }
  return TRUE;
}

/* Whether @path is @prefix or lies under it. */
static gboolean
is_under (const char *path,
          const char *prefix,
          gsize       prefix_length)
{
  return strncmp (path, prefix, prefix_length) == 0 && (path[prefix_length] == '\0' || path[prefix_length] == '/');
}

/* The paths every file has after @path becomes @new_name (NULL where
 * nothing changes, so not a GStrv), or NULL with @error set. *@target:
 * @path's new path. */
static GPtrArray *
plan_rename (TsrTorrentDisk  *disk,
             guint            n_files,
             const char      *path,
             const char      *new_name,
             char           **target,
             GError         **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_full (n_files, g_free);
  const char *slash;
  gsize length;
  gboolean found = FALSE;
  g_autofree char *to = NULL;
  gsize to_length;
  guint i;

  if (!check_name (new_name, error))
    return NULL;
  length = path != NULL ? strlen (path) : 0;
  for (i = 0; length > 0 && i < n_files && !found; i++)
    found = is_under (tsr_torrent_disk_get_path (disk, i), path, length);
  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The torrent has no file or folder “%s”"),
                   path != NULL ? path : "");
      return NULL;
    }
  slash = strrchr (path, '/');
  to = slash != NULL ? g_strdup_printf ("%.*s/%s", (int) (slash - path), path, new_name) : g_strdup (new_name);
  to_length = strlen (to);
  g_ptr_array_set_size (paths, n_files);
  if (strcmp (to, path) != 0)
    {
      for (i = 0; i < n_files; i++)
        if (is_under (tsr_torrent_disk_get_path (disk, i), to, to_length))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Cannot rename “%s”: the torrent already has “%s”"),
                         path, to);
            return NULL;
          }
      for (i = 0; i < n_files; i++)
        {
          const char *now = tsr_torrent_disk_get_path (disk, i);

          if (is_under (now, path, length))
            g_ptr_array_index (paths, i) = g_strconcat (to, now + length, NULL);
        }
    }
  *target = g_steal_pointer (&to);
  return g_steal_pointer (&paths);
}

/* Every file's path after the rename: the new ones, else as they are. */
static void
apply_paths (TsrTorrent *self,
             GPtrArray  *renamed)
{
  TsrTorrentDisk *disk = _tsr_torrent_get_disk (self);
  guint n_files = tsr_torrent_get_metainfo (self)->n_files;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_full (n_files + 1, NULL);
  g_autofree char *name = g_strdup (tsr_torrent_get_name (self));
  guint i;

  for (i = 0; i < n_files; i++)
    {
      char *path = g_ptr_array_index (renamed, i);

      g_ptr_array_add (paths, path != NULL ? path : (char *) tsr_torrent_disk_get_path (disk, i));
    }
  g_ptr_array_add (paths, NULL);
  tsr_torrent_disk_set_paths (disk, (const char * const *) paths->pdata);
  /* Its top folder, or its one file: the torrent is called that now. */
  if (g_strcmp0 (name, tsr_torrent_get_name (self)) != 0)
    g_object_notify (G_OBJECT (self), "name");
}

typedef struct
{
  char      *path;       /* (owned) */
  char      *new_name;   /* (owned) */
  GPtrArray *paths;      /* (owned) one per file, NULL where unchanged */
  gboolean   was_running;
} RenameData;

static void
rename_data_free (RenameData *data)
{
  g_free (data->path);
  g_free (data->new_name);
  g_ptr_array_unref (data->paths);
  g_free (data);
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TsrTorrent *self = g_task_get_source_object (task);
  RenameData *data = g_task_get_task_data (task);
  GError *error = NULL;

  _tsr_torrent_set_renaming (self, FALSE);
  if (tsr_data_rename_finish (result, &error))
    {
      apply_paths (self, data->paths);
      tsr_resume_store_changed_now (tsr_torrent_disk_get_resume (_tsr_torrent_get_disk (self)));
    }
  if (data->was_running)
    tsr_torrent_start (self);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  tsr_torrent_signals_file_renamed (self, data->path, data->new_name);
  g_task_return_boolean (task, TRUE);
}

void
tsr_torrent_rename_path_async (TsrTorrent          *self,
                               const char          *path,
                               const char          *new_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TsrTorrentDisk *disk = _tsr_torrent_get_disk (self);
  TsrTorrentState state = tsr_torrent_get_state (self);
  g_autofree char *target = NULL;
  GError *error = NULL;
  RenameData *data;
  GPtrArray *paths;

  g_task_set_source_tag (task, tsr_torrent_rename_path_async);
  if (!tsr_torrent_has_metainfo (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "%s", _("The torrent’s files are not known yet"));
      return;
    }
  /* One at a time: the next is planned against the paths this one makes
   * (the remote-control protocol may ask for two at once). */
  if (_tsr_torrent_get_renaming (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "%s", _("Another file of this torrent is being renamed; try again when it is done"));
      return;
    }
  paths = plan_rename (disk, tsr_torrent_get_metainfo (self)->n_files, path, new_name, &target, &error);
  if (paths == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (RenameData, 1);
  data->path = g_strdup (path);
  data->new_name = g_strdup (new_name);
  data->paths = paths;
  g_task_set_task_data (task, data, (GDestroyNotify) rename_data_free);
  if (g_str_equal (target, path))
    {
      g_task_return_boolean (task, TRUE);   /* the name it has: nothing to do */
      return;
    }
  data->was_running = state != TSR_TORRENT_STOPPED && state != TSR_TORRENT_ERROR;
  /* Stopped, so that nothing reads or writes through the old names; a
   * piece on its way lands first (the fence), then moves with its file. */
  tsr_torrent_stop (self);
  _tsr_torrent_set_renaming (self, TRUE);
  tsr_data_rename_async (tsr_torrent_disk_get_queue (disk), tsr_torrent_disk_get_storage (disk), path, new_name,
                         NULL, on_renamed, g_steal_pointer (&task));
}

gboolean
tsr_torrent_rename_path_finish (TsrTorrent    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
tsr_torrent_get_file_path (TsrTorrent *self,
                           guint       index)
{
  g_return_val_if_fail (tsr_torrent_has_metainfo (self), NULL);
  return tsr_torrent_disk_get_path (_tsr_torrent_get_disk (self), index);
}

/* Whether @path, kept for file @index, is a rename the torrent could
 * have made: as many safe components as its own path. */
static gboolean
check_kept_path (const TsrFile *file,
                 const char    *path,
                 GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint depth = 1;
  const char *c;
  guint i;

  for (c = file->path; *c != '\0'; c++)
    depth += *c == '/';
  for (i = 0; parts[i] != NULL; i++)
    if (!check_name (parts[i], NULL))
      break;
  if (parts[i] != NULL || i != depth)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” cannot be the new path of “%s”"), path,
                   file->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
tsr_torrent_set_file_paths (TsrTorrent          *self,
                            const char * const  *paths,
                            GError             **error)
{
  TsrMetainfo *info;
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint i;

  g_return_val_if_fail (tsr_torrent_has_metainfo (self) && paths != NULL, FALSE);
  if (tsr_torrent_get_state (self) != TSR_TORRENT_STOPPED && tsr_torrent_get_state (self) != TSR_TORRENT_QUEUED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                   _("The paths of a running torrent are changed by renaming its files"));
      return FALSE;
    }
  info = tsr_torrent_get_metainfo (self);
  for (i = 0; i < info->n_files; i++)
    {
      const char *path = paths[i] != NULL ? paths[i] : info->files[i].path;
      g_autofree char *parent = g_strdup (path);
      char *slash;

      if (paths[i] != NULL && !check_kept_path (&info->files[i], path, error))
        return FALSE;
      /* No two files on one path, no file where another needs a folder. */
      if (g_hash_table_contains (files, path) || g_hash_table_contains (folders, path))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Two files of the torrent would be “%s”"), path);
          return FALSE;
        }
      g_hash_table_add (files, (gpointer) path);
      while ((slash = strrchr (parent, '/')) != NULL)
        {
          *slash = '\0';
          if (g_hash_table_contains (files, parent))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Two files of the torrent would be “%s”"), parent);
              return FALSE;
            }
          g_hash_table_add (folders, g_strdup (parent));
        }
    }
  tsr_torrent_disk_set_paths (_tsr_torrent_get_disk (self), paths);
  return TRUE;
}
