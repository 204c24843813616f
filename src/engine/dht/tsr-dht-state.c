/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-state.c: the DHT node's state file, apart from the node
 * (tsr-dht.c): "TSRDHT1\n", then the IPv4 and the IPv6 routing table
 * images (tsr-dht-table.c), each after its length as 4 bytes, big
 * endian. Both tables must carry the same node id. Written atomically,
 * readable by the user only (the node id and the nodes we know are
 * nobody else's business).
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-dht-state.h"

#define STATE_MAGIC "TSRDHT1\n"

gboolean
tsr_dht_state_load (const char   *path,
                    TsrDhtTable **table4_out,
                    TsrDhtTable **table6_out,
                    GError      **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const guint8 *p;
  guint32 n4, n6;
  TsrDhtTable *table4, *table6;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (table4_out != NULL && table6_out != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  p = (const guint8 *) contents;
  if (length < 16 || memcmp (p, STATE_MAGIC, 8) != 0)
    goto bad;
  n4 = (guint32) p[8] << 24 | (guint32) p[9] << 16 | (guint32) p[10] << 8 | p[11];
  if (n4 > length - 16)
    goto bad;
  p += 12;
  table4 = tsr_dht_table_deserialize (p, n4, 4, NULL);
  if (table4 == NULL)
    goto bad;
  p += n4;
  n6 = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
  if (n6 > length - 16 - n4)
    {
      tsr_dht_table_free (table4);
      goto bad;
    }
  table6 = tsr_dht_table_deserialize (p + 4, n6, 6, NULL);
  if (table6 == NULL || memcmp (tsr_dht_table_get_id (table4), tsr_dht_table_get_id (table6), 20) != 0)
    {
      tsr_dht_table_free (table4);
      g_clear_pointer (&table6, tsr_dht_table_free);
      goto bad;
    }
  *table4_out = table4;
  *table6_out = table6;
  return TRUE;

bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("“%s” is not a DHT state file"), path);
  return FALSE;
}

static void
append_be32 (GByteArray *out,
             guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

gboolean
tsr_dht_state_save (const char   *path,
                    TsrDhtTable  *table4,
                    TsrDhtTable  *table6,
                    GError      **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) image4 = NULL;
  g_autoptr(GBytes) image6 = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (table4 != NULL && table6 != NULL, FALSE);

  image4 = tsr_dht_table_serialize (table4);
  image6 = tsr_dht_table_serialize (table6);
  g_byte_array_append (out, (const guint8 *) STATE_MAGIC, 8);
  append_be32 (out, (guint32) g_bytes_get_size (image4));
  g_byte_array_append (out, g_bytes_get_data (image4, NULL), (guint) g_bytes_get_size (image4));
  append_be32 (out, (guint32) g_bytes_get_size (image6));
  g_byte_array_append (out, g_bytes_get_data (image6, NULL), (guint) g_bytes_get_size (image6));
  return g_file_set_contents_full (path, (const char *) out->data, out->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

