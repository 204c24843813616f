/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht.c: a Mainline DHT node over the pure parts: the KRPC codec
 * (tsr-krpc.c), the routing table (tsr-dht-table.c) and BEP 42 ids
 * (tsr-dht-id.c). Lookups are TsrDhtLookups (tsr-dht-lookup.c), and
 * queries from others are answered by a TsrDhtServer (tsr-dht-server.c,
 * which keeps the tokens and the peers announced to us); both reach
 * the sockets and the tables through callback tables given here. The
 * state file's format is tsr-dht-state.c's.
 *
 * One UDP socket per address family (net/tsr-udp-socket.c), the
 * session's, shared with uTP and the UDP trackers, or our own when we
 * run alone (the CLI's `dht` command, tests); we are its KRPC receiver. Queries we
 * send carry a 2-byte transaction id and wait TSR_DHT_QUERY_TIMEOUT
 * seconds; a node that answers goes into the table, one that does not
 * gets a failure (two make it bad), at once when the socket reports its
 * address unreachable (ICMP). A one-second tick expires queries,
 * moves lookups on, and now and then pings questionable nodes, refreshes
 * stale buckets, rotates the token secret, forgets stored peers and
 * saves the state.
 *
 * Every query goes through a budget per node (tsr-dht-contacts.c): a few
 * at once, then two a second, and a growing pause for a node that does
 * not answer. Other implementations ban floods (libtorrent: 50 packets
 * in 10 seconds from one address, for five minutes), and a node that
 * answers nothing is not worth asking again and again.
 *
 * BEP 42: answers tell the requester its address ("ip"); once three
 * nodes agree on our external address and our id does not fit it, the
 * node takes an id that does and moves its nodes into new tables. Nodes
 * whose ids do not fit their (non-local) address answer lookups but do
 * not enter the tables.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-dht-contacts.h"
#include "tsr-dht-id.h"
#include "tsr-dht-lookup.h"
#include "tsr-dht-server.h"
#include "tsr-dht-state.h"
#include "tsr-dht-table.h"
#include "tsr-dht.h"
#include "tsr-krpc.h"
#include "tsr-udp-socket.h"
#include "tsr-util.h"

#define MAX_PENDING 1024          /* queries in flight, at most */
#define MAINTENANCE_EVERY 15      /* seconds between pings and refreshes */
#define BOOTSTRAP_EVERY 30        /* seconds between bootstraps while empty */
#define SAVE_EVERY 300
#define EXTERNAL_VOTES 3
#define REASK_SECONDS 60          /* bootstrapping asks a node once a minute at most */

const char *const tsr_dht_default_bootstrap[] = {
  "router.bittorrent.com:6881",
  "dht.transmissionbt.com:6881",
  "router.utorrent.com:6881",
  "dht.libtorrent.org:25401",
  NULL
};

typedef enum
{
  QUERY_PING,
  QUERY_FIND_NODE,
  QUERY_GET_PEERS,
  QUERY_ANNOUNCE,
} QueryKind;

typedef struct
{
  guint16     transaction;
  QueryKind   kind;
  TsrDhtNode  node;
  gboolean    id_known;     /* bootstrap pings go to an address alone */
  gint64      sent;         /* monotonic seconds */
  TsrDhtLookup *lookup;     /* (nullable) (owned: a reference) */
} Query;

struct _TsrDht
{
  GObject       parent_instance;
  TsrUdpSocket *udp4;        /* (owned: a reference) (nullable) */
  TsrUdpSocket *udp6;        /* (owned: a reference) (nullable) */
  guint16       port;
  guint8        id[TSR_DHT_ID_LENGTH];
  TsrDhtTable  *table4;      /* (owned) */
  TsrDhtTable  *table6;      /* (owned) */
  TsrDhtServer *server;      /* (owned) queries from others */
  TsrDhtContacts *contacts;  /* (owned) what we may still send to whom */
  GHashTable   *pending;     /* transaction → Query (owned) */
  guint16       next_transaction;
  GHashTable   *lookups;     /* info hash (20 bytes, owned) → TsrDhtLookup (ref) */
  GHashTable   *votes;       /* external address string → count */
  char         *external;    /* (nullable) our address as the DHT agrees */
  char         *state_path;  /* (nullable) */
  char        **bootstrap;   /* (nullable) */
  gint64        last_bootstrap;
  gint64        last_maintenance;
  gint64        last_save;
  guint         tick_source;
  GCancellable *cancellable;
};

enum
{
  SIGNAL_PEERS,
  SIGNAL_LOOKUP_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrDht, tsr_dht, G_TYPE_OBJECT)

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
query_free (Query *query)
{
  g_clear_pointer (&query->lookup, tsr_dht_lookup_unref);
  g_free (query);
}

static void
tsr_dht_dispose (GObject *object)
{
  TsrDht *self = TSR_DHT (object);

  if (self->state_path != NULL && self->table4 != NULL)
    tsr_dht_save (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  /* The sockets may be the session's, and outlive us. */
  if (self->udp4 != NULL)
    tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (self->udp4), TSR_UDP_KIND_KRPC, NULL, NULL);
  if (self->udp6 != NULL)
    tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (self->udp6), TSR_UDP_KIND_KRPC, NULL, NULL);
  g_clear_pointer (&self->udp4, tsr_udp_socket_unref);
  g_clear_pointer (&self->udp6, tsr_udp_socket_unref);
  if (self->lookups != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->lookups);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        tsr_dht_lookup_detach (value);
    }
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  G_OBJECT_CLASS (tsr_dht_parent_class)->dispose (object);
}

static void
tsr_dht_finalize (GObject *object)
{
  TsrDht *self = TSR_DHT (object);

  g_clear_pointer (&self->table4, tsr_dht_table_free);
  g_clear_pointer (&self->table6, tsr_dht_table_free);
  g_clear_pointer (&self->server, tsr_dht_server_free);
  g_clear_pointer (&self->contacts, tsr_dht_contacts_free);
  g_clear_pointer (&self->votes, g_hash_table_unref);
  g_free (self->external);
  g_free (self->state_path);
  g_strfreev (self->bootstrap);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tsr_dht_parent_class)->finalize (object);
}

static void
tsr_dht_class_init (TsrDhtClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_dht_dispose;
  object_class->finalize = tsr_dht_finalize;

  /* (info hash: 20 bytes, GArray of TsrPeerAddress), valid during emission. */
  signals[SIGNAL_PEERS] = g_signal_new ("peers", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
  /* (info hash, nodes that answered). */
  signals[SIGNAL_LOOKUP_DONE] = g_signal_new ("lookup-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                              NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
}

static void
tsr_dht_init (TsrDht *self)
{
  self->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) query_free);
  self->lookups = g_hash_table_new_full (tsr_hash20_hash, tsr_hash20_equal, g_free, (GDestroyNotify) tsr_dht_lookup_unref);
  self->votes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->contacts = tsr_dht_contacts_new ();
  self->next_transaction = (guint16) g_random_int ();
  self->last_bootstrap = G_MININT64 / 2;
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

/* A resolved node, IPv4-mapped addresses as IPv4; FALSE for port 0
 * (nothing can answer there). */
static gboolean
peer_address (GSocketAddress *from,
              TsrPeerAddress *out)
{
  return tsr_peer_address_from_socket (from, out) && out->port != 0;
}

static TsrDhtTable *
table_for (TsrDht *self,
           guint   family)
{
  return family == 6 ? self->table6 : self->table4;
}

static void
send_to (TsrDht               *self,
         const TsrPeerAddress *to,
         GBytes               *packet)
{
  TsrUdpSocket *udp = to->family == 6 ? self->udp6 : self->udp4;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (packet, &length);

  /* A full queue drops it: the query times out like a lost one. */
  if (udp != NULL)
    (void) tsr_udp_socket_send (udp, to, data, length);
}

/* ------------------------------------------------------------------ */
/* Our queries                                                         */

/* @target: find_node's (NULL: our own id). Nothing is sent unless the
 * node's budget allows (TSR_DHT_SEND_LATER when it is spent or too many
 * queries are in flight, TSR_DHT_SEND_BACKOFF while the node is paused
 * for not answering). get_peers and announce_peer are @lookup's, with
 * @token for the announce. */
static TsrDhtSend
send_query_full (TsrDht           *self,
                 QueryKind         kind,
                 const TsrDhtNode *node,
                 gboolean          id_known,
                 TsrDhtLookup     *lookup,
                 const guint8     *token,
                 gsize             token_length,
                 const guint8     *target)
{
  g_autoptr(GBytes) packet = NULL;
  Query *query;
  guint8 transaction[2];
  guint tries;
  TsrDhtSend verdict;

  if (g_hash_table_size (self->pending) >= MAX_PENDING)
    return TSR_DHT_SEND_LATER;
  verdict = tsr_dht_contacts_send (self->contacts, &node->address, g_get_monotonic_time ());
  if (verdict != TSR_DHT_SEND_OK)
    return verdict;
  for (tries = 0; tries < 8 && g_hash_table_contains (self->pending, GUINT_TO_POINTER (self->next_transaction));
       tries++)
    self->next_transaction++;
  query = g_new0 (Query, 1);
  query->transaction = self->next_transaction++;
  query->kind = kind;
  query->node = *node;
  query->id_known = id_known;
  query->sent = now_seconds ();
  query->lookup = lookup != NULL ? tsr_dht_lookup_ref (lookup) : NULL;
  transaction[0] = (guint8) (query->transaction >> 8);
  transaction[1] = (guint8) query->transaction;
  switch (kind)
    {
    case QUERY_PING:
      packet = tsr_krpc_write_ping (transaction, 2, self->id, FALSE);
      break;
    case QUERY_FIND_NODE:
      packet = tsr_krpc_write_find_node (transaction, 2, self->id, FALSE, target != NULL ? target : self->id,
                                         TSR_KRPC_WANT_NONE);
      break;
    case QUERY_GET_PEERS:
      packet = tsr_krpc_write_get_peers (transaction, 2, self->id, FALSE, tsr_dht_lookup_get_target (lookup),
                                         TSR_KRPC_WANT_NONE);
      break;
    case QUERY_ANNOUNCE:
    default:
      packet = tsr_krpc_write_announce_peer (transaction, 2, self->id, FALSE, tsr_dht_lookup_get_target (lookup),
                                             tsr_dht_lookup_get_announce_port (lookup), FALSE, token,
                                             token_length);
      break;
    }
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (query->transaction), query);
  send_to (self, &node->address, packet);
  return TSR_DHT_SEND_OK;
}

/* A ping or find_node of our own (not a lookup's). */
static TsrDhtSend
send_query (TsrDht           *self,
            QueryKind         kind,
            const TsrDhtNode *node,
            gboolean          id_known)
{
  return send_query_full (self, kind, node, id_known, NULL, NULL, 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Lookups and the server: their callbacks                             */

static TsrDhtSend
lookup_send_query (TsrDhtLookup      *lookup,
                   TsrDhtLookupQuery  query,
                   const TsrDhtNode  *node,
                   const guint8      *token,
                   gsize              token_length,
                   gpointer           user_data)
{
  TsrDht *self = user_data;

  return send_query_full (self, query == TSR_DHT_LOOKUP_ANNOUNCE ? QUERY_ANNOUNCE : QUERY_GET_PEERS, node, TRUE,
                          lookup, token, token_length, NULL);
}

static void
closest_in_table (const guint8 *target,
                  guint         family,
                  guint         count,
                  GArray       *nodes,
                  gpointer      user_data)
{
  TsrDht *self = user_data;

  tsr_dht_table_closest (table_for (self, family), target, count, nodes);
}

static void
lookup_found_peers (const guint8 *target,
                    const GArray *peers,
                    gpointer      user_data)
{
  TsrDht *self = user_data;

  g_signal_emit (self, signals[SIGNAL_PEERS], 0, target, peers);
}

static void
lookup_done (const guint8 *target,
             guint         answered,
             gpointer      user_data)
{
  TsrDht *self = user_data;

  g_hash_table_remove (self->lookups, target);
  g_signal_emit (self, signals[SIGNAL_LOOKUP_DONE], 0, target, answered);
}

static const TsrDhtLookupFuncs lookup_funcs = {
  .send_query = lookup_send_query,
  .closest = closest_in_table,
  .found_peers = lookup_found_peers,
  .done = lookup_done,
};

/* ------------------------------------------------------------------ */
/* BEP 42: our id and our external address                            */

static void
move_to_new_id (TsrDht       *self,
                const guint8 *id)
{
  TsrDhtTable *old[2] = { self->table4, self->table6 };
  guint k;

  memcpy (self->id, id, TSR_DHT_ID_LENGTH);
  self->table4 = tsr_dht_table_new (self->id, 4);
  self->table6 = tsr_dht_table_new (self->id, 6);
  for (k = 0; k < 2; k++)
    {
      TsrDhtTableIter iter;
      const TsrDhtTableEntry *entry;

      tsr_dht_table_iter_init (&iter, old[k]);
      while (tsr_dht_table_iter_next (&iter, &entry))
        tsr_dht_table_heard_from (table_for (self, entry->node.address.family), &entry->node,
                                  entry->last_response != TSR_DHT_NEVER, now_seconds ());
      tsr_dht_table_free (old[k]);
    }
}

static void
vote_external (TsrDht               *self,
               const TsrPeerAddress *ip)
{
  TsrPeerAddress bare = *ip;
  g_autofree char *key = NULL;
  guint votes;

  if (tsr_dht_address_is_local (ip))
    return;
  bare.port = 0;
  key = tsr_peer_address_to_string (&bare);
  if (g_hash_table_size (self->votes) > 64)
    g_hash_table_remove_all (self->votes);
  votes = GPOINTER_TO_UINT (g_hash_table_lookup (self->votes, key)) + 1;
  g_hash_table_insert (self->votes, g_strdup (key), GUINT_TO_POINTER (votes));
  if (votes < EXTERNAL_VOTES || g_strcmp0 (self->external, key) == 0)
    return;
  g_free (self->external);
  self->external = g_strdup (key);
  g_hash_table_remove_all (self->votes);
  if (!tsr_dht_node_id_valid_for_ip (self->id, ip))
    {
      guint8 id[TSR_DHT_ID_LENGTH];

      tsr_dht_node_id_for_ip (ip, (guint8) g_random_int (), id);
      g_debug ("external address %s: new id (BEP 42)", key);
      move_to_new_id (self, id);
    }
}

/* Nodes whose id does not fit their public address stay out of the
 * tables (BEP 42); local addresses are exempt. */
static gboolean
may_enter_table (const TsrDhtNode *node)
{
  return tsr_dht_address_is_local (&node->address) ||
         tsr_dht_node_id_valid_for_ip (node->id, &node->address);
}

/* ------------------------------------------------------------------ */
/* Answers to our queries                                              */

/* Bootstrapping: ask the nodes we hear of for our own neighbourhood;
 * they join the table when they answer. Each once: in a small DHT every
 * answer names the same few nodes, and asking each again for each answer
 * is a flood that gets us banned (libtorrent's dht_block_ratelimit). */
static void
take_nodes (TsrDht       *self,
            const GArray *nodes)
{
  guint i;

  if (nodes == NULL)
    return;
  for (i = 0; i < nodes->len; i++)
    {
      const TsrDhtNode *node = &g_array_index (nodes, TsrDhtNode, i);

      /* Other nodes name us too (libtorrent does once we queried it):
       * we never query ourselves. */
      if (node->address.port == 0 || memcmp (node->id, self->id, TSR_DHT_ID_LENGTH) == 0)
        continue;
      if (may_enter_table (node) && tsr_dht_table_get_n_nodes (table_for (self, node->address.family)) < 64 &&
          !tsr_dht_contacts_asked_within (self->contacts, &node->address, g_get_monotonic_time (),
                                          REASK_SECONDS))
        send_query (self, QUERY_FIND_NODE, node, TRUE);
    }
}

static void
on_response (TsrDht               *self,
             const TsrKrpcMessage *message,
             const TsrPeerAddress *from)
{
  Query *query;
  guint16 transaction;
  TsrDhtNode node;
  TsrDhtLookup *lookup;

  if (message->transaction_length != 2)
    return;
  transaction = (guint16) (message->transaction[0] << 8 | message->transaction[1]);
  query = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (transaction));
  if (query == NULL || query->node.address.family != from->family ||
      memcmp (query->node.address.address, from->address, 16) != 0 || query->node.address.port != from->port)
    return;
  tsr_dht_contacts_answered (self->contacts, from, g_get_monotonic_time ());
  memcpy (node.id, message->id, TSR_DHT_ID_LENGTH);
  node.address = *from;
  if (query->id_known && memcmp (query->node.id, message->id, TSR_DHT_ID_LENGTH) != 0)
    {
      /* Another node at that address now: the old one is gone. */
      tsr_dht_table_failed (table_for (self, from->family), &query->node, now_seconds ());
      query->id_known = FALSE;
    }
  if (message->type == TSR_KRPC_TYPE_RESPONSE && may_enter_table (&node))
    tsr_dht_table_heard_from (table_for (self, from->family), &node, TRUE, now_seconds ());
  if (message->has_ip)
    vote_external (self, &message->ip);

  lookup = query->lookup != NULL ? tsr_dht_lookup_ref (query->lookup) : NULL;
  if (lookup != NULL && query->kind == QUERY_GET_PEERS)
    {
      /* A lookup that ended (or a node going) ignores it. */
      tsr_dht_lookup_answered (lookup, &query->node, from, message);
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (transaction));
      tsr_dht_lookup_step (lookup);
    }
  else
    {
      if (message->type == TSR_KRPC_TYPE_RESPONSE && query->kind == QUERY_FIND_NODE && query->lookup == NULL)
        {
          take_nodes (self, message->nodes);
          take_nodes (self, message->nodes6);
        }
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (transaction));
    }
  tsr_dht_lookup_unref (lookup);
}

/* ------------------------------------------------------------------ */
/* Queries from others                                                 */

static void
server_send_reply (const TsrPeerAddress *to,
                   GBytes               *reply,
                   gpointer              user_data)
{
  send_to (user_data, to, reply);
}

static void
server_table_seen (const TsrDhtNode *node,
                   gpointer          user_data)
{
  TsrDht *self = user_data;

  if (may_enter_table (node))
    tsr_dht_table_heard_from (table_for (self, node->address.family), node, FALSE, now_seconds ());
}

static const TsrDhtServerFuncs server_funcs = {
  .send_reply = server_send_reply,
  .table_seen = server_table_seen,
  .closest = closest_in_table,
};

/* A datagram starting with 'd', from the socket's batch. */
static void
on_krpc_received (const guint8         *data,
                  gsize                 length,
                  const TsrPeerAddress *from,
                  gpointer              user_data)
{
  TsrDht *self = user_data;
  g_autoptr(TsrKrpcMessage) message = tsr_krpc_message_parse (data, length, NULL);

  if (message == NULL)
    return;
  if (message->type == TSR_KRPC_TYPE_QUERY)
    tsr_dht_server_handle_query (self->server, message, from, now_seconds ());
  else
    on_response (self, message, from);
}

/* The query under @key is lost (unanswered, or its node unreachable):
 * the node gets a failure and its lookup moves on. */
static void
query_failed (TsrDht   *self,
              gpointer  key,
              gint64    now)
{
  Query *query = g_hash_table_lookup (self->pending, key);
  TsrDhtLookup *lookup;

  if (query == NULL)
    return;
  lookup = query->lookup != NULL ? tsr_dht_lookup_ref (query->lookup) : NULL;
  if (query->id_known)
    tsr_dht_table_failed (table_for (self, query->node.address.family), &query->node, now);
  tsr_dht_contacts_timed_out (self->contacts, &query->node.address, g_get_monotonic_time ());
  if (lookup != NULL && query->kind == QUERY_GET_PEERS)
    tsr_dht_lookup_failed (lookup, &query->node);
  g_hash_table_remove (self->pending, key);
  if (lookup != NULL)
    {
      tsr_dht_lookup_step (lookup);
      tsr_dht_lookup_unref (lookup);
    }
}

/* The socket's error queue: nothing listens at @to (ICMP). Its queries
 * fail now rather than after TSR_DHT_QUERY_TIMEOUT, as libtorrent's
 * node_failed does; the report is ours when a query to @to was pending.
 * A walk of the pending queries (MAX_PENDING at most): such reports are
 * few, and the socket reads a bounded number a wake-up. */
static gboolean
on_krpc_unreachable (const TsrPeerAddress *to,
                     const GError         *error,
                     gpointer              user_data)
{
  TsrDht *self = user_data;
  g_autoptr(GPtrArray) lost = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (tsr_peer_address_equal (&((Query *) value)->node.address, to))
      g_ptr_array_add (lost, key);
  for (i = 0; i < lost->len; i++)
    query_failed (self, lost->pdata[i], now_seconds ());
  return lost->len > 0;
}

static const TsrUdpReceiverFuncs krpc_funcs = {
  .received = on_krpc_received,
  .unreachable = on_krpc_unreachable,
};

/* ------------------------------------------------------------------ */
/* Upkeep                                                              */

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TsrDht) self = user_data;
  g_autoptr(GList) addresses = NULL;
  guint16 port = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (source), "tsr-port"));
  GList *l;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, NULL);
  if (addresses == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_list_free_full (g_steal_pointer (&addresses), g_object_unref);
      return;
    }
  for (l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);
      TsrDhtNode node = { { 0 } };

      if (peer_address (address, &node.address))
        send_query (self, QUERY_FIND_NODE, &node, FALSE);
    }
  g_list_free_full (g_steal_pointer (&addresses), g_object_unref);
}

static void
bootstrap (TsrDht *self)
{
  guint i;

  self->last_bootstrap = now_seconds ();
  for (i = 0; self->bootstrap != NULL && self->bootstrap[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port = 0;
      GResolver *resolver;
      TsrDhtNode node = { { 0 } };
      const char *colon = strrchr (self->bootstrap[i], ':');

      /* A numeric address is queried at once; a host name is resolved. */
      if (tsr_peer_address_parse (self->bootstrap[i], &node.address))
        {
          send_query (self, QUERY_FIND_NODE, &node, FALSE);
          continue;
        }
      if (colon == NULL)
        continue;
      port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
      host = g_strndup (self->bootstrap[i], colon - self->bootstrap[i]);
      if (host[0] == '[' && host[strlen (host) - 1] == ']')
        {
          char *bare = g_strndup (host + 1, strlen (host) - 2);

          g_free (host);
          host = bare;
        }
      if (port == 0)
        continue;
      resolver = g_resolver_get_default ();
      g_object_set_data (G_OBJECT (resolver), "tsr-port", GUINT_TO_POINTER (port));
      g_resolver_lookup_by_name_async (resolver, host, self->cancellable, on_resolved, g_object_ref (self));
      g_object_unref (resolver);
    }
}

static void
maintain (TsrDht *self)
{
  gint64 now = now_seconds ();
  guint k, i;

  self->last_maintenance = now;
  /* The token secret rotates and stored peers expire. */
  tsr_dht_server_upkeep (self->server, now);
  tsr_dht_contacts_expire (self->contacts, g_get_monotonic_time ());
  for (k = 0; k < 2; k++)
    {
      TsrDhtTable *table = k == 0 ? self->table4 : self->table6;
      g_autoptr(GArray) ping = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
      g_autoptr(GArray) targets = g_array_new (FALSE, FALSE, TSR_DHT_ID_LENGTH);

      tsr_dht_table_nodes_to_ping (table, now, ping);
      for (i = 0; i < ping->len; i++)
        send_query (self, QUERY_PING, &g_array_index (ping, TsrDhtNode, i), TRUE);
      tsr_dht_table_buckets_to_refresh (table, now, targets);
      for (i = 0; i < targets->len && i < 4; i++)
        {
          g_autoptr(GArray) closest = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
          const guint8 *target = (const guint8 *) targets->data + i * TSR_DHT_ID_LENGTH;

          /* One find_node for a random id in a stale bucket. */
          tsr_dht_table_closest (table, target, 1, closest);
          if (closest->len > 0)
            send_query_full (self, QUERY_FIND_NODE, &g_array_index (closest, TsrDhtNode, 0), TRUE, NULL, NULL, 0,
                             target);
        }
    }
}

static gboolean
on_tick (gpointer user_data)
{
  TsrDht *self = user_data;
  gint64 now = now_seconds ();
  g_autoptr(GPtrArray) timed_out = g_ptr_array_new ();
  g_autoptr(GPtrArray) lookups = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (now - ((Query *) value)->sent >= TSR_DHT_QUERY_TIMEOUT)
      g_ptr_array_add (timed_out, key);
  for (i = 0; i < timed_out->len; i++)
    query_failed (self, timed_out->pdata[i], now);
  /* Lookups that had no node to ask try again as nodes come. */
  lookups = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->lookups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (lookups, value);
  for (i = 0; i < lookups->len; i++)
    {
      TsrDhtLookup *lookup = tsr_dht_lookup_ref (lookups->pdata[i]);

      tsr_dht_lookup_retry (lookup);
      tsr_dht_lookup_unref (lookup);
    }
  if (tsr_dht_get_n_nodes (self) < TSR_DHT_K && now - self->last_bootstrap >= BOOTSTRAP_EVERY)
    bootstrap (self);
  if (now - self->last_maintenance >= MAINTENANCE_EVERY)
    maintain (self);
  if (self->state_path != NULL && now - self->last_save >= SAVE_EVERY)
    {
      self->last_save = now;
      tsr_dht_save (self, NULL);
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* State                                                               */

static gboolean
load_state (TsrDht      *self,
            const char  *path,
            GError     **error)
{
  TsrDhtTable *table4 = NULL;
  TsrDhtTable *table6 = NULL;

  if (!tsr_dht_state_load (path, &table4, &table6, error))
    return FALSE;
  memcpy (self->id, tsr_dht_table_get_id (table4), TSR_DHT_ID_LENGTH);
  g_clear_pointer (&self->table4, tsr_dht_table_free);
  g_clear_pointer (&self->table6, tsr_dht_table_free);
  self->table4 = table4;
  self->table6 = table6;
  return TRUE;
}

gboolean
tsr_dht_save (TsrDht  *self,
              GError **error)
{
  g_return_val_if_fail (TSR_IS_DHT (self), FALSE);

  if (self->state_path == NULL)
    return TRUE;
  return tsr_dht_state_save (self->state_path, self->table4, self->table6, error);
}

/* ------------------------------------------------------------------ */

static TsrDht *
dht_new (TsrUdpSocket *udp4,
         TsrUdpSocket *udp6,
         const char   *state_path)
{
  TsrDht *self = g_object_new (TSR_TYPE_DHT, NULL);
  g_autoptr(GError) load_error = NULL;

  self->udp4 = udp4 != NULL ? tsr_udp_socket_ref (udp4) : NULL;
  self->udp6 = udp6 != NULL ? tsr_udp_socket_ref (udp6) : NULL;
  self->port = tsr_udp_socket_get_port (udp4 != NULL ? udp4 : udp6);
  self->state_path = g_strdup (state_path);
  if (state_path != NULL && g_file_test (state_path, G_FILE_TEST_EXISTS) &&
      !load_state (self, state_path, &load_error))
    g_message (_("The DHT starts afresh: %s"), load_error->message);
  if (self->table4 == NULL)
    {
      tsr_dht_id_random (self->id);
      self->table4 = tsr_dht_table_new (self->id, 4);
      self->table6 = tsr_dht_table_new (self->id, 6);
    }
  self->server = tsr_dht_server_new (self->id, now_seconds (), &server_funcs, self);
  self->last_maintenance = self->last_save = now_seconds ();
  if (self->udp4 != NULL)
    tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (self->udp4), TSR_UDP_KIND_KRPC, &krpc_funcs, self);
  if (self->udp6 != NULL)
    tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (self->udp6), TSR_UDP_KIND_KRPC, &krpc_funcs, self);
  self->tick_source = g_timeout_add_seconds (1, on_tick, self);
  return self;
}

TsrDht *
tsr_dht_new (const char  *address,
             guint16      port,
             const char  *state_path,
             GError     **error)
{
  g_autoptr(GInetAddress) inet = address != NULL ? g_inet_address_new_from_string (address) : NULL;
  g_autoptr(TsrUdpSocket) udp4 = NULL;
  g_autoptr(TsrUdpSocket) udp6 = NULL;

  if (address != NULL && inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IP address"), address);
      return NULL;
    }
  if (inet == NULL || g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4)
    {
      udp4 = tsr_udp_socket_new (address, TSR_PEER_ADDRESS_IPV4, port, error);
      if (udp4 == NULL)
        return NULL;
      port = tsr_udp_socket_get_port (udp4);
    }
  if (inet == NULL || g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      /* Without IPv6 on this machine the node is IPv4 only. */
      udp6 = tsr_udp_socket_new (address, TSR_PEER_ADDRESS_IPV6, port, inet != NULL ? error : NULL);
      if (udp6 == NULL && inet != NULL)
        return NULL;
    }
  return dht_new (udp4, udp6, state_path);
}

TsrDht *
tsr_dht_new_on_sockets (TsrUdpSocket *udp4,
                        TsrUdpSocket *udp6,
                        const char   *state_path)
{
  g_return_val_if_fail (udp4 != NULL || udp6 != NULL, NULL);
  g_return_val_if_fail (udp4 == NULL || tsr_udp_socket_get_family (udp4) == TSR_PEER_ADDRESS_IPV4, NULL);
  g_return_val_if_fail (udp6 == NULL || tsr_udp_socket_get_family (udp6) == TSR_PEER_ADDRESS_IPV6, NULL);

  return dht_new (udp4, udp6, state_path);
}

guint16
tsr_dht_get_port (TsrDht *self)
{
  g_return_val_if_fail (TSR_IS_DHT (self), 0);
  return self->port;
}

const guint8 *
tsr_dht_get_id (TsrDht *self)
{
  g_return_val_if_fail (TSR_IS_DHT (self), NULL);
  return self->id;
}

void
tsr_dht_set_bootstrap (TsrDht            *self,
                       const char *const *nodes)
{
  g_return_if_fail (TSR_IS_DHT (self));

  g_strfreev (self->bootstrap);
  self->bootstrap = g_strdupv ((char **) nodes);
  if (tsr_dht_get_n_nodes (self) < TSR_DHT_K)
    bootstrap (self);
}

void
tsr_dht_add_node (TsrDht               *self,
                  const TsrPeerAddress *address)
{
  TsrDhtNode node = { { 0 } };

  g_return_if_fail (TSR_IS_DHT (self));

  node.address = *address;
  /* Every connection of a peer can name its node again (BEP 5 port
   * message): it is asked once a minute at most. */
  if (node.address.port != 0 &&
      !tsr_dht_contacts_asked_within (self->contacts, &node.address, g_get_monotonic_time (), REASK_SECONDS))
    send_query (self, QUERY_FIND_NODE, &node, FALSE);
}

guint
tsr_dht_get_n_nodes (TsrDht *self)
{
  guint good4 = 0, questionable4 = 0, bad4 = 0, good6 = 0, questionable6 = 0, bad6 = 0;

  g_return_val_if_fail (TSR_IS_DHT (self), 0);

  tsr_dht_table_count (self->table4, now_seconds (), &good4, &questionable4, &bad4);
  tsr_dht_table_count (self->table6, now_seconds (), &good6, &questionable6, &bad6);
  return good4 + questionable4 + good6 + questionable6;
}

void
tsr_dht_get_peers (TsrDht       *self,
                   const guint8 *info_hash,
                   guint16       announce_port)
{
  TsrDhtLookup *lookup;

  g_return_if_fail (TSR_IS_DHT (self));

  if (g_hash_table_contains (self->lookups, info_hash))
    return;
  lookup = tsr_dht_lookup_new (info_hash, announce_port, self->id, &lookup_funcs, self);
  g_hash_table_insert (self->lookups, g_memdup2 (info_hash, TSR_DHT_ID_LENGTH), lookup);
  tsr_dht_lookup_step (lookup);
}
