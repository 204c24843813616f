/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-group.c: one sidebar row's data (see the .h): a kind, a
 * key, a title and a count that notifies when it moves.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-torrent-group.h"

struct _TsrTorrentGroup
{
  GObject       parent_instance;
  TsrGroupKind  kind;
  char         *key;     /* (owned) (nullable) */
  guint         count;
};

G_DEFINE_FINAL_TYPE (TsrTorrentGroup, tsr_torrent_group, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The engine's own names for states (context "torrent state"), and two more. */
static const struct
{
  const char *context;
  const char *title;
} state_titles[] = {
  { NULL, N_("All") },
  { "torrent state", NC_("torrent state", "Downloading") },
  { "torrent state", NC_("torrent state", "Seeding") },
  { "torrent state", NC_("torrent state", "Stopped") },
  { "torrent state", NC_("torrent state", "Queued") },
  { "torrent state", NC_("torrent state", "Checking") },
  { "torrent state", NC_("torrent state", "Error") },
  /* TRANSLATORS: the torrents moving data now (downloading or uploading) */
  { NULL, N_("Active") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_titles) == TSR_GROUP_N_STATES);

static void
tsr_torrent_group_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TsrTorrentGroup *self = TSR_TORRENT_GROUP (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, tsr_torrent_group_get_title (self));
      break;
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_torrent_group_finalize (GObject *object)
{
  TsrTorrentGroup *self = TSR_TORRENT_GROUP (object);

  g_free (self->key);
  G_OBJECT_CLASS (tsr_torrent_group_parent_class)->finalize (object);
}

static void
tsr_torrent_group_class_init (TsrTorrentGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tsr_torrent_group_get_property;
  object_class->finalize = tsr_torrent_group_finalize;
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tsr_torrent_group_init (TsrTorrentGroup *self)
{
}

TsrTorrentGroup *
tsr_torrent_group_new (TsrGroupKind  kind,
                       const char   *key)
{
  TsrTorrentGroup *self = g_object_new (TSR_TYPE_TORRENT_GROUP, NULL);

  self->kind = kind;
  self->key = g_strdup (key);
  return self;
}

TsrGroupKind
tsr_torrent_group_get_kind (TsrTorrentGroup *self)
{
  return self->kind;
}

const char *
tsr_torrent_group_get_key (TsrTorrentGroup *self)
{
  return self->key;
}

const char *
tsr_torrent_group_get_title (TsrTorrentGroup *self)
{
  if (self->kind >= TSR_GROUP_N_STATES)
    return self->key;
  if (state_titles[self->kind].context != NULL)
    return g_dpgettext2 (NULL, state_titles[self->kind].context, state_titles[self->kind].title);
  return _(state_titles[self->kind].title);
}

guint
tsr_torrent_group_get_count (TsrTorrentGroup *self)
{
  return self->count;
}

void
tsr_torrent_group_add (TsrTorrentGroup *self,
                       int              delta)
{
  if (delta == 0)
    return;
  g_return_if_fail (delta > 0 || self->count >= (guint) -delta);
  self->count = (guint) ((int) self->count + delta);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}
