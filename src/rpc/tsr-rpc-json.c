/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-json.c: a JSON writer into a GString, for torrent-get's reply
 * only.
 *
 * Why by hand when json-glib is the project's JSON library: the list a
 * client polls every few seconds (transmission-remote -l, Fragments, the
 * *arr apps) is torrent-get of every torrent, and json-glib builds it as
 * a tree first (a JsonNode, a GValue and a hash-table member per field,
 * then JsonGenerator walks it again). Measured under callgrind for the 14
 * fields of -l at 1 000 torrents (tests/bench/rpc-callgrind.py, README
 * "Benchmarks"): 76 000 instructions per torrent that way, 2.6 times
 * transmission-daemon 3.00's work; written here, the whole request costs
 * about 5 100 per torrent, 0.17 times Transmission's, about half of it
 * in writing the JSON. Requests are still parsed by json-glib, and all
 * the small replies built with it.
 *
 * The output means what json-glib's did, with json-glib 1.6's slips
 * mended: doubles as "%.17g" with ".0" on whole numbers, except that an
 * exponent gets no ".0" ("1e+20", not "1e+20.0") and NaN and the
 * infinities are null (not "nan.0"); strings with every control character
 * escaped (json-glib left some, such as U+001F, raw) and invalid UTF-8
 * replaced by U+FFFD byte by byte, as g_utf8_make_valid and the engine's
 * names do (json-glib passed the bytes through, making the reply invalid
 * JSON; Transmission 3.00 drops them).
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tsr-rpc-json.h"

void
tsr_rpc_json_init (TsrRpcJson *self,
                   GString    *out)
{
  self->out = out;
  self->comma = FALSE;
}

/* g_string_append_len, without the call and its checks while the room
 * reserved lasts: a poll of 5 000 torrents makes 150 000 appends. */
static inline void
put (GString    *out,
     const char *text,
     gsize       length)
{
  if (G_LIKELY (out->len + length < out->allocated_len))
    {
      memcpy (out->str + out->len, text, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, text, length);
}

static inline void
separate (TsrRpcJson *self)
{
  if (self->comma)
    g_string_append_c (self->out, ',');
}

void
tsr_rpc_json_begin_object (TsrRpcJson *self)
{
  separate (self);
  g_string_append_c (self->out, '{');
  self->comma = FALSE;
}

void
tsr_rpc_json_end_object (TsrRpcJson *self)
{
  g_string_append_c (self->out, '}');
  self->comma = TRUE;
}

void
tsr_rpc_json_begin_array (TsrRpcJson *self)
{
  separate (self);
  g_string_append_c (self->out, '[');
  self->comma = FALSE;
}

void
tsr_rpc_json_end_array (TsrRpcJson *self)
{
  g_string_append_c (self->out, ']');
  self->comma = TRUE;
}

void
tsr_rpc_json_member (TsrRpcJson *self,
                     const char *name)
{
  separate (self);
  tsr_rpc_json_append_escaped (self->out, name, strlen (name));
  g_string_append_c (self->out, ':');
  self->comma = FALSE;
}

void
tsr_rpc_json_member_raw (TsrRpcJson *self,
                         const char *quoted,
                         gsize       length)
{
  separate (self);
  put (self->out, quoted, length);
  self->comma = FALSE;
}

/* The digits of @value at the end of @buf (24 bytes); returns the first. */
static char *
format_int (char   *buf,
            gint64  value)
{
  char *p = buf + 24;
  /* Through the unsigned magnitude: G_MININT64 has no positive twin. */
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      *--p = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  return p;
}

void
tsr_rpc_json_int (TsrRpcJson *self,
                  gint64      value)
{
  char buf[24];
  char *start;

  separate (self);
  start = format_int (buf, value);
  put (self->out, start, buf + sizeof buf - start);
  self->comma = TRUE;
}

void
tsr_rpc_json_bool (TsrRpcJson *self,
                   gboolean    value)
{
  separate (self);
  if (value)
    put (self->out, "true", 4);
  else
    put (self->out, "false", 5);
  self->comma = TRUE;
}

void
tsr_rpc_json_double (TsrRpcJson *self,
                     gdouble     value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE + 2];

  separate (self);
  self->comma = TRUE;
  if (!isfinite (value))
    {
      put (self->out, "null", 4);
      return;
    }
  /* Whole numbers, most of a poll (ratios and progress of idle torrents):
   * "%.17g" prints them as their digits, to which json-glib adds ".0". */
  if (fabs (value) < 1e15 && value == (gdouble) (gint64) value)
    {
      char *start = format_int (buf, (gint64) value);

      if (value == 0 && signbit (value))
        g_string_append_c (self->out, '-');
      put (self->out, start, buf + 24 - start);
      put (self->out, ".0", 2);
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.17g", value);
  put (self->out, buf, strlen (buf));
  if (strpbrk (buf, ".e") == NULL)
    put (self->out, ".0", 2);
}

void
tsr_rpc_json_ratio (TsrRpcJson *self,
                    gdouble     value)
{
  if (isnan (value))
    tsr_rpc_json_double (self, -1);
  else if (isinf (value))
    tsr_rpc_json_double (self, -2);
  else
    tsr_rpc_json_double (self, value);
}

void
tsr_rpc_json_append_escaped (GString    *out,
                             const char *value,
                             gsize       length)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) value, *end = p + length, *run;

  g_string_append_c (out, '"');
  while (p < end)
    {
      /* Plain text is copied in one piece. */
      run = p;
      while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
        p++;
      if (p > run)
        put (out, (const char *) run, p - run);
      if (p == end)
        break;
      switch (*p)
        {
        case '"':
          put (out, "\\\"", 2);
          break;
        case '\\':
          put (out, "\\\\", 2);
          break;
        case '\b':
          put (out, "\\b", 2);
          break;
        case '\f':
          put (out, "\\f", 2);
          break;
        case '\n':
          put (out, "\\n", 2);
          break;
        case '\r':
          put (out, "\\r", 2);
          break;
        case '\t':
          put (out, "\\t", 2);
          break;
        default:
          if (*p < 0x80)
            {
              char escape[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf] };

              put (out, escape, 6);
            }
          else
            {
              gunichar c = g_utf8_get_char_validated ((const char *) p, end - p);

              if (c == (gunichar) -1 || c == (gunichar) -2)
                {
                  /* One invalid byte, one U+FFFD. */
                  put (out, "\xef\xbf\xbd", 3);
                  break;
                }
              put (out, (const char *) p, g_utf8_skip[*p]);
              p += g_utf8_skip[*p];
              continue;
            }
          break;
        }
      p++;
    }
  g_string_append_c (out, '"');
}

void
tsr_rpc_json_string_len (TsrRpcJson *self,
                         const char *value,
                         gsize       length)
{
  separate (self);
  tsr_rpc_json_append_escaped (self->out, value, length);
  self->comma = TRUE;
}

void
tsr_rpc_json_string (TsrRpcJson *self,
                     const char *value)
{
  if (value == NULL)
    {
      separate (self);
      put (self->out, "null", 4);
      self->comma = TRUE;
      return;
    }
  tsr_rpc_json_string_len (self, value, strlen (value));
}
