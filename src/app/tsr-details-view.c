/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-details-view.c: the selected torrent's details (see
 * tsr-details-view.h). The overview holds the two bars and the grids;
 * the peers page a column view over rows kept in step with the engine
 * (tsr-peer-row.c), so it updates in place without losing its scroll
 * position.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-details-view.h"
#include "tsr-event-log.h"
#include "tsr-file-node.h"
#include "tsr-peer-row.h"
#include "tsr-pieces-bar.h"
#include "tsr-util.h"

struct _TsrDetailsView
{
  GtkWidget     parent_instance;
  TsrTorrent   *torrent;          /* (owned) (nullable) */
  guint         refresh_source;
  GtkWidget    *box;              /* the one child */
  GtkWidget    *stack;
  GtkWidget    *have_bar;
  GtkWidget    *have_label;
  GtkWidget    *availability_bar;
  GtkWidget    *availability_label;
  GtkWidget    *state_grid;
  GtkWidget    *info_grid;
  GListStore   *peers;            /* (owned) (element-type TsrPeerRow) */
  GHashTable   *values;           /* (owned) grid key → value label */
  GtkWidget    *files_view;       /* GtkColumnView over a tree of TsrFileNode */
  GListStore   *files;            /* (owned) (nullable) the tree's top level */
  GtkWidget    *bans_box;         /* GtkListBox */
  GtkWidget    *trackers_box;     /* GtkListBox */
  GtkWidget    *next_announce;
  char         *trackers_shown;   /* (owned) what trackers_box shows */
  char         *bans_shown;       /* (owned) what bans_box shows, to rebuild on change */
  GtkTextBuffer *logs[TSR_N_LOGS];
  TsrLibrary   *library;          /* (owned) (nullable) */
  GtkWidget    *limit_spins[5];   /* ratio, down, up (KiB/s), down, up totals (MiB) */
  TsrEventLog  *log;              /* (owned) (nullable) the torrent's */
  gulong        log_handler;
};


G_DEFINE_FINAL_TYPE (TsrDetailsView, tsr_details_view, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------ */
/* Grids                                                               */

/* A row of "key: value" in @grid; the value label is kept by @key. */
static void
add_grid_row (TsrDetailsView *self,
              GtkWidget      *grid,
              const char     *key,
              const char     *title)
{
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *value = gtk_label_new (NULL);
  int row = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (grid), "rows"));

  gtk_label_set_xalign (GTK_LABEL (name), 1.0f);
  gtk_label_set_yalign (GTK_LABEL (name), 0.0f);
  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0.0f);
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL, -1);
  gtk_grid_attach (GTK_GRID (grid), name, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), value, 1, row, 1, 1);
  g_object_set_data (G_OBJECT (grid), "rows", GINT_TO_POINTER (row + 1));
  g_hash_table_insert (self->values, (gpointer) key, value);
}

static void
set_value (TsrDetailsView *self,
           const char     *key,
           const char     *text)
{
  GtkLabel *label = g_hash_table_lookup (self->values, key);

  /* Set only on change: a selection the user is making stays. */
  if (label != NULL && g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
set_value_take (TsrDetailsView *self,
                const char     *key,
                char           *text)
{
  set_value (self, key, text);
  g_free (text);
}

static GtkWidget *
new_grid (void)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_hexpand (grid, TRUE);
  gtk_widget_set_valign (grid, GTK_ALIGN_START);
  return grid;
}

static void
fill_info (TsrDetailsView *self)
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
  set_value (self, "hash-v2", hash_v2 != NULL ? hash_v2 : "—");
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

static char *tracker_status (TsrDetailsView *self, const char *url);

/* The first tracker's last word and the next announce, in one line. */
static char *
tracker_summary (TsrDetailsView *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self->torrent);
  gint64 next = tsr_torrent_get_next_announce (self->torrent);
  g_autofree char *status = NULL;
  g_autofree char *in = NULL;

  if (info->trackers == NULL || info->trackers->len == 0)
    return g_strdup (_("None"));
  status = tracker_status (self, g_ptr_array_index ((GPtrArray *) g_ptr_array_index (info->trackers, 0), 0));
  if (next < 0)
    return g_steal_pointer (&status);
  in = tsr_format_duration (next);
  /* TRANSLATORS: the tracker's last answer; then when it is asked next */
  return g_strdup_printf (_("%s; next in %s"), status, in);
}

static void
fill_state (TsrDetailsView *self,
            GPtrArray      *peers)
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
fill_bars (TsrDetailsView *self,
           GPtrArray      *peers)
{
  guint n = 0;
  guint have = 0;
  g_autofree float *fractions = tsr_torrent_dup_piece_fractions (self->torrent, &n);
  g_autofree guint *counts = tsr_torrent_dup_availability (self->torrent, &n);
  g_autofree float *shades = g_new0 (float, MAX (n, 1));
  g_autofree char *have_text = NULL;
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
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

typedef struct
{
  const char *title;
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

static const PeerColumn peer_columns[] = {
  { N_("Address"), "address", NULL, FALSE },
  { N_("Client"), "client", NULL, FALSE },
  { N_("Direction"), "direction", NULL, FALSE },
  { N_("Source"), "source", NULL, FALSE },
  { N_("Extensions"), "extensions", NULL, FALSE },
  { N_("Flags"), "flags", NULL, FALSE },
  { N_("Down"), "down-rate", G_CALLBACK (format_rate), TRUE },
  { N_("Up"), "up-rate", G_CALLBACK (format_rate), TRUE },
  { N_("Received"), "downloaded", G_CALLBACK (format_size), TRUE },
  { N_("Sent"), "uploaded", G_CALLBACK (format_size), TRUE },
  { N_("Has"), "progress", G_CALLBACK (format_percent), TRUE },
  { N_("Requests"), "requests", NULL, TRUE },
  { N_("Connected"), "age", G_CALLBACK (format_age), TRUE },
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
on_disconnect_clicked (GtkButton      *button,
                       TsrDetailsView *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "list-item");
  TsrPeerRow *row = gtk_list_item_get_item (item);

  if (row != NULL && self->torrent != NULL)
    {
      tsr_torrent_disconnect_peer (self->torrent, tsr_peer_row_get_address (row));
      tsr_details_view_refresh (self);
    }
}

static void
on_disconnect_setup (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     TsrDetailsView           *self)
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
                    TsrDetailsView           *self)
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

static GtkWidget *
build_peers_page (TsrDetailsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autoptr(GtkNoSelection) selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->peers)));
  GtkWidget *view = gtk_column_view_new (GTK_SELECTION_MODEL (g_steal_pointer (&selection)));
  GtkListItemFactory *factory;
  g_autoptr(GtkColumnViewColumn) disconnect = NULL;
  guint i;

  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Peers"), -1);
  for (i = 0; i < G_N_ELEMENTS (peer_columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = NULL;

      factory = gtk_signal_list_item_factory_new ();
      g_signal_connect (factory, "setup", G_CALLBACK (on_peer_cell_setup), (gpointer) &peer_columns[i]);
      column = gtk_column_view_column_new (_(peer_columns[i].title), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, i == 1);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
    }
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_disconnect_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_disconnect_bind), self);
  disconnect = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (view), disconnect);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Overview                                                            */

static GtkWidget *
titled (const char *title,
        GtkWidget  *child,
        GtkWidget  *side)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (top), label);
  if (side != NULL)
    gtk_box_append (GTK_BOX (top), side);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

/* Per-torrent limits: applied when a value is committed (Enter, leaving
 * the field, or a step: GTK 4.8's spin buttons say so by value-changed),
 * kept across restarts by the library. */
static const struct
{
  const char *title;
  const char *hint;
  double      upper;
  double      step;
  guint       digits;
} limit_rows[] = {
  { N_("Stop at ratio"), N_("uploaded over size; 0: never"), 10000, 0.1, 2 },
  { N_("Download limit"), N_("KiB/s; 0: none"), 10000000, 10, 0 },
  { N_("Upload limit"), N_("KiB/s; 0: none"), 10000000, 10, 0 },
  { N_("Stop after downloading"), N_("MiB; 0: no limit"), 100000000, 100, 0 },
  { N_("Stop after uploading"), N_("MiB; 0: no limit"), 100000000, 100, 0 },
};

static void
apply_limits (TsrDetailsView *self)
{
  double v[G_N_ELEMENTS (limit_rows)];
  guint i;

  if (self->torrent == NULL || self->library == NULL)
    return;
  for (i = 0; i < G_N_ELEMENTS (limit_rows); i++)
    v[i] = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->limit_spins[i]));
  tsr_library_set_limits (self->library, self->torrent, (guint64) v[2] * 1024, (guint64) v[1] * 1024,
                          (guint64) v[4] * 1024 * 1024, (guint64) v[3] * 1024 * 1024, v[0]);
}

static void
show_limits (TsrDetailsView *self)
{
  guint64 up_total = 0;
  guint64 down_total = 0;
  gdouble ratio = 0;
  double v[G_N_ELEMENTS (limit_rows)];
  guint i;

  if (self->torrent == NULL)
    return;
  tsr_torrent_get_limits (self->torrent, &up_total, &down_total, &ratio);
  v[0] = ratio;
  v[1] = (double) (tsr_torrent_get_down_rate_limit (self->torrent) / 1024);
  v[2] = (double) (tsr_torrent_get_up_rate_limit (self->torrent) / 1024);
  v[3] = (double) (down_total / (1024 * 1024));
  v[4] = (double) (up_total / (1024 * 1024));
  for (i = 0; i < G_N_ELEMENTS (limit_rows); i++)
    {
      g_signal_handlers_block_by_func (self->limit_spins[i], apply_limits, self);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->limit_spins[i]), v[i]);
      g_signal_handlers_unblock_by_func (self->limit_spins[i], apply_limits, self);
    }
}

static GtkWidget *
build_limits (TsrDetailsView *self)
{
  GtkWidget *grid = new_grid ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (limit_rows); i++)
    {
      GtkWidget *name = gtk_label_new (_(limit_rows[i].title));
      GtkWidget *hint = gtk_label_new (_(limit_rows[i].hint));
      GtkWidget *spin = gtk_spin_button_new_with_range (0, limit_rows[i].upper, limit_rows[i].step);

      gtk_label_set_xalign (GTK_LABEL (name), 1.0f);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (hint), 0.0f);
      gtk_widget_add_css_class (hint, "dim-label");
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), limit_rows[i].digits);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_RELATION_LABELLED_BY, name, NULL, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _(limit_rows[i].hint), -1);
      g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (apply_limits), self);
      gtk_grid_attach (GTK_GRID (grid), name, 0, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), spin, 1, (int) i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), hint, 2, (int) i, 1, 1);
      self->limit_spins[i] = spin;
    }
  return grid;
}

static GtkWidget *
build_overview (TsrDetailsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *grids = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  GtkWidget *button;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  self->have_bar = tsr_pieces_bar_new ();
  gtk_widget_set_size_request (self->have_bar, -1, 20);
  self->have_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->have_label, "dim-label");
  gtk_box_append (GTK_BOX (box), titled (_("Pieces Here"), self->have_bar, self->have_label));
  self->availability_bar = tsr_pieces_bar_new ();
  gtk_widget_set_size_request (self->availability_bar, -1, 20);
  self->availability_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->availability_label, "dim-label");
  gtk_box_append (GTK_BOX (box), titled (_("Availability Among Peers"), self->availability_bar,
                                         self->availability_label));

  button = gtk_button_new_with_mnemonic (_("_Start"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.start");
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_mnemonic (_("S_top"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.stop");
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_mnemonic (_("Ask _Tracker"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.announce");
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);

  self->state_grid = new_grid ();
  add_grid_row (self, self->state_grid, "state", _("State"));
  add_grid_row (self, self->state_grid, "eta", _("Time left"));
  add_grid_row (self, self->state_grid, "done", _("Data"));
  add_grid_row (self, self->state_grid, "rates", _("Rates"));
  add_grid_row (self, self->state_grid, "totals", _("Transferred"));
  add_grid_row (self, self->state_grid, "ratio", _("Ratio"));
  add_grid_row (self, self->state_grid, "peers", _("Peers"));
  add_grid_row (self, self->state_grid, "directions", _("Connections"));
  add_grid_row (self, self->state_grid, "interested", _("Interested"));
  add_grid_row (self, self->state_grid, "known", _("Known addresses"));
  add_grid_row (self, self->state_grid, "tracker", _("Tracker"));
  gtk_box_append (GTK_BOX (grids), titled (_("State"), self->state_grid, NULL));

  self->info_grid = new_grid ();
  add_grid_row (self, self->info_grid, "name", _("Name"));
  add_grid_row (self, self->info_grid, "hash", _("Info hash"));
  add_grid_row (self, self->info_grid, "hash-v2", _("Info hash v2"));
  add_grid_row (self, self->info_grid, "pieces", _("Pieces"));
  add_grid_row (self, self->info_grid, "size", _("Size"));
  add_grid_row (self, self->info_grid, "trackers", _("Trackers"));
  add_grid_row (self, self->info_grid, "folder", _("Saved in"));
  add_grid_row (self, self->info_grid, "private", _("Private"));
  add_grid_row (self, self->info_grid, "comment", _("Comment"));
  add_grid_row (self, self->info_grid, "creator", _("Created by"));
  add_grid_row (self, self->info_grid, "date", _("Created on"));
  gtk_box_append (GTK_BOX (grids), titled (_("Torrent"), self->info_grid, NULL));
  gtk_box_append (GTK_BOX (box), grids);
  gtk_box_append (GTK_BOX (box), titled (_("Limits for This Torrent"), build_limits (self), NULL));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static TsrFileNode *
node_of (GtkListItem *item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);

  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  GListModel *children = tsr_file_node_get_children (item);

  return children != NULL ? g_object_ref (children) : NULL;
}

static void
on_name_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), label);
  gtk_list_item_set_child (item, expander);
}

static void
on_name_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  GtkTreeExpander *expander = GTK_TREE_EXPANDER (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  gtk_tree_expander_set_list_row (expander, gtk_list_item_get_item (item));
  gtk_label_set_text (GTK_LABEL (gtk_tree_expander_get_child (expander)), tsr_file_node_get_name (node));
}

static char *
format_node_size (gpointer unused,
                  guint64  size)
{
  return g_format_size (size);
}

/* An expression for @property of the row's node. */
static GtkExpression *
node_property (const char *property)
{
  GtkExpression *row = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *node = gtk_property_expression_new (GTK_TYPE_TREE_LIST_ROW, row, "item");

  return gtk_property_expression_new (TSR_TYPE_FILE_NODE, node, property);
}

static void
on_size_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);
  GtkExpression *size = node_property ("size");

  gtk_label_set_xalign (GTK_LABEL (label), 1.0f);
  gtk_widget_add_css_class (label, "numeric");
  size = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 1, &size, G_CALLBACK (format_node_size), NULL, NULL);
  gtk_expression_bind (size, label, "label", item);
  gtk_list_item_set_child (item, label);
}

static void
on_progress_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item)
{
  GtkWidget *bar = gtk_progress_bar_new ();

  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 100, -1);
  gtk_expression_bind (node_property ("progress"), bar, "fraction", item);
  gtk_list_item_set_child (item, bar);
}

static void
on_priority_selected (GtkDropDown    *drop_down,
                      GParamSpec     *pspec,
                      TsrDetailsView *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (drop_down), "list-item");
  g_autoptr(TsrFileNode) node = node_of (item);
  guint selected = gtk_drop_down_get_selected (drop_down);

  if (node == NULL || self->torrent == NULL || selected > TSR_PRIORITY_HIGH)
    return;
  tsr_file_node_set_priority (node, self->torrent, (TsrPriority) selected);
  tsr_file_nodes_update (self->files, self->torrent);
  g_signal_emit_by_name (self, "priorities-changed");
}

static void
on_priority_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   TsrDetailsView           *self)
{
  static const char *names[] = { N_("Skip"), N_("Normal"), N_("High"), NULL };
  const char *translated[] = { _(names[0]), _(names[1]), _(names[2]), NULL };
  GtkWidget *drop_down = gtk_drop_down_new_from_strings (translated);

  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Priority"), -1);
  g_object_set_data (G_OBJECT (drop_down), "list-item", item);
  gtk_list_item_set_child (item, drop_down);
}

static void
show_priority (GtkDropDown    *drop_down,
               TsrFileNode    *node,
               TsrDetailsView *self)
{
  int priority = tsr_file_node_get_priority (node);

  g_signal_handlers_block_by_func (drop_down, on_priority_selected, self);
  /* Files that differ below a folder: no choice shown. */
  gtk_drop_down_set_selected (drop_down, priority >= 0 ? (guint) priority : GTK_INVALID_LIST_POSITION);
  g_signal_handlers_unblock_by_func (drop_down, on_priority_selected, self);
}

static void
on_node_priority (TsrFileNode *node,
                  GParamSpec  *pspec,
                  GtkDropDown *drop_down)
{
  show_priority (drop_down, node, g_object_get_data (G_OBJECT (drop_down), "view"));
}

static void
on_priority_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TsrDetailsView           *self)
{
  GtkDropDown *drop_down = GTK_DROP_DOWN (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  g_object_set_data (G_OBJECT (drop_down), "view", self);
  if (node != NULL)
    {
      /* TRANSLATORS: an accessible label; %s is a file or folder name */
      g_autofree char *label = g_strdup_printf (_("Priority of %s"), tsr_file_node_get_name (node));

      gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  show_priority (drop_down, node, self);
  g_signal_connect (drop_down, "notify::selected", G_CALLBACK (on_priority_selected), self);
  g_signal_connect (node, "notify::priority", G_CALLBACK (on_node_priority), drop_down);
}

static void
on_priority_unbind (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    TsrDetailsView           *self)
{
  GtkDropDown *drop_down = GTK_DROP_DOWN (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  g_signal_handlers_disconnect_by_func (drop_down, on_priority_selected, self);
  if (node != NULL)
    g_signal_handlers_disconnect_by_func (node, on_node_priority, drop_down);
}

static void
on_open_clicked (GtkButton      *button,
                 TsrDetailsView *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (button), "list-item");
  g_autoptr(TsrFileNode) node = node_of (item);
  g_autofree char *path = NULL;
  g_autoptr(GFile) location = NULL;
  g_autofree char *uri = NULL;

  if (node == NULL || self->torrent == NULL)
    return;
  path = g_build_filename (tsr_torrent_get_folder (self->torrent), tsr_file_node_get_path (node), NULL);
  location = g_file_new_for_path (path);
  uri = g_file_get_uri (location);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
on_open_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TsrDetailsView           *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("document-open-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Open"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open"), -1);
  g_object_set_data (G_OBJECT (button), "list-item", item);
  g_signal_connect (button, "clicked", G_CALLBACK (on_open_clicked), self);
  gtk_list_item_set_child (item, button);
}

/* Each row's button says what it opens, for screen readers. */
static void
on_open_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TsrDetailsView           *self)
{
  g_autoptr(TsrFileNode) node = node_of (item);
  g_autofree char *label = NULL;

  if (node == NULL)
    return;
  /* TRANSLATORS: an accessible label; %s is a file or folder name */
  label = g_strdup_printf (_("Open %s"), tsr_file_node_get_name (node));
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_list_item_get_child (item)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

static void
fill_files (TsrDetailsView *self)
{
  g_autoptr(GtkTreeListModel) tree = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_clear_object (&self->files);
  if (self->torrent == NULL)
    {
      gtk_column_view_set_model (GTK_COLUMN_VIEW (self->files_view), NULL);
      return;
    }
  self->files = tsr_file_nodes_new (self->torrent);
  tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->files)), FALSE, TRUE, create_children, NULL,
                                  NULL);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&tree)));
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->files_view), GTK_SELECTION_MODEL (selection));
}

static void
fill_file_progress (TsrDetailsView *self)
{
  if (self->files != NULL)
    tsr_file_nodes_update (self->files, self->torrent);
}

static GtkWidget *
build_files_page (TsrDetailsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  struct
  {
    const char *title;
    GCallback   setup;
    GCallback   bind;
    GCallback   unbind;
    gboolean    expand;
  } columns[] = {
    { N_("Name"), G_CALLBACK (on_name_setup), G_CALLBACK (on_name_bind), NULL, TRUE },
    { N_("Size"), G_CALLBACK (on_size_setup), NULL, NULL, FALSE },
    { N_("Progress"), G_CALLBACK (on_progress_setup), NULL, NULL, FALSE },
    { N_("Priority"), G_CALLBACK (on_priority_setup), G_CALLBACK (on_priority_bind),
      G_CALLBACK (on_priority_unbind), FALSE },
    { NULL, G_CALLBACK (on_open_setup), G_CALLBACK (on_open_bind), NULL, FALSE },
  };
  guint i;

  self->files_view = gtk_column_view_new (NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->files_view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Files"), -1);
  for (i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", columns[i].setup, self);
      if (columns[i].bind != NULL)
        g_signal_connect (factory, "bind", columns[i].bind, self);
      if (columns[i].unbind != NULL)
        g_signal_connect (factory, "unbind", columns[i].unbind, self);
      column = gtk_column_view_column_new (columns[i].title != NULL ? _(columns[i].title) : NULL, factory);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_column_set_resizable (column, columns[i].title != NULL);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (self->files_view), column);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->files_view);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Trackers                                                            */

static char *
tracker_status (TsrDetailsView *self,
                const char     *url)
{
  TsrEventLog *log = tsr_event_log_get_for (self->torrent);
  const char *message = NULL;
  gint64 when = 0;
  gint64 seeders = -1;
  gint64 leechers = -1;
  g_autoptr(GDateTime) then = NULL;
  g_autofree char *time_text = NULL;

  g_autofree char *announce = NULL;
  gint64 downloaded = -1;

  if (log == NULL || !tsr_event_log_get_tracker (log, url, &when, &message, &seeders, &leechers))
    announce = g_strdup (_("Not asked yet"));
  else
    {
      then = g_date_time_new_from_unix_local (when);
      time_text = g_date_time_format (then, "%X");
      if (message != NULL)
        /* TRANSLATORS: time of the last announce, then the tracker's error */
        announce = g_strdup_printf (_("%s: %s"), time_text, message);
      else if (seeders >= 0 && leechers >= 0)
        {
          g_autofree char *counts = tsr_format_swarm (seeders, leechers, -1);

          /* TRANSLATORS: time of the last announce, then "3 seeders, 4 leechers" */
          announce = g_strdup_printf (_("%s: %s"), time_text, counts);
        }
      else
        announce = g_strdup_printf (_("%s: answered"), time_text);
    }
  /* BEP 48: the whole swarm's counts, when the tracker was scraped. */
  if (log != NULL && tsr_event_log_get_scrape (log, url, &seeders, &leechers, &downloaded))
    {
      g_autofree char *counts = tsr_format_swarm (seeders, leechers, downloaded);

      /* TRANSLATORS: the last announce's outcome, then the tracker's scrape counts */
      return g_strdup_printf (_("%s · swarm: %s"), announce, counts);
    }
  return g_steal_pointer (&announce);
}

static void
fill_trackers (TsrDetailsView *self)
{
  TsrMetainfo *info = tsr_torrent_get_metainfo (self->torrent);
  g_autoptr(GString) signature = g_string_new (NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  gint64 next = tsr_torrent_get_next_announce (self->torrent);
  GtkWidget *child;
  guint i;
  guint j;

  if (next < 0)
    gtk_label_set_text (GTK_LABEL (self->next_announce), _("No announce planned (the torrent is stopped, or has no "
                                                           "tracker)"));
  else
    {
      g_autofree char *in = tsr_format_duration (next);
      g_autofree char *text = g_strdup_printf (_("Next announce in %s"), in);

      gtk_label_set_text (GTK_LABEL (self->next_announce), text);
    }
  for (i = 0; info->trackers != NULL && i < info->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (info->trackers, i);

      for (j = 0; j < tier->len; j++)
        {
          char *status = tracker_status (self, g_ptr_array_index (tier, j));

          g_string_append_printf (signature, "%u %s %s\n", i, (char *) g_ptr_array_index (tier, j), status);
          g_ptr_array_add (rows, status);
        }
    }
  if (self->trackers_shown != NULL && g_str_equal (self->trackers_shown, signature->str))
    return;
  g_free (self->trackers_shown);
  self->trackers_shown = g_strdup (signature->str);
  while ((child = gtk_widget_get_first_child (self->trackers_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->trackers_box), child);
  for (i = 0; info->trackers != NULL && i < info->trackers->len; i++)
    {
      GPtrArray *tier = g_ptr_array_index (info->trackers, i);

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
          gtk_list_box_append (GTK_LIST_BOX (self->trackers_box), row);
        }
    }
}

static GtkWidget *
build_trackers_page (TsrDetailsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *ask = gtk_button_new_with_mnemonic (_("Ask _Tracker"));
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *empty = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Trackers"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty), _("This torrent finds its peers some other way"));
  gtk_widget_add_css_class (empty, "compact");
  self->trackers_box = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->trackers_box), GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->trackers_box), empty);
  gtk_widget_add_css_class (self->trackers_box, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->trackers_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Trackers"), -1);
  self->next_announce = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->next_announce), 0.0f);
  gtk_widget_set_hexpand (self->next_announce, TRUE);
  gtk_widget_add_css_class (self->next_announce, "dim-label");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (ask), "win.announce");
  gtk_box_append (GTK_BOX (bottom), self->next_announce);
  gtk_box_append (GTK_BOX (bottom), ask);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_box_append (GTK_BOX (box), self->trackers_box);
  gtk_box_append (GTK_BOX (box), bottom);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Bad peers                                                           */

static void fill_bans (TsrDetailsView *self);

static void
on_clear_bans (GtkButton      *button,
               TsrDetailsView *self)
{
  if (self->torrent != NULL)
    {
      tsr_torrent_clear_bans (self->torrent);
      fill_bans (self);
    }
}

static void
fill_bans (TsrDetailsView *self)
{
  g_autoptr(GPtrArray) bans = tsr_torrent_dup_bans (self->torrent);
  g_autoptr(GString) signature = g_string_new (NULL);
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) wall = g_date_time_new_now_local ();
  GtkWidget *child;
  guint i;

  for (i = 0; i < bans->len; i++)
    {
      TsrPeerBan *ban = g_ptr_array_index (bans, i);

      g_string_append_printf (signature, "%s %s %" G_GINT64_FORMAT "\n", ban->address, ban->reason, ban->until);
    }
  if (self->bans_shown != NULL && g_str_equal (self->bans_shown, signature->str))
    return;
  g_free (self->bans_shown);
  self->bans_shown = g_strdup (signature->str);
  while ((child = gtk_widget_get_first_child (self->bans_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->bans_box), child);
  for (i = 0; i < bans->len; i++)
    {
      TsrPeerBan *ban = g_ptr_array_index (bans, i);
      g_autoptr(GDateTime) until = g_date_time_add_seconds (wall, (gdouble) (ban->until - now));
      g_autofree char *until_text = g_date_time_format (until, "%X");
      g_autofree char *subtitle = g_strdup_printf (_("Until %s: %s"), until_text, ban->reason);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ban->address);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (GTK_LIST_BOX (self->bans_box), row);
    }
}

static GtkWidget *
build_bans_page (TsrDetailsView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *clear = gtk_button_new_with_mnemonic (_("_Lift All Bans"));
  GtkWidget *empty = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Banned Peers"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Peers that send corrupt data or break the protocol are banned for an hour"));
  gtk_widget_add_css_class (empty, "compact");
  self->bans_box = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->bans_box), GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->bans_box), empty);
  gtk_widget_add_css_class (self->bans_box, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bans_box), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Bad peers"),
                                  -1);
  gtk_widget_set_halign (clear, GTK_ALIGN_START);
  g_signal_connect (clear, "clicked", G_CALLBACK (on_clear_bans), self);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_box_append (GTK_BOX (box), self->bans_box);
  gtk_box_append (GTK_BOX (box), clear);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Logs                                                                */

static void
on_log_line (TsrEventLog    *log,
             int             kind,
             const char     *line,
             TsrDetailsView *self)
{
  GtkTextBuffer *buffer = self->logs[kind];
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  /* Bounded like the log: the oldest line goes. */
  while ((guint) gtk_text_buffer_get_line_count (buffer) > tsr_event_log_get_n_lines (log, kind) + 1)
    {
      GtkTextIter start;
      GtkTextIter next;

      gtk_text_buffer_get_start_iter (buffer, &start);
      next = start;
      gtk_text_iter_forward_line (&next);
      gtk_text_buffer_delete (buffer, &start, &next);
    }
}

static void
show_log (TsrDetailsView *self)
{
  guint i;

  if (self->log != NULL)
    g_clear_signal_handler (&self->log_handler, self->log);
  g_clear_object (&self->log);
  if (self->torrent != NULL && tsr_event_log_get_for (self->torrent) != NULL)
    self->log = g_object_ref (tsr_event_log_get_for (self->torrent));
  for (i = 0; i < TSR_N_LOGS; i++)
    {
      g_autofree char *text = self->log != NULL ? tsr_event_log_dup_text (self->log, i) : g_strdup ("");

      gtk_text_buffer_set_text (self->logs[i], text, -1);
    }
  if (self->log != NULL)
    self->log_handler = g_signal_connect (self->log, "line-added", G_CALLBACK (on_log_line), self);
}

static GtkWidget *
build_log_page (TsrDetailsView *self,
                TsrLogKind      kind,
                const char     *label)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  self->logs[kind] = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  return scrolled;
}

/* ------------------------------------------------------------------ */

void
tsr_details_view_refresh (TsrDetailsView *self)
{
  g_autoptr(GPtrArray) peers = NULL;
  g_autofree char *availability = NULL;

  if (self->torrent == NULL)
    return;
  peers = tsr_torrent_dup_peer_infos (self->torrent);
  fill_bars (self, peers);
  fill_state (self, peers);
  fill_file_progress (self);
  fill_bans (self);
  fill_trackers (self);
  tsr_peer_rows_update (self->peers, peers);
  availability = g_strdup_printf (g_dngettext (NULL, "%u peer", "%u peers", peers->len), peers->len);
  gtk_label_set_text (GTK_LABEL (self->availability_label), availability);
  tsr_pieces_bar_set_description (TSR_PIECES_BAR (self->availability_bar), availability);
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
  g_list_store_remove_all (self->peers);
  show_log (self);
  fill_files (self);
  g_clear_pointer (&self->bans_shown, g_free);
  g_clear_pointer (&self->trackers_shown, g_free);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_widget_set_sensitive (self->box, torrent != NULL);
  if (torrent == NULL)
    {
      tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->have_bar), NULL, 0);
      tsr_pieces_bar_set_values (TSR_PIECES_BAR (self->availability_bar), NULL, 0);
      return;
    }
  fill_info (self);
  show_limits (self);
  tsr_details_view_refresh (self);
  self->refresh_source = g_timeout_add_seconds (1, on_refresh, self);
}

void
tsr_details_view_show_page (TsrDetailsView *self,
                            const char     *name)
{
  /* The name may come from outside (win.show-page is a D-Bus action). */
  if (gtk_stack_get_child_by_name (GTK_STACK (self->stack), name) != NULL)
    gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
}

void
tsr_details_view_set_library (TsrDetailsView *self,
                              TsrLibrary     *library)
{
  g_set_object (&self->library, library);
}

GListModel *
tsr_details_view_get_peers (TsrDetailsView *self)
{
  return G_LIST_MODEL (self->peers);
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
  g_clear_object (&self->library);
  if (self->log != NULL)
    g_clear_signal_handler (&self->log_handler, self->log);
  g_clear_object (&self->log);
  g_clear_object (&self->files);
  g_clear_pointer (&self->bans_shown, g_free);
  g_clear_pointer (&self->trackers_shown, g_free);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->peers);
  g_clear_pointer (&self->values, g_hash_table_unref);
  G_OBJECT_CLASS (tsr_details_view_parent_class)->dispose (object);
}

static void
tsr_details_view_class_init (TsrDetailsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_details_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* A file's priority was changed: the app saves it. */
  g_signal_new ("priorities-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name (widget_class, "detailsview");
  /* A named group: screen readers say where the focus went. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tsr_details_view_init (TsrDetailsView *self)
{
  GtkWidget *switcher = gtk_stack_switcher_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Torrent details"), -1);
  self->peers = g_list_store_new (TSR_TYPE_PEER_ROW);
  self->values = g_hash_table_new (g_str_hash, g_str_equal);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_stack_add_titled (GTK_STACK (self->stack), build_overview (self), "overview", _("Overview"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_files_page (self), "files", _("Files"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_peers_page (self), "peers", _("Peers"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_trackers_page (self), "trackers", _("Trackers"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_bans_page (self), "bans", _("Bad Peers"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_log_page (self, TSR_LOG_TORRENT, _("Torrent log")), "log",
                        _("Log"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_log_page (self, TSR_LOG_PEERS, _("Peer log")), "peer-log",
                        _("Peer Log"));
  gtk_stack_add_titled (GTK_STACK (self->stack), build_log_page (self, TSR_LOG_ERRORS, _("Errors")), "errors",
                        _("Errors"));
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (self->stack));
  gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (switcher, 6);
  gtk_widget_set_margin_bottom (switcher, 6);
  gtk_box_append (GTK_BOX (self->box), switcher);
  gtk_box_append (GTK_BOX (self->box), self->stack);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_sensitive (self->box, FALSE);
}
