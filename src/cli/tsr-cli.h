/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli.h: what the tessera-cli commands share: their entry points and
 * the one way they report errors.
 */
#pragma once

#include <glib.h>

#include <json-glib/json-glib.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

/* Each command gets argv with argv[0] set to "tessera-cli COMMAND" and
 * returns the process exit status. */
int  tsr_cli_peer    (int    argc,
                      char **argv);
int  tsr_cli_announce (int    argc,
                       char **argv);
int  tsr_cli_daemon  (int    argc,
                      char **argv);
int  tsr_cli_dht     (int    argc,
                     char **argv);
int  tsr_cli_tracker (int    argc,
                      char **argv);
int  tsr_cli_show    (int    argc,
                      char **argv);
int  tsr_cli_create  (int    argc,
                      char **argv);
int  tsr_cli_verify  (int    argc,
                      char **argv);

/* Prints "tessera-cli: MESSAGE" as one line on stderr. */
void tsr_cli_error   (const char *format,
                      ...) G_GNUC_PRINTF (1, 2);

/* Parses @context's options; on a usage error prints it (one line plus a
 * hint) and returns FALSE. */
gboolean tsr_cli_parse_options (GOptionContext  *context,
                                int             *argc,
                                char          ***argv);

/* Columns of text on a terminal: translated labels differ in length and
 * carry multi-byte characters, so printf's byte padding ("%-10s")
 * misaligns them. The width of @text in terminal columns (a wide
 * character counts two, a combining mark none); the widest of the
 * NULL-terminated @texts; and @text printed, then padded with spaces to
 * @width columns. */
int      tsr_cli_text_width   (const char         *text);
int      tsr_cli_widest       (const char * const *texts);
void     tsr_cli_print_padded (const char         *text,
                               int                 width);

/* Prints the builder's object, pretty, and a newline on stdout. */
void     tsr_cli_print_json   (JsonBuilder *builder);

/* Runs @job on @threads threads (0: one per core) with a progress bar
 * on stderr when it is a terminal and not @quiet; Ctrl+C cancels. */
gboolean tsr_cli_run_hash_job (TsrHashJob  *job,
                               guint        threads,
                               const char  *label,
                               gboolean     quiet,
                               GError     **error);

G_END_DECLS
