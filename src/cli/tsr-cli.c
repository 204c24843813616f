/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli.c: what every command of tessera-cli shares: one-line errors,
 * option parsing with the usual hint, columns that line up whatever
 * script the text is in, and pretty-printed JSON. Kept apart from main.c,
 * which only dispatches, so that the commands depend on these helpers and
 * not on the dispatcher that calls them.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tsr-cli.h"

void
tsr_cli_error (const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;
  char *p;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* One line, whatever the message carries. */
  for (p = message; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  fprintf (stderr, "tessera-cli: %s\n", message);
}

gboolean
tsr_cli_parse_options (GOptionContext  *context,
                       int             *argc,
                       char          ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      tsr_cli_error ("%s", error->message);
      fprintf (stderr, _("Try “%s --help” for more information.\n"), (*argv)[0]);
      return FALSE;
    }
  return TRUE;
}

int
tsr_cli_text_width (const char *text)
{
  const char *p;
  int width = 0;

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

int
tsr_cli_widest (const char * const *texts)
{
  int widest = 0;

  for (; *texts != NULL; texts++)
    widest = MAX (widest, tsr_cli_text_width (*texts));
  return widest;
}

void
tsr_cli_print_padded (const char *text,
                      int         width)
{
  printf ("%s%*s", text, MAX (0, width - tsr_cli_text_width (text)), "");
}

void
tsr_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}
