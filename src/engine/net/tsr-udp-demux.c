/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-udp-demux.c: which of the DHT, uTP and the UDP trackers a datagram
 * on the shared socket is for. libtorrent tells them apart the same way
 * (a uTP header first, then 'd' for the DHT, then tracker connections
 * matched by transaction id), and Transmission's tr-udp.c tries the same
 * three. A tracker reply must name a transaction a tracker registered,
 * and come from the address it was sent to: a spoofed or late reply is
 * dropped here, not parsed.
 *
 * The socket also reports destinations the kernel found unreachable
 * (ICMP). They go where libtorrent sends them: to the trackers waiting
 * on that address, else to the DHT and to uTP, which know whom they
 * sent to; a report nobody claims is counted and dropped.
 */
#define G_LOG_DOMAIN "tsr-udp"

#include "config.h"

#include <string.h>

#include "tsr-udp-demux.h"
#include "tsr-utp-packet.h"

/* BEP 15: connect 0, announce 1, scrape 2, error 3; each reply begins
 * with the action and the transaction id. */
#define TRACKER_ACTION_MAX  3
#define TRACKER_HEADER_SIZE 8

typedef struct
{
  TsrPeerAddress             from;
  const TsrUdpReceiverFuncs *funcs;       /* borrowed: static tables */
  gpointer                   user_data;   /* borrowed */
} Transaction;

struct _TsrUdpDemux
{
  const TsrUdpReceiverFuncs *funcs[TSR_UDP_N_KINDS];      /* borrowed, KRPC and uTP only */
  gpointer                   user_data[TSR_UDP_N_KINDS];  /* borrowed */
  GHashTable                *transactions;  /* id → Transaction (owned) */
  guint64                    counts[TSR_UDP_N_KINDS];
  guint64                    unclaimed;
};

TsrUdpKind
tsr_udp_classify (const guint8 *data,
                  gsize         length)
{
  g_return_val_if_fail (data != NULL || length == 0, TSR_UDP_KIND_UNKNOWN);

  if (length == 0)
    return TSR_UDP_KIND_UNKNOWN;
  if (data[0] == 'd')
    return TSR_UDP_KIND_KRPC;
  if (tsr_utp_packet_looks_like (data, length))
    return TSR_UDP_KIND_UTP;
  if (length >= TRACKER_HEADER_SIZE && data[0] == 0 && data[1] == 0 && data[2] == 0 &&
      data[3] <= TRACKER_ACTION_MAX)
    return TSR_UDP_KIND_TRACKER;
  return TSR_UDP_KIND_UNKNOWN;
}

TsrUdpDemux *
tsr_udp_demux_new (void)
{
  TsrUdpDemux *self = g_new0 (TsrUdpDemux, 1);

  self->transactions = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return self;
}

void
tsr_udp_demux_free (TsrUdpDemux *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->transactions);
  g_free (self);
}

void
tsr_udp_demux_set_receiver (TsrUdpDemux               *self,
                            TsrUdpKind                 kind,
                            const TsrUdpReceiverFuncs *funcs,
                            gpointer                   user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (kind == TSR_UDP_KIND_KRPC || kind == TSR_UDP_KIND_UTP);
  g_return_if_fail (funcs == NULL || self->funcs[kind] == NULL);

  self->funcs[kind] = funcs;
  self->user_data[kind] = funcs != NULL ? user_data : NULL;
}

gboolean
tsr_udp_demux_add_transaction (TsrUdpDemux               *self,
                               guint32                    transaction,
                               const TsrPeerAddress      *from,
                               const TsrUdpReceiverFuncs *funcs,
                               gpointer                   user_data)
{
  Transaction *entry;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (from != NULL && funcs != NULL, FALSE);

  if (g_hash_table_contains (self->transactions, GUINT_TO_POINTER (transaction)))
    return FALSE;
  entry = g_new0 (Transaction, 1);
  entry->from = *from;
  entry->funcs = funcs;
  entry->user_data = user_data;
  g_hash_table_insert (self->transactions, GUINT_TO_POINTER (transaction), entry);
  return TRUE;
}

void
tsr_udp_demux_remove_transaction (TsrUdpDemux *self,
                                  guint32      transaction)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove (self->transactions, GUINT_TO_POINTER (transaction));
}

guint
tsr_udp_demux_get_n_transactions (TsrUdpDemux *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->transactions);
}

TsrUdpKind
tsr_udp_demux_deliver (TsrUdpDemux          *self,
                       const guint8         *data,
                       gsize                 length,
                       const TsrPeerAddress *from)
{
  TsrUdpKind kind = tsr_udp_classify (data, length);
  const TsrUdpReceiverFuncs *funcs = NULL;
  gpointer user_data = NULL;

  g_return_val_if_fail (self != NULL && from != NULL, TSR_UDP_KIND_UNKNOWN);

  if (kind == TSR_UDP_KIND_TRACKER)
    {
      guint32 id = (guint32) data[4] << 24 | (guint32) data[5] << 16 | (guint32) data[6] << 8 | data[7];
      Transaction *entry = g_hash_table_lookup (self->transactions, GUINT_TO_POINTER (id));

      if (entry != NULL && entry->from.family == from->family && entry->from.port == from->port &&
          memcmp (entry->from.address, from->address, from->family == TSR_PEER_ADDRESS_IPV6 ? 16 : 4) == 0)
        {
          funcs = entry->funcs;
          user_data = entry->user_data;
        }
    }
  else if (kind != TSR_UDP_KIND_UNKNOWN)
    {
      funcs = self->funcs[kind];
      user_data = self->user_data[kind];
    }
  if (funcs == NULL || from->port == 0)
    {
      self->counts[TSR_UDP_KIND_UNKNOWN]++;
      return TSR_UDP_KIND_UNKNOWN;
    }
  /* The receiver may remove its own entry (an announce that ended) or
   * let go of its kind: what it needs was copied above. */
  self->counts[kind]++;
  funcs->received (data, length, from, user_data);
  return kind;
}

/* A transaction's receiver may remove transactions, or add others,
 * while it hears of its error: the ids are taken first, and each is
 * looked up again before its call. Few are pending (one per tracker
 * announce or scrape in flight), so a walk of them all is cheap. */
static gboolean
report_to_transactions (TsrUdpDemux          *self,
                        const TsrPeerAddress *to,
                        const GError         *error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  GHashTableIter iter;
  gpointer key, value;
  gboolean claimed = FALSE;
  guint i;

  g_hash_table_iter_init (&iter, self->transactions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Transaction *entry = value;
      guint32 id = GPOINTER_TO_UINT (key);

      if (entry->funcs->unreachable != NULL && tsr_peer_address_equal (&entry->from, to))
        g_array_append_val (ids, id);
    }
  for (i = 0; i < ids->len; i++)
    {
      guint32 id = g_array_index (ids, guint32, i);
      Transaction *entry = g_hash_table_lookup (self->transactions, GUINT_TO_POINTER (id));

      if (entry != NULL && tsr_peer_address_equal (&entry->from, to) &&
          entry->funcs->unreachable (to, error, entry->user_data))
        claimed = TRUE;
    }
  return claimed;
}

gboolean
tsr_udp_demux_report_unreachable (TsrUdpDemux          *self,
                                  const TsrPeerAddress *to,
                                  const GError         *error)
{
  static const TsrUdpKind others[] = { TSR_UDP_KIND_KRPC, TSR_UDP_KIND_UTP };
  guint i;

  g_return_val_if_fail (self != NULL && to != NULL && error != NULL, FALSE);

  if (report_to_transactions (self, to, error))
    return TRUE;
  for (i = 0; i < G_N_ELEMENTS (others); i++)
    {
      const TsrUdpReceiverFuncs *funcs = self->funcs[others[i]];

      if (funcs != NULL && funcs->unreachable != NULL &&
          funcs->unreachable (to, error, self->user_data[others[i]]))
        return TRUE;
    }
  self->unclaimed++;
  return FALSE;
}

void
tsr_udp_demux_drained (TsrUdpDemux *self)
{
  TsrUdpKind kind;

  g_return_if_fail (self != NULL);

  /* A receiver may change the receivers from within: look each up anew. */
  for (kind = TSR_UDP_KIND_KRPC; kind <= TSR_UDP_KIND_UTP; kind++)
    if (self->funcs[kind] != NULL && self->funcs[kind]->drained != NULL)
      self->funcs[kind]->drained (self->user_data[kind]);
}

guint64
tsr_udp_demux_get_unclaimed (TsrUdpDemux *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->unclaimed;
}

guint64
tsr_udp_demux_get_count (TsrUdpDemux *self,
                         TsrUdpKind   kind)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (kind < TSR_UDP_N_KINDS, 0);

  return self->counts[kind];
}
