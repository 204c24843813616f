/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-pieces-bar.h: a thin bar that shows one value per piece (which
 * pieces we have, or how available each is in the swarm), aggregated
 * exactly into pixel columns.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TSR_TYPE_PIECES_BAR (tsr_pieces_bar_get_type ())
G_DECLARE_FINAL_TYPE (TsrPiecesBar, tsr_pieces_bar, TSR, PIECES_BAR, GtkWidget)

GtkWidget *tsr_pieces_bar_new             (void);
/* Copies @values (n_pieces floats, each clamped to [0, 1]); redraws only
 * when they differ from the current ones. */
void       tsr_pieces_bar_set_values      (TsrPiecesBar    *self,
                                           const float     *values,
                                           guint            n_pieces);
/* (transfer none): the values shown, @n_pieces of them (NULL when none). */
const float *tsr_pieces_bar_get_values    (TsrPiecesBar    *self,
                                           guint           *n_pieces);
/* Overrides the theme colours; NULL restores the theme's for that end. */
void       tsr_pieces_bar_set_colors      (TsrPiecesBar    *self,
                                           const GdkRGBA   *empty,
                                           const GdkRGBA   *full);
/* The accessible description, the numbers: e.g. "412 of 1024 pieces". */
void       tsr_pieces_bar_set_description (TsrPiecesBar    *self,
                                           const char      *text);
/* The accessible name, what the bar shows, when no heading labels it
 * (a labelled-by relation in the .ui). */
void       tsr_pieces_bar_set_label       (TsrPiecesBar    *self,
                                           const char      *label);
/* Draws the bar at (0, 0) with the given size; the snapshot vfunc calls it
 * with the allocation, tests call it directly. */
void       tsr_pieces_bar_append_to       (TsrPiecesBar    *self,
                                           GtkSnapshot     *snapshot,
                                           int              width,
                                           int              height);

G_END_DECLS
