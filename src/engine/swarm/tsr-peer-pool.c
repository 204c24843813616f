/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-pool.c: the torrent's address book. Each address carries its
 * source, its dial state, when it was seen and tried, and its run of
 * failures; a failure doubles the wait before the next try, so that a
 * dead address costs a few packets an hour instead of one a second.
 * Bans live here too and end by themselves.
 *
 * Linear scans: a pool holds a few thousand addresses at most and is
 * consulted about once a second, far below anything worth an index.
 */
#define G_LOG_DOMAIN "tsr-peer-pool"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-peer-pool.h"

typedef enum
{
  ENTRY_IDLE,
  ENTRY_DIALING,
  ENTRY_CONNECTED,
} EntryState;

typedef struct
{
  TsrPeerSource source;
  EntryState    state;
  guint         failures;     /* in a row */
  gint64        last_seen;
  gint64        last_tried;   /* 0: never */
  gint64        next_try;     /* not before */
  gint64        punched;      /* last taken past its back-off (BEP 55); 0: never */
  gboolean      plaintext;    /* refused MSE: dialled without it */
} Entry;

struct _TsrPeerPool
{
  guint       capacity;
  GHashTable *entries;        /* (nullable) TsrPeerAddress (owned) → Entry (owned); made at the first */
  GHashTable *bans;           /* (nullable) TsrPeerAddress (owned) → TsrPeerBan (owned); made at the first ban */
  GHashTable *url_bans;       /* (nullable) web seed URL → TsrPeerBan (owned); made at the first */
  GHashTable *selves;         /* (nullable) (element-type TsrPeerAddress) (owned) addresses that reached us */
  guint       n_dialing;
};

void
tsr_peer_ban_free (TsrPeerBan *ban)
{
  g_free (ban->address);
  g_free (ban->reason);
  g_free (ban);
}

TsrPeerPool *
tsr_peer_pool_new (guint capacity)
{
  TsrPeerPool *self = g_new0 (TsrPeerPool, 1);

  self->capacity = MAX (capacity, 1);
  return self;
}

/* The entry for @address, if any: an idle torrent has no table yet. */
static Entry *
lookup (TsrPeerPool          *self,
        const TsrPeerAddress *address)
{
  return self->entries != NULL ? g_hash_table_lookup (self->entries, address) : NULL;
}

void
tsr_peer_pool_free (TsrPeerPool *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->bans, g_hash_table_unref);
  g_clear_pointer (&self->url_bans, g_hash_table_unref);
  g_clear_pointer (&self->selves, g_hash_table_unref);
  g_free (self);
}

guint
tsr_peer_pool_get_size (TsrPeerPool *self)
{
  return self->entries != NULL ? g_hash_table_size (self->entries) : 0;
}

guint
tsr_peer_pool_get_n_dialing (TsrPeerPool *self)
{
  return self->n_dialing;
}

static void
set_state (TsrPeerPool *self,
           Entry       *entry,
           EntryState   state)
{
  if (entry->state == ENTRY_DIALING)
    self->n_dialing--;
  if (state == ENTRY_DIALING)
    self->n_dialing++;
  entry->state = state;
}

/* The entry for @address, moved to @state; NULL when there is none. */
static Entry *
lookup_to (TsrPeerPool          *self,
           const TsrPeerAddress *address,
           EntryState            state)
{
  Entry *entry = lookup (self, address);

  if (entry != NULL)
    set_state (self, entry, state);
  return entry;
}

/* Which of two idle entries to dial first: negative when @a. */
static int
compare_promise (const Entry *a,
                 const Entry *b)
{
  if ((a->source == TSR_PEER_SOURCE_USER) != (b->source == TSR_PEER_SOURCE_USER))
    return a->source == TSR_PEER_SOURCE_USER ? -1 : 1;
  if (a->failures != b->failures)
    return a->failures < b->failures ? -1 : 1;
  if (a->last_tried != b->last_tried)
    return a->last_tried < b->last_tried ? -1 : 1;
  if (a->last_seen != b->last_seen)
    return a->last_seen > b->last_seen ? -1 : 1;
  return 0;
}

/* May go to make room: idle, and not given by the user. */
static gboolean
evictable (const Entry *entry)
{
  return entry->state == ENTRY_IDLE && entry->source != TSR_PEER_SOURCE_USER;
}

/* Makes room by dropping the least promising idle address not from the
 * user (tracker, PEX, LSD), if it
 * has failed at least once: a pool of untried addresses is kept whole. */
static gboolean
evict_one (TsrPeerPool *self)
{
  GHashTableIter iter;
  gpointer key, value;
  gconstpointer worst_key = NULL;
  Entry *worst = NULL;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (!evictable (entry))
        continue;
      if (worst == NULL || compare_promise (entry, worst) > 0)
        {
          worst = entry;
          worst_key = key;
        }
    }
  if (worst == NULL || worst->failures == 0)
    return FALSE;
  g_hash_table_remove (self->entries, worst_key);
  return TRUE;
}

gboolean
tsr_peer_pool_add (TsrPeerPool          *self,
                   const TsrPeerAddress *address,
                   TsrPeerSource         source,
                   gint64                now)
{
  Entry *entry = lookup (self, address);

  if (tsr_peer_pool_get_ban (self, address, now) != NULL ||
      (self->selves != NULL && g_hash_table_contains (self->selves, address)))
    return FALSE;
  if (entry != NULL)
    {
      entry->last_seen = now;
      /* The user asking again outranks a tracker's mention. */
      if (source == TSR_PEER_SOURCE_USER)
        entry->source = source;
      return FALSE;
    }
  if (self->entries == NULL)
    self->entries = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, g_free);
  /* The user's addresses are always kept. */
  if (g_hash_table_size (self->entries) >= self->capacity && source != TSR_PEER_SOURCE_USER &&
      !evict_one (self))
    return FALSE;
  entry = g_new0 (Entry, 1);
  entry->source = source;
  entry->last_seen = now;
  g_hash_table_insert (self->entries, tsr_peer_address_dup (address), entry);
  return TRUE;
}

static gint
compare_worst_first (gconstpointer a,
                     gconstpointer b)
{
  const Entry *x = *(const Entry *const *) a;
  const Entry *y = *(const Entry *const *) b;

  return compare_promise (y, x);
}

void
tsr_peer_pool_set_capacity (TsrPeerPool *self,
                            guint        capacity)
{
  g_autoptr(GPtrArray) idle = NULL;
  g_autoptr(GHashTable) keys = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint size = tsr_peer_pool_get_size (self);
  guint i;

  self->capacity = MAX (capacity, 1);
  if (size <= self->capacity)
    return;
  /* Sorted once, worst first, rather than one scan per address to drop. */
  idle = g_ptr_array_new ();
  keys = g_hash_table_new (NULL, NULL);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (!evictable (entry))
        continue;
      g_ptr_array_add (idle, entry);
      g_hash_table_insert (keys, entry, key);
    }
  g_ptr_array_sort (idle, compare_worst_first);
  for (i = 0; i < idle->len && size > self->capacity; i++, size--)
    g_hash_table_remove (self->entries, g_hash_table_lookup (keys, g_ptr_array_index (idle, i)));
}

gboolean
tsr_peer_pool_forget (TsrPeerPool          *self,
                      const TsrPeerAddress *address)
{
  Entry *entry = lookup (self, address);

  if (entry == NULL || !evictable (entry))
    return FALSE;
  return g_hash_table_remove (self->entries, address);
}

gboolean
tsr_peer_pool_get_source (TsrPeerPool          *self,
                          const TsrPeerAddress *address,
                          TsrPeerSource        *source)
{
  Entry *entry = lookup (self, address);

  if (entry == NULL)
    return FALSE;
  *source = entry->source;
  return TRUE;
}

const char *
tsr_peer_source_to_string (TsrPeerSource source)
{
  switch (source)
    {
    case TSR_PEER_SOURCE_USER:
      return C_("peer source", "Added by you");
    case TSR_PEER_SOURCE_TRACKER:
      return C_("peer source", "Tracker");
    case TSR_PEER_SOURCE_PEX:
      return C_("peer source", "Peer exchange");
    case TSR_PEER_SOURCE_LSD:
      return C_("peer source", "Local network");
    case TSR_PEER_SOURCE_INCOMING:
      return C_("peer source", "Incoming");
    case TSR_PEER_SOURCE_WEB_SEED:
      return C_("peer source", "Web seed");
    case TSR_PEER_SOURCE_DHT:
      return C_("peer source", "DHT");
    default:
      return C_("peer source", "Unknown");
    }
}

static gboolean
is_ready (TsrPeerPool          *self,
          const TsrPeerAddress *address,
          Entry                *entry,
          gint64                now,
          gboolean              user_only)
{
  return entry->state == ENTRY_IDLE && entry->next_try <= now &&
         (!user_only || entry->source == TSR_PEER_SOURCE_USER) &&
         tsr_peer_pool_get_ban (self, address, now) == NULL;
}

const TsrPeerAddress *
tsr_peer_pool_take (TsrPeerPool *self,
                    gint64       now,
                    gboolean     user_only)
{
  GHashTableIter iter;
  gpointer key, value;
  const TsrPeerAddress *best_key = NULL;
  Entry *best = NULL;

  if (self->entries == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (!is_ready (self, key, entry, now, user_only))
        continue;
      if (best == NULL || compare_promise (entry, best) < 0)
        {
          best = entry;
          best_key = key;
        }
    }
  if (best == NULL)
    return NULL;
  set_state (self, best, ENTRY_DIALING);
  best->last_tried = now;
  return best_key;
}

gboolean
tsr_peer_pool_take_address (TsrPeerPool          *self,
                            const TsrPeerAddress *address,
                            gint64                now)
{
  Entry *entry = lookup (self, address);

  if (entry == NULL || entry->state != ENTRY_IDLE || tsr_peer_pool_get_ban (self, address, now) != NULL)
    return FALSE;
  /* Past the back-off once a gap: a relay's connects (or many relays')
   * naming one address must not make us dial it again and again. */
  if (entry->next_try > now)
    {
      if (entry->punched != 0 && now - entry->punched < TSR_PEER_POOL_PUNCH_GAP)
        return FALSE;
      entry->punched = now;
    }
  set_state (self, entry, ENTRY_DIALING);
  entry->last_tried = now;
  return TRUE;
}

guint
tsr_peer_pool_count_ready (TsrPeerPool *self,
                           gint64       now,
                           gboolean     user_only)
{
  GHashTableIter iter;
  gpointer key, value;
  guint count = 0;

  if (self->entries == NULL)
    return 0;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (is_ready (self, key, value, now, user_only))
      count++;
  return count;
}

gint64
tsr_peer_pool_failed (TsrPeerPool          *self,
                      const TsrPeerAddress *address,
                      gint64                now)
{
  Entry *entry = lookup_to (self, address, ENTRY_IDLE);
  gint64 wait;
  gint64 most;
  guint i;

  if (entry == NULL)
    return now + 1;
  entry->failures++;
  wait = entry->source == TSR_PEER_SOURCE_USER ? TSR_PEER_POOL_USER_BACKOFF : TSR_PEER_POOL_BACKOFF;
  most = entry->source == TSR_PEER_SOURCE_USER ? TSR_PEER_POOL_USER_MAX_BACKOFF : TSR_PEER_POOL_MAX_BACKOFF;
  for (i = 1; i < entry->failures && wait < most; i++)
    wait *= 2;
  /* @now is rounded down: the failure may have come late in it. */
  entry->next_try = now + 1 + MIN (wait, most);
  return entry->next_try;
}

void
tsr_peer_pool_retry_plaintext (TsrPeerPool          *self,
                               const TsrPeerAddress *address,
                               gint64                now)
{
  Entry *entry = lookup_to (self, address, ENTRY_IDLE);

  if (entry == NULL)
    return;
  entry->plaintext = TRUE;
  entry->next_try = now;
}

gboolean
tsr_peer_pool_get_plaintext (TsrPeerPool          *self,
                             const TsrPeerAddress *address)
{
  Entry *entry = lookup (self, address);

  return entry != NULL && entry->plaintext;
}

void
tsr_peer_pool_connected (TsrPeerPool          *self,
                         const TsrPeerAddress *address,
                         gint64                now)
{
  Entry *entry = lookup_to (self, address, ENTRY_CONNECTED);

  if (entry == NULL)
    return;
  entry->failures = 0;
  entry->last_seen = now;
}

void
tsr_peer_pool_closed (TsrPeerPool          *self,
                      const TsrPeerAddress *address,
                      gint64                now)
{
  Entry *entry = lookup_to (self, address, ENTRY_IDLE);

  if (entry == NULL)
    return;
  entry->next_try = now + TSR_PEER_POOL_REDIAL;
}

void
tsr_peer_pool_reset (TsrPeerPool *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->entries == NULL)
    return;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    set_state (self, value, ENTRY_IDLE);
}

static TsrPeerBan *
ban_new (const char *address,
         const char *reason,
         gint64      until)
{
  TsrPeerBan *ban = g_new0 (TsrPeerBan, 1);

  ban->address = g_strdup (address);
  ban->reason = g_strdup (reason);
  ban->until = until;
  return ban;
}

/* The reason of @key's ban in @bans at @now; an expired one goes. */
static const char *
lookup_ban (GHashTable    *bans,
            gconstpointer  key,
            gint64         now)
{
  TsrPeerBan *ban = bans != NULL ? g_hash_table_lookup (bans, key) : NULL;

  if (ban == NULL)
    return NULL;
  if (ban->until <= now)
    {
      g_hash_table_remove (bans, key);
      return NULL;
    }
  return ban->reason;
}

void
tsr_peer_pool_ban (TsrPeerPool          *self,
                   const TsrPeerAddress *address,
                   const char           *reason,
                   gint64                now,
                   gint64                seconds)
{
  g_autofree char *text = tsr_peer_address_to_string (address);

  if (self->bans == NULL)
    self->bans = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free,
                                        (GDestroyNotify) tsr_peer_ban_free);
  g_hash_table_replace (self->bans, tsr_peer_address_dup (address),
                        ban_new (text, reason, now + MAX (seconds, 1)));
}

const char *
tsr_peer_pool_get_ban (TsrPeerPool          *self,
                       const TsrPeerAddress *address,
                       gint64                now)
{
  return lookup_ban (self->bans, address, now);
}

void
tsr_peer_pool_ban_url (TsrPeerPool *self,
                       const char  *url,
                       const char  *reason,
                       gint64       now,
                       gint64       seconds)
{
  TsrPeerBan *ban = ban_new (url, reason, now + MAX (seconds, 1));

  if (self->url_bans == NULL)
    self->url_bans = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tsr_peer_ban_free);
  g_hash_table_replace (self->url_bans, ban->address, ban);
}

const char *
tsr_peer_pool_get_url_ban (TsrPeerPool *self,
                           const char  *url,
                           gint64       now)
{
  return lookup_ban (self->url_bans, url, now);
}

static gint
compare_until (gconstpointer a,
               gconstpointer b)
{
  const TsrPeerBan *x = *(const TsrPeerBan *const *) a;
  const TsrPeerBan *y = *(const TsrPeerBan *const *) b;

  if (x->until != y->until)
    return x->until < y->until ? -1 : 1;
  return g_strcmp0 (x->address, y->address);
}

/* Copies the bans of @bans in force at @now into @out; drops the rest. */
static void
copy_bans (GHashTable *bans,
           gint64      now,
           GPtrArray  *out)
{
  GHashTableIter iter;
  gpointer value;

  if (bans == NULL)
    return;
  g_hash_table_iter_init (&iter, bans);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TsrPeerBan *ban = value;

      if (ban->until <= now)
        g_hash_table_iter_remove (&iter);
      else
        g_ptr_array_add (out, ban_new (ban->address, ban->reason, ban->until));
    }
}

GPtrArray *
tsr_peer_pool_dup_bans (TsrPeerPool *self,
                        gint64       now)
{
  GPtrArray *bans = g_ptr_array_new_with_free_func ((GDestroyNotify) tsr_peer_ban_free);

  copy_bans (self->bans, now, bans);
  copy_bans (self->url_bans, now, bans);
  g_ptr_array_sort (bans, compare_until);
  return bans;
}

void
tsr_peer_pool_mark_self (TsrPeerPool          *self,
                         const TsrPeerAddress *address)
{
  Entry *entry = lookup (self, address);

  if (entry != NULL)
    {
      set_state (self, entry, ENTRY_IDLE);
      g_hash_table_remove (self->entries, address);
    }
  if (self->selves == NULL)
    self->selves = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  g_hash_table_add (self->selves, tsr_peer_address_dup (address));
}

void
tsr_peer_pool_clear_bans (TsrPeerPool *self)
{
  if (self->bans != NULL)
    g_hash_table_remove_all (self->bans);
  if (self->url_bans != NULL)
    g_hash_table_remove_all (self->url_bans);
}
