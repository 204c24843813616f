/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-recv-buffer.c: the receiving half of a uTP connection, fed by
 * hand across the 16-bit wrap: early packets count against the capacity
 * (a 64 KiB one too), packets past the slots or behind ack_nr are never
 * kept, the selective ACK marks what was kept, a filled hole delivers
 * everything in order, and a FIN forgets what was stored past it, drops
 * what comes after it and ends the stream once nothing before it is
 * missing. The unread bytes come out as they went in while the ring they
 * wait in wraps and grows under reads of every size.
 */
#include "config.h"

#include <glib.h>

#include "tsr-utp-packet.h"
#include "tsr-utp-recv-buffer.h"

static void
test_bounds (void)
{
  g_autoptr(TsrUtpRecvBuffer) recv = tsr_utp_recv_buffer_new (10000, 65530);
  static guint8 big[65536];
  guint8 mask[TSR_UTP_SACK_MAX];
  guint8 out[16];

  /* Early packets count against the capacity, a 64 KiB one too. */
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65533, big, 6000), ==, TSR_UTP_RECV_STORED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65534, big, 6000), ==, TSR_UTP_RECV_DROPPED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65535, big, sizeof big), ==, TSR_UTP_RECV_DROPPED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65533, big, 10), ==, TSR_UTP_RECV_DUPLICATE);
  g_assert_cmpuint (tsr_utp_recv_buffer_get_stored (recv), ==, 6000);
  g_assert_cmpuint (tsr_utp_recv_buffer_get_window (recv), ==, 4000);
  /* Beyond the slots, or behind ack_nr: never kept. */
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, (guint16) (65530 + TSR_UTP_RECV_SLOTS + 1), big, 1), ==,
                   TSR_UTP_RECV_DROPPED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65000, big, 1), ==, TSR_UTP_RECV_DUPLICATE);
  /* The selective ACK: ack_nr + 1 is the hole, bit 1 is 65533. */
  g_assert_cmpuint (tsr_utp_recv_buffer_write_sack (recv, mask), ==, 4);
  g_assert_cmphex (mask[0], ==, 0x02);
  /* The hole fills across the wrap: everything in order. */
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65532, (const guint8 *) "ab", 2), ==, TSR_UTP_RECV_STORED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65531, (const guint8 *) "cd", 2), ==, TSR_UTP_RECV_IN_ORDER);
  g_assert_cmpuint (tsr_utp_recv_buffer_get_ack_nr (recv), ==, 65533);
  g_assert_cmpuint (tsr_utp_recv_buffer_get_unread (recv), ==, 6004);
  g_assert_false (tsr_utp_recv_buffer_has_gap (recv));
  g_assert_cmpuint (tsr_utp_recv_buffer_read (recv, out, 4), ==, 4);
  g_assert_cmpmem (out, 4, "cdab", 4);
  /* The FIN at 2: a packet stored past it is forgotten, one after it
   * dropped, and the stream ends once 1 and 0 come. */
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 3, big, 10), ==, TSR_UTP_RECV_STORED);
  g_assert_cmpint (tsr_utp_recv_buffer_put_fin (recv, 2), ==, TSR_UTP_RECV_STORED);
  g_assert_cmpuint (tsr_utp_recv_buffer_get_n_stored (recv), ==, 0);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 4, big, 10), ==, TSR_UTP_RECV_DROPPED);
  g_assert_cmpint (tsr_utp_recv_buffer_put_fin (recv, 3), ==, TSR_UTP_RECV_DROPPED);
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 1, big, 10), ==, TSR_UTP_RECV_STORED);
  g_assert_false (tsr_utp_recv_buffer_get_eof (recv));
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65534, big, 10), ==, TSR_UTP_RECV_IN_ORDER);
  g_assert_false (tsr_utp_recv_buffer_get_eof (recv));
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 65535, big, 10), ==, TSR_UTP_RECV_IN_ORDER);
  g_assert_false (tsr_utp_recv_buffer_get_eof (recv));
  g_assert_cmpint (tsr_utp_recv_buffer_put (recv, 0, big, 10), ==, TSR_UTP_RECV_IN_ORDER);
  g_assert_true (tsr_utp_recv_buffer_get_eof (recv));
  g_assert_cmpuint (tsr_utp_recv_buffer_get_ack_nr (recv), ==, 2);
}

/* 4 MiB in packets of 1 to 1500 bytes, in order and out of order,
 * read in pieces of 1 byte to 300 KiB with the buffer often nearly full:
 * every byte comes out once, in order. */
static void
test_stream_through_ring (void)
{
  const gsize total = 4 * 1024 * 1024;
  const gsize capacity = 256 * 1024;
  g_autoptr(TsrUtpRecvBuffer) recv = tsr_utp_recv_buffer_new (capacity, 100);
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);
  g_autofree guint8 *stream = g_malloc (total);
  g_autofree guint8 *out = g_malloc (300 * 1024);
  gsize put = 0;
  gsize got = 0;
  guint16 seq_nr = 101;
  gsize i;

  for (i = 0; i < total; i++)
    stream[i] = (guint8) g_rand_int (rand);
  while (got < total)
    {
      /* Two packets swapped now and then: the second waits in a slot. */
      while (put < total && tsr_utp_recv_buffer_get_window (recv) > 3000)
        {
          /* Drawn before MIN, which would evaluate a call twice. */
          gsize draw_first = (gsize) g_rand_int_range (rand, 1, 1501);
          gsize draw_second = (gsize) g_rand_int_range (rand, 1, 1501);
          gsize first = MIN (draw_first, total - put);
          gsize second = MIN (draw_second, total - put - first);

          if (second > 0 && g_rand_boolean (rand))
            {
              g_assert_cmpint (tsr_utp_recv_buffer_put (recv, seq_nr + 1, stream + put + first, second), ==,
                               TSR_UTP_RECV_STORED);
              g_assert_cmpint (tsr_utp_recv_buffer_put (recv, seq_nr, stream + put, first), ==, TSR_UTP_RECV_IN_ORDER);
              seq_nr += 2;
              put += first + second;
            }
          else
            {
              g_assert_cmpint (tsr_utp_recv_buffer_put (recv, seq_nr++, stream + put, first), ==, TSR_UTP_RECV_IN_ORDER);
              put += first;
            }
        }
      g_assert_cmpuint (tsr_utp_recv_buffer_get_unread (recv), ==, put - got);
      {
        gsize want = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 1, 64) :
                                             (gsize) g_rand_int_range (rand, 1, 300 * 1024);
        gsize n = tsr_utp_recv_buffer_read (recv, out, want);

        g_assert_cmpuint (n, ==, MIN (want, put - got));
        g_assert_cmpmem (out, n, stream + got, n);
        got += n;
      }
    }
  g_assert_cmpuint (tsr_utp_recv_buffer_get_unread (recv), ==, 0);
  g_assert_cmpuint (tsr_utp_recv_buffer_read (recv, out, 10), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/utp-recv-buffer/bounds", test_bounds);
  g_test_add_func ("/utp-recv-buffer/stream-through-ring", test_stream_through_ring);

  return g_test_run ();
}
