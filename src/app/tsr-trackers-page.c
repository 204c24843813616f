/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-trackers-page.c: the trackers page (see tsr-trackers-page.h). Each
 * tracker is an AdwActionRow titled by its URL, its status (from the
 * app's event log) below and its tier on the side. The rows are rebuilt
 * only when a status changes, compared through a signature, so that the
 * refresh each second leaves them alone.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-event-log.h"
#include "tsr-trackers-page.h"

struct _TsrTrackersPage
{
  GtkWidget   parent_instance;
  GtkWidget  *list_box;        /* template child */
  GtkWidget  *next_announce;   /* template child */
  TsrTorrent *torrent;         /* (owned) (nullable) */
  char       *shown;           /* (owned) (nullable) the signature of the rows */
};

G_DEFINE_FINAL_TYPE (TsrTrackersPage, tsr_trackers_page, GTK_TYPE_WIDGET)

static void
show_next_announce (TsrTrackersPage *self)
{
  gint64 next = tsr_torrent_get_next_announce (self->torrent);

  if (next < 0)
    gtk_label_set_text (GTK_LABEL (self->next_announce), _("No announce planned (the torrent is stopped, or has no "
                                                           "tracker)"));
  else
    {
      g_autofree char *in = tsr_format_duration (next);
      g_autofree char *text = g_strdup_printf (_("Next announce in %s"), in);

      gtk_label_set_text (GTK_LABEL (self->next_announce), text);
    }
}

void
tsr_trackers_page_refresh (TsrTrackersPage *self)
{
  g_autoptr(GPtrArray) tiers = NULL;
  TsrEventLog *log;
  g_autoptr(GString) signature = g_string_new (NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *child;
  guint i;
  guint j;

  g_return_if_fail (TSR_IS_TRACKERS_PAGE (self));

  if (self->torrent == NULL)
    return;
  log = tsr_event_log_get_for (self->torrent);
  show_next_announce (self);
  /* The user's list when edited, else the metainfo's. */
  tiers = tsr_torrent_dup_trackers (self->torrent);
  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);

      for (j = 0; j < tier->len; j++)
        {
          char *status = tsr_event_log_dup_tracker_status (log, g_ptr_array_index (tier, j));

          g_string_append_printf (signature, "%u %s %s\n", i, (char *) g_ptr_array_index (tier, j), status);
          g_ptr_array_add (rows, status);
        }
    }
  if (self->shown != NULL && g_str_equal (self->shown, signature->str))
    return;
  g_free (self->shown);
  self->shown = g_strdup (signature->str);
  while ((child = gtk_widget_get_first_child (self->list_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list_box), child);
  for (i = 0; i < tiers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (tiers, i);

      for (j = 0; j < tier->len; j++)
        {
          GtkWidget *row = adw_action_row_new ();
          g_autofree char *tier_text = g_strdup_printf (_("Tier %u"), i + 1);
          GtkWidget *tier_label = gtk_label_new (tier_text);

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), g_ptr_array_index (tier, j));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), g_ptr_array_index (rows, 0));
          g_ptr_array_remove_index (rows, 0);
          gtk_widget_add_css_class (tier_label, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), tier_label);
          gtk_list_box_append (GTK_LIST_BOX (self->list_box), row);
        }
    }
}

void
tsr_trackers_page_set_torrent (TsrTrackersPage *self,
                               TsrTorrent      *torrent)
{
  g_return_if_fail (TSR_IS_TRACKERS_PAGE (self));

  g_set_object (&self->torrent, torrent);
  /* Rebuilt at the next refresh, even if the new torrent's rows read
   * the same. */
  g_clear_pointer (&self->shown, g_free);
}

static void
tsr_trackers_page_dispose (GObject *object)
{
  TsrTrackersPage *self = TSR_TRACKERS_PAGE (object);

  g_clear_object (&self->torrent);
  g_clear_pointer (&self->shown, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_TRACKERS_PAGE);
  G_OBJECT_CLASS (tsr_trackers_page_parent_class)->dispose (object);
}

static void
tsr_trackers_page_class_init (TsrTrackersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_trackers_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-trackers-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrTrackersPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, TsrTrackersPage, next_announce);
}

static void
tsr_trackers_page_init (TsrTrackersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
}
