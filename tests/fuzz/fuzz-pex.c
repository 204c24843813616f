/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-pex.c: libFuzzer target for the BEP 11 ut_pex codec. A message
 * that parses holds at most TSR_PEX_MAX_READ peers a list, none with
 * port 0, and re-encodes to one that parses to the same peers.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-pex.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
same (GArray *a,
      GArray *b)
{
  guint i;

  if (a->len != b->len)
    return FALSE;
  /* Encoding puts IPv4 before IPv6: compare as sets of addresses. */
  for (i = 0; i < a->len; i++)
    {
      TsrPexPeer *x = &g_array_index (a, TsrPexPeer, i);
      guint j;
      gboolean found = FALSE;

      for (j = 0; j < b->len && !found; j++)
        {
          TsrPexPeer *y = &g_array_index (b, TsrPexPeer, j);

          found = x->address.family == y->address.family && x->address.port == y->address.port &&
                  memcmp (x->address.address, y->address.address, 16) == 0;
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrPexMessage) message = tsr_pex_message_parse (data, size, &error);
  g_autoptr(TsrPexMessage) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint i;

  if (message == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (message->added->len > 2 * TSR_PEX_MAX_READ || message->dropped->len > 2 * TSR_PEX_MAX_READ)
    abort ();
  for (i = 0; i < message->added->len; i++)
    if (g_array_index (message->added, TsrPexPeer, i).address.port == 0)
      abort ();
  bytes = tsr_pex_message_encode (message);
  again = tsr_pex_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  if (again == NULL || !same (message->added, again->added) || !same (message->dropped, again->dropped))
    abort ();
  return 0;
}
