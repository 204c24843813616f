/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo-paths.c: where a torrent's files land. Every component a
 * torrent names goes through the sanitizer, so that no file can land
 * outside the download folder, and a display path keeps the names as the
 * torrent gives them. Files that land on one path are renamed the way
 * libtorrent does it, and no file may sit where another needs a folder.
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-metainfo-private.h"
#include "tsr-path.h"
#include "tsr-util.h"

/* Turns raw components (file @index's path, or @components) into a safe
 * relative path and a display path. Components that sanitize to nothing
 * ("", ".", "..") are dropped. */
gboolean
_tsr_metainfo_build_paths (const TsrRawFiles *files,
                           guint              index,
                           GPtrArray         *components,
                           const char        *top,
                           const char        *display_top,
                           char             **path_out,
                           char             **display_out,
                           GError           **error)
{
  g_autoptr(GString) path = g_string_new (top);
  g_autoptr(GString) display = g_string_new (display_top);
  TsrRawPath view;
  guint n;
  gboolean any = FALSE;
  guint i;

  n = components != NULL ? components->len : tsr_raw_files_read_path (files, index, &view);
  for (i = 0; i < n; i++)
    {
      gsize length = 0;
      const char *data = components != NULL ? g_bytes_get_data (g_ptr_array_index (components, i), &length)
                                             : tsr_raw_path_get_component (&view, i, &length);
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
gboolean
_tsr_metainfo_check_collisions (TsrMetainfo  *self,
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

          _tsr_metainfo_add_note (self,
                                  g_strdup_printf (_("File %u “%s” is saved as “%s”: an earlier file has its path"),
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
