/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-json.h: a small JSON writer straight into a GString, for the
 * one reply that is large: torrent-get of thousands of torrents. Every
 * other reply, and every request, goes through json-glib; see
 * tsr-rpc-json.c for why this one does not.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GString  *out;      /* borrowed */
  gboolean  comma;    /* a value was written at this level: the next needs ',' */
} TsrRpcJson;

void tsr_rpc_json_init         (TsrRpcJson *self,
                                GString    *out);
void tsr_rpc_json_begin_object (TsrRpcJson *self);
void tsr_rpc_json_end_object   (TsrRpcJson *self);
void tsr_rpc_json_begin_array  (TsrRpcJson *self);
void tsr_rpc_json_end_array    (TsrRpcJson *self);
/* A member's name, escaped as a string is. */
void tsr_rpc_json_member       (TsrRpcJson *self,
                                const char *name);
/* A member's name already quoted and followed by ':' (@quoted, @length
 * bytes), made once for many rows. */
void tsr_rpc_json_member_raw   (TsrRpcJson *self,
                                const char *quoted,
                                gsize       length);
void tsr_rpc_json_int          (TsrRpcJson *self,
                                gint64      value);
void tsr_rpc_json_bool         (TsrRpcJson *self,
                                gboolean    value);
/* As json-glib writes a double ("%.17g", ".0" added to whole numbers);
 * NaN and the infinities, which JSON cannot say, as null. */
void tsr_rpc_json_double       (TsrRpcJson *self,
                                gdouble     value);
/* Transmission's ratio: NaN as -1 (TR_RATIO_NA), an infinity as -2
 * (TR_RATIO_INF), as clients read them. */
void tsr_rpc_json_ratio        (TsrRpcJson *self,
                                gdouble     value);
/* RFC 8259: '"', '\\' and the control characters escaped (and DEL, as
 * json-glib does), the rest as is; a byte that is not part of valid
 * UTF-8 becomes U+FFFD. NULL is null. */
void tsr_rpc_json_string       (TsrRpcJson *self,
                                const char *value);
void tsr_rpc_json_string_len   (TsrRpcJson *self,
                                const char *value,
                                gsize       length);
/* The escaped text of @value, quotes included, appended to @out. */
void tsr_rpc_json_append_escaped (GString    *out,
                                  const char *value,
                                  gsize       length);

G_END_DECLS
