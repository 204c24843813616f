/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-portal.c: asks the desktop's Background portal
 * (org.freedesktop.portal.Background) to let Tessera run with no window.
 * Inside Flatpak that is how an app keeps running once its window is
 * closed; on the host, GNOME lists it among the background apps, where the
 * user can stop it. The portal answers on a Request object (the
 * xdg-desktop-portal Request/Response protocol): we subscribe to its
 * Response signal before calling, with a handle token we choose, so the
 * answer cannot be missed.
 */
#define G_LOG_DOMAIN "tsr-portal"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-portal.h"
#include "tessera-engine.h"

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_BACKGROUND "org.freedesktop.portal.Background"
#define PORTAL_REQUEST "org.freedesktop.portal.Request"

typedef struct
{
  GDBusConnection *connection;   /* (owned) */
  char            *request_path;
  guint            subscription;
  gboolean         answered;
} Ask;

static void
ask_free (Ask *ask)
{
  if (ask->subscription != 0)
    g_dbus_connection_signal_unsubscribe (ask->connection, ask->subscription);
  g_clear_object (&ask->connection);
  g_free (ask->request_path);
  g_free (ask);
}

static void
on_response (GDBusConnection *connection,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);
  guint32 response = 2;
  g_autoptr(GVariant) results = NULL;
  gboolean background = FALSE;

  if (ask->answered || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;
  ask->answered = TRUE;
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  /* Response 0 is "granted"; then "background" says whether we may run. */
  if (response == 0 && !g_variant_lookup (results, "background", "b", &background))
    background = TRUE;
  g_task_return_boolean (task, response == 0 && background);
  g_object_unref (task);
}

static void
on_called (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Ask *ask = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      if (!ask->answered)
        {
          ask->answered = TRUE;
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);   /* the Response will never come */
        }
    }
  g_object_unref (task);         /* the call's reference */
}

void
tsr_portal_request_background_async (GDBusConnection     *connection,
                                     const char          *reason,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (connection, cancellable, callback, user_data);
  Ask *ask = g_new0 (Ask, 1);
  g_autofree char *sender = NULL;
  g_autofree char *token = NULL;
  guint8 random[8];
  GVariantBuilder options;
  char *p;

  g_task_set_source_tag (task, tsr_portal_request_background_async);
  g_task_set_task_data (task, ask, (GDestroyNotify) ask_free);
  ask->connection = g_object_ref (connection);
  if (g_dbus_connection_get_unique_name (connection) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Not on a message bus"));
      g_object_unref (task);
      return;
    }
  /* The request's object path: SENDER is our unique name without the
   * leading ':' and with '.' as '_'; TOKEN is ours. */
  sender = g_strdup (g_dbus_connection_get_unique_name (connection) + 1);
  for (p = sender; *p != '\0'; p++)
    if (*p == '.')
      *p = '_';
  tsr_random_bytes (random, sizeof random);
  token = g_strdup_printf ("tessera%02x%02x%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2], random[3],
                           random[4], random[5], random[6], random[7]);
  ask->request_path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  /* One reference for the Response, one for the call. */
  /* Matched on the path, which holds our random token: the portal may
   * answer from its unique name, which a well-known sender would miss. */
  ask->subscription = g_dbus_connection_signal_subscribe (connection, NULL, PORTAL_REQUEST, "Response",
                                                          ask->request_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                          on_response, task, NULL);
  g_object_ref (task);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (connection, PORTAL_BUS_NAME, PORTAL_PATH, PORTAL_BACKGROUND, "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, 30000, cancellable, on_called, task);
}

gboolean
tsr_portal_request_background_finish (GDBusConnection  *connection,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
