/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-session.c: the torrents of one program and what they share: the
 * listener (an incoming handshake's info hash picks the torrent, which
 * then answers), limits, the connection budget, the queue of active
 * torrents, local discovery, the DHT (its lookups: tsr-dht-lookups.c)
 * and port mapping, and the UDP sockets on the listen port that the DHT,
 * the UDP trackers and uTP share (tsr-dialer.c: peers over uTP and TCP).
 */
#define G_LOG_DOMAIN "tsr-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-dht-lookups.h"
#include "tsr-dialer.h"
#include "tsr-listener.h"
#include "tsr-lsd.h"
#include "tsr-port-map.h"
#include "tsr-queue.h"
#include "tsr-session.h"
#include "tsr-torrent-host.h"
#include "tsr-tracker.h"
#include "tsr-udp-socket.h"
#include "tsr-util.h"

struct _TsrSession
{
  GObject            parent_instance;
  TsrListener       *listener;    /* (owned) */
  guint8             peer_id[20];
  GListStore        *torrents;    /* (owned) (element-type TsrTorrent) */
  guint              max_active;  /* torrents checking or downloading at once; 0: all */
  guint              max_seeding; /* torrents seeding at once; 0: all */
  TsrQueue          *queue;       /* (owned) the torrents in queue order */
  TsrBudget         *connections; /* (owned) over all torrents */
  TsrReadCacheGroup *read_group;  /* (owned) the torrents' read caches together */
  guint              queue_source;
  TsrLimiter        *up;          /* (owned) */
  TsrLimiter        *down;        /* (owned) */
  TsrLsd            *lsd;         /* (owned) (nullable) local service discovery, when on */
  gboolean           lsd_wanted;
  TsrPeerEncryption  encryption;
  char              *bind_address; /* (nullable) where we listen */
  TsrUdpSocket      *udp4;         /* (owned) (nullable) UDP on the listen port, once listening */
  TsrUdpSocket      *udp6;         /* (owned) (nullable) */
  TsrDhtLookups     *dht;          /* (owned) the DHT node, when on and listening, and its lookups */
  TsrPortMap        *port_map;    /* (owned) (nullable) when mapping is on and we listen */
  TsrDialer         *dialer;      /* (owned) peers' transports; uTP over udp4 and udp6 */
  TsrBlocklist      *blocklist;   /* (owned) shared with the listener and the dialer */
  gboolean           port_map_wanted;
};

enum
{
  SIGNAL_PORT_MAPPING_CHANGED,
  SIGNAL_QUEUE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrSession, tsr_session, G_TYPE_OBJECT)

static void on_torrent_state_changed (TsrTorrent *torrent, gpointer user_data);
static void on_torrent_dht_node (TsrTorrent *torrent, const char *node, gpointer user_data);
static void on_torrent_trackers_made (TsrTorrent *torrent, TsrTracker *tracker, gpointer user_data);
static gpointer on_listener_find (const guint8 *info_hash, gpointer user_data);
static void on_listener_foreach_hash (TsrListenerHashFunc func, gpointer func_data, gpointer user_data);
static void on_listener_accepted (TsrPeer *peer, gpointer key, const guint8 *info_hash, gpointer user_data);
static TsrDialer *on_torrent_dialer (gpointer user_data);
static TsrTorrent *on_dht_find (const guint8 *info_hash, gpointer user_data);
static gboolean on_utp_accept (const TsrPeerAddress *from, gpointer user_data);
static void on_utp_incoming (GIOStream *stream, const TsrPeerAddress *from, gpointer user_data);

static const TsrTorrentHostFuncs torrent_host_funcs = {
  .dht_node = on_torrent_dht_node,
  .state_changed = on_torrent_state_changed,
  .trackers_made = on_torrent_trackers_made,
  .dialer = on_torrent_dialer,
};

static const TsrDialerFuncs dialer_funcs = {
  .accept = on_utp_accept,
  .incoming = on_utp_incoming,
};

static const TsrDhtLookupsFuncs dht_funcs = {
  .find = on_dht_find,
};

static const TsrListenerFuncs listener_funcs = {
  .find = on_listener_find,
  .foreach_hash = on_listener_foreach_hash,
  .accepted = on_listener_accepted,
};

/* New ranges: peers connected before they came go now, so that they are
 * not told to others by PEX either. */
static void
on_blocklist_changed (TsrSession *self)
{
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);

      _tsr_torrent_drop_blocked (torrent, self->blocklist);
    }
}

TsrBlocklist *
tsr_session_get_blocklist (TsrSession *self)
{
  return self->blocklist;
}

static void
tsr_session_dispose (GObject *object)
{
  TsrSession *self = TSR_SESSION (object);

  g_clear_pointer (&self->listener, tsr_listener_free);
  g_clear_object (&self->lsd);
  g_clear_pointer (&self->dht, tsr_dht_lookups_free);
  /* Peers may hold it on: it goes quiet, its uTP connections end. */
  if (self->dialer != NULL)
    tsr_dialer_shutdown (self->dialer);
  g_clear_pointer (&self->dialer, tsr_dialer_unref);
  if (self->blocklist != NULL)
    g_signal_handlers_disconnect_by_data (self->blocklist, self);
  g_clear_object (&self->blocklist);
  /* Trackers may hold them on until their last announce. */
  g_clear_pointer (&self->udp4, tsr_udp_socket_unref);
  g_clear_pointer (&self->udp6, tsr_udp_socket_unref);
  g_clear_pointer (&self->bind_address, g_free);
  if (self->port_map != NULL)
    g_signal_handlers_disconnect_by_data (self->port_map, self);
  g_clear_object (&self->port_map);
  g_clear_handle_id (&self->queue_source, g_source_remove);
  if (self->torrents != NULL)
    {
      guint i;

      /* Torrents may outlive us (the CLI holds them): they stop telling us. */
      for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
        {
          g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);

          _tsr_torrent_set_host (torrent, NULL, NULL);
        }
    }
  /* Before the list that holds the torrents it clears its marks from. */
  g_clear_pointer (&self->queue, tsr_queue_free);
  g_clear_object (&self->torrents);
  g_clear_pointer (&self->up, tsr_limiter_unref);
  g_clear_pointer (&self->down, tsr_limiter_unref);
  g_clear_pointer (&self->connections, tsr_budget_unref);
  g_clear_pointer (&self->read_group, tsr_read_cache_group_unref);
  G_OBJECT_CLASS (tsr_session_parent_class)->dispose (object);
}

static void
tsr_session_class_init (TsrSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_session_dispose;

  signals[SIGNAL_PORT_MAPPING_CHANGED] =
    g_signal_new ("port-mapping-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* Queue positions changed: a torrent came, went or moved. */
  signals[SIGNAL_QUEUE_CHANGED] =
    g_signal_new ("queue-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
tsr_session_init (TsrSession *self)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  guint i;

  self->torrents = g_list_store_new (TSR_TYPE_TORRENT);
  self->queue = tsr_queue_new ();
  self->connections = tsr_budget_new (0);
  self->read_group = tsr_read_cache_group_new (TSR_SESSION_READ_CACHE);
  self->listener = tsr_listener_new (&listener_funcs, self);
  self->dialer = tsr_dialer_new (&dialer_funcs, self);
  self->blocklist = tsr_blocklist_new ();
  tsr_listener_set_blocklist (self->listener, self->blocklist);
  tsr_dialer_set_blocklist (self->dialer, self->blocklist);
  g_signal_connect_swapped (self->blocklist, "changed", G_CALLBACK (on_blocklist_changed), self);
  self->up = tsr_limiter_new (0);
  self->down = tsr_limiter_new (0);
  self->encryption = TSR_PEER_ENCRYPTION_PREFER;
  self->dht = tsr_dht_lookups_new (G_LIST_MODEL (self->torrents), &dht_funcs, self);
  memcpy (self->peer_id, "-TE0100-", 8);
  for (i = 8; i < 20; i++)
    self->peer_id[i] = (guint8) alphabet[g_random_int_range (0, sizeof alphabet - 1)];
}

TsrSession *
tsr_session_new (void)
{
  return g_object_new (TSR_TYPE_SESSION, NULL);
}

guint16
tsr_session_pick_random_port (void)
{
  return (guint16) g_random_int_range (TSR_SESSION_RANDOM_PORT_MIN, TSR_SESSION_RANDOM_PORT_MAX + 1);
}

const guint8 *
tsr_session_get_peer_id (TsrSession *self)
{
  return self->peer_id;
}

guint16
tsr_session_get_port (TsrSession *self)
{
  /* 0 once disposed, as before listening. */
  return self->listener != NULL ? tsr_listener_get_port (self->listener) : 0;
}

guint16
tsr_session_get_udp_port (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), 0);

  /* Both sockets have the same port (the IPv6 one takes the IPv4 one's). */
  if (self->udp4 != NULL)
    return tsr_udp_socket_get_port (self->udp4);
  return self->udp6 != NULL ? tsr_udp_socket_get_port (self->udp6) : 0;
}

GListModel *
tsr_session_get_torrents (TsrSession *self)
{
  return G_LIST_MODEL (self->torrents);
}

/* Starts and queues torrents by queue position (tsr-queue.c). */
static gboolean
on_update_queue (gpointer user_data)
{
  TsrSession *self = user_data;

  self->queue_source = 0;
  tsr_queue_update (self->queue, self->max_active, self->max_seeding);
  return G_SOURCE_REMOVE;
}

static void
update_queue_soon (TsrSession *self)
{
  if (self->queue_source == 0)
    self->queue_source = g_idle_add (on_update_queue, self);
}

/* BEP 14: running public torrents are announced on the local network;
 * private ones never (BEP 27), nor a magnet's whose privacy is unknown
 * until its metainfo says. */
static void
update_lsd (TsrSession *self,
            TsrTorrent *torrent)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);

  if (self->lsd == NULL)
    return;
  if ((state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING) && info != NULL && !info->is_private)
    tsr_lsd_add_torrent (self->lsd, tsr_torrent_get_info_hash (torrent));
  else
    tsr_lsd_remove_torrent (self->lsd, tsr_torrent_get_info_hash (torrent));
}

static void
on_lsd_peer (TsrLsd     *lsd,
             const char *info_hash,
             const char *address,
             TsrSession *self)
{
  guint8 hash[20];
  TsrTorrent *torrent;

  if (!tsr_hex_decode (info_hash, 40, hash, 20))
    return;
  torrent = tsr_session_find_torrent (self, hash);
  /* BEP 27: a private torrent takes peers from its tracker only. */
  if (torrent != NULL && tsr_torrent_get_metainfo (torrent) != NULL &&
      !tsr_torrent_get_metainfo (torrent)->is_private)
    tsr_torrent_add_discovered_peer (torrent, address, TSR_PEER_SOURCE_LSD);
}

static void
start_lsd (TsrSession *self)
{
  guint i;

  if (!self->lsd_wanted || self->lsd != NULL || tsr_session_get_port (self) == 0)
    return;
  self->lsd = tsr_lsd_new (tsr_session_get_port (self));
  g_signal_connect (self->lsd, "peer", G_CALLBACK (on_lsd_peer), self);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);

      update_lsd (self, torrent);
    }
}

void
tsr_session_set_local_discovery (TsrSession *self,
                                 gboolean    enabled)
{
  self->lsd_wanted = enabled;
  if (!enabled)
    g_clear_object (&self->lsd);
  else
    start_lsd (self);
}

gboolean
tsr_session_get_local_discovery (TsrSession *self)
{
  return self->lsd_wanted;
}

/* DHT (BEP 5): tsr-dht-lookups.c */

static TsrTorrent *
on_dht_find (const guint8 *info_hash,
             gpointer      user_data)
{
  return tsr_session_find_torrent (user_data, info_hash);
}

static void
on_torrent_dht_node (TsrTorrent *torrent,
                     const char *node,
                     gpointer    user_data)
{
  TsrSession *self = user_data;

  if (self->dht != NULL)   /* NULL once disposed */
    tsr_dht_lookups_add_node (self->dht, node);
}

static void
start_dht (TsrSession *self)
{
  tsr_dht_lookups_start (self->dht, self->udp4, self->udp6, self->bind_address, tsr_session_get_port (self));
}

void
tsr_session_set_dht (TsrSession        *self,
                     gboolean           enabled,
                     const char        *state_path,
                     const char *const *bootstrap)
{
  g_return_if_fail (TSR_IS_SESSION (self));

  tsr_dht_lookups_configure (self->dht, enabled, state_path, bootstrap);
  start_dht (self);
}

TsrDht *
tsr_session_get_dht (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), NULL);
  return self->dht != NULL ? tsr_dht_lookups_get_dht (self->dht) : NULL;
}

static void
on_port_map_changed (TsrPortMap *port_map,
                     TsrSession *self)
{
  g_signal_emit (self, signals[SIGNAL_PORT_MAPPING_CHANGED], 0);
}

/* ------------------------------------------------------------------ */
/* UDP: one socket per listening address                               */

/* The UDP port is the TCP one when it is free, else any (the DHT and
 * the trackers work from any port). */
static TsrUdpSocket *
bind_udp (TsrSession           *self,
          TsrPeerAddressFamily  family,
          guint16               port)
{
  g_autoptr(GError) error = NULL;
  TsrUdpSocket *udp = tsr_udp_socket_new (self->bind_address, family, port, NULL);

  if (udp == NULL)
    udp = tsr_udp_socket_new (self->bind_address, family, 0, &error);
  /* Without IPv6 on this machine, IPv4 alone. */
  if (udp == NULL)
    g_debug ("no UDP socket for IPv%u: %s", (guint) family, error->message);
  return udp;
}

static void
start_udp (TsrSession *self)
{
  g_autoptr(GInetAddress) inet = NULL;
  guint16 port = tsr_session_get_port (self);

  if (self->udp4 != NULL || self->udp6 != NULL || port == 0)
    return;
  inet = self->bind_address != NULL ? g_inet_address_new_from_string (self->bind_address) : NULL;
  if (inet == NULL || g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4)
    self->udp4 = bind_udp (self, TSR_PEER_ADDRESS_IPV4, port);
  if (inet == NULL || g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    self->udp6 = bind_udp (self, TSR_PEER_ADDRESS_IPV6,
                           self->udp4 != NULL ? tsr_udp_socket_get_port (self->udp4) : port);
  /* BEP 29: peers reach our uTP at the UDP port, which is the TCP one
   * unless another program had it. */
  if (self->udp4 != NULL)
    tsr_dialer_add_socket (self->dialer, self->udp4);
  if (self->udp6 != NULL)
    tsr_dialer_add_socket (self->dialer, self->udp6);
}

static TsrDialer *
on_torrent_dialer (gpointer user_data)
{
  TsrSession *self = user_data;

  return self->dialer;
}

/* Whether every torrent that takes peers now bans @from (one at least):
 * whatever its handshake names, it would be closed there. */
static gboolean
banned_everywhere (TsrSession           *self,
                   const TsrPeerAddress *from)
{
  guint n_taking = 0;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);
      TsrTorrentState state = tsr_torrent_get_state (torrent);

      if (state != TSR_TORRENT_DOWNLOADING && state != TSR_TORRENT_SEEDING && state != TSR_TORRENT_FETCHING)
        continue;
      if (!_tsr_torrent_bans (torrent, from))
        return FALSE;
      n_taking++;
    }
  return n_taking > 0;
}

/* An incoming uTP connection is let in as a TCP one would be: within
 * the listener's bounds on connections waiting for their handshake. A
 * banned peer's SYN gets a RESET: no connection, no handshake to read
 * (a TCP one is closed at its handshake, which names the torrent). */
static gboolean
on_utp_accept (const TsrPeerAddress *from,
               gpointer              user_data)
{
  TsrSession *self = user_data;

  return self->listener != NULL && tsr_listener_has_room (self->listener, from) &&
         !banned_everywhere (self, from);
}

static void
on_utp_incoming (GIOStream            *stream,
                 const TsrPeerAddress *from,
                 gpointer              user_data)
{
  TsrSession *self = user_data;

  tsr_listener_take_stream (self->listener, stream);
}

void
tsr_session_set_transports (TsrSession   *self,
                            TsrTransport  transports)
{
  g_return_if_fail (TSR_IS_SESSION (self));
  g_return_if_fail ((transports & TSR_TRANSPORT_BOTH) != 0);

  tsr_dialer_set_transports (self->dialer, transports);
  tsr_listener_set_tcp (self->listener, (transports & TSR_TRANSPORT_TCP) != 0);
}

TsrTransport
tsr_session_get_transports (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), TSR_TRANSPORT_BOTH);
  return tsr_dialer_get_transports (self->dialer);
}

TsrDialer *
tsr_session_get_dialer (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), NULL);
  return self->dialer;
}

/* A torrent's UDP trackers announce from the listen port, as libtorrent's
 * do: a NAT that maps it for the peers maps it for the trackers too. */
static void
on_torrent_trackers_made (TsrTorrent *torrent,
                          TsrTracker *tracker,
                          gpointer    user_data)
{
  TsrSession *self = user_data;

  tsr_tracker_set_udp_sockets (tracker, self->udp4, self->udp6);
}

/* No router forwards to a loopback address: nothing to ask for then. */
static void
start_port_map (TsrSession *self)
{
  if (!self->port_map_wanted || self->port_map != NULL || tsr_session_get_port (self) == 0 ||
      tsr_listener_is_loopback (self->listener))
    return;
  self->port_map = tsr_port_map_new (tsr_session_get_port (self));
  g_signal_connect (self->port_map, "changed", G_CALLBACK (on_port_map_changed), self);
  g_signal_emit (self, signals[SIGNAL_PORT_MAPPING_CHANGED], 0);
}

void
tsr_session_set_port_mapping (TsrSession *self,
                              gboolean    enabled)
{
  g_return_if_fail (TSR_IS_SESSION (self));

  self->port_map_wanted = enabled;
  if (enabled)
    start_port_map (self);
  else if (self->port_map != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->port_map, self);
      tsr_port_map_close (self->port_map);
      g_clear_object (&self->port_map);
      g_signal_emit (self, signals[SIGNAL_PORT_MAPPING_CHANGED], 0);
    }
}

gboolean
tsr_session_get_port_mapping (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), FALSE);
  return self->port_map_wanted;
}

TsrPortMap *
tsr_session_get_port_map (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), NULL);
  return self->port_map;
}

gboolean
tsr_session_unmap_port (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), FALSE);
  return self->port_map != NULL && tsr_port_map_close (self->port_map);
}

static void
on_torrent_state_changed (TsrTorrent *torrent,
                          gpointer    user_data)
{
  TsrSession *self = user_data;

  update_lsd (self, torrent);
  if (self->dht != NULL)
    tsr_dht_lookups_look_up (self->dht, torrent, FALSE);
  update_queue_soon (self);
}

void
tsr_session_set_max_connections (TsrSession *self,
                                 guint       max)
{
  tsr_budget_set_max (self->connections, max);
}

guint
tsr_session_get_n_connections (TsrSession *self)
{
  return tsr_budget_get_used (self->connections);
}

void
tsr_session_set_max_active (TsrSession *self,
                            guint       max_active)
{
  self->max_active = max_active;
  update_queue_soon (self);
}

guint
tsr_session_get_max_active (TsrSession *self)
{
  return self->max_active;
}

void
tsr_session_set_max_seeding (TsrSession *self,
                             guint       max_seeding)
{
  self->max_seeding = max_seeding;
  update_queue_soon (self);
}

guint
tsr_session_get_max_seeding (TsrSession *self)
{
  return self->max_seeding;
}

guint
tsr_session_get_queue_position (TsrSession *self,
                                TsrTorrent *torrent)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), G_MAXUINT);
  return tsr_queue_position_of (torrent);
}

void
tsr_session_set_queue_position (TsrSession *self,
                                TsrTorrent *torrent,
                                guint       position)
{
  g_return_if_fail (TSR_IS_SESSION (self));
  g_return_if_fail (tsr_queue_position_of (torrent) < tsr_queue_get_length (self->queue));

  if (!tsr_queue_move (self->queue, torrent, position))
    return;
  g_signal_emit (self, signals[SIGNAL_QUEUE_CHANGED], 0);
  update_queue_soon (self);
}

void
tsr_session_move_in_queue (TsrSession   *self,
                           TsrTorrent   *torrent,
                           TsrQueueMove  move)
{
  guint position = tsr_session_get_queue_position (self, torrent);

  switch (move)
    {
    case TSR_QUEUE_MOVE_TOP:
      position = 0;
      break;
    case TSR_QUEUE_MOVE_UP:
      position = position > 0 ? position - 1 : 0;
      break;
    case TSR_QUEUE_MOVE_DOWN:
      position++;
      break;
    case TSR_QUEUE_MOVE_BOTTOM:
    default:
      position = G_MAXUINT;
      break;
    }
  tsr_session_set_queue_position (self, torrent, position);
}

TsrTorrent *
tsr_session_get_queued_nth (TsrSession *self,
                            guint       position)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), NULL);
  return position < tsr_queue_get_length (self->queue) ? tsr_queue_get_nth (self->queue, position) : NULL;
}

static TsrTorrent *
adopt_torrent (TsrSession *self,
               TsrTorrent *torrent)
{
  tsr_torrent_set_limiters (torrent, self->up, self->down);
  tsr_torrent_set_listen_port (torrent, tsr_session_get_port (self));
  tsr_torrent_set_connection_budget (torrent, self->connections);
  tsr_torrent_set_read_cache_group (torrent, self->read_group);
  tsr_torrent_set_encryption (torrent, self->encryption);
  tsr_torrent_set_dht_port (torrent, tsr_dht_lookups_get_port (self->dht));
  _tsr_torrent_set_host (torrent, &torrent_host_funcs, self);
  g_list_store_append (self->torrents, torrent);
  tsr_queue_append (self->queue, torrent);
  g_signal_emit (self, signals[SIGNAL_QUEUE_CHANGED], 0);
  return torrent;
}

TsrTorrent *
tsr_session_add_torrent (TsrSession  *self,
                         TsrMetainfo *info,
                         const char  *folder)
{
  g_autoptr(TsrTorrent) torrent = tsr_torrent_new (info, folder, self->peer_id);

  return adopt_torrent (self, torrent);
}

TsrTorrent *
tsr_session_add_magnet (TsrSession      *self,
                        const TsrMagnet *magnet,
                        const char      *folder)
{
  g_autoptr(TsrTorrent) torrent = tsr_torrent_new_from_magnet (magnet, folder, self->peer_id);

  return adopt_torrent (self, torrent);
}

TsrTorrent *
tsr_session_find_torrent (TsrSession   *self,
                          const guint8 *info_hash)
{
  return tsr_queue_find (self->queue, info_hash);
}

void
tsr_session_set_rate_limits (TsrSession *self,
                             guint64     up,
                             guint64     down)
{
  tsr_limiter_set_rate (self->up, up);
  tsr_limiter_set_rate (self->down, down);
}

static void
on_forgotten (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (tsr_torrent_forget_finish (TSR_TORRENT (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tsr_session_remove_torrent_async (TsrSession          *self,
                                  TsrTorrent          *torrent,
                                  gboolean             delete_data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  guint position;

  g_task_set_source_tag (task, tsr_session_remove_torrent_async);
  if (!g_list_store_find (self->torrents, torrent, &position))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The torrent is not in this session"));
      return;
    }
  /* Out of the list first: no incoming peer reaches it from now on. */
  g_object_ref (torrent);
  _tsr_torrent_set_host (torrent, NULL, NULL);
  g_list_store_remove (self->torrents, position);
  tsr_queue_remove (self->queue, torrent);
  g_signal_emit (self, signals[SIGNAL_QUEUE_CHANGED], 0);
  update_queue_soon (self);
  tsr_torrent_forget_async (torrent, delete_data, cancellable, on_forgotten, g_steal_pointer (&task));
  g_object_unref (torrent);
}

gboolean
tsr_session_remove_torrent_finish (TsrSession    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The listener's questions: which running torrent a handshake's info
 * hash names, and every hash an encrypted handshake may name. */
static gpointer
on_listener_find (const guint8 *info_hash,
                  gpointer      user_data)
{
  TsrSession *self = user_data;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);
      TsrTorrentState state = tsr_torrent_get_state (torrent);
      TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);

      /* A hybrid torrent is known by both hashes (BEP 52: a v2 peer may
       * use the truncated v2 one); the answer echoes the one asked. */
      if ((memcmp (tsr_torrent_get_info_hash (torrent), info_hash, 20) == 0 ||
           (info != NULL && info->has_v2 && memcmp (info->info_hash_v2, info_hash, 20) == 0)) &&
          (state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING || state == TSR_TORRENT_FETCHING))
        return torrent;   /* the list holds it */
    }
  return NULL;
}

static void
on_listener_foreach_hash (TsrListenerHashFunc func,
                          gpointer            func_data,
                          gpointer            user_data)
{
  TsrSession *self = user_data;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);
      TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);

      if (func (tsr_torrent_get_info_hash (torrent), func_data))
        return;
      /* A hybrid torrent is known by its v2 hash too (truncated). */
      if (info != NULL && info->has_v1 && info->has_v2 && func (info->info_hash_v2, func_data))
        return;
    }
}

static void
on_listener_accepted (TsrPeer      *peer,
                      gpointer      key,
                      const guint8 *info_hash,
                      gpointer      user_data)
{
  g_autoptr(TsrTorrent) torrent = g_object_ref (TSR_TORRENT (key));   /* while it greets the peer */

  tsr_torrent_add_incoming_for (torrent, peer, info_hash);
}

void
tsr_session_set_encryption (TsrSession        *self,
                            TsrPeerEncryption  mode)
{
  guint i;

  g_return_if_fail (TSR_IS_SESSION (self));

  self->encryption = mode;
  tsr_listener_set_encryption (self->listener, mode);
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);

      tsr_torrent_set_encryption (torrent, mode);
    }
}

TsrPeerEncryption
tsr_session_get_encryption (TsrSession *self)
{
  g_return_val_if_fail (TSR_IS_SESSION (self), TSR_PEER_ENCRYPTION_PREFER);
  return self->encryption;
}

gboolean
tsr_session_listen (TsrSession  *self,
                    guint16      port,
                    GError     **error)
{
  return tsr_session_listen_on (self, NULL, port, error);
}

gboolean
tsr_session_listen_on (TsrSession  *self,
                       const char  *address,
                       guint16      port,
                       GError     **error)
{
  guint i;

  if (!tsr_listener_listen (self->listener, address, port, error))
    return FALSE;
  for (i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->torrents)); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (G_LIST_MODEL (self->torrents), i);

      tsr_torrent_set_listen_port (torrent, tsr_session_get_port (self));
    }
  self->bind_address = g_strdup (address);
  start_lsd (self);
  start_udp (self);
  start_dht (self);
  start_port_map (self);
  return TRUE;
}
