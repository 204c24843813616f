/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-methods.h: the Transmission RPC methods, one function each.
 * Each reads "arguments" from @args, adds its reply's arguments as
 * members of the object @out has open, and returns NULL for "success"
 * or the "result" string (owned) that says what went wrong.
 */
#pragma once

#include "tsr-rpc-context.h"

G_BEGIN_DECLS

typedef char *(*TsrRpcMethod) (TsrRpcContext *context,
                               JsonObject    *args,
                               JsonBuilder   *out);

/* tsr-rpc-session.c */
char *tsr_rpc_session_get      (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_session_set      (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_session_stats    (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_session_close    (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_free_space       (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_port_test        (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);

/* tsr-rpc-torrent-get.c: unlike the others, appends its reply's
 * arguments to @text as JSON members ("torrents":[…] and maybe
 * ,"removed":[…]) with tsr-rpc-json.h, for the object the caller has
 * open: the reply of thousands of torrents is too costly as a json-glib
 * tree (see tsr-rpc-json.c). On failure @text is as it was. */
char *tsr_rpc_torrent_get      (TsrRpcContext *context, JsonObject *args, GString *text);

/* tsr-rpc-torrent-actions.c */
char *tsr_rpc_torrent_add      (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_start    (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_start_now (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_stop     (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_verify   (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_reannounce (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_remove   (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_torrent_set_location (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_queue_move_top    (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_queue_move_up     (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_queue_move_down   (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);
char *tsr_rpc_queue_move_bottom (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);

/* files-wanted, files-unwanted, priority-high/-normal/-low, and
 * labels, of torrent-add and torrent-set. */
void  tsr_rpc_apply_file_choices (TsrRpcContext *context, TsrTorrent *torrent, JsonObject *args);
void  tsr_rpc_apply_labels       (TsrRpcContext *context, TsrTorrent *torrent, JsonObject *args);

/* tsr-rpc-rename.c: torrent-rename-path waits for the disk, so it
 * answers through @done: the "result" (owned; NULL: success) and the
 * reply's arguments (owned; NULL: none), maybe before it returns.
 * @has_nul: a string of the request had an escaped NUL, which json-glib
 * cut it at (tsr_rpc_json_has_escaped_nul). */
typedef void (*TsrRpcMethodDone) (char     *problem,
                                  JsonNode *arguments,
                                  gpointer  user_data);

void     tsr_rpc_torrent_rename_path  (TsrRpcContext    *context,
                                       JsonObject       *args,
                                       gboolean          has_nul,
                                       GCancellable     *cancellable,
                                       TsrRpcMethodDone  done,
                                       gpointer          user_data);
/* tsr-rpc-session.c: fetches blocklist-url again and loads it; answers
 * "blocklist-size" (merged ranges) through @done. */
void     tsr_rpc_blocklist_update     (TsrRpcContext    *context,
                                       GCancellable     *cancellable,
                                       TsrRpcMethodDone  done,
                                       gpointer          user_data);
/* Whether a string in the JSON text @body has the escape \u0000. */
gboolean tsr_rpc_json_has_escaped_nul (const char *body,
                                       gsize       length);

/* tsr-rpc-torrent-set.c */
char *tsr_rpc_torrent_set      (TsrRpcContext *context, JsonObject *args, JsonBuilder *out);

G_END_DECLS
