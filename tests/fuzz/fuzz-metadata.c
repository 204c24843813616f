/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-metadata.c: libFuzzer target for the BEP 9 ut_metadata codec and
 * the gathering of a dictionary. A message that parses re-encodes to one
 * with the same fields; pieces fed to a fetch never overrun it, and a
 * dictionary is handed out only when it hashes right (never here: the
 * hash is of nothing the fuzzer can produce by chance).
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-metadata.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 hash[20] = { 0xde, 0xad, 0xbe, 0xef };
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetadataFetch) fetch = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TsrMetadataMessage message, again;

  if (!tsr_metadata_message_parse (data, size, &message, &error))
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (message.type < 0 || message.type > TSR_METADATA_REJECT)
    return 0;
  bytes = tsr_metadata_message_encode (message.type, message.piece, message.total_size,
                                       message.data, message.data_length);
  if (!tsr_metadata_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &again, NULL) ||
      again.type != message.type || again.piece != message.piece || again.total_size != message.total_size ||
      again.data_length != message.data_length ||
      (message.data_length > 0 && memcmp (again.data, message.data, message.data_length) != 0))
    abort ();
  if (message.type != TSR_METADATA_DATA)
    return 0;
  /* Small sizes only: the fuzzer should not spend its time in malloc. */
  fetch = tsr_metadata_fetch_new (hash, NULL);
  if (message.total_size <= 4 * TSR_METADATA_PIECE_SIZE &&
      tsr_metadata_fetch_set_size (fetch, message.total_size, NULL))
    {
      tsr_metadata_fetch_add (fetch, message.piece, message.data, message.data_length, NULL);
      if (tsr_metadata_fetch_get_progress (fetch) > 1.0)
        abort ();
    }
  if (tsr_metadata_fetch_dup_info (fetch) != NULL)
    abort ();
  return 0;
}
