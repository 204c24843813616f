/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-util.h: what several unit tests need: files and bytes of
 * deterministic pseudo-random content, torrents made of them, removing
 * a test's folder, a local HTTP server and the Range header it takes,
 * bounded waits on the main context, and the folders of a swarm test
 * (a seed's and a leech's) with the check that they hold the same.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "tsr-creator.h"
#include "tsr-metainfo.h"
#include "tsr-session.h"

G_BEGIN_DECLS

/* Writes @size bytes derived from @seed to @dir/@relative, folders too. */
void tsr_test_write_file  (const char *dir,
                           const char *relative,
                           gsize       size,
                           guint       seed);
/* A torrent of @root in @format with @piece_length pieces and no creation
 * date; the test fails if it cannot be made. */
TsrMetainfo *tsr_test_make_torrent (const char      *root,
                                    TsrCreateFormat  format,
                                    guint64          piece_length);
/* The two-file torrent many tests share: @root/a.bin (40000 bytes) and
 * @root/b.bin (30000) are written, and made into a v1 torrent of five
 * 16 KiB pieces, the last 4464 bytes, the third across both files. */
TsrMetainfo *tsr_test_make_pack (const char *root);
/* Writes the smallest .torrent file holding @info's info dictionary. */
void tsr_test_write_torrent_file (TsrMetainfo *info,
                                  const char  *path);
/* @size bytes derived from @seed (GLib's GRand: not the same bytes as
 * tsr_test_write_file writes). */
GBytes *tsr_test_make_bytes (gsize size,
                             guint seed);
/* @received holds exactly @data. */
void tsr_test_assert_received (GByteArray *received,
                               GBytes     *data);
/* Removes @path and everything below it; symbolic links are not followed. */
void tsr_test_remove_tree (const char *path);
/* An HTTP Range header as the web seed client sends it, "bytes=A-B"
 * and nothing else (RFC 9110 14.1.2, one closed range): FALSE for any
 * other form, or for B before A. */
gboolean tsr_test_parse_range (const char *value,
                               guint64    *first,
                               guint64    *last);
/* An HTTP server listening on 127.0.0.1, at a port of its choosing,
 * that hands every request to @callback; *@base is set to its
 * "http://127.0.0.1:PORT" (free it). */
SoupServer *tsr_test_http_server_new (SoupServerCallback   callback,
                                      gpointer             user_data,
                                      char               **base);

/* A timeout on the default main context that sets @expired. */
typedef struct
{
  gboolean expired;
  guint    source;
} TsrTestDeadline;

void tsr_test_deadline_start (TsrTestDeadline *deadline,
                              guint            milliseconds);
void tsr_test_deadline_stop  (TsrTestDeadline *deadline);
/* Lets the main context run for @milliseconds: for what must NOT happen. */
void tsr_test_run_for        (guint            milliseconds);

/* Cancelled reads and writes still have callbacks to run: lets the
 * main context run for 100 ms, then runs what is pending. */
void tsr_test_drain          (void);

/* A swarm test's temporary folder @dir (its name starts with @prefix),
 * with the seed's folder @source (dir/source, not made) and the
 * leech's @target (dir/target, made empty). @info is the test's torrent
 * of what it writes under @source, NULL until it sets it. */
typedef struct
{
  char        *dir;
  char        *source;
  char        *target;
  TsrMetainfo *info;
} TsrTestSwarmDirs;

void  tsr_test_swarm_dirs_init   (TsrTestSwarmDirs *dirs,
                                  const char       *prefix);
/* Removes the folder and frees what @dirs holds. */
void  tsr_test_swarm_dirs_clear  (TsrTestSwarmDirs *dirs);
/* Each file of @info but padding has the same bytes under @target as
 * under @source; returns how many files were compared. */
guint tsr_test_assert_same_files (TsrMetainfo      *info,
                                  const char       *source,
                                  const char       *target);

/* Iterates the main context until @condition holds; after @seconds the
 * test fails naming @what. A macro, so that the failure points at the
 * line that waited and @condition can be any expression. */
#define TSR_TEST_WAIT_UNTIL(condition, seconds, what) \
  G_STMT_START \
    { \
      TsrTestDeadline deadline_; \
 \
      tsr_test_deadline_start (&deadline_, (seconds) * 1000); \
      while (!(condition) && !deadline_.expired) \
        g_main_context_iteration (NULL, TRUE); \
      tsr_test_deadline_stop (&deadline_); \
      if (!(condition)) \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                             "timed out after " G_STRINGIFY (seconds) " s waiting for " what); \
    } \
  G_STMT_END

/* Adds @info to @session saving into @folder, starts it and waits (20 s
 * at most, else the test fails) until it is in @state. (transfer none) */
TsrTorrent *tsr_test_add_and_start (TsrSession      *session,
                                    TsrMetainfo     *info,
                                    const char      *folder,
                                    TsrTorrentState  state);

G_END_DECLS
