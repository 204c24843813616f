/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-web-seeds.h: one torrent's web seeds (BEP 19 url-list, BEP 17
 * httpseeds) and the HTTP session they share. Each idle seed is given a
 * piece: wanted, not had, not started by peers, the rarest first (a web
 * seed has every piece). The piece is reserved in the block map, so that
 * no peer is asked for its blocks, fetched whole by a TsrWebSeed and
 * handed to the owner to be hashed and written like any other. A seed
 * that fails backs off as TsrWebSeed says; one whose piece fails its hash
 * check is banned by its URL in the peer pool. Its downloads count
 * against the torrent's download limit. The set speaks to its owner only
 * through a table of functions.
 */
#pragma once

#include <glib.h>

#include "tsr-block-map.h"
#include "tsr-limiter.h"
#include "tsr-metainfo.h"
#include "tsr-peer-pool.h"
#include "tsr-piece-picker.h"

G_BEGIN_DECLS

typedef struct _TsrWebSeeds TsrWebSeeds;

/* A seed that sent a bad piece is banned this long, as a peer would be. */
#define TSR_WEB_SEEDS_BAN_SECONDS (60 * 60)

/* One seed, as the peers view shows it. */
typedef struct
{
  const char *url;        /* borrowed: as long as the set lives */
  gboolean    http_seed;  /* BEP 17; FALSE: BEP 19 */
  gboolean    fetching;   /* a piece is on its way */
  guint64     rate;       /* bytes a second, smoothed */
  guint64     received;   /* body bytes read from it, all of them */
} TsrWebSeedInfo;

/* How the set reports to its owner and asks it; all on the main context,
 * none after tsr_web_seeds_free(). The owner does not free the set from
 * inside one of them. */
typedef struct
{
  /* Whether the torrent downloads: a seed may start a piece then, when
   * the download limit has room too. */
  gboolean (*may_start) (gpointer    user_data);
  /* The seed at @url sent a piece that failed its hash check and is
   * banned now (in the pool, for TSR_WEB_SEEDS_BAN_SECONDS); @reason
   * says why, for a person. Not called when it was banned already. */
  void     (*banned)    (const char *url,
                         const char *reason,
                         gpointer    user_data);
  /* Piece @index came whole and is "writing" in the block map: @piece is
   * the owner's to hash and write (the download limit has counted it). */
  void     (*fetched)   (guint       index,
                         GBytes     *piece,
                         gpointer    user_data);
  /* Monotonic seconds; NULL: g_get_monotonic_time(). */
  gint64   (*now)       (gpointer    user_data);
  /* The download limiter a piece is charged to, and whose room a seed
   * waits for, now (borrowed; NULL: no limit); it may change, as the
   * torrent's own bucket is made at its first limit. NULL: none. */
  TsrLimiter *(*limiter) (gpointer  user_data);
} TsrWebSeedsFuncs;

/* The seeds @info lists; NULL when it lists none (most torrents: nothing
 * is kept). @blocks, @picker and @pool (the torrent's: URL bans) are
 * borrowed and outlive the set; the download limit is the one
 * @funcs->limiter names at each use. The seeds and their HTTP session
 * are made at the first tick. */
TsrWebSeeds *tsr_web_seeds_new         (TsrMetainfo            *info,
                                        TsrBlockMap            *blocks,
                                        TsrPiecePicker         *picker,
                                        TsrPeerPool            *pool,
                                        const TsrWebSeedsFuncs *funcs,
                                        gpointer                user_data);
/* The same with @urls (element-type utf8, copied) as the BEP 19 seeds in
 * place of @info's (the user's edited list); @info's BEP 17 seeds stay.
 * NULL when there is no seed at all. */
TsrWebSeeds *tsr_web_seeds_new_with_urls (TsrMetainfo          *info,
                                          GPtrArray            *urls,
                                          TsrBlockMap          *blocks,
                                          TsrPiecePicker       *picker,
                                          TsrPeerPool          *pool,
                                          const TsrWebSeedsFuncs *funcs,
                                          gpointer              user_data);
/* Fetches in flight are cancelled and land without a call; their pieces
 * leave the block map, free for the peers and other seeds. */
void         tsr_web_seeds_free        (TsrWebSeeds            *self);

/* Rates; then each idle seed, not backing off nor banned, is given a
 * piece while the owner allows and the block map has room. Also after a
 * piece landed, so that the seeds keep busy. @self may be NULL: none. */
void         tsr_web_seeds_tick        (TsrWebSeeds            *self);
/* Cancels the fetches in flight (the torrent stopped and cleared the
 * block map); the seeds keep their rates and back-off. */
void         tsr_web_seeds_stop        (TsrWebSeeds            *self);
/* Piece @index failed its hash check. TRUE when one of the seeds fetched
 * it: it alone sent it, so its URL is banned, and the piece leaves the
 * block map, to be started afresh by another seed or a peer (left there,
 * it would read as started, which no seed takes up). FALSE when peers
 * sent it: the block map and the smart ban are the owner's to tell.
 * Called before the block map hears of it. */
gboolean     tsr_web_seeds_hash_failed (TsrWebSeeds            *self,
                                        guint                   index);

/* Bytes a second from all the seeds. */
guint64      tsr_web_seeds_get_rate    (TsrWebSeeds            *self);
/* Seeds made so far (none before the first tick). */
guint        tsr_web_seeds_get_n_seeds (TsrWebSeeds            *self);
void         tsr_web_seeds_get_info    (TsrWebSeeds            *self,
                                        guint                   i,
                                        TsrWebSeedInfo         *info);

G_END_DECLS
