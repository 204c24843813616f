/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-trackers.c: a torrent's trackers (torrent/tsr-tracker.c):
 * made when the session enables them, from the tiers the user set, or
 * else the metainfo's or a magnet's "tr", and made again when the user
 * edits them; told the totals and what is left at each announce; their
 * peers go to the swarm's pool, and their replies and errors become the
 * torrent's signals. It sees the torrent only through
 * tsr-torrent-parts-private.h; the scrape schedule is the torrent's tick.
 * Also the user's list of web seeds (BEP 19), edited with the trackers;
 * the torrent makes the seeds from it.
 */
#define G_LOG_DOMAIN "tsr-torrent"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-metadata.h"
#include "tsr-torrent-parts-private.h"
#include "tsr-torrent.h"

static void
on_tracker_peers (TsrTracker *tracker,
                  gpointer    pointer,
                  gpointer    user_data)
{
  TsrTorrent *self = user_data;
  TsrTorrentState state = tsr_torrent_get_state (self);
  TsrSwarm *swarm = _tsr_torrent_get_swarm (self);
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  GArray *peers = pointer;
  guint i;

  if (state != TSR_TORRENT_DOWNLOADING && state != TSR_TORRENT_SEEDING && state != TSR_TORRENT_FETCHING)
    return;
  for (i = 0; i < peers->len; i++)
    tsr_peer_pool_add (tsr_swarm_get_pool (swarm), &g_array_index (peers, TsrAnnouncePeer, i).address,
                       TSR_PEER_SOURCE_TRACKER, now);
  tsr_swarm_dial_some (swarm, now);
}

static void
on_tracker_reply (TsrTracker *tracker,
                  const char *url,
                  gint64      seeders,
                  gint64      leechers,
                  gint64      interval,
                  gpointer    user_data)
{
  g_signal_emit_by_name (user_data, "tracker-reply", url, seeders, leechers);
}

static void
on_tracker_error (TsrTracker *tracker,
                  const char *url,
                  const char *message,
                  gpointer    user_data)
{
  g_signal_emit_by_name (user_data, "tracker-error", url, message);
}

static void
on_tracker_scrape (TsrTracker *tracker,
                   const char *url,
                   gint64      seeders,
                   gint64      leechers,
                   gint64      downloaded,
                   gpointer    user_data)
{
  g_signal_emit_by_name (user_data, "scrape-reply", url, seeders, leechers, downloaded);
}

static void
on_tracker_scrape_error (TsrTracker *tracker,
                         const char *url,
                         const char *message,
                         gpointer    user_data)
{
  g_signal_emit_by_name (user_data, "scrape-error", url, message);
}

static void
tracker_stats (gpointer            user_data,
               TsrAnnounceRequest *request)
{
  TsrTorrent *self = user_data;
  TsrTorrentStats *stats = _tsr_torrent_get_stats (self);
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);
  guint missing;

  request->uploaded = tsr_torrent_stats_get_uploaded (stats);
  request->downloaded = tsr_torrent_stats_get_downloaded (stats);
  /* A magnet's size is not known yet: anything but 0 says "leecher". */
  if (info == NULL)
    {
      request->left = TSR_METADATA_PIECE_SIZE;
      return;
    }
  missing = info->piece_count - tsr_bitfield_count (tsr_swarm_get_have (_tsr_torrent_get_swarm (self)));
  request->left = MIN ((guint64) missing * info->piece_length, info->total_length);
}

/* A deep copy of @tiers (element-type GPtrArray of URLs). */
static GPtrArray *
copy_tiers (GPtrArray *tiers)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint i, j;

  for (i = 0; tiers != NULL && i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);
      GPtrArray *tier_copy = g_ptr_array_new_with_free_func (g_free);

      for (j = 0; j < tier->len; j++)
        g_ptr_array_add (tier_copy, g_strdup (g_ptr_array_index (tier, j)));
      g_ptr_array_add (copy, tier_copy);
    }
  return copy;
}

GPtrArray *
tsr_torrent_dup_trackers (TsrTorrent *self)
{
  GPtrArray *own = _tsr_torrent_get_own_trackers (self);
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);
  TsrTorrentMagnet *fetch = _tsr_torrent_get_magnet (self);
  const TsrMagnet *magnet = fetch != NULL ? tsr_torrent_magnet_get_magnet (fetch) : NULL;
  GPtrArray *tiers;
  guint i;

  if (own != NULL)
    return copy_tiers (own);
  if (info != NULL)
    return copy_tiers (info->trackers);
  /* A magnet's "tr": one tier each, as BEP 9 leaves it. */
  tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (i = 0; magnet != NULL && i < magnet->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (tier, g_strdup (g_ptr_array_index (magnet->trackers, i)));
      g_ptr_array_add (tiers, tier);
    }
  return tiers;
}

void
tsr_torrent_enable_trackers (TsrTorrent *self,
                             guint16     port)
{
  const guint8 *peer_id = tsr_swarm_get_peer_id (_tsr_torrent_get_swarm (self));
  g_autoptr(GPtrArray) tiers = tsr_torrent_dup_trackers (self);
  TsrTracker *tracker;

  /* Kept to make them again when the list is edited. */
  _tsr_torrent_set_tracker_port (self, (guint) port + 1);
  _tsr_torrent_set_tracker (self, NULL);
  tracker = tsr_tracker_new_for_hash (tsr_torrent_get_info_hash (self), tiers, peer_id, port, tracker_stats, self);
  _tsr_torrent_set_tracker (self, tracker);
  g_signal_connect_object (tracker, "peers", G_CALLBACK (on_tracker_peers), self, 0);
  g_signal_connect_object (tracker, "reply", G_CALLBACK (on_tracker_reply), self, 0);
  g_signal_connect_object (tracker, "error", G_CALLBACK (on_tracker_error), self, 0);
  g_signal_connect_object (tracker, "scrape", G_CALLBACK (on_tracker_scrape), self, 0);
  g_signal_connect_object (tracker, "scrape-error", G_CALLBACK (on_tracker_scrape_error), self, 0);
}

/* An announce URL we can use: http, https or udp, with a host, and
 * nothing a line-based editor or a log would misread. */
static gboolean
is_tracker_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *p;

  for (p = url; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0 ||
         g_ascii_strcasecmp (scheme, "udp") == 0;
}

gboolean
tsr_torrent_set_trackers (TsrTorrent  *self,
                          GPtrArray   *tiers,
                          GError     **error)
{
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint port = _tsr_torrent_get_tracker_port (self);
  TsrTracker *old = _tsr_torrent_get_tracker (self);
  TsrTorrentState state = tsr_torrent_get_state (self);
  gboolean running = state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING ||
                     state == TSR_TORRENT_FETCHING;
  guint i, j;

  if (tiers != NULL)
    {
      kept = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
      for (i = 0; i < tiers->len; i++)
        {
          GPtrArray *tier = g_ptr_array_index (tiers, i);
          GPtrArray *tier_kept = g_ptr_array_new_with_free_func (g_free);

          for (j = 0; j < tier->len; j++)
            {
              const char *url = g_ptr_array_index (tier, j);

              if (!is_tracker_url (url))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a tracker address (http, https or udp)"), url);
                  g_ptr_array_unref (tier_kept);
                  return FALSE;
                }
              /* Once each, in the first tier that names it. */
              if (g_hash_table_add (seen, (gpointer) url))
                g_ptr_array_add (tier_kept, g_strdup (url));
            }
          if (tier_kept->len > 0)
            g_ptr_array_add (kept, tier_kept);
          else
            g_ptr_array_unref (tier_kept);
        }
    }
  _tsr_torrent_set_own_trackers (self, g_steal_pointer (&kept));
  /* Trackers not enabled yet (or never): they are made from the list then. */
  if (old == NULL || port == 0)
    return TRUE;
  if (running)
    tsr_tracker_stop (old);   /* the old ones hear "stopped" */
  tsr_torrent_enable_trackers (self, (guint16) (port - 1));
  if (running)
    tsr_tracker_start (_tsr_torrent_get_tracker (self));
  return TRUE;
}

gboolean
tsr_torrent_is_announcing (TsrTorrent *self)
{
  TsrTracker *tracker = _tsr_torrent_get_tracker (self);

  return tracker != NULL && tsr_tracker_is_busy (tracker);
}

gboolean
tsr_torrent_announce_now (TsrTorrent *self)
{
  TsrTracker *tracker = _tsr_torrent_get_tracker (self);

  if (tracker == NULL)
    return FALSE;
  /* Soon, not at once: a tracker's minimum interval is respected. */
  tsr_tracker_announce_soon (tracker);
  return TRUE;
}

gboolean
tsr_torrent_scrape_now (TsrTorrent *self)
{
  TsrTracker *tracker = _tsr_torrent_get_tracker (self);

  return tracker != NULL && tsr_tracker_scrape_now (tracker, g_get_monotonic_time () / G_USEC_PER_SEC);
}

gint64
tsr_torrent_get_next_announce (TsrTorrent *self)
{
  TsrTracker *tracker = _tsr_torrent_get_tracker (self);

  return tracker != NULL ? tsr_tracker_get_next_announce (tracker) : -1;
}

/* Web seeds (BEP 19), edited like the trackers: the list is kept here,
 * the seeds are the torrent's (TsrWebSeeds). ------------------------- */

/* A web seed (BEP 19) we can fetch from: http or https, with a host, and
 * nothing a line-based editor or a log would misread. */
static gboolean
is_web_seed_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *p;

  for (p = url; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 ||
         g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
}

gboolean
tsr_torrent_set_web_seeds (TsrTorrent          *self,
                           const char * const  *urls,
                           GError             **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *kept = NULL;
  guint i;

  g_return_val_if_fail (TSR_IS_TORRENT (self), FALSE);

  for (i = 0; urls != NULL && urls[i] != NULL; i++)
    if (!is_web_seed_url (urls[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not a web seed address (http or https)"), urls[i]);
        return FALSE;
      }
  if (urls != NULL)
    {
      kept = g_ptr_array_new_with_free_func (g_free);
      for (i = 0; urls[i] != NULL; i++)
        if (g_hash_table_add (seen, (gpointer) urls[i]))
          g_ptr_array_add (kept, g_strdup (urls[i]));
    }
  _tsr_torrent_set_own_web_seeds (self, kept);
  _tsr_torrent_remake_web_seeds (self);
  return TRUE;
}

char **
tsr_torrent_dup_web_seeds (TsrTorrent *self)
{
  GPtrArray *own = _tsr_torrent_get_own_web_seeds (self);
  TsrMetainfo *info = tsr_torrent_get_metainfo (self);
  GPtrArray *urls = own != NULL ? own : info != NULL ? info->web_seeds : NULL;
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;
  guint i;

  for (i = 0; urls != NULL && i < urls->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (urls, i));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}
