/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-io-pool.c: one GThreadPool the size of the machine for everything
 * that touches a disk or hashes: piece writes and reads, resume records,
 * moves and deletions, checks. One pool, so that hashing and writing do
 * not oversubscribe the CPUs between them.
 */
#define G_LOG_DOMAIN "tsr-io-pool"

#include "config.h"

#include "tsr-io-pool.h"

static GThreadPool *io_pool;

typedef struct
{
  GTask     *task;   /* (owned) */
  TsrIoFunc  run;
} IoJob;

static void
io_job_run (gpointer data,
            gpointer unused)
{
  IoJob *job = data;

  job->run (job->task);
  g_object_unref (job->task);
  g_free (job);
}

void
tsr_io_pool_run (GTask     *task,
                 TsrIoFunc  run)
{
  static gsize initialized;
  IoJob *job = g_new0 (IoJob, 1);

  if (g_once_init_enter (&initialized))
    {
      io_pool = g_thread_pool_new (io_job_run, NULL, (int) MAX (2, g_get_num_processors ()), FALSE, NULL);
      g_once_init_leave (&initialized, 1);
    }
  job->task = g_object_ref (task);
  job->run = run;
  g_thread_pool_push (io_pool, job, NULL);
}
