/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist-settings.h: the session's IP blocklist (net/tsr-blocklist.h)
 * following the app's GSettings: "blocklist-enabled", "blocklist-url" (an
 * http(s) URL, a path or a file:// URI) and "blocklist-update-interval"
 * (hours), applied at once and whenever they change. Lists are read and
 * fetched off the main loop by the engine; this object tells what came of
 * it, for the preferences to show live: the rules loaded (merged ranges),
 * the malformed lines skipped, whether a list is being read, and the last
 * read's or update's failure (NULL once one succeeds), with "changed"
 * whenever one of them may have.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_BLOCKLIST_SETTINGS (tsr_blocklist_settings_get_type ())
G_DECLARE_FINAL_TYPE (TsrBlocklistSettings, tsr_blocklist_settings, TSR, BLOCKLIST_SETTINGS, GObject)

/* Applies @settings to @blocklist now (loading the list when it is on)
 * and from then on; a URL's list is kept under @folder/blocklists/. */
TsrBlocklistSettings *tsr_blocklist_settings_new           (GSettings            *settings,
                                                            TsrBlocklist         *blocklist,
                                                            const char           *folder);
/* Fetches a URL again and reads the list anew ("Update Now"). */
void                  tsr_blocklist_settings_update        (TsrBlocklistSettings *self);
guint                 tsr_blocklist_settings_get_n_rules   (TsrBlocklistSettings *self);
guint                 tsr_blocklist_settings_get_n_malformed (TsrBlocklistSettings *self);
gboolean              tsr_blocklist_settings_get_busy      (TsrBlocklistSettings *self);
/* (nullable) */
const char           *tsr_blocklist_settings_get_error     (TsrBlocklistSettings *self);

G_END_DECLS
