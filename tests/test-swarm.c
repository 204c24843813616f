/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-swarm.c: TsrSwarm and its members over real connections on
 * socket pairs (AF_UNIX, no network). The swarm makes each member from a
 * TsrPeer on one end; the test is the remote peer on the other end: it
 * writes a handshake and messages, and reads what the swarm sent. What
 * the swarm reports to its owner ("closed B Over the connection limit",
 * "state A we-unchoke", "banned 127.0.0.1 spoilt", "complete 0 32768")
 * goes to one log, one line each; members are named by their port
 * (7001 is A, 7002 B ...).
 */
#include "config.h"

#include <glib.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tsr-swarm.h"
#include "tsr-test-util.h"

#define OUR_ID "-TS0000-ourselves000"
#define WAIT_ROUNDS 5000
#define N_PIECES 8
#define PIECE_LENGTH (32 * 1024)
#define BLOCK (16 * 1024)

typedef struct
{
  TsrSwarm       *swarm;
  char           *dir;
  TsrMetainfo    *info;
  TsrPiecePicker *picker;
  TsrBlockMap    *blocks;
  TsrSmartBan    *smart_ban;
  TsrBitfield    *have;
  guint8          info_hash[20];
  GBytes         *data;       /* (owned) the torrent's bytes */
  GPtrArray      *remotes;    /* (element-type GSocket) the test's ends */
  guint64         downloaded;
  GString        *log;
} Fixture;

static char
name_of (const char *address)
{
  const char *colon = strrchr (address, ':');
  guint port = colon != NULL ? (guint) g_ascii_strtoull (colon + 1, NULL, 10) : 0;

  return port >= 7001 && port <= 7026 ? (char) ('A' + port - 7001) : '?';
}

/* TsrSwarmFuncs ------------------------------------------------------ */

static void
swarm_event (TsrSwarmEvent  event,
             const char    *address,
             const char    *detail,
             gpointer       user_data)
{
  static const char *const words[] = { "connected", "closed", "dialing", "state" };
  Fixture *f = user_data;

  g_string_append_printf (f->log, "%s %c", words[event], name_of (address));
  if (event == TSR_SWARM_GONE)
    g_string_append_printf (f->log, " %s", detail != NULL ? detail : "(by us)");
  else if (detail != NULL)
    g_string_append_printf (f->log, " %s", detail);
  g_string_append_c (f->log, '\n');
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

static GSocket *make_peer (Fixture *f, guint16 port, TsrPeer **peer);

/* A transport on a socket pair the test never writes to. */
static void
swarm_dial (const TsrPeerAddress *address,
            TsrPeerEncryption     encryption,
            gpointer              user_data)
{
  Fixture *f = user_data;
  g_autoptr(TsrPeer) peer = NULL;

  g_string_append_printf (f->log, "dial %u\n", address->port);
  make_peer (f, address->port, &peer);
  tsr_swarm_dial_peer (f->swarm, peer);
}

static void
swarm_moved (gsize    bytes,
             gboolean uploaded,
             gpointer user_data)
{
  Fixture *f = user_data;

  if (!uploaded)
    f->downloaded += bytes;
}

static void
swarm_complete (guint    index,
                GBytes  *piece,
                gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GBytes) expected = g_bytes_new_from_bytes (f->data, (gsize) index * PIECE_LENGTH, PIECE_LENGTH);

  g_assert_true (g_bytes_equal (piece, expected));
  g_string_append_printf (f->log, "complete %u %zu\n", index, g_bytes_get_size (piece));
}

static gboolean
swarm_stopping (gpointer user_data)
{
  return FALSE;
}

static void
swarm_dht_node (const TsrPeerAddress *node,
                gpointer              user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "dht %u\n", node->port);
}

static void
swarm_read_failed (const GError *error,
                   gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append_printf (f->log, "read-failed %s\n", error->message);
}

static void
swarm_metainfo (TsrMetainfo  *info,
                const GError *error,
                gpointer      user_data)
{
  Fixture *f = user_data;

  g_string_append (f->log, "metainfo\n");
}

static const TsrSwarmFuncs swarm_funcs = {
  .event = swarm_event,
  .banned = swarm_banned,
  .dial = swarm_dial,
  .moved = swarm_moved,
  .complete = swarm_complete,
  .stopping = swarm_stopping,
  .dht_node = swarm_dht_node,
  .read_failed = swarm_read_failed,
  .metainfo = swarm_metainfo,
};

/* Set-up --------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->log = g_string_new (NULL);
  f->remotes = g_ptr_array_new_with_free_func (g_object_unref);
  memset (f->info_hash, 0xab, 20);
  f->swarm = tsr_swarm_new (100, 4, 60, &swarm_funcs, f);
  tsr_swarm_set_identity (f->swarm, (const guint8 *) OUR_ID, f->info_hash);
}

/* A torrent of N_PIECES pieces of two blocks each, none of them had;
 * the swarm does not run (dial, request) until a test says so. */
static void
fixture_set_up_pieces (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  fixture_set_up (f, data);
  f->dir = g_dir_make_tmp ("tsr-swarm-XXXXXX", NULL);
  root = g_build_filename (f->dir, "data", NULL);
  tsr_test_write_file (root, "a.bin", N_PIECES * PIECE_LENGTH, 1);
  path = g_build_filename (root, "a.bin", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  f->data = g_bytes_new_take (g_steal_pointer (&contents), length);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, PIECE_LENGTH);
  g_assert_cmpuint (f->info->piece_count, ==, N_PIECES);
  memcpy (f->info_hash, tsr_metainfo_get_wire_hash (f->info), 20);
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->blocks = tsr_block_map_new (f->info, f->picker, 24 * 1024 * 1024);
  f->smart_ban = tsr_smart_ban_new (NULL, NULL);
  f->have = tsr_bitfield_new (N_PIECES);
  tsr_swarm_set_metainfo (f->swarm, f->info);
  tsr_swarm_set_have (f->swarm, f->have);
  tsr_swarm_set_pieces (f->swarm, f->blocks, f->picker, f->smart_ban, N_PIECES, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->swarm, tsr_swarm_free);
  /* Closes queued by close_later run, on transports already closed. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (f->remotes);
  g_clear_pointer (&f->smart_ban, tsr_smart_ban_free);
  g_clear_pointer (&f->blocks, tsr_block_map_free);
  g_clear_pointer (&f->picker, tsr_piece_picker_free);
  g_clear_pointer (&f->have, tsr_bitfield_free);
  g_clear_pointer (&f->info, tsr_metainfo_unref);
  g_clear_pointer (&f->data, g_bytes_unref);
  if (f->dir != NULL)
    tsr_test_remove_tree (f->dir);
  g_free (f->dir);
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

/* A transport for 127.0.0.1:@port on one end of a socket pair; returns
 * the other end, the test's (owned by the fixture). */
static GSocket *
make_peer (Fixture  *f,
           guint16   port,
           TsrPeer **peer)
{
  TsrPeerAddress address = loopback (port);
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  GSocket *theirs;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  g_assert_nonnull (ours);
  g_assert_nonnull (theirs);
  g_socket_set_blocking (theirs, FALSE);
  connection = g_socket_connection_factory_create_connection (ours);
  *peer = tsr_peer_new_for_stream (G_IO_STREAM (connection), &address);
  tsr_peer_set_encryption (*peer, TSR_PEER_ENCRYPTION_OFF, NULL, NULL);
  g_ptr_array_add (f->remotes, theirs);
  return theirs;
}

/* Iterates the main context until @done says so (bounded). */
static void
wait_for (gboolean (*done) (gpointer data),
          gpointer   data)
{
  guint i;

  for (i = 0; i < WAIT_ROUNDS && !done (data); i++)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (done (data));
}

/* Runs what is ready now: idles (closes) and pending reads. */
static void
settle (void)
{
  guint i;

  for (i = 0; i < 50; i++)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* A member that is never fed: its transport waits for a handshake. */
static TsrMember *
add_idle (Fixture  *f,
          guint16   port,
          gboolean  dialed)
{
  g_autoptr(TsrPeer) peer = NULL;

  make_peer (f, port, &peer);
  return tsr_swarm_add_peer (f->swarm, peer, dialed);
}

static void
send_bytes (GSocket      *remote,
            const guint8 *data,
            gsize         length)
{
  gsize sent = 0;

  while (sent < length)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (remote, (const char *) data + sent, length - sent, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      g_assert_no_error (error);
      sent += (gsize) n;
    }
}

static void
send_message (GSocket              *remote,
              const TsrWireMessage *message)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();

  tsr_wire_write_message (wire, message);
  send_bytes (remote, wire->data, wire->len);
}

typedef struct
{
  TsrPeer *peer;
  guint64  bytes;
} Received;

static gboolean
received_all (gpointer data)
{
  Received *r = data;

  return tsr_peer_get_bytes_received (r->peer) >= r->bytes || tsr_peer_is_closed (r->peer);
}

/* A member whose peer sends the handshake of @peer_id (BEP 6 if
 * @fast), @n_interested INTERESTED messages and @n_keepalives
 * keep-alives, read before this returns; the remote end stays open. */
static TsrMember *
add_fed (Fixture    *f,
         guint16     port,
         gboolean    dialed,
         const char *peer_id,
         guint       n_interested,
         guint       n_keepalives,
         GSocket   **remote)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(TsrPeer) peer = NULL;
  TsrWireHandshake theirs = { { 0 } };
  TsrWireHandshake ours = { { 0 } };
  static const guint8 keepalive[4] = { 0 };
  GSocket *end = make_peer (f, port, &peer);
  TsrMember *member;
  Received received;
  guint i;

  memcpy (theirs.info_hash, f->info_hash, 20);
  memcpy (theirs.peer_id, peer_id, 20);
  tsr_wire_reserved_set (theirs.reserved, TSR_WIRE_RESERVED_FAST);
  tsr_wire_write_handshake (wire, &theirs);
  for (i = 0; i < n_interested; i++)
    tsr_wire_write_simple (wire, TSR_WIRE_INTERESTED);
  for (i = 0; i < n_keepalives; i++)
    g_byte_array_append (wire, keepalive, sizeof keepalive);
  member = tsr_swarm_add_peer (f->swarm, peer, dialed);
  /* Our handshake first, as if dialled: theirs is then checked by the
   * swarm and greeted. */
  memcpy (ours.info_hash, f->info_hash, 20);
  memcpy (ours.peer_id, OUR_ID, 20);
  tsr_wire_reserved_set (ours.reserved, TSR_WIRE_RESERVED_FAST);
  tsr_peer_accept (peer, &ours);
  tsr_peer_start (peer, NULL);
  send_bytes (end, wire->data, wire->len);
  received.peer = peer;
  received.bytes = wire->len;
  wait_for (received_all, &received);
  if (remote != NULL)
    *remote = end;
  return member;
}

static guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* What the swarm sent to @remote since the last call: REQUESTs as
 * "R index begin length" lines, other messages by type ("m7"); the
 * handshake is skipped. */
static char *
take_sent (GSocket *remote,
           gboolean skip_handshake)
{
  g_autoptr(GByteArray) in = g_byte_array_new ();
  GString *out = g_string_new (NULL);
  gsize offset = skip_handshake ? TSR_WIRE_HANDSHAKE_LENGTH : 0;
  guint8 buffer[65536];
  gssize n;

  settle ();
  while ((n = g_socket_receive (remote, (char *) buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (in, buffer, (guint) n);
  while (offset + 4 <= in->len)
    {
      guint32 length = read_u32 (in->data + offset);
      const guint8 *body = in->data + offset + 4;

      g_assert_cmpuint (offset + 4 + length, <=, in->len);
      if (length > 0 && body[0] == TSR_WIRE_REQUEST)
        g_string_append_printf (out, "R %u %u %u\n", read_u32 (body + 1), read_u32 (body + 5), read_u32 (body + 9));
      else if (length > 0)
        g_string_append_printf (out, "m%u\n", body[0]);
      offset += 4 + length;
    }
  return g_string_free (out, FALSE);
}

static char *
take_log (Fixture *f)
{
  char *text;

  settle ();
  text = g_strdup (f->log->str);
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

static TsrPeerConn *
conn_of (TsrMember *member)
{
  return tsr_member_get_conn (member);
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

  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_false (tsr_swarm_may_dial (f->swarm, 3));
  add_idle (f, 7001, TRUE);
  add_idle (f, 7002, TRUE);
  add_idle (f, 7003, FALSE);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 2);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, FALSE), ==, 1);
  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()));
  g_assert_null (tsr_swarm_find (f->swarm, &stranger));

  /* Full: 4 of 4. */
  add_idle (f, 7004, FALSE);
  g_assert_false (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()), ==,
                   "Too many connections for this torrent");
  assert_log (f, "");

  /* One accepted at most: the newest accepted goes, once. */
  tsr_swarm_set_max_accepted (f->swarm, 1);
  tsr_swarm_set_max_accepted (f->swarm, 1);
  assert_log (f, "closed D Over the connection limit\n");
  tsr_swarm_set_max_accepted (f->swarm, 1);
  assert_log (f, "");

  /* One dialled at most: the newest dialled goes. */
  tsr_swarm_set_max_dialed (f->swarm, 1);
  assert_log (f, "closed B Over the connection limit\n");
  tsr_swarm_set_max_peers (f->swarm, 10);
  assert_log (f, "");
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 2);
  g_assert_false (tsr_swarm_may_dial (f->swarm, 1));
  g_assert_true (tsr_swarm_may_dial (f->swarm, 0));

  /* Room in the torrent, none in the session: each member takes one. */
  tsr_swarm_set_max_dialed (f->swarm, 0);
  tsr_swarm_set_max_accepted (f->swarm, 0);
  tsr_swarm_limits_set_budget (tsr_swarm_get_limits (f->swarm), budget);
  g_assert_true (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()));
  tsr_budget_set_max (budget, 1);
  add_idle (f, 7005, TRUE);
  g_assert_false (tsr_swarm_may_dial (f->swarm, 2));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &stranger, now_seconds ()), ==,
                   "Too many connections in all");

  /* Lowered below the count: the newest goes, and gives its one back. */
  tsr_swarm_set_max_peers (f->swarm, 2);
  assert_log (f, "closed E Over the connection limit\n");
  g_assert_true (tsr_budget_has_room (budget));
}

static guint
count_lines (const char *text,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint count = 0;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      count++;
  return count;
}

/* The pool's addresses are dialled while the torrent lets it, up to the
 * dial limit (3 of max_peers 4), never one already connected, and not
 * beyond the session's budget, of which each connection takes one. */
static void
test_dial_some (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TsrBudget) budget = tsr_budget_new (1);
  gint64 now = now_seconds ();
  g_autofree char *log = NULL;
  guint16 port;

  add_idle (f, 7001, FALSE);
  for (port = 7001; port <= 7006; port++)
    {
      TsrPeerAddress address = loopback (port);

      tsr_swarm_add_address (f->swarm, &address, TSR_PEER_SOURCE_TRACKER, now);
    }
  /* Not running: nothing dialled. */
  assert_log (f, "");
  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  tsr_swarm_dial_some (f->swarm, now);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 3);
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 4);
  log = take_log (f);
  g_assert_true (strstr (log, "dial 7001\n") == NULL);
  g_assert_cmpuint (count_lines (log, "dial "), ==, 3);
  g_assert_cmpuint (count_lines (log, "dialing "), ==, 3);
  tsr_swarm_dial_some (f->swarm, now);
  assert_log (f, "");

  /* Room in the torrent, none in the session: a user's address waits. */
  tsr_swarm_set_max_peers (f->swarm, 10);
  tsr_swarm_limits_set_budget (tsr_swarm_get_limits (f->swarm), budget);
  tsr_budget_take (budget);
  tsr_swarm_dial_some (f->swarm, now);
  assert_log (f, "");
  tsr_budget_give (budget);
  tsr_swarm_dial_some (f->swarm, now);
  g_assert_cmpuint (tsr_swarm_count_dialed (f->swarm, TRUE), ==, 4);
  g_assert_false (tsr_budget_has_room (budget));
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
  TsrMember *a;
  TsrMember *b;
  TsrMember *c;
  TsrMember *d;

  tsr_swarm_set_max_peers (f->swarm, 4);
  a = add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 100, NULL);
  b = add_fed (f, 7002, TRUE, "-XX0000-bbbbbbbbbbbb", 0, 0, NULL);
  d = add_fed (f, 7004, FALSE, "-XX0000-dddddddddddd", 0, 0, NULL);
  c = add_idle (f, 7003, TRUE);
  tsr_peer_conn_set_choking (conn_of (d), FALSE);
  tsr_peer_conn_tick (conn_of (a));
  tsr_peer_conn_tick (conn_of (b));
  tsr_peer_conn_tick (conn_of (d));
  /* D sent as little as B, but we upload to it. */
  g_assert_cmpuint (tsr_peer_conn_get_rate (conn_of (a)), >, tsr_peer_conn_get_rate (conn_of (b)));
  g_assert_cmpuint (tsr_peer_conn_get_rate (conn_of (d)), ==, tsr_peer_conn_get_rate (conn_of (b)));
  g_assert_false (tsr_peer_conn_is_shaken (conn_of (c)));
  assert_log (f, "connected A\nconnected B\nconnected D\n");

  /* Nothing ready in the pool: nobody goes. */
  tsr_swarm_turn_over (f->swarm, now, FALSE);
  assert_log (f, "");

  tsr_peer_pool_add (tsr_swarm_get_pool (f->swarm), &ready, TSR_PEER_SOURCE_TRACKER, now);
  tsr_swarm_turn_over (f->swarm, now + 60, FALSE);
  assert_log (f, "closed B Making room for another peer\n");
  /* Within the interval: nothing more. */
  tsr_swarm_turn_over (f->swarm, now + 61, FALSE);
  assert_log (f, "");
  /* Next interval, full again (3 of 3): A, that gave, is next; C is
   * still handshaking and D unchoked. */
  tsr_swarm_set_max_peers (f->swarm, 3);
  assert_log (f, "");
  tsr_swarm_turn_over (f->swarm, now + 120, FALSE);
  assert_log (f, "closed A Making room for another peer\n");
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
  add_fed (f, 7001, TRUE, OUR_ID, 0, 0, NULL);
  assert_log (f, "closed A Connected to ourselves\n");
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 0);
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, now_seconds (), FALSE), ==, 0);
  tsr_peer_pool_add (pool, &address, TSR_PEER_SOURCE_TRACKER, now_seconds ());
  g_assert_cmpuint (tsr_peer_pool_count_ready (pool, now_seconds (), FALSE), ==, 0);
}

/* An idle swarm (no member yet) has no requester, uploader or extension
 * host, nor a pool before an address comes, and its second and stop do
 * without them; the first member makes them, with what was set
 * meanwhile, and the first address the pool, with the capacity set. */
static void
test_idle_makes_no_parts (Fixture       *f,
                          gconstpointer  data)
{
  TsrPeerAddress first = loopback (7101);
  TsrPeerAddress second = loopback (7102);

  tsr_swarm_parts_set_sequential (tsr_swarm_get_parts (f->swarm), TRUE);
  tsr_swarm_set_pool_capacity (f->swarm, 1);
  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  /* Nothing to dial: the pool ran dry. */
  g_assert_true (tsr_swarm_second (f->swarm, now_seconds ()));
  tsr_swarm_set_mode (f->swarm, TSR_SWARM_OFF);
  tsr_swarm_stop (f->swarm);
  g_assert_null (tsr_swarm_peek_pool (f->swarm));
  tsr_swarm_add_address (f->swarm, &first, TSR_PEER_SOURCE_TRACKER, now_seconds ());
  tsr_swarm_add_address (f->swarm, &second, TSR_PEER_SOURCE_TRACKER, now_seconds ());
  g_assert_nonnull (tsr_swarm_peek_pool (f->swarm));
  g_assert_cmpuint (tsr_peer_pool_get_size (tsr_swarm_peek_pool (f->swarm)), ==, 1);
  g_assert_null (tsr_swarm_get_requester (f->swarm));
  g_assert_null (tsr_swarm_get_uploader (f->swarm));
  g_assert_null (tsr_swarm_get_extensions (f->swarm));
  add_idle (f, 7001, TRUE);
  g_assert_nonnull (tsr_swarm_get_uploader (f->swarm));
  g_assert_nonnull (tsr_swarm_get_extensions (f->swarm));
  g_assert_true (tsr_requester_get_sequential (tsr_swarm_get_requester (f->swarm)));
}

/* The metainfo given holds each transport to its pieces: a HAVE past
 * the last piece breaks the protocol, one inside does not. */
static void
test_metainfo_limits_transports (Fixture       *f,
                                 gconstpointer  data)
{
  TsrWireMessage have = { .type = TSR_WIRE_HAVE, .index = N_PIECES - 1 };
  GSocket *remote = NULL;

  add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote);
  send_message (remote, &have);
  settle ();
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 1);
  have.index = N_PIECES;
  send_message (remote, &have);
  settle ();
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 0);
}

/* A second connection to a peer id already shaken hands with: one
 * goes. Both ends keep the one the greater peer id dialled, as
 * libtorrent does, whichever came first; another id is not touched. */
static void
test_duplicate_peer_id (Fixture       *f,
                        gconstpointer  data)
{
  /* Theirs is greater than ours: the connection it dialled stays. */
  add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, NULL);
  assert_log (f, "connected A\n");
  add_fed (f, 7002, FALSE, "-XX0000-aaaaaaaaaaaa", 0, 0, NULL);
  assert_log (f, "closed A Already connected to this peer\nconnected B\n");
  /* Ours is greater: the connection we dialled stays. */
  add_fed (f, 7003, FALSE, "-AA0000-cccccccccccc", 0, 0, NULL);
  assert_log (f, "connected C\n");
  add_fed (f, 7004, TRUE, "-AA0000-cccccccccccc", 0, 0, NULL);
  assert_log (f, "closed C Already connected to this peer\nconnected D\n");
  /* Both dialled by the same end: the second goes. */
  add_fed (f, 7005, FALSE, "-XX0000-aaaaaaaaaaaa", 0, 0, NULL);
  assert_log (f, "closed E Already connected to this peer\n");
  add_fed (f, 7006, FALSE, "-XX0000-ffffffffffff", 0, 0, NULL);
  assert_log (f, "connected F\n");
  g_assert_cmpuint (tsr_swarm_get_n_peers (f->swarm), ==, 3);
}

/* A peer that dialled us is banned by its host: it may not come back
 * from another port, and a later verdict on it bans nothing more. An address with no connection (one we dialled
 * would be the same) is banned as it is: the host's other ports are not. */
static void
test_incoming_banned_host (Fixture       *f,
                           gconstpointer  data)
{
  TsrPeerAddress incoming = loopback (7001);
  TsrPeerAddress other_port = loopback (7003);
  TsrPeerAddress elsewhere;
  TsrPeerAddress elsewhere_other_port;
  TsrMember *a;

  g_assert_true (tsr_peer_address_parse ("127.0.0.2:7004", &elsewhere));
  g_assert_true (tsr_peer_address_parse ("127.0.0.2:7005", &elsewhere_other_port));
  a = add_idle (f, 7001, FALSE);
  g_assert_true (tsr_swarm_find (f->swarm, &incoming) == a);
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &other_port, now_seconds ()));
  tsr_swarm_ban (f->swarm, &incoming, "Sent corrupt data", now_seconds (), 3600);
  assert_log (f, "banned 127.0.0.1 Sent corrupt data\nclosed A Sent corrupt data\n");
  g_assert_null (tsr_swarm_find (f->swarm, &incoming));
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &other_port, now_seconds ()), ==, "Sent corrupt data");
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &incoming, now_seconds ()), ==, "Sent corrupt data");
  /* Its next bad piece, hashed after it was hung up on: its host is
   * banned already, so nothing is said (its address alone is known now). */
  tsr_swarm_ban (f->swarm, &incoming, "Sent corrupt data", now_seconds (), 3600);
  assert_log (f, "");

  tsr_swarm_ban (f->swarm, &elsewhere, "Broke the protocol", now_seconds (), 3600);
  assert_log (f, "banned 127.0.0.2:7004 Broke the protocol\n");
  /* Banned already: said once. */
  tsr_swarm_ban (f->swarm, &elsewhere, "Again", now_seconds (), 3600);
  assert_log (f, "");
  g_assert_cmpstr (tsr_swarm_refuse_incoming (f->swarm, &elsewhere, now_seconds ()), ==, "Broke the protocol");
  g_assert_null (tsr_swarm_refuse_incoming (f->swarm, &elsewhere_other_port, now_seconds ()));
}

/* An interested peer gets a free slot at once (4: 3 regular, 1
 * optimistic); a round applies its decisions, each change reported
 * once; a member being dropped is no longer counted as interested. */
static void
test_choke_round_applies (Fixture       *f,
                          gconstpointer  data)
{
  TsrMember *a;
  TsrMember *b;
  TsrMember *c;

  tsr_swarm_set_max_peers (f->swarm, 10);
  a = add_fed (f, 7001, FALSE, "-XX0000-aaaaaaaaaaaa", 1, 0, NULL);
  b = add_fed (f, 7002, FALSE, "-XX0000-bbbbbbbbbbbb", 0, 0, NULL);
  c = add_fed (f, 7003, FALSE, "-XX0000-cccccccccccc", 1, 0, NULL);
  assert_log (f, "connected A\nstate A interested-in-us\nstate A we-unchoke\n"
                 "connected B\n"
                 "connected C\nstate C interested-in-us\nstate C we-unchoke\n");
  g_assert_true (tsr_peer_conn_is_peer_interested (conn_of (a)));
  g_assert_false (tsr_peer_conn_is_peer_interested (conn_of (b)));
  g_assert_cmpuint (tsr_swarm_count_unchoked (f->swarm), ==, 2);

  /* The same decision again: nothing changes, nothing is said. */
  tsr_swarm_choke_round (f->swarm, FALSE, now_seconds ());
  assert_log (f, "");
  g_assert_false (tsr_peer_conn_is_am_choking (conn_of (a)));
  g_assert_true (tsr_peer_conn_is_am_choking (conn_of (b)));
  g_assert_false (tsr_peer_conn_is_am_choking (conn_of (c)));

  /* Dropping: no longer counted as interested, so choked. */
  tsr_peer_conn_close_later (conn_of (c), "going");
  tsr_swarm_choke_round (f->swarm, FALSE, now_seconds ());
  g_assert_true (tsr_peer_conn_is_am_choking (conn_of (c)));
  assert_log (f, "state C we-choke\nclosed C going\n");
}

/* Rate limits: an idle swarm has no limiter of its own and charges its
 * members to the session's; the first rate makes its own, under the
 * session's, and the members already there are charged to it. */
static void
test_limiters_made_at_first_rate (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(TsrLimiter) session_up = tsr_limiter_new (0);
  g_autoptr(TsrLimiter) session_down = tsr_limiter_new (1);
  GSocket *remote = NULL;
  TsrWireMessage interested = { .type = TSR_WIRE_INTERESTED };
  TsrSwarmLimits *limits;
  TsrLimiter *own;
  TsrMember *member;
  Received received;

  g_assert_null (tsr_swarm_get_limiter (f->swarm, FALSE));
  limits = tsr_swarm_get_limits (f->swarm);
  tsr_swarm_limits_set_parents (limits, session_up, session_down);
  tsr_swarm_limits_set_rates (limits, 0, 0);
  g_assert_true (tsr_swarm_get_limiter (f->swarm, TRUE) == session_up);
  g_assert_true (tsr_swarm_get_limiter (f->swarm, FALSE) == session_down);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 0);

  /* At 1 byte a second, a handshake puts a bucket in debt. */
  member = add_fed (f, 7001, FALSE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote);
  g_assert_cmpuint (tsr_limiter_wait_ms (session_down), >, 0);
  tsr_limiter_set_rate (session_down, 1);    /* the debt forgiven */
  g_assert_cmpuint (tsr_limiter_wait_ms (session_down), ==, 0);

  tsr_swarm_limits_set_rates (limits, 0, 1);
  own = tsr_swarm_get_limiter (f->swarm, FALSE);
  g_assert_true (own != session_down);
  g_assert_true (tsr_swarm_get_limiter (f->swarm, TRUE) == session_up);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 1);
  g_assert_cmpuint (tsr_limiter_wait_ms (own), ==, 0);
  /* The member that was there reads through the new bucket. */
  send_message (remote, &interested);
  received.peer = tsr_member_get_peer (member);
  received.bytes = tsr_peer_get_bytes_received (received.peer) + 5;
  wait_for (received_all, &received);
  g_assert_cmpuint (tsr_limiter_wait_ms (own), >, 0);
  /* Under the session's, which is charged too. */
  g_assert_cmpuint (tsr_limiter_wait_ms (session_down), >, 0);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, TRUE), ==, 0);
  /* Back to 0: kept, passing through to the session's. */
  tsr_swarm_limits_set_rates (limits, 0, 0);
  g_assert_true (tsr_swarm_get_limiter (f->swarm, FALSE) == own);
  g_assert_cmpuint (tsr_swarm_limits_get_rate (limits, FALSE), ==, 0);
}

/* Members: what they do themselves ----------------------------------- */

/* Sends PIECE messages answering each "R index begin length" line. */
static void
answer_requests (Fixture    *f,
                 GSocket    *remote,
                 const char *requests)
{
  g_auto(GStrv) lines = g_strsplit (requests, "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      TsrWireMessage message = { 0 };
      guint index, begin, length;

      if (sscanf (lines[i], "R %u %u %u", &index, &begin, &length) != 3)
        continue;
      message.type = TSR_WIRE_PIECE;
      message.index = index;
      message.begin = begin;
      message.length = length;
      message.data = (const guint8 *) g_bytes_get_data (f->data, NULL) + (gsize) index * PIECE_LENGTH + begin;
      message.data_length = length;
      send_message (remote, &message);
    }
}

static void
send_simple (GSocket     *remote,
             TsrWireType  type,
             guint32      index)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  send_message (remote, &message);
}

typedef struct
{
  Fixture    *f;
  const char *text;
} LogHas;

static gboolean
log_has (gpointer data)
{
  LogHas *has = data;

  return strstr (has->f->log->str, has->text) != NULL;
}

/* A peer with piece 0 unchokes us: we are interested, both blocks are
 * asked for; the blocks it sends reach the requester, and the complete
 * piece (its bytes) is reported up once; the bytes are counted. */
static void
test_member_block_completes_piece (Fixture       *f,
                                   gconstpointer  data)
{
  GSocket *remote = NULL;
  g_autofree char *sent = NULL;
  LogHas complete = { f, "complete 0" };
  TsrMember *a;

  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  a = add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote);
  g_free (take_sent (remote, TRUE));
  send_simple (remote, TSR_WIRE_HAVE, 0);
  send_simple (remote, TSR_WIRE_UNCHOKE, 0);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "m2\nR 0 0 16384\nR 0 16384 16384\n");
  g_assert_true (tsr_peer_conn_is_am_interested (conn_of (a)));
  answer_requests (f, remote, sent);
  wait_for (log_has, &complete);
  assert_log (f, "connected A\nstate A we-are-interested\nstate A unchoked-us\ncomplete 0 32768\n");
  g_assert_cmpuint (f->downloaded, ==, PIECE_LENGTH);
  /* Nothing more to ask of it: it has no other piece. */
  g_free (sent);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "");
}

/* HAVE of a piece we want makes us interested (sent once) and, while it
 * unchokes us, fills the pipeline with that piece's blocks; HAVE of a
 * piece we have does not. */
static void
test_member_have_makes_interested (Fixture       *f,
                                   gconstpointer  data)
{
  GSocket *remote = NULL;
  g_autofree char *sent = NULL;
  TsrMember *a;

  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  tsr_bitfield_set (f->have, 5, TRUE);
  tsr_piece_picker_set_have (f->picker, 5, TRUE);
  a = add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote);
  g_free (take_sent (remote, TRUE));
  send_simple (remote, TSR_WIRE_UNCHOKE, 0);
  send_simple (remote, TSR_WIRE_HAVE, 5);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "");
  g_assert_false (tsr_peer_conn_is_am_interested (conn_of (a)));
  assert_log (f, "connected A\nstate A unchoked-us\n");

  send_simple (remote, TSR_WIRE_HAVE, 3);
  g_free (sent);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "m2\nR 3 0 16384\nR 3 16384 16384\n");
  assert_log (f, "state A we-are-interested\n");
  send_simple (remote, TSR_WIRE_HAVE, 4);
  g_free (sent);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "R 4 0 16384\nR 4 16384 16384\n");
  assert_log (f, "");
}

typedef struct
{
  TsrSwarm *swarm;
  guint     n;
} Count;

static gboolean
n_peers_is (gpointer data)
{
  Count *count = data;

  return tsr_swarm_get_n_peers (count->swarm) == count->n;
}

/* A member that closes with requests out: it is reported gone once, its
 * record is freed, and the blocks it was asked for are free for another
 * peer, which is asked for them. */
static void
test_member_closed_returns_requests (Fixture       *f,
                                     gconstpointer  data)
{
  GSocket *remote_a = NULL;
  GSocket *remote_b = NULL;
  g_autofree char *sent = NULL;
  Count none = { f->swarm, 0 };
  guint counts[3];

  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote_a);
  g_free (take_sent (remote_a, TRUE));
  send_simple (remote_a, TSR_WIRE_HAVE, 2);
  send_simple (remote_a, TSR_WIRE_UNCHOKE, 0);
  sent = take_sent (remote_a, FALSE);
  g_assert_cmpstr (sent, ==, "m2\nR 2 0 16384\nR 2 16384 16384\n");
  tsr_block_map_count (f->blocks, 2, counts);
  g_assert_cmpuint (counts[TSR_BLOCK_REQUESTED], ==, 2);

  g_socket_close (remote_a, NULL);
  wait_for (n_peers_is, &none);
  assert_log (f, "connected A\nstate A we-are-interested\nstate A unchoked-us\n"
                 "closed A The peer closed the connection\n");
  tsr_block_map_count (f->blocks, 2, counts);
  g_assert_cmpuint (counts[TSR_BLOCK_REQUESTED], ==, 0);
  g_assert_cmpuint (counts[TSR_BLOCK_FREE], ==, 2);

  add_fed (f, 7002, TRUE, "-XX0000-bbbbbbbbbbbb", 0, 0, &remote_b);
  g_free (take_sent (remote_b, TRUE));
  send_simple (remote_b, TSR_WIRE_HAVE, 2);
  send_simple (remote_b, TSR_WIRE_UNCHOKE, 0);
  g_free (sent);
  sent = take_sent (remote_b, FALSE);
  g_assert_cmpstr (sent, ==, "m2\nR 2 0 16384\nR 2 16384 16384\n");
  assert_log (f, "connected B\nstate B we-are-interested\nstate B unchoked-us\n");
}

/* Freed with members mid-message (blocks and a close queued, bytes
 * unread): nothing is reported, then or later. */
static void
test_free_mid_message_calls_nothing (Fixture       *f,
                                     gconstpointer  data)
{
  GSocket *remote = NULL;
  g_autofree char *sent = NULL;
  TsrMember *b;

  tsr_swarm_set_mode (f->swarm, TSR_SWARM_DOWNLOADING);
  add_fed (f, 7001, TRUE, "-XX0000-aaaaaaaaaaaa", 0, 0, &remote);
  b = add_fed (f, 7002, TRUE, "-XX0000-bbbbbbbbbbbb", 0, 0, NULL);
  g_free (take_sent (remote, TRUE));
  send_simple (remote, TSR_WIRE_HAVE, 1);
  send_simple (remote, TSR_WIRE_UNCHOKE, 0);
  sent = take_sent (remote, FALSE);
  g_assert_cmpstr (sent, ==, "m2\nR 1 0 16384\nR 1 16384 16384\n");
  assert_log (f, "connected A\nconnected B\nstate A we-are-interested\nstate A unchoked-us\n");

  /* A block in the socket, unread; B's close queued. */
  answer_requests (f, remote, "R 1 0 16384\n");
  tsr_peer_conn_close_later (conn_of (b), "going");
  tsr_swarm_free (f->swarm);
  f->swarm = NULL;
  settle ();
  g_assert_cmpstr (f->log->str, ==, "");
  g_assert_cmpuint (f->downloaded, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/swarm/dial-limit-and-budget", Fixture, NULL, fixture_set_up_pieces, test_dial_limit_and_budget,
              fixture_tear_down);
  g_test_add ("/swarm/dial-some", Fixture, NULL, fixture_set_up_pieces, test_dial_some, fixture_tear_down);
  g_test_add ("/swarm/turnover-drops-least-useful", Fixture, NULL, fixture_set_up_pieces,
              test_turnover_drops_least_useful, fixture_tear_down);
  g_test_add ("/swarm/self-connection", Fixture, NULL, fixture_set_up_pieces, test_self_connection, fixture_tear_down);
  g_test_add ("/swarm/idle-makes-no-parts", Fixture, NULL, fixture_set_up_pieces, test_idle_makes_no_parts,
              fixture_tear_down);
  g_test_add ("/swarm/metainfo-limits-transports", Fixture, NULL, fixture_set_up_pieces,
              test_metainfo_limits_transports, fixture_tear_down);
  g_test_add ("/swarm/duplicate-peer-id", Fixture, NULL, fixture_set_up_pieces, test_duplicate_peer_id,
              fixture_tear_down);
  g_test_add ("/swarm/incoming-banned-host", Fixture, NULL, fixture_set_up_pieces, test_incoming_banned_host,
              fixture_tear_down);
  g_test_add ("/swarm/limiters-made-at-first-rate", Fixture, NULL, fixture_set_up_pieces,
              test_limiters_made_at_first_rate, fixture_tear_down);
  g_test_add ("/swarm/choke-round-applies", Fixture, NULL, fixture_set_up_pieces, test_choke_round_applies,
              fixture_tear_down);
  g_test_add ("/swarm/member/block-completes-piece-once", Fixture, NULL, fixture_set_up_pieces,
              test_member_block_completes_piece, fixture_tear_down);
  g_test_add ("/swarm/member/have-makes-interested-and-fills", Fixture, NULL, fixture_set_up_pieces,
              test_member_have_makes_interested, fixture_tear_down);
  g_test_add ("/swarm/member/closed-returns-requests", Fixture, NULL, fixture_set_up_pieces,
              test_member_closed_returns_requests, fixture_tear_down);
  g_test_add ("/swarm/free-mid-message-calls-nothing", Fixture, NULL, fixture_set_up_pieces,
              test_free_mid_message_calls_nothing, fixture_tear_down);
  return g_test_run ();
}
