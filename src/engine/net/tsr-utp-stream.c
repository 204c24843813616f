/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-utp-stream.c: TsrUtpStream and its two halves, a GInputStream and
 * a GOutputStream that are pollable (see tsr-utp-stream.h). The halves
 * are private classes of this file: they exist only as the stream's.
 *
 * The three share one counted box holding the channel, so a half kept
 * past its stream does not keep the connection: the stream releases the
 * channel when it is closed, and a half then reports G_IO_ERROR_CLOSED.
 *
 * Readiness is a state, not an event: a source made by
 * g_pollable_*_create_source() has a child whose prepare() asks the
 * channel whether a read (or write) would do something now. Every
 * change comes from a dispatch on the same main context (a datagram, the
 * manager's timer), after which the context prepares its sources again,
 * so no wake-up is needed and none is missed.
 */
#define G_LOG_DOMAIN "tsr-utp"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tsr-utp-stream.h"

typedef struct
{
  TsrUtpChannel *channel;  /* (owned) (nullable) NULL once the stream is closed */
} Shared;

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_clear_pointer (&shared->channel, tsr_utp_channel_release);
}

static void
shared_unref (Shared *shared)
{
  g_rc_box_release_full (shared, shared_clear);
}

/* The G_IO_ERROR for why the connection ended. */
static void
set_closed_error (GError       **error,
                  const GError  *cause)
{
  GIOErrorEnum code = G_IO_ERROR_CONNECTION_CLOSED;

  if (cause == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, _("The uTP connection is closed"));
      return;
    }
  if (cause->domain == TSR_UTP_CONN_ERROR && cause->code == TSR_UTP_CONN_ERROR_TIMED_OUT)
    code = G_IO_ERROR_TIMED_OUT;
  else if (cause->domain == TSR_UTP_CONN_ERROR && cause->code == TSR_UTP_CONN_ERROR_REFUSED)
    code = G_IO_ERROR_CONNECTION_REFUSED;
  g_set_error_literal (error, G_IO_ERROR, (gint) code, cause->message);
}

static gboolean
check_open (Shared  *shared,
            GError **error)
{
  if (shared->channel != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The uTP stream is closed"));
  return FALSE;
}

/* The child source that is ready while a condition holds. */

typedef struct
{
  GSource   source;
  GObject  *stream;                      /* (owned) */
  gboolean (*ready) (GObject *stream);
} ReadySource;

static gboolean
ready_source_prepare (GSource *source,
                      gint    *timeout)
{
  ReadySource *ready = (ReadySource *) source;

  *timeout = -1;
  return ready->ready (ready->stream);
}

static gboolean
ready_source_check (GSource *source)
{
  ReadySource *ready = (ReadySource *) source;

  return ready->ready (ready->stream);
}

static gboolean
ready_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback != NULL ? callback (user_data) : G_SOURCE_CONTINUE;
}

static void
ready_source_finalize (GSource *source)
{
  g_clear_object (&((ReadySource *) source)->stream);
}

static GSourceFuncs ready_source_funcs = {
  .prepare = ready_source_prepare,
  .check = ready_source_check,
  .dispatch = ready_source_dispatch,
  .finalize = ready_source_finalize,
};

static gboolean
on_ready_source (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSource *
create_pollable_source (GObject       *stream,
                        gboolean     (*ready) (GObject *stream),
                        GCancellable  *cancellable)
{
  GSource *child = g_source_new (&ready_source_funcs, sizeof (ReadySource));
  GSource *source;

  ((ReadySource *) child)->stream = g_object_ref (stream);
  ((ReadySource *) child)->ready = ready;
  g_source_set_name (child, "tsr-utp-stream readiness");
  /* Its own callback does nothing: being ready dispatches the parent. */
  g_source_set_callback (child, on_ready_source, NULL, NULL);
  source = g_pollable_source_new_full (stream, NULL, cancellable);
  g_source_add_child_source (source, child);
  g_source_unref (child);
  return source;
}

/* Closing without a thread: the default close_async runs close_fn on one. */
static void
close_now_async (GObject             *stream,
                 gboolean           (*close_now) (GObject *stream, GError **error),
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (close_now (stream, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
close_now_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The input half. */

#define TSR_TYPE_UTP_INPUT_STREAM (tsr_utp_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (TsrUtpInputStream, tsr_utp_input_stream, TSR, UTP_INPUT_STREAM, GInputStream)

struct _TsrUtpInputStream
{
  GInputStream parent_instance;
  Shared      *shared;  /* (owned) */
};

static void tsr_utp_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsrUtpInputStream, tsr_utp_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, tsr_utp_input_stream_pollable_init))

static gboolean
input_is_readable (GPollableInputStream *pollable)
{
  TsrUtpChannel *channel = TSR_UTP_INPUT_STREAM (pollable)->shared->channel;

  return channel == NULL || tsr_utp_channel_get_unread (channel) > 0 || tsr_utp_channel_get_eof (channel) ||
         tsr_utp_channel_is_closed (channel);
}

static gssize
input_read_nonblocking (GPollableInputStream  *pollable,
                        void                  *buffer,
                        gsize                  count,
                        GError               **error)
{
  Shared *shared = TSR_UTP_INPUT_STREAM (pollable)->shared;
  gsize n;

  if (!check_open (shared, error))
    return -1;
  n = tsr_utp_channel_read (shared->channel, buffer, MIN (count, G_MAXSSIZE));
  if (n > 0 || count == 0 || tsr_utp_channel_get_eof (shared->channel))
    return (gssize) n;
  if (tsr_utp_channel_is_closed (shared->channel))
    {
      if (tsr_utp_channel_get_error (shared->channel) == NULL)
        return 0;
      set_closed_error (error, tsr_utp_channel_get_error (shared->channel));
      return -1;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, _("Nothing to read from the uTP connection yet"));
  return -1;
}

static gboolean
input_is_ready (GObject *stream)
{
  return input_is_readable (G_POLLABLE_INPUT_STREAM (stream));
}

static GSource *
input_create_source (GPollableInputStream *pollable,
                     GCancellable         *cancellable)
{
  return create_pollable_source (G_OBJECT (pollable), input_is_ready, cancellable);
}

static gboolean
input_can_poll (GPollableInputStream *pollable)
{
  return TRUE;
}

static void
tsr_utp_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = input_can_poll;
  iface->is_readable = input_is_readable;
  iface->create_source = input_create_source;
  iface->read_nonblocking = input_read_nonblocking;
}

static gssize
input_read_fn (GInputStream  *stream,
               void          *buffer,
               gsize          count,
               GCancellable  *cancellable,
               GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  return input_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), buffer, count, error);
}

/* Our side of the input needs no goodbye: the peer's FIN ends it. */
static gboolean
input_close_now (GObject  *stream,
                 GError  **error)
{
  return TRUE;
}

static gboolean
input_close_fn (GInputStream  *stream,
                GCancellable  *cancellable,
                GError       **error)
{
  return input_close_now (G_OBJECT (stream), error);
}

static void
input_close_async (GInputStream        *stream,
                   int                  io_priority,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  close_now_async (G_OBJECT (stream), input_close_now, cancellable, callback, user_data, input_close_async);
}

static gboolean
input_close_finish (GInputStream  *stream,
                    GAsyncResult  *result,
                    GError       **error)
{
  return close_now_finish (result, error);
}

static void
tsr_utp_input_stream_finalize (GObject *object)
{
  TsrUtpInputStream *self = TSR_UTP_INPUT_STREAM (object);

  shared_unref (self->shared);
  G_OBJECT_CLASS (tsr_utp_input_stream_parent_class)->finalize (object);
}

static void
tsr_utp_input_stream_class_init (TsrUtpInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = tsr_utp_input_stream_finalize;
  input_class->read_fn = input_read_fn;
  input_class->close_fn = input_close_fn;
  input_class->close_async = input_close_async;
  input_class->close_finish = input_close_finish;
}

static void
tsr_utp_input_stream_init (TsrUtpInputStream *self)
{
}

/* The output half. */

#define TSR_TYPE_UTP_OUTPUT_STREAM (tsr_utp_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (TsrUtpOutputStream, tsr_utp_output_stream, TSR, UTP_OUTPUT_STREAM, GOutputStream)

struct _TsrUtpOutputStream
{
  GOutputStream parent_instance;
  Shared       *shared;  /* (owned) */
};

static void tsr_utp_output_stream_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TsrUtpOutputStream, tsr_utp_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM, tsr_utp_output_stream_pollable_init))

static gboolean
output_is_writable (GPollableOutputStream *pollable)
{
  TsrUtpChannel *channel = TSR_UTP_OUTPUT_STREAM (pollable)->shared->channel;

  return channel == NULL || tsr_utp_channel_is_closed (channel) || tsr_utp_channel_get_space (channel) > 0;
}

static gssize
output_write_nonblocking (GPollableOutputStream  *pollable,
                          const void             *buffer,
                          gsize                   count,
                          GError                **error)
{
  Shared *shared = TSR_UTP_OUTPUT_STREAM (pollable)->shared;
  gsize n;

  if (!check_open (shared, error))
    return -1;
  if (tsr_utp_channel_is_closed (shared->channel))
    {
      set_closed_error (error, tsr_utp_channel_get_error (shared->channel));
      return -1;
    }
  if (count == 0)
    return 0;
  n = tsr_utp_channel_write (shared->channel, buffer, MIN (count, G_MAXSSIZE));
  if (n > 0)
    return (gssize) n;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, _("The uTP connection's send buffer is full"));
  return -1;
}

static gboolean
output_is_ready (GObject *stream)
{
  return output_is_writable (G_POLLABLE_OUTPUT_STREAM (stream));
}

static GSource *
output_create_source (GPollableOutputStream *pollable,
                      GCancellable          *cancellable)
{
  return create_pollable_source (G_OBJECT (pollable), output_is_ready, cancellable);
}

static gboolean
output_can_poll (GPollableOutputStream *pollable)
{
  return TRUE;
}

static void
tsr_utp_output_stream_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = output_can_poll;
  iface->is_writable = output_is_writable;
  iface->create_source = output_create_source;
  iface->write_nonblocking = output_write_nonblocking;
}

static gssize
output_write_fn (GOutputStream  *stream,
                 const void     *buffer,
                 gsize           count,
                 GCancellable   *cancellable,
                 GError        **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  return output_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (stream), buffer, count, error);
}

/* Our FIN, after what was written. */
static gboolean
output_close_now (GObject  *stream,
                  GError  **error)
{
  Shared *shared = TSR_UTP_OUTPUT_STREAM (stream)->shared;

  if (shared->channel != NULL)
    tsr_utp_channel_close (shared->channel);
  return TRUE;
}

static gboolean
output_close_fn (GOutputStream  *stream,
                 GCancellable   *cancellable,
                 GError        **error)
{
  return output_close_now (G_OBJECT (stream), error);
}

static void
output_close_async (GOutputStream       *stream,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  close_now_async (G_OBJECT (stream), output_close_now, cancellable, callback, user_data, output_close_async);
}

static gboolean
output_close_finish (GOutputStream  *stream,
                     GAsyncResult   *result,
                     GError        **error)
{
  return close_now_finish (result, error);
}

static void
tsr_utp_output_stream_finalize (GObject *object)
{
  TsrUtpOutputStream *self = TSR_UTP_OUTPUT_STREAM (object);

  shared_unref (self->shared);
  G_OBJECT_CLASS (tsr_utp_output_stream_parent_class)->finalize (object);
}

static void
tsr_utp_output_stream_class_init (TsrUtpOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = tsr_utp_output_stream_finalize;
  output_class->write_fn = output_write_fn;
  output_class->close_fn = output_close_fn;
  output_class->close_async = output_close_async;
  output_class->close_finish = output_close_finish;
}

static void
tsr_utp_output_stream_init (TsrUtpOutputStream *self)
{
}

/* The stream. */

struct _TsrUtpStream
{
  GIOStream      parent_instance;
  Shared        *shared;         /* (owned) */
  GInputStream  *input;          /* (owned) */
  GOutputStream *output;         /* (owned) */
  TsrPeerAddress address;
  GTask         *connect_task;   /* (owned) (nullable) its data holds the stream until it returns */
  GSource       *cancel_source;  /* (owned) (nullable) */
};

G_DEFINE_FINAL_TYPE (TsrUtpStream, tsr_utp_stream, G_TYPE_IO_STREAM)

static void on_channel_connected (gpointer      user_data);
static void on_channel_closed    (const GError *error,
                                  gpointer      user_data);

static const TsrUtpChannelFuncs channel_funcs = {
  .connected = on_channel_connected,
  .closed = on_channel_closed,
};

static GInputStream *
tsr_utp_stream_get_input_stream (GIOStream *stream)
{
  return TSR_UTP_STREAM (stream)->input;
}

static GOutputStream *
tsr_utp_stream_get_output_stream (GIOStream *stream)
{
  return TSR_UTP_STREAM (stream)->output;
}

/* Closes both halves (our FIN), then lets the connection go. */
static gboolean
stream_close_now (GObject  *object,
                  GError  **error)
{
  TsrUtpStream *self = TSR_UTP_STREAM (object);
  gboolean ok = G_IO_STREAM_CLASS (tsr_utp_stream_parent_class)->close_fn (G_IO_STREAM (self), NULL, error);

  g_clear_pointer (&self->shared->channel, tsr_utp_channel_release);
  return ok;
}

static gboolean
tsr_utp_stream_close_fn (GIOStream     *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  return stream_close_now (G_OBJECT (stream), error);
}

static void
tsr_utp_stream_close_async (GIOStream           *stream,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  close_now_async (G_OBJECT (stream), stream_close_now, cancellable, callback, user_data, tsr_utp_stream_close_async);
}

static gboolean
tsr_utp_stream_close_finish (GIOStream     *stream,
                             GAsyncResult  *result,
                             GError       **error)
{
  return close_now_finish (result, error);
}

static void
tsr_utp_stream_dispose (GObject *object)
{
  TsrUtpStream *self = TSR_UTP_STREAM (object);

  /* GIOStream's dispose closes the stream, which releases the channel. */
  G_OBJECT_CLASS (tsr_utp_stream_parent_class)->dispose (object);
  g_clear_pointer (&self->shared->channel, tsr_utp_channel_release);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
}

static void
tsr_utp_stream_finalize (GObject *object)
{
  TsrUtpStream *self = TSR_UTP_STREAM (object);

  shared_unref (self->shared);
  G_OBJECT_CLASS (tsr_utp_stream_parent_class)->finalize (object);
}

static void
tsr_utp_stream_class_init (TsrUtpStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = tsr_utp_stream_dispose;
  object_class->finalize = tsr_utp_stream_finalize;
  stream_class->get_input_stream = tsr_utp_stream_get_input_stream;
  stream_class->get_output_stream = tsr_utp_stream_get_output_stream;
  stream_class->close_fn = tsr_utp_stream_close_fn;
  stream_class->close_async = tsr_utp_stream_close_async;
  stream_class->close_finish = tsr_utp_stream_close_finish;
}

static void
tsr_utp_stream_init (TsrUtpStream *self)
{
  TsrUtpInputStream *input = g_object_new (TSR_TYPE_UTP_INPUT_STREAM, NULL);
  TsrUtpOutputStream *output = g_object_new (TSR_TYPE_UTP_OUTPUT_STREAM, NULL);

  self->shared = g_rc_box_new0 (Shared);
  input->shared = g_rc_box_acquire (self->shared);
  output->shared = g_rc_box_acquire (self->shared);
  self->input = G_INPUT_STREAM (input);
  self->output = G_OUTPUT_STREAM (output);
}

TsrUtpStream *
tsr_utp_stream_new (TsrUtpChannel *channel)
{
  TsrUtpStream *self;

  g_return_val_if_fail (channel != NULL, NULL);

  self = g_object_new (TSR_TYPE_UTP_STREAM, NULL);
  self->shared->channel = channel;
  self->address = *tsr_utp_channel_get_address (channel);
  tsr_utp_channel_set_funcs (channel, &channel_funcs, self);
  return self;
}

/* Connecting. */

static void
connect_return (TsrUtpStream *self,
                GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  if (self->cancel_source != NULL)
    g_source_destroy (self->cancel_source);
  g_clear_pointer (&self->cancel_source, g_source_unref);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static void
on_channel_connected (gpointer user_data)
{
  g_autoptr(TsrUtpStream) self = g_object_ref (user_data);

  if (self->connect_task != NULL)
    connect_return (self, NULL);
}

static void
on_channel_closed (const GError *error,
                   gpointer      user_data)
{
  g_autoptr(TsrUtpStream) self = g_object_ref (user_data);
  GError *mapped = NULL;

  if (self->connect_task == NULL)
    return;
  set_closed_error (&mapped, error);
  connect_return (self, mapped);
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  g_autoptr(TsrUtpStream) self = g_object_ref (user_data);
  GError *error = NULL;

  if (self->connect_task == NULL)
    return G_SOURCE_REMOVE;
  tsr_utp_stream_abort (self);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  connect_return (self, error);
  return G_SOURCE_REMOVE;
}

void
tsr_utp_stream_connect_async (TsrUtpManager        *manager,
                              const TsrPeerAddress *address,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  TsrUtpChannel *channel;
  TsrUtpStream *self;

  g_return_if_fail (manager != NULL);
  g_return_if_fail (address != NULL);

  g_task_set_source_tag (task, tsr_utp_stream_connect_async);
  channel = tsr_utp_manager_dial (manager, address, NULL, NULL, &error);
  if (channel == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self = tsr_utp_stream_new (channel);
  /* The task holds the stream; the stream holds the task until it returns. */
  g_task_set_task_data (task, self, g_object_unref);
  self->connect_task = g_object_ref (task);
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (on_connect_cancelled), self, NULL);
      g_source_attach (self->cancel_source, g_main_context_get_thread_default ());
    }
}

TsrUtpStream *
tsr_utp_stream_connect_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tsr_utp_stream_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const TsrPeerAddress *
tsr_utp_stream_get_address (TsrUtpStream *self)
{
  g_return_val_if_fail (TSR_IS_UTP_STREAM (self), NULL);

  return &self->address;
}

void
tsr_utp_stream_abort (TsrUtpStream *self)
{
  g_return_if_fail (TSR_IS_UTP_STREAM (self));

  if (self->shared->channel != NULL)
    tsr_utp_channel_abort (self->shared->channel);
}
