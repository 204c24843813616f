/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-table.h: the routing table of a DHT node (BEP 5), for one
 * address family (BEP 32: a node in both DHTs keeps two tables). Pure:
 * no sockets, no clock; every call that needs the time takes @now in
 * seconds of any monotonic clock.
 */
#pragma once

#include <glib.h>

#include "tsr-krpc.h"

G_BEGIN_DECLS

#define TSR_DHT_TABLE_ERROR (tsr_dht_table_error_quark ())
GQuark tsr_dht_table_error_quark (void);

typedef enum
{
  TSR_DHT_TABLE_ERROR_MALFORMED,   /* not a table image: not bencode, keys missing or of the wrong type */
  TSR_DHT_TABLE_ERROR_VERSION,     /* an image of a format version we do not know */
  TSR_DHT_TABLE_ERROR_FAMILY,      /* a table of the other address family */
  TSR_DHT_TABLE_ERROR_BAD_LENGTH,  /* an id not of 20 bytes, nodes not a whole number */
  TSR_DHT_TABLE_ERROR_TOO_LARGE,   /* over TSR_DHT_TABLE_MAX_IMAGE bytes */
} TsrDhtTableError;

/* BEP 5: K nodes a bucket. */
#define TSR_DHT_K                 8
/* Nodes a bucket keeps aside, to replace its nodes that go bad; when
 * full, the oldest that never answered us (else the oldest) leaves. */
#define TSR_DHT_CACHE_SIZE        4
/* At most one bucket per bit of the id space. */
#define TSR_DHT_MAX_BUCKETS       160
/* BEP 5: a node is good for 15 minutes after it answered us, or after it
 * queried us once it has answered at least once; a bucket unchanged for
 * 15 minutes is refreshed. */
#define TSR_DHT_GOOD_SECONDS      (15 * 60)
#define TSR_DHT_REFRESH_SECONDS   (15 * 60)
/* Queries left unanswered in a row that make a node bad. */
#define TSR_DHT_MAX_FAILURES      2
/* A questionable node is named for a ping at most this often. */
#define TSR_DHT_PING_SECONDS      60
/* The largest image tsr_dht_table_deserialize() reads. */
#define TSR_DHT_TABLE_MAX_IMAGE   (1024 * 1024)
/* A time that never was: the "last" times of a node never heard. */
#define TSR_DHT_NEVER             G_MININT64

typedef enum
{
  TSR_DHT_NODE_GOOD,
  TSR_DHT_NODE_QUESTIONABLE,
  TSR_DHT_NODE_BAD,
} TsrDhtNodeState;

/* A node in the table. */
typedef struct
{
  TsrDhtNode node;
  gint64     last_response;   /* it last answered one of our queries; TSR_DHT_NEVER */
  gint64     last_query;      /* it last queried us; TSR_DHT_NEVER */
  gint64     last_ping;       /* tsr_dht_table_nodes_to_ping() last named it; TSR_DHT_NEVER */
  guint      failures;        /* our queries it left unanswered since its last answer */
} TsrDhtTableEntry;

TsrDhtNodeState tsr_dht_table_entry_state (const TsrDhtTableEntry *entry,
                                           gint64                  now);

typedef struct _TsrDhtTable TsrDhtTable;

/* An empty table around our @id for nodes of @family (4 or 6). */
TsrDhtTable  *tsr_dht_table_new            (const guint8      *id,
                                            guint              family);
void          tsr_dht_table_free           (TsrDhtTable       *self);
const guint8 *tsr_dht_table_get_id         (TsrDhtTable       *self);
guint         tsr_dht_table_get_family     (TsrDhtTable       *self);

/* A message came from @node: a response to our query when @is_response,
 * else a query of its own. Updates the node when the table holds it;
 * else adds it when its bucket has room or a bad node (splitting the
 * bucket around our id when it is full, up to TSR_DHT_MAX_BUCKETS), or
 * keeps it in the bucket's replacement cache. A known id at another
 * address is taken only in place of a bad node. Returns TRUE when @node
 * is in the table (not the cache) afterwards. */
gboolean      tsr_dht_table_heard_from     (TsrDhtTable       *self,
                                            const TsrDhtNode  *node,
                                            gboolean           is_response,
                                            gint64             now);
/* A query to @node went unanswered. After TSR_DHT_MAX_FAILURES in a row
 * it is bad: the best node of its bucket's cache (the one that answered
 * last, else the newest) takes its place, if there is one. */
void          tsr_dht_table_failed         (TsrDhtTable       *self,
                                            const TsrDhtNode  *node,
                                            gint64             now);
/* Appends to @out (element-type TsrDhtNode) the @n nodes closest to
 * @target that are not bad, closest first. Returns how many. */
guint         tsr_dht_table_closest        (TsrDhtTable       *self,
                                            const guint8      *target,
                                            guint              n,
                                            GArray            *out);
/* Appends to @out (element-type TsrDhtNode) the questionable nodes not
 * named in the last TSR_DHT_PING_SECONDS, and notes that they were. The
 * caller pings them and reports each answer (heard_from) or silence
 * (failed). Returns how many. */
guint         tsr_dht_table_nodes_to_ping  (TsrDhtTable       *self,
                                            gint64             now,
                                            GArray            *out);
/* For each bucket neither changed nor named here for
 * TSR_DHT_REFRESH_SECONDS, appends to @targets (element size 20) a
 * random id in the bucket's range, for a find_node. Returns how many. */
guint         tsr_dht_table_buckets_to_refresh (TsrDhtTable   *self,
                                                gint64         now,
                                                GArray        *targets);

guint         tsr_dht_table_get_n_buckets  (TsrDhtTable       *self);
/* Nodes in the table, and in the replacement caches. */
guint         tsr_dht_table_get_n_nodes    (TsrDhtTable       *self);
guint         tsr_dht_table_get_n_cached   (TsrDhtTable       *self);
void          tsr_dht_table_count          (TsrDhtTable       *self,
                                            gint64             now,
                                            guint             *good,
                                            guint             *questionable,
                                            guint             *bad);

/* Walks the table's nodes, bucket by bucket from the farthest from our
 * id. The table must not change during the walk. */
typedef struct
{
  TsrDhtTable *table;
  guint        bucket;
  guint        index;
} TsrDhtTableIter;

void          tsr_dht_table_iter_init      (TsrDhtTableIter   *iter,
                                            TsrDhtTable       *table);
gboolean      tsr_dht_table_iter_next      (TsrDhtTableIter   *iter,
                                            const TsrDhtTableEntry **entry);

/* An image to keep across restarts: format version, family, our id and
 * the nodes that are not bad (compact). Times are not kept: loaded nodes
 * are questionable until they answer, and every bucket is due for a
 * refresh. */
GBytes       *tsr_dht_table_serialize      (TsrDhtTable       *self);
/* Reads an image for @family; any damage is an error, never a partial
 * table. */
TsrDhtTable  *tsr_dht_table_deserialize    (const guint8      *data,
                                            gsize              length,
                                            guint              family,
                                            GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDhtTable, tsr_dht_table_free)

G_END_DECLS
