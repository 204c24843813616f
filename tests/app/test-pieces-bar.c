/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-pieces-bar.c: TsrPiecesBar draws what the pieces say, pixel by
 * pixel. Each test renders the bar with tsr_pieces_bar_append_to into a
 * GtkSnapshot, draws the node with cairo and reads the pixels back; the
 * colours are opaque black (empty) and white (full), so a column of value
 * t must read as grey t * 255, whatever the theme. Needs a display (run
 * under xvfb-run); without one it fails rather than skips.
 */
#include "config.h"

#include <math.h>
#include <gtk/gtk.h>

#include "tsr-pieces-bar.h"

#define HEIGHT 16

static const GdkRGBA black = { 0.f, 0.f, 0.f, 1.f };
static const GdkRGBA white = { 1.f, 1.f, 1.f, 1.f };

static TsrPiecesBar *
new_bar (const float *values,
         guint        n_pieces)
{
  TsrPiecesBar *bar = TSR_PIECES_BAR (tsr_pieces_bar_new ());

  g_object_ref_sink (bar);
  tsr_pieces_bar_set_colors (bar, &black, &white);
  tsr_pieces_bar_set_values (bar, values, n_pieces);
  return bar;
}

/* The bar drawn at width x HEIGHT onto a transparent ARGB32 surface. */
static cairo_surface_t *
render (TsrPiecesBar *bar,
        int           width)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;

  tsr_pieces_bar_append_to (bar, snapshot, width, HEIGHT);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, HEIGHT);
  cr = cairo_create (surface);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  gsk_render_node_unref (node);
  cairo_surface_flush (surface);
  return surface;
}

static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return *(const guint32 *) (data + y * stride + x * 4);
}

/* Column x must be opaque grey @expected (0..255) +- @tolerance, from top
 * to bottom. Opaque matters: a missing background would read as black. */
static void
assert_column (cairo_surface_t *surface,
               int              x,
               int              expected,
               int              tolerance)
{
  const int rows[] = { 0, HEIGHT / 2, HEIGHT - 1 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (rows); k++)
    {
      guint32 pixel = pixel_at (surface, x, rows[k]);
      int a = (pixel >> 24) & 0xff;
      int r = (pixel >> 16) & 0xff;
      int g = (pixel >> 8) & 0xff;
      int b = pixel & 0xff;

      if (a != 255 || r != g || g != b || ABS (r - expected) > tolerance)
        g_error ("column %d, row %d: got ARGB %02x%02x%02x%02x, expected opaque grey %d +- %d",
                 x, rows[k], a, r, g, b, expected, tolerance);
    }
}

static void
assert_columns (cairo_surface_t *surface,
                int              first,
                int              last,
                int              expected)
{
  int x;

  for (x = first; x <= last; x++)
    assert_column (surface, x, expected, 0);
}

static const float quarters[] = { 1.f, 0.f, 1.f, 0.f };

/* 1. Piece edges on pixel edges: four exact quarters. */
static void
test_quarters_aligned (void)
{
  g_autoptr(TsrPiecesBar) bar = new_bar (quarters, 4);
  cairo_surface_t *surface = render (bar, 100);

  assert_columns (surface, 0, 24, 255);
  assert_columns (surface, 25, 49, 0);
  assert_columns (surface, 50, 74, 255);
  assert_columns (surface, 75, 99, 0);
  cairo_surface_destroy (surface);
}

/* 2. Piece edges mid-pixel: the column blends by coverage. */
static void
test_quarters_width_7 (void)
{
  /* Edges at 1.75, 3.5 and 5.25. */
  const double expected[7] = { 1.0, 0.75, 0.0, 0.5, 1.0, 0.25, 0.0 };
  g_autoptr(TsrPiecesBar) bar = new_bar (quarters, 4);
  cairo_surface_t *surface = render (bar, 7);
  int x;

  for (x = 0; x < 7; x++)
    assert_column (surface, x, (int) (expected[x] * 255.0 + 0.5), 1);
  cairo_surface_destroy (surface);
}

static void
test_quarters_width_333 (void)
{
  /* Edges at 83.25, 166.5 and 249.75. */
  g_autoptr(TsrPiecesBar) bar = new_bar (quarters, 4);
  cairo_surface_t *surface = render (bar, 333);

  assert_columns (surface, 0, 82, 255);
  assert_column (surface, 83, 64, 1);     /* 0.25 of piece 0 */
  assert_columns (surface, 84, 165, 0);
  assert_column (surface, 166, 128, 1);   /* 0.5 of piece 2 */
  assert_columns (surface, 167, 248, 255);
  assert_column (surface, 249, 191, 1);   /* 0.75 of piece 2 */
  assert_columns (surface, 250, 332, 0);
  cairo_surface_destroy (surface);
}

/* More pieces than pixels, not aligned: 3 pieces over 2 columns. */
static void
test_three_pieces_width_2 (void)
{
  const float values[] = { 1.f, 0.f, 1.f };
  g_autoptr(TsrPiecesBar) bar = new_bar (values, G_N_ELEMENTS (values));
  cairo_surface_t *surface = render (bar, 2);

  assert_column (surface, 0, 170, 1);     /* 2/3 piece 0 + 1/3 piece 1 */
  assert_column (surface, 1, 170, 1);     /* 1/3 piece 1 + 2/3 piece 2 */
  cairo_surface_destroy (surface);
}

/* 3. A half-full piece is mid-grey. */
static void
test_half_value (void)
{
  const float values[] = { 0.5f, 0.f };
  g_autoptr(TsrPiecesBar) bar = new_bar (values, G_N_ELEMENTS (values));
  cairo_surface_t *surface = render (bar, 10);
  int x;

  for (x = 0; x < 5; x++)
    assert_column (surface, x, 128, 1);
  assert_columns (surface, 5, 9, 0);
  cairo_surface_destroy (surface);
}

/* Out-of-range values are clamped: NaN and negatives to 0, above 1 to 1.
 * Pairs share a column, so an unclamped value would skew its average. */
static void
test_clamps_values (void)
{
  const float values[] = { 2.f, 0.f, -1.f, 1.f, NAN, 1.f, 1e30f, 0.f };
  g_autoptr(TsrPiecesBar) bar = new_bar (values, G_N_ELEMENTS (values));
  cairo_surface_t *surface = render (bar, 4);
  int x;

  for (x = 0; x < 4; x++)
    assert_column (surface, x, 128, 1);
  cairo_surface_destroy (surface);
}

/* No pieces: just the empty background. */
static void
test_no_pieces (void)
{
  g_autoptr(TsrPiecesBar) bar = new_bar (NULL, 0);
  cairo_surface_t *surface = render (bar, 20);

  assert_columns (surface, 0, 19, 0);
  cairo_surface_destroy (surface);
}

#define MILLION 1000000

/* 4a. A million alternating pieces: every column averages to half. */
static void
test_million_alternating (void)
{
  g_autofree float *values = g_new (float, MILLION);
  g_autoptr(TsrPiecesBar) bar = NULL;
  cairo_surface_t *surface;
  guint i;

  for (i = 0; i < MILLION; i++)
    values[i] = (i % 2 == 0) ? 1.f : 0.f;
  bar = new_bar (values, MILLION);
  surface = render (bar, 1000);
  for (i = 0; i < 1000; i++)
    assert_column (surface, i, 128, 1);
  cairo_surface_destroy (surface);
}

/* 4b. A million pieces, first half had: left half white, right black. */
static void
test_million_first_half (void)
{
  g_autofree float *values = g_new0 (float, MILLION);
  g_autoptr(TsrPiecesBar) bar = NULL;
  cairo_surface_t *surface;
  guint i;

  for (i = 0; i < MILLION / 2; i++)
    values[i] = 1.f;
  bar = new_bar (values, MILLION);
  surface = render (bar, 1000);
  assert_columns (surface, 0, 499, 255);
  assert_columns (surface, 500, 999, 0);
  cairo_surface_destroy (surface);

  /* A different width after the first draw recomputes, not reuses. */
  surface = render (bar, 333);
  assert_columns (surface, 0, 165, 255);
  assert_column (surface, 166, 128, 1);
  assert_columns (surface, 167, 332, 0);
  cairo_surface_destroy (surface);
}

/* New values after a draw are drawn, not the cached columns. */
static void
test_new_values_redraw (void)
{
  const float inverse[] = { 0.f, 1.f, 0.f, 1.f };
  g_autoptr(TsrPiecesBar) bar = new_bar (quarters, 4);
  cairo_surface_t *surface = render (bar, 100);

  assert_column (surface, 0, 255, 0);
  cairo_surface_destroy (surface);

  tsr_pieces_bar_set_values (bar, inverse, 4);
  surface = render (bar, 100);
  assert_columns (surface, 0, 24, 0);
  assert_columns (surface, 25, 49, 255);
  cairo_surface_destroy (surface);
}

/* Theme colours: full pieces are drawn opaque and unlike empty ones. */
static void
test_theme_colors (void)
{
  const float values[] = { 1.f, 0.f };
  g_autoptr(TsrPiecesBar) bar = new_bar (values, G_N_ELEMENTS (values));
  cairo_surface_t *surface;
  guint32 full;
  guint32 empty;

  tsr_pieces_bar_set_colors (bar, NULL, NULL);
  surface = render (bar, 10);
  full = pixel_at (surface, 2, HEIGHT / 2);
  empty = pixel_at (surface, 7, HEIGHT / 2);
  g_assert_cmphex (full >> 24, ==, 0xff);
  g_assert_cmphex (empty >> 24, >, 0);
  g_assert_cmphex (full, !=, empty);
  cairo_surface_destroy (surface);
}

static void
test_measure (void)
{
  g_autoptr(TsrPiecesBar) bar = new_bar (NULL, 0);
  int minimum;
  int natural;

  gtk_widget_measure (GTK_WIDGET (bar), GTK_ORIENTATION_VERTICAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 16);
  g_assert_cmpint (minimum, <=, natural);
  g_assert_true (gtk_widget_get_hexpand (GTK_WIDGET (bar)));
  g_assert_cmpstr (gtk_widget_get_css_name (GTK_WIDGET (bar)), ==, "piecesbar");
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (bar)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  tsr_pieces_bar_set_description (bar, "412 of 1024 pieces");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* TAP readers fail the test on "Bail out!"; the status fails it too. */
      g_print ("Bail out! test-pieces-bar: cannot open a display (DISPLAY=%s, "
               "WAYLAND_DISPLAY=%s); run it under xvfb-run\n",
               g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "unset",
               g_getenv ("WAYLAND_DISPLAY") ? g_getenv ("WAYLAND_DISPLAY") : "unset");
      return 1;
    }

  g_test_add_func ("/pieces-bar/quarters/aligned", test_quarters_aligned);
  g_test_add_func ("/pieces-bar/quarters/width-7", test_quarters_width_7);
  g_test_add_func ("/pieces-bar/quarters/width-333", test_quarters_width_333);
  g_test_add_func ("/pieces-bar/three-pieces-width-2", test_three_pieces_width_2);
  g_test_add_func ("/pieces-bar/half-value", test_half_value);
  g_test_add_func ("/pieces-bar/clamps-values", test_clamps_values);
  g_test_add_func ("/pieces-bar/no-pieces", test_no_pieces);
  g_test_add_func ("/pieces-bar/million/alternating", test_million_alternating);
  g_test_add_func ("/pieces-bar/million/first-half", test_million_first_half);
  g_test_add_func ("/pieces-bar/new-values-redraw", test_new_values_redraw);
  g_test_add_func ("/pieces-bar/theme-colors", test_theme_colors);
  g_test_add_func ("/pieces-bar/measure", test_measure);

  return g_test_run ();
}
