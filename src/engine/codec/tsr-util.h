/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-util.h: small helpers shared by the codecs: hex and base32, and
 * human-readable sizes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns: (transfer full): lowercase hex of @length bytes. */
char     *tsr_hex_encode        (const guint8 *data,
                                 gsize         length);
/* Decodes exactly @out_length bytes from @hex (upper or lower case, exactly
 * 2 * @out_length digits, NUL-terminated or not: @hex_length gives the
 * length). Returns FALSE on any other input. */
gboolean  tsr_hex_decode        (const char   *hex,
                                 gsize         hex_length,
                                 guint8       *out,
                                 gsize         out_length);
/* RFC 4648 base32 without padding, upper or lower case. Decodes exactly
 * @out_length bytes (20 bytes = 32 characters for a btih). */
gboolean  tsr_base32_decode     (const char   *text,
                                 gsize         text_length,
                                 guint8       *out,
                                 gsize         out_length);
char     *tsr_base32_encode     (const guint8 *data,
                                 gsize         length);

/* Returns: (transfer full): "1.5 GiB (1,610,612,736 bytes)"-style text
 * when @exact, else "1.5 GiB". Translated. */
char     *tsr_format_size       (guint64       bytes,
                                 gboolean      exact);

/* Parses "256k", "4M", "1g", "1024" (binary multiples). FALSE on garbage
 * or overflow. */
gboolean  tsr_parse_size        (const char   *text,
                                 guint64      *out);

/* Returns: (transfer full): @data made fit to quote in a one-line error
 * message: valid UTF-8, control characters escaped, cut after 60
 * characters. */
char     *tsr_quote_for_message (const char  *data,
                                 gsize        length);
/* Appends @data percent-encoded: RFC 3986 unreserved characters stay,
 * every other byte is escaped (so '/', '?', '#', '%' and spaces in it
 * cannot change a URL). */
void      tsr_uri_append_escaped (GString      *out,
                                  const guint8 *data,
                                  gsize         length);

/* For a program's main(): buffers of 256 KiB and more (pieces) are
 * mapped on their own and given back to the system when freed. glibc
 * otherwise raises that threshold after the first free and carves later
 * pieces from its heap, where freed pieces linger as fragments: a swarm
 * of 8 leechers grew to 70 MiB instead of about 50. */
void      tsr_tune_memory       (void);

/* Raises the soft limit on open files to the hard limit (at most
 * 65536): each peer connection and each open file of a torrent holds a
 * descriptor, and the usual soft limit of 1024 caps a session at about
 * a thousand peers. */
void        tsr_raise_file_limit (void);

/* Where the translations are: TESSERA_LOCALEDIR when set (`meson devenv`
 * sets it to the build's po folder; tests point it into a DESTDIR
 * install), else the configured LOCALEDIR. */
const char *tsr_locale_dir      (void);

/* Reads a whole regular file of at most @max_size bytes. Refuses FIFOs,
 * devices and folders (so that no input can hang or exhaust memory), with
 * a G_FILE_ERROR that names the file. Blocking: call off the main loop. */
GBytes   *tsr_read_small_file   (const char   *path,
                                 gsize         max_size,
                                 GError      **error);

/* Network byte order, as every BitTorrent wire format uses. */
static inline guint32
tsr_read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline void
tsr_append_be32 (GByteArray *out,
                 guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

static inline void
tsr_append_be16 (GByteArray *out,
                 guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (out, bytes, 2);
}

static inline void
tsr_append_be64 (GByteArray *out,
                 guint64     value)
{
  tsr_append_be32 (out, (guint32) (value >> 32));
  tsr_append_be32 (out, (guint32) value);
}

/* Fills @out with bytes from the kernel's cryptographic generator
 * (getrandom); GLib's generator only if the kernel has none. For secrets
 * others must not guess: DHT token secrets, tracker connection-id keys,
 * MSE keys and padding. */
void tsr_random_bytes (guint8 *out,
                       gsize   length);

/* GHashTable functions for keys of 20 bytes (info hashes, DHT ids): the
 * first bytes as the hash, which such keys spread evenly. */
guint    tsr_hash20_hash  (gconstpointer key);
gboolean tsr_hash20_equal (gconstpointer a,
                           gconstpointer b);

G_END_DECLS
