/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-session.h: the torrents of one program and the listening socket
 * they share: an incoming handshake's info hash picks the torrent.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-blocklist.h"
#include "tsr-port-map.h"
#include "tsr-torrent.h"

G_BEGIN_DECLS

#define TSR_TYPE_SESSION (tsr_session_get_type ())
G_DECLARE_FINAL_TYPE (TsrSession, tsr_session, TSR, SESSION, GObject)

TsrSession   *tsr_session_new          (void);
/* A listening port at random in the dynamic range (RFC 6335), for a
 * first start to pick once and keep, as Transmission and qBittorrent do:
 * no two installations on one well-known port that networks single out. */
#define TSR_SESSION_RANDOM_PORT_MIN 49152
#define TSR_SESSION_RANDOM_PORT_MAX 65535
guint16       tsr_session_pick_random_port (void);
/* Listens on @port (0: any free port) on every address. */
gboolean      tsr_session_listen       (TsrSession   *self,
                                        guint16       port,
                                        GError      **error);
/* Listens on @port at one IP @address only (NULL: every address). */
gboolean      tsr_session_listen_on    (TsrSession   *self,
                                        const char   *address,
                                        guint16       port,
                                        GError      **error);
guint16       tsr_session_get_port     (TsrSession   *self);
/* The UDP port the DHT, UDP trackers and uTP use: the TCP port when it
 * was free for UDP too, else another; 0 before listening or without UDP. */
guint16       tsr_session_get_udp_port (TsrSession   *self);
/* Our peer id: "-TE0100-" (version 0.1.0) and 12 random characters (BEP 20 style;
 * "TS" was taken by TorrentStorm). */
const guint8 *tsr_session_get_peer_id  (TsrSession   *self);

/* Session-wide limits in bytes per second (0: none), applied live. */
void          tsr_session_set_rate_limits (TsrSession *self,
                                           guint64     up,
                                           guint64     down);

/* Connections over all torrents, at most (0: no limit; each torrent has
 * its own limit too), and how many there are now. */
void          tsr_session_set_max_connections (TsrSession *self,
                                               guint       max);
guint         tsr_session_get_n_connections   (TsrSession *self);

/* At most @max_active torrents check or download at once, and at most
 * @max_seeding seed (0: no limit; Transmission's download-queue-size and
 * seed-queue-size); the others wait in TSR_TORRENT_QUEUED
 * (tsr_torrent_queue) and start by queue position as places free up. A
 * queued torrent with all its data waits for a seeding place. */
void          tsr_session_set_max_active  (TsrSession *self,
                                           guint       max_active);
guint         tsr_session_get_max_active  (TsrSession *self);
void          tsr_session_set_max_seeding (TsrSession *self,
                                           guint       max_seeding);
guint         tsr_session_get_max_seeding (TsrSession *self);

/* The queue: every torrent of the session has a position, 0-based and
 * dense (Transmission's queuePosition): a new torrent goes last, a
 * removed one's followers move up. Signal "queue-changed" (no arguments)
 * says positions changed. */
typedef enum
{
  TSR_QUEUE_MOVE_TOP,
  TSR_QUEUE_MOVE_UP,
  TSR_QUEUE_MOVE_DOWN,
  TSR_QUEUE_MOVE_BOTTOM,
} TsrQueueMove;

/* @torrent's position; G_MAXUINT when it is not in this session. */
guint         tsr_session_get_queue_position (TsrSession   *self,
                                              TsrTorrent   *torrent);
/* Moves @torrent to @position (past the end: last); those in between
 * shift by one. Running torrents keep running: the order decides who
 * starts next, and who goes back to the queue when a limit is lowered. */
void          tsr_session_set_queue_position (TsrSession   *self,
                                              TsrTorrent   *torrent,
                                              guint         position);
void          tsr_session_move_in_queue      (TsrSession   *self,
                                              TsrTorrent   *torrent,
                                              TsrQueueMove  move);
/* (nullable) (transfer none) The torrent at queue @position. */
TsrTorrent   *tsr_session_get_queued_nth     (TsrSession   *self,
                                              guint         position);

TsrTorrent   *tsr_session_add_torrent  (TsrSession   *self,
                                        TsrMetainfo  *info,
                                        const char   *folder);
/* BEP 14 local service discovery (off until turned on): running public
 * torrents are announced to the local network by multicast, and peers
 * seen there are dialled. It starts once the session listens. */
void          tsr_session_set_local_discovery (TsrSession *self,
                                               gboolean    enabled);
gboolean      tsr_session_get_local_discovery (TsrSession *self);
/* The DHT (BEP 5; off until turned on): a node on the listening port's
 * number over UDP, once the session listens; public torrents are looked
 * up when they start and every 15 minutes (every minute while they have
 * few peers), announced, and told to peers (BEP 5 port message).
 * @state_path (nullable) keeps the node id and table; @bootstrap
 * (nullable: the public routers) names the first nodes. */
void          tsr_session_set_dht             (TsrSession        *self,
                                               gboolean           enabled,
                                               const char        *state_path,
                                               const char *const *bootstrap);
/* (nullable) (transfer none) */
struct _TsrDht *tsr_session_get_dht           (TsrSession        *self);
/* The transports peer connections use, dialled and accepted (default
 * both: uTP is dialled first, TCP follows after a delay that fits the
 * path, net/tsr-dial-delay.h, or when uTP fails). uTP runs on the UDP port (tsr_session_get_udp_port). */
void          tsr_session_set_transports      (TsrSession        *self,
                                               TsrTransport       transports);
TsrTransport  tsr_session_get_transports      (TsrSession        *self);
/* (transfer none) Who dials and takes in uTP: its counters, for tests. */
struct _TsrDialer *tsr_session_get_dialer     (TsrSession        *self);
/* (transfer none) The IP blocklist: never dialled, accepted nor told by
 * PEX (net/tsr-blocklist.h); peers it comes to block are dropped. */
TsrBlocklist *tsr_session_get_blocklist       (TsrSession        *self);
/* MSE/PE for every connection, dialled and accepted (default PREFER). */
void          tsr_session_set_encryption      (TsrSession        *self,
                                               TsrPeerEncryption  mode);
TsrPeerEncryption tsr_session_get_encryption  (TsrSession        *self);
/* Port mapping (off until turned on): the router is asked, over UPnP IGD
 * and NAT-PMP, to forward the listening port, TCP and UDP, once the
 * session listens (not on a loopback address). "port-mapping-changed" is
 * emitted when it starts, stops or its state changes. */
void          tsr_session_set_port_mapping    (TsrSession *self,
                                               gboolean    enabled);
gboolean      tsr_session_get_port_mapping    (TsrSession *self);
/* (nullable) (transfer none): while mapping is on and the session listens. */
TsrPortMap   *tsr_session_get_port_map        (TsrSession *self);
/* Asks the routers to remove the mapping, before exit; TRUE while UPnP
 * removals are on their way (iterate the main context a moment). */
gboolean      tsr_session_unmap_port          (TsrSession *self);
/* A torrent from a magnet link: it fetches its metainfo when started. */
TsrTorrent   *tsr_session_add_magnet   (TsrSession      *self,
                                        const TsrMagnet *magnet,
                                        const char      *folder);
/* (nullable) (transfer none): the torrent peers know by @info_hash (20
 * bytes: see tsr_torrent_get_info_hash). */
TsrTorrent   *tsr_session_find_torrent (TsrSession   *self,
                                        const guint8 *info_hash);
GListModel   *tsr_session_get_torrents (TsrSession   *self);
/* Takes @torrent out of the session and stops it for good (see
 * tsr_torrent_forget_async): its resume record goes and, with
 * @delete_data, its files. */
void          tsr_session_remove_torrent_async  (TsrSession          *self,
                                                 TsrTorrent          *torrent,
                                                 gboolean             delete_data,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      tsr_session_remove_torrent_finish (TsrSession          *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
