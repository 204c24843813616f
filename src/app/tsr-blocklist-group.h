/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist-group.h: the Blocklist group of the preferences: on or
 * off, the list's URL or file, the update interval, and a row that tells
 * live how many rules are loaded and how many malformed lines were
 * skipped (or why the list did not load), with an "Update Now" button
 * and a spinner while a list is read (tsr-blocklist-settings.h).
 */
#pragma once

#include <adwaita.h>

#include "tsr-blocklist-settings.h"

G_BEGIN_DECLS

#define TSR_TYPE_BLOCKLIST_GROUP (tsr_blocklist_group_get_type ())
G_DECLARE_FINAL_TYPE (TsrBlocklistGroup, tsr_blocklist_group, TSR, BLOCKLIST_GROUP, AdwPreferencesGroup)

/* Binds the rows to @settings; @blocklist (nullable: then nothing is
 * loaded to tell of, and nothing to update) drives the status row. */
void tsr_blocklist_group_set_up (TsrBlocklistGroup    *self,
                                 GSettings            *settings,
                                 TsrBlocklistSettings *blocklist);

G_END_DECLS
