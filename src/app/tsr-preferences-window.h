/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-preferences-window.h: the preferences, each bound to its GSettings
 * key; the application applies changes to the engine as they happen.
 * @blocklist (nullable) tells the Blocklist group what the app's list
 * holds and updates it (tsr-blocklist-group.h).
 */
#pragma once

#include <adwaita.h>

#include "tsr-blocklist-settings.h"

G_BEGIN_DECLS

#define TSR_TYPE_PREFERENCES_WINDOW (tsr_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TsrPreferencesWindow, tsr_preferences_window, TSR, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *tsr_preferences_window_new (GSettings            *settings,
                                       TsrBlocklistSettings *blocklist);

G_END_DECLS
