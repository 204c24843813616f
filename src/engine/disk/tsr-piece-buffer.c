/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-piece-buffer.c: a piece's buffer is used once, then handed to a
 * worker that writes it and drops it. Fresh multi-megabyte allocations
 * come from the kernel as zeroed pages, faulted in one by one; recycling
 * a few buffers of each size avoids that on every piece. Any thread may
 * give one back.
 */
#define G_LOG_DOMAIN "tsr-piece-buffer"

#include "config.h"

#include <stdlib.h>

#include "tsr-piece-buffer.h"

#define POOL_BYTES (8 * 1024 * 1024)

static GMutex pool_lock;
static GHashTable *pool;   /* size → GSList of buffers */
static gsize pool_held;

guint8 *
tsr_piece_buffer_take (gsize size)
{
  guint8 *buffer = NULL;

  g_mutex_lock (&pool_lock);
  if (pool != NULL)
    {
      GSList *list = g_hash_table_lookup (pool, GSIZE_TO_POINTER (size));

      if (list != NULL)
        {
          buffer = list->data;
          g_hash_table_insert (pool, GSIZE_TO_POINTER (size), g_slist_delete_link (list, list));
          pool_held -= size;
        }
    }
  g_mutex_unlock (&pool_lock);
  /* Page-aligned, so that verified pieces can be written with direct
   * I/O (see tsr_storage_set_direct_io). */
  if (buffer == NULL && posix_memalign ((void **) &buffer, 4096, size) != 0)
    g_error ("Out of memory for a piece of %zu bytes", size);
  return buffer;
}

void
tsr_piece_buffer_give (guint8 *buffer,
                       gsize   size)
{
  if (buffer == NULL)
    return;
  g_mutex_lock (&pool_lock);
  if (pool_held + size <= POOL_BYTES)
    {
      if (pool == NULL)
        pool = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (pool, GSIZE_TO_POINTER (size),
                           g_slist_prepend (g_hash_table_lookup (pool, GSIZE_TO_POINTER (size)), buffer));
      pool_held += size;
      buffer = NULL;
    }
  g_mutex_unlock (&pool_lock);
  free (buffer);
}

gsize
tsr_piece_buffer_get_pooled (void)
{
  gsize held;

  g_mutex_lock (&pool_lock);
  held = pool_held;
  g_mutex_unlock (&pool_lock);
  return held;
}

typedef struct
{
  guint8 *buffer;
  gsize   size;
} PooledBuffer;

static void
pooled_buffer_free (gpointer user_data)
{
  PooledBuffer *pooled = user_data;

  tsr_piece_buffer_give (pooled->buffer, pooled->size);
  g_free (pooled);
}

GBytes *
tsr_piece_buffer_to_bytes (guint8 *buffer,
                           gsize   size)
{
  PooledBuffer *pooled = g_new (PooledBuffer, 1);

  pooled->buffer = buffer;
  pooled->size = size;
  return g_bytes_new_with_free_func (buffer, size, pooled_buffer_free, pooled);
}
