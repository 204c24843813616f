/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-wire.c: the peer wire codec: handshakes, every message type both
 * ways, partial input, and the limits a hostile peer runs into.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-wire.h"

/* 10 pieces of 32 KiB, the last of 1000 bytes. */
static const TsrWireLimits limits = { 10, 32768, 1000 };

static TsrWireParseResult
parse (const guint8    *data,
       gsize            length,
       TsrWireMessage  *message,
       gsize           *consumed,
       GError         **error)
{
  return tsr_wire_parse_message (data, length, &limits, message, consumed, error);
}

static void
test_handshake (void)
{
  TsrWireHandshake out = { { 0 } };
  TsrWireHandshake in = { { 0 } };
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  memset (out.info_hash, 0xab, 20);
  memcpy (out.peer_id, "-TE0010-abcdefghijkl", 20);
  tsr_wire_reserved_set (out.reserved, TSR_WIRE_RESERVED_FAST);
  tsr_wire_reserved_set (out.reserved, TSR_WIRE_RESERVED_EXTENDED);
  tsr_wire_write_handshake (bytes, &out);
  g_assert_cmpuint (bytes->len, ==, TSR_WIRE_HANDSHAKE_LENGTH);
  g_assert_cmpmem (bytes->data, 20, "\023BitTorrent protocol", 20);
  g_assert_cmpint (bytes->data[25], ==, 0x10);   /* BEP 10 */
  g_assert_cmpint (bytes->data[27], ==, 0x04);   /* BEP 6 */
  g_assert_true (tsr_wire_parse_handshake (bytes->data, bytes->len, &in, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&in, sizeof in, &out, sizeof out);
  g_assert_true (tsr_wire_reserved_has (in.reserved, TSR_WIRE_RESERVED_FAST));
  g_assert_false (tsr_wire_reserved_has (in.reserved, TSR_WIRE_RESERVED_DHT));

  bytes->data[1] = 'b';
  g_assert_false (tsr_wire_parse_handshake (bytes->data, bytes->len, &in, &error));
  g_assert_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_HANDSHAKE);
  g_clear_error (&error);
  g_assert_false (tsr_wire_parse_handshake (bytes->data, 67, &in, &error));
  g_assert_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_HANDSHAKE);
}

static void
round_trip (const TsrWireMessage *message,
            gsize                 expected_length)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TsrWireMessage parsed;
  gsize consumed = 0;
  gsize cut;

  tsr_wire_write_message (bytes, message);
  g_assert_cmpuint (bytes->len, ==, expected_length);
  g_assert_cmpint (parse (bytes->data, bytes->len, &parsed, &consumed, &error), ==, TSR_WIRE_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, bytes->len);
  g_assert_cmpint (parsed.type, ==, message->type);
  g_assert_cmpuint (parsed.index, ==, message->index);
  g_assert_cmpuint (parsed.begin, ==, message->begin);
  g_assert_cmpuint (parsed.port, ==, message->port);
  g_assert_cmpuint (parsed.extended_id, ==, message->extended_id);
  g_assert_cmpmem (parsed.data, parsed.data_length, message->data, message->data_length);

  /* Any prefix is "need more", never an error or a misparse. */
  for (cut = 0; cut < bytes->len; cut++)
    {
      g_assert_cmpint (parse (bytes->data, cut, &parsed, &consumed, &error), ==, TSR_WIRE_PARSE_NEED_MORE);
      g_assert_cmpuint (consumed, ==, cut < 4 ? 0 : bytes->len);
    }
}

static void
test_messages (void)
{
  static const guint8 bitfield[2] = { 0xff, 0xc0 };   /* 10 pieces: 6 spare bits zero */
  static const guint8 block[100] = { 1, 2, 3 };
  static const guint8 extended[] = "d1:md11:ut_metadatai3eee";
  TsrWireMessage m;
  static const TsrWireType simple[] = {
    TSR_WIRE_CHOKE, TSR_WIRE_UNCHOKE, TSR_WIRE_INTERESTED, TSR_WIRE_NOT_INTERESTED,
    TSR_WIRE_HAVE_ALL, TSR_WIRE_HAVE_NONE,
  };
  guint i;

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_KEEPALIVE;
  round_trip (&m, 4);
  for (i = 0; i < G_N_ELEMENTS (simple); i++)
    {
      memset (&m, 0, sizeof m);
      m.type = simple[i];
      round_trip (&m, 5);
    }
  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_HAVE;
  m.index = 9;
  round_trip (&m, 9);
  m.type = TSR_WIRE_ALLOWED_FAST;
  round_trip (&m, 9);
  m.type = TSR_WIRE_SUGGEST;
  round_trip (&m, 9);

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_REQUEST;
  m.index = 3;
  m.begin = 16384;
  m.length = 16384;
  round_trip (&m, 17);
  m.type = TSR_WIRE_CANCEL;
  round_trip (&m, 17);
  m.type = TSR_WIRE_REJECT;
  round_trip (&m, 17);

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_BITFIELD;
  m.data = bitfield;
  m.data_length = sizeof bitfield;
  round_trip (&m, 7);

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_PIECE;
  m.index = 9;
  m.begin = 900;
  m.data = block;
  m.data_length = sizeof block;
  round_trip (&m, 13 + sizeof block);

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_PORT;
  m.port = 51413;
  round_trip (&m, 7);

  memset (&m, 0, sizeof m);
  m.type = TSR_WIRE_EXTENDED;
  m.extended_id = 0;
  m.data = extended;
  m.data_length = sizeof extended - 1;
  round_trip (&m, 6 + sizeof extended - 1);
}

static void
test_piece_header_only (void)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TsrWireMessage m = { 0 };

  m.type = TSR_WIRE_PIECE;
  m.index = 1;
  m.begin = 16384;
  m.length = 16384;
  tsr_wire_write_message (bytes, &m);
  /* 13 bytes announcing 9 + 16384: the block follows in a vectored write. */
  g_assert_cmpuint (bytes->len, ==, 13);
  g_assert_cmpmem (bytes->data, 5, "\x00\x00\x40\x09\x07", 5);
}

static void
test_several_in_a_buffer (void)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TsrWireMessage m;
  gsize consumed = 0;
  gsize offset = 0;
  guint count = 0;

  tsr_wire_write_simple (bytes, TSR_WIRE_UNCHOKE);
  tsr_wire_write_have (bytes, 2);
  tsr_wire_write_request (bytes, TSR_WIRE_REQUEST, 0, 0, 16384);
  tsr_wire_write_simple (bytes, TSR_WIRE_KEEPALIVE);
  while (parse (bytes->data + offset, bytes->len - offset, &m, &consumed, NULL) == TSR_WIRE_PARSE_OK)
    {
      offset += consumed;
      count++;
    }
  g_assert_cmpuint (count, ==, 4);
  g_assert_cmpuint (offset, ==, bytes->len);
}

static void
test_unknown_skipped (void)
{
  static const guint8 data[] = { 0, 0, 0, 3, 99, 'x', 'y' };
  TsrWireMessage m;
  gsize consumed = 0;

  g_assert_cmpint (parse (data, sizeof data, &m, &consumed, NULL), ==, TSR_WIRE_PARSE_OK);
  g_assert_cmpint (m.type, ==, TSR_WIRE_UNKNOWN);
  g_assert_cmpuint (m.unknown_id, ==, 99);
  g_assert_cmpuint (consumed, ==, sizeof data);
}

static void
test_hostile (void)
{
  static const struct
  {
    const char *name;
    guint8 bytes[24];
    gsize length;
    TsrWireError code;
  } cases[] = {
    { "length past 1 MiB", { 0x00, 0x10, 0x00, 0x0a, 7 }, 5, TSR_WIRE_ERROR_TOO_LONG },
    { "4 GiB length", { 0xff, 0xff, 0xff, 0xff }, 4, TSR_WIRE_ERROR_TOO_LONG },
    { "choke with payload", { 0, 0, 0, 2, 0, 0 }, 6, TSR_WIRE_ERROR_BAD_LENGTH },
    { "short have", { 0, 0, 0, 3, 4, 0, 0 }, 7, TSR_WIRE_ERROR_BAD_LENGTH },
    { "long request", { 0, 0, 0, 14, 6, 0,0,0,0, 0,0,0,0, 0,0,64,0, 0 }, 18, TSR_WIRE_ERROR_BAD_LENGTH },
    { "short piece", { 0, 0, 0, 5, 7, 0, 0, 0, 0 }, 9, TSR_WIRE_ERROR_BAD_LENGTH },
    { "empty extended", { 0, 0, 0, 1, 20 }, 5, TSR_WIRE_ERROR_BAD_LENGTH },
    { "have out of range", { 0, 0, 0, 5, 4, 0, 0, 0, 10 }, 9, TSR_WIRE_ERROR_BAD_INDEX },
    { "allowed fast out of range", { 0, 0, 0, 5, 17, 0, 0, 1, 0 }, 9, TSR_WIRE_ERROR_BAD_INDEX },
    { "request out of range", { 0, 0, 0, 13, 6, 0,0,0,10, 0,0,0,0, 0,0,64,0 }, 17, TSR_WIRE_ERROR_BAD_INDEX },
    { "request over 128 KiB", { 0, 0, 0, 13, 6, 0,0,0,0, 0,0,0,0, 0,2,0,1 }, 17, TSR_WIRE_ERROR_BAD_BLOCK },
    { "request of nothing", { 0, 0, 0, 13, 6, 0,0,0,0, 0,0,0,0, 0,0,0,0 }, 17, TSR_WIRE_ERROR_BAD_BLOCK },
    { "request past the piece", { 0, 0, 0, 13, 6, 0,0,0,0, 0,0,0x40,0, 0,0,0x40,1 }, 17, TSR_WIRE_ERROR_BAD_BLOCK },
    { "request past the last piece", { 0, 0, 0, 13, 6, 0,0,0,9, 0,0,0,0, 0,0,0x03,0xe9 }, 17, TSR_WIRE_ERROR_BAD_BLOCK },
    { "request offset overflow", { 0, 0, 0, 13, 6, 0,0,0,0, 0xff,0xff,0xff,0xff, 0,0,0,2 }, 17, TSR_WIRE_ERROR_BAD_BLOCK },
    { "piece past the piece", { 0, 0, 0, 10, 7, 0,0,0,9, 0,0,0x03,0xe8, 1 }, 14, TSR_WIRE_ERROR_BAD_BLOCK },
    { "bitfield too short", { 0, 0, 0, 2, 5, 0xff }, 6, TSR_WIRE_ERROR_BAD_BITFIELD },
    { "bitfield too long", { 0, 0, 0, 4, 5, 0xff, 0xc0, 0 }, 8, TSR_WIRE_ERROR_BAD_BITFIELD },
    { "bitfield spare bits", { 0, 0, 0, 3, 5, 0xff, 0xc1 }, 7, TSR_WIRE_ERROR_BAD_BITFIELD },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      TsrWireMessage m;
      gsize consumed = 99;

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (parse (cases[i].bytes, cases[i].length, &m, &consumed, &error), ==, TSR_WIRE_PARSE_ERROR);
      g_assert_error (error, TSR_WIRE_ERROR, (int) cases[i].code);
      g_assert_cmpuint (consumed, ==, 0);
    }
}

static void
test_no_limits_before_metadata (void)
{
  /* Before a magnet's metadata arrives, indices cannot be checked. */
  static const guint8 have[] = { 0, 0, 0, 5, 4, 0, 1, 0, 0 };
  static const guint8 bitfield[] = { 0, 0, 0, 4, 5, 1, 2, 3 };
  TsrWireLimits none = { 0 };
  TsrWireMessage m;
  gsize consumed = 0;

  g_assert_cmpint (tsr_wire_parse_message (have, sizeof have, &none, &m, &consumed, NULL), ==, TSR_WIRE_PARSE_OK);
  g_assert_cmpuint (m.index, ==, 65536);
  g_assert_cmpint (tsr_wire_parse_message (bitfield, sizeof bitfield, NULL, &m, &consumed, NULL), ==, TSR_WIRE_PARSE_OK);
  g_assert_cmpuint (m.data_length, ==, 3);
}

/* 40000 bytes in 16 KiB pieces: v1's last piece is what is left;
 * v2-only, a whole piece (libtorrent asks for the padding). */
static void
test_limits_of_metainfo (void)
{
  static const char v1[] = "d6:lengthi40000e4:name4:file12:piece lengthi16384e6:pieces60:"
                           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaae";
  static const char v2[] = "d9:file treed4:filed0:d6:lengthi40000e11:pieces root32:"
                           "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbeee"
                           "12:meta versioni2e4:name4:file12:piece lengthi16384ee";
  const char *dicts[] = { v1, v2 };
  const guint64 last[] = { 40000 - 2 * 16384, 16384 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (dicts); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (dicts[i], strlen (dicts[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_info (bytes, NULL, &error);
      TsrWireLimits got;

      g_assert_no_error (error);
      tsr_wire_limits_init (&got, info);
      g_assert_cmpuint (got.piece_count, ==, 3);
      g_assert_cmpuint (got.piece_length, ==, 16384);
      g_assert_cmpuint (got.last_piece_length, ==, last[i]);
    }
}

/* BEP 6's own example: 80.4.4.200, an info hash of 0xaa bytes, 1313 pieces. */
static void
test_allowed_fast (void)
{
  static const guint8 ip[4] = { 80, 4, 4, 200 };
  static const guint32 seven[] = { 1059, 431, 808, 1217, 287, 376, 1188 };
  static const guint32 nine[] = { 1059, 431, 808, 1217, 287, 376, 1188, 353, 508 };
  guint8 hash[20];
  guint32 out[16];

  memset (hash, 0xaa, sizeof hash);
  g_assert_cmpuint (tsr_wire_allowed_fast_set (ip, hash, 1313, 7, out), ==, 7);
  g_assert_cmpmem (out, sizeof seven, seven, sizeof seven);
  g_assert_cmpuint (tsr_wire_allowed_fast_set (ip, hash, 1313, 9, out), ==, 9);
  g_assert_cmpmem (out, sizeof nine, nine, sizeof nine);
  /* Fewer pieces than asked: each once. */
  g_assert_cmpuint (tsr_wire_allowed_fast_set (ip, hash, 3, 10, out), ==, 3);
  g_assert_cmpuint (out[0] + out[1] + out[2], ==, 0 + 1 + 2);
  g_assert_cmpuint (tsr_wire_allowed_fast_set (ip, hash, 0, 10, out), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/handshake", test_handshake);
  g_test_add_func ("/wire/messages", test_messages);
  g_test_add_func ("/wire/piece-header-only", test_piece_header_only);
  g_test_add_func ("/wire/several-in-a-buffer", test_several_in_a_buffer);
  g_test_add_func ("/wire/unknown-skipped", test_unknown_skipped);
  g_test_add_func ("/wire/hostile", test_hostile);
  g_test_add_func ("/wire/no-limits-before-metadata", test_no_limits_before_metadata);
  g_test_add_func ("/wire/limits-of-metainfo", test_limits_of_metainfo);

  g_test_add_func ("/wire/allowed-fast", test_allowed_fast);
  return g_test_run ();
}
