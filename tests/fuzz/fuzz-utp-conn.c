/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-utp-conn.c: libFuzzer target for the uTP connection. The input is
 * a stream of datagrams, each behind two bytes: the low 11 bits its
 * length, the top bit which of two connections gets it (one accepted
 * from a SYN, one dialling and waiting for its STATE), and 4 bits how far
 * the clock moves first (0 to 4.5 s; 15 also reads and writes). Timers
 * run when due. Whatever comes, each send is a datagram that parses and
 * fits the path, a datagram in makes a bounded number out, the buffers
 * stay within their bounds, a timer never stays due after it ran, and,
 * once the input ends and the peer falls silent, every connection
 * closes within virtual minutes.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsr-utp-conn.h"
#include "tsr-utp-send-buffer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define ACCEPTED_ID  1000   /* the SYN's id: the acceptor receives on 1001 */
#define DIALLED_ID   2000
#define N_CONNS      2

typedef struct
{
  TsrUtpConn *conn;
  guint       n_sent;
  guint       n_closed;
  gint64      now;
} Fuzzed;

static guint8 scratch[64 * 1024];

static void
on_send_datagram (const guint8 *datagram,
                  gsize         length,
                  gpointer      user_data)
{
  Fuzzed *fuzzed = user_data;
  TsrUtpPacket packet;

  if (length > TSR_UTP_CONN_DATAGRAM_MAX || !tsr_utp_packet_parse (&packet, datagram, length, NULL))
    abort ();
  fuzzed->n_sent++;
}

static void
on_readable (gpointer user_data)
{
  Fuzzed *fuzzed = user_data;

  while (tsr_utp_conn_read (fuzzed->conn, scratch, sizeof scratch, fuzzed->now) > 0)
    ;
}

static void
on_closed (const GError *error,
           gpointer      user_data)
{
  Fuzzed *fuzzed = user_data;

  if (++fuzzed->n_closed > 1)
    abort ();
}

static const TsrUtpConnFuncs funcs = {
  .send_datagram = on_send_datagram,
  .readable = on_readable,
  .closed = on_closed,
};

static void
check_bounds (Fuzzed *fuzzed)
{
  TsrUtpConn *conn = fuzzed->conn;

  if (tsr_utp_conn_get_unread (conn) > TSR_UTP_CONN_RECV_BUFFER + 65536 ||
      tsr_utp_conn_get_unacked (conn) > TSR_UTP_CONN_SEND_BUFFER ||
      tsr_utp_conn_get_in_flight (conn) > tsr_utp_conn_get_unacked (conn))
    abort ();
}

/* Runs what is due: afterwards nothing may be due any more. */
static void
run_timers (Fuzzed *fuzzed)
{
  if (tsr_utp_conn_get_deadline (fuzzed->conn) > fuzzed->now)
    return;
  tsr_utp_conn_on_timer (fuzzed->conn, fuzzed->now);
  if (tsr_utp_conn_get_deadline (fuzzed->conn) <= fuzzed->now || fuzzed->n_sent > TSR_UTP_SEND_SLOTS + 2)
    abort ();
  check_bounds (fuzzed);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Fuzzed fuzzed[N_CONNS] = { 0 };
  TsrUtpPacket syn = { 0 };
  gint64 now = (gint64) 1000 * G_USEC_PER_SEC;
  gsize offset = 0;
  guint i;
  guint round;

  for (i = 0; i < N_CONNS; i++)
    {
      fuzzed[i].conn = tsr_utp_conn_new (&funcs, &fuzzed[i]);
      fuzzed[i].now = now;
    }
  syn.type = TSR_UTP_SYN;
  syn.connection_id = ACCEPTED_ID;
  syn.seq_nr = 500;
  syn.wnd_size = 1 << 20;
  tsr_utp_conn_accept (fuzzed[0].conn, &syn, 7000, now);
  tsr_utp_conn_connect (fuzzed[1].conn, DIALLED_ID, 9000, now);
  for (i = 0; i < N_CONNS; i++)
    tsr_utp_conn_write (fuzzed[i].conn, scratch, 20000, now);

  while (size - offset >= 2)
    {
      guint length = data[offset] | (data[offset + 1] & 0x07) << 8;
      guint step = (data[offset + 1] >> 3) & 0x0f;
      Fuzzed *to = &fuzzed[data[offset + 1] >> 7];

      offset += 2;
      length = MIN (length, size - offset);
      now += (gint64) step * step * 20000;
      for (i = 0; i < N_CONNS; i++)
        {
          fuzzed[i].now = now;
          fuzzed[i].n_sent = 0;
          run_timers (&fuzzed[i]);
        }
      to->n_sent = 0;
      tsr_utp_conn_receive_datagram (to->conn, data + offset, length, now);
      offset += length;
      if (step == 15)
        {
          on_readable (to);
          tsr_utp_conn_write (to->conn, scratch, 5000, now);
        }
      /* One datagram in, at most a window's worth out. */
      if (to->n_sent > TSR_UTP_SEND_SLOTS + 2)
        abort ();
      check_bounds (to);
    }

  /* The peer is silent from here: every connection ends, and soon. */
  for (round = 0; round < 1000; round++)
    {
      gint64 next = G_MAXINT64;

      for (i = 0; i < N_CONNS; i++)
        next = MIN (next, tsr_utp_conn_get_deadline (fuzzed[i].conn));
      if (next == TSR_UTP_CONN_NO_DEADLINE)
        break;
      now = MAX (now, next);
      for (i = 0; i < N_CONNS; i++)
        {
          fuzzed[i].now = now;
          fuzzed[i].n_sent = 0;
          run_timers (&fuzzed[i]);
        }
    }
  for (i = 0; i < N_CONNS; i++)
    {
      if (!tsr_utp_conn_is_closed (fuzzed[i].conn) || now - (gint64) 1000 * G_USEC_PER_SEC > (gint64) 3600 * G_USEC_PER_SEC)
        abort ();
      tsr_utp_conn_free (fuzzed[i].conn);
    }
  return 0;
}
