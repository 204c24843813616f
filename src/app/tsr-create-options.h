/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-create-options.h: the creation dialog's text fields read as the
 * creator's options (TsrCreateOptions): tracker tiers and web seeds.
 */
#pragma once

#include "tessera-engine.h"

G_BEGIN_DECLS

/* Tiers from text: one URL a line, a blank line between tiers (BEP 12);
 * every URL must be http, https or udp. Returns: (transfer full)
 * (element-type GPtrArray) the tiers, each of URLs, or NULL and
 * TSR_CREATOR_ERROR_BAD_OPTION. */
GPtrArray *tsr_parse_tiers_text     (const char  *text,
                                     GError     **error);
/* Web seeds from text: one URL a line (BEP 19), blank lines skipped;
 * every URL must be http or https. Returns: (transfer full)
 * (element-type utf8) the URLs, or NULL and TSR_CREATOR_ERROR_BAD_OPTION. */
GPtrArray *tsr_parse_web_seeds_text (const char  *text,
                                     GError     **error);

G_END_DECLS
