/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-overview-page.c: the overview page (see tsr-overview-page.h). The
 * grids' value labels are template children found by id; each is set
 * only when its text changes, so that a selection the user is making
 * survives the refresh each second. The limits are applied when a value
 * is committed and kept by the library. A failed torrent whose error the
 * user can act on (TSR_STORAGE_ERROR_NO_SPACE, _MISSING) gets a card
 * saying so, with Resume or Verify. The speed card graphs the torrent
 * shown, from when it was selected: one ring of five minutes for the page
 * (2.4 KB), fed by the refresh, rather than one per torrent (12 MB for
 * 5,000 torrents, nearly all never looked at).
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-app-util.h"
#include "tsr-event-log.h"
#include "tsr-overview-page.h"
#include "tsr-pieces-bar.h"
#include "tsr-speed-graph.h"
#include "tessera-engine.h"

struct _TsrOverviewPage
{
  GtkWidget   parent_instance;
  TsrTorrent *torrent;              /* (owned) (nullable) */
  TsrLibrary *library;              /* (owned) (nullable) */
  TsrSpeedHistory *speed;           /* (owned) the torrent shown's rates, since it was */

  /* Template children; the grids' value labels are looked up by id. */
  GtkWidget  *have_bar;
  GtkWidget  *have_label;
  GtkWidget  *availability_bar;
  GtkWidget  *availability_label;
  GtkWidget  *speed_graph;
  GtkWidget  *error_box;
  GtkWidget  *error_title;
  GtkWidget  *error_message;
  GtkWidget  *resume_button;
  GtkWidget  *verify_button;
  GtkWidget  *ratio_spin;
  GtkWidget  *down_rate_spin;       /* KiB/s */
  GtkWidget  *up_rate_spin;
  GtkWidget  *down_total_spin;      /* MiB */
  GtkWidget  *up_total_spin;
};

G_DEFINE_FINAL_TYPE (TsrOverviewPage, tsr_overview_page, GTK_TYPE_WIDGET)

/* The ids of the value labels in tsr-overview-page.ui. */
static const char *const value_ids[] = {
  /* State */
  "state", "eta", "done", "rates", "totals", "ratio", "peers", "directions", "interested", "known", "tracker",
  /* Torrent */
  "name", "hash", "hash_v2", "pieces", "size", "trackers", "folder", "private", "comment", "creator", "date",
};

/* ------------------------------------------------------------------ */
/* Grids                                                               */

/* Sets only on change: a selection the user is making stays. */
static void
set_label (GtkWidget  *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) != 0)
    gtk_label_set_text (GTK_LABEL (label), text);
}

static void
set_value (TsrOverviewPage *self,
           const char      *id,
           const char      *text)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (self), TSR_TYPE_OVERVIEW_PAGE, id);

  g_return_if_fail (GTK_IS_LABEL (label));
  set_label (GTK_WIDGET (label), text);
}

static void
set_value_take (TsrOverviewPage *self,
                const char      *id,
                char            *text)
{
  set_value (self, id, text);
  g_free (text);
}

static void
fill_info (TsrOverviewPage *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self->torrent);
  g_autoptr(GString) trackers = g_string_new (NULL);
  g_autofree char *hash = tsr_metainfo_dup_info_hash_hex (info);
  g_autofree char *hash_v2 = tsr_metainfo_dup_info_hash_v2_hex (info);
  g_autofree char *piece = g_format_size (info->piece_length);
  guint i;
  guint j;

  set_value (self, "name", info->display_name);
  set_value (self, "hash", hash != NULL ? hash : "—");
  set_value (self, "hash_v2", hash_v2 != NULL ? hash_v2 : "—");
  set_value_take (self, "pieces", g_strdup_printf (g_dngettext (NULL, "%u piece of %s", "%u pieces of %s",
                                                                info->piece_count),
                                                   info->piece_count, piece));
  set_value_take (self, "size", g_format_size_full (info->total_length, G_FORMAT_SIZE_LONG_FORMAT));
  for (i = 0; info->trackers != NULL && i < info->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (info->trackers, i);

      for (j = 0; j < tier->len; j++)
        {
          if (trackers->len > 0)
            g_string_append_c (trackers, '\n');
          g_string_append (trackers, g_ptr_array_index (tier, j));
        }
    }
  set_value (self, "trackers", trackers->len > 0 ? trackers->str : _("None"));
  set_value (self, "folder", tsr_torrent_get_folder (self->torrent));
  set_value (self, "private", info->is_private ? _("Yes") : _("No"));
  set_value (self, "comment", info->comment != NULL ? info->comment : "—");
  set_value (self, "creator", info->created_by != NULL ? info->created_by : "—");
  if (info->creation_date >= 0)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (info->creation_date);

      set_value_take (self, "date", date != NULL ? g_date_time_format (date, "%c") : g_strdup ("—"));
    }
  else
    set_value (self, "date", "—");
}

/* The first tracker's last word and the next announce, in one line. */
static char *
tracker_summary (TsrOverviewPage *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self->torrent);
  gint64 next = tsr_torrent_get_next_announce (self->torrent);
  g_autofree char *status = NULL;
  g_autofree char *in = NULL;

  if (info->trackers == NULL || info->trackers->len == 0)
    return g_strdup (_("None"));
  status = tsr_event_log_dup_tracker_status (tsr_event_log_get_for (self->torrent),
                                             g_ptr_array_index ((GPtrArray *) g_ptr_array_index (info->trackers, 0),
                                                                0));
  if (next < 0)
    return g_steal_pointer (&status);
  in = tsr_format_duration (next);
  /* TRANSLATORS: the tracker's last answer; then when it is asked next */
  return g_strdup_printf (_("%s; next in %s"), status, in);
}

static void
fill_state (TsrOverviewPage *self,
            GPtrArray       *peers)
{
  TsrTorrent *torrent = self->torrent;
  guint64 size = tsr_torrent_get_metainfo (torrent)->total_length;
  guint64 have = tsr_torrent_get_bytes_have (torrent);
  gint64 eta = tsr_torrent_get_eta (torrent);
  g_autofree char *have_text = g_format_size (have);
  g_autofree char *left_text = g_format_size (size - MIN (have, size));
  g_autofree char *down_rate = tsr_format_rate (tsr_torrent_get_down_rate (torrent));
  g_autofree char *up_rate = tsr_format_rate (tsr_torrent_get_up_rate (torrent));
  g_autofree char *downloaded = g_format_size (tsr_torrent_get_downloaded (torrent));
  g_autofree char *uploaded = g_format_size (tsr_torrent_get_uploaded (torrent));
  guint n_peers = tsr_torrent_get_n_peers (torrent);
  guint n_seeds = tsr_torrent_get_n_seeds (torrent);
  guint n_dialed = tsr_torrent_get_n_dialed (torrent);
  guint n_accepted = tsr_torrent_get_n_accepted (torrent);
  /* TRANSLATORS: peers connected to a torrent, in "5 connected, 2 seeds" */
  g_autofree char *connected_text = g_strdup_printf (g_dngettext (NULL, "%u connected", "%u connected", n_peers),
                                                     n_peers);
  /* TRANSLATORS: of the connected peers, the seeds, in "5 connected, 2 seeds" */
  g_autofree char *seeds_text = g_strdup_printf (g_dngettext (NULL, "%u seed", "%u seeds", n_seeds), n_seeds);
  /* TRANSLATORS: connected peers that we dialled, in "5 dialled, 3 accepted" */
  g_autofree char *dialed_text = g_strdup_printf (g_dngettext (NULL, "%u dialled", "%u dialled", n_dialed),
                                                  n_dialed);
  /* TRANSLATORS: connected peers that dialled us, in "5 dialled, 3 accepted" */
  g_autofree char *accepted_text = g_strdup_printf (g_dngettext (NULL, "%u accepted", "%u accepted", n_accepted),
                                                    n_accepted);
  guint interested = 0;
  guint i;

  for (i = 0; i < peers->len; i++)
    {
      TsrPeerInfo *info = g_ptr_array_index (peers, i);

      if (info->am_interested || info->peer_interested)
        interested++;
    }
  if (tsr_torrent_get_state (torrent) == TSR_TORRENT_ERROR && tsr_torrent_get_error (torrent) != NULL)
    set_value_take (self, "state", g_strdup_printf ("%s: %s", tsr_format_state (TSR_TORRENT_ERROR),
                                                    tsr_torrent_get_error (torrent)));
  else
    set_value (self, "state", tsr_format_state (tsr_torrent_get_state (torrent)));
  set_value_take (self, "eta", eta < 0 ? g_strdup ("—") : tsr_format_duration (eta));
  /* TRANSLATORS: bytes verified, then bytes still to fetch */
  set_value_take (self, "done", g_strdup_printf (_("%s done, %s left"), have_text, left_text));
  /* TRANSLATORS: download rate, then upload rate */
  set_value_take (self, "rates", g_strdup_printf (_("%s down, %s up"), down_rate, up_rate));
  set_value_take (self, "totals", g_strdup_printf (_("%s down, %s up"), downloaded, uploaded));
  set_value_take (self, "ratio", g_strdup_printf ("%.3f", tsr_torrent_get_ratio (torrent)));
  /* TRANSLATORS: "5 connected, 2 seeds": connected peers, and of them
   * the seeds */
  set_value_take (self, "peers", g_strdup_printf (C_("peer counts", "%s, %s"), connected_text, seeds_text));
  /* TRANSLATORS: "5 dialled, 3 accepted": connected peers that we
   * dialled, and those that dialled us */
  set_value_take (self, "directions", g_strdup_printf (C_("peer counts", "%s, %s"), dialed_text, accepted_text));
  set_value_take (self, "interested", g_strdup_printf ("%u", interested));
  set_value_take (self, "known", g_strdup_printf ("%u", tsr_torrent_get_n_known_addresses (torrent)));
  set_value_take (self, "tracker", tracker_summary (self));
}

/* ------------------------------------------------------------------ */
/* Bars                                                                */

static void
fill_bars (TsrOverviewPage *self,
           GPtrArray       *peers)
{
  guint n = 0;
  guint have = 0;
  g_autofree float *fractions = tsr_torrent_dup_piece_fractions (self->torrent, &n);
  g_autofree guint *counts = tsr_torrent_dup_availability (self->torrent, &n);
  g_autofree float *shades = g_new0 (float, MAX (n, 1));
  g_autofree char *have_text = NULL;
  g_autofree char *availability = NULL;
  guint most = MAX (peers->len, 1);
  guint i;

  for (i = 0; i < n; i++)
    {
      if (fractions[i] >= 1.0f)
        have++;
      /* Shaded by how many of the connected peers have the piece. */
      shades[i] = (float) MIN (counts[i], most) / (float) most;
    }
  tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->have_bar), fractions, n);
  tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->availability_bar), shades, n);
  have_text = g_strdup_printf (g_dngettext (NULL, "%u of %u piece", "%u of %u pieces", n), have, n);
  gtk_label_set_text (GTK_LABEL (self->have_label), have_text);
  tsr_pieces_bar_set_description (TSR_PIECES_BAR (self->have_bar), have_text);
  availability = g_strdup_printf (g_dngettext (NULL, "%u peer", "%u peers", peers->len), peers->len);
  gtk_label_set_text (GTK_LABEL (self->availability_label), availability);
  tsr_pieces_bar_set_description (TSR_PIECES_BAR (self->availability_bar), availability);
}

/* ------------------------------------------------------------------ */
/* An error the user can act on                                        */

static void
show_error (TsrOverviewPage *self)
{
  g_autoptr(GError) error = NULL;
  gboolean no_space;
  gboolean missing;

  if (self->torrent != NULL && tsr_torrent_get_state (self->torrent) == TSR_TORRENT_ERROR)
    error = tsr_torrent_dup_error (self->torrent);
  /* Nothing was lost: once there is room, starting again resumes. */
  no_space = error != NULL && g_error_matches (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_NO_SPACE);
  /* Data went away: only a check says what is still there. */
  missing = error != NULL && g_error_matches (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING);
  /* Other errors: the state row says what happened, as before. */
  gtk_widget_set_visible (self->error_box, no_space || missing);
  if (!no_space && !missing)
    return;
  set_label (self->error_title, no_space ? _("The disk is full") : _("Files are missing"));
  set_label (self->error_message, error->message);
  gtk_widget_set_visible (self->resume_button, no_space);
  gtk_widget_set_visible (self->verify_button, missing);
}

static void
on_resume_clicked (GtkButton       *button,
                   TsrOverviewPage *self)
{
  if (self->torrent == NULL)
    return;
  /* Through the library, as win.start does, so that it is saved as
   * running. The pieces verified before the disk filled are kept: the
   * resume record written then spares a recheck. */
  if (self->library != NULL)
    tsr_library_start (self->library, self->torrent);
  else
    tsr_torrent_start (self->torrent);
  show_error (self);
}

static void
on_verify_clicked (GtkButton       *button,
                   TsrOverviewPage *self)
{
  if (self->torrent == NULL)
    return;
  tsr_torrent_verify (self->torrent);
  show_error (self);
}

/* ------------------------------------------------------------------ */
/* Limits                                                              */

/* Per-torrent limits: applied when a value is committed (Enter, leaving
 * the field, or a step: GTK 4.8's spin buttons say so by value-changed),
 * kept across restarts by the library. */
static void
on_limit_changed (GtkSpinButton   *spin,
                  TsrOverviewPage *self)
{
  double ratio = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->ratio_spin));
  double down_rate = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->down_rate_spin));
  double up_rate = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->up_rate_spin));
  double down_total = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->down_total_spin));
  double up_total = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->up_total_spin));

  if (self->torrent == NULL || self->library == NULL)
    return;
  tsr_library_set_limits (self->library, self->torrent, (guint64) up_rate * 1024, (guint64) down_rate * 1024,
                          (guint64) up_total * 1024 * 1024, (guint64) down_total * 1024 * 1024, ratio);
}

static void
show_limit (TsrOverviewPage *self,
            GtkWidget       *spin,
            double           value)
{
  g_signal_handlers_block_by_func (spin, on_limit_changed, self);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  g_signal_handlers_unblock_by_func (spin, on_limit_changed, self);
}

static void
show_limits (TsrOverviewPage *self)
{
  guint64 up_total = 0;
  guint64 down_total = 0;
  gdouble ratio = 0;

  tsr_torrent_get_limits (self->torrent, &up_total, &down_total, &ratio);
  show_limit (self, self->ratio_spin, ratio);
  show_limit (self, self->down_rate_spin, (double) (tsr_torrent_get_down_rate_limit (self->torrent) / 1024));
  show_limit (self, self->up_rate_spin, (double) (tsr_torrent_get_up_rate_limit (self->torrent) / 1024));
  show_limit (self, self->down_total_spin, (double) (down_total / (1024 * 1024)));
  show_limit (self, self->up_total_spin, (double) (up_total / (1024 * 1024)));
}

/* ------------------------------------------------------------------ */

void
tsr_overview_page_refresh (TsrOverviewPage *self,
                           GPtrArray       *peers)
{
  g_return_if_fail (TSR_IS_OVERVIEW_PAGE (self));

  if (self->torrent == NULL)
    return;
  fill_bars (self, peers);
  fill_state (self, peers);
  tsr_speed_graph_set_limits (TSR_SPEED_GRAPH (self->speed_graph), tsr_torrent_get_down_rate_limit (self->torrent),
                              tsr_torrent_get_up_rate_limit (self->torrent));
  tsr_speed_history_push (self->speed, tsr_torrent_get_down_rate (self->torrent),
                          tsr_torrent_get_up_rate (self->torrent));
  show_error (self);
}

void
tsr_overview_page_set_torrent (TsrOverviewPage *self,
                               TsrTorrent      *torrent)
{
  g_return_if_fail (TSR_IS_OVERVIEW_PAGE (self));

  if (self->torrent != torrent)
    tsr_speed_history_clear (self->speed);
  g_set_object (&self->torrent, torrent);
  show_error (self);
  if (torrent == NULL)
    {
      tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->have_bar), NULL, 0);
      tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->availability_bar), NULL, 0);
      return;
    }
  fill_info (self);
  show_limits (self);
}

void
tsr_overview_page_set_library (TsrOverviewPage *self,
                               TsrLibrary      *library)
{
  g_return_if_fail (TSR_IS_OVERVIEW_PAGE (self));

  g_set_object (&self->library, library);
}

static void
tsr_overview_page_dispose (GObject *object)
{
  TsrOverviewPage *self = TSR_OVERVIEW_PAGE (object);

  g_clear_object (&self->torrent);
  g_clear_object (&self->library);
  g_clear_object (&self->speed);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_OVERVIEW_PAGE);
  G_OBJECT_CLASS (tsr_overview_page_parent_class)->dispose (object);
}

static void
tsr_overview_page_class_init (TsrOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  guint i;

  object_class->dispose = tsr_overview_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  g_type_ensure (TSR_TYPE_PIECES_BAR);
  g_type_ensure (TSR_TYPE_SPEED_GRAPH);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-overview-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, have_bar);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, have_label);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, availability_bar);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, availability_label);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, speed_graph);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, error_title);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, error_message);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, verify_button);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, ratio_spin);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, down_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, up_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, down_total_spin);
  gtk_widget_class_bind_template_child (widget_class, TsrOverviewPage, up_total_spin);
  /* Kept by the template, not in the struct: found by set_value. */
  for (i = 0; i < G_N_ELEMENTS (value_ids); i++)
    gtk_widget_class_bind_template_child_full (widget_class, value_ids[i], FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_limit_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_resume_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_verify_clicked);
}

static void
tsr_overview_page_init (TsrOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_fix_mnemonic_buttons (GTK_WIDGET (self));
  self->speed = tsr_speed_history_new (TSR_SPEED_HISTORY_DEFAULT_CAPACITY);
  tsr_speed_graph_set_history (TSR_SPEED_GRAPH (self->speed_graph), self->speed);
}
