/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-remote-page.h: the Remote Control page of the preferences: the
 * rpc-* keys, the password (kept by TsrRemoteControl, not in GSettings),
 * whether the server runs or why it cannot, and a button that opens the
 * web interface.
 */
#pragma once

#include <adwaita.h>

#include "tsr-remote-control.h"

G_BEGIN_DECLS

#define TSR_TYPE_REMOTE_PAGE (tsr_remote_page_get_type ())
G_DECLARE_FINAL_TYPE (TsrRemotePage, tsr_remote_page, TSR, REMOTE_PAGE, AdwPreferencesPage)

GtkWidget *tsr_remote_page_new (GSettings        *settings,
                                TsrRemoteControl *remote);
/* The address the web interface is reached at, as the button opens it. */
char      *tsr_remote_page_dup_uri (TsrRemotePage *self);

G_END_DECLS
