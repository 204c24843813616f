/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-utp-link.h: two uTP connections back to back through a fake
 * link, for test-utp-conn: a virtual clock (starting just before the
 * 32-bit microsecond timestamps wrap), a one-way delay, and a filter
 * that drops, delays, duplicates or rewrites chosen datagrams,
 * deterministically, and optionally a bottleneck from end 0 to end 1:
 * a queue served at a fixed rate, dropping what overflows it. End 0 dials; end 1 is made, as a socket would,
 * from the first SYN that reaches it. Every datagram sent is logged.
 */
#pragma once

#include <glib.h>

#include "tsr-utp-conn.h"

G_BEGIN_DECLS

#define MS      1000
#define SECOND  G_USEC_PER_SEC
#define MIB     (1024 * 1024)
/* The initiator's receive id and both sides' first sequence numbers:
 * near the wrap. */
#define CONN_ID 65535
#define SEQ_A   65000
#define SEQ_B   65400

typedef enum
{
  TSR_TEST_FATE_DELIVER,
  TSR_TEST_FATE_DROP,
  TSR_TEST_FATE_DUPLICATE,
} TsrTestFate;

typedef struct _TsrTestLink TsrTestLink;

/* One datagram as it was sent, for the tests to look back on. */
typedef struct
{
  gint64      at;
  guint       from;
  TsrUtpType  type;
  guint16     connection_id;
  guint16     seq_nr;
  guint16     ack_nr;
  guint32     wnd_size;
  guint       sack_length;
  gsize       payload_length;
  guint       transmission;   /* DATA and FIN: 1 the first time this seq_nr went */
  TsrTestFate fate;
  gint64      queued;         /* time it waited in the bottleneck's queue */
} TsrTestSent;

/* One side: its connection and the application on it. */
typedef struct
{
  TsrTestLink  *link;
  guint         index;
  TsrUtpConn   *conn;                       /* (owned) (nullable) until end 1 gets a SYN */
  GByteArray   *received;                   /* what the application read */
  gboolean      read_paused;
  const guint8 *source;                     /* what it writes, as room allows */
  gsize         source_length;
  gsize         written;
  gboolean      close_when_written;
  gboolean      close_on_eof;
  gsize         recv_buffer;                /* 0 for the default */
  gboolean      connected;
  guint         n_closed;
  GError       *error;                      /* the one `closed` gave */
  gsize         max_in_flight_over_window;  /* times a DATA left with more in flight than the window allows */
  GHashTable   *transmissions;              /* seq_nr -> times sent */
} TsrTestEnd;

/* A datagram on its way out, as the filter sees it: the filter may
 * rewrite @data in place (it has room for TSR_UTP_CONN_DATAGRAM_MAX
 * bytes), setting @length, and add to @extra_delay. */
typedef struct
{
  const TsrTestSent *sent;   /* as parsed before the filter */
  guint8            *data;
  gsize              length;
  gint64             extra_delay;
} TsrTestOutgoing;

/* Decides a datagram's fate. */
typedef TsrTestFate (*TsrTestFilter) (TsrTestLink     *link,
                                      TsrTestOutgoing *out);

/* A TCP bulk flow beside end 0, through the same bottleneck (see
 * tsr_test_link_start_tcp): Linux's default, CUBIC with HyStart, its
 * window in bytes. */
typedef struct
{
  gboolean on;
  gdouble  window;
  gdouble  slow_start_limit;
  gsize    in_flight;
  gint64   cut_until;          /* losses before this are the same event */
  gint64   min_rtt;
  /* CUBIC's epoch: W(t) = origin + C (t - k)^3, from epoch_start. */
  gint64   epoch_start;        /* 0: none yet */
  gdouble  last_max;
  gdouble  origin;
  gdouble  k;                  /* seconds */
  gdouble  reno_window;        /* its TCP-friendly estimate */
  /* HyStart: the least RTT of a round's first samples, against min_rtt. */
  gint64   round_end;
  gint64   round_min;
  guint    round_samples;
  guint64  delivered;          /* payload bytes through the bottleneck */
  guint    lost;
  gint64   slow_start_ended;   /* 0 while in it */
} TsrTestTcp;

struct _TsrTestLink
{
  gint64        now;
  gint64        delay;
  TsrTestEnd    ends[2];
  GList        *queue;        /* datagrams on the way, by arrival */
  guint64       order;
  GArray       *log;          /* TsrTestSent */
  TsrTestFilter filter;       /* (nullable) */
  gpointer      filter_data;
  /* The bottleneck from end 0 to end 1 (after the filter): bytes a
   * second, 0 for none, and the bytes its queue holds (a datagram that
   * would take it past that is dropped). */
  gint64        bottleneck_rate;
  gsize         bottleneck_queue;
  gint64        bottleneck_free_at;  /* when it has sent all it holds */
  TsrTestTcp    tcp;
};

TsrTestLink       *tsr_test_link_new              (gint64              delay);
void               tsr_test_link_free             (TsrTestLink        *link);
/* End 0 dials end 1 (CONN_ID, SEQ_A). */
void               tsr_test_link_connect          (TsrTestLink        *link);
/* Runs the clock from event to event until @until, or until @done says
 * so; FALSE if it ran out of events (or time) first. A timer that ran
 * must not be due any more. */
gboolean           tsr_test_link_run              (TsrTestLink        *link,
                                                   gint64              until,
                                                   gboolean          (*done) (TsrTestLink *link));
gboolean           tsr_test_link_both_connected   (TsrTestLink        *link);
gboolean           tsr_test_link_both_closed      (TsrTestLink        *link);
gboolean           tsr_test_link_first_closed     (TsrTestLink        *link);
guint              tsr_test_link_count_sent       (TsrTestLink        *link,
                                                   guint               from,
                                                   TsrUtpType          type);
/* (nullable): the last datagram of @type end @from sent. */
const TsrTestSent *tsr_test_link_last_sent        (TsrTestLink        *link,
                                                   guint               from,
                                                   TsrUtpType          type);
/* Hands @packet to end @to's connection now, as if from its peer. */
void               tsr_test_link_inject           (TsrTestLink        *link,
                                                   guint               to,
                                                   const TsrUtpPacket *packet);

/* The application reads all it can, closing at the end of the stream
 * if it should; writes what fits of its source, closing after the last
 * byte if it should. */
void               tsr_test_link_start_tcp        (TsrTestLink        *link);

void               tsr_test_end_read              (TsrTestEnd         *end);
void               tsr_test_end_write             (TsrTestEnd         *end);
void               tsr_test_end_set_source        (TsrTestEnd         *end,
                                                   GBytes             *data,
                                                   gboolean            close_when_written);
void               tsr_test_end_assert_received   (TsrTestEnd         *end,
                                                   GBytes             *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrTestLink, tsr_test_link_free)

G_END_DECLS
