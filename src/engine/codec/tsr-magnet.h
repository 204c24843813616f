/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-magnet.h: magnet URIs (BEP 9, v2 "btmh" per BEP 52/53).
 *
 * Parses what users paste and what web pages link, and writes the magnet
 * link of a torrent. A codec: no I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_MAGNET_ERROR (tsr_magnet_error_quark ())
GQuark tsr_magnet_error_quark (void);

typedef enum
{
  TSR_MAGNET_ERROR_NOT_MAGNET,      /* not a magnet: URI */
  TSR_MAGNET_ERROR_MALFORMED,       /* bad escaping or syntax */
  TSR_MAGNET_ERROR_NO_HASH,         /* no usable xt */
  TSR_MAGNET_ERROR_BAD_HASH,        /* xt present but not a valid btih/btmh */
  TSR_MAGNET_ERROR_CONFLICT,        /* two different hashes of the same kind */
  TSR_MAGNET_ERROR_BAD_PEER,        /* unused: a bad x.pe is now a warning (BEP 9) */
  TSR_MAGNET_ERROR_BAD_SELECT,      /* unused: a bad so= is now a warning (BEP 53) */
} TsrMagnetError;

typedef struct
{
  guint32 first;   /* inclusive */
  guint32 last;    /* inclusive */
} TsrMagnetRange;

/**
 * TsrMagnet:
 * @has_v1, @info_hash_v1: SHA-1 info hash from "xt=urn:btih:" (hex or base32)
 * @has_v2, @info_hash_v2: SHA-256 info hash from "xt=urn:btmh:1220..."
 * @display_name: (nullable): "dn", decoded to UTF-8
 * @trackers: "tr" URLs, in the order given, duplicates removed
 * @web_seeds: "ws" URLs
 * @peers: "x.pe" entries as "host:port" strings ("[v6]:port" for IPv6)
 * @select_only: "so" (BEP 53) ranges, empty when absent
 * @warnings: (element-type utf8): parameters that were skipped because
 *   they are malformed (BEP 9 requires only xt; the rest of the link is
 *   used, as libtorrent and Transmission do), for people
 */
typedef struct
{
  gboolean   has_v1;
  guint8     info_hash_v1[20];
  gboolean   has_v2;
  guint8     info_hash_v2[32];
  char      *display_name;
  GPtrArray *trackers;     /* (element-type utf8) */
  GPtrArray *web_seeds;    /* (element-type utf8) */
  GPtrArray *peers;        /* (element-type utf8) */
  GArray    *select_only;  /* (element-type TsrMagnetRange) */
  GPtrArray *warnings;     /* (element-type utf8) */
} TsrMagnet;

/* An empty magnet, to fill in and turn into a string. */
TsrMagnet *tsr_magnet_new       (void);
TsrMagnet *tsr_magnet_parse     (const char      *uri,
                                 GError         **error);
void       tsr_magnet_free      (TsrMagnet       *magnet);
TsrMagnet *tsr_magnet_copy      (const TsrMagnet *magnet);

/* Returns: (transfer full): the magnet link: xt (v1 then v2), dn, tr, ws,
 * x.pe, so, each value percent-encoded where needed. */
char      *tsr_magnet_to_string (const TsrMagnet *magnet);
/* Whether file @file (an index into the metainfo's files) is to be
 * fetched: "so" (BEP 53) is absent, or one of its ranges holds it. */
gboolean   tsr_magnet_selects_file (const TsrMagnet *magnet,
                                    guint            file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrMagnet, tsr_magnet_free)

G_END_DECLS
