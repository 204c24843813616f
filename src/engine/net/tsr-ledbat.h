/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-ledbat.h: the congestion controller of one uTP connection: LEDBAT
 * as BEP 29 gives it (a window steered by the one-way queuing delay
 * towards a 50 ms target, halved on loss), with the round-trip time and
 * the retransmission timeout. A state machine: the connection tells it
 * what it saw and when (monotonic microseconds), and asks for the window
 * and the timeout. It reads no clock and does no I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The queuing delay uTP accepts: BEP 29's CCONTROL_TARGET is 100 ms, the
 * most RFC 6817 allows; LEDBAT++ takes 60. Half of BEP 29's: a TCP flow
 * (CUBIC) started beside uTP through a 20 Mbit/s bottleneck, 40 ms round
 * trip, 400 ms queue (tests/bench/utp.sh part 2) got 71 % of the link in
 * its first 5 s with 100 ms, 104 % with 50 (uTP alone: the link full
 * either way, 75 and 46 ms of queue). LEDBAT gives way only to the queue
 * over its target, and a TCP flow out of slow start grows slowly: the
 * lower the target, the sooner the TCP flow's own queue passes it. */
#define TSR_LEDBAT_TARGET_US      50000
/* BEP 29's MAX_CWND_INCREASE_BYTES_PER_RTT, as libutp sets it: the most
 * the window grows in a round trip with no queue at all. */
#define TSR_LEDBAT_GAIN_BYTES     3000
#define TSR_LEDBAT_INITIAL_RTO_US (1 * G_USEC_PER_SEC)
#define TSR_LEDBAT_MIN_RTO_US     (G_USEC_PER_SEC / 2)
/* Doubling stops here (RFC 6298 allows a ceiling of 60 s or more). */
#define TSR_LEDBAT_MAX_RTO_US     (60 * G_USEC_PER_SEC)

typedef struct _TsrLedbat TsrLedbat;

/* The window starts at one packet of @packet_size bytes, in slow start. */
TsrLedbat *tsr_ledbat_new                (guint      packet_size);
void       tsr_ledbat_free               (TsrLedbat *self);
/* The packet size the path takes now: the window never goes below one
 * packet of it. */
void       tsr_ledbat_set_packet_size    (TsrLedbat *self,
                                          guint      packet_size);

/* A packet came in carrying @timestamp_difference_us, the peer's measure
 * of how long our last packet took to reach it, on two unsynchronised
 * clocks (so it wraps, and only its changes mean anything). 0 means the
 * peer has no measure yet, and is ignored. */
void       tsr_ledbat_add_delay_sample   (TsrLedbat *self,
                                          guint32    timestamp_difference_us,
                                          gint64     now_us);
/* The connection had a packet to send and the window would not take it.
 * The window grows only within a second of this: a sender held back by
 * its application or a rate limit must not grow a window it does not
 * use (libutp's rule). */
void       tsr_ledbat_note_window_full   (TsrLedbat *self,
                                          gint64     now_us);
/* @bytes_acked bytes of payload were acknowledged for the first time
 * (by ack_nr or a selective ACK); @flight_size bytes were in flight
 * just before, these included. The window never grows past
 * @flight_size plus what was acked (RFC 6817's max_allowed_cwnd): a
 * window the sender did not fill says nothing about the path. */
void       tsr_ledbat_acked              (TsrLedbat *self,
                                          gsize      bytes_acked,
                                          gsize      flight_size,
                                          gint64     now_us);
/* The round trip of an acknowledged packet that was sent only once
 * (BEP 29: a resent one cannot tell which copy was acked). */
void       tsr_ledbat_add_rtt_sample     (TsrLedbat *self,
                                          gint64     rtt_us);
/* A packet was lost (three duplicate acks, or three packets acked past
 * it). Halves the window, at most once per round trip: TRUE if it did. */
gboolean   tsr_ledbat_lost               (TsrLedbat *self,
                                          gint64     now_us);
/* The retransmission timer ran out: the window falls to one packet,
 * slow start runs again up to half the window before, and the timeout
 * doubles until the next RTT sample. */
void       tsr_ledbat_timed_out          (TsrLedbat *self,
                                          gint64     now_us);

/* Bytes that may be in flight (the peer's wnd_size caps it too). */
gsize      tsr_ledbat_get_window         (TsrLedbat *self);
gint64     tsr_ledbat_get_rto            (TsrLedbat *self);
/* The smoothed round trip and its variance; 0 before the first sample. */
gint64     tsr_ledbat_get_rtt            (TsrLedbat *self);
gint64     tsr_ledbat_get_rtt_var        (TsrLedbat *self);
/* Queuing delay over the base delay (least of the last three samples);
 * -1 before the first sample. */
gint64     tsr_ledbat_get_queuing_delay  (TsrLedbat *self);
gboolean   tsr_ledbat_in_slow_start      (TsrLedbat *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrLedbat, tsr_ledbat_free)

G_END_DECLS
