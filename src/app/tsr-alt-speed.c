/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed.c: the alternative speed limits' schedule (see the .h).
 * A period begins at @begin on each chosen day and lasts until @end, on
 * the next day when @end is at or before @begin (Transmission's
 * turtleUpdateTable: begin == end is a whole day). The state can only
 * change when the local wall clock reaches @begin or @end, so the next
 * edge is found by jumping from one of those minutes to the next, minute
 * by minute only across a change of UTC offset (daylight saving time),
 * where the wall clock skips or repeats an hour.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-alt-speed.h"

#define MINUTES_PER_DAY 1440
/* Looked at at least this often: monotonic timers stop in a suspend. */
#define MAX_CHECK_INTERVAL_MS 60000

void
tsr_alt_speed_schedule_load (TsrAltSpeedSchedule *schedule,
                             GSettings           *settings)
{
  schedule->enabled = g_settings_get_boolean (settings, "alt-speed-time-enabled");
  schedule->begin = MIN (g_settings_get_uint (settings, "alt-speed-time-begin"), MINUTES_PER_DAY - 1);
  schedule->end = MIN (g_settings_get_uint (settings, "alt-speed-time-end"), MINUTES_PER_DAY - 1);
  schedule->days = g_settings_get_uint (settings, "alt-speed-time-day") & TSR_ALT_SPEED_EVERY_DAY;
}

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

void
tsr_alt_speed_get_limits (GSettings *settings,
                          guint64   *up,
                          guint64   *down)
{
  gboolean alt = g_settings_get_boolean (settings, "alt-speed-enabled");

  *up = (guint64) g_settings_get_uint (settings, alt ? "alt-speed-up" : "upload-rate-limit") * 1024;
  *down = (guint64) g_settings_get_uint (settings, alt ? "alt-speed-down" : "download-rate-limit") * 1024;
}

char *
tsr_alt_speed_format_status (guint down_kib,
                             guint up_kib)
{
  /* TRANSLATORS: a rate limit, in KiB per second */
  g_autofree char *down = down_kib > 0 ? g_strdup_printf (_("%u KiB/s"), down_kib) : g_strdup (_("no limit"));
  g_autofree char *up = up_kib > 0 ? g_strdup_printf (_("%u KiB/s"), up_kib) : g_strdup (_("no limit"));

  /* TRANSLATORS: in the status line, when the alternative (slower) speed
   * limits are on: "Alternative speed limits: 50 KiB/s down, 20 KiB/s up" */
  return g_strdup_printf (_("Alternative speed limits: %s down, %s up"), down, up);
}

/* ------------------------------------------------------------------ */
/* Following the schedule                                              */

struct _TsrAltSpeed
{
  GObject           parent_instance;
  GSettings        *settings;     /* (owned) */
  TsrAltSpeedClock  clock;
  gpointer          clock_data;
  int               applied;      /* what the schedule last set (0, 1), -1: nothing yet */
  guint             timer;
};

G_DEFINE_FINAL_TYPE (TsrAltSpeed, tsr_alt_speed, G_TYPE_OBJECT)

static GDateTime *
local_clock (gpointer unused)
{
  return g_date_time_new_now_local ();
}

static gboolean
on_timer (gpointer user_data)
{
  TsrAltSpeed *self = user_data;

  self->timer = 0;
  tsr_alt_speed_check (self);
  return G_SOURCE_REMOVE;
}

void
tsr_alt_speed_check (TsrAltSpeed *self)
{
  TsrAltSpeedSchedule schedule;
  g_autoptr(GDateTime) now = self->clock (self->clock_data);
  g_autoptr(GDateTime) edge = NULL;
  gint64 delay_ms = MAX_CHECK_INTERVAL_MS;
  int on;

  g_return_if_fail (TSR_IS_ALT_SPEED (self));
  g_clear_handle_id (&self->timer, g_source_remove);
  tsr_alt_speed_schedule_load (&schedule, self->settings);
  if (!schedule.enabled)
    {
      self->applied = -1;
      return;
    }
  /* Only at an edge (or when the schedule itself changed): a toggle by
   * hand in between holds until the next one, as in Transmission. */
  on = tsr_alt_speed_schedule_is_on (&schedule, now) ? 1 : 0;
  if (on != self->applied)
    {
      self->applied = on;
      g_settings_set_boolean (self->settings, "alt-speed-enabled", on);
    }
  edge = tsr_alt_speed_schedule_next_edge (&schedule, now);
  if (edge != NULL)
    /* Half a second past it, so that the edge has been reached. */
    delay_ms = CLAMP (g_date_time_difference (edge, now) / 1000 + 500, 500, MAX_CHECK_INTERVAL_MS);
  self->timer = g_timeout_add ((guint) delay_ms, on_timer, self);
}

/* The schedule changed: it applies at once, as a new one. */
static void
on_schedule_changed (GSettings   *settings,
                     const char  *key,
                     TsrAltSpeed *self)
{
  if (!g_str_has_prefix (key, "alt-speed-time-"))
    return;
  self->applied = -1;
  tsr_alt_speed_check (self);
}

static void
tsr_alt_speed_dispose (GObject *object)
{
  TsrAltSpeed *self = TSR_ALT_SPEED (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (tsr_alt_speed_parent_class)->dispose (object);
}

static void
tsr_alt_speed_class_init (TsrAltSpeedClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_alt_speed_dispose;
}

static void
tsr_alt_speed_init (TsrAltSpeed *self)
{
  self->applied = -1;
}

TsrAltSpeed *
tsr_alt_speed_new (GSettings        *settings,
                   TsrAltSpeedClock  clock,
                   gpointer          clock_data)
{
  TsrAltSpeed *self = g_object_new (TSR_TYPE_ALT_SPEED, NULL);

  self->settings = g_object_ref (settings);
  self->clock = clock != NULL ? clock : local_clock;
  self->clock_data = clock_data;
  g_signal_connect (settings, "changed", G_CALLBACK (on_schedule_changed), self);
  tsr_alt_speed_check (self);
  return self;
}
