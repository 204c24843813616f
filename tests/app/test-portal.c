/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-portal.c: tsr_portal_request_background against a Background
 * portal written here, on a private message bus (GTestDBus): the request
 * carries our reason and no autostart, the answer is read from the
 * Request object's Response signal (granted, refused, cancelled), and with
 * no portal on the bus the call fails with an error.
 */
#include "config.h"

#include <gio/gio.h>

#include "tsr-portal.h"

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  guint32   response;     /* what to answer: 0 granted, 1 cancelled */
  gboolean  background;   /* the "background" result */
  char     *reason;       /* what was asked */
  gboolean  autostart;
  guint     calls;
} FakePortal;

static void
on_portal_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  FakePortal *portal = user_data;
  g_autoptr(GVariant) options = NULL;
  const char *parent = NULL;
  const char *token = NULL;
  g_autofree char *name = g_strdup (sender + 1);
  g_autofree char *request = NULL;
  GVariantBuilder results;
  char *p;

  portal->calls++;
  g_variant_get (parameters, "(&s@a{sv})", &parent, &options);
  g_assert_true (g_variant_lookup (options, "handle_token", "&s", &token));
  g_clear_pointer (&portal->reason, g_free);
  g_assert_true (g_variant_lookup (options, "reason", "s", &portal->reason));
  g_assert_true (g_variant_lookup (options, "autostart", "b", &portal->autostart));
  for (p = name; *p != '\0'; p++)
    if (*p == '.')
      *p = '_';
  request = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", name, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", request));
  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (portal->background));
  g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_assert_true (g_dbus_connection_emit_signal (connection, sender, request, "org.freedesktop.portal.Request",
                                                "Response", g_variant_new ("(ua{sv})", portal->response, &results),
                                                NULL));
}

typedef struct
{
  GMainLoop *loop;
  gboolean   done;
  gboolean   allowed;
  GError    *error;
} Answer;

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answer *answer = user_data;

  answer->allowed = tsr_portal_request_background_finish (G_DBUS_CONNECTION (source), result, &answer->error);
  answer->done = TRUE;
  g_main_loop_quit (answer->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("no answer from the portal request within 10 s");
  return G_SOURCE_REMOVE;
}

static void
ask (GDBusConnection *client,
     Answer          *answer)
{
  guint timeout = g_timeout_add_seconds (10, on_timeout, NULL);

  answer->loop = g_main_loop_new (NULL, FALSE);
  tsr_portal_request_background_async (client, "Reason for the test", NULL, on_answer, answer);
  g_main_loop_run (answer->loop);
  g_source_remove (timeout);
  g_main_loop_unref (answer->loop);
  g_assert_true (answer->done);
}

static void
test_background (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) client = NULL;
  g_autoptr(GDBusConnection) service = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GDBusInterfaceVTable vtable = { on_portal_call, NULL, NULL };
  FakePortal portal = { 0 };
  guint registration;
  guint owner;
  Answer answer = { 0 };

  g_test_dbus_up (bus);
  client = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);

  /* No portal on the bus: an error, not a hang. */
  ask (client, &answer);
  g_assert_false (answer.allowed);
  g_assert_nonnull (answer.error);
  g_clear_error (&answer.error);

  service = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                    NULL, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_assert_no_error (error);
  registration = g_dbus_connection_register_object (service, "/org/freedesktop/portal/desktop",
                                                    info->interfaces[0], &vtable, &portal, NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (service, "org.freedesktop.portal.Desktop", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        NULL, NULL, NULL, NULL);
  /* Let the name be taken before asking. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep (100000);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* Granted. */
  portal.response = 0;
  portal.background = TRUE;
  answer = (Answer) { 0 };
  ask (client, &answer);
  g_assert_no_error (answer.error);
  g_assert_true (answer.allowed);
  g_assert_cmpuint (portal.calls, ==, 1);
  g_assert_cmpstr (portal.reason, ==, "Reason for the test");
  g_assert_false (portal.autostart);

  /* Refused by the user: FALSE, and no error. */
  portal.background = FALSE;
  answer = (Answer) { 0 };
  ask (client, &answer);
  g_assert_no_error (answer.error);
  g_assert_false (answer.allowed);

  /* The dialog cancelled (response 1): not allowed either. */
  portal.response = 1;
  portal.background = TRUE;
  answer = (Answer) { 0 };
  ask (client, &answer);
  g_assert_no_error (answer.error);
  g_assert_false (answer.allowed);
  g_assert_cmpuint (portal.calls, ==, 3);

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (service, registration);
  g_free (portal.reason);
  g_dbus_connection_close_sync (client, NULL, NULL);
  g_dbus_connection_close_sync (service, NULL, NULL);
  g_test_dbus_down (bus);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/portal/background", test_background);
  return g_test_run ();
}
