/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-swarm-parts.h: the parts a swarm's members share, made at first
 * need: the requester, the uploader, the extension host and its four
 * extensions (ut_holepunch first: the others use its id). An idle
 * torrent (stopped, or never connected) has none of them; what its owner
 * sets meanwhile (the metainfo, the storage, the sequential flag, the
 * read cache group, the listen port, the pieces) is kept here and applied
 * when they are made: a member arrives, or a magnet's fetch starts.
 * Kept by value in the swarm, as TsrMemberShared is, so that an idle
 * torrent pays a few words for it and no allocation.
 */
#pragma once

#include <glib.h>

#include "tsr-block-map.h"
#include "tsr-ext-hashes.h"
#include "tsr-ext-holepunch.h"
#include "tsr-ext-metadata.h"
#include "tsr-ext-pex.h"
#include "tsr-member.h"
#include "tsr-read-cache.h"
#include "tsr-smart-ban.h"

G_BEGIN_DECLS

/* Read the fields through the functions below. */
typedef struct
{
  TsrMemberShared            *shared;      /* borrowed: the requester, uploader and host are its */
  const TsrExtHolepunchFuncs *holepunch_funcs;
  gpointer                    user_data;   /* the holepunch funcs' */
  /* Kept until made, then kept up to date in them. */
  TsrMetainfo                *info;        /* (nullable) borrowed: what ut_metadata serves, hash requests read */
  TsrStorage                 *storage;     /* (nullable) borrowed: what uploads read */
  TsrBlockMap                *blocks;      /* (nullable) borrowed: for the requester */
  TsrSmartBan                *smart_ban;   /* (nullable) borrowed */
  TsrReadCacheGroup          *group;       /* (owned) (nullable) the session's read cache budget */
  guint16                     listen_port;
  gboolean                    sequential;
} TsrSwarmParts;

/* Makes nothing. */
void              tsr_swarm_parts_init          (TsrSwarmParts              *self,
                                                 TsrMemberShared            *shared,
                                                 const TsrExtHolepunchFuncs *holepunch_funcs,
                                                 gpointer                    user_data);
/* Drops what it holds; the parts are freed with the shared record. */
void              tsr_swarm_parts_clear         (TsrSwarmParts              *self);
/* Makes them when they do not exist, with what was set meanwhile. */
void              tsr_swarm_parts_make          (TsrSwarmParts              *self);
gboolean          tsr_swarm_parts_exist         (TsrSwarmParts              *self);

/* Each applies at once to the parts that exist, else when made. */
void              tsr_swarm_parts_set_metainfo  (TsrSwarmParts              *self,
                                                 TsrMetainfo                *info);
void              tsr_swarm_parts_set_storage   (TsrSwarmParts              *self,
                                                 TsrStorage                 *storage);
/* The pieces in progress and who sent them; the picker, piece count
 * and privacy (BEP 27: no hole punching) are the shared record's, set
 * before. */
void              tsr_swarm_parts_set_pieces    (TsrSwarmParts              *self,
                                                 TsrBlockMap                *blocks,
                                                 TsrSmartBan                *smart_ban);
void              tsr_swarm_parts_set_sequential (TsrSwarmParts             *self,
                                                  gboolean                   sequential);
gboolean          tsr_swarm_parts_get_sequential (TsrSwarmParts             *self);
void              tsr_swarm_parts_set_read_group (TsrSwarmParts             *self,
                                                  TsrReadCacheGroup         *group);
/* BEP 10 "p": the port we listen on. */
void              tsr_swarm_parts_set_listen_port (TsrSwarmParts            *self,
                                                   guint16                   port);

/* (nullable) As set. */
TsrBlockMap      *tsr_swarm_parts_get_blocks    (TsrSwarmParts              *self);
TsrSmartBan      *tsr_swarm_parts_get_smart_ban (TsrSwarmParts              *self);
/* (nullable) NULL until made. */
TsrExtHolepunch  *tsr_swarm_parts_get_holepunch (TsrSwarmParts              *self);
/* A magnet's fetch uses these: they are made if need be. */
TsrExtMetadata   *tsr_swarm_parts_get_metadata  (TsrSwarmParts              *self);
TsrExtHashes     *tsr_swarm_parts_get_hashes    (TsrSwarmParts              *self);

G_END_DECLS
