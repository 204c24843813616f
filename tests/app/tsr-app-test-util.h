/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-test-util.h: what several app tests need of GTK (linked into
 * the app tests only; tsr-test-util.h is for every test).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The widget under @widget (itself included) whose template or builder
 * id is @id, depth first; NULL when none is. */
GtkWidget *tsr_app_test_find_widget (GtkWidget  *widget,
                                     const char *id);

G_END_DECLS
