/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-piece-buffer.h: page-aligned buffers for pieces being downloaded,
 * recycled through a small process-wide pool.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A buffer of @size bytes, page-aligned (for direct I/O), its contents
 * undefined. Any thread. */
guint8 *tsr_piece_buffer_take     (gsize   size);
/* Gives @buffer (of @size bytes; NULL is ignored) back to the pool, or
 * frees it when the pool is full. Any thread. */
void    tsr_piece_buffer_give     (guint8 *buffer,
                                   gsize   size);
/* Wraps @buffer (taken) in a GBytes that gives it back to the pool when
 * its last reference drops, on whichever thread. */
GBytes *tsr_piece_buffer_to_bytes (guint8 *buffer,
                                   gsize   size);
/* Bytes the pool holds now (for tests and debug JSON). */
gsize   tsr_piece_buffer_get_pooled (void);

G_END_DECLS
