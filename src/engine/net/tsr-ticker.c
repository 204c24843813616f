/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ticker.c: an array of registrations and one g_timeout_add_seconds
 * source, present only while there is a registration. A removal only
 * marks its entry; the array is compacted after each round, so that a
 * tick may remove itself or any other during the round.
 */
#define G_LOG_DOMAIN "tsr-ticker"

#include "config.h"

#include "tsr-ticker.h"

struct _TsrTick
{
  TsrTickFunc func;       /* NULL once removed */
  gpointer    user_data;
  guint       period;
  guint       countdown;
};

static GPtrArray *ticks;      /* (element-type TsrTick) (owned) */
static guint      source;
static guint      n_live;

static gboolean
on_second (gpointer unused)
{
  guint n = ticks->len;   /* ticks added during the round wait for the next */
  guint kept = 0;
  guint i;

  for (i = 0; i < n; i++)
    {
      TsrTick *tick = g_ptr_array_index (ticks, i);

      if (tick->func != NULL && --tick->countdown == 0)
        {
          tick->countdown = tick->period;
          tick->func (tick->user_data);
        }
    }
  for (i = 0; i < ticks->len; i++)
    {
      TsrTick *tick = g_ptr_array_index (ticks, i);

      if (tick->func != NULL)
        g_ptr_array_index (ticks, kept++) = tick;
      else
        g_free (tick);
    }
  g_ptr_array_set_size (ticks, kept);
  if (kept > 0)
    return G_SOURCE_CONTINUE;
  source = 0;
  return G_SOURCE_REMOVE;
}

TsrTick *
tsr_ticker_add (guint       period_seconds,
                TsrTickFunc func,
                gpointer    user_data)
{
  TsrTick *tick = g_new0 (TsrTick, 1);

  g_return_val_if_fail (func != NULL, NULL);
  tick->func = func;
  tick->user_data = user_data;
  tick->period = MAX (period_seconds, 1);
  tick->countdown = tick->period;
  if (ticks == NULL)
    ticks = g_ptr_array_new ();
  g_ptr_array_add (ticks, tick);
  n_live++;
  if (source == 0)
    source = g_timeout_add_seconds (1, on_second, NULL);
  return tick;
}

void
tsr_ticker_remove (TsrTick *tick)
{
  if (tick == NULL || tick->func == NULL)
    return;
  /* Freed at the end of the round, out of the array. */
  tick->func = NULL;
  tick->user_data = NULL;
  n_live--;
}

guint
tsr_ticker_get_n_ticks (void)
{
  return n_live;
}
