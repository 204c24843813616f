/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-holepunch.c: ut_holepunch (BEP 55). Relay: a rendezvous from A
 * naming B, when we are connected to B and B speaks ut_holepunch, makes
 * a connect naming A go to B and one naming B go to A; otherwise A hears
 * an error (NoSuchPeer, NotConnected, NoSupport, NoSelf). Initiator: the
 * addresses peers tell us (BEP 11) without the "reachable" flag are
 * remembered with the peer that told them; when a dial of one fails, that
 * peer is asked for a rendezvous. A connect from a relay is dialled at
 * once by the owner (uTP first), as the other side does. Every message
 * is rate-limited: per target, per relay and per asking peer.
 *
 * A peer is named by the address another could dial it at. Over uTP,
 * the address its connection comes from: its UDP socket's as its NAT
 * maps it, the one hole its NAT opens to anyone it sends to (the port
 * it told is that only behind a NAT that keeps source ports, as Linux
 * masquerade does). Over TCP, the one we dialled, or the host it came
 * from with the port it told (BEP 10 "p"): its TCP source port is a
 * fresh one. A rendezvous finds its target by either name.
 */
#define G_LOG_DOMAIN "tsr-ext-holepunch"

#include "config.h"

#include "tsr-ext-holepunch.h"
#include "tsr-pex.h"

/* At most TSR_EXT_HOLEPUNCH_BURST events per TSR_EXT_HOLEPUNCH_WINDOW. */
typedef struct
{
  gint64 start;   /* monotonic seconds */
  guint  count;
} Window;

typedef struct
{
  Window sent;      /* rendezvous we sent it (it is our relay) */
  Window taken;     /* rendezvous it sent us (we are its relay) */
  Window obeyed;    /* connects it sent us */
} PeerState;

struct _TsrExtHolepunch
{
  TsrExtensions              *host;        /* borrowed: it owns us */
  guint                       slot;
  gboolean                    is_private;  /* BEP 27 */
  /* Both made at their first entry and dropped once empty: most torrents
   * never hear of an unreachable peer, and an idle one keeps two NULLs. */
  GHashTable                 *learned;     /* (owned) (nullable) TsrPeerAddress → TsrPeerAddress: who told it */
  GHashTable                 *asked;       /* (owned) (nullable) TsrPeerAddress → gint64 *: our last rendezvous */
  const TsrExtHolepunchFuncs *funcs;
  gpointer                    user_data;
};

static const TsrExtensionClass holepunch_class;

TsrExtHolepunch *
tsr_ext_holepunch_new (TsrExtensions              *host,
                       const TsrExtHolepunchFuncs *funcs,
                       gpointer                    user_data)
{
  TsrExtHolepunch *self = g_new0 (TsrExtHolepunch, 1);

  self->host = host;
  self->funcs = funcs;
  self->user_data = user_data;
  self->slot = tsr_extensions_register (host, &holepunch_class, self);
  return self;
}

void
tsr_ext_holepunch_set_private (TsrExtHolepunch *self,
                               gboolean         is_private)
{
  self->is_private = is_private;
  if (is_private)
    g_clear_pointer (&self->learned, g_hash_table_unref);
}

static GHashTable *
address_table_new (void)
{
  return g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, g_free);
}

static void
forget_address (GHashTable           **table,
                const TsrPeerAddress  *address)
{
  if (*table != NULL && g_hash_table_remove (*table, address) && g_hash_table_size (*table) == 0)
    g_clear_pointer (table, g_hash_table_unref);
}

/* No table: what an idle torrent keeps (the tables come with entries). */
gboolean
tsr_ext_holepunch_is_empty (TsrExtHolepunch *self)
{
  return self->learned == NULL && self->asked == NULL;
}

static void
holepunch_free (gpointer ext)
{
  TsrExtHolepunch *self = ext;

  g_clear_pointer (&self->learned, g_hash_table_unref);
  g_clear_pointer (&self->asked, g_hash_table_unref);
  g_free (self);
}

static gboolean
holepunch_offered (gpointer ext)
{
  TsrExtHolepunch *self = ext;

  return !self->is_private;
}

static gboolean
window_allows (Window *window,
               gint64  now)
{
  if (window->start == 0 || now - window->start >= TSR_EXT_HOLEPUNCH_WINDOW)
    {
      window->start = now;
      window->count = 0;
    }
  if (window->count >= TSR_EXT_HOLEPUNCH_BURST)
    return FALSE;
  window->count++;
  return TRUE;
}

static void
report (TsrExtHolepunch      *self,
        const TsrPeerAddress *address,
        const char           *detail)
{
  if (self->funcs->event != NULL)
    self->funcs->event (address, detail, self->user_data);
}

/* Where another peer could dial @peer (see the top of the file). */
static TsrPeerAddress
named_address (TsrExtPeer *peer)
{
  TsrPeerAddress address;

  if (tsr_ext_peer_get_utp (peer) || !tsr_ext_peer_get_dialable (peer, &address))
    address = *tsr_ext_peer_get_address (peer);
  return address;
}

/* Whether @address names @peer: by the address its connection comes
 * from, or by the one peer exchange tells of it. */
static gboolean
names_peer (TsrExtPeer           *peer,
            const TsrPeerAddress *address)
{
  TsrPeerAddress dialable;

  return tsr_peer_address_equal (tsr_ext_peer_get_address (peer), address) ||
         (tsr_ext_peer_get_dialable (peer, &dialable) && tsr_peer_address_equal (&dialable, address));
}

static gboolean
speaks_holepunch (TsrExtHolepunch *self,
                  TsrExtPeer      *peer)
{
  return tsr_extensions_is_ready (self->host, peer) &&
         tsr_extensions_get_remote_id (self->host, peer, self->slot) != 0;
}

static void
send_message (TsrExtHolepunch      *self,
              TsrExtPeer           *to,
              TsrHolepunchType      type,
              const TsrPeerAddress *address,
              guint32               code)
{
  TsrHolepunchMessage message = { 0 };
  g_autoptr(GBytes) payload = NULL;

  message.type = type;
  message.address = *address;
  message.code = code;
  payload = tsr_holepunch_message_encode (&message);
  tsr_extensions_send_extended (self->host, to, self->slot, payload);
}

/* The connected peer @target names. */
static TsrExtPeer *
find_target (TsrExtHolepunch      *self,
             const TsrPeerAddress *target)
{
  guint i;

  for (i = 0; i < tsr_extensions_get_n_peers (self->host); i++)
    {
      TsrExtPeer *peer = tsr_extensions_get_peer (self->host, i);

      if (tsr_extensions_is_ready (self->host, peer) && names_peer (peer, target))
        return peer;
    }
  return NULL;
}

/* BEP 55: we are the relay; @from asks to meet @target. */
static void
on_rendezvous (TsrExtHolepunch      *self,
               TsrExtPeer           *from,
               PeerState            *state,
               const TsrPeerAddress *target,
               gint64                now)
{
  TsrPeerAddress from_named = named_address (from);
  TsrPeerAddress target_named;
  TsrExtPeer *peer;

  /* Past its budget: ignored, not answered (answers cost us too). */
  if (!window_allows (&state->taken, now))
    return;
  if (names_peer (from, target))
    {
      send_message (self, from, TSR_HOLEPUNCH_ERROR_MSG, target, TSR_HOLEPUNCH_NO_SELF);
      return;
    }
  peer = find_target (self, target);
  if (peer == NULL)
    {
      gboolean known = self->funcs->known != NULL && self->funcs->known (target, self->user_data);

      send_message (self, from, TSR_HOLEPUNCH_ERROR_MSG, target,
                    known ? TSR_HOLEPUNCH_NOT_CONNECTED : TSR_HOLEPUNCH_NO_SUCH_PEER);
      return;
    }
  if (!speaks_holepunch (self, peer))
    {
      send_message (self, from, TSR_HOLEPUNCH_ERROR_MSG, target, TSR_HOLEPUNCH_NO_SUPPORT);
      return;
    }
  /* Each dials the other as soon as it hears: send both now, each
   * naming the other where its NAT will let the other's packets in. */
  target_named = named_address (peer);
  send_message (self, peer, TSR_HOLEPUNCH_CONNECT, &from_named, 0);
  send_message (self, from, TSR_HOLEPUNCH_CONNECT, &target_named, 0);
  report (self, target, "holepunch-relayed");
}

static void
on_connect (TsrExtHolepunch      *self,
            TsrExtPeer           *from,
            PeerState            *state,
            const TsrPeerAddress *address,
            gint64                now)
{
  /* Never dial the relay itself, or for a relay past its budget. */
  if (names_peer (from, address) || !window_allows (&state->obeyed, now))
    return;
  report (self, address, "holepunch-connect");
  self->funcs->dial (address, self->user_data);
}

static void
holepunch_message (gpointer              ext,
                   TsrExtPeer           *peer,
                   const TsrWireMessage *wire)
{
  TsrExtHolepunch *self = ext;
  g_autoptr(GError) error = NULL;
  TsrHolepunchMessage message;
  PeerState *state;
  gint64 now = tsr_extensions_now (self->host);

  /* BEP 27: nothing of it for a private torrent. */
  if (self->is_private)
    return;
  if (!tsr_holepunch_message_parse (wire->data, wire->data_length, &message, &error))
    {
      g_autofree char *who = tsr_peer_address_to_string (tsr_ext_peer_get_address (peer));

      g_debug ("%s: %s", who, error->message);
      return;
    }
  state = tsr_extensions_get_state (self->host, peer, self->slot);
  if (message.type == TSR_HOLEPUNCH_RENDEZVOUS)
    on_rendezvous (self, peer, state, &message.address, now);
  else if (message.type == TSR_HOLEPUNCH_CONNECT)
    on_connect (self, peer, state, &message.address, now);
  else
    {
      g_autofree char *target = tsr_peer_address_to_string (&message.address);
      g_autofree char *detail = g_strdup_printf ("holepunch-error: %s", tsr_holepunch_code_to_string (message.code));

      g_debug ("Rendezvous with %s failed: %s", target, tsr_holepunch_code_to_string (message.code));
      report (self, &message.address, detail);
    }
}

/* BEP 11: an address @from told; one it did not reach may need us. */
static void
holepunch_learned (gpointer              ext,
                   TsrExtPeer           *from,
                   const TsrPeerAddress *address,
                   guint8                flags)
{
  TsrExtHolepunch *self = ext;
  TsrPeerAddress relay;

  if (self->is_private || from == NULL)
    return;
  relay = named_address (from);
  if (flags & TSR_PEX_FLAG_REACHABLE)
    {
      forget_address (&self->learned, address);
      return;
    }
  if (names_peer (from, address))
    return;
  if (self->learned == NULL)
    self->learned = address_table_new ();
  /* Full: one old address makes room (any: they all wait for a dial). */
  if (g_hash_table_size (self->learned) >= TSR_EXT_HOLEPUNCH_MAX_LEARNED &&
      !g_hash_table_contains (self->learned, address))
    {
      GHashTableIter iter;

      g_hash_table_iter_init (&iter, self->learned);
      if (g_hash_table_iter_next (&iter, NULL, NULL))
        g_hash_table_iter_remove (&iter);
    }
  g_hash_table_insert (self->learned, tsr_peer_address_dup (address), tsr_peer_address_dup (&relay));
}

gboolean
tsr_ext_holepunch_dial_failed (TsrExtHolepunch      *self,
                               const TsrPeerAddress *address)
{
  const TsrPeerAddress *relay_address = self->learned != NULL ? g_hash_table_lookup (self->learned, address) : NULL;
  gint64 now = tsr_extensions_now (self->host);
  const gint64 *asked_at;
  TsrExtPeer *relay;
  PeerState *state;

  if (self->is_private || relay_address == NULL)
    return FALSE;
  relay = find_target (self, relay_address);
  if (relay == NULL || !speaks_holepunch (self, relay))
    return FALSE;
  asked_at = self->asked != NULL ? g_hash_table_lookup (self->asked, address) : NULL;
  if (asked_at != NULL && now - *asked_at < TSR_EXT_HOLEPUNCH_TARGET_GAP)
    return FALSE;
  state = tsr_extensions_get_state (self->host, relay, self->slot);
  if (!window_allows (&state->sent, now))
    return FALSE;
  if (self->asked == NULL)
    self->asked = address_table_new ();
  g_hash_table_insert (self->asked, tsr_peer_address_dup (address), g_memdup2 (&now, sizeof now));
  send_message (self, relay, TSR_HOLEPUNCH_RENDEZVOUS, address, 0);
  report (self, address, "holepunch-rendezvous");
  return TRUE;
}

/* The record of old rendezvous goes once it no longer limits anything. */
static void
holepunch_tick (gpointer ext,
                gint64   now)
{
  TsrExtHolepunch *self = ext;
  GHashTableIter iter;
  gpointer value;

  if (self->asked == NULL)
    return;
  g_hash_table_iter_init (&iter, self->asked);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - *(const gint64 *) value >= TSR_EXT_HOLEPUNCH_TARGET_GAP)
      g_hash_table_iter_remove (&iter);
  if (g_hash_table_size (self->asked) == 0)
    g_clear_pointer (&self->asked, g_hash_table_unref);
}

static const TsrExtensionClass holepunch_class = {
  .name = "ut_holepunch",
  .our_id = TSR_EXT_HOLEPUNCH_ID,
  .peer_size = sizeof (PeerState),
  .pex_flags = TSR_PEX_FLAG_HOLEPUNCH,
  .offered = holepunch_offered,
  .message = holepunch_message,
  .learned = holepunch_learned,
  .tick = holepunch_tick,
  .free = holepunch_free,
};
