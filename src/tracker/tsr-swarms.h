/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarms.h: the tracker server's in-memory swarm store: info hash →
 * swarm → compact peer records, announce with a fair random sample of
 * peers, scrape (BEP 48), expiry, a whitelist, a cap on the number of
 * swarms and a binary image for --state. Pure data: no I/O, no clock
 * (every call takes `now`, in seconds), no GObject.
 */
#pragma once

#include <glib.h>

#include "tessera-codec.h"

G_BEGIN_DECLS

#define TSR_SWARMS_ERROR (tsr_swarms_error_quark ())
GQuark tsr_swarms_error_quark (void);

typedef enum
{
  TSR_SWARMS_ERROR_TRUNCATED,   /* the image ends early */
  TSR_SWARMS_ERROR_BAD_MAGIC,   /* not a swarm image */
  TSR_SWARMS_ERROR_VERSION,     /* a format version we do not read */
  TSR_SWARMS_ERROR_CHECKSUM,    /* the bytes were changed after writing */
  TSR_SWARMS_ERROR_INVALID,     /* well formed but inconsistent */
} TsrSwarmsError;

typedef enum
{
  TSR_SWARMS_OK,
  TSR_SWARMS_NOT_ALLOWED,       /* a whitelist is set and lacks the hash */
} TsrSwarmsResult;

typedef struct
{
  guint   swarms;
  guint   peers;
  guint   seeders;
  guint   leechers;
} TsrSwarmsStats;

typedef struct _TsrSwarms TsrSwarms;

/* @max_swarms: 0 for no cap; at the cap a new info hash evicts the
 * emptiest of a few sampled swarms. @peer_timeout: seconds after which a
 * silent peer is dropped (about twice the announce interval). */
TsrSwarms       *tsr_swarms_new           (guint                  max_swarms,
                                           guint                  peer_timeout);
void             tsr_swarms_free          (TsrSwarms             *self);

/* Changes the cap (0: none); swarms over a lower cap are evicted now,
 * the emptiest first. */
void             tsr_swarms_set_max_swarms (TsrSwarms            *self,
                                            guint                 max_swarms);

/* @hashes: @n_hashes info hashes of 20 bytes each, back to back (copied);
 * NULL removes the whitelist. Swarms not on a new list are dropped. */
void             tsr_swarms_set_whitelist (TsrSwarms             *self,
                                           const guint8          *hashes,
                                           gsize                  n_hashes);

/* Records @peer's announce (keyed by address and port; the peer id is not
 * kept) and appends up to @numwant other peers to @out_peers (element-type
 * TsrPeerAddress, IPv4 and IPv6 alike: the caller splits them), never
 * the requester and no seeders to a seeder. `stopped` removes the peer and
 * returns none; `completed` counts once per peer, and so does a
 * peer last seen leeching that now reports nothing left (with `stopped`
 * too: some clients never send `completed`). @complete and
 * @incomplete (nullable) receive the swarm's seeders and leechers after
 * the update. @now: seconds on the clock given to tsr_swarms_expire(); a
 * wall clock when the state is saved across restarts. */
TsrSwarmsResult  tsr_swarms_announce      (TsrSwarms             *self,
                                           const guint8          *info_hash,
                                           const TsrPeerAddress  *peer,
                                           guint64                left,
                                           TsrAnnounceEvent       event,
                                           guint                  numwant,
                                           guint32                now,
                                           GArray                *out_peers,
                                           guint                 *complete,
                                           guint                 *incomplete);

/* BEP 48: FALSE (and nothing set) when the swarm is unknown. */
gboolean         tsr_swarms_scrape        (TsrSwarms             *self,
                                           const guint8          *info_hash,
                                           guint                 *complete,
                                           guint                 *incomplete,
                                           guint                 *downloaded);

/* Drops peers silent for the timeout and swarms left without peers
 * (whitelisted swarms stay, with their downloaded count). Bounded work:
 * each call walks swarms round-robin until about TSR_SWARMS_EXPIRE_BUDGET
 * peer records were looked at, so it may run every few seconds. Returns
 * the number of peers dropped. */
#define TSR_SWARMS_EXPIRE_BUDGET 8192
guint            tsr_swarms_expire        (TsrSwarms             *self,
                                           guint32                now);
/* One full round over every swarm, e.g. after loading a saved state. */
guint            tsr_swarms_expire_all    (TsrSwarms             *self,
                                           guint32                now);

/* O(1): running counters. */
void             tsr_swarms_get_stats     (TsrSwarms             *self,
                                           TsrSwarmsStats        *stats);
/* The bytes held by the store's own structures (records, tables and an
 * estimate of allocator headers). */
gsize            tsr_swarms_get_memory_size (TsrSwarms           *self);

/* A versioned binary image of every swarm (hash, downloaded count,
 * peers with address, port, seeder flag and last-seen), checksummed. */
GBytes          *tsr_swarms_serialize     (TsrSwarms             *self);
TsrSwarms       *tsr_swarms_deserialize   (GBytes                *bytes,
                                           guint                  max_swarms,
                                           guint                  peer_timeout,
                                           GError               **error);

/* A peer's flags, as an image keeps them. */
#define TSR_SWARMS_PEER_SEEDER    0x01
#define TSR_SWARMS_PEER_COMPLETED 0x02   /* counted in downloaded: not again */
#define TSR_SWARMS_PEER_FLAGS     (TSR_SWARMS_PEER_SEEDER | TSR_SWARMS_PEER_COMPLETED)

/* What tsr_swarms_foreach() calls: @swarm for each swarm, then @peer for
 * each of its peers. @address is 16 bytes (IPv4-mapped for IPv4), @flags
 * TSR_SWARMS_PEER_* bits. */
typedef struct
{
  void (*swarm) (const guint8 *info_hash,
                 guint32       downloaded,
                 guint32       n_peers,
                 gpointer      user_data);
  void (*peer)  (const guint8 *address,
                 guint16       port,
                 guint8        flags,
                 guint32       last_seen,
                 gpointer      user_data);
} TsrSwarmsVisitor;

/* Walks every swarm and peer, for an image. Nothing may change the store
 * meanwhile. */
void             tsr_swarms_foreach       (TsrSwarms              *self,
                                           const TsrSwarmsVisitor *visitor,
                                           gpointer                user_data);

/* Restoring an image, swarm by swarm, each followed by its peers. */
typedef struct _TsrSwarm TsrSwarm;

/* Sets *@swarm (transfer none) to a new swarm for @info_hash with
 * @downloaded completions and no peers, or to NULL at the cap (a
 * restored swarm evicts none). FALSE, nothing added, when the store
 * holds @info_hash already. */
gboolean         tsr_swarms_restore_swarm (TsrSwarms             *self,
                                           const guint8          *info_hash,
                                           guint32                downloaded,
                                           TsrSwarm             **swarm);
/* Adds a peer to @swarm as the image has it (@address: 16 bytes); its
 * last announce moves up to @last_seen. FALSE, nothing added, when
 * @swarm holds that address and port already. Counts as no announce's
 * work. */
gboolean         tsr_swarms_restore_peer  (TsrSwarms             *self,
                                           TsrSwarm              *swarm,
                                           const guint8          *address,
                                           guint16                port,
                                           guint8                 flags,
                                           guint32                last_seen);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrSwarms, tsr_swarms_free)

G_END_DECLS
