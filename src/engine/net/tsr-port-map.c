/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-port-map.c: the router forwards our port, over UPnP IGD and NAT-PMP.
 *
 * UPnP goes through gupnp-igd's GUPnPSimpleIgd, which finds routers by
 * SSDP, maps, renews and reports with signals on our main context. It
 * needs our address on the router's side: the address the kernel would
 * send SSDP's multicast from (a connected UDP socket sends nothing).
 *
 * NAT-PMP goes through libnatpmp, whose calls never block: its socket is
 * watched on the main loop, and its own retry clock (250 ms doubling) is
 * followed with a timeout. Requests go one at a time: the external
 * address, then TCP, then UDP; renewed at half the lease.
 */
#define G_LOG_DOMAIN "tsr-port-map"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <libgupnp-igd/gupnp-simple-igd.h>
#define ENABLE_STRNATPMPERR   /* Debian builds libnatpmp with it */
#include <natpmp.h>
#include <string.h>
#include <sys/time.h>

#include "tsr-port-map.h"

#define DESCRIPTION "Tessera"
/* SSDP's multicast group: the route to it names our address on the LAN. */
#define SSDP_GROUP "239.255.255.250"
#define SSDP_PORT 1900

typedef enum
{
  PMP_IDLE,
  PMP_ADDRESS,    /* asked for the external address */
  PMP_TCP,        /* asked to map TCP */
  PMP_UDP,        /* asked to map UDP */
  PMP_DONE,
  PMP_FAILED,
} PmpStep;

struct _TsrPortMap
{
  GObject          parent_instance;
  guint16          port;
  TsrPortMapState  state;
  char            *method;          /* (nullable) static string */
  char            *external_address;
  guint16          external_port;
  char            *error;
  guint            timeout_source;  /* none answered in time */
  /* UPnP */
  GUPnPSimpleIgd  *igd;             /* (owned) (nullable) */
  char            *local_address;   /* (nullable) ours on the LAN */
  guint            upnp_mapped;     /* protocols mapped (1 TCP, 2 UDP) */
  guint            upnp_failed;     /* protocols refused (1 TCP, 2 UDP) */
  char            *upnp_address;    /* (nullable) the TCP mapping's external address */
  guint16          upnp_port;       /* and port */
  char            *upnp_error;      /* (nullable) */
  /* NAT-PMP */
  natpmp_t         pmp;
  gboolean         pmp_open;
  PmpStep          pmp_step;
  guint            pmp_fd_source;
  guint            pmp_retry_source;
  guint            pmp_renew_source;
  guint32          pmp_lifetime;
  char            *pmp_error;       /* (nullable) */
  char            *pmp_address;     /* (nullable) */
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TsrPortMap, tsr_port_map, G_TYPE_OBJECT)

static void pmp_close (TsrPortMap *self);

static void
tsr_port_map_dispose (GObject *object)
{
  TsrPortMap *self = TSR_PORT_MAP (object);

  tsr_port_map_close (self);
  g_clear_object (&self->igd);
  G_OBJECT_CLASS (tsr_port_map_parent_class)->dispose (object);
}

static void
tsr_port_map_finalize (GObject *object)
{
  TsrPortMap *self = TSR_PORT_MAP (object);

  g_free (self->external_address);
  g_free (self->error);
  g_free (self->local_address);
  g_free (self->upnp_address);
  g_free (self->upnp_error);
  g_free (self->pmp_error);
  g_free (self->pmp_address);
  G_OBJECT_CLASS (tsr_port_map_parent_class)->finalize (object);
}

static void
tsr_port_map_class_init (TsrPortMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tsr_port_map_dispose;
  object_class->finalize = tsr_port_map_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tsr_port_map_init (TsrPortMap *self)
{
  self->state = TSR_PORT_MAP_SEARCHING;
}

/* ------------------------------------------------------------------ */

static void
set_mapped (TsrPortMap *self,
            const char *method,
            const char *address,
            guint16     external_port)
{
  gboolean changed = self->state != TSR_PORT_MAP_MAPPED || g_strcmp0 (self->method, method) != 0 ||
                     g_strcmp0 (self->external_address, address) != 0 || self->external_port != external_port;

  /* The first method that works stays: the other may map too (harmless). */
  if (self->state == TSR_PORT_MAP_MAPPED && g_strcmp0 (self->method, method) != 0)
    return;
  g_clear_handle_id (&self->timeout_source, g_source_remove);
  self->state = TSR_PORT_MAP_MAPPED;
  self->method = (char *) method;
  g_free (self->external_address);
  self->external_address = g_strdup (address);
  self->external_port = external_port;
  g_clear_pointer (&self->error, g_free);
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* Both ways have given up (or the time is out): say why. */
static void
maybe_fail (TsrPortMap *self,
            gboolean    timed_out)
{
  if (self->state != TSR_PORT_MAP_SEARCHING)
    return;
  if (!timed_out && !(self->pmp_step == PMP_FAILED && self->upnp_error != NULL))
    return;
  g_clear_handle_id (&self->timeout_source, g_source_remove);
  self->state = TSR_PORT_MAP_FAILED;
  g_free (self->error);
  if (self->upnp_error != NULL && self->pmp_error != NULL)
    self->error = g_strdup_printf (_("UPnP: %s; NAT-PMP: %s"), self->upnp_error, self->pmp_error);
  else if (self->pmp_error != NULL)
    self->error = g_strdup_printf (_("No UPnP router answered; NAT-PMP: %s"), self->pmp_error);
  else if (self->upnp_error != NULL)
    self->error = g_strdup_printf (_("UPnP: %s; no NAT-PMP router answered"), self->upnp_error);
  else
    self->error = g_strdup (_("No UPnP or NAT-PMP router answered"));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
on_timeout (gpointer user_data)
{
  TsrPortMap *self = user_data;

  self->timeout_source = 0;
  maybe_fail (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* UPnP                                                                */

static char *
local_address_for_ssdp (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string (SSDP_GROUP);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (group, SSDP_PORT);
  g_autoptr(GSocketAddress) local = NULL;

  if (socket == NULL || !g_socket_connect (socket, to, NULL, NULL))
    return NULL;
  local = g_socket_get_local_address (socket, NULL);
  if (local == NULL)
    return NULL;
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

/* Mapped once TCP is and UDP has had its answer (mapped or refused):
 * reporting earlier lets a quick exit cancel the UDP request in flight,
 * and gupnp-igd deletes only what it knows is mapped (the router would
 * keep the UDP mapping until its lease ends). */
static void
upnp_report (TsrPortMap *self)
{
  if ((self->upnp_mapped & 1) && ((self->upnp_mapped | self->upnp_failed) & 2))
    set_mapped (self, "UPnP", self->upnp_address, self->upnp_port);
}

static void
on_upnp_mapped (GUPnPSimpleIgd *igd,
                const char     *protocol,
                const char     *external_address,
                const char     *replaces_external_address,
                guint           external_port,
                const char     *local_address,
                guint           local_port,
                const char     *description,
                gpointer        user_data)
{
  TsrPortMap *self = user_data;

  if (local_port != self->port)
    return;
  self->upnp_mapped |= g_str_equal (protocol, "TCP") ? 1 : 2;
  /* Peers reach us over TCP: its mapping is the one reported. */
  if (g_str_equal (protocol, "TCP"))
    {
      g_free (self->upnp_address);
      self->upnp_address = external_address != NULL && *external_address != '\0' ? g_strdup (external_address)
                                                                                   : NULL;
      self->upnp_port = (guint16) external_port;
    }
  upnp_report (self);
}

static void
on_upnp_error (GUPnPSimpleIgd *igd,
               GError         *error,
               const char     *protocol,
               guint           external_port,
               const char     *local_address,
               guint           local_port,
               const char     *description,
               gpointer        user_data)
{
  TsrPortMap *self = user_data;

  g_free (self->upnp_error);
  self->upnp_error = g_strdup (error != NULL ? error->message : _("the router refused"));
  g_debug ("UPnP %s: %s", protocol, self->upnp_error);
  self->upnp_failed |= g_str_equal (protocol, "TCP") ? 1 : 2;
  upnp_report (self);
  maybe_fail (self, FALSE);
}

static void
upnp_start (TsrPortMap *self)
{
  self->local_address = local_address_for_ssdp ();
  if (self->local_address == NULL)
    {
      self->upnp_error = g_strdup (_("no local network address"));
      return;
    }
  self->igd = gupnp_simple_igd_new ();
  g_signal_connect (self->igd, "mapped-external-port", G_CALLBACK (on_upnp_mapped), self);
  g_signal_connect (self->igd, "error-mapping-port", G_CALLBACK (on_upnp_error), self);
  gupnp_simple_igd_add_port (self->igd, "TCP", self->port, self->local_address, self->port,
                             TSR_PORT_MAP_LEASE, DESCRIPTION);
  gupnp_simple_igd_add_port (self->igd, "UDP", self->port, self->local_address, self->port,
                             TSR_PORT_MAP_LEASE, DESCRIPTION);
}

/* ------------------------------------------------------------------ */
/* NAT-PMP                                                             */

static void pmp_next (TsrPortMap *self);
static void pmp_wait (TsrPortMap *self);

static void
pmp_fail (TsrPortMap *self,
          int         code)
{
  g_free (self->pmp_error);
  self->pmp_error = g_strdup (code == NATPMP_ERR_NOGATEWAYSUPPORT || code == NATPMP_ERR_RECVFROM ||
                              code == NATPMP_ERR_CONNECTERR
                              ? _("the router does not speak it")
                              : code == NATPMP_ERR_CANNOTGETGATEWAY ? _("no default gateway")
                              : code == NATPMP_ERR_NOTAUTHORIZED ? _("the router refused")
                              : strnatpmperr (code));
  g_debug ("NAT-PMP: %s (%d)", self->pmp_error, code);
  self->pmp_step = PMP_FAILED;
  pmp_close (self);
  maybe_fail (self, FALSE);
}

static gboolean
on_pmp_renew (gpointer user_data)
{
  TsrPortMap *self = user_data;

  self->pmp_renew_source = 0;
  self->pmp_step = PMP_ADDRESS;
  if (sendpublicaddressrequest (&self->pmp) < 0)
    pmp_fail (self, NATPMP_ERR_SENDERR);
  else
    pmp_wait (self);
  return G_SOURCE_REMOVE;
}

/* Reads an answer, or lets libnatpmp send again when its time has come. */
static void
pmp_read (TsrPortMap *self)
{
  natpmpresp_t response;
  int result;
  char text[INET_ADDRSTRLEN];

  memset (&response, 0, sizeof response);
  result = readnatpmpresponseorretry (&self->pmp, &response);
  if (result == NATPMP_TRYAGAIN)
    {
      pmp_wait (self);
      return;
    }
  if (result < 0)
    {
      pmp_fail (self, result);
      return;
    }
  switch (response.type)
    {
    case NATPMP_RESPTYPE_PUBLICADDRESS:
      if (inet_ntop (AF_INET, &response.pnu.publicaddress.addr, text, sizeof text) != NULL)
        {
          g_free (self->pmp_address);
          self->pmp_address = g_strdup (text);
        }
      break;
    case NATPMP_RESPTYPE_TCPPORTMAPPING:
      self->pmp_lifetime = response.pnu.newportmapping.lifetime;
      set_mapped (self, "NAT-PMP", self->pmp_address, response.pnu.newportmapping.mappedpublicport);
      break;
    default:
      break;
    }
  pmp_next (self);
}

static gboolean
on_pmp_readable (gint         fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  TsrPortMap *self = user_data;

  g_clear_handle_id (&self->pmp_retry_source, g_source_remove);
  pmp_read (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_pmp_retry (gpointer user_data)
{
  TsrPortMap *self = user_data;

  self->pmp_retry_source = 0;
  pmp_read (self);
  return G_SOURCE_REMOVE;
}

/* Waits for the answer until libnatpmp's next retry is due. */
static void
pmp_wait (TsrPortMap *self)
{
  struct timeval timeout;
  guint ms;

  if (getnatpmprequesttimeout (&self->pmp, &timeout) < 0)
    {
      pmp_fail (self, NATPMP_ERR_GETTIMEOFDAYERR);
      return;
    }
  ms = (guint) (MAX (timeout.tv_sec, 0) * 1000 + MAX (timeout.tv_usec, 0) / 1000) + 1;
  g_clear_handle_id (&self->pmp_retry_source, g_source_remove);
  self->pmp_retry_source = g_timeout_add (ms, on_pmp_retry, self);
}

static void
pmp_next (TsrPortMap *self)
{
  int result = 0;

  switch (self->pmp_step)
    {
    case PMP_ADDRESS:
      self->pmp_step = PMP_TCP;
      result = sendnewportmappingrequest (&self->pmp, NATPMP_PROTOCOL_TCP, self->port, self->port,
                                          TSR_PORT_MAP_LEASE);
      break;
    case PMP_TCP:
      self->pmp_step = PMP_UDP;
      result = sendnewportmappingrequest (&self->pmp, NATPMP_PROTOCOL_UDP, self->port, self->port,
                                          TSR_PORT_MAP_LEASE);
      break;
    case PMP_UDP:
      self->pmp_step = PMP_DONE;
      g_clear_handle_id (&self->pmp_retry_source, g_source_remove);
      /* Renewed at half the lease the router granted. */
      self->pmp_renew_source = g_timeout_add_seconds (MAX (self->pmp_lifetime / 2, 60), on_pmp_renew, self);
      return;
    default:
      return;
    }
  if (result < 0)
    pmp_fail (self, result);
  else
    pmp_wait (self);
}

static void
pmp_start (TsrPortMap *self)
{
  int result = initnatpmp (&self->pmp, 0, 0);

  if (result < 0)
    {
      pmp_fail (self, result);
      return;
    }
  self->pmp_open = TRUE;
  self->pmp_fd_source = g_unix_fd_add (self->pmp.s, G_IO_IN, on_pmp_readable, self);
  self->pmp_step = PMP_ADDRESS;
  result = sendpublicaddressrequest (&self->pmp);
  if (result < 0)
    pmp_fail (self, result);
  else
    pmp_wait (self);
}

static void
pmp_close (TsrPortMap *self)
{
  g_clear_handle_id (&self->pmp_fd_source, g_source_remove);
  g_clear_handle_id (&self->pmp_retry_source, g_source_remove);
  g_clear_handle_id (&self->pmp_renew_source, g_source_remove);
  if (self->pmp_open)
    {
      closenatpmp (&self->pmp);
      self->pmp_open = FALSE;
    }
}

/* ------------------------------------------------------------------ */

TsrPortMap *
tsr_port_map_new (guint16 port)
{
  TsrPortMap *self;

  g_return_val_if_fail (port > 0, NULL);

  self = g_object_new (TSR_TYPE_PORT_MAP, NULL);
  self->port = port;
  self->timeout_source = g_timeout_add_seconds (TSR_PORT_MAP_TIMEOUT, on_timeout, self);
  upnp_start (self);
  pmp_start (self);
  return self;
}

TsrPortMapState
tsr_port_map_get_state (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), TSR_PORT_MAP_FAILED);
  return self->state;
}

guint16
tsr_port_map_get_port (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), 0);
  return self->port;
}

const char *
tsr_port_map_get_method (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), NULL);
  return self->state == TSR_PORT_MAP_MAPPED ? self->method : NULL;
}

const char *
tsr_port_map_get_external_address (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), NULL);
  return self->external_address;
}

guint16
tsr_port_map_get_external_port (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), 0);
  return self->external_port;
}

const char *
tsr_port_map_get_error (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), NULL);
  return self->error;
}

gboolean
tsr_port_map_close (TsrPortMap *self)
{
  g_return_val_if_fail (TSR_IS_PORT_MAP (self), FALSE);

  g_clear_handle_id (&self->timeout_source, g_source_remove);
  if (self->pmp_open)
    {
      /* A lifetime of 0 removes a mapping (RFC 6886); no answer awaited. */
      if (self->pmp_step == PMP_DONE || self->pmp_step == PMP_UDP || self->pmp_step == PMP_TCP)
        {
          (void) sendnewportmappingrequest (&self->pmp, NATPMP_PROTOCOL_TCP, self->port, 0, 0);
          (void) sendnewportmappingrequest (&self->pmp, NATPMP_PROTOCOL_UDP, self->port, 0, 0);
        }
      pmp_close (self);
    }
  if (self->igd != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->igd, self);
      gupnp_simple_igd_remove_port (self->igd, "TCP", self->port);
      gupnp_simple_igd_remove_port (self->igd, "UDP", self->port);
      /* TRUE from it means nothing is pending any more. */
      return !gupnp_simple_igd_delete_all_mappings (self->igd);
    }
  return FALSE;
}
