/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-followers.c: `peer`'s handlers see the torrents' signals
 * through one emission hook per signal rather than sixteen handlers on
 * every torrent: their closures were a third of an idle torrent's memory.
 * A hook sees every torrent of the process, so only the torrents marked
 * (from when they are added until the run stops them) are followed, as
 * connected handlers were.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include "tsr-cli-followers.h"

static GQuark followed_quark (void);
G_DEFINE_QUARK (tsr-cli-peer-followed, followed)

static gboolean
on_emission (GSignalInvocationHint *hint,
             guint                  n_values,
             const GValue          *values,
             gpointer               user_data)
{
  GObject *instance = g_value_get_object (&values[0]);

  if (instance != NULL && g_object_get_qdata (instance, followed_quark ()) != NULL)
    g_closure_invoke (user_data, NULL, n_values, values, hint);
  return TRUE;
}

void
tsr_cli_followers_add (TsrCliFollowers *self,
                       const char      *signal,
                       GCallback        callback,
                       gpointer         user_data)
{
  GClosure *closure = g_cclosure_new (callback, user_data, NULL);

  g_assert (self->n < G_N_ELEMENTS (self->ids));
  if (self->klass == NULL)
    self->klass = g_type_class_ref (TSR_TYPE_TORRENT);
  g_closure_set_marshal (closure, g_cclosure_marshal_generic);
  g_closure_ref (closure);
  g_closure_sink (closure);
  self->ids[self->n] = g_signal_lookup (signal, TSR_TYPE_TORRENT);
  g_assert (self->ids[self->n] != 0);
  self->hooks[self->n] = g_signal_add_emission_hook (self->ids[self->n], 0, on_emission, closure,
                                                     (GDestroyNotify) g_closure_unref);
  self->n++;
}

void
tsr_cli_followers_clear (TsrCliFollowers *self)
{
  guint i;

  for (i = 0; i < self->n; i++)
    g_signal_remove_emission_hook (self->ids[i], self->hooks[i]);
  self->n = 0;
  g_clear_pointer (&self->klass, g_type_class_unref);
}

void
tsr_cli_follow (TsrTorrent *torrent,
                gboolean    on)
{
  g_object_set_qdata (G_OBJECT (torrent), followed_quark (), on ? GINT_TO_POINTER (1) : NULL);
}
