/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-limits.c: a torrent's stop conditions against made-up
 * facts: each limit, none set (facts never asked), the report from an
 * idle and only once, a report dropped when the facts change before the
 * idle, and cancel.
 */
#include "config.h"

#include <glib.h>

#include "tsr-torrent-limits.h"

typedef struct
{
  TsrLimitFacts facts;
  guint         asked;
  GPtrArray    *reasons;   /* (element-type utf8) */
} Host;

static void
host_facts (TsrLimitFacts *facts,
            gpointer       user_data)
{
  Host *host = user_data;

  host->asked++;
  *facts = host->facts;
}

static void
host_reached (const char *reason,
              gpointer    user_data)
{
  Host *host = user_data;

  g_ptr_array_add (host->reasons, g_strdup (reason));
}

static const TsrTorrentLimitsFuncs funcs = {
  .facts = host_facts,
  .reached = host_reached,
};

static void
host_init (Host *host)
{
  host->facts = (TsrLimitFacts) { .running = TRUE, .total_length = 1000, .now = 5000, .idle_since = 5000 };
  host->asked = 0;
  host->reasons = g_ptr_array_new_with_free_func (g_free);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_each_limit (void)
{
  Host host;
  TsrTorrentLimits *limits;
  guint64 up, down;
  gdouble ratio;

  host_init (&host);
  limits = tsr_torrent_limits_new (&funcs, &host);
  tsr_torrent_limits_set (limits, 500, 0, 0);
  tsr_torrent_limits_get (limits, &up, &down, &ratio);
  g_assert_cmpuint (up, ==, 500);
  g_assert_cmpuint (down, ==, 0);
  g_assert_cmpfloat (ratio, ==, 0);
  host.facts.uploaded = 499;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  host.facts.uploaded = 500;
  g_assert_cmpstr (tsr_torrent_limits_reached (limits, &host.facts), ==, "up-total");
  /* Not running (stopped, checking, fetching): nothing is reached. */
  host.facts.running = FALSE;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  host.facts.running = TRUE;
  host.facts.uploaded = 0;

  tsr_torrent_limits_set (limits, 0, 300, 0);
  host.facts.downloaded = 300;
  g_assert_cmpstr (tsr_torrent_limits_reached (limits, &host.facts), ==, "down-total");
  host.facts.downloaded = 0;

  /* The ratio counts while seeding only. */
  tsr_torrent_limits_set (limits, 0, 0, 1.5);
  host.facts.uploaded = 1500;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  host.facts.seeding = TRUE;
  g_assert_cmpstr (tsr_torrent_limits_reached (limits, &host.facts), ==, "seed-ratio");
  host.facts.uploaded = 1499;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  /* A negative ratio is no limit. */
  tsr_torrent_limits_set (limits, 0, 0, -1);
  host.facts.uploaded = 100000;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  g_assert_true (tsr_torrent_limits_is_empty (limits));

  tsr_torrent_limits_set_seed_idle (limits, 60);
  host.facts.now = host.facts.idle_since + 59;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));
  host.facts.now = host.facts.idle_since + 60;
  g_assert_cmpstr (tsr_torrent_limits_reached (limits, &host.facts), ==, "seed-idle");
  host.facts.seeding = FALSE;
  g_assert_null (tsr_torrent_limits_reached (limits, &host.facts));

  drain ();
  tsr_torrent_limits_free (limits);
  g_ptr_array_unref (host.reasons);
}

static void
test_none_set_asks_nothing (void)
{
  Host host;
  TsrTorrentLimits *limits;

  host_init (&host);
  limits = tsr_torrent_limits_new (&funcs, &host);
  g_assert_true (tsr_torrent_limits_is_empty (limits));
  host.facts.uploaded = G_MAXUINT64;
  tsr_torrent_limits_check (limits);
  g_assert_cmpuint (host.asked, ==, 0);
  g_assert_false (tsr_torrent_limits_is_stopping (limits));
  drain ();
  g_assert_cmpuint (host.reasons->len, ==, 0);
  tsr_torrent_limits_free (limits);
  /* NULL is "no limits". */
  tsr_torrent_limits_check (NULL);
  tsr_torrent_limits_cancel (NULL);
  g_assert_false (tsr_torrent_limits_is_stopping (NULL));
  tsr_torrent_limits_free (NULL);
  g_ptr_array_unref (host.reasons);
}

static void
test_reported_once_from_idle (void)
{
  Host host;
  TsrTorrentLimits *limits;

  host_init (&host);
  limits = tsr_torrent_limits_new (&funcs, &host);
  tsr_torrent_limits_set (limits, 100, 0, 0);
  host.facts.uploaded = 100;
  tsr_torrent_limits_check (limits);
  tsr_torrent_limits_check (limits);
  /* Never inside the caller. */
  g_assert_cmpuint (host.reasons->len, ==, 0);
  g_assert_true (tsr_torrent_limits_is_stopping (limits));
  drain ();
  g_assert_cmpuint (host.reasons->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (host.reasons, 0), ==, "up-total");
  g_assert_false (tsr_torrent_limits_is_stopping (limits));
  tsr_torrent_limits_free (limits);
  g_ptr_array_unref (host.reasons);
}

static void
test_rechecked_before_report (void)
{
  Host host;
  TsrTorrentLimits *limits;

  host_init (&host);
  limits = tsr_torrent_limits_new (&funcs, &host);
  tsr_torrent_limits_set (limits, 100, 0, 0);
  host.facts.uploaded = 100;
  tsr_torrent_limits_check (limits);
  g_assert_true (tsr_torrent_limits_is_stopping (limits));
  /* Stopped for another reason before the idle: no report. */
  host.facts.running = FALSE;
  drain ();
  g_assert_cmpuint (host.reasons->len, ==, 0);

  /* Cancel drops a report on its way. */
  host.facts.running = TRUE;
  tsr_torrent_limits_check (limits);
  g_assert_true (tsr_torrent_limits_is_stopping (limits));
  tsr_torrent_limits_cancel (limits);
  g_assert_false (tsr_torrent_limits_is_stopping (limits));
  drain ();
  g_assert_cmpuint (host.reasons->len, ==, 0);

  /* Freed with a report on its way: never called. */
  tsr_torrent_limits_check (limits);
  tsr_torrent_limits_free (limits);
  drain ();
  g_assert_cmpuint (host.reasons->len, ==, 0);
  g_ptr_array_unref (host.reasons);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-limits/each-limit", test_each_limit);
  g_test_add_func ("/torrent-limits/none-set-asks-nothing", test_none_set_asks_nothing);
  g_test_add_func ("/torrent-limits/reported-once-from-idle", test_reported_once_from_idle);
  g_test_add_func ("/torrent-limits/rechecked-before-report", test_rechecked_before_report);
  return g_test_run ();
}
