/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-util.h: how the app words numbers and states, opening a
 * folder in the file manager, a text buffer kept in step with a setting,
 * template children bound to the settings keys they are named by, and
 * the events the app's tests follow.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the app's tests wait for, one line each ("window-mapped",
 * "add-dialog NAME", "torrent-done NAME", "torrent-failed WHY"): debug
 * messages in a log domain of their own, which GLib prints (on stdout)
 * with G_MESSAGES_DEBUG=tsr-app-events. Not translated: tests parse them. */
#define TSR_APP_EVENTS_DOMAIN "tsr-app-events"
#define tsr_app_event(...) g_log (TSR_APP_EVENTS_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__)

/* "Downloading", "Seeding"… for a TsrTorrentState. */
const char *tsr_format_state    (int          state);
/* "1.2 MB/s" */
char       *tsr_format_rate     (guint64      bytes_per_second);
/* "3 h 20 min", "45 s" */
char       *tsr_format_duration (gint64       seconds);
/* "3 seeders, 1 leecher", then ", 5 downloads" when @downloaded >= 0 */
char       *tsr_format_swarm    (gint64       seeders,
                                 gint64       leechers,
                                 gint64       downloaded);
void        tsr_open_folder     (GtkWindow   *parent,
                                 const char  *folder);
/* Where torrents are saved without asking: the "download-folder" of
 * @settings, or the XDG Download folder when it is empty. */
char       *tsr_dup_download_folder (GSettings *settings);
/* The "listen-port" of @settings; when it is 0 (the first start, or
 * asked for), a random one in the dynamic range is picked and kept. */
guint16     tsr_ensure_listen_port  (GSettings *settings);
/* A new random "listen-port", used from the next start. */
void        tsr_reroll_listen_port  (GSettings *settings);
/* All of @buffer's text. */
char       *tsr_text_buffer_dup_text      (GtkTextBuffer *buffer);
/* @buffer and the string @key of @settings in step both ways, from the
 * setting's value. (g_settings_bind on GtkTextBuffer:text echoes each
 * write back as a new set, forever.) */
void        tsr_settings_bind_text_buffer (GSettings     *settings,
                                           const char    *key,
                                           GtkTextBuffer *buffer);
/* A settings key and the property of the template child named by the key
 * (its id in the .ui) that shows it: "listen-port" to a spin button's
 * "value". */
typedef struct
{
  const char *key;
  const char *property;
} TsrBoundKey;

/* Makes each key's template child of @widget_class reachable by its id
 * (in class_init, before tsr_settings_bind_children). */
void        tsr_widget_class_bind_key_children (GtkWidgetClass    *widget_class,
                                                const TsrBoundKey *keys,
                                                gsize              n_keys);
/* Binds each key of @settings to its template child of @widget, an
 * instance of @template_type, both ways (G_SETTINGS_BIND_DEFAULT). */
void        tsr_settings_bind_children         (GSettings         *settings,
                                                GtkWidget         *widget,
                                                GType              template_type,
                                                const TsrBoundKey *keys,
                                                gsize              n_keys);
/* What @widget shows, as a PNG at @path (for tessera-screenshots). */
gboolean    tsr_widget_save_png (GtkWidget   *widget,
                                 const char  *path,
                                 GError     **error);

G_END_DECLS
