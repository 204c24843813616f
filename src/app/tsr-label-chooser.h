/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-label-chooser.h: labels to give one or more torrents: a check
 * button per label already in use, and an entry for new ones (separated
 * by commas). For the list's "Labels…" dialog and the add dialog.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TSR_TYPE_LABEL_CHOOSER (tsr_label_chooser_get_type ())
G_DECLARE_FINAL_TYPE (TsrLabelChooser, tsr_label_chooser, TSR, LABEL_CHOOSER, GtkWidget)

/* @known: the labels in use (nullable), one check button each. */
GtkWidget *tsr_label_chooser_new      (const char * const *known);
/* Sets @label's check button: on, off, or inconsistent (some of the
 * torrents have it); unknown labels are ignored. */
void       tsr_label_chooser_set      (TsrLabelChooser    *self,
                                       const char         *label,
                                       gboolean            active,
                                       gboolean            inconsistent);
void       tsr_label_chooser_set_new_text (TsrLabelChooser *self,
                                           const char      *text);
/* What a torrent holding @current gets: @current without the labels
 * turned off, with those turned on and the new ones typed in; a label
 * left inconsistent stays as it was. Not yet sanitised: the library
 * does that. */
char     **tsr_label_chooser_apply    (TsrLabelChooser    *self,
                                       const char * const *current);

G_END_DECLS
