/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-bencode.c: the strict decoder against valid and malformed input,
 * byte spans, the canonical encoder, round trips, building and the dump.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-bencode.h"

static TsrBencode *
decode_text (const char             *text,
             TsrBencodeDecodeFlags   flags,
             GError                **error)
{
  return tsr_bencode_decode ((const guint8 *) text, strlen (text), flags, NULL, error);
}

static char *
encode_text (const TsrBencode *node)
{
  g_autoptr(GBytes) bytes = tsr_bencode_encode (node);
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  return g_strndup (data, length);
}

static const struct
{
  const char *input;
  TsrBencodeError code;
} bad_inputs[] = {
  { "", TSR_BENCODE_ERROR_EMPTY },
  { "i01e", TSR_BENCODE_ERROR_LEADING_ZERO },
  { "i00e", TSR_BENCODE_ERROR_LEADING_ZERO },
  { "i-01e", TSR_BENCODE_ERROR_LEADING_ZERO },
  { "i-0e", TSR_BENCODE_ERROR_NEGATIVE_ZERO },
  { "ie", TSR_BENCODE_ERROR_EMPTY_INTEGER },
  { "i-e", TSR_BENCODE_ERROR_EMPTY_INTEGER },
  { "i9223372036854775808e", TSR_BENCODE_ERROR_INTEGER_OVERFLOW },
  { "i-9223372036854775809e", TSR_BENCODE_ERROR_INTEGER_OVERFLOW },
  { "i99999999999999999999999e", TSR_BENCODE_ERROR_INTEGER_OVERFLOW },
  { "i12", TSR_BENCODE_ERROR_TRUNCATED },
  { "i", TSR_BENCODE_ERROR_TRUNCATED },
  { "i1.5e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "i+1e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "i 1e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "i--1e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "01:a", TSR_BENCODE_ERROR_LEADING_ZERO },
  { "00:", TSR_BENCODE_ERROR_LEADING_ZERO },
  { "5:abc", TSR_BENCODE_ERROR_STRING_LENGTH },
  { "99999999999999999999999999:a", TSR_BENCODE_ERROR_STRING_LENGTH },
  { "18446744073709551616:a", TSR_BENCODE_ERROR_STRING_LENGTH },
  { "3", TSR_BENCODE_ERROR_TRUNCATED },
  { "3x", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "-1:a", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "l", TSR_BENCODE_ERROR_TRUNCATED },
  { "li1e", TSR_BENCODE_ERROR_TRUNCATED },
  { "d", TSR_BENCODE_ERROR_TRUNCATED },
  { "d1:a", TSR_BENCODE_ERROR_TRUNCATED },
  { "d1:ae", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "di1ei2ee", TSR_BENCODE_ERROR_KEY_NOT_STRING },
  { "dli1ee1:ae", TSR_BENCODE_ERROR_KEY_NOT_STRING },
  { "dde1:ae", TSR_BENCODE_ERROR_KEY_NOT_STRING },
  { "d1:ai1e1:ai2ee", TSR_BENCODE_ERROR_DUPLICATE_KEY },
  { "d1:bi1e1:ai1e1:bi2ee", TSR_BENCODE_ERROR_DUPLICATE_KEY },
  { "i1ei2e", TSR_BENCODE_ERROR_TRAILING_DATA },
  { "le ", TSR_BENCODE_ERROR_TRAILING_DATA },
  { "1:ae", TSR_BENCODE_ERROR_TRAILING_DATA },
  { "e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "x", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { " i1e", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
  { "lxe", TSR_BENCODE_ERROR_UNEXPECTED_BYTE },
};

static void
test_rejects_malformed (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrBencode) node = decode_text (bad_inputs[i].input, 0, &error);

      if (node != NULL || error == NULL || error->code != (int) bad_inputs[i].code)
        g_test_message ("input %u: “%s”", i, bad_inputs[i].input);
      g_assert_null (node);
      g_assert_error (error, TSR_BENCODE_ERROR, (int) bad_inputs[i].code);
      /* Every message names a byte offset, except for empty input. */
      if (bad_inputs[i].code != TSR_BENCODE_ERROR_EMPTY)
        g_assert_nonnull (strstr (error->message, "byte"));
    }
}

static void
test_error_offsets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) node = decode_text ("li1ei2ei03ee", 0, &error);

  g_assert_null (node);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_LEADING_ZERO);
  g_assert_nonnull (strstr (error->message, "byte 7"));
}

static void
test_integers (void)
{
  static const struct { const char *input; gint64 value; } cases[] = {
    { "i0e", 0 },
    { "i1e", 1 },
    { "i-1e", -1 },
    { "i42e", 42 },
    { "i9223372036854775807e", G_MAXINT64 },
    { "i-9223372036854775808e", G_MININT64 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrBencode) node = decode_text (cases[i].input, 0, &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (tsr_bencode_get_node_type (node), ==, TSR_BENCODE_INTEGER);
      g_assert_cmpint (tsr_bencode_get_integer (node), ==, cases[i].value);
      again = encode_text (node);
      g_assert_cmpstr (again, ==, cases[i].input);
    }
}

static void
test_strings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) empty = decode_text ("0:", 0, &error);
  g_autoptr(TsrBencode) binary = NULL;
  const guint8 *data;
  gsize length = 99;

  g_assert_no_error (error);
  data = tsr_bencode_get_string (empty, &length);
  g_assert_cmpuint (length, ==, 0);
  g_assert_nonnull (data);
  g_assert_cmpint (data[0], ==, 0);

  binary = tsr_bencode_decode ((const guint8 *) "4:a\0b\xff", 6, 0, NULL, &error);
  g_assert_no_error (error);
  data = tsr_bencode_get_string (binary, &length);
  g_assert_cmpuint (length, ==, 4);
  g_assert_cmpmem (data, 4, "a\0b\xff", 4);
  g_assert_cmpint (data[4], ==, 0);   /* NUL after the last byte */
}

static void
test_large_string (void)
{
  gsize size = 1024 * 1024;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autofree guint8 *payload = g_malloc (size);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) node = NULL;
  g_autofree char *prefix = g_strdup_printf ("%" G_GSIZE_FORMAT ":", size);
  gsize length = 0;
  gsize i;

  for (i = 0; i < size; i++)
    payload[i] = (guint8) (i * 13);
  g_byte_array_append (input, (const guint8 *) prefix, strlen (prefix));
  g_byte_array_append (input, payload, size);
  node = tsr_bencode_decode (input->data, input->len, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (tsr_bencode_get_string (node, &length), size, payload, size);
  g_assert_cmpuint (length, ==, size);

  /* One byte short is an error, not a read past the end. */
  g_clear_pointer (&node, tsr_bencode_free);
  node = tsr_bencode_decode (input->data, input->len - 1, 0, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_STRING_LENGTH);
}

static void
test_lists_and_dicts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) root = decode_text ("d4:listli1e3:twoledee3:numi-7e3:str3:abce", 0, &error);
  TsrBencode *list;
  gint64 number = 0;
  const guint8 *key;
  gsize key_length = 0;
  gsize length = 0;

  g_assert_no_error (error);
  g_assert_cmpint (tsr_bencode_get_node_type (root), ==, TSR_BENCODE_DICT);
  g_assert_cmpuint (tsr_bencode_dict_size (root), ==, 3);
  list = tsr_bencode_dict_lookup_type (root, "list", TSR_BENCODE_LIST);
  g_assert_nonnull (list);
  g_assert_cmpuint (tsr_bencode_list_length (list), ==, 4);
  g_assert_cmpint (tsr_bencode_get_integer (tsr_bencode_list_get (list, 0)), ==, 1);
  g_assert_cmpint (tsr_bencode_get_node_type (tsr_bencode_list_get (list, 2)), ==, TSR_BENCODE_LIST);
  g_assert_cmpint (tsr_bencode_get_node_type (tsr_bencode_list_get (list, 3)), ==, TSR_BENCODE_DICT);
  g_assert_true (tsr_bencode_dict_lookup_integer (root, "num", &number));
  g_assert_cmpint (number, ==, -7);
  g_assert_cmpmem (tsr_bencode_dict_lookup_string (root, "str", &length), length, "abc", 3);
  /* Typed look-ups miss on the wrong type or a missing key. */
  g_assert_null (tsr_bencode_dict_lookup_type (root, "num", TSR_BENCODE_STRING));
  g_assert_false (tsr_bencode_dict_lookup_integer (root, "str", NULL));
  g_assert_null (tsr_bencode_dict_lookup_string (root, "missing", NULL));
  g_assert_null (tsr_bencode_dict_lookup (root, "lis"));
  tsr_bencode_dict_get_nth (root, 1, &key, &key_length);
  g_assert_cmpmem (key, key_length, "num", 3);
}

static void
test_spans (void)
{
  /* "info" is not canonical (unsorted keys): its span must give the
   * original bytes, which the info hash is computed over. */
  const char *text = "d8:announce3:url4:infod4:name1:x6:lengthi5eee";
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) root = decode_text (text, 0, &error);
  TsrBencode *info;
  gsize offset = 0;
  gsize length = 0;
  g_autofree char *span = NULL;
  g_autoptr(TsrBencode) built = tsr_bencode_new_integer (1);

  g_assert_no_error (error);
  info = tsr_bencode_dict_lookup (root, "info");
  g_assert_true (tsr_bencode_get_span (info, &offset, &length));
  span = g_strndup (text + offset, length);
  g_assert_cmpstr (span, ==, "d4:name1:x6:lengthi5ee");
  g_assert_true (tsr_bencode_get_span (root, &offset, &length));
  g_assert_cmpuint (offset, ==, 0);
  g_assert_cmpuint (length, ==, strlen (text));
  g_assert_true (tsr_bencode_get_span (tsr_bencode_dict_lookup (info, "length"), &offset, &length));
  g_assert_cmpuint (length, ==, 3);
  g_assert_cmpmem (text + offset, 3, "i5e", 3);
  g_assert_false (tsr_bencode_get_span (built, NULL, NULL));
}

static void
test_unsorted_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) loose = decode_text ("d1:bi1e1:ai2ee", 0, &error);
  g_autoptr(TsrBencode) strict = NULL;
  g_autofree char *canonical = NULL;

  g_assert_no_error (error);
  canonical = encode_text (loose);
  g_assert_cmpstr (canonical, ==, "d1:ai2e1:bi1ee");
  strict = decode_text ("d1:bi1e1:ai2ee", TSR_BENCODE_DECODE_STRICT_ORDER, &error);
  g_assert_null (strict);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_UNSORTED_KEYS);
}

static void
test_trailing_allowed (void)
{
  const char *text = "d8:msg_typei1e5:piecei0eeRAWDATA";
  g_autoptr(GError) error = NULL;
  gsize consumed = 0;
  g_autoptr(TsrBencode) node = tsr_bencode_decode ((const guint8 *) text, strlen (text),
                                                   TSR_BENCODE_DECODE_ALLOW_TRAILING, &consumed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (consumed, ==, strlen (text) - 7);
}

static void
test_deep_nesting (void)
{
  const gsize n = 100000;
  g_autofree char *opens = g_malloc (n + 1);
  g_autofree char *balanced = g_malloc (2 * n + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) node = NULL;
  g_autofree char *ok = NULL;
  g_autoptr(TsrBencode) ok_node = NULL;
  guint depth = TSR_BENCODE_MAX_DEPTH;

  memset (opens, 'l', n);
  opens[n] = '\0';
  node = decode_text (opens, 0, &error);
  g_assert_null (node);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_TOO_DEEP);
  g_clear_error (&error);

  memset (balanced, 'l', n);
  memset (balanced + n, 'e', n);
  balanced[2 * n] = '\0';
  node = decode_text (balanced, 0, &error);
  g_assert_null (node);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_TOO_DEEP);
  g_clear_error (&error);

  /* Exactly at the limit is fine, and dicts count too. */
  ok = g_strnfill (depth, 'l');
  ok = g_realloc (ok, 2 * depth + 1);
  memset (ok + depth, 'e', depth);
  ok[2 * depth] = '\0';
  ok_node = decode_text (ok, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok_node);
}

static void
test_large_dict (void)
{
  const guint n = 100000;
  g_autoptr(TsrBencode) dict = tsr_bencode_new_dict ();
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(TsrBencode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) reversed = g_string_new ("d");
  g_autoptr(TsrBencode) unsorted = NULL;
  guint i;

  for (i = 0; i < n; i++)
    {
      char key[16];

      g_snprintf (key, sizeof key, "k%07u", i);
      tsr_bencode_dict_insert_len (dict, (const guint8 *) key, strlen (key), tsr_bencode_new_integer (i));
    }
  encoded = tsr_bencode_encode (dict);
  decoded = tsr_bencode_decode_bytes (encoded, TSR_BENCODE_DECODE_STRICT_ORDER, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tsr_bencode_dict_size (decoded), ==, n);

  /* Unsorted and large: the duplicate check must stay linear. */
  for (i = n; i > 0; i--)
    g_string_append_printf (reversed, "8:k%07ui%ue", i - 1, i - 1);
  g_string_append_printf (reversed, "8:k%07ui0e", n / 2);   /* a duplicate deep inside */
  g_string_append_c (reversed, 'e');
  unsorted = decode_text (reversed->str, 0, &error);
  g_assert_null (unsorted);
  g_assert_error (error, TSR_BENCODE_ERROR, TSR_BENCODE_ERROR_DUPLICATE_KEY);
}

static void
test_round_trip (void)
{
  static const char *const canonical[] = {
    "i0e",
    "0:",
    "le",
    "de",
    "l4:spami42ee",
    "d3:bar4:spam3:fooi42ee",
    "d0:i1e1:ai2e2:aai3e1:bi4ee",
    "d4:infod5:filesld6:lengthi1e4:pathl1:aeee4:name1:x12:piece lengthi16384e6:pieces0:ee",
    "lllleeee",
    "d1:ad1:bd1:cleeee",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (canonical); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TsrBencode) node = decode_text (canonical[i], TSR_BENCODE_DECODE_STRICT_ORDER, &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      again = encode_text (node);
      g_assert_cmpstr (again, ==, canonical[i]);
    }
}

/* encode (decode (x)) == x for every file of the fuzz corpus that decodes
 * strictly (keys in order: the canonical form), and for one that decodes
 * only with keys out of order, its encoding is canonical: it decodes
 * strictly and encodes to itself. The corpus is tests/fuzz/corpus/bencode,
 * found through G_TEST_SRCDIR, which meson sets. */
static void
test_corpus_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint canonical = 0;
  guint reordered = 0;

  if (g_getenv ("G_TEST_SRCDIR") == NULL)
    {
      g_test_fail_printf ("G_TEST_SRCDIR is not set: run through meson test");
      return;
    }
  path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "bencode", NULL);
  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;
      g_autoptr(TsrBencode) strict = NULL;
      g_autoptr(TsrBencode) loose = NULL;
      g_autoptr(TsrBencode) again = NULL;
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GBytes) reencoded = NULL;

      g_file_get_contents (file, &data, &length, &error);
      g_assert_no_error (error);
      strict = tsr_bencode_decode ((const guint8 *) data, length, TSR_BENCODE_DECODE_STRICT_ORDER, NULL, NULL);
      if (strict != NULL)
        {
          encoded = tsr_bencode_encode (strict);
          if (g_bytes_get_size (encoded) != length ||
              memcmp (g_bytes_get_data (encoded, NULL), data, length) != 0)
            g_error ("%s does not encode back to its bytes", name);
          canonical++;
          continue;
        }
      loose = tsr_bencode_decode ((const guint8 *) data, length, TSR_BENCODE_DECODE_DEFAULT, NULL, NULL);
      if (loose == NULL)
        continue;
      encoded = tsr_bencode_encode (loose);
      again = tsr_bencode_decode (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                                  TSR_BENCODE_DECODE_STRICT_ORDER, NULL, &error);
      g_assert_no_error (error);
      reencoded = tsr_bencode_encode (again);
      g_assert_true (g_bytes_equal (encoded, reencoded));
      reordered++;
    }
  g_test_message ("%u files round trip, %u more decode with keys out of order", canonical, reordered);
  /* The corpus holds both kinds: an empty or unreadable one fails here. */
  g_assert_cmpuint (canonical, >, 0);
  g_assert_cmpuint (reordered, >, 0);
}

/* A decoded tree's nodes live in its root's blocks; changing it moves a
 * container's array to the heap, and nodes already handed out stay valid. */
static void
test_change_decoded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) root = decode_text ("d1:ai1e1:bl1:x1:ye1:cle1:ddee", 0, &error);
  TsrBencode *list;
  TsrBencode *first;
  TsrBencode *empty;
  TsrBencode *nested;
  g_autofree char *text = NULL;
  guint i;

  g_assert_no_error (error);
  list = tsr_bencode_dict_lookup (root, "b");
  first = tsr_bencode_list_get (list, 0);
  tsr_bencode_list_append (list, tsr_bencode_new_text ("z"));
  g_assert_true (tsr_bencode_list_get (list, 0) == first);
  g_assert_cmpmem (tsr_bencode_get_string (first, NULL), 1, "x", 1);
  for (i = 0; i < 40; i++)
    tsr_bencode_list_append (list, tsr_bencode_new_integer (i));
  g_assert_cmpuint (tsr_bencode_list_length (list), ==, 43);

  empty = tsr_bencode_dict_lookup (root, "c");
  tsr_bencode_list_append (empty, tsr_bencode_new_integer (7));
  nested = tsr_bencode_dict_lookup (root, "d");
  tsr_bencode_dict_insert (nested, "k", tsr_bencode_new_integer (8));

  /* Replacing a decoded value, then adding keys past the index threshold. */
  tsr_bencode_dict_insert (root, "a", tsr_bencode_new_text ("one"));
  for (i = 0; i < 40; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%02u", i);

      tsr_bencode_dict_insert (root, key, tsr_bencode_new_integer (i));
    }
  g_assert_cmpuint (tsr_bencode_dict_size (root), ==, 44);
  g_assert_true (tsr_bencode_dict_lookup (root, "b") == list);
  text = encode_text (tsr_bencode_dict_lookup (root, "c"));
  g_assert_cmpstr (text, ==, "li7ee");
  g_clear_pointer (&text, g_free);
  text = encode_text (nested);
  g_assert_cmpstr (text, ==, "d1:ki8ee");
  g_clear_pointer (&text, g_free);
  text = encode_text (tsr_bencode_dict_lookup (root, "a"));
  g_assert_cmpstr (text, ==, "3:one");
}

static void
test_build_and_encode (void)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  TsrBencode *list = tsr_bencode_new_list ();
  g_autofree char *text = NULL;
  static const guint8 binary_key[] = { 0xff, 0x00 };

  tsr_bencode_dict_insert (root, "zeta", tsr_bencode_new_integer (-3));
  tsr_bencode_dict_insert (root, "alpha", tsr_bencode_new_text ("x"));
  tsr_bencode_list_append (list, tsr_bencode_new_string ("\0\1", 2));
  tsr_bencode_list_append (list, tsr_bencode_new_dict ());
  tsr_bencode_dict_insert (root, "list", list);
  tsr_bencode_dict_insert_len (root, binary_key, 2, tsr_bencode_new_integer (1));
  tsr_bencode_dict_insert (root, "alpha", tsr_bencode_new_text ("replaced"));
  text = encode_text (root);
  g_assert_cmpuint (tsr_bencode_dict_size (root), ==, 4);
  /* Sorted bytewise: "alpha" < "list" < "zeta" < "\xff\0". Compare with memcmp: it has a NUL. */
  {
    g_autoptr(GBytes) bytes = tsr_bencode_encode (root);
    static const char expected[] = "d5:alpha8:replaced4:listl2:\0\1dee4:zetai-3e2:\xff\0i1ee";

    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                     expected, sizeof expected - 1);
  }
}

static void
test_dump (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) root = decode_text ("d8:announce9:http://x/4:infod6:lengthi12e6:pieces4:\x01\x02\x03\x04" "e4:listli1eleee", 0, &error);
  g_autofree char *dump = NULL;
  g_autofree char *short_dump = NULL;

  g_assert_no_error (error);
  dump = tsr_bencode_dump (root, 0);
  g_assert_cmpstr (dump, ==,
                   "{\n"
                   "  \"announce\": \"http://x/\"\n"
                   "  \"info\": {\n"
                   "    \"length\": 12\n"
                   "    \"pieces\": <4 bytes: 01020304>\n"
                   "  }\n"
                   "  \"list\": [\n"
                   "    1\n"
                   "    []\n"
                   "  ]\n"
                   "}\n");
  short_dump = tsr_bencode_dump (root, 2);
  g_assert_nonnull (strstr (short_dump, "<4 bytes: 0102…>"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bencode/decode/rejects-malformed", test_rejects_malformed);
  g_test_add_func ("/bencode/decode/error-offsets", test_error_offsets);
  g_test_add_func ("/bencode/decode/integers", test_integers);
  g_test_add_func ("/bencode/decode/strings", test_strings);
  g_test_add_func ("/bencode/decode/large-string", test_large_string);
  g_test_add_func ("/bencode/decode/lists-and-dicts", test_lists_and_dicts);
  g_test_add_func ("/bencode/decode/spans", test_spans);
  g_test_add_func ("/bencode/decode/unsorted-keys", test_unsorted_keys);
  g_test_add_func ("/bencode/decode/trailing-allowed", test_trailing_allowed);
  g_test_add_func ("/bencode/decode/deep-nesting", test_deep_nesting);
  g_test_add_func ("/bencode/decode/large-dict", test_large_dict);
  g_test_add_func ("/bencode/encode/round-trip", test_round_trip);
  g_test_add_func ("/bencode/encode/corpus-round-trip", test_corpus_round_trip);
  g_test_add_func ("/bencode/encode/build", test_build_and_encode);
  g_test_add_func ("/bencode/decode/change-decoded", test_change_decoded);
  g_test_add_func ("/bencode/dump", test_dump);

  return g_test_run ();
}
