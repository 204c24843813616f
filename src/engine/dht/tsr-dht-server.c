/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-server.c: queries from other DHT nodes, apart from the node
 * that receives them (tsr-dht.c).
 *
 * Each sender gets TSR_DHT_QUERY_RATE answers a second; past that its
 * queries go unanswered. A querying node is offered to the routing table
 * (unless it says it is read-only, BEP 43). find_node and get_peers are
 * answered with the closest nodes of the family asked for (BEP 32), and
 * get_peers also with a write token (tsr-dht-token.c) and the peers
 * stored for the hash. announce_peer with a valid token stores the
 * sender (or the port it names), up to TSR_DHT_MAX_STORED peers per
 * hash for TSR_DHT_STORE_SECONDS. Every reply tells the sender its
 * address (BEP 42).
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <string.h>

#include "tsr-dht-server.h"
#include "tsr-util.h"
#include "tsr-dht-table.h"
#include "tsr-dht-token.h"

#define MAX_RATE_HOSTS 4096
/* Info hashes we keep peers for: a bound on what strangers can make us keep. */
#define MAX_STORED_HASHES 10000

typedef struct
{
  TsrPeerAddress address;
  gint64         seen;
} Stored;

typedef struct
{
  gint64 second;
  guint  count;
} Rate;

struct _TsrDhtServer
{
  const TsrDhtServerFuncs *funcs;
  gpointer                 user_data;
  const guint8            *id;       /* borrowed: the host's node id */
  TsrDhtTokens            *tokens;   /* (owned) */
  GHashTable              *store;    /* info hash → GArray of Stored */
  GHashTable              *rates;    /* address string → Rate */
};

static void
stored_array_free (gpointer data)
{
  g_array_unref (data);
}

TsrDhtServer *
tsr_dht_server_new (const guint8            *id,
                    gint64                   now,
                    const TsrDhtServerFuncs *funcs,
                    gpointer                 user_data)
{
  TsrDhtServer *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (funcs != NULL, NULL);

  self = g_new0 (TsrDhtServer, 1);
  self->funcs = funcs;
  self->user_data = user_data;
  self->id = id;
  self->tokens = tsr_dht_tokens_new (now);
  self->store = g_hash_table_new_full (tsr_hash20_hash, tsr_hash20_equal, g_free, stored_array_free);
  self->rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
tsr_dht_server_free (TsrDhtServer *self)
{
  if (self == NULL)
    return;
  tsr_dht_tokens_free (self->tokens);
  g_hash_table_unref (self->store);
  g_hash_table_unref (self->rates);
  g_free (self);
}

static gboolean
rate_allows (TsrDhtServer         *self,
             const TsrPeerAddress *from,
             gint64                second)
{
  TsrPeerAddress bare = *from;
  g_autofree char *key = NULL;
  Rate *rate;
  gboolean loopback = (from->family == 4 && from->address[0] == 127) ||
                      (from->family == 6 && memcmp (from->address, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);

  /* By address: one host, one budget. On loopback every node of this
   * machine shares the address, so the port tells them apart there. */
  if (!loopback)
    bare.port = 0;
  key = tsr_peer_address_to_string (&bare);
  rate = g_hash_table_lookup (self->rates, key);
  if (rate == NULL)
    {
      if (g_hash_table_size (self->rates) >= MAX_RATE_HOSTS)
        g_hash_table_remove_all (self->rates);
      rate = g_new0 (Rate, 1);
      g_hash_table_insert (self->rates, g_steal_pointer (&key), rate);
    }
  if (rate->second != second)
    {
      rate->second = second;
      rate->count = 0;
    }
  return ++rate->count <= TSR_DHT_QUERY_RATE;
}

static void
closest_nodes (TsrDhtServer *self,
               const guint8 *target,
               TsrKrpcWant   want,
               guint         family,
               GArray      **nodes,
               GArray      **nodes6)
{
  if (want == TSR_KRPC_WANT_NONE)
    want = family == 6 ? TSR_KRPC_WANT_N6 : TSR_KRPC_WANT_N4;
  if (want & TSR_KRPC_WANT_N4)
    {
      *nodes = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
      self->funcs->closest (target, 4, TSR_DHT_K, *nodes, self->user_data);
    }
  if (want & TSR_KRPC_WANT_N6)
    {
      *nodes6 = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
      self->funcs->closest (target, 6, TSR_DHT_K, *nodes6, self->user_data);
    }
}

static void
store_peer (TsrDhtServer         *self,
            const guint8         *info_hash,
            const TsrPeerAddress *peer,
            gint64                now)
{
  GArray *peers = g_hash_table_lookup (self->store, info_hash);
  Stored stored = { *peer, now };
  guint i;

  if (peers == NULL)
    {
      /* A bound on what strangers can make us keep. */
      if (g_hash_table_size (self->store) >= MAX_STORED_HASHES)
        return;
      peers = g_array_new (FALSE, FALSE, sizeof (Stored));
      g_hash_table_insert (self->store, g_memdup2 (info_hash, TSR_DHT_ID_LENGTH), peers);
    }
  for (i = 0; i < peers->len; i++)
    {
      Stored *old = &g_array_index (peers, Stored, i);

      if (old->address.family == peer->family && old->address.port == peer->port &&
          memcmp (old->address.address, peer->address, 16) == 0)
        {
          old->seen = stored.seen;
          return;
        }
    }
  if (peers->len >= TSR_DHT_MAX_STORED)
    g_array_remove_index (peers, 0);
  g_array_append_val (peers, stored);
}

void
tsr_dht_server_handle_query (TsrDhtServer         *self,
                             const TsrKrpcMessage *message,
                             const TsrPeerAddress *from,
                             gint64                now)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GArray) nodes = NULL;
  g_autoptr(GArray) nodes6 = NULL;
  g_autoptr(GArray) values = NULL;
  TsrDhtNode node;
  guint8 token[TSR_DHT_TOKEN_LENGTH];

  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL && from != NULL);

  if (!rate_allows (self, from, now))
    return;
  memcpy (node.id, message->id, TSR_DHT_ID_LENGTH);
  node.address = *from;
  /* BEP 43: a read-only node is answered but not taken into the table. */
  if (!message->read_only)
    self->funcs->table_seen (&node, self->user_data);
  switch (message->method)
    {
    case TSR_KRPC_METHOD_PING:
      reply = tsr_krpc_write_response (message->transaction, message->transaction_length, self->id, from,
                                       NULL, NULL, NULL, NULL, 0);
      break;
    case TSR_KRPC_METHOD_FIND_NODE:
      closest_nodes (self, message->target, message->want, from->family, &nodes, &nodes6);
      reply = tsr_krpc_write_response (message->transaction, message->transaction_length, self->id, from,
                                       nodes, nodes6, NULL, NULL, 0);
      break;
    case TSR_KRPC_METHOD_GET_PEERS:
      {
        GArray *stored = g_hash_table_lookup (self->store, message->info_hash);
        guint i;

        tsr_dht_tokens_make (self->tokens, from, token);
        if (stored != NULL)
          {
            values = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
            for (i = 0; i < stored->len && values->len < TSR_KRPC_MAX_VALUES; i++)
              if (g_array_index (stored, Stored, i).address.family == from->family)
                g_array_append_val (values, g_array_index (stored, Stored, i).address);
          }
        /* Nodes always, values too when we have some (as libtorrent does):
         * a lookup that meets peers early still reaches the closest nodes,
         * where its announce belongs. */
        closest_nodes (self, message->info_hash, message->want, from->family, &nodes, &nodes6);
        reply = tsr_krpc_write_response (message->transaction, message->transaction_length, self->id, from,
                                         nodes, nodes6, values != NULL && values->len > 0 ? values : NULL,
                                         token, sizeof token);
      }
      break;
    case TSR_KRPC_METHOD_ANNOUNCE_PEER:
      if (!message->has_token || !tsr_dht_tokens_check (self->tokens, from, message->token, message->token_length))
        {
          reply = tsr_krpc_write_error (message->transaction, message->transaction_length, TSR_KRPC_CODE_PROTOCOL,
                                        "bad token", from);
          break;
        }
      {
        TsrPeerAddress peer = *from;

        if (!message->implied_port)
          peer.port = message->port;
        store_peer (self, message->info_hash, &peer, now);
      }
      reply = tsr_krpc_write_response (message->transaction, message->transaction_length, self->id, from,
                                       NULL, NULL, NULL, NULL, 0);
      break;
    case TSR_KRPC_METHOD_UNKNOWN:
    default:
      reply = tsr_krpc_write_error (message->transaction, message->transaction_length,
                                    TSR_KRPC_CODE_METHOD_UNKNOWN, "method unknown", from);
      break;
    }
  if (reply != NULL)
    self->funcs->send_reply (from, reply, self->user_data);
}

void
tsr_dht_server_upkeep (TsrDhtServer *self,
                       gint64        now)
{
  GHashTableIter iter;
  gpointer value;
  guint i;

  g_return_if_fail (self != NULL);

  tsr_dht_tokens_rotate (self->tokens, now);
  /* Stored peers expire. */
  g_hash_table_iter_init (&iter, self->store);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GArray *peers = value;

      for (i = peers->len; i > 0; i--)
        if (now - g_array_index (peers, Stored, i - 1).seen > TSR_DHT_STORE_SECONDS)
          g_array_remove_index (peers, i - 1);
      if (peers->len == 0)
        g_hash_table_iter_remove (&iter);
    }
}
