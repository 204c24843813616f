/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-tracker-query.c: libFuzzer target for the tracker server's HTTP
 * query parsers: the input as an announce and as a scrape query. What
 * parses must survive the trip through the engine's own announce URL and
 * back, and a refusal must make a failure reply the engine's client reads.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-announce.h"
#include "tsr-tracker-proto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Printable and bounded: @limit is 255, or 510 for a key that came as
 * up to 255 bytes of binary and is kept in hex. */
static void
check_text (const char *text,
            gsize       limit)
{
  const char *p;

  if (text == NULL)
    return;
  if (strlen (text) > limit)
    abort ();
  for (p = text; *p != '\0'; p++)
    if (!g_ascii_isprint (*p))
      abort ();
}

static void
check_failure (const GError *error)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TsrAnnounceReply) reply = NULL;

  if (error == NULL || error->domain != TSR_TRACKER_PROTO_ERROR || !g_utf8_validate (error->message, -1, NULL))
    abort ();
  body = tsr_tracker_failure_reply_encode (error->message);
  reply = tsr_announce_reply_parse (body, NULL);
  if (reply == NULL || reply->failure_reason == NULL)
    abort ();
}

/* Rebuilds the query as the engine's client would send it and parses
 * that: every field the client sends must come back unchanged. */
static void
check_round_trip (const TsrTrackerAnnounceQuery *query)
{
  TsrAnnounceRequest request = { { 0 } };
  g_autofree char *url = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) again = NULL;
  TsrPeerAddress peer = { 0 };
  TsrTrackerAnnounceReply reply = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(TsrAnnounceReply) parsed = NULL;

  memcpy (request.info_hash, query->info_hash, 20);
  memcpy (request.peer_id, query->peer_id, 20);
  request.port = query->port;
  request.uploaded = query->uploaded;
  request.downloaded = query->downloaded;
  request.left = query->left;
  request.event = query->event;
  request.numwant = query->numwant;
  request.tracker_id = query->tracker_id;
  url = tsr_announce_build_url ("http://t/announce", &request);
  again = tsr_tracker_announce_query_parse (strchr (url, '?') + 1, strlen (strchr (url, '?') + 1), NULL);
  if (again == NULL ||
      memcmp (again->info_hash, query->info_hash, 20) != 0 || memcmp (again->peer_id, query->peer_id, 20) != 0 ||
      again->port != query->port || again->uploaded != query->uploaded ||
      again->downloaded != query->downloaded || again->left != query->left || again->event != query->event ||
      again->numwant != query->numwant || g_strcmp0 (again->tracker_id, query->tracker_id) != 0)
    abort ();

  /* The announcer itself as the one peer of a reply, in both forms. */
  peer.family = 4;
  memcpy (peer.address, query->info_hash, 4);
  peer.port = query->port;
  reply.interval = 1800;
  reply.min_interval = -1;
  reply.peers = &peer;
  reply.peer_ids = query->peer_id;
  reply.n_peers = 1;
  reply.compact = query->compact;
  reply.no_peer_id = query->no_peer_id;
  body = tsr_tracker_announce_reply_encode (&reply);
  parsed = tsr_announce_reply_parse (body, NULL);
  if (parsed == NULL || parsed->peers->len != 1 ||
      g_array_index (parsed->peers, TsrAnnouncePeer, 0).address.port != query->port)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) scrape_error = NULL;
  g_autoptr(TsrTrackerAnnounceQuery) query = NULL;
  g_autoptr(GBytes) hashes = NULL;

  query = tsr_tracker_announce_query_parse ((const char *) data, size, &error);
  if (query != NULL)
    {
      if (query->port == 0 || query->numwant < -1)
        abort ();
      check_text (query->ip, 255);
      check_text (query->key, 510);
      check_text (query->tracker_id, 255);
      check_round_trip (query);
    }
  else
    check_failure (error);

  hashes = tsr_tracker_scrape_query_parse ((const char *) data, size, &scrape_error);
  if (hashes != NULL)
    {
      if (g_bytes_get_size (hashes) % 20 != 0 || g_bytes_get_size (hashes) > 20 * TSR_TRACKER_MAX_SCRAPE)
        abort ();
    }
  else
    check_failure (scrape_error);
  return 0;
}
