/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-io-pool.h: the worker pools for disk work and hashing, one for
 * piece I/O and one for whole-torrent hashing. The main loop never blocks
 * on a file: jobs run here and answer through their GTask on the context
 * that made it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs on a worker; returns the task's result. */
typedef void (*TsrIoFunc) (GTask *task);

/* Runs @run (@task) on the shared pool, which is as wide as the machine
 * (at least two threads). Takes a reference to @task, dropped on the
 * worker, maybe the last: the task's source object and data may be
 * finalized there, so never a widget (hold one weakly in user_data). */
void tsr_io_pool_run (GTask     *task,
                      TsrIoFunc  run);
/* The same on a pool of its own, as wide, for hashing a whole torrent
 * (minutes for a large one): piece reads and writes never wait behind
 * it, and thousands of checks queued at once take no more threads than
 * that (GTask's pool grew to ten and more, each with its malloc arena). */
void tsr_io_pool_run_long (GTask     *task,
                           TsrIoFunc  run);

G_END_DECLS
