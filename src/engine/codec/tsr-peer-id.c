/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-peer-id.c: decoding the client from a peer id (BEP 20). Most
 * clients write "-XXvvvv-" (Azureus style: two letters, four version
 * characters); BitTorrent's mainline writes "M4-3-6--"; the rest is
 * random. A BEP 10 handshake's "v" is better when a peer sends one.
 */
#define G_LOG_DOMAIN "tsr-peer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-peer-id.h"

typedef enum
{
  VERSION_DOTTED,        /* 2080 → 2.0.8 (trailing zero dropped) */
  VERSION_MAJOR_MINOR2,  /* 3000 → 3.00 (Transmission) */
  VERSION_FOUR,          /* 4630 → 4.6.3.0 shown as 4.6.3 */
} VersionStyle;

static const struct
{
  char         code[3];
  const char  *name;
  VersionStyle style;
} azureus[] = {
  { "A2", "aria2", VERSION_DOTTED },
  { "AG", "Ares", VERSION_DOTTED },
  { "AZ", "Vuze", VERSION_FOUR },
  { "BC", "BitComet", VERSION_DOTTED },
  { "BI", "BiglyBT", VERSION_FOUR },
  { "BT", "BitTorrent", VERSION_DOTTED },
  { "DE", "Deluge", VERSION_DOTTED },
  { "FD", "Free Download Manager", VERSION_DOTTED },
  { "FW", "FrostWire", VERSION_DOTTED },
  { "KT", "KTorrent", VERSION_DOTTED },
  { "LT", "libtorrent", VERSION_DOTTED },
  { "lt", "rTorrent", VERSION_DOTTED },
  { "LW", "LimeWire", VERSION_DOTTED },
  { "MO", "MonoTorrent", VERSION_DOTTED },
  { "PI", "PicoTorrent", VERSION_DOTTED },
  { "qB", "qBittorrent", VERSION_DOTTED },
  { "SD", "Thunder", VERSION_DOTTED },
  { "TE", "Tessera", VERSION_DOTTED },
  { "TR", "Transmission", VERSION_MAJOR_MINOR2 },
  { "TS", "TorrentStorm", VERSION_DOTTED },
  { "UM", "µTorrent Mac", VERSION_DOTTED },
  { "UT", "µTorrent", VERSION_DOTTED },
  { "UW", "µTorrent Web", VERSION_DOTTED },
  { "WW", "WebTorrent", VERSION_DOTTED },
  { "XL", "Xunlei", VERSION_DOTTED },
};

/* One version character: a digit, or a letter for 10 and up. */
static int
version_digit (char c)
{
  if (g_ascii_isdigit (c))
    return c - '0';
  if (g_ascii_isupper (c))
    return c - 'A' + 10;
  if (g_ascii_islower (c))
    return c - 'a' + 36;
  return -1;
}

static char *
describe_azureus (const guint8 *id)
{
  const char *code = (const char *) id + 1;
  const char *v = (const char *) id + 3;
  int d[4];
  guint i;

  for (i = 0; i < 4; i++)
    if ((d[i] = version_digit (v[i])) < 0)
      return NULL;
  for (i = 0; i < G_N_ELEMENTS (azureus); i++)
    {
      if (memcmp (azureus[i].code, code, 2) != 0)
        continue;
      switch (azureus[i].style)
        {
        case VERSION_MAJOR_MINOR2:
          return g_strdup_printf ("%s %d.%d%d", azureus[i].name, d[0], d[1], d[2]);
        case VERSION_FOUR:
          if (d[3] != 0)
            return g_strdup_printf ("%s %d.%d.%d.%d", azureus[i].name, d[0], d[1], d[2], d[3]);
          return g_strdup_printf ("%s %d.%d.%d", azureus[i].name, d[0], d[1], d[2]);
        case VERSION_DOTTED:
        default:
          /* A letter in the last place marks a build (µTorrent: B beta). */
          if (d[3] != 0 && g_ascii_isdigit (v[3]))
            return g_strdup_printf ("%s %d.%d.%d.%d", azureus[i].name, d[0], d[1], d[2], d[3]);
          return g_strdup_printf ("%s %d.%d.%d", azureus[i].name, d[0], d[1], d[2]);
        }
    }
  /* TRANSLATORS: a peer's client program we do not know, then the start
   * of its peer id */
  return g_strdup_printf (C_("peer client", "Unknown (%.8s)"), (const char *) id);
}

/* "M4-3-6--" or "M4-20-8-": numbers separated by dashes. */
static char *
describe_mainline (const guint8 *id)
{
  g_autofree char *head = g_strndup ((const char *) id + 1, 7);
  g_auto(GStrv) parts = g_strsplit (head, "-", -1);
  g_autoptr(GString) version = g_string_new (NULL);
  guint i;
  guint numbers = 0;

  for (i = 0; parts[i] != NULL && numbers < 3; i++)
    {
      const char *p;

      if (parts[i][0] == '\0')
        break;
      for (p = parts[i]; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          return NULL;
      if (numbers > 0)
        g_string_append_c (version, '.');
      g_string_append (version, parts[i]);
      numbers++;
    }
  if (numbers < 2)
    return NULL;
  return g_strdup_printf ("BitTorrent %s", version->str);
}

char *
tsr_peer_id_describe (const guint8 *peer_id)
{
  char *described = NULL;
  GString *shown;
  guint i;

  if (peer_id[0] == '-' && peer_id[7] == '-' && g_ascii_isalnum (peer_id[1]) && g_ascii_isalnum (peer_id[2]))
    described = describe_azureus (peer_id);
  else if (peer_id[0] == 'M' && g_ascii_isdigit (peer_id[1]) && peer_id[2] == '-')
    described = describe_mainline (peer_id);
  if (described != NULL)
    return described;
  /* The printable start of the id, so that the user can tell peers apart. */
  shown = g_string_new (NULL);
  for (i = 0; i < 8 && g_ascii_isprint (peer_id[i]); i++)
    g_string_append_c (shown, (char) peer_id[i]);
  if (shown->len == 0)
    {
      g_string_free (shown, TRUE);
      /* TRANSLATORS: a peer's client program we do not know */
      return g_strdup (C_("peer client", "Unknown"));
    }
  /* TRANSLATORS: a peer's client program we do not know, then the start
   * of its peer id */
  described = g_strdup_printf (C_("peer client", "Unknown (%s)"), shown->str);
  g_string_free (shown, TRUE);
  return described;
}
