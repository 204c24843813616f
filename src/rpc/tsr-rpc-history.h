/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-history.h: what the RPC reports across runs: session-stats'
 * cumulative totals and each torrent's seconds downloading and seeding
 * and when it finished (tsr-rpc-activity.h counts them within a run). Kept
 * in a key file in the library's folder, written every minute off the main
 * loop and at the end of the run.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 uploaded;        /* bytes */
  guint64 downloaded;
  guint64 files_added;
  gint64  seconds_active;
  guint64 sessions;
} TsrRpcTotals;

typedef struct _TsrRpcHistory TsrRpcHistory;

/* This run's history of @library's torrents, kept nowhere until
 * tsr_rpc_history_keep. */
TsrRpcHistory *tsr_rpc_history_new        (TsrLibrary     *library);
void           tsr_rpc_history_free       (TsrRpcHistory  *self);
/* Reads what earlier runs left in @path (a missing file: nothing), gives
 * each torrent its past times as it comes into the library, and from then
 * on writes @path every minute. Read at start, before the main loop runs:
 * one small file. */
gboolean       tsr_rpc_history_keep       (TsrRpcHistory  *self,
                                           const char     *path,
                                           GError        **error);
/* Writes @path at once and waits (the end of the run, after the loop). */
gboolean       tsr_rpc_history_save_now   (TsrRpcHistory  *self,
                                           GError        **error);
void           tsr_rpc_history_file_added (TsrRpcHistory  *self);
/* This run's totals, and with the earlier runs'. */
void           tsr_rpc_history_get_totals (TsrRpcHistory  *self,
                                           TsrRpcTotals   *current,
                                           TsrRpcTotals   *cumulative);

G_END_DECLS
