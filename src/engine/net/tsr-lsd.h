/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-lsd.h: BEP 14 Local Service Discovery. A codec for the BT-SEARCH
 * datagram (no I/O), and TsrLsd, which announces our torrents to the
 * local network's multicast groups and reports the peers it hears of.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* BEP 14: the well-known groups and port. */
#define TSR_LSD_GROUP4 "239.192.152.143"
#define TSR_LSD_GROUP6 "ff15::efc0:988f"
#define TSR_LSD_PORT   6771

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

/* ------------------------------------------------------------------ */
/* The service                                                         */

#define TSR_TYPE_LSD (tsr_lsd_get_type ())
G_DECLARE_FINAL_TYPE (TsrLsd, tsr_lsd, TSR, LSD, GObject)

/* Joins both BEP 14 groups on the default interface. Each group is
 * optional: one that cannot be joined (no IPv6, no multicast route) is
 * noted once in the debug log and the other carries on. A @listen_port of
 * 0 announces nothing until tsr_lsd_set_listen_port().
 *
 * Signal "peer" (const char *info_hash, const char *address): a host on
 * the link has a torrent we hold. @info_hash is 40 lowercase hex digits;
 * @address is "host:port" (IPv6: "[host]:port", with "%interface" after a
 * link-local host), from the datagram's source and its Port header. Our
 * own messages (by cookie) and hashes we do not hold are never reported. */
TsrLsd     *tsr_lsd_new             (guint16       listen_port);
/* For tests: other groups (either NULL: that family stays off), another
 * LSD port, and @interface (nullable: the default route's), the interface
 * to join and send on ("lo"). TTL and hop limit are 1 whatever these. */
TsrLsd     *tsr_lsd_new_full        (guint16       listen_port,
                                     const char   *group4,
                                     const char   *group6,
                                     guint16       lsd_port,
                                     const char   *interface);

guint16     tsr_lsd_get_listen_port (TsrLsd       *self);
/* A new port: every torrent is announced again. */
void        tsr_lsd_set_listen_port (TsrLsd       *self,
                                     guint16       listen_port);
/* Whether the group of @family (G_SOCKET_FAMILY_IPV4 or _IPV6) was
 * joined. */
gboolean    tsr_lsd_is_joined       (TsrLsd       *self,
                                     GSocketFamily family);
/* Our cookie, which marks our messages. */
const char *tsr_lsd_get_cookie      (TsrLsd       *self);

/* Announces @info_hash (20 bytes) soon, then every 5 minutes (BEP 14),
 * and reports peers for it. Adding a held hash again does nothing. */
void        tsr_lsd_add_torrent     (TsrLsd       *self,
                                     const guint8 *info_hash);
void        tsr_lsd_remove_torrent  (TsrLsd       *self,
                                     const guint8 *info_hash);

G_END_DECLS
