/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-util.c: hex and base32 codecs for info hashes, and size formatting
 * and parsing for the command line and the window.
 */
#define G_LOG_DOMAIN "tsr-util"

#include "config.h"

#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <glib/gi18n-lib.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/random.h>

#include "tsr-util.h"

char *
tsr_hex_encode (const guint8 *data,
                gsize         length)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (length * 2 + 1);
  gsize i;

  for (i = 0; i < length; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[length * 2] = '\0';
  return out;
}

gboolean
tsr_hex_decode (const char *hex,
                gsize       hex_length,
                guint8     *out,
                gsize       out_length)
{
  gsize i;

  if (hex_length != out_length * 2)
    return FALSE;
  for (i = 0; i < out_length; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static int
base32_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= '2' && c <= '7')
    return c - '2' + 26;
  return -1;
}

gboolean
tsr_base32_decode (const char *text,
                   gsize       text_length,
                   guint8     *out,
                   gsize       out_length)
{
  guint64 buffer = 0;
  guint bits = 0;
  gsize written = 0;
  gsize i;

  /* Exactly as many characters as the bytes need, no padding. */
  if (text_length != (out_length * 8 + 4) / 5)
    return FALSE;
  for (i = 0; i < text_length; i++)
    {
      int v = base32_value (text[i]);

      if (v < 0)
        return FALSE;
      buffer = (buffer << 5) | (guint64) v;
      bits += 5;
      if (bits >= 8)
        {
          bits -= 8;
          if (written < out_length)
            out[written++] = (guint8) (buffer >> bits);
          buffer &= (1u << bits) - 1;
        }
    }
  /* Left-over bits must be zero for a canonical encoding. */
  return written == out_length && buffer == 0;
}

char *
tsr_base32_encode (const guint8 *data,
                   gsize         length)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  GString *out = g_string_sized_new ((length * 8 + 4) / 5 + 1);
  guint64 buffer = 0;
  guint bits = 0;
  gsize i;

  for (i = 0; i < length; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          g_string_append_c (out, alphabet[(buffer >> bits) & 31]);
        }
      buffer &= (1u << bits) - 1;
    }
  if (bits > 0)
    g_string_append_c (out, alphabet[(buffer << (5 - bits)) & 31]);
  return g_string_free (out, FALSE);
}

char *
tsr_format_size (guint64  bytes,
                 gboolean exact)
{
  g_autofree char *iec = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);

  if (!exact || bytes < 1024)
    return g_steal_pointer (&iec);
  /* TRANSLATORS: a size, then the exact byte count, e.g. "1.5 GiB (1610612736 bytes)" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%" PRIu64 " byte)",
                                       "%s (%" PRIu64 " bytes)", (gulong) bytes), iec, bytes);
}

gboolean
tsr_parse_size (const char *text,
                guint64    *out)
{
  guint64 value;
  guint64 multiplier = 1;
  char *end = NULL;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'k': multiplier = G_GUINT64_CONSTANT (1) << 10; end++; break;
    case 'm': multiplier = G_GUINT64_CONSTANT (1) << 20; end++; break;
    case 'g': multiplier = G_GUINT64_CONSTANT (1) << 30; end++; break;
    case 't': multiplier = G_GUINT64_CONSTANT (1) << 40; end++; break;
    default: return FALSE;
    }
  /* Accept "4MiB" and "4MB" as the same binary multiple. */
  if (multiplier > 1 && (g_ascii_strcasecmp (end, "ib") == 0 || g_ascii_strcasecmp (end, "b") == 0))
    end += strlen (end);
  if (*end != '\0')
    return FALSE;
  if (value > G_MAXUINT64 / multiplier)
    return FALSE;
  *out = value * multiplier;
  return TRUE;
}

GBytes *
tsr_read_small_file (const char  *path,
                     gsize        max_size,
                     GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree guint8 *buffer = NULL;
  struct stat st;
  gsize done = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* O_NONBLOCK so that opening a FIFO cannot hang; the type is checked next. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open “%s”: %s"), display, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” is not a regular file"), display);
      return NULL;
    }
  if ((guint64) st.st_size > max_size)
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   g_dngettext (GETTEXT_PACKAGE, "“%s” is larger than %zu byte",
                                "“%s” is larger than %zu bytes", (gulong) max_size), display, max_size);
      return NULL;
    }
  buffer = g_malloc ((gsize) st.st_size + 1);
  while (done < (gsize) st.st_size)
    {
      gssize n = read (fd, buffer + done, (gsize) st.st_size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fd);
          if (n < 0)
            g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                         _("Cannot read “%s”: %s"), display, g_strerror (saved));
          else
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                         _("“%s” shrank while being read"), display);
          return NULL;
        }
      done += (gsize) n;
    }
  close (fd);
  return g_bytes_new_take (g_steal_pointer (&buffer), done);
}

char *
tsr_quote_for_message (const char *data,
                       gsize       length)
{
  g_autofree char *valid = g_utf8_make_valid (data, length);
  GString *out = g_string_new (NULL);
  const char *p;
  guint count = 0;

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p), count++)
    {
      gunichar c = g_utf8_get_char (p);

      if (count == 60)
        {
          g_string_append (out, "…");
          break;
        }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
        g_string_append_printf (out, "\\x%02x", c & 0xff);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

void
tsr_raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= 65536)
    return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? 65536 : MIN (limit.rlim_max, 65536);
  (void) setrlimit (RLIMIT_NOFILE, &limit);
}

const char *
tsr_locale_dir (void)
{
  const char *dir = g_getenv ("TESSERA_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

void
tsr_tune_memory (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

void
tsr_uri_append_escaped (GString      *out,
                        const guint8 *data,
                        gsize         length)
{
  static const char hex[] = "0123456789ABCDEF";
  gsize i;

  for (i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~')
        g_string_append_c (out, (char) c);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 15]);
        }
    }
}

void
tsr_random_bytes (guint8 *out,
                  gsize   length)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = getrandom (out + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }
  /* No getrandom (a very old kernel): GLib's generator, seeded from
   * /dev/urandom, is the best left. */
  for (; done < length; done++)
    out[done] = (guint8) g_random_int_range (0, 256);
}

guint
tsr_hash20_hash (gconstpointer key)
{
  guint value;

  memcpy (&value, key, sizeof value);
  return value;
}

gboolean
tsr_hash20_equal (gconstpointer a,
                  gconstpointer b)
{
  return memcmp (a, b, 20) == 0;
}
