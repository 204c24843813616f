/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-utp-packet.c: libFuzzer target for the BEP 29 packet parser.
 * Whatever parses must look like uTP to the socket's classifier, point
 * only inside the datagram, and come back the same through the writer:
 * parsed again, the same fields, selective ACK and payload; written
 * again, the same bytes.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-utp-packet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
within (const guint8 *part,
        gsize         part_length,
        const guint8 *data,
        gsize         size)
{
  return part_length == 0 || (part >= data && part_length <= size && part - data <= (gssize) (size - part_length));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree guint8 *buffer = NULL;
  g_autofree guint8 *again_buffer = NULL;
  TsrUtpPacket packet;
  TsrUtpPacket again;
  gsize length;
  gsize again_length;

  if (!tsr_utp_packet_parse (&packet, data, size, NULL))
    return 0;
  if (!tsr_utp_packet_looks_like (data, size) || packet.type > TSR_UTP_SYN ||
      packet.sack_length > 255 || (packet.sack != NULL) != (packet.sack_length > 0) ||
      (packet.payload != NULL) != (packet.payload_length > 0) ||
      !within (packet.sack, packet.sack_length, data, size) ||
      !within (packet.payload, packet.payload_length, data, size) ||
      tsr_utp_packet_header_size (&packet) + packet.payload_length > size)
    abort ();

  /* Unknown extensions are dropped, so the copy may be shorter. */
  length = tsr_utp_packet_header_size (&packet) + packet.payload_length;
  buffer = g_malloc (length);
  if (tsr_utp_packet_write (&packet, buffer, length) != length ||
      tsr_utp_packet_write (&packet, buffer, length - 1) != 0)
    abort ();
  if (!tsr_utp_packet_parse (&again, buffer, length, NULL) ||
      again.type != packet.type || again.connection_id != packet.connection_id ||
      again.timestamp_us != packet.timestamp_us ||
      again.timestamp_difference_us != packet.timestamp_difference_us ||
      again.wnd_size != packet.wnd_size || again.seq_nr != packet.seq_nr || again.ack_nr != packet.ack_nr ||
      again.sack_length != packet.sack_length ||
      (packet.sack_length > 0 && memcmp (again.sack, packet.sack, packet.sack_length) != 0) ||
      again.payload_length != packet.payload_length ||
      (packet.payload_length > 0 && memcmp (again.payload, packet.payload, packet.payload_length) != 0))
    abort ();

  again_buffer = g_malloc (length);
  again_length = tsr_utp_packet_write (&again, again_buffer, length);
  if (again_length != length || memcmp (again_buffer, buffer, length) != 0)
    abort ();
  return 0;
}
