/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarms-state.c: the swarm store's image for `--state FILE`: every
 * swarm with its downloaded count and peers, in a versioned big-endian
 * layout sealed by a SHA-256, read back with every count checked against
 * the bytes that are there. Bytes only: the server writes the file. It
 * sees the store through its public functions (tsr_swarms_foreach, the
 * restore calls), never its layout.
 */
#define G_LOG_DOMAIN "tsr-swarms"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "tsr-swarms.h"

G_DEFINE_QUARK (tsr-swarms-error-quark, tsr_swarms_error)

/* The image, big-endian:
 *   "TSRSWARM", u32 version (1), u32 number of swarms, then per swarm
 *   info hash (20), u32 downloaded, u32 number of peers, and per peer
 *   address (16, IPv4-mapped for IPv4), u16 port, u8 flags (1: seeder,
 *   2: completed), u8 0, u32 last seen; last, the SHA-256 of all of it. */
#define IMAGE_MAGIC       "TSRSWARM"
#define IMAGE_VERSION     1
#define IMAGE_HEADER      16
#define IMAGE_SWARM       28
#define IMAGE_PEER        24
#define IMAGE_CHECKSUM    32

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, 4);
}

static guint32
get_u32 (const guint8 *data)
{
  guint32 be;

  memcpy (&be, data, 4);
  return GUINT32_FROM_BE (be);
}

static void
put_swarm (const guint8 *info_hash,
           guint32       downloaded,
           guint32       n_peers,
           gpointer      user_data)
{
  GByteArray *out = user_data;

  g_byte_array_append (out, info_hash, 20);
  put_u32 (out, downloaded);
  put_u32 (out, n_peers);
}

static void
put_peer (const guint8 *address,
          guint16       port,
          guint8        flags,
          guint32       last_seen,
          gpointer      user_data)
{
  GByteArray *out = user_data;
  guint8 tail[4] = { port >> 8, port & 0xff, flags & TSR_SWARMS_PEER_FLAGS, 0 };

  g_byte_array_append (out, address, 16);
  g_byte_array_append (out, tail, 4);
  put_u32 (out, last_seen);
}

static const TsrSwarmsVisitor image_writer = {
  .swarm = put_swarm,
  .peer = put_peer,
};

GBytes *
tsr_swarms_serialize (TsrSwarms *self)
{
  GByteArray *out;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[IMAGE_CHECKSUM];
  gsize digest_length = sizeof digest;
  TsrSwarmsStats stats;

  g_return_val_if_fail (self != NULL, NULL);

  tsr_swarms_get_stats (self, &stats);
  out = g_byte_array_sized_new (IMAGE_HEADER + stats.swarms * IMAGE_SWARM +
                                stats.peers * IMAGE_PEER + IMAGE_CHECKSUM);
  g_byte_array_append (out, (const guint8 *) IMAGE_MAGIC, 8);
  put_u32 (out, IMAGE_VERSION);
  put_u32 (out, stats.swarms);
  tsr_swarms_foreach (self, &image_writer, out);
  g_checksum_update (checksum, out->data, out->len);
  g_checksum_get_digest (checksum, digest, &digest_length);
  g_byte_array_append (out, digest, IMAGE_CHECKSUM);
  return g_byte_array_free_to_bytes (out);
}

TsrSwarms *
tsr_swarms_deserialize (GBytes  *bytes,
                        guint    max_swarms,
                        guint    peer_timeout,
                        GError **error)
{
  g_autoptr(TsrSwarms) self = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[IMAGE_CHECKSUM];
  gsize digest_length = sizeof digest;
  const guint8 *data;
  gsize length;
  gsize offset;
  guint32 version;
  guint32 n_swarms;
  guint32 i;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &length);
  if (length < 8 || memcmp (data, IMAGE_MAGIC, 8) != 0)
    {
      if (length < 8 && (length == 0 || memcmp (data, IMAGE_MAGIC, length) == 0))
        g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_TRUNCATED,
                     _("Swarm state ends at byte %zu, inside its header"), length);
      else
        g_set_error_literal (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_BAD_MAGIC,
                             _("Not a swarm state file: it does not begin with “TSRSWARM”"));
      return NULL;
    }
  if (length < IMAGE_HEADER + IMAGE_CHECKSUM)
    {
      g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_TRUNCATED,
                   g_dngettext (GETTEXT_PACKAGE, "Swarm state ends at byte %zu, before its first %d byte",
                                "Swarm state ends at byte %zu, before its first %d bytes",
                                IMAGE_HEADER + IMAGE_CHECKSUM),
                   length, IMAGE_HEADER + IMAGE_CHECKSUM);
      return NULL;
    }
  version = get_u32 (data + 8);
  if (version != IMAGE_VERSION)
    {
      g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_VERSION,
                   _("Swarm state has format version %u at byte 8; this version reads %d"),
                   version, IMAGE_VERSION);
      return NULL;
    }

  length -= IMAGE_CHECKSUM;
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, data, length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  if (memcmp (digest, data + length, IMAGE_CHECKSUM) != 0)
    {
      g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_CHECKSUM,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Swarm state is damaged: the checksum in its last %d byte does not match "
                                "(the file was cut short or changed)",
                                "Swarm state is damaged: the checksum in its last %d bytes does not match "
                                "(the file was cut short or changed)", IMAGE_CHECKSUM), IMAGE_CHECKSUM);
      return NULL;
    }

  /* The checksum guards against accidents, not against a hostile file:
   * every count is still checked against the bytes left. */
  self = tsr_swarms_new (max_swarms, peer_timeout);
  n_swarms = get_u32 (data + 12);
  offset = IMAGE_HEADER;
  for (i = 0; i < n_swarms; i++)
    {
      TsrSwarm *swarm = NULL;
      guint32 downloaded;
      guint32 n_peers;
      guint32 k;

      if (length - offset < IMAGE_SWARM)
        {
          g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_TRUNCATED,
                       _("Swarm state ends at byte %zu, inside swarm %u of %u"), length, i + 1, n_swarms);
          return NULL;
        }
      downloaded = get_u32 (data + offset + 20);
      n_peers = get_u32 (data + offset + 24);
      /* Past the cap the rest is checked but not kept (swarm NULL). */
      if (!tsr_swarms_restore_swarm (self, data + offset, downloaded, &swarm))
        {
          g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_INVALID,
                       _("Swarm state lists the swarm at byte %zu twice"), offset);
          return NULL;
        }
      if ((length - offset - IMAGE_SWARM) / IMAGE_PEER < n_peers)
        {
          g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_TRUNCATED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Swarm state ends at byte %zu, before the %u peer of the swarm at byte %zu",
                                    "Swarm state ends at byte %zu, before the %u peers of the swarm at byte %zu",
                                    n_peers),
                       length, n_peers, offset);
          return NULL;
        }
      offset += IMAGE_SWARM;

      for (k = 0; k < n_peers; k++, offset += IMAGE_PEER)
        {
          const guint8 *p = data + offset;

          if ((p[18] & ~TSR_SWARMS_PEER_FLAGS) != 0 || p[19] != 0)
            {
              g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_INVALID,
                           _("Swarm state has unknown peer flags 0x%02x%02x at byte %zu"),
                           p[18], p[19], offset + 18);
              return NULL;
            }
          if (swarm == NULL)
            continue;
          if (!tsr_swarms_restore_peer (self, swarm, p, (guint16) ((p[16] << 8) | p[17]), p[18], get_u32 (p + 20)))
            {
              g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_INVALID,
                           _("Swarm state lists the peer at byte %zu twice in its swarm"), offset);
              return NULL;
            }
        }
    }
  if (offset != length)
    {
      g_set_error (error, TSR_SWARMS_ERROR, TSR_SWARMS_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Swarm state has %zu unexpected byte after its last swarm, at byte %zu",
                                "Swarm state has %zu unexpected bytes after its last swarm, at byte %zu",
                                (gulong) (length - offset)),
                   length - offset, offset);
      return NULL;
    }
  return g_steal_pointer (&self);
}
