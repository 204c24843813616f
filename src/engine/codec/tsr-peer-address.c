/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-address.c: the binary peer address. Text is parsed strictly
 * (numeric hosts, IPv6 in brackets, a port of 1-65535 and nothing else),
 * because the strings come from users, magnets and the public API, and a
 * lenient reader would let two spellings of one peer become two peers.
 * For the same reason IPv4-mapped IPv6 addresses are stored as IPv4.
 */
#define G_LOG_DOMAIN "tsr-peer-address"

#include "config.h"

#include <string.h>

#include "tsr-peer-address.h"

G_STATIC_ASSERT (sizeof (TsrPeerAddress) == 20);

static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static gsize
address_length (const TsrPeerAddress *self)
{
  return self->family == TSR_PEER_ADDRESS_IPV6 ? 16 : 4;
}

/* Fills @out from raw bytes of @family, IPv4-mapped IPv6 becoming IPv4. */
static void
set_bytes (TsrPeerAddress *out,
           GSocketFamily   family,
           const guint8   *bytes,
           guint16         port)
{
  memset (out, 0, sizeof *out);
  if (family == G_SOCKET_FAMILY_IPV6 && memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
    {
      out->family = TSR_PEER_ADDRESS_IPV4;
      memcpy (out->address, bytes + 12, 4);
    }
  else if (family == G_SOCKET_FAMILY_IPV6)
    {
      out->family = TSR_PEER_ADDRESS_IPV6;
      memcpy (out->address, bytes, 16);
    }
  else
    {
      out->family = TSR_PEER_ADDRESS_IPV4;
      memcpy (out->address, bytes, 4);
    }
  out->port = port;
}

/* A port of 1-65535 in plain decimal digits, and nothing after it. */
static gboolean
parse_port (const char *text,
            guint16    *port)
{
  guint value = 0;
  gsize i;

  for (i = 0; text[i] != '\0'; i++)
    {
      if (!g_ascii_isdigit (text[i]) || i >= 5)
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }
  if (i == 0 || value == 0 || value > 65535)
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

gboolean
tsr_peer_address_parse (const char     *text,
                        TsrPeerAddress *out)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  GSocketFamily family;
  const char *port_text;
  guint16 port = 0;

  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (text == NULL)
    return FALSE;
  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end[1] != ':')
        return FALSE;
      host = g_strndup (text + 1, (gsize) (end - text - 1));
      family = G_SOCKET_FAMILY_IPV6;
      port_text = end + 2;
    }
  else
    {
      const char *colon = strchr (text, ':');

      /* One colon only: an IPv6 host without brackets is ambiguous. */
      if (colon == NULL || strchr (colon + 1, ':') != NULL)
        return FALSE;
      host = g_strndup (text, (gsize) (colon - text));
      family = G_SOCKET_FAMILY_IPV4;
      port_text = colon + 1;
    }
  /* A scope ("fe80::1%eth0") has no place in 16 bytes. */
  if (strchr (host, '%') != NULL || !parse_port (port_text, &port))
    return FALSE;
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL || g_inet_address_get_family (inet) != family)
    return FALSE;
  set_bytes (out, family, g_inet_address_to_bytes (inet), port);
  return TRUE;
}

gboolean
tsr_peer_address_from_socket (GSocketAddress *address,
                              TsrPeerAddress *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return FALSE;
  tsr_peer_address_from_inet (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)),
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), out);
  return TRUE;
}

void
tsr_peer_address_from_inet (GInetAddress   *address,
                            guint16         port,
                            TsrPeerAddress *out)
{
  g_return_if_fail (G_IS_INET_ADDRESS (address));
  g_return_if_fail (out != NULL);

  set_bytes (out, g_inet_address_get_family (address), g_inet_address_to_bytes (address), port);
}

GInetAddress *
tsr_peer_address_to_inet (const TsrPeerAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_inet_address_new_from_bytes (self->address, self->family == TSR_PEER_ADDRESS_IPV6
                                                       ? G_SOCKET_FAMILY_IPV6
                                                       : G_SOCKET_FAMILY_IPV4);
}

GSocketAddress *
tsr_peer_address_to_socket_address (const TsrPeerAddress *self)
{
  g_autoptr(GInetAddress) inet = tsr_peer_address_to_inet (self);

  g_return_val_if_fail (inet != NULL, NULL);

  return g_inet_socket_address_new (inet, self->port);
}

char *
tsr_peer_address_to_string (const TsrPeerAddress *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->family == TSR_PEER_ADDRESS_IPV6)
    {
      g_autoptr(GInetAddress) inet = tsr_peer_address_to_inet (self);
      g_autofree char *bare = g_inet_address_to_string (inet);

      host = g_strdup_printf ("[%s]", bare);
    }
  else
    host = g_strdup_printf ("%u.%u.%u.%u", self->address[0], self->address[1], self->address[2],
                            self->address[3]);
  if (self->port == 0)
    return g_steal_pointer (&host);
  return g_strdup_printf ("%s:%u", host, self->port);
}

guint
tsr_peer_address_hash (gconstpointer self)
{
  const TsrPeerAddress *a = self;
  guint hash = (guint) a->family * 65537u + a->port;
  gsize i;

  /* FNV-1a over the bytes that count. */
  for (i = 0; i < address_length (a); i++)
    hash = (hash ^ a->address[i]) * 16777619u;
  return hash;
}

gboolean
tsr_peer_address_same_host (const TsrPeerAddress *a,
                            const TsrPeerAddress *b)
{
  return a->family == b->family && memcmp (a->address, b->address, address_length (a)) == 0;
}

gboolean
tsr_peer_address_equal (gconstpointer a,
                        gconstpointer b)
{
  const TsrPeerAddress *x = a;
  const TsrPeerAddress *y = b;

  return x->port == y->port && tsr_peer_address_same_host (x, y);
}

TsrPeerAddress
tsr_peer_address_get_host (const TsrPeerAddress *self)
{
  TsrPeerAddress host = { 0 };

  host.family = self->family;
  memcpy (host.address, self->address, address_length (self));
  return host;
}

TsrPeerAddress *
tsr_peer_address_dup (const TsrPeerAddress *self)
{
  return g_memdup2 (self, sizeof *self);
}
