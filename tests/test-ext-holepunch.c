/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-ext-holepunch.c: ut_holepunch (swarm/tsr-ext-holepunch.c) in a
 * real extension host (swarm/tsr-extensions.c) whose connections are
 * fakes (tsr-test-ext-host.c, shared with test-extensions): it records
 * what the host is told to send and to whom, the test what the extension
 * asks its owner to dial, and moves the clock. As
 * relay, as initiator, the error codes, the rate limits and BEP 27.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-ext-holepunch.h"
#include "tsr-ext-pex.h"
#include "tsr-extensions.h"
#include "tsr-holepunch.h"
#include "tsr-pex.h"
#include "tsr-test-ext-host.h"
#include "tsr-test-util.h"

/* The ids the fake peers give the extensions in their handshakes. */
#define THEIR_HOLEPUNCH_ID 9
#define THEIR_PEX_ID       7

typedef TsrTestConn Conn;

typedef struct
{
  TsrTestExtHost   ext;       /* the host, what it sent, its clock: tsr-test-ext-host.c */
  TsrExtHolepunch *holepunch;
  GPtrArray       *dialed;    /* (element-type utf8) what the owner was asked to dial */
  GPtrArray       *events;    /* (element-type utf8) "detail address" */
  GHashTable      *known;     /* (element-type utf8) addresses the owner knows of */
} Fixture;

/* The messages sent to peers' extensions (BEP 10 handshakes aside). */
static guint
n_sent (Fixture *f)
{
  guint n = 0;
  guint i;

  for (i = 0; i < f->ext.sent->len; i++)
    {
      TsrTestSent *sent = g_ptr_array_index (f->ext.sent, i);

      n += sent->type == TSR_WIRE_EXTENDED && sent->id != 0;
    }
  return n;
}

/* The @i-th of them. */
static TsrTestSent *
sent_at (Fixture *f,
         guint    i)
{
  guint j;

  for (j = 0; j < f->ext.sent->len; j++)
    {
      TsrTestSent *sent = g_ptr_array_index (f->ext.sent, j);

      if (sent->type == TSR_WIRE_EXTENDED && sent->id != 0 && i-- == 0)
        return sent;
    }
  g_assert_not_reached ();
}

static void
forget_sent (Fixture *f)
{
  g_ptr_array_set_size (f->ext.sent, 0);
}

static void
owner_dial (const TsrPeerAddress *address,
            gpointer              user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->dialed, tsr_peer_address_to_string (address));
}

static gboolean
owner_known (const TsrPeerAddress *address,
             gpointer              user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  return g_hash_table_contains (f->known, text);
}

static void
owner_event (const TsrPeerAddress *address,
             const char           *detail,
             gpointer              user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  g_ptr_array_add (f->events, g_strdup_printf ("%s %s", detail, text));
}

static const TsrExtHolepunchFuncs owner_funcs = {
  .dial = owner_dial,
  .known = owner_known,
  .event = owner_event,
};

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  tsr_test_ext_host_init (&f->ext);
  f->dialed = g_ptr_array_new_with_free_func (g_free);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* ut_pex too, as in a torrent: the initiator hears of peers through it. */
  tsr_ext_pex_new (f->ext.host);
  f->holepunch = tsr_ext_holepunch_new (f->ext.host, &owner_funcs, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* ut_holepunch never closes a connection. */
  g_assert_null (strstr (f->ext.log->str, "close "));
  tsr_test_ext_host_clear (&f->ext);
  g_ptr_array_unref (f->dialed);
  g_ptr_array_unref (f->events);
  g_hash_table_unref (f->known);
}

/* Whether our last BEP 10 handshake listed @name. */
static gboolean
we_offered (Fixture    *f,
            const char *name)
{
  g_autoptr(TsrExtensionHandshake) ours = NULL;
  TsrTestSent *last = NULL;
  guint i;

  for (i = 0; i < f->ext.sent->len; i++)
    {
      TsrTestSent *sent = g_ptr_array_index (f->ext.sent, i);

      if (sent->type == TSR_WIRE_EXTENDED && sent->id == 0)
        last = sent;
    }
  g_assert_nonnull (last);
  ours = tsr_extension_handshake_parse (g_bytes_get_data (last->payload, NULL), g_bytes_get_size (last->payload),
                                        NULL);
  g_assert_nonnull (ours);
  return g_hash_table_contains (ours->extensions, name);
}

/* A connection that came to us from @address and told @port (BEP 10
 * "p"), speaking ut_holepunch when @holepunch. */
static void
add_conn (Fixture    *f,
          Conn       *conn,
          const char *address,
          gboolean    dialed,
          guint16     port,
          gboolean    holepunch)
{
  tsr_test_ext_host_add_conn (&f->ext, conn, address, dialed);
  tsr_test_ext_host_receive_handshake (&f->ext, conn, port, -1, "ut_pex", THEIR_PEX_ID,
                                       holepunch ? "ut_holepunch" : NULL, THEIR_HOLEPUNCH_ID, NULL);
}

static void
receive (Fixture          *f,
         Conn             *conn,
         TsrHolepunchType  type,
         const char       *address,
         guint32           code)
{
  TsrHolepunchMessage hp = { 0 };
  g_autoptr(GBytes) payload = NULL;

  hp.type = type;
  hp.address = tsr_test_address_of (address);
  hp.code = code;
  payload = tsr_holepunch_message_encode (&hp);
  tsr_test_ext_host_receive_extended (&f->ext, conn, TSR_EXT_HOLEPUNCH_ID, payload);
}

/* @from tells, by ut_pex, @address with @flags. */
static void
receive_pex (Fixture    *f,
             Conn       *from,
             const char *address,
             guint8      flags)
{
  g_autoptr(TsrPexMessage) pex = tsr_pex_message_new ();
  g_autoptr(GBytes) payload = NULL;
  TsrPexPeer peer = { 0 };

  peer.address = tsr_test_address_of (address);
  peer.flags = flags;
  g_array_append_val (pex->added, peer);
  payload = tsr_pex_message_encode (pex);
  tsr_test_ext_host_receive_extended (&f->ext, from, TSR_EXT_PEX_ID, payload);
  /* BEP 11: one message a minute is taken from a peer. */
  f->ext.now += TSR_PEX_INTERVAL;
}

static void
assert_sent (Fixture          *f,
             guint             i,
             Conn             *to,
             TsrHolepunchType  type,
             const char       *address,
             guint32           code)
{
  TsrTestSent *sent;
  TsrHolepunchMessage message;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (i, <, n_sent (f));
  sent = sent_at (f, i);
  g_assert_cmpstr (sent->conn->name, ==, to->name);
  /* By the id the peer gave (BEP 10). */
  g_assert_cmpuint (sent->id, ==, THEIR_HOLEPUNCH_ID);
  g_assert_true (tsr_holepunch_message_parse (g_bytes_get_data (sent->payload, NULL), g_bytes_get_size (sent->payload),
                                              &message, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (message.type, ==, type);
  text = tsr_peer_address_to_string (&message.address);
  g_assert_cmpstr (text, ==, address);
  g_assert_cmpuint (message.code, ==, code);
}

/* Relay --------------------------------------------------------------- */

static void
test_relay_forwards_connect (Fixture       *f,
                             gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" };

  /* Both came to us from behind their NATs, and told their ports. */
  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  add_conn (f, &b, "198.51.100.2:40002", FALSE, 7002, TRUE);
  g_assert_cmpuint (n_sent (f), ==, 0);
  g_assert_true (we_offered (f, "ut_holepunch"));
  /* A names B as peer exchange told it: host and told port. */
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (n_sent (f), ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "192.0.2.1:7001", 0);
  assert_sent (f, 1, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->dialed->len, ==, 0);
  /* By the address it is connected from, too. */
  forget_sent (f);
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:40002", 0);
  g_assert_cmpuint (n_sent (f), ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "192.0.2.1:7001", 0);
}

/* Behind NATs that do not keep source ports, peers connected over uTP
 * come from other ports than they told: the connects name those, where
 * their NATs let uTP in; a peer over TCP keeps its told port. */
static void
test_relay_names_utp_by_source (Fixture       *f,
                                gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" }, c = { "c" };

  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  tsr_ext_peer_set_utp (a.peer, TRUE);
  add_conn (f, &b, "198.51.100.2:40002", FALSE, 7002, TRUE);
  tsr_ext_peer_set_utp (b.peer, TRUE);
  add_conn (f, &c, "203.0.113.3:40003", FALSE, 7003, TRUE);
  /* A names B as peer exchange told it (host and told port): found. */
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (n_sent (f), ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "192.0.2.1:40001", 0);
  assert_sent (f, 1, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  g_assert_true (g_ptr_array_find_with_equal_func (f->events, "holepunch-relayed 198.51.100.2:7002", g_str_equal, NULL));
  /* C came over TCP: named by its told port, from either side. */
  forget_sent (f);
  receive (f, &c, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:40002", 0);
  g_assert_cmpuint (n_sent (f), ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "203.0.113.3:7003", 0);
  assert_sent (f, 1, &c, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  forget_sent (f);
  receive (f, &b, TSR_HOLEPUNCH_RENDEZVOUS, "203.0.113.3:7003", 0);
  g_assert_cmpuint (n_sent (f), ==, 2);
  assert_sent (f, 0, &c, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  assert_sent (f, 1, &b, TSR_HOLEPUNCH_CONNECT, "203.0.113.3:7003", 0);
  /* B asking for itself by its uTP source is NoSelf, as by its told port. */
  forget_sent (f);
  receive (f, &b, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (n_sent (f), ==, 1);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_ERROR_MSG, "198.51.100.2:7002", TSR_HOLEPUNCH_NO_SELF);
  g_assert_cmpuint (f->dialed->len, ==, 0);
}

/* Peer exchange says who speaks ut_holepunch and who came over uTP:
 * libtorrent asks for a rendezvous only for a peer told with the first. */
static void
test_pex_flags (Fixture       *f,
                gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" }, c = { "c" };
  g_autoptr(GArray) told = NULL;
  const TsrPexPeer *peer;

  add_conn (f, &a, "192.0.2.1:7001", FALSE, 7001, TRUE);
  tsr_ext_peer_set_utp (a.peer, TRUE);
  add_conn (f, &b, "198.51.100.2:40002", FALSE, 7002, FALSE);
  add_conn (f, &c, "203.0.113.3:7003", TRUE, 7003, TRUE);
  told = tsr_extensions_dup_dialable (f->ext.host, c.peer);
  g_assert_cmpuint (told->len, ==, 2);
  peer = &g_array_index (told, TsrPexPeer, 0);
  g_assert_cmpuint (peer->flags, ==, TSR_PEX_FLAG_UTP | TSR_PEX_FLAG_HOLEPUNCH);
  peer = &g_array_index (told, TsrPexPeer, 1);
  g_assert_cmpuint (peer->flags, ==, 0);
  g_clear_pointer (&told, g_array_unref);
  /* One we dialled over TCP, speaking it: reachable, and it punches. */
  told = tsr_extensions_dup_dialable (f->ext.host, a.peer);
  peer = &g_array_index (told, TsrPexPeer, 1);
  g_assert_cmpuint (peer->flags, ==, TSR_PEX_FLAG_REACHABLE | TSR_PEX_FLAG_HOLEPUNCH);
}

static void
test_relay_errors (Fixture       *f,
                   gconstpointer  data)
{
  Conn a = { "a" }, old = { "old" }, c = { "c" };

  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  add_conn (f, &old, "203.0.113.3:6881", TRUE, 0, FALSE);
  add_conn (f, &c, "203.0.113.4:6881", TRUE, 0, TRUE);
  g_hash_table_add (f->known, g_strdup ("203.0.113.9:6881"));

  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "203.0.113.8:6881", 0);
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "203.0.113.9:6881", 0);
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "203.0.113.3:6881", 0);
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "192.0.2.1:7001", 0);
  g_assert_cmpuint (n_sent (f), ==, 4);
  assert_sent (f, 0, &a, TSR_HOLEPUNCH_ERROR_MSG, "203.0.113.8:6881", TSR_HOLEPUNCH_NO_SUCH_PEER);
  assert_sent (f, 1, &a, TSR_HOLEPUNCH_ERROR_MSG, "203.0.113.9:6881", TSR_HOLEPUNCH_NOT_CONNECTED);
  assert_sent (f, 2, &a, TSR_HOLEPUNCH_ERROR_MSG, "203.0.113.3:6881", TSR_HOLEPUNCH_NO_SUPPORT);
  assert_sent (f, 3, &a, TSR_HOLEPUNCH_ERROR_MSG, "192.0.2.1:7001", TSR_HOLEPUNCH_NO_SELF);
  /* Nobody was sent a connect, nothing dialled. */
  g_assert_cmpuint (f->dialed->len, ==, 0);
}

static void
test_relay_rate_limit (Fixture       *f,
                       gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" };
  guint i;

  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  add_conn (f, &b, "198.51.100.2:6881", TRUE, 0, TRUE);
  for (i = 0; i < TSR_EXT_HOLEPUNCH_BURST + 3; i++)
    receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:6881", 0);
  /* Two connects per rendezvous taken, the rest ignored. */
  g_assert_cmpuint (n_sent (f), ==, 2 * TSR_EXT_HOLEPUNCH_BURST);
  f->ext.now += TSR_EXT_HOLEPUNCH_WINDOW;
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:6881", 0);
  g_assert_cmpuint (n_sent (f), ==, 2 * TSR_EXT_HOLEPUNCH_BURST + 2);
}

/* Initiator ----------------------------------------------------------- */

static void
test_initiator_after_failed_dial (Fixture       *f,
                                  gconstpointer  data)
{
  Conn relay = { "relay" };

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  receive_pex (f, &relay, "198.51.100.2:7002", TSR_PEX_FLAG_UTP | TSR_PEX_FLAG_HOLEPUNCH);
  receive_pex (f, &relay, "198.51.100.3:7003", TSR_PEX_FLAG_REACHABLE);
  /* Learning alone asks nothing. */
  g_assert_cmpuint (n_sent (f), ==, 0);
  /* A reachable peer that failed is just down; an unknown one has no relay. */
  {
    TsrPeerAddress reachable = tsr_test_address_of ("198.51.100.3:7003");
    TsrPeerAddress unknown = tsr_test_address_of ("198.51.100.4:7004");
    TsrPeerAddress natted = tsr_test_address_of ("198.51.100.2:7002");

    g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &reachable));
    g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &unknown));
    g_assert_cmpuint (n_sent (f), ==, 0);
    g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  }
  g_assert_cmpuint (n_sent (f), ==, 1);
  assert_sent (f, 0, &relay, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->events, 0), ==, "holepunch-rendezvous 198.51.100.2:7002");
}

static void
test_initiator_needs_relay_support (Fixture       *f,
                                    gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress natted = tsr_test_address_of ("198.51.100.2:7002");

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, FALSE);
  receive_pex (f, &relay, "198.51.100.2:7002", 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (n_sent (f), ==, 0);
}

static void
test_initiator_connect_dials (Fixture       *f,
                              gconstpointer  data)
{
  Conn relay = { "relay" }, other = { "other" };
  guint i;

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  add_conn (f, &other, "203.0.113.2:6881", TRUE, 0, TRUE);
  receive (f, &relay, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->dialed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->dialed, 0), ==, "198.51.100.2:7002");
  /* A connect naming the relay itself is not obeyed. */
  receive (f, &relay, TSR_HOLEPUNCH_CONNECT, "203.0.113.1:6881", 0);
  g_assert_cmpuint (f->dialed->len, ==, 1);
  /* An error is logged, nothing dialled or sent. */
  receive (f, &relay, TSR_HOLEPUNCH_ERROR_MSG, "198.51.100.5:7005", TSR_HOLEPUNCH_NOT_CONNECTED);
  g_assert_cmpuint (f->dialed->len, ==, 1);
  g_assert_cmpuint (n_sent (f), ==, 0);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->events, f->events->len - 1), "holepunch-error: "));
  /* One relay makes us dial a few addresses a minute, no more. */
  for (i = 0; i < 2 * TSR_EXT_HOLEPUNCH_BURST; i++)
    {
      g_autofree char *address = g_strdup_printf ("198.51.100.%u:7000", 10 + i);

      receive (f, &relay, TSR_HOLEPUNCH_CONNECT, address, 0);
    }
  g_assert_cmpuint (f->dialed->len, ==, TSR_EXT_HOLEPUNCH_BURST);
  /* Another relay has its own budget. */
  receive (f, &other, TSR_HOLEPUNCH_CONNECT, "198.51.100.99:7000", 0);
  g_assert_cmpuint (f->dialed->len, ==, TSR_EXT_HOLEPUNCH_BURST + 1);
}

static void
test_initiator_rate_limits (Fixture       *f,
                            gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress natted = tsr_test_address_of ("198.51.100.2:7002");
  guint i;

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  receive_pex (f, &relay, "198.51.100.2:7002", 0);
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  /* The same target, again too soon. */
  f->ext.now += TSR_EXT_HOLEPUNCH_TARGET_GAP - 1;
  tsr_extensions_tick (f->ext.host);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  f->ext.now += 1;
  tsr_extensions_tick (f->ext.host);
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (n_sent (f), ==, 2);

  /* Many targets through one relay: a few a window. */
  f->ext.now += TSR_EXT_HOLEPUNCH_WINDOW;
  forget_sent (f);
  for (i = 0; i < 2 * TSR_EXT_HOLEPUNCH_BURST; i++)
    {
      g_autofree char *text = g_strdup_printf ("198.51.100.%u:7000", 10 + i);
      TsrPeerAddress target = tsr_test_address_of (text);

      tsr_extensions_learned (f->ext.host, relay.peer, &target, 0);
      tsr_ext_holepunch_dial_failed (f->holepunch, &target);
    }
  g_assert_cmpuint (n_sent (f), ==, TSR_EXT_HOLEPUNCH_BURST);
}

/* A swarm tells more addresses than are kept: the newest still counts. */
static void
test_initiator_learned_bounded (Fixture       *f,
                                gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress last = tsr_test_address_of ("198.51.100.2:7002");
  guint i;

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  for (i = 0; i < TSR_EXT_HOLEPUNCH_MAX_LEARNED; i++)
    {
      TsrPeerAddress address = tsr_test_address_of ("10.0.0.1:1");

      address.address[2] = (guint8) (i >> 8);
      address.address[3] = (guint8) i;
      tsr_extensions_learned (f->ext.host, relay.peer, &address, 0);
    }
  tsr_extensions_learned (f->ext.host, relay.peer, &last, 0);
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &last));
  assert_sent (f, 0, &relay, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
}

/* An idle torrent keeps no table; they come with the first entry and
 * go with the last, and what they hold still counts in between. */
static void
test_tables_only_with_entries (Fixture       *f,
                               gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress natted = tsr_test_address_of ("198.51.100.2:7002");

  g_assert_true (tsr_ext_holepunch_is_empty (f->holepunch));
  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  /* Unknown address, no table: no rendezvous, and still none made. */
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_true (tsr_ext_holepunch_is_empty (f->holepunch));
  receive_pex (f, &relay, "198.51.100.2:7002", 0);
  g_assert_false (tsr_ext_holepunch_is_empty (f->holepunch));
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  /* Told reachable: the learned table goes; the rendezvous record stays
   * until its gap passes, and keeps a second one from going out. */
  tsr_extensions_learned (f->ext.host, relay.peer, &natted, TSR_PEX_FLAG_REACHABLE);
  g_assert_false (tsr_ext_holepunch_is_empty (f->holepunch));
  tsr_extensions_learned (f->ext.host, relay.peer, &natted, 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  tsr_extensions_learned (f->ext.host, relay.peer, &natted, TSR_PEX_FLAG_REACHABLE);
  f->ext.now += TSR_EXT_HOLEPUNCH_TARGET_GAP;
  tsr_extensions_tick (f->ext.host);
  g_assert_true (tsr_ext_holepunch_is_empty (f->holepunch));
  g_assert_cmpuint (n_sent (f), ==, 1);
}

/* BEP 27 -------------------------------------------------------------- */

static void
test_not_for_private (Fixture       *f,
                      gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" };
  TsrPeerAddress natted = tsr_test_address_of ("198.51.100.2:7002");

  tsr_ext_holepunch_set_private (f->holepunch, TRUE);
  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  add_conn (f, &b, "198.51.100.2:40002", FALSE, 7002, TRUE);
  /* Not offered in our handshake. */
  g_assert_false (we_offered (f, "ut_holepunch"));
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  receive (f, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:7002", 0);
  tsr_extensions_learned (f->ext.host, a.peer, &natted, 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (n_sent (f), ==, 0);
  g_assert_cmpuint (f->dialed->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/ext-holepunch/relay/forwards-connect", Fixture, NULL, fixture_set_up,
              test_relay_forwards_connect, fixture_tear_down);
  g_test_add ("/ext-holepunch/relay/names-utp-by-source", Fixture, NULL, fixture_set_up,
              test_relay_names_utp_by_source, fixture_tear_down);
  g_test_add ("/ext-holepunch/pex-flags", Fixture, NULL, fixture_set_up, test_pex_flags, fixture_tear_down);
  g_test_add ("/ext-holepunch/relay/errors", Fixture, NULL, fixture_set_up,
              test_relay_errors, fixture_tear_down);
  g_test_add ("/ext-holepunch/relay/rate-limit", Fixture, NULL, fixture_set_up,
              test_relay_rate_limit, fixture_tear_down);
  g_test_add ("/ext-holepunch/initiator/after-failed-dial", Fixture, NULL, fixture_set_up,
              test_initiator_after_failed_dial, fixture_tear_down);
  g_test_add ("/ext-holepunch/initiator/needs-relay-support", Fixture, NULL, fixture_set_up,
              test_initiator_needs_relay_support, fixture_tear_down);
  g_test_add ("/ext-holepunch/initiator/connect-dials", Fixture, NULL, fixture_set_up,
              test_initiator_connect_dials, fixture_tear_down);
  g_test_add ("/ext-holepunch/initiator/rate-limits", Fixture, NULL, fixture_set_up,
              test_initiator_rate_limits, fixture_tear_down);
  g_test_add ("/ext-holepunch/initiator/learned-bounded", Fixture, NULL, fixture_set_up,
              test_initiator_learned_bounded, fixture_tear_down);
  g_test_add ("/ext-holepunch/tables-only-with-entries", Fixture, NULL, fixture_set_up,
              test_tables_only_with_entries, fixture_tear_down);
  g_test_add ("/ext-holepunch/not-for-private", Fixture, NULL, fixture_set_up,
              test_not_for_private, fixture_tear_down);
  return g_test_run ();
}
