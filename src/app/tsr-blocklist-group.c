/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-blocklist-group.c: the preferences' Blocklist group (see the .h).
 * The status row's subtitle follows the TsrBlocklistSettings ("changed"):
 * rules and malformed lines once a list is in, "Reading…" with the
 * spinner while one is read, or why it was not, in the error style.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-blocklist-group.h"
#include "tsr-entry-row.h"

struct _TsrBlocklistGroup
{
  AdwPreferencesGroup   parent_instance;
  GSettings            *settings;      /* (owned) */
  TsrBlocklistSettings *blocklist;     /* (owned) (nullable) */
  TsrEntryRow          *source_row;    /* template child */
  AdwActionRow         *status_row;    /* template child */
  GtkSpinner           *spinner;       /* template child */
  GtkWidget            *update_button; /* template child */
};

G_DEFINE_FINAL_TYPE (TsrBlocklistGroup, tsr_blocklist_group, ADW_TYPE_PREFERENCES_GROUP)

/* The keys bound as they are, each to the template child of that id. */
static const struct
{
  const char *key;
  const char *property;
} bound_keys[] = {
  { "blocklist-enabled", "active" },
  { "blocklist-update-interval", "value" },
};

static void
show_status (TsrBlocklistGroup *self)
{
  g_autofree char *source = g_settings_get_string (self->settings, "blocklist-url");
  g_autofree char *text = NULL;
  const char *error = NULL;
  gboolean busy = FALSE;

  if (self->blocklist != NULL)
    {
      busy = tsr_blocklist_settings_get_busy (self->blocklist);
      error = tsr_blocklist_settings_get_error (self->blocklist);
    }
  if (busy)
    text = g_strdup (_("Reading the list…"));
  else if (error != NULL)
    /* TRANSLATORS: %s says why the blocklist could not be read or fetched */
    text = g_strdup_printf (_("Not loaded: %s"), error);
  else if (source[0] == '\0' || self->blocklist == NULL)
    text = g_strdup (_("No list chosen"));
  else
    {
      guint n_rules = tsr_blocklist_settings_get_n_rules (self->blocklist);

      /* TRANSLATORS: merged address ranges in force, then lines of the list that could not be read */
      text = g_strdup_printf (ngettext ("%u rule; malformed lines skipped: %u",
                                        "%u rules; malformed lines skipped: %u", n_rules),
                              n_rules, tsr_blocklist_settings_get_n_malformed (self->blocklist));
    }
  adw_action_row_set_subtitle (self->status_row, text);
  if (error != NULL && !busy)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_row), "error");
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (self->update_button, self->blocklist != NULL && !busy && source[0] != '\0');
}

static void
show_source (TsrBlocklistGroup *self)
{
  g_autofree char *source = g_settings_get_string (self->settings, "blocklist-url");

  gtk_editable_set_text (GTK_EDITABLE (self->source_row), source);
  show_status (self);
}

static void
on_source_apply (TsrEntryRow       *row,
                 TsrBlocklistGroup *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_settings_set_string (self->settings, "blocklist-url", text);
}

static void
on_update_clicked (TsrBlocklistGroup *self)
{
  if (self->blocklist != NULL)
    tsr_blocklist_settings_update (self->blocklist);
}

static void
tsr_blocklist_group_dispose (GObject *object)
{
  TsrBlocklistGroup *self = TSR_BLOCKLIST_GROUP (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->blocklist);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_BLOCKLIST_GROUP);
  G_OBJECT_CLASS (tsr_blocklist_group_parent_class)->dispose (object);
}

static void
tsr_blocklist_group_class_init (TsrBlocklistGroupClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  guint i;

  G_OBJECT_CLASS (klass)->dispose = tsr_blocklist_group_dispose;
  g_type_ensure (TSR_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-blocklist-group.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrBlocklistGroup, source_row);
  gtk_widget_class_bind_template_child (widget_class, TsrBlocklistGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, TsrBlocklistGroup, spinner);
  gtk_widget_class_bind_template_child (widget_class, TsrBlocklistGroup, update_button);
  for (i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    gtk_widget_class_bind_template_child_full (widget_class, bound_keys[i].key, FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_source_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_update_clicked);
}

static void
tsr_blocklist_group_init (TsrBlocklistGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
tsr_blocklist_group_set_up (TsrBlocklistGroup    *self,
                            GSettings            *settings,
                            TsrBlocklistSettings *blocklist)
{
  guint i;

  g_return_if_fail (TSR_IS_BLOCKLIST_GROUP (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->blocklist = blocklist != NULL ? g_object_ref (blocklist) : NULL;
  for (i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    g_settings_bind (settings, bound_keys[i].key,
                     gtk_widget_get_template_child (GTK_WIDGET (self), TSR_TYPE_BLOCKLIST_GROUP, bound_keys[i].key),
                     bound_keys[i].property, G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed::blocklist-url", G_CALLBACK (show_source), self, G_CONNECT_SWAPPED);
  if (blocklist != NULL)
    g_signal_connect_object (blocklist, "changed", G_CALLBACK (show_status), self, G_CONNECT_SWAPPED);
  show_source (self);
}
