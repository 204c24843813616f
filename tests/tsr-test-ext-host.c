/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-ext-host.c: the fake connections around a real extension
 * host that test-extensions and test-ext-holepunch share.
 */
#include "config.h"

#include <stdarg.h>

#include "tsr-test-ext-host.h"
#include "tsr-wire.h"

static void
sent_free (TsrTestSent *sent)
{
  g_bytes_unref (sent->payload);
  g_free (sent);
}

static void
host_send (gpointer              conn,
           const TsrWireMessage *message,
           gpointer              user_data)
{
  TsrTestExtHost *self = user_data;
  TsrTestSent *sent = g_new0 (TsrTestSent, 1);

  sent->conn = conn;
  sent->type = message->type;
  sent->id = message->type == TSR_WIRE_EXTENDED ? message->extended_id : message->unknown_id;
  sent->payload = g_bytes_new (message->data, message->data_length);
  g_ptr_array_add (self->sent, sent);
}

static void
host_close (gpointer    conn,
            const char *reason,
            gpointer    user_data)
{
  TsrTestExtHost *self = user_data;
  TsrTestConn *c = conn;

  c->closed = TRUE;
  g_free (c->close_reason);
  c->close_reason = g_strdup (reason);
  g_string_append_printf (self->log, "close %s\n", c->name);
  /* As the torrent does: the peer goes at once. */
  tsr_extensions_remove_peer (self->host, g_steal_pointer (&c->peer));
}

static void
host_handshake (gpointer                     conn,
                const TsrExtensionHandshake *theirs,
                const TsrPeerAddress        *listening,
                gpointer                     user_data)
{
  TsrTestExtHost *self = user_data;
  g_autofree char *where = listening != NULL ? tsr_peer_address_to_string (listening) : g_strdup ("-");

  g_string_append_printf (self->log, "handshake %s v=%s reqq=%u listening=%s\n", ((TsrTestConn *) conn)->name,
                          theirs->client != NULL ? theirs->client : "-", theirs->reqq, where);
}

static void
host_learned (const TsrPeerAddress *address,
              guint8                flags,
              gpointer              user_data)
{
  TsrTestExtHost *self = user_data;
  g_autofree char *text = tsr_peer_address_to_string (address);

  g_string_append_printf (self->log, "learned %s %u\n", text, flags);
}

static void
host_metainfo (TsrMetainfo  *info,
               const GError *error,
               gpointer      user_data)
{
  TsrTestExtHost *self = user_data;

  g_assert_no_error (error);
  g_clear_pointer (&self->metainfo, tsr_metainfo_unref);
  self->metainfo = tsr_metainfo_ref (info);
  self->n_metainfo++;
}

static gboolean
host_has_piece (guint    index,
                gpointer user_data)
{
  return FALSE;
}

static gint64
host_now (gpointer user_data)
{
  return ((TsrTestExtHost *) user_data)->now;
}

static const TsrExtensionsFuncs host_funcs = {
  .send = host_send,
  .close = host_close,
  .handshake = host_handshake,
  .learned = host_learned,
  .metainfo = host_metainfo,
  .has_piece = host_has_piece,
  .now = host_now,
};

void
tsr_test_ext_host_init (TsrTestExtHost *self)
{
  memset (self, 0, sizeof *self);
  self->now = 1000;
  self->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sent_free);
  self->log = g_string_new (NULL);
  self->host = tsr_extensions_new (&host_funcs, self);
}

void
tsr_test_ext_host_clear (TsrTestExtHost *self)
{
  g_clear_pointer (&self->host, tsr_extensions_free);
  g_clear_pointer (&self->sent, g_ptr_array_unref);
  if (self->log != NULL)
    g_string_free (g_steal_pointer (&self->log), TRUE);
  g_clear_pointer (&self->metainfo, tsr_metainfo_unref);
}

TsrPeerAddress
tsr_test_address_of (const char *text)
{
  TsrPeerAddress address;

  g_assert_true (tsr_peer_address_parse (text, &address));
  return address;
}

void
tsr_test_ext_host_add_conn (TsrTestExtHost *self,
                            TsrTestConn    *conn,
                            const char     *address,
                            gboolean        dialed)
{
  TsrPeerAddress parsed = tsr_test_address_of (address);

  conn->peer = tsr_extensions_add_peer (self->host, conn, &parsed, conn->have);
  tsr_extensions_peer_shaken (self->host, conn->peer, dialed, TRUE);
}

void
tsr_test_conn_clear (TsrTestConn *conn)
{
  g_clear_pointer (&conn->close_reason, g_free);
  g_clear_pointer (&conn->have, tsr_bitfield_free);
}

void
tsr_test_ext_host_receive_handshake (TsrTestExtHost *self,
                                     TsrTestConn    *conn,
                                     guint16         port,
                                     gint64          metadata_size,
                                     const char     *name,
                                     ...)
{
  g_autoptr(TsrExtensionHandshake) theirs = tsr_extension_handshake_new ();
  g_autoptr(GBytes) payload = NULL;
  va_list args;

  va_start (args, name);
  for (; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (theirs->extensions, g_strdup (name), GUINT_TO_POINTER (va_arg (args, guint)));
  va_end (args);
  theirs->port = port;
  theirs->reqq = 250;
  theirs->client = g_strdup ("Fake 1.0");
  theirs->metadata_size = metadata_size;
  payload = tsr_extension_handshake_encode (theirs);
  tsr_test_ext_host_receive_extended (self, conn, 0, payload);
}

void
tsr_test_ext_host_receive_extended (TsrTestExtHost *self,
                                    TsrTestConn    *conn,
                                    guint8          id,
                                    GBytes         *payload)
{
  TsrWireMessage message = { 0 };

  message.type = TSR_WIRE_EXTENDED;
  message.extended_id = id;
  message.data = g_bytes_get_data (payload, &message.data_length);
  tsr_extensions_on_message (self->host, conn->peer, &message);
}

TsrTestSent *
tsr_test_ext_host_sent_at (TsrTestExtHost *self,
                           guint           i)
{
  g_assert_cmpuint (i, <, self->sent->len);
  return g_ptr_array_index (self->sent, i);
}
