/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-proto.c: the tracker server's codecs. Everything here reads
 * bytes from anyone on the network: lengths are capped before anything is
 * decoded, binary values are percent-decoded by hand (GLib's URI decoder
 * refuses NUL bytes, which info hashes contain), and each refusal is a
 * GError whose message a client can be shown as its "failure reason".
 * Replies are built with the engine's bencode builder and byte writers,
 * so that they decode with the engine's own client codecs.
 */
#define G_LOG_DOMAIN "tsr-tracker"

#include "config.h"

#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <string.h>

#include "tessera-codec.h"
#include "tsr-tracker-proto.h"

G_DEFINE_QUARK (tsr-tracker-proto-error-quark, tsr_tracker_proto_error)

/* ------------------------------------------------------------------ */
/* Queries                                                             */

/* One "key=value" of a query, both decoded. */
typedef struct
{
  char  *key;          /* NUL-terminated; a key with a NUL in it never matches */
  gsize  key_length;
  char  *value;        /* (owned) NUL-terminated after @value_length bytes */
  gsize  value_length;
} QueryPair;

static void
query_pair_clear (QueryPair *pair)
{
  g_clear_pointer (&pair->key, g_free);
  g_clear_pointer (&pair->value, g_free);
}

/* Percent-decodes @length bytes at @text ('+' is a space, as in forms).
 * @offset is where @text starts in the whole query, for the message. */
static char *
percent_decode (const char  *text,
                gsize        length,
                gsize        offset,
                gsize       *out_length,
                GError     **error)
{
  char *out = g_malloc (length + 1);
  gsize i;
  gsize n = 0;

  for (i = 0; i < length; i++)
    {
      if (text[i] == '%')
        {
          int high = i + 2 < length ? g_ascii_xdigit_value (text[i + 1]) : -1;
          int low = high >= 0 ? g_ascii_xdigit_value (text[i + 2]) : -1;

          if (high < 0 || low < 0)
            {
              g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_BAD_ESCAPE,
                           _("Malformed percent-escape at byte %zu of the query"), offset + i);
              g_free (out);
              return NULL;
            }
          out[n++] = (char) (high << 4 | low);
          i += 2;
        }
      else if (text[i] == '+')
        out[n++] = ' ';
      else
        out[n++] = text[i];
    }
  out[n] = '\0';
  *out_length = n;
  return out;
}

/* Reads the next pair from @query at *@position, skipping empty ones
 * ("a=1&&b=2"). FALSE with no error at the end of the query. */
static gboolean
next_pair (const char  *query,
           gsize        length,
           gsize       *position,
           QueryPair   *pair,
           GError     **error)
{
  const char *start;
  const char *end;
  const char *equals;

  while (*position < length && query[*position] == '&')
    (*position)++;
  if (*position >= length)
    return FALSE;
  start = query + *position;
  end = memchr (start, '&', length - *position);
  if (end == NULL)
    end = query + length;
  *position = end - query;
  equals = memchr (start, '=', end - start);
  if (equals == NULL)
    equals = end;   /* "compact": a key with an empty value */

  pair->key = percent_decode (start, equals - start, start - query, &pair->key_length, error);
  if (pair->key == NULL)
    return FALSE;
  if (equals == end)
    {
      pair->value = g_strdup ("");
      pair->value_length = 0;
      return TRUE;
    }
  pair->value = percent_decode (equals + 1, end - equals - 1, equals + 1 - query, &pair->value_length, error);
  if (pair->value == NULL)
    {
      query_pair_clear (pair);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pair_is (const QueryPair *pair,
         const char      *key)
{
  return pair->key_length == strlen (pair->key) && strcmp (pair->key, key) == 0;
}

static char *
quote_value (const QueryPair *pair)
{
  return tsr_quote_for_message (pair->value, pair->value_length);
}

static gboolean
check_length (gsize        length,
              gsize        maximum,
              GError     **error)
{
  if (length > maximum)
    {
      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_LONG,
                   g_dngettext (GETTEXT_PACKAGE, "The query is %zu byte long; at most %zu are accepted",
                                "The query is %zu bytes long; at most %zu are accepted", (gulong) length),
                   length, maximum);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_hash (const QueryPair  *pair,
           guint8           *out,
           GError          **error)
{
  if (pair->value_length != 20)
    {
      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                   /* TRANSLATORS: %s is the name of a parameter of the announce or
                    * scrape query, "info_hash" or "peer_id", and stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "The %s is %zu byte long, not 20",
                                "The %s is %zu bytes long, not 20", (gulong) pair->value_length),
                   pair->key, pair->value_length);
      return FALSE;
    }
  memcpy (out, pair->value, 20);
  return TRUE;
}

/* Digits only: g_ascii_string_to_unsigned alone would take "+5" or " 5". */
static gboolean
read_unsigned (const QueryPair  *pair,
               guint64           maximum,
               guint64          *out,
               GError          **error)
{
  gsize i;

  for (i = 0; i < pair->value_length; i++)
    if (!g_ascii_isdigit (pair->value[i]))
      break;
  if (pair->value_length == 0 || i != pair->value_length ||
      !g_ascii_string_to_unsigned (pair->value, 10, 0, maximum, out, NULL))
    {
      g_autofree char *quoted = quote_value (pair);

      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                   /* TRANSLATORS: the name of a parameter of the announce query
                    * ("port", "left", "numwant"…), which stays in English, then its
                    * value */
                   _("The %s “%s” is not a number from 0 to %" PRIu64), pair->key, quoted, maximum);
      return FALSE;
    }
  return TRUE;
}

/* ip, key and trackerid: short printable ASCII, as every client sends. */
static char *
read_text (const QueryPair  *pair,
           GError          **error)
{
  gsize i;

  for (i = 0; i < pair->value_length; i++)
    if (!g_ascii_isprint (pair->value[i]))
      break;
  if (i != pair->value_length || pair->value_length > 255)
    {
      g_autofree char *quoted = quote_value (pair);

      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                   /* TRANSLATORS: the name of a parameter of the announce query ("ip",
                    * "key" or "trackerid"), which stays in English, then its value */
                   _("The %s “%s” is not short printable text"), pair->key, quoted);
      return NULL;
    }
  return g_strndup (pair->value, pair->value_length);
}

static TsrAnnounceEvent
read_event (const QueryPair *pair)
{
  if (g_strcmp0 (pair->value, "started") == 0)
    return TSR_ANNOUNCE_EVENT_STARTED;
  if (g_strcmp0 (pair->value, "completed") == 0)
    return TSR_ANNOUNCE_EVENT_COMPLETED;
  if (g_strcmp0 (pair->value, "stopped") == 0)
    return TSR_ANNOUNCE_EVENT_STOPPED;
  /* "", "empty" (old clients) and "paused" (BEP 21) are regular announces. */
  return TSR_ANNOUNCE_EVENT_NONE;
}

/* BEP 3's required keys, as seen so far. */
enum
{
  SEEN_INFO_HASH = 1 << 0,
  SEEN_PEER_ID   = 1 << 1,
  SEEN_PORT      = 1 << 2,
};

/* Reads one known key into @query; unknown keys pass. */
static gboolean
read_announce_pair (TsrTrackerAnnounceQuery  *query,
                    const QueryPair          *pair,
                    guint                    *seen,
                    GError                  **error)
{
  guint64 number = 0;

  if (pair_is (pair, "info_hash"))
    {
      *seen |= SEEN_INFO_HASH;
      return read_hash (pair, query->info_hash, error);
    }
  if (pair_is (pair, "peer_id"))
    {
      *seen |= SEEN_PEER_ID;
      return read_hash (pair, query->peer_id, error);
    }
  if (pair_is (pair, "port"))
    {
      *seen |= SEEN_PORT;
      if (!read_unsigned (pair, 65535, &number, error))
        return FALSE;
      if (number == 0)
        {
          g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                               _("The port is 0; peers cannot connect to it"));
          return FALSE;
        }
      query->port = (guint16) number;
      return TRUE;
    }
  if (pair_is (pair, "uploaded"))
    return read_unsigned (pair, G_MAXUINT64, &query->uploaded, error);
  if (pair_is (pair, "downloaded"))
    return read_unsigned (pair, G_MAXUINT64, &query->downloaded, error);
  if (pair_is (pair, "left"))
    return read_unsigned (pair, G_MAXUINT64, &query->left, error);
  if (pair_is (pair, "event"))
    {
      query->event = read_event (pair);
      return TRUE;
    }
  if (pair_is (pair, "compact"))
    {
      query->compact = g_strcmp0 (pair->value, "1") == 0;
      return TRUE;
    }
  if (pair_is (pair, "no_peer_id"))
    {
      query->no_peer_id = g_strcmp0 (pair->value, "1") == 0;
      return TRUE;
    }
  if (pair_is (pair, "numwant"))
    {
      /* Some clients send numwant=-1 for "the default". */
      if (pair->value_length > 0 && pair->value[0] == '-')
        {
          QueryPair magnitude = *pair;

          magnitude.value++;
          magnitude.value_length--;
          if (!read_unsigned (&magnitude, G_MAXUINT64, &number, error))
            return FALSE;
          query->numwant = -1;
          return TRUE;
        }
      if (!read_unsigned (pair, G_MAXUINT64, &number, error))
        return FALSE;
      query->numwant = (gint32) MIN (number, (guint64) G_MAXINT32);
      return TRUE;
    }
  if (pair_is (pair, "ip"))
    {
      g_free (query->ip);
      return (query->ip = read_text (pair, error)) != NULL;
    }
  if (pair_is (pair, "key"))
    {
      gsize i;

      /* Any bytes (aria2 sends binary keys): text as is, else in hex. */
      g_free (query->key);
      query->key = NULL;
      if (pair->value_length > 255)
        return read_text (pair, error) != NULL;
      for (i = 0; i < pair->value_length && g_ascii_isprint (pair->value[i]); i++)
        ;
      query->key = i == pair->value_length ? g_strndup (pair->value, pair->value_length)
                                           : tsr_hex_encode ((const guint8 *) pair->value, pair->value_length);
      return TRUE;
    }
  if (pair_is (pair, "trackerid"))
    {
      g_free (query->tracker_id);
      return (query->tracker_id = read_text (pair, error)) != NULL;
    }
  return TRUE;
}

void
tsr_tracker_announce_query_free (TsrTrackerAnnounceQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->ip);
  g_free (query->key);
  g_free (query->tracker_id);
  g_free (query);
}

TsrTrackerAnnounceQuery *
tsr_tracker_announce_query_parse (const char  *query_text,
                                  gsize        length,
                                  GError     **error)
{
  g_autoptr(TsrTrackerAnnounceQuery) query = g_new0 (TsrTrackerAnnounceQuery, 1);
  QueryPair pair = { 0 };
  GError *local = NULL;
  gsize position = 0;
  guint seen = 0;

  g_return_val_if_fail (query_text != NULL || length == 0, NULL);

  if (!check_length (length, TSR_TRACKER_MAX_QUERY, error))
    return NULL;
  query->numwant = -1;
  while (next_pair (query_text, length, &position, &pair, &local))
    {
      gboolean ok = read_announce_pair (query, &pair, &seen, &local);

      query_pair_clear (&pair);
      if (!ok)
        break;
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  /* BEP 3: these three are required. */
  if ((seen & SEEN_INFO_HASH) == 0)
    {
      g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_MISSING,
                           _("The announce has no info_hash"));
      return NULL;
    }
  if ((seen & SEEN_PEER_ID) == 0)
    {
      g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_MISSING,
                           _("The announce has no peer_id"));
      return NULL;
    }
  if ((seen & SEEN_PORT) == 0)
    {
      g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_MISSING,
                           _("The announce has no port"));
      return NULL;
    }
  return g_steal_pointer (&query);
}

GBytes *
tsr_tracker_scrape_query_parse (const char  *query_text,
                                gsize        length,
                                GError     **error)
{
  g_autoptr(GByteArray) hashes = g_byte_array_new ();
  QueryPair pair = { 0 };
  GError *local = NULL;
  gsize position = 0;

  g_return_val_if_fail (query_text != NULL || length == 0, NULL);

  if (!check_length (length, TSR_TRACKER_MAX_SCRAPE_QUERY, error))
    return NULL;
  while (next_pair (query_text, length, &position, &pair, &local))
    {
      guint8 hash[20];
      gboolean ok = TRUE;

      if (pair_is (&pair, "info_hash"))
        {
          if (hashes->len / 20 >= TSR_TRACKER_MAX_SCRAPE)
            {
              g_set_error (&local, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_MANY,
                           g_dngettext (GETTEXT_PACKAGE, "The scrape asks for more than %u torrent",
                                        "The scrape asks for more than %u torrents", TSR_TRACKER_MAX_SCRAPE),
                           TSR_TRACKER_MAX_SCRAPE);
              ok = FALSE;
            }
          else if ((ok = read_hash (&pair, hash, &local)))
            g_byte_array_append (hashes, hash, 20);
        }
      query_pair_clear (&pair);
      if (!ok)
        break;
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&hashes));
}

/* ------------------------------------------------------------------ */
/* HTTP replies                                                        */

static void
put_compact_peer (GByteArray           *out,
                  const TsrPeerAddress *peer)
{
  g_byte_array_append (out, peer->address, peer->family == 6 ? 16 : 4);
  tsr_append_be16 (out, peer->port);
}

static char *
address_to_text (const TsrPeerAddress *peer)
{
  if (peer->family == 6)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (peer->address, G_SOCKET_FAMILY_IPV6);

      return g_inet_address_to_string (address);
    }
  return g_strdup_printf ("%u.%u.%u.%u", peer->address[0], peer->address[1], peer->address[2], peer->address[3]);
}

static void
insert_count (TsrBencode *dict,
              const char *key,
              gint64      value)
{
  tsr_bencode_dict_insert (dict, key, tsr_bencode_new_integer (MAX (value, 0)));
}

GBytes *
tsr_tracker_announce_reply_encode (const TsrTrackerAnnounceReply *reply)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  guint i;

  g_return_val_if_fail (reply != NULL, NULL);
  g_return_val_if_fail (reply->peers != NULL || reply->n_peers == 0, NULL);

  insert_count (root, "interval", reply->interval);
  if (reply->min_interval >= 0)
    insert_count (root, "min interval", reply->min_interval);
  insert_count (root, "complete", reply->complete);
  insert_count (root, "incomplete", reply->incomplete);
  if (reply->tracker_id != NULL)
    tsr_bencode_dict_insert (root, "tracker id", tsr_bencode_new_text (reply->tracker_id));
  if (reply->warning_message != NULL)
    tsr_bencode_dict_insert (root, "warning message", tsr_bencode_new_text (reply->warning_message));

  if (reply->compact)
    {
      g_autoptr(GByteArray) peers = g_byte_array_new ();
      g_autoptr(GByteArray) peers6 = g_byte_array_new ();

      /* BEP 23 "peers" (IPv4, always present), BEP 7 "peers6" (IPv6). */
      for (i = 0; i < reply->n_peers; i++)
        put_compact_peer (reply->peers[i].family == 6 ? peers6 : peers, &reply->peers[i]);
      tsr_bencode_dict_insert (root, "peers", tsr_bencode_new_string (peers->data, peers->len));
      if (peers6->len > 0)
        tsr_bencode_dict_insert (root, "peers6", tsr_bencode_new_string (peers6->data, peers6->len));
    }
  else
    {
      TsrBencode *list = tsr_bencode_new_list ();

      /* BEP 3's original form; both families share the one list. */
      for (i = 0; i < reply->n_peers; i++)
        {
          const TsrPeerAddress *peer = &reply->peers[i];
          TsrBencode *entry = tsr_bencode_new_dict ();
          g_autofree char *ip = address_to_text (peer);

          tsr_bencode_dict_insert (entry, "ip", tsr_bencode_new_text (ip));
          tsr_bencode_dict_insert (entry, "port", tsr_bencode_new_integer (peer->port));
          if (!reply->no_peer_id && reply->peer_ids != NULL)
            tsr_bencode_dict_insert (entry, "peer id", tsr_bencode_new_string (reply->peer_ids + 20 * i, 20));
          tsr_bencode_list_append (list, entry);
        }
      tsr_bencode_dict_insert (root, "peers", list);
    }

  /* BEP 24 */
  if (reply->external_ip != NULL)
    tsr_bencode_dict_insert (root, "external ip",
                             tsr_bencode_new_string (reply->external_ip->address,
                                                     reply->external_ip->family == 6 ? 16 : 4));
  return tsr_bencode_encode (root);
}

GBytes *
tsr_tracker_scrape_reply_encode (const TsrTrackerScrapeEntry *entries,
                                 guint                        n_entries)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  TsrBencode *files = tsr_bencode_new_dict ();
  guint i;

  g_return_val_if_fail (entries != NULL || n_entries == 0, NULL);

  for (i = 0; i < n_entries; i++)
    {
      TsrBencode *entry = tsr_bencode_new_dict ();

      insert_count (entry, "complete", entries[i].complete);
      insert_count (entry, "downloaded", entries[i].downloaded);
      insert_count (entry, "incomplete", entries[i].incomplete);
      /* BEP 48: keyed by the raw 20-byte hash. */
      tsr_bencode_dict_insert_len (files, entries[i].info_hash, 20, entry);
    }
  tsr_bencode_dict_insert (root, "files", files);
  return tsr_bencode_encode (root);
}

GBytes *
tsr_tracker_failure_reply_encode (const char *reason)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();

  g_return_val_if_fail (reason != NULL, NULL);

  tsr_bencode_dict_insert (root, "failure reason", tsr_bencode_new_text (reason));
  return tsr_bencode_encode (root);
}

/* ------------------------------------------------------------------ */
/* UDP (BEP 15)                                                        */

static guint64
read_u64 (const guint8 *p)
{
  return (guint64) tsr_read_be32 (p) << 32 | tsr_read_be32 (p + 4);
}

static gboolean
check_size (gsize          length,
            gsize          minimum,
            const char    *what,
            GError       **error)
{
  if (length < minimum)
    {
      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TRUNCATED,
                   /* TRANSLATORS: %s is "connect", "announce" or "scrape", the
                    * names of BEP 15's requests, which stay in English */
                   g_dngettext (GETTEXT_PACKAGE, "The %s request is %zu byte long, shorter than %zu",
                                "The %s request is %zu bytes long, shorter than %zu", (gulong) length),
                   what, length, minimum);
      return FALSE;
    }
  return TRUE;
}

gboolean
tsr_tracker_udp_request_parse (const guint8          *data,
                               gsize                  length,
                               TsrTrackerUdpRequest  *request,
                               GError               **error)
{
  guint32 action;
  guint32 event;
  gsize hashes_length;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  memset (request, 0, sizeof *request);
  /* Every request opens with connection id (or magic), action, transaction. */
  if (length < 16)
    {
      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TRUNCATED,
                   g_dngettext (GETTEXT_PACKAGE, "The UDP request is %zu byte long, shorter than any request (16)",
                                "The UDP request is %zu bytes long, shorter than any request (16)", (gulong) length),
                   length);
      return FALSE;
    }
  request->connection_id = read_u64 (data);
  action = tsr_read_be32 (data + 8);
  request->transaction_id = tsr_read_be32 (data + 12);

  switch (action)
    {
    case TSR_UDP_CONNECT:
      request->action = TSR_UDP_CONNECT;
      if (request->connection_id != TSR_UDP_PROTOCOL_ID)
        {
          g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_BAD_PROTOCOL,
                               _("The connect request does not start with the BEP 15 protocol id"));
          return FALSE;
        }
      request->connection_id = 0;
      return TRUE;

    case TSR_UDP_ANNOUNCE:
      request->action = TSR_UDP_ANNOUNCE;
      /* 98 bytes; BEP 41 options may follow and are ignored. */
      if (!check_size (length, 98, "announce", error))
        return FALSE;
      memcpy (request->info_hash, data + 16, 20);
      memcpy (request->peer_id, data + 36, 20);
      request->downloaded = read_u64 (data + 56);
      request->left = read_u64 (data + 64);
      request->uploaded = read_u64 (data + 72);
      event = tsr_read_be32 (data + 80);
      memcpy (request->ip, data + 84, 4);
      request->key = tsr_read_be32 (data + 88);
      request->num_want = (gint32) tsr_read_be32 (data + 92);
      if (request->num_want < 0)
        request->num_want = -1;
      request->port = (guint16) (data[96] << 8 | data[97]);
      if (event > TSR_ANNOUNCE_EVENT_STOPPED)
        {
          g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                       _("The announce has event %u; BEP 15 knows 0 to 3"), event);
          return FALSE;
        }
      request->event = (TsrAnnounceEvent) event;
      if (request->port == 0)
        {
          g_set_error_literal (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                               _("The port is 0; peers cannot connect to it"));
          return FALSE;
        }
      return TRUE;

    case TSR_UDP_SCRAPE:
      request->action = TSR_UDP_SCRAPE;
      if (!check_size (length, 36, "scrape", error))
        return FALSE;
      hashes_length = length - 16;
      if (hashes_length % 20 != 0)
        {
          g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_INVALID,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The scrape request holds %zu byte of info hashes, not a multiple of 20",
                                    "The scrape request holds %zu bytes of info hashes, not a multiple of 20",
                                    (gulong) hashes_length),
                       hashes_length);
          return FALSE;
        }
      if (hashes_length / 20 > TSR_TRACKER_UDP_MAX_SCRAPE)
        {
          g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_TOO_MANY,
                       g_dngettext (GETTEXT_PACKAGE, "The scrape asks for more than %u torrent",
                                    "The scrape asks for more than %u torrents", TSR_TRACKER_UDP_MAX_SCRAPE),
                       TSR_TRACKER_UDP_MAX_SCRAPE);
          return FALSE;
        }
      request->n_hashes = (guint) (hashes_length / 20);
      memcpy (request->info_hashes, data + 16, hashes_length);
      return TRUE;

    default:
      g_set_error (error, TSR_TRACKER_PROTO_ERROR, TSR_TRACKER_PROTO_ERROR_BAD_ACTION,
                   _("The UDP request has action %u; a tracker answers 0 to 2"), action);
      return FALSE;
    }
}

void
tsr_tracker_udp_write_connect (GByteArray *out,
                               guint32     transaction_id,
                               guint64     connection_id)
{
  tsr_append_be32 (out, TSR_UDP_CONNECT);
  tsr_append_be32 (out, transaction_id);
  tsr_append_be64 (out, connection_id);
}

void
tsr_tracker_udp_write_announce (GByteArray           *out,
                                guint32               transaction_id,
                                guint32               interval,
                                guint32               leechers,
                                guint32               seeders,
                                const TsrPeerAddress *peers,
                                guint                 n_peers,
                                guint                 family)
{
  guint i;

  g_return_if_fail (family == 4 || family == 6);
  g_return_if_fail (peers != NULL || n_peers == 0);

  tsr_append_be32 (out, TSR_UDP_ANNOUNCE);
  tsr_append_be32 (out, transaction_id);
  tsr_append_be32 (out, interval);
  tsr_append_be32 (out, leechers);
  tsr_append_be32 (out, seeders);
  /* BEP 15: the peers' size is the request's family, 6 or 18 bytes. */
  for (i = 0; i < n_peers; i++)
    if (peers[i].family == family)
      put_compact_peer (out, &peers[i]);
}

static guint32
clamp_count (gint64 value)
{
  return (guint32) CLAMP (value, 0, (gint64) G_MAXUINT32);
}

void
tsr_tracker_udp_write_scrape (GByteArray                  *out,
                              guint32                      transaction_id,
                              const TsrTrackerScrapeEntry *entries,
                              guint                        n_entries)
{
  guint i;

  g_return_if_fail (entries != NULL || n_entries == 0);

  tsr_append_be32 (out, TSR_UDP_SCRAPE);
  tsr_append_be32 (out, transaction_id);
  for (i = 0; i < n_entries; i++)
    {
      tsr_append_be32 (out, clamp_count (entries[i].complete));
      tsr_append_be32 (out, clamp_count (entries[i].downloaded));
      tsr_append_be32 (out, clamp_count (entries[i].incomplete));
    }
}

void
tsr_tracker_udp_write_error (GByteArray *out,
                             guint32     transaction_id,
                             const char *message)
{
  g_return_if_fail (message != NULL);

  tsr_append_be32 (out, TSR_UDP_ERROR);
  tsr_append_be32 (out, transaction_id);
  /* No terminating NUL: the message runs to the end of the datagram. */
  g_byte_array_append (out, (const guint8 *) message, strlen (message));
}

/* ------------------------------------------------------------------ */
/* Connection ids                                                      */

struct _TsrConnectionIds
{
  struct hmac_sha256_ctx keyed;   /* the key already hashed in; copied per id */
};

TsrConnectionIds *
tsr_connection_ids_new (const guint8 key[32])
{
  TsrConnectionIds *self;

  g_return_val_if_fail (key != NULL, NULL);

  self = g_new0 (TsrConnectionIds, 1);
  hmac_sha256_set_key (&self->keyed, 32, key);
  return self;
}

void
tsr_connection_ids_free (TsrConnectionIds *self)
{
  if (self == NULL)
    return;
  /* The key's hashed state is as good as the key: do not leave it behind. */
  explicit_bzero (self, sizeof *self);
  g_free (self);
}

static guint64
connection_id_for_window (const TsrConnectionIds *self,
                          guint                   family,
                          const guint8           *address,
                          guint16                 port,
                          gint64                  window)
{
  struct hmac_sha256_ctx ctx = self->keyed;
  guint8 message[1 + 16 + 2 + 8];
  guint8 digest[SHA256_DIGEST_SIZE];
  gsize address_length = family == 6 ? 16 : 4;
  gsize n = 0;
  guint64 id = 0;
  guint i;

  /* The family byte keeps an IPv4 address apart from an IPv6 one. */
  message[n++] = (guint8) family;
  memcpy (message + n, address, address_length);
  n += address_length;
  message[n++] = port >> 8;
  message[n++] = port & 0xff;
  for (i = 0; i < 8; i++)
    message[n++] = (guint8) ((guint64) window >> (56 - 8 * i));
  hmac_sha256_update (&ctx, n, message);
  hmac_sha256_digest (&ctx, sizeof digest, digest);
  for (i = 0; i < 8; i++)
    id = id << 8 | digest[i];
  return id;
}

guint64
tsr_connection_ids_make (TsrConnectionIds *self,
                         guint             family,
                         const guint8     *address,
                         guint16           port,
                         gint64            now)
{
  g_return_val_if_fail (self != NULL && address != NULL, 0);
  g_return_val_if_fail (family == 4 || family == 6, 0);
  g_return_val_if_fail (now >= 0, 0);

  return connection_id_for_window (self, family, address, port, now / TSR_CONNECTION_ID_WINDOW);
}

static gboolean
ids_equal (guint64 a,
           guint64 b)
{
  /* Constant time: an attacker timing replies learns nothing of the id. */
  return memeql_sec (&a, &b, sizeof a) != 0;
}

gboolean
tsr_connection_ids_check (TsrConnectionIds *self,
                          guint             family,
                          const guint8     *address,
                          guint16           port,
                          guint64           connection_id,
                          gint64            now)
{
  gint64 window;
  gboolean current;
  gboolean previous = FALSE;

  g_return_val_if_fail (self != NULL && address != NULL, FALSE);
  g_return_val_if_fail (family == 4 || family == 6, FALSE);
  g_return_val_if_fail (now >= 0, FALSE);

  window = now / TSR_CONNECTION_ID_WINDOW;
  current = ids_equal (connection_id, connection_id_for_window (self, family, address, port, window));
  if (window > 0)
    previous = ids_equal (connection_id, connection_id_for_window (self, family, address, port, window - 1));
  return current || previous;
}
