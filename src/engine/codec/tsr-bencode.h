/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bencode.h: strict bencode decoder and canonical encoder (BEP 3).
 *
 * A decoded value is a tree of TsrBencode nodes. The root owns the whole
 * tree; child nodes returned by the accessors are borrowed from it and
 * live as long as the root. Every decoded node remembers the exact byte
 * span it came from, so that an info hash can be computed over the
 * original bytes even when they are not canonical.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_BENCODE_ERROR (tsr_bencode_error_quark ())
GQuark tsr_bencode_error_quark (void);

/**
 * TsrBencodeError:
 * Codes of the TSR_BENCODE_ERROR domain. Every message names the byte
 * offset at which the fault was found.
 */
typedef enum
{
  TSR_BENCODE_ERROR_TRUNCATED,         /* input ends inside a value */
  TSR_BENCODE_ERROR_UNEXPECTED_BYTE,   /* a byte that cannot start or continue a value */
  TSR_BENCODE_ERROR_LEADING_ZERO,      /* "i01e" or "01:x" */
  TSR_BENCODE_ERROR_NEGATIVE_ZERO,     /* "i-0e" */
  TSR_BENCODE_ERROR_INTEGER_OVERFLOW,  /* integer outside gint64 */
  TSR_BENCODE_ERROR_EMPTY_INTEGER,     /* "ie" or "i-e" */
  TSR_BENCODE_ERROR_STRING_LENGTH,     /* string length past the end of input */
  TSR_BENCODE_ERROR_KEY_NOT_STRING,    /* dictionary key that is not a string */
  TSR_BENCODE_ERROR_DUPLICATE_KEY,     /* the same key twice in one dictionary */
  TSR_BENCODE_ERROR_UNSORTED_KEYS,     /* keys out of order (only with TSR_BENCODE_DECODE_STRICT_ORDER) */
  TSR_BENCODE_ERROR_TOO_DEEP,          /* nesting deeper than TSR_BENCODE_MAX_DEPTH */
  TSR_BENCODE_ERROR_TRAILING_DATA,     /* bytes after the top-level value */
  TSR_BENCODE_ERROR_EMPTY,             /* no input at all */
} TsrBencodeError;

/* Lists and dictionaries may nest this deep; deeper input is an error,
 * never a stack overflow. */
#define TSR_BENCODE_MAX_DEPTH 512

typedef enum
{
  TSR_BENCODE_DECODE_DEFAULT      = 0,
  /* Reject dictionaries whose keys are not in sorted (bytewise) order.
   * Off by default: real torrents in the wild have unsorted keys, and
   * hashing uses the original bytes anyway. */
  TSR_BENCODE_DECODE_STRICT_ORDER = 1 << 0,
  /* Stop after the first complete value instead of rejecting trailing
   * bytes (BEP 9 metadata messages carry data after the dictionary). */
  TSR_BENCODE_DECODE_ALLOW_TRAILING = 1 << 1,
} TsrBencodeDecodeFlags;

typedef enum
{
  TSR_BENCODE_INTEGER,
  TSR_BENCODE_STRING,
  TSR_BENCODE_LIST,
  TSR_BENCODE_DICT,
} TsrBencodeType;

typedef struct _TsrBencode TsrBencode;

/* Decoding. @data need not stay alive after the call: strings are copied
 * into the tree. @consumed (optional) receives the number of bytes used. */
TsrBencode     *tsr_bencode_decode          (const guint8           *data,
                                             gsize                   length,
                                             TsrBencodeDecodeFlags   flags,
                                             gsize                  *consumed,
                                             GError                **error);
TsrBencode     *tsr_bencode_decode_bytes    (GBytes                 *bytes,
                                             TsrBencodeDecodeFlags   flags,
                                             GError                **error);

/* Frees a root and everything under it. Must not be called on a child. */
void            tsr_bencode_free            (TsrBencode             *node);

TsrBencodeType  tsr_bencode_get_node_type   (const TsrBencode       *node);
const char     *tsr_bencode_type_to_string  (TsrBencodeType          type);

/* Byte span of a decoded node in the input it was decoded from. Nodes
 * built with the constructors below have no span and return FALSE. */
gboolean        tsr_bencode_get_span        (const TsrBencode       *node,
                                             gsize                  *offset,
                                             gsize                  *length);

/* Integers */
gint64          tsr_bencode_get_integer     (const TsrBencode       *node);

/* Strings: byte strings, not NUL-terminated in general (a NUL is still
 * appended after the last byte so text can be used as a C string once
 * its length has been checked against strlen). */
const guint8   *tsr_bencode_get_string      (const TsrBencode       *node,
                                             gsize                  *length);

/* Lists */
guint           tsr_bencode_list_length     (const TsrBencode       *node);
TsrBencode     *tsr_bencode_list_get        (const TsrBencode       *node,
                                             guint                   index);

/* Dictionaries; entries keep the order they had in the input (sorted for
 * built dictionaries once encoded). */
guint           tsr_bencode_dict_size       (const TsrBencode       *node);
TsrBencode     *tsr_bencode_dict_get_nth    (const TsrBencode       *node,
                                             guint                   index,
                                             const guint8          **key,
                                             gsize                  *key_length);
TsrBencode     *tsr_bencode_dict_lookup     (const TsrBencode       *node,
                                             const char             *key);
/* Typed look-ups: NULL (or FALSE) when the key is missing or its value
 * has another type. */
TsrBencode     *tsr_bencode_dict_lookup_type (const TsrBencode      *node,
                                              const char            *key,
                                              TsrBencodeType         type);
gboolean        tsr_bencode_dict_lookup_integer (const TsrBencode   *node,
                                                 const char         *key,
                                                 gint64             *value);
const guint8   *tsr_bencode_dict_lookup_string  (const TsrBencode   *node,
                                                 const char         *key,
                                                 gsize              *length);

/* Building. Constructors return a new root; appending or inserting a
 * node transfers its ownership to the container. */
TsrBencode     *tsr_bencode_new_integer     (gint64                  value);
TsrBencode     *tsr_bencode_new_string      (const void             *data,
                                             gsize                   length);
TsrBencode     *tsr_bencode_new_text        (const char             *text);
TsrBencode     *tsr_bencode_new_list        (void);
TsrBencode     *tsr_bencode_new_dict        (void);
void            tsr_bencode_list_append     (TsrBencode             *list,
                                             TsrBencode             *value);
/* Replaces an existing entry with the same key. */
void            tsr_bencode_dict_insert     (TsrBencode             *dict,
                                             const char             *key,
                                             TsrBencode             *value);
void            tsr_bencode_dict_insert_len (TsrBencode             *dict,
                                             const guint8           *key,
                                             gsize                   key_length,
                                             TsrBencode             *value);

/* Canonical encoding: dictionary keys sorted bytewise, shortest integer
 * forms. A decoded canonical input re-encodes to the same bytes. */
GBytes         *tsr_bencode_encode          (const TsrBencode       *node);
void            tsr_bencode_encode_to       (const TsrBencode       *node,
                                             GByteArray             *out);

/* Human-readable indented dump (the original's torrent/parse). Strings
 * that are printable UTF-8 are quoted; other strings are shown as hex
 * (shortened past @max_binary bytes, 0 for no limit). */
char           *tsr_bencode_dump            (const TsrBencode       *node,
                                             gsize                   max_binary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrBencode, tsr_bencode_free)

G_END_DECLS
