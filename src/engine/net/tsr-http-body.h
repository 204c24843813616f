/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-http-body.h: one HTTP reply read whole into memory, within a size
 * and a time the caller chooses. For small answers from servers we do
 * not control (trackers): never more than the cap is held, however the
 * body is framed or encoded.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define TSR_HTTP_BODY_ERROR (tsr_http_body_error_quark ())
GQuark tsr_http_body_error_quark (void);

typedef enum
{
  TSR_HTTP_BODY_ERROR_TOO_LARGE,   /* declared or decoded body over the cap */
  TSR_HTTP_BODY_ERROR_TIMED_OUT,   /* the whole reply took longer than allowed */
} TsrHttpBodyError;

/* Sends @message on @session and reads its (decoded) body in chunks, on
 * the main context of the call. Fails with TSR_HTTP_BODY_ERROR_TOO_LARGE
 * as soon as a declared Content-Length or the bytes read pass
 * @max_size, and with TSR_HTTP_BODY_ERROR_TIMED_OUT when headers and
 * body together take more than @timeout_seconds. The body of a reply
 * whose status is not 2xx is not read: the result is then empty, and the
 * caller reports the status. */
void    tsr_http_body_read_async  (SoupSession          *session,
                                   SoupMessage          *message,
                                   gsize                 max_size,
                                   guint                 timeout_seconds,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
GBytes *tsr_http_body_read_finish (SoupSession          *session,
                                   GAsyncResult         *result,
                                   GError              **error);
/* The message given to tsr_http_body_read_async (borrowed from @result). */
SoupMessage *tsr_http_body_get_message (GAsyncResult    *result);

G_END_DECLS
