/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-pieces-bar.c: a bar with one value in [0, 1] per piece, drawn
 * exactly at any width. Piece i spans [i*W/n, (i+1)*W/n) of a bar W
 * pixels wide; pixel column j spans [j, j+1) and takes the average of the
 * pieces under it, weighted by how much of the column each covers. So a
 * piece edge that falls mid-pixel blends, and with more pieces than pixels
 * each column averages its pieces. The arithmetic is in integers (a column
 * is n units, a piece W units), so edges are exact, and it is one pass
 * over pieces and columns: O(n + W) for a million pieces. The result is
 * cached per width as one byte per column, and drawn as the empty colour
 * once plus one rectangle per run of equal, non-empty columns.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-pieces-bar.h"

#define NATURAL_WIDTH  100
#define MINIMUM_HEIGHT 4
#define NATURAL_HEIGHT 16
#define EMPTY_ALPHA    0.15f   /* of the foreground colour, as a trough */

struct _TsrPiecesBar
{
  GtkWidget  parent_instance;
  float     *values;        /* (owned) n_pieces values, clamped to [0, 1] */
  guint      n_pieces;
  guint8    *levels;        /* (owned) cache: one level 0..255 per column */
  int        levels_width;  /* the width levels is for; -1 when stale */
  GdkRGBA    empty;         /* used when has_empty */
  GdkRGBA    full;          /* used when has_full */
  gboolean   has_empty;
  gboolean   has_full;
};

G_DEFINE_FINAL_TYPE (TsrPiecesBar, tsr_pieces_bar, GTK_TYPE_WIDGET)

/* Also maps NaN and -0 to 0, so stored values compare with == exactly. */
static inline float
clamp_value (float value)
{
  if (!(value > 0.f))
    return 0.f;
  return value < 1.f ? value : 1.f;
}

/* Fills self->levels for @width columns. Positions are in units of
 * 1/n_pieces pixel: piece i is [i*width, (i+1)*width), column j is
 * [j*n, (j+1)*n). Each step of the inner loop ends a piece or a column,
 * so there are at most n + width steps and no division per piece. */
static void
compute_levels (TsrPiecesBar *self,
                int           width)
{
  g_autofree double *sums = g_new0 (double, width);
  guint64 n = self->n_pieces;
  guint64 w = (guint64) width;
  guint64 column = 0;
  guint64 column_end = n;
  guint64 i;
  int j;

  for (i = 0; i < n; i++)
    {
      float value = self->values[i];
      guint64 start = i * w;
      guint64 end = start + w;

      if (value == 0.f)
        continue;
      while (column_end <= start)
        {
          column++;
          column_end += n;
        }
      while (start < end)
        {
          guint64 segment_end = MIN (end, column_end);

          sums[column] += (double) value * (double) (segment_end - start);
          start = segment_end;
          if (start == column_end)
            {
              column++;
              column_end += n;
            }
        }
    }

  self->levels = g_renew (guint8, self->levels, width);
  for (j = 0; j < width; j++)
    {
      double level = sums[j] / (double) n * 255.0 + 0.5;

      self->levels[j] = (guint8) CLAMP (level, 0.0, 255.0);
    }
  self->levels_width = width;
}

/* Theme defaults: the accent colour for full, a faint foreground for
 * empty (a trough, as libadwaita draws progress bars), so the bar reads
 * in light and dark styles. Looked up at each draw: css_changed redraws. */
static void
resolve_colors (TsrPiecesBar *self,
                GdkRGBA      *empty,
                GdkRGBA      *full)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (self->has_full)
    *full = self->full;
  else if (!gtk_style_context_lookup_color (context, "accent_bg_color", full))
    gdk_rgba_parse (full, "#3584e4");

  if (self->has_empty)
    *empty = self->empty;
  else
    {
      gtk_style_context_get_color (context, empty);
      empty->alpha *= EMPTY_ALPHA;
    }
}

void
tsr_pieces_bar_append_to (TsrPiecesBar *self,
                          GtkSnapshot  *snapshot,
                          int           width,
                          int           height)
{
  GdkRGBA empty;
  GdkRGBA full;
  int j;

  g_return_if_fail (TSR_IS_PIECES_BAR (self));
  g_return_if_fail (snapshot != NULL);

  if (width <= 0 || height <= 0)
    return;

  resolve_colors (self, &empty, &full);
  gtk_snapshot_append_color (snapshot, &empty, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->n_pieces == 0)
    return;

  if (self->levels_width != width)
    compute_levels (self, width);

  /* A column of level t is the full colour at coverage t over the empty
   * background: for an opaque full colour that is exactly the linear mix
   * of empty and full, even when the empty colour is translucent. */
  j = 0;
  while (j < width)
    {
      guint8 level = self->levels[j];
      int run_end = j + 1;

      while (run_end < width && self->levels[run_end] == level)
        run_end++;
      if (level > 0)
        {
          GdkRGBA color = full;

          color.alpha = full.alpha * (float) level / 255.f;
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (j, 0, run_end - j, height));
        }
      j = run_end;
    }
}

void
tsr_pieces_bar_set_values (TsrPiecesBar *self,
                           const float  *values,
                           guint         n_pieces)
{
  guint i = 0;

  g_return_if_fail (TSR_IS_PIECES_BAR (self));
  g_return_if_fail (values != NULL || n_pieces == 0);

  /* Compared after clamping, so a caller that passes 1.0001 every second
   * does not redraw; the copy resumes where the first difference is. */
  if (n_pieces == self->n_pieces)
    {
      while (i < n_pieces && clamp_value (values[i]) == self->values[i])
        i++;
      if (i == n_pieces)
        return;
    }
  else
    {
      g_free (self->values);
      self->values = g_new (float, n_pieces);
      self->n_pieces = n_pieces;
    }

  for (; i < n_pieces; i++)
    self->values[i] = clamp_value (values[i]);
  self->levels_width = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const float *
tsr_pieces_bar_get_values (TsrPiecesBar *self,
                           guint        *n_pieces)
{
  g_return_val_if_fail (TSR_IS_PIECES_BAR (self), NULL);
  g_return_val_if_fail (n_pieces != NULL, NULL);

  *n_pieces = self->n_pieces;
  return self->values;
}

void
tsr_pieces_bar_set_colors (TsrPiecesBar  *self,
                           const GdkRGBA *empty,
                           const GdkRGBA *full)
{
  g_return_if_fail (TSR_IS_PIECES_BAR (self));

  self->has_empty = empty != NULL;
  if (empty != NULL)
    self->empty = *empty;
  self->has_full = full != NULL;
  if (full != NULL)
    self->full = *full;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
tsr_pieces_bar_set_description (TsrPiecesBar *self,
                                const char   *text)
{
  g_return_if_fail (TSR_IS_PIECES_BAR (self));

  /* The numbers are the description; the name says what the bar shows
   * (tsr_pieces_bar_set_label () or a labelled-by relation to its heading):
   * a screen reader reads "Availability Among Peers, image, 3 peers". */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text : "",
                                  -1);
}

void
tsr_pieces_bar_set_label (TsrPiecesBar *self,
                          const char   *label)
{
  g_return_if_fail (TSR_IS_PIECES_BAR (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

GtkWidget *
tsr_pieces_bar_new (void)
{
  return g_object_new (TSR_TYPE_PIECES_BAR, NULL);
}

static void
tsr_pieces_bar_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  tsr_pieces_bar_append_to (TSR_PIECES_BAR (widget),
                            snapshot,
                            gtk_widget_get_width (widget),
                            gtk_widget_get_height (widget));
}

/* A leaf widget: it measures itself, so no layout manager. */
static void
tsr_pieces_bar_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 1;
      *natural = NATURAL_WIDTH;
    }
  else
    {
      *minimum = MINIMUM_HEIGHT;
      *natural = NATURAL_HEIGHT;
    }
  *minimum_baseline = -1;
  *natural_baseline = -1;
}

/* Theme colours may change with no change to our own CSS properties
 * (a new accent colour, the dark style), and they are read at draw time. */
static void
tsr_pieces_bar_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (tsr_pieces_bar_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
tsr_pieces_bar_finalize (GObject *object)
{
  TsrPiecesBar *self = TSR_PIECES_BAR (object);

  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->levels, g_free);
  G_OBJECT_CLASS (tsr_pieces_bar_parent_class)->finalize (object);
}

static void
tsr_pieces_bar_class_init (TsrPiecesBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tsr_pieces_bar_finalize;
  widget_class->snapshot = tsr_pieces_bar_snapshot;
  widget_class->measure = tsr_pieces_bar_measure;
  widget_class->css_changed = tsr_pieces_bar_css_changed;

  gtk_widget_class_set_css_name (widget_class, "piecesbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tsr_pieces_bar_init (TsrPiecesBar *self)
{
  self->levels_width = -1;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  tsr_pieces_bar_set_description (self, NULL);
}
