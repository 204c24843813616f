/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-alt-speed.c: the alternative speed limits' schedule with a fake
 * clock, nothing waited for: a daytime period, one wrapping past
 * midnight on chosen days, every one of the 128 day masks against a
 * minute-by-minute walk through a week, and the two daylight saving
 * changes of Europe/Berlin (the wall clock skips 02:00–03:00 in March and
 * repeats it in October); TsrAltSpeed turns the setting on and off at the
 * edges only, so that a toggle by hand holds until the next edge, and a
 * new schedule applies at once; the session's limits are the alternative
 * ones while they are on; the main window's turtle and status line follow
 * the setting.
 */
#include "config.h"

#include <adwaita.h>

#include "tsr-alt-speed.h"
#include "tsr-app-test-util.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

GResource *tsr_get_resource (void);

static GDateTime *
utc (int year,
     int month,
     int day,
     int hour,
     int minute)
{
  return g_date_time_new_utc (year, month, day, hour, minute, 0);
}

static void
assert_time (GDateTime *time,
             GDateTime *expected)
{
  g_autoptr(GDateTime) time_utc = time != NULL ? g_date_time_to_utc (time) : NULL;
  g_autoptr(GDateTime) expected_utc = g_date_time_to_utc (expected);
  g_autofree char *text = time_utc != NULL ? g_date_time_format_iso8601 (time_utc) : g_strdup ("(never)");
  g_autofree char *expected_text = g_date_time_format_iso8601 (expected_utc);

  g_assert_cmpstr (text, ==, expected_text);
  g_assert_true (g_date_time_equal (time, expected));
}

static gboolean
is_on_at (const TsrAltSpeedSchedule *schedule,
          int                        day,
          int                        hour,
          int                        minute)
{
  /* 2026-06-01 is a Monday. */
  g_autoptr(GDateTime) when = utc (2026, 6, day, hour, minute);

  return tsr_alt_speed_schedule_is_on (schedule, when);
}

static void
test_daytime (void)
{
  TsrAltSpeedSchedule schedule = { TRUE, 9 * 60, 17 * 60, TSR_ALT_SPEED_EVERY_DAY };
  g_autoptr(GDateTime) morning = g_date_time_new_utc (2026, 6, 1, 8, 30, 15.5);
  g_autoptr(GDateTime) nine = utc (2026, 6, 1, 9, 0);
  g_autoptr(GDateTime) noon = utc (2026, 6, 1, 12, 0);
  g_autoptr(GDateTime) five = utc (2026, 6, 1, 17, 0);
  g_autoptr(GDateTime) edge = NULL;

  g_assert_false (is_on_at (&schedule, 1, 8, 59));
  g_assert_true (is_on_at (&schedule, 1, 9, 0));
  g_assert_true (is_on_at (&schedule, 1, 16, 59));
  g_assert_false (is_on_at (&schedule, 1, 17, 0));
  edge = tsr_alt_speed_schedule_next_edge (&schedule, morning);
  assert_time (edge, nine);
  g_clear_pointer (&edge, g_date_time_unref);
  edge = tsr_alt_speed_schedule_next_edge (&schedule, nine);
  assert_time (edge, five);
  g_clear_pointer (&edge, g_date_time_unref);
  edge = tsr_alt_speed_schedule_next_edge (&schedule, noon);
  assert_time (edge, five);

  /* Off: never on, no edge. */
  schedule.enabled = FALSE;
  g_assert_false (is_on_at (&schedule, 1, 12, 0));
  g_assert_null (tsr_alt_speed_schedule_next_edge (&schedule, noon));
  /* Begin == end is a whole day: every day, always on. */
  schedule.enabled = TRUE;
  schedule.end = schedule.begin;
  g_assert_true (is_on_at (&schedule, 3, 4, 0));
  g_assert_null (tsr_alt_speed_schedule_next_edge (&schedule, noon));
}

/* 22:00 until 06:00, begun on Fridays only: Friday night into Saturday. */
static void
test_wraps_midnight (void)
{
  TsrAltSpeedSchedule schedule = { TRUE, 22 * 60, 6 * 60, 1 << 5 };
  g_autoptr(GDateTime) friday_noon = utc (2026, 6, 5, 12, 0);
  g_autoptr(GDateTime) friday_night = utc (2026, 6, 5, 22, 0);
  g_autoptr(GDateTime) friday_late = utc (2026, 6, 5, 23, 30);
  g_autoptr(GDateTime) saturday_six = utc (2026, 6, 6, 6, 0);
  g_autoptr(GDateTime) saturday_morning = utc (2026, 6, 6, 7, 0);
  g_autoptr(GDateTime) next_friday = utc (2026, 6, 12, 22, 0);
  g_autoptr(GDateTime) edge = NULL;

  g_assert_false (is_on_at (&schedule, 5, 21, 59));
  g_assert_true (is_on_at (&schedule, 5, 22, 0));
  g_assert_true (is_on_at (&schedule, 6, 0, 0));
  g_assert_true (is_on_at (&schedule, 6, 5, 59));
  g_assert_false (is_on_at (&schedule, 6, 6, 0));
  /* Saturday is not a day of the schedule, nor Thursday. */
  g_assert_false (is_on_at (&schedule, 6, 22, 30));
  g_assert_false (is_on_at (&schedule, 7, 3, 0));
  g_assert_false (is_on_at (&schedule, 4, 23, 0));
  g_assert_false (is_on_at (&schedule, 5, 3, 0));

  edge = tsr_alt_speed_schedule_next_edge (&schedule, friday_noon);
  assert_time (edge, friday_night);
  g_clear_pointer (&edge, g_date_time_unref);
  edge = tsr_alt_speed_schedule_next_edge (&schedule, friday_late);
  assert_time (edge, saturday_six);
  g_clear_pointer (&edge, g_date_time_unref);
  edge = tsr_alt_speed_schedule_next_edge (&schedule, saturday_morning);
  assert_time (edge, next_friday);
}

/* Each of the 128 day masks, on a daytime and a wrapping period: the
 * chain of next edges through a week is exactly where a walk minute by
 * minute sees the state change. */
static void
test_every_day_mask (void)
{
  static const guint periods[][2] = { { 9 * 60, 17 * 60 }, { 23 * 60, 1 * 60 + 30 } };
  guint mask;
  guint p;

  for (p = 0; p < G_N_ELEMENTS (periods); p++)
    for (mask = 0; mask <= TSR_ALT_SPEED_EVERY_DAY; mask++)
      {
        TsrAltSpeedSchedule schedule = { TRUE, periods[p][0], periods[p][1], mask };
        g_autoptr(GDateTime) t = utc (2026, 6, 1, 0, 0);
        g_autoptr(GDateTime) edge = tsr_alt_speed_schedule_next_edge (&schedule, t);
        gboolean state = tsr_alt_speed_schedule_is_on (&schedule, t);
        guint day;
        guint minute;
        guint changes = 0;

        for (minute = 1; minute <= 7 * 1440; minute++)
          {
            g_autoptr(GDateTime) next = g_date_time_add_minutes (t, 1);
            gboolean now_on;

            g_date_time_unref (t);
            t = g_steal_pointer (&next);
            now_on = tsr_alt_speed_schedule_is_on (&schedule, t);
            if (now_on == state)
              continue;
            changes++;
            state = now_on;
            assert_time (edge, t);
            g_clear_pointer (&edge, g_date_time_unref);
            edge = tsr_alt_speed_schedule_next_edge (&schedule, t);
          }
        /* Each chosen day begins a period and ends it (periods of
         * neighbouring days do not touch here). */
        g_assert_cmpuint (changes, ==, 2 * (guint) __builtin_popcount (mask));
        if (mask == 0)
          g_assert_null (edge);
        /* At noon, the mask's day is on for the daytime period. */
        for (day = 0; day < 7 && p == 0; day++)
          g_assert_cmpint (is_on_at (&schedule, 1 + (int) day, 12, 0), ==, (mask & (1u << ((day + 1) % 7))) != 0);
      }
}

static GDateTime *
berlin (GTimeZone *zone,
        int        month,
        int        day,
        int        hour,
        int        minute)
{
  return g_date_time_new (zone, 2026, month, day, hour, minute, 0);
}

static void
test_daylight_saving (void)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");
  /* In March, 02:00 CET is followed by 03:00 CEST: a period from 02:30
   * begins at 03:00, when the wall clock first reads past 02:30. */
  TsrAltSpeedSchedule spring = { TRUE, 2 * 60 + 30, 7 * 60, TSR_ALT_SPEED_EVERY_DAY };
  /* In October, 03:00 CEST is followed by 02:00 CET: 02:00–03:00 lasts two hours. */
  TsrAltSpeedSchedule autumn = { TRUE, 2 * 60, 3 * 60, TSR_ALT_SPEED_EVERY_DAY };
  g_autoptr(GDateTime) night = NULL;
  g_autoptr(GDateTime) edge = NULL;
  g_autoptr(GDateTime) expected = NULL;
  g_autoptr(GDateTime) second_two = NULL;

  g_assert_nonnull (zone);
  g_assert_cmpstr (g_time_zone_get_identifier (zone), ==, "Europe/Berlin");
  night = berlin (zone, 3, 29, 1, 0);
  edge = tsr_alt_speed_schedule_next_edge (&spring, night);
  expected = utc (2026, 3, 29, 1, 0);   /* 03:00 CEST */
  assert_time (edge, expected);
  g_assert_cmpint (g_date_time_get_hour (edge), ==, 3);
  g_clear_pointer (&expected, g_date_time_unref);
  g_clear_pointer (&night, g_date_time_unref);
  night = g_steal_pointer (&edge);
  edge = tsr_alt_speed_schedule_next_edge (&spring, night);
  expected = utc (2026, 3, 29, 5, 0);   /* 07:00 CEST */
  assert_time (edge, expected);
  g_clear_pointer (&expected, g_date_time_unref);
  g_clear_pointer (&edge, g_date_time_unref);
  g_clear_pointer (&night, g_date_time_unref);

  night = berlin (zone, 10, 25, 1, 0);
  edge = tsr_alt_speed_schedule_next_edge (&autumn, night);
  expected = utc (2026, 10, 25, 0, 0);   /* 02:00 CEST */
  assert_time (edge, expected);
  g_clear_pointer (&expected, g_date_time_unref);
  /* Still on at the second 02:00 (CET), off at 03:00 CET. */
  second_two = utc (2026, 10, 25, 1, 0);
  g_clear_pointer (&night, g_date_time_unref);
  night = g_date_time_to_timezone (second_two, zone);
  g_assert_cmpint (g_date_time_get_hour (night), ==, 2);
  g_assert_true (tsr_alt_speed_schedule_is_on (&autumn, night));
  g_clear_pointer (&edge, g_date_time_unref);
  edge = tsr_alt_speed_schedule_next_edge (&autumn, night);
  expected = utc (2026, 10, 25, 2, 0);   /* 03:00 CET */
  assert_time (edge, expected);
}

/* ------------------------------------------------------------------ */
/* Following the schedule                                              */

static GDateTime *
fake_clock (gpointer user_data)
{
  GDateTime **now = user_data;

  return g_date_time_ref (*now);
}

static void
set_clock (GDateTime **now,
           int         day,
           int         hour,
           int         minute)
{
  g_clear_pointer (now, g_date_time_unref);
  *now = utc (2026, 6, day, hour, minute);
}

static void
test_follows_schedule (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TsrAltSpeed) alt = NULL;
  GDateTime *now = NULL;

  set_clock (&now, 1, 8, 0);
  g_settings_set_uint (settings, "alt-speed-time-begin", 9 * 60);
  g_settings_set_uint (settings, "alt-speed-time-end", 17 * 60);
  g_settings_set_uint (settings, "alt-speed-time-day", TSR_ALT_SPEED_EVERY_DAY);
  g_settings_set_boolean (settings, "alt-speed-enabled", TRUE);
  /* No schedule: the toggle is left alone. */
  alt = tsr_alt_speed_new (settings, fake_clock, &now);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  /* A schedule applies at once: off before nine. */
  g_settings_set_boolean (settings, "alt-speed-time-enabled", TRUE);
  g_assert_false (g_settings_get_boolean (settings, "alt-speed-enabled"));
  set_clock (&now, 1, 9, 0);
  tsr_alt_speed_check (alt);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  /* Off by hand at ten: it holds all day, however often looked at … */
  set_clock (&now, 1, 10, 0);
  g_settings_set_boolean (settings, "alt-speed-enabled", FALSE);
  tsr_alt_speed_check (alt);
  set_clock (&now, 1, 16, 59);
  tsr_alt_speed_check (alt);
  g_assert_false (g_settings_get_boolean (settings, "alt-speed-enabled"));
  /* … and on by hand in the evening holds until the next morning's edge,
   * then the evening's edge turns it off. */
  set_clock (&now, 1, 18, 0);
  tsr_alt_speed_check (alt);
  g_settings_set_boolean (settings, "alt-speed-enabled", TRUE);
  set_clock (&now, 2, 8, 59);
  tsr_alt_speed_check (alt);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  set_clock (&now, 2, 9, 0);
  tsr_alt_speed_check (alt);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  set_clock (&now, 2, 17, 0);
  tsr_alt_speed_check (alt);
  g_assert_false (g_settings_get_boolean (settings, "alt-speed-enabled"));
  /* Moving the end past now is a new schedule: on at once. */
  g_settings_set_uint (settings, "alt-speed-time-end", 18 * 60);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  /* Turning the schedule off leaves the toggle as it is. */
  g_settings_set_boolean (settings, "alt-speed-time-enabled", FALSE);
  set_clock (&now, 2, 19, 0);
  tsr_alt_speed_check (alt);
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));

  g_clear_object (&alt);
  g_date_time_unref (now);
  g_settings_reset (settings, "alt-speed-enabled");
  g_settings_reset (settings, "alt-speed-time-enabled");
  g_settings_reset (settings, "alt-speed-time-begin");
  g_settings_reset (settings, "alt-speed-time-end");
  g_settings_reset (settings, "alt-speed-time-day");
}

/* The session's limits are the alternative ones while they are on. */
static void
test_limits (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  guint64 up = 0;
  guint64 down = 0;

  g_settings_set_uint (settings, "download-rate-limit", 1000);
  g_settings_set_uint (settings, "upload-rate-limit", 0);
  g_settings_set_uint (settings, "alt-speed-down", 50);
  g_settings_set_uint (settings, "alt-speed-up", 20);
  tsr_alt_speed_get_limits (settings, &up, &down);
  g_assert_cmpuint (down, ==, 1000 * 1024);
  g_assert_cmpuint (up, ==, 0);
  g_settings_set_boolean (settings, "alt-speed-enabled", TRUE);
  tsr_alt_speed_get_limits (settings, &up, &down);
  g_assert_cmpuint (down, ==, 50 * 1024);
  g_assert_cmpuint (up, ==, 20 * 1024);
  g_settings_reset (settings, "download-rate-limit");
  g_settings_reset (settings, "upload-rate-limit");
  g_settings_reset (settings, "alt-speed-down");
  g_settings_reset (settings, "alt-speed-up");
  g_settings_reset (settings, "alt-speed-enabled");
}

static void
test_format_status (void)
{
  g_autofree char *both = tsr_alt_speed_format_status (50, 20);
  g_autofree char *unlimited = tsr_alt_speed_format_status (0, 20);

  g_assert_cmpstr (both, ==, "Alternative speed limits: 50 KiB/s down, 20 KiB/s up");
  g_assert_cmpstr (unlimited, ==, "Alternative speed limits: no limit down, 20 KiB/s up");
}

/* ------------------------------------------------------------------ */
/* The window                                                          */

/* The turtle toggles the setting, and the status line says so. */
static void
test_window_turtle (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = g_dir_make_tmp ("tsr-alt-speed-XXXXXX", NULL);
  g_autoptr(TsrLibrary) library = tsr_library_new (dir);
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkToggleButton *turtle = NULL;
  GtkLabel *status = NULL;
  TsrWindow *window;
  guint i;

  g_settings_set_uint (settings, "alt-speed-down", 50);
  g_settings_set_uint (settings, "alt-speed-up", 20);
  window = g_object_new (TSR_TYPE_WINDOW, "library", library, NULL);
  gtk_window_present (GTK_WINDOW (window));
  tsr_app_test_collect (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, buttons);
  for (i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)), "win.alt-speed-enabled") == 0)
      turtle = g_ptr_array_index (buttons, i);
  g_assert_nonnull (turtle);
  tsr_app_test_collect (GTK_WIDGET (window), GTK_TYPE_LABEL, labels);
  for (i = 0; i < labels->len; i++)
    if (g_str_has_prefix (gtk_label_get_text (g_ptr_array_index (labels, i)), "Alternative speed limits"))
      status = g_ptr_array_index (labels, i);
  g_assert_nonnull (status);

  g_assert_false (gtk_toggle_button_get_active (turtle));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_signal_emit_by_name (turtle, "clicked");
  g_assert_true (g_settings_get_boolean (settings, "alt-speed-enabled"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Alternative speed limits: 50 KiB/s down, 20 KiB/s up");
  /* The limits and the schedule's changes show too. */
  g_settings_set_uint (settings, "alt-speed-up", 30);
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Alternative speed limits: 50 KiB/s down, 30 KiB/s up");
  g_settings_set_boolean (settings, "alt-speed-enabled", FALSE);
  g_assert_false (gtk_toggle_button_get_active (turtle));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));

  gtk_window_destroy (GTK_WINDOW (window));
  tsr_library_shutdown (library);
  tsr_test_remove_tree (dir);
  g_settings_reset (settings, "alt-speed-down");
  g_settings_reset (settings, "alt-speed-up");
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/alt-speed/schedule/daytime", test_daytime);
  g_test_add_func ("/alt-speed/schedule/wraps-midnight", test_wraps_midnight);
  g_test_add_func ("/alt-speed/schedule/every-day-mask", test_every_day_mask);
  g_test_add_func ("/alt-speed/schedule/daylight-saving", test_daylight_saving);
  g_test_add_func ("/alt-speed/follows-schedule", test_follows_schedule);
  g_test_add_func ("/alt-speed/limits", test_limits);
  g_test_add_func ("/alt-speed/format-status", test_format_status);
  g_test_add_func ("/alt-speed/window-turtle", test_window_turtle);
  return g_test_run ();
}
