/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-verify.c: `tessera-cli verify`, the original's torrent/verify.
 * Checks the data under a folder against a torrent's hashes and says, per
 * piece and per file, what is good, bad and missing. Exit status 0 only
 * when everything is there and correct.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "tsr-cli.h"
#include "tessera-engine.h"

static const char *
file_check_name (TsrFileCheck check)
{
  switch (check)
    {
    case TSR_FILE_CHECK_COMPLETE: return "complete";
    case TSR_FILE_CHECK_INCOMPLETE: return "incomplete";
    case TSR_FILE_CHECK_MISSING: return "missing";
    default: return "?";
    }
}

static const char *
file_check_label (TsrFileCheck check)
{
  switch (check)
    {
    /* TRANSLATORS: a file's state after verify, in a column before its
     * name; the column is as wide as the longest of the three */
    case TSR_FILE_CHECK_COMPLETE: return _("complete");
    case TSR_FILE_CHECK_INCOMPLETE: return _("incomplete");
    case TSR_FILE_CHECK_MISSING: return _("missing");
    default: return "?";
    }
}

static void
print_json (const TsrMetainfo     *info,
            const TsrVerifyReport *report,
            gboolean               ok)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint i;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->display_name);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
  json_builder_set_member_name (builder, "pieces");
  json_builder_add_int_value (builder, report->n_pieces);
  json_builder_set_member_name (builder, "good");
  json_builder_add_int_value (builder, report->good);
  json_builder_set_member_name (builder, "bad");
  json_builder_add_int_value (builder, report->bad);
  json_builder_set_member_name (builder, "missing");
  json_builder_add_int_value (builder, report->missing);
  json_builder_set_member_name (builder, "bad_pieces");
  json_builder_begin_array (builder);
  for (i = 0; i < report->n_pieces; i++)
    if (report->pieces[i] == TSR_PIECE_CHECK_BAD)
      json_builder_add_int_value (builder, i);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "missing_pieces");
  json_builder_begin_array (builder);
  for (i = 0; i < report->n_pieces; i++)
    if (report->pieces[i] == TSR_PIECE_CHECK_MISSING)
      json_builder_add_int_value (builder, i);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (i = 0; i < info->n_files; i++)
    {
      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, info->files[i].path);
      json_builder_set_member_name (builder, "length");
      json_builder_add_int_value (builder, (gint64) info->files[i].length);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, file_check_name (report->files[i]));
      json_builder_set_member_name (builder, "bad_pieces");
      json_builder_add_int_value (builder, report->file_bad[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  tsr_cli_print_json (builder);
}

static void
print_text (const TsrMetainfo     *info,
            const TsrVerifyReport *report,
            gboolean               ok)
{
  const char *const labels[] = {
    file_check_label (TSR_FILE_CHECK_COMPLETE), file_check_label (TSR_FILE_CHECK_INCOMPLETE),
    file_check_label (TSR_FILE_CHECK_MISSING), NULL
  };
  int width = tsr_cli_widest (labels);
  g_autofree char *checked = g_strdup_printf (g_dngettext (NULL, "%u piece checked", "%u pieces checked",
                                                           report->n_pieces), report->n_pieces);
  /* TRANSLATORS: counts of pieces, in "100 pieces checked: 97 good,
   * 2 bad, 1 missing" */
  g_autofree char *good = g_strdup_printf (g_dngettext (NULL, "%u good", "%u good", report->good), report->good);
  g_autofree char *bad = g_strdup_printf (g_dngettext (NULL, "%u bad", "%u bad", report->bad), report->bad);
  g_autofree char *missing = g_strdup_printf (g_dngettext (NULL, "%u missing", "%u missing", report->missing),
                                              report->missing);
  guint i;
  guint shown = 0;

  /* TRANSLATORS: "100 pieces checked: 97 good, 2 bad, 1 missing" */
  printf (C_("verify", "%s: %s, %s, %s\n"), checked, good, bad, missing);
  for (i = 0; i < report->n_pieces && shown < 20; i++)
    if (report->pieces[i] == TSR_PIECE_CHECK_BAD)
      {
        printf (_("  piece %u is bad\n"), i);
        shown++;
      }
  if (report->bad > shown)
    printf (g_dngettext (NULL, "  … and %u more bad piece\n", "  … and %u more bad pieces\n", report->bad - shown),
            report->bad - shown);
  printf ("\n");
  for (i = 0; i < info->n_files; i++)
    {
      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        continue;
      printf ("  ");
      tsr_cli_print_padded (file_check_label (report->files[i]), width);
      printf ("  %s\n", info->files[i].path);
    }
  printf ("\n%s\n", ok ? _("All data is present and correct.") : _("The data is not complete and correct."));
}

int
tsr_cli_verify (int    argc,
                char **argv)
{
  g_autofree char *folder = NULL;
  g_auto(GStrv) inputs = NULL;
  gboolean json = FALSE;
  gboolean quiet = FALSE;
  int threads = 0;
  const GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &folder, N_("Folder holding the data (default: the current folder)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Hash on N threads (default 0: one per core)"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing; only the exit status tells"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, N_("FILE.torrent") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autoptr(TsrHashJob) job = NULL;
  g_autoptr(TsrVerifyReport) report = NULL;
  gboolean ok;
  guint i;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Check the data of a torrent under DIR against its piece hashes.\n"
                                           "Exits with status 0 only when everything is present and correct."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (inputs == NULL || inputs[0] == NULL || inputs[1] != NULL)
    {
      tsr_cli_error (_("verify needs exactly one torrent file"));
      fprintf (stderr, _("Try “%s --help” for more information.\n"), argv[0]);
      return 1;
    }
  if (threads < 0 || threads > 1024)
    {
      tsr_cli_error (_("--threads must be from 0 (automatic: one per core) to 1024"));
      return 1;
    }
  if (folder == NULL)
    folder = g_strdup (".");
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      tsr_cli_error (_("“%s” is not a folder"), folder);
      return 1;
    }

  info = tsr_metainfo_new_from_file (inputs[0], &error);
  if (info == NULL)
    {
      g_autofree char *display = g_filename_display_name (inputs[0]);

      if (error->domain != G_FILE_ERROR)
        g_prefix_error (&error, "%s: ", display);
      tsr_cli_error ("%s", error->message);
      return 1;
    }

  job = tsr_verifier_prepare_job (info, folder);
  if (!tsr_cli_run_hash_job (job, (guint) threads, _("Checking"), quiet || json, &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  report = tsr_verifier_report (info, job);
  ok = report->good == report->n_pieces;
  for (i = 0; i < info->n_files; i++)
    if (report->files[i] != TSR_FILE_CHECK_COMPLETE)
      ok = FALSE;

  if (json)
    print_json (info, report, ok);
  else if (!quiet)
    print_text (info, report, ok);
  return ok ? 0 : 1;
}
