/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-swarm.c: TsrSwarm over real TsrPeerConn/TsrPeer connections on
 * memory streams (g_simple_io_stream_new), without sockets. A fed
 * connection reads the handshake and messages the test wrote, then the
 * end of the stream closes it; an idle one is never started. The members
 * are the test's: what the swarm asks of them and tells ("close B Over
 * the connection limit", "choked A 0", "banned 127.0.0.1:0 spoilt") and
 * what their connections report ("refused B", "closed B ...") go to one
 * log, one line each.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-swarm.h"

#define OUR_ID "-TS0000-ourselves000"
#define HANDSHAKE_ROUNDS 1000
#define N_PIECES 8

typedef struct
{
  TsrSwarm       *swarm;
  TsrPiecePicker *picker;  /* what the members have, counted */
  GString        *log;
} Fixture;

typedef struct
{
  Fixture     *f;
  char         name;
  TsrPeerConn *conn;   /* (owned) */
} Member;

static void
member_free (Member *m)
{
  tsr_peer_conn_free (m->conn);
  g_free (m);
}

/* TsrSwarmFuncs ------------------------------------------------------ */

static TsrPeerConn *
swarm_conn (gpointer member,
            gpointer user_data)
{
  return ((Member *) member)->conn;
}

static void
swarm_close (gpointer    member,
             const char *reason,
             gpointer    user_data)
{
  Member *m = member;

  /* As the torrent's close_later: once. */
  if (tsr_peer_conn_close_later (m->conn, reason))
    g_string_append_printf (m->f->log, "close %c %s\n", m->name, reason);
}

static gboolean
swarm_snubbed (gpointer member,
               gpointer user_data)
{
  return FALSE;
}

static void
swarm_choked (gpointer member,
              gboolean choked,
              gpointer user_data)
{
  Member *m = member;

  g_string_append_printf (m->f->log, "choked %c %d\n", m->name, choked);
}

static void
swarm_banned (const TsrPeerAddress *key,
              const char           *reason,
              gpointer              user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = tsr_peer_address_to_string (key);

  g_string_append_printf (f->log, "banned %s %s\n", text, reason);
}

static Member *add_idle (Fixture *f, char name, guint16 port, gboolean dialed);

/* Dialled members are named by the last digit of their port. */
static void
swarm_dial (const TsrPeerAddress *address,
            gboolean              plaintext,
            gpointer              user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "dial %u\n", address->port);
  add_idle (f, '0' + address->port % 10, address->port, TRUE);
}

static const TsrSwarmFuncs swarm_funcs = {
  .conn = swarm_conn,
  .close = swarm_close,
  .snubbed = swarm_snubbed,
  .choked = swarm_choked,
  .banned = swarm_banned,
  .dial = swarm_dial,
};

/* TsrPeerConnFuncs: the handshake goes through the swarm's checks, as
 * in the torrent; the rest is not this test's business. */
static void
on_handshake (TsrPeerConn            *conn,
              const TsrWireHandshake *theirs,
              gpointer                member)
{
  Member *m = member;
  TsrWireHandshake ours = *theirs;

  if (!tsr_swarm_check_handshake (m->f->swarm, m, (const guint8 *) OUR_ID, theirs))
    {
      g_string_append_printf (m->f->log, "refused %c\n", m->name);
      return;
    }
  memcpy (ours.peer_id, OUR_ID, 20);
  tsr_peer_accept (tsr_peer_conn_get_peer (conn), &ours);
  tsr_peer_conn_greet (conn, theirs, NULL);
}

static void
on_changed (TsrPeerConn   *conn,
            TsrPeerChange  change,
            guint          index,
            gpointer       member)
{
}

static void
on_message (TsrPeerConn          *conn,
            const TsrWireMessage *message,
            gpointer              member)
{
}

static void
on_dht_node (TsrPeerConn          *conn,
             const TsrPeerAddress *node,
             gpointer              member)
{
}

static void
on_drained (TsrPeerConn *conn,
            gpointer     member)
{
}

static void
on_closed (TsrPeerConn *conn,
           const char  *reason,
           gpointer     member)
{
  Member *m = member;

  g_string_append_printf (m->f->log, "closed %c %s\n", m->name, reason != NULL ? reason : "(by us)");
}

static const TsrPeerConnFuncs conn_funcs = {
  .handshake = on_handshake,
  .changed = on_changed,
  .block = on_message,
  .request = on_message,
  .reject = on_message,
  .extension = on_message,
  .dht_node = on_dht_node,
  .drained = on_drained,
  .closed = on_closed,
};

/* Set-up --------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->swarm = tsr_swarm_new (100, 4, 60, (GDestroyNotify) member_free, &swarm_funcs, f);
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_swarm_free (f->swarm);
  /* Closes queued by close_later run, on transports still alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tsr_piece_picker_free (f->picker);
  g_string_free (f->log, TRUE);
}

static TsrPeerAddress
loopback (guint16 port)
{
  TsrPeerAddress address;
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", port);

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

static Member *
add_member (Fixture     *f,
            char         name,
            guint16      port,
            gboolean     dialed,
            GInputStream *in,
            TsrBudget    *budget)
{
  TsrPeerAddress address = loopback (port);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(TsrPeer) peer = tsr_peer_new_for_stream (stream, &address);
  Member *m = g_new0 (Member, 1);

  m->f = f;
  m->name = name;
  m->conn = tsr_peer_conn_new (peer, f->picker, N_PIECES, budget, &conn_funcs, m);
  tsr_peer_conn_set_dialed (m->conn, dialed);
  tsr_swarm_add (f->swarm, m);
  return m;
}

/* A connection that is never started: it reads nothing. */
static Member *
add_idle (Fixture  *f,
          char      name,
          guint16   port,
          gboolean  dialed)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();

  return add_member (f, name, port, dialed, in, NULL);
}

/* A connection that reads the handshake of @peer_id, @n_interested
 * INTERESTED messages and @n_keepalives keep-alives, then the end of the
 * stream (which closes it). */
static Member *
add_fed (Fixture    *f,
         char        name,
         guint16     port,
         gboolean    dialed,
         const char *peer_id,
         guint       n_interested,
         guint       n_keepalives)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  TsrWireHandshake theirs = { { 0 } };
  static const guint8 keepalive[4] = { 0 };
  g_autoptr(GInputStream) in = NULL;
  Member *m;
  guint i;

  memset (theirs.info_hash, 0xab, 20);
  memcpy (theirs.peer_id, peer_id, 20);
  tsr_wire_write_handshake (wire, &theirs);
  for (i = 0; i < n_interested; i++)
    {
      TsrWireMessage message = { 0 };

      message.type = TSR_WIRE_INTERESTED;
      tsr_wire_write_message (wire, &message);
    }
  for (i = 0; i < n_keepalives; i++)
    g_byte_array_append (wire, keepalive, sizeof keepalive);
  in = g_memory_input_stream_new_from_data (g_memdup2 (wire->data, wire->len), wire->len, g_free);
  m = add_member (f, name, port, dialed, in, NULL);
  tsr_peer_start (tsr_peer_conn_get_peer (m->conn), NULL);
  for (i = 0; i < HANDSHAKE_ROUNDS && !tsr_peer_is_closed (tsr_peer_conn_get_peer (m->conn)); i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (tsr_peer_is_closed (tsr_peer_conn_get_peer (m->conn)));
  return m;
}

static char *
take_log (Fixture *f)
{
  char *text = g_strdup (f->log->str);

  g_string_truncate (f->log, 0);
  return text;
}

#define assert_log(f, expected) \
  G_STMT_START { g_autofree char *_log = take_log (f); g_assert_cmpstr (_log, ==, expected); } G_STMT_END

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* Tests ------------------------------------------------------------- */

/* max_peers 4: 3 may be dialled (3/4), 4 accepted; the budget of the
 * whole session counts too; lowering a limit closes the newest. */
static void
test_dial_limit_and_budget (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(TsrBudget) budget = tsr_budget_new (5);
  TsrPeerAddress stranger = loopback (9000);
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();

  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_false (tsr_swarm_may_dial (f->swarm, 3));
  add_idle (f, 'A', 7001, TRUE);
  add_idle (f, 'B', 7002, TRUE);
  add_idle (f, 'C', 7003, FALSE);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 2);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, FALSE), ==, 1);
  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()));
  g_assert_null (tsr_swarm_find (f->swarm, &stranger));

  /* Full: 4 of 4. */
  add_idle (f, 'D', 7004, FALSE);
  g_assert_false (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()), ==,
                   "Too many connections for this torrent");
  assert_log (f, "");

  /* One accepted at most: the newest accepted goes, once. */
  tsr_swarm_set_max_accepted (f->swarm, 1);
  assert_log (f, "close D Over the connection limit\n");
  tsr_swarm_set_max_accepted (f->swarm, 1);
  assert_log (f, "");

  /* One dialled at most: the newest dialled goes. */
  tsr_swarm_set_max_dialed (f->swarm, 1);
  assert_log (f, "close B Over the connection limit\n");
  tsr_swarm_set_max_peers (f->swarm, 10);
  assert_log (f, "");
  g_assert_false (tsr_swarm_may_dial (f->swarm, 1));
  g_assert_true (tsr_swarm_may_dial (f->swarm, 0));

  /* Room in the torrent, none in the session. */
  tsr_swarm_set_max_dialed (f->swarm, 0);
  tsr_swarm_set_max_accepted (f->swarm, 0);
  tsr_swarm_set_budget (f->swarm, budget);
  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()));
  tsr_budget_set_max (budget, 1);
  add_member (f, 'E', 7005, TRUE, in, budget);
  g_assert_false (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()), ==,
                   "Too many connections in all");

  /* Lowered below the count: the newest go (D is going already). */
  tsr_swarm_set_max_peers (f->swarm, 3);
  assert_log (f, "close E Over the connection limit\n");
}

/* The pool's addresses are dialled while the torrent lets it, up to the
 * dial limit (3 of max_peers 4), never one already connected, and not
 * beyond the session's budget. */
static void
test_dial_some (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TsrBudget) budget = tsr_budget_new (1);
  gint64 now = now_seconds ();
  guint16 port;

  add_idle (f, 'A', 7001, FALSE);
  for (port = 7001; port <= 7006; port++)
    {
      TsrPeerAddress address = loopback (port);

      tsr_swarm_add_address (f->swarm, &address, TSR_PEER_SOURCE_TRACKER, now);
    }
  /* Not running: nothing dialled. */
  assert_log (f, "");
  tsr_swarm_set_dialing (f->swarm, TRUE, FALSE);
  tsr_swarm_dial_some (f->swarm, now);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 3);
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 4);
  g_assert_true (strstr (f->log->str, "dial 7001\n") == NULL);
  g_assert_cmpuint (strlen (f->log->str), ==, 3 * strlen ("dial 7002\n"));
  g_string_truncate (f->log, 0);
  tsr_swarm_dial_some (f->swarm, now);
  assert_log (f, "");

  /* Room in the torrent, none in the session: a user's address waits. */
  tsr_swarm_set_max_peers (f->swarm, 10);
  tsr_swarm_set_budget (f->swarm, budget);
  tsr_budget_take (budget);
  tsr_swarm_dial_some (f->swarm, now);
  assert_log (f, "");
  tsr_budget_give (budget);
  tsr_swarm_dial_some (f->swarm, now);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 5);
}

/* Full, with an address ready: the shaken, choked, judged connection
 * that gave least goes; not one still handshaking, nor one we unchoked,
 * and only once an interval. */
static void
test_turnover_drops_least_useful (Fixture       *f,
                                  gconstpointer  data)
{
  TsrPeerAddress ready = loopback (9000);
  gint64 now = now_seconds () + 120;
  Member *a;
  Member *b;
  Member *c;
  Member *d;

  tsr_swarm_set_max_peers (f->swarm, 4);
  a = add_fed (f, 'A', 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 100);
  b = add_fed (f, 'B', 7002, TRUE, "-XX0000-bbbbbbbbbbbb", 0, 0);
  d = add_fed (f, 'D', 7004, FALSE, "-XX0000-dddddddddddd", 0, 0);
  c = add_idle (f, 'C', 7003, TRUE);
  tsr_peer_conn_set_choking (d->conn, FALSE);
  tsr_peer_conn_tick (a->conn);
  tsr_peer_conn_tick (b->conn);
  tsr_peer_conn_tick (d->conn);
  /* D sent as little as B, but we upload to it. */
  g_assert_cmpuint (tsr_peer_conn_get_rate (a->conn), >, tsr_peer_conn_get_rate (b->conn));
  g_assert_cmpuint (tsr_peer_conn_get_rate (d->conn), ==, tsr_peer_conn_get_rate (b->conn));
  g_assert_false (tsr_peer_conn_is_shaken (c->conn));
  assert_log (f, "closed A The peer closed the connection\n"
                 "closed B The peer closed the connection\n"
                 "closed D The peer closed the connection\n");

  /* Nothing ready in the pool: nobody goes. */
  tsr_swarm_turn_over (f->swarm, now, FALSE);
  assert_log (f, "");

  tsr_peer_pool_add (tsr_swarm_get_pool (f->swarm), &ready, TSR_PEER_SOURCE_TRACKER, now);
  tsr_swarm_turn_over (f->swarm, now + 60, FALSE);
  assert_log (f, "close B Making room for another peer\n");
  /* Within the interval: nothing more. */
  tsr_swarm_turn_over (f->swarm, now + 61, FALSE);
  assert_log (f, "");
  /* Next interval: B is dropping already; A, that gave, is next. */
  tsr_swarm_turn_over (f->swarm, now + 120, FALSE);
  assert_log (f, "close A Making room for another peer\n");
}

/* Our own handshake came back on a connection we dialled: refused, and
 * its address is never dialled again. */
static void
test_self_connection (Fixture       *f,
                      gconstpointer  data)
{
  TsrPeerPool *pool = tsr_swarm_get_pool (f->swarm);
  TsrPeerAddress address = loopback (7001);

  tsr_peer_pool_add (pool, &address, TSR_PEER_SOURCE_TRACKER, now_seconds ());
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, now_seconds (), FALSE), ==, 1);
  add_fed (f, 'A', 7001, TRUE, OUR_ID, 0, 0);
  assert_log (f, "closed A Connected to ourselves\nrefused A\n");
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, now_seconds (), FALSE), ==, 0);
  tsr_peer_pool_add (pool, &address, TSR_PEER_SOURCE_TRACKER, now_seconds ());
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, now_seconds (), FALSE), ==, 0);
}

/* A second connection to a peer id already shaken hands with is
 * refused; another id is not. */
static void
test_duplicate_peer_id (Fixture       *f,
                        gconstpointer  data)
{
  add_fed (f, 'A', 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0);
  assert_log (f, "closed A The peer closed the connection\n");
  add_fed (f, 'B', 7002, FALSE, "-XX0000-aaaaaaaaaaaa", 0, 0);
  assert_log (f, "closed B Already connected to this peer\nrefused B\n");
  add_fed (f, 'C', 7003, FALSE, "-XX0000-cccccccccccc", 0, 0);
  assert_log (f, "closed C The peer closed the connection\n");
}

/* A peer that dialled us is banned by its host: it may not come back
 * from another port. An address with no connection (one we dialled
 * would be the same) is banned as it is: the host's other ports are not. */
static void
test_incoming_banned_host (Fixture       *f,
                           gconstpointer  data)
{
  TsrPeerAddress incoming = loopback (7001);
  TsrPeerAddress other_port = loopback (7003);
  TsrPeerAddress elsewhere;
  TsrPeerAddress elsewhere_other_port;
  Member *a;

  g_assert_true (tsr_peer_address_parse ("127.0.0.2:7004", &elsewhere));
  g_assert_true (tsr_peer_address_parse ("127.0.0.2:7005", &elsewhere_other_port));
  a = add_idle (f, 'A', 7001, FALSE);
  g_assert_true (tsr_swarm_find (f->swarm, &incoming) == a);
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &other_port, now_seconds ()));
  tsr_swarm_ban (f->swarm, &incoming, "Sent corrupt data", now_seconds (), 3600);
  assert_log (f, "banned 127.0.0.1 Sent corrupt data\nclosed A Sent corrupt data\n");
  g_assert_true (tsr_peer_is_closed (tsr_peer_conn_get_peer (a->conn)));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &other_port, now_seconds ()), ==, "Sent corrupt data");
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &incoming, now_seconds ()), ==, "Sent corrupt data");
  /* Banned already: said once. */
  tsr_swarm_ban (f->swarm, &incoming, "Again", now_seconds (), 3600);
  assert_log (f, "");

  tsr_swarm_ban (f->swarm, &elsewhere, "Broke the protocol", now_seconds (), 3600);
  assert_log (f, "banned 127.0.0.2:7004 Broke the protocol\n");
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &elsewhere, now_seconds ()), ==, "Broke the protocol");
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &elsewhere_other_port, now_seconds ()));
}

/* A round unchokes the interested (4 slots: 3 regular, 1 optimistic);
 * each change is applied (the flag) and reported once. */
static void
test_choke_round_applies (Fixture       *f,
                          gconstpointer  data)
{
  Member *a;
  Member *b;
  Member *c;

  tsr_swarm_set_max_peers (f->swarm, 10);
  a = add_fed (f, 'A', 7001, FALSE, "-XX0000-aaaaaaaaaaaa", 1, 0);
  b = add_fed (f, 'B', 7002, FALSE, "-XX0000-bbbbbbbbbbbb", 0, 0);
  c = add_fed (f, 'C', 7003, FALSE, "-XX0000-cccccccccccc", 1, 0);
  g_string_truncate (f->log, 0);
  g_assert_true (tsr_peer_conn_is_peer_interested (a->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (b->conn));
  g_assert_cmpuint (tsr_swarm_count_unchoked (f->swarm), ==, 0);

  tsr_swarm_choke_round (f->swarm, FALSE, now_seconds ());
  assert_log (f, "choked A 0\nchoked C 0\n");
  g_assert_false (tsr_peer_conn_is_am_choking (a->conn));
  g_assert_true (tsr_peer_conn_is_am_choking (b->conn));
  g_assert_false (tsr_peer_conn_is_am_choking (c->conn));
  g_assert_cmpuint (tsr_swarm_count_unchoked (f->swarm), ==, 2);

  /* The same decision again: nothing changes, nothing is said. */
  tsr_swarm_choke_round (f->swarm, FALSE, now_seconds ());
  assert_log (f, "");

  /* Dropping: no longer counted as interested, so choked. */
  tsr_peer_conn_close_later (c->conn, "going");
  tsr_swarm_choke_round (f->swarm, FALSE, now_seconds ());
  assert_log (f, "choked C 1\n");
  g_assert_true (tsr_peer_conn_is_am_choking (c->conn));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/swarm/dial-limit-and-budget", Fixture, NULL, fixture_set_up, test_dial_limit_and_budget,
              fixture_tear_down);
  g_test_add ("/swarm/dial-some", Fixture, NULL, fixture_set_up, test_dial_some, fixture_tear_down);
  g_test_add ("/swarm/turnover-drops-least-useful", Fixture, NULL, fixture_set_up,
              test_turnover_drops_least_useful, fixture_tear_down);
  g_test_add ("/swarm/self-connection", Fixture, NULL, fixture_set_up, test_self_connection, fixture_tear_down);
  g_test_add ("/swarm/duplicate-peer-id", Fixture, NULL, fixture_set_up, test_duplicate_peer_id,
              fixture_tear_down);
  g_test_add ("/swarm/incoming-banned-host", Fixture, NULL, fixture_set_up, test_incoming_banned_host,
              fixture_tear_down);
  g_test_add ("/swarm/choke-round-applies", Fixture, NULL, fixture_set_up, test_choke_round_applies,
              fixture_tear_down);
  return g_test_run ();
}
