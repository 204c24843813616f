/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-bans-page.c: the banned peers page (see tsr-bans-page.h). The rows
 * are rebuilt only when the bans change, compared through a signature of
 * what they show, so that a refresh each second leaves them alone.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-bans-page.h"

struct _TsrBansPage
{
  GtkWidget   parent_instance;
  GtkWidget  *list_box;     /* template child */
  TsrTorrent *torrent;      /* (owned) (nullable) */
  char       *shown;        /* (owned) (nullable) the signature of the rows */
};

G_DEFINE_FINAL_TYPE (TsrBansPage, tsr_bans_page, GTK_TYPE_WIDGET)

void
tsr_bans_page_refresh (TsrBansPage *self)
{
  g_autoptr(GPtrArray) bans = NULL;
  g_autoptr(GString) signature = g_string_new (NULL);
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) wall = g_date_time_new_now_local ();
  GtkWidget *child;
  guint i;

  g_return_if_fail (TSR_IS_BANS_PAGE (self));

  if (self->torrent != NULL)
    bans = tsr_torrent_dup_bans (self->torrent);
  else
    bans = g_ptr_array_new ();
  for (i = 0; i < bans->len; i++)
    {
      TsrPeerBan *ban = g_ptr_array_index (bans, i);

      g_string_append_printf (signature, "%s %s %" G_GINT64_FORMAT "\n", ban->address, ban->reason, ban->until);
    }
  if (self->shown != NULL && g_str_equal (self->shown, signature->str))
    return;
  g_free (self->shown);
  self->shown = g_strdup (signature->str);
  while ((child = gtk_widget_get_first_child (self->list_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list_box), child);
  for (i = 0; i < bans->len; i++)
    {
      TsrPeerBan *ban = g_ptr_array_index (bans, i);
      g_autoptr(GDateTime) until = g_date_time_add_seconds (wall, (gdouble) (ban->until - now));
      g_autofree char *until_text = g_date_time_format (until, "%X");
      g_autofree char *subtitle = g_strdup_printf (_("Until %s: %s"), until_text, ban->reason);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ban->address);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (GTK_LIST_BOX (self->list_box), row);
    }
}

static void
on_clear_clicked (GtkButton   *button,
                  TsrBansPage *self)
{
  if (self->torrent != NULL)
    {
      tsr_torrent_clear_bans (self->torrent);
      tsr_bans_page_refresh (self);
    }
}

void
tsr_bans_page_set_torrent (TsrBansPage *self,
                           TsrTorrent  *torrent)
{
  g_return_if_fail (TSR_IS_BANS_PAGE (self));

  g_set_object (&self->torrent, torrent);
  /* Rebuilt at the next refresh, even if the new torrent's bans read
   * the same. */
  g_clear_pointer (&self->shown, g_free);
}

static void
tsr_bans_page_dispose (GObject *object)
{
  TsrBansPage *self = TSR_BANS_PAGE (object);

  g_clear_object (&self->torrent);
  g_clear_pointer (&self->shown, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_BANS_PAGE);
  G_OBJECT_CLASS (tsr_bans_page_parent_class)->dispose (object);
}

static void
tsr_bans_page_class_init (TsrBansPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_bans_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-bans-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrBansPage, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked);
}

static void
tsr_bans_page_init (TsrBansPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
}
