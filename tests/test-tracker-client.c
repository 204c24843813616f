/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-tracker-client.c: TsrTracker's announce timing against a SoupServer on
 * 127.0.0.1: after a first reply with interval 1800 and no "min
 * interval" the next announce is 1800 s away (not 10 s), running out of
 * peers brings it to 5 minutes after the last, the user's request to a
 * minute, and a "min interval" bounds both. Scrapes follow their
 * schedule (BEP 48: the first 5 s after the plan, then every 30 min).
 * Also: "stopped" overtakes a
 * "started" the tracker never answers. And BEP 15 against a fake UDP
 * tracker: through a shared TsrUdpSocket every request leaves from its
 * port and the replies come back through its demultiplexer (announce,
 * "stopped", scrape); without one, from a socket of the tracker's own;
 * and a session's torrent announces from the port its DHT node uses.
 * A UDP tracker on a closed port fails through the shared socket as soon
 * as the kernel's ICMP error arrives (not after BEP 15's 15 s), and the
 * next tracker is asked.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-dht.h"
#include "tsr-magnet.h"
#include "tsr-session.h"
#include "tsr-test-util.h"
#include "tsr-torrent.h"
#include "tsr-tracker.h"
#include "tsr-udp-socket.h"

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *reply;        /* (owned) bencoded; NULL: never answer */
  GPtrArray  *queries;      /* (element-type utf8) */
  guint       answered;
} Fixture;

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  GUri *uri = soup_server_message_get_uri (message);

  g_ptr_array_add (f->queries, g_strdup (g_uri_get_query (uri)));
  if (f->reply == NULL)
    {
      /* Held forever: the tracker "never answers". */
      soup_server_message_pause (message);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, f->reply, strlen (f->reply));
  f->answered++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->queries = g_ptr_array_new_with_free_func (g_free);
  f->reply = g_strdup (data);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/announce", on_request, f, NULL);
  soup_server_add_handler (f->server, "/scrape", on_request, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%d/announce", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  g_ptr_array_unref (f->queries);
  g_free (f->reply);
  g_free (f->url);
}

static TsrTracker *
tracker_for (Fixture *f)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);
  guint8 hash[20];
  guint8 peer_id[20];

  memset (hash, 0xab, sizeof hash);
  memcpy (peer_id, "-TE0100-testtesttest", 20);
  g_ptr_array_add (tier, g_strdup (f->url));
  g_ptr_array_add (tiers, tier);
  return tsr_tracker_new_for_hash (hash, tiers, peer_id, 6881, NULL, NULL);
}

/* Iterates the main context until @count requests reached the server and
 * the tracker is idle, or fails after 10 s. */
static void
wait_for_requests (Fixture    *f,
                   TsrTracker *tracker,
                   guint       count)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (f->queries->len < count || (f->reply != NULL && tsr_tracker_is_busy (tracker)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_no_early_announce (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);
  gint64 next;

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  g_assert_cmpuint (f->answered, ==, 1);
  /* The interval, not a quick second announce. */
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 1790);
  g_assert_cmpint (next, <=, 1800);
  /* Out of peers: five minutes after the last, not one. */
  tsr_tracker_want_peers (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 290);
  g_assert_cmpint (next, <=, 300);
  /* The user asks: a minute after the last. */
  tsr_tracker_announce_soon (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 50);
  g_assert_cmpint (next, <=, 60);
  g_assert_cmpuint (f->queries->len, ==, 1);
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
}

static void
test_min_interval_bounds (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);
  gint64 next;

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  /* "min interval" 120: wanting peers waits that, not five minutes... */
  tsr_tracker_want_peers (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 110);
  g_assert_cmpint (next, <=, 120);
  /* ...and the user's request does not shorten it (whole seconds left:
   * the second may have turned meanwhile). */
  tsr_tracker_announce_soon (tracker);
  g_assert_cmpint (tsr_tracker_get_next_announce (tracker), >=, next - 1);
  g_assert_cmpint (tsr_tracker_get_next_announce (tracker), <=, next);
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
}

static void
test_stopped_overtakes_started (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  g_assert_true (tsr_tracker_is_busy (tracker));
  /* "started" is held by the server: "stopped" goes out anyway. */
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (f->queries, 0), "event=started"));
  g_assert_nonnull (strstr (g_ptr_array_index (f->queries, 1), "event=stopped"));
}

/* Scrapes on the owner's clock: none before they are planned, the first
 * TSR_TRACKER_SCRAPE_FIRST s after the plan, then one every
 * TSR_TRACKER_SCRAPE_INTERVAL s; asked for, one now and the next an
 * interval after it. */
static void
test_scrape_schedule (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);
  const gint64 start = 100000;

  g_assert_cmpint (tsr_tracker_get_scrape_due (tracker), ==, G_MAXINT64);
  tsr_tracker_scrape_when_due (tracker, start);
  tsr_tracker_plan_scrapes (tracker, start);
  g_assert_cmpint (tsr_tracker_get_scrape_due (tracker), ==, start + 5);
  tsr_tracker_scrape_when_due (tracker, start + 4);
  tsr_test_run_for (200);
  g_assert_cmpuint (f->queries->len, ==, 0);
  tsr_tracker_scrape_when_due (tracker, start + 5);
  wait_for_requests (f, tracker, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->queries, 0), "info_hash="));
  g_assert_cmpint (tsr_tracker_get_scrape_due (tracker), ==, start + 5 + 30 * 60);
  tsr_tracker_scrape_when_due (tracker, start + 5 + 30 * 60 - 1);
  tsr_test_run_for (200);
  g_assert_cmpuint (f->queries->len, ==, 1);
  tsr_tracker_scrape_when_due (tracker, start + 5 + 30 * 60);
  wait_for_requests (f, tracker, 2);
  /* Asked for: now, and the schedule moves on from it. */
  g_assert_true (tsr_tracker_scrape_now (tracker, start + 2000));
  wait_for_requests (f, tracker, 3);
  g_assert_cmpint (tsr_tracker_get_scrape_due (tracker), ==, start + 2000 + 30 * 60);
  g_assert_cmpuint (f->queries->len, ==, 3);
}

static void
test_scrape_without_urls (void)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new ();
  g_autoptr(TsrTracker) tracker = NULL;
  guint8 hash[20] = { 0 };
  guint8 peer_id[20] = { 0 };

  tracker = tsr_tracker_new_for_hash (hash, tiers, peer_id, 6881, NULL, NULL);
  tsr_tracker_plan_scrapes (tracker, 50);
  /* Nothing to ask: the plan stays. */
  g_assert_false (tsr_tracker_scrape_now (tracker, 60));
  tsr_tracker_scrape_when_due (tracker, 60);
  g_assert_cmpint (tsr_tracker_get_scrape_due (tracker), ==, 55);
}

/* ------------------------------------------------------------------ */
/* UDP (BEP 15)                                                        */

typedef struct
{
  GSocket    *socket;     /* a fake tracker on 127.0.0.1 */
  GSource    *source;
  GArray     *senders;    /* (element-type TsrPeerAddress) of each request */
  GArray     *actions;    /* (element-type guint32) of each request */
  guint32     last_event; /* of the last announce */
  GArray     *peers;      /* (element-type TsrPeerAddress) from the "peers" signal */
  gint64      seeders;    /* from "scrape"; -1 before */
} UdpFixture;

static void
put32 (guint8  *out,
       guint32  value)
{
  out[0] = (guint8) (value >> 24);
  out[1] = (guint8) (value >> 16);
  out[2] = (guint8) (value >> 8);
  out[3] = (guint8) value;
}

static guint32
get32 (const guint8 *in)
{
  return (guint32) in[0] << 24 | (guint32) in[1] << 16 | (guint32) in[2] << 8 | in[3];
}

/* Answers connect (connection id 0x0102030405060708), announce (interval
 * 1800, one peer 127.0.0.1:7777) and scrape (5 seeders, 6 completed, 7
 * leechers). */
static gboolean
on_fake_tracker_readable (GSocket      *socket,
                          GIOCondition  condition,
                          gpointer      user_data)
{
  UdpFixture *f = user_data;
  guint8 in[2048];
  guint8 out[64];
  gsize length = 0;
  g_autoptr(GSocketAddress) from = NULL;
  TsrPeerAddress sender;
  guint32 action;
  gssize n = g_socket_receive_from (socket, &from, (char *) in, sizeof in, NULL, NULL);

  if (n < 16)
    return G_SOURCE_CONTINUE;
  g_assert_true (tsr_peer_address_from_socket (from, &sender));
  action = get32 (in + 8);
  g_array_append_val (f->senders, sender);
  g_array_append_val (f->actions, action);
  put32 (out, action);
  memcpy (out + 4, in + 12, 4);
  if (action == 0)
    {
      memcpy (out + 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
      length = 16;
    }
  else if (action == 1 && n >= 98)
    {
      f->last_event = get32 (in + 80);
      put32 (out + 8, 1800);
      put32 (out + 12, 1);
      put32 (out + 16, 1);
      memcpy (out + 20, "\x7f\x00\x00\x01\x1e\x61", 6);
      length = 26;
    }
  else if (action == 2)
    {
      put32 (out + 8, 5);
      put32 (out + 12, 6);
      put32 (out + 16, 7);
      length = 20;
    }
  if (length > 0)
    g_socket_send_to (socket, from, (const char *) out, length, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static void
udp_fixture_set_up (UdpFixture    *f,
                    gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;

  f->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (f->socket, where, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (f->socket, FALSE);
  f->source = g_socket_create_source (f->socket, G_IO_IN, NULL);
  g_source_set_callback (f->source, (GSourceFunc) (void (*) (void)) on_fake_tracker_readable, f, NULL);
  g_source_attach (f->source, NULL);
  f->senders = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  f->actions = g_array_new (FALSE, FALSE, sizeof (guint32));
  f->peers = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  f->seeders = -1;
}

static void
udp_fixture_tear_down (UdpFixture    *f,
                       gconstpointer  data)
{
  g_source_destroy (f->source);
  g_source_unref (f->source);
  g_object_unref (f->socket);
  g_array_unref (f->senders);
  g_array_unref (f->actions);
  g_array_unref (f->peers);
}

static void
on_udp_peers (TsrTracker *tracker,
              GArray     *peers,
              UdpFixture *f)
{
  guint i;

  for (i = 0; i < peers->len; i++)
    g_array_append_val (f->peers, g_array_index (peers, TsrAnnouncePeer, i).address);
}

static void
on_udp_scrape (TsrTracker *tracker,
               const char *url,
               gint64      seeders,
               gint64      leechers,
               gint64      downloaded,
               UdpFixture *f)
{
  f->seeders = seeders;
}

static TsrTracker *
udp_tracker_for (UdpFixture *f)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (f->socket, NULL);
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);
  TsrTracker *tracker;
  guint8 hash[20];
  guint8 peer_id[20];

  memset (hash, 0xab, sizeof hash);
  memcpy (peer_id, "-TE0100-testtesttest", 20);
  g_ptr_array_add (tier, g_strdup_printf ("udp://127.0.0.1:%u/announce",
                                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local))));
  g_ptr_array_add (tiers, tier);
  tracker = tsr_tracker_new_for_hash (hash, tiers, peer_id, 6881, NULL, NULL);
  g_signal_connect (tracker, "peers", G_CALLBACK (on_udp_peers), f);
  g_signal_connect (tracker, "scrape", G_CALLBACK (on_udp_scrape), f);
  return tracker;
}

#define WAIT_FOR(condition) \
  G_STMT_START \
    { \
      gint64 end_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; \
 \
      while (!(condition)) \
        { \
          g_assert_cmpint (g_get_monotonic_time (), <, end_); \
          g_main_context_iteration (NULL, FALSE); \
          g_usleep (1000); \
        } \
    } \
  G_STMT_END

static void
test_udp_shared_socket (UdpFixture    *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autoptr(TsrTracker) tracker = udp_tracker_for (f);
  TsrUdpDemux *demux;
  TsrPeerAddress ours;
  TsrPeerAddress expected;
  guint i;

  g_assert_no_error (error);
  demux = tsr_udp_socket_get_demux (udp);
  g_assert_true (tsr_peer_address_parse ("127.0.0.1:7777", &expected));
  tsr_tracker_set_udp_sockets (tracker, udp, NULL);
  tsr_tracker_start (tracker);
  WAIT_FOR (f->peers->len == 1 && !tsr_tracker_is_busy (tracker));
  g_assert_true (tsr_peer_address_equal (&g_array_index (f->peers, TsrPeerAddress, 0), &expected));
  /* connect, then announce "started" (2), both from the shared port. */
  g_assert_cmpuint (f->actions->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->actions, guint32, 0), ==, 0);
  g_assert_cmpuint (g_array_index (f->actions, guint32, 1), ==, 1);
  g_assert_cmpuint (f->last_event, ==, 2);
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_TRACKER), ==, 2);
  g_assert_cmpuint (tsr_udp_demux_get_n_transactions (demux), ==, 0);

  /* "stopped" (3) the same way. */
  tsr_tracker_stop (tracker);
  WAIT_FOR (!tsr_tracker_is_busy (tracker));
  g_assert_cmpuint (f->actions->len, ==, 4);
  g_assert_cmpuint (f->last_event, ==, 3);

  /* A scrape too. */
  tsr_tracker_scrape (tracker);
  WAIT_FOR (f->seeders >= 0);
  g_assert_cmpint (f->seeders, ==, 5);
  g_assert_cmpuint (f->actions->len, ==, 6);
  g_assert_cmpuint (g_array_index (f->actions, guint32, 5), ==, 2);
  g_assert_cmpuint (tsr_udp_demux_get_count (demux, TSR_UDP_KIND_TRACKER), ==, 6);
  g_assert_cmpuint (tsr_udp_demux_get_n_transactions (demux), ==, 0);

  g_assert_true (tsr_peer_address_parse ("127.0.0.1:1", &ours));
  ours.port = tsr_udp_socket_get_port (udp);
  for (i = 0; i < f->senders->len; i++)
    g_assert_true (tsr_peer_address_equal (&g_array_index (f->senders, TsrPeerAddress, i), &ours));
}

/* Without a shared socket (tsr-cli announce, a torrent outside a
 * session): a socket of the attempt's own, as before. */
static void
test_udp_own_socket (UdpFixture    *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autoptr(TsrTracker) tracker = udp_tracker_for (f);

  g_assert_no_error (error);
  tsr_tracker_start (tracker);
  WAIT_FOR (f->peers->len == 1 && !tsr_tracker_is_busy (tracker));
  g_assert_cmpuint (f->actions->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->senders, TsrPeerAddress, 0).port, !=, tsr_udp_socket_get_port (udp));
  g_assert_cmpuint (tsr_udp_demux_get_count (tsr_udp_socket_get_demux (udp), TSR_UDP_KIND_TRACKER), ==, 0);
  tsr_tracker_stop (tracker);
  WAIT_FOR (!tsr_tracker_is_busy (tracker));
  g_assert_cmpuint (f->last_event, ==, 3);
}

typedef struct
{
  char *url;       /* (owned) (nullable) of the last "error" */
  char *message;   /* (owned) (nullable) */
  guint count;
} Errors;

static void
on_udp_error (TsrTracker *tracker,
              const char *url,
              const char *message,
              Errors     *errors)
{
  g_free (errors->url);
  g_free (errors->message);
  errors->url = g_strdup (url);
  errors->message = g_strdup (message);
  errors->count++;
}

/* The first tier's tracker has nothing on its port: the ICMP error on
 * the shared socket fails it at once, and the second tier's answers,
 * all within 2 s (BEP 15's first retransmission is 15 s away). */
static void
test_udp_unreachable (UdpFixture    *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrUdpSocket) udp = tsr_udp_socket_new ("127.0.0.1", TSR_PEER_ADDRESS_IPV4, 0, &error);
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (f->socket, NULL);
  g_autoptr(GSocket) gone = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                                          NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) closed_address = NULL;
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(TsrTracker) tracker = NULL;
  g_autofree char *closed_url = NULL;
  g_autofree char *expected = g_strdup_printf ("The tracker is unreachable: %s", g_strerror (ECONNREFUSED));
  TsrUdpSocketStats stats;
  TsrPeerAddress closed;
  GPtrArray *tier;
  Errors errors = { 0 };
  guint8 hash[20];
  guint8 peer_id[20];
  gint64 start;

  g_assert_no_error (error);
  /* A port just closed: nothing listens there. */
  g_assert_true (g_socket_bind (gone, where, FALSE, NULL));
  closed_address = g_socket_get_local_address (gone, NULL);
  g_assert_true (tsr_peer_address_from_socket (closed_address, &closed));
  g_socket_close (gone, NULL);
  closed_url = g_strdup_printf ("udp://127.0.0.1:%u/announce", closed.port);

  memset (hash, 0xab, sizeof hash);
  memcpy (peer_id, "-TE0100-testtesttest", 20);
  tier = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tier, g_strdup (closed_url));
  g_ptr_array_add (tiers, tier);
  tier = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tier, g_strdup_printf ("udp://127.0.0.1:%u/announce",
                                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local))));
  g_ptr_array_add (tiers, tier);
  tracker = tsr_tracker_new_for_hash (hash, tiers, peer_id, 6881, NULL, NULL);
  g_signal_connect (tracker, "peers", G_CALLBACK (on_udp_peers), f);
  g_signal_connect (tracker, "error", G_CALLBACK (on_udp_error), &errors);
  tsr_tracker_set_udp_sockets (tracker, udp, NULL);

  start = g_get_monotonic_time ();
  tsr_tracker_start (tracker);
  WAIT_FOR (errors.count > 0 || f->peers->len > 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (errors.count, ==, 1);
  g_assert_cmpstr (errors.url, ==, closed_url);
  g_assert_cmpstr (errors.message, ==, expected);
  /* On to the next tier, which answers. */
  WAIT_FOR (f->peers->len == 1 && !tsr_tracker_is_busy (tracker));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (errors.count, ==, 1);
  tsr_udp_socket_get_stats (udp, &stats);
  g_assert_cmpuint (stats.unreachable, ==, 1);
  g_assert_cmpuint (stats.unclaimed, ==, 0);
  g_assert_cmpuint (tsr_udp_demux_get_n_transactions (tsr_udp_socket_get_demux (udp)), ==, 0);

  /* The attempt is over: another error for that address is nobody's,
   * counted and dropped. */
  g_assert_true (tsr_udp_socket_send (udp, &closed, (const guint8 *) "late", 4));
  WAIT_FOR ((tsr_udp_socket_get_stats (udp, &stats), stats.unreachable == 2));
  g_assert_cmpuint (stats.unclaimed, ==, 1);
  g_assert_cmpuint (tsr_udp_demux_get_unclaimed (tsr_udp_socket_get_demux (udp)), ==, 1);
  g_assert_cmpuint (errors.count, ==, 1);

  tsr_tracker_stop (tracker);
  WAIT_FOR (!tsr_tracker_is_busy (tracker));
  g_free (errors.url);
  g_free (errors.message);
}

/* A session's torrent: its UDP tracker hears from the session's socket,
 * the one its DHT node answers on, on the listen port's number. */
static void
test_udp_session_listen_port (UdpFixture    *f,
                              gconstpointer  data)
{
  static const char *const bootstrap[] = { "127.0.0.1:9", NULL };
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (f->socket, NULL);
  g_autofree char *uri = g_strdup_printf ("magnet:?xt=urn:btih:%s&tr=udp://127.0.0.1:%u/announce",
                                          "abababababababababababababababababababab",
                                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  g_autofree char *folder = g_dir_make_tmp ("tsr-tracker-XXXXXX", NULL);
  g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (uri, NULL);
  g_autoptr(TsrSession) session = tsr_session_new ();
  g_autoptr(GError) error = NULL;
  TsrTorrent *torrent;
  TsrDht *dht;
  guint16 port;

  g_assert_nonnull (magnet);
  g_assert_nonnull (folder);
  g_assert_true (tsr_session_listen_on (session, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  tsr_session_set_dht (session, TRUE, NULL, bootstrap);
  dht = tsr_session_get_dht (session);
  g_assert_nonnull (dht);
  port = tsr_dht_get_port (dht);
  if (port != tsr_session_get_port (session))
    g_test_message ("UDP port %u was taken: the session's UDP socket is on %u", tsr_session_get_port (session),
                    port);
  torrent = tsr_session_add_magnet (session, magnet, folder);
  tsr_torrent_enable_trackers (torrent, tsr_session_get_port (session));
  tsr_torrent_start (torrent);
  WAIT_FOR (f->actions->len >= 2);
  g_assert_cmpuint (g_array_index (f->actions, guint32, 0), ==, 0);
  g_assert_cmpuint (g_array_index (f->actions, guint32, 1), ==, 1);
  g_assert_cmpuint (g_array_index (f->senders, TsrPeerAddress, 0).port, ==, port);
  g_assert_cmpuint (g_array_index (f->senders, TsrPeerAddress, 1).port, ==, port);
  tsr_torrent_stop (torrent);
  WAIT_FOR (!tsr_torrent_is_announcing (torrent));
  g_assert_cmpuint (f->last_event, ==, 3);
  g_clear_object (&session);
  tsr_test_remove_tree (folder);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tracker/no-early-announce", Fixture, "d8:intervali1800e5:peers0:e",
              fixture_set_up, test_no_early_announce, fixture_tear_down);
  g_test_add ("/tracker/min-interval-bounds", Fixture, "d8:intervali1800e12:min intervali120e5:peers0:e",
              fixture_set_up, test_min_interval_bounds, fixture_tear_down);
  g_test_add ("/tracker/scrape/schedule", Fixture, "d8:intervali1800e5:peers0:e",
              fixture_set_up, test_scrape_schedule, fixture_tear_down);
  g_test_add_func ("/tracker/scrape/without-urls", test_scrape_without_urls);
  g_test_add ("/tracker/stopped-overtakes-started", Fixture, NULL,
              fixture_set_up, test_stopped_overtakes_started, fixture_tear_down);
  g_test_add ("/tracker/udp/shared-socket", UdpFixture, NULL,
              udp_fixture_set_up, test_udp_shared_socket, udp_fixture_tear_down);
  g_test_add ("/tracker/udp/unreachable", UdpFixture, NULL,
              udp_fixture_set_up, test_udp_unreachable, udp_fixture_tear_down);
  g_test_add ("/tracker/udp/own-socket", UdpFixture, NULL,
              udp_fixture_set_up, test_udp_own_socket, udp_fixture_tear_down);
  g_test_add ("/tracker/udp/session-listen-port", UdpFixture, NULL,
              udp_fixture_set_up, test_udp_session_listen_port, udp_fixture_tear_down);
  return g_test_run ();
}
