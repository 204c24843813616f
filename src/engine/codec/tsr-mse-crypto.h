/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-mse-crypto.h: the primitives of Message Stream Encryption: RC4
 * streams, HASH and the Diffie-Hellman key exchange. The handshake that
 * puts them together is tsr-mse.h.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_MSE_KEY_LENGTH         96   /* Ya, Yb and S: 768 bits, big-endian */
#define TSR_MSE_PRIVATE_KEY_LENGTH 20   /* Xa and Xb: 160 bits, big-endian */
#define TSR_MSE_HASH_LENGTH        20   /* HASH is SHA-1 */

/* RC4 (nettle's arcfour), one direction of a connection. */
typedef struct _TsrRc4 TsrRc4;

/* @key_length is 1 to 256 bytes; the first @discard keystream bytes are
 * dropped (MSE: a 20-byte key and TSR_MSE_RC4_DISCARD). */
TsrRc4 *tsr_rc4_new   (const guint8 *key,
                       gsize         key_length,
                       gsize         discard);
/* Encrypts or decrypts @data in place, continuing the keystream. */
void    tsr_rc4_crypt (TsrRc4       *self,
                       guint8       *data,
                       gsize         length);
void    tsr_rc4_free  (TsrRc4       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrRc4, tsr_rc4_free)

/* HASH(@tag, @a, @b) into @out (TSR_MSE_HASH_LENGTH bytes): @tag is 4
 * characters ("req1", "keyA"...), @b may be NULL. */
void     tsr_mse_hash          (const char   *tag,
                                const guint8 *a,
                                gsize         a_length,
                                const guint8 *b,
                                gsize         b_length,
                                guint8       *out);

/* Y = G^X mod P: @public_key (TSR_MSE_KEY_LENGTH bytes) from
 * @private_key (TSR_MSE_PRIVATE_KEY_LENGTH bytes, not zero). */
void     tsr_mse_dh_public_key (const guint8 *private_key,
                                guint8       *public_key);
/* S = Y^X mod P: @secret (TSR_MSE_KEY_LENGTH bytes) from our
 * @private_key and the peer's @peer_key (TSR_MSE_KEY_LENGTH bytes).
 * FALSE, @secret untouched, for a peer key that would make S trivial
 * (0, 1, P - 1 or more). */
gboolean tsr_mse_dh_secret     (const guint8 *private_key,
                                const guint8 *peer_key,
                                guint8       *secret);

G_END_DECLS
