/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-remote-control.h: Transmission's RPC (src/rpc) served in-process on
 * the app's own library, as Transmission's GTK client does, following
 * the rpc-* and web-interface-enabled keys live: enabling starts the
 * server, disabling stops it, any other change restarts it. The password
 * is kept in CONFIG_DIR/rpc-password (mode 0600), not in GSettings.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_REMOTE_CONTROL (tsr_remote_control_get_type ())
G_DECLARE_FINAL_TYPE (TsrRemoteControl, tsr_remote_control, TSR, REMOTE_CONTROL, GObject)

/* Serves @library when @settings say so, the password read from
 * @config_dir (created when a password is saved). */
TsrRemoteControl *tsr_remote_control_new          (GSettings        *settings,
                                                   TsrLibrary       *library,
                                                   const char       *config_dir);
/* Whether the server is listening. */
gboolean          tsr_remote_control_get_running  (TsrRemoteControl *self);
/* The port it listens on (0 while stopped). */
guint             tsr_remote_control_get_port     (TsrRemoteControl *self);
/* Why it could not start, translated; NULL when it runs or is off. */
const char       *tsr_remote_control_get_error    (TsrRemoteControl *self);
/* Whether a password is set. */
gboolean          tsr_remote_control_has_password (TsrRemoteControl *self);
/* Sets the password (NULL or "": none), applies it and saves it in the
 * background. */
void              tsr_remote_control_set_password (TsrRemoteControl *self,
                                                   const char       *password);

G_END_DECLS
