/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-log-page.c: a details page showing one of the event log's streams
 * (see tsr-log-page.h). It copies the stream's text when the torrent is
 * set, then appends each line the log announces and drops the oldest so
 * that the page holds as many lines as the log keeps.
 */
#define G_LOG_DOMAIN "tsr-app"

#include "config.h"

#include <glib/gi18n.h>

#include "tsr-log-page.h"

struct _TsrLogPage
{
  GtkWidget    parent_instance;
  TsrLogKind   kind;
  GtkWidget   *text_view;        /* template child */
  TsrEventLog *log;              /* (owned) (nullable) the torrent's */
  gulong       log_handler;
};

enum
{
  PROP_0,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (TsrLogKind, tsr_log_kind,
                    G_DEFINE_ENUM_VALUE (TSR_LOG_TORRENT, "torrent"),
                    G_DEFINE_ENUM_VALUE (TSR_LOG_PEERS, "peers"),
                    G_DEFINE_ENUM_VALUE (TSR_LOG_ERRORS, "errors"))

G_DEFINE_FINAL_TYPE (TsrLogPage, tsr_log_page, GTK_TYPE_WIDGET)

/* What a screen reader calls the page and its text, by kind. */
static const char *const accessible_names[] = {
  N_("Torrent log"),
  N_("Peer log"),
  N_("Errors"),
};

static void
on_log_line (TsrEventLog *log,
             int          kind,
             const char  *line,
             TsrLogPage  *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GtkTextIter end;

  if ((TsrLogKind) kind != self->kind)
    return;
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  /* Bounded like the log: the oldest line goes. */
  while ((guint) gtk_text_buffer_get_line_count (buffer) > tsr_event_log_get_n_lines (log, self->kind) + 1)
    {
      GtkTextIter start;
      GtkTextIter next;

      gtk_text_buffer_get_start_iter (buffer, &start);
      next = start;
      gtk_text_iter_forward_line (&next);
      gtk_text_buffer_delete (buffer, &start, &next);
    }
}

static void
drop_log (TsrLogPage *self)
{
  if (self->log != NULL)
    g_clear_signal_handler (&self->log_handler, self->log);
  g_clear_object (&self->log);
}

void
tsr_log_page_set_torrent (TsrLogPage *self,
                          TsrTorrent *torrent)
{
  GtkTextBuffer *buffer;
  g_autofree char *text = NULL;

  g_return_if_fail (TSR_IS_LOG_PAGE (self));

  drop_log (self);
  if (torrent != NULL && tsr_event_log_get_for (torrent) != NULL)
    self->log = g_object_ref (tsr_event_log_get_for (torrent));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  text = self->log != NULL ? tsr_event_log_dup_text (self->log, self->kind) : g_strdup ("");
  gtk_text_buffer_set_text (buffer, text, -1);
  if (self->log != NULL)
    self->log_handler = g_signal_connect (self->log, "line-added", G_CALLBACK (on_log_line), self);
}

TsrLogKind
tsr_log_page_get_kind (TsrLogPage *self)
{
  g_return_val_if_fail (TSR_IS_LOG_PAGE (self), TSR_LOG_TORRENT);

  return self->kind;
}

static void
set_kind (TsrLogPage *self,
          TsrLogKind  kind)
{
  const char *name = _(accessible_names[kind]);

  self->kind = kind;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
tsr_log_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TsrLogPage *self = TSR_LOG_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_log_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TsrLogPage *self = TSR_LOG_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      set_kind (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tsr_log_page_dispose (GObject *object)
{
  TsrLogPage *self = TSR_LOG_PAGE (object);

  drop_log (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TSR_TYPE_LOG_PAGE);
  G_OBJECT_CLASS (tsr_log_page_parent_class)->dispose (object);
}

static void
tsr_log_page_class_init (TsrLogPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tsr_log_page_dispose;
  object_class->get_property = tsr_log_page_get_property;
  object_class->set_property = tsr_log_page_set_property;
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, TSR_TYPE_LOG_KIND, TSR_LOG_TORRENT,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tsr-log-page.ui");
  /* The one child: bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child_full (widget_class, "scrolled", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, TsrLogPage, text_view);
}

static void
tsr_log_page_init (TsrLogPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
