/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-mse.h: Message Stream Encryption / Protocol Encryption (MSE/PE),
 * the BitTorrent connection obfuscation of Vuze, libtorrent,
 * Transmission, qBittorrent and uTorrent: a socket-free handshake state
 * machine that hands over RC4 streams (tsr-mse-crypto.h).
 */
#pragma once

#include <glib.h>

#include "tsr-mse-crypto.h"

G_BEGIN_DECLS

#define TSR_MSE_ERROR (tsr_mse_error_quark ())
GQuark tsr_mse_error_quark (void);

typedef enum
{
  TSR_MSE_ERROR_BAD_KEY,            /* a public key of 0, 1, P - 1 or more */
  TSR_MSE_ERROR_NO_SYNC,            /* HASH('req1', S) or ENCRYPT(VC) not found in time */
  TSR_MSE_ERROR_UNKNOWN_TORRENT,    /* no served info hash matches req2 */
  TSR_MSE_ERROR_BAD_VC,             /* the verification constant is not zero */
  TSR_MSE_ERROR_PADDING_TOO_LONG,
  TSR_MSE_ERROR_IA_TOO_LONG,
  TSR_MSE_ERROR_NO_COMMON_CRYPTO,   /* responder: nothing offered is accepted */
  TSR_MSE_ERROR_BAD_SELECT,         /* initiator: crypto_select is not one offered method */
  TSR_MSE_ERROR_CLOSED,             /* the connection ended mid-handshake */
} TsrMseError;

/* Sizes and limits of the specification (key and hash lengths, and the
 * RC4 streams the handshake hands over: tsr-mse-crypto.h). */
#define TSR_MSE_MAX_PADDING     512    /* PadA, PadB, PadC, PadD */
#define TSR_MSE_RC4_DISCARD     1024   /* keystream bytes dropped after keying */
#define TSR_MSE_INFO_HASH_LENGTH 20
/* Ours: IA is the BitTorrent handshake (68 bytes); room is left for a
 * client that sends more with it, a larger one is refused. */
#define TSR_MSE_MAX_IA_LENGTH   1024

/* crypto_provide and crypto_select bits. */
typedef enum
{
  TSR_MSE_CRYPTO_PLAINTEXT = 0x01,
  TSR_MSE_CRYPTO_RC4       = 0x02,
} TsrMseCrypto;

/* What a side offers (initiator) or accepts (responder). An initiator
 * offering both lets the responder choose: PREFER_RC4 and
 * PREFER_PLAINTEXT differ only for a responder. */
typedef enum
{
  TSR_MSE_POLICY_PREFER_RC4,
  TSR_MSE_POLICY_PREFER_PLAINTEXT,
  TSR_MSE_POLICY_RC4_ONLY,
  TSR_MSE_POLICY_PLAINTEXT_ONLY,   /* obfuscated handshake, plaintext payload */
} TsrMsePolicy;

typedef enum
{
  TSR_MSE_STATE_NEED_MORE,   /* feed more bytes (after sending the output) */
  TSR_MSE_STATE_DONE,
  TSR_MSE_STATE_FAILED,
} TsrMseState;

/* How the first bytes of an incoming connection look. */
typedef enum
{
  TSR_MSE_DETECT_NEED_MORE,   /* a prefix of the plaintext handshake so far */
  TSR_MSE_DETECT_PLAINTEXT,   /* byte 19 then "BitTorrent protocol" */
  TSR_MSE_DETECT_ENCRYPTED,   /* anything else: hand it to a responder */
} TsrMseDetect;

/* Tells a plaintext BitTorrent handshake from an MSE start using the
 * first @length bytes of an incoming connection. Decides as soon as one
 * byte differs from "\x13BitTorrent protocol"; needs all 20 to say
 * plaintext. The bytes looked at are still to be fed to the chosen
 * layer. */
TsrMseDetect tsr_mse_looks_plaintext (const guint8 *data,
                                      gsize         length);

/* HASH('req2', SKEY): what a responder's TsrMseFindFunc is asked for.
 * A session serving many torrents keeps a table from this to each info
 * hash. */
void tsr_mse_hash_req2 (const guint8 *info_hash,
                        guint8       *out);

/* Asked once per incoming handshake: fills @info_hash (20 bytes) and
 * returns TRUE when a served torrent's HASH('req2', info hash) is @req2
 * (20 bytes). A hybrid torrent (BEP 52) is served under both its v1 hash
 * and its v2 hash cut to 20 bytes: libtorrent 2.0 dials with the v1 one
 * and answers to either. */
typedef gboolean (*TsrMseFindFunc) (const guint8 *req2,
                                    guint8       *info_hash,
                                    gpointer      user_data);

/* One handshake, one side of one connection. Bytes go in through
 * tsr_mse_feed() and out through tsr_mse_take_output(); nothing here
 * touches a socket. */
typedef struct _TsrMse TsrMse;

/* @info_hash (20 bytes) is SKEY. @initial_payload (IA, at most
 * TSR_MSE_MAX_IA_LENGTH bytes, may be empty) is sent encrypted in the
 * handshake: the BitTorrent handshake, to save a round trip. */
TsrMse       *tsr_mse_new_initiator       (const guint8   *info_hash,
                                           TsrMsePolicy    policy,
                                           const guint8   *initial_payload,
                                           gsize           initial_payload_length);
/* @find is called (borrowed @user_data) to learn the torrent. */
TsrMse       *tsr_mse_new_responder       (TsrMsePolicy    policy,
                                           TsrMseFindFunc  find,
                                           gpointer        user_data);
void          tsr_mse_free                (TsrMse         *self);

/* Takes in bytes received from the peer. FALSE (state FAILED) when the
 * handshake is refused; then close the connection. Once DONE, further
 * bytes are decrypted onto the leftover until the decrypt stream is
 * stolen. Not to be called once FAILED. */
gboolean      tsr_mse_feed                (TsrMse         *self,
                                           const guint8   *data,
                                           gsize           length,
                                           GError        **error);
/* The peer closed its side: FALSE (FAILED, TSR_MSE_ERROR_CLOSED) unless
 * the handshake was DONE. */
gboolean      tsr_mse_feed_eof            (TsrMse         *self,
                                           GError        **error);
/* Returns: (transfer full) (nullable): bytes to send, in order, or NULL
 * when there are none (always once FAILED). An initiator has its first
 * bytes at once. Take the output once more on DONE: the responder's last
 * bytes come then, and they go out before anything the encrypt stream
 * encrypts. */
GBytes       *tsr_mse_take_output         (TsrMse         *self);
TsrMseState   tsr_mse_get_state           (TsrMse         *self);

/* Once DONE. */
/* TSR_MSE_CRYPTO_RC4 or TSR_MSE_CRYPTO_PLAINTEXT for the payload. */
TsrMseCrypto  tsr_mse_get_crypto          (TsrMse         *self);
/* The torrent's info hash (20 bytes): the responder's is the one found. */
const guint8 *tsr_mse_get_info_hash       (TsrMse         *self);
/* Returns: (transfer full): responder: IA as received, decrypted
 * (possibly empty); initiator: empty. */
GBytes       *tsr_mse_steal_initial_payload (TsrMse       *self);
/* Returns: (transfer full): payload bytes that came after the handshake,
 * already decrypted: the BitTorrent layer reads them first, then what
 * the decrypt stream decrypts. Possibly empty. */
GBytes       *tsr_mse_steal_leftover      (TsrMse         *self);
/* Returns: (transfer full) (nullable): the streams for the rest of the
 * connection (encrypt what is sent, decrypt what is received), NULL
 * unless RC4 was selected. Each can be stolen once. */
TsrRc4       *tsr_mse_steal_encrypt       (TsrMse         *self);
TsrRc4       *tsr_mse_steal_decrypt       (TsrMse         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrMse, tsr_mse_free)

G_END_DECLS
