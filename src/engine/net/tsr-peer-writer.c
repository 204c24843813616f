/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-writer.c: the send side of a peer connection. Small messages
 * gather in one byte array; a block joins the queue as its own buffer,
 * so it leaves straight from the read cache. Once per turn of the main
 * loop the queue leaves in one vectored write, or under an upload limit
 * as much of it as the bucket allows. A write in flight owns its
 * buffers and vectors: freeing the writer cancels it, and it lands
 * harmlessly.
 */
#define G_LOG_DOMAIN "tsr-peer-writer"

#include "config.h"

#include "tsr-peer-writer.h"

/* One write in flight: what it writes, kept alive until it lands. */
typedef struct
{
  TsrPeerWriter *writer;      /* borrowed; NULL once the writer was freed */
  GPtrArray     *sending;     /* (owned) (element-type GBytes) */
  GOutputVector  vectors[];   /* one per buffer of @sending */
} Write;

struct _TsrPeerWriter
{
  const TsrPeerWriterFuncs *funcs;
  gpointer                  user_data;
  GOutputStream            *stream;       /* (owned) (nullable) */
  GCancellable             *cancellable;  /* (owned) maybe shared with the owner; cancelled on close and free */
  TsrLimiter               *limiter;      /* (owned) (nullable) */
  TsrRc4                   *encrypt;      /* (owned) (nullable) */
  GPtrArray                *queue;        /* (owned) (element-type GBytes) to send */
  GByteArray               *pending;      /* (owned) small messages not yet in queue */
  Write                    *write;        /* (nullable) in flight */
  guint64                   queued;       /* bytes in queue and in flight */
  guint64                   written;
  gint64                    last_written; /* monotonic µs: a write landed, or the stream came */
  guint                     flush_source; /* an idle, or a wait for the limiter */
  gboolean                  throttled;    /* flush_source waits for the limiter */
  gboolean                  closed;       /* by the owner, or a write failed */
};

static void flush (TsrPeerWriter *self);

TsrPeerWriter *
tsr_peer_writer_new (const TsrPeerWriterFuncs *funcs,
                     gpointer                  user_data,
                     GCancellable             *cancellable)
{
  TsrPeerWriter *self = g_new0 (TsrPeerWriter, 1);

  self->funcs = funcs;
  self->user_data = user_data;
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->pending = g_byte_array_new ();
  return self;
}

void
tsr_peer_writer_close (TsrPeerWriter *self)
{
  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_source, g_source_remove);
}

void
tsr_peer_writer_free (TsrPeerWriter *self)
{
  if (self == NULL)
    return;
  tsr_peer_writer_close (self);
  /* The write lands later, cancelled, and frees itself. */
  if (self->write != NULL)
    self->write->writer = NULL;
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->limiter, tsr_limiter_unref);
  g_clear_pointer (&self->encrypt, tsr_rc4_free);
  g_ptr_array_unref (self->queue);
  g_byte_array_unref (self->pending);
  g_free (self);
}

static gboolean
on_flush_due (gpointer user_data)
{
  TsrPeerWriter *self = user_data;

  self->flush_source = 0;
  self->throttled = FALSE;
  flush (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (TsrPeerWriter *self)
{
  if (self->flush_source == 0 && !self->closed)
    self->flush_source = g_idle_add (on_flush_due, self);
}

/* Appends to the queue in sending order, taking @bytes: with RC4 on,
 * each buffer is encrypted as it joins, so the keystream follows the
 * byte stream. A shared buffer (a block from the read cache) is copied
 * first. */
static void
enqueue (TsrPeerWriter *self,
         GBytes        *bytes)
{
  self->queued += g_bytes_get_size (bytes);
  if (self->encrypt != NULL)
    {
      gsize length = 0;
      guint8 *data = g_bytes_unref_to_data (bytes, &length);

      tsr_rc4_crypt (self->encrypt, data, length);
      bytes = g_bytes_new_take (data, length);
    }
  g_ptr_array_add (self->queue, bytes);
}

static void
move_pending (TsrPeerWriter *self)
{
  if (self->pending->len == 0)
    return;
  enqueue (self, g_bytes_new (self->pending->data, self->pending->len));
  g_byte_array_set_size (self->pending, 0);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Write *write = user_data;
  TsrPeerWriter *self = write->writer;
  g_autoptr(GError) error = NULL;
  gsize written = 0;
  gboolean ok = g_output_stream_writev_all_finish (G_OUTPUT_STREAM (source), result, &written, &error);

  g_ptr_array_unref (write->sending);
  g_free (write);
  if (self == NULL)
    return;
  self->write = NULL;
  if (self->closed)
    return;
  /* The reports come last: the owner may free the writer in them. */
  if (!ok)
    {
      tsr_peer_writer_close (self);
      self->funcs->failed (error, self->user_data);
      return;
    }
  self->written += written;
  self->last_written = g_get_monotonic_time ();
  self->queued -= MIN (self->queued, written);
  if (self->limiter != NULL)
    tsr_limiter_consume (self->limiter, written);
  if (self->queue->len > 0 || self->pending->len > 0)
    flush (self);
  self->funcs->written (written, self->user_data);
}

/* Under a limit, a write takes what the bucket allows (one buffer at
 * least): a long queue must not leave in one burst. */
static GPtrArray *
take_sendable (TsrPeerWriter *self)
{
  guint64 allowance = self->limiter != NULL ? tsr_limiter_get_allowance (self->limiter) : G_MAXUINT64;
  GPtrArray *sending;
  guint64 total = 0;
  guint n = 0;
  guint i;

  while (n < self->queue->len)
    {
      gsize size = g_bytes_get_size (g_ptr_array_index (self->queue, n));

      if (n > 0 && total + size > allowance)
        break;
      total += size;
      n++;
    }
  if (n == self->queue->len)
    {
      sending = g_steal_pointer (&self->queue);
      self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      return sending;
    }
  sending = g_ptr_array_new_full (n, (GDestroyNotify) g_bytes_unref);
  for (i = 0; i < n; i++)
    g_ptr_array_add (sending, g_ptr_array_steal_index (self->queue, 0));
  return sending;
}

static void
flush (TsrPeerWriter *self)
{
  GPtrArray *sending;
  Write *write;
  guint wait;
  guint i;

  if (self->closed || self->write != NULL || self->stream == NULL)
    return;
  if (self->flush_source != 0)
    {
      if (self->throttled)
        return;
      /* An idle flush is due: this one does its work. */
      g_clear_handle_id (&self->flush_source, g_source_remove);
    }
  /* Upload limit: wait until the bucket has tokens again. */
  wait = self->limiter != NULL ? tsr_limiter_wait_ms (self->limiter) : 0;
  if (wait > 0)
    {
      self->throttled = TRUE;
      self->flush_source = g_timeout_add (wait, on_flush_due, self);
      return;
    }
  move_pending (self);
  if (self->queue->len == 0)
    return;
  sending = take_sendable (self);
  write = g_malloc0 (sizeof (Write) + sending->len * sizeof (GOutputVector));
  write->writer = self;
  write->sending = sending;
  for (i = 0; i < sending->len; i++)
    {
      gsize length = 0;

      write->vectors[i].buffer = g_bytes_get_data (g_ptr_array_index (sending, i), &length);
      write->vectors[i].size = length;
    }
  self->write = write;
  g_output_stream_writev_all_async (self->stream, write->vectors, sending->len, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_written, write);
}

void
tsr_peer_writer_set_stream (TsrPeerWriter *self,
                            GOutputStream *stream)
{
  g_return_if_fail (self->stream == NULL);

  self->stream = g_object_ref (stream);
  self->last_written = g_get_monotonic_time ();
  if (self->queue->len > 0 || self->pending->len > 0)
    schedule_flush (self);
}

void
tsr_peer_writer_set_limiter (TsrPeerWriter *self,
                             TsrLimiter    *limiter)
{
  g_clear_pointer (&self->limiter, tsr_limiter_unref);
  self->limiter = limiter != NULL ? tsr_limiter_ref (limiter) : NULL;
}

void
tsr_peer_writer_set_cipher (TsrPeerWriter *self,
                            TsrRc4        *encrypt)
{
  /* What was sent before stays plaintext. */
  move_pending (self);
  g_clear_pointer (&self->encrypt, tsr_rc4_free);
  self->encrypt = encrypt;
}

void
tsr_peer_writer_send (TsrPeerWriter        *self,
                      const TsrWireMessage *message)
{
  if (self->closed)
    return;
  tsr_wire_write_message (self->pending, message);
  schedule_flush (self);
}

void
tsr_peer_writer_send_block (TsrPeerWriter *self,
                            guint32        index,
                            guint32        begin,
                            GBytes        *block)
{
  TsrWireMessage header = { 0 };

  if (self->closed)
    return;
  header.type = TSR_WIRE_PIECE;
  header.index = index;
  header.begin = begin;
  header.length = (guint32) g_bytes_get_size (block);
  tsr_wire_write_message (self->pending, &header);
  move_pending (self);
  enqueue (self, g_bytes_ref (block));
  schedule_flush (self);
}

void
tsr_peer_writer_send_handshake (TsrPeerWriter          *self,
                                const TsrWireHandshake *ours)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  tsr_wire_write_handshake (bytes, ours);
  tsr_peer_writer_take_bytes (self, g_byte_array_free_to_bytes (g_steal_pointer (&bytes)));
}

void
tsr_peer_writer_take_bytes (TsrPeerWriter *self,
                            GBytes        *bytes)
{
  if (bytes == NULL)
    return;
  if (self->closed)
    {
      g_bytes_unref (bytes);
      return;
    }
  move_pending (self);
  enqueue (self, bytes);
  schedule_flush (self);
}

void
tsr_peer_writer_keep_alive (TsrPeerWriter *self,
                            gint64         now)
{
  TsrWireMessage keepalive = { 0 };

  if ((now - self->last_written) / G_USEC_PER_SEC < TSR_PEER_WRITER_KEEPALIVE_AFTER)
    return;
  keepalive.type = TSR_WIRE_KEEPALIVE;
  tsr_peer_writer_send (self, &keepalive);
}

guint64
tsr_peer_writer_get_queued (TsrPeerWriter *self)
{
  return self->queued + self->pending->len;
}

guint64
tsr_peer_writer_get_written (TsrPeerWriter *self)
{
  return self->written;
}
