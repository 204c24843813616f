/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-magnet.c: magnet links (BEP 9), with v2 "btmh" hashes (BEP 52) and
 * "so" file selection (BEP 53). Parses what people paste and web pages
 * link, and writes the link of a torrent. A codec: no I/O.
 */
#define G_LOG_DOMAIN "tsr-magnet"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-magnet.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-magnet-error-quark, tsr_magnet_error)

/* Anything longer is not a link a person pasted. */
#define MAX_MAGNET_LENGTH (1024 * 1024)

TsrMagnet *
tsr_magnet_new (void)
{
  TsrMagnet *magnet = g_new0 (TsrMagnet, 1);

  magnet->trackers = g_ptr_array_new_with_free_func (g_free);
  magnet->web_seeds = g_ptr_array_new_with_free_func (g_free);
  magnet->peers = g_ptr_array_new_with_free_func (g_free);
  magnet->select_only = g_array_new (FALSE, FALSE, sizeof (TsrMagnetRange));
  magnet->warnings = g_ptr_array_new_with_free_func (g_free);
  return magnet;
}

void
tsr_magnet_free (TsrMagnet *magnet)
{
  if (magnet == NULL)
    return;
  g_free (magnet->display_name);
  g_ptr_array_unref (magnet->trackers);
  g_ptr_array_unref (magnet->web_seeds);
  g_ptr_array_unref (magnet->peers);
  g_array_unref (magnet->select_only);
  g_ptr_array_unref (magnet->warnings);
  g_free (magnet);
}

static GPtrArray *
copy_strings (GPtrArray *from)
{
  GPtrArray *to = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
  return to;
}

TsrMagnet *
tsr_magnet_copy (const TsrMagnet *magnet)
{
  TsrMagnet *copy = tsr_magnet_new ();

  copy->has_v1 = magnet->has_v1;
  memcpy (copy->info_hash_v1, magnet->info_hash_v1, 20);
  copy->has_v2 = magnet->has_v2;
  memcpy (copy->info_hash_v2, magnet->info_hash_v2, 32);
  copy->display_name = g_strdup (magnet->display_name);
  g_ptr_array_unref (copy->trackers);
  copy->trackers = copy_strings (magnet->trackers);
  g_ptr_array_unref (copy->web_seeds);
  copy->web_seeds = copy_strings (magnet->web_seeds);
  g_ptr_array_unref (copy->peers);
  copy->peers = copy_strings (magnet->peers);
  g_array_append_vals (copy->select_only, magnet->select_only->data, magnet->select_only->len);
  g_ptr_array_unref (copy->warnings);
  copy->warnings = copy_strings (magnet->warnings);
  return copy;
}

/* Percent-decoding of a query value; '+' is a space (HTML forms). Text
 * that decodes to NUL or has a bad escape is refused. */
static char *
decode_value (const char *text,
              gsize       length,
              GError    **error)
{
  g_autoptr(GString) out = g_string_sized_new (length);
  gsize i;

  for (i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '+')
        g_string_append_c (out, ' ');
      else if (c == '%')
        {
          int hi, lo;

          if (i + 2 >= length)
            hi = lo = -1;
          else
            {
              hi = g_ascii_xdigit_value (text[i + 1]);
              lo = g_ascii_xdigit_value (text[i + 2]);
            }
          if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            {
              g_set_error (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_MALFORMED,
                           _("Bad percent escape at character %zu"), i);
              return NULL;
            }
          g_string_append_c (out, (char) (hi << 4 | lo));
          i += 2;
        }
      else
        g_string_append_c (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @seen is a set of what @list holds: a link of 100 000 tr= must not
 * compare each with all before it. */
static gboolean
add_unique (GPtrArray  *list,
            GHashTable *seen,
            const char *value)
{
  char *copy;

  if (g_hash_table_contains (seen, value))
    return FALSE;
  copy = g_strdup (value);
  g_ptr_array_add (list, copy);
  g_hash_table_add (seen, copy);   /* borrowed from the list */
  return TRUE;
}

/* A parameter skipped for being malformed: noted, not fatal. */
static void
add_warning (TsrMagnet  *magnet,
             const char *key,
             gsize       key_length,
             const char *value,
             const char *reason)
{
  g_autofree char *shown_key = tsr_quote_for_message (key, key_length);
  g_autofree char *shown = tsr_quote_for_message (value, strlen (value));

  /* TRANSLATORS: a magnet parameter's name ("tr", "x.pe"), its value, and
   * why it was skipped */
  g_ptr_array_add (magnet->warnings, g_strdup_printf (_("Skipped “%s=%s”: %s"), shown_key, shown, reason));
}

/* A tracker or web seed URL: UTF-8 with a scheme. */
static gboolean
is_url (const char *value)
{
  g_autofree char *scheme = NULL;

  if (*value == '\0' || !g_utf8_validate (value, -1, NULL))
    return FALSE;
  scheme = g_uri_parse_scheme (value);
  return scheme != NULL;
}

/* "xt" and numbered "xt.1", "xt.2" ... (some sites number every key). */
static gboolean
key_is (const char *key,
        gsize       key_length,
        const char *name)
{
  gsize name_length = strlen (name);
  gsize i;

  if (key_length < name_length || g_ascii_strncasecmp (key, name, name_length) != 0)
    return FALSE;
  if (key_length == name_length)
    return TRUE;
  if (key[name_length] != '.' || key_length == name_length + 1)
    return FALSE;
  for (i = name_length + 1; i < key_length; i++)
    if (!g_ascii_isdigit (key[i]))
      return FALSE;
  return TRUE;
}

static gboolean
parse_xt (TsrMagnet  *magnet,
          const char *value,
          GError    **error)
{
  gsize length = strlen (value);

  if (length >= 9 && g_ascii_strncasecmp (value, "urn:btih:", 9) == 0)
    {
      const char *hash = value + 9;
      gsize hash_length = length - 9;
      guint8 digest[20];

      if (!(hash_length == 40 && tsr_hex_decode (hash, 40, digest, 20)) &&
          !(hash_length == 32 && tsr_base32_decode (hash, 32, digest, 20)))
        {
          g_autofree char *shown = tsr_quote_for_message (hash, strlen (hash));

          g_set_error (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_BAD_HASH,
                       _("“%s” is not a BitTorrent info hash (40 hex digits or 32 base32 characters)"), shown);
          return FALSE;
        }
      if (magnet->has_v1 && memcmp (magnet->info_hash_v1, digest, 20) != 0)
        {
          g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_CONFLICT,
                               _("The magnet link names two different v1 info hashes"));
          return FALSE;
        }
      memcpy (magnet->info_hash_v1, digest, 20);
      magnet->has_v1 = TRUE;
      return TRUE;
    }
  if (length >= 9 && g_ascii_strncasecmp (value, "urn:btmh:", 9) == 0)
    {
      const char *hash = value + 9;
      guint8 digest[32];

      /* Multihash: 0x12 = SHA-256, 0x20 = 32 bytes (BEP 52). */
      if (strlen (hash) != 68 || g_ascii_strncasecmp (hash, "1220", 4) != 0 ||
          !tsr_hex_decode (hash + 4, 64, digest, 32))
        {
          g_autofree char *shown = tsr_quote_for_message (hash, strlen (hash));

          g_set_error (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_BAD_HASH,
                       _("“%s” is not a v2 info hash (multihash 1220 and 64 hex digits)"), shown);
          return FALSE;
        }
      if (magnet->has_v2 && memcmp (magnet->info_hash_v2, digest, 32) != 0)
        {
          g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_CONFLICT,
                               _("The magnet link names two different v2 info hashes"));
          return FALSE;
        }
      memcpy (magnet->info_hash_v2, digest, 32);
      magnet->has_v2 = TRUE;
      return TRUE;
    }
  /* Other URNs (ed2k, sha1 of a file, ...) are not ours: ignored. */
  return TRUE;
}

/* "host:port" or "[v6]:port"; port 1-65535. */
static gboolean
parse_peer (const char *value)
{
  const char *colon = strrchr (value, ':');
  const char *host_end = colon;
  guint64 port = 0;
  char *end = NULL;

  if (colon == NULL || colon == value)
    goto bad;
  if (value[0] == '[')
    {
      if (colon[-1] != ']' || colon - value < 3)
        goto bad;
    }
  else
    {
      const char *p;

      for (p = value; p < host_end; p++)
        if (*p == ':' || *p == '[' || *p == ']' || *p == '/' || g_ascii_isspace (*p))
          goto bad;
    }
  if (!g_ascii_isdigit (colon[1]))
    goto bad;
  port = g_ascii_strtoull (colon + 1, &end, 10);
  if (*end != '\0' || port == 0 || port > 65535)
    goto bad;
  return TRUE;

bad:
  return FALSE;
}

/* BEP 53: "0,2,4-6". A malformed value ("7-4", "-4", "3-", "a", ",,1")
 * is skipped as a whole: half of a selection selects the wrong files. */
static gboolean
parse_select (TsrMagnet  *magnet,
              const char *value)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (TsrMagnetRange));
  guint i;

  for (i = 0; items[i] != NULL; i++)
    {
      TsrMagnetRange range;
      char *dash = strchr (items[i], '-');
      guint64 first, last;
      char *end = NULL;

      if (!g_ascii_isdigit (items[i][0]))
        goto bad;
      first = g_ascii_strtoull (items[i], &end, 10);
      if (dash != NULL)
        {
          if (end != dash || !g_ascii_isdigit (dash[1]))
            goto bad;
          last = g_ascii_strtoull (dash + 1, &end, 10);
        }
      else
        last = first;
      if (*end != '\0' || first > G_MAXUINT32 || last > G_MAXUINT32 || last < first)
        goto bad;
      range.first = (guint32) first;
      range.last = (guint32) last;
      g_array_append_val (ranges, range);
    }
  g_array_append_vals (magnet->select_only, ranges->data, ranges->len);
  return TRUE;

bad:
  return FALSE;
}

TsrMagnet *
tsr_magnet_parse (const char  *uri,
                  GError     **error)
{
  g_autoptr(TsrMagnet) magnet = NULL;
  g_autoptr(GHashTable) trackers_seen = NULL;
  g_autoptr(GHashTable) web_seeds_seen = NULL;
  g_autoptr(GHashTable) peers_seen = NULL;
  const char *query;
  const char *p;

  g_return_val_if_fail (uri != NULL, NULL);

  if (g_ascii_strncasecmp (uri, "magnet:", 7) != 0)
    {
      g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_NOT_MAGNET,
                           _("Not a magnet link: it does not start with “magnet:”"));
      return NULL;
    }
  if (strlen (uri) > MAX_MAGNET_LENGTH)
    {
      g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_MALFORMED,
                           _("The magnet link is too long"));
      return NULL;
    }
  query = uri + 7;
  /* "magnet:///?xt=" is seen in the wild; read it as "magnet:?xt=". */
  if (*query == '?')
    query++;
  else if (g_str_has_prefix (query, "//?"))
    query += 3;
  else if (g_str_has_prefix (query, "///?"))
    query += 4;
  else if (*query != '\0')
    {
      g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_MALFORMED,
                           _("The magnet link has no “?” before its parameters"));
      return NULL;
    }
  /* A fragment is not part of the parameters. */
  magnet = tsr_magnet_new ();
  trackers_seen = g_hash_table_new (g_str_hash, g_str_equal);
  web_seeds_seen = g_hash_table_new (g_str_hash, g_str_equal);
  peers_seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (p = query; *p != '\0' && *p != '#';)
    {
      gsize part_length = strcspn (p, "&#");
      const char *equals = memchr (p, '=', part_length);
      g_autofree char *value = NULL;
      gsize key_length;

      if (part_length == 0)
        {
          p++;
          continue;
        }
      if (equals == NULL)
        {
          p += part_length;
          continue;   /* a bare key carries nothing */
        }
      key_length = (gsize) (equals - p);
      /* BEP 9 requires only xt: a badly escaped tr, ws, x.pe or so is
       * skipped with a warning and the rest of the link is used. */
      if (key_is (p, key_length, "tr") || key_is (p, key_length, "ws") ||
          key_is (p, key_length, "x.pe") || key_is (p, key_length, "so"))
        {
          g_autoptr(GError) local_error = NULL;

          value = decode_value (equals + 1, part_length - key_length - 1, &local_error);
          if (value == NULL)
            {
              g_autofree char *raw = g_strndup (equals + 1, part_length - key_length - 1);

              add_warning (magnet, p, key_length, raw, local_error->message);
              p += part_length;
              continue;
            }
        }
      else if ((value = decode_value (equals + 1, part_length - key_length - 1, error)) == NULL)
        return NULL;

      if (key_is (p, key_length, "xt"))
        {
          if (!parse_xt (magnet, value, error))
            return NULL;
        }
      else if (key_is (p, key_length, "dn"))
        {
          g_free (magnet->display_name);
          magnet->display_name = g_utf8_make_valid (value, -1);
        }
      else if (key_is (p, key_length, "tr"))
        {
          if (is_url (value))
            add_unique (magnet->trackers, trackers_seen, value);
          else
            add_warning (magnet, p, key_length, value, _("not a URL"));
        }
      else if (key_is (p, key_length, "ws"))
        {
          if (is_url (value))
            add_unique (magnet->web_seeds, web_seeds_seen, value);
          else
            add_warning (magnet, p, key_length, value, _("not a URL"));
        }
      else if (key_is (p, key_length, "x.pe"))
        {
          if (parse_peer (value))
            add_unique (magnet->peers, peers_seen, value);
          else
            add_warning (magnet, p, key_length, value, _("not host:port"));
        }
      else if (key_is (p, key_length, "so"))
        {
          if (!parse_select (magnet, value))
            add_warning (magnet, p, key_length, value, _("not a list of file indices and ranges"));
        }
      p += part_length;
    }

  if (!magnet->has_v1 && !magnet->has_v2)
    {
      g_set_error_literal (error, TSR_MAGNET_ERROR, TSR_MAGNET_ERROR_NO_HASH,
                           _("The magnet link has no BitTorrent info hash (xt=urn:btih: or urn:btmh:)"));
      return NULL;
    }
  return g_steal_pointer (&magnet);
}

/* Keeps what is safe in a query value; '&', '=', '+', '#', '%' and
 * anything non-ASCII are escaped. */
static void
append_param (GString    *out,
              const char *key,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, "/:@!$'()*,;[]~", FALSE);

  if (out->str[out->len - 1] != '?')
    g_string_append_c (out, '&');
  g_string_append (out, key);
  g_string_append_c (out, '=');
  g_string_append (out, escaped);
}

char *
tsr_magnet_to_string (const TsrMagnet *magnet)
{
  GString *out;
  guint i;

  g_return_val_if_fail (magnet != NULL, NULL);

  out = g_string_new ("magnet:?");
  if (magnet->has_v1)
    {
      g_autofree char *hex = tsr_hex_encode (magnet->info_hash_v1, 20);
      g_autofree char *xt = g_strconcat ("urn:btih:", hex, NULL);

      append_param (out, "xt", xt);
    }
  if (magnet->has_v2)
    {
      g_autofree char *hex = tsr_hex_encode (magnet->info_hash_v2, 32);
      g_autofree char *xt = g_strconcat ("urn:btmh:1220", hex, NULL);

      append_param (out, "xt", xt);
    }
  if (magnet->display_name != NULL)
    append_param (out, "dn", magnet->display_name);
  for (i = 0; i < magnet->trackers->len; i++)
    append_param (out, "tr", g_ptr_array_index (magnet->trackers, i));
  for (i = 0; i < magnet->web_seeds->len; i++)
    append_param (out, "ws", g_ptr_array_index (magnet->web_seeds, i));
  for (i = 0; i < magnet->peers->len; i++)
    append_param (out, "x.pe", g_ptr_array_index (magnet->peers, i));
  if (magnet->select_only->len > 0)
    {
      g_autoptr(GString) so = g_string_new (NULL);

      for (i = 0; i < magnet->select_only->len; i++)
        {
          TsrMagnetRange *range = &g_array_index (magnet->select_only, TsrMagnetRange, i);

          if (i > 0)
            g_string_append_c (so, ',');
          if (range->first == range->last)
            g_string_append_printf (so, "%u", range->first);
          else
            g_string_append_printf (so, "%u-%u", range->first, range->last);
        }
      append_param (out, "so", so->str);
    }
  return g_string_free (out, FALSE);
}

gboolean
tsr_magnet_selects_file (const TsrMagnet *magnet,
                         guint            file)
{
  guint i;

  if (magnet->select_only->len == 0)
    return TRUE;
  for (i = 0; i < magnet->select_only->len; i++)
    {
      const TsrMagnetRange *range = &g_array_index (magnet->select_only, TsrMagnetRange, i);

      if (file >= range->first && file <= range->last)
        return TRUE;
    }
  return FALSE;
}
