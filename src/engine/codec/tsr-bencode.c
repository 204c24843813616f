/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bencode.c: the strict bencode decoder (BEP 3), the nodes it makes,
 * their accessors and the builders. The canonical encoder and the dump
 * for people are in tsr-bencode-write.c, the allocators in tsr-slab.h.
 *
 * Everything Tessera reads from a .torrent file, a tracker or a peer's
 * extension message passes through here first, so the decoder trusts
 * nothing: lengths are checked before they are used, integers before they
 * overflow, and nesting is bounded so that hostile input cannot exhaust
 * the stack. Each node records the byte span it came from, which is what
 * info hashes are computed over.
 */
#define G_LOG_DOMAIN "tsr-bencode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-slab.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-bencode-error-quark, tsr_bencode_error)

/* An entry of a built dictionary, or of a decoded one that was changed. */
typedef struct
{
  guint8     *key;       /* NUL-terminated after key_length bytes; owned
                          * unless key_in_arena */
  guint32     key_length;
  guint32     key_in_arena;
  TsrBencode *value;     /* (owned) */
} DictEntry;

typedef struct _DecodedEntry DecodedEntry;

/* 24 bytes a node, and no allocation of its own for a decoded node,
 * string or key: a torrent of a million one-byte files is four million
 * nodes. Decoded strings and keys are copied into one arena the size of
 * the input (a string's bytes and NUL never take more room than its
 * encoding, nor a key's with its length); decoded nodes and their arrays
 * are carved at their exact size from blocks (see TsrSlab), a list's items
 * and a dictionary's values stored in place rather than as pointers. The
 * root owns both. Spans and string lengths are 32-bit: decoding refuses
 * input of 4 GiB or more. */
struct _TsrBencode
{
  guint8         type;          /* TsrBencodeType */
  guint8         has_span;      /* decoded: the node belongs to its root's slab */
  guint8         in_arena;      /* string: data in the root's arena; list or
                                 * dictionary: items or entries in the slab,
                                 * values in place (see list_child ()) */
  guint8         owns_arena;    /* a RootNode */
  guint32        count;         /* string bytes, list items, dictionary entries */
  guint32        offset;
  guint32        length;
  union
  {
    gint64         integer;
    guint8        *string;     /* NUL-terminated after count bytes; owned unless in_arena */
    TsrBencode   **items;      /* (owned unless in_arena) capacity implied by count, see
                                * tsr_array_grow (); a TsrBencode[count] when in_arena */
    DictEntry     *entries;    /* (owned) after a DictHeader, capacity implied by count */
    DecodedEntry  *decoded;    /* in_arena: after a DictHeader when count is at least
                                * DICT_INDEX_THRESHOLD */
  } v;
};

G_STATIC_ASSERT (sizeof (TsrBencode) <= 24);

/* A decoded dictionary's entry, 32 bytes: its value in place, one
 * pointer fewer a value than a DictEntry, and its key's length in the
 * root's arena with the key (see arena_dup_key ()). */
struct _DecodedEntry
{
  guint8     *key;       /* in the arena, NUL-terminated after its length */
  TsrBencode  value;
};

G_STATIC_ASSERT (sizeof (DecodedEntry) <= 32);

/* The length arena_dup_key () stored before @key: 7 bits a byte, the
 * lowest next to the key, each byte with more before it flagged 0x80. */
static inline gsize
decoded_key_length (const guint8 *key)
{
  const guint8 *p = key - 1;
  gsize length = *p & 0x7f;
  guint shift = 7;

  while (*p & 0x80)
    {
      p--;
      length |= (gsize) (*p & 0x7f) << shift;
      shift += 7;
    }
  return length;
}

/* Large dictionaries get a key → position index on first look-up, so that
 * building a 100 000-file tree stays linear. Its pointer sits before the
 * entries (those of every built dictionary, those of large decoded ones),
 * not in every node. */
typedef struct
{
  GHashTable *index;     /* (owned) (nullable) */
} DictHeader;

#define DICT_INDEX_THRESHOLD 32

static inline DictHeader *
dict_header (const TsrBencode *dict)
{
  if (dict->in_arena)
    {
      if (dict->count < DICT_INDEX_THRESHOLD)
        return NULL;
      return (DictHeader *) dict->v.decoded - 1;
    }
  if (dict->v.entries == NULL)
    return NULL;
  return (DictHeader *) dict->v.entries - 1;
}

typedef struct
{
  TsrBencode    node;
  guint8       *arena;     /* (owned) */
  TsrSlabBlock *blocks;    /* (owned) this node is in one of them */
} RootNode;

static void node_free (TsrBencode *node);

static TsrBencode *
node_new (TsrBencodeType type)
{
  TsrBencode *node = g_slice_new0 (TsrBencode);

  node->type = type;
  return node;
}

static inline TsrBencode *
list_child (const TsrBencode *list,
            guint             index)
{
  if (list->in_arena)
    return &((TsrBencode *) list->v.items)[index];
  return list->v.items[index];
}

static inline TsrBencode *
dict_value (const TsrBencode *dict,
            guint             index)
{
  if (dict->in_arena)
    return &dict->v.decoded[index].value;
  return dict->v.entries[index].value;
}

static inline const guint8 *
dict_key (const TsrBencode *dict,
          guint             index,
          gsize            *length)
{
  if (dict->in_arena)
    {
      *length = decoded_key_length (dict->v.decoded[index].key);
      return dict->v.decoded[index].key;
    }
  *length = dict->v.entries[index].key_length;
  return dict->v.entries[index].key;
}

/* A decoded node is freed with its root: only what was added to it since
 * (built values, arrays moved to the heap, look-up indexes) is freed here. */
static void
node_free (TsrBencode *node)
{
  DictHeader *header;
  guint i;

  switch (node->type)
    {
    case TSR_BENCODE_STRING:
      if (!node->in_arena)
        g_free (node->v.string);
      break;
    case TSR_BENCODE_LIST:
      for (i = 0; i < node->count; i++)
        node_free (list_child (node, i));
      if (!node->in_arena)
        g_free (node->v.items);
      break;
    case TSR_BENCODE_DICT:
      header = dict_header (node);
      if (header != NULL)
        g_clear_pointer (&header->index, g_hash_table_unref);
      for (i = 0; i < node->count; i++)
        {
          if (!node->in_arena && !node->v.entries[i].key_in_arena)
            g_free (node->v.entries[i].key);
          node_free (dict_value (node, i));
        }
      if (!node->in_arena)
        g_free (header);
      break;
    case TSR_BENCODE_INTEGER:
    default:
      break;
    }
  if (node->owns_arena)
    {
      RootNode *root = (RootNode *) node;
      TsrSlab slab = { root->blocks, NULL, 0, 0 };

      g_free (root->arena);
      tsr_slab_clear (&slab);   /* the root itself is in there */
    }
  else if (!node->has_span)
    g_slice_free (TsrBencode, node);
}

/* Before a decoded container changes, its array moves to the heap; its
 * nodes stay in the slab, where callers may hold them, and so do its keys
 * (in the arena) and its look-up index's keys. */
static void
container_unfreeze (TsrBencode *node)
{
  guint i;

  if (!node->in_arena)
    return;
  if (node->type == TSR_BENCODE_LIST)
    {
      TsrBencode *items = (TsrBencode *) node->v.items;

      node->in_arena = FALSE;
      node->v.items = NULL;
      if (node->count == 0)
        return;
      node->v.items = g_new (TsrBencode *, tsr_array_capacity (node->count));
      for (i = 0; i < node->count; i++)
        node->v.items[i] = &items[i];
    }
  else
    {
      DictHeader *old_header = dict_header (node);
      DecodedEntry *decoded = node->v.decoded;
      DictHeader *header;

      node->in_arena = FALSE;
      node->v.entries = NULL;
      if (node->count == 0)
        return;
      header = g_malloc (sizeof (DictHeader) + tsr_array_capacity (node->count) * sizeof (DictEntry));
      header->index = old_header != NULL ? old_header->index : NULL;
      node->v.entries = (DictEntry *) (header + 1);
      for (i = 0; i < node->count; i++)
        {
          DictEntry *entry = &node->v.entries[i];

          entry->key = decoded[i].key;
          entry->key_length = (guint32) decoded_key_length (decoded[i].key);
          entry->key_in_arena = TRUE;
          entry->value = &decoded[i].value;
        }
    }
}

static void
list_add (TsrBencode *list,
          TsrBencode *value)
{
  container_unfreeze (list);
  list->v.items = tsr_array_grow (list->v.items, list->count, sizeof (TsrBencode *), 0);
  list->v.items[list->count++] = value;
}

static DictEntry *
dict_add (TsrBencode *dict)
{
  DictEntry *entry;

  container_unfreeze (dict);
  dict->v.entries = tsr_array_grow (dict->v.entries, dict->count, sizeof (DictEntry), sizeof (DictHeader));
  entry = &dict->v.entries[dict->count++];
  memset (entry, 0, sizeof *entry);
  return entry;
}

void
tsr_bencode_free (TsrBencode *node)
{
  if (node != NULL)
    node_free (node);
}

static guint8 *
dup_bytes (const void *data,
           gsize       length)
{
  guint8 *copy = g_malloc (length + 1);

  if (length > 0)
    memcpy (copy, data, length);
  copy[length] = '\0';
  return copy;
}

/* Bytewise order, shorter first on a common prefix (BEP 3: raw strings). */
static int
key_compare (const guint8 *a,
             gsize         a_length,
             const guint8 *b,
             gsize         b_length)
{
  int result = memcmp (a, b, MIN (a_length, b_length));

  if (result != 0)
    return result;
  return a_length < b_length ? -1 : a_length > b_length ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

typedef struct
{
  const guint8          *data;
  gsize                  length;
  gsize                  pos;
  TsrBencodeDecodeFlags  flags;
  guint8                *arena;       /* strings and keys, see struct _TsrBencode */
  gsize                  arena_used;
} Decoder;

/* Copies a decoded string into the arena, NUL-terminated. */
static guint8 *
arena_dup (Decoder      *d,
           const guint8 *data,
           gsize         length)
{
  guint8 *copy = d->arena + d->arena_used;

  g_assert (d->arena_used + length + 1 <= d->length + 1);
  if (length > 0)
    memcpy (copy, data, length);
  copy[length] = '\0';
  d->arena_used += length + 1;
  return copy;
}

/* Copies a decoded key into the arena, NUL-terminated, after its length
 * (read back by decoded_key_length ()). The length takes a byte for 7
 * bits, never more bytes than its decimal digits took in the input, so
 * the arena still holds every string and key. */
static guint8 *
arena_dup_key (Decoder      *d,
               const guint8 *data,
               gsize         length)
{
  guint8 groups[10];
  guint n = 0;
  gsize rest = length;
  guint8 *out = d->arena + d->arena_used;

  if (length < 0x80)
    {
      /* Most keys: one byte, and room for it (see above). */
      d->arena[d->arena_used++] = (guint8) length;
      return arena_dup (d, data, length);
    }
  do
    {
      groups[n++] = rest & 0x7f;
      rest >>= 7;
    }
  while (rest != 0);
  g_assert (d->arena_used + n + length + 1 <= d->length + 1);
  d->arena_used += n;
  while (n > 0)
    {
      n--;
      *out++ = groups[n] | (n > 0 ? 0x80 : 0);
    }
  return arena_dup (d, data, length);
}

/* An open list or dictionary. Its children gather in the frame's scratch
 * arrays, kept for the next container at the same depth, and move to the
 * slab at their exact size when it closes: no per-node allocation, and
 * no doubling slack left in the tree. */
typedef struct
{
  TsrBencodeType  type;
  gsize           offset;
  guint8         *pending_key;     /* dictionary: key read (in the arena), value not yet */
  gsize           last_key_length; /* dictionary: of the key read last */
  gsize           key_offset;
  gboolean        sorted;          /* keys so far in strictly increasing order */
  guint           count;
  TsrBencode     *values;          /* (owned) scratch for lists */
  guint           values_capacity;
  DecodedEntry   *entries;         /* (owned) scratch for dictionaries */
  guint           entries_capacity;
} Frame;

static gboolean
fail (GError     **error,
      TsrBencodeError code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError        **error,
      TsrBencodeError code,
      const char     *format,
      ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    *error = g_error_new_valist (TSR_BENCODE_ERROR, code, format, args);
  va_end (args);
  return FALSE;
}

/* "i<digits>e": no leading zeros, no -0, within gint64. */
static gboolean
decode_integer (Decoder  *d,
                gint64   *out,
                GError  **error)
{
  gsize start = d->pos;
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  guint64 limit;
  gsize digits = 0;

  d->pos++;   /* 'i' */
  if (d->pos < d->length && d->data[d->pos] == '-')
    {
      negative = TRUE;
      d->pos++;
    }
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;
  while (d->pos < d->length && g_ascii_isdigit (d->data[d->pos]))
    {
      guint digit = d->data[d->pos] - '0';

      if (digits == 1 && magnitude == 0)
        return fail (error, TSR_BENCODE_ERROR_LEADING_ZERO,
                     _("Integer at byte %zu has a leading zero"), start);
      if (magnitude > (limit - digit) / 10)
        return fail (error, TSR_BENCODE_ERROR_INTEGER_OVERFLOW,
                     _("Integer at byte %zu does not fit in 64 bits"), start);
      magnitude = magnitude * 10 + digit;
      digits++;
      d->pos++;
    }
  if (d->pos >= d->length)
    return fail (error, TSR_BENCODE_ERROR_TRUNCATED,
                 _("Input ends inside the integer at byte %zu"), start);
  if (digits == 0)
    {
      if (d->data[d->pos] == 'e')
        return fail (error, TSR_BENCODE_ERROR_EMPTY_INTEGER,
                     _("Integer at byte %zu has no digits"), start);
      return fail (error, TSR_BENCODE_ERROR_UNEXPECTED_BYTE,
                   _("Unexpected byte 0x%02x at byte %zu in an integer"),
                   d->data[d->pos], d->pos);
    }
  if (d->data[d->pos] != 'e')
    return fail (error, TSR_BENCODE_ERROR_UNEXPECTED_BYTE,
                 _("Unexpected byte 0x%02x at byte %zu in an integer"),
                 d->data[d->pos], d->pos);
  if (negative && magnitude == 0)
    return fail (error, TSR_BENCODE_ERROR_NEGATIVE_ZERO,
                 _("Integer at byte %zu is a negative zero"), start);
  d->pos++;   /* 'e' */
  if (negative)
    *out = magnitude == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) magnitude;
  else
    *out = (gint64) magnitude;
  return TRUE;
}

/* "<length>:<bytes>". Returns a pointer into the input. */
static gboolean
decode_string (Decoder       *d,
               const guint8 **out,
               gsize         *out_length,
               GError       **error)
{
  gsize start = d->pos;
  gsize length = 0;
  gsize digits = 0;

  while (d->pos < d->length && g_ascii_isdigit (d->data[d->pos]))
    {
      guint digit = d->data[d->pos] - '0';

      if (digits == 1 && length == 0)
        return fail (error, TSR_BENCODE_ERROR_LEADING_ZERO,
                     _("String length at byte %zu has a leading zero"), start);
      /* Any length past the input is an error; stop before it can overflow. */
      if (length > (d->length - digit) / 10)
        return fail (error, TSR_BENCODE_ERROR_STRING_LENGTH,
                     _("String at byte %zu is longer than the input"), start);
      length = length * 10 + digit;
      digits++;
      d->pos++;
    }
  if (d->pos >= d->length)
    return fail (error, TSR_BENCODE_ERROR_TRUNCATED,
                 _("Input ends inside the string length at byte %zu"), start);
  if (d->data[d->pos] != ':')
    return fail (error, TSR_BENCODE_ERROR_UNEXPECTED_BYTE,
                 _("Unexpected byte 0x%02x at byte %zu in a string length"),
                 d->data[d->pos], d->pos);
  d->pos++;
  if (length > d->length - d->pos)
    return fail (error, TSR_BENCODE_ERROR_STRING_LENGTH,
                 _("String at byte %zu is longer than the input"), start);
  *out = d->data + d->pos;
  *out_length = length;
  d->pos += length;
  return TRUE;
}

/* Called when a dictionary closes: reject duplicate keys. Sorted keys were
 * already checked pairwise while reading; unsorted ones go through a set so
 * that a hostile 100 000-key dictionary stays linear. */
static gboolean
check_duplicates (Frame   *frame,
                  GError **error)
{
  g_autoptr(GHashTable) seen = NULL;
  guint i;

  if (frame->sorted)
    return TRUE;
  seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  for (i = 0; i < frame->count; i++)
    {
      DecodedEntry *entry = &frame->entries[i];
      gsize key_length = decoded_key_length (entry->key);
      GBytes *key = g_bytes_new_static (entry->key, key_length);

      if (!g_hash_table_add (seen, key))
        {
          g_autofree char *shown = tsr_quote_for_message ((const char *) entry->key, key_length);

          return fail (error, TSR_BENCODE_ERROR_DUPLICATE_KEY,
                       _("Dictionary at byte %zu has the key “%s” twice"),
                       frame->offset, shown);
        }
    }
  return TRUE;
}

/* Adds a finished value to the open container on top of the stack. */
static void
frame_add (Frame            *top,
           const TsrBencode *value)
{
  if (top->type == TSR_BENCODE_DICT)
    {
      DecodedEntry *entry;

      if (top->count == top->entries_capacity)
        {
          top->entries_capacity = MAX (top->entries_capacity * 2, 8);
          top->entries = g_renew (DecodedEntry, top->entries, top->entries_capacity);
        }
      entry = &top->entries[top->count];
      entry->key = g_steal_pointer (&top->pending_key);
      entry->value = *value;
    }
  else
    {
      if (top->count == top->values_capacity)
        {
          top->values_capacity = MAX (top->values_capacity * 2, 8);
          top->values = g_renew (TsrBencode, top->values, top->values_capacity);
        }
      top->values[top->count] = *value;
    }
  top->count++;
}

/* Moves a closed container's children into the slab, at their size. */
static void
frame_close (Frame      *frame,
             TsrSlab    *slab,
             TsrBencode *node)
{
  memset (node, 0, sizeof *node);
  node->type = frame->type;
  node->has_span = TRUE;
  node->in_arena = TRUE;
  node->count = frame->count;
  node->offset = (guint32) frame->offset;
  if (frame->count == 0)
    return;
  if (frame->type == TSR_BENCODE_LIST)
    {
      node->v.items = tsr_slab_alloc (slab, frame->count * sizeof (TsrBencode));
      memcpy (node->v.items, frame->values, frame->count * sizeof (TsrBencode));
      return;
    }
  if (frame->count >= DICT_INDEX_THRESHOLD)
    {
      DictHeader *header = tsr_slab_alloc (slab, sizeof (DictHeader) + frame->count * sizeof (DecodedEntry));

      header->index = NULL;
      node->v.decoded = (DecodedEntry *) (header + 1);
    }
  else
    node->v.decoded = tsr_slab_alloc (slab, frame->count * sizeof (DecodedEntry));
  memcpy (node->v.decoded, frame->entries, frame->count * sizeof (DecodedEntry));
}

/* Frames past the first few come from the heap: most messages are a
 * dictionary or two deep. */
#define LOCAL_FRAMES 16

TsrBencode *
tsr_bencode_decode (const guint8          *data,
                    gsize                  length,
                    TsrBencodeDecodeFlags  flags,
                    gsize                 *consumed,
                    GError               **error)
{
  Decoder d = { data, length, 0, flags, NULL, 0 };
  Frame local[LOCAL_FRAMES];
  Frame *stack = local;
  guint capacity = LOCAL_FRAMES;
  guint frames_used = 0;       /* frames whose scratch is initialized */
  guint depth = 0;
  TsrSlab slab = { NULL, NULL, 0, 0 };
  TsrBencode value;
  RootNode *root = NULL;
  guint i;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      fail (error, TSR_BENCODE_ERROR_EMPTY, _("The input is empty"));
      return NULL;
    }
  if (length >= G_MAXUINT32)
    {
      fail (error, TSR_BENCODE_ERROR_STRING_LENGTH, _("The input is 4 GiB or larger"));
      return NULL;
    }
  d.arena = g_malloc (length + 1);
  /* A first block in proportion to the input: one allocation for a
   * KRPC message's nodes. */
  slab.next_size = CLAMP (length * 8, 512, TSR_SLAB_MAX_BLOCK);

  /* An explicit stack: no recursion, whatever the nesting. */
  for (;;)
    {
      Frame *top = depth > 0 ? &stack[depth - 1] : NULL;
      gsize start = d.pos;
      guint8 c;

      if (d.pos >= d.length)
        {
          fail (error, TSR_BENCODE_ERROR_TRUNCATED,
                _("Input ends at byte %zu inside a value"), d.pos);
          goto error;
        }
      c = d.data[d.pos];

      if (c == 'e' && top != NULL)
        {
          if (top->type == TSR_BENCODE_DICT && top->pending_key != NULL)
            {
              fail (error, TSR_BENCODE_ERROR_UNEXPECTED_BYTE,
                    _("Dictionary key at byte %zu has no value"), top->key_offset);
              goto error;
            }
          if (top->type == TSR_BENCODE_DICT && !check_duplicates (top, error))
            goto error;
          d.pos++;
          frame_close (top, &slab, &value);
          value.length = (guint32) (d.pos - top->offset);
          depth--;
        }
      /* A dictionary expecting a key reads a string here. */
      else if (top != NULL && top->type == TSR_BENCODE_DICT && top->pending_key == NULL)
        {
          const guint8 *key;
          gsize key_length = 0;

          if (!g_ascii_isdigit (c))
            {
              fail (error, TSR_BENCODE_ERROR_KEY_NOT_STRING,
                    _("Dictionary key at byte %zu is not a string"), start);
              goto error;
            }
          if (!decode_string (&d, &key, &key_length, error))
            goto error;
          if (top->count > 0 && top->sorted)
            {
              DecodedEntry *last = &top->entries[top->count - 1];
              int order = key_compare (last->key, top->last_key_length, key, key_length);

              if (order == 0)
                {
                  g_autofree char *shown = tsr_quote_for_message ((const char *) key, key_length);

                  fail (error, TSR_BENCODE_ERROR_DUPLICATE_KEY,
                        _("Dictionary at byte %zu has the key “%s” twice"),
                        top->offset, shown);
                  goto error;
                }
              if (order > 0)
                {
                  if (d.flags & TSR_BENCODE_DECODE_STRICT_ORDER)
                    {
                      fail (error, TSR_BENCODE_ERROR_UNSORTED_KEYS,
                            _("Dictionary key at byte %zu is out of order"), start);
                      goto error;
                    }
                  top->sorted = FALSE;
                }
            }
          top->pending_key = arena_dup_key (&d, key, key_length);
          top->last_key_length = key_length;
          top->key_offset = start;
          continue;
        }
      else if (c == 'i')
        {
          gint64 integer = 0;

          if (!decode_integer (&d, &integer, error))
            goto error;
          memset (&value, 0, sizeof value);
          value.type = TSR_BENCODE_INTEGER;
          value.v.integer = integer;
        }
      else if (g_ascii_isdigit (c))
        {
          const guint8 *bytes;
          gsize bytes_length = 0;

          if (!decode_string (&d, &bytes, &bytes_length, error))
            goto error;
          memset (&value, 0, sizeof value);
          value.type = TSR_BENCODE_STRING;
          value.v.string = arena_dup (&d, bytes, bytes_length);
          value.count = (guint32) bytes_length;
          value.in_arena = TRUE;
        }
      else if (c == 'l' || c == 'd')
        {
          Frame *frame;

          if (depth >= TSR_BENCODE_MAX_DEPTH)
            {
              fail (error, TSR_BENCODE_ERROR_TOO_DEEP,
                    g_dngettext (GETTEXT_PACKAGE, "Value at byte %zu is nested more than %d level deep",
                                 "Value at byte %zu is nested more than %d levels deep", TSR_BENCODE_MAX_DEPTH),
                    start, TSR_BENCODE_MAX_DEPTH);
              goto error;
            }
          if (depth == capacity)
            {
              Frame *grown = g_new (Frame, MIN (capacity * 2, TSR_BENCODE_MAX_DEPTH));

              memcpy (grown, stack, capacity * sizeof (Frame));
              if (stack != local)
                g_free (stack);
              stack = grown;
              capacity = MIN (capacity * 2, TSR_BENCODE_MAX_DEPTH);
            }
          frame = &stack[depth];
          if (depth == frames_used)
            {
              memset (frame, 0, sizeof *frame);
              frames_used++;
            }
          frame->type = c == 'l' ? TSR_BENCODE_LIST : TSR_BENCODE_DICT;
          frame->offset = start;
          frame->pending_key = NULL;
          frame->sorted = TRUE;
          frame->count = 0;
          d.pos++;
          depth++;
          continue;
        }
      else
        {
          fail (error, TSR_BENCODE_ERROR_UNEXPECTED_BYTE,
                _("Unexpected byte 0x%02x at byte %zu"), c, start);
          goto error;
        }

      /* A finished value: spans of scalars here, of containers above. */
      value.has_span = TRUE;
      if (value.type == TSR_BENCODE_INTEGER || value.type == TSR_BENCODE_STRING)
        {
          value.offset = (guint32) start;
          value.length = (guint32) (d.pos - start);
        }
      if (depth == 0)
        break;
      frame_add (&stack[depth - 1], &value);
    }

  if (d.pos < d.length && !(flags & TSR_BENCODE_DECODE_ALLOW_TRAILING))
    {
      fail (error, TSR_BENCODE_ERROR_TRAILING_DATA,
            _("Unexpected data at byte %zu after the end of the value"), d.pos);
      goto error;
    }
  /* The root comes last, in the slab it owns. */
  root = tsr_slab_alloc (&slab, sizeof (RootNode));
  root->node = value;
  root->node.owns_arena = TRUE;
  root->arena = d.arena;
  root->blocks = slab.blocks;
  if (consumed != NULL)
    *consumed = d.pos;
  for (i = 0; i < frames_used; i++)
    {
      g_free (stack[i].values);
      g_free (stack[i].entries);
    }
  if (stack != local)
    g_free (stack);
  return &root->node;

error:
  for (i = 0; i < frames_used; i++)
    {
      g_free (stack[i].values);
      g_free (stack[i].entries);
    }
  if (stack != local)
    g_free (stack);
  tsr_slab_clear (&slab);
  g_free (d.arena);
  return NULL;
}

TsrBencode *
tsr_bencode_decode_bytes (GBytes                *bytes,
                          TsrBencodeDecodeFlags  flags,
                          GError               **error)
{
  gsize length = 0;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &length);
  return tsr_bencode_decode (data, length, flags, NULL, error);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

TsrBencodeType
tsr_bencode_get_node_type (const TsrBencode *node)
{
  g_return_val_if_fail (node != NULL, TSR_BENCODE_INTEGER);
  return node->type;
}

const char *
tsr_bencode_type_to_string (TsrBencodeType type)
{
  switch (type)
    {
    /* TRANSLATORS: the names of bencode's types, inserted in messages
     * like "Field “length” in file 3 has the type string instead of
     * integer": translate them as names that need no article */
    case TSR_BENCODE_INTEGER: return _("integer");
    case TSR_BENCODE_STRING: return _("string");
    case TSR_BENCODE_LIST: return _("list");
    case TSR_BENCODE_DICT: return _("dictionary");
    default: return "?";
    }
}

gboolean
tsr_bencode_get_span (const TsrBencode *node,
                      gsize            *offset,
                      gsize            *length)
{
  g_return_val_if_fail (node != NULL, FALSE);
  if (!node->has_span)
    return FALSE;
  if (offset != NULL)
    *offset = node->offset;
  if (length != NULL)
    *length = node->length;
  return TRUE;
}

gint64
tsr_bencode_get_integer (const TsrBencode *node)
{
  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_INTEGER, 0);
  return node->v.integer;
}

const guint8 *
tsr_bencode_get_string (const TsrBencode *node,
                        gsize            *length)
{
  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_STRING, NULL);
  if (length != NULL)
    *length = node->count;
  return node->v.string;
}

guint
tsr_bencode_list_length (const TsrBencode *node)
{
  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_LIST, 0);
  return node->count;
}

TsrBencode *
tsr_bencode_list_get (const TsrBencode *node,
                      guint             index)
{
  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_LIST, NULL);
  g_return_val_if_fail (index < node->count, NULL);
  return list_child (node, index);
}

guint
tsr_bencode_dict_size (const TsrBencode *node)
{
  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_DICT, 0);
  return node->count;
}

TsrBencode *
tsr_bencode_dict_get_nth (const TsrBencode  *node,
                          guint              index,
                          const guint8     **key,
                          gsize             *key_length)
{
  const guint8 *found_key;
  gsize found_length = 0;

  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_DICT, NULL);
  g_return_val_if_fail (index < node->count, NULL);
  found_key = dict_key (node, index, &found_length);
  if (key != NULL)
    *key = found_key;
  if (key_length != NULL)
    *key_length = found_length;
  return dict_value (node, index);
}

static void
index_add (TsrBencode *node,
           GHashTable *index,
           guint       position)
{
  gsize key_length = 0;
  const guint8 *key = dict_key (node, position, &key_length);

  /* First entry wins, as in a linear scan. Keys live as long as entries. */
  g_hash_table_insert (index, g_bytes_new_static (key, key_length), GUINT_TO_POINTER (position + 1));
}

/* The position of @key in @node, or -1. */
static gssize
dict_find (TsrBencode   *node,
           const guint8 *key,
           gsize         key_length)
{
  DictHeader *header = dict_header (node);
  guint i;

  if (header != NULL && header->index == NULL && node->count >= DICT_INDEX_THRESHOLD)
    {
      header->index = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
      for (i = node->count; i > 0; i--)
        index_add (node, header->index, i - 1);
    }
  if (header != NULL && header->index != NULL)
    {
      g_autoptr(GBytes) probe = g_bytes_new_static (key, key_length);
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (header->index, probe));

      return (gssize) position - 1;
    }
  if (node->in_arena)
    {
      for (i = 0; i < node->count; i++)
        {
          DecodedEntry *entry = &node->v.decoded[i];

          if (decoded_key_length (entry->key) == key_length && memcmp (entry->key, key, key_length) == 0)
            return i;
        }
      return -1;
    }
  for (i = 0; i < node->count; i++)
    {
      DictEntry *entry = &node->v.entries[i];

      if (entry->key_length == key_length && memcmp (entry->key, key, key_length) == 0)
        return i;
    }
  return -1;
}

TsrBencode *
tsr_bencode_dict_lookup (const TsrBencode *node,
                         const char       *key)
{
  gssize position;

  g_return_val_if_fail (node != NULL && node->type == TSR_BENCODE_DICT, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  position = dict_find ((TsrBencode *) node, (const guint8 *) key, strlen (key));
  return position >= 0 ? dict_value (node, position) : NULL;
}

TsrBencode *
tsr_bencode_dict_lookup_type (const TsrBencode *node,
                              const char       *key,
                              TsrBencodeType    type)
{
  TsrBencode *value = tsr_bencode_dict_lookup (node, key);

  return value != NULL && value->type == type ? value : NULL;
}

gboolean
tsr_bencode_dict_lookup_integer (const TsrBencode *node,
                                 const char       *key,
                                 gint64           *value)
{
  TsrBencode *found = tsr_bencode_dict_lookup_type (node, key, TSR_BENCODE_INTEGER);

  if (found == NULL)
    return FALSE;
  if (value != NULL)
    *value = found->v.integer;
  return TRUE;
}

const guint8 *
tsr_bencode_dict_lookup_string (const TsrBencode *node,
                                const char       *key,
                                gsize            *length)
{
  TsrBencode *found = tsr_bencode_dict_lookup_type (node, key, TSR_BENCODE_STRING);

  if (found == NULL)
    return NULL;
  if (length != NULL)
    *length = found->count;
  return found->v.string;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

TsrBencode *
tsr_bencode_new_integer (gint64 value)
{
  TsrBencode *node = node_new (TSR_BENCODE_INTEGER);

  node->v.integer = value;
  return node;
}

TsrBencode *
tsr_bencode_new_string (const void *data,
                        gsize       length)
{
  TsrBencode *node;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  /* The length shares the node with the span (see struct _TsrBencode). */
  g_return_val_if_fail (length < G_MAXUINT32, NULL);
  node = node_new (TSR_BENCODE_STRING);
  node->v.string = dup_bytes (data, length);
  node->count = (guint32) length;
  return node;
}

TsrBencode *
tsr_bencode_new_text (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);
  return tsr_bencode_new_string (text, strlen (text));
}

TsrBencode *
tsr_bencode_new_list (void)
{
  return node_new (TSR_BENCODE_LIST);
}

TsrBencode *
tsr_bencode_new_dict (void)
{
  return node_new (TSR_BENCODE_DICT);
}

void
tsr_bencode_list_append (TsrBencode *list,
                         TsrBencode *value)
{
  g_return_if_fail (list != NULL && list->type == TSR_BENCODE_LIST);
  g_return_if_fail (value != NULL);
  g_return_if_fail (list->count < G_MAXUINT32);
  list_add (list, value);
}

void
tsr_bencode_dict_insert_len (TsrBencode   *dict,
                             const guint8 *key,
                             gsize         key_length,
                             TsrBencode   *value)
{
  DictHeader *header;
  DictEntry *entry;
  gssize position;

  g_return_if_fail (dict != NULL && dict->type == TSR_BENCODE_DICT);
  g_return_if_fail (key != NULL || key_length == 0);
  g_return_if_fail (value != NULL);
  g_return_if_fail (key_length < G_MAXUINT32 && dict->count < G_MAXUINT32);

  /* A decoded dictionary holds its values in place: its entries move to
   * the heap first, pointing at them, so that one can be replaced. */
  container_unfreeze (dict);
  position = dict_find (dict, key, key_length);
  if (position >= 0)
    {
      entry = &dict->v.entries[position];
      node_free (entry->value);
      entry->value = value;
      return;
    }
  /* Growing may move the entries; the index maps keys to positions and
   * the keys themselves do not move. */
  entry = dict_add (dict);
  entry->key = dup_bytes (key, key_length);
  entry->key_length = (guint32) key_length;
  entry->value = value;
  header = dict_header (dict);
  if (header->index != NULL)
    index_add (dict, header->index, dict->count - 1);
}

void
tsr_bencode_dict_insert (TsrBencode *dict,
                         const char *key,
                         TsrBencode *value)
{
  g_return_if_fail (key != NULL);
  tsr_bencode_dict_insert_len (dict, (const guint8 *) key, strlen (key), value);
}
