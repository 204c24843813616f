/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-wire.h: the peer wire protocol (BEP 3), with the fast extension's
 * messages (BEP 6), DHT port (BEP 5) and extended messages (BEP 10), as a
 * pure codec: bytes in, messages out, and the reverse. No I/O, so that it
 * can be fuzzed and tested alone; the peer connection feeds it.
 *
 * A peer is hostile input. Every length is checked against the message
 * type and the torrent's limits before anything is used, and a fault is a
 * GError that names it, for the connection to log and close on.
 */
#pragma once

#include <glib.h>

#include "tsr-metainfo.h"

G_BEGIN_DECLS

#define TSR_WIRE_ERROR (tsr_wire_error_quark ())
GQuark tsr_wire_error_quark (void);

typedef enum
{
  TSR_WIRE_ERROR_BAD_HANDSHAKE,   /* not "\x13BitTorrent protocol" */
  TSR_WIRE_ERROR_TOO_LONG,        /* length prefix past TSR_WIRE_MAX_MESSAGE */
  TSR_WIRE_ERROR_BAD_LENGTH,      /* a length that does not fit the message type */
  TSR_WIRE_ERROR_BAD_INDEX,       /* a piece index out of range */
  TSR_WIRE_ERROR_BAD_BLOCK,       /* a block outside its piece, empty, or too large */
  TSR_WIRE_ERROR_BAD_BITFIELD,    /* wrong size, or spare bits set */
} TsrWireError;

#define TSR_WIRE_PROTOCOL          "\023BitTorrent protocol"
#define TSR_WIRE_HANDSHAKE_LENGTH  68
#define TSR_WIRE_BLOCK_SIZE        16384
/* Longest request we serve (128 KiB) and longest message we accept: a
 * 1 MiB block plus its 9 bytes of header after the length prefix. */
#define TSR_WIRE_MAX_REQUEST       (128 * 1024)
#define TSR_WIRE_MAX_MESSAGE       (1024 * 1024 + 9)

/* Reserved bits (BEP 4). */
#define TSR_WIRE_RESERVED_DHT       7, 0x01   /* byte, mask: BEP 5 */
#define TSR_WIRE_RESERVED_FAST      7, 0x04   /* BEP 6 */
#define TSR_WIRE_RESERVED_EXTENDED  5, 0x10   /* BEP 10 */
#define TSR_WIRE_RESERVED_V2        7, 0x10   /* BEP 52 upgrade */

typedef enum
{
  TSR_WIRE_KEEPALIVE      = -1,
  TSR_WIRE_CHOKE          = 0,
  TSR_WIRE_UNCHOKE        = 1,
  TSR_WIRE_INTERESTED     = 2,
  TSR_WIRE_NOT_INTERESTED = 3,
  TSR_WIRE_HAVE           = 4,
  TSR_WIRE_BITFIELD       = 5,
  TSR_WIRE_REQUEST        = 6,
  TSR_WIRE_PIECE          = 7,
  TSR_WIRE_CANCEL         = 8,
  TSR_WIRE_PORT           = 9,    /* BEP 5 */
  TSR_WIRE_SUGGEST        = 13,   /* BEP 6 */
  TSR_WIRE_HAVE_ALL       = 14,
  TSR_WIRE_HAVE_NONE      = 15,
  TSR_WIRE_REJECT         = 16,
  TSR_WIRE_ALLOWED_FAST   = 17,
  TSR_WIRE_EXTENDED       = 20,   /* BEP 10 */
  TSR_WIRE_HASH_REQUEST   = 21,   /* BEP 52 */
  TSR_WIRE_HASHES         = 22,
  TSR_WIRE_HASH_REJECT    = 23,
  TSR_WIRE_UNKNOWN        = 255,  /* an id we do not know: skipped, not an error */
} TsrWireType;

typedef struct
{
  guint8 reserved[8];
  guint8 info_hash[20];
  guint8 peer_id[20];
} TsrWireHandshake;

/**
 * TsrWireMessage:
 * @index, @begin, @length: have, request, cancel, reject, suggest and
 *   allowed fast use what applies; piece sets @length to the block's size
 * @data, @data_length: bitfield bytes, piece block, extended payload or
 *   unknown message body: borrowed from the parsed buffer
 * @extended_id: BEP 10 message id
 * @port: BEP 5 DHT port
 * @unknown_id: the id of a TSR_WIRE_UNKNOWN message
 */
typedef struct
{
  TsrWireType   type;
  guint32       index;
  guint32       begin;
  guint32       length;
  const guint8 *data;
  gsize         data_length;
  guint8        extended_id;
  guint16       port;
  guint8        unknown_id;
} TsrWireMessage;

/**
 * TsrWireLimits:
 * What the torrent allows. @piece_count 0 means "not known yet" (magnet
 * links before their metadata): indices and bitfields are then not checked.
 */
/* BEP 52 hash request, hashes and hash reject: the header they share. In
 * a parsed message, data/data_length are the hashes (hashes only). */
typedef struct
{
  guint8   pieces_root[32];
  guint32  base_layer;
  guint32  index;
  guint32  length;
  guint32  proof_layers;
} TsrHashRequest;

#define TSR_WIRE_HASH_HEADER 48

/* Reads the shared header of a hash message's payload (at least 48 bytes). */
void                tsr_wire_read_hash_request  (const guint8         *payload,
                                                 TsrHashRequest       *request);
/* Appends a hash request, hash reject (@hashes NULL) or hashes message. */
void                tsr_wire_write_hash_message (GByteArray           *out,
                                                 TsrWireType           type,
                                                 const TsrHashRequest *request,
                                                 const guint8         *hashes,
                                                 gsize                 n_hashes);

typedef struct
{
  guint    piece_count;
  guint64  piece_length;
  guint64  last_piece_length;
} TsrWireLimits;

/* The limits of @info's pieces, as peers ask for them. */
void                tsr_wire_limits_init        (TsrWireLimits        *limits,
                                                 const TsrMetainfo    *info);

typedef enum
{
  TSR_WIRE_PARSE_OK,          /* a message was parsed; *consumed bytes used */
  TSR_WIRE_PARSE_NEED_MORE,   /* the buffer holds no whole message yet */
  TSR_WIRE_PARSE_ERROR,       /* the peer broke the protocol: close */
} TsrWireParseResult;

gboolean            tsr_wire_parse_handshake (const guint8          *data,
                                              gsize                  length,
                                              TsrWireHandshake      *handshake,
                                              GError               **error);
void                tsr_wire_write_handshake (GByteArray            *out,
                                              const TsrWireHandshake *handshake);

/* Parses the first message of @data. For TSR_WIRE_PARSE_NEED_MORE,
 * *@consumed holds the number of bytes the message will need in all when
 * its length is known (so a reader can size its buffer), else 0. */
TsrWireParseResult  tsr_wire_parse_message   (const guint8          *data,
                                              gsize                  length,
                                              const TsrWireLimits   *limits,
                                              TsrWireMessage        *message,
                                              gsize                 *consumed,
                                              GError               **error);

/* Appends @message to @out. For TSR_WIRE_PIECE with @data NULL only the
 * 13-byte header is written, so that the block can follow in a vectored
 * write straight from its buffer. */
void                tsr_wire_write_message   (GByteArray            *out,
                                              const TsrWireMessage  *message);

/* Convenience writers for the messages without payload. */
void                tsr_wire_write_simple    (GByteArray            *out,
                                              TsrWireType            type);
void                tsr_wire_write_have      (GByteArray            *out,
                                              guint32                index);
void                tsr_wire_write_request   (GByteArray            *out,
                                              TsrWireType            type,
                                              guint32                index,
                                              guint32                begin,
                                              guint32                length);

const char         *tsr_wire_type_to_string  (TsrWireType            type);
/* BEP 6: the canonical allowed-fast set of @k pieces (at most
 * @piece_count) for a peer at IPv4 @ipv4 (4 bytes), into @out; returns
 * how many. */
guint               tsr_wire_allowed_fast_set (const guint8         *ipv4,
                                               const guint8         *info_hash,
                                               guint                 piece_count,
                                               guint                 k,
                                               guint32              *out);

/* Reserved-bit helpers: tsr_wire_reserved_has (reserved, TSR_WIRE_RESERVED_FAST). */
gboolean            tsr_wire_reserved_has    (const guint8          *reserved,
                                              guint                  byte,
                                              guint8                 mask);
void                tsr_wire_reserved_set    (guint8                *reserved,
                                              guint                  byte,
                                              guint8                 mask);

G_END_DECLS
