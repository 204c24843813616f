/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-magnet.c: TsrTorrentMagnet against a fake owner that logs
 * what it hears, without sockets: the name shown before the metainfo
 * (BEP 9 "dn", else the hash), the hash the swarm meets on (v1, or v2
 * cut short), a fetch that failed is reported with its error, a v2-only
 * metainfo without a hash for every piece is refused, a good one is
 * reported once, with the stop the owner asked for.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-test-util.h"
#include "tsr-torrent-magnet.h"
#include "tsr-util.h"

#define V1HEX "0123456789abcdef0123456789abcdef01234567"
#define V2HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

typedef struct
{
  GString *log;   /* the owner's callbacks, one line each */
} Owner;

static void
on_ready (TsrMetainfo *info,
          gboolean     stop,
          gpointer     user_data)
{
  Owner *owner = user_data;

  g_string_append_printf (owner->log, "ready %s stop=%d\n", info->name, stop);
}

static void
on_failed (const GError *error,
           gpointer      user_data)
{
  Owner *owner = user_data;

  /* Typed: the domain and code say why. */
  if (error->domain == TSR_METAINFO_ERROR && error->code == TSR_METAINFO_ERROR_BAD_FILE_TREE)
    g_string_append (owner->log, "failed bad-file-tree\n");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    g_string_append (owner->log, "failed not-supported\n");
  else
    g_string_append_printf (owner->log, "failed %s\n", error->message);
}

static const TsrTorrentMagnetFuncs funcs = {
  .ready = on_ready,
  .failed = on_failed,
};

static TsrMagnet *
parse (const char *uri)
{
  g_autoptr(GError) error = NULL;
  TsrMagnet *magnet = tsr_magnet_parse (uri, &error);

  g_assert_no_error (error);
  return magnet;
}

/* An info dictionary, bencoded: @body between "d" and "e". */
static TsrMetainfo *
info_from (const char *body,
           gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GBytes) dict = NULL;
  TsrMetainfo *info;

  g_byte_array_append (bytes, (const guint8 *) "d", 1);
  g_byte_array_append (bytes, (const guint8 *) body, length);
  g_byte_array_append (bytes, (const guint8 *) "e", 1);
  dict = g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
  info = tsr_metainfo_new_from_info (dict, NULL, &error);
  g_assert_no_error (error);
  return info;
}

static void
test_name_and_hash (void)
{
  g_autoptr(TsrMagnet) named = parse ("magnet:?xt=urn:btih:" V1HEX "&dn=Debian");
  g_autoptr(TsrMagnet) bare = parse ("magnet:?xt=urn:btih:" V1HEX);
  g_autoptr(TsrMagnet) v2 = parse ("magnet:?xt=urn:btmh:1220" V2HEX);
  g_autoptr(TsrTorrentMagnet) a = tsr_torrent_magnet_new (named, NULL, NULL, &funcs, NULL);
  g_autoptr(TsrTorrentMagnet) b = tsr_torrent_magnet_new (bare, NULL, NULL, &funcs, NULL);
  g_autoptr(TsrTorrentMagnet) c = tsr_torrent_magnet_new (v2, NULL, NULL, &funcs, NULL);
  guint8 v2_hash[32];

  g_assert_cmpstr (tsr_torrent_magnet_get_name (a), ==, "Debian");
  /* Without "dn": the hash, in hex; the copy's "dn" too (for its link). */
  g_assert_cmpstr (tsr_torrent_magnet_get_name (b), ==, V1HEX);
  g_assert_cmpstr (tsr_torrent_magnet_get_magnet (b)->display_name, ==, V1HEX);
  g_assert_null (bare->display_name);
  g_assert_cmpstr (tsr_torrent_magnet_get_name (c), ==, V2HEX);
  g_assert_cmpmem (tsr_torrent_magnet_get_wire_hash (a), 20, named->info_hash_v1, 20);
  /* BEP 52: a v2-only swarm meets on the v2 hash cut to 20 bytes. */
  g_assert_true (tsr_hex_decode (V2HEX, 64, v2_hash, 32));
  g_assert_cmpmem (tsr_torrent_magnet_get_wire_hash (c), 20, v2_hash, 20);
  g_assert_cmpuint (tsr_bitfield_count (tsr_torrent_magnet_get_have (a)), ==, 0);
  g_assert_cmpfloat (tsr_torrent_magnet_get_progress (a), ==, 0.0);
}

static void
test_failed (void)
{
  g_autoptr(TsrMagnet) magnet = parse ("magnet:?xt=urn:btih:" V1HEX);
  g_autoptr(GString) log = g_string_new (NULL);
  Owner owner = { log };
  g_autoptr(TsrTorrentMagnet) fetch = tsr_torrent_magnet_new (magnet, NULL, NULL, &funcs, &owner);
  g_autoptr(GError) error = g_error_new_literal (TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_FILE_TREE, "bad");

  tsr_torrent_magnet_take (fetch, NULL, error);
  g_assert_cmpstr (log->str, ==, "failed bad-file-tree\n");
  g_assert_cmpfloat (tsr_torrent_magnet_get_progress (fetch), <, 1.0);
}

static void
test_ready_once (void)
{
  static const char body[] = "6:lengthi10e4:name4:file12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaa";
  g_autoptr(TsrMagnet) magnet = parse ("magnet:?xt=urn:btih:" V1HEX);
  g_autoptr(GString) log = g_string_new (NULL);
  Owner owner = { log };
  g_autoptr(TsrTorrentMagnet) fetch = tsr_torrent_magnet_new (magnet, NULL, NULL, &funcs, &owner);
  g_autoptr(TsrMetainfo) info = info_from (body, sizeof body - 1);

  tsr_torrent_magnet_set_stop_after (fetch, TRUE);
  tsr_torrent_magnet_take (fetch, info, NULL);
  g_assert_cmpstr (log->str, ==, "ready file stop=1\n");
  g_assert_cmpfloat (tsr_torrent_magnet_get_progress (fetch), ==, 1.0);
  /* Once: what comes later (another peer's copy, a failure) is not told. */
  tsr_torrent_magnet_take (fetch, info, NULL);
  tsr_torrent_magnet_take (fetch, NULL, &(GError) { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) "late" });
  g_assert_cmpstr (log->str, ==, "ready file stop=1\n");
}

/* BEP 52: a v2-only file longer than a piece needs its piece layer,
 * which the dictionary does not hold. */
static void
test_v2_without_layers (void)
{
  static const char body[] = "9:file treed4:filed0:d6:lengthi40000e11:pieces root32:"
                             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbeee"
                             "12:meta versioni2e4:name4:file12:piece lengthi16384e";
  g_autoptr(TsrMagnet) magnet = parse ("magnet:?xt=urn:btmh:1220" V2HEX);
  g_autoptr(GString) log = g_string_new (NULL);
  Owner owner = { log };
  g_autoptr(TsrTorrentMagnet) fetch = tsr_torrent_magnet_new (magnet, NULL, NULL, &funcs, &owner);
  g_autoptr(TsrMetainfo) info = info_from (body, sizeof body - 1);

  g_assert_false (info->has_v1);
  tsr_torrent_magnet_take (fetch, info, NULL);
  g_assert_cmpstr (log->str, ==, "failed not-supported\n");
  /* Still to come: a peer may yet give the layers. */
  g_assert_cmpfloat (tsr_torrent_magnet_get_progress (fetch), <, 1.0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-magnet/name-and-hash", test_name_and_hash);
  g_test_add_func ("/torrent-magnet/failed", test_failed);
  g_test_add_func ("/torrent-magnet/ready-once", test_ready_once);
  g_test_add_func ("/torrent-magnet/v2-without-layers", test_v2_without_layers);
  return g_test_run ();
}
