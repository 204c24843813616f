/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-send-buffer.h: what one uTP connection has to send: the bytes
 * the application wrote that are not in a packet yet, and the packets
 * sent and not yet acknowledged, by sequence number, with what the
 * connection needs to resend them and to time them. No I/O, no clock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Packets unacknowledged at most (the ring's size). */
#define TSR_UTP_SEND_SLOTS 512

/* One packet sent and not yet acknowledged by ack_nr. */
typedef struct
{
  guint16  seq_nr;
  gboolean fin;             /* the FIN (no payload) */
  gboolean sacked;          /* acknowledged by a selective ACK: not in flight */
  gboolean need_resend;     /* lost: not in flight, to be sent again */
  guint    transmissions;
  gint64   sent_at_us;      /* the last transmission */
  gsize    length;
  guint8   payload[];
} TsrUtpOutPacket;

typedef struct _TsrUtpSendBuffer TsrUtpSendBuffer;

/* @capacity bounds the bytes written and not acknowledged yet. */
TsrUtpSendBuffer *tsr_utp_send_buffer_new          (gsize             capacity);
void              tsr_utp_send_buffer_free         (TsrUtpSendBuffer *self);

/* Copies what fits of @data and returns how many bytes that was. */
gsize             tsr_utp_send_buffer_write        (TsrUtpSendBuffer *self,
                                                    const guint8     *data,
                                                    gsize             length);
/* Room left for writes. */
gsize             tsr_utp_send_buffer_get_space    (TsrUtpSendBuffer *self);
gsize             tsr_utp_send_buffer_get_unsent   (TsrUtpSendBuffer *self);
guint             tsr_utp_send_buffer_get_n_packets (TsrUtpSendBuffer *self);

/* Makes packet @seq_nr of up to @max_payload unsent bytes (none for a
 * FIN), keeps it, and returns it. NULL when its slot is taken (the ring
 * is full). */
TsrUtpOutPacket  *tsr_utp_send_buffer_take        (TsrUtpSendBuffer *self,
                                                    guint16           seq_nr,
                                                    gsize             max_payload,
                                                    gboolean          fin);
/* (nullable): the packet @seq_nr if it is kept. */
TsrUtpOutPacket  *tsr_utp_send_buffer_lookup      (TsrUtpSendBuffer *self,
                                                    guint16           seq_nr);
/* Forgets packet @seq_nr, if kept; its memory is kept for the next. */
void              tsr_utp_send_buffer_remove      (TsrUtpSendBuffer *self,
                                                    guint16           seq_nr);
/* Frees the memory of forgotten packets (the connection is idle). */
void              tsr_utp_send_buffer_trim        (TsrUtpSendBuffer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUtpSendBuffer, tsr_utp_send_buffer_free)

G_END_DECLS
