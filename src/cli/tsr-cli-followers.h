/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-followers.h: `peer` hears the torrents' signals through one
 * emission hook per signal rather than a handler per signal on every
 * torrent: their closures were a third of an idle torrent's memory.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  gpointer klass;          /* (owned) (nullable) the signals exist once it does */
  guint    ids[16];
  gulong   hooks[16];
  guint    n;
} TsrCliFollowers;

/* @callback, with @user_data, for @signal of every followed torrent. */
void tsr_cli_followers_add   (TsrCliFollowers *self,
                              const char      *signal,
                              GCallback        callback,
                              gpointer         user_data);
void tsr_cli_followers_clear (TsrCliFollowers *self);
/* Whether the hooks pass on @torrent's signals. */
void tsr_cli_follow          (TsrTorrent      *torrent,
                              gboolean         on);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TsrCliFollowers, tsr_cli_followers_clear)

G_END_DECLS
