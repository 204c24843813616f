/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd-dht.c: `tessera-cli dht`: runs a DHT node (BEP 5) for debugging and
 * for building a DHT of one's own; with --lookup, asks it for the peers
 * of an info hash, prints them and the nodes that answered, and exits.
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli.h"
#include "tessera-engine.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   json;
  guint8     target[20];
  gboolean   looking;
  GPtrArray *peers;      /* (element-type utf8) */
  guint      answered;
  gboolean   done;
} DhtRun;

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

static void
on_peers (TsrDht       *dht,
          const guint8 *info_hash,
          GArray       *peers,
          DhtRun       *run)
{
  guint i;

  if (!run->looking || memcmp (info_hash, run->target, 20) != 0)
    return;
  for (i = 0; i < peers->len; i++)
    {
      g_autofree char *text = tsr_peer_address_to_string (&g_array_index (peers, TsrPeerAddress, i));

      if (!g_ptr_array_find_with_equal_func (run->peers, text, g_str_equal, NULL))
        g_ptr_array_add (run->peers, g_steal_pointer (&text));
    }
}

static void
on_lookup_done (TsrDht       *dht,
                const guint8 *info_hash,
                guint         answered,
                DhtRun       *run)
{
  if (!run->looking || memcmp (info_hash, run->target, 20) != 0)
    return;
  run->answered = answered;
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static gboolean
on_stop (gpointer user_data)
{
  DhtRun *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_give_up (gpointer user_data)
{
  DhtRun *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

int
tsr_cli_dht (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *bind = NULL;
  g_autofree char *state = NULL;
  g_autofree char *lookup = NULL;
  g_auto(GStrv) bootstrap = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrDht) dht = NULL;
  DhtRun run = { 0 };
  gint port = 0;
  gint announce = 0;
  gint timeout = 60;
  guint sigint, sigterm;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("UDP port (default 0: any free port, printed)"), N_("PORT") },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, N_("Listen at this IP address only (default: every address)"), N_("ADDRESS") },
    { "bootstrap", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &bootstrap, N_("Start from this node (repeatable; default: the public routers)"), N_("HOST:PORT") },
    { "state", 's', 0, G_OPTION_ARG_FILENAME, &state, N_("Keep the node id and routing table in FILE"), N_("FILE") },
    { "lookup", 'l', 0, G_OPTION_ARG_STRING, &lookup, N_("Look up the peers of this info hash (40 hex digits), print them and exit"), N_("HASH") },
    { "announce", 'a', 0, G_OPTION_ARG_INT, &announce, N_("With --lookup: then announce this TCP port for the hash"), N_("PORT") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("With --lookup: give up after SECONDS (default 60)"), N_("SECONDS") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &run.json, N_("Print JSON"), NULL },
    { NULL }
  };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Run a DHT node (BEP 5), or look up the peers of an info hash."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!tsr_cli_parse_options (context, &argc, &argv))
    return 1;
  if (argc > 1 || port < 0 || port > 65535 || announce < 0 || announce > 65535 || timeout < 1)
    {
      tsr_cli_error (_("dht takes only options; --port and --announce are 0 to 65535"));
      return 1;
    }
  if (announce != 0 && lookup == NULL)
    {
      tsr_cli_error (_("--announce needs --lookup: the port is announced for the hash looked up"));
      return 1;
    }
  if (lookup != NULL && (strlen (lookup) != 40 || !tsr_hex_decode (lookup, 40, run.target, 20)))
    {
      tsr_cli_error (_("--lookup: “%s” is not 40 hex digits"), lookup);
      return 1;
    }
  dht = tsr_dht_new (bind, (guint16) port, state, &error);
  if (dht == NULL)
    {
      tsr_cli_error (_("Cannot start the DHT node: %s"), error->message);
      return 1;
    }
  run.loop = g_main_loop_new (NULL, FALSE);
  run.peers = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (dht, "peers", G_CALLBACK (on_peers), &run);
  g_signal_connect (dht, "lookup-done", G_CALLBACK (on_lookup_done), &run);
  if (run.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *id = tsr_hex_encode (tsr_dht_get_id (dht), 20);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, "listening");
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, tsr_dht_get_port (dht));
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, id);
      json_builder_end_object (builder);
      print_json (builder);
    }
  else
    {
      printf (_("DHT node on UDP port %u\n"), tsr_dht_get_port (dht));
      fflush (stdout);
    }
  tsr_dht_set_bootstrap (dht, bootstrap != NULL ? (const char *const *) bootstrap : tsr_dht_default_bootstrap);
  sigint = g_unix_signal_add (SIGINT, on_stop, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_stop, &run);
  if (lookup != NULL)
    {
      /* A moment for the bootstrap nodes to answer before the lookup. */
      run.looking = TRUE;
      g_timeout_add_seconds ((guint) timeout, on_give_up, &run);
      tsr_dht_get_peers (dht, run.target, (guint16) announce);
    }
  g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (lookup != NULL)
    {
      guint i;

      if (run.json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "event");
          json_builder_add_string_value (builder, "lookup");
          json_builder_set_member_name (builder, "done");
          json_builder_add_boolean_value (builder, run.done);
          json_builder_set_member_name (builder, "answered");
          json_builder_add_int_value (builder, run.answered);
          json_builder_set_member_name (builder, "nodes");
          json_builder_add_int_value (builder, tsr_dht_get_n_nodes (dht));
          json_builder_set_member_name (builder, "peers");
          json_builder_begin_array (builder);
          for (i = 0; i < run.peers->len; i++)
            json_builder_add_string_value (builder, g_ptr_array_index (run.peers, i));
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          print_json (builder);
        }
      else
        {
          g_autofree char *nodes = g_strdup_printf (g_dngettext (NULL, "%u node answered", "%u nodes answered",
                                                                 run.answered), run.answered);
          g_autofree char *peers = g_strdup_printf (g_dngettext (NULL, "%u peer", "%u peers", run.peers->len),
                                                    run.peers->len);

          /* TRANSLATORS: the result of a DHT lookup: "8 nodes answered; 3 peers" */
          printf (C_("dht lookup", "%s; %s\n"), nodes, peers);
          for (i = 0; i < run.peers->len; i++)
            printf ("%s\n", (const char *) g_ptr_array_index (run.peers, i));
        }
    }
  g_signal_handlers_disconnect_by_data (dht, &run);
  g_ptr_array_unref (run.peers);
  g_main_loop_unref (run.loop);
  return lookup == NULL || run.done ? 0 : 1;
}
