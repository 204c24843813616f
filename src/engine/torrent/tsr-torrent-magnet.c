/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-magnet.c: a magnet's torrent before its metainfo. The
 * link names the torrent (BEP 9 "dn", else its hash) and the hash the
 * swarm meets on; ut_metadata fetches the info dictionary and checks it
 * against that hash (swarm/tsr-ext-metadata.c). What it ends with comes
 * here: a v2-only torrent is of no use without a hash for every piece,
 * which its piece layers give (BEP 52); the owner hears once.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-torrent-magnet.h"
#include "tsr-util.h"

struct _TsrTorrentMagnet
{
  TsrMagnet                   *magnet;     /* (owned) its display name filled */
  TsrExtMetadata              *metadata;   /* (nullable) borrowed: the torrent's extensions own it */
  TsrBitfield                 *no_have;    /* (owned) empty */
  guint8                       wire_hash[20];
  gboolean                     stop_after;
  gboolean                     done;       /* the metainfo was reported */
  const TsrTorrentMagnetFuncs *funcs;
  gpointer                     user_data;
};

TsrTorrentMagnet *
tsr_torrent_magnet_new (const TsrMagnet             *magnet,
                        TsrExtMetadata              *metadata,
                        TsrExtHashes                *hashes,
                        const TsrTorrentMagnetFuncs *funcs,
                        gpointer                     user_data)
{
  TsrTorrentMagnet *self;

  g_return_val_if_fail (magnet->has_v1 || magnet->has_v2, NULL);

  self = g_new0 (TsrTorrentMagnet, 1);
  self->magnet = tsr_magnet_copy (magnet);
  self->metadata = metadata;
  self->no_have = tsr_bitfield_new (0);
  self->funcs = funcs;
  self->user_data = user_data;
  /* Without "dn", the hash is all there is to call it by. */
  if (self->magnet->display_name == NULL || self->magnet->display_name[0] == '\0')
    {
      g_free (self->magnet->display_name);
      self->magnet->display_name = tsr_hex_encode (magnet->has_v1 ? magnet->info_hash_v1 : magnet->info_hash_v2,
                                                   magnet->has_v1 ? 20 : 32);
    }
  /* BEP 52: a v2-only swarm meets on the truncated v2 hash. */
  memcpy (self->wire_hash, magnet->has_v1 ? magnet->info_hash_v1 : magnet->info_hash_v2, 20);
  if (metadata != NULL)
    tsr_ext_metadata_fetch (metadata, self->magnet, hashes);
  return self;
}

void
tsr_torrent_magnet_free (TsrTorrentMagnet *self)
{
  if (self == NULL)
    return;
  tsr_magnet_free (self->magnet);
  tsr_bitfield_free (self->no_have);
  g_free (self);
}

const TsrMagnet *
tsr_torrent_magnet_get_magnet (TsrTorrentMagnet *self)
{
  return self->magnet;
}

const char *
tsr_torrent_magnet_get_name (TsrTorrentMagnet *self)
{
  return self->magnet->display_name;
}

const guint8 *
tsr_torrent_magnet_get_wire_hash (TsrTorrentMagnet *self)
{
  return self->wire_hash;
}

const TsrBitfield *
tsr_torrent_magnet_get_have (TsrTorrentMagnet *self)
{
  return self->no_have;
}

gdouble
tsr_torrent_magnet_get_progress (TsrTorrentMagnet *self)
{
  if (self->done)
    return 1.0;
  return self->metadata != NULL ? tsr_ext_metadata_get_progress (self->metadata) : 0.0;
}

void
tsr_torrent_magnet_set_stop_after (TsrTorrentMagnet *self,
                                   gboolean          stop)
{
  self->stop_after = stop;
}

void
tsr_torrent_magnet_take (TsrTorrentMagnet *self,
                         TsrMetainfo      *info,
                         const GError     *error)
{
  g_autoptr(GError) missing = NULL;
  guint i;

  if (self->done)
    return;
  for (i = 0; info != NULL && !info->has_v1 && i < info->piece_count && missing == NULL; i++)
    if (tsr_metainfo_get_piece_v2_hash (info, i) == NULL)
      g_set_error (&missing, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("No peer gave the piece hashes of this v2-only torrent"));
  if (info == NULL || missing != NULL)
    {
      self->funcs->failed (missing != NULL ? missing : error, self->user_data);
      return;
    }
  self->done = TRUE;
  if (self->metadata != NULL)
    tsr_ext_metadata_stop (self->metadata);
  self->funcs->ready (info, self->stop_after, self->user_data);
}
