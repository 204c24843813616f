/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-transport-memory.c: the table of tsr-transport-memory.h. A hash
 * table by address over entries that are also in a queue, oldest first:
 * remembering moves an entry to the end, a full table lets the head go,
 * and a lookup that finds an expired entry drops it.
 */
#define G_LOG_DOMAIN "tsr-dialer"

#include "config.h"

#include "tsr-transport-memory.h"

typedef struct
{
  TsrPeerAddress address;
  guint          transport;
  gint64         at;
  GList          link;      /* in the queue; data is the entry */
} Entry;

struct _TsrTransportMemory
{
  guint       size;
  gint64      lifetime;
  GHashTable *entries;      /* address -> (owned) Entry */
  GQueue      order;        /* the entries, oldest first */
};

TsrTransportMemory *
tsr_transport_memory_new (guint  size,
                          gint64 lifetime_us)
{
  TsrTransportMemory *self;

  g_return_val_if_fail (size > 0, NULL);

  self = g_new0 (TsrTransportMemory, 1);
  self->size = size;
  self->lifetime = lifetime_us;
  self->entries = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, NULL, g_free);
  g_queue_init (&self->order);
  return self;
}

void
tsr_transport_memory_free (TsrTransportMemory *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->entries);
  g_free (self);
}

static void
forget (TsrTransportMemory *self,
        Entry              *entry)
{
  g_queue_unlink (&self->order, &entry->link);
  g_hash_table_remove (self->entries, &entry->address);
}

void
tsr_transport_memory_remember (TsrTransportMemory   *self,
                               const TsrPeerAddress *address,
                               guint                 transport,
                               gint64                now_us)
{
  Entry *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (address != NULL);

  entry = g_hash_table_lookup (self->entries, address);
  if (entry != NULL)
    g_queue_unlink (&self->order, &entry->link);
  else
    {
      if (g_hash_table_size (self->entries) >= self->size)
        forget (self, self->order.head->data);
      entry = g_new0 (Entry, 1);
      entry->address = *address;
      entry->link.data = entry;
      g_hash_table_insert (self->entries, &entry->address, entry);
    }
  entry->transport = transport;
  entry->at = now_us;
  g_queue_push_tail_link (&self->order, &entry->link);
}

guint
tsr_transport_memory_lookup (TsrTransportMemory   *self,
                             const TsrPeerAddress *address,
                             gint64                now_us)
{
  Entry *entry;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (address != NULL, 0);

  entry = g_hash_table_lookup (self->entries, address);
  if (entry == NULL)
    return 0;
  if (now_us - entry->at >= self->lifetime)
    {
      forget (self, entry);
      return 0;
    }
  return entry->transport;
}

guint
tsr_transport_memory_get_size (TsrTransportMemory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->entries);
}
