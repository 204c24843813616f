/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * main.c: starts the Tessera desktop app.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "tsr-application.h"
#include "tessera-engine.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(TsrApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, tsr_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name ("Tessera");
  tsr_tune_memory ();
  tsr_raise_file_limit ();

  app = tsr_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
