/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-magnet.c: libFuzzer target for the magnet parser and the path
 * sanitizer. A link that parses must survive a round trip through
 * tsr_magnet_to_string; a sanitized component must keep its invariants.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-magnet.h"
#include "tsr-path.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
same_list (GPtrArray *a,
           GPtrArray *b)
{
  guint i;

  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    if (!g_str_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

static void
check_magnet (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMagnet) magnet = tsr_magnet_parse (text, &error);
  g_autoptr(TsrMagnet) again = NULL;
  g_autofree char *uri = NULL;

  if (magnet == NULL)
    {
      /* Errors quote hostile input: one valid UTF-8 line. */
      if (error == NULL || strchr (error->message, '\n') != NULL ||
          !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return;
    }
  uri = tsr_magnet_to_string (magnet);
  again = tsr_magnet_parse (uri, NULL);
  if (again == NULL)
    abort ();
  if (again->has_v1 != magnet->has_v1 || again->has_v2 != magnet->has_v2 ||
      memcmp (again->info_hash_v1, magnet->info_hash_v1, 20) != 0 ||
      memcmp (again->info_hash_v2, magnet->info_hash_v2, 32) != 0 ||
      g_strcmp0 (again->display_name, magnet->display_name) != 0 ||
      !same_list (again->trackers, magnet->trackers) ||
      !same_list (again->web_seeds, magnet->web_seeds) ||
      !same_list (again->peers, magnet->peers) ||
      again->select_only->len != magnet->select_only->len)
    abort ();
}

static void
check_component (const uint8_t *data,
                 size_t         size)
{
  g_autofree char *safe = tsr_path_sanitize_component ((const char *) data, size, NULL);
  g_autofree char *shown = tsr_path_to_display ((const char *) data, size);

  if (shown == NULL || !g_utf8_validate (shown, -1, NULL))
    abort ();
  if (safe == NULL)
    return;
  if (*safe == '\0' || g_str_equal (safe, ".") || g_str_equal (safe, "..") ||
      strchr (safe, '/') != NULL || strchr (safe, '\\') != NULL ||
      !g_utf8_validate (safe, -1, NULL) || strlen (safe) > TSR_PATH_COMPONENT_MAX ||
      !tsr_path_component_is_safe (safe))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);

  check_magnet (text);
  check_component (data, size);
  return 0;
}
