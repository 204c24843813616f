/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-recv-buffer.h: what one uTP connection has received: the bytes
 * in order that the application has not read yet, the packets that came
 * early (waiting for a hole before them), the last sequence number
 * received in order (the ack_nr to send), the end of the stream (FIN),
 * the window to advertise and the selective ACK that describes the holes.
 * No I/O, no clock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Packets kept past ack_nr + 1 at most; the selective ACK describes the
 * first 8 * TSR_UTP_SACK_MAX of them. */
#define TSR_UTP_RECV_SLOTS 512

typedef enum
{
  TSR_UTP_RECV_IN_ORDER,   /* delivered, with any stored packets it made contiguous */
  TSR_UTP_RECV_STORED,     /* kept until the hole before it fills */
  TSR_UTP_RECV_DUPLICATE,  /* had it already, or it is at or before ack_nr */
  TSR_UTP_RECV_DROPPED,    /* too far ahead, past the FIN, or no room */
} TsrUtpRecvResult;

typedef struct _TsrUtpRecvBuffer TsrUtpRecvBuffer;

/* @ack_nr is the sequence number the peer used last before its first
 * data packet (the SYN's, or one before the acceptor's STATE). At most
 * @capacity bytes are kept, read or not (one packet more at the end). */
TsrUtpRecvBuffer *tsr_utp_recv_buffer_new          (gsize             capacity,
                                                    guint16           ack_nr);
void              tsr_utp_recv_buffer_free         (TsrUtpRecvBuffer *self);
void              tsr_utp_recv_buffer_set_capacity (TsrUtpRecvBuffer *self,
                                                    gsize             capacity);
gsize             tsr_utp_recv_buffer_get_capacity (TsrUtpRecvBuffer *self);

/* A DATA packet's payload (copied). */
TsrUtpRecvResult  tsr_utp_recv_buffer_put          (TsrUtpRecvBuffer *self,
                                                    guint16           seq_nr,
                                                    const guint8     *payload,
                                                    gsize             length);
/* A FIN: the stream ends at @seq_nr. A second FIN at another place is
 * dropped; stored packets past it are forgotten. */
TsrUtpRecvResult  tsr_utp_recv_buffer_put_fin      (TsrUtpRecvBuffer *self,
                                                    guint16           seq_nr);

guint16           tsr_utp_recv_buffer_get_ack_nr   (TsrUtpRecvBuffer *self);
/* Everything up to the FIN has arrived (it may not all be read yet). */
gboolean          tsr_utp_recv_buffer_get_eof      (TsrUtpRecvBuffer *self);
gboolean          tsr_utp_recv_buffer_has_gap      (TsrUtpRecvBuffer *self);
/* Bytes in order, not read yet; and bytes of packets stored early. */
gsize             tsr_utp_recv_buffer_get_unread   (TsrUtpRecvBuffer *self);
gsize             tsr_utp_recv_buffer_get_stored   (TsrUtpRecvBuffer *self);
guint             tsr_utp_recv_buffer_get_n_stored (TsrUtpRecvBuffer *self);
/* The wnd_size to send: the room left, 0 when full. */
guint32           tsr_utp_recv_buffer_get_window   (TsrUtpRecvBuffer *self);
gsize             tsr_utp_recv_buffer_read         (TsrUtpRecvBuffer *self,
                                                    guint8           *buffer,
                                                    gsize             size);
/* Writes the selective ACK for the stored packets into @mask (at least
 * TSR_UTP_SACK_MAX bytes) and returns its length, 0 with no hole. */
guint             tsr_utp_recv_buffer_write_sack   (TsrUtpRecvBuffer *self,
                                                    guint8           *mask);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrUtpRecvBuffer, tsr_utp_recv_buffer_free)

G_END_DECLS
