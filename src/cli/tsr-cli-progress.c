/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-progress.c: runs a hash job for the command line: the job works
 * on its threads while the main loop draws a progress bar on a terminal
 * and turns Ctrl+C into a clean cancellation.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "tsr-cli.h"

typedef struct
{
  TsrHashJob   *job;
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  gboolean      done;
  gboolean      draw;
  const char   *label;
  guint64       total;
  gint64        started;
} Run;

static void
draw (Run     *run,
      gboolean final)
{
  guint64 done = MIN (tsr_hash_job_get_bytes_done (run->job), run->total);
  double fraction = run->total > 0 ? (double) done / (double) run->total : 1.0;
  double seconds = (g_get_monotonic_time () - run->started) / 1e6;
  double rate = seconds > 0 ? done / seconds : 0;
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (run->total);
  g_autofree char *rate_text = g_format_size ((guint64) rate);
  char bar[31];
  int filled = (int) (fraction * 30);
  int i;

  for (i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[30] = '\0';
  fprintf (stderr, "\r%s [%s] %3d%%  %s / %s  %s/s", run->label, bar, (int) (fraction * 100),
           done_text, total_text, rate_text);
  if (!final && rate > 0 && done < run->total)
    {
      guint eta = (guint) ((run->total - done) / rate);

      /* TRANSLATORS: estimated time left, minutes:seconds */
      fprintf (stderr, _("  ETA %u:%02u"), eta / 60, eta % 60);
    }
  fprintf (stderr, "\033[K");
  if (final)
    fputc ('\n', stderr);
  fflush (stderr);
}

static gboolean
on_tick (gpointer user_data)
{
  draw (user_data, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  tsr_hash_job_run_finish (run->job, result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

gboolean
tsr_cli_run_hash_job (TsrHashJob  *job,
                      guint        threads,
                      const char  *label,
                      gboolean     quiet,
                      GError     **error)
{
  Run run = { 0 };
  guint tick = 0;
  guint sigint;

  run.job = job;
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.label = label;
  run.total = tsr_hash_job_get_total_bytes (job);
  run.started = g_get_monotonic_time ();
  run.draw = !quiet && isatty (STDERR_FILENO);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);

  tsr_hash_job_run_async (job, threads, run.cancellable, on_job_done, &run);
  if (run.draw)
    tick = g_timeout_add (200, on_tick, &run);
  while (!run.done)
    g_main_loop_run (run.loop);
  if (tick != 0)
    g_source_remove (tick);
  g_source_remove (sigint);
  if (run.draw)
    draw (&run, TRUE);

  g_main_loop_unref (run.loop);
  g_object_unref (run.cancellable);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}
