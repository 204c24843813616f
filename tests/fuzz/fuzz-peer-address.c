/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-peer-address.c: libFuzzer target for tsr_peer_address_parse. An
 * address that parses has a port, prints to a string that parses to the
 * same address (and prints the same again), and survives the trip
 * through a GSocketAddress.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsr-peer-address.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  TsrPeerAddress address;
  TsrPeerAddress again;
  TsrPeerAddress back;

  if (!tsr_peer_address_parse (text, &address))
    return 0;
  if (address.port == 0 || (address.family != TSR_PEER_ADDRESS_IPV4 && address.family != TSR_PEER_ADDRESS_IPV6))
    abort ();
  printed = tsr_peer_address_to_string (&address);
  if (!tsr_peer_address_parse (printed, &again) || !tsr_peer_address_equal (&address, &again) ||
      tsr_peer_address_hash (&address) != tsr_peer_address_hash (&again))
    abort ();
  printed_again = tsr_peer_address_to_string (&again);
  if (strcmp (printed, printed_again) != 0)
    abort ();
  socket_address = tsr_peer_address_to_socket_address (&address);
  if (!tsr_peer_address_from_socket (socket_address, &back) || !tsr_peer_address_equal (&address, &back))
    abort ();
  return 0;
}
