/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-lsd.c: BEP 14 Local Service Discovery. The codec: exact output,
 * round trips with one and many hashes, what real clients send (any
 * header case, LF line ends), and every rejection with its error. The
 * filter: our own cookie and hashes we do not hold are never reported.
 * Live: two TsrLsd on a test group on the loopback interface find each
 * other for a shared hash only; messages are batched, paced and repeated;
 * and, IPv6 multicast having no route on this loopback, the same over
 * IPv6 between the ends of a veth pair in a network namespace the test
 * makes for itself. The real BEP 14 groups are never used.
 */
#define _GNU_SOURCE   /* unshare() */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "tsr-lsd.h"
#include "tsr-lsd-private.h"
#include "tsr-test-util.h"
#include "tsr-util.h"

/* Any wait longer than this is a hang, not a slow machine. */
#define WAIT_SECONDS 10

#define WAIT_UNTIL(condition, what) TSR_TEST_WAIT_UNTIL (condition, WAIT_SECONDS, what)

static void
make_hash (guint8 hash[20],
           guint  seed)
{
  guint i;

  for (i = 0; i < 20; i++)
    hash[i] = (guint8) (seed * 31 + i * 7 + 1);
}

/* ------------------------------------------------------------------ */
/* Codec                                                               */

static TsrLsdMessage *
parse_text (const char  *text,
            GError     **error)
{
  return tsr_lsd_message_parse ((const guint8 *) text, strlen (text), error);
}

static void
test_codec_round_trip (void)
{
  guint8 hash[20];
  g_autofree char *text = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  make_hash (hash, 1);
  hex = tsr_hex_encode (hash, 20);
  text = tsr_lsd_message_build ("239.192.152.143:6771", 51413, hash, 1, "0123abcd");
  expected = g_strdup_printf ("BT-SEARCH * HTTP/1.1\r\n"
                              "Host: 239.192.152.143:6771\r\n"
                              "Port: 51413\r\n"
                              "Infohash: %s\r\n"
                              "cookie: 0123abcd\r\n"
                              "\r\n\r\n", hex);
  g_assert_cmpstr (text, ==, expected);

  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 51413);
  g_assert_cmpuint (message->n_hashes, ==, 1);
  g_assert_cmpmem (message->hashes[0], 20, hash, 20);
  g_assert_cmpstr (message->cookie, ==, "0123abcd");
}

static void
test_codec_several_hashes (void)
{
  guint8 hashes[TSR_LSD_MAX_HASHES * 20];
  g_autofree char *text = NULL;
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  for (i = 0; i < TSR_LSD_MAX_HASHES; i++)
    make_hash (hashes + 20 * i, i);
  /* The longest message we ever build: every hash, an IPv6 host, a
   * five-digit port and the longest cookie. */
  text = tsr_lsd_message_build ("[ff15::efc0:988f]:6771", 65535, hashes, TSR_LSD_MAX_HASHES,
                                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_assert_cmpuint (strlen (text), <=, TSR_LSD_MAX_MESSAGE);
  g_assert_true (g_str_has_prefix (text, "BT-SEARCH * HTTP/1.1\r\nHost: [ff15::efc0:988f]:6771\r\n"));

  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 65535);
  g_assert_cmpuint (message->n_hashes, ==, TSR_LSD_MAX_HASHES);
  for (i = 0; i < TSR_LSD_MAX_HASHES; i++)
    g_assert_cmpmem (message->hashes[i], 20, hashes + 20 * i, 20);

  g_clear_pointer (&text, g_free);
  g_clear_pointer (&message, tsr_lsd_message_free);
  text = tsr_lsd_message_build ("239.192.152.143:6771", 1, hashes, 3, NULL);
  g_assert_null (strstr (text, "cookie"));
  message = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->n_hashes, ==, 3);
  g_assert_null (message->cookie);
}

/* What other clients send: any header case, LF line ends, upper-case hex,
 * spaces around values, headers we do not know, a repeated hash, no
 * closing empty line, bytes after it. */
static void
test_codec_tolerant (void)
{
  static const char lf[] = "BT-SEARCH * HTTP/1.1\n"
                           "HOST: 239.192.152.143:6771\n"
                           "port:6881\n"
                           "INFOHASH:  0102030405060708090A0B0C0D0E0F1011121314 \n"
                           "X-Other: whatever: really\n"
                           "infohash: 0102030405060708090a0b0c0d0e0f1011121314\n"
                           "Cookie: lt-7f\n"
                           "\n"
                           "Infohash: not even hex\n";
  static const char unterminated[] = "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: ffffffffffffffffffffffffffffffffffffffff";
  static const guint8 expected[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(TsrLsdMessage) short_one = NULL;
  g_autoptr(GError) error = NULL;

  message = parse_text (lf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->port, ==, 6881);
  g_assert_cmpuint (message->n_hashes, ==, 1);
  g_assert_cmpmem (message->hashes[0], 20, expected, 20);
  g_assert_cmpstr (message->cookie, ==, "lt-7f");

  short_one = parse_text (unterminated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (short_one->port, ==, 1);
  g_assert_cmpuint (short_one->hashes[0][19], ==, 0xff);
}

#define HASH_A "0102030405060708090a0b0c0d0e0f1011121314"
#define HEAD   "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\n"

static void
test_codec_rejects (void)
{
  static const struct { const char *text; TsrLsdError code; } cases[] = {
    { "", TSR_LSD_ERROR_NOT_SEARCH },
    { "GET / HTTP/1.1\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { "BT-SEARCH * HTTP/1.0\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { "NOTIFY * HTTP/1.1\r\nPort: 1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NOT_SEARCH },
    { HEAD "Infohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_NO_PORT },
    { HEAD "Port: 0\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 65536\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: -1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 68a1\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 000006881\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port:\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_BAD_PORT },
    { HEAD "Port: 6881\r\nPort: 6882\r\nInfohash: " HASH_A "\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\n\r\n", TSR_LSD_ERROR_NO_INFOHASH },
    { HEAD "Port: 6881\r\n\r\nInfohash: " HASH_A "\r\n", TSR_LSD_ERROR_NO_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131415\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 0102030405060708090a0b0c0d0e0f101112131g\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: 01020304050607 8090a0b0c0d0e0f1011121314\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash:\r\n\r\n", TSR_LSD_ERROR_BAD_INFOHASH },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nwhat is this\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\n: no name\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX: \x01\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX: caf\xc3\xa9\r\n\r\n", TSR_LSD_ERROR_MALFORMED },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie:\r\n\r\n", TSR_LSD_ERROR_BAD_COOKIE },
    { HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie: a b\r\n\r\n", TSR_LSD_ERROR_BAD_COOKIE },
  };
  static const char nul[] = HEAD "Port: 6881\0\r\nInfohash: " HASH_A "\r\n\r\n";
  guint8 hashes[(TSR_LSD_MAX_HASHES + 1) * 20];
  g_autoptr(GString) many = g_string_new (HEAD "Port: 6881\r\n");
  g_autoptr(GString) large = g_string_new (HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\nX-Padding: ");
  g_autoptr(GString) long_cookie = g_string_new (HEAD "Port: 6881\r\nInfohash: " HASH_A "\r\ncookie: ");
  g_autoptr(GError) error = NULL;
  TsrLsdMessage *message;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      message = parse_text (cases[i].text, &error);
      g_assert_null (message);
      g_assert_error (error, TSR_LSD_ERROR, (int) cases[i].code);
      g_assert_true (error->message[0] != '\0');
      g_clear_error (&error);
    }

  /* A NUL byte inside. */
  message = tsr_lsd_message_parse ((const guint8 *) nul, sizeof nul - 1, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* One hash too many. */
  for (i = 0; i <= TSR_LSD_MAX_HASHES; i++)
    {
      g_autofree char *hex = NULL;

      make_hash (hashes + 20 * i, i);
      hex = tsr_hex_encode (hashes + 20 * i, 20);
      g_string_append_printf (many, "Infohash: %s\r\n", hex);
    }
  g_string_append (many, "\r\n\r\n");
  g_assert_cmpuint (many->len, <=, TSR_LSD_MAX_MESSAGE);
  message = parse_text (many->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_MANY_HASHES);
  g_clear_error (&error);

  /* A valid message one byte over the limit; at the limit it passes. */
  while (large->len < TSR_LSD_MAX_MESSAGE - 4)
    g_string_append_c (large, 'x');
  g_string_append (large, "\r\n\r\n");
  g_assert_cmpuint (large->len, ==, TSR_LSD_MAX_MESSAGE);
  message = parse_text (large->str, &error);
  g_assert_no_error (error);
  g_clear_pointer (&message, tsr_lsd_message_free);
  g_string_insert_c (large, large->len - 4, 'x');
  message = parse_text (large->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A cookie past TSR_LSD_MAX_COOKIE. */
  for (i = 0; i <= TSR_LSD_MAX_COOKIE; i++)
    g_string_append_c (long_cookie, 'c');
  g_string_append (long_cookie, "\r\n\r\n");
  message = parse_text (long_cookie->str, &error);
  g_assert_null (message);
  g_assert_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_BAD_COOKIE);
}

/* ------------------------------------------------------------------ */
/* Who hears what                                                      */

/* "hex address" lines, each once, in the order heard. */
static void
on_peer (TsrLsd     *lsd,
         const char *info_hash,
         const char *address,
         GPtrArray  *heard)
{
  g_autofree char *line = g_strdup_printf ("%s %s", info_hash, address);

  g_assert_cmpuint (strlen (info_hash), ==, 40);
  if (!g_ptr_array_find_with_equal_func (heard, line, g_str_equal, NULL))
    g_ptr_array_add (heard, g_steal_pointer (&line));
}

static gboolean
heard_has (GPtrArray    *heard,
           const guint8 *hash,
           const char   *address)
{
  g_autofree char *hex = tsr_hex_encode (hash, 20);
  g_autofree char *line = g_strdup_printf ("%s %s", hex, address);

  return g_ptr_array_find_with_equal_func (heard, line, g_str_equal, NULL);
}

static void
receive_text (TsrLsd         *lsd,
              const char     *text,
              GSocketAddress *source)
{
  _tsr_lsd_receive (lsd, (const guint8 *) text, strlen (text), source);
}

/* A host that sends more than 60 messages in a minute is not heard past
 * them; another host still is. */
static void
test_receive_flood (void)
{
  g_autoptr(TsrLsd) lsd = tsr_lsd_new_full (6881, NULL, NULL, TSR_LSD_PORT, NULL);
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInetAddress) flooder = g_inet_address_new_from_string ("192.0.2.9");
  g_autoptr(GInetAddress) other = g_inet_address_new_from_string ("192.0.2.10");
  g_autoptr(GSocketAddress) from_flooder = g_inet_socket_address_new (flooder, 6771);
  g_autoptr(GSocketAddress) from_other = g_inet_socket_address_new (other, 6771);
  guint8 held[20];
  guint i;

  g_signal_connect (lsd, "peer", G_CALLBACK (on_peer), heard);
  make_hash (held, 1);
  tsr_lsd_add_torrent (lsd, held);
  /* 100 messages, each naming another port: 60 are taken. */
  for (i = 0; i < 100; i++)
    {
      g_autofree char *text = tsr_lsd_message_build ("239.192.152.143:6771", (guint16) (7000 + i), held, 1, "f");

      receive_text (lsd, text, from_flooder);
    }
  g_assert_cmpuint (heard->len, ==, 60);
  {
    g_autofree char *text = tsr_lsd_message_build ("239.192.152.143:6771", 9000, held, 1, "o");

    receive_text (lsd, text, from_other);
  }
  g_assert_cmpuint (heard->len, ==, 61);
  g_assert_true (heard_has (heard, held, "192.0.2.10:9000"));
}

/* Without sockets (both groups off): only the filter is at work. */
static void
test_receive_filters (void)
{
  g_autoptr(TsrLsd) lsd = tsr_lsd_new_full (6881, NULL, NULL, TSR_LSD_PORT, NULL);
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInetAddress) host4 = g_inet_address_new_from_string ("192.0.2.7");
  g_autoptr(GInetAddress) host6 = g_inet_address_new_from_string ("fe80::1");
  g_autoptr(GSocketAddress) from4 = g_inet_socket_address_new (host4, 6771);
  g_autoptr(GSocketAddress) from6 = NULL;
  guint8 held[20], other[20], both[40];
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *no_cookie = NULL;
  g_autofree char *link_local = NULL;

  g_assert_false (tsr_lsd_is_joined (lsd, G_SOCKET_FAMILY_IPV4));
  g_assert_false (tsr_lsd_is_joined (lsd, G_SOCKET_FAMILY_IPV6));
  g_assert_cmpuint (strlen (tsr_lsd_get_cookie (lsd)), ==, 16);
  g_signal_connect (lsd, "peer", G_CALLBACK (on_peer), heard);
  make_hash (held, 1);
  make_hash (other, 2);
  memcpy (both, held, 20);
  memcpy (both + 20, other, 20);
  tsr_lsd_add_torrent (lsd, held);
  tsr_lsd_add_torrent (lsd, held);   /* again: nothing changes */

  /* Our own message, looped back to us. */
  ours = tsr_lsd_message_build ("239.192.152.143:6771", 6881, both, 2, tsr_lsd_get_cookie (lsd));
  receive_text (lsd, ours, from4);
  g_assert_cmpuint (heard->len, ==, 0);

  /* Another client: only the held hash is reported. */
  theirs = tsr_lsd_message_build ("239.192.152.143:6771", 51413, both, 2, "someone-else");
  receive_text (lsd, theirs, from4);
  g_assert_cmpuint (heard->len, ==, 1);
  g_assert_true (heard_has (heard, held, "192.0.2.7:51413"));

  /* The cookie is optional. */
  no_cookie = tsr_lsd_message_build ("239.192.152.143:6771", 7000, both, 2, NULL);
  receive_text (lsd, no_cookie, from4);
  g_assert_cmpuint (heard->len, ==, 2);
  g_assert_true (heard_has (heard, held, "192.0.2.7:7000"));

  /* A link-local IPv6 sender is named with its interface. */
  from6 = g_object_new (G_TYPE_INET_SOCKET_ADDRESS, "address", host6, "port", 6771, "scope-id", 1, NULL);
  link_local = tsr_lsd_message_build ("[ff15::efc0:988f]:6771", 7001, held, 1, "x");
  receive_text (lsd, link_local, from6);
  g_assert_cmpuint (heard->len, ==, 3);
  g_assert_true (heard_has (heard, held, "[fe80::1%lo]:7001"));

  /* Garbage is dropped quietly. */
  receive_text (lsd, "BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: " HASH_A "\r\n\r\n", from4);
  receive_text (lsd, "\x01\x02", from4);
  g_assert_cmpuint (heard->len, ==, 3);

  /* A torrent removed is no longer reported. */
  tsr_lsd_remove_torrent (lsd, held);
  g_ptr_array_set_size (heard, 0);
  receive_text (lsd, theirs, from4);
  g_assert_cmpuint (heard->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Live                                                                */

/* A test group and port nobody else uses: never the BEP 14 ones. */
static char *
test_group4 (void)
{
  return g_strdup_printf ("239.255.%u.%u", g_random_int_range (1, 255), g_random_int_range (1, 255));
}

static char *
test_group6 (void)
{
  return g_strdup_printf ("ff15::7e57:%x", g_random_int_range (1, 0xffff));
}

static guint16
test_port (void)
{
  return (guint16) g_random_int_range (20000, 60000);
}

static void
check_heard (GPtrArray    *heard,
             const guint8 *shared,
             const char   *port_suffix)
{
  g_autofree char *hex = tsr_hex_encode (shared, 20);
  guint i;

  for (i = 0; i < heard->len; i++)
    {
      const char *line = g_ptr_array_index (heard, i);

      g_test_message ("heard %s", line);
      g_assert_true (g_str_has_prefix (line, hex));
      g_assert_true (g_str_has_suffix (line, port_suffix));
    }
}

/* Two instances with a shared hash and one of their own each find each
 * other for the shared one only, and never themselves. */
static void
check_two_find_each_other (const char *group4,
                           const char *group6,
                           const char *interface,
                           const char *host)
{
  guint16 port = test_port ();
  g_autoptr(TsrLsd) a = tsr_lsd_new_full (40001, group4, group6, port, interface);
  g_autoptr(TsrLsd) b = tsr_lsd_new_full (40002, group4, group6, port, interface);
  g_autoptr(GPtrArray) heard_a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) heard_b = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *a_at = g_strdup_printf ("%s:40001", host);
  g_autofree char *b_at = g_strdup_printf ("%s:40002", host);
  GSocketFamily family = group4 != NULL ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
  guint8 shared[20], only_a[20], only_b[20];

  g_test_message ("group %s, port %u, interface %s", group4 != NULL ? group4 : group6, port, interface);
  g_assert_true (tsr_lsd_is_joined (a, family));
  g_assert_true (tsr_lsd_is_joined (b, family));
  g_assert_cmpstr (tsr_lsd_get_cookie (a), !=, tsr_lsd_get_cookie (b));
  g_signal_connect (a, "peer", G_CALLBACK (on_peer), heard_a);
  g_signal_connect (b, "peer", G_CALLBACK (on_peer), heard_b);
  make_hash (shared, 10);
  make_hash (only_a, 11);
  make_hash (only_b, 12);
  tsr_lsd_add_torrent (a, shared);
  tsr_lsd_add_torrent (a, only_a);
  tsr_lsd_add_torrent (b, shared);
  tsr_lsd_add_torrent (b, only_b);

  WAIT_UNTIL (heard_has (heard_a, shared, b_at) && heard_has (heard_b, shared, a_at),
              "the two instances to hear each other for the shared hash");
  /* Both have announced everything by now; give stray datagrams time.
   * Whatever else is heard (the other family, where it works) must still
   * be the shared hash at the other's port. */
  tsr_test_run_for (300);
  check_heard (heard_a, shared, ":40002");
  check_heard (heard_b, shared, ":40001");
}

static void
test_live_ipv4_loopback (void)
{
  g_autofree char *group4 = test_group4 ();

  g_autofree char *group6 = test_group6 ();

  /* 127.0.0.1 is the source of everything sent on lo. IPv6 is asked for
   * too: here lo has no IPv6 multicast route, so its sends fail, which
   * must not stop IPv4. */
  check_two_find_each_other (group4, group6, "lo", "127.0.0.1");
}

/* A plain socket in the test group, recording what is sent to it. */
typedef struct
{
  GSocket   *socket;
  GSource   *source;
  GPtrArray *messages;    /* (element-type TsrLsdMessage) */
  GArray    *times;       /* (element-type gint64) monotonic µs of arrival */
} Listener;

static gboolean
on_listener_readable (GSocket      *socket,
                      GIOCondition  condition,
                      gpointer      user_data)
{
  Listener *listener = user_data;
  guint8 buffer[2048];
  gssize length;

  while ((length = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL)) >= 0)
    {
      g_autoptr(GError) error = NULL;
      TsrLsdMessage *message = tsr_lsd_message_parse (buffer, (gsize) length, &error);
      gint64 now = g_get_monotonic_time ();

      g_assert_no_error (error);
      g_ptr_array_add (listener->messages, message);
      g_array_append_val (listener->times, now);
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_start (Listener   *listener,
                const char *group_text,
                guint16     port)
{
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (group_text);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (group, port);
  g_autoptr(GError) error = NULL;

  listener->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (listener->socket, FALSE);
  g_socket_bind (listener->socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_join_multicast_group (listener->socket, group, FALSE, "lo", &error);
  g_assert_no_error (error);
  listener->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_lsd_message_free);
  listener->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  listener->source = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->source, (GSourceFunc) (GCallback) on_listener_readable, listener, NULL);
  g_source_attach (listener->source, NULL);
}

static void
listener_stop (Listener *listener)
{
  g_source_destroy (listener->source);
  g_source_unref (listener->source);
  g_object_unref (listener->socket);
  g_ptr_array_unref (listener->messages);
  g_array_unref (listener->times);
}

static TsrLsdMessage *
listener_get (Listener *listener,
              guint     index)
{
  return g_ptr_array_index (listener->messages, index);
}

/* 25 torrents added at once go out as 20 + 5, a second apart; a
 * torrent is announced again after the interval, a removed one no more;
 * a new listen port is announced at once. */
static void
test_live_batches_and_pace (void)
{
  g_autofree char *group4 = test_group4 ();
  guint16 port = test_port ();
  g_autoptr(TsrLsd) lsd = tsr_lsd_new_full (40003, group4, NULL, port, "lo");
  Listener listener = { 0 };
  guint8 hashes[25][20];
  gint64 gap;
  guint i, count;

  listener_start (&listener, group4, port);
  for (i = 0; i < 25; i++)
    {
      make_hash (hashes[i], 100 + i);
      tsr_lsd_add_torrent (lsd, hashes[i]);
    }
  WAIT_UNTIL (listener.messages->len >= 2, "two messages for 25 torrents");
  g_assert_cmpuint (listener_get (&listener, 0)->n_hashes, ==, TSR_LSD_MAX_HASHES);
  g_assert_cmpuint (listener_get (&listener, 1)->n_hashes, ==, 25 - TSR_LSD_MAX_HASHES);
  g_assert_cmpuint (listener_get (&listener, 0)->port, ==, 40003);
  g_assert_cmpstr (listener_get (&listener, 0)->cookie, ==, tsr_lsd_get_cookie (lsd));
  gap = g_array_index (listener.times, gint64, 1) - g_array_index (listener.times, gint64, 0);
  g_test_message ("second message %" G_GINT64_FORMAT " ms after the first", gap / 1000);
  g_assert_cmpint (gap, >=, 900 * 1000);
  /* Then quiet: the next round is 5 minutes away. */
  tsr_test_run_for (1200);
  g_assert_cmpuint (listener.messages->len, ==, 2);

  /* Faster timings: the 25 are announced again, in step. */
  for (i = 1; i < 25; i++)
    tsr_lsd_remove_torrent (lsd, hashes[i]);
  _tsr_lsd_set_timing (lsd, 400, 50);
  WAIT_UNTIL (listener.messages->len >= 5, "announces repeated at the interval");
  for (i = 2; i < listener.messages->len; i++)
    {
      g_assert_cmpuint (listener_get (&listener, i)->n_hashes, ==, 1);
      g_assert_cmpmem (listener_get (&listener, i)->hashes[0], 20, hashes[0], 20);
    }

  /* A new port is announced at once, not at the next interval. */
  _tsr_lsd_set_timing (lsd, 60 * 1000, 50);
  tsr_test_run_for (500);
  count = listener.messages->len;
  tsr_lsd_set_listen_port (lsd, 40004);
  WAIT_UNTIL (listener.messages->len > count, "an announce of the new port");
  g_assert_cmpuint (listener_get (&listener, count)->port, ==, 40004);

  /* Removed: silence. */
  tsr_lsd_remove_torrent (lsd, hashes[0]);
  _tsr_lsd_set_timing (lsd, 100, 10);
  count = listener.messages->len;
  tsr_test_run_for (500);
  g_assert_cmpuint (listener.messages->len, ==, count);

  listener_stop (&listener);
}

/* ------------------------------------------------------------------ */
/* IPv6, in a network namespace                                        */

#define VETH_A   "tsrlsd0"
#define VETH_B   "tsrlsd1"
#define ADDRESS6 "fd77:15d::1"

static gboolean
write_file (const char  *path,
            const char  *text,
            GError     **error)
{
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, error);
}

/* Our own network namespace: as root, or as the root of a new user
 * namespace where unprivileged ones are allowed. */
static gboolean
enter_network_namespace (GError **error)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  g_autofree char *uid_map = NULL;
  g_autofree char *gid_map = NULL;
  int saved;

  if (unshare (CLONE_NEWNET) == 0)
    return TRUE;
  saved = errno;
  if (unshare (CLONE_NEWUSER | CLONE_NEWNET) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "unshare(CLONE_NEWNET): %s; unshare(CLONE_NEWUSER | CLONE_NEWNET): %s",
                   g_strerror (saved), g_strerror (errno));
      return FALSE;
    }
  uid_map = g_strdup_printf ("0 %u 1\n", (guint) uid);
  gid_map = g_strdup_printf ("0 %u 1\n", (guint) gid);
  return write_file ("/proc/self/setgroups", "deny", error) &&
         write_file ("/proc/self/uid_map", uid_map, error) &&
         write_file ("/proc/self/gid_map", gid_map, error);
}

static gboolean
run_ip (const char  *arguments,
        GError     **error)
{
  g_autofree char *ip = g_find_program_in_path ("ip");
  g_autofree char *command = NULL;
  g_autofree char *errors = NULL;
  int status = 0;

  if (ip == NULL && g_file_test ("/usr/sbin/ip", G_FILE_TEST_IS_EXECUTABLE))
    ip = g_strdup ("/usr/sbin/ip");
  if (ip == NULL && g_file_test ("/sbin/ip", G_FILE_TEST_IS_EXECUTABLE))
    ip = g_strdup ("/sbin/ip");
  if (ip == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no ip command (iproute2)");
      return FALSE;
    }
  command = g_strdup_printf ("%s %s", ip, arguments);
  if (!g_spawn_command_line_sync (command, NULL, &errors, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", command, g_strstrip (errors));
      return FALSE;
    }
  return TRUE;
}

/* A veth pair, both ends up: unlike lo here, a veth end has a route for
 * IPv6 multicast. The address is made without duplicate detection so
 * that it is usable at once. */
static gboolean
make_veth (GError **error)
{
  return run_ip ("link set lo up", error) &&
         run_ip ("link add " VETH_A " type veth peer name " VETH_B, error) &&
         run_ip ("-6 addr add " ADDRESS6 "/64 dev " VETH_A " nodad", error) &&
         run_ip ("link set " VETH_A " up", error) &&
         run_ip ("link set " VETH_B " up", error);
}

static void
test_live_ipv6_namespace (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *group6 = test_group6 ();

      if (!enter_network_namespace (&error) || !make_veth (&error))
        {
          g_test_fail_printf ("IPv6 multicast does not work on this loopback, and the test cannot make a "
                              "network namespace with a veth pair to try it there (needs root, or "
                              "unprivileged user namespaces, and iproute2): %s", error->message);
          return;
        }
      check_two_find_each_other (NULL, group6, VETH_A, "[" ADDRESS6 "]");
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lsd/codec/round-trip", test_codec_round_trip);
  g_test_add_func ("/lsd/codec/several-hashes", test_codec_several_hashes);
  g_test_add_func ("/lsd/codec/tolerant", test_codec_tolerant);
  g_test_add_func ("/lsd/codec/rejects", test_codec_rejects);
  g_test_add_func ("/lsd/receive/filters", test_receive_filters);
  g_test_add_func ("/lsd/receive/flood", test_receive_flood);
  g_test_add_func ("/lsd/live/ipv4-loopback", test_live_ipv4_loopback);
  g_test_add_func ("/lsd/live/batches-and-pace", test_live_batches_and_pace);
  g_test_add_func ("/lsd/live/ipv6-namespace", test_live_ipv6_namespace);
  return g_test_run ();
}
