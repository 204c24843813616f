/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo-write.c: a TsrMetainfo written back out: a .torrent file
 * around the info dictionary's exact bytes (for a torrent fetched from a
 * magnet link), and the magnet link of a torrent. Reads only the public
 * fields.
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <string.h>

#include "tsr-metainfo.h"

TsrMagnet *
tsr_metainfo_to_magnet (const TsrMetainfo *self)
{
  TsrMagnet *magnet;
  guint i, j;

  g_return_val_if_fail (self != NULL, NULL);

  magnet = tsr_magnet_new ();
  magnet->has_v1 = self->has_v1;
  memcpy (magnet->info_hash_v1, self->info_hash, 20);
  magnet->has_v2 = self->has_v2;
  memcpy (magnet->info_hash_v2, self->info_hash_v2, 32);
  magnet->display_name = g_strdup (self->display_name);
  for (i = 0; i < self->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (self->trackers, i);

      for (j = 0; j < tier->len; j++)
        g_ptr_array_add (magnet->trackers, g_strdup (g_ptr_array_index (tier, j)));
    }
  for (i = 0; i < self->web_seeds->len; i++)
    g_ptr_array_add (magnet->web_seeds, g_strdup (g_ptr_array_index (self->web_seeds, i)));
  return magnet;
}

char *
tsr_metainfo_dup_magnet_uri (const TsrMetainfo *self)
{
  g_autoptr(TsrMagnet) magnet = tsr_metainfo_to_magnet (self);

  return tsr_magnet_to_string (magnet);
}

/* The inside of a dictionary's encoding (no "d" and "e"), to splice the
 * raw info dictionary among the other keys in order. */
static void
append_inner (GByteArray *out,
              TsrBencode *dict)
{
  g_autoptr(GByteArray) encoded = g_byte_array_new ();

  tsr_bencode_encode_to (dict, encoded);
  g_byte_array_append (out, encoded->data + 1, encoded->len - 2);
}

GBytes *
tsr_metainfo_dup_torrent_file (const TsrMetainfo *self)
{
  g_autoptr(TsrBencode) before = tsr_bencode_new_dict ();
  g_autoptr(TsrBencode) after = tsr_bencode_new_dict ();
  GByteArray *out = g_byte_array_new ();
  gsize length = 0;
  const guint8 *info = g_bytes_get_data (self->info_bytes, &length);
  guint i, j;

  /* Keys sorted: announce, announce-list, comment, created by, creation
   * date | info | piece layers, url-list. */
  if (self->trackers->len > 0)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      GPtrArray *first = g_ptr_array_index (self->trackers, 0);

      tsr_bencode_dict_insert (before, "announce", tsr_bencode_new_text (g_ptr_array_index (first, 0)));
      for (i = 0; i < self->trackers->len; i++)
        {
          GPtrArray *tier = g_ptr_array_index (self->trackers, i);
          TsrBencode *urls = tsr_bencode_new_list ();

          for (j = 0; j < tier->len; j++)
            tsr_bencode_list_append (urls, tsr_bencode_new_text (g_ptr_array_index (tier, j)));
          tsr_bencode_list_append (list, urls);
        }
      tsr_bencode_dict_insert (before, "announce-list", list);
    }
  if (self->comment != NULL)
    tsr_bencode_dict_insert (before, "comment", tsr_bencode_new_text (self->comment));
  if (self->created_by != NULL)
    tsr_bencode_dict_insert (before, "created by", tsr_bencode_new_text (self->created_by));
  if (self->creation_date > 0)
    tsr_bencode_dict_insert (before, "creation date", tsr_bencode_new_integer (self->creation_date));
  if (self->piece_layers != NULL && g_hash_table_size (self->piece_layers) > 0)
    {
      TsrBencode *layers = tsr_bencode_new_dict ();
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->piece_layers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gsize key_length = 0, value_length = 0;
          const guint8 *key_data = g_bytes_get_data (key, &key_length);
          const guint8 *value_data = g_bytes_get_data (value, &value_length);

          tsr_bencode_dict_insert_len (layers, key_data, key_length,
                                       tsr_bencode_new_string (value_data, value_length));
        }
      tsr_bencode_dict_insert (after, "piece layers", layers);
    }
  if (self->web_seeds->len > 0)
    {
      TsrBencode *list = tsr_bencode_new_list ();

      for (i = 0; i < self->web_seeds->len; i++)
        tsr_bencode_list_append (list, tsr_bencode_new_text (g_ptr_array_index (self->web_seeds, i)));
      tsr_bencode_dict_insert (after, "url-list", list);
    }
  g_byte_array_append (out, (const guint8 *) "d", 1);
  append_inner (out, before);
  g_byte_array_append (out, (const guint8 *) "4:info", 6);
  g_byte_array_append (out, info, (guint) length);
  append_inner (out, after);
  g_byte_array_append (out, (const guint8 *) "e", 1);
  return g_byte_array_free_to_bytes (out);
}
