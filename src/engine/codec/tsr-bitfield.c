/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bitfield.c: piece sets. The count of set bits is kept up to date on
 * every change, because progress and interest ask for it all the time.
 */
#define G_LOG_DOMAIN "tsr-bitfield"

#include "config.h"

#include <string.h>

#include "tsr-bitfield.h"

struct _TsrBitfield
{
  guint   n_bits;
  guint   count;
  guint8 *bytes;
};

static gsize
byte_count (guint n_bits)
{
  return ((gsize) n_bits + 7) / 8;
}

TsrBitfield *
tsr_bitfield_new (guint n_bits)
{
  TsrBitfield *self = g_new0 (TsrBitfield, 1);

  self->n_bits = n_bits;
  self->bytes = g_malloc0 (MAX (byte_count (n_bits), 1));
  return self;
}

TsrBitfield *
tsr_bitfield_copy (const TsrBitfield *self)
{
  TsrBitfield *copy = tsr_bitfield_new (self->n_bits);

  memcpy (copy->bytes, self->bytes, byte_count (self->n_bits));
  copy->count = self->count;
  return copy;
}

void
tsr_bitfield_free (TsrBitfield *self)
{
  if (self == NULL)
    return;
  g_free (self->bytes);
  g_free (self);
}

guint
tsr_bitfield_get_size (const TsrBitfield *self)
{
  return self->n_bits;
}

guint
tsr_bitfield_count (const TsrBitfield *self)
{
  return self->count;
}

gboolean
tsr_bitfield_get (const TsrBitfield *self,
                  guint              index)
{
  g_return_val_if_fail (index < self->n_bits, FALSE);
  return (self->bytes[index / 8] >> (7 - index % 8)) & 1;
}

void
tsr_bitfield_set (TsrBitfield *self,
                  guint        index,
                  gboolean     value)
{
  guint8 mask;

  g_return_if_fail (index < self->n_bits);
  mask = (guint8) (0x80 >> (index % 8));
  if (value && !(self->bytes[index / 8] & mask))
    {
      self->bytes[index / 8] |= mask;
      self->count++;
    }
  else if (!value && (self->bytes[index / 8] & mask))
    {
      self->bytes[index / 8] &= (guint8) ~mask;
      self->count--;
    }
}

void
tsr_bitfield_set_all (TsrBitfield *self,
                      gboolean     value)
{
  gsize length = byte_count (self->n_bits);

  memset (self->bytes, value ? 0xff : 0, length);
  if (value && self->n_bits % 8 != 0)
    self->bytes[length - 1] = (guint8) (0xff << (8 - self->n_bits % 8));
  self->count = value ? self->n_bits : 0;
}

gboolean
tsr_bitfield_is_full (const TsrBitfield *self)
{
  return self->count == self->n_bits;
}

const guint8 *
tsr_bitfield_get_bytes (const TsrBitfield *self,
                        gsize             *length)
{
  if (length != NULL)
    *length = byte_count (self->n_bits);
  return self->bytes;
}

gboolean
tsr_bitfield_set_bytes (TsrBitfield  *self,
                        const guint8 *data,
                        gsize         length)
{
  guint count = 0;
  gsize i;

  if (length != byte_count (self->n_bits))
    return FALSE;
  if (self->n_bits % 8 != 0 && (data[length - 1] & ((1u << (8 - self->n_bits % 8)) - 1)) != 0)
    return FALSE;
  memcpy (self->bytes, data, length);
  for (i = 0; i < length; i++)
    count += (guint) __builtin_popcount (data[i]);
  self->count = count;
  return TRUE;
}
