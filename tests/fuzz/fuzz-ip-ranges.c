/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-ip-ranges.c: libFuzzer target for the blocklist parser (P2P, DAT,
 * CIDR, IPv6, gzip). Any input loads (a corrupt gzip stream is the only
 * error); fed in two pieces it gives the same ranges as whole; the
 * malformed lines are never more than the lines; the first and last
 * address of every range are found, and the address after a range's end
 * is not (merged ranges are never adjacent).
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-ip-ranges.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_ends (TsrIpRanges          *ranges,
            TsrPeerAddressFamily  family)
{
  guint n = tsr_ip_ranges_get_n_ranges (ranges, family);
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autofree char *text = tsr_ip_ranges_dup_range (ranges, family, i);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;
      g_autoptr(GInetAddress) a = NULL;
      g_autoptr(GInetAddress) b = NULL;
      TsrPeerAddress address = { 0 };
      char *dash = strstr (text, " - ");
      int k;

      g_assert_nonnull (dash);
      first = g_strndup (text, dash - text);
      last = g_strdup (dash + 3);
      a = g_inet_address_new_from_string (first);
      b = g_inet_address_new_from_string (last);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      tsr_peer_address_from_inet (a, 1, &address);
      g_assert_true (tsr_ip_ranges_contains (ranges, &address));
      tsr_peer_address_from_inet (b, 1, &address);
      g_assert_true (tsr_ip_ranges_contains (ranges, &address));
      /* One past the end, unless the end is the top of the space, or an
       * IPv6 range ends in ::ffff:0:0/96 (its end is looked up as IPv4,
       * where the range's mapped part lies). */
      if (address.family != family)
        continue;
      for (k = family == TSR_PEER_ADDRESS_IPV4 ? 3 : 15; k >= 0; k--)
        if (++address.address[k] != 0)
          break;
      if (k >= 0)
        g_assert_false (tsr_ip_ranges_contains (ranges, &address));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrIpRanges) whole = tsr_ip_ranges_parse (data, size, &error);
  g_autoptr(TsrIpRanges) pieces = NULL;
  TsrIpRangesBuilder *builder;

  if (whole == NULL)
    {
      g_assert_true (tsr_ip_ranges_is_gzip (data, size));
      g_assert_error (error, TSR_IP_RANGES_ERROR, TSR_IP_RANGES_ERROR_GZIP);
      return 0;
    }
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (whole, NULL, NULL), <=, tsr_ip_ranges_get_n_lines (whole));
  check_ends (whole, TSR_PEER_ADDRESS_IPV4);
  check_ends (whole, TSR_PEER_ADDRESS_IPV6);
  if (tsr_ip_ranges_is_gzip (data, size))
    return 0;
  builder = tsr_ip_ranges_builder_new ();
  tsr_ip_ranges_builder_feed (builder, (const char *) data, size / 2);
  tsr_ip_ranges_builder_feed (builder, (const char *) data + size / 2, size - size / 2);
  pieces = tsr_ip_ranges_builder_finish (builder);
  g_assert_cmpuint (tsr_ip_ranges_get_n_ranges (pieces, 0), ==, tsr_ip_ranges_get_n_ranges (whole, 0));
  g_assert_cmpuint (tsr_ip_ranges_get_n_ipv4 (pieces), ==, tsr_ip_ranges_get_n_ipv4 (whole));
  g_assert_cmpuint (tsr_ip_ranges_get_n_malformed (pieces, NULL, NULL), ==,
                    tsr_ip_ranges_get_n_malformed (whole, NULL, NULL));
  return 0;
}
