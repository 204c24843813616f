/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker.c: announces to a torrent's trackers.
 *
 * BEP 12: URLs are shuffled within their tier once; an announce tries
 * them tier by tier, and the first that answers moves to the front of its
 * tier. HTTP(S) goes through one libsoup session; UDP follows BEP 15
 * (connect, then announce with the cached connection id, retransmitting
 * after 15 * 2^n seconds, two tries per announce before the next URL),
 * from the session's UDP socket when it gives us one (announces leave
 * from the listen port, as libtorrent's do; replies come back through
 * the socket's demultiplexer by transaction id), else from a socket of
 * the attempt's own, connected to the tracker. Either way an ICMP "port
 * unreachable" fails the attempt at once, not after the retransmissions:
 * the connected socket's receive fails, and the shared socket's error
 * queue names the tracker's address to the demultiplexer.
 * Every reply is parsed by the tracker codecs, which trust nothing.
 */
#define G_LOG_DOMAIN "tsr-tracker"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-http-body.h"
#include "tsr-tracker.h"
#include "tsr-udp-socket.h"

#define DEFAULT_INTERVAL    1800
#define RETRY_DELAY         60
/* Seconds after the last announce before an early one: asked by the
 * user, or (WANT_PEERS_AFTER) because the peers ran out, when the tracker
 * gave no "min interval" (libtorrent's min_announce_interval is 5 min).
 * A "min interval" replaces the latter and is never shortened. */
#define SOON_AFTER          60
#define WANT_PEERS_AFTER    300
#define UDP_TRIES           2
#define UDP_CONNECTION_TTL  60      /* BEP 15: a connection id lasts a minute */
/* Seconds for a whole HTTP reply, headers and body (libtorrent's
 * tracker_completion_timeout is 30 s too). */
#define HTTP_TIMEOUT        30
/* Bytes of a decoded HTTP reply. An announce asks for 200 peers: 1.2 KB
 * compact, about 15 KB as dictionaries with peer ids; a scrape names one
 * info hash. 2 MiB is a hundred times that, and half libtorrent's 4 MiB
 * max_http_recv_buffer_size; beyond it the reply is refused, not read. */
#define HTTP_MAX_REPLY      (2 * 1024 * 1024)

enum
{
  SIGNAL_PEERS,
  SIGNAL_REPLY,
  SIGNAL_ERROR,
  SIGNAL_WARNING,
  SIGNAL_SCRAPE,
  SIGNAL_SCRAPE_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _TsrTracker
{
  GObject              parent_instance;
  guint8               info_hash[20];
  guint8               peer_id[20];
  guint16              port;
  TsrTrackerStatsFunc  stats;
  gpointer             stats_data;
  TsrUdpSocket        *udp4;           /* (owned: a reference) (nullable) the session's */
  TsrUdpSocket        *udp6;           /* (owned: a reference) (nullable) */
  GPtrArray           *tiers;          /* (element-type GPtrArray<utf8>) */
  guint32              key;
  char                *tracker_id;
  SoupSession         *soup;
  GCancellable        *cancellable;
  guint                timer;
  gint64               next_at;        /* monotonic µs the timer fires */
  guint                http_timeout;   /* seconds for a whole HTTP reply */
  gint64               interval;
  gint64               min_interval;
  gint64               last_announce;  /* monotonic µs */
  gboolean             in_flight;
  struct Attempt      *current;        /* (nullable) borrowed: the announce in flight */
  gboolean             stopped;
  TsrAnnounceEvent     queued;         /* event waiting for the one in flight */
  gboolean             has_queued;
  gint64               scrape_due;     /* monotonic seconds; G_MAXINT64: none planned */
};

G_DEFINE_FINAL_TYPE (TsrTracker, tsr_tracker, G_TYPE_OBJECT)

static void announce (TsrTracker *self, TsrAnnounceEvent event);

static void
tsr_tracker_dispose (GObject *object)
{
  TsrTracker *self = TSR_TRACKER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->udp4, tsr_udp_socket_unref);
  g_clear_pointer (&self->udp6, tsr_udp_socket_unref);
  G_OBJECT_CLASS (tsr_tracker_parent_class)->dispose (object);
}

static void
tsr_tracker_finalize (GObject *object)
{
  TsrTracker *self = TSR_TRACKER (object);

  g_ptr_array_unref (self->tiers);
  g_free (self->tracker_id);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tsr_tracker_parent_class)->finalize (object);
}

static void
tsr_tracker_class_init (TsrTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = tsr_tracker_dispose;
  object_class->finalize = tsr_tracker_finalize;

  signals[SIGNAL_PEERS] = g_signal_new ("peers", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_REPLY] = g_signal_new ("reply", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64);
  signals[SIGNAL_ERROR] = g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /* url, seeders, leechers, downloaded (BEP 48) */
  signals[SIGNAL_SCRAPE] = g_signal_new ("scrape", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_INT64);
  /* url, message */
  signals[SIGNAL_SCRAPE_ERROR] = g_signal_new ("scrape-error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_WARNING] = g_signal_new ("warning", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
tsr_tracker_init (TsrTracker *self)
{
  self->tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->cancellable = g_cancellable_new ();
  self->key = g_random_int ();
  self->interval = DEFAULT_INTERVAL;
  self->min_interval = -1;
  self->http_timeout = HTTP_TIMEOUT;
  self->scrape_due = G_MAXINT64;
}

TsrTracker *
tsr_tracker_new (TsrMetainfo         *info,
                 const guint8        *peer_id,
                 guint16              port,
                 TsrTrackerStatsFunc  stats,
                 gpointer             stats_data)
{
  return tsr_tracker_new_for_hash (tsr_metainfo_get_wire_hash (info), info->trackers, peer_id, port,
                                   stats, stats_data);
}

TsrTracker *
tsr_tracker_new_for_hash (const guint8        *info_hash,
                          GPtrArray           *tiers,
                          const guint8        *peer_id,
                          guint16              port,
                          TsrTrackerStatsFunc  stats,
                          gpointer             stats_data)
{
  TsrTracker *self = g_object_new (TSR_TYPE_TRACKER, NULL);
  guint i, j;

  memcpy (self->info_hash, info_hash, 20);
  memcpy (self->peer_id, peer_id, 20);
  self->port = port;
  self->stats = stats;
  self->stats_data = stats_data;
  for (i = 0; tiers != NULL && i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);
      GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

      for (j = 0; j < tier->len; j++)
        g_ptr_array_add (copy, g_strdup (g_ptr_array_index (tier, j)));
      /* BEP 12: shuffle each tier once. */
      for (j = copy->len; j > 1; j--)
        {
          guint k = (guint) g_random_int_range (0, (gint32) j);
          gpointer swap = copy->pdata[j - 1];

          copy->pdata[j - 1] = copy->pdata[k];
          copy->pdata[k] = swap;
        }
      g_ptr_array_add (self->tiers, copy);
    }
  self->soup = soup_session_new ();
  soup_session_set_timeout (self->soup, HTTP_TIMEOUT);
  soup_session_set_user_agent (self->soup, "Tessera/" PACKAGE_VERSION);
  /* Trackers are contacted directly, like peers. */
  soup_session_set_proxy_resolver (self->soup, NULL);
  return self;
}

void
tsr_tracker_set_tls_database (TsrTracker   *self,
                              GTlsDatabase *database)
{
  g_return_if_fail (TSR_IS_TRACKER (self));
  g_return_if_fail (G_IS_TLS_DATABASE (database));

  soup_session_set_tls_database (self->soup, database);
}

void
tsr_tracker_set_timeout (TsrTracker *self,
                         guint       seconds)
{
  g_return_if_fail (TSR_IS_TRACKER (self));
  g_return_if_fail (seconds > 0);

  self->http_timeout = seconds;
  soup_session_set_timeout (self->soup, seconds);
}

void
tsr_tracker_set_udp_sockets (TsrTracker           *self,
                             struct _TsrUdpSocket *udp4,
                             struct _TsrUdpSocket *udp6)
{
  g_return_if_fail (TSR_IS_TRACKER (self));
  g_return_if_fail (udp4 == NULL || tsr_udp_socket_get_family (udp4) == TSR_PEER_ADDRESS_IPV4);
  g_return_if_fail (udp6 == NULL || tsr_udp_socket_get_family (udp6) == TSR_PEER_ADDRESS_IPV6);

  if (udp4 != NULL)
    tsr_udp_socket_ref (udp4);
  if (udp6 != NULL)
    tsr_udp_socket_ref (udp6);
  g_clear_pointer (&self->udp4, tsr_udp_socket_unref);
  g_clear_pointer (&self->udp6, tsr_udp_socket_unref);
  self->udp4 = udp4;
  self->udp6 = udp6;
}

gboolean
tsr_tracker_has_urls (TsrTracker *self)
{
  return self->tiers->len > 0;
}

/* ------------------------------------------------------------------ */
/* One announce, URL by URL                                            */

typedef struct Attempt
{
  TsrTracker        *tracker;   /* (owned) */
  GCancellable      *cancellable; /* (owned) cancelled when "stopped" overtakes it */
  TsrAnnounceEvent   event;
  guint              tier;
  guint              index;
  TsrAnnounceRequest request;
  /* UDP */
  GSocket           *socket;    /* (owned) (nullable) our own, connected */
  GSource           *source;    /* (owned) (nullable) */
  TsrUdpSocket      *shared;    /* (owned: a reference) (nullable) or the session's */
  TsrPeerAddress     remote;    /* with @shared: the tracker */
  gboolean           registered; /* with @shared: @transaction is pending there */
  guint              timeout;
  guint              tries;
  guint32            transaction;
  gboolean           connected;
  guint64            connection_id;
  guint              family;
  char              *scrape_url;  /* (owned) (nullable) a scrape of this URL alone */
} Attempt;

/* The shared socket no longer hands us replies to @transaction. */
static void
udp_forget_transaction (Attempt *attempt)
{
  if (attempt->registered)
    tsr_udp_demux_remove_transaction (tsr_udp_socket_get_demux (attempt->shared), attempt->transaction);
  attempt->registered = FALSE;
}

static void
attempt_free (Attempt *attempt)
{
  if (attempt->tracker->current == attempt)
    attempt->tracker->current = NULL;
  if (attempt->source != NULL)
    {
      g_source_destroy (attempt->source);
      g_source_unref (attempt->source);
    }
  g_clear_handle_id (&attempt->timeout, g_source_remove);
  g_clear_object (&attempt->socket);
  udp_forget_transaction (attempt);
  g_clear_pointer (&attempt->shared, tsr_udp_socket_unref);
  g_object_unref (attempt->tracker);
  g_clear_object (&attempt->cancellable);
  g_free (attempt->scrape_url);
  g_free (attempt);
}

static Attempt *
attempt_new (TsrTracker *self)
{
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->tracker = g_object_ref (self);
  attempt->cancellable = g_cancellable_new ();
  return attempt;
}

/* Drops an attempt that is still waiting: an HTTP request or a name
 * lookup ends in its callback, which sees the cancellation and frees it;
 * a UDP attempt waiting for a datagram has nothing pending and goes now. */
static void
attempt_abort (Attempt *attempt)
{
  if (attempt->tracker->current == attempt)
    attempt->tracker->current = NULL;
  g_cancellable_cancel (attempt->cancellable);
  if (attempt->source != NULL || attempt->timeout != 0)
    attempt_free (attempt);
}

static const char *
attempt_url (Attempt *attempt)
{
  GPtrArray *tier;

  if (attempt->scrape_url != NULL)
    return attempt->scrape_url;
  tier = g_ptr_array_index (attempt->tracker->tiers, attempt->tier);
  return g_ptr_array_index (tier, attempt->index);
}

static void try_url (Attempt *attempt);

static gboolean
on_timer (gpointer user_data)
{
  TsrTracker *self = user_data;

  self->timer = 0;
  announce (self, TSR_ANNOUNCE_EVENT_NONE);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (TsrTracker *self,
               gint64      seconds)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  if (!self->stopped)
    {
      self->timer = g_timeout_add_seconds ((guint) MAX (1, seconds), on_timer, self);
      self->next_at = g_get_monotonic_time () + MAX (1, seconds) * G_USEC_PER_SEC;
    }
}

static void
finish_announce (TsrTracker *self)
{
  self->in_flight = FALSE;
  if (self->has_queued)
    {
      self->has_queued = FALSE;
      announce (self, self->queued);
    }
}

static void
attempt_failed (Attempt    *attempt,
                const char *message)
{
  TsrTracker *self = attempt->tracker;
  GPtrArray *tier;

  if (g_cancellable_is_cancelled (self->cancellable) || g_cancellable_is_cancelled (attempt->cancellable))
    {
      attempt_free (attempt);
      return;
    }
  if (attempt->scrape_url != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_SCRAPE_ERROR], 0, attempt->scrape_url, message);
      attempt_free (attempt);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, attempt_url (attempt), message);
  tier = g_ptr_array_index (self->tiers, attempt->tier);
  attempt->index++;
  if (attempt->index >= tier->len)
    {
      attempt->tier++;
      attempt->index = 0;
    }
  if (attempt->tier >= self->tiers->len)
    {
      /* Every tracker failed: try again in a while. */
      if (attempt->event != TSR_ANNOUNCE_EVENT_STOPPED)
        schedule_next (self, RETRY_DELAY);
      attempt_free (attempt);
      finish_announce (self);
      return;
    }
  try_url (attempt);
}

static void
attempt_succeeded (Attempt          *attempt,
                   TsrAnnounceReply *reply)
{
  TsrTracker *self = attempt->tracker;
  GPtrArray *tier = g_ptr_array_index (self->tiers, attempt->tier);
  g_autofree char *url = g_strdup (attempt_url (attempt));
  gint64 next;

  if (reply->failure_reason != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The tracker refused: %s"), reply->failure_reason);

      attempt_failed (attempt, message);
      return;
    }
  /* BEP 12: a tracker that answered moves to the front of its tier. */
  if (attempt->index > 0)
    {
      gpointer moved = g_ptr_array_steal_index (tier, attempt->index);

      g_ptr_array_insert (tier, 0, moved);
    }
  if (reply->warning_message != NULL)
    g_signal_emit (self, signals[SIGNAL_WARNING], 0, url, reply->warning_message);
  if (reply->tracker_id != NULL)
    {
      g_free (self->tracker_id);
      self->tracker_id = g_strdup (reply->tracker_id);
    }
  if (reply->interval > 0)
    self->interval = CLAMP (reply->interval, 60, 6 * 3600);
  self->min_interval = reply->min_interval;
  g_signal_emit (self, signals[SIGNAL_REPLY], 0, url, reply->complete, reply->incomplete, self->interval);
  if (reply->peers->len > 0)
    g_signal_emit (self, signals[SIGNAL_PEERS], 0, reply->peers);

  /* The next one when the tracker asked for it: wanting more peers
   * brings it forward (tsr_tracker_want_peers), within bounds. */
  if (attempt->event != TSR_ANNOUNCE_EVENT_STOPPED)
    {
      next = self->interval;
      if (self->min_interval > 0)
        next = MAX (next, self->min_interval);
      schedule_next (self, next);
    }
  attempt_free (attempt);
  finish_announce (self);
}

/* HTTP(S) */

static void
on_http_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Attempt *attempt = user_data;
  SoupMessage *message = tsr_http_body_get_message (result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = tsr_http_body_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(TsrAnnounceReply) reply = NULL;

  if (body == NULL)
    {
      attempt_failed (attempt, error->message);
      return;
    }
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    {
      g_autofree char *text = g_strdup_printf (_("The tracker answered HTTP %u %s"),
                                               soup_message_get_status (message),
                                               soup_message_get_reason_phrase (message));

      attempt_failed (attempt, text);
      return;
    }
  if (attempt->scrape_url != NULL)
    {
      gint64 complete = -1, incomplete = -1, downloaded = -1;

      if (!tsr_scrape_reply_parse (body, attempt->tracker->info_hash, &complete, &incomplete, &downloaded, &error))
        attempt_failed (attempt, error->message);
      else
        {
          g_signal_emit (attempt->tracker, signals[SIGNAL_SCRAPE], 0, attempt->scrape_url,
                         complete, incomplete, downloaded);
          attempt_free (attempt);
        }
      return;
    }
  reply = tsr_announce_reply_parse (body, &error);
  if (reply == NULL)
    {
      attempt_failed (attempt, error->message);
      return;
    }
  attempt_succeeded (attempt, reply);
}

static void
try_http (Attempt *attempt)
{
  g_autofree char *url = attempt->scrape_url != NULL
                         ? tsr_scrape_build_url (attempt->scrape_url, attempt->tracker->info_hash)
                         : tsr_announce_build_url (attempt_url (attempt), &attempt->request);
  g_autoptr(SoupMessage) message = url != NULL ? soup_message_new (SOUP_METHOD_GET, url) : NULL;

  if (url == NULL)
    {
      /* BEP 48: no "announce" in the URL's last part, no scrape. */
      attempt_failed (attempt, _("The tracker does not support scraping"));
      return;
    }

  if (message == NULL)
    {
      attempt_failed (attempt, _("The tracker URL is not valid"));
      return;
    }
  /* Streamed, within a size and a time: a gzip bomb or a chunked body
   * that never ends is refused as the tracker's error. */
  tsr_http_body_read_async (attempt->tracker->soup, message, HTTP_MAX_REPLY, attempt->tracker->http_timeout,
                            attempt->cancellable, on_http_read, attempt);
}

/* UDP (BEP 15) */

static void udp_send (Attempt *attempt);
static void on_shared_udp_reply (const guint8 *data, gsize length, const TsrPeerAddress *from, gpointer user_data);
static gboolean on_shared_udp_unreachable (const TsrPeerAddress *to, const GError *error, gpointer user_data);

static const TsrUdpReceiverFuncs udp_reply_funcs = {
  .received = on_shared_udp_reply,
  .unreachable = on_shared_udp_unreachable,
};

static gboolean
on_udp_timeout (gpointer user_data)
{
  Attempt *attempt = user_data;

  attempt->timeout = 0;
  if (++attempt->tries >= UDP_TRIES)
    {
      attempt_failed (attempt, _("The tracker did not answer"));
      return G_SOURCE_REMOVE;
    }
  udp_send (attempt);
  return G_SOURCE_REMOVE;
}

static void
udp_send (Attempt *attempt)
{
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  if (attempt->shared != NULL)
    {
      TsrUdpDemux *demux = tsr_udp_socket_get_demux (attempt->shared);

      /* A new id per try, as with our own socket: late replies to the
       * last one are dropped, not parsed. */
      udp_forget_transaction (attempt);
      do
        attempt->transaction = g_random_int ();
      while (!tsr_udp_demux_add_transaction (demux, attempt->transaction, &attempt->remote, &udp_reply_funcs,
                                             attempt));
      attempt->registered = TRUE;
    }
  else
    attempt->transaction = g_random_int ();
  if (!attempt->connected)
    tsr_udp_write_connect (packet, attempt->transaction);
  else if (attempt->scrape_url != NULL)
    tsr_udp_write_scrape (packet, attempt->connection_id, attempt->transaction, attempt->tracker->info_hash, 1);
  else
    tsr_udp_write_announce (packet, attempt->connection_id, attempt->transaction, &attempt->request);
  /* A full queue is a lost datagram: the timer sends it again. */
  if (attempt->shared != NULL)
    (void) tsr_udp_socket_send (attempt->shared, &attempt->remote, packet->data, packet->len);
  else if (g_socket_send (attempt->socket, (const char *) packet->data, packet->len, NULL, &error) < 0 &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      attempt_failed (attempt, error->message);
      return;
    }
  g_clear_handle_id (&attempt->timeout, g_source_remove);
  attempt->timeout = g_timeout_add_seconds (tsr_udp_timeout_seconds (attempt->tries), on_udp_timeout, attempt);
}

/* The attempt waits for no more datagrams: its own socket's source is
 * being dispatched and goes as it returns G_SOURCE_REMOVE. */
static void
udp_stop_waiting (Attempt *attempt)
{
  g_clear_pointer (&attempt->source, g_source_unref);
  udp_forget_transaction (attempt);
}

/* A datagram for @attempt, from its own socket or (with its transaction
 * id, from the tracker) from the shared one. TRUE while it waits on;
 * FALSE when it is done with UDP (finished, freed, or on to another URL). */
static gboolean
udp_reply (Attempt      *attempt,
           const guint8 *buffer,
           gsize         n)
{
  g_autoptr(GError) error = NULL;

  if (!attempt->connected)
    {
      if (!tsr_udp_parse_connect (buffer, n, attempt->transaction, &attempt->connection_id, &error))
        {
          if (g_error_matches (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION))
            return TRUE;   /* a late reply to an earlier try */
          udp_stop_waiting (attempt);
          attempt_failed (attempt, error->message);
          return FALSE;
        }
      attempt->connected = TRUE;
      attempt->tries = 0;
      udp_send (attempt);
      return TRUE;
    }
  if (attempt->scrape_url != NULL)
    {
      gint64 complete, downloaded, incomplete;

      if (!tsr_udp_parse_scrape (buffer, n, attempt->transaction, &complete, &downloaded, &incomplete, &error))
        {
          if (g_error_matches (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION))
            return TRUE;
          udp_stop_waiting (attempt);
          attempt_failed (attempt, error->message);
          return FALSE;
        }
      udp_stop_waiting (attempt);
      g_signal_emit (attempt->tracker, signals[SIGNAL_SCRAPE], 0, attempt->scrape_url, complete, incomplete,
                     downloaded);
      attempt_free (attempt);
      return FALSE;
    }
  {
    g_autoptr(TsrAnnounceReply) reply = tsr_udp_parse_announce (buffer, n, attempt->transaction, attempt->family,
                                                                &error);

    if (reply == NULL && g_error_matches (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION))
      return TRUE;
    udp_stop_waiting (attempt);
    if (reply == NULL)
      attempt_failed (attempt, error->message);
    else
      attempt_succeeded (attempt, reply);
    return FALSE;
  }
}

static void
on_shared_udp_reply (const guint8         *data,
                     gsize                 length,
                     const TsrPeerAddress *from,
                     gpointer              user_data)
{
  (void) udp_reply (user_data, data, length);
}

/* The kernel says nothing listens at the tracker's address (ICMP): the
 * attempt fails now and the next URL is tried, as after the last try. */
static gboolean
on_shared_udp_unreachable (const TsrPeerAddress *to,
                           const GError         *error,
                           gpointer              user_data)
{
  Attempt *attempt = user_data;
  g_autofree char *message = g_strdup_printf (_("The tracker is unreachable: %s"), error->message);

  udp_stop_waiting (attempt);
  g_clear_handle_id (&attempt->timeout, g_source_remove);
  attempt_failed (attempt, message);
  return TRUE;
}

static gboolean
on_udp_readable (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Attempt *attempt = user_data;
  guint8 buffer[2048];
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      /* ICMP "port unreachable" arrives here: no tracker there. */
      udp_stop_waiting (attempt);
      attempt_failed (attempt, error->message);
      return G_SOURCE_REMOVE;
    }
  return udp_reply (attempt, buffer, (gsize) n) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_udp_resolved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Attempt *attempt = user_data;
  TsrTracker *self = attempt->tracker;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GUri) uri = NULL;
  GInetAddress *address;
  TsrUdpSocket *shared;

  if (addresses == NULL)
    {
      attempt_failed (attempt, error->message);
      return;
    }
  address = addresses->data;
  uri = g_uri_parse (attempt_url (attempt), G_URI_FLAGS_NONE, NULL);
  remote = g_inet_socket_address_new (address, (guint16) g_uri_get_port (uri));
  tsr_peer_address_from_inet (address, (guint16) g_uri_get_port (uri), &attempt->remote);
  attempt->family = attempt->remote.family;
  shared = attempt->family == 6 ? self->udp6 : self->udp4;
  if (shared != NULL)
    {
      g_resolver_free_addresses (addresses);
      attempt->shared = tsr_udp_socket_ref (shared);
      udp_send (attempt);
      return;
    }
  attempt->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);
  g_resolver_free_addresses (addresses);
  if (attempt->socket == NULL || !g_socket_connect (attempt->socket, remote, NULL, &error))
    {
      attempt_failed (attempt, error->message);
      return;
    }
  g_socket_set_blocking (attempt->socket, FALSE);
  attempt->source = g_socket_create_source (attempt->socket, G_IO_IN, NULL);
  g_source_set_callback (attempt->source, (GSourceFunc) (void (*) (void)) on_udp_readable, attempt, NULL);
  g_source_attach (attempt->source, NULL);
  udp_send (attempt);
}

static void
try_udp (Attempt *attempt)
{
  g_autoptr(GUri) uri = g_uri_parse (attempt_url (attempt), G_URI_FLAGS_NONE, NULL);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_port (uri) <= 0)
    {
      attempt_failed (attempt, _("The tracker URL is not valid"));
      return;
    }
  attempt->tries = 0;
  attempt->connected = FALSE;
  g_clear_object (&attempt->socket);
  g_clear_pointer (&attempt->shared, tsr_udp_socket_unref);
  g_resolver_lookup_by_name_async (resolver, g_uri_get_host (uri), attempt->cancellable,
                                   on_udp_resolved, attempt);
}

static void
try_url (Attempt *attempt)
{
  const char *url = attempt_url (attempt);

  if (attempt->source != NULL)
    {
      g_source_destroy (attempt->source);
      g_clear_pointer (&attempt->source, g_source_unref);
    }
  udp_forget_transaction (attempt);
  g_clear_handle_id (&attempt->timeout, g_source_remove);
  attempt->request.tracker_id = attempt->tracker->tracker_id;
  if (g_ascii_strncasecmp (url, "http://", 7) == 0 || g_ascii_strncasecmp (url, "https://", 8) == 0)
    try_http (attempt);
  else if (g_ascii_strncasecmp (url, "udp://", 6) == 0)
    try_udp (attempt);
  else
    attempt_failed (attempt, _("Unsupported tracker protocol"));
}

static void
announce (TsrTracker       *self,
          TsrAnnounceEvent  event)
{
  Attempt *attempt;

  if (self->tiers->len == 0)
    return;
  if (self->in_flight)
    {
      /* "completed" and "stopped" must not be lost behind a routine one. */
      if (event != TSR_ANNOUNCE_EVENT_NONE || !self->has_queued)
        {
          self->queued = event;
          self->has_queued = TRUE;
        }
      return;
    }
  self->in_flight = TRUE;
  self->last_announce = g_get_monotonic_time ();
  attempt = attempt_new (self);
  self->current = attempt;
  attempt->event = event;
  memcpy (attempt->request.info_hash, self->info_hash, 20);
  memcpy (attempt->request.peer_id, self->peer_id, 20);
  attempt->request.port = self->port;
  attempt->request.key = self->key;
  attempt->request.numwant = event == TSR_ANNOUNCE_EVENT_STOPPED ? 0 : 200;
  attempt->request.event = event;
  if (self->stats != NULL)
    self->stats (self->stats_data, &attempt->request);
  try_url (attempt);
}

void
tsr_tracker_start (TsrTracker *self)
{
  self->stopped = FALSE;
  announce (self, TSR_ANNOUNCE_EVENT_STARTED);
}

void
tsr_tracker_scrape (TsrTracker *self)
{
  guint i, j;

  for (i = 0; i < self->tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (self->tiers, i);

      for (j = 0; j < tier->len; j++)
        {
          Attempt *attempt = attempt_new (self);

          attempt->scrape_url = g_strdup (g_ptr_array_index (tier, j));
          try_url (attempt);
        }
    }
}

void
tsr_tracker_plan_scrapes (TsrTracker *self,
                          gint64      now)
{
  self->scrape_due = now + TSR_TRACKER_SCRAPE_FIRST;
}

gboolean
tsr_tracker_scrape_now (TsrTracker *self,
                        gint64      now)
{
  if (!tsr_tracker_has_urls (self))
    return FALSE;
  self->scrape_due = now + TSR_TRACKER_SCRAPE_INTERVAL;
  tsr_tracker_scrape (self);
  return TRUE;
}

void
tsr_tracker_scrape_when_due (TsrTracker *self,
                             gint64      now)
{
  if (now >= self->scrape_due)
    tsr_tracker_scrape_now (self, now);
}

gint64
tsr_tracker_get_scrape_due (TsrTracker *self)
{
  return self->scrape_due;
}

void
tsr_tracker_announce_event (TsrTracker       *self,
                            TsrAnnounceEvent  event)
{
  self->stopped = FALSE;
  announce (self, event);
}

guint
tsr_tracker_get_n_urls (TsrTracker *self)
{
  guint n = 0;
  guint i;

  for (i = 0; i < self->tiers->len; i++)
    n += ((GPtrArray *) g_ptr_array_index (self->tiers, i))->len;
  return n;
}

void
tsr_tracker_completed (TsrTracker *self)
{
  announce (self, TSR_ANNOUNCE_EVENT_COMPLETED);
}

static void
announce_after (TsrTracker *self,
                gint64      after)
{
  gint64 now = g_get_monotonic_time ();
  gint64 since = (now - self->last_announce) / G_USEC_PER_SEC;
  gint64 wait = MAX (1, after - since);

  /* Never later than planned, never before the tracker allows. */
  if (self->stopped || self->in_flight || self->tiers->len == 0 ||
      (self->timer != 0 && self->next_at <= now + wait * G_USEC_PER_SEC))
    return;
  schedule_next (self, wait);
}

void
tsr_tracker_announce_soon (TsrTracker *self)
{
  announce_after (self, MAX (SOON_AFTER, self->min_interval));
}

void
tsr_tracker_want_peers (TsrTracker *self)
{
  announce_after (self, self->min_interval > 0 ? MAX (SOON_AFTER, self->min_interval) : WANT_PEERS_AFTER);
}

void
tsr_tracker_stop (TsrTracker *self)
{
  if (self->stopped)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  /* An announce still waiting for its tracker must not hold "stopped"
   * back: at exit, the goodbye has a few seconds in all, and "stopped"
   * says all that a routine or "started" one would. "completed" is not
   * dropped (it counts a download): "stopped" follows it. */
  if (self->current != NULL && self->current->event != TSR_ANNOUNCE_EVENT_COMPLETED)
    {
      gboolean completed = self->has_queued && self->queued == TSR_ANNOUNCE_EVENT_COMPLETED;

      attempt_abort (self->current);
      self->in_flight = FALSE;
      self->has_queued = FALSE;
      if (completed)
        announce (self, TSR_ANNOUNCE_EVENT_COMPLETED);
    }
  announce (self, TSR_ANNOUNCE_EVENT_STOPPED);
  self->stopped = TRUE;
}

gboolean
tsr_tracker_is_busy (TsrTracker *self)
{
  return self->in_flight || self->has_queued;
}

gint64
tsr_tracker_get_next_announce (TsrTracker *self)
{
  if (self->stopped || self->timer == 0)
    return -1;
  return MAX (0, (self->next_at - g_get_monotonic_time ()) / G_USEC_PER_SEC);
}
