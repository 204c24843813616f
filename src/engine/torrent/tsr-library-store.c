/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-library-store.c: the library's index and torrent-file copies on
 * their way to disk (see the .h).
 *
 * Order: a copy is queued (main thread) before any index text that lists
 * its torrent is made, and whichever worker writes an index first takes
 * every queued copy and writes it, under the same lock, before the
 * index. Copies are new files written whole and renamed into place
 * (G_FILE_SET_CONTENTS_CONSISTENT with ONLY_EXISTING: no fsync of each);
 * the index after them is written DURABLE, and its fsync commits the
 * copies' renames with it on journalling file systems in their default
 * (ordered) mode. A copy lost anyway is one torrent that restore reports
 * and leaves out, never a broken index.
 */
#define G_LOG_DOMAIN "tsr-library"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "tsr-io-pool.h"
#include "tsr-library-store.h"

struct _TsrLibraryStore
{
  GObject                 *owner;        /* (unowned) it owns us */
  char                    *folder;       /* (owned) */
  char                    *index_path;   /* (owned) */
  TsrLibraryStoreTextFunc  text_func;
  gboolean                 paused;
  guint                    writing;      /* scheduled (save_source) + on the I/O pool */
  guint                    save_source;
  gint64                   last_text;    /* monotonic µs of the newest text; 0: none yet */
  guint64                  generation;   /* of the newest text made (main thread) */
  GMutex                   write_lock;   /* one writer at a time; guards written */
  guint64                  written;      /* of the text on disk */
  GMutex                   copies_lock;  /* guards copies */
  GPtrArray               *copies;       /* (owned) (element-type Copy) queued, not yet written */
};

typedef struct
{
  char   *path;    /* (owned) */
  GBytes *bytes;   /* (owned) */
} Copy;

static void
copy_free (Copy *copy)
{
  g_free (copy->path);
  g_bytes_unref (copy->bytes);
  g_free (copy);
}

TsrLibraryStore *
tsr_library_store_new (GObject                 *owner,
                       const char              *folder,
                       const char              *index_path,
                       TsrLibraryStoreTextFunc  text_func)
{
  TsrLibraryStore *store = g_new0 (TsrLibraryStore, 1);

  store->owner = owner;
  store->folder = g_strdup (folder);
  store->index_path = g_strdup (index_path);
  store->text_func = text_func;
  store->copies = g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free);
  g_mutex_init (&store->write_lock);
  g_mutex_init (&store->copies_lock);
  return store;
}

/* From the owner's finalize: no task holds it any more. */
void
tsr_library_store_free (TsrLibraryStore *store)
{
  g_clear_handle_id (&store->save_source, g_source_remove);
  g_free (store->folder);
  g_free (store->index_path);
  g_ptr_array_unref (store->copies);
  g_mutex_clear (&store->write_lock);
  g_mutex_clear (&store->copies_lock);
  g_free (store);
}

void
tsr_library_store_keep_copy (TsrLibraryStore *store,
                             const char      *path,
                             GBytes          *bytes)
{
  Copy *copy = g_new0 (Copy, 1);

  copy->path = g_strdup (path);
  copy->bytes = g_bytes_ref (bytes);
  g_mutex_lock (&store->copies_lock);
  g_ptr_array_add (store->copies, copy);
  g_mutex_unlock (&store->copies_lock);
}

static gboolean
make_folder (const char  *path,
             int          mode,
             GError     **error)
{
  int saved;

  if (g_mkdir_with_parents (path, mode) == 0)
    return TRUE;
  saved = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot create “%s”: %s"), path,
               g_strerror (saved));
  return FALSE;
}

/* Under write_lock: every queued copy. The first failure is reported;
 * the others are still tried. */
static gboolean
write_copies (TsrLibraryStore  *store,
              GError          **error)
{
  g_autoptr(GPtrArray) copies = NULL;
  gboolean ok = TRUE;
  guint i;

  g_mutex_lock (&store->copies_lock);
  copies = g_steal_pointer (&store->copies);
  store->copies = g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free);
  g_mutex_unlock (&store->copies_lock);
  for (i = 0; i < copies->len; i++)
    {
      Copy *copy = g_ptr_array_index (copies, i);
      g_autofree char *parent = g_path_get_dirname (copy->path);
      GError *local = NULL;

      if (!make_folder (parent, 0700, &local) ||
          !g_file_set_contents_full (copy->path, g_bytes_get_data (copy->bytes, NULL),
                                     (gssize) g_bytes_get_size (copy->bytes),
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING, 0600,
                                     &local))
        {
          if (ok)
            g_propagate_prefixed_error (error, local, _("Cannot keep the torrent file: "));
          else
            g_error_free (local);
          ok = FALSE;
        }
    }
  return ok;
}

/* Blocking (fsync): the queued copies, then @text of @generation unless a
 * newer one is already on disk, whichever thread gets there first. */
static gboolean
write_index (TsrLibraryStore  *store,
             const char       *text,
             guint64           generation,
             GError          **error)
{
  GError *copy_error = NULL;
  gboolean ok = TRUE;

  g_mutex_lock (&store->write_lock);
  write_copies (store, &copy_error);
  if (generation > store->written)
    {
      ok = make_folder (store->folder, 0700, error) &&
           g_file_set_contents_full (store->index_path, text, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
      if (ok)
        store->written = generation;
    }
  g_mutex_unlock (&store->write_lock);
  if (ok && copy_error != NULL)
    {
      g_propagate_error (error, copy_error);
      return FALSE;
    }
  g_clear_error (&copy_error);
  return ok;
}

gboolean
tsr_library_store_save (TsrLibraryStore  *store,
                        GError          **error)
{
  g_autofree char *text = NULL;

  if (store->paused)
    return TRUE;
  text = store->text_func (store->owner);
  store->last_text = g_get_monotonic_time ();
  return write_index (store, text, ++store->generation, error);
}

typedef struct
{
  TsrLibraryStore *store;
  char            *text;   /* (owned) */
  guint64          generation;
} IndexJob;

static void
index_job_free (IndexJob *job)
{
  g_free (job->text);
  g_free (job);
}

static void
index_write_run (GTask *task)
{
  IndexJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (write_index (job->store, job->text, job->generation, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_index_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TsrLibraryStore *store = user_data;
  g_autoptr(GError) error = NULL;

  store->writing--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Cannot save the list of torrents: %s", error->message);
}

/* An index text now, written on the I/O pool; a newer text always wins. */
static void
write_soon (TsrLibraryStore *store)
{
  g_autoptr(GTask) task = NULL;
  IndexJob *job;

  if (store->paused)
    return;
  job = g_new0 (IndexJob, 1);
  job->store = store;
  job->text = store->text_func (store->owner);
  job->generation = ++store->generation;
  store->last_text = g_get_monotonic_time ();
  /* The task keeps the owner, and with it the store, alive. */
  task = g_task_new (store->owner, NULL, on_index_written, store);
  g_task_set_task_data (task, job, (GDestroyNotify) index_job_free);
  store->writing++;
  tsr_io_pool_run (task, index_write_run);
}

static gboolean
on_save (gpointer user_data)
{
  TsrLibraryStore *store = user_data;

  store->save_source = 0;
  store->writing--;
  write_soon (store);
  return G_SOURCE_REMOVE;
}

void
tsr_library_store_save_soon (TsrLibraryStore *store)
{
  gint64 since;

  if (store->paused || store->save_source != 0)
    return;
  store->writing++;
  since = (g_get_monotonic_time () - store->last_text) / 1000;
  /* The first change after a quiet spell is written within this turn of
   * the loop; a stream of changes once per interval. */
  if (store->last_text == 0 || since >= TSR_LIBRARY_STORE_INTERVAL_MS)
    store->save_source = g_idle_add (on_save, store);
  else
    store->save_source = g_timeout_add ((guint) (TSR_LIBRARY_STORE_INTERVAL_MS - since), on_save, store);
}

void
tsr_library_store_flush (TsrLibraryStore *store)
{
  if (store->save_source != 0)
    {
      g_clear_handle_id (&store->save_source, g_source_remove);
      store->writing--;
    }
  write_soon (store);
}

void
tsr_library_store_set_paused (TsrLibraryStore *store,
                              gboolean         paused)
{
  store->paused = paused;
}

gboolean
tsr_library_store_is_busy (TsrLibraryStore *store)
{
  return store->writing > 0;
}
