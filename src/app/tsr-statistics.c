/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-statistics.c: the session's and all-time totals (see the .h). The
 * bytes come from each torrent's own counters, as differences from one
 * tick to the next (kept on the torrent as qdata, so a removed torrent
 * takes its baseline with it): a torrent first seen only sets its
 * baseline, so the totals a restored torrent brings from its resume
 * record are not counted twice. Saves are coalesced: a change while a
 * save is pending or being written only marks the totals dirty.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-statistics.h"

#define GROUP "all-time"

typedef struct
{
  guint64 downloaded;
  guint64 uploaded;
} Baseline;

struct _TsrStatistics
{
  GObject        parent_instance;
  char          *path;           /* (owned) the key file */
  TsrStatTotals  before;         /* earlier sessions */
  TsrStatTotals  session;
  guint          save_delay_ms;
  guint          save_source;    /* pending debounced save */
  gboolean       writing;        /* an async write is on its way */
  gboolean       dirty;          /* changed since the write on its way began */
  GCancellable  *cancellable;    /* (owned) cancelled in dispose */
  TsrLibrary    *library;        /* (owned) (nullable) followed */
  guint          tick_source;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrStatistics, tsr_statistics, G_TYPE_OBJECT)

/* Each torrent's counters at the last sample. */
static GQuark
baseline_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("tsr-statistics-baseline");
  return quark;
}

gdouble
tsr_stat_totals_get_ratio (const TsrStatTotals *totals)
{
  if (totals->downloaded == 0)
    return -1;
  return (gdouble) totals->uploaded / (gdouble) totals->downloaded;
}

char *
tsr_stat_totals_format_ratio (const TsrStatTotals *totals)
{
  if (totals->downloaded == 0)
    /* TRANSLATORS: a ratio of uploaded to downloaded: nothing downloaded, so none or infinite */
    return g_strdup (totals->uploaded > 0 ? "∞" : C_("ratio", "None"));
  return g_strdup_printf ("%.2f", tsr_stat_totals_get_ratio (totals));
}

static void
tsr_statistics_dispose (GObject *object)
{
  TsrStatistics *self = TSR_STATISTICS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (tsr_library_get_torrents (self->library), self);
  g_clear_object (&self->library);
  G_OBJECT_CLASS (tsr_statistics_parent_class)->dispose (object);
}

static void
tsr_statistics_finalize (GObject *object)
{
  TsrStatistics *self = TSR_STATISTICS (object);

  g_free (self->path);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (tsr_statistics_parent_class)->finalize (object);
}

static void
tsr_statistics_class_init (TsrStatisticsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_statistics_dispose;
  object_class->finalize = tsr_statistics_finalize;
  /* The totals moved: a dialog showing them updates. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
tsr_statistics_init (TsrStatistics *self)
{
  self->cancellable = g_cancellable_new ();
}

static guint64
read_key (GKeyFile   *file,
          const char *key)
{
  g_autoptr(GError) error = NULL;
  guint64 value = g_key_file_get_uint64 (file, GROUP, key, &error);

  return error == NULL ? value : 0;
}

TsrStatistics *
tsr_statistics_new (const char *path,
                    guint       save_delay_ms)
{
  TsrStatistics *self;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (TSR_TYPE_STATISTICS, NULL);
  self->path = g_strdup (path);
  self->save_delay_ms = save_delay_ms;
  if (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error))
    {
      self->before.downloaded = read_key (file, "downloaded");
      self->before.uploaded = read_key (file, "uploaded");
      self->before.seconds_active = read_key (file, "seconds-active");
      self->before.torrents_added = read_key (file, "torrents-added");
    }
  else if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Cannot read the statistics in %s: %s", path, error->message);
  return self;
}

static GBytes *
serialize (TsrStatistics *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  TsrStatTotals total;
  gsize length = 0;
  char *data;

  tsr_statistics_get_total (self, &total);
  g_key_file_set_uint64 (file, GROUP, "downloaded", total.downloaded);
  g_key_file_set_uint64 (file, GROUP, "uploaded", total.uploaded);
  g_key_file_set_uint64 (file, GROUP, "seconds-active", total.seconds_active);
  g_key_file_set_uint64 (file, GROUP, "torrents-added", total.torrents_added);
  data = g_key_file_to_data (file, &length, NULL);
  return g_bytes_new_take (data, length);
}

static void schedule_save (TsrStatistics *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrStatistics) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Cannot save the statistics in %s: %s", self->path, error->message);
    }
  if (self->dirty)
    schedule_save (self);
}

static gboolean
on_save_due (gpointer user_data)
{
  TsrStatistics *self = user_data;
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GBytes) bytes = serialize (self);

  self->save_source = 0;
  self->dirty = FALSE;
  self->writing = TRUE;
  /* The data folder exists once the library has run; a fresh one in
   * tests may not (a tiny mkdir, as the app's other files do). */
  if (parent != NULL)
    g_mkdir_with_parents (g_file_peek_path (parent), 0700);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, self->cancellable,
                                       on_written, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_save (TsrStatistics *self)
{
  self->dirty = TRUE;
  if (self->save_source != 0 || self->writing)
    return;
  self->save_source = g_timeout_add (self->save_delay_ms, on_save_due, self);
}

void
tsr_statistics_record (TsrStatistics *self,
                       guint64        downloaded,
                       guint64        uploaded,
                       guint          seconds)
{
  g_return_if_fail (TSR_IS_STATISTICS (self));

  if (downloaded == 0 && uploaded == 0 && seconds == 0)
    return;
  self->session.downloaded += downloaded;
  self->session.uploaded += uploaded;
  self->session.seconds_active += seconds;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  schedule_save (self);
}

void
tsr_statistics_add_torrent (TsrStatistics *self)
{
  g_return_if_fail (TSR_IS_STATISTICS (self));

  self->session.torrents_added++;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  schedule_save (self);
}

void
tsr_statistics_get_session (TsrStatistics *self,
                            TsrStatTotals *totals)
{
  g_return_if_fail (TSR_IS_STATISTICS (self));

  *totals = self->session;
}

void
tsr_statistics_get_total (TsrStatistics *self,
                          TsrStatTotals *totals)
{
  g_return_if_fail (TSR_IS_STATISTICS (self));

  totals->downloaded = self->before.downloaded + self->session.downloaded;
  totals->uploaded = self->before.uploaded + self->session.uploaded;
  totals->seconds_active = self->before.seconds_active + self->session.seconds_active;
  totals->torrents_added = self->before.torrents_added + self->session.torrents_added;
}

gboolean
tsr_statistics_save (TsrStatistics  *self,
                     GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *folder = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (TSR_IS_STATISTICS (self), FALSE);

  g_clear_handle_id (&self->save_source, g_source_remove);
  self->dirty = FALSE;
  bytes = serialize (self);
  data = g_bytes_get_data (bytes, &length);
  folder = g_path_get_dirname (self->path);
  g_mkdir_with_parents (folder, 0700);
  return g_file_set_contents_full (self->path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* ------------------------------------------------------------------ */
/* Following a library                                                 */

/* Adds what each torrent moved since the last sample, and @seconds. */
static void
sample (TsrStatistics *self,
        guint          seconds)
{
  GListModel *torrents = tsr_library_get_torrents (self->library);
  guint64 down = 0;
  guint64 up = 0;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (torrents); i++)
    {
      g_autoptr(TsrTorrent) torrent = g_list_model_get_item (torrents, i);
      Baseline *last = g_object_get_qdata (G_OBJECT (torrent), baseline_quark ());
      guint64 downloaded = tsr_torrent_get_downloaded (torrent);
      guint64 uploaded = tsr_torrent_get_uploaded (torrent);

      if (last == NULL)
        {
          last = g_new0 (Baseline, 1);
          g_object_set_qdata_full (G_OBJECT (torrent), baseline_quark (), last, g_free);
        }
      else
        {
          /* A counter that went back (a recheck) only moves the baseline. */
          down += downloaded > last->downloaded ? downloaded - last->downloaded : 0;
          up += uploaded > last->uploaded ? uploaded - last->uploaded : 0;
        }
      last->downloaded = downloaded;
      last->uploaded = uploaded;
    }
  tsr_statistics_record (self, down, up, seconds);
}

static gboolean
on_tick (gpointer user_data)
{
  sample (user_data, 1);
  return G_SOURCE_CONTINUE;
}

static void
on_torrents_changed (GListModel    *torrents,
                     guint          position,
                     guint          removed,
                     guint          added,
                     TsrStatistics *self)
{
  guint i;

  /* A move within the list removes and adds as many: only growth counts. */
  for (i = removed; i < added; i++)
    tsr_statistics_add_torrent (self);
}

void
tsr_statistics_follow (TsrStatistics *self,
                       TsrLibrary    *library)
{
  g_return_if_fail (TSR_IS_STATISTICS (self));
  g_return_if_fail (self->library == NULL);

  self->library = g_object_ref (library);
  g_signal_connect (tsr_library_get_torrents (library), "items-changed", G_CALLBACK (on_torrents_changed), self);
  sample (self, 0);   /* baselines now: what the torrents brought is not counted */
  self->tick_source = g_timeout_add_seconds (1, on_tick, self);
}
