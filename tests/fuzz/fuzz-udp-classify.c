/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-udp-classify.c: libFuzzer target for the shared UDP socket's
 * demultiplexer. Any datagram gets exactly one kind, the one its first
 * bytes define ('d' for KRPC, a uTP header, a BEP 15 reply header); run
 * through a demultiplexer with a receiver for each kind and one pending
 * tracker transaction (0x2a2a2a2a from 127.0.0.1:6969), it reaches one
 * receiver at most, whole, and the right one, or is counted as dropped.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-udp-demux.h"
#include "tsr-utp-packet.h"

#define PENDING 0x2a2a2a2aU

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  TsrUdpKind    kind;
  guint         calls;
  const guint8 *data;
  gsize         length;
} Seen;

static Seen seen[TSR_UDP_N_KINDS];

static void
on_received (const guint8         *data,
             gsize                 length,
             const TsrPeerAddress *from,
             gpointer              user_data)
{
  Seen *receiver = user_data;

  receiver->calls++;
  receiver->data = data;
  receiver->length = length;
}

static const TsrUdpReceiverFuncs funcs = {
  .received = on_received,
};

static TsrUdpKind
expected_kind (const guint8 *data,
               gsize         size)
{
  if (size > 0 && data[0] == 'd')
    return TSR_UDP_KIND_KRPC;
  if (size >= TSR_UTP_HEADER_SIZE && (data[0] & 0x0f) == TSR_UTP_VERSION && (data[0] >> 4) <= TSR_UTP_SYN)
    return TSR_UDP_KIND_UTP;
  if (size >= 8 && data[0] == 0 && data[1] == 0 && data[2] == 0 && data[3] <= 3)
    return TSR_UDP_KIND_TRACKER;
  return TSR_UDP_KIND_UNKNOWN;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  TsrUdpDemux *demux = tsr_udp_demux_new ();
  TsrUdpKind kind = tsr_udp_classify (data, size);
  TsrUdpKind delivered;
  TsrUdpKind expected;
  TsrPeerAddress tracker;
  guint i;
  guint calls = 0;

  if (kind != expected_kind (data, size) || tsr_udp_classify (data, size) != kind ||
      (kind == TSR_UDP_KIND_UTP) != (tsr_utp_packet_looks_like (data, size) && kind != TSR_UDP_KIND_KRPC))
    abort ();

  memset (seen, 0, sizeof seen);
  if (!tsr_peer_address_parse ("127.0.0.1:6969", &tracker))
    abort ();
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_KRPC, &funcs, &seen[TSR_UDP_KIND_KRPC]);
  tsr_udp_demux_set_receiver (demux, TSR_UDP_KIND_UTP, &funcs, &seen[TSR_UDP_KIND_UTP]);
  if (!tsr_udp_demux_add_transaction (demux, PENDING, &tracker, &funcs, &seen[TSR_UDP_KIND_TRACKER]))
    abort ();

  delivered = tsr_udp_demux_deliver (demux, data, size, &tracker);
  expected = kind;
  if (kind == TSR_UDP_KIND_TRACKER && memcmp (data + 4, "\x2a\x2a\x2a\x2a", 4) != 0)
    expected = TSR_UDP_KIND_UNKNOWN;
  if (delivered != expected)
    abort ();
  for (i = 0; i < TSR_UDP_N_KINDS; i++)
    {
      calls += seen[i].calls;
      if (seen[i].calls > 0 && (i != delivered || seen[i].data != data || seen[i].length != size))
        abort ();
      if (tsr_udp_demux_get_count (demux, i) != (i == delivered ? 1 : 0))
        abort ();
    }
  if (calls != (delivered == TSR_UDP_KIND_UNKNOWN ? 0 : 1))
    abort ();
  tsr_udp_demux_free (demux);
  return 0;
}
