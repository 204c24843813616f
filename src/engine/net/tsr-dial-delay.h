/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-dial-delay.h: how long a dial gives uTP before TCP is tried beside
 * it, RFC 8305 "happy eyeballs" (Connection Attempt Delay 250 ms) fitted
 * to the path, since a peer whose UDP port is silent (no uTP: aria2, a
 * libtorrent with uTP off, old clients) makes every first dial there wait
 * the whole delay:
 *
 *  - loopback, link-local and private addresses (127/8, 10/8, 172.16/12,
 *    192.168/16, 169.254/16, ::1, fc00::/7, fe80::/10): the round trip is
 *    a millisecond at most, TSR_DIAL_DELAY_LOCAL_MS;
 *  - others: twice the 90th percentile of the last TSR_DIAL_DELAY_SAMPLES
 *    uTP connect times to such addresses, within [TSR_DIAL_DELAY_MIN_MS,
 *    TSR_DIAL_DELAY_MAX_MS]; TSR_DIAL_DELAY_DEFAULT_MS before any;
 *  - and once TCP carried TSR_DIAL_DELAY_STREAK dials in a row where uTP
 *    was tried too (the swarm's peers lack uTP, or a firewall drops UDP),
 *    half of that, not under TSR_DIAL_DELAY_STREAK_MIN_MS, until uTP
 *    carries a dial again. Peers whose uTP answers within it still win.
 *
 * Local addresses are neither sampled nor counted: their delay is fixed,
 * and their round trips would hide the internet's. Pure bookkeeping: the
 * dialer gives the times, nothing reads a clock.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"

G_BEGIN_DECLS

#define TSR_DIAL_DELAY_LOCAL_MS       25
#define TSR_DIAL_DELAY_DEFAULT_MS     250
#define TSR_DIAL_DELAY_MIN_MS         100
/* Below uTP's first SYN resend (1 s), which a peer without uTP never answers. */
#define TSR_DIAL_DELAY_MAX_MS         800
#define TSR_DIAL_DELAY_STREAK_MIN_MS  50
#define TSR_DIAL_DELAY_SAMPLES        32
#define TSR_DIAL_DELAY_STREAK         4

typedef struct _TsrDialDelay TsrDialDelay;

TsrDialDelay *tsr_dial_delay_new           (void);
void          tsr_dial_delay_free          (TsrDialDelay         *self);
/* Loopback, link-local or private (the list above). */
gboolean      tsr_dial_delay_is_local      (const TsrPeerAddress *address);
/* uTP carried a dial to @address, @connect_us after its SYN went: a
 * sample, and the end of a TCP streak. */
void          tsr_dial_delay_utp_connected (TsrDialDelay         *self,
                                            const TsrPeerAddress *address,
                                            gint64                connect_us);
/* TCP carried a dial to @address where uTP was tried too. */
void          tsr_dial_delay_tcp_won       (TsrDialDelay         *self,
                                            const TsrPeerAddress *address);
/* Milliseconds a uTP dial to @address has before TCP. */
guint         tsr_dial_delay_get_ms        (TsrDialDelay         *self,
                                            const TsrPeerAddress *address);
/* Dials in a row that TCP carried though uTP was tried. */
guint         tsr_dial_delay_get_tcp_streak (TsrDialDelay        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrDialDelay, tsr_dial_delay_free)

G_END_DECLS
