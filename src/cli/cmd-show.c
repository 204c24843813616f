/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-show.c: `tessera-cli show`, the original's torrent/info and
 * torrent/parse. Prints what a .torrent file or a magnet link holds, for a
 * person, as JSON, or (--raw) as an indented dump of any bencoded file.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tessera-engine.h"
#include "tsr-cli.h"

static gboolean opt_json;
static gboolean opt_raw;
static gboolean opt_fetch;
static gboolean opt_strict;
static gint opt_timeout = 60;
static char *opt_save;
static char **opt_peers;
static char **opt_inputs;

static const GOptionEntry show_entries[] = {
  { "json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, N_("Print one JSON object"), NULL },
  { "raw", 'r', 0, G_OPTION_ARG_NONE, &opt_raw, N_("Dump any bencoded file as indented text"), NULL },
  { "strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict,
    N_("Refuse a torrent file with bytes after its end, dictionary keys out of order, two files on one path "
       "or more than 1000 trackers or web seeds, instead of loading it with a note"), NULL },
  { "fetch", 'f', 0, G_OPTION_ARG_NONE, &opt_fetch, N_("For a magnet link: fetch the metadata from peers (BEP 9) and show it"), NULL },
  { "peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_peers, N_("With --fetch: ask this peer too (repeatable)"), N_("HOST:PORT") },
  { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, N_("With --fetch: give up after SECONDS (default 60)"), N_("SECONDS") },
  { "save", 's', 0, G_OPTION_ARG_FILENAME, &opt_save, N_("With --fetch: also write the torrent file to FILE"), N_("FILE") },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_inputs, NULL, N_("FILE.torrent|MAGNET") },
  { NULL }
};

static gboolean
is_magnet (const char *input)
{
  return g_ascii_strncasecmp (input, "magnet:", 7) == 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string_list (JsonBuilder *builder,
                 const char  *member,
                 GPtrArray   *list)
{
  guint i;

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (i = 0; list != NULL && i < list->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (list, i));
  json_builder_end_array (builder);
}

/* One file's JSON object. */
static JsonNode *
file_to_json (const TsrFile *file)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  /* "path" is where the file is saved: safe by construction. */
  add_string_or_null (builder, "path", file->path);
  add_string_or_null (builder, "display_path", file->display_path);
  json_builder_set_member_name (builder, "length");
  json_builder_add_int_value (builder, (gint64) file->length);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, (gint64) file->offset);
  if (file->attr & TSR_FILE_ATTR_EXECUTABLE)
    {
      json_builder_set_member_name (builder, "executable");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (file->attr & TSR_FILE_ATTR_HIDDEN)
    {
      json_builder_set_member_name (builder, "hidden");
      json_builder_add_boolean_value (builder, TRUE);
    }
  /* BEP 47: a link, with its target relative to the torrent's folder. */
  if (file->attr & TSR_FILE_ATTR_SYMLINK)
    add_string_or_null (builder, "symlink", file->symlink_path);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Prints the object @builder holds with a "files" member appended, each
 * file generated and printed on its own: a JsonNode tree of a million
 * files took about 1 KiB each, a gigabyte for a 33 MB torrent. */
static void
print_json_with_files (JsonBuilder       *builder,
                       const TsrMetainfo *info)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  char *close;
  gboolean first = TRUE;
  guint i;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  close = strrchr (text, '}');
  g_assert (close != NULL);
  while (close > text && (close[-1] == '\n' || close[-1] == ' '))
    close--;
  *close = '\0';
  printf ("%s,\n  \"files\" : [", text);
  for (i = 0; i < info->n_files; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *item = NULL;
      g_auto(GStrv) lines = NULL;
      guint j;

      if (info->files[i].attr & TSR_FILE_ATTR_PAD)
        continue;
      node = file_to_json (&info->files[i]);
      json_generator_set_root (generator, node);
      item = json_generator_to_data (generator, NULL);
      lines = g_strsplit (item, "\n", -1);
      printf ("%s\n", first ? "" : ",");
      for (j = 0; lines[j] != NULL; j++)
        printf ("%s    %s", j > 0 ? "\n" : "", lines[j]);
      first = FALSE;
    }
  printf ("%s]\n}\n", first ? "" : "\n  ");
}

static void
show_metainfo_json (const TsrMetainfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
  g_autofree char *hash_v2 = tsr_metainfo_dup_info_hash_v2_hex (info);
  g_autofree char *magnet = tsr_metainfo_dup_magnet_uri (info);
  guint i, j;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "name", info->display_name);
  add_string_or_null (builder, "save_name", info->name);
  add_string_or_null (builder, "info_hash", hash);
  add_string_or_null (builder, "info_hash_v2", hash_v2);
  json_builder_set_member_name (builder, "meta_version");
  json_builder_add_int_value (builder, info->has_v2 ? 2 : 1);
  json_builder_set_member_name (builder, "hybrid");
  json_builder_add_boolean_value (builder, info->has_v1 && info->has_v2);
  json_builder_set_member_name (builder, "piece_length");
  json_builder_add_int_value (builder, (gint64) info->piece_length);
  json_builder_set_member_name (builder, "piece_count");
  json_builder_add_int_value (builder, info->piece_count);
  json_builder_set_member_name (builder, "total_size");
  json_builder_add_int_value (builder, (gint64) info->total_length);
  json_builder_set_member_name (builder, "private");
  json_builder_add_boolean_value (builder, info->is_private);

  json_builder_set_member_name (builder, "trackers");
  json_builder_begin_array (builder);
  for (i = 0; i < info->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (info->trackers, i);

      json_builder_begin_array (builder);
      for (j = 0; j < tier->len; j++)
        json_builder_add_string_value (builder, g_ptr_array_index (tier, j));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  add_string_list (builder, "web_seeds", info->web_seeds);
  add_string_list (builder, "http_seeds", info->http_seeds);

  add_string_or_null (builder, "comment", info->comment);
  add_string_or_null (builder, "created_by", info->created_by);
  json_builder_set_member_name (builder, "creation_date");
  if (info->creation_date >= 0)
    json_builder_add_int_value (builder, info->creation_date);
  else
    json_builder_add_null_value (builder);
  add_string_or_null (builder, "source", info->source);
  add_string_or_null (builder, "magnet", magnet);
  add_string_list (builder, "notes", info->notes);
  json_builder_set_member_name (builder, "trailing_bytes");
  json_builder_add_int_value (builder, (gint64) info->trailing_bytes);
  json_builder_end_object (builder);
  print_json_with_files (builder, info);
}

static void
show_magnet_json (const TsrMagnet *magnet)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *hash = magnet->has_v1 ? tsr_hex_encode (magnet->info_hash_v1, 20) : NULL;
  g_autofree char *hash_v2 = magnet->has_v2 ? tsr_hex_encode (magnet->info_hash_v2, 32) : NULL;
  g_autofree char *uri = tsr_magnet_to_string (magnet);
  guint i;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "name", magnet->display_name);
  add_string_or_null (builder, "info_hash", hash);
  add_string_or_null (builder, "info_hash_v2", hash_v2);
  json_builder_set_member_name (builder, "piece_length");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "piece_count");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "total_size");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "private");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "trackers");
  json_builder_begin_array (builder);
  for (i = 0; i < magnet->trackers->len; i++)
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, g_ptr_array_index (magnet->trackers, i));
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  add_string_list (builder, "web_seeds", magnet->web_seeds);
  add_string_list (builder, "peers", magnet->peers);
  json_builder_set_member_name (builder, "select_only");
  json_builder_begin_array (builder);
  for (i = 0; magnet->select_only != NULL && i < magnet->select_only->len; i++)
    {
      TsrMagnetRange *range = &g_array_index (magnet->select_only, TsrMagnetRange, i);

      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, range->first);
      json_builder_add_int_value (builder, range->last);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  add_string_or_null (builder, "comment", NULL);
  add_string_or_null (builder, "created_by", NULL);
  json_builder_set_member_name (builder, "creation_date");
  json_builder_add_null_value (builder);
  add_string_or_null (builder, "magnet", uri);
  add_string_list (builder, "warnings", magnet->warnings);
  json_builder_end_object (builder);
  tsr_cli_print_json (builder);
}

/* ------------------------------------------------------------------ */
/* For people                                                          */

/* Text from a torrent goes to a terminal: control characters (C0, DEL
 * and C1, such as ESC and CSI) are shown escaped, never sent raw, so that
 * a torrent cannot retitle, clear or recolour the user's terminal. */
static char *
escape_text (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p;

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* printf pads by bytes; sizes carry a two-byte no-break space. */
static void
print_padded (const char *text,
              int         width)
{
  printf ("%*s%s", MAX (0, width - tsr_cli_text_width (text)), "", text);
}

/* "Label:   value", the label padded to @width columns (the widest label
 * of the group, measured at run time: translations differ in length). */
static void
print_field (const char *label,
             const char *value,
             int         width)
{
  g_autofree char *shown = escape_text (value);

  tsr_cli_print_padded (label, width);
  printf (" %s\n", shown);
}

static char *
format_date (gint64 seconds)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (seconds);

  if (date == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
  return g_date_time_format (date, "%Y-%m-%d %H:%M:%S %Z");
}

static void
print_trackers (GPtrArray *tiers,
                int        width)
{
  g_autofree char *last = NULL;
  int tier_width;
  guint i, j;

  if (tiers->len == 0)
    {
      print_field (_("Trackers:"), _("none"), width);
      return;
    }
  printf ("\n%s\n", _("Trackers:"));
  /* The last tier's label is the widest: numbers only grow. */
  last = g_strdup_printf (_("Tier %u"), tiers->len);
  tier_width = tsr_cli_text_width (last);
  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);
      g_autofree char *label = g_strdup_printf (_("Tier %u"), i + 1);

      for (j = 0; j < tier->len; j++)
        {
          g_autofree char *url = escape_text (g_ptr_array_index (tier, j));

          printf ("  ");
          tsr_cli_print_padded (j == 0 ? label : "", tier_width);
          printf (" %s\n", url);
        }
    }
}

static void
print_list (const char *title,
            GPtrArray  *list)
{
  guint i;

  if (list == NULL || list->len == 0)
    return;
  printf ("\n%s\n", title);
  for (i = 0; i < list->len; i++)
    {
      g_autofree char *item = escape_text (g_ptr_array_index (list, i));

      printf ("  %s\n", item);
    }
}

static void
show_metainfo_text (const TsrMetainfo *info)
{
  g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
  g_autofree char *hash_v2 = tsr_metainfo_dup_info_hash_v2_hex (info);
  g_autofree char *size = tsr_format_size (info->total_length, TRUE);
  g_autofree char *piece_size = tsr_format_size (info->piece_length, FALSE);
  g_autofree char *pieces = NULL;
  g_autofree char *magnet = tsr_metainfo_dup_magnet_uri (info);
  const char *const labels[] = {
    /* TRANSLATORS: the labels of show's fields; they are padded at run
     * time to the longest of them, so do not pad them */
    _("Name:"), _("Saved as:"), _("Info hash:"), _("Info hash v2:"), _("Format:"), _("Size:"), _("Pieces:"),
    _("Private:"), _("Created by:"), _("Created on:"), _("Comment:"), _("Source:"), _("Magnet:"), _("Trackers:"),
    NULL
  };
  int width = tsr_cli_widest (labels);
  guint n_files = 0;
  guint i;

  print_field (_("Name:"), info->display_name, width);
  if (g_strcmp0 (info->name, info->display_name) != 0)
    print_field (_("Saved as:"), info->name, width);
  if (hash != NULL)
    print_field (_("Info hash:"), hash, width);
  if (hash_v2 != NULL)
    print_field (_("Info hash v2:"), hash_v2, width);
  print_field (_("Format:"), info->has_v1 && info->has_v2 ? _("hybrid (v1 and v2)")
                              : info->has_v2 ? _("v2") : _("v1"), width);
  print_field (_("Size:"), size, width);
  /* TRANSLATORS: piece count and piece size, e.g. "1024 × 1.0 MiB" */
  pieces = g_strdup_printf (_("%u × %s"), info->piece_count, piece_size);
  print_field (_("Pieces:"), pieces, width);
  print_field (_("Private:"), info->is_private ? _("yes") : _("no"), width);
  if (info->created_by != NULL)
    print_field (_("Created by:"), info->created_by, width);
  if (info->creation_date >= 0)
    {
      g_autofree char *date = format_date (info->creation_date);

      print_field (_("Created on:"), date, width);
    }
  if (info->comment != NULL)
    print_field (_("Comment:"), info->comment, width);
  if (info->source != NULL)
    print_field (_("Source:"), info->source, width);
  print_field (_("Magnet:"), magnet, width);

  print_trackers (info->trackers, width);
  print_list (_("Web seeds:"), info->web_seeds);
  print_list (_("HTTP seeds:"), info->http_seeds);

  for (i = 0; i < info->n_files; i++)
    if (!(info->files[i].attr & TSR_FILE_ATTR_PAD))
      n_files++;
  printf ("\n");
  printf (g_dngettext (GETTEXT_PACKAGE, "%u file:\n",
                       "%u files:\n", n_files), n_files);
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_autofree char *file_size = NULL;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      file_size = g_format_size_full (file->length, G_FORMAT_SIZE_IEC_UNITS);
      printf ("  ");
      print_padded (file_size, 10);
      {
        g_autofree char *shown = escape_text (file->display_path);
        g_autofree char *saved = escape_text (file->path);

        if (file->attr & TSR_FILE_ATTR_SYMLINK)
          {
            g_autofree char *target = escape_text (file->symlink_path != NULL ? file->symlink_path : "");

            printf ("  ");
            /* TRANSLATORS: a symbolic link (BEP 47) and its target */
            printf (_("%s → %s (link)"), shown, target);
            printf ("\n");
          }
        else
          printf ("  %s\n", shown);
        if (g_strcmp0 (file->path, file->display_path) != 0)
          printf ("  %10s  %s %s\n", "", _("saved as"), saved);
      }
    }
  /* What loading repaired or ignored (renamed files, dropped trackers,
   * bytes after the end); --strict refuses these instead. */
  print_list (_("Notes:"), info->notes);
}

static void
show_magnet_text (const TsrMagnet *magnet)
{
  g_autofree char *uri = tsr_magnet_to_string (magnet);
  const char *const labels[] = { _("Name:"), _("Info hash:"), _("Info hash v2:"), _("Magnet:"), NULL };
  int width = tsr_cli_widest (labels);

  print_field (_("Name:"), magnet->display_name != NULL ? magnet->display_name : _("(unknown)"), width);
  if (magnet->has_v1)
    {
      g_autofree char *hash = tsr_hex_encode (magnet->info_hash_v1, 20);
      print_field (_("Info hash:"), hash, width);
    }
  if (magnet->has_v2)
    {
      g_autofree char *hash = tsr_hex_encode (magnet->info_hash_v2, 32);
      print_field (_("Info hash v2:"), hash, width);
    }
  print_field (_("Magnet:"), uri, width);
  print_list (_("Trackers:"), magnet->trackers);
  print_list (_("Web seeds:"), magnet->web_seeds);
  print_list (_("Peers:"), magnet->peers);
  print_list (_("Warnings:"), magnet->warnings);
  printf ("\n%s\n", _("The file list is not known until the metadata is downloaded from peers."));
}

/* ------------------------------------------------------------------ */

static int
show_raw (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TsrBencode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *display = g_filename_display_name (path);

  bytes = tsr_read_small_file (path, TSR_METAINFO_MAX_FILE_SIZE, &error);
  if (bytes != NULL)
    root = tsr_bencode_decode_bytes (bytes, TSR_BENCODE_DECODE_DEFAULT, &error);
  if (root == NULL)
    {
      if (bytes != NULL)
        g_prefix_error (&error, "%s: ", display);
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  text = tsr_bencode_dump (root, 64);
  fputs (text, stdout);
  if (*text != '\0' && text[strlen (text) - 1] != '\n')
    fputc ('\n', stdout);
  return 0;
}

typedef struct
{
  GMainLoop   *loop;
  TsrMetainfo *info;     /* (owned) (nullable) once fetched */
  char        *error;    /* (owned) (nullable) */
  guint        timeout;
} Fetch;

static void
on_fetched (TsrTorrent *torrent,
            Fetch      *fetch)
{
  fetch->info = tsr_metainfo_ref (tsr_torrent_get_metainfo (torrent));
  /* Stopped here, the torrent never checks or writes anything. */
  tsr_torrent_stop (torrent);
  g_main_loop_quit (fetch->loop);
}

static void
on_fetch_state (TsrTorrent *torrent,
                Fetch      *fetch)
{
  if (tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR && fetch->error == NULL)
    {
      fetch->error = g_strdup (tsr_torrent_get_error (torrent));
      g_main_loop_quit (fetch->loop);
    }
}

static gboolean
on_fetch_timeout (gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->timeout = 0;
  fetch->error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "No peer gave the metadata within %d second",
                                               "No peer gave the metadata within %d seconds", opt_timeout),
                                  opt_timeout);
  g_main_loop_quit (fetch->loop);
  return G_SOURCE_REMOVE;
}

/* BEP 9: the info dictionary from the magnet's peers (x.pe, --peer) and
 * trackers (tr), checked against its hash. Nothing is written but --save. */
static TsrMetainfo *
fetch_metainfo (const TsrMagnet  *magnet,
                GError          **error)
{
  g_autoptr(TsrSession) session = tsr_session_new ();
  g_autofree char *folder = g_dir_make_tmp ("tessera-fetch-XXXXXX", error);
  Fetch fetch = { 0 };
  TsrTorrent *torrent;
  guint i;

  if (folder == NULL || !tsr_session_listen (session, 0, error))
    return NULL;
  fetch.loop = g_main_loop_new (NULL, FALSE);
  torrent = tsr_session_add_magnet (session, magnet, folder);
  g_signal_connect (torrent, "metadata-received", G_CALLBACK (on_fetched), &fetch);
  g_signal_connect (torrent, "state-changed", G_CALLBACK (on_fetch_state), &fetch);
  tsr_torrent_enable_trackers (torrent, tsr_session_get_port (session));
  tsr_torrent_start (torrent);
  for (i = 0; opt_peers != NULL && opt_peers[i] != NULL; i++)
    tsr_torrent_add_peer_address (torrent, opt_peers[i]);
  fetch.timeout = g_timeout_add_seconds ((guint) MAX (opt_timeout, 1), on_fetch_timeout, &fetch);
  g_main_loop_run (fetch.loop);
  g_clear_handle_id (&fetch.timeout, g_source_remove);
  g_signal_handlers_disconnect_by_data (torrent, &fetch);
  tsr_torrent_stop (torrent);
  g_main_loop_unref (fetch.loop);
  g_rmdir (folder);
  if (fetch.info == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, fetch.error);
      g_free (fetch.error);
      return NULL;
    }
  g_free (fetch.error);
  return fetch.info;
}

static int
show_fetched (const TsrMagnet *magnet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrMetainfo) info = fetch_metainfo (magnet, &error);

  if (info == NULL)
    {
      tsr_cli_error ("%s", error->message);
      return 1;
    }
  if (opt_save != NULL)
    {
      g_autoptr(GBytes) bytes = tsr_metainfo_dup_torrent_file (info);

      if (!g_file_set_contents (opt_save, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error))
        {
          tsr_cli_error ("%s", error->message);
          return 1;
        }
    }
  if (opt_json)
    show_metainfo_json (info);
  else
    show_metainfo_text (info);
  return 0;
}

static int
show_one (const char *input)
{
  g_autoptr(GError) error = NULL;

  if (is_magnet (input))
    {
      g_autoptr(TsrMagnet) magnet = NULL;

      if (opt_raw)
        {
          tsr_cli_error (_("--raw needs a bencoded file, not a magnet link"));
          return 1;
        }
      magnet = tsr_magnet_parse (input, &error);
      if (magnet == NULL)
        {
          tsr_cli_error ("%s", error->message);
          return 1;
        }
      if (opt_fetch)
        return show_fetched (magnet);
      if (opt_json)
        show_magnet_json (magnet);
      else
        show_magnet_text (magnet);
      return 0;
    }
  if (opt_fetch)
    {
      tsr_cli_error (_("--fetch needs a magnet link"));
      return 1;
    }

  if (opt_raw)
    return show_raw (input);

  {
    g_autoptr(TsrMetainfo) info = tsr_metainfo_new_from_file_full (input, opt_strict ? TSR_METAINFO_LOAD_STRICT
                                                                                    : TSR_METAINFO_LOAD_DEFAULT,
                                                                   &error);

    if (info == NULL)
      {
        g_autofree char *display = g_filename_display_name (input);

        /* File errors already name the file. */
        if (error->domain != G_FILE_ERROR)
          g_prefix_error (&error, "%s: ", display);
        tsr_cli_error ("%s", error->message);
        return 1;
      }
    if (opt_json)
      show_metainfo_json (info);
    else
      show_metainfo_text (info);
  }
  return 0;
}

int
tsr_cli_show (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Print the name, hashes, size, pieces, trackers, web seeds and files "
                                           "of a torrent file or a magnet link."));
  g_option_context_add_main_entries (context, show_entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (opt_inputs == NULL || opt_inputs[0] == NULL || opt_inputs[1] != NULL)
    {
      tsr_cli_error (_("show needs exactly one torrent file or magnet link"));
      fprintf (stderr, _("Try “%s --help” for more information.\n"), argv[0]);
      return 1;
    }
  if (opt_json && opt_raw)
    {
      tsr_cli_error (_("--json and --raw cannot be used together"));
      return 1;
    }
  return show_one (opt_inputs[0]);
}
