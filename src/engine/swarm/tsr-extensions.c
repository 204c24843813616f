/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-extensions.c: the extension host. Each peer keeps, per registered
 * extension, the id it gave that extension (BEP 10) and the extension's
 * state for it. An extension may close a peer from inside a message: the
 * peer is then removed at once, but its record lives until the message
 * is done with it (a depth count), so the host never reads freed memory.
 */
#define G_LOG_DOMAIN "tsr-extensions"

#include "config.h"

#include "tsr-extensions.h"
#include "tsr-pex.h"

typedef struct
{
  const TsrExtensionClass *klass;
  gpointer                 ext;     /* (owned) */
} Registered;

struct _TsrExtPeer
{
  gpointer       conn;              /* borrowed; unused once removed */
  TsrPeerAddress address;
  const TsrBitfield *have;          /* (nullable) borrowed: its pieces */
  gint64         added_at;          /* monotonic seconds */
  gboolean       shaken;            /* the BitTorrent handshake is done */
  gboolean       dialed;            /* we dialled it */
  gboolean       extended;          /* our BEP 10 handshake went to it */
  gboolean       closing;           /* a close is scheduled */
  gboolean       removed;
  gboolean       utp;               /* it came over uTP */
  guint16        listen_port;       /* its "p" (BEP 10), 0: not told */
  guint          depth;             /* messages being handled for it */
  guint8         ids[TSR_EXTENSIONS_MAX];   /* its ids for our extensions, 0: none */
  gpointer       states[TSR_EXTENSIONS_MAX]; /* (owned) (nullable) */
};

struct _TsrExtensions
{
  const TsrExtensionsFuncs *funcs;
  gpointer                  user_data;
  Registered                registered[TSR_EXTENSIONS_MAX];
  guint                     n_registered;
  GPtrArray                *peers;  /* (element-type TsrExtPeer) (owned) (nullable) NULL with none */
  guint16                   listen_port;
};

static gint64
now_of (TsrExtensions *self)
{
  return self->funcs->now != NULL ? self->funcs->now (self->user_data) : g_get_monotonic_time () / G_USEC_PER_SEC;
}

TsrExtensions *
tsr_extensions_new (const TsrExtensionsFuncs *funcs,
                    gpointer                  user_data)
{
  TsrExtensions *self = g_new0 (TsrExtensions, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

static void
clear_states (TsrExtensions *self,
              TsrExtPeer    *peer)
{
  guint i;

  for (i = 0; i < self->n_registered; i++)
    {
      if (peer->states[i] == NULL)
        continue;
      if (self->registered[i].klass->state_clear != NULL)
        self->registered[i].klass->state_clear (peer->states[i]);
      g_clear_pointer (&peer->states[i], g_free);
    }
}

void
tsr_extensions_free (TsrExtensions *self)
{
  guint i;

  if (self == NULL)
    return;
  for (i = 0; i < tsr_extensions_get_n_peers (self); i++)
    {
      TsrExtPeer *peer = g_ptr_array_index (self->peers, i);

      clear_states (self, peer);
      g_free (peer);
    }
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  for (i = 0; i < self->n_registered; i++)
    if (self->registered[i].klass->free != NULL)
      self->registered[i].klass->free (self->registered[i].ext);
  g_free (self);
}

guint
tsr_extensions_register (TsrExtensions           *self,
                         const TsrExtensionClass *klass,
                         gpointer                 ext)
{
  g_return_val_if_fail (self->n_registered < TSR_EXTENSIONS_MAX, 0);
  g_return_val_if_fail (tsr_extensions_get_n_peers (self) == 0, 0);
  g_return_val_if_fail (klass->name == NULL || klass->our_id != 0, 0);

  self->registered[self->n_registered].klass = klass;
  self->registered[self->n_registered].ext = ext;
  return self->n_registered++;
}

gpointer
tsr_extensions_get_ext (TsrExtensions *self,
                        guint          slot)
{
  g_return_val_if_fail (slot < self->n_registered, NULL);
  return self->registered[slot].ext;
}

void
tsr_extensions_set_listen_port (TsrExtensions *self,
                                guint16        port)
{
  self->listen_port = port;
}

TsrExtPeer *
tsr_extensions_add_peer (TsrExtensions        *self,
                         gpointer              conn,
                         const TsrPeerAddress *address,
                         const TsrBitfield    *have)
{
  TsrExtPeer *peer = g_new0 (TsrExtPeer, 1);

  peer->conn = conn;
  peer->address = *address;
  peer->have = have;
  peer->added_at = now_of (self);
  if (self->peers == NULL)
    self->peers = g_ptr_array_new ();
  g_ptr_array_add (self->peers, peer);
  return peer;
}

void
tsr_extensions_remove_peer (TsrExtensions *self,
                            TsrExtPeer    *peer)
{
  guint i;

  if (peer == NULL || peer->removed)
    return;
  peer->removed = TRUE;
  g_ptr_array_remove_fast (self->peers, peer);
  /* An idle torrent keeps no array. */
  if (self->peers->len == 0)
    g_clear_pointer (&self->peers, g_ptr_array_unref);
  for (i = 0; i < self->n_registered; i++)
    if (peer->states[i] != NULL && self->registered[i].klass->peer_gone != NULL)
      self->registered[i].klass->peer_gone (self->registered[i].ext, peer, peer->states[i]);
  clear_states (self, peer);
  /* Still in use by the message that closed it: freed when it is done. */
  if (peer->depth == 0)
    g_free (peer);
}

void
tsr_extensions_peer_closing (TsrExtensions *self,
                             TsrExtPeer    *peer)
{
  peer->closing = TRUE;
}

/* BEP 10: who we are, where we listen, how many requests we queue, the
 * address we see the peer at, and the extensions we speak. */
void
tsr_extensions_peer_shaken (TsrExtensions *self,
                            TsrExtPeer    *peer,
                            gboolean       dialed,
                            gboolean       extended)
{
  g_autoptr(TsrExtensionHandshake) ours = NULL;
  g_autoptr(GBytes) payload = NULL;
  TsrWireMessage message = { 0 };
  guint i;

  peer->shaken = TRUE;
  peer->dialed = dialed;
  peer->extended = extended;
  if (!extended)
    return;
  ours = tsr_extension_handshake_new ();
  for (i = 0; i < self->n_registered; i++)
    {
      const TsrExtensionClass *klass = self->registered[i].klass;
      gpointer ext = self->registered[i].ext;

      if (klass->name != NULL && (klass->offered == NULL || klass->offered (ext)))
        g_hash_table_insert (ours->extensions, g_strdup (klass->name), GUINT_TO_POINTER (klass->our_id));
      if (klass->fill != NULL)
        klass->fill (ext, ours);
    }
  ours->client = g_strdup (PACKAGE_NAME " " PACKAGE_VERSION);
  ours->port = self->listen_port;
  ours->reqq = TSR_EXTENSION_OUR_REQQ;
  if (peer->address.family != 0)
    ours->your_ip = tsr_peer_address_to_inet (&peer->address);
  payload = tsr_extension_handshake_encode (ours);
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = 0;
  message.data = g_bytes_get_data (payload, &message.data_length);
  self->funcs->send (peer->conn, &message, self->user_data);
}

static void
on_handshake (TsrExtensions        *self,
              TsrExtPeer           *peer,
              const TsrWireMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrExtensionHandshake) theirs = NULL;
  TsrPeerAddress listening;
  gboolean told_port = FALSE;
  guint i;

  theirs = tsr_extension_handshake_parse (message->data, message->data_length, &error);
  if (theirs == NULL)
    {
      g_autofree char *who = tsr_peer_address_to_string (&peer->address);

      g_debug ("%s: %s", who, error->message);
      return;
    }
  /* A later handshake may change ids, or turn one off. */
  for (i = 0; i < self->n_registered; i++)
    if (self->registered[i].klass->name != NULL)
      peer->ids[i] = (guint8) GPOINTER_TO_UINT (g_hash_table_lookup (theirs->extensions,
                                                                     self->registered[i].klass->name));
  if (theirs->port != 0 && peer->listen_port != theirs->port)
    {
      peer->listen_port = theirs->port;
      told_port = !peer->dialed && tsr_ext_peer_get_dialable (peer, &listening);
    }
  self->funcs->handshake (peer->conn, theirs, told_port ? &listening : NULL, self->user_data);
  for (i = 0; i < self->n_registered && !peer->removed; i++)
    if (self->registered[i].klass->handshake != NULL)
      self->registered[i].klass->handshake (self->registered[i].ext, peer, theirs);
}

void
tsr_extensions_on_message (TsrExtensions        *self,
                           TsrExtPeer           *peer,
                           const TsrWireMessage *message)
{
  gboolean hashes = message->type == TSR_WIRE_HASH_REQUEST || message->type == TSR_WIRE_HASHES ||
                    message->type == TSR_WIRE_HASH_REJECT;
  guint i;

  if (peer == NULL || peer->removed || (message->type != TSR_WIRE_EXTENDED && !hashes))
    return;
  peer->depth++;
  if (!hashes && message->extended_id == 0)
    on_handshake (self, peer, message);
  else
    for (i = 0; i < self->n_registered; i++)
      {
        const TsrExtensionClass *klass = self->registered[i].klass;

        /* Messages to us carry the ids we gave (BEP 10). */
        if (hashes ? klass->name == NULL : klass->name != NULL && klass->our_id == message->extended_id)
          {
            klass->message (self->registered[i].ext, peer, message);
            break;
          }
      }
  peer->depth--;
  if (peer->removed && peer->depth == 0)
    g_free (peer);
}

void
tsr_extensions_tick (TsrExtensions *self)
{
  gint64 now = now_of (self);
  guint i;

  for (i = 0; i < self->n_registered; i++)
    if (self->registered[i].klass->tick != NULL)
      self->registered[i].klass->tick (self->registered[i].ext, now);
}

guint
tsr_extensions_get_n_peers (TsrExtensions *self)
{
  return self->peers != NULL ? self->peers->len : 0;
}

TsrExtPeer *
tsr_extensions_get_peer (TsrExtensions *self,
                         guint          i)
{
  return g_ptr_array_index (self->peers, i);
}

TsrExtPeer *
tsr_extensions_find_peer (TsrExtensions        *self,
                          const TsrPeerAddress *address)
{
  guint i;

  for (i = 0; i < tsr_extensions_get_n_peers (self); i++)
    {
      TsrExtPeer *peer = g_ptr_array_index (self->peers, i);

      if (tsr_peer_address_equal (&peer->address, address))
        return peer;
    }
  return NULL;
}

gpointer
tsr_extensions_get_state (TsrExtensions *self,
                          TsrExtPeer    *peer,
                          guint          slot)
{
  g_return_val_if_fail (slot < self->n_registered, NULL);

  if (peer->states[slot] == NULL && self->registered[slot].klass->peer_size > 0 && !peer->removed)
    {
      peer->states[slot] = g_malloc0 (self->registered[slot].klass->peer_size);
      if (self->registered[slot].klass->state_init != NULL)
        self->registered[slot].klass->state_init (peer->states[slot]);
    }
  return peer->states[slot];
}

guint8
tsr_extensions_get_remote_id (TsrExtensions *self,
                              TsrExtPeer    *peer,
                              guint          slot)
{
  g_return_val_if_fail (slot < self->n_registered, 0);

  return peer->ids[slot];
}

void
tsr_extensions_send_extended (TsrExtensions *self,
                              TsrExtPeer    *peer,
                              guint          slot,
                              GBytes        *payload)
{
  TsrWireMessage message = { 0 };

  if (peer->removed || tsr_extensions_get_remote_id (self, peer, slot) == 0)
    return;
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = peer->ids[slot];
  message.data = g_bytes_get_data (payload, &message.data_length);
  self->funcs->send (peer->conn, &message, self->user_data);
}

void
tsr_extensions_send (TsrExtensions        *self,
                     TsrExtPeer           *peer,
                     const TsrWireMessage *message)
{
  if (!peer->removed)
    self->funcs->send (peer->conn, message, self->user_data);
}

void
tsr_extensions_close (TsrExtensions *self,
                      TsrExtPeer    *peer,
                      const char    *reason)
{
  if (!peer->removed)
    self->funcs->close (peer->conn, reason, self->user_data);
}

gboolean
tsr_extensions_is_ready (TsrExtensions *self,
                         TsrExtPeer    *peer)
{
  return peer->shaken && !peer->closing && !peer->removed;
}

void
tsr_extensions_learned (TsrExtensions        *self,
                        TsrExtPeer           *from,
                        const TsrPeerAddress *address,
                        guint8                flags)
{
  guint i;

  for (i = 0; i < self->n_registered; i++)
    if (self->registered[i].klass->learned != NULL)
      self->registered[i].klass->learned (self->registered[i].ext, from, address, flags);
  self->funcs->learned (address, flags, self->user_data);
}

GArray *
tsr_extensions_dup_dialable (TsrExtensions *self,
                             TsrExtPeer    *except)
{
  GArray *dialable = g_array_new (FALSE, TRUE, sizeof (TsrPexPeer));
  guint i, j;

  for (i = 0; i < tsr_extensions_get_n_peers (self); i++)
    {
      TsrExtPeer *peer = g_ptr_array_index (self->peers, i);
      TsrPexPeer told = { 0 };

      if (peer == except || !tsr_extensions_is_ready (self, peer) || !tsr_ext_peer_get_dialable (peer, &told.address))
        continue;
      if (peer->have != NULL && tsr_bitfield_is_full (peer->have))
        told.flags |= TSR_PEX_FLAG_SEED;
      /* We reached it: it takes connections. */
      if (peer->dialed)
        told.flags |= TSR_PEX_FLAG_REACHABLE;
      /* libtorrent asks for a rendezvous only for a peer told with
       * ut_holepunch, and dials uTP first to one told with uTP. */
      if (peer->utp)
        told.flags |= TSR_PEX_FLAG_UTP;
      for (j = 0; j < self->n_registered; j++)
        if (peer->ids[j] != 0)
          told.flags |= self->registered[j].klass->pex_flags;
      g_array_append_val (dialable, told);
    }
  return dialable;
}

void
tsr_extensions_metainfo (TsrExtensions *self,
                         TsrMetainfo   *info,
                         const GError  *error)
{
  self->funcs->metainfo (info, error, self->user_data);
}

gboolean
tsr_extensions_has_piece (TsrExtensions *self,
                          guint          index)
{
  return self->funcs->has_piece (index, self->user_data);
}

gint64
tsr_extensions_now (TsrExtensions *self)
{
  return now_of (self);
}

void
tsr_extensions_append_names (TsrExtensions *self,
                             TsrExtPeer    *peer,
                             GString       *out)
{
  guint i;

  for (i = 0; i < self->n_registered; i++)
    if (self->registered[i].klass->name != NULL && peer->ids[i] != 0)
      g_string_append_printf (out, ", %s", self->registered[i].klass->name);
}

const TsrPeerAddress *
tsr_ext_peer_get_address (TsrExtPeer *peer)
{
  return &peer->address;
}

gboolean
tsr_ext_peer_get_extended (TsrExtPeer *peer)
{
  return peer->extended;
}

gint64
tsr_ext_peer_get_added_at (TsrExtPeer *peer)
{
  return peer->added_at;
}

void
tsr_ext_peer_set_utp (TsrExtPeer *peer,
                      gboolean    utp)
{
  peer->utp = utp;
}

gboolean
tsr_ext_peer_get_utp (TsrExtPeer *peer)
{
  return peer->utp;
}

gboolean
tsr_ext_peer_get_dialable (TsrExtPeer     *peer,
                           TsrPeerAddress *out)
{
  *out = peer->address;
  if (out->family == 0)
    return FALSE;
  if (peer->dialed)
    return TRUE;
  out->port = peer->listen_port;
  return peer->listen_port != 0;
}
