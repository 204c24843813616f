/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-event-log.h: a torrent's event streams as the original's log views
 * showed them: the torrent log (state, checks, trackers, limits), the peer
 * log (connections, choking, bans) and errors. Each keeps its newest
 * lines up to a length, and records whether or not a view shows it.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_LOG_TORRENT,
  TSR_LOG_PEERS,
  TSR_LOG_ERRORS,
  TSR_N_LOGS
} TsrLogKind;

#define TSR_TYPE_EVENT_LOG (tsr_event_log_get_type ())
G_DECLARE_FINAL_TYPE (TsrEventLog, tsr_event_log, TSR, EVENT_LOG, GObject)

/* Listens to @torrent (not kept alive by the log). */
TsrEventLog *tsr_event_log_new        (TsrTorrent  *torrent,
                                       guint        max_lines);
void         tsr_event_log_set_max_lines (TsrEventLog *self,
                                          guint        max_lines);
/* Adds a line (the time is put in front). */
void         tsr_event_log_add        (TsrEventLog *self,
                                       TsrLogKind   kind,
                                       const char  *text);
/* The lines of @kind, oldest first, one per line. */
char        *tsr_event_log_dup_text   (TsrEventLog *self,
                                       TsrLogKind   kind);
guint        tsr_event_log_get_n_lines (TsrEventLog *self,
                                        TsrLogKind   kind);
/* What @url last answered: FALSE when it was never heard from. @message
 * is the error, or NULL after a good reply; counts are -1 when unknown;
 * @when is wall-clock seconds. */
/* The tracker's last scrape (BEP 48): seeders, leechers and completed
 * downloads in its swarm; FALSE when it was never scraped. */
gboolean     tsr_event_log_get_scrape  (TsrEventLog *self,
                                        const char  *url,
                                        gint64      *seeders,
                                        gint64      *leechers,
                                        gint64      *downloaded);
gboolean     tsr_event_log_get_tracker (TsrEventLog *self,
                                        const char  *url,
                                        gint64      *when,
                                        const char **message,
                                        gint64      *seeders,
                                        gint64      *leechers);
/* What @url last said, in a line: "10:02:11: 3 seeders, 4 leechers",
 * then the scrape's counts; "Not asked yet" when @self (nullable) has
 * not heard from it. */
char        *tsr_event_log_dup_tracker_status (TsrEventLog *self,
                                               const char  *url);
/* The log kept for @torrent by the app (see tsr_event_log_attach). */
TsrEventLog *tsr_event_log_get_for    (TsrTorrent  *torrent);
void         tsr_event_log_attach     (TsrTorrent  *torrent,
                                       guint        max_lines);

G_END_DECLS
