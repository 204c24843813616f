/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-http.c: HTTP/1.1 request heads for the tracker's own listener.
 * libsoup's server, measured, answered 0.6 of opentracker's announces a
 * second with keep-alive (its per-message objects, signals and header
 * tables cost more than the announce); a tracker needs only GET with a
 * query string, so the head is read here, in place, with bounds on
 * every length. Hostile input: anything not clearly a request head is
 * TSR_HTTP_BAD.
 */
#define G_LOG_DOMAIN "tsr-tracker"

#include "config.h"

#include <string.h>

#include "tsr-http.h"

static gboolean
header_is (const char *line,
           gsize       length,
           const char *name,
           const char **value,
           gsize       *value_length)
{
  gsize n = strlen (name);

  if (length <= n || line[n] != ':' || g_ascii_strncasecmp (line, name, n) != 0)
    return FALSE;
  *value = line + n + 1;
  *value_length = length - n - 1;
  while (*value_length > 0 && (**value == ' ' || **value == '\t'))
    {
      (*value)++;
      (*value_length)--;
    }
  while (*value_length > 0 && ((*value)[*value_length - 1] == ' ' || (*value)[*value_length - 1] == '\t'))
    (*value_length)--;
  return TRUE;
}

static gboolean
value_has_token (const char *value,
                 gsize       length,
                 const char *token)
{
  gsize n = strlen (token);
  gsize i = 0;

  /* A comma-separated list: "keep-alive, Upgrade". */
  while (i < length)
    {
      gsize start, end;

      while (i < length && (value[i] == ' ' || value[i] == ',' || value[i] == '\t'))
        i++;
      start = i;
      while (i < length && value[i] != ',')
        i++;
      end = i;
      while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        end--;
      if (end - start == n && g_ascii_strncasecmp (value + start, token, n) == 0)
        return TRUE;
    }
  return FALSE;
}

TsrHttpResult
tsr_http_parse_request (const guint8   *data,
                        gsize           length,
                        TsrHttpRequest *request,
                        gsize          *consumed)
{
  const char *text = (const char *) data;
  const char *end = NULL;
  const char *line;
  const char *line_end;
  const char *space1;
  const char *space2;
  const char *target;
  gsize target_length;
  gsize i;
  gboolean http11;

  memset (request, 0, sizeof *request);
  *consumed = 0;
  /* The head ends at the first empty line (CRLF CRLF, or LF LF). */
  for (i = 0; i < length && i < TSR_HTTP_MAX_HEAD; i++)
    if (text[i] == '\n' && i >= 1 &&
        (text[i - 1] == '\n' || (text[i - 1] == '\r' && i >= 2 && text[i - 2] == '\n')))
      {
        end = text + i + 1;
        break;
      }
  if (end == NULL)
    return length >= TSR_HTTP_MAX_HEAD ? TSR_HTTP_BAD : TSR_HTTP_NEED_MORE;
  for (i = 0; text + i < end; i++)
    if (text[i] == '\0')
      return TSR_HTTP_BAD;

  /* Request line: METHOD SP TARGET SP HTTP/1.x */
  line = text;
  line_end = memchr (line, '\n', end - line);
  space1 = memchr (line, ' ', line_end - line);
  if (space1 == NULL)
    return TSR_HTTP_BAD;
  space2 = memchr (space1 + 1, ' ', line_end - space1 - 1);
  if (space2 == NULL)
    return TSR_HTTP_BAD;
  target = space1 + 1;
  target_length = space2 - target;
  {
    const char *version = space2 + 1;
    gsize version_length = line_end - version;

    if (version_length > 0 && version[version_length - 1] == '\r')
      version_length--;
    if (version_length == 8 && memcmp (version, "HTTP/1.1", 8) == 0)
      http11 = TRUE;
    else if (version_length == 8 && memcmp (version, "HTTP/1.0", 8) == 0)
      http11 = FALSE;
    else
      return TSR_HTTP_BAD;
  }
  if (target_length == 0 || target[0] != '/')
    return TSR_HTTP_BAD;
  for (i = 0; i < target_length; i++)
    if ((guchar) target[i] <= ' ' || (guchar) target[i] >= 0x7f)
      return TSR_HTTP_BAD;
  request->get = space1 - line == 3 && memcmp (line, "GET", 3) == 0;
  request->path = target;
  request->path_length = target_length;
  {
    const char *question = memchr (target, '?', target_length);

    if (question != NULL)
      {
        request->path_length = question - target;
        request->query = question + 1;
        request->query_length = target_length - request->path_length - 1;
      }
  }
  request->keep_alive = http11;

  /* Headers: only Connection and the body's length matter. */
  for (line = line_end + 1; line < end; line = line_end + 1)
    {
      const char *value;
      gsize value_length;
      gsize line_length;

      line_end = memchr (line, '\n', end - line);
      line_length = line_end - line;
      if (line_length > 0 && line[line_length - 1] == '\r')
        line_length--;
      if (line_length == 0)
        break;
      if (line[0] == ' ' || line[0] == '\t' || memchr (line, ':', line_length) == NULL)
        return TSR_HTTP_BAD;
      if (header_is (line, line_length, "Connection", &value, &value_length))
        {
          if (value_has_token (value, value_length, "close"))
            request->keep_alive = FALSE;
          else if (value_has_token (value, value_length, "keep-alive"))
            request->keep_alive = TRUE;
        }
      else if (header_is (line, line_length, "Content-Length", &value, &value_length))
        {
          if (value_length != 1 || value[0] != '0')
            return TSR_HTTP_BAD;
        }
      else if (header_is (line, line_length, "Transfer-Encoding", &value, &value_length))
        return TSR_HTTP_BAD;
    }
  *consumed = end - text;
  return TSR_HTTP_OK;
}

void
tsr_http_write_response (GByteArray   *out,
                         guint         status,
                         const char   *reason,
                         const char   *content_type,
                         const guint8 *body,
                         gsize         body_length,
                         gboolean      keep_alive)
{
  char head[256];
  int n = g_snprintf (head, sizeof head,
                      "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n%s\r\n",
                      status, reason, content_type, body_length, keep_alive ? "" : "Connection: close\r\n");

  g_byte_array_append (out, (const guint8 *) head, (guint) MIN ((gsize) n, sizeof head - 1));
  if (body_length > 0)
    g_byte_array_append (out, body, (guint) body_length);
}
