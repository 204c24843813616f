/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer.c: a peer connection on the main context. When the socket is
 * readable, up to 256 KiB are read into a buffer shared by every peer of
 * the thread and cut into messages by the wire codec at once; only an
 * unfinished message's bytes are kept per peer. Writes are
 * queued and leave together in one vectored write per turn of the main
 * loop, blocks straight from their buffers. A protocol fault closes the
 * connection with the codec's reason.
 */
#define G_LOG_DOMAIN "tsr-peer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "tsr-peer.h"

#define READ_CHUNK        (256 * 1024)
#define CONNECT_TIMEOUT   10
#define KEEPALIVE_AFTER   110     /* seconds without sending (BEP 3: peers drop at 120) */
#define RECEIVE_TIMEOUT   180     /* seconds without a byte from the peer */
#define TICK              15
#define HANDSHAKE_TIMEOUT 30      /* seconds from connection to their handshake */

enum
{
  SIGNAL_HANDSHAKE,
  SIGNAL_MESSAGE,
  SIGNAL_CLOSED,
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _TsrPeer
{
  GObject            parent_instance;
  TsrPeerAddress     remote;         /* the identity: family 0 when not an internet address */
  char              *address;        /* (owned) @remote for people and logs: "host:port" or "?" */
  gboolean           incoming;
  GSocketConnection *connection;     /* (owned) (nullable) */
  GCancellable      *cancellable;    /* (owned) cancelled on close */
  TsrWireHandshake   ours;
  gboolean           have_ours;
  gboolean           handshake_received;
  guint8             peer_id[20];
  guint8             their_reserved[8];
  TsrWireLimits      limits;
  GByteArray        *in;             /* (owned) unparsed input */
  GSource           *read_source;    /* (owned) (nullable) the socket is readable */
  GPtrArray         *queue;          /* (owned) (element-type GBytes) to send */
  GPtrArray         *sending;        /* (owned) (element-type GBytes) in flight */
  GOutputVector     *vectors;        /* (owned) for the write in flight */
  GByteArray        *pending;        /* (owned) small messages not yet in queue */
  guint64            queued;         /* bytes in queue and sending */
  guint              flush_source;
  gboolean           closed;
  gboolean           connecting;     /* counted in n_connecting */
  gboolean           protocol_error; /* closed for breaking the protocol */
  gboolean           processing;     /* inside process_input */
  guint              process_source;
  guint              tick_source;
  guint              handshake_source; /* gives up on a silent new connection */
  guint              throttle_read;  /* a read waiting for the download limit */
  guint              throttle_write; /* a flush waiting for the upload limit */
  TsrLimiter        *up;             /* (owned) (nullable) */
  TsrLimiter        *down;           /* (owned) (nullable) */
  gint64             last_sent;      /* monotonic µs */
  gint64             last_received;
  guint64            received;
  guint64            sent;
  TsrPeerState       state;
  /* MSE/PE */
  TsrPeerEncryption  encryption;
  TsrMseFindFunc     mse_find;
  gpointer           mse_find_data;
  TsrMse            *mse;            /* (owned) (nullable) during its handshake */
  gboolean           detecting;      /* incoming: plaintext or MSE not yet known */
  gboolean           mse_failed;     /* an outgoing MSE handshake did not finish */
  TsrRc4            *encrypt;        /* (owned) (nullable) RC4 for what we send */
  TsrRc4            *decrypt;        /* (owned) (nullable) RC4 for what we receive */
};

G_DEFINE_FINAL_TYPE (TsrPeer, tsr_peer, G_TYPE_OBJECT)

/* Outgoing connections not yet established, in the whole process (peers
 * live on the main thread only). */
static guint n_connecting;

guint
tsr_peer_get_n_connecting (void)
{
  return n_connecting;
}

static void start_reading (TsrPeer *self);

/* One read buffer per thread (peers live on the main context), instead
 * of one per connection: an idle connection keeps no read buffer, and a
 * busy one only what is left of an unfinished message. */
static GPrivate read_buffer_key = G_PRIVATE_INIT (g_free);

static guint8 *
get_read_buffer (void)
{
  guint8 *buffer = g_private_get (&read_buffer_key);

  if (buffer == NULL)
    {
      buffer = g_malloc (READ_CHUNK);
      g_private_set (&read_buffer_key, buffer);
    }
  return buffer;
}

static void
stop_reading (TsrPeer *self)
{
  if (self->read_source == NULL)
    return;
  g_source_destroy (self->read_source);
  g_clear_pointer (&self->read_source, g_source_unref);
}

static void
tsr_peer_dispose (GObject *object)
{
  TsrPeer *self = TSR_PEER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->process_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->handshake_source, g_source_remove);
  g_clear_handle_id (&self->throttle_read, g_source_remove);
  g_clear_handle_id (&self->throttle_write, g_source_remove);
  stop_reading (self);
  g_clear_pointer (&self->up, tsr_limiter_unref);
  g_clear_pointer (&self->down, tsr_limiter_unref);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (tsr_peer_parent_class)->dispose (object);
}

static void
tsr_peer_finalize (GObject *object)
{
  TsrPeer *self = TSR_PEER (object);

  g_free (self->address);
  g_clear_object (&self->cancellable);
  g_byte_array_unref (self->in);
  g_ptr_array_unref (self->queue);
  g_clear_pointer (&self->sending, g_ptr_array_unref);
  g_free (self->vectors);
  g_byte_array_unref (self->pending);
  g_clear_pointer (&self->state.have, tsr_bitfield_free);
  g_clear_pointer (&self->mse, tsr_mse_free);
  g_clear_pointer (&self->encrypt, tsr_rc4_free);
  g_clear_pointer (&self->decrypt, tsr_rc4_free);
  G_OBJECT_CLASS (tsr_peer_parent_class)->finalize (object);
}

static void
tsr_peer_class_init (TsrPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_peer_dispose;
  object_class->finalize = tsr_peer_finalize;

  /* The remote handshake (a TsrWireHandshake *), valid during emission. */
  signals[SIGNAL_HANDSHAKE] = g_signal_new ("handshake", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* A parsed message (a TsrWireMessage *), valid during emission. */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The connection ended; the string says why (NULL: closed by us). */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A write completed: there is room for more blocks. */
  signals[SIGNAL_SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tsr_peer_init (TsrPeer *self)
{
  self->cancellable = g_cancellable_new ();
  self->in = g_byte_array_new ();
  self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->pending = g_byte_array_new ();
  self->state.am_choking = TRUE;
  self->state.peer_choking = TRUE;
}

TsrPeer *
tsr_peer_new_outgoing (const TsrPeerAddress *address)
{
  TsrPeer *self;

  g_return_val_if_fail (address != NULL && address->port != 0, NULL);

  self = g_object_new (TSR_TYPE_PEER, NULL);
  self->remote = *address;
  self->address = tsr_peer_address_to_string (address);
  return self;
}

TsrPeer *
tsr_peer_new_incoming (GSocketConnection *connection)
{
  TsrPeer *self = g_object_new (TSR_TYPE_PEER, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  self->incoming = TRUE;
  self->connection = g_object_ref (connection);
  /* As for dialled peers: small messages (have, request) go out at once,
   * not after a delayed ACK. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->address = tsr_peer_address_from_socket (remote, &self->remote)
                  ? tsr_peer_address_to_string (&self->remote) : g_strdup ("?");
  return self;
}

gboolean
tsr_peer_get_local_address (TsrPeer        *self,
                            TsrPeerAddress *out)
{
  g_autoptr(GSocketAddress) local = NULL;

  g_return_val_if_fail (TSR_IS_PEER (self), FALSE);

  if (self->connection == NULL)
    return FALSE;
  local = g_socket_connection_get_local_address (self->connection, NULL);
  return tsr_peer_address_from_socket (local, out);
}

const char *
tsr_peer_get_address (TsrPeer *self)
{
  return self->address;
}

const TsrPeerAddress *
tsr_peer_get_remote_address (TsrPeer *self)
{
  return &self->remote;
}

gboolean
tsr_peer_is_incoming (TsrPeer *self)
{
  return self->incoming;
}

const guint8 *
tsr_peer_get_id (TsrPeer *self)
{
  return self->handshake_received ? self->peer_id : NULL;
}

gboolean
tsr_peer_broke_protocol (TsrPeer *self)
{
  return self->protocol_error;
}

gboolean
tsr_peer_is_closed (TsrPeer *self)
{
  return self->closed;
}

guint64
tsr_peer_get_bytes_received (TsrPeer *self)
{
  return self->received;
}

guint64
tsr_peer_get_bytes_sent (TsrPeer *self)
{
  return self->sent;
}

TsrPeerState *
tsr_peer_get_state (TsrPeer *self)
{
  return &self->state;
}

void
tsr_peer_set_limiters (TsrPeer    *self,
                       TsrLimiter *up,
                       TsrLimiter *down)
{
  g_clear_pointer (&self->up, tsr_limiter_unref);
  g_clear_pointer (&self->down, tsr_limiter_unref);
  self->up = up != NULL ? tsr_limiter_ref (up) : NULL;
  self->down = down != NULL ? tsr_limiter_ref (down) : NULL;
}

void
tsr_peer_set_limits (TsrPeer             *self,
                     const TsrWireLimits *limits)
{
  self->limits = *limits;
}

void
tsr_peer_close (TsrPeer    *self,
                const char *reason)
{
  g_autoptr(TsrPeer) hold = NULL;

  if (self->closed)
    return;
  hold = g_object_ref (self);
  self->closed = TRUE;
  if (self->mse != NULL && !self->incoming)
    self->mse_failed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->process_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->handshake_source, g_source_remove);
  g_clear_handle_id (&self->throttle_read, g_source_remove);
  g_clear_handle_id (&self->throttle_write, g_source_remove);
  stop_reading (self);
  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_debug ("%s: closed: %s", self->address, reason != NULL ? reason : "by us");
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static void flush (TsrPeer *self);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TsrPeer) self = user_data;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  if (!g_output_stream_writev_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_peer_close (self, error->message);
      return;
    }
  self->sent += written;
  self->queued -= MIN (self->queued, written);
  self->last_sent = g_get_monotonic_time ();
  if (self->up != NULL)
    tsr_limiter_consume (self->up, written);
  g_clear_pointer (&self->sending, g_ptr_array_unref);
  g_clear_pointer (&self->vectors, g_free);
  if (self->queue->len > 0 || self->pending->len > 0)
    flush (self);
  g_signal_emit (self, signals[SIGNAL_SENT], 0);
}

/* Appends to the send queue in sending order: with RC4 on, each buffer
 * is encrypted as it joins, so the keystream follows the byte stream. A
 * shared buffer (a block from the read cache) is copied first. */
static void
enqueue (TsrPeer *self,
         GBytes  *bytes,
         gboolean owned)
{
  if (self->encrypt != NULL)
    {
      gsize length = 0;
      guint8 *data;

      if (owned)
        data = g_bytes_unref_to_data (bytes, &length);
      else
        {
          const guint8 *shared = g_bytes_get_data (bytes, &length);

          data = g_memdup2 (shared, length);
        }
      tsr_rc4_crypt (self->encrypt, data, length);
      bytes = g_bytes_new_take (data, length);
    }
  else if (!owned)
    bytes = g_bytes_ref (bytes);
  g_ptr_array_add (self->queue, bytes);
}

static void
move_pending (TsrPeer *self)
{
  if (self->pending->len == 0)
    return;
  self->queued += self->pending->len;
  enqueue (self, g_bytes_new (self->pending->data, self->pending->len), TRUE);
  g_byte_array_set_size (self->pending, 0);
}

static gboolean
on_throttled_flush (gpointer user_data)
{
  TsrPeer *self = user_data;

  self->throttle_write = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

static void
flush (TsrPeer *self)
{
  guint i;
  guint wait;

  if (self->closed || self->sending != NULL || self->connection == NULL || self->throttle_write != 0)
    return;
  /* Upload limit: wait until the bucket has tokens again. */
  wait = self->up != NULL ? tsr_limiter_wait_ms (self->up) : 0;
  if (wait > 0)
    {
      self->throttle_write = g_timeout_add (wait, on_throttled_flush, self);
      return;
    }
  move_pending (self);
  if (self->queue->len == 0)
    return;
  {
    /* Under a limit, a write takes what the bucket allows (one buffer
     * at least): a long queue must not leave in one burst. */
    guint64 allowance = self->up != NULL ? tsr_limiter_get_allowance (self->up) : G_MAXUINT64;
    guint64 total = 0;
    guint n = 0;

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
        self->sending = g_steal_pointer (&self->queue);
        self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      }
    else
      {
        self->sending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        for (i = 0; i < n; i++)
          g_ptr_array_add (self->sending, g_ptr_array_steal_index (self->queue, 0));
      }
  }
  self->vectors = g_new0 (GOutputVector, self->sending->len);
  for (i = 0; i < self->sending->len; i++)
    {
      gsize length = 0;

      self->vectors[i].buffer = g_bytes_get_data (g_ptr_array_index (self->sending, i), &length);
      self->vectors[i].size = length;
    }
  g_output_stream_writev_all_async (g_io_stream_get_output_stream (G_IO_STREAM (self->connection)),
                                    self->vectors, self->sending->len, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_written, g_object_ref (self));
}

static gboolean
on_flush_idle (gpointer user_data)
{
  TsrPeer *self = user_data;

  self->flush_source = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (TsrPeer *self)
{
  if (self->flush_source == 0 && !self->closed)
    self->flush_source = g_idle_add (on_flush_idle, self);
}

void
tsr_peer_send (TsrPeer              *self,
               const TsrWireMessage *message)
{
  if (self->closed)
    return;
  tsr_wire_write_message (self->pending, message);
  schedule_flush (self);
}

void
tsr_peer_send_block (TsrPeer *self,
                     guint32  index,
                     guint32  begin,
                     GBytes  *block)
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
  enqueue (self, block, FALSE);
  self->queued += header.length;
  schedule_flush (self);
}

guint64
tsr_peer_get_queued_bytes (TsrPeer *self)
{
  return self->queued + self->pending->len;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static gboolean process_input_locked (TsrPeer *self);

/* Parses what has arrived; returns FALSE when the connection closed. */
static gboolean
process_input (TsrPeer *self)
{
  gboolean open;

  self->processing = TRUE;
  open = process_input_locked (self);
  self->processing = FALSE;
  return open;
}

/* Parses what @data holds: the handshake, then whole messages. Returns
 * the bytes used, or -1 when the connection closed. */
static gssize
parse_input (TsrPeer      *self,
             const guint8 *data,
             gsize         length)
{
  gsize offset = 0;

  if (!self->handshake_received)
    {
      TsrWireHandshake theirs;
      g_autoptr(GError) error = NULL;

      if (length < TSR_WIRE_HANDSHAKE_LENGTH)
        return 0;
      if (!tsr_wire_parse_handshake (data, length, &theirs, &error))
        {
          tsr_peer_close (self, error->message);
          return -1;
        }
      if (self->have_ours && memcmp (theirs.info_hash, self->ours.info_hash, 20) != 0)
        {
          tsr_peer_close (self, _("The peer offered another torrent"));
          return -1;
        }
      self->handshake_received = TRUE;
      g_clear_handle_id (&self->handshake_source, g_source_remove);
      memcpy (self->peer_id, theirs.peer_id, 20);
      memcpy (self->their_reserved, theirs.reserved, 8);
      /* Incoming: ours is not known yet; tsr_peer_accept decides. */
      self->state.fast = self->have_ours && tsr_wire_reserved_has (theirs.reserved, TSR_WIRE_RESERVED_FAST) &&
                         tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_FAST);
      self->state.extended = self->have_ours &&
                             tsr_wire_reserved_has (theirs.reserved, TSR_WIRE_RESERVED_EXTENDED) &&
                             tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_EXTENDED);
      offset = TSR_WIRE_HANDSHAKE_LENGTH;
      g_signal_emit (self, signals[SIGNAL_HANDSHAKE], 0, &theirs);
      if (self->closed)
        return -1;
    }

  while (!self->closed && offset < length)
    {
      g_autoptr(GError) error = NULL;
      TsrWireMessage message;
      gsize consumed = 0;
      TsrWireParseResult result;

      /* Messages come only after both handshakes. */
      if (!self->have_ours)
        break;
      result = tsr_wire_parse_message (data + offset, length - offset, &self->limits,
                                       &message, &consumed, &error);
      if (result == TSR_WIRE_PARSE_NEED_MORE)
        break;
      if (result == TSR_WIRE_PARSE_ERROR)
        {
          self->protocol_error = TRUE;
          tsr_peer_close (self, error->message);
          return -1;
        }
      offset += consumed;
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, &message);
    }
  if (self->closed)
    return -1;
  return (gssize) offset;
}

static gboolean
process_input_locked (TsrPeer *self)
{
  gssize used = parse_input (self, self->in->data, self->in->len);

  if (used < 0)
    return FALSE;
  g_byte_array_remove_range (self->in, 0, (guint) used);
  return TRUE;
}

static gboolean
on_throttled_read (gpointer user_data)
{
  TsrPeer *self = user_data;

  self->throttle_read = 0;
  start_reading (self);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* MSE/PE                                                              */

/* Handshake bytes go out as they are: MSE encrypts its own. */
static void
send_raw (TsrPeer *self,
          GBytes  *bytes)
{
  if (bytes == NULL)
    return;
  self->queued += g_bytes_get_size (bytes);
  g_ptr_array_add (self->queue, bytes);
  schedule_flush (self);
}

static TsrMsePolicy
mse_policy (TsrPeer *self)
{
  /* Preferring, the handshake is always hidden and the payload is RC4
   * when the other side wants it (it offers RC4 alone), plaintext when
   * it lets us choose: RC4 costs CPU for every byte and hides nothing
   * the handshake did not (libtorrent's and qBittorrent's default). */
  return self->encryption == TSR_PEER_ENCRYPTION_REQUIRE ? TSR_MSE_POLICY_RC4_ONLY
                                                         : TSR_MSE_POLICY_PREFER_PLAINTEXT;
}

/* Feeds @data to the handshake; sends what it answers; once it is done,
 * RC4 (if chosen) takes over and the BitTorrent bytes that came with it
 * join the input. FALSE when the connection closed. */
static gboolean
mse_feed (TsrPeer      *self,
          const guint8 *data,
          gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) leftover = NULL;

  if (!tsr_mse_feed (self->mse, data, length, &error))
    {
      g_autofree char *reason = g_strdup_printf (_("Encrypted handshake failed: %s"), error->message);

      tsr_peer_close (self, reason);
      return FALSE;
    }
  send_raw (self, tsr_mse_take_output (self->mse));
  if (tsr_mse_get_state (self->mse) != TSR_MSE_STATE_DONE)
    return TRUE;
  /* The responder's last bytes, before anything RC4 encrypts. */
  send_raw (self, tsr_mse_take_output (self->mse));
  if (self->incoming && self->have_ours &&
      memcmp (tsr_mse_get_info_hash (self->mse), self->ours.info_hash, 20) != 0)
    {
      tsr_peer_close (self, _("The peer offered another torrent"));
      return FALSE;
    }
  self->encrypt = tsr_mse_steal_encrypt (self->mse);
  self->decrypt = tsr_mse_steal_decrypt (self->mse);
  payload = tsr_mse_steal_initial_payload (self->mse);
  leftover = tsr_mse_steal_leftover (self->mse);
  g_clear_pointer (&self->mse, tsr_mse_free);
  g_debug ("%s: MSE done, %s", self->address, self->encrypt != NULL ? "RC4" : "plaintext");
  /* IA (the responder's) then what followed: the BitTorrent stream. */
  g_byte_array_append (self->in, g_bytes_get_data (payload, NULL), (guint) g_bytes_get_size (payload));
  g_byte_array_append (self->in, g_bytes_get_data (leftover, NULL), (guint) g_bytes_get_size (leftover));
  return self->in->len == 0 || process_input (self);
}

/* Incoming bytes before we know what the peer speaks: a plaintext
 * handshake, or the start of MSE. FALSE when the connection closed. */
static gboolean
detect (TsrPeer      *self,
        const guint8 *data,
        gsize         length)
{
  g_autoptr(GByteArray) start = NULL;

  g_byte_array_append (self->in, data, (guint) length);
  switch (tsr_mse_looks_plaintext (self->in->data, self->in->len))
    {
    case TSR_MSE_DETECT_NEED_MORE:
      return TRUE;
    case TSR_MSE_DETECT_PLAINTEXT:
      self->detecting = FALSE;
      if (self->encryption == TSR_PEER_ENCRYPTION_REQUIRE)
        {
          tsr_peer_close (self, _("The peer does not encrypt, and encryption is required"));
          return FALSE;
        }
      return process_input (self);
    case TSR_MSE_DETECT_ENCRYPTED:
    default:
      self->detecting = FALSE;
      if (self->encryption == TSR_PEER_ENCRYPTION_OFF || self->mse_find == NULL)
        {
          tsr_peer_close (self, _("The peer encrypts, and encryption is off"));
          return FALSE;
        }
      self->mse = tsr_mse_new_responder (mse_policy (self), self->mse_find, self->mse_find_data);
      start = g_steal_pointer (&self->in);
      self->in = g_byte_array_new ();
      return mse_feed (self, start->data, start->len);
    }
}

void
tsr_peer_set_encryption (TsrPeer           *self,
                         TsrPeerEncryption  mode,
                         TsrMseFindFunc     find,
                         gpointer           find_data)
{
  g_return_if_fail (TSR_IS_PEER (self));

  self->encryption = mode;
  self->mse_find = find;
  self->mse_find_data = find_data;
}

gboolean
tsr_peer_is_encrypted (TsrPeer *self)
{
  g_return_val_if_fail (TSR_IS_PEER (self), FALSE);
  return self->decrypt != NULL;
}

gboolean
tsr_peer_get_mse_failed (TsrPeer *self)
{
  g_return_val_if_fail (TSR_IS_PEER (self), FALSE);
  return self->mse_failed;
}

/* ------------------------------------------------------------------ */

/* The socket is readable (or the connection was cancelled): one read
 * into the shared buffer, parsed before anything else can use it. */
static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  g_autoptr(TsrPeer) self = g_object_ref (user_data);
  g_autoptr(GError) error = NULL;
  guint8 *chunk = get_read_buffer ();
  gssize n;

  if (self->closed)
    {
      stop_reading (self);
      return G_SOURCE_REMOVE;
    }
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), chunk, READ_CHUNK,
                                                self->cancellable, &error);
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      stop_reading (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_peer_close (self, error->message);
      return G_SOURCE_REMOVE;
    }
  if (n == 0)
    {
      stop_reading (self);
      tsr_peer_close (self, self->mse != NULL ? _("The peer closed the connection during the encrypted handshake")
                                              : _("The peer closed the connection"));
      return G_SOURCE_REMOVE;
    }
  self->received += (guint64) n;
  self->last_received = g_get_monotonic_time ();
  if (self->down != NULL)
    tsr_limiter_consume (self->down, (guint64) n);
  if (self->decrypt != NULL)
    tsr_rc4_crypt (self->decrypt, chunk, (gsize) n);
  if (self->detecting || self->mse != NULL)
    {
      if (!(self->detecting ? detect (self, chunk, (gsize) n) : mse_feed (self, chunk, (gsize) n)))
        return G_SOURCE_REMOVE;
    }
  else if (self->in->len == 0 && !self->processing)
    {
      /* Nothing left over: parse the bytes where they landed and keep
       * only an unfinished message's start, instead of copying the whole
       * read into the input buffer and shifting it out again. */
      gssize used;

      self->processing = TRUE;
      used = parse_input (self, chunk, (gsize) n);
      self->processing = FALSE;
      if (used < 0)
        return G_SOURCE_REMOVE;
      if (used < n)
        g_byte_array_append (self->in, chunk + used, (guint) (n - used));
    }
  else
    {
      g_byte_array_append (self->in, chunk, (guint) n);
      if (!process_input (self))
        return G_SOURCE_REMOVE;
    }
  if (self->closed || self->read_source == NULL)
    return G_SOURCE_REMOVE;
  /* Download limit: the next read waits until the bucket has tokens. */
  if (self->down != NULL && tsr_limiter_wait_ms (self->down) > 0)
    {
      stop_reading (self);
      self->throttle_read = g_timeout_add (tsr_limiter_wait_ms (self->down), on_throttled_read, self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Keep-alives out, and a peer that went silent is let go. */
static gboolean
on_tick (gpointer user_data)
{
  TsrPeer *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if ((now - self->last_received) / G_USEC_PER_SEC >= RECEIVE_TIMEOUT)
    {
      self->tick_source = 0;
      tsr_peer_close (self, _("The peer sent nothing for three minutes"));
      return G_SOURCE_REMOVE;
    }
  if (self->have_ours && (now - self->last_sent) / G_USEC_PER_SEC >= KEEPALIVE_AFTER)
    {
      TsrWireMessage keepalive = { 0 };

      keepalive.type = TSR_WIRE_KEEPALIVE;
      tsr_peer_send (self, &keepalive);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_handshake_timeout (gpointer user_data)
{
  TsrPeer *self = user_data;

  self->handshake_source = 0;
  tsr_peer_close (self, _("No handshake within 30 seconds"));
  return G_SOURCE_REMOVE;
}

static void
start_reading (TsrPeer *self)
{
  if (self->closed)
    return;
  if (self->tick_source == 0)
    {
      self->last_received = self->last_sent = g_get_monotonic_time ();
      self->tick_source = g_timeout_add_seconds (TICK, on_tick, self);
      if (!self->handshake_received)
        self->handshake_source = g_timeout_add_seconds (HANDSHAKE_TIMEOUT, on_handshake_timeout, self);
    }
  if (self->read_source != NULL)
    return;
  self->read_source = g_pollable_input_stream_create_source (
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (self->connection))), self->cancellable);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, g_main_context_get_thread_default ());
}

static void
send_handshake (TsrPeer *self)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  tsr_wire_write_handshake (bytes, &self->ours);
  enqueue (self, g_bytes_new (bytes->data, bytes->len), TRUE);
  schedule_flush (self);
}

static gboolean
on_process_idle (gpointer user_data)
{
  TsrPeer *self = user_data;

  self->process_source = 0;
  if (!self->closed)
    process_input (self);
  return G_SOURCE_REMOVE;
}

void
tsr_peer_accept (TsrPeer                *self,
                 const TsrWireHandshake *ours)
{
  self->ours = *ours;
  self->have_ours = TRUE;
  /* BEP 6: fast only when both handshakes set the bit. */
  self->state.fast = self->handshake_received &&
                     tsr_wire_reserved_has (self->their_reserved, TSR_WIRE_RESERVED_FAST) &&
                     tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_FAST);
  self->state.extended = self->handshake_received &&
                         tsr_wire_reserved_has (self->their_reserved, TSR_WIRE_RESERVED_EXTENDED) &&
                         tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_EXTENDED);
  send_handshake (self);
  /* Anything that came behind the handshake can be parsed now: by the
   * running parse if we are inside it, else at the next idle. */
  if (!self->processing && self->in->len > 0 && self->process_source == 0)
    self->process_source = g_idle_add (on_process_idle, self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TsrPeer) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (self->connecting)
    {
      self->connecting = FALSE;
      n_connecting--;
    }
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_peer_close (self, error->message);
      return;
    }
  self->connection = connection;
  /* The connect timeout must not stay on the socket: peers idle for minutes. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  if (self->encryption == TSR_PEER_ENCRYPTION_OFF)
    send_handshake (self);
  else
    {
      /* Our BitTorrent handshake rides in the MSE handshake (IA). */
      g_autoptr(GByteArray) handshake = g_byte_array_new ();

      tsr_wire_write_handshake (handshake, &self->ours);
      self->mse = tsr_mse_new_initiator (self->ours.info_hash, mse_policy (self), handshake->data, handshake->len);
      send_raw (self, tsr_mse_take_output (self->mse));
    }
  start_reading (self);
}

void
tsr_peer_start (TsrPeer                *self,
                const TsrWireHandshake *ours)
{
  if (self->incoming)
    {
      /* Plaintext or MSE: the first bytes tell, unless encryption is off. */
      self->detecting = self->encryption != TSR_PEER_ENCRYPTION_OFF;
      start_reading (self);
      return;
    }
  self->ours = *ours;
  self->have_ours = TRUE;
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketAddress) remote = tsr_peer_address_to_socket_address (&self->remote);

    g_socket_client_set_timeout (client, CONNECT_TIMEOUT);
    /* Peers are dialled directly: no system proxy lookup (libproxy) per
     * connection, which is slow and would route peer traffic unasked. */
    g_socket_client_set_enable_proxy (client, FALSE);
    self->connecting = TRUE;
    n_connecting++;
    g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (remote), self->cancellable,
                                   on_connected, g_object_ref (self));
  }
}
