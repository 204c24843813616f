/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-mse-private.h: hooks that make a handshake reproducible for unit
 * tests and the fuzz target. Nothing else calls them.
 */
#pragma once

#include "tsr-mse.h"

G_BEGIN_DECLS

/* Each must come before the first tsr_mse_feed() or
 * tsr_mse_take_output(). */
/* Random bytes (keys, padding) from g_rand seeded by @seed instead of
 * the system's generator. */
void          _tsr_mse_set_test_seed   (TsrMse       *self,
                                        guint32       seed);
/* A private key of @length (1 to 20) big-endian bytes, not zero. */
void          _tsr_mse_set_private_key (TsrMse       *self,
                                        const guint8 *key,
                                        gsize         length);
/* Every padding this side sends is @length bytes (at most 512). */
void          _tsr_mse_set_padding     (TsrMse       *self,
                                        guint         length);

/* Returns: our public key (96 bytes), known once started. */
const guint8 *_tsr_mse_get_public_key  (TsrMse       *self);
/* Returns: the shared secret S (96 bytes), or NULL before the peer's
 * key came. */
const guint8 *_tsr_mse_get_secret      (TsrMse       *self);
/* Returns: (transfer none) (nullable): the encrypt stream as it is now,
 * for a test that sends payload right behind the handshake. */
TsrRc4       *_tsr_mse_peek_encrypt    (TsrMse       *self);

G_END_DECLS
