/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-writer.h: the send side of a peer connection. Messages and
 * blocks are queued in the order given and leave together in one
 * vectored write per turn of the main loop, under a shared upload limit;
 * with RC4 on, bytes are encrypted as they join the queue. The writer
 * speaks to its owner only through a table of functions.
 */
#pragma once

#include <gio/gio.h>

#include "tsr-limiter.h"
#include "tsr-mse-crypto.h"
#include "tsr-wire.h"

G_BEGIN_DECLS

/* Seconds without writing before a keep-alive (BEP 3: peers drop at 120). */
#define TSR_PEER_WRITER_KEEPALIVE_AFTER 110

typedef struct _TsrPeerWriter TsrPeerWriter;

/* How the writer reports to its owner, on the main context. Neither is
 * called once the writer was closed or freed. */
typedef struct
{
  /* A write completed: @bytes reached the stream, there is room for more. */
  void (*written) (gsize         bytes,
                   gpointer      user_data);
  /* A write failed (never for a cancellation): @error is the stream's,
   * a G_IO_ERROR. Reported once; the writer writes nothing after it. */
  void (*failed)  (const GError *error,
                   gpointer      user_data);
} TsrPeerWriterFuncs;

/* A writer with no stream yet: what is sent waits for
 * tsr_peer_writer_set_stream(). Its writes are cancelled through
 * @cancellable, the owner's (one fewer object per connection), or through
 * its own when NULL; closing the writer cancels it. */
TsrPeerWriter *tsr_peer_writer_new            (const TsrPeerWriterFuncs *funcs,
                                               gpointer                  user_data,
                                               GCancellable             *cancellable);
/* A write in flight is cancelled; nothing is reported. */
void           tsr_peer_writer_free           (TsrPeerWriter            *self);
/* Where the bytes go (once); what waits goes out at the next idle. */
void           tsr_peer_writer_set_stream     (TsrPeerWriter            *self,
                                               GOutputStream            *stream);
/* The shared upload limit (nullable): each write takes what it allows,
 * one buffer at least, and the next waits until it has tokens again. */
void           tsr_peer_writer_set_limiter    (TsrPeerWriter            *self,
                                               TsrLimiter               *limiter);
/* MSE: what is sent from now on is encrypted with @encrypt (owned;
 * NULL: plaintext). */
void           tsr_peer_writer_set_cipher     (TsrPeerWriter            *self,
                                               TsrRc4                   *encrypt);
/* Stops for good: a write in flight is cancelled, nothing more is
 * written or reported. What was queued stays counted. */
void           tsr_peer_writer_close          (TsrPeerWriter            *self);

/* Queues a message (small ones are gathered into one buffer). */
void           tsr_peer_writer_send           (TsrPeerWriter            *self,
                                               const TsrWireMessage     *message);
/* Queues a piece message whose payload is @block, written from its own
 * buffer (copied only to encrypt it). */
void           tsr_peer_writer_send_block     (TsrPeerWriter            *self,
                                               guint32                   index,
                                               guint32                   begin,
                                               GBytes                   *block);
/* Queues our BitTorrent handshake. */
void           tsr_peer_writer_send_handshake (TsrPeerWriter            *self,
                                               const TsrWireHandshake   *ours);
/* Queues @bytes (owned, nullable: nothing) as they are, such as MSE's
 * handshake; encrypted only once a cipher is set. */
void           tsr_peer_writer_take_bytes     (TsrPeerWriter            *self,
                                               GBytes                   *bytes);
/* BEP 3: queues a keep-alive when nothing was written for
 * TSR_PEER_WRITER_KEEPALIVE_AFTER seconds before @now (monotonic µs);
 * the stream being set counts as a write. */
void           tsr_peer_writer_keep_alive     (TsrPeerWriter            *self,
                                               gint64                    now);

/* Bytes queued and not yet written to the stream. */
guint64        tsr_peer_writer_get_queued     (TsrPeerWriter            *self);
/* Bytes written to the stream so far. */
guint64        tsr_peer_writer_get_written    (TsrPeerWriter            *self);

G_END_DECLS
