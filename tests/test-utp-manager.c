/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-manager.c: two TsrUtpManagers wired through a fake network
 * with a virtual clock (10 ms one way); datagrams to any other address,
 * and datagrams forged by the tests as if from one, stand for strangers.
 * Dial and accept, many connections at once each getting its own bytes,
 * a refused accept and a datagram for no connection answered with a
 * RESET (and a RESET never answered), the RESET rate bound, a SYN flood
 * bounded in all and per host without harm to an open connection (also
 * 25 000 SYNs from thousands of source ports under the default bounds),
 * a connection's packets forged from another port or host and RESETs
 * injected from elsewhere or on other ids, all without effect, the
 * connection bound, ids unique per address, a SYN on an id in use, and
 * the one timer driving every connection (by the virtual clock, then by
 * the real GSource on the main context), and an ICMP error failing a
 * dial still waiting for its STATE, and nothing else. With deferred
 * acks, datagrams arriving together are handed over as one batch, as
 * the socket does, and the receiver sends one STATE per batch.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-utp-manager.h"

#define MS     1000
#define SECOND G_USEC_PER_SEC
#define DELAY  (10 * MS)

typedef struct _Net Net;

/* One application connection: what it writes, what it read. */
typedef struct
{
  TsrUtpChannel *channel;     /* (owned) until released */
  GByteArray    *received;
  GBytes        *source;      /* (nullable) */
  gsize          written;
  gsize          expected;    /* bytes to wait for, if not 0 */
  gboolean       connected;
  guint          n_closed;
  GError        *error;
} App;

typedef struct
{
  Net            *net;
  guint           index;
  TsrUtpManager  *manager;
  TsrPeerAddress  address;
  gboolean        refuse;
  gboolean        deaf;       /* drops what reaches it */
  GPtrArray      *accepted;   /* App */
} Node;

typedef struct
{
  gint64          at;
  TsrPeerAddress  from;
  TsrPeerAddress  to;
  GBytes         *data;
} Datagram;

/* What a node sent to an address that is neither node. */
typedef struct
{
  TsrPeerAddress to;
  TsrUtpPacket   packet;  /* header fields only */
} Stray;

struct _Net
{
  gint64   now;
  Node     nodes[2];
  GQueue   queue;               /* Datagram, by arrival */
  GArray  *strays;              /* Stray */
  guint    n_sent[2][5];        /* by node and type */
  gboolean batched;             /* acks deferred: deliver what arrives together, then flush */
  guint    n_data_batches[2];
  guint    max_batch_states[2]; /* STATEs sent for one batch of DATA, at most */
};

static const TsrUtpChannelFuncs app_funcs;

static App *
app_new (void)
{
  App *app = g_new0 (App, 1);

  app->received = g_byte_array_new ();
  return app;
}

static void
app_free (gpointer data)
{
  App *app = data;

  g_clear_pointer (&app->channel, tsr_utp_channel_release);
  g_byte_array_unref (app->received);
  g_clear_pointer (&app->source, g_bytes_unref);
  g_clear_error (&app->error);
  g_free (app);
}

static void
app_write (App *app)
{
  gsize length;
  const guint8 *data;

  if (app->source == NULL || app->channel == NULL)
    return;
  data = g_bytes_get_data (app->source, &length);
  if (app->written < length)
    app->written += tsr_utp_channel_write (app->channel, data + app->written, length - app->written);
}

static void
on_app_readable (gpointer user_data)
{
  App *app = user_data;
  guint8 buffer[8192];
  gsize n;

  while ((n = tsr_utp_channel_read (app->channel, buffer, sizeof buffer)) > 0)
    g_byte_array_append (app->received, buffer, n);
}

static void
on_app_writable (gpointer user_data)
{
  app_write (user_data);
}

static void
on_app_connected (gpointer user_data)
{
  App *app = user_data;

  app->connected = TRUE;
  app_write (app);
}

static void
on_app_closed (const GError *error,
               gpointer      user_data)
{
  App *app = user_data;

  app->n_closed++;
  g_clear_error (&app->error);
  app->error = error != NULL ? g_error_copy (error) : NULL;
}

static const TsrUtpChannelFuncs app_funcs = {
  .readable = on_app_readable,
  .writable = on_app_writable,
  .connected = on_app_connected,
  .closed = on_app_closed,
};

static Datagram *
datagram_new (gint64                at,
              const TsrPeerAddress *from,
              const TsrPeerAddress *to,
              const guint8         *data,
              gsize                 length)
{
  Datagram *datagram = g_new0 (Datagram, 1);

  datagram->at = at;
  datagram->from = *from;
  datagram->to = *to;
  datagram->data = g_bytes_new (data, length);
  return datagram;
}

static void
datagram_free (gpointer data)
{
  Datagram *datagram = data;

  g_bytes_unref (datagram->data);
  g_free (datagram);
}

static void
on_send_to (const TsrPeerAddress *address,
            const guint8         *data,
            gsize                 length,
            gpointer              user_data)
{
  Node *node = user_data;
  Net *net = node->net;
  TsrUtpPacket packet;

  g_assert_true (tsr_utp_packet_parse (&packet, data, length, NULL));
  net->n_sent[node->index][packet.type]++;
  if (!tsr_peer_address_equal (address, &net->nodes[1 - node->index].address))
    {
      Stray stray = { *address, packet };

      stray.packet.sack = NULL;
      stray.packet.payload = NULL;
      g_array_append_val (net->strays, stray);
      return;
    }
  /* Constant delay: arrival order is sending order. */
  g_queue_push_tail (&net->queue, datagram_new (net->now + DELAY, &node->address, address, data, length));
}

static gboolean
on_accept (TsrUtpChannel        *channel,
           const TsrPeerAddress *address,
           gpointer              user_data)
{
  Node *node = user_data;
  App *app;

  if (node->refuse)
    return FALSE;
  app = app_new ();
  app->channel = channel;
  tsr_utp_channel_set_funcs (channel, &app_funcs, app);
  g_ptr_array_add (node->accepted, app);
  return TRUE;
}

static gint64
on_now (gpointer user_data)
{
  Node *node = user_data;

  return node->net->now;
}

static const TsrUtpManagerFuncs manager_funcs = {
  .send_to = on_send_to,
  .accept = on_accept,
  .now = on_now,
};

static Net *
net_new (void)
{
  Net *net = g_new0 (Net, 1);
  guint i;

  /* Near the 32-bit microsecond wrap of uTP's timestamps. */
  net->now = (gint64) 4294 * SECOND;
  g_queue_init (&net->queue);
  net->strays = g_array_new (FALSE, FALSE, sizeof (Stray));
  for (i = 0; i < 2; i++)
    {
      Node *node = &net->nodes[i];
      g_autofree char *text = g_strdup_printf ("10.0.0.%u:6881", i + 1);

      node->net = net;
      node->index = i;
      g_assert_true (tsr_peer_address_parse (text, &node->address));
      node->accepted = g_ptr_array_new_with_free_func (app_free);
      node->manager = tsr_utp_manager_new (&manager_funcs, node);
    }
  return net;
}

static void
net_free (Net *net)
{
  guint i;

  for (i = 0; i < 2; i++)
    {
      g_ptr_array_unref (net->nodes[i].accepted);
      tsr_utp_manager_free (net->nodes[i].manager);
    }
  g_queue_clear_full (&net->queue, datagram_free);
  g_array_unref (net->strays);
  g_free (net);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Net, net_free)

static Node *
node_at (Net                  *net,
         const TsrPeerAddress *address)
{
  guint i;

  for (i = 0; i < 2; i++)
    if (tsr_peer_address_equal (address, &net->nodes[i].address))
      return &net->nodes[i];
  return NULL;
}

/* Hands @node every datagram due for it now, one batch as one read of
 * the socket brings, then flushes its acks; counts the STATEs a batch of
 * nothing but DATA packets brought. */
static void
net_deliver_batch (Net  *net,
                   Node *node)
{
  guint states = net->n_sent[node->index][TSR_UTP_STATE];
  gboolean only_data = TRUE;
  Datagram *head;

  while ((head = g_queue_peek_head (&net->queue)) != NULL && head->at <= net->now &&
         tsr_peer_address_equal (&head->to, &node->address))
    {
      gsize length;
      const guint8 *bytes = g_bytes_get_data (head->data, &length);

      g_queue_pop_head (&net->queue);
      only_data = only_data && length > 0 && (bytes[0] >> 4) == TSR_UTP_DATA;
      tsr_utp_manager_receive (node->manager, &head->from, bytes, length, net->now);
      datagram_free (head);
    }
  tsr_utp_manager_flush_acks (node->manager, net->now);
  if (!only_data)
    return;
  net->n_data_batches[node->index]++;
  states = net->n_sent[node->index][TSR_UTP_STATE] - states;
  net->max_batch_states[node->index] = MAX (net->max_batch_states[node->index], states);
}

/* Runs the virtual clock from event to event until @until or @done. */
static gboolean
net_run (Net       *net,
         gint64     until,
         gboolean (*done) (gpointer data),
         gpointer   data)
{
  while (done == NULL || !done (data))
    {
      Datagram *head = g_queue_peek_head (&net->queue);
      gint64 next = head != NULL ? head->at : G_MAXINT64;
      guint i;

      for (i = 0; i < 2; i++)
        next = MIN (next, tsr_utp_manager_get_deadline (net->nodes[i].manager));
      if (next > until)
        {
          net->now = MAX (net->now, until);
          return done == NULL;
        }
      net->now = MAX (net->now, next);
      if (head != NULL && head->at <= net->now && net->batched)
        {
          net_deliver_batch (net, node_at (net, &head->to));
          continue;
        }
      if (head != NULL && head->at <= net->now)
        {
          Node *node = node_at (net, &head->to);
          gsize length;
          const guint8 *bytes = g_bytes_get_data (head->data, &length);

          g_queue_pop_head (&net->queue);
          if (!node->deaf)
            tsr_utp_manager_receive (node->manager, &head->from, bytes, length, net->now);
          datagram_free (head);
          continue;
        }
      for (i = 0; i < 2; i++)
        if (tsr_utp_manager_get_deadline (net->nodes[i].manager) <= net->now)
          {
            tsr_utp_manager_on_timer (net->nodes[i].manager, net->now);
            g_assert_cmpint (tsr_utp_manager_get_deadline (net->nodes[i].manager), >, net->now);
          }
    }
  return TRUE;
}

/* A packet to node @to as if from @from, now. */
static void
inject (Net                  *net,
        guint                 to,
        const TsrPeerAddress *from,
        const TsrUtpPacket   *packet)
{
  guint8 buffer[TSR_UTP_CONN_DATAGRAM_MAX];
  gsize length = tsr_utp_packet_write (packet, buffer, sizeof buffer);

  g_assert_cmpuint (length, >, 0);
  tsr_utp_manager_receive (net->nodes[to].manager, from, buffer, length, net->now);
}

static App *
dial (Net   *net,
      guint  from,
      guint  to)
{
  App *app = app_new ();
  g_autoptr(GError) error = NULL;

  app->channel = tsr_utp_manager_dial (net->nodes[from].manager, &net->nodes[to].address, &app_funcs, app, &error);
  g_assert_no_error (error);
  g_assert_nonnull (app->channel);
  return app;
}

static gboolean
app_connected (gpointer data)
{
  return ((App *) data)->connected;
}

static gboolean
app_received_all (gpointer data)
{
  App *app = data;

  return app->received->len >= app->expected;
}

static gboolean
app_closed (gpointer data)
{
  return ((App *) data)->n_closed > 0;
}

static gboolean
apps_closed (gpointer data)
{
  GPtrArray *apps = data;
  guint i;

  for (i = 0; i < apps->len; i++)
    if (((App *) g_ptr_array_index (apps, i))->n_closed == 0)
      return FALSE;
  return TRUE;
}

static void
make_stranger (TsrPeerAddress *out,
               guint           host,
               guint           port)
{
  g_autofree char *text = g_strdup_printf ("192.0.2.%u:%u", host, port);

  g_assert_true (tsr_peer_address_parse (text, out));
}

static void
test_dial_accept (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (256 * 1024, 1);
  g_autoptr(GBytes) down = tsr_test_make_bytes (200 * 1024, 2);
  App *dialler = dial (net, 0, 1);
  App *acceptor;

  dialler->source = g_bytes_ref (up);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 1);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, 1);
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  /* BEP 29: the initiator sends on its receive id + 1, the acceptor on
   * the SYN's id and receives on id + 1. */
  g_assert_cmpuint (tsr_utp_channel_get_send_id (dialler->channel), ==, (guint16) (tsr_utp_channel_get_recv_id (dialler->channel) + 1));
  g_assert_cmpuint (tsr_utp_channel_get_recv_id (acceptor->channel), ==, tsr_utp_channel_get_send_id (dialler->channel));
  g_assert_cmpuint (tsr_utp_channel_get_send_id (acceptor->channel), ==, tsr_utp_channel_get_recv_id (dialler->channel));
  g_assert_true (tsr_peer_address_equal (tsr_utp_channel_get_address (acceptor->channel), &net->nodes[0].address));

  acceptor->source = g_bytes_ref (down);
  app_write (acceptor);
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_connected, acceptor));
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), ==, 0);
  tsr_utp_channel_close (dialler->channel);
  tsr_utp_channel_close (acceptor->channel);
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_closed, dialler));
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_closed, acceptor));
  g_assert_no_error (dialler->error);
  g_assert_no_error (acceptor->error);
  tsr_test_assert_received (acceptor->received, up);
  tsr_test_assert_received (dialler->received, down);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_stats (net->nodes[1].manager)->accepted, ==, 1);
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_RESET] + net->n_sent[1][TSR_UTP_RESET], ==, 0);
  app_free (dialler);
}

/* Deferred acks (the dialer's way): a batch of DATA packets read at
 * once gets one STATE, acking the last of them, not one STATE each;
 * the data arrives whole, and the close (FINs acked at once) is clean. */
static void
test_acks_per_batch (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (1024 * 1024, 3);
  App *dialler;
  App *acceptor;
  guint i;

  net->batched = TRUE;
  for (i = 0; i < 2; i++)
    tsr_utp_manager_set_defer_acks (net->nodes[i].manager, TRUE);
  dialler = dial (net, 0, 1);
  dialler->source = g_bytes_ref (up);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  acceptor->expected = g_bytes_get_size (up);
  g_assert_true (net_run (net, net->now + 60 * SECOND, app_received_all, acceptor));
  tsr_utp_channel_close (dialler->channel);
  tsr_utp_channel_close (acceptor->channel);
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_closed, dialler));
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_closed, acceptor));
  g_assert_no_error (dialler->error);
  g_assert_no_error (acceptor->error);
  tsr_test_assert_received (acceptor->received, up);

  g_assert_cmpuint (net->n_data_batches[1], >, 0);
  g_assert_cmpuint (net->max_batch_states[1], ==, 1);
  /* The window grows past one packet a round trip, so batches do too. */
  g_assert_cmpuint (net->n_sent[1][TSR_UTP_STATE] * 4, <, net->n_sent[0][TSR_UTP_DATA]);
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_RESET] + net->n_sent[1][TSR_UTP_RESET], ==, 0);
  app_free (dialler);
}

/* An ICMP error for an address fails our dial there that no STATE
 * answered, at once and as refused; an open connection to the same
 * address, and a dial elsewhere, are left alone (a forged ICMP error
 * cannot end them). */
static void
test_unreachable (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GError) icmp = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
  g_autoptr(GError) error = NULL;
  App *open = dial (net, 0, 1);
  App *dead = app_new ();
  App *elsewhere = app_new ();
  TsrPeerAddress nowhere;
  TsrPeerAddress other;

  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, open));
  make_stranger (&nowhere, 1, 6881);
  make_stranger (&other, 2, 6881);
  dead->channel = tsr_utp_manager_dial (net->nodes[0].manager, &nowhere, &app_funcs, dead, &error);
  g_assert_no_error (error);
  elsewhere->channel = tsr_utp_manager_dial (net->nodes[0].manager, &other, &app_funcs, elsewhere, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 3);

  g_assert_false (tsr_utp_manager_unreachable (net->nodes[0].manager, &net->nodes[1].address, icmp));
  g_assert_true (tsr_utp_manager_unreachable (net->nodes[0].manager, &nowhere, icmp));
  g_assert_cmpuint (dead->n_closed, ==, 1);
  g_assert_error (dead->error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_REFUSED);
  g_assert_cmpuint (open->n_closed, ==, 0);
  g_assert_cmpuint (elsewhere->n_closed, ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 2);
  /* Nothing more for the dead address: it is not even told of the end. */
  g_assert_false (tsr_utp_manager_unreachable (net->nodes[0].manager, &nowhere, icmp));
  app_free (dead);
  app_free (elsewhere);
  app_free (open);
}

/* A released connection still delivers what was written, then goes. */
static void
test_release_finishes (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (100 * 1024, 3);
  App *dialler = dial (net, 0, 1);
  App *acceptor;

  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  g_assert_cmpuint (tsr_utp_channel_write (dialler->channel, g_bytes_get_data (up, NULL), g_bytes_get_size (up)),
                    ==, g_bytes_get_size (up));
  g_clear_pointer (&dialler->channel, tsr_utp_channel_release);
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_connected, acceptor));
  g_assert_true (net_run (net, net->now + 30 * SECOND, (gboolean (*) (gpointer)) tsr_utp_channel_get_eof, acceptor->channel));
  tsr_test_assert_received (acceptor->received, up);
  tsr_utp_channel_close (acceptor->channel);
  g_assert_true (net_run (net, net->now + 30 * SECOND, app_closed, acceptor));
  g_assert_no_error (acceptor->error);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 0);
  g_assert_cmpuint (dialler->n_closed, ==, 0);
  app_free (dialler);
}

static void
test_many_connections (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GPtrArray) dialled = g_ptr_array_new_with_free_func (app_free);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  /* Routing, not the flood bounds: one host dials all at once. */
  TsrUtpManagerLimits limits = { TSR_UTP_MANAGER_MAX_CONNECTIONS, 64, 64 };
  guint n = 40;
  guint i;
  guint j;

  tsr_utp_manager_set_limits (net->nodes[1].manager, &limits);
  for (i = 0; i < n; i++)
    {
      App *app = dial (net, 0, 1);

      g_ptr_array_add (sources, tsr_test_make_bytes (16 * 1024 + i * 1000, 100 + i));
      app->source = g_bytes_ref (g_ptr_array_index (sources, i));
      g_ptr_array_add (dialled, app);
    }
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, n);
  net_run (net, net->now + 20 * SECOND, NULL, NULL);
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, n);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, n);
  /* Each accepted connection got exactly the bytes of the one that
   * dialled it, and answered it alone. */
  for (j = 0; j < n; j++)
    {
      App *acceptor = g_ptr_array_index (net->nodes[1].accepted, j);
      App *peer = NULL;

      for (i = 0; i < n; i++)
        if (tsr_utp_channel_get_send_id (((App *) g_ptr_array_index (dialled, i))->channel) ==
            tsr_utp_channel_get_recv_id (acceptor->channel))
          peer = g_ptr_array_index (dialled, i);
      g_assert_nonnull (peer);
      g_assert_true (peer->connected);
      tsr_test_assert_received (acceptor->received, peer->source);
    }
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_RESET] + net->n_sent[1][TSR_UTP_RESET], ==, 0);
}

static void
test_refused (void)
{
  g_autoptr(Net) net = net_new ();
  App *dialler;

  net->nodes[1].refuse = TRUE;
  dialler = dial (net, 0, 1);
  g_assert_true (net_run (net, net->now + 10 * SECOND, app_closed, dialler));
  g_assert_error (dialler->error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_REFUSED);
  g_assert_false (dialler->connected);
  g_assert_cmpuint (net->n_sent[1][TSR_UTP_RESET], ==, 1);
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_SYN], ==, 1);
  g_assert_cmpuint (tsr_utp_manager_get_stats (net->nodes[1].manager)->refused, ==, 1);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 0);
  app_free (dialler);
}

static void
test_unknown_answered_with_reset (void)
{
  g_autoptr(Net) net = net_new ();
  TsrUtpPacket packet = { 0 };
  TsrPeerAddress stranger;
  const Stray *stray;
  guint8 payload[100] = { 0 };
  guint i;

  make_stranger (&stranger, 7, 4000);
  packet.type = TSR_UTP_DATA;
  packet.connection_id = 4242;
  packet.seq_nr = 777;
  packet.payload = payload;
  packet.payload_length = sizeof payload;
  inject (net, 1, &stranger, &packet);
  g_assert_cmpuint (net->strays->len, ==, 1);
  stray = &g_array_index (net->strays, Stray, 0);
  g_assert_true (tsr_peer_address_equal (&stray->to, &stranger));
  g_assert_cmpint (stray->packet.type, ==, TSR_UTP_RESET);
  g_assert_cmpuint (stray->packet.connection_id, ==, 4242);
  g_assert_cmpuint (stray->packet.ack_nr, ==, 777);

  /* A STATE and a FIN too; a RESET never. */
  packet.payload = NULL;
  packet.payload_length = 0;
  packet.type = TSR_UTP_STATE;
  inject (net, 1, &stranger, &packet);
  packet.type = TSR_UTP_FIN;
  inject (net, 1, &stranger, &packet);
  packet.type = TSR_UTP_RESET;
  inject (net, 1, &stranger, &packet);
  g_assert_cmpuint (net->strays->len, ==, 3);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 0);

  /* Not uTP at all: nothing. */
  tsr_utp_manager_receive (net->nodes[1].manager, &stranger, (const guint8 *) "d1:ad2:id20:", 12, net->now);
  g_assert_cmpuint (net->strays->len, ==, 3);
  g_assert_cmpuint (tsr_utp_manager_get_stats (net->nodes[1].manager)->invalid, ==, 1);

  /* A spoofed flood gets TSR_UTP_MANAGER_RESETS_PER_SECOND a second. */
  net->now += 2 * SECOND;
  packet.type = TSR_UTP_DATA;
  for (i = 0; i < 150; i++)
    {
      packet.connection_id = (guint16) i;
      inject (net, 1, &stranger, &packet);
    }
  g_assert_cmpuint (net->strays->len, ==, 3 + TSR_UTP_MANAGER_RESETS_PER_SECOND);
  g_assert_cmpuint (tsr_utp_manager_get_stats (net->nodes[1].manager)->resets_withheld, ==, 150 - TSR_UTP_MANAGER_RESETS_PER_SECOND);
  net->now += SECOND;
  inject (net, 1, &stranger, &packet);
  g_assert_cmpuint (net->strays->len, ==, 4 + TSR_UTP_MANAGER_RESETS_PER_SECOND);
}

static void
inject_syn (Net                  *net,
            const TsrPeerAddress *from,
            guint16               id)
{
  TsrUtpPacket syn = { 0 };

  syn.type = TSR_UTP_SYN;
  syn.connection_id = id;
  syn.seq_nr = 1000;
  syn.wnd_size = 65536;
  syn.timestamp_us = (guint32) net->now;
  inject (net, 1, from, &syn);
}

static void
test_syn_flood (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (300 * 1024, 4);
  TsrUtpManagerLimits limits = { 100, 16, 4 };
  const TsrUtpManagerStats *stats = tsr_utp_manager_get_stats (net->nodes[1].manager);
  App *dialler;
  App *acceptor;
  App *late;
  guint host;
  guint port;

  tsr_utp_manager_set_limits (net->nodes[1].manager, &limits);
  dialler = dial (net, 0, 1);
  dialler->source = g_bytes_ref (up);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, acceptor));
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), ==, 0);

  /* 100 SYNs from 10 hosts, 10 source ports each, never confirmed. */
  for (host = 1; host <= 10; host++)
    for (port = 1; port <= 10; port++)
      {
        TsrPeerAddress stranger;

        make_stranger (&stranger, host, 5000 + port);
        inject_syn (net, &stranger, (guint16) (host * 100 + port));
      }
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), ==, 16);
  g_assert_cmpuint (stats->syn_dropped, ==, 84);
  /* Per host: the first four hosts took four each, and no more. */
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, 1 + 16);
  for (host = 0; host < 16; host++)
    {
      App *app = g_ptr_array_index (net->nodes[1].accepted, 1 + host);
      TsrPeerAddress expected;

      make_stranger (&expected, 1 + host / 4, 5001 + host % 4);
      g_assert_true (tsr_peer_address_equal (tsr_utp_channel_get_address (app->channel), &expected));
      g_assert_false (app->connected);
    }
  /* Unanswered: no RESET to the dropped ones, a STATE to each taken. */
  g_assert_cmpuint (net->strays->len, ==, 16);

  /* The open connection carries on meanwhile. */
  g_assert_cmpuint (acceptor->received->len, <, g_bytes_get_size (up));
  g_assert_true (net_run (net, net->now + 9 * SECOND, NULL, NULL));
  tsr_test_assert_received (acceptor->received, up);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);

  /* Half-open connections go after TSR_UTP_MANAGER_HALF_OPEN_US, and a
   * new dial is welcome again. */
  g_assert_true (net_run (net, net->now + 2 * SECOND, NULL, NULL));
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), ==, 0);
  g_assert_cmpuint (stats->half_open_expired, ==, 16);
  for (host = 0; host < 16; host++)
    {
      App *app = g_ptr_array_index (net->nodes[1].accepted, 1 + host);

      g_assert_cmpuint (app->n_closed, ==, 1);
      g_assert_error (app->error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
    }
  g_assert_cmpuint (net->strays->len, ==, 16);
  late = dial (net, 0, 1);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, late));
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  app_free (late);
  app_free (dialler);
}

static void
test_connection_bound (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GPtrArray) dialled = g_ptr_array_new_with_free_func (app_free);
  g_autoptr(GError) error = NULL;
  TsrUtpManagerLimits limits = { 3, 16, 4 };
  TsrPeerAddress stranger;
  guint i;

  tsr_utp_manager_set_limits (net->nodes[0].manager, &limits);
  tsr_utp_manager_set_limits (net->nodes[1].manager, &limits);
  for (i = 0; i < 3; i++)
    g_ptr_array_add (dialled, dial (net, 0, 1));
  g_assert_null (tsr_utp_manager_dial (net->nodes[0].manager, &net->nodes[1].address, &app_funcs, NULL, &error));
  g_assert_error (error, TSR_UTP_MANAGER_ERROR, TSR_UTP_MANAGER_ERROR_TOO_MANY);
  net_run (net, net->now + SECOND, NULL, NULL);
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, 3);
  for (i = 0; i < 3; i++)
    g_assert_true (((App *) g_ptr_array_index (dialled, i))->connected);
  /* Full: a fourth SYN is dropped, unanswered. */
  make_stranger (&stranger, 9, 9000);
  inject_syn (net, &stranger, 500);
  g_assert_cmpuint (tsr_utp_manager_get_stats (net->nodes[1].manager)->syn_dropped, ==, 1);
  g_assert_cmpuint (net->strays->len, ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 3);
}

static void
test_ids_unique (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GPtrArray) dialled = g_ptr_array_new_with_free_func (app_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  guint n = 2000;
  guint i;

  /* 4000 of 65536 ids in use for one address: the birthday bound makes
   * clashes certain among random picks, so the manager must avoid them. */
  for (i = 0; i < n; i++)
    {
      App *app = dial (net, 0, 1);

      g_ptr_array_add (dialled, app);
      g_hash_table_add (ids, GUINT_TO_POINTER (tsr_utp_channel_get_recv_id (app->channel)));
      g_hash_table_add (ids, GUINT_TO_POINTER (tsr_utp_channel_get_send_id (app->channel)));
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 2 * n);
  /* The SYNs carry random first sequence numbers too. */
  for (i = 0; i < net->queue.length; i++)
    {
      Datagram *datagram = g_queue_peek_nth (&net->queue, i);
      TsrUtpPacket packet;

      g_assert_true (tsr_utp_packet_parse (&packet, g_bytes_get_data (datagram->data, NULL), g_bytes_get_size (datagram->data), NULL));
      g_hash_table_add (seqs, GUINT_TO_POINTER (packet.seq_nr));
    }
  g_assert_cmpuint (g_hash_table_size (seqs), >, n * 9 / 10);
}

/* A SYN whose ids another connection of that address holds is refused;
 * the repeat of the SYN that made a connection is its own. */
static void
test_syn_on_id_in_use (void)
{
  g_autoptr(Net) net = net_new ();
  App *dialler = dial (net, 0, 1);
  App *acceptor;
  guint16 syn_id = tsr_utp_channel_get_recv_id (dialler->channel);

  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);

  /* The same SYN again (its STATE lost): answered by the connection. */
  inject_syn (net, &net->nodes[0].address, syn_id);
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, 1);
  g_assert_cmpuint (net->n_sent[1][TSR_UTP_RESET], ==, 0);
  /* A SYN on the acceptor's receive id, or one below it (which would
   * receive on it): RESET, nothing new. */
  inject_syn (net, &net->nodes[0].address, (guint16) (syn_id + 1));
  inject_syn (net, &net->nodes[0].address, (guint16) (syn_id - 1));
  g_assert_cmpuint (net->n_sent[1][TSR_UTP_RESET], ==, 2);
  g_assert_cmpuint (net->nodes[1].accepted->len, ==, 1);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 1);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  app_free (dialler);
}

/* 20 dials into silence: one timer, by the virtual clock, resends every
 * SYN at 1 s and 3 s and gives each up at 7 s. */
static void
test_timer_drives_all (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GPtrArray) dialled = g_ptr_array_new_with_free_func (app_free);
  gint64 start = net->now;
  guint i;

  net->nodes[1].deaf = TRUE;
  for (i = 0; i < 20; i++)
    {
      g_ptr_array_add (dialled, dial (net, 0, 1));
      net->now += 10 * MS;
    }
  g_assert_cmpint (tsr_utp_manager_get_deadline (net->nodes[0].manager), ==, start + SECOND);
  g_assert_true (net_run (net, start + 2 * SECOND, NULL, NULL));
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_SYN], ==, 40);
  g_assert_true (net_run (net, start + 30 * SECOND, apps_closed, dialled));
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_SYN], ==, 60);
  for (i = 0; i < 20; i++)
    g_assert_error (((App *) g_ptr_array_index (dialled, i))->error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_TIMED_OUT);
  g_assert_cmpint (net->now, <, start + 8 * SECOND);
  g_assert_cmpint (tsr_utp_manager_get_deadline (net->nodes[0].manager), ==, TSR_UTP_CONN_NO_DEADLINE);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[0].manager), ==, 0);
}

/* The real clock: a manager's own GSource wakes once for 8 connections
 * whose SYNs are due together, and resends them all. */
static guint gsource_syns;

static void
count_syns (const TsrPeerAddress *address,
            const guint8         *data,
            gsize                 length,
            gpointer              user_data)
{
  gsource_syns += data[0] >> 4 == TSR_UTP_SYN;
}

static const TsrUtpManagerFuncs void_funcs = {
  .send_to = count_syns,
};

static gboolean
on_give_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_timer_gsource (void)
{
  g_autoptr(TsrUtpManager) manager = tsr_utp_manager_new (&void_funcs, NULL);
  g_autoptr(GPtrArray) dialled = g_ptr_array_new_with_free_func (app_free);
  TsrPeerAddress nobody;
  gboolean timed_out = FALSE;
  guint source;
  guint i;

  gsource_syns = 0;
  make_stranger (&nobody, 1, 6881);
  for (i = 0; i < 8; i++)
    {
      App *app = app_new ();

      app->channel = tsr_utp_manager_dial (manager, &nobody, &app_funcs, app, NULL);
      g_ptr_array_add (dialled, app);
    }
  g_assert_cmpuint (gsource_syns, ==, 8);
  source = g_timeout_add (5 * SECOND / MS, on_give_up, &timed_out);
  while (gsource_syns < 16 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  g_assert_cmpuint (gsource_syns, ==, 16);
  /* One wake-up, maybe two if the dials straddled a tick: never one each. */
  g_assert_cmpuint (tsr_utp_manager_get_stats (manager)->timer_wakeups, >=, 1);
  g_assert_cmpuint (tsr_utp_manager_get_stats (manager)->timer_wakeups, <=, 2);
}

/* The header of the last datagram on its way from node @from, the
 * clock run on until there is one: what an on-path stranger sees of a
 * connection. */
static void
peek_last (Net          *net,
           guint         from,
           TsrUtpPacket *out)
{
  gint64 until = net->now + SECOND;

  while (net->now < until)
    {
      GList *l;

      for (l = net->queue.tail; l != NULL; l = l->prev)
        {
          Datagram *datagram = l->data;

          if (tsr_peer_address_equal (&datagram->from, &net->nodes[from].address))
            {
              g_assert_true (tsr_utp_packet_parse (out, g_bytes_get_data (datagram->data, NULL),
                                                   g_bytes_get_size (datagram->data), NULL));
              out->sack = NULL;
              out->sack_length = 0;
              out->payload = NULL;
              out->payload_length = 0;
              return;
            }
        }
      net_run (net, net->now + MS, NULL, NULL);
    }
  g_assert_not_reached ();
}

/* Every packet of a connection, right ids and numbers, but from the
 * peer's host on another port or from another host on the peer's port:
 * none reaches the connection, the strangers get RESETs at most (never
 * for a RESET), and the transfer ends intact. */
static void
test_spoofed_source (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (300 * 1024, 5);
  guint8 payload[TSR_UTP_CONN_PAYLOAD_MAX];
  TsrPeerAddress spoofers[2][2];
  App *dialler = dial (net, 0, 1);
  App *acceptor;
  guint to;
  guint i;
  guint j;

  memset (payload, 'z', sizeof payload);
  g_assert_true (tsr_peer_address_parse ("10.0.0.1:6882", &spoofers[1][0]));
  g_assert_true (tsr_peer_address_parse ("192.0.2.1:6881", &spoofers[1][1]));
  g_assert_true (tsr_peer_address_parse ("10.0.0.2:6882", &spoofers[0][0]));
  g_assert_true (tsr_peer_address_parse ("192.0.2.2:6881", &spoofers[0][1]));
  dialler->source = g_bytes_ref (up);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  net_run (net, net->now + 100 * MS, NULL, NULL);
  g_assert_cmpuint (acceptor->received->len, >, 0);
  g_assert_cmpuint (acceptor->received->len, <, g_bytes_get_size (up));

  for (to = 0; to < 2; to++)
    for (i = 0; i < 2; i++)
      {
        TsrUtpPacket seen;
        TsrUtpPacket packet;

        /* As the other node would send next: its ids, seq_nr and ack_nr. */
        peek_last (net, 1 - to, &seen);
        packet = seen;
        packet.wnd_size = G_MAXUINT32;
        for (j = 0; j < 4; j++)
          {
            packet.type = TSR_UTP_DATA;
            packet.seq_nr = (guint16) (seen.seq_nr + j);
            packet.payload = payload;
            packet.payload_length = sizeof payload;
            inject (net, to, &spoofers[to][i], &packet);
          }
        packet.payload = NULL;
        packet.payload_length = 0;
        packet.type = TSR_UTP_FIN;
        inject (net, to, &spoofers[to][i], &packet);
        /* Acks for everything the node may have sent, and beyond. */
        packet.type = TSR_UTP_STATE;
        for (j = 0; j < 64; j++)
          {
            packet.ack_nr = (guint16) (seen.ack_nr + j * 8);
            inject (net, to, &spoofers[to][i], &packet);
          }
        packet.type = TSR_UTP_RESET;
        inject (net, to, &spoofers[to][i], &packet);
        packet.connection_id = tsr_utp_channel_get_recv_id (to == 0 ? dialler->channel : acceptor->channel);
        inject (net, to, &spoofers[to][i], &packet);
        packet.connection_id = tsr_utp_channel_get_send_id (to == 0 ? dialler->channel : acceptor->channel);
        inject (net, to, &spoofers[to][i], &packet);
      }
  /* Answered with a RESET each, to the stranger (4 DATA, a FIN and 64
   * STATEs from each of the four), as far as the RESET bound allows. */
  for (to = 0; to < 2; to++)
    {
      const TsrUtpManagerStats *stats = tsr_utp_manager_get_stats (net->nodes[to].manager);

      g_assert_cmpuint (stats->resets_sent, ==, MIN (2 * (4 + 1 + 64), TSR_UTP_MANAGER_RESETS_PER_SECOND));
      g_assert_cmpuint (stats->resets_sent + stats->resets_withheld, ==, 2 * (4 + 1 + 64));
    }
  g_assert_cmpuint (net->strays->len, ==, 2 * MIN (2 * (4 + 1 + 64), TSR_UTP_MANAGER_RESETS_PER_SECOND));
  for (i = 0; i < net->strays->len; i++)
    {
      const Stray *stray = &g_array_index (net->strays, Stray, i);

      g_assert_cmpint (stray->packet.type, ==, TSR_UTP_RESET);
      g_assert_true (tsr_peer_address_equal (&stray->to, &spoofers[0][0]) ||
                     tsr_peer_address_equal (&stray->to, &spoofers[0][1]) ||
                     tsr_peer_address_equal (&stray->to, &spoofers[1][0]) ||
                     tsr_peer_address_equal (&stray->to, &spoofers[1][1]));
    }
  g_assert_cmpuint (dialler->n_closed, ==, 0);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  g_assert_true (tsr_utp_channel_is_connected (dialler->channel));
  g_assert_true (tsr_utp_channel_is_connected (acceptor->channel));
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), ==, 1);

  tsr_utp_channel_close (dialler->channel);
  g_assert_true (net_run (net, net->now + 30 * SECOND, (gboolean (*) (gpointer)) tsr_utp_channel_get_eof, acceptor->channel));
  tsr_test_assert_received (acceptor->received, up);
  g_assert_cmpuint (net->n_sent[0][TSR_UTP_RESET] + net->n_sent[1][TSR_UTP_RESET], ==, net->strays->len);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  app_free (dialler);
}

/* RESETs on the connection's ids from anywhere but its peer, or from
 * its peer on ids that are not the connection's, are dropped unanswered;
 * the peer's own RESET still ends it. */
static void
test_reset_injection (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (200 * 1024, 6);
  TsrUtpPacket reset = { 0 };
  TsrPeerAddress stranger;
  App *dialler = dial (net, 0, 1);
  App *acceptor;
  guint16 recv_id;
  guint16 send_id;
  guint port;
  guint i;

  dialler->source = g_bytes_ref (up);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  net_run (net, net->now + 50 * MS, NULL, NULL);
  recv_id = tsr_utp_channel_get_recv_id (acceptor->channel);
  send_id = tsr_utp_channel_get_send_id (acceptor->channel);

  reset.type = TSR_UTP_RESET;
  /* From other ports of the peer's host, and from other hosts. */
  for (port = 1; port <= 200; port++)
    {
      g_autofree char *text = g_strdup_printf ("%s:%u", port % 2 ? "10.0.0.1" : "192.0.2.3", 6881 + port);

      g_assert_true (tsr_peer_address_parse (text, &stranger));
      reset.connection_id = port % 4 < 2 ? recv_id : send_id;
      reset.seq_nr = (guint16) port;
      inject (net, 1, &stranger, &reset);
    }
  /* From the peer itself, on every id but the two it holds. */
  for (i = 0; i < 0x10000; i++)
    {
      if (i == recv_id || i == send_id)
        continue;
      reset.connection_id = (guint16) i;
      inject (net, 1, &net->nodes[0].address, &reset);
    }
  g_assert_cmpuint (net->strays->len, ==, 0);
  g_assert_cmpuint (net->n_sent[1][TSR_UTP_RESET], ==, 0);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  g_assert_true (tsr_utp_channel_is_connected (acceptor->channel));
  net_run (net, net->now + 5 * SECOND, NULL, NULL);
  tsr_test_assert_received (acceptor->received, up);

  /* The control: the peer's RESET on the acceptor's receive id. */
  reset.connection_id = recv_id;
  inject (net, 1, &net->nodes[0].address, &reset);
  g_assert_cmpuint (acceptor->n_closed, ==, 1);
  g_assert_error (acceptor->error, TSR_UTP_CONN_ERROR, TSR_UTP_CONN_ERROR_RESET);
  app_free (dialler);
}

/* With the default bounds, 20 000 SYNs from 2 000 hosts on 10 ports
 * each, then 5 000 ports of one host: at most
 * TSR_UTP_MANAGER_MAX_HALF_OPEN connections wait, none of a host past
 * its share, while an open connection moves 1 MiB intact. */
static void
test_syn_flood_many_ports (void)
{
  g_autoptr(Net) net = net_new ();
  g_autoptr(GBytes) up = tsr_test_make_bytes (1024 * 1024, 7);
  const TsrUtpManagerStats *stats = tsr_utp_manager_get_stats (net->nodes[1].manager);
  App *dialler = dial (net, 0, 1);
  App *acceptor;
  guint host;
  guint port;
  guint round;

  dialler->source = g_bytes_ref (up);
  g_assert_true (net_run (net, net->now + 5 * SECOND, app_connected, dialler));
  acceptor = g_ptr_array_index (net->nodes[1].accepted, 0);
  for (round = 0; round < 20; round++)
    {
      /* A hundred hosts a round, 10 ports each, interleaved with the transfer. */
      for (host = round * 100; host < (round + 1) * 100; host++)
        for (port = 0; port < 10; port++)
          {
            TsrPeerAddress stranger;
            g_autofree char *text = g_strdup_printf ("198.18.%u.%u:%u", host / 250, host % 250 + 1, 1024 + port);

            g_assert_true (tsr_peer_address_parse (text, &stranger));
            inject_syn (net, &stranger, (guint16) (host * 10 + port));
          }
      g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), <=, TSR_UTP_MANAGER_MAX_HALF_OPEN);
      net_run (net, net->now + 100 * MS, NULL, NULL);
    }
  for (port = 0; port < 5000; port++)
    {
      TsrPeerAddress stranger;

      make_stranger (&stranger, 250, 10000 + port);
      inject_syn (net, &stranger, (guint16) port);
    }
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), <=, TSR_UTP_MANAGER_MAX_HALF_OPEN);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), <=, 1 + TSR_UTP_MANAGER_MAX_HALF_OPEN);
  /* Per host: none of the accepted ones shares a host past the bound. */
  {
    g_autoptr(GHashTable) hosts = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
    guint i;

    for (i = 1; i < net->nodes[1].accepted->len; i++)
      {
        App *app = g_ptr_array_index (net->nodes[1].accepted, i);
        TsrPeerAddress host_only = tsr_peer_address_get_host (tsr_utp_channel_get_address (app->channel));
        guint count = GPOINTER_TO_UINT (g_hash_table_lookup (hosts, &host_only)) + 1;

        g_assert_false (app->connected);
        g_assert_cmpuint (count, <=, TSR_UTP_MANAGER_MAX_HALF_OPEN_PER_HOST);
        g_hash_table_insert (hosts, tsr_peer_address_dup (&host_only), GUINT_TO_POINTER (count));
      }
  }
  g_assert_cmpuint (stats->syn_dropped + stats->accepted, ==, 1 + 20000 + 5000);
  g_assert_cmpuint (stats->syn_dropped, >=, 25000 - 20 * TSR_UTP_MANAGER_MAX_HALF_OPEN);

  tsr_utp_channel_close (dialler->channel);
  g_assert_true (net_run (net, net->now + 60 * SECOND, (gboolean (*) (gpointer)) tsr_utp_channel_get_eof, acceptor->channel));
  tsr_test_assert_received (acceptor->received, up);
  g_assert_cmpuint (acceptor->n_closed, ==, 0);
  /* All the half-open ones are gone in time: the memory is back. */
  net_run (net, net->now + TSR_UTP_MANAGER_HALF_OPEN_US + SECOND, NULL, NULL);
  g_assert_cmpuint (tsr_utp_manager_get_n_half_open (net->nodes[1].manager), ==, 0);
  g_assert_cmpuint (tsr_utp_manager_get_n_connections (net->nodes[1].manager), <=, 1);
  app_free (dialler);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/utp-manager/dial-accept", test_dial_accept);
  g_test_add_func ("/utp-manager/release-finishes", test_release_finishes);
  g_test_add_func ("/utp-manager/acks/one-per-batch", test_acks_per_batch);
  g_test_add_func ("/utp-manager/unreachable", test_unreachable);
  g_test_add_func ("/utp-manager/many-connections", test_many_connections);
  g_test_add_func ("/utp-manager/reset/refused", test_refused);
  g_test_add_func ("/utp-manager/reset/unknown", test_unknown_answered_with_reset);
  g_test_add_func ("/utp-manager/syn-flood", test_syn_flood);
  g_test_add_func ("/utp-manager/syn-flood/many-ports", test_syn_flood_many_ports);
  g_test_add_func ("/utp-manager/hostile/spoofed-source", test_spoofed_source);
  g_test_add_func ("/utp-manager/hostile/reset-injection", test_reset_injection);
  g_test_add_func ("/utp-manager/connection-bound", test_connection_bound);
  g_test_add_func ("/utp-manager/ids/unique", test_ids_unique);
  g_test_add_func ("/utp-manager/ids/syn-in-use", test_syn_on_id_in_use);
  g_test_add_func ("/utp-manager/timer/drives-all", test_timer_drives_all);
  g_test_add_func ("/utp-manager/timer/gsource", test_timer_gsource);

  return g_test_run ();
}
