/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-recv-buffer.c: the receiving half of a uTP connection. Bytes
 * that arrived in order wait in a ring until the application reads
 * them (a ring, not an array cut at the front: with reads of a few
 * hundred KiB behind a full window, cutting moved most bytes once more); packets that came early wait in a ring of TSR_UTP_RECV_SLOTS
 * slots indexed by sequence number, so finding, storing and draining
 * them costs no search. Memory is bounded twice: by the slots (packets
 * further ahead are dropped: the sender was told less room than that),
 * and by the capacity in bytes, which counts the stored packets as well
 * as the unread bytes, so a peer that ignores our window, or sends
 * 64 KiB datagrams, gets its packets dropped instead of kept.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <string.h>

#include "tsr-utp-packet.h"
#include "tsr-utp-recv-buffer.h"

/* The ring's first size; it doubles when the unread bytes need more. */
#define RING_MIN (64 * 1024)

struct _TsrUtpRecvBuffer
{
  gsize       capacity;
  guint16     ack_nr;
  guint8     *ring;                      /* (owned) (nullable) unread bytes, in order from @head */
  gsize       ring_size;
  gsize       head;
  gsize       unread;
  GBytes     *slots[TSR_UTP_RECV_SLOTS]; /* (owned) (nullable) early packets, by seq_nr % slots */
  guint       n_stored;
  gsize       stored;
  gboolean    have_fin;
  guint16     fin_nr;
  gboolean    eof;
};

TsrUtpRecvBuffer *
tsr_utp_recv_buffer_new (gsize   capacity,
                         guint16 ack_nr)
{
  TsrUtpRecvBuffer *self = g_new0 (TsrUtpRecvBuffer, 1);

  self->capacity = capacity;
  self->ack_nr = ack_nr;
  return self;
}

void
tsr_utp_recv_buffer_free (TsrUtpRecvBuffer *self)
{
  guint i;

  if (self == NULL)
    return;
  for (i = 0; i < TSR_UTP_RECV_SLOTS; i++)
    g_clear_pointer (&self->slots[i], g_bytes_unref);
  g_free (self->ring);
  g_free (self);
}

void
tsr_utp_recv_buffer_set_capacity (TsrUtpRecvBuffer *self,
                                  gsize             capacity)
{
  g_return_if_fail (self != NULL);

  self->capacity = capacity;
}

gsize
tsr_utp_recv_buffer_get_capacity (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->capacity;
}

static gsize
used (TsrUtpRecvBuffer *self)
{
  return self->unread + self->stored;
}

/* Appends @length bytes to the unread ones, growing the ring if need be. */
static void
ring_append (TsrUtpRecvBuffer *self,
             const guint8     *data,
             gsize             length)
{
  gsize tail;
  gsize first;

  if (length == 0)
    return;
  if (self->unread + length > self->ring_size)
    {
      gsize size = MAX (self->ring_size, RING_MIN);
      guint8 *ring;

      while (size < self->unread + length)
        size *= 2;
      ring = g_malloc (size);
      first = MIN (self->unread, self->ring_size - self->head);
      if (self->unread > 0)
        {
          memcpy (ring, self->ring + self->head, first);
          memcpy (ring + first, self->ring, self->unread - first);
        }
      g_free (self->ring);
      self->ring = ring;
      self->ring_size = size;
      self->head = 0;
    }
  tail = (self->head + self->unread) % self->ring_size;
  first = MIN (length, self->ring_size - tail);
  memcpy (self->ring + tail, data, first);
  memcpy (self->ring, data + first, length - first);
  self->unread += length;
}

static GBytes **
slot (TsrUtpRecvBuffer *self,
      guint16           seq_nr)
{
  return &self->slots[seq_nr % TSR_UTP_RECV_SLOTS];
}

/* Moves the stored packets that now follow ack_nr into the stream, and
 * reaches the FIN when nothing is missing before it. */
static void
drain (TsrUtpRecvBuffer *self)
{
  for (;;)
    {
      guint16 next = self->ack_nr + 1;
      GBytes **bytes = slot (self, next);
      gsize length;
      const guint8 *data;

      if (self->have_fin && next == self->fin_nr)
        {
          self->ack_nr = next;
          self->eof = TRUE;
          return;
        }
      if (*bytes == NULL)
        return;
      data = g_bytes_get_data (*bytes, &length);
      ring_append (self, data, length);
      self->stored -= length;
      self->n_stored--;
      g_clear_pointer (bytes, g_bytes_unref);
      self->ack_nr = next;
    }
}

TsrUtpRecvResult
tsr_utp_recv_buffer_put (TsrUtpRecvBuffer *self,
                         guint16           seq_nr,
                         const guint8     *payload,
                         gsize             length)
{
  guint16 distance;
  GBytes **bytes;

  g_return_val_if_fail (self != NULL, TSR_UTP_RECV_DROPPED);
  g_return_val_if_fail (payload != NULL || length == 0, TSR_UTP_RECV_DROPPED);

  distance = tsr_utp_seq_distance (self->ack_nr, seq_nr);
  /* At or before ack_nr (up to half the sequence space back): a resend
   * of what we have, whose ack was lost. */
  if (distance == 0 || distance >= 0x8000)
    return TSR_UTP_RECV_DUPLICATE;
  if (distance > TSR_UTP_RECV_SLOTS || self->eof ||
      (self->have_fin && !tsr_utp_seq_before (seq_nr, self->fin_nr)))
    return TSR_UTP_RECV_DROPPED;

  if (distance == 1)
    {
      /* Taken while there is any room: the one packet more lets a probe
       * through a window of a few bytes. */
      if (self->unread >= self->capacity)
        return TSR_UTP_RECV_DROPPED;
      ring_append (self, payload, length);
      self->ack_nr = seq_nr;
      drain (self);
      return TSR_UTP_RECV_IN_ORDER;
    }

  bytes = slot (self, seq_nr);
  if (*bytes != NULL)
    return TSR_UTP_RECV_DUPLICATE;
  if (used (self) + length > self->capacity)
    return TSR_UTP_RECV_DROPPED;
  *bytes = g_bytes_new (payload, length);
  self->stored += length;
  self->n_stored++;
  return TSR_UTP_RECV_STORED;
}

TsrUtpRecvResult
tsr_utp_recv_buffer_put_fin (TsrUtpRecvBuffer *self,
                             guint16           seq_nr)
{
  guint16 distance;
  guint16 i;

  g_return_val_if_fail (self != NULL, TSR_UTP_RECV_DROPPED);

  if (self->have_fin)
    return seq_nr == self->fin_nr ? TSR_UTP_RECV_DUPLICATE : TSR_UTP_RECV_DROPPED;
  distance = tsr_utp_seq_distance (self->ack_nr, seq_nr);
  if (distance == 0 || distance >= 0x8000)
    return TSR_UTP_RECV_DUPLICATE;
  if (distance > TSR_UTP_RECV_SLOTS)
    return TSR_UTP_RECV_DROPPED;

  self->have_fin = TRUE;
  self->fin_nr = seq_nr;
  /* BEP 29: no packet comes after the FIN; any stored there were lies. */
  for (i = distance; i <= TSR_UTP_RECV_SLOTS; i++)
    {
      GBytes **bytes = slot (self, (guint16) (self->ack_nr + i));

      if (*bytes != NULL)
        {
          self->stored -= g_bytes_get_size (*bytes);
          self->n_stored--;
          g_clear_pointer (bytes, g_bytes_unref);
        }
    }
  drain (self);
  return self->eof ? TSR_UTP_RECV_IN_ORDER : TSR_UTP_RECV_STORED;
}

guint16
tsr_utp_recv_buffer_get_ack_nr (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ack_nr;
}

gboolean
tsr_utp_recv_buffer_get_eof (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->eof;
}

gboolean
tsr_utp_recv_buffer_has_gap (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->n_stored > 0;
}

gsize
tsr_utp_recv_buffer_get_unread (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->unread;
}

gsize
tsr_utp_recv_buffer_get_stored (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->stored;
}

guint
tsr_utp_recv_buffer_get_n_stored (TsrUtpRecvBuffer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_stored;
}

guint32
tsr_utp_recv_buffer_get_window (TsrUtpRecvBuffer *self)
{
  gsize in_use;

  g_return_val_if_fail (self != NULL, 0);

  in_use = used (self);
  return in_use >= self->capacity ? 0 : (guint32) MIN (self->capacity - in_use, G_MAXUINT32);
}

gsize
tsr_utp_recv_buffer_read (TsrUtpRecvBuffer *self,
                          guint8           *buffer,
                          gsize             size)
{
  gsize first;
  gsize n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (buffer != NULL || size == 0, 0);

  n = MIN (size, self->unread);
  if (n == 0)
    return 0;
  first = MIN (n, self->ring_size - self->head);
  memcpy (buffer, self->ring + self->head, first);
  memcpy (buffer + first, self->ring, n - first);
  self->head = (self->head + n) % self->ring_size;
  self->unread -= n;
  return n;
}

guint
tsr_utp_recv_buffer_write_sack (TsrUtpRecvBuffer *self,
                                guint8           *mask)
{
  guint last = 0;
  guint found = 0;
  guint size;
  guint bit;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (mask != NULL, 0);

  if (self->n_stored == 0)
    return 0;
  /* Bit i stands for ack_nr + 2 + i (ack_nr + 1 is the hole). */
  for (bit = 0; bit < 8 * TSR_UTP_SACK_MAX && found < self->n_stored; bit++)
    if (*slot (self, (guint16) (self->ack_nr + 2 + bit)) != NULL)
      {
        last = bit;
        found++;
      }
  if (found == 0)
    return 0;
  size = tsr_utp_sack_size (last + 1);
  memset (mask, 0, size);
  for (bit = 0; bit <= last; bit++)
    if (*slot (self, (guint16) (self->ack_nr + 2 + bit)) != NULL)
      tsr_utp_sack_set (mask, size, bit);
  return size;
}
