/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-a11y.h: workarounds for what GTK 4.8 and libadwaita 1.2 tell a
 * screen reader over AT-SPI, where the toolkit's own answer is wrong
 * (a name read twice, a widget's type read as its name). Each goes once
 * the app needs GTK 4.12 (gtk_list_item_set_accessible_label ()).
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

/* A torrent as a screen reader says it: "name, 42 percent, Downloading". */
char *tsr_a11y_dup_torrent_text       (TsrTorrent    *torrent);
/* Drops the accessible label GTK 4.8 gives each button with a mnemonic
 * under @root ("_Start"): its label's labelled-by relation names it
 * already, and AT-SPI would read both ("_Start Start"). */
void  tsr_a11y_fix_mnemonic_buttons   (GtkWidget     *root);
/* Names the list row (GTK's private GtkListItemWidget) that holds
 * @child, a list item's child in a GtkListView or a cell's in a
 * GtkColumnView; GTK 4.8 reads the row by its type. */
void  tsr_a11y_set_row_label          (GtkWidget     *child,
                                       const char    *label);
/* Names the GtkColumnView cell that holds @child; GTK 4.8 reads
 * "GtkColumnViewCell" otherwise. */
void  tsr_a11y_set_cell_label         (GtkWidget     *child,
                                       const char    *label);
/* Keeps the GtkColumnView cell that holds @label named by its text, and
 * an empty one by "None" (GTK 4.8 would read "GtkLabel"). */
void  tsr_a11y_follow_cell_label      (GtkLabel      *label);
/* Names @bar "Progress" and keeps the GtkColumnView cell that holds it
 * named by its percent. */
void  tsr_a11y_follow_cell_progress   (GtkProgressBar *bar);
/* Keeps the list row that holds @child expanded or collapsed as @row
 * is (when it can expand); GTK 4.8's GtkTreeExpander tells a screen
 * reader neither. NULL @row stops following the previous one. */
void  tsr_a11y_follow_tree_row        (GtkWidget      *child,
                                       GtkTreeListRow *row);
/* Names the toggle inside @drop_down as the drop-down; GTK 4.8 reads
 * "GtkToggleButton". Call once the drop-down has its accessible label. */
void  tsr_a11y_name_drop_down         (GtkDropDown   *drop_down,
                                       const char    *label);
/* Names what libadwaita 1.2 leaves unnamed under @root: an
 * AdwPreferencesWindow's search button and entry, view switchers and
 * search results, each untitled AdwPreferencesGroup's list (a titled
 * one's is labelled by its title); hides the view switchers' icons,
 * decoration that reads as "GtkImage". */
void  tsr_a11y_fix_adw_parts          (GtkWidget     *root);
/* Names the inner parts of @view GTK 4.8 reads by their type: the row
 * of column titles and the list of rows (named @name, as the view). */
void  tsr_a11y_name_column_view       (GtkColumnView *view,
                                       const char    *name);
/* Names what GTK 4.8 leaves unnamed in the shortcuts window @overlay,
 * each time it is shown: each group by its title, each shortcut by its
 * title and keys (its key label too, read as "GtkShortcutLabel"), the
 * search button and entry, the page switcher and its pages ("_1"). */
void  tsr_a11y_fix_shortcuts_window   (GtkShortcutsWindow *overlay);

G_END_DECLS
