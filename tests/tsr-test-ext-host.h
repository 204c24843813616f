/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-ext-host.h: a real extension host (swarm/tsr-extensions.c)
 * over fake connections, for the tests of the host and its extensions:
 * it records what the host is told to send and to whom, logs what it
 * reports (closes, handshakes, learned addresses), and keeps a clock the
 * test moves. No sockets.
 */
#pragma once

#include <glib.h>

#include "tsr-bitfield.h"
#include "tsr-extensions.h"
#include "tsr-metainfo.h"
#include "tsr-peer-address.h"

G_BEGIN_DECLS

/* One fake connection. */
typedef struct
{
  const char  *name;
  TsrBitfield *have;          /* (owned) (nullable) */
  gboolean     closed;
  char        *close_reason;  /* (owned) (nullable) */
  TsrExtPeer  *peer;          /* (nullable) while added */
} TsrTestConn;

/* One message the host sent, handshakes included. */
typedef struct
{
  TsrTestConn *conn;
  TsrWireType  type;
  guint8       id;         /* extended_id or unknown_id */
  GBytes      *payload;    /* (owned) */
} TsrTestSent;

typedef struct
{
  TsrExtensions *host;        /* (owned) */
  gint64         now;         /* monotonic seconds, the host's clock */
  GPtrArray     *sent;        /* (element-type TsrTestSent) */
  GString       *log;         /* host reports, one line each: "close a", "handshake ...", "learned ..." */
  TsrMetainfo   *metainfo;    /* (owned) (nullable) the last one reported */
  guint          n_metainfo;
} TsrTestExtHost;

/* At 1000 s, nothing sent. A close removes the peer at once, as the
 * torrent does. */
void            tsr_test_ext_host_init     (TsrTestExtHost *self);
void            tsr_test_ext_host_clear    (TsrTestExtHost *self);
/* Adds @conn, from @address, its BitTorrent handshake done (@dialed: we
 * dialled it), speaking BEP 10. */
void            tsr_test_ext_host_add_conn (TsrTestExtHost *self,
                                            TsrTestConn    *conn,
                                            const char     *address,
                                            gboolean        dialed);
/* Their BEP 10 handshake (client "Fake 1.0", reqq 250): @name and id
 * pairs end at NULL. */
void            tsr_test_ext_host_receive_handshake (TsrTestExtHost *self,
                                                     TsrTestConn    *conn,
                                                     guint16         port,
                                                     gint64          metadata_size,
                                                     const char     *name,
                                                     ...);
void            tsr_test_ext_host_receive_extended  (TsrTestExtHost *self,
                                                     TsrTestConn    *conn,
                                                     guint8          id,
                                                     GBytes         *payload);
TsrTestSent    *tsr_test_ext_host_sent_at  (TsrTestExtHost *self,
                                            guint           i);
void            tsr_test_conn_clear        (TsrTestConn    *conn);
TsrPeerAddress  tsr_test_address_of        (const char     *text);

G_END_DECLS
