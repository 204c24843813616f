/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-storage.c: the files of one torrent. Disk work runs on one shared,
 * CPU-sized thread pool; results come back to the caller's main context
 * through GTask. Descriptors are opened on first use and kept in a small
 * cache; one in use is never closed under its reader. Moving and deleting
 * the files as a whole is tsr-storage-files.c's.
 */
#define _GNU_SOURCE   /* O_DIRECT */
#define G_LOG_DOMAIN "tsr-storage"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <nettle/sha1.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsr-merkle.h"
#include "tsr-path.h"
#include "tsr-storage.h"
#include "tsr-storage-private.h"

G_DEFINE_QUARK (tsr-storage-error-quark, tsr_storage_error)

typedef struct
{
  int     fd;           /* -1 when closed */
  int     direct_fd;    /* -1 when closed: O_DIRECT, for aligned writes */
  gboolean no_direct;   /* the file system refused O_DIRECT */
  gboolean writable;
  guint   in_use;
  gint    case_partner; /* another file whose path differs only in case, or -1 */
  guint64 last_use;
  GMutex  write_lock;   /* one writer per file: see write_segment */
} OpenFile;

struct _TsrStorage
{
  GObject      parent_instance;
  TsrMetainfo *info;          /* (owned) */
  char        *folder;        /* (owned) absolute, an interned GRefString: torrents share it */
  GMutex       lock;          /* guards files, n_open, clock */
  OpenFile    *files;         /* one per metainfo file */
  gboolean     direct;        /* aligned writes bypass the page cache */
  guint        n_open;
  guint64      clock;
  GArray      *retired;       /* (nullable) of Retired: replaced descriptors still in use; made at the first */
};

/* A read-only descriptor replaced by a writable one while a read still
 * used it: closed when its last user lets go. */
typedef struct
{
  int   fd;
  guint users;
} Retired;

G_DEFINE_FINAL_TYPE (TsrStorage, tsr_storage, G_TYPE_OBJECT)

static void
tsr_storage_finalize (GObject *object)
{
  TsrStorage *self = TSR_STORAGE (object);
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    {
      if (self->files[i].fd >= 0)
        close (self->files[i].fd);
      if (self->files[i].direct_fd >= 0)
        close (self->files[i].direct_fd);
      g_mutex_clear (&self->files[i].write_lock);
    }
  for (i = 0; self->retired != NULL && i < self->retired->len; i++)
    close (g_array_index (self->retired, Retired, i).fd);
  g_clear_pointer (&self->retired, g_array_unref);
  g_free (self->files);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->info, tsr_metainfo_unref);
  g_ref_string_release (self->folder);
  G_OBJECT_CLASS (tsr_storage_parent_class)->finalize (object);
}

static void
tsr_storage_class_init (TsrStorageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tsr_storage_finalize;
}

static void
tsr_storage_init (TsrStorage *self)
{
  g_mutex_init (&self->lock);
}

static int open_beneath (const char *root,
                         const char *relative,
                         int         flags,
                         gboolean    create_folders);

/* Paths that differ only in case are two files here, and one file on a
 * file system that ignores case (a FAT or exFAT drive, a casefolded
 * folder), where their data would overwrite each other. Each such file
 * is paired with another of its group; acquire_fd refuses to write when
 * both names open the same file. */
static void
find_case_partners (TsrStorage *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    {
      const TsrFile *file = &self->info->files[i];
      g_autofree char *normal = NULL;
      char *key;
      gpointer first;

      if (file->attr & TSR_FILE_ATTR_PAD)
        continue;
      normal = g_utf8_normalize (file->path, -1, G_NORMALIZE_NFC);
      key = g_utf8_casefold (normal != NULL ? normal : file->path, -1);
      if (g_hash_table_lookup_extended (seen, key, NULL, &first))
        {
          guint j = GPOINTER_TO_UINT (first);

          self->files[i].case_partner = (gint) j;
          if (self->files[j].case_partner < 0)
            self->files[j].case_partner = (gint) i;
          g_free (key);
        }
      else
        g_hash_table_insert (seen, key, GUINT_TO_POINTER (i));
    }
}

/* TRUE when file @index's name and its case partner's name open the same
 * file: @fd is @index's. */
static gboolean
is_case_twin (TsrStorage *self,
              guint       index,
              int         fd)
{
  gint partner = self->files[index].case_partner;
  struct stat mine;
  struct stat theirs;
  int other;
  gboolean same;

  if (partner < 0 || fstat (fd, &mine) != 0)
    return FALSE;
  other = open_beneath (self->folder, self->info->files[partner].path, O_RDONLY, FALSE);
  if (other < 0)
    return FALSE;
  same = fstat (other, &theirs) == 0 && theirs.st_dev == mine.st_dev && theirs.st_ino == mine.st_ino;
  close (other);
  return same;
}

TsrStorage *
tsr_storage_new (TsrMetainfo *info,
                 const char  *folder)
{
  g_autofree char *absolute = NULL;
  TsrStorage *self;
  guint i;

  g_return_val_if_fail (info != NULL && folder != NULL, NULL);

  self = g_object_new (TSR_TYPE_STORAGE, NULL);
  self->info = tsr_metainfo_ref (info);
  absolute = g_canonicalize_filename (folder, NULL);
  self->folder = g_ref_string_new_intern (absolute);
  self->files = g_new0 (OpenFile, MAX (info->n_files, 1));
  for (i = 0; i < info->n_files; i++)
    {
      self->files[i].fd = -1;
      self->files[i].direct_fd = -1;
      self->files[i].case_partner = -1;
      g_mutex_init (&self->files[i].write_lock);
    }
  find_case_partners (self);
  return self;
}

TsrMetainfo *
tsr_storage_get_metainfo (TsrStorage *self)
{
  return self->info;
}

const char *
tsr_storage_get_folder (TsrStorage *self)
{
  return self->folder;
}

guint
tsr_storage_get_n_open_files (TsrStorage *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_open;
  g_mutex_unlock (&self->lock);
  return n;
}

/* A full disk gets its own code: the caller keeps the data and retries. */
static int
errno_code (int saved)
{
  return saved == ENOSPC || saved == EDQUOT ? TSR_STORAGE_ERROR_NO_SPACE : TSR_STORAGE_ERROR_IO;
}

/* Closes an idle entry's descriptors. Called locked. */
static void
close_entry (TsrStorage *self,
             OpenFile   *entry)
{
  close (entry->fd);
  entry->fd = -1;
  if (entry->direct_fd >= 0)
    {
      close (entry->direct_fd);
      entry->direct_fd = -1;
    }
  self->n_open--;
}

/* Closes the least recently used idle descriptor. Called locked. */
static void
evict_one (TsrStorage *self)
{
  guint best = G_MAXUINT;
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    if (self->files[i].fd >= 0 && self->files[i].in_use == 0 &&
        (best == G_MAXUINT || self->files[i].last_use < self->files[best].last_use))
      best = i;
  if (best == G_MAXUINT)
    return;   /* every one is busy: go over the limit for a moment */
  close_entry (self, &self->files[best]);
}

/* Opens the folder that holds @relative's last component under @root,
 * one component at a time with O_NOFOLLOW, creating missing folders when
 * @create: a symlink planted in the download folder (say "dir" -> /etc)
 * is never followed, so nothing is created, written or read outside it.
 * @root itself, the folder the user chose, may be a link. Returns the
 * folder's fd and sets @name, or -1 with errno set (ELOOP or ENOTDIR for
 * a link in the way). */
static int
open_parent_beneath (const char  *root,
                     const char  *relative,
                     gboolean     create,
                     char       **name)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);
  guint n = g_strv_length (parts);
  int dir;
  guint i;

  if (n == 0 || *parts[n - 1] == '\0')
    {
      errno = EINVAL;
      return -1;
    }
  dir = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 && errno == ENOENT && create && g_mkdir_with_parents (root, 0755) == 0)
    dir = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return -1;
  for (i = 0; i + 1 < n; i++)
    {
      int next;
      int saved;

      if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
        {
          close (dir);
          errno = EINVAL;
          return -1;
        }
      next = openat (dir, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create &&
          (mkdirat (dir, parts[i], 0755) == 0 || errno == EEXIST))
        next = openat (dir, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      saved = errno;
      close (dir);
      if (next < 0)
        {
          errno = saved;
          return -1;
        }
      dir = next;
    }
  *name = g_strdup (parts[n - 1]);
  return dir;
}

/* open() of @relative under @root, beneath it as open_parent_beneath
 * walks, the last component not followed either. */
static int
open_beneath (const char *root,
              const char *relative,
              int         flags,
              gboolean    create_folders)
{
  g_autofree char *name = NULL;
  int dir = open_parent_beneath (root, relative, create_folders, &name);
  int fd;
  int saved;

  if (dir < 0)
    return -1;
  fd = openat (dir, name, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
  saved = errno;
  close (dir);
  errno = saved;
  return fd;
}

/* Returns an fd for file @index with its use count raised; release with
 * release_fd. Writers create the file (sparse) and its folders. */
static int
acquire_fd (TsrStorage  *self,
            guint        index,
            gboolean     write,
            GError     **error)
{
  const TsrFile *file = &self->info->files[index];
  OpenFile *entry = &self->files[index];
  g_autofree char *path = NULL;
  int fd;

  g_mutex_lock (&self->lock);
  entry->last_use = ++self->clock;
  if (entry->fd >= 0 && (entry->writable || !write))
    {
      entry->in_use++;
      fd = entry->fd;
      g_mutex_unlock (&self->lock);
      return fd;
    }

  /* Sanitized paths cannot leave the folder; this holds the line anyway. */
  if (!tsr_path_is_inside (self->folder, file->path))
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                   _("Refusing to touch “%s”: it is outside the download folder"), file->path);
      return -1;
    }
  path = g_build_filename (self->folder, file->path, NULL);
  fd = open_beneath (self->folder, file->path, write ? O_RDWR | O_CREAT : O_RDONLY, write);
  if (fd < 0)
    {
      int saved = errno;

      g_mutex_unlock (&self->lock);
      if (saved == ENOENT)
        g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING,
                     _("“%s” does not exist"), path);
      else if (saved == ELOOP || saved == ENOTDIR)
        g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                     _("Refusing to open “%s”: a symbolic link or a file is in its way"), path);
      else
        g_set_error (error, TSR_STORAGE_ERROR, errno_code (saved), _("Cannot open “%s”: %s"), path, g_strerror (saved));
      return -1;
    }
  if (write && is_case_twin (self, index, fd))
    {
      close (fd);
      g_mutex_unlock (&self->lock);
      g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_IO,
                   _("“%s” and “%s” are one file in this folder, which ignores case: the torrent cannot be "
                     "saved here"), file->path, self->info->files[self->files[index].case_partner].path);
      return -1;
    }
  if (entry->fd >= 0)
    {
      /* Upgrading a read-only descriptor: the old one may be in use, and
       * then it is closed when its users let go (release_fd). */
      if (entry->in_use == 0)
        {
          close (entry->fd);
          self->n_open--;
        }
      else
        {
          Retired retired = { entry->fd, entry->in_use };

          if (self->retired == NULL)
            self->retired = g_array_new (FALSE, FALSE, sizeof (Retired));
          g_array_append_val (self->retired, retired);
          entry->in_use = 0;
        }
    }
  else if (self->n_open >= TSR_STORAGE_MAX_OPEN_FILES)
    evict_one (self);
  entry->fd = fd;
  entry->writable = write;
  entry->in_use++;
  self->n_open++;
  g_mutex_unlock (&self->lock);
  return fd;
}

/* Lets go of @fd, which acquire_fd gave for file @index. */
static void
release_fd (TsrStorage *self,
            guint       index,
            int         fd)
{
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; self->retired != NULL && i < self->retired->len; i++)
    {
      Retired *retired = &g_array_index (self->retired, Retired, i);

      if (retired->fd == fd)
        {
          if (--retired->users == 0)
            {
              close (retired->fd);
              self->n_open--;
              g_array_remove_index_fast (self->retired, i);
            }
          g_mutex_unlock (&self->lock);
          return;
        }
    }
  self->files[index].in_use--;
  g_mutex_unlock (&self->lock);
}

guint
tsr_storage_get_n_retired (TsrStorage *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->retired != NULL ? self->retired->len : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

/* Calls @func for each file segment of [offset, offset + length). */
typedef gboolean (*SegmentFunc) (TsrStorage *self, guint file, guint64 file_offset,
                                 guint8 *buffer, gsize length, gpointer data, GError **error);

static gboolean
for_each_segment (TsrStorage  *self,
                  guint64      offset,
                  guint8      *buffer,
                  gsize        length,
                  SegmentFunc  func,
                  gpointer     data,
                  GError     **error)
{
  TsrMetainfo *info = self->info;
  guint64 end = offset + length;
  guint lo = 0;
  guint hi = info->n_files;
  guint i;

  if (length == 0)
    return TRUE;
  if (offset > info->stream_length || length > info->stream_length - offset)
    {
      g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE,
                   _("Bytes %" PRIu64 " to %" PRIu64 " are outside the torrent"),
                   offset, end);
      return FALSE;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (info->files[mid].offset + info->files[mid].length <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (i = lo; i < info->n_files && info->files[i].offset < end; i++)
    {
      const TsrFile *file = &info->files[i];
      guint64 from = MAX (offset, file->offset);
      guint64 to = MIN (end, file->offset + file->length);

      if (from >= to)
        continue;
      if (!func (self, i, from - file->offset, buffer + (from - offset), to - from, data, error))
        return FALSE;
    }
  return TRUE;
}

/* Direct I/O wants the buffer, the offset and the length aligned to the
 * device's block; 4096 covers every common one. */
#define DIRECT_ALIGN 4096

/* The O_DIRECT descriptor of file @index, whose buffered descriptor the
 * caller holds (so the file exists and the entry stays open); -1 when
 * the file system refuses direct I/O. */
static int
direct_fd (TsrStorage *self,
           guint       index)
{
  OpenFile *entry = &self->files[index];
  int fd;

  g_mutex_lock (&self->lock);
  if (entry->direct_fd < 0 && !entry->no_direct)
    {
      entry->direct_fd = open_beneath (self->folder, self->info->files[index].path, O_WRONLY | O_DIRECT, FALSE);
      if (entry->direct_fd < 0)
        entry->no_direct = TRUE;
    }
  fd = entry->direct_fd;
  g_mutex_unlock (&self->lock);
  return fd;
}

static void
refuse_direct (TsrStorage *self,
               guint       index)
{
  g_mutex_lock (&self->lock);
  self->files[index].no_direct = TRUE;
  g_mutex_unlock (&self->lock);
}

/* Writes all of @length at @file_offset; FALSE with errno set. */
static gboolean
pwrite_all (int           fd,
            const guint8 *buffer,
            gsize         length,
            guint64       file_offset)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = pwrite (fd, buffer + done, length - done, (off_t) (file_offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* A file deleted under us stays open: writes would vanish with it and
 * reads would serve what is no longer there. FALSE with @error set when
 * @fd's file has no name left. */
static gboolean
check_still_there (TsrStorage  *self,
                   guint        index,
                   int          fd,
                   GError     **error)
{
  struct stat info;

  if (fstat (fd, &info) == 0 && info.st_nlink == 0)
    {
      g_autofree char *path = g_build_filename (self->folder, self->info->files[index].path, NULL);

      g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING, _("“%s” was deleted"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_segment (TsrStorage  *self,
               guint        index,
               guint64      file_offset,
               guint8      *buffer,
               gsize        length,
               gpointer     data,
               GError     **error)
{
  int fd;
  gsize done = 0;
  gboolean ok = TRUE;
  int saved = 0;

  /* BEP 47: pad files are never written. */
  if (self->info->files[index].attr & TSR_FILE_ATTR_PAD)
    return TRUE;
  fd = acquire_fd (self, index, TRUE, error);
  if (fd < 0)
    return FALSE;
  if (!check_still_there (self, index, fd, error))
    {
      release_fd (self, index, fd);
      return FALSE;
    }
  /* Two threads writing one file contend on its inode lock, and the
   * kernel's waiter spins on a CPU while the other copies; a waiter
   * here sleeps instead and the other core keeps hashing. */
  g_mutex_lock (&self->files[index].write_lock);
  /* A verified piece goes to the disk from our buffer, not copied into
   * the page cache first: a third less CPU per downloaded byte, and no
   * gigabytes of dirty pages for the kernel to flush behind us. Only
   * the aligned part can; the rest (a file's unaligned start or tail)
   * goes the usual way. */
  if (self->direct && file_offset % DIRECT_ALIGN == 0 && GPOINTER_TO_SIZE (buffer) % DIRECT_ALIGN == 0 &&
      length >= DIRECT_ALIGN)
    {
      int direct = direct_fd (self, index);
      gsize aligned = length - length % DIRECT_ALIGN;

      if (direct >= 0)
        {
          if (pwrite_all (direct, buffer, aligned, file_offset))
            done = aligned;
          else if (errno == EINVAL)
            refuse_direct (self, index);   /* not for this file system after all */
          else
            {
              saved = errno;
              ok = FALSE;
            }
        }
    }
  if (ok && !pwrite_all (fd, buffer + done, length - done, file_offset + done))
    {
      saved = errno;
      ok = FALSE;
    }
  g_mutex_unlock (&self->files[index].write_lock);
  release_fd (self, index, fd);
  if (!ok)
    {
      g_autofree char *path = g_build_filename (self->folder, self->info->files[index].path, NULL);

      g_set_error (error, TSR_STORAGE_ERROR, errno_code (saved), _("Cannot write “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
tsr_storage_set_direct_io (TsrStorage *self,
                           gboolean    direct)
{
  g_return_if_fail (TSR_IS_STORAGE (self));
  self->direct = direct;
}

static gboolean
read_segment (TsrStorage  *self,
              guint        index,
              guint64      file_offset,
              guint8      *buffer,
              gsize        length,
              gpointer     data,
              GError     **error)
{
  int fd;
  gsize done = 0;

  if (self->info->files[index].attr & TSR_FILE_ATTR_PAD)
    {
      memset (buffer, 0, length);
      return TRUE;
    }
  fd = acquire_fd (self, index, FALSE, error);
  if (fd < 0)
    return FALSE;
  if (!check_still_there (self, index, fd, error))
    {
      release_fd (self, index, fd);
      return FALSE;
    }
  while (done < length)
    {
      gssize n = pread (fd, buffer + done, length - done, (off_t) (file_offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          g_autofree char *path = g_build_filename (self->folder, self->info->files[index].path, NULL);

          release_fd (self, index, fd);
          if (n == 0)
            g_set_error (error, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_MISSING,
                         _("“%s” is shorter than the torrent says"), path);
          else
            g_set_error (error, TSR_STORAGE_ERROR, errno_code (saved), _("Cannot read “%s”: %s"), path, g_strerror (saved));
          return FALSE;
        }
      done += (gsize) n;
    }
  release_fd (self, index, fd);
  return TRUE;
}

gboolean
tsr_storage_write (TsrStorage    *self,
                   guint64        offset,
                   const guint8  *data,
                   gsize          length,
                   GError       **error)
{
  g_return_val_if_fail (TSR_IS_STORAGE (self), FALSE);
  return for_each_segment (self, offset, (guint8 *) data, length, write_segment, NULL, error);
}

gboolean
tsr_storage_read (TsrStorage  *self,
                  guint64      offset,
                  guint8      *out,
                  gsize        length,
                  GError     **error)
{
  g_return_val_if_fail (TSR_IS_STORAGE (self), FALSE);
  return for_each_segment (self, offset, out, length, read_segment, NULL, error);
}

gboolean
tsr_storage_create_empty_files (TsrStorage  *self,
                                GError     **error)
{
  guint i;

  for (i = 0; i < self->info->n_files; i++)
    {
      const TsrFile *file = &self->info->files[i];
      int fd;

      if (file->length != 0 || (file->attr & TSR_FILE_ATTR_PAD))
        continue;
      fd = acquire_fd (self, i, TRUE, error);
      if (fd < 0)
        return FALSE;
      release_fd (self, i, fd);
    }
  return TRUE;
}

gboolean
tsr_storage_piece_matches (TsrStorage   *self,
                           guint         index,
                           const guint8 *data,
                           gsize         length)
{
  TsrMetainfo *info = self->info;

  g_return_val_if_fail (TSR_IS_STORAGE (self), FALSE);
  if (index >= info->piece_count || length != tsr_metainfo_get_piece_size (info, index))
    return FALSE;
  if (info->has_v1)
    {
      struct sha1_ctx ctx;
      guint8 digest[SHA1_DIGEST_SIZE];

      sha1_init (&ctx);
      sha1_update (&ctx, length, data);
      sha1_digest (&ctx, SHA1_DIGEST_SIZE, digest);
      if (memcmp (digest, (const guint8 *) g_bytes_get_data (info->pieces, NULL) + (gsize) index * 20, 20) != 0)
        return FALSE;
    }
  if (info->has_v2)
    {
      const guint8 *expected = tsr_metainfo_get_piece_v2_hash (info, index);
      const TsrFile *file = tsr_metainfo_get_piece_file (info, index);
      guint8 computed[32];

      if (expected == NULL || file == NULL)
        return info->has_v1;   /* v2 hashes unknown: v1 decided (v2-only: cannot tell) */
      /* A hybrid v1 piece may end in pad bytes: v2 hashes the file's part. */
      tsr_merkle_hash_piece (data, MIN (length, file->offset + file->length - (guint64) index * info->piece_length),
                             info->piece_length, file->length, NULL, computed);
      if (memcmp (computed, expected, 32) != 0)
        return FALSE;
    }
  return TRUE;
}

void
tsr_storage_close_idle_files (TsrStorage *self)
{
  guint i;

  g_return_if_fail (TSR_IS_STORAGE (self));

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->info->n_files; i++)
    if (self->files[i].fd >= 0 && self->files[i].in_use == 0)
      close_entry (self, &self->files[i]);
  g_mutex_unlock (&self->lock);
}

/* For tsr-storage-files.c (tsr-storage-private.h) */

int
_tsr_storage_open_parent_beneath (const char  *root,
                                  const char  *relative,
                                  gboolean     create,
                                  char       **name)
{
  return open_parent_beneath (root, relative, create, name);
}

int
_tsr_storage_error_code (int saved_errno)
{
  return errno_code (saved_errno);
}

void
_tsr_storage_set_folder (TsrStorage *self,
                         char       *folder)
{
  g_mutex_lock (&self->lock);
  g_ref_string_release (self->folder);
  self->folder = g_ref_string_new_intern (folder);
  g_mutex_unlock (&self->lock);
  g_free (folder);
}

/* ------------------------------------------------------------------ */
/* Async                                                               */

typedef struct
{
  guint    index;
  GBytes  *data;
  guint32  begin;
  guint32  length;
} PieceJob;

static void
piece_job_free (PieceJob *job)
{
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job);
}

static void
write_piece_run (GTask *task)
{
  TsrStorage *self = g_task_get_source_object (task);
  PieceJob *job = g_task_get_task_data (task);
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (job->data, &length);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!tsr_storage_piece_matches (self, job->index, data, length))
    {
      g_task_return_int (task, FALSE);
      return;
    }
  if (!tsr_storage_write (self, (guint64) job->index * self->info->piece_length, data, length, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, TRUE);
}

void
tsr_storage_write_piece_async (TsrStorage          *self,
                               guint                index,
                               GBytes              *piece,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PieceJob *job = g_new0 (PieceJob, 1);

  g_task_set_source_tag (task, tsr_storage_write_piece_async);
  job->index = index;
  job->data = g_bytes_ref (piece);
  g_task_set_task_data (task, job, (GDestroyNotify) piece_job_free);
  tsr_io_pool_run (task, write_piece_run);
}

gboolean
tsr_storage_write_piece_finish (TsrStorage    *self,
                                GAsyncResult  *result,
                                gboolean      *hash_ok,
                                GError       **error)
{
  GError *local = NULL;
  gssize matched;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  matched = g_task_propagate_int (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (hash_ok != NULL)
    *hash_ok = matched != 0;
  return TRUE;
}

static void
read_block_run (GTask *task)
{
  TsrStorage *self = g_task_get_source_object (task);
  PieceJob *job = g_task_get_task_data (task);
  guint8 *buffer;
  GError *error = NULL;

  guint64 real = tsr_metainfo_get_piece_size (self->info, job->index);
  guint32 length = job->begin >= real ? 0 : (guint32) MIN (job->length, real - job->begin);

  if (g_task_return_error_if_cancelled (task))
    return;
  /* Past a v2 file's last piece comes padding: zeros (see below). */
  buffer = g_malloc0 (job->length);
  if (length > 0 &&
      !tsr_storage_read (self, (guint64) job->index * self->info->piece_length + job->begin,
                         buffer, length, &error))
    {
      g_free (buffer);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_bytes_new_take (buffer, job->length), (GDestroyNotify) g_bytes_unref);
}

void
tsr_storage_read_block_async (TsrStorage          *self,
                              guint                index,
                              guint32              begin,
                              guint32              length,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PieceJob *job;

  g_task_set_source_tag (task, tsr_storage_read_block_async);
  /* A v2-only torrent's files are aligned to pieces: libtorrent sees the
   * gap after a file's last piece as padding and asks for whole blocks
   * of it. Up to the piece length, the gap reads as zeros. */
  if (index >= self->info->piece_count || length == 0 ||
      (guint64) begin + length > (self->info->has_v1 ? tsr_metainfo_get_piece_size (self->info, index)
                                                      : self->info->piece_length))
    {
      g_task_return_new_error (task, TSR_STORAGE_ERROR, TSR_STORAGE_ERROR_BAD_RANGE,
                               _("Block %u+%u of piece %u is outside the torrent"), begin, length, index);
      return;
    }
  job = g_new0 (PieceJob, 1);
  job->index = index;
  job->begin = begin;
  job->length = length;
  g_task_set_task_data (task, job, (GDestroyNotify) piece_job_free);
  tsr_io_pool_run (task, read_block_run);
}

GBytes *
tsr_storage_read_block_finish (TsrStorage    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
