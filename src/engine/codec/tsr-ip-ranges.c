/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ip-ranges.c: blocklist lines into ranges. IPv4 ranges are pairs of
 * host-order 32-bit integers, IPv6 ones pairs of 128-bit integers kept as
 * two 64-bit halves: 8 and 32 bytes a range, so a million IPv4 ranges
 * take 8 MB once merged. IPv4 addresses are read by hand, since DAT files
 * pad them with zeros ("064.094.089.000") that inet_pton refuses; IPv6
 * ones by inet_pton. Sorting is qsort, merging one pass that joins
 * overlapping and adjacent ranges.
 */
#define G_LOG_DOMAIN "tsr-ip-ranges"

#include "config.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-ip-ranges.h"

G_DEFINE_QUARK (tsr-ip-ranges-error-quark, tsr_ip_ranges_error)

typedef struct
{
  guint32 start;
  guint32 end;
} Range4;

typedef struct
{
  guint64 hi;
  guint64 lo;
} U128;

typedef struct
{
  U128 start;
  U128 end;
} Range6;

struct _TsrIpRangesBuilder
{
  GArray     *v4;         /* (element-type Range4) unsorted */
  GArray     *v6;         /* (element-type Range6) unsorted */
  GByteArray *partial;    /* a line not yet ended by a newline */
  guint       line;       /* in the current source */
  guint       n_lines;
  guint       n_malformed;
  guint       reported[TSR_IP_RANGES_MAX_REPORTED];
};

struct _TsrIpRanges
{
  Range4 *v4;             /* (owned) sorted, disjoint, not adjacent */
  guint   n_v4;
  Range6 *v6;             /* (owned) likewise */
  guint   n_v6;
  guint   n_lines;
  guint   n_malformed;
  guint   reported[TSR_IP_RANGES_MAX_REPORTED];
};

/* Reading addresses ---------------------------------------------------- */

typedef struct
{
  int  family;            /* 4 or 6 */
  U128 value;             /* IPv4 in lo */
} Addr;

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

/* Decimal dotted quad, up to three digits an octet (zeros allowed). */
static gboolean
parse_v4 (const char *p,
          const char *end,
          guint32    *out)
{
  guint32 value = 0;
  int octet;

  for (octet = 0; octet < 4; octet++)
    {
      guint n = 0;
      int digits = 0;

      if (octet > 0)
        {
          if (p >= end || *p != '.')
            return FALSE;
          p++;
        }
      while (p < end && *p >= '0' && *p <= '9' && digits < 3)
        {
          n = n * 10 + (guint) (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || n > 255)
        return FALSE;
      value = (value << 8) | n;
    }
  if (p != end)
    return FALSE;
  *out = value;
  return TRUE;
}

static U128
u128_from_bytes (const guint8 *bytes)
{
  U128 v = { 0, 0 };
  int i;

  for (i = 0; i < 8; i++)
    {
      v.hi = (v.hi << 8) | bytes[i];
      v.lo = (v.lo << 8) | bytes[8 + i];
    }
  return v;
}

/* One address token ([0-9a-fA-F:.]) at *@p: IPv6 when it has a colon. */
static gboolean
parse_addr (const char **p,
            const char  *end,
            Addr        *out)
{
  const char *start = *p;
  const char *q = start;
  gboolean colon = FALSE;

  while (q < end && (g_ascii_isxdigit (*q) || *q == ':' || *q == '.'))
    {
      colon |= *q == ':';
      q++;
    }
  if (q == start)
    return FALSE;
  if (colon)
    {
      char text[INET6_ADDRSTRLEN];
      guint8 bytes[16];

      if ((gsize) (q - start) >= sizeof text)
        return FALSE;
      memcpy (text, start, q - start);
      text[q - start] = '\0';
      if (inet_pton (AF_INET6, text, bytes) != 1)
        return FALSE;
      out->family = 6;
      out->value = u128_from_bytes (bytes);
    }
  else
    {
      guint32 v4;

      if (!parse_v4 (start, q, &v4))
        return FALSE;
      out->family = 4;
      out->value.hi = 0;
      out->value.lo = v4;
    }
  *p = q;
  return TRUE;
}

static int
u128_cmp (U128 a,
          U128 b)
{
  if (a.hi != b.hi)
    return a.hi < b.hi ? -1 : 1;
  if (a.lo != b.lo)
    return a.lo < b.lo ? -1 : 1;
  return 0;
}

/* The lowest and highest address of @value's /@prefix. */
static void
cidr_bounds (const Addr *value,
             guint       prefix,
             U128       *start,
             U128       *end)
{
  guint bits = value->family == 4 ? 32 : 128;
  guint host = bits - prefix;       /* host bits, 0..bits */
  U128 mask = { 0, 0 };             /* host bits set */

  if (value->family == 4)
    mask.lo = host == 32 ? 0xffffffffu : ((guint64) 1 << host) - 1;
  else if (host >= 64)
    {
      mask.lo = G_MAXUINT64;
      mask.hi = host == 128 ? G_MAXUINT64 : ((guint64) 1 << (host - 64)) - 1;
    }
  else
    mask.lo = host == 0 ? 0 : ((guint64) 1 << host) - 1;
  start->hi = value->value.hi & ~mask.hi;
  start->lo = value->value.lo & ~mask.lo;
  end->hi = start->hi | mask.hi;
  end->lo = start->lo | mask.lo;
}

/* ::ffff:0:0/96, where IPv4-mapped addresses live. */
static const U128 mapped_first = { 0, G_GUINT64_CONSTANT (0x0000ffff00000000) };
static const U128 mapped_last = { 0, G_GUINT64_CONSTANT (0x0000ffffffffffff) };

static void
add_range (TsrIpRangesBuilder *self,
           int                 family,
           U128                start,
           U128                end)
{
  /* A peer's mapped address is looked up as IPv4 (TsrPeerAddress stores
   * it so): what an IPv6 range covers of ::ffff:0:0/96 is an IPv4 range
   * too, and all of it when the range lies inside. */
  if (family == 6 && u128_cmp (start, mapped_last) <= 0 && u128_cmp (end, mapped_first) >= 0)
    {
      Range4 r;

      r.start = u128_cmp (start, mapped_first) > 0 ? (guint32) start.lo : 0;
      r.end = u128_cmp (end, mapped_last) < 0 ? (guint32) end.lo : G_MAXUINT32;
      g_array_append_val (self->v4, r);
      if (u128_cmp (start, mapped_first) >= 0 && u128_cmp (end, mapped_last) <= 0)
        return;
    }
  if (family == 4)
    {
      Range4 r = { (guint32) start.lo, (guint32) end.lo };

      g_array_append_val (self->v4, r);
    }
  else
    {
      Range6 r = { start, end };

      g_array_append_val (self->v6, r);
    }
}

/* "a", "a/prefix" or "a - b", and nothing else, from @p to @end; only
 * the last with @dash_only. */
static gboolean
parse_range (const char *p,
             const char *end,
             gboolean    dash_only,
             int        *family,
             U128       *start,
             U128       *last)
{
  Addr a, b;

  p = skip_space (p, end);
  if (!parse_addr (&p, end, &a))
    return FALSE;
  p = skip_space (p, end);
  if (dash_only && (p == end || *p != '-'))
    return FALSE;
  if (p == end)
    {
      *start = *last = a.value;
    }
  else if (*p == '/')
    {
      guint prefix = 0;
      int digits = 0;

      p = skip_space (p + 1, end);
      while (p < end && *p >= '0' && *p <= '9' && digits < 3)
        {
          prefix = prefix * 10 + (guint) (*p - '0');
          p++;
          digits++;
        }
      if (digits == 0 || skip_space (p, end) != end || prefix > (a.family == 4 ? 32u : 128u))
        return FALSE;
      cidr_bounds (&a, prefix, start, last);
    }
  else if (*p == '-')
    {
      p = skip_space (p + 1, end);
      if (!parse_addr (&p, end, &b) || skip_space (p, end) != end || b.family != a.family ||
          u128_cmp (a.value, b.value) > 0)
        return FALSE;
      *start = a.value;
      *last = b.value;
    }
  else
    return FALSE;
  *family = a.family;
  return TRUE;
}

/* DAT: "range , level , name": @comma is the first comma. */
static gboolean
parse_dat (TsrIpRangesBuilder *self,
           const char         *line,
           const char         *comma,
           const char         *end)
{
  const char *p = skip_space (comma + 1, end);
  guint level = 0;
  int digits = 0;
  int family;
  U128 start, last;

  if (!parse_range (line, comma, FALSE, &family, &start, &last))
    return FALSE;
  while (p < end && *p >= '0' && *p <= '9')
    {
      if (digits++ < 4)
        level = level * 10 + (guint) (*p - '0');
      p++;
    }
  p = skip_space (p, end);
  if (digits == 0 || (p < end && *p != ','))
    return FALSE;
  if (level < TSR_IP_RANGES_DAT_LEVEL)
    add_range (self, family, start, last);
  return TRUE;
}

static gboolean
parse_line (TsrIpRangesBuilder *self,
            const char         *line,
            const char         *end)
{
  const char *comma;
  const char *colon;
  int family;
  U128 start, last;

  if (parse_range (line, end, FALSE, &family, &start, &last))
    {
      add_range (self, family, start, last);
      return TRUE;
    }
  comma = memchr (line, ',', end - line);
  if (comma != NULL && parse_dat (self, line, comma, end))
    return TRUE;
  /* P2P (whose name may hold a comma too): "name:a-b", the name may hold
   * colons; an IPv6 range has some too, so each colon is tried, leftmost
   * first. Always a range: a single address after a colon would be the
   * tail of an IPv6 one. */
  for (colon = memchr (line, ':', end - line); colon != NULL;
       colon = memchr (colon + 1, ':', end - colon - 1))
    if (parse_range (colon + 1, end, TRUE, &family, &start, &last))
      {
        add_range (self, family, start, last);
        return TRUE;
      }
  return FALSE;
}

/* Building --------------------------------------------------------------- */

TsrIpRangesBuilder *
tsr_ip_ranges_builder_new (void)
{
  TsrIpRangesBuilder *self = g_new0 (TsrIpRangesBuilder, 1);

  self->v4 = g_array_new (FALSE, FALSE, sizeof (Range4));
  self->v6 = g_array_new (FALSE, FALSE, sizeof (Range6));
  self->partial = g_byte_array_new ();
  return self;
}

void
tsr_ip_ranges_builder_free (TsrIpRangesBuilder *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->v4);
  g_array_unref (self->v6);
  g_byte_array_unref (self->partial);
  g_free (self);
}

gboolean
tsr_ip_ranges_builder_add_line (TsrIpRangesBuilder *self,
                                const char         *line,
                                gsize               length)
{
  const char *end = line + length;
  const char *p;

  self->line++;
  self->n_lines++;
  /* Trailing spaces and the CR of CRLF files; a UTF-8 BOM at the start. */
  while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  if (end - line >= 3 && memcmp (line, "\xef\xbb\xbf", 3) == 0)
    line += 3;
  p = skip_space (line, end);
  if (p == end || *p == '#' || *p == ';' || (end - p >= 2 && p[0] == '/' && p[1] == '/'))
    return TRUE;
  if (parse_line (self, p, end))
    return TRUE;
  if (self->n_malformed < TSR_IP_RANGES_MAX_REPORTED)
    self->reported[self->n_malformed] = self->line;
  self->n_malformed++;
  return FALSE;
}

void
tsr_ip_ranges_builder_feed (TsrIpRangesBuilder *self,
                            const char         *data,
                            gsize               length)
{
  const char *end = data + length;

  while (data < end)
    {
      const char *newline = memchr (data, '\n', end - data);

      if (newline == NULL)
        {
          g_byte_array_append (self->partial, (const guint8 *) data, end - data);
          return;
        }
      if (self->partial->len > 0)
        {
          g_byte_array_append (self->partial, (const guint8 *) data, newline - data);
          tsr_ip_ranges_builder_add_line (self, (const char *) self->partial->data, self->partial->len);
          g_byte_array_set_size (self->partial, 0);
        }
      else
        tsr_ip_ranges_builder_add_line (self, data, newline - data);
      data = newline + 1;
    }
}

void
tsr_ip_ranges_builder_end_source (TsrIpRangesBuilder *self)
{
  if (self->partial->len > 0)
    tsr_ip_ranges_builder_add_line (self, (const char *) self->partial->data, self->partial->len);
  g_byte_array_set_size (self->partial, 0);
  self->line = 0;
}

static int
cmp_range4 (const void *a,
            const void *b)
{
  const Range4 *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return 0;
}

static int
cmp_range6 (const void *a,
            const void *b)
{
  const Range6 *x = a, *y = b;

  return u128_cmp (x->start, y->start);
}

static guint
merge4 (Range4 *r,
        guint   n)
{
  guint out = 0;
  guint i;

  if (n == 0)
    return 0;
  qsort (r, n, sizeof *r, cmp_range4);
  for (i = 1; i < n; i++)
    {
      /* Overlapping or adjacent (end + 1 == start, without overflow). */
      if (r[i].start <= r[out].end || r[i].start - 1 == r[out].end)
        {
          if (r[i].end > r[out].end)
            r[out].end = r[i].end;
        }
      else
        r[++out] = r[i];
    }
  return out + 1;
}

static U128
u128_inc (U128 v)
{
  v.lo++;
  if (v.lo == 0)
    v.hi++;
  return v;
}

static guint
merge6 (Range6 *r,
        guint   n)
{
  guint out = 0;
  guint i;

  if (n == 0)
    return 0;
  qsort (r, n, sizeof *r, cmp_range6);
  for (i = 1; i < n; i++)
    {
      U128 next = u128_inc (r[out].end);
      gboolean at_max = r[out].end.hi == G_MAXUINT64 && r[out].end.lo == G_MAXUINT64;

      if (at_max || u128_cmp (r[i].start, next) <= 0)
        {
          if (u128_cmp (r[i].end, r[out].end) > 0)
            r[out].end = r[i].end;
        }
      else
        r[++out] = r[i];
    }
  return out + 1;
}

TsrIpRanges *
tsr_ip_ranges_builder_finish (TsrIpRangesBuilder *self)
{
  TsrIpRanges *ranges = g_atomic_rc_box_new0 (TsrIpRanges);
  gsize len;

  tsr_ip_ranges_builder_end_source (self);
  ranges->n_v4 = merge4 ((Range4 *) (void *) self->v4->data, self->v4->len);
  ranges->n_v6 = merge6 ((Range6 *) (void *) self->v6->data, self->v6->len);
  /* Give back what merging freed: a list is mostly its ranges. */
  ranges->v4 = g_realloc (g_array_steal (self->v4, &len), MAX (ranges->n_v4, 1) * sizeof (Range4));
  ranges->v6 = g_realloc (g_array_steal (self->v6, &len), MAX (ranges->n_v6, 1) * sizeof (Range6));
  ranges->n_lines = self->n_lines;
  ranges->n_malformed = self->n_malformed;
  memcpy (ranges->reported, self->reported, sizeof ranges->reported);
  tsr_ip_ranges_builder_free (self);
  return ranges;
}

/* Whole documents --------------------------------------------------------- */

gboolean
tsr_ip_ranges_is_gzip (const guint8 *data,
                       gsize         length)
{
  return length >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

static gboolean
feed_gzip (TsrIpRangesBuilder  *builder,
           const guint8        *data,
           gsize                length,
           GError             **error)
{
  g_autoptr(GZlibDecompressor) inflater = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autofree char *out = g_malloc (64 * 1024);

  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gsize read = 0, written = 0;
      GConverterResult result;

      result = g_converter_convert (G_CONVERTER (inflater), data, length, out, 64 * 1024,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &local);
      if (result == G_CONVERTER_ERROR)
        {
          g_set_error (error, TSR_IP_RANGES_ERROR, TSR_IP_RANGES_ERROR_GZIP,
                       _("The gzip stream is corrupt: %s"), local->message);
          return FALSE;
        }
      tsr_ip_ranges_builder_feed (builder, out, written);
      data += read;
      length -= read;
      if (result == G_CONVERTER_FINISHED)
        return TRUE;
    }
}

TsrIpRanges *
tsr_ip_ranges_parse (const guint8  *data,
                     gsize          length,
                     GError       **error)
{
  g_autoptr(TsrIpRangesBuilder) builder = tsr_ip_ranges_builder_new ();

  if (tsr_ip_ranges_is_gzip (data, length))
    {
      if (!feed_gzip (builder, data, length, error))
        return NULL;
    }
  else
    tsr_ip_ranges_builder_feed (builder, (const char *) data, length);
  return tsr_ip_ranges_builder_finish (g_steal_pointer (&builder));
}

TsrIpRanges *
tsr_ip_ranges_new_empty (void)
{
  return tsr_ip_ranges_builder_finish (tsr_ip_ranges_builder_new ());
}

/* The ranges -------------------------------------------------------------- */

TsrIpRanges *
tsr_ip_ranges_ref (TsrIpRanges *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
ranges_clear (gpointer data)
{
  TsrIpRanges *self = data;

  g_free (self->v4);
  g_free (self->v6);
}

void
tsr_ip_ranges_unref (TsrIpRanges *self)
{
  g_atomic_rc_box_release_full (self, ranges_clear);
}

gboolean
tsr_ip_ranges_contains (TsrIpRanges          *self,
                        const TsrPeerAddress *address)
{
  guint lo = 0, hi;

  if (address->family == TSR_PEER_ADDRESS_IPV4)
    {
      guint32 v = ((guint32) address->address[0] << 24) | ((guint32) address->address[1] << 16) |
                  ((guint32) address->address[2] << 8) | address->address[3];

      /* The last range that starts at or before v. */
      hi = self->n_v4;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (self->v4[mid].start <= v)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo > 0 && v <= self->v4[lo - 1].end;
    }
  else
    {
      U128 v = u128_from_bytes (address->address);

      hi = self->n_v6;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (u128_cmp (self->v6[mid].start, v) <= 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo > 0 && u128_cmp (v, self->v6[lo - 1].end) <= 0;
    }
}

guint
tsr_ip_ranges_get_n_ranges (TsrIpRanges          *self,
                            TsrPeerAddressFamily  family)
{
  if (family == TSR_PEER_ADDRESS_IPV4)
    return self->n_v4;
  if (family == TSR_PEER_ADDRESS_IPV6)
    return self->n_v6;
  return self->n_v4 + self->n_v6;
}

guint64
tsr_ip_ranges_get_n_ipv4 (TsrIpRanges *self)
{
  guint64 n = 0;
  guint i;

  for (i = 0; i < self->n_v4; i++)
    n += (guint64) self->v4[i].end - self->v4[i].start + 1;
  return n;
}

gdouble
tsr_ip_ranges_get_n_ipv6 (TsrIpRanges *self)
{
  gdouble n = 0;
  guint i;

  for (i = 0; i < self->n_v6; i++)
    {
      U128 s = self->v6[i].start, e = self->v6[i].end;
      guint64 dhi = e.hi - s.hi - (e.lo < s.lo ? 1 : 0);
      guint64 dlo = e.lo - s.lo;

      n += (gdouble) dhi * 18446744073709551616.0 + (gdouble) dlo + 1;
    }
  return n;
}

guint
tsr_ip_ranges_get_n_lines (TsrIpRanges *self)
{
  return self->n_lines;
}

guint
tsr_ip_ranges_get_n_malformed (TsrIpRanges  *self,
                               const guint **lines,
                               guint        *n_lines)
{
  if (lines != NULL)
    *lines = self->reported;
  if (n_lines != NULL)
    *n_lines = MIN (self->n_malformed, TSR_IP_RANGES_MAX_REPORTED);
  return self->n_malformed;
}

static void
u128_to_bytes (U128    v,
               guint8 *bytes)
{
  int i;

  for (i = 7; i >= 0; i--)
    {
      bytes[i] = v.hi & 0xff;
      bytes[8 + i] = v.lo & 0xff;
      v.hi >>= 8;
      v.lo >>= 8;
    }
}

char *
tsr_ip_ranges_dup_range (TsrIpRanges          *self,
                         TsrPeerAddressFamily  family,
                         guint                 index)
{
  if (family == TSR_PEER_ADDRESS_IPV4)
    {
      guint32 s, e;

      g_return_val_if_fail (index < self->n_v4, NULL);
      s = self->v4[index].start;
      e = self->v4[index].end;
      return g_strdup_printf ("%u.%u.%u.%u - %u.%u.%u.%u", s >> 24, (s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff,
                              e >> 24, (e >> 16) & 0xff, (e >> 8) & 0xff, e & 0xff);
    }
  else
    {
      char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
      guint8 bytes[16];

      g_return_val_if_fail (index < self->n_v6, NULL);
      u128_to_bytes (self->v6[index].start, bytes);
      inet_ntop (AF_INET6, bytes, a, sizeof a);
      u128_to_bytes (self->v6[index].end, bytes);
      inet_ntop (AF_INET6, bytes, b, sizeof b);
      return g_strdup_printf ("%s - %s", a, b);
    }
}
