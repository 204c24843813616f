/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-peer-rows.c: the peers view's rows follow the engine's peers in
 * place: a row stays the same object while its peer stays, changes only
 * what changed, and rows come and go with their peers.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "tsr-peer-row.h"

static TsrPeerInfo *
info_new (const char *address,
          guint64     down_rate)
{
  TsrPeerInfo *info = g_new0 (TsrPeerInfo, 1);

  info->address = g_strdup (address);
  info->client = g_strdup ("Tessera 0.1.0");
  info->source = TSR_PEER_SOURCE_PEX;
  info->extensions = g_strdup ("Fast, BEP 10, ut_pex");
  info->transport = TSR_TRANSPORT_UTP;
  info->down_rate = down_rate;
  info->am_interested = TRUE;
  info->peer_choking = TRUE;
  return info;
}

static GPtrArray *
infos_of (const char *first, ...)
{
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_info_free);
  const char *address = first;
  va_list args;

  va_start (args, first);
  while (address != NULL)
    {
      g_ptr_array_add (infos, info_new (address, va_arg (args, guint64)));
      address = va_arg (args, const char *);
    }
  va_end (args);
  return infos;
}

static void
count_notify (guint *count)
{
  (*count)++;
}

static void
test_in_place (void)
{
  g_autoptr(GListStore) store = g_list_store_new (TSR_TYPE_PEER_ROW);
  g_autoptr(GPtrArray) first = infos_of ("10.0.0.1:1", (guint64) 100, "10.0.0.2:2", (guint64) 200, NULL);
  g_autoptr(GPtrArray) second = infos_of ("10.0.0.2:2", (guint64) 250, "10.0.0.3:3", (guint64) 300, NULL);
  g_autoptr(GPtrArray) third = infos_of ("10.0.0.2:2", (guint64) 250, "10.0.0.3:3", (guint64) 300, NULL);
  g_autoptr(TsrPeerRow) kept = NULL;
  g_autoptr(TsrPeerRow) again = NULL;
  guint64 rate = 0;
  guint rate_notes = 0;
  guint client_notes = 0;
  guint changes = 0;
  char *flags = NULL;

  tsr_peer_rows_update (store, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  kept = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_cmpstr (tsr_peer_row_get_address (kept), ==, "10.0.0.2:2");
  g_object_get (kept, "flags", &flags, NULL);
  /* Interested in it, choked by it. */
  g_assert_cmpstr (flags, ==, "d");
  g_free (flags);
  g_object_get (kept, "source", &flags, NULL);
  g_assert_cmpstr (flags, ==, tsr_peer_source_to_string (TSR_PEER_SOURCE_PEX));
  g_free (flags);
  g_object_get (kept, "extensions", &flags, NULL);
  g_assert_cmpstr (flags, ==, "Fast, BEP 10, ut_pex");
  g_free (flags);
  g_object_get (kept, "transport", &flags, NULL);
  g_assert_cmpstr (flags, ==, "uTP");
  g_free (flags);
  g_signal_connect_swapped (kept, "notify::down-rate", G_CALLBACK (count_notify), &rate_notes);
  g_signal_connect_swapped (kept, "notify::client", G_CALLBACK (count_notify), &client_notes);
  g_signal_connect_swapped (store, "items-changed", G_CALLBACK (count_notify), &changes);

  /* 10.0.0.1 left, 10.0.0.3 came: the row of 10.0.0.2 is the same. */
  tsr_peer_rows_update (store, second);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  again = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (again == kept);
  g_object_get (kept, "down-rate", &rate, NULL);
  g_assert_cmpuint (rate, ==, 250);
  g_assert_cmpuint (rate_notes, ==, 1);
  g_assert_cmpuint (client_notes, ==, 0);
  g_assert_cmpuint (changes, ==, 2);   /* one removal, one addition */
  g_clear_object (&again);
  again = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_cmpstr (tsr_peer_row_get_address (again), ==, "10.0.0.3:3");

  /* Nothing changed: no notification, no list change. */
  tsr_peer_rows_update (store, third);
  g_assert_cmpuint (rate_notes, ==, 1);
  g_assert_cmpuint (changes, ==, 2);
}

/* 500 peers, then half of them replaced: the 250 that stay keep their
 * rows, in their order, and the list ends the right size. */
static void
test_many (void)
{
  g_autoptr(GListStore) store = g_list_store_new (TSR_TYPE_PEER_ROW);
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_info_free);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_info_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < 500; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.0.%u.%u:6881", i / 200, i % 200);

      g_ptr_array_add (first, info_new (address, i));
      if (i % 2 == 0)
        g_ptr_array_add (second, info_new (address, i + 1));
    }
  for (i = 0; i < 250; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.9.%u.%u:6881", i / 200, i % 200);

      g_ptr_array_add (second, info_new (address, i));
    }
  tsr_peer_rows_update (store, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 500);
  for (i = 0; i < 500; i += 2)
    g_ptr_array_add (kept, g_list_model_get_item (G_LIST_MODEL (store), i));
  tsr_peer_rows_update (store, second);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 500);
  for (i = 0; i < 250; i++)
    {
      g_autoptr(TsrPeerRow) row = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_true (row == g_ptr_array_index (kept, i));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-rows/in-place", test_in_place);
  g_test_add_func ("/peer-rows/many", test_many);
  return g_test_run ();
}
