/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer.h: one connection to a peer. Reads with large buffered reads,
 * parses with the wire codec, and sends batched messages with vectored
 * writes; the torrent that owns it decides what to send.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-bitfield.h"
#include "tsr-dialer.h"
#include "tsr-limiter.h"
#include "tsr-mse.h"
#include "tsr-peer-address.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

#define TSR_TYPE_PEER (tsr_peer_get_type ())
G_DECLARE_FINAL_TYPE (TsrPeer, tsr_peer, TSR, PEER, GObject)

/* Outgoing connections being set up at once, at most, in the process:
 * more would look like a scan to firewalls and home routers. */
#define TSR_PEER_MAX_CONNECTING 15

/* Outgoing connections being set up now, in the whole process. */
guint         tsr_peer_get_n_connecting    (void);

/* An outgoing connection to @address (connects on start), over the
 * transports @dialer (nullable: TCP alone) has on. */
TsrPeer      *tsr_peer_new_outgoing        (const TsrPeerAddress   *address,
                                            TsrDialer              *dialer);
/* An accepted connection, a GSocketConnection or a TsrUtpStream, whose
 * remote address is the peer's; its handshake is read first. */
TsrPeer      *tsr_peer_new_incoming        (GIOStream              *stream);
/* The same over any stream whose input is pollable (a uTP stream, a
 * test's memory streams), from @remote. */
TsrPeer      *tsr_peer_new_for_stream      (GIOStream              *stream,
                                            const TsrPeerAddress   *remote);

/* What a connection tells its owner, on the main context; any may be
 * NULL. The handshake and message are valid during the call. */
typedef struct
{
  void (*handshake) (TsrPeer                *peer,
                     const TsrWireHandshake *theirs,
                     gpointer                user_data);
  void (*message)   (TsrPeer                *peer,
                     const TsrWireMessage   *message,
                     gpointer                user_data);
  /* A write completed: there is room for more blocks. */
  void (*sent)      (TsrPeer                *peer,
                     gpointer                user_data);
  /* Once; @reason says why (NULL: closed by us). */
  void (*closed)    (TsrPeer                *peer,
                     const char             *reason,
                     gpointer                user_data);
} TsrPeerFuncs;

/* Replaces the owner (@funcs NULL: nobody hears). Given while inside a
 * call of the previous table, the new one hears what follows. */
void          tsr_peer_set_funcs           (TsrPeer                *self,
                                            const TsrPeerFuncs     *funcs,
                                            gpointer                user_data);

/* Starts the connection. Outgoing: connect, send @ours, read theirs.
 * Incoming: read theirs (funcs' handshake), then the owner calls
 * tsr_peer_accept with its own handshake. */
void          tsr_peer_start               (TsrPeer                *self,
                                            const TsrWireHandshake *ours);
void          tsr_peer_accept              (TsrPeer                *self,
                                            const TsrWireHandshake *ours);
/* Message Stream Encryption (MSE/PE). */
typedef enum
{
  TSR_PEER_ENCRYPTION_OFF,       /* plaintext only: MSE neither offered nor accepted */
  TSR_PEER_ENCRYPTION_PREFER,    /* dial with MSE, RC4 preferred, plaintext allowed; accept both */
  TSR_PEER_ENCRYPTION_REQUIRE,   /* RC4 only, both ways */
} TsrPeerEncryption;

/* Before tsr_peer_start. Incoming connections that start with MSE need
 * @find to learn the torrent from HASH('req2', info hash). */
void          tsr_peer_set_encryption      (TsrPeer                *self,
                                            TsrPeerEncryption       mode,
                                            TsrMseFindFunc          find,
                                            gpointer                find_data);
/* Whether the payload is RC4-encrypted (once the handshake is done). */
gboolean      tsr_peer_is_encrypted        (TsrPeer                *self);
/* Whether an outgoing MSE handshake was under way when the connection
 * ended: the peer may not speak MSE (dial it again in plaintext). */
gboolean      tsr_peer_get_mse_failed      (TsrPeer                *self);
void          tsr_peer_set_limits          (TsrPeer                *self,
                                            const TsrWireLimits    *limits);
/* Shared rate limits (nullable): reads wait for @down, writes for @up. */
void          tsr_peer_set_limiters        (TsrPeer                *self,
                                            TsrLimiter             *up,
                                            TsrLimiter             *down);

/* Our end of the connection; FALSE before it is made. */
gboolean      tsr_peer_get_local_address   (TsrPeer                *self,
                                            TsrPeerAddress         *out);
/* Bytes queued to send and not yet written to the socket. */
guint64       tsr_peer_get_queued_bytes    (TsrPeer                *self);
/* Queues a message; queued messages go out together at the next idle. A
 * piece message with @block sends the block with the header in one
 * vectored write. */
void          tsr_peer_send                (TsrPeer                *self,
                                            const TsrWireMessage   *message);
void          tsr_peer_send_block          (TsrPeer                *self,
                                            guint32                 index,
                                            guint32                 begin,
                                            GBytes                 *block);
/* Closes; the funcs hear closed once, with @reason (may be NULL). */
void          tsr_peer_close               (TsrPeer                *self,
                                            const char             *reason);

/* The peer's address, its identity (family 0 in the rare case an
 * accepted connection had no internet address). */
const TsrPeerAddress *tsr_peer_get_remote_address (TsrPeer          *self);
/* The same for people and logs: "1.2.3.4:6881", "[::1]:6881" or "?". */
const char   *tsr_peer_get_address         (TsrPeer                *self);
gboolean      tsr_peer_is_incoming         (TsrPeer                *self);
const guint8 *tsr_peer_get_id              (TsrPeer                *self);
gboolean      tsr_peer_is_closed           (TsrPeer                *self);
/* Whether it was closed for sending a malformed or out-of-range message. */
gboolean      tsr_peer_broke_protocol      (TsrPeer                *self);
guint64       tsr_peer_get_bytes_received  (TsrPeer                *self);
guint64       tsr_peer_get_bytes_sent      (TsrPeer                *self);

/* What both handshakes agreed on (set once both are known). */
typedef enum
{
  TSR_PEER_FEATURE_FAST     = 1 << 0,  /* both sides speak BEP 6 */
  TSR_PEER_FEATURE_EXTENDED = 1 << 1,  /* both sides speak BEP 10 */
} TsrPeerFeatures;

TsrPeerFeatures tsr_peer_get_features      (TsrPeer                *self);
/* TCP or uTP, once connected (0 while an outgoing one dials). */
TsrTransport  tsr_peer_get_transport       (TsrPeer                *self);

G_END_DECLS
