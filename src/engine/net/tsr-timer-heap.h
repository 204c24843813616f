/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-timer-heap.h: many deadlines and the earliest of them, for one
 * timer that serves many state machines (the uTP connections of a
 * socket). A binary min-heap whose entries live in their owners and know
 * their place, so moving or removing one is O(log n) without a search.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_TIMER_HEAP_NEVER G_MAXINT64

/* Embedded in its owner; zero it, then tsr_timer_heap_entry_init(). */
typedef struct
{
  gint64   deadline;  /* TSR_TIMER_HEAP_NEVER outside the heap */
  gint     index;     /* -1 outside the heap */
  gpointer data;      /* the owner */
} TsrTimerHeapEntry;

typedef struct _TsrTimerHeap TsrTimerHeap;

TsrTimerHeap      *tsr_timer_heap_new        (void);
/* The entries are the owners': none is touched. */
void               tsr_timer_heap_free       (TsrTimerHeap      *self);
void               tsr_timer_heap_entry_init (TsrTimerHeapEntry *entry,
                                              gpointer           data);
/* Puts @entry at @deadline: in, moved, or out for TSR_TIMER_HEAP_NEVER. */
void               tsr_timer_heap_set        (TsrTimerHeap      *self,
                                              TsrTimerHeapEntry *entry,
                                              gint64             deadline);
void               tsr_timer_heap_remove     (TsrTimerHeap      *self,
                                              TsrTimerHeapEntry *entry);
/* (nullable) The earliest entry. */
TsrTimerHeapEntry *tsr_timer_heap_peek       (TsrTimerHeap      *self);
guint              tsr_timer_heap_get_length (TsrTimerHeap      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTimerHeap, tsr_timer_heap_free)

G_END_DECLS
