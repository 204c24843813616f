/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage-files.c: a torrent's files as whole files: deleting them,
 * and moving them to another folder (a rename, or a copy that keeps the
 * times and then a delete across file systems), each time removing the
 * torrent's folders left empty, and renaming one of them or one of its
 * folders in place. Blocking, for a worker thread. Every
 * path is reached beneath its root without following a symlink, as
 * TsrStorage opens them; its idle descriptors are closed first.
 */
#define _GNU_SOURCE   /* renameat2 */
#define G_LOG_DOMAIN "tsr-storage"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>   /* renameat, renameat2 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsr-path.h"
#include "tsr-storage-files.h"
#include "tsr-storage-private.h"

/* Deleting -------------------------------------------------------- */

static gint
compare_depth (gconstpointer a,
               gconstpointer b)
{
  const char *x = *(const char *const *) a;
  const char *y = *(const char *const *) b;
  guint depth_x = 0, depth_y = 0;

  for (; *x != '\0'; x++)
    depth_x += *x == '/';
  for (; *y != '\0'; y++)
    depth_y += *y == '/';
  return depth_x == depth_y ? 0 : depth_x > depth_y ? -1 : 1;
}

static void remove_empty_folders (const char *root, GPtrArray *paths);

gboolean
tsr_storage_delete_files (TsrStorage  *self,
                          GError     **error)
{
  TsrMetainfo *info = tsr_storage_get_metainfo (self);
  const char *folder = tsr_storage_get_folder (self);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GError *first_error = NULL;
  guint i;

  tsr_storage_close_idle_files (self);

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_autofree char *name = NULL;
      int dir;

      if ((file->attr & TSR_FILE_ATTR_PAD) || !tsr_path_is_inside (folder, file->path))
        continue;
      g_ptr_array_add (paths, g_strdup (file->path));
      dir = _tsr_storage_open_parent_beneath (folder, file->path, FALSE, &name);
      if (dir < 0)
        {
          int saved = errno;

          /* Never created, or behind a symlink we will not follow. */
          if (saved != ENOENT && saved != ELOOP && saved != ENOTDIR && first_error == NULL)
            g_set_error (&first_error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot delete “%s”: %s"),
                         file->path, g_strerror (saved));
          continue;
        }
      if (unlinkat (dir, name, 0) != 0 && errno != ENOENT && first_error == NULL)
        {
          int saved = errno;

          g_set_error (&first_error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot delete “%s”: %s"),
                       file->path, g_strerror (saved));
        }
      close (dir);
    }

  /* The torrent's folders, deepest first, where nothing else is left. */
  remove_empty_folders (folder, paths);
  if (first_error != NULL)
    {
      g_propagate_error (error, first_error);
      return FALSE;
    }
  return TRUE;
}

/* Moving ---------------------------------------------------------- */

/* Copies @from (an open file) into a new file @to, keeping its times:
 * the resume record compares them. */
static gboolean
copy_file (int          from,
           int          to_dir,
           const char  *to_name,
           const char  *to,
           GError     **error)
{
  struct stat info;
  g_autofree guint8 *buffer = g_malloc (1 << 20);
  int out;

  if (fstat (from, &info) != 0 ||
      (out = openat (to_dir, to_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
    {
      int saved = errno;

      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot copy to “%s”: %s"), to,
                   g_strerror (saved));
      return FALSE;
    }
  for (;;)
    {
      ssize_t n = read (from, buffer, 1 << 20);
      ssize_t done = 0;

      if (n == 0)
        break;
      while (n > 0 && done < n)
        {
          ssize_t w = write (out, buffer + done, (size_t) (n - done));

          if (w < 0)
            {
              n = -1;
              break;
            }
          done += w;
        }
      if (n < 0)
        {
          int saved = errno;

          close (out);
          (void) unlinkat (to_dir, to_name, 0);
          g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot copy to “%s”: %s"), to,
                       g_strerror (saved));
          return FALSE;
        }
    }
  {
    struct timespec times[2] = { info.st_atim, info.st_mtim };

    (void) futimens (out, times);
  }
  if (fsync (out) != 0 || close (out) != 0)
    {
      int saved = errno;

      (void) unlinkat (to_dir, to_name, 0);
      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot copy to “%s”: %s"), to,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Moves @path from under @from_root to under @to_root: a rename, or a
 * copy and delete across file systems. FALSE with @error set on failure;
 * TRUE with *@moved FALSE when there was nothing to move. The source is
 * reached without following symlinks, as for deleting. */
static gboolean
move_one (const char  *from_root,
          const char  *to_root,
          const char  *path,
          gboolean    *moved,
          GError     **error)
{
  g_autofree char *to = g_build_filename (to_root, path, NULL);
  g_autofree char *name = NULL;
  g_autofree char *to_name = NULL;
  int dir;
  int to_dir;
  int from;

  *moved = FALSE;
  dir = _tsr_storage_open_parent_beneath (from_root, path, FALSE, &name);
  if (dir < 0)
    return TRUE;      /* never written: nothing to move */
  /* The destination is reached like the source: no link is followed. */
  to_dir = _tsr_storage_open_parent_beneath (to_root, path, TRUE, &to_name);
  if (to_dir < 0)
    {
      int saved = errno;

      close (dir);
      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot create the folder of “%s”: %s"),
                   to, g_strerror (saved));
      return FALSE;
    }
  if (renameat (dir, name, to_dir, to_name) == 0)
    {
      close (to_dir);
      close (dir);
      *moved = TRUE;
      return TRUE;
    }
  if (errno == ENOENT)
    {
      close (to_dir);
      close (dir);
      return TRUE;
    }
  if (errno != EXDEV)
    {
      int saved = errno;

      close (to_dir);
      close (dir);
      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot move “%s” to “%s”: %s"), path, to,
                   g_strerror (saved));
      return FALSE;
    }
  /* Another file system: copy, then delete the original. */
  from = openat (dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0)
    {
      int saved = errno;

      close (to_dir);
      close (dir);
      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot read “%s”: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  if (!copy_file (from, to_dir, to_name, to, error))
    {
      close (from);
      close (to_dir);
      close (dir);
      return FALSE;
    }
  close (from);
  close (to_dir);
  (void) unlinkat (dir, name, 0);
  close (dir);
  *moved = TRUE;
  return TRUE;
}

/* Removes the folders of @paths under @root that are left empty. */
static void
remove_empty_folders (const char *root,
                      GPtrArray  *paths)
{
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) deepest_first = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  guint i;

  for (i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      const char *slash;

      for (slash = strrchr (path, '/'); slash != NULL; slash = g_strrstr_len (path, slash - path, "/"))
        g_hash_table_add (folders, g_strndup (path, (gsize) (slash - path)));
    }
  g_hash_table_iter_init (&iter, folders);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (deepest_first, g_strdup (key));
  g_ptr_array_sort (deepest_first, compare_depth);
  for (i = 0; i < deepest_first->len; i++)
    {
      g_autofree char *name = NULL;
      int dir = _tsr_storage_open_parent_beneath (root, g_ptr_array_index (deepest_first, i), FALSE, &name);

      if (dir >= 0)
        {
          (void) unlinkat (dir, name, AT_REMOVEDIR);
          close (dir);
        }
    }
}

gboolean
tsr_storage_move_files (TsrStorage  *self,
                        const char  *destination,
                        GError     **error)
{
  TsrMetainfo *info = tsr_storage_get_metainfo (self);
  const char *folder = tsr_storage_get_folder (self);
  g_autofree char *target = g_canonicalize_filename (destination, NULL);
  g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func (g_free);
  guint i;

  if (g_str_equal (target, folder))
    return TRUE;
  tsr_storage_close_idle_files (self);

  /* First make sure nothing would be overwritten: then move. */
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_autofree char *to = g_build_filename (target, file->path, NULL);

      if ((file->attr & TSR_FILE_ATTR_PAD) || !tsr_path_is_inside (target, file->path))
        continue;
      if (g_file_test (to, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        {
          g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                       _("Cannot move the data: “%s” is already there"), to);
          return FALSE;
        }
    }
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      gboolean done = FALSE;

      if ((file->attr & TSR_FILE_ATTR_PAD) || !tsr_path_is_inside (folder, file->path))
        continue;
      if (!move_one (folder, target, file->path, &done, error))
        {
          guint j;

          /* Put back what went: the torrent stays whole where it was. */
          for (j = 0; j < moved->len; j++)
            {
              gboolean back = FALSE;

              if (!move_one (target, folder, g_ptr_array_index (moved, j), &back, NULL))
                g_warning ("Cannot move “%s” back into “%s”", (char *) g_ptr_array_index (moved, j), folder);
            }
          remove_empty_folders (target, moved);
          return FALSE;
        }
      if (done)
        g_ptr_array_add (moved, g_strdup (file->path));
    }
  remove_empty_folders (folder, moved);
  /* From here on the storage works there. */
  _tsr_storage_set_folder (self, g_steal_pointer (&target));
  return TRUE;
}

/* Renaming -------------------------------------------------------- */

gboolean
tsr_storage_rename_path (TsrStorage  *self,
                         const char  *path,
                         const char  *new_name,
                         GError     **error)
{
  const char *folder = tsr_storage_get_folder (self);
  g_autofree char *name = NULL;
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *target = g_strcmp0 (parent, ".") == 0 ? g_strdup (new_name)
                                                         : g_build_filename (parent, new_name, NULL);
  int dir;
  int saved;

  g_return_val_if_fail (strchr (new_name, '/') == NULL, FALSE);
  if (!tsr_path_is_inside (folder, path) || !tsr_path_is_inside (folder, target))
    {
      g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                   _("Refusing to touch “%s”: it is outside the download folder"), path);
      return FALSE;
    }
  tsr_storage_close_idle_files (self);
  dir = _tsr_storage_open_parent_beneath (folder, path, FALSE, &name);
  if (dir < 0)
    {
      saved = errno;
      /* Never written: it will be, under the new name. */
      if (saved == ENOENT)
        return TRUE;
      g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot rename “%s”: %s"), path,
                   saved == ELOOP || saved == ENOTDIR ? _("a symbolic link or a file is in its way")
                                                      : g_strerror (saved));
      return FALSE;
    }
  /* Never over something already there: a file the torrent does not
   * name keeps its data. A file system without RENAME_NOREPLACE (EINVAL)
   * gets a look first instead. */
  saved = renameat2 (dir, name, dir, new_name, RENAME_NOREPLACE) == 0 ? 0 : errno;
  if (saved == EINVAL)
    {
      struct stat there;

      if (fstatat (dir, new_name, &there, AT_SYMLINK_NOFOLLOW) == 0)
        saved = EEXIST;
      else
        saved = renameat (dir, name, dir, new_name) == 0 ? 0 : errno;
    }
  if (saved != 0 && saved != ENOENT)
    {
      close (dir);
      if (saved == EEXIST)
        g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                     _("Cannot rename “%s”: “%s” is already there"), path, target);
      else
        g_set_error (error, TSR_STORAGE_ERROR, _tsr_storage_error_code (saved), _("Cannot rename “%s”: %s"), path,
                     g_strerror (saved));
      return FALSE;
    }
  close (dir);
  return TRUE;
}
