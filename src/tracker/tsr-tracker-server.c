/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-tracker-server.c: the tracker server (the original's torrent/track,
 * made complete). HTTP announce and scrape (BEP 3, 23, 7, 24, 48) and the
 * stats page come in through the HTTP front
 * (tsr-tracker-http-listener.c), which hands over each GET request to be
 * routed here; UDP announce and scrape (BEP 15) share the port, through
 * the UDP front (tsr-tracker-udp-listener.c). Both call back here for the
 * rate limit, the swarms and the counters. Requests from one address
 * beyond max_rate a second are refused. The swarms (TsrSwarms) are
 * written to the state file on a worker a few seconds after they change,
 * the previous copy kept, so a restart loses at most those seconds.
 */
#define G_LOG_DOMAIN "tsr-tracker"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>

#include "tessera-codec.h"
#include "tsr-swarms.h"
#include "tsr-tracker-proto.h"
#include "tsr-tracker-http-listener.h"
#include "tsr-tracker-server.h"
#include "tsr-tracker-udp-listener.h"

/* Addresses whose request rate is tracked, at most (then forgotten). */
#define MAX_RATE_HOSTS 65536
/* Seconds between expiry rounds (each bounded, see TsrSwarms). */
#define EXPIRE_EVERY 5
#define RING 64

typedef struct
{
  gint64 second;
  guint  count;
} Rate;

struct _TsrTrackerServer
{
  GObject           parent_instance;
  TsrTrackerHttpListener *http;     /* (owned) */
  TsrTrackerUdpListener  *udp;      /* (owned) */
  TsrSwarms        *swarms;         /* (owned) */
  guint             interval;
  guint             max_peers;
  guint             max_rate;
  guint             max_swarms;
  GHashTable       *rates;          /* (owned) host key (HOST_KEY bytes) → Rate */
  GArray           *scratch;        /* (owned) peers of the HTTP announce being answered */
  GBytes           *whitelist;      /* (owned) (nullable) 20-byte hashes */
  char             *state_path;     /* (owned) (nullable) */
  guint             save_source;
  gboolean          saving;
  gboolean          dirty_again;    /* changed while a save was on its way */
  guint             expire_source;
  gint64            started;        /* monotonic µs */
  guint64           announces;
  guint64           scrapes;
  guint64           refused;
  guint64           ring_announces[RING];
  guint64           ring_scrapes[RING];
  gint64            ring_second;    /* monotonic seconds of the newest slot */
};

G_DEFINE_FINAL_TYPE (TsrTrackerServer, tsr_tracker_server, G_TYPE_OBJECT)

static void
tsr_tracker_server_dispose (GObject *object)
{
  TsrTrackerServer *self = TSR_TRACKER_SERVER (object);

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_handle_id (&self->expire_source, g_source_remove);
  g_clear_pointer (&self->http, tsr_tracker_http_listener_free);
  g_clear_pointer (&self->udp, tsr_tracker_udp_listener_free);
  G_OBJECT_CLASS (tsr_tracker_server_parent_class)->dispose (object);
}

static void
tsr_tracker_server_finalize (GObject *object)
{
  TsrTrackerServer *self = TSR_TRACKER_SERVER (object);

  g_clear_pointer (&self->swarms, tsr_swarms_free);
  g_clear_pointer (&self->rates, g_hash_table_unref);
  g_clear_pointer (&self->scratch, g_array_unref);
  g_clear_pointer (&self->whitelist, g_bytes_unref);
  g_free (self->state_path);
  G_OBJECT_CLASS (tsr_tracker_server_parent_class)->finalize (object);
}

static void
tsr_tracker_server_class_init (TsrTrackerServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_tracker_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = tsr_tracker_server_finalize;
}

/* Rate table keys: a family byte and 16 address bytes. */
#define HOST_KEY 17

static guint
host_hash (gconstpointer key)
{
  const guint8 *bytes = key;
  guint hash = 2166136261u;
  guint i;

  for (i = 0; i < HOST_KEY; i++)
    hash = (hash ^ bytes[i]) * 16777619u;
  return hash;
}

static gboolean
host_equal (gconstpointer a,
            gconstpointer b)
{
  return memcmp (a, b, HOST_KEY) == 0;
}

static void
tsr_tracker_server_init (TsrTrackerServer *self)
{
  self->rates = g_hash_table_new_full (host_hash, host_equal, g_free, g_free);
  self->scratch = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  self->started = g_get_monotonic_time ();
}

static guint32
wall_now (void)
{
  /* Wall-clock seconds: last-seen times in the state file stay true across
   * a restart. */
  return (guint32) (g_get_real_time () / G_USEC_PER_SEC);
}

/* ------------------------------------------------------------------ */
/* Counters and limits                                                 */

static void
advance_ring (TsrTrackerServer *self)
{
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;

  if (now - self->ring_second >= RING)
    {
      memset (self->ring_announces, 0, sizeof self->ring_announces);
      memset (self->ring_scrapes, 0, sizeof self->ring_scrapes);
    }
  else
    while (self->ring_second < now)
      {
        self->ring_second++;
        self->ring_announces[self->ring_second % RING] = 0;
        self->ring_scrapes[self->ring_second % RING] = 0;
      }
  self->ring_second = now;
}

/* Per second over the last ten full seconds. */
static gdouble
recent_rate (TsrTrackerServer *self,
             const guint64    *ring)
{
  guint64 sum = 0;
  guint i;

  advance_ring (self);
  for (i = 1; i <= 10; i++)
    sum += ring[(self->ring_second - i) % RING];
  return sum / 10.0;
}

/* Limits go by address, whatever the port. */
static gboolean
allowed (TsrTrackerServer     *self,
         const TsrPeerAddress *peer)
{
  gint64 second;
  guint8 key[HOST_KEY];
  Rate *rate;

  if (self->max_rate == 0)
    return TRUE;
  second = g_get_monotonic_time () / G_USEC_PER_SEC;
  key[0] = peer->family;
  memcpy (key + 1, peer->address, 16);
  rate = g_hash_table_lookup (self->rates, key);
  if (rate == NULL)
    {
      if (g_hash_table_size (self->rates) >= MAX_RATE_HOSTS)
        g_hash_table_remove_all (self->rates);
      rate = g_new0 (Rate, 1);
      g_hash_table_insert (self->rates, g_memdup2 (key, HOST_KEY), rate);
    }
  if (rate->second != second)
    {
      rate->second = second;
      rate->count = 0;
    }
  if (++rate->count <= self->max_rate)
    return TRUE;
  self->refused++;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* State                                                               */

static void save_soon (TsrTrackerServer *self);

static gboolean
write_state (const char  *path,
             GBytes      *bytes,
             GError     **error)
{
  g_autofree char *previous = g_strconcat (path, ".prev", NULL);

  /* The last good copy becomes the previous one; a crash between the two
   * renames leaves it to be found. */
  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_rename (path, previous) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot keep the previous state as %s: %s"),
                   previous, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
save_run (GTask *task)
{
  TsrTrackerServer *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!write_state (self->state_path, g_task_get_task_data (task), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  TsrTrackerServer *self = TSR_TRACKER_SERVER (source);
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    /* A message, not a warning: a full disk is no programming error (and
     * tests run with fatal warnings). The next change tries again. */
    g_message (_("Cannot save the tracker state: %s"), error->message);
  if (self->dirty_again)
    {
      self->dirty_again = FALSE;
      save_soon (self);
    }
}

static gboolean
on_save_timer (gpointer user_data)
{
  TsrTrackerServer *self = user_data;
  g_autoptr(GTask) task = g_task_new (self, NULL, on_saved, NULL);

  self->save_source = 0;
  self->saving = TRUE;
  g_task_set_task_data (task, tsr_swarms_serialize (self->swarms), (GDestroyNotify) g_bytes_unref);
  tsr_io_pool_run (task, save_run);
  return G_SOURCE_REMOVE;
}

static void
save_soon (TsrTrackerServer *self)
{
  if (self->state_path == NULL)
    return;
  if (self->saving)
    self->dirty_again = TRUE;
  else if (self->save_source == 0)
    self->save_source = g_timeout_add_seconds (TSR_TRACKER_SERVER_SAVE_DELAY, on_save_timer, self);
}

gboolean
tsr_tracker_server_save_state (TsrTrackerServer  *self,
                               GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->state_path == NULL)
    return TRUE;
  g_clear_handle_id (&self->save_source, g_source_remove);
  bytes = tsr_swarms_serialize (self->swarms);
  return write_state (self->state_path, bytes, error);
}

static TsrSwarms *
load_state (TsrTrackerServer  *self,
            const char        *path,
            GError           **error)
{
  g_autoptr(GBytes) bytes = tsr_read_small_file (path, G_MAXINT, error);

  if (bytes == NULL)
    return NULL;
  return tsr_swarms_deserialize (bytes, self->max_swarms, self->interval * 2, error);
}

void
tsr_tracker_server_set_max_swarms (TsrTrackerServer *self,
                                   guint             max_swarms)
{
  g_return_if_fail (TSR_IS_TRACKER_SERVER (self));

  self->max_swarms = max_swarms;
  tsr_swarms_set_max_swarms (self->swarms, max_swarms);
}

gboolean
tsr_tracker_server_set_state_file (TsrTrackerServer  *self,
                                   const char        *path,
                                   GError           **error)
{
  g_autofree char *previous = g_strconcat (path, ".prev", NULL);
  g_autoptr(GError) first = NULL;
  g_autoptr(GError) second = NULL;
  TsrSwarms *swarms = NULL;

  g_free (self->state_path);
  self->state_path = g_strdup (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (previous, G_FILE_TEST_EXISTS))
    return TRUE;
  swarms = load_state (self, path, &first);
  if (swarms == NULL)
    swarms = load_state (self, previous, &second);
  if (swarms == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("Cannot read the tracker state %s: %s"), path,
                   first != NULL ? first->message : second->message);
      return FALSE;
    }
  if (first != NULL)
    g_message (_("%s: %s; the previous copy was read"), path, first->message);
  tsr_swarms_free (self->swarms);
  self->swarms = swarms;
  if (self->whitelist != NULL)
    tsr_swarms_set_whitelist (self->swarms, g_bytes_get_data (self->whitelist, NULL),
                              g_bytes_get_size (self->whitelist) / 20);
  tsr_swarms_expire_all (self->swarms, wall_now ());
  return TRUE;
}

gboolean
tsr_tracker_server_load_whitelist (TsrTrackerServer  *self,
                                   const char        *path,
                                   GError           **error)
{
  g_autoptr(GBytes) bytes = tsr_read_small_file (path, 64 * 1024 * 1024, error);
  g_autoptr(GByteArray) hashes = g_byte_array_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *data;
  gsize size = 0;
  guint i;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data, size);
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      guint8 hash[20];

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (strlen (line) != 40 || !tsr_hex_decode (line, 40, hash, 20))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("%s, line %u: “%s” is not an info hash of 40 hex digits"), path, i + 1, line);
          return FALSE;
        }
      g_byte_array_append (hashes, hash, 20);
    }
  g_clear_pointer (&self->whitelist, g_bytes_unref);
  self->whitelist = g_byte_array_free_to_bytes (g_steal_pointer (&hashes));
  tsr_swarms_set_whitelist (self->swarms, g_bytes_get_data (self->whitelist, NULL),
                            g_bytes_get_size (self->whitelist) / 20);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Announces                                                           */

static TsrSwarmsResult
announce (TsrTrackerServer     *self,
          const guint8         *info_hash,
          const TsrPeerAddress *peer,
          guint64               left,
          TsrAnnounceEvent      event,
          gint32                numwant,
          GArray               *out,
          guint                *complete,
          guint                *incomplete)
{
  guint want = numwant < 0 ? TSR_TRACKER_SERVER_NUMWANT : (guint) numwant;
  TsrSwarmsResult result;

  result = tsr_swarms_announce (self->swarms, info_hash, peer, left, event, MIN (want, self->max_peers),
                                wall_now (), out, complete, incomplete);
  advance_ring (self);
  self->announces++;
  self->ring_announces[self->ring_second % RING]++;
  if (result == TSR_SWARMS_OK)
    save_soon (self);
  return result;
}

/* Fills the counts of @entries, whose info hashes are set: one scrape
 * request, HTTP or UDP. */
static void
scrape (TsrTrackerScrapeEntry *entries,
        guint                  n_entries,
        gpointer               user_data)
{
  TsrTrackerServer *self = user_data;
  guint i;

  for (i = 0; i < n_entries; i++)
    {
      guint complete = 0, incomplete = 0, downloaded = 0;

      tsr_swarms_scrape (self->swarms, entries[i].info_hash, &complete, &incomplete, &downloaded);
      entries[i].complete = complete;
      entries[i].incomplete = incomplete;
      entries[i].downloaded = downloaded;
    }
  advance_ring (self);
  self->scrapes++;
  self->ring_scrapes[self->ring_second % RING]++;
}

/* A bencoded failure (BEP 3: with status 200, for clients to show). */
static GBytes *
failure (const char *reason)
{
  return tsr_tracker_failure_reply_encode (reason);
}

static GBytes *
handle_announce (TsrTrackerServer     *self,
                 const char           *query,
                 gsize                 query_length,
                 const TsrPeerAddress *from)
{
  g_autoptr(TsrTrackerAnnounceQuery) request = NULL;
  g_autoptr(GError) error = NULL;
  GArray *peers = self->scratch;
  TsrTrackerAnnounceReply reply = { 0 };
  TsrPeerAddress peer = *from;
  TsrPeerAddress seen = *from;
  guint complete = 0;
  guint incomplete = 0;

  request = tsr_tracker_announce_query_parse (query, query_length, &error);
  if (request == NULL)
    return failure (error->message);
  /* The address is the connection's ("ip=" is not trusted); the port is
   * the one the client listens on. */
  peer.port = request->port;
  g_array_set_size (peers, 0);
  if (announce (self, request->info_hash, &peer, request->left, request->event, request->numwant, peers, &complete,
                &incomplete) == TSR_SWARMS_NOT_ALLOWED)
    return failure (_("This torrent is not served by this tracker"));
  reply.interval = self->interval;
  reply.min_interval = self->interval / 2;
  reply.complete = complete;
  reply.incomplete = incomplete;
  reply.peers = (const TsrPeerAddress *) peers->data;
  reply.n_peers = peers->len;
  reply.compact = request->compact;
  /* Peer ids are not kept: the dictionary form goes without them. */
  reply.no_peer_id = TRUE;
  seen.port = 0;
  reply.external_ip = &seen;
  return tsr_tracker_announce_reply_encode (&reply);
}

static GBytes *
handle_scrape (TsrTrackerServer *self,
               const char       *query,
               gsize             query_length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hashes = tsr_tracker_scrape_query_parse (query, query_length, &error);
  g_autofree TsrTrackerScrapeEntry *entries = NULL;
  gsize size = 0;
  const guint8 *data;
  guint n;
  guint i;

  if (hashes == NULL)
    return failure (error->message);
  data = g_bytes_get_data (hashes, &size);
  n = (guint) (size / 20);
  if (n == 0)
    return failure (_("Name the torrents to scrape (info_hash); a full scrape is not served"));
  entries = g_new0 (TsrTrackerScrapeEntry, n);
  for (i = 0; i < n; i++)
    memcpy (entries[i].info_hash, data + i * 20, 20);
  scrape (entries, n, self);
  return tsr_tracker_scrape_reply_encode (entries, n);
}

char *
tsr_tracker_server_dup_stats_json (TsrTrackerServer *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  TsrSwarmsStats stats;

  tsr_swarms_get_stats (self->swarms, &stats);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "torrents");
  json_builder_add_int_value (builder, stats.swarms);
  json_builder_set_member_name (builder, "peers");
  json_builder_add_int_value (builder, stats.peers);
  json_builder_set_member_name (builder, "seeders");
  json_builder_add_int_value (builder, stats.seeders);
  json_builder_set_member_name (builder, "leechers");
  json_builder_add_int_value (builder, stats.leechers);
  json_builder_set_member_name (builder, "announces");
  json_builder_add_int_value (builder, (gint64) self->announces);
  json_builder_set_member_name (builder, "scrapes");
  json_builder_add_int_value (builder, (gint64) self->scrapes);
  json_builder_set_member_name (builder, "refused");
  json_builder_add_int_value (builder, (gint64) self->refused);
  json_builder_set_member_name (builder, "announces_per_second");
  json_builder_add_double_value (builder, recent_rate (self, self->ring_announces));
  json_builder_set_member_name (builder, "scrapes_per_second");
  json_builder_add_double_value (builder, recent_rate (self, self->ring_scrapes));
  json_builder_set_member_name (builder, "uptime");
  json_builder_add_int_value (builder, (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "memory");
  json_builder_add_int_value (builder, (gint64) tsr_swarms_get_memory_size (self->swarms));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static GBytes *
handle_stats (TsrTrackerServer  *self,
              const char        *query,
              gsize              query_length,
              const char       **content_type)
{
  g_autofree char *query_text = g_strndup (query, query_length);
  TsrSwarmsStats stats;
  char *html;

  if (strstr (query_text, "format=json") != NULL)
    {
      char *json = tsr_tracker_server_dup_stats_json (self);

      *content_type = "application/json";
      return g_bytes_new_take (json, strlen (json));
    }
  tsr_swarms_get_stats (self->swarms, &stats);
  html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head><body>\n"
                          "<h1>%s</h1>\n<table>\n"
                          "<tr><th>%s</th><td>%u</td></tr>\n<tr><th>%s</th><td>%u</td></tr>\n"
                          "<tr><th>%s</th><td>%u</td></tr>\n<tr><th>%s</th><td>%u</td></tr>\n"
                          "<tr><th>%s</th><td>%.1f</td></tr>\n<tr><th>%s</th><td>%.1f</td></tr>\n"
                          "<tr><th>%s</th><td>%" G_GINT64_FORMAT " s</td></tr>\n</table>\n"
                          "<p><a href=\"/stats?format=json\">JSON</a></p>\n</body></html>\n",
                          _("Tracker"), _("Tessera tracker"), _("Torrents"), stats.swarms, _("Peers"), stats.peers,
                          _("Seeders"), stats.seeders, _("Leechers"), stats.leechers, _("Announces a second"),
                          recent_rate (self, self->ring_announces), _("Scrapes a second"),
                          recent_rate (self, self->ring_scrapes), _("Uptime"),
                          (g_get_monotonic_time () - self->started) / G_USEC_PER_SEC);
  *content_type = "text/html; charset=utf-8";
  return g_bytes_new_take (html, strlen (html));
}

/* ------------------------------------------------------------------ */
/* The fronts' callbacks                                               */

/* A GET request from the HTTP front: routed by its path. */
static GBytes *
on_http_request (const TsrHttpRequest  *request,
                 const TsrPeerAddress  *peer,
                 guint                 *status,
                 const char           **reason,
                 const char           **content_type,
                 gpointer               user_data)
{
  TsrTrackerServer *self = user_data;
  const char *query = request->query != NULL ? request->query : "";
  gsize query_length = request->query_length;

  if (!allowed (self, peer))
    return failure (_("Too many requests from your address; slow down"));
  if (request->path_length == 9 && memcmp (request->path, "/announce", 9) == 0)
    return handle_announce (self, query, query_length, peer);
  if (request->path_length == 7 && memcmp (request->path, "/scrape", 7) == 0)
    return handle_scrape (self, query, query_length);
  if (request->path_length == 6 && memcmp (request->path, "/stats", 6) == 0)
    return handle_stats (self, query, query_length, content_type);
  *status = 404;
  *reason = "Not Found";
  return g_bytes_new_static ("", 0);
}

static const TsrTrackerHttpListenerFuncs http_funcs = {
  .request = on_http_request,
};

static gboolean
on_udp_allowed (const TsrPeerAddress *peer,
                gpointer              user_data)
{
  return allowed (user_data, peer);
}

static gboolean
on_udp_announce (const guint8         *info_hash,
                 const TsrPeerAddress *peer,
                 guint64               left,
                 TsrAnnounceEvent      event,
                 gint32                numwant,
                 GArray               *out_peers,
                 guint                *complete,
                 guint                *incomplete,
                 gpointer              user_data)
{
  return announce (user_data, info_hash, peer, left, event, numwant, out_peers, complete, incomplete) ==
         TSR_SWARMS_OK;
}

static const TsrTrackerUdpListenerFuncs udp_funcs = {
  .allowed = on_udp_allowed,
  .announce = on_udp_announce,
  .scrape = scrape,
};

/* ------------------------------------------------------------------ */

static gboolean
on_expire (gpointer user_data)
{
  TsrTrackerServer *self = user_data;

  if (tsr_swarms_expire (self->swarms, wall_now ()) > 0)
    save_soon (self);
  tsr_tracker_http_listener_close_idle (self->http);
  return G_SOURCE_CONTINUE;
}

TsrTrackerServer *
tsr_tracker_server_new (guint interval,
                        guint max_peers,
                        guint max_rate)
{
  TsrTrackerServer *self = g_object_new (TSR_TYPE_TRACKER_SERVER, NULL);
  guint8 key[32];

  self->interval = MAX (interval, 1);
  self->max_peers = MAX (max_peers, 1);
  self->max_rate = max_rate;
  self->max_swarms = TSR_TRACKER_SERVER_MAX_SWARMS;
  self->swarms = tsr_swarms_new (self->max_swarms, self->interval * 2);
  self->http = tsr_tracker_http_listener_new (TSR_TRACKER_SERVER_MAX_CONNECTIONS, TSR_TRACKER_SERVER_IDLE_SECONDS,
                                              &http_funcs, self);
  /* Connection ids must not be forged: the key comes from the kernel's
   * cryptographic generator. */
  tsr_random_bytes (key, sizeof key);
  self->udp = tsr_tracker_udp_listener_new (self->interval, key, &udp_funcs, self);
  self->expire_source = g_timeout_add_seconds (EXPIRE_EVERY, on_expire, self);
  return self;
}

static GSocket *
bound_socket (GInetAddress  *inet,
              guint16        port,
              GSocketType    type,
              GError       **error)
{
  GSocketFamily family = g_inet_address_get_family (inet);
  g_autoptr(GSocket) socket = g_socket_new (family, type, 0, error);
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new (inet, port);

  if (socket == NULL)
    return NULL;
  /* "[::]" and "0.0.0.0" can both be listened on, as two sockets. */
  if (family == G_SOCKET_FAMILY_IPV6 && !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return NULL;
  if (!g_socket_bind (socket, where, TRUE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

gboolean
tsr_tracker_server_listen (TsrTrackerServer  *self,
                           const char        *address,
                           guint16            port,
                           guint16           *bound_port,
                           GError           **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocket) tcp = NULL;
  g_autoptr(GSocket) udp = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IP address"), address);
      return FALSE;
    }
  tcp = bound_socket (inet, port, G_SOCKET_TYPE_STREAM, error);
  if (tcp == NULL)
    return FALSE;
  g_socket_set_listen_backlog (tcp, 1024);
  if (!g_socket_listen (tcp, error))
    return FALSE;
  local = g_socket_get_local_address (tcp, error);
  if (local == NULL)
    return FALSE;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  udp = bound_socket (inet, port, G_SOCKET_TYPE_DATAGRAM, error);
  if (udp == NULL)
    return FALSE;
  g_socket_set_blocking (udp, FALSE);
  g_socket_set_blocking (tcp, FALSE);
  tsr_tracker_http_listener_add_socket (self->http, tcp);
  tsr_tracker_udp_listener_add_socket (self->udp, udp);
  if (bound_port != NULL)
    *bound_port = port;
  return TRUE;
}
