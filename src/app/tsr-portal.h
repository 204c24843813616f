/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-portal.h: the desktop portals Tessera asks (Background).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Asks org.freedesktop.portal.Background to let the app run with no
 * window, saying @reason to the user. The result is TRUE when allowed,
 * FALSE when the user or the desktop said no, and FALSE with an error
 * when there is no portal to ask. */
void     tsr_portal_request_background_async  (GDBusConnection     *connection,
                                               const char          *reason,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean tsr_portal_request_background_finish (GDBusConnection     *connection,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
