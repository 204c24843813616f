/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-smart-ban.h: who answers for a piece that fails its hash check.
 * Remembers which peers sent blocks of each piece in progress, gives
 * strikes, names culprits, and asks its owner to ban them.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* Strikes that ban a peer that only ever shared failed pieces. */
#define TSR_SMART_BAN_STRIKES 8

typedef struct _TsrSmartBan TsrSmartBan;

typedef struct
{
  /* Ban @address; @reason is translated ("sent piece 3, which failed its
   * hash check"). May be called again for an address already banned. */
  void (*ban) (const TsrPeerAddress *address,
               const char           *reason,
               gpointer              user_data);
} TsrSmartBanFuncs;

TsrSmartBan *tsr_smart_ban_new          (const TsrSmartBanFuncs *funcs,
                                         gpointer                user_data);
void         tsr_smart_ban_free         (TsrSmartBan            *self);

/* @address sent a block of piece @index. */
void         tsr_smart_ban_sent         (TsrSmartBan            *self,
                                         guint                   index,
                                         const TsrPeerAddress   *address);
/* Piece @index failed its hash check. One sender is banned at once. With
 * several nobody can be blamed yet: each gets a strike (TSR_SMART_BAN_STRIKES
 * ban), and the piece becomes exclusive: fetched again from one peer
 * alone, so that a second failure names the culprit and an honest peer
 * is never banned for sharing a piece with a liar. */
void         tsr_smart_ban_failed       (TsrSmartBan            *self,
                                         guint                   index);
/* Piece @index passed: each sender loses a strike (an honest peer works
 * its strikes off), and senders of an earlier failed copy that sent
 * nothing of this one are the culprits: one alone is banned, several get
 * a strike each. The piece's record goes. */
void         tsr_smart_ban_passed       (TsrSmartBan            *self,
                                         guint                   index);
/* Whether @address may ask for blocks of piece @index: any peer unless
 * the piece is exclusive and another peer took it. */
gboolean     tsr_smart_ban_may_ask      (TsrSmartBan            *self,
                                         guint                   index,
                                         const TsrPeerAddress   *address);
/* @address starts asking for piece @index: an exclusive piece is its
 * alone from now on. */
void         tsr_smart_ban_claim        (TsrSmartBan            *self,
                                         guint                   index,
                                         const TsrPeerAddress   *address);
/* The one peer an exclusive piece is fetched from now, if any. */
gboolean     tsr_smart_ban_get_owner    (TsrSmartBan            *self,
                                         guint                   index,
                                         TsrPeerAddress         *owner);
/* @address left: exclusive pieces it had go to whoever asks next. */
void         tsr_smart_ban_release      (TsrSmartBan            *self,
                                         const TsrPeerAddress   *address);
/* The pieces in progress are dropped (the torrent stopped): their
 * records go; strikes stay. */
void         tsr_smart_ban_forget_pieces (TsrSmartBan           *self);
/* Bans were lifted: strikes go too. */
void         tsr_smart_ban_clear_strikes (TsrSmartBan           *self);
guint        tsr_smart_ban_get_strikes  (TsrSmartBan            *self,
                                         const TsrPeerAddress   *address);

G_END_DECLS
