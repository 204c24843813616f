/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-statistics-window.c: the Statistics window (see the .h): two
 * groups of rows, "This Session" and "All Time", each a title and its
 * value at the end. The values follow "changed" of TsrStatistics, which
 * comes once a second at most, and only while the window is open.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-statistics-window.h"

enum
{
  ROW_DOWNLOADED,
  ROW_UPLOADED,
  ROW_RATIO,
  ROW_TIME,
  ROW_ADDED,
  N_ROWS
};

struct _TsrStatisticsWindow
{
  AdwWindow      parent_instance;
  TsrStatistics *statistics;             /* (owned) */
  GtkLabel      *session[N_ROWS];        /* borrowed: in the rows */
  GtkLabel      *total[N_ROWS];
};

G_DEFINE_FINAL_TYPE (TsrStatisticsWindow, tsr_statistics_window, ADW_TYPE_WINDOW)

static void
set_label_take (GtkLabel *label,
                char     *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
  g_free (text);
}

static void
show_totals (GtkLabel            **labels,
             const TsrStatTotals  *totals)
{
  set_label_take (labels[ROW_DOWNLOADED], g_format_size (totals->downloaded));
  set_label_take (labels[ROW_UPLOADED], g_format_size (totals->uploaded));
  set_label_take (labels[ROW_RATIO], tsr_stat_totals_format_ratio (totals));
  set_label_take (labels[ROW_TIME], tsr_format_duration ((gint64) MIN (totals->seconds_active, G_MAXINT64)));
  set_label_take (labels[ROW_ADDED], g_strdup_printf ("%" G_GUINT64_FORMAT, totals->torrents_added));
}

static void
update (TsrStatisticsWindow *self)
{
  TsrStatTotals totals;

  tsr_statistics_get_session (self->statistics, &totals);
  show_totals (self->session, &totals);
  tsr_statistics_get_total (self->statistics, &totals);
  show_totals (self->total, &totals);
}

/* A group of the five rows; their value labels into @labels. */
static GtkWidget *
make_group (const char  *title,
            GtkLabel   **labels)
{
  const char *titles[N_ROWS] = { _("Downloaded"), _("Uploaded"), _("Ratio"), _("Time Active"),
                                 _("Torrents Added") };
  GtkWidget *group = adw_preferences_group_new ();
  guint i;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  for (i = 0; i < N_ROWS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *value = gtk_label_new (NULL);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), titles[i]);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_add_css_class (value, "numeric");
      gtk_widget_add_css_class (value, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
      /* The value is the row's description for screen readers. */
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, value, NULL, -1);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      labels[i] = GTK_LABEL (value);
    }
  return group;
}

GtkWidget *
tsr_statistics_window_new (TsrStatistics *statistics)
{
  TsrStatisticsWindow *self;

  g_return_val_if_fail (TSR_IS_STATISTICS (statistics), NULL);

  self = g_object_new (TSR_TYPE_STATISTICS_WINDOW, NULL);
  self->statistics = g_object_ref (statistics);
  g_signal_connect_object (statistics, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
  return GTK_WIDGET (self);
}

static void
tsr_statistics_window_dispose (GObject *object)
{
  TsrStatisticsWindow *self = TSR_STATISTICS_WINDOW (object);

  g_clear_object (&self->statistics);
  G_OBJECT_CLASS (tsr_statistics_window_parent_class)->dispose (object);
}

static void
tsr_statistics_window_class_init (TsrStatisticsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_statistics_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tsr_statistics_window_init (TsrStatisticsWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Statistics"));
  gtk_window_set_default_size (GTK_WINDOW (self), 420, 720);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_set_vexpand (page, TRUE);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                            ADW_PREFERENCES_GROUP (make_group (_("This Session"), self->session)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                            ADW_PREFERENCES_GROUP (make_group (_("All Time"), self->total)));
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);
}
