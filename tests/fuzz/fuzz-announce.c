/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-announce.c: libFuzzer target for the tracker codecs: the input as
 * an HTTP announce reply, a scrape reply, and UDP connect and announce
 * replies. Whatever parses must hold only well-formed peers.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-announce.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_reply (const TsrAnnounceReply *reply)
{
  guint i;

  if (reply->peers->len > TSR_ANNOUNCE_MAX_PEERS)
    abort ();
  for (i = 0; i < reply->peers->len; i++)
    {
      const TsrPeerAddress *peer = &g_array_index (reply->peers, TsrAnnouncePeer, i).address;
      g_autofree char *text = NULL;

      if ((peer->family != 4 && peer->family != 6) || peer->port == 0)
        abort ();
      text = tsr_peer_address_to_string (peer);
      if (text == NULL || strchr (text, ':') == NULL)
        abort ();
    }
  if (reply->failure_reason != NULL &&
      (strchr (reply->failure_reason, '\n') != NULL || !g_utf8_validate (reply->failure_reason, -1, NULL)))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(TsrAnnounceReply) http = NULL;
  g_autoptr(TsrAnnounceReply) udp4 = NULL;
  g_autoptr(TsrAnnounceReply) udp6 = NULL;
  static const guint8 hash[20] = { 0 };
  gint64 a, b, c;
  guint64 connection_id;
  guint32 transaction = size >= 8 ? (guint32) data[4] << 24 | (guint32) data[5] << 16 | (guint32) data[6] << 8 | data[7] : 0;

  http = tsr_announce_reply_parse (bytes, NULL);
  if (http != NULL)
    check_reply (http);
  tsr_scrape_reply_parse (bytes, hash, &a, &b, &c, NULL);
  tsr_udp_parse_connect (data, size, transaction, &connection_id, NULL);
  udp4 = tsr_udp_parse_announce (data, size, transaction, 4, NULL);
  if (udp4 != NULL)
    check_reply (udp4);
  udp6 = tsr_udp_parse_announce (data, size, transaction, 6, NULL);
  if (udp6 != NULL)
    check_reply (udp6);
  return 0;
}
