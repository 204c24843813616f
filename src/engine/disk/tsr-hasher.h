/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-hasher.h: hashes the data of a torrent at the speed of the
 * hardware: SHA-1 pieces (v1) and SHA-256 merkle trees of 16 KiB blocks
 * (v2, BEP 52), on a pool of threads reading large sequential chunks.
 *
 * One engine for `tessera-cli create`, `tessera-cli verify`, the app's
 * creation dialog and recheck: a TsrHashJob describes the files laid out
 * in the torrent's byte stream, runs off the main loop, can be cancelled,
 * and exposes atomic progress counters that a main-loop timer can read.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TSR_HASHER_ERROR (tsr_hasher_error_quark ())
GQuark tsr_hasher_error_quark (void);

typedef enum
{
  TSR_HASHER_ERROR_READ,          /* a file could not be read */
  TSR_HASHER_ERROR_CHANGED,       /* a file changed size while being hashed */
} TsrHasherError;

typedef enum
{
  TSR_HASH_V1 = 1 << 0,   /* SHA-1 of every piece of the stream */
  TSR_HASH_V2 = 1 << 1,   /* SHA-256 merkle trees per file */
} TsrHashKinds;

typedef enum
{
  TSR_PIECE_UNKNOWN = 0,   /* not hashed (cancelled) */
  TSR_PIECE_HASHED,        /* all its data was read and hashed */
  TSR_PIECE_MISSING,       /* some of its data is absent: file missing or short */
} TsrPieceState;

typedef struct _TsrHashJob TsrHashJob;

/* With @missing_ok (verify) absent or short files mark their pieces
 * TSR_PIECE_MISSING; without it (create) they are an error. */
TsrHashJob   *tsr_hash_job_new              (guint64        piece_length,
                                             TsrHashKinds   kinds,
                                             gboolean       missing_ok);
void          tsr_hash_job_free             (TsrHashJob    *job);

/* Adds a file at @offset in the stream (offsets must grow; gaps, as in
 * v2-only layouts, hash as nothing). @path NULL is a pad file: zeros.
 * Returns the file's index. */
guint         tsr_hash_job_add_file         (TsrHashJob    *job,
                                             const char    *path,
                                             guint64        offset,
                                             guint64        length);
/* Ends the stream at @stream_length (at least the end of the last file). */
void          tsr_hash_job_set_stream_length (TsrHashJob   *job,
                                              guint64       stream_length);

guint         tsr_hash_job_get_piece_count  (TsrHashJob    *job);
guint64       tsr_hash_job_get_total_bytes  (TsrHashJob    *job);

/* Runs on the calling thread plus @n_threads - 1 helpers (0: one per
 * core). Blocking: call from a worker thread, or use the async form.
 * Returns FALSE with @error on a read failure (create) or cancellation. */
gboolean      tsr_hash_job_run              (TsrHashJob    *job,
                                             guint          n_threads,
                                             GCancellable  *cancellable,
                                             GError       **error);
/* The same on the pool for whole-torrent hashing (tsr-io-pool.h): as
 * many at once as the machine has cores, the others wait their turn. */
void          tsr_hash_job_run_async        (TsrHashJob          *job,
                                             guint                n_threads,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      tsr_hash_job_run_finish       (TsrHashJob    *job,
                                             GAsyncResult  *result,
                                             GError       **error);

/* Progress, safe to read from any thread while the job runs. */
guint64       tsr_hash_job_get_bytes_done   (TsrHashJob    *job);
guint         tsr_hash_job_get_pieces_done  (TsrHashJob    *job);

/* Results, once run has returned. */
TsrPieceState tsr_hash_job_get_piece_state  (TsrHashJob    *job,
                                             guint          piece);
/* 20-byte SHA-1 of @piece (TSR_HASH_V1). */
const guint8 *tsr_hash_job_get_piece_sha1   (TsrHashJob    *job,
                                             guint          piece);
/* 32-byte v2 hash of @piece: the root of its piece-sized subtree, as
 * stored in "piece layers" (TSR_HASH_V2; NULL for pieces of no file). */
const guint8 *tsr_hash_job_get_piece_v2     (TsrHashJob    *job,
                                             guint          piece);
/* v2 per file: the pieces root (NULL for empty and pad files) and the
 * piece layer (NULL when the file is not longer than one piece). */
const guint8 *tsr_hash_job_get_file_root    (TsrHashJob    *job,
                                             guint          file);
GBytes       *tsr_hash_job_dup_file_layer   (TsrHashJob    *job,
                                             guint          file);
/* Whether the file was there with at least its length (verify). */
gboolean      tsr_hash_job_get_file_present (TsrHashJob    *job,
                                             guint          file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrHashJob, tsr_hash_job_free)

G_END_DECLS
