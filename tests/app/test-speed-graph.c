/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-speed-graph.c: the speed history and its graph:
 *  - the ring after N ticks of a fake sample source keeps the last
 *    capacity samples oldest first, says "changed" at each, clamps rates
 *    past 4 GB/s and forgets all on clear;
 *  - the scale: a round top above the peak, a limit within reach brought
 *    in, one far above left out; values and limits at the right y;
 *  - the widget draws with no samples, zero rates and huge ones, and a
 *    limit's dashed line lands on the row the scale says (pixels read
 *    back through cairo); its description names the rates and limits;
 *  - the Overview page's graph gets a sample at each refresh of the
 *    torrent shown, and starts again when another is shown.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-speed-graph.h"
#include "tsr-overview-page.h"
#include "tsr-speed-history.h"
#include "tsr-test-util.h"

#define NBSP "\xc2\xa0"   /* g_format_size keeps number and unit together */

static void
on_changed (TsrSpeedHistory *history,
            guint           *count)
{
  (*count)++;
}

/* The fake source: tick @i yields (i * 100, i * 10). */
static void
test_ring (void)
{
  g_autoptr(TsrSpeedHistory) history = tsr_speed_history_new (5);
  guint changed = 0;
  guint64 down = 0;
  guint64 up = 0;
  guint i;

  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 0);
  g_assert_cmpuint (tsr_speed_history_get_peak (history), ==, 0);
  for (i = 1; i <= 3; i++)
    tsr_speed_history_push (history, i * 100, i * 10);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 3);
  tsr_speed_history_get_sample (history, 0, &down, &up);
  g_assert_cmpuint (down, ==, 100);
  g_assert_cmpuint (up, ==, 10);

  /* Past capacity: the oldest go, the order stays. */
  for (i = 4; i <= 12; i++)
    tsr_speed_history_push (history, i * 100, i * 10);
  g_assert_cmpuint (changed, ==, 12);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 5);
  for (i = 0; i < 5; i++)
    {
      tsr_speed_history_get_sample (history, i, &down, &up);
      g_assert_cmpuint (down, ==, (8 + i) * 100);
      g_assert_cmpuint (up, ==, (8 + i) * 10);
    }
  g_assert_cmpuint (tsr_speed_history_get_peak (history), ==, 1200);

  tsr_speed_history_push (history, G_MAXUINT64, 0);
  tsr_speed_history_get_sample (history, 4, &down, NULL);
  g_assert_cmpuint (down, ==, G_MAXUINT32);

  tsr_speed_history_clear (history);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 0);
  g_assert_cmpuint (changed, ==, 14);
}

static void
test_scale (void)
{
  double y = -1;

  /* Idle: the minimum top, rounded up. */
  g_assert_cmpuint (tsr_speed_graph_scale_top (0, 0, 0), ==, 15000);
  /* Round values strictly above the peak. */
  g_assert_cmpuint (tsr_speed_graph_scale_top (99000, 0, 0), ==, 100000);
  g_assert_cmpuint (tsr_speed_graph_scale_top (100000, 0, 0), ==, 150000);
  g_assert_cmpuint (tsr_speed_graph_scale_top (2500000, 0, 0), ==, 3000000);
  /* A limit within reach is brought in, and its line is in the graph. */
  g_assert_cmpuint (tsr_speed_graph_scale_top (10000, 0, 30000), ==, 40000);
  g_assert_true (tsr_speed_graph_limit_y (30000, 40000, 100, &y));
  g_assert_cmpfloat_with_epsilon (y, 25.0, 1e-9);
  /* One far above the traffic is not: the curves keep their height. */
  g_assert_cmpuint (tsr_speed_graph_scale_top (5000, 1000000, 0), ==, 15000);
  g_assert_false (tsr_speed_graph_limit_y (1000000, 15000, 100, &y));
  g_assert_false (tsr_speed_graph_limit_y (0, 15000, 100, &y));
  /* Huge rates still give a top above them. */
  g_assert_cmpuint (tsr_speed_graph_scale_top (G_MAXUINT32, 0, 0), >, G_MAXUINT32);
  g_assert_cmpuint (tsr_speed_graph_scale_top (G_MAXUINT64, G_MAXUINT64, G_MAXUINT64), ==, G_MAXUINT64);

  g_assert_cmpfloat (tsr_speed_graph_value_y (0, 15000, 80), ==, 80);
  g_assert_cmpfloat (tsr_speed_graph_value_y (15000, 15000, 80), ==, 0);
  g_assert_cmpfloat (tsr_speed_graph_value_y (90000, 15000, 80), ==, 0);
  g_assert_cmpfloat_with_epsilon (tsr_speed_graph_value_y (5000, 15000, 90), 60.0, 1e-9);
  g_assert_cmpfloat (tsr_speed_graph_value_y (5, 0, 80), ==, 80);
}

static cairo_surface_t *
render (TsrSpeedGraph *graph,
        int            width,
        int            height)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;

  tsr_speed_graph_append_to (graph, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (node != NULL)
    {
      cr = cairo_create (surface);
      gsk_render_node_draw (node, cr);
      cairo_destroy (cr);
      gsk_render_node_unref (node);
    }
  cairo_surface_flush (surface);
  return surface;
}

static guint8
alpha_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 pixel = *(const guint32 *) (data + y * stride + x * 4);

  return pixel >> 24;
}

static void
test_widget (void)
{
  GtkWidget *graph = g_object_ref_sink (tsr_speed_graph_new ());
  g_autoptr(TsrSpeedHistory) history = tsr_speed_history_new (TSR_SPEED_HISTORY_DEFAULT_CAPACITY);
  g_autofree char *description = NULL;
  cairo_surface_t *surface;
  double y = 0;
  guint i;

  /* No history, then an empty one, zero rates, huge rates. */
  cairo_surface_destroy (render (TSR_SPEED_GRAPH (graph), 400, 100));
  tsr_speed_graph_set_history (TSR_SPEED_GRAPH (graph), history);
  cairo_surface_destroy (render (TSR_SPEED_GRAPH (graph), 400, 100));
  tsr_speed_history_push (history, 0, 0);
  cairo_surface_destroy (render (TSR_SPEED_GRAPH (graph), 400, 100));
  cairo_surface_destroy (render (TSR_SPEED_GRAPH (graph), 1, 1));
  for (i = 0; i < 400; i++)
    tsr_speed_history_push (history, G_MAXUINT64, i % 2 ? G_MAXUINT64 : 0);
  tsr_speed_graph_set_limits (TSR_SPEED_GRAPH (graph), G_MAXUINT64, 1);
  cairo_surface_destroy (render (TSR_SPEED_GRAPH (graph), 400, 100));

  /* The download limit's dashed line on the row the scale gives: peak
   * 10 kB/s, limit 20 kB/s, so the top is 30 kB/s and the line at 1/3. */
  tsr_speed_history_clear (history);
  tsr_speed_history_push (history, 10000, 0);
  tsr_speed_graph_set_limits (TSR_SPEED_GRAPH (graph), 20000, 0);
  g_assert_true (tsr_speed_graph_limit_y (20000, tsr_speed_graph_scale_top (10000, 20000, 0), 100, &y));
  g_assert_cmpint ((int) y, ==, 33);
  surface = render (TSR_SPEED_GRAPH (graph), 400, 100);
  /* x = 392: inside a dash (6 on, 4 off from 0), clear of the labels and
   * of the one sample at the right edge. */
  g_assert_cmpuint (alpha_at (surface, 392, (int) y), >, 100);
  g_assert_cmpuint (alpha_at (surface, 392, (int) y + 6), ==, 0);
  g_assert_cmpuint (alpha_at (surface, 392, (int) y - 6), ==, 0);
  cairo_surface_destroy (surface);

  /* A full ring of 10 kB/s down: filled below the curve (top 15 kB/s,
   * the curve a third of the way down), clear above it. */
  tsr_speed_graph_set_limits (TSR_SPEED_GRAPH (graph), 0, 0);
  for (i = 0; i < TSR_SPEED_HISTORY_DEFAULT_CAPACITY; i++)
    tsr_speed_history_push (history, 10000, 0);
  surface = render (TSR_SPEED_GRAPH (graph), 400, 100);
  g_assert_cmpuint (alpha_at (surface, 200, 60), >, 0);
  g_assert_cmpuint (alpha_at (surface, 200, 33), >, 100);   /* the line */
  g_assert_cmpuint (alpha_at (surface, 200, 15), ==, 0);
  cairo_surface_destroy (surface);
  tsr_speed_graph_set_limits (TSR_SPEED_GRAPH (graph), 20000, 0);

  description = tsr_speed_graph_describe (TSR_SPEED_GRAPH (graph));
  g_assert_nonnull (strstr (description, "Download 10.0" NBSP "kB/s, upload 0 bytes/s now"));
  g_assert_nonnull (strstr (description, "download limit 20.0" NBSP "kB/s"));
  g_assert_null (strstr (description, "upload limit"));

  g_object_unref (graph);
}

/* The first speed graph under @widget. */
static TsrSpeedGraph *
find_graph (GtkWidget *widget)
{
  GtkWidget *child;

  if (TSR_IS_SPEED_GRAPH (widget))
    return TSR_SPEED_GRAPH (widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      TsrSpeedGraph *found = find_graph (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_overview_page (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tsr-speed-graph-XXXXXX", NULL);
  g_autofree char *one_root = g_build_filename (dir, "one", "pack", NULL);
  g_autofree char *two_root = g_build_filename (dir, "two", "pack", NULL);
  g_autofree char *one_dir = g_build_filename (dir, "one", NULL);
  g_autofree char *two_dir = g_build_filename (dir, "two", NULL);
  g_autoptr(TsrMetainfo) one_info = tsr_test_make_pack (one_root);
  g_autoptr(TsrMetainfo) two_info = tsr_test_make_pack (two_root);
  static const guint8 id[20] = "-XX0000-abcdefghijkl";
  g_autoptr(TsrTorrent) one = tsr_torrent_new (one_info, one_dir, id);
  g_autoptr(TsrTorrent) two = tsr_torrent_new (two_info, two_dir, id);
  GtkWidget *page = g_object_ref_sink (g_object_new (TSR_TYPE_OVERVIEW_PAGE, NULL));
  g_autoptr(GPtrArray) peers = g_ptr_array_new ();
  TsrSpeedGraph *graph = find_graph (page);
  TsrSpeedHistory *history;

  g_assert_nonnull (graph);
  history = tsr_speed_graph_get_history (graph);
  g_assert_nonnull (history);
  tsr_overview_page_set_torrent (TSR_OVERVIEW_PAGE (page), one);
  tsr_overview_page_refresh (TSR_OVERVIEW_PAGE (page), peers);
  tsr_overview_page_refresh (TSR_OVERVIEW_PAGE (page), peers);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 2);
  /* The same torrent again keeps its samples; another starts afresh. */
  tsr_overview_page_set_torrent (TSR_OVERVIEW_PAGE (page), one);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 2);
  tsr_overview_page_set_torrent (TSR_OVERVIEW_PAGE (page), two);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 0);
  tsr_overview_page_refresh (TSR_OVERVIEW_PAGE (page), peers);
  g_assert_cmpuint (tsr_speed_history_get_n_samples (history), ==, 1);

  g_object_unref (page);
  g_clear_object (&one);
  g_clear_object (&two);
  tsr_test_remove_tree (dir);
}

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the Overview page's template). */
GResource *tsr_get_resource (void);

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/speed-graph/ring", test_ring);
  g_test_add_func ("/speed-graph/scale", test_scale);
  g_test_add_func ("/speed-graph/widget", test_widget);
  g_test_add_func ("/speed-graph/overview-page", test_overview_page);
  return g_test_run ();
}
