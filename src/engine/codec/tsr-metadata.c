/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metadata.c: BEP 9 ut_metadata. The codec reads a bencoded header
 * followed (for data) by the raw piece; the fetch state gathers the
 * pieces of an info dictionary from whichever peers answer, asks a piece
 * again when its peer goes quiet, and hands out the dictionary only when
 * it hashes to the magnet's info hash. What peers say is untrusted: the
 * size is bounded, and a piece must have exactly its length.
 */
#define G_LOG_DOMAIN "tsr-metadata"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-metadata.h"

G_DEFINE_QUARK (tsr-metadata-error-quark, tsr_metadata_error)

static gboolean
malformed (GError     **error,
           const char  *what)
{
  g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_MALFORMED,
               _("The metadata message has a malformed “%s”"), what);
  return FALSE;
}

guint
tsr_metadata_piece_count (gint64 size)
{
  if (size <= 0)
    return 0;
  return (guint) ((size + TSR_METADATA_PIECE_SIZE - 1) / TSR_METADATA_PIECE_SIZE);
}

gboolean
tsr_metadata_message_parse (const guint8        *data,
                            gsize                length,
                            TsrMetadataMessage  *message,
                            GError             **error)
{
  g_autoptr(TsrBencode) root = NULL;
  gsize consumed = 0;
  gint64 number;

  memset (message, 0, sizeof *message);
  message->total_size = -1;
  root = tsr_bencode_decode (data, length, TSR_BENCODE_DECODE_ALLOW_TRAILING, &consumed, error);
  if (root == NULL)
    {
      g_prefix_error (error, _("Metadata message: "));
      return FALSE;
    }
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    return malformed (error, "");
  if (!tsr_bencode_dict_lookup_integer (root, "msg_type", &number) || number < 0 || number > G_MAXINT)
    return malformed (error, "msg_type");
  message->type = (gint) number;
  if (!tsr_bencode_dict_lookup_integer (root, "piece", &number) || number < 0 ||
      number >= tsr_metadata_piece_count (TSR_METADATA_MAX_SIZE))
    return malformed (error, "piece");
  message->piece = (guint) number;
  if (message->type == TSR_METADATA_DATA)
    {
      if (!tsr_bencode_dict_lookup_integer (root, "total_size", &number) || number <= 0)
        return malformed (error, "total_size");
      message->total_size = number;
      message->data = data + consumed;
      message->data_length = length - consumed;
    }
  else if (consumed != length && message->type <= TSR_METADATA_REJECT)
    return malformed (error, "msg_type");
  return TRUE;
}

GBytes *
tsr_metadata_message_encode (TsrMetadataType  type,
                             guint            piece,
                             gint64           total_size,
                             const guint8    *data,
                             gsize            data_length)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  GByteArray *out = g_byte_array_new ();

  tsr_bencode_dict_insert (root, "msg_type", tsr_bencode_new_integer (type));
  tsr_bencode_dict_insert (root, "piece", tsr_bencode_new_integer (piece));
  if (type == TSR_METADATA_DATA)
    tsr_bencode_dict_insert (root, "total_size", tsr_bencode_new_integer (total_size));
  tsr_bencode_encode_to (root, out);
  if (type == TSR_METADATA_DATA && data_length > 0)
    g_byte_array_append (out, data, (guint) data_length);
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------ */
/* Gathering                                                           */

struct _TsrMetadataFetch
{
  gboolean  has_v1;
  guint8    info_hash[20];
  gboolean  has_v2;
  guint8    info_hash_v2[32];
  gint64    size;          /* -1: not known yet */
  guint     n_pieces;
  guint8   *buffer;        /* (owned) size bytes */
  gboolean *received;      /* (owned) per piece */
  gint64   *asked_at;      /* (owned) per piece: monotonic seconds, 0 = not asked */
  guint     n_received;
  GBytes   *info;          /* (owned) (nullable) verified */
};

TsrMetadataFetch *
tsr_metadata_fetch_new (const guint8 *info_hash,
                        const guint8 *info_hash_v2)
{
  TsrMetadataFetch *self = g_new0 (TsrMetadataFetch, 1);

  g_return_val_if_fail (info_hash != NULL || info_hash_v2 != NULL, NULL);
  if (info_hash != NULL)
    {
      self->has_v1 = TRUE;
      memcpy (self->info_hash, info_hash, 20);
    }
  if (info_hash_v2 != NULL)
    {
      self->has_v2 = TRUE;
      memcpy (self->info_hash_v2, info_hash_v2, 32);
    }
  self->size = -1;
  return self;
}

static void
clear_pieces (TsrMetadataFetch *self)
{
  g_clear_pointer (&self->buffer, g_free);
  g_clear_pointer (&self->received, g_free);
  g_clear_pointer (&self->asked_at, g_free);
  self->size = -1;
  self->n_pieces = 0;
  self->n_received = 0;
}

void
tsr_metadata_fetch_free (TsrMetadataFetch *self)
{
  if (self == NULL)
    return;
  clear_pieces (self);
  g_clear_pointer (&self->info, g_bytes_unref);
  g_free (self);
}

gboolean
tsr_metadata_fetch_set_size (TsrMetadataFetch  *self,
                             gint64             size,
                             GError           **error)
{
  if (size <= 0 || size > TSR_METADATA_MAX_SIZE)
    {
      g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_SIZE,
                   g_dngettext (GETTEXT_PACKAGE, "A peer gave a metadata size of %" PRId64 " byte (at most %d)",
                                "A peer gave a metadata size of %" PRId64 " bytes (at most %d)", (gulong) size),
                   size, TSR_METADATA_MAX_SIZE);
      return FALSE;
    }
  if (self->size >= 0 || self->info != NULL)
    {
      if (self->info != NULL ? (gint64) g_bytes_get_size (self->info) == size : self->size == size)
        return TRUE;
      g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_SIZE,
                   g_dngettext (GETTEXT_PACKAGE, "A peer gave a metadata size of %" PRId64 " byte, others %" PRId64,
                                "A peer gave a metadata size of %" PRId64 " bytes, others %" PRId64, (gulong) size),
                   size, self->info != NULL ? (gint64) g_bytes_get_size (self->info) : self->size);
      return FALSE;
    }
  self->size = size;
  self->n_pieces = tsr_metadata_piece_count (size);
  self->buffer = g_malloc (size);
  self->received = g_new0 (gboolean, self->n_pieces);
  self->asked_at = g_new0 (gint64, self->n_pieces);
  return TRUE;
}

gint64
tsr_metadata_fetch_get_size (TsrMetadataFetch *self)
{
  return self->info != NULL ? (gint64) g_bytes_get_size (self->info) : self->size;
}

gint
tsr_metadata_fetch_next (TsrMetadataFetch *self,
                         gint64            now)
{
  guint i;

  if (self->info != NULL || self->size < 0)
    return -1;
  for (i = 0; i < self->n_pieces; i++)
    if (!self->received[i] && (self->asked_at[i] == 0 || now - self->asked_at[i] >= TSR_METADATA_REQUEST_TIMEOUT))
      {
        /* 0 means "not asked": a clock at 0 still counts as asked. */
        self->asked_at[i] = MAX (now, 1);
        return (gint) i;
      }
  return -1;
}

void
tsr_metadata_fetch_release (TsrMetadataFetch *self,
                            guint             piece)
{
  if (self->asked_at != NULL && piece < self->n_pieces)
    self->asked_at[piece] = 0;
}

static gboolean
hash_matches (TsrMetadataFetch *self)
{
  if (self->has_v1)
    {
      struct sha1_ctx ctx;
      guint8 digest[SHA1_DIGEST_SIZE];

      sha1_init (&ctx);
      sha1_update (&ctx, self->size, self->buffer);
      sha1_digest (&ctx, sizeof digest, digest);
      if (memcmp (digest, self->info_hash, 20) != 0)
        return FALSE;
    }
  if (self->has_v2)
    {
      struct sha256_ctx ctx;
      guint8 digest[SHA256_DIGEST_SIZE];

      sha256_init (&ctx);
      sha256_update (&ctx, self->size, self->buffer);
      sha256_digest (&ctx, sizeof digest, digest);
      if (memcmp (digest, self->info_hash_v2, 32) != 0)
        return FALSE;
    }
  return TRUE;
}

gboolean
tsr_metadata_fetch_add (TsrMetadataFetch  *self,
                        guint              piece,
                        const guint8      *data,
                        gsize              length,
                        GError           **error)
{
  gsize expected;

  if (self->info != NULL)
    return TRUE;
  if (self->size < 0 || piece >= self->n_pieces)
    {
      g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_PIECE,
                   _("A peer sent metadata piece %u, which is out of range"), piece);
      return FALSE;
    }
  expected = piece + 1 < self->n_pieces ? TSR_METADATA_PIECE_SIZE
                                        : (gsize) (self->size - (gint64) piece * TSR_METADATA_PIECE_SIZE);
  if (length != expected)
    {
      g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_PIECE,
                   g_dngettext (GETTEXT_PACKAGE, "A peer sent metadata piece %u of %zu byte instead of %zu",
                                "A peer sent metadata piece %u of %zu bytes instead of %zu", (gulong) length),
                   piece, length, expected);
      return FALSE;
    }
  if (self->received[piece])
    return TRUE;
  memcpy (self->buffer + (gsize) piece * TSR_METADATA_PIECE_SIZE, data, length);
  self->received[piece] = TRUE;
  self->n_received++;
  if (self->n_received < self->n_pieces)
    return TRUE;
  if (!hash_matches (self))
    {
      clear_pieces (self);
      g_set_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_HASH,
                   _("The metadata from peers does not match the info hash"));
      return FALSE;
    }
  self->info = g_bytes_new_take (g_steal_pointer (&self->buffer), self->size);
  clear_pieces (self);
  return TRUE;
}

gdouble
tsr_metadata_fetch_get_progress (TsrMetadataFetch *self)
{
  if (self->info != NULL)
    return 1.0;
  return self->n_pieces > 0 ? (gdouble) self->n_received / self->n_pieces : 0.0;
}

GBytes *
tsr_metadata_fetch_dup_info (TsrMetadataFetch *self)
{
  return self->info != NULL ? g_bytes_ref (self->info) : NULL;
}
