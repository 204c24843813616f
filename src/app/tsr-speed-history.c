/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-speed-history.c: a ring of (down, up) samples (see the .h). Rates
 * are kept as guint32 (4 GB/s is beyond any link we reach; more is
 * clamped), so five minutes cost 2.4 KB.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-speed-history.h"

struct _TsrSpeedHistory
{
  GObject  parent_instance;
  guint32 *down;       /* (owned) capacity entries */
  guint32 *up;         /* (owned) capacity entries */
  guint    capacity;
  guint    start;      /* index of the oldest sample */
  guint    n_samples;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrSpeedHistory, tsr_speed_history, G_TYPE_OBJECT)

static void
tsr_speed_history_finalize (GObject *object)
{
  TsrSpeedHistory *self = TSR_SPEED_HISTORY (object);

  g_free (self->down);
  g_free (self->up);
  G_OBJECT_CLASS (tsr_speed_history_parent_class)->finalize (object);
}

static void
tsr_speed_history_class_init (TsrSpeedHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tsr_speed_history_finalize;
  /* A sample was pushed or the samples were cleared. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
tsr_speed_history_init (TsrSpeedHistory *self)
{
}

TsrSpeedHistory *
tsr_speed_history_new (guint capacity)
{
  TsrSpeedHistory *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (TSR_TYPE_SPEED_HISTORY, NULL);
  self->capacity = capacity;
  self->down = g_new0 (guint32, capacity);
  self->up = g_new0 (guint32, capacity);
  return self;
}

static inline guint32
clamp_rate (guint64 rate)
{
  return rate > G_MAXUINT32 ? G_MAXUINT32 : (guint32) rate;
}

void
tsr_speed_history_push (TsrSpeedHistory *self,
                        guint64          down,
                        guint64          up)
{
  guint slot;

  g_return_if_fail (TSR_IS_SPEED_HISTORY (self));

  if (self->n_samples < self->capacity)
    slot = (self->start + self->n_samples++) % self->capacity;
  else
    {
      slot = self->start;
      self->start = (self->start + 1) % self->capacity;
    }
  self->down[slot] = clamp_rate (down);
  self->up[slot] = clamp_rate (up);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
tsr_speed_history_clear (TsrSpeedHistory *self)
{
  g_return_if_fail (TSR_IS_SPEED_HISTORY (self));

  self->start = 0;
  self->n_samples = 0;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

guint
tsr_speed_history_get_capacity (TsrSpeedHistory *self)
{
  g_return_val_if_fail (TSR_IS_SPEED_HISTORY (self), 0);

  return self->capacity;
}

guint
tsr_speed_history_get_n_samples (TsrSpeedHistory *self)
{
  g_return_val_if_fail (TSR_IS_SPEED_HISTORY (self), 0);

  return self->n_samples;
}

void
tsr_speed_history_get_sample (TsrSpeedHistory *self,
                              guint            index,
                              guint64         *down,
                              guint64         *up)
{
  guint slot;

  g_return_if_fail (TSR_IS_SPEED_HISTORY (self));
  g_return_if_fail (index < self->n_samples);

  slot = (self->start + index) % self->capacity;
  if (down != NULL)
    *down = self->down[slot];
  if (up != NULL)
    *up = self->up[slot];
}

guint64
tsr_speed_history_get_peak (TsrSpeedHistory *self)
{
  guint32 peak = 0;
  guint i;

  g_return_val_if_fail (TSR_IS_SPEED_HISTORY (self), 0);

  for (i = 0; i < self->n_samples; i++)
    {
      guint slot = (self->start + i) % self->capacity;

      peak = MAX (peak, MAX (self->down[slot], self->up[slot]));
    }
  return peak;
}
