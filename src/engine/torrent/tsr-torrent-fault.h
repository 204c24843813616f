/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-fault.h: what went wrong with a torrent: the error it
 * stopped on, and an error reported from inside a callback (of a peer,
 * of the read cache) that must not see the torrent stop under it, handed
 * back to the owner on the next turn of the main loop.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrTorrentFault TsrTorrentFault;

typedef struct
{
  /* The error given to tsr_torrent_fault_soon(), from an idle: the
   * owner decides whether to stop on it. The module may be freed in it. */
  void (*due) (const GError *error,
               gpointer      user_data);
} TsrTorrentFaultFuncs;

TsrTorrentFault *tsr_torrent_fault_new  (const TsrTorrentFaultFuncs *funcs,
                                         gpointer                    user_data);
/* An error still to come is dropped. */
void             tsr_torrent_fault_free (TsrTorrentFault            *self);
/* The error the torrent stopped on (copied), replacing the last. */
void             tsr_torrent_fault_set  (TsrTorrentFault            *self,
                                         const GError               *error);
/* NULL: none; @self may be NULL (made by the owner's first error). */
const GError    *tsr_torrent_fault_get  (TsrTorrentFault            *self);
/* Reported through `due` soon; another before then is dropped. */
void             tsr_torrent_fault_soon (TsrTorrentFault            *self,
                                         const GError               *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTorrentFault, tsr_torrent_fault_free)

G_END_DECLS
