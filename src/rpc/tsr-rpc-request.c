/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-request.c: parses a request body with json-glib, finds its
 * method in a table and builds the reply around what the method adds:
 * {"arguments": {…}, "result": "success" or what went wrong, "tag": N}.
 * A body that is not JSON, not an object, or names no method gets a
 * reply saying so (HTTP 400) and changes nothing. Three methods wait,
 * and only the asynchronous form runs them: torrent-add of a URL (the
 * file is fetched, then added as "metainfo" would be), torrent-rename-path
 * (for the disk) and blocklist-update (for the fetch).
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-fetch.h"
#include "tsr-rpc-json.h"
#include "tsr-rpc-methods.h"
#include "tsr-rpc-request.h"

static const struct
{
  const char  *name;
  TsrRpcMethod method;
} methods[] = {
  { "free-space", tsr_rpc_free_space },
  { "port-test", tsr_rpc_port_test },
  { "queue-move-bottom", tsr_rpc_queue_move_bottom },
  { "queue-move-down", tsr_rpc_queue_move_down },
  { "queue-move-top", tsr_rpc_queue_move_top },
  { "queue-move-up", tsr_rpc_queue_move_up },
  { "session-close", tsr_rpc_session_close },
  { "session-get", tsr_rpc_session_get },
  { "session-set", tsr_rpc_session_set },
  { "session-stats", tsr_rpc_session_stats },
  { "torrent-add", tsr_rpc_torrent_add },
  { "torrent-reannounce", tsr_rpc_torrent_reannounce },
  { "torrent-remove", tsr_rpc_torrent_remove },
  { "torrent-set", tsr_rpc_torrent_set },
  { "torrent-set-location", tsr_rpc_torrent_set_location },
  { "torrent-start", tsr_rpc_torrent_start },
  { "torrent-start-now", tsr_rpc_torrent_start_now },
  { "torrent-stop", tsr_rpc_torrent_stop },
  { "torrent-verify", tsr_rpc_torrent_verify },
};

static char *
reply (const char *result,
       JsonNode   *tag,
       JsonNode   *arguments)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "arguments");
  if (arguments != NULL)
    json_builder_add_value (builder, json_node_ref (arguments));
  else
    {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, result);
  if (tag != NULL)
    {
      json_builder_set_member_name (builder, "tag");
      json_builder_add_value (builder, json_node_copy (tag));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* @body parsed into @parser; NULL, or the reply to give at once. */
static char *
parse_request (JsonParser  *parser,
               const char  *body,
               gsize        length,
               JsonObject **request,
               JsonNode   **tag,
               const char **name,
               guint       *http_status)
{
  JsonNode *root;

  *http_status = 400;
  *tag = NULL;
  if (length > G_MAXSSIZE || !json_parser_load_from_data (parser, body, length, NULL))
    return reply ("invalid JSON in the request", NULL, NULL);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return reply ("the request is not a JSON object", NULL, NULL);
  *request = json_node_get_object (root);
  /* Transmission echoes a numeric tag only. */
  *tag = json_object_get_member (*request, "tag");
  if (*tag != NULL && (!JSON_NODE_HOLDS_VALUE (*tag) || json_node_get_value_type (*tag) != G_TYPE_INT64))
    *tag = NULL;
  *name = tsr_rpc_args_string (*request, "method");
  if (*name == NULL)
    return reply ("no method name", *tag, NULL);
  *http_status = 200;
  return NULL;
}

/* torrent-get's reply, written as text from end to end: its arguments
 * by tsr_rpc_torrent_get, the envelope around them here, in the order
 * reply () gives (json-glib keeps members in the order they are set). */
static char *
run_torrent_get (TsrRpcContext *context,
                 JsonObject    *args,
                 JsonNode      *tag)
{
  GString *text = g_string_new ("{\"arguments\":{");
  g_autofree char *problem = tsr_rpc_torrent_get (context, args, text);
  const char *result = problem != NULL ? problem : "success";

  g_string_append (text, "},\"result\":");
  tsr_rpc_json_append_escaped (text, result, strlen (result));
  if (tag != NULL)
    g_string_append_printf (text, ",\"tag\":%" G_GINT64_FORMAT, json_node_get_int (tag));
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static char *
run_method (TsrRpcContext *context,
            const char    *name,
            JsonObject    *args,
            JsonNode      *tag)
{
  g_autoptr(JsonBuilder) out = NULL;
  g_autoptr(JsonNode) arguments = NULL;
  g_autoptr(JsonObject) empty = NULL;
  g_autofree char *problem = NULL;
  gsize i;

  if (args == NULL)
    args = empty = json_object_new ();
  if (g_str_equal (name, "torrent-get"))
    return run_torrent_get (context, args, tag);
  for (i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (methods[i].name, name))
      break;
  if (i == G_N_ELEMENTS (methods) && g_str_equal (name, "torrent-rename-path"))
    return reply ("torrent-rename-path is answered by the server only", tag, NULL);
  if (i == G_N_ELEMENTS (methods) && g_str_equal (name, "blocklist-update"))
    return reply ("blocklist-update is answered by the server only", tag, NULL);
  if (i == G_N_ELEMENTS (methods))
    return reply ("method name not recognized", tag, NULL);
  out = json_builder_new ();
  json_builder_begin_object (out);
  problem = methods[i].method (context, args, out);
  json_builder_end_object (out);
  arguments = json_builder_get_root (out);
  return reply (problem != NULL ? problem : "success", tag, arguments);
}

static JsonObject *
arguments_of (JsonObject *request)
{
  JsonNode *node = json_object_get_member (request, "arguments");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

char *
tsr_rpc_handle_request (TsrRpcContext *context,
                        const char    *body,
                        gsize          length,
                        guint         *http_status)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *request = NULL;
  JsonNode *tag = NULL;
  const char *name = NULL;
  char *early = parse_request (parser, body, length, &request, &tag, &name, http_status);

  if (early != NULL)
    return early;
  return run_method (context, name, arguments_of (request), tag);
}

typedef struct
{
  TsrRpcContext   *context;
  JsonObject      *args;       /* (owned) a copy without "filename" */
  JsonNode        *tag;        /* (owned) (nullable) */
  TsrRpcReplyFunc  callback;
  gpointer         user_data;
} UrlAdd;

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  UrlAdd *add = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = tsr_rpc_fetch_finish (result, &error);

  if (bytes == NULL)
    add->callback (reply (error->message, add->tag, NULL), 200, add->user_data);
  else
    {
      g_autofree char *text = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      json_object_set_string_member (add->args, "metainfo", text);
      add->callback (run_method (add->context, "torrent-add", add->args, add->tag), 200, add->user_data);
    }
  json_object_unref (add->args);
  g_clear_pointer (&add->tag, json_node_unref);
  g_free (add);
}

typedef struct
{
  JsonNode        *tag;        /* (owned) (nullable) */
  TsrRpcReplyFunc  callback;
  gpointer         user_data;
} Waiting;

static void
on_method_done (char     *problem,
                JsonNode *arguments,
                gpointer  user_data)
{
  Waiting *waiting = user_data;
  g_autofree char *owned = problem;
  g_autoptr(JsonNode) owned_arguments = arguments;

  waiting->callback (reply (problem != NULL ? problem : "success", waiting->tag, arguments), 200,
                     waiting->user_data);
  g_clear_pointer (&waiting->tag, json_node_unref);
  g_free (waiting);
}

void
tsr_rpc_handle_request_async (TsrRpcContext   *context,
                              const char      *body,
                              gsize            length,
                              GCancellable    *cancellable,
                              TsrRpcReplyFunc  callback,
                              gpointer         user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *request = NULL, *args;
  JsonNode *tag = NULL;
  const char *name = NULL, *filename;
  guint status = 200;
  char *early = parse_request (parser, body, length, &request, &tag, &name, &status);
  UrlAdd *add;
  GList *members, *l;

  if (early != NULL)
    {
      callback (early, status, user_data);
      return;
    }
  args = arguments_of (request);
  if (g_str_equal (name, "torrent-rename-path"))
    {
      g_autoptr(JsonObject) empty = args == NULL ? json_object_new () : NULL;
      Waiting *waiting = g_new0 (Waiting, 1);

      waiting->tag = tag != NULL ? json_node_copy (tag) : NULL;
      waiting->callback = callback;
      waiting->user_data = user_data;
      tsr_rpc_torrent_rename_path (context, args != NULL ? args : empty,
                                   tsr_rpc_json_has_escaped_nul (body, length),
                                   cancellable, on_method_done, waiting);
      return;
    }
  if (g_str_equal (name, "blocklist-update"))
    {
      Waiting *waiting = g_new0 (Waiting, 1);

      waiting->tag = tag != NULL ? json_node_copy (tag) : NULL;
      waiting->callback = callback;
      waiting->user_data = user_data;
      tsr_rpc_blocklist_update (context, cancellable, on_method_done, waiting);
      return;
    }
  filename = tsr_rpc_args_string (args, "filename");
  if (!g_str_equal (name, "torrent-add") || tsr_rpc_args_string (args, "metainfo") != NULL || filename == NULL ||
      (!g_str_has_prefix (filename, "http://") && !g_str_has_prefix (filename, "https://")))
    {
      callback (run_method (context, name, args, tag), status, user_data);
      return;
    }
  add = g_new0 (UrlAdd, 1);
  add->context = context;
  add->args = json_object_new ();
  members = json_object_get_members (args);
  for (l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "filename"))
      json_object_set_member (add->args, l->data, json_node_copy (json_object_get_member (args, l->data)));
  g_list_free (members);
  add->tag = tag != NULL ? json_node_copy (tag) : NULL;
  add->callback = callback;
  add->user_data = user_data;
  tsr_rpc_fetch_async (filename, cancellable, on_fetched, add);
}
