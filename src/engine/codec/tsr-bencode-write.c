/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bencode-write.c: a TsrBencode tree written out, as canonical
 * bencode (BEP 3: dictionary keys sorted bytewise, shortest integer
 * forms) or as an indented dump for people (tessera-cli show --raw).
 * Built over the public accessors of tsr-bencode.h, so that the nodes'
 * layout stays the decoder's business.
 */
#define G_LOG_DOMAIN "tsr-bencode"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-bencode.h"

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* A dictionary entry, copied to be sorted without touching the node. */
typedef struct
{
  const guint8 *key;
  gsize         key_length;
  TsrBencode   *value;
} SortedEntry;

/* Bytewise order, shorter first on a common prefix (BEP 3: raw strings). */
static int
entry_compare (gconstpointer a,
               gconstpointer b)
{
  const SortedEntry *x = a;
  const SortedEntry *y = b;
  int result = memcmp (x->key, y->key, MIN (x->key_length, y->key_length));

  if (result != 0)
    return result;
  return x->key_length < y->key_length ? -1 : x->key_length > y->key_length ? 1 : 0;
}

static void
append_length_prefix (GByteArray *out,
                      gsize       length)
{
  char prefix[32];
  int n = g_snprintf (prefix, sizeof prefix, "%zu:", length);

  g_byte_array_append (out, (const guint8 *) prefix, n);
}

/* Recursion is bounded: decoded trees are at most TSR_BENCODE_MAX_DEPTH
 * deep, and built trees are as deep as their builder made them. */
static void
encode_node (const TsrBencode *node,
             GByteArray       *out)
{
  char number[32];
  const guint8 *data;
  gsize length = 0;
  guint count;
  int n;
  guint i;

  switch (tsr_bencode_get_node_type (node))
    {
    case TSR_BENCODE_INTEGER:
      n = g_snprintf (number, sizeof number, "i%" PRId64 "e", tsr_bencode_get_integer (node));
      g_byte_array_append (out, (const guint8 *) number, n);
      break;
    case TSR_BENCODE_STRING:
      data = tsr_bencode_get_string (node, &length);
      append_length_prefix (out, length);
      g_byte_array_append (out, data, length);
      break;
    case TSR_BENCODE_LIST:
      count = tsr_bencode_list_length (node);
      g_byte_array_append (out, (const guint8 *) "l", 1);
      for (i = 0; i < count; i++)
        encode_node (tsr_bencode_list_get (node, i), out);
      g_byte_array_append (out, (const guint8 *) "e", 1);
      break;
    case TSR_BENCODE_DICT:
      {
        /* A copy of each entry, whichever kind the dictionary holds. */
        g_autofree SortedEntry *sorted = NULL;

        count = tsr_bencode_dict_size (node);
        sorted = g_new (SortedEntry, count + 1);
        for (i = 0; i < count; i++)
          sorted[i].value = tsr_bencode_dict_get_nth (node, i, &sorted[i].key, &sorted[i].key_length);
        qsort (sorted, count, sizeof (SortedEntry), entry_compare);
        g_byte_array_append (out, (const guint8 *) "d", 1);
        for (i = 0; i < count; i++)
          {
            append_length_prefix (out, sorted[i].key_length);
            g_byte_array_append (out, sorted[i].key, sorted[i].key_length);
            encode_node (sorted[i].value, out);
          }
        g_byte_array_append (out, (const guint8 *) "e", 1);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

void
tsr_bencode_encode_to (const TsrBencode *node,
                       GByteArray       *out)
{
  g_return_if_fail (node != NULL);
  g_return_if_fail (out != NULL);
  encode_node (node, out);
}

GBytes *
tsr_bencode_encode (const TsrBencode *node)
{
  GByteArray *out;

  g_return_val_if_fail (node != NULL, NULL);
  out = g_byte_array_new ();
  encode_node (node, out);
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------ */
/* Dump                                                                */

static gboolean
is_printable_text (const guint8 *data,
                   gsize         length)
{
  const char *p;
  const char *end = (const char *) data + length;

  if (!g_utf8_validate ((const char *) data, length, NULL))
    return FALSE;
  for (p = (const char *) data; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isprint (c) && c != ' ')
        return FALSE;
    }
  return TRUE;
}

static void
dump_string (GString      *out,
             const guint8 *data,
             gsize         length,
             gsize         max_binary)
{
  gsize shown;
  gsize i;

  if (is_printable_text (data, length))
    {
      g_string_append_c (out, '"');
      for (i = 0; i < length; i++)
        {
          if (data[i] == '"' || data[i] == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, (char) data[i]);
        }
      g_string_append_c (out, '"');
      return;
    }
  shown = max_binary > 0 ? MIN (length, max_binary) : length;
  /* TRANSLATORS: a binary string in a dump, e.g. "<20 bytes: 0a1b…>" */
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "<%zu byte: ",
                                            "<%zu bytes: ", length), length);
  for (i = 0; i < shown; i++)
    g_string_append_printf (out, "%02x", data[i]);
  if (shown < length)
    g_string_append (out, "…");
  g_string_append_c (out, '>');
}

static void
dump_node (GString          *out,
           const TsrBencode *node,
           guint             indent,
           gsize             max_binary)
{
  const guint8 *data;
  gsize length = 0;
  guint count;
  guint i;

  switch (tsr_bencode_get_node_type (node))
    {
    case TSR_BENCODE_INTEGER:
      g_string_append_printf (out, "%" PRId64 "\n", tsr_bencode_get_integer (node));
      break;
    case TSR_BENCODE_STRING:
      data = tsr_bencode_get_string (node, &length);
      dump_string (out, data, length, max_binary);
      g_string_append_c (out, '\n');
      break;
    case TSR_BENCODE_LIST:
      count = tsr_bencode_list_length (node);
      g_string_append (out, count == 0 ? "[]\n" : "[\n");
      for (i = 0; i < count; i++)
        {
          g_string_append_printf (out, "%*s", (indent + 1) * 2, "");
          dump_node (out, tsr_bencode_list_get (node, i), indent + 1, max_binary);
        }
      if (count > 0)
        g_string_append_printf (out, "%*s]\n", indent * 2, "");
      break;
    case TSR_BENCODE_DICT:
      count = tsr_bencode_dict_size (node);
      g_string_append (out, count == 0 ? "{}\n" : "{\n");
      for (i = 0; i < count; i++)
        {
          gsize key_length = 0;
          const guint8 *key = NULL;
          TsrBencode *value = tsr_bencode_dict_get_nth (node, i, &key, &key_length);

          g_string_append_printf (out, "%*s", (indent + 1) * 2, "");
          dump_string (out, key, key_length, max_binary);
          g_string_append (out, ": ");
          dump_node (out, value, indent + 1, max_binary);
        }
      if (count > 0)
        g_string_append_printf (out, "%*s}\n", indent * 2, "");
      break;
    default:
      g_assert_not_reached ();
    }
}

char *
tsr_bencode_dump (const TsrBencode *node,
                  gsize             max_binary)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);
  out = g_string_new (NULL);
  dump_node (out, node, 0, max_binary);
  return g_string_free (out, FALSE);
}
