/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-announce.c: tracker codecs. HTTP replies are bencoded dictionaries
 * from a server we do not control: every field is optional but typed, and
 * peer lists are checked for size before a single address is read. UDP
 * packets (BEP 15) are fixed layouts in network byte order, matched to
 * their request by transaction id.
 */
#define G_LOG_DOMAIN "tsr-announce"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-announce.h"
#include "tsr-bencode.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-announce-error-quark, tsr_announce_error)


char *
tsr_announce_build_url (const char               *announce_url,
                        const TsrAnnounceRequest *request)
{
  static const char *const events[] = { NULL, "completed", "started", "stopped" };
  GString *out;

  g_return_val_if_fail (announce_url != NULL && request != NULL, NULL);

  out = g_string_new (announce_url);
  g_string_append_c (out, strchr (announce_url, '?') != NULL ? '&' : '?');
  g_string_append (out, "info_hash=");
  tsr_uri_append_escaped (out, request->info_hash, 20);
  g_string_append (out, "&peer_id=");
  tsr_uri_append_escaped (out, request->peer_id, 20);
  g_string_append_printf (out, "&port=%u&uploaded=%" G_GUINT64_FORMAT "&downloaded=%" G_GUINT64_FORMAT
                          "&left=%" G_GUINT64_FORMAT "&corrupt=0&key=%08X&compact=1&no_peer_id=1",
                          request->port, request->uploaded, request->downloaded, request->left, request->key);
  if (request->numwant >= 0)
    g_string_append_printf (out, "&numwant=%d", request->numwant);
  if (request->event != TSR_ANNOUNCE_EVENT_NONE && request->event <= TSR_ANNOUNCE_EVENT_STOPPED)
    g_string_append_printf (out, "&event=%s", events[request->event]);
  if (request->tracker_id != NULL)
    {
      g_string_append (out, "&trackerid=");
      tsr_uri_append_escaped (out, (const guint8 *) request->tracker_id, strlen (request->tracker_id));
    }
  return g_string_free (out, FALSE);
}

void
tsr_announce_reply_free (TsrAnnounceReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->failure_reason);
  g_free (reply->warning_message);
  g_free (reply->tracker_id);
  g_array_unref (reply->peers);
  g_free (reply);
}

static TsrAnnounceReply *
reply_new (void)
{
  TsrAnnounceReply *reply = g_new0 (TsrAnnounceReply, 1);

  reply->interval = -1;
  reply->min_interval = -1;
  reply->complete = -1;
  reply->incomplete = -1;
  reply->peers = g_array_new (FALSE, TRUE, sizeof (TsrAnnouncePeer));
  return reply;
}

gboolean
tsr_peers_parse_compact (const guint8  *data,
                         gsize          length,
                         guint          family,
                         GArray        *peers,
                         GError       **error)
{
  gsize size = family == 6 ? 18 : 6;
  gsize address_length = size - 2;
  gsize i;

  g_return_val_if_fail (family == 4 || family == 6, FALSE);

  if (length % size != 0)
    {
      g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_BAD_PEERS,
                   g_dngettext (GETTEXT_PACKAGE, "The tracker sent %zu byte of IPv%u peers, not a multiple of %zu",
                                "The tracker sent %zu bytes of IPv%u peers, not a multiple of %zu", (gulong) length),
                   length, family, size);
      return FALSE;
    }
  for (i = 0; i < length && peers->len < TSR_ANNOUNCE_MAX_PEERS; i += size)
    {
      TsrAnnouncePeer peer = { { 0 } };

      peer.address.family = (guint8) family;
      memcpy (peer.address.address, data + i, address_length);
      peer.address.port = (guint16) (data[i + address_length] << 8 | data[i + address_length + 1]);
      /* Port 0 cannot be dialled: skip it rather than fail the reply. */
      if (peer.address.port != 0)
        g_array_append_val (peers, peer);
    }
  return TRUE;
}

/* The original dictionary form: {ip, port, peer id}. Entries that do not
 * parse are skipped; the list is read only until the cap is reached. */
static void
parse_peer_dicts (const TsrBencode *list,
                  GArray           *peers)
{
  guint i;

  for (i = 0; i < tsr_bencode_list_length (list) && peers->len < TSR_ANNOUNCE_MAX_PEERS; i++)
    {
      TsrBencode *entry = tsr_bencode_list_get (list, i);
      TsrAnnouncePeer peer = { { 0 } };
      const guint8 *ip;
      const guint8 *peer_id;
      gsize ip_length = 0;
      gsize peer_id_length = 0;
      gint64 port = 0;
      g_autofree char *ip_text = NULL;
      g_autoptr(GInetAddress) address = NULL;

      if (tsr_bencode_get_node_type (entry) != TSR_BENCODE_DICT)
        continue;
      ip = tsr_bencode_dict_lookup_string (entry, "ip", &ip_length);
      if (ip == NULL || !tsr_bencode_dict_lookup_integer (entry, "port", &port) || port <= 0 || port > 65535)
        continue;
      ip_text = g_strndup ((const char *) ip, ip_length);
      address = g_inet_address_new_from_string (ip_text);
      /* Host names are not followed: a tracker must not make us resolve. */
      if (address == NULL)
        continue;
      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
        {
          peer.address.family = 4;
          memcpy (peer.address.address, g_inet_address_to_bytes (address), 4);
        }
      else
        {
          peer.address.family = 6;
          memcpy (peer.address.address, g_inet_address_to_bytes (address), 16);
        }
      peer.address.port = (guint16) port;
      peer_id = tsr_bencode_dict_lookup_string (entry, "peer id", &peer_id_length);
      if (peer_id != NULL && peer_id_length == 20)
        {
          peer.has_peer_id = TRUE;
          memcpy (peer.peer_id, peer_id, 20);
        }
      g_array_append_val (peers, peer);
    }
}

/* Counts the values of the first bencoded value in @data, keys included,
 * without building any: stops at @limit + 1, at the value's end, or where
 * the input stops being bencode (the decoder then says why). */
static gsize
count_values (const guint8 *data,
              gsize         length,
              gsize         limit)
{
  gsize i = 0;
  gsize n = 0;
  gsize depth = 0;

  while (i < length && n <= limit)
    {
      guint8 c = data[i];

      if (c == 'l' || c == 'd')
        {
          depth++;
          n++;
          i++;
          continue;
        }
      if (c == 'e')
        {
          if (depth == 0)
            break;
          i++;
          if (--depth == 0)
            break;
          continue;
        }
      if (c == 'i')
        {
          const guint8 *end = memchr (data + i, 'e', length - i);

          if (end == NULL)
            break;
          i = (gsize) (end - data) + 1;
        }
      else if (g_ascii_isdigit (c))
        {
          gsize size = 0;

          while (i < length && g_ascii_isdigit (data[i]) && size <= length)
            size = size * 10 + (gsize) (data[i++] - '0');
          if (i >= length || data[i] != ':' || size > length - i - 1)
            break;
          i += 1 + size;
        }
      else
        break;
      n++;
      if (depth == 0)
        break;
    }
  return n;
}

/* Refuses a body whose tree would cost far more than its bytes. */
static gboolean
check_value_count (GBytes  *body,
                   GError **error)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (body, &length);

  if (count_values (data, length, TSR_ANNOUNCE_MAX_VALUES) > TSR_ANNOUNCE_MAX_VALUES)
    {
      g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TOO_LARGE,
                   /* TRANSLATORS: %u is a number of bencoded values, e.g. 100000 */
                   _("The tracker's reply is too large: more than %u values"), (guint) TSR_ANNOUNCE_MAX_VALUES);
      return FALSE;
    }
  return TRUE;
}

static char *
dup_message (const TsrBencode *dict,
             const char       *key)
{
  gsize length = 0;
  const guint8 *data = tsr_bencode_dict_lookup_string (dict, key, &length);

  return data != NULL ? tsr_quote_for_message ((const char *) data, MIN (length, 1024)) : NULL;
}

static gint64
lookup_count (const TsrBencode *dict,
              const char       *key)
{
  gint64 value = -1;

  if (!tsr_bencode_dict_lookup_integer (dict, key, &value) || value < 0)
    return -1;
  return value;
}

TsrAnnounceReply *
tsr_announce_reply_parse (GBytes  *body,
                          GError **error)
{
  g_autoptr(TsrAnnounceReply) reply = reply_new ();
  g_autoptr(TsrBencode) root = NULL;
  g_autoptr(GError) local = NULL;
  TsrBencode *peers;
  const guint8 *data;
  gsize length = 0;

  g_return_val_if_fail (body != NULL, NULL);

  if (!check_value_count (body, error))
    return NULL;
  /* Some trackers pad their reply: accept trailing bytes. */
  root = tsr_bencode_decode_bytes (body, TSR_BENCODE_DECODE_ALLOW_TRAILING, &local);
  if (root == NULL || tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      if (local != NULL)
        g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                     /* TRANSLATORS: %s says why the reply could not be decoded */
                     _("The tracker's reply is not a bencoded dictionary: %s"), local->message);
      else
        g_set_error_literal (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                             _("The tracker's reply is not a bencoded dictionary"));
      return NULL;
    }

  reply->failure_reason = dup_message (root, "failure reason");
  if (reply->failure_reason != NULL)
    return g_steal_pointer (&reply);
  reply->warning_message = dup_message (root, "warning message");
  reply->interval = lookup_count (root, "interval");
  reply->min_interval = lookup_count (root, "min interval");
  reply->complete = lookup_count (root, "complete");
  reply->incomplete = lookup_count (root, "incomplete");
  data = tsr_bencode_dict_lookup_string (root, "tracker id", &length);
  if (data != NULL && length > 0 && length <= 256)
    reply->tracker_id = g_strndup ((const char *) data, length);

  peers = tsr_bencode_dict_lookup (root, "peers");
  if (peers != NULL && tsr_bencode_get_node_type (peers) == TSR_BENCODE_STRING)
    {
      data = tsr_bencode_get_string (peers, &length);
      if (!tsr_peers_parse_compact (data, length, 4, reply->peers, error))
        return NULL;
    }
  else if (peers != NULL && tsr_bencode_get_node_type (peers) == TSR_BENCODE_LIST)
    parse_peer_dicts (peers, reply->peers);
  data = tsr_bencode_dict_lookup_string (root, "peers6", &length);
  if (data != NULL && !tsr_peers_parse_compact (data, length, 6, reply->peers, error))
    return NULL;

  /* BEP 24 */
  data = tsr_bencode_dict_lookup_string (root, "external ip", &length);
  if (data != NULL && (length == 4 || length == 16))
    {
      reply->has_external_ip = TRUE;
      reply->external_ip.family = length == 4 ? 4 : 6;
      memcpy (reply->external_ip.address, data, length);
    }
  if (reply->interval < 0 && reply->peers->len == 0)
    {
      g_set_error_literal (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                           _("The tracker's reply has neither peers nor an interval"));
      return NULL;
    }
  return g_steal_pointer (&reply);
}

char *
tsr_scrape_build_url (const char   *announce_url,
                      const guint8 *info_hash)
{
  const char *slash = strrchr (announce_url, '/');
  const char *query = strchr (announce_url, '?');
  GString *out;

  /* BEP 48: only ".../announce[...]" has a scrape counterpart. */
  if (slash == NULL || (query != NULL && query < slash) || !g_str_has_prefix (slash + 1, "announce"))
    return NULL;
  out = g_string_new_len (announce_url, slash + 1 - announce_url);
  g_string_append (out, "scrape");
  g_string_append (out, slash + 1 + strlen ("announce"));
  g_string_append_c (out, query != NULL ? '&' : '?');
  g_string_append (out, "info_hash=");
  tsr_uri_append_escaped (out, info_hash, 20);
  return g_string_free (out, FALSE);
}

gboolean
tsr_scrape_reply_parse (GBytes        *body,
                        const guint8  *info_hash,
                        gint64        *complete,
                        gint64        *incomplete,
                        gint64        *downloaded,
                        GError       **error)
{
  g_autoptr(TsrBencode) root = NULL;
  TsrBencode *files;
  guint i;

  if (!check_value_count (body, error))
    return FALSE;
  root = tsr_bencode_decode_bytes (body, TSR_BENCODE_DECODE_ALLOW_TRAILING, NULL);
  if (root == NULL || tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT ||
      (files = tsr_bencode_dict_lookup_type (root, "files", TSR_BENCODE_DICT)) == NULL)
    {
      g_autofree char *failure = root != NULL && tsr_bencode_get_node_type (root) == TSR_BENCODE_DICT
                                 ? dup_message (root, "failure reason") : NULL;

      if (failure != NULL)
        g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER,
                     _("The tracker refused the scrape: %s"), failure);
      else
        g_set_error_literal (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                             _("The tracker's scrape reply has no “files” dictionary"));
      return FALSE;
    }
  for (i = 0; i < tsr_bencode_dict_size (files); i++)
    {
      const guint8 *key;
      gsize key_length = 0;
      TsrBencode *entry = tsr_bencode_dict_get_nth (files, i, &key, &key_length);

      if (key_length != 20 || memcmp (key, info_hash, 20) != 0 ||
          tsr_bencode_get_node_type (entry) != TSR_BENCODE_DICT)
        continue;
      *complete = lookup_count (entry, "complete");
      *incomplete = lookup_count (entry, "incomplete");
      *downloaded = lookup_count (entry, "downloaded");
      return TRUE;
    }
  g_set_error_literal (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                       _("The tracker's scrape reply does not mention this torrent"));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* UDP (BEP 15)                                                        */

void
tsr_udp_write_connect (GByteArray *out,
                       guint32     transaction_id)
{
  tsr_append_be64 (out, TSR_UDP_PROTOCOL_ID);
  tsr_append_be32 (out, TSR_UDP_CONNECT);
  tsr_append_be32 (out, transaction_id);
}

void
tsr_udp_write_announce (GByteArray               *out,
                        guint64                   connection_id,
                        guint32                   transaction_id,
                        const TsrAnnounceRequest *request)
{
  tsr_append_be64 (out, connection_id);
  tsr_append_be32 (out, TSR_UDP_ANNOUNCE);
  tsr_append_be32 (out, transaction_id);
  g_byte_array_append (out, request->info_hash, 20);
  g_byte_array_append (out, request->peer_id, 20);
  tsr_append_be64 (out, request->downloaded);
  tsr_append_be64 (out, request->left);
  tsr_append_be64 (out, request->uploaded);
  tsr_append_be32 (out, request->event);
  tsr_append_be32 (out, 0);   /* IP: the sender's */
  tsr_append_be32 (out, request->key);
  tsr_append_be32 (out, (guint32) request->numwant);
  tsr_append_be16 (out, request->port);
}

void
tsr_udp_write_scrape (GByteArray   *out,
                      guint64       connection_id,
                      guint32       transaction_id,
                      const guint8 *info_hashes,
                      guint         n_hashes)
{
  tsr_append_be64 (out, connection_id);
  tsr_append_be32 (out, TSR_UDP_SCRAPE);
  tsr_append_be32 (out, transaction_id);
  g_byte_array_append (out, info_hashes, n_hashes * 20);
}

/* Checks the common header: length, our transaction, the expected action
 * or the tracker's error. */
static gboolean
check_header (const guint8  *data,
              gsize          length,
              TsrUdpAction   action,
              gsize          minimum,
              guint32        transaction_id,
              GError       **error)
{
  if (length >= 8 && tsr_read_be32 (data) == TSR_UDP_ERROR && tsr_read_be32 (data + 4) == transaction_id)
    {
      g_autofree char *message = tsr_quote_for_message ((const char *) data + 8, MIN (length - 8, 1024));

      g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_TRACKER,
                   _("The tracker answered with an error: %s"), message);
      return FALSE;
    }
  if (length < minimum)
    {
      g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_MALFORMED,
                   g_dngettext (GETTEXT_PACKAGE, "The tracker sent a UDP reply of %zu byte, shorter than %zu",
                                "The tracker sent a UDP reply of %zu bytes, shorter than %zu", (gulong) length),
                   length, minimum);
      return FALSE;
    }
  if (tsr_read_be32 (data + 4) != transaction_id)
    {
      g_set_error_literal (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_TRANSACTION,
                           _("The tracker's UDP reply is for another request"));
      return FALSE;
    }
  if (tsr_read_be32 (data) != action)
    {
      g_set_error (error, TSR_ANNOUNCE_ERROR, TSR_ANNOUNCE_ERROR_WRONG_ACTION,
                   _("The tracker's UDP reply has action %u, not %u"), tsr_read_be32 (data), action);
      return FALSE;
    }
  return TRUE;
}

gboolean
tsr_udp_parse_connect (const guint8  *data,
                       gsize          length,
                       guint32        transaction_id,
                       guint64       *connection_id,
                       GError       **error)
{
  if (!check_header (data, length, TSR_UDP_CONNECT, 16, transaction_id, error))
    return FALSE;
  *connection_id = (guint64) tsr_read_be32 (data + 8) << 32 | tsr_read_be32 (data + 12);
  return TRUE;
}

TsrAnnounceReply *
tsr_udp_parse_announce (const guint8  *data,
                        gsize          length,
                        guint32        transaction_id,
                        guint          family,
                        GError       **error)
{
  g_autoptr(TsrAnnounceReply) reply = NULL;

  if (!check_header (data, length, TSR_UDP_ANNOUNCE, 20, transaction_id, error))
    return NULL;
  reply = reply_new ();
  reply->interval = tsr_read_be32 (data + 8);
  reply->incomplete = tsr_read_be32 (data + 12);
  reply->complete = tsr_read_be32 (data + 16);
  if (!tsr_peers_parse_compact (data + 20, length - 20, family, reply->peers, error))
    return NULL;
  return g_steal_pointer (&reply);
}

gboolean
tsr_udp_parse_scrape (const guint8  *data,
                      gsize          length,
                      guint32        transaction_id,
                      gint64        *complete,
                      gint64        *downloaded,
                      gint64        *incomplete,
                      GError       **error)
{
  /* BEP 15: seeders, completed, leechers for each hash asked (one here). */
  if (!check_header (data, length, TSR_UDP_SCRAPE, 20, transaction_id, error))
    return FALSE;
  *complete = tsr_read_be32 (data + 8);
  *downloaded = tsr_read_be32 (data + 12);
  *incomplete = tsr_read_be32 (data + 16);
  return TRUE;
}

guint
tsr_udp_timeout_seconds (guint attempt)
{
  return 15u << MIN (attempt, 8u);
}
