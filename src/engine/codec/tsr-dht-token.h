/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-token.h: the write tokens of the DHT (BEP 5): a get_peers
 * response hands the requester a token that its announce_peer must bring
 * back from the same IP address. Pure: the caller gives the time.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Tokens are the first bytes of a SHA-1: 8 are plenty against guessing
 * and keep responses short. */
#define TSR_DHT_TOKEN_LENGTH 8
/* BEP 5: the secret changes every five minutes; a token is accepted with
 * the current or the previous secret, so for five to ten minutes. */
#define TSR_DHT_TOKEN_ROTATION 300

typedef struct _TsrDhtTokens TsrDhtTokens;

/* Two fresh random secrets; @now (seconds, any monotonic clock) starts
 * the first period. */
TsrDhtTokens *tsr_dht_tokens_new    (gint64                now);
void          tsr_dht_tokens_free   (TsrDhtTokens         *self);
/* Moves to a new secret when TSR_DHT_TOKEN_ROTATION seconds have passed
 * since the last move (to two new ones when twice that has passed, so
 * that no token outlives its ten minutes). TRUE when it moved. */
gboolean      tsr_dht_tokens_rotate (TsrDhtTokens         *self,
                                     gint64                now);
/* The token for requests from @ip: SHA-1 of the current secret and the
 * address bytes (4 or 16; the port is left out, as NATs change it). */
void          tsr_dht_tokens_make   (TsrDhtTokens         *self,
                                     const TsrPeerAddress *ip,
                                     guint8               *out_token);
/* TRUE when @token is what tsr_dht_tokens_make() gives @ip with the
 * current or the previous secret. */
gboolean      tsr_dht_tokens_check  (TsrDhtTokens         *self,
                                     const TsrPeerAddress *ip,
                                     const guint8         *token,
                                     gsize                 token_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDhtTokens, tsr_dht_tokens_free)

G_END_DECLS
