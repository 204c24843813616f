/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-pex.h: BEP 11 peer exchange (ut_pex) message codec.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

#define TSR_PEX_ERROR (tsr_pex_error_quark ())
GQuark tsr_pex_error_quark (void);

typedef enum
{
  TSR_PEX_ERROR_MALFORMED,
} TsrPexError;

/* BEP 11: at most 50 added and 50 dropped peers per message, and at most
 * one message a minute to a peer. */
#define TSR_PEX_MAX_PEERS    50
#define TSR_PEX_INTERVAL     60
/* Peers read from one message, at most (others send more than 50). */
#define TSR_PEX_MAX_READ     200

/* Flags of an added peer (BEP 11). */
typedef enum
{
  TSR_PEX_FLAG_ENCRYPTION = 0x01,   /* prefers encryption */
  TSR_PEX_FLAG_SEED       = 0x02,   /* seed or upload-only */
  TSR_PEX_FLAG_UTP        = 0x04,
  TSR_PEX_FLAG_HOLEPUNCH  = 0x08,
  TSR_PEX_FLAG_REACHABLE  = 0x10,   /* the sender dialled it: it accepts connections */
} TsrPexFlags;

typedef struct
{
  TsrPeerAddress address;
  guint8         flags;
} TsrPexPeer;

typedef struct
{
  GArray *added;     /* (element-type TsrPexPeer) IPv4 and IPv6 */
  GArray *dropped;   /* (element-type TsrPexPeer) flags 0 */
} TsrPexMessage;

TsrPexMessage *tsr_pex_message_new    (void);
void           tsr_pex_message_free   (TsrPexMessage  *self);
/* Parses a ut_pex payload: "added", "added.f", "added6", "added6.f",
 * "dropped", "dropped6"; missing keys are empty, unknown keys ignored,
 * flags missing for some peers are 0. Past TSR_PEX_MAX_READ peers in a
 * list the rest are ignored. */
TsrPexMessage *tsr_pex_message_parse  (const guint8   *data,
                                       gsize           length,
                                       GError        **error);
GBytes        *tsr_pex_message_encode (const TsrPexMessage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrPexMessage, tsr_pex_message_free)

G_END_DECLS
