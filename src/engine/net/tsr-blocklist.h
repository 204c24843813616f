/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist.h: the session's IP blocklist. Its sources are files and
 * http(s) URLs in any format tsr-ip-ranges.h reads, plain or gzipped; a
 * URL's list is kept in the state folder (blocklists/), so that it loads
 * at start without the network, and fetched again every update interval.
 * Lists are read on a worker thread, never on the main loop, and the
 * merged ranges swapped in at once when they are ready ("changed").
 *
 * The dialer, the listener (TCP and uTP) and the session ask it about
 * every address they would connect to or accept; each refusal is
 * counted. All calls are for the main context.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-ip-ranges.h"
#include "tsr-peer-address.h"

G_BEGIN_DECLS

#define TSR_TYPE_BLOCKLIST (tsr_blocklist_get_type ())
G_DECLARE_FINAL_TYPE (TsrBlocklist, tsr_blocklist, TSR, BLOCKLIST, GObject)

/* The default interval between two fetches of a URL source: a day. */
#define TSR_BLOCKLIST_UPDATE_INTERVAL (24 * 60 * 60)

/* Enabled, no source, nothing blocked. */
TsrBlocklist *tsr_blocklist_new                 (void);

/* Where URL sources are kept: @folder/blocklists/ (made when needed).
 * Without one, a URL is fetched into memory at each load. */
void          tsr_blocklist_set_folder          (TsrBlocklist        *self,
                                                 const char          *folder);
/* Files (paths) and http(s) URLs, in place of the previous ones; they
 * are read at the next load. */
void          tsr_blocklist_set_sources         (TsrBlocklist        *self,
                                                 const char *const   *sources);
const char *const *tsr_blocklist_get_sources    (TsrBlocklist        *self);
/* The first URL source, or NULL. */
const char   *tsr_blocklist_get_url             (TsrBlocklist        *self);
/* Makes @url the only URL source (the files stay); NULL or "" drops it. */
void          tsr_blocklist_set_url             (TsrBlocklist        *self,
                                                 const char          *url);
/* Seconds between fetches of the URL sources (0: never by itself);
 * TSR_BLOCKLIST_UPDATE_INTERVAL by default. */
void          tsr_blocklist_set_update_interval (TsrBlocklist        *self,
                                                 guint                seconds);
guint         tsr_blocklist_get_update_interval (TsrBlocklist        *self);
/* Off, nothing is refused (the ranges are kept). */
void          tsr_blocklist_set_enabled         (TsrBlocklist        *self,
                                                 gboolean             enabled);
gboolean      tsr_blocklist_get_enabled         (TsrBlocklist        *self);

/* Reads every source (a URL from its kept copy, fetched first when there
 * is none) on a worker thread and swaps the result in. On failure the
 * ranges in force stay. */
void          tsr_blocklist_load_async          (TsrBlocklist        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      tsr_blocklist_load_finish         (TsrBlocklist        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Fetches every URL source again, then loads as above. */
void          tsr_blocklist_update_async        (TsrBlocklist        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      tsr_blocklist_update_finish       (TsrBlocklist        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Replaces the ranges in force (@ranges NULL: none) and emits "changed". */
void          tsr_blocklist_set_ranges          (TsrBlocklist        *self,
                                                 TsrIpRanges         *ranges);
/* (nullable) The ranges in force, enabled or not. */
TsrIpRanges  *tsr_blocklist_get_ranges          (TsrBlocklist        *self);
/* Merged ranges in force (0 when disabled). */
guint         tsr_blocklist_get_n_ranges        (TsrBlocklist        *self);

/* Whether @address (any port) is blocked now: enabled and in a range. */
gboolean      tsr_blocklist_blocks              (TsrBlocklist         *self,
                                                 const TsrPeerAddress *address);
/* The same, for a connection about to be made or accepted: a refusal is
 * counted. */
gboolean      tsr_blocklist_refuses             (TsrBlocklist         *self,
                                                 const TsrPeerAddress *address);
/* Connections refused since the start (dials, TCP and uTP accepts). */
guint64       tsr_blocklist_get_n_refused       (TsrBlocklist        *self);

G_END_DECLS
