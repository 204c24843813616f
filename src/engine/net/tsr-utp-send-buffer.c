/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-send-buffer.c: the sending half of a uTP connection's memory.
 * Written bytes wait in one array until the connection cuts packets from
 * its front (consumed bytes are cut off once they are many, so a write
 * and a packet cost no memmove of the whole queue). Packets in flight
 * sit in a ring indexed by sequence number: the connection acks, looks
 * up and resends them without a search. The capacity counts both, so
 * a writer is held back while the peer has not acknowledged. An
 * acknowledged packet's memory is kept for the next one (a malloc,
 * zeroed at that, and a free per packet cost as much as the rest of
 * taking it), never more than were out at once, until the connection
 * idles and trims it.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <string.h>

#include "tsr-utp-send-buffer.h"

#define COMPACT_BYTES (64 * 1024)

struct _TsrUtpSendBuffer
{
  gsize            capacity;
  GByteArray      *unsent;                    /* (owned) bytes from @offset on */
  gsize            offset;
  TsrUtpOutPacket *slots[TSR_UTP_SEND_SLOTS]; /* (owned) (nullable) by seq_nr % slots */
  guint            n_packets;
  gsize            in_packets;                /* payload bytes of the kept packets */
  GPtrArray       *spare;                     /* (element-type TsrUtpOutPacket) (owned) for reuse */
  gsize            packet_size;               /* payload room of every packet */
};

TsrUtpSendBuffer *
tsr_utp_send_buffer_new (gsize capacity)
{
  TsrUtpSendBuffer *self = g_new0 (TsrUtpSendBuffer, 1);

  self->capacity = capacity;
  self->unsent = g_byte_array_new ();
  self->spare = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
tsr_utp_send_buffer_free (TsrUtpSendBuffer *self)
{
  guint i;

  if (self == NULL)
    return;
  for (i = 0; i < TSR_UTP_SEND_SLOTS; i++)
    g_free (self->slots[i]);
  g_byte_array_unref (self->unsent);
  g_ptr_array_unref (self->spare);
  g_free (self);
}

gsize
tsr_utp_send_buffer_get_unsent (TsrUtpSendBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->unsent->len - self->offset;
}

gsize
tsr_utp_send_buffer_get_space (TsrUtpSendBuffer *self)
{
  gsize in_use;

  g_return_val_if_fail (self != NULL, 0);

  in_use = tsr_utp_send_buffer_get_unsent (self) + self->in_packets;
  return in_use >= self->capacity ? 0 : self->capacity - in_use;
}

guint
tsr_utp_send_buffer_get_n_packets (TsrUtpSendBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_packets;
}

gsize
tsr_utp_send_buffer_write (TsrUtpSendBuffer *self,
                           const guint8     *data,
                           gsize             length)
{
  gsize n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (data != NULL || length == 0, 0);

  n = MIN (length, tsr_utp_send_buffer_get_space (self));
  if (self->offset >= COMPACT_BYTES && self->offset >= self->unsent->len / 2)
    {
      g_byte_array_remove_range (self->unsent, 0, self->offset);
      self->offset = 0;
    }
  g_byte_array_append (self->unsent, data, n);
  return n;
}

TsrUtpOutPacket *
tsr_utp_send_buffer_take (TsrUtpSendBuffer *self,
                          guint16           seq_nr,
                          gsize             max_payload,
                          gboolean          fin)
{
  TsrUtpOutPacket **slot;
  TsrUtpOutPacket *packet;
  gsize length;

  g_return_val_if_fail (self != NULL, NULL);

  slot = &self->slots[seq_nr % TSR_UTP_SEND_SLOTS];
  if (*slot != NULL)
    return NULL;
  length = fin ? 0 : MIN (max_payload, tsr_utp_send_buffer_get_unsent (self));
  if (max_payload > self->packet_size)
    {
      /* Every packet has room for a full one, so any spare fits. */
      g_ptr_array_set_size (self->spare, 0);
      self->packet_size = max_payload;
    }
  packet = self->spare->len > 0 ? g_ptr_array_steal_index_fast (self->spare, self->spare->len - 1)
                                : g_malloc (sizeof *packet + self->packet_size);
  memset (packet, 0, sizeof *packet);
  packet->seq_nr = seq_nr;
  packet->fin = fin;
  packet->length = length;
  if (length > 0)
    {
      memcpy (packet->payload, self->unsent->data + self->offset, length);
      self->offset += length;
      if (self->offset == self->unsent->len)
        {
          g_byte_array_set_size (self->unsent, 0);
          self->offset = 0;
        }
    }
  self->in_packets += length;
  self->n_packets++;
  *slot = packet;
  return packet;
}

TsrUtpOutPacket *
tsr_utp_send_buffer_lookup (TsrUtpSendBuffer *self,
                            guint16           seq_nr)
{
  TsrUtpOutPacket *packet;

  g_return_val_if_fail (self != NULL, NULL);

  packet = self->slots[seq_nr % TSR_UTP_SEND_SLOTS];
  return packet != NULL && packet->seq_nr == seq_nr ? packet : NULL;
}

void
tsr_utp_send_buffer_remove (TsrUtpSendBuffer *self,
                            guint16           seq_nr)
{
  TsrUtpOutPacket **slot;

  g_return_if_fail (self != NULL);

  slot = &self->slots[seq_nr % TSR_UTP_SEND_SLOTS];
  if (*slot == NULL || (*slot)->seq_nr != seq_nr)
    return;
  self->in_packets -= (*slot)->length;
  self->n_packets--;
  /* Kept for the packets to come: packets and spares together are never
   * more than were out at once (the slots at most), until trimmed. */
  g_ptr_array_add (self->spare, g_steal_pointer (slot));
}

void
tsr_utp_send_buffer_trim (TsrUtpSendBuffer *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->spare, 0);
}
