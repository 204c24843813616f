/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-pex.c: BEP 11 ut_pex codec. Peers are compact (6 bytes for IPv4,
 * 18 for IPv6) with one flag byte each for added peers. Messages come
 * from peers and are untrusted: a list of a size that is not a multiple
 * of its entry is an error, and only the first TSR_PEX_MAX_READ entries
 * are read.
 */
#define G_LOG_DOMAIN "tsr-pex"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-pex.h"

G_DEFINE_QUARK (tsr-pex-error-quark, tsr_pex_error)

TsrPexMessage *
tsr_pex_message_new (void)
{
  TsrPexMessage *self = g_new0 (TsrPexMessage, 1);

  self->added = g_array_new (FALSE, FALSE, sizeof (TsrPexPeer));
  self->dropped = g_array_new (FALSE, FALSE, sizeof (TsrPexPeer));
  return self;
}

void
tsr_pex_message_free (TsrPexMessage *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->added);
  g_array_unref (self->dropped);
  g_free (self);
}

static gboolean
read_list (TsrBencode  *root,
           const char  *key,
           const char  *flags_key,
           guint        family,
           GArray      *out,
           GError     **error)
{
  gsize size = family == 6 ? 18 : 6;
  gsize length = 0, flags_length = 0;
  const guint8 *data;
  const guint8 *flags = NULL;
  gsize i;

  if (tsr_bencode_dict_lookup (root, key) == NULL)
    return TRUE;
  data = tsr_bencode_dict_lookup_string (root, key, &length);
  if (data == NULL || length % size != 0)
    {
      g_set_error (error, TSR_PEX_ERROR, TSR_PEX_ERROR_MALFORMED,
                   _("The peer exchange message has a malformed “%s”"), key);
      return FALSE;
    }
  if (flags_key != NULL)
    flags = tsr_bencode_dict_lookup_string (root, flags_key, &flags_length);
  for (i = 0; i < length / size && i < TSR_PEX_MAX_READ; i++)
    {
      TsrPexPeer peer = { 0 };
      const guint8 *entry = data + i * size;

      peer.address.family = (guint8) family;
      memcpy (peer.address.address, entry, size - 2);
      peer.address.port = (guint16) (entry[size - 2] << 8 | entry[size - 1]);
      peer.flags = flags != NULL && i < flags_length ? flags[i] : 0;
      if (peer.address.port != 0)
        g_array_append_val (out, peer);
    }
  return TRUE;
}

TsrPexMessage *
tsr_pex_message_parse (const guint8  *data,
                       gsize          length,
                       GError       **error)
{
  g_autoptr(TsrPexMessage) self = tsr_pex_message_new ();
  g_autoptr(TsrBencode) root = tsr_bencode_decode (data, length, TSR_BENCODE_DECODE_DEFAULT, NULL, error);

  if (root == NULL)
    {
      g_prefix_error (error, _("Peer exchange message: "));
      return NULL;
    }
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      g_set_error (error, TSR_PEX_ERROR, TSR_PEX_ERROR_MALFORMED,
                   _("The peer exchange message is not a dictionary"));
      return NULL;
    }
  if (!read_list (root, "added", "added.f", 4, self->added, error) ||
      !read_list (root, "added6", "added6.f", 6, self->added, error) ||
      !read_list (root, "dropped", NULL, 4, self->dropped, error) ||
      !read_list (root, "dropped6", NULL, 6, self->dropped, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
write_list (TsrBencode  *root,
            GArray      *peers,
            guint        family,
            const char  *key,
            const char  *flags_key)
{
  gsize size = family == 6 ? 18 : 6;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GByteArray) flags = g_byte_array_new ();
  guint i;

  for (i = 0; i < peers->len; i++)
    {
      TsrPexPeer *peer = &g_array_index (peers, TsrPexPeer, i);
      guint8 port[2] = { peer->address.port >> 8, peer->address.port & 0xff };

      if (peer->address.family != family)
        continue;
      g_byte_array_append (data, peer->address.address, (guint) (size - 2));
      g_byte_array_append (data, port, 2);
      g_byte_array_append (flags, &peer->flags, 1);
    }
  /* BEP 11: the IPv4 lists are always there, the IPv6 ones when used. */
  if (data->len == 0 && family == 6)
    return;
  tsr_bencode_dict_insert (root, key, tsr_bencode_new_string (data->data, data->len));
  if (flags_key != NULL)
    tsr_bencode_dict_insert (root, flags_key, tsr_bencode_new_string (flags->data, flags->len));
}

GBytes *
tsr_pex_message_encode (const TsrPexMessage *self)
{
  g_autoptr(TsrBencode) root = tsr_bencode_new_dict ();

  write_list (root, self->added, 4, "added", "added.f");
  write_list (root, self->added, 6, "added6", "added6.f");
  write_list (root, self->dropped, 4, "dropped", NULL);
  write_list (root, self->dropped, 6, "dropped6", NULL);
  return tsr_bencode_encode (root);
}
