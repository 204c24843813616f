/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-contacts.c: a budget of queries per DHT node we talk to, so
 * that no node takes us for a flood (libtorrent bans an address that
 * sends it 50 packets in 10 seconds, for five minutes), and a growing
 * pause for a node that does not answer, so that it is not asked again
 * and again. Keyed by address and port: a node's guard counts what it
 * receives, and two nodes behind one address guard themselves apart.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <string.h>

#include "tsr-dht-contacts.h"

typedef struct
{
  guint8  family;
  guint8  address[16];
  guint16 port;
} Key;

typedef struct
{
  Key     key;
  gint64  tokens;         /* budget in millionths of a query */
  gint64  refilled;       /* when the budget was last topped up */
  gint64  last_sent;      /* G_MININT64: never */
  gint64  quiet_until;    /* no query before this (backoff) */
  guint   failures;       /* unanswered in a row */
} Contact;

struct _TsrDhtContacts
{
  GHashTable *contacts;   /* Key → Contact (owned, key inside) */
};

#define ONE_QUERY G_USEC_PER_SEC

static guint
key_hash (gconstpointer data)
{
  const Key *key = data;
  guint hash = key->family * 31 + key->port;
  guint i;

  for (i = 0; i < 16; i++)
    hash = hash * 33 + key->address[i];
  return hash;
}

static gboolean
key_equal (gconstpointer a,
           gconstpointer b)
{
  const Key *x = a;
  const Key *y = b;

  return x->family == y->family && x->port == y->port && memcmp (x->address, y->address, 16) == 0;
}

static void
key_init (Key                  *key,
          const TsrPeerAddress *address)
{
  memset (key, 0, sizeof *key);
  key->family = address->family;
  memcpy (key->address, address->address, address->family == 6 ? 16 : 4);
  key->port = address->port;
}

TsrDhtContacts *
tsr_dht_contacts_new (void)
{
  TsrDhtContacts *self = g_new0 (TsrDhtContacts, 1);

  self->contacts = g_hash_table_new_full (key_hash, key_equal, NULL, g_free);
  return self;
}

void
tsr_dht_contacts_free (TsrDhtContacts *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->contacts);
  g_free (self);
}

static Contact *
find (TsrDhtContacts       *self,
      const TsrPeerAddress *address)
{
  Key key;

  key_init (&key, address);
  return g_hash_table_lookup (self->contacts, &key);
}

static Contact *
find_or_add (TsrDhtContacts       *self,
             const TsrPeerAddress *address,
             gint64                now)
{
  Contact *contact = find (self, address);

  if (contact != NULL)
    return contact;
  /* A bound on what a flood of node lists can make us keep: the idle
   * go first, and if that is not enough, everybody starts afresh. */
  if (g_hash_table_size (self->contacts) >= TSR_DHT_MAX_CONTACTS)
    {
      tsr_dht_contacts_expire (self, now);
      if (g_hash_table_size (self->contacts) >= TSR_DHT_MAX_CONTACTS)
        g_hash_table_remove_all (self->contacts);
    }
  contact = g_new0 (Contact, 1);
  key_init (&contact->key, address);
  contact->tokens = (gint64) TSR_DHT_SEND_BURST * ONE_QUERY;
  contact->refilled = now;
  contact->last_sent = G_MININT64;
  contact->quiet_until = G_MININT64;
  g_hash_table_insert (self->contacts, &contact->key, contact);
  return contact;
}

TsrDhtSend
tsr_dht_contacts_send (TsrDhtContacts       *self,
                       const TsrPeerAddress *address,
                       gint64                now)
{
  Contact *contact;

  g_return_val_if_fail (self != NULL && address != NULL, TSR_DHT_SEND_LATER);

  contact = find_or_add (self, address, now);
  if (now < contact->quiet_until)
    return TSR_DHT_SEND_BACKOFF;
  if (now > contact->refilled)
    {
      contact->tokens = MIN (contact->tokens + (now - contact->refilled) * TSR_DHT_SEND_PER_SECOND,
                             (gint64) TSR_DHT_SEND_BURST * ONE_QUERY);
      contact->refilled = now;
    }
  if (contact->tokens < ONE_QUERY)
    return TSR_DHT_SEND_LATER;
  contact->tokens -= ONE_QUERY;
  contact->last_sent = now;
  return TSR_DHT_SEND_OK;
}

gboolean
tsr_dht_contacts_asked_within (TsrDhtContacts       *self,
                               const TsrPeerAddress *address,
                               gint64                now,
                               guint                 seconds)
{
  Contact *contact;

  g_return_val_if_fail (self != NULL && address != NULL, FALSE);

  contact = find (self, address);
  return contact != NULL && contact->last_sent != G_MININT64 &&
         now - contact->last_sent < (gint64) seconds * G_USEC_PER_SEC;
}

void
tsr_dht_contacts_answered (TsrDhtContacts       *self,
                           const TsrPeerAddress *address,
                           gint64                now)
{
  Contact *contact;

  g_return_if_fail (self != NULL && address != NULL);

  contact = find (self, address);
  if (contact == NULL)
    return;
  contact->failures = 0;
  contact->quiet_until = G_MININT64;
}

void
tsr_dht_contacts_timed_out (TsrDhtContacts       *self,
                            const TsrPeerAddress *address,
                            gint64                now)
{
  Contact *contact;
  gint64 pause = TSR_DHT_BACKOFF_FIRST;
  guint i;

  g_return_if_fail (self != NULL && address != NULL);

  contact = find_or_add (self, address, now);
  contact->failures++;
  for (i = 1; i < contact->failures && pause < TSR_DHT_BACKOFF_MAX; i++)
    pause *= 2;
  pause = MIN (pause, TSR_DHT_BACKOFF_MAX);
  contact->quiet_until = now + pause * G_USEC_PER_SEC;
}

void
tsr_dht_contacts_expire (TsrDhtContacts *self,
                         gint64          now)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (self != NULL);

  g_hash_table_iter_init (&iter, self->contacts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Contact *contact = value;
      gint64 last = MAX (contact->last_sent, contact->quiet_until);

      if (last == G_MININT64 || now - last >= (gint64) TSR_DHT_CONTACT_IDLE * G_USEC_PER_SEC)
        g_hash_table_iter_remove (&iter);
    }
}

guint
tsr_dht_contacts_get_size (TsrDhtContacts *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->contacts);
}
