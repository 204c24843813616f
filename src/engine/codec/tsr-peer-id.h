/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-id.h: the client a peer id names (BEP 20 conventions).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Transmission 3.00", "libtorrent 2.0.8", "BitTorrent 7.4.3"; for an id
 * no convention explains, "Unknown" and the id's printable start. */
char *tsr_peer_id_describe (const guint8 *peer_id);

G_END_DECLS
