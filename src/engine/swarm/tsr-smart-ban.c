/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-smart-ban.c: per piece in progress, the addresses that sent its
 * blocks (and, after a failure with several senders, the suspects and
 * the one peer now allowed to send it); per address, strikes. Tables are
 * made at the first entry: an idle torrent pays one pointer.
 */
#define G_LOG_DOMAIN "tsr-smart-ban"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-smart-ban.h"

typedef struct
{
  GArray         *senders;     /* (element-type TsrPeerAddress) peers that sent blocks */
  GArray         *suspects;    /* (nullable) (element-type TsrPeerAddress) senders of a failed copy */
  gboolean        exclusive;   /* after a shared failure: one peer sends it all */
  gboolean        owned;
  TsrPeerAddress  owner;       /* valid when owned */
} PieceRecord;

struct _TsrSmartBan
{
  const TsrSmartBanFuncs *funcs;
  gpointer                user_data;
  GHashTable             *pieces;    /* (nullable) index → PieceRecord (owned) */
  GHashTable             *strikes;   /* (nullable) TsrPeerAddress (owned) → count */
  guint                   n_exclusive; /* records with exclusive set: none, and any peer may ask */
  /* The record looked up last: every block of a piece is "sent". */
  guint                   last_index;
  PieceRecord            *last;      /* (nullable) */
};

static void
piece_record_free (PieceRecord *record)
{
  g_array_unref (record->senders);
  g_clear_pointer (&record->suspects, g_array_unref);
  g_free (record);
}

TsrSmartBan *
tsr_smart_ban_new (const TsrSmartBanFuncs *funcs,
                   gpointer                user_data)
{
  TsrSmartBan *self = g_new0 (TsrSmartBan, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  return self;
}

void
tsr_smart_ban_free (TsrSmartBan *self)
{
  g_clear_pointer (&self->pieces, g_hash_table_unref);
  g_clear_pointer (&self->strikes, g_hash_table_unref);
  g_free (self);
}

static PieceRecord *
lookup (TsrSmartBan *self,
        guint        index)
{
  if (self->pieces == NULL)
    return NULL;
  if (self->last == NULL || self->last_index != index)
    {
      self->last = g_hash_table_lookup (self->pieces, GUINT_TO_POINTER (index));
      self->last_index = index;
    }
  return self->last;
}

static PieceRecord *
ensure (TsrSmartBan *self,
        guint        index)
{
  PieceRecord *record = lookup (self, index);

  if (record != NULL)
    return record;
  if (self->pieces == NULL)
    self->pieces = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) piece_record_free);
  record = g_new0 (PieceRecord, 1);
  record->senders = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  g_hash_table_insert (self->pieces, GUINT_TO_POINTER (index), record);
  self->last_index = index;
  self->last = record;
  return record;
}

static gboolean
has_address (GArray               *addresses,
             const TsrPeerAddress *address)
{
  guint i;

  for (i = 0; addresses != NULL && i < addresses->len; i++)
    if (tsr_peer_address_equal (&g_array_index (addresses, TsrPeerAddress, i), address))
      return TRUE;
  return FALSE;
}

guint
tsr_smart_ban_get_strikes (TsrSmartBan          *self,
                           const TsrPeerAddress *address)
{
  return self->strikes != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (self->strikes, address)) : 0;
}

static void
set_strikes (TsrSmartBan          *self,
             const TsrPeerAddress *address,
             guint                 strikes)
{
  if (self->strikes == NULL)
    self->strikes = g_hash_table_new_full (tsr_peer_address_hash, tsr_peer_address_equal, g_free, NULL);
  if (strikes == 0)
    g_hash_table_remove (self->strikes, address);
  else
    g_hash_table_insert (self->strikes, tsr_peer_address_dup (address), GUINT_TO_POINTER (strikes));
}

void
tsr_smart_ban_sent (TsrSmartBan          *self,
                    guint                 index,
                    const TsrPeerAddress *address)
{
  PieceRecord *record = ensure (self, index);

  if (!has_address (record->senders, address))
    g_array_append_val (record->senders, *address);
}

void
tsr_smart_ban_failed (TsrSmartBan *self,
                      guint        index)
{
  PieceRecord *record = lookup (self, index);
  guint i;

  if (record == NULL)
    return;
  for (i = 0; i < record->senders->len; i++)
    {
      const TsrPeerAddress *address = &g_array_index (record->senders, TsrPeerAddress, i);
      guint strikes = tsr_smart_ban_get_strikes (self, address) + 1;

      set_strikes (self, address, strikes);
      if (record->senders->len == 1)
        {
          g_autofree char *reason = g_strdup_printf (_("sent piece %u, which failed its hash check"), index);

          self->funcs->ban (address, reason, self->user_data);
        }
      else if (strikes >= TSR_SMART_BAN_STRIKES)
        {
          /* TRANSLATORS: why a peer was banned */
          g_autofree char *reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                  "took part in %u piece that failed its hash check",
                                                                  "took part in %u pieces that failed their hash check",
                                                                  strikes), strikes);

          self->funcs->ban (address, reason, self->user_data);
        }
    }
  if (record->senders->len > 1)
    {
      if (!record->exclusive)
        self->n_exclusive++;
      record->exclusive = TRUE;
      if (record->suspects == NULL)
        record->suspects = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
      g_array_append_vals (record->suspects, record->senders->data, record->senders->len);
    }
  record->owned = FALSE;
  g_array_set_size (record->senders, 0);
}

void
tsr_smart_ban_passed (TsrSmartBan *self,
                      guint        index)
{
  PieceRecord *record = lookup (self, index);
  g_autoptr(GArray) culprits = NULL;
  guint i;

  if (record == NULL)
    return;
  for (i = 0; i < record->senders->len; i++)
    {
      const TsrPeerAddress *address = &g_array_index (record->senders, TsrPeerAddress, i);
      guint strikes = tsr_smart_ban_get_strikes (self, address);

      if (strikes > 0)
        set_strikes (self, address, strikes - 1);
    }
  culprits = g_array_new (FALSE, FALSE, sizeof (TsrPeerAddress));
  for (i = 0; record->suspects != NULL && i < record->suspects->len; i++)
    {
      const TsrPeerAddress *address = &g_array_index (record->suspects, TsrPeerAddress, i);

      if (!has_address (record->senders, address) && !has_address (culprits, address))
        g_array_append_val (culprits, *address);
    }
  for (i = 0; i < culprits->len; i++)
    {
      const TsrPeerAddress *address = &g_array_index (culprits, TsrPeerAddress, i);
      guint strikes = tsr_smart_ban_get_strikes (self, address) + 1;

      set_strikes (self, address, strikes);
      if (culprits->len == 1 || strikes >= TSR_SMART_BAN_STRIKES)
        {
          g_autofree char *reason = g_strdup_printf (_("sent corrupt data for piece %u (it passed without it)"),
                                                     index);

          self->funcs->ban (address, reason, self->user_data);
        }
    }
  if (record->exclusive)
    self->n_exclusive--;
  self->last = NULL;
  g_hash_table_remove (self->pieces, GUINT_TO_POINTER (index));
}

gboolean
tsr_smart_ban_may_ask (TsrSmartBan          *self,
                       guint                 index,
                       const TsrPeerAddress *address)
{
  PieceRecord *record;

  if (self->n_exclusive == 0)
    return TRUE;
  record = lookup (self, index);
  return record == NULL || !record->exclusive || !record->owned || tsr_peer_address_equal (&record->owner, address);
}

void
tsr_smart_ban_claim (TsrSmartBan          *self,
                     guint                 index,
                     const TsrPeerAddress *address)
{
  PieceRecord *record = lookup (self, index);

  if (record != NULL && record->exclusive && !record->owned)
    {
      record->owner = *address;
      record->owned = TRUE;
    }
}

gboolean
tsr_smart_ban_get_owner (TsrSmartBan    *self,
                         guint           index,
                         TsrPeerAddress *owner)
{
  PieceRecord *record = lookup (self, index);

  if (record == NULL || !record->exclusive || !record->owned)
    return FALSE;
  *owner = record->owner;
  return TRUE;
}

void
tsr_smart_ban_release (TsrSmartBan          *self,
                       const TsrPeerAddress *address)
{
  GHashTableIter iter;
  gpointer value;

  if (self->pieces == NULL)
    return;
  g_hash_table_iter_init (&iter, self->pieces);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PieceRecord *record = value;

      if (record->owned && tsr_peer_address_equal (&record->owner, address))
        record->owned = FALSE;
    }
}

void
tsr_smart_ban_forget_pieces (TsrSmartBan *self)
{
  self->last = NULL;
  self->n_exclusive = 0;
  if (self->pieces != NULL)
    g_hash_table_remove_all (self->pieces);
}

void
tsr_smart_ban_clear_strikes (TsrSmartBan *self)
{
  if (self->strikes != NULL)
    g_hash_table_remove_all (self->strikes);
}
