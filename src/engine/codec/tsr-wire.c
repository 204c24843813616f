/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-wire.c: the peer wire codec (BEP 3, 5, 6, 10). Messages are a 4-byte
 * big-endian length, an id byte and a payload whose size the id fixes
 * (except bitfield, piece, extended). The parser checks each size and
 * each index against the torrent before it returns a message.
 */
#define G_LOG_DOMAIN "tsr-wire"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include <nettle/sha1.h>

#include "tsr-util.h"
#include "tsr-wire.h"

G_DEFINE_QUARK (tsr-wire-error-quark, tsr_wire_error)

gboolean
tsr_wire_reserved_has (const guint8 *reserved,
                       guint         byte,
                       guint8        mask)
{
  g_return_val_if_fail (byte < 8, FALSE);
  return (reserved[byte] & mask) != 0;
}

void
tsr_wire_reserved_set (guint8 *reserved,
                       guint   byte,
                       guint8  mask)
{
  g_return_if_fail (byte < 8);
  reserved[byte] |= mask;
}

gboolean
tsr_wire_parse_handshake (const guint8      *data,
                          gsize              length,
                          TsrWireHandshake  *handshake,
                          GError           **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (handshake != NULL, FALSE);

  if (length < TSR_WIRE_HANDSHAKE_LENGTH || memcmp (data, TSR_WIRE_PROTOCOL, 20) != 0)
    {
      g_set_error_literal (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_HANDSHAKE,
                           _("The peer did not greet with the BitTorrent handshake"));
      return FALSE;
    }
  memcpy (handshake->reserved, data + 20, 8);
  memcpy (handshake->info_hash, data + 28, 20);
  memcpy (handshake->peer_id, data + 48, 20);
  return TRUE;
}

void
tsr_wire_write_handshake (GByteArray             *out,
                          const TsrWireHandshake *handshake)
{
  g_return_if_fail (out != NULL && handshake != NULL);
  g_byte_array_append (out, (const guint8 *) TSR_WIRE_PROTOCOL, 20);
  g_byte_array_append (out, handshake->reserved, 8);
  g_byte_array_append (out, handshake->info_hash, 20);
  g_byte_array_append (out, handshake->peer_id, 20);
}

const char *
tsr_wire_type_to_string (TsrWireType type)
{
  switch (type)
    {
    case TSR_WIRE_KEEPALIVE: return "keep-alive";
    case TSR_WIRE_CHOKE: return "choke";
    case TSR_WIRE_UNCHOKE: return "unchoke";
    case TSR_WIRE_INTERESTED: return "interested";
    case TSR_WIRE_NOT_INTERESTED: return "not interested";
    case TSR_WIRE_HAVE: return "have";
    case TSR_WIRE_BITFIELD: return "bitfield";
    case TSR_WIRE_REQUEST: return "request";
    case TSR_WIRE_PIECE: return "piece";
    case TSR_WIRE_CANCEL: return "cancel";
    case TSR_WIRE_PORT: return "port";
    case TSR_WIRE_SUGGEST: return "suggest piece";
    case TSR_WIRE_HAVE_ALL: return "have all";
    case TSR_WIRE_HAVE_NONE: return "have none";
    case TSR_WIRE_REJECT: return "reject request";
    case TSR_WIRE_ALLOWED_FAST: return "allowed fast";
    case TSR_WIRE_EXTENDED: return "extended";
    case TSR_WIRE_HASH_REQUEST: return "hash request";
    case TSR_WIRE_HASHES: return "hashes";
    case TSR_WIRE_HASH_REJECT: return "hash reject";
    case TSR_WIRE_UNKNOWN:
    default: return "unknown";
    }
}

/* Size of the payload after the id, for the types that fix it; -1 for
 * variable ones. */
static gssize
fixed_payload (TsrWireType type)
{
  switch (type)
    {
    case TSR_WIRE_CHOKE:
    case TSR_WIRE_UNCHOKE:
    case TSR_WIRE_INTERESTED:
    case TSR_WIRE_NOT_INTERESTED:
    case TSR_WIRE_HAVE_ALL:
    case TSR_WIRE_HAVE_NONE:
      return 0;
    case TSR_WIRE_HAVE:
    case TSR_WIRE_SUGGEST:
    case TSR_WIRE_ALLOWED_FAST:
      return 4;
    case TSR_WIRE_REQUEST:
    case TSR_WIRE_CANCEL:
    case TSR_WIRE_REJECT:
      return 12;
    case TSR_WIRE_PORT:
      return 2;
    case TSR_WIRE_HASH_REQUEST:
    case TSR_WIRE_HASH_REJECT:
      return TSR_WIRE_HASH_HEADER;
    case TSR_WIRE_BITFIELD:
    case TSR_WIRE_PIECE:
    case TSR_WIRE_EXTENDED:
    case TSR_WIRE_KEEPALIVE:
    case TSR_WIRE_UNKNOWN:
    default:
      return -1;
    }
}

static gboolean
known_type (guint8 id)
{
  return id <= TSR_WIRE_PORT || (id >= TSR_WIRE_SUGGEST && id <= TSR_WIRE_ALLOWED_FAST) ||
         (id >= TSR_WIRE_EXTENDED && id <= TSR_WIRE_HASH_REJECT);
}

void
tsr_wire_limits_init (TsrWireLimits     *limits,
                      const TsrMetainfo *info)
{
  limits->piece_count = info->piece_count;
  limits->piece_length = info->piece_length;
  limits->last_piece_length = info->piece_count > 0
                              ? tsr_metainfo_get_piece_size (info, info->piece_count - 1) : 0;
  /* v2-only: libtorrent pads every file to whole pieces, the last too,
   * and asks for whole blocks of the padding (read as zeros). */
  if (!info->has_v1)
    limits->last_piece_length = info->piece_length;
}

static guint64
piece_size (const TsrWireLimits *limits,
            guint32              index)
{
  return index + 1 == limits->piece_count ? limits->last_piece_length : limits->piece_length;
}

static gboolean
check_index (const TsrWireLimits *limits,
             TsrWireType          type,
             guint32              index,
             GError             **error)
{
  if (limits == NULL || limits->piece_count == 0 || index < limits->piece_count)
    return TRUE;
  g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_INDEX,
               /* TRANSLATORS: %s is the name of a BitTorrent message ("have",
                * "request", "piece"…) and stays in English; then a piece number and
                * the torrent's count of pieces */
               g_dngettext (GETTEXT_PACKAGE, "The peer sent a “%s” message for piece %u of a torrent with %u piece",
                            "The peer sent a “%s” message for piece %u of a torrent with %u pieces",
                            limits->piece_count),
               tsr_wire_type_to_string (type), index, limits->piece_count);
  return FALSE;
}

/* A block must lie inside its piece; requests are also bounded. */
static gboolean
check_block (const TsrWireLimits *limits,
             TsrWireType          type,
             guint32              index,
             guint32              begin,
             guint32              length,
             GError             **error)
{
  if (!check_index (limits, type, index, error))
    return FALSE;
  if (length == 0 || (type != TSR_WIRE_PIECE && length > TSR_WIRE_MAX_REQUEST))
    {
      g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_BLOCK,
                   /* TRANSLATORS: %s is the name of a BitTorrent message ("request",
                    * "piece"…) and stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "The peer sent a “%s” message for a block of %u byte",
                                "The peer sent a “%s” message for a block of %u bytes", length),
                   tsr_wire_type_to_string (type), length);
      return FALSE;
    }
  if (limits != NULL && limits->piece_count > 0 &&
      (guint64) begin + length > piece_size (limits, index))
    {
      g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_BLOCK,
                   /* TRANSLATORS: %s is the name of a BitTorrent message ("request",
                    * "piece"…) and stays in English; then the first and the end byte
                    * of a block, a piece number and the piece's length */
                   g_dngettext (GETTEXT_PACKAGE,
                                "The peer sent a “%s” message for bytes %u to %" PRIu64 " of piece %u, "
                                "which is %" PRIu64 " byte long",
                                "The peer sent a “%s” message for bytes %u to %" PRIu64 " of piece %u, "
                                "which is %" PRIu64 " bytes long", (gulong) piece_size (limits, index)),
                   tsr_wire_type_to_string (type), begin, (guint64) begin + length, index,
                   piece_size (limits, index));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_bitfield (const TsrWireLimits *limits,
                const guint8        *data,
                gsize                length,
                GError             **error)
{
  gsize expected;
  guint spare;

  if (limits == NULL || limits->piece_count == 0)
    return TRUE;
  expected = (limits->piece_count + 7) / 8;
  if (length != expected)
    {
      g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_BITFIELD,
                   g_dngettext (GETTEXT_PACKAGE, "The peer sent a bitfield of %zu byte; the torrent needs %zu",
                                "The peer sent a bitfield of %zu bytes; the torrent needs %zu", length),
                   length, expected);
      return FALSE;
    }
  /* BEP 3: spare bits at the end must be zero. */
  spare = expected * 8 - limits->piece_count;
  if (spare > 0 && (data[length - 1] & ((1u << spare) - 1)) != 0)
    {
      g_set_error_literal (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_BITFIELD,
                           _("The peer sent a bitfield with spare bits set"));
      return FALSE;
    }
  return TRUE;
}

TsrWireParseResult
tsr_wire_parse_message (const guint8         *data,
                        gsize                 length,
                        const TsrWireLimits  *limits,
                        TsrWireMessage       *message,
                        gsize                *consumed,
                        GError              **error)
{
  guint32 size;
  const guint8 *payload;
  gsize payload_length;
  gssize fixed;
  guint8 id;

  g_return_val_if_fail (data != NULL || length == 0, TSR_WIRE_PARSE_ERROR);
  g_return_val_if_fail (message != NULL && consumed != NULL, TSR_WIRE_PARSE_ERROR);

  memset (message, 0, sizeof *message);
  *consumed = 0;
  if (length < 4)
    return TSR_WIRE_PARSE_NEED_MORE;
  size = tsr_read_be32 (data);
  if (size > TSR_WIRE_MAX_MESSAGE)
    {
      g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_TOO_LONG,
                   g_dngettext (GETTEXT_PACKAGE, "The peer sent a message of %u byte, more than the %d allowed",
                                "The peer sent a message of %u bytes, more than the %d allowed", size),
                   size, TSR_WIRE_MAX_MESSAGE);
      return TSR_WIRE_PARSE_ERROR;
    }
  if (length < 4 + (gsize) size)
    {
      *consumed = 4 + (gsize) size;
      return TSR_WIRE_PARSE_NEED_MORE;
    }
  *consumed = 4 + (gsize) size;
  if (size == 0)
    {
      message->type = TSR_WIRE_KEEPALIVE;
      return TSR_WIRE_PARSE_OK;
    }

  id = data[4];
  payload = data + 5;
  payload_length = size - 1;
  if (!known_type (id))
    {
      /* Unknown ids are skipped: peers may speak extensions we do not. */
      message->type = TSR_WIRE_UNKNOWN;
      message->unknown_id = id;
      message->data = payload;
      message->data_length = payload_length;
      return TSR_WIRE_PARSE_OK;
    }
  message->type = (TsrWireType) id;
  fixed = fixed_payload (message->type);
  if ((fixed >= 0 && payload_length != (gsize) fixed) ||
      (message->type == TSR_WIRE_PIECE && payload_length < 8) ||
      (message->type == TSR_WIRE_EXTENDED && payload_length < 1) ||
      (message->type == TSR_WIRE_HASHES &&
       (payload_length < TSR_WIRE_HASH_HEADER || (payload_length - TSR_WIRE_HASH_HEADER) % 32 != 0)))
    {
      g_set_error (error, TSR_WIRE_ERROR, TSR_WIRE_ERROR_BAD_LENGTH,
                   /* TRANSLATORS: %s is the name of a BitTorrent message ("have",
                    * "request", "piece"…) and stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "The peer sent a “%s” message of %u byte",
                                "The peer sent a “%s” message of %u bytes", size),
                   tsr_wire_type_to_string (message->type), size);
      *consumed = 0;
      return TSR_WIRE_PARSE_ERROR;
    }

  switch (message->type)
    {
    case TSR_WIRE_HAVE:
    case TSR_WIRE_SUGGEST:
    case TSR_WIRE_ALLOWED_FAST:
      message->index = tsr_read_be32 (payload);
      if (!check_index (limits, message->type, message->index, error))
        goto fail;
      break;
    case TSR_WIRE_REQUEST:
    case TSR_WIRE_CANCEL:
    case TSR_WIRE_REJECT:
      message->index = tsr_read_be32 (payload);
      message->begin = tsr_read_be32 (payload + 4);
      message->length = tsr_read_be32 (payload + 8);
      if (!check_block (limits, message->type, message->index, message->begin, message->length, error))
        goto fail;
      break;
    case TSR_WIRE_PIECE:
      message->index = tsr_read_be32 (payload);
      message->begin = tsr_read_be32 (payload + 4);
      message->data = payload + 8;
      message->data_length = payload_length - 8;
      message->length = (guint32) message->data_length;
      if (!check_block (limits, message->type, message->index, message->begin, message->length, error))
        goto fail;
      break;
    case TSR_WIRE_BITFIELD:
      message->data = payload;
      message->data_length = payload_length;
      if (!check_bitfield (limits, payload, payload_length, error))
        goto fail;
      break;
    case TSR_WIRE_PORT:
      message->port = (guint16) (payload[0] << 8 | payload[1]);
      break;
    case TSR_WIRE_EXTENDED:
      message->extended_id = payload[0];
      message->data = payload + 1;
      message->data_length = payload_length - 1;
      break;
    case TSR_WIRE_HASH_REQUEST:
    case TSR_WIRE_HASHES:
    case TSR_WIRE_HASH_REJECT:
      /* The header is read with tsr_wire_read_hash_request. */
      message->data = payload;
      message->data_length = payload_length;
      break;
    case TSR_WIRE_CHOKE:
    case TSR_WIRE_UNCHOKE:
    case TSR_WIRE_INTERESTED:
    case TSR_WIRE_NOT_INTERESTED:
    case TSR_WIRE_HAVE_ALL:
    case TSR_WIRE_HAVE_NONE:
    case TSR_WIRE_KEEPALIVE:
    case TSR_WIRE_UNKNOWN:
    default:
      break;
    }
  return TSR_WIRE_PARSE_OK;

fail:
  *consumed = 0;
  return TSR_WIRE_PARSE_ERROR;
}

void
tsr_wire_write_message (GByteArray           *out,
                        const TsrWireMessage *message)
{
  guint8 id;

  g_return_if_fail (out != NULL && message != NULL);

  if (message->type == TSR_WIRE_KEEPALIVE)
    {
      tsr_append_be32 (out, 0);
      return;
    }
  id = message->type == TSR_WIRE_UNKNOWN ? message->unknown_id : (guint8) message->type;
  switch (message->type)
    {
    case TSR_WIRE_HAVE:
    case TSR_WIRE_SUGGEST:
    case TSR_WIRE_ALLOWED_FAST:
      tsr_append_be32 (out, 5);
      g_byte_array_append (out, &id, 1);
      tsr_append_be32 (out, message->index);
      break;
    case TSR_WIRE_REQUEST:
    case TSR_WIRE_CANCEL:
    case TSR_WIRE_REJECT:
      tsr_append_be32 (out, 13);
      g_byte_array_append (out, &id, 1);
      tsr_append_be32 (out, message->index);
      tsr_append_be32 (out, message->begin);
      tsr_append_be32 (out, message->length);
      break;
    case TSR_WIRE_PIECE:
      /* Without data, the header announces message->length bytes to come. */
      tsr_append_be32 (out, 9 + (message->data != NULL ? (guint32) message->data_length : message->length));
      g_byte_array_append (out, &id, 1);
      tsr_append_be32 (out, message->index);
      tsr_append_be32 (out, message->begin);
      if (message->data != NULL)
        g_byte_array_append (out, message->data, message->data_length);
      break;
    case TSR_WIRE_PORT:
      {
        guint8 port[2] = { message->port >> 8, message->port & 0xff };

        tsr_append_be32 (out, 3);
        g_byte_array_append (out, &id, 1);
        g_byte_array_append (out, port, 2);
      }
      break;
    case TSR_WIRE_EXTENDED:
      tsr_append_be32 (out, 2 + (guint32) message->data_length);
      g_byte_array_append (out, &id, 1);
      g_byte_array_append (out, &message->extended_id, 1);
      if (message->data_length > 0)
        g_byte_array_append (out, message->data, message->data_length);
      break;
    case TSR_WIRE_BITFIELD:
    case TSR_WIRE_HASH_REQUEST:
    case TSR_WIRE_HASHES:
    case TSR_WIRE_HASH_REJECT:
    case TSR_WIRE_UNKNOWN:
      tsr_append_be32 (out, 1 + (guint32) message->data_length);
      g_byte_array_append (out, &id, 1);
      if (message->data_length > 0)
        g_byte_array_append (out, message->data, message->data_length);
      break;
    case TSR_WIRE_CHOKE:
    case TSR_WIRE_UNCHOKE:
    case TSR_WIRE_INTERESTED:
    case TSR_WIRE_NOT_INTERESTED:
    case TSR_WIRE_HAVE_ALL:
    case TSR_WIRE_HAVE_NONE:
    case TSR_WIRE_KEEPALIVE:
    default:
      tsr_append_be32 (out, 1);
      g_byte_array_append (out, &id, 1);
      break;
    }
}

void
tsr_wire_write_simple (GByteArray  *out,
                       TsrWireType  type)
{
  TsrWireMessage message = { 0 };

  g_return_if_fail (fixed_payload (type) == 0 || type == TSR_WIRE_KEEPALIVE);
  message.type = type;
  tsr_wire_write_message (out, &message);
}

void
tsr_wire_write_have (GByteArray *out,
                     guint32     index)
{
  TsrWireMessage message = { 0 };

  message.type = TSR_WIRE_HAVE;
  message.index = index;
  tsr_wire_write_message (out, &message);
}

void
tsr_wire_write_request (GByteArray  *out,
                        TsrWireType  type,
                        guint32      index,
                        guint32      begin,
                        guint32      length)
{
  TsrWireMessage message = { 0 };

  g_return_if_fail (type == TSR_WIRE_REQUEST || type == TSR_WIRE_CANCEL || type == TSR_WIRE_REJECT);
  message.type = type;
  message.index = index;
  message.begin = begin;
  message.length = length;
  tsr_wire_write_message (out, &message);
}

guint
tsr_wire_allowed_fast_set (const guint8 *ipv4,
                           const guint8 *info_hash,
                           guint         piece_count,
                           guint         k,
                           guint32      *out)
{
  guint8 x[SHA1_DIGEST_SIZE + 4];
  guint8 digest[SHA1_DIGEST_SIZE];
  gsize x_length = 24;
  guint n = 0;

  k = MIN (k, piece_count);
  if (k == 0)
    return 0;
  /* BEP 6: the /24 of the peer's address and the info hash, hashed on
   * and on; each digest gives five candidate pieces. */
  x[0] = ipv4[0];
  x[1] = ipv4[1];
  x[2] = ipv4[2];
  x[3] = 0;
  memcpy (x + 4, info_hash, 20);
  while (n < k)
    {
      struct sha1_ctx ctx;
      guint i;

      sha1_init (&ctx);
      sha1_update (&ctx, x_length, x);
      sha1_digest (&ctx, SHA1_DIGEST_SIZE, digest);
      memcpy (x, digest, SHA1_DIGEST_SIZE);
      x_length = SHA1_DIGEST_SIZE;
      for (i = 0; i < 5 && n < k; i++)
        {
          guint32 index = tsr_read_be32 (digest + 4 * i) % piece_count;
          guint j;
          gboolean seen = FALSE;

          for (j = 0; j < n && !seen; j++)
            seen = out[j] == index;
          if (!seen)
            out[n++] = index;
        }
    }
  return n;
}

void
tsr_wire_read_hash_request (const guint8   *payload,
                            TsrHashRequest *request)
{
  memcpy (request->pieces_root, payload, 32);
  request->base_layer = tsr_read_be32 (payload + 32);
  request->index = tsr_read_be32 (payload + 36);
  request->length = tsr_read_be32 (payload + 40);
  request->proof_layers = tsr_read_be32 (payload + 44);
}

void
tsr_wire_write_hash_message (GByteArray           *out,
                             TsrWireType           type,
                             const TsrHashRequest *request,
                             const guint8         *hashes,
                             gsize                 n_hashes)
{
  guint8 id = (guint8) type;

  tsr_append_be32 (out, 1 + TSR_WIRE_HASH_HEADER + (guint32) (hashes != NULL ? n_hashes * 32 : 0));
  g_byte_array_append (out, &id, 1);
  g_byte_array_append (out, request->pieces_root, 32);
  tsr_append_be32 (out, request->base_layer);
  tsr_append_be32 (out, request->index);
  tsr_append_be32 (out, request->length);
  tsr_append_be32 (out, request->proof_layers);
  if (hashes != NULL && n_hashes > 0)
    g_byte_array_append (out, hashes, (guint) (n_hashes * 32));
}
