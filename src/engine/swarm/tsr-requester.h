/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-requester.h: one torrent's downloads from its peers. It owns every
 * request in flight: each connection keeps 16 KiB requests out for two
 * seconds of its rate; pieces already started are finished before new
 * ones are begun (a piece the peer suggests, else the rarest); choked,
 * a BEP 6 peer is still asked for its allowed-fast pieces; in the end
 * game the last blocks are asked of two peers and the first copy cancels
 * the other; a peer that sends nothing for a minute is snubbed down to
 * one request. It works on the torrent's TsrBlockMap (pieces in
 * progress) and TsrPiecePicker (what to start), knows a connection only
 * as an opaque pointer, and speaks to its owner only through a table of
 * functions.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-block-map.h"
#include "tsr-peer-address.h"
#include "tsr-piece-picker.h"
#include "tsr-smart-ban.h"

G_BEGIN_DECLS

/* Blocks in flight per connection: at least TSR_REQUESTER_PIPELINE, and
 * enough for TSR_REQUESTER_PIPELINE_SECONDS of its measured rate, up to
 * TSR_REQUESTER_PIPELINE_MAX (BEP 10's default reqq for libtorrent)... */
#define TSR_REQUESTER_PIPELINE 32
#define TSR_REQUESTER_PIPELINE_SECONDS 2
#define TSR_REQUESTER_PIPELINE_MAX 250
/* ...or up to the queue it told (BEP 10 reqq), at most this. */
#define TSR_REQUESTER_PIPELINE_TOLD 1000
/* Rejects in a row, while it unchokes us, of pieces it claims: its
 * bitfield lied. */
#define TSR_REQUESTER_MAX_REFUSALS 128
/* BEP 6: the most of its allowed-fast pieces and suggestions kept. */
#define TSR_REQUESTER_MAX_THEIR_FAST 64
#define TSR_REQUESTER_MAX_SUGGESTED 16
/* End game: connections asked for the same block at most. */
#define TSR_REQUESTER_ENDGAME_COPIES 2
/* Unchoked us, was asked, and sent nothing for this long: snubbed. */
#define TSR_REQUESTER_SNUB_SECONDS 60

typedef struct _TsrRequester TsrRequester;
/* One connection's requests: from tsr_requester_add_peer() until
 * tsr_requester_remove_peer(). */
typedef struct _TsrRequesterPeer TsrRequesterPeer;

/* How the requester sends and asks about a connection (@conn, as given
 * to tsr_requester_add_peer()); all on the main context, and none once
 * the connection was removed. */
typedef struct
{
  /* BEP 3 request and cancel. */
  void               (*send_request) (gpointer  conn,
                                      guint32   index,
                                      guint32   begin,
                                      guint32   length,
                                      gpointer  user_data);
  void               (*send_cancel)  (gpointer  conn,
                                      guint32   index,
                                      guint32   begin,
                                      guint32   length,
                                      gpointer  user_data);
  /* Its current facts: the pieces it has (NULL: not known), it chokes
   * us, we are interested in it, it speaks BEP 6, its address. */
  const TsrBitfield *(*have)         (gpointer  conn,
                                      gpointer  user_data);
  gboolean           (*choking)      (gpointer  conn,
                                      gpointer  user_data);
  gboolean           (*interested)   (gpointer  conn,
                                      gpointer  user_data);
  gboolean           (*fast)         (gpointer  conn,
                                      gpointer  user_data);
  const TsrPeerAddress *(*address)   (gpointer  conn,
                                      gpointer  user_data);
  /* Piece @index is ours (verified): never started. */
  gboolean           (*we_have)      (guint     index,
                                      gpointer  user_data);
  /* It unchoked us, was asked, and sent nothing for
   * TSR_REQUESTER_SNUB_SECONDS; called before its requests are given
   * back. */
  void               (*snubbed)      (gpointer  conn,
                                      gpointer  user_data);
} TsrRequesterFuncs;

TsrRequester     *tsr_requester_new        (const TsrRequesterFuncs *funcs,
                                            gpointer                 user_data);
void              tsr_requester_free       (TsrRequester            *self);
/* The pieces (borrowed; they outlive the requester or are set again):
 * given once the metainfo is known, before any connection is filled. */
void              tsr_requester_set_pieces (TsrRequester            *self,
                                            TsrBlockMap             *blocks,
                                            TsrPiecePicker          *picker,
                                            TsrSmartBan             *smart_ban,
                                            guint                    n_pieces);
/* Pieces come in order: suggestions and allowed-fast pieces (which are
 * anywhere) are not asked for. */
void              tsr_requester_set_sequential (TsrRequester        *self,
                                            gboolean                 sequential);
gboolean          tsr_requester_get_sequential (TsrRequester        *self);

/* @now: monotonic seconds, its "last block" until one comes. */
TsrRequesterPeer *tsr_requester_add_peer   (TsrRequester            *self,
                                            gpointer                 conn,
                                            gint64                   now);
/* Its requests are given back (the blocks are free for others). */
void              tsr_requester_remove_peer (TsrRequester           *self,
                                            TsrRequesterPeer        *peer);

/* Asks it for blocks while its pipeline has room, if we are interested:
 * unchoked, pieces started first, then a new one, then the end game;
 * choked, its allowed-fast pieces (BEP 6). The owner calls it only while
 * downloading. */
void              tsr_requester_fill       (TsrRequester            *self,
                                            TsrRequesterPeer        *peer);
/* Gives back every block it was asked for (it choked us, or left). */
void              tsr_requester_release    (TsrRequester            *self,
                                            TsrRequesterPeer        *peer);
/* It unchoked us (it was choking): the snub clock starts at @now. */
void              tsr_requester_unchoked   (TsrRequester            *self,
                                            TsrRequesterPeer        *peer,
                                            gint64                   now);
/* A block came. Unasked, duplicate or misaligned blocks are dropped
 * (TSR_BLOCK_DROPPED); otherwise it is stored in the block map, the
 * copies asked of other connections are cancelled and the smart ban
 * hears who sent it. TSR_BLOCK_COMPLETED: take the piece. */
TsrBlockResult    tsr_requester_on_block   (TsrRequester            *self,
                                            TsrRequesterPeer        *peer,
                                            guint32                  index,
                                            guint32                  begin,
                                            const guint8            *data,
                                            gsize                    length,
                                            gint64                   now);
/* BEP 6: it refused a request; the block goes back (asked again at the
 * next fill, not at once). TRUE when it has refused, while unchoking us,
 * TSR_REQUESTER_MAX_REFUSALS requests in a row of pieces it claims. */
gboolean          tsr_requester_on_reject  (TsrRequester            *self,
                                            TsrRequesterPeer        *peer,
                                            guint32                  index,
                                            guint32                  begin);
/* BEP 6: a piece we may ask for while it chokes us. TRUE when it is new
 * (a BEP 6 connection, and room for it). */
gboolean          tsr_requester_on_allowed_fast (TsrRequester       *self,
                                            TsrRequesterPeer        *peer,
                                            guint32                  index);
/* BEP 6: a piece it has at hand, tried before the rarest; the newest
 * TSR_REQUESTER_MAX_SUGGESTED are kept. */
void              tsr_requester_on_suggest (TsrRequester            *self,
                                            TsrRequesterPeer        *peer,
                                            guint32                  index);
/* Once a second: @rate (bytes a second from it) sets its pipeline, and
 * a snub is noticed. The owner fills it after. */
void              tsr_requester_tick       (TsrRequester            *self,
                                            TsrRequesterPeer        *peer,
                                            guint64                  rate,
                                            gint64                   now);

/* BEP 10: the requests it queues (0: not told). */
void              tsr_requester_peer_set_reqq       (TsrRequesterPeer *peer,
                                                     guint             reqq);
guint             tsr_requester_peer_get_n_requests (TsrRequesterPeer *peer);
guint             tsr_requester_peer_get_pipeline   (TsrRequesterPeer *peer);
gboolean          tsr_requester_peer_is_snubbed     (TsrRequesterPeer *peer);
/* Monotonic seconds: its last block asked for, or its unchoke. */
gint64            tsr_requester_peer_get_last_block (TsrRequesterPeer *peer);
guint             tsr_requester_peer_get_refusals   (TsrRequesterPeer *peer);
/* Whether it was asked for the block of piece @index at @begin. */
gboolean          tsr_requester_peer_has_request    (TsrRequesterPeer *peer,
                                                     guint32           index,
                                                     guint32           begin);

G_END_DECLS
