/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-pex.c: ut_pex (BEP 11). Each peer remembers the addresses we
 * told it; a message says what was added and dropped since, at most
 * TSR_PEX_MAX_PEERS of each, the first TSR_EXT_PEX_FIRST_DELAY seconds
 * after it came and then every TSR_PEX_INTERVAL seconds (none when
 * nothing changed). Its own messages are taken at most once per
 * TSR_EXT_PEX_MIN_GAP seconds. A private torrent neither offers nor
 * takes peer exchange (BEP 27).
 */
#define G_LOG_DOMAIN "tsr-ext-pex"

#include "config.h"

#include "tsr-ext-pex.h"
#include "tsr-pex.h"

typedef struct
{
  gint64      sent_at;    /* monotonic seconds: our last message to it */
  gint64      got_at;     /* monotonic seconds: its last message taken */
  GHashTable *told;       /* (owned) (nullable) TsrPeerAddress set: addresses in our messages to it */
} PeerState;

struct _TsrExtPex
{
  TsrExtensions *host;        /* borrowed: it owns us */
  guint          slot;
  gboolean       has_info;    /* the metainfo is known */
  gboolean       is_private;  /* BEP 27 */
};

static const TsrExtensionClass pex_class;

TsrExtPex *
tsr_ext_pex_new (TsrExtensions *host)
{
  TsrExtPex *self = g_new0 (TsrExtPex, 1);

  self->host = host;
  self->slot = tsr_extensions_register (host, &pex_class, self);
  return self;
}

void
tsr_ext_pex_set_metainfo (TsrExtPex *self,
                          gboolean   is_private)
{
  self->has_info = TRUE;
  self->is_private = is_private;
}

static void
pex_free (gpointer ext)
{
  g_free (ext);
}

static void
state_clear (gpointer state)
{
  PeerState *peer_state = state;

  g_clear_pointer (&peer_state->told, g_hash_table_unref);
}

static gboolean
pex_offered (gpointer ext)
{
  TsrExtPex *self = ext;

  return !self->is_private;
}

static void
send_pex (TsrExtPex  *self,
          TsrExtPeer *to,
          PeerState  *state,
          gint64      now)
{
  g_autoptr(TsrPexMessage) message = tsr_pex_message_new ();
  g_autoptr(GHashTable) current = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  g_autoptr(GArray) dialable = tsr_extensions_dup_dialable (self->host, to);
  g_autoptr(GBytes) payload = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  if (state->told == NULL)
    state->told = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  for (i = 0; i < dialable->len; i++)
    {
      const TsrPexPeer *peer = &g_array_index (dialable, TsrPexPeer, i);

      g_hash_table_insert (current, tsr_peer_address_dup (&peer->address), GUINT_TO_POINTER (peer->flags));
    }
  g_hash_table_iter_init (&iter, current);
  while (g_hash_table_iter_next (&iter, &key, &value) && message->added->len < TSR_PEX_MAX_PEERS)
    {
      TsrPexPeer peer = { 0 };

      if (g_hash_table_contains (state->told, key))
        continue;
      peer.address = *(const TsrPeerAddress *) key;
      peer.flags = (guint8) GPOINTER_TO_UINT (value);
      g_array_append_val (message->added, peer);
      g_hash_table_add (state->told, tsr_peer_address_dup (key));
    }
  g_hash_table_iter_init (&iter, state->told);
  while (g_hash_table_iter_next (&iter, &key, NULL) && message->dropped->len < TSR_PEX_MAX_PEERS)
    {
      TsrPexPeer peer = { 0 };

      if (g_hash_table_contains (current, key))
        continue;
      peer.address = *(const TsrPeerAddress *) key;
      g_array_append_val (message->dropped, peer);
      g_hash_table_iter_remove (&iter);
    }
  state->sent_at = now;
  if (message->added->len == 0 && message->dropped->len == 0)
    return;
  payload = tsr_pex_message_encode (message);
  tsr_extensions_send_extended (self->host, to, self->slot, payload);
}

static void
pex_message (gpointer              ext,
             TsrExtPeer           *peer,
             const TsrWireMessage *wire)
{
  TsrExtPex *self = ext;
  PeerState *state = tsr_extensions_get_state (self->host, peer, self->slot);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrPexMessage) message = NULL;
  gint64 now = tsr_extensions_now (self->host);
  guint i;

  /* BEP 27: a private torrent's peers come from its tracker only. */
  if (self->is_private || (state->got_at != 0 && now - state->got_at < TSR_EXT_PEX_MIN_GAP))
    return;
  state->got_at = now;
  message = tsr_pex_message_parse (wire->data, wire->data_length, &error);
  if (message == NULL)
    {
      g_autofree char *who = tsr_peer_address_to_string (tsr_ext_peer_get_address (peer));

      g_debug ("%s: %s", who, error->message);
      return;
    }
  for (i = 0; i < message->added->len && i < TSR_PEX_MAX_PEERS; i++)
    {
      TsrPexPeer *added = &g_array_index (message->added, TsrPexPeer, i);

      tsr_extensions_learned (self->host, peer, &added->address, added->flags);
    }
}

static void
pex_tick (gpointer ext,
          gint64   now)
{
  TsrExtPex *self = ext;
  guint i;

  if (self->is_private || !self->has_info)
    return;
  for (i = 0; i < tsr_extensions_get_n_peers (self->host); i++)
    {
      TsrExtPeer *peer = tsr_extensions_get_peer (self->host, i);
      PeerState *state;

      if (tsr_extensions_get_remote_id (self->host, peer, self->slot) == 0 ||
          !tsr_extensions_is_ready (self->host, peer))
        continue;
      state = tsr_extensions_get_state (self->host, peer, self->slot);
      if (state->sent_at == 0 ? now - tsr_ext_peer_get_added_at (peer) >= TSR_EXT_PEX_FIRST_DELAY
                              : now - state->sent_at >= TSR_PEX_INTERVAL)
        send_pex (self, peer, state, now);
    }
}

static const TsrExtensionClass pex_class = {
  .name = "ut_pex",
  .our_id = TSR_EXT_PEX_ID,
  .peer_size = sizeof (PeerState),
  .offered = pex_offered,
  .message = pex_message,
  .tick = pex_tick,
  .state_clear = state_clear,
  .free = pex_free,
};
