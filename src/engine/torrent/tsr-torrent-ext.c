/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-ext.c: a torrent's side of the extension protocol (BEP 10):
 * the extended handshake, metadata exchange (BEP 9: serving the info
 * dictionary, and fetching it for a torrent added from a magnet link)
 * and peer exchange (BEP 11; never for private torrents, BEP 27).
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-extension.h"
#include "tsr-metadata.h"
#include "tsr-pex.h"
#include "tsr-torrent-private.h"

/* A peer gets the whole dictionary this many times over, at most. */
#define METADATA_SERVE_ROUNDS 4
/* Seconds after the handshake before the first PEX message. */
#define PEX_FIRST_DELAY 5
/* A peer's PEX messages closer than this are ignored (BEP 11: one a
 * minute; a little slack for timers). */
#define PEX_MIN_GAP 45

static gboolean
is_private (TsrTorrent *self)
{
  return self->info != NULL && self->info->is_private;
}

static void
send_extended (PeerData *data,
               guint8    id,
               GBytes   *payload)
{
  TsrWireMessage message = { 0 };

  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = id;
  message.data = g_bytes_get_data (payload, &message.data_length);
  tsr_peer_send (data->peer, &message);
}

/* BEP 10: who we are, where we listen, how many requests we queue, the
 * address we see the peer at, and the extensions we speak. */
void
_tsr_torrent_send_extended_handshake (TsrTorrent *self,
                                      PeerData   *data)
{
  g_autoptr(TsrExtensionHandshake) ours = tsr_extension_handshake_new ();
  g_autoptr(GBytes) payload = NULL;
  const TsrPeerAddress *address = tsr_peer_get_remote_address (data->peer);

  g_hash_table_insert (ours->extensions, g_strdup ("ut_metadata"), GUINT_TO_POINTER (TSR_EXT_UT_METADATA));
  if (!is_private (self))
    g_hash_table_insert (ours->extensions, g_strdup ("ut_pex"), GUINT_TO_POINTER (TSR_EXT_UT_PEX));
  if (self->info != NULL)
    ours->metadata_size = (gint64) g_bytes_get_size (self->info->info_bytes);
  ours->client = g_strdup (PACKAGE_NAME " " PACKAGE_VERSION);
  ours->port = self->listen_port;
  ours->reqq = TSR_EXTENSION_OUR_REQQ;
  if (address->family != 0)
    ours->your_ip = tsr_peer_address_to_inet (address);
  payload = tsr_extension_handshake_encode (ours);
  send_extended (data, 0, payload);
}

/* ------------------------------------------------------------------ */
/* BEP 9: metadata                                                     */

static void
ask_metadata (TsrTorrent *self,
              PeerData   *data)
{
  g_autoptr(GBytes) payload = NULL;
  gint64 now = _tsr_torrent_now ();
  gint piece;

  if (self->fetch == NULL || data->ut_metadata == 0 || data->no_metadata || !data->shaken)
    return;
  if (data->metadata_asked >= 0)
    {
      /* Quiet too long: the piece is someone else's to give now. */
      if (now - data->metadata_asked_at < TSR_METADATA_REQUEST_TIMEOUT)
        return;
      data->metadata_asked = -1;
    }
  if (tsr_metadata_fetch_get_size (self->fetch) < 0)
    {
      g_autoptr(GError) error = NULL;

      if (data->metadata_size < 0)
        return;
      if (!tsr_metadata_fetch_set_size (self->fetch, data->metadata_size, &error))
        {
          g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
          data->no_metadata = TRUE;
          return;
        }
    }
  else if (data->metadata_size >= 0 && data->metadata_size != tsr_metadata_fetch_get_size (self->fetch))
    return;
  piece = tsr_metadata_fetch_next (self->fetch, now);
  if (piece < 0)
    return;
  data->metadata_asked = piece;
  data->metadata_asked_at = now;
  payload = tsr_metadata_message_encode (TSR_METADATA_REQUEST, (guint) piece, 0, NULL, 0);
  send_extended (data, data->ut_metadata, payload);
}

static gboolean
on_metadata_complete (gpointer user_data)
{
  TsrTorrent *self = user_data;
  g_autoptr(GBytes) info = self->fetch != NULL ? tsr_metadata_fetch_dup_info (self->fetch) : NULL;

  self->metadata_source = 0;
  if (info != NULL)
    _tsr_torrent_take_metadata (self, info);
  return G_SOURCE_REMOVE;
}

static void
serve_metadata (TsrTorrent               *self,
                PeerData                 *data,
                const TsrMetadataMessage *message)
{
  g_autoptr(GBytes) payload = NULL;
  gsize size = 0;
  const guint8 *info = self->info != NULL ? g_bytes_get_data (self->info->info_bytes, &size) : NULL;
  guint count = tsr_metadata_piece_count ((gint64) size);

  if (data->ut_metadata == 0)
    return;
  /* BEP 9: reject what we cannot or will not give. */
  if (info == NULL || message->piece >= count || data->metadata_served >= METADATA_SERVE_ROUNDS * count)
    payload = tsr_metadata_message_encode (TSR_METADATA_REJECT, message->piece, 0, NULL, 0);
  else
    {
      gsize offset = (gsize) message->piece * TSR_METADATA_PIECE_SIZE;

      data->metadata_served++;
      payload = tsr_metadata_message_encode (TSR_METADATA_DATA, message->piece, (gint64) size, info + offset,
                                             MIN (TSR_METADATA_PIECE_SIZE, size - offset));
    }
  send_extended (data, data->ut_metadata, payload);
}

static void
on_metadata_message (TsrTorrent           *self,
                     PeerData             *data,
                     const TsrWireMessage *wire)
{
  g_autoptr(GError) error = NULL;
  TsrMetadataMessage message;

  if (!tsr_metadata_message_parse (wire->data, wire->data_length, &message, &error))
    {
      g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
      return;
    }
  switch (message.type)
    {
    case TSR_METADATA_REQUEST:
      serve_metadata (self, data, &message);
      break;
    case TSR_METADATA_DATA:
      if (self->fetch == NULL)
        break;
      if ((gint) message.piece == data->metadata_asked)
        data->metadata_asked = -1;
      if (tsr_metadata_fetch_get_size (self->fetch) < 0 &&
          !tsr_metadata_fetch_set_size (self->fetch, message.total_size, &error))
        {
          g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
          data->no_metadata = TRUE;
          break;
        }
      if (message.total_size != tsr_metadata_fetch_get_size (self->fetch))
        break;
      if (!tsr_metadata_fetch_add (self->fetch, message.piece, message.data, message.data_length, &error))
        {
          guint i;

          g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
          /* A forged whole starts over: every peer may be asked again. */
          if (g_error_matches (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_HASH))
            for (i = 0; i < self->peers->len; i++)
              ((PeerData *) g_ptr_array_index (self->peers, i))->metadata_asked = -1;
          break;
        }
      if (tsr_metadata_fetch_get_progress (self->fetch) >= 1.0)
        {
          /* Not from inside this peer's message: taking the metainfo
           * drops every connection of the fetch, this one too. */
          if (self->metadata_source == 0)
            self->metadata_source = g_idle_add_full (G_PRIORITY_DEFAULT, on_metadata_complete, g_object_ref (self),
                                                     g_object_unref);
          return;
        }
      ask_metadata (self, data);
      break;
    case TSR_METADATA_REJECT:
      if (self->fetch == NULL)
        break;
      tsr_metadata_fetch_release (self->fetch, message.piece);
      data->metadata_asked = -1;
      data->no_metadata = TRUE;
      break;
    default:
      /* BEP 9: unknown message types are ignored. */
      break;
    }
}

/* ------------------------------------------------------------------ */
/* BEP 11: peer exchange                                               */

/* Where another peer could dial @data: the address we dialled, or the
 * host of an incoming connection with the port it told (BEP 10 "p").
 * FALSE when there is none. */
static gboolean
dialable_address (PeerData       *data,
                  TsrPeerAddress *out)
{
  *out = *tsr_peer_get_remote_address (data->peer);
  if (out->family == 0)
    return FALSE;
  if (data->dialed)
    return TRUE;
  out->port = data->listen_port;
  return data->listen_port != 0;
}

static void
send_pex (TsrTorrent *self,
          PeerData   *to,
          gint64      now)
{
  g_autoptr(TsrPexMessage) message = tsr_pex_message_new ();
  g_autoptr(GHashTable) current = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  g_autoptr(GBytes) payload = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  if (to->pex_told == NULL)
    to->pex_told = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  for (i = 0; i < self->peers->len; i++)
    {
      PeerData *data = g_ptr_array_index (self->peers, i);
      TsrPeerState *state = tsr_peer_get_state (data->peer);
      TsrPeerAddress address;
      guint flags = 0;

      if (data == to || !data->shaken || data->dropping || !dialable_address (data, &address))
        continue;
      if (state->have != NULL && tsr_bitfield_is_full (state->have))
        flags |= TSR_PEX_FLAG_SEED;
      /* We reached it: it takes connections. */
      if (data->dialed)
        flags |= TSR_PEX_FLAG_REACHABLE;
      g_hash_table_insert (current, tsr_peer_address_dup (&address), GUINT_TO_POINTER (flags));
    }
  g_hash_table_iter_init (&iter, current);
  while (g_hash_table_iter_next (&iter, &key, &value) && message->added->len < TSR_PEX_MAX_PEERS)
    {
      TsrPexPeer peer = { 0 };

      if (g_hash_table_contains (to->pex_told, key))
        continue;
      peer.address = *(const TsrPeerAddress *) key;
      peer.flags = (guint8) GPOINTER_TO_UINT (value);
      g_array_append_val (message->added, peer);
      g_hash_table_add (to->pex_told, tsr_peer_address_dup (key));
    }
  g_hash_table_iter_init (&iter, to->pex_told);
  while (g_hash_table_iter_next (&iter, &key, NULL) && message->dropped->len < TSR_PEX_MAX_PEERS)
    {
      TsrPexPeer peer = { 0 };

      if (g_hash_table_contains (current, key))
        continue;
      peer.address = *(const TsrPeerAddress *) key;
      g_array_append_val (message->dropped, peer);
      g_hash_table_iter_remove (&iter);
    }
  to->pex_sent_at = now;
  if (message->added->len == 0 && message->dropped->len == 0)
    return;
  payload = tsr_pex_message_encode (message);
  send_extended (to, to->ut_pex, payload);
}

static void
on_pex_message (TsrTorrent           *self,
                PeerData             *data,
                const TsrWireMessage *wire)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrPexMessage) message = NULL;
  gint64 now = _tsr_torrent_now ();
  guint i;

  /* BEP 27: a private torrent's peers come from its tracker only. */
  if (is_private (self) || (data->pex_got_at != 0 && now - data->pex_got_at < PEX_MIN_GAP))
    return;
  data->pex_got_at = now;
  message = tsr_pex_message_parse (wire->data, wire->data_length, &error);
  if (message == NULL)
    {
      g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
      return;
    }
  for (i = 0; i < message->added->len && i < TSR_PEX_MAX_PEERS; i++)
    {
      TsrPexPeer *peer = &g_array_index (message->added, TsrPexPeer, i);

      /* A seed has no use for seeds. */
      if (self->state == TSR_TORRENT_SEEDING && (peer->flags & TSR_PEX_FLAG_SEED))
        continue;
      _tsr_torrent_add_address (self, &peer->address, TSR_PEER_SOURCE_PEX);
    }
}

/* ------------------------------------------------------------------ */

void
_tsr_torrent_on_extended (TsrTorrent           *self,
                          PeerData             *data,
                          const TsrWireMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrExtensionHandshake) theirs = NULL;

  if (message->extended_id == TSR_EXT_UT_METADATA)
    {
      on_metadata_message (self, data, message);
      return;
    }
  if (message->extended_id == TSR_EXT_UT_PEX)
    {
      on_pex_message (self, data, message);
      return;
    }
  /* Ids we never gave are not for us (BEP 10). */
  if (message->extended_id != 0)
    return;
  theirs = tsr_extension_handshake_parse (message->data, message->data_length, &error);
  if (theirs == NULL)
    {
      g_debug ("%s: %s", tsr_peer_get_address (data->peer), error->message);
      return;
    }
  tsr_requester_peer_set_reqq (data->request, theirs->reqq);
  g_free (data->client);
  data->client = g_strdup (theirs->client);
  /* A later handshake may change ids, or turn one off. */
  data->ut_metadata = (guint8) GPOINTER_TO_UINT (g_hash_table_lookup (theirs->extensions, "ut_metadata"));
  data->ut_pex = (guint8) GPOINTER_TO_UINT (g_hash_table_lookup (theirs->extensions, "ut_pex"));
  if (theirs->metadata_size >= 0)
    data->metadata_size = theirs->metadata_size;
  if (theirs->port != 0 && data->listen_port != theirs->port)
    {
      data->listen_port = theirs->port;
      /* Where an incoming peer accepts connections: worth dialling later. */
      if (!data->dialed)
        {
          TsrPeerAddress address;

          if (dialable_address (data, &address))
            tsr_peer_pool_add (self->pool, &address, TSR_PEER_SOURCE_INCOMING, _tsr_torrent_now ());
        }
    }
  if (self->fetch != NULL)
    {
      if (data->ut_metadata == 0)
        {
          tsr_peer_close (data->peer, _("The peer cannot send the torrent’s metadata"));
          return;
        }
      ask_metadata (self, data);
    }
}

void
_tsr_torrent_extensions_tick (TsrTorrent *self)
{
  gint64 now = _tsr_torrent_now ();
  guint i;

  for (i = 0; i < self->peers->len; i++)
    {
      PeerData *data = g_ptr_array_index (self->peers, i);

      if (!data->shaken || data->dropping)
        continue;
      if (self->fetch != NULL)
        {
          /* Without the extension protocol, it cannot give the metadata. */
          if (!tsr_peer_get_state (data->peer)->extended)
            {
              tsr_peer_close (data->peer, _("The peer cannot send the torrent’s metadata"));
              continue;
            }
          ask_metadata (self, data);
        }
      if (data->ut_pex != 0 && !is_private (self) && self->info != NULL &&
          (data->pex_sent_at == 0 ? now - data->connected_at >= PEX_FIRST_DELAY
                                  : now - data->pex_sent_at >= TSR_PEX_INTERVAL))
        send_pex (self, data, now);
    }
}

void
_tsr_torrent_extensions_peer_gone (TsrTorrent *self,
                                   PeerData   *data)
{
  TsrPeerSource source;
  TsrPeerAddress address;

  if (self->fetch != NULL && data->metadata_asked >= 0)
    tsr_metadata_fetch_release (self->fetch, (guint) data->metadata_asked);
  data->metadata_asked = -1;
  /* A seed does not dial what came to it: the address of a peer that
   * left would only sit in the pool. It will come back by itself. */
  if (self->state == TSR_TORRENT_SEEDING && !data->dialed && dialable_address (data, &address) &&
      tsr_peer_pool_get_source (self->pool, &address, &source) && source == TSR_PEER_SOURCE_INCOMING)
    tsr_peer_pool_forget (self->pool, &address);
}
