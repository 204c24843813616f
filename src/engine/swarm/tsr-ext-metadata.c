/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-metadata.c: ut_metadata (BEP 9). Serving: each request gets
 * its piece of our info dictionary, or a reject when we have none, the
 * piece does not exist or the peer had the whole of it
 * TSR_EXT_METADATA_SERVE_ROUNDS times. Fetching: each peer that told a
 * size is asked one piece at a time; a piece unanswered for
 * TSR_METADATA_REQUEST_TIMEOUT seconds, or whose peer left, goes to
 * another. Once whole (and matching the magnet's hash), the host hears
 * it from an idle, not from inside the peer's message: taking the
 * metainfo drops every connection of the fetch.
 */
#define G_LOG_DOMAIN "tsr-ext-metadata"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-ext-metadata.h"
#include "tsr-metadata.h"

typedef struct
{
  gint64   size;          /* its "metadata_size", -1 when not told */
  gint     asked;         /* the piece asked of it, -1: none */
  gint64   asked_at;      /* monotonic seconds */
  gboolean refused;       /* it rejected a request, or its size was bad */
  guint    served;        /* pieces sent to it */
} PeerState;

struct _TsrExtMetadata
{
  TsrExtensions    *host;        /* borrowed: it owns us */
  guint             slot;
  GBytes           *info;        /* (owned) (nullable) what we serve */
  TsrMetadataFetch *fetch;       /* (owned) (nullable) while fetching */
  TsrMagnet        *magnet;      /* (owned) (nullable) what is fetched */
  TsrExtHashes     *hashes;      /* borrowed: the host owns it too */
  guint             complete_source; /* idle: tell the host */
};

static const TsrExtensionClass metadata_class;

TsrExtMetadata *
tsr_ext_metadata_new (TsrExtensions *host)
{
  TsrExtMetadata *self = g_new0 (TsrExtMetadata, 1);

  self->host = host;
  self->slot = tsr_extensions_register (host, &metadata_class, self);
  return self;
}

static void
metadata_free (gpointer ext)
{
  TsrExtMetadata *self = ext;

  g_clear_handle_id (&self->complete_source, g_source_remove);
  g_clear_pointer (&self->info, g_bytes_unref);
  g_clear_pointer (&self->fetch, tsr_metadata_fetch_free);
  g_clear_pointer (&self->magnet, tsr_magnet_free);
  g_free (self);
}

void
tsr_ext_metadata_set_info (TsrExtMetadata *self,
                           GBytes         *info)
{
  g_clear_pointer (&self->info, g_bytes_unref);
  self->info = info != NULL ? g_bytes_ref (info) : NULL;
}

void
tsr_ext_metadata_fetch (TsrExtMetadata  *self,
                        const TsrMagnet *magnet,
                        TsrExtHashes    *hashes)
{
  g_clear_pointer (&self->fetch, tsr_metadata_fetch_free);
  g_clear_pointer (&self->magnet, tsr_magnet_free);
  self->fetch = tsr_metadata_fetch_new (magnet->has_v1 ? magnet->info_hash_v1 : NULL,
                                        magnet->has_v2 ? magnet->info_hash_v2 : NULL);
  self->magnet = tsr_magnet_copy (magnet);
  self->hashes = hashes;
}

void
tsr_ext_metadata_stop (TsrExtMetadata *self)
{
  g_clear_handle_id (&self->complete_source, g_source_remove);
  g_clear_pointer (&self->fetch, tsr_metadata_fetch_free);
}

gboolean
tsr_ext_metadata_is_fetching (TsrExtMetadata *self)
{
  return self->fetch != NULL;
}

gdouble
tsr_ext_metadata_get_progress (TsrExtMetadata *self)
{
  return self->fetch != NULL ? tsr_metadata_fetch_get_progress (self->fetch) : 0.0;
}

static void
state_init (gpointer state)
{
  PeerState *peer_state = state;

  peer_state->size = -1;
  peer_state->asked = -1;
}

static PeerState *
state_of (TsrExtMetadata *self,
          TsrExtPeer     *peer)
{
  return tsr_extensions_get_state (self->host, peer, self->slot);
}

static void
debug_peer (TsrExtPeer   *peer,
            const GError *error)
{
  g_autofree char *who = tsr_peer_address_to_string (tsr_ext_peer_get_address (peer));

  g_debug ("%s: %s", who, error->message);
}

static void
ask (TsrExtMetadata *self,
     TsrExtPeer     *peer)
{
  PeerState *state = state_of (self, peer);
  g_autoptr(GBytes) payload = NULL;
  gint64 now = tsr_extensions_now (self->host);
  gint piece;

  if (self->fetch == NULL || tsr_extensions_get_remote_id (self->host, peer, self->slot) == 0 ||
      state->refused || !tsr_extensions_is_ready (self->host, peer))
    return;
  if (state->asked >= 0)
    {
      /* Quiet too long: the piece is someone else's to give now. */
      if (now - state->asked_at < TSR_METADATA_REQUEST_TIMEOUT)
        return;
      state->asked = -1;
    }
  if (tsr_metadata_fetch_get_size (self->fetch) < 0)
    {
      g_autoptr(GError) error = NULL;

      if (state->size < 0)
        return;
      if (!tsr_metadata_fetch_set_size (self->fetch, state->size, &error))
        {
          debug_peer (peer, error);
          state->refused = TRUE;
          return;
        }
    }
  else if (state->size >= 0 && state->size != tsr_metadata_fetch_get_size (self->fetch))
    return;
  piece = tsr_metadata_fetch_next (self->fetch, now);
  if (piece < 0)
    return;
  state->asked = piece;
  state->asked_at = now;
  payload = tsr_metadata_message_encode (TSR_METADATA_REQUEST, (guint) piece, 0, NULL, 0);
  tsr_extensions_send_extended (self->host, peer, self->slot, payload);
}

/* The dictionary is whole and matched the magnet's hash. */
static gboolean
on_complete (gpointer user_data)
{
  TsrExtMetadata *self = user_data;
  g_autoptr(GBytes) bytes = self->fetch != NULL ? tsr_metadata_fetch_dup_info (self->fetch) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;

  self->complete_source = 0;
  if (bytes == NULL)
    return G_SOURCE_REMOVE;
  info = tsr_metainfo_new_from_info (bytes, self->magnet, &error);
  /* A v2-only torrent's piece layers are not in the info dictionary:
   * the same peers are asked for them first (BEP 52). */
  if (info != NULL && !info->has_v1 && self->hashes != NULL && tsr_ext_hashes_fetch (self->hashes, info))
    return G_SOURCE_REMOVE;
  tsr_extensions_metainfo (self->host, info, error);
  return G_SOURCE_REMOVE;
}

static void
serve (TsrExtMetadata           *self,
       TsrExtPeer               *peer,
       const TsrMetadataMessage *message)
{
  PeerState *state = state_of (self, peer);
  g_autoptr(GBytes) payload = NULL;
  gsize size = 0;
  const guint8 *info = self->info != NULL ? g_bytes_get_data (self->info, &size) : NULL;
  guint count = tsr_metadata_piece_count ((gint64) size);

  if (tsr_extensions_get_remote_id (self->host, peer, self->slot) == 0)
    return;
  /* BEP 9: reject what we cannot or will not give. */
  if (info == NULL || message->piece >= count || state->served >= TSR_EXT_METADATA_SERVE_ROUNDS * count)
    payload = tsr_metadata_message_encode (TSR_METADATA_REJECT, message->piece, 0, NULL, 0);
  else
    {
      gsize offset = (gsize) message->piece * TSR_METADATA_PIECE_SIZE;

      state->served++;
      payload = tsr_metadata_message_encode (TSR_METADATA_DATA, message->piece, (gint64) size, info + offset,
                                             MIN (TSR_METADATA_PIECE_SIZE, size - offset));
    }
  tsr_extensions_send_extended (self->host, peer, self->slot, payload);
}

static void
take_piece (TsrExtMetadata           *self,
            TsrExtPeer               *peer,
            const TsrMetadataMessage *message)
{
  PeerState *state = state_of (self, peer);
  g_autoptr(GError) error = NULL;

  if ((gint) message->piece == state->asked)
    state->asked = -1;
  if (tsr_metadata_fetch_get_size (self->fetch) < 0 &&
      !tsr_metadata_fetch_set_size (self->fetch, message->total_size, &error))
    {
      debug_peer (peer, error);
      state->refused = TRUE;
      return;
    }
  if (message->total_size != tsr_metadata_fetch_get_size (self->fetch))
    return;
  if (!tsr_metadata_fetch_add (self->fetch, message->piece, message->data, message->data_length, &error))
    {
      guint i;

      debug_peer (peer, error);
      /* A forged whole starts over: every peer may be asked again. */
      if (g_error_matches (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_HASH))
        for (i = 0; i < tsr_extensions_get_n_peers (self->host); i++)
          state_of (self, tsr_extensions_get_peer (self->host, i))->asked = -1;
      return;
    }
  if (tsr_metadata_fetch_get_progress (self->fetch) >= 1.0)
    {
      if (self->complete_source == 0)
        self->complete_source = g_idle_add (on_complete, self);
      return;
    }
  ask (self, peer);
}

static void
metadata_message (gpointer              ext,
                  TsrExtPeer           *peer,
                  const TsrWireMessage *wire)
{
  TsrExtMetadata *self = ext;
  g_autoptr(GError) error = NULL;
  TsrMetadataMessage message;

  if (!tsr_metadata_message_parse (wire->data, wire->data_length, &message, &error))
    {
      debug_peer (peer, error);
      return;
    }
  switch (message.type)
    {
    case TSR_METADATA_REQUEST:
      serve (self, peer, &message);
      break;
    case TSR_METADATA_DATA:
      if (self->fetch != NULL)
        take_piece (self, peer, &message);
      break;
    case TSR_METADATA_REJECT:
      if (self->fetch == NULL)
        break;
      tsr_metadata_fetch_release (self->fetch, message.piece);
      state_of (self, peer)->asked = -1;
      state_of (self, peer)->refused = TRUE;
      break;
    default:
      /* BEP 9: unknown message types are ignored. */
      break;
    }
}

static void
metadata_fill (gpointer               ext,
               TsrExtensionHandshake *ours)
{
  TsrExtMetadata *self = ext;

  if (self->info != NULL)
    ours->metadata_size = (gint64) g_bytes_get_size (self->info);
}

static void
metadata_handshake (gpointer                     ext,
                    TsrExtPeer                  *peer,
                    const TsrExtensionHandshake *theirs)
{
  TsrExtMetadata *self = ext;
  PeerState *state = state_of (self, peer);

  if (theirs->metadata_size >= 0)
    state->size = theirs->metadata_size;
  if (self->fetch == NULL)
    return;
  if (tsr_extensions_get_remote_id (self->host, peer, self->slot) == 0)
    {
      tsr_extensions_close (self->host, peer, _("The peer cannot send the torrent’s metadata"));
      return;
    }
  ask (self, peer);
}

static void
metadata_tick (gpointer ext,
               gint64   now)
{
  TsrExtMetadata *self = ext;
  guint i;

  if (self->fetch == NULL)
    return;
  for (i = 0; i < tsr_extensions_get_n_peers (self->host); i++)
    {
      TsrExtPeer *peer = tsr_extensions_get_peer (self->host, i);

      if (!tsr_extensions_is_ready (self->host, peer))
        continue;
      /* Without the extension protocol, it cannot give the metadata. */
      if (!tsr_ext_peer_get_extended (peer))
        {
          tsr_extensions_close (self->host, peer, _("The peer cannot send the torrent’s metadata"));
          continue;
        }
      ask (self, peer);
    }
}

/* Its piece may be asked of another. */
static void
metadata_peer_gone (gpointer    ext,
                    TsrExtPeer *peer,
                    gpointer    state)
{
  TsrExtMetadata *self = ext;
  PeerState *peer_state = state;

  if (self->fetch != NULL && peer_state->asked >= 0)
    tsr_metadata_fetch_release (self->fetch, (guint) peer_state->asked);
  peer_state->asked = -1;
}

static const TsrExtensionClass metadata_class = {
  .name = "ut_metadata",
  .our_id = TSR_EXT_METADATA_ID,
  .peer_size = sizeof (PeerState),
  .state_init = state_init,
  .fill = metadata_fill,
  .handshake = metadata_handshake,
  .message = metadata_message,
  .tick = metadata_tick,
  .peer_gone = metadata_peer_gone,
  .free = metadata_free,
};
