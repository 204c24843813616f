/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-done-batch.c: downloads finished close together, one notification
 * (see the .h). The window slides: a batch lasts while each finish comes
 * within TSR_DONE_BATCH_WINDOW of the one before it.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-done-batch.h"

/* Names shown in the body; the rest are counted. */
#define SHOWN_NAMES 3

struct _TsrDoneBatch
{
  guint      number;     /* of the current batch; 0 before the first */
  gint64     last;       /* when its last torrent finished */
  GPtrArray *names;      /* (owned) (element-type utf8) its torrents' names */
  char      *folder;     /* (owned) (nullable) their folder, while they share one */
  gboolean   mixed;      /* they are in several folders */
};

TsrDoneBatch *
tsr_done_batch_new (void)
{
  TsrDoneBatch *self = g_new0 (TsrDoneBatch, 1);

  self->names = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
tsr_done_batch_free (TsrDoneBatch *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->names);
  g_free (self->folder);
  g_free (self);
}

guint
tsr_done_batch_add (TsrDoneBatch *self,
                    const char   *name,
                    const char   *folder,
                    gint64        now)
{
  g_return_val_if_fail (self != NULL, 0);
  if (self->number == 0 || now - self->last > TSR_DONE_BATCH_WINDOW)
    {
      self->number++;
      g_ptr_array_set_size (self->names, 0);
      g_clear_pointer (&self->folder, g_free);
      self->mixed = FALSE;
    }
  self->last = now;
  g_ptr_array_add (self->names, g_strdup (name));
  if (self->names->len == 1)
    self->folder = g_strdup (folder);
  else if (g_strcmp0 (self->folder, folder) != 0)
    self->mixed = TRUE;
  return self->number;
}

guint
tsr_done_batch_get_count (TsrDoneBatch *self)
{
  return self->names->len;
}

const char *
tsr_done_batch_get_folder (TsrDoneBatch *self)
{
  return self->mixed ? NULL : self->folder;
}

char *
tsr_done_batch_dup_title (TsrDoneBatch *self)
{
  if (self->names->len <= 1)
    return g_strdup (_("Download Complete"));
  return g_strdup_printf (g_dngettext (NULL, "%u Download Finished", "%u Downloads Finished", self->names->len),
                          self->names->len);
}

char *
tsr_done_batch_dup_body (TsrDoneBatch *self)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint shown = MIN (self->names->len, SHOWN_NAMES);
  guint more = self->names->len - shown;
  guint i;

  for (i = 0; i < shown; i++)
    {
      if (i > 0)
        /* TRANSLATORS: between the names of finished downloads in a notification */
        g_string_append (names, C_("names", ", "));
      g_string_append (names, g_ptr_array_index (self->names, i));
    }
  if (more == 0)
    return g_strdup (names->str);
  /* TRANSLATORS: the first names of finished downloads, then how many more: "a.iso, b.iso, c.iso and 2 more" */
  return g_strdup_printf (g_dngettext (NULL, "%s and %u more", "%s and %u more", more), names->str, more);
}
