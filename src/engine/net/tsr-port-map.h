/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-port-map.h: asks the home router to forward our listening port
 * (TCP for peers, UDP for the DHT and uTP), over UPnP IGD (gupnp-igd)
 * and NAT-PMP (libnatpmp) at once; the first to answer wins. Mappings are
 * renewed before their lease ends and removed when the object goes.
 * Main-thread only; nothing here blocks.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  TSR_PORT_MAP_SEARCHING,   /* asking the router */
  TSR_PORT_MAP_MAPPED,      /* forwarded: see the external address and port */
  TSR_PORT_MAP_FAILED,      /* no router would: see the error */
} TsrPortMapState;

/* Seconds to wait for a router before saying none answered. */
#define TSR_PORT_MAP_TIMEOUT 15
/* Seconds a mapping is asked for; renewed at half. */
#define TSR_PORT_MAP_LEASE 3600

#define TSR_TYPE_PORT_MAP (tsr_port_map_get_type ())
G_DECLARE_FINAL_TYPE (TsrPortMap, tsr_port_map, TSR, PORT_MAP, GObject)

/* Starts mapping @port (the same number outside, if the router agrees).
 * "changed" is emitted when the state, method or address changes. */
TsrPortMap      *tsr_port_map_new                  (guint16     port);
TsrPortMapState  tsr_port_map_get_state            (TsrPortMap *self);
guint16          tsr_port_map_get_port             (TsrPortMap *self);
/* "UPnP" or "NAT-PMP" once mapped, else NULL. */
const char      *tsr_port_map_get_method           (TsrPortMap *self);
/* The router's external address (nullable: some routers do not say). */
const char      *tsr_port_map_get_external_address (TsrPortMap *self);
guint16          tsr_port_map_get_external_port    (TsrPortMap *self);
/* Why it failed (translated), when failed. */
const char      *tsr_port_map_get_error            (TsrPortMap *self);
/* Asks the routers to remove the mappings; TRUE while UPnP removals are
 * still on their way (iterate the main context a little before exit). */
gboolean         tsr_port_map_close                (TsrPortMap *self);

G_END_DECLS
