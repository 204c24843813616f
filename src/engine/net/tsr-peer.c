/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer.c: a peer connection on the main context, over any stream:
 * TCP or uTP (tsr-dialer.c dials outgoing ones). When the stream is
 * readable, up to 256 KiB are read into a buffer shared by every peer of
 * the thread and cut into messages by the wire codec at once; only an
 * unfinished message's bytes are kept per peer. Writes go through a
 * TsrPeerWriter (tsr-peer-writer.c), which sends them together in one
 * vectored write per turn of the main loop. A protocol fault closes the
 * connection with the codec's reason.
 */
#define G_LOG_DOMAIN "tsr-peer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "tsr-peer-writer.h"
#include "tsr-peer.h"
#include "tsr-ticker.h"
#include "tsr-utp-stream.h"

#define READ_CHUNK        (256 * 1024)
#define RECEIVE_TIMEOUT   180     /* seconds without a byte from the peer */
#define TICK              5       /* seconds between checks of the timeouts */
#define HANDSHAKE_TIMEOUT 30      /* seconds from a dial to their handshake */

struct _TsrPeer
{
  GObject            parent_instance;
  TsrPeerAddress     remote;         /* the identity: family 0 when not an internet address */
  char              *address;        /* (owned) @remote for people and logs: "host:port" or "?" */
  gboolean           incoming;
  GIOStream         *connection;     /* (owned) (nullable) a GSocketConnection, a TsrUtpStream, or any stream */
  TsrDialer         *dialer;         /* (owned) (nullable) outgoing: the transports to dial over */
  const TsrPeerFuncs *funcs;         /* (nullable) the owner's */
  gpointer           funcs_data;
  GCancellable      *cancellable;    /* (owned) cancelled on close */
  TsrWireHandshake   ours;
  gboolean           have_ours;
  gboolean           handshake_received;
  guint8             peer_id[20];
  guint8             their_reserved[8];
  TsrWireLimits      limits;
  GByteArray        *in;             /* (owned) unparsed input */
  GSource           *read_source;    /* (owned) (nullable) the socket is readable */
  TsrPeerWriter     *writer;         /* (owned) the send side */
  gboolean           closed;
  gboolean           protocol_error; /* closed for breaking the protocol */
  gboolean           processing;     /* inside process_input */
  guint              process_source;
  TsrTick           *tick;           /* (nullable) keep-alives and timeouts, once reading */
  gint64             started_at;     /* monotonic µs: when reading began */
  guint64            trimmed_at;     /* bytes received when the input buffer was last let go */
  guint              throttle_read;  /* a read waiting for the download limit */
  TsrLimiter        *down;           /* (owned) (nullable) */
  gint64             last_received;  /* monotonic µs */
  guint64            received;
  TsrPeerFeatures    features;       /* agreed once both handshakes are known */
  /* MSE/PE */
  TsrPeerEncryption  encryption;
  TsrMseFindFunc     mse_find;
  gpointer           mse_find_data;
  TsrMse            *mse;            /* (owned) (nullable) during its handshake */
  gboolean           detecting;      /* incoming: plaintext or MSE not yet known */
  gboolean           mse_failed;     /* an outgoing MSE handshake did not finish */
  TsrRc4            *decrypt;        /* (owned) (nullable) RC4 for what we receive */
  GByteArray        *early;          /* (owned) (nullable) sent before our handshake could go */
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

/* The writer reports a write done (room for more) or failed. */
static void
on_writer_written (gsize    bytes,
                   gpointer user_data)
{
  TsrPeer *self = user_data;

  if (self->funcs != NULL && self->funcs->sent != NULL)
    self->funcs->sent (self, self->funcs_data);
}

static void
on_writer_failed (const GError *error,
                  gpointer      user_data)
{
  tsr_peer_close (user_data, error->message);
}

static const TsrPeerWriterFuncs writer_funcs = {
  .written = on_writer_written,
  .failed = on_writer_failed,
};

/* Nothing more is read, written or timed. */
static void
halt (TsrPeer *self)
{
  g_cancellable_cancel (self->cancellable);
  tsr_peer_writer_close (self->writer);
  g_clear_handle_id (&self->process_source, g_source_remove);
  g_clear_pointer (&self->tick, tsr_ticker_remove);
  g_clear_handle_id (&self->throttle_read, g_source_remove);
  stop_reading (self);
}

static void
tsr_peer_dispose (GObject *object)
{
  TsrPeer *self = TSR_PEER (object);

  halt (self);
  g_clear_pointer (&self->down, tsr_limiter_unref);
  g_clear_pointer (&self->dialer, tsr_dialer_unref);
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
  tsr_peer_writer_free (self->writer);
  g_clear_pointer (&self->mse, tsr_mse_free);
  g_clear_pointer (&self->decrypt, tsr_rc4_free);
  g_clear_pointer (&self->early, g_byte_array_unref);
  G_OBJECT_CLASS (tsr_peer_parent_class)->finalize (object);
}

static void
tsr_peer_class_init (TsrPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_peer_dispose;
  object_class->finalize = tsr_peer_finalize;
}

static void
tsr_peer_init (TsrPeer *self)
{
  self->cancellable = g_cancellable_new ();
  self->in = g_byte_array_new ();
  self->writer = tsr_peer_writer_new (&writer_funcs, self, self->cancellable);
}

/* Takes @connection; small messages (have, request) go out at once. */
static void
use_connection (TsrPeer   *self,
                GIOStream *connection)
{
  self->connection = connection;
  if (G_IS_SOCKET_CONNECTION (connection))
    g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)), IPPROTO_TCP,
                         TCP_NODELAY, 1, NULL);
  tsr_peer_writer_set_stream (self->writer, g_io_stream_get_output_stream (connection));
}

TsrPeer *
tsr_peer_new_outgoing (const TsrPeerAddress *address,
                       TsrDialer            *dialer)
{
  TsrPeer *self;

  g_return_val_if_fail (address != NULL && address->port != 0, NULL);

  self = g_object_new (TSR_TYPE_PEER, NULL);
  self->remote = *address;
  self->address = tsr_peer_address_to_string (address);
  self->dialer = dialer != NULL ? tsr_dialer_ref (dialer) : NULL;
  return self;
}

/* The far end of whatever transport carries @stream: a TCP socket's
 * peer, a uTP connection's. FALSE for anything else. */
static gboolean
remote_of (GIOStream      *stream,
           TsrPeerAddress *out)
{
  g_autoptr(GSocketAddress) remote = NULL;

  if (TSR_IS_UTP_STREAM (stream))
    {
      *out = *tsr_utp_stream_get_address (TSR_UTP_STREAM (stream));
      return TRUE;
    }
  if (!G_IS_SOCKET_CONNECTION (stream))
    return FALSE;
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (stream), NULL);
  return tsr_peer_address_from_socket (remote, out);
}

TsrPeer *
tsr_peer_new_incoming (GIOStream *stream)
{
  TsrPeer *self = g_object_new (TSR_TYPE_PEER, NULL);

  self->incoming = TRUE;
  use_connection (self, g_object_ref (stream));
  self->address = remote_of (stream, &self->remote) ? tsr_peer_address_to_string (&self->remote) : g_strdup ("?");
  return self;
}

TsrPeer *
tsr_peer_new_for_stream (GIOStream            *stream,
                         const TsrPeerAddress *remote)
{
  TsrPeer *self = g_object_new (TSR_TYPE_PEER, NULL);

  self->incoming = TRUE;
  use_connection (self, g_object_ref (stream));
  self->remote = *remote;
  self->address = tsr_peer_address_to_string (remote);
  return self;
}

void
tsr_peer_set_funcs (TsrPeer            *self,
                    const TsrPeerFuncs *funcs,
                    gpointer            user_data)
{
  self->funcs = funcs;
  self->funcs_data = user_data;
}

gboolean
tsr_peer_get_local_address (TsrPeer        *self,
                            TsrPeerAddress *out)
{
  g_autoptr(GSocketAddress) local = NULL;

  g_return_val_if_fail (TSR_IS_PEER (self), FALSE);

  if (!G_IS_SOCKET_CONNECTION (self->connection))
    return FALSE;
  local = g_socket_connection_get_local_address (G_SOCKET_CONNECTION (self->connection), NULL);
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
  return tsr_peer_writer_get_written (self->writer);
}

TsrPeerFeatures
tsr_peer_get_features (TsrPeer *self)
{
  return self->features;
}

TsrTransport
tsr_peer_get_transport (TsrPeer *self)
{
  g_return_val_if_fail (TSR_IS_PEER (self), 0);

  return self->connection != NULL ? tsr_dialer_transport_of (self->connection) : 0;
}

void
tsr_peer_set_limiters (TsrPeer    *self,
                       TsrLimiter *up,
                       TsrLimiter *down)
{
  tsr_peer_writer_set_limiter (self->writer, up);
  g_clear_pointer (&self->down, tsr_limiter_unref);
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
  halt (self);
  if (self->connection != NULL)
    g_io_stream_close (self->connection, NULL, NULL);
  g_debug ("%s: closed: %s", self->address, reason != NULL ? reason : "by us");
  if (self->funcs != NULL && self->funcs->closed != NULL)
    self->funcs->closed (self, reason, self->funcs_data);
}

/* Messages go only behind our handshake, and behind MSE once it is
 * done. Sent before (while the dial is on its way, which over uTP first
 * may take a second, or while MSE runs), a message would lead the
 * stream, where the other side sees an unknown protocol, or break into
 * the encrypted handshake: it waits in @early, in order, until then.
 * (An incoming peer's owner sends nothing before tsr_peer_accept.) */
static gboolean
may_send (TsrPeer *self)
{
  return self->connection != NULL && self->mse == NULL && !self->detecting;
}

/* Our handshake is queued (and MSE done): what waited follows it. */
static void
release_early (TsrPeer *self)
{
  if (self->early == NULL)
    return;
  g_debug ("%s: %u bytes sent before the handshake follow it", self->address, self->early->len);
  tsr_peer_writer_take_bytes (self->writer, g_byte_array_free_to_bytes (g_steal_pointer (&self->early)));
}

static GByteArray *
early_buffer (TsrPeer *self)
{
  if (self->early == NULL)
    self->early = g_byte_array_new ();
  return self->early;
}

/* The writer is closed with the peer: nothing is queued after. */
void
tsr_peer_send (TsrPeer              *self,
               const TsrWireMessage *message)
{
  if (self->closed)
    return;
  if (may_send (self))
    tsr_peer_writer_send (self->writer, message);
  else
    tsr_wire_write_message (early_buffer (self), message);
}

void
tsr_peer_send_block (TsrPeer *self,
                     guint32  index,
                     guint32  begin,
                     GBytes  *block)
{
  TsrWireMessage header = { 0 };
  gsize length = 0;
  const guint8 *data;

  if (self->closed)
    return;
  if (may_send (self))
    {
      tsr_peer_writer_send_block (self->writer, index, begin, block);
      return;
    }
  data = g_bytes_get_data (block, &length);
  header.type = TSR_WIRE_PIECE;
  header.index = index;
  header.begin = begin;
  header.length = (guint32) length;
  tsr_wire_write_message (early_buffer (self), &header);
  g_byte_array_append (self->early, data, (guint) length);
}

guint64
tsr_peer_get_queued_bytes (TsrPeer *self)
{
  return tsr_peer_writer_get_queued (self->writer) + (self->early != NULL ? self->early->len : 0);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* BEP 6 and BEP 10: on only when both handshakes set the bit (incoming:
 * ours is not known until tsr_peer_accept). */
static void
agree_on_extensions (TsrPeer *self)
{
  gboolean both = self->have_ours && self->handshake_received;

  self->features = 0;
  if (both && tsr_wire_reserved_has (self->their_reserved, TSR_WIRE_RESERVED_FAST) &&
      tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_FAST))
    self->features |= TSR_PEER_FEATURE_FAST;
  if (both && tsr_wire_reserved_has (self->their_reserved, TSR_WIRE_RESERVED_EXTENDED) &&
      tsr_wire_reserved_has (self->ours.reserved, TSR_WIRE_RESERVED_EXTENDED))
    self->features |= TSR_PEER_FEATURE_EXTENDED;
}

/* Parses what @data holds: the handshake, then whole messages. Returns
 * the bytes used, or -1 when the connection closed. */
static gssize
parse_input_locked (TsrPeer      *self,
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
      if (!tsr_wire_parse_handshake (data, length, &theirs, &error) ||
          (self->have_ours && memcmp (theirs.info_hash, self->ours.info_hash, 20) != 0))
        {
          tsr_peer_close (self, error != NULL ? error->message : _("The peer offered another torrent"));
          return -1;
        }
      self->handshake_received = TRUE;
      memcpy (self->peer_id, theirs.peer_id, 20);
      memcpy (self->their_reserved, theirs.reserved, 8);
      agree_on_extensions (self);
      offset = TSR_WIRE_HANDSHAKE_LENGTH;
      if (self->funcs != NULL && self->funcs->handshake != NULL)
        self->funcs->handshake (self, &theirs, self->funcs_data);
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
      if (self->funcs != NULL && self->funcs->message != NULL)
        self->funcs->message (self, &message, self->funcs_data);
    }
  if (self->closed)
    return -1;
  return (gssize) offset;
}

/* The same, marked as inside the parse. The owner may drop its
 * reference in what it is told: the parse holds one. */
static gssize
parse_input (TsrPeer      *self,
             const guint8 *data,
             gsize         length)
{
  g_autoptr(TsrPeer) hold G_GNUC_UNUSED = g_object_ref (self);
  gssize used;

  self->processing = TRUE;
  used = parse_input_locked (self, data, length);
  self->processing = FALSE;
  return used;
}

/* Parses what has arrived; returns FALSE when the connection closed. */
static gboolean
process_input (TsrPeer *self)
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

/* Closes for @reason; FALSE, for the callers' "still open". */
static gboolean
give_up (TsrPeer    *self,
         const char *reason)
{
  tsr_peer_close (self, reason);
  return FALSE;
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

      return give_up (self, reason);
    }
  /* What it answers leaves before anything RC4 encrypts. */
  tsr_peer_writer_take_bytes (self->writer, tsr_mse_take_output (self->mse));
  if (tsr_mse_get_state (self->mse) != TSR_MSE_STATE_DONE)
    return TRUE;
  if (self->incoming && self->have_ours &&
      memcmp (tsr_mse_get_info_hash (self->mse), self->ours.info_hash, 20) != 0)
    return give_up (self, _("The peer offered another torrent"));
  tsr_peer_writer_set_cipher (self->writer, tsr_mse_steal_encrypt (self->mse));
  self->decrypt = tsr_mse_steal_decrypt (self->mse);
  payload = tsr_mse_steal_initial_payload (self->mse);
  leftover = tsr_mse_steal_leftover (self->mse);
  g_clear_pointer (&self->mse, tsr_mse_free);
  g_debug ("%s: MSE done, %s", self->address, self->decrypt != NULL ? "RC4" : "plaintext");
  /* Ours rode in it (IA) when we dialled; else it comes with tsr_peer_accept. */
  if (self->have_ours)
    release_early (self);
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
  TsrMseDetect detected;

  g_byte_array_append (self->in, data, (guint) length);
  detected = tsr_mse_looks_plaintext (self->in->data, self->in->len);
  if (detected == TSR_MSE_DETECT_NEED_MORE)
    return TRUE;
  self->detecting = FALSE;
  if (detected == TSR_MSE_DETECT_PLAINTEXT)
    return self->encryption == TSR_PEER_ENCRYPTION_REQUIRE
           ? give_up (self, _("The peer does not encrypt, and encryption is required"))
           : process_input (self);
  if (self->encryption == TSR_PEER_ENCRYPTION_OFF || self->mse_find == NULL)
    return give_up (self, _("The peer encrypts, and encryption is off"));
  self->mse = tsr_mse_new_responder (mse_policy (self), self->mse_find, self->mse_find_data);
  start = g_steal_pointer (&self->in);
  self->in = g_byte_array_new ();
  return mse_feed (self, start->data, start->len);
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

/* The socket is readable: one read into the shared buffer, parsed before
 * anything else can use it. (Closing destroys this source.) */
static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  g_autoptr(TsrPeer) self = g_object_ref (user_data);
  g_autoptr(GError) error = NULL;
  guint8 *chunk = get_read_buffer ();
  gboolean open;
  gssize n;

  if (self->closed)
    {
      stop_reading (self);
      return G_SOURCE_REMOVE;
    }
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream), chunk, READ_CHUNK,
                                                self->cancellable, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      stop_reading (self);
      if (n == 0)
        tsr_peer_close (self, self->mse != NULL ? _("The peer closed the connection during the encrypted handshake")
                                                : _("The peer closed the connection"));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_peer_close (self, error->message);
      return G_SOURCE_REMOVE;
    }
  self->received += (guint64) n;
  self->last_received = g_get_monotonic_time ();
  if (self->down != NULL)
    tsr_limiter_consume (self->down, (guint64) n);
  if (self->decrypt != NULL)
    tsr_rc4_crypt (self->decrypt, chunk, (gsize) n);
  if (self->detecting)
    open = detect (self, chunk, (gsize) n);
  else if (self->mse != NULL)
    open = mse_feed (self, chunk, (gsize) n);
  else if (self->in->len == 0 && !self->processing)
    {
      /* Nothing left over: parse the bytes where they landed and keep
       * only an unfinished message's start, instead of copying the whole
       * read into the input buffer and shifting it out again. */
      gssize used = parse_input (self, chunk, (gsize) n);

      open = used >= 0;
      if (open && used < n)
        g_byte_array_append (self->in, chunk + used, (guint) (n - used));
    }
  else
    {
      g_byte_array_append (self->in, chunk, (guint) n);
      open = process_input (self);
    }
  if (!open || self->closed || self->read_source == NULL)
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

/* Keep-alives out; a peer that went silent, or one we dialled that has
 * not answered our handshake, is let go. (The listener times out those
 * that dialled us.) */
static void
on_tick (gpointer user_data)
{
  TsrPeer *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if ((now - self->last_received) / G_USEC_PER_SEC >= RECEIVE_TIMEOUT)
    {
      tsr_peer_close (self, _("The peer sent nothing for three minutes"));
      return;
    }
  if (!self->incoming && !self->handshake_received &&
      (now - self->started_at) / G_USEC_PER_SEC >= HANDSHAKE_TIMEOUT)
    {
      tsr_peer_close (self, _("No handshake within 30 seconds"));
      return;
    }
  if (self->have_ours)
    tsr_peer_writer_keep_alive (self->writer, now);
  /* An idle connection keeps no input buffer: what it grew to for the
   * last message goes once it has been parsed. */
  if (self->in->len == 0 && !self->processing && self->received != self->trimmed_at)
    {
      g_byte_array_unref (self->in);
      self->in = g_byte_array_new ();
      self->trimmed_at = self->received;
    }
}

static void
start_reading (TsrPeer *self)
{
  if (self->closed)
    return;
  if (self->tick == NULL)
    {
      self->started_at = g_get_monotonic_time ();
      self->last_received = self->started_at;
      self->tick = tsr_ticker_add (TICK, on_tick, self);
    }
  if (self->read_source != NULL)
    return;
  self->read_source = g_pollable_input_stream_create_source (
    G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->connection)), NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, g_main_context_get_thread_default ());
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
  agree_on_extensions (self);
  tsr_peer_writer_send_handshake (self->writer, &self->ours);
  if (may_send (self))
    release_early (self);
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
  GIOStream *connection = tsr_dialer_connect_finish (result, &error);

  n_connecting--;
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tsr_peer_close (self, error->message);
      return;
    }
  use_connection (self, connection);
  if (self->encryption == TSR_PEER_ENCRYPTION_OFF)
    {
      tsr_peer_writer_send_handshake (self->writer, &self->ours);
      release_early (self);
    }
  else
    {
      /* Our BitTorrent handshake rides in the MSE handshake (IA). */
      g_autoptr(GByteArray) handshake = g_byte_array_new ();

      tsr_wire_write_handshake (handshake, &self->ours);
      self->mse = tsr_mse_new_initiator (self->ours.info_hash, mse_policy (self), handshake->data, handshake->len);
      tsr_peer_writer_take_bytes (self->writer, tsr_mse_take_output (self->mse));
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
  n_connecting++;
  tsr_dialer_connect_async (self->dialer, &self->remote, self->cancellable, on_connected, g_object_ref (self));
}
