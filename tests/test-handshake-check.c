/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-handshake-check.c: what a handshake closes: our own peer id on an
 * accepted connection closes it and the connection we dialled to our own
 * address; on a dialled one only itself. A peer id already connected
 * keeps, at both ends, the connection the greater peer id dialled (as
 * libtorrent does); one
 * connected twice the same way keeps the first.
 */
#include "config.h"

#include <glib.h>

#include "tsr-handshake-check.h"

#define OURS   "-TS0000-ourselves000"
#define LOWER  "-AA0000-lower0000000"     /* sorts before OURS */
#define HIGHER "-ZZ0000-higher000000"     /* sorts after OURS */

typedef struct
{
  TsrPeerAddress   addresses[4];
  TsrHandshakePeer peers[4];
} Table;

static void
table_init (Table *table)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table->peers); i++)
    {
      g_autofree char *text = g_strdup_printf ("127.0.0.1:%u", 7000 + i);

      g_assert_true (tsr_peer_address_parse (text, &table->addresses[i]));
      table->peers[i].remote = &table->addresses[i];
      table->peers[i].local = NULL;
      table->peers[i].peer_id = NULL;
      table->peers[i].dialed = FALSE;
    }
}

static void
test_accepted_from_ourselves (void)
{
  Table t;
  TsrHandshakeVerdict verdict;

  table_init (&t);
  /* We dialled 0 from 7003's address... */
  t.peers[0].dialed = TRUE;
  t.peers[0].local = &t.addresses[3];
  t.peers[1].dialed = TRUE;
  /* ...and accepted 3, which sends our own id. */
  tsr_handshake_check (t.peers, 4, 3, (const guint8 *) OURS, (const guint8 *) OURS, &verdict);
  g_assert_false (verdict.keep);
  g_assert_true (verdict.ourselves);
  g_assert_cmpint (verdict.close_other, ==, 0);
  /* No dialled end found: only the accepted one goes. */
  t.peers[0].local = NULL;
  tsr_handshake_check (t.peers, 4, 3, (const guint8 *) OURS, (const guint8 *) OURS, &verdict);
  g_assert_false (verdict.keep);
  g_assert_cmpint (verdict.close_other, ==, -1);
}

static void
test_dialled_ourselves (void)
{
  Table t;
  TsrHandshakeVerdict verdict;

  table_init (&t);
  t.peers[1].dialed = TRUE;
  t.peers[2].dialed = TRUE;
  t.peers[2].local = &t.addresses[1];   /* would match if it were accepted */
  tsr_handshake_check (t.peers, 4, 1, (const guint8 *) OURS, (const guint8 *) OURS, &verdict);
  g_assert_false (verdict.keep);
  g_assert_true (verdict.ourselves);
  g_assert_cmpint (verdict.close_other, ==, -1);
}

static void
test_connected_twice (void)
{
  Table t;
  TsrHandshakeVerdict verdict;

  table_init (&t);
  /* 0: accepted from LOWER, past its handshake; 2: we dialled LOWER. */
  t.peers[0].peer_id = (const guint8 *) LOWER;
  t.peers[2].dialed = TRUE;
  tsr_handshake_check (t.peers, 4, 2, (const guint8 *) OURS, (const guint8 *) LOWER, &verdict);
  /* Ours is the greater id: our dial stays, LOWER's (the accepted 0)
   * goes, at both ends. */
  g_assert_true (verdict.keep);
  g_assert_false (verdict.ourselves);
  g_assert_cmpint (verdict.close_other, ==, 0);

  /* Against HIGHER, ours is the lower id: HIGHER's dial stays. */
  t.peers[0].peer_id = (const guint8 *) HIGHER;
  tsr_handshake_check (t.peers, 4, 2, (const guint8 *) OURS, (const guint8 *) HIGHER, &verdict);
  g_assert_false (verdict.keep);
  g_assert_false (verdict.ourselves);
  g_assert_cmpint (verdict.close_other, ==, -1);

  /* Both dialled by us: the first stays. */
  t.peers[0].dialed = TRUE;
  tsr_handshake_check (t.peers, 4, 2, (const guint8 *) OURS, (const guint8 *) HIGHER, &verdict);
  g_assert_false (verdict.keep);
  g_assert_cmpint (verdict.close_other, ==, -1);

  /* Another peer id, or one not past its handshake: nothing closes. */
  t.peers[0].peer_id = NULL;
  tsr_handshake_check (t.peers, 4, 2, (const guint8 *) OURS, (const guint8 *) HIGHER, &verdict);
  g_assert_true (verdict.keep);
  g_assert_cmpint (verdict.close_other, ==, -1);
  t.peers[0].peer_id = (const guint8 *) LOWER;
  tsr_handshake_check (t.peers, 4, 2, (const guint8 *) OURS, (const guint8 *) HIGHER, &verdict);
  g_assert_true (verdict.keep);
  g_assert_cmpint (verdict.close_other, ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/handshake-check/accepted-from-ourselves", test_accepted_from_ourselves);
  g_test_add_func ("/handshake-check/dialled-ourselves", test_dialled_ourselves);
  g_test_add_func ("/handshake-check/connected-twice", test_connected_twice);
  return g_test_run ();
}
