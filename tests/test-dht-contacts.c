/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-dht-contacts.c: the query budget per DHT node: a burst, then a
 * steady two a second, never past libtorrent's 50 packets in 10 seconds;
 * a node that leaves queries unanswered is paused, longer each time, and
 * forgiven when it answers; every address and port has its own budget.
 */
#include "config.h"

#include <glib.h>

#include "tsr-dht-contacts.h"

#define SECOND G_USEC_PER_SEC

static TsrPeerAddress
address (const char *text)
{
  TsrPeerAddress ip = { 0 };

  g_assert_true (tsr_peer_address_parse (text, &ip));
  return ip;
}

/* Sends as fast as allowed, every 10 ms from @start for @seconds;
 * returns how many went. */
static guint
send_greedily (TsrDhtContacts       *contacts,
               const TsrPeerAddress *to,
               gint64                start,
               guint                 seconds)
{
  gint64 t;
  guint sent = 0;

  for (t = start; t < start + (gint64) seconds * SECOND; t += 10000)
    if (tsr_dht_contacts_send (contacts, to, t) == TSR_DHT_SEND_OK)
      sent++;
  return sent;
}

static void
test_budget (void)
{
  g_autoptr(TsrDhtContacts) contacts = tsr_dht_contacts_new ();
  TsrPeerAddress node = address ("127.0.0.1:6881");
  TsrPeerAddress other = address ("127.0.0.1:6882");
  const gint64 start = 1000 * SECOND;
  guint i;

  for (i = 0; i < TSR_DHT_SEND_BURST; i++)
    g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, start), ==, TSR_DHT_SEND_OK);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, start), ==, TSR_DHT_SEND_LATER);
  /* Another port is another node, with a budget of its own. */
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &other, start), ==, TSR_DHT_SEND_OK);
  /* Half a second buys one more query. */
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, start + SECOND / 2 - 1), ==, TSR_DHT_SEND_LATER);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, start + SECOND / 2), ==, TSR_DHT_SEND_OK);
  g_assert_true (tsr_dht_contacts_asked_within (contacts, &node, start + SECOND, 1));
  g_assert_false (tsr_dht_contacts_asked_within (contacts, &node, start + 2 * SECOND, 1));
  g_assert_false (tsr_dht_contacts_asked_within (contacts, &(TsrPeerAddress) { 4, { 10, 0, 0, 1 }, 1 },
                                                 start, 60));
}

static void
test_under_libtorrent_limit (void)
{
  g_autoptr(TsrDhtContacts) contacts = tsr_dht_contacts_new ();
  TsrPeerAddress node = address ("198.51.100.9:6881");
  const gint64 start = 50 * SECOND;
  guint window;

  /* libtorrent bans an address that sends it 50 packets within 10
   * seconds (dht_block_ratelimit 5); we stay under half of that in
   * every window, the first (with the burst) and any later one. */
  g_assert_cmpuint (send_greedily (contacts, &node, start, 10), ==,
                    TSR_DHT_SEND_BURST + 10 * TSR_DHT_SEND_PER_SECOND - 1);
  for (window = 1; window < 4; window++)
    g_assert_cmpuint (send_greedily (contacts, &node, start + window * 10 * SECOND, 10), <=,
                      10 * TSR_DHT_SEND_PER_SECOND + 1);
  g_assert_cmpuint (TSR_DHT_SEND_BURST + 10 * TSR_DHT_SEND_PER_SECOND, <, 50 / 2);
}

static void
test_backoff (void)
{
  g_autoptr(TsrDhtContacts) contacts = tsr_dht_contacts_new ();
  TsrPeerAddress node = address ("[2001:db8::7]:6881");
  gint64 now = 5 * SECOND;
  gint64 pause = TSR_DHT_BACKOFF_FIRST;
  guint round;

  /* Each unanswered query in a row doubles the pause, up to the cap. */
  for (round = 0; round < 10; round++)
    {
      g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now), ==, TSR_DHT_SEND_OK);
      tsr_dht_contacts_timed_out (contacts, &node, now);
      g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now + pause * SECOND - 1), ==,
                       TSR_DHT_SEND_BACKOFF);
      now += pause * SECOND;
      pause = MIN (pause * 2, TSR_DHT_BACKOFF_MAX);
    }
  g_assert_cmpint (pause, ==, TSR_DHT_BACKOFF_MAX);
  /* An answer forgives it at once. */
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now), ==, TSR_DHT_SEND_OK);
  tsr_dht_contacts_timed_out (contacts, &node, now);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now + SECOND), ==, TSR_DHT_SEND_BACKOFF);
  tsr_dht_contacts_answered (contacts, &node, now + SECOND);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now + SECOND), ==, TSR_DHT_SEND_OK);
  /* After one more silence the pause starts small again. */
  tsr_dht_contacts_timed_out (contacts, &node, now + 2 * SECOND);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &node, now + (2 + TSR_DHT_BACKOFF_FIRST) * SECOND), ==,
                   TSR_DHT_SEND_OK);
}

static void
test_expire (void)
{
  g_autoptr(TsrDhtContacts) contacts = tsr_dht_contacts_new ();
  TsrPeerAddress quiet = address ("203.0.113.1:1");
  TsrPeerAddress paused = address ("203.0.113.2:2");
  const gint64 start = 7 * SECOND;
  guint i;

  tsr_dht_contacts_send (contacts, &quiet, start);
  for (i = 0; i < 8; i++)
    tsr_dht_contacts_timed_out (contacts, &paused, start);
  g_assert_cmpuint (tsr_dht_contacts_get_size (contacts), ==, 2);
  /* Forgetting a paused node would forgive it: it is kept while its
   * pause runs (the longest here) and TSR_DHT_CONTACT_IDLE after. */
  tsr_dht_contacts_expire (contacts, start + (TSR_DHT_BACKOFF_MAX - 1) * SECOND);
  g_assert_cmpint (tsr_dht_contacts_send (contacts, &paused, start + (TSR_DHT_BACKOFF_MAX - 1) * SECOND), ==,
                   TSR_DHT_SEND_BACKOFF);
  tsr_dht_contacts_expire (contacts, start + (TSR_DHT_CONTACT_IDLE - 1) * SECOND);
  g_assert_cmpuint (tsr_dht_contacts_get_size (contacts), ==, 2);
  /* The quiet one goes after TSR_DHT_CONTACT_IDLE. */
  tsr_dht_contacts_expire (contacts, start + TSR_DHT_CONTACT_IDLE * SECOND);
  g_assert_cmpuint (tsr_dht_contacts_get_size (contacts), ==, 1);
  tsr_dht_contacts_expire (contacts, start + (TSR_DHT_BACKOFF_MAX + TSR_DHT_CONTACT_IDLE) * SECOND);
  g_assert_cmpuint (tsr_dht_contacts_get_size (contacts), ==, 0);
}

static void
test_bounded (void)
{
  g_autoptr(TsrDhtContacts) contacts = tsr_dht_contacts_new ();
  guint i;

  /* Node lists from strangers cannot make the table grow without end. */
  for (i = 0; i < TSR_DHT_MAX_CONTACTS * 2; i++)
    {
      TsrPeerAddress node = { 4, { 10, (guint8) (i >> 16), (guint8) (i >> 8), (guint8) i }, 6881 };

      tsr_dht_contacts_send (contacts, &node, SECOND);
    }
  g_assert_cmpuint (tsr_dht_contacts_get_size (contacts), <=, TSR_DHT_MAX_CONTACTS);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dht-contacts/budget", test_budget);
  g_test_add_func ("/dht-contacts/under-libtorrent-limit", test_under_libtorrent_limit);
  g_test_add_func ("/dht-contacts/backoff", test_backoff);
  g_test_add_func ("/dht-contacts/expire", test_expire);
  g_test_add_func ("/dht-contacts/bounded", test_bounded);
  return g_test_run ();
}
