/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-conn.c: TsrPeerConn over a TsrPeer that is never started (no
 * socket). Messages come in as the transport delivers them, through its
 * "message" signal; what the connection reports is logged one line each
 * ("changed UNCHOKED_US 1", "request 6 1 0 16384", ...); what it sends is
 * seen in the transport's queue (bytes not yet written), whose lengths
 * tell the messages apart: 5 for a bare message, 7 for PORT, 9 for HAVE.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-peer-conn.h"

#define N_PIECES 20

typedef struct
{
  TsrPiecePicker *picker;
  TsrPeer        *peer;
  TsrPeerConn    *conn;
  GString        *log;     /* what the connection reported, one line each */
} Fixture;

static const char *const change_names[] = {
  "CHOKED_US", "UNCHOKED_US", "INTERESTED_IN_US", "NOT_INTERESTED_IN_US",
  "HAS", "PIECES_CHANGED", "ALLOWED_FAST", "SUGGEST",
};

static void
on_handshake (TsrPeerConn            *conn,
              const TsrWireHandshake *theirs,
              gpointer                member)
{
  g_string_append_printf (((Fixture *) member)->log, "handshake %c\n", theirs->peer_id[0]);
}

static void
on_changed (TsrPeerConn   *conn,
            TsrPeerChange  change,
            guint          index,
            gpointer       member)
{
  g_string_append_printf (((Fixture *) member)->log, "changed %s %u\n", change_names[change], index);
}

static void
log_message (Fixture              *f,
             const char           *what,
             const TsrWireMessage *message)
{
  g_string_append_printf (f->log, "%s %d %u %u %u\n", what, message->type, message->index, message->begin,
                          message->length);
}

static void
on_block (TsrPeerConn          *conn,
          const TsrWireMessage *message,
          gpointer              member)
{
  log_message (member, "block", message);
}

static void
on_request (TsrPeerConn          *conn,
            const TsrWireMessage *message,
            gpointer              member)
{
  log_message (member, "request", message);
}

static void
on_reject (TsrPeerConn          *conn,
           const TsrWireMessage *message,
           gpointer              member)
{
  log_message (member, "reject", message);
}

static void
on_extension (TsrPeerConn          *conn,
              const TsrWireMessage *message,
              gpointer              member)
{
  g_string_append_printf (((Fixture *) member)->log, "extension %d %u\n", message->type, message->extended_id);
}

static void
on_dht_node (TsrPeerConn          *conn,
             const TsrPeerAddress *node,
             gpointer              member)
{
  g_autofree char *text = tsr_peer_address_to_string (node);

  g_string_append_printf (((Fixture *) member)->log, "dht %s\n", text);
}

static void
on_drained (TsrPeerConn *conn,
            gpointer     member)
{
  g_string_append (((Fixture *) member)->log, "drained\n");
}

static void
on_closed (TsrPeerConn *conn,
           const char  *reason,
           gpointer     member)
{
  g_string_append_printf (((Fixture *) member)->log, "closed %s\n", reason != NULL ? reason : "(by us)");
}

static const TsrPeerConnFuncs funcs = {
  .handshake = on_handshake,
  .changed = on_changed,
  .block = on_block,
  .request = on_request,
  .reject = on_reject,
  .extension = on_extension,
  .dht_node = on_dht_node,
  .drained = on_drained,
  .closed = on_closed,
};

static TsrPeer *
make_peer (void)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse ("127.0.0.1:6881", &address));
  return tsr_peer_new_outgoing (&address);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->peer = make_peer ();
  f->log = g_string_new (NULL);
  f->conn = tsr_peer_conn_new (f->peer, f->picker, N_PIECES, NULL, &funcs, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_peer_conn_free (f->conn);
  g_object_unref (f->peer);
  tsr_piece_picker_free (f->picker);
  g_string_free (f->log, TRUE);
}

/* Delivers @message as the transport would. */
static void
deliver (Fixture              *f,
         const TsrWireMessage *message)
{
  g_signal_emit_by_name (f->peer, "message", message);
}

static void
deliver_simple (Fixture     *f,
                TsrWireType  type,
                guint32      index)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  deliver (f, &message);
}

/* The log so far, emptied. */
static char *
take_log (Fixture *f)
{
  char *text = g_strdup (f->log->str);

  g_string_truncate (f->log, 0);
  return text;
}

#define assert_log(f, expected) \
  G_STMT_START { g_autofree char *_log = take_log (f); g_assert_cmpstr (_log, ==, expected); } G_STMT_END

static guint64
queued (Fixture *f)
{
  return tsr_peer_get_queued_bytes (f->peer);
}

static void
test_choke_flags (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_true (tsr_peer_conn_is_am_choking (f->conn));
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_false (tsr_peer_conn_is_am_interested (f->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));

  deliver_simple (f, TSR_WIRE_UNCHOKE, 0);
  g_assert_false (tsr_peer_conn_is_peer_choking (f->conn));
  deliver_simple (f, TSR_WIRE_UNCHOKE, 0);
  deliver_simple (f, TSR_WIRE_CHOKE, 0);
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  deliver_simple (f, TSR_WIRE_INTERESTED, 0);
  g_assert_true (tsr_peer_conn_is_peer_interested (f->conn));
  deliver_simple (f, TSR_WIRE_NOT_INTERESTED, 0);
  deliver_simple (f, TSR_WIRE_NOT_INTERESTED, 0);
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));
  /* A repeated message is reported too, as no flip (0). */
  assert_log (f, "changed UNCHOKED_US 1\n"
                 "changed UNCHOKED_US 0\n"
                 "changed CHOKED_US 1\n"
                 "changed INTERESTED_IN_US 1\n"
                 "changed NOT_INTERESTED_IN_US 1\n"
                 "changed NOT_INTERESTED_IN_US 0\n");
  /* Our side: only a change goes out. */
  g_assert_cmpuint (queued (f), ==, 0);
  g_assert_false (tsr_peer_conn_set_choking (f->conn, TRUE));
  g_assert_cmpuint (queued (f), ==, 0);
  g_assert_true (tsr_peer_conn_set_choking (f->conn, FALSE));
  g_assert_false (tsr_peer_conn_is_am_choking (f->conn));
  g_assert_cmpuint (queued (f), ==, 5);
  g_assert_true (tsr_peer_conn_set_choking (f->conn, TRUE));
  g_assert_cmpuint (queued (f), ==, 10);
}

static void
test_have_updates_availability (Fixture       *f,
                                gconstpointer  data)
{
  deliver_simple (f, TSR_WIRE_HAVE, 3);
  g_assert_true (tsr_peer_conn_has (f->conn, 3));
  g_assert_false (tsr_peer_conn_has (f->conn, 4));
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 3), ==, 1);
  /* Told twice, counted once. */
  deliver_simple (f, TSR_WIRE_HAVE, 3);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 3), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 4), ==, 0);
  assert_log (f, "changed HAS 3\nchanged HAS 3\n");
}

static void
test_bitfield_replaces (Fixture       *f,
                        gconstpointer  data)
{
  guint8 bits[3] = { 0x60, 0x00, 0x00 };   /* pieces 1 and 2 */
  TsrWireMessage message = { 0 };

  deliver_simple (f, TSR_WIRE_HAVE, 0);
  message.type = TSR_WIRE_BITFIELD;
  message.data = bits;
  message.data_length = sizeof bits;
  deliver (f, &message);
  g_assert_false (tsr_peer_conn_has (f->conn, 0));
  g_assert_true (tsr_peer_conn_has (f->conn, 1));
  g_assert_true (tsr_peer_conn_has (f->conn, 2));
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 0), ==, 0);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 1), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 2), ==, 1);
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 2);
  assert_log (f, "changed HAS 0\nchanged PIECES_CHANGED 5\n");
}

static void
test_have_all_none (Fixture       *f,
                    gconstpointer  data)
{
  guint i;

  deliver_simple (f, TSR_WIRE_HAVE_ALL, 0);
  g_assert_true (tsr_bitfield_is_full (tsr_peer_conn_get_have (f->conn)));
  for (i = 0; i < N_PIECES; i++)
    g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, i), ==, 1);
  deliver_simple (f, TSR_WIRE_HAVE_NONE, 0);
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 0);
  for (i = 0; i < N_PIECES; i++)
    g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, i), ==, 0);
  assert_log (f, "changed PIECES_CHANGED 14\nchanged PIECES_CHANGED 15\n");
}

static void
test_interest_sent_once (Fixture       *f,
                         gconstpointer  data)
{
  g_assert_true (tsr_peer_conn_set_interested (f->conn, TRUE));
  g_assert_true (tsr_peer_conn_is_am_interested (f->conn));
  g_assert_cmpuint (queued (f), ==, 5);
  g_assert_false (tsr_peer_conn_set_interested (f->conn, TRUE));
  g_assert_cmpuint (queued (f), ==, 5);
  g_assert_true (tsr_peer_conn_set_interested (f->conn, FALSE));
  g_assert_cmpuint (queued (f), ==, 10);
  g_assert_false (tsr_peer_conn_set_interested (f->conn, FALSE));
  g_assert_cmpuint (queued (f), ==, 10);
  /* Nothing of ours is reported back. */
  assert_log (f, "");
}

static void
test_free_removes_availability (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TsrPeer) other_peer = make_peer ();
  g_autoptr(TsrBudget) budget = tsr_budget_new (10);
  TsrPeerConn *other = tsr_peer_conn_new (other_peer, f->picker, N_PIECES, budget, &funcs, f);
  TsrWireMessage have_all = { 0 };

  g_assert_cmpuint (tsr_budget_get_used (budget), ==, 1);
  have_all.type = TSR_WIRE_HAVE_ALL;
  g_signal_emit_by_name (other_peer, "message", &have_all);
  deliver_simple (f, TSR_WIRE_HAVE, 7);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 7), ==, 2);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 8), ==, 1);
  g_string_truncate (f->log, 0);

  tsr_peer_conn_free (other);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 7), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 8), ==, 0);
  g_assert_cmpuint (tsr_budget_get_used (budget), ==, 0);
  /* Freed: the transport is closed, and nothing is reported. */
  g_assert_true (tsr_peer_is_closed (other_peer));
  assert_log (f, "");
}

static void
test_port_only_if_dht (Fixture       *f,
                       gconstpointer  data)
{
  TsrWireMessage port = { 0 };
  TsrWireHandshake theirs = { { 0 } };

  port.type = TSR_WIRE_PORT;
  port.port = 7000;
  deliver (f, &port);
  assert_log (f, "");
  /* Greeting a peer that offers DHT: no PORT while we have no node. */
  tsr_wire_reserved_set (theirs.reserved, TSR_WIRE_RESERVED_DHT);
  tsr_peer_conn_greet (f->conn, &theirs, NULL);
  g_assert_cmpuint (queued (f), ==, 0);

  tsr_peer_conn_set_dht_port (f->conn, 6881);
  deliver (f, &port);
  port.port = 0;
  deliver (f, &port);
  assert_log (f, "dht 127.0.0.1:7000\n");
  tsr_peer_conn_greet (f->conn, &theirs, NULL);
  g_assert_cmpuint (queued (f), ==, 7);
  /* Not to a peer that does not offer it. */
  memset (theirs.reserved, 0, sizeof theirs.reserved);
  tsr_peer_conn_greet (f->conn, &theirs, NULL);
  g_assert_cmpuint (queued (f), ==, 7);
}

static void
test_keepalive_ignored (Fixture       *f,
                        gconstpointer  data)
{
  deliver_simple (f, TSR_WIRE_KEEPALIVE, 0);
  assert_log (f, "");
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 0);
  g_assert_cmpuint (queued (f), ==, 0);
}

static void
test_unknown_type_skipped (Fixture       *f,
                           gconstpointer  data)
{
  TsrWireMessage message = { 0 };

  message.type = TSR_WIRE_UNKNOWN;
  message.unknown_id = 42;
  deliver (f, &message);
  /* An id between the known ones (10: none) is skipped too. */
  message.type = (TsrWireType) 10;
  deliver (f, &message);
  assert_log (f, "");
  /* And the connection goes on. */
  deliver_simple (f, TSR_WIRE_HAVE, 1);
  assert_log (f, "changed HAS 1\n");
}

static void
test_reports (Fixture       *f,
              gconstpointer  data)
{
  static const guint8 block[16] = { 0 };
  TsrWireMessage message = { 0 };
  TsrWireHandshake theirs = { { 0 } };

  message.type = TSR_WIRE_REQUEST;
  message.index = 1;
  message.length = 16384;
  deliver (f, &message);
  message.type = TSR_WIRE_CANCEL;
  deliver (f, &message);
  message.type = TSR_WIRE_REJECT;
  message.begin = 16384;
  deliver (f, &message);
  message.type = TSR_WIRE_PIECE;
  message.index = 2;
  message.begin = 0;
  message.length = sizeof block;
  message.data = block;
  message.data_length = sizeof block;
  deliver (f, &message);
  memset (&message, 0, sizeof message);
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = 3;
  deliver (f, &message);
  message.extended_id = 0;
  message.type = TSR_WIRE_HASH_REQUEST;
  deliver (f, &message);
  message.type = TSR_WIRE_HASHES;
  deliver (f, &message);
  message.type = TSR_WIRE_HASH_REJECT;
  deliver (f, &message);
  deliver_simple (f, TSR_WIRE_ALLOWED_FAST, 9);
  deliver_simple (f, TSR_WIRE_SUGGEST, 11);
  theirs.peer_id[0] = 'X';
  g_signal_emit_by_name (f->peer, "handshake", &theirs);
  g_signal_emit_by_name (f->peer, "sent");
  assert_log (f, "request 6 1 0 16384\n"
                 "request 8 1 0 16384\n"
                 "reject 16 1 16384 16384\n"
                 "block 7 2 0 16\n"
                 "extension 20 3\n"
                 "extension 21 0\n"
                 "extension 22 0\n"
                 "extension 23 0\n"
                 "changed ALLOWED_FAST 9\n"
                 "changed SUGGEST 11\n"
                 "handshake X\n"
                 "drained\n");
  /* Nothing of that changed the flags or the pieces. */
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 0);
  tsr_peer_close (f->peer, "gone");
  assert_log (f, "closed gone\n");
}

/* A magnet's connection before the metainfo: piece messages mean nothing
 * and go to the extensions, which ignore what is not theirs. */
static void
test_before_metainfo (void)
{
  g_autoptr(TsrPeer) peer = make_peer ();
  Fixture f = { 0 };
  TsrPeerConn *conn;

  f.log = g_string_new (NULL);
  conn = tsr_peer_conn_new (peer, NULL, 0, NULL, &funcs, &f);
  g_assert_null (tsr_peer_conn_get_have (conn));
  g_assert_false (tsr_peer_conn_has (conn, 0));
  f.peer = peer;
  deliver_simple (&f, TSR_WIRE_HAVE, 4);
  deliver_simple (&f, TSR_WIRE_UNCHOKE, 0);
  assert_log (&f, "extension 4 0\nextension 1 0\n");
  g_assert_true (tsr_peer_conn_is_peer_choking (conn));
  tsr_peer_conn_free (conn);
  g_string_free (f.log, TRUE);
}

/* What we have goes out once shaken: a bitfield, or nothing when we have
 * nothing and the peer does not speak BEP 6 (a never-started transport
 * agreed on no features). */
static void
test_greet_sends_bitfield (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TsrBitfield) have = tsr_bitfield_new (N_PIECES);
  TsrWireHandshake theirs = { { 0 } };

  g_assert_false (tsr_peer_conn_is_shaken (f->conn));
  tsr_peer_conn_greet (f->conn, &theirs, have);
  g_assert_true (tsr_peer_conn_is_shaken (f->conn));
  g_assert_cmpuint (queued (f), ==, 0);
  tsr_bitfield_set (have, 5, TRUE);
  tsr_peer_conn_greet (f->conn, &theirs, have);
  /* 4 length + 1 id + 3 bytes for 20 pieces */
  g_assert_cmpuint (queued (f), ==, 8);
}

static void
test_close_later_once (Fixture       *f,
                       gconstpointer  data)
{
  guint i;

  g_assert_false (tsr_peer_conn_is_dropping (f->conn));
  g_assert_true (tsr_peer_conn_close_later (f->conn, "later"));
  g_assert_false (tsr_peer_conn_close_later (f->conn, "again"));
  g_assert_true (tsr_peer_conn_is_dropping (f->conn));
  /* Not inside the caller: from an idle. */
  g_assert_false (tsr_peer_is_closed (f->peer));
  for (i = 0; i < 100 && !tsr_peer_is_closed (f->peer); i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (tsr_peer_is_closed (f->peer));
  assert_log (f, "closed later\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/peer-conn/choke-flags", test_choke_flags);
  ADD ("/peer-conn/have-updates-availability", test_have_updates_availability);
  ADD ("/peer-conn/bitfield-replaces", test_bitfield_replaces);
  ADD ("/peer-conn/have-all-none", test_have_all_none);
  ADD ("/peer-conn/interest-sent-once", test_interest_sent_once);
  ADD ("/peer-conn/free-removes-availability", test_free_removes_availability);
  ADD ("/peer-conn/port-only-if-dht", test_port_only_if_dht);
  ADD ("/peer-conn/keepalive-ignored", test_keepalive_ignored);
  ADD ("/peer-conn/unknown-type-skipped", test_unknown_type_skipped);
  ADD ("/peer-conn/reports", test_reports);
  ADD ("/peer-conn/greet-sends-bitfield", test_greet_sends_bitfield);
  ADD ("/peer-conn/close-later-once", test_close_later_once);
#undef ADD
  g_test_add_func ("/peer-conn/before-metainfo", test_before_metainfo);

  return g_test_run ();
}
