/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bitfield.h: a set of piece indices in BEP 3's wire layout (piece 0
 * is the high bit of byte 0), with a kept count of set bits.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TsrBitfield TsrBitfield;

TsrBitfield  *tsr_bitfield_new        (guint              n_bits);
TsrBitfield  *tsr_bitfield_copy       (const TsrBitfield *self);
void          tsr_bitfield_free       (TsrBitfield       *self);

guint         tsr_bitfield_get_size   (const TsrBitfield *self);
guint         tsr_bitfield_count      (const TsrBitfield *self);
gboolean      tsr_bitfield_get        (const TsrBitfield *self,
                                       guint              index);
void          tsr_bitfield_set        (TsrBitfield       *self,
                                       guint              index,
                                       gboolean           value);
void          tsr_bitfield_set_all    (TsrBitfield       *self,
                                       gboolean           value);
gboolean      tsr_bitfield_is_full    (const TsrBitfield *self);

/* The wire bytes: (n_bits + 7) / 8 of them, spare bits zero. */
const guint8 *tsr_bitfield_get_bytes  (const TsrBitfield *self,
                                       gsize             *length);
/* Replaces the contents; FALSE (and no change) when @length does not fit
 * the size or spare bits are set. */
gboolean      tsr_bitfield_set_bytes  (TsrBitfield       *self,
                                       const guint8      *data,
                                       gsize              length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrBitfield, tsr_bitfield_free)

G_END_DECLS
