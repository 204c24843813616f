/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-blocklist.c: the session's blocklist. Loading: files plain and
 * gzipped and an http URL, on a worker thread, the URL's list kept in the
 * state folder and read from there at the next start with the server
 * gone; a failed load keeps the ranges in force. Then Tessera against
 * Tessera on loopback, each session on its own 127.0.0.x: a seed that
 * blocks 127.0.0.3 never dials it (the dial fails before a packet), and
 * refuses its uTP SYN and its TCP connection; the peer at 127.0.0.2 gets
 * the torrent meanwhile; each refusal is counted. A peer connected before
 * the list came is dropped when it comes, so that peer exchange, which
 * tells of connected peers, never carries it.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-blocklist.h"
#include "tsr-session.h"
#include "tsr-test-util.h"

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, 20, what)

/* Loading --------------------------------------------------------------- */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Result;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->ok = tsr_blocklist_load_finish (TSR_BLOCKLIST (source), result, &r->error);
  r->done = TRUE;
}

static void
on_updated (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;

  r->ok = tsr_blocklist_update_finish (TSR_BLOCKLIST (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
blocks (TsrBlocklist *blocklist,
        const char   *host)
{
  g_autofree char *text = g_strdup_printf ("%s:1", host);
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return tsr_blocklist_blocks (blocklist, &address);
}

static void
load (TsrBlocklist *blocklist,
      gboolean      update,
      Result       *r)
{
  memset (r, 0, sizeof *r);
  if (update)
    tsr_blocklist_update_async (blocklist, NULL, on_updated, r);
  else
    tsr_blocklist_load_async (blocklist, NULL, on_loaded, r);
  /* Off the main loop: the call returned before the list was read. */
  g_assert_false (r->done);
  WAIT_UNTIL (r->done, "the blocklist loaded");
}

static guint list_requests;

static void
serve_list (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  static const char body[] = "# served\nweb:203.0.113.0-203.0.113.255\n";

  list_requests++;
  if (strcmp (path, "/list.p2p") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_load_sources (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-blocklist-XXXXXX", NULL);
  g_autofree char *plain = g_build_filename (dir, "level1.p2p", NULL);
  g_autofree char *packed = g_build_filename (dir, "ipfilter.dat.gz", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupServer) server = tsr_test_http_server_new (serve_list, NULL, &base);
  g_autoptr(TsrBlocklist) blocklist = tsr_blocklist_new ();
  g_autoptr(TsrBlocklist) restarted = tsr_blocklist_new ();
  g_autoptr(GZlibCompressor) deflater = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  const char *dat = "010.000.000.000 - 010.000.000.255 , 000 , dat\nnot a range\n";
  guint8 gz[1024];
  gsize read = 0, written = 0;
  const char *sources[4];
  Result r;

  g_assert_true (g_file_set_contents (plain, "one:1.1.1.0-1.1.1.255\ntwo:2001:db8::-2001:db8::ff\n", -1, NULL));
  g_assert_cmpint (g_converter_convert (G_CONVERTER (deflater), dat, strlen (dat), gz, sizeof gz,
                                        G_CONVERTER_INPUT_AT_END, &read, &written, NULL), ==, G_CONVERTER_FINISHED);
  g_assert_true (g_file_set_contents (packed, (const char *) gz, written, NULL));
  url = g_strconcat (base, "/list.p2p", NULL);
  sources[0] = plain;
  sources[1] = packed;
  sources[2] = url;
  sources[3] = NULL;
  tsr_blocklist_set_folder (blocklist, state);
  tsr_blocklist_set_sources (blocklist, sources);
  g_assert_cmpstr (tsr_blocklist_get_url (blocklist), ==, url);
  load (blocklist, FALSE, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (list_requests, ==, 1);
  g_assert_cmpuint (tsr_blocklist_get_n_ranges (blocklist), ==, 4);
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (tsr_blocklist_get_ranges (blocklist), NULL, NULL), ==, 1);
  g_assert_true (blocks (blocklist, "1.1.1.255"));
  g_assert_true (blocks (blocklist, "10.0.0.7"));
  g_assert_true (blocks (blocklist, "203.0.113.9"));
  g_assert_true (blocks (blocklist, "[2001:db8::ff]"));
  g_assert_false (blocks (blocklist, "1.1.2.0"));
  /* Off: nothing blocked, the ranges kept. */
  tsr_blocklist_set_enabled (blocklist, FALSE);
  g_assert_false (blocks (blocklist, "1.1.1.1"));
  g_assert_cmpuint (tsr_blocklist_get_n_ranges (blocklist), ==, 0);
  tsr_blocklist_set_enabled (blocklist, TRUE);

  /* An update fetches the URL again. */
  load (blocklist, TRUE, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (list_requests, ==, 2);

  /* The next start reads the kept copy: no request. */
  tsr_blocklist_set_folder (restarted, state);
  tsr_blocklist_set_sources (restarted, sources);
  load (restarted, FALSE, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (list_requests, ==, 2);
  g_assert_true (blocks (restarted, "203.0.113.255"));

  /* A URL that fails: an error, the ranges in force stay. */
  g_free (url);
  url = g_strconcat (base, "/missing", NULL);
  tsr_blocklist_set_url (restarted, url);
  load (restarted, TRUE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&r.error);
  g_assert_true (blocks (restarted, "203.0.113.255"));
  /* A file that is gone, likewise. */
  sources[0] = "/nonexistent/list.p2p";
  sources[1] = NULL;
  tsr_blocklist_set_sources (restarted, sources);
  load (restarted, FALSE, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&r.error);
  g_assert_true (blocks (restarted, "1.1.1.1"));
  tsr_test_remove_tree (dir);
}

/* Tessera against Tessera ---------------------------------------------- */

typedef TsrTestSwarmDirs Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *root = NULL;

  tsr_test_swarm_dirs_init (f, "tsr-blocklist");
  root = g_build_filename (f->source, "data", NULL);
  tsr_test_write_file (root, "payload.bin", 3 * 256 * 1024 + 77, 41);
  f->info = tsr_test_make_torrent (root, TSR_CREATE_V1, 256 * 1024);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  tsr_test_swarm_dirs_clear (f);
}

/* uTP alone: its socket is bound to @host, so its dials come from there
 * (a TCP dial's source is the kernel's choice). */
static TsrSession *
session_on (const char   *host,
            TsrTransport  transports)
{
  TsrSession *session = tsr_session_new ();
  g_autoptr(GError) error = NULL;

  tsr_session_set_transports (session, transports);
  g_assert_true (tsr_session_listen_on (session, host, 0, &error));
  g_assert_no_error (error);
  return session;
}

static gboolean
has_peer_on (TsrTorrent *torrent,
             const char *host)
{
  g_autoptr(GPtrArray) infos = tsr_torrent_dup_peer_infos (torrent);
  guint i;

  for (i = 0; i < infos->len; i++)
    if (g_str_has_prefix (((TsrPeerInfo *) g_ptr_array_index (infos, i))->address, host))
      return TRUE;
  return FALSE;
}

static void
on_done (TsrTorrent *torrent,
         gpointer    user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
block_host (TsrSession *session,
            const char *text)
{
  g_autoptr(TsrIpRanges) ranges = tsr_ip_ranges_parse ((const guint8 *) text, strlen (text), NULL);

  tsr_blocklist_set_ranges (tsr_session_get_blocklist (session), ranges);
}

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GSocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

/* A TCP connection from @from to @port on 127.0.0.1: TRUE when the other
 * end closed it without a byte, FALSE when it kept it open, silent. */
static gboolean
tcp_closed_at_once (const char *from,
                    guint16     port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) local = g_inet_address_new_from_string (from);
  g_autoptr(GSocketAddress) local_address = g_inet_socket_address_new (local, 0);
  g_autoptr(GSocketConnectable) where = g_network_address_new ("127.0.0.1", port);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GInputStream *in;
  char byte;
  gssize n;

  g_socket_client_set_local_address (client, local_address);
  g_socket_client_connect_async (client, where, NULL, on_tcp_connected, &connection);
  WAIT_UNTIL (connection != NULL, "the TCP connection made");
  /* Give the listener its turn, then read: EOF or a reset. */
  tsr_test_run_for (200);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 2);
  n = g_input_stream_read (in, &byte, 1, NULL, &error);
  /* A peer let in waits for our handshake: the read times out. */
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return FALSE;
  return n <= 0;
}

static void
test_never_dialled_nor_accepted (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(TsrSession) seeder = session_on ("127.0.0.1", TSR_TRANSPORT_BOTH);
  g_autoptr(TsrSession) allowed = session_on ("127.0.0.2", TSR_TRANSPORT_UTP);
  g_autoptr(TsrSession) blocked = session_on ("127.0.0.3", TSR_TRANSPORT_UTP);
  g_autofree char *blocked_target = g_build_filename (f->dir, "blocked", NULL);
  TsrBlocklist *blocklist = tsr_session_get_blocklist (seeder);
  TsrTorrent *seed, *leech, *shut_out;
  g_autofree char *seed_address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  g_autofree char *allowed_address = g_strdup_printf ("127.0.0.2:%u", tsr_session_get_port (allowed));
  g_autofree char *blocked_address = g_strdup_printf ("127.0.0.3:%u", tsr_session_get_port (blocked));
  TsrDialerStats before, after;
  gboolean done = FALSE;
  guint64 refused;

  block_host (seeder, "# test\nthree:127.0.0.3-127.0.0.3\n");
  g_assert_cmpuint (tsr_blocklist_get_n_ranges (blocklist), ==, 1);
  seed = tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  leech = tsr_test_add_and_start (allowed, f->info, f->target, TSR_TORRENT_DOWNLOADING);
  shut_out = tsr_test_add_and_start (blocked, f->info, blocked_target, TSR_TORRENT_DOWNLOADING);
  g_signal_connect (leech, "done", G_CALLBACK (on_done), &done);

  /* Never dialled: the seed is told of both (as the user would). */
  tsr_dialer_get_stats (tsr_session_get_dialer (seeder), &before);
  tsr_torrent_add_peer_address (seed, blocked_address);
  tsr_torrent_add_peer_address (seed, allowed_address);
  WAIT_UNTIL (done, "the allowed peer's download");
  WAIT_UNTIL (tsr_blocklist_get_n_refused (blocklist) >= 1, "the dial to the blocked peer refused");
  tsr_dialer_get_stats (tsr_session_get_dialer (seeder), &after);
  /* One dial went out, to the allowed peer: uTP first. */
  g_assert_cmpuint (after.utp_dials - before.utp_dials, ==, 1);
  g_assert_false (has_peer_on (seed, "127.0.0.3"));
  g_assert_cmpuint (tsr_torrent_get_n_peers (shut_out), ==, 0);

  /* Never accepted: its uTP SYN is reset... */
  refused = tsr_blocklist_get_n_refused (blocklist);
  tsr_torrent_add_peer_address (shut_out, seed_address);
  WAIT_UNTIL (tsr_blocklist_get_n_refused (blocklist) > refused, "the blocked peer's uTP SYN refused");
  tsr_test_run_for (500);
  g_assert_false (has_peer_on (seed, "127.0.0.3"));
  g_assert_cmpuint (tsr_torrent_get_n_peers (shut_out), ==, 0);
  /* ...and its TCP connection closed unread. */
  refused = tsr_blocklist_get_n_refused (blocklist);
  g_assert_true (tcp_closed_at_once ("127.0.0.3", tsr_session_get_port (seeder)));
  g_assert_cmpuint (tsr_blocklist_get_n_refused (blocklist), ==, refused + 1);
  /* The allowed host over TCP is let in (and waits for our handshake). */
  g_assert_false (tcp_closed_at_once ("127.0.0.2", tsr_session_get_port (seeder)));
  g_assert_cmpuint (tsr_blocklist_get_n_refused (blocklist), ==, refused + 1);

  g_signal_handlers_disconnect_by_data (leech, &done);
  g_clear_object (&seeder);
  g_clear_object (&allowed);
  g_clear_object (&blocked);
  tsr_test_drain ();
}

/* A peer connected before the list came goes when it comes; peer
 * exchange tells only of connected peers, so it never tells of it. */
static void
test_dropped_when_listed (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TsrSession) seeder = session_on ("127.0.0.1", TSR_TRANSPORT_BOTH);
  g_autoptr(TsrSession) later = session_on ("127.0.0.3", TSR_TRANSPORT_UTP);
  g_autofree char *seed_address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (seeder));
  TsrTorrent *seed = tsr_test_add_and_start (seeder, f->info, f->source, TSR_TORRENT_SEEDING);
  TsrTorrent *leech = tsr_test_add_and_start (later, f->info, f->target, TSR_TORRENT_DOWNLOADING);

  tsr_torrent_add_peer_address (leech, seed_address);
  WAIT_UNTIL (has_peer_on (seed, "127.0.0.3"), "the peer at 127.0.0.3 connected");
  block_host (seeder, "127.0.0.0/30\n");
  WAIT_UNTIL (!has_peer_on (seed, "127.0.0.3"), "the peer at 127.0.0.3 dropped");
  /* It dials again, and is refused. */
  WAIT_UNTIL (tsr_blocklist_get_n_refused (tsr_session_get_blocklist (seeder)) > 0, "its next SYN refused");
  g_assert_false (has_peer_on (seed, "127.0.0.3"));
  g_clear_object (&seeder);
  g_clear_object (&later);
  tsr_test_drain ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blocklist/load-sources", test_load_sources);
  g_test_add ("/blocklist/session/never-dialled-nor-accepted", Fixture, NULL, fixture_set_up,
              test_never_dialled_nor_accepted, fixture_tear_down);
  g_test_add ("/blocklist/session/dropped-when-listed", Fixture, NULL, fixture_set_up,
              test_dropped_when_listed, fixture_tear_down);
  return g_test_run ();
}
