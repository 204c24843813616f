/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-speed-graph.c: the speed graph (see the .h). The newest sample is
 * at the right edge and the ring's capacity spans the width, so the
 * curves scroll left as samples come and a short history sits at the
 * right. Download is the accent colour, filled; upload the success
 * colour, a line; a limit is a dashed line of its direction's colour.
 * Four grid lines divide the scale, each labelled with its rate. A
 * sample pushed while the graph is unmapped costs one signal emission
 * and nothing else: the draw and the description wait for the map.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-speed-graph.h"

#define NATURAL_WIDTH  360
#define NATURAL_HEIGHT 140
#define MINIMUM_WIDTH  120
#define MINIMUM_HEIGHT 60
#define GRID_LINES     4

struct _TsrSpeedGraph
{
  GtkWidget        parent_instance;
  TsrSpeedHistory *history;     /* (owned) (nullable) */
  gulong           changed_id;
  guint64          down_limit;  /* bytes a second, 0: none */
  guint64          up_limit;
};

G_DEFINE_FINAL_TYPE (TsrSpeedGraph, tsr_speed_graph, GTK_TYPE_WIDGET)

guint64
tsr_speed_graph_scale_top (guint64 peak,
                           guint64 down_limit,
                           guint64 up_limit)
{
  static const guint steps[] = { 10, 15, 20, 30, 40, 50, 60, 80 };   /* tenths */
  guint64 want = MAX (peak, TSR_SPEED_GRAPH_MIN_TOP);
  guint64 reach = want > G_MAXUINT64 / TSR_SPEED_GRAPH_LIMIT_REACH ? G_MAXUINT64 : want * TSR_SPEED_GRAPH_LIMIT_REACH;
  guint64 power = 1;
  guint i;

  if (down_limit > 0 && down_limit <= reach)
    want = MAX (want, down_limit);
  if (up_limit > 0 && up_limit <= reach)
    want = MAX (want, up_limit);
  /* The first round value strictly above: a limit line stays below the
   * top edge, where it can be seen. */
  while (power <= G_MAXUINT64 / 100)
    {
      for (i = 0; i < G_N_ELEMENTS (steps); i++)
        {
          guint64 value = power * steps[i] / 10;

          if (value > want)
            return value;
        }
      power *= 10;
    }
  return G_MAXUINT64;
}

double
tsr_speed_graph_value_y (guint64 value,
                         guint64 top,
                         double  height)
{
  if (top == 0)
    return height;
  if (value >= top)
    return 0;
  return height - height * ((double) value / (double) top);
}

gboolean
tsr_speed_graph_limit_y (guint64  limit,
                         guint64  top,
                         double   height,
                         double  *y)
{
  if (limit == 0 || limit > top)
    return FALSE;
  *y = tsr_speed_graph_value_y (limit, top, height);
  return TRUE;
}

static void
resolve_colors (TsrSpeedGraph *self,
                GdkRGBA       *down,
                GdkRGBA       *up,
                GdkRGBA       *fore)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, "accent_bg_color", down))
    gdk_rgba_parse (down, "#3584e4");
  if (!gtk_style_context_lookup_color (context, "success_color", up))
    gdk_rgba_parse (up, "#26a269");
  gtk_style_context_get_color (context, fore);
}

/* The x of sample @index of @n, the newest at the right edge. */
static double
sample_x (guint  index,
          guint  n,
          guint  capacity,
          double width)
{
  double step = capacity > 1 ? width / (double) (capacity - 1) : width;

  return width - (double) (n - 1 - index) * step;
}

static void
draw_series (TsrSpeedGraph *self,
             cairo_t       *cr,
             gboolean       down,
             guint64        top,
             double         width,
             double         height,
             const GdkRGBA *color)
{
  guint n = tsr_speed_history_get_n_samples (self->history);
  guint capacity = tsr_speed_history_get_capacity (self->history);
  guint i;

  for (i = 0; i < n; i++)
    {
      guint64 rate_down = 0;
      guint64 rate_up = 0;
      double x = sample_x (i, n, capacity, width);
      double y;

      tsr_speed_history_get_sample (self->history, i, &rate_down, &rate_up);
      y = tsr_speed_graph_value_y (down ? rate_down : rate_up, top, height);
      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, 1.5);
  if (down)
    {
      GdkRGBA fill = *color;

      cairo_stroke_preserve (cr);
      cairo_line_to (cr, width, height);
      cairo_line_to (cr, sample_x (0, n, capacity, width), height);
      cairo_close_path (cr);
      fill.alpha *= 0.25f;
      gdk_cairo_set_source_rgba (cr, &fill);
      cairo_fill (cr);
    }
  else
    cairo_stroke (cr);
}

static void
draw_limit (cairo_t       *cr,
            guint64        limit,
            guint64        top,
            double         width,
            double         height,
            const GdkRGBA *color)
{
  static const double dash[] = { 6, 4 };
  double y;

  if (!tsr_speed_graph_limit_y (limit, top, height, &y))
    return;
  y = MAX (y, 0.5);
  cairo_save (cr);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, 0, y);
  cairo_line_to (cr, width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Which colour is which, at the top right: "Download  Upload". */
static void
draw_legend (TsrSpeedGraph *self,
             GtkSnapshot   *snapshot,
             int            width,
             const GdkRGBA *down,
             const GdkRGBA *up)
{
  /* TRANSLATORS: the legends of a speed graph's two curves */
  const char *texts[2] = { _("Download"), _("Upload") };
  const GdkRGBA *colors[2] = { down, up };
  double x = width - 4;
  int i;

  for (i = 1; i >= 0; i--)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), texts[i]);
      int text_width = 0;

      pango_layout_get_pixel_size (layout, &text_width, NULL);
      x -= text_width;
      if (x < 0)
        return;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, 2));
      gtk_snapshot_append_layout (snapshot, layout, colors[i]);
      gtk_snapshot_restore (snapshot);
      x -= 12;
    }
}

void
tsr_speed_graph_append_to (TsrSpeedGraph *self,
                           GtkSnapshot   *snapshot,
                           int            width,
                           int            height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint64 peak = self->history != NULL ? tsr_speed_history_get_peak (self->history) : 0;
  guint64 top = tsr_speed_graph_scale_top (peak, self->down_limit, self->up_limit);
  GdkRGBA down;
  GdkRGBA up;
  GdkRGBA fore;
  GdkRGBA grid;
  cairo_t *cr;
  int k;

  g_return_if_fail (TSR_IS_SPEED_GRAPH (self));
  g_return_if_fail (snapshot != NULL);

  if (width <= 0 || height <= 0)
    return;
  resolve_colors (self, &down, &up, &fore);
  grid = fore;
  grid.alpha *= 0.15f;
  for (k = 1; k <= GRID_LINES; k++)
    {
      double y = tsr_speed_graph_value_y (top / GRID_LINES * (guint64) k, top, height);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (0, MAX (y, 0), width, 1));
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->history != NULL && tsr_speed_history_get_n_samples (self->history) > 0)
    {
      draw_series (self, cr, TRUE, top, width, height, &down);
      draw_series (self, cr, FALSE, top, width, height, &up);
    }
  draw_limit (cr, self->down_limit, top, width, height, &down);
  draw_limit (cr, self->up_limit, top, width, height, &up);
  cairo_destroy (cr);

  draw_legend (self, snapshot, width, &down, &up);

  /* The scale's labels last, over the curves, each under its line. */
  for (k = 1; k <= GRID_LINES; k++)
    {
      guint64 rate = top / GRID_LINES * (guint64) k;
      double y = tsr_speed_graph_value_y (rate, top, height);
      g_autofree char *text = tsr_format_rate (rate);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      int text_height = 0;
      GdkRGBA label = fore;

      pango_layout_get_pixel_size (layout, NULL, &text_height);
      if (y + 1 + text_height > height)
        continue;
      label.alpha *= 0.6f;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (2, MAX (y, 0) + 1));
      gtk_snapshot_append_layout (snapshot, layout, &label);
      gtk_snapshot_restore (snapshot);
    }
}

static void
tsr_speed_graph_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  tsr_speed_graph_append_to (TSR_SPEED_GRAPH (widget), snapshot, gtk_widget_get_width (widget),
                             gtk_widget_get_height (widget));
}

char *
tsr_speed_graph_describe (TsrSpeedGraph *self)
{
  guint64 down = 0;
  guint64 up = 0;
  guint n = 0;
  guint minutes;
  g_autofree char *down_text = NULL;
  g_autofree char *up_text = NULL;
  g_autofree char *peak_text = NULL;
  g_autofree char *now = NULL;
  GString *text;

  g_return_val_if_fail (TSR_IS_SPEED_GRAPH (self), NULL);

  if (self->history != NULL)
    n = tsr_speed_history_get_n_samples (self->history);
  if (n > 0)
    tsr_speed_history_get_sample (self->history, n - 1, &down, &up);
  down_text = tsr_format_rate (down);
  up_text = tsr_format_rate (up);
  peak_text = tsr_format_rate (self->history != NULL ? tsr_speed_history_get_peak (self->history) : 0);
  minutes = MAX ((n + 59) / 60, 1);
  text = g_string_new (NULL);
  g_string_append_printf (text,
                          /* TRANSLATORS: a speed graph's description: rates now, then the highest rate shown */
                          g_dngettext (NULL, "Download %s, upload %s now; highest %s in the last %u minute",
                                       "Download %s, upload %s now; highest %s in the last %u minutes", minutes),
                          down_text, up_text, peak_text, minutes);
  if (self->down_limit > 0)
    {
      g_autofree char *limit = tsr_format_rate (self->down_limit);

      g_string_append (text, "; ");
      /* TRANSLATORS: part of a speed graph's description */
      g_string_append_printf (text, _("download limit %s"), limit);
    }
  if (self->up_limit > 0)
    {
      g_autofree char *limit = tsr_format_rate (self->up_limit);

      g_string_append (text, "; ");
      /* TRANSLATORS: part of a speed graph's description */
      g_string_append_printf (text, _("upload limit %s"), limit);
    }
  return g_string_free (text, FALSE);
}

/* Draws and describes only what can be seen. */
static void
update (TsrSpeedGraph *self)
{
  g_autofree char *description = NULL;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  description = tsr_speed_graph_describe (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_history_changed (TsrSpeedHistory *history,
                    TsrSpeedGraph   *self)
{
  update (self);
}

void
tsr_speed_graph_set_history (TsrSpeedGraph   *self,
                             TsrSpeedHistory *history)
{
  g_return_if_fail (TSR_IS_SPEED_GRAPH (self));

  if (self->history == history)
    return;
  if (self->history != NULL)
    g_clear_signal_handler (&self->changed_id, self->history);
  g_set_object (&self->history, history);
  if (history != NULL)
    self->changed_id = g_signal_connect (history, "changed", G_CALLBACK (on_history_changed), self);
  update (self);
}

TsrSpeedHistory *
tsr_speed_graph_get_history (TsrSpeedGraph *self)
{
  g_return_val_if_fail (TSR_IS_SPEED_GRAPH (self), NULL);

  return self->history;
}

void
tsr_speed_graph_set_limits (TsrSpeedGraph *self,
                            guint64        down,
                            guint64        up)
{
  g_return_if_fail (TSR_IS_SPEED_GRAPH (self));

  if (self->down_limit == down && self->up_limit == up)
    return;
  self->down_limit = down;
  self->up_limit = up;
  update (self);
}

GtkWidget *
tsr_speed_graph_new (void)
{
  return g_object_new (TSR_TYPE_SPEED_GRAPH, NULL);
}

static void
tsr_speed_graph_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? MINIMUM_WIDTH : MINIMUM_HEIGHT;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? NATURAL_WIDTH : NATURAL_HEIGHT;
  *minimum_baseline = -1;
  *natural_baseline = -1;
}

static void
tsr_speed_graph_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tsr_speed_graph_parent_class)->map (widget);
  update (TSR_SPEED_GRAPH (widget));
}

static void
tsr_speed_graph_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (tsr_speed_graph_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
tsr_speed_graph_dispose (GObject *object)
{
  TsrSpeedGraph *self = TSR_SPEED_GRAPH (object);

  if (self->history != NULL)
    g_clear_signal_handler (&self->changed_id, self->history);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (tsr_speed_graph_parent_class)->dispose (object);
}

static void
tsr_speed_graph_class_init (TsrSpeedGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_speed_graph_dispose;
  widget_class->snapshot = tsr_speed_graph_snapshot;
  widget_class->measure = tsr_speed_graph_measure;
  widget_class->map = tsr_speed_graph_map;
  widget_class->css_changed = tsr_speed_graph_css_changed;
  gtk_widget_class_set_css_name (widget_class, "speedgraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tsr_speed_graph_init (TsrSpeedGraph *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Speed"), -1);
}
