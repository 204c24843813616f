/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd.c: BEP 14 Local Service Discovery. TsrLsd keeps one UDP socket
 * per family bound to the group address (so that only the group's
 * datagrams reach it) with SO_REUSEADDR/SO_REUSEPORT (so that other
 * clients on the host can bind it too), announces the torrents it holds
 * in batches, at most one message a second, and reports the peers it
 * hears of. All of it on the main loop: the sockets are non-blocking and
 * polled by a GSource. The BT-SEARCH datagram itself is built and parsed
 * by codec/tsr-lsd-message.c.
 */
#define G_LOG_DOMAIN "tsr-lsd"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-lsd.h"
#include "tsr-lsd-private.h"
#include "tsr-util.h"

/* BEP 14: announce each torrent every 5 minutes. */
#define ANNOUNCE_INTERVAL_MS (5 * 60 * 1000)
/* After a send that just started failing. */
#define LSD_RETRY_MS 3000
/* Our own pace: one message a second at most, on each group. */
#define MIN_GAP_MS           1000
/* Datagrams read per wake-up, so that a flood cannot hold the loop. */
#define MAX_READS            32

/* One family's group and the socket that joined it. */
typedef struct
{
  GSocket        *socket;        /* (owned) (nullable): NULL when the family is off */
  GSource        *source;        /* (owned) (nullable) */
  GSocketAddress *group;         /* (owned) where announces go */
  char           *host;          /* the Host header */
  gboolean        send_failing;  /* reported once; quiet until a send works again */
} Channel;

typedef struct
{
  guint8 hash[20];
  gint64 next_announce;          /* monotonic µs */
} Torrent;

struct _TsrLsd
{
  GObject       parent_instance;
  guint16       listen_port;
  char         *group4;          /* (nullable) construct-only */
  char         *group6;          /* (nullable) construct-only */
  guint16       lsd_port;
  char         *interface;       /* (nullable) construct-only */
  char          cookie[17];      /* 16 random hex digits */
  GMainContext *context;         /* (owned) the thread-default one at construction */
  Channel       v4;
  Channel       v6;
  GHashTable   *torrents;        /* info hash (20 bytes, in the Torrent) → Torrent (owned) */
  GSource      *timer;           /* (owned) (nullable) the next announce */
  gint64        last_sent;       /* monotonic µs; 0: never */
  gint64        interval;        /* µs between two announces of a torrent */
  gint64        gap;             /* µs between two messages */
  GHashTable   *heard;           /* (owned) sender host → Heard: messages taken per minute */
};

/* Messages taken from one host a minute, at most (libtorrent sends one
 * per torrent); and hosts remembered, at most. */
#define MAX_HEARD_PER_MINUTE 60
#define MAX_HEARD_HOSTS 1024

typedef struct
{
  gint64 since;   /* monotonic µs: start of its minute */
  guint  count;
} Heard;

/* A flood from one host (or a spoofing one) costs a lookup, not work. */
static gboolean
take_from (TsrLsd         *self,
           GSocketAddress *source)
{
  g_autofree char *host = NULL;
  gint64 now = g_get_monotonic_time ();
  Heard *heard;

  if (!G_IS_INET_SOCKET_ADDRESS (source))
    return FALSE;
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (source)));
  heard = g_hash_table_lookup (self->heard, host);
  if (heard == NULL)
    {
      if (g_hash_table_size (self->heard) >= MAX_HEARD_HOSTS)
        g_hash_table_remove_all (self->heard);
      heard = g_new0 (Heard, 1);
      heard->since = now;
      g_hash_table_insert (self->heard, g_steal_pointer (&host), heard);
    }
  if (now - heard->since >= 60 * G_USEC_PER_SEC)
    {
      heard->since = now;
      heard->count = 0;
    }
  return ++heard->count <= MAX_HEARD_PER_MINUTE;
}

G_DEFINE_FINAL_TYPE (TsrLsd, tsr_lsd, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LISTEN_PORT,
  PROP_GROUP4,
  PROP_GROUP6,
  PROP_LSD_PORT,
  PROP_INTERFACE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PEER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
channel_close (Channel *channel)
{
  if (channel->source != NULL)
    g_source_destroy (channel->source);
  g_clear_pointer (&channel->source, g_source_unref);
  if (channel->socket != NULL)
    g_socket_close (channel->socket, NULL);
  g_clear_object (&channel->socket);
  g_clear_object (&channel->group);
  g_clear_pointer (&channel->host, g_free);
}

/* The first IPv4 address of @interface, or INADDR_ANY. */
static struct in_addr
interface_address4 (const char *interface)
{
  struct in_addr result = { htonl (INADDR_ANY) };
  struct ifaddrs *list = NULL;
  struct ifaddrs *item;

  if (getifaddrs (&list) != 0)
    return result;
  for (item = list; item != NULL; item = item->ifa_next)
    if (item->ifa_addr != NULL && item->ifa_addr->sa_family == AF_INET && g_strcmp0 (item->ifa_name, interface) == 0)
      {
        result = ((struct sockaddr_in *) (void *) item->ifa_addr)->sin_addr;
        break;
      }
  freeifaddrs (list);
  return result;
}

/* The interface outgoing multicast leaves by; GLib has no call for it.
 * IPv4 also gets the interface's address as source: the kernel would
 * otherwise pick one of another interface (lo's 127.0.0.1 has host
 * scope), which the hosts on this link may not reach. */
static gboolean
set_multicast_interface (GSocket       *socket,
                         GSocketFamily  family,
                         const char    *interface,
                         GError       **error)
{
  guint index = if_nametoindex (interface);
  int result;

  if (index == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no network interface “%s”"), interface);
      return FALSE;
    }
  if (family == G_SOCKET_FAMILY_IPV4)
    {
      struct ip_mreqn request = { 0 };

      request.imr_ifindex = (int) index;
      request.imr_address = interface_address4 (interface);
      result = setsockopt (g_socket_get_fd (socket), IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request);
    }
  else
    {
      int value = (int) index;

      result = setsockopt (g_socket_get_fd (socket), IPPROTO_IPV6, IPV6_MULTICAST_IF, &value, sizeof value);
    }
  if (result != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot send multicast on interface “%s”: %s"), interface, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean on_socket_readable (GSocket      *socket,
                                    GIOCondition  condition,
                                    gpointer      user_data);

static gboolean
channel_open (TsrLsd         *self,
              Channel        *channel,
              GSocketFamily   family,
              const char     *group_text,
              GError        **error)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (group_text);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autofree char *text = NULL;

  if (group == NULL || g_inet_address_get_family (group) != family || !g_inet_address_get_is_multicast (group))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   family == G_SOCKET_FAMILY_IPV4 ? _("“%s” is not an IPv4 multicast group")
                                                  : _("“%s” is not an IPv6 multicast group"), group_text);
      return FALSE;
    }
  socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  /* Bound to the group itself: datagrams sent to this port for another
   * group, or to us directly, never reach this socket. allow_reuse sets
   * SO_REUSEADDR and, for UDP, SO_REUSEPORT: every client on the host can
   * listen to the group at once. */
  bind_address = g_inet_socket_address_new (group, self->lsd_port);
  if (!g_socket_bind (socket, bind_address, TRUE, error))
    return FALSE;
  /* BEP 14: local network only. Loopback on: clients on this host hear us. */
  g_socket_set_multicast_ttl (socket, 1);
  g_socket_set_multicast_loopback (socket, TRUE);
  if (self->interface != NULL && !set_multicast_interface (socket, family, self->interface, error))
    return FALSE;
  if (!g_socket_join_multicast_group (socket, group, FALSE, self->interface, error))
    return FALSE;

  text = g_inet_address_to_string (group);
  channel->host = family == G_SOCKET_FAMILY_IPV6 ? g_strdup_printf ("[%s]:%u", text, self->lsd_port)
                                                 : g_strdup_printf ("%s:%u", text, self->lsd_port);
  channel->group = g_steal_pointer (&bind_address);
  channel->source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (channel->source, (GSourceFunc) (GCallback) on_socket_readable, self, NULL);
  g_source_attach (channel->source, self->context);
  channel->socket = g_steal_pointer (&socket);
  return TRUE;
}

/* Sends @message to the channel's group. TRUE when it just started
 * failing: the network may not be up yet (an interface still coming up
 * at start), worth one early retry rather than the whole interval. */
static gboolean
channel_send (Channel    *channel,
              const char *message)
{
  g_autoptr(GError) error = NULL;

  if (channel->socket == NULL)
    return FALSE;
  if (g_socket_send_to (channel->socket, channel->group, message, strlen (message), NULL, &error) < 0)
    {
      gboolean first = !channel->send_failing;

      if (first)
        g_debug ("Cannot send to the LSD group %s: %s", channel->host, error->message);
      channel->send_failing = TRUE;
      return first;
    }
  channel->send_failing = FALSE;
  return FALSE;
}

static int
compare_next_announce (gconstpointer a,
                       gconstpointer b)
{
  const Torrent *x = *(Torrent *const *) a;
  const Torrent *y = *(Torrent *const *) b;

  return x->next_announce < y->next_announce ? -1 : x->next_announce > y->next_announce;
}

/* Sends the torrents that are due, and those due soon enough to share the
 * message: announces made one by one thus fall into step. */
static void
announce_due (TsrLsd *self)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (g_hash_table_size (self->torrents));
  g_autofree char *message4 = NULL;
  g_autofree char *message6 = NULL;
  guint8 hashes[TSR_LSD_MAX_HASHES * 20];
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;
  guint n = 0;
  guint i;
  gboolean retry = FALSE;

  g_hash_table_iter_init (&iter, self->torrents);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_next_announce);
  if (sorted->len == 0 || ((Torrent *) g_ptr_array_index (sorted, 0))->next_announce > now)
    return;
  for (i = 0; i < sorted->len && n < TSR_LSD_MAX_HASHES; i++)
    {
      Torrent *torrent = g_ptr_array_index (sorted, i);

      if (torrent->next_announce > now + self->interval / 5)
        break;
      memcpy (hashes + 20 * n++, torrent->hash, 20);
      torrent->next_announce = now + self->interval;
    }
  if (self->v4.socket != NULL)
    {
      message4 = tsr_lsd_message_build (self->v4.host, self->listen_port, hashes, n, self->cookie);
      retry |= channel_send (&self->v4, message4);
    }
  if (self->v6.socket != NULL)
    {
      message6 = tsr_lsd_message_build (self->v6.host, self->listen_port, hashes, n, self->cookie);
      retry |= channel_send (&self->v6, message6);
    }
  /* A send that just failed: these torrents again in a few seconds. */
  if (retry)
    for (i = 0; i < n; i++)
      {
        Torrent *torrent = g_ptr_array_index (sorted, i);

        torrent->next_announce = now + LSD_RETRY_MS * 1000;
      }
  self->last_sent = now;
}

static gboolean on_timer (gpointer user_data);

/* Sets the timer for the next message: when the soonest torrent is due,
 * and not before a gap since the last one. */
static void
schedule (TsrLsd *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 when = G_MAXINT64;
  gint64 now;

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  if (self->listen_port == 0 || (self->v4.socket == NULL && self->v6.socket == NULL))
    return;

  g_hash_table_iter_init (&iter, self->torrents);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    when = MIN (when, ((Torrent *) value)->next_announce);
  if (when == G_MAXINT64)
    return;
  if (self->last_sent != 0)
    when = MAX (when, self->last_sent + self->gap);
  now = g_get_monotonic_time ();

  self->timer = g_timeout_source_new ((guint) (when > now ? (when - now + 999) / 1000 : 0));
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, self->context);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrLsd *self = user_data;

  announce_due (self);
  schedule (self);   /* destroys this source and makes the next */
  return G_SOURCE_REMOVE;
}

/* "1.2.3.4:6881", "[2001:db8::1]:6881", "[fe80::1%eth0]:6881". */
static char *
format_peer (GSocketAddress *source,
             guint16         port)
{
  GInetSocketAddress *inet;
  GInetAddress *address;
  g_autofree char *host = NULL;
  char name[IF_NAMESIZE] = "";
  guint32 scope;

  if (!G_IS_INET_SOCKET_ADDRESS (source))
    return NULL;
  inet = G_INET_SOCKET_ADDRESS (source);
  address = g_inet_socket_address_get_address (inet);
  host = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return g_strdup_printf ("%s:%u", host, port);
  /* A link-local host is only reachable through the interface it spoke on. */
  scope = g_inet_socket_address_get_scope_id (inet);
  if (scope != 0 && g_inet_address_get_is_link_local (address))
    {
      if (if_indextoname (scope, name) != NULL)
        return g_strdup_printf ("[%s%%%s]:%u", host, name, port);
      return g_strdup_printf ("[%s%%%u]:%u", host, scope, port);
    }
  return g_strdup_printf ("[%s]:%u", host, port);
}

void
_tsr_lsd_receive (TsrLsd         *self,
                  const guint8   *data,
                  gsize           length,
                  GSocketAddress *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autofree char *address = NULL;
  guint i;

  g_return_if_fail (TSR_IS_LSD (self));
  g_return_if_fail (G_IS_SOCKET_ADDRESS (source));

  if (!take_from (self, source))
    return;
  message = tsr_lsd_message_parse (data, length, &error);
  if (message == NULL)
    {
      g_autofree char *from = format_peer (source, 0);

      g_debug ("Ignoring an LSD message from %s: %s", from != NULL ? from : "?", error->message);
      return;
    }
  if (message->cookie != NULL && strcmp (message->cookie, self->cookie) == 0)
    return;
  address = format_peer (source, message->port);
  if (address == NULL)
    return;
  for (i = 0; i < message->n_hashes; i++)
    {
      g_autofree char *hex = NULL;

      /* Looked up each time: a handler may have removed a torrent. */
      if (!g_hash_table_contains (self->torrents, message->hashes[i]))
        continue;
      hex = tsr_hex_encode (message->hashes[i], 20);
      g_signal_emit (self, signals[SIGNAL_PEER], 0, hex, address);
    }
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  g_autoptr(TsrLsd) self = g_object_ref (user_data);   /* a "peer" handler may drop the last reference */
  /* One byte more than the largest message: a longer datagram is cut to
   * that, and rejected as too large. */
  guint8 buffer[TSR_LSD_MAX_MESSAGE + 1];
  guint i;

  for (i = 0; i < MAX_READS; i++)
    {
      g_autoptr(GSocketAddress) source = NULL;
      g_autoptr(GError) error = NULL;
      gssize length = g_socket_receive_from (socket, &source, (char *) buffer, sizeof buffer, NULL, &error);

      if (length < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("Cannot read from the LSD socket: %s", error->message);
          break;
        }
      if (source != NULL)
        _tsr_lsd_receive (self, buffer, (gsize) length, source);
      /* Disposed by a handler: the socket is closed. */
      if (g_source_is_destroyed (g_main_current_source ()))
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
tsr_lsd_constructed (GObject *object)
{
  TsrLsd *self = TSR_LSD (object);
  g_autoptr(GError) error4 = NULL;
  g_autoptr(GError) error6 = NULL;

  G_OBJECT_CLASS (tsr_lsd_parent_class)->constructed (object);

  self->context = g_main_context_ref_thread_default ();
  /* Each family on its own: a host without IPv6, or without a multicast
   * route for one of them, still has the other. */
  if (self->group4 != NULL && !channel_open (self, &self->v4, G_SOCKET_FAMILY_IPV4, self->group4, &error4))
    {
      g_debug ("Local peer discovery over IPv4 is off: %s", error4->message);
      channel_close (&self->v4);
    }
  if (self->group6 != NULL && !channel_open (self, &self->v6, G_SOCKET_FAMILY_IPV6, self->group6, &error6))
    {
      g_debug ("Local peer discovery over IPv6 is off: %s", error6->message);
      channel_close (&self->v6);
    }
}

static void
tsr_lsd_dispose (GObject *object)
{
  TsrLsd *self = TSR_LSD (object);

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  channel_close (&self->v4);
  channel_close (&self->v6);
  G_OBJECT_CLASS (tsr_lsd_parent_class)->dispose (object);
}

static void
tsr_lsd_finalize (GObject *object)
{
  TsrLsd *self = TSR_LSD (object);

  g_hash_table_unref (self->torrents);
  g_hash_table_unref (self->heard);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->group4);
  g_free (self->group6);
  g_free (self->interface);
  G_OBJECT_CLASS (tsr_lsd_parent_class)->finalize (object);
}

static void
tsr_lsd_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  TsrLsd *self = TSR_LSD (object);

  switch (prop_id)
    {
    case PROP_LISTEN_PORT:
      g_value_set_uint (value, self->listen_port);
      break;
    case PROP_GROUP4:
      g_value_set_string (value, self->group4);
      break;
    case PROP_GROUP6:
      g_value_set_string (value, self->group6);
      break;
    case PROP_LSD_PORT:
      g_value_set_uint (value, self->lsd_port);
      break;
    case PROP_INTERFACE:
      g_value_set_string (value, self->interface);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_lsd_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  TsrLsd *self = TSR_LSD (object);

  switch (prop_id)
    {
    case PROP_LISTEN_PORT:
      tsr_lsd_set_listen_port (self, (guint16) g_value_get_uint (value));
      break;
    case PROP_GROUP4:
      self->group4 = g_value_dup_string (value);
      break;
    case PROP_GROUP6:
      self->group6 = g_value_dup_string (value);
      break;
    case PROP_LSD_PORT:
      self->lsd_port = (guint16) g_value_get_uint (value);
      break;
    case PROP_INTERFACE:
      self->interface = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_lsd_class_init (TsrLsdClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tsr_lsd_constructed;
  object_class->dispose = tsr_lsd_dispose;
  object_class->finalize = tsr_lsd_finalize;
  object_class->get_property = tsr_lsd_get_property;
  object_class->set_property = tsr_lsd_set_property;

  properties[PROP_LISTEN_PORT] =
    g_param_spec_uint ("listen-port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GROUP4] =
    g_param_spec_string ("group4", NULL, NULL, TSR_LSD_GROUP4,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GROUP6] =
    g_param_spec_string ("group6", NULL, NULL, TSR_LSD_GROUP6,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LSD_PORT] =
    g_param_spec_uint ("lsd-port", NULL, NULL, 1, 65535, TSR_LSD_PORT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERFACE] =
    g_param_spec_string ("interface", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (info hash as 40 lowercase hex digits, "host:port"): see tsr-lsd.h. */
  signals[SIGNAL_PEER] = g_signal_new ("peer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
tsr_lsd_init (TsrLsd *self)
{
  g_snprintf (self->cookie, sizeof self->cookie, "%08x%08x", g_random_int (), g_random_int ());
  self->torrents = g_hash_table_new_full (tsr_hash20_hash, tsr_hash20_equal, NULL, g_free);
  self->heard = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->lsd_port = TSR_LSD_PORT;
  self->interval = (gint64) ANNOUNCE_INTERVAL_MS * 1000;
  self->gap = (gint64) MIN_GAP_MS * 1000;
}

TsrLsd *
tsr_lsd_new (guint16 listen_port)
{
  return g_object_new (TSR_TYPE_LSD, "listen-port", (guint) listen_port, NULL);
}

TsrLsd *
tsr_lsd_new_full (guint16     listen_port,
                  const char *group4,
                  const char *group6,
                  guint16     lsd_port,
                  const char *interface)
{
  g_return_val_if_fail (lsd_port != 0, NULL);

  return g_object_new (TSR_TYPE_LSD,
                       "listen-port", (guint) listen_port,
                       "group4", group4,
                       "group6", group6,
                       "lsd-port", (guint) lsd_port,
                       "interface", interface,
                       NULL);
}

guint16
tsr_lsd_get_listen_port (TsrLsd *self)
{
  g_return_val_if_fail (TSR_IS_LSD (self), 0);

  return self->listen_port;
}

void
tsr_lsd_set_listen_port (TsrLsd  *self,
                         guint16  listen_port)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (TSR_IS_LSD (self));

  if (self->listen_port == listen_port)
    return;
  self->listen_port = listen_port;
  /* Peers must learn the new port: everything is due again. */
  g_hash_table_iter_init (&iter, self->torrents);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((Torrent *) value)->next_announce = now;
  /* Before constructed(): no context yet, and nothing to schedule. */
  if (self->context != NULL)
    schedule (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTEN_PORT]);
}

gboolean
tsr_lsd_is_joined (TsrLsd        *self,
                   GSocketFamily  family)
{
  g_return_val_if_fail (TSR_IS_LSD (self), FALSE);

  return (family == G_SOCKET_FAMILY_IPV4 ? self->v4.socket : self->v6.socket) != NULL;
}

const char *
tsr_lsd_get_cookie (TsrLsd *self)
{
  g_return_val_if_fail (TSR_IS_LSD (self), NULL);

  return self->cookie;
}

void
tsr_lsd_add_torrent (TsrLsd       *self,
                     const guint8 *info_hash)
{
  Torrent *torrent;

  g_return_if_fail (TSR_IS_LSD (self));
  g_return_if_fail (info_hash != NULL);

  if (g_hash_table_contains (self->torrents, info_hash))
    return;
  torrent = g_new0 (Torrent, 1);
  memcpy (torrent->hash, info_hash, 20);
  torrent->next_announce = g_get_monotonic_time ();
  g_hash_table_insert (self->torrents, torrent->hash, torrent);
  schedule (self);
}

void
tsr_lsd_remove_torrent (TsrLsd       *self,
                        const guint8 *info_hash)
{
  g_return_if_fail (TSR_IS_LSD (self));
  g_return_if_fail (info_hash != NULL);

  if (g_hash_table_remove (self->torrents, info_hash))
    schedule (self);
}

void
_tsr_lsd_set_timing (TsrLsd *self,
                     guint   interval_ms,
                     guint   gap_ms)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (TSR_IS_LSD (self));

  self->interval = (gint64) interval_ms * 1000;
  self->gap = (gint64) gap_ms * 1000;
  /* No torrent waits longer than the new interval. */
  g_hash_table_iter_init (&iter, self->torrents);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((Torrent *) value)->next_announce = MIN (((Torrent *) value)->next_announce, now + self->interval);
  schedule (self);
}
