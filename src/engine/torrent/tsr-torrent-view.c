/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-view.c: what a window shows of a torrent. Read-only
 * properties (state, progress, rates, totals, peers, ETA, ratio) that
 * notify once a second at most and only when they change, so that a list
 * of many torrents binds to them cheaply, and the getters behind them;
 * snapshots for the detail views: piece fractions and availability for
 * the bars, one record per connected peer or web seed; and the words for
 * a state or a limit.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "tsr-peer-lookup.h"
#include "tsr-torrent-host.h"
#include "tsr-torrent-private.h"

enum
{
  VIEW_NAME,
  VIEW_STATE,
  VIEW_PROGRESS,
  VIEW_SIZE,
  VIEW_DOWN_RATE,
  VIEW_UP_RATE,
  VIEW_DOWNLOADED,
  VIEW_UPLOADED,
  VIEW_RATIO,
  VIEW_ETA,
  VIEW_N_PEERS,
  VIEW_N_SEEDS,
  N_VIEW
};

static GParamSpec *view_properties[N_VIEW];
static guint view_first_id;

void
_tsr_torrent_install_view_properties (GObjectClass *object_class,
                                      guint         first_id)
{
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  guint i;

  view_first_id = first_id;
  view_properties[VIEW_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  view_properties[VIEW_STATE] = g_param_spec_int ("state", NULL, NULL, 0, TSR_TORRENT_QUEUED, 0, flags);
  view_properties[VIEW_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, flags);
  view_properties[VIEW_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_DOWN_RATE] = g_param_spec_uint64 ("down-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_UP_RATE] = g_param_spec_uint64 ("up-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_DOWNLOADED] = g_param_spec_uint64 ("downloaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_UPLOADED] = g_param_spec_uint64 ("uploaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  view_properties[VIEW_RATIO] = g_param_spec_double ("ratio", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /* Seconds to completion at the current rate; -1 when unknown. */
  view_properties[VIEW_ETA] = g_param_spec_int64 ("eta", NULL, NULL, -1, G_MAXINT64, -1, flags);
  view_properties[VIEW_N_PEERS] = g_param_spec_uint ("n-peers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  view_properties[VIEW_N_SEEDS] = g_param_spec_uint ("n-seeds", NULL, NULL, 0, G_MAXUINT, 0, flags);
  for (i = 0; i < N_VIEW; i++)
    g_object_class_install_property (object_class, first_id + i, view_properties[i]);
}

const char *
tsr_torrent_get_name (TsrTorrent *self)
{
  return self->info != NULL ? self->info->name : self->magnet->display_name;
}

guint
tsr_torrent_get_pieces_have (TsrTorrent *self)
{
  return tsr_bitfield_count (self->have);
}

guint64
tsr_torrent_get_downloaded (TsrTorrent *self)
{
  return self->downloaded;
}

guint64
tsr_torrent_get_uploaded (TsrTorrent *self)
{
  return self->uploaded;
}

guint
tsr_torrent_get_n_peers (TsrTorrent *self)
{
  return tsr_swarm_get_n_peers (self->swarm);
}

guint
tsr_torrent_get_n_seeds (TsrTorrent *self)
{
  return tsr_swarm_count_seeds (self->swarm);
}

guint
tsr_torrent_get_n_known_addresses (TsrTorrent *self)
{
  return tsr_peer_pool_get_size (self->pool);
}

guint64
tsr_torrent_get_bytes_have (TsrTorrent *self)
{
  guint count = tsr_bitfield_count (self->have);
  guint64 bytes;
  guint last;

  if (self->info == NULL)
    return 0;
  bytes = (guint64) count * self->info->piece_length;
  last = self->info->piece_count - 1;
  if (count > 0 && tsr_bitfield_get (self->have, last))
    bytes -= self->info->piece_length - tsr_metainfo_get_piece_size (self->info, last);
  return MIN (bytes, self->info->total_length);
}

guint64
tsr_torrent_get_down_rate (TsrTorrent *self)
{
  return tsr_swarm_get_down_rate (self->swarm) +
         (self->web_seeds != NULL ? tsr_web_seeds_get_rate (self->web_seeds) : 0);
}

guint64
tsr_torrent_get_up_rate (TsrTorrent *self)
{
  return tsr_swarm_get_up_rate (self->swarm);
}

gdouble
tsr_torrent_get_progress (TsrTorrent *self)
{
  if (self->info == NULL)
    return 0.0;
  if (self->info->total_length == 0)
    return 1.0;
  return (gdouble) tsr_torrent_get_bytes_have (self) / (gdouble) self->info->total_length;
}

gdouble
tsr_torrent_get_ratio (TsrTorrent *self)
{
  if (self->info == NULL || self->info->total_length == 0)
    return 0;
  return (gdouble) self->uploaded / (gdouble) self->info->total_length;
}

gint64
tsr_torrent_get_eta (TsrTorrent *self)
{
  guint64 rate = tsr_torrent_get_down_rate (self);

  if (self->state != TSR_TORRENT_DOWNLOADING || rate == 0 || self->info == NULL)
    return -1;
  return (gint64) ((self->info->total_length - tsr_torrent_get_bytes_have (self) + rate - 1) / rate);
}

gboolean
_tsr_torrent_get_view_property (TsrTorrent *self,
                                guint       id,
                                GValue     *value)
{
  if (id < view_first_id || id >= view_first_id + N_VIEW)
    return FALSE;
  switch (id - view_first_id)
    {
    case VIEW_NAME:
      g_value_set_string (value, tsr_torrent_get_name (self));
      break;
    case VIEW_STATE:
      g_value_set_int (value, self->state);
      break;
    case VIEW_PROGRESS:
      g_value_set_double (value, tsr_torrent_get_progress (self));
      break;
    case VIEW_SIZE:
      g_value_set_uint64 (value, self->info != NULL ? self->info->total_length : 0);
      break;
    case VIEW_DOWN_RATE:
      g_value_set_uint64 (value, tsr_torrent_get_down_rate (self));
      break;
    case VIEW_UP_RATE:
      g_value_set_uint64 (value, tsr_torrent_get_up_rate (self));
      break;
    case VIEW_DOWNLOADED:
      g_value_set_uint64 (value, self->downloaded);
      break;
    case VIEW_UPLOADED:
      g_value_set_uint64 (value, self->uploaded);
      break;
    case VIEW_RATIO:
      g_value_set_double (value, tsr_torrent_get_ratio (self));
      break;
    case VIEW_ETA:
      g_value_set_int64 (value, tsr_torrent_get_eta (self));
      break;
    case VIEW_N_PEERS:
      g_value_set_uint (value, tsr_swarm_get_n_peers (self->swarm));
      break;
    case VIEW_N_SEEDS:
      g_value_set_uint (value, tsr_torrent_get_n_seeds (self));
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* Notifies the properties whose value changed since the last call. */
void
_tsr_torrent_notify_view (TsrTorrent *self)
{
  TsrTorrentViewValues now = {
    .state = self->state,
    .progress = tsr_torrent_get_progress (self),
    .down_rate = tsr_torrent_get_down_rate (self),
    .up_rate = tsr_torrent_get_up_rate (self),
    .downloaded = self->downloaded,
    .uploaded = self->uploaded,
    .eta = tsr_torrent_get_eta (self),
    .n_peers = tsr_swarm_get_n_peers (self->swarm),
    .n_seeds = tsr_torrent_get_n_seeds (self),
  };
  TsrTorrentViewValues *was = &self->view;

  g_object_freeze_notify (G_OBJECT (self));
  if (now.state != was->state)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_STATE]);
  if (now.progress != was->progress)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_PROGRESS]);
  if (now.down_rate != was->down_rate)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_DOWN_RATE]);
  if (now.up_rate != was->up_rate)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_UP_RATE]);
  if (now.downloaded != was->downloaded)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_DOWNLOADED]);
  if (now.uploaded != was->uploaded)
    {
      g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_UPLOADED]);
      g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_RATIO]);
    }
  if (now.eta != was->eta)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_ETA]);
  if (now.n_peers != was->n_peers)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_N_PEERS]);
  if (now.n_seeds != was->n_seeds)
    g_object_notify_by_pspec (G_OBJECT (self), view_properties[VIEW_N_SEEDS]);
  *was = now;
  g_object_thaw_notify (G_OBJECT (self));
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                           */

float *
tsr_torrent_dup_piece_fractions (TsrTorrent *self,
                                 guint      *n_pieces)
{
  guint n = self->info != NULL ? self->info->piece_count : 0;
  float *fractions = g_new0 (float, MAX (n, 1));
  TsrBlockMapIter iter;
  guint index;
  guint i;

  for (i = 0; i < n; i++)
    if (tsr_bitfield_get (self->have, i))
      fractions[i] = 1.0f;
  if (self->blocks != NULL)
    {
      tsr_block_map_iter_init (&iter, self->blocks);
      while (tsr_block_map_iter_next (&iter, &index))
        if (index < n && !tsr_bitfield_get (self->have, index))
          fractions[index] = tsr_block_map_get_fraction (self->blocks, index);
    }
  *n_pieces = n;
  return fractions;
}

guint *
tsr_torrent_dup_availability (TsrTorrent *self,
                              guint      *n_pieces)
{
  guint n = self->info != NULL ? self->info->piece_count : 0;
  guint *counts = g_new0 (guint, MAX (n, 1));
  guint i;

  for (i = 0; i < n; i++)
    counts[i] = tsr_piece_picker_get_availability (self->picker, i);
  *n_pieces = n;
  return counts;
}

/* The web seeds that sent something or are fetching, as peer rows. */
static void
add_web_seed_infos (TsrTorrent *self,
                    GPtrArray  *infos)
{
  guint i;

  for (i = 0; self->web_seeds != NULL && i < tsr_web_seeds_get_n_seeds (self->web_seeds); i++)
    {
      TsrWebSeedInfo seed;
      TsrPeerInfo *info;

      tsr_web_seeds_get_info (self->web_seeds, i, &seed);
      if (!seed.fetching && seed.received == 0)
        continue;
      info = g_new0 (TsrPeerInfo, 1);
      info->address = g_strdup (seed.url);
      info->client = g_strdup (seed.http_seed ? _("HTTP seed (BEP 17)") : _("Web seed (BEP 19)"));
      info->source = TSR_PEER_SOURCE_WEB_SEED;
      info->extensions = g_strdup ("");
      info->down_rate = seed.rate;
      info->downloaded = seed.received;
      info->progress = 1.0;
      info->requests_out = seed.fetching ? 1 : 0;
      info->peer_interested = FALSE;
      info->am_interested = TRUE;
      g_ptr_array_add (infos, info);
    }
}

GPtrArray *
tsr_torrent_dup_peer_infos (TsrTorrent *self)
{
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_info_free);

  tsr_swarm_add_peer_infos (self->swarm, infos, g_get_monotonic_time () / G_USEC_PER_SEC);
  add_web_seed_infos (self, infos);
  return infos;
}

gboolean
tsr_torrent_disconnect_peer (TsrTorrent *self,
                             const char *address)
{
  TsrPeerAddress wanted;

  return tsr_peer_address_parse (address, &wanted) &&
         tsr_swarm_disconnect (self->swarm, &wanted, _("Disconnected by the user"));
}

gboolean
tsr_torrent_announce_now (TsrTorrent *self)
{
  if (self->tracker == NULL)
    return FALSE;
  /* Soon, not at once: a tracker's minimum interval is respected. */
  tsr_tracker_announce_soon (self->tracker);
  return TRUE;
}

void
_tsr_torrent_set_host (TsrTorrent                *self,
                       const TsrTorrentHostFuncs *funcs,
                       gpointer                   user_data)
{
  self->host = funcs;
  self->host_data = funcs != NULL ? user_data : NULL;
}

void
tsr_torrent_clear_bans (TsrTorrent *self)
{
  tsr_peer_pool_clear_bans (self->pool);
  if (self->smart_ban != NULL)
    tsr_smart_ban_clear_strikes (self->smart_ban);
}

/* Addresses ----------------------------------------------------------- */

/* Into the pool; dialled at once if there is room. */
static void
add_address (TsrTorrent           *self,
             const TsrPeerAddress *address,
             TsrPeerSource         source)
{
  tsr_swarm_add_address (self->swarm, address, source, g_get_monotonic_time () / G_USEC_PER_SEC);
}

static void
on_peer_name_found (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TsrTorrent) self = user_data;
  g_autoptr(GError) error = NULL;
  TsrPeerAddress address;
  guint from;

  if (tsr_peer_lookup_finish (result, &address, &from, &error))
    add_address (self, &address, (TsrPeerSource) from);
  else
    g_debug ("%s", error->message);
}

/* "host:port" from the public API or a magnet, parsed here, once; a host
 * name (people and magnets may give one) is looked up first. */
static void
add_address_text (TsrTorrent    *self,
                  const char    *text,
                  TsrPeerSource  source)
{
  TsrPeerAddress address;

  if (tsr_peer_address_parse (text, &address))
    add_address (self, &address, source);
  else
    tsr_peer_lookup_async (text, source, NULL, on_peer_name_found, g_object_ref (self));
}

void
tsr_torrent_add_discovered_peer (TsrTorrent    *self,
                                 const char    *address,
                                 TsrPeerSource  source)
{
  add_address_text (self, address, source);
}

void
tsr_torrent_add_discovered_address (TsrTorrent           *self,
                                    const TsrPeerAddress *address,
                                    TsrPeerSource         source)
{
  add_address (self, address, source);
}

void
tsr_torrent_add_peer_address (TsrTorrent *self,
                              const char *address)
{
  add_address_text (self, address, TSR_PEER_SOURCE_USER);
}

GPtrArray *
tsr_torrent_dup_bans (TsrTorrent *self)
{
  return tsr_peer_pool_dup_bans (self->pool, g_get_monotonic_time () / G_USEC_PER_SEC);
}

void
tsr_torrent_get_limits (TsrTorrent *self,
                        guint64    *up_total,
                        guint64    *down_total,
                        gdouble    *seed_ratio)
{
  if (self->stop_limits != NULL)
    {
      tsr_torrent_limits_get (self->stop_limits, up_total, down_total, seed_ratio);
      return;
    }
  *up_total = 0;
  *down_total = 0;
  *seed_ratio = 0;
}

gint64
tsr_torrent_get_next_announce (TsrTorrent *self)
{
  return self->tracker != NULL ? tsr_tracker_get_next_announce (self->tracker) : -1;
}

char *
tsr_torrent_dup_debug_json (TsrTorrent *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  TsrBlockMapIter iter;
  guint index;
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (TSR_IS_TORRENT (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, self->state);
  json_builder_set_member_name (builder, "verified");
  json_builder_add_int_value (builder, self->have != NULL ? tsr_bitfield_count (self->have) : 0);
  json_builder_set_member_name (builder, "wanted");
  json_builder_add_int_value (builder, self->picker != NULL ? tsr_piece_picker_count_wanted (self->picker) : 0);
  json_builder_set_member_name (builder, "pending_writes");
  json_builder_add_int_value (builder, tsr_disk_queue_get_pending (self->disk));
  json_builder_set_member_name (builder, "known_addresses");
  json_builder_add_int_value (builder, tsr_peer_pool_get_size (self->pool));
  json_builder_set_member_name (builder, "read_cache_bytes");
  json_builder_add_int_value (builder, (gint64) tsr_uploader_get_cache_size (self->uploader));
  json_builder_set_member_name (builder, "down_allowance");
  json_builder_add_int_value (builder, (gint64) MIN (tsr_limiter_get_allowance (self->down), (guint64) G_MAXINT64));
  json_builder_set_member_name (builder, "pieces");
  json_builder_begin_array (builder);
  if (self->blocks != NULL)
    tsr_block_map_iter_init (&iter, self->blocks);
  while (self->blocks != NULL && tsr_block_map_iter_next (&iter, &index))
    {
      guint counts[3];
      TsrPeerAddress owner;

      tsr_block_map_count (self->blocks, index, counts);
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
      json_builder_add_boolean_value (builder, tsr_block_map_is_writing (self->blocks, index));
      json_builder_set_member_name (builder, "web");
      json_builder_add_boolean_value (builder, tsr_block_map_get_reserved (self->blocks, index) != NULL);
      json_builder_set_member_name (builder, "owner");
      {
        g_autofree char *text = tsr_smart_ban_get_owner (self->smart_ban, index, &owner)
                                ? tsr_peer_address_to_string (&owner) : NULL;

        json_builder_add_string_value (builder, text);
      }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "peers");
  tsr_swarm_dump_json (self->swarm, builder, now);
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
