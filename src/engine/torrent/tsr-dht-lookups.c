/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-lookups.c: the session's DHT node and the lookups of its
 * torrents (BEP 5): which torrents may use it (running, public: BEP 27),
 * how often each is looked up, and a lookup repeated at once when it ran
 * on a young table. Out of tsr-session.c, which keeps the sockets and
 * the torrents and asks this module through four calls.
 */
#define G_LOG_DOMAIN "tsr-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-dht-lookups.h"
#include "tsr-udp-socket.h"
#include "tsr-util.h"

/* Seconds between lookups of a torrent, and while it has few peers. */
#define DHT_LOOKUP_EVERY (15 * 60)
#define DHT_LOOKUP_FEW (60)
#define DHT_FEW_PEERS 8

struct _TsrDhtLookups
{
  GListModel               *torrents;  /* borrowed: the session's list */
  const TsrDhtLookupsFuncs *funcs;
  gpointer                  user_data;
  TsrDht                   *dht;       /* (owned) (nullable) when on and started */
  gboolean                  wanted;
  char                     *state;     /* (nullable) */
  char                    **bootstrap; /* (nullable): the public routers */
  GHashTable               *looked;    /* info hash (hex) → monotonic seconds of the last lookup */
  guint16                   port;      /* the listen port announced */
  guint                     source;
};

TsrDhtLookups *
tsr_dht_lookups_new (GListModel               *torrents,
                     const TsrDhtLookupsFuncs *funcs,
                     gpointer                  user_data)
{
  TsrDhtLookups *self = g_new0 (TsrDhtLookups, 1);

  self->torrents = torrents;
  self->funcs = funcs;
  self->user_data = user_data;
  self->looked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

static void
stop (TsrDhtLookups *self)
{
  g_clear_handle_id (&self->source, g_source_remove);
  if (self->dht != NULL)
    g_signal_handlers_disconnect_by_data (self->dht, self);
  g_clear_object (&self->dht);
}

void
tsr_dht_lookups_free (TsrDhtLookups *self)
{
  stop (self);
  g_hash_table_unref (self->looked);
  g_free (self->state);
  g_strfreev (self->bootstrap);
  g_free (self);
}

/* Public torrents only (BEP 27); a magnet's privacy is known once its
 * metainfo is. */
static gboolean
may_use (TsrTorrent *torrent)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);

  return (state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING || state == TSR_TORRENT_FETCHING) &&
         (info == NULL || !info->is_private);
}

void
tsr_dht_lookups_look_up (TsrDhtLookups *self,
                         TsrTorrent    *torrent,
                         gboolean       now)
{
  const guint8 *hash = tsr_torrent_get_info_hash (torrent);
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autofree char *key = NULL;
  gpointer last;
  gint64 every;

  if (self->dht == NULL || !may_use (torrent))
    return;
  key = tsr_hex_encode (hash, 20);
  every = tsr_torrent_get_n_peers (torrent) < DHT_FEW_PEERS ? DHT_LOOKUP_FEW : DHT_LOOKUP_EVERY;
  if (!now && g_hash_table_lookup_extended (self->looked, key, NULL, &last) &&
      second - (gint64) GPOINTER_TO_SIZE (last) < every)
    return;
  g_hash_table_insert (self->looked, g_steal_pointer (&key), GSIZE_TO_POINTER ((gsize) second));
  tsr_dht_get_peers (self->dht, hash, self->port);
}

static void
on_dht_peers (TsrDht        *dht,
              const guint8  *info_hash,
              GArray        *peers,
              TsrDhtLookups *self)
{
  TsrTorrent *torrent = self->funcs->find (info_hash, self->user_data);
  guint i;

  if (torrent == NULL || !may_use (torrent))
    return;
  for (i = 0; i < peers->len; i++)
    tsr_torrent_add_discovered_address (torrent, &g_array_index (peers, TsrPeerAddress, i), TSR_PEER_SOURCE_DHT);
}

/* A lookup that reached fewer than K nodes ran on a young table (just
 * started, or just rejoined): it runs again at the next tick instead of
 * a minute on, so that the announce reaches the nodes that matter. */
static void
on_dht_lookup_done (TsrDht        *dht,
                    const guint8  *info_hash,
                    guint          answered,
                    TsrDhtLookups *self)
{
  g_autofree char *key = NULL;

  if (answered >= 8)
    return;
  key = tsr_hex_encode (info_hash, 20);
  g_hash_table_remove (self->looked, key);
}

void
tsr_dht_lookups_add_node (TsrDhtLookups *self,
                          const char    *node)
{
  TsrPeerAddress address;

  if (self->dht != NULL && tsr_peer_address_parse (node, &address))
    tsr_dht_add_node (self->dht, &address);
}

static gboolean
on_tick (gpointer user_data)
{
  TsrDhtLookups *self = user_data;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (self->torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);

      tsr_dht_lookups_look_up (self, torrent, FALSE);
    }
  return G_SOURCE_CONTINUE;
}

void
tsr_dht_lookups_start (TsrDhtLookups *self,
                       TsrUdpSocket  *udp4,
                       TsrUdpSocket  *udp6,
                       const char    *address,
                       guint16        port)
{
  g_autoptr(GError) error = NULL;
  guint i;

  if (!self->wanted || self->dht != NULL || port == 0)
    return;
  self->port = port;
  if (udp4 != NULL || udp6 != NULL)
    self->dht = tsr_dht_new_on_sockets (udp4, udp6, self->state);
  else
    {
      /* No shared socket: the DHT's own say why. */
      self->dht = tsr_dht_new (address, port, self->state, NULL);
      if (self->dht == NULL)
        self->dht = tsr_dht_new (address, 0, self->state, &error);
    }
  if (self->dht == NULL)
    {
      g_message (_("The DHT is off: %s"), error->message);
      return;
    }
  g_signal_connect (self->dht, "peers", G_CALLBACK (on_dht_peers), self);
  g_signal_connect (self->dht, "lookup-done", G_CALLBACK (on_dht_lookup_done), self);
  tsr_dht_set_bootstrap (self->dht, self->bootstrap != NULL ? (const char *const *) self->bootstrap
                                                            : tsr_dht_default_bootstrap);
  for (i = 0; i < g_list_model_get_n_items (self->torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);

      tsr_torrent_set_dht_port (torrent, tsr_dht_get_port (self->dht));
      tsr_dht_lookups_look_up (self, torrent, TRUE);
    }
  self->source = g_timeout_add_seconds (5, on_tick, self);
}

void
tsr_dht_lookups_configure (TsrDhtLookups     *self,
                           gboolean           enabled,
                           const char        *state_path,
                           const char *const *bootstrap)
{
  guint i;

  self->wanted = enabled;
  g_free (self->state);
  self->state = g_strdup (state_path);
  g_strfreev (self->bootstrap);
  self->bootstrap = bootstrap != NULL ? g_strdupv ((char **) bootstrap) : NULL;
  if (enabled)
    return;
  stop (self);
  for (i = 0; i < g_list_model_get_n_items (self->torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (self->torrents, i);

      tsr_torrent_set_dht_port (torrent, 0);
    }
}

TsrDht *
tsr_dht_lookups_get_dht (TsrDhtLookups *self)
{
  return self->dht;
}

guint16
tsr_dht_lookups_get_port (TsrDhtLookups *self)
{
  return self->dht != NULL ? tsr_dht_get_port (self->dht) : 0;
}
