/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-private.h: TsrTorrent's insides, shared by tsr-torrent.c
 * (the protocol) and tsr-torrent-view.c (what a window shows of it).
 */
#pragma once

#include "tsr-bitfield.h"
#include "tsr-block-map.h"
#include "tsr-budget.h"
#include "tsr-choker.h"
#include "tsr-disk-queue.h"
#include "tsr-ext-hashes.h"
#include "tsr-ext-metadata.h"
#include "tsr-ext-pex.h"
#include "tsr-extensions.h"
#include "tsr-magnet.h"
#include "tsr-peer-conn.h"
#include "tsr-peer-pool.h"
#include "tsr-piece-picker.h"
#include "tsr-read-cache.h"
#include "tsr-requester.h"
#include "tsr-resume-store.h"
#include "tsr-smart-ban.h"
#include "tsr-storage.h"
#include "tsr-swarm.h"
#include "tsr-ticker.h"
#include "tsr-torrent-limits.h"
#include "tsr-torrent.h"
#include "tsr-tracker.h"
#include "tsr-uploader.h"
#include "tsr-verifier.h"
#include "tsr-web-seeds.h"

G_BEGIN_DECLS

/* What tsr-torrent-view.c last notified. */
typedef struct
{
  gint    state;
  gdouble progress;
  guint64 down_rate;
  guint64 up_rate;
  guint64 downloaded;
  guint64 uploaded;
  gint64  eta;
  guint   n_peers;
  guint   n_seeds;
} TsrTorrentViewValues;

struct _TsrTorrent
{
  GObject          parent_instance;
  TsrMetainfo     *info;            /* (owned) */
  TsrStorage      *storage;         /* (owned) */
  char            *folder;          /* (owned) */
  guint8           peer_id[20];
  TsrTorrentState  state;
  gboolean         fail_pending;   /* fail_soon has an idle queued */
  GError          *error;           /* (owned) (nullable) why the torrent stopped in TSR_TORRENT_ERROR */
  TsrBitfield     *have;            /* (owned) verified pieces */
  TsrBlockMap     *blocks;          /* (owned) (nullable) pieces in progress; made with the metainfo */
  TsrSwarm        *swarm;           /* (owned) the connections, the pool, the choker and the limits */
  TsrHashJob      *check_job;       /* (owned) (nullable) */
  GCancellable    *cancellable;     /* (owned) */
  TsrPiecePicker  *picker;          /* (owned) availability, what to start next */
  guint8          *file_priority;   /* (owned) TsrPriority per file */
  TsrUploader     *uploader;        /* borrowed from swarm: requests to us, and the read-ahead cache */
  TsrRequester    *requester;       /* borrowed from swarm: our requests to peers */
  TsrTick         *choke;           /* (nullable) a choker round every TSR_CHOKER_ROUND s */
  guint64          downloaded;
  guint64          uploaded;
  TsrWireLimits    limits;
  TsrPeerPool     *pool;            /* borrowed from swarm: addresses, back-off, bans */
  const struct _TsrTorrentHostFuncs *host; /* (nullable) the session, told of states and DHT nodes */
  gpointer         host_data;
  TsrTick         *tick;            /* (nullable) dials and dry-pool checks, while running */
  TsrTracker      *tracker;         /* (owned) (nullable) */
  TsrResumeStore  *resume;          /* (owned) when and where the resume record is written */
  TsrSmartBan     *smart_ban;       /* (owned) (nullable) who answers for failed pieces; made with the metainfo */
  TsrDiskQueue    *disk;            /* (owned) (nullable) pieces on their way to disk; made with storage */
  gboolean         have_known;      /* checked or resumed: "have" is true */
  TsrLimiter      *up;              /* (owned) this torrent's bucket; its parent is the session's */
  TsrLimiter      *down;            /* (owned) likewise */
  TsrTorrentLimits *stop_limits;    /* (owned) (nullable) stop conditions, made when one is first set */
  gint64           last_upload;     /* monotonic seconds */
  gint64           seeding_since;
  TsrTorrentViewValues view;
  gboolean         force_check;     /* the next start hashes the data, whatever the resume record says */
  gboolean         stop_after_check; /* verifying a stopped torrent: stopped again once checked */
  /* Added from a magnet link: info is NULL until the metadata comes. */
  TsrMagnet       *magnet;          /* (owned) (nullable) */
  guint8           wire_hash[20];   /* what peers and trackers know it by */
  gboolean         trackers_enabled;
  TsrWebSeeds     *web_seeds;       /* (owned) (nullable) BEP 19 / BEP 17; NULL when the metainfo lists none */
  TsrExtensions   *extensions;      /* borrowed from swarm: BEP 10 and BEP 52 extensions, and each peer's */
  TsrExtMetadata  *metadata;        /* borrowed from extensions: ut_metadata, and a magnet's fetch */
  TsrExtPex       *pex;             /* borrowed from extensions: ut_pex */
  TsrExtHashes    *hashes;          /* borrowed from extensions: BEP 52 hash requests */
  gboolean         sequential;
  TsrPeerEncryption encryption;     /* for the peers we dial */
  gboolean         stop_after_metadata;
  gint64           started_at;      /* monotonic seconds */
  gint64           last_scrape;     /* monotonic seconds, 0: not yet */
  guint16          tracker_port;
};

/* tsr-torrent.c */
void      _tsr_torrent_set_metainfo       (TsrTorrent   *self,
                                           TsrMetainfo  *info);

/* tsr-torrent-view.c */
void     _tsr_torrent_install_view_properties (GObjectClass *object_class,
                                               guint         first_id);
gboolean _tsr_torrent_get_view_property       (TsrTorrent   *self,
                                               guint         id,
                                               GValue       *value);
void     _tsr_torrent_notify_view             (TsrTorrent   *self);

G_END_DECLS
