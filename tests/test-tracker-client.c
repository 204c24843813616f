/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-tracker-client.c: TsrTracker's announce timing against a SoupServer on
 * 127.0.0.1: after a first reply with interval 1800 and no "min
 * interval" the next announce is 1800 s away (not 10 s), running out of
 * peers brings it to 5 minutes after the last, the user's request to a
 * minute, and a "min interval" bounds both. Also: "stopped" overtakes a
 * "started" the tracker never answers.
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tsr-tracker.h"

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *reply;        /* (owned) bencoded; NULL: never answer */
  GPtrArray  *queries;      /* (element-type utf8) */
  guint       answered;
} Fixture;

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  GUri *uri = soup_server_message_get_uri (message);

  g_ptr_array_add (f->queries, g_strdup (g_uri_get_query (uri)));
  if (f->reply == NULL)
    {
      /* Held forever: the tracker "never answers". */
      soup_server_message_pause (message);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, f->reply, strlen (f->reply));
  f->answered++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->queries = g_ptr_array_new_with_free_func (g_free);
  f->reply = g_strdup (data);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/announce", on_request, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%d/announce", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  g_ptr_array_unref (f->queries);
  g_free (f->reply);
  g_free (f->url);
}

static TsrTracker *
tracker_for (Fixture *f)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);
  guint8 hash[20];
  guint8 peer_id[20];

  memset (hash, 0xab, sizeof hash);
  memcpy (peer_id, "-TE0100-testtesttest", 20);
  g_ptr_array_add (tier, g_strdup (f->url));
  g_ptr_array_add (tiers, tier);
  return tsr_tracker_new_for_hash (hash, tiers, peer_id, 6881, NULL, NULL);
}

/* Iterates the main context until @count requests reached the server and
 * the tracker is idle, or fails after 10 s. */
static void
wait_for_requests (Fixture    *f,
                   TsrTracker *tracker,
                   guint       count)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (f->queries->len < count || (f->reply != NULL && tsr_tracker_is_busy (tracker)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_no_early_announce (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);
  gint64 next;

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  g_assert_cmpuint (f->answered, ==, 1);
  /* The interval, not a quick second announce. */
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 1790);
  g_assert_cmpint (next, <=, 1800);
  /* Out of peers: five minutes after the last, not one. */
  tsr_tracker_want_peers (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 290);
  g_assert_cmpint (next, <=, 300);
  /* The user asks: a minute after the last. */
  tsr_tracker_announce_soon (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 50);
  g_assert_cmpint (next, <=, 60);
  g_assert_cmpuint (f->queries->len, ==, 1);
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
}

static void
test_min_interval_bounds (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);
  gint64 next;

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  /* "min interval" 120: wanting peers waits that, not five minutes... */
  tsr_tracker_want_peers (tracker);
  next = tsr_tracker_get_next_announce (tracker);
  g_assert_cmpint (next, >=, 110);
  g_assert_cmpint (next, <=, 120);
  /* ...and the user's request does not shorten it (whole seconds left:
   * the second may have turned meanwhile). */
  tsr_tracker_announce_soon (tracker);
  g_assert_cmpint (tsr_tracker_get_next_announce (tracker), >=, next - 1);
  g_assert_cmpint (tsr_tracker_get_next_announce (tracker), <=, next);
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
}

static void
test_stopped_overtakes_started (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TsrTracker) tracker = tracker_for (f);

  tsr_tracker_start (tracker);
  wait_for_requests (f, tracker, 1);
  g_assert_true (tsr_tracker_is_busy (tracker));
  /* "started" is held by the server: "stopped" goes out anyway. */
  tsr_tracker_stop (tracker);
  wait_for_requests (f, tracker, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (f->queries, 0), "event=started"));
  g_assert_nonnull (strstr (g_ptr_array_index (f->queries, 1), "event=stopped"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tracker/no-early-announce", Fixture, "d8:intervali1800e5:peers0:e",
              fixture_set_up, test_no_early_announce, fixture_tear_down);
  g_test_add ("/tracker/min-interval-bounds", Fixture, "d8:intervali1800e12:min intervali120e5:peers0:e",
              fixture_set_up, test_min_interval_bounds, fixture_tear_down);
  g_test_add ("/tracker/stopped-overtakes-started", Fixture, NULL,
              fixture_set_up, test_stopped_overtakes_started, fixture_tear_down);
  return g_test_run ();
}
