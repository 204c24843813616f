/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-metainfo-keys.c: the fields of a .torrent file beside its files.
 * Typed lookups that say which field is wrong and where; BEP 12 tracker
 * tiers, BEP 19 url-list and BEP 17 httpseeds (deduplicated and capped,
 * with a note for people); BEP 47 file attributes; and the text fields
 * meant for people (comment, created by, source).
 *
 * The bottom of the parser: the other tsr-metainfo files call into it and
 * it calls none of them, so the parser's error domain is defined here.
 */
#define G_LOG_DOMAIN "tsr-metainfo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-metainfo-private.h"
#include "tsr-path.h"

G_DEFINE_QUARK (tsr-metainfo-error-quark, tsr_metainfo_error)

TsrBencode *
_tsr_metainfo_require_key (const TsrBencode *dict,
                           const char       *key,
                           TsrBencodeType    type,
                           const char       *where,
                           GError          **error)
{
  TsrBencode *value = tsr_bencode_dict_lookup (dict, key);

  if (value == NULL)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_MISSING_FIELD,
                   _("%s has no “%s” field"), where, key);
      return NULL;
    }
  if (tsr_bencode_get_node_type (value) != type)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                   /* TRANSLATORS: a field's name (stays in English); where it is ("the
                    * info dictionary", "file 3", "the torrent"); then two names of
                    * bencode types: "integer", "string", "list" or "dictionary" */
                   _("Field “%s” in %s has the type %s instead of %s"), key, where,
                   tsr_bencode_type_to_string (tsr_bencode_get_node_type (value)),
                   tsr_bencode_type_to_string (type));
      return NULL;
    }
  return value;
}

/* An optional key: absent is fine, the wrong type is an error. */
gboolean
_tsr_metainfo_optional_key (const TsrBencode  *dict,
                            const char        *key,
                            TsrBencodeType     type,
                            const char        *where,
                            TsrBencode       **out,
                            GError           **error)
{
  TsrBencode *value = tsr_bencode_dict_lookup (dict, key);

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (tsr_bencode_get_node_type (value) != type)
    {
      g_set_error (error, TSR_METAINFO_ERROR, TSR_METAINFO_ERROR_WRONG_TYPE,
                   /* TRANSLATORS: a field's name (stays in English); where it is ("the
                    * info dictionary", "file 3", "the torrent"); then two names of
                    * bencode types: "integer", "string", "list" or "dictionary" */
                   _("Field “%s” in %s has the type %s instead of %s"), key, where,
                   tsr_bencode_type_to_string (tsr_bencode_get_node_type (value)),
                   tsr_bencode_type_to_string (type));
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* Text fields meant for people (comment, created by): valid UTF-8 is kept,
 * anything else converted the way paths are. Prefers the "KEY.utf-8"
 * variant that some old clients wrote. Loose on purpose: a bad comment is
 * not a reason to refuse a torrent. */
char *
_tsr_metainfo_dup_text_field (const TsrBencode *dict,
                              const char       *key)
{
  g_autofree char *utf8_key = g_strconcat (key, ".utf-8", NULL);
  const guint8 *data;
  gsize length = 0;

  data = tsr_bencode_dict_lookup_string (dict, utf8_key, &length);
  if (data == NULL || !g_utf8_validate ((const char *) data, length, NULL))
    data = tsr_bencode_dict_lookup_string (dict, key, &length);
  if (data == NULL)
    return NULL;
  return tsr_path_to_display ((const char *) data, length);
}

/* A URL from a tracker list: trimmed, valid UTF-8 without control
 * characters, else skipped. */
static char *
dup_url (const TsrBencode *node)
{
  const guint8 *data;
  gsize length = 0;
  g_autofree char *text = NULL;
  const char *p;

  if (node == NULL || tsr_bencode_get_node_type (node) != TSR_BENCODE_STRING)
    return NULL;
  data = tsr_bencode_get_string (node, &length);
  if (!g_utf8_validate ((const char *) data, length, NULL) || memchr (data, '\0', length) != NULL)
    return NULL;
  text = g_strstrip (g_strndup ((const char *) data, length));
  for (p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return NULL;
  if (*text == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

/* A note for people about something the parser changed or dropped (show
 * prints them); the torrent still loads. */
void
_tsr_metainfo_add_note (TsrMetainfo *self,
                        char        *note)
{
  g_ptr_array_add (self->notes, note);
}

/* BEP 12: announce-list is a list of tiers; when it is absent or holds no
 * usable URL, announce is the only tracker. Duplicates are dropped through
 * a set, not a scan of the tiers so far: a hostile torrent lists hundreds
 * of thousands of tiers, and a scan per URL made loading quadratic. Past
 * TSR_METAINFO_MAX_TRACKERS the rest is dropped with a note, not refused:
 * no swarm needs more, and each one would cost an announce. */
static void
parse_trackers (TsrMetainfo      *self,
                const TsrBencode *root)
{
  TsrBencode *list = tsr_bencode_dict_lookup_type (root, "announce-list", TSR_BENCODE_LIST);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint kept = 0;
  guint dropped = 0;
  guint i, j;

  if (list != NULL)
    {
      for (i = 0; i < tsr_bencode_list_length (list); i++)
        {
          TsrBencode *tier_node = tsr_bencode_list_get (list, i);
          g_autoptr(GPtrArray) tier = g_ptr_array_new_with_free_func (g_free);
          guint n_urls = 1;

          /* Some creators write a flat list of strings; take each as a tier. */
          if (tsr_bencode_get_node_type (tier_node) == TSR_BENCODE_LIST)
            n_urls = tsr_bencode_list_length (tier_node);
          else if (tsr_bencode_get_node_type (tier_node) != TSR_BENCODE_STRING)
            continue;
          for (j = 0; j < n_urls; j++)
            {
              TsrBencode *url_node = tsr_bencode_get_node_type (tier_node) == TSR_BENCODE_STRING
                                     ? tier_node : tsr_bencode_list_get (tier_node, j);
              char *url = dup_url (url_node);

              if (url == NULL || g_hash_table_contains (seen, url))
                {
                  g_free (url);
                  continue;
                }
              if (kept >= TSR_METAINFO_MAX_TRACKERS)
                {
                  g_free (url);
                  dropped++;
                  continue;
                }
              g_hash_table_add (seen, url);   /* borrowed: the tier owns it */
              g_ptr_array_add (tier, url);
              kept++;
            }
          if (tier->len > 0)
            g_ptr_array_add (self->trackers, g_steal_pointer (&tier));
        }
    }
  if (dropped > 0)
    _tsr_metainfo_add_note (self,
                            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u more tracker was left out: a torrent keeps at most %u",
                                                          "%u more trackers were left out: a torrent keeps at most %u",
                                                          dropped),
                                             dropped, (guint) TSR_METAINFO_MAX_TRACKERS));

  if (self->trackers->len == 0)
    {
      char *url = dup_url (tsr_bencode_dict_lookup (root, "announce"));

      if (url != NULL)
        {
          GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

          g_ptr_array_add (tier, url);
          g_ptr_array_add (self->trackers, tier);
        }
    }
}

/* BEP 19 url-list is a string or a list of strings; BEP 17 httpseeds a list. */
static void
parse_url_list (TsrMetainfo      *self,
                const TsrBencode *node,
                GPtrArray        *out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint dropped = 0;
  guint i;

  if (node == NULL)
    return;
  if (tsr_bencode_get_node_type (node) == TSR_BENCODE_STRING)
    {
      char *url = dup_url (node);

      if (url != NULL)
        g_ptr_array_add (out, url);
      return;
    }
  if (tsr_bencode_get_node_type (node) != TSR_BENCODE_LIST)
    return;
  /* A set, not a scan: linear in the list, whatever its length. */
  for (i = 0; i < tsr_bencode_list_length (node); i++)
    {
      char *url = dup_url (tsr_bencode_list_get (node, i));

      if (url == NULL || g_hash_table_contains (seen, url))
        g_free (url);
      else if (out->len >= TSR_METAINFO_MAX_WEB_SEEDS)
        {
          g_free (url);
          dropped++;
        }
      else
        {
          g_hash_table_add (seen, url);
          g_ptr_array_add (out, url);
        }
    }
  if (dropped > 0)
    _tsr_metainfo_add_note (self,
                            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%u more web seed was left out: a torrent keeps at most %u",
                                                          "%u more web seeds were left out: a torrent keeps at most %u",
                                                          dropped),
                                             dropped, (guint) TSR_METAINFO_MAX_WEB_SEEDS));
}

TsrFileAttr
_tsr_metainfo_parse_attr (const TsrBencode *dict)
{
  const guint8 *data;
  gsize length = 0;
  TsrFileAttr attr = TSR_FILE_ATTR_NONE;
  gsize i;

  data = tsr_bencode_dict_lookup_string (dict, "attr", &length);
  if (data == NULL)
    return attr;
  /* BEP 47: unknown attribute letters are ignored. */
  for (i = 0; i < length; i++)
    switch (data[i])
      {
      case 'p': attr |= TSR_FILE_ATTR_PAD; break;
      case 'x': attr |= TSR_FILE_ATTR_EXECUTABLE; break;
      case 'h': attr |= TSR_FILE_ATTR_HIDDEN; break;
      case 'l': attr |= TSR_FILE_ATTR_SYMLINK; break;
      default: break;
      }
  return attr;
}

void
_tsr_metainfo_parse_extras (TsrMetainfo      *self,
                            const TsrBencode *root)
{
  gint64 date;

  parse_trackers (self, root);
  parse_url_list (self, tsr_bencode_dict_lookup (root, "url-list"), self->web_seeds);
  parse_url_list (self, tsr_bencode_dict_lookup (root, "httpseeds"), self->http_seeds);
  self->comment = _tsr_metainfo_dup_text_field (root, "comment");
  self->created_by = _tsr_metainfo_dup_text_field (root, "created by");
  if (tsr_bencode_dict_lookup_integer (root, "creation date", &date) && date >= 0)
    self->creation_date = date;
}
