/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-stall-probe.c: the benchmark's view from inside the app (see the
 * .h): the longest main-loop stall, sidebar count updates, and when a
 * filtered list reached the screen. Off unless TESSERA_STALL_PROBE is set.
 *
 * A stall is measured with a G_PRIORITY_HIGH timeout of 5 ms: it runs as
 * soon as whatever the loop is dispatching returns (a frame's layout and
 * paint, a filter's run, an engine callback), so the gap between two runs
 * less 5 ms is how long the loop was busy elsewhere, 1 ms being GLib's
 * timeout resolution. Its own cost: 200 wakeups a second, only when on.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib-unix.h>
#include <signal.h>

#include "tsr-app-util.h"
#include "tsr-stall-probe.h"

#define TICK_MS 5

typedef struct
{
  gboolean    started;
  gint64      last_tick;       /* monotonic µs of the timeout's last run */
  gint64      since;           /* monotonic µs of the last report */
  gint64      stall_max;       /* µs, since the last report */
  guint       sidebar_updates; /* since the last report */
  GtkWidget  *list;            /* (nullable) weak pointer */
  GListModel *filtered;        /* (nullable) weak pointer */
  gulong      after_paint_id;  /* on the list's frame clock, while a change waits for its frame */
  GdkFrameClock *clock;        /* (nullable) weak pointer, the one after_paint_id is on */
} Probe;

static Probe probe;

static gboolean
probe_on (void)
{
  static int on = -1;

  if (on < 0)
    on = g_getenv ("TESSERA_STALL_PROBE") != NULL;
  return on;
}

static void
note_gap (gint64 now)
{
  gint64 stall = now - probe.last_tick - TICK_MS * 1000;

  if (stall > probe.stall_max)
    probe.stall_max = stall;
}

static gboolean
on_tick (gpointer unused)
{
  gint64 now = g_get_monotonic_time ();

  note_gap (now);
  probe.last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigusr1 (gpointer unused)
{
  gint64 now = g_get_monotonic_time ();
  double value = 0;
  double end = 0;

  /* A stall still going on when the signal came counts too. */
  note_gap (now);
  if (probe.list != NULL && GTK_IS_SCROLLABLE (probe.list))
    {
      GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (probe.list));

      if (adjustment != NULL)
        {
          value = gtk_adjustment_get_value (adjustment);
          end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
        }
    }
  tsr_app_event ("probe stall-max-ms %.1f sidebar-updates %u seconds %.3f scroll %.0f/%.0f at %" G_GINT64_FORMAT,
                 MAX (probe.stall_max, 0) / 1000.0, probe.sidebar_updates, (now - probe.since) / 1e6, value, end,
                 now);
  probe.stall_max = 0;
  probe.sidebar_updates = 0;
  probe.since = now;
  probe.last_tick = MAX (probe.last_tick, now - TICK_MS * 1000);
  return G_SOURCE_CONTINUE;
}

void
tsr_stall_probe_start (void)
{
  if (!probe_on () || probe.started)
    return;
  probe.started = TRUE;
  probe.last_tick = probe.since = g_get_monotonic_time ();
  g_timeout_add_full (G_PRIORITY_HIGH, TICK_MS, on_tick, NULL, NULL);
  g_unix_signal_add (SIGUSR1, on_sigusr1, NULL);
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       unused)
{
  g_signal_handler_disconnect (clock, probe.after_paint_id);
  probe.after_paint_id = 0;
  g_clear_weak_pointer (&probe.clock);
  if (probe.filtered != NULL)
    tsr_app_event ("filtered %u at %" G_GINT64_FORMAT, g_list_model_get_n_items (probe.filtered),
                   g_get_monotonic_time ());
}

/* The list or its filter changed: its row count is told after the next
 * frame (a filter that hid nothing changes no row, but the key's work
 * still ends with that frame; one is asked for in case nothing else
 * does). */
static void
wait_for_paint (void)
{
  GdkFrameClock *clock;

  if (probe.clock == NULL)
    probe.after_paint_id = 0;   /* the window that waited for its frame went */
  if (probe.after_paint_id != 0 || probe.list == NULL || (clock = gtk_widget_get_frame_clock (probe.list)) == NULL)
    return;
  probe.after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  g_set_weak_pointer (&probe.clock, clock);
  /* A change that moves no pixel still ends with the next frame. */
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_AFTER_PAINT);
}

static void
on_filtered_changed (GListModel *filtered,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    unused)
{
  wait_for_paint ();
}

static void
on_filter_changed (GtkFilter       *filter,
                   GtkFilterChange  change,
                   gpointer         unused)
{
  wait_for_paint ();
}

void
tsr_stall_probe_watch_list (GtkWidget  *list,
                            GListModel *filtered)
{
  if (!probe_on ())
    return;
  if (probe.clock != NULL)
    g_signal_handler_disconnect (probe.clock, probe.after_paint_id);
  probe.after_paint_id = 0;
  g_clear_weak_pointer (&probe.clock);
  g_set_weak_pointer (&probe.list, list);
  g_set_weak_pointer (&probe.filtered, filtered);
  g_signal_connect_object (filtered, "items-changed", G_CALLBACK (on_filtered_changed), list, 0);
  if (GTK_IS_FILTER_LIST_MODEL (filtered))
    g_signal_connect_object (gtk_filter_list_model_get_filter (GTK_FILTER_LIST_MODEL (filtered)), "changed",
                             G_CALLBACK (on_filter_changed), list, G_CONNECT_AFTER);
}

void
tsr_stall_probe_sidebar_update (void)
{
  if (probe_on ())
    probe.sidebar_updates++;
}
