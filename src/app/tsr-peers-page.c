/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peers-page.c: the peers page (see tsr-peers-page.h). A column view
 * over rows kept in step with the engine (tsr-peer-row.c), so that it
 * updates in place without losing its scroll position; each value cell is
 * a label bound once to its row's property, formatted through a closure.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-peer-row.h"
#include "tsr-peers-page.h"

struct _TsrPeersPage
{
  GtkWidget       parent_instance;
  GtkWidget      *column_view;   /* template child */
  GtkNoSelection *selection;     /* template child */
  GListStore     *rows;          /* (owned) (element-type TsrPeerRow) */
  TsrTorrent     *torrent;       /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (TsrPeersPage, tsr_peers_page, GTK_TYPE_WIDGET)

typedef struct
{
  const char *property;
  GCallback   format;     /* (nullable) */
  gboolean    numeric;
} PeerColumn;

static char *
format_rate (gpointer unused,
             guint64  rate)
{
  return rate == 0 ? g_strdup ("") : tsr_format_rate (rate);
}

static char *
format_size (gpointer unused,
             guint64  size)
{
  return g_format_size (size);
}

static char *
format_percent (gpointer unused,
                gdouble  fraction)
{
  return g_strdup_printf ("%.0f%%", fraction * 100);
}

static char *
format_age (gpointer unused,
            gint64   seconds)
{
  return tsr_format_duration (seconds);
}

/* The value columns of tsr-peers-page.ui, in its order (the titles are
 * there). */
static const PeerColumn peer_columns[] = {
  { "address", NULL, FALSE },
  { "client", NULL, FALSE },
  { "direction", NULL, FALSE },
  { "transport", NULL, FALSE },
  { "source", NULL, FALSE },
  { "extensions", NULL, FALSE },
  { "flags", NULL, FALSE },
  { "down-rate", G_CALLBACK (format_rate), TRUE },
  { "up-rate", G_CALLBACK (format_rate), TRUE },
  { "downloaded", G_CALLBACK (format_size), TRUE },
  { "uploaded", G_CALLBACK (format_size), TRUE },
  { "progress", G_CALLBACK (format_percent), TRUE },
  { "requests", NULL, TRUE },
  { "age", G_CALLBACK (format_age), TRUE },
};

static void
on_peer_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    const PeerColumn         *column)
{
  GtkExpression *row = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *value = gtk_property_expression_new (TSR_TYPE_PEER_ROW, row, column->property);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column->numeric ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column->numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (column->format != NULL)
    value = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &value, column->format, NULL, NULL);
  gtk_expression_bind (value, label, "label", item);
  gtk_list_item_set_child (item, label);
}

static void
on_disconnect_clicked (GtkButton    *button,
                       TsrPeersPage *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "list-item");
  TsrPeerRow *row = gtk_list_item_get_item (item);

  if (row != NULL && self->torrent != NULL)
    {
      g_autoptr(GPtrArray) peers = NULL;

      tsr_torrent_disconnect_peer (self->torrent, tsr_peer_row_get_address (row));
      /* The row goes now, not at the next second. */
      peers = tsr_torrent_dup_peer_infos (self->torrent);
      tsr_peers_page_refresh (self, peers);
    }
}

static void
on_disconnect_setup (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     TsrPeersPage             *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Disconnect"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Disconnect this peer"),
                                  -1);
  g_object_set_data (G_OBJECT (button), "list-item", item);
  g_signal_connect (button, "clicked", G_CALLBACK (on_disconnect_clicked), self);
  gtk_list_item_set_child (item, button);
}

/* Each row's button says whom it disconnects, for screen readers. */
static void
on_disconnect_bind (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    TsrPeersPage             *self)
{
  TsrPeerRow *row = gtk_list_item_get_item (item);
  g_autofree char *label = NULL;

  if (row == NULL)
    return;
  /* TRANSLATORS: an accessible label; %s is a peer's address */
  label = g_strdup_printf (_("Disconnect %s"), tsr_peer_row_get_address (row));
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_list_item_get_child (item)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

void
tsr_peers_page_refresh (TsrPeersPage *self,
                        GPtrArray    *peers)
{
  g_return_if_fail (TSR_IS_PEERS_PAGE (self));

  tsr_peer_rows_update (self->rows, peers);
}

void
tsr_peers_page_set_torrent (TsrPeersPage *self,
                            TsrTorrent   *torrent)
{
  g_return_if_fail (TSR_IS_PEERS_PAGE (self));

  g_set_object (&self->torrent, torrent);
  g_list_store_remove_all (self->rows);
}

GListModel *
tsr_peers_page_get_rows (TsrPeersPage *self)
{
  g_return_val_if_fail (TSR_IS_PEERS_PAGE (self), NULL);

  return G_LIST_MODEL (self->rows);
}

static void
tsr_peers_page_dispose (GObject *object)
{
  TsrPeersPage *self = TSR_PEERS_PAGE (object);

  g_clear_object (&self->torrent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_PEERS_PAGE);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (tsr_peers_page_parent_class)->dispose (object);
}

static void
tsr_peers_page_class_init (TsrPeersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_peers_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-peers-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrPeersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, TsrPeersPage, selection);
  gtk_widget_class_bind_template_callback (widget_class, on_disconnect_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_disconnect_bind);
}

static void
tsr_peers_page_init (TsrPeersPage *self)
{
  GListModel *columns;
  guint i;

  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_name_column_view (GTK_COLUMN_VIEW (self->column_view), _("Peers"));
  self->rows = g_list_store_new (TSR_TYPE_PEER_ROW);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->rows));
  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (self->column_view));
  /* The value columns, then the disconnect buttons' (its factory is in
   * the template). */
  g_assert (g_list_model_get_n_items (columns) == G_N_ELEMENTS (peer_columns) + 1);
  for (i = 0; i < G_N_ELEMENTS (peer_columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (on_peer_cell_setup), (gpointer) &peer_columns[i]);
      gtk_column_view_column_set_factory (column, factory);
    }
}
