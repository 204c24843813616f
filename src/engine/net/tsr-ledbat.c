/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ledbat.c: LEDBAT for one uTP connection (BEP 29, RFC 6817).
 *
 * The delay: each timestamp_difference the peer sends back is the one-way
 * delay of our packets plus the offset between the two clocks. Its least
 * value over the last ten minutes (the base delay) stands for the empty
 * path; what a sample has above it is queue. The base is kept as the
 * least sample of each of the last ten minutes (RFC 6817's BASE_HISTORY;
 * libutp keeps 13, libtorrent 20), so a path that changed, or a clock
 * that drifted, is forgotten within ten minutes. Not two, as BEP 29
 * says: LEDBAT keeps a queue standing near the target, and a queue that
 * never empties for two minutes became the base, the window grew by
 * another target's worth on top of it, and the queue stood at what the
 * send buffer allowed (test-utp-bottleneck saw 145 ms from the third
 * minute on). The queuing delay is the least of the last three samples,
 * which takes out single late packets.
 *
 * The window: each ack moves it by
 *   TSR_LEDBAT_GAIN_BYTES * off_target * bytes_acked / window,
 * off_target = (target - queuing delay) / target (BEP 29), so a whole
 * window acked with no queue adds 3000 bytes, and one acked at twice the
 * target takes 3000 away. Above the target it shrinks faster too, in
 * proportion to itself (see tsr_ledbat_acked). Loss halves it, once per
 * round trip at most; it never goes below one packet.
 *
 * The window grows no further than what was in flight when the ack
 * came plus what it acked (RFC 6817's max_allowed_cwnd, libtorrent's
 * "cwnd saturated"): a sender its application or a rate limit holds
 * back learns nothing about the path, and a window grown past what it
 * sends would fill the queue at once when it has more to send.
 *
 * Slow start: from one packet, 3000 bytes a round trip takes over a
 * hundred round trips to fill a 20 Mbit/s path 40 ms long (100 KB, and
 * 125 KB more for the 50 ms of queue LEDBAT aims at). So, as libtorrent
 * does, the window first grows by what is acked (doubling each round
 * trip), until the queuing delay reaches half the target, a loss, or,
 * after a timeout, half the window before it. A delay sample is a round
 * trip old when it comes back, and slow start has doubled the window
 * since: the queue that window makes is twice the one measured plus the
 * path (ending at 90 ms of queue, slow start left a window of 640 KB in
 * test-utp-bottleneck's simulation of tests/bench/utp.sh's path, and the
 * queue stood at what the 512 KiB send buffer allowed, 145 ms mean and
 * 172 ms at most, while LEDBAT's 3000 bytes a round trip took the
 * window down by 5 KB a second). So ending on delay halves the window,
 * back to the one that made the delay, and LEDBAT's gain takes it from
 * there to the target.
 *
 * Periodic slowdowns (LEDBAT++, draft-irtf-iccrg-ledbat-plus-plus 4.4):
 * the queue LEDBAT keeps near its target never empties while it sends,
 * so after ten minutes the least delay would be that queue's, and
 * LEDBAT would build another target's worth on top (test-utp-bottleneck
 * saw 80 ms after half an hour). Two round trips after slow start ends,
 * the window falls to two packets for two round trips, which lets the
 * queue drain and the base see the empty path, then slow start takes it
 * back to where it was. The next slowdown comes nine times as long after
 * as this one took (the draft's spacing, so that flows beside each other
 * come to drain the queue together), but no sooner than half a minute.
 */
/* Its own domain: G_MESSAGES_DEBUG=tsr-ledbat traces the window once a
 * round trip (what tests/bench/utp.sh part 2 needs to be understood). */
#define G_LOG_DOMAIN "tsr-ledbat"

#include "config.h"

#include "tsr-ledbat.h"

#define MINUTE_US               (60 * G_USEC_PER_SEC)
/* The base delay is the least sample of this many minutes. */
#define N_MINUTES               10
/* The queuing delay is the least of this many recent samples. */
#define N_DELAYS                3
/* Slow start ends once the queue is half the target (its window then
 * halves: see tsr_ledbat_acked). */
#define SLOW_START_EXIT_US      (TSR_LEDBAT_TARGET_US / 2)
/* The most the window shrinks by in a round trip, for delay alone. */
#define MAX_DECREASE            0.5
/* How long a full window lets the window grow. */
#define WINDOW_FULL_GRACE_US    G_USEC_PER_SEC
/* A slowdown holds the window at this many packets for this many round
 * trips, and the next one comes this many times its length later. */
#define SLOWDOWN_PACKETS        2
#define SLOWDOWN_ROUND_TRIPS    2
#define SLOWDOWN_SPACING        9
/* ...but no sooner than this: a slowdown every half minute puts a sample
 * of the empty path into each minute of the base's history, and at the
 * draft's spacing alone, every 4 s on tests/bench/utp.sh's path, the
 * link lost a tenth of its time. */
#define SLOWDOWN_EVERY_US       (30 * G_USEC_PER_SEC)
#define NEVER                   G_MININT64

struct _TsrLedbat
{
  guint    packet_size;
  gdouble  window;               /* bytes, at least packet_size */
  gboolean slow_start;
  gdouble  slow_start_limit;     /* slow start ends at this window */

  gboolean have_delay;
  guint32  base_minute[N_MINUTES];  /* least sample of each minute, a ring */
  guint    minute;                   /* this minute's in base_minute */
  gint64   minute_start;
  guint32  delays[N_DELAYS];     /* queuing delays of the last samples */
  guint    n_delays;
  guint    next_delay;

  guint32  last_sample;          /* for the trace */
  guint32  last_base;
  guint    n_samples;            /* since the last trace line */
  gint64   traced_at;

  gint64   window_full_at;       /* NEVER until the connection says so */
  gint64   last_cut;             /* when loss or a timeout last cut the window */

  gint64   slowdown_at;          /* the next slowdown; NEVER before slow start ends */
  gint64   slowdown_start;       /* the one under way (NEVER: none) */
  gint64   frozen_until;         /* its small window lasts till then */
  gdouble  slowdown_restore;     /* its slow start goes back to this window */

  gboolean have_rtt;
  gint64   rtt;
  gint64   rtt_var;
  gint64   rto;
};

TsrLedbat *
tsr_ledbat_new (guint packet_size)
{
  TsrLedbat *self;

  g_return_val_if_fail (packet_size > 0, NULL);

  self = g_new0 (TsrLedbat, 1);
  self->packet_size = packet_size;
  self->window = packet_size;
  self->slow_start = TRUE;
  self->slow_start_limit = G_MAXDOUBLE;
  self->window_full_at = NEVER;
  self->last_cut = NEVER;
  self->traced_at = NEVER;
  self->slowdown_at = NEVER;
  self->slowdown_start = NEVER;
  self->frozen_until = NEVER;
  self->rto = TSR_LEDBAT_INITIAL_RTO_US;
  return self;
}

void
tsr_ledbat_free (TsrLedbat *self)
{
  g_free (self);
}

void
tsr_ledbat_set_packet_size (TsrLedbat *self,
                            guint      packet_size)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (packet_size > 0);

  self->packet_size = packet_size;
  self->window = MAX (self->window, packet_size);
}

/* The samples wrap at 32 bits: @a is less than @b when going up from @a
 * reaches @b sooner than going down (libutp's comparison). */
static gboolean
wrapping_less (guint32 a,
               guint32 b)
{
  return (guint32) (b - a) < (guint32) (a - b);
}

static guint32
wrapping_min (guint32 a,
              guint32 b)
{
  return wrapping_less (b, a) ? b : a;
}

void
tsr_ledbat_add_delay_sample (TsrLedbat *self,
                             guint32    timestamp_difference_us,
                             gint64     now_us)
{
  guint32 sample = timestamp_difference_us;
  guint32 base;
  guint i;

  g_return_if_fail (self != NULL);

  /* BEP 29: 0 until the peer has measured anything. */
  if (sample == 0)
    return;

  if (!self->have_delay || now_us - self->minute_start >= N_MINUTES * MINUTE_US)
    {
      /* Nothing heard for ten minutes: the old minima are all stale. */
      for (i = 0; i < N_MINUTES; i++)
        self->base_minute[i] = sample;
      self->minute_start = now_us;
      self->have_delay = TRUE;
    }
  /* A new minute for each one begun since (a minute without samples
   * starts at this one: it is no less than the base). */
  while (now_us - self->minute_start >= MINUTE_US)
    {
      self->minute = (self->minute + 1) % N_MINUTES;
      self->base_minute[self->minute] = sample;
      self->minute_start += MINUTE_US;
    }
  self->base_minute[self->minute] = wrapping_min (self->base_minute[self->minute], sample);

  /* The base is at most this sample, so the difference cannot wrap. */
  base = sample;
  for (i = 0; i < N_MINUTES; i++)
    base = wrapping_min (base, self->base_minute[i]);
  self->last_sample = sample;
  self->last_base = base;
  self->n_samples++;
  self->delays[self->next_delay] = sample - base;
  self->next_delay = (self->next_delay + 1) % N_DELAYS;
  self->n_delays = MIN (self->n_delays + 1, N_DELAYS);
}

gint64
tsr_ledbat_get_queuing_delay (TsrLedbat *self)
{
  guint32 least = G_MAXUINT32;
  guint i;

  g_return_val_if_fail (self != NULL, -1);

  if (self->n_delays == 0)
    return -1;
  for (i = 0; i < self->n_delays; i++)
    least = MIN (least, self->delays[i]);
  return least;
}

void
tsr_ledbat_note_window_full (TsrLedbat *self,
                             gint64     now_us)
{
  g_return_if_fail (self != NULL);

  self->window_full_at = now_us;
}

/* One debug line a round trip (each 100 ms before the first RTT sample). */
static void
trace (TsrLedbat  *self,
       const char *event,
       gsize       flight_size,
       gint64      now_us)
{
  gint64 every = self->have_rtt ? self->rtt : 100 * 1000;

  /* Acks are many: one line a round trip; the rest always. */
  if (self->traced_at != NEVER && now_us - self->traced_at < every && g_str_equal (event, "ack"))
    return;
  g_debug ("%" G_GINT64_FORMAT " ms %s: sample %u base %u queuing %" G_GINT64_FORMAT " us (%u samples); window %.0f flight %zu%s; "
           "rtt %" G_GINT64_FORMAT " us", now_us / 1000, event, self->last_sample, self->last_base,
           tsr_ledbat_get_queuing_delay (self), self->n_samples, self->window, flight_size,
           self->slow_start ? " slow start" : "", self->rtt);
  self->traced_at = now_us;
  self->n_samples = 0;
}

static gint64
round_trip (TsrLedbat *self)
{
  /* Before the first sample the initial timeout stands in. */
  return self->have_rtt ? self->rtt : TSR_LEDBAT_INITIAL_RTO_US;
}

/* Slow start ended at @now_us: the first one schedules the first
 * slowdown, a slowdown's schedules the next, nine times its length on. */
static void
slow_start_ended (TsrLedbat *self,
                  gint64     now_us)
{
  if (self->slowdown_start != NEVER)
    {
      self->slowdown_at = now_us + MAX (SLOWDOWN_SPACING * (now_us - self->slowdown_start), SLOWDOWN_EVERY_US);
      self->slowdown_start = NEVER;
    }
  else if (self->slowdown_at == NEVER)
    self->slowdown_at = now_us + 2 * round_trip (self);
}

/* TRUE while a slowdown holds the window small (the ack moves nothing). */
static gboolean
slowdown (TsrLedbat *self,
          gint64     now_us)
{
  if (self->frozen_until != NEVER)
    {
      if (now_us < self->frozen_until)
        return TRUE;
      /* Back to the window before, by slow start (which ends early, as
       * always, if the queue rises). */
      self->frozen_until = NEVER;
      self->slow_start = TRUE;
      self->slow_start_limit = MAX (self->slowdown_restore, self->window);
      return FALSE;
    }
  if (self->slow_start || self->slowdown_at == NEVER || now_us < self->slowdown_at)
    return FALSE;
  self->slowdown_at = NEVER;
  self->slowdown_start = now_us;
  self->slowdown_restore = self->window;
  self->window = MIN (self->window, (gdouble) SLOWDOWN_PACKETS * self->packet_size);
  self->frozen_until = now_us + SLOWDOWN_ROUND_TRIPS * round_trip (self);
  trace (self, "slowdown", 0, now_us);
  return TRUE;
}

void
tsr_ledbat_acked (TsrLedbat *self,
                  gsize      bytes_acked,
                  gsize      flight_size,
                  gint64     now_us)
{
  gint64 queuing;
  gboolean may_grow;
  gdouble acked;
  gdouble off_target;
  gdouble gain;
  gdouble window;

  g_return_if_fail (self != NULL);

  /* No delay measured yet: nothing to steer by. */
  queuing = tsr_ledbat_get_queuing_delay (self);
  if (queuing < 0 || bytes_acked == 0)
    return;
  if (slowdown (self, now_us))
    return;

  /* One ack counts for at most a whole window, as in libutp: a late
   * cumulative ack for many packets must not move it further. */
  acked = MIN ((gdouble) bytes_acked, self->window);
  off_target = (gdouble) (TSR_LEDBAT_TARGET_US - queuing) / TSR_LEDBAT_TARGET_US;
  gain = TSR_LEDBAT_GAIN_BYTES * off_target * acked / self->window;
  /* Above the target, the window also shrinks in proportion to itself,
   * by (queuing / target - 1) of it a round trip, half at most
   * (LEDBAT++, draft-irtf-iccrg-ledbat-plus-plus): BEP 29's 3000 bytes
   * a round trip alone would take a minute to make room in a 300 KB
   * window for a TCP flow that fills the queue. */
  if (off_target < 0)
    gain = MIN (gain, -acked * MIN (-off_target, MAX_DECREASE));
  may_grow = self->window_full_at != NEVER && now_us - self->window_full_at <= WINDOW_FULL_GRACE_US;
  if (gain > 0 && !may_grow)
    gain = 0;
  window = self->window + gain;

  if (self->slow_start)
    {
      if (queuing >= SLOW_START_EXIT_US)
        {
          /* This delay is a round trip old, and slow start has doubled
           * the window since: the half is the window that made it. */
          self->slow_start = FALSE;
          window = MIN (window, self->window / 2);
          slow_start_ended (self, now_us);
        }
      else if (may_grow)
        {
          gdouble doubling = self->window + acked;

          if (doubling >= self->slow_start_limit)
            {
              doubling = self->slow_start_limit;
              self->slow_start = FALSE;
              slow_start_ended (self, now_us);
            }
          window = MAX (window, doubling);
        }
    }
  /* RFC 6817: cwnd = min (cwnd, flightsize + ALLOWED_INCREASE * MSS),
   * with what this ack took out as the increase slow start needs; as
   * libtorrent does, only growth is held back, the window is not cut. */
  if (window > self->window)
    window = MIN (window, MAX (self->window, (gdouble) flight_size + acked));
  self->window = MAX (window, self->packet_size);
  trace (self, "ack", flight_size, now_us);
}

gboolean
tsr_ledbat_lost (TsrLedbat *self,
                 gint64     now_us)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* The losses of one window are one congestion event. */
  if (self->last_cut != NEVER && now_us - self->last_cut < round_trip (self))
    return FALSE;

  /* BEP 29: "multiplied by 0.5 to mimic TCP". */
  self->window = MAX (self->window / 2, self->packet_size);
  if (self->slow_start)
    slow_start_ended (self, now_us);
  self->slow_start = FALSE;
  self->slow_start_limit = self->window;
  self->last_cut = now_us;
  trace (self, "loss", 0, now_us);
  return TRUE;
}

void
tsr_ledbat_timed_out (TsrLedbat *self,
                      gint64     now_us)
{
  g_return_if_fail (self != NULL);

  self->slow_start_limit = MAX (self->window / 2, 2.0 * self->packet_size);
  self->slow_start = TRUE;
  self->window = self->packet_size;
  self->last_cut = now_us;
  trace (self, "timeout", 0, now_us);
  /* BEP 29: doubled for each timeout in a row; the next RTT sample sets
   * it from the formula again. */
  self->rto = MIN (self->rto * 2, TSR_LEDBAT_MAX_RTO_US);
}

void
tsr_ledbat_add_rtt_sample (TsrLedbat *self,
                           gint64     rtt_us)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (rtt_us >= 0);

  rtt_us = MIN (rtt_us, TSR_LEDBAT_MAX_RTO_US);
  /* RFC 6298 2.2 and 2.3, as BEP 29 gives them: alpha 1/8, beta 1/4. */
  if (!self->have_rtt)
    {
      self->rtt = rtt_us;
      self->rtt_var = rtt_us / 2;
      self->have_rtt = TRUE;
    }
  else
    {
      gint64 delta = self->rtt - rtt_us;

      self->rtt_var = (3 * self->rtt_var + ABS (delta)) / 4;
      self->rtt = (7 * self->rtt + rtt_us) / 8;
    }
  /* BEP 29: max(rtt + 4 * rtt_var, 500 ms). */
  self->rto = CLAMP (self->rtt + 4 * self->rtt_var, TSR_LEDBAT_MIN_RTO_US, TSR_LEDBAT_MAX_RTO_US);
}

gsize
tsr_ledbat_get_window (TsrLedbat *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (gsize) self->window;
}

gint64
tsr_ledbat_get_rto (TsrLedbat *self)
{
  g_return_val_if_fail (self != NULL, TSR_LEDBAT_INITIAL_RTO_US);

  return self->rto;
}

gint64
tsr_ledbat_get_rtt (TsrLedbat *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rtt;
}

gint64
tsr_ledbat_get_rtt_var (TsrLedbat *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rtt_var;
}

gboolean
tsr_ledbat_in_slow_start (TsrLedbat *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->slow_start;
}
