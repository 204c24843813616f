/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-lookup.c: host names of peers, resolved off the main loop by
 * GResolver. Only what comes from people goes through here: addresses
 * from trackers, PEX, DHT and LSD are numeric by protocol (and a tracker
 * must never make us resolve), so they are parsed instead. A
 * TsrPeerLookups lets its owner go before its lookups end.
 */
#define G_LOG_DOMAIN "tsr-peer-lookup"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-peer-lookup.h"

typedef struct
{
  guint   tag;
  guint16 port;
} Lookup;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  TsrPeerAddress *address;

  if (addresses == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  address = g_new0 (TsrPeerAddress, 1);
  tsr_peer_address_from_inet (addresses->data, lookup->port, address);
  g_resolver_free_addresses (addresses);
  g_task_return_pointer (task, address, g_free);
}

void
tsr_peer_lookup_async (const char          *text,
                       guint                tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSocketConnectable) named = NULL;
  g_autoptr(GResolver) resolver = NULL;
  TsrPeerAddress address;
  GError *error = NULL;
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, tsr_peer_lookup_async);
  lookup->tag = tag;
  g_task_set_task_data (task, lookup, g_free);
  if (tsr_peer_address_parse (text, &address))
    {
      g_task_return_pointer (task, g_memdup2 (&address, sizeof address), g_free);
      return;
    }
  named = g_network_address_parse (text, 0, &error);
  if (named == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lookup->port = g_network_address_get_port (G_NETWORK_ADDRESS (named));
  if (lookup->port == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” has no port"), text);
      return;
    }
  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, g_network_address_get_hostname (G_NETWORK_ADDRESS (named)),
                                   cancellable, on_resolved, g_steal_pointer (&task));
}

gboolean
tsr_peer_lookup_finish (GAsyncResult    *result,
                        TsrPeerAddress  *address,
                        guint           *tag,
                        GError         **error)
{
  g_autofree TsrPeerAddress *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  *tag = ((Lookup *) g_task_get_task_data (G_TASK (result)))->tag;
  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  *address = *found;
  return TRUE;
}

struct _TsrPeerLookups
{
  GCancellable     *cancellable;  /* (owned) cancelled in free */
  TsrPeerFoundFunc  found;
  gpointer          user_data;
};

TsrPeerLookups *
tsr_peer_lookups_new (TsrPeerFoundFunc found,
                      gpointer         user_data)
{
  TsrPeerLookups *self = g_new0 (TsrPeerLookups, 1);

  self->cancellable = g_cancellable_new ();
  self->found = found;
  self->user_data = user_data;
  return self;
}

/* A cancelled task finishes with G_IO_ERROR_CANCELLED whatever it found:
 * @user_data, freed then, is not touched. */
static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  TsrPeerLookups *self = user_data;
  TsrPeerAddress address;
  guint tag;

  if (tsr_peer_lookup_finish (result, &address, &tag, &error))
    self->found (&address, tag, self->user_data);
  else
    g_debug ("%s", error->message);
}

void
tsr_peer_lookups_add (TsrPeerLookups *self,
                      const char     *text,
                      guint           tag)
{
  TsrPeerAddress address;

  if (tsr_peer_address_parse (text, &address))
    self->found (&address, tag, self->user_data);
  else
    tsr_peer_lookup_async (text, tag, self->cancellable, on_lookup_done, self);
}

void
tsr_peer_lookups_free (TsrPeerLookups *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  g_free (self);
}
