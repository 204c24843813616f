/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm.h: one torrent's set of connections. The swarm makes, owns
 * and frees each connection's member (swarm/tsr-member.h) and what the
 * members share (the requester, the uploader, the extension host); it
 * holds the pool of addresses and bans, the choker, the connection
 * limits and the session's connection budget. It decides who may come
 * in, who is over a limit, who makes room for another peer, which
 * handshakes are refused (ourselves, a peer already connected) and who a
 * choker round unchokes, greets peers and runs their per-second work; it
 * reports to its owner only through a table of functions, and never sees
 * the torrent.
 */
#pragma once

#include <glib.h>

#include <json-glib/json-glib.h>

#include "tsr-block-map.h"
#include "tsr-budget.h"
#include "tsr-limiter.h"
#include "tsr-member.h"
#include "tsr-peer-address.h"
#include "tsr-peer-conn.h"
#include "tsr-peer-pool.h"
#include "tsr-smart-ban.h"
#include "tsr-swarm-limits.h"
#include "tsr-swarm-parts.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

typedef struct _TsrSwarm TsrSwarm;

/* How long a ban lasts, in seconds. */
#define TSR_SWARM_BAN_SECONDS (60 * 60)
/* Seconds a read for uploads stays cached unasked. */
#define TSR_SWARM_READ_CACHE_IDLE 20
/* Below this many connections, an empty pool wants more addresses. */
#define TSR_SWARM_FEW_PEERS 5

/* What happened to a connection, for the owner's signals and log. */
typedef enum
{
  TSR_SWARM_CONNECTED,   /* shaken hands */
  TSR_SWARM_GONE,        /* closed: @detail is why (NULL: by us) */
  TSR_SWARM_DIALING,     /* being set up */
  TSR_SWARM_STATE,       /* @detail: "choked-us", "we-unchoke" ... */
} TsrSwarmEvent;

/* How the swarm reports to its owner and asks it; all on the main
 * context, none from tsr_swarm_free() or tsr_swarm_clear(). */
typedef struct
{
  void         (*event)       (TsrSwarmEvent         event,
                               const char           *address,
                               const char           *detail,
                               gpointer              user_data);
  /* @key was banned for @reason; its connection, if any, closes next. */
  void         (*banned)      (const TsrPeerAddress *key,
                               const char           *reason,
                               gpointer              user_data);
  /* Dial @address with @encryption (the swarm's, or off for an address
   * that closed our MSE handshake): the owner makes the transport and
   * gives it to tsr_swarm_dial_peer() before returning. */
  void         (*dial)        (const TsrPeerAddress *address,
                               TsrPeerEncryption     encryption,
                               gpointer              user_data);
  /* @bytes of a block received from a peer, or sent (@uploaded). */
  void         (*moved)       (gsize                 bytes,
                               gboolean              uploaded,
                               gpointer              user_data);
  /* Every block of piece @index is in: @piece is all of it. */
  void         (*complete)    (guint                 index,
                               GBytes               *piece,
                               gpointer              user_data);
  /* Whether uploads are paused: a limit is stopping the owner. */
  gboolean     (*stopping)    (gpointer              user_data);
  /* BEP 5 PORT: a peer's DHT node. */
  void         (*dht_node)    (const TsrPeerAddress *node,
                               gpointer              user_data);
  /* A read for an upload failed: the data is gone or unreadable. */
  void         (*read_failed) (const GError         *error,
                               gpointer              user_data);
  /* A magnet's metainfo came whole (BEP 9, BEP 52), or @error says why
   * it cannot. The fetch's connections are closed by then, and when it
   * came their addresses may be dialled again. */
  void         (*metainfo)    (TsrMetainfo          *info,
                               const GError         *error,
                               gpointer              user_data);
  /* (nullable) Asked when a member comes while the metainfo is known and
   * tsr_swarm_set_pieces() gave no block map: the owner's, made now (an
   * idle torrent makes neither). */
  void         (*pieces)      (TsrBlockMap         **blocks,
                               TsrSmartBan         **smart_ban,
                               gpointer              user_data);
} TsrSwarmFuncs;

TsrSwarm     *tsr_swarm_new               (guint                 pool_size,
                                           guint                 max_peers,
                                           guint                 turnover,
                                           const TsrSwarmFuncs  *funcs,
                                           gpointer              user_data);
/* Frees the members, without calling back. */
void          tsr_swarm_free              (TsrSwarm             *self);

/* (nullable) What the members share, made with the first member (or a
 * magnet's fetch): NULL while the swarm is idle. The owner configures
 * them through tsr_swarm_get_parts(), which keeps what it is told until
 * they exist; they report here. */
TsrRequester *tsr_swarm_get_requester     (TsrSwarm             *self);
TsrUploader  *tsr_swarm_get_uploader      (TsrSwarm             *self);
TsrExtensions *tsr_swarm_get_extensions   (TsrSwarm             *self);

/* Our peer id and the info hash peers know the torrent by (borrowed,
 * 20 bytes each: they outlive the swarm). */
void          tsr_swarm_set_identity      (TsrSwarm             *self,
                                           const guint8         *peer_id,
                                           const guint8         *info_hash);
const guint8 *tsr_swarm_get_peer_id       (TsrSwarm             *self);
/* The settings of those parts (storage, sequential, read cache group,
 * listen port) and the extensions (a magnet's fetch makes them). */
TsrSwarmParts *tsr_swarm_get_parts        (TsrSwarm             *self);
/* Once the metainfo is known (borrowed: it outlives the swarm): what
 * ut_metadata serves, whether PEX may run (BEP 27), and the piece limits
 * each new transport is held to. */
void          tsr_swarm_set_metainfo      (TsrSwarm             *self,
                                           TsrMetainfo          *info);
/* Limits on connections and rates (swarm/tsr-swarm-limits.h): the
 * members are charged to what it gives; lowering a connection limit is
 * tsr_swarm_set_max_*(), which closes the newest over it. */
TsrSwarmLimits *tsr_swarm_get_limits      (TsrSwarm             *self);
/* (nullable) What a member is charged to: the own limiter or the parent. */
TsrLimiter   *tsr_swarm_get_limiter       (TsrSwarm             *self,
                                           gboolean              up);
/* Our verified pieces (borrowed; set again when the owner replaces it). */
void          tsr_swarm_set_have          (TsrSwarm             *self,
                                           const TsrBitfield    *have);
const TsrBitfield *tsr_swarm_get_have     (TsrSwarm             *self);
/* Once the metainfo is known, before any member is greeted with it
 * (borrowed; they outlive the swarm's members). @blocks and @smart_ban
 * may be NULL: TsrSwarmFuncs.pieces gives them with the first member. */
void          tsr_swarm_set_pieces        (TsrSwarm             *self,
                                           TsrBlockMap          *blocks,
                                           TsrPiecePicker       *picker,
                                           TsrSmartBan          *smart_ban,
                                           guint                 n_pieces,
                                           gboolean              is_private);
/* What the owner's state lets it do: dial (fetching, downloading,
 * seeding; a seed dials only the addresses the user gave, leechers come
 * to it), request (downloading), choke rounds (downloading, seeding, on
 * the swarm's own timer). Going off forgets the choker's history. */
void          tsr_swarm_set_mode          (TsrSwarm             *self,
                                           TsrSwarmMode          mode);
TsrSwarmMode  tsr_swarm_get_mode          (TsrSwarm             *self);
/* BEP 5: our DHT node's port (0: none); never told for a private torrent. */
void          tsr_swarm_set_dht_port      (TsrSwarm             *self,
                                           guint16               port);
/* For the peers we dial: an encrypted handshake closed by the peer is
 * tried again in plaintext only when encryption is preferred. */
void          tsr_swarm_set_encryption    (TsrSwarm             *self,
                                           TsrPeerEncryption     encryption);

/* The pool of addresses, made by the first call: readers that may do
 * without one (an idle torrent never given an address) peek. */
TsrPeerPool  *tsr_swarm_get_pool          (TsrSwarm             *self);
TsrPeerPool  *tsr_swarm_peek_pool         (TsrSwarm             *self);
/* Kept until the pool is made. */
void          tsr_swarm_set_pool_capacity (TsrSwarm             *self,
                                           guint                 capacity);

/* Members. */
/* Makes @peer's member (taking a reference), dialled by us if @dialed;
 * its transport is not started. */
TsrMember    *tsr_swarm_add_peer          (TsrSwarm             *self,
                                           TsrPeer              *peer,
                                           gboolean              dialed);
/* A transport the owner made for TsrSwarmFuncs.dial: its member, marked
 * dialled, then our handshake. */
void          tsr_swarm_dial_peer         (TsrSwarm             *self,
                                           TsrPeer              *peer);
/* An incoming connection whose handshake (for @info_hash) was read:
 * refused (banned, over a limit) or answered and greeted. */
void          tsr_swarm_add_incoming      (TsrSwarm             *self,
                                           TsrPeer              *peer,
                                           const guint8         *info_hash,
                                           gint64                now);
/* Frees every member, without calling back. */
void          tsr_swarm_clear             (TsrSwarm             *self);
guint         tsr_swarm_get_n_peers       (TsrSwarm             *self);
TsrMember    *tsr_swarm_get_member        (TsrSwarm             *self,
                                           guint                 i);
/* The member connected to @address, or NULL. */
TsrMember    *tsr_swarm_find              (TsrSwarm             *self,
                                           const TsrPeerAddress *address);
/* Closes the connection to @address (the user asked); FALSE: none. */
gboolean      tsr_swarm_disconnect        (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           const char           *reason);

/* What the members do together. */
/* Once a second: rates, pipelines and snubs, the extensions' timers. */
void          tsr_swarm_tick              (TsrSwarm             *self,
                                           gint64                now);
/* The owner's second while running: reads cached for uploads and not
 * asked for TSR_SWARM_READ_CACHE_IDLE s dropped, tsr_swarm_tick(),
 * turnover, dialling what became ready. TRUE when the pool has run dry
 * with fewer than TSR_SWARM_FEW_PEERS connections: time to ask for more
 * addresses. */
gboolean      tsr_swarm_second            (TsrSwarm             *self,
                                           gint64                now);
/* The owner stopped: every member goes (without calling back), the
 * pool's back-offs are forgotten and the read cache dropped. */
void          tsr_swarm_stop              (TsrSwarm             *self);
/* Fills every pipeline (a piece was written, or failed). */
void          tsr_swarm_fill_all          (TsrSwarm             *self);
/* Our wants changed: every member's interest is looked at again. */
void          tsr_swarm_update_interest   (TsrSwarm             *self);
/* BEP 3 HAVE to every member: we verified piece @index. */
void          tsr_swarm_send_have         (TsrSwarm             *self,
                                           guint                 index);

/* For the views. */
guint64       tsr_swarm_get_down_rate     (TsrSwarm             *self);
guint64       tsr_swarm_get_up_rate       (TsrSwarm             *self);
/* Appends a TsrPeerInfo for each member past its handshake. */
void          tsr_swarm_add_peer_infos    (TsrSwarm             *self,
                                           GPtrArray            *infos,
                                           gint64                now);
/* An array of the members' states, for the debug JSON. */
void          tsr_swarm_dump_json         (TsrSwarm             *self,
                                           JsonBuilder          *builder,
                                           gint64                now);

/* Limits. Lowering one closes the newest connections over it. */
void          tsr_swarm_set_max_peers     (TsrSwarm             *self,
                                           guint                 max_peers);
void          tsr_swarm_set_max_dialed    (TsrSwarm             *self,
                                           guint                 max_dialed);
void          tsr_swarm_set_max_accepted  (TsrSwarm             *self,
                                           guint                 max_accepted);
void          tsr_swarm_set_turnover      (TsrSwarm             *self,
                                           guint                 seconds);
guint         tsr_swarm_count_dialed      (TsrSwarm             *self,
                                           gboolean              dialed);
guint         tsr_swarm_count_unchoked    (TsrSwarm             *self);
/* Connections to peers that have every piece. */
guint         tsr_swarm_count_seeds       (TsrSwarm             *self);

/* Dials the pool's best addresses while there is room: at most
 * TSR_PEER_MAX_CONNECTING connections being set up in the process, and
 * the limits. */
void          tsr_swarm_dial_some         (TsrSwarm             *self,
                                           gint64                now);
/* Adds @address to the pool and dials what may be dialled. */
void          tsr_swarm_add_address       (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           TsrPeerSource         source,
                                           gint64                now);
/* Likewise for "host:port" from people or a magnet: a host name is
 * looked up first (net/tsr-peer-lookup), and forgotten if the swarm is
 * freed meanwhile. */
void          tsr_swarm_add_address_text  (TsrSwarm             *self,
                                           const char           *text,
                                           TsrPeerSource         source);

/* Whether one more connection may be dialled, @n_dialed being dialled. */
gboolean      tsr_swarm_may_dial          (TsrSwarm             *self,
                                           guint                 n_dialed);
/* Why @address is banned (as itself, or as a host that dialled us
 * from another port), or NULL. */
const char   *tsr_swarm_get_ban           (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           gint64                now);
/* Why an incoming connection from @address is refused (banned, over a
 * limit), or NULL: it may come in. */
const char   *tsr_swarm_refuse_incoming   (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           gint64                now);
/* Bans @address (its host if it dialled us) for @seconds and closes its
 * connection; nothing when already banned. */
void          tsr_swarm_ban               (TsrSwarm             *self,
                                           const TsrPeerAddress *address,
                                           const char           *reason,
                                           gint64                now,
                                           gint64                seconds);

/* When full with addresses ready, every turnover interval: closes the
 * least useful connection (by its rate, or its upload rate when
 * @seeding), shaken long enough to be judged and not unchoked by us. */
void          tsr_swarm_turn_over         (TsrSwarm             *self,
                                           gint64                now,
                                           gboolean              seeding);
/* A choker round: applies its decisions at once. */
void          tsr_swarm_choke_round       (TsrSwarm             *self,
                                           gboolean              seeding,
                                           gint64                now);
/* A choker round, while downloading or seeding (every TSR_CHOKER_ROUND
 * s then, and when a slot frees). */
void          tsr_swarm_run_choker        (TsrSwarm             *self,
                                           gint64                now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrSwarm, tsr_swarm_free)

G_END_DECLS
