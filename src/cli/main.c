/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * main.c: tessera-cli, the command-line face of Tessera. Dispatches to one
 * command per file (cmd-*.c), GNU style: `tessera-cli COMMAND [OPTION...]`,
 * with --help and --version at both levels.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tessera-engine.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} TsrCliCommand;

static const TsrCliCommand commands[] = {
  { "announce", N_("Announce once to a torrent's trackers, or scrape them"), tsr_cli_announce },
  { "create", N_("Make a torrent file of a file or a folder"), tsr_cli_create },
  { "daemon", N_("Run torrents in the background, controlled over Transmission’s remote-control protocol"), tsr_cli_daemon },
  { "dht", N_("Run a DHT node, or look up the peers of an info hash"), tsr_cli_dht },
  { "peer", N_("Download, then seed, without a window"), tsr_cli_peer },
  { "show", N_("Print what a torrent file or magnet link holds"), tsr_cli_show },
  { "tracker", N_("Run a tracker (HTTP and UDP)"), tsr_cli_tracker },
  { "verify", N_("Check downloaded data against a torrent"), tsr_cli_verify },
};

static void
print_usage (FILE *out)
{
  gsize i;

  fprintf (out, "%s\n", _("Usage: tessera-cli COMMAND [OPTION…] [ARGUMENT…]"));
  fprintf (out, "%s\n\n", _("Tessera’s command-line tools for BitTorrent."));
  fprintf (out, "%s\n", _("Commands:"));
  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  -h, --help     %s\n", _("Show this help and exit"));
  fprintf (out, "  -V, --version  %s\n", _("Show the version and exit"));
  fprintf (out, "\n%s\n", _("Run “tessera-cli COMMAND --help” for the options of a command."));
}

static void
print_version (void)
{
  printf ("tessera-cli %s\n", PACKAGE_VERSION);
  printf ("%s\n", _("License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>."));
  printf ("%s\n", _("This is free software: you are free to change and redistribute it. There is NO WARRANTY, to the extent permitted by law."));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *program = NULL;
  const char *name;
  gsize i;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, tsr_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("tessera-cli");
  tsr_tune_memory ();
  tsr_raise_file_limit ();

  if (argc < 2)
    {
      print_usage (stderr);
      return 1;
    }
  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (name, "--version") == 0 || strcmp (name, "-V") == 0)
    {
      print_version ();
      return 0;
    }

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (name, commands[i].name) != 0)
        continue;
      program = g_strdup_printf ("tessera-cli %s", name);
      argv[1] = program;
      g_set_prgname (program);
      return commands[i].run (argc - 1, argv + 1);
    }

  if (name[0] == '-')
    tsr_cli_error (_("unknown option “%s”"), name);
  else
    tsr_cli_error (_("unknown command “%s”"), name);
  fprintf (stderr, "%s\n", _("Try “tessera-cli --help” for more information."));
  return 1;
}
