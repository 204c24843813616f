/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarms.c: the tracker server's swarm store, laid out for a big
 * public tracker (after opentracker): a hash table from info hash to
 * swarm, and per swarm one flat array of 24-byte peer records. The
 * array is partitioned, leechers first and seeders after them, so that a
 * seeder's sample (leechers only) is a contiguous range; a peer is found
 * by a linear scan in small swarms and through an open-addressing index
 * of positions in swarms above INDEX_MIN peers. Every operation of an
 * announce is O(1) plus O(numwant) for the sample; removal swaps the
 * last record into the hole.
 *
 * IPv4 addresses are kept IPv4-mapped (::ffff:a.b.c.d), so both families
 * share one record layout; the peer id is not kept (compact replies
 * only, BEP 23 and BEP 7).
 */
#define G_LOG_DOMAIN "tsr-swarms"

#include "config.h"

#include <string.h>

#include "tsr-swarms.h"
#include "tsr-murmur3.h"
#include "tsr-swarms-private.h"

#define PEER_SEEDER     TSR_SWARMS_PEER_SEEDER
#define PEER_COMPLETED  TSR_SWARMS_PEER_COMPLETED   /* counted in downloaded: not again */

typedef struct
{
  guint8   address[16];   /* IPv6, or IPv4-mapped */
  guint16  port;
  guint8   flags;
  guint8   reserved;
  guint32  last_seen;
} TsrSwarmPeer;

G_STATIC_ASSERT (sizeof (TsrSwarmPeer) == 24);
#define KEY_SIZE 18   /* address and port: a peer's identity in its swarm */

struct _TsrSwarm
{
  guint8    info_hash[20];   /* first: a swarm is its own hash table key */
  guint32   downloaded;
  guint32   n_peers;
  guint32   n_leechers;      /* peers[0, n_leechers) leech, the rest seed */
  guint32   n_alloc;
  guint32   last_announce;
  guint32   list_pos;        /* in TsrSwarms.list */
  guint32   index_mask;      /* index size - 1 */
  TsrSwarmPeer     *peers;           /* (owned) */
  guint32  *index;           /* (owned) (nullable): position + 1, 0 free */
};

struct _TsrSwarms
{
  guint        max_swarms;     /* 0: no cap */
  guint32      peer_timeout;
  GHashTable  *table;          /* info hash → TsrSwarm (owned through list) */
  GPtrArray   *list;           /* (element-type TsrSwarm) (owned): round-robin and sampling */
  guint        expire_cursor;  /* next position in list to expire */
  GHashTable  *whitelist;      /* (nullable): hashes pointing into whitelist_data */
  guint8      *whitelist_data; /* (owned) (nullable) */
  GRand       *rand;
  guint32      seed;           /* of the peer index hash */
  guint        n_peers;
  guint        n_seeders;
  guint64      touched;        /* for the tests: records read by announces */
};

/* Below this many peers a scan of the flat array (1.5 KiB) beats an
 * index; an index is dropped again below half of it. */
#define INDEX_MIN       64
/* Candidates looked at to pick a swarm to evict at the cap. */
#define EVICT_SAMPLE    8
/* The allocator's header per block, for the memory estimate. */
#define MALLOC_OVERHEAD 16

static guint32 table_seed;   /* GHashTable's hash takes no user data */

static guint
hash20 (gconstpointer key)
{
  return tsr_murmur3 (key, 20, table_seed);
}

static gboolean
equal20 (gconstpointer a,
         gconstpointer b)
{
  return memcmp (a, b, 20) == 0;
}

static inline guint32
peer_slot (TsrSwarms    *self,
           const TsrSwarm  *swarm,
           const guint8 *key)
{
  return tsr_murmur3 (key, KEY_SIZE, self->seed) & swarm->index_mask;
}

/* TsrSwarmPeer index: linear probing over positions + 1. */

static void
index_insert (TsrSwarms *self,
              TsrSwarm     *swarm,
              guint32    pos)
{
  guint32 i = peer_slot (self, swarm, swarm->peers[pos].address);

  while (swarm->index[i] != 0)
    i = (i + 1) & swarm->index_mask;
  swarm->index[i] = pos + 1;
}

static guint32
index_slot_of (TsrSwarms *self,
               TsrSwarm     *swarm,
               guint32    pos)
{
  guint32 i = peer_slot (self, swarm, swarm->peers[pos].address);

  while (swarm->index[i] != pos + 1)
    {
      g_assert (swarm->index[i] != 0);
      i = (i + 1) & swarm->index_mask;
    }
  return i;
}

/* Backward-shift deletion: no tombstones, so probes stay short. */
static void
index_remove (TsrSwarms *self,
              TsrSwarm     *swarm,
              guint32    pos)
{
  guint32 mask = swarm->index_mask;
  guint32 i = index_slot_of (self, swarm, pos);
  guint32 j = i;

  swarm->index[i] = 0;
  for (;;)
    {
      guint32 k;

      j = (j + 1) & mask;
      if (swarm->index[j] == 0)
        return;
      k = peer_slot (self, swarm, swarm->peers[swarm->index[j] - 1].address);
      /* Leave it when its home slot k lies cyclically in (i, j]. */
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
        continue;
      swarm->index[i] = swarm->index[j];
      swarm->index[j] = 0;
      i = j;
    }
}

static void
index_rebuild (TsrSwarms *self,
               TsrSwarm     *swarm,
               guint32    size)
{
  guint32 pos;

  g_free (swarm->index);
  swarm->index = NULL;
  swarm->index_mask = 0;
  if (size == 0)
    return;
  swarm->index = g_new0 (guint32, size);
  swarm->index_mask = size - 1;
  for (pos = 0; pos < swarm->n_peers; pos++)
    index_insert (self, swarm, pos);
}

static guint32
index_size_for (guint32 n_peers)
{
  guint32 size = 16;

  while (size < n_peers * 2)
    size *= 2;
  return size;
}

/* Keeps the index's load between 1/8 and 3/4 and the array's slack
 * bounded, after insertions or removals. */
static void
swarm_tidy (TsrSwarms *self,
            TsrSwarm     *swarm)
{
  guint32 n = swarm->n_peers;
  guint32 size = swarm->index ? swarm->index_mask + 1 : 0;

  if (swarm->n_alloc > 8 && n < swarm->n_alloc / 4)
    {
      swarm->n_alloc = MAX (4, n + n / 2);
      swarm->peers = g_renew (TsrSwarmPeer, swarm->peers, swarm->n_alloc);
    }
  else if (n == 0 && swarm->n_alloc > 0)
    {
      g_clear_pointer (&swarm->peers, g_free);
      swarm->n_alloc = 0;
    }

  if (size == 0 && n > INDEX_MIN)
    index_rebuild (self, swarm, index_size_for (n));
  else if (size > 0 && n < INDEX_MIN / 2)
    index_rebuild (self, swarm, 0);
  else if (size > 0 && (n * 4 > size * 3 || (size > 128 && n * 8 < size)))
    index_rebuild (self, swarm, index_size_for (n));
}

/* The position of the peer with address and port @key (18 bytes), or -1. */
static gint64
swarm_find (TsrSwarms    *self,
            TsrSwarm     *swarm,
            const guint8 *key)
{
  guint32 i;

  if (swarm->index == NULL)
    {
      for (i = 0; i < swarm->n_peers; i++)
        {
          self->touched++;
          if (memcmp (swarm->peers[i].address, key, KEY_SIZE) == 0)
            return i;
        }
      return -1;
    }

  i = peer_slot (self, swarm, key);
  while (swarm->index[i] != 0)
    {
      guint32 pos = swarm->index[i] - 1;

      self->touched++;
      if (memcmp (swarm->peers[pos].address, key, KEY_SIZE) == 0)
        return pos;
      i = (i + 1) & swarm->index_mask;
    }
  return -1;
}

static void
peer_swap (TsrSwarms *self,
           TsrSwarm     *swarm,
           guint32    a,
           guint32    b)
{
  TsrSwarmPeer tmp;

  if (a == b)
    return;
  if (swarm->index != NULL)
    {
      guint32 slot_a = index_slot_of (self, swarm, a);
      guint32 slot_b = index_slot_of (self, swarm, b);

      swarm->index[slot_a] = b + 1;
      swarm->index[slot_b] = a + 1;
    }
  tmp = swarm->peers[a];
  swarm->peers[a] = swarm->peers[b];
  swarm->peers[b] = tmp;
}

/* 4, 6, 8, 12, 16, 24, 32, 48...: growth by 1.5 or 1.33 keeps the
 * slack of a typical 20-peer swarm at 4 records (24 allocated). */
static guint32
alloc_after (guint32 n_alloc)
{
  guint32 p = 4;

  if (n_alloc < 4)
    return 4;
  while (p * 2 <= n_alloc)
    p *= 2;
  return n_alloc == p ? p + p / 2 : p * 2;
}

/* Adds @peer (known absent); returns its position. */
static guint32
swarm_insert (TsrSwarms          *self,
              TsrSwarm           *swarm,
              const TsrSwarmPeer *peer)
{
  guint32 pos;

  if (swarm->n_peers == swarm->n_alloc)
    {
      swarm->n_alloc = alloc_after (swarm->n_alloc);
      swarm->peers = g_renew (TsrSwarmPeer, swarm->peers, swarm->n_alloc);
    }
  pos = swarm->n_peers++;
  swarm->peers[pos] = *peer;
  if (swarm->index != NULL)
    index_insert (self, swarm, pos);
  self->n_peers++;

  if (peer->flags & PEER_SEEDER)
    self->n_seeders++;
  else
    {
      peer_swap (self, swarm, pos, swarm->n_leechers);
      pos = swarm->n_leechers++;
    }

  if ((swarm->index == NULL && swarm->n_peers > INDEX_MIN) ||
      (swarm->index != NULL && swarm->n_peers * 4 > (swarm->index_mask + 1) * 3))
    index_rebuild (self, swarm, index_size_for (swarm->n_peers));
  return pos;
}

/* The caller calls swarm_tidy() after its removals. */
static void
swarm_remove_at (TsrSwarms *self,
                 TsrSwarm     *swarm,
                 guint32    pos)
{
  if (swarm->peers[pos].flags & PEER_SEEDER)
    self->n_seeders--;
  else
    {
      /* To the last leecher's place, which then becomes the seeders' first. */
      peer_swap (self, swarm, pos, swarm->n_leechers - 1);
      pos = --swarm->n_leechers;
    }
  peer_swap (self, swarm, pos, swarm->n_peers - 1);
  if (swarm->index != NULL)
    index_remove (self, swarm, swarm->n_peers - 1);
  swarm->n_peers--;
  self->n_peers--;
}

/* Moves the peer at @pos across the leecher/seeder boundary if it must;
 * returns its new position. */
static guint32
swarm_set_seeder (TsrSwarms *self,
                  TsrSwarm     *swarm,
                  guint32    pos,
                  gboolean   seeder)
{
  TsrSwarmPeer *peer = &swarm->peers[pos];

  if (!!(peer->flags & PEER_SEEDER) == !!seeder)
    return pos;
  if (seeder)
    {
      peer->flags |= PEER_SEEDER;
      peer_swap (self, swarm, pos, swarm->n_leechers - 1);
      pos = --swarm->n_leechers;
      self->n_seeders++;
    }
  else
    {
      peer->flags &= ~PEER_SEEDER;
      peer_swap (self, swarm, pos, swarm->n_leechers);
      pos = swarm->n_leechers++;
      self->n_seeders--;
    }
  return pos;
}

static void
swarm_destroy (TsrSwarms *self,
               TsrSwarm     *swarm)
{
  guint32 pos = swarm->list_pos;
  guint32 last = self->list->len - 1;

  self->n_peers -= swarm->n_peers;
  self->n_seeders -= swarm->n_peers - swarm->n_leechers;
  g_hash_table_remove (self->table, swarm);
  if (pos != last)
    {
      TsrSwarm *moved = g_ptr_array_index (self->list, last);

      moved->list_pos = pos;
      g_ptr_array_index (self->list, pos) = moved;
    }
  g_ptr_array_set_size (self->list, last);
  g_free (swarm->peers);
  g_free (swarm->index);
  g_free (swarm);
}

/* At the cap: the swarm with the fewest peers among EVICT_SAMPLE random
 * ones (all of them in a small store), the least recently announced on a
 * tie. O(EVICT_SAMPLE): the victim is the emptiest of a sample, not
 * always of the store, but empty and dying swarms, the common kind, are
 * found quickly. */
static void
swarms_evict (TsrSwarms *self)
{
  guint n = self->list->len;
  TsrSwarm *victim = NULL;
  guint i;

  for (i = 0; i < MIN (n, EVICT_SAMPLE); i++)
    {
      guint pos = n <= EVICT_SAMPLE ? i : (guint) g_rand_int_range (self->rand, 0, n);
      TsrSwarm *candidate = g_ptr_array_index (self->list, pos);

      if (victim == NULL ||
          candidate->n_peers < victim->n_peers ||
          (candidate->n_peers == victim->n_peers &&
           (gint32) (candidate->last_announce - victim->last_announce) < 0))
        victim = candidate;
    }
  if (victim != NULL)
    swarm_destroy (self, victim);
}

static TsrSwarm *
swarms_create (TsrSwarms    *self,
               const guint8 *info_hash,
               guint32       now)
{
  TsrSwarm *swarm;

  if (self->max_swarms > 0 && self->list->len >= self->max_swarms)
    swarms_evict (self);
  swarm = g_new0 (TsrSwarm, 1);
  memcpy (swarm->info_hash, info_hash, 20);
  swarm->last_announce = now;
  swarm->list_pos = self->list->len;
  g_ptr_array_add (self->list, swarm);
  g_hash_table_add (self->table, swarm);
  return swarm;
}

void
tsr_swarms_set_max_swarms (TsrSwarms *self,
                           guint      max_swarms)
{
  g_return_if_fail (self != NULL);

  self->max_swarms = max_swarms;
  while (max_swarms > 0 && self->list->len > max_swarms)
    swarms_evict (self);
}

TsrSwarms *
tsr_swarms_new (guint max_swarms,
                guint peer_timeout)
{
  static gsize seeded = 0;
  TsrSwarms *self;

  if (g_once_init_enter (&seeded))
    {
      table_seed = g_random_int ();
      g_once_init_leave (&seeded, 1);
    }

  self = g_new0 (TsrSwarms, 1);
  self->max_swarms = max_swarms;
  self->peer_timeout = MIN (peer_timeout, (guint) G_MAXINT32);
  self->table = g_hash_table_new (hash20, equal20);
  self->list = g_ptr_array_new ();
  self->rand = g_rand_new ();
  self->seed = g_rand_int (self->rand);
  return self;
}

void
tsr_swarms_free (TsrSwarms *self)
{
  guint i;

  if (self == NULL)
    return;
  for (i = 0; i < self->list->len; i++)
    {
      TsrSwarm *swarm = g_ptr_array_index (self->list, i);

      g_free (swarm->peers);
      g_free (swarm->index);
      g_free (swarm);
    }
  g_ptr_array_unref (self->list);
  g_hash_table_unref (self->table);
  g_clear_pointer (&self->whitelist, g_hash_table_unref);
  g_free (self->whitelist_data);
  g_rand_free (self->rand);
  g_free (self);
}

void
_tsr_swarms_set_seed (TsrSwarms *self,
                      guint32    seed)
{
  g_rand_set_seed (self->rand, seed);
}

guint64
_tsr_swarms_get_touched (TsrSwarms *self)
{
  return self->touched;
}

static gboolean
swarms_allowed (TsrSwarms    *self,
                const guint8 *info_hash)
{
  return self->whitelist == NULL || g_hash_table_contains (self->whitelist, info_hash);
}

void
tsr_swarms_set_whitelist (TsrSwarms    *self,
                          const guint8 *hashes,
                          gsize         n_hashes)
{
  guint i;

  g_return_if_fail (self != NULL);
  g_return_if_fail (hashes != NULL || n_hashes == 0);

  g_clear_pointer (&self->whitelist, g_hash_table_unref);
  g_clear_pointer (&self->whitelist_data, g_free);
  if (hashes == NULL)
    return;

  self->whitelist_data = g_memdup2 (hashes, n_hashes * 20);
  self->whitelist = g_hash_table_new (hash20, equal20);
  for (i = 0; i < n_hashes; i++)
    g_hash_table_add (self->whitelist, self->whitelist_data + i * 20);

  /* Backwards: a removal moves the last, already checked, swarm here. */
  for (i = self->list->len; i-- > 0;)
    {
      TsrSwarm *swarm = g_ptr_array_index (self->list, i);

      if (!swarms_allowed (self, swarm->info_hash))
        swarm_destroy (self, swarm);
    }
  self->expire_cursor = 0;
}

static void
peer_to_address (const TsrSwarmPeer     *peer,
                 TsrPeerAddress *address)
{
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  memset (address, 0, sizeof *address);
  if (memcmp (peer->address, v4_mapped, 12) == 0)
    {
      address->family = 4;
      memcpy (address->address, peer->address + 12, 4);
    }
  else
    {
      address->family = 6;
      memcpy (address->address, peer->address, 16);
    }
  address->port = peer->port;
}

static void
peer_from_address (const TsrPeerAddress *address,
                   TsrSwarmPeer                 *peer)
{
  memset (peer, 0, sizeof *peer);
  if (address->family == 4)
    {
      peer->address[10] = 0xff;
      peer->address[11] = 0xff;
      memcpy (peer->address + 12, address->address, 4);
    }
  else
    memcpy (peer->address, address->address, 16);
  peer->port = address->port;
}

static guint
gcd (guint a,
     guint b)
{
  while (b != 0)
    {
      guint t = a % b;

      a = b;
      b = t;
    }
  return a;
}

/* Appends up to @numwant peers of [lo, hi) but @skip to @out. Above
 * @numwant: a random start and a random stride coprime with the range
 * visit @numwant distinct peers, each peer with probability exactly
 * numwant / range, in O(numwant). */
static void
swarm_sample (TsrSwarms *self,
              TsrSwarm     *swarm,
              guint32    lo,
              guint32    hi,
              gint64     skip,
              guint      numwant,
              GArray    *out)
{
  gboolean skipping = skip >= lo && skip < hi;
  guint32 m = hi - lo - (skipping ? 1 : 0);
  guint32 n = MIN (m, numwant);
  guint32 j = 0;
  guint32 stride = 1;
  guint32 base;
  guint32 t;

  if (n == 0)
    return;
  if (m > numwant)
    {
      guint tries;

      j = g_rand_int_range (self->rand, 0, m);
      for (tries = 0; tries < 16; tries++)
        {
          stride = g_rand_int_range (self->rand, 1, m);
          if (gcd (stride, m) == 1)
            break;
          stride = 1;
        }
    }

  base = out->len;
  g_array_set_size (out, base + n);
  for (t = 0; t < n; t++)
    {
      guint32 pos = lo + j;

      if (skipping && pos >= skip)
        pos++;
      self->touched++;
      peer_to_address (&swarm->peers[pos], &g_array_index (out, TsrPeerAddress, base + t));
      j += stride;
      if (j >= m)
        j -= m;
    }
}

TsrSwarmsResult
tsr_swarms_announce (TsrSwarms            *self,
                     const guint8         *info_hash,
                     const TsrPeerAddress *peer,
                     guint64               left,
                     TsrAnnounceEvent      event,
                     guint                 numwant,
                     guint32               now,
                     GArray               *out_peers,
                     guint                *complete,
                     guint                *incomplete)
{
  TsrSwarm *swarm;
  TsrSwarmPeer record;
  gint64 pos;
  gboolean seeder = left == 0;
  gboolean finished;

  g_return_val_if_fail (self != NULL, TSR_SWARMS_NOT_ALLOWED);
  g_return_val_if_fail (info_hash != NULL, TSR_SWARMS_NOT_ALLOWED);
  g_return_val_if_fail (peer != NULL && (peer->family == 4 || peer->family == 6), TSR_SWARMS_NOT_ALLOWED);
  g_return_val_if_fail (out_peers == NULL || g_array_get_element_size (out_peers) == sizeof (TsrPeerAddress),
                        TSR_SWARMS_NOT_ALLOWED);

  if (complete != NULL)
    *complete = 0;
  if (incomplete != NULL)
    *incomplete = 0;
  if (!swarms_allowed (self, info_hash))
    return TSR_SWARMS_NOT_ALLOWED;

  swarm = g_hash_table_lookup (self->table, info_hash);
  if (swarm == NULL && event == TSR_ANNOUNCE_EVENT_STOPPED)
    return TSR_SWARMS_OK;   /* nothing to forget, nothing to create */
  if (swarm == NULL)
    swarm = swarms_create (self, info_hash, now);
  swarm->last_announce = now;

  peer_from_address (peer, &record);
  pos = swarm_find (self, swarm, record.address);
  /* A peer we knew leeching that reports nothing left has finished, said
   * or not: aria2 exits with `stopped` and left=0, never `completed`. */
  finished = pos >= 0 && seeder && !(swarm->peers[pos].flags & (PEER_SEEDER | PEER_COMPLETED));

  if (event == TSR_ANNOUNCE_EVENT_STOPPED)
    {
      if (finished)
        swarm->downloaded++;
      if (pos >= 0)
        {
          swarm_remove_at (self, swarm, pos);
          swarm_tidy (self, swarm);
        }
      /* An empty swarm waits for tsr_swarms_expire(). */
    }
  else
    {
      if (pos < 0)
        {
          record.flags = seeder ? PEER_SEEDER : 0;
          record.last_seen = now;
          pos = swarm_insert (self, swarm, &record);
        }
      else
        {
          swarm->peers[pos].last_seen = now;
          pos = swarm_set_seeder (self, swarm, pos, seeder);
        }

      if ((event == TSR_ANNOUNCE_EVENT_COMPLETED || finished) &&
          !(swarm->peers[pos].flags & PEER_COMPLETED))
        {
          swarm->peers[pos].flags |= PEER_COMPLETED;
          swarm->downloaded++;
        }

      /* Seeders get leechers only: the front of the array. */
      if (out_peers != NULL)
        swarm_sample (self, swarm, 0, seeder ? swarm->n_leechers : swarm->n_peers,
                      pos, numwant, out_peers);
    }

  if (complete != NULL)
    *complete = swarm->n_peers - swarm->n_leechers;
  if (incomplete != NULL)
    *incomplete = swarm->n_leechers;
  return TSR_SWARMS_OK;
}

gboolean
tsr_swarms_scrape (TsrSwarms    *self,
                   const guint8 *info_hash,
                   guint        *complete,
                   guint        *incomplete,
                   guint        *downloaded)
{
  TsrSwarm *swarm;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (info_hash != NULL, FALSE);

  swarm = g_hash_table_lookup (self->table, info_hash);
  if (swarm == NULL)
    return FALSE;
  if (complete != NULL)
    *complete = swarm->n_peers - swarm->n_leechers;
  if (incomplete != NULL)
    *incomplete = swarm->n_leechers;
  if (downloaded != NULL)
    *downloaded = swarm->downloaded;
  return TRUE;
}

static guint
swarm_expire (TsrSwarms *self,
              TsrSwarm     *swarm,
              guint32    now)
{
  guint dropped = 0;
  guint32 i = swarm->n_peers;

  /* Backwards: removal only moves records from positions already seen. */
  while (i-- > 0)
    if ((gint32) (now - swarm->peers[i].last_seen) >= (gint32) self->peer_timeout)
      {
        swarm_remove_at (self, swarm, i);
        dropped++;
      }
  if (dropped > 0)
    swarm_tidy (self, swarm);
  return dropped;
}

static guint
swarms_expire_some (TsrSwarms *self,
                    guint32    now,
                    gsize      budget)
{
  guint total = self->list->len;
  guint visits;
  gsize work = 0;
  guint dropped = 0;

  for (visits = 0; visits < total && work < budget && self->list->len > 0; visits++)
    {
      TsrSwarm *swarm;

      if (self->expire_cursor >= self->list->len)
        self->expire_cursor = 0;
      swarm = g_ptr_array_index (self->list, self->expire_cursor);
      work += swarm->n_peers + 1;
      dropped += swarm_expire (self, swarm, now);
      /* Whitelisted swarms keep their downloaded count: the list bounds them. */
      if (swarm->n_peers == 0 && self->whitelist == NULL)
        swarm_destroy (self, swarm);   /* the last swarm moves to the cursor */
      else
        self->expire_cursor++;
    }
  return dropped;
}

guint
tsr_swarms_expire (TsrSwarms *self,
                   guint32    now)
{
  g_return_val_if_fail (self != NULL, 0);

  return swarms_expire_some (self, now, TSR_SWARMS_EXPIRE_BUDGET);
}

guint
tsr_swarms_expire_all (TsrSwarms *self,
                       guint32    now)
{
  g_return_val_if_fail (self != NULL, 0);

  self->expire_cursor = 0;
  return swarms_expire_some (self, now, G_MAXSIZE);
}

void
tsr_swarms_get_stats (TsrSwarms      *self,
                      TsrSwarmsStats *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  stats->swarms = self->list->len;
  stats->peers = self->n_peers;
  stats->seeders = self->n_seeders;
  stats->leechers = self->n_peers - self->n_seeders;
}

void
tsr_swarms_foreach (TsrSwarms              *self,
                    const TsrSwarmsVisitor *visitor,
                    gpointer                user_data)
{
  guint i;

  g_return_if_fail (self != NULL && visitor != NULL);

  for (i = 0; i < self->list->len; i++)
    {
      TsrSwarm *swarm = g_ptr_array_index (self->list, i);
      guint32 pos;

      visitor->swarm (swarm->info_hash, swarm->downloaded, swarm->n_peers, user_data);
      for (pos = 0; pos < swarm->n_peers; pos++)
        visitor->peer (swarm->peers[pos].address, swarm->peers[pos].port, swarm->peers[pos].flags,
                       swarm->peers[pos].last_seen, user_data);
    }
}

gboolean
tsr_swarms_restore_swarm (TsrSwarms    *self,
                          const guint8 *info_hash,
                          guint32       downloaded,
                          TsrSwarm    **swarm)
{
  *swarm = NULL;
  if (g_hash_table_contains (self->table, info_hash))
    return FALSE;
  if (self->max_swarms == 0 || self->list->len < self->max_swarms)
    {
      *swarm = swarms_create (self, info_hash, 0);
      (*swarm)->downloaded = downloaded;
    }
  return TRUE;
}

gboolean
tsr_swarms_restore_peer (TsrSwarms    *self,
                         TsrSwarm     *swarm,
                         const guint8 *address,
                         guint16       port,
                         guint8        flags,
                         guint32       last_seen)
{
  TsrSwarmPeer peer = { .port = port, .flags = flags, .last_seen = last_seen };
  guint64 touched = self->touched;
  gboolean found;

  memcpy (peer.address, address, 16);
  found = swarm_find (self, swarm, peer.address) >= 0;
  self->touched = touched;   /* not an announce's work */
  if (found)
    return FALSE;
  swarm_insert (self, swarm, &peer);
  if ((gint32) (peer.last_seen - swarm->last_announce) > 0)
    swarm->last_announce = peer.last_seen;
  return TRUE;
}

static gsize
pow2_at_least (gsize n)
{
  gsize size = 8;

  while (size < n)
    size *= 2;
  return size;
}

gsize
tsr_swarms_get_memory_size (TsrSwarms *self)
{
  gsize size = sizeof *self + MALLOC_OVERHEAD;
  guint n = self->list->len;
  guint i;

  /* GHashTable: a key pointer and a hash per bucket (values share the
   * keys' array when key == value), resized to 4/3 of its entries. */
  size += pow2_at_least (n + n / 3) * (sizeof (gpointer) + sizeof (guint)) + 3 * MALLOC_OVERHEAD;
  size += pow2_at_least (n) * sizeof (gpointer) + MALLOC_OVERHEAD;
  for (i = 0; i < n; i++)
    {
      TsrSwarm *swarm = g_ptr_array_index (self->list, i);

      size += sizeof (TsrSwarm) + MALLOC_OVERHEAD;
      if (swarm->n_alloc > 0)
        size += swarm->n_alloc * sizeof (TsrSwarmPeer) + MALLOC_OVERHEAD;
      if (swarm->index != NULL)
        size += (swarm->index_mask + 1) * sizeof (guint32) + MALLOC_OVERHEAD;
    }
  return size;
}

gboolean
_tsr_swarms_recount (TsrSwarms      *self,
                     TsrSwarmsStats *stats)
{
  gboolean ok = TRUE;
  guint i;

  memset (stats, 0, sizeof *stats);
  stats->swarms = self->list->len;
  if (g_hash_table_size (self->table) != self->list->len)
    ok = FALSE;

  for (i = 0; i < self->list->len; i++)
    {
      TsrSwarm *swarm = g_ptr_array_index (self->list, i);
      guint32 pos;

      if (swarm->list_pos != i ||
          g_hash_table_lookup (self->table, swarm->info_hash) != swarm ||
          swarm->n_leechers > swarm->n_peers || swarm->n_peers > swarm->n_alloc)
        ok = FALSE;
      for (pos = 0; pos < swarm->n_peers; pos++)
        {
          gboolean seeder = (swarm->peers[pos].flags & PEER_SEEDER) != 0;

          if (seeder != (pos >= swarm->n_leechers))
            ok = FALSE;
          if (seeder)
            stats->seeders++;
          else
            stats->leechers++;
          stats->peers++;
          if (swarm->index != NULL)
            {
              /* Found by probing from its home slot, and only once. */
              guint32 slot = peer_slot (self, swarm, swarm->peers[pos].address);
              guint32 found = 0;
              guint32 k;

              for (k = 0; k <= swarm->index_mask && swarm->index[slot] != 0; k++)
                {
                  if (swarm->index[slot] == pos + 1)
                    found++;
                  slot = (slot + 1) & swarm->index_mask;
                }
              if (found != 1)
                ok = FALSE;
            }
        }
      if (swarm->index != NULL)
        {
          guint32 used = 0;
          guint32 k;

          for (k = 0; k <= swarm->index_mask; k++)
            if (swarm->index[k] != 0)
              used++;
          if (used != swarm->n_peers)
            ok = FALSE;
        }
      else if (swarm->n_peers > INDEX_MIN)
        ok = FALSE;
    }
  return ok;
}
