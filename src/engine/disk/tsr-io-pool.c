/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-io-pool.c: GThreadPools the size of the machine for everything
 * that touches a disk or hashes. One for piece writes and reads (and
 * their hashing), resume records, moves and deletions, so that hashing
 * and writing do not oversubscribe the CPUs between them; a second one as
 * wide for whole-torrent hashing (checks, creation), so that a check of
 * many gigabytes never holds up piece reads and writes.
 */
#define G_LOG_DOMAIN "tsr-io-pool"

#include "config.h"

#include "tsr-io-pool.h"

static GThreadPool *io_pool;
static GThreadPool *long_pool;

typedef struct
{
  GTask     *task;   /* (owned) */
  TsrIoFunc  run;
} IoJob;

static gboolean
release_task (gpointer task)
{
  return G_SOURCE_REMOVE;   /* the destroy notify drops the reference */
}

static void
io_job_run (gpointer data,
            gpointer unused)
{
  IoJob *job = data;
  GSource *source;

  job->run (job->task);
  /* The task's callback runs on its context, which may drop the last
   * other reference before this thread gets here: an unref here would
   * then finalize the task, and with it maybe its source object (a
   * storage, a library), on this worker. The worker's reference goes
   * back to the task's context instead. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, release_task, job->task, g_object_unref);
  g_source_set_static_name (source, "[tessera] io-pool release");
  g_source_attach (source, g_task_get_context (job->task));
  g_source_unref (source);
  g_free (job);
}

static void
push (GThreadPool **pool,
      gsize        *initialized,
      GTask        *task,
      TsrIoFunc     run)
{
  IoJob *job = g_new0 (IoJob, 1);

  if (g_once_init_enter (initialized))
    {
      *pool = g_thread_pool_new (io_job_run, NULL, (int) MAX (2, g_get_num_processors ()), FALSE, NULL);
      g_once_init_leave (initialized, 1);
    }
  job->task = g_object_ref (task);
  job->run = run;
  g_thread_pool_push (*pool, job, NULL);
}

void
tsr_io_pool_run (GTask     *task,
                 TsrIoFunc  run)
{
  static gsize initialized;

  push (&io_pool, &initialized, task, run);
}

void
tsr_io_pool_run_long (GTask     *task,
                      TsrIoFunc  run)
{
  static gsize initialized;

  push (&long_pool, &initialized, task, run);
}
