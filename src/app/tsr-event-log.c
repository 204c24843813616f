/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-event-log.c: a torrent's event streams (see the .h). Each line is
 * worded here from the engine's signals; a "line-added" signal lets an
 * open view append without rereading the history.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-event-log.h"

struct _TsrEventLog
{
  GObject  parent_instance;
  GQueue      lines[TSR_N_LOGS];   /* (element-type utf8) oldest first */
  guint       max_lines;
  GHashTable *trackers;            /* url → TrackerStatus (owned) */
};

typedef struct
{
  gint64  when;
  char   *message;    /* (nullable) the last error */
  gint64  seeders;
  gint64  leechers;
  gboolean scraped;   /* BEP 48 counts below are known */
  gint64  swarm_seeders;
  gint64  swarm_leechers;
  gint64  swarm_downloaded;
} TrackerStatus;

static void
tracker_status_free (TrackerStatus *status)
{
  g_free (status->message);
  g_free (status);
}

static void
set_tracker (TsrEventLog *self,
             const char  *url,
             const char  *message,
             gint64       seeders,
             gint64       leechers)
{
  TrackerStatus *status = g_hash_table_lookup (self->trackers, url);

  if (status == NULL)
    {
      status = g_new0 (TrackerStatus, 1);
      g_hash_table_insert (self->trackers, g_strdup (url), status);
    }
  status->when = g_get_real_time () / G_USEC_PER_SEC;
  g_free (status->message);
  status->message = g_strdup (message);
  status->seeders = seeders;
  status->leechers = leechers;
}

gboolean
tsr_event_log_get_scrape (TsrEventLog *self,
                          const char  *url,
                          gint64      *seeders,
                          gint64      *leechers,
                          gint64      *downloaded)
{
  TrackerStatus *status = g_hash_table_lookup (self->trackers, url);

  if (status == NULL || !status->scraped)
    return FALSE;
  *seeders = status->swarm_seeders;
  *leechers = status->swarm_leechers;
  *downloaded = status->swarm_downloaded;
  return TRUE;
}

gboolean
tsr_event_log_get_tracker (TsrEventLog *self,
                           const char  *url,
                           gint64      *when,
                           const char **message,
                           gint64      *seeders,
                           gint64      *leechers)
{
  TrackerStatus *status = g_hash_table_lookup (self->trackers, url);

  if (status == NULL)
    return FALSE;
  *when = status->when;
  *message = status->message;
  *seeders = status->seeders;
  *leechers = status->leechers;
  return TRUE;
}

char *
tsr_event_log_dup_tracker_status (TsrEventLog *self,
                                  const char  *url)
{
  const char *message = NULL;
  gint64 when = 0;
  gint64 seeders = -1;
  gint64 leechers = -1;
  gint64 downloaded = -1;
  g_autofree char *announce = NULL;

  if (self == NULL || !tsr_event_log_get_tracker (self, url, &when, &message, &seeders, &leechers))
    announce = g_strdup (_("Not asked yet"));
  else
    {
      g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (when);
      g_autofree char *time_text = g_date_time_format (then, "%X");

      if (message != NULL)
        /* TRANSLATORS: time of the last announce, then the tracker's error */
        announce = g_strdup_printf (_("%s: %s"), time_text, message);
      else if (seeders >= 0 && leechers >= 0)
        {
          g_autofree char *counts = tsr_format_swarm (seeders, leechers, -1);

          /* TRANSLATORS: time of the last announce, then "3 seeders, 4 leechers" */
          announce = g_strdup_printf (_("%s: %s"), time_text, counts);
        }
      else
        announce = g_strdup_printf (_("%s: answered"), time_text);
    }
  /* BEP 48: the whole swarm's counts, when the tracker was scraped. */
  if (self != NULL && tsr_event_log_get_scrape (self, url, &seeders, &leechers, &downloaded))
    {
      g_autofree char *counts = tsr_format_swarm (seeders, leechers, downloaded);

      /* TRANSLATORS: the last announce's outcome, then the tracker's scrape counts */
      return g_strdup_printf (_("%s · swarm: %s"), announce, counts);
    }
  return g_steal_pointer (&announce);
}

G_DEFINE_FINAL_TYPE (TsrEventLog, tsr_event_log, G_TYPE_OBJECT)

enum
{
  SIGNAL_LINE_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tsr_event_log_finalize (GObject *object)
{
  TsrEventLog *self = TSR_EVENT_LOG (object);
  guint i;

  for (i = 0; i < TSR_N_LOGS; i++)
    g_queue_clear_full (&self->lines[i], g_free);
  g_hash_table_unref (self->trackers);
  G_OBJECT_CLASS (tsr_event_log_parent_class)->finalize (object);
}

static void
tsr_event_log_class_init (TsrEventLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tsr_event_log_finalize;
  /* kind (TsrLogKind), the line as stored */
  signals[SIGNAL_LINE_ADDED] = g_signal_new ("line-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
tsr_event_log_init (TsrEventLog *self)
{
  guint i;

  for (i = 0; i < TSR_N_LOGS; i++)
    g_queue_init (&self->lines[i]);
  self->trackers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) tracker_status_free);
}

void
tsr_event_log_add (TsrEventLog *self,
                   TsrLogKind   kind,
                   const char  *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%H:%M:%S");
  char *line = g_strdup_printf ("%s  %s", stamp, text);

  g_return_if_fail (kind < TSR_N_LOGS);
  g_queue_push_tail (&self->lines[kind], line);
  while (g_queue_get_length (&self->lines[kind]) > self->max_lines)
    g_free (g_queue_pop_head (&self->lines[kind]));
  g_signal_emit (self, signals[SIGNAL_LINE_ADDED], 0, (int) kind, line);
}

static void
add_printf (TsrEventLog *self,
            TsrLogKind   kind,
            const char  *format,
            ...) G_GNUC_PRINTF (3, 4);

static void
add_printf (TsrEventLog *self,
            TsrLogKind   kind,
            const char  *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  tsr_event_log_add (self, kind, text);
}

void
tsr_event_log_set_max_lines (TsrEventLog *self,
                             guint        max_lines)
{
  guint i;

  self->max_lines = MAX (max_lines, 1);
  for (i = 0; i < TSR_N_LOGS; i++)
    while (g_queue_get_length (&self->lines[i]) > self->max_lines)
      g_free (g_queue_pop_head (&self->lines[i]));
}

char *
tsr_event_log_dup_text (TsrEventLog *self,
                        TsrLogKind   kind)
{
  GString *text = g_string_new (NULL);
  GList *l;

  for (l = self->lines[kind].head; l != NULL; l = l->next)
    {
      g_string_append (text, l->data);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

guint
tsr_event_log_get_n_lines (TsrEventLog *self,
                           TsrLogKind   kind)
{
  return g_queue_get_length (&self->lines[kind]);
}

/* ------------------------------------------------------------------ */
/* The engine's signals, worded                                        */

/* A line of the torrent's log for each state it enters: whole sentences,
 * so that each language words them its own way. */
static const char *
state_sentence (TsrTorrentState state)
{
  switch (state)
    {
    case TSR_TORRENT_STOPPED:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return C_("torrent log", "Stopped");
    case TSR_TORRENT_CHECKING:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Checking the data");
    case TSR_TORRENT_DOWNLOADING:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Downloading now");
    case TSR_TORRENT_SEEDING:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Seeding now");
    case TSR_TORRENT_ERROR:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Stopped by an error");
    case TSR_TORRENT_QUEUED:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Waiting in the queue");
    case TSR_TORRENT_FETCHING:
      /* TRANSLATORS: a line of a torrent's log: it entered this state */
      return _("Fetching the metadata from peers");
    default:
      return tsr_format_state (state);
    }
}

/* What a "peer-state" change means, after the peer's address. */
static const char *
peer_change_text (const char *change)
{
  static const struct
  {
    const char *change;
    const char *text;
  } texts[] = {
    /* TRANSLATORS: the peer log says "ADDRESS: TEXT" when a peer's state
     * changes. Choking is BitTorrent's word for refusing to send data. */
    { "choked-us", N_("chokes us: sends us nothing for now") },
    { "unchoked-us", N_("unchoked us: we may ask it for data") },
    { "interested-in-us", N_("wants pieces we have") },
    { "not-interested-in-us", N_("wants no pieces we have") },
    { "we-choke", N_("choked by us: we send it nothing for now") },
    { "we-unchoke", N_("unchoked by us: it may ask us for data") },
    { "we-are-interested", N_("has pieces we want") },
    { "we-are-not-interested", N_("has no pieces we want") },
    { "snubbed-us", N_("snubbed us: no data for a minute although it unchoked us") },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_str_equal (change, texts[i].change))
      return _(texts[i].text);
  return change;
}

static void
on_state_changed (TsrTorrent  *torrent,
                  TsrEventLog *self)
{
  TsrTorrentState state = tsr_torrent_get_state (torrent);

  if (state == TSR_TORRENT_ERROR)
    add_printf (self, TSR_LOG_ERRORS, "%s", tsr_torrent_get_error (torrent) != NULL ? tsr_torrent_get_error (torrent)
                                                                                     : tsr_format_state (state));
  tsr_event_log_add (self, TSR_LOG_TORRENT, state_sentence (state));
}

static void
on_checked (TsrTorrent  *torrent,
            guint        pieces,
            gboolean     from_resume,
            TsrEventLog *self)
{
  if (from_resume)
    add_printf (self, TSR_LOG_TORRENT, g_dngettext (NULL, "%u piece here (from the resume record)",
                                                    "%u pieces here (from the resume record)", pieces), pieces);
  else
    add_printf (self, TSR_LOG_TORRENT, g_dngettext (NULL, "%u piece here (checked)", "%u pieces here (checked)",
                                                    pieces), pieces);
}

static void
on_hash_failed (TsrTorrent  *torrent,
                guint        index,
                TsrEventLog *self)
{
  add_printf (self, TSR_LOG_ERRORS, _("Piece %u failed its hash check; fetching it again"), index);
}

static void
on_done (TsrTorrent  *torrent,
         TsrEventLog *self)
{
  tsr_event_log_add (self, TSR_LOG_TORRENT, _("All data is here and verified"));
}

static void
on_tracker_reply (TsrTorrent  *torrent,
                  const char  *url,
                  gint64       seeders,
                  gint64       leechers,
                  TsrEventLog *self)
{
  set_tracker (self, url, NULL, seeders, leechers);
  if (seeders >= 0 && leechers >= 0)
    {
      g_autofree char *counts = tsr_format_swarm (seeders, leechers, -1);

      /* TRANSLATORS: a tracker's address, then "3 seeders, 4 leechers" */
      add_printf (self, TSR_LOG_TORRENT, _("Tracker %s: %s"), url, counts);
    }
  else
    add_printf (self, TSR_LOG_TORRENT, _("Tracker %s answered"), url);
}

static void
on_scrape_reply (TsrTorrent  *torrent,
                 const char  *url,
                 gint64       seeders,
                 gint64       leechers,
                 gint64       downloaded,
                 TsrEventLog *self)
{
  TrackerStatus *status = g_hash_table_lookup (self->trackers, url);

  if (status == NULL)
    {
      status = g_new0 (TrackerStatus, 1);
      status->seeders = status->leechers = -1;
      g_hash_table_insert (self->trackers, g_strdup (url), status);
    }
  status->scraped = TRUE;
  status->swarm_seeders = seeders;
  status->swarm_leechers = leechers;
  status->swarm_downloaded = downloaded;
}

static void
on_tracker_error (TsrTorrent  *torrent,
                  const char  *url,
                  const char  *message,
                  TsrEventLog *self)
{
  set_tracker (self, url, message, -1, -1);
  add_printf (self, TSR_LOG_ERRORS, _("Tracker %s: %s"), url, message);
}

static void
on_limit_reached (TsrTorrent  *torrent,
                  const char  *what,
                  TsrEventLog *self)
{
  tsr_event_log_add (self, TSR_LOG_TORRENT, tsr_torrent_describe_limit (what));
}

static void
on_peer_connected (TsrTorrent  *torrent,
                   const char  *address,
                   TsrEventLog *self)
{
  add_printf (self, TSR_LOG_PEERS, _("%s: connected"), address);
}

static void
on_peer_gone (TsrTorrent  *torrent,
              const char  *address,
              const char  *reason,
              TsrEventLog *self)
{
  if (reason != NULL && reason[0] != '\0')
    add_printf (self, TSR_LOG_PEERS, _("%s: gone (%s)"), address, reason);
  else
    add_printf (self, TSR_LOG_PEERS, _("%s: gone"), address);
}

static void
on_peer_banned (TsrTorrent  *torrent,
                const char  *address,
                const char  *reason,
                TsrEventLog *self)
{
  add_printf (self, TSR_LOG_PEERS, _("%s: banned (%s)"), address, reason);
  add_printf (self, TSR_LOG_ERRORS, _("Banned %s: %s"), address, reason);
}

static void
on_peer_state (TsrTorrent  *torrent,
               const char  *address,
               const char  *change,
               TsrEventLog *self)
{
  /* TRANSLATORS: a line of the peer log: a peer's address, then what
   * changed ("has pieces we want") */
  add_printf (self, TSR_LOG_PEERS, C_("peer log", "%s: %s"), address, peer_change_text (change));
}

/* What loading the torrent file repaired or ignored (bytes after its
 * end, a renamed duplicate path, trackers over the cap), as `show` lists
 * them: the torrent loads as other clients load it, and says so here. */
static void
add_notes (TsrEventLog *self,
           TsrTorrent  *torrent)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (torrent);
  guint i;

  for (i = 0; info != NULL && info->notes != NULL && i < info->notes->len; i++)
    /* TRANSLATORS: a line of the torrent log; %s says what loading the
     * torrent file changed, e.g. "1 byte after the end of the torrent was
     * ignored" */
    add_printf (self, TSR_LOG_TORRENT, _("Torrent file: %s"), (const char *) g_ptr_array_index (info->notes, i));
}

static void
on_metadata_received (TsrTorrent  *torrent,
                      TsrEventLog *self)
{
  add_notes (self, torrent);
}

TsrEventLog *
tsr_event_log_new (TsrTorrent *torrent,
                   guint       max_lines)
{
  TsrEventLog *self = g_object_new (TSR_TYPE_EVENT_LOG, NULL);

  self->max_lines = MAX (max_lines, 1);
  g_signal_connect (torrent, "state-changed", G_CALLBACK (on_state_changed), self);
  g_signal_connect (torrent, "checked", G_CALLBACK (on_checked), self);
  g_signal_connect (torrent, "hash-failed", G_CALLBACK (on_hash_failed), self);
  g_signal_connect (torrent, "done", G_CALLBACK (on_done), self);
  g_signal_connect (torrent, "tracker-reply", G_CALLBACK (on_tracker_reply), self);
  g_signal_connect (torrent, "tracker-error", G_CALLBACK (on_tracker_error), self);
  g_signal_connect (torrent, "scrape-reply", G_CALLBACK (on_scrape_reply), self);
  g_signal_connect (torrent, "limit-reached", G_CALLBACK (on_limit_reached), self);
  g_signal_connect (torrent, "peer-connected", G_CALLBACK (on_peer_connected), self);
  g_signal_connect (torrent, "peer-gone", G_CALLBACK (on_peer_gone), self);
  g_signal_connect (torrent, "peer-banned", G_CALLBACK (on_peer_banned), self);
  g_signal_connect (torrent, "peer-state", G_CALLBACK (on_peer_state), self);
  g_signal_connect (torrent, "metadata-received", G_CALLBACK (on_metadata_received), self);
  add_notes (self, torrent);
  return self;
}

TsrEventLog *
tsr_event_log_get_for (TsrTorrent *torrent)
{
  return g_object_get_data (G_OBJECT (torrent), "tsr-event-log");
}

void
tsr_event_log_attach (TsrTorrent *torrent,
                      guint       max_lines)
{
  /* The torrent owns its log: the handlers, whose data is the log, go
   * with the torrent's dispose, before its data is freed. */
  g_object_set_data_full (G_OBJECT (torrent), "tsr-event-log", tsr_event_log_new (torrent, max_lines),
                          g_object_unref);
}
