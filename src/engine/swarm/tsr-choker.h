/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-choker.h: tit-for-tat, as the original did it. Every round (10 s)
 * the interested peers that give us most (when seeding: that we send to
 * fastest) are unchoked, and one more, chosen at random with new peers
 * favoured, is unchoked "optimistically" and kept for three rounds, so
 * that newcomers get a chance to show what they give. A seed rotates its
 * regular slots: a peer unchoked for three rounds while others wait goes
 * to the back of the queue.
 *
 * Pure decisions over a table the torrent fills in, with the time passed
 * in: no sockets, no clocks.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TSR_CHOKER_ROUND            10   /* seconds between rounds */
#define TSR_CHOKER_REGULAR_SLOTS     3
#define TSR_CHOKER_OPTIMISTIC_ROUNDS 3   /* 30 s per optimistic unchoke */
#define TSR_CHOKER_NEW_PEER         60   /* seconds a peer counts as new */

typedef struct
{
  gconstpointer id;            /* the peer: opaque, stable while connected */
  gboolean      interested;    /* in our pieces */
  gboolean      snubbed;       /* unchoked us and sent nothing for a minute */
  guint64       rate;          /* bytes a second: from it, or to it when seeding */
  gint64        connected_at;  /* monotonic seconds */
  gboolean      unchoke;       /* out: the decision */
  gboolean      optimistic;    /* out: unchoked as the optimistic one */
} TsrChokerPeer;

typedef struct _TsrChoker TsrChoker;

TsrChoker *tsr_choker_new   (void);
void       tsr_choker_free  (TsrChoker     *self);

/* Decides for each of @peers whether it is unchoked, at @now; @seeding
 * switches to the seed's ranking and rotation. Uninterested peers stay
 * choked. Call once a round, and between rounds when a slot frees. */
void       tsr_choker_run   (TsrChoker     *self,
                             TsrChokerPeer *peers,
                             guint          n_peers,
                             gboolean       seeding,
                             gint64         now);
/* Forgets a peer that left (its id may be reused). */
void       tsr_choker_forget (TsrChoker    *self,
                              gconstpointer id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrChoker, tsr_choker_free)

G_END_DECLS
