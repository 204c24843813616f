/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-extension.h: BEP 10, the extension protocol's handshake: which
 * extensions a peer speaks (and under which message ids), its client name,
 * its listening port, how many requests it queues, and the address it
 * sees us at. A pure codec: bytes in, a struct or a GError out.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TSR_EXTENSION_ERROR (tsr_extension_error_quark ())
GQuark tsr_extension_error_quark (void);

typedef enum
{
  TSR_EXTENSION_ERROR_MALFORMED,
} TsrExtensionError;

/* The requests we queue for a peer, and tell it (BEP 10 "reqq"). */
#define TSR_EXTENSION_OUR_REQQ 2000

typedef struct
{
  GHashTable  *extensions;   /* (owned) name → message id (GUINT_TO_POINTER), 0s dropped */
  char        *client;       /* (owned) (nullable) "v", as valid UTF-8 */
  guint16      port;         /* "p": its listening port, 0 when not given */
  guint        reqq;         /* "reqq": requests it queues, 0 when not given */
  GInetAddress *your_ip;     /* (owned) (nullable) "yourip": how it sees us */
  gint64       metadata_size; /* "metadata_size" (BEP 9), -1 when not given */
} TsrExtensionHandshake;

TsrExtensionHandshake *tsr_extension_handshake_new   (void);
void                   tsr_extension_handshake_free  (TsrExtensionHandshake *self);

/* Parses the payload of extended message 0. Unknown keys are ignored;
 * wrong types for known keys are errors. */
TsrExtensionHandshake *tsr_extension_handshake_parse (const guint8          *data,
                                                      gsize                  length,
                                                      GError               **error);
/* Encodes @self (its "extensions" as "m"); @your_ip may be NULL. */
GBytes                *tsr_extension_handshake_encode (const TsrExtensionHandshake *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrExtensionHandshake, tsr_extension_handshake_free)

G_END_DECLS
