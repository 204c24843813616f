/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-packet.c: the BEP 29 packet. Every datagram that reaches a uTP
 * socket may come from anyone with a guessed connection id, so the parser
 * trusts no length: the header, each extension's two-byte header and its
 * body are checked against the end before they are read. Nothing is
 * copied or allocated on the way in or out; the connection (net/) keeps
 * its own state and hands this module a struct to fill or to write.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-utp-packet.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-utp-packet-error-quark, tsr_utp_packet_error)

/* BEP 29: extension 1 is the selective ACK; 2 was a bitfield, since
 * removed; others (libtorrent's close reason is 3) are skipped. */
#define EXTENSION_NONE 0
#define EXTENSION_SACK 1

static inline guint16
read_be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline void
write_be16 (guint8  *p,
            guint16  value)
{
  p[0] = value >> 8;
  p[1] = value & 0xff;
}

static inline void
write_be32 (guint8  *p,
            guint32  value)
{
  p[0] = value >> 24;
  p[1] = (value >> 16) & 0xff;
  p[2] = (value >> 8) & 0xff;
  p[3] = value & 0xff;
}

gboolean
tsr_utp_packet_looks_like (const guint8 *data,
                           gsize         length)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  return length >= TSR_UTP_HEADER_SIZE && (data[0] & 0x0f) == TSR_UTP_VERSION && (data[0] >> 4) <= TSR_UTP_SYN;
}

gboolean
tsr_utp_packet_parse (TsrUtpPacket  *packet,
                      const guint8  *data,
                      gsize          length,
                      GError       **error)
{
  guint version;
  guint type;
  guint extension;
  gsize offset;

  g_return_val_if_fail (packet != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  memset (packet, 0, sizeof *packet);
  if (length < TSR_UTP_HEADER_SIZE)
    {
      g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_TOO_SHORT,
                   g_dngettext (GETTEXT_PACKAGE, "The uTP packet is %zu byte long, shorter than its 20-byte header",
                                "The uTP packet is %zu bytes long, shorter than its 20-byte header", length),
                   length);
      return FALSE;
    }
  /* BEP 29: type in the high nibble, version in the low one. */
  version = data[0] & 0x0f;
  type = data[0] >> 4;
  if (version != TSR_UTP_VERSION)
    {
      g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_BAD_VERSION,
                   _("The uTP packet has version %u, not %u"), version, TSR_UTP_VERSION);
      return FALSE;
    }
  if (type > TSR_UTP_SYN)
    {
      g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_BAD_TYPE,
                   _("The uTP packet has type %u, not one of 0 to 4"), type);
      return FALSE;
    }

  packet->type = type;
  packet->connection_id = read_be16 (data + 2);
  packet->timestamp_us = tsr_read_be32 (data + 4);
  packet->timestamp_difference_us = tsr_read_be32 (data + 8);
  packet->wnd_size = tsr_read_be32 (data + 12);
  packet->seq_nr = read_be16 (data + 16);
  packet->ack_nr = read_be16 (data + 18);

  /* The extensions are a linked list: byte 1 names the first, and each
   * starts with the type of the next and its own length. */
  extension = data[1];
  offset = TSR_UTP_HEADER_SIZE;
  while (extension != EXTENSION_NONE)
    {
      guint next;
      guint extension_length;

      if (length - offset < 2)
        {
          g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION,
                       _("The uTP packet ends at byte %zu, inside the header of extension %u"), length, extension);
          return FALSE;
        }
      next = data[offset];
      extension_length = data[offset + 1];
      if (length - offset - 2 < extension_length)
        {
          g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_TRUNCATED_EXTENSION,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Extension %u at byte %zu of the uTP packet is %u byte long and runs past its end",
                                    "Extension %u at byte %zu of the uTP packet is %u bytes long and runs past its end",
                                    extension_length),
                       extension, offset, extension_length);
          return FALSE;
        }
      if (extension == EXTENSION_SACK)
        {
          if (packet->sack != NULL)
            {
              g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_BAD_SACK,
                           _("The uTP packet has a second selective ACK, at byte %zu"), offset);
              return FALSE;
            }
          if (extension_length == 0)
            {
              g_set_error (error, TSR_UTP_PACKET_ERROR, TSR_UTP_PACKET_ERROR_BAD_SACK,
                           _("The selective ACK at byte %zu of the uTP packet is empty"), offset);
              return FALSE;
            }
          packet->sack = data + offset + 2;
          packet->sack_length = extension_length;
        }
      offset += 2 + extension_length;
      extension = next;
    }

  packet->payload_length = length - offset;
  packet->payload = packet->payload_length > 0 ? data + offset : NULL;
  return TRUE;
}

gsize
tsr_utp_packet_header_size (const TsrUtpPacket *packet)
{
  g_return_val_if_fail (packet != NULL, 0);

  return TSR_UTP_HEADER_SIZE + (packet->sack_length > 0 ? 2 + packet->sack_length : 0);
}

gsize
tsr_utp_packet_write (const TsrUtpPacket *packet,
                      guint8             *buffer,
                      gsize               size)
{
  gsize header_size;

  g_return_val_if_fail (packet != NULL, 0);
  g_return_val_if_fail (buffer != NULL, 0);
  g_return_val_if_fail (packet->type <= TSR_UTP_SYN, 0);
  g_return_val_if_fail (packet->sack_length <= 255 && (packet->sack != NULL) == (packet->sack_length > 0), 0);
  g_return_val_if_fail (packet->payload != NULL || packet->payload_length == 0, 0);

  header_size = tsr_utp_packet_header_size (packet);
  if (size < header_size || size - header_size < packet->payload_length)
    return 0;

  /* The payload first: it may sit where it belongs already, or overlap
   * the header's bytes if the caller built it just in front. */
  if (packet->payload_length > 0)
    memmove (buffer + header_size, packet->payload, packet->payload_length);
  buffer[0] = (guint8) (packet->type << 4 | TSR_UTP_VERSION);
  buffer[1] = packet->sack_length > 0 ? EXTENSION_SACK : EXTENSION_NONE;
  write_be16 (buffer + 2, packet->connection_id);
  write_be32 (buffer + 4, packet->timestamp_us);
  write_be32 (buffer + 8, packet->timestamp_difference_us);
  write_be32 (buffer + 12, packet->wnd_size);
  write_be16 (buffer + 16, packet->seq_nr);
  write_be16 (buffer + 18, packet->ack_nr);
  if (packet->sack_length > 0)
    {
      buffer[TSR_UTP_HEADER_SIZE] = EXTENSION_NONE;
      buffer[TSR_UTP_HEADER_SIZE + 1] = (guint8) packet->sack_length;
      memcpy (buffer + TSR_UTP_HEADER_SIZE + 2, packet->sack, packet->sack_length);
    }
  return header_size + packet->payload_length;
}

gboolean
tsr_utp_sack_get (const guint8 *mask,
                  gsize         length,
                  guint         bit)
{
  g_return_val_if_fail (mask != NULL || length == 0, FALSE);

  /* BEP 29: "the bitmask has reverse byte order": within each byte the
   * least significant bit comes first. */
  return bit / 8 < length && (mask[bit / 8] >> (bit % 8) & 1) != 0;
}

void
tsr_utp_sack_set (guint8 *mask,
                  gsize   length,
                  guint   bit)
{
  g_return_if_fail (mask != NULL);
  g_return_if_fail (bit / 8 < length);

  mask[bit / 8] |= (guint8) (1 << (bit % 8));
}

guint
tsr_utp_sack_size (guint n_bits)
{
  guint bytes = (n_bits + 7) / 8;

  /* BEP 29: at least 32 bits, in multiples of 32. */
  bytes = (bytes + 3) / 4 * 4;
  return CLAMP (bytes, 4, TSR_UTP_SACK_MAX);
}

gboolean
tsr_utp_packet_sack_has (const TsrUtpPacket *packet,
                         guint16             seq_nr)
{
  g_return_val_if_fail (packet != NULL, FALSE);

  /* ack_nr + 1 is the hole the selective ACK is sent for; bit 0 is the
   * packet after it. */
  return tsr_utp_sack_get (packet->sack, packet->sack_length,
                           tsr_utp_seq_distance ((guint16) (packet->ack_nr + 2), seq_nr));
}
