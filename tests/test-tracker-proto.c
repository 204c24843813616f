/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-tracker-proto.c: the tracker server's codecs: announce queries as
 * Transmission, libtorrent and aria2 send them, every refusal, replies
 * read back by the engine's client codecs (client and server agree), UDP
 * requests written by the engine's client, and connection ids over time.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-announce.h"
#include "tsr-tracker-proto.h"
#include "tsr-util.h"

/* Holds the bytes that break a naive decoder: NUL, '&', '=', '+', '%',
 * '~', 0xff. */
static const guint8 hash_a[20] = {
  0x00, 0x26, 0x3d, 0x2b, 0x25, 0x7e, 0xff, 0x12, 0x34, 0x56,
  0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x20, 0x3f, 0x23, 0x2f, 0x01,
};
static const guint8 hash_b[20] = {
  0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9,
  0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3,
};

/* Escapes every byte, as Transmission does for binary values. */
static char *
escape_all (const guint8 *data,
            gsize         length)
{
  GString *out = g_string_new (NULL);
  gsize i;

  for (i = 0; i < length; i++)
    g_string_append_printf (out, "%%%02x", data[i]);
  return g_string_free (out, FALSE);
}

static char *
escape_some (const guint8 *data,
             gsize         length)
{
  GString *out = g_string_new (NULL);

  tsr_uri_append_escaped (out, data, length);
  return g_string_free (out, FALSE);
}

static TsrTrackerAnnounceQuery *
parse_announce (const char  *query,
                GError     **error)
{
  return tsr_tracker_announce_query_parse (query, strlen (query), error);
}

static void
test_query_transmission (void)
{
  /* Transmission 3.00 (announcer-http.c): lowercase escapes of every
   * binary byte, supportcrypto, corrupt, and key in hex. */
  g_autofree char *hash = escape_all (hash_a, 20);
  g_autofree char *query = g_strdup_printf ("info_hash=%s&peer_id=-TR3000-k8hj0wgej6ch&port=51413&uploaded=0"
                                            "&downloaded=0&left=1048576&numwant=80&key=6a2d9c4f&compact=1"
                                            "&supportcrypto=1&event=started", hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) parsed = parse_announce (query, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (parsed->info_hash, 20, hash_a, 20);
  g_assert_cmpmem (parsed->peer_id, 20, "-TR3000-k8hj0wgej6ch", 20);
  g_assert_cmpuint (parsed->port, ==, 51413);
  g_assert_cmpuint (parsed->uploaded, ==, 0);
  g_assert_cmpuint (parsed->downloaded, ==, 0);
  g_assert_cmpuint (parsed->left, ==, 1048576);
  g_assert_cmpint (parsed->numwant, ==, 80);
  g_assert_cmpstr (parsed->key, ==, "6a2d9c4f");
  g_assert_true (parsed->compact);
  g_assert_false (parsed->no_peer_id);
  g_assert_cmpint (parsed->event, ==, TSR_ANNOUNCE_EVENT_STARTED);
  g_assert_null (parsed->ip);
  g_assert_null (parsed->tracker_id);
}

static void
test_query_libtorrent (void)
{
  /* libtorrent 2.0: unreserved bytes stay, uppercase escapes, ipv6= and
   * redundant= (unknown here), the client's claimed ip=, trackerid. */
  g_autofree char *hash = escape_some (hash_a, 20);
  g_autofree char *query = g_strdup_printf ("info_hash=%s&peer_id=-LT2070-%%21%%2a%%28ab%%29cd_efg"
                                            "&port=6881&uploaded=1024&downloaded=2048&left=0&corrupt=0"
                                            "&key=1A2B3C4D&event=completed&numwant=200&compact=1&no_peer_id=1"
                                            "&supportcrypto=1&redundant=0&ip=198.51.100.7"
                                            "&ipv6=2001%%3Adb8%%3A%%3A1&trackerid=tr%%20id", hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) parsed = parse_announce (query, &error);

  g_assert_no_error (error);
  g_assert_true (strstr (hash, "~") != NULL);   /* the escaping really differs from Transmission's */
  g_assert_cmpmem (parsed->info_hash, 20, hash_a, 20);
  g_assert_cmpmem (parsed->peer_id, 20, "-LT2070-!*(ab)cd_efg", 20);
  g_assert_cmpuint (parsed->port, ==, 6881);
  g_assert_cmpuint (parsed->uploaded, ==, 1024);
  g_assert_cmpuint (parsed->downloaded, ==, 2048);
  g_assert_cmpuint (parsed->left, ==, 0);
  g_assert_cmpint (parsed->event, ==, TSR_ANNOUNCE_EVENT_COMPLETED);
  g_assert_cmpint (parsed->numwant, ==, 200);
  g_assert_true (parsed->compact);
  g_assert_true (parsed->no_peer_id);
  g_assert_cmpstr (parsed->ip, ==, "198.51.100.7");
  g_assert_cmpstr (parsed->key, ==, "1A2B3C4D");
  g_assert_cmpstr (parsed->tracker_id, ==, "tr id");
}

static void
test_query_aria2 (void)
{
  /* aria2 1.36: "A2-1-36-0-" then 10 random bytes, escaped; port after
   * no_peer_id; event=stopped; large counters. */
  static const guint8 peer_id[20] = { 'A', '2', '-', '1', '-', '3', '6', '-', '0', '-',
                                      0x00, 0xff, 0x80, 0x20, 0x2b, 0x26, 0x3d, 0x41, 0x7f, 0x10 };
  g_autofree char *hash = escape_all (hash_b, 20);
  g_autofree char *id = escape_all (peer_id, 20);
  g_autofree char *query = g_strdup_printf ("info_hash=%s&peer_id=%s&uploaded=123456789012&downloaded=98765432109"
                                            "&left=5000000000&compact=1&key=%%02%%5E%%8B%%5E%%0E%%23%%EBK&numwant=50&no_peer_id=1"
                                            "&port=6889&event=stopped&supportcrypto=1", hash, id);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) parsed = parse_announce (query, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (parsed->info_hash, 20, hash_b, 20);
  g_assert_cmpmem (parsed->peer_id, 20, peer_id, 20);
  g_assert_cmpuint (parsed->port, ==, 6889);
  g_assert_cmpuint (parsed->uploaded, ==, 123456789012ull);
  g_assert_cmpuint (parsed->downloaded, ==, 98765432109ull);
  g_assert_cmpuint (parsed->left, ==, 5000000000ull);
  g_assert_cmpint (parsed->event, ==, TSR_ANNOUNCE_EVENT_STOPPED);
  /* aria2's key is 8 random bytes (seen from aria2 1.36): kept in hex. */
  g_assert_cmpstr (parsed->key, ==, "025e8b5e0e23eb4b");
}

static void
test_query_engine_url (void)
{
  /* The engine's own client URL parses back to the request it came from. */
  TsrAnnounceRequest request = { { 0 } };
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) parsed = NULL;
  const char *query;

  memcpy (request.info_hash, hash_a, 20);
  memcpy (request.peer_id, "-TE0010-abc~def.ghi_", 20);
  request.port = 65535;
  request.uploaded = 7;
  request.downloaded = 8;
  request.left = 9;
  request.event = TSR_ANNOUNCE_EVENT_NONE;
  request.key = 0xdeadbeef;
  request.numwant = 0;
  request.tracker_id = "abc/def";
  url = tsr_announce_build_url ("http://t.example/announce?passkey=x", &request);
  query = strchr (url, '?') + 1;
  parsed = parse_announce (query, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (parsed->info_hash, 20, hash_a, 20);
  g_assert_cmpmem (parsed->peer_id, 20, request.peer_id, 20);
  g_assert_cmpuint (parsed->port, ==, 65535);
  g_assert_cmpuint (parsed->uploaded, ==, 7);
  g_assert_cmpuint (parsed->downloaded, ==, 8);
  g_assert_cmpuint (parsed->left, ==, 9);
  g_assert_cmpint (parsed->event, ==, TSR_ANNOUNCE_EVENT_NONE);
  g_assert_cmpstr (parsed->key, ==, "DEADBEEF");
  g_assert_cmpint (parsed->numwant, ==, 0);
  g_assert_cmpstr (parsed->tracker_id, ==, "abc/def");
}

static void
test_query_details (void)
{
  g_autofree char *hash = escape_all (hash_a, 20);
  g_autofree char *other = escape_all (hash_b, 20);
  /* Repeats (last wins), empty pairs, '+' as a space, a key without '=',
   * numwant=-1, an unknown event, huge numwant. */
  g_autofree char *query = g_strdup_printf ("&&info_hash=%s&peer_id=a+b+c+d+e+f+g+h+i+j+&port=1&port=2&&"
                                            "info_hash=%s&compact&numwant=-1&event=paused&ip=host+name",
                                            other, hash);
  g_autofree char *big = g_strdup_printf ("info_hash=%s&peer_id=aaaaaaaaaaaaaaaaaaaa&port=80&numwant=99999999999"
                                          "&compact=0&event=", hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) parsed = parse_announce (query, &error);
  g_autoptr(TsrTrackerAnnounceQuery) parsed_big = NULL;

  g_assert_no_error (error);
  g_assert_cmpmem (parsed->info_hash, 20, hash_a, 20);
  g_assert_cmpmem (parsed->peer_id, 20, "a b c d e f g h i j ", 20);
  g_assert_cmpuint (parsed->port, ==, 2);
  g_assert_false (parsed->compact);   /* "compact" alone is not compact=1 */
  g_assert_cmpint (parsed->numwant, ==, -1);
  g_assert_cmpint (parsed->event, ==, TSR_ANNOUNCE_EVENT_NONE);
  g_assert_cmpstr (parsed->ip, ==, "host name");
  g_assert_cmpuint (parsed->uploaded, ==, 0);

  parsed_big = parse_announce (big, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed_big->numwant, ==, G_MAXINT32);
  g_assert_false (parsed_big->compact);
  g_assert_cmpint (parsed_big->event, ==, TSR_ANNOUNCE_EVENT_NONE);
}

static void
test_query_rejects (void)
{
  static const struct
  {
    const char           *query;
    TsrTrackerProtoError  code;
    const char           *message;   /* a part of the failure reason */
  } cases[] = {
    { "", TSR_TRACKER_PROTO_ERROR_MISSING, "no info_hash" },
    { "peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", TSR_TRACKER_PROTO_ERROR_MISSING, "no info_hash" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&port=1", TSR_TRACKER_PROTO_ERROR_MISSING, "no peer_id" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa", TSR_TRACKER_PROTO_ERROR_MISSING, "no port" },
    { "info_hash=HHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", TSR_TRACKER_PROTO_ERROR_INVALID,
      "info_hash is 19 bytes long, not 20" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH%00&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", TSR_TRACKER_PROTO_ERROR_INVALID,
      "info_hash is 21 bytes long" },
    { "info_hash=0123456789abcdef0123456789abcdef01234567&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1",
      TSR_TRACKER_PROTO_ERROR_INVALID, "info_hash is 40 bytes long" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=short&port=1", TSR_TRACKER_PROTO_ERROR_INVALID,
      "peer_id is 5 bytes long" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=0", TSR_TRACKER_PROTO_ERROR_INVALID,
      "port is 0" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=65536", TSR_TRACKER_PROTO_ERROR_INVALID,
      "port “65536” is not a number from 0 to 65535" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=+80", TSR_TRACKER_PROTO_ERROR_INVALID,
      "port “ 80”" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=", TSR_TRACKER_PROTO_ERROR_INVALID,
      "port “”" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&left=-1",
      TSR_TRACKER_PROTO_ERROR_INVALID, "left “-1”" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&uploaded=18446744073709551616",
      TSR_TRACKER_PROTO_ERROR_INVALID, "uploaded" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&downloaded=1e3",
      TSR_TRACKER_PROTO_ERROR_INVALID, "downloaded “1e3”" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&numwant=lots",
      TSR_TRACKER_PROTO_ERROR_INVALID, "numwant “lots”" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&numwant=-x",
      TSR_TRACKER_PROTO_ERROR_INVALID, "numwant" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&ip=%0a1.2.3.4",
      TSR_TRACKER_PROTO_ERROR_INVALID, "ip “\\x0a1.2.3.4” is not short printable text" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&trackerid=%00",
      TSR_TRACKER_PROTO_ERROR_INVALID, "trackerid" },
    { "info_hash=%zz", TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE, "byte 10 of the query" },
    { "info_hash=HHHHHHHHHHHHHHHHHHH%4", TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE, "byte 29" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&x%=1", TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE,
      "byte 68" },
    { "info_hash=HHHHHHHHHHHHHHHHHHHH&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&x=%", TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE,
      "byte 69" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrTrackerAnnounceQuery) parsed = parse_announce (cases[i].query, &error);

      g_test_message ("case %u: %s", i, cases[i].query);
      g_assert_null (parsed);
      g_assert_error (error, TSR_TRACKER_PROTO_ERROR, (gint) cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not hold “%s”", i, error->message, cases[i].message);
    }
}

static void
test_query_too_long (void)
{
  g_autofree char *hash = escape_all (hash_a, 20);
  g_autofree char *head = g_strdup_printf ("info_hash=%s&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&pad=", hash);
  GString *query = g_string_new (head);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) at_limit = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) over = NULL;

  while (query->len < TSR_TRACKER_MAX_QUERY)
    g_string_append_c (query, 'x');
  at_limit = tsr_tracker_announce_query_parse (query->str, query->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (at_limit);
  g_string_append_c (query, 'x');
  over = tsr_tracker_announce_query_parse (query->str, query->len, &error);
  g_assert_null (over);
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_LONG);
  g_assert_nonnull (strstr (error->message, "4097 bytes"));
  g_string_free (query, TRUE);
}

static void
test_scrape_query (void)
{
  g_autofree char *a = escape_all (hash_a, 20);
  g_autofree char *b = escape_some (hash_b, 20);
  g_autofree char *query = g_strdup_printf ("info_hash=%s&passkey=zz&info_hash=%s&info_hash=%s", a, b, a);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hashes = tsr_tracker_scrape_query_parse (query, strlen (query), &error);
  g_autoptr(GBytes) none = NULL;
  const guint8 *data;
  gsize length = 0;

  g_assert_no_error (error);
  data = g_bytes_get_data (hashes, &length);
  g_assert_cmpuint (length, ==, 60);   /* repeats are kept: every value counts */
  g_assert_cmpmem (data, 20, hash_a, 20);
  g_assert_cmpmem (data + 20, 20, hash_b, 20);
  g_assert_cmpmem (data + 40, 20, hash_a, 20);

  /* BEP 48: no info_hash asks for every torrent. */
  none = tsr_tracker_scrape_query_parse ("", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (none), ==, 0);
}

static void
test_scrape_query_rejects (void)
{
  g_autofree char *hash = escape_all (hash_a, 20);
  GString *many = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) at_limit = NULL;
  GBytes *refused;
  guint i;

  for (i = 0; i < TSR_TRACKER_MAX_SCRAPE; i++)
    g_string_append_printf (many, "%sinfo_hash=%s", i > 0 ? "&" : "", hash);
  g_assert_cmpuint (many->len, <=, TSR_TRACKER_MAX_SCRAPE_QUERY);
  at_limit = tsr_tracker_scrape_query_parse (many->str, many->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (at_limit), ==, 20 * TSR_TRACKER_MAX_SCRAPE);

  g_string_append (many, "&info_hash=HHHHHHHHHHHHHHHHHHHH");
  refused = tsr_tracker_scrape_query_parse (many->str, many->len, &error);
  g_assert_null (refused);
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_MANY);
  g_assert_nonnull (strstr (error->message, "more than 256 torrents"));
  g_clear_error (&error);

  while (many->len <= TSR_TRACKER_MAX_SCRAPE_QUERY)
    g_string_append_c (many, 'x');
  refused = tsr_tracker_scrape_query_parse (many->str, many->len, &error);
  g_assert_null (refused);
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_LONG);
  g_clear_error (&error);
  g_string_free (many, TRUE);

  refused = tsr_tracker_scrape_query_parse ("info_hash=abc", 13, &error);
  g_assert_null (refused);
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "3 bytes long, not 20"));
  g_clear_error (&error);

  refused = tsr_tracker_scrape_query_parse ("info_hash=%g0", 13, &error);
  g_assert_null (refused);
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE);
}

/* GBytes data is not NUL-terminated and replies hold NUL bytes. */
static gboolean
bytes_contain (GBytes     *bytes,
               const char *text)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize text_length = strlen (text);
  gsize i;

  for (i = 0; i + text_length <= length; i++)
    if (memcmp (data + i, text, text_length) == 0)
      return TRUE;
  return FALSE;
}

static TsrPeerAddress
peer_from_string (const char *text)
{
  TsrPeerAddress peer;

  g_assert_true (tsr_peer_address_parse (text, &peer));
  return peer;
}

static void
assert_peer (const TsrAnnounceReply *reply,
             guint                   index,
             const char             *expected)
{
  g_autofree char *text = NULL;

  g_assert_cmpuint (index, <, reply->peers->len);
  text = tsr_peer_address_to_string (&g_array_index (reply->peers, TsrAnnouncePeer, index).address);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_announce_reply_compact (void)
{
  TsrPeerAddress peers[3];
  TsrPeerAddress external;
  TsrTrackerAnnounceReply reply = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TsrAnnounceReply) parsed = NULL;
  g_autoptr(GError) error = NULL;

  peers[0] = peer_from_string ("192.0.2.1:6881");
  peers[1] = peer_from_string ("[2001:db8::7]:51413");
  peers[2] = peer_from_string ("10.0.0.2:80");
  external = peer_from_string ("[2001:db8::99]:1");
  reply.interval = 1800;
  reply.min_interval = 900;
  reply.complete = 12;
  reply.incomplete = 3;
  reply.tracker_id = "t-1";
  reply.warning_message = "be nice";
  reply.peers = peers;
  /* Ids have no place in compact peers. */
  reply.peer_ids = (const guint8 *) "-TR3000-aaaaaaaaaaaa-TR3000-bbbbbbbbbbbb-TR3000-cccccccccccc";
  reply.n_peers = G_N_ELEMENTS (peers);
  reply.compact = TRUE;
  reply.external_ip = &external;
  body = tsr_tracker_announce_reply_encode (&reply);
  g_assert_true (bytes_contain (body, "5:peers12:"));
  g_assert_true (bytes_contain (body, "6:peers618:"));

  parsed = tsr_announce_reply_parse (body, &error);
  g_assert_no_error (error);
  g_assert_null (parsed->failure_reason);
  g_assert_cmpint (parsed->interval, ==, 1800);
  g_assert_cmpint (parsed->min_interval, ==, 900);
  g_assert_cmpint (parsed->complete, ==, 12);
  g_assert_cmpint (parsed->incomplete, ==, 3);
  g_assert_cmpstr (parsed->tracker_id, ==, "t-1");
  g_assert_cmpstr (parsed->warning_message, ==, "be nice");
  g_assert_cmpuint (parsed->peers->len, ==, 3);
  assert_peer (parsed, 0, "192.0.2.1:6881");    /* peers first, then peers6 */
  assert_peer (parsed, 1, "10.0.0.2:80");
  assert_peer (parsed, 2, "[2001:db8::7]:51413");
  g_assert_false (bytes_contain (body, "-TR3000-"));
  g_assert_false (g_array_index (parsed->peers, TsrAnnouncePeer, 0).has_peer_id);
  g_assert_true (parsed->has_external_ip);
  g_assert_cmpint (parsed->external_ip.family, ==, 6);
  g_assert_cmpmem (parsed->external_ip.address, 16, external.address, 16);
}

static void
test_announce_reply_dictionaries (void)
{
  TsrPeerAddress peers[2];
  TsrPeerAddress external;
  TsrTrackerAnnounceReply reply = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) body_no_id = NULL;
  g_autoptr(TsrAnnounceReply) parsed = NULL;
  g_autoptr(TsrAnnounceReply) parsed_no_id = NULL;
  g_autoptr(GError) error = NULL;

  peers[0] = peer_from_string ("192.0.2.1:6881");
  peers[1] = peer_from_string ("[2001:db8::7]:51413");
  external = peer_from_string ("203.0.113.5:1");
  reply.interval = 60;
  reply.min_interval = -1;
  reply.peers = peers;
  reply.peer_ids = (const guint8 *) "-TR3000-aaaaaaaaaaaa-LT2070-bbbbbbbbbbbb";
  reply.n_peers = 2;
  reply.external_ip = &external;
  body = tsr_tracker_announce_reply_encode (&reply);
  g_assert_false (bytes_contain (body, "min interval"));

  parsed = tsr_announce_reply_parse (body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->interval, ==, 60);
  g_assert_cmpint (parsed->min_interval, ==, -1);
  g_assert_cmpint (parsed->complete, ==, 0);
  g_assert_cmpuint (parsed->peers->len, ==, 2);
  assert_peer (parsed, 0, "192.0.2.1:6881");
  assert_peer (parsed, 1, "[2001:db8::7]:51413");
  g_assert_true (g_array_index (parsed->peers, TsrAnnouncePeer, 0).has_peer_id);
  g_assert_cmpmem (g_array_index (parsed->peers, TsrAnnouncePeer, 0).peer_id, 20, "-TR3000-aaaaaaaaaaaa", 20);
  g_assert_cmpmem (g_array_index (parsed->peers, TsrAnnouncePeer, 1).peer_id, 20, "-LT2070-bbbbbbbbbbbb", 20);
  g_assert_true (parsed->has_external_ip);
  g_assert_cmpint (parsed->external_ip.family, ==, 4);
  g_assert_cmpmem (parsed->external_ip.address, 4, external.address, 4);

  reply.no_peer_id = TRUE;
  reply.external_ip = NULL;
  body_no_id = tsr_tracker_announce_reply_encode (&reply);
  g_assert_false (bytes_contain (body_no_id, "peer id"));
  parsed_no_id = tsr_announce_reply_parse (body_no_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed_no_id->peers->len, ==, 2);
  g_assert_false (g_array_index (parsed_no_id->peers, TsrAnnouncePeer, 0).has_peer_id);
  g_assert_false (parsed_no_id->has_external_ip);
}

static void
test_announce_reply_empty (void)
{
  TsrTrackerAnnounceReply reply = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TsrAnnounceReply) parsed = NULL;
  g_autoptr(GError) error = NULL;

  reply.interval = 300;
  reply.min_interval = -1;
  reply.compact = TRUE;
  body = tsr_tracker_announce_reply_encode (&reply);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   "d8:completei0e10:incompletei0e8:intervali300e5:peers0:e",
                   strlen ("d8:completei0e10:incompletei0e8:intervali300e5:peers0:e"));
  parsed = tsr_announce_reply_parse (body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->peers->len, ==, 0);
  g_assert_cmpint (parsed->interval, ==, 300);
}

static void
test_failure_reply (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) query = parse_announce ("port=1", &error);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TsrAnnounceReply) parsed = NULL;
  g_autoptr(GError) parse_error = NULL;
  gint64 complete, incomplete, downloaded;

  g_assert_null (query);
  body = tsr_tracker_failure_reply_encode (error->message);
  parsed = tsr_announce_reply_parse (body, &parse_error);
  g_assert_no_error (parse_error);
  g_assert_cmpstr (parsed->failure_reason, ==, "The announce has no info_hash");

  g_assert_false (tsr_scrape_reply_parse (body, hash_a, &complete, &incomplete, &downloaded, &parse_error));
  g_assert_error (parse_error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER);
  g_assert_nonnull (strstr (parse_error->message, "no info_hash"));
}

static void
test_scrape_reply (void)
{
  TsrTrackerScrapeEntry entries[2] = {
    { .complete = 5, .downloaded = 40, .incomplete = 3 },
    { .complete = 0, .downloaded = 5000000000, .incomplete = 1 },
  };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GError) error = NULL;
  gint64 complete = -1, incomplete = -1, downloaded = -1;
  static const guint8 absent[20] = { 1 };

  memcpy (entries[0].info_hash, hash_a, 20);
  memcpy (entries[1].info_hash, hash_b, 20);
  body = tsr_tracker_scrape_reply_encode (entries, 2);

  g_assert_true (tsr_scrape_reply_parse (body, hash_a, &complete, &incomplete, &downloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpint (complete, ==, 5);
  g_assert_cmpint (downloaded, ==, 40);
  g_assert_cmpint (incomplete, ==, 3);
  g_assert_true (tsr_scrape_reply_parse (body, hash_b, &complete, &incomplete, &downloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpint (complete, ==, 0);
  g_assert_cmpint (downloaded, ==, 5000000000);
  g_assert_cmpint (incomplete, ==, 1);
  g_assert_false (tsr_scrape_reply_parse (body, absent, &complete, &incomplete, &downloaded, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED);

  empty = tsr_tracker_scrape_reply_encode (NULL, 0);
  g_assert_cmpmem (g_bytes_get_data (empty, NULL), g_bytes_get_size (empty), "d5:filesdee", 11);
}

/* ------------------------------------------------------------------ */
/* UDP                                                                 */

static TsrAnnounceRequest
sample_request (void)
{
  TsrAnnounceRequest request = { { 0 } };

  memcpy (request.info_hash, hash_a, 20);
  memcpy (request.peer_id, "-TE0010-abcdefghijkl", 20);
  request.port = 51413;
  request.uploaded = 1;
  request.downloaded = G_GUINT64_CONSTANT (0x0102030405060708);
  request.left = 5000000000ull;
  request.event = TSR_ANNOUNCE_EVENT_STARTED;
  request.key = 0xdeadbeef;
  request.numwant = 200;
  return request;
}

static void
test_udp_requests (void)
{
  TsrAnnounceRequest request = sample_request ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrTrackerUdpRequest parsed;
  static const guint8 options[] = { 2, 5, '/', 'a', 'n', 'n', 'o', 1, 0 };   /* BEP 41: URLData, NOP, EndOfOptions */
  guint8 hashes[3 * 20];

  tsr_udp_write_connect (out, 0x12345678);
  g_assert_true (tsr_tracker_udp_request_parse (out->data, out->len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.action, ==, TSR_UDP_CONNECT);
  g_assert_cmpuint (parsed.transaction_id, ==, 0x12345678);

  g_byte_array_set_size (out, 0);
  tsr_udp_write_announce (out, G_GUINT64_CONSTANT (0xa1a2a3a4a5a6a7a8), 77, &request);
  g_assert_cmpuint (out->len, ==, 98);
  g_byte_array_append (out, options, sizeof options);
  g_assert_true (tsr_tracker_udp_request_parse (out->data, out->len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.action, ==, TSR_UDP_ANNOUNCE);
  g_assert_cmpuint (parsed.transaction_id, ==, 77);
  g_assert_cmpuint (parsed.connection_id, ==, G_GUINT64_CONSTANT (0xa1a2a3a4a5a6a7a8));
  g_assert_cmpmem (parsed.info_hash, 20, hash_a, 20);
  g_assert_cmpmem (parsed.peer_id, 20, request.peer_id, 20);
  g_assert_cmpuint (parsed.downloaded, ==, request.downloaded);
  g_assert_cmpuint (parsed.left, ==, request.left);
  g_assert_cmpuint (parsed.uploaded, ==, 1);
  g_assert_cmpint (parsed.event, ==, TSR_ANNOUNCE_EVENT_STARTED);
  g_assert_cmpmem (parsed.ip, 4, "\0\0\0\0", 4);
  g_assert_cmpuint (parsed.key, ==, 0xdeadbeef);
  g_assert_cmpint (parsed.num_want, ==, 200);
  g_assert_cmpuint (parsed.port, ==, 51413);

  request.numwant = -1;
  request.event = TSR_ANNOUNCE_EVENT_STOPPED;
  g_byte_array_set_size (out, 0);
  tsr_udp_write_announce (out, 1, 2, &request);
  g_assert_true (tsr_tracker_udp_request_parse (out->data, out->len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.num_want, ==, -1);
  g_assert_cmpint (parsed.event, ==, TSR_ANNOUNCE_EVENT_STOPPED);

  memcpy (hashes, hash_a, 20);
  memcpy (hashes + 20, hash_b, 20);
  memset (hashes + 40, 0x5a, 20);
  g_byte_array_set_size (out, 0);
  tsr_udp_write_scrape (out, 99, 0xfffffffe, hashes, 3);
  g_assert_true (tsr_tracker_udp_request_parse (out->data, out->len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.action, ==, TSR_UDP_SCRAPE);
  g_assert_cmpuint (parsed.connection_id, ==, 99);
  g_assert_cmpuint (parsed.transaction_id, ==, 0xfffffffe);
  g_assert_cmpuint (parsed.n_hashes, ==, 3);
  g_assert_cmpmem (parsed.info_hashes, 60, hashes, 60);
}

static void
test_udp_requests_reject (void)
{
  TsrAnnounceRequest request = sample_request ();
  g_autoptr(GByteArray) connect = g_byte_array_new ();
  g_autoptr(GByteArray) announce = g_byte_array_new ();
  g_autoptr(GByteArray) scrape = g_byte_array_new ();
  g_autoptr(GByteArray) big_scrape = g_byte_array_new ();
  g_autoptr(GByteArray) limit_scrape = g_byte_array_new ();
  guint8 hashes[(TSR_TRACKER_UDP_MAX_SCRAPE + 1) * 20] = { 0 };
  g_autoptr(GError) error = NULL;
  TsrTrackerUdpRequest parsed;
  struct
  {
    const guint8         *data;
    gsize                 length;
    TsrTrackerProtoError  code;
    guint32               transaction_id;   /* still read, to answer the error */
    const char           *message;
  } cases[12];
  guint n = 0;
  guint i;
  static const guint8 bad_magic[16] = { 0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x81, 0, 0, 0, 0, 0, 0, 0, 5 };
  static const guint8 error_action[16] = { 0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 3, 0, 0, 0, 6 };
  static const guint8 garbage[] = "GET / HTTP/1.1\r\n\r\n";

  tsr_udp_write_connect (connect, 5);
  tsr_udp_write_announce (announce, 1, 7, &request);
  tsr_udp_write_scrape (scrape, 1, 8, hashes, 2);
  tsr_udp_write_scrape (big_scrape, 1, 9, hashes, TSR_TRACKER_UDP_MAX_SCRAPE + 1);
  tsr_udp_write_scrape (limit_scrape, 1, 10, hashes, TSR_TRACKER_UDP_MAX_SCRAPE);

  g_assert_true (tsr_tracker_udp_request_parse (limit_scrape->data, limit_scrape->len, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.n_hashes, ==, TSR_TRACKER_UDP_MAX_SCRAPE);

#define CASE(d, l, c, t, m) cases[n++] = (typeof (cases[0])) { d, l, c, t, m }
  CASE (connect->data, 0, TSR_TRACKER_PROTO_ERROR_TRUNCATED, 0, "0 bytes long");
  CASE (connect->data, 15, TSR_TRACKER_PROTO_ERROR_TRUNCATED, 0, "15 bytes long");
  CASE (bad_magic, 16, TSR_TRACKER_PROTO_ERROR_BAD_PROTOCOL, 5, "protocol id");
  CASE (error_action, 16, TSR_TRACKER_PROTO_ERROR_BAD_ACTION, 6, "action 3");
  CASE (garbage, sizeof garbage - 1, TSR_TRACKER_PROTO_ERROR_BAD_ACTION, 0x2e310d0a, "action 1414541105");
  CASE (announce->data, 97, TSR_TRACKER_PROTO_ERROR_TRUNCATED, 7, "announce request is 97 bytes long, shorter than 98");
  CASE (announce->data, 16, TSR_TRACKER_PROTO_ERROR_TRUNCATED, 7, "announce");
  CASE (scrape->data, 16, TSR_TRACKER_PROTO_ERROR_TRUNCATED, 8, "scrape request is 16 bytes");
  CASE (scrape->data, 55, TSR_TRACKER_PROTO_ERROR_INVALID, 8, "39 bytes of info hashes");
  CASE (big_scrape->data, big_scrape->len, TSR_TRACKER_PROTO_ERROR_TOO_MANY, 9, "more than 74");
#undef CASE

  for (i = 0; i < n; i++)
    {
      g_test_message ("case %u", i);
      g_assert_false (tsr_tracker_udp_request_parse (cases[i].data, cases[i].length, &parsed, &error));
      g_assert_error (error, TSR_TRACKER_PROTO_ERROR, (gint) cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not hold “%s”", i, error->message, cases[i].message);
      g_assert_cmpuint (parsed.transaction_id, ==, cases[i].transaction_id);
      g_clear_error (&error);
    }

  /* A bad event (byte 83) and port 0 (bytes 96-97) in an announce. */
  announce->data[83] = 4;
  g_assert_false (tsr_tracker_udp_request_parse (announce->data, announce->len, &parsed, &error));
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "event 4"));
  g_clear_error (&error);
  announce->data[83] = 0;
  announce->data[96] = announce->data[97] = 0;
  g_assert_false (tsr_tracker_udp_request_parse (announce->data, announce->len, &parsed, &error));
  g_assert_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "port is 0"));
}

static void
test_udp_replies (void)
{
  TsrPeerAddress peers[3];
  TsrTrackerScrapeEntry entries[2] = {
    { .complete = 5, .downloaded = 40, .incomplete = 3 },
    { .complete = 1, .downloaded = G_GINT64_CONSTANT (10000000000), .incomplete = -4 },
  };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) v4 = NULL;
  g_autoptr(TsrAnnounceReply) v6 = NULL;
  guint64 connection_id = 0;
  gint64 complete = -1, downloaded = -1, incomplete = -1;

  tsr_tracker_udp_write_connect (out, 41, G_GUINT64_CONSTANT (0x8877665544332211));
  g_assert_true (tsr_udp_parse_connect (out->data, out->len, 41, &connection_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (connection_id, ==, G_GUINT64_CONSTANT (0x8877665544332211));

  peers[0] = peer_from_string ("192.0.2.1:6881");
  peers[1] = peer_from_string ("[2001:db8::7]:51413");
  peers[2] = peer_from_string ("198.51.100.2:443");
  g_byte_array_set_size (out, 0);
  tsr_tracker_udp_write_announce (out, 42, 1800, 7, 9, peers, 3, 4);
  g_assert_cmpuint (out->len, ==, 20 + 2 * 6);
  v4 = tsr_udp_parse_announce (out->data, out->len, 42, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v4->interval, ==, 1800);
  g_assert_cmpint (v4->incomplete, ==, 7);
  g_assert_cmpint (v4->complete, ==, 9);
  g_assert_cmpuint (v4->peers->len, ==, 2);
  assert_peer (v4, 0, "192.0.2.1:6881");
  assert_peer (v4, 1, "198.51.100.2:443");

  g_byte_array_set_size (out, 0);
  tsr_tracker_udp_write_announce (out, 43, 60, 0, 1, peers, 3, 6);
  g_assert_cmpuint (out->len, ==, 20 + 18);
  v6 = tsr_udp_parse_announce (out->data, out->len, 43, 6, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (v6->peers->len, ==, 1);
  assert_peer (v6, 0, "[2001:db8::7]:51413");

  g_byte_array_set_size (out, 0);
  tsr_tracker_udp_write_scrape (out, 44, entries, 2);
  g_assert_cmpuint (out->len, ==, 8 + 2 * 12);
  g_assert_true (tsr_udp_parse_scrape (out->data, out->len, 44, &complete, &downloaded, &incomplete, &error));
  g_assert_no_error (error);
  g_assert_cmpint (complete, ==, 5);
  g_assert_cmpint (downloaded, ==, 40);
  g_assert_cmpint (incomplete, ==, 3);
  /* The second hash's counts, clamped to 32 bits. */
  g_assert_cmpuint (tsr_read_be32 (out->data + 20), ==, 1);
  g_assert_cmpuint (tsr_read_be32 (out->data + 24), ==, G_MAXUINT32);
  g_assert_cmpuint (tsr_read_be32 (out->data + 28), ==, 0);

  g_byte_array_set_size (out, 0);
  tsr_tracker_udp_write_error (out, 45, "Connection id expired");
  g_assert_false (tsr_udp_parse_connect (out->data, out->len, 45, &connection_id, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER);
  g_assert_nonnull (strstr (error->message, "Connection id expired"));
}

/* ------------------------------------------------------------------ */
/* Connection ids                                                      */

static void
test_connection_ids (void)
{
  static const guint8 key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  static const guint8 other_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 11 };
  static const guint8 v4[4] = { 192, 0, 2, 1 };
  static const guint8 v4_other[4] = { 192, 0, 2, 2 };
  guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
  g_autoptr(TsrConnectionIds) ids = tsr_connection_ids_new (key);
  g_autoptr(TsrConnectionIds) other = tsr_connection_ids_new (other_key);
  gint64 now = 1700000000;   /* 20 s into a window */
  guint64 id = tsr_connection_ids_make (ids, 4, v4, 6881, now);
  guint64 id6;
  guint64 forged;
  guint i;
  guint accepted = 0;

  g_assert_cmpint (now % TSR_CONNECTION_ID_WINDOW, ==, 20);
  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 6881, id, now));
  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 6881, id, now + 59));
  /* Made at the very end of a window, it still lasts a full minute. */
  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 6881,
                                           tsr_connection_ids_make (ids, 4, v4, 6881, now + 39), now + 39 + 60));
  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 6881, id, now + 99));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, id, now + 100));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, id, now + 2 * TSR_CONNECTION_ID_WINDOW));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, id, now - TSR_CONNECTION_ID_WINDOW));

  /* Another address, port, family or key: refused. */
  g_assert_false (tsr_connection_ids_check (ids, 4, v4_other, 6881, id, now));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6882, id, now));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881 + 256, id, now));   /* the port's high byte counts */
  memcpy (v6, v4, 4);
  g_assert_false (tsr_connection_ids_check (ids, 6, v6, 6881, id, now));
  g_assert_false (tsr_connection_ids_check (other, 4, v4, 6881, id, now));
  g_assert_cmpuint (tsr_connection_ids_make (ids, 4, v4, 6881, now), ==, id);   /* deterministic */
  g_assert_cmpuint (tsr_connection_ids_make (other, 4, v4, 6881, now), !=, id);

  id6 = tsr_connection_ids_make (ids, 6, v6, 6881, now);
  g_assert_true (tsr_connection_ids_check (ids, 6, v6, 6881, id6, now + 30));
  v6[15] ^= 1;
  g_assert_false (tsr_connection_ids_check (ids, 6, v6, 6881, id6, now + 30));

  /* Forged ids: random, the id with one bit flipped, the protocol magic. */
  for (i = 0; i < 1000; i++)
    {
      forged = (guint64) g_random_int () << 32 | g_random_int ();
      accepted += tsr_connection_ids_check (ids, 4, v4, 6881, forged, now);
    }
  g_assert_cmpuint (accepted, ==, 0);
  for (i = 0; i < 64; i++)
    g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, id ^ (G_GUINT64_CONSTANT (1) << i), now));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, TSR_UDP_PROTOCOL_ID, now));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 6881, 0, now));
}

static void
test_connection_ids_time_zero (void)
{
  static const guint8 key[32] = { 0 };
  static const guint8 v4[4] = { 127, 0, 0, 1 };
  g_autoptr(TsrConnectionIds) ids = tsr_connection_ids_new (key);
  guint64 id = tsr_connection_ids_make (ids, 4, v4, 1, 0);

  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 1, id, 0));
  g_assert_true (tsr_connection_ids_check (ids, 4, v4, 1, id, 119));
  g_assert_false (tsr_connection_ids_check (ids, 4, v4, 1, id, 120));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tracker-proto/query/transmission", test_query_transmission);
  g_test_add_func ("/tracker-proto/query/libtorrent", test_query_libtorrent);
  g_test_add_func ("/tracker-proto/query/aria2", test_query_aria2);
  g_test_add_func ("/tracker-proto/query/engine-url", test_query_engine_url);
  g_test_add_func ("/tracker-proto/query/details", test_query_details);
  g_test_add_func ("/tracker-proto/query/rejects", test_query_rejects);
  g_test_add_func ("/tracker-proto/query/too-long", test_query_too_long);
  g_test_add_func ("/tracker-proto/scrape-query/hashes", test_scrape_query);
  g_test_add_func ("/tracker-proto/scrape-query/rejects", test_scrape_query_rejects);
  g_test_add_func ("/tracker-proto/reply/compact", test_announce_reply_compact);
  g_test_add_func ("/tracker-proto/reply/dictionaries", test_announce_reply_dictionaries);
  g_test_add_func ("/tracker-proto/reply/empty", test_announce_reply_empty);
  g_test_add_func ("/tracker-proto/reply/failure", test_failure_reply);
  g_test_add_func ("/tracker-proto/reply/scrape", test_scrape_reply);
  g_test_add_func ("/tracker-proto/udp/requests", test_udp_requests);
  g_test_add_func ("/tracker-proto/udp/requests-reject", test_udp_requests_reject);
  g_test_add_func ("/tracker-proto/udp/replies", test_udp_replies);
  g_test_add_func ("/tracker-proto/connection-ids/windows", test_connection_ids);
  g_test_add_func ("/tracker-proto/connection-ids/time-zero", test_connection_ids_time_zero);

  return g_test_run ();
}
