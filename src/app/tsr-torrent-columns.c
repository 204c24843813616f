/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-columns.c: the columns of the torrent list (see the .h).
 * Each column has a GtkSignalListItemFactory whose cells bind once, in
 * setup, to a property of the row's TsrTorrent (through a formatting
 * closure for numbers and states), so that the engine's notifications
 * move the cells; and a sorter over the same property.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-torrent-columns.h"

typedef enum
{
  CELL_LABEL,          /* text, start-aligned */
  CELL_NUMBER,         /* text, end-aligned, tabular figures */
  CELL_PROGRESS,
} CellKind;

typedef struct
{
  const char *title;
  const char *property;     /* TsrTorrent property shown */
  GCallback   format;       /* (nullable) property value → text */
  GType       value_type;
  CellKind    kind;
  gboolean    expand;
  int         width_chars;  /* room a label keeps; -1: none */
} ColumnSpec;

static char *
format_state_cell (gpointer unused,
                   int      state)
{
  return g_strdup (tsr_format_state (state));
}

static char *
format_size_cell (gpointer unused,
                  guint64  size)
{
  return g_format_size (size);
}

static char *
format_rate_cell (gpointer unused,
                  guint64  rate)
{
  return rate == 0 ? g_strdup ("") : tsr_format_rate (rate);
}

static char *
format_count_cell (gpointer unused,
                   guint    count)
{
  return g_strdup_printf ("%u", count);
}

static char *
format_ratio_cell (gpointer unused,
                   gdouble  ratio)
{
  return g_strdup_printf ("%.2f", ratio);
}

static char *
format_eta_cell (gpointer unused,
                 gint64   eta)
{
  return eta < 0 ? g_strdup ("") : tsr_format_duration (eta);
}

/* The last number: the characters a cell keeps room for, so that what
 * it usually says ("Downloading", "1023.9 MB", "999.9 kB/s", "59 min")
 * is not cut when the window is narrow; the name gives way instead. */
static const ColumnSpec columns[] = {
  { N_("Name"), "name", NULL, G_TYPE_STRING, CELL_LABEL, TRUE, -1 },
  { N_("Progress"), "progress", NULL, G_TYPE_DOUBLE, CELL_PROGRESS, FALSE, -1 },
  { N_("State"), "state", G_CALLBACK (format_state_cell), G_TYPE_INT, CELL_LABEL, FALSE, 11 },
  { N_("Size"), "size", G_CALLBACK (format_size_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE, 8 },
  { N_("Down"), "down-rate", G_CALLBACK (format_rate_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE, 9 },
  { N_("Up"), "up-rate", G_CALLBACK (format_rate_cell), G_TYPE_UINT64, CELL_NUMBER, FALSE, 9 },
  { N_("Peers"), "n-peers", G_CALLBACK (format_count_cell), G_TYPE_UINT, CELL_NUMBER, FALSE, 3 },
  { N_("Seeds"), "n-seeds", G_CALLBACK (format_count_cell), G_TYPE_UINT, CELL_NUMBER, FALSE, 3 },
  { N_("Ratio"), "ratio", G_CALLBACK (format_ratio_cell), G_TYPE_DOUBLE, CELL_NUMBER, FALSE, 4 },
  { N_("ETA"), "eta", G_CALLBACK (format_eta_cell), G_TYPE_INT64, CELL_NUMBER, FALSE, 11 },
};

/* GTK 4.8 reads a column view's rows and cells by their type: each cell
 * is named by what it shows (tsr_a11y_follow_cell_label ()), and the
 * row from the cells that change what it says (name, progress, state),
 * as the detailed list's row is. */
static void
on_cell_shown_changed (GtkWidget   *child,
                       GParamSpec  *pspec,
                       GtkListItem *item)
{
  TsrTorrent *torrent = gtk_list_item_get_item (item);
  g_autofree char *row = NULL;

  if (torrent == NULL)
    return;
  row = tsr_a11y_dup_torrent_text (torrent);
  tsr_a11y_set_row_label (child, row);
}

/* Cells bind once, in setup: the expression follows the row's item and
 * the torrent's notifications. */
static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               const ColumnSpec         *spec)
{
  GtkExpression *torrent = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *value = gtk_property_expression_new (TSR_TYPE_TORRENT, torrent, spec->property);
  GtkWidget *child;

  if (spec->kind == CELL_PROGRESS)
    {
      child = gtk_progress_bar_new ();
      gtk_widget_set_valign (child, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (child, 100, -1);
      gtk_expression_bind (value, child, "fraction", item);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (child), spec->width_chars);
      gtk_label_set_xalign (GTK_LABEL (child), spec->kind == CELL_NUMBER ? 1.0f : 0.0f);
      if (spec->kind == CELL_NUMBER)
        gtk_widget_add_css_class (child, "numeric");
      if (spec->format != NULL)
        value = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &value, spec->format, NULL, NULL);
      gtk_expression_bind (value, child, "label", item);
    }
  gtk_list_item_set_child (item, child);
  if (spec->kind == CELL_PROGRESS)
    tsr_a11y_follow_cell_progress (GTK_PROGRESS_BAR (child));
  else
    tsr_a11y_follow_cell_label (GTK_LABEL (child));
  if (g_str_equal (spec->property, "name") || g_str_equal (spec->property, "progress") ||
      g_str_equal (spec->property, "state"))
    g_signal_connect (child, spec->kind == CELL_PROGRESS ? "notify::fraction" : "notify::label",
                      G_CALLBACK (on_cell_shown_changed), item);
}

static GtkSorter *
column_sorter (const ColumnSpec *spec)
{
  GtkExpression *value = gtk_property_expression_new (TSR_TYPE_TORRENT, NULL, spec->property);

  if (spec->value_type == G_TYPE_STRING)
    return GTK_SORTER (gtk_string_sorter_new (value));
  return GTK_SORTER (gtk_numeric_sorter_new (value));
}

void
tsr_torrent_columns_append (GtkColumnView *view)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = column_sorter (&columns[i]);

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), (gpointer) &columns[i]);
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_sorter (column, sorter);
      /* The window's "sort-by" names a column by its property. */
      g_object_set_data (G_OBJECT (column), TSR_TORRENT_COLUMNS_SORT_KEY, (gpointer) columns[i].property);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      if (columns[i].expand)
        gtk_column_view_column_set_fixed_width (column, 130);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (view, column);
    }
}

/* The labels column: a torrent's labels are the library's, not a
 * property of the torrent, so its cells bind by hand. */
static char *
dup_labels_text (TsrLibrary *library,
                 TsrTorrent *torrent)
{
  /* TRANSLATORS: between two labels of a torrent in the list */
  return g_strjoinv (_(", "), (char **) tsr_library_get_labels (library, torrent));
}

static void
on_labels_changed (TsrLibrary  *library,
                   TsrTorrent  *torrent,
                   GtkListItem *item)
{
  g_autofree char *text = NULL;

  if (gtk_list_item_get_item (item) != torrent)
    return;
  text = dup_labels_text (library, torrent);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
on_labels_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *child = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (child), 0);
  gtk_list_item_set_child (item, child);
  tsr_a11y_follow_cell_label (GTK_LABEL (child));
}

/* Visible rows only are bound: a change costs one comparison per row on screen. */
static void
on_labels_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TsrLibrary               *library)
{
  g_autofree char *text = dup_labels_text (library, gtk_list_item_get_item (item));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
  g_signal_connect_object (library, "labels-changed", G_CALLBACK (on_labels_changed), item, 0);
}

static void
on_labels_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TsrLibrary               *library)
{
  g_signal_handlers_disconnect_by_func (library, on_labels_changed, item);
}

static int
compare_labels (gconstpointer a,
                gconstpointer b,
                gpointer      library)
{
  g_autofree char *left = dup_labels_text (library, (TsrTorrent *) a);
  g_autofree char *right = dup_labels_text (library, (TsrTorrent *) b);

  return g_utf8_collate (left, right);
}

void
tsr_torrent_columns_append_labels (GtkColumnView *view,
                                   TsrLibrary    *library)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_labels, g_object_ref (library),
                                                                                    g_object_unref));

  g_signal_connect (factory, "setup", G_CALLBACK (on_labels_setup), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_labels_bind), library, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_labels_unbind), library, 0);
  column = gtk_column_view_column_new (_("Labels"), factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
}

/* The queue column: positions are the session's, not properties of the
 * torrent, so its cells bind by hand and follow "queue-changed"; the
 * sorter is told once per burst of moves. */
typedef struct
{
  TsrSession    *session;   /* (owned) */
  GtkSorter     *sorter;    /* borrowed: the column holds it */
  GtkColumnView *view;      /* borrowed: it holds the column */
  guint          resort;    /* idle */
} QueueColumn;

static void
queue_column_free (QueueColumn *queue)
{
  g_clear_handle_id (&queue->resort, g_source_remove);
  g_signal_handlers_disconnect_by_data (queue->session, queue);
  g_object_unref (queue->session);
  g_free (queue);
}

static void
set_position_text (GtkListItem *item,
                   TsrSession  *session)
{
  TsrTorrent *torrent = gtk_list_item_get_item (item);
  guint position = tsr_session_get_queue_position (session, torrent);
  g_autofree char *text = position == G_MAXUINT ? g_strdup ("") : g_strdup_printf ("%u", position + 1);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
on_queue_cell_changed (TsrSession  *session,
                       GtkListItem *item)
{
  set_position_text (item, session);
}

static void
on_queue_setup (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *child = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (child), 1.0f);
  gtk_widget_add_css_class (child, "numeric");
  gtk_list_item_set_child (item, child);
  tsr_a11y_follow_cell_label (GTK_LABEL (child));
}

static void
on_queue_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               QueueColumn              *queue)
{
  set_position_text (item, queue->session);
  g_signal_connect_object (queue->session, "queue-changed", G_CALLBACK (on_queue_cell_changed), item, 0);
}

static void
on_queue_unbind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 QueueColumn              *queue)
{
  g_signal_handlers_disconnect_by_func (queue->session, on_queue_cell_changed, item);
}

static int
compare_queue (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  QueueColumn *queue = user_data;
  guint left = tsr_session_get_queue_position (queue->session, (TsrTorrent *) a);
  guint right = tsr_session_get_queue_position (queue->session, (TsrTorrent *) b);

  return left < right ? -1 : left > right;
}

static gboolean
on_queue_resort (gpointer user_data)
{
  QueueColumn *queue = user_data;

  queue->resort = 0;
  gtk_sorter_changed (queue->sorter, GTK_SORTER_CHANGE_DIFFERENT);
  /* GTK 4.8's column view sorter does not pass its columns' changes on
   * to the list it sorts: told directly, the list follows a queue move. */
  gtk_sorter_changed (gtk_column_view_get_sorter (queue->view), GTK_SORTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

static void
on_queue_changed (TsrSession  *session,
                  QueueColumn *queue)
{
  if (queue->resort == 0)
    queue->resort = g_idle_add (on_queue_resort, queue);
}

void
tsr_torrent_columns_insert_queue (GtkColumnView *view,
                                  guint          position,
                                  TsrSession    *session)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  QueueColumn *queue = g_new0 (QueueColumn, 1);
  g_autoptr(GtkColumnViewColumn) column = NULL;
  g_autoptr(GtkSorter) sorter = NULL;

  queue->session = g_object_ref (session);
  queue->view = view;
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_queue, queue, NULL));
  queue->sorter = sorter;
  g_signal_connect (session, "queue-changed", G_CALLBACK (on_queue_changed), queue);
  g_signal_connect (factory, "setup", G_CALLBACK (on_queue_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_queue_bind), queue);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_queue_unbind), queue);
  /* TRANSLATORS: the title of the list's queue position column */
  column = gtk_column_view_column_new (C_("queue position", "#"), factory);
  g_object_set_data_full (G_OBJECT (column), "tsr-queue-column", queue, (GDestroyNotify) queue_column_free);
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_set_data (G_OBJECT (column), TSR_TORRENT_COLUMNS_SORT_KEY, (gpointer) "queue");
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_insert_column (view, position, column);
}

/* The added column: when the library took the torrent in (the library's,
 * not a property of the torrent, and it does not change while shown). */
static void
on_added_bind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TsrLibrary               *library)
{
  gint64 added = tsr_library_get_added (library, gtk_list_item_get_item (item));
  g_autoptr(GDateTime) time = added > 0 ? g_date_time_new_from_unix_local (added) : NULL;
  g_autofree char *text = time != NULL ? g_date_time_format (time, "%x") : g_strdup ("");

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static int
compare_added (gconstpointer a,
               gconstpointer b,
               gpointer      library)
{
  gint64 left = tsr_library_get_added (library, (TsrTorrent *) a);
  gint64 right = tsr_library_get_added (library, (TsrTorrent *) b);

  return left < right ? -1 : left > right;
}

void
tsr_torrent_columns_append_added (GtkColumnView *view,
                                  TsrLibrary    *library)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) column = NULL;
  g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (compare_added, g_object_ref (library),
                                                                   g_object_unref));

  g_signal_connect (factory, "setup", G_CALLBACK (on_labels_setup), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_added_bind), library, 0);
  /* TRANSLATORS: the title of the list's column of the dates torrents were added */
  column = gtk_column_view_column_new (_("Added"), factory);
  gtk_column_view_column_set_sorter (column, sorter);
  g_object_set_data (G_OBJECT (column), TSR_TORRENT_COLUMNS_SORT_KEY, (gpointer) "added");
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
}
