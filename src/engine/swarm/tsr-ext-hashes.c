/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ext-hashes.c: BEP 52 hash requests. We answer them from the piece
 * layers of the metainfo (a file's tree above its piece layer is built
 * once, on a worker, when first asked), and hash a piece's blocks on a
 * worker for a request below the piece layer. For a v2-only torrent
 * added by magnet link, whose info dictionary carries no piece layers,
 * we ask the peers for each file's piece layer,
 * TSR_EXT_HASHES_PER_REQUEST hashes at a time with the proof up to the
 * file's root. Work on a worker holds no pointer to us it would follow
 * once we were freed: it checks our cancellable first.
 */
#define G_LOG_DOMAIN "tsr-ext-hashes"

#include "config.h"

#include <string.h>

#include <nettle/sha2.h>

#include "tsr-ext-hashes.h"
#include "tsr-io-pool.h"
#include "tsr-merkle.h"

typedef struct
{
  TsrPeerAddress  address;
  TsrHashRequest  request;
} Waiting;

typedef struct
{
  guint    file;
  gsize    n_pieces;
  gsize    width;          /* the piece layer padded to a power of two */
  guint8  *layer;          /* (owned) width hashes as they come */
  guint    missing;        /* requests not answered yet */
} FileNeed;

typedef struct
{
  guint    need;           /* index into needs */
  guint32  index;
  guint32  count;
  gint64   asked_at;       /* monotonic seconds, 0: not asked */
  gboolean done;
} Chunk;

typedef struct
{
  TsrMetainfo *info;       /* (owned) */
  GArray      *needs;      /* (element-type FileNeed) */
  GArray      *chunks;     /* (element-type Chunk) */
  guint        next_peer;  /* round robin */
  guint        done_source;
} HashFetch;

typedef struct
{
  guint requests;          /* hash requests answered */
} PeerState;

struct _TsrExtHashes
{
  TsrExtensions *host;          /* borrowed: it owns us */
  guint          slot;
  TsrMetainfo   *info;          /* (owned) (nullable) */
  TsrStorage    *storage;       /* (owned) (nullable) */
  GCancellable  *cancellable;   /* (owned) (nullable) made with the first job, cancelled when freed */
  GHashTable    *merkle_trees;  /* (owned) (nullable) pieces root → TsrMerkleTree, for answering */
  GPtrArray     *waiting;       /* (owned) (nullable) requests waiting for their tree */
  HashFetch     *fetch;         /* (owned) (nullable) a v2 magnet's piece layers */
};

static const TsrExtensionClass hashes_class;

static void
waiting_free (Waiting *waiting)
{
  g_free (waiting);
}

static void
hash_fetch_free (HashFetch *fetch)
{
  guint i;

  g_clear_handle_id (&fetch->done_source, g_source_remove);
  for (i = 0; i < fetch->needs->len; i++)
    g_free (g_array_index (fetch->needs, FileNeed, i).layer);
  g_array_unref (fetch->needs);
  g_array_unref (fetch->chunks);
  tsr_metainfo_unref (fetch->info);
  g_free (fetch);
}

TsrExtHashes *
tsr_ext_hashes_new (TsrExtensions *host)
{
  TsrExtHashes *self = g_new0 (TsrExtHashes, 1);

  self->host = host;
  self->slot = tsr_extensions_register (host, &hashes_class, self);
  return self;
}

static void
hashes_free (gpointer ext)
{
  TsrExtHashes *self = ext;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->merkle_trees, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->fetch, hash_fetch_free);
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_object (&self->storage);
  g_free (self);
}

void
tsr_ext_hashes_set_metainfo (TsrExtHashes *self,
                             TsrMetainfo  *info,
                             TsrStorage   *storage)
{
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_clear_object (&self->storage);
  self->info = tsr_metainfo_ref (info);
  self->storage = g_object_ref (storage);
}

/* Made with the first job on the I/O pool: an idle torrent pays nothing. */
static GCancellable *
cancellable_of (TsrExtHashes *self)
{
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

static PeerState *
state_of (TsrExtHashes *self,
          TsrExtPeer   *peer)
{
  return tsr_extensions_get_state (self->host, peer, self->slot);
}

static void
debug_peer (TsrExtPeer *peer,
            const char *what)
{
  g_autofree char *who = tsr_peer_address_to_string (tsr_ext_peer_get_address (peer));

  g_debug ("%s: %s", who, what);
}

/* Levels of 16 KiB blocks below a piece: the piece layer's number. */
static guint
piece_layer_of (guint64 piece_length)
{
  guint level = 0;

  while (((guint64) TSR_MERKLE_BLOCK_SIZE << level) < piece_length)
    level++;
  return level;
}

static guint
log2_of (gsize width)
{
  guint level = 0;

  while (((gsize) 1 << level) < width)
    level++;
  return level;
}

static void
send_hash_message (TsrExtHashes         *self,
                   TsrExtPeer           *peer,
                   TsrWireType           type,
                   const TsrHashRequest *request,
                   const guint8         *hashes,
                   gsize                 n_hashes)
{
  g_autoptr(GByteArray) framed = g_byte_array_new ();
  TsrWireMessage message = { 0 };

  /* The peer sends messages it does not know by their id and payload. */
  tsr_wire_write_hash_message (framed, type, request, hashes, n_hashes);
  message.type = TSR_WIRE_UNKNOWN;
  message.unknown_id = (guint8) type;
  message.data = framed->data + 5;
  message.data_length = framed->len - 5;
  tsr_extensions_send (self->host, peer, &message);
}

/* The file with @root and a piece layer (longer than one piece). */
static const TsrFile *
find_file (TsrMetainfo  *info,
           const guint8 *root)
{
  guint i;

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];

      if (file->has_pieces_root && file->length > info->piece_length && memcmp (file->pieces_root, root, 32) == 0)
        return file;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Answering                                                           */

typedef struct
{
  GBytes  *layer;          /* (owned) */
  guint64  piece_length;
  guint8   root[32];
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  g_bytes_unref (job->layer);
  g_free (job);
}

static void
build_run (GTask *task)
{
  BuildJob *job = g_task_get_task_data (task);
  gsize size = 0;
  const guint8 *layer = g_bytes_get_data (job->layer, &size);

  g_task_return_pointer (task, tsr_merkle_tree_new (layer, size / 32, job->piece_length),
                         (GDestroyNotify) tsr_merkle_tree_free);
}

static void answer (TsrExtHashes *self, TsrExtPeer *peer, const TsrHashRequest *request);

/* Block hashes (BEP 52 base layer 0) are not kept: a request for them
 * reads the piece on a worker and hashes its blocks. */
typedef struct
{
  TsrStorage     *storage;      /* (owned) */
  guint           piece;
  gsize           piece_size;
  guint           blocks;       /* per piece: 1 << piece layer */
  TsrPeerAddress  address;      /* who asked */
  TsrHashRequest  request;
  guint8         *leaves;       /* (owned) blocks hashes, zero past the data */
} LeafJob;

static void
leaf_job_free (LeafJob *job)
{
  g_object_unref (job->storage);
  g_free (job->leaves);
  g_free (job);
}

static void
leaf_run (GTask *task)
{
  LeafJob *job = g_task_get_task_data (task);
  TsrMetainfo *info = tsr_storage_get_metainfo (job->storage);
  g_autofree guint8 *data = g_malloc (MAX (job->piece_size, 1));
  guint8 root[32];
  GError *error = NULL;

  if (!tsr_storage_read (job->storage, (guint64) job->piece * info->piece_length, data, job->piece_size, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  job->leaves = g_malloc0 ((gsize) job->blocks * 32);
  /* Hashes the blocks into leaves; the rest stay zero (BEP 52 padding). */
  tsr_merkle_hash_piece (data, job->piece_size, info->piece_length, G_MAXUINT64, job->leaves, root);
  g_task_return_boolean (task, TRUE);
}

static void
on_leaves (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TsrExtHashes *self = user_data;
  LeafJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GByteArray) hashes = g_byte_array_new ();
  const TsrFile *file;
  TsrMerkleTree *tree = NULL;
  TsrExtPeer *peer;
  guint piece_layer;
  guint32 count = job->request.length;
  guint32 first = job->request.index % job->blocks;
  guint h = log2_of (count);
  g_autofree guint8 *level = NULL;
  guint i;

  /* We are gone: self is not to be touched. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  file = self->info != NULL ? find_file (self->info, job->request.pieces_root) : NULL;
  piece_layer = self->info != NULL ? piece_layer_of (self->info->piece_length) : 0;
  peer = tsr_extensions_find_peer (self->host, &job->address);
  if (peer == NULL)
    return;
  if (file != NULL && self->merkle_trees != NULL)
    {
      g_autoptr(GBytes) key = g_bytes_new (job->request.pieces_root, 32);

      tree = g_hash_table_lookup (self->merkle_trees, key);
    }
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || tree == NULL)
    {
      send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, &job->request, NULL, 0);
      return;
    }
  g_byte_array_append (hashes, job->leaves + (gsize) first * 32, count * 32);
  /* Uncles: inside the piece from the leaves, then from the file's tree. */
  level = g_memdup2 (job->leaves, (gsize) job->blocks * 32);
  {
    gsize width = job->blocks;
    guint at_level = 0;

    for (i = h > 0 ? h - 1 : 0; i < job->request.proof_layers; i++)
      {
        guint ancestor = i + 1;
        gsize sibling = ((gsize) job->request.index >> ancestor) ^ 1;

        if (ancestor < piece_layer)
          {
            /* Fold the piece's levels up to this one. */
            while (at_level < ancestor)
              {
                gsize j;

                for (j = 0; j < width / 2; j++)
                  {
                    struct sha256_ctx ctx;

                    sha256_init (&ctx);
                    sha256_update (&ctx, 64, level + 2 * j * 32);
                    sha256_digest (&ctx, 32, level + j * 32);
                  }
                width /= 2;
                at_level++;
              }
            g_byte_array_append (hashes, level + (sibling % width) * 32, 32);
          }
        else
          {
            const guint8 *node = tsr_merkle_tree_get_node (tree, ancestor - piece_layer, sibling);

            if (node == NULL || ancestor - piece_layer + 1 >= tsr_merkle_tree_get_n_levels (tree))
              {
                send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, &job->request, NULL, 0);
                return;
              }
            g_byte_array_append (hashes, node, 32);
          }
      }
  }
  state_of (self, peer)->requests++;
  send_hash_message (self, peer, TSR_WIRE_HASHES, &job->request, hashes->data, hashes->len / 32);
}

/* A request for block hashes within one piece we have (BEP 52: what a
 * peer asks after a piece of ours failed its check). */
static void
answer_leaves (TsrExtHashes         *self,
               TsrExtPeer           *peer,
               const TsrHashRequest *request,
               const TsrFile        *file,
               TsrMerkleTree        *tree)
{
  guint piece_layer = piece_layer_of (self->info->piece_length);
  guint32 blocks = 1u << piece_layer;
  guint32 count = request->length;
  guint64 file_pieces = (file->length + self->info->piece_length - 1) / self->info->piece_length;
  guint piece = (guint) (file->offset / self->info->piece_length) + request->index / blocks;
  g_autoptr(GTask) task = NULL;
  LeafJob *job;

  if (request->base_layer != 0 || count < 2 || count > blocks || (count & (count - 1)) != 0 ||
      request->index % count != 0 || request->index / blocks >= file_pieces ||
      (guint64) request->proof_layers + 2 > piece_layer + tsr_merkle_tree_get_n_levels (tree) ||
      !tsr_extensions_has_piece (self->host, piece) || state_of (self, peer)->requests >= TSR_EXT_HASHES_MAX_REQUESTS)
    {
      send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, request, NULL, 0);
      return;
    }
  job = g_new0 (LeafJob, 1);
  job->storage = g_object_ref (self->storage);
  job->piece = piece;
  job->piece_size = tsr_metainfo_get_piece_size (self->info, piece);
  job->blocks = blocks;
  job->address = *tsr_ext_peer_get_address (peer);
  job->request = *request;
  task = g_task_new (NULL, cancellable_of (self), on_leaves, self);
  g_task_set_task_data (task, job, (GDestroyNotify) leaf_job_free);
  tsr_io_pool_run (task, leaf_run);
}

static void
on_tree_built (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  TsrExtHashes *self = user_data;
  BuildJob *job = g_task_get_task_data (G_TASK (result));
  TsrMerkleTree *tree = g_task_propagate_pointer (G_TASK (result), NULL);
  guint i;

  /* We are gone: self is not to be touched. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      tsr_merkle_tree_free (tree);
      return;
    }
  if (self->merkle_trees == NULL || tree == NULL)
    {
      tsr_merkle_tree_free (tree);
      return;
    }
  g_hash_table_replace (self->merkle_trees, g_bytes_new (job->root, 32), tree);
  for (i = self->waiting->len; i > 0; i--)
    {
      Waiting *waiting = g_ptr_array_index (self->waiting, i - 1);
      TsrExtPeer *peer;

      if (memcmp (waiting->request.pieces_root, job->root, 32) != 0)
        continue;
      peer = tsr_extensions_find_peer (self->host, &waiting->address);
      if (peer != NULL)
        answer (self, peer, &waiting->request);
      g_ptr_array_remove_index (self->waiting, i - 1);
    }
}

static void
answer (TsrExtHashes         *self,
        TsrExtPeer           *peer,
        const TsrHashRequest *request)
{
  TsrMetainfo *info = self->info;
  const TsrFile *file = info != NULL && info->has_v2 ? find_file (info, request->pieces_root) : NULL;
  guint piece_layer = info != NULL ? piece_layer_of (info->piece_length) : 0;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GByteArray) hashes = NULL;
  TsrMerkleTree *tree;

  /* Below the piece layer only the leaves are served (BEP 52 asks no more). */
  if (file == NULL || (request->base_layer < piece_layer && request->base_layer != 0) ||
      state_of (self, peer)->requests >= TSR_EXT_HASHES_MAX_REQUESTS)
    {
      send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, request, NULL, 0);
      return;
    }
  key = g_bytes_new (request->pieces_root, 32);
  if (self->merkle_trees == NULL)
    {
      self->merkle_trees = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                                  (GDestroyNotify) tsr_merkle_tree_free);
      self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
    }
  if (!g_hash_table_lookup_extended (self->merkle_trees, key, NULL, (gpointer *) &tree))
    {
      GBytes *layer = info->piece_layers != NULL ? g_hash_table_lookup (info->piece_layers, key) : NULL;
      g_autoptr(GTask) task = NULL;
      BuildJob *job;

      if (layer == NULL)
        {
          send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, request, NULL, 0);
          return;
        }
      /* Being built: NULL until it is. */
      g_hash_table_insert (self->merkle_trees, g_bytes_ref (key), NULL);
      job = g_new0 (BuildJob, 1);
      job->layer = g_bytes_ref (layer);
      job->piece_length = info->piece_length;
      memcpy (job->root, request->pieces_root, 32);
      task = g_task_new (NULL, cancellable_of (self), on_tree_built, self);
      g_task_set_task_data (task, job, (GDestroyNotify) build_job_free);
      tsr_io_pool_run (task, build_run);
      tree = NULL;
    }
  if (tree == NULL)
    {
      Waiting *waiting;

      if (self->waiting->len >= TSR_EXT_HASHES_MAX_WAITING)
        {
          send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, request, NULL, 0);
          return;
        }
      waiting = g_new0 (Waiting, 1);
      waiting->address = *tsr_ext_peer_get_address (peer);
      waiting->request = *request;
      g_ptr_array_add (self->waiting, waiting);
      return;
    }
  if (request->base_layer < piece_layer)
    {
      answer_leaves (self, peer, request, file, tree);
      return;
    }
  state_of (self, peer)->requests++;
  hashes = g_byte_array_new ();
  if (tsr_merkle_tree_get_hashes (tree, request->base_layer - piece_layer, request->index, request->length,
                                  request->proof_layers, hashes))
    send_hash_message (self, peer, TSR_WIRE_HASHES, request, hashes->data, hashes->len / 32);
  else
    send_hash_message (self, peer, TSR_WIRE_HASH_REJECT, request, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Asking (a v2-only magnet)                                           */

static void
hashes_tick (gpointer ext,
             gint64   now)
{
  TsrExtHashes *self = ext;
  HashFetch *fetch = self->fetch;
  guint n_peers = tsr_extensions_get_n_peers (self->host);
  guint piece_layer;
  guint i;

  if (fetch == NULL || n_peers == 0)
    return;
  piece_layer = piece_layer_of (fetch->info->piece_length);
  for (i = 0; i < fetch->chunks->len; i++)
    {
      Chunk *chunk = &g_array_index (fetch->chunks, Chunk, i);
      FileNeed *need = &g_array_index (fetch->needs, FileNeed, chunk->need);
      TsrHashRequest request = { { 0 } };
      TsrExtPeer *peer = NULL;
      guint tries;

      if (chunk->done || (chunk->asked_at != 0 && now - chunk->asked_at < TSR_EXT_HASHES_REQUEST_TIMEOUT))
        continue;
      for (tries = 0; tries < n_peers && peer == NULL; tries++)
        {
          TsrExtPeer *candidate = tsr_extensions_get_peer (self->host, fetch->next_peer++ % n_peers);

          if (tsr_extensions_is_ready (self->host, candidate))
            peer = candidate;
        }
      if (peer == NULL)
        return;
      memcpy (request.pieces_root, fetch->info->files[need->file].pieces_root, 32);
      request.base_layer = piece_layer;
      request.index = chunk->index;
      request.length = chunk->count;
      /* Proof up to the root's children. */
      request.proof_layers = log2_of (need->width) - 1;
      send_hash_message (self, peer, TSR_WIRE_HASH_REQUEST, &request, NULL, 0);
      chunk->asked_at = MAX (now, 1);
    }
}

gboolean
tsr_ext_hashes_fetch (TsrExtHashes *self,
                      TsrMetainfo  *info)
{
  HashFetch *fetch;
  guint i;

  fetch = g_new0 (HashFetch, 1);
  fetch->info = tsr_metainfo_ref (info);
  fetch->needs = g_array_new (FALSE, TRUE, sizeof (FileNeed));
  fetch->chunks = g_array_new (FALSE, TRUE, sizeof (Chunk));
  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      FileNeed need = { 0 };
      guint32 index;
      guint32 count;

      if (!file->has_pieces_root || file->length <= info->piece_length)
        continue;
      need.file = i;
      need.n_pieces = (gsize) ((file->length + info->piece_length - 1) / info->piece_length);
      need.width = tsr_next_power_of_two (need.n_pieces);
      need.layer = g_malloc0 (need.width * 32);
      count = (guint32) MIN (need.width, TSR_EXT_HASHES_PER_REQUEST);
      for (index = 0; index < need.width; index += count)
        {
          Chunk chunk = { 0 };

          chunk.need = fetch->needs->len;
          chunk.index = index;
          chunk.count = count;
          g_array_append_val (fetch->chunks, chunk);
          need.missing++;
        }
      g_array_append_val (fetch->needs, need);
    }
  if (fetch->needs->len == 0)
    {
      hash_fetch_free (fetch);
      return FALSE;
    }
  g_clear_pointer (&self->fetch, hash_fetch_free);
  self->fetch = fetch;
  hashes_tick (self, tsr_extensions_now (self->host));
  return TRUE;
}

static gboolean
on_hashes_complete (gpointer user_data)
{
  TsrExtHashes *self = user_data;
  HashFetch *fetch = self->fetch;
  g_autoptr(TsrMetainfo) info = tsr_metainfo_ref (fetch->info);
  guint i;

  fetch->done_source = 0;
  for (i = 0; i < fetch->needs->len; i++)
    {
      FileNeed *need = &g_array_index (fetch->needs, FileNeed, i);
      g_autoptr(GBytes) layer = g_bytes_new (need->layer, need->n_pieces * 32);

      tsr_metainfo_set_piece_layer (info, info->files[need->file].pieces_root, layer);
    }
  g_clear_pointer (&self->fetch, hash_fetch_free);
  tsr_extensions_metainfo (self->host, info, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_reply (TsrExtHashes         *self,
          TsrExtPeer           *peer,
          const TsrWireMessage *message)
{
  HashFetch *fetch = self->fetch;
  TsrHashRequest reply;
  gsize n_hashes;
  guint i;

  if (fetch == NULL)
    return;
  tsr_wire_read_hash_request (message->data, &reply);
  n_hashes = (message->data_length - TSR_WIRE_HASH_HEADER) / 32;
  for (i = 0; i < fetch->chunks->len; i++)
    {
      Chunk *chunk = &g_array_index (fetch->chunks, Chunk, i);
      FileNeed *need = &g_array_index (fetch->needs, FileNeed, chunk->need);
      const guint8 *root = fetch->info->files[need->file].pieces_root;
      const guint8 *hashes = message->data + TSR_WIRE_HASH_HEADER;

      if (chunk->done || chunk->index != reply.index || chunk->count != reply.length ||
          memcmp (root, reply.pieces_root, 32) != 0)
        continue;
      if (message->type == TSR_WIRE_HASH_REJECT)
        {
          /* Someone else is asked at the next tick. */
          chunk->asked_at = 0;
          return;
        }
      if (n_hashes < chunk->count ||
          !tsr_merkle_verify_piece_hashes (root, need->n_pieces, chunk->index, chunk->count, hashes,
                                           n_hashes - chunk->count))
        {
          debug_peer (peer, "hashes that do not lead to the file's root");
          chunk->asked_at = 0;
          return;
        }
      memcpy (need->layer + (gsize) chunk->index * 32, hashes, (gsize) chunk->count * 32);
      chunk->done = TRUE;
      need->missing--;
      break;
    }
  for (i = 0; i < fetch->needs->len; i++)
    if (g_array_index (fetch->needs, FileNeed, i).missing > 0)
      return;
  /* Not from inside this peer's message: the metainfo drops it. */
  if (fetch->done_source == 0)
    fetch->done_source = g_idle_add (on_hashes_complete, self);
}

static void
hashes_message (gpointer              ext,
                TsrExtPeer           *peer,
                const TsrWireMessage *message)
{
  TsrExtHashes *self = ext;
  TsrHashRequest request;

  if (message->type == TSR_WIRE_HASH_REQUEST)
    {
      tsr_wire_read_hash_request (message->data, &request);
      answer (self, peer, &request);
    }
  else
    on_reply (self, peer, message);
}

static const TsrExtensionClass hashes_class = {
  .name = NULL,
  .peer_size = sizeof (PeerState),
  .message = hashes_message,
  .tick = hashes_tick,
  .free = hashes_free,
};
