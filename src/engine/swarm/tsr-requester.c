/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-requester.c: the requests a torrent has out. Each connection keeps
 * its requests in a small array (index << 32 | begin), searched linearly:
 * it holds at most a pipeline's worth. The block map counts how many
 * connections were asked for each block, so a block that arrives scans
 * the other connections for copies to cancel only when someone else was
 * asked for it too, which happens in the end game alone. Connections sit
 * in one array, each knowing its place, so that leaving is O(1). The
 * arrays that most torrents and connections never need (the peers of an
 * idle torrent, BEP 6 suggestions and allowed-fast pieces) are made at
 * their first element.
 */
#define G_LOG_DOMAIN "tsr-requester"

#include "config.h"

#include "tsr-requester.h"
#include "tsr-wire.h"

struct _TsrRequesterPeer
{
  gpointer  conn;          /* borrowed */
  guint     position;      /* in the requester's peers */
  GArray   *requests;      /* (owned) (element-type guint64): index << 32 | begin */
  guint     pipeline;      /* requests to keep in flight */
  gint64    last_block;    /* monotonic seconds: a block, or their unchoke */
  gboolean  snubbed;
  guint     refusals;      /* rejects of pieces it claims, since its last block */
  guint     reqq;          /* BEP 10: requests it queues, 0 when unknown */
  GArray   *their_fast;    /* (owned) (nullable) (element-type guint32) pieces it lets us ask while choked */
  GArray   *suggested;     /* (owned) (nullable) (element-type guint32) pieces it suggests, newest last */
};

struct _TsrRequester
{
  const TsrRequesterFuncs *funcs;
  gpointer                 user_data;
  TsrBlockMap             *blocks;     /* borrowed (nullable) until the metainfo */
  TsrPiecePicker          *picker;     /* borrowed (nullable) likewise */
  TsrSmartBan             *smart_ban;  /* borrowed (nullable) likewise */
  guint                    n_pieces;
  gboolean                 sequential;
  GPtrArray               *peers;      /* (element-type TsrRequesterPeer) (owned) (nullable) made at the first */
};

static void
peer_free (TsrRequesterPeer *peer)
{
  g_array_unref (peer->requests);
  g_clear_pointer (&peer->their_fast, g_array_unref);
  g_clear_pointer (&peer->suggested, g_array_unref);
  g_free (peer);
}

TsrRequester *
tsr_requester_new (const TsrRequesterFuncs *funcs,
                   gpointer                 user_data)
{
  TsrRequester *self = g_new0 (TsrRequester, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_requester_free (TsrRequester *self)
{
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_free (self);
}

void
tsr_requester_set_pieces (TsrRequester   *self,
                          TsrBlockMap    *blocks,
                          TsrPiecePicker *picker,
                          TsrSmartBan    *smart_ban,
                          guint           n_pieces)
{
  self->blocks = blocks;
  self->picker = picker;
  self->smart_ban = smart_ban;
  self->n_pieces = n_pieces;
}

void
tsr_requester_set_sequential (TsrRequester *self,
                              gboolean      sequential)
{
  self->sequential = sequential;
}

gboolean
tsr_requester_get_sequential (TsrRequester *self)
{
  return self->sequential;
}

TsrRequesterPeer *
tsr_requester_add_peer (TsrRequester *self,
                        gpointer      conn,
                        gint64        now)
{
  TsrRequesterPeer *peer = g_new0 (TsrRequesterPeer, 1);

  /* An idle torrent pays one pointer. */
  if (self->peers == NULL)
    self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  peer->conn = conn;
  peer->position = self->peers->len;
  peer->requests = g_array_new (FALSE, FALSE, sizeof (guint64));
  peer->pipeline = TSR_REQUESTER_PIPELINE;
  peer->last_block = now;
  g_ptr_array_add (self->peers, peer);
  return peer;
}

void
tsr_requester_remove_peer (TsrRequester     *self,
                           TsrRequesterPeer *peer)
{
  guint position = peer->position;

  g_return_if_fail (self->peers != NULL && position < self->peers->len &&
                    g_ptr_array_index (self->peers, position) == peer);
  tsr_requester_release (self, peer);
  /* The last one takes its place (as g_ptr_array_remove_fast would). */
  g_ptr_array_remove_index_fast (self->peers, position);
  if (position < self->peers->len)
    ((TsrRequesterPeer *) g_ptr_array_index (self->peers, position))->position = position;
}

/* ------------------------------------------------------------------ */
/* What may be asked                                                   */

static gboolean
peer_has (TsrRequester     *self,
          TsrRequesterPeer *peer,
          guint             index)
{
  const TsrBitfield *have = self->funcs->have (peer->conn, self->user_data);

  return have != NULL && tsr_bitfield_get (have, index);
}

/* Whether piece @index (in progress) may be asked of @peer: it has it,
 * no web seed or disk has it, and it is not being fetched from one other
 * peer alone after a shared hash failure (see tsr-smart-ban.h). */
static gboolean
may_ask (TsrRequester     *self,
         guint             index,
         TsrRequesterPeer *peer)
{
  return !tsr_block_map_is_busy (self->blocks, index) && peer_has (self, peer, index) &&
         tsr_smart_ban_may_ask (self->smart_ban, index, self->funcs->address (peer->conn, self->user_data));
}

/* A piece to start: wanted, not had, not started, that @peer has. */
static gboolean
may_start (TsrRequester     *self,
           TsrRequesterPeer *peer,
           guint32           index)
{
  return index < self->n_pieces && !self->funcs->we_have (index, self->user_data) &&
         tsr_piece_picker_get_priority (self->picker, index) != TSR_PRIORITY_SKIP &&
         !tsr_block_map_contains (self->blocks, index) && peer_has (self, peer, index);
}

/* A piece in progress with a free block this peer has (partly
 * downloaded pieces are finished first), else a new piece it has, the
 * rarest in the swarm. FALSE when there is none. */
static gboolean
choose_piece (TsrRequester     *self,
              TsrRequesterPeer *peer,
              guint            *chosen)
{
  TsrBlockMapIter iter;
  guint index;
  guint i;

  tsr_block_map_iter_init (&iter, self->blocks);
  while (tsr_block_map_iter_next (&iter, &index))
    {
      if (!may_ask (self, index, peer) ||
          tsr_block_map_next_free (self->blocks, index) >= tsr_block_map_get_n_blocks (self->blocks, index))
        continue;
      tsr_smart_ban_claim (self->smart_ban, index, self->funcs->address (peer->conn, self->user_data));
      *chosen = index;
      return TRUE;
    }
  if (!tsr_block_map_may_start_more (self->blocks))
    return FALSE;
  /* BEP 6: a piece it suggests (it has it at hand) before the rarest,
   * unless pieces must come in order. */
  for (i = self->sequential || peer->suggested == NULL ? 0 : peer->suggested->len; i > 0; i--)
    {
      guint32 suggested = g_array_index (peer->suggested, guint32, i - 1);

      g_array_remove_index (peer->suggested, i - 1);
      if (may_start (self, peer, suggested))
        {
          tsr_block_map_start (self->blocks, suggested);
          *chosen = suggested;
          return TRUE;
        }
    }
  if (!tsr_piece_picker_pick (self->picker, self->funcs->have (peer->conn, self->user_data), &index))
    return FALSE;
  tsr_block_map_start (self->blocks, index);
  *chosen = index;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static gint
find_request (TsrRequesterPeer *peer,
              guint64           key)
{
  guint i;

  for (i = 0; i < peer->requests->len; i++)
    if (g_array_index (peer->requests, guint64, i) == key)
      return (gint) i;
  return -1;
}

static void
request_block (TsrRequester     *self,
               TsrRequesterPeer *peer,
               guint             index,
               guint             block)
{
  guint32 begin = block * TSR_WIRE_BLOCK_SIZE;
  guint64 key = (guint64) index << 32 | begin;

  tsr_block_map_asked (self->blocks, index, block);
  g_array_append_val (peer->requests, key);
  self->funcs->send_request (peer->conn, index, begin, tsr_block_map_get_block_length (self->blocks, index, block),
                             self->user_data);
}

/* Drops request @i of @peer: the block is free again once nobody else
 * was asked for it either. */
static void
forget_request (TsrRequester     *self,
                TsrRequesterPeer *peer,
                guint             i)
{
  guint64 key = g_array_index (peer->requests, guint64, i);

  g_array_remove_index_fast (peer->requests, i);
  if (self->blocks != NULL)
    tsr_block_map_unasked (self->blocks, (guint) (key >> 32), (guint) (key & 0xffffffff) / TSR_WIRE_BLOCK_SIZE);
}

/* Asks @peer for the free blocks of piece @index, from the first, while
 * its pipeline has room. */
static void
request_free_blocks (TsrRequester     *self,
                     TsrRequesterPeer *peer,
                     guint             index)
{
  guint n_blocks = tsr_block_map_get_n_blocks (self->blocks, index);
  guint b;

  for (b = tsr_block_map_next_free (self->blocks, index); b < n_blocks && peer->requests->len < peer->pipeline; b++)
    if (tsr_block_map_get_state (self->blocks, index, b) == TSR_BLOCK_FREE)
      request_block (self, peer, index, b);
}

/* BEP 6: choked, a peer still serves its allowed-fast pieces. */
static void
fill_allowed_fast (TsrRequester     *self,
                   TsrRequesterPeer *peer)
{
  guint i;

  for (i = 0; peer->their_fast != NULL && i < peer->their_fast->len && peer->requests->len < peer->pipeline; i++)
    {
      guint32 index = g_array_index (peer->their_fast, guint32, i);

      if (!tsr_block_map_contains (self->blocks, index))
        {
          if (!may_start (self, peer, index) || !tsr_block_map_may_start_more (self->blocks))
            continue;
          tsr_block_map_start (self->blocks, index);
        }
      if (may_ask (self, index, peer))
        request_free_blocks (self, peer, index);
    }
}

/* End game: every wanted piece is started, so no block is left that
 * nobody was asked for; the last ones are asked of several peers, and
 * the first copy to arrive cancels the others. */
static void
fill_endgame (TsrRequester     *self,
              TsrRequesterPeer *peer)
{
  TsrBlockMapIter iter;
  guint index;

  tsr_block_map_iter_init (&iter, self->blocks);
  while (tsr_block_map_iter_next (&iter, &index))
    {
      guint n_blocks = tsr_block_map_get_n_blocks (self->blocks, index);
      guint b;

      if (!may_ask (self, index, peer))
        continue;
      for (b = 0; b < n_blocks; b++)
        {
          if (peer->requests->len >= peer->pipeline)
            return;
          if (tsr_block_map_get_state (self->blocks, index, b) == TSR_BLOCK_REQUESTED &&
              tsr_block_map_get_requesters (self->blocks, index, b) < TSR_REQUESTER_ENDGAME_COPIES &&
              find_request (peer, (guint64) index << 32 | (b * TSR_WIRE_BLOCK_SIZE)) < 0)
            request_block (self, peer, index, b);
        }
    }
}

void
tsr_requester_fill (TsrRequester     *self,
                    TsrRequesterPeer *peer)
{
  guint index;

  if (self->blocks == NULL || !self->funcs->interested (peer->conn, self->user_data))
    return;
  if (self->funcs->choking (peer->conn, self->user_data))
    {
      /* Allowed-fast pieces are anywhere: not for an in-order download. */
      if (self->funcs->fast (peer->conn, self->user_data) && !self->sequential)
        fill_allowed_fast (self, peer);
      return;
    }
  while (peer->requests->len < peer->pipeline && choose_piece (self, peer, &index))
    request_free_blocks (self, peer, index);
  if (peer->requests->len < peer->pipeline && tsr_block_map_in_endgame (self->blocks))
    fill_endgame (self, peer);
}

void
tsr_requester_release (TsrRequester     *self,
                       TsrRequesterPeer *peer)
{
  while (peer->requests->len > 0)
    forget_request (self, peer, peer->requests->len - 1);
}

void
tsr_requester_unchoked (TsrRequester     *self,
                        TsrRequesterPeer *peer,
                        gint64            now)
{
  peer->last_block = now;
}

/* ------------------------------------------------------------------ */
/* What comes back                                                     */

TsrBlockResult
tsr_requester_on_block (TsrRequester     *self,
                        TsrRequesterPeer *peer,
                        guint32           index,
                        guint32           begin,
                        const guint8     *data,
                        gsize             length,
                        gint64            now)
{
  guint64 key = (guint64) index << 32 | begin;
  guint block = begin / TSR_WIRE_BLOCK_SIZE;
  gint asked = find_request (peer, key);
  TsrBlockResult result;
  guint i;

  /* Unasked blocks are dropped here, duplicate or misaligned ones by
   * the block map. */
  if (asked < 0 || self->blocks == NULL)
    return TSR_BLOCK_DROPPED;
  forget_request (self, peer, (guint) asked);
  peer->last_block = now;
  peer->snubbed = FALSE;
  peer->refusals = 0;
  result = tsr_block_map_put (self->blocks, index, begin, data, length);
  if (result == TSR_BLOCK_DROPPED)
    return result;
  /* End game: the other copies asked for are not needed any more. Only
   * when someone else was asked too are the other connections looked
   * through, and only until every copy was cancelled. */
  for (i = 0; i < self->peers->len && tsr_block_map_get_requesters (self->blocks, index, block) > 0; i++)
    {
      TsrRequesterPeer *other = g_ptr_array_index (self->peers, i);
      gint j = other != peer ? find_request (other, key) : -1;

      if (j >= 0)
        {
          self->funcs->send_cancel (other->conn, index, begin, (guint32) length, self->user_data);
          forget_request (self, other, (guint) j);
        }
    }
  tsr_smart_ban_sent (self->smart_ban, index, self->funcs->address (peer->conn, self->user_data));
  return result;
}

gboolean
tsr_requester_on_reject (TsrRequester     *self,
                         TsrRequesterPeer *peer,
                         guint32           index,
                         guint32           begin)
{
  gint asked = find_request (peer, (guint64) index << 32 | begin);

  if (asked < 0)
    return FALSE;
  forget_request (self, peer, (guint) asked);
  /* Refusing, while unchoking us, pieces it says it has, again and
   * again with nothing sent: its bitfield lied. */
  return !self->funcs->choking (peer->conn, self->user_data) && peer_has (self, peer, index) &&
         ++peer->refusals >= TSR_REQUESTER_MAX_REFUSALS;
}

gboolean
tsr_requester_on_allowed_fast (TsrRequester     *self,
                               TsrRequesterPeer *peer,
                               guint32           index)
{
  guint i;

  if (!self->funcs->fast (peer->conn, self->user_data))
    return FALSE;
  /* Most peers never send one: the array is made at the first. */
  if (peer->their_fast == NULL)
    peer->their_fast = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (peer->their_fast->len >= TSR_REQUESTER_MAX_THEIR_FAST)
    return FALSE;
  for (i = 0; i < peer->their_fast->len; i++)
    if (g_array_index (peer->their_fast, guint32, i) == index)
      return FALSE;
  g_array_append_val (peer->their_fast, index);
  return TRUE;
}

void
tsr_requester_on_suggest (TsrRequester     *self,
                          TsrRequesterPeer *peer,
                          guint32           index)
{
  if (!self->funcs->fast (peer->conn, self->user_data))
    return;
  if (peer->suggested == NULL)
    peer->suggested = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (peer->suggested->len >= TSR_REQUESTER_MAX_SUGGESTED)
    g_array_remove_index (peer->suggested, 0);
  g_array_append_val (peer->suggested, index);
}

/* A peer that answers faster gets more requests at once: a pipeline as
 * deep as its rate times the time it has to answer, so that a client
 * that sends in bursts (Transmission) is never left idle. */
void
tsr_requester_tick (TsrRequester     *self,
                    TsrRequesterPeer *peer,
                    guint64           rate,
                    gint64            now)
{
  guint64 wanted;
  guint cap;

  /* A snub: unchoked us, asked, and nothing for a minute. Its blocks go
   * to others; it keeps one request, in case it wakes up. */
  if (!peer->snubbed && !self->funcs->choking (peer->conn, self->user_data) && peer->requests->len > 0 &&
      now - peer->last_block >= TSR_REQUESTER_SNUB_SECONDS)
    {
      peer->snubbed = TRUE;
      self->funcs->snubbed (peer->conn, self->user_data);
      tsr_requester_release (self, peer);
    }
  wanted = rate * TSR_REQUESTER_PIPELINE_SECONDS / TSR_WIRE_BLOCK_SIZE;
  /* Never more than the queue a peer told (BEP 10 reqq); up to it. */
  cap = peer->reqq > 0 ? MIN (peer->reqq, TSR_REQUESTER_PIPELINE_TOLD) : TSR_REQUESTER_PIPELINE_MAX;
  peer->pipeline = peer->snubbed ? 1 : (guint) CLAMP (wanted, MIN (TSR_REQUESTER_PIPELINE, cap), cap);
}

/* ------------------------------------------------------------------ */
/* A connection's facts                                                */

void
tsr_requester_peer_set_reqq (TsrRequesterPeer *peer,
                             guint             reqq)
{
  peer->reqq = reqq;
}

guint
tsr_requester_peer_get_n_requests (TsrRequesterPeer *peer)
{
  return peer->requests->len;
}

guint
tsr_requester_peer_get_pipeline (TsrRequesterPeer *peer)
{
  return peer->pipeline;
}

gboolean
tsr_requester_peer_is_snubbed (TsrRequesterPeer *peer)
{
  return peer->snubbed;
}

gint64
tsr_requester_peer_get_last_block (TsrRequesterPeer *peer)
{
  return peer->last_block;
}

guint
tsr_requester_peer_get_refusals (TsrRequesterPeer *peer)
{
  return peer->refusals;
}

gboolean
tsr_requester_peer_has_request (TsrRequesterPeer *peer,
                                guint32           index,
                                guint32           begin)
{
  return find_request (peer, (guint64) index << 32 | begin) >= 0;
}
