/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-entry-row.h: a preferences row with a text field, in place of
 * libadwaita 1.2's AdwEntryRow, whose field a screen reader does not
 * hear: GTK 4.8 sends the focus event from an inner part marked "not
 * focused", so Orca says nothing when Tab lands there. Here the field
 * is a plain GtkEntry in the row's suffix, named by the row's title;
 * the row is its GtkEditable (text, through the entry), and, like
 * AdwEntryRow, it can show an apply button and emit "apply" (the
 * button, or Enter). With "password" set, the field hides its text and
 * a toggle button beside it ("Show the Password") shows it.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TSR_TYPE_ENTRY_ROW (tsr_entry_row_get_type ())
G_DECLARE_FINAL_TYPE (TsrEntryRow, tsr_entry_row, TSR, ENTRY_ROW, AdwActionRow)

GtkWidget *tsr_entry_row_new                   (void);
/* The field itself (a GtkEntry). */
GtkWidget *tsr_entry_row_get_entry             (TsrEntryRow *self);
void       tsr_entry_row_set_show_apply_button (TsrEntryRow *self,
                                                gboolean     show);
void       tsr_entry_row_set_password          (TsrEntryRow *self,
                                                gboolean     password);

G_END_DECLS
