/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-rename.c: torrent-rename-path, the one torrent method that
 * waits for the disk before it answers, as Transmission's does: "ids"
 * must name exactly one torrent, "path" is one of its files or folders as
 * called now, "name" the new last component. The reply carries "id",
 * "path" and "name" whatever the outcome, and "result" in Transmission's
 * words (the C library's for errno: "Invalid argument", "File exists").
 *
 * Paths cannot leave the torrent: the engine only renames a path one of
 * the torrent's files lies under (so "..", "/" and absolute paths name
 * nothing), to a name that is one safe component. A name json-glib has
 * cut at an escaped NUL ("a\u0000/../b" arrives as "a") is refused here,
 * from the request's text, before it can rename anything.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-methods.h"

/* strerror's words, which Transmission 3.00 answers with. */
#define EINVAL_TEXT "Invalid argument"
#define EEXIST_TEXT "File exists"
#define EBUSY_TEXT  "Device or resource busy"

typedef struct
{
  gint64            id;
  char             *path;       /* (owned) */
  char             *name;       /* (owned) */
  TsrRpcMethodDone  done;
  gpointer          user_data;
} Rename;

static void
finish (Rename     *rename,
        const char *problem)
{
  g_autoptr(JsonBuilder) out = json_builder_new ();

  json_builder_begin_object (out);
  json_builder_set_member_name (out, "id");
  json_builder_add_int_value (out, rename->id);
  json_builder_set_member_name (out, "path");
  json_builder_add_string_value (out, rename->path != NULL ? rename->path : "");
  json_builder_set_member_name (out, "name");
  json_builder_add_string_value (out, rename->name != NULL ? rename->name : "");
  json_builder_end_object (out);
  rename->done (g_strdup (problem), json_builder_get_root (out), rename->user_data);
  g_free (rename->path);
  g_free (rename->name);
  g_free (rename);
}

/* Transmission's words for what the engine refused. */
static const char *
problem_of (GError *error)
{
  if (error->domain == G_IO_ERROR)
    switch (error->code)
      {
      case G_IO_ERROR_INVALID_ARGUMENT:
      case G_IO_ERROR_NOT_FOUND:
      case G_IO_ERROR_NOT_INITIALIZED:
        return EINVAL_TEXT;
      case G_IO_ERROR_EXISTS:
        return EEXIST_TEXT;
      case G_IO_ERROR_BUSY:
        return EBUSY_TEXT;
      default:
        break;
      }
  return error->message;
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Rename *rename = user_data;
  g_autoptr(GError) error = NULL;

  if (!tsr_torrent_rename_path_finish (TSR_TORRENT (source), result, &error))
    {
      g_debug ("torrent-rename-path %s → %s: %s", rename->path, rename->name, error->message);
      finish (rename, problem_of (error));
    }
  else
    finish (rename, NULL);
}

gboolean
tsr_rpc_json_has_escaped_nul (const char *body,
                              gsize       length)
{
  gboolean in_string = FALSE;
  gsize i;

  for (i = 0; i < length; i++)
    {
      if (!in_string)
        in_string = body[i] == '"';
      else if (body[i] == '"')
        in_string = FALSE;
      else if (body[i] == '\\' && i + 1 < length)
        {
          if (body[i + 1] == 'u' && i + 6 <= length && strncmp (body + i + 2, "0000", 4) == 0)
            return TRUE;
          i++;   /* the escaped character, which may be a quote */
        }
    }
  return FALSE;
}

void
tsr_rpc_torrent_rename_path (TsrRpcContext    *context,
                             JsonObject       *args,
                             gboolean          has_nul,
                             GCancellable     *cancellable,
                             TsrRpcMethodDone  done,
                             gpointer          user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = tsr_rpc_context_select (context, args, &error);
  TsrTorrent *torrent;
  Rename *rename;

  if (torrents == NULL)
    {
      done (g_strdup (error->message), NULL, user_data);
      return;
    }
  if (torrents->len != 1)
    {
      done (g_strdup ("torrent-rename-path requires 1 torrent"), NULL, user_data);
      return;
    }
  torrent = g_ptr_array_index (torrents, 0);
  rename = g_new0 (Rename, 1);
  rename->id = tsr_rpc_ids_get (context->ids, torrent);
  rename->path = g_strdup (tsr_rpc_args_string (args, "path"));
  rename->name = g_strdup (tsr_rpc_args_string (args, "name"));
  rename->done = done;
  rename->user_data = user_data;
  /* Transmission's own check (renameArgsAreValid) before the engine's:
   * both given, the name one component. */
  if (has_nul || rename->path == NULL || rename->path[0] == '\0' || rename->name == NULL ||
      rename->name[0] == '\0' || strchr (rename->name, '/') != NULL ||
      g_str_equal (rename->name, ".") || g_str_equal (rename->name, ".."))
    {
      finish (rename, EINVAL_TEXT);
      return;
    }
  tsr_torrent_rename_path_async (torrent, rename->path, rename->name, cancellable, on_renamed, rename);
}
