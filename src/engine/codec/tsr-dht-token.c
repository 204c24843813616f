/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-token.c: DHT write tokens (BEP 5), as the reference client
 * makes them: SHA-1 of a secret and the requester's IP address, the
 * secret replaced every five minutes and the previous one still
 * accepted. Nothing is stored per requester.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <nettle/sha1.h>
#include <string.h>

#include "tsr-dht-token.h"
#include "tsr-util.h"

#define SECRET_LENGTH 16

struct _TsrDhtTokens
{
  guint8  current[SECRET_LENGTH];
  guint8  previous[SECRET_LENGTH];
  gint64  rotated_at;     /* seconds: when current became current */
};

static void
new_secret (guint8 *secret)
{
  tsr_random_bytes (secret, SECRET_LENGTH);
}

TsrDhtTokens *
tsr_dht_tokens_new (gint64 now)
{
  TsrDhtTokens *self = g_new0 (TsrDhtTokens, 1);

  new_secret (self->current);
  new_secret (self->previous);
  self->rotated_at = now;
  return self;
}

void
tsr_dht_tokens_free (TsrDhtTokens *self)
{
  if (self == NULL)
    return;
  /* Secrets do not linger in freed memory. */
  memset (self, 0, sizeof *self);
  g_free (self);
}

gboolean
tsr_dht_tokens_rotate (TsrDhtTokens *self,
                       gint64        now)
{
  gint64 elapsed = now - self->rotated_at;

  if (elapsed < TSR_DHT_TOKEN_ROTATION)
    return FALSE;
  memcpy (self->previous, self->current, SECRET_LENGTH);
  new_secret (self->current);
  /* Two periods or more: tokens of the old current secret are too old. */
  if (elapsed >= 2 * TSR_DHT_TOKEN_ROTATION)
    new_secret (self->previous);
  self->rotated_at = now;
  return TRUE;
}

static void
make_token (const guint8         *secret,
            const TsrPeerAddress *ip,
            guint8               *out_token)
{
  struct sha1_ctx ctx;
  guint8 digest[SHA1_DIGEST_SIZE];

  sha1_init (&ctx);
  sha1_update (&ctx, SECRET_LENGTH, secret);
  sha1_update (&ctx, ip->family == 6 ? 16 : 4, ip->address);
  sha1_digest (&ctx, SHA1_DIGEST_SIZE, digest);
  memcpy (out_token, digest, TSR_DHT_TOKEN_LENGTH);
}

void
tsr_dht_tokens_make (TsrDhtTokens         *self,
                     const TsrPeerAddress *ip,
                     guint8               *out_token)
{
  g_return_if_fail (ip->family == 4 || ip->family == 6);

  make_token (self->current, ip, out_token);
}

gboolean
tsr_dht_tokens_check (TsrDhtTokens         *self,
                      const TsrPeerAddress *ip,
                      const guint8         *token,
                      gsize                 token_length)
{
  guint8 expected[TSR_DHT_TOKEN_LENGTH];

  g_return_val_if_fail (ip->family == 4 || ip->family == 6, FALSE);

  if (token_length != TSR_DHT_TOKEN_LENGTH)
    return FALSE;
  make_token (self->current, ip, expected);
  if (memcmp (expected, token, TSR_DHT_TOKEN_LENGTH) == 0)
    return TRUE;
  make_token (self->previous, ip, expected);
  return memcmp (expected, token, TSR_DHT_TOKEN_LENGTH) == 0;
}
