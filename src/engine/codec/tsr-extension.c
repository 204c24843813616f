/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-extension.c: BEP 10 extended handshake codec, over the strict
 * bencode decoder. Peers' strings are untrusted: the client name is kept
 * only as valid UTF-8 of sane length, ids outside 1-255 are dropped.
 */
#define G_LOG_DOMAIN "tsr-extension"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-extension.h"

G_DEFINE_QUARK (tsr-extension-error-quark, tsr_extension_error)

#define MAX_CLIENT 64

TsrExtensionHandshake *
tsr_extension_handshake_new (void)
{
  TsrExtensionHandshake *self = g_new0 (TsrExtensionHandshake, 1);

  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->metadata_size = -1;
  return self;
}

void
tsr_extension_handshake_free (TsrExtensionHandshake *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->extensions);
  g_free (self->client);
  g_clear_object (&self->your_ip);
  g_free (self);
}

static gboolean
malformed (GError     **error,
           const char  *key)
{
  g_set_error (error, TSR_EXTENSION_ERROR, TSR_EXTENSION_ERROR_MALFORMED,
               _("The extension handshake has a malformed “%s”"), key);
  return FALSE;
}

static gboolean
read_extensions (TsrExtensionHandshake  *self,
                 TsrBencode             *m,
                 GError                **error)
{
  guint i;

  if (tsr_bencode_get_node_type (m) != TSR_BENCODE_DICT)
    return malformed (error, "m");
  for (i = 0; i < tsr_bencode_dict_size (m); i++)
    {
      const guint8 *key;
      gsize key_length = 0;
      TsrBencode *value = tsr_bencode_dict_get_nth (m, i, &key, &key_length);
      gint64 id;

      /* Names we could never match (binary, absurd) are skipped. */
      if (tsr_bencode_get_node_type (value) != TSR_BENCODE_INTEGER || key_length == 0 || key_length > 64 ||
          memchr (key, '\0', key_length) != NULL || !g_utf8_validate ((const char *) key, (gssize) key_length, NULL))
        continue;
      id = tsr_bencode_get_integer (value);
      /* BEP 10: 0 turns an extension off. */
      if (id < 1 || id > 255)
        continue;
      g_hash_table_insert (self->extensions, g_strndup ((const char *) key, key_length), GUINT_TO_POINTER ((guint) id));
    }
  return TRUE;
}

TsrExtensionHandshake *
tsr_extension_handshake_parse (const guint8  *data,
                               gsize          length,
                               GError       **error)
{
  g_autoptr(TsrExtensionHandshake) self = tsr_extension_handshake_new ();
  TsrBencode *root = tsr_bencode_decode (data, length, TSR_BENCODE_DECODE_DEFAULT, NULL, error);
  TsrBencode *node;
  gint64 number;
  gboolean ok = TRUE;

  if (root == NULL)
    {
      g_prefix_error (error, _("Extension handshake: "));
      return NULL;
    }
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    ok = malformed (error, "");
  if (ok && (node = tsr_bencode_dict_lookup (root, "m")) != NULL)
    ok = read_extensions (self, node, error);
  if (ok && (node = tsr_bencode_dict_lookup (root, "p")) != NULL)
    {
      number = tsr_bencode_get_node_type (node) == TSR_BENCODE_INTEGER ? tsr_bencode_get_integer (node) : -1;
      if (number < 0 || number > 65535)
        ok = malformed (error, "p");
      else
        self->port = (guint16) number;
    }
  if (ok && (node = tsr_bencode_dict_lookup (root, "reqq")) != NULL)
    {
      number = tsr_bencode_get_node_type (node) == TSR_BENCODE_INTEGER ? tsr_bencode_get_integer (node) : -1;
      if (number < 0)
        ok = malformed (error, "reqq");
      else
        self->reqq = (guint) MIN (number, 100000);
    }
  if (ok && (node = tsr_bencode_dict_lookup (root, "metadata_size")) != NULL)
    {
      number = tsr_bencode_get_node_type (node) == TSR_BENCODE_INTEGER ? tsr_bencode_get_integer (node) : -1;
      if (number < 0)
        ok = malformed (error, "metadata_size");
      else
        self->metadata_size = number;
    }
  if (ok && (node = tsr_bencode_dict_lookup (root, "v")) != NULL)
    {
      gsize size = 0;
      const guint8 *text = tsr_bencode_get_node_type (node) == TSR_BENCODE_STRING
                           ? tsr_bencode_get_string (node, &size) : NULL;

      /* A name to show, or nothing: never hostile bytes. */
      if (text != NULL && size <= MAX_CLIENT && memchr (text, '\0', size) == NULL &&
          g_utf8_validate ((const char *) text, (gssize) size, NULL))
        self->client = g_strndup ((const char *) text, size);
    }
  if (ok && (node = tsr_bencode_dict_lookup (root, "yourip")) != NULL)
    {
      gsize size = 0;
      const guint8 *bytes = tsr_bencode_get_node_type (node) == TSR_BENCODE_STRING
                            ? tsr_bencode_get_string (node, &size) : NULL;

      if (bytes != NULL && (size == 4 || size == 16))
        self->your_ip = g_inet_address_new_from_bytes (bytes, size == 4 ? G_SOCKET_FAMILY_IPV4
                                                                         : G_SOCKET_FAMILY_IPV6);
    }
  tsr_bencode_free (root);
  if (!ok)
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
tsr_extension_handshake_encode (const TsrExtensionHandshake *self)
{
  TsrBencode *root = tsr_bencode_new_dict ();
  TsrBencode *m = tsr_bencode_new_dict ();
  GHashTableIter iter;
  gpointer key, value;
  GBytes *bytes;

  g_hash_table_iter_init (&iter, self->extensions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    tsr_bencode_dict_insert (m, key, tsr_bencode_new_integer (GPOINTER_TO_UINT (value)));
  tsr_bencode_dict_insert (root, "m", m);
  if (self->port != 0)
    tsr_bencode_dict_insert (root, "p", tsr_bencode_new_integer (self->port));
  if (self->reqq != 0)
    tsr_bencode_dict_insert (root, "reqq", tsr_bencode_new_integer (self->reqq));
  if (self->metadata_size >= 0)
    tsr_bencode_dict_insert (root, "metadata_size", tsr_bencode_new_integer (self->metadata_size));
  if (self->client != NULL)
    tsr_bencode_dict_insert (root, "v", tsr_bencode_new_text (self->client));
  if (self->your_ip != NULL)
    tsr_bencode_dict_insert (root, "yourip",
                             tsr_bencode_new_string (g_inet_address_to_bytes (self->your_ip),
                                                     g_inet_address_get_native_size (self->your_ip)));
  bytes = tsr_bencode_encode (root);
  tsr_bencode_free (root);
  return bytes;
}
