/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-context.h: what every RPC method works on (the library, the
 * ids, the settings, the paths a client may name) and the helpers they
 * share: which torrents "ids" selects, and whether a folder a client
 * gave may be used. The methods themselves are in tsr-rpc-methods.h.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tessera-engine.h"
#include "tsr-rpc-history.h"
#include "tsr-rpc-ids.h"
#include "tsr-rpc-settings.h"

G_BEGIN_DECLS

typedef struct
{
  /* The settings changed through session-set: the owner saves them. */
  void (*settings_changed) (gpointer user_data);
  /* session-close: the owner stops, soon (after the reply is sent). */
  void (*close)            (gpointer user_data);
} TsrRpcContextFuncs;

typedef struct
{
  TsrLibrary           *library;        /* (owned) */
  TsrRpcIds            *ids;            /* (owned) */
  TsrRpcSettings       *settings;       /* borrowed: the owner's */
  char                 *config_dir;     /* (owned) (nullable) */
  /* Folders torrent-add "filename" paths, "download-dir" and moves must
   * lie in (owned; NULL or empty: any absolute folder without ".."). */
  char                **allowed_roots;
  TsrRpcContextFuncs    funcs;
  gpointer              user_data;
  /* session-stats' totals and the torrents' times, this run's and,
   * once the owner calls tsr_rpc_history_keep, earlier runs'. (owned) */
  TsrRpcHistory        *history;
} TsrRpcContext;

TsrRpcContext *tsr_rpc_context_new  (TsrLibrary               *library,
                                     TsrRpcSettings           *settings,
                                     const char               *config_dir,
                                     const TsrRpcContextFuncs *funcs,
                                     gpointer                  user_data);
void           tsr_rpc_context_free (TsrRpcContext            *self);

/* The torrents @args' "ids" names (absent: all; a number, a hash string,
 * a list of either, or "recently-active"), in id order, as new refs.
 * NULL with @error when "ids" is of a wrong type. */
GPtrArray     *tsr_rpc_context_select (TsrRpcContext *self,
                                       JsonObject    *args,
                                       GError       **error);
/* Whether @folder may be saved into or moved to: absolute, no ".."
 * component, and within an allowed root when roots are set. */
gboolean       tsr_rpc_context_check_folder (TsrRpcContext *self,
                                             const char    *folder,
                                             GError       **error);
/* Whether the torrent file at @path may be read: the same rule, and a
 * regular file (not followed through a symlink out of the roots). */
gboolean       tsr_rpc_context_check_file   (TsrRpcContext *self,
                                             const char    *path,
                                             GError       **error);

/* Members of @args, with a default when absent or of another type. */
gint64         tsr_rpc_args_int    (JsonObject *args,
                                    const char *name,
                                    gint64      fallback);
gdouble        tsr_rpc_args_double (JsonObject *args,
                                    const char *name,
                                    gdouble     fallback);
gboolean       tsr_rpc_args_bool   (JsonObject *args,
                                    const char *name,
                                    gboolean    fallback);
/* (nullable) (transfer none) */
const char    *tsr_rpc_args_string (JsonObject *args,
                                    const char *name);
/* Whether @args has @name as a number or boolean. */
gboolean       tsr_rpc_args_has_value (JsonObject *args,
                                       const char *name);

G_END_DECLS
