/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-app-test-util.h: what several app tests need of GTK (linked into
 * the app tests only; tsr-test-util.h is for every test).
 */
#pragma once

#include <gtk/gtk.h>

#include "tessera-engine.h"
#include "tsr-window.h"

G_BEGIN_DECLS

/* A library in a temporary folder, and the main window over it: what the
 * window tests share. */
typedef struct
{
  char       *dir;        /* (owned) the temporary folder, removed by _clear () */
  char       *data;       /* (owned) dir/data: the library's own folder */
  char       *downloads;  /* (owned) dir/downloads: where added torrents save */
  TsrLibrary *library;    /* (owned) */
  TsrWindow  *window;     /* (nullable) the window _open_window () opened */
} TsrAppTestLibrary;

/* An empty library in a new temporary folder named after @prefix. */
void        tsr_app_test_library_init        (TsrAppTestLibrary *self,
                                              const char        *prefix);
/* Adds the .torrent at @path, stopped, saving to self->downloads (fails
 * the test if the library refuses it); returns it (borrowed). */
TsrTorrent *tsr_app_test_library_add         (TsrAppTestLibrary *self,
                                              const char        *path);
/* A new main window over the library, presented, as self->window. */
TsrWindow  *tsr_app_test_library_open_window (TsrAppTestLibrary *self);
/* A restart: the window (if any) goes, the library is shut down (and so
 * saved) and read again from self->data. No window is opened. */
void        tsr_app_test_library_reload      (TsrAppTestLibrary *self);
/* Window, library and temporary folder go. */
void        tsr_app_test_library_clear       (TsrAppTestLibrary *self);

/* The two-file pack (tsr_test_make_pack: pack/a.bin and pack/b.bin, with
 * their data) in a new temporary folder, as a torrent that is not
 * started, shown by a Files page in a presented window: what the Files
 * page tests share. */
typedef struct
{
  char       *dir;       /* (owned) the temporary folder, removed by _clear () */
  char       *root;      /* (owned) dir/pack: the torrent's folder */
  TsrTorrent *torrent;   /* (owned) */
  GtkWindow  *window;    /* destroyed by _clear () */
  GtkWidget  *page;      /* the TsrFilesPage in window, showing torrent */
} TsrAppTestFilesPage;

void        tsr_app_test_files_page_init     (TsrAppTestFilesPage *self,
                                              const char          *prefix);
/* Window, torrent (after the engine's pending work) and folder go. */
void        tsr_app_test_files_page_clear    (TsrAppTestFilesPage *self);

/* Adds @widget and every widget under it that is a @type to @found,
 * depth first. */
void       tsr_app_test_collect   (GtkWidget  *widget,
                                   GType       type,
                                   GPtrArray  *found);
/* The one widget of @type under @widget (itself included); fails the
 * test unless there is exactly one. */
GtkWidget *tsr_app_test_find_one  (GtkWidget  *widget,
                                   GType       type);

/* Whether a label under @widget (itself included) reads @text. */
gboolean   tsr_app_test_shows_text    (GtkWidget  *widget,
                                       const char *text);
/* The same, the main loop run until it does, for at most 5 s. */
gboolean   tsr_app_test_wait_for_text (GtkWidget  *widget,
                                       const char *text);

/* The widget under @widget (itself included) whose template or builder
 * id is @id, depth first; NULL when none is. */
GtkWidget *tsr_app_test_find_widget (GtkWidget  *widget,
                                     const char *id);

G_END_DECLS
