/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed.c: the alternative speed limits' schedule over GSettings
 * (see the .h); the schedule's arithmetic and its timer are the
 * engine's (tsr-alt-speed-schedule.c).
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-alt-speed.h"

#define MINUTES_PER_DAY TSR_ALT_SPEED_MINUTES_PER_DAY

void
tsr_alt_speed_schedule_load (TsrAltSpeedSchedule *schedule,
                             GSettings           *settings)
{
  schedule->enabled = g_settings_get_boolean (settings, "alt-speed-time-enabled");
  schedule->begin = MIN (g_settings_get_uint (settings, "alt-speed-time-begin"), MINUTES_PER_DAY - 1);
  schedule->end = MIN (g_settings_get_uint (settings, "alt-speed-time-end"), MINUTES_PER_DAY - 1);
  schedule->days = g_settings_get_uint (settings, "alt-speed-time-day") & TSR_ALT_SPEED_EVERY_DAY;
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
  TsrAltSpeedTimer *timer;        /* (owned) */
};

G_DEFINE_FINAL_TYPE (TsrAltSpeed, tsr_alt_speed, G_TYPE_OBJECT)

static void
apply (gboolean on,
       gpointer user_data)
{
  TsrAltSpeed *self = user_data;

  g_settings_set_boolean (self->settings, "alt-speed-enabled", on);
}

void
tsr_alt_speed_check (TsrAltSpeed *self)
{
  g_return_if_fail (TSR_IS_ALT_SPEED (self));
  tsr_alt_speed_timer_check (self->timer);
}

/* The schedule changed: it applies at once, as a new one. */
static void
on_schedule_changed (GSettings   *settings,
                     const char  *key,
                     TsrAltSpeed *self)
{
  TsrAltSpeedSchedule schedule;

  if (!g_str_has_prefix (key, "alt-speed-time-"))
    return;
  tsr_alt_speed_schedule_load (&schedule, self->settings);
  tsr_alt_speed_timer_set_schedule (self->timer, &schedule);
}

static void
tsr_alt_speed_dispose (GObject *object)
{
  TsrAltSpeed *self = TSR_ALT_SPEED (object);

  g_clear_pointer (&self->timer, tsr_alt_speed_timer_free);
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
}

TsrAltSpeed *
tsr_alt_speed_new (GSettings        *settings,
                   TsrAltSpeedClock  clock,
                   gpointer          clock_data)
{
  TsrAltSpeed *self = g_object_new (TSR_TYPE_ALT_SPEED, NULL);
  TsrAltSpeedSchedule schedule;

  self->settings = g_object_ref (settings);
  self->timer = tsr_alt_speed_timer_new (clock, clock_data, apply, self);
  g_signal_connect (settings, "changed", G_CALLBACK (on_schedule_changed), self);
  tsr_alt_speed_schedule_load (&schedule, settings);
  tsr_alt_speed_timer_set_schedule (self->timer, &schedule);
  return self;
}
