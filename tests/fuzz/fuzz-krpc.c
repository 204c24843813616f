/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-krpc.c: libFuzzer target for the DHT's KRPC codec. A datagram
 * that parses stays within every cap, re-encodes (unless it is a query
 * of an unknown method) to one that parses to the same message, and
 * encodes again to the same bytes; its nodes go through a routing table.
 * The same bytes are also read as a routing table image: one that loads
 * saves and loads again to the same nodes.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-dht-table.h"
#include "tsr-krpc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
same_bytes (const void *a,
            gsize       a_length,
            const void *b,
            gsize       b_length)
{
  return a_length == b_length && (a_length == 0 || memcmp (a, b, a_length) == 0);
}

static gboolean
same_address (const TsrPeerAddress *a,
              const TsrPeerAddress *b)
{
  return a->family == b->family && a->port == b->port && memcmp (a->address, b->address, 16) == 0;
}

static gboolean
same_nodes (GArray *a,
            GArray *b)
{
  guint i;

  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    {
      TsrDhtNode *x = &g_array_index (a, TsrDhtNode, i);
      TsrDhtNode *y = &g_array_index (b, TsrDhtNode, i);

      if (memcmp (x->id, y->id, 20) != 0 || !same_address (&x->address, &y->address))
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_values (GArray *a,
             GArray *b)
{
  guint i;

  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    if (!same_address (&g_array_index (a, TsrPeerAddress, i), &g_array_index (b, TsrPeerAddress, i)))
      return FALSE;
  return TRUE;
}

static gboolean
same_message (const TsrKrpcMessage *a,
              const TsrKrpcMessage *b)
{
  return a->type == b->type &&
         same_bytes (a->transaction, a->transaction_length, b->transaction, b->transaction_length) &&
         same_bytes (a->version, a->version_length, b->version, b->version_length) &&
         a->read_only == b->read_only &&
         a->has_ip == b->has_ip && (!a->has_ip || same_address (&a->ip, &b->ip)) &&
         memcmp (a->id, b->id, 20) == 0 &&
         a->method == b->method &&
         memcmp (a->target, b->target, 20) == 0 &&
         memcmp (a->info_hash, b->info_hash, 20) == 0 &&
         a->want == b->want &&
         a->port == b->port &&
         a->implied_port == b->implied_port &&
         a->has_token == b->has_token &&
         same_bytes (a->token, a->token_length, b->token, b->token_length) &&
         same_nodes (a->nodes, b->nodes) &&
         same_nodes (a->nodes6, b->nodes6) &&
         same_values (a->values, b->values) &&
         a->error_code == b->error_code &&
         same_bytes (a->error_message, a->error_message_length, b->error_message, b->error_message_length);
}

static void
check_within_caps (const TsrKrpcMessage *message)
{
  guint i;

  if (message->transaction_length > TSR_KRPC_MAX_TRANSACTION ||
      message->version_length > TSR_KRPC_MAX_VERSION ||
      message->token_length > TSR_KRPC_MAX_TOKEN ||
      message->error_message_length > TSR_KRPC_MAX_MESSAGE ||
      (message->error_message != NULL && message->error_message[message->error_message_length] != '\0'))
    abort ();
  if ((message->values != NULL && message->values->len > TSR_KRPC_MAX_VALUES) ||
      (message->nodes != NULL && message->nodes->len > TSR_KRPC_MAX_NODES) ||
      (message->nodes6 != NULL && message->nodes6->len > TSR_KRPC_MAX_NODES))
    abort ();
  for (i = 0; message->nodes != NULL && i < message->nodes->len; i++)
    if (g_array_index (message->nodes, TsrDhtNode, i).address.family != 4)
      abort ();
  for (i = 0; message->nodes6 != NULL && i < message->nodes6->len; i++)
    if (g_array_index (message->nodes6, TsrDhtNode, i).address.family != 6)
      abort ();
  if (message->type == TSR_KRPC_TYPE_QUERY && message->method == TSR_KRPC_METHOD_ANNOUNCE_PEER &&
      (!message->has_token || (message->port == 0 && !message->implied_port)))
    abort ();
}

/* The nodes of a response through a table around the sender's id. */
static void
exercise_table (const TsrKrpcMessage *message,
                GArray               *nodes,
                guint                 family)
{
  g_autoptr(TsrDhtTable) table = NULL;
  g_autoptr(GArray) out = NULL;
  g_autoptr(GArray) targets = NULL;
  guint i;

  if (nodes == NULL || nodes->len == 0)
    return;
  table = tsr_dht_table_new (message->id, family);
  out = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  targets = g_array_new (FALSE, FALSE, TSR_DHT_ID_LENGTH);
  for (i = 0; i < nodes->len; i++)
    {
      TsrDhtNode *node = &g_array_index (nodes, TsrDhtNode, i);

      tsr_dht_table_heard_from (table, node, i % 2 == 0, i);
      if (i % 3 == 0)
        tsr_dht_table_failed (table, node, i);
    }
  if (tsr_dht_table_get_n_nodes (table) > nodes->len ||
      tsr_dht_table_closest (table, message->target, TSR_DHT_K, out) > TSR_DHT_K)
    abort ();
  for (i = 1; i < out->len; i++)
    if (tsr_dht_id_compare_distance (message->target, g_array_index (out, TsrDhtNode, i - 1).id,
                                     g_array_index (out, TsrDhtNode, i).id) > 0)
      abort ();
  tsr_dht_table_nodes_to_ping (table, 1000, out);
  tsr_dht_table_buckets_to_refresh (table, 1000, targets);
}

static void
check_table_image (const uint8_t *data,
                   size_t         size,
                   guint          family)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrDhtTable) table = tsr_dht_table_deserialize (data, size, family, &error);
  g_autoptr(TsrDhtTable) again = NULL;
  g_autoptr(GBytes) image = NULL;

  if (table == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return;
    }
  image = tsr_dht_table_serialize (table);
  again = tsr_dht_table_deserialize (g_bytes_get_data (image, NULL), g_bytes_get_size (image), family, NULL);
  if (again == NULL || tsr_dht_table_get_n_nodes (again) != tsr_dht_table_get_n_nodes (table) ||
      memcmp (tsr_dht_table_get_id (again), tsr_dht_table_get_id (table), 20) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrKrpcMessage) message = tsr_krpc_message_parse (data, size, &error);
  g_autoptr(TsrKrpcMessage) again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes_again = NULL;

  check_table_image (data, size, 4);
  check_table_image (data, size, 6);
  if (message == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  check_within_caps (message);
  exercise_table (message, message->nodes, 4);
  exercise_table (message, message->nodes6, 6);
  if (message->type == TSR_KRPC_TYPE_QUERY && message->method == TSR_KRPC_METHOD_UNKNOWN)
    return 0;
  bytes = tsr_krpc_message_encode (message);
  again = tsr_krpc_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  if (again == NULL || !same_message (message, again))
    abort ();
  bytes_again = tsr_krpc_message_encode (again);
  if (!g_bytes_equal (bytes, bytes_again))
    abort ();
  return 0;
}
