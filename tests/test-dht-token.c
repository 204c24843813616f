/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-token.c: DHT write tokens (BEP 5): accepted now and after one
 * rotation, refused after two, for another address or altered; the
 * rotation keeps its five-minute pace.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-dht-token.h"

static TsrPeerAddress
address (const char *text)
{
  TsrPeerAddress ip = { 0 };

  g_assert_true (tsr_peer_address_parse (text, &ip));
  return ip;
}

static void
test_lifetime (void)
{
  const gint64 start = 1000;
  g_autoptr(TsrDhtTokens) tokens = tsr_dht_tokens_new (start);
  TsrPeerAddress ip = address ("203.0.113.7:6881");
  guint8 token[TSR_DHT_TOKEN_LENGTH];
  guint8 again[TSR_DHT_TOKEN_LENGTH];

  tsr_dht_tokens_make (tokens, &ip, token);
  g_assert_true (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
  /* Not yet five minutes: the same secret, the same token. */
  g_assert_false (tsr_dht_tokens_rotate (tokens, start + TSR_DHT_TOKEN_ROTATION - 1));
  tsr_dht_tokens_make (tokens, &ip, again);
  g_assert_cmpmem (token, sizeof token, again, sizeof again);
  /* One rotation: a new token, the old one still accepted. */
  g_assert_true (tsr_dht_tokens_rotate (tokens, start + TSR_DHT_TOKEN_ROTATION));
  tsr_dht_tokens_make (tokens, &ip, again);
  g_assert_true (memcmp (token, again, sizeof token) != 0);
  g_assert_true (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
  g_assert_true (tsr_dht_tokens_check (tokens, &ip, again, sizeof again));
  /* The next period starts from the rotation, not from the clock's start. */
  g_assert_false (tsr_dht_tokens_rotate (tokens, start + 2 * TSR_DHT_TOKEN_ROTATION - 1));
  g_assert_true (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
  /* Two rotations: the first token is refused, the second still good. */
  g_assert_true (tsr_dht_tokens_rotate (tokens, start + 2 * TSR_DHT_TOKEN_ROTATION));
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
  g_assert_true (tsr_dht_tokens_check (tokens, &ip, again, sizeof again));
  g_assert_true (tsr_dht_tokens_rotate (tokens, start + 3 * TSR_DHT_TOKEN_ROTATION));
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, again, sizeof again));
}

static void
test_long_silence (void)
{
  g_autoptr(TsrDhtTokens) tokens = tsr_dht_tokens_new (0);
  TsrPeerAddress ip = address ("198.51.100.1:1");
  guint8 token[TSR_DHT_TOKEN_LENGTH];

  /* Ten minutes without a rotation: one call retires both secrets. */
  tsr_dht_tokens_make (tokens, &ip, token);
  g_assert_true (tsr_dht_tokens_rotate (tokens, 2 * TSR_DHT_TOKEN_ROTATION));
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
}

static void
test_other_requester (void)
{
  g_autoptr(TsrDhtTokens) tokens = tsr_dht_tokens_new (0);
  g_autoptr(TsrDhtTokens) other_node = tsr_dht_tokens_new (0);
  TsrPeerAddress ip = address ("203.0.113.7:6881");
  TsrPeerAddress same_host = address ("203.0.113.7:51413");
  TsrPeerAddress neighbour = address ("203.0.113.8:6881");
  TsrPeerAddress v6 = address ("[2001:db8::7]:6881");
  TsrPeerAddress v6_neighbour = address ("[2001:db8::8]:6881");
  guint8 token[TSR_DHT_TOKEN_LENGTH];
  guint8 token6[TSR_DHT_TOKEN_LENGTH];
  guint i;

  tsr_dht_tokens_make (tokens, &ip, token);
  /* The port is not part of it: NATs change ports. */
  g_assert_true (tsr_dht_tokens_check (tokens, &same_host, token, sizeof token));
  g_assert_false (tsr_dht_tokens_check (tokens, &neighbour, token, sizeof token));
  g_assert_false (tsr_dht_tokens_check (other_node, &ip, token, sizeof token));
  /* Altered, cut or lengthened tokens are refused. */
  for (i = 0; i < sizeof token; i++)
    {
      token[i] ^= 0x01;
      g_assert_false (tsr_dht_tokens_check (tokens, &ip, token, sizeof token));
      token[i] ^= 0x01;
    }
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, token, sizeof token - 1));
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, token, 0));

  tsr_dht_tokens_make (tokens, &v6, token6);
  g_assert_true (tsr_dht_tokens_check (tokens, &v6, token6, sizeof token6));
  g_assert_false (tsr_dht_tokens_check (tokens, &v6_neighbour, token6, sizeof token6));
  g_assert_false (tsr_dht_tokens_check (tokens, &ip, token6, sizeof token6));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dht-token/lifetime", test_lifetime);
  g_test_add_func ("/dht-token/long-silence", test_long_silence);
  g_test_add_func ("/dht-token/other-requester", test_other_requester);
  return g_test_run ();
}
