/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-accessible-names.c: every control a screen reader can land on has
 * a name. The main window (with a torrent downloading from a local seeder,
 * so that each details page has rows: files, peers with their disconnect
 * buttons), the preferences, the add-torrent dialog, the magnet dialog and
 * the create-torrent dialog are built under Xvfb and their widget trees
 * walked (popovers such as the main menu included). Each GtkButton (and
 * toggle button), GtkMenuButton, GtkSwitch, GtkCheckButton, GtkDropDown,
 * GtkSpinButton, GtkEntry, GtkScale and Tsr widget must be named; the
 * failure lists each one that is not by its type and its path.
 *
 * What names a control, as GTK 4.8 builds the accessible tree:
 *  - the accessible label property, not empty (set by gtk_button_new_with_label
 *    and the like, or by the app: gtk_accessible_update_property, or a .ui
 *    <accessibility> block);
 *  - a "labelled-by" relation to one GtkLabel that has text;
 *  - for buttons and check buttons, a GtkLabel with text inside them.
 * What does not: a tooltip (GTK 4.8 makes it the accessible description;
 * the name stays empty, so an icon button is read as "button"); the title
 * of the AdwActionRow a spin button or a drop-down sits in (libadwaita 1.2
 * names the row, not its suffix widgets; only the row's activatable widget
 * gets a "labelled-by" to the title, which counts); GTK's own "labelled-by"
 * towards the icon of an icon-only button (an image has no text). Tsr
 * windows are named by their title.
 *
 * GTK 4.8 has no getter for accessible properties, but with GTK_A11Y=test
 * (set for this test in tests/meson.build) each widget keeps them in a
 * test context that gtk_test_accessible_has_property and friends read.
 * One toolkit widget is let off, by id (toolkit_unnamed below). The
 * inner parts of a spin button, drop-down, menu button, switch, entry
 * or scale are not walked: the control's name is theirs.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-add-dialog.h"
#include "tsr-create-dialog.h"
#include "tsr-details-view.h"
#include "tsr-preferences-window.h"
#include "tsr-remote-page.h"
#include "tsr-test-util.h"
#include "tsr-window.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the window's template). */
GResource *tsr_get_resource (void);

static gboolean
is_checked (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
         GTK_IS_CHECK_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_SCALE (widget) || g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "Tsr");
}

/* Toolkit widgets inside libadwaita's own templates that libadwaita 1.2
 * leaves unnamed: not ours to name. Each by its id and the widget whose
 * template holds it, so that nothing of ours can pass for one. */
static const struct
{
  const char *id;
  const char *owner;   /* type name */
} toolkit_unnamed[] = {
  { "apply_button", "AdwEntryRow" },             /* icon and tooltip only */
};

static gboolean
is_toolkit_unnamed (GtkWidget *widget)
{
  const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
  guint i;

  for (i = 0; id != NULL && i < G_N_ELEMENTS (toolkit_unnamed); i++)
    if (g_str_equal (id, toolkit_unnamed[i].id) &&
        gtk_widget_get_ancestor (widget, g_type_from_name (toolkit_unnamed[i].owner)) != NULL)
      return TRUE;
  return FALSE;
}

/* Controls whose inner widgets are parts of them, not controls of ours. */
static gboolean
is_opaque (GtkWidget *widget)
{
  return GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_SCALE (widget);
}

static gboolean
has_text_label (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
    return TRUE;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_text_label (child))
      return TRUE;
  return FALSE;
}

/* Every GtkLabel with text under @widget, for "labelled-by". */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *labels)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
    g_ptr_array_add (labels, widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, labels);
}

static gboolean
is_named (GtkWidget *widget,
          GPtrArray *labels)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);
  guint i;

  if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      g_autofree char *empty = gtk_test_accessible_check_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL, "");

      /* NULL: the label is "". */
      if (empty != NULL)
        return TRUE;
    }
  if (gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    for (i = 0; i < labels->len; i++)
      {
        g_autofree char *other = gtk_test_accessible_check_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                                     g_ptr_array_index (labels, i), NULL);

        if (other == NULL)
          return TRUE;
      }
  if ((GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)) && has_text_label (widget))
    return TRUE;
  if (GTK_IS_WINDOW (widget) && gtk_window_get_title (GTK_WINDOW (widget)) != NULL &&
      gtk_window_get_title (GTK_WINDOW (widget))[0] != '\0')
    return TRUE;
  return FALSE;
}

/* "TsrWindow > AdwToastOverlay > … > GtkButton#create_button
 * (icon document-new-symbolic, action win.create)" */
static char *
describe (GtkWidget *widget)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *up;
  guint i;

  for (up = widget; up != NULL; up = gtk_widget_get_parent (up))
    g_ptr_array_insert (chain, 0, up);
  for (i = 0; i < chain->len; i++)
    {
      GtkWidget *link = g_ptr_array_index (chain, i);
      const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (link));

      /* GtkBuilder's names for objects without an id, and the type name
       * that widgets built in code answer with, say nothing. */
      if (id != NULL && (g_str_has_prefix (id, "___object_") || g_str_equal (id, G_OBJECT_TYPE_NAME (link))))
        id = NULL;

      g_string_append_printf (text, "%s%s%s%s", i > 0 ? " > " : "", G_OBJECT_TYPE_NAME (link),
                              id != NULL ? "#" : "", id != NULL ? id : "");
      /* Rows by their titles: rows of one kind have one path. */
      if (ADW_IS_PREFERENCES_ROW (link))
        g_string_append_printf (text, "[%s]", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (link)));
    }
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (text, " (icon %s)", gtk_button_get_icon_name (GTK_BUTTON (widget)));
  if (GTK_IS_ACTIONABLE (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    g_string_append_printf (text, " (action %s)", gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_string_append_printf (text, " (tooltip “%s”)", gtk_widget_get_tooltip_text (widget));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct
{
  GPtrArray  *labels;     /* the labels with text in the window */
  GHashTable *unnamed;    /* widget → (owned) description: each once */
  guint       n_checked;
} Walk;

static void
walk (GtkWidget *widget,
      Walk      *state)
{
  GtkWidget *child;

  if (is_checked (widget))
    {
      state->n_checked++;
      if (!is_named (widget, state->labels) && !is_toolkit_unnamed (widget))
        g_hash_table_replace (state->unnamed, widget, describe (widget));
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (!is_opaque (widget) || GTK_IS_POPOVER (child))
      walk (child, state);
}

/* Walks @window's tree into @unnamed; returns how many controls it saw. */
static guint
walk_window (GtkWidget  *window,
             GHashTable *unnamed)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  Walk state = { labels, unnamed, 0 };

  collect_labels (window, labels);
  walk (window, &state);
  return state.n_checked;
}

static int
compare_lines (const void *a,
               const void *b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
report (GHashTable *unnamed)
{
  g_autofree const char **lines = g_new0 (const char *, g_hash_table_size (unnamed) + 1);
  g_autofree char *joined = NULL;
  GHashTableIter iter;
  const char *line;
  guint n = 0;

  g_hash_table_iter_init (&iter, unnamed);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &line))
    lines[n++] = line;
  if (n == 0)
    return g_strdup ("");
  qsort (lines, n, sizeof (char *), compare_lines);
  joined = g_strjoinv ("\n  ", (char **) lines);
  /* Also as a message: the assertion shows it escaped. */
  g_test_message ("unnamed:\n  %s", joined);
  return g_strdup_printf ("unnamed:\n  %s\n", joined);
}

/* The first mapped widget under @widget whose tooltip is @tooltip. */
static GtkWidget *
find_tooltip (GtkWidget  *widget,
              const char *tooltip)
{
  GtkWidget *child;

  if (gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Runs the main loop for @ms milliseconds: layout, and list rows made. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
wait_until (gboolean (*done) (gpointer data),
            gpointer   data,
            guint      seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

typedef struct
{
  char        *dir;           /* (owned) scratch folder */
  char        *torrent_path;  /* (owned) */
  TsrMetainfo *info;          /* (owned) */
  TsrLibrary  *seeder;        /* (owned) */
  TsrLibrary  *library;       /* (owned) the window's */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  unused)
{
  g_autofree char *root = NULL;
  g_autofree char *seed_data = NULL;
  g_autofree char *data = NULL;

  fixture->dir = g_dir_make_tmp ("tsr-a11y-XXXXXX", NULL);
  root = g_build_filename (fixture->dir, "pack", NULL);
  seed_data = g_build_filename (fixture->dir, "seeder", NULL);
  data = g_build_filename (fixture->dir, "data", NULL);
  /* Two files in a folder: the files page has a tree. */
  tsr_test_write_file (root, "one.bin", 600000, 1);
  tsr_test_write_file (root, "sub/two.bin", 500000, 2);
  fixture->info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  fixture->torrent_path = g_build_filename (fixture->dir, "pack.torrent", NULL);
  tsr_test_write_torrent_file (fixture->info, fixture->torrent_path);
  fixture->seeder = tsr_library_new (seed_data);
  fixture->library = tsr_library_new (data);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  unused)
{
  tsr_library_shutdown (fixture->library);
  tsr_library_shutdown (fixture->seeder);
  g_clear_object (&fixture->library);
  g_clear_object (&fixture->seeder);
  g_clear_pointer (&fixture->info, tsr_metainfo_unref);
  tsr_test_remove_tree (fixture->dir);
  g_free (fixture->torrent_path);
  g_free (fixture->dir);
}

static gboolean
has_peers (gpointer window)
{
  TsrDetailsView *view = g_object_get_data (G_OBJECT (window), "details-view");

  return g_list_model_get_n_items (tsr_details_view_get_peers (view)) > 0;
}

static TsrDetailsView *
find_details_view (GtkWidget *widget)
{
  GtkWidget *child;

  if (TSR_IS_DETAILS_VIEW (widget))
    return TSR_DETAILS_VIEW (widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      TsrDetailsView *found = find_details_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_main_window (Fixture       *fixture,
                  gconstpointer  unused)
{
  static const char *pages[] = { "overview", "files", "peers", "trackers", "bans", "log", "peer-log", "errors" };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *downloads = g_build_filename (fixture->dir, "downloads", NULL);
  g_autofree char *address = NULL;
  g_autofree char *failures = NULL;
  TsrTorrent *seeding;
  TsrTorrent *torrent;
  TsrWindow *window;
  guint checked = 0;
  guint i;

  /* The seeder has the data; the window's torrent fetches it slowly
   * enough to keep its peer on the peers page. */
  g_assert_true (tsr_library_listen (fixture->seeder, 0, &error));
  g_assert_no_error (error);
  seeding = tsr_library_add_file (fixture->seeder, fixture->torrent_path, fixture->dir, FALSE, NULL, &error);
  g_assert_no_error (error);
  torrent = tsr_library_add_file (fixture->library, fixture->torrent_path, downloads, FALSE, NULL, &error);
  g_assert_no_error (error);
  tsr_library_set_limits (fixture->library, torrent, 0, 4096, 0, 0, 0);
  g_settings_set_boolean (settings, "ask-where-to-save", FALSE);

  window = tsr_window_new (NULL, fixture->library);
  g_object_set_data (G_OBJECT (window), "details-view", find_details_view (GTK_WIDGET (window)));
  gtk_window_present (GTK_WINDOW (window));
  tsr_window_show (window, 0, "overview");
  address = g_strdup_printf ("127.0.0.1:%u", tsr_session_get_port (tsr_library_get_session (fixture->seeder)));
  g_assert_true (tsr_torrent_get_state (seeding) != TSR_TORRENT_ERROR);
  tsr_torrent_add_peer_address (torrent, address);
  g_assert_true (wait_until (has_peers, window, 30));

  /* Each page in turn, so that its list rows are made. */
  for (i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      tsr_window_show (window, 0, pages[i]);
      spin (300);
      checked += walk_window (GTK_WIDGET (window), unnamed);
      if (g_str_equal (pages[i], "files"))
        {
          /* The open buttons say what they open: the top row is the torrent's folder. */
          g_autofree char *expected = g_strdup_printf ("Open %s", tsr_torrent_get_name (torrent));
          GtkWidget *button = find_tooltip (GTK_WIDGET (window), "Open");
          g_autofree char *mismatch = NULL;

          g_assert_nonnull (button);
          mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                         expected);
          g_assert_null (mismatch);
        }
      if (g_str_equal (pages[i], "peers"))
        {
          /* The disconnect buttons say whom they disconnect. */
          g_autofree char *expected = g_strdup_printf ("Disconnect %s", address);
          GtkWidget *button = find_tooltip (GTK_WIDGET (window), "Disconnect");
          g_autofree char *mismatch = NULL;

          g_assert_nonnull (button);
          mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                         expected);
          g_assert_null (mismatch);
        }
    }
  /* The sidebar with a label row, the search bar open, and the labels
   * dialog with a check button per label and its entry. */
  {
    const char *labels[] = { "Films", NULL };
    GtkWidget *dialog;

    tsr_library_set_labels (fixture->library, torrent, labels);
    tsr_window_set_search (window, "label:films");
    spin (200);
    checked += walk_window (GTK_WIDGET (window), unnamed);
    dialog = tsr_window_open_labels_dialog (window);
    g_assert_nonnull (dialog);
    spin (200);
    checked += walk_window (dialog, unnamed);
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  /* The list's detailed mode: each row (a TsrTorrentRow) is named. */
  g_settings_set_string (settings, "list-mode", "detailed");
  spin (200);
  checked += walk_window (GTK_WIDGET (window), unnamed);
  g_settings_reset (settings, "list-mode");
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  /* Not vacuous: header buttons, limits, the rows' buttons and drop-downs. */
  g_assert_cmpuint (checked, >=, 40);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *failures = NULL;
  GtkWidget *window = tsr_preferences_window_new (settings, NULL);
  guint checked;

  gtk_window_present (GTK_WINDOW (window));
  spin (200);
  checked = walk_window (window, unnamed);
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  g_assert_cmpuint (checked, >=, 14);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The Remote Control page, as the app adds it to the preferences. */
static void
test_remote_page (Fixture       *fixture,
                  gconstpointer  unused)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *failures = NULL;
  g_autofree char *config = g_build_filename (fixture->dir, "config", NULL);
  g_autoptr(TsrRemoteControl) remote = tsr_remote_control_new (settings, fixture->library, config);
  GtkWidget *window = tsr_preferences_window_new (settings, NULL);
  GtkWidget *page = tsr_remote_page_new (settings, remote);
  guint checked;

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
  spin (200);
  checked = walk_window (page, unnamed);
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  /* Not vacuous: three switches, the port, the button, five entries. */
  g_assert_cmpuint (checked, >=, 10);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_add_dialog (Fixture       *fixture,
                 gconstpointer  unused)
{
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *failures = NULL;
  GtkWidget *dialog = tsr_add_dialog_new (NULL, fixture->library, fixture->torrent_path, fixture->info, fixture->dir,
                                          TRUE);
  guint checked;

  gtk_window_present (GTK_WINDOW (dialog));
  spin (200);
  checked = walk_window (dialog, unnamed);
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  /* Folder button, switch, a check per file, the two responses. */
  g_assert_cmpuint (checked, >=, 6);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_magnet_dialog (Fixture       *fixture,
                    gconstpointer  unused)
{
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */
  g_autofree char *failures = NULL;
  TsrWindow *window = tsr_window_new (NULL, fixture->library);
  GtkWidget *dialog = NULL;
  guint checked;
  guint i;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-magnet", NULL));
  spin (200);
  for (i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window))
        dialog = GTK_WIDGET (toplevel);
    }
  g_assert_nonnull (dialog);
  checked = walk_window (dialog, unnamed);
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  g_assert_cmpuint (checked, >=, 3);
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_create_dialog (Fixture       *fixture,
                    gconstpointer  unused)
{
  g_autoptr(GHashTable) unnamed = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *failures = NULL;
  GtkWidget *dialog = tsr_create_dialog_new (NULL, fixture->library);
  guint checked;

  gtk_window_present (GTK_WINDOW (dialog));
  spin (200);
  checked = walk_window (dialog, unnamed);
  failures = report (unnamed);
  g_assert_cmpstr (failures, ==, "");
  /* Choosers, drop-downs, switch, the result and bottom buttons. */
  g_assert_cmpuint (checked, >=, 9);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int    argc,
      char **argv)
{
  GtkWidget *probe;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_resources_register (tsr_get_resource ());
  /* Without the test AT context (GTK_A11Y=test) GTK keeps no accessible
   * properties, and every control would look unnamed: refuse to run. */
  probe = g_object_ref_sink (gtk_button_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (probe), GTK_ACCESSIBLE_PROPERTY_LABEL, "probe", -1);
  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (probe), GTK_ACCESSIBLE_PROPERTY_LABEL))
    g_error ("accessible properties are not kept: run with GTK_A11Y=test");
  g_object_unref (probe);

  g_test_add ("/accessible-names/main-window", Fixture, NULL, fixture_set_up, test_main_window, fixture_tear_down);
  g_test_add_func ("/accessible-names/preferences", test_preferences);
  g_test_add ("/accessible-names/remote-page", Fixture, NULL, fixture_set_up, test_remote_page, fixture_tear_down);
  g_test_add ("/accessible-names/add-dialog", Fixture, NULL, fixture_set_up, test_add_dialog, fixture_tear_down);
  g_test_add ("/accessible-names/magnet-dialog", Fixture, NULL, fixture_set_up, test_magnet_dialog,
              fixture_tear_down);
  g_test_add ("/accessible-names/create-dialog", Fixture, NULL, fixture_set_up, test_create_dialog,
              fixture_tear_down);
  return g_test_run ();
}
