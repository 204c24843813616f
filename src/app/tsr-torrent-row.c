/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-row.c: a torrent in the list's detailed mode (see the .h).
 * The row connects to its torrent's "notify" when bound and disconnects
 * when unbound: a list of thousands costs only the rows on screen, and
 * nothing polls. The row says itself to a screen reader as "name,
 * percent, state", the way the walk through AT-SPI wants list
 * rows read; GTK 4.8 gives no hold on the list item widget around it, so
 * the label is on the row itself.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-torrent-row.h"

struct _TsrTorrentRow
{
  GtkWidget   parent_instance;
  TsrTorrent *torrent;        /* (owned) (nullable) while bound */
  GtkWidget  *name_label;     /* (owned) child */
  GtkWidget  *progress_bar;   /* (owned) child */
  GtkWidget  *status_label;   /* (owned) child */
  char       *accessible;     /* (owned) what a screen reader says */
};

G_DEFINE_FINAL_TYPE (TsrTorrentRow, tsr_torrent_row, GTK_TYPE_WIDGET)

/* Whole percents, rounded down: 100 only when everything is there. */
static int
percent_of (TsrTorrent *torrent)
{
  return (int) floor (tsr_torrent_get_progress (torrent) * 100.0);
}

char *
tsr_torrent_row_format_status (TsrTorrent *torrent)
{
  TsrTorrentState state;
  guint64 size = 0;
  guint64 down;
  guint64 up;
  guint peers;
  gint64 eta;
  g_autoptr(GPtrArray) parts = NULL;

  g_return_val_if_fail (TSR_IS_TORRENT (torrent), NULL);

  state = tsr_torrent_get_state (torrent);
  down = tsr_torrent_get_down_rate (torrent);
  up = tsr_torrent_get_up_rate (torrent);
  peers = tsr_torrent_get_n_peers (torrent);
  eta = tsr_torrent_get_eta (torrent);
  parts = g_ptr_array_new_with_free_func (g_free);
  /* The size is a property only (0 until a magnet's metainfo comes). */
  g_object_get (torrent, "size", &size, NULL);
  /* Downloading goes without saying: the sizes and rates say it. */
  if (state == TSR_TORRENT_ERROR && tsr_torrent_get_error (torrent) != NULL)
    g_ptr_array_add (parts, g_strdup (tsr_torrent_get_error (torrent)));
  else if (state != TSR_TORRENT_DOWNLOADING)
    g_ptr_array_add (parts, g_strdup (tsr_format_state (state)));
  if (size > 0 && tsr_torrent_get_progress (torrent) < 1.0)
    {
      g_autofree char *have = g_format_size (tsr_torrent_get_bytes_have (torrent));
      g_autofree char *total = g_format_size (size);

      /* TRANSLATORS: in the list's detailed mode: bytes there, the torrent's size, and the percent there */
      g_ptr_array_add (parts, g_strdup_printf (_("%s of %s (%d %%)"), have, total, percent_of (torrent)));
    }
  else if (size > 0)
    g_ptr_array_add (parts, g_format_size (size));
  if (down > 0 || up > 0)
    {
      g_autofree char *down_text = tsr_format_rate (down);
      g_autofree char *up_text = tsr_format_rate (up);

      g_ptr_array_add (parts, g_strdup_printf (_("↓ %s  ↑ %s"), down_text, up_text));
    }
  if (peers > 0 || state == TSR_TORRENT_DOWNLOADING || state == TSR_TORRENT_SEEDING)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (NULL, "%u peer", "%u peers", peers), peers));
  if (state == TSR_TORRENT_DOWNLOADING && eta >= 0)
    {
      g_autofree char *duration = tsr_format_duration (eta);

      /* TRANSLATORS: the time a download still needs, like "5 minutes left" */
      g_ptr_array_add (parts, g_strdup_printf (_("%s left"), duration));
    }
  g_ptr_array_add (parts, NULL);
  /* TRANSLATORS: between the parts of a torrent's status line in the list's detailed mode */
  return g_strjoinv (_(" — "), (char **) parts->pdata);
}

static void
update_status (TsrTorrentRow *self)
{
  g_autofree char *status = tsr_torrent_row_format_status (self->torrent);

  gtk_label_set_text (GTK_LABEL (self->status_label), status);
  g_free (self->accessible);
  self->accessible = tsr_a11y_dup_torrent_text (self->torrent);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status,
                                  -1);
  /* The list row around it is what a screen reader lands on. */
  tsr_a11y_set_row_label (GTK_WIDGET (self), self->accessible);
}

static void
update_all (TsrTorrentRow *self)
{
  gtk_label_set_text (GTK_LABEL (self->name_label), tsr_torrent_get_name (self->torrent));
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), tsr_torrent_get_progress (self->torrent));
  update_status (self);
}

/* The properties the row shows; the engine notifies each when it
 * changes, at most about once a second. */
static void
on_torrent_notify (TsrTorrent    *torrent,
                   GParamSpec    *pspec,
                   TsrTorrentRow *self)
{
  static const char *shown[] = { "state", "size", "down-rate", "up-rate", "n-peers", "eta" };
  guint i;

  if (g_str_equal (pspec->name, "name") || g_str_equal (pspec->name, "progress"))
    {
      update_all (self);
      return;
    }
  for (i = 0; i < G_N_ELEMENTS (shown); i++)
    if (g_str_equal (pspec->name, shown[i]))
      {
        update_status (self);
        return;
      }
}

void
tsr_torrent_row_set_torrent (TsrTorrentRow *self,
                             TsrTorrent    *torrent)
{
  g_return_if_fail (TSR_IS_TORRENT_ROW (self));
  g_return_if_fail (torrent == NULL || TSR_IS_TORRENT (torrent));

  if (self->torrent == torrent)
    return;
  if (self->torrent != NULL)
    g_signal_handlers_disconnect_by_func (self->torrent, on_torrent_notify, self);
  g_set_object (&self->torrent, torrent);
  if (torrent == NULL)
    return;
  g_signal_connect (torrent, "notify", G_CALLBACK (on_torrent_notify), self);
  update_all (self);
}

TsrTorrent *
tsr_torrent_row_get_torrent (TsrTorrentRow *self)
{
  g_return_val_if_fail (TSR_IS_TORRENT_ROW (self), NULL);
  return self->torrent;
}

const char *
tsr_torrent_row_get_status (TsrTorrentRow *self)
{
  g_return_val_if_fail (TSR_IS_TORRENT_ROW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

const char *
tsr_torrent_row_get_accessible_text (TsrTorrentRow *self)
{
  g_return_val_if_fail (TSR_IS_TORRENT_ROW (self), NULL);
  return self->accessible;
}

static void
tsr_torrent_row_dispose (GObject *object)
{
  TsrTorrentRow *self = TSR_TORRENT_ROW (object);

  tsr_torrent_row_set_torrent (self, NULL);
  g_clear_pointer (&self->name_label, gtk_widget_unparent);
  g_clear_pointer (&self->progress_bar, gtk_widget_unparent);
  g_clear_pointer (&self->status_label, gtk_widget_unparent);
  G_OBJECT_CLASS (tsr_torrent_row_parent_class)->dispose (object);
}

static void
tsr_torrent_row_finalize (GObject *object)
{
  TsrTorrentRow *self = TSR_TORRENT_ROW (object);

  g_free (self->accessible);
  G_OBJECT_CLASS (tsr_torrent_row_parent_class)->finalize (object);
}

static void
tsr_torrent_row_class_init (TsrTorrentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_torrent_row_dispose;
  object_class->finalize = tsr_torrent_row_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static GtkWidget *
new_line_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  return label;
}

static void
tsr_torrent_row_init (TsrTorrentRow *self)
{
  GtkBoxLayout *layout = GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (layout, 4);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 6);
  self->name_label = new_line_label ();
  gtk_widget_add_css_class (self->name_label, "heading");
  gtk_widget_set_parent (self->name_label, GTK_WIDGET (self));
  self->progress_bar = gtk_progress_bar_new ();
  gtk_widget_set_parent (self->progress_bar, GTK_WIDGET (self));
  /* Read as the torrent's name, not as "GtkProgressBar". */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->name_label, NULL,
                                  -1);
  self->status_label = new_line_label ();
  gtk_widget_add_css_class (self->status_label, "dim-label");
  gtk_widget_add_css_class (self->status_label, "caption");
  gtk_widget_add_css_class (self->status_label, "numeric");
  gtk_widget_set_parent (self->status_label, GTK_WIDGET (self));
}

GtkWidget *
tsr_torrent_row_new (void)
{
  return g_object_new (TSR_TYPE_TORRENT_ROW, NULL);
}

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  gtk_list_item_set_child (item, tsr_torrent_row_new ());
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  tsr_torrent_row_set_torrent (TSR_TORRENT_ROW (gtk_list_item_get_child (item)), gtk_list_item_get_item (item));
}

static void
on_row_unbind (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  tsr_torrent_row_set_torrent (TSR_TORRENT_ROW (gtk_list_item_get_child (item)), NULL);
}

GtkListItemFactory *
tsr_torrent_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_row_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_row_unbind), NULL);
  return factory;
}
