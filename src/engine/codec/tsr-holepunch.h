/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-holepunch.h: BEP 55 ut_holepunch message codec. One message is a
 * type, an address (IPv4 or IPv6) with its port, and an error code:
 * 12 bytes for IPv4, 24 for IPv6, all numbers big-endian (8 and 20
 * without the error code).
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

#define TSR_HOLEPUNCH_ERROR (tsr_holepunch_error_quark ())
GQuark tsr_holepunch_error_quark (void);

typedef enum
{
  TSR_HOLEPUNCH_ERROR_MALFORMED,
} TsrHolepunchError;

/* BEP 55 msg_type. */
typedef enum
{
  TSR_HOLEPUNCH_RENDEZVOUS = 0,   /* to a relay: connect me to this peer */
  TSR_HOLEPUNCH_CONNECT    = 1,   /* from a relay: dial this peer now */
  TSR_HOLEPUNCH_ERROR_MSG  = 2,   /* from a relay: the rendezvous failed */
} TsrHolepunchType;

/* BEP 55 err_code of an error message. */
typedef enum
{
  TSR_HOLEPUNCH_OK             = 0,
  TSR_HOLEPUNCH_NO_SUCH_PEER   = 1,   /* the relay knows no such peer */
  TSR_HOLEPUNCH_NOT_CONNECTED  = 2,   /* it is not connected to it */
  TSR_HOLEPUNCH_NO_SUPPORT     = 3,   /* the target does not speak ut_holepunch */
  TSR_HOLEPUNCH_NO_SELF        = 4,   /* the target is the relay itself */
} TsrHolepunchCode;

/* The largest message: IPv6. */
#define TSR_HOLEPUNCH_MAX_SIZE 24

typedef struct
{
  TsrHolepunchType type;
  TsrPeerAddress   address;   /* port 0 is refused */
  guint32          code;      /* TsrHolepunchCode for an error; may be unknown */
} TsrHolepunchMessage;

/* Parses a ut_holepunch payload into @out. The error code may be left
 * out (libtorrent does, but in error messages): it is 0 then. Unknown
 * types, address types and other lengths are errors. */
gboolean    tsr_holepunch_message_parse  (const guint8               *data,
                                          gsize                       length,
                                          TsrHolepunchMessage        *out,
                                          GError                    **error);
GBytes     *tsr_holepunch_message_encode (const TsrHolepunchMessage  *self);
/* A name for @code, for logs and people (translated). */
const char *tsr_holepunch_code_to_string (guint32                     code);

G_END_DECLS
