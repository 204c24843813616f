/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-metainfo.c: libFuzzer target for the .torrent parser. Beyond "no
 * crash", it checks the parser's promises on every torrent it accepts:
 * safe paths, consistent sizes and piece counts, and a magnet link that
 * parses back to the same hashes.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-metainfo.h"
#include "tsr-path.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_path (const char *path)
{
  g_auto(GStrv) parts = NULL;
  guint i;

  if (path == NULL || *path == '\0' || path[0] == '/' || !g_utf8_validate (path, -1, NULL))
    abort ();
  parts = g_strsplit (path, "/", -1);
  for (i = 0; parts[i] != NULL; i++)
    if (!tsr_path_component_is_safe (parts[i]))
      abort ();
  if (!tsr_path_is_inside ("/download", path))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMagnet) magnet = NULL;
  g_autofree char *uri = NULL;
  guint64 total = 0;
  guint64 pieces_bytes = 0;
  guint i;

  info = tsr_metainfo_new_from_bytes (bytes, &error);
  if (info == NULL)
    {
      if (error == NULL || strchr (error->message, '\n') != NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }

  if (info->n_files == 0 || info->piece_length == 0 || (!info->has_v1 && !info->has_v2))
    abort ();
  check_path (info->name);
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];

      check_path (file->path);
      if (!g_utf8_validate (file->display_path, -1, NULL))
        abort ();
      if (info->multi_file && !g_str_has_prefix (file->path, info->name))
        abort ();
      if (file->offset + file->length > info->stream_length)
        abort ();
      if (!(file->attr & TSR_FILE_ATTR_PAD))
        total += file->length;
    }
  if (total != info->total_length)
    abort ();
  for (i = 0; i < info->piece_count; i++)
    {
      guint64 piece = tsr_metainfo_get_piece_size (info, i);

      if (piece == 0 || piece > info->piece_length)
        abort ();
      pieces_bytes += piece;
    }
  if (pieces_bytes > info->stream_length)
    abort ();

  uri = tsr_metainfo_dup_magnet_uri (info);
  magnet = tsr_magnet_parse (uri, &error);
  if (magnet == NULL)
    abort ();
  if (magnet->has_v1 != info->has_v1 || magnet->has_v2 != info->has_v2)
    abort ();
  if (info->has_v1 && memcmp (magnet->info_hash_v1, info->info_hash, 20) != 0)
    abort ();
  if (info->has_v2 && memcmp (magnet->info_hash_v2, info->info_hash_v2, 32) != 0)
    abort ();
  return 0;
}
