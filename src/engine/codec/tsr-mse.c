/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-mse.c: Message Stream Encryption (MSE/PE), the handshake as Vuze
 * specified it and libtorrent, Transmission and uTorrent speak it:
 *
 *   A->B: Ya, PadA
 *   B->A: Yb, PadB
 *   A->B: HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S),
 *         ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA), IA)
 *   B->A: ENCRYPT(VC, crypto_select, len(PadD), PadD), ENCRYPT2(payload)
 *   A->B: ENCRYPT2(payload)
 *
 * Y = G^X mod P over the 768-bit safe prime P with G = 2 and 160-bit
 * private keys X; S = Yb^Xa = Ya^Xb mod P; keys, sent and hashed, are 96
 * bytes big-endian. SKEY is the info hash. HASH is SHA-1, ENCRYPT is RC4
 * keyed with HASH('keyA', S, SKEY) from A to B and HASH('keyB', S, SKEY)
 * from B to A, each dropping its first 1024 keystream bytes. VC is 8 zero
 * bytes; padding is 0 to 512 random bytes. ENCRYPT2 is RC4 carrying on
 * (crypto_select 0x02) or nothing (0x01). Each side finds where the
 * other's padding ends by looking for a marker it can compute: B for
 * HASH('req1', S) within 512 + 20 bytes after Ya, A for ENCRYPT(VC)
 * within 512 + 8 bytes after Yb.
 *
 * RC4, HASH and the key exchange are tsr-mse-crypto.c's. Everything here
 * is bytes in, bytes out; all input is untrusted and the buffered
 * handshake is bounded by the limits above.
 */
#define G_LOG_DOMAIN "tsr-mse"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-mse-crypto.h"
#include "tsr-mse-private.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-mse-error-quark, tsr_mse_error)

#define PRIVATE_KEY_LENGTH TSR_MSE_PRIVATE_KEY_LENGTH
#define VC_LENGTH          8
#define HASH_LENGTH        TSR_MSE_HASH_LENGTH

typedef enum
{
  ROLE_INITIATOR,
  ROLE_RESPONDER,
} Role;

/* Where the handshake is: each phase waits for its bytes. */
typedef enum
{
  PHASE_READ_KEY,          /* Yb (initiator) or Ya (responder) */
  PHASE_SYNC,              /* ENCRYPT(VC) (initiator) or HASH('req1', S) (responder) */
  PHASE_READ_REQ23,        /* responder: HASH('req2', SKEY) xor HASH('req3', S) */
  PHASE_READ_PROVIDE,      /* responder: VC, crypto_provide, len(PadC) */
  PHASE_READ_SELECT,       /* initiator: crypto_select, len(PadD) */
  PHASE_SKIP_PADDING,      /* PadC (responder) or PadD (initiator) */
  PHASE_READ_IA_LENGTH,    /* responder */
  PHASE_READ_IA,           /* responder */
  PHASE_DONE,
} Phase;

struct _TsrMse
{
  Role            role;
  TsrMsePolicy    policy;
  TsrMseState     state;
  Phase           phase;
  gboolean        started;         /* keys made, first output queued */

  TsrMseFindFunc  find;            /* responder */
  gpointer        find_data;       /* borrowed */

  GRand          *test_rand;       /* (owned) (nullable) tests only */
  gint            test_padding;    /* -1: random */

  guint8          private_key[PRIVATE_KEY_LENGTH];
  guint8          public_key[TSR_MSE_KEY_LENGTH];
  guint8          secret[TSR_MSE_KEY_LENGTH];
  gboolean        have_secret;
  guint8          info_hash[TSR_MSE_INFO_HASH_LENGTH];

  guint8          marker[HASH_LENGTH];   /* what PHASE_SYNC looks for */
  gsize           marker_length;
  gsize           scanned;         /* marker starts already ruled out, from in_pos */

  guint32         crypto_provide;  /* initiator: sent; responder: received */
  TsrMseCrypto    crypto;          /* selected */
  gsize           padding_left;    /* PHASE_SKIP_PADDING */
  gsize           ia_length;

  GByteArray     *in;              /* (owned) received, from in_pos on unread */
  gsize           in_pos;
  GByteArray     *out;             /* (owned) to send */
  GByteArray     *ia;              /* (owned) initiator: to send; responder: received */
  GByteArray     *leftover;        /* (owned) (nullable) once done: decrypted payload */
  TsrRc4         *encrypt;         /* (owned) (nullable) */
  TsrRc4         *decrypt;         /* (owned) (nullable) */
};

typedef enum
{
  STEP_MORE,    /* the phase changed: go on */
  STEP_WAIT,    /* needs bytes not here yet */
  STEP_FAILED,
} Step;

/* Helpers */

TsrMseDetect
tsr_mse_looks_plaintext (const guint8 *data,
                         gsize         length)
{
  static const char handshake[] = "\x13" "BitTorrent protocol";
  gsize n = MIN (length, sizeof handshake - 1);

  if (memcmp (data, handshake, n) != 0)
    return TSR_MSE_DETECT_ENCRYPTED;
  return n == sizeof handshake - 1 ? TSR_MSE_DETECT_PLAINTEXT : TSR_MSE_DETECT_NEED_MORE;
}

void
tsr_mse_hash_req2 (const guint8 *info_hash,
                   guint8       *out)
{
  tsr_mse_hash ("req2", info_hash, TSR_MSE_INFO_HASH_LENGTH, NULL, 0, out);
}

static void
random_bytes (TsrMse *self,
              guint8 *out,
              gsize   length)
{
  gsize done = 0;

  if (self->test_rand != NULL)
    {
      for (done = 0; done < length; done++)
        out[done] = (guint8) g_rand_int_range (self->test_rand, 0, 256);
      return;
    }
  tsr_random_bytes (out, length);
}

static gsize
padding_length (TsrMse *self)
{
  guint8 bytes[2];

  if (self->test_padding >= 0)
    return (gsize) self->test_padding;
  random_bytes (self, bytes, sizeof bytes);
  return (gsize) ((bytes[0] << 8 | bytes[1]) % (TSR_MSE_MAX_PADDING + 1));
}

static void
append_padding (TsrMse     *self,
                GByteArray *out,
                gsize       length)
{
  guint old = out->len;

  g_byte_array_set_size (out, old + (guint) length);
  random_bytes (self, out->data + old, length);
}

static void
ensure_started (TsrMse *self)
{
  static const guint8 zero[PRIVATE_KEY_LENGTH] = { 0 };

  if (self->started)
    return;
  self->started = TRUE;
  while (memcmp (self->private_key, zero, sizeof zero) == 0)
    random_bytes (self, self->private_key, sizeof self->private_key);
  tsr_mse_dh_public_key (self->private_key, self->public_key);
  if (self->role == ROLE_INITIATOR)
    {
      g_byte_array_append (self->out, self->public_key, TSR_MSE_KEY_LENGTH);
      append_padding (self, self->out, padding_length (self));
    }
}

static guint32
policy_offer (TsrMsePolicy policy)
{
  switch (policy)
    {
    case TSR_MSE_POLICY_RC4_ONLY:
      return TSR_MSE_CRYPTO_RC4;
    case TSR_MSE_POLICY_PLAINTEXT_ONLY:
      return TSR_MSE_CRYPTO_PLAINTEXT;
    case TSR_MSE_POLICY_PREFER_RC4:
    case TSR_MSE_POLICY_PREFER_PLAINTEXT:
    default:
      return TSR_MSE_CRYPTO_RC4 | TSR_MSE_CRYPTO_PLAINTEXT;
    }
}

/* The responder's choice among what is offered; 0 when nothing fits.
 * Bits the specification has not assigned are ignored. */
static TsrMseCrypto
choose_crypto (TsrMsePolicy policy,
               guint32      provide)
{
  guint32 common = provide & policy_offer (policy);

  if (policy == TSR_MSE_POLICY_PREFER_PLAINTEXT && (common & TSR_MSE_CRYPTO_PLAINTEXT))
    return TSR_MSE_CRYPTO_PLAINTEXT;
  if (common & TSR_MSE_CRYPTO_RC4)
    return TSR_MSE_CRYPTO_RC4;
  if (common & TSR_MSE_CRYPTO_PLAINTEXT)
    return TSR_MSE_CRYPTO_PLAINTEXT;
  return 0;
}

/* Both RC4 streams from S and SKEY: keyA encrypts what the initiator
 * sends, keyB what the responder sends. */
static void
make_streams (TsrMse *self)
{
  guint8 key_a[HASH_LENGTH];
  guint8 key_b[HASH_LENGTH];

  tsr_mse_hash ("keyA", self->secret, TSR_MSE_KEY_LENGTH, self->info_hash, TSR_MSE_INFO_HASH_LENGTH, key_a);
  tsr_mse_hash ("keyB", self->secret, TSR_MSE_KEY_LENGTH, self->info_hash, TSR_MSE_INFO_HASH_LENGTH, key_b);
  tsr_rc4_free (self->encrypt);
  tsr_rc4_free (self->decrypt);
  if (self->role == ROLE_INITIATOR)
    {
      self->encrypt = tsr_rc4_new (key_a, HASH_LENGTH, TSR_MSE_RC4_DISCARD);
      self->decrypt = tsr_rc4_new (key_b, HASH_LENGTH, TSR_MSE_RC4_DISCARD);
    }
  else
    {
      self->encrypt = tsr_rc4_new (key_b, HASH_LENGTH, TSR_MSE_RC4_DISCARD);
      self->decrypt = tsr_rc4_new (key_a, HASH_LENGTH, TSR_MSE_RC4_DISCARD);
    }
  memset (key_a, 0, sizeof key_a);
  memset (key_b, 0, sizeof key_b);
}

/* Appends @data encrypted with the outgoing stream. */
static void
append_encrypted (TsrMse       *self,
                  const guint8 *data,
                  gsize         length)
{
  guint old = self->out->len;

  g_byte_array_append (self->out, data, (guint) length);
  tsr_rc4_crypt (self->encrypt, self->out->data + old, length);
}

/* Unread bytes. */
static gsize
available (TsrMse *self)
{
  return self->in->len - self->in_pos;
}

/* Returns: the next @length unread bytes, decrypted when @decrypt, and
 * consumed; NULL while fewer are here. */
static const guint8 *
take (TsrMse   *self,
      gsize     length,
      gboolean  decrypt)
{
  guint8 *data;

  if (available (self) < length)
    return NULL;
  data = self->in->data + self->in_pos;
  if (decrypt)
    tsr_rc4_crypt (self->decrypt, data, length);
  self->in_pos += length;
  return data;
}

/* Looks for the marker at most @window - marker_length bytes into the
 * unread bytes; on success consumes everything up to and including it. */
static Step
sync_marker (TsrMse  *self,
             gsize    window,
             GError **error)
{
  const guint8 *data = self->in->data + self->in_pos;
  gsize length = available (self);
  gsize last_start = window - self->marker_length;   /* the padding's maximum */
  gsize start;

  for (start = self->scanned; start <= last_start && start + self->marker_length <= length; start++)
    if (memcmp (data + start, self->marker, self->marker_length) == 0)
      {
        self->in_pos += start + self->marker_length;
        return STEP_MORE;
      }
  self->scanned = start;
  if (start > last_start)
    {
      if (self->role == ROLE_RESPONDER)
        g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_NO_SYNC,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Encryption handshake: the peer’s request did not come within %zu byte of its key",
                                  "Encryption handshake: the peer’s request did not come within %zu bytes of its key",
                                  (gulong) window),
                     window);
      else
        g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_NO_SYNC,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Encryption handshake: the peer’s answer did not come within %zu byte of its key",
                                  "Encryption handshake: the peer’s answer did not come within %zu bytes of its key",
                                  (gulong) window),
                     window);
      return STEP_FAILED;
    }
  return STEP_WAIT;
}

static void
send_initiator_request (TsrMse *self)
{
  guint8 req1[HASH_LENGTH];
  guint8 req2[HASH_LENGTH];
  guint8 req3[HASH_LENGTH];
  guint8 vc[VC_LENGTH] = { 0 };
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  gsize pad = padding_length (self);
  guint i;

  tsr_mse_hash ("req1", self->secret, TSR_MSE_KEY_LENGTH, NULL, 0, req1);
  tsr_mse_hash_req2 (self->info_hash, req2);
  tsr_mse_hash ("req3", self->secret, TSR_MSE_KEY_LENGTH, NULL, 0, req3);
  for (i = 0; i < HASH_LENGTH; i++)
    req2[i] ^= req3[i];
  g_byte_array_append (self->out, req1, HASH_LENGTH);
  g_byte_array_append (self->out, req2, HASH_LENGTH);

  g_byte_array_append (plain, vc, VC_LENGTH);
  tsr_append_be32 (plain, self->crypto_provide);
  tsr_append_be16 (plain, (guint16) pad);
  append_padding (self, plain, pad);
  tsr_append_be16 (plain, (guint16) self->ia->len);
  g_byte_array_append (plain, self->ia->data, self->ia->len);
  append_encrypted (self, plain->data, plain->len);
  g_byte_array_set_size (self->ia, 0);
}

static void
send_responder_answer (TsrMse *self)
{
  guint8 vc[VC_LENGTH] = { 0 };
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  gsize pad = padding_length (self);

  g_byte_array_append (plain, vc, VC_LENGTH);
  tsr_append_be32 (plain, self->crypto);
  tsr_append_be16 (plain, (guint16) pad);
  append_padding (self, plain, pad);
  append_encrypted (self, plain->data, plain->len);
}

static gboolean
check_padding (gsize    length,
               GError **error)
{
  if (length <= TSR_MSE_MAX_PADDING)
    return TRUE;
  g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_PADDING_TOO_LONG,
               g_dngettext (GETTEXT_PACKAGE,
                            "Encryption handshake: the peer’s padding is %zu byte long, more than %u",
                            "Encryption handshake: the peer’s padding is %zu bytes long, more than %u",
                            (gulong) length),
               length, (guint) TSR_MSE_MAX_PADDING);
  return FALSE;
}

/* The peer's key came: S is known, and so is the next marker. */
static Step
step_read_key (TsrMse  *self,
               GError **error)
{
  const guint8 *key = take (self, TSR_MSE_KEY_LENGTH, FALSE);

  if (key == NULL)
    return STEP_WAIT;
  if (!tsr_mse_dh_secret (self->private_key, key, self->secret))
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_BAD_KEY,
                   _("Encryption handshake: the peer’s public key is not a valid key"));
      return STEP_FAILED;
    }
  self->have_secret = TRUE;
  if (self->role == ROLE_INITIATOR)
    {
      guint8 vc[VC_LENGTH] = { 0 };

      make_streams (self);
      send_initiator_request (self);
      /* ENCRYPT(VC) as the responder will send it; computing it moves
       * the decrypt stream past VC, where it is once VC is found. */
      tsr_rc4_crypt (self->decrypt, vc, VC_LENGTH);
      memcpy (self->marker, vc, VC_LENGTH);
      self->marker_length = VC_LENGTH;
    }
  else
    {
      g_byte_array_append (self->out, self->public_key, TSR_MSE_KEY_LENGTH);
      append_padding (self, self->out, padding_length (self));
      tsr_mse_hash ("req1", self->secret, TSR_MSE_KEY_LENGTH, NULL, 0, self->marker);
      self->marker_length = HASH_LENGTH;
    }
  self->scanned = 0;
  self->phase = PHASE_SYNC;
  return STEP_MORE;
}

static Step
step_sync (TsrMse  *self,
           GError **error)
{
  Step step = sync_marker (self, TSR_MSE_MAX_PADDING + self->marker_length, error);

  if (step == STEP_MORE)
    self->phase = self->role == ROLE_INITIATOR ? PHASE_READ_SELECT : PHASE_READ_REQ23;
  return step;
}

static Step
step_read_req23 (TsrMse  *self,
                 GError **error)
{
  const guint8 *data = take (self, HASH_LENGTH, FALSE);
  guint8 req2[HASH_LENGTH];
  guint i;

  if (data == NULL)
    return STEP_WAIT;
  tsr_mse_hash ("req3", self->secret, TSR_MSE_KEY_LENGTH, NULL, 0, req2);
  for (i = 0; i < HASH_LENGTH; i++)
    req2[i] ^= data[i];
  if (self->find == NULL || !self->find (req2, self->info_hash, self->find_data))
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_UNKNOWN_TORRENT,
                   _("Encryption handshake: the peer asks for a torrent not served here"));
      return STEP_FAILED;
    }
  make_streams (self);
  self->phase = PHASE_READ_PROVIDE;
  return STEP_MORE;
}

static Step
step_read_provide (TsrMse  *self,
                   GError **error)
{
  static const guint8 zero[VC_LENGTH] = { 0 };
  const guint8 *data = take (self, VC_LENGTH + 4 + 2, TRUE);

  if (data == NULL)
    return STEP_WAIT;
  if (memcmp (data, zero, VC_LENGTH) != 0)
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_BAD_VC,
                   _("Encryption handshake: the peer’s verification constant is wrong"));
      return STEP_FAILED;
    }
  self->crypto_provide = tsr_read_be32 (data + VC_LENGTH);
  self->crypto = choose_crypto (self->policy, self->crypto_provide);
  if (self->crypto == 0)
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_NO_COMMON_CRYPTO,
                   _("Encryption handshake: the peer offers no accepted encryption (offered 0x%x)"),
                   self->crypto_provide);
      return STEP_FAILED;
    }
  self->padding_left = (gsize) (data[VC_LENGTH + 4] << 8 | data[VC_LENGTH + 5]);
  if (!check_padding (self->padding_left, error))
    return STEP_FAILED;
  self->phase = PHASE_SKIP_PADDING;
  return STEP_MORE;
}

static Step
step_read_select (TsrMse  *self,
                  GError **error)
{
  const guint8 *data = take (self, 4 + 2, TRUE);
  guint32 select;

  if (data == NULL)
    return STEP_WAIT;
  select = tsr_read_be32 (data);
  /* Exactly one method, and one that was offered. */
  if ((select != TSR_MSE_CRYPTO_PLAINTEXT && select != TSR_MSE_CRYPTO_RC4) ||
      (select & self->crypto_provide) == 0)
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_BAD_SELECT,
                   _("Encryption handshake: the peer selected 0x%x, not one of the offered 0x%x"),
                   select, self->crypto_provide);
      return STEP_FAILED;
    }
  self->crypto = select;
  self->padding_left = (gsize) (data[4] << 8 | data[5]);
  if (!check_padding (self->padding_left, error))
    return STEP_FAILED;
  self->phase = PHASE_SKIP_PADDING;
  return STEP_MORE;
}

static Step
step_skip_padding (TsrMse *self)
{
  gsize n = MIN (self->padding_left, available (self));

  take (self, n, TRUE);
  self->padding_left -= n;
  if (self->padding_left > 0)
    return STEP_WAIT;
  self->phase = self->role == ROLE_INITIATOR ? PHASE_DONE : PHASE_READ_IA_LENGTH;
  return STEP_MORE;
}

static Step
step_read_ia_length (TsrMse  *self,
                     GError **error)
{
  const guint8 *data = take (self, 2, TRUE);

  if (data == NULL)
    return STEP_WAIT;
  self->ia_length = (gsize) (data[0] << 8 | data[1]);
  if (self->ia_length > TSR_MSE_MAX_IA_LENGTH)
    {
      g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_IA_TOO_LONG,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Encryption handshake: the peer’s initial payload is %zu byte long, more than %u",
                                "Encryption handshake: the peer’s initial payload is %zu bytes long, more than %u",
                                (gulong) self->ia_length),
                   self->ia_length, (guint) TSR_MSE_MAX_IA_LENGTH);
      return STEP_FAILED;
    }
  self->phase = PHASE_READ_IA;
  return STEP_MORE;
}

static Step
step_read_ia (TsrMse *self)
{
  const guint8 *data = take (self, self->ia_length, TRUE);

  if (data == NULL)
    return STEP_WAIT;
  g_byte_array_append (self->ia, data, (guint) self->ia_length);
  send_responder_answer (self);
  self->phase = PHASE_DONE;
  return STEP_MORE;
}

static Step
step (TsrMse  *self,
      GError **error)
{
  switch (self->phase)
    {
    case PHASE_READ_KEY:
      return step_read_key (self, error);
    case PHASE_SYNC:
      return step_sync (self, error);
    case PHASE_READ_REQ23:
      return step_read_req23 (self, error);
    case PHASE_READ_PROVIDE:
      return step_read_provide (self, error);
    case PHASE_READ_SELECT:
      return step_read_select (self, error);
    case PHASE_SKIP_PADDING:
      return step_skip_padding (self);
    case PHASE_READ_IA_LENGTH:
      return step_read_ia_length (self, error);
    case PHASE_READ_IA:
      return step_read_ia (self);
    case PHASE_DONE:
    default:
      g_assert_not_reached ();
    }
}

/* Past the handshake: the secrets go, the payload streams stay (RC4) or
 * go too (plaintext), and what was read beyond is payload. */
static void
finish (TsrMse *self)
{
  self->state = TSR_MSE_STATE_DONE;
  memset (self->private_key, 0, sizeof self->private_key);
  memset (self->secret, 0, sizeof self->secret);
  if (self->crypto != TSR_MSE_CRYPTO_RC4)
    {
      g_clear_pointer (&self->encrypt, tsr_rc4_free);
      g_clear_pointer (&self->decrypt, tsr_rc4_free);
    }
  self->leftover = g_byte_array_new ();
  g_byte_array_append (self->leftover, self->in->data + self->in_pos, (guint) available (self));
  if (self->decrypt != NULL)
    tsr_rc4_crypt (self->decrypt, self->leftover->data, self->leftover->len);
  g_byte_array_set_size (self->in, 0);
  self->in_pos = 0;
}

static TsrMse *
tsr_mse_new (Role         role,
             TsrMsePolicy policy)
{
  TsrMse *self = g_new0 (TsrMse, 1);

  self->role = role;
  self->policy = policy;
  self->state = TSR_MSE_STATE_NEED_MORE;
  self->phase = PHASE_READ_KEY;
  self->test_padding = -1;
  self->in = g_byte_array_new ();
  self->out = g_byte_array_new ();
  self->ia = g_byte_array_new ();
  return self;
}

TsrMse *
tsr_mse_new_initiator (const guint8 *info_hash,
                       TsrMsePolicy  policy,
                       const guint8 *initial_payload,
                       gsize         initial_payload_length)
{
  TsrMse *self;

  g_return_val_if_fail (info_hash != NULL, NULL);
  g_return_val_if_fail (initial_payload != NULL || initial_payload_length == 0, NULL);
  g_return_val_if_fail (initial_payload_length <= TSR_MSE_MAX_IA_LENGTH, NULL);

  self = tsr_mse_new (ROLE_INITIATOR, policy);
  memcpy (self->info_hash, info_hash, TSR_MSE_INFO_HASH_LENGTH);
  self->crypto_provide = policy_offer (policy);
  if (initial_payload_length > 0)
    g_byte_array_append (self->ia, initial_payload, (guint) initial_payload_length);
  return self;
}

TsrMse *
tsr_mse_new_responder (TsrMsePolicy   policy,
                       TsrMseFindFunc find,
                       gpointer       user_data)
{
  TsrMse *self;

  g_return_val_if_fail (find != NULL, NULL);

  self = tsr_mse_new (ROLE_RESPONDER, policy);
  self->find = find;
  self->find_data = user_data;
  return self;
}

void
tsr_mse_free (TsrMse *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->test_rand, g_rand_free);
  g_byte_array_unref (self->in);
  g_byte_array_unref (self->out);
  g_byte_array_unref (self->ia);
  g_clear_pointer (&self->leftover, g_byte_array_unref);
  tsr_rc4_free (self->encrypt);
  tsr_rc4_free (self->decrypt);
  memset (self, 0, sizeof *self);
  g_free (self);
}

gboolean
tsr_mse_feed (TsrMse        *self,
              const guint8  *data,
              gsize          length,
              GError       **error)
{
  Step result = STEP_MORE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (self->state != TSR_MSE_STATE_FAILED, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  /* Past the handshake, RC4 payload needs the stream to decrypt it. */
  g_return_val_if_fail (self->state != TSR_MSE_STATE_DONE || self->crypto != TSR_MSE_CRYPTO_RC4 ||
                        self->decrypt != NULL, FALSE);

  ensure_started (self);
  if (self->state == TSR_MSE_STATE_DONE)
    {
      guint old = self->leftover->len;

      g_byte_array_append (self->leftover, data, (guint) length);
      if (self->decrypt != NULL)
        tsr_rc4_crypt (self->decrypt, self->leftover->data + old, length);
      return TRUE;
    }

  g_byte_array_append (self->in, data, (guint) length);
  while (result == STEP_MORE && self->phase != PHASE_DONE)
    result = step (self, error);
  if (result == STEP_FAILED)
    {
      /* Nothing more to read or send: the connection is to be closed. */
      self->state = TSR_MSE_STATE_FAILED;
      g_byte_array_set_size (self->in, 0);
      g_byte_array_set_size (self->out, 0);
      self->in_pos = 0;
      return FALSE;
    }
  if (self->phase == PHASE_DONE)
    {
      finish (self);
      return TRUE;
    }
  /* Keep only the unread bytes: at most a window's worth waits here. */
  if (self->in_pos > 0)
    {
      g_byte_array_remove_range (self->in, 0, (guint) self->in_pos);
      self->in_pos = 0;
    }
  return TRUE;
}

gboolean
tsr_mse_feed_eof (TsrMse  *self,
                  GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state != TSR_MSE_STATE_FAILED, FALSE);

  if (self->state == TSR_MSE_STATE_DONE)
    return TRUE;
  self->state = TSR_MSE_STATE_FAILED;
  g_byte_array_set_size (self->out, 0);
  if (self->role == ROLE_INITIATOR && self->phase != PHASE_READ_KEY)
    g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_CLOSED,
                 _("Encryption handshake: the peer closed the connection before answering (it may not accept the offered encryption)"));
  else
    g_set_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_CLOSED,
                 _("Encryption handshake: the peer closed the connection"));
  return FALSE;
}

GBytes *
tsr_mse_take_output (TsrMse *self)
{
  GBytes *bytes;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->state != TSR_MSE_STATE_FAILED)
    ensure_started (self);
  if (self->out->len == 0)
    return NULL;
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->out));
  self->out = g_byte_array_new ();
  return bytes;
}

TsrMseState
tsr_mse_get_state (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, TSR_MSE_STATE_FAILED);

  return self->state;
}

TsrMseCrypto
tsr_mse_get_crypto (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE, 0);

  return self->crypto;
}

const guint8 *
tsr_mse_get_info_hash (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE || self->role == ROLE_INITIATOR, NULL);

  return self->info_hash;
}

GBytes *
tsr_mse_steal_initial_payload (TsrMse *self)
{
  GBytes *bytes;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE, NULL);

  if (self->role == ROLE_INITIATOR)
    return g_bytes_new (NULL, 0);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->ia));
  self->ia = g_byte_array_new ();
  return bytes;
}

GBytes *
tsr_mse_steal_leftover (TsrMse *self)
{
  GBytes *bytes;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE, NULL);

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->leftover));
  self->leftover = g_byte_array_new ();
  return bytes;
}

TsrRc4 *
tsr_mse_steal_encrypt (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE, NULL);

  return g_steal_pointer (&self->encrypt);
}

TsrRc4 *
tsr_mse_steal_decrypt (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TSR_MSE_STATE_DONE, NULL);

  return g_steal_pointer (&self->decrypt);
}

/* Test hooks (tsr-mse-private.h) */

void
_tsr_mse_set_test_seed (TsrMse  *self,
                        guint32  seed)
{
  g_return_if_fail (self != NULL && !self->started);

  g_clear_pointer (&self->test_rand, g_rand_free);
  self->test_rand = g_rand_new_with_seed (seed);
}

void
_tsr_mse_set_private_key (TsrMse       *self,
                          const guint8 *key,
                          gsize         length)
{
  g_return_if_fail (self != NULL && !self->started);
  g_return_if_fail (length >= 1 && length <= PRIVATE_KEY_LENGTH);

  memset (self->private_key, 0, sizeof self->private_key);
  memcpy (self->private_key + PRIVATE_KEY_LENGTH - length, key, length);
}

void
_tsr_mse_set_padding (TsrMse *self,
                      guint   length)
{
  g_return_if_fail (self != NULL && !self->started);
  g_return_if_fail (length <= TSR_MSE_MAX_PADDING);

  self->test_padding = (gint) length;
}

const guint8 *
_tsr_mse_get_public_key (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  ensure_started (self);
  return self->public_key;
}

const guint8 *
_tsr_mse_get_secret (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->have_secret && self->state != TSR_MSE_STATE_DONE ? self->secret : NULL;
}

TsrRc4 *
_tsr_mse_peek_encrypt (TsrMse *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->encrypt;
}
