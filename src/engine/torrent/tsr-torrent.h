/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent.h: one torrent being downloaded or seeded: its storage, the
 * pieces we have, its peers, and the requests in flight.
 *
 * It tells what happens through signals (the original's progress and
 * peer-event streams); it never prints.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-budget.h"
#include "tsr-metainfo.h"
#include "tsr-limiter.h"
#include "tsr-magnet.h"
#include "tsr-peer.h"
#include "tsr-peer-info.h"
#include "tsr-peer-pool.h"
#include "tsr-piece-picker.h"
#include "tsr-read-cache.h"

G_BEGIN_DECLS

typedef enum
{
  TSR_TORRENT_STOPPED,
  TSR_TORRENT_CHECKING,
  TSR_TORRENT_DOWNLOADING,
  TSR_TORRENT_SEEDING,
  TSR_TORRENT_ERROR,
  TSR_TORRENT_QUEUED,      /* waiting for the session to let it start */
  TSR_TORRENT_FETCHING,    /* a magnet link: getting the metainfo from peers (BEP 9) */
} TsrTorrentState;

#define TSR_TYPE_TORRENT (tsr_torrent_get_type ())
G_DECLARE_FINAL_TYPE (TsrTorrent, tsr_torrent, TSR, TORRENT, GObject)

/* How many requests go to each peer, the end game and snubs are the
 * requester's (swarm/tsr-requester.h: TSR_REQUESTER_*); uploads, the
 * read-ahead and allowed-fast sets the uploader's (swarm/tsr-uploader.h:
 * TSR_UPLOADER_*). */
/* Bytes of pieces being downloaded or written, per torrent, beyond which
 * no new piece is started. */
#define TSR_TORRENT_PIECE_MEMORY (24 * 1024 * 1024)
/* Bytes of pieces read ahead for uploads over all the torrents of a
 * session (a torrent's own share is TSR_UPLOADER_READ_CACHE). */
#define TSR_SESSION_READ_CACHE (64 * 1024 * 1024)
/* Seconds a cached piece no one asks for is kept. */
#define TSR_TORRENT_READ_CACHE_IDLE 20
/* Connections per torrent, at most, unless set otherwise. */
#define TSR_TORRENT_MAX_PEERS 80
/* When full with addresses waiting, the least useful connection goes
 * this often (seconds), to find better peers. */
#define TSR_TORRENT_TURNOVER_SECONDS 60
/* Addresses kept per torrent. */
#define TSR_TORRENT_POOL_SIZE 2000
/* ...and while seeding, when only the user's addresses are dialled and
 * the rest wait for a return to downloading: a thousand seeding
 * torrents keep 200 000 addresses, not two million. */
#define TSR_TORRENT_SEEDING_POOL_SIZE 200
/* How long a ban lasts. */
#define TSR_TORRENT_BAN_SECONDS (60 * 60)

TsrTorrent      *tsr_torrent_new              (TsrMetainfo        *info,
                                               const char         *folder,
                                               const guint8       *peer_id);
/* A torrent from a magnet link (BEP 9): it starts by fetching the info
 * dictionary from peers ("fetching"), then emits "metadata-received"
 * and checks and downloads like any other. */
TsrTorrent      *tsr_torrent_new_from_magnet  (const TsrMagnet    *magnet,
                                               const char         *folder,
                                               const guint8       *peer_id);
/* A magnet's torrent stops once its metainfo came ("metadata-received"
 * finds it stopped), instead of going on to download. */
void             tsr_torrent_set_stop_after_metadata (TsrTorrent  *self,
                                                      gboolean     stop);
/* Where a stopped torrent with no data yet keeps its files (a torrent
 * with data moves it: tsr_torrent_move_data_async). */
gboolean         tsr_torrent_set_folder       (TsrTorrent         *self,
                                               const char         *folder,
                                               GError            **error);
/* (nullable): NULL while a magnet's metainfo is being fetched. */
TsrMetainfo     *tsr_torrent_get_metainfo     (TsrTorrent         *self);
gboolean         tsr_torrent_has_metainfo     (TsrTorrent         *self);
/* Returns: (transfer full): a magnet link for the torrent. */
char            *tsr_torrent_dup_magnet_uri   (TsrTorrent         *self);
/* The 20 bytes peers know it by (v1 hash, or v2's truncated). */
const guint8    *tsr_torrent_get_info_hash    (TsrTorrent         *self);
/* The torrent's name (its top folder or one file, renamed with it: see
 * tsr_torrent_rename_path_async); for a magnet until its metainfo
 * comes, its "dn" (or its hash in hex). */
const char      *tsr_torrent_get_name         (TsrTorrent         *self);
/* Of a magnet's info dictionary, the fraction fetched (1 once known). */
gdouble          tsr_torrent_get_metadata_progress (TsrTorrent    *self);
TsrTorrentState  tsr_torrent_get_state        (TsrTorrent         *self);
/* Why the torrent is in TSR_TORRENT_ERROR: its message, or the error
 * itself with its domain and code (TSR_STORAGE_ERROR_NO_SPACE: the disk
 * is full, starting again once there is room resumes; _MISSING: data
 * went away, verify first). */
const char      *tsr_torrent_get_error        (TsrTorrent         *self);
GError          *tsr_torrent_dup_error        (TsrTorrent         *self);
/* Pieces verified so far, and in all. */
guint            tsr_torrent_get_pieces_have  (TsrTorrent         *self);
guint64          tsr_torrent_get_downloaded   (TsrTorrent         *self);
guint64          tsr_torrent_get_uploaded     (TsrTorrent         *self);
guint            tsr_torrent_get_n_peers      (TsrTorrent         *self);
/* Sums of the peers' rates (bytes a second, measured each second). */
guint64          tsr_torrent_get_down_rate    (TsrTorrent         *self);
guint64          tsr_torrent_get_up_rate      (TsrTorrent         *self);
/* Verified bytes over the torrent's size, 0 to 1. */
gdouble          tsr_torrent_get_progress     (TsrTorrent         *self);
/* Uploaded over the torrent's size. */
gdouble          tsr_torrent_get_ratio        (TsrTorrent         *self);
/* Seconds to completion at the current rate; -1 when unknown. */
gint64           tsr_torrent_get_eta          (TsrTorrent         *self);
/* For the bars: per piece, 1 when verified, the fraction of its blocks
 * received when in progress, else 0; and how many connected peers have
 * each. Free with g_free. */
float           *tsr_torrent_dup_piece_fractions (TsrTorrent      *self,
                                                  guint           *n_pieces);
guint           *tsr_torrent_dup_availability    (TsrTorrent      *self,
                                                  guint           *n_pieces);
/* The connected peers past their handshake (element-type TsrPeerInfo). */
GPtrArray       *tsr_torrent_dup_peer_infos   (TsrTorrent         *self);
/* For diagnosing a stall (not a stable format): the torrent's state,
 * pieces in progress with their blocks and peers with their requests, as
 * a JSON object. */
char            *tsr_torrent_dup_debug_json   (TsrTorrent         *self);
/* Asks the trackers for peers as soon as their minimum interval allows;
 * FALSE when the torrent has no running trackers. */
gboolean         tsr_torrent_announce_now     (TsrTorrent         *self);
/* Asks every tracker for the swarm's counts now (BEP 48 scrape; also
 * done a few seconds after starting and every 30 minutes): signals
 * "scrape-reply" (url, seeders, leechers, downloaded) or "scrape-error"
 * (url, message) per tracker. FALSE when there is no tracker. */
gboolean         tsr_torrent_scrape_now       (TsrTorrent         *self);
/* Seconds until the trackers are asked next; -1 when not planned. */
gint64           tsr_torrent_get_next_announce (TsrTorrent        *self);
/* Drops the connection to @address; FALSE when there is none. */
gboolean         tsr_torrent_disconnect_peer  (TsrTorrent         *self,
                                               const char         *address);
/* Addresses known to dial (from the user, trackers, peers). */
guint            tsr_torrent_get_n_known_addresses (TsrTorrent    *self);
/* Connected peers that have every piece. */
guint            tsr_torrent_get_n_seeds      (TsrTorrent         *self);
/* Bytes of verified pieces. */
guint64          tsr_torrent_get_bytes_have   (TsrTorrent         *self);

/* Connections counted across the session's torrents (nullable): none is
 * dialled or accepted past its ceiling. Connections made before it was
 * set are not counted. */
void             tsr_torrent_set_connection_budget (TsrTorrent    *self,
                                                    TsrBudget     *budget);

/* The budget this torrent's read cache shares with the session's other
 * torrents (nullable). Set before starting: reads in flight are dropped. */
void             tsr_torrent_set_read_cache_group (TsrTorrent        *self,
                                                   TsrReadCacheGroup *group);

/* The port we listen on, told to peers (BEP 10 "p"). */
void             tsr_torrent_set_listen_port  (TsrTorrent         *self,
                                               guint16             port);

/* Announces to the torrent's trackers, telling them @port; call before
 * start. */
void             tsr_torrent_enable_trackers  (TsrTorrent         *self,
                                               guint16             port);
/* The tiers announced to (element-type GPtrArray of URL strings), a new
 * deep copy: those set with tsr_torrent_set_trackers, else the
 * metainfo's, else a magnet's "tr" (one tier each). */
GPtrArray       *tsr_torrent_dup_trackers     (TsrTorrent         *self);
/* Replaces the tiers (NULL: back to the metainfo's). Each URL must be
 * http, https or udp with a host (else nothing changes and @error names
 * it); a URL named twice is kept in its first tier, empty tiers go.
 * Running trackers are told "stopped" and the new ones start at once.
 * Not kept across runs: the library does that. */
gboolean         tsr_torrent_set_trackers     (TsrTorrent         *self,
                                               GPtrArray          *tiers,
                                               GError            **error);

/* The web seeds' URLs (BEP 19 url-list), a new NULL-terminated array:
 * those set with tsr_torrent_set_web_seeds, else the metainfo's (none
 * while a magnet has no metainfo). BEP 17 "httpseeds" are not in it. */
char           **tsr_torrent_dup_web_seeds    (TsrTorrent         *self);
/* Replaces the BEP 19 web seeds (NULL: back to the metainfo's; an empty
 * array: none). Each URL must be http or https with a host (else nothing
 * changes and @error names it); a URL named twice is kept once. Pieces
 * on their way from the old seeds go back to the peers, and the new seeds
 * start at the next tick. Not kept across runs: the library does that. */
gboolean         tsr_torrent_set_web_seeds    (TsrTorrent         *self,
                                               const char * const *urls,
                                               GError            **error);

/* Rate limits shared with other torrents (nullable): the torrent's own
 * limits draw on these. */
void             tsr_torrent_set_limiters     (TsrTorrent         *self,
                                               TsrLimiter         *up,
                                               TsrLimiter         *down);
/* This torrent's own limits, bytes a second (0: none), at any time. */
void             tsr_torrent_set_rate_limits  (TsrTorrent         *self,
                                               guint64             up,
                                               guint64             down);
guint64          tsr_torrent_get_up_rate_limit   (TsrTorrent      *self);
guint64          tsr_torrent_get_down_rate_limit (TsrTorrent      *self);

/* Stops the torrent (signal "limit-reached" with "up-total", "down-total"
 * or "seed-ratio") once it uploaded @up_total or downloaded @down_total
 * bytes, or seeded to @seed_ratio times its size; 0 means no limit. */
void             tsr_torrent_get_limits       (TsrTorrent         *self,
                                               guint64            *up_total,
                                               guint64            *down_total,
                                               gdouble            *seed_ratio);
void             tsr_torrent_set_limits       (TsrTorrent         *self,
                                               guint64             up_total,
                                               guint64             down_total,
                                               gdouble             seed_ratio);

/* Connections at most (> 0), dialled and accepted together; lowering it
 * closes the newest connections. */
void             tsr_torrent_set_max_peers    (TsrTorrent         *self,
                                               guint               max_peers);
guint            tsr_torrent_get_max_peers    (TsrTorrent         *self);
/* Separate ceilings for connections we dialled and ones we accepted,
 * within max_peers; lowering one closes the newest of that kind. 0 (the
 * default) follows max_peers: three quarters of it dialled, so room
 * stays for peers that find us, and all of it accepted. */
void             tsr_torrent_set_max_dialed   (TsrTorrent         *self,
                                               guint               max_dialed);
guint            tsr_torrent_get_max_dialed   (TsrTorrent         *self);
void             tsr_torrent_set_max_accepted (TsrTorrent         *self,
                                               guint               max_accepted);
guint            tsr_torrent_get_max_accepted (TsrTorrent         *self);
/* Connections now, dialled by us (being set up included) and accepted. */
guint            tsr_torrent_get_n_dialed     (TsrTorrent         *self);
guint            tsr_torrent_get_n_accepted   (TsrTorrent         *self);
/* How often (seconds, 0: never) a full torrent drops its least useful
 * peer for an address that waits (default TSR_TORRENT_TURNOVER_SECONDS). */
void             tsr_torrent_set_turnover_interval (TsrTorrent    *self,
                                                    guint          seconds);

/* Which files to fetch (index into the metainfo's files): skipped files
 * are not fetched except for pieces they share with a wanted file; high
 * ones come first. "done" fires once every wanted piece is here, and the
 * torrent seeds what it has. Settable at any time. */
void             tsr_torrent_set_file_priority (TsrTorrent        *self,
                                                guint              file,
                                                TsrPriority        priority);
TsrPriority      tsr_torrent_get_file_priority (TsrTorrent        *self,
                                                guint              file);
/* Pieces in order, for playing media while it downloads. */
/* MSE/PE for the peers it dials (the session's setting; default PREFER):
 * with PREFER a peer that closes the encrypted handshake is dialled
 * again at once in plaintext. */
/* The session's DHT node's UDP port (0: none): said in handshakes and
 * port messages (BEP 5), never for a private torrent. */
void             tsr_torrent_set_dht_port      (TsrTorrent        *self,
                                                guint16            port);
void             tsr_torrent_set_encryption    (TsrTorrent        *self,
                                                TsrPeerEncryption  mode);
void             tsr_torrent_set_sequential    (TsrTorrent        *self,
                                                gboolean           sequential);
/* The first and last pieces of each wanted file before the others, to
 * preview media early. Needs the metainfo: a magnet's is set again once
 * it comes ("metadata-received"). */
void             tsr_torrent_set_first_last_pieces (TsrTorrent    *self,
                                                    gboolean       first_last);

/* Stops a seeding torrent (signal "limit-reached" with "seed-idle") once
 * it uploaded nothing for @seconds; 0 means no limit. */
void             tsr_torrent_set_seed_idle_limit (TsrTorrent      *self,
                                                  guint            seconds);

/* Words for people, translated: "Downloading", "Seeding"… for a state;
 * for a "limit-reached" name ("up-total", "down-total", "seed-ratio",
 * "seed-idle"), a sentence saying why the torrent stopped. Machine-readable
 * output keeps the names: tsr_torrent_state_to_string gives "downloading". */
const char      *tsr_torrent_state_to_string  (TsrTorrentState     state);
const char      *tsr_torrent_describe_state   (TsrTorrentState     state);
const char      *tsr_torrent_describe_limit   (const char         *limit);

/* Keeps a resume record in @folder: saved a few seconds after pieces are
 * verified and at stop, and trusted at start when the files still match. */
void             tsr_torrent_set_state_folder (TsrTorrent         *self,
                                               const char         *folder);
/* Writes the resume record now (blocking: for shutdown). */
gboolean         tsr_torrent_save_resume      (TsrTorrent         *self,
                                               GError            **error);

/* Checks the data already in the folder (on worker threads), then
 * downloads what is missing, or seeds. */
void             tsr_torrent_start            (TsrTorrent         *self);
/* Saves the resume record on a worker, a few seconds from now (batched
 * with other saves); tsr_torrent_save_resume is the blocking form. */
void             tsr_torrent_save_resume_soon (TsrTorrent         *self);
/* Waits, stopped, until its session starts it (see
 * tsr_session_set_max_active). */
void             tsr_torrent_queue            (TsrTorrent         *self);
/* Hashes the data again, whatever the resume record says; a running
 * torrent goes on after, a stopped one is stopped again. */
void             tsr_torrent_verify           (TsrTorrent         *self);
/* Disconnects and stops announcing; pieces already on their way to disk
 * still land (see tsr_torrent_get_pending_writes). */
void             tsr_torrent_stop             (TsrTorrent         *self);
/* Pieces handed to storage and not yet back: wait for 0 before saving
 * resume data at shutdown. */
guint            tsr_torrent_get_pending_writes (TsrTorrent       *self);
/* Whether a tracker announce (such as "stopped") is still on its way. */
gboolean         tsr_torrent_is_announcing    (TsrTorrent         *self);

/* Moves the data to @folder while the torrent runs: it pauses, the files
 * are renamed (or copied and deleted across file systems), and it goes on
 * from there without a recheck. On error (a file already there, a full
 * disk) what moved is put back and the torrent goes on where it was. */
void             tsr_torrent_move_data_async  (TsrTorrent          *self,
                                               const char          *folder,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean         tsr_torrent_move_data_finish (TsrTorrent          *self,
                                               GAsyncResult        *result,
                                               GError             **error);
const char      *tsr_torrent_get_folder       (TsrTorrent          *self);

/* Renames @path, a file or folder of the torrent as it is called now
 * (tsr_torrent_get_file_path; the torrent's name is its top folder, or
 * its single file), to @new_name, one path component, as Transmission's
 * torrent-rename-path does. What is on disk is renamed on a worker (a
 * running torrent pauses meanwhile and goes on after); a file not there
 * yet is written under its new name later. Errors: G_IO_ERROR_INVALID_ARGUMENT
 * for a name that cannot be a file name here ("", ".", "..", a '/', …),
 * G_IO_ERROR_NOT_FOUND when @path names nothing, G_IO_ERROR_EXISTS when
 * a sibling has the name, G_IO_ERROR_NOT_INITIALIZED before the
 * metainfo, G_IO_ERROR_BUSY while another rename of it is on the disk
 * (one at a time), TSR_STORAGE_ERROR when the disk refuses (then nothing
 * changed). "file-renamed" (path, new name) follows success. */
void             tsr_torrent_rename_path_async  (TsrTorrent          *self,
                                                 const char          *path,
                                                 const char          *new_name,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean         tsr_torrent_rename_path_finish (TsrTorrent          *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Where file @index is now, relative to the folder: its metainfo path
 * unless renamed. */
const char      *tsr_torrent_get_file_path      (TsrTorrent          *self,
                                                 guint                index);
/* Puts back paths renamed before (a library restoring the torrent): one
 * per file (NULL: as the metainfo has it), each checked as a rename
 * would be. Only while stopped or queued (G_IO_ERROR_BUSY otherwise);
 * nothing is renamed on disk. */
gboolean         tsr_torrent_set_file_paths     (TsrTorrent          *self,
                                                 const char * const  *paths,
                                                 GError             **error);

/* Stops the torrent for good: its resume record is deleted and, with
 * @delete_data, its files and the folders they leave empty (never
 * anything else, never through a symlink), once pieces on their way to
 * disk have landed. */
void             tsr_torrent_forget_async     (TsrTorrent          *self,
                                               gboolean             delete_data,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean         tsr_torrent_forget_finish    (TsrTorrent          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Adds "host:port" to the addresses to dial, ahead of the trackers'
 * (signal "peer-dialing" when its turn comes). */
void             tsr_torrent_add_peer_address (TsrTorrent         *self,
                                               const char         *address);
/* Adds "host:port" learned from @source (LSD, say) to the addresses to
 * dial, with the back-off of that source. */
void             tsr_torrent_add_discovered_peer (TsrTorrent      *self,
                                                  const char      *address,
                                                  TsrPeerSource    source);
/* The same with an address already parsed (the session's DHT). */
void             tsr_torrent_add_discovered_address (TsrTorrent           *self,
                                                     const TsrPeerAddress *address,
                                                     TsrPeerSource         source);
/* Lifts every ban (and forgets the strikes towards one). */
void             tsr_torrent_clear_bans       (TsrTorrent         *self);
/* The bans in force (element-type TsrPeerBan), the soonest to end first. */
GPtrArray       *tsr_torrent_dup_bans         (TsrTorrent         *self);
/* Takes an incoming peer whose handshake named this torrent. */
void             tsr_torrent_add_incoming     (TsrTorrent         *self,
                                               TsrPeer            *peer);
/* The same, answering with @info_hash (20 bytes): the hash the peer used,
 * v1 or, for a hybrid torrent, the truncated v2 one. */
void             tsr_torrent_add_incoming_for (TsrTorrent         *self,
                                               TsrPeer            *peer,
                                               const guint8       *info_hash);

G_END_DECLS
