/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-events.h: the event lines of `tessera-cli peer`.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tsr-cli-status.h"
#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean      json;          /* --json-events */
  TsrCliStatus *status_line;   /* (nullable) (unowned) on a terminal */
} TsrCliEventSink;

/* Prints one event: with --json-events, a JSON object with "event",
 * "torrent" (when @torrent is given) and the NULL-terminated (key,
 * JsonNode) pairs given (the nodes are taken); otherwise @text, if any,
 * as a line of its own above the status line. */
void      tsr_cli_emit_event  (const TsrCliEventSink *sink,
                               TsrTorrent            *torrent,
                               const char            *event,
                               const char            *text,
                               ...) G_GNUC_NULL_TERMINATED;
/* New floating-free nodes for the pairs above. */
JsonNode *tsr_cli_string_node (const char            *value);
JsonNode *tsr_cli_bool_node   (gboolean               value);
JsonNode *tsr_cli_int_node    (gint64                 value);

G_END_DECLS
