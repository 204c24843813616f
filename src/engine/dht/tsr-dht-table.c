/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-table.c: the Kademlia routing table of BEP 5. Buckets of K = 8
 * nodes cover the 160-bit id space; only the bucket holding our own id
 * splits when full, so bucket i < n - 1 holds the nodes whose ids share
 * exactly i leading bits with ours and the last bucket those sharing
 * n - 1 bits or more. The table thus knows many nodes near us and a few
 * far away. A full bucket keeps its old good nodes (long-lived nodes
 * stay longest) and puts newcomers in a small replacement cache, from
 * which a node that goes bad is replaced.
 *
 * Nodes are good when they answered us in the last 15 minutes (or
 * queried us then, having answered once), bad after two unanswered
 * queries in a row, questionable otherwise. The table sends nothing: it
 * names the nodes to ping and the buckets to refresh, and the caller
 * reports what came back.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-dht-table.h"

G_DEFINE_QUARK (tsr-dht-table-error-quark, tsr_dht_table_error)

/* The image format written by tsr_dht_table_serialize(). */
#define IMAGE_VERSION 1

typedef enum
{
  HEARD_RESPONSE,
  HEARD_QUERY,
  LOADED,       /* from an image: nothing heard yet */
} Heard;

typedef struct
{
  TsrDhtTableEntry nodes[TSR_DHT_K];
  guint            n_nodes;
  TsrDhtTableEntry cache[TSR_DHT_CACHE_SIZE];   /* oldest first */
  guint            n_cache;
  gint64           last_changed;    /* a node added, replaced or answering */
  gint64           last_refresh;    /* named by buckets_to_refresh() */
} Bucket;

struct _TsrDhtTable
{
  guint8  id[TSR_DHT_ID_LENGTH];
  guint   family;
  GArray *buckets;                  /* (element-type Bucket) farthest first */
};

TsrDhtNodeState
tsr_dht_table_entry_state (const TsrDhtTableEntry *entry,
                           gint64                  now)
{
  if (entry->failures >= TSR_DHT_MAX_FAILURES)
    return TSR_DHT_NODE_BAD;
  if (entry->last_response != TSR_DHT_NEVER &&
      (now - entry->last_response < TSR_DHT_GOOD_SECONDS ||
       (entry->last_query != TSR_DHT_NEVER && now - entry->last_query < TSR_DHT_GOOD_SECONDS)))
    return TSR_DHT_NODE_GOOD;
  return TSR_DHT_NODE_QUESTIONABLE;
}

static gboolean
is_bad (const TsrDhtTableEntry *entry)
{
  return entry->failures >= TSR_DHT_MAX_FAILURES;
}

static void
bucket_init (Bucket *bucket)
{
  memset (bucket, 0, sizeof *bucket);
  bucket->last_changed = TSR_DHT_NEVER;
  bucket->last_refresh = TSR_DHT_NEVER;
}

TsrDhtTable *
tsr_dht_table_new (const guint8 *id,
                   guint         family)
{
  TsrDhtTable *self;
  Bucket all;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (family == 4 || family == 6, NULL);

  self = g_new0 (TsrDhtTable, 1);
  memcpy (self->id, id, TSR_DHT_ID_LENGTH);
  self->family = family;
  self->buckets = g_array_new (FALSE, FALSE, sizeof (Bucket));
  /* BEP 5: an empty table is one bucket covering the whole space. */
  bucket_init (&all);
  g_array_append_val (self->buckets, all);
  return self;
}

void
tsr_dht_table_free (TsrDhtTable *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->buckets);
  g_free (self);
}

const guint8 *
tsr_dht_table_get_id (TsrDhtTable *self)
{
  return self->id;
}

guint
tsr_dht_table_get_family (TsrDhtTable *self)
{
  return self->family;
}

static guint
bucket_index (TsrDhtTable  *self,
              const guint8 *id)
{
  return MIN (tsr_dht_id_common_prefix (self->id, id), self->buckets->len - 1);
}

static Bucket *
get_bucket (TsrDhtTable *self,
            guint        index)
{
  return &g_array_index (self->buckets, Bucket, index);
}

static TsrDhtTableEntry *
find_entry (TsrDhtTableEntry *entries,
            guint             n,
            const guint8     *id)
{
  guint i;

  for (i = 0; i < n; i++)
    if (memcmp (entries[i].node.id, id, TSR_DHT_ID_LENGTH) == 0)
      return &entries[i];
  return NULL;
}

static gboolean
same_address (const TsrPeerAddress *a,
              const TsrPeerAddress *b)
{
  return a->family == b->family && a->port == b->port &&
         memcmp (a->address, b->address, a->family == 6 ? 16 : 4) == 0;
}

static void
entry_init (TsrDhtTableEntry *entry,
            const TsrDhtNode *node)
{
  memset (entry, 0, sizeof *entry);
  memcpy (entry->node.id, node->id, TSR_DHT_ID_LENGTH);
  entry->node.address.family = node->address.family;
  memcpy (entry->node.address.address, node->address.address, 16);
  entry->node.address.port = node->address.port;
  entry->last_response = TSR_DHT_NEVER;
  entry->last_query = TSR_DHT_NEVER;
  entry->last_ping = TSR_DHT_NEVER;
}

static void
entry_touch (TsrDhtTableEntry *entry,
             Heard             heard,
             gint64            now)
{
  if (heard == HEARD_RESPONSE)
    {
      entry->last_response = now;
      entry->failures = 0;
    }
  else if (heard == HEARD_QUERY)
    entry->last_query = now;
}

static void
cache_remove (Bucket *bucket,
              guint   index)
{
  memmove (&bucket->cache[index], &bucket->cache[index + 1],
           (bucket->n_cache - index - 1) * sizeof (TsrDhtTableEntry));
  bucket->n_cache--;
}

static void
cache_add (Bucket           *bucket,
           const TsrDhtNode *node,
           Heard             heard,
           gint64            now)
{
  TsrDhtTableEntry *entry = find_entry (bucket->cache, bucket->n_cache, node->id);

  if (entry == NULL)
    {
      /* Full: the oldest node that never answered gives way, so that a
       * flood of queries cannot push out nodes known to answer. */
      if (bucket->n_cache == TSR_DHT_CACHE_SIZE)
        {
          guint victim = 0;
          guint i;

          for (i = TSR_DHT_CACHE_SIZE; i > 0; i--)
            if (bucket->cache[i - 1].last_response == TSR_DHT_NEVER)
              victim = i - 1;
          cache_remove (bucket, victim);
        }
      entry = &bucket->cache[bucket->n_cache++];
      entry_init (entry, node);
    }
  else if (!same_address (&entry->node.address, &node->address))
    entry_init (entry, node);
  entry_touch (entry, heard, now);
}

/* The cached node to promote: the one that answered last, else the
 * newest. Removed from the cache into @out. */
static gboolean
cache_take_best (Bucket           *bucket,
                 TsrDhtTableEntry *out)
{
  guint best;
  guint i;

  if (bucket->n_cache == 0)
    return FALSE;
  best = bucket->n_cache - 1;
  for (i = 0; i < bucket->n_cache; i++)
    if (bucket->cache[i].last_response > bucket->cache[best].last_response)
      best = i;
  *out = bucket->cache[best];
  cache_remove (bucket, best);
  return TRUE;
}

/* Splits the last bucket, the one holding our id: the nodes that share
 * more bits with our id go to a new last bucket. */
static void
split_last_bucket (TsrDhtTable *self)
{
  guint depth = self->buckets->len - 1;
  Bucket fresh;
  Bucket *old;
  Bucket *near;
  guint kept = 0;
  guint i;

  bucket_init (&fresh);
  g_array_append_val (self->buckets, fresh);
  old = get_bucket (self, depth);
  near = get_bucket (self, depth + 1);
  near->last_changed = old->last_changed;
  near->last_refresh = old->last_refresh;
  for (i = 0; i < old->n_nodes; i++)
    if (tsr_dht_id_common_prefix (self->id, old->nodes[i].node.id) > depth)
      near->nodes[near->n_nodes++] = old->nodes[i];
    else
      old->nodes[kept++] = old->nodes[i];
  old->n_nodes = kept;
  kept = 0;
  for (i = 0; i < old->n_cache; i++)
    if (tsr_dht_id_common_prefix (self->id, old->cache[i].node.id) > depth)
      near->cache[near->n_cache++] = old->cache[i];
    else
      old->cache[kept++] = old->cache[i];
  old->n_cache = kept;
}

static gboolean
insert (TsrDhtTable      *self,
        const TsrDhtNode *node,
        Heard             heard,
        gint64            now)
{
  if (memcmp (node->id, self->id, TSR_DHT_ID_LENGTH) == 0)
    return FALSE;
  for (;;)
    {
      guint index = bucket_index (self, node->id);
      Bucket *bucket = get_bucket (self, index);
      TsrDhtTableEntry *entry = find_entry (bucket->nodes, bucket->n_nodes, node->id);
      TsrDhtTableEntry *cached;
      guint i;

      if (entry != NULL)
        {
          /* The id at another address: a node that moved, or one posing
           * as it. Only a bad entry gives way, so that nobody can take a
           * good node's place by claiming its id. */
          if (!same_address (&entry->node.address, &node->address))
            {
              if (!is_bad (entry))
                return FALSE;
              entry_init (entry, node);
            }
          entry_touch (entry, heard, now);
          if (heard == HEARD_RESPONSE)
            bucket->last_changed = now;
          return TRUE;
        }

      entry = NULL;
      if (bucket->n_nodes < TSR_DHT_K)
        entry = &bucket->nodes[bucket->n_nodes++];
      else
        {
          /* BEP 5: a bad node is replaced by the new one. */
          for (i = 0; i < bucket->n_nodes && entry == NULL; i++)
            if (is_bad (&bucket->nodes[i]))
              entry = &bucket->nodes[i];
        }
      if (entry != NULL)
        {
          entry_init (entry, node);
          entry_touch (entry, heard, now);
          if (heard != LOADED)
            bucket->last_changed = now;
          cached = find_entry (bucket->cache, bucket->n_cache, node->id);
          if (cached != NULL)
            cache_remove (bucket, (guint) (cached - bucket->cache));
          return TRUE;
        }

      /* Full of nodes that are not bad: only the bucket holding our id
       * splits; the others keep their nodes. */
      if (index == self->buckets->len - 1 && self->buckets->len < TSR_DHT_MAX_BUCKETS)
        {
          split_last_bucket (self);
          continue;
        }
      cache_add (bucket, node, heard, now);
      return FALSE;
    }
}

gboolean
tsr_dht_table_heard_from (TsrDhtTable      *self,
                          const TsrDhtNode *node,
                          gboolean          is_response,
                          gint64            now)
{
  g_return_val_if_fail (self != NULL && node != NULL, FALSE);
  g_return_val_if_fail (node->address.family == self->family, FALSE);

  return insert (self, node, is_response ? HEARD_RESPONSE : HEARD_QUERY, now);
}

void
tsr_dht_table_failed (TsrDhtTable      *self,
                      const TsrDhtNode *node,
                      gint64            now)
{
  Bucket *bucket;
  TsrDhtTableEntry *entry;

  g_return_if_fail (self != NULL && node != NULL);

  bucket = get_bucket (self, bucket_index (self, node->id));
  entry = find_entry (bucket->nodes, bucket->n_nodes, node->id);
  if (entry != NULL && same_address (&entry->node.address, &node->address))
    {
      entry->failures++;
      /* BEP 5: a node that failed twice is replaced by a waiting one. */
      if (is_bad (entry) && cache_take_best (bucket, entry))
        bucket->last_changed = now;
      return;
    }
  entry = find_entry (bucket->cache, bucket->n_cache, node->id);
  if (entry != NULL && same_address (&entry->node.address, &node->address) &&
      ++entry->failures >= TSR_DHT_MAX_FAILURES)
    cache_remove (bucket, (guint) (entry - bucket->cache));
}

guint
tsr_dht_table_closest (TsrDhtTable  *self,
                       const guint8 *target,
                       guint         n,
                       GArray       *out)
{
  g_autofree const TsrDhtNode **best = NULL;
  guint found = 0;
  guint b;
  guint i;

  g_return_val_if_fail (self != NULL && target != NULL && out != NULL, 0);

  n = MIN (n, tsr_dht_table_get_n_nodes (self));
  if (n == 0)
    return 0;
  /* Insertion into the n best so far: n is small (K), the table at most
   * 1,280 nodes. */
  best = g_new (const TsrDhtNode *, n);
  for (b = 0; b < self->buckets->len; b++)
    {
      Bucket *bucket = get_bucket (self, b);

      for (i = 0; i < bucket->n_nodes; i++)
        {
          const TsrDhtNode *node = &bucket->nodes[i].node;
          guint pos;

          if (is_bad (&bucket->nodes[i]))
            continue;
          if (found == n && tsr_dht_id_compare_distance (target, node->id, best[n - 1]->id) >= 0)
            continue;
          pos = found < n ? found++ : n - 1;
          while (pos > 0 && tsr_dht_id_compare_distance (target, node->id, best[pos - 1]->id) < 0)
            {
              best[pos] = best[pos - 1];
              pos--;
            }
          best[pos] = node;
        }
    }
  for (i = 0; i < found; i++)
    g_array_append_vals (out, best[i], 1);
  return found;
}

guint
tsr_dht_table_nodes_to_ping (TsrDhtTable *self,
                             gint64       now,
                             GArray      *out)
{
  guint count = 0;
  guint b;
  guint i;

  g_return_val_if_fail (self != NULL && out != NULL, 0);

  for (b = 0; b < self->buckets->len; b++)
    {
      Bucket *bucket = get_bucket (self, b);

      for (i = 0; i < bucket->n_nodes; i++)
        {
          TsrDhtTableEntry *entry = &bucket->nodes[i];

          if (tsr_dht_table_entry_state (entry, now) != TSR_DHT_NODE_QUESTIONABLE)
            continue;
          if (entry->last_ping != TSR_DHT_NEVER && now - entry->last_ping < TSR_DHT_PING_SECONDS)
            continue;
          entry->last_ping = now;
          g_array_append_vals (out, &entry->node, 1);
          count++;
        }
    }
  return count;
}

/* A random id that falls in bucket @index. */
static void
random_id_in_bucket (TsrDhtTable *self,
                     guint        index,
                     guint8      *out)
{
  guint8 prefix[TSR_DHT_ID_LENGTH];
  guint bits;
  guint i;

  memcpy (prefix, self->id, TSR_DHT_ID_LENGTH);
  if (index < self->buckets->len - 1)
    {
      /* Shares exactly @index bits with our id: bit @index differs. */
      prefix[index / 8] ^= (guint8) (0x80 >> (index % 8));
      bits = index + 1;
    }
  else
    bits = index;
  tsr_dht_id_random (out);
  for (i = 0; i < bits / 8; i++)
    out[i] = prefix[i];
  if (bits % 8 != 0)
    {
      guint8 mask = (guint8) (0xff << (8 - bits % 8));

      out[i] = (guint8) ((prefix[i] & mask) | (out[i] & ~mask));
    }
}

guint
tsr_dht_table_buckets_to_refresh (TsrDhtTable *self,
                                  gint64       now,
                                  GArray      *targets)
{
  guint count = 0;
  guint b;

  g_return_val_if_fail (self != NULL && targets != NULL, 0);
  g_return_val_if_fail (g_array_get_element_size (targets) == TSR_DHT_ID_LENGTH, 0);

  for (b = 0; b < self->buckets->len; b++)
    {
      Bucket *bucket = get_bucket (self, b);
      gint64 last = MAX (bucket->last_changed, bucket->last_refresh);
      guint8 target[TSR_DHT_ID_LENGTH];

      if (last != TSR_DHT_NEVER && now - last < TSR_DHT_REFRESH_SECONDS)
        continue;
      random_id_in_bucket (self, b, target);
      g_array_append_vals (targets, target, 1);
      bucket->last_refresh = now;
      count++;
    }
  return count;
}

guint
tsr_dht_table_get_n_buckets (TsrDhtTable *self)
{
  return self->buckets->len;
}

guint
tsr_dht_table_get_n_nodes (TsrDhtTable *self)
{
  guint count = 0;
  guint b;

  for (b = 0; b < self->buckets->len; b++)
    count += get_bucket (self, b)->n_nodes;
  return count;
}

guint
tsr_dht_table_get_n_cached (TsrDhtTable *self)
{
  guint count = 0;
  guint b;

  for (b = 0; b < self->buckets->len; b++)
    count += get_bucket (self, b)->n_cache;
  return count;
}

void
tsr_dht_table_count (TsrDhtTable *self,
                     gint64       now,
                     guint       *good,
                     guint       *questionable,
                     guint       *bad)
{
  guint counts[3] = { 0, 0, 0 };
  guint b;
  guint i;

  for (b = 0; b < self->buckets->len; b++)
    {
      Bucket *bucket = get_bucket (self, b);

      for (i = 0; i < bucket->n_nodes; i++)
        counts[tsr_dht_table_entry_state (&bucket->nodes[i], now)]++;
    }
  if (good != NULL)
    *good = counts[TSR_DHT_NODE_GOOD];
  if (questionable != NULL)
    *questionable = counts[TSR_DHT_NODE_QUESTIONABLE];
  if (bad != NULL)
    *bad = counts[TSR_DHT_NODE_BAD];
}

void
tsr_dht_table_iter_init (TsrDhtTableIter *iter,
                         TsrDhtTable     *table)
{
  iter->table = table;
  iter->bucket = 0;
  iter->index = 0;
}

gboolean
tsr_dht_table_iter_next (TsrDhtTableIter         *iter,
                         const TsrDhtTableEntry **entry)
{
  while (iter->bucket < iter->table->buckets->len)
    {
      Bucket *bucket = get_bucket (iter->table, iter->bucket);

      if (iter->index < bucket->n_nodes)
        {
          *entry = &bucket->nodes[iter->index++];
          return TRUE;
        }
      iter->bucket++;
      iter->index = 0;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Images                                                              */

GBytes *
tsr_dht_table_serialize (TsrDhtTable *self)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();
  g_autoptr(GByteArray) nodes = g_byte_array_new ();
  TsrDhtTableIter iter;
  const TsrDhtTableEntry *entry;

  g_return_val_if_fail (self != NULL, NULL);

  tsr_dht_table_iter_init (&iter, self);
  while (tsr_dht_table_iter_next (&iter, &entry))
    if (!is_bad (entry))
      tsr_krpc_node_append (nodes, &entry->node);
  tsr_bencode_dict_insert (root, "version", tsr_bencode_new_integer (IMAGE_VERSION));
  tsr_bencode_dict_insert (root, "family", tsr_bencode_new_integer (self->family));
  tsr_bencode_dict_insert (root, "id", tsr_bencode_new_string (self->id, TSR_DHT_ID_LENGTH));
  tsr_bencode_dict_insert (root, "nodes", tsr_bencode_new_string (nodes->data, nodes->len));
  return tsr_bencode_encode (root);
}

static gboolean
image_lookup_integer (const TsrBencode  *root,
                      const char        *key,
                      gint64            *value,
                      GError           **error)
{
  if (!tsr_bencode_dict_lookup_integer (root, key, value))
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_MALFORMED,
                   _("The DHT routing table image has no integer “%s”"), key);
      return FALSE;
    }
  return TRUE;
}

static const guint8 *
image_lookup_string (const TsrBencode  *root,
                     const char        *key,
                     gsize             *length,
                     GError           **error)
{
  const guint8 *data = tsr_bencode_dict_lookup_string (root, key, length);

  if (data == NULL)
    g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_MALFORMED,
                 _("The DHT routing table image has no string “%s”"), key);
  return data;
}

TsrDhtTable *
tsr_dht_table_deserialize (const guint8  *data,
                           gsize          length,
                           guint          family,
                           GError       **error)
{
  g_autoptr(TsrBencode) root = NULL;
  g_autoptr(TsrDhtTable) self = NULL;
  const guint8 *id;
  const guint8 *nodes;
  gsize id_length = 0;
  gsize nodes_length = 0;
  gsize size = family == 6 ? TSR_KRPC_NODE6_LENGTH : TSR_KRPC_NODE4_LENGTH;
  gint64 version;
  gint64 image_family;
  gsize i;

  g_return_val_if_fail (family == 4 || family == 6, NULL);

  if (length > TSR_DHT_TABLE_MAX_IMAGE)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_TOO_LARGE,
                   g_dngettext (GETTEXT_PACKAGE, "The DHT routing table image is %zu byte long, more than %u",
                                "The DHT routing table image is %zu bytes long, more than %u", (gulong) length),
                   length, TSR_DHT_TABLE_MAX_IMAGE);
      return NULL;
    }
  root = tsr_bencode_decode (data, length, TSR_BENCODE_DECODE_DEFAULT, NULL, error);
  if (root == NULL)
    {
      g_prefix_error (error, _("DHT routing table image: "));
      return NULL;
    }
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_MALFORMED,
                   _("The DHT routing table image is not a dictionary"));
      return NULL;
    }
  if (!image_lookup_integer (root, "version", &version, error))
    return NULL;
  if (version != IMAGE_VERSION)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_VERSION,
                   _("The DHT routing table image is of version %" PRId64 ", not %d"),
                   version, IMAGE_VERSION);
      return NULL;
    }
  if (!image_lookup_integer (root, "family", &image_family, error))
    return NULL;
  if (image_family != family)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_FAMILY,
                   _("The DHT routing table image is for IPv%" PRId64 " nodes, not IPv%u"),
                   image_family, family);
      return NULL;
    }
  if ((id = image_lookup_string (root, "id", &id_length, error)) == NULL ||
      (nodes = image_lookup_string (root, "nodes", &nodes_length, error)) == NULL)
    return NULL;
  if (id_length != TSR_DHT_ID_LENGTH)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_BAD_LENGTH,
                   g_dngettext (GETTEXT_PACKAGE, "The id in the DHT routing table image is %zu byte long, not %u",
                                "The id in the DHT routing table image is %zu bytes long, not %u", (gulong) id_length),
                   id_length, TSR_DHT_ID_LENGTH);
      return NULL;
    }
  if (nodes_length % size != 0)
    {
      g_set_error (error, TSR_DHT_TABLE_ERROR, TSR_DHT_TABLE_ERROR_BAD_LENGTH,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The nodes of the DHT routing table image are %zu byte long, not a multiple of %zu",
                                "The nodes of the DHT routing table image are %zu bytes long, not a multiple of %zu",
                                (gulong) nodes_length),
                   nodes_length, size);
      return NULL;
    }
  self = tsr_dht_table_new (id, family);
  for (i = 0; i < nodes_length; i += size)
    {
      TsrDhtNode node;

      tsr_krpc_node_read (nodes + i, size, &node);
      insert (self, &node, LOADED, 0);
    }
  return g_steal_pointer (&self);
}
