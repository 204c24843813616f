/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-labels.h: the rule every torrent label passes before the library
 * keeps it, whoever sets it (the app, the index on disk, the coming
 * remote-control protocol's `labels`). A label is a short line of text:
 *
 *   - text that is not valid UTF-8 is refused (the label is left out);
 *   - control characters and every kind of space (tabs, newlines,
 *     no-break spaces...) become plain spaces, and spaces at either end
 *     are trimmed; a label left empty is left out;
 *   - a label is cut to TSR_LABEL_MAX_CHARS characters (whole
 *     characters, never mid-sequence);
 *   - labels that differ only in case are one label: the first spelling
 *     given is kept, in the order given;
 *   - at most TSR_LABELS_MAX labels per torrent: the rest are left out.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TSR_LABEL_MAX_CHARS 64
#define TSR_LABELS_MAX      32

/* The labels @labels (nullable: none) that pass the rule above, as a new
 * NULL-terminated array (empty, never NULL). */
char     **tsr_labels_sanitise (const char * const *labels);
/* Whether @a and @b (nullable: empty) hold the same labels in the same order. */
gboolean   tsr_labels_equal    (const char * const *a,
                                const char * const *b);
/* The strings of @node, a JSON array (other elements left out), as labels
 * that pass the rule; NULL when @node (nullable) is not an array: the
 * index's "labels", the remote-control protocol's `labels`. */
char     **tsr_labels_from_json (JsonNode          *node);
/* Whether @labels (nullable) holds @label, case aside. */
gboolean   tsr_labels_contain  (const char * const *labels,
                                const char         *label);

G_END_DECLS
