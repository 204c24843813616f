/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-transport-memory.c: the dialer's memory of which transport
 * carried a dial to an address: it answers for the address remembered
 * (not for another port of the same host), the newest answer wins, an
 * entry expires after its lifetime, and the table never holds more than
 * its size, letting the oldest go first.
 */
#include "config.h"

#include <glib.h>

#include "tsr-dialer.h"
#include "tsr-transport-memory.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

static TsrPeerAddress
address_of (const char *text)
{
  TsrPeerAddress address = { 0 };

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

static void
test_remembers_and_expires (void)
{
  g_autoptr(TsrTransportMemory) memory = tsr_transport_memory_new (8, 3600 * SECOND);
  TsrPeerAddress a = address_of ("192.0.2.1:6881");
  TsrPeerAddress other_port = address_of ("192.0.2.1:6882");
  TsrPeerAddress v6 = address_of ("[2001:db8::1]:6881");

  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &a, 0), ==, 0);
  tsr_transport_memory_remember (memory, &a, TSR_TRANSPORT_TCP, 0);
  tsr_transport_memory_remember (memory, &v6, TSR_TRANSPORT_UTP, 0);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &a, 10 * SECOND), ==, TSR_TRANSPORT_TCP);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &v6, 10 * SECOND), ==, TSR_TRANSPORT_UTP);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &other_port, 10 * SECOND), ==, 0);

  /* The newest answer wins, and starts a new hour. */
  tsr_transport_memory_remember (memory, &v6, TSR_TRANSPORT_TCP, 1800 * SECOND);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &v6, 1800 * SECOND), ==, TSR_TRANSPORT_TCP);

  /* Just under the hour it holds; at the hour it is gone (and stays
   * gone: the entry was dropped). */
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &a, 3600 * SECOND - 1), ==, TSR_TRANSPORT_TCP);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &a, 3600 * SECOND), ==, 0);
  g_assert_cmpuint (tsr_transport_memory_get_size (memory), ==, 1);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &a, 0), ==, 0);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &v6, 5399 * SECOND), ==, TSR_TRANSPORT_TCP);
}

static void
test_bounded (void)
{
  g_autoptr(TsrTransportMemory) memory = tsr_transport_memory_new (100, 3600 * SECOND);
  TsrPeerAddress first = address_of ("198.51.100.1:1");
  TsrPeerAddress second = address_of ("198.51.100.1:2");
  guint i;

  /* 10,000 addresses through a table of 100: it holds 100, the newest;
   * one remembered again moves to the back of the line. */
  for (i = 1; i <= 10000; i++)
    {
      TsrPeerAddress address = address_of ("198.51.100.1:1");

      address.port = (guint16) i;
      tsr_transport_memory_remember (memory, &address, TSR_TRANSPORT_TCP, i);
      if (i == 50)
        tsr_transport_memory_remember (memory, &first, TSR_TRANSPORT_TCP, i);
      g_assert_cmpuint (tsr_transport_memory_get_size (memory), <=, 100);
    }
  g_assert_cmpuint (tsr_transport_memory_get_size (memory), ==, 100);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &second, 10000), ==, 0);
  g_assert_cmpuint (tsr_transport_memory_lookup (memory, &first, 10000), ==, 0);
  for (i = 9901; i <= 10000; i++)
    {
      TsrPeerAddress address = first;

      address.port = (guint16) i;
      g_assert_cmpuint (tsr_transport_memory_lookup (memory, &address, 10000), ==, TSR_TRANSPORT_TCP);
    }

  /* A smaller table: one remembered again is not the one to go. */
  {
    g_autoptr(TsrTransportMemory) small = tsr_transport_memory_new (2, 3600 * SECOND);
    TsrPeerAddress third = address_of ("198.51.100.1:3");

    tsr_transport_memory_remember (small, &first, TSR_TRANSPORT_TCP, 0);
    tsr_transport_memory_remember (small, &second, TSR_TRANSPORT_TCP, 1);
    tsr_transport_memory_remember (small, &first, TSR_TRANSPORT_UTP, 2);
    tsr_transport_memory_remember (small, &third, TSR_TRANSPORT_TCP, 3);
    g_assert_cmpuint (tsr_transport_memory_lookup (small, &first, 4), ==, TSR_TRANSPORT_UTP);
    g_assert_cmpuint (tsr_transport_memory_lookup (small, &second, 4), ==, 0);
    g_assert_cmpuint (tsr_transport_memory_lookup (small, &third, 4), ==, TSR_TRANSPORT_TCP);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transport-memory/remembers-and-expires", test_remembers_and_expires);
  g_test_add_func ("/transport-memory/bounded", test_bounded);

  return g_test_run ();
}
