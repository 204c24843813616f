/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-packet.h: the BEP 29 uTP packet: its 20-byte header, the
 * selective ACK extension, parsed from and written into the caller's
 * memory (no I/O, no allocation), and sequence numbers that wrap at
 * 16 bits.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_UTP_VERSION     1
/* The fixed header; the extensions and the payload follow it. */
#define TSR_UTP_HEADER_SIZE 20
/* The largest selective ACK we send: 256 packets past ack_nr + 1. A
 * parsed one may be longer (up to 255 bytes, as an extension's length
 * byte allows). */
#define TSR_UTP_SACK_MAX    32

#define TSR_UTP_PACKET_ERROR (tsr_utp_packet_error_quark ())
GQuark tsr_utp_packet_error_quark (void);

typedef enum
{
  TSR_UTP_PACKET_ERROR_TOO_SHORT,            /* under TSR_UTP_HEADER_SIZE bytes */
  TSR_UTP_PACKET_ERROR_BAD_VERSION,          /* the low nibble of byte 0 is not TSR_UTP_VERSION */
  TSR_UTP_PACKET_ERROR_BAD_TYPE,             /* the high nibble of byte 0 is over TSR_UTP_SYN */
  TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION,  /* an extension's header or body runs past the end */
  TSR_UTP_PACKET_ERROR_BAD_SACK,             /* a selective ACK of 0 bytes, or a second one */
} TsrUtpPacketError;

/* BEP 29's packet types, with their values on the wire. */
typedef enum
{
  TSR_UTP_DATA  = 0,
  TSR_UTP_FIN   = 1,
  TSR_UTP_STATE = 2,
  TSR_UTP_RESET = 3,
  TSR_UTP_SYN   = 4,
} TsrUtpType;

/* One packet. A parsed packet borrows @sack and @payload from the
 * datagram it was parsed from; a packet to write borrows them from its
 * caller. Unknown extensions are skipped when parsing and never written. */
typedef struct
{
  TsrUtpType    type;
  guint16       connection_id;
  guint32       timestamp_us;             /* the sender's clock when it sent this */
  guint32       timestamp_difference_us;  /* the sender's last one-way delay sample, 0 for none */
  guint32       wnd_size;                 /* bytes the sender can still receive */
  guint16       seq_nr;
  guint16       ack_nr;
  const guint8 *sack;                     /* (nullable): selective ACK bitmask, bit i acks ack_nr + 2 + i */
  guint         sack_length;              /* bytes at @sack: 0 with no selective ACK, else 1 to 255 */
  const guint8 *payload;                  /* (nullable) when @payload_length is 0 */
  gsize         payload_length;
} TsrUtpPacket;

/* Reads the datagram @data into @packet, which then points into @data.
 * The selective ACK may have any length from 1 byte up: BEP 29 asks for
 * multiples of 4, but libtorrent sends (span + 7) / 8 bytes. Whether the
 * type fits the connection's state (a DATA without payload, a SYN with
 * one) is for the connection to judge. */
gboolean tsr_utp_packet_parse       (TsrUtpPacket       *packet,
                                     const guint8       *data,
                                     gsize               length,
                                     GError            **error);
/* Bytes before the payload: the header and the selective ACK, if any. */
gsize    tsr_utp_packet_header_size (const TsrUtpPacket *packet);
/* Writes @packet into @buffer and returns its length, or 0 (and writes
 * nothing) when it takes more than @size bytes. The payload may already
 * be in place in @buffer, right after the header: it is moved, not
 * copied. */
gsize    tsr_utp_packet_write       (const TsrUtpPacket *packet,
                                     guint8             *buffer,
                                     gsize               size);
/* Whether @seq_nr is acked by @packet's selective ACK (not by ack_nr). */
gboolean tsr_utp_packet_sack_has    (const TsrUtpPacket *packet,
                                     guint16             seq_nr);

/* For a socket the DHT and UDP trackers share: whether the datagram can
 * be uTP at all. A bencoded KRPC message starts with 'd' (version nibble
 * 4), a UDP tracker reply with a 32-bit action under 256 (version 0);
 * uTP has version 1 and a type up to 4. Cheap: one byte and the length. */
gboolean tsr_utp_packet_looks_like  (const guint8       *data,
                                     gsize               length);

/* Selective ACK bitmasks in BEP 29's order: bit @bit is the
 * least-significant-first bit @bit % 8 of byte @bit / 8. */
/* The bytes to send for a selective ACK reaching @n_bits packets past
 * ack_nr + 1: a multiple of 4 from 4 up, at most TSR_UTP_SACK_MAX. */
guint    tsr_utp_sack_size          (guint               n_bits);
void     tsr_utp_sack_set           (guint8             *mask,
                                     gsize               length,
                                     guint               bit);
gboolean tsr_utp_sack_get           (const guint8       *mask,
                                     gsize               length,
                                     guint               bit);

/* Sequence and ack numbers wrap at 16 bits: @a is before @b when @b is
 * 1 to 32767 steps ahead of it. Exactly 32768 apart, neither is before
 * the other. */
static inline guint16
tsr_utp_seq_distance (guint16 from,
                      guint16 to)
{
  return (guint16) (to - from);
}

static inline gboolean
tsr_utp_seq_before (guint16 a,
                    guint16 b)
{
  guint16 distance = tsr_utp_seq_distance (a, b);

  return distance != 0 && distance < 0x8000;
}

static inline gboolean
tsr_utp_seq_after (guint16 a,
                   guint16 b)
{
  return tsr_utp_seq_before (b, a);
}

G_END_DECLS
