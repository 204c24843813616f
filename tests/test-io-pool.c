/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-io-pool.c: the I/O pool runs jobs off the main thread, and a job's
 * task (with its source object) is always released on the task's own
 * context, even when the callback there drops every other reference
 * before the worker is done with it.
 */
#include "config.h"

#include <glib-object.h>
#include <gio/gio.h>

#include "tsr-io-pool.h"

typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean callback_ran;
  GThread *run_thread;
  GThread *finalize_thread;
  gboolean finalized;
} Probe;

static Probe probe;

/* A source object that records the thread it is finalized on. */
static void
on_finalized (gpointer  unused,
              GObject  *where_the_object_was)
{
  probe.finalize_thread = g_thread_self ();
  probe.finalized = TRUE;
}

static void
run_pool_job (GTask *task)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  probe.run_thread = g_thread_self ();
  g_task_return_boolean (task, TRUE);
  /* Hold the worker's reference until the callback on the main thread
   * has dropped the other one: the worker's is then the last. */
  g_mutex_lock (&probe.lock);
  while (!probe.callback_ran)
    if (!g_cond_wait_until (&probe.cond, &probe.lock, deadline))
      break;
  g_mutex_unlock (&probe.lock);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  g_mutex_lock (&probe.lock);
  probe.callback_ran = TRUE;
  g_cond_signal (&probe.cond);
  g_mutex_unlock (&probe.lock);
}

static void
test_released_on_context (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GTask *task = g_task_new (object, NULL, on_done, NULL);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_mutex_init (&probe.lock);
  g_cond_init (&probe.cond);
  g_object_weak_ref (object, on_finalized, NULL);
  tsr_io_pool_run (task, run_pool_job);
  /* The task keeps its source object; the pool keeps the task. */
  g_object_unref (object);
  g_object_unref (task);
  while (!probe.finalized && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  g_assert_true (probe.callback_ran);
  g_assert_true (probe.finalized);
  g_assert_nonnull (probe.run_thread);
  g_assert_true (probe.run_thread != g_thread_self ());
  g_assert_true (probe.finalize_thread == g_thread_self ());
  g_mutex_clear (&probe.lock);
  g_cond_clear (&probe.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io-pool/released-on-context", test_released_on_context);
  return g_test_run ();
}
