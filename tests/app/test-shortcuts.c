/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-shortcuts.c: the shortcuts window (gtk/help-overlay.ui) lists
 * every keyboard shortcut the app has, and only those. The app runs for
 * real (TsrApplication, its startup and its main window, under Xvfb);
 * then, both ways:
 *  - each action the application gives accelerators to, and each key of
 *    a shortcut controller of ours (named "tsr-…", or the class shortcuts
 *    of a Tsr widget) in the main window or in one of the app's dialogs
 *    and windows (Escape in the create dialog), is in a row of the
 *    shortcuts window, by its accelerator or by the action the row names
 *    (Ctrl+W in a dialog: "Close the Window", window.close);
 *  - each row names an action that exists and has accelerators, or keys
 *    that something in the main window or a dialog answers (an
 *    accelerator, or a shortcut controller, ours or GTK's, such as the
 *    list's Ctrl+A).
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "tsr-add-dialog.h"
#include "tsr-application.h"
#include "tsr-create-dialog.h"
#include "tsr-move-dialog.h"
#include "tsr-options-window.h"
#include "tsr-preferences-window.h"
#include "tsr-rename-dialog.h"
#include "tsr-statistics-window.h"
#include "tsr-test-util.h"

/* From the app's compiled resources: referenced so that the linker keeps
 * them (the shortcuts window is one). */
GResource *tsr_get_resource (void);

/* "<Control>a" as GTK names it, so that spellings compare. */
static char *
normalize (const char *accelerator)
{
  guint key = 0;
  GdkModifierType mods = 0;

  if (!gtk_accelerator_parse (accelerator, &key, &mods) || key == 0)
    return NULL;
  return gtk_accelerator_name (key, mods);
}

/* Adds the keys that fire @trigger to @keys (mnemonics are not keys of
 * ours: a label's underlined letter shows itself). */
static void
add_trigger_keys (GtkShortcutTrigger *trigger,
                  GPtrArray          *keys)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    g_ptr_array_add (keys, gtk_accelerator_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                                 gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))));
  else if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      add_trigger_keys (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), keys);
      add_trigger_keys (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), keys);
    }
}

/* How many class shortcuts @type has from its parents: a class starts
 * with a copy of its parent's key bindings and appends its own, so a Tsr
 * widget's own are those past the first non-Tsr ancestor's count. */
static guint
n_inherited_shortcuts (GType type)
{
  g_autoptr(GtkWidget) instance = NULL;
  g_autoptr(GListModel) controllers = NULL;
  guint n = 0;
  guint i;

  while (g_str_has_prefix (g_type_name (type), "Tsr"))
    type = g_type_parent (type);
  if (G_TYPE_IS_ABSTRACT (type))
    {
      g_assert_true (type == GTK_TYPE_WIDGET);   /* which has no key bindings */
      return 0;
    }
  instance = g_object_ref_sink (g_object_new (type, NULL));
  controllers = gtk_widget_observe_controllers (instance);
  for (i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "gtk-widget-class-shortcuts") == 0)
        n = g_list_model_get_n_items (G_LIST_MODEL (controller));
    }
  g_clear_object (&controllers);
  if (GTK_IS_WINDOW (instance))
    gtk_window_destroy (GTK_WINDOW (instance));
  return n;
}

typedef struct
{
  GHashTable *known;      /* key → TRUE: every key something in the window answers */
  GPtrArray  *required;   /* (element-type utf8) "KEY\tWHERE": keys of ours */
} WindowKeys;

static void
collect_window_keys (GtkWidget  *widget,
                     WindowKeys *keys)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkWidget *child;
  guint i;
  guint j;

  for (i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      const char *name = gtk_event_controller_get_name (controller);
      guint first_ours = G_MAXUINT;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      if (g_str_has_prefix (name != NULL ? name : "", "tsr-"))
        first_ours = 0;
      else if (g_strcmp0 (name, "gtk-widget-class-shortcuts") == 0 &&
               g_str_has_prefix (G_OBJECT_TYPE_NAME (widget), "Tsr"))
        first_ours = n_inherited_shortcuts (G_OBJECT_TYPE (widget));
      for (j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autoptr(GPtrArray) triggered = g_ptr_array_new_with_free_func (g_free);
          guint k;

          add_trigger_keys (gtk_shortcut_get_trigger (shortcut), triggered);
          for (k = 0; k < triggered->len; k++)
            {
              const char *key = g_ptr_array_index (triggered, k);

              g_hash_table_add (keys->known, g_strdup (key));
              if (j >= first_ours)
                g_ptr_array_add (keys->required, g_strdup_printf ("%s\t%s on %s", key, name != NULL ? name : "",
                                                                  G_OBJECT_TYPE_NAME (widget)));
            }
        }
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_window_keys (child, keys);
}

/* The keys of the app's dialogs and other windows, each made for this
 * (their keys are their classes'; nothing in them is shown). */
static void
collect_dialog_keys (WindowKeys *keys)
{
  GType types[] = { TSR_TYPE_ADD_DIALOG, TSR_TYPE_CREATE_DIALOG, TSR_TYPE_MOVE_DIALOG, TSR_TYPE_OPTIONS_WINDOW,
                    TSR_TYPE_PREFERENCES_WINDOW, TSR_TYPE_RENAME_DIALOG, TSR_TYPE_STATISTICS_WINDOW };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWidget *dialog = g_object_ref_sink (g_object_new (types[i], NULL));

      collect_window_keys (dialog, keys);
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_object_unref (dialog);
    }
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  GtkWidget *child;

  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    g_ptr_array_add (rows, widget);
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* Whether "app.x", "win.x" or "window.close" (a GtkWindow class action)
 * exists for @window. */
static gboolean
action_exists (GtkApplication *app,
               GtkWindow      *window,
               const char     *detailed)
{
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;
  const char *dot;
  GType owner;
  const char *action;
  const GVariantType *parameter;
  const char *property;
  guint i;

  if (!g_action_parse_detailed_name (detailed, &name, &target, NULL) || (dot = strchr (name, '.')) == NULL)
    return FALSE;
  if (g_str_has_prefix (name, "app."))
    return g_action_group_has_action (G_ACTION_GROUP (app), dot + 1);
  if (g_str_has_prefix (name, "win."))
    return g_action_group_has_action (G_ACTION_GROUP (window), dot + 1);
  /* A class's actions include its parents'. */
  for (i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (window), i, &owner, &action, &parameter, &property);
       i++)
    if (g_str_equal (action, name))
      return TRUE;
  return FALSE;
}

typedef struct
{
  char *failures;   /* (owned) one line each; "" when the window lists it all */
  guint n_rows;
  guint n_accels;
} Outcome;

static void
check (GtkApplication *app,
       Outcome        *outcome)
{
  GtkWindow *window = gtk_application_get_active_window (app);
  GtkShortcutsWindow *overlay = NULL;
  g_autoptr(GString) failures = g_string_new (NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GHashTable) listed_actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) listed_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) app_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) action_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) descriptions = gtk_application_list_action_descriptions (app);
  WindowKeys keys = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                      g_ptr_array_new_with_free_func (g_free) };
  guint i;
  guint j;

  g_assert_true (GTK_IS_APPLICATION_WINDOW (window));
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  collect_rows (GTK_WIDGET (overlay), rows);
  collect_window_keys (GTK_WIDGET (window), &keys);
  collect_dialog_keys (&keys);
  outcome->n_rows = rows->len;

  /* The rows, by action name or by key. */
  for (i = 0; i < rows->len; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (g_ptr_array_index (rows, i), "title", &title, "action-name", &action, "accelerator", &accelerator,
                    NULL);
      if (title == NULL || title[0] == '\0')
        g_string_append_printf (failures, "a row has no title (%s%s)\n", action != NULL ? action : "",
                                accelerator != NULL ? accelerator : "");
      if (action != NULL && action[0] != '\0')
        g_hash_table_add (listed_actions, g_steal_pointer (&action));
      else if (accelerator != NULL && accelerator[0] != '\0')
        {
          g_auto(GStrv) alternatives = g_strsplit (accelerator, " ", -1);

          for (j = 0; alternatives[j] != NULL; j++)
            {
              char *key = normalize (alternatives[j]);

              if (key == NULL)
                g_string_append_printf (failures, "“%s”: “%s” is not an accelerator\n", title, alternatives[j]);
              else
                g_hash_table_add (listed_keys, key);
            }
        }
      else
        g_string_append_printf (failures, "“%s” has neither an action nor an accelerator\n", title);
    }

  /* Every accelerator of the application is listed. */
  for (i = 0; descriptions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, descriptions[i]);
      gboolean by_keys = accels[0] != NULL;

      for (j = 0; accels[j] != NULL; j++)
        {
          char *key = normalize (accels[j]);

          g_assert_nonnull (key);
          by_keys = by_keys && g_hash_table_contains (listed_keys, key);
          g_hash_table_add (app_keys, key);
          outcome->n_accels++;
        }
      if (accels[0] != NULL && !by_keys && !g_hash_table_contains (listed_actions, descriptions[i]))
        g_string_append_printf (failures, "%s (%s) has an accelerator but is not in the shortcuts window\n",
                                descriptions[i], accels[0]);
    }

  /* Every key of our own shortcut controllers is listed: as a row's
   * keys, or as the accelerator of a row's action. */
  {
    GHashTableIter iter;
    const char *name;

    g_hash_table_iter_init (&iter, listed_actions);
    while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
      {
        g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, name);

        for (j = 0; accels[j] != NULL; j++)
          {
            char *key = normalize (accels[j]);

            if (key != NULL)
              g_hash_table_add (action_keys, key);
          }
      }
  }
  for (i = 0; i < keys.required->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (keys.required, i), "\t", 2);

      if (!g_hash_table_contains (listed_keys, parts[0]) && !g_hash_table_contains (action_keys, parts[0]))
        g_string_append_printf (failures, "%s (%s) is not in the shortcuts window\n", parts[0], parts[1]);
    }

  /* And every row is real. */
  {
    GHashTableIter iter;
    const char *name;

    g_hash_table_iter_init (&iter, listed_actions);
    while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
      {
        g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, name);

        if (!action_exists (app, window, name))
          g_string_append_printf (failures, "the shortcuts window lists %s, which is no action\n", name);
        else if (accels[0] == NULL)
          g_string_append_printf (failures, "the shortcuts window lists %s, which has no accelerator\n", name);
      }
    g_hash_table_iter_init (&iter, listed_keys);
    while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
      if (!g_hash_table_contains (app_keys, name) && !g_hash_table_contains (keys.known, name))
        g_string_append_printf (failures, "the shortcuts window lists %s, which nothing in the window answers\n",
                                name);
  }

  g_hash_table_unref (keys.known);
  g_ptr_array_unref (keys.required);
  outcome->failures = g_strdup (failures->str);
}

static void
on_activate (GApplication *app,
             Outcome      *outcome)
{
  check (GTK_APPLICATION (app), outcome);
  g_application_quit (app);
}

static void
test_every_shortcut_listed (void)
{
  g_autoptr(TsrApplication) app = tsr_application_new ();
  char *argv[] = { (char *) "test-shortcuts", NULL };
  Outcome outcome = { NULL, 0, 0 };

  /* A test instance of its own, not the desktop's. */
  g_application_set_flags (G_APPLICATION (app), g_application_get_flags (G_APPLICATION (app)) |
                                                G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &outcome);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_nonnull (outcome.failures);
  g_assert_cmpstr (outcome.failures, ==, "");
  /* Not vacuous: the window has rows and the app accelerators. */
  g_assert_cmpuint (outcome.n_rows, >=, 20);
  g_assert_cmpuint (outcome.n_accels, >=, 15);
  g_free (outcome.failures);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = g_dir_make_tmp ("tsr-shortcuts-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  int status;

  /* The app keeps its torrents in the user data folder: a scratch one. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  gtk_test_init (&argc, &argv, NULL);
  g_resources_register (tsr_get_resource ());
  g_test_add_func ("/shortcuts/every-shortcut-listed", test_every_shortcut_listed);
  status = g_test_run ();
  tsr_test_remove_tree (home);
  return status;
}
