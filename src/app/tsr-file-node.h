/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-file-node.h: a torrent's files as a tree for the Files page: a
 * folder node sums the sizes and progress of what it holds, and setting
 * its priority sets every file below it.
 */
#pragma once

#include <gio/gio.h>

#include "tessera-engine.h"

G_BEGIN_DECLS

#define TSR_TYPE_FILE_NODE (tsr_file_node_get_type ())
G_DECLARE_FINAL_TYPE (TsrFileNode, tsr_file_node, TSR, FILE_NODE, GObject)

/* The top level of @torrent's tree (element-type TsrFileNode): the
 * torrent's folder, or its one file. Pad files are left out. */
GListStore  *tsr_file_nodes_new             (TsrTorrent  *torrent);
/* Progress of every node from the piece fractions (see
 * tsr_torrent_dup_piece_fractions); notifies only what changed. */
void         tsr_file_nodes_update          (GListStore  *roots,
                                             TsrTorrent  *torrent);
/* The same from @fractions already taken (@n_pieces of them). */
void         tsr_file_nodes_update_from     (GListStore  *roots,
                                             TsrTorrent  *torrent,
                                             const float *fractions,
                                             guint        n_pieces);

const char  *tsr_file_node_get_name         (TsrFileNode *self);
/* (nullable): the folder's children; NULL for a file. */
GListModel  *tsr_file_node_get_children     (TsrFileNode *self);
/* The file's index in the torrent; -1 for a folder. */
int          tsr_file_node_get_index        (TsrFileNode *self);
/* The path below the save folder. */
const char  *tsr_file_node_get_path         (TsrFileNode *self);
/* The pieces a file's bytes fall in: @n_pieces from @first, shared
 * pieces at either end included (0 for an empty file). FALSE for a
 * folder, whose files need not be contiguous. */
gboolean     tsr_file_node_get_piece_range  (TsrFileNode *self,
                                             TsrTorrent  *torrent,
                                             guint       *first,
                                             guint       *n_pieces);
/* The files' priority: the common one, or -1 when they differ. */
int          tsr_file_node_get_priority     (TsrFileNode *self);
void         tsr_file_node_set_priority     (TsrFileNode *self,
                                             TsrTorrent  *torrent,
                                             TsrPriority  priority);

G_END_DECLS
