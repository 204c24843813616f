/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-create-options.c: the creation dialog's text fields read as the
 * creator's options (see the .h). Each URL is checked here, before
 * minutes of hashing, and an error names the first bad one.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-create-options.h"

GPtrArray *
tsr_parse_tiers_text (const char  *text,
                      GError     **error)
{
  g_autoptr(GPtrArray) tiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GPtrArray *tier = NULL;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      char *url = g_strstrip (lines[i]);

      if (*url == '\0')
        {
          tier = NULL;   /* a blank line: the next URL starts a tier */
          continue;
        }
      if (!tsr_creator_tracker_url_valid (url))
        {
          g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION,
                       _("“%s” is not an http, https or udp tracker URL"), url);
          return NULL;
        }
      if (tier == NULL)
        {
          tier = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (tiers, tier);
        }
      g_ptr_array_add (tier, g_strdup (url));
    }
  return g_steal_pointer (&tiers);
}

GPtrArray *
tsr_parse_web_seeds_text (const char  *text,
                          GError     **error)
{
  g_autoptr(GPtrArray) seeds = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      char *url = g_strstrip (lines[i]);
      g_autoptr(GUri) uri = NULL;

      if (*url == '\0')
        continue;
      uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
                          g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
        {
          g_set_error (error, TSR_CREATOR_ERROR, TSR_CREATOR_ERROR_BAD_OPTION,
                       _("“%s” is not an http or https web seed URL"), url);
          return NULL;
        }
      g_ptr_array_add (seeds, g_strdup (url));
    }
  return g_steal_pointer (&seeds);
}
