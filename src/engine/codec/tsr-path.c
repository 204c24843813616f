/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-path.c: makes the path components a torrent names safe to create
 * under the download folder.
 *
 * Rules, in order:
 *  1. Invalid UTF-8 is converted: a component that is not UTF-8 is taken
 *     as Windows-1252 (what most old non-UTF-8 torrents used), falling back
 *     to g_utf8_make_valid (U+FFFD) when even that fails.
 *  2. "", "." and ".." are dropped (NULL).
 *  3. NUL, control characters (< 0x20, 0x7f, and U+0080-U+009F), '/', '\\'
 *     and ':' become '_'.
 *  4. Reserved DOS device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, also
 *     with an extension) get a '_' prefix.
 *  5. The result is cut to TSR_PATH_COMPONENT_MAX bytes on a character
 *     boundary, keeping an extension of up to 16 bytes.
 *  6. Trailing dots and spaces each become '_' (Windows strips them, which
 *     would make two names collide; and "..." can never become "..").
 */
#define G_LOG_DOMAIN "tsr-path"

#include "config.h"

#include <string.h>

#include "tsr-path.h"

#define MAX_KEPT_EXTENSION 16

char *
tsr_path_to_display (const char *data,
                     gsize       length)
{
  g_autofree char *converted = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    return g_strdup ("");
  if (g_utf8_validate (data, length, NULL) && memchr (data, '\0', length) == NULL)
    return g_strndup (data, length);
  if (memchr (data, '\0', length) == NULL)
    {
      converted = g_convert (data, length, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
      if (converted != NULL && g_utf8_validate (converted, -1, NULL))
        return g_steal_pointer (&converted);
    }
  {
    /* NULs would cut the C string: show them as U+FFFD too. */
    g_autofree char *copy = g_malloc (length + 1);
    gsize i;

    memcpy (copy, data, length);
    for (i = 0; i < length; i++)
      if (copy[i] == '\0')
        copy[i] = (char) 0xff;
    copy[length] = '\0';
    return g_utf8_make_valid (copy, length);
  }
}

static gboolean
is_reserved_device (const char *name)
{
  static const char *const devices[] = { "CON", "PRN", "AUX", "NUL" };
  gsize stem;
  guint i;

  stem = strcspn (name, ".");
  for (i = 0; i < G_N_ELEMENTS (devices); i++)
    if (stem == 3 && g_ascii_strncasecmp (name, devices[i], 3) == 0)
      return TRUE;
  if (stem == 4 && (g_ascii_strncasecmp (name, "COM", 3) == 0 || g_ascii_strncasecmp (name, "LPT", 3) == 0) &&
      name[3] >= '1' && name[3] <= '9')
    return TRUE;
  return FALSE;
}

/* Length of the longest prefix of @text of at most @max bytes that ends
 * on a UTF-8 character boundary. */
static gsize
utf8_prefix_length (const char *text,
                    gsize       max)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *next = g_utf8_next_char (p);

      if ((gsize) (next - text) > max)
        break;
      p = next;
    }
  return (gsize) (p - text);
}

static char *
truncate_component (const char *name)
{
  gsize length = strlen (name);
  const char *dot = strrchr (name, '.');
  gsize extension = 0;
  gsize stem;
  GString *out;

  if (length <= TSR_PATH_COMPONENT_MAX)
    return g_strdup (name);
  if (dot != NULL && dot != name && (gsize) (name + length - dot) <= MAX_KEPT_EXTENSION)
    extension = (gsize) (name + length - dot);
  stem = utf8_prefix_length (name, TSR_PATH_COMPONENT_MAX - extension);
  out = g_string_new_len (name, stem);
  if (extension > 0)
    g_string_append (out, dot);
  return g_string_free (out, FALSE);
}

char *
tsr_path_sanitize_component (const char *data,
                             gsize       length,
                             gboolean   *changed)
{
  g_autofree char *text = NULL;
  g_autofree char *prefixed = NULL;
  char *result;
  gsize i;
  gsize n;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (changed != NULL)
    *changed = FALSE;
  if (length == 0 || (length == 1 && data[0] == '.') || (length == 2 && data[0] == '.' && data[1] == '.'))
    {
      if (changed != NULL)
        *changed = TRUE;
      return NULL;
    }

  if (g_utf8_validate (data, length, NULL) && memchr (data, '\0', length) == NULL)
    text = g_strndup (data, length);
  else
    {
      /* NUL goes through the display conversion as U+FFFD, then below. */
      text = tsr_path_to_display (data, length);
    }

  n = strlen (text);
  for (i = 0; i < n; i++)
    {
      guchar c = (guchar) text[i];

      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':')
        text[i] = '_';
    }
  /* C1 controls (U+0080-U+009F, such as CSI) would reach terminals. */
  if (strstr (text, "\xc2") != NULL)
    {
      GString *clean = g_string_sized_new (n);
      const char *p;

      for (p = text; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c >= 0x80 && c < 0xa0)
            g_string_append_c (clean, '_');
          else
            g_string_append_unichar (clean, c);
        }
      g_free (text);
      text = g_string_free (clean, FALSE);
    }
  if (is_reserved_device (text))
    {
      prefixed = g_strconcat ("_", text, NULL);
      g_free (text);
      text = g_steal_pointer (&prefixed);
    }
  result = truncate_component (text);
  /* After the cut, so that the cut cannot leave a trailing dot. */
  n = strlen (result);
  for (i = n; i > 0 && (result[i - 1] == '.' || result[i - 1] == ' '); i--)
    result[i - 1] = '_';

  if (changed != NULL)
    *changed = strlen (result) != length || memcmp (result, data, length) != 0;
  return result;
}

gboolean
tsr_path_component_is_safe (const char *component)
{
  g_autofree char *sanitized = NULL;
  gboolean changed = TRUE;

  g_return_val_if_fail (component != NULL, FALSE);
  sanitized = tsr_path_sanitize_component (component, strlen (component), &changed);
  return sanitized != NULL && !changed;
}

gboolean
tsr_path_is_inside (const char *root,
                    const char *relative)
{
  g_auto(GStrv) parts = NULL;
  guint i;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (relative != NULL, FALSE);

  if (!g_path_is_absolute (root) || *relative == '\0' || relative[0] == '/' ||
      strchr (relative, '\\') != NULL)
    return FALSE;
  parts = g_strsplit (relative, "/", -1);
  for (i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}
