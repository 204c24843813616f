/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-row.c: one row of the peers view (see tsr-peer-row.h). Its
 * properties are what the columns show, formatted here once so that each
 * cell binds one string.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-peer-row.h"

struct _TsrPeerRow
{
  GObject  parent_instance;
  char    *address;
  char    *client;
  char    *direction;
  char    *transport;
  char    *source;
  char    *extensions;
  char    *flags;
  guint64  down_rate;
  guint64  up_rate;
  guint64  downloaded;
  guint64  uploaded;
  gdouble  progress;
  char    *requests;
  gint64   age;
};

G_DEFINE_FINAL_TYPE (TsrPeerRow, tsr_peer_row, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_CLIENT,
  PROP_DIRECTION,
  PROP_TRANSPORT,
  PROP_SOURCE,
  PROP_EXTENSIONS,
  PROP_FLAGS,
  PROP_DOWN_RATE,
  PROP_UP_RATE,
  PROP_DOWNLOADED,
  PROP_UPLOADED,
  PROP_PROGRESS,
  PROP_REQUESTS,
  PROP_AGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tsr_peer_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TsrPeerRow *self = TSR_PEER_ROW (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_CLIENT:
      g_value_set_string (value, self->client);
      break;
    case PROP_DIRECTION:
      g_value_set_string (value, self->direction);
      break;
    case PROP_TRANSPORT:
      g_value_set_string (value, self->transport);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_EXTENSIONS:
      g_value_set_string (value, self->extensions);
      break;
    case PROP_FLAGS:
      g_value_set_string (value, self->flags);
      break;
    case PROP_DOWN_RATE:
      g_value_set_uint64 (value, self->down_rate);
      break;
    case PROP_UP_RATE:
      g_value_set_uint64 (value, self->up_rate);
      break;
    case PROP_DOWNLOADED:
      g_value_set_uint64 (value, self->downloaded);
      break;
    case PROP_UPLOADED:
      g_value_set_uint64 (value, self->uploaded);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_REQUESTS:
      g_value_set_string (value, self->requests);
      break;
    case PROP_AGE:
      g_value_set_int64 (value, self->age);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_peer_row_finalize (GObject *object)
{
  TsrPeerRow *self = TSR_PEER_ROW (object);

  g_free (self->address);
  g_free (self->client);
  g_free (self->direction);
  g_free (self->transport);
  g_free (self->source);
  g_free (self->extensions);
  g_free (self->flags);
  g_free (self->requests);
  G_OBJECT_CLASS (tsr_peer_row_parent_class)->finalize (object);
}

static void
tsr_peer_row_class_init (TsrPeerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = tsr_peer_row_get_property;
  object_class->finalize = tsr_peer_row_finalize;

  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_CLIENT] = g_param_spec_string ("client", NULL, NULL, NULL, flags);
  properties[PROP_DIRECTION] = g_param_spec_string ("direction", NULL, NULL, NULL, flags);
  properties[PROP_TRANSPORT] = g_param_spec_string ("transport", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, flags);
  properties[PROP_EXTENSIONS] = g_param_spec_string ("extensions", NULL, NULL, NULL, flags);
  properties[PROP_FLAGS] = g_param_spec_string ("flags", NULL, NULL, NULL, flags);
  properties[PROP_DOWN_RATE] = g_param_spec_uint64 ("down-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_UP_RATE] = g_param_spec_uint64 ("up-rate", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_DOWNLOADED] = g_param_spec_uint64 ("downloaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_UPLOADED] = g_param_spec_uint64 ("uploaded", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_REQUESTS] = g_param_spec_string ("requests", NULL, NULL, NULL, flags);
  properties[PROP_AGE] = g_param_spec_int64 ("age", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tsr_peer_row_init (TsrPeerRow *self)
{
}

const char *
tsr_peer_row_get_address (TsrPeerRow *self)
{
  return self->address;
}

/* The original's flags: D/d we download (unchoked/choked while
 * interested), U/u they download, S snubbed, F fast extension. */
static char *
flags_of (const TsrPeerInfo *info)
{
  GString *flags = g_string_new (NULL);

  if (info->am_interested)
    g_string_append_c (flags, info->peer_choking ? 'd' : 'D');
  if (info->peer_interested)
    g_string_append_c (flags, info->am_choking ? 'u' : 'U');
  if (info->snubbed)
    g_string_append_c (flags, 'S');
  if (info->fast)
    g_string_append_c (flags, 'F');
  return g_string_free (flags, FALSE);
}

static void
set_string (TsrPeerRow  *self,
            char       **field,
            char        *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define SET_NUMBER(self, field, value, prop) \
  G_STMT_START { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
      } \
  } G_STMT_END

static void
row_update (TsrPeerRow        *self,
            const TsrPeerInfo *info)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->client, g_strdup (info->client), PROP_CLIENT);
  set_string (self, &self->direction, g_strdup (info->incoming ? _("In") : _("Out")), PROP_DIRECTION);
  /* Protocol names, as the extensions' are: not translated. */
  set_string (self, &self->transport,
              g_strdup (info->transport == TSR_TRANSPORT_UTP ? "uTP" : info->transport == TSR_TRANSPORT_TCP ? "TCP" : ""),
              PROP_TRANSPORT);
  set_string (self, &self->source, g_strdup (tsr_peer_source_to_string (info->source)), PROP_SOURCE);
  set_string (self, &self->extensions, g_strdup (info->extensions), PROP_EXTENSIONS);
  set_string (self, &self->flags, flags_of (info), PROP_FLAGS);
  /* TRANSLATORS: requests in flight: ours to the peer / the peer's to us */
  set_string (self, &self->requests, g_strdup_printf (_("%u / %u"), info->requests_out, info->requests_in),
              PROP_REQUESTS);
  SET_NUMBER (self, down_rate, info->down_rate, PROP_DOWN_RATE);
  SET_NUMBER (self, up_rate, info->up_rate, PROP_UP_RATE);
  SET_NUMBER (self, downloaded, info->downloaded, PROP_DOWNLOADED);
  SET_NUMBER (self, uploaded, info->uploaded, PROP_UPLOADED);
  SET_NUMBER (self, progress, info->progress, PROP_PROGRESS);
  SET_NUMBER (self, age, info->connected_seconds, PROP_AGE);
  g_object_thaw_notify (G_OBJECT (self));
}

void
tsr_peer_rows_update (GListStore *store,
                      GPtrArray  *infos)
{
  g_autoptr(GHashTable) by_address = g_hash_table_new (g_str_hash, g_str_equal);
  guint i;

  for (i = 0; i < infos->len; i++)
    {
      TsrPeerInfo *info = g_ptr_array_index (infos, i);

      g_hash_table_insert (by_address, info->address, info);
    }
  /* Rows whose peer is gone go; the others are updated where they are. */
  for (i = g_list_model_get_n_items (G_LIST_MODEL (store)); i > 0; i--)
    {
      g_autoptr(TsrPeerRow) row = g_list_model_get_item (G_LIST_MODEL (store), i - 1);
      TsrPeerInfo *info = g_hash_table_lookup (by_address, row->address);

      if (info == NULL)
        g_list_store_remove (store, i - 1);
      else
        {
          row_update (row, info);
          g_hash_table_remove (by_address, row->address);
        }
    }
  /* New peers join at the end, in the engine's order. */
  for (i = 0; i < infos->len; i++)
    {
      TsrPeerInfo *info = g_ptr_array_index (infos, i);
      g_autoptr(TsrPeerRow) row = NULL;

      if (!g_hash_table_contains (by_address, info->address))
        continue;
      row = g_object_new (TSR_TYPE_PEER_ROW, NULL);
      row->address = g_strdup (info->address);
      row_update (row, info);
      g_list_store_append (store, row);
    }
}
