/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-conn.c: TsrPeerConn over TsrPeer, without sockets. Messages
 * come in over memory streams (g_simple_io_stream_new): their handshake,
 * the test's messages, then the end of the stream. What the connection
 * reports is logged one line each ("changed UNCHOKED_US 1 [00]",
 * "request 6 1 0 16384", ...). What it sends is seen in the queue of a
 * transport that is never started (bytes not yet written), whose lengths
 * tell the messages apart: 5 for a bare message, 7 for PORT, 8 for a
 * bitfield of 20 pieces.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-peer-conn.h"

#define N_PIECES 20

typedef struct
{
  TsrPiecePicker *picker;
  TsrPeerConn    *conn;    /* (owned) (nullable) freed in tear-down */
  GByteArray     *wire;    /* what the next fed connection receives */
  GString        *log;     /* what the connection reported, one line each */
} Fixture;

static const char *const change_names[] = {
  "CHOKED_US", "UNCHOKED_US", "INTERESTED_IN_US", "NOT_INTERESTED_IN_US",
  "HAS", "PIECES_CHANGED", "ALLOWED_FAST", "SUGGEST",
};

/* Their handshake arrived: ours goes back, and messages follow. */
static void
on_handshake (TsrPeerConn            *conn,
              const TsrWireHandshake *theirs,
              gpointer                member)
{
  TsrWireHandshake ours = *theirs;

  g_string_append_printf (((Fixture *) member)->log, "handshake %c\n", theirs->peer_id[0]);
  memcpy (ours.peer_id, "-TS0000-ourselves000", 20);
  tsr_peer_accept (tsr_peer_conn_get_peer (conn), &ours);
}

/* With the flags after the change: [peer choking, peer interested]. */
static void
on_changed (TsrPeerConn   *conn,
            TsrPeerChange  change,
            guint          index,
            gpointer       member)
{
  g_string_append_printf (((Fixture *) member)->log, "changed %s %u [%d%d]\n", change_names[change], index,
                          tsr_peer_conn_is_peer_choking (conn), tsr_peer_conn_is_peer_interested (conn));
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

static TsrPeerAddress
loopback (void)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse ("127.0.0.1:6881", &address));
  return address;
}

/* Their handshake, first on the wire; what follows is the test's. */
static GByteArray *
new_wire (void)
{
  GByteArray *wire = g_byte_array_new ();
  TsrWireHandshake theirs = { { 0 } };

  memset (theirs.info_hash, 0xab, 20);
  memcpy (theirs.peer_id, "X-peer-on-the-wire-X", 20);
  tsr_wire_write_handshake (wire, &theirs);
  return wire;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->picker = tsr_piece_picker_new (N_PIECES);
  f->wire = new_wire ();
  f->log = g_string_new (NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_peer_conn_free (f->conn);
  tsr_piece_picker_free (f->picker);
  g_byte_array_unref (f->wire);
  g_string_free (f->log, TRUE);
}

/* A connection whose transport is never started: what it sends stays
 * queued. */
static TsrPeerConn *
start_idle (Fixture        *f,
            TsrPiecePicker *picker)
{
  TsrPeerAddress address = loopback ();
  g_autoptr(TsrPeer) peer = tsr_peer_new_outgoing (&address, NULL);

  return tsr_peer_conn_new (peer, picker, N_PIECES, NULL, &funcs, f);
}

static void
put (Fixture              *f,
     const TsrWireMessage *message)
{
  tsr_wire_write_message (f->wire, message);
}

static void
put_simple (Fixture     *f,
            TsrWireType  type,
            guint32      index)
{
  TsrWireMessage message = { 0 };

  message.type = type;
  message.index = index;
  put (f, &message);
}

/* Raw bytes: a message of @length (id and payload) with id @id. */
static void
put_raw (Fixture *f,
         guint32  length,
         guint8   id)
{
  guint8 header[5] = { length >> 24, length >> 16, length >> 8, length, id };

  g_byte_array_append (f->wire, header, length == 0 ? 4 : 5);
}

/* A connection over memory streams: it reads their handshake and what
 * the test put after it, then the end of the stream closes it. The log
 * is left with what came between handshake and close. */
static TsrPeerConn *
feed_full (Fixture        *f,
           TsrPiecePicker *picker,
           TsrBudget      *budget,
           guint16         dht_port)
{
  TsrPeerAddress address = loopback ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_memdup2 (f->wire->data, f->wire->len),
                                                                    f->wire->len, g_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(TsrPeer) peer = tsr_peer_new_for_stream (stream, &address);
  TsrPeerConn *conn = tsr_peer_conn_new (peer, picker, N_PIECES, budget, &funcs, f);
  const char *first = "handshake X\n";
  const char *last = "closed The peer closed the connection\n";
  guint i;

  tsr_peer_conn_set_dht_port (conn, dht_port);
  tsr_peer_start (peer, NULL);
  for (i = 0; i < 1000 && !tsr_peer_is_closed (peer); i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (tsr_peer_is_closed (peer));
  g_assert_true (g_str_has_prefix (f->log->str, first));
  g_assert_true (g_str_has_suffix (f->log->str, last));
  g_string_truncate (f->log, f->log->len - strlen (last));
  g_string_erase (f->log, 0, strlen (first));
  g_byte_array_unref (f->wire);
  f->wire = new_wire ();
  return conn;
}

static TsrPeerConn *
feed (Fixture        *f,
      TsrPiecePicker *picker,
      TsrBudget      *budget)
{
  return feed_full (f, picker, budget, 0);
}

/* A connection over memory streams that is never started: nothing is
 * read, and what it sends is written. */
static TsrPeerConn *
start_idle_streamed (Fixture *f)
{
  TsrPeerAddress address = loopback ();
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(TsrPeer) peer = tsr_peer_new_for_stream (stream, &address);

  return tsr_peer_conn_new (peer, f->picker, N_PIECES, NULL, &funcs, f);
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
  return tsr_peer_get_queued_bytes (tsr_peer_conn_get_peer (f->conn));
}

static void
test_choke_flags (Fixture       *f,
                  gconstpointer  data)
{
  put_simple (f, TSR_WIRE_UNCHOKE, 0);
  put_simple (f, TSR_WIRE_UNCHOKE, 0);
  put_simple (f, TSR_WIRE_CHOKE, 0);
  put_simple (f, TSR_WIRE_INTERESTED, 0);
  put_simple (f, TSR_WIRE_NOT_INTERESTED, 0);
  put_simple (f, TSR_WIRE_NOT_INTERESTED, 0);
  f->conn = feed (f, f->picker, NULL);
  /* A repeated message is reported too, as no flip (0). */
  assert_log (f, "changed UNCHOKED_US 1 [00]\n"
                 "changed UNCHOKED_US 0 [00]\n"
                 "changed CHOKED_US 1 [10]\n"
                 "changed INTERESTED_IN_US 1 [11]\n"
                 "changed NOT_INTERESTED_IN_US 1 [10]\n"
                 "changed NOT_INTERESTED_IN_US 0 [10]\n");
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));
}

/* Our side: choking and not interested at first; only a change goes out. */
static void
test_our_choke_sent_once (Fixture       *f,
                          gconstpointer  data)
{
  f->conn = start_idle (f, f->picker);
  g_assert_true (tsr_peer_conn_is_am_choking (f->conn));
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_false (tsr_peer_conn_is_am_interested (f->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));
  g_assert_false (tsr_peer_conn_set_choking (f->conn, TRUE));
  g_assert_cmpuint (queued (f), ==, 0);
  g_assert_true (tsr_peer_conn_set_choking (f->conn, FALSE));
  g_assert_false (tsr_peer_conn_is_am_choking (f->conn));
  g_assert_cmpuint (queued (f), ==, 5);
  g_assert_false (tsr_peer_conn_set_choking (f->conn, FALSE));
  g_assert_cmpuint (queued (f), ==, 5);
  g_assert_true (tsr_peer_conn_set_choking (f->conn, TRUE));
  g_assert_cmpuint (queued (f), ==, 10);
  assert_log (f, "");
}

static void
test_have_updates_availability (Fixture       *f,
                                gconstpointer  data)
{
  put_simple (f, TSR_WIRE_HAVE, 3);
  /* Told twice, counted once. */
  put_simple (f, TSR_WIRE_HAVE, 3);
  f->conn = feed (f, f->picker, NULL);
  g_assert_true (tsr_peer_conn_has (f->conn, 3));
  g_assert_false (tsr_peer_conn_has (f->conn, 4));
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 3), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 4), ==, 0);
  assert_log (f, "changed HAS 3 [10]\nchanged HAS 3 [10]\n");
}

static void
test_bitfield_replaces (Fixture       *f,
                        gconstpointer  data)
{
  static const guint8 bits[3] = { 0x60, 0x00, 0x00 };   /* pieces 1 and 2 */
  TsrWireMessage message = { 0 };

  put_simple (f, TSR_WIRE_HAVE, 0);
  message.type = TSR_WIRE_BITFIELD;
  message.data = bits;
  message.data_length = sizeof bits;
  put (f, &message);
  f->conn = feed (f, f->picker, NULL);
  g_assert_false (tsr_peer_conn_has (f->conn, 0));
  g_assert_true (tsr_peer_conn_has (f->conn, 1));
  g_assert_true (tsr_peer_conn_has (f->conn, 2));
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 0), ==, 0);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 1), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 2), ==, 1);
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 2);
  assert_log (f, "changed HAS 0 [10]\nchanged PIECES_CHANGED 5 [10]\n");
}

static void
test_have_all_none (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TsrPiecePicker) second = tsr_piece_picker_new (N_PIECES);
  TsrPeerConn *other;
  guint i;

  put_simple (f, TSR_WIRE_HAVE_ALL, 0);
  f->conn = feed (f, f->picker, NULL);
  g_assert_true (tsr_bitfield_is_full (tsr_peer_conn_get_have (f->conn)));
  for (i = 0; i < N_PIECES; i++)
    g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, i), ==, 1);
  assert_log (f, "changed PIECES_CHANGED 14 [10]\n");

  put_simple (f, TSR_WIRE_HAVE_ALL, 0);
  put_simple (f, TSR_WIRE_HAVE_NONE, 0);
  other = feed (f, second, NULL);
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (other)), ==, 0);
  for (i = 0; i < N_PIECES; i++)
    g_assert_cmpuint (tsr_piece_picker_get_availability (second, i), ==, 0);
  assert_log (f, "changed PIECES_CHANGED 14 [10]\nchanged PIECES_CHANGED 15 [10]\n");
  tsr_peer_conn_free (other);
}

static void
test_interest_sent_once (Fixture       *f,
                         gconstpointer  data)
{
  f->conn = start_idle (f, f->picker);
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
  g_autoptr(TsrBudget) budget = tsr_budget_new (10);
  TsrPeerConn *other;
  TsrPeer *other_peer;

  put_simple (f, TSR_WIRE_HAVE_ALL, 0);
  other = feed (f, f->picker, budget);
  other_peer = g_object_ref (tsr_peer_conn_get_peer (other));
  g_assert_cmpuint (tsr_budget_get_used (budget), ==, 1);
  assert_log (f, "changed PIECES_CHANGED 14 [10]\n");
  put_simple (f, TSR_WIRE_HAVE, 7);
  f->conn = feed (f, f->picker, NULL);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 7), ==, 2);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 8), ==, 1);
  assert_log (f, "changed HAS 7 [10]\n");

  tsr_peer_conn_free (other);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 7), ==, 1);
  g_assert_cmpuint (tsr_piece_picker_get_availability (f->picker, 8), ==, 0);
  g_assert_cmpuint (tsr_budget_get_used (budget), ==, 0);
  /* The conn's reference went with it; nothing is reported. */
  g_assert_true (tsr_peer_is_closed (other_peer));
  g_object_unref (other_peer);
  assert_log (f, "");
}

/* An idle connection with @their handshake's DHT bit greeted: bytes sent. */
static guint64
greet_port (Fixture  *f,
            guint16   dht_port,
            gboolean  their_dht)
{
  TsrPeerConn *conn = start_idle (f, f->picker);
  TsrWireHandshake theirs = { { 0 } };
  guint64 sent;

  if (their_dht)
    tsr_wire_reserved_set (theirs.reserved, TSR_WIRE_RESERVED_DHT);
  tsr_peer_conn_set_dht_port (conn, dht_port);
  tsr_peer_conn_greet (conn, &theirs, NULL);
  sent = tsr_peer_get_queued_bytes (tsr_peer_conn_get_peer (conn));
  tsr_peer_conn_free (conn);
  return sent;
}

static void
test_port_only_if_dht (Fixture       *f,
                       gconstpointer  data)
{
  TsrWireMessage port = { 0 };
  TsrPeerConn *other;

  port.type = TSR_WIRE_PORT;
  port.port = 7000;
  put (f, &port);
  other = feed (f, f->picker, NULL);
  assert_log (f, "");
  tsr_peer_conn_free (other);

  /* Heard while our node runs; a zero port means nothing. */
  put (f, &port);
  port.port = 0;
  put (f, &port);
  f->conn = feed_full (f, f->picker, NULL, 6881);
  assert_log (f, "dht 127.0.0.1:7000\n");

  /* Ours is told only with a node, and only to a peer offering DHT. */
  g_assert_cmpuint (greet_port (f, 0, TRUE), ==, 0);
  g_assert_cmpuint (greet_port (f, 6881, TRUE), ==, 7);
  g_assert_cmpuint (greet_port (f, 6881, FALSE), ==, 0);
}

static void
test_keepalive_ignored (Fixture       *f,
                        gconstpointer  data)
{
  put_raw (f, 0, 0);
  put_raw (f, 0, 0);
  f->conn = feed (f, f->picker, NULL);
  assert_log (f, "");
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_false (tsr_peer_conn_is_peer_interested (f->conn));
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 0);
  /* They were read: 68 handshake bytes and two 4-byte keep-alives. */
  g_assert_cmpuint (tsr_peer_get_bytes_received (tsr_peer_conn_get_peer (f->conn)), ==, 68 + 8);
}

static void
test_unknown_type_skipped (Fixture       *f,
                           gconstpointer  data)
{
  put_raw (f, 1, 42);
  /* An id between the known ones (10, 11, 12: none) is skipped too. */
  put_raw (f, 1, 10);
  put_raw (f, 1, 12);
  /* And the connection goes on. */
  put_simple (f, TSR_WIRE_HAVE, 1);
  f->conn = feed (f, f->picker, NULL);
  assert_log (f, "changed HAS 1 [10]\n");
}

static void
test_reports (Fixture       *f,
              gconstpointer  data)
{
  static const guint8 payload[48] = { 0 };
  TsrWireMessage message = { 0 };

  message.type = TSR_WIRE_REQUEST;
  message.index = 1;
  message.length = 16384;
  put (f, &message);
  message.type = TSR_WIRE_CANCEL;
  put (f, &message);
  message.type = TSR_WIRE_REJECT;
  message.begin = 16384;
  put (f, &message);
  message.type = TSR_WIRE_PIECE;
  message.index = 2;
  message.begin = 0;
  message.data = payload;
  message.data_length = 16;
  put (f, &message);
  memset (&message, 0, sizeof message);
  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = 3;
  put (f, &message);
  message.data = payload;
  message.data_length = sizeof payload;
  message.type = TSR_WIRE_HASH_REQUEST;
  put (f, &message);
  message.type = TSR_WIRE_HASHES;
  put (f, &message);
  message.type = TSR_WIRE_HASH_REJECT;
  put (f, &message);
  put_simple (f, TSR_WIRE_ALLOWED_FAST, 9);
  put_simple (f, TSR_WIRE_SUGGEST, 11);
  f->conn = feed (f, f->picker, NULL);
  /* The handshake and the close were checked by feed (). */
  assert_log (f, "request 6 1 0 16384\n"
                 "request 8 1 0 16384\n"
                 "reject 16 1 16384 16384\n"
                 "block 7 2 0 16\n"
                 "extension 20 3\n"
                 "extension 21 0\n"
                 "extension 22 0\n"
                 "extension 23 0\n"
                 "changed ALLOWED_FAST 9 [10]\n"
                 "changed SUGGEST 11 [10]\n");
  /* Nothing of that changed the flags or the pieces. */
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  g_assert_cmpuint (tsr_bitfield_count (tsr_peer_conn_get_have (f->conn)), ==, 0);
}

/* A write landed: the owner hears there is room. */
static void
test_drained (Fixture       *f,
              gconstpointer  data)
{
  guint i;

  f->conn = start_idle_streamed (f);
  tsr_peer_conn_send (f->conn, TSR_WIRE_HAVE, 4, 0, 0);
  for (i = 0; i < 1000 && strstr (f->log->str, "drained") == NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  assert_log (f, "drained\n");
}

/* A magnet's connection before the metainfo: piece messages mean nothing
 * and go to the extensions, which ignore what is not theirs. */
static void
test_before_metainfo (Fixture       *f,
                      gconstpointer  data)
{
  put_simple (f, TSR_WIRE_HAVE, 4);
  put_simple (f, TSR_WIRE_UNCHOKE, 0);
  f->conn = feed (f, NULL, NULL);
  g_assert_null (tsr_peer_conn_get_have (f->conn));
  g_assert_false (tsr_peer_conn_has (f->conn, 4));
  g_assert_true (tsr_peer_conn_is_peer_choking (f->conn));
  assert_log (f, "extension 4 0\nextension 1 0\n");
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

  f->conn = start_idle (f, f->picker);
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
  TsrPeer *peer;
  guint i;

  f->conn = start_idle (f, f->picker);
  peer = tsr_peer_conn_get_peer (f->conn);
  g_assert_false (tsr_peer_conn_is_dropping (f->conn));
  g_assert_true (tsr_peer_conn_close_later (f->conn, "later"));
  g_assert_false (tsr_peer_conn_close_later (f->conn, "again"));
  g_assert_true (tsr_peer_conn_is_dropping (f->conn));
  /* Not inside the caller: from an idle. */
  g_assert_false (tsr_peer_is_closed (peer));
  for (i = 0; i < 100 && !tsr_peer_is_closed (peer); i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (tsr_peer_is_closed (peer));
  assert_log (f, "closed later\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/peer-conn/choke-flags", test_choke_flags);
  ADD ("/peer-conn/our-choke-sent-once", test_our_choke_sent_once);
  ADD ("/peer-conn/have-updates-availability", test_have_updates_availability);
  ADD ("/peer-conn/bitfield-replaces", test_bitfield_replaces);
  ADD ("/peer-conn/have-all-none", test_have_all_none);
  ADD ("/peer-conn/interest-sent-once", test_interest_sent_once);
  ADD ("/peer-conn/free-removes-availability", test_free_removes_availability);
  ADD ("/peer-conn/port-only-if-dht", test_port_only_if_dht);
  ADD ("/peer-conn/keepalive-ignored", test_keepalive_ignored);
  ADD ("/peer-conn/unknown-type-skipped", test_unknown_type_skipped);
  ADD ("/peer-conn/reports", test_reports);
  ADD ("/peer-conn/drained", test_drained);
  ADD ("/peer-conn/before-metainfo", test_before_metainfo);
  ADD ("/peer-conn/greet-sends-bitfield", test_greet_sends_bitfield);
  ADD ("/peer-conn/close-later-once", test_close_later_once);
#undef ADD

  return g_test_run ();
}
