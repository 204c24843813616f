/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-uploader.c: one torrent's uploads. A connection's requests wait in
 * an array, oldest first; they are read from the read cache while the
 * bytes read for it and not yet written to its socket stay under a
 * watermark, so slow peers' requests wait as a few bytes each rather than
 * as blocks in memory. A read that lands finds its connection's record
 * through a reference: the record outlives a removed connection (marked
 * gone) until its last read came back or was dropped with the cache.
 */
#define G_LOG_DOMAIN "tsr-uploader"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-uploader.h"
#include "tsr-wire.h"

typedef struct
{
  guint32 index;
  guint32 begin;
  guint32 length;
} UploadRequest;

struct _TsrUploaderPeer
{
  gint      ref_count;     /* main thread only */
  gpointer  conn;          /* borrowed; unused once gone */
  gboolean  gone;          /* removed: reads for it land harmlessly */
  guint     reads;         /* its requests being read from disk */
  guint64   read_bytes;    /* bytes of those */
  GArray   *asked;         /* (element-type UploadRequest) its requests not yet read */
  gboolean  pumping;       /* inside pump */
  guint32   our_fast[TSR_UPLOADER_ALLOWED_FAST];
  guint     n_our_fast;    /* of those, given to it (only pieces we have) */
  gboolean  fast_offered;
};

struct _TsrUploader
{
  const TsrUploaderFuncs *funcs;
  gpointer                user_data;
  TsrStorage             *storage;    /* (owned) (nullable) */
  TsrReadCacheGroup      *group;      /* (owned) (nullable) the session's budget */
  TsrReadCache           *cache;      /* (owned) (nullable) with the storage */
};

/* One block being read: one allocation per block, as little as can be. */
typedef struct
{
  TsrUploader     *uploader;  /* alive while the read is: the cache drops reads first */
  TsrUploaderPeer *peer;      /* (owned) */
  guint32          index;
  guint32          begin;
  guint32          length;
} ReadData;

static void
peer_unref (TsrUploaderPeer *peer)
{
  if (--peer->ref_count > 0)
    return;
  g_array_unref (peer->asked);
  g_free (peer);
}


TsrUploader *
tsr_uploader_new (const TsrUploaderFuncs *funcs,
                  gpointer                user_data)
{
  TsrUploader *self = g_new0 (TsrUploader, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_uploader_free (TsrUploader *self)
{
  g_clear_pointer (&self->cache, tsr_read_cache_free);
  g_clear_object (&self->storage);
  g_clear_pointer (&self->group, tsr_read_cache_group_unref);
  g_free (self);
}

void
tsr_uploader_set_storage (TsrUploader *self,
                          TsrStorage  *storage)
{
  if (storage != NULL)
    g_object_ref (storage);
  g_clear_object (&self->storage);
  self->storage = storage;
  g_clear_pointer (&self->cache, tsr_read_cache_free);
}

void
tsr_uploader_set_group (TsrUploader       *self,
                        TsrReadCacheGroup *group)
{
  if (group != NULL)
    tsr_read_cache_group_ref (group);
  g_clear_pointer (&self->group, tsr_read_cache_group_unref);
  self->group = group;
  g_clear_pointer (&self->cache, tsr_read_cache_free);
}

void
tsr_uploader_reset (TsrUploader *self)
{
  g_clear_pointer (&self->cache, tsr_read_cache_free);
}

/* The cache is made by the first read and goes again once empty: an idle
 * torrent (most of a large library) holds none. */
void
tsr_uploader_expire (TsrUploader *self,
                     gint64       before)
{
  if (self->cache == NULL)
    return;
  tsr_read_cache_expire (self->cache, before);
  if (tsr_read_cache_is_idle (self->cache))
    g_clear_pointer (&self->cache, tsr_read_cache_free);
}

gboolean
tsr_uploader_has_cache (TsrUploader *self)
{
  return self->cache != NULL;
}

gsize
tsr_uploader_get_cache_size (TsrUploader *self)
{
  return self->cache != NULL ? tsr_read_cache_get_size (self->cache) : 0;
}

TsrUploaderPeer *
tsr_uploader_add_peer (TsrUploader *self,
                       gpointer     conn)
{
  TsrUploaderPeer *peer = g_new0 (TsrUploaderPeer, 1);

  peer->ref_count = 1;
  peer->conn = conn;
  peer->asked = g_array_new (FALSE, FALSE, sizeof (UploadRequest));
  return peer;
}

void
tsr_uploader_remove_peer (TsrUploader     *self,
                          TsrUploaderPeer *peer)
{
  peer->gone = TRUE;
  peer->conn = NULL;
  g_array_set_size (peer->asked, 0);
  peer_unref (peer);
}

guint
tsr_uploader_peer_get_reads (TsrUploaderPeer *peer)
{
  return peer->reads;
}

guint
tsr_uploader_peer_get_waiting (TsrUploaderPeer *peer)
{
  return peer->asked->len;
}

static gboolean
is_our_fast (TsrUploaderPeer *peer,
             guint32          index)
{
  guint i;

  for (i = 0; i < peer->n_our_fast; i++)
    if (peer->our_fast[i] == index)
      return TRUE;
  return FALSE;
}

static gboolean
is_closed (TsrUploader     *self,
           TsrUploaderPeer *peer)
{
  return peer->gone || self->funcs->closed (peer->conn, self->user_data);
}

/* BEP 6: a peer that speaks the fast extension hears "no" instead of
 * waiting for a block that will never come. */
static void
reject (TsrUploader     *self,
        TsrUploaderPeer *peer,
        guint32          index,
        guint32          begin,
        guint32          length)
{
  if (peer->gone || !self->funcs->fast (peer->conn, self->user_data) || is_closed (self, peer))
    return;
  self->funcs->send_reject (peer->conn, index, begin, length, self->user_data);
}

static void
read_data_free (ReadData *read)
{
  peer_unref (read->peer);
  g_free (read);
}

static void pump (TsrUploader *self, TsrUploaderPeer *peer);

static void
on_block_read (GBytes       *block,
               const GError *error,
               gpointer      user_data)
{
  ReadData *read = user_data;
  TsrUploader *self = read->uploader;
  TsrUploaderPeer *peer = read->peer;

  if (!peer->gone && peer->reads > 0)
    {
      peer->reads--;
      peer->read_bytes -= MIN (peer->read_bytes, read->length);
    }

  /* Choked meanwhile: only allowed-fast pieces (BEP 6) still go. */
  if (block != NULL && !is_closed (self, peer) &&
      (!self->funcs->choking (peer->conn, self->user_data) || is_our_fast (peer, read->index)))
    {
      self->funcs->send_block (peer->conn, read->index, read->begin, block, self->user_data);
      self->funcs->uploaded (g_bytes_get_size (block), self->user_data);
    }
  else if (block == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The data is gone or unreadable (deleted, truncated, a disk
       * error): the owner stops rather than serve anything else. */
      reject (self, peer, read->index, read->begin, read->length);
      self->funcs->read_failed (error, self->user_data);
    }
  else if (block != NULL)
    reject (self, peer, read->index, read->begin, read->length);
  if (!peer->gone)
    pump (self, peer);
}

/* Blocks read for a peer and not yet written to its socket stay under
 * this: enough for about half a second at its rate, so a fast link stays
 * full, while slow peers' requests wait as a few bytes each instead of
 * as blocks in memory. */
static guint64
watermark (TsrUploader     *self,
           TsrUploaderPeer *peer)
{
  return CLAMP (self->funcs->up_rate (peer->conn, self->user_data) / 2, TSR_UPLOADER_LOW_WATER,
                TSR_UPLOADER_HIGH_WATER);
}

/* Reads the peer's next requests, in the order asked, while its
 * outgoing data is under the watermark. */
static void
pump (TsrUploader     *self,
      TsrUploaderPeer *peer)
{
  guint64 mark;
  guint taken = 0;

  /* A block in the read cache comes back before tsr_read_cache_get
   * returns, and its callback pumps again: this loop goes on instead. */
  if (peer->pumping || self->storage == NULL)
    return;
  if (self->cache == NULL)
    self->cache = tsr_read_cache_new (self->storage, TSR_UPLOADER_READ_CACHE, self->group);
  mark = watermark (self, peer);
  peer->pumping = TRUE;
  peer->ref_count++;
  while (taken < peer->asked->len && !is_closed (self, peer) &&
         peer->read_bytes + self->funcs->queued (peer->conn, self->user_data) < mark)
    {
      UploadRequest asked = g_array_index (peer->asked, UploadRequest, taken);
      ReadData *read = g_new (ReadData, 1);

      taken++;
      peer->reads++;
      peer->read_bytes += asked.length;
      peer->ref_count++;
      read->uploader = self;
      read->peer = peer;
      read->index = asked.index;
      read->begin = asked.begin;
      read->length = asked.length;
      tsr_read_cache_get (self->cache, read->index, read->begin, read->length, on_block_read, read,
                          (GDestroyNotify) read_data_free);
    }
  if (taken > 0)
    g_array_remove_range (peer->asked, 0, MIN (taken, peer->asked->len));
  peer->pumping = FALSE;
  peer_unref (peer);
}

void
tsr_uploader_drained (TsrUploader     *self,
                      TsrUploaderPeer *peer)
{
  if (peer->asked->len > 0)
    pump (self, peer);
}

/* Choked: its waiting requests are refused, but for allowed-fast pieces
 * (BEP 6), which it may still have. A BEP 6 peer's blocks still being
 * read are rejected when the read comes back. */
void
tsr_uploader_choked (TsrUploader     *self,
                     TsrUploaderPeer *peer)
{
  guint kept = 0;
  guint i;

  for (i = 0; i < peer->asked->len; i++)
    {
      UploadRequest asked = g_array_index (peer->asked, UploadRequest, i);

      if (is_our_fast (peer, asked.index))
        g_array_index (peer->asked, UploadRequest, kept++) = asked;
      else
        reject (self, peer, asked.index, asked.begin, asked.length);
    }
  g_array_set_size (peer->asked, kept);
}

void
tsr_uploader_cancel (TsrUploader     *self,
                     TsrUploaderPeer *peer,
                     guint32          index,
                     guint32          begin,
                     guint32          length)
{
  guint i;

  for (i = 0; i < peer->asked->len; i++)
    {
      UploadRequest *asked = &g_array_index (peer->asked, UploadRequest, i);

      if (asked->index == index && asked->begin == begin && asked->length == length)
        {
          g_array_remove_index (peer->asked, i);
          return;
        }
    }
}

void
tsr_uploader_offer_fast (TsrUploader          *self,
                         TsrUploaderPeer      *peer,
                         const TsrPeerAddress *address,
                         const guint8         *info_hash,
                         const TsrBitfield    *ours,
                         guint                 their_count)
{
  guint32 set[TSR_UPLOADER_ALLOWED_FAST];
  guint n;
  guint i;

  /* BEP 6 defines the set for IPv4 only. */
  if (peer->gone || !self->funcs->fast (peer->conn, self->user_data) || peer->fast_offered ||
      their_count >= TSR_UPLOADER_ALLOWED_FAST || address->family != TSR_PEER_ADDRESS_IPV4)
    return;
  peer->fast_offered = TRUE;
  n = tsr_wire_allowed_fast_set (address->address, info_hash, tsr_bitfield_get_size (ours),
                                 TSR_UPLOADER_ALLOWED_FAST, set);
  for (i = 0; i < n; i++)
    if (tsr_bitfield_get (ours, set[i]))
      {
        peer->our_fast[peer->n_our_fast++] = set[i];
        self->funcs->send_allowed_fast (peer->conn, set[i], self->user_data);
      }
}

void
tsr_uploader_request (TsrUploader     *self,
                      TsrUploaderPeer *peer,
                      guint32          index,
                      guint32          begin,
                      guint32          length,
                      gboolean         allowed)
{
  UploadRequest asked;

  if (peer->gone)
    return;
  if ((self->funcs->choking (peer->conn, self->user_data) && !is_our_fast (peer, index)) || !allowed)
    {
      reject (self, peer, index, begin, length);
      return;
    }
  /* A peer that asks far beyond any sane queue is a flood, not a
   * client. */
  if (peer->reads + peer->asked->len >= TSR_UPLOADER_MAX_QUEUED_REQUESTS)
    {
      /* TRANSLATORS: why we closed a connection */
      g_autofree char *reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sent more than %u request at once",
                                                              "Sent more than %u requests at once",
                                                              TSR_UPLOADER_MAX_QUEUED_REQUESTS),
                                                 TSR_UPLOADER_MAX_QUEUED_REQUESTS);

      self->funcs->flood (peer->conn, reason, self->user_data);
      return;
    }
  asked.index = index;
  asked.begin = begin;
  asked.length = length;
  g_array_append_val (peer->asked, asked);
  pump (self, peer);
}
