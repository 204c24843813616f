/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-extensions.c: the extension host (swarm/tsr-extensions.c) with a
 * fake extension class, and ut_metadata and ut_pex, over fake
 * connections (tsr-test-ext-host.c, shared with test-ext-holepunch)
 * that record what the host is told to send and to whom, with a clock
 * the test moves. No sockets.
 */
#include "config.h"

#include <glib.h>
#include <nettle/sha1.h>
#include <string.h>

#include "tsr-ext-metadata.h"
#include "tsr-ext-pex.h"
#include "tsr-extensions.h"
#include "tsr-magnet.h"
#include "tsr-metadata.h"
#include "tsr-pex.h"
#include "tsr-test-ext-host.h"
#include "tsr-test-util.h"

/* The fake connections and the host's records: tsr-test-ext-host.c. */
typedef TsrTestConn    Conn;
typedef TsrTestSent    Sent;
typedef TsrTestExtHost Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  tsr_test_ext_host_init (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_test_ext_host_clear (f);
}

/* ------------------------------------------------------------------ */
/* The host, with a fake class                                         */

typedef struct
{
  TsrExtensions *host;
  const char    *name;
  guint          slot;
  GString       *log;      /* borrowed: the fixture's */
  gboolean       offered;
  gboolean       close_on_message;
} FakeExt;

typedef struct
{
  guint messages;
} FakeState;

static gboolean
fake_offered (gpointer ext)
{
  return ((FakeExt *) ext)->offered;
}

static void
fake_message (gpointer              ext,
              TsrExtPeer           *peer,
              const TsrWireMessage *message)
{
  FakeExt *fake = ext;
  FakeState *state = tsr_extensions_get_state (fake->host, peer, fake->slot);

  state->messages++;
  g_string_append_printf (fake->log, "%s message %u bytes\n", fake->name, (guint) message->data_length);
  if (fake->close_on_message)
    tsr_extensions_close (fake->host, peer, "closed by the extension");
}

static void
fake_peer_gone (gpointer    ext,
                TsrExtPeer *peer,
                gpointer    state)
{
  FakeExt *fake = ext;

  g_string_append_printf (fake->log, "%s gone after %u\n", fake->name, ((FakeState *) state)->messages);
}

static void
fake_free (gpointer ext)
{
  FakeExt *fake = ext;

  g_string_append_printf (fake->log, "%s freed\n", fake->name);
}

static const TsrExtensionClass fake_a_class = {
  .name = "x_a",
  .our_id = 3,
  .peer_size = sizeof (FakeState),
  .offered = fake_offered,
  .message = fake_message,
  .peer_gone = fake_peer_gone,
  .free = fake_free,
};

static const TsrExtensionClass fake_b_class = {
  .name = "x_b",
  .our_id = 4,
  .peer_size = sizeof (FakeState),
  .offered = fake_offered,
  .message = fake_message,
  .peer_gone = fake_peer_gone,
  .free = fake_free,
};

/* Takes the BEP 52 hash messages: no name, no id. */
static const TsrExtensionClass fake_hashes_class = {
  .name = NULL,
  .peer_size = sizeof (FakeState),
  .message = fake_message,
  .peer_gone = fake_peer_gone,
  .free = fake_free,
};

/* The fakes are static (the host "frees" them by logging). */
static FakeExt fake_a;
static FakeExt fake_b;
static FakeExt fake_hashes;

static void
register_fakes (Fixture *f)
{
  fake_a = (FakeExt) { f->host, "a", 0, f->log, TRUE, FALSE };
  fake_b = (FakeExt) { f->host, "b", 0, f->log, TRUE, FALSE };
  fake_a.slot = tsr_extensions_register (f->host, &fake_a_class, &fake_a);
  fake_b.slot = tsr_extensions_register (f->host, &fake_b_class, &fake_b);
}

static void
test_host_routes_by_remote_id (Fixture       *f,
                               gconstpointer  data)
{
  Conn conn = { "p1" };
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) abc = g_bytes_new_static ("abc", 3);
  guint8 header[TSR_WIRE_HASH_HEADER] = { 0 };
  TsrWireMessage hashes = { 0 };
  g_autoptr(TsrExtensionHandshake) ours = NULL;
  gsize length;
  const guint8 *bytes;

  register_fakes (f);
  fake_hashes = (FakeExt) { f->host, "h", 0, f->log, TRUE, FALSE };
  fake_hashes.slot = tsr_extensions_register (f->host, &fake_hashes_class, &fake_hashes);
  tsr_test_ext_host_add_conn (f, &conn, "10.0.0.1:6881", TRUE);
  /* A class without a name is not in our handshake. */
  bytes = g_bytes_get_data (tsr_test_ext_host_sent_at (f, 0)->payload, &length);
  ours = tsr_extension_handshake_parse (bytes, length, NULL);
  g_assert_nonnull (ours);
  g_assert_cmpuint (g_hash_table_size (ours->extensions), ==, 2);
  g_ptr_array_set_size (f->sent, 0);
  tsr_test_ext_host_receive_handshake (f, &conn, 0, -1, "x_a", 7, "x_b", 9, NULL);
  g_string_truncate (f->log, 0);

  /* To us, messages carry the ids we gave. */
  tsr_test_ext_host_receive_extended (f, &conn, 3, hello);
  tsr_test_ext_host_receive_extended (f, &conn, 4, abc);
  /* BEP 52's messages go to the class without a name, whatever the type. */
  hashes.data = header;
  hashes.data_length = sizeof header;
  hashes.type = TSR_WIRE_HASH_REQUEST;
  tsr_extensions_on_message (f->host, conn.peer, &hashes);
  hashes.type = TSR_WIRE_HASH_REJECT;
  tsr_extensions_on_message (f->host, conn.peer, &hashes);
  g_assert_cmpstr (f->log->str, ==, "a message 5 bytes\nb message 3 bytes\nh message 48 bytes\nh message 48 bytes\n");

  /* From us, the ids it gave. */
  tsr_extensions_send_extended (f->host, conn.peer, fake_a.slot, hello);
  tsr_extensions_send_extended (f->host, conn.peer, fake_b.slot, abc);
  g_assert_cmpuint (f->sent->len, ==, 2);
  g_assert_cmpint (tsr_test_ext_host_sent_at (f, 0)->type, ==, TSR_WIRE_EXTENDED);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, 0)->id, ==, 7);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, 1)->id, ==, 9);
  g_assert_true (g_bytes_equal (tsr_test_ext_host_sent_at (f, 0)->payload, hello));
  tsr_test_conn_clear (&conn);
}

static void
test_host_unknown_id_ignored (Fixture       *f,
                              gconstpointer  data)
{
  Conn conn = { "p1" };
  g_autoptr(GBytes) payload = g_bytes_new_static ("zz", 2);
  TsrWireMessage hashes = { 0 };
  guint8 header[TSR_WIRE_HASH_HEADER] = { 0 };

  register_fakes (f);
  tsr_test_ext_host_add_conn (f, &conn, "10.0.0.1:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &conn, 0, -1, "x_a", 7, "x_b", 9, NULL);
  g_string_truncate (f->log, 0);
  /* Their ids are not ours: 7 and 9 mean nothing coming to us. */
  tsr_test_ext_host_receive_extended (f, &conn, 7, payload);
  tsr_test_ext_host_receive_extended (f, &conn, 9, payload);
  tsr_test_ext_host_receive_extended (f, &conn, 200, payload);
  /* No class takes BEP 52 hash messages here. */
  hashes.type = TSR_WIRE_HASH_REQUEST;
  hashes.data = header;
  hashes.data_length = sizeof header;
  tsr_extensions_on_message (f->host, conn.peer, &hashes);
  g_assert_cmpstr (f->log->str, ==, "");
  tsr_test_conn_clear (&conn);
}

static void
test_host_handshake_merges (Fixture       *f,
                            gconstpointer  data)
{
  Conn conn = { "in" };
  g_autoptr(TsrExtensionHandshake) ours = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("x", 1);
  TsrPeerAddress address = tsr_test_address_of ("10.0.0.2:50000");
  gsize length;
  const guint8 *bytes;

  register_fakes (f);
  fake_b.offered = FALSE;
  tsr_extensions_set_listen_port (f->host, 51413);
  conn.peer = tsr_extensions_add_peer (f->host, &conn, &address, NULL);
  /* Not extended: nothing goes. */
  tsr_extensions_peer_shaken (f->host, conn.peer, FALSE, FALSE);
  g_assert_cmpuint (f->sent->len, ==, 0);
  tsr_extensions_peer_shaken (f->host, conn.peer, FALSE, TRUE);
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, 0)->id, ==, 0);
  bytes = g_bytes_get_data (tsr_test_ext_host_sent_at (f, 0)->payload, &length);
  ours = tsr_extension_handshake_parse (bytes, length, &error);
  g_assert_no_error (error);
  /* Every class offered now, by the id we gave it. */
  g_assert_cmpuint (g_hash_table_size (ours->extensions), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (ours->extensions, "x_a")), ==, 3);
  g_assert_cmpuint (ours->port, ==, 51413);
  g_assert_cmpuint (ours->reqq, ==, TSR_EXTENSION_OUR_REQQ);
  g_assert_true (g_str_has_prefix (ours->client, PACKAGE_NAME " "));
  g_assert_nonnull (ours->your_ip);

  /* Theirs: the ids are kept, the owner hears "v", "reqq" and, for an
   * incoming peer, where it listens. */
  tsr_test_ext_host_receive_handshake (f, &conn, 6881, -1, "x_a", 7, "x_b", 9, NULL);
  g_assert_cmpstr (f->log->str, ==, "handshake in v=Fake 1.0 reqq=250 listening=10.0.0.2:6881\n");
  g_assert_cmpuint (tsr_extensions_get_remote_id (f->host, conn.peer, fake_a.slot), ==, 7);
  g_assert_cmpuint (tsr_extensions_get_remote_id (f->host, conn.peer, fake_b.slot), ==, 9);
  g_assert_true (tsr_ext_peer_get_dialable (conn.peer, &address));
  g_assert_cmpuint (address.port, ==, 6881);

  /* A later one changes ids; 0 (or leaving it out) turns one off, and
   * the same port again is no news. */
  g_string_truncate (f->log, 0);
  tsr_test_ext_host_receive_handshake (f, &conn, 6881, -1, "x_a", 0, "x_b", 12, NULL);
  g_assert_cmpstr (f->log->str, ==, "handshake in v=Fake 1.0 reqq=250 listening=-\n");
  g_assert_cmpuint (tsr_extensions_get_remote_id (f->host, conn.peer, fake_a.slot), ==, 0);
  g_assert_cmpuint (tsr_extensions_get_remote_id (f->host, conn.peer, fake_b.slot), ==, 12);
  g_ptr_array_set_size (f->sent, 0);
  tsr_extensions_send_extended (f->host, conn.peer, fake_a.slot, payload);
  g_assert_cmpuint (f->sent->len, ==, 0);
  tsr_test_conn_clear (&conn);
}

static void
test_host_peer_gone_once (Fixture       *f,
                          gconstpointer  data)
{
  Conn one = { "one" };
  Conn two = { "two" };
  Conn three = { "three" };
  g_autoptr(GBytes) payload = g_bytes_new_static ("x", 1);

  register_fakes (f);
  tsr_test_ext_host_add_conn (f, &one, "10.0.0.1:1", TRUE);
  tsr_test_ext_host_add_conn (f, &two, "10.0.0.2:2", TRUE);
  tsr_test_ext_host_add_conn (f, &three, "10.0.0.3:3", TRUE);
  tsr_test_ext_host_receive_extended (f, &one, 3, payload);
  tsr_test_ext_host_receive_extended (f, &one, 3, payload);
  tsr_test_ext_host_receive_extended (f, &two, 4, payload);
  g_string_truncate (f->log, 0);

  /* Only the extensions with a state for it hear, once. */
  tsr_extensions_remove_peer (f->host, g_steal_pointer (&one.peer));
  g_assert_cmpstr (f->log->str, ==, "a gone after 2\n");
  g_assert_cmpuint (tsr_extensions_get_n_peers (f->host), ==, 2);

  /* Closed from inside its own message: gone once, and the host reads
   * nothing freed after (valgrind/ASan would say). */
  fake_b.close_on_message = TRUE;
  g_string_truncate (f->log, 0);
  tsr_test_ext_host_receive_extended (f, &two, 4, payload);
  g_assert_cmpstr (f->log->str, ==, "b message 1 bytes\nclose two\nb gone after 2\n");
  g_assert_null (two.peer);
  g_assert_cmpuint (tsr_extensions_get_n_peers (f->host), ==, 1);

  /* The last one gone (no array kept) and it comes back: found again. */
  tsr_extensions_remove_peer (f->host, g_steal_pointer (&three.peer));
  g_assert_cmpuint (tsr_extensions_get_n_peers (f->host), ==, 0);
  {
    TsrPeerAddress address = tsr_test_address_of ("10.0.0.3:3");

    g_assert_null (tsr_extensions_find_peer (f->host, &address));
    tsr_test_ext_host_add_conn (f, &three, "10.0.0.3:3", TRUE);
    g_assert_cmpuint (tsr_extensions_get_n_peers (f->host), ==, 1);
    g_assert_true (tsr_extensions_find_peer (f->host, &address) == three.peer);
  }

  /* Freeing the host calls no peer_gone, frees each extension. */
  tsr_test_ext_host_receive_extended (f, &three, 3, payload);
  g_string_truncate (f->log, 0);
  g_clear_pointer (&f->host, tsr_extensions_free);
  g_assert_cmpstr (f->log->str, ==, "a freed\nb freed\n");
  tsr_test_conn_clear (&one);
  tsr_test_conn_clear (&two);
  tsr_test_conn_clear (&three);
}

/* ------------------------------------------------------------------ */
/* ut_metadata                                                         */

/* Pieces of an info dictionary a little over two metadata pieces long. */
#define INFO_PIECES 1990

/* A v1 info dictionary of INFO_PIECES pieces of 16 KiB, made up hashes. */
static GBytes *
make_info (void)
{
  GString *info = g_string_new (NULL);
  guint i;

  g_string_append_printf (info, "d6:lengthi%" G_GUINT64_FORMAT "e4:name4:test12:piece lengthi16384e6:pieces%u:",
                          (guint64) INFO_PIECES * 16384, INFO_PIECES * 20);
  for (i = 0; i < INFO_PIECES * 20; i++)
    g_string_append_c (info, (char) ('a' + i % 26));
  g_string_append_c (info, 'e');
  return g_string_free_to_bytes (info);
}

static void
parse_metadata (Sent               *sent,
                TsrMetadataMessage *out)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *bytes = g_bytes_get_data (sent->payload, &length);

  g_assert_true (tsr_metadata_message_parse (bytes, length, out, &error));
  g_assert_no_error (error);
}

static void
request_piece (Fixture *f,
               Conn    *conn,
               guint    piece)
{
  g_autoptr(GBytes) payload = tsr_metadata_message_encode (TSR_METADATA_REQUEST, piece, 0, NULL, 0);

  tsr_test_ext_host_receive_extended (f, conn, TSR_EXT_METADATA_ID, payload);
}

/* The host finds what it owns by the slot it gave. */
static void
test_ext_by_slot (Fixture       *f,
                  gconstpointer  data)
{
  TsrExtMetadata *metadata = tsr_ext_metadata_new (f->host);
  TsrExtPex *pex = tsr_ext_pex_new (f->host);

  g_assert_true (tsr_extensions_get_ext (f->host, 0) == metadata);
  g_assert_true (tsr_extensions_get_ext (f->host, 1) == pex);
}

static void
test_metadata_serve (Fixture       *f,
                     gconstpointer  data)
{
  TsrExtMetadata *metadata = tsr_ext_metadata_new (f->host);
  g_autoptr(GBytes) info = make_info ();
  Conn conn = { "leech" };
  TsrMetadataMessage message;
  guint i;

  tsr_test_ext_host_add_conn (f, &conn, "10.0.0.1:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &conn, 0, -1, "ut_metadata", 5, NULL);
  /* No dictionary yet: refused. */
  g_ptr_array_set_size (f->sent, 0);
  request_piece (f, &conn, 0);
  parse_metadata (tsr_test_ext_host_sent_at (f, 0), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_REJECT);

  tsr_ext_metadata_set_info (metadata, info);
  g_ptr_array_set_size (f->sent, 0);
  request_piece (f, &conn, 0);
  request_piece (f, &conn, 2);
  request_piece (f, &conn, 3);
  g_assert_cmpuint (f->sent->len, ==, 3);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, 0)->id, ==, 5);
  parse_metadata (tsr_test_ext_host_sent_at (f, 0), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_DATA);
  g_assert_cmpint (message.total_size, ==, (gint64) g_bytes_get_size (info));
  g_assert_cmpmem (message.data, message.data_length, g_bytes_get_data (info, NULL), TSR_METADATA_PIECE_SIZE);
  parse_metadata (tsr_test_ext_host_sent_at (f, 1), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_DATA);
  g_assert_cmpuint (message.data_length, ==, g_bytes_get_size (info) - 2 * TSR_METADATA_PIECE_SIZE);
  /* Past the end. */
  parse_metadata (tsr_test_ext_host_sent_at (f, 2), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_REJECT);
  g_assert_cmpuint (message.piece, ==, 3);

  /* The whole of it TSR_EXT_METADATA_SERVE_ROUNDS times, then no more. */
  g_ptr_array_set_size (f->sent, 0);
  for (i = 2; i < TSR_EXT_METADATA_SERVE_ROUNDS * 3 + 1; i++)
    request_piece (f, &conn, i % 3);
  parse_metadata (tsr_test_ext_host_sent_at (f, f->sent->len - 2), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_DATA);
  parse_metadata (tsr_test_ext_host_sent_at (f, f->sent->len - 1), &message);
  g_assert_cmpint (message.type, ==, TSR_METADATA_REJECT);

  /* Our handshake tells the size. */
  {
    Conn other = { "other" };
    g_autoptr(TsrExtensionHandshake) ours = NULL;
    gsize length;
    const guint8 *bytes;

    g_ptr_array_set_size (f->sent, 0);
    tsr_test_ext_host_add_conn (f, &other, "10.0.0.2:6881", TRUE);
    bytes = g_bytes_get_data (tsr_test_ext_host_sent_at (f, 0)->payload, &length);
    ours = tsr_extension_handshake_parse (bytes, length, NULL);
    g_assert_nonnull (ours);
    g_assert_cmpint (ours->metadata_size, ==, (gint64) g_bytes_get_size (info));
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (ours->extensions, "ut_metadata")), ==,
                      TSR_EXT_METADATA_ID);
  }
  tsr_test_conn_clear (&conn);
}

static void
receive_piece (Fixture *f,
               Conn    *conn,
               GBytes  *info,
               guint    piece)
{
  gsize size = g_bytes_get_size (info);
  gsize offset = (gsize) piece * TSR_METADATA_PIECE_SIZE;
  const guint8 *bytes = g_bytes_get_data (info, NULL);
  g_autoptr(GBytes) payload = tsr_metadata_message_encode (TSR_METADATA_DATA, piece, (gint64) size, bytes + offset,
                                                           MIN (TSR_METADATA_PIECE_SIZE, size - offset));

  tsr_test_ext_host_receive_extended (f, conn, TSR_EXT_METADATA_ID, payload);
}

/* The piece last asked of @conn, -1: none. */
static gint
last_request (Fixture *f,
              Conn    *conn)
{
  guint i;

  for (i = f->sent->len; i > 0; i--)
    {
      Sent *sent = tsr_test_ext_host_sent_at (f, i - 1);
      TsrMetadataMessage message;

      if (sent->conn != conn || sent->type != TSR_WIRE_EXTENDED || sent->id == 0)
        continue;
      parse_metadata (sent, &message);
      if (message.type == TSR_METADATA_REQUEST)
        return (gint) message.piece;
    }
  return -1;
}

static void
test_metadata_fetch (Fixture       *f,
                     gconstpointer  data)
{
  TsrExtMetadata *metadata = tsr_ext_metadata_new (f->host);
  g_autoptr(GBytes) info = make_info ();
  guint8 hash[SHA1_DIGEST_SIZE];
  struct sha1_ctx ctx;
  Conn giver = { "giver" };
  Conn refuser = { "refuser" };
  Conn mute = { "mute" };
  g_autoptr(GBytes) reject = tsr_metadata_message_encode (TSR_METADATA_REJECT, 0, 0, NULL, 0);
  g_autoptr(TsrMagnet) magnet = NULL;

  sha1_init (&ctx);
  sha1_update (&ctx, g_bytes_get_size (info), g_bytes_get_data (info, NULL));
  sha1_digest (&ctx, sizeof hash, hash);
  magnet = tsr_magnet_new ();
  magnet->has_v1 = TRUE;
  memcpy (magnet->info_hash_v1, hash, 20);
  tsr_ext_metadata_fetch (metadata, magnet, NULL);
  g_assert_true (tsr_ext_metadata_is_fetching (metadata));

  /* Without ut_metadata it cannot help: closed. */
  tsr_test_ext_host_add_conn (f, &mute, "10.0.0.3:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &mute, 0, -1, NULL);
  g_assert_true (mute.closed);
  g_assert_cmpstr (mute.close_reason, ==, "The peer cannot send the torrent’s metadata");

  /* A rejecting peer is not asked again. */
  tsr_test_ext_host_add_conn (f, &refuser, "10.0.0.2:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &refuser, 0, (gint64) g_bytes_get_size (info), "ut_metadata", 3, NULL);
  g_assert_cmpint (last_request (f, &refuser), ==, 0);
  tsr_test_ext_host_receive_extended (f, &refuser, TSR_EXT_METADATA_ID, reject);
  g_ptr_array_set_size (f->sent, 0);
  f->now += 60;
  tsr_extensions_tick (f->host);
  g_assert_cmpint (last_request (f, &refuser), ==, -1);

  /* The piece it refused goes to the next peer, one piece at a time. */
  tsr_test_ext_host_add_conn (f, &giver, "10.0.0.1:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &giver, 0, (gint64) g_bytes_get_size (info), "ut_metadata", 9, NULL);
  g_assert_cmpint (last_request (f, &giver), ==, 0);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, f->sent->len - 1)->id, ==, 9);
  receive_piece (f, &giver, info, 0);
  g_assert_cmpint (last_request (f, &giver), ==, 1);
  g_assert_cmpfloat (tsr_ext_metadata_get_progress (metadata), >, 0.3);
  receive_piece (f, &giver, info, 1);
  g_assert_cmpint (last_request (f, &giver), ==, 2);
  receive_piece (f, &giver, info, 2);
  /* Whole: the host hears the metainfo from an idle, not from inside
   * the message. */
  g_assert_cmpuint (f->n_metainfo, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (f->n_metainfo, ==, 1);
  g_assert_true (g_bytes_equal (f->metainfo->info_bytes, info));
  g_assert_cmpuint (f->metainfo->piece_count, ==, INFO_PIECES);
  tsr_test_conn_clear (&giver);
  tsr_test_conn_clear (&refuser);
  tsr_test_conn_clear (&mute);
}

static void
test_metadata_size_limits (Fixture       *f,
                           gconstpointer  data)
{
  TsrExtMetadata *metadata = tsr_ext_metadata_new (f->host);
  g_autoptr(TsrMagnet) magnet = tsr_magnet_new ();
  Conn huge = { "huge" };
  Conn liar = { "liar" };
  Conn honest = { "honest" };

  magnet->has_v1 = TRUE;
  memset (magnet->info_hash_v1, 1, 20);
  tsr_ext_metadata_fetch (metadata, magnet, NULL);
  /* Over TSR_METADATA_MAX_SIZE: never asked. */
  tsr_test_ext_host_add_conn (f, &huge, "10.0.0.1:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &huge, 0, (gint64) TSR_METADATA_MAX_SIZE + 1, "ut_metadata", 3, NULL);
  g_assert_cmpint (last_request (f, &huge), ==, -1);
  /* The first sane size is taken; a peer telling another is not asked. */
  tsr_test_ext_host_add_conn (f, &honest, "10.0.0.2:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &honest, 0, 20000, "ut_metadata", 3, NULL);
  g_assert_cmpint (last_request (f, &honest), ==, 0);
  tsr_test_ext_host_add_conn (f, &liar, "10.0.0.3:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &liar, 0, 30000, "ut_metadata", 3, NULL);
  g_assert_cmpint (last_request (f, &liar), ==, -1);
  g_ptr_array_set_size (f->sent, 0);
  f->now += TSR_METADATA_REQUEST_TIMEOUT - 1;
  tsr_extensions_tick (f->host);
  g_assert_cmpuint (f->sent->len, ==, 0);
  f->now += 1;
  tsr_extensions_tick (f->host);
  g_assert_cmpint (last_request (f, &huge), ==, -1);
  g_assert_cmpint (last_request (f, &liar), ==, -1);
  /* The honest peer's piece timed out: asked again. */
  g_assert_cmpint (last_request (f, &honest), ==, 0);
  tsr_test_conn_clear (&huge);
  tsr_test_conn_clear (&liar);
  tsr_test_conn_clear (&honest);
}

/* ------------------------------------------------------------------ */
/* ut_pex                                                              */

static TsrPexMessage *
parse_pex (Sent *sent)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *bytes = g_bytes_get_data (sent->payload, &length);
  TsrPexMessage *message = tsr_pex_message_parse (bytes, length, &error);

  g_assert_no_error (error);
  return message;
}

static void
test_pex_interval (Fixture       *f,
                   gconstpointer  data)
{
  TsrExtPex *pex = tsr_ext_pex_new (f->host);
  Conn to = { "to" };
  Conn seed = { "seed", tsr_bitfield_new (10) };
  Conn incoming = { "incoming" };
  Conn late = { "late" };
  g_autoptr(TsrPexMessage) message = NULL;
  g_autoptr(TsrPexMessage) told = tsr_pex_message_new ();
  g_autoptr(GBytes) payload = NULL;
  TsrPexPeer peer = { 0 };
  gint64 start = f->now;

  tsr_bitfield_set_all (seed.have, TRUE);
  tsr_ext_pex_set_metainfo (pex, FALSE);
  tsr_test_ext_host_add_conn (f, &to, "10.0.0.1:6881", TRUE);
  tsr_test_ext_host_add_conn (f, &seed, "10.0.0.2:6882", TRUE);
  /* Incoming, with no port told: nowhere to dial it. */
  tsr_test_ext_host_add_conn (f, &incoming, "10.0.0.3:50000", FALSE);
  tsr_test_ext_host_receive_handshake (f, &to, 0, -1, "ut_pex", 8, NULL);
  g_ptr_array_set_size (f->sent, 0);

  f->now = start + TSR_EXT_PEX_FIRST_DELAY - 1;
  tsr_extensions_tick (f->host);
  g_assert_cmpuint (f->sent->len, ==, 0);
  f->now = start + TSR_EXT_PEX_FIRST_DELAY;
  tsr_extensions_tick (f->host);
  /* Only "to" speaks ut_pex. */
  g_assert_cmpuint (f->sent->len, ==, 1);
  g_assert_true (tsr_test_ext_host_sent_at (f, 0)->conn == &to);
  g_assert_cmpuint (tsr_test_ext_host_sent_at (f, 0)->id, ==, 8);
  message = parse_pex (tsr_test_ext_host_sent_at (f, 0));
  g_assert_cmpuint (message->added->len, ==, 1);
  peer = g_array_index (message->added, TsrPexPeer, 0);
  g_assert_true (tsr_peer_address_equal (&peer.address, tsr_ext_peer_get_address (seed.peer)));
  g_assert_cmpuint (peer.flags, ==, TSR_PEX_FLAG_SEED | TSR_PEX_FLAG_REACHABLE);
  g_clear_pointer (&message, tsr_pex_message_free);

  /* A new peer waits for the interval; nothing new, nothing sent. */
  tsr_test_ext_host_add_conn (f, &late, "10.0.0.4:6884", TRUE);
  g_ptr_array_set_size (f->sent, 0);
  f->now = start + TSR_EXT_PEX_FIRST_DELAY + TSR_PEX_INTERVAL - 1;
  tsr_extensions_tick (f->host);
  g_assert_cmpuint (f->sent->len, ==, 0);
  f->now = start + TSR_EXT_PEX_FIRST_DELAY + TSR_PEX_INTERVAL;
  tsr_extensions_tick (f->host);
  g_assert_cmpuint (f->sent->len, ==, 1);
  message = parse_pex (tsr_test_ext_host_sent_at (f, 0));
  g_assert_cmpuint (message->added->len, ==, 1);
  g_assert_cmpuint (message->dropped->len, ==, 0);
  g_clear_pointer (&message, tsr_pex_message_free);
  /* A peer that left is told as dropped at the next interval. */
  tsr_extensions_remove_peer (f->host, g_steal_pointer (&seed.peer));
  g_ptr_array_set_size (f->sent, 0);
  f->now += TSR_PEX_INTERVAL;
  tsr_extensions_tick (f->host);
  message = parse_pex (tsr_test_ext_host_sent_at (f, 0));
  g_assert_cmpuint (message->added->len, ==, 0);
  g_assert_cmpuint (message->dropped->len, ==, 1);

  /* Theirs: taken, then ignored for TSR_EXT_PEX_MIN_GAP seconds. */
  peer.address = tsr_test_address_of ("192.0.2.1:7000");
  peer.flags = 0;
  g_array_append_val (told->added, peer);
  payload = tsr_pex_message_encode (told);
  tsr_test_ext_host_receive_extended (f, &to, TSR_EXT_PEX_ID, payload);
  f->now += TSR_EXT_PEX_MIN_GAP - 1;
  tsr_test_ext_host_receive_extended (f, &to, TSR_EXT_PEX_ID, payload);
  g_assert_cmpstr (f->log->str, ==, "handshake to v=Fake 1.0 reqq=250 listening=-\nlearned 192.0.2.1:7000 0\n");
  f->now += 1;
  tsr_test_ext_host_receive_extended (f, &to, TSR_EXT_PEX_ID, payload);
  g_assert_true (g_str_has_suffix (f->log->str, "learned 192.0.2.1:7000 0\nlearned 192.0.2.1:7000 0\n"));
  tsr_test_conn_clear (&to);
  tsr_test_conn_clear (&seed);
  tsr_test_conn_clear (&incoming);
  tsr_test_conn_clear (&late);
}

static void
test_pex_not_for_private (Fixture       *f,
                          gconstpointer  data)
{
  TsrExtPex *pex = tsr_ext_pex_new (f->host);
  Conn to = { "to" };
  Conn other = { "other" };
  g_autoptr(TsrExtensionHandshake) ours = NULL;
  g_autoptr(TsrPexMessage) told = tsr_pex_message_new ();
  g_autoptr(GBytes) payload = NULL;
  TsrPexPeer peer = { 0 };
  gsize length;
  const guint8 *bytes;

  tsr_ext_pex_set_metainfo (pex, TRUE);
  tsr_test_ext_host_add_conn (f, &to, "10.0.0.1:6881", TRUE);
  /* Not in our handshake. */
  bytes = g_bytes_get_data (tsr_test_ext_host_sent_at (f, 0)->payload, &length);
  ours = tsr_extension_handshake_parse (bytes, length, NULL);
  g_assert_nonnull (ours);
  g_assert_false (g_hash_table_contains (ours->extensions, "ut_pex"));
  tsr_test_ext_host_add_conn (f, &other, "10.0.0.2:6881", TRUE);
  tsr_test_ext_host_receive_handshake (f, &to, 0, -1, "ut_pex", 8, NULL);
  g_ptr_array_set_size (f->sent, 0);
  f->now += 10 * TSR_PEX_INTERVAL;
  tsr_extensions_tick (f->host);
  g_assert_cmpuint (f->sent->len, ==, 0);
  /* Nor taken (BEP 27). */
  peer.address = tsr_test_address_of ("192.0.2.1:7000");
  g_array_append_val (told->added, peer);
  payload = tsr_pex_message_encode (told);
  tsr_test_ext_host_receive_extended (f, &to, TSR_EXT_PEX_ID, payload);
  g_assert_null (strstr (f->log->str, "learned"));
  tsr_test_conn_clear (&to);
  tsr_test_conn_clear (&other);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/extensions/host/routes-by-remote-id", Fixture, NULL, fixture_set_up,
              test_host_routes_by_remote_id, fixture_tear_down);
  g_test_add ("/extensions/host/unknown-id-ignored", Fixture, NULL, fixture_set_up,
              test_host_unknown_id_ignored, fixture_tear_down);
  g_test_add ("/extensions/host/handshake-merges", Fixture, NULL, fixture_set_up,
              test_host_handshake_merges, fixture_tear_down);
  g_test_add ("/extensions/host/peer-gone-once", Fixture, NULL, fixture_set_up,
              test_host_peer_gone_once, fixture_tear_down);
  g_test_add ("/extensions/host/ext-by-slot", Fixture, NULL, fixture_set_up, test_ext_by_slot, fixture_tear_down);
  g_test_add ("/extensions/metadata/serve", Fixture, NULL, fixture_set_up,
              test_metadata_serve, fixture_tear_down);
  g_test_add ("/extensions/metadata/fetch", Fixture, NULL, fixture_set_up,
              test_metadata_fetch, fixture_tear_down);
  g_test_add ("/extensions/metadata/size-limits", Fixture, NULL, fixture_set_up,
              test_metadata_size_limits, fixture_tear_down);
  g_test_add ("/extensions/pex/interval", Fixture, NULL, fixture_set_up,
              test_pex_interval, fixture_tear_down);
  g_test_add ("/extensions/pex/not-for-private", Fixture, NULL, fixture_set_up,
              test_pex_not_for_private, fixture_tear_down);
  return g_test_run ();
}
