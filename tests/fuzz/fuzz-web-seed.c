/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-web-seed.c: libFuzzer target for the web seed's reply header
 * parsers (tsr-web-seed-http.c). A Content-Range that parses must be a
 * real range, and must parse again the same once printed; a Retry-After
 * must not crash.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsr-web-seed-http.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_content_range (const char *text)
{
  guint64 first = 0, last = 0, total = 0;
  guint64 first2 = 0, last2 = 0, total2 = 0;
  g_autofree char *again = NULL;

  if (!tsr_web_seed_http_parse_content_range (text, &first, &last, &total))
    return;
  if (last < first || (total != G_MAXUINT64 && last >= total))
    abort ();
  if (total == G_MAXUINT64)
    again = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/*", first, last);
  else
    again = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                             first, last, total);
  if (!tsr_web_seed_http_parse_content_range (again, &first2, &last2, &total2) ||
      first2 != first || last2 != last || total2 != total)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GDateTime) now = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  guint64 seconds = 0;

  check_content_range (text);
  tsr_web_seed_http_parse_retry_after (text, now, &seconds);
  tsr_web_seed_http_parse_retry_after (text, NULL, &seconds);
  return 0;
}
