/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-extensions.h: one torrent's extension host. It builds our BEP 10
 * handshake from the extensions registered with it, keeps the ids each
 * peer gave them, and routes EXTENDED messages (by the id we gave) and
 * BEP 52 hash messages to the extension they are for. An extension is a
 * class (a const table of functions) and an instance the host owns; its
 * state for a peer is made on first use. The host knows a connection
 * only as an opaque pointer, and speaks to its owner only through a table
 * of functions.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-extension.h"
#include "tsr-metainfo.h"
#include "tsr-peer-address.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

/* Extensions registered with one host, at most: ut_metadata, ut_pex,
 * the BEP 52 hashes and ut_holepunch. */
#define TSR_EXTENSIONS_MAX 4

typedef struct _TsrExtensions TsrExtensions;
/* One connection as the extensions see it: from tsr_extensions_add_peer()
 * until tsr_extensions_remove_peer(). */
typedef struct _TsrExtPeer TsrExtPeer;

typedef struct
{
  /* The BEP 10 name ("ut_metadata"); NULL: the BEP 52 hash messages
   * (HASH_REQUEST, HASHES, HASH_REJECT) are its, and it has no id. */
  const char *name;
  /* The id we give it in our handshake (BEP 10), not 0. */
  guint8      our_id;
  /* Bytes of its state for one peer, zeroed, made on first use; 0: none. */
  gsize       peer_size;
  /* What peer exchange tells (BEP 11 flags) of a peer that speaks it:
   * TSR_PEX_FLAG_HOLEPUNCH for ut_holepunch; 0: nothing. */
  guint8      pex_flags;
  /* Listed in our handshake now? NULL: always. */
  gboolean  (*offered)     (gpointer                     ext);
  /* Adds its keys to our handshake ("metadata_size"); may be NULL. */
  void      (*fill)        (gpointer                     ext,
                            TsrExtensionHandshake       *ours);
  /* The peer's handshake came; its ids are recorded. May be NULL. */
  void      (*handshake)   (gpointer                     ext,
                            TsrExtPeer                  *peer,
                            const TsrExtensionHandshake *theirs);
  /* A message for it. */
  void      (*message)     (gpointer                     ext,
                            TsrExtPeer                  *peer,
                            const TsrWireMessage        *message);
  /* Once a second while the torrent runs; may be NULL. */
  void      (*tick)        (gpointer                     ext,
                            gint64                       now);
  /* @peer goes, with the state made for it: called once, and only if
   * its state was made. May be NULL. */
  void      (*peer_gone)   (gpointer                     ext,
                            TsrExtPeer                  *peer,
                            gpointer                     state);
  /* Sets up a peer's state, just made and zeroed; may be NULL. */
  void      (*state_init)  (gpointer                     state);
  /* Frees what a peer's state holds (not the state itself); may be NULL. */
  void      (*state_clear) (gpointer                     state);
  /* Frees the instance; never calls back. */
  void      (*free)        (gpointer                     ext);
  /* BEP 11: @from told @address, with its TsrPexFlags; before the
   * owner hears of it. May be NULL. */
  void      (*learned)     (gpointer                     ext,
                            TsrExtPeer                  *from,
                            const TsrPeerAddress        *address,
                            guint8                       flags);
} TsrExtensionClass;

/* How the host and its extensions report to their owner and ask about a
 * connection (@conn, as given to tsr_extensions_add_peer()); all on the
 * main context. No function is called for a connection once it was
 * removed. */
typedef struct
{
  void      (*send)         (gpointer                     conn,
                             const TsrWireMessage        *message,
                             gpointer                     user_data);
  /* Closes it, now: it may be removed before this returns. */
  void      (*close)        (gpointer                     conn,
                             const char                  *reason,
                             gpointer                     user_data);
  /* Its BEP 10 handshake, for the owner's record ("v", "reqq"). When
   * it told a new "p" and came to us, @listening is where it accepts
   * connections; NULL otherwise. */
  void      (*handshake)    (gpointer                     conn,
                             const TsrExtensionHandshake *theirs,
                             const TsrPeerAddress        *listening,
                             gpointer                     user_data);
  /* BEP 11: an address another peer told, with its TsrPexFlags. */
  void      (*learned)      (const TsrPeerAddress        *address,
                             guint8                       flags,
                             gpointer                     user_data);
  /* A magnet's metainfo is whole: its info dictionary came (BEP 9) and
   * matched, and a v2-only torrent's piece layers too (BEP 52). Or it
   * could not be made: @info is NULL and @error says why. */
  void      (*metainfo)     (TsrMetainfo                 *info,
                             const GError                *error,
                             gpointer                     user_data);
  /* We have verified piece @index. */
  gboolean  (*has_piece)    (guint                        index,
                             gpointer                     user_data);
  /* Monotonic seconds; NULL: the monotonic clock's. */
  gint64    (*now)          (gpointer                     user_data);
} TsrExtensionsFuncs;

TsrExtensions *tsr_extensions_new      (const TsrExtensionsFuncs  *funcs,
                                        gpointer                   user_data);
/* Frees the peers' states and the extensions; never calls back. */
void           tsr_extensions_free     (TsrExtensions             *self);
/* Registers @ext of @klass; the host owns it from now on. Returns its
 * slot, for tsr_extensions_get_state() and tsr_extensions_send_extended(). */
guint          tsr_extensions_register (TsrExtensions             *self,
                                        const TsrExtensionClass   *klass,
                                        gpointer                   ext);
/* The port told in our handshake ("p"), 0: unknown. */
/* The extension registered in @slot. */
gpointer       tsr_extensions_get_ext  (TsrExtensions             *self,
                                        guint                      slot);
void           tsr_extensions_set_listen_port (TsrExtensions      *self,
                                               guint16             port);

/* @have: its pieces (borrowed, NULL before the metainfo), for the seed
 * flag of peer exchange. */
TsrExtPeer    *tsr_extensions_add_peer    (TsrExtensions          *self,
                                           gpointer                conn,
                                           const TsrPeerAddress   *address,
                                           const TsrBitfield      *have);
/* Each extension with a state for it hears peer_gone, once. */
void           tsr_extensions_remove_peer (TsrExtensions          *self,
                                           TsrExtPeer             *peer);
/* The handshake with @peer is done (@dialed: we dialled it); when it
 * speaks BEP 10 (@extended) ours is sent. */
void           tsr_extensions_peer_shaken (TsrExtensions          *self,
                                           TsrExtPeer             *peer,
                                           gboolean                dialed,
                                           gboolean                extended);
/* A close of @peer is scheduled: it is no longer ready. */
void           tsr_extensions_peer_closing (TsrExtensions         *self,
                                            TsrExtPeer            *peer);
/* An EXTENDED, HASH_REQUEST, HASHES or HASH_REJECT message from @peer;
 * ids we never gave are ignored (BEP 10). */
void           tsr_extensions_on_message  (TsrExtensions          *self,
                                           TsrExtPeer             *peer,
                                           const TsrWireMessage   *message);
void           tsr_extensions_tick        (TsrExtensions          *self);

/* For the extensions. */
guint          tsr_extensions_get_n_peers (TsrExtensions          *self);
TsrExtPeer    *tsr_extensions_get_peer    (TsrExtensions          *self,
                                           guint                   i);
TsrExtPeer    *tsr_extensions_find_peer   (TsrExtensions          *self,
                                           const TsrPeerAddress   *address);
/* The state of the extension in @slot for @peer, made on first use. */
gpointer       tsr_extensions_get_state   (TsrExtensions          *self,
                                           TsrExtPeer             *peer,
                                           guint                   slot);
/* The id @peer gave the extension in @slot, 0: none (or it turned it off). */
guint8         tsr_extensions_get_remote_id (TsrExtensions        *self,
                                             TsrExtPeer           *peer,
                                             guint                 slot);
/* Sends @payload to the extension in @slot at @peer, by the id @peer gave
 * it; nothing when it gave none. */
void           tsr_extensions_send_extended (TsrExtensions        *self,
                                             TsrExtPeer           *peer,
                                             guint                 slot,
                                             GBytes               *payload);
void           tsr_extensions_send        (TsrExtensions          *self,
                                           TsrExtPeer             *peer,
                                           const TsrWireMessage   *message);
void           tsr_extensions_close       (TsrExtensions          *self,
                                           TsrExtPeer             *peer,
                                           const char             *reason);
/* Its handshake is done and no close is scheduled. */
gboolean       tsr_extensions_is_ready    (TsrExtensions          *self,
                                           TsrExtPeer             *peer);
/* @from told @address (BEP 11): each extension, then the owner, hears. */
void           tsr_extensions_learned     (TsrExtensions          *self,
                                           TsrExtPeer             *from,
                                           const TsrPeerAddress   *address,
                                           guint8                  flags);
/* BEP 11: the ready peers another could dial, but @except, as an array
 * of TsrPexPeer (flags: seed, reachable). */
GArray        *tsr_extensions_dup_dialable (TsrExtensions         *self,
                                            TsrExtPeer            *except);
void           tsr_extensions_metainfo    (TsrExtensions          *self,
                                           TsrMetainfo            *info,
                                           const GError           *error);
gboolean       tsr_extensions_has_piece   (TsrExtensions          *self,
                                           guint                   index);
gint64         tsr_extensions_now         (TsrExtensions          *self);

/* Appends ", name" for each BEP 10 extension of ours @peer speaks, in
 * the order registered (for the peers view). */
void           tsr_extensions_append_names (TsrExtensions         *self,
                                            TsrExtPeer            *peer,
                                            GString               *out);

/* What the host knows of a peer. */
const TsrPeerAddress *tsr_ext_peer_get_address      (TsrExtPeer   *peer);
/* We sent it our BEP 10 handshake: it speaks the extension protocol. */
gboolean              tsr_ext_peer_get_extended     (TsrExtPeer   *peer);
/* Monotonic seconds, when it was added. */
gint64                tsr_ext_peer_get_added_at     (TsrExtPeer   *peer);
/* It is connected over uTP, dialled or not (the default: TCP), so it
 * speaks uTP (BEP 11 flag 0x04). Its address is then its UDP socket's
 * as its NAT maps it: where the NAT lets uTP from others in once it has
 * sent to them (BEP 55), whatever port it told. */
void                  tsr_ext_peer_set_utp          (TsrExtPeer   *peer,
                                                     gboolean      utp);
gboolean              tsr_ext_peer_get_utp          (TsrExtPeer   *peer);
/* Where another peer could dial it: the address we dialled, or the host
 * of an incoming connection with the port it told (BEP 10 "p"). FALSE
 * when there is none. */
gboolean              tsr_ext_peer_get_dialable     (TsrExtPeer   *peer,
                                                     TsrPeerAddress *out);

G_END_DECLS
