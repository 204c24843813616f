/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-slab.h: the memory behind tsr-bencode.c's nodes. Decoded nodes and
 * their arrays go in a slab: blocks chained through their first bytes,
 * filled in order and freed together with the root, so no allocation per
 * node and nothing wasted but a block's tail. Built containers grow by
 * doubling, their capacity implied by their count rather than stored.
 * Static inline: the decoder's inner loop calls these.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrSlabBlock TsrSlabBlock;
struct _TsrSlabBlock
{
  TsrSlabBlock *next;
  gsize         size;       /* usable bytes after the header */
};

typedef struct
{
  TsrSlabBlock *blocks;     /* (owned) newest first */
  guint8       *free;       /* in blocks */
  gsize         left;
  gsize         next_size;
} TsrSlab;

#define TSR_SLAB_HEADER     ((sizeof (TsrSlabBlock) + 15) & ~(gsize) 15)
#define TSR_SLAB_MAX_BLOCK  (1024 * 1024)

static inline gpointer
tsr_slab_alloc (TsrSlab *slab,
                gsize    size)
{
  gpointer result;

  size = (size + 7) & ~(gsize) 7;
  if (size > slab->left)
    {
      /* Blocks double up to 1 MiB; an array larger than that gets a
       * block of its own size, so nothing is wasted but a block's tail. */
      gsize block_size = MAX (size, slab->next_size);
      TsrSlabBlock *block = g_malloc (TSR_SLAB_HEADER + block_size);

      block->next = slab->blocks;
      block->size = block_size;
      slab->blocks = block;
      slab->free = (guint8 *) block + TSR_SLAB_HEADER;
      slab->left = block_size;
      slab->next_size = MIN (slab->next_size * 2, TSR_SLAB_MAX_BLOCK);
    }
  result = slab->free;
  slab->free += size;
  slab->left -= size;
  return result;
}

static inline void
tsr_slab_clear (TsrSlab *slab)
{
  while (slab->blocks != NULL)
    {
      TsrSlabBlock *next = slab->blocks->next;

      g_free (slab->blocks);
      slab->blocks = next;
    }
}

/* The capacity tsr_array_grow () implies for @count elements: 2 up to two
 * elements, then the power of two at or above the count. */
static inline gsize
tsr_array_capacity (guint count)
{
  gsize capacity = 2;

  while (capacity < count)
    capacity *= 2;
  return capacity;
}

/* Arrays grow by doubling without storing their capacity (see
 * tsr_array_capacity ()). @header bytes come before the elements, and the
 * result points after them. Call it before adding element @count. */
static inline gpointer
tsr_array_grow (gpointer array,
                guint    count,
                gsize    element_size,
                gsize    header)
{
  guint8 *block;

  if (count == 0)
    {
      block = g_malloc0 (header + 2 * element_size);
      return block + header;
    }
  if (count >= 2 && (count & (count - 1)) == 0)
    {
      /* As g_realloc_n () would, with the header. */
      if ((gsize) count > (G_MAXSIZE - header) / 2 / element_size)
        g_error ("%s: overflow growing an array of %u elements", G_STRLOC, count);
      block = g_realloc ((guint8 *) array - header, header + (gsize) count * 2 * element_size);
      return block + header;
    }
  return array;
}

G_END_DECLS
