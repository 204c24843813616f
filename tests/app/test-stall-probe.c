/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-stall-probe.c: the benchmark's probe in the app (under Xvfb, with
 * TESSERA_STALL_PROBE set before anything asks): on SIGUSR1 it reports a
 * main loop held up for 300 ms as a stall of about that, the sidebar
 * updates it was told of, and starts its numbers again; a watched list
 * whose filter changes is reported with its new row count once a frame
 * was painted, and again when the filter changes without hiding a row.
 */
#include "config.h"

#include <signal.h>

#include "tsr-app-util.h"
#include "tsr-stall-probe.h"

static GPtrArray *events;   /* (owned) the tsr-app-events lines, in order */

static void
on_event (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        unused)
{
  g_ptr_array_add (events, g_strdup (message));
}

/* The first event from @from on that starts with @prefix, the main loop
 * run until it comes (5 s at most). */
static const char *
wait_event (guint       from,
            const char *prefix)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      guint i;

      for (i = from; i < events->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (events, i), prefix))
          return g_ptr_array_index (events, i);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_not_reached ();
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static gboolean
hold_up (gpointer ms)
{
  g_usleep (GPOINTER_TO_UINT (ms) * 1000);
  return G_SOURCE_REMOVE;
}

/* "probe stall-max-ms M sidebar-updates K ..." after a SIGUSR1. */
static void
report (double *stall,
        guint  *updates)
{
  guint from = events->len;
  const char *line;

  raise (SIGUSR1);
  line = wait_event (from, "probe ");
  g_assert_cmpint (sscanf (line, "probe stall-max-ms %lf sidebar-updates %u", stall, updates), ==, 2);
}

static void
test_stall (void)
{
  double stall = 0;
  guint updates = 0;

  tsr_stall_probe_start ();
  run_for (50);
  report (&stall, &updates);   /* what the test's start cost goes */
  g_idle_add (hold_up, GUINT_TO_POINTER (300));
  tsr_stall_probe_sidebar_update ();
  tsr_stall_probe_sidebar_update ();
  run_for (100);
  report (&stall, &updates);
  g_assert_cmpfloat (stall, >=, 290);
  g_assert_cmpfloat (stall, <, 2000);
  g_assert_cmpuint (updates, ==, 2);
  /* Started again: no stall like that, no update. */
  run_for (50);
  report (&stall, &updates);
  g_assert_cmpfloat (stall, <, 250);
  g_assert_cmpuint (updates, ==, 0);
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  unused)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  unused)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static void
test_filtered (void)
{
  const char *const names[] = { "alpha", "beta", "gamma", "delta", NULL };
  GtkStringFilter *filter = gtk_string_filter_new (gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL,
                                                                                  "string"));
  GtkFilterListModel *filtered = gtk_filter_list_model_new (G_LIST_MODEL (gtk_string_list_new (names)),
                                                            GTK_FILTER (filter));
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list;
  guint from;
  guint count = 0;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  g_object_ref (filtered);   /* one for the test, one for the selection */
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (filtered))), factory);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  tsr_stall_probe_watch_list (list, G_LIST_MODEL (filtered));
  run_for (200);

  from = events->len;
  gtk_string_filter_set_search (filter, "t");   /* beta, delta */
  g_assert_cmpint (sscanf (wait_event (from, "filtered "), "filtered %u at", &count), ==, 1);
  g_assert_cmpuint (count, ==, 2);

  /* Narrower, but no row goes: the key's frame is told all the same. */
  run_for (50);
  from = events->len;
  gtk_string_filter_set_search (filter, "ta");
  g_assert_cmpint (sscanf (wait_event (from, "filtered "), "filtered %u at", &count), ==, 1);
  g_assert_cmpuint (count, ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (filtered);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_setenv ("TESSERA_STALL_PROBE", "1", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  events = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler (TSR_APP_EVENTS_DOMAIN, G_LOG_LEVEL_DEBUG, on_event, NULL);
  g_test_add_func ("/stall-probe/stall", test_stall);
  g_test_add_func ("/stall-probe/filtered", test_filtered);
  result = g_test_run ();
  g_ptr_array_unref (events);
  return result;
}
