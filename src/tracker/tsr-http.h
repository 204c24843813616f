/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-http.h: the little of HTTP/1.1 a tracker needs: request heads read
 * from a byte buffer (GET, the target, keep-alive), responses written.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A request head longer than this is refused (and the connection closed). */
#define TSR_HTTP_MAX_HEAD 8192

typedef enum
{
  TSR_HTTP_NEED_MORE,   /* no whole head yet */
  TSR_HTTP_OK,          /* a head was read; *consumed bytes used */
  TSR_HTTP_BAD,         /* not HTTP, or too long: answer 400 and close */
} TsrHttpResult;

typedef struct
{
  gboolean     get;            /* GET (HEAD and others: FALSE) */
  const char  *path;           /* into the buffer, not NUL-terminated */
  gsize        path_length;
  const char  *query;          /* (nullable) after '?', not decoded */
  gsize        query_length;
  gboolean     keep_alive;     /* HTTP/1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
} TsrHttpRequest;

/* Reads the head of the first request in @data. Requests with a body
 * (Content-Length other than 0, or chunked) are refused. */
TsrHttpResult tsr_http_parse_request  (const guint8   *data,
                                       gsize           length,
                                       TsrHttpRequest *request,
                                       gsize          *consumed);
/* Appends a whole response: status line, Content-Type, Content-Length,
 * "Connection: close" unless @keep_alive, and @body. */
void          tsr_http_write_response (GByteArray     *out,
                                       guint           status,
                                       const char     *reason,
                                       const char     *content_type,
                                       const guint8   *body,
                                       gsize           body_length,
                                       gboolean        keep_alive);

G_END_DECLS
