/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed-schedule.h: the alternative speed limits' schedule, as
 * Transmission has it (alt-speed-time-begin/end in minutes since local
 * midnight, alt-speed-time-day a bitmask from Sunday): whether a local
 * time is inside it and when it next turns on or off, pure and
 * clock-free; and TsrAltSpeedTimer, which tells its owner to turn the
 * alternative limits on or off at the schedule's edges, so that a toggle
 * by hand holds until the next edge. The app (over GSettings) and the
 * daemon (over its key file) both follow the schedule with it.
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
/* alt-speed-time-begin/end run from 0 to this minus one. */
#define TSR_ALT_SPEED_MINUTES_PER_DAY 1440

typedef struct
{
  gboolean enabled;   /* whether the schedule runs at all */
  guint    begin;     /* minutes since local midnight, 0 … 1439 */
  guint    end;       /* likewise; at or before begin: until end on the next day */
  guint    days;      /* the days on which the period begins */
} TsrAltSpeedSchedule;

/* Whether the local time @when is in one of the schedule's periods. */
gboolean    tsr_alt_speed_schedule_is_on     (const TsrAltSpeedSchedule *schedule,
                                              GDateTime                 *when);
/* The first whole minute after @now at which is_on changes, in @now's
 * time zone (daylight saving time included); NULL when it never does in
 * the next eight days (the schedule is off, always on or never on). */
GDateTime  *tsr_alt_speed_schedule_next_edge (const TsrAltSpeedSchedule *schedule,
                                              GDateTime                 *now);
/* Whether two schedules are the same (a disabled one equals any other
 * disabled one). */
gboolean    tsr_alt_speed_schedule_equal     (const TsrAltSpeedSchedule *a,
                                              const TsrAltSpeedSchedule *b);

/* The time now; tests give a fake clock. */
typedef GDateTime *(*TsrAltSpeedClock) (gpointer user_data);
/* The schedule says the alternative limits go @on (or off). */
typedef void (*TsrAltSpeedApply) (gboolean on,
                                  gpointer user_data);

typedef struct _TsrAltSpeedTimer TsrAltSpeedTimer;

/* Follows no schedule until given one. @clock (nullable: the local time)
 * tells the time; @apply is called at each edge. */
TsrAltSpeedTimer *tsr_alt_speed_timer_new          (TsrAltSpeedClock           clock,
                                                    gpointer                   clock_data,
                                                    TsrAltSpeedApply           apply,
                                                    gpointer                   user_data);
void              tsr_alt_speed_timer_free         (TsrAltSpeedTimer          *self);
/* A new schedule applies at once: @apply is called with its state now
 * (when it is enabled), then again at each edge. */
void              tsr_alt_speed_timer_set_schedule (TsrAltSpeedTimer          *self,
                                                    const TsrAltSpeedSchedule *schedule);
const TsrAltSpeedSchedule *
                  tsr_alt_speed_timer_get_schedule (TsrAltSpeedTimer          *self);
/* Looks at the clock now (its timer does this at each edge, and at
 * least once a minute, so a suspend or a changed clock is caught). */
void              tsr_alt_speed_timer_check        (TsrAltSpeedTimer          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrAltSpeedTimer, tsr_alt_speed_timer_free)

G_END_DECLS
