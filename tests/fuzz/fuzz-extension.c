/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-extension.c: libFuzzer target for the BEP 10 handshake codec. A
 * handshake that parses must re-encode and parse again to the same
 * fields; the client name, when kept, is valid UTF-8.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsr-extension.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrExtensionHandshake) shake = tsr_extension_handshake_parse (data, size, &error);
  g_autoptr(TsrExtensionHandshake) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (shake == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (shake->client != NULL && !g_utf8_validate (shake->client, -1, NULL))
    abort ();
  bytes = tsr_extension_handshake_encode (shake);
  again = tsr_extension_handshake_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  if (again == NULL || again->port != shake->port || again->reqq != shake->reqq ||
      again->metadata_size != shake->metadata_size || g_strcmp0 (again->client, shake->client) != 0 ||
      g_hash_table_size (again->extensions) != g_hash_table_size (shake->extensions) ||
      (shake->your_ip == NULL) != (again->your_ip == NULL) ||
      (shake->your_ip != NULL && !g_inet_address_equal (shake->your_ip, again->your_ip)))
    abort ();
  g_hash_table_iter_init (&iter, shake->extensions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_hash_table_lookup (again->extensions, key) != value)
      abort ();
  return 0;
}
