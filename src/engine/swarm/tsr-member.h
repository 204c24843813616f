/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-member.h: one connection of a swarm: its protocol state
 * (TsrPeerConn) and its records in the requester, the uploader and the
 * extension host, which all the members of a swarm share. A member
 * answers its connection's messages itself (blocks to the requester,
 * requests to the uploader, interest, the pipeline, the allowed-fast
 * offer); what concerns the whole swarm (the handshake checks, bans,
 * choking, a complete piece, a close) it reports to its owner through a
 * table of functions.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tsr-bitfield.h"
#include "tsr-budget.h"
#include "tsr-extensions.h"
#include "tsr-peer-conn.h"
#include "tsr-peer-info.h"
#include "tsr-peer-pool.h"
#include "tsr-piece-picker.h"
#include "tsr-requester.h"
#include "tsr-uploader.h"

G_BEGIN_DECLS

typedef struct _TsrMember TsrMember;

/* What the owner's state lets a swarm do. */
typedef enum
{
  TSR_SWARM_OFF,           /* stopped or checking */
  TSR_SWARM_FETCHING,      /* a magnet's metainfo */
  TSR_SWARM_DOWNLOADING,
  TSR_SWARM_SEEDING,
} TsrSwarmMode;

/* How members report to their owner, @user_data of
 * tsr_member_shared_init(); all on the main context, none from
 * tsr_member_free() or tsr_member_shared_clear(). */
typedef struct
{
  /* Its handshake came: whether it may go on (not ourselves, not a
   * peer already connected). */
  gboolean (*shaking)     (TsrMember              *member,
                           const TsrWireHandshake *theirs,
                           gpointer                user_data);
  /* Greeted: shaken hands from here on. */
  void     (*shaken)      (TsrMember              *member,
                           gpointer                user_data);
  /* A change for the log: "we-are-interested", "choked-us",
   * "snubbed-us" ... */
  void     (*state)       (TsrMember              *member,
                           const char             *change,
                           gpointer                user_data);
  /* One of the four BEP 3 flags, after the member acted on it. */
  void     (*flag)        (TsrMember              *member,
                           TsrPeerChange           change,
                           gpointer                user_data);
  /* @bytes of a block received, or sent (@uploaded). */
  void     (*moved)       (gsize                   bytes,
                           gboolean                uploaded,
                           gpointer                user_data);
  /* All blocks of piece @index are in. */
  void     (*complete)    (guint                   index,
                           gpointer                user_data);
  /* Whether uploads are paused (a limit is stopping the owner). */
  gboolean (*stopping)    (gpointer                user_data);
  /* Ban the member's address for @reason. */
  void     (*ban)         (TsrMember              *member,
                           const char             *reason,
                           gpointer                user_data);
  /* BEP 5 PORT: the peer's DHT node. */
  void     (*dht_node)    (const TsrPeerAddress   *node,
                           gpointer                user_data);
  /* Its transport closed (@reason NULL: by us): the owner frees it,
   * from here or later. */
  void     (*closed)      (TsrMember              *member,
                           const char             *reason,
                           gpointer                user_data);
  /* A read for an upload failed: the data is gone or unreadable. */
  void     (*read_failed) (const GError           *error,
                           gpointer                user_data);
  /* BEP 11: an address another peer told, with its TsrPexFlags. */
  void     (*learned)     (const TsrPeerAddress   *address,
                           guint8                  flags,
                           gpointer                user_data);
  /* BEP 10 "p": where an incoming peer accepts connections. */
  void     (*listening)   (const TsrPeerAddress   *address,
                           gpointer                user_data);
  /* A magnet's metainfo came whole, or @error says why it cannot. */
  void     (*metainfo)    (TsrMetainfo            *info,
                           const GError           *error,
                           gpointer                user_data);
} TsrMemberFuncs;

/* What the members of one swarm share: the swarm's, which keeps it up
 * to date; members only read it. */
typedef struct
{
  /* These three: (owned) (nullable) made together at first need, by
   * tsr_member_shared_make(): an idle swarm has none. */
  TsrRequester      *requester;   /* our requests to the members */
  TsrUploader       *uploader;    /* theirs to us, and the read-ahead */
  TsrExtensions     *extensions;  /* BEP 10 and BEP 52, and each member's */
  TsrPiecePicker    *picker;      /* (nullable) borrowed: NULL before the metainfo */
  const TsrBitfield *have;        /* (nullable) borrowed: our verified pieces */
  guint              n_pieces;
  gboolean           is_private;  /* BEP 27: no allowed-fast offer, no DHT port */
  const guint8      *info_hash;   /* borrowed, 20 bytes: for the allowed-fast set */
  TsrSwarmMode       mode;
  const TsrMemberFuncs *funcs;
  gpointer           user_data;
} TsrMemberShared;

/* Makes nothing: see tsr_member_shared_make(). */
void        tsr_member_shared_init  (TsrMemberShared       *shared,
                                     const TsrMemberFuncs  *funcs,
                                     gpointer               user_data);
/* Makes the requester, the uploader and the extension host unless they
 * exist: TRUE when made now (the owner then configures them). Before
 * the first member. */
gboolean    tsr_member_shared_make  (TsrMemberShared       *shared);
/* Frees them (if made); every member must be gone. Never calls back. */
void        tsr_member_shared_clear (TsrMemberShared       *shared);

/* Takes a reference to @peer; @budget (nullable): a connection is taken
 * from it until the member is freed. */
TsrMember  *tsr_member_new          (TsrMemberShared       *shared,
                                     TsrPeer               *peer,
                                     TsrBudget             *budget,
                                     guint16                dht_port);
/* Leaves the requester (its requests go back), the uploader and the
 * extension host, and closes the transport; never calls back. */
void        tsr_member_free         (TsrMember             *self);

TsrPeerConn *tsr_member_get_conn    (TsrMember             *self);
TsrPeer    *tsr_member_get_peer     (TsrMember             *self);
gboolean    tsr_member_is_snubbed   (TsrMember             *self);

/* After the handshake checks of an incoming connection, or its own. */
void        tsr_member_greet        (TsrMember             *self,
                                     const TsrWireHandshake *theirs);
/* Closes it from an idle, once: it may be inside its own callbacks. */
void        tsr_member_close_later  (TsrMember             *self,
                                     const char            *reason);
/* Gone: @pool hears how the dial went (an encrypted handshake closed
 * by the peer is tried again in plaintext when @encryption prefers
 * it), and a seed forgets where an incoming one listened. */
void        tsr_member_leave_pool   (TsrMember             *self,
                                     TsrPeerPool           *pool,
                                     TsrPeerEncryption      encryption);
/* Gives back every block it was asked for. */
void        tsr_member_release      (TsrMember             *self);
/* Whether it has a piece we want, looked for in every piece; sends
 * INTERESTED or NOT_INTERESTED when that changes, and fills. */
void        tsr_member_update_interest (TsrMember          *self);
/* Asks it for blocks, while downloading. */
void        tsr_member_fill         (TsrMember             *self);
/* A choker round changed our choke of it (already sent). */
void        tsr_member_choked       (TsrMember             *self,
                                     gboolean               choked);
/* Once a second: its rates, pipeline and snub, then a fill. */
void        tsr_member_tick         (TsrMember             *self,
                                     gint64                 now);

/* For the peers view: NULL before its handshake. @pool tells how we
 * learned of its address, when we dialled it. */
TsrPeerInfo *tsr_member_dup_info    (TsrMember             *self,
                                     TsrPeerPool           *pool,
                                     gint64                 now);
/* Its state, as an object of the debug JSON. */
void        tsr_member_dump_json    (TsrMember             *self,
                                     JsonBuilder           *builder,
                                     gint64                 now);

G_END_DECLS
