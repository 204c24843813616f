/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-view.c: what a window shows of a torrent: the getters of
 * its totals, the bytes had, rates, progress, ETA and ratio
 * (TsrTorrentStats computes them, and notifies its properties); whether
 * its metainfo is known, its magnet link, its files' priorities and the
 * sequential flag; snapshots for the detail views: piece fractions and
 * availability for the bars; the error it stopped on; the stop conditions (a magnet's stop once
 * its metainfo comes) and the progress of its fetch; the debug JSON; and
 * the words for a state or a limit. It sees the torrent only through
 * tsr-torrent-parts-private.h.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "tsr-torrent-parts-private.h"
#include "tsr-torrent.h"

guint
tsr_torrent_get_pieces_have (TsrTorrent *self)
{
  return tsr_bitfield_count (tsr_swarm_get_have (_tsr_torrent_get_swarm (self)));
}

guint64
tsr_torrent_get_bytes_have (TsrTorrent *self)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  return pieces != NULL ? tsr_torrent_pieces_get_bytes_have (pieces) : 0;
}

guint64
tsr_torrent_get_downloaded (TsrTorrent *self)
{
  return tsr_torrent_stats_get_downloaded (_tsr_torrent_get_stats (self));
}

guint64
tsr_torrent_get_uploaded (TsrTorrent *self)
{
  return tsr_torrent_stats_get_uploaded (_tsr_torrent_get_stats (self));
}

guint64
tsr_torrent_get_down_rate (TsrTorrent *self)
{
  return tsr_torrent_stats_get_down_rate (_tsr_torrent_get_stats (self));
}

guint64
tsr_torrent_get_up_rate (TsrTorrent *self)
{
  return tsr_torrent_stats_get_up_rate (_tsr_torrent_get_stats (self));
}

gdouble
tsr_torrent_get_progress (TsrTorrent *self)
{
  return tsr_torrent_stats_get_progress (_tsr_torrent_get_stats (self));
}

gdouble
tsr_torrent_get_ratio (TsrTorrent *self)
{
  return tsr_torrent_stats_get_ratio (_tsr_torrent_get_stats (self));
}

gint64
tsr_torrent_get_eta (TsrTorrent *self)
{
  return tsr_torrent_stats_get_eta (_tsr_torrent_get_stats (self));
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                           */

gboolean
tsr_torrent_has_metainfo (TsrTorrent *self)
{
  return tsr_torrent_get_metainfo (self) != NULL;
}

char *
tsr_torrent_dup_magnet_uri (TsrTorrent *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);

  return info != NULL ? tsr_metainfo_dup_magnet_uri (info) : tsr_magnet_to_string (tsr_torrent_magnet_get_magnet (_tsr_torrent_get_magnet (self)));
}

const char *
tsr_torrent_get_error (TsrTorrent *self)
{
  const GError *error = tsr_torrent_fault_get (_tsr_torrent_get_fault (self));

  return error != NULL ? error->message : NULL;
}

GError *
tsr_torrent_dup_error (TsrTorrent *self)
{
  const GError *error = tsr_torrent_fault_get (_tsr_torrent_get_fault (self));

  return error != NULL ? g_error_copy (error) : NULL;
}

TsrPriority
tsr_torrent_get_file_priority (TsrTorrent *self,
                               guint       file)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);

  g_return_val_if_fail (info != NULL && file < info->n_files, TSR_PRIORITY_SKIP);
  return tsr_torrent_pieces_get_file_priority (_tsr_torrent_get_pieces (self), file);
}

/* Pieces in order, for the requests to peers (kept by the swarm until
 * its requester is made), and for the picker once the metainfo is known
 * (TsrTorrentPieces is made with the swarm's flag). */
void
tsr_torrent_set_sequential (TsrTorrent *self,
                            gboolean    sequential)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  tsr_swarm_parts_set_sequential (tsr_swarm_get_parts (_tsr_torrent_get_swarm (self)), sequential);
  if (pieces != NULL)
    tsr_torrent_pieces_set_sequential (pieces, sequential);
}

/* Nothing before a magnet's metainfo comes: whoever wants it sets it
 * again then (the library does, on "metadata-received"). */
void
tsr_torrent_set_first_last_pieces (TsrTorrent *self,
                                   gboolean    first_last)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  if (pieces != NULL)
    tsr_torrent_pieces_set_first_last (pieces, first_last);
}

/* NULL before a magnet's metainfo comes. */
static TsrBlockMap *
get_blocks (TsrTorrent *self)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  return pieces != NULL ? tsr_torrent_pieces_peek_blocks (pieces) : NULL;
}

static TsrPiecePicker *
get_picker (TsrTorrent *self)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  return pieces != NULL ? tsr_torrent_pieces_get_picker (pieces) : NULL;
}

static TsrSmartBan *
get_smart_ban (TsrTorrent *self)
{
  TsrTorrentPieces *pieces = _tsr_torrent_get_pieces (self);

  return pieces != NULL ? tsr_torrent_pieces_peek_smart_ban (pieces) : NULL;
}

float *
tsr_torrent_dup_piece_fractions (TsrTorrent *self,
                                 guint      *n_pieces)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);
  const TsrBitfield *have = tsr_swarm_get_have (_tsr_torrent_get_swarm (self));
  TsrBlockMap *blocks = get_blocks (self);
  guint n = info != NULL ? info->piece_count : 0;
  float *fractions = g_new0 (float, MAX (n, 1));
  TsrBlockMapIter iter;
  guint index;
  guint i;

  for (i = 0; i < n; i++)
    if (tsr_bitfield_get (have, i))
      fractions[i] = 1.0f;
  if (blocks != NULL)
    {
      tsr_block_map_iter_init (&iter, blocks);
      while (tsr_block_map_iter_next (&iter, &index))
        if (index < n && !tsr_bitfield_get (have, index))
          fractions[index] = tsr_block_map_get_fraction (blocks, index);
    }
  *n_pieces = n;
  return fractions;
}

guint *
tsr_torrent_dup_availability (TsrTorrent *self,
                              guint      *n_pieces)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);
  TsrPiecePicker *picker = get_picker (self);
  guint n = info != NULL ? info->piece_count : 0;
  guint *counts = g_new0 (guint, MAX (n, 1));
  guint i;

  for (i = 0; i < n; i++)
    counts[i] = tsr_piece_picker_get_availability (picker, i);
  *n_pieces = n;
  return counts;
}

void
tsr_torrent_get_limits (TsrTorrent *self,
                        guint64    *up_total,
                        guint64    *down_total,
                        gdouble    *seed_ratio)
{
  TsrTorrentLimits *limits = tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (self), FALSE);

  if (limits != NULL)
    {
      tsr_torrent_limits_get (limits, up_total, down_total, seed_ratio);
      return;
    }
  *up_total = 0;
  *down_total = 0;
  *seed_ratio = 0;
}

void
tsr_torrent_set_limits (TsrTorrent *self,
                        guint64     up_total,
                        guint64     down_total,
                        gdouble     seed_ratio)
{
  /* None on a torrent without any: nothing to make (most never have one). */
  TsrTorrentLimits *limits = tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (self),
                                                           up_total > 0 || down_total > 0 || seed_ratio > 0);

  if (limits != NULL)
    tsr_torrent_limits_set (limits, up_total, down_total, seed_ratio);
}

void
tsr_torrent_set_seed_idle_limit (TsrTorrent *self,
                                 guint       seconds)
{
  TsrTorrentLimits *limits = tsr_torrent_stats_get_limits (_tsr_torrent_get_stats (self), seconds > 0);

  if (limits != NULL)
    tsr_torrent_limits_set_seed_idle (limits, seconds);
}

/* A magnet's: stopped once the metainfo comes (a torrent with its
 * metainfo has nothing to stop after). */
void
tsr_torrent_set_stop_after_metadata (TsrTorrent *self,
                                     gboolean    stop)
{
  TsrTorrentMagnet *magnet = _tsr_torrent_get_magnet (self);

  if (magnet != NULL)
    tsr_torrent_magnet_set_stop_after (magnet, stop);
}

gdouble
tsr_torrent_get_metadata_progress (TsrTorrent *self)
{
  TsrTorrentMagnet *magnet = _tsr_torrent_get_magnet (self);

  return tsr_torrent_has_metainfo (self) || magnet == NULL ? 1.0 : tsr_torrent_magnet_get_progress (magnet);
}

/* The pieces in progress, as the debug JSON lists them. */
static void
dump_pieces (TsrBlockMap *blocks,
             TsrSmartBan *smart_ban,
             JsonBuilder *builder)
{
  TsrBlockMapIter iter;
  guint index;

  json_builder_begin_array (builder);
  if (blocks != NULL)
    tsr_block_map_iter_init (&iter, blocks);
  while (blocks != NULL && tsr_block_map_iter_next (&iter, &index))
    {
      guint counts[3];
      TsrPeerAddress owner;
      g_autofree char *text = NULL;

      tsr_block_map_count (blocks, index, counts);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, index);
      json_builder_set_member_name (builder, "free");
      json_builder_add_int_value (builder, counts[TSR_BLOCK_FREE]);
      json_builder_set_member_name (builder, "requested");
      json_builder_add_int_value (builder, counts[TSR_BLOCK_REQUESTED]);
      json_builder_set_member_name (builder, "received");
      json_builder_add_int_value (builder, counts[TSR_BLOCK_RECEIVED]);
      json_builder_set_member_name (builder, "writing");
      json_builder_add_boolean_value (builder, tsr_block_map_is_writing (blocks, index));
      json_builder_set_member_name (builder, "web");
      json_builder_add_boolean_value (builder, tsr_block_map_get_reserved (blocks, index) != NULL);
      json_builder_set_member_name (builder, "owner");
      text = smart_ban != NULL && tsr_smart_ban_get_owner (smart_ban, index, &owner)
             ? tsr_peer_address_to_string (&owner) : NULL;
      json_builder_add_string_value (builder, text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

char *
tsr_torrent_dup_debug_json (TsrTorrent *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  TsrSwarm *swarm;
  TsrUploader *uploader;
  TsrPeerPool *pool;
  const TsrBitfield *have;
  TsrPiecePicker *picker;
  TsrLimiter *down;
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (TSR_IS_TORRENT (self), NULL);

  swarm = _tsr_torrent_get_swarm (self);
  uploader = tsr_swarm_get_uploader (swarm);
  pool = tsr_swarm_peek_pool (swarm);
  have = tsr_swarm_get_have (_tsr_torrent_get_swarm (self));
  picker = get_picker (self);
  down = tsr_swarm_get_limiter (_tsr_torrent_get_swarm (self), FALSE);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, tsr_torrent_get_state (self));
  json_builder_set_member_name (builder, "verified");
  json_builder_add_int_value (builder, have != NULL ? tsr_bitfield_count (have) : 0);
  json_builder_set_member_name (builder, "wanted");
  json_builder_add_int_value (builder, picker != NULL ? tsr_piece_picker_count_wanted (picker) : 0);
  json_builder_set_member_name (builder, "pending_writes");
  json_builder_add_int_value (builder,
                              tsr_disk_queue_get_pending (tsr_torrent_disk_get_queue (_tsr_torrent_get_disk (self))));
  json_builder_set_member_name (builder, "known_addresses");
  json_builder_add_int_value (builder, pool != NULL ? tsr_peer_pool_get_size (pool) : 0);
  json_builder_set_member_name (builder, "read_cache_bytes");
  json_builder_add_int_value (builder, uploader != NULL ? (gint64) tsr_uploader_get_cache_size (uploader) : 0);
  json_builder_set_member_name (builder, "down_allowance");
  json_builder_add_int_value (builder, down != NULL ? (gint64) MIN (tsr_limiter_get_allowance (down), (guint64) G_MAXINT64)
                                                    : G_MAXINT64);
  json_builder_set_member_name (builder, "pieces");
  dump_pieces (get_blocks (self), get_smart_ban (self), builder);
  json_builder_set_member_name (builder, "peers");
  tsr_swarm_dump_json (swarm, builder, now);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Words ---------------------------------------------------------------- */

const char *
tsr_torrent_state_to_string (TsrTorrentState state)
{
  static const char *const names[] = { "stopped", "checking", "downloading", "seeding", "error", "queued", "fetching" };

  return (guint) state < G_N_ELEMENTS (names) ? names[state] : "unknown";
}

const char *
tsr_torrent_describe_state (TsrTorrentState state)
{
  switch (state)
    {
    case TSR_TORRENT_STOPPED:
      /* TRANSLATORS: the torrent states are shown alone, in the list of
       * torrents and in its details, and after a torrent's name ("NAME:
       * Downloading"): keep them short. */
      return C_("torrent state", "Stopped");
    case TSR_TORRENT_CHECKING:
      return C_("torrent state", "Checking");
    case TSR_TORRENT_DOWNLOADING:
      return C_("torrent state", "Downloading");
    case TSR_TORRENT_SEEDING:
      return C_("torrent state", "Seeding");
    case TSR_TORRENT_ERROR:
      return C_("torrent state", "Error");
    case TSR_TORRENT_QUEUED:
      return C_("torrent state", "Queued");
    case TSR_TORRENT_FETCHING:
      return C_("torrent state", "Fetching metadata");
    default:
      return C_("torrent state", "Unknown");
    }
}

const char *
tsr_torrent_describe_limit (const char *limit)
{
  static const struct
  {
    const char *limit;
    const char *text;
  } texts[] = {
    /* TRANSLATORS: why a torrent stopped, a line of its log (the limits
     * of tessera-cli peer --up-total, --down-total, --seed-ratio and
     * --seed-idle, and of the torrent's properties) */
    { "up-total", N_("Stopped after uploading the set total") },
    { "down-total", N_("Stopped after downloading the set total") },
    { "seed-ratio", N_("Stopped after seeding to the set ratio") },
    { "seed-idle", N_("Stopped after uploading nothing for the set time") },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_strcmp0 (limit, texts[i].limit) == 0)
      return _(texts[i].text);
  return limit;
}
