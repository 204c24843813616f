/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-queue.h: the session's torrents in queue order (Transmission's
 * queuePosition): each has a position, 0-based and dense, which decides
 * who starts first when the session limits how many download and how
 * many seed at once. The session owns one and forwards its public API
 * (tsr_session_*_queue_*); the torrents are borrowed from its list.
 */
#pragma once

#include "tsr-torrent.h"

G_BEGIN_DECLS

typedef struct _TsrQueue TsrQueue;

TsrQueue   *tsr_queue_new          (void);
void        tsr_queue_free         (TsrQueue   *self);
/* At the end; then out, the positions after it moving up one. */
void        tsr_queue_append       (TsrQueue   *self,
                                    TsrTorrent *torrent);
void        tsr_queue_remove       (TsrQueue   *self,
                                    TsrTorrent *torrent);
guint       tsr_queue_get_length   (TsrQueue   *self);
/* (transfer none) The torrent at @position, which must be in range. */
TsrTorrent *tsr_queue_get_nth      (TsrQueue   *self,
                                    guint       position);
/* (nullable) (transfer none) The torrent whose wire hash
 * (tsr_torrent_get_info_hash) is @info_hash (20 bytes). O(1). */
TsrTorrent *tsr_queue_find         (TsrQueue     *self,
                                    const guint8 *info_hash);
/* @torrent's position, or G_MAXUINT when it is not in a queue. O(1). */
guint       tsr_queue_position_of  (TsrTorrent *torrent);
/* Moves @torrent to @position (clamped to the last); the torrents in
 * between shift by one. TRUE when anything moved. */
gboolean    tsr_queue_move         (TsrQueue   *self,
                                    TsrTorrent *torrent,
                                    guint       position);
/* Starts and queues torrents so that at most @max_active check or
 * download and at most @max_seeding seed (0: no limit), by position:
 * the first queued ones start as places free up, the last running ones
 * go back to the queue when a limit is lowered. A queued torrent that has
 * all its data waits for a seeding place, the others for a downloading one. */
void        tsr_queue_update       (TsrQueue   *self,
                                    guint       max_active,
                                    guint       max_seeding);

G_END_DECLS
