/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-listener.c: one GSocketService for all torrents, and the uTP
 * connections its owner hands over (tsr_listener_take_stream), treated
 * alike from then on. An accepted connection waits here, in arrival
 * order with its deadline, until its handshake (plaintext, or the one
 * carried inside MSE) names an info hash; the owner's find() turns that
 * into a torrent, and the connection leaves for it through accepted().
 * One timer, set for the earliest deadline, closes the silent ones.
 */
#define G_LOG_DOMAIN "tsr-listener"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-listener.h"

typedef struct
{
  TsrPeer *peer;      /* (owned) */
  gint64   deadline;  /* monotonic µs: closed then if its handshake has not come */
} Pending;

struct _TsrListener
{
  const TsrListenerFuncs *funcs;
  gpointer                user_data;
  GSocketService         *service;     /* (owned) (nullable) */
  guint16                 port;
  gboolean                loopback;    /* listening on a loopback address only */
  gboolean                tcp;         /* TCP connections are taken (else closed at once) */
  TsrPeerEncryption       encryption;
  GArray                 *pending;     /* (element-type Pending) before their handshake */
  guint                   max_pending;
  guint                   max_per_host;
  gint64                  timeout;     /* µs */
  TsrBlocklist           *blocklist;   /* (owned) (nullable) */
  guint                   timeout_source;
};

TsrListener *
tsr_listener_new (const TsrListenerFuncs *funcs,
                  gpointer                user_data)
{
  TsrListener *self = g_new0 (TsrListener, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->encryption = TSR_PEER_ENCRYPTION_PREFER;
  self->tcp = TRUE;
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->max_pending = TSR_LISTENER_MAX_PENDING;
  self->max_per_host = TSR_LISTENER_MAX_PENDING_PER_HOST;
  self->timeout = (gint64) TSR_LISTENER_HANDSHAKE_TIMEOUT * 1000;
  return self;
}

void
tsr_listener_free (TsrListener *self)
{
  guint i;

  if (self == NULL)
    return;
  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
    }
  g_clear_object (&self->service);
  g_clear_handle_id (&self->timeout_source, g_source_remove);
  g_clear_object (&self->blocklist);
  /* Dropped without a word: the last reference closes each socket. */
  for (i = 0; i < self->pending->len; i++)
    {
      TsrPeer *peer = g_array_index (self->pending, Pending, i).peer;

      tsr_peer_set_funcs (peer, NULL, NULL);
      g_object_unref (peer);
    }
  g_array_unref (self->pending);
  g_free (self);
}

guint16
tsr_listener_get_port (TsrListener *self)
{
  return self->port;
}

gboolean
tsr_listener_is_loopback (TsrListener *self)
{
  return self->loopback;
}

void
tsr_listener_set_encryption (TsrListener       *self,
                             TsrPeerEncryption  mode)
{
  self->encryption = mode;
}

void
tsr_listener_set_tcp (TsrListener *self,
                      gboolean     enabled)
{
  self->tcp = enabled;
}

void
tsr_listener_set_max_pending (TsrListener *self,
                              guint        max,
                              guint        max_per_host)
{
  self->max_pending = max;
  self->max_per_host = max_per_host;
}

void
tsr_listener_set_handshake_timeout (TsrListener *self,
                                    guint        ms)
{
  self->timeout = (gint64) ms * 1000;
}

guint
tsr_listener_get_n_pending (TsrListener *self)
{
  return self->pending->len;
}

/* The connection leaves the pending ones; returns the reference they
 * held, or NULL when it was not among them. The last one takes the timer
 * with it. */
static TsrPeer *
take_pending (TsrListener *self,
              TsrPeer     *peer)
{
  guint i;

  for (i = 0; i < self->pending->len; i++)
    if (g_array_index (self->pending, Pending, i).peer == peer)
      {
        tsr_peer_set_funcs (peer, NULL, NULL);
        g_array_remove_index (self->pending, i);
        if (self->pending->len == 0)
          g_clear_handle_id (&self->timeout_source, g_source_remove);
        return peer;
      }
  return NULL;
}

static gboolean on_timeout (gpointer user_data);

/* Sets the timer for the earliest deadline, unless it is set. */
static void
arm_timeout (TsrListener *self)
{
  gint64 earliest = G_MAXINT64;
  gint64 now;
  guint i;

  if (self->timeout_source != 0 || self->pending->len == 0)
    return;
  for (i = 0; i < self->pending->len; i++)
    earliest = MIN (earliest, g_array_index (self->pending, Pending, i).deadline);
  now = g_get_monotonic_time ();
  self->timeout_source = g_timeout_add (earliest > now ? (guint) ((earliest - now + 999) / 1000) : 0,
                                        on_timeout, self);
}

/* Closes every connection whose deadline passed. A deadline may be
 * earlier than an older connection's (the timeout was shortened): all are
 * looked at. */
static gboolean
on_timeout (gpointer user_data)
{
  TsrListener *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint i = 0;

  self->timeout_source = 0;
  while (i < self->pending->len)
    {
      Pending *entry = &g_array_index (self->pending, Pending, i);
      g_autoptr(TsrPeer) peer = NULL;

      if (entry->deadline > now)
        {
          i++;
          continue;
        }
      peer = take_pending (self, entry->peer);
      tsr_peer_close (peer, _("No handshake in time"));
    }
  arm_timeout (self);
  return G_SOURCE_REMOVE;
}

static void
on_pending_closed (TsrPeer    *peer,
                   const char *reason,
                   gpointer    user_data)
{
  TsrListener *self = user_data;
  g_autoptr(TsrPeer) held G_GNUC_UNUSED = take_pending (self, peer);   /* the reference pending held goes */
}

static void
on_pending_handshake (TsrPeer                *peer,
                      const TsrWireHandshake *theirs,
                      gpointer                user_data)
{
  TsrListener *self = user_data;
  g_autoptr(TsrPeer) held G_GNUC_UNUSED = take_pending (self, peer);   /* pending held the only one */
  gpointer key = self->funcs->find (theirs->info_hash, self->user_data);

  if (key != NULL)
    self->funcs->accepted (peer, key, theirs->info_hash, self->user_data);
  else
    tsr_peer_close (peer, _("The peer asked for a torrent we do not have"));
}

/* A pending peer is heard until its handshake names a torrent. */
static const TsrPeerFuncs pending_funcs = {
  .handshake = on_pending_handshake,
  .closed = on_pending_closed,
};

typedef struct
{
  const guint8 *req2;
  guint8       *info_hash;
  gboolean      found;
} Req2Match;

static gboolean
match_req2 (const guint8 *info_hash,
            gpointer      data)
{
  Req2Match *match = data;
  guint8 hash[20];

  tsr_mse_hash_req2 (info_hash, hash);
  if (memcmp (hash, match->req2, 20) != 0)
    return FALSE;
  memcpy (match->info_hash, info_hash, 20);
  match->found = TRUE;
  return TRUE;
}

/* An incoming MSE handshake names its torrent by HASH('req2', info hash):
 * each of the owner's hashes is tried (a SHA-1 each, once per encrypted
 * connection). */
static gboolean
find_for_mse (const guint8 *req2,
              guint8       *info_hash,
              gpointer      user_data)
{
  TsrListener *self = user_data;
  Req2Match match = { req2, info_hash, FALSE };

  self->funcs->foreach_hash (match_req2, &match, self->user_data);
  return match.found;
}

/* How many connections waiting for their handshake come from @host. */
static guint
pending_from_host (TsrListener          *self,
                   const TsrPeerAddress *host)
{
  guint n = 0;
  guint i;

  for (i = 0; i < self->pending->len; i++)
    if (tsr_peer_address_same_host (tsr_peer_get_remote_address (g_array_index (self->pending, Pending, i).peer),
                                    host))
      n++;
  return n;
}

/* A flood of connections that never say hello is cut off here, over
 * either transport; each that is let in has the handshake timeout to
 * speak. */
gboolean
tsr_listener_has_room (TsrListener          *self,
                       const TsrPeerAddress *from)
{
  /* Before a byte is read: a blocked peer learns nothing of us. */
  if (from != NULL && self->blocklist != NULL && tsr_blocklist_refuses (self->blocklist, from))
    return FALSE;
  if (self->pending->len < self->max_pending && (from == NULL || pending_from_host (self, from) < self->max_per_host))
    return TRUE;
  g_debug ("Refusing a connection: %u waiting for their handshake", self->pending->len);
  return FALSE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  TsrListener *self = user_data;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  TsrPeerAddress from;

  if (!self->tcp ||
      !tsr_listener_has_room (self, tsr_peer_address_from_socket (remote, &from) ? &from : NULL))
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  else
    tsr_listener_take_stream (self, G_IO_STREAM (connection));
  return TRUE;
}

void
tsr_listener_set_blocklist (TsrListener  *self,
                            TsrBlocklist *blocklist)
{
  g_set_object (&self->blocklist, blocklist);
}

void
tsr_listener_take_stream (TsrListener *self,
                          GIOStream   *stream)
{
  Pending entry;

  entry.peer = tsr_peer_new_incoming (stream);
  entry.deadline = g_get_monotonic_time () + self->timeout;
  tsr_peer_set_encryption (entry.peer, self->encryption, find_for_mse, self);
  g_array_append_val (self->pending, entry);
  tsr_peer_set_funcs (entry.peer, &pending_funcs, self);
  arm_timeout (self);
  tsr_peer_start (entry.peer, NULL);
}

gboolean
tsr_listener_listen (TsrListener  *self,
                     const char   *address,
                     guint16       port,
                     GError      **error)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  gboolean loopback = FALSE;

  g_return_val_if_fail (self->service == NULL, FALSE);
  /* Many peers may knock at once: GIO's default queue holds ten. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 128);
  if (address != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
      g_autoptr(GSocketAddress) where = NULL;
      g_autoptr(GSocketAddress) bound = NULL;

      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IP address"), address);
          return FALSE;
        }
      where = g_inet_socket_address_new (inet, port);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), where, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
        return FALSE;
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      loopback = g_inet_address_get_is_loopback (inet);
    }
  else if (port == 0)
    {
      guint16 chosen = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, error);

      if (chosen == 0)
        return FALSE;
      port = chosen;
    }
  else if (!g_socket_listener_add_inet_port (G_SOCKET_LISTENER (service), port, NULL, error))
    return FALSE;
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);
  self->port = port;
  self->loopback = loopback;
  return TRUE;
}
