/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-wire.c: libFuzzer target for the peer wire codec. Feeds the input
 * as a stream of messages under fixed limits; every message that parses
 * must re-encode to exactly the bytes it came from, and respect the limits.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const TsrWireLimits limits = { 37, 65536, 1234 };
  g_autoptr(GByteArray) again = g_byte_array_new ();
  TsrWireHandshake handshake;
  gsize offset = 0;

  tsr_wire_parse_handshake (data, size, &handshake, NULL);
  while (offset < size)
    {
      g_autoptr(GError) error = NULL;
      TsrWireMessage message;
      gsize consumed = 0;
      TsrWireParseResult result = tsr_wire_parse_message (data + offset, size - offset, &limits,
                                                          &message, &consumed, &error);

      if (result == TSR_WIRE_PARSE_NEED_MORE)
        break;
      if (result == TSR_WIRE_PARSE_ERROR)
        {
          if (error == NULL || consumed != 0)
            abort ();
          break;
        }
      if (consumed == 0 || consumed > size - offset)
        abort ();
      if ((message.type == TSR_WIRE_HAVE || message.type == TSR_WIRE_REQUEST || message.type == TSR_WIRE_PIECE)
          && message.index >= limits.piece_count)
        abort ();
      if (message.type == TSR_WIRE_REQUEST && (message.length == 0 || message.length > TSR_WIRE_MAX_REQUEST))
        abort ();
      g_byte_array_set_size (again, 0);
      tsr_wire_write_message (again, &message);
      if (again->len != consumed || memcmp (again->data, data + offset, consumed) != 0)
        abort ();
      offset += consumed;
    }
  return 0;
}
