/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-library.c: `tessera-cli peer --library DIR` loads the torrent
 * library the app keeps (TsrLibrary: torrents/, torrents.json, resume/)
 * through the same engine code the app uses, so that both, and the coming
 * daemon, read and write one layout. cmd-peer.c sees each torrent through
 * one callback as it joins the session, before the library applies what
 * it stored and starts it.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include "tsr-cli-library.h"

typedef struct
{
  TsrCliAdoptFunc adopt;
  gpointer        user_data;
} Adopter;

static void
on_torrents_changed (GListModel *torrents,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Adopter    *adopter)
{
  guint i;

  for (i = position; i < position + added; i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);

      adopter->adopt (torrent, adopter->user_data);
    }
}

gboolean
tsr_cli_library_load (TsrLibrary         *library,
                      const char * const *inputs,
                      const char         *folder,
                      gboolean            stopped,
                      const char * const *peers,
                      TsrCliAdoptFunc     adopt,
                      gpointer            user_data,
                      guint              *n_running,
                      GError            **error)
{
  Adopter adopter = { adopt, user_data };
  GListModel *torrents = tsr_library_get_torrents (library);
  gulong handler;
  gboolean ok = TRUE;
  guint i, j;

  /* The session appends each torrent before the library sets it up. */
  handler = g_signal_connect (torrents, "items-changed", G_CALLBACK (on_torrents_changed), &adopter);
  tsr_library_restore (library);
  for (i = 0; ok && inputs != NULL && inputs[i] != NULL; i++)
    {
      g_autoptr(GError) add_error = NULL;
      TsrTorrent *torrent;

      if (g_str_has_prefix (inputs[i], "magnet:"))
        torrent = tsr_library_add_magnet (library, inputs[i], folder, stopped, &add_error);
      else
        torrent = tsr_library_add_file (library, inputs[i], folder, stopped, NULL, &add_error);
      /* Already in the library: it runs as the library has it. */
      if (torrent == NULL && !g_error_matches (add_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&add_error));
          ok = FALSE;
        }
    }
  g_signal_handler_disconnect (torrents, handler);
  *n_running = 0;
  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);
      TsrTorrentState state = tsr_torrent_get_state (torrent);

      if (state == TSR_TORRENT_STOPPED || state == TSR_TORRENT_ERROR)
        continue;
      (*n_running)++;
      for (j = 0; peers != NULL && peers[j] != NULL; j++)
        tsr_torrent_add_peer_address (torrent, peers[j]);
    }
  return ok;
}
