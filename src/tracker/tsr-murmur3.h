/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-murmur3.h: MurmurHash3's 32-bit hash, static inline: the swarm
 * store hashes info hashes and peer keys with it on every announce.
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* MurmurHash3's 32-bit mix, seeded: spreads addresses and hashes that
 * peers choose; not a defence against an attacker who learns the seed. */
static inline guint32
tsr_murmur3_rotl32 (guint32 x,
                    int     r)
{
  return (x << r) | (x >> (32 - r));
}

static inline guint32
tsr_murmur3 (const guint8 *data,
             gsize         length,
             guint32       seed)
{
  guint32 h = seed;
  gsize i;

  for (i = 0; i + 4 <= length; i += 4)
    {
      guint32 k;

      memcpy (&k, data + i, 4);
      k *= 0xcc9e2d51u;
      k = tsr_murmur3_rotl32 (k, 15);
      k *= 0x1b873593u;
      h ^= k;
      h = tsr_murmur3_rotl32 (h, 13);
      h = h * 5 + 0xe6546b64u;
    }
  if (i < length)
    {
      guint32 k = 0;

      memcpy (&k, data + i, length - i);
      k *= 0xcc9e2d51u;
      k = tsr_murmur3_rotl32 (k, 15);
      k *= 0x1b873593u;
      h ^= k;
    }
  h ^= length;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

G_END_DECLS
