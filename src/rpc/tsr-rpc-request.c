/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-request.c: parses a request body with json-glib, finds its
 * method in a table and builds the reply around what the method adds:
 * {"arguments": {…}, "result": "success" or what went wrong, "tag": N}.
 * A body that is not JSON, not an object, or names no method gets a
 * reply saying so (HTTP 400) and changes nothing.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include "tsr-rpc-methods.h"
#include "tsr-rpc-request.h"

static const struct
{
  const char  *name;
  TsrRpcMethod method;
} methods[] = {
  { "blocklist-update", tsr_rpc_blocklist_update },
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
  { "torrent-get", tsr_rpc_torrent_get },
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

char *
tsr_rpc_handle_request (TsrRpcContext *context,
                        const char    *body,
                        gsize          length,
                        guint         *http_status)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) out = NULL;
  g_autoptr(JsonNode) arguments = NULL;
  g_autoptr(JsonObject) empty = NULL;
  g_autofree char *problem = NULL;
  JsonObject *request, *args;
  JsonNode *tag, *node;
  const char *name;
  gsize i;

  *http_status = 400;
  if (length > G_MAXSSIZE || !json_parser_load_from_data (parser, body, length, &error))
    return reply ("invalid JSON in the request", NULL, NULL);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return reply ("the request is not a JSON object", NULL, NULL);
  request = json_node_get_object (json_parser_get_root (parser));
  /* Transmission echoes a numeric tag only. */
  tag = json_object_get_member (request, "tag");
  if (tag != NULL && (!JSON_NODE_HOLDS_VALUE (tag) || json_node_get_value_type (tag) != G_TYPE_INT64))
    tag = NULL;
  name = tsr_rpc_args_string (request, "method");
  if (name == NULL)
    return reply ("no method name", tag, NULL);
  node = json_object_get_member (request, "arguments");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    args = json_node_get_object (node);
  else
    args = empty = json_object_new ();

  *http_status = 200;
  for (i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (methods[i].name, name))
      break;
  if (i == G_N_ELEMENTS (methods))
    return reply ("method name not recognized", tag, NULL);
  out = json_builder_new ();
  json_builder_begin_object (out);
  problem = methods[i].method (context, args, out);
  json_builder_end_object (out);
  arguments = json_builder_get_root (out);
  return reply (problem != NULL ? problem : "success", tag, arguments);
}
