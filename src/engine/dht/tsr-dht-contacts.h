/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dht-contacts.h: how often we may query one DHT node. Other nodes
 * guard themselves against floods: libtorrent drops every packet from an
 * address that sent it 50 in 10 seconds (dht_block_ratelimit, 5 a
 * second) and then ignores it for five minutes (dht_block_timeout). So
 * each address we query gets a small budget that refills slowly, and one
 * that stops answering is left alone for longer and longer. Pure: the
 * caller gives the time.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* At most this many queries to one address at once, then this many a
 * second: 3 + 2 × 10 = 23 in any 10 seconds, under half of libtorrent's
 * 50, which leaves room for our answers to its own queries. */
#define TSR_DHT_SEND_BURST      3
#define TSR_DHT_SEND_PER_SECOND 2
/* After an unanswered query the address is left alone for 4 seconds,
 * doubled for each further one in a row, up to 5 minutes. */
#define TSR_DHT_BACKOFF_FIRST   4
#define TSR_DHT_BACKOFF_MAX     300
/* Addresses are forgotten after 10 minutes of silence both ways. */
#define TSR_DHT_CONTACT_IDLE    600
#define TSR_DHT_MAX_CONTACTS    8192

typedef enum
{
  TSR_DHT_SEND_OK,        /* sent: counted against the budget */
  TSR_DHT_SEND_LATER,     /* budget spent: try again in a moment */
  TSR_DHT_SEND_BACKOFF,   /* it stopped answering: do not wait for it */
} TsrDhtSend;

typedef struct _TsrDhtContacts TsrDhtContacts;

TsrDhtContacts *tsr_dht_contacts_new       (void);
void            tsr_dht_contacts_free      (TsrDhtContacts       *self);
/* Whether a query may go to @address at @now (microseconds of a
 * monotonic clock); TSR_DHT_SEND_OK counts it as sent. */
TsrDhtSend      tsr_dht_contacts_send      (TsrDhtContacts       *self,
                                            const TsrPeerAddress *address,
                                            gint64                now);
/* TRUE when a query went to @address less than @seconds ago. */
gboolean        tsr_dht_contacts_asked_within (TsrDhtContacts       *self,
                                               const TsrPeerAddress *address,
                                               gint64                now,
                                               guint                 seconds);
/* @address answered: the backoff ends. */
void            tsr_dht_contacts_answered  (TsrDhtContacts       *self,
                                            const TsrPeerAddress *address,
                                            gint64                now);
/* A query to @address went unanswered: the backoff grows. */
void            tsr_dht_contacts_timed_out (TsrDhtContacts       *self,
                                            const TsrPeerAddress *address,
                                            gint64                now);
/* Forgets addresses idle for TSR_DHT_CONTACT_IDLE seconds. */
void            tsr_dht_contacts_expire    (TsrDhtContacts       *self,
                                            gint64                now);
guint           tsr_dht_contacts_get_size  (TsrDhtContacts       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDhtContacts, tsr_dht_contacts_free)

G_END_DECLS
