/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist-settings.c: the blocklist keys applied to the session's
 * blocklist (see the .h). A list is read again only when its source
 * changes, or when it is turned on with a source not yet read: turning
 * it off and on keeps the ranges (the engine holds them, disabled). A
 * new source cancels a read in flight; the last one asked for wins.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-blocklist-settings.h"

struct _TsrBlocklistSettings
{
  GObject       parent_instance;
  GSettings    *settings;     /* (owned) */
  TsrBlocklist *blocklist;    /* (owned) */
  GCancellable *cancellable;  /* (owned) the read or update in flight */
  char         *source;       /* (owned) the source given to the blocklist */
  gboolean      read;         /* whether that source was read (or is being) */
  guint         n_busy;       /* reads and updates in flight */
  char         *error;        /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (TsrBlocklistSettings, tsr_blocklist_settings, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

guint
tsr_blocklist_settings_get_n_rules (TsrBlocklistSettings *self)
{
  TsrIpRanges *ranges = tsr_blocklist_get_ranges (self->blocklist);

  /* Loaded, whether in force or not (switched off). */
  return ranges != NULL ? tsr_ip_ranges_get_n_ranges (ranges, 0) : 0;
}

guint
tsr_blocklist_settings_get_n_malformed (TsrBlocklistSettings *self)
{
  TsrIpRanges *ranges = tsr_blocklist_get_ranges (self->blocklist);

  return ranges != NULL ? tsr_ip_ranges_get_n_malformed (ranges, NULL, NULL) : 0;
}

gboolean
tsr_blocklist_settings_get_busy (TsrBlocklistSettings *self)
{
  return self->n_busy > 0;
}

const char *
tsr_blocklist_settings_get_error (TsrBlocklistSettings *self)
{
  return self->error;
}

static void
set_error (TsrBlocklistSettings *self,
           const char           *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
set_busy (TsrBlocklistSettings *self,
          gboolean              busy)
{
  if (busy)
    self->n_busy++;
  else
    self->n_busy--;
  if (self->n_busy == (busy ? 1 : 0))
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_blocklist_changed (TsrBlocklistSettings *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* A read or an update is over. */
static void
done (TsrBlocklistSettings *self,
      gboolean              ok,
      GError               *error)
{
  set_busy (self, FALSE);
  if (ok)
    set_error (self, NULL);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The ranges in force stay; the app runs on without new ones. */
      g_message ("The blocklist was not loaded: %s", error->message);
      set_error (self, error->message);
    }
}

/* @user_data is a reference of its own. */
static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TsrBlocklistSettings) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_async_result_is_tagged (result, tsr_blocklist_update_async) ?
                tsr_blocklist_update_finish (TSR_BLOCKLIST (source), result, &error) :
                tsr_blocklist_load_finish (TSR_BLOCKLIST (source), result, &error);

  done (self, ok, error);
}

static void
start (TsrBlocklistSettings *self,
       gboolean              update)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->read = TRUE;
  set_busy (self, TRUE);
  if (update)
    tsr_blocklist_update_async (self->blocklist, self->cancellable, on_done, g_object_ref (self));
  else
    tsr_blocklist_load_async (self->blocklist, self->cancellable, on_done, g_object_ref (self));
}

/* A file:// URI names a file; anything else is given as it is. */
static char *
dup_source (GSettings *settings)
{
  g_autofree char *text = g_strstrip (g_settings_get_string (settings, "blocklist-url"));
  char *path = g_str_has_prefix (text, "file://") ? g_filename_from_uri (text, NULL, NULL) : NULL;

  return path != NULL ? path : g_steal_pointer (&text);
}

static void
apply (TsrBlocklistSettings *self)
{
  gboolean enabled = g_settings_get_boolean (self->settings, "blocklist-enabled");
  g_autofree char *source = dup_source (self->settings);

  tsr_blocklist_set_enabled (self->blocklist, enabled);
  tsr_blocklist_set_update_interval (self->blocklist,
                                     g_settings_get_uint (self->settings, "blocklist-update-interval") * 60 * 60);
  if (g_strcmp0 (source, self->source) != 0)
    {
      const char *sources[] = { source, NULL };

      g_cancellable_cancel (self->cancellable);
      g_free (self->source);
      self->source = g_strdup (source);
      self->read = FALSE;
      tsr_blocklist_set_sources (self->blocklist, source[0] != '\0' ? sources : NULL);
      /* Off, the old list protects nothing and its count would pass for
       * the new one's; on, it stays in force until the new one is in. */
      if (!enabled)
        tsr_blocklist_set_ranges (self->blocklist, NULL);
      if (source[0] == '\0')
        {
          /* No source, no rules, nothing to report. */
          tsr_blocklist_set_ranges (self->blocklist, NULL);
          set_error (self, NULL);
          self->read = TRUE;
        }
    }
  if (enabled && !self->read)
    start (self, FALSE);
}

void
tsr_blocklist_settings_update (TsrBlocklistSettings *self)
{
  g_return_if_fail (TSR_IS_BLOCKLIST_SETTINGS (self));

  if (self->source[0] != '\0')
    start (self, TRUE);
}

static void
tsr_blocklist_settings_dispose (GObject *object)
{
  TsrBlocklistSettings *self = TSR_BLOCKLIST_SETTINGS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->blocklist != NULL)
    g_signal_handlers_disconnect_by_data (self->blocklist, self);
  g_clear_object (&self->settings);
  g_clear_object (&self->blocklist);
  G_OBJECT_CLASS (tsr_blocklist_settings_parent_class)->dispose (object);
}

static void
tsr_blocklist_settings_finalize (GObject *object)
{
  TsrBlocklistSettings *self = TSR_BLOCKLIST_SETTINGS (object);

  g_free (self->source);
  g_free (self->error);
  G_OBJECT_CLASS (tsr_blocklist_settings_parent_class)->finalize (object);
}

static void
tsr_blocklist_settings_class_init (TsrBlocklistSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_blocklist_settings_dispose;
  object_class->finalize = tsr_blocklist_settings_finalize;
  /* Rules, malformed lines, busy or error: one may have changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
tsr_blocklist_settings_init (TsrBlocklistSettings *self)
{
}

TsrBlocklistSettings *
tsr_blocklist_settings_new (GSettings    *settings,
                            TsrBlocklist *blocklist,
                            const char   *folder)
{
  TsrBlocklistSettings *self = g_object_new (TSR_TYPE_BLOCKLIST_SETTINGS, NULL);

  self->settings = g_object_ref (settings);
  self->blocklist = g_object_ref (blocklist);
  tsr_blocklist_set_folder (blocklist, folder);
  g_signal_connect_swapped (blocklist, "changed", G_CALLBACK (on_blocklist_changed), self);
  g_signal_connect_swapped (settings, "changed::blocklist-enabled", G_CALLBACK (apply), self);
  g_signal_connect_swapped (settings, "changed::blocklist-url", G_CALLBACK (apply), self);
  g_signal_connect_swapped (settings, "changed::blocklist-update-interval", G_CALLBACK (apply), self);
  apply (self);
  return self;
}
