/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-io-pool.h: the one worker pool for disk work and hashing. The main
 * loop never blocks on a file: jobs run here and answer through their
 * GTask on the context that made it.
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

G_END_DECLS
