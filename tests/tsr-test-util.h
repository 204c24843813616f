/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-util.h: what several unit tests need: files of deterministic
 * pseudo-random content, and removing a test's folder.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @size bytes derived from @seed to @dir/@relative, folders too. */
void tsr_test_write_file  (const char *dir,
                           const char *relative,
                           gsize       size,
                           guint       seed);
/* Removes @path and everything below it; symbolic links are not followed. */
void tsr_test_remove_tree (const char *path);

G_END_DECLS
