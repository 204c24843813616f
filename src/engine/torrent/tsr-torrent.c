/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent.c: downloading and seeding one torrent: the state machine
 * (start, check or resume, download, seed, stop, verify, queue, a
 * magnet's metainfo, failing) and the glue between the modules the
 * torrent owns, each reporting to it through its table of callbacks:
 * TsrTorrentPieces (have, the picker, the block map, the smart ban, file
 * priorities: a written piece becomes had there), TsrTorrentDisk (the
 * folder, storage, disk queue, resume record and the check at start),
 * TsrTorrentMagnet (a magnet's link, its fetch, and the metainfo it
 * ends with), TsrTorrentFault (the error it stopped on, and one due
 * soon), TsrSwarm (the connections, and host names to look up),
 * TsrWebSeeds, TsrTracker (announces and scrapes) and TsrTorrentStats
 * (totals, the properties, and the stop conditions measured on them).
 * Its signals are made in tsr-torrent-signals.c, which also emits the
 * reports that are only a signal. The public calls that only read or set
 * those modules are in tsr-torrent-peers.c, -view.c, -data.c and
 * -trackers.c, which reach them through tsr-torrent-parts-private.h and
 * are never called from here.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <string.h>

#include "tsr-bitfield.h"
#include "tsr-peer-pool.h"
#include "tsr-piece-picker.h"
#include "tsr-requester.h"
#include "tsr-ticker.h"
#include "tsr-torrent-disk.h"
#include "tsr-torrent-fault.h"
#include "tsr-torrent-host.h"
#include "tsr-torrent-magnet.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-torrent-pieces.h"
#include "tsr-torrent-signals.h"
#include "tsr-torrent.h"
#include "tsr-util.h"

struct _TsrTorrent
{
  GObject          parent_instance;
  TsrMetainfo     *info;            /* (owned) */
  TsrTorrentDisk  *disk;            /* (owned) folder, storage, disk queue, resume record, the check */
  guint8           peer_id[20];
  TsrTorrentState  state;
  TsrTorrentFault *fault;           /* (owned) (nullable) why it stopped in TSR_TORRENT_ERROR, and errors due soon; made by the first */
  TsrTorrentPieces *pieces;         /* (owned) (nullable) have, picker, block map, smart ban; made with the metainfo */
  TsrSwarm        *swarm;           /* (owned) the connections, the pool, the choker and the limits */
  TsrTorrentStats *stats;           /* (owned) totals, and what a window is shown */
  const TsrTorrentHostFuncs *host;  /* (nullable) the session, told of states and DHT nodes */
  gpointer         host_data;
  TsrTick         *tick;            /* (nullable) dials and dry-pool checks, while running */
  TsrTracker      *tracker;         /* (owned) (nullable) */
  gboolean         have_known;      /* checked or resumed: "have" is true */
  gboolean         force_check;     /* the next start hashes the data, whatever the resume record says */
  gboolean         stop_after_check; /* verifying a stopped torrent: stopped again once checked */
  /* Added from a magnet link: info is NULL until the metadata comes. */
  TsrTorrentMagnet *magnet;         /* (owned) (nullable) */
  guint8           wire_hash[20];   /* what peers and trackers know it by */
  TsrWebSeeds     *web_seeds;       /* (owned) (nullable) BEP 19 / BEP 17; NULL when the metainfo lists none */
  GPtrArray       *own_trackers;    /* (owned) (nullable) the tiers the user set (tsr-torrent-trackers.c) */
  GPtrArray       *own_web_seeds;   /* (owned) (nullable) the web seeds the user set */
  guint            tracker_port;    /* the port + 1 the trackers announce; 0: not enabled */
  gboolean         renaming;        /* a rename is on the disk (tsr-torrent-rename.c) */
  gint64           started_at;      /* monotonic seconds */
};

static guint signals[TSR_TORRENT_N_SIGNALS];

#define RESUME_SAVE_DELAY 5

G_DEFINE_FINAL_TYPE (TsrTorrent, tsr_torrent, G_TYPE_OBJECT)
/* The swarm bans misbehaving peers, and the web seeds a seed that sent a
 * bad piece, for as long as the torrent bans spoilers. */
G_STATIC_ASSERT (TSR_TORRENT_BAN_SECONDS == TSR_SWARM_BAN_SECONDS);
G_STATIC_ASSERT (TSR_TORRENT_BAN_SECONDS == TSR_WEB_SEEDS_BAN_SECONDS);
G_STATIC_ASSERT (TSR_TORRENT_READ_CACHE_IDLE == TSR_SWARM_READ_CACHE_IDLE);

static gint64 now_seconds (void);
static void fail (TsrTorrent *self, const GError *error);
static void set_state (TsrTorrent *self, TsrTorrentState state);
static void swarm_follow_state (TsrTorrent *self);
static const TsrTorrentDiskFuncs disk_funcs;
static const TsrTorrentPiecesFuncs pieces_funcs;
static const TsrWebSeedsFuncs web_seed_funcs;
static void make_web_seeds (TsrTorrent *self);
static const TsrSwarmFuncs swarm_funcs;
static const TsrTorrentStatsFuncs stats_funcs;
static const TsrTorrentMagnetFuncs magnet_funcs;
static const TsrTorrentFaultFuncs fault_funcs;

static void
tsr_torrent_dispose (GObject *object)
{
  TsrTorrent *self = TSR_TORRENT (object);

  if (self->disk != NULL)
    tsr_torrent_disk_cancel (self->disk);
  g_clear_pointer (&self->tick, tsr_ticker_remove);
  if (self->swarm != NULL)
    tsr_swarm_clear (self->swarm);
  G_OBJECT_CLASS (tsr_torrent_parent_class)->dispose (object);
}

static void
tsr_torrent_finalize (GObject *object)
{
  TsrTorrent *self = TSR_TORRENT (object);

  /* The web seeds borrow the swarm's pool. */
  g_clear_pointer (&self->web_seeds, tsr_web_seeds_free);
  g_clear_pointer (&self->own_trackers, g_ptr_array_unref);
  g_clear_pointer (&self->own_web_seeds, g_ptr_array_unref);
  g_clear_pointer (&self->swarm, tsr_swarm_free);
  g_clear_pointer (&self->stats, tsr_torrent_stats_free);
  g_clear_pointer (&self->disk, tsr_torrent_disk_free);
  g_clear_pointer (&self->pieces, tsr_torrent_pieces_free);
  g_clear_object (&self->tracker);
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_pointer (&self->magnet, tsr_torrent_magnet_free);
  g_clear_pointer (&self->fault, tsr_torrent_fault_free);
  G_OBJECT_CLASS (tsr_torrent_parent_class)->finalize (object);
}

static void
tsr_torrent_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  if (!tsr_torrent_stats_get_property (TSR_TORRENT (object)->stats, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
tsr_torrent_class_init (TsrTorrentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = tsr_torrent_dispose;
  object_class->finalize = tsr_torrent_finalize;
  object_class->get_property = tsr_torrent_get_property;
  tsr_torrent_stats_install_properties (object_class, 1);

  tsr_torrent_signals_install (type, signals);
}

static void
tsr_torrent_init (TsrTorrent *self)
{
  self->swarm = tsr_swarm_new (TSR_TORRENT_POOL_SIZE, TSR_TORRENT_MAX_PEERS, TSR_TORRENT_TURNOVER_SECONDS,
                               &swarm_funcs, self);
  tsr_swarm_set_identity (self->swarm, self->peer_id, self->wire_hash);
  self->stats = tsr_torrent_stats_new (&stats_funcs, self);
}

/* What depends on the metainfo: at once, or when a magnet's arrives. */
static void
set_metainfo (TsrTorrent  *self,
              TsrMetainfo *info)
{
  TsrPiecePicker *picker;

  self->info = tsr_metainfo_ref (info);
  memcpy (self->wire_hash, tsr_metainfo_get_wire_hash (info), 20);
  /* Before the disk's storage, which the swarm's hash requests read with it. */
  tsr_swarm_set_metainfo (self->swarm, info);
  tsr_torrent_disk_set_metainfo (self->disk, info);
  tsr_torrent_stats_set_size (self->stats, info->total_length);
  self->pieces = tsr_torrent_pieces_new (info, TSR_TORRENT_PIECE_MEMORY,
                                         tsr_swarm_parts_get_sequential (tsr_swarm_get_parts (self->swarm)), &pieces_funcs, self);
  picker = tsr_torrent_pieces_get_picker (self->pieces);
  tsr_swarm_set_have (self->swarm, tsr_torrent_pieces_get_have (self->pieces));
  /* The block map and the smart ban: the swarm asks when its first
   * member comes (swarm_pieces); web seeds need them at once. */
  tsr_swarm_set_pieces (self->swarm, NULL, picker, NULL, info->piece_count, info->is_private);
  make_web_seeds (self);
}

static TsrTorrent *
make (const char   *folder,
      const guint8 *peer_id)
{
  TsrTorrent *self = g_object_new (TSR_TYPE_TORRENT, NULL);

  self->disk = tsr_torrent_disk_new (folder, RESUME_SAVE_DELAY, &disk_funcs, self);
  memcpy (self->peer_id, peer_id, 20);
  return self;
}

TsrTorrent *
tsr_torrent_new (TsrMetainfo  *info,
                 const char   *folder,
                 const guint8 *peer_id)
{
  TsrTorrent *self = make (folder, peer_id);

  set_metainfo (self, info);
  return self;
}

TsrTorrent *
tsr_torrent_new_from_magnet (const TsrMagnet *magnet,
                             const char      *folder,
                             const guint8    *peer_id)
{
  TsrTorrent *self;
  guint i;

  g_return_val_if_fail (magnet->has_v1 || magnet->has_v2, NULL);

  self = make (folder, peer_id);
  self->magnet = tsr_torrent_magnet_new (magnet, tsr_swarm_parts_get_metadata (tsr_swarm_get_parts (self->swarm)),
                                         tsr_swarm_parts_get_hashes (tsr_swarm_get_parts (self->swarm)),
                                         &magnet_funcs, self);
  memcpy (self->wire_hash, tsr_torrent_magnet_get_wire_hash (self->magnet), 20);
  tsr_swarm_set_have (self->swarm, tsr_torrent_magnet_get_have (self->magnet));
  /* BEP 9 "x.pe": peers to ask first. */
  for (i = 0; magnet->peers != NULL && i < magnet->peers->len; i++)
    tsr_swarm_add_address_text (self->swarm, g_ptr_array_index (magnet->peers, i), TSR_PEER_SOURCE_USER);
  return self;
}

/* The fetch ended (TsrSwarmFuncs; the swarm dropped its connections):
 * TsrTorrentMagnet checks what came. */
static void
swarm_metainfo (TsrMetainfo  *info,
                const GError *error,
                gpointer      user_data)
{
  g_autoptr(TsrTorrent) self = g_object_ref (user_data);

  g_clear_pointer (&self->tick, tsr_ticker_remove);
  tsr_torrent_magnet_take (self->magnet, info, error);
}

static void
magnet_failed (const GError *error,
               gpointer      user_data)
{
  TsrTorrent *self = user_data;

  if (self->tracker != NULL)
    tsr_tracker_stop (self->tracker);
  fail (self, error);
}

/* The metainfo is here: a torrent like any other. The tracker object
 * stays (same hash, same trackers). */
static void
magnet_ready (TsrMetainfo *info,
              gboolean     stop,
              gpointer     user_data)
{
  TsrTorrent *self = user_data;

  set_metainfo (self, info);
  /* BEP 53 "so": only the files named are fetched. */
  tsr_torrent_pieces_select_files (self->pieces, tsr_torrent_magnet_get_magnet (self->magnet));
  /* Asked to, the torrent stops here, for someone to choose files and folder. */
  if (self->state == TSR_TORRENT_FETCHING && stop)
    {
      if (self->tracker != NULL)
        tsr_tracker_stop (self->tracker);
      set_state (self, TSR_TORRENT_STOPPED);
    }
  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_METADATA], 0);
  tsr_torrent_stats_notify (self->stats, G_OBJECT (self));
  if (self->state == TSR_TORRENT_FETCHING)
    {
      self->state = TSR_TORRENT_STOPPED;
      swarm_follow_state (self);
      tsr_torrent_start (self);
    }
}

static const TsrTorrentMagnetFuncs magnet_funcs = {
  .ready = magnet_ready,
  .failed = magnet_failed,
};

const guint8 *
tsr_torrent_get_info_hash (TsrTorrent *self)
{
  return self->wire_hash;
}

const char *
tsr_torrent_get_name (TsrTorrent *self)
{
  /* The disk's: renaming the top folder or the one file renames it. */
  if (self->info != NULL)
    return tsr_torrent_disk_get_name (self->disk) ?: self->info->name;
  return tsr_torrent_magnet_get_name (self->magnet);
}

TsrMetainfo *
tsr_torrent_get_metainfo (TsrTorrent *self)
{
  return self->info;
}

TsrTorrentState
tsr_torrent_get_state (TsrTorrent *self)
{
  return self->state;
}

/* The swarm dials only while the torrent runs; a seed dials only the
 * addresses the user gave, and leechers come to it. Our bitfield must be
 * known first, so nothing is dialled while checking. */
static void
swarm_follow_state (TsrTorrent *self)
{
  static const TsrSwarmMode modes[] = {
    [TSR_TORRENT_FETCHING] = TSR_SWARM_FETCHING,
    [TSR_TORRENT_DOWNLOADING] = TSR_SWARM_DOWNLOADING,
    [TSR_TORRENT_SEEDING] = TSR_SWARM_SEEDING,
  };

  tsr_swarm_set_mode (self->swarm, (guint) self->state < G_N_ELEMENTS (modes) ? modes[self->state] : TSR_SWARM_OFF);
}

static void
set_state (TsrTorrent      *self,
           TsrTorrentState  state)
{
  if (self->state == state)
    return;
  if (state == TSR_TORRENT_SEEDING)
    tsr_swarm_set_pool_capacity (self->swarm, TSR_TORRENT_SEEDING_POOL_SIZE);
  else if (self->state == TSR_TORRENT_SEEDING)
    tsr_swarm_set_pool_capacity (self->swarm, TSR_TORRENT_POOL_SIZE);
  self->state = state;
  tsr_torrent_stats_set_running (self->stats, state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING,
                                 state == TSR_TORRENT_SEEDING, now_seconds ());
  swarm_follow_state (self);
  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_STATE_CHANGED], 0);
  if (self->host != NULL)
    self->host->state_changed (self, self->host_data);
  tsr_torrent_stats_notify (self->stats, G_OBJECT (self));
}

/* The torrent stops on an error it cannot go on with (a full disk, data
 * gone under it): peers are let go, the trackers hear "stopped", and the
 * pieces verified so far stay recorded; starting it again resumes. */
static void stop_running (TsrTorrent *self);
static TsrTorrentFault *
ensure_fault (TsrTorrent *self)
{
  if (self->fault == NULL)
    self->fault = tsr_torrent_fault_new (&fault_funcs, self);
  return self->fault;
}

static void
fail (TsrTorrent   *self,
      const GError *error)
{
  tsr_torrent_fault_set (ensure_fault (self), error);
  if (self->state == TSR_TORRENT_DOWNLOADING || self->state == TSR_TORRENT_SEEDING ||
      self->state == TSR_TORRENT_CHECKING)
    stop_running (self);
  /* Nothing verified is lost (a full disk loses only the piece being
   * written): the record is written now, not after the batching delay,
   * so that a restart once space is freed resumes instead of
   * rechecking. */
  tsr_resume_store_changed_now (tsr_torrent_disk_get_resume (self->disk));
  set_state (self, TSR_TORRENT_ERROR);
}

/* An error from a callback of the read cache or a peer, which must not
 * see the torrent stop under it (TsrTorrentFaultFuncs): now. */
static void
fault_due (const GError *error,
           gpointer      user_data)
{
  g_autoptr(TsrTorrent) self = g_object_ref (user_data);

  if (self->state == TSR_TORRENT_DOWNLOADING || self->state == TSR_TORRENT_SEEDING)
    fail (self, error);
}

static const TsrTorrentFaultFuncs fault_funcs = {
  .due = fault_due,
};

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------ */
/* Pieces                                                              */

static void
check_done (TsrTorrent *self)
{
  g_autoptr(GError) error = NULL;

  if (tsr_torrent_pieces_count_wanted (self->pieces) > 0 || self->state != TSR_TORRENT_DOWNLOADING)
    return;
  if (!tsr_storage_create_empty_files (tsr_torrent_disk_get_storage (self->disk), &error))
    {
      fail (self, error);
      return;
    }
  set_state (self, TSR_TORRENT_SEEDING);
  tsr_swarm_update_interest (self->swarm);
  /* "completed" means the whole torrent, not a selection of its files. */
  if (self->tracker != NULL && tsr_torrent_stats_get_downloaded (self->stats) > 0 &&
      tsr_bitfield_is_full (tsr_torrent_pieces_get_have (self->pieces)))
    tsr_tracker_completed (self->tracker);
  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_DONE], 0);
}

void
tsr_torrent_set_file_priority (TsrTorrent  *self,
                               guint        file,
                               TsrPriority  priority)
{
  g_return_if_fail (self->info != NULL && file < self->info->n_files);
  if (!tsr_torrent_pieces_set_file_priority (self->pieces, file, priority))
    return;
  /* What we want changed. */
  if (self->state == TSR_TORRENT_SEEDING && tsr_torrent_pieces_count_wanted (self->pieces) > 0)
    set_state (self, TSR_TORRENT_DOWNLOADING);
  tsr_swarm_update_interest (self->swarm);
  check_done (self);
}

/* Web seeds (TsrWebSeeds) ------------------------------------------- */

static gboolean
web_may_start (gpointer user_data)
{
  return ((TsrTorrent *) user_data)->state == TSR_TORRENT_DOWNLOADING;
}

static void
web_fetched (guint    index,
             GBytes  *piece,
             gpointer user_data)
{
  TsrTorrent *self = user_data;

  tsr_torrent_stats_moved (self->stats, g_bytes_get_size (piece), FALSE, now_seconds ());
  tsr_torrent_disk_write (self->disk, index, piece);
}

static TsrLimiter *
web_limiter (gpointer user_data)
{
  return tsr_swarm_get_limiter (((TsrTorrent *) user_data)->swarm, FALSE);
}

static const TsrWebSeedsFuncs web_seed_funcs = {
  .may_start = web_may_start,
  .banned = tsr_torrent_signals_url_banned,
  .fetched = web_fetched,
  .limiter = web_limiter,
};

/* The seeds of the user's list (tsr_torrent_set_web_seeds) or else the
 * metainfo's; none when neither lists one. */
static void
make_web_seeds (TsrTorrent *self)
{
  GPtrArray *urls = self->own_web_seeds != NULL ? self->own_web_seeds : self->info->web_seeds;

  g_clear_pointer (&self->web_seeds, tsr_web_seeds_free);
  /* No seed, no block map made for one (most torrents, idle). */
  if (urls->len == 0 && self->info->http_seeds->len == 0)
    return;
  self->web_seeds = tsr_web_seeds_new_with_urls (self->info, urls,
                                                 tsr_torrent_pieces_get_blocks (self->pieces),
                                                 tsr_torrent_pieces_get_picker (self->pieces),
                                                 tsr_swarm_get_pool (self->swarm), &web_seed_funcs, self);
}

/* After tsr_torrent_set_web_seeds: the new list's seeds, ticked. */
void
_tsr_torrent_remake_web_seeds (TsrTorrent *self)
{
  if (self->info == NULL)
    return;   /* a magnet makes them when its metainfo comes */
  make_web_seeds (self);
  tsr_web_seeds_tick (self->web_seeds);
}

static void
on_disk_failed (const GError *error,
                gpointer      user_data)
{
  fail (user_data, error);
}

/* A web seed sent the piece whole, alone: it answers for it (banned by
 * its URL); else its peers do (TsrTorrentPieces' smart ban). */
static gboolean
pieces_hash_failed (guint    index,
                    gpointer user_data)
{
  TsrTorrent *self = user_data;

  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_HASH_FAILED], 0, index);
  return self->web_seeds != NULL && tsr_web_seeds_hash_failed (self->web_seeds, index);
}

static void
pieces_verified (guint    index,
                 gpointer user_data)
{
  TsrTorrent *self = user_data;

  tsr_swarm_send_have (self->swarm, index);
  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_PIECE_VERIFIED], 0, index);
  tsr_resume_store_changed (tsr_torrent_disk_get_resume (self->disk));
  check_done (self);
}

/* The smart ban names a peer that sent bad data. */
static void
pieces_ban (const TsrPeerAddress *address,
            const char           *reason,
            gpointer              user_data)
{
  TsrTorrent *self = user_data;

  tsr_swarm_ban (self->swarm, address, reason, now_seconds (), TSR_TORRENT_BAN_SECONDS);
}

static const TsrTorrentPiecesFuncs pieces_funcs = {
  .verified = pieces_verified,
  .hash_failed = pieces_hash_failed,
  .ban = pieces_ban,
};

static void
on_disk_written (guint    index,
                 gboolean hash_ok,
                 gpointer user_data)
{
  TsrTorrent *self = user_data;

  tsr_torrent_pieces_written (self->pieces, index, hash_ok);
  /* A piece written frees room under the memory budget (a failed one is
   * fetched again): without this, peers whose pieces were all started
   * would wait for the next tick. */
  tsr_swarm_fill_all (self->swarm);
  tsr_web_seeds_tick (self->web_seeds);
}

/* The set of connections (TsrSwarmFuncs) ---------------------------- */

static void
swarm_moved (gsize    bytes,
             gboolean uploaded,
             gpointer user_data)
{
  TsrTorrent *self = user_data;

  tsr_torrent_stats_moved (self->stats, bytes, uploaded, now_seconds ());
}

/* The worker owns the data now, even if the torrent stops meanwhile. */
static void
swarm_complete (guint    index,
                GBytes  *piece,
                gpointer user_data)
{
  TsrTorrent *self = user_data;

  tsr_torrent_disk_write (self->disk, index, piece);
}

static gboolean
swarm_stopping (gpointer user_data)
{
  TsrTorrent *self = user_data;

  return tsr_torrent_stats_is_stopping (self->stats);
}

static void
swarm_dht_node (const TsrPeerAddress *node,
                gpointer              user_data)
{
  TsrTorrent *self = user_data;
  g_autofree char *text = tsr_peer_address_to_string (node);

  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_DHT_NODE], 0, text);
  if (self->host != NULL)
    self->host->dht_node (self, text, self->host_data);
}

static void
swarm_read_failed (const GError *error,
                   gpointer      user_data)
{
  /* A recheck finds what is left once the user has looked. */
  tsr_torrent_fault_soon (ensure_fault (user_data), error);
}

/* Outgoing, over the host's transports. */
static void
swarm_dial (const TsrPeerAddress *address,
            TsrPeerEncryption     encryption,
            gpointer              user_data)
{
  TsrTorrent *self = user_data;
  TsrDialer *dialer = self->host != NULL ? self->host->dialer (self->host_data) : NULL;
  g_autoptr(TsrPeer) peer = tsr_peer_new_outgoing (address, dialer);

  tsr_peer_set_encryption (peer, encryption, NULL, NULL);
  tsr_swarm_dial_peer (self->swarm, peer);
}

static void
swarm_pieces (TsrBlockMap **blocks,
              TsrSmartBan **smart_ban,
              gpointer      user_data)
{
  TsrTorrent *self = user_data;

  *blocks = tsr_torrent_pieces_get_blocks (self->pieces);
  *smart_ban = tsr_torrent_pieces_get_smart_ban (self->pieces);
}

static const TsrSwarmFuncs swarm_funcs = {
  .event = tsr_torrent_signals_swarm_event,
  .banned = tsr_torrent_signals_peer_banned,
  .dial = swarm_dial,
  .moved = swarm_moved,
  .complete = swarm_complete,
  .stopping = swarm_stopping,
  .dht_node = swarm_dht_node,
  .read_failed = swarm_read_failed,
  .metainfo = swarm_metainfo,
  .pieces = swarm_pieces,
};

/* Once a second while running: the swarm's second (dialling what
 * became ready, turnover), and when its pool has run dry with few
 * connections, the trackers are asked early. */
static void
on_tick (gpointer user_data)
{
  TsrTorrent *self = user_data;
  gboolean dry = tsr_swarm_second (self->swarm, now_seconds ());

  tsr_web_seeds_tick (self->web_seeds);
  /* Swarm counts for the trackers view: soon after starting, then now and then. */
  if (self->tracker != NULL)
    tsr_tracker_scrape_when_due (self->tracker, now_seconds ());
  tsr_torrent_stats_notify (self->stats, G_OBJECT (self));
  /* Idleness is a limit that no byte moves toward. */
  tsr_torrent_stats_check_limits (self->stats);
  if ((self->state == TSR_TORRENT_DOWNLOADING || self->state == TSR_TORRENT_FETCHING) && dry && self->tracker != NULL)
    tsr_tracker_want_peers (self->tracker);
}

/* ------------------------------------------------------------------ */
/* Trackers (the rest is tsr-torrent-trackers.c's)                     */

void
_tsr_torrent_set_tracker (TsrTorrent *self,
                          TsrTracker *tracker)
{
  g_clear_object (&self->tracker);
  self->tracker = tracker;
  /* Scrapes are planned from the start (a tracker made before it is
   * planned again then). */
  if (self->tracker != NULL && self->started_at != 0)
    tsr_tracker_plan_scrapes (self->tracker, self->started_at);
  /* UDP announces leave from the session's socket on the listen port. */
  if (self->tracker != NULL && self->host != NULL)
    self->host->trackers_made (self, self->tracker, self->host_data);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                      */

/* The pieces we have are known: go. */
static void
ready (TsrTorrent *self)
{
  tsr_torrent_pieces_known (self->pieces);
  self->have_known = TRUE;
  if (self->stop_after_check)
    {
      self->stop_after_check = FALSE;
      tsr_resume_store_changed (tsr_torrent_disk_get_resume (self->disk));
      tsr_torrent_stop (self);
      return;
    }
  set_state (self, TSR_TORRENT_DOWNLOADING);
  if (self->tracker != NULL)
    tsr_tracker_start (self->tracker);
  check_done (self);
  tsr_web_seeds_tick (self->web_seeds);
  if (self->tick == NULL)
    self->tick = tsr_ticker_add (1, on_tick, self);
  tsr_swarm_dial_some (self->swarm, now_seconds ());
}

/* The check ended (TsrTorrentDiskFuncs): a resume record told, or the
 * data was hashed. */
static void
on_disk_checked (const TsrBitfield *have,
                 gboolean           resumed,
                 gpointer           user_data)
{
  g_autoptr(TsrTorrent) self = g_object_ref (user_data);
  const TsrBitfield *loaded = tsr_torrent_pieces_get_have (self->pieces);

  tsr_torrent_pieces_load_have (self->pieces, have);
  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_CHECKED], 0, tsr_bitfield_count (loaded), resumed);
  if (!resumed)
    tsr_resume_store_changed (tsr_torrent_disk_get_resume (self->disk));
  ready (self);
}

/* What a resume record holds: nothing before the check ends. */
static const TsrBitfield *
disk_have (gpointer user_data)
{
  TsrTorrent *self = user_data;

  return self->have_known ? tsr_torrent_pieces_get_have (self->pieces) : NULL;
}

/* Uploads and BEP 52 hash requests read the data through it. */
static void
disk_storage (TsrStorage *storage,
              gpointer    user_data)
{
  TsrTorrent *self = user_data;

  tsr_swarm_parts_set_storage (tsr_swarm_get_parts (self->swarm), storage);
}

static const TsrTorrentDiskFuncs disk_funcs = {
  .written = on_disk_written,
  .failed = on_disk_failed,
  .checked = on_disk_checked,
  .have = disk_have,
  .storage = disk_storage,
};

/* A magnet: peers and trackers by its hash, until a peer gives the info
 * dictionary (see swarm/tsr-ext-metadata.c). */
static void
start_fetching (TsrTorrent *self)
{
  set_state (self, TSR_TORRENT_FETCHING);
  if (self->tracker != NULL)
    tsr_tracker_start (self->tracker);
  if (self->tick == NULL)
    self->tick = tsr_ticker_add (1, on_tick, self);
  tsr_swarm_dial_some (self->swarm, now_seconds ());
}

void
tsr_torrent_start (TsrTorrent *self)
{
  if (self->state == TSR_TORRENT_CHECKING || self->state == TSR_TORRENT_DOWNLOADING ||
      self->state == TSR_TORRENT_SEEDING || self->state == TSR_TORRENT_FETCHING)
    return;
  self->started_at = now_seconds ();
  if (self->tracker != NULL)
    tsr_tracker_plan_scrapes (self->tracker, self->started_at);
  if (self->info == NULL)
    {
      start_fetching (self);
      return;
    }
  set_state (self, TSR_TORRENT_CHECKING);
  tsr_torrent_disk_check (self->disk, self->force_check);
  self->force_check = FALSE;
}

void
tsr_torrent_verify (TsrTorrent *self)
{
  gboolean running = self->state == TSR_TORRENT_CHECKING || self->state == TSR_TORRENT_DOWNLOADING ||
                     self->state == TSR_TORRENT_SEEDING;

  if (self->info == NULL)
    return;
  self->force_check = TRUE;
  if (running)
    tsr_torrent_stop (self);
  else
    self->stop_after_check = TRUE;
  tsr_torrent_start (self);
}

void
tsr_torrent_queue (TsrTorrent *self)
{
  if (self->state == TSR_TORRENT_QUEUED)
    return;
  if (self->state != TSR_TORRENT_STOPPED && self->state != TSR_TORRENT_ERROR)
    tsr_torrent_stop (self);
  set_state (self, TSR_TORRENT_QUEUED);
}

void
tsr_torrent_stop (TsrTorrent *self)
{
  stop_running (self);
  set_state (self, TSR_TORRENT_STOPPED);
}

/* tsr_torrent_stop without the state change: timers, tracker ("stopped"),
 * peers and pieces in flight. */
static void
stop_running (TsrTorrent *self)
{
  g_clear_pointer (&self->tick, tsr_ticker_remove);
  if (self->tracker != NULL && (self->state == TSR_TORRENT_DOWNLOADING || self->state == TSR_TORRENT_SEEDING ||
                                self->state == TSR_TORRENT_FETCHING))
    tsr_tracker_stop (self->tracker);
  tsr_torrent_disk_cancel (self->disk);
  tsr_swarm_stop (self->swarm);
  if (self->info == NULL)
    return;
  if (self->web_seeds != NULL)
    tsr_web_seeds_stop (self->web_seeds);
  tsr_torrent_pieces_stop (self->pieces);
}

/* What the stats ask (TsrTorrentStatsFuncs) -------------------------- */

static void
stats_facts (TsrStatsFacts *facts,
             gpointer       user_data)
{
  TsrTorrent *self = user_data;

  facts->name = tsr_torrent_get_name (self);
  facts->state = self->state;
  facts->downloading = self->state == TSR_TORRENT_DOWNLOADING;
  facts->bytes_have = self->pieces != NULL ? tsr_torrent_pieces_get_bytes_have (self->pieces) : 0;
  facts->down_rate = tsr_swarm_get_down_rate (self->swarm) +
                     (self->web_seeds != NULL ? tsr_web_seeds_get_rate (self->web_seeds) : 0);
  facts->up_rate = tsr_swarm_get_up_rate (self->swarm);
  facts->n_peers = tsr_swarm_get_n_peers (self->swarm);
  facts->n_seeds = tsr_swarm_count_seeds (self->swarm);
}

/* A stop condition was reached. */
static void
stats_limit_reached (const char *reason,
                     gpointer    user_data)
{
  TsrTorrent *self = user_data;

  g_signal_emit (self, signals[TSR_TORRENT_SIGNAL_LIMIT_REACHED], 0, reason);
  tsr_torrent_stop (self);
}

static const TsrTorrentStatsFuncs stats_funcs = {
  .facts = stats_facts,
  .limit_reached = stats_limit_reached,
};

void
_tsr_torrent_set_host (TsrTorrent                *self,
                       const TsrTorrentHostFuncs *funcs,
                       gpointer                   user_data)
{
  self->host = funcs;
  self->host_data = funcs != NULL ? user_data : NULL;
}

/* The parts, for the facades (tsr-torrent-parts-private.h) ----------- */

TsrSwarm *
_tsr_torrent_get_swarm (TsrTorrent *self)
{
  return self->swarm;
}

TsrTorrentStats *
_tsr_torrent_get_stats (TsrTorrent *self)
{
  return self->stats;
}

TsrTorrentFault *
_tsr_torrent_get_fault (TsrTorrent *self)
{
  return self->fault;
}

TsrTorrentDisk *
_tsr_torrent_get_disk (TsrTorrent *self)
{
  return self->disk;
}

TsrTorrentPieces *
_tsr_torrent_get_pieces (TsrTorrent *self)
{
  return self->pieces;
}

TsrWebSeeds *
_tsr_torrent_get_web_seeds (TsrTorrent *self)
{
  return self->web_seeds;
}

TsrTracker *
_tsr_torrent_get_tracker (TsrTorrent *self)
{
  return self->tracker;
}

TsrTorrentMagnet *
_tsr_torrent_get_magnet (TsrTorrent *self)
{
  return self->magnet;
}

GPtrArray *
_tsr_torrent_get_own_trackers (TsrTorrent *self)
{
  return self->own_trackers;
}

void
_tsr_torrent_set_own_trackers (TsrTorrent *self,
                               GPtrArray  *list)
{
  g_clear_pointer (&self->own_trackers, g_ptr_array_unref);
  self->own_trackers = list;
}

GPtrArray *
_tsr_torrent_get_own_web_seeds (TsrTorrent *self)
{
  return self->own_web_seeds;
}

void
_tsr_torrent_set_own_web_seeds (TsrTorrent *self,
                                GPtrArray  *list)
{
  g_clear_pointer (&self->own_web_seeds, g_ptr_array_unref);
  self->own_web_seeds = list;
}

guint
_tsr_torrent_get_tracker_port (TsrTorrent *self)
{
  return self->tracker_port;
}

void
_tsr_torrent_set_tracker_port (TsrTorrent *self,
                               guint       port)
{
  self->tracker_port = port;
}

gboolean
_tsr_torrent_get_renaming (TsrTorrent *self)
{
  return self->renaming;
}

void
_tsr_torrent_set_renaming (TsrTorrent *self,
                           gboolean    renaming)
{
  self->renaming = renaming;
}
