/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dial-delay.c: the fallback delay of tsr-dial-delay.h. The samples
 * are a ring of the latest uTP connect times; the percentile is taken
 * from a sorted copy when asked (32 numbers, once per dial).
 */
#define G_LOG_DOMAIN "tsr-dialer"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tsr-dht-id.h"
#include "tsr-dial-delay.h"

struct _TsrDialDelay
{
  gint64 samples[TSR_DIAL_DELAY_SAMPLES];   /* µs, a ring */
  guint  n_samples;
  guint  next;                              /* where the next sample goes */
  guint  tcp_streak;
};

TsrDialDelay *
tsr_dial_delay_new (void)
{
  return g_new0 (TsrDialDelay, 1);
}

void
tsr_dial_delay_free (TsrDialDelay *self)
{
  g_free (self);
}

gboolean
tsr_dial_delay_is_local (const TsrPeerAddress *address)
{
  /* BEP 42's list of exempt blocks is this one. */
  return tsr_dht_address_is_local (address);
}

void
tsr_dial_delay_utp_connected (TsrDialDelay         *self,
                              const TsrPeerAddress *address,
                              gint64                connect_us)
{
  g_return_if_fail (self != NULL);

  if (tsr_dial_delay_is_local (address))
    return;
  self->samples[self->next] = MAX (connect_us, 0);
  self->next = (self->next + 1) % TSR_DIAL_DELAY_SAMPLES;
  self->n_samples = MIN (self->n_samples + 1, TSR_DIAL_DELAY_SAMPLES);
  self->tcp_streak = 0;
}

void
tsr_dial_delay_tcp_won (TsrDialDelay         *self,
                        const TsrPeerAddress *address)
{
  g_return_if_fail (self != NULL);

  if (!tsr_dial_delay_is_local (address))
    self->tcp_streak++;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

guint
tsr_dial_delay_get_ms (TsrDialDelay         *self,
                       const TsrPeerAddress *address)
{
  guint ms = TSR_DIAL_DELAY_DEFAULT_MS;

  g_return_val_if_fail (self != NULL, TSR_DIAL_DELAY_DEFAULT_MS);

  if (tsr_dial_delay_is_local (address))
    return TSR_DIAL_DELAY_LOCAL_MS;
  if (self->n_samples > 0)
    {
      gint64 sorted[TSR_DIAL_DELAY_SAMPLES];
      /* The 90th percentile, nearest rank: ceil (0.9 n) - 1. */
      guint rank = (9 * self->n_samples + 9) / 10 - 1;
      gint64 p90_ms;

      memcpy (sorted, self->samples, self->n_samples * sizeof sorted[0]);
      qsort (sorted, self->n_samples, sizeof sorted[0], compare_gint64);
      p90_ms = (sorted[rank] + 999) / 1000;
      ms = (guint) CLAMP (2 * p90_ms, TSR_DIAL_DELAY_MIN_MS, TSR_DIAL_DELAY_MAX_MS);
    }
  if (self->tcp_streak >= TSR_DIAL_DELAY_STREAK)
    ms = MAX (ms / 2, TSR_DIAL_DELAY_STREAK_MIN_MS);
  return ms;
}

guint
tsr_dial_delay_get_tcp_streak (TsrDialDelay *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->tcp_streak;
}
