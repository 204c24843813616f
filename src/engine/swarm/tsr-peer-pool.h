/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-pool.h: the addresses a torrent knows of, with where each came
 * from, when it was last seen and tried, its failures and its back-off,
 * and the bans, each with a reason and an end.
 *
 * Pure bookkeeping with the time passed in (monotonic seconds, but the
 * µs of a failed dial), so that it can be tested without sockets or
 * clocks; the torrent dials what tsr_peer_pool_take gives.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_PEER_SOURCE_USER,      /* given by the user: dialled even when seeding */
  TSR_PEER_SOURCE_TRACKER,
  TSR_PEER_SOURCE_PEX,       /* BEP 11: another peer told us */
  TSR_PEER_SOURCE_LSD,       /* BEP 14: seen on the local network */
  TSR_PEER_SOURCE_INCOMING,  /* it connected to us and told its port (BEP 10 "p") */
  TSR_PEER_SOURCE_WEB_SEED,  /* not a peer: an HTTP server (BEP 19, 17); never in the pool */
  TSR_PEER_SOURCE_DHT,       /* BEP 5: found by a DHT lookup */
} TsrPeerSource;

typedef struct
{
  char   *address;           /* for people: "host:port", a host alone, or a web seed's URL */
  char   *reason;
  gint64  until;             /* monotonic seconds */
} TsrPeerBan;

void tsr_peer_ban_free (TsrPeerBan *ban);

typedef struct _TsrPeerPool TsrPeerPool;

/* First retry after a failed dial, in seconds; each further failure
 * doubles it, up to TSR_PEER_POOL_MAX_BACKOFF. */
#define TSR_PEER_POOL_BACKOFF      15
#define TSR_PEER_POOL_MAX_BACKOFF  (60 * 60)
/* An address the user gave is one they expect to come up soon (a seed
 * they are starting): it is tried again sooner, and never left for long. */
#define TSR_PEER_POOL_USER_BACKOFF      2
#define TSR_PEER_POOL_USER_MAX_BACKOFF  60
/* Seconds between two dials of one address past its back-off
 * (tsr_peer_pool_take_address): as often as we ask a rendezvous for one
 * target (TSR_EXT_HOLEPUNCH_TARGET_GAP). */
#define TSR_PEER_POOL_PUNCH_GAP    60
/* Wait before dialling again an address whose connection ended. */
#define TSR_PEER_POOL_REDIAL       60

/* Keeps at most @capacity addresses (and any number the user gave); past
 * it, the least promising tracker address that has failed makes room. */
TsrPeerPool          *tsr_peer_pool_new             (guint                 capacity);
void                  tsr_peer_pool_free            (TsrPeerPool          *self);

/* Learns @address (or refreshes its last-seen time). TRUE when it was
 * new; FALSE when known, banned, or the pool is full of better ones. */
gboolean              tsr_peer_pool_add             (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     TsrPeerSource         source,
                                                     gint64                now);
guint                 tsr_peer_pool_get_size        (TsrPeerPool          *self);
/* Keeps at most @capacity addresses from now on, besides the user's;
 * when it is lower than the pool's size, the least promising idle
 * addresses go at once, tried or not. */
void                  tsr_peer_pool_set_capacity    (TsrPeerPool          *self,
                                                     guint                 capacity);
/* Drops @address unless the user gave it or it is being dialled or
 * connected. TRUE when it went. */
gboolean              tsr_peer_pool_forget          (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address);
/* How @address was learned; FALSE when it is not in the pool. */
gboolean              tsr_peer_pool_get_source      (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     TsrPeerSource        *source);
/* A name for @source, for people (translated). */
const char           *tsr_peer_source_to_string     (TsrPeerSource         source);

/* The most promising address that may be dialled at @now (given by the
 * user first, then fewest failures, then never tried, then tried
 * longest ago), marked as being dialled; NULL when none is ready. With
 * @user_only, only addresses the user gave. Owned by the pool. */
const TsrPeerAddress *tsr_peer_pool_take            (TsrPeerPool          *self,
                                                     gint64                now,
                                                     gboolean              user_only);
/* Marks @address as being dialled now, even during its back-off; FALSE
 * when it is not in the pool, is banned, is being dialled or connected
 * already, or was taken past its back-off less than
 * TSR_PEER_POOL_PUNCH_GAP seconds ago. For BEP 55 alone: a relay's
 * connect says the other side dials us now, and the hole opens only if
 * both dial at once; the address is backing off because its NAT let
 * our earlier dials die, which is what the punch is for. */
gboolean              tsr_peer_pool_take_address    (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
/* Addresses that tsr_peer_pool_take could give at @now. */
guint                 tsr_peer_pool_count_ready     (TsrPeerPool          *self,
                                                     gint64                now,
                                                     gboolean              user_only);
guint                 tsr_peer_pool_get_n_dialing   (TsrPeerPool          *self);

/* The dial of @address (or the connection before its handshake) failed
 * during second @now: it waits TSR_PEER_POOL_BACKOFF × 2^(failures - 1)
 * seconds from the end of that second, so never less than the back-off
 * whatever the fraction of a second it failed at. Returns the monotonic
 * time (seconds) of the next attempt. */
gint64                tsr_peer_pool_failed          (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
/* @address closed an encrypted (MSE) handshake: it is dialled again at
 * once, in plaintext from now on (no failure counted). */
void                  tsr_peer_pool_retry_plaintext (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
gboolean              tsr_peer_pool_get_plaintext   (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address);
/* The handshake with @address succeeded (dialled or not): not dialled
 * while connected, failures forgotten. */
void                  tsr_peer_pool_connected       (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
/* A connection to @address that had shaken hands ended. */
void                  tsr_peer_pool_closed          (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
/* Dialling @address reached ourselves (a tracker gave our own address):
 * it is dropped and never taken again. */
void                  tsr_peer_pool_mark_self       (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address);
/* Every connection dropped at once (the torrent stopped). */
void                  tsr_peer_pool_reset           (TsrPeerPool          *self);

/* Bans @address until @now + @seconds: it is never given by take, and
 * tsr_peer_pool_get_ban tells the reason until then. An address with
 * port 0 stands for its host: only a lookup of that host finds it (the
 * torrent asks for the hosts of peers that dialled us). */
void                  tsr_peer_pool_ban             (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     const char           *reason,
                                                     gint64                now,
                                                     gint64                seconds);
/* The reason @address is banned at @now, or NULL; drops expired bans. */
const char           *tsr_peer_pool_get_ban         (TsrPeerPool          *self,
                                                     const TsrPeerAddress *address,
                                                     gint64                now);
/* The same for a web seed (BEP 19, 17), by its URL. */
void                  tsr_peer_pool_ban_url         (TsrPeerPool          *self,
                                                     const char           *url,
                                                     const char           *reason,
                                                     gint64                now,
                                                     gint64                seconds);
const char           *tsr_peer_pool_get_url_ban     (TsrPeerPool          *self,
                                                     const char           *url,
                                                     gint64                now);
/* Lifts every ban. */
void                  tsr_peer_pool_clear_bans      (TsrPeerPool          *self);
/* The bans in force at @now (addresses and URLs), oldest end first. */
GPtrArray            *tsr_peer_pool_dup_bans        (TsrPeerPool          *self,
                                                     gint64                now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrPeerPool, tsr_peer_pool_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrPeerBan, tsr_peer_ban_free)

G_END_DECLS
