/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd-message.c: the BEP 14 BT-SEARCH datagram, an HTTP-like request
 * that anyone on the link can send us: built with CRLF line ends, and
 * read strictly (size, port, hashes) yet accepting the header case and
 * line ends real clients use. Bytes in, a struct or a GError out; the
 * sockets are TsrLsd's (net/tsr-lsd.c).
 */
#define G_LOG_DOMAIN "tsr-lsd"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-lsd-message.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-lsd-error-quark, tsr_lsd_error)

void
tsr_lsd_message_free (TsrLsdMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->cookie);
  g_free (message);
}

static gboolean
is_token (const char *text)
{
  const char *p;

  for (p = text; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 127)
      return FALSE;
  return TRUE;
}

char *
tsr_lsd_message_build (const char   *host,
                       guint16       port,
                       const guint8 *hashes,
                       guint         n_hashes,
                       const char   *cookie)
{
  GString *out;
  guint i;

  g_return_val_if_fail (host != NULL && is_token (host), NULL);
  g_return_val_if_fail (port != 0, NULL);
  g_return_val_if_fail (hashes != NULL && n_hashes >= 1 && n_hashes <= TSR_LSD_MAX_HASHES, NULL);
  g_return_val_if_fail (cookie == NULL || (*cookie != '\0' && strlen (cookie) <= TSR_LSD_MAX_COOKIE && is_token (cookie)), NULL);

  out = g_string_sized_new (128 + n_hashes * 52);
  g_string_append_printf (out, "BT-SEARCH * HTTP/1.1\r\nHost: %s\r\nPort: %u\r\n", host, port);
  for (i = 0; i < n_hashes; i++)
    {
      g_autofree char *hex = tsr_hex_encode (hashes + 20 * i, 20);

      g_string_append_printf (out, "Infohash: %s\r\n", hex);
    }
  if (cookie != NULL)
    g_string_append_printf (out, "cookie: %s\r\n", cookie);
  /* BEP 14 ends the message with two empty lines. */
  g_string_append (out, "\r\n\r\n");
  return g_string_free (out, FALSE);
}

static gboolean
parse_port (const char *value,
            guint16    *port)
{
  guint64 number = 0;
  gsize length = strlen (value);
  gsize i;

  if (length == 0 || length > 5)
    return FALSE;
  for (i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (value[i]))
        return FALSE;
      number = number * 10 + (guint64) (value[i] - '0');
    }
  if (number == 0 || number > 65535)
    return FALSE;
  *port = (guint16) number;
  return TRUE;
}

static gboolean
has_hash (const TsrLsdMessage *message,
          const guint8        *hash)
{
  guint i;

  for (i = 0; i < message->n_hashes; i++)
    if (memcmp (message->hashes[i], hash, 20) == 0)
      return TRUE;
  return FALSE;
}

/* One header line, already cut from its line end. */
static gboolean
parse_header (TsrLsdMessage *message,
              char          *line,
              guint          number,
              gboolean      *have_port,
              GError       **error)
{
  char *colon = strchr (line, ':');
  char *name = line;
  char *value;
  guint8 hash[20];

  if (colon == NULL || colon == line)
    {
      g_autofree char *quoted = tsr_quote_for_message (line, strlen (line));

      g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_MALFORMED,
                   _("Line %u of the LSD message is not a header: “%s”"), number, quoted);
      return FALSE;
    }
  *colon = '\0';
  value = g_strstrip (colon + 1);
  g_strchomp (name);

  if (g_ascii_strcasecmp (name, "Port") == 0)
    {
      if (*have_port)
        {
          g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_MALFORMED,
                       _("Line %u of the LSD message repeats the Port header"), number);
          return FALSE;
        }
      if (!parse_port (value, &message->port))
        {
          g_autofree char *quoted = tsr_quote_for_message (value, strlen (value));

          g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_BAD_PORT,
                       _("Line %u of the LSD message has port “%s”, not a number from 1 to 65535"),
                       number, quoted);
          return FALSE;
        }
      *have_port = TRUE;
    }
  else if (g_ascii_strcasecmp (name, "Infohash") == 0)
    {
      if (!tsr_hex_decode (value, strlen (value), hash, 20))
        {
          g_autofree char *quoted = tsr_quote_for_message (value, strlen (value));

          g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_BAD_INFOHASH,
                       _("Line %u of the LSD message has info hash “%s”, not 40 hexadecimal digits"),
                       number, quoted);
          return FALSE;
        }
      if (has_hash (message, hash))
        return TRUE;
      if (message->n_hashes == TSR_LSD_MAX_HASHES)
        {
          g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_MANY_HASHES,
                       g_dngettext (GETTEXT_PACKAGE, "The LSD message has more than %u info hash",
                                    "The LSD message has more than %u info hashes", TSR_LSD_MAX_HASHES),
                       TSR_LSD_MAX_HASHES);
          return FALSE;
        }
      memcpy (message->hashes[message->n_hashes++], hash, 20);
    }
  else if (g_ascii_strcasecmp (name, "cookie") == 0)
    {
      if (*value == '\0' || strlen (value) > TSR_LSD_MAX_COOKIE || !is_token (value))
        {
          g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_BAD_COOKIE,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Line %u of the LSD message has a cookie that is empty, longer than %u byte or has spaces",
                                    "Line %u of the LSD message has a cookie that is empty, longer than %u bytes or has spaces",
                                    TSR_LSD_MAX_COOKIE),
                       number, TSR_LSD_MAX_COOKIE);
          return FALSE;
        }
      g_free (message->cookie);
      message->cookie = g_strdup (value);
    }
  /* Host, and whatever else a client adds: not ours to check. */
  return TRUE;
}

TsrLsdMessage *
tsr_lsd_message_parse (const guint8  *data,
                       gsize          length,
                       GError       **error)
{
  g_autoptr(TsrLsdMessage) message = NULL;
  g_autofree char *text = NULL;
  gboolean have_port = FALSE;
  char *line;
  char *next;
  guint number;
  gsize i;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > TSR_LSD_MAX_MESSAGE)
    {
      g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_TOO_LARGE,
                   g_dngettext (GETTEXT_PACKAGE, "The LSD message is longer than %u byte",
                                "The LSD message is longer than %u bytes", TSR_LSD_MAX_MESSAGE),
                   TSR_LSD_MAX_MESSAGE);
      return NULL;
    }
  /* Only printable ASCII, tabs and line ends: nothing else has a place in
   * these headers, and it keeps every later step simple. */
  for (i = 0; i < length; i++)
    if ((data[i] < ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n') || data[i] >= 127)
      {
        g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_MALFORMED,
                     _("The LSD message has a control or non-ASCII byte at offset %zu"), i);
        return NULL;
      }

  text = g_strndup (length > 0 ? (const char *) data : "", length);
  message = g_new0 (TsrLsdMessage, 1);
  for (line = text, number = 1; line != NULL; line = next, number++)
    {
      gsize line_length;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      line_length = strlen (line);
      if (line_length > 0 && line[line_length - 1] == '\r')
        line[--line_length] = '\0';

      if (number == 1)
        {
          if (strcmp (line, "BT-SEARCH * HTTP/1.1") != 0)
            {
              g_autofree char *quoted = tsr_quote_for_message (line, line_length);

              g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_NOT_SEARCH,
                           _("The message is not a BT-SEARCH request: its first line is “%s”"), quoted);
              return NULL;
            }
          continue;
        }
      /* The empty line ends the headers; the rest of the datagram does not
       * count. A datagram that simply stops there is fine too. */
      if (line_length == 0)
        break;
      if (!parse_header (message, line, number, &have_port, error))
        return NULL;
    }

  if (!have_port)
    {
      g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_NO_PORT, _("The LSD message has no Port header"));
      return NULL;
    }
  if (message->n_hashes == 0)
    {
      g_set_error (error, TSR_LSD_ERROR, TSR_LSD_ERROR_NO_INFOHASH, _("The LSD message has no Infohash header"));
      return NULL;
    }
  return g_steal_pointer (&message);
}
