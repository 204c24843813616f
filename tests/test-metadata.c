/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-metadata.c: BEP 9 ut_metadata: the message codec (libtorrent's
 * shapes, round trips, hostile messages) and gathering a dictionary
 * (out of order, repeats, timeouts, wrong lengths, a forged whole).
 */
#include "config.h"

#include <glib.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

#include "tsr-metadata.h"

static void
test_parse_shapes (void)
{
  static const char request[] = "d8:msg_typei0e5:piecei3ee";
  static const char data[] = "d8:msg_typei1e5:piecei0e10:total_sizei5eeHELLO";
  static const char reject[] = "d8:msg_typei2e5:piecei1ee";
  static const char future[] = "d8:msg_typei7e5:piecei0e3:xyzi1eeTRAILING";
  g_autoptr(GError) error = NULL;
  TsrMetadataMessage message;

  g_assert_true (tsr_metadata_message_parse ((const guint8 *) request, strlen (request), &message, &error));
  g_assert_no_error (error);
  g_assert_cmpint (message.type, ==, TSR_METADATA_REQUEST);
  g_assert_cmpuint (message.piece, ==, 3);
  g_assert_cmpint (message.total_size, ==, -1);

  g_assert_true (tsr_metadata_message_parse ((const guint8 *) data, strlen (data), &message, &error));
  g_assert_cmpint (message.type, ==, TSR_METADATA_DATA);
  g_assert_cmpint (message.total_size, ==, 5);
  g_assert_cmpmem (message.data, message.data_length, "HELLO", 5);

  g_assert_true (tsr_metadata_message_parse ((const guint8 *) reject, strlen (reject), &message, &error));
  g_assert_cmpint (message.type, ==, TSR_METADATA_REJECT);
  g_assert_cmpuint (message.piece, ==, 1);

  /* BEP 9: an unknown msg_type is for the receiver to ignore, not an error. */
  g_assert_true (tsr_metadata_message_parse ((const guint8 *) future, strlen (future), &message, &error));
  g_assert_cmpint (message.type, ==, 7);
}

static void
test_round_trip (void)
{
  guint8 piece[TSR_METADATA_PIECE_SIZE];
  g_autoptr(GBytes) bytes = NULL;
  TsrMetadataMessage message;
  guint i;

  for (i = 0; i < sizeof piece; i++)
    piece[i] = (guint8) (i * 7);
  bytes = tsr_metadata_message_encode (TSR_METADATA_DATA, 2, 40000, piece, sizeof piece);
  g_assert_true (tsr_metadata_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &message, NULL));
  g_assert_cmpint (message.type, ==, TSR_METADATA_DATA);
  g_assert_cmpuint (message.piece, ==, 2);
  g_assert_cmpint (message.total_size, ==, 40000);
  g_assert_cmpmem (message.data, message.data_length, piece, sizeof piece);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = tsr_metadata_message_encode (TSR_METADATA_REQUEST, 9, 0, NULL, 0);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "d8:msg_typei0e5:piecei9ee", 25);
}

static void
test_hostile (void)
{
  static const char *bad[] = {
    "",
    "le",
    "d5:piecei0ee",                                         /* no msg_type */
    "d8:msg_typei0ee",                                      /* no piece */
    "d8:msg_typei0e5:piecei-1ee",
    "d8:msg_typei0e5:piecei99999999ee",                     /* past any dictionary we take */
    "d8:msg_typei1e5:piecei0ee",                            /* data without total_size */
    "d8:msg_typei1e5:piecei0e10:total_sizei0ee",
    "d8:msg_typei0e5:piecei0eeJUNK",                        /* a request with a payload */
    "d8:msg_type1:05:piecei0ee",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      TsrMetadataMessage message;

      g_assert_false (tsr_metadata_message_parse ((const guint8 *) bad[i], strlen (bad[i]), &message, &error));
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static GBytes *
make_info (gsize   size,
           guint8 *sha1,
           guint8 *sha256)
{
  guint8 *data = g_malloc (size);
  struct sha1_ctx ctx1;
  struct sha256_ctx ctx2;
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) g_test_rand_int_range (0, 256);
  sha1_init (&ctx1);
  sha1_update (&ctx1, size, data);
  sha1_digest (&ctx1, SHA1_DIGEST_SIZE, sha1);
  sha256_init (&ctx2);
  sha256_update (&ctx2, size, data);
  sha256_digest (&ctx2, SHA256_DIGEST_SIZE, sha256);
  return g_bytes_new_take (data, size);
}

static void
add_piece (TsrMetadataFetch *fetch,
           GBytes           *info,
           guint             piece,
           GError          **error)
{
  gsize size = g_bytes_get_size (info);
  gsize offset = (gsize) piece * TSR_METADATA_PIECE_SIZE;

  tsr_metadata_fetch_add (fetch, piece, (const guint8 *) g_bytes_get_data (info, NULL) + offset,
                          MIN (TSR_METADATA_PIECE_SIZE, size - offset), error);
}

static void
test_fetch (void)
{
  guint8 sha1[20], sha256[32];
  g_autoptr(GBytes) info = make_info (3 * TSR_METADATA_PIECE_SIZE + 100, sha1, sha256);
  g_autoptr(TsrMetadataFetch) fetch = tsr_metadata_fetch_new (sha1, sha256);
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100), ==, -1);   /* size unknown */
  g_assert_false (tsr_metadata_fetch_set_size (fetch, 0, &error));
  g_assert_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_SIZE);
  g_clear_error (&error);
  g_assert_false (tsr_metadata_fetch_set_size (fetch, (gint64) TSR_METADATA_MAX_SIZE + 1, &error));
  g_clear_error (&error);
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (info), &error));
  g_assert_no_error (error);
  /* Another size from another peer is refused; the same size is fine. */
  g_assert_false (tsr_metadata_fetch_set_size (fetch, 1000, &error));
  g_clear_error (&error);
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (info), NULL));

  /* Four pieces, each asked once until it times out or is released. */
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100), ==, 0);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100), ==, 1);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100), ==, 2);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100), ==, 3);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 105), ==, -1);
  tsr_metadata_fetch_release (fetch, 2);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 105), ==, 2);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 100 + TSR_METADATA_REQUEST_TIMEOUT), ==, 0);

  /* Wrong lengths are refused: a short middle piece, a long last one. */
  g_assert_false (tsr_metadata_fetch_add (fetch, 1, (const guint8 *) "x", 1, &error));
  g_assert_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_BAD_PIECE);
  g_clear_error (&error);
  g_assert_false (tsr_metadata_fetch_add (fetch, 4, (const guint8 *) "x", 1, &error));
  g_clear_error (&error);

  add_piece (fetch, info, 3, &error);
  add_piece (fetch, info, 1, &error);
  add_piece (fetch, info, 1, &error);   /* a repeat changes nothing */
  add_piece (fetch, info, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (tsr_metadata_fetch_get_progress (fetch), ==, 0.75);
  g_assert_null (tsr_metadata_fetch_dup_info (fetch));
  add_piece (fetch, info, 2, &error);
  g_assert_no_error (error);
  whole = tsr_metadata_fetch_dup_info (fetch);
  g_assert_nonnull (whole);
  g_assert_true (g_bytes_equal (whole, info));
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 500), ==, -1);
}

static void
test_forged (void)
{
  guint8 sha1[20], sha256[32];
  g_autoptr(GBytes) info = make_info (TSR_METADATA_PIECE_SIZE + 10, sha1, sha256);
  g_autoptr(GBytes) other = NULL;
  g_autoptr(TsrMetadataFetch) fetch = NULL;
  g_autoptr(GError) error = NULL;
  guint8 sha1b[20], sha256b[32];

  other = make_info (TSR_METADATA_PIECE_SIZE + 10, sha1b, sha256b);
  /* v1 only: a dictionary that is not the one named starts over. */
  fetch = tsr_metadata_fetch_new (sha1, NULL);
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (other), NULL));
  add_piece (fetch, other, 0, &error);
  add_piece (fetch, other, 1, &error);
  g_assert_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_HASH);
  g_clear_error (&error);
  g_assert_null (tsr_metadata_fetch_dup_info (fetch));
  g_assert_cmpint (tsr_metadata_fetch_get_size (fetch), ==, -1);
  g_assert_cmpint (tsr_metadata_fetch_next (fetch, 1), ==, -1);
  /* Then the true one from another peer, with another size even. */
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (info), NULL));
  add_piece (fetch, info, 1, &error);
  add_piece (fetch, info, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tsr_metadata_fetch_dup_info (fetch));
  g_clear_pointer (&fetch, tsr_metadata_fetch_free);

  /* v2 only (a btmh magnet): SHA-256 decides. */
  fetch = tsr_metadata_fetch_new (NULL, sha256b);
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (info), NULL));
  add_piece (fetch, info, 0, &error);
  add_piece (fetch, info, 1, &error);
  g_assert_error (error, TSR_METADATA_ERROR, TSR_METADATA_ERROR_HASH);
  g_clear_error (&error);
  g_assert_true (tsr_metadata_fetch_set_size (fetch, g_bytes_get_size (other), NULL));
  add_piece (fetch, other, 0, &error);
  add_piece (fetch, other, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tsr_metadata_fetch_dup_info (fetch));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metadata/parse-shapes", test_parse_shapes);
  g_test_add_func ("/metadata/round-trip", test_round_trip);
  g_test_add_func ("/metadata/hostile", test_hostile);
  g_test_add_func ("/metadata/fetch", test_fetch);
  g_test_add_func ("/metadata/forged", test_forged);
  return g_test_run ();
}
