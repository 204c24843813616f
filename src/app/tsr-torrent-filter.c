/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-torrent-filter.c: the list's search and sidebar filter (see the
 * .h). The search text is split into words, each a kind (name, label,
 * tracker) and a case-folded part; comparing the old words with the new
 * tells GTK how the filter changed.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <string.h>

#include "tsr-torrent-filter.h"

typedef enum
{
  TERM_NAME,
  TERM_LABEL,
  TERM_TRACKER,
} TermKind;

typedef struct
{
  TermKind  kind;
  char     *part;   /* (owned) case-folded; empty matches everything */
} Term;

struct _TsrTorrentFilter
{
  GObject           parent_instance;
  TsrTorrentGroups *groups;       /* (owned) */
  GtkFilter        *filter;       /* (owned) a GtkCustomFilter calling us */
  GArray           *terms;        /* (owned) Term */
  TsrTorrentGroup  *group;        /* (owned) (nullable) NULL: all */
  guint             refilter_id;  /* coalesced look again after torrents moved */
};

G_DEFINE_FINAL_TYPE (TsrTorrentFilter, tsr_torrent_filter, G_TYPE_OBJECT)

static void
term_clear (Term *term)
{
  g_free (term->part);
}

static GArray *
parse (const char *text)
{
  GArray *terms = g_array_new (FALSE, FALSE, sizeof (Term));
  g_auto(GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t\n", -1);
  guint i;

  g_array_set_clear_func (terms, (GDestroyNotify) term_clear);
  for (i = 0; words[i] != NULL; i++)
    {
      Term term = { TERM_NAME, NULL };
      const char *part = words[i];

      if (*part == '\0')
        continue;
      if (g_ascii_strncasecmp (part, "label:", 6) == 0)
        {
          term.kind = TERM_LABEL;
          part += 6;
        }
      else if (g_ascii_strncasecmp (part, "tracker:", 8) == 0)
        {
          term.kind = TERM_TRACKER;
          part += 8;
        }
      term.part = g_utf8_casefold (part, -1);
      g_array_append_val (terms, term);
    }
  return terms;
}

/* Whether everything @narrow matches, @wide matches too: each word of
 * @wide has a word of @narrow at its place, of its kind, holding it. */
static gboolean
is_wider (GArray *wide,
          GArray *narrow)
{
  guint i;

  if (wide->len > narrow->len)
    return FALSE;
  for (i = 0; i < wide->len; i++)
    {
      Term *a = &g_array_index (wide, Term, i);
      Term *b = &g_array_index (narrow, Term, i);

      if (a->kind != b->kind || strstr (b->part, a->part) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
any_contains (const char * const *texts,
              const char         *part)
{
  guint i;

  for (i = 0; texts[i] != NULL; i++)
    {
      g_autofree char *folded = g_utf8_casefold (texts[i], -1);

      if (strstr (folded, part) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
term_matches (TsrTorrentFilter *self,
              Term             *term,
              TsrTorrent       *torrent)
{
  g_autofree char *name = NULL;

  if (*term->part == '\0')
    return TRUE;
  switch (term->kind)
    {
    case TERM_LABEL:
      return any_contains (tsr_library_get_labels (tsr_torrent_groups_get_library (self->groups), torrent), term->part);
    case TERM_TRACKER:
      return any_contains (tsr_torrent_groups_get_hosts (self->groups, torrent), term->part);
    case TERM_NAME:
    default:
      name = g_utf8_casefold (tsr_torrent_get_name (torrent) != NULL ? tsr_torrent_get_name (torrent) : "", -1);
      return strstr (name, term->part) != NULL;
    }
}

gboolean
tsr_torrent_filter_match (TsrTorrentFilter *self,
                          TsrTorrent       *torrent)
{
  guint i;

  if (self->group != NULL && !tsr_torrent_groups_match (self->groups, self->group, torrent))
    return FALSE;
  for (i = 0; i < self->terms->len; i++)
    if (!term_matches (self, &g_array_index (self->terms, Term, i), torrent))
      return FALSE;
  return TRUE;
}

static gboolean
match_item (gpointer item,
            gpointer user_data)
{
  return tsr_torrent_filter_match (user_data, item);
}

static gboolean
on_refilter (gpointer user_data)
{
  TsrTorrentFilter *self = user_data;

  self->refilter_id = 0;
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

/* A torrent moved between groups: when what is shown depends on groups,
 * look again soon (at most twice a second, however many moved). */
static void
on_groups_changed (TsrTorrentGroups *groups,
                   TsrTorrent       *torrent,
                   TsrTorrentFilter *self)
{
  gboolean depends = self->group != NULL && tsr_torrent_group_get_kind (self->group) != TSR_GROUP_ALL;
  guint i;

  for (i = 0; i < self->terms->len && !depends; i++)
    depends = g_array_index (self->terms, Term, i).kind != TERM_NAME;
  if (depends && self->refilter_id == 0)
    self->refilter_id = g_timeout_add (500, on_refilter, self);
}

/* A magnet's name came with its metainfo: a search by name looks again. */
static void
on_groups_renamed (TsrTorrentGroups *groups,
                   TsrTorrent       *torrent,
                   TsrTorrentFilter *self)
{
  if (self->terms->len > 0 && self->refilter_id == 0)
    self->refilter_id = g_timeout_add (500, on_refilter, self);
}

static void
tsr_torrent_filter_dispose (GObject *object)
{
  TsrTorrentFilter *self = TSR_TORRENT_FILTER (object);

  g_clear_handle_id (&self->refilter_id, g_source_remove);
  if (self->groups != NULL)
    g_signal_handlers_disconnect_by_data (self->groups, self);
  if (self->filter != NULL)
    gtk_custom_filter_set_filter_func (GTK_CUSTOM_FILTER (self->filter), NULL, NULL, NULL);
  g_clear_object (&self->filter);
  g_clear_object (&self->groups);
  g_clear_object (&self->group);
  g_clear_pointer (&self->terms, g_array_unref);
  G_OBJECT_CLASS (tsr_torrent_filter_parent_class)->dispose (object);
}

static void
tsr_torrent_filter_class_init (TsrTorrentFilterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = tsr_torrent_filter_dispose;
}

static void
tsr_torrent_filter_init (TsrTorrentFilter *self)
{
  self->terms = parse (NULL);
}

TsrTorrentFilter *
tsr_torrent_filter_new (TsrTorrentGroups *groups)
{
  TsrTorrentFilter *self = g_object_new (TSR_TYPE_TORRENT_FILTER, NULL);

  self->groups = g_object_ref (groups);
  self->filter = GTK_FILTER (gtk_custom_filter_new (match_item, self, NULL));
  g_signal_connect (groups, "changed", G_CALLBACK (on_groups_changed), self);
  g_signal_connect (groups, "renamed", G_CALLBACK (on_groups_renamed), self);
  return self;
}

GtkFilter *
tsr_torrent_filter_get_filter (TsrTorrentFilter *self)
{
  return self->filter;
}

void
tsr_torrent_filter_set_search (TsrTorrentFilter *self,
                               const char       *text)
{
  GArray *terms = parse (text);
  GArray *old = self->terms;
  gboolean wider = is_wider (terms, old);
  gboolean narrower = is_wider (old, terms);

  self->terms = terms;
  g_array_unref (old);
  /* Both ways: the same words (a space typed), nothing to look at again. */
  if (wider && narrower)
    return;
  gtk_filter_changed (self->filter, narrower ? GTK_FILTER_CHANGE_MORE_STRICT
                                             : wider ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_DIFFERENT);
}

void
tsr_torrent_filter_set_group (TsrTorrentFilter *self,
                              TsrTorrentGroup  *group)
{
  gboolean was_all = self->group == NULL || tsr_torrent_group_get_kind (self->group) == TSR_GROUP_ALL;
  gboolean is_all = group == NULL || tsr_torrent_group_get_kind (group) == TSR_GROUP_ALL;

  if (group == self->group)
    return;
  g_set_object (&self->group, group);
  if (was_all && is_all)
    return;
  gtk_filter_changed (self->filter, was_all ? GTK_FILTER_CHANGE_MORE_STRICT
                                            : is_all ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_DIFFERENT);
}

TsrTorrentGroup *
tsr_torrent_filter_get_group (TsrTorrentFilter *self)
{
  return self->group;
}
