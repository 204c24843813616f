/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-metadata.h: ut_metadata (BEP 9), an extension of the host in
 * tsr-extensions.h: serves our info dictionary, and fetches one for a
 * torrent added from a magnet link, a piece at a time from the peers
 * that have it. The host hears the metainfo made from it.
 */
#pragma once

#include <glib.h>

#include "tsr-ext-hashes.h"
#include "tsr-extensions.h"
#include "tsr-magnet.h"

G_BEGIN_DECLS

/* Our BEP 10 id for ut_metadata. */
#define TSR_EXT_METADATA_ID 1
/* A peer gets the whole dictionary this many times over, at most. */
#define TSR_EXT_METADATA_SERVE_ROUNDS 4

typedef struct _TsrExtMetadata TsrExtMetadata;

/* Registers itself with @host, which owns it. */
TsrExtMetadata *tsr_ext_metadata_new          (TsrExtensions    *host);
/* The info dictionary we serve (NULL: none yet, every request refused). */
void            tsr_ext_metadata_set_info     (TsrExtMetadata   *self,
                                               GBytes           *info);
/* Fetches the info dictionary of @magnet from the peers that speak
 * ut_metadata (those that do not are closed) and makes the metainfo;
 * a v2-only torrent's piece layers are then asked through @hashes. The
 * host hears the metainfo. */
void            tsr_ext_metadata_fetch        (TsrExtMetadata   *self,
                                               const TsrMagnet  *magnet,
                                               TsrExtHashes     *hashes);
/* Stops a fetch (the dictionary was taken). */
void            tsr_ext_metadata_stop         (TsrExtMetadata   *self);
gboolean        tsr_ext_metadata_is_fetching  (TsrExtMetadata   *self);
/* 0 to 1, of the fetch; 0 when there is none. */
gdouble         tsr_ext_metadata_get_progress (TsrExtMetadata   *self);

G_END_DECLS
