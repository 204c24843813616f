/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seed-http.c: the pure HTTP pieces of web seeding, apart from
 * the fetching (tsr-web-seed.c).
 *
 * BEP 19 asks for a file by the name the torrent gives it, so the paths
 * are read again from the info dictionary, byte for byte, and each
 * component is percent-escaped on its own. BEP 17 asks a script for a
 * piece by info hash and index. The parsers read the Content-Range of a
 * 206 reply (RFC 9110 14.4) and a 503's Retry-After, or the seconds a
 * BEP 17 seed puts in its body. They see hostile input and are fuzzed
 * (tests/fuzz/fuzz-web-seed.c).
 */
#define G_LOG_DOMAIN "tsr-web-seed"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-util.h"
#include "tsr-web-seed-http.h"

/* Folders a v2 file tree may nest (tsr-metainfo refuses deeper). */
#define MAX_TREE_DEPTH 256

/* ------------------------------------------------------------------ */
/* URLs                                                                */

static void
append_escaped_string (GString          *out,
                       const TsrBencode *node)
{
  gsize length = 0;
  const guint8 *data = tsr_bencode_get_string (node, &length);

  tsr_uri_append_escaped (out, data, length);
}

/* The torrent's name as tsr-metainfo reads it: "name.utf-8" when valid. */
static gboolean
append_name (GString          *out,
             const TsrBencode *info)
{
  TsrBencode *name = tsr_bencode_dict_lookup_type (info, "name.utf-8", TSR_BENCODE_STRING);
  const guint8 *data;
  gsize length = 0;

  if (name != NULL)
    {
      data = tsr_bencode_get_string (name, &length);
      if (!g_utf8_validate ((const char *) data, length, NULL))
        name = NULL;
    }
  if (name == NULL)
    name = tsr_bencode_dict_lookup_type (info, "name", TSR_BENCODE_STRING);
  if (name == NULL)
    return FALSE;
  append_escaped_string (out, name);
  return TRUE;
}

/* BEP 52 file tree, in the order tsr-metainfo lists the files. */
static gboolean
walk_tree (const TsrBencode *node,
           GString          *prefix,
           GPtrArray        *paths,
           guint             depth)
{
  guint i;

  if (depth > MAX_TREE_DEPTH)
    return FALSE;
  for (i = 0; i < tsr_bencode_dict_size (node); i++)
    {
      const guint8 *key;
      gsize key_length = 0;
      TsrBencode *child = tsr_bencode_dict_get_nth (node, i, &key, &key_length);
      gsize mark = prefix->len;

      if (tsr_bencode_get_node_type (child) != TSR_BENCODE_DICT)
        return FALSE;
      if (key_length == 0)
        {
          /* The node is a file: the prefix is its path. */
          g_ptr_array_add (paths, g_strndup (prefix->str, prefix->len - 1));
          continue;
        }
      tsr_uri_append_escaped (prefix, key, key_length);
      g_string_append_c (prefix, '/');
      if (!walk_tree (child, prefix, paths, depth + 1))
        return FALSE;
      g_string_truncate (prefix, mark);
    }
  return TRUE;
}

/* BEP 19 wants the names the torrent holds, byte for byte, and not the
 * ones tsr-path made safe for our disk: read them again from the info
 * dictionary. NULL if it cannot be read the way tsr-metainfo did. */
static GPtrArray *
collect_raw_paths (TsrMetainfo *info)
{
  g_autoptr(TsrBencode) root = tsr_bencode_decode_bytes (info->info_bytes, TSR_BENCODE_DECODE_DEFAULT, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) prefix = g_string_new (NULL);
  TsrBencode *list;
  guint i;

  if (root == NULL || tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT || !append_name (prefix, root))
    return NULL;
  if (!info->multi_file)
    g_ptr_array_add (paths, g_strdup (prefix->str));
  else if (info->has_v1)
    {
      list = tsr_bencode_dict_lookup_type (root, "files", TSR_BENCODE_LIST);
      for (i = 0; list != NULL && i < tsr_bencode_list_length (list); i++)
        {
          TsrBencode *entry = tsr_bencode_list_get (list, i);
          TsrBencode *path = tsr_bencode_dict_lookup_type (entry, "path.utf-8", TSR_BENCODE_LIST);
          GString *out = g_string_new (prefix->str);
          guint j;

          if (path == NULL)
            path = tsr_bencode_dict_lookup_type (entry, "path", TSR_BENCODE_LIST);
          for (j = 0; path != NULL && j < tsr_bencode_list_length (path); j++)
            {
              g_string_append_c (out, '/');
              append_escaped_string (out, tsr_bencode_list_get (path, j));
            }
          g_ptr_array_add (paths, g_string_free (out, FALSE));
        }
    }
  else
    {
      TsrBencode *tree = tsr_bencode_dict_lookup_type (root, "file tree", TSR_BENCODE_DICT);

      g_string_append_c (prefix, '/');
      if (tree == NULL || !walk_tree (tree, prefix, paths, 0))
        return NULL;
    }
  if (paths->len != info->n_files)
    return NULL;
  return g_steal_pointer (&paths);
}

/* Second best: the display paths, which are the torrent's names unless
 * they were not UTF-8. */
static GPtrArray *
collect_display_paths (TsrMetainfo *info)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  guint i, j;

  for (i = 0; i < info->n_files; i++)
    {
      const char *display = info->files[i].display_path;
      GString *out = g_string_new (NULL);

      if (!info->multi_file)
        tsr_uri_append_escaped (out, (const guint8 *) display, strlen (display));
      else
        {
          g_auto(GStrv) parts = g_strsplit (display, "/", -1);

          for (j = 0; parts[j] != NULL; j++)
            {
              if (j > 0)
                g_string_append_c (out, '/');
              tsr_uri_append_escaped (out, (const guint8 *) parts[j], strlen (parts[j]));
            }
        }
      g_ptr_array_add (paths, g_string_free (out, FALSE));
    }
  return paths;
}

GPtrArray *
tsr_web_seed_http_dup_file_paths (TsrMetainfo *info)
{
  GPtrArray *paths;

  g_return_val_if_fail (info != NULL, NULL);

  paths = collect_raw_paths (info);
  if (paths == NULL)
    paths = collect_display_paths (info);
  return paths;
}

char *
tsr_web_seed_http_build_file_url (const char *url,
                                  gboolean    multi_file,
                                  const char *path)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  /* BEP 19: a single-file torrent's URL names the file, unless it ends
   * in '/'; a multi-file torrent's names the folder holding the name. */
  if (!multi_file)
    return g_str_has_suffix (url, "/") ? g_strconcat (url, path, NULL) : g_strdup (url);
  return g_strconcat (url, g_str_has_suffix (url, "/") ? "" : "/", path, NULL);
}

/* BEP 17: URL?info_hash=…&piece=N. */
char *
tsr_web_seed_http_build_piece_url (const char   *url,
                                   const guint8 *info_hash,
                                   guint         index)
{
  GString *out;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (info_hash != NULL, NULL);

  out = g_string_new (url);
  g_string_append_c (out, strchr (url, '?') != NULL ? '&' : '?');
  g_string_append (out, "info_hash=");
  tsr_uri_append_escaped (out, info_hash, 20);
  g_string_append_printf (out, "&piece=%u", index);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Header parsers                                                      */

static gboolean
parse_number (const char **p,
              guint64     *out)
{
  const char *s = *p;
  guint64 value = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      guint digit = (guint) (*s - '0');

      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
      s++;
    }
  *p = s;
  *out = value;
  return TRUE;
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  return p;
}

gboolean
tsr_web_seed_http_parse_content_range (const char *value,
                                       guint64    *first,
                                       guint64    *last,
                                       guint64    *total)
{
  const char *p;
  guint64 a, b;
  guint64 t = G_MAXUINT64;

  g_return_val_if_fail (value != NULL, FALSE);

  /* RFC 9110 14.4: range-unit SP first "-" last "/" ( length / "*" ). */
  p = skip_space (value);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0 || p[5] != ' ')
    return FALSE;
  p = skip_space (p + 5);
  if (!parse_number (&p, &a) || *p != '-')
    return FALSE;
  p++;
  if (!parse_number (&p, &b) || *p != '/')
    return FALSE;
  p++;
  if (*p == '*')
    p++;
  else if (!parse_number (&p, &t) || t == G_MAXUINT64)
    return FALSE;
  p = skip_space (p);
  if (*p != '\0' || b < a || (t != G_MAXUINT64 && b >= t))
    return FALSE;
  if (first != NULL)
    *first = a;
  if (last != NULL)
    *last = b;
  if (total != NULL)
    *total = t;
  return TRUE;
}

gboolean
tsr_web_seed_http_parse_retry_after (const char *value,
                                     GDateTime  *now,
                                     guint64    *seconds)
{
  const char *p;
  guint64 n;
  g_autoptr(GDateTime) date = NULL;
  GTimeSpan span;

  g_return_val_if_fail (value != NULL, FALSE);

  p = skip_space (value);
  if (g_ascii_isdigit (*p))
    {
      if (!parse_number (&p, &n) || *skip_space (p) != '\0')
        return FALSE;
      if (seconds != NULL)
        *seconds = n;
      return TRUE;
    }
  if (now == NULL)
    return FALSE;
  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return FALSE;
  span = g_date_time_difference (date, now);
  if (seconds != NULL)
    *seconds = span > 0 ? (guint64) ((span + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  return TRUE;
}

