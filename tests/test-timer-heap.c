/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-timer-heap.c: the heap against a plain array: random deadlines
 * set, moved, removed and popped, the earliest always the least of the
 * array's, and every entry's index where the heap keeps it.
 */
#include "config.h"

#include <glib.h>

#include "tsr-timer-heap.h"

#define N_ENTRIES 200

static gint64
least (TsrTimerHeapEntry *entries)
{
  gint64 min = TSR_TIMER_HEAP_NEVER;
  guint i;

  for (i = 0; i < N_ENTRIES; i++)
    min = MIN (min, entries[i].deadline);
  return min;
}

static void
test_random_operations (void)
{
  g_autoptr(TsrTimerHeap) heap = tsr_timer_heap_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (22);
  TsrTimerHeapEntry entries[N_ENTRIES];
  guint in_heap = 0;
  guint step;
  guint i;

  for (i = 0; i < N_ENTRIES; i++)
    tsr_timer_heap_entry_init (&entries[i], GUINT_TO_POINTER (i));
  g_assert_null (tsr_timer_heap_peek (heap));

  for (step = 0; step < 20000; step++)
    {
      TsrTimerHeapEntry *entry = &entries[g_rand_int_range (rand, 0, N_ENTRIES)];
      TsrTimerHeapEntry *first;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          tsr_timer_heap_remove (heap, entry);
          break;
        case 1:
          /* The earliest goes, as a timer that ran takes it out. */
          first = tsr_timer_heap_peek (heap);
          if (first != NULL)
            tsr_timer_heap_remove (heap, first);
          break;
        default:
          /* Ties are frequent: 1000 values for 200 entries. */
          tsr_timer_heap_set (heap, entry, g_rand_int_range (rand, 0, 1000));
          break;
        }
      first = tsr_timer_heap_peek (heap);
      g_assert_cmpint (first != NULL ? first->deadline : TSR_TIMER_HEAP_NEVER, ==, least (entries));
      in_heap = 0;
      for (i = 0; i < N_ENTRIES; i++)
        {
          g_assert_cmpint (entries[i].index >= 0, ==, entries[i].deadline != TSR_TIMER_HEAP_NEVER);
          in_heap += entries[i].index >= 0;
          g_assert_cmpuint (GPOINTER_TO_UINT (entries[i].data), ==, i);
        }
      g_assert_cmpuint (tsr_timer_heap_get_length (heap), ==, in_heap);
    }
  g_assert_cmpuint (in_heap, >, 0);

  /* Popped one by one, the deadlines come in order. */
  {
    gint64 last = G_MININT64;
    TsrTimerHeapEntry *first;

    while ((first = tsr_timer_heap_peek (heap)) != NULL)
      {
        g_assert_cmpint (first->deadline, >=, last);
        last = first->deadline;
        tsr_timer_heap_remove (heap, first);
        g_assert_cmpint (first->index, ==, -1);
      }
  }
}

static void
test_never_removes (void)
{
  g_autoptr(TsrTimerHeap) heap = tsr_timer_heap_new ();
  TsrTimerHeapEntry a;
  TsrTimerHeapEntry b;

  tsr_timer_heap_entry_init (&a, NULL);
  tsr_timer_heap_entry_init (&b, NULL);
  tsr_timer_heap_set (heap, &a, 5);
  tsr_timer_heap_set (heap, &b, 7);
  g_assert_true (tsr_timer_heap_peek (heap) == &a);
  tsr_timer_heap_set (heap, &a, 9);
  g_assert_true (tsr_timer_heap_peek (heap) == &b);
  tsr_timer_heap_set (heap, &b, TSR_TIMER_HEAP_NEVER);
  g_assert_cmpint (b.index, ==, -1);
  g_assert_cmpuint (tsr_timer_heap_get_length (heap), ==, 1);
  g_assert_true (tsr_timer_heap_peek (heap) == &a);
  tsr_timer_heap_remove (heap, &b);
  g_assert_cmpuint (tsr_timer_heap_get_length (heap), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timer-heap/random-operations", test_random_operations);
  g_test_add_func ("/timer-heap/never-removes", test_never_removes);

  return g_test_run ();
}
