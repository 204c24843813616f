/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-read-cache.c: whole-piece reads for seeding. An entry is either
 * being read (its waiters queue up) or held (blocks are slices of it,
 * sent without a copy). The thread pool sees one job per piece instead
 * of one per block. A session's caches share a group budget, so that
 * seeding hundreds of torrents does not hold a few MiB for each.
 */
#define G_LOG_DOMAIN "tsr-read-cache"

#include "config.h"

#include "tsr-read-cache.h"

typedef struct
{
  guint32          begin;
  guint32          length;
  TsrReadCacheFunc func;
  gpointer         user_data;
  GDestroyNotify   destroy;
} Waiter;

typedef struct _Entry Entry;

/* What an asynchronous read holds: the cache may be gone when it ends. */
typedef struct
{
  TsrReadCache *cache;      /* (nullable) cleared when the cache is freed */
  Entry        *entry;      /* (nullable) NULL for an uncached block read */
  Waiter        waiter;     /* for an uncached block read */
} ReadOp;

struct _Entry
{
  guint      index;
  GBytes    *data;          /* (owned) (nullable) while reading */
  GArray    *waiters;       /* (element-type Waiter) */
  ReadOp    *op;            /* (nullable) the read in flight */
  guint64    last_use;
  gint64     used_at;       /* monotonic µs of the last use */
};

struct _TsrReadCacheGroup
{
  gint       ref_count;
  gsize      budget;
  gsize      size;          /* bytes held by its caches */
  guint64    clock;         /* last_use of every member's entries */
  GPtrArray *caches;        /* (element-type TsrReadCache) members, not owned */
};

struct _TsrReadCache
{
  TsrStorage   *storage;    /* (owned) */
  TsrReadCacheGroup *group; /* (owned) (nullable) */
  gsize         budget;
  gsize         size;       /* bytes held */
  GHashTable   *entries;    /* index → Entry (owned) */
  GPtrArray    *uncached;   /* (element-type ReadOp) block reads in flight */
  GCancellable *cancellable;
  guint64       clock;
  guint         n_reads;
};

static void
waiter_drop (Waiter *waiter)
{
  if (waiter->destroy != NULL)
    waiter->destroy (waiter->user_data);
}

static void
entry_free (Entry *entry)
{
  guint i;

  for (i = 0; i < entry->waiters->len; i++)
    waiter_drop (&g_array_index (entry->waiters, Waiter, i));
  g_array_unref (entry->waiters);
  if (entry->op != NULL)
    {
      entry->op->cache = NULL;
      entry->op->entry = NULL;
    }
  g_clear_pointer (&entry->data, g_bytes_unref);
  g_free (entry);
}

TsrReadCacheGroup *
tsr_read_cache_group_new (gsize budget)
{
  TsrReadCacheGroup *self = g_new0 (TsrReadCacheGroup, 1);

  self->ref_count = 1;
  self->budget = budget;
  self->caches = g_ptr_array_new ();
  return self;
}

TsrReadCacheGroup *
tsr_read_cache_group_ref (TsrReadCacheGroup *self)
{
  self->ref_count++;
  return self;
}

void
tsr_read_cache_group_unref (TsrReadCacheGroup *self)
{
  if (self == NULL || --self->ref_count > 0)
    return;
  /* Each member holds a reference: none is left. */
  g_ptr_array_unref (self->caches);
  g_free (self);
}

gsize
tsr_read_cache_group_get_size (TsrReadCacheGroup *self)
{
  return self->size;
}

/* Entries' ages compare across the group's caches. */
static guint64
next_use (TsrReadCache *self)
{
  return self->group != NULL ? ++self->group->clock : ++self->clock;
}

static void
held_add (TsrReadCache *self,
          gsize         bytes)
{
  self->size += bytes;
  if (self->group != NULL)
    self->group->size += bytes;
}

static void
held_sub (TsrReadCache *self,
          gsize         bytes)
{
  self->size -= bytes;
  if (self->group != NULL)
    self->group->size -= bytes;
}

TsrReadCache *
tsr_read_cache_new (TsrStorage        *storage,
                    gsize              budget,
                    TsrReadCacheGroup *group)
{
  TsrReadCache *self = g_new0 (TsrReadCache, 1);

  self->storage = g_object_ref (storage);
  self->budget = budget;
  if (group != NULL)
    {
      self->group = tsr_read_cache_group_ref (group);
      g_ptr_array_add (group->caches, self);
    }
  self->entries = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) entry_free);
  self->uncached = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  return self;
}

void
tsr_read_cache_free (TsrReadCache *self)
{
  guint i;

  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  held_sub (self, self->size);
  if (self->group != NULL)
    {
      g_ptr_array_remove_fast (self->group->caches, self);
      tsr_read_cache_group_unref (self->group);
    }
  g_hash_table_unref (self->entries);
  for (i = 0; i < self->uncached->len; i++)
    {
      ReadOp *op = g_ptr_array_index (self->uncached, i);

      op->cache = NULL;
      waiter_drop (&op->waiter);
      op->waiter.destroy = NULL;
    }
  g_ptr_array_unref (self->uncached);
  g_object_unref (self->cancellable);
  g_object_unref (self->storage);
  g_free (self);
}

gboolean
tsr_read_cache_is_idle (TsrReadCache *self)
{
  return g_hash_table_size (self->entries) == 0 && self->uncached->len == 0;
}

gsize
tsr_read_cache_get_size (TsrReadCache *self)
{
  return self->size;
}

guint
tsr_read_cache_get_n_reads (TsrReadCache *self)
{
  return self->n_reads;
}

void
tsr_read_cache_expire (TsrReadCache *self,
                       gint64        before)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (entry->data != NULL && entry->used_at < before)
        {
          held_sub (self, g_bytes_get_size (entry->data));
          g_hash_table_iter_remove (&iter);
        }
    }
}

static void
answer (Waiter *waiter,
        GBytes *piece)
{
  g_autoptr(GBytes) block = g_bytes_new_from_bytes (piece, waiter->begin, waiter->length);

  waiter->func (block, NULL, waiter->user_data);
  waiter_drop (waiter);
}

/* The least recently used piece held, NULL when none is. */
static Entry *
find_oldest (TsrReadCache *self)
{
  GHashTableIter iter;
  gpointer value;
  Entry *oldest = NULL;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (entry->data != NULL && (oldest == NULL || entry->last_use < oldest->last_use))
        oldest = entry;
    }
  return oldest;
}

static void
drop (TsrReadCache *self,
      Entry        *entry)
{
  held_sub (self, g_bytes_get_size (entry->data));
  g_hash_table_remove (self->entries, GUINT_TO_POINTER (entry->index));
}

/* Drops held pieces, least recently used first, while over budget: the
 * cache's own, then the group's (whichever member holds the oldest). */
static void
evict (TsrReadCache *self)
{
  while (self->size > self->budget)
    {
      Entry *oldest = find_oldest (self);

      if (oldest == NULL)
        break;
      drop (self, oldest);
    }
  while (self->group != NULL && self->group->size > self->group->budget)
    {
      TsrReadCache *owner = NULL;
      Entry *oldest = NULL;
      guint i;

      for (i = 0; i < self->group->caches->len; i++)
        {
          TsrReadCache *cache = g_ptr_array_index (self->group->caches, i);
          Entry *entry;

          /* Most members of a big session hold nothing: not worth a walk. */
          if (cache->size == 0)
            continue;
          entry = find_oldest (cache);

          if (entry != NULL && (oldest == NULL || entry->last_use < oldest->last_use))
            {
              oldest = entry;
              owner = cache;
            }
        }
      if (oldest == NULL)
        break;
      drop (owner, oldest);
    }
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = tsr_storage_read_block_finish (TSR_STORAGE (source), result, &error);
  TsrReadCache *self = op->cache;
  Entry *entry = op->entry;
  guint i;

  if (self == NULL)
    {
      /* The cache went away: its waiters were dropped with it. */
      waiter_drop (&op->waiter);
      g_free (op);
      return;
    }
  if (entry == NULL)
    {
      /* An uncached block read. */
      g_ptr_array_remove_fast (self->uncached, op);
      if (data != NULL)
        op->waiter.func (data, NULL, op->waiter.user_data);
      else
        op->waiter.func (NULL, error, op->waiter.user_data);
      waiter_drop (&op->waiter);
      g_free (op);
      return;
    }
  entry->op = NULL;
  g_free (op);
  if (data == NULL)
    {
      g_autoptr(GArray) waiters = g_steal_pointer (&entry->waiters);

      entry->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
      g_hash_table_remove (self->entries, GUINT_TO_POINTER (entry->index));
      for (i = 0; i < waiters->len; i++)
        {
          Waiter *waiter = &g_array_index (waiters, Waiter, i);

          waiter->func (NULL, error, waiter->user_data);
          waiter_drop (waiter);
        }
      return;
    }
  entry->data = g_bytes_ref (data);
  entry->last_use = next_use (self);
  entry->used_at = g_get_monotonic_time ();
  held_add (self, g_bytes_get_size (data));
  {
    /* Answering may bring new requests for this piece: they find it held. */
    g_autoptr(GArray) waiters = g_steal_pointer (&entry->waiters);

    entry->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
    for (i = 0; i < waiters->len; i++)
      answer (&g_array_index (waiters, Waiter, i), data);
  }
  evict (self);
}

void
tsr_read_cache_get (TsrReadCache     *self,
                    guint             index,
                    guint32           begin,
                    guint32           length,
                    TsrReadCacheFunc  func,
                    gpointer          user_data,
                    GDestroyNotify    destroy)
{
  TsrMetainfo *info = tsr_storage_get_metainfo (self->storage);
  Waiter waiter = { begin, length, func, user_data, destroy };
  guint64 piece_size = index < info->piece_count ? tsr_metainfo_get_piece_size (info, index) : 0;
  Entry *entry;

  if (length == 0 || (guint64) begin + length > piece_size || piece_size > self->budget / 4)
    {
      /* Out of range (storage says why), or a piece too big to hold. */
      ReadOp *op = g_new0 (ReadOp, 1);

      op->cache = self;
      op->waiter = waiter;
      g_ptr_array_add (self->uncached, op);
      self->n_reads++;
      tsr_storage_read_block_async (self->storage, index, begin, length, self->cancellable, on_read, op);
      return;
    }
  entry = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (index));
  if (entry != NULL && entry->data != NULL)
    {
      entry->last_use = next_use (self);
      entry->used_at = g_get_monotonic_time ();
      answer (&waiter, entry->data);
      return;
    }
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->index = index;
      entry->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
      entry->op = g_new0 (ReadOp, 1);
      entry->op->cache = self;
      entry->op->entry = entry;
      g_hash_table_insert (self->entries, GUINT_TO_POINTER (index), entry);
      self->n_reads++;
      tsr_storage_read_block_async (self->storage, index, 0, (guint32) piece_size, self->cancellable, on_read,
                                    entry->op);
    }
  g_array_append_val (entry->waiters, waiter);
}
