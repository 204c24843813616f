/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-rpc-fields.c: torrent-get's field names (Transmission's rpc-spec,
 * rpc-version 17, and the older names clients still send, such as
 * "file-count" beside "fileCount"), and the lookup from names to
 * numbers through a table made once.
 */
#define G_LOG_DOMAIN "tsr-rpc"

#include "config.h"

#include "tsr-rpc-fields.h"

static const char * const names[TSR_RPC_N_FIELDS] = {
  [TSR_RPC_FIELD_ID] = "id",
  [TSR_RPC_FIELD_NAME] = "name",
  [TSR_RPC_FIELD_HASH_STRING] = "hashString",
  [TSR_RPC_FIELD_STATUS] = "status",
  [TSR_RPC_FIELD_ERROR] = "error",
  [TSR_RPC_FIELD_ERROR_STRING] = "errorString",
  [TSR_RPC_FIELD_DOWNLOAD_DIR] = "downloadDir",
  [TSR_RPC_FIELD_TOTAL_SIZE] = "totalSize",
  [TSR_RPC_FIELD_SIZE_WHEN_DONE] = "sizeWhenDone",
  [TSR_RPC_FIELD_LEFT_UNTIL_DONE] = "leftUntilDone",
  [TSR_RPC_FIELD_DESIRED_AVAILABLE] = "desiredAvailable",
  [TSR_RPC_FIELD_HAVE_VALID] = "haveValid",
  [TSR_RPC_FIELD_HAVE_UNCHECKED] = "haveUnchecked",
  [TSR_RPC_FIELD_CORRUPT_EVER] = "corruptEver",
  [TSR_RPC_FIELD_BANDWIDTH_PRIORITY] = "bandwidthPriority",
  [TSR_RPC_FIELD_DONE_DATE] = "doneDate",
  [TSR_RPC_FIELD_EDIT_DATE] = "editDate",
  [TSR_RPC_FIELD_SECONDS_DOWNLOADING] = "secondsDownloading",
  [TSR_RPC_FIELD_SECONDS_SEEDING] = "secondsSeeding",
  [TSR_RPC_FIELD_WEBSEEDS_SENDING_TO_US] = "webseedsSendingToUs",
  [TSR_RPC_FIELD_PERCENT_DONE] = "percentDone",
  [TSR_RPC_FIELD_PERCENT_COMPLETE] = "percentComplete",
  [TSR_RPC_FIELD_METADATA_PERCENT_COMPLETE] = "metadataPercentComplete",
  [TSR_RPC_FIELD_RECHECK_PROGRESS] = "recheckProgress",
  [TSR_RPC_FIELD_IS_FINISHED] = "isFinished",
  [TSR_RPC_FIELD_IS_PRIVATE] = "isPrivate",
  [TSR_RPC_FIELD_IS_STALLED] = "isStalled",
  [TSR_RPC_FIELD_ETA] = "eta",
  [TSR_RPC_FIELD_ETA_IDLE] = "etaIdle",
  [TSR_RPC_FIELD_MANUAL_ANNOUNCE_TIME] = "manualAnnounceTime",
  [TSR_RPC_FIELD_RATE_DOWNLOAD] = "rateDownload",
  [TSR_RPC_FIELD_RATE_UPLOAD] = "rateUpload",
  [TSR_RPC_FIELD_UPLOADED_EVER] = "uploadedEver",
  [TSR_RPC_FIELD_DOWNLOADED_EVER] = "downloadedEver",
  [TSR_RPC_FIELD_UPLOAD_RATIO] = "uploadRatio",
  [TSR_RPC_FIELD_ADDED_DATE] = "addedDate",
  [TSR_RPC_FIELD_ACTIVITY_DATE] = "activityDate",
  [TSR_RPC_FIELD_START_DATE] = "startDate",
  [TSR_RPC_FIELD_DATE_CREATED] = "dateCreated",
  [TSR_RPC_FIELD_COMMENT] = "comment",
  [TSR_RPC_FIELD_CREATOR] = "creator",
  [TSR_RPC_FIELD_SOURCE] = "source",
  [TSR_RPC_FIELD_GROUP] = "group",
  [TSR_RPC_FIELD_PRIMARY_MIME_TYPE] = "primary-mime-type",
  [TSR_RPC_FIELD_MAGNET_LINK] = "magnetLink",
  [TSR_RPC_FIELD_TORRENT_FILE] = "torrentFile",
  [TSR_RPC_FIELD_PIECE_COUNT] = "pieceCount",
  [TSR_RPC_FIELD_PIECE_SIZE] = "pieceSize",
  [TSR_RPC_FIELD_PIECES] = "pieces",
  [TSR_RPC_FIELD_FILE_COUNT] = "fileCount",
  [TSR_RPC_FIELD_FILE_COUNT_DASHED] = "file-count",
  [TSR_RPC_FIELD_FILES] = "files",
  [TSR_RPC_FIELD_FILE_STATS] = "fileStats",
  [TSR_RPC_FIELD_WANTED] = "wanted",
  [TSR_RPC_FIELD_PRIORITIES] = "priorities",
  [TSR_RPC_FIELD_LABELS] = "labels",
  [TSR_RPC_FIELD_QUEUE_POSITION] = "queuePosition",
  [TSR_RPC_FIELD_DOWNLOAD_LIMIT] = "downloadLimit",
  [TSR_RPC_FIELD_DOWNLOAD_LIMITED] = "downloadLimited",
  [TSR_RPC_FIELD_UPLOAD_LIMIT] = "uploadLimit",
  [TSR_RPC_FIELD_UPLOAD_LIMITED] = "uploadLimited",
  [TSR_RPC_FIELD_HONORS_SESSION_LIMITS] = "honorsSessionLimits",
  [TSR_RPC_FIELD_SEED_RATIO_LIMIT] = "seedRatioLimit",
  [TSR_RPC_FIELD_SEED_RATIO_MODE] = "seedRatioMode",
  [TSR_RPC_FIELD_SEED_IDLE_LIMIT] = "seedIdleLimit",
  [TSR_RPC_FIELD_SEED_IDLE_MODE] = "seedIdleMode",
  [TSR_RPC_FIELD_SEQUENTIAL_DOWNLOAD] = "sequentialDownload",
  [TSR_RPC_FIELD_PEER_LIMIT] = "peer-limit",
  [TSR_RPC_FIELD_MAX_CONNECTED_PEERS] = "maxConnectedPeers",
  [TSR_RPC_FIELD_PEERS_CONNECTED] = "peersConnected",
  [TSR_RPC_FIELD_PEERS_GETTING_FROM_US] = "peersGettingFromUs",
  [TSR_RPC_FIELD_PEERS_SENDING_TO_US] = "peersSendingToUs",
  [TSR_RPC_FIELD_PEERS] = "peers",
  [TSR_RPC_FIELD_PEERS_FROM] = "peersFrom",
  [TSR_RPC_FIELD_TRACKERS] = "trackers",
  [TSR_RPC_FIELD_TRACKER_STATS] = "trackerStats",
  [TSR_RPC_FIELD_TRACKER_LIST] = "trackerList",
  [TSR_RPC_FIELD_WEBSEEDS] = "webseeds",
};

GArray *
tsr_rpc_fields_parse (JsonArray *fields)
{
  static GHashTable *by_name;
  GArray *chosen = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean seen[TSR_RPC_N_FIELDS] = { FALSE };
  guint i;

  if (g_once_init_enter (&by_name))
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (i = 0; i < TSR_RPC_N_FIELDS; i++)
        g_hash_table_insert (table, (gpointer) names[i], GUINT_TO_POINTER (i + 1));
      g_once_init_leave (&by_name, table);
    }
  for (i = 0; i < json_array_get_length (fields); i++)
    {
      JsonNode *node = json_array_get_element (fields, i);
      guint kind;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      kind = GPOINTER_TO_UINT (g_hash_table_lookup (by_name, json_node_get_string (node)));
      if (kind == 0 || seen[kind - 1])
        continue;
      seen[kind - 1] = TRUE;
      kind--;
      g_array_append_val (chosen, kind);
    }
  return chosen;
}

const char *
tsr_rpc_field_name (TsrRpcField field)
{
  g_return_val_if_fail (field < TSR_RPC_N_FIELDS, NULL);
  return names[field];
}
