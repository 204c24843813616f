/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-lookup.c: an iterative get_peers lookup (BEP 5), apart from
 * the node that runs it (tsr-dht.c).
 *
 * Candidates are kept by XOR distance to the target, at most
 * TSR_DHT_LOOKUP_MAX_CANDIDATES. The lookup keeps TSR_DHT_ALPHA queries
 * in flight to the closest fresh ones; each answer adds the nodes it
 * names and tells the peers it holds (each once), a failure or timeout
 * drops the candidate. Once the TSR_DHT_K closest that did not fail have
 * all answered, the lookup announces to the closest that gave a token
 * and reports that it is done. Sending, the routing tables and the
 * signals are the host's, reached through TsrDhtLookupFuncs.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <string.h>

#include "tsr-dht-lookup.h"
#include "tsr-dht-table.h"

typedef enum
{
  CANDIDATE_FRESH,
  CANDIDATE_ASKED,
  CANDIDATE_ANSWERED,
  CANDIDATE_FAILED,
} CandidateState;

typedef struct
{
  TsrDhtNode     node;
  CandidateState state;
  guint8         token[TSR_KRPC_MAX_TOKEN];
  gsize          token_length;
} Candidate;

struct _TsrDhtLookup
{
  gint                     ref_count;
  const TsrDhtLookupFuncs *funcs;
  gpointer                 user_data;
  gboolean                 detached;     /* the host is gone: no more callbacks */
  const guint8            *own_id;       /* borrowed: the host's id */
  guint8                   target[TSR_DHT_ID_LENGTH];
  guint16                  announce_port;
  GArray                  *candidates;   /* (element-type Candidate) by distance */
  guint                    in_flight;
  guint                    answered;
  gboolean                 done;
  GHashTable              *peers_seen;   /* "address" strings told already */
};

TsrDhtLookup *
tsr_dht_lookup_new (const guint8            *target,
                    guint16                  announce_port,
                    const guint8            *own_id,
                    const TsrDhtLookupFuncs *funcs,
                    gpointer                 user_data)
{
  TsrDhtLookup *self;

  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (own_id != NULL, NULL);
  g_return_val_if_fail (funcs != NULL, NULL);

  self = g_new0 (TsrDhtLookup, 1);
  self->ref_count = 1;
  self->funcs = funcs;
  self->user_data = user_data;
  self->own_id = own_id;
  memcpy (self->target, target, TSR_DHT_ID_LENGTH);
  self->announce_port = announce_port;
  self->candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  self->peers_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

TsrDhtLookup *
tsr_dht_lookup_ref (TsrDhtLookup *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  self->ref_count++;
  return self;
}

void
tsr_dht_lookup_unref (TsrDhtLookup *self)
{
  if (self == NULL || --self->ref_count > 0)
    return;
  g_array_unref (self->candidates);
  g_hash_table_unref (self->peers_seen);
  g_free (self);
}

const guint8 *
tsr_dht_lookup_get_target (TsrDhtLookup *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->target;
}

guint16
tsr_dht_lookup_get_announce_port (TsrDhtLookup *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->announce_port;
}

gboolean
tsr_dht_lookup_is_done (TsrDhtLookup *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->done;
}

void
tsr_dht_lookup_detach (TsrDhtLookup *self)
{
  g_return_if_fail (self != NULL);
  self->detached = TRUE;
}

/* Inserts @node among the candidates by distance, once. */
static void
add_candidate (TsrDhtLookup     *self,
               const TsrDhtNode *node)
{
  guint i;
  Candidate candidate = { 0 };

  if (memcmp (node->id, self->own_id, TSR_DHT_ID_LENGTH) == 0)
    return;
  for (i = 0; i < self->candidates->len; i++)
    {
      Candidate *existing = &g_array_index (self->candidates, Candidate, i);
      int order = tsr_dht_id_compare_distance (self->target, node->id, existing->node.id);

      if (memcmp (existing->node.id, node->id, TSR_DHT_ID_LENGTH) == 0)
        return;
      if (order < 0)
        break;
    }
  if (i >= TSR_DHT_LOOKUP_MAX_CANDIDATES)
    return;
  candidate.node = *node;
  g_array_insert_val (self->candidates, i, candidate);
  if (self->candidates->len > TSR_DHT_LOOKUP_MAX_CANDIDATES)
    g_array_set_size (self->candidates, TSR_DHT_LOOKUP_MAX_CANDIDATES);
}

static void
fill_from_tables (TsrDhtLookup *self)
{
  g_autoptr(GArray) nodes = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  guint i;

  self->funcs->closest (self->target, 4, TSR_DHT_K * 2, nodes, self->user_data);
  self->funcs->closest (self->target, 6, TSR_DHT_K * 2, nodes, self->user_data);
  for (i = 0; i < nodes->len; i++)
    add_candidate (self, &g_array_index (nodes, TsrDhtNode, i));
}

static void
finish (TsrDhtLookup *self)
{
  guint8 target[TSR_DHT_ID_LENGTH];
  guint i, told = 0;

  self->done = TRUE;
  memcpy (target, self->target, sizeof target);
  /* Announce to the closest that answered with a token. */
  if (self->announce_port != 0)
    for (i = 0; i < self->candidates->len && told < TSR_DHT_K; i++)
      {
        Candidate *candidate = &g_array_index (self->candidates, Candidate, i);

        if (candidate->state != CANDIDATE_ANSWERED || candidate->token_length == 0)
          continue;
        self->funcs->send_query (self, TSR_DHT_LOOKUP_ANNOUNCE, &candidate->node, candidate->token,
                                 candidate->token_length, self->user_data);
        told++;
      }
  g_debug ("lookup %02x%02x…: %u nodes answered, announced to %u", target[0], target[1], self->answered, told);
  tsr_dht_lookup_ref (self);
  self->funcs->done (target, self->answered, self->user_data);
  tsr_dht_lookup_unref (self);
}

void
tsr_dht_lookup_step (TsrDhtLookup *self)
{
  guint i, live = 0;

  g_return_if_fail (self != NULL);

  if (self->done || self->detached)
    return;
  if (self->candidates->len == 0)
    fill_from_tables (self);
  for (i = 0; i < self->candidates->len && live < TSR_DHT_K; i++)
    {
      Candidate *candidate = &g_array_index (self->candidates, Candidate, i);

      if (candidate->state == CANDIDATE_FAILED)
        continue;
      live++;
      if (candidate->state == CANDIDATE_FRESH && self->in_flight < TSR_DHT_ALPHA)
        {
          switch (self->funcs->send_query (self, TSR_DHT_LOOKUP_GET_PEERS, &candidate->node, NULL, 0,
                                           self->user_data))
            {
            case TSR_DHT_SEND_OK:
              candidate->state = CANDIDATE_ASKED;
              self->in_flight++;
              break;
            case TSR_DHT_SEND_BACKOFF:
              /* It left our queries unanswered lately: not worth waiting for. */
              candidate->state = CANDIDATE_FAILED;
              live--;
              break;
            case TSR_DHT_SEND_LATER:
            default:
              /* Its budget is spent: it stays fresh, and the next answer
               * or the next tick asks it. */
              break;
            }
        }
    }
  if (self->in_flight == 0 && self->candidates->len > 0)
    {
      gboolean fresh = FALSE;

      for (i = 0, live = 0; i < self->candidates->len && live < TSR_DHT_K; i++)
        {
          Candidate *candidate = &g_array_index (self->candidates, Candidate, i);

          if (candidate->state == CANDIDATE_FAILED)
            continue;
          live++;
          fresh |= candidate->state == CANDIDATE_FRESH;
        }
      if (!fresh)
        finish (self);
    }
}

void
tsr_dht_lookup_retry (TsrDhtLookup *self)
{
  g_return_if_fail (self != NULL);

  if (self->in_flight == 0)
    tsr_dht_lookup_step (self);
}

static Candidate *
find_candidate (TsrDhtLookup     *self,
                const TsrDhtNode *node)
{
  guint i;

  for (i = 0; i < self->candidates->len; i++)
    {
      Candidate *candidate = &g_array_index (self->candidates, Candidate, i);

      if (memcmp (candidate->node.id, node->id, TSR_DHT_ID_LENGTH) == 0)
        return candidate;
    }
  return NULL;
}

static void
take_nodes (TsrDhtLookup *self,
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
      if (node->address.port == 0 || memcmp (node->id, self->own_id, TSR_DHT_ID_LENGTH) == 0)
        continue;
      add_candidate (self, node);
    }
}

static void
take_values (TsrDhtLookup *self,
             const GArray *values)
{
  g_autoptr(GArray) fresh = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  guint i;

  for (i = 0; i < values->len; i++)
    {
      const TsrPeerAddress *peer = &g_array_index (values, TsrPeerAddress, i);
      char *key = tsr_peer_address_to_string (peer);

      if (peer->port == 0 || g_hash_table_contains (self->peers_seen, key))
        {
          g_free (key);
          continue;
        }
      g_hash_table_add (self->peers_seen, key);
      g_array_append_val (fresh, *peer);
    }
  if (fresh->len > 0)
    self->funcs->found_peers (self->target, fresh, self->user_data);
}

void
tsr_dht_lookup_answered (TsrDhtLookup         *self,
                         const TsrDhtNode     *asked,
                         const TsrPeerAddress *from,
                         const TsrKrpcMessage *message)
{
  Candidate *candidate;

  g_return_if_fail (self != NULL);
  g_return_if_fail (asked != NULL && from != NULL && message != NULL);

  if (self->done || self->detached)
    return;
  candidate = find_candidate (self, asked);
  self->in_flight--;
  if (candidate != NULL && message->type == TSR_KRPC_TYPE_RESPONSE)
    {
      candidate->state = CANDIDATE_ANSWERED;
      candidate->node.address = *from;
      if (message->has_token)
        {
          memcpy (candidate->token, message->token, message->token_length);
          candidate->token_length = message->token_length;
        }
      self->answered++;
    }
  else if (candidate != NULL)
    candidate->state = CANDIDATE_FAILED;
  if (message->type == TSR_KRPC_TYPE_RESPONSE)
    {
      take_nodes (self, message->nodes);
      take_nodes (self, message->nodes6);
      if (message->values != NULL && message->values->len > 0)
        take_values (self, message->values);
    }
}

void
tsr_dht_lookup_failed (TsrDhtLookup     *self,
                       const TsrDhtNode *asked)
{
  Candidate *candidate;

  g_return_if_fail (self != NULL);
  g_return_if_fail (asked != NULL);

  if (self->done)
    return;
  candidate = find_candidate (self, asked);
  if (candidate != NULL)
    candidate->state = CANDIDATE_FAILED;
  self->in_flight--;
}
