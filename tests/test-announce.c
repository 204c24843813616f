/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-announce.c: tracker codecs: announce and scrape URLs, HTTP replies
 * in every shape trackers send (compact, dictionaries, IPv6, failures,
 * garbage), and BEP 15 UDP packets byte for byte.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-announce.h"

static TsrAnnounceRequest
sample_request (void)
{
  TsrAnnounceRequest request = { { 0 } };
  guint i;

  for (i = 0; i < 20; i++)
    request.info_hash[i] = (guint8) (i * 13);
  memcpy (request.peer_id, "-TE0010-abc~def.ghi_", 20);
  request.port = 6881;
  request.uploaded = 1;
  request.downloaded = 2;
  request.left = 5000000000ull;
  request.event = TSR_ANNOUNCE_EVENT_STARTED;
  request.key = 0xdeadbeef;
  request.numwant = 200;
  return request;
}

static void
test_build_url (void)
{
  TsrAnnounceRequest request = sample_request ();
  g_autofree char *url = tsr_announce_build_url ("http://t.example/announce", &request);
  g_autofree char *with_query = NULL;

  g_assert_cmpstr (url, ==,
                   "http://t.example/announce?info_hash=%00%0D%1A%274AN%5Bhu%82%8F%9C%A9%B6%C3%D0%DD%EA%F7"
                   "&peer_id=-TE0010-abc~def.ghi_&port=6881&uploaded=1&downloaded=2&left=5000000000"
                   "&corrupt=0&key=DEADBEEF&compact=1&no_peer_id=1&numwant=200&event=started");
  request.event = TSR_ANNOUNCE_EVENT_NONE;
  request.numwant = -1;
  request.tracker_id = "id &1";
  with_query = tsr_announce_build_url ("https://t.example/a?passkey=xyz", &request);
  g_assert_true (g_str_has_prefix (with_query, "https://t.example/a?passkey=xyz&info_hash="));
  g_assert_null (strstr (with_query, "event="));
  g_assert_null (strstr (with_query, "numwant="));
  g_assert_true (g_str_has_suffix (with_query, "&trackerid=id%20%261"));
}

static TsrAnnounceReply *
parse_text (const char  *text,
            gsize        length,
            GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, length);

  return tsr_announce_reply_parse (bytes, error);
}

static void
test_reply_compact (void)
{
  static const char text[] = "d8:completei5e10:incompletei3e8:intervali1800e12:min intervali60e"
                             "5:peers12:\x7f\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\x00\x50"
                             "6:peers618:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe2"
                             "10:tracker id3:xyz15:warning message4:slowe";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) reply = parse_text (text, sizeof text - 1, &error);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_no_error (error);
  g_assert_null (reply->failure_reason);
  g_assert_cmpstr (reply->warning_message, ==, "slow");
  g_assert_cmpint (reply->interval, ==, 1800);
  g_assert_cmpint (reply->min_interval, ==, 60);
  g_assert_cmpint (reply->complete, ==, 5);
  g_assert_cmpint (reply->incomplete, ==, 3);
  g_assert_cmpstr (reply->tracker_id, ==, "xyz");
  g_assert_cmpuint (reply->peers->len, ==, 3);
  a = tsr_peer_address_to_string (&g_array_index (reply->peers, TsrAnnouncePeer, 0).address);
  b = tsr_peer_address_to_string (&g_array_index (reply->peers, TsrAnnouncePeer, 1).address);
  c = tsr_peer_address_to_string (&g_array_index (reply->peers, TsrAnnouncePeer, 2).address);
  g_assert_cmpstr (a, ==, "127.0.0.1:6881");
  g_assert_cmpstr (b, ==, "10.0.0.2:80");
  g_assert_cmpstr (c, ==, "[2001:db8::1]:6882");
}

static void
test_reply_dictionaries (void)
{
  static const char text[] = "d8:intervali900e5:peersl"
                             "d2:ip9:127.0.0.27:peer id20:-XX0001-aaaaaaaaaaaa4:porti51413ee"
                             "d2:ip3:::14:porti7ee"
                             "d2:ip11:example.com4:porti80ee"    /* host names are not resolved */
                             "d2:ip9:127.0.0.34:porti0ee"         /* port 0 */
                             "i5e"
                             "ee";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) reply = parse_text (text, sizeof text - 1, &error);
  TsrAnnouncePeer *first;

  g_assert_no_error (error);
  g_assert_cmpuint (reply->peers->len, ==, 2);
  first = &g_array_index (reply->peers, TsrAnnouncePeer, 0);
  g_assert_true (first->has_peer_id);
  g_assert_cmpmem (first->peer_id, 20, "-XX0001-aaaaaaaaaaaa", 20);
  g_assert_cmpint (g_array_index (reply->peers, TsrAnnouncePeer, 1).address.family, ==, 6);
}

/* 5000 peers in each form: the first TSR_ANNOUNCE_MAX_PEERS are kept, in
 * the order the tracker gave them, and the rest never become entries. */
static void
test_reply_peer_cap (void)
{
  g_autoptr(GString) text = g_string_new ("d8:intervali900e5:peersl");
  g_autoptr(GString) compact = g_string_new ("d8:intervali900e5:peers30000:");
  g_autoptr(GByteArray) udp = g_byte_array_new ();
  static const guint8 udp_head[] = { 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 7, 8, 0, 0, 0, 3, 0, 0, 0, 9 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) reply = NULL;
  g_autofree char *first = NULL;
  guint i;

  g_assert_cmpuint (TSR_ANNOUNCE_MAX_PEERS, >=, 200);     /* what we ask for */
  g_assert_cmpuint (TSR_ANNOUNCE_MAX_PEERS, <, 5000);
  for (i = 0; i < 5000; i++)
    {
      g_autofree char *ip = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 0xff, i & 0xff);

      g_string_append_printf (text, "d2:ip%zu:%s4:porti%uee", strlen (ip), ip, 1000 + i);
    }
  g_string_append (text, "e6:peers690000:");
  for (i = 0; i < 5000; i++)
    g_string_append_len (text, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x1a\xe1", 18);
  g_string_append_c (text, 'e');
  reply = parse_text (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->peers->len, ==, TSR_ANNOUNCE_MAX_PEERS);
  first = tsr_peer_address_to_string (&g_array_index (reply->peers, TsrAnnouncePeer, 0).address);
  g_assert_cmpstr (first, ==, "10.0.0.0:1000");
  /* The dictionaries came first and filled the cap: no IPv6 peer. */
  g_assert_cmpint (g_array_index (reply->peers, TsrAnnouncePeer, TSR_ANNOUNCE_MAX_PEERS - 1).address.family, ==, 4);
  g_clear_pointer (&reply, tsr_announce_reply_free);

  for (i = 0; i < 5000; i++)
    g_string_append_len (compact, "\x7f\0\0\x01\x1a\xe1", 6);
  g_string_append_c (compact, 'e');
  reply = parse_text (compact->str, compact->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->peers->len, ==, TSR_ANNOUNCE_MAX_PEERS);
  g_clear_pointer (&reply, tsr_announce_reply_free);

  /* UDP (BEP 15): 2000 peers in one (jumbo) datagram. */
  g_byte_array_append (udp, udp_head, sizeof udp_head);
  for (i = 0; i < 2000; i++)
    g_byte_array_append (udp, (const guint8 *) "\x7f\0\0\x01\x1a\xe1", 6);
  reply = tsr_udp_parse_announce (udp->data, udp->len, 7, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->peers->len, ==, TSR_ANNOUNCE_MAX_PEERS);
}

/* Empty dictionaries cost two bytes each and a tree node once decoded:
 * a reply with more values than TSR_ANNOUNCE_MAX_VALUES is refused
 * before any is built; one under it is read. */
static void
test_reply_too_many_values (void)
{
  g_autoptr(GString) many = g_string_new ("d8:intervali900e5:peersl");
  g_autoptr(GString) fewer = g_string_new ("d8:intervali900e5:peersl");
  g_autoptr(GString) scrape = g_string_new ("d5:filesd");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) reply = NULL;
  gint64 complete, incomplete, downloaded;
  guint i;

  for (i = 0; i < TSR_ANNOUNCE_MAX_VALUES; i++)
    g_string_append (many, "de");
  g_string_append (many, "ee");
  reply = parse_text (many->str, many->len, &error);
  g_assert_null (reply);
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_clear_error (&error);

  for (i = 0; i < TSR_ANNOUNCE_MAX_VALUES - 10; i++)
    g_string_append (fewer, "i1e");
  g_string_append (fewer, "ee");
  reply = parse_text (fewer->str, fewer->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->interval, ==, 900);

  /* The same for scrapes: a tracker answering with every torrent it has. */
  for (i = 0; i < TSR_ANNOUNCE_MAX_VALUES / 5; i++)   /* six values each */
    g_string_append_printf (scrape, "20:%020ud8:completei1e10:incompletei2ee", i + 1);
  g_string_append (scrape, "ee");
  bytes = g_bytes_new (scrape->str, scrape->len);
  g_assert_false (tsr_scrape_reply_parse (bytes, (const guint8 *) "00000000000000000001", &complete, &incomplete,
                                          &downloaded, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TOO_LARGE);
}

static void
test_reply_failure (void)
{
  static const char text[] = "d14:failure reason19:torrent not \x01known!e";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAnnounceReply) reply = parse_text (text, sizeof text - 1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply->failure_reason, "torrent not"));
  g_assert_null (strchr (reply->failure_reason, '\x01'));
}

static void
test_reply_garbage (void)
{
  static const struct { const char *text; TsrAnnounceError code; } cases[] = {
    { "<html>502 Bad Gateway</html>", TSR_ANNOUNCE_ERROR_MALFORMED },
    { "", TSR_ANNOUNCE_ERROR_MALFORMED },
    { "le", TSR_ANNOUNCE_ERROR_MALFORMED },
    { "de", TSR_ANNOUNCE_ERROR_MALFORMED },
    { "d8:intervali5e5:peers5:abcdee", TSR_ANNOUNCE_ERROR_BAD_PEERS },
    { "d8:intervali5e6:peers67:abcdefge", TSR_ANNOUNCE_ERROR_BAD_PEERS },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrAnnounceReply) reply = parse_text (cases[i].text, strlen (cases[i].text), &error);

      g_test_message ("case %u", i);
      g_assert_null (reply);
      g_assert_error (error, TSR_ANNOUNCE_ERROR, (int) cases[i].code);
    }
}

static void
test_scrape (void)
{
  static const guint8 hash[20] = { 0xaa, 0xbb };
  g_autofree char *url = tsr_scrape_build_url ("http://t.example/x/announce.php?k=1", hash);
  g_autofree char *none = tsr_scrape_build_url ("http://t.example/a", hash);
  g_autoptr(GString) reply = g_string_new ("d5:filesd20:");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 complete = 0, incomplete = 0, downloaded = 0;

  g_assert_cmpstr (url, ==, "http://t.example/x/scrape.php?k=1&info_hash=%AA%BB%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00");
  g_assert_null (none);
  g_string_append_len (reply, (const char *) hash, 20);
  g_string_append (reply, "d8:completei4e10:downloadedi9e10:incompletei2eeee");
  bytes = g_bytes_new (reply->str, reply->len);
  g_assert_true (tsr_scrape_reply_parse (bytes, hash, &complete, &incomplete, &downloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpint (complete, ==, 4);
  g_assert_cmpint (incomplete, ==, 2);
  g_assert_cmpint (downloaded, ==, 9);
}

static void
test_udp_packets (void)
{
  TsrAnnounceRequest request = sample_request ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint64 connection_id = 0;
  static const guint8 connect_reply[16] = { 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8 };
  static const guint8 announce_reply[] = { 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78, 0, 0, 7, 8, 0, 0, 0, 3,
                                           0, 0, 0, 9, 127, 0, 0, 1, 0x1a, 0xe1 };
  static const guint8 error_reply[] = { 0, 0, 0, 3, 0x12, 0x34, 0x56, 0x78, 'n', 'o', '\n', 'p', 'e' };
  g_autoptr(TsrAnnounceReply) reply = NULL;
  TsrAnnounceReply *none;

  tsr_udp_write_connect (out, 0x12345678);
  g_assert_cmpuint (out->len, ==, 16);
  g_assert_cmpmem (out->data, 16, "\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x00\x12\x34\x56\x78", 16);
  g_byte_array_set_size (out, 0);
  tsr_udp_write_announce (out, G_GUINT64_CONSTANT (0x0102030405060708), 7, &request);
  g_assert_cmpuint (out->len, ==, 98);
  g_assert_cmpmem (out->data + 80, 4, "\x00\x00\x00\x02", 4);   /* event started = 2 */
  g_assert_cmpmem (out->data + 92, 4, "\x00\x00\x00\xc8", 4);   /* numwant 200 */
  g_assert_cmpmem (out->data + 96, 2, "\x1a\xe1", 2);           /* port 6881 */
  g_byte_array_set_size (out, 0);
  tsr_udp_write_scrape (out, 1, 2, request.info_hash, 1);
  g_assert_cmpuint (out->len, ==, 36);

  g_assert_true (tsr_udp_parse_connect (connect_reply, 16, 0x12345678, &connection_id, &error));
  g_assert_cmpuint (connection_id, ==, G_GUINT64_CONSTANT (0x0102030405060708));
  g_assert_false (tsr_udp_parse_connect (connect_reply, 16, 0x1, &connection_id, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION);
  g_clear_error (&error);
  g_assert_false (tsr_udp_parse_connect (connect_reply, 15, 0x12345678, &connection_id, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (tsr_udp_parse_connect (announce_reply, sizeof announce_reply, 0x12345678, &connection_id, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_ACTION);
  g_clear_error (&error);

  reply = tsr_udp_parse_announce (announce_reply, sizeof announce_reply, 0x12345678, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply->interval, ==, 0x708);
  g_assert_cmpint (reply->incomplete, ==, 3);
  g_assert_cmpint (reply->complete, ==, 9);
  g_assert_cmpuint (reply->peers->len, ==, 1);
  none = tsr_udp_parse_announce (announce_reply, sizeof announce_reply - 1, 0x12345678, 4, &error);
  g_assert_null (none);
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_BAD_PEERS);
  g_clear_error (&error);

  none = tsr_udp_parse_announce (error_reply, sizeof error_reply, 0x12345678, 4, &error);
  g_assert_null (none);
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER);
  g_assert_null (strchr (error->message, '\n'));

  g_assert_cmpuint (tsr_udp_timeout_seconds (0), ==, 15);
  g_assert_cmpuint (tsr_udp_timeout_seconds (3), ==, 120);
  g_assert_cmpuint (tsr_udp_timeout_seconds (8), ==, 3840);
  g_assert_cmpuint (tsr_udp_timeout_seconds (20), ==, 3840);
}

static void
test_udp_scrape_reply (void)
{
  /* action 2, transaction 9, then seeders 5, completed 40, leechers 3 */
  static const guint8 reply[] = { 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 40, 0, 0, 0, 3 };
  static const guint8 error_reply[] = { 0, 0, 0, 3, 0, 0, 0, 9, 'n', 'o', 'p', 'e' };
  g_autoptr(GError) error = NULL;
  gint64 complete = -1, downloaded = -1, incomplete = -1;

  g_assert_true (tsr_udp_parse_scrape (reply, sizeof reply, 9, &complete, &downloaded, &incomplete, &error));
  g_assert_no_error (error);
  g_assert_cmpint (complete, ==, 5);
  g_assert_cmpint (downloaded, ==, 40);
  g_assert_cmpint (incomplete, ==, 3);
  g_assert_false (tsr_udp_parse_scrape (reply, sizeof reply, 10, &complete, &downloaded, &incomplete, &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION);
  g_clear_error (&error);
  g_assert_false (tsr_udp_parse_scrape (reply, 16, 9, &complete, &downloaded, &incomplete, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (tsr_udp_parse_scrape (error_reply, sizeof error_reply, 9, &complete, &downloaded, &incomplete,
                                        &error));
  g_assert_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER);
  g_assert_nonnull (strstr (error->message, "nope"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/announce/build-url", test_build_url);
  g_test_add_func ("/announce/reply/compact", test_reply_compact);
  g_test_add_func ("/announce/reply/dictionaries", test_reply_dictionaries);
  g_test_add_func ("/announce/reply/peer-cap", test_reply_peer_cap);
  g_test_add_func ("/announce/reply/too-many-values", test_reply_too_many_values);
  g_test_add_func ("/announce/reply/failure", test_reply_failure);
  g_test_add_func ("/announce/reply/garbage", test_reply_garbage);
  g_test_add_func ("/announce/scrape", test_scrape);
  g_test_add_func ("/announce/udp", test_udp_packets);
  g_test_add_func ("/announce/udp-scrape-reply", test_udp_scrape_reply);

  return g_test_run ();
}
