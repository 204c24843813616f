/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-pex.h: ut_pex (BEP 11), an extension of the host in
 * tsr-extensions.h: tells each peer, once a minute, which of our
 * connections it could dial, and hands the host the addresses peers
 * tell us. Never for a private torrent (BEP 27).
 */
#pragma once

#include <glib.h>

#include "tsr-extensions.h"
#include "tsr-pex.h"

G_BEGIN_DECLS

/* Our BEP 10 id for ut_pex. */
#define TSR_EXT_PEX_ID 2
/* Seconds after a peer came before the first PEX message to it. */
#define TSR_EXT_PEX_FIRST_DELAY 5
/* A peer's PEX messages closer than this are ignored (BEP 11: one a
 * minute; a little slack for timers). */
#define TSR_EXT_PEX_MIN_GAP 45

typedef struct _TsrExtPex TsrExtPex;

/* Registers itself with @host, which owns it. Until told the metainfo,
 * it takes addresses but sends none. */
TsrExtPex *tsr_ext_pex_new          (TsrExtensions *host);
/* The metainfo is known: messages go out, unless @is_private, which
 * also takes ut_pex out of our handshake and ignores what peers tell. */
void       tsr_ext_pex_set_metainfo (TsrExtPex     *self,
                                     gboolean       is_private);

G_END_DECLS
