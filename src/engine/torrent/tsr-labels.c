/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-labels.c: the rule for torrent labels (see tsr-labels.h). Pure
 * functions, no I/O: the library applies them to what the app sets and
 * to what it reads back from its index, which anyone may have edited.
 */
#define G_LOG_DOMAIN "tsr-library"

#include "config.h"

#include <string.h>

#include "tsr-labels.h"

/* One label through the rule: a new string, or NULL when left out. */
static char *
sanitise_one (const char *label)
{
  g_autoptr(GString) text = NULL;
  const char *p;
  guint n_chars = 0;

  if (label == NULL || !g_utf8_validate (label, -1, NULL))
    return NULL;
  text = g_string_new (NULL);
  for (p = label; *p != '\0' && n_chars < TSR_LABEL_MAX_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Trimmed at the start as we go: no leading space is kept. */
      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        {
          if (text->len == 0)
            continue;
          c = ' ';
        }
      g_string_append_unichar (text, c);
      n_chars++;
    }
  while (text->len > 0 && text->str[text->len - 1] == ' ')
    g_string_truncate (text, text->len - 1);
  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
tsr_labels_contain (const char * const *labels,
                    const char         *label)
{
  g_autofree char *folded = g_utf8_casefold (label, -1);
  guint i;

  for (i = 0; labels != NULL && labels[i] != NULL; i++)
    {
      g_autofree char *other = g_utf8_casefold (labels[i], -1);

      if (g_str_equal (folded, other))
        return TRUE;
    }
  return FALSE;
}

char **
tsr_labels_sanitise (const char * const *labels)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; labels != NULL && labels[i] != NULL && kept->len < TSR_LABELS_MAX; i++)
    {
      char *label = sanitise_one (labels[i]);

      g_ptr_array_add (kept, NULL);   /* terminated while searched */
      kept->len--;
      if (label == NULL || tsr_labels_contain ((const char * const *) kept->pdata, label))
        g_free (label);
      else
        g_ptr_array_add (kept, label);
    }
  g_ptr_array_add (kept, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
}

gboolean
tsr_labels_equal (const char * const *a,
                  const char * const *b)
{
  guint i;

  for (i = 0; a != NULL && a[i] != NULL; i++)
    if (b == NULL || b[i] == NULL || !g_str_equal (a[i], b[i]))
      return FALSE;
  return b == NULL || b[i] == NULL;
}

char **
tsr_labels_from_json (JsonNode *node)
{
  g_autoptr(GPtrArray) strings = NULL;
  JsonArray *array;
  guint i;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  strings = g_ptr_array_new ();
  for (i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (strings, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (strings, NULL);
  return tsr_labels_sanitise ((const char * const *) strings->pdata);
}
