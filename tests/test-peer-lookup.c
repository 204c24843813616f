/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-lookup.c: "host:port" from people made into an address:
 * numeric ones at once, "localhost" through the resolver (/etc/hosts, no
 * network), and text without a port refused; a set of lookups hands a
 * numeric address over at once, a host name's once resolved, and
 * nothing after it is freed.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "tsr-peer-lookup.h"

typedef struct
{
  gboolean        done;
  gboolean        found;
  TsrPeerAddress  address;
  guint           tag;
  GError         *error;
} Result;

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Result *out = user_data;

  out->found = tsr_peer_lookup_finish (result, &out->address, &out->tag, &out->error);
  out->done = TRUE;
}

static void
look_up (const char *text,
         guint       tag,
         Result     *out)
{
  memset (out, 0, sizeof *out);
  tsr_peer_lookup_async (text, tag, NULL, on_found, out);
  while (!out->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_numeric (void)
{
  Result result;
  g_autofree char *text = NULL;

  look_up ("[2001:db8::3]:6881", 7, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.found);
  g_assert_cmpuint (result.tag, ==, 7);
  text = tsr_peer_address_to_string (&result.address);
  g_assert_cmpstr (text, ==, "[2001:db8::3]:6881");
}

static void
test_host_name (void)
{
  Result result;

  look_up ("localhost:6881", 3, &result);
  if (result.error != NULL)
    {
      g_test_fail_printf ("“localhost” does not resolve here (see /etc/hosts): %s", result.error->message);
      g_clear_error (&result.error);
      return;
    }
  g_assert_true (result.found);
  g_assert_cmpuint (result.tag, ==, 3);
  g_assert_cmpuint (result.address.port, ==, 6881);
  g_assert_true (result.address.family == TSR_PEER_ADDRESS_IPV4 || result.address.family == TSR_PEER_ADDRESS_IPV6);
}

static void
test_rejects (void)
{
  static const char *const bad[] = { "localhost", "1.2.3.4", "[::1", "" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Result result;

      g_test_message ("\"%s\"", bad[i]);
      look_up (bad[i], 1, &result);
      g_assert_false (result.found);
      g_assert_nonnull (result.error);
      g_assert_cmpuint (result.tag, ==, 1);
      g_clear_error (&result.error);
    }
}

static void
on_set_found (const TsrPeerAddress *address,
              guint                 tag,
              gpointer              user_data)
{
  g_autofree char *text = tsr_peer_address_to_string (address);

  g_string_append_printf (user_data, "%s %u\n", text, tag);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_set (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  TsrPeerLookups *lookups = tsr_peer_lookups_new (on_set_found, log);
  gboolean waited = FALSE;

  tsr_peer_lookups_add (lookups, "192.0.2.7:51413", 4);
  g_assert_cmpstr (log->str, ==, "192.0.2.7:51413 4\n");
  tsr_peer_lookups_add (lookups, "localhost:6881", 5);
  while (strstr (log->str, " 5\n") == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_str_has_suffix (log->str, ":6881 5\n"));

  /* Freed before the resolver answers: nothing is handed over (and, under
   * ASan, nothing freed is touched). */
  g_string_truncate (log, 0);
  tsr_peer_lookups_add (lookups, "localhost:6882", 6);
  tsr_peer_lookups_free (lookups);
  g_timeout_add (300, on_timeout, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (log->str, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer-lookup/numeric-at-once", test_numeric);
  g_test_add_func ("/peer-lookup/host-name", test_host_name);
  g_test_add_func ("/peer-lookup/rejects-without-port", test_rejects);
  g_test_add_func ("/peer-lookup/set", test_set);

  return g_test_run ();
}
