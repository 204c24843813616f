/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-tracker-udp.c: libFuzzer target for the tracker server's BEP 15
 * request parser. A request that parses must be what the engine's client
 * writes for the same fields; a refusal must make an error packet the
 * engine's client reads; connection ids made for the sender check out.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-announce.h"
#include "tsr-tracker-proto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_same (const GByteArray *written,
            const uint8_t    *data,
            gsize             from,
            gsize             to)
{
  if (written->len < to || memcmp (written->data + from, data + from, to - from) != 0)
    abort ();
}

static void
check_request (const TsrTrackerUdpRequest *request,
               const uint8_t              *data,
               size_t                      size)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  TsrAnnounceRequest announce = { { 0 } };

  switch (request->action)
    {
    case TSR_UDP_CONNECT:
      tsr_udp_write_connect (out, request->transaction_id);
      check_same (out, data, 0, 16);
      break;

    case TSR_UDP_ANNOUNCE:
      if (request->port == 0 || request->event > TSR_ANNOUNCE_EVENT_STOPPED || request->num_want < -1)
        abort ();
      memcpy (announce.info_hash, request->info_hash, 20);
      memcpy (announce.peer_id, request->peer_id, 20);
      announce.downloaded = request->downloaded;
      announce.left = request->left;
      announce.uploaded = request->uploaded;
      announce.event = request->event;
      announce.key = request->key;
      announce.numwant = request->num_want;
      announce.port = request->port;
      tsr_udp_write_announce (out, request->connection_id, request->transaction_id, &announce);
      /* The engine writes IP 0 and numwant as given (here -1 for any
         negative): compare everything else. */
      check_same (out, data, 0, 84);
      check_same (out, data, 88, 92);
      check_same (out, data, 96, 98);
      break;

    case TSR_UDP_SCRAPE:
      if (request->n_hashes == 0 || request->n_hashes > TSR_TRACKER_UDP_MAX_SCRAPE ||
          size != 16 + 20 * (gsize) request->n_hashes)
        abort ();
      tsr_udp_write_scrape (out, request->connection_id, request->transaction_id,
                            &request->info_hashes[0][0], request->n_hashes);
      check_same (out, data, 0, size);
      break;

    default:
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 key[32] = { 42 };
  static TsrConnectionIds *ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) client_error = NULL;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  TsrTrackerUdpRequest request;
  guint64 connection_id = 0;
  guint64 id;
  gint64 now;

  if (ids == NULL)
    ids = tsr_connection_ids_new (key);

  if (tsr_tracker_udp_request_parse (data, size, &request, &error))
    {
      check_request (&request, data, size);
      /* The id made for this sender checks for it, a minute later too. */
      now = (gint64) (request.transaction_id & 0xffffff);
      id = tsr_connection_ids_make (ids, request.port & 1 ? 6 : 4, request.info_hash, request.port, now);
      if (!tsr_connection_ids_check (ids, request.port & 1 ? 6 : 4, request.info_hash, request.port, id, now + 59))
        abort ();
      tsr_tracker_udp_write_connect (reply, request.transaction_id, id);
      if (!tsr_udp_parse_connect (reply->data, reply->len, request.transaction_id, &connection_id, NULL) ||
          connection_id != id)
        abort ();
    }
  else
    {
      if (error == NULL || error->domain != TSR_TRACKER_PROTO_ERROR || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      tsr_tracker_udp_write_error (reply, request.transaction_id, error->message);
      if (tsr_udp_parse_connect (reply->data, reply->len, request.transaction_id, &connection_id, &client_error) ||
          !g_error_matches (client_error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER))
        abort ();
    }
  return 0;
}
