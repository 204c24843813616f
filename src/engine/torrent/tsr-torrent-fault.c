/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-fault.c: a torrent's error. The one it stopped on is kept
 * for tsr_torrent_dup_error(); one met inside a callback waits for an
 * idle, which the module owns (removed when it is freed), so that the
 * torrent stops only once the callback has returned.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include "tsr-torrent-fault.h"

struct _TsrTorrentFault
{
  GError                     *error;    /* (owned) (nullable) the one stopped on */
  GError                     *pending;  /* (owned) (nullable) waiting for the idle */
  guint                       idle;
  const TsrTorrentFaultFuncs *funcs;
  gpointer                    user_data;
};

TsrTorrentFault *
tsr_torrent_fault_new (const TsrTorrentFaultFuncs *funcs,
                       gpointer                    user_data)
{
  TsrTorrentFault *self = g_new0 (TsrTorrentFault, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_torrent_fault_free (TsrTorrentFault *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->idle, g_source_remove);
  g_clear_error (&self->error);
  g_clear_error (&self->pending);
  g_free (self);
}

void
tsr_torrent_fault_set (TsrTorrentFault *self,
                       const GError    *error)
{
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
}

const GError *
tsr_torrent_fault_get (TsrTorrentFault *self)
{
  return self != NULL ? self->error : NULL;
}

/* Nothing of @self is touched after `due`, which may free it. */
static gboolean
on_due (gpointer user_data)
{
  TsrTorrentFault *self = user_data;
  g_autoptr(GError) error = g_steal_pointer (&self->pending);

  self->idle = 0;
  self->funcs->due (error, self->user_data);
  return G_SOURCE_REMOVE;
}

void
tsr_torrent_fault_soon (TsrTorrentFault *self,
                        const GError    *error)
{
  if (self->pending != NULL)
    return;
  self->pending = g_error_copy (error);
  self->idle = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_due, self, NULL);
}
