/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-hasher.c: the hashing engine behind create, verify and recheck.
 *
 * Worker threads claim batches of consecutive pieces from one atomic
 * counter, read each batch with a few large pread()s (files opened with
 * POSIX_FADV_SEQUENTIAL, so the kernel reads ahead) and hash the pieces in
 * it: SHA-1 over the piece (v1), and for v2 SHA-256 of every 16 KiB block
 * folded into the piece's subtree root (BEP 52). Batches stay adjacent, so
 * even a spinning disk sees near-sequential reads. Nothing here touches
 * the main loop; progress is two atomic counters.
 */
#define G_LOG_DOMAIN "tsr-hasher"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsr-hasher.h"
#include "tsr-io-pool.h"
#include "tsr-merkle.h"

G_DEFINE_QUARK (tsr-hasher-error-quark, tsr_hasher_error)

#define BLOCK_SIZE       TSR_MERKLE_BLOCK_SIZE
#define BATCH_BYTES      (4 * 1024 * 1024)

typedef struct
{
  char    *path;          /* (owned) (nullable): NULL for a pad file */
  guint64  offset;
  guint64  length;
  gboolean missing;       /* set by workers (verify): absent or short */
  gboolean has_root;
  guint8   root[32];
} HashFile;

struct _TsrHashJob
{
  guint64       piece_length;
  TsrHashKinds  kinds;
  gboolean      missing_ok;
  GArray       *files;          /* (element-type HashFile) */
  guint64       stream_length;
  guint         n_pieces;

  guint8       *states;         /* TsrPieceState per piece */
  guint8       *sha1;           /* 20 bytes per piece */
  guint8       *v2;             /* 32 bytes per piece */
  guint8       *v2_set;         /* per piece: v2 hash present */

  /* Run state */
  gint          next_batch;     /* atomic */
  guint         batch_pieces;
  gsize         bytes_done;     /* atomic */
  gint          pieces_done;    /* atomic */
  GCancellable *cancellable;
  /* tsr_hash_job_run_async's, for the worker and the finish: not the
   * GTask's, which running in GTask's pool connected to it, and GSignal
   * kept an empty handler list on it after (48 bytes per idle torrent). */
  GCancellable *async_cancellable;  /* (owned) (nullable) */
  guint         async_threads;
  GMutex        error_lock;
  GError       *error;          /* first error; stops every worker */
  gint          failed;         /* atomic */
};

static void
hash_file_clear (gpointer data)
{
  HashFile *file = data;

  g_free (file->path);
}

TsrHashJob *
tsr_hash_job_new (guint64      piece_length,
                  TsrHashKinds kinds,
                  gboolean     missing_ok)
{
  TsrHashJob *job;

  g_return_val_if_fail (piece_length > 0, NULL);
  g_return_val_if_fail (!(kinds & TSR_HASH_V2) || (piece_length >= BLOCK_SIZE && (piece_length & (piece_length - 1)) == 0), NULL);

  job = g_new0 (TsrHashJob, 1);
  job->piece_length = piece_length;
  job->kinds = kinds;
  job->missing_ok = missing_ok;
  job->files = g_array_new (FALSE, TRUE, sizeof (HashFile));
  g_array_set_clear_func (job->files, hash_file_clear);
  g_mutex_init (&job->error_lock);
  return job;
}

void
tsr_hash_job_free (TsrHashJob *job)
{
  if (job == NULL)
    return;
  g_array_unref (job->files);
  g_free (job->states);
  g_free (job->sha1);
  g_free (job->v2);
  g_free (job->v2_set);
  g_clear_error (&job->error);
  g_clear_object (&job->async_cancellable);
  g_mutex_clear (&job->error_lock);
  g_free (job);
}

guint
tsr_hash_job_add_file (TsrHashJob *job,
                       const char *path,
                       guint64     offset,
                       guint64     length)
{
  HashFile file = { 0 };

  g_return_val_if_fail (job != NULL, 0);
  g_return_val_if_fail (job->states == NULL, 0);
  if (job->files->len > 0)
    {
      HashFile *last = &g_array_index (job->files, HashFile, job->files->len - 1);

      g_return_val_if_fail (offset >= last->offset + last->length, 0);
    }
  file.path = g_strdup (path);
  file.offset = offset;
  file.length = length;
  g_array_append_val (job->files, file);
  job->stream_length = MAX (job->stream_length, offset + length);
  return job->files->len - 1;
}

void
tsr_hash_job_set_stream_length (TsrHashJob *job,
                                guint64     stream_length)
{
  g_return_if_fail (job != NULL);
  g_return_if_fail (stream_length >= job->stream_length);
  job->stream_length = stream_length;
}

static void
prepare (TsrHashJob *job)
{
  if (job->states != NULL)
    return;
  job->n_pieces = (guint) ((job->stream_length + job->piece_length - 1) / job->piece_length);
  job->states = g_malloc0 (MAX (job->n_pieces, 1));
  if (job->kinds & TSR_HASH_V1)
    job->sha1 = g_malloc0 ((gsize) MAX (job->n_pieces, 1) * SHA1_DIGEST_SIZE);
  if (job->kinds & TSR_HASH_V2)
    {
      job->v2 = g_malloc0 ((gsize) MAX (job->n_pieces, 1) * 32);
      job->v2_set = g_malloc0 (MAX (job->n_pieces, 1));
    }
}

guint
tsr_hash_job_get_piece_count (TsrHashJob *job)
{
  g_return_val_if_fail (job != NULL, 0);
  prepare (job);
  return job->n_pieces;
}

guint64
tsr_hash_job_get_total_bytes (TsrHashJob *job)
{
  guint64 total = 0;
  guint i;

  g_return_val_if_fail (job != NULL, 0);
  for (i = 0; i < job->files->len; i++)
    total += g_array_index (job->files, HashFile, i).length;
  return total;
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */

typedef struct
{
  TsrHashJob *job;
  guint8     *buffer;           /* batch_pieces * piece_length */
  guint8     *leaves;           /* piece_length / BLOCK_SIZE hashes */
  int         fd;
  guint       fd_file;          /* index of the open file */
} Worker;

static void
set_error (TsrHashJob *job,
           GError     *error)
{
  g_mutex_lock (&job->error_lock);
  if (job->error == NULL)
    job->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&job->error_lock);
  g_atomic_int_set (&job->failed, 1);
}

static gboolean
should_stop (TsrHashJob *job)
{
  return g_atomic_int_get (&job->failed) || g_cancellable_is_cancelled (job->cancellable);
}

/* Index of the first file that ends after @offset. */
static guint
find_file (TsrHashJob *job,
           guint64     offset)
{
  guint lo = 0;
  guint hi = job->files->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      HashFile *file = &g_array_index (job->files, HashFile, mid);

      if (file->offset + file->length <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static int
worker_open (Worker *worker,
             guint   index)
{
  HashFile *file = &g_array_index (worker->job->files, HashFile, index);

  if (worker->fd >= 0 && worker->fd_file == index)
    return worker->fd;
  if (worker->fd >= 0)
    close (worker->fd);
  worker->fd = g_open (file->path, O_RDONLY | O_CLOEXEC, 0);
  worker->fd_file = index;
  if (worker->fd >= 0)
    posix_fadvise (worker->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return worker->fd;
}

/* Reads [@start, @end) of the stream into @out. Pad files and gaps read as
 * zeros. Returns FALSE when data is missing (verify) or on error (create,
 * with the job's error set). */
static gboolean
read_range (Worker  *worker,
            guint64  start,
            guint64  end,
            guint8  *out)
{
  TsrHashJob *job = worker->job;
  guint index = find_file (job, start);
  guint64 pos = start;
  gboolean complete = TRUE;

  /* Pad files and gaps are zeroed as they come: a buffer for data that
   * is missing is never touched (a fresh download's check reads nothing). */
  for (; index < job->files->len && pos < end; index++)
    {
      HashFile *file = &g_array_index (job->files, HashFile, index);
      guint64 from, to;
      int fd;

      if (file->offset >= end)
        break;
      if (file->path == NULL || file->length == 0)
        continue;
      from = MAX (pos, file->offset);
      to = MIN (end, file->offset + file->length);
      if (from >= to)
        continue;
      if (from > pos)
        memset (out + (pos - start), 0, from - pos);
      pos = from;
      fd = worker_open (worker, index);
      if (fd < 0)
        {
          int saved = errno;

          if (job->missing_ok)
            {
              g_atomic_int_set (&file->missing, TRUE);
              complete = FALSE;
              pos = to;
              continue;
            }
          set_error (job, g_error_new (TSR_HASHER_ERROR, TSR_HASHER_ERROR_READ,
                                       _("Cannot open “%s”: %s"), file->path, g_strerror (saved)));
          return FALSE;
        }
      while (from < to)
        {
          gssize n = pread (fd, out + (from - start), to - from, (off_t) (from - file->offset));

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int saved = errno;

              if (job->missing_ok)
                {
                  g_atomic_int_set (&file->missing, TRUE);
                  complete = FALSE;
                  break;
                }
              set_error (job, g_error_new (TSR_HASHER_ERROR, TSR_HASHER_ERROR_READ,
                                           _("Cannot read “%s”: %s"), file->path, g_strerror (saved)));
              return FALSE;
            }
          if (n == 0)
            {
              if (job->missing_ok)
                {
                  g_atomic_int_set (&file->missing, TRUE);
                  complete = FALSE;
                  break;
                }
              set_error (job, g_error_new (TSR_HASHER_ERROR, TSR_HASHER_ERROR_CHANGED,
                                           _("“%s” became shorter while it was being hashed"), file->path));
              return FALSE;
            }
          from += (guint64) n;
        }
      pos = to;
    }
  if (pos < end)
    memset (out + (pos - start), 0, end - pos);
  return complete;
}

static void
hash_batch (Worker *worker,
            guint   first,
            guint   last)
{
  TsrHashJob *job = worker->job;
  guint64 start = (guint64) first * job->piece_length;
  guint64 end = MIN ((guint64) last * job->piece_length, job->stream_length);
  gboolean complete;
  guint piece;

  complete = read_range (worker, start, end, worker->buffer);
  if (g_atomic_int_get (&job->failed))
    return;

  for (piece = first; piece < last; piece++)
    {
      guint64 piece_start = (guint64) piece * job->piece_length;
      guint64 piece_end = MIN (piece_start + job->piece_length, job->stream_length);
      const guint8 *data = worker->buffer + (piece_start - start);
      gboolean piece_complete = complete;

      /* Only a short batch needs the piece-by-piece answer. */
      if (!complete)
        piece_complete = read_range (worker, piece_start, piece_end, worker->buffer + (piece_start - start));

      /* A piece with data missing is missing whatever its hash: a fresh
       * download's check would otherwise hash the whole torrent as zeros. */
      if (piece_complete && (job->kinds & TSR_HASH_V1))
        {
          struct sha1_ctx ctx;

          sha1_init (&ctx);
          sha1_update (&ctx, piece_end - piece_start, data);
          sha1_digest (&ctx, SHA1_DIGEST_SIZE, job->sha1 + (gsize) piece * SHA1_DIGEST_SIZE);
        }
      if (piece_complete && (job->kinds & TSR_HASH_V2))
        {
          guint index = find_file (job, piece_start);

          /* The first real file holding data at this offset. */
          while (index < job->files->len &&
                 (g_array_index (job->files, HashFile, index).path == NULL ||
                  g_array_index (job->files, HashFile, index).length == 0))
            index++;
          if (index < job->files->len)
            {
              HashFile *file = &g_array_index (job->files, HashFile, index);

              if (file->offset <= piece_start && piece_start < file->offset + file->length)
                {
                  guint64 length = MIN (piece_end, file->offset + file->length) - piece_start;

                  tsr_merkle_hash_piece (data, length, job->piece_length, file->length,
                                         worker->leaves, job->v2 + (gsize) piece * 32);
                  job->v2_set[piece] = 1;
                }
            }
        }
      job->states[piece] = piece_complete ? TSR_PIECE_HASHED : TSR_PIECE_MISSING;
      g_atomic_int_inc (&job->pieces_done);
    }
  /* Bytes of the stream covered, for progress. */
  g_atomic_pointer_add (&job->bytes_done, (gssize) (end - start));
}

static gpointer
worker_run (gpointer data)
{
  TsrHashJob *job = data;
  Worker worker = { job, NULL, NULL, -1, 0 };
  guint n_batches = (job->n_pieces + job->batch_pieces - 1) / job->batch_pieces;

  /* A batch, or the whole stream when it is smaller. */
  worker.buffer = g_malloc (MIN ((gsize) job->batch_pieces * job->piece_length, MAX (job->stream_length, 1)));
  if (job->kinds & TSR_HASH_V2)
    worker.leaves = g_malloc ((gsize) (job->piece_length / BLOCK_SIZE) * 32);

  while (!should_stop (job))
    {
      guint batch = (guint) g_atomic_int_add (&job->next_batch, 1);
      guint first, last;

      if (batch >= n_batches)
        break;
      first = batch * job->batch_pieces;
      last = MIN (first + job->batch_pieces, job->n_pieces);
      hash_batch (&worker, first, last);
    }

  if (worker.fd >= 0)
    close (worker.fd);
  g_free (worker.buffer);
  g_free (worker.leaves);
  return NULL;
}

/* After the pieces: each v2 file's piece layer folds into its root. */
static void
finish_v2 (TsrHashJob *job)
{
  guint i;

  for (i = 0; i < job->files->len; i++)
    {
      HashFile *file = &g_array_index (job->files, HashFile, i);
      guint first = (guint) (file->offset / job->piece_length);
      guint count = (guint) ((file->length + job->piece_length - 1) / job->piece_length);

      if (file->path == NULL || file->length == 0)
        continue;
      g_return_if_fail (file->offset % job->piece_length == 0);
      if (count == 1)
        memcpy (file->root, job->v2 + (gsize) first * 32, 32);
      else
        tsr_merkle_layer_root (job->v2 + (gsize) first * 32, count, job->piece_length, file->root);
      file->has_root = TRUE;
    }
}

gboolean
tsr_hash_job_run (TsrHashJob    *job,
                  guint          n_threads,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint i;

  g_return_val_if_fail (job != NULL, FALSE);

  prepare (job);
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  job->cancellable = cancellable;
  job->batch_pieces = (guint) MAX (1, BATCH_BYTES / job->piece_length);
  g_atomic_int_set (&job->next_batch, 0);

  /* No more threads than batches: a small torrent is one thread's work. */
  for (i = 1; i < n_threads && i < (job->n_pieces + job->batch_pieces - 1) / job->batch_pieces; i++)
    g_ptr_array_add (threads, g_thread_new ("tsr-hasher", worker_run, job));
  worker_run (job);
  for (i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  job->cancellable = NULL;

  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (job->kinds & TSR_HASH_V2)
    finish_v2 (job);
  return TRUE;
}

static void
run_in_thread (GTask *task)
{
  TsrHashJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (tsr_hash_job_run (job, job->async_threads, job->async_cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tsr_hash_job_run_async (TsrHashJob          *job,
                        guint                n_threads,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, tsr_hash_job_run_async);
  /* The job stays owned by the caller, who must keep it until finish. */
  g_task_set_task_data (task, job, NULL);
  g_set_object (&job->async_cancellable, cancellable);
  job->async_threads = n_threads;
  tsr_io_pool_run_long (task, run_in_thread);
}

gboolean
tsr_hash_job_run_finish (TsrHashJob    *job,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  /* As a GTask with the cancellable would: cancelled wins, even over a
   * run that had just ended. */
  if (g_cancellable_set_error_if_cancelled (job->async_cancellable, error))
    {
      g_task_propagate_boolean (G_TASK (result), NULL);
      return FALSE;
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint64
tsr_hash_job_get_bytes_done (TsrHashJob *job)
{
  return (guint64) g_atomic_pointer_get (&job->bytes_done);
}

guint
tsr_hash_job_get_pieces_done (TsrHashJob *job)
{
  return (guint) g_atomic_int_get (&job->pieces_done);
}

TsrPieceState
tsr_hash_job_get_piece_state (TsrHashJob *job,
                              guint       piece)
{
  g_return_val_if_fail (job != NULL && job->states != NULL && piece < job->n_pieces, TSR_PIECE_UNKNOWN);
  return job->states[piece];
}

const guint8 *
tsr_hash_job_get_piece_sha1 (TsrHashJob *job,
                             guint       piece)
{
  g_return_val_if_fail (job != NULL && job->sha1 != NULL && piece < job->n_pieces, NULL);
  return job->sha1 + (gsize) piece * SHA1_DIGEST_SIZE;
}

const guint8 *
tsr_hash_job_get_piece_v2 (TsrHashJob *job,
                           guint       piece)
{
  g_return_val_if_fail (job != NULL && job->v2 != NULL && piece < job->n_pieces, NULL);
  return job->v2_set[piece] ? job->v2 + (gsize) piece * 32 : NULL;
}

const guint8 *
tsr_hash_job_get_file_root (TsrHashJob *job,
                            guint       index)
{
  HashFile *file;

  g_return_val_if_fail (job != NULL && index < job->files->len, NULL);
  file = &g_array_index (job->files, HashFile, index);
  return file->has_root ? file->root : NULL;
}

GBytes *
tsr_hash_job_dup_file_layer (TsrHashJob *job,
                             guint       index)
{
  HashFile *file;
  guint first, count;

  g_return_val_if_fail (job != NULL && job->v2 != NULL && index < job->files->len, NULL);
  file = &g_array_index (job->files, HashFile, index);
  if (file->path == NULL || file->length <= job->piece_length)
    return NULL;
  first = (guint) (file->offset / job->piece_length);
  count = (guint) ((file->length + job->piece_length - 1) / job->piece_length);
  return g_bytes_new (job->v2 + (gsize) first * 32, (gsize) count * 32);
}

gboolean
tsr_hash_job_get_file_present (TsrHashJob *job,
                               guint       index)
{
  g_return_val_if_fail (job != NULL && index < job->files->len, FALSE);
  return !g_atomic_int_get (&g_array_index (job->files, HashFile, index).missing);
}
