/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-remote-page.c: the Remote Control preferences page (see the .h).
 * The switches and the port are bound to their keys; the entry rows
 * write theirs on apply, and follow the keys when they change
 * elsewhere. The first row's subtitle says where the server listens or,
 * in the error style, why it does not.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-app-util.h"
#include "tsr-entry-row.h"
#include "tsr-remote-page.h"

struct _TsrRemotePage
{
  AdwPreferencesPage  parent_instance;
  GSettings          *settings;       /* (owned) */
  TsrRemoteControl   *remote;         /* (owned) */
  AdwActionRow       *status_row;     /* template child */
  GtkWidget          *open_button;    /* template child */
  TsrEntryRow        *bind_row;       /* template child */
  TsrEntryRow        *user_row;       /* template child */
  TsrEntryRow        *password_row;   /* template child */
  TsrEntryRow        *whitelist_row;  /* template child */
  TsrEntryRow        *hosts_row;      /* template child */
};

G_DEFINE_FINAL_TYPE (TsrRemotePage, tsr_remote_page, ADW_TYPE_PREFERENCES_PAGE)

static const TsrBoundKey bound_keys[] = {
  { "rpc-enabled", "active" },
  { "rpc-port", "value" },
  { "web-interface-enabled", "active" },
  { "rpc-auth-required", "active" },
};

/* Each entry row and the string key it edits. */
static const char *
entry_key (TsrRemotePage *self,
           TsrEntryRow   *row)
{
  if (row == self->bind_row)
    return "rpc-bind-address";
  if (row == self->user_row)
    return "rpc-username";
  if (row == self->whitelist_row)
    return "rpc-whitelist";
  if (row == self->hosts_row)
    return "rpc-host-whitelist";
  g_return_val_if_reached (NULL);
}

static void
show_entries (TsrRemotePage *self)
{
  TsrEntryRow *rows[] = { self->bind_row, self->user_row, self->whitelist_row, self->hosts_row };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = g_settings_get_string (self->settings, entry_key (self, rows[i]));

      if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (rows[i])), text) != 0)
        gtk_editable_set_text (GTK_EDITABLE (rows[i]), text);
    }
}

static void
on_entry_apply (TsrEntryRow   *row,
                TsrRemotePage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_settings_set_string (self->settings, entry_key (self, row), text);
}

static void
on_password_apply (TsrEntryRow   *row,
                   TsrRemotePage *self)
{
  tsr_remote_control_set_password (self->remote, gtk_editable_get_text (GTK_EDITABLE (row)));
}

char *
tsr_remote_page_dup_uri (TsrRemotePage *self)
{
  g_autofree char *address = g_settings_get_string (self->settings, "rpc-bind-address");
  const char *host = address;

  g_return_val_if_fail (TSR_IS_REMOTE_PAGE (self), NULL);
  /* Listening on every address: this computer's is one of them. */
  if (g_str_equal (address, "0.0.0.0") || address[0] == '\0')
    host = "127.0.0.1";
  else if (g_str_equal (address, "::"))
    host = "::1";
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u/", host, tsr_remote_control_get_port (self->remote));
  return g_strdup_printf ("http://%s:%u/", host, tsr_remote_control_get_port (self->remote));
}

static void
on_open_clicked (GtkButton     *button,
                 TsrRemotePage *self)
{
  g_autofree char *uri = tsr_remote_page_dup_uri (self);

  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
show_status (TsrRemotePage *self)
{
  const char *error = tsr_remote_control_get_error (self->remote);
  gboolean running = tsr_remote_control_get_running (self->remote);

  if (error != NULL)
    {
      adw_action_row_set_subtitle (self->status_row, error);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_row), "error");
    }
  else
    {
      g_autofree char *uri = running ? tsr_remote_page_dup_uri (self) : NULL;
      /* TRANSLATORS: the address the remote control answers at. */
      g_autofree char *text = running ? g_strdup_printf (_("Listening at %s"), uri) : g_strdup (_("Off"));

      adw_action_row_set_subtitle (self->status_row, text);
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_row), "error");
    }
  gtk_widget_set_sensitive (self->open_button,
                            running && g_settings_get_boolean (self->settings, "web-interface-enabled"));
}

static void
on_settings_changed (GSettings     *settings,
                     const char    *key,
                     TsrRemotePage *self)
{
  if (g_str_has_prefix (key, "rpc-") || g_str_equal (key, "web-interface-enabled"))
    {
      show_entries (self);
      show_status (self);
    }
}

static void
tsr_remote_page_dispose (GObject *object)
{
  TsrRemotePage *self = TSR_REMOTE_PAGE (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->remote);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_REMOTE_PAGE);
  G_OBJECT_CLASS (tsr_remote_page_parent_class)->dispose (object);
}

static void
tsr_remote_page_class_init (TsrRemotePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tsr_remote_page_dispose;
  g_type_ensure (TSR_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-remote-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, status_row);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, open_button);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, bind_row);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, user_row);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, password_row);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, whitelist_row);
  gtk_widget_class_bind_template_child (widget_class, TsrRemotePage, hosts_row);
  tsr_widget_class_bind_key_children (widget_class, bound_keys, G_N_ELEMENTS (bound_keys));
  gtk_widget_class_bind_template_callback (widget_class, on_entry_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_password_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
}

static void
tsr_remote_page_init (TsrRemotePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tsr_remote_page_new (GSettings        *settings,
                     TsrRemoteControl *remote)
{
  TsrRemotePage *self = g_object_new (TSR_TYPE_REMOTE_PAGE, NULL);

  self->settings = g_object_ref (settings);
  self->remote = g_object_ref (remote);
  tsr_settings_bind_children (settings, GTK_WIDGET (self), TSR_TYPE_REMOTE_PAGE,
                              bound_keys, G_N_ELEMENTS (bound_keys));
  /* A password is never shown back: the row says whether one is set. */
  if (tsr_remote_control_has_password (remote))
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->password_row), _("A password is set; type a new one to change it"));
  show_entries (self);
  show_status (self);
  g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
  g_signal_connect_object (remote, "notify::error", G_CALLBACK (show_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (remote, "notify::running", G_CALLBACK (show_status), self, G_CONNECT_SWAPPED);
  return GTK_WIDGET (self);
}
