/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-test-util.c: helpers shared by the unit tests.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "tsr-test-util.h"

void
tsr_test_write_file (const char *dir,
                     const char *relative,
                     gsize       size,
                     guint       seed)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree guint8 *data = g_malloc (MAX (size, 1));
  guint32 state = seed * 2654435761u + 1;
  gsize i;

  for (i = 0; i < size; i++)
    {
      state = state * 1103515245u + 12345u;
      data[i] = (guint8) (state >> 16);
    }
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
}

GBytes *
tsr_test_make_bytes (gsize size,
                     guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size);
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

void
tsr_test_assert_received (GByteArray *received,
                          GBytes     *data)
{
  g_assert_cmpuint (received->len, ==, g_bytes_get_size (data));
  /* memcmp() may not be given NULL, even for no bytes. */
  if (received->len > 0)
    g_assert_true (memcmp (received->data, g_bytes_get_data (data, NULL), received->len) == 0);
}

void
tsr_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        tsr_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

TsrMetainfo *
tsr_test_make_torrent (const char      *root,
                       TsrCreateFormat  format,
                       guint64          piece_length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrCreator) creator = tsr_creator_new (root, NULL, format, &error);
  g_autoptr(GBytes) bytes = NULL;
  TsrMetainfo *info;
  TsrCreateOptions options = { 0 };

  g_assert_no_error (error);
  g_assert_true (tsr_hash_job_run (tsr_creator_prepare_job (creator, piece_length), 2, NULL, &error));
  g_assert_no_error (error);
  options.creation_date = -1;
  bytes = tsr_creator_build (creator, &options, &error);
  g_assert_no_error (error);
  info = tsr_metainfo_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  return info;
}

TsrMetainfo *
tsr_test_make_pack (const char *root)
{
  TsrMetainfo *info;

  tsr_test_write_file (root, "a.bin", 40000, 1);
  tsr_test_write_file (root, "b.bin", 30000, 2);
  info = tsr_test_make_torrent (root, TSR_CREATE_V1, 16384);
  g_assert_cmpuint (info->piece_count, ==, 5);
  return info;
}

void
tsr_test_write_torrent_file (TsrMetainfo *info,
                             const char  *path)
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  gsize length = 0;
  const guint8 *bytes = g_bytes_get_data (info->info_bytes, &length);

  g_byte_array_append (file, (const guint8 *) "d4:info", 7);
  g_byte_array_append (file, bytes, (guint) length);
  g_byte_array_append (file, (const guint8 *) "e", 1);
  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, NULL));
}

SoupServer *
tsr_test_http_server_new (SoupServerCallback   callback,
                          gpointer             user_data,
                          char               **base)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, callback, user_data, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  *base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

gboolean
tsr_test_parse_range (const char *value,
                      guint64    *first,
                      guint64    *last)
{
  char *end = NULL;

  if (value == NULL || !g_str_has_prefix (value, "bytes="))
    return FALSE;
  *first = g_ascii_strtoull (value + 6, &end, 10);
  if (end == value + 6 || *end != '-')
    return FALSE;
  value = end + 1;
  *last = g_ascii_strtoull (value, &end, 10);
  return end != value && *end == '\0' && *last >= *first;
}

static gboolean
on_deadline (gpointer user_data)
{
  TsrTestDeadline *deadline = user_data;

  deadline->expired = TRUE;
  deadline->source = 0;
  return G_SOURCE_REMOVE;
}

void
tsr_test_deadline_start (TsrTestDeadline *deadline,
                         guint            milliseconds)
{
  deadline->expired = FALSE;
  deadline->source = g_timeout_add (milliseconds, on_deadline, deadline);
}

void
tsr_test_deadline_stop (TsrTestDeadline *deadline)
{
  g_clear_handle_id (&deadline->source, g_source_remove);
}

void
tsr_test_run_for (guint milliseconds)
{
  TsrTestDeadline deadline;

  tsr_test_deadline_start (&deadline, milliseconds);
  while (!deadline.expired)
    g_main_context_iteration (NULL, TRUE);
}

void
tsr_test_drain (void)
{
  tsr_test_run_for (100);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
tsr_test_swarm_dirs_init (TsrTestSwarmDirs *dirs,
                          const char       *prefix)
{
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);

  dirs->dir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (dirs->dir);
  dirs->source = g_build_filename (dirs->dir, "source", NULL);
  dirs->target = g_build_filename (dirs->dir, "target", NULL);
  dirs->info = NULL;
  g_assert_cmpint (g_mkdir (dirs->target, 0755), ==, 0);
}

void
tsr_test_swarm_dirs_clear (TsrTestSwarmDirs *dirs)
{
  tsr_test_remove_tree (dirs->dir);
  g_clear_pointer (&dirs->dir, g_free);
  g_clear_pointer (&dirs->source, g_free);
  g_clear_pointer (&dirs->target, g_free);
  g_clear_pointer (&dirs->info, tsr_metainfo_unref);
}

guint
tsr_test_assert_same_files (TsrMetainfo *info,
                            const char  *source,
                            const char  *target)
{
  guint n_files = 0;
  guint i;

  for (i = 0; i < info->n_files; i++)
    {
      const TsrFile *file = &info->files[i];
      g_autofree char *source_path = NULL;
      g_autofree char *target_path = NULL;
      g_autofree char *source_data = NULL;
      g_autofree char *target_data = NULL;
      gsize source_length = 0;
      gsize target_length = 0;
      g_autoptr(GError) error = NULL;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      n_files++;
      source_path = g_build_filename (source, file->path, NULL);
      target_path = g_build_filename (target, file->path, NULL);
      g_assert_true (g_file_get_contents (source_path, &source_data, &source_length, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (target_path, &target_data, &target_length, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (target_length, ==, file->length);
      g_assert_cmpmem (target_data, target_length, source_data, source_length);
    }
  return n_files;
}

TsrTorrent *
tsr_test_add_and_start (TsrSession      *session,
                        TsrMetainfo     *info,
                        const char      *folder,
                        TsrTorrentState  state)
{
  TsrTorrent *torrent = tsr_session_add_torrent (session, info, folder);

  tsr_torrent_start (torrent);
  TSR_TEST_WAIT_UNTIL (tsr_torrent_get_state (torrent) == state, 20, "the torrent's state");
  return torrent;
}
