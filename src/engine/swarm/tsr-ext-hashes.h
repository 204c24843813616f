/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-hashes.h: BEP 52 hash requests, an extension of the host in
 * tsr-extensions.h (it takes the HASH_REQUEST, HASHES and HASH_REJECT
 * messages, not a BEP 10 id). It answers from the metainfo's piece
 * layers, and fetches a v2-only magnet's piece layers from its peers;
 * the host hears when they are all in.
 */
#pragma once

#include <glib.h>

#include "tsr-extensions.h"
#include "tsr-metainfo.h"
#include "tsr-storage.h"

G_BEGIN_DECLS

/* Hash requests answered on one connection, at most. */
#define TSR_EXT_HASHES_MAX_REQUESTS 8192
/* Requests waiting for their tree, at most. */
#define TSR_EXT_HASHES_MAX_WAITING 256
/* Seconds before a hash request is asked of another peer. */
#define TSR_EXT_HASHES_REQUEST_TIMEOUT 10
/* Hashes per request (BEP 52: should not be more). */
#define TSR_EXT_HASHES_PER_REQUEST 512

typedef struct _TsrExtHashes TsrExtHashes;

/* Registers itself with @host, which owns it; work on the I/O pool is
 * dropped when it is freed. */
TsrExtHashes *tsr_ext_hashes_new          (TsrExtensions *host);
/* What requests are answered from: @info's piece layers, and @storage
 * for block hashes of pieces we have. */
void          tsr_ext_hashes_set_metainfo (TsrExtHashes  *self,
                                           TsrMetainfo   *info,
                                           TsrStorage    *storage);
/* For a v2-only magnet's metainfo without piece layers: TRUE when they
 * are being asked of peers (the host hears the metainfo when they came);
 * FALSE when @info has no layer to ask for. */
gboolean      tsr_ext_hashes_fetch        (TsrExtHashes  *self,
                                           TsrMetainfo   *info);

G_END_DECLS
