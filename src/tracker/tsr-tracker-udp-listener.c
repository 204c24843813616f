/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-udp-listener.c: the tracker's UDP front (BEP 15), on the
 * HTTP port's number. Datagrams are read and answered in batches
 * (recvmmsg, sendmmsg) straight on the descriptors: on loopback the
 * system calls cost more than the announces. Connection ids need no
 * state (see TsrConnectionIds); the rate limit, the announces and the
 * scrapes are the server's, reached through a callback table. Garbage
 * gets no echo.
 */
#define G_LOG_DOMAIN "tsr-tracker"
#define _GNU_SOURCE   /* recvmmsg, sendmmsg */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-tracker-udp-listener.h"

/* Datagrams read (and answered) per system call, at most. */
#define UDP_READS 64
/* Wake-ups read this many batches at most, then let the loop run. */
#define UDP_BATCHES 4
/* Longer datagrams are no BEP 15 request (a full scrape is 1 496 bytes). */
#define UDP_DATAGRAM 2048

typedef struct
{
  GSocket *socket;   /* (owned) */
  GSource *source;   /* (owned) */
} Socket;

/* The hot path reads and writes the socket's descriptor directly: a
 * GSocketAddress per datagram costs more than the announce itself. */
typedef struct
{
  struct sockaddr_storage address;
  socklen_t               length;
} UdpSender;

/* One batch of datagrams in and replies out; the listener's, reused. */
typedef struct
{
  guint8          in[UDP_READS][UDP_DATAGRAM];
  UdpSender       from[UDP_READS];
  struct iovec    in_iov[UDP_READS];
  struct mmsghdr  in_msgs[UDP_READS];
  GByteArray     *out[UDP_READS];
  struct iovec    out_iov[UDP_READS];
  struct mmsghdr  out_msgs[UDP_READS];
} UdpBatch;

struct _TsrTrackerUdpListener
{
  const TsrTrackerUdpListenerFuncs *funcs;
  gpointer                          user_data;   /* borrowed */
  guint                             interval;
  TsrConnectionIds                 *ids;         /* (owned) */
  GPtrArray                        *sockets;     /* (owned) (element-type Socket) */
  UdpBatch                         *batch;       /* (owned) (nullable) made with the first socket */
  GArray                           *peers;       /* (owned) peers of the announce being answered */
};

static void
socket_free (Socket *udp)
{
  g_source_destroy (udp->source);
  g_source_unref (udp->source);
  g_object_unref (udp->socket);
  g_free (udp);
}

static UdpBatch *
udp_batch_new (void)
{
  UdpBatch *batch = g_new0 (UdpBatch, 1);
  guint i;

  for (i = 0; i < UDP_READS; i++)
    {
      batch->in_iov[i].iov_base = batch->in[i];
      batch->in_iov[i].iov_len = UDP_DATAGRAM;
      batch->in_msgs[i].msg_hdr.msg_iov = &batch->in_iov[i];
      batch->in_msgs[i].msg_hdr.msg_iovlen = 1;
      batch->in_msgs[i].msg_hdr.msg_name = &batch->from[i].address;
      batch->out[i] = g_byte_array_sized_new (1024);
      batch->out_msgs[i].msg_hdr.msg_iov = &batch->out_iov[i];
      batch->out_msgs[i].msg_hdr.msg_iovlen = 1;
    }
  return batch;
}

static void
udp_batch_free (UdpBatch *batch)
{
  guint i;

  for (i = 0; i < UDP_READS; i++)
    g_byte_array_unref (batch->out[i]);
  g_free (batch);
}

static gboolean
peer_of_sender (const UdpSender *from,
                TsrPeerAddress  *peer)
{
  memset (peer, 0, sizeof *peer);
  if (from->address.ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) &from->address;

      peer->family = 4;
      memcpy (peer->address, &in->sin_addr, 4);
      peer->port = g_ntohs (in->sin_port);
      return TRUE;
    }
  if (from->address.ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &from->address;
      const guint8 *bytes = (const guint8 *) &in6->sin6_addr;

      if (memcmp (bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
        {
          peer->family = 4;
          memcpy (peer->address, bytes + 12, 4);
        }
      else
        {
          peer->family = 6;
          memcpy (peer->address, bytes, 16);
        }
      peer->port = g_ntohs (in6->sin6_port);
      return TRUE;
    }
  return FALSE;
}

/* Answers one datagram into @packet (emptied first); FALSE when it gets
 * no answer. */
static gboolean
on_udp_request (TsrTrackerUdpListener *self,
                const guint8          *data,
                gsize                  length,
                const UdpSender       *from,
                GByteArray            *packet)
{
  g_autoptr(GError) error = NULL;
  TsrTrackerUdpRequest request;
  TsrPeerAddress peer;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_byte_array_set_size (packet, 0);
  if (!peer_of_sender (from, &peer) || !self->funcs->allowed (&peer, self->user_data))
    return FALSE;
  if (!tsr_tracker_udp_request_parse (data, length, &request, &error))
    {
      /* Answer only what looks like a request: garbage gets no echo. */
      if (length < 16)
        return FALSE;
      tsr_tracker_udp_write_error (packet, request.transaction_id, error->message);
      return TRUE;
    }
  if (request.action == TSR_UDP_CONNECT)
    {
      tsr_tracker_udp_write_connect (packet, request.transaction_id,
                                     tsr_connection_ids_make (self->ids, peer.family, peer.address, peer.port, now));
      return TRUE;
    }
  if (!tsr_connection_ids_check (self->ids, peer.family, peer.address, peer.port, request.connection_id, now))
    {
      tsr_tracker_udp_write_error (packet, request.transaction_id, _("Connection id unknown or expired"));
      return TRUE;
    }
  if (request.action == TSR_UDP_ANNOUNCE)
    {
      GArray *peers = self->peers;
      guint complete = 0;
      guint incomplete = 0;

      peer.port = request.port;
      g_array_set_size (peers, 0);
      if (!self->funcs->announce (request.info_hash, &peer, request.left, request.event, request.num_want, peers,
                                  &complete, &incomplete, self->user_data))
        tsr_tracker_udp_write_error (packet, request.transaction_id, _("This torrent is not served by this tracker"));
      else
        tsr_tracker_udp_write_announce (packet, request.transaction_id, self->interval, incomplete, complete,
                                        (const TsrPeerAddress *) peers->data, peers->len, peer.family);
      return TRUE;
    }
  if (request.action == TSR_UDP_SCRAPE)
    {
      TsrTrackerScrapeEntry entries[TSR_TRACKER_UDP_MAX_SCRAPE];
      guint i;

      for (i = 0; i < request.n_hashes; i++)
        memcpy (entries[i].info_hash, request.info_hashes[i], 20);
      self->funcs->scrape (entries, request.n_hashes, self->user_data);
      tsr_tracker_udp_write_scrape (packet, request.transaction_id, entries, request.n_hashes);
      return TRUE;
    }
  return FALSE;
}

/* Reads datagrams a batch at a time and sends the batch's answers with
 * one call: on loopback the system calls cost more than the announces. */
static gboolean
on_udp_readable (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  TsrTrackerUdpListener *self = user_data;
  UdpBatch *batch = self->batch;
  int fd = g_socket_get_fd (socket);
  guint round;

  for (round = 0; round < UDP_BATCHES; round++)
    {
      int received, i;
      guint replies = 0;
      guint sent = 0;

      for (i = 0; i < UDP_READS; i++)
        batch->in_msgs[i].msg_hdr.msg_namelen = sizeof batch->from[i].address;
      received = recvmmsg (fd, batch->in_msgs, UDP_READS, MSG_DONTWAIT, NULL);
      if (received <= 0)
        break;
      for (i = 0; i < received; i++)
        {
          struct msghdr *in = &batch->in_msgs[i].msg_hdr;
          UdpSender *from = &batch->from[i];
          GByteArray *packet = batch->out[replies];

          if (in->msg_flags & MSG_TRUNC)
            continue;
          from->length = in->msg_namelen;
          if (!on_udp_request (self, batch->in[i], batch->in_msgs[i].msg_len, from, packet))
            continue;
          batch->out_iov[replies].iov_base = packet->data;
          batch->out_iov[replies].iov_len = packet->len;
          batch->out_msgs[replies].msg_hdr.msg_name = &from->address;
          batch->out_msgs[replies].msg_hdr.msg_namelen = from->length;
          replies++;
        }
      /* A full buffer drops the rest: the clients ask again (BEP 15). */
      while (sent < replies)
        {
          int n = sendmmsg (fd, batch->out_msgs + sent, replies - sent, MSG_DONTWAIT);

          if (n <= 0)
            break;
          sent += (guint) n;
        }
      if (received < UDP_READS)
        break;
    }
  return G_SOURCE_CONTINUE;
}

TsrTrackerUdpListener *
tsr_tracker_udp_listener_new (guint                             interval,
                              const guint8                     *key,
                              const TsrTrackerUdpListenerFuncs *funcs,
                              gpointer                          user_data)
{
  TsrTrackerUdpListener *self = g_new0 (TsrTrackerUdpListener, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->interval = interval;
  self->ids = tsr_connection_ids_new (key);
  self->sockets = g_ptr_array_new_with_free_func ((GDestroyNotify) socket_free);
  self->peers = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  return self;
}

void
tsr_tracker_udp_listener_free (TsrTrackerUdpListener *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->sockets);
  g_clear_pointer (&self->batch, udp_batch_free);
  g_array_unref (self->peers);
  tsr_connection_ids_free (self->ids);
  g_free (self);
}

void
tsr_tracker_udp_listener_add_socket (TsrTrackerUdpListener *self,
                                     GSocket               *socket)
{
  Socket *udp = g_new0 (Socket, 1);

  if (self->batch == NULL)
    self->batch = udp_batch_new ();
  udp->socket = g_object_ref (socket);
  udp->source = g_socket_create_source (udp->socket, G_IO_IN, NULL);
  g_source_set_callback (udp->source, (GSourceFunc) (void (*) (void)) on_udp_readable, self, NULL);
  g_source_attach (udp->source, NULL);
  g_ptr_array_add (self->sockets, udp);
}
