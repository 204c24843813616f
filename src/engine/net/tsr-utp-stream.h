/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-stream.h: a GIOStream over one uTP connection of a
 * TsrUtpManager, so that code written for a TCP GSocketConnection takes
 * a uTP connection unchanged. Both halves are pollable
 * (g_pollable_*_create_source, _read_nonblocking, _write_nonblocking),
 * and the async read, write and close calls use them: no thread ever
 * touches the connection.
 *
 * The connection lives on the main context of the manager's thread, so
 * a blocking call could wait forever: the blocking read and write fail
 * with G_IO_ERROR_WOULD_BLOCK when nothing is ready, as the
 * non-blocking ones do.
 *
 * Closing: closing the output stream sends our FIN after what was
 * written; the peer's FIN ends the input (a read returns 0). Closing the
 * GIOStream closes both and releases the connection, which the manager
 * finishes in the background (what we wrote is still delivered).
 * tsr_utp_stream_abort() ends it at once with a RESET.
 *
 * Errors, in G_IO_ERROR: a RESET from the peer (or our abort) is
 * CONNECTION_CLOSED, a peer that went silent TIMED_OUT, a refused SYN
 * CONNECTION_REFUSED; writing after the connection ended cleanly is
 * BROKEN_PIPE (GIO's same code as CONNECTION_CLOSED). Each keeps the
 * connection's own message.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-utp-manager.h"

G_BEGIN_DECLS

#define TSR_TYPE_UTP_STREAM (tsr_utp_stream_get_type ())
G_DECLARE_FINAL_TYPE (TsrUtpStream, tsr_utp_stream, TSR, UTP_STREAM, GIOStream)

/* Takes @channel (dialled, or given by `accept`) and sets its callbacks. */
TsrUtpStream         *tsr_utp_stream_new            (TsrUtpChannel        *channel);
/* Dials @address through @manager; completes once the peer answers. */
void                  tsr_utp_stream_connect_async  (TsrUtpManager        *manager,
                                                     const TsrPeerAddress *address,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
TsrUtpStream         *tsr_utp_stream_connect_finish (GAsyncResult         *result,
                                                     GError              **error);
const TsrPeerAddress *tsr_utp_stream_get_address    (TsrUtpStream         *self);
/* A RESET now: the peer's reads and writes fail. */
void                  tsr_utp_stream_abort          (TsrUtpStream         *self);

G_END_DECLS
