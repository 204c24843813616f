/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-mse.c: Message Stream Encryption: an initiator and a responder
 * talking in memory through random chunk sizes (a byte at a time too)
 * under every policy pairing, with the initial payload and the payload
 * right behind the handshake; the torrent found among several; a bit
 * flipped in each region of the handshake; the synchronisation windows;
 * RC4 against RFC 6229 and a direct computation; Diffie-Hellman against
 * a known answer, with leading zeros kept.
 */
#define _GNU_SOURCE   /* memmem */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-mse.h"
#include "tsr-mse-private.h"

#define HASH_LENGTH TSR_MSE_INFO_HASH_LENGTH

/* Torrents a responder serves. */
typedef struct
{
  guint         n_hashes;
  const guint8 *hashes;   /* n_hashes * 20 bytes */
} Served;

static const guint8 served_hashes[3 * HASH_LENGTH] = {
  0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
  0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
  0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
};
static const Served served = { 3, served_hashes };

static gboolean
find_served (const guint8 *req2,
             guint8       *info_hash,
             gpointer      user_data)
{
  const Served *table = user_data;
  guint i;

  for (i = 0; i < table->n_hashes; i++)
    {
      guint8 candidate[HASH_LENGTH];

      tsr_mse_hash_req2 (table->hashes + i * HASH_LENGTH, candidate);
      if (memcmp (candidate, req2, HASH_LENGTH) == 0)
        {
          memcpy (info_hash, table->hashes + i * HASH_LENGTH, HASH_LENGTH);
          return TRUE;
        }
    }
  return FALSE;
}

/* A BitTorrent handshake, as IA. */
static void
make_bt_handshake (const guint8 *info_hash,
                   guint8       *out)
{
  memcpy (out, "\x13" "BitTorrent protocol", 20);
  memset (out + 20, 0, 8);
  memcpy (out + 28, info_hash, HASH_LENGTH);
  memcpy (out + 48, "-TS0010-abcdefghijkl", 20);
}

/* Two sides connected in memory. Side 0 is the initiator, side 1 the
 * responder; pending[i] holds what side i sent that has not reached the
 * other side. A side is fed only while it needs more: what is pending
 * when it is done is payload for its decrypt stream. */
typedef struct
{
  TsrMse     *side[2];
  GByteArray *pending[2];
  GByteArray *wire[2];         /* all side i sent, as the other side saw it */
  GError     *error[2];
  GRand      *rand;
  gsize       max_chunk;
  gint        tamper_from;     /* -1: none */
  gsize       tamper_offset;
  guint8      tamper_mask;
  GBytes     *payload[2];      /* (nullable) side i sends it after its handshake */
  gboolean    payload_sent[2];
  gboolean    early_payload;   /* the initiator sends it right behind IA */
  gboolean    early_rc4;       /* ... encrypted */
  gboolean    stolen[2];       /* streams taken once done */
  TsrRc4     *encrypt[2];
  TsrRc4     *decrypt[2];
} Pair;

static void
pair_init (Pair        *pair,
           TsrMsePolicy initiator_policy,
           TsrMsePolicy responder_policy,
           const guint8 *info_hash,
           gsize        ia_length,
           guint32      seed)
{
  guint8 ia[TSR_MSE_MAX_IA_LENGTH];
  guint i;

  memset (pair, 0, sizeof *pair);
  g_assert_cmpuint (ia_length, <=, sizeof ia);
  for (i = 0; i < ia_length; i++)
    ia[i] = (guint8) (i * 7 + 1);
  if (ia_length >= 68)
    make_bt_handshake (info_hash, ia);
  pair->side[0] = tsr_mse_new_initiator (info_hash, initiator_policy, ia, ia_length);
  pair->side[1] = tsr_mse_new_responder (responder_policy, find_served, (gpointer) &served);
  for (i = 0; i < 2; i++)
    {
      pair->pending[i] = g_byte_array_new ();
      pair->wire[i] = g_byte_array_new ();
    }
  pair->rand = g_rand_new_with_seed (seed);
  pair->max_chunk = 1;
  pair->tamper_from = -1;
}

static void
pair_clear (Pair *pair)
{
  guint i;

  for (i = 0; i < 2; i++)
    {
      tsr_mse_free (pair->side[i]);
      g_byte_array_unref (pair->pending[i]);
      g_byte_array_unref (pair->wire[i]);
      g_clear_error (&pair->error[i]);
      g_clear_pointer (&pair->payload[i], g_bytes_unref);
      tsr_rc4_free (pair->encrypt[i]);
      tsr_rc4_free (pair->decrypt[i]);
    }
  g_rand_free (pair->rand);
}

static void
pair_send (Pair         *pair,
           guint         i,
           const guint8 *data,
           gsize         length)
{
  guint old = pair->pending[i]->len;
  gsize k;

  g_byte_array_append (pair->pending[i], data, (guint) length);
  for (k = 0; k < length; k++)
    {
      gsize offset = pair->wire[i]->len + k;

      if (pair->tamper_from == (gint) i && offset == pair->tamper_offset)
        pair->pending[i]->data[old + k] ^= pair->tamper_mask;
    }
  g_byte_array_append (pair->wire[i], pair->pending[i]->data + old, (guint) length);
}

/* Moves side i's output to pending, then its payload once it may. */
static gboolean
pair_collect (Pair  *pair,
              guint  i)
{
  TsrMse *mse = pair->side[i];
  g_autoptr(GBytes) out = NULL;
  g_autofree guint8 *copy = NULL;
  gboolean moved = FALSE;
  TsrRc4 *encrypt;
  gsize length = 0;

  if (tsr_mse_get_state (mse) == TSR_MSE_STATE_FAILED)
    return FALSE;
  out = tsr_mse_take_output (mse);
  if (out != NULL)
    {
      pair_send (pair, i, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      moved = TRUE;
    }
  if (tsr_mse_get_state (mse) == TSR_MSE_STATE_DONE && !pair->stolen[i])
    {
      gboolean rc4 = tsr_mse_get_crypto (mse) == TSR_MSE_CRYPTO_RC4;

      pair->encrypt[i] = tsr_mse_steal_encrypt (mse);
      pair->decrypt[i] = tsr_mse_steal_decrypt (mse);
      pair->stolen[i] = TRUE;
      g_assert_true ((pair->encrypt[i] != NULL) == rc4);
      g_assert_true ((pair->decrypt[i] != NULL) == rc4);
    }

  if (pair->payload[i] == NULL || pair->payload_sent[i])
    return moved;
  if (pair->stolen[i])
    encrypt = pair->encrypt[i];
  else if (i == 0 && pair->early_payload && _tsr_mse_peek_encrypt (mse) != NULL)
    {
      /* Right behind IA, continuing the stream that encrypted it: only an
       * initiator offering one method knows which it will be. */
      encrypt = pair->early_rc4 ? _tsr_mse_peek_encrypt (mse) : NULL;
    }
  else
    return moved;
  copy = g_memdup2 (g_bytes_get_data (pair->payload[i], &length), g_bytes_get_size (pair->payload[i]));
  if (encrypt != NULL)
    tsr_rc4_crypt (encrypt, copy, length);
  pair_send (pair, i, copy, length);
  pair->payload_sent[i] = TRUE;
  return TRUE;
}

/* Hands the other side a chunk of what side i sent. */
static gboolean
pair_deliver (Pair  *pair,
              guint  i)
{
  TsrMse *to = pair->side[1 - i];
  GByteArray *pending = pair->pending[i];
  gsize n;

  if (pending->len == 0 || tsr_mse_get_state (to) != TSR_MSE_STATE_NEED_MORE)
    return FALSE;
  n = (gsize) g_rand_int_range (pair->rand, 1, (gint32) pair->max_chunk + 1);
  n = MIN (n, pending->len);
  if (!tsr_mse_feed (to, pending->data, n, &pair->error[1 - i]))
    {
      g_assert_nonnull (pair->error[1 - i]);
      g_assert_true (g_utf8_validate (pair->error[1 - i]->message, -1, NULL));
      g_assert_cmpuint (tsr_mse_get_state (to), ==, TSR_MSE_STATE_FAILED);
      g_assert_null (tsr_mse_take_output (to));
    }
  g_byte_array_remove_range (pending, 0, (guint) n);
  return TRUE;
}

/* Runs both sides until nothing moves. A side still waiting when the
 * other has failed sees the connection close. */
static void
pair_run (Pair *pair)
{
  gboolean progress = TRUE;
  guint i;

  while (progress)
    {
      progress = FALSE;
      for (i = 0; i < 2; i++)
        progress |= pair_collect (pair, i);
      for (i = 0; i < 2; i++)
        progress |= pair_deliver (pair, i);
    }
  for (i = 0; i < 2; i++)
    if (tsr_mse_get_state (pair->side[i]) == TSR_MSE_STATE_NEED_MORE &&
        tsr_mse_get_state (pair->side[1 - i]) == TSR_MSE_STATE_FAILED)
      {
        g_assert_false (tsr_mse_feed_eof (pair->side[i], &pair->error[i]));
        g_assert_error (pair->error[i], TSR_MSE_ERROR, TSR_MSE_ERROR_CLOSED);
      }
}

/* What side j received of side i's payload: its leftover, then the rest
 * through its decrypt stream. */
static GBytes *
pair_received_payload (Pair  *pair,
                       guint  j)
{
  g_autoptr(GBytes) leftover = tsr_mse_steal_leftover (pair->side[j]);
  GByteArray *all = g_byte_array_new ();
  guint old;

  g_byte_array_append (all, g_bytes_get_data (leftover, NULL), (guint) g_bytes_get_size (leftover));
  old = all->len;
  g_byte_array_append (all, pair->pending[1 - j]->data, pair->pending[1 - j]->len);
  if (pair->decrypt[j] != NULL)
    tsr_rc4_crypt (pair->decrypt[j], all->data + old, all->len - old);
  return g_byte_array_free_to_bytes (all);
}

static GBytes *
make_payload (const char *text,
              gsize       length)
{
  guint8 *data = g_malloc (length);
  gsize i;

  for (i = 0; i < length; i++)
    data[i] = (guint8) text[i % strlen (text)];
  return g_bytes_new_take (data, length);
}

static guint32
offer (TsrMsePolicy policy)
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

static const gsize chunk_sizes[] = { 1, 5, 97, 100000 };

/* Every pairing of policies, through every chunk size: both sides agree
 * on what the responder prefers, or both fail when nothing is common;
 * IA and the payload each way arrive intact, part of it as leftover. */
static void
test_policies (void)
{
  TsrMsePolicy a, b;
  guint c;
  guint32 seed = 1;

  for (a = TSR_MSE_POLICY_PREFER_RC4; a <= TSR_MSE_POLICY_PLAINTEXT_ONLY; a++)
    for (b = TSR_MSE_POLICY_PREFER_RC4; b <= TSR_MSE_POLICY_PLAINTEXT_ONLY; b++)
      for (c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
        {
          const guint8 *hash = served_hashes + HASH_LENGTH;
          guint32 common = offer (a) & offer (b);
          TsrMseCrypto expected;
          Pair pair;

          expected = (b == TSR_MSE_POLICY_PREFER_PLAINTEXT && (common & TSR_MSE_CRYPTO_PLAINTEXT)) ||
                     !(common & TSR_MSE_CRYPTO_RC4) ? TSR_MSE_CRYPTO_PLAINTEXT : TSR_MSE_CRYPTO_RC4;
          pair_init (&pair, a, b, hash, 68, seed++);
          pair.max_chunk = chunk_sizes[c];
          pair.payload[0] = make_payload ("from the initiator;", 3000);
          pair.payload[1] = make_payload ("from the responder!", 2500);
          pair.early_payload = a == TSR_MSE_POLICY_RC4_ONLY || a == TSR_MSE_POLICY_PLAINTEXT_ONLY;
          pair.early_rc4 = a == TSR_MSE_POLICY_RC4_ONLY;
          pair_run (&pair);

          if (common == 0)
            {
              g_assert_error (pair.error[1], TSR_MSE_ERROR, TSR_MSE_ERROR_NO_COMMON_CRYPTO);
              g_assert_error (pair.error[0], TSR_MSE_ERROR, TSR_MSE_ERROR_CLOSED);
            }
          else
            {
              g_autoptr(GBytes) ia = NULL;
              g_autoptr(GBytes) to_responder = NULL;
              g_autoptr(GBytes) to_initiator = NULL;
              guint8 handshake[68];

              g_assert_no_error (pair.error[0]);
              g_assert_no_error (pair.error[1]);
              g_assert_cmpint (tsr_mse_get_state (pair.side[0]), ==, TSR_MSE_STATE_DONE);
              g_assert_cmpint (tsr_mse_get_state (pair.side[1]), ==, TSR_MSE_STATE_DONE);
              g_assert_cmpint (tsr_mse_get_crypto (pair.side[0]), ==, expected);
              g_assert_cmpint (tsr_mse_get_crypto (pair.side[1]), ==, expected);
              g_assert_cmpmem (tsr_mse_get_info_hash (pair.side[1]), HASH_LENGTH, hash, HASH_LENGTH);
              make_bt_handshake (hash, handshake);
              ia = tsr_mse_steal_initial_payload (pair.side[1]);
              g_assert_cmpmem (g_bytes_get_data (ia, NULL), g_bytes_get_size (ia), handshake, 68);
              to_responder = pair_received_payload (&pair, 1);
              to_initiator = pair_received_payload (&pair, 0);
              g_assert_true (g_bytes_equal (to_responder, pair.payload[0]));
              g_assert_true (g_bytes_equal (to_initiator, pair.payload[1]));
              /* The plaintext parts of the handshake are only keys,
               * padding and hashes: the BitTorrent handshake never shows. */
              g_assert_null (memmem (pair.wire[0]->data, pair.wire[0]->len, "BitTorrent protocol", 19));
            }
          pair_clear (&pair);
        }
}

/* All in one chunk, the payload behind the handshake arrives with it:
 * both leftovers hold all of it, decrypted. */
static void
test_leftover (void)
{
  TsrMsePolicy policies[] = { TSR_MSE_POLICY_RC4_ONLY, TSR_MSE_POLICY_PLAINTEXT_ONLY };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (policies); k++)
    {
      Pair pair;
      g_autoptr(GBytes) leftover0 = NULL;
      g_autoptr(GBytes) leftover1 = NULL;

      pair_init (&pair, policies[k], TSR_MSE_POLICY_PREFER_RC4, served_hashes, 68, 77 + k);
      pair.max_chunk = 1 << 20;
      pair.payload[0] = make_payload ("early bird ", 700);
      pair.payload[1] = make_payload ("answer ", 900);
      pair.early_payload = TRUE;
      pair.early_rc4 = policies[k] == TSR_MSE_POLICY_RC4_ONLY;
      pair_run (&pair);
      g_assert_cmpint (tsr_mse_get_state (pair.side[0]), ==, TSR_MSE_STATE_DONE);
      g_assert_cmpint (tsr_mse_get_state (pair.side[1]), ==, TSR_MSE_STATE_DONE);
      g_assert_cmpuint (pair.pending[0]->len, ==, 0);
      g_assert_cmpuint (pair.pending[1]->len, ==, 0);
      leftover0 = tsr_mse_steal_leftover (pair.side[0]);
      leftover1 = tsr_mse_steal_leftover (pair.side[1]);
      g_assert_true (g_bytes_equal (leftover0, pair.payload[1]));
      g_assert_true (g_bytes_equal (leftover1, pair.payload[0]));
      pair_clear (&pair);
    }
}

/* Once done, more bytes are decrypted onto the leftover while the
 * decrypt stream stays with the handshake. */
static void
test_feed_after_done (void)
{
  g_autoptr(TsrMse) initiator = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_RC4_ONLY, NULL, 0);
  g_autoptr(TsrMse) responder = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, find_served, (gpointer) &served);
  g_autoptr(TsrRc4) encrypt = NULL;
  g_autoptr(GBytes) leftover = NULL;
  guint8 text[] = "bitfield and more";
  guint round;

  for (round = 0; round < 3; round++)
    {
      g_autoptr(GBytes) a = tsr_mse_take_output (initiator);
      g_autoptr(GBytes) b = NULL;

      if (a != NULL)
        g_assert_true (tsr_mse_feed (responder, g_bytes_get_data (a, NULL), g_bytes_get_size (a), NULL));
      b = tsr_mse_take_output (responder);
      if (b != NULL)
        g_assert_true (tsr_mse_feed (initiator, g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL));
    }
  g_assert_cmpint (tsr_mse_get_state (initiator), ==, TSR_MSE_STATE_DONE);
  g_assert_cmpint (tsr_mse_get_state (responder), ==, TSR_MSE_STATE_DONE);
  g_assert_null (tsr_mse_take_output (initiator));
  g_assert_null (tsr_mse_take_output (responder));
  encrypt = tsr_mse_steal_encrypt (initiator);
  tsr_rc4_crypt (encrypt, text, 8);
  tsr_rc4_crypt (encrypt, text + 8, sizeof text - 8);
  g_assert_true (tsr_mse_feed (responder, text, 5, NULL));
  g_assert_true (tsr_mse_feed (responder, text + 5, sizeof text - 5, NULL));
  g_assert_true (tsr_mse_feed_eof (responder, NULL));
  leftover = tsr_mse_steal_leftover (responder);
  g_assert_cmpmem (g_bytes_get_data (leftover, NULL), g_bytes_get_size (leftover),
                   "bitfield and more", sizeof text);
}

/* IA from empty to the largest accepted. */
static void
test_initial_payload (void)
{
  static const gsize lengths[] = { 0, 1, 68, TSR_MSE_MAX_IA_LENGTH };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (lengths); k++)
    {
      Pair pair;
      g_autoptr(GBytes) ia = NULL;
      g_autoptr(GBytes) none = NULL;
      guint8 expected[TSR_MSE_MAX_IA_LENGTH];
      gsize i;

      pair_init (&pair, TSR_MSE_POLICY_PREFER_RC4, TSR_MSE_POLICY_PREFER_RC4, served_hashes, lengths[k], 200 + k);
      pair.max_chunk = 33;
      pair_run (&pair);
      g_assert_cmpint (tsr_mse_get_state (pair.side[1]), ==, TSR_MSE_STATE_DONE);
      g_assert_cmpint (tsr_mse_get_state (pair.side[0]), ==, TSR_MSE_STATE_DONE);
      for (i = 0; i < lengths[k]; i++)
        expected[i] = (guint8) (i * 7 + 1);
      if (lengths[k] >= 68)
        make_bt_handshake (served_hashes, expected);
      ia = tsr_mse_steal_initial_payload (pair.side[1]);
      g_assert_cmpmem (g_bytes_get_data (ia, NULL), g_bytes_get_size (ia), expected, lengths[k]);
      none = tsr_mse_steal_initial_payload (pair.side[0]);
      g_assert_cmpuint (g_bytes_get_size (none), ==, 0);
      pair_clear (&pair);
    }
}

/* The responder finds the torrent among those it serves, and refuses
 * one it does not. */
static void
test_find_torrent (void)
{
  static const guint8 unknown[HASH_LENGTH] = { 0x44, 0x44, 0x44 };
  guint k;

  for (k = 0; k <= served.n_hashes; k++)
    {
      const guint8 *hash = k < served.n_hashes ? served_hashes + k * HASH_LENGTH : unknown;
      Pair pair;

      pair_init (&pair, TSR_MSE_POLICY_PREFER_RC4, TSR_MSE_POLICY_PREFER_RC4, hash, 68, 300 + k);
      pair.max_chunk = 40;
      pair_run (&pair);
      if (k < served.n_hashes)
        {
          g_assert_cmpint (tsr_mse_get_state (pair.side[1]), ==, TSR_MSE_STATE_DONE);
          g_assert_cmpmem (tsr_mse_get_info_hash (pair.side[1]), HASH_LENGTH, hash, HASH_LENGTH);
        }
      else
        {
          g_assert_error (pair.error[1], TSR_MSE_ERROR, TSR_MSE_ERROR_UNKNOWN_TORRENT);
          g_assert_error (pair.error[0], TSR_MSE_ERROR, TSR_MSE_ERROR_CLOSED);
        }
      pair_clear (&pair);
    }
}

/* One bit flipped in each region of the handshake, with 5-byte padding
 * everywhere and a 68-byte IA. MSE has no integrity check: a flip in
 * padding or IA goes through (the IA arrives flipped), one in a key,
 * marker, length or method fails, or stalls where the other side has
 * nothing more to send (as on a real connection, until a timeout). */
#define NEED_MORE -1   /* still waiting */
#define DONE      -2
static const struct
{
  const char *region;
  guint       from;       /* 0: initiator to responder, 1: back */
  gsize       offset;
  guint8      mask;
  gint        initiator;  /* TsrMseError, NEED_MORE or DONE */
  gint        responder;
  TsrMseCrypto crypto;    /* when both are DONE */
} tampers[] = {
  /* The responder cannot tell a wrong S from long padding before 532
   * bytes, more than the initiator sends before an answer. */
  { "Ya", 0, 50, 0x01, NEED_MORE, NEED_MORE, 0 },
  { "PadA", 0, 98, 0x10, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
  { "req1", 0, 110, 0x01, NEED_MORE, NEED_MORE, 0 },
  { "req2 xor req3", 0, 130, 0x40, TSR_MSE_ERROR_CLOSED, TSR_MSE_ERROR_UNKNOWN_TORRENT, 0 },
  { "VC", 0, 145, 0x01, TSR_MSE_ERROR_CLOSED, TSR_MSE_ERROR_BAD_VC, 0 },
  { "crypto_provide", 0, 152, 0x02, DONE, DONE, TSR_MSE_CRYPTO_PLAINTEXT },
  { "crypto_provide, unassigned bit", 0, 149, 0x80, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
  { "len(PadC)", 0, 153, 0x80, TSR_MSE_ERROR_CLOSED, TSR_MSE_ERROR_PADDING_TOO_LONG, 0 },
  { "PadC", 0, 157, 0x01, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
  { "len(IA)", 0, 160, 0x80, TSR_MSE_ERROR_CLOSED, TSR_MSE_ERROR_IA_TOO_LONG, 0 },
  { "IA", 0, 200, 0x04, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
  { "Yb", 1, 50, 0x01, NEED_MORE, NEED_MORE, 0 },
  { "PadB", 1, 98, 0x01, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
  { "VC back", 1, 105, 0x01, NEED_MORE, DONE, 0 },
  { "crypto_select", 1, 112, 0x01, TSR_MSE_ERROR_BAD_SELECT, DONE, 0 },
  { "crypto_select, unassigned bit", 1, 109, 0x80, TSR_MSE_ERROR_BAD_SELECT, DONE, 0 },
  { "len(PadD)", 1, 113, 0x80, TSR_MSE_ERROR_PADDING_TOO_LONG, DONE, 0 },
  { "PadD", 1, 117, 0x01, DONE, DONE, TSR_MSE_CRYPTO_RC4 },
};

static void
check_outcome (Pair *pair,
               guint i,
               gint  expected)
{
  TsrMseState state = tsr_mse_get_state (pair->side[i]);

  if (expected == DONE)
    g_assert_cmpint (state, ==, TSR_MSE_STATE_DONE);
  else if (expected == NEED_MORE)
    {
      g_assert_cmpint (state, ==, TSR_MSE_STATE_NEED_MORE);
      g_assert_false (tsr_mse_feed_eof (pair->side[i], NULL));
    }
  else
    {
      g_assert_cmpint (state, ==, TSR_MSE_STATE_FAILED);
      g_assert_error (pair->error[i], TSR_MSE_ERROR, expected);
    }
}

static void
test_tampered (void)
{
  guint k, c;

  for (k = 0; k < G_N_ELEMENTS (tampers); k++)
    for (c = 0; c < G_N_ELEMENTS (chunk_sizes); c++)
      {
        Pair pair;

        if (c == 0)
          g_test_message ("a bit flipped in %s", tampers[k].region);
        pair_init (&pair, TSR_MSE_POLICY_PREFER_RC4, TSR_MSE_POLICY_PREFER_RC4, served_hashes, 68, 400 + k);
        _tsr_mse_set_padding (pair.side[0], 5);
        _tsr_mse_set_padding (pair.side[1], 5);
        pair.max_chunk = chunk_sizes[c];
        pair.tamper_from = (gint) tampers[k].from;
        pair.tamper_offset = tampers[k].offset;
        pair.tamper_mask = tampers[k].mask;
        pair_run (&pair);
        g_assert_cmpuint (pair.wire[tampers[k].from]->len, >, tampers[k].offset);
        check_outcome (&pair, 0, tampers[k].initiator);
        check_outcome (&pair, 1, tampers[k].responder);
        if (tampers[k].initiator == DONE && tampers[k].responder == DONE)
          {
            g_autoptr(GBytes) ia = tsr_mse_steal_initial_payload (pair.side[1]);
            guint8 handshake[68];

            g_assert_cmpint (tsr_mse_get_crypto (pair.side[0]), ==, tampers[k].crypto);
            g_assert_cmpint (tsr_mse_get_crypto (pair.side[1]), ==, tampers[k].crypto);
            make_bt_handshake (served_hashes, handshake);
            if (g_str_equal (tampers[k].region, "IA"))
              handshake[200 - 162] ^= 0x04;
            g_assert_cmpmem (g_bytes_get_data (ia, NULL), g_bytes_get_size (ia), handshake, 68);
          }
        pair_clear (&pair);
      }
}

/* The largest padding is found; one byte more of garbage is refused. */
static void
test_sync_window (void)
{
  g_autoptr(TsrMse) other = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
  guint8 junk[TSR_MSE_MAX_PADDING + HASH_LENGTH] = { 0 };
  guint side;
  Pair pair;

  pair_init (&pair, TSR_MSE_POLICY_PREFER_RC4, TSR_MSE_POLICY_PREFER_RC4, served_hashes, 68, 500);
  _tsr_mse_set_padding (pair.side[0], TSR_MSE_MAX_PADDING);
  _tsr_mse_set_padding (pair.side[1], TSR_MSE_MAX_PADDING);
  pair.max_chunk = 50;
  pair_run (&pair);
  g_assert_cmpint (tsr_mse_get_state (pair.side[0]), ==, TSR_MSE_STATE_DONE);
  g_assert_cmpint (tsr_mse_get_state (pair.side[1]), ==, TSR_MSE_STATE_DONE);
  pair_clear (&pair);

  /* Responder: 512 + 20 bytes after Ya; initiator: 512 + 8 after Yb. */
  for (side = 0; side < 2; side++)
    {
      g_autoptr(TsrMse) mse = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) first = NULL;
      gsize window = TSR_MSE_MAX_PADDING + (side == 0 ? 8 : HASH_LENGTH);

      if (side == 0)
        mse = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
      else
        mse = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, find_served, (gpointer) &served);
      _tsr_mse_set_test_seed (mse, 600 + side);
      first = tsr_mse_take_output (mse);
      g_assert_true ((first != NULL) == (side == 0));
      g_assert_true (tsr_mse_feed (mse, _tsr_mse_get_public_key (other), TSR_MSE_KEY_LENGTH, NULL));
      g_assert_true (tsr_mse_feed (mse, junk, window - 1, NULL));
      g_assert_cmpint (tsr_mse_get_state (mse), ==, TSR_MSE_STATE_NEED_MORE);
      g_assert_false (tsr_mse_feed (mse, junk, 1, &error));
      g_assert_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_NO_SYNC);
      g_assert_cmpint (tsr_mse_get_state (mse), ==, TSR_MSE_STATE_FAILED);
    }
}

/* The specification's prime, for keys at its edges. */
static const char prime_hex[] =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
  "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
  "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563";

static void
hex_to_key (const char *hex,
            guint8     *out)
{
  gsize i;

  g_assert_cmpuint (strlen (hex), ==, 2 * TSR_MSE_KEY_LENGTH);
  for (i = 0; i < TSR_MSE_KEY_LENGTH; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
}

/* Keys that make S trivial are refused by both sides; 2 is fine. */
static void
test_bad_keys (void)
{
  guint8 keys[5][TSR_MSE_KEY_LENGTH] = { { 0 } };
  guint k, side;

  keys[1][95] = 1;                          /* 1 */
  hex_to_key (prime_hex, keys[2]);
  keys[2][95] -= 1;                         /* P - 1 */
  hex_to_key (prime_hex, keys[3]);          /* P */
  memset (keys[4], 0xff, TSR_MSE_KEY_LENGTH);
  for (side = 0; side < 2; side++)
    for (k = 0; k <= G_N_ELEMENTS (keys); k++)
      {
        g_autoptr(TsrMse) mse = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) first = NULL;
        guint8 two[TSR_MSE_KEY_LENGTH] = { 0 };

        two[95] = 2;
        if (side == 0)
          mse = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
        else
          mse = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, find_served, (gpointer) &served);
        first = tsr_mse_take_output (mse);
        if (k == G_N_ELEMENTS (keys))
          {
            g_assert_true (tsr_mse_feed (mse, two, TSR_MSE_KEY_LENGTH, &error));
            g_assert_no_error (error);
            continue;
          }
        g_assert_false (tsr_mse_feed (mse, keys[k], TSR_MSE_KEY_LENGTH, &error));
        g_assert_error (error, TSR_MSE_ERROR, TSR_MSE_ERROR_BAD_KEY);
      }
}

/* Y = 2^X mod P against a value computed apart (Python's pow), and
 * small keys keep their leading zeros in all 96 bytes. */
static void
test_public_key (void)
{
  static const char expected_hex[] =
    "96e112dab29e8c5272accb9b17b26887ce54a144a4e3b697c7d159b7a817e556"
    "b0918db2b4c658e02a87f7e5fb14b18a553e084cbf3dad2d30f16596ccb982d4"
    "06258c61b30c5c1dae2ddc60bdbd48d79896312aad63238c39e1a633821eb693";
  guint8 x[20];
  guint8 expected[TSR_MSE_KEY_LENGTH];
  guint i;

  for (i = 0; i < sizeof x; i++)
    x[i] = (guint8) (i + 1);
  hex_to_key (expected_hex, expected);
  {
    g_autoptr(TsrMse) mse = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
    g_autoptr(GBytes) first = NULL;

    _tsr_mse_set_private_key (mse, x, sizeof x);
    first = tsr_mse_take_output (mse);
    g_assert_cmpmem (_tsr_mse_get_public_key (mse), TSR_MSE_KEY_LENGTH, expected, TSR_MSE_KEY_LENGTH);
    /* Ya leads the initiator's first bytes. */
    g_assert_cmpuint (g_bytes_get_size (first), >=, TSR_MSE_KEY_LENGTH);
    g_assert_cmpuint (g_bytes_get_size (first), <=, TSR_MSE_KEY_LENGTH + TSR_MSE_MAX_PADDING);
    g_assert_cmpmem (g_bytes_get_data (first, NULL), TSR_MSE_KEY_LENGTH, expected, TSR_MSE_KEY_LENGTH);
  }
  {
    /* X = 1: Y = 2; X = 16: Y = 65536. */
    static const guint8 one = 1, sixteen = 16;
    g_autoptr(TsrMse) a = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
    g_autoptr(TsrMse) b = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, find_served, (gpointer) &served);
    guint8 two[TSR_MSE_KEY_LENGTH] = { 0 };
    guint8 big[TSR_MSE_KEY_LENGTH] = { 0 };

    two[95] = 2;
    big[93] = 1;
    _tsr_mse_set_private_key (a, &one, 1);
    _tsr_mse_set_private_key (b, &sixteen, 1);
    g_assert_cmpmem (_tsr_mse_get_public_key (a), TSR_MSE_KEY_LENGTH, two, TSR_MSE_KEY_LENGTH);
    g_assert_cmpmem (_tsr_mse_get_public_key (b), TSR_MSE_KEY_LENGTH, big, TSR_MSE_KEY_LENGTH);
  }
}

/* Both sides derive the same S, also when one public key is mostly
 * leading zeros (X = 1: S is then the other side's Y); the handshake
 * then completes. */
static void
test_shared_secret (void)
{
  guint k;

  for (k = 0; k < 3; k++)
    {
      g_autoptr(TsrMse) a = tsr_mse_new_initiator (served_hashes, TSR_MSE_POLICY_PREFER_RC4, NULL, 0);
      g_autoptr(TsrMse) b = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, find_served, (gpointer) &served);
      static const guint8 one = 1;
      g_autoptr(GBytes) ya = NULL;
      g_autoptr(GBytes) yb = NULL;
      g_autoptr(GBytes) request = NULL;
      g_autoptr(GBytes) answer = NULL;

      if (k == 1)
        _tsr_mse_set_private_key (a, &one, 1);
      if (k == 2)
        _tsr_mse_set_private_key (b, &one, 1);
      g_assert_null (_tsr_mse_get_secret (a));
      ya = tsr_mse_take_output (a);
      g_assert_true (tsr_mse_feed (b, g_bytes_get_data (ya, NULL), g_bytes_get_size (ya), NULL));
      yb = tsr_mse_take_output (b);
      g_assert_true (tsr_mse_feed (a, g_bytes_get_data (yb, NULL), g_bytes_get_size (yb), NULL));
      g_assert_nonnull (_tsr_mse_get_secret (a));
      g_assert_cmpmem (_tsr_mse_get_secret (a), TSR_MSE_KEY_LENGTH, _tsr_mse_get_secret (b), TSR_MSE_KEY_LENGTH);
      if (k == 1)
        g_assert_cmpmem (_tsr_mse_get_secret (a), TSR_MSE_KEY_LENGTH, _tsr_mse_get_public_key (b), TSR_MSE_KEY_LENGTH);
      if (k == 2)
        g_assert_cmpmem (_tsr_mse_get_secret (b), TSR_MSE_KEY_LENGTH, _tsr_mse_get_public_key (a), TSR_MSE_KEY_LENGTH);
      request = tsr_mse_take_output (a);
      g_assert_true (tsr_mse_feed (b, g_bytes_get_data (request, NULL), g_bytes_get_size (request), NULL));
      answer = tsr_mse_take_output (b);
      g_assert_true (tsr_mse_feed (a, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL));
      g_assert_cmpint (tsr_mse_get_state (a), ==, TSR_MSE_STATE_DONE);
      g_assert_cmpint (tsr_mse_get_state (b), ==, TSR_MSE_STATE_DONE);
      /* Secrets are wiped once done. */
      g_assert_null (_tsr_mse_get_secret (a));
    }
}

/* RFC 6229, 40-bit key 0x0102030405: the keystream at offsets 0 to 1024. */
static const struct
{
  gsize       offset;
  const char *hex;
} rfc6229[] = {
  { 0, "b2396305f03dc027ccc3524a0a1118a8" },
  { 16, "6982944f18fc82d589c403a47a0d0919" },
  { 240, "28cb1132c96ce286421dcaadb8b69eae" },
  { 256, "1cfcf62b03eddb641d77dfcf7f8d8c93" },
  { 496, "42b7d0cdd918a8a33dd51781c81f4041" },
  { 512, "6459844432a7da923cfb3eb4980661f6" },
  { 752, "ec10327bde2beefd18f9277680457e22" },
  { 768, "eb62638d4f0ba1fe9fca20e05bf8ff2b" },
  { 1008, "45129048e6a0ed0b56b490338f078da5" },
  { 1024, "30abbcc7c20b01609f23ee2d5f6bb7df" },
};

static void
hex_to_bytes (const char *hex,
              guint8     *out,
              gsize       length)
{
  gsize i;

  g_assert_cmpuint (strlen (hex), ==, 2 * length);
  for (i = 0; i < length; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
}

/* RC4 written out, as the check on nettle's and on the discard. */
static void
reference_rc4 (const guint8 *key,
               gsize         key_length,
               guint8       *out,
               gsize         length)
{
  guint8 s[256];
  guint i, j = 0, k;

  for (i = 0; i < 256; i++)
    s[i] = (guint8) i;
  for (i = 0; i < 256; i++)
    {
      guint8 t = s[i];

      j = (j + s[i] + key[i % key_length]) & 0xff;
      s[i] = s[j];
      s[j] = t;
    }
  i = j = 0;
  for (k = 0; k < length; k++)
    {
      guint8 t;

      i = (i + 1) & 0xff;
      j = (j + s[i]) & 0xff;
      t = s[i];
      s[i] = s[j];
      s[j] = t;
      out[k] ^= s[(s[i] + s[j]) & 0xff];
    }
}

static void
test_rc4 (void)
{
  static const guint8 key[] = { 1, 2, 3, 4, 5 };
  guint8 stream[1040] = { 0 };
  guint8 expected[16];
  guint k;

  {
    g_autoptr(TsrRc4) rc4 = tsr_rc4_new (key, sizeof key, 0);

    tsr_rc4_crypt (rc4, stream, sizeof stream);
    for (k = 0; k < G_N_ELEMENTS (rfc6229); k++)
      {
        hex_to_bytes (rfc6229[k].hex, expected, sizeof expected);
        g_assert_cmpmem (stream + rfc6229[k].offset, 16, expected, 16);
      }
  }
  {
    /* Dropping 1024 bytes starts at RFC 6229's offset 1024. */
    g_autoptr(TsrRc4) rc4 = tsr_rc4_new (key, sizeof key, TSR_MSE_RC4_DISCARD);
    guint8 block[16] = { 0 };

    tsr_rc4_crypt (rc4, block, sizeof block);
    hex_to_bytes (rfc6229[G_N_ELEMENTS (rfc6229) - 1].hex, expected, sizeof expected);
    g_assert_cmpmem (block, 16, expected, 16);
  }
  {
    /* A 20-byte MSE key, the stream cut in uneven pieces, against the
     * written-out RC4 from byte 1024 on. */
    guint8 mse_key[20];
    guint8 data[3000];
    guint8 direct[1024 + 3000] = { 0 };
    g_autoptr(TsrRc4) rc4 = NULL;
    gsize done = 0, piece = 1;

    for (k = 0; k < sizeof mse_key; k++)
      mse_key[k] = (guint8) (k * 13 + 5);
    for (k = 0; k < sizeof data; k++)
      data[k] = (guint8) k;
    memcpy (direct + 1024, data, sizeof data);
    reference_rc4 (mse_key, sizeof mse_key, direct, sizeof direct);
    rc4 = tsr_rc4_new (mse_key, sizeof mse_key, TSR_MSE_RC4_DISCARD);
    while (done < sizeof data)
      {
        gsize n = MIN (piece, sizeof data - done);

        tsr_rc4_crypt (rc4, data + done, n);
        done += n;
        piece = piece * 3 + 1;
      }
    g_assert_cmpmem (data, sizeof data, direct + 1024, sizeof data);
  }
}

static void
test_detect (void)
{
  static const struct
  {
    const char  *data;
    gsize        length;
    TsrMseDetect expected;
  } cases[] = {
    { "", 0, TSR_MSE_DETECT_NEED_MORE },
    { "\x13", 1, TSR_MSE_DETECT_NEED_MORE },
    { "\x13" "BitTorrent protoco", 19, TSR_MSE_DETECT_NEED_MORE },
    { "\x13" "BitTorrent protocol", 20, TSR_MSE_DETECT_PLAINTEXT },
    { "\x13" "BitTorrent protocol\0\0\0\0\0\0\0\0", 28, TSR_MSE_DETECT_PLAINTEXT },
    { "\x14", 1, TSR_MSE_DETECT_ENCRYPTED },
    { "\x13" "Bittorrent", 11, TSR_MSE_DETECT_ENCRYPTED },
    { "\x13" "BitTorrent protocoL", 20, TSR_MSE_DETECT_ENCRYPTED },
  };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (cases); k++)
    g_assert_cmpint (tsr_mse_looks_plaintext ((const guint8 *) cases[k].data, cases[k].length), ==,
                     cases[k].expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mse/policies", test_policies);
  g_test_add_func ("/mse/leftover", test_leftover);
  g_test_add_func ("/mse/feed-after-done", test_feed_after_done);
  g_test_add_func ("/mse/initial-payload", test_initial_payload);
  g_test_add_func ("/mse/find-torrent", test_find_torrent);
  g_test_add_func ("/mse/tampered", test_tampered);
  g_test_add_func ("/mse/sync-window", test_sync_window);
  g_test_add_func ("/mse/bad-keys", test_bad_keys);
  g_test_add_func ("/mse/public-key", test_public_key);
  g_test_add_func ("/mse/shared-secret", test_shared_secret);
  g_test_add_func ("/mse/rc4", test_rc4);
  g_test_add_func ("/mse/detect", test_detect);
  return g_test_run ();
}
