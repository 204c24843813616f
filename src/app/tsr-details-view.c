/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-details-view.c: the selected torrent's details (see
 * tsr-details-view.h), a stack of pages with a switcher above it: the
 * overview, files, peers, trackers, banned peers and the three logs, each
 * its own widget (tsr-*-page.c). The view holds the torrent, hands it to
 * the pages and refreshes them once a second from one snapshot of the
 * torrent's peers.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include "tsr-bans-page.h"
#include "tsr-details-view.h"
#include "tsr-files-page.h"
#include "tsr-log-page.h"
#include "tsr-overview-page.h"
#include "tsr-peers-page.h"
#include "tsr-trackers-page.h"

struct _TsrDetailsView
{
  GtkWidget        parent_instance;
  TsrTorrent      *torrent;          /* (owned) (nullable) */
  guint            refresh_source;

  /* Template children. */
  GtkWidget       *box;
  GtkWidget       *stack;
  TsrOverviewPage *overview_page;
  TsrFilesPage    *files_page;
  TsrPeersPage    *peers_page;
  TsrTrackersPage *trackers_page;
  TsrBansPage     *bans_page;
  TsrLogPage      *log_page;
  TsrLogPage      *peer_log_page;
  TsrLogPage      *errors_page;
};

enum
{
  SIGNAL_PRIORITIES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrDetailsView, tsr_details_view, GTK_TYPE_WIDGET)

static void
on_priorities_changed (TsrFilesPage   *page,
                       TsrDetailsView *self)
{
  g_signal_emit (self, signals[SIGNAL_PRIORITIES_CHANGED], 0);
}

void
tsr_details_view_refresh (TsrDetailsView *self)
{
  g_autoptr(GPtrArray) peers = NULL;

  g_return_if_fail (TSR_IS_DETAILS_VIEW (self));

  if (self->torrent == NULL)
    return;
  peers = tsr_torrent_dup_peer_infos (self->torrent);
  tsr_overview_page_refresh (self->overview_page, peers);
  tsr_files_page_refresh (self->files_page);
  tsr_bans_page_refresh (self->bans_page);
  tsr_trackers_page_refresh (self->trackers_page);
  tsr_peers_page_refresh (self->peers_page, peers);
}

static gboolean
on_refresh (gpointer user_data)
{
  tsr_details_view_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

void
tsr_details_view_set_torrent (TsrDetailsView *self,
                              TsrTorrent     *torrent)
{
  g_return_if_fail (TSR_IS_DETAILS_VIEW (self));

  /* A magnet's torrent has no details until its metainfo comes (the
   * window sets it again on "metadata-received"). */
  if (torrent != NULL && !tsr_torrent_has_metainfo (torrent))
    torrent = NULL;
  if (self->torrent == torrent)
    return;
  g_set_object (&self->torrent, torrent);
  tsr_peers_page_set_torrent (self->peers_page, torrent);
  tsr_log_page_set_torrent (self->log_page, torrent);
  tsr_log_page_set_torrent (self->peer_log_page, torrent);
  tsr_log_page_set_torrent (self->errors_page, torrent);
  tsr_files_page_set_torrent (self->files_page, torrent);
  tsr_bans_page_set_torrent (self->bans_page, torrent);
  tsr_trackers_page_set_torrent (self->trackers_page, torrent);
  tsr_overview_page_set_torrent (self->overview_page, torrent);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_widget_set_sensitive (self->box, torrent != NULL);
  if (torrent == NULL)
    return;
  tsr_details_view_refresh (self);
  self->refresh_source = g_timeout_add_seconds (1, on_refresh, self);
}

void
tsr_details_view_show_page (TsrDetailsView *self,
                            const char     *name)
{
  g_return_if_fail (TSR_IS_DETAILS_VIEW (self));

  /* The name may come from outside (win.show-page is a D-Bus action). */
  if (gtk_stack_get_child_by_name (GTK_STACK (self->stack), name) != NULL)
    gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
}

void
tsr_details_view_set_library (TsrDetailsView *self,
                              TsrLibrary     *library)
{
  g_return_if_fail (TSR_IS_DETAILS_VIEW (self));

  tsr_overview_page_set_library (self->overview_page, library);
}

TsrTorrent *
tsr_details_view_get_torrent (TsrDetailsView *self)
{
  return self->torrent;
}

GListModel *
tsr_details_view_get_peers (TsrDetailsView *self)
{
  g_return_val_if_fail (TSR_IS_DETAILS_VIEW (self), NULL);

  return tsr_peers_page_get_rows (self->peers_page);
}

GtkWidget *
tsr_details_view_new (void)
{
  return g_object_new (TSR_TYPE_DETAILS_VIEW, NULL);
}

static void
tsr_details_view_dispose (GObject *object)
{
  TsrDetailsView *self = TSR_DETAILS_VIEW (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_object (&self->torrent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_DETAILS_VIEW);
  G_OBJECT_CLASS (tsr_details_view_parent_class)->dispose (object);
}

static void
tsr_details_view_class_init (TsrDetailsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_details_view_dispose;
  /* A file's priority was changed: the app saves it. */
  signals[SIGNAL_PRIORITIES_CHANGED] = g_signal_new ("priorities-changed", G_TYPE_FROM_CLASS (klass),
                                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "detailsview");
  /* A named group: screen readers say where the focus went. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  g_type_ensure (TSR_TYPE_OVERVIEW_PAGE);
  g_type_ensure (TSR_TYPE_FILES_PAGE);
  g_type_ensure (TSR_TYPE_PEERS_PAGE);
  g_type_ensure (TSR_TYPE_TRACKERS_PAGE);
  g_type_ensure (TSR_TYPE_BANS_PAGE);
  g_type_ensure (TSR_TYPE_LOG_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-details-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, box);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, stack);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, overview_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, files_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, peers_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, trackers_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, bans_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, log_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, peer_log_page);
  gtk_widget_class_bind_template_child (widget_class, TsrDetailsView, errors_page);
  gtk_widget_class_bind_template_callback (widget_class, on_priorities_changed);
}

static void
tsr_details_view_init (TsrDetailsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
