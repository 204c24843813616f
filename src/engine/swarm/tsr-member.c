/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-member.c: one connection of a swarm. It owns the connection
 * (TsrPeerConn) and its records in the requester, the uploader and the
 * extension host, and answers what the connection reports: blocks go to
 * the requester, requests to the uploader, extension messages to the
 * host; a peer's pieces make us interested or not, an unchoke fills the
 * pipeline, a newcomer is offered its allowed-fast set. The requester,
 * the uploader and the host are shared by every member of a swarm
 * (TsrMemberShared), and this file answers their questions about a
 * connection. What concerns the whole swarm goes to the owner through
 * TsrMemberFuncs.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-member.h"
#include "tsr-peer-id.h"

struct _TsrMember
{
  TsrMemberShared  *shared;   /* borrowed: the swarm's */
  TsrPeerConn      *conn;     /* (owned) its protocol state and transport */
  TsrUploaderPeer  *upload;   /* (owned) its requests to us */
  TsrRequesterPeer *request;  /* (owned) our requests to it */
  TsrExtPeer       *ext;      /* (owned) its extensions' ids and states */
};

static const TsrPeerConnFuncs conn_funcs;
static const TsrRequesterFuncs request_funcs;
static const TsrUploaderFuncs upload_funcs;
static const TsrExtensionsFuncs extension_funcs;

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static TsrPeer *
peer_of (TsrMember *self)
{
  return tsr_peer_conn_get_peer (self->conn);
}

static void
report_state (TsrMember  *self,
              const char *change)
{
  self->shared->funcs->state (self, change, self->shared->user_data);
}

void
tsr_member_shared_init (TsrMemberShared      *shared,
                        const TsrMemberFuncs *funcs,
                        gpointer              user_data)
{
  shared->funcs = funcs;
  shared->user_data = user_data;
}

gboolean
tsr_member_shared_make (TsrMemberShared *shared)
{
  if (shared->requester != NULL)
    return FALSE;
  shared->requester = tsr_requester_new (&request_funcs, shared);
  shared->uploader = tsr_uploader_new (&upload_funcs, shared);
  shared->extensions = tsr_extensions_new (&extension_funcs, shared);
  return TRUE;
}

void
tsr_member_shared_clear (TsrMemberShared *shared)
{
  g_clear_pointer (&shared->uploader, tsr_uploader_free);
  g_clear_pointer (&shared->requester, tsr_requester_free);
  g_clear_pointer (&shared->extensions, tsr_extensions_free);
}

TsrMember *
tsr_member_new (TsrMemberShared *shared,
                TsrPeer         *peer,
                TsrBudget       *budget,
                guint16          dht_port)
{
  TsrMember *self;

  g_return_val_if_fail (shared->requester != NULL, NULL);
  self = g_new0 (TsrMember, 1);
  self->shared = shared;
  /* Fetching a magnet's metainfo: what peers have means nothing yet. */
  self->conn = tsr_peer_conn_new (peer, shared->picker, shared->picker != NULL ? shared->n_pieces : 0, budget,
                                  &conn_funcs, self);
  tsr_peer_conn_set_dht_port (self->conn, dht_port);
  self->upload = tsr_uploader_add_peer (shared->uploader, self);
  self->request = tsr_requester_add_peer (shared->requester, self, tsr_peer_conn_get_connected_at (self->conn));
  self->ext = tsr_extensions_add_peer (shared->extensions, self, tsr_peer_get_remote_address (peer),
                                       tsr_peer_conn_get_have (self->conn));
  /* An incoming one's transport is known now; a dialled one's once it
   * has connected (tsr_member_greet). */
  tsr_ext_peer_set_utp (self->ext, tsr_peer_get_transport (peer) == TSR_TRANSPORT_UTP);
  return self;
}

void
tsr_member_free (TsrMember *self)
{
  if (self == NULL)
    return;
  tsr_uploader_remove_peer (self->shared->uploader, self->upload);
  tsr_extensions_remove_peer (self->shared->extensions, self->ext);
  tsr_requester_remove_peer (self->shared->requester, self->request);
  tsr_peer_conn_free (self->conn);
  g_free (self);
}

TsrPeerConn *
tsr_member_get_conn (TsrMember *self)
{
  return self->conn;
}

TsrPeer *
tsr_member_get_peer (TsrMember *self)
{
  return peer_of (self);
}

gboolean
tsr_member_is_snubbed (TsrMember *self)
{
  return tsr_requester_peer_is_snubbed (self->request);
}

/* Closes it from an idle, once: callers are often inside its own
 * callbacks, where closing would free what they still use. */
void
tsr_member_close_later (TsrMember  *self,
                        const char *reason)
{
  if (tsr_peer_conn_close_later (self->conn, reason))
    tsr_extensions_peer_closing (self->shared->extensions, self->ext);
}

void
tsr_member_release (TsrMember *self)
{
  tsr_requester_release (self->shared->requester, self->request);
}

/* What @pool keeps of it, gone. */
void
tsr_member_leave_pool (TsrMember         *self,
                       TsrPeerPool       *pool,
                       TsrPeerEncryption  encryption)
{
  TsrPeer *peer = peer_of (self);
  const TsrPeerAddress *address = tsr_peer_get_remote_address (peer);
  gboolean dialed = tsr_peer_conn_is_dialed (self->conn);
  gboolean shaken = tsr_peer_conn_is_shaken (self->conn);
  TsrPeerAddress listening;
  TsrPeerSource source;

  /* Closed during our encrypted handshake: it may not speak MSE. */
  if (dialed && !shaken && tsr_peer_get_mse_failed (peer) &&
      encryption == TSR_PEER_ENCRYPTION_PREFER && !tsr_peer_pool_get_plaintext (pool, address))
    tsr_peer_pool_retry_plaintext (pool, address, now_seconds ());
  else if (dialed && !shaken)
    tsr_peer_pool_failed (pool, address, now_seconds ());
  else if (dialed)
    tsr_peer_pool_closed (pool, address, now_seconds ());
  if (dialed || !tsr_ext_peer_get_dialable (self->ext, &listening))
    return;
  /* Its listen port was marked connected while it stayed: idle again,
   * dialable later (and a connected entry cannot be forgotten). */
  tsr_peer_pool_closed (pool, &listening, now_seconds ());
  /* A seed does not dial what came to it: the address of a peer that
   * left would only sit in the pool. It will come back by itself. */
  if (self->shared->mode == TSR_SWARM_SEEDING && tsr_peer_pool_get_source (pool, &listening, &source) &&
      source == TSR_PEER_SOURCE_INCOMING)
    tsr_peer_pool_forget (pool, &listening);
}

/* Interest and the pipeline ----------------------------------------- */

/* Only while downloading: the requester asks nothing of anyone else. */
void
tsr_member_fill (TsrMember *self)
{
  if (self->shared->mode == TSR_SWARM_DOWNLOADING)
    tsr_requester_fill (self->shared->requester, self->request);
}

/* Two seeds have nothing to say to each other. */
static void
drop_if_both_seeds (TsrMember *self)
{
  const TsrBitfield *have = tsr_peer_conn_get_have (self->conn);

  if (self->shared->mode == TSR_SWARM_SEEDING && have != NULL && tsr_bitfield_is_full (have))
    tsr_member_close_later (self, _("Both sides have every piece"));
}

/* A piece we still want: not here, and in a file not skipped. */
static gboolean
wanted (TsrMember *self,
        guint      index)
{
  return !tsr_bitfield_get (self->shared->have, index) &&
         tsr_piece_picker_get_priority (self->shared->picker, index) != TSR_PRIORITY_SKIP;
}

static void
set_interest (TsrMember *self,
              gboolean   interested)
{
  if (tsr_peer_conn_set_interested (self->conn, interested))
    report_state (self, interested ? "we-are-interested" : "we-are-not-interested");
  tsr_member_fill (self);
  drop_if_both_seeds (self);
}

/* After its bitfield, or when our own wants change. */
void
tsr_member_update_interest (TsrMember *self)
{
  const TsrBitfield *have = tsr_peer_conn_get_have (self->conn);
  gboolean interested = FALSE;
  guint i;

  if (have != NULL && tsr_piece_picker_count_wanted (self->shared->picker) > 0)
    for (i = 0; i < self->shared->n_pieces && !interested; i++)
      interested = wanted (self, i) && tsr_bitfield_get (have, i);
  set_interest (self, interested);
}

/* After the choke: rejects from a peer still unchoking us would read as
 * refusals of what it has (and get us banned). A BEP 6 peer's blocks
 * still being read are rejected when the read comes back. */
void
tsr_member_choked (TsrMember *self,
                   gboolean   choked)
{
  if (choked)
    tsr_uploader_choked (self->shared->uploader, self->upload);
  report_state (self, choked ? "we-choke" : "we-unchoke");
}

void
tsr_member_tick (TsrMember *self,
                 gint64     now)
{
  tsr_peer_conn_tick (self->conn);
  tsr_requester_tick (self->shared->requester, self->request, tsr_peer_conn_get_rate (self->conn), now);
  tsr_member_fill (self);
}

/* BEP 6: a newcomer (few pieces) may ask for the pieces of its canonical
 * allowed-fast set that we have even while choked, to get started. */
static void
offer_allowed_fast (TsrMember *self)
{
  if (self->shared->is_private)
    return;
  tsr_uploader_offer_fast (self->shared->uploader, self->upload, tsr_peer_get_remote_address (peer_of (self)),
                           self->shared->info_hash, self->shared->have,
                           tsr_bitfield_count (tsr_peer_conn_get_have (self->conn)));
}

/* The connection (TsrPeerConnFuncs) --------------------------------- */

void
tsr_member_greet (TsrMember              *self,
                  const TsrWireHandshake *theirs)
{
  TsrMemberShared *shared = self->shared;

  /* Ourselves, or a peer already connected: closed. */
  if (!shared->funcs->shaking (self, theirs, shared->user_data))
    return;
  /* BEP 11's "supports uTP" for peer exchange: a peer reached over uTP,
   * in either direction, speaks it. A dialled one had no transport when
   * its member was made; by its handshake the dial has connected. */
  tsr_ext_peer_set_utp (self->ext, tsr_peer_get_transport (peer_of (self)) == TSR_TRANSPORT_UTP);
  /* Shaken from here on, for whoever hears of it below. */
  tsr_peer_conn_greet (self->conn, theirs, shared->picker != NULL ? shared->have : NULL);
  shared->funcs->shaken (self, shared->user_data);
  tsr_extensions_peer_shaken (shared->extensions, self->ext, tsr_peer_conn_is_dialed (self->conn),
                              (tsr_peer_get_features (peer_of (self)) & TSR_PEER_FEATURE_EXTENDED) != 0);
}

static void
conn_handshake (TsrPeerConn            *conn,
                const TsrWireHandshake *theirs,
                gpointer                member)
{
  tsr_member_greet (member, theirs);
}

/* The BEP 3 flags: @flipped is FALSE for a repeated message. */
static void
on_flag_changed (TsrMember     *self,
                 TsrPeerChange  change,
                 gboolean       flipped)
{
  static const char *const names[] = { "choked-us", "unchoked-us", "interested-in-us", "not-interested-in-us" };

  if (flipped)
    report_state (self, names[change]);
  if (change == TSR_PEER_CHOKED_US)
    tsr_requester_release (self->shared->requester, self->request);
  else if (change == TSR_PEER_UNCHOKED_US && flipped)
    tsr_requester_unchoked (self->shared->requester, self->request, now_seconds ());
  if (change == TSR_PEER_UNCHOKED_US)
    tsr_member_fill (self);
  /* Unchoking it, or a choker round: the swarm's to judge. */
  self->shared->funcs->flag (self, change, self->shared->user_data);
}

static void
conn_changed (TsrPeerConn   *conn,
              TsrPeerChange  change,
              guint          index,
              gpointer       member)
{
  TsrMember *self = member;

  if (change <= TSR_PEER_NOT_INTERESTED_IN_US)
    on_flag_changed (self, change, index);
  /* One piece more can only make us interested: no scan. */
  else if (change == TSR_PEER_HAS)
    set_interest (self, tsr_peer_conn_is_am_interested (conn) || wanted (self, index));
  else if (change == TSR_PEER_PIECES_CHANGED)
    {
      if (index != TSR_WIRE_HAVE_NONE)
        tsr_member_update_interest (self);
      if (index != TSR_WIRE_HAVE_ALL)
        offer_allowed_fast (self);
    }
  /* BEP 6: pieces we may ask for even while it chokes us. */
  else if (change == TSR_PEER_ALLOWED_FAST &&
           tsr_requester_on_allowed_fast (self->shared->requester, self->request, index))
    {
      if (tsr_peer_conn_is_peer_choking (conn) && wanted (self, index) && tsr_peer_conn_has (conn, index))
        set_interest (self, TRUE);
      tsr_member_fill (self);
    }
  else if (change == TSR_PEER_SUGGEST)
    tsr_requester_on_suggest (self->shared->requester, self->request, index);
}

static void
conn_block (TsrPeerConn          *conn,
            const TsrWireMessage *message,
            gpointer              member)
{
  TsrMember *self = member;
  TsrMemberShared *shared = self->shared;
  TsrBlockResult result = tsr_requester_on_block (shared->requester, self->request, message->index, message->begin,
                                                  message->data, message->data_length, now_seconds ());

  shared->funcs->moved (message->data_length, FALSE, shared->user_data);
  if (result == TSR_BLOCK_COMPLETED)
    shared->funcs->complete (message->index, shared->user_data);
  tsr_member_fill (self);
}

static void
conn_request (TsrPeerConn          *conn,
              const TsrWireMessage *message,
              gpointer              member)
{
  TsrMember *self = member;
  TsrMemberShared *shared = self->shared;

  if (message->type == TSR_WIRE_CANCEL)
    tsr_uploader_cancel (shared->uploader, self->upload, message->index, message->begin, message->length);
  else
    tsr_uploader_request (shared->uploader, self->upload, message->index, message->begin, message->length,
                          tsr_bitfield_get (shared->have, message->index) &&
                            !shared->funcs->stopping (shared->user_data));
}

/* BEP 6: the block goes back to the pool (asked again at the next tick,
 * not at once: the same peer would only refuse again). */
static void
conn_reject (TsrPeerConn          *conn,
             const TsrWireMessage *message,
             gpointer              member)
{
  TsrMember *self = member;
  guint refusals;
  g_autofree char *reason = NULL;

  if (!tsr_requester_on_reject (self->shared->requester, self->request, message->index, message->begin))
    return;
  refusals = tsr_requester_peer_get_refusals (self->request);
  /* TRANSLATORS: why a peer was banned */
  reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "refused %u request for pieces it claims to have",
                                         "refused %u requests for pieces it claims to have",
                                         refusals), refusals);
  self->shared->funcs->ban (self, reason, self->shared->user_data);
}

static void
conn_extension (TsrPeerConn          *conn,
                const TsrWireMessage *message,
                gpointer              member)
{
  TsrMember *self = member;

  tsr_extensions_on_message (self->shared->extensions, self->ext, message);
}

static void
conn_dht_node (TsrPeerConn          *conn,
               const TsrPeerAddress *node,
               gpointer              member)
{
  TsrMember *self = member;

  self->shared->funcs->dht_node (node, self->shared->user_data);
}

static void
conn_drained (TsrPeerConn *conn,
              gpointer     member)
{
  TsrMember *self = member;

  tsr_uploader_drained (self->shared->uploader, self->upload);
}

static void
conn_closed (TsrPeerConn *conn,
             const char  *reason,
             gpointer     member)
{
  TsrMember *self = member;

  self->shared->funcs->closed (self, reason, self->shared->user_data);
}

static const TsrPeerConnFuncs conn_funcs = {
  .handshake = conn_handshake,
  .changed = conn_changed,
  .block = conn_block,
  .request = conn_request,
  .reject = conn_reject,
  .extension = conn_extension,
  .dht_node = conn_dht_node,
  .drained = conn_drained,
  .closed = conn_closed,
};

/* Requests (TsrRequesterFuncs): a connection is its member ---------- */

static void
request_send_request (gpointer conn,
                      guint32  index,
                      guint32  begin,
                      guint32  length,
                      gpointer user_data)
{
  tsr_peer_conn_send (((TsrMember *) conn)->conn, TSR_WIRE_REQUEST, index, begin, length);
}

static void
request_send_cancel (gpointer conn,
                     guint32  index,
                     guint32  begin,
                     guint32  length,
                     gpointer user_data)
{
  tsr_peer_conn_send (((TsrMember *) conn)->conn, TSR_WIRE_CANCEL, index, begin, length);
}

static const TsrBitfield *
request_have (gpointer conn,
              gpointer user_data)
{
  return tsr_peer_conn_get_have (((TsrMember *) conn)->conn);
}

static gboolean
request_choking (gpointer conn,
                 gpointer user_data)
{
  return tsr_peer_conn_is_peer_choking (((TsrMember *) conn)->conn);
}

static gboolean
request_interested (gpointer conn,
                    gpointer user_data)
{
  return tsr_peer_conn_is_am_interested (((TsrMember *) conn)->conn);
}

static gboolean
conn_fast (gpointer conn,
           gpointer user_data)
{
  return (tsr_peer_get_features (peer_of (conn)) & TSR_PEER_FEATURE_FAST) != 0;
}

static const TsrPeerAddress *
request_address (gpointer conn,
                 gpointer user_data)
{
  return tsr_peer_get_remote_address (peer_of (conn));
}

static gboolean
we_have (guint    index,
         gpointer user_data)
{
  TsrMemberShared *shared = user_data;

  return tsr_bitfield_get (shared->have, index);
}

static void
request_snubbed (gpointer conn,
                 gpointer user_data)
{
  report_state (conn, "snubbed-us");
}

static const TsrRequesterFuncs request_funcs = {
  .send_request = request_send_request,
  .send_cancel = request_send_cancel,
  .have = request_have,
  .choking = request_choking,
  .interested = request_interested,
  .fast = conn_fast,
  .address = request_address,
  .we_have = we_have,
  .snubbed = request_snubbed,
};

/* Uploads (TsrUploaderFuncs) ----------------------------------------- */

static void
upload_send_block (gpointer  conn,
                   guint32   index,
                   guint32   begin,
                   GBytes   *block,
                   gpointer  user_data)
{
  tsr_peer_send_block (peer_of (conn), index, begin, block);
}

static void
upload_send_reject (gpointer conn,
                    guint32  index,
                    guint32  begin,
                    guint32  length,
                    gpointer user_data)
{
  tsr_peer_conn_send (((TsrMember *) conn)->conn, TSR_WIRE_REJECT, index, begin, length);
}

static void
upload_send_allowed_fast (gpointer conn,
                          guint32  index,
                          gpointer user_data)
{
  tsr_peer_conn_send (((TsrMember *) conn)->conn, TSR_WIRE_ALLOWED_FAST, index, 0, 0);
}

static guint64
upload_queued (gpointer conn,
               gpointer user_data)
{
  return tsr_peer_get_queued_bytes (peer_of (conn));
}

static gboolean
upload_choking (gpointer conn,
                gpointer user_data)
{
  return tsr_peer_conn_is_am_choking (((TsrMember *) conn)->conn);
}

static gboolean
upload_closed (gpointer conn,
               gpointer user_data)
{
  return tsr_peer_is_closed (peer_of (conn));
}

static guint64
upload_up_rate (gpointer conn,
                gpointer user_data)
{
  return tsr_peer_conn_get_up_rate (((TsrMember *) conn)->conn);
}

static void
upload_uploaded (gsize    bytes,
                 gpointer user_data)
{
  TsrMemberShared *shared = user_data;

  shared->funcs->moved (bytes, TRUE, shared->user_data);
}

static void
upload_read_failed (const GError *error,
                    gpointer      user_data)
{
  TsrMemberShared *shared = user_data;

  shared->funcs->read_failed (error, shared->user_data);
}

static void
upload_flood (gpointer    conn,
              const char *reason,
              gpointer    user_data)
{
  tsr_peer_close (peer_of (conn), reason);
}

static const TsrUploaderFuncs upload_funcs = {
  .send_block = upload_send_block,
  .send_reject = upload_send_reject,
  .send_allowed_fast = upload_send_allowed_fast,
  .queued = upload_queued,
  .choking = upload_choking,
  .fast = conn_fast,
  .closed = upload_closed,
  .up_rate = upload_up_rate,
  .uploaded = upload_uploaded,
  .read_failed = upload_read_failed,
  .flood = upload_flood,
};

/* Extensions: the host's side (TsrExtensionsFuncs) ------------------- */

static void
ext_send (gpointer              conn,
          const TsrWireMessage *message,
          gpointer              user_data)
{
  tsr_peer_send (peer_of (conn), message);
}

static void
ext_close (gpointer    conn,
           const char *reason,
           gpointer    user_data)
{
  tsr_peer_close (peer_of (conn), reason);
}

static void
ext_handshake (gpointer                     conn,
               const TsrExtensionHandshake *theirs,
               const TsrPeerAddress        *listening,
               gpointer                     user_data)
{
  TsrMemberShared *shared = user_data;
  TsrMember *self = conn;

  tsr_requester_peer_set_reqq (self->request, theirs->reqq);
  tsr_peer_conn_set_client (self->conn, theirs->client);
  /* Where an incoming peer accepts connections: worth dialling later. */
  if (listening != NULL)
    shared->funcs->listening (listening, shared->user_data);
}

static void
ext_learned (const TsrPeerAddress *address,
             guint8                flags,
             gpointer              user_data)
{
  TsrMemberShared *shared = user_data;

  shared->funcs->learned (address, flags, shared->user_data);
}

static void
ext_metainfo (TsrMetainfo  *info,
              const GError *error,
              gpointer      user_data)
{
  TsrMemberShared *shared = user_data;

  shared->funcs->metainfo (info, error, shared->user_data);
}

static const TsrExtensionsFuncs extension_funcs = {
  .send = ext_send,
  .close = ext_close,
  .handshake = ext_handshake,
  .learned = ext_learned,
  .metainfo = ext_metainfo,
  .has_piece = we_have,
};

/* What the views show ------------------------------------------------ */

void
tsr_peer_info_free (TsrPeerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->address);
  g_free (info->client);
  g_free (info->extensions);
  g_free (info);
}

static char *
describe_extensions (TsrMember *self)
{
  TsrPeer *peer = peer_of (self);
  TsrPeerFeatures features = tsr_peer_get_features (peer);
  GString *extensions = g_string_new (NULL);

  if (features & TSR_PEER_FEATURE_FAST)
    g_string_append (extensions, "Fast");
  if (features & TSR_PEER_FEATURE_EXTENDED)
    g_string_append (extensions, extensions->len > 0 ? ", BEP 10" : "BEP 10");
  tsr_extensions_append_names (self->shared->extensions, self->ext, extensions);
  /* Protocol names stay as they are; this one is a word. */
  if (tsr_peer_is_encrypted (peer))
    g_string_append_printf (extensions, extensions->len > 0 ? ", %s" : "%s", _("encrypted"));
  return g_string_free (extensions, FALSE);
}

TsrPeerInfo *
tsr_member_dup_info (TsrMember   *self,
                     TsrPeerPool *pool,
                     gint64       now)
{
  TsrPeerConn *conn = self->conn;
  TsrPeer *peer = peer_of (self);
  const TsrBitfield *have = tsr_peer_conn_get_have (conn);
  guint n_pieces = self->shared->picker != NULL ? self->shared->n_pieces : 0;
  TsrPeerInfo *info;

  if (!tsr_peer_conn_is_shaken (conn))
    return NULL;
  info = g_new0 (TsrPeerInfo, 1);
  info->address = g_strdup (tsr_peer_get_address (peer));
  info->client = tsr_peer_conn_get_client (conn) != NULL ? g_strdup (tsr_peer_conn_get_client (conn))
                                                         : tsr_peer_id_describe (tsr_peer_get_id (peer));
  info->incoming = !tsr_peer_conn_is_dialed (conn);
  if (!tsr_peer_conn_is_dialed (conn) ||
      !tsr_peer_pool_get_source (pool, tsr_peer_get_remote_address (peer), &info->source))
    info->source = TSR_PEER_SOURCE_INCOMING;
  info->extensions = describe_extensions (self);
  info->am_choking = tsr_peer_conn_is_am_choking (conn);
  info->am_interested = tsr_peer_conn_is_am_interested (conn);
  info->peer_choking = tsr_peer_conn_is_peer_choking (conn);
  info->peer_interested = tsr_peer_conn_is_peer_interested (conn);
  info->snubbed = tsr_requester_peer_is_snubbed (self->request);
  info->fast = (tsr_peer_get_features (peer) & TSR_PEER_FEATURE_FAST) != 0;
  info->encrypted = tsr_peer_is_encrypted (peer);
  info->transport = tsr_peer_get_transport (peer);
  info->down_rate = tsr_peer_conn_get_rate (conn);
  info->up_rate = tsr_peer_conn_get_up_rate (conn);
  info->downloaded = tsr_peer_get_bytes_received (peer);
  info->uploaded = tsr_peer_get_bytes_sent (peer);
  info->progress = have != NULL && n_pieces > 0 ? (gdouble) tsr_bitfield_count (have) / n_pieces : 0;
  info->requests_out = tsr_requester_peer_get_n_requests (self->request);
  info->requests_in = tsr_uploader_peer_get_reads (self->upload) + tsr_uploader_peer_get_waiting (self->upload);
  info->connected_seconds = now - tsr_peer_conn_get_connected_at (conn);
  return info;
}

void
tsr_member_dump_json (TsrMember   *self,
                      JsonBuilder *builder,
                      gint64       now)
{
  TsrPeerConn *conn = self->conn;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, tsr_peer_get_address (peer_of (self)));
  json_builder_set_member_name (builder, "am_interested");
  json_builder_add_boolean_value (builder, tsr_peer_conn_is_am_interested (conn));
  json_builder_set_member_name (builder, "peer_choking");
  json_builder_add_boolean_value (builder, tsr_peer_conn_is_peer_choking (conn));
  json_builder_set_member_name (builder, "am_choking");
  json_builder_add_boolean_value (builder, tsr_peer_conn_is_am_choking (conn));
  json_builder_set_member_name (builder, "requests");
  json_builder_add_int_value (builder, tsr_requester_peer_get_n_requests (self->request));
  json_builder_set_member_name (builder, "pipeline");
  json_builder_add_int_value (builder, tsr_requester_peer_get_pipeline (self->request));
  json_builder_set_member_name (builder, "snubbed");
  json_builder_add_boolean_value (builder, tsr_requester_peer_is_snubbed (self->request));
  json_builder_set_member_name (builder, "since_block");
  json_builder_add_int_value (builder, now - tsr_requester_peer_get_last_block (self->request));
  json_builder_set_member_name (builder, "rate");
  json_builder_add_int_value (builder, (gint64) tsr_peer_conn_get_rate (conn));
  json_builder_set_member_name (builder, "received");
  json_builder_add_int_value (builder, (gint64) tsr_peer_get_bytes_received (peer_of (self)));
  json_builder_set_member_name (builder, "reads");
  json_builder_add_int_value (builder, tsr_uploader_peer_get_reads (self->upload));
  json_builder_set_member_name (builder, "asked");
  json_builder_add_int_value (builder, tsr_uploader_peer_get_waiting (self->upload));
  json_builder_set_member_name (builder, "dropping");
  json_builder_add_boolean_value (builder, tsr_peer_conn_is_dropping (conn));
  json_builder_end_object (builder);
}
