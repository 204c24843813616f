/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-events.c: how `tessera-cli peer` tells what happens: with
 * --json-events one JSON object per line for every engine event (for
 * scripts and tests), otherwise the notable ones as lines of text above
 * the live status line.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <stdio.h>

#include "tsr-cli-events.h"
#include "tessera-engine.h"

void
tsr_cli_emit_event (const TsrCliEventSink *sink,
                    TsrTorrent            *torrent,
                    const char            *event,
                    const char            *text,
                    ...)
{
  va_list args;
  const char *key;

  va_start (args, text);
  if (sink->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, event);
      if (torrent != NULL)
        {
          TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
          g_autofree char *hash = info != NULL && info->has_v1 ? tsr_metainfo_dup_info_hash_hex (info)
                                                               : tsr_hex_encode (tsr_torrent_get_info_hash (torrent), 20);

          json_builder_set_member_name (builder, "torrent");
          json_builder_add_string_value (builder, hash);
        }
      while ((key = va_arg (args, const char *)) != NULL)
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_value (builder, va_arg (args, JsonNode *));
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      printf ("%s\n", line);
    }
  else
    {
      while ((key = va_arg (args, const char *)) != NULL)
        json_node_unref (va_arg (args, JsonNode *));
      if (text != NULL)
        {
          /* Over the status line, which is drawn again below. */
          if (sink->status_line != NULL)
            tsr_cli_status_clear (sink->status_line);
          printf ("%s\n", text);
          if (sink->status_line != NULL)
            tsr_cli_status_draw (sink->status_line);
        }
    }
  va_end (args);
  fflush (stdout);
}

JsonNode *
tsr_cli_string_node (const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return node;
}

JsonNode *
tsr_cli_bool_node (gboolean value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, value);
  return node;
}

JsonNode *
tsr_cli_int_node (gint64 value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (node, value);
  return node;
}
