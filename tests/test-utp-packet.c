/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-utp-packet.c: the BEP 29 packet. Packets built byte by byte from
 * the BEP's header diagram parse to the fields it names and are what the
 * writer writes; every type survives the round trip; the selective ACK's
 * bits mean the packets BEP 29's diagram says; each kind of malformed
 * datagram is refused with its own code; sequence numbers wrap; and the
 * classifier tells uTP from KRPC and UDP tracker replies.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-utp-packet.h"

/* A STATE packet with a selective ACK, laid out as BEP 29's diagram:
 * type 2 in the high nibble of byte 0, version 1 in the low one; the
 * first extension's type; then connection_id, timestamp_microseconds,
 * timestamp_difference_microseconds, wnd_size, seq_nr and ack_nr, big
 * endian; then the extension: next type, length, bitmask. */
static const guint8 state_with_sack[] = {
  0x21, 0x01, 0x12, 0x34,
  0x01, 0x02, 0x03, 0x04,
  0x00, 0x00, 0x27, 0x10,
  0x00, 0x10, 0x00, 0x00,
  0xab, 0xcd, 0xff, 0xfe,
  0x00, 0x04, 0x81, 0x01, 0x00, 0x02,
};

static void
test_hand_built (void)
{
  TsrUtpPacket packet;
  guint8 buffer[64];
  gsize length;

  g_assert_true (tsr_utp_packet_parse (&packet, state_with_sack, sizeof state_with_sack, NULL));
  g_assert_cmpint (packet.type, ==, TSR_UTP_STATE);
  g_assert_cmpuint (packet.connection_id, ==, 0x1234);
  g_assert_cmpuint (packet.timestamp_us, ==, 0x01020304);
  g_assert_cmpuint (packet.timestamp_difference_us, ==, 10000);
  g_assert_cmpuint (packet.wnd_size, ==, 1024 * 1024);
  g_assert_cmpuint (packet.seq_nr, ==, 0xabcd);
  g_assert_cmpuint (packet.ack_nr, ==, 65534);
  g_assert_cmpuint (packet.sack_length, ==, 4);
  g_assert_true (packet.sack == state_with_sack + 22);
  g_assert_cmpuint (packet.payload_length, ==, 0);
  g_assert_null (packet.payload);

  /* The writer lays it out the same, byte for byte. */
  length = tsr_utp_packet_write (&packet, buffer, sizeof buffer);
  g_assert_cmpmem (buffer, length, state_with_sack, sizeof state_with_sack);
}

static void
test_sack_bit_order (void)
{
  /* A libtorrent-style 1-byte mask: BEP 29 wants multiples of 4, but
   * libtorrent sends (span + 7) / 8 bytes, and its packets must pass. */
  static const guint8 short_sack[] = {
    0x01, 0x01, 0x00, 0x07, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00, 0x05, 0x00, 0x0a,
    0x00, 0x01, 0x04,
    'x',
  };
  TsrUtpPacket packet;
  guint8 mask[8] = { 0 };
  guint i;

  /* The mask 81 01 00 02 after ack_nr 65534: BEP 29's diagram puts
   * ack_nr + 2 in the first byte's least significant bit, ack_nr + 9 in
   * its most significant, ack_nr + 10 in the second byte's least
   * significant bit and ack_nr + 27 in bit 1 of the fourth byte. The
   * numbers wrap: ack_nr + 2 is 0. */
  g_assert_true (tsr_utp_packet_parse (&packet, state_with_sack, sizeof state_with_sack, NULL));
  g_assert_true (tsr_utp_packet_sack_has (&packet, 0));
  g_assert_true (tsr_utp_packet_sack_has (&packet, 7));
  g_assert_true (tsr_utp_packet_sack_has (&packet, 8));
  g_assert_true (tsr_utp_packet_sack_has (&packet, 25));
  for (i = 0; i < 65536; i++)
    if (i != 0 && i != 7 && i != 8 && i != 25)
      g_assert_false (tsr_utp_packet_sack_has (&packet, (guint16) i));

  g_assert_true (tsr_utp_packet_parse (&packet, short_sack, sizeof short_sack, NULL));
  g_assert_cmpuint (packet.sack_length, ==, 1);
  g_assert_false (tsr_utp_packet_sack_has (&packet, 12));
  g_assert_true (tsr_utp_packet_sack_has (&packet, 14));
  g_assert_cmpmem (packet.payload, packet.payload_length, "x", 1);

  /* Set bits land where get reads them, in the same order. */
  tsr_utp_sack_set (mask, sizeof mask, 0);
  tsr_utp_sack_set (mask, sizeof mask, 7);
  tsr_utp_sack_set (mask, sizeof mask, 25);
  tsr_utp_sack_set (mask, sizeof mask, 63);
  g_assert_cmphex (mask[0], ==, 0x81);
  g_assert_cmphex (mask[3], ==, 0x02);
  g_assert_cmphex (mask[7], ==, 0x80);
  g_assert_true (tsr_utp_sack_get (mask, sizeof mask, 25));
  g_assert_false (tsr_utp_sack_get (mask, sizeof mask, 24));
  g_assert_false (tsr_utp_sack_get (mask, sizeof mask, 64));

  /* What we send: whole 32-bit words, at least one, at most
   * TSR_UTP_SACK_MAX bytes. */
  g_assert_cmpuint (tsr_utp_sack_size (0), ==, 4);
  g_assert_cmpuint (tsr_utp_sack_size (32), ==, 4);
  g_assert_cmpuint (tsr_utp_sack_size (33), ==, 8);
  g_assert_cmpuint (tsr_utp_sack_size (100000), ==, TSR_UTP_SACK_MAX);
}

static void
test_round_trip (void)
{
  static const guint8 sack[8] = { 0x05, 0, 0, 0, 0, 0, 0, 0x80 };
  static const char text[] = "a block of data";
  TsrUtpType type;

  for (type = TSR_UTP_DATA; type <= TSR_UTP_SYN; type++)
    {
      TsrUtpPacket packet = {
        .type = type,
        .connection_id = 0xfffe - type,
        .timestamp_us = 0xdeadbeef,
        .timestamp_difference_us = 0x80000001,
        .wnd_size = 0xffffffff,
        .seq_nr = 65535,
        .ack_nr = type,
      };
      TsrUtpPacket back;
      guint8 buffer[128];
      gsize length;

      /* Data and FIN with a payload, STATE and DATA with a selective ACK. */
      if (type == TSR_UTP_DATA || type == TSR_UTP_FIN)
        {
          packet.payload = (const guint8 *) text;
          packet.payload_length = sizeof text;
        }
      if (type == TSR_UTP_STATE || type == TSR_UTP_DATA)
        {
          packet.sack = sack;
          packet.sack_length = sizeof sack;
        }
      length = tsr_utp_packet_write (&packet, buffer, sizeof buffer);
      g_assert_cmpuint (length, ==, tsr_utp_packet_header_size (&packet) + packet.payload_length);
      g_assert_cmphex (buffer[0], ==, (guint) type << 4 | 1);
      g_assert_true (tsr_utp_packet_looks_like (buffer, length));
      g_assert_true (tsr_utp_packet_parse (&back, buffer, length, NULL));
      g_assert_cmpint (back.type, ==, type);
      g_assert_cmpuint (back.connection_id, ==, packet.connection_id);
      g_assert_cmpuint (back.timestamp_us, ==, packet.timestamp_us);
      g_assert_cmpuint (back.timestamp_difference_us, ==, packet.timestamp_difference_us);
      g_assert_cmpuint (back.wnd_size, ==, packet.wnd_size);
      g_assert_cmpuint (back.seq_nr, ==, packet.seq_nr);
      g_assert_cmpuint (back.ack_nr, ==, packet.ack_nr);
      g_assert_cmpmem (back.sack, back.sack_length, packet.sack, packet.sack_length);
      g_assert_cmpmem (back.payload, back.payload_length, packet.payload, packet.payload_length);
    }
}

static void
test_unknown_extension (void)
{
  /* DATA with libtorrent's close reason (extension 3) first, then a
   * selective ACK, then the payload: the unknown one is stepped over by
   * its length. */
  static const guint8 data[] = {
    0x01, 0x03, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x01, 0x04, 0xee, 0xee, 0xee, 0xee,
    0x00, 0x04, 0x02, 0x00, 0x00, 0x00,
    'h', 'e', 'l', 'l', 'o',
  };
  TsrUtpPacket packet;
  guint8 buffer[64];
  gsize length;

  g_assert_true (tsr_utp_packet_parse (&packet, data, sizeof data, NULL));
  g_assert_cmpint (packet.type, ==, TSR_UTP_DATA);
  g_assert_cmpuint (packet.sack_length, ==, 4);
  g_assert_true (packet.sack == data + 28);
  g_assert_true (tsr_utp_packet_sack_has (&packet, 4));
  g_assert_cmpmem (packet.payload, packet.payload_length, "hello", 5);

  /* Written back, the unknown extension is gone and the rest stays. */
  length = tsr_utp_packet_write (&packet, buffer, sizeof buffer);
  g_assert_cmpuint (length, ==, sizeof data - 6);
  g_assert_cmphex (buffer[1], ==, 1);
  g_assert_cmpmem (buffer + 20, length - 20, data + 26, sizeof data - 26);
}

static void
test_rejects_malformed (void)
{
  static const struct
  {
    const char        *name;
    const guint8       bytes[32];
    gsize              length;
    TsrUtpPacketError  code;
  } bad[] = {
    { "empty", { 0 }, 0, TSR_UTP_PACKET_ERROR_TOO_SHORT },
    { "19 bytes", { 0x41 }, 19, TSR_UTP_PACKET_ERROR_TOO_SHORT },
    { "version 0", { 0x40 }, 20, TSR_UTP_PACKET_ERROR_BAD_VERSION },
    { "version 2", { 0x42 }, 20, TSR_UTP_PACKET_ERROR_BAD_VERSION },
    { "KRPC", "d1:ad2:id20:abcdefghij0123456789", 32, TSR_UTP_PACKET_ERROR_BAD_VERSION },
    { "type 5", { 0x51 }, 20, TSR_UTP_PACKET_ERROR_BAD_TYPE },
    { "type 15", { 0xf1 }, 20, TSR_UTP_PACKET_ERROR_BAD_TYPE },
    { "no extension header", { 0x21, 0x01 }, 20, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION },
    { "half an extension header", { 0x21, 0x01 }, 21, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION },
    { "selective ACK past the end",
      { 0x21, 0x01, [20] = 0x00, 0x08, 0xff, 0xff, 0xff, 0xff }, 26, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION },
    { "unknown extension past the end",
      { 0x21, 0x07, [20] = 0x00, 0x03, 0xff, 0xff }, 24, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION },
    { "second extension missing",
      { 0x21, 0x03, [20] = 0x01, 0x00 }, 22, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION },
    { "empty selective ACK", { 0x21, 0x01, [20] = 0x00, 0x00 }, 22, TSR_UTP_PACKET_ERROR_BAD_SACK },
    { "two selective ACKs",
      { 0x21, 0x01, [20] = 0x01, 0x04, 0xff, 0xff, 0xff, 0xff, 0x00, 0x04, 0x01, 0, 0, 0 }, 32,
      TSR_UTP_PACKET_ERROR_BAD_SACK },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      TsrUtpPacket packet;

      g_test_message ("%s", bad[i].name);
      g_assert_false (tsr_utp_packet_parse (&packet, bad[i].bytes, bad[i].length, &error));
      g_assert_error (error, TSR_UTP_PACKET_ERROR, (gint) bad[i].code);
      g_assert_nonnull (error->message);
      /* Without an error to fill, the answer is the same. */
      g_assert_false (tsr_utp_packet_parse (&packet, bad[i].bytes, bad[i].length, NULL));
    }
}

static void
test_write_limits (void)
{
  static const char text[] = "payload";
  TsrUtpPacket packet = { .type = TSR_UTP_DATA, .seq_nr = 7 };
  TsrUtpPacket back;
  guint8 buffer[64];
  gsize length;

  /* Too small by one byte: nothing is written. */
  packet.payload = (const guint8 *) text;
  packet.payload_length = 7;
  memset (buffer, 0xaa, sizeof buffer);
  g_assert_cmpuint (tsr_utp_packet_write (&packet, buffer, TSR_UTP_HEADER_SIZE + 6), ==, 0);
  g_assert_cmphex (buffer[0], ==, 0xaa);
  g_assert_cmphex (buffer[TSR_UTP_HEADER_SIZE], ==, 0xaa);
  g_assert_cmpuint (tsr_utp_packet_write (&packet, buffer, TSR_UTP_HEADER_SIZE + 7), ==, TSR_UTP_HEADER_SIZE + 7);

  /* The payload already in place behind the header stays as it is. */
  memset (buffer, 0, sizeof buffer);
  memcpy (buffer + TSR_UTP_HEADER_SIZE, text, 7);
  packet.payload = buffer + TSR_UTP_HEADER_SIZE;
  length = tsr_utp_packet_write (&packet, buffer, sizeof buffer);
  g_assert_cmpuint (length, ==, TSR_UTP_HEADER_SIZE + 7);
  g_assert_true (tsr_utp_packet_parse (&back, buffer, length, NULL));
  g_assert_cmpuint (back.seq_nr, ==, 7);
  g_assert_cmpmem (back.payload, back.payload_length, text, 7);
}

static void
test_sequence_wrap (void)
{
  g_assert_cmpuint (tsr_utp_seq_distance (65535, 0), ==, 1);
  g_assert_cmpuint (tsr_utp_seq_distance (0, 65535), ==, 65535);
  g_assert_cmpuint (tsr_utp_seq_distance (65000, 100), ==, 636);
  g_assert_true (tsr_utp_seq_before (65535, 0));
  g_assert_true (tsr_utp_seq_after (0, 65535));
  g_assert_false (tsr_utp_seq_before (0, 65535));
  g_assert_false (tsr_utp_seq_after (65535, 0));
  g_assert_true (tsr_utp_seq_before (65000, 100));
  g_assert_true (tsr_utp_seq_before (1, 2));
  g_assert_false (tsr_utp_seq_before (2, 1));
  /* Equal numbers are neither; neither are numbers half the space
   * apart, where the order cannot be told. */
  g_assert_false (tsr_utp_seq_before (5, 5));
  g_assert_false (tsr_utp_seq_after (5, 5));
  g_assert_true (tsr_utp_seq_before (0, 32767));
  g_assert_false (tsr_utp_seq_before (0, 32768));
  g_assert_false (tsr_utp_seq_after (0, 32768));
  g_assert_true (tsr_utp_seq_after (0, 32769));
}

static void
test_looks_like (void)
{
  /* BEP 5 ping, as a DHT node sends it. */
  static const char krpc[] = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
  /* BEP 15 connect reply: action 0, transaction id, connection id; and
   * an announce reply (action 1) long enough to be a uTP header. */
  static const guint8 connect_reply[16] = { 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8 };
  static const guint8 announce_reply[26] = { 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x07, 0x08,
                                             0, 0, 0, 3, 0, 0, 0, 9, 10, 0, 0, 1, 0x1a, 0xe1 };
  guint8 padded_reply[20] = { 0 };
  guint8 syn[20] = { 0x41, 0x00, 0x30, 0x39 };

  g_assert_true (tsr_utp_packet_looks_like (syn, sizeof syn));
  g_assert_true (tsr_utp_packet_looks_like (state_with_sack, sizeof state_with_sack));
  g_assert_false (tsr_utp_packet_looks_like (syn, 19));
  g_assert_false (tsr_utp_packet_looks_like ((const guint8 *) krpc, strlen (krpc)));
  g_assert_false (tsr_utp_packet_looks_like (connect_reply, sizeof connect_reply));
  g_assert_false (tsr_utp_packet_looks_like (announce_reply, sizeof announce_reply));
  /* Not the length: the first byte tells them apart. */
  memcpy (padded_reply, connect_reply, sizeof connect_reply);
  g_assert_false (tsr_utp_packet_looks_like (padded_reply, sizeof padded_reply));
  syn[0] = 0x51;
  g_assert_false (tsr_utp_packet_looks_like (syn, sizeof syn));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/utp-packet/hand-built", test_hand_built);
  g_test_add_func ("/utp-packet/sack-bit-order", test_sack_bit_order);
  g_test_add_func ("/utp-packet/round-trip", test_round_trip);
  g_test_add_func ("/utp-packet/skips-unknown-extensions", test_unknown_extension);
  g_test_add_func ("/utp-packet/rejects-malformed", test_rejects_malformed);
  g_test_add_func ("/utp-packet/write-limits", test_write_limits);
  g_test_add_func ("/utp-packet/sequence-wrap", test_sequence_wrap);
  g_test_add_func ("/utp-packet/looks-like", test_looks_like);

  return g_test_run ();
}
