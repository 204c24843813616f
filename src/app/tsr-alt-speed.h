/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-alt-speed.h: the alternative speed limits' schedule over GSettings:
 * the alt-speed-time-* keys read into the engine's TsrAltSpeedSchedule
 * (tsr-alt-speed-schedule.h, which the daemon shares), and TsrAltSpeed,
 * which turns the "alt-speed-enabled" setting on and off at the
 * schedule's edges, so that a toggle by hand holds until the next edge.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

/* Reads the alt-speed-time-* keys of @settings. */
void        tsr_alt_speed_schedule_load      (TsrAltSpeedSchedule       *schedule,
                                              GSettings                 *settings);
/* The session's rate limits in force, in bytes a second (0: none): the
 * alternative ones while "alt-speed-enabled" is on, else the usual. */
void        tsr_alt_speed_get_limits         (GSettings                 *settings,
                                              guint64                   *up,
                                              guint64                   *down);
/* "Alternative speed limits: 50 KiB/s down, 20 KiB/s up" (0: no limit). */
char       *tsr_alt_speed_format_status      (guint                      down_kib,
                                              guint                      up_kib);

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
