/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-manager.c: the uTP connections of one UDP socket (see
 * tsr-utp-manager.h for the policy). Each connection is a channel that
 * wraps a TsrUtpConn; the routing table maps both of its ids, with its
 * peer's address, to it, so a datagram finds its connection in one
 * lookup whichever id it carries (BEP 29: the receive id on DATA, FIN
 * and STATE, the send id on a repeated SYN, either on a RESET).
 *
 * The timer: every channel sits in a heap by its deadline
 * (net/tsr-timer-heap.c), updated after each call into its connection,
 * and one GSource waits for the heap's top. The GSource is moved
 * earlier at once and later only when it fires (one spare wake-up, not
 * one syscall per packet).
 *
 * Lifetime: a channel is counted. Its owner holds one reference until
 * tsr_utp_channel_release(); the manager holds one while the connection
 * is routed (open or finishing), and one more around every call into the
 * connection, which may report `closed` and the owner release it: the
 * connection is freed only after the call returns (tsr-utp-conn.h).
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-timer-heap.h"
#include "tsr-util.h"
#include "tsr-utp-manager.h"

G_DEFINE_QUARK (tsr-utp-manager-error-quark, tsr_utp_manager_error)

/* Random ids tried for a dial before giving up: with every id of an
 * address but a few free, the first one fits. */
#define ID_TRIES 64

typedef struct
{
  TsrPeerAddress address;
  guint16        id;
} Key;

struct _TsrUtpChannel
{
  TsrUtpManager            *manager;      /* borrowed; NULL once it is freed */
  TsrUtpConn               *conn;         /* (owned) */
  TsrPeerAddress            address;
  Key                       recv_key;     /* the routing table's keys */
  Key                       send_key;
  const TsrUtpChannelFuncs *funcs;        /* (nullable) the owner's */
  gpointer                  user_data;
  guint                     ref_count;
  gboolean                  initiator;
  gboolean                  live;         /* routed, with the manager's reference */
  gboolean                  half_open;    /* accepted, not yet confirmed */
  gboolean                  pending_readable;
  gboolean                  closing;      /* our FIN is queued */
  gboolean                  closed;
  gboolean                  silent;       /* sends nothing more */
  gboolean                  ack_queued;   /* in the manager's ack queue */
  gboolean                  released;
  GError                   *error;        /* (owned) (nullable) */
  gint64                    half_open_until;
  TsrTimerHeapEntry         timer;
};

struct _TsrUtpManager
{
  const TsrUtpManagerFuncs *funcs;
  gpointer                  user_data;
  GHashTable               *routes;           /* Key (the channel's) -> TsrUtpChannel */
  GHashTable               *half_open_hosts;  /* TsrPeerAddress (owned, port 0) -> count */
  TsrTimerHeap             *heap;             /* the channels' timers */
  GSource                  *timer;            /* (owned) */
  gint64                    armed;            /* the timer's ready time, -1 for none */
  gboolean                  defer_acks;
  GPtrArray                *ack_queue;        /* (element-type TsrUtpChannel) (owned) acks to send */
  TsrUtpManagerLimits       limits;
  guint                     n_live;
  guint                     n_half_open;
  gint64                    reset_window;
  guint                     resets_in_window;
  TsrUtpManagerStats        stats;
  guint8                    scratch[TSR_UTP_CONN_DATAGRAM_MAX];
};

static void on_conn_send_datagram (const guint8 *data,
                                   gsize         length,
                                   gpointer      user_data);
static void on_conn_readable      (gpointer      user_data);
static void on_conn_writable      (gpointer      user_data);
static void on_conn_connected     (gpointer      user_data);
static void on_conn_closed        (const GError *error,
                                   gpointer      user_data);

static const TsrUtpConnFuncs conn_funcs = {
  .send_datagram = on_conn_send_datagram,
  .readable = on_conn_readable,
  .writable = on_conn_writable,
  .connected = on_conn_connected,
  .closed = on_conn_closed,
};

static guint
key_hash (gconstpointer data)
{
  const Key *key = data;

  return tsr_peer_address_hash (&key->address) * 31 + key->id;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *x = a;
  const Key *y = b;

  return x->id == y->id && tsr_peer_address_equal (&x->address, &y->address);
}

static gint64
manager_now (TsrUtpManager *self)
{
  if (self == NULL || self->funcs->now == NULL)
    return g_get_monotonic_time ();
  return self->funcs->now (self->user_data);
}

static guint16
random_u16 (void)
{
  guint16 value;

  tsr_random_bytes ((guint8 *) &value, sizeof value);
  return value;
}

/* Channels. */

static TsrUtpChannel *
channel_new (TsrUtpManager        *self,
             const TsrPeerAddress *address)
{
  TsrUtpChannel *channel = g_new0 (TsrUtpChannel, 1);

  channel->manager = self;
  channel->conn = tsr_utp_conn_new (&conn_funcs, channel);
  tsr_utp_conn_set_defer_acks (channel->conn, self->defer_acks);
  channel->address = *address;
  channel->ref_count = 1;
  tsr_timer_heap_entry_init (&channel->timer, channel);
  return channel;
}

static TsrUtpChannel *
channel_ref (TsrUtpChannel *channel)
{
  channel->ref_count++;
  return channel;
}

static void
channel_unref (TsrUtpChannel *channel)
{
  if (--channel->ref_count > 0)
    return;
  tsr_utp_conn_free (channel->conn);
  g_clear_error (&channel->error);
  g_free (channel);
}

static gint64
channel_deadline (TsrUtpChannel *channel)
{
  gint64 deadline;

  if (!channel->live)
    return TSR_UTP_CONN_NO_DEADLINE;
  deadline = tsr_utp_conn_get_deadline (channel->conn);
  if (channel->half_open)
    deadline = MIN (deadline, channel->half_open_until);
  return deadline;
}

/* Moves the timer earlier when it must; later only when it fires. */
static void
arm (TsrUtpManager *self,
     gboolean       exact)
{
  TsrTimerHeapEntry *first = tsr_timer_heap_peek (self->heap);
  gint64 ready = -1;

  if (first != NULL)
    ready = self->funcs->now == NULL ? first->deadline
                                     : g_get_monotonic_time () + MAX (0, first->deadline - manager_now (self));
  if (ready == self->armed || (!exact && self->armed >= 0 && (ready < 0 || ready > self->armed)))
    return;
  self->armed = ready;
  g_source_set_ready_time (self->timer, ready);
}

/* After any call into the connection: its deadline may have moved. */
static void
settle (TsrUtpChannel *channel)
{
  TsrUtpManager *self = channel->manager;

  if (self == NULL)
    return;
  tsr_timer_heap_set (self->heap, &channel->timer, channel_deadline (channel));
  arm (self, FALSE);
}

/* Routing and counts. */

static void
half_open_end (TsrUtpManager *self,
               TsrUtpChannel *channel)
{
  TsrPeerAddress host = tsr_peer_address_get_host (&channel->address);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->half_open_hosts, &host));

  if (!channel->half_open)
    return;
  channel->half_open = FALSE;
  self->n_half_open--;
  if (count <= 1)
    g_hash_table_remove (self->half_open_hosts, &host);
  else
    g_hash_table_insert (self->half_open_hosts, tsr_peer_address_dup (&host), GUINT_TO_POINTER (count - 1));
}

static guint
half_open_count (TsrUtpManager        *self,
                 const TsrPeerAddress *address)
{
  TsrPeerAddress host = tsr_peer_address_get_host (address);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->half_open_hosts, &host));
}

static void
route (TsrUtpManager *self,
       TsrUtpChannel *channel,
       guint16        recv_id,
       guint16        send_id)
{
  channel->recv_key.address = channel->address;
  channel->recv_key.id = recv_id;
  channel->send_key.address = channel->address;
  channel->send_key.id = send_id;
  g_hash_table_insert (self->routes, &channel->recv_key, channel);
  g_hash_table_insert (self->routes, &channel->send_key, channel);
  channel->live = TRUE;
  self->n_live++;
  channel_ref (channel);
}

/* The connection is over for the manager: out of the table and the
 * heap, and the manager's reference dropped (never the last one here:
 * callers hold their own). */
static void
unroute (TsrUtpChannel *channel)
{
  TsrUtpManager *self = channel->manager;

  if (!channel->live || self == NULL)
    return;
  channel->live = FALSE;
  g_hash_table_remove (self->routes, &channel->recv_key);
  g_hash_table_remove (self->routes, &channel->send_key);
  tsr_timer_heap_remove (self->heap, &channel->timer);
  half_open_end (self, channel);
  self->n_live--;
  channel_unref (channel);
}

/* Closed by the manager or the owner: no `closed` report. */
static void
mark_closed (TsrUtpChannel *channel,
             GError        *error)
{
  channel->closed = TRUE;
  if (channel->error == NULL)
    channel->error = error;
  else
    g_clear_error (&error);
  unroute (channel);
}

static void
send_reset (TsrUtpManager        *self,
            const TsrPeerAddress *to,
            const TsrUtpPacket   *packet,
            gint64                now_us)
{
  gsize length;

  if (now_us - self->reset_window >= G_USEC_PER_SEC || now_us < self->reset_window)
    {
      self->reset_window = now_us;
      self->resets_in_window = 0;
    }
  if (self->resets_in_window >= TSR_UTP_MANAGER_RESETS_PER_SECOND)
    {
      self->stats.resets_withheld++;
      return;
    }
  length = tsr_utp_conn_write_reset (packet, (guint32) now_us, self->scratch, sizeof self->scratch);
  if (length == 0)
    return;
  self->resets_in_window++;
  self->stats.resets_sent++;
  self->funcs->send_to (to, self->scratch, length, self->user_data);
}

/* The connection's reports. */

static void
on_conn_send_datagram (const guint8 *data,
                       gsize         length,
                       gpointer      user_data)
{
  TsrUtpChannel *channel = user_data;
  TsrUtpManager *self = channel->manager;

  if (self == NULL || channel->silent)
    return;
  self->funcs->send_to (&channel->address, data, length, self->user_data);
}

/* A released channel's data goes nowhere, but is read: the window
 * stays open so the peer's FIN gets through. */
static void
drain (TsrUtpChannel *channel)
{
  guint8 buffer[16384];

  while (tsr_utp_conn_read (channel->conn, buffer, sizeof buffer, manager_now (channel->manager)) > 0)
    ;
}

static void
on_conn_readable (gpointer user_data)
{
  TsrUtpChannel *channel = user_data;

  if (channel->released)
    drain (channel);
  else if (channel->half_open)
    channel->pending_readable = TRUE;
  else if (channel->funcs != NULL && channel->funcs->readable != NULL)
    channel->funcs->readable (channel->user_data);
}

static void
on_conn_writable (gpointer user_data)
{
  TsrUtpChannel *channel = user_data;

  if (!channel->released && channel->funcs != NULL && channel->funcs->writable != NULL)
    channel->funcs->writable (channel->user_data);
}

static void
on_conn_connected (gpointer user_data)
{
  TsrUtpChannel *channel = user_data;

  /* An accepted connection is reported once its initiator confirms. */
  if (!channel->half_open && !channel->released && channel->funcs != NULL && channel->funcs->connected != NULL)
    channel->funcs->connected (channel->user_data);
}

static void
on_conn_closed (const GError *error,
                gpointer      user_data)
{
  TsrUtpChannel *channel = user_data;

  mark_closed (channel, error != NULL ? g_error_copy (error) : NULL);
  if (!channel->released && channel->funcs != NULL && channel->funcs->closed != NULL)
    channel->funcs->closed (error, channel->user_data);
}

/* The manager. */

static gboolean
on_timer_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = on_timer_dispatch,
};

static gboolean
on_timer (gpointer user_data)
{
  TsrUtpManager *self = user_data;

  self->stats.timer_wakeups++;
  tsr_utp_manager_on_timer (self, manager_now (self));
  return G_SOURCE_CONTINUE;
}

TsrUtpManager *
tsr_utp_manager_new (const TsrUtpManagerFuncs *funcs,
                     gpointer                  user_data)
{
  TsrUtpManager *self;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_return_val_if_fail (funcs != NULL && funcs->send_to != NULL, NULL);

  self = g_new0 (TsrUtpManager, 1);
  self->funcs = funcs;
  self->user_data = user_data;
  self->routes = g_hash_table_new (key_hash, key_equal);
  self->half_open_hosts = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  self->heap = tsr_timer_heap_new ();
  self->limits.max_connections = TSR_UTP_MANAGER_MAX_CONNECTIONS;
  self->limits.max_half_open = TSR_UTP_MANAGER_MAX_HALF_OPEN;
  self->limits.max_half_open_per_host = TSR_UTP_MANAGER_MAX_HALF_OPEN_PER_HOST;
  self->armed = -1;
  self->ack_queue = g_ptr_array_new ();
  self->timer = g_source_new (&timer_source_funcs, sizeof (GSource));
  g_source_set_name (self->timer, "tsr-utp-manager");
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, context);
  return self;
}

void
tsr_utp_manager_free (TsrUtpManager *self)
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  guint i;

  if (self == NULL)
    return;

  g_source_destroy (self->timer);
  g_source_unref (self->timer);
  for (i = 0; i < self->ack_queue->len; i++)
    channel_unref (g_ptr_array_index (self->ack_queue, i));
  g_ptr_array_unref (self->ack_queue);
  g_hash_table_iter_init (&iter, self->routes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (key == &((TsrUtpChannel *) value)->recv_key)
      g_ptr_array_add (channels, value);
  for (i = 0; i < channels->len; i++)
    {
      TsrUtpChannel *channel = g_ptr_array_index (channels, i);

      channel->manager = NULL;
      channel->silent = TRUE;
      channel->live = FALSE;
      if (!channel->closed)
        {
          channel->closed = TRUE;
          g_clear_error (&channel->error);
          channel->error = g_error_new (TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_SHUT_DOWN,
                                        _("The uTP socket was shut down"));
        }
      channel_unref (channel);
    }
  g_hash_table_unref (self->routes);
  g_hash_table_unref (self->half_open_hosts);
  tsr_timer_heap_free (self->heap);
  g_free (self);
}

void
tsr_utp_manager_set_limits (TsrUtpManager             *self,
                            const TsrUtpManagerLimits *limits)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (limits != NULL);

  self->limits = *limits;
}

void
tsr_utp_manager_set_defer_acks (TsrUtpManager *self,
                                gboolean       defer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (g_hash_table_size (self->routes) == 0);

  self->defer_acks = defer;
}

void
tsr_utp_manager_flush_acks (TsrUtpManager *self,
                            gint64         now_us)
{
  guint i;

  g_return_if_fail (self != NULL);

  /* Sending a STATE calls back nothing but send_to: the queue stays put. */
  for (i = 0; i < self->ack_queue->len; i++)
    {
      TsrUtpChannel *channel = g_ptr_array_index (self->ack_queue, i);

      channel->ack_queued = FALSE;
      if (channel->live)
        {
          tsr_utp_conn_flush_ack (channel->conn, now_us);
          settle (channel);
        }
      channel_unref (channel);
    }
  g_ptr_array_set_size (self->ack_queue, 0);
}

/* Hands @packet to @channel; an accepted channel's first valid packet
 * other than a SYN confirms it (a blind spoofer cannot ack our random
 * first sequence number). */
static void
deliver (TsrUtpChannel      *channel,
         const TsrUtpPacket *packet,
         gint64              now_us)
{
  gboolean confirming = channel->half_open && packet->type != TSR_UTP_SYN && packet->type != TSR_UTP_RESET;
  guint64 ignored = confirming ? tsr_utp_conn_get_stats (channel->conn)->packets_ignored : 0;

  channel_ref (channel);
  tsr_utp_conn_receive (channel->conn, packet, now_us);
  if (!channel->ack_queued && tsr_utp_conn_get_ack_pending (channel->conn))
    {
      channel->ack_queued = TRUE;
      g_ptr_array_add (channel->manager->ack_queue, channel_ref (channel));
    }
  if (confirming && channel->live && tsr_utp_conn_is_connected (channel->conn) &&
      tsr_utp_conn_get_stats (channel->conn)->packets_ignored == ignored)
    {
      half_open_end (channel->manager, channel);
      on_conn_connected (channel);
      if (channel->pending_readable && channel->live)
        on_conn_readable (channel);
    }
  channel->pending_readable = FALSE;
  settle (channel);
  channel_unref (channel);
}

static void
incoming (TsrUtpManager        *self,
          const TsrPeerAddress *from,
          const TsrUtpPacket   *syn,
          gint64                now_us)
{
  Key key = { *from, (guint16) (syn->connection_id + 1) };
  TsrPeerAddress host;
  TsrUtpChannel *channel;

  /* BEP 29: we would receive on the SYN's id + 1; it must be free too. */
  if (g_hash_table_contains (self->routes, &key))
    {
      send_reset (self, from, syn, now_us);
      return;
    }
  if (self->n_live >= self->limits.max_connections || self->n_half_open >= self->limits.max_half_open ||
      half_open_count (self, from) >= self->limits.max_half_open_per_host)
    {
      self->stats.syn_dropped++;
      return;
    }
  /* One reference for the owner, if it takes the channel; one ours. */
  channel = channel_ref (channel_new (self, from));
  if (self->funcs->accept == NULL || !self->funcs->accept (channel, from, self->user_data) || channel->released)
    {
      self->stats.refused++;
      send_reset (self, from, syn, now_us);
      if (!channel->released)
        tsr_utp_channel_release (channel);
      channel_unref (channel);
      return;
    }
  self->stats.accepted++;
  channel->half_open = TRUE;
  channel->half_open_until = now_us + TSR_UTP_MANAGER_HALF_OPEN_US;
  self->n_half_open++;
  host = tsr_peer_address_get_host (from);
  g_hash_table_insert (self->half_open_hosts, tsr_peer_address_dup (&host),
                       GUINT_TO_POINTER (half_open_count (self, from) + 1));
  route (self, channel, key.id, syn->connection_id);
  tsr_utp_conn_accept (channel->conn, syn, random_u16 (), now_us);
  settle (channel);
  channel_unref (channel);
}

void
tsr_utp_manager_receive (TsrUtpManager        *self,
                         const TsrPeerAddress *from,
                         const guint8         *data,
                         gsize                 length,
                         gint64                now_us)
{
  TsrUtpPacket packet;
  TsrUtpChannel *channel;
  Key key = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (from != NULL);

  self->stats.datagrams++;
  if (!tsr_utp_packet_parse (&packet, data, length, NULL))
    {
      self->stats.invalid++;
      return;
    }
  key.address = *from;
  key.id = packet.connection_id;
  channel = g_hash_table_lookup (self->routes, &key);
  if (channel != NULL)
    {
      /* A SYN on an id in use is a repeat only for the connection it made. */
      if (packet.type == TSR_UTP_SYN && (channel->initiator || packet.connection_id != channel->send_key.id))
        send_reset (self, from, &packet, now_us);
      else
        deliver (channel, &packet, now_us);
      return;
    }
  switch (packet.type)
    {
    case TSR_UTP_RESET:
      break;
    case TSR_UTP_SYN:
      incoming (self, from, &packet, now_us);
      break;
    case TSR_UTP_DATA:
    case TSR_UTP_FIN:
    case TSR_UTP_STATE:
    default:
      send_reset (self, from, &packet, now_us);
      break;
    }
}

TsrUtpChannel *
tsr_utp_manager_dial (TsrUtpManager             *self,
                      const TsrPeerAddress      *address,
                      const TsrUtpChannelFuncs  *funcs,
                      gpointer                   user_data,
                      GError                   **error)
{
  TsrUtpChannel *channel;
  Key key = { 0 };
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->n_live >= self->limits.max_connections)
    {
      g_set_error (error, TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_TOO_MANY,
                   _("Too many uTP connections (%u) to dial another"), self->n_live);
      return NULL;
    }
  key.address = *address;
  for (i = 0; i < ID_TRIES; i++)
    {
      Key send_key;

      key.id = random_u16 ();
      send_key = key;
      send_key.id = key.id + 1;
      if (!g_hash_table_contains (self->routes, &key) && !g_hash_table_contains (self->routes, &send_key))
        break;
    }
  if (i == ID_TRIES)
    {
      g_autofree char *text = tsr_peer_address_to_string (address);

      g_set_error (error, TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_NO_ID,
                   _("No free uTP connection id for %s"), text);
      return NULL;
    }

  channel = channel_new (self, address);
  channel->initiator = TRUE;
  tsr_utp_channel_set_funcs (channel, funcs, user_data);
  route (self, channel, key.id, key.id + 1);
  tsr_utp_conn_connect (channel->conn, key.id, random_u16 (), manager_now (self));
  settle (channel);
  return channel;
}

gboolean
tsr_utp_manager_unreachable (TsrUtpManager        *self,
                             const TsrPeerAddress *address,
                             const GError         *error)
{
  g_autoptr(GPtrArray) dialling = g_ptr_array_new_with_free_func ((GDestroyNotify) channel_unref);
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && error != NULL, FALSE);

  /* Only dials still waiting for their STATE: an open connection keeps
   * its own timeouts, so a forged ICMP error cannot end it. */
  g_hash_table_iter_init (&iter, self->routes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TsrUtpChannel *channel = value;

      if (key == &channel->recv_key && channel->initiator && !tsr_utp_conn_is_connected (channel->conn) &&
          tsr_peer_address_equal (&channel->address, address))
        g_ptr_array_add (dialling, channel_ref (channel));
    }
  for (i = 0; i < dialling->len; i++)
    {
      TsrUtpChannel *channel = g_ptr_array_index (dialling, i);

      if (!channel->live)
        continue;
      channel->silent = TRUE;
      mark_closed (channel, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_REFUSED,
                                         _("The uTP peer cannot be reached: %s"), error->message));
      if (!channel->released && channel->funcs != NULL && channel->funcs->closed != NULL)
        channel->funcs->closed (channel->error, channel->user_data);
    }
  return dialling->len > 0;
}

gint64
tsr_utp_manager_get_deadline (TsrUtpManager *self)
{
  TsrTimerHeapEntry *first;

  g_return_val_if_fail (self != NULL, TSR_UTP_CONN_NO_DEADLINE);

  first = tsr_timer_heap_peek (self->heap);
  return first != NULL ? first->deadline : TSR_UTP_CONN_NO_DEADLINE;
}

void
tsr_utp_manager_on_timer (TsrUtpManager *self,
                          gint64         now_us)
{
  g_autoptr(GPtrArray) due = g_ptr_array_new ();
  TsrTimerHeapEntry *first;
  guint i;

  g_return_if_fail (self != NULL);

  /* Taken out first: each runs once, whatever the others' reports do. */
  while ((first = tsr_timer_heap_peek (self->heap)) != NULL && first->deadline <= now_us)
    {
      tsr_timer_heap_remove (self->heap, first);
      g_ptr_array_add (due, channel_ref (first->data));
    }
  for (i = 0; i < due->len; i++)
    {
      TsrUtpChannel *channel = g_ptr_array_index (due, i);

      if (channel->live && channel->half_open && now_us >= channel->half_open_until)
        {
          /* Nothing is sent: a spoofed SYN's address gets no more from us. */
          self->stats.half_open_expired++;
          channel->silent = TRUE;
          mark_closed (channel, g_error_new (TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT,
                                             _("The uTP peer never confirmed the connection")));
          if (!channel->released && channel->funcs != NULL && channel->funcs->closed != NULL)
            channel->funcs->closed (channel->error, channel->user_data);
        }
      else if (channel->live)
        {
          tsr_utp_conn_on_timer (channel->conn, now_us);
          settle (channel);
        }
      channel_unref (channel);
    }
  arm (self, TRUE);
}

guint
tsr_utp_manager_get_n_connections (TsrUtpManager *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_live;
}

guint
tsr_utp_manager_get_n_half_open (TsrUtpManager *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_half_open;
}

const TsrUtpManagerStats *
tsr_utp_manager_get_stats (TsrUtpManager *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->stats;
}

/* Channels, for their owners. */

void
tsr_utp_channel_set_funcs (TsrUtpChannel            *channel,
                           const TsrUtpChannelFuncs *funcs,
                           gpointer                  user_data)
{
  g_return_if_fail (channel != NULL);

  channel->funcs = funcs;
  channel->user_data = user_data;
}

gsize
tsr_utp_channel_read (TsrUtpChannel *channel,
                      guint8        *buffer,
                      gsize          size)
{
  gsize n;

  g_return_val_if_fail (channel != NULL, 0);

  /* Bytes that came before a close are still there to read. */
  n = tsr_utp_conn_read (channel->conn, buffer, size, manager_now (channel->manager));
  settle (channel);
  return n;
}

gsize
tsr_utp_channel_write (TsrUtpChannel *channel,
                       const guint8  *data,
                       gsize          length)
{
  gsize n;

  g_return_val_if_fail (channel != NULL, 0);

  if (channel->closed || channel->released)
    return 0;
  n = tsr_utp_conn_write (channel->conn, data, length, manager_now (channel->manager));
  settle (channel);
  return n;
}

gsize
tsr_utp_channel_get_space (TsrUtpChannel *channel)
{
  gsize unacked;

  g_return_val_if_fail (channel != NULL, 0);

  if (channel->closed || channel->closing)
    return 0;
  unacked = tsr_utp_conn_get_unacked (channel->conn);
  return unacked >= TSR_UTP_CONN_SEND_BUFFER ? 0 : TSR_UTP_CONN_SEND_BUFFER - unacked;
}

gsize
tsr_utp_channel_get_unread (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, 0);

  return tsr_utp_conn_get_unread (channel->conn);
}

gboolean
tsr_utp_channel_get_eof (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, FALSE);

  return tsr_utp_conn_get_eof (channel->conn);
}

gboolean
tsr_utp_channel_is_connected (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, FALSE);

  return !channel->closed && !channel->half_open && tsr_utp_conn_is_connected (channel->conn);
}

gboolean
tsr_utp_channel_is_closed (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, TRUE);

  return channel->closed;
}

const GError *
tsr_utp_channel_get_error (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, NULL);

  return channel->error;
}

const TsrPeerAddress *
tsr_utp_channel_get_address (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, NULL);

  return &channel->address;
}

guint16
tsr_utp_channel_get_recv_id (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, 0);

  return tsr_utp_conn_get_recv_id (channel->conn);
}

guint16
tsr_utp_channel_get_send_id (TsrUtpChannel *channel)
{
  g_return_val_if_fail (channel != NULL, 0);

  return tsr_utp_conn_get_send_id (channel->conn);
}

void
tsr_utp_channel_close (TsrUtpChannel *channel)
{
  g_return_if_fail (channel != NULL);

  if (channel->closed || channel->closing)
    return;
  channel->closing = TRUE;
  tsr_utp_conn_close (channel->conn, manager_now (channel->manager));
  /* Closed while dialling: a RESET went, and nothing will be reported. */
  if (tsr_utp_conn_is_closed (channel->conn))
    mark_closed (channel, g_error_new (TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_ABORTED,
                                       _("The uTP connection was aborted")));
  settle (channel);
}

void
tsr_utp_channel_abort (TsrUtpChannel *channel)
{
  g_return_if_fail (channel != NULL);

  if (channel->closed)
    return;
  if (!channel->silent)
    tsr_utp_conn_abort (channel->conn, manager_now (channel->manager));
  mark_closed (channel, g_error_new (TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_ABORTED,
                                     _("The uTP connection was aborted")));
}

void
tsr_utp_channel_release (TsrUtpChannel *channel)
{
  if (channel == NULL || channel->released)
    return;

  channel->released = TRUE;
  channel->funcs = NULL;
  if (!channel->closed)
    {
      tsr_utp_channel_close (channel);
      drain (channel);
      settle (channel);
    }
  channel_unref (channel);
}
