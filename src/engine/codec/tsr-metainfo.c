/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo.c: parses and validates .torrent files, v1 (BEP 3), v2 and
 * hybrid (BEP 52), with BEP 12 tiers, BEP 17/19 web seeds, BEP 27 private
 * torrents and BEP 47 pad files and attributes.
 *
 * A torrent is hostile input. Everything is checked before it is used:
 * sizes cannot overflow, piece counts must match the data, v2 piece layers
 * must hash up to their roots, and every path component goes through the
 * sanitizer so that no file can land outside the download folder. The info
 * hash is computed over the info dictionary's original bytes.
 *
 * This file loads a torrent, reads its info dictionary (name, piece
 * length, versions, piece count) and answers questions about the result.
 * The files are read in tsr-metainfo-files.c, their paths made safe in
 * -paths.c, the other keys read in -keys.c; -write.c writes a torrent back
 * out (see tsr-metainfo-private.h).
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

#include "tsr-metainfo-private.h"
#include "tsr-path.h"
#include "tsr-util.h"

#define V2_BLOCK_SIZE      16384
/* 512 MiB: larger pieces are not made by any tool and would make a
 * single piece buffer unreasonably large. */
#define MAX_PIECE_LENGTH   (G_GUINT64_CONSTANT (512) * 1024 * 1024)

static void
tsr_file_clear (TsrFile *file)
{
  g_free (file->path);
  /* The display path is the path itself when they read the same. */
  if (file->display_path != file->path)
    g_free (file->display_path);
  g_free (file->symlink_path);
}

TsrMetainfo *
tsr_metainfo_ref (TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
tsr_metainfo_unref (TsrMetainfo *self)
{
  guint i;

  g_return_if_fail (self != NULL);
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->display_name);
  for (i = 0; i < self->n_files; i++)
    tsr_file_clear (&self->files[i]);
  g_free (self->files);
  g_clear_pointer (&self->pieces, g_bytes_unref);
  g_clear_pointer (&self->piece_layers, g_hash_table_unref);
  g_clear_pointer (&self->trackers, g_ptr_array_unref);
  g_clear_pointer (&self->web_seeds, g_ptr_array_unref);
  g_clear_pointer (&self->http_seeds, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_free (self->comment);
  g_free (self->created_by);
  g_free (self->source);
  g_clear_pointer (&self->info_bytes, g_bytes_unref);
  g_free (self);
}

static TsrMetainfo *
tsr_metainfo_alloc (void)
{
  TsrMetainfo *self = g_new0 (TsrMetainfo, 1);

  self->ref_count = 1;
  self->creation_date = -1;
  self->trackers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->web_seeds = g_ptr_array_new_with_free_func (g_free);
  self->http_seeds = g_ptr_array_new_with_free_func (g_free);
  self->notes = g_ptr_array_new_with_free_func (g_free);
  return self;
}

/* Most torrents list no web seed, no HTTP seed and no note, and many no
 * tracker: their lists are all one empty array, made once and never
 * changed (an empty GPtrArray costs 48 bytes, four of them a fifth of
 * an idle torrent). Done last, once a load can add nothing more. */
static void
share_empty (GPtrArray **list)
{
  static GPtrArray *empty;

  if ((*list)->len > 0)
    return;
  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_ptr_array_new ());
  g_ptr_array_unref (*list);
  *list = g_ptr_array_ref (empty);
}

static void
share_empty_lists (TsrMetainfo *self)
{
  share_empty (&self->trackers);
  share_empty (&self->web_seeds);
  share_empty (&self->http_seeds);
  share_empty (&self->notes);
}

/* ------------------------------------------------------------------ */
/* The info dictionary                                                 */

static gboolean
parse_name (TsrMetainfo      *self,
            const TsrBencode *info,
            GError          **error)
{
  const guint8 *data;
  gsize length = 0;

  data = tsr_bencode_dict_lookup_string (info, "name.utf-8", &length);
  if (data == NULL || !g_utf8_validate ((const char *) data, length, NULL))
    {
      if (_tsr_metainfo_require_key (info, "name", TSR_BENCODE_STRING, _("the info dictionary"), error) == NULL)
        return FALSE;
      data = tsr_bencode_dict_lookup_string (info, "name", &length);
    }
  self->display_name = tsr_path_to_display ((const char *) data, length);
  self->name = tsr_path_sanitize_component ((const char *) data, length, NULL);
  /* A single file needs its name: libtorrent refuses such a torrent too. */
  if (self->name == NULL && tsr_bencode_dict_lookup (info, "length") != NULL)
    {
      g_autofree char *shown = tsr_quote_for_message (self->display_name, strlen (self->display_name));

      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PATH,
                   _("The torrent's name “%s” cannot be used as a file name"), shown);
      return FALSE;
    }
  if (self->name == NULL)
    {
      g_autofree char *shown = tsr_quote_for_message (self->display_name, strlen (self->display_name));
      gsize info_length = 0;
      const guint8 *info_data = g_bytes_get_data (self->info_bytes, &info_length);
      guint8 digest[SHA256_DIGEST_SIZE];

      /* The folder of a multi-file torrent named "..", "." or nothing:
       * the info hash in hex instead, as libtorrent does (it uses "_" for
       * an empty name alone), the v1 hash, or for a v2-only torrent the
       * v2 hash truncated to 20 bytes, the one peers know. */
      if (tsr_bencode_dict_lookup (info, "pieces") != NULL)
        {
          struct sha1_ctx ctx;

          sha1_init (&ctx);
          sha1_update (&ctx, info_length, info_data);
          sha1_digest (&ctx, SHA1_DIGEST_SIZE, digest);
        }
      else
        {
          struct sha256_ctx ctx;

          sha256_init (&ctx);
          sha256_update (&ctx, info_length, info_data);
          sha256_digest (&ctx, SHA256_DIGEST_SIZE, digest);
        }
      self->name = tsr_hex_encode (digest, 20);
      _tsr_metainfo_add_note (self,
                              g_strdup_printf (_("The torrent's name “%s” cannot be a file name: it is saved as “%s”"),
                                               shown, self->name));
    }
  return TRUE;
}

static gboolean
parse_piece_length (TsrMetainfo      *self,
                    const TsrBencode *info,
                    GError          **error)
{
  TsrBencode *node = _tsr_metainfo_require_key (info, "piece length", TSR_BENCODE_INTEGER, _("the info dictionary"),
                                                error);
  gint64 value;

  if (node == NULL)
    return FALSE;
  value = tsr_bencode_get_integer (node);
  if (value <= 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                   _("The piece length %" PRId64 " is not positive"), value);
      return FALSE;
    }
  if ((guint64) value > MAX_PIECE_LENGTH)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   _("The piece length %" PRId64 " is larger than %" PRIu64),
                   value, MAX_PIECE_LENGTH);
      return FALSE;
    }
  self->piece_length = (guint64) value;
  return TRUE;
}

/* Pad files alone, or files adding up to nothing, make no torrent: there
 * is nothing to download or share. libtorrent and Transmission refuse
 * both. */
static gboolean
check_not_empty (TsrMetainfo  *self,
                 GError      **error)
{
  guint i;

  for (i = 0; i < self->n_files; i++)
    if (!(self->files[i].attr & TSR_FILE_ATTR_PAD))
      break;
  if (i == self->n_files)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY,
                           _("The torrent holds only padding files (BEP 47), no content"));
      return FALSE;
    }
  if (self->total_length == 0)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_EMPTY,
                           _("The torrent is empty: its files add up to 0 bytes"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_info (TsrMetainfo      *self,
            TsrBencode      **owned_root,
            const TsrBencode *root,
            const TsrBencode *info,
            gboolean          need_piece_layers,
            GError          **error)
{
  gsize pieces_length = 0;
  g_autoptr(TsrRawFiles) v1_files = NULL;
  g_autoptr(TsrRawFiles) v2_files = NULL;
  TsrBencode *pieces = NULL;
  TsrBencode *tree = NULL;
  gint64 meta_version = 1;
  gint64 private_flag = 0;

  if (!parse_name (self, info, error) || !parse_piece_length (self, info, error))
    return FALSE;

  if (tsr_bencode_dict_lookup (info, "meta version") != NULL)
    {
      if (_tsr_metainfo_require_key (info, "meta version", TSR_BENCODE_INTEGER, _("the info dictionary"),
                                     error) == NULL)
        return FALSE;
      tsr_bencode_dict_lookup_integer (info, "meta version", &meta_version);
      if (meta_version != 1 && meta_version != 2)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                       _("Unsupported meta version %" PRId64), meta_version);
          return FALSE;
        }
    }

  if (!_tsr_metainfo_optional_key (info, "pieces", TSR_BENCODE_STRING, _("the info dictionary"), &pieces, error))
    return FALSE;
  self->has_v1 = pieces != NULL;
  self->has_v2 = meta_version == 2;
  if (!self->has_v1 && !self->has_v2)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                           _("The info dictionary has no “pieces” field"));
      return FALSE;
    }

  if (self->has_v2)
    {
      guint64 p = self->piece_length;

      /* BEP 52: a power of two, at least 16 KiB. */
      if (p < V2_BLOCK_SIZE || (p & (p - 1)) != 0)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE,
                       _("The piece length %" PRIu64 " of a v2 torrent is not a power of two of at least 16 KiB"), p);
          return FALSE;
        }
      tree = _tsr_metainfo_require_key (info, "file tree", TSR_BENCODE_DICT, _("the info dictionary"), error);
      if (tree == NULL)
        return FALSE;
      v2_files = _tsr_metainfo_parse_v2_files (self, info, tree, error);
      if (v2_files == NULL)
        return FALSE;
    }

  if (self->has_v1)
    {
      v1_files = _tsr_metainfo_parse_v1_files (self, info, &self->multi_file, error);
      if (v1_files == NULL)
        return FALSE;
    }
  else
    {
      gsize first_length = 0;
      const guint8 *first_component = tsr_raw_files_get_top_name (v2_files, 0, &first_length);
      gsize name_length = 0;
      const guint8 *name = tsr_bencode_dict_lookup_string (info, "name", &name_length);

      /* A v2 torrent whose tree holds one file named like the torrent is a
       * single-file torrent; otherwise every path starts below the name. */
      self->multi_file = TRUE;
      if (tsr_raw_files_get_n_files (v2_files) == 1 && first_component != NULL && name != NULL)
        self->multi_file = name_length != first_length || memcmp (name, first_component, first_length) != 0;
    }
  if (self->has_v1 && self->has_v2 && !self->multi_file)
    {
      /* Single-file hybrid: the tree's only entry must be the name
       * (BEP 52, "Upgrade path": both parts describe the same file). */
      gsize name_length = 0;
      const guint8 *name = tsr_bencode_dict_lookup_string (info, "name", &name_length);
      gsize key_length = 0;
      const guint8 *key = tsr_raw_files_get_top_name (v2_files, 0, &key_length);

      if (tsr_raw_files_get_n_files (v2_files) != 1 || key == NULL || name == NULL ||
          key_length != name_length || memcmp (key, name, name_length) != 0)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_HYBRID_MISMATCH,
                               _("The v1 file list and the v2 file tree of this hybrid torrent differ"));
          return FALSE;
        }
    }

  /* Everything else the tree holds is read now: the files borrow from the
   * input, not from the tree, which is freed before they are built (for a
   * million files it is as large as the files themselves). */
  if (self->has_v2 && !_tsr_metainfo_parse_piece_layers (self, root, v2_files, need_piece_layers, error))
    return FALSE;
  /* BEP 27 writes private=1; like libtorrent and Transmission, any nonzero
   * value counts, the safe reading for a flag that keeps peers off DHT/PEX. */
  if (tsr_bencode_dict_lookup_integer (info, "private", &private_flag))
    self->is_private = private_flag != 0;
  self->source = _tsr_metainfo_dup_text_field (info, "source");
  if (self->has_v1)
    {
      gsize info_at = 0;
      gsize pieces_at = 0;
      gsize pieces_span = 0;

      /* The hashes are a slice of the info dictionary's bytes, which are
       * kept anyway (for BEP 9), not a second copy: 20 bytes a piece,
       * 80 KiB for a 1 GiB torrent of 256 KiB pieces. */
      tsr_bencode_get_string (pieces, &pieces_length);
      if (!tsr_bencode_get_span (info, &info_at, NULL) || !tsr_bencode_get_span (pieces, &pieces_at, &pieces_span))
        g_assert_not_reached ();
      self->pieces = g_bytes_new_from_bytes (self->info_bytes, pieces_at + pieces_span - pieces_length - info_at,
                                             pieces_length);
    }
  root = info = pieces = tree = NULL;
  g_clear_pointer (owned_root, tsr_bencode_free);

  if (!_tsr_metainfo_build_files (self, v1_files, v2_files, error))
    return FALSE;
  if (!check_not_empty (self, error))
    return FALSE;

  if (self->has_v1)
    {
      guint64 expected;

      if (pieces_length % 20 != 0)
        {
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECES,
                       g_dngettext (GETTEXT_PACKAGE, "The piece hashes are %zu byte long, not a multiple of 20",
                                    "The piece hashes are %zu bytes long, not a multiple of 20",
                                    (gulong) pieces_length), pieces_length);
          return FALSE;
        }
      expected = self->stream_length / self->piece_length
                 + (self->stream_length % self->piece_length != 0);
      if (expected != pieces_length / 20)
        {
          g_autofree char *have = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The torrent has %zu piece hash",
                                                                "The torrent has %zu piece hashes",
                                                                (gulong) (pieces_length / 20)), pieces_length / 20);
          /* TRANSLATORS: the torrent's size, then the piece hashes it needs,
           * in "The torrent has 3 piece hashes, but 100000 bytes need 7" */
          g_autofree char *need = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte needs %" PRIu64,
                                                                "%" PRIu64 " bytes need %" PRIu64,
                                                                (gulong) self->stream_length),
                                                   self->stream_length, expected);

          /* TRANSLATORS: "The torrent has 3 piece hashes, but 100000 bytes
           * need 7" */
          g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_PIECES, C_("piece hashes", "%s, but %s"),
                       have, need);
          return FALSE;
        }
      if (expected > G_MAXUINT32)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                               _("The torrent has too many pieces"));
          return FALSE;
        }
      self->piece_count = (guint) expected;
    }
  else
    {
      guint64 count = self->stream_length / self->piece_length
                      + (self->stream_length % self->piece_length != 0);

      if (count > G_MAXUINT32)
        {
          g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                               _("The torrent has too many pieces"));
          return FALSE;
        }
      self->piece_count = (guint) count;
    }
  return TRUE;
}

static void
compute_hashes (TsrMetainfo *self)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (self->info_bytes, &length);

  if (self->has_v1)
    {
      struct sha1_ctx ctx;

      sha1_init (&ctx);
      sha1_update (&ctx, length, data);
      sha1_digest (&ctx, SHA1_DIGEST_SIZE, self->info_hash);
    }
  if (self->has_v2)
    {
      struct sha256_ctx ctx;

      sha256_init (&ctx);
      sha256_update (&ctx, length, data);
      sha256_digest (&ctx, SHA256_DIGEST_SIZE, self->info_hash_v2);
    }
}

/* Size cap, strict decoding, and a dictionary at the top. With @trailing
 * (nullable), bytes after the dictionary are allowed and counted. */
static TsrBencode *
decode_dict (GBytes                *bytes,
             TsrBencodeDecodeFlags  flags,
             gsize                 *trailing,
             const char            *not_dict_message,
             GError               **error)
{
  g_autoptr(TsrBencode) root = NULL;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gsize consumed = 0;

  if (g_bytes_get_size (bytes) > TSR_METAINFO_MAX_FILE_SIZE)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TOO_LARGE,
                   _("The torrent file is larger than %d MiB"), TSR_METAINFO_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }
  if (trailing != NULL)
    flags |= TSR_BENCODE_DECODE_ALLOW_TRAILING;
  root = tsr_bencode_decode (data, length, flags, &consumed, error);
  if (root == NULL)
    return NULL;
  if (trailing != NULL)
    *trailing = length - consumed;
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_NOT_A_DICT, not_dict_message);
      return NULL;
    }
  return g_steal_pointer (&root);
}

TsrMetainfo *
tsr_metainfo_new_from_bytes (GBytes  *bytes,
                             GError **error)
{
  return tsr_metainfo_new_from_bytes_full (bytes, TSR_METAINFO_LOAD_DEFAULT, error);
}

TsrMetainfo *
tsr_metainfo_new_from_bytes_full (GBytes                *bytes,
                                  TsrMetainfoLoadFlags   flags,
                                  GError               **error)
{
  g_autoptr(TsrMetainfo) self = NULL;
  g_autoptr(TsrBencode) root = NULL;
  TsrBencode *info;
  gsize offset = 0;
  gsize length = 0;
  gsize trailing = 0;
  gboolean strict = (flags & TSR_METAINFO_LOAD_STRICT) != 0;

  g_return_val_if_fail (bytes != NULL, NULL);

  /* Bytes after the torrent (often one newline from an editor or a web
   * server) are ignored, as libtorrent and Transmission do: the info hash
   * covers the info dictionary alone. Strict loading refuses them, and
   * dictionary keys out of order. */
  root = decode_dict (bytes, strict ? TSR_BENCODE_DECODE_STRICT_ORDER : TSR_BENCODE_DECODE_DEFAULT, &trailing,
                      _("The file is bencoded but not a torrent: its top level is not a dictionary"), error);
  if (root == NULL)
    return NULL;
  if (trailing > 0 && strict)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_TRAILING_DATA,
                   g_dngettext (GETTEXT_PACKAGE, "%zu byte follows the end of the torrent",
                                "%zu bytes follow the end of the torrent", (gulong) trailing),
                   trailing);
      return NULL;
    }
  info = tsr_bencode_dict_lookup (root, "info");
  if (info == NULL)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                           _("The torrent has no “info” dictionary"));
      return NULL;
    }
  if (tsr_bencode_get_node_type (info) != TSR_BENCODE_DICT)
    {
      g_set_error_literal (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_NOT_A_DICT,
                           _("The torrent's “info” field is not a dictionary"));
      return NULL;
    }

  self = tsr_metainfo_alloc ();
  if (!tsr_bencode_get_span (info, &offset, &length))
    g_assert_not_reached ();
  /* When the info dictionary is less than half the file (a v2 torrent's
   * piece layers, copied out below, or long tracker lists follow it), a
   * copy of it alone, so that the rest is not kept as long as the torrent
   * lives; else a slice of the file, which costs less than a copy (and no
   * second peak while a large file tree is parsed). */
  if (length < g_bytes_get_size (bytes) / 2)
    self->info_bytes = g_bytes_new ((const guint8 *) g_bytes_get_data (bytes, NULL) + offset, length);
  else
    self->info_bytes = g_bytes_new_from_bytes (bytes, offset, length);
  self->trailing_bytes = trailing;
  if (trailing > 0)
    _tsr_metainfo_add_note (self,
                            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%zu byte after the end of the torrent was ignored",
                                                          "%zu bytes after the end of the torrent were ignored",
                                                          (gulong) trailing),
                                             trailing));
  /* Before parse_info (), which frees the tree. */
  _tsr_metainfo_parse_extras (self, root);
  if (!parse_info (self, &root, root, info, TRUE, error))
    return NULL;
  compute_hashes (self);
  /* Strict: whatever was repaired with a note is refused instead (the
   * trailing bytes were refused above). */
  if (strict && self->notes->len > 0)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_BAD_VALUE, "%s",
                   (const char *) g_ptr_array_index (self->notes, self->notes->len - 1));
      return NULL;
    }
  share_empty_lists (self);
  return g_steal_pointer (&self);
}

TsrMetainfo *
tsr_metainfo_new_from_info (GBytes          *info_bytes,
                            const TsrMagnet *extra,
                            GError         **error)
{
  g_autoptr(TsrMetainfo) self = NULL;
  g_autoptr(TsrBencode) info = NULL;
  g_autoptr(TsrBencode) empty = tsr_bencode_new_dict ();
  guint i;

  g_return_val_if_fail (info_bytes != NULL, NULL);

  info = decode_dict (info_bytes, TSR_BENCODE_DECODE_DEFAULT, NULL,
                      _("The torrent's “info” field is not a dictionary"), error);
  if (info == NULL)
    return NULL;
  self = tsr_metainfo_alloc ();
  self->info_bytes = g_bytes_ref (info_bytes);
  /* Piece layers of v2 torrents come from peers later (BEP 52 hash requests). */
  if (!parse_info (self, &info, empty, info, FALSE, error))
    return NULL;
  compute_hashes (self);
  if (extra != NULL)
    {
      /* The same caps as for a torrent file's lists. */
      for (i = 0; extra->trackers != NULL && i < MIN (extra->trackers->len, TSR_METAINFO_MAX_TRACKERS); i++)
        {
          GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

          g_ptr_array_add (tier, g_strdup (g_ptr_array_index (extra->trackers, i)));
          g_ptr_array_add (self->trackers, tier);
        }
      for (i = 0; extra->web_seeds != NULL && i < MIN (extra->web_seeds->len, TSR_METAINFO_MAX_WEB_SEEDS); i++)
        g_ptr_array_add (self->web_seeds, g_strdup (g_ptr_array_index (extra->web_seeds, i)));
    }
  share_empty_lists (self);
  return g_steal_pointer (&self);
}

TsrMetainfo *
tsr_metainfo_new_from_file (const char  *path,
                            GError     **error)
{
  return tsr_metainfo_new_from_file_full (path, TSR_METAINFO_LOAD_DEFAULT, error);
}

TsrMetainfo *
tsr_metainfo_new_from_file_full (const char            *path,
                                 TsrMetainfoLoadFlags   flags,
                                 GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  bytes = tsr_read_small_file (path, TSR_METAINFO_MAX_FILE_SIZE, error);
  if (bytes == NULL)
    return NULL;
  return tsr_metainfo_new_from_bytes_full (bytes, flags, error);
}

guint64
tsr_metainfo_get_piece_size (const TsrMetainfo *self,
                             guint              index)
{
  guint64 start;
  guint lo, hi;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->piece_count, 0);

  start = (guint64) index * self->piece_length;
  if (self->has_v1)
    return MIN (self->piece_length, self->stream_length - start);

  /* v2: pieces never cross files; find the file holding this piece. */
  lo = 0;
  hi = self->n_files;
  while (lo + 1 < hi)
    {
      guint mid = (lo + hi) / 2;

      if (self->files[mid].offset <= start)
        lo = mid;
      else
        hi = mid;
    }
  while (lo < self->n_files && self->files[lo].offset + self->files[lo].length <= start)
    lo++;
  if (lo >= self->n_files)
    return 0;
  return MIN (self->piece_length, self->files[lo].offset + self->files[lo].length - start);
}

char *
tsr_metainfo_dup_info_hash_hex (const TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->has_v1 ? tsr_hex_encode (self->info_hash, 20) : NULL;
}

char *
tsr_metainfo_dup_info_hash_v2_hex (const TsrMetainfo *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->has_v2 ? tsr_hex_encode (self->info_hash_v2, 32) : NULL;
}

const TsrFile *
tsr_metainfo_get_piece_file (const TsrMetainfo *self,
                             guint              index)
{
  guint64 start = (guint64) index * self->piece_length;
  guint lo = 0;
  guint hi = self->n_files;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  /* Files are in stream order: find the first ending after @start. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->files[mid].offset + self->files[mid].length <= start)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (i = lo; i < self->n_files && self->files[i].offset <= start; i++)
    {
      const TsrFile *file = &self->files[i];

      if (!(file->attr & TSR_FILE_ATTR_PAD) && file->length > 0 && start < file->offset + file->length)
        return file;
    }
  return NULL;
}

const guint8 *
tsr_metainfo_get_piece_v2_hash (const TsrMetainfo *self,
                                guint              index)
{
  const TsrFile *file;
  g_autoptr(GBytes) key = NULL;
  GBytes *layer;
  guint64 first;

  g_return_val_if_fail (self != NULL, NULL);
  if (!self->has_v2 || index >= self->piece_count)
    return NULL;
  file = tsr_metainfo_get_piece_file (self, index);
  if (file == NULL || !file->has_pieces_root)
    return NULL;
  if (file->length <= self->piece_length)
    return file->pieces_root;
  key = g_bytes_new_static (file->pieces_root, 32);
  layer = self->piece_layers != NULL ? g_hash_table_lookup (self->piece_layers, key) : NULL;
  if (layer == NULL)
    return NULL;
  first = file->offset / self->piece_length;
  return (const guint8 *) g_bytes_get_data (layer, NULL) + (index - first) * 32;
}

const guint8 *
tsr_metainfo_get_wire_hash (const TsrMetainfo *self)
{
  return self->has_v1 ? self->info_hash : self->info_hash_v2;
}
