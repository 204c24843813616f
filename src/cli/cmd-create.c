/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-create.c: `tessera-cli create`, the original's torrent/create. A thin
 * layer over TsrCreator: options in, a .torrent out, a progress bar on a
 * terminal and, on request, the magnet link or a JSON summary.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tessera-engine.h"

typedef struct
{
  char    *output;
  char   **trackers;
  char   **web_seeds;
  char    *piece_size;
  gboolean is_private;
  char    *comment;
  char    *source;
  char    *name;
  gboolean no_date;
  gboolean no_creator;
  char   **exclude;
  int      threads;
  gboolean v1;
  gboolean v2;
  gboolean hybrid;
  gboolean magnet;
  gboolean json;
  gboolean quiet;
  gboolean force;
  char   **inputs;
} CreateOptions;

static void
create_options_clear (CreateOptions *o)
{
  g_free (o->output);
  g_strfreev (o->trackers);
  g_strfreev (o->web_seeds);
  g_free (o->piece_size);
  g_free (o->comment);
  g_free (o->source);
  g_free (o->name);
  g_strfreev (o->exclude);
  g_strfreev (o->inputs);
}

/* -t "A,B" puts A and B in one tier (BEP 12); each -t is a new tier. */
static GPtrArray *
parse_tiers (char   **trackers,
             gboolean force,
             GError **error)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint i, j;

  for (i = 0; trackers != NULL && trackers[i] != NULL; i++)
    {
      g_auto(GStrv) urls = g_strsplit (trackers[i], ",", -1);
      GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (tiers, tier);
      for (j = 0; urls[j] != NULL; j++)
        {
          char *url = g_strstrip (urls[j]);

          if (*url == '\0')
            continue;
          if (!force && !tsr_creator_tracker_url_valid (url))
            {
              g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION,
                           _("“%s” is not an http, https or udp tracker URL (use --force to keep it)"), url);
              return NULL;
            }
          g_ptr_array_add (tier, g_strdup (url));
        }
      if (tier->len == 0)
        g_ptr_array_remove_index (tiers, tiers->len - 1);
    }
  return g_steal_pointer (&tiers);
}

static void
print_json_summary (const char        *output,
                    const TsrMetainfo *info,
                    double             seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
  g_autofree char *hash_v2 = tsr_metainfo_dup_info_hash_v2_hex (info);
  g_autofree char *magnet = tsr_metainfo_dup_magnet_uri (info);
  guint files = 0;
  guint i;

  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      files++;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "output");
  json_builder_add_string_value (builder, output);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, info->display_name);
  json_builder_set_member_name (builder, "info_hash");
  hash ? json_builder_add_string_value (builder, hash) : json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "info_hash_v2");
  hash_v2 ? json_builder_add_string_value (builder, hash_v2) : json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "piece_length");
  json_builder_add_int_value (builder, (gint64) info->piece_length);
  json_builder_set_member_name (builder, "piece_count");
  json_builder_add_int_value (builder, info->piece_count);
  json_builder_set_member_name (builder, "total_size");
  json_builder_add_int_value (builder, (gint64) info->total_length);
  json_builder_set_member_name (builder, "file_count");
  json_builder_add_int_value (builder, files);
  json_builder_set_member_name (builder, "private");
  json_builder_add_boolean_value (builder, info->is_private);
  json_builder_set_member_name (builder, "magnet");
  json_builder_add_string_value (builder, magnet);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_builder_end_object (builder);

  tsr_cli_print_json (builder);
}

static int
run_create (CreateOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = NULL;
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GPtrArray) web_seeds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) torrent = NULL;
  g_autoptr(TsrMetainfo) info = NULL;
  g_autofree char *output = NULL;
  g_autofree char *created_by = NULL;
  TsrCreateFormat format = TSR_CREATE_V1;
  TsrCreateOptions options = { 0 };
  TsrHashJob *job;
  guint64 piece_length = 0;
  gint64 started;
  guint i;

  if ((o->v1 + o->v2 + o->hybrid) > 1)
    {
      tsr_cli_error (_("choose one of --v1, --v2 and --hybrid"));
      return 1;
    }
  if (o->v2)
    format = TSR_CREATE_V2;
  else if (o->hybrid)
    format = TSR_CREATE_HYBRID;
  if (o->piece_size != NULL &&
      (!tsr_parse_size (o->piece_size, &piece_length) || !tsr_creator_piece_length_valid (piece_length)))
    {
      tsr_cli_error (_("piece size “%s” is not a power of two from 16k to 64m"), o->piece_size);
      return 1;
    }
  if (o->threads < 0 || o->threads > 1024)
    {
      tsr_cli_error (_("--threads must be from 0 (automatic: one per core) to 1024"));
      return 1;
    }
  tiers = parse_tiers (o->trackers, o->force, &error);
  if (tiers == NULL)
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  for (i = 0; o->web_seeds != NULL && o->web_seeds[i] != NULL; i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (o->web_seeds[i], G_URI_FLAGS_NONE, NULL);

      if (!o->force && (uri == NULL || (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
                                        g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)))
        {
          tsr_cli_error (_("“%s” is not an http or https web seed URL (use --force to keep it)"), o->web_seeds[i]);
          return 1;
        }
      g_ptr_array_add (web_seeds, g_strdup (o->web_seeds[i]));
    }

  creator = tsr_creator_new (o->inputs[0], (const char * const *) o->exclude, format, &error);
  if (creator == NULL)
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }

  if (o->output != NULL)
    output = g_strdup (o->output);
  else
    {
      g_autofree char *base = g_path_get_basename (o->inputs[0]);

      output = g_strconcat (o->name != NULL ? o->name : base, ".torrent", NULL);
    }
  /* Check before hashing, not after minutes of work. */
  if (!o->force && g_file_test (output, G_FILE_TEST_EXISTS))
    {
      tsr_cli_error (_("“%s” exists; use --force to overwrite it"), output);
      return 1;
    }

  job = tsr_creator_prepare_job (creator, piece_length);
  started = g_get_monotonic_time ();
  if (!tsr_cli_run_hash_job (job, (guint) o->threads, _("Hashing"), o->quiet || o->json, &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }

  created_by = g_strdup_printf ("Tessera %s", PACKAGE_VERSION);
  options.name = o->name;
  options.tiers = tiers;
  options.web_seeds = web_seeds;
  options.comment = o->comment;
  options.source = o->source;
  options.created_by = o->no_creator ? NULL : created_by;
  options.creation_date = o->no_date ? -1 : g_get_real_time () / G_USEC_PER_SEC;
  options.is_private = o->is_private;
  torrent = tsr_creator_build (creator, &options, &error);
  if (torrent == NULL)
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  /* Read back what we wrote: the parser's checks are the creator's tests. */
  info = tsr_metainfo_new_from_bytes (torrent, &error);
  if (info == NULL)
    {
      tsr_cli_error (_("internal error: the new torrent does not parse: %s"), error->message);
      return 1;
    }
  if (!g_file_set_contents (output, g_bytes_get_data (torrent, NULL), g_bytes_get_size (torrent), &error))
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }

  if (o->json)
    print_json_summary (output, info, (g_get_monotonic_time () - started) / 1e6);
  else
    {
      if (!o->quiet)
        {
          g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
          g_autofree char *hash_v2 = tsr_metainfo_dup_info_hash_v2_hex (info);
          g_autofree char *size = tsr_format_size (info->total_length, FALSE);
          g_autofree char *piece = tsr_format_size (info->piece_length, FALSE);
          const char *const labels[] = { _("Info hash:"), _("Info hash v2:"), NULL };
          int width = tsr_cli_widest (labels);

          /* TRANSLATORS: the torrent file written, its size, then its piece
           * count and piece size */
          fprintf (stderr, g_dngettext (NULL, "Wrote %s: %s in %u piece of %s\n", "Wrote %s: %s in %u pieces of %s\n",
                                        info->piece_count), output, size, info->piece_count, piece);
          if (hash != NULL)
            {
              tsr_cli_print_padded (_("Info hash:"), width);
              printf (" %s\n", hash);
            }
          if (hash_v2 != NULL)
            {
              tsr_cli_print_padded (_("Info hash v2:"), width);
              printf (" %s\n", hash_v2);
            }
        }
      if (o->magnet)
        {
          g_autofree char *magnet = tsr_metainfo_dup_magnet_uri (info);

          printf ("%s\n", magnet);
        }
    }
  return 0;
}

int
tsr_cli_create (int    argc,
                char **argv)
{
  CreateOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("Write the torrent to FILE (default: NAME.torrent)"), N_("FILE") },
    { "tracker", 't', 0, G_OPTION_ARG_STRING_ARRAY, &o.trackers, N_("Add a tracker tier; “A,B” puts A and B in one tier"), N_("URL") },
    { "web-seed", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &o.web_seeds, N_("Add a web seed (BEP 19)"), N_("URL") },
    { "piece-size", 'p', 0, G_OPTION_ARG_STRING, &o.piece_size, N_("Piece size, a power of two from 16k to 64m (default: from the total size)"), N_("SIZE") },
    { "private", 0, 0, G_OPTION_ARG_NONE, &o.is_private, N_("Make a private torrent (BEP 27)"), NULL },
    { "comment", 'c', 0, G_OPTION_ARG_STRING, &o.comment, N_("Add a comment"), N_("TEXT") },
    { "source", 's', 0, G_OPTION_ARG_STRING, &o.source, N_("Add a source tag"), N_("TEXT") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o.name, N_("Name of the torrent (default: the file or folder name)"), N_("NAME") },
    { "no-date", 0, 0, G_OPTION_ARG_NONE, &o.no_date, N_("Leave out the creation date"), NULL },
    { "no-creator", 0, 0, G_OPTION_ARG_NONE, &o.no_creator, N_("Leave out “created by”"), NULL },
    { "exclude", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.exclude, N_("Leave out files matching GLOB"), N_("GLOB") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o.threads, N_("Hash on N threads (default 0: one per core)"), N_("N") },
    { "v1", 0, 0, G_OPTION_ARG_NONE, &o.v1, N_("Make a v1 torrent (the default)"), NULL },
    { "v2", 0, 0, G_OPTION_ARG_NONE, &o.v2, N_("Make a v2 torrent (BEP 52)"), NULL },
    { "hybrid", 0, 0, G_OPTION_ARG_NONE, &o.hybrid, N_("Make a hybrid v1 and v2 torrent"), NULL },
    { "magnet", 0, 0, G_OPTION_ARG_NONE, &o.magnet, N_("Also print the magnet link"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print a summary as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Print nothing but errors"), NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &o.force, N_("Overwrite the output; accept any tracker URL"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.inputs, NULL, N_("PATH") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  int status;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Make a .torrent file of the file or folder PATH."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    {
      create_options_clear (&o);
      return 1;
    }
  if (o.inputs == NULL || o.inputs[0] == NULL || o.inputs[1] != NULL)
    {
      tsr_cli_error (_("create needs exactly one file or folder"));
      fprintf (stderr, _("Try “%s --help” for more information.\n"), argv[0]);
      create_options_clear (&o);
      return 1;
    }
  status = run_create (&o);
  create_options_clear (&o);
  return status;
}
