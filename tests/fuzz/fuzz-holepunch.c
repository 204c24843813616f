/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-holepunch.c: libFuzzer target for the BEP 55 ut_holepunch codec.
 * A message that parses is 8, 12, 20 or 24 bytes, names a known type and
 * a port other than 0, and encodes to the bytes it came from, with the
 * error code (0) added when it had none.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-holepunch.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TsrHolepunchMessage message;

  if (!tsr_holepunch_message_parse (data, size, &message, &error))
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if ((size != 8 && size != 12 && size != 20 && size != 24) || message.type > TSR_HOLEPUNCH_ERROR_MSG || message.address.port == 0)
    abort ();
  if (tsr_holepunch_code_to_string (message.code) == NULL)
    abort ();
  bytes = tsr_holepunch_message_encode (&message);
  if (memcmp (g_bytes_get_data (bytes, NULL), data, size) != 0 ||
      (g_bytes_get_size (bytes) != size && (g_bytes_get_size (bytes) != size + 4 || message.code != 0)))
    abort ();
  return 0;
}
