/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-resume.c: the resume record is a small bencoded dictionary:
 *   { "info hash": 20 bytes, "pieces": bitfield, "files": [[size, mtime], …] }
 * with one entry per non-pad file (-1, -1 for a file that is not there).
 * A record that does not decode, or whose files changed, is ignored: the
 * data is then checked from disk, which is slower but never wrong.
 */
#define G_LOG_DOMAIN "tsr-resume"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tsr-bencode.h"
#include "tsr-resume.h"
#include "tsr-util.h"

static void
file_stamp (const char *folder,
            const TsrFile *file,
            gint64     *size,
            gint64     *mtime_ns)
{
  g_autofree char *path = g_build_filename (folder, file->path, NULL);
  struct stat st;

  if (g_stat (path, &st) != 0)
    {
      *size = -1;
      *mtime_ns = -1;
      return;
    }
  *size = (gint64) st.st_size;
  *mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
}

GBytes *
tsr_resume_encode (const TsrMetainfo *info,
                   const char        *folder,
                   const TsrBitfield *have)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_list ();
  const guint8 *bits;
  gsize length = 0;
  guint i;

  bits = tsr_bitfield_get_bytes (have, &length);
  tsr_bencode_dict_insert (root, "info hash", tsr_bencode_new_string (info->has_v1 ? info->info_hash
                                                                      : info->info_hash_v2, 20));
  tsr_bencode_dict_insert (root, "pieces", tsr_bencode_new_string (bits, length));
  for (i = 0; i < info->n_files; i++)
    {
      TsrBencode *entry;
      gint64 size, mtime;

      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        continue;
      file_stamp (folder, &info->files[i], &size, &mtime);
      entry = tsr_bencode_new_list ();
      tsr_bencode_list_append (entry, tsr_bencode_new_integer (size));
      tsr_bencode_list_append (entry, tsr_bencode_new_integer (mtime));
      tsr_bencode_list_append (files, entry);
    }
  tsr_bencode_dict_insert (root, "files", files);
  return tsr_bencode_encode (root);
}

gboolean
tsr_resume_apply (const TsrMetainfo *info,
                  const char        *folder,
                  GBytes            *record,
                  TsrBitfield       *have)
{
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (record, 0, NULL);
  TsrBencode *files;
  const guint8 *hash;
  const guint8 *bits;
  gsize hash_length = 0;
  gsize bits_length = 0;
  guint entry = 0;
  guint i;

  if (root == NULL || tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    return FALSE;
  hash = tsr_bencode_dict_lookup_string (root, "info hash", &hash_length);
  bits = tsr_bencode_dict_lookup_string (root, "pieces", &bits_length);
  files = tsr_bencode_dict_lookup_type (root, "files", TSR_BENCODE_LIST);
  if (hash == NULL || hash_length != 20 || bits == NULL || files == NULL ||
      memcmp (hash, info->has_v1 ? info->info_hash : info->info_hash_v2, 20) != 0)
    return FALSE;
  for (i = 0; i < info->n_files; i++)
    {
      TsrBencode *stamp;
      gint64 size, mtime;

      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        continue;
      if (entry >= tsr_bencode_list_length (files))
        return FALSE;
      stamp = tsr_bencode_list_get (files, entry++);
      if (tsr_bencode_get_node_type (stamp) != TSR_BENCODE_LIST || tsr_bencode_list_length (stamp) != 2 ||
          tsr_bencode_get_node_type (tsr_bencode_list_get (stamp, 0)) != TSR_BENCODE_INTEGER ||
          tsr_bencode_get_node_type (tsr_bencode_list_get (stamp, 1)) != TSR_BENCODE_INTEGER)
        return FALSE;
      file_stamp (folder, &info->files[i], &size, &mtime);
      if (size != tsr_bencode_get_integer (tsr_bencode_list_get (stamp, 0)) ||
          mtime != tsr_bencode_get_integer (tsr_bencode_list_get (stamp, 1)))
        return FALSE;
    }
  if (entry != tsr_bencode_list_length (files))
    return FALSE;
  return tsr_bitfield_set_bytes (have, bits, bits_length);
}

char *
tsr_resume_path (const TsrMetainfo *info,
                 const char        *state_folder)
{
  g_autofree char *hex = tsr_hex_encode (info->has_v1 ? info->info_hash : info->info_hash_v2, 20);
  g_autofree char *name = g_strconcat (hex, ".resume", NULL);

  return g_build_filename (state_folder, name, NULL);
}

struct _TsrResumeRecord
{
  TsrMetainfo *info;     /* (owned) */
  char        *folder;   /* (owned) */
  char        *path;     /* (owned) */
  TsrBitfield *have;     /* (owned) (nullable) */
};

TsrResumeRecord *
tsr_resume_record_new (TsrMetainfo       *info,
                       const char        *folder,
                       const char        *path,
                       const TsrBitfield *have)
{
  TsrResumeRecord *record = g_new0 (TsrResumeRecord, 1);

  record->info = tsr_metainfo_ref (info);
  record->folder = g_strdup (folder);
  record->path = g_strdup (path);
  record->have = have != NULL ? tsr_bitfield_copy (have) : NULL;
  return record;
}

void
tsr_resume_record_free (TsrResumeRecord *record)
{
  tsr_metainfo_unref (record->info);
  g_free (record->folder);
  g_free (record->path);
  g_clear_pointer (&record->have, tsr_bitfield_free);
  g_free (record);
}

void
tsr_resume_record_set_folder (TsrResumeRecord *record,
                              const char      *folder)
{
  g_free (record->folder);
  record->folder = g_strdup (folder);
}

gboolean
tsr_resume_record_write (TsrResumeRecord  *record,
                         GError          **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *parent = g_path_get_dirname (record->path);

  g_return_val_if_fail (record->have != NULL, FALSE);
  bytes = tsr_resume_encode (record->info, record->folder, record->have);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the state folder “%s”: %s"), parent, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (record->path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

TsrBitfield *
tsr_resume_record_read (TsrResumeRecord *record)
{
  g_autoptr(GBytes) bytes = tsr_read_small_file (record->path, 16 * 1024 * 1024, NULL);
  TsrBitfield *have;

  if (bytes == NULL)
    return NULL;
  have = tsr_bitfield_new (record->info->piece_count);
  if (!tsr_resume_apply (record->info, record->folder, bytes, have))
    {
      tsr_bitfield_free (have);
      return NULL;
    }
  return have;
}
