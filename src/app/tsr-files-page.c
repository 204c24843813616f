/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-files-page.c: the files page (see tsr-files-page.h). A column view
 * over a GtkTreeListModel of TsrFileNode (tsr-file-node.c); size and
 * progress cells are bound once to their node's properties, the priority
 * drop-down follows its node both ways.
 *
 * A file row's pieces bar shows the pieces its bytes fall in, those
 * shared with the files either side as they are. It is filled at bind
 * and again when its node's progress is notified, which the refresh does
 * only when a piece in the file's range changed: only the rows the view
 * has bound listen, so a torrent of 10,000 files costs nothing for the
 * rows out of sight. Folder rows show no bar: their files need not be
 * contiguous, and the progress column already sums them.
 *
 * "Rename…" renames a row's file or folder through TsrRenameDialog: F2
 * (files.rename) the row that has the keyboard focus, else the selected
 * one (Tab and the arrow keys move the focus, not the selection); the
 * row menu's item (files.rename-menu-row) the row the menu was opened
 * for, by a right click on a name or by Shift+F10 or the Menu key
 * (files.menu: the focused row, else the selected one). The tree is
 * built again when the torrent says a file was renamed, from here or
 * from elsewhere (the remote-control protocol).
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-a11y.h"
#include "tsr-file-node.h"
#include "tsr-files-page.h"
#include "tsr-pieces-bar.h"
#include "tsr-rename-dialog.h"

struct _TsrFilesPage
{
  GtkWidget   parent_instance;
  GtkWidget  *column_view;   /* template child */
  GMenuModel *row_menu;      /* (owned) a right click on a name, Shift+F10 */
  GtkTreeListRow *menu_row;  /* (owned) (nullable) the row the menu was last opened for */
  TsrTorrent *torrent;       /* (owned) (nullable) */
  GListStore *files;         /* (owned) (nullable) the tree's top level */
  float      *fractions;     /* (owned) (nullable) per piece, from the last refresh */
  guint       n_fractions;
};

enum
{
  SIGNAL_PRIORITIES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrFilesPage, tsr_files_page, GTK_TYPE_WIDGET)

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

/* Selects @position's row and offers the row menu for it, pointing at
 * @at (in the page's coordinates). */
static void
popup_row_menu (TsrFilesPage       *self,
                guint               position,
                const GdkRectangle *at)
{
  GtkSelectionModel *model = gtk_column_view_get_model (GTK_COLUMN_VIEW (self->column_view));
  GtkWidget *popover;

  g_clear_object (&self->menu_row);
  self->menu_row = g_list_model_get_item (G_LIST_MODEL (model), position);
  gtk_selection_model_select_item (model, position, TRUE);
  popover = gtk_popover_menu_new_from_model (self->row_menu);
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), at);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

/* A right click on a name selects its row and offers its menu there. */
static void
on_name_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 TsrFilesPage    *self)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkListItem *item = g_object_get_data (G_OBJECT (cell), "list-item");
  graphene_point_t at;

  if (gtk_column_view_get_model (GTK_COLUMN_VIEW (self->column_view)) == NULL ||
      gtk_list_item_get_item (item) == NULL ||
      !gtk_widget_compute_point (cell, GTK_WIDGET (self), &GRAPHENE_POINT_INIT ((float) x, (float) y), &at))
    return;
  popup_row_menu (self, gtk_list_item_get_position (item), &(GdkRectangle) { (int) at.x, (int) at.y, 1, 1 });
}

static void
on_name_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TsrFilesPage             *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), label);
  g_object_set_data (G_OBJECT (expander), "list-item", item);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_name_pressed), self);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (click));
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
  /* GTK 4.8 reads the row and the cell by their types otherwise. */
  tsr_a11y_set_cell_label (GTK_WIDGET (expander), tsr_file_node_get_name (node));
  tsr_a11y_set_row_label (GTK_WIDGET (expander), tsr_file_node_get_name (node));
  tsr_a11y_follow_tree_row (GTK_WIDGET (expander), gtk_list_item_get_item (item));
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
  tsr_a11y_follow_cell_label (GTK_LABEL (label));
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
  tsr_a11y_follow_cell_progress (GTK_PROGRESS_BAR (bar));
}

/* Fills @bar from the page's fractions for @node's pieces. */
static void
show_pieces (TsrPiecesBar *bar,
             TsrFileNode  *node,
             TsrFilesPage *self)
{
  g_autofree char *label = NULL;
  guint first = 0;
  guint n = 0;
  guint had = 0;
  guint i;

  if (self->torrent == NULL || !tsr_file_node_get_piece_range (node, self->torrent, &first, &n))
    {
      gtk_widget_set_visible (GTK_WIDGET (bar), FALSE);
      /* A folder has no bar; its cell would read as its type. */
      tsr_a11y_set_cell_label (GTK_WIDGET (bar), C_("empty cell", "None"));
      return;
    }
  if (first >= self->n_fractions)
    n = 0;
  else
    n = MIN (n, self->n_fractions - first);
  tsr_pieces_bar_set_values (bar, n > 0 ? self->fractions + first : NULL, n);
  for (i = 0; i < n; i++)
    if (self->fractions[first + i] >= 1.f)
      had++;
  /* TRANSLATORS: an accessible label; %s is a file name */
  label = g_strdup_printf (_("Pieces of %s"), tsr_file_node_get_name (node));
  tsr_pieces_bar_set_label (bar, label);
  tsr_a11y_set_cell_label (GTK_WIDGET (bar), label);
  g_free (label);
  /* TRANSLATORS: an accessible description: pieces had of a file's pieces */
  label = g_strdup_printf (_("%u of %u pieces had"), had, n);
  tsr_pieces_bar_set_description (bar, label);
  gtk_widget_set_visible (GTK_WIDGET (bar), TRUE);
}

static void
on_node_progress (TsrFileNode  *node,
                  GParamSpec   *pspec,
                  TsrPiecesBar *bar)
{
  show_pieces (bar, node, g_object_get_data (G_OBJECT (bar), "page"));
}

static void
on_pieces_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 TsrFilesPage             *self)
{
  GtkWidget *bar = tsr_pieces_bar_new ();

  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 120, 12);
  g_object_set_data (G_OBJECT (bar), "page", self);
  tsr_pieces_bar_set_label (TSR_PIECES_BAR (bar), _("Pieces"));
  gtk_list_item_set_child (item, bar);
}

static void
on_pieces_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TsrFilesPage             *self)
{
  TsrPiecesBar *bar = TSR_PIECES_BAR (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  if (node == NULL)
    return;
  show_pieces (bar, node, self);
  if (tsr_file_node_get_index (node) >= 0)
    g_signal_connect (node, "notify::progress", G_CALLBACK (on_node_progress), bar);
}

static void
on_pieces_unbind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TsrFilesPage             *self)
{
  g_autoptr(TsrFileNode) node = node_of (item);

  if (node != NULL)
    g_signal_handlers_disconnect_by_func (node, on_node_progress, gtk_list_item_get_child (item));
}

static void
on_priority_selected (GtkDropDown  *drop_down,
                      GParamSpec   *pspec,
                      TsrFilesPage *self)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (drop_down), "list-item");
  g_autoptr(TsrFileNode) node = node_of (item);
  guint selected = gtk_drop_down_get_selected (drop_down);

  if (node == NULL || self->torrent == NULL || selected > TSR_PRIORITY_HIGH)
    return;
  tsr_file_node_set_priority (node, self->torrent, (TsrPriority) selected);
  tsr_file_nodes_update (self->files, self->torrent);
  g_signal_emit (self, signals[SIGNAL_PRIORITIES_CHANGED], 0);
}

static void
on_priority_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   TsrFilesPage             *self)
{
  static const char *names[] = { N_("Skip"), N_("Normal"), N_("High"), NULL };
  const char *translated[] = { _(names[0]), _(names[1]), _(names[2]), NULL };
  GtkWidget *drop_down = gtk_drop_down_new_from_strings (translated);

  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Priority"), -1);
  g_object_set_data (G_OBJECT (drop_down), "list-item", item);
  gtk_list_item_set_child (item, drop_down);
}

static void
show_priority (GtkDropDown  *drop_down,
               TsrFileNode  *node,
               TsrFilesPage *self)
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
  show_priority (drop_down, node, g_object_get_data (G_OBJECT (drop_down), "page"));
}

static void
on_priority_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  TsrFilesPage             *self)
{
  GtkDropDown *drop_down = GTK_DROP_DOWN (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  g_object_set_data (G_OBJECT (drop_down), "page", self);
  if (node != NULL)
    {
      /* TRANSLATORS: an accessible label; %s is a file or folder name */
      g_autofree char *label = g_strdup_printf (_("Priority of %s"), tsr_file_node_get_name (node));

      gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      tsr_a11y_name_drop_down (drop_down, label);
      tsr_a11y_set_cell_label (GTK_WIDGET (drop_down), label);
    }
  show_priority (drop_down, node, self);
  g_signal_connect (drop_down, "notify::selected", G_CALLBACK (on_priority_selected), self);
  g_signal_connect (node, "notify::priority", G_CALLBACK (on_node_priority), drop_down);
}

static void
on_priority_unbind (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    TsrFilesPage             *self)
{
  GtkDropDown *drop_down = GTK_DROP_DOWN (gtk_list_item_get_child (item));
  g_autoptr(TsrFileNode) node = node_of (item);

  g_signal_handlers_disconnect_by_func (drop_down, on_priority_selected, self);
  if (node != NULL)
    g_signal_handlers_disconnect_by_func (node, on_node_priority, drop_down);
}

static void
on_open_clicked (GtkButton    *button,
                 TsrFilesPage *self)
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
               TsrFilesPage             *self)
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
              TsrFilesPage             *self)
{
  g_autoptr(TsrFileNode) node = node_of (item);
  g_autofree char *label = NULL;

  if (node == NULL)
    return;
  /* TRANSLATORS: an accessible label; %s is a file or folder name */
  label = g_strdup_printf (_("Open %s"), tsr_file_node_get_name (node));
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_list_item_get_child (item)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  tsr_a11y_set_cell_label (gtk_list_item_get_child (item), label);
}

/* The list item under @widget (itself included) that a name cell
 * keeps, or NULL. */
static GtkListItem *
find_list_item (GtkWidget *widget)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (widget), "list-item");
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (widget); child != NULL && item == NULL;
       child = gtk_widget_get_next_sibling (child))
    item = find_list_item (child);
  return item;
}

/* The row widget that has the keyboard focus or holds it (a cell's
 * drop-down), and its list item, or NULL. GTK 4.8 has no call for it:
 * the focus is in a child of the view's list of rows, and that row's
 * name cell keeps its list item. */
static GtkListItem *
focused_item (TsrFilesPage  *self,
              GtkWidget    **row_widget)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *row;
  GtkWidget *parent;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, self->column_view))
    return NULL;
  for (row = focus; (parent = gtk_widget_get_parent (row)) != NULL && parent != self->column_view; row = parent)
    if (g_str_equal (G_OBJECT_TYPE_NAME (parent), "GtkColumnListView"))
      {
        GtkListItem *item = find_list_item (row);

        if (item == NULL || gtk_list_item_get_item (item) == NULL)
          return NULL;
        if (row_widget != NULL)
          *row_widget = row;
        return item;
      }
  return NULL;
}

/* What F2 and Shift+F10 act on: the position of the row with the
 * keyboard focus, else of the selected row; FALSE when there is none. */
static gboolean
find_target (TsrFilesPage *self,
             guint        *position,
             GtkWidget   **row_widget)
{
  GtkSelectionModel *model = gtk_column_view_get_model (GTK_COLUMN_VIEW (self->column_view));
  GtkListItem *item;

  *row_widget = NULL;
  if (model == NULL)
    return FALSE;
  item = focused_item (self, row_widget);
  *position = item != NULL ? gtk_list_item_get_position (item)
                           : gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (model));
  return *position != GTK_INVALID_LIST_POSITION;
}

static void
rename_row (TsrFilesPage   *self,
            GtkTreeListRow *row)
{
  g_autoptr(TsrFileNode) node = row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (node == NULL || self->torrent == NULL)
    return;
  dialog = tsr_rename_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->torrent,
                                  tsr_file_node_get_path (node), tsr_file_node_get_name (node));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* F2: the focused row, else the selected one. */
static void
rename_focused (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TsrFilesPage *self = TSR_FILES_PAGE (widget);
  g_autoptr(GtkTreeListRow) row = NULL;
  GtkWidget *row_widget;
  guint position;

  if (!find_target (self, &position, &row_widget))
    return;
  row = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (self->column_view))),
                               position);
  rename_row (self, row);
}

/* The row menu's item: the row it was opened for (the focus may have
 * gone back to another when the menu closed). */
static void
rename_menu_row (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TsrFilesPage *self = TSR_FILES_PAGE (widget);

  rename_row (self, self->menu_row);
}

/* Shift+F10, Menu: the row menu for the focused row, else the selected
 * one, pointing at the row. */
static void
popup_focused_menu (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TsrFilesPage *self = TSR_FILES_PAGE (widget);
  GtkWidget *row_widget;
  GtkWidget *target;
  graphene_rect_t bounds;
  guint position;

  if (!find_target (self, &position, &row_widget))
    return;
  target = row_widget != NULL ? row_widget : self->column_view;
  if (!gtk_widget_compute_bounds (target, GTK_WIDGET (self), &bounds))
    graphene_rect_init (&bounds, 0, 0, 1, 1);
  popup_row_menu (self, position, &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                    MAX ((int) bounds.size.width, 1),
                                                    MAX ((int) bounds.size.height, 1) });
}

static void show_torrent (TsrFilesPage *self);

static void
on_file_renamed (TsrFilesPage *self)
{
  show_torrent (self);
}

void
tsr_files_page_set_torrent (TsrFilesPage *self,
                            TsrTorrent   *torrent)
{
  g_return_if_fail (TSR_IS_FILES_PAGE (self));

  if (self->torrent != NULL)
    g_signal_handlers_disconnect_by_func (self->torrent, on_file_renamed, self);
  g_set_object (&self->torrent, torrent);
  if (torrent != NULL)
    g_signal_connect_object (torrent, "file-renamed", G_CALLBACK (on_file_renamed), self, G_CONNECT_SWAPPED);
  show_torrent (self);
}

/* The tree of the torrent's files as they are called now. */
static void
show_torrent (TsrFilesPage *self)
{
  g_autoptr(GtkTreeListModel) tree = NULL;
  g_autoptr(GtkSingleSelection) selection = NULL;
  TsrTorrent *torrent = self->torrent;

  g_clear_object (&self->files);
  g_clear_pointer (&self->fractions, g_free);
  self->n_fractions = 0;
  if (torrent == NULL)
    {
      gtk_column_view_set_model (GTK_COLUMN_VIEW (self->column_view), NULL);
      return;
    }
  self->files = tsr_file_nodes_new (torrent);
  self->fractions = tsr_torrent_dup_piece_fractions (torrent, &self->n_fractions);
  tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->files)), FALSE, TRUE, create_children, NULL,
                                  NULL);
  selection = gtk_single_selection_new (G_LIST_MODEL (g_steal_pointer (&tree)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->column_view), GTK_SELECTION_MODEL (selection));
}

void
tsr_files_page_refresh (TsrFilesPage *self)
{
  g_return_if_fail (TSR_IS_FILES_PAGE (self));

  if (self->files == NULL)
    return;
  /* Taken before the nodes notify, so the bars they update read them. */
  g_free (self->fractions);
  self->fractions = tsr_torrent_dup_piece_fractions (self->torrent, &self->n_fractions);
  tsr_file_nodes_update_from (self->files, self->torrent, self->fractions, self->n_fractions);
}

static void
tsr_files_page_dispose (GObject *object)
{
  TsrFilesPage *self = TSR_FILES_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_FILES_PAGE);
  g_clear_object (&self->files);
  if (self->torrent != NULL)
    g_signal_handlers_disconnect_by_func (self->torrent, on_file_renamed, self);
  g_clear_object (&self->torrent);
  g_clear_object (&self->row_menu);
  g_clear_object (&self->menu_row);
  g_clear_pointer (&self->fractions, g_free);
  G_OBJECT_CLASS (tsr_files_page_parent_class)->dispose (object);
}

static void
tsr_files_page_class_init (TsrFilesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_files_page_dispose;
  /* A file's priority was changed: the app saves it. */
  signals[SIGNAL_PRIORITIES_CHANGED] = g_signal_new ("priorities-changed", G_TYPE_FROM_CLASS (klass),
                                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-files-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrFilesPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, on_name_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_name_bind);
  gtk_widget_class_bind_template_callback (widget_class, on_size_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_progress_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_pieces_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_pieces_bind);
  gtk_widget_class_bind_template_callback (widget_class, on_pieces_unbind);
  gtk_widget_class_bind_template_callback (widget_class, on_priority_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_priority_bind);
  gtk_widget_class_bind_template_callback (widget_class, on_priority_unbind);
  gtk_widget_class_bind_template_callback (widget_class, on_open_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_open_bind);
  gtk_widget_class_install_action (widget_class, "files.rename", NULL, rename_focused);
  gtk_widget_class_install_action (widget_class, "files.rename-menu-row", NULL, rename_menu_row);
  gtk_widget_class_install_action (widget_class, "files.menu", NULL, popup_focused_menu);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "files.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "files.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "files.menu", NULL);
}

static void
tsr_files_page_init (TsrFilesPage *self)
{
  GMenu *menu = g_menu_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  tsr_a11y_name_column_view (GTK_COLUMN_VIEW (self->column_view), _("Files"));
  g_menu_append (menu, _("_Rename…"), "files.rename-menu-row");
  self->row_menu = G_MENU_MODEL (menu);
}
