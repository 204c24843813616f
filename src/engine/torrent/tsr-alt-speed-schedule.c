/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed-schedule.c: the alternative speed limits' schedule (see
 * the .h). A period begins at @begin on each chosen day and lasts until
 * @end, on the next day when @end is at or before @begin (Transmission's
 * turtleUpdateTable: begin == end is a whole day). The state can only
 * change when the local wall clock reaches @begin or @end, so the next
 * edge is found by jumping from one of those minutes to the next, minute
 * by minute only across a change of UTC offset (daylight saving time),
 * where the wall clock skips or repeats an hour.
 */
#define G_LOG_DOMAIN "tsr-alt-speed"

#include "config.h"

#include "tsr-alt-speed-schedule.h"

#define MINUTES_PER_DAY TSR_ALT_SPEED_MINUTES_PER_DAY
/* Looked at at least this often: monotonic timers stop in a suspend. */
#define MAX_CHECK_INTERVAL_MS 60000

gboolean
tsr_alt_speed_schedule_is_on (const TsrAltSpeedSchedule *schedule,
                              GDateTime                 *when)
{
  /* GDateTime: 1 is Monday … 7 Sunday; the bitmask starts on Sunday. */
  guint today = (guint) g_date_time_get_day_of_week (when) % 7;
  guint yesterday = (today + 6) % 7;
  guint minute = (guint) (g_date_time_get_hour (when) * 60 + g_date_time_get_minute (when));

  if (!schedule->enabled)
    return FALSE;
  if (schedule->begin < schedule->end)
    return (schedule->days & (1u << today)) != 0 && minute >= schedule->begin && minute < schedule->end;
  /* Wrapping past midnight: today's period from begin, yesterday's until end. */
  return ((schedule->days & (1u << today)) != 0 && minute >= schedule->begin) ||
         ((schedule->days & (1u << yesterday)) != 0 && minute < schedule->end);
}

/* Minutes from wall-clock minute @minute until it next reads @target (1 … 1440). */
static guint
minutes_until (guint minute,
               guint target)
{
  guint ahead = (target + MINUTES_PER_DAY - minute) % MINUTES_PER_DAY;

  return ahead == 0 ? MINUTES_PER_DAY : ahead;
}

GDateTime *
tsr_alt_speed_schedule_next_edge (const TsrAltSpeedSchedule *schedule,
                                  GDateTime                 *now)
{
  gboolean state = tsr_alt_speed_schedule_is_on (schedule, now);
  g_autoptr(GDateTime) horizon = g_date_time_add_days (now, 8);
  g_autoptr(GDateTime) t = NULL;

  if (!schedule->enabled)
    return NULL;
  /* The schedule counts whole minutes. */
  t = g_date_time_add (now, -(g_date_time_get_second (now) * G_TIME_SPAN_SECOND +
                              g_date_time_get_microsecond (now)));
  while (g_date_time_compare (t, horizon) < 0)
    {
      guint minute = (guint) (g_date_time_get_hour (t) * 60 + g_date_time_get_minute (t));
      guint ahead = MIN (minutes_until (minute, schedule->begin), minutes_until (minute, schedule->end));
      g_autoptr(GDateTime) next = g_date_time_add_minutes (t, (int) ahead);

      /* The offset changes on the way: the wall clock does not move as
       * real time does there, so walk it a minute at a time. */
      if (g_date_time_get_utc_offset (next) != g_date_time_get_utc_offset (t))
        {
          g_clear_pointer (&next, g_date_time_unref);
          next = g_date_time_add_minutes (t, 1);
        }
      g_date_time_unref (t);
      t = g_steal_pointer (&next);
      if (tsr_alt_speed_schedule_is_on (schedule, t) != state)
        return g_steal_pointer (&t);
    }
  return NULL;
}

gboolean
tsr_alt_speed_schedule_equal (const TsrAltSpeedSchedule *a,
                              const TsrAltSpeedSchedule *b)
{
  if (!a->enabled || !b->enabled)
    return !a->enabled && !b->enabled;
  return a->begin == b->begin && a->end == b->end && a->days == b->days;
}

/* ------------------------------------------------------------------ */
/* Following the schedule                                              */

struct _TsrAltSpeedTimer
{
  TsrAltSpeedSchedule schedule;
  TsrAltSpeedClock    clock;
  gpointer            clock_data;
  TsrAltSpeedApply    apply;
  gpointer            user_data;
  int                 applied;      /* what the schedule last set (0, 1), -1: nothing yet */
  guint               timer;
};

static GDateTime *
local_clock (gpointer unused)
{
  return g_date_time_new_now_local ();
}

TsrAltSpeedTimer *
tsr_alt_speed_timer_new (TsrAltSpeedClock clock,
                         gpointer         clock_data,
                         TsrAltSpeedApply apply,
                         gpointer         user_data)
{
  TsrAltSpeedTimer *self = g_new0 (TsrAltSpeedTimer, 1);

  g_return_val_if_fail (apply != NULL, NULL);
  self->clock = clock != NULL ? clock : local_clock;
  self->clock_data = clock_data;
  self->apply = apply;
  self->user_data = user_data;
  self->applied = -1;
  return self;
}

void
tsr_alt_speed_timer_free (TsrAltSpeedTimer *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  g_free (self);
}

static gboolean
on_timer (gpointer user_data)
{
  TsrAltSpeedTimer *self = user_data;

  self->timer = 0;
  tsr_alt_speed_timer_check (self);
  return G_SOURCE_REMOVE;
}

void
tsr_alt_speed_timer_check (TsrAltSpeedTimer *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) edge = NULL;
  gint64 delay_ms = MAX_CHECK_INTERVAL_MS;
  int on;

  g_return_if_fail (self != NULL);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (!self->schedule.enabled)
    {
      self->applied = -1;
      return;
    }
  now = self->clock (self->clock_data);
  /* Only at an edge (or when the schedule itself changed): a toggle by
   * hand in between holds until the next one, as in Transmission. */
  on = tsr_alt_speed_schedule_is_on (&self->schedule, now) ? 1 : 0;
  if (on != self->applied)
    {
      self->applied = on;
      self->apply (on, self->user_data);
    }
  edge = tsr_alt_speed_schedule_next_edge (&self->schedule, now);
  if (edge != NULL)
    /* Half a second past it, so that the edge has been reached. */
    delay_ms = CLAMP (g_date_time_difference (edge, now) / 1000 + 500, 500, MAX_CHECK_INTERVAL_MS);
  self->timer = g_timeout_add ((guint) delay_ms, on_timer, self);
}

void
tsr_alt_speed_timer_set_schedule (TsrAltSpeedTimer          *self,
                                  const TsrAltSpeedSchedule *schedule)
{
  g_return_if_fail (self != NULL);
  self->schedule = *schedule;
  self->schedule.begin = MIN (self->schedule.begin, MINUTES_PER_DAY - 1);
  self->schedule.end = MIN (self->schedule.end, MINUTES_PER_DAY - 1);
  self->schedule.days &= TSR_ALT_SPEED_EVERY_DAY;
  self->applied = -1;
  tsr_alt_speed_timer_check (self);
}

const TsrAltSpeedSchedule *
tsr_alt_speed_timer_get_schedule (TsrAltSpeedTimer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->schedule;
}
