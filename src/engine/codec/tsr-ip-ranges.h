/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ip-ranges.h: IP blocklists read into sorted, merged ranges of IPv4
 * and IPv6 addresses, looked up by binary search.
 *
 * One line a range, in any of the formats lists are published in, mixed
 * freely: P2P text (PeerGuardian, eMule: "name:1.2.3.0-1.2.3.255", the
 * name may hold colons), DAT (eMule's ipfilter.dat: "001.002.003.000 -
 * 001.002.003.255 , 000 , name", blocked when the access level is below
 * 127, as eMule does), CIDR ("10.0.0.0/8", "2001:db8::/32"), a bare
 * range ("a - b") or a single address. Blank lines and comments ("#",
 * ";", "//") are skipped; a line that fits none of them is counted as
 * malformed (the first few line numbers are kept for the report) and
 * never stops the load. Text is fed in pieces of any size, so that a
 * list of millions of lines is never held whole in memory; gzip is for
 * the caller to undo (tsr_ip_ranges_parse does it for whole documents).
 *
 * A line is read without a name first: a P2P name that is itself a hex
 * group before an IPv6 range ("cafe:2001:db8::-...") reads as part of
 * the first address (which most often makes the range backwards, and the
 * line is then read with the name). IPv4 ranges have no such doubt.
 *
 * An IPv4-mapped IPv6 range (::ffff:a.b.c.d) is stored as IPv4, as
 * TsrPeerAddress stores those addresses; an IPv6 range that covers part
 * of ::ffff:0:0/96 adds that part as IPv4 too (so ::/0 blocks IPv4 as
 * well, and its mapped part is counted in both families). A built TsrIpRanges never
 * changes; it is reference counted (atomically), so that a worker thread
 * builds it and the main thread swaps it in.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Line numbers of malformed lines kept for the report, at most. */
#define TSR_IP_RANGES_MAX_REPORTED 5
/* eMule's filter level: a DAT line below it blocks, at or above allows. */
#define TSR_IP_RANGES_DAT_LEVEL 127

#define TSR_IP_RANGES_ERROR (tsr_ip_ranges_error_quark ())

typedef enum
{
  TSR_IP_RANGES_ERROR_GZIP,   /* the document looks gzipped and does not inflate */
} TsrIpRangesError;

GQuark tsr_ip_ranges_error_quark (void);

typedef struct _TsrIpRanges        TsrIpRanges;
typedef struct _TsrIpRangesBuilder TsrIpRangesBuilder;

TsrIpRangesBuilder *tsr_ip_ranges_builder_new        (void);
void                tsr_ip_ranges_builder_free       (TsrIpRangesBuilder *self);
/* Feeds @length bytes of text; a line may span calls. */
void                tsr_ip_ranges_builder_feed       (TsrIpRangesBuilder *self,
                                                      const char         *data,
                                                      gsize               length);
/* The end of one source: its last line is read even without a newline,
 * and line numbers start again at 1 for the next. */
void                tsr_ip_ranges_builder_end_source (TsrIpRangesBuilder *self);
/* Reads one line (no newline in it); FALSE when it was malformed (and
 * counted). */
gboolean            tsr_ip_ranges_builder_add_line   (TsrIpRangesBuilder *self,
                                                      const char         *line,
                                                      gsize               length);
/* Sorts and merges what was fed (ending the current source) into ranges;
 * the builder is freed. */
TsrIpRanges        *tsr_ip_ranges_builder_finish     (TsrIpRangesBuilder *self);

/* Whether @data starts as a gzip stream does (RFC 1952: 1f 8b). */
gboolean            tsr_ip_ranges_is_gzip            (const guint8       *data,
                                                      gsize               length);
/* A whole document, plain or gzipped (by its magic). NULL with
 * TSR_IP_RANGES_ERROR_GZIP when a gzipped one is corrupt; malformed
 * lines are never an error. */
TsrIpRanges        *tsr_ip_ranges_parse              (const guint8       *data,
                                                      gsize               length,
                                                      GError            **error);
/* No range at all. */
TsrIpRanges        *tsr_ip_ranges_new_empty          (void);

TsrIpRanges        *tsr_ip_ranges_ref                (TsrIpRanges        *self);
void                tsr_ip_ranges_unref              (TsrIpRanges        *self);

/* Whether @address (its port is not looked at) is in a range. */
gboolean            tsr_ip_ranges_contains           (TsrIpRanges          *self,
                                                      const TsrPeerAddress *address);
/* Ranges after merging, of one family (IPv4 or IPv6) or both (0). */
guint               tsr_ip_ranges_get_n_ranges       (TsrIpRanges        *self,
                                                      TsrPeerAddressFamily family);
/* IPv4 addresses covered (at most 2^32). */
guint64             tsr_ip_ranges_get_n_ipv4         (TsrIpRanges        *self);
/* IPv6 addresses covered, as a float: up to 2^128. */
gdouble             tsr_ip_ranges_get_n_ipv6         (TsrIpRanges        *self);
/* Lines read (all sources), and the malformed among them; @lines (nullable)
 * gets the first TSR_IP_RANGES_MAX_REPORTED of their numbers (each within
 * its source), @n_lines how many of those there are. */
guint               tsr_ip_ranges_get_n_lines        (TsrIpRanges        *self);
guint               tsr_ip_ranges_get_n_malformed    (TsrIpRanges        *self,
                                                      const guint       **lines,
                                                      guint              *n_lines);
/* "a - b" for range @index of @family, for tests and people. */
char               *tsr_ip_ranges_dup_range          (TsrIpRanges        *self,
                                                      TsrPeerAddressFamily family,
                                                      guint               index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrIpRanges, tsr_ip_ranges_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrIpRangesBuilder, tsr_ip_ranges_builder_free)

G_END_DECLS
