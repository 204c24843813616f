/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-ext-holepunch.c: ut_holepunch (swarm/tsr-ext-holepunch.c) in a
 * real extension host (swarm/tsr-extensions.c) whose connections are
 * fakes: the test records what the host is told to send and to whom,
 * what the extension asks its owner to dial, and moves the clock. As
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
#include "tsr-test-util.h"

/* The ids the fake peers give the extensions in their handshakes. */
#define THEIR_HOLEPUNCH_ID 9
#define THEIR_PEX_ID       7

typedef struct
{
  const char *name;
  TsrExtPeer *peer;
} Conn;

typedef struct
{
  Conn                *conn;
  guint8               id;
  TsrHolepunchMessage  message;   /* parsed; type 0xff when not ut_holepunch */
} Sent;

typedef struct
{
  TsrExtensions   *host;
  TsrExtHolepunch *holepunch;
  gint64           now;
  GArray          *sent;      /* (element-type Sent) extended messages, not handshakes */
  GPtrArray       *dialed;    /* (element-type utf8) what the owner was asked to dial */
  GPtrArray       *events;    /* (element-type utf8) "detail address" */
  GHashTable      *known;     /* (element-type utf8) addresses the owner knows of */
  GBytes          *ours;      /* (owned) (nullable) our last BEP 10 handshake */
} Fixture;

static void
host_send (gpointer              conn,
           const TsrWireMessage *message,
           gpointer              user_data)
{
  Fixture *f = user_data;
  Sent sent = { 0 };

  if (message->type == TSR_WIRE_EXTENDED && message->extended_id == 0)
    {
      g_clear_pointer (&f->ours, g_bytes_unref);
      f->ours = g_bytes_new (message->data, message->data_length);
      return;
    }
  if (message->type != TSR_WIRE_EXTENDED)
    return;
  sent.conn = conn;
  sent.id = message->extended_id;
  if (!tsr_holepunch_message_parse (message->data, message->data_length, &sent.message, NULL))
    sent.message.type = 0xff;
  g_array_append_val (f->sent, sent);
}

static void
host_close (gpointer    conn,
            const char *reason,
            gpointer    user_data)
{
  g_assert_not_reached ();
}

static void
host_handshake (gpointer                     conn,
                const TsrExtensionHandshake *theirs,
                const TsrPeerAddress        *listening,
                gpointer                     user_data)
{
}

static void
host_learned (const TsrPeerAddress *address,
              guint8                flags,
              gpointer              user_data)
{
}

static void
host_metainfo (TsrMetainfo  *info,
               const GError *error,
               gpointer      user_data)
{
}

static gboolean
host_has_piece (guint    index,
                gpointer user_data)
{
  return FALSE;
}

static gint64
host_now (gpointer user_data)
{
  return ((Fixture *) user_data)->now;
}

static const TsrExtensionsFuncs host_funcs = {
  .send = host_send,
  .close = host_close,
  .handshake = host_handshake,
  .learned = host_learned,
  .metainfo = host_metainfo,
  .has_piece = host_has_piece,
  .now = host_now,
};

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
  f->now = 1000;
  f->sent = g_array_new (FALSE, TRUE, sizeof (Sent));
  f->dialed = g_ptr_array_new_with_free_func (g_free);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->host = tsr_extensions_new (&host_funcs, f);
  /* ut_pex too, as in a torrent: the initiator hears of peers through it. */
  tsr_ext_pex_new (f->host);
  f->holepunch = tsr_ext_holepunch_new (f->host, &owner_funcs, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_extensions_free (f->host);
  g_array_unref (f->sent);
  g_ptr_array_unref (f->dialed);
  g_ptr_array_unref (f->events);
  g_hash_table_unref (f->known);
  g_clear_pointer (&f->ours, g_bytes_unref);
}

/* Whether our last BEP 10 handshake listed @name. */
static gboolean
we_offered (Fixture    *f,
            const char *name)
{
  g_autoptr(TsrExtensionHandshake) ours = NULL;

  g_assert_nonnull (f->ours);
  ours = tsr_extension_handshake_parse (g_bytes_get_data (f->ours, NULL), g_bytes_get_size (f->ours), NULL);
  g_assert_nonnull (ours);
  return g_hash_table_contains (ours->extensions, name);
}

static TsrPeerAddress
address_of (const char *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
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
  g_autoptr(TsrExtensionHandshake) theirs = tsr_extension_handshake_new ();
  g_autoptr(GBytes) payload = NULL;
  TsrPeerAddress parsed = address_of (address);
  TsrWireMessage message = { 0 };

  conn->peer = tsr_extensions_add_peer (f->host, conn, &parsed, NULL);
  tsr_extensions_peer_shaken (f->host, conn->peer, dialed, TRUE);
  g_hash_table_insert (theirs->extensions, g_strdup ("ut_pex"), GUINT_TO_POINTER (THEIR_PEX_ID));
  if (holepunch)
    g_hash_table_insert (theirs->extensions, g_strdup ("ut_holepunch"), GUINT_TO_POINTER (THEIR_HOLEPUNCH_ID));
  theirs->port = port;
  payload = tsr_extension_handshake_encode (theirs);
  message.type = TSR_WIRE_EXTENDED;
  message.data = g_bytes_get_data (payload, &message.data_length);
  tsr_extensions_on_message (f->host, conn->peer, &message);
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
  TsrWireMessage message = { 0 };

  hp.type = type;
  hp.address = address_of (address);
  hp.code = code;
  payload = tsr_holepunch_message_encode (&hp);
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = TSR_EXT_HOLEPUNCH_ID;
  message.data = g_bytes_get_data (payload, &message.data_length);
  tsr_extensions_on_message (f->host, conn->peer, &message);
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
  TsrWireMessage message = { 0 };

  peer.address = address_of (address);
  peer.flags = flags;
  g_array_append_val (pex->added, peer);
  payload = tsr_pex_message_encode (pex);
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = TSR_EXT_PEX_ID;
  message.data = g_bytes_get_data (payload, &message.data_length);
  tsr_extensions_on_message (f->host, from->peer, &message);
  /* BEP 11: one message a minute is taken from a peer. */
  f->now += TSR_PEX_INTERVAL;
}

static void
assert_sent (Fixture          *f,
             guint             i,
             Conn             *to,
             TsrHolepunchType  type,
             const char       *address,
             guint32           code)
{
  Sent *sent;
  g_autofree char *text = NULL;

  g_assert_cmpuint (i, <, f->sent->len);
  sent = &g_array_index (f->sent, Sent, i);
  g_assert_cmpstr (sent->conn->name, ==, to->name);
  /* By the id the peer gave (BEP 10). */
  g_assert_cmpuint (sent->id, ==, THEIR_HOLEPUNCH_ID);
  g_assert_cmpuint (sent->message.type, ==, type);
  text = tsr_peer_address_to_string (&sent->message.address);
  g_assert_cmpstr (text, ==, address);
  g_assert_cmpuint (sent->message.code, ==, code);
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
  g_assert_cmpuint (f->sent->len, ==, 0);
  g_assert_true (we_offered (f, "ut_holepunch"));
  /* A names B as peer exchange told it: host and told port. */
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->sent->len, ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "192.0.2.1:7001", 0);
  assert_sent (f, 1, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->dialed->len, ==, 0);
  /* By the address it is connected from, too. */
  g_array_set_size (f->sent, 0);
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:40002", 0);
  g_assert_cmpuint (f->sent->len, ==, 2);
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
  g_assert_cmpuint (f->sent->len, ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "192.0.2.1:40001", 0);
  assert_sent (f, 1, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  g_assert_true (g_ptr_array_find_with_equal_func (f->events, "holepunch-relayed 198.51.100.2:7002", g_str_equal, NULL));
  /* C came over TCP: named by its told port, from either side. */
  g_array_set_size (f->sent, 0);
  receive (f, &c, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:40002", 0);
  g_assert_cmpuint (f->sent->len, ==, 2);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_CONNECT, "203.0.113.3:7003", 0);
  assert_sent (f, 1, &c, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  g_array_set_size (f->sent, 0);
  receive (f, &b, TSR_HOLEPUNCH_RENDEZVOUS, "203.0.113.3:7003", 0);
  g_assert_cmpuint (f->sent->len, ==, 2);
  assert_sent (f, 0, &c, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:40002", 0);
  assert_sent (f, 1, &b, TSR_HOLEPUNCH_CONNECT, "203.0.113.3:7003", 0);
  /* B asking for itself by its uTP source is NoSelf, as by its told port. */
  g_array_set_size (f->sent, 0);
  receive (f, &b, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->sent->len, ==, 1);
  assert_sent (f, 0, &b, TSR_HOLEPUNCH_ERROR_MSG, "198.51.100.2:7002", TSR_HOLEPUNCH_NO_SELF);
  g_assert_cmpuint (f->dialed->len, ==, 0);
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
  g_assert_cmpuint (f->sent->len, ==, 4);
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
  g_assert_cmpuint (f->sent->len, ==, 2 * TSR_EXT_HOLEPUNCH_BURST);
  f->now += TSR_EXT_HOLEPUNCH_WINDOW;
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:6881", 0);
  g_assert_cmpuint (f->sent->len, ==, 2 * TSR_EXT_HOLEPUNCH_BURST + 2);
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
  g_assert_cmpuint (f->sent->len, ==, 0);
  /* A reachable peer that failed is just down; an unknown one has no relay. */
  {
    TsrPeerAddress reachable = address_of ("198.51.100.3:7003");
    TsrPeerAddress unknown = address_of ("198.51.100.4:7004");
    TsrPeerAddress natted = address_of ("198.51.100.2:7002");

    g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &reachable));
    g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &unknown));
    g_assert_cmpuint (f->sent->len, ==, 0);
    g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  }
  g_assert_cmpuint (f->sent->len, ==, 1);
  assert_sent (f, 0, &relay, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  g_assert_cmpuint (f->events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->events, 0), ==, "holepunch-rendezvous 198.51.100.2:7002");
}

static void
test_initiator_needs_relay_support (Fixture       *f,
                                    gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress natted = address_of ("198.51.100.2:7002");

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, FALSE);
  receive_pex (f, &relay, "198.51.100.2:7002", 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (f->sent->len, ==, 0);
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
  g_assert_cmpuint (f->sent->len, ==, 0);
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
  TsrPeerAddress natted = address_of ("198.51.100.2:7002");
  guint i;

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  receive_pex (f, &relay, "198.51.100.2:7002", 0);
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  /* The same target, again too soon. */
  f->now += TSR_EXT_HOLEPUNCH_TARGET_GAP - 1;
  tsr_extensions_tick (f->host);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  f->now += 1;
  tsr_extensions_tick (f->host);
  g_assert_true (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (f->sent->len, ==, 2);

  /* Many targets through one relay: a few a window. */
  f->now += TSR_EXT_HOLEPUNCH_WINDOW;
  g_array_set_size (f->sent, 0);
  for (i = 0; i < 2 * TSR_EXT_HOLEPUNCH_BURST; i++)
    {
      g_autofree char *text = g_strdup_printf ("198.51.100.%u:7000", 10 + i);
      TsrPeerAddress target = address_of (text);

      tsr_extensions_learned (f->host, relay.peer, &target, 0);
      tsr_ext_holepunch_dial_failed (f->holepunch, &target);
    }
  g_assert_cmpuint (f->sent->len, ==, TSR_EXT_HOLEPUNCH_BURST);
}

/* A swarm tells more addresses than are kept: the newest still counts. */
static void
test_initiator_learned_bounded (Fixture       *f,
                                gconstpointer  data)
{
  Conn relay = { "relay" };
  TsrPeerAddress last = address_of ("198.51.100.2:7002");
  guint i;

  add_conn (f, &relay, "203.0.113.1:6881", TRUE, 0, TRUE);
  for (i = 0; i < TSR_EXT_HOLEPUNCH_MAX_LEARNED; i++)
    {
      TsrPeerAddress address = address_of ("10.0.0.1:1");

      address.address[2] = (guint8) (i >> 8);
      address.address[3] = (guint8) i;
      tsr_extensions_learned (f->host, relay.peer, &address, 0);
    }
  tsr_extensions_learned (f->host, relay.peer, &last, 0);
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
  TsrPeerAddress natted = address_of ("198.51.100.2:7002");

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
  tsr_extensions_learned (f->host, relay.peer, &natted, TSR_PEX_FLAG_REACHABLE);
  g_assert_false (tsr_ext_holepunch_is_empty (f->holepunch));
  tsr_extensions_learned (f->host, relay.peer, &natted, 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  tsr_extensions_learned (f->host, relay.peer, &natted, TSR_PEX_FLAG_REACHABLE);
  f->now += TSR_EXT_HOLEPUNCH_TARGET_GAP;
  tsr_extensions_tick (f->host);
  g_assert_true (tsr_ext_holepunch_is_empty (f->holepunch));
  g_assert_cmpuint (f->sent->len, ==, 1);
}

/* BEP 27 -------------------------------------------------------------- */

static void
test_not_for_private (Fixture       *f,
                      gconstpointer  data)
{
  Conn a = { "a" }, b = { "b" };
  TsrPeerAddress natted = address_of ("198.51.100.2:7002");

  tsr_ext_holepunch_set_private (f->holepunch, TRUE);
  add_conn (f, &a, "192.0.2.1:40001", FALSE, 7001, TRUE);
  add_conn (f, &b, "198.51.100.2:40002", FALSE, 7002, TRUE);
  /* Not offered in our handshake. */
  g_assert_false (we_offered (f, "ut_holepunch"));
  receive (f, &a, TSR_HOLEPUNCH_RENDEZVOUS, "198.51.100.2:7002", 0);
  receive (f, &a, TSR_HOLEPUNCH_CONNECT, "198.51.100.2:7002", 0);
  tsr_extensions_learned (f->host, a.peer, &natted, 0);
  g_assert_false (tsr_ext_holepunch_dial_failed (f->holepunch, &natted));
  g_assert_cmpuint (f->sent->len, ==, 0);
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
