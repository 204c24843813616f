/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-webui.h: the web interface's files (data/webui/, compiled in as a
 * GResource) served on a SoupServer. The page talks only to the
 * Transmission RPC at /transmission/rpc of the same origin.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void     tsr_webui_add_handler (SoupServer        *server);
gboolean tsr_webui_serve       (SoupServerMessage *msg,
                                const char        *path);

G_END_DECLS
