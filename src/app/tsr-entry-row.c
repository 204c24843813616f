/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-entry-row.c: an AdwActionRow with a GtkEntry for a suffix (see
 * the .h for why not AdwEntryRow). The entry expands to share the row
 * with the title, which names it (the row, whose activatable widget it
 * is, labels it by the title); the row delegates GtkEditable to it. The
 * apply button shows once the person edits the text (a change while the
 * field has focus: not one from the settings) and hides on apply, as
 * AdwEntryRow's does.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-entry-row.h"

struct _TsrEntryRow
{
  AdwActionRow  parent_instance;
  GtkWidget    *entry;          /* (owned by the row's suffix box) */
  GtkWidget    *reveal_button;  /* (owned by the row's suffix box) */
  GtkWidget    *apply_button;   /* (owned by the row's suffix box) */
  gboolean      show_apply_button;
};

static void tsr_entry_row_editable_init (GtkEditableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsrEntryRow, tsr_entry_row, ADW_TYPE_ACTION_ROW,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_EDITABLE, tsr_entry_row_editable_init))

enum
{
  PROP_0,
  PROP_SHOW_APPLY_BUTTON,
  PROP_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkEditable *
tsr_entry_row_get_delegate (GtkEditable *editable)
{
  return GTK_EDITABLE (TSR_ENTRY_ROW (editable)->entry);
}

static void
tsr_entry_row_editable_init (GtkEditableInterface *iface)
{
  iface->get_delegate = tsr_entry_row_get_delegate;
}

static void
apply (TsrEntryRow *self)
{
  gtk_widget_set_visible (self->apply_button, FALSE);
  g_signal_emit (self, signals[APPLY], 0);
}

static void
on_entry_activate (TsrEntryRow *self)
{
  if (self->show_apply_button)
    apply (self);
}

static void
on_entry_changed (TsrEntryRow *self)
{
  GtkRoot *root = gtk_widget_get_root (self->entry);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* Typed or pasted (the field has the focus), not set from the settings. */
  if (self->show_apply_button && focus != NULL && gtk_widget_is_ancestor (focus, self->entry))
    gtk_widget_set_visible (self->apply_button, TRUE);
}

GtkWidget *
tsr_entry_row_get_entry (TsrEntryRow *self)
{
  g_return_val_if_fail (TSR_IS_ENTRY_ROW (self), NULL);
  return self->entry;
}

void
tsr_entry_row_set_show_apply_button (TsrEntryRow *self,
                                     gboolean     show)
{
  g_return_if_fail (TSR_IS_ENTRY_ROW (self));
  show = !!show;
  if (self->show_apply_button == show)
    return;
  self->show_apply_button = show;
  if (!show)
    gtk_widget_set_visible (self->apply_button, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_APPLY_BUTTON]);
}

void
tsr_entry_row_set_password (TsrEntryRow *self,
                            gboolean     password)
{
  g_return_if_fail (TSR_IS_ENTRY_ROW (self));
  password = !!password;
  if (gtk_widget_get_visible (self->reveal_button) == password)
    return;
  gtk_widget_set_visible (self->reveal_button, password);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->reveal_button), FALSE);
  gtk_entry_set_visibility (GTK_ENTRY (self->entry), !password);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->entry),
                               password ? GTK_INPUT_PURPOSE_PASSWORD : GTK_INPUT_PURPOSE_FREE_FORM);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
}

static void
tsr_entry_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TsrEntryRow *self = TSR_ENTRY_ROW (object);

  if (gtk_editable_delegate_get_property (object, prop_id, value, pspec))
    return;
  switch (prop_id)
    {
    case PROP_SHOW_APPLY_BUTTON:
      g_value_set_boolean (value, self->show_apply_button);
      break;
    case PROP_PASSWORD:
      g_value_set_boolean (value, gtk_widget_get_visible (self->reveal_button));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_entry_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TsrEntryRow *self = TSR_ENTRY_ROW (object);

  if (gtk_editable_delegate_set_property (object, prop_id, value, pspec))
    return;
  switch (prop_id)
    {
    case PROP_SHOW_APPLY_BUTTON:
      tsr_entry_row_set_show_apply_button (self, g_value_get_boolean (value));
      break;
    case PROP_PASSWORD:
      tsr_entry_row_set_password (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_entry_row_dispose (GObject *object)
{
  TsrEntryRow *self = TSR_ENTRY_ROW (object);

  if (self->entry != NULL)
    {
      gtk_editable_finish_delegate (GTK_EDITABLE (self));
      self->entry = NULL;
    }
  G_OBJECT_CLASS (tsr_entry_row_parent_class)->dispose (object);
}

static void
tsr_entry_row_class_init (TsrEntryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tsr_entry_row_get_property;
  object_class->set_property = tsr_entry_row_set_property;
  object_class->dispose = tsr_entry_row_dispose;

  properties[PROP_SHOW_APPLY_BUTTON] =
    g_param_spec_boolean ("show-apply-button", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PASSWORD] =
    g_param_spec_boolean ("password", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_editable_install_properties (object_class, N_PROPS);

  /* The apply button pressed, or Enter with the apply button on. */
  signals[APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tsr_entry_row_init (TsrEntryRow *self)
{
  self->entry = gtk_entry_new ();
  gtk_widget_set_hexpand (self->entry, TRUE);
  gtk_widget_set_valign (self->entry, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (on_entry_activate), self);
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (on_entry_changed), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->entry);

  self->reveal_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->reveal_button), "view-reveal-symbolic");
  gtk_widget_set_valign (self->reveal_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->reveal_button, "flat");
  gtk_widget_set_tooltip_text (self->reveal_button, _("Show the Password"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reveal_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Show the Password"), -1);
  gtk_widget_set_visible (self->reveal_button, FALSE);
  g_object_bind_property (self->reveal_button, "active", self->entry, "visibility", G_BINDING_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->reveal_button);

  self->apply_button = gtk_button_new_from_icon_name ("object-select-symbolic");
  gtk_widget_set_valign (self->apply_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->apply_button, "suggested-action");
  gtk_widget_add_css_class (self->apply_button, "circular");
  /* TRANSLATORS: a tooltip and accessible label: the button that saves
   * what was typed in the text field beside it */
  gtk_widget_set_tooltip_text (self->apply_button, _("Apply"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->apply_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Apply"), -1);
  gtk_widget_set_visible (self->apply_button, FALSE);
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (apply), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->apply_button);

  /* A click on the row puts the cursor in the field; libadwaita labels
   * the field by the row's title too (a label of our own on top would be
   * read as well: "Comment Comment"). */
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), self->entry);
  gtk_editable_init_delegate (GTK_EDITABLE (self));
}

GtkWidget *
tsr_entry_row_new (void)
{
  return g_object_new (TSR_TYPE_ENTRY_ROW, NULL);
}
