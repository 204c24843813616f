/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-udp-socket.c: one UDP socket that the DHT, uTP and UDP trackers
 * share, as libtorrent and Transmission share theirs: one port for TCP
 * and UDP to open in a firewall or map on a router, and announces that
 * leave from the port they announce.
 *
 * A GSource of our own watches the descriptor. Each wake-up reads a few
 * batches with recvmmsg (bounded work, then the loop runs on; what is
 * left keeps the descriptor readable) and hands every datagram to the
 * demultiplexer. Sends are copied into a bounded queue that the same
 * source flushes with sendmmsg within the iteration: what one callback
 * round sends goes out in one system call or a few. The source's
 * prepare() sees the queue, not a ready time: every send comes from the
 * thread that runs the context, between its dispatches, so nothing need
 * wake it, and g_source_set_ready_time() would, with an eventfd write and
 * read, twice an iteration (the source can recurse for the same reason,
 * below). The queue is a ring of buffers made on first use and kept
 * (1 MiB at most, the kernel's send buffer's size): at a full rate, a
 * malloc and a free per datagram, and a list node, cost as much as the
 * rest of the send. A run of datagrams of one size to one address (a
 * uTP connection's full DATA packets) goes to the kernel as one message
 * with UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18): one
 * trip down the stack for up to 64 datagrams, cut into the very same
 * datagrams at the device, or on loopback at the receiving socket, so
 * the wire sees what it would have without. A kernel or device that
 * refuses it turns it off for the socket. Receiving, UDP_GRO lets the
 * kernel hand over such a run (from a Tessera peer on the same host, or
 * coalesced by the NIC) as one message with its segment size, cut here
 * into its datagrams: one skb and one copy-out per run, not per
 * datagram. Each wake-up reads a bounded number of datagrams, as many
 * messages as it takes. When the kernel's
 * buffer is full (EAGAIN) the queue waits for the descriptor to become
 * writable; ENOBUFS (no memory for the packet, the descriptor still
 * writable) waits a few milliseconds instead of spinning. The queue is
 * bounded and drops are counted. As in the tracker server's listener,
 * the hot path reads and writes the descriptor directly: a
 * GSocketAddress per datagram would cost more than the datagram.
 *
 * Unconnected, the socket hears of no ICMP error unless it asks: with
 * IP_RECVERR (IPV6_RECVERR) the kernel queues each one, with the
 * destination the datagram was for, and reports the socket in error
 * (POLLERR, and a failed receive or send). libtorrent reads that queue
 * the same way, so that a UDP tracker with nothing on its port fails
 * at once instead of after its retransmissions. The queue is read when
 * the descriptor is in error or a receive fails, a bounded number of
 * reports per wake-up; "unreachable" ones go to the demultiplexer,
 * which tells the receiver that sent there.
 */
#define G_LOG_DOMAIN "tsr-udp"
#define _GNU_SOURCE   /* recvmmsg, sendmmsg */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-udp-socket.h"

/* Messages per system call, and datagrams per wake-up: 128 datagrams
 * read (past which the last call's messages finish) and 128 messages
 * sent at most before the loop gets its turn again. A message read has
 * room for a whole coalesced run (UDP_GRO): 16 of them take 1 MiB of
 * address space, of which only what such runs fill is ever touched. */
#define RECV_BATCH   16
#define RECV_SLOT    65536
#define RECV_MAX     128
#define SEND_BATCH   32
#define SEND_ROUNDS  4
/* UDP GSO: datagrams per message (the kernel's UDP_MAX_SEGMENTS) and
 * bytes, under the largest UDP payload; iovecs for a batch of messages. */
#define GSO_SEGMENTS 64
#define GSO_BYTES    65000
/* Larger datagrams go alone: a run of them could exceed a path's MTU,
 * which GSO refuses instead of fragmenting (1500 less IPv6 and UDP). */
#define GSO_SEGMENT_MAX 1452
#define SEND_IOVS    (SEND_BATCH * 8)
/* Error reports read from the error queue per wake-up, at most. */
#define ERROR_ROUNDS 32
/* Milliseconds before trying again after ENOBUFS. */
#define NOBUFS_RETRY 10
/* Kernel buffers asked for (Transmission asks 4 MiB and 1 MiB, for uTP
 * at speed); the kernel caps them at net.core.[rw]mem_max. */
#define RECV_BUFFER  (4 * 1024 * 1024)
#define SEND_BUFFER  (1 * 1024 * 1024)

typedef struct
{
  TsrPeerAddress to;
  gsize          length;
  guint8         data[];
} Outgoing;

typedef union
{
  struct sockaddr_storage storage;
  struct sockaddr_in      in;
  struct sockaddr_in6     in6;
} SocketAddress;

/* The buffers of one batch in and one batch out, reused. */
typedef struct
{
  guint8         in[RECV_BATCH][RECV_SLOT];
  SocketAddress  from[RECV_BATCH];
  struct iovec   in_iov[RECV_BATCH];
  struct mmsghdr in_msgs[RECV_BATCH];
  union
  {
    struct cmsghdr header;
    guint8         space[CMSG_SPACE (sizeof (int))];
  }              in_control[RECV_BATCH];
  SocketAddress  to[SEND_BATCH];
  struct iovec   out_iov[SEND_IOVS];
  struct mmsghdr out_msgs[SEND_BATCH];
  guint          out_count[SEND_BATCH];  /* datagrams in each message */
  union
  {
    struct cmsghdr header;
    guint8         space[CMSG_SPACE (sizeof (guint16))];
  }              out_control[SEND_BATCH];
} Batch;

typedef struct
{
  GSource       source;
  TsrUdpSocket *socket;   /* borrowed: the socket destroys its source */
} UdpSource;

struct _TsrUdpSocket
{
  grefcount             ref_count;
  GSocket              *socket;     /* (owned) */
  int                   fd;
  TsrPeerAddressFamily  family;
  guint16               port;
  GSource              *source;     /* (owned) */
  gpointer              fd_tag;
  TsrUdpDemux          *demux;      /* (owned) */
  Batch                *batch;      /* (owned) */
  Outgoing             *ring[TSR_UDP_SEND_QUEUE_MAX]; /* (owned) (nullable) buffers, kept for reuse */
  guint                 head;       /* the oldest queued */
  guint                 n_queued;
  gboolean              blocked;    /* waiting for the descriptor to be writable */
  gboolean              gso;        /* UDP_SEGMENT works here, as far as we know */
  gboolean              gso_skip;   /* the next batch goes without: its run was refused */
  gboolean              backing_off; /* after ENOBUFS, until the source's ready time */
  TsrUdpSocketStats     stats;
};

static gboolean
udp_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data);

static gboolean
udp_source_prepare (GSource *source,
                    gint    *timeout);

static gboolean
udp_source_check (GSource *source);

static GSourceFuncs udp_source_funcs = {
  .prepare = udp_source_prepare,
  .check = udp_source_check,
  .dispatch = udp_source_dispatch,
};

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

static gboolean
address_from_sockaddr (const SocketAddress *from,
                       TsrPeerAddress      *out)
{
  memset (out, 0, sizeof *out);
  if (from->storage.ss_family == AF_INET)
    {
      out->family = TSR_PEER_ADDRESS_IPV4;
      memcpy (out->address, &from->in.sin_addr, 4);
      out->port = g_ntohs (from->in.sin_port);
      return TRUE;
    }
  if (from->storage.ss_family == AF_INET6)
    {
      out->family = TSR_PEER_ADDRESS_IPV6;
      memcpy (out->address, &from->in6.sin6_addr, 16);
      out->port = g_ntohs (from->in6.sin6_port);
      return TRUE;
    }
  return FALSE;
}

static socklen_t
address_to_sockaddr (const TsrPeerAddress *to,
                     SocketAddress        *out)
{
  memset (out, 0, sizeof *out);
  if (to->family == TSR_PEER_ADDRESS_IPV4)
    {
      out->in.sin_family = AF_INET;
      memcpy (&out->in.sin_addr, to->address, 4);
      out->in.sin_port = g_htons (to->port);
      return sizeof out->in;
    }
  out->in6.sin6_family = AF_INET6;
  memcpy (&out->in6.sin6_addr, to->address, 16);
  out->in6.sin6_port = g_htons (to->port);
  return sizeof out->in6;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static void
watch_writable (TsrUdpSocket *self,
                gboolean      blocked)
{
  self->blocked = blocked;
  g_source_modify_unix_fd (self->source, self->fd_tag, blocked ? G_IO_IN | G_IO_OUT : G_IO_IN);
}

/* The @i-th queued datagram, oldest first. */
static Outgoing *
queued (TsrUdpSocket *self,
        guint         i)
{
  return self->ring[(self->head + i) % TSR_UDP_SEND_QUEUE_MAX];
}

static void
drop_head (TsrUdpSocket *self)
{
  self->head = (self->head + 1) % TSR_UDP_SEND_QUEUE_MAX;
  self->n_queued--;
}

/* How many datagrams from the @first queued on go in one message, @max
 * at most: with GSO, a run to one address of the first one's size, save
 * the last, which may be shorter (the kernel cuts at that size). */
static guint
gso_run (TsrUdpSocket *self,
         guint         first,
         guint         max)
{
  Outgoing *head = queued (self, first);
  gsize total = head->length;
  guint n = 1;

  if (!self->gso || self->gso_skip || head->length > GSO_SEGMENT_MAX)
    return 1;
  while (n < max && first + n < self->n_queued)
    {
      Outgoing *next = queued (self, first + n);

      if (next->length > head->length || total + next->length > GSO_BYTES ||
          !tsr_peer_address_equal (&next->to, &head->to))
        break;
      total += next->length;
      n++;
      if (next->length < head->length)
        break;
    }
  return n;
}

/* Fills the batch's messages from the head of the queue; returns how many. */
static guint
fill_batch (TsrUdpSocket *self)
{
  Batch *batch = self->batch;
  guint first = 0;
  guint iov = 0;
  guint n;

  for (n = 0; first < self->n_queued && n < SEND_BATCH && iov < SEND_IOVS; n++)
    {
      Outgoing *out = queued (self, first);
      struct msghdr *hdr = &batch->out_msgs[n].msg_hdr;
      guint count = gso_run (self, first, MIN (GSO_SEGMENTS, SEND_IOVS - iov));
      guint i;

      for (i = 0; i < count; i++)
        {
          Outgoing *segment = queued (self, first + i);

          batch->out_iov[iov + i].iov_base = segment->data;
          batch->out_iov[iov + i].iov_len = segment->length;
        }
      hdr->msg_name = &batch->to[n];
      hdr->msg_namelen = address_to_sockaddr (&out->to, &batch->to[n]);
      hdr->msg_iov = &batch->out_iov[iov];
      hdr->msg_iovlen = count;
      hdr->msg_control = NULL;
      hdr->msg_controllen = 0;
      if (count > 1)
        {
          guint16 size = (guint16) out->length;
          struct cmsghdr *cmsg;

          hdr->msg_control = &batch->out_control[n];
          hdr->msg_controllen = CMSG_SPACE (sizeof size);
          cmsg = CMSG_FIRSTHDR (hdr);
          cmsg->cmsg_level = IPPROTO_UDP;
          cmsg->cmsg_type = UDP_SEGMENT;
          cmsg->cmsg_len = CMSG_LEN (sizeof size);
          memcpy (CMSG_DATA (cmsg), &size, sizeof size);
        }
      batch->out_count[n] = count;
      first += count;
      iov += count;
    }
  return n;
}

/* Forgets the datagrams of the first @n messages of the batch. */
static guint
drop_messages (TsrUdpSocket *self,
               guint         n)
{
  guint dropped = 0;
  guint i;

  for (i = 0; i < n; i++)
    {
      guint count = self->batch->out_count[i];

      if (count > 1)
        self->stats.gso_sends++;
      dropped += count;
      while (count-- > 0)
        drop_head (self);
    }
  return dropped;
}

/* Sends from the head of the queue, @rounds batches at most. */
static void
flush (TsrUdpSocket *self,
       guint         rounds)
{
  Batch *batch = self->batch;
  gboolean retried = FALSE;
  guint round;

  for (round = 0; round < rounds && self->n_queued > 0; round++)
    {
      guint n = fill_batch (self);
      int sent;

      sent = sendmmsg (self->fd, batch->out_msgs, n, MSG_DONTWAIT);
      if (sent > 0)
        {
          retried = FALSE;
          self->gso_skip = FALSE;
          self->stats.sent += drop_messages (self, (guint) sent);
          continue;
        }
      if (sent == 0)
        break;
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          /* Kept, in order, until the kernel has room. */
          self->stats.send_stalls++;
          watch_writable (self, TRUE);
          return;
        }
      if (errno == ENOBUFS)
        {
          self->stats.send_stalls++;
          self->backing_off = TRUE;
          g_source_set_ready_time (self->source, g_get_monotonic_time () + NOBUFS_RETRY * 1000);
          return;
        }
      /* A run too long for the route's MTU goes one by one, this once;
       * no GSO here at all (an old kernel, a device without checksum
       * offload), every run from now on. */
      if (batch->out_count[0] > 1 && (errno == EINVAL || errno == EMSGSIZE))
        {
          self->gso_skip = TRUE;
          continue;
        }
      if (batch->out_count[0] > 1 && (errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP))
        {
          g_debug ("UDP segmentation offload refused (%s): off", g_strerror (errno));
          self->gso = FALSE;
          continue;
        }
      /* An ICMP error for an earlier datagram fails the next send once
       * (the kernel hands the socket's pending error to whichever call
       * comes first; the report stays in the error queue): try again. */
      if (!retried)
        {
          retried = TRUE;
          continue;
        }
      /* The first message is refused for itself (no route to it, a
       * firewall): its datagrams, all to one address, go; the rest are
       * tried. */
      retried = FALSE;
      g_debug ("a datagram was refused: %s", g_strerror (errno));
      self->stats.send_failed += drop_messages (self, 1);
    }
  /* More than a wake-up's share: the rest in the next iteration, as
   * prepare() sees. */
}

gboolean
tsr_udp_socket_send (TsrUdpSocket         *self,
                     const TsrPeerAddress *to,
                     const guint8         *data,
                     gsize                 length)
{
  Outgoing **slot;
  Outgoing *out;

  g_return_val_if_fail (self != NULL && to != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (to->family != self->family || to->port == 0 || length == 0 || length > TSR_UDP_DATAGRAM_MAX)
    {
      self->stats.send_failed++;
      return FALSE;
    }
  if (self->n_queued >= TSR_UDP_SEND_QUEUE_MAX)
    {
      self->stats.queue_full++;
      return FALSE;
    }
  /* Every buffer has room for the largest datagram. */
  slot = &self->ring[(self->head + self->n_queued) % TSR_UDP_SEND_QUEUE_MAX];
  if (*slot == NULL)
    *slot = g_malloc (sizeof **slot + TSR_UDP_DATAGRAM_MAX);
  out = *slot;
  out->to = *to;
  out->length = length;
  memcpy (out->data, data, length);
  self->n_queued++;
  /* Flushed by the source within this iteration (or the next: prepare()
   * sees the queue); a stall flushes when the kernel has room. */
  return TRUE;
}

guint
tsr_udp_socket_get_queued (TsrUdpSocket *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_queued;
}

/* ------------------------------------------------------------------ */
/* Errors: ICMP reports for datagrams we sent                          */

/* One report from the error queue: an ICMP "destination unreachable"
 * (not "fragmentation needed", which is path MTU discovery's) names the
 * destination that is unreachable. FALSE when the queue is empty. */
static gboolean
read_error (TsrUdpSocket *self)
{
  union
  {
    struct cmsghdr header;
    guint8         space[CMSG_SPACE (sizeof (struct sock_extended_err) + sizeof (SocketAddress))];
  } control;
  guint8 payload[64];
  struct iovec iov = { payload, sizeof payload };
  SocketAddress name;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  const struct sock_extended_err *ee = NULL;
  TsrPeerAddress to;
  gboolean unreachable;
  g_autoptr(GError) error = NULL;

  memset (&name, 0, sizeof name);
  msg.msg_name = &name;
  msg.msg_namelen = sizeof name;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = &control;
  msg.msg_controllen = sizeof control;
  if (recvmsg (self->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
    return errno == EINTR;
  self->stats.errors++;
  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if ((cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_RECVERR) ||
        (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_RECVERR))
      ee = (const struct sock_extended_err *) CMSG_DATA (cmsg);
  if (ee == NULL || !address_from_sockaddr (&name, &to) || to.port == 0)
    return TRUE;
  unreachable = (ee->ee_origin == SO_EE_ORIGIN_ICMP && ee->ee_type == ICMP_DEST_UNREACH &&
                 ee->ee_code != ICMP_FRAG_NEEDED) ||
                (ee->ee_origin == SO_EE_ORIGIN_ICMP6 && ee->ee_type == ICMP6_DST_UNREACH);
  if (!unreachable || ee->ee_errno == 0)
    return TRUE;
  self->stats.unreachable++;
  error = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno ((int) ee->ee_errno),
                               g_strerror ((int) ee->ee_errno));
  if (!tsr_udp_demux_report_unreachable (self->demux, &to, error))
    self->stats.unclaimed++;
  return TRUE;
}

/* What is left waits for the next wake-up: the descriptor stays in
 * error while the queue holds reports. */
static void
read_errors (TsrUdpSocket *self)
{
  guint round;

  for (round = 0; round < ERROR_ROUNDS; round++)
    if (!read_error (self))
      break;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

/* The segment size of a message the kernel coalesced (UDP_GRO), or 0. */
static gsize
gro_size (struct msghdr *hdr)
{
  struct cmsghdr *cmsg;

  for (cmsg = CMSG_FIRSTHDR (hdr); cmsg != NULL; cmsg = CMSG_NXTHDR (hdr, cmsg))
    if (cmsg->cmsg_level == IPPROTO_UDP && cmsg->cmsg_type == UDP_GRO)
      {
        int size;

        memcpy (&size, CMSG_DATA (cmsg), sizeof size);
        return size > 0 ? (gsize) size : 0;
      }
  return 0;
}

/* Hands the datagrams of message @i to the demultiplexer, cut at the
 * segment size if the kernel coalesced a run; returns how many. */
static guint
deliver_message (TsrUdpSocket *self,
                 guint         i)
{
  Batch *batch = self->batch;
  struct msghdr *hdr = &batch->in_msgs[i].msg_hdr;
  gsize length = batch->in_msgs[i].msg_len;
  gsize size = gro_size (hdr);
  TsrPeerAddress from;
  gsize offset;
  guint n;

  if (size == 0 || size > length)
    size = MAX (length, 1);
  if (hdr->msg_flags & MSG_TRUNC)
    {
      self->stats.too_long++;
      return 1;
    }
  if (!address_from_sockaddr (&batch->from[i], &from))
    return 1;
  if (length == 0)
    {
      tsr_udp_demux_deliver (self->demux, batch->in[i], 0, &from);
      return 1;
    }
  if (size < length)
    self->stats.gro_reads++;
  for (offset = 0, n = 0; offset < length; offset += size, n++)
    {
      gsize datagram = MIN (size, length - offset);

      if (datagram > TSR_UDP_DATAGRAM_MAX)
        self->stats.too_long++;
      else
        tsr_udp_demux_deliver (self->demux, batch->in[i] + offset, datagram, &from);
    }
  return n;
}

static void
receive (TsrUdpSocket *self)
{
  Batch *batch = self->batch;
  gboolean counted = FALSE;
  guint datagrams = 0;

  while (datagrams < RECV_MAX)
    {
      int received, i;

      for (i = 0; i < RECV_BATCH; i++)
        {
          batch->in_msgs[i].msg_hdr.msg_namelen = sizeof batch->from[i];
          batch->in_msgs[i].msg_hdr.msg_control = &batch->in_control[i];
          batch->in_msgs[i].msg_hdr.msg_controllen = sizeof batch->in_control[i];
        }
      received = recvmmsg (self->fd, batch->in_msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
      if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        {
          /* The socket's pending error (an ICMP report), given to the
           * first call that comes: its report is in the error queue,
           * and the datagrams are still there to read. */
          read_errors (self);
          datagrams += RECV_BATCH;
          continue;
        }
      if (received <= 0)
        break;
      if (!counted)
        self->stats.read_dispatches++;
      counted = TRUE;
      for (i = 0; i < received; i++)
        {
          guint n = deliver_message (self, (guint) i);

          self->stats.received += n;
          datagrams += n;
        }
      tsr_udp_demux_drained (self->demux);
      if (received < RECV_BATCH)
        break;
    }
}

/* Ready when datagrams wait to go and may. */
static gboolean
has_sends (TsrUdpSocket *self)
{
  return !self->blocked && !self->backing_off && self->n_queued > 0;
}

static gboolean
udp_source_prepare (GSource *source,
                    gint    *timeout)
{
  *timeout = -1;
  return has_sends (((UdpSource *) source)->socket);
}

static gboolean
udp_source_check (GSource *source)
{
  return has_sends (((UdpSource *) source)->socket);
}

static gboolean
udp_source_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  TsrUdpSocket *self = tsr_udp_socket_ref (((UdpSource *) source)->socket);
  GIOCondition revents = g_source_query_unix_fd (source, self->fd_tag);

  /* The ready time is only ever the end of an ENOBUFS back-off. */
  if (self->backing_off && g_source_get_ready_time (source) <= g_source_get_time (source))
    {
      self->backing_off = FALSE;
      g_source_set_ready_time (source, -1);
    }
  /* First, so that the sends and receives below do not fail on the
   * socket's pending error. */
  if (revents & G_IO_ERR)
    read_errors (self);
  if (self->blocked && (revents & (G_IO_OUT | G_IO_ERR)))
    watch_writable (self, FALSE);
  if (!self->blocked && !self->backing_off)
    flush (self, SEND_ROUNDS);
  /* Receivers may drop their references: ours keeps the batch alive. */
  if (revents & (G_IO_IN | G_IO_ERR))
    receive (self);
  /* What the datagrams were answered with (acks, first of all) goes in
   * this dispatch, not the next iteration's. */
  if (!self->blocked && !self->backing_off)
    flush (self, SEND_ROUNDS);
  tsr_udp_socket_unref (self);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);
  guint i;

  for (i = 0; i < RECV_BATCH; i++)
    {
      batch->in_iov[i].iov_base = batch->in[i];
      batch->in_iov[i].iov_len = RECV_SLOT;
      batch->in_msgs[i].msg_hdr.msg_iov = &batch->in_iov[i];
      batch->in_msgs[i].msg_hdr.msg_iovlen = 1;
      batch->in_msgs[i].msg_hdr.msg_name = &batch->from[i];
    }
  return batch;
}

TsrUdpSocket *
tsr_udp_socket_new (const char            *address,
                    TsrPeerAddressFamily   family,
                    guint16                port,
                    GError               **error)
{
  GSocketFamily socket_family = family == TSR_PEER_ADDRESS_IPV6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) where = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  TsrUdpSocket *self;

  g_return_val_if_fail (family == TSR_PEER_ADDRESS_IPV4 || family == TSR_PEER_ADDRESS_IPV6, NULL);

  inet = address != NULL ? g_inet_address_new_from_string (address) : g_inet_address_new_any (socket_family);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IP address"), address);
      return NULL;
    }
  if (g_inet_address_get_family (inet) != socket_family)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IPv%d address"), address,
                   (int) family);
      return NULL;
    }
  socket = g_socket_new (socket_family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;
  if (family == TSR_PEER_ADDRESS_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL);
  /* ICMP errors for what we send, queued with their destination. */
  if (family == TSR_PEER_ADDRESS_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_RECVERR, 1, NULL);
  else
    g_socket_set_option (socket, IPPROTO_IP, IP_RECVERR, 1, NULL);
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, RECV_BUFFER, NULL);
  /* Runs of datagrams may come as one message (see receive()); an old
   * kernel without it just does not. */
  g_socket_set_option (socket, IPPROTO_UDP, UDP_GRO, 1, NULL);
  g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, SEND_BUFFER, NULL);
  where = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (socket, where, FALSE, error))
    return NULL;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);

  self = g_new0 (TsrUdpSocket, 1);
  g_ref_count_init (&self->ref_count);
  self->socket = g_steal_pointer (&socket);
  self->fd = g_socket_get_fd (self->socket);
  self->family = family;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  self->demux = tsr_udp_demux_new ();
  self->batch = batch_new ();
  self->gso = TRUE;
  self->source = g_source_new (&udp_source_funcs, sizeof (UdpSource));
  ((UdpSource *) self->source)->socket = self;
  g_source_set_static_name (self->source, "tsr-udp-socket");
  /* GLib blocks a source that cannot recurse while it dispatches, taking
   * its descriptor out of the poll set and putting it back, and each
   * change wakes the context: two eventfd writes, and a read, per
   * dispatch. Nothing here runs the context from within (the engine
   * never iterates it recursively), so there is nothing to block. */
  g_source_set_can_recurse (self->source, TRUE);
  self->fd_tag = g_source_add_unix_fd (self->source, self->fd, G_IO_IN);
  g_source_attach (self->source, NULL);
  return self;
}

TsrUdpSocket *
tsr_udp_socket_ref (TsrUdpSocket *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
tsr_udp_socket_unref (TsrUdpSocket *self)
{
  guint i;

  if (self == NULL || !g_ref_count_dec (&self->ref_count))
    return;
  /* What is queued goes now, once, without waiting: a lookup's last
   * announce_peer before the CLI exits, a tracker's "stopped". */
  if (!self->blocked)
    flush (self, G_MAXUINT);
  g_source_destroy (self->source);
  g_source_unref (self->source);
  for (i = 0; i < TSR_UDP_SEND_QUEUE_MAX; i++)
    g_free (self->ring[i]);
  g_object_unref (self->socket);
  tsr_udp_demux_free (self->demux);
  g_free (self->batch);
  g_free (self);
}

guint16
tsr_udp_socket_get_port (TsrUdpSocket *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

TsrPeerAddressFamily
tsr_udp_socket_get_family (TsrUdpSocket *self)
{
  g_return_val_if_fail (self != NULL, TSR_PEER_ADDRESS_IPV4);

  return self->family;
}

TsrUdpDemux *
tsr_udp_socket_get_demux (TsrUdpSocket *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->demux;
}

void
tsr_udp_socket_get_stats (TsrUdpSocket      *self,
                          TsrUdpSocketStats *stats)
{
  g_return_if_fail (self != NULL && stats != NULL);

  *stats = self->stats;
}
