/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metadata.h: BEP 9 ut_metadata: the message codec, and the pieces of
 * an info dictionary being gathered from peers for a magnet link.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_METADATA_ERROR (tsr_metadata_error_quark ())
GQuark tsr_metadata_error_quark (void);

typedef enum
{
  TSR_METADATA_ERROR_MALFORMED,    /* not a ut_metadata message */
  TSR_METADATA_ERROR_BAD_SIZE,     /* a size that is absurd or disagrees */
  TSR_METADATA_ERROR_BAD_PIECE,    /* a piece out of range or of the wrong length */
  TSR_METADATA_ERROR_HASH,         /* the whole does not match the info hash */
} TsrMetadataError;

/* BEP 9: metadata travels in 16 KiB pieces. */
#define TSR_METADATA_PIECE_SIZE  16384
/* Largest info dictionary we fetch or serve: bounds what a peer can make
 * us hold (a 2 TiB torrent of 1 MiB pieces has 40 MiB of v1 hashes). */
#define TSR_METADATA_MAX_SIZE    (48 * 1024 * 1024)
/* A piece asked of a peer that did not answer is asked again after this. */
#define TSR_METADATA_REQUEST_TIMEOUT 10

typedef enum
{
  TSR_METADATA_REQUEST = 0,
  TSR_METADATA_DATA    = 1,
  TSR_METADATA_REJECT  = 2,
} TsrMetadataType;

typedef struct
{
  gint          type;         /* TsrMetadataType, or another number to ignore (BEP 9) */
  guint         piece;
  gint64        total_size;   /* data: the whole dictionary's size; -1 otherwise */
  const guint8 *data;         /* data: the piece, pointing into the input */
  gsize         data_length;
} TsrMetadataMessage;

/* Parses the payload of a ut_metadata extended message. */
gboolean  tsr_metadata_message_parse  (const guint8          *data,
                                       gsize                  length,
                                       TsrMetadataMessage    *message,
                                       GError               **error);
/* Encodes a request or reject (@data NULL, @total_size ignored) or a data
 * message with its piece. */
GBytes   *tsr_metadata_message_encode (TsrMetadataType        type,
                                       guint                  piece,
                                       gint64                 total_size,
                                       const guint8          *data,
                                       gsize                  data_length);

/* Pieces in a dictionary of @size bytes. */
guint     tsr_metadata_piece_count    (gint64                 size);

/* ------------------------------------------------------------------ */
/* Gathering the dictionary                                            */

typedef struct _TsrMetadataFetch TsrMetadataFetch;

/* @info_hash (20 bytes, nullable) and @info_hash_v2 (32 bytes, nullable):
 * what the whole must hash to; at least one is given. */
TsrMetadataFetch *tsr_metadata_fetch_new      (const guint8      *info_hash,
                                               const guint8      *info_hash_v2);
void              tsr_metadata_fetch_free     (TsrMetadataFetch  *self);
/* A peer told the size (BEP 9 "metadata_size"). The first sane size is
 * taken; FALSE (and nothing changes) for a size out of range or one that
 * disagrees with the size being gathered. */
gboolean          tsr_metadata_fetch_set_size (TsrMetadataFetch  *self,
                                               gint64             size,
                                               GError           **error);
gint64            tsr_metadata_fetch_get_size (TsrMetadataFetch  *self);
/* The piece to ask next at @now (monotonic seconds): one neither received
 * nor asked within TSR_METADATA_REQUEST_TIMEOUT; -1 when there is none
 * (or the size is not known yet). Marks it asked. */
gint              tsr_metadata_fetch_next     (TsrMetadataFetch  *self,
                                               gint64             now);
/* A peer rejected piece @piece or is gone without sending it: it may be
 * asked of another at once. */
void              tsr_metadata_fetch_release  (TsrMetadataFetch  *self,
                                               guint              piece);
/* Takes a received piece. When it completes the dictionary, the whole is
 * hashed: a mismatch starts over (size unknown again) and fails with
 * TSR_METADATA_ERROR_HASH. */
gboolean          tsr_metadata_fetch_add      (TsrMetadataFetch  *self,
                                               guint              piece,
                                               const guint8      *data,
                                               gsize              length,
                                               GError           **error);
/* Fraction of the pieces received, 0 to 1. */
gdouble           tsr_metadata_fetch_get_progress (TsrMetadataFetch *self);
/* Returns: (transfer full) (nullable): the verified dictionary, once
 * complete. */
GBytes           *tsr_metadata_fetch_dup_info (TsrMetadataFetch  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrMetadataFetch, tsr_metadata_fetch_free)

G_END_DECLS
