/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dialer.c: peer connections over TCP or uTP. Each UDP socket the
 * dialer is given gets a TsrUtpManager, fed the socket's uTP datagrams
 * and ICMP errors by its demultiplexer; the manager's own timer (one
 * GSource at its earliest deadline) drives every connection. A dial is
 * one small object with up to two legs, uTP and TCP, each with its own
 * cancellable: the first leg to connect completes the task and cancels
 * the other; the task fails only when every leg tried has failed.
 */
#define G_LOG_DOMAIN "tsr-dialer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-dial-delay.h"
#include "tsr-dialer.h"
#include "tsr-transport-memory.h"
#include "tsr-utp-stream.h"

/* Seconds a TCP connect may take, as before uTP. */
#define TCP_CONNECT_TIMEOUT 10

typedef struct _Endpoint Endpoint;

struct _TsrDialer
{
  gint                  ref_count;
  const TsrDialerFuncs *funcs;       /* (nullable) the owner's; NULL after shutdown */
  gpointer              user_data;
  TsrTransport          transports;
  Endpoint             *endpoints[2]; /* (owned) (nullable) IPv4, IPv6 */
  TsrTransportMemory   *memory;       /* (owned) which transport carried the last dial to an address */
  TsrDialDelay         *delay;        /* (owned) how long uTP has before TCP */
  TsrDialerStats        stats;
  TsrBlocklist         *blocklist;    /* (owned) (nullable) */
};

/* One UDP socket and the uTP connections over it. */
struct _Endpoint
{
  TsrDialer     *dialer;    /* borrowed: it owns the endpoint */
  TsrUdpSocket  *socket;    /* (owned) */
  TsrUtpManager *manager;   /* (owned) */
};

const char *
tsr_transport_to_string (TsrTransport transport)
{
  switch (transport)
    {
    case TSR_TRANSPORT_TCP:
      return "tcp";
    case TSR_TRANSPORT_UTP:
      return "utp";
    case TSR_TRANSPORT_BOTH:
    default:
      return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* The uTP side of a socket                                            */

static void
on_manager_send_to (const TsrPeerAddress *address,
                    const guint8         *data,
                    gsize                 length,
                    gpointer              user_data)
{
  Endpoint *endpoint = user_data;

  /* A full queue is a loss to uTP, which resends. */
  tsr_udp_socket_send (endpoint->socket, address, data, length);
}

static gboolean
on_manager_accept (TsrUtpChannel        *channel,
                   const TsrPeerAddress *address,
                   gpointer              user_data)
{
  Endpoint *endpoint = user_data;
  TsrDialer *self = endpoint->dialer;
  g_autoptr(TsrUtpStream) stream = NULL;

  if ((self->transports & TSR_TRANSPORT_UTP) == 0 || self->funcs == NULL ||
      !self->funcs->accept (address, self->user_data))
    {
      self->stats.utp_refused++;
      return FALSE;
    }
  self->stats.utp_accepted++;
  stream = tsr_utp_stream_new (channel);
  self->funcs->incoming (G_IO_STREAM (stream), address, self->user_data);
  return TRUE;
}

static const TsrUtpManagerFuncs manager_funcs = {
  .send_to = on_manager_send_to,
  .accept = on_manager_accept,
};

static void
on_utp_received (const guint8         *data,
                 gsize                 length,
                 const TsrPeerAddress *from,
                 gpointer              user_data)
{
  Endpoint *endpoint = user_data;

  tsr_utp_manager_receive (endpoint->manager, from, data, length, g_get_monotonic_time ());
}

/* An ICMP error for a datagram we sent to @to: a dial there fails now. */
static gboolean
on_utp_unreachable (const TsrPeerAddress *to,
                    const GError         *error,
                    gpointer              user_data)
{
  Endpoint *endpoint = user_data;

  return tsr_utp_manager_unreachable (endpoint->manager, to, error);
}

/* The end of a batch read at once: each connection acks what came. */
static void
on_utp_drained (gpointer user_data)
{
  Endpoint *endpoint = user_data;

  tsr_utp_manager_flush_acks (endpoint->manager, g_get_monotonic_time ());
}

static const TsrUdpReceiverFuncs receiver_funcs = {
  .received = on_utp_received,
  .unreachable = on_utp_unreachable,
  .drained = on_utp_drained,
};

static void
endpoint_free (Endpoint *endpoint)
{
  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (endpoint->socket), TSR_UDP_KIND_UTP, NULL, NULL);
  tsr_utp_manager_free (endpoint->manager);
  tsr_udp_socket_unref (endpoint->socket);
  g_free (endpoint);
}

/* ------------------------------------------------------------------ */
/* The dialer                                                          */

TsrDialer *
tsr_dialer_new (const TsrDialerFuncs *funcs,
                gpointer              user_data)
{
  TsrDialer *self = g_new0 (TsrDialer, 1);

  self->ref_count = 1;
  self->funcs = funcs;
  self->user_data = user_data;
  self->transports = TSR_TRANSPORT_BOTH;
  self->memory = tsr_transport_memory_new (TSR_TRANSPORT_MEMORY_SIZE, TSR_TRANSPORT_MEMORY_LIFETIME_US);
  self->delay = tsr_dial_delay_new ();
  return self;
}

TsrDialer *
tsr_dialer_ref (TsrDialer *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
tsr_dialer_shutdown (TsrDialer *self)
{
  guint i;

  self->funcs = NULL;
  for (i = 0; i < G_N_ELEMENTS (self->endpoints); i++)
    g_clear_pointer (&self->endpoints[i], endpoint_free);
}

void
tsr_dialer_unref (TsrDialer *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  tsr_dialer_shutdown (self);
  g_clear_object (&self->blocklist);
  tsr_transport_memory_free (self->memory);
  tsr_dial_delay_free (self->delay);
  g_free (self);
}

static guint
family_index (TsrPeerAddressFamily family)
{
  return family == TSR_PEER_ADDRESS_IPV6 ? 1 : 0;
}

void
tsr_dialer_add_socket (TsrDialer    *self,
                       TsrUdpSocket *socket)
{
  guint index = family_index (tsr_udp_socket_get_family (socket));
  Endpoint *endpoint;

  g_return_if_fail (self->endpoints[index] == NULL);

  endpoint = g_new0 (Endpoint, 1);
  endpoint->dialer = self;
  endpoint->socket = tsr_udp_socket_ref (socket);
  endpoint->manager = tsr_utp_manager_new (&manager_funcs, endpoint);
  tsr_utp_manager_set_defer_acks (endpoint->manager, TRUE);
  tsr_udp_demux_set_receiver (tsr_udp_socket_get_demux (socket), TSR_UDP_KIND_UTP, &receiver_funcs, endpoint);
  self->endpoints[index] = endpoint;
}

void
tsr_dialer_set_transports (TsrDialer    *self,
                           TsrTransport  transports)
{
  g_return_if_fail ((transports & TSR_TRANSPORT_BOTH) != 0);

  self->transports = transports & TSR_TRANSPORT_BOTH;
}

TsrTransport
tsr_dialer_get_transports (TsrDialer *self)
{
  return self->transports;
}

TsrUtpManager *
tsr_dialer_get_utp_manager (TsrDialer            *self,
                            TsrPeerAddressFamily  family)
{
  Endpoint *endpoint = self->endpoints[family_index (family)];

  return endpoint != NULL ? endpoint->manager : NULL;
}

guint
tsr_dialer_get_fallback_ms (TsrDialer            *self,
                            const TsrPeerAddress *address)
{
  return tsr_dial_delay_get_ms (self->delay, address);
}

void
tsr_dialer_get_stats (TsrDialer      *self,
                      TsrDialerStats *stats)
{
  *stats = self->stats;
}

TsrTransport
tsr_dialer_transport_of (GIOStream *stream)
{
  return TSR_IS_UTP_STREAM (stream) ? TSR_TRANSPORT_UTP : TSR_TRANSPORT_TCP;
}

/* ------------------------------------------------------------------ */
/* Dialling                                                            */

typedef enum
{
  LEG_UTP,
  LEG_TCP,
  N_LEGS
} Leg;

typedef struct
{
  gint            ref_count;
  TsrDialer      *dialer;          /* (owned) (nullable) */
  GTask          *task;            /* (owned) (nullable) until it returns */
  TsrPeerAddress  address;
  GCancellable   *cancel[N_LEGS];  /* (owned) (nullable) a leg's, once started */
  gboolean        done[N_LEGS];    /* the leg finished, connected or not */
  GError         *error[N_LEGS];   /* (owned) (nullable) why a leg failed */
  GSource        *cancel_source;   /* (owned) (nullable) the task's cancellable, watched */
  gint64          utp_started;     /* monotonic µs: the uTP leg's SYN */
  guint           fallback_source;
} Dial;

static Dial *
dial_ref (Dial *dial)
{
  dial->ref_count++;
  return dial;
}

static void
dial_unref (Dial *dial)
{
  guint i;

  if (--dial->ref_count > 0)
    return;
  g_assert (dial->task == NULL);
  for (i = 0; i < N_LEGS; i++)
    {
      g_clear_object (&dial->cancel[i]);
      g_clear_error (&dial->error[i]);
    }
  g_clear_pointer (&dial->dialer, tsr_dialer_unref);
  g_free (dial);
}

static gboolean
leg_started (Dial *dial,
             Leg   leg)
{
  return dial->cancel[leg] != NULL;
}

/* The task returns once: @stream (taken), or the legs' error. The legs
 * still running are cancelled. */
static void
dial_return (Dial      *dial,
             GIOStream *stream)
{
  g_autoptr(GTask) task = g_steal_pointer (&dial->task);
  guint i;

  g_clear_handle_id (&dial->fallback_source, g_source_remove);
  if (dial->cancel_source != NULL)
    g_source_destroy (dial->cancel_source);
  g_clear_pointer (&dial->cancel_source, g_source_unref);
  for (i = 0; i < N_LEGS; i++)
    if (leg_started (dial, i) && !dial->done[i])
      g_cancellable_cancel (dial->cancel[i]);
  if (stream != NULL)
    {
      g_task_return_pointer (task, stream, g_object_unref);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  /* TCP's reason is the telling one when it was tried: uTP may just be
   * missing at the peer. */
  g_task_return_error (task, g_error_copy (dial->error[LEG_TCP] != NULL ? dial->error[LEG_TCP] : dial->error[LEG_UTP]));
}

static gboolean
transport_on (Dial         *dial,
              TsrTransport  transport)
{
  return dial->dialer == NULL ? transport == TSR_TRANSPORT_TCP : (dial->dialer->transports & transport) != 0;
}

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Dial *dial = user_data;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result,
                                                                            &dial->error[LEG_TCP]);

  dial->done[LEG_TCP] = TRUE;
  if (connection != NULL)
    {
      /* The connect timeout must not stay on the socket: peers idle for minutes. */
      g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
      if (dial->task != NULL)
        {
          /* uTP was tried and did not carry it (failed, or too slow):
           * the next dial there goes straight to TCP. A dial that went
           * straight to TCP does not renew that, so uTP is tried again
           * once it expires. */
          if (dial->dialer != NULL && leg_started (dial, LEG_UTP))
            {
              tsr_transport_memory_remember (dial->dialer->memory, &dial->address, TSR_TRANSPORT_TCP,
                                             g_get_monotonic_time ());
              tsr_dial_delay_tcp_won (dial->dialer->delay, &dial->address);
            }
          if (dial->dialer != NULL)
            dial->dialer->stats.tcp_connected++;
          dial_return (dial, G_IO_STREAM (g_steal_pointer (&connection)));
        }
    }
  else if (dial->task != NULL && (!leg_started (dial, LEG_UTP) || dial->done[LEG_UTP]))
    dial_return (dial, NULL);
  dial_unref (dial);
}

static void
start_tcp (Dial *dial)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) remote = tsr_peer_address_to_socket_address (&dial->address);

  g_clear_handle_id (&dial->fallback_source, g_source_remove);
  if (leg_started (dial, LEG_TCP))
    return;
  dial->cancel[LEG_TCP] = g_cancellable_new ();
  if (dial->dialer != NULL)
    dial->dialer->stats.tcp_dials++;
  g_socket_client_set_timeout (client, TCP_CONNECT_TIMEOUT);
  /* Peers are dialled directly: no system proxy lookup (libproxy) per
   * connection, which is slow and would route peer traffic unasked. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (remote), dial->cancel[LEG_TCP],
                                 on_tcp_connected, dial_ref (dial));
}

static void
on_utp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Dial *dial = user_data;
  g_autoptr(TsrUtpStream) stream = tsr_utp_stream_connect_finish (result, &dial->error[LEG_UTP]);

  dial->done[LEG_UTP] = TRUE;
  if (stream != NULL && dial->task != NULL)
    {
      gint64 now = g_get_monotonic_time ();

      tsr_transport_memory_remember (dial->dialer->memory, &dial->address, TSR_TRANSPORT_UTP, now);
      tsr_dial_delay_utp_connected (dial->dialer->delay, &dial->address, now - dial->utp_started);
      dial->dialer->stats.utp_connected++;
      dial_return (dial, G_IO_STREAM (g_steal_pointer (&stream)));
    }
  else if (stream != NULL)
    tsr_utp_stream_abort (stream);   /* TCP won meanwhile */
  else if (dial->task != NULL && transport_on (dial, TSR_TRANSPORT_TCP) && !leg_started (dial, LEG_TCP) &&
           !g_cancellable_is_cancelled (g_task_get_cancellable (dial->task)))
    {
      g_autofree char *text = tsr_peer_address_to_string (&dial->address);

      dial->dialer->stats.fallbacks++;
      g_debug ("uTP to %s failed (%s): TCP now", text, dial->error[LEG_UTP]->message);
      start_tcp (dial);
    }
  else if (dial->task != NULL && (!leg_started (dial, LEG_TCP) || dial->done[LEG_TCP]))
    dial_return (dial, NULL);
  dial_unref (dial);
}

static gboolean
on_fallback (gpointer user_data)
{
  Dial *dial = user_data;

  dial->fallback_source = 0;
  dial->dialer->stats.fallbacks++;
  start_tcp (dial);
  return G_SOURCE_REMOVE;
}

/* A source, not a handler of "cancelled": the legs may report at once,
 * and returning the task from within the signal could not disconnect. */
static gboolean
on_task_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  Dial *dial = user_data;
  guint i;

  /* The legs end and report; the last one returns the task cancelled. */
  for (i = 0; i < N_LEGS; i++)
    if (leg_started (dial, i))
      g_cancellable_cancel (dial->cancel[i]);
  return G_SOURCE_REMOVE;
}

void
tsr_dialer_connect_async (TsrDialer            *self,
                          const TsrPeerAddress *address,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  Dial *dial = g_new0 (Dial, 1);
  TsrUtpManager *manager = self != NULL ? tsr_dialer_get_utp_manager (self, address->family) : NULL;

  dial->ref_count = 1;
  dial->dialer = self != NULL ? tsr_dialer_ref (self) : NULL;
  dial->address = *address;
  dial->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (dial->task, tsr_dialer_connect_async);
  if (self != NULL && self->blocklist != NULL && tsr_blocklist_refuses (self->blocklist, address))
    {
      g_autofree char *text = tsr_peer_address_to_string (address);

      dial->error[LEG_TCP] = g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                          _("%s is in the blocklist"), text);
      dial_return (dial, NULL);
      dial_unref (dial);
      return;
    }
  /* uTP failed at this address lately, and TCP worked: TCP alone. */
  if (manager != NULL && transport_on (dial, TSR_TRANSPORT_TCP) &&
      tsr_transport_memory_lookup (self->memory, address, g_get_monotonic_time ()) == TSR_TRANSPORT_TCP)
    {
      self->stats.remembered_tcp++;
      manager = NULL;
    }
  if (transport_on (dial, TSR_TRANSPORT_UTP) && manager != NULL)
    {
      dial->cancel[LEG_UTP] = g_cancellable_new ();
      dial->utp_started = g_get_monotonic_time ();
      self->stats.utp_dials++;
      tsr_utp_stream_connect_async (manager, address, dial->cancel[LEG_UTP], on_utp_connected, dial_ref (dial));
      if (transport_on (dial, TSR_TRANSPORT_TCP) && !leg_started (dial, LEG_TCP) && dial->task != NULL)
        {
          self->stats.last_fallback_ms = tsr_dial_delay_get_ms (self->delay, address);
          dial->fallback_source = g_timeout_add (self->stats.last_fallback_ms, on_fallback, dial);
        }
    }
  else if (transport_on (dial, TSR_TRANSPORT_TCP))
    start_tcp (dial);
  else
    {
      g_autofree char *text = tsr_peer_address_to_string (address);

      dial->error[LEG_UTP] = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                          _("No transport for %s: uTP has no socket, and TCP is off"), text);
      dial_return (dial, NULL);
    }
  if (dial->task != NULL && cancellable != NULL)
    {
      dial->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (dial->cancel_source, G_SOURCE_FUNC (on_task_cancelled), dial, NULL);
      g_source_attach (dial->cancel_source, g_main_context_get_thread_default ());
    }
  dial_unref (dial);
}

void
tsr_dialer_set_blocklist (TsrDialer    *self,
                          TsrBlocklist *blocklist)
{
  g_set_object (&self->blocklist, blocklist);
}

GIOStream *
tsr_dialer_connect_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tsr_dialer_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
