/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed.h: the alternative speed limits' schedule, as Transmission
 * has it (alt-speed-time-begin/end in minutes since local midnight,
 * alt-speed-time-day a bitmask from Sunday): whether a local time is
 * inside it and when it next turns on or off, pure and clock-free; and
 * TsrAltSpeed, which turns the "alt-speed-enabled" setting on and off at
 * the schedule's edges, so that a toggle by hand holds until the next
 * edge.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* alt-speed-time-day: bit 0 is Sunday … bit 6 Saturday. */
#define TSR_ALT_SPEED_SUNDAY    (1 << 0)
#define TSR_ALT_SPEED_SATURDAY  (1 << 6)
#define TSR_ALT_SPEED_WEEKDAYS  0x3e
#define TSR_ALT_SPEED_WEEKENDS  0x41
#define TSR_ALT_SPEED_EVERY_DAY 0x7f

typedef struct
{
  gboolean enabled;   /* whether the schedule runs at all */
  guint    begin;     /* minutes since local midnight, 0 … 1439 */
  guint    end;       /* likewise; at or before begin: until end on the next day */
  guint    days;      /* the days on which the period begins */
} TsrAltSpeedSchedule;

/* Reads the alt-speed-time-* keys of @settings. */
void        tsr_alt_speed_schedule_load      (TsrAltSpeedSchedule       *schedule,
                                              GSettings                 *settings);
/* Whether the local time @when is in one of the schedule's periods. */
gboolean    tsr_alt_speed_schedule_is_on     (const TsrAltSpeedSchedule *schedule,
                                              GDateTime                 *when);
/* The first whole minute after @now at which is_on changes, in @now's
 * time zone (daylight saving time included); NULL when it never does in
 * the next eight days (the schedule is off, always on or never on). */
GDateTime  *tsr_alt_speed_schedule_next_edge (const TsrAltSpeedSchedule *schedule,
                                              GDateTime                 *now);

/* The session's rate limits in force, in bytes a second (0: none): the
 * alternative ones while "alt-speed-enabled" is on, else the usual. */
void        tsr_alt_speed_get_limits         (GSettings                 *settings,
                                              guint64                   *up,
                                              guint64                   *down);
/* "Alternative speed limits: 50 KiB/s down, 20 KiB/s up" (0: no limit). */
char       *tsr_alt_speed_format_status      (guint                      down_kib,
                                              guint                      up_kib);

/* The time now; tests give a fake clock. */
typedef GDateTime *(*TsrAltSpeedClock) (gpointer user_data);

#define TSR_TYPE_ALT_SPEED (tsr_alt_speed_get_type ())
G_DECLARE_FINAL_TYPE (TsrAltSpeed, tsr_alt_speed, TSR, ALT_SPEED, GObject)

/* Follows the schedule in @settings from now on: sets "alt-speed-enabled"
 * to the schedule's state at once (and whenever the schedule changes),
 * then again at each edge. @clock (nullable: the local time) tells the
 * time. */
TsrAltSpeed *tsr_alt_speed_new   (GSettings        *settings,
                                  TsrAltSpeedClock  clock,
                                  gpointer          clock_data);
/* Looks at the clock now (its timer does this at each edge, and at
 * least once a minute, so a suspend or a changed clock is caught). */
void         tsr_alt_speed_check (TsrAltSpeed      *self);

G_END_DECLS
