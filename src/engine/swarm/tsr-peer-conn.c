/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-conn.c: one connection's protocol state. The transport
 * (TsrPeer) parses messages; here each goes to its handler in a table
 * indexed by wire type, which updates what this connection alone writes
 * (the BEP 3 flags, the peer's pieces and their count in the picker) and
 * reports to the owner what it has to act on: requests, blocks, rejects,
 * extension messages and changes of state. Nothing is allocated per
 * message.
 */
#define G_LOG_DOMAIN "tsr-peer-conn"

#include "config.h"

#include "tsr-peer-conn.h"

struct _TsrPeerConn
{
  TsrPeer                *peer;          /* (owned) the transport */
  TsrPiecePicker         *picker;        /* borrowed (nullable): counts what @have holds */
  TsrBudget              *connections;   /* (owned) (nullable) one taken */
  const TsrPeerConnFuncs *funcs;
  gpointer                member;
  TsrBitfield            *have;          /* (owned) (nullable) what it has; NULL before the metainfo */
  gboolean                am_choking;    /* we choke it */
  gboolean                am_interested;
  gboolean                peer_choking;  /* it chokes us */
  gboolean                peer_interested;
  guint16                 dht_port;      /* ours, 0: PORT means nothing */
  guint64                 last_received; /* bytes from it at the last tick */
  guint64                 rate;          /* bytes a second from it, smoothed */
  guint64                 last_sent;     /* bytes to it at the last tick */
  guint64                 up_rate;       /* bytes a second to it, smoothed */
  gint64                  connected_at;  /* monotonic seconds */
  char                   *client;        /* (owned) (nullable) BEP 10: its client's name */
  gboolean                dialed;        /* we dialled it */
  gboolean                shaken;        /* handshake done */
  gboolean                dropping;      /* a close is scheduled */
};

typedef void (*Handler) (TsrPeerConn          *self,
                         const TsrWireMessage *message);

static void
send_simple (TsrPeerConn *self,
             TsrWireType  type)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  tsr_peer_send (self->peer, &message);
}

static void
changed (TsrPeerConn   *self,
         TsrPeerChange  change,
         guint          index)
{
  self->funcs->changed (self, change, index, self->member);
}

/* ------------------------------------------------------------------ */
/* Handlers, one per wire type                                         */

static void
on_choke (TsrPeerConn          *self,
          const TsrWireMessage *message)
{
  gboolean flipped = !self->peer_choking;

  self->peer_choking = TRUE;
  changed (self, TSR_PEER_CHOKED_US, flipped);
}

static void
on_unchoke (TsrPeerConn          *self,
            const TsrWireMessage *message)
{
  gboolean flipped = self->peer_choking;

  self->peer_choking = FALSE;
  changed (self, TSR_PEER_UNCHOKED_US, flipped);
}

static void
on_interested (TsrPeerConn          *self,
               const TsrWireMessage *message)
{
  gboolean flipped = !self->peer_interested;

  self->peer_interested = TRUE;
  changed (self, TSR_PEER_INTERESTED_IN_US, flipped);
}

static void
on_not_interested (TsrPeerConn          *self,
                   const TsrWireMessage *message)
{
  gboolean flipped = self->peer_interested;

  self->peer_interested = FALSE;
  changed (self, TSR_PEER_NOT_INTERESTED_IN_US, flipped);
}

static void
on_have (TsrPeerConn          *self,
         const TsrWireMessage *message)
{
  if (!tsr_bitfield_get (self->have, message->index))
    {
      tsr_bitfield_set (self->have, message->index, TRUE);
      tsr_piece_picker_add_have (self->picker, message->index);
    }
  changed (self, TSR_PEER_HAS, message->index);
}

/* BITFIELD, HAVE_ALL, HAVE_NONE: the whole set is replaced, and its
 * count in the picker with it. */
static void
on_pieces (TsrPeerConn          *self,
           const TsrWireMessage *message)
{
  tsr_piece_picker_remove_bitfield (self->picker, self->have);
  if (message->type == TSR_WIRE_BITFIELD)
    tsr_bitfield_set_bytes (self->have, message->data, message->data_length);
  else
    tsr_bitfield_set_all (self->have, message->type == TSR_WIRE_HAVE_ALL);
  tsr_piece_picker_add_bitfield (self->picker, self->have);
  changed (self, TSR_PEER_PIECES_CHANGED, message->type);
}

static void
on_request (TsrPeerConn          *self,
            const TsrWireMessage *message)
{
  self->funcs->request (self, message, self->member);
}

static void
on_piece (TsrPeerConn          *self,
          const TsrWireMessage *message)
{
  self->funcs->block (self, message, self->member);
}

/* BEP 5: a node at the peer's address; only while we run one. */
static void
on_port (TsrPeerConn          *self,
         const TsrWireMessage *message)
{
  TsrPeerAddress node = *tsr_peer_get_remote_address (self->peer);

  if (message->port == 0 || self->dht_port == 0 || node.family == 0)
    return;
  node.port = message->port;
  self->funcs->dht_node (self, &node, self->member);
}

static void
on_suggest (TsrPeerConn          *self,
            const TsrWireMessage *message)
{
  changed (self, TSR_PEER_SUGGEST, message->index);
}

static void
on_reject (TsrPeerConn          *self,
           const TsrWireMessage *message)
{
  self->funcs->reject (self, message, self->member);
}

static void
on_allowed_fast (TsrPeerConn          *self,
                 const TsrWireMessage *message)
{
  changed (self, TSR_PEER_ALLOWED_FAST, message->index);
}

static void
on_extension (TsrPeerConn          *self,
              const TsrWireMessage *message)
{
  self->funcs->extension (self, message, self->member);
}

/* KEEPALIVE (-1), UNKNOWN (255) and the ids between have none. */
static const Handler handlers[TSR_WIRE_HASH_REJECT + 1] = {
  [TSR_WIRE_CHOKE] = on_choke,
  [TSR_WIRE_UNCHOKE] = on_unchoke,
  [TSR_WIRE_INTERESTED] = on_interested,
  [TSR_WIRE_NOT_INTERESTED] = on_not_interested,
  [TSR_WIRE_HAVE] = on_have,
  [TSR_WIRE_BITFIELD] = on_pieces,
  [TSR_WIRE_REQUEST] = on_request,
  [TSR_WIRE_PIECE] = on_piece,
  [TSR_WIRE_CANCEL] = on_request,
  [TSR_WIRE_PORT] = on_port,
  [TSR_WIRE_SUGGEST] = on_suggest,
  [TSR_WIRE_HAVE_ALL] = on_pieces,
  [TSR_WIRE_HAVE_NONE] = on_pieces,
  [TSR_WIRE_REJECT] = on_reject,
  [TSR_WIRE_ALLOWED_FAST] = on_allowed_fast,
  [TSR_WIRE_EXTENDED] = on_extension,
  [TSR_WIRE_HASH_REQUEST] = on_extension,
  [TSR_WIRE_HASHES] = on_extension,
  [TSR_WIRE_HASH_REJECT] = on_extension,
};

/* ------------------------------------------------------------------ */
/* What the transport tells (TsrPeerFuncs)                             */

static void
on_peer_message (TsrPeer              *peer,
                 const TsrWireMessage *message,
                 gpointer              user_data)
{
  TsrPeerConn *self = user_data;

  /* Before the metainfo only the extension protocol means anything (the
   * wire parser took any piece numbers: it had no count to check). */
  if (self->have == NULL)
    on_extension (self, message);
  else if (message->type >= 0 && message->type < (gint) G_N_ELEMENTS (handlers) &&
           handlers[message->type] != NULL)
    handlers[message->type] (self, message);
}

static void
on_peer_handshake (TsrPeer                *peer,
                   const TsrWireHandshake *theirs,
                   gpointer                user_data)
{
  TsrPeerConn *self = user_data;

  self->funcs->handshake (self, theirs, self->member);
}

static void
on_peer_sent (TsrPeer  *peer,
              gpointer  user_data)
{
  TsrPeerConn *self = user_data;

  self->funcs->drained (self, self->member);
}

/* The owner may free the connection in there: nothing after. */
static void
on_peer_closed (TsrPeer    *peer,
                const char *reason,
                gpointer    user_data)
{
  TsrPeerConn *self = user_data;

  self->funcs->closed (self, reason, self->member);
}

static const TsrPeerFuncs peer_funcs = {
  .handshake = on_peer_handshake,
  .message = on_peer_message,
  .sent = on_peer_sent,
  .closed = on_peer_closed,
};

/* ------------------------------------------------------------------ */

TsrPeerConn *
tsr_peer_conn_new (TsrPeer                *peer,
                   TsrPiecePicker         *picker,
                   guint                   n_pieces,
                   TsrBudget              *connections,
                   const TsrPeerConnFuncs *funcs,
                   gpointer                member)
{
  TsrPeerConn *self = g_new0 (TsrPeerConn, 1);

  self->peer = g_object_ref (peer);
  self->picker = picker;
  if (connections != NULL)
    {
      self->connections = tsr_budget_ref (connections);
      tsr_budget_take (self->connections);
    }
  self->funcs = funcs;
  self->member = member;
  if (picker != NULL)
    self->have = tsr_bitfield_new (n_pieces);
  self->am_choking = TRUE;
  self->peer_choking = TRUE;
  self->connected_at = g_get_monotonic_time () / G_USEC_PER_SEC;
  tsr_peer_set_funcs (peer, &peer_funcs, self);
  return self;
}

void
tsr_peer_conn_free (TsrPeerConn *self)
{
  if (self == NULL)
    return;
  if (self->have != NULL)
    tsr_piece_picker_remove_bitfield (self->picker, self->have);
  if (self->connections != NULL)
    {
      tsr_budget_give (self->connections);
      tsr_budget_unref (self->connections);
    }
  tsr_peer_set_funcs (self->peer, NULL, NULL);
  tsr_peer_close (self->peer, NULL);
  g_object_unref (self->peer);
  g_clear_pointer (&self->have, tsr_bitfield_free);
  g_free (self->client);
  g_free (self);
}

void
tsr_peer_conn_set_dht_port (TsrPeerConn *self,
                            guint16      port)
{
  self->dht_port = port;
}

void
tsr_peer_conn_greet (TsrPeerConn            *self,
                     const TsrWireHandshake *theirs,
                     const TsrBitfield      *have)
{
  gboolean fast = (tsr_peer_get_features (self->peer) & TSR_PEER_FEATURE_FAST) != 0;

  self->shaken = TRUE;
  /* BEP 3: the bitfield, if any, comes first. BEP 6 peers get have-all/none.
   * Without the metainfo we have nothing and cannot say how much that is. */
  if (have == NULL || (fast && tsr_bitfield_count (have) == 0))
    {
      if (fast)
        send_simple (self, TSR_WIRE_HAVE_NONE);
    }
  else if (fast && tsr_bitfield_is_full (have))
    send_simple (self, TSR_WIRE_HAVE_ALL);
  else if (tsr_bitfield_count (have) > 0)
    {
      TsrWireMessage message = { 0 };

      message.type = TSR_WIRE_BITFIELD;
      message.data = tsr_bitfield_get_bytes (have, &message.data_length);
      tsr_peer_send (self->peer, &message);
    }
  /* BEP 5: both run a DHT node: ours is at this port. */
  if (self->dht_port != 0 && tsr_wire_reserved_has (theirs->reserved, TSR_WIRE_RESERVED_DHT))
    {
      TsrWireMessage message = { 0 };

      message.type = TSR_WIRE_PORT;
      message.port = self->dht_port;
      tsr_peer_send (self->peer, &message);
    }
}

gboolean
tsr_peer_conn_set_interested (TsrPeerConn *self,
                              gboolean     interested)
{
  if (interested == self->am_interested)
    return FALSE;
  self->am_interested = interested;
  send_simple (self, interested ? TSR_WIRE_INTERESTED : TSR_WIRE_NOT_INTERESTED);
  return TRUE;
}

gboolean
tsr_peer_conn_set_choking (TsrPeerConn *self,
                           gboolean     choking)
{
  if (choking == self->am_choking)
    return FALSE;
  self->am_choking = choking;
  send_simple (self, choking ? TSR_WIRE_CHOKE : TSR_WIRE_UNCHOKE);
  return TRUE;
}

void
tsr_peer_conn_send (TsrPeerConn *self,
                    TsrWireType  type,
                    guint32      index,
                    guint32      begin,
                    guint32      length)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  message.begin = begin;
  message.length = length;
  tsr_peer_send (self->peer, &message);
}

typedef struct
{
  TsrPeer    *peer;     /* (owned): the connection may be freed first */
  const char *reason;   /* static, translated */
} CloseLater;

static gboolean
on_close_later (gpointer user_data)
{
  CloseLater *close = user_data;

  tsr_peer_close (close->peer, close->reason);
  return G_SOURCE_REMOVE;
}

static void
close_later_free (CloseLater *close)
{
  g_object_unref (close->peer);
  g_free (close);
}

gboolean
tsr_peer_conn_close_later (TsrPeerConn *self,
                           const char  *reason)
{
  CloseLater *close;

  if (self->dropping)
    return FALSE;
  self->dropping = TRUE;
  close = g_new0 (CloseLater, 1);
  close->peer = g_object_ref (self->peer);
  close->reason = reason;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_close_later, close, (GDestroyNotify) close_later_free);
  return TRUE;
}

void
tsr_peer_conn_tick (TsrPeerConn *self)
{
  guint64 received = tsr_peer_get_bytes_received (self->peer);
  guint64 sent = tsr_peer_get_bytes_sent (self->peer);

  self->rate = (self->rate + (received - self->last_received)) / 2;
  self->last_received = received;
  self->up_rate = (self->up_rate + (sent - self->last_sent)) / 2;
  self->last_sent = sent;
}

void
tsr_peer_conn_set_client (TsrPeerConn *self,
                          const char  *client)
{
  g_free (self->client);
  self->client = g_strdup (client);
}

void
tsr_peer_conn_set_dialed (TsrPeerConn *self,
                          gboolean     dialed)
{
  self->dialed = dialed;
}

TsrPeer *
tsr_peer_conn_get_peer (TsrPeerConn *self)
{
  return self->peer;
}

gboolean
tsr_peer_conn_is_am_choking (TsrPeerConn *self)
{
  return self->am_choking;
}

gboolean
tsr_peer_conn_is_am_interested (TsrPeerConn *self)
{
  return self->am_interested;
}

gboolean
tsr_peer_conn_is_peer_choking (TsrPeerConn *self)
{
  return self->peer_choking;
}

gboolean
tsr_peer_conn_is_peer_interested (TsrPeerConn *self)
{
  return self->peer_interested;
}

const TsrBitfield *
tsr_peer_conn_get_have (TsrPeerConn *self)
{
  return self->have;
}

gboolean
tsr_peer_conn_has (TsrPeerConn *self,
                   guint        index)
{
  return self->have != NULL && tsr_bitfield_get (self->have, index);
}

gboolean
tsr_peer_conn_is_dialed (TsrPeerConn *self)
{
  return self->dialed;
}

gboolean
tsr_peer_conn_is_shaken (TsrPeerConn *self)
{
  return self->shaken;
}

gboolean
tsr_peer_conn_is_dropping (TsrPeerConn *self)
{
  return self->dropping;
}

const char *
tsr_peer_conn_get_client (TsrPeerConn *self)
{
  return self->client;
}

gint64
tsr_peer_conn_get_connected_at (TsrPeerConn *self)
{
  return self->connected_at;
}

guint64
tsr_peer_conn_get_rate (TsrPeerConn *self)
{
  return self->rate;
}

guint64
tsr_peer_conn_get_up_rate (TsrPeerConn *self)
{
  return self->up_rate;
}
