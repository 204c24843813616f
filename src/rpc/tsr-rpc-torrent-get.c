/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-torrent-get.c: torrent-get, the method remote clients poll.
 * Each field the RPC spec (rpc-version 17) names that Tessera can answer
 * is built from the engine's torrent, its metainfo and the library's
 * entry; fields it does not know are left out, as Transmission does.
 * The reply is a list of objects, or with "format": "table" a list of
 * rows whose first is the field names. "ids": "recently-active" adds
 * "removed", the ids removed in the last minute. The reply is written
 * as JSON text (tsr-rpc-json.h), not built as a json-glib tree: clients
 * poll it for every torrent, and the tree cost 15 times as much (see
 * tsr-rpc-json.c).
 *
 * Fields the engine has no measure for yet answer what Transmission
 * answers when it has nothing to say: 0 for counters it never counted
 * (corruptEver, secondsDownloading, secondsSeeding), "" for strings.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include <string.h>

#include "tsr-rpc-activity.h"
#include "tsr-rpc-fields.h"
#include "tsr-rpc-json.h"
#include "tsr-rpc-methods.h"

/* Transmission's tr_torrent_activity. */
enum
{
  STATUS_STOPPED = 0,
  STATUS_CHECK_WAIT = 1,
  STATUS_CHECK = 2,
  STATUS_DOWNLOAD_WAIT = 3,
  STATUS_DOWNLOAD = 4,
  STATUS_SEED_WAIT = 5,
  STATUS_SEED = 6,
};

/* What one torrent's reply needs computed once, over its fields. */
typedef struct
{
  TsrRpcContext *context;
  TsrTorrent    *torrent;
  TsrMetainfo   *info;          /* (nullable) borrowed */
  GPtrArray     *peers;         /* (nullable) TsrPeerInfo, made when asked */
  guint64       *file_done;     /* (nullable) bytes verified per file */
  guint64        size_when_done;
  guint64        left_until_done;
  gboolean       sizes_known;
} Row;

static int
status_of (TsrTorrent *torrent)
{
  switch (tsr_torrent_get_state (torrent))
    {
    case TSR_TORRENT_CHECKING:
      return STATUS_CHECK;
    case TSR_TORRENT_DOWNLOADING:
    case TSR_TORRENT_FETCHING:
      return STATUS_DOWNLOAD;
    case TSR_TORRENT_SEEDING:
      return STATUS_SEED;
    case TSR_TORRENT_QUEUED:
      return tsr_torrent_get_progress (torrent) >= 1.0 ? STATUS_SEED_WAIT : STATUS_DOWNLOAD_WAIT;
    case TSR_TORRENT_STOPPED:
    case TSR_TORRENT_ERROR:
    default:
      return STATUS_STOPPED;
    }
}

static GPtrArray *
row_peers (Row *row)
{
  if (row->peers == NULL)
    row->peers = tsr_torrent_dup_peer_infos (row->torrent);
  return row->peers;
}

/* Verified bytes per file, from the pieces each one overlaps. */
static guint64 *
row_file_done (Row *row)
{
  g_autofree float *fractions = NULL;
  guint n_pieces = 0, i;

  if (row->file_done != NULL || row->info == NULL)
    return row->file_done;
  row->file_done = g_new0 (guint64, row->info->n_files);
  fractions = tsr_torrent_dup_piece_fractions (row->torrent, &n_pieces);
  for (i = 0; i < row->info->n_files && fractions != NULL; i++)
    {
      const TsrFile *file = &row->info->files[i];
      guint64 start = file->offset, end = file->offset + file->length;
      guint64 piece;

      if (file->length == 0 || row->info->piece_length == 0)
        continue;
      for (piece = start / row->info->piece_length; piece < n_pieces && piece * row->info->piece_length < end; piece++)
        {
          guint64 from = MAX (start, piece * row->info->piece_length);
          guint64 to = MIN (end, (piece + 1) * row->info->piece_length);

          if (fractions[piece] >= 1.0f)
            row->file_done[i] += to - from;
        }
    }
  return row->file_done;
}

static gboolean
is_pad (const TsrFile *file)
{
  return (file->attr & TSR_FILE_ATTR_PAD) != 0;
}

static void
row_sizes (Row *row)
{
  guint64 *done;
  guint64 have;
  gboolean all_wanted = TRUE;
  guint i;

  if (row->sizes_known)
    return;
  row->sizes_known = TRUE;
  if (row->info == NULL)
    return;
  for (i = 0; all_wanted && i < row->info->n_files; i++)
    all_wanted = tsr_torrent_get_file_priority (row->torrent, i) != TSR_PRIORITY_SKIP;
  /* Every file wanted, the common case: no need to go piece by piece
   * (a poll of thousands of torrents asks this of each). */
  if (all_wanted)
    {
      have = MIN (tsr_torrent_get_bytes_have (row->torrent), row->info->total_length);
      row->size_when_done = row->info->total_length;
      row->left_until_done = row->info->total_length - have;
      return;
    }
  done = row_file_done (row);
  for (i = 0; i < row->info->n_files; i++)
    {
      if (is_pad (&row->info->files[i]) || tsr_torrent_get_file_priority (row->torrent, i) == TSR_PRIORITY_SKIP)
        continue;
      row->size_when_done += row->info->files[i].length;
      row->left_until_done += row->info->files[i].length - MIN (done[i], row->info->files[i].length);
    }
}

static void
add_files (Row         *row,
           TsrRpcJson  *out,
           gboolean     stats)
{
  guint64 *done = row_file_done (row);
  guint i;

  tsr_rpc_json_begin_array (out);
  for (i = 0; row->info != NULL && i < row->info->n_files; i++)
    {
      const TsrFile *file = &row->info->files[i];
      TsrPriority priority = tsr_torrent_get_file_priority (row->torrent, i);

      if (is_pad (file))
        continue;
      tsr_rpc_json_begin_object (out);
      tsr_rpc_json_member (out, "bytesCompleted");
      tsr_rpc_json_int (out, MIN (done[i], file->length));
      if (stats)
        {
          tsr_rpc_json_member (out, "wanted");
          tsr_rpc_json_bool (out, priority != TSR_PRIORITY_SKIP);
          tsr_rpc_json_member (out, "priority");
          tsr_rpc_json_int (out, priority == TSR_PRIORITY_HIGH ? 1 : 0);
        }
      else
        {
          tsr_rpc_json_member (out, "length");
          tsr_rpc_json_int (out, file->length);
          /* Where it is now (torrent-rename-path), as clients name it
           * to rename it again. */
          tsr_rpc_json_member (out, "name");
          tsr_rpc_json_string (out, tsr_torrent_get_file_path (row->torrent, i));
        }
      tsr_rpc_json_end_object (out);
    }
  tsr_rpc_json_end_array (out);
}

static void
add_file_flags (Row         *row,
                TsrRpcJson  *out,
                gboolean     wanted)
{
  guint i;

  tsr_rpc_json_begin_array (out);
  for (i = 0; row->info != NULL && i < row->info->n_files; i++)
    {
      TsrPriority priority = tsr_torrent_get_file_priority (row->torrent, i);

      if (is_pad (&row->info->files[i]))
        continue;
      if (wanted)
        tsr_rpc_json_int (out, priority != TSR_PRIORITY_SKIP);
      else
        tsr_rpc_json_int (out, priority == TSR_PRIORITY_HIGH ? 1 : 0);
    }
  tsr_rpc_json_end_array (out);
}

static guint
count_files (TsrMetainfo *info)
{
  guint i, n = 0;

  for (i = 0; info != NULL && i < info->n_files; i++)
    n += !is_pad (&info->files[i]);
  return n;
}

#define MEMBER_INT(name, value) \
  (tsr_rpc_json_member (out, name), tsr_rpc_json_int (out, value))
#define MEMBER_BOOL(name, value) \
  (tsr_rpc_json_member (out, name), tsr_rpc_json_bool (out, value))
#define MEMBER_STRING(name, value) \
  (tsr_rpc_json_member (out, name), tsr_rpc_json_string (out, value))

/* Every member transmission-remote 3.00 needs before it prints a tracker
 * at all; what Tessera does not track is "never" (0) or unknown (-1). */
static void
add_tracker_stat (Row         *row,
                  TsrRpcJson  *out,
                  const char  *url,
                  const char  *host)
{
  const TsrRpcTrackerStat *stat = tsr_rpc_activity_get_tracker (row->torrent, url);
  gint64 next = tsr_torrent_get_next_announce (row->torrent);
  TsrTorrentState state = tsr_torrent_get_state (row->torrent);
  gboolean running = state != TSR_TORRENT_STOPPED && state != TSR_TORRENT_QUEUED && state != TSR_TORRENT_ERROR;

  MEMBER_STRING ("host", host);
  /* Transmission: 0 inactive, 1 waiting. */
  MEMBER_INT ("announceState", running ? 1 : 0);
  /* Scrapes come on their own schedule, which is not exposed: none said. */
  MEMBER_INT ("scrapeState", 0);
  MEMBER_BOOL ("isBackup", FALSE);
  MEMBER_BOOL ("hasAnnounced", stat != NULL && stat->last_announce_time > 0);
  MEMBER_BOOL ("hasScraped", stat != NULL && stat->last_scrape_time > 0);
  MEMBER_INT ("lastAnnounceTime", stat != NULL ? stat->last_announce_time : 0);
  MEMBER_INT ("lastAnnounceStartTime", stat != NULL ? stat->last_announce_time : 0);
  MEMBER_BOOL ("lastAnnounceSucceeded", stat != NULL && stat->last_announce_succeeded);
  MEMBER_BOOL ("lastAnnounceTimedOut", FALSE);
  MEMBER_STRING ("lastAnnounceResult", stat != NULL && stat->last_announce_result != NULL ? stat->last_announce_result : "");
  MEMBER_INT ("lastAnnouncePeerCount", 0);
  MEMBER_INT ("lastScrapeTime", stat != NULL ? stat->last_scrape_time : 0);
  MEMBER_INT ("lastScrapeStartTime", stat != NULL ? stat->last_scrape_time : 0);
  MEMBER_BOOL ("lastScrapeSucceeded", stat != NULL && stat->last_scrape_succeeded);
  MEMBER_BOOL ("lastScrapeTimedOut", FALSE);
  MEMBER_STRING ("lastScrapeResult", stat != NULL && stat->last_scrape_result != NULL ? stat->last_scrape_result : "");
  MEMBER_INT ("seederCount", stat != NULL ? stat->seeders : -1);
  MEMBER_INT ("leecherCount", stat != NULL ? stat->leechers : -1);
  MEMBER_INT ("downloadCount", stat != NULL ? stat->downloaded : -1);
  MEMBER_INT ("nextAnnounceTime", running && next >= 0 ? g_get_real_time () / G_USEC_PER_SEC + next : 0);
  MEMBER_INT ("nextScrapeTime", 0);
}

static void
add_trackers (Row         *row,
              TsrRpcJson  *out,
              gboolean     stats)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (row->torrent);
  guint tier, i, id = 0;

  tsr_rpc_json_begin_array (out);
  for (tier = 0; tiers != NULL && tier < tiers->len; tier++)
    {
      GPtrArray *urls = g_ptr_array_index (tiers, tier);

      for (i = 0; i < urls->len; i++, id++)
        {
          const char *url = g_ptr_array_index (urls, i);
          g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
          const char *host = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "";

          tsr_rpc_json_begin_object (out);
          tsr_rpc_json_member (out, "announce");
          tsr_rpc_json_string (out, url);
          tsr_rpc_json_member (out, "id");
          tsr_rpc_json_int (out, id);
          tsr_rpc_json_member (out, "tier");
          tsr_rpc_json_int (out, tier);
          tsr_rpc_json_member (out, "scrape");
          tsr_rpc_json_string (out, "");
          tsr_rpc_json_member (out, "sitename");
          tsr_rpc_json_string (out, host);
          if (stats)
            add_tracker_stat (row, out, url, host);
          tsr_rpc_json_end_object (out);
        }
    }
  tsr_rpc_json_end_array (out);
}

static char *
tracker_list (TsrTorrent *torrent)
{
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (torrent);
  GString *text = g_string_new (NULL);
  guint tier, i;

  for (tier = 0; tiers != NULL && tier < tiers->len; tier++)
    {
      GPtrArray *urls = g_ptr_array_index (tiers, tier);

      if (tier > 0)
        g_string_append_c (text, '\n');
      for (i = 0; i < urls->len; i++)
        g_string_append_printf (text, "%s\n", (const char *) g_ptr_array_index (urls, i));
    }
  return g_string_free (text, FALSE);
}

static void
add_peers (Row         *row,
           TsrRpcJson  *out)
{
  GPtrArray *peers = row_peers (row);
  guint i;

  tsr_rpc_json_begin_array (out);
  for (i = 0; i < peers->len; i++)
    {
      TsrPeerInfo *peer = g_ptr_array_index (peers, i);
      g_autofree char *host = g_strdup (peer->address);
      char *colon = strrchr (host, ':');
      gint64 port = 0;

      if (colon != NULL)
        {
          port = g_ascii_strtoll (colon + 1, NULL, 10);
          *colon = '\0';
        }
      if (host[0] == '[')
        {
          memmove (host, host + 1, strlen (host));
          if (strlen (host) > 0 && host[strlen (host) - 1] == ']')
            host[strlen (host) - 1] = '\0';
        }
      tsr_rpc_json_begin_object (out);
      tsr_rpc_json_member (out, "address");
      tsr_rpc_json_string (out, host);
      tsr_rpc_json_member (out, "port");
      tsr_rpc_json_int (out, port);
      tsr_rpc_json_member (out, "clientName");
      tsr_rpc_json_string (out, peer->client != NULL ? peer->client : "");
      tsr_rpc_json_member (out, "clientIsChoked");
      tsr_rpc_json_bool (out, peer->am_choking);
      tsr_rpc_json_member (out, "clientIsInterested");
      tsr_rpc_json_bool (out, peer->am_interested);
      tsr_rpc_json_member (out, "peerIsChoked");
      tsr_rpc_json_bool (out, peer->peer_choking);
      tsr_rpc_json_member (out, "peerIsInterested");
      tsr_rpc_json_bool (out, peer->peer_interested);
      tsr_rpc_json_member (out, "isIncoming");
      tsr_rpc_json_bool (out, peer->incoming);
      tsr_rpc_json_member (out, "isEncrypted");
      tsr_rpc_json_bool (out, peer->encrypted);
      tsr_rpc_json_member (out, "isUTP");
      tsr_rpc_json_bool (out, peer->transport == TSR_TRANSPORT_UTP);
      tsr_rpc_json_member (out, "progress");
      tsr_rpc_json_double (out, peer->progress);
      tsr_rpc_json_member (out, "rateToClient");
      tsr_rpc_json_int (out, peer->down_rate);
      tsr_rpc_json_member (out, "rateToPeer");
      tsr_rpc_json_int (out, peer->up_rate);
      tsr_rpc_json_member (out, "flagStr");
      tsr_rpc_json_string (out, peer->encrypted ? "E" : "");
      tsr_rpc_json_end_object (out);
    }
  tsr_rpc_json_end_array (out);
}

/* Connected peers by how they were found; a user's address counts as
 * the cache (Transmission's addresses from before). */
static void
add_peers_from (Row         *row,
                TsrRpcJson  *out)
{
  GPtrArray *peers = row_peers (row);
  gint64 cache = 0, dht = 0, incoming = 0, lpd = 0, pex = 0, tracker = 0;
  guint i;

  for (i = 0; i < peers->len; i++)
    {
      TsrPeerInfo *peer = g_ptr_array_index (peers, i);

      if (peer->incoming)
        incoming++;
      else if (peer->source == TSR_PEER_SOURCE_TRACKER)
        tracker++;
      else if (peer->source == TSR_PEER_SOURCE_PEX)
        pex++;
      else if (peer->source == TSR_PEER_SOURCE_LSD)
        lpd++;
      else if (peer->source == TSR_PEER_SOURCE_DHT)
        dht++;
      else
        cache++;
    }
  tsr_rpc_json_begin_object (out);
  MEMBER_INT ("fromCache", cache);
  MEMBER_INT ("fromDht", dht);
  MEMBER_INT ("fromIncoming", incoming);
  MEMBER_INT ("fromLpd", lpd);
  MEMBER_INT ("fromLtep", 0);
  MEMBER_INT ("fromPex", pex);
  MEMBER_INT ("fromTracker", tracker);
  tsr_rpc_json_end_object (out);
}

/* BEP 3 bitfield order, base64, as the spec's "pieces". */
static void
add_pieces (Row         *row,
            TsrRpcJson  *out)
{
  g_autofree float *fractions = NULL;
  g_autofree guint8 *bits = NULL;
  g_autofree char *text = NULL;
  guint n = 0, i;

  fractions = tsr_torrent_dup_piece_fractions (row->torrent, &n);
  bits = g_malloc0 ((n + 7) / 8 + 1);
  for (i = 0; i < n && fractions != NULL; i++)
    if (fractions[i] >= 1.0f)
      bits[i / 8] |= 0x80 >> (i % 8);
  text = g_base64_encode (bits, (n + 7) / 8);
  tsr_rpc_json_string (out, text);
}

static guint
count_peers (Row     *row,
             gboolean to_us)
{
  GPtrArray *peers;
  guint i, n = 0;

  if (tsr_torrent_get_n_peers (row->torrent) == 0)
    return 0;
  peers = row_peers (row);
  for (i = 0; i < peers->len; i++)
    {
      TsrPeerInfo *peer = g_ptr_array_index (peers, i);

      n += (to_us ? peer->down_rate : peer->up_rate) > 0;
    }
  return n;
}

#define INT(value) tsr_rpc_json_int (out, (value))
#define BOOL(value) tsr_rpc_json_bool (out, (value))
#define DOUBLE(value) tsr_rpc_json_double (out, (value))
#define STRING(value) tsr_rpc_json_string (out, (value))

/* Adds @field's value; FALSE when it is not one Tessera answers. */
static gboolean
add_field (Row         *row,
           TsrRpcField  kind,
           TsrRpcJson  *out)
{
  TsrTorrent *torrent = row->torrent;
  TsrMetainfo *info = row->info;
  TsrTorrentOptions options;
  guint64 up_total, down_total;
  gdouble ratio;

  switch (kind)
    {
    case TSR_RPC_FIELD_ID:
      INT (tsr_rpc_ids_get (row->context->ids, torrent));
      break;
    case TSR_RPC_FIELD_NAME:
      STRING (tsr_torrent_get_name (torrent));
      break;
    case TSR_RPC_FIELD_HASH_STRING:
      {
        g_autofree char *hex = g_malloc (41);
        const guint8 *hash = tsr_torrent_get_info_hash (torrent);
        guint i;

        for (i = 0; i < 20; i++)
          g_snprintf (hex + 2 * i, 3, "%02x", hash[i]);
        STRING (hex);
      }
      break;
    case TSR_RPC_FIELD_STATUS:
      INT (status_of (torrent));
      break;
    case TSR_RPC_FIELD_ERROR:
      /* 3: a local error (TR_STAT_LOCAL_ERROR). */
      INT (tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR ? 3 : 0);
      break;
    case TSR_RPC_FIELD_ERROR_STRING:
      STRING (tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR && tsr_torrent_get_error (torrent) != NULL
              ? tsr_torrent_get_error (torrent) : "");
      break;
    case TSR_RPC_FIELD_DOWNLOAD_DIR:
      STRING (tsr_torrent_get_folder (torrent));
      break;
    case TSR_RPC_FIELD_TOTAL_SIZE:
      INT (info != NULL ? info->total_length : 0);
      break;
    case TSR_RPC_FIELD_SIZE_WHEN_DONE:
      (row_sizes (row), INT (row->size_when_done));
      break;
    case TSR_RPC_FIELD_LEFT_UNTIL_DONE:
      (row_sizes (row), INT (row->left_until_done));
      break;
    case TSR_RPC_FIELD_DESIRED_AVAILABLE:
      (row_sizes (row), INT (row->left_until_done));
      break;
    case TSR_RPC_FIELD_HAVE_VALID:
      INT (tsr_torrent_get_bytes_have (torrent));
      break;
    case TSR_RPC_FIELD_HAVE_UNCHECKED:
    case TSR_RPC_FIELD_CORRUPT_EVER:
    case TSR_RPC_FIELD_BANDWIDTH_PRIORITY:
    case TSR_RPC_FIELD_EDIT_DATE:
    case TSR_RPC_FIELD_WEBSEEDS_SENDING_TO_US:
      INT (0);
      break;
    case TSR_RPC_FIELD_SECONDS_DOWNLOADING:
      INT (tsr_rpc_activity_get_seconds_downloading (torrent));
      break;
    case TSR_RPC_FIELD_SECONDS_SEEDING:
      INT (tsr_rpc_activity_get_seconds_seeding (torrent));
      break;
    case TSR_RPC_FIELD_DONE_DATE:
      INT (tsr_rpc_activity_get_done_date (torrent));
      break;
    case TSR_RPC_FIELD_START_DATE:
      INT (tsr_rpc_activity_get_start_date (torrent));
      break;
    case TSR_RPC_FIELD_ACTIVITY_DATE:
      INT (tsr_rpc_activity_get_activity_date (torrent));
      break;
    case TSR_RPC_FIELD_PERCENT_DONE:
    case TSR_RPC_FIELD_PERCENT_COMPLETE:
      {
        row_sizes (row);
        if (kind == TSR_RPC_FIELD_PERCENT_DONE && row->size_when_done > 0)
          DOUBLE ((gdouble) (row->size_when_done - row->left_until_done) / row->size_when_done);
        else
          DOUBLE (tsr_torrent_get_progress (torrent));
      }
      break;
    case TSR_RPC_FIELD_METADATA_PERCENT_COMPLETE:
      DOUBLE (tsr_torrent_get_metadata_progress (torrent));
      break;
    case TSR_RPC_FIELD_RECHECK_PROGRESS:
      DOUBLE (tsr_torrent_get_state (torrent) == TSR_TORRENT_CHECKING ? tsr_torrent_get_progress (torrent) : 0);
      break;
    case TSR_RPC_FIELD_IS_FINISHED:
      {
        /* Transmission: seeding stopped for good, its ratio or idle limit reached. */
        tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
        BOOL (tsr_torrent_get_state (torrent) == TSR_TORRENT_STOPPED && tsr_torrent_get_progress (torrent) >= 1.0 &&
              ratio > 0 && tsr_torrent_get_ratio (torrent) >= ratio);
      }
      break;
    case TSR_RPC_FIELD_IS_PRIVATE:
      BOOL (info != NULL && info->is_private);
      break;
    case TSR_RPC_FIELD_IS_STALLED:
      BOOL (FALSE);
      break;
    case TSR_RPC_FIELD_ETA:
      {
        /* Once: each asks the swarm for its rates and seeds afresh. */
        gint64 eta = tsr_torrent_get_eta (torrent);

        INT (eta >= 0 ? eta : -1);
      }
      break;
    case TSR_RPC_FIELD_ETA_IDLE:
    case TSR_RPC_FIELD_MANUAL_ANNOUNCE_TIME:
      INT (-1);
      break;
    case TSR_RPC_FIELD_RATE_DOWNLOAD:
      INT (tsr_torrent_get_down_rate (torrent));
      break;
    case TSR_RPC_FIELD_RATE_UPLOAD:
      INT (tsr_torrent_get_up_rate (torrent));
      break;
    case TSR_RPC_FIELD_UPLOADED_EVER:
      INT (tsr_torrent_get_uploaded (torrent));
      break;
    case TSR_RPC_FIELD_DOWNLOADED_EVER:
      INT (tsr_torrent_get_downloaded (torrent));
      break;
    case TSR_RPC_FIELD_UPLOAD_RATIO:
      tsr_rpc_json_ratio (out, info != NULL ? tsr_torrent_get_ratio (torrent) : -1);
      break;
    case TSR_RPC_FIELD_ADDED_DATE:
      /* The library keeps it across runs; a torrent it does not hold,
       * from when the RPC first saw it. */
      INT (tsr_library_get_added (row->context->library, torrent) > 0 ? tsr_library_get_added (row->context->library, torrent)
                                                 : tsr_rpc_ids_get_added (row->context->ids, torrent));
      break;
    case TSR_RPC_FIELD_DATE_CREATED:
      INT (info != NULL && info->creation_date > 0 ? info->creation_date : 0);
      break;
    case TSR_RPC_FIELD_COMMENT:
      STRING (info != NULL && info->comment != NULL ? info->comment : "");
      break;
    case TSR_RPC_FIELD_CREATOR:
      STRING (info != NULL && info->created_by != NULL ? info->created_by : "");
      break;
    case TSR_RPC_FIELD_SOURCE:
      STRING (info != NULL && info->source != NULL ? info->source : "");
      break;
    case TSR_RPC_FIELD_GROUP:
    case TSR_RPC_FIELD_PRIMARY_MIME_TYPE:
      STRING ("");
      break;
    case TSR_RPC_FIELD_MAGNET_LINK:
      {
        g_autofree char *uri = tsr_torrent_dup_magnet_uri (torrent);

        STRING (uri);
      }
      break;
    case TSR_RPC_FIELD_TORRENT_FILE:
      {
        g_autofree char *path = tsr_library_dup_torrent_file_path (row->context->library, torrent);

        STRING (path != NULL ? path : "");
      }
      break;
    case TSR_RPC_FIELD_PIECE_COUNT:
      INT (info != NULL ? info->piece_count : 0);
      break;
    case TSR_RPC_FIELD_PIECE_SIZE:
      INT (info != NULL ? info->piece_length : 0);
      break;
    case TSR_RPC_FIELD_PIECES:
      add_pieces (row, out);
      break;
    case TSR_RPC_FIELD_FILE_COUNT:
    case TSR_RPC_FIELD_FILE_COUNT_DASHED:
      INT (count_files (info));
      break;
    case TSR_RPC_FIELD_FILES:
      add_files (row, out, FALSE);
      break;
    case TSR_RPC_FIELD_FILE_STATS:
      add_files (row, out, TRUE);
      break;
    case TSR_RPC_FIELD_WANTED:
      add_file_flags (row, out, TRUE);
      break;
    case TSR_RPC_FIELD_PRIORITIES:
      add_file_flags (row, out, FALSE);
      break;
    case TSR_RPC_FIELD_LABELS:
      {
        const char * const *labels = tsr_library_get_labels (row->context->library, torrent);
        guint i;

        tsr_rpc_json_begin_array (out);
        for (i = 0; labels[i] != NULL; i++)
          STRING (labels[i]);
        tsr_rpc_json_end_array (out);
      }
      break;
    case TSR_RPC_FIELD_QUEUE_POSITION:
      INT (tsr_session_get_queue_position (tsr_library_get_session (row->context->library), torrent));
      break;
    case TSR_RPC_FIELD_DOWNLOAD_LIMIT:
      INT (tsr_torrent_get_down_rate_limit (torrent) / 1000);
      break;
    case TSR_RPC_FIELD_DOWNLOAD_LIMITED:
      BOOL (tsr_torrent_get_down_rate_limit (torrent) > 0);
      break;
    case TSR_RPC_FIELD_UPLOAD_LIMIT:
      INT (tsr_torrent_get_up_rate_limit (torrent) / 1000);
      break;
    case TSR_RPC_FIELD_UPLOAD_LIMITED:
      BOOL (tsr_torrent_get_up_rate_limit (torrent) > 0);
      break;
    case TSR_RPC_FIELD_HONORS_SESSION_LIMITS:
      BOOL (TRUE);
      break;
    case TSR_RPC_FIELD_SEED_RATIO_LIMIT:
      {
        tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
        DOUBLE (ratio > 0 ? ratio : row->context->settings->seed_ratio_limit);
      }
      break;
    case TSR_RPC_FIELD_SEED_RATIO_MODE:
      {
        /* 0: the session's, 1: its own, 2: none. */
        tsr_torrent_get_limits (torrent, &up_total, &down_total, &ratio);
        INT (tsr_library_has_own_limits (row->context->library, torrent) ? (ratio > 0 ? 1 : 2) : 0);
      }
      break;
    case TSR_RPC_FIELD_SEED_IDLE_LIMIT:
      {
        tsr_library_get_options (row->context->library, torrent, &options);
        INT (options.seed_idle > 0 ? options.seed_idle / 60 : row->context->settings->idle_seeding_limit);
      }
      break;
    case TSR_RPC_FIELD_SEED_IDLE_MODE:
      {
        tsr_library_get_options (row->context->library, torrent, &options);
        INT (options.seed_idle > 0 ? 1 : 0);
      }
      break;
    case TSR_RPC_FIELD_SEQUENTIAL_DOWNLOAD:
      {
        tsr_library_get_options (row->context->library, torrent, &options);
        BOOL (options.sequential);
      }
      break;
    case TSR_RPC_FIELD_PEER_LIMIT:
    case TSR_RPC_FIELD_MAX_CONNECTED_PEERS:
      INT (tsr_torrent_get_max_peers (torrent));
      break;
    case TSR_RPC_FIELD_PEERS_CONNECTED:
      INT (tsr_torrent_get_n_peers (torrent));
      break;
    case TSR_RPC_FIELD_PEERS_GETTING_FROM_US:
      INT (count_peers (row, FALSE));
      break;
    case TSR_RPC_FIELD_PEERS_SENDING_TO_US:
      INT (count_peers (row, TRUE));
      break;
    case TSR_RPC_FIELD_PEERS:
      add_peers (row, out);
      break;
    case TSR_RPC_FIELD_PEERS_FROM:
      add_peers_from (row, out);
      break;
    case TSR_RPC_FIELD_TRACKERS:
      add_trackers (row, out, FALSE);
      break;
    case TSR_RPC_FIELD_TRACKER_STATS:
      add_trackers (row, out, TRUE);
      break;
    case TSR_RPC_FIELD_TRACKER_LIST:
      {
        g_autofree char *list = tracker_list (torrent);

        STRING (list);
      }
      break;
    case TSR_RPC_FIELD_WEBSEEDS:
      {
        guint i;

        tsr_rpc_json_begin_array (out);
        for (i = 0; info != NULL && info->web_seeds != NULL && i < info->web_seeds->len; i++)
          STRING (g_ptr_array_index (info->web_seeds, i));
        tsr_rpc_json_end_array (out);
      }

      break;
    default:
      return FALSE;
    }
  return TRUE;
}

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->peers, g_ptr_array_unref);
  g_clear_pointer (&row->file_done, g_free);
}

char *
tsr_rpc_torrent_get (TsrRpcContext *context,
                     JsonObject    *args,
                     GString       *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) torrents = NULL;
  g_autoptr(GArray) fields = NULL;
  g_autoptr(GString) keys = NULL;
  g_autofree gsize *key_ends = NULL;
  const char *format = tsr_rpc_args_string (args, "format");
  gboolean table = format != NULL && g_str_equal (format, "table");
  TsrRpcJson writer;
  TsrRpcJson *out = &writer;
  JsonNode *ids;
  gsize reserve, length;
  guint i, j;

  if (args == NULL || !json_object_has_member (args, "fields") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (args, "fields")))
    return g_strdup ("no fields specified");
  if (format != NULL && !table && !g_str_equal (format, "object"))
    return g_strdup ("invalid format");
  torrents = tsr_rpc_context_select (context, args, &error);
  if (torrents == NULL)
    return g_strdup (error->message);
  fields = tsr_rpc_fields_parse (json_object_get_array_member (args, "fields"));

  /* Each member's "name": once, for every row. */
  keys = g_string_new (NULL);
  key_ends = g_new (gsize, fields->len + 1);
  key_ends[0] = 0;
  for (j = 0; j < fields->len; j++)
    {
      const char *name = tsr_rpc_field_name (g_array_index (fields, guint, j));

      tsr_rpc_json_append_escaped (keys, name, strlen (name));
      g_string_append_c (keys, ':');
      key_ends[j + 1] = keys->len;
    }
  /* Room for the whole reply at once (about 24 bytes a field and a row
   * for the -l fields), rather than doubling through a megabyte. */
  length = text->len;
  reserve = (gsize) torrents->len * (fields->len + 1) * (table ? 16 : 16 + keys->len / MAX (fields->len, 1));
  g_string_set_size (text, length + MIN (reserve, 64 * 1024 * 1024));
  g_string_truncate (text, length);

  tsr_rpc_json_init (out, text);
  tsr_rpc_json_member (out, "torrents");
  tsr_rpc_json_begin_array (out);
  if (table)
    {
      tsr_rpc_json_begin_array (out);
      for (j = 0; j < fields->len; j++)
        STRING (tsr_rpc_field_name (g_array_index (fields, guint, j)));
      tsr_rpc_json_end_array (out);
    }
  for (i = 0; i < torrents->len; i++)
    {
      Row row = { context, g_ptr_array_index (torrents, i), NULL, NULL, NULL, 0, 0, FALSE };

      row.info = tsr_torrent_get_metainfo (row.torrent);
      if (table)
        tsr_rpc_json_begin_array (out);
      else
        tsr_rpc_json_begin_object (out);
      for (j = 0; j < fields->len; j++)
        {
          if (!table)
            tsr_rpc_json_member_raw (out, keys->str + key_ends[j], key_ends[j + 1] - key_ends[j]);
          add_field (&row, g_array_index (fields, guint, j), out);
        }
      if (table)
        tsr_rpc_json_end_array (out);
      else
        tsr_rpc_json_end_object (out);
      row_clear (&row);
    }
  tsr_rpc_json_end_array (out);

  ids = json_object_get_member (args, "ids");
  if (ids != NULL && JSON_NODE_HOLDS_VALUE (ids) && json_node_get_value_type (ids) == G_TYPE_STRING &&
      g_str_equal (json_node_get_string (ids), "recently-active"))
    {
      g_autoptr(GArray) removed = tsr_rpc_ids_dup_removed (context->ids, 60);

      tsr_rpc_json_member (out, "removed");
      tsr_rpc_json_begin_array (out);
      for (i = 0; i < removed->len; i++)
        INT (g_array_index (removed, gint64, i));
      tsr_rpc_json_end_array (out);
    }
  return NULL;
}
