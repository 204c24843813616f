/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-state.h: the file a DHT node keeps its id and routing tables
 * in between runs. Blocking file I/O, small (a few KiB).
 */
#pragma once

#include <glib.h>

#include "tsr-dht-table.h"

G_BEGIN_DECLS

/* Reads the state file at @path: its IPv4 and IPv6 tables, (transfer
 * full) into @table4 and @table6, which share one node id. FALSE with
 * G_FILE_ERROR_INVAL when the file is not a state file. */
gboolean tsr_dht_state_load (const char   *path,
                             TsrDhtTable **table4,
                             TsrDhtTable **table6,
                             GError      **error);
/* Writes @table4 and @table6 to @path, atomically, mode 0600. */
gboolean tsr_dht_state_save (const char   *path,
                             TsrDhtTable  *table4,
                             TsrDhtTable  *table6,
                             GError      **error);

G_END_DECLS
