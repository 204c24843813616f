/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-parts.c: the requester, the uploader, the extension host and
 * its extensions of one swarm, made when the first member comes (or a
 * magnet's fetch starts) rather than with the torrent: most torrents of
 * a big library sit stopped or unconnected, and these cost about 700
 * bytes each. Until then the settings are kept here; from then on they
 * are passed on at once.
 */
#define G_LOG_DOMAIN "tsr-swarm"

#include "config.h"

#include <string.h>

#include "tsr-swarm-parts.h"

/* The extensions' slots in the host, in the order registered:
 * ut_holepunch first, as the others use its id. The host owns them and
 * finds them by slot: an idle swarm keeps no pointer to them. */
enum
{
  SLOT_HOLEPUNCH,
  SLOT_METADATA,
  SLOT_PEX,
  SLOT_HASHES,
};

static gpointer
ext_of (TsrSwarmParts *self,
        guint          slot)
{
  return self->shared->extensions != NULL ? tsr_extensions_get_ext (self->shared->extensions, slot) : NULL;
}

void
tsr_swarm_parts_init (TsrSwarmParts              *self,
                      TsrMemberShared            *shared,
                      const TsrExtHolepunchFuncs *holepunch_funcs,
                      gpointer                    user_data)
{
  memset (self, 0, sizeof *self);
  self->shared = shared;
  self->holepunch_funcs = holepunch_funcs;
  self->user_data = user_data;
}

/* The parts themselves are the shared record's to free. */
void
tsr_swarm_parts_clear (TsrSwarmParts *self)
{
  g_clear_pointer (&self->group, tsr_read_cache_group_unref);
}

gboolean
tsr_swarm_parts_exist (TsrSwarmParts *self)
{
  return self->shared->requester != NULL;
}

/* BEP 52 hash requests need both, whichever comes last. */
static void
apply_hashes (TsrSwarmParts *self)
{
  if (self->info != NULL && self->storage != NULL)
    tsr_ext_hashes_set_metainfo (ext_of (self, SLOT_HASHES), self->info, self->storage);
}

static void
apply_metainfo (TsrSwarmParts *self)
{
  if (self->info == NULL)
    return;
  tsr_ext_metadata_set_info (ext_of (self, SLOT_METADATA), self->info->info_bytes);
  tsr_ext_pex_set_metainfo (ext_of (self, SLOT_PEX), self->info->is_private);
  apply_hashes (self);
}

static void
apply_pieces (TsrSwarmParts *self)
{
  tsr_ext_holepunch_set_private (ext_of (self, SLOT_HOLEPUNCH), self->shared->is_private);
  if (self->blocks != NULL)
    tsr_requester_set_pieces (self->shared->requester, self->blocks, self->shared->picker, self->smart_ban,
                              self->shared->n_pieces);
}

/* Uploads and BEP 52 hash requests read the data through it. */
static void
apply_storage (TsrSwarmParts *self)
{
  if (self->storage == NULL)
    return;
  tsr_uploader_set_storage (self->shared->uploader, self->storage);
  apply_hashes (self);
}

void
tsr_swarm_parts_make (TsrSwarmParts *self)
{
  TsrExtensions *host;

  if (!tsr_member_shared_make (self->shared))
    return;
  host = self->shared->extensions;
  /* ut_holepunch registers first: the others use its id. */
  tsr_ext_holepunch_new (host, self->holepunch_funcs, self->user_data);
  tsr_ext_metadata_new (host);
  tsr_ext_pex_new (host);
  tsr_ext_hashes_new (host);
  apply_metainfo (self);
  apply_pieces (self);
  apply_storage (self);
  tsr_requester_set_sequential (self->shared->requester, self->sequential);
  /* A new uploader has no cache and no group: none to give. */
  if (self->group != NULL)
    tsr_uploader_set_group (self->shared->uploader, self->group);
  tsr_extensions_set_listen_port (host, self->listen_port);
}

void
tsr_swarm_parts_set_metainfo (TsrSwarmParts *self,
                              TsrMetainfo   *info)
{
  self->info = info;
  if (tsr_swarm_parts_exist (self))
    apply_metainfo (self);
}

void
tsr_swarm_parts_set_storage (TsrSwarmParts *self,
                             TsrStorage    *storage)
{
  self->storage = storage;
  if (tsr_swarm_parts_exist (self))
    apply_storage (self);
}

void
tsr_swarm_parts_set_pieces (TsrSwarmParts *self,
                            TsrBlockMap   *blocks,
                            TsrSmartBan   *smart_ban)
{
  self->blocks = blocks;
  self->smart_ban = smart_ban;
  if (tsr_swarm_parts_exist (self))
    apply_pieces (self);
}

void
tsr_swarm_parts_set_sequential (TsrSwarmParts *self,
                                gboolean       sequential)
{
  self->sequential = sequential;
  if (tsr_swarm_parts_exist (self))
    tsr_requester_set_sequential (self->shared->requester, sequential);
}

gboolean
tsr_swarm_parts_get_sequential (TsrSwarmParts *self)
{
  return self->sequential;
}

void
tsr_swarm_parts_set_read_group (TsrSwarmParts     *self,
                                TsrReadCacheGroup *group)
{
  if (group != NULL)
    tsr_read_cache_group_ref (group);
  g_clear_pointer (&self->group, tsr_read_cache_group_unref);
  self->group = group;
  if (tsr_swarm_parts_exist (self))
    tsr_uploader_set_group (self->shared->uploader, group);
}

void
tsr_swarm_parts_set_listen_port (TsrSwarmParts *self,
                                 guint16        port)
{
  self->listen_port = port;
  if (tsr_swarm_parts_exist (self))
    tsr_extensions_set_listen_port (self->shared->extensions, port);
}

TsrBlockMap *
tsr_swarm_parts_get_blocks (TsrSwarmParts *self)
{
  return self->blocks;
}

TsrSmartBan *
tsr_swarm_parts_get_smart_ban (TsrSwarmParts *self)
{
  return self->smart_ban;
}

TsrExtHolepunch *
tsr_swarm_parts_get_holepunch (TsrSwarmParts *self)
{
  return ext_of (self, SLOT_HOLEPUNCH);
}

TsrExtMetadata *
tsr_swarm_parts_get_metadata (TsrSwarmParts *self)
{
  tsr_swarm_parts_make (self);
  return ext_of (self, SLOT_METADATA);
}

TsrExtHashes *
tsr_swarm_parts_get_hashes (TsrSwarmParts *self)
{
  tsr_swarm_parts_make (self);
  return ext_of (self, SLOT_HASHES);
}
