/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-lsd.c: libFuzzer target for the BEP 14 parser. Whatever parses
 * must hold a usable port, 1 to TSR_LSD_MAX_HASHES distinct hashes and a
 * sane cookie, and must come back the same through the builder.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-lsd-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autoptr(TsrLsdMessage) again = NULL;
  g_autofree char *text = NULL;
  guint i, j;

  message = tsr_lsd_message_parse (data, size, NULL);
  if (message == NULL)
    return 0;
  if (message->port == 0 || message->n_hashes == 0 || message->n_hashes > TSR_LSD_MAX_HASHES)
    abort ();
  for (i = 0; i < message->n_hashes; i++)
    for (j = i + 1; j < message->n_hashes; j++)
      if (memcmp (message->hashes[i], message->hashes[j], 20) == 0)
        abort ();
  if (message->cookie != NULL &&
      (message->cookie[0] == '\0' || strlen (message->cookie) > TSR_LSD_MAX_COOKIE ||
       strpbrk (message->cookie, " \t\r\n") != NULL))
    abort ();

  text = tsr_lsd_message_build ("[ff15::efc0:988f]:6771", message->port, &message->hashes[0][0],
                                message->n_hashes, message->cookie);
  if (text == NULL || strlen (text) > TSR_LSD_MAX_MESSAGE)
    abort ();
  again = tsr_lsd_message_parse ((const guint8 *) text, strlen (text), NULL);
  if (again == NULL || again->port != message->port || again->n_hashes != message->n_hashes ||
      memcmp (again->hashes, message->hashes, sizeof message->hashes) != 0 ||
      g_strcmp0 (again->cookie, message->cookie) != 0)
    abort ();
  return 0;
}
