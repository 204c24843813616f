/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-holepunch.c: BEP 55 ut_holepunch codec. Messages come from peers
 * and are untrusted: the length must be what the address type says,
 * with or without the error code (libtorrent sends it in error messages
 * only; we always do, as BEP 55 lays out), the type and address type
 * known, and the port not 0.
 */
#define G_LOG_DOMAIN "tsr-holepunch"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-holepunch.h"

G_DEFINE_QUARK (tsr-holepunch-error-quark, tsr_holepunch_error)

/* BEP 55 addr_type. */
#define ADDR_IPV4 0
#define ADDR_IPV6 1

gboolean
tsr_holepunch_message_parse (const guint8         *data,
                             gsize                 length,
                             TsrHolepunchMessage  *out,
                             GError              **error)
{
  gsize address_size;
  const guint8 *p;

  memset (out, 0, sizeof *out);
  if (length < 2)
    {
      g_set_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED,
                   _("Hole punching message of %zu bytes is too short"), length);
      return FALSE;
    }
  if (data[0] > TSR_HOLEPUNCH_ERROR_MSG)
    {
      g_set_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED,
                   _("Hole punching message has unknown type %u"), data[0]);
      return FALSE;
    }
  if (data[1] != ADDR_IPV4 && data[1] != ADDR_IPV6)
    {
      g_set_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED,
                   _("Hole punching message has unknown address type %u"), data[1]);
      return FALSE;
    }
  address_size = data[1] == ADDR_IPV4 ? 4 : 16;
  /* libtorrent writes err_code in error messages only. */
  if (length != 2 + address_size + 2 + 4 && length != 2 + address_size + 2)
    {
      g_set_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED,
                   _("Hole punching message is %zu bytes, not %zu"), length, 2 + address_size + 2 + 4);
      return FALSE;
    }
  p = data + 2;
  out->type = data[0];
  out->address.family = data[1] == ADDR_IPV4 ? TSR_PEER_ADDRESS_IPV4 : TSR_PEER_ADDRESS_IPV6;
  memcpy (out->address.address, p, address_size);
  p += address_size;
  out->address.port = (guint16) (p[0] << 8 | p[1]);
  p += 2;
  if (length == 2 + address_size + 2 + 4)
    out->code = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
  if (out->address.port == 0)
    {
      g_set_error (error, TSR_HOLEPUNCH_ERROR, TSR_HOLEPUNCH_ERROR_MALFORMED,
                   _("Hole punching message names port 0"));
      memset (out, 0, sizeof *out);
      return FALSE;
    }
  return TRUE;
}

GBytes *
tsr_holepunch_message_encode (const TsrHolepunchMessage *self)
{
  guint8 buffer[TSR_HOLEPUNCH_MAX_SIZE];
  gsize address_size = self->address.family == TSR_PEER_ADDRESS_IPV6 ? 16 : 4;
  guint8 *p = buffer;

  g_return_val_if_fail (self->address.family == TSR_PEER_ADDRESS_IPV4 ||
                        self->address.family == TSR_PEER_ADDRESS_IPV6, NULL);

  *p++ = (guint8) self->type;
  *p++ = self->address.family == TSR_PEER_ADDRESS_IPV6 ? ADDR_IPV6 : ADDR_IPV4;
  memcpy (p, self->address.address, address_size);
  p += address_size;
  *p++ = (guint8) (self->address.port >> 8);
  *p++ = (guint8) self->address.port;
  *p++ = (guint8) (self->code >> 24);
  *p++ = (guint8) (self->code >> 16);
  *p++ = (guint8) (self->code >> 8);
  *p++ = (guint8) self->code;
  return g_bytes_new (buffer, (gsize) (p - buffer));
}

const char *
tsr_holepunch_code_to_string (guint32 code)
{
  switch (code)
    {
    case TSR_HOLEPUNCH_NO_SUCH_PEER:
      return _("The relay knows no such peer");
    case TSR_HOLEPUNCH_NOT_CONNECTED:
      return _("The relay is not connected to the peer");
    case TSR_HOLEPUNCH_NO_SUPPORT:
      return _("The peer does not support hole punching");
    case TSR_HOLEPUNCH_NO_SELF:
      return _("The peer is the relay itself");
    default:
      return _("Unknown hole punching error");
    }
}
