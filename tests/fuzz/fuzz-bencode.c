/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-bencode.c: libFuzzer target for the bencode decoder. Besides "no
 * crash, no leak", it checks that whatever decodes re-encodes canonically:
 * decoding the encoding and encoding again gives the same bytes.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-bencode.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_round_trip (const TsrBencode *node)
{
  g_autoptr(GBytes) first = tsr_bencode_encode (node);
  g_autoptr(TsrBencode) again = tsr_bencode_decode_bytes (first, TSR_BENCODE_DECODE_STRICT_ORDER, NULL);
  g_autoptr(GBytes) second = NULL;
  g_autofree char *dump = NULL;

  if (again == NULL)
    abort ();
  second = tsr_bencode_encode (again);
  if (!g_bytes_equal (first, second))
    abort ();
  dump = tsr_bencode_dump (node, 16);
  if (dump == NULL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrBencode) node = NULL;
  g_autoptr(TsrBencode) prefix = NULL;
  gsize consumed = 0;

  node = tsr_bencode_decode (data, size, TSR_BENCODE_DECODE_DEFAULT, NULL, &error);
  if (node != NULL)
    {
      gsize offset = 0, length = 0;

      if (!tsr_bencode_get_span (node, &offset, &length) || offset != 0 || length != size)
        abort ();
      check_round_trip (node);
    }
  else if (error == NULL || error->domain != TSR_BENCODE_ERROR)
    abort ();
  g_clear_error (&error);

  prefix = tsr_bencode_decode (data, size, TSR_BENCODE_DECODE_STRICT_ORDER | TSR_BENCODE_DECODE_ALLOW_TRAILING,
                               &consumed, &error);
  if (prefix != NULL)
    {
      if (consumed == 0 || consumed > size)
        abort ();
      check_round_trip (prefix);
    }
  return 0;
}
