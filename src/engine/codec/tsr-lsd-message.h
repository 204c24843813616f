/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd-message.h: the BEP 14 BT-SEARCH datagram, built and parsed
 * (no I/O). TsrLsd (tsr-lsd.h) sends and hears them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest datagram accepted (and ever built): fits an Ethernet frame
 * behind any tunnel. */
#define TSR_LSD_MAX_MESSAGE 1400
/* Most info hashes in one message; 20 lines of 50 bytes stay well under
 * TSR_LSD_MAX_MESSAGE. */
#define TSR_LSD_MAX_HASHES  20
/* Longest cookie accepted. */
#define TSR_LSD_MAX_COOKIE  64

#define TSR_LSD_ERROR (tsr_lsd_error_quark ())
GQuark tsr_lsd_error_quark (void);

typedef enum
{
  TSR_LSD_ERROR_TOO_LARGE,        /* over TSR_LSD_MAX_MESSAGE bytes */
  TSR_LSD_ERROR_MALFORMED,        /* NUL or control bytes, a line without a colon, a repeated Port */
  TSR_LSD_ERROR_NOT_SEARCH,       /* the first line is not "BT-SEARCH * HTTP/1.1" */
  TSR_LSD_ERROR_NO_PORT,
  TSR_LSD_ERROR_BAD_PORT,         /* not a number from 1 to 65535 */
  TSR_LSD_ERROR_NO_INFOHASH,
  TSR_LSD_ERROR_BAD_INFOHASH,     /* not 40 hex digits */
  TSR_LSD_ERROR_TOO_MANY_HASHES,  /* more than TSR_LSD_MAX_HASHES */
  TSR_LSD_ERROR_BAD_COOKIE,       /* empty or longer than TSR_LSD_MAX_COOKIE */
} TsrLsdError;

typedef struct
{
  guint16  port;                              /* the sender's BitTorrent port, never 0 */
  guint    n_hashes;                          /* 1 to TSR_LSD_MAX_HASHES, no repeats */
  guint8   hashes[TSR_LSD_MAX_HASHES][20];
  char    *cookie;                            /* (nullable): absent from the message */
} TsrLsdMessage;

/* Returns: (transfer full): the BT-SEARCH message for @n_hashes info
 * hashes (20 bytes each, 1 to TSR_LSD_MAX_HASHES of them, back to back),
 * CRLF line ends. @host is the Host header: "239.192.152.143:6771" or
 * "[ff15::efc0:988f]:6771". @cookie (nullable) is a token without spaces
 * or control characters, at most TSR_LSD_MAX_COOKIE bytes. */
char          *tsr_lsd_message_build (const char         *host,
                                      guint16             port,
                                      const guint8       *hashes,
                                      guint               n_hashes,
                                      const char         *cookie);
/* Parses one datagram. Header names in any case, CRLF or LF line ends;
 * unknown headers (Host among them) are ignored, a repeated info hash is
 * kept once. */
TsrLsdMessage *tsr_lsd_message_parse (const guint8       *data,
                                      gsize               length,
                                      GError            **error);
void           tsr_lsd_message_free  (TsrLsdMessage      *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrLsdMessage, tsr_lsd_message_free)

G_END_DECLS
