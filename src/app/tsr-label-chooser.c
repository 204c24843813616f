/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-label-chooser.c: check buttons for the known labels over an entry
 * for new ones (see the .h). Built in code: a box of widgets, no
 * template, so the add dialog and the window's labels dialog can each
 * put one in their extra child.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tsr-label-chooser.h"

struct _TsrLabelChooser
{
  GtkWidget  parent_instance;
  GtkWidget *box;       /* (owned) the only child */
  GPtrArray *checks;    /* (owned) GtkCheckButton, borrowed: the box holds them */
  GtkWidget *entry;     /* borrowed: the box holds it */
};

G_DEFINE_FINAL_TYPE (TsrLabelChooser, tsr_label_chooser, GTK_TYPE_WIDGET)

static void
tsr_label_chooser_dispose (GObject *object)
{
  TsrLabelChooser *self = TSR_LABEL_CHOOSER (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_pointer (&self->checks, g_ptr_array_unref);
  G_OBJECT_CLASS (tsr_label_chooser_parent_class)->dispose (object);
}

static void
tsr_label_chooser_class_init (TsrLabelChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_label_chooser_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tsr_label_chooser_init (TsrLabelChooser *self)
{
  self->checks = g_ptr_array_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Labels"), -1);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  self->entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), _("New labels, separated by commas"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New Labels"), -1);
  gtk_box_append (GTK_BOX (self->box), self->entry);
}

GtkWidget *
tsr_label_chooser_new (const char * const *known)
{
  TsrLabelChooser *self = g_object_new (TSR_TYPE_LABEL_CHOOSER, NULL);
  guint i;

  for (i = 0; known != NULL && known[i] != NULL; i++)
    {
      /* No mnemonic: a label's own underscores are text. */
      GtkWidget *check = gtk_check_button_new_with_label (known[i]);

      gtk_widget_insert_before (check, self->box, self->entry);
      g_ptr_array_add (self->checks, check);
    }
  return GTK_WIDGET (self);
}

static GtkCheckButton *
find_check (TsrLabelChooser *self,
            const char      *label)
{
  guint i;

  for (i = 0; i < self->checks->len; i++)
    if (g_str_equal (gtk_check_button_get_label (g_ptr_array_index (self->checks, i)), label))
      return g_ptr_array_index (self->checks, i);
  return NULL;
}

static void
on_check_toggled (GtkCheckButton *check)
{
  /* Clicked: a definite choice now. */
  gtk_check_button_set_inconsistent (check, FALSE);
}

void
tsr_label_chooser_set (TsrLabelChooser *self,
                       const char      *label,
                       gboolean         active,
                       gboolean         inconsistent)
{
  GtkCheckButton *check = find_check (self, label);

  if (check == NULL)
    return;
  g_signal_handlers_disconnect_by_func (check, on_check_toggled, NULL);
  gtk_check_button_set_active (check, active);
  gtk_check_button_set_inconsistent (check, inconsistent);
  if (inconsistent)
    g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), NULL);
}

void
tsr_label_chooser_set_new_text (TsrLabelChooser *self,
                                const char      *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

char **
tsr_label_chooser_apply (TsrLabelChooser    *self,
                         const char * const *current)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) typed = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (self->entry)), ",", -1);
  guint i;

  for (i = 0; current != NULL && current[i] != NULL; i++)
    {
      GtkCheckButton *check = find_check (self, current[i]);

      if (check == NULL || gtk_check_button_get_inconsistent (check) || gtk_check_button_get_active (check))
        g_strv_builder_add (builder, current[i]);
    }
  for (i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);

      if (!gtk_check_button_get_inconsistent (check) && gtk_check_button_get_active (check) &&
          (current == NULL || !g_strv_contains (current, gtk_check_button_get_label (check))))
        g_strv_builder_add (builder, gtk_check_button_get_label (check));
    }
  /* Duplicates and blanks go in the library's rule (tsr-labels.h). */
  for (i = 0; typed[i] != NULL; i++)
    g_strv_builder_add (builder, typed[i]);
  return g_strv_builder_end (builder);
}
