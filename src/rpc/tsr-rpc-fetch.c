/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-fetch.c: fetches a torrent file for torrent-add over HTTP with
 * libsoup, into a fixed-size memory stream so that a body past the limit
 * fails instead of filling memory, whatever the server says its length
 * is. One session per fetch: adding by URL is rare.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "tsr-rpc-fetch.h"

typedef struct
{
  SoupMessage   *message;    /* (owned) */
  GOutputStream *sink;       /* (owned) a GMemoryOutputStream of TSR_RPC_FETCH_MAX bytes */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->message);
  g_clear_object (&fetch->sink);
  g_free (fetch);
}

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (fetch->sink);

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                 _("The torrent file is larger than %d MiB"), TSR_RPC_FETCH_MAX / (1024 * 1024));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_memory_output_stream_steal_as_bytes (memory), (GDestroyNotify) g_bytes_unref);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  GCancellable *cancellable;
  guint status;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (fetch->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The server answered %u %s"), status,
                               soup_message_get_reason_phrase (fetch->message));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  g_output_stream_splice_async (fetch->sink, body,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, cancellable, on_spliced, g_steal_pointer (&task));
}

void
tsr_rpc_fetch_async (const char          *url,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *agent = g_strdup_printf ("Tessera/%s", PACKAGE_VERSION);
  Fetch *fetch;

  g_task_set_source_tag (task, tsr_rpc_fetch_async);
  fetch = g_new0 (Fetch, 1);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  fetch->message = soup_message_new (SOUP_METHOD_GET, url);
  if (fetch->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a web address"), url);
      return;
    }
  fetch->sink = g_memory_output_stream_new (g_malloc (TSR_RPC_FETCH_MAX), TSR_RPC_FETCH_MAX, NULL, g_free);
  session = soup_session_new_with_options ("timeout", TSR_RPC_FETCH_TIMEOUT, "user-agent", agent, NULL);
  /* The session lives as long as the request it sends. */
  soup_session_send_async (session, fetch->message, G_PRIORITY_DEFAULT, cancellable, on_sent,
                           g_steal_pointer (&task));
}

GBytes *
tsr_rpc_fetch_finish (GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
