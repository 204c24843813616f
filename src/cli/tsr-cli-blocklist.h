/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-blocklist.h: `tessera-cli peer --blocklist FILE|URL`: the
 * session's blocklist from those sources, loaded off the main loop and
 * told as a "blocklist" event (ranges, malformed lines), or an error.
 */
#pragma once

#include "tsr-cli-events.h"

G_BEGIN_DECLS

/* Gives @sources (files and http(s) URLs; NULL or empty: none) to
 * @session's blocklist, URLs kept under @state, and starts loading them.
 * @sink must outlive the main loop. */
void tsr_cli_blocklist_start (TsrSession            *session,
                              const char *const     *sources,
                              const char            *state,
                              const TsrCliEventSink *sink);

G_END_DECLS
