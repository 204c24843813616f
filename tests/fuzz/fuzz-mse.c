/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-mse.c: libFuzzer target for the MSE/PE handshake. Every side is
 * seeded (_tsr_mse_set_test_seed) so that an input always meets the same
 * keys and padding, and a transcript recorded once stays valid. The
 * first byte picks the case, the second the chunk size bytes are fed in:
 *   0: the rest is what an initiator sent, fed to a responder serving
 *      two torrents;
 *   1: the rest is what a responder sent, fed to an initiator after it
 *      sent its key;
 *   2: a real initiator and responder talk, the rest being edits (side,
 *      16-bit offset, XOR mask) made to their bytes on the way.
 * A refusal is a TSR_MSE_ERROR with a UTF-8 message; a side that is done
 * holds one method with streams for RC4 only, a served torrent, an IA
 * within the limit and no more leftover than it was fed. The seed corpus
 * (corpus/mse): what each side sent in case 2 without edits (recorded
 * through fuzz_mse_exchange()'s @record), as inputs of cases 0 and 1
 * that take a fresh side to the end, and case 2 with none or one edit.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-mse.h"
#include "tsr-mse-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define INITIATOR_SEED 1
#define RESPONDER_SEED 2

static const guint8 fuzz_hashes[2][TSR_MSE_INFO_HASH_LENGTH] = {
  { 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
  { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0, 0, 1, 2, 3, 4 },
};

static gboolean
fuzz_find (const guint8 *req2,
           guint8       *info_hash,
           gpointer      user_data)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fuzz_hashes); i++)
    {
      guint8 candidate[TSR_MSE_INFO_HASH_LENGTH];

      tsr_mse_hash_req2 (fuzz_hashes[i], candidate);
      if (memcmp (candidate, req2, sizeof candidate) == 0)
        {
          memcpy (info_hash, fuzz_hashes[i], TSR_MSE_INFO_HASH_LENGTH);
          return TRUE;
        }
    }
  return FALSE;
}

static TsrMse *
fuzz_initiator (void)
{
  static const guint8 ia[68] = "\x13" "BitTorrent protocol";
  TsrMse *mse = tsr_mse_new_initiator (fuzz_hashes[1], TSR_MSE_POLICY_PREFER_RC4, ia, sizeof ia);

  _tsr_mse_set_test_seed (mse, INITIATOR_SEED);
  return mse;
}

static TsrMse *
fuzz_responder (void)
{
  TsrMse *mse = tsr_mse_new_responder (TSR_MSE_POLICY_PREFER_RC4, fuzz_find, NULL);

  _tsr_mse_set_test_seed (mse, RESPONDER_SEED);
  return mse;
}

/* Checks a side after it was fed @fed bytes and returned @ok. */
static void
check (TsrMse  *mse,
       gboolean ok,
       GError  *error,
       gsize    fed)
{
  TsrMseState state = tsr_mse_get_state (mse);

  if (!ok)
    {
      if (state != TSR_MSE_STATE_FAILED || error == NULL || error->domain != TSR_MSE_ERROR ||
          !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return;
    }
  if (error != NULL || state == TSR_MSE_STATE_FAILED)
    abort ();
  if (state == TSR_MSE_STATE_DONE)
    {
      TsrMseCrypto crypto = tsr_mse_get_crypto (mse);
      const guint8 *hash = tsr_mse_get_info_hash (mse);
      g_autoptr(GBytes) ia = tsr_mse_steal_initial_payload (mse);
      g_autoptr(GBytes) leftover = tsr_mse_steal_leftover (mse);
      g_autoptr(TsrRc4) encrypt = tsr_mse_steal_encrypt (mse);
      g_autoptr(TsrRc4) decrypt = tsr_mse_steal_decrypt (mse);
      gboolean rc4 = crypto == TSR_MSE_CRYPTO_RC4;

      if ((crypto != TSR_MSE_CRYPTO_RC4 && crypto != TSR_MSE_CRYPTO_PLAINTEXT) ||
          (encrypt != NULL) != rc4 || (decrypt != NULL) != rc4)
        abort ();
      if (memcmp (hash, fuzz_hashes[0], TSR_MSE_INFO_HASH_LENGTH) != 0 &&
          memcmp (hash, fuzz_hashes[1], TSR_MSE_INFO_HASH_LENGTH) != 0)
        abort ();
      if (g_bytes_get_size (ia) > TSR_MSE_MAX_IA_LENGTH || g_bytes_get_size (leftover) > fed)
        abort ();
    }
}

/* Feeds @data to @mse @chunk bytes at a time while it needs more. */
static gboolean
feed_chunks (TsrMse        *mse,
             const guint8  *data,
             gsize          size,
             gsize          chunk,
             gsize         *fed,
             GError       **error)
{
  while (*fed < size && tsr_mse_get_state (mse) == TSR_MSE_STATE_NEED_MORE)
    {
      gsize n = MIN (chunk, size - *fed);

      if (!tsr_mse_feed (mse, data + *fed, n, error))
        return FALSE;
      *fed += n;
    }
  return TRUE;
}

static void
fuzz_one_side (gboolean      responder,
               const guint8 *data,
               gsize         size,
               gsize         chunk)
{
  g_autoptr(TsrMse) mse = responder ? fuzz_responder () : fuzz_initiator ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = tsr_mse_take_output (mse);
  g_autoptr(GBytes) later = NULL;
  gsize fed = 0;
  gboolean ok = feed_chunks (mse, data, size, chunk, &fed, &error);

  /* What a side sends is bounded whatever it hears. */
  later = tsr_mse_take_output (mse);
  if (later != NULL && g_bytes_get_size (later) > 2 * (TSR_MSE_KEY_LENGTH + TSR_MSE_MAX_PADDING) + TSR_MSE_MAX_IA_LENGTH + 64)
    abort ();
  check (mse, ok, error, fed);
  if (ok && tsr_mse_get_state (mse) == TSR_MSE_STATE_NEED_MORE && tsr_mse_feed_eof (mse, NULL))
    abort ();
}

/* Case 2: both sides, @edits (3 bytes each) applied on the way. With
 * @record, what each side sent is appended to record[side]. */
static void
fuzz_mse_exchange (const guint8 *edits,
                   gsize         n_edits,
                   gsize         chunk,
                   GByteArray  **record)
{
  g_autoptr(TsrMse) initiator = fuzz_initiator ();
  g_autoptr(TsrMse) responder = fuzz_responder ();
  TsrMse *sides[2] = { initiator, responder };
  GByteArray *pending[2] = { g_byte_array_new (), g_byte_array_new () };
  GError *errors[2] = { NULL, NULL };
  gsize sent[2] = { 0, 0 };
  gsize fed[2] = { 0, 0 };
  gboolean ok[2] = { TRUE, TRUE };
  gboolean progress = TRUE;
  guint i;

  while (progress)
    {
      progress = FALSE;
      for (i = 0; i < 2; i++)
        {
          g_autoptr(GBytes) out = NULL;
          gsize e, length;
          guint old = pending[i]->len;

          if (!ok[i])
            continue;
          out = tsr_mse_take_output (sides[i]);
          if (out == NULL)
            continue;
          length = g_bytes_get_size (out);
          g_byte_array_append (pending[i], g_bytes_get_data (out, NULL), (guint) length);
          for (e = 0; e < n_edits; e++)
            {
              const guint8 *edit = edits + 3 * e;
              gsize offset = (gsize) (edit[1] << 8 | edit[2]) >> 1;

              if ((edit[1] & 1) == i && offset >= sent[i] && offset < sent[i] + length)
                pending[i]->data[old + offset - sent[i]] ^= edit[0];
            }
          if (record != NULL)
            g_byte_array_append (record[i], pending[i]->data + old, (guint) length);
          sent[i] += length;
          progress = TRUE;
        }
      for (i = 0; i < 2; i++)
        {
          TsrMse *to = sides[1 - i];
          gsize n = MIN (chunk, pending[i]->len);
          gsize k = 0;

          if (n == 0 || tsr_mse_get_state (to) != TSR_MSE_STATE_NEED_MORE)
            continue;
          ok[1 - i] = feed_chunks (to, pending[i]->data, n, n, &k, &errors[1 - i]);
          fed[1 - i] += n;
          g_byte_array_remove_range (pending[i], 0, (guint) n);
          progress = TRUE;
        }
    }
  for (i = 0; i < 2; i++)
    {
      check (sides[i], ok[i], errors[i], fed[i]);
      g_clear_error (&errors[i]);
      g_byte_array_unref (pending[i]);
    }
  /* Untouched, the handshake always completes, with RC4. */
  if (n_edits == 0 &&
      (tsr_mse_get_state (initiator) != TSR_MSE_STATE_DONE || tsr_mse_get_state (responder) != TSR_MSE_STATE_DONE))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize chunk;

  if (size < 2)
    return 0;
  chunk = 1 + (gsize) data[1] * 8;   /* 1 to 2041 bytes */
  switch (data[0] % 3)
    {
    case 0:
      fuzz_one_side (TRUE, data + 2, size - 2, chunk);
      break;
    case 1:
      fuzz_one_side (FALSE, data + 2, size - 2, chunk);
      break;
    default:
      fuzz_mse_exchange (data + 2, MIN ((size - 2) / 3, 64), chunk, NULL);
      break;
    }
  return 0;
}
