/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-util.c: how the app words numbers and states, opening a
 * folder in the file manager, and a text buffer kept in step with a
 * setting.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "tsr-app-util.h"
#include "tessera-engine.h"

const char *
tsr_format_state (int state)
{
  return tsr_torrent_describe_state ((TsrTorrentState) state);
}

char *
tsr_format_rate (guint64 bytes_per_second)
{
  g_autofree char *size = g_format_size (bytes_per_second);

  /* TRANSLATORS: a transfer rate, like "1.2 MB/s" */
  return g_strdup_printf (_("%s/s"), size);
}

char *
tsr_format_duration (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (g_dngettext (NULL, "%d second", "%d seconds", (gulong) seconds), (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf (g_dngettext (NULL, "%d minute", "%d minutes", (gulong) (seconds / 60)),
                            (int) (seconds / 60));
  if (seconds < 86400)
    /* TRANSLATORS: hours and minutes, like "3 h 20 min" */
    return g_strdup_printf (_("%d h %d min"), (int) (seconds / 3600), (int) (seconds % 3600 / 60));
  return g_strdup_printf (g_dngettext (NULL, "%d day", "%d days", (gulong) (seconds / 86400)),
                          (int) (seconds / 86400));
}

char *
tsr_format_swarm (gint64 seeders,
                  gint64 leechers,
                  gint64 downloaded)
{
  g_autofree char *seeders_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " seeder", "%" PRId64 " seeders",
                                                                (gulong) seeders), seeders);
  g_autofree char *leechers_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " leecher",
                                                                 "%" PRId64 " leechers", (gulong) leechers),
                                                    leechers);
  g_autofree char *downloads_text = NULL;

  if (downloaded < 0)
    /* TRANSLATORS: "3 seeders, 4 leechers" */
    return g_strdup_printf (C_("swarm", "%s, %s"), seeders_text, leechers_text);
  downloads_text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " download", "%" PRId64 " downloads",
                                                 (gulong) downloaded), downloaded);
  /* TRANSLATORS: "3 seeders, 4 leechers, 12 downloads" */
  return g_strdup_printf (C_("swarm", "%s, %s, %s"), seeders_text, leechers_text, downloads_text);
}

char *
tsr_dup_download_folder (GSettings *settings)
{
  g_autofree char *folder = g_settings_get_string (settings, "download-folder");
  const char *downloads;

  if (folder[0] != '\0')
    return g_steal_pointer (&folder);
  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  return g_strdup (downloads != NULL ? downloads : g_get_home_dir ());
}

void
tsr_reroll_listen_port (GSettings *settings)
{
  g_settings_set_value (settings, "listen-port", g_variant_new_uint16 (tsr_session_pick_random_port ()));
}

guint16
tsr_ensure_listen_port (GSettings *settings)
{
  g_autoptr(GVariant) port = g_settings_get_value (settings, "listen-port");

  if (g_variant_get_uint16 (port) != 0)
    return g_variant_get_uint16 (port);
  tsr_reroll_listen_port (settings);
  g_clear_pointer (&port, g_variant_unref);
  port = g_settings_get_value (settings, "listen-port");
  return g_variant_get_uint16 (port);
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("Cannot open the folder: %s", error->message);
}

void
tsr_open_folder (GtkWindow  *parent,
                 const char *folder)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GAppLaunchContext) context = NULL;

  if (parent != NULL)
    context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (parent))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_launched, NULL);
}

char *
tsr_text_buffer_dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start;
  GtkTextIter end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
on_bound_buffer_changed (GtkTextBuffer *buffer,
                         GSettings     *settings)
{
  const char *key = g_object_get_data (G_OBJECT (buffer), "tsr-settings-key");
  g_autofree char *text = tsr_text_buffer_dup_text (buffer);
  g_autofree char *saved = g_settings_get_string (settings, key);

  if (!g_str_equal (text, saved))
    g_settings_set_string (settings, key, text);
}

static void
on_bound_setting_changed (GSettings     *settings,
                          const char    *key,
                          GtkTextBuffer *buffer)
{
  g_autofree char *text = tsr_text_buffer_dup_text (buffer);
  g_autofree char *saved = g_settings_get_string (settings, key);

  if (!g_str_equal (text, saved))
    gtk_text_buffer_set_text (buffer, saved, -1);
}

void
tsr_settings_bind_text_buffer (GSettings     *settings,
                               const char    *key,
                               GtkTextBuffer *buffer)
{
  g_autofree char *saved = g_settings_get_string (settings, key);
  g_autofree char *signal = g_strconcat ("changed::", key, NULL);

  gtk_text_buffer_set_text (buffer, saved, -1);
  g_object_set_data_full (G_OBJECT (buffer), "tsr-settings-key", g_strdup (key), g_free);
  /* Neither holds the other: each handler goes with either's end. */
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_bound_buffer_changed), settings, 0);
  g_signal_connect_object (settings, signal, G_CALLBACK (on_bound_setting_changed), buffer, 0);
}

void
tsr_widget_class_bind_key_children (GtkWidgetClass    *widget_class,
                                    const TsrBoundKey *keys,
                                    gsize              n_keys)
{
  gsize i;

  for (i = 0; i < n_keys; i++)
    gtk_widget_class_bind_template_child_full (widget_class, keys[i].key, FALSE, 0);
}

void
tsr_settings_bind_children (GSettings         *settings,
                            GtkWidget         *widget,
                            GType              template_type,
                            const TsrBoundKey *keys,
                            gsize              n_keys)
{
  gsize i;

  for (i = 0; i < n_keys; i++)
    {
      GObject *child = gtk_widget_get_template_child (widget, template_type, keys[i].key);

      g_return_if_fail (child != NULL);
      g_settings_bind (settings, keys[i].key, child, keys[i].property, G_SETTINGS_BIND_DEFAULT);
    }
}

gboolean
tsr_widget_save_png (GtkWidget   *widget,
                     const char  *path,
                     GError     **error)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL || renderer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The window has nothing to show yet"));
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write “%s”"), path);
      return FALSE;
    }
  return TRUE;
}
