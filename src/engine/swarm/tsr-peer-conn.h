/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-conn.h: one connection's BitTorrent protocol state, on top of
 * its TsrPeer (the transport). It is the only writer of the four BEP 3
 * flags and of what the peer has, whose availability it keeps counted
 * in the torrent's TsrPiecePicker; it measures the connection's rates.
 * Each message goes through a table of handlers, one per wire type, and
 * what the swarm must act on is reported through a table of functions.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-budget.h"
#include "tsr-peer-address.h"
#include "tsr-peer.h"
#include "tsr-piece-picker.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

typedef struct _TsrPeerConn TsrPeerConn;

/* What a message changed. For the four flags @index (of changed) is
 * TRUE when the flag flipped, FALSE for a repeated message; for
 * TSR_PEER_PIECES_CHANGED it is the message's TsrWireType (BITFIELD,
 * HAVE_ALL or HAVE_NONE); otherwise the piece. */
typedef enum
{
  TSR_PEER_CHOKED_US,
  TSR_PEER_UNCHOKED_US,
  TSR_PEER_INTERESTED_IN_US,
  TSR_PEER_NOT_INTERESTED_IN_US,
  TSR_PEER_HAS,                 /* HAVE */
  TSR_PEER_PIECES_CHANGED,      /* BITFIELD, HAVE_ALL, HAVE_NONE */
  TSR_PEER_ALLOWED_FAST,        /* BEP 6 */
  TSR_PEER_SUGGEST,             /* BEP 6 */
} TsrPeerChange;

/* How a connection reports to its owner (@member, as given to
 * tsr_peer_conn_new()); all on the main context. The owner may free the
 * connection only from closed, or later. */
typedef struct
{
  /* The remote handshake: the owner checks it, then calls
   * tsr_peer_conn_greet() (or closes the transport). */
  void (*handshake) (TsrPeerConn            *conn,
                     const TsrWireHandshake *theirs,
                     gpointer                member);
  /* The state changed: see TsrPeerChange for @index. */
  void (*changed)   (TsrPeerConn            *conn,
                     TsrPeerChange           change,
                     guint                   index,
                     gpointer                member);
  /* A PIECE message's block. */
  void (*block)     (TsrPeerConn            *conn,
                     const TsrWireMessage   *message,
                     gpointer                member);
  /* REQUEST or CANCEL (@message->type tells). */
  void (*request)   (TsrPeerConn            *conn,
                     const TsrWireMessage   *message,
                     gpointer                member);
  /* BEP 6 REJECT of a request of ours. */
  void (*reject)    (TsrPeerConn            *conn,
                     const TsrWireMessage   *message,
                     gpointer                member);
  /* EXTENDED (BEP 10) and BEP 52's HASH_REQUEST, HASHES, HASH_REJECT;
   * before the metainfo, every message. */
  void (*extension) (TsrPeerConn            *conn,
                     const TsrWireMessage   *message,
                     gpointer                member);
  /* BEP 5 PORT, only while a DHT port is set: the peer's node. */
  void (*dht_node)  (TsrPeerConn            *conn,
                     const TsrPeerAddress   *node,
                     gpointer                member);
  /* A write completed: there is room for more blocks. */
  void (*drained)   (TsrPeerConn            *conn,
                     gpointer                member);
  /* The transport closed (@reason NULL: closed by us). */
  void (*closed)    (TsrPeerConn            *conn,
                     const char             *reason,
                     gpointer                member);
} TsrPeerConnFuncs;

/* Takes a reference to @peer. @picker (nullable: a magnet's connection
 * before the metainfo, whose pieces mean nothing) counts the pieces of
 * @n_pieces the peer has. @connections (nullable): one is taken until
 * the connection is freed. */
TsrPeerConn        *tsr_peer_conn_new              (TsrPeer                *peer,
                                                    TsrPiecePicker         *picker,
                                                    guint                   n_pieces,
                                                    TsrBudget              *connections,
                                                    const TsrPeerConnFuncs *funcs,
                                                    gpointer                member);
/* Takes its pieces out of the picker's count, gives back the connection
 * and closes the transport, without calling back. */
void                tsr_peer_conn_free             (TsrPeerConn            *self);

/* BEP 5: our node's port (0: none, or a private torrent): PORT messages
 * are heard, and sent after a handshake offering DHT, only while set. */
void                tsr_peer_conn_set_dht_port     (TsrPeerConn            *self,
                                                    guint16                 port);
/* After the handshake checks: marks it shaken and tells the peer what we
 * have (@have NULL: no metainfo yet), BEP 6 peers by HAVE_ALL/HAVE_NONE,
 * and our DHT port if @theirs offers DHT. */
void                tsr_peer_conn_greet            (TsrPeerConn            *self,
                                                    const TsrWireHandshake *theirs,
                                                    const TsrBitfield      *have);
/* Sends INTERESTED or NOT_INTERESTED when it changes our interest;
 * returns whether it did. */
gboolean            tsr_peer_conn_set_interested   (TsrPeerConn            *self,
                                                    gboolean                interested);
/* Sends CHOKE or UNCHOKE when it changes; returns whether it did. */
gboolean            tsr_peer_conn_set_choking      (TsrPeerConn            *self,
                                                    gboolean                choking);
/* HAVE, REQUEST, CANCEL, REJECT, ALLOWED_FAST, SUGGEST: what applies of
 * @index, @begin and @length. */
void                tsr_peer_conn_send             (TsrPeerConn            *self,
                                                    TsrWireType             type,
                                                    guint32                 index,
                                                    guint32                 begin,
                                                    guint32                 length);
/* Closes the transport from an idle, once: callers are often inside the
 * connection's own callbacks. Returns FALSE when a close was already
 * scheduled. */
gboolean            tsr_peer_conn_close_later      (TsrPeerConn            *self,
                                                    const char             *reason);
/* Once a second: the rates, halved toward the last second's bytes. */
void                tsr_peer_conn_tick             (TsrPeerConn            *self);

/* BEP 10: its client's name ("v"). */
void                tsr_peer_conn_set_client       (TsrPeerConn            *self,
                                                    const char             *client);
/* We dialled it (the pool hears how it went). */
void                tsr_peer_conn_set_dialed       (TsrPeerConn            *self,
                                                    gboolean                dialed);

TsrPeer            *tsr_peer_conn_get_peer         (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_am_choking    (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_am_interested (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_peer_choking  (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_peer_interested (TsrPeerConn          *self);
/* (nullable) what it has; NULL before the metainfo. */
const TsrBitfield  *tsr_peer_conn_get_have         (TsrPeerConn            *self);
gboolean            tsr_peer_conn_has              (TsrPeerConn            *self,
                                                    guint                   index);
gboolean            tsr_peer_conn_is_dialed        (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_shaken        (TsrPeerConn            *self);
gboolean            tsr_peer_conn_is_dropping      (TsrPeerConn            *self);
/* (nullable) */
const char         *tsr_peer_conn_get_client       (TsrPeerConn            *self);
/* Monotonic seconds. */
gint64              tsr_peer_conn_get_connected_at (TsrPeerConn            *self);
/* Bytes a second, smoothed. */
guint64             tsr_peer_conn_get_rate         (TsrPeerConn            *self);
guint64             tsr_peer_conn_get_up_rate      (TsrPeerConn            *self);

G_END_DECLS
