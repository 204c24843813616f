/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-torrent-fault.c: TsrTorrentFault against a fake owner, without
 * sockets: the error stopped on is kept (the last one); an error met in a
 * callback is handed back only on the next turn of the main loop, once
 * however many came; freeing the module drops it, and the owner may free
 * the module as it hears.
 */
#include "config.h"

#include <gio/gio.h>

#include "tsr-torrent-fault.h"

typedef struct
{
  GString         *log;
  TsrTorrentFault *fault;   /* freed in `due` when set */
  gboolean         free_in_due;
} Owner;

static void
on_due (const GError *error,
        gpointer      user_data)
{
  Owner *owner = user_data;

  g_string_append_printf (owner->log, "due %s\n", error->message);
  if (owner->free_in_due)
    g_clear_pointer (&owner->fault, tsr_torrent_fault_free);
}

static const TsrTorrentFaultFuncs funcs = {
  .due = on_due,
};

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_set (void)
{
  g_autoptr(TsrTorrentFault) fault = tsr_torrent_fault_new (&funcs, NULL);
  g_autoptr(GError) full = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE, "full");
  g_autoptr(GError) gone = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");

  g_assert_null (tsr_torrent_fault_get (fault));
  g_assert_null (tsr_torrent_fault_get (NULL));
  tsr_torrent_fault_set (fault, full);
  tsr_torrent_fault_set (fault, gone);
  /* A copy: its domain and code, the last one. */
  g_assert_error (tsr_torrent_fault_get (fault), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (tsr_torrent_fault_get (fault) != gone);
}

static void
test_soon (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  Owner owner = { log, NULL, TRUE };
  g_autoptr(GError) first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "read");
  g_autoptr(GError) second = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "again");

  owner.fault = tsr_torrent_fault_new (&funcs, &owner);
  tsr_torrent_fault_soon (owner.fault, first);
  tsr_torrent_fault_soon (owner.fault, second);
  /* Not from inside the caller's callback. */
  g_assert_cmpstr (log->str, ==, "");
  spin ();
  /* Once, the first; the owner freed the module in it. */
  g_assert_cmpstr (log->str, ==, "due read\n");
  g_assert_null (owner.fault);
}

static void
test_free_drops (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  Owner owner = { log, NULL, FALSE };
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "read");

  owner.fault = tsr_torrent_fault_new (&funcs, &owner);
  tsr_torrent_fault_soon (owner.fault, error);
  g_clear_pointer (&owner.fault, tsr_torrent_fault_free);
  spin ();
  g_assert_cmpstr (log->str, ==, "");
  /* A module heard from can be told again. */
  owner.fault = tsr_torrent_fault_new (&funcs, &owner);
  tsr_torrent_fault_soon (owner.fault, error);
  spin ();
  tsr_torrent_fault_soon (owner.fault, error);
  spin ();
  g_assert_cmpstr (log->str, ==, "due read\ndue read\n");
  tsr_torrent_fault_free (owner.fault);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/torrent-fault/set", test_set);
  g_test_add_func ("/torrent-fault/soon", test_soon);
  g_test_add_func ("/torrent-fault/free-drops", test_free_drops);
  return g_test_run ();
}
