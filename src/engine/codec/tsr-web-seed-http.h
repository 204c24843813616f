/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seed-http.h: the pure HTTP pieces of web seeding: the URLs a
 * BEP 19 web seed (url-list) or a BEP 17 HTTP seed (httpseeds) is asked
 * at, and parsers for the reply headers a fetch reads. No I/O and no
 * clock: any thread. The fetching is tsr-web-seed.c's.
 */
#pragma once

#include <glib.h>

#include "tsr-metainfo.h"

G_BEGIN_DECLS

/* BEP 19: each file's path under the seed's URL, percent-escaped byte
 * for byte and joined by '/', in the order of @info's files (pad files
 * included). The names are the torrent's own as its info dictionary
 * holds them, not the ones tsr-path made safe for our disk; when they
 * cannot be read the way tsr-metainfo did, the display paths. */
GPtrArray   *tsr_web_seed_http_dup_file_paths      (TsrMetainfo        *info);
/* BEP 19: the URL of the file at @path (from dup_file_paths) under the
 * seed's @url. A single-file torrent's URL names the file, unless it
 * ends in '/'; a multi-file torrent's names the folder holding it. */
char        *tsr_web_seed_http_build_file_url      (const char         *url,
                                                    gboolean            multi_file,
                                                    const char         *path);
/* BEP 17: @url?info_hash=…&piece=@index (or &info_hash=… when @url has
 * a query already); @info_hash is 20 bytes. */
char        *tsr_web_seed_http_build_piece_url     (const char         *url,
                                                    const guint8       *info_hash,
                                                    guint               index);

/* "bytes FIRST-LAST/TOTAL" (TOTAL may be '*': *@total = G_MAXUINT64).
 * FALSE for anything else (the unsatisfied form, with '*' for the range,
 * included), or when LAST < FIRST or LAST >= TOTAL. */
gboolean     tsr_web_seed_http_parse_content_range (const char         *value,
                                                    guint64            *first,
                                                    guint64            *last,
                                                    guint64            *total);
/* Retry-After: delay-seconds, or (when @now is given) an HTTP-date,
 * counted from @now (0 when past). Also reads a BEP 17 503 body, which
 * is the seconds alone. FALSE when it is neither. */
gboolean     tsr_web_seed_http_parse_retry_after   (const char         *value,
                                                    GDateTime          *now,
                                                    guint64            *seconds);

G_END_DECLS
