/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-log-page.h: one of a torrent's event streams (the torrent log, the
 * peer log or the errors; see tsr-event-log.h) as a read-only text that
 * grows as lines come, a details page.
 */
#pragma once

#include <gtk/gtk.h>

#include "tsr-event-log.h"
#include "tessera-engine.h"

G_BEGIN_DECLS

/* TsrLogKind as a GEnum, so that a .ui names a page's stream by its nick
 * ("torrent", "peers", "errors"). */
#define TSR_TYPE_LOG_KIND (tsr_log_kind_get_type ())
GType tsr_log_kind_get_type (void);

#define TSR_TYPE_LOG_PAGE (tsr_log_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrLogPage, tsr_log_page, TSR, LOG_PAGE, GtkWidget)

TsrLogKind tsr_log_page_get_kind    (TsrLogPage *self);
/* @torrent: (nullable): whose log to show (the one the app keeps for it,
 * see tsr_event_log_get_for); NULL empties the page. */
void       tsr_log_page_set_torrent (TsrLogPage *self,
                                     TsrTorrent *torrent);

G_END_DECLS
