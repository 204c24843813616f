/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-stats.c: a torrent's totals and shown values against a
 * made-up owner: progress, ratio and ETA from the numbers fed, the
 * totals and the last upload, the properties read through the module,
 * notifies only for the values that changed since the last call, and
 * the stop conditions measured on the stats: made only when one is set,
 * reported through the table from an idle, idleness counted from
 * seeding's start, a report dropped when the owner stops running.
 */
#include "config.h"

#include <glib-object.h>

#include "tsr-torrent-stats.h"

#define STATE_DOWNLOADING 2
#define STATE_SEEDING 3

/* A GObject that shows the stats, as TsrTorrent does. */
#define FAKE_TYPE_TORRENT (fake_torrent_get_type ())
G_DECLARE_FINAL_TYPE (FakeTorrent, fake_torrent, FAKE, TORRENT, GObject)

struct _FakeTorrent
{
  GObject          parent_instance;
  TsrTorrentStats *stats;     /* (owned) */
  gint             state;
  guint64          bytes_have;
  guint64          down_rate;
  guint64          up_rate;
  guint            n_peers;
  guint            n_seeds;
  GPtrArray       *notified;  /* (element-type utf8) property names, in order */
  GPtrArray       *reached;   /* (element-type utf8) the limits reported */
};

G_DEFINE_FINAL_TYPE (FakeTorrent, fake_torrent, G_TYPE_OBJECT)

static void
fake_facts (TsrStatsFacts *facts,
            gpointer       user_data)
{
  FakeTorrent *self = FAKE_TORRENT (user_data);

  facts->name = "fake";
  facts->state = self->state;
  facts->downloading = self->state == STATE_DOWNLOADING;
  facts->bytes_have = self->bytes_have;
  facts->down_rate = self->down_rate;
  facts->up_rate = self->up_rate;
  facts->n_peers = self->n_peers;
  facts->n_seeds = self->n_seeds;
}

static void
fake_limit_reached (const char *reason,
                    gpointer    user_data)
{
  FakeTorrent *self = FAKE_TORRENT (user_data);

  g_ptr_array_add (self->reached, g_strdup (reason));
}

static const TsrTorrentStatsFuncs fake_funcs = {
  .facts = fake_facts,
  .limit_reached = fake_limit_reached,
};

static void
fake_torrent_finalize (GObject *object)
{
  FakeTorrent *self = FAKE_TORRENT (object);

  tsr_torrent_stats_free (self->stats);
  g_ptr_array_unref (self->notified);
  g_ptr_array_unref (self->reached);
  G_OBJECT_CLASS (fake_torrent_parent_class)->finalize (object);
}

static void
fake_torrent_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  if (!tsr_torrent_stats_get_property (FAKE_TORRENT (object)->stats, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fake_torrent_class_init (FakeTorrentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fake_torrent_finalize;
  object_class->get_property = fake_torrent_get_property;
  tsr_torrent_stats_install_properties (object_class, 1);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  g_ptr_array_add (FAKE_TORRENT (object)->notified, g_strdup (pspec->name));
}

static void
fake_torrent_init (FakeTorrent *self)
{
  self->stats = tsr_torrent_stats_new (&fake_funcs, self);
  self->notified = g_ptr_array_new_with_free_func (g_free);
  self->reached = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (self, "notify", G_CALLBACK (on_notify), NULL);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names notified since the last call, sorted, joined by spaces. */
static char *
take_notified (FakeTorrent *self)
{
  g_autoptr(GPtrArray) names = g_steal_pointer (&self->notified);

  self->notified = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
test_unsized (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);

  /* A magnet's: nothing is known of its size, however much moved. */
  torrent->state = STATE_DOWNLOADING;
  torrent->down_rate = 1000;
  tsr_torrent_stats_moved (torrent->stats, 500, TRUE, 10);
  g_assert_cmpfloat (tsr_torrent_stats_get_progress (torrent->stats), ==, 0.0);
  g_assert_cmpfloat (tsr_torrent_stats_get_ratio (torrent->stats), ==, 0.0);
  g_assert_cmpint (tsr_torrent_stats_get_eta (torrent->stats), ==, -1);
  /* An empty torrent is complete. */
  tsr_torrent_stats_set_size (torrent->stats, 0);
  g_assert_cmpfloat (tsr_torrent_stats_get_progress (torrent->stats), ==, 1.0);
  g_assert_cmpfloat (tsr_torrent_stats_get_ratio (torrent->stats), ==, 0.0);
}

static void
test_totals (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  TsrTorrentStats *stats = torrent->stats;

  tsr_torrent_stats_set_size (stats, 4000);
  tsr_torrent_stats_moved (stats, 300, FALSE, 7);
  g_assert_cmpint (tsr_torrent_stats_get_last_upload (stats), ==, 0);
  tsr_torrent_stats_moved (stats, 1000, TRUE, 8);
  tsr_torrent_stats_moved (stats, 1000, TRUE, 9);
  tsr_torrent_stats_moved (stats, 200, FALSE, 12);
  g_assert_cmpuint (tsr_torrent_stats_get_downloaded (stats), ==, 500);
  g_assert_cmpuint (tsr_torrent_stats_get_uploaded (stats), ==, 2000);
  /* Downloads leave the last upload where it was. */
  g_assert_cmpint (tsr_torrent_stats_get_last_upload (stats), ==, 9);
  g_assert_cmpfloat (tsr_torrent_stats_get_ratio (stats), ==, 0.5);
  torrent->bytes_have = 1000;
  g_assert_cmpfloat (tsr_torrent_stats_get_progress (stats), ==, 0.25);
}

static void
test_eta (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  TsrTorrentStats *stats = torrent->stats;

  tsr_torrent_stats_set_size (stats, 10000);
  torrent->bytes_have = 2999;
  torrent->down_rate = 1000;
  /* Only while downloading. */
  torrent->state = STATE_SEEDING;
  g_assert_cmpint (tsr_torrent_stats_get_eta (stats), ==, -1);
  torrent->state = STATE_DOWNLOADING;
  /* 7001 bytes left at 1000 a second: 8 s, rounded up. */
  g_assert_cmpint (tsr_torrent_stats_get_eta (stats), ==, 8);
  torrent->bytes_have = 3000;
  g_assert_cmpint (tsr_torrent_stats_get_eta (stats), ==, 7);
  torrent->down_rate = 0;
  g_assert_cmpint (tsr_torrent_stats_get_eta (stats), ==, -1);
}

static void
test_properties (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  g_autofree char *name = NULL;
  guint64 size, downloaded, up_rate;
  gdouble progress, ratio;
  gint64 eta;
  gint state;
  guint n_seeds;

  tsr_torrent_stats_set_size (torrent->stats, 2000);
  tsr_torrent_stats_moved (torrent->stats, 700, FALSE, 1);
  tsr_torrent_stats_moved (torrent->stats, 1000, TRUE, 1);
  torrent->state = STATE_DOWNLOADING;
  torrent->bytes_have = 500;
  torrent->down_rate = 500;
  torrent->up_rate = 42;
  torrent->n_seeds = 3;
  g_object_get (torrent, "name", &name, "size", &size, "downloaded", &downloaded, "progress", &progress,
                "ratio", &ratio, "eta", &eta, "state", &state, "up-rate", &up_rate, "n-seeds", &n_seeds, NULL);
  g_assert_cmpstr (name, ==, "fake");
  g_assert_cmpuint (size, ==, 2000);
  g_assert_cmpuint (downloaded, ==, 700);
  g_assert_cmpfloat (progress, ==, 0.25);
  g_assert_cmpfloat (ratio, ==, 0.5);
  g_assert_cmpint (eta, ==, 3);
  g_assert_cmpint (state, ==, STATE_DOWNLOADING);
  g_assert_cmpuint (up_rate, ==, 42);
  g_assert_cmpuint (n_seeds, ==, 3);
}

static void
test_notifies_changes_only (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  g_autofree char *first = NULL;
  g_autofree char *same = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *upload = NULL;
  g_autofree char *peers = NULL;

  /* Nothing differs from a new torrent's: stopped, nothing moved, no ETA. */
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  first = take_notified (torrent);
  g_assert_cmpstr (first, ==, "");

  tsr_torrent_stats_set_size (torrent->stats, 1000);
  torrent->bytes_have = 100;
  torrent->state = STATE_DOWNLOADING;
  torrent->down_rate = 100;
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  g_free (take_notified (torrent));
  /* Asked again with nothing changed: nothing is notified. */
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  same = take_notified (torrent);
  g_assert_cmpstr (same, ==, "");

  /* A faster rate moves the ETA too, and nothing else. */
  torrent->down_rate = 300;
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  rate = take_notified (torrent);
  g_assert_cmpstr (rate, ==, "down-rate eta");

  /* An upload moves the ratio with the total. */
  tsr_torrent_stats_moved (torrent->stats, 10, TRUE, 3);
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  upload = take_notified (torrent);
  g_assert_cmpstr (upload, ==, "ratio uploaded");

  torrent->n_peers = 2;
  torrent->n_seeds = 1;
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  peers = take_notified (torrent);
  g_assert_cmpstr (peers, ==, "n-peers n-seeds");
}

static void
test_notifies_progress_and_state (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  g_autofree char *first = NULL;
  g_autofree char *done = NULL;

  tsr_torrent_stats_set_size (torrent->stats, 1000);
  torrent->state = STATE_DOWNLOADING;
  torrent->bytes_have = 500;
  tsr_torrent_stats_moved (torrent->stats, 500, FALSE, 1);
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  first = take_notified (torrent);
  g_assert_cmpstr (first, ==, "downloaded progress state");

  torrent->bytes_have = 1000;
  torrent->state = STATE_SEEDING;
  tsr_torrent_stats_notify (torrent->stats, G_OBJECT (torrent));
  done = take_notified (torrent);
  g_assert_cmpstr (done, ==, "progress state");
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* Most torrents never have a stop condition: nothing is made for them,
 * and checking without one is free. */
static void
test_limits_made_when_set (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  TsrTorrentLimits *limits;

  tsr_torrent_stats_set_size (torrent->stats, 1000);
  tsr_torrent_stats_set_running (torrent->stats, TRUE, FALSE, now_seconds ());
  tsr_torrent_stats_moved (torrent->stats, 5000, TRUE, now_seconds ());
  tsr_torrent_stats_check_limits (torrent->stats);
  g_assert_null (tsr_torrent_stats_get_limits (torrent->stats, FALSE));
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  limits = tsr_torrent_stats_get_limits (torrent->stats, TRUE);
  g_assert_nonnull (limits);
  g_assert_true (tsr_torrent_stats_get_limits (torrent->stats, FALSE) == limits);
  g_assert_true (tsr_torrent_limits_is_empty (limits));
}

/* The limits read the totals and size kept here and the running state
 * the owner told; a report comes from an idle, and leaving the running
 * states drops one on its way. */
static void
test_limits_measured_on_stats (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  TsrTorrentLimits *limits = tsr_torrent_stats_get_limits (torrent->stats, TRUE);

  tsr_torrent_stats_set_size (torrent->stats, 1000);
  tsr_torrent_limits_set (limits, 0, 300, 0);
  /* Not running: no limit applies. */
  tsr_torrent_stats_moved (torrent->stats, 300, FALSE, now_seconds ());
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  /* Running again checks at once. */
  tsr_torrent_stats_set_running (torrent->stats, TRUE, FALSE, now_seconds ());
  g_assert_true (tsr_torrent_stats_is_stopping (torrent->stats));
  g_assert_cmpuint (torrent->reached->len, ==, 0);
  drain ();
  g_assert_cmpuint (torrent->reached->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (torrent->reached, 0), ==, "down-total");

  /* A seed ratio against the size: 1500 bytes of 1000 is 1.5. */
  tsr_torrent_limits_set (limits, 0, 0, 1.5);
  tsr_torrent_stats_set_running (torrent->stats, TRUE, TRUE, now_seconds ());
  tsr_torrent_stats_moved (torrent->stats, 1499, TRUE, now_seconds ());
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  tsr_torrent_stats_moved (torrent->stats, 1, TRUE, now_seconds ());
  g_assert_true (tsr_torrent_stats_is_stopping (torrent->stats));
  /* Stopped for another reason first: no report. */
  tsr_torrent_stats_set_running (torrent->stats, FALSE, FALSE, now_seconds ());
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  drain ();
  g_assert_cmpuint (torrent->reached->len, ==, 1);
}

/* Seeding's start counts as an upload: a seed idle limit runs from the
 * later of the two. */
static void
test_limits_idle_from_seeding (void)
{
  g_autoptr(FakeTorrent) torrent = g_object_new (FAKE_TYPE_TORRENT, NULL);
  TsrTorrentLimits *limits = tsr_torrent_stats_get_limits (torrent->stats, TRUE);
  gint64 now = now_seconds ();

  tsr_torrent_stats_set_size (torrent->stats, 1000);
  tsr_torrent_stats_moved (torrent->stats, 10, TRUE, now - 1000);
  tsr_torrent_limits_set_seed_idle (limits, 60);
  /* Downloading: idleness is a seed's limit. */
  tsr_torrent_stats_set_running (torrent->stats, TRUE, FALSE, now);
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  /* Seeding from now, the last upload long ago: not idle yet. */
  tsr_torrent_stats_set_running (torrent->stats, TRUE, TRUE, now);
  tsr_torrent_stats_check_limits (torrent->stats);
  g_assert_false (tsr_torrent_stats_is_stopping (torrent->stats));
  /* Seeding again, from 100 s ago: idle. */
  tsr_torrent_stats_set_running (torrent->stats, FALSE, FALSE, now);
  tsr_torrent_stats_set_running (torrent->stats, TRUE, TRUE, now - 100);
  g_assert_true (tsr_torrent_stats_is_stopping (torrent->stats));
  drain ();
  g_assert_cmpuint (torrent->reached->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (torrent->reached, 0), ==, "seed-idle");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-stats/limits/made-when-set", test_limits_made_when_set);
  g_test_add_func ("/torrent-stats/limits/measured-on-stats", test_limits_measured_on_stats);
  g_test_add_func ("/torrent-stats/limits/idle-from-seeding", test_limits_idle_from_seeding);
  g_test_add_func ("/torrent-stats/unsized", test_unsized);
  g_test_add_func ("/torrent-stats/totals", test_totals);
  g_test_add_func ("/torrent-stats/eta", test_eta);
  g_test_add_func ("/torrent-stats/properties", test_properties);
  g_test_add_func ("/torrent-stats/notify/changes-only", test_notifies_changes_only);
  g_test_add_func ("/torrent-stats/notify/progress-and-state", test_notifies_progress_and_state);
  return g_test_run ();
}
