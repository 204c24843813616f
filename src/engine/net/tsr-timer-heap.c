/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-timer-heap.c: the binary min-heap of tsr-timer-heap.h, in a
 * GPtrArray of borrowed entries, each keeping its index up to date as it
 * moves.
 */
#define G_LOG_DOMAIN "tsr-timer-heap"

#include "config.h"

#include "tsr-timer-heap.h"

struct _TsrTimerHeap
{
  GPtrArray *entries;  /* TsrTimerHeapEntry (borrowed), a heap by deadline */
};

TsrTimerHeap *
tsr_timer_heap_new (void)
{
  TsrTimerHeap *self = g_new0 (TsrTimerHeap, 1);

  self->entries = g_ptr_array_new ();
  return self;
}

void
tsr_timer_heap_free (TsrTimerHeap *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->entries);
  g_free (self);
}

void
tsr_timer_heap_entry_init (TsrTimerHeapEntry *entry,
                           gpointer           data)
{
  g_return_if_fail (entry != NULL);

  entry->deadline = TSR_TIMER_HEAP_NEVER;
  entry->index = -1;
  entry->data = data;
}

static TsrTimerHeapEntry *
at (TsrTimerHeap *self,
    guint         index)
{
  return g_ptr_array_index (self->entries, index);
}

static void
place (TsrTimerHeap      *self,
       TsrTimerHeapEntry *entry,
       guint              index)
{
  g_ptr_array_index (self->entries, index) = entry;
  entry->index = (gint) index;
}

static void
sift_up (TsrTimerHeap *self,
         guint         index)
{
  TsrTimerHeapEntry *entry = at (self, index);

  while (index > 0 && at (self, (index - 1) / 2)->deadline > entry->deadline)
    {
      place (self, at (self, (index - 1) / 2), index);
      index = (index - 1) / 2;
    }
  place (self, entry, index);
}

static void
sift_down (TsrTimerHeap *self,
           guint         index)
{
  TsrTimerHeapEntry *entry = at (self, index);
  guint n = self->entries->len;

  for (;;)
    {
      guint child = 2 * index + 1;

      if (child >= n)
        break;
      if (child + 1 < n && at (self, child + 1)->deadline < at (self, child)->deadline)
        child++;
      if (entry->deadline <= at (self, child)->deadline)
        break;
      place (self, at (self, child), index);
      index = child;
    }
  place (self, entry, index);
}

void
tsr_timer_heap_remove (TsrTimerHeap      *self,
                       TsrTimerHeapEntry *entry)
{
  TsrTimerHeapEntry *last;
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (entry != NULL);

  if (entry->index < 0)
    return;
  index = (guint) entry->index;
  g_return_if_fail (index < self->entries->len && at (self, index) == entry);

  entry->index = -1;
  entry->deadline = TSR_TIMER_HEAP_NEVER;
  last = g_ptr_array_steal_index_fast (self->entries, self->entries->len - 1);
  if (last == entry)
    return;
  place (self, last, index);
  sift_up (self, index);
  sift_down (self, (guint) last->index);
}

void
tsr_timer_heap_set (TsrTimerHeap      *self,
                    TsrTimerHeapEntry *entry,
                    gint64             deadline)
{
  gint64 old;

  g_return_if_fail (self != NULL);
  g_return_if_fail (entry != NULL);

  if (deadline == TSR_TIMER_HEAP_NEVER)
    {
      tsr_timer_heap_remove (self, entry);
      return;
    }
  old = entry->deadline;
  entry->deadline = deadline;
  if (entry->index < 0)
    {
      g_ptr_array_add (self->entries, entry);
      sift_up (self, self->entries->len - 1);
    }
  else if (deadline < old)
    sift_up (self, (guint) entry->index);
  else if (deadline > old)
    sift_down (self, (guint) entry->index);
}

TsrTimerHeapEntry *
tsr_timer_heap_peek (TsrTimerHeap *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->entries->len > 0 ? at (self, 0) : NULL;
}

guint
tsr_timer_heap_get_length (TsrTimerHeap *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}
