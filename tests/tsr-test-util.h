/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-util.h: what several unit tests need: files of deterministic
 * pseudo-random content, torrents made of them, and removing a test's
 * folder.
 */
#pragma once

#include <glib.h>

#include "tsr-creator.h"
#include "tsr-metainfo.h"

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
/* Writes the smallest .torrent file holding @info's info dictionary. */
void tsr_test_write_torrent_file (TsrMetainfo *info,
                                  const char  *path);
/* Removes @path and everything below it; symbolic links are not followed. */
void tsr_test_remove_tree (const char *path);

G_END_DECLS
