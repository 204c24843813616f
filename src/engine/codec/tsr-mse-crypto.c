/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-mse-crypto.c: the primitives of Message Stream Encryption (see
 * tsr-mse.c for the handshake that uses them): RC4 streams (nettle's
 * arcfour) that drop the first keystream bytes, HASH (SHA-1 over a
 * 4-character tag and one or two values), and Diffie-Hellman over the
 * specification's 768-bit safe prime P with G = 2. The modular
 * exponentiation is GMP's (mpz_powm_sec for the private exponent):
 * nettle's own bignum layer is a thin wrapper over GMP too. Bytes in,
 * bytes out; no state beyond an RC4 stream's.
 */
#define G_LOG_DOMAIN "tsr-mse"

#include "config.h"

#include <gmp.h>
#include <nettle/arcfour.h>
#include <nettle/sha1.h>
#include <string.h>

#include "tsr-mse-crypto.h"

G_STATIC_ASSERT (TSR_MSE_HASH_LENGTH == SHA1_DIGEST_SIZE);

/* The specification's P (RFC 2409's first Oakley group). */
static const char mse_prime_hex[] =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
  "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
  "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563";

struct _TsrRc4
{
  struct arcfour_ctx ctx;
};

/* RC4 */

TsrRc4 *
tsr_rc4_new (const guint8 *key,
             gsize         key_length,
             gsize         discard)
{
  TsrRc4 *self;
  guint8 scratch[256];

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (key_length >= ARCFOUR_MIN_KEY_SIZE && key_length <= ARCFOUR_MAX_KEY_SIZE, NULL);

  self = g_new0 (TsrRc4, 1);
  arcfour_set_key (&self->ctx, key_length, key);
  while (discard > 0)
    {
      gsize n = MIN (discard, sizeof scratch);

      arcfour_crypt (&self->ctx, n, scratch, scratch);
      discard -= n;
    }
  return self;
}

void
tsr_rc4_crypt (TsrRc4 *self,
               guint8 *data,
               gsize   length)
{
  g_return_if_fail (self != NULL);

  if (length > 0)
    arcfour_crypt (&self->ctx, length, data, data);
}

void
tsr_rc4_free (TsrRc4 *self)
{
  if (self == NULL)
    return;
  memset (self, 0, sizeof *self);
  g_free (self);
}

/* HASH */

void
tsr_mse_hash (const char   *tag,
              const guint8 *a,
              gsize         a_length,
              const guint8 *b,
              gsize         b_length,
              guint8       *out)
{
  struct sha1_ctx ctx;

  sha1_init (&ctx);
  sha1_update (&ctx, 4, (const guint8 *) tag);
  sha1_update (&ctx, a_length, a);
  if (b != NULL)
    sha1_update (&ctx, b_length, b);
  sha1_digest (&ctx, TSR_MSE_HASH_LENGTH, out);
}

/* Diffie-Hellman */

static void
export_key (mpz_t   value,
            guint8 *out)
{
  gsize size = (mpz_sizeinbase (value, 2) + 7) / 8;

  g_assert (size <= TSR_MSE_KEY_LENGTH);
  /* Big-endian in all 96 bytes: a small value keeps its leading zeros
   * (and zero, of size 1, exports nothing). */
  memset (out, 0, TSR_MSE_KEY_LENGTH);
  mpz_export (out + TSR_MSE_KEY_LENGTH - size, NULL, 1, 1, 1, 0, value);
}

void
tsr_mse_dh_public_key (const guint8 *private_key,
                       guint8       *public_key)
{
  mpz_t p, g, x, y;

  mpz_inits (p, g, x, y, NULL);
  mpz_set_str (p, mse_prime_hex, 16);
  mpz_set_ui (g, 2);
  mpz_import (x, TSR_MSE_PRIVATE_KEY_LENGTH, 1, 1, 1, 0, private_key);
  /* The private exponent is never 0 (the caller sees to it), as
   * mpz_powm_sec requires; P is odd. */
  mpz_powm_sec (y, g, x, p);
  export_key (y, public_key);
  mpz_clears (p, g, x, y, NULL);
}

gboolean
tsr_mse_dh_secret (const guint8 *private_key,
                   const guint8 *peer_key,
                   guint8       *secret)
{
  mpz_t p, p_minus_1, y, x, s;
  gboolean ok;

  mpz_inits (p, p_minus_1, y, x, s, NULL);
  mpz_set_str (p, mse_prime_hex, 16);
  mpz_sub_ui (p_minus_1, p, 1);
  mpz_import (y, TSR_MSE_KEY_LENGTH, 1, 1, 1, 0, peer_key);
  /* 1 < Y < P - 1: the others give S = 0, 1 or +-1. */
  ok = mpz_cmp_ui (y, 1) > 0 && mpz_cmp (y, p_minus_1) < 0;
  if (ok)
    {
      mpz_import (x, TSR_MSE_PRIVATE_KEY_LENGTH, 1, 1, 1, 0, private_key);
      mpz_powm_sec (s, y, x, p);
      export_key (s, secret);
    }
  mpz_clears (p, p_minus_1, y, x, s, NULL);
  return ok;
}
