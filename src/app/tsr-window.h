/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-window.h: the main window.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TSR_TYPE_WINDOW (tsr_window_get_type ())
G_DECLARE_FINAL_TYPE (TsrWindow, tsr_window, TSR, WINDOW, AdwApplicationWindow)

TsrWindow *tsr_window_new        (AdwApplication *application);
/* Shows a short message at the bottom of the window. */
void       tsr_window_add_toast  (TsrWindow      *self,
                                  const char     *message);

G_END_DECLS
