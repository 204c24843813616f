/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-creator.c: scans a file or a folder, lays its files out for v1, v2
 * or hybrid torrents, hands the hashing to a TsrHashJob and encodes the
 * result.
 *
 * Output is deterministic: files are sorted bytewise (v1: by the whole
 * path, as mktorrent does, so that v1 info hashes match; v2 and hybrid: by
 * path components, the order of the BEP 52 file tree), and nothing but the
 * caller's options (date, creator) varies between runs.
 */
#define G_LOG_DOMAIN "tsr-creator"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tsr-bencode.h"
#include "tsr-creator.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-creator-error-quark, tsr_creator_error)

#define MAX_SCAN_DEPTH 256

typedef struct
{
  char    *relative;      /* '/'-separated, below the scanned folder */
  char    *absolute;
  GStrv    components;
  guint64  size;
  gint64   mtime;
  guint64  offset;        /* in the stream, set by prepare_job */
  guint    job_index;
} CreatorFile;

struct _TsrCreator
{
  char            *root;           /* absolute, resolved */
  char            *name;
  gboolean         single_file;
  TsrCreateFormat  format;
  GPtrArray       *files;          /* (element-type CreatorFile) */
  guint64          total_size;
  TsrHashJob      *job;
  guint64          piece_length;
  GArray          *pads;           /* hybrid: pad length after file i (0: none) */
};

static void
creator_file_free (gpointer data)
{
  CreatorFile *file = data;

  g_free (file->relative);
  g_free (file->absolute);
  g_strfreev (file->components);
  g_free (file);
}

void
tsr_creator_free (TsrCreator *self)
{
  if (self == NULL)
    return;
  g_free (self->root);
  g_free (self->name);
  g_ptr_array_unref (self->files);
  g_clear_pointer (&self->job, tsr_hash_job_free);
  g_clear_pointer (&self->pads, g_array_unref);
  g_free (self);
}

static gboolean
is_excluded (const char * const *exclude,
             const char         *relative,
             const char         *basename)
{
  guint i;

  for (i = 0; exclude != NULL && exclude[i] != NULL; i++)
    if (g_pattern_match_simple (exclude[i], relative) || g_pattern_match_simple (exclude[i], basename))
      return TRUE;
  return FALSE;
}

/* TRUE when @target is @root or below it. */
static gboolean
path_is_below (const char *root,
               const char *target)
{
  gsize length = strlen (root);

  return strncmp (root, target, length) == 0 && (target[length] == '/' || target[length] == '\0');
}

static void
add_file (TsrCreator   *self,
          const char   *absolute,
          const char   *relative,
          struct stat  *st)
{
  CreatorFile *file = g_new0 (CreatorFile, 1);

  file->absolute = g_strdup (absolute);
  file->relative = g_strdup (relative);
  file->components = g_strsplit (relative, "/", -1);
  file->size = (guint64) st->st_size;
  file->mtime = (gint64) st->st_mtime;
  g_ptr_array_add (self->files, file);
}

static gboolean
scan_folder (TsrCreator         *self,
             const char         *absolute,
             const char         *relative,
             const char * const *exclude,
             guint               depth,
             GError            **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  if (depth > MAX_SCAN_DEPTH)
    {
      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN,
                   _("Folders are nested too deeply at “%s”"), absolute);
      return FALSE;
    }
  dir = g_dir_open (absolute, 0, &local);
  if (dir == NULL)
    {
      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN, "%s", local->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (absolute, name, NULL);
      g_autofree char *child_relative = relative[0] != '\0' ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      struct stat st;

      if (is_excluded (exclude, child_relative, name))
        continue;
      if (g_lstat (child, &st) != 0)
        {
          int saved = errno;

          g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN,
                       _("Cannot read “%s”: %s"), child, g_strerror (saved));
          return FALSE;
        }
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = realpath (child, NULL);

          /* Only links to files inside the folder are followed: a link
           * out of it would publish what the user did not choose, and a
           * link to a folder would repeat content or loop. */
          if (target == NULL || !path_is_below (self->root, target) || g_stat (target, &st) != 0 ||
              !S_ISREG (st.st_mode))
            {
              g_debug ("Not following symbolic link %s", child);
              continue;
            }
        }
      if (S_ISDIR (st.st_mode))
        {
          if (!scan_folder (self, child, child_relative, exclude, depth + 1, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        add_file (self, child, child_relative, &st);
      /* Sockets, FIFOs and devices have no content to share. */
    }
  return TRUE;
}

static int
compare_whole_path (gconstpointer a,
                    gconstpointer b)
{
  const CreatorFile *x = *(const CreatorFile * const *) a;
  const CreatorFile *y = *(const CreatorFile * const *) b;

  return strcmp (x->relative, y->relative);
}

static int
compare_components (gconstpointer a,
                    gconstpointer b)
{
  const CreatorFile *x = *(const CreatorFile * const *) a;
  const CreatorFile *y = *(const CreatorFile * const *) b;
  guint i;

  for (i = 0; x->components[i] != NULL && y->components[i] != NULL; i++)
    {
      int order = strcmp (x->components[i], y->components[i]);

      if (order != 0)
        return order;
    }
  return x->components[i] != NULL ? 1 : y->components[i] != NULL ? -1 : 0;
}

TsrCreator *
tsr_creator_new (const char         *path,
                 const char * const *exclude,
                 TsrCreateFormat     format,
                 GError            **error)
{
  g_autoptr(TsrCreator) self = NULL;
  struct stat st;
  guint i;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (TsrCreator, 1);
  self->format = format;
  self->files = g_ptr_array_new_with_free_func (creator_file_free);
  self->root = realpath (path, NULL);
  if (self->root == NULL || g_stat (self->root, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  self->name = g_path_get_basename (self->root);

  if (S_ISREG (st.st_mode))
    {
      self->single_file = TRUE;
      add_file (self, self->root, self->name, &st);
    }
  else if (S_ISDIR (st.st_mode))
    {
      if (!scan_folder (self, self->root, "", exclude, 0, error))
        return NULL;
    }
  else
    {
      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_SCAN,
                   _("“%s” is neither a file nor a folder"), path);
      return NULL;
    }
  if (self->files->len == 0)
    {
      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_NO_FILES,
                   _("“%s” holds no files to share"), path);
      return NULL;
    }

  g_ptr_array_sort (self->files, format == TSR_CREATE_V1 ? compare_whole_path : compare_components);
  for (i = 0; i < self->files->len; i++)
    {
      CreatorFile *file = g_ptr_array_index (self->files, i);

      self->total_size += file->size;
    }
  return g_steal_pointer (&self);
}

guint
tsr_creator_get_n_files (TsrCreator *self)
{
  return self->files->len;
}

guint64
tsr_creator_get_total_size (TsrCreator *self)
{
  return self->total_size;
}

const char *
tsr_creator_get_file_path (TsrCreator *self,
                           guint       index)
{
  g_return_val_if_fail (index < self->files->len, NULL);
  return ((CreatorFile *) g_ptr_array_index (self->files, index))->relative;
}

gboolean
tsr_creator_is_single_file (TsrCreator *self)
{
  return self->single_file;
}

guint64
tsr_creator_choose_piece_length (guint64 total_size)
{
  guint64 piece = TSR_CREATOR_MIN_PIECE_LENGTH;

  while (piece < TSR_CREATOR_MAX_PIECE_LENGTH && (total_size + piece - 1) / piece > 2000)
    piece *= 2;
  return piece;
}

gboolean
tsr_creator_piece_length_valid (guint64 piece_length)
{
  return piece_length >= TSR_CREATOR_MIN_PIECE_LENGTH && piece_length <= TSR_CREATOR_MAX_PIECE_LENGTH &&
         (piece_length & (piece_length - 1)) == 0;
}

gboolean
tsr_creator_tracker_url_valid (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0 &&
      g_ascii_strcasecmp (scheme, "udp") != 0)
    return FALSE;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  /* UDP trackers need a port (BEP 15 has no default). */
  if (g_ascii_strcasecmp (scheme, "udp") == 0 && g_uri_get_port (uri) <= 0)
    return FALSE;
  return TRUE;
}

TsrHashJob *
tsr_creator_prepare_job (TsrCreator *self,
                         guint64     piece_length)
{
  TsrHashKinds kinds = 0;
  guint64 offset = 0;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  if (piece_length == 0)
    piece_length = tsr_creator_choose_piece_length (self->total_size);
  g_return_val_if_fail (tsr_creator_piece_length_valid (piece_length), NULL);

  if (self->format != TSR_CREATE_V2)
    kinds |= TSR_HASH_V1;
  if (self->format != TSR_CREATE_V1)
    kinds |= TSR_HASH_V2;
  g_clear_pointer (&self->job, tsr_hash_job_free);
  g_clear_pointer (&self->pads, g_array_unref);
  self->piece_length = piece_length;
  self->job = tsr_hash_job_new (piece_length, kinds, FALSE);
  self->pads = g_array_sized_new (FALSE, TRUE, sizeof (guint64), self->files->len);
  g_array_set_size (self->pads, self->files->len);

  for (i = 0; i < self->files->len; i++)
    {
      CreatorFile *file = g_ptr_array_index (self->files, i);
      guint64 rest;

      /* v2: every file starts a piece (no bytes for the gap). */
      if (self->format == TSR_CREATE_V2 && offset % piece_length != 0)
        offset += piece_length - offset % piece_length;
      file->offset = offset;
      file->job_index = tsr_hash_job_add_file (self->job, file->absolute, offset, file->size);
      offset += file->size;
      rest = offset % piece_length;
      /* BEP 47: hybrid torrents pad every file to a piece boundary; like
       * libtorrent, the last one too, so that info hashes agree. */
      if (self->format == TSR_CREATE_HYBRID && !self->single_file && rest != 0)
        {
          guint64 pad = piece_length - rest;

          tsr_hash_job_add_file (self->job, NULL, offset, pad);
          g_array_index (self->pads, guint64, i) = pad;
          offset += pad;
        }
    }
  return self->job;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static TsrBencode *
path_list (GStrv components)
{
  TsrBencode *list = tsr_bencode_new_list ();
  guint i;

  for (i = 0; components[i] != NULL; i++)
    tsr_bencode_list_append (list, tsr_bencode_new_text (components[i]));
  return list;
}

static TsrBencode *
v1_file_entry (guint64     length,
               TsrBencode *path,
               gboolean    pad)
{
  TsrBencode *entry = tsr_bencode_new_dict ();

  if (pad)
    tsr_bencode_dict_insert (entry, "attr", tsr_bencode_new_text ("p"));
  tsr_bencode_dict_insert (entry, "length", tsr_bencode_new_integer ((gint64) length));
  tsr_bencode_dict_insert (entry, "path", path);
  return entry;
}

static TsrBencode *
v2_leaf (guint64       length,
         const guint8 *root)
{
  TsrBencode *leaf = tsr_bencode_new_dict ();
  TsrBencode *entry = tsr_bencode_new_dict ();

  tsr_bencode_dict_insert (leaf, "length", tsr_bencode_new_integer ((gint64) length));
  if (length > 0 && root != NULL)
    tsr_bencode_dict_insert (leaf, "pieces root", tsr_bencode_new_string (root, 32));
  tsr_bencode_dict_insert (entry, "", leaf);
  return entry;
}

static gboolean
check_unchanged (TsrCreator  *self,
                 GError     **error)
{
  guint i;

  for (i = 0; i < self->files->len; i++)
    {
      CreatorFile *file = g_ptr_array_index (self->files, i);
      struct stat st;

      if (g_stat (file->absolute, &st) != 0 || (guint64) st.st_size != file->size ||
          (gint64) st.st_mtime != file->mtime)
        {
          g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_CHANGED,
                       _("“%s” changed while it was being hashed; try again when it no longer changes"),
                       file->absolute);
          return FALSE;
        }
    }
  return TRUE;
}

GBytes *
tsr_creator_build (TsrCreator              *self,
                   const TsrCreateOptions  *options,
                   GError                 **error)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  TsrBencode *info = tsr_bencode_new_dict ();
  const char *name;
  guint i, j;
  guint n_trackers = 0;

  g_return_val_if_fail (self != NULL && self->job != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  tsr_bencode_dict_insert (root, "info", info);
  if (!check_unchanged (self, error))
    return NULL;

  name = options->name != NULL ? options->name : self->name;
  if (*name == '\0' || strchr (name, '/') != NULL || g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION,
                   _("“%s” cannot be a torrent's name"), name);
      return NULL;
    }
  tsr_bencode_dict_insert (info, "name", tsr_bencode_new_text (name));
  tsr_bencode_dict_insert (info, "piece length", tsr_bencode_new_integer ((gint64) self->piece_length));
  if (options->is_private)
    tsr_bencode_dict_insert (info, "private", tsr_bencode_new_integer (1));
  if (options->source != NULL)
    tsr_bencode_dict_insert (info, "source", tsr_bencode_new_text (options->source));

  if (self->format != TSR_CREATE_V2)
    {
      guint n = tsr_hash_job_get_piece_count (self->job);
      g_autofree guint8 *pieces = g_malloc ((gsize) MAX (n, 1) * 20);

      for (i = 0; i < n; i++)
        memcpy (pieces + (gsize) i * 20, tsr_hash_job_get_piece_sha1 (self->job, i), 20);
      tsr_bencode_dict_insert (info, "pieces", tsr_bencode_new_string (pieces, (gsize) n * 20));

      if (self->single_file)
        tsr_bencode_dict_insert (info, "length", tsr_bencode_new_integer ((gint64) self->total_size));
      else
        {
          TsrBencode *files = tsr_bencode_new_list ();

          for (i = 0; i < self->files->len; i++)
            {
              CreatorFile *file = g_ptr_array_index (self->files, i);
              guint64 pad = g_array_index (self->pads, guint64, i);

              tsr_bencode_list_append (files, v1_file_entry (file->size, path_list (file->components), FALSE));
              if (pad > 0)
                {
                  g_autofree char *pad_name = g_strdup_printf ("%" G_GUINT64_FORMAT, pad);
                  char *pad_path[] = { (char *) ".pad", pad_name, NULL };

                  tsr_bencode_list_append (files, v1_file_entry (pad, path_list (pad_path), TRUE));
                }
            }
          tsr_bencode_dict_insert (info, "files", files);
        }
    }

  if (self->format != TSR_CREATE_V1)
    {
      TsrBencode *tree = tsr_bencode_new_dict ();
      TsrBencode *layers = tsr_bencode_new_dict ();

      tsr_bencode_dict_insert (info, "meta version", tsr_bencode_new_integer (2));
      for (i = 0; i < self->files->len; i++)
        {
          CreatorFile *file = g_ptr_array_index (self->files, i);
          const guint8 *file_root = tsr_hash_job_get_file_root (self->job, file->job_index);
          g_autoptr(GBytes) layer = tsr_hash_job_dup_file_layer (self->job, file->job_index);
          TsrBencode *parent = tree;

          if (self->single_file)
            tsr_bencode_dict_insert (tree, name, v2_leaf (file->size, file_root));
          else
            {
              for (j = 0; file->components[j + 1] != NULL; j++)
                {
                  TsrBencode *child = tsr_bencode_dict_lookup (parent, file->components[j]);

                  if (child == NULL)
                    {
                      child = tsr_bencode_new_dict ();
                      tsr_bencode_dict_insert (parent, file->components[j], child);
                    }
                  parent = child;
                }
              tsr_bencode_dict_insert (parent, file->components[j], v2_leaf (file->size, file_root));
            }
          if (layer != NULL)
            tsr_bencode_dict_insert_len (layers, file_root, 32,
                                         tsr_bencode_new_string (g_bytes_get_data (layer, NULL),
                                                                 g_bytes_get_size (layer)));
        }
      tsr_bencode_dict_insert (info, "file tree", tree);
      tsr_bencode_dict_insert (root, "piece layers", layers);
    }

  /* BEP 12: announce is the first tracker; announce-list when there are more. */
  for (i = 0; options->tiers != NULL && i < options->tiers->len; i++)
    n_trackers += ((GPtrArray *) g_ptr_array_index (options->tiers, i))->len;
  if (n_trackers > 0)
    {
      GPtrArray *first = g_ptr_array_index (options->tiers, 0);

      tsr_bencode_dict_insert (root, "announce", tsr_bencode_new_text (g_ptr_array_index (first, 0)));
    }
  if (n_trackers > 1)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      for (i = 0; i < options->tiers->len; i++)
        {
          GPtrArray *tier = g_ptr_array_index (options->tiers, i);
          TsrBencode *tier_list = tsr_bencode_new_list ();

          for (j = 0; j < tier->len; j++)
            tsr_bencode_list_append (tier_list, tsr_bencode_new_text (g_ptr_array_index (tier, j)));
          tsr_bencode_list_append (list, tier_list);
        }
      tsr_bencode_dict_insert (root, "announce-list", list);
    }
  if (options->web_seeds != NULL && options->web_seeds->len > 0)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      for (i = 0; i < options->web_seeds->len; i++)
        tsr_bencode_list_append (list, tsr_bencode_new_text (g_ptr_array_index (options->web_seeds, i)));
      tsr_bencode_dict_insert (root, "url-list", list);
    }
  if (options->comment != NULL)
    tsr_bencode_dict_insert (root, "comment", tsr_bencode_new_text (options->comment));
  if (options->created_by != NULL)
    tsr_bencode_dict_insert (root, "created by", tsr_bencode_new_text (options->created_by));
  if (options->creation_date >= 0)
    tsr_bencode_dict_insert (root, "creation date", tsr_bencode_new_integer (options->creation_date));

  return tsr_bencode_encode (root);
}
