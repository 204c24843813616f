/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-rpc-request.c: libFuzzer target for the Transmission RPC request
 * handler (src/rpc/tsr-rpc-request.h), over a real library in a temporary
 * folder that is the only allowed root, so that no input reaches files
 * elsewhere. Whatever comes in, the reply must be a JSON object with a
 * string "result", and HTTP 200 or 400.
 */
#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsr-rpc-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static TsrRpcContext *
get_context (void)
{
  static TsrRpcContext *context;
  static TsrRpcSettings *settings;
  g_autoptr(TsrLibrary) library = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *library_dir = NULL;
  g_autoptr(GError) error = NULL;

  if (context != NULL)
    return context;
  g_setenv ("TESSERA_NO_LSD", "1", TRUE);
  g_setenv ("TESSERA_NO_PORT_MAP", "1", TRUE);
  dir = g_dir_make_tmp ("tsr-fuzz-rpc-XXXXXX", &error);
  g_assert_no_error (error);
  library_dir = g_build_filename (dir, "library", NULL);
  library = tsr_library_new (library_dir);
  tsr_library_set_use_trackers (library, FALSE);
  settings = tsr_rpc_settings_new (dir);
  context = tsr_rpc_context_new (library, settings, dir, NULL, NULL);
  context->allowed_roots = g_new0 (char *, 2);
  context->allowed_roots[0] = g_strdup (dir);
  return context;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reply = NULL;
  guint status = 0;
  JsonObject *object;

  reply = tsr_rpc_handle_request (get_context (), (const char *) data, size, &status);
  g_assert_true (status == 200 || status == 400);
  g_assert_true (json_parser_load_from_data (parser, reply, -1, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (json_object_get_string_member_with_default (object, "result", NULL));
  /* Let queued work (saves, hashing) run between inputs. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
