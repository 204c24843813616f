/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-cli-status.c: the live status line of `tessera-cli peer` on a
 * terminal. Rates are the change of the byte totals over the last few
 * seconds, so one slow second does not make the line jump.
 */
#define G_LOG_DOMAIN "tsr-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "tsr-cli-status.h"

#define SAMPLES   6      /* one a second: rates over five seconds */
#define BAR_WIDTH 20

typedef struct
{
  gint64  time;          /* monotonic µs */
  guint64 downloaded;
  guint64 uploaded;
} Sample;

struct _TsrCliStatus
{
  GPtrArray *torrents;   /* borrowed */
  Sample     samples[SAMPLES];
  guint      n_samples;
  guint64    down_rate;
  guint64    up_rate;
  gboolean   shown;
};

TsrCliStatus *
tsr_cli_status_new (GPtrArray *torrents)
{
  TsrCliStatus *self = g_new0 (TsrCliStatus, 1);

  self->torrents = torrents;
  return self;
}

void
tsr_cli_status_free (TsrCliStatus *self)
{
  if (self == NULL)
    return;
  tsr_cli_status_clear (self);
  g_free (self);
}

static char *
format_duration (gint64 seconds)
{
  if (seconds >= 24 * 3600)
    /* TRANSLATORS: time left, days and hours */
    return g_strdup_printf (_("%ud %uh"), (guint) (seconds / 86400), (guint) (seconds % 86400 / 3600));
  if (seconds >= 3600)
    return g_strdup_printf ("%u:%02u:%02u", (guint) (seconds / 3600), (guint) (seconds % 3600 / 60),
                            (guint) (seconds % 60));
  return g_strdup_printf ("%u:%02u", (guint) (seconds / 60), (guint) (seconds % 60));
}

char *
tsr_cli_status_format (guint64  have,
                       guint64  total,
                       guint64  down_rate,
                       guint64  up_rate,
                       guint    peers,
                       guint    seeds,
                       gint64   eta,
                       gboolean seeding)
{
  GString *line = g_string_new (NULL);
  double fraction = total > 0 ? (double) MIN (have, total) / (double) total : 1.0;
  guint filled = (guint) (fraction * BAR_WIDTH);
  g_autofree char *have_text = g_format_size (MIN (have, total));
  g_autofree char *total_text = g_format_size (total);
  g_autofree char *down_text = g_format_size (down_rate);
  g_autofree char *up_text = g_format_size (up_rate);
  guint i;

  g_string_append_c (line, '[');
  for (i = 0; i < BAR_WIDTH; i++)
    g_string_append_c (line, i < filled ? '#' : '-');
  g_string_append_printf (line, "] %3u%%  ", (guint) (fraction * 100));
  /* TRANSLATORS: bytes verified of bytes in all, e.g. "12.1 MB of 27.0 MB" */
  g_string_append_printf (line, _("%s of %s"), have_text, total_text);
  /* TRANSLATORS: download and upload rates, e.g. "down 1.2 MB/s  up 30.0 kB/s" */
  g_string_append_printf (line, _("  down %s/s  up %s/s"), down_text, up_text);
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "  %u peer", "  %u peers", peers), peers);
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, " (%u seed)", " (%u seeds)", seeds), seeds);
  if (seeding)
    g_string_append (line, _("  seeding"));
  else if (eta >= 0)
    {
      g_autofree char *left = format_duration (eta);

      /* TRANSLATORS: estimated time left */
      g_string_append_printf (line, _("  ETA %s"), left);
    }
  return g_string_free (line, FALSE);
}

void
tsr_cli_status_tick (TsrCliStatus *self)
{
  Sample sample = { g_get_monotonic_time (), 0, 0 };
  const Sample *oldest;
  guint i;

  for (i = 0; i < self->torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (self->torrents, i);

      sample.downloaded += tsr_torrent_get_downloaded (torrent);
      sample.uploaded += tsr_torrent_get_uploaded (torrent);
    }
  if (self->n_samples == SAMPLES)
    {
      memmove (self->samples, self->samples + 1, (SAMPLES - 1) * sizeof (Sample));
      self->n_samples--;
    }
  self->samples[self->n_samples++] = sample;
  oldest = &self->samples[0];
  if (sample.time > oldest->time)
    {
      double seconds = (double) (sample.time - oldest->time) / G_USEC_PER_SEC;

      /* Totals restart when a torrent does: never a negative rate. */
      self->down_rate = sample.downloaded >= oldest->downloaded
                        ? (guint64) ((sample.downloaded - oldest->downloaded) / seconds) : 0;
      self->up_rate = sample.uploaded >= oldest->uploaded
                      ? (guint64) ((sample.uploaded - oldest->uploaded) / seconds) : 0;
    }
  tsr_cli_status_draw (self);
}

void
tsr_cli_status_draw (TsrCliStatus *self)
{
  guint64 have = 0, total = 0;
  guint peers = 0, seeds = 0;
  gboolean seeding = self->torrents->len > 0;
  g_autofree char *line = NULL;
  gint64 eta = -1;
  guint i;

  for (i = 0; i < self->torrents->len; i++)
    {
      TsrTorrent *torrent = g_ptr_array_index (self->torrents, i);

      have += tsr_torrent_get_bytes_have (torrent);
      if (tsr_torrent_has_metainfo (torrent))
        total += tsr_torrent_get_metainfo (torrent)->total_length;
      peers += tsr_torrent_get_n_peers (torrent);
      seeds += tsr_torrent_get_n_seeds (torrent);
      if (tsr_torrent_get_state (torrent) != TSR_TORRENT_SEEDING)
        seeding = FALSE;
    }
  if (self->down_rate > 0 && total > have)
    eta = (gint64) ((total - have) / self->down_rate);
  line = tsr_cli_status_format (have, total, self->down_rate, self->up_rate, peers, seeds, eta, seeding);
  printf ("\r%s\033[K", line);
  fflush (stdout);
  self->shown = TRUE;
}

void
tsr_cli_status_clear (TsrCliStatus *self)
{
  if (!self->shown)
    return;
  printf ("\r\033[K");
  fflush (stdout);
  self->shown = FALSE;
}
