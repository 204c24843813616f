/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-krpc.c: KRPC codec of the Mainline DHT (BEP 5). A message is a
 * bencoded dictionary: "t" the transaction id the querier chose, "y" the
 * type, then "q" and "a" (method and arguments) for a query, "r" for a
 * response and "e" ([code, message]) for an error. BEP 32 adds "nodes6"
 * and "want", BEP 42 a top-level "ip", BEP 43 a top-level "ro".
 *
 * Datagrams come from anyone on the Internet: they are read strictly
 * (an id is 20 bytes, a node list a multiple of 26 or 38, a value 6 or
 * 18 bytes) and with caps on every count, so a caller can trust the
 * struct it gets. A response is decoded for what it holds: which keys it
 * needs depends on the query it answers, which only the caller knows.
 */
#define G_LOG_DOMAIN "tsr-dht"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tsr-bencode.h"
#include "tsr-krpc.h"
#include "tsr-util.h"

G_DEFINE_QUARK (tsr-krpc-error-quark, tsr_krpc_error)

static const struct
{
  TsrKrpcMethod method;
  const char   *name;
} methods[] = {
  { TSR_KRPC_METHOD_PING, "ping" },
  { TSR_KRPC_METHOD_FIND_NODE, "find_node" },
  { TSR_KRPC_METHOD_GET_PEERS, "get_peers" },
  { TSR_KRPC_METHOD_ANNOUNCE_PEER, "announce_peer" },
};

TsrKrpcMessage *
tsr_krpc_message_new (TsrKrpcType type)
{
  TsrKrpcMessage *self = g_new0 (TsrKrpcMessage, 1);

  self->type = type;
  return self;
}

void
tsr_krpc_message_free (TsrKrpcMessage *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->nodes6, g_array_unref);
  g_clear_pointer (&self->values, g_array_unref);
  g_free (self->error_message);
  g_free (self);
}

/* ------------------------------------------------------------------ */
/* Compact forms                                                       */

gboolean
tsr_krpc_peer_read (const guint8   *data,
                    gsize           length,
                    TsrPeerAddress *out)
{
  if (length != TSR_KRPC_PEER4_LENGTH && length != TSR_KRPC_PEER6_LENGTH)
    return FALSE;
  memset (out, 0, sizeof *out);
  out->family = length == TSR_KRPC_PEER4_LENGTH ? 4 : 6;
  memcpy (out->address, data, length - 2);
  out->port = (guint16) (data[length - 2] << 8 | data[length - 1]);
  return TRUE;
}

void
tsr_krpc_peer_append (GByteArray           *out,
                      const TsrPeerAddress *peer)
{
  g_return_if_fail (peer->family == 4 || peer->family == 6);

  g_byte_array_append (out, peer->address, peer->family == 4 ? 4 : 16);
  tsr_append_be16 (out, peer->port);
}

gboolean
tsr_krpc_node_read (const guint8 *data,
                    gsize         length,
                    TsrDhtNode   *out)
{
  if (length != TSR_KRPC_NODE4_LENGTH && length != TSR_KRPC_NODE6_LENGTH)
    return FALSE;
  memcpy (out->id, data, TSR_DHT_ID_LENGTH);
  return tsr_krpc_peer_read (data + TSR_DHT_ID_LENGTH, length - TSR_DHT_ID_LENGTH, &out->address);
}

void
tsr_krpc_node_append (GByteArray       *out,
                      const TsrDhtNode *node)
{
  g_byte_array_append (out, node->id, TSR_DHT_ID_LENGTH);
  tsr_krpc_peer_append (out, &node->address);
}

static gboolean
parse_nodes (const guint8  *data,
             gsize          length,
             guint          family,
             const char    *key,
             GArray        *out,
             GError       **error)
{
  gsize size = family == 6 ? TSR_KRPC_NODE6_LENGTH : TSR_KRPC_NODE4_LENGTH;
  gsize i;

  if (length % size != 0)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH,
                   /* TRANSLATORS: %s is a key of a DHT message, like “nodes”, and
                    * stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message is %zu byte long, not a multiple of %zu",
                                "“%s” in the DHT message is %zu bytes long, not a multiple of %zu",
                                (gulong) length),
                   key, length, size);
      return FALSE;
    }
  if (length / size > TSR_KRPC_MAX_NODES)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_MANY,
                   /* TRANSLATORS: %s is a key of a DHT message, like “nodes”, and
                    * stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message holds %zu node, more than %u",
                                "“%s” in the DHT message holds %zu nodes, more than %u", (gulong) (length / size)),
                   key, length / size, TSR_KRPC_MAX_NODES);
      return FALSE;
    }
  for (i = 0; i < length; i += size)
    {
      TsrDhtNode node;

      tsr_krpc_node_read (data + i, size, &node);
      g_array_append_val (out, node);
    }
  return TRUE;
}

gboolean
tsr_krpc_nodes_parse (const guint8  *data,
                      gsize          length,
                      guint          family,
                      GArray        *out,
                      GError       **error)
{
  g_return_val_if_fail (family == 4 || family == 6, FALSE);

  return parse_nodes (data, length, family, family == 6 ? "nodes6" : "nodes", out, error);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/* The value of @key in @dict, when it is there and of @type. @prefix
 * ("", "a.", "r.") names the dictionary in messages. */
static gboolean
lookup (const TsrBencode  *dict,
        const char        *prefix,
        const char        *key,
        TsrBencodeType     type,
        gboolean           required,
        TsrBencode       **out,
        GError           **error)
{
  TsrBencode *node = tsr_bencode_dict_lookup (dict, key);

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      g_autofree char *path = g_strconcat (prefix, key, NULL);

      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_MISSING_KEY,
                   /* TRANSLATORS: %s is the path of a key in a DHT message, like
                    * “a.port”, and stays in English */
                   _("The DHT message has no “%s”"), path);
      return FALSE;
    }
  if (tsr_bencode_get_node_type (node) != type)
    {
      g_autofree char *path = g_strconcat (prefix, key, NULL);

      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_WRONG_TYPE,
                   /* TRANSLATORS: the path of a key in a DHT message, like “a.port”
                    * (stays in English); then two names of bencode types: "integer",
                    * "string", "list" or "dictionary" */
                   _("“%s” in the DHT message has the type %s instead of %s"), path,
                   tsr_bencode_type_to_string (tsr_bencode_get_node_type (node)),
                   tsr_bencode_type_to_string (type));
      return FALSE;
    }
  *out = node;
  return TRUE;
}

/* A string of at most @max bytes; *@length stays 0 when it is absent. */
static gboolean
lookup_bytes (const TsrBencode  *dict,
              const char        *prefix,
              const char        *key,
              gboolean           required,
              gsize              max,
              const guint8     **out,
              gsize             *length,
              GError           **error)
{
  TsrBencode *node;

  *out = NULL;
  *length = 0;
  if (!lookup (dict, prefix, key, TSR_BENCODE_STRING, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  *out = tsr_bencode_get_string (node, length);
  if (*length > max)
    {
      g_autofree char *path = g_strconcat (prefix, key, NULL);

      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH,
                   /* TRANSLATORS: %s is the path of a key in a DHT message, like
                    * “a.token”, and stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message is %zu byte long, more than %zu",
                                "“%s” in the DHT message is %zu bytes long, more than %zu", (gulong) *length),
                   path, *length, max);
      return FALSE;
    }
  return TRUE;
}

/* A 20-byte id or info hash. */
static gboolean
lookup_id (const TsrBencode  *dict,
           const char        *prefix,
           const char        *key,
           guint8            *out,
           GError           **error)
{
  TsrBencode *node;
  const guint8 *data;
  gsize length = 0;

  if (!lookup (dict, prefix, key, TSR_BENCODE_STRING, TRUE, &node, error))
    return FALSE;
  data = tsr_bencode_get_string (node, &length);
  if (length != TSR_DHT_ID_LENGTH)
    {
      g_autofree char *path = g_strconcat (prefix, key, NULL);

      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH,
                   /* TRANSLATORS: %s is the path of a key in a DHT message, like
                    * “a.id”, and stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message is %zu byte long, not %u",
                                "“%s” in the DHT message is %zu bytes long, not %u", (gulong) length),
                   path, length, TSR_DHT_ID_LENGTH);
      return FALSE;
    }
  memcpy (out, data, TSR_DHT_ID_LENGTH);
  return TRUE;
}

/* An optional integer flag: nonzero is TRUE. */
static gboolean
lookup_flag (const TsrBencode  *dict,
             const char        *prefix,
             const char        *key,
             gboolean          *out,
             GError           **error)
{
  TsrBencode *node;

  *out = FALSE;
  if (!lookup (dict, prefix, key, TSR_BENCODE_INTEGER, FALSE, &node, error))
    return FALSE;
  *out = node != NULL && tsr_bencode_get_integer (node) != 0;
  return TRUE;
}

static gboolean
read_top_level (TsrKrpcMessage    *self,
                const TsrBencode  *root,
                GError           **error)
{
  TsrBencode *node;
  const guint8 *data;
  gsize length;

  /* "v" is free text of other clients: kept cut rather than refused. */
  if (!lookup (root, "", "v", TSR_BENCODE_STRING, FALSE, &node, error))
    return FALSE;
  if (node != NULL)
    {
      data = tsr_bencode_get_string (node, &length);
      self->version_length = MIN (length, TSR_KRPC_MAX_VERSION);
      memcpy (self->version, data, self->version_length);
    }
  if (!lookup_flag (root, "", "ro", &self->read_only, error))
    return FALSE;
  if (!lookup_bytes (root, "", "ip", FALSE, TSR_KRPC_PEER6_LENGTH, &data, &length, error))
    return FALSE;
  if (data != NULL)
    {
      /* BEP 42: the requester's address and port, compact. */
      if (!tsr_krpc_peer_read (data, length, &self->ip))
        {
          g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH,
                       /* TRANSLATORS: %s is a key of a DHT message, “ip”, which stays in English */
                       g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message is %zu byte long, not 6 or 18",
                                    "“%s” in the DHT message is %zu bytes long, not 6 or 18", (gulong) length),
                       "ip", length);
          return FALSE;
        }
      self->has_ip = TRUE;
    }
  return TRUE;
}

static gboolean
read_token (TsrKrpcMessage    *self,
            const TsrBencode  *dict,
            const char        *prefix,
            gboolean           required,
            GError           **error)
{
  const guint8 *data;

  if (!lookup_bytes (dict, prefix, "token", required, TSR_KRPC_MAX_TOKEN, &data, &self->token_length, error))
    return FALSE;
  if (data != NULL)
    {
      memcpy (self->token, data, self->token_length);
      self->has_token = TRUE;
    }
  return TRUE;
}

/* BEP 32: a list of strings; "n4" and "n6" are known, others ignored. */
static gboolean
read_want (TsrKrpcMessage    *self,
           const TsrBencode  *args,
           GError           **error)
{
  TsrBencode *list;
  guint i;

  if (!lookup (args, "a.", "want", TSR_BENCODE_LIST, FALSE, &list, error))
    return FALSE;
  for (i = 0; list != NULL && i < tsr_bencode_list_length (list); i++)
    {
      TsrBencode *item = tsr_bencode_list_get (list, i);
      const guint8 *text;
      gsize length = 0;

      if (tsr_bencode_get_node_type (item) != TSR_BENCODE_STRING)
        {
          g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_WRONG_TYPE,
                       /* TRANSLATORS: the path of a key in a DHT message (stays in
                        * English); then two names of bencode types: "integer",
                        * "string", "list" or "dictionary" */
                       _("Item %u of “%s” in the DHT message has the type %s instead of %s"), i, "a.want",
                       tsr_bencode_type_to_string (tsr_bencode_get_node_type (item)),
                       tsr_bencode_type_to_string (TSR_BENCODE_STRING));
          return FALSE;
        }
      text = tsr_bencode_get_string (item, &length);
      if (length == 2 && memcmp (text, "n4", 2) == 0)
        self->want |= TSR_KRPC_WANT_N4;
      else if (length == 2 && memcmp (text, "n6", 2) == 0)
        self->want |= TSR_KRPC_WANT_N6;
    }
  return TRUE;
}

static gboolean
read_port (TsrKrpcMessage    *self,
           const TsrBencode  *args,
           GError           **error)
{
  TsrBencode *node;
  gint64 port;

  if (!lookup_flag (args, "a.", "implied_port", &self->implied_port, error))
    return FALSE;
  /* BEP 5: with implied_port the UDP source port counts, not "port". */
  if (!lookup (args, "a.", "port", TSR_BENCODE_INTEGER, !self->implied_port, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  port = tsr_bencode_get_integer (node);
  if (port < (self->implied_port ? 0 : 1) || port > G_MAXUINT16)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_VALUE,
                   _("The port %" PRId64 " in the DHT message is out of range"), port);
      return FALSE;
    }
  self->port = (guint16) port;
  return TRUE;
}

static gboolean
read_query (TsrKrpcMessage    *self,
            const TsrBencode  *root,
            GError           **error)
{
  TsrBencode *args;
  const guint8 *name;
  gsize length;
  guint i;

  if (!lookup_bytes (root, "", "q", TRUE, G_MAXSIZE, &name, &length, error) ||
      !lookup (root, "", "a", TSR_BENCODE_DICT, TRUE, &args, error) ||
      !lookup_id (args, "a.", "id", self->id, error))
    return FALSE;
  self->method = TSR_KRPC_METHOD_UNKNOWN;
  for (i = 0; i < G_N_ELEMENTS (methods); i++)
    if (length == strlen (methods[i].name) && memcmp (name, methods[i].name, length) == 0)
      self->method = methods[i].method;

  switch (self->method)
    {
    case TSR_KRPC_METHOD_FIND_NODE:
      return lookup_id (args, "a.", "target", self->target, error) &&
             read_want (self, args, error);
    case TSR_KRPC_METHOD_GET_PEERS:
      return lookup_id (args, "a.", "info_hash", self->info_hash, error) &&
             read_want (self, args, error);
    case TSR_KRPC_METHOD_ANNOUNCE_PEER:
      return lookup_id (args, "a.", "info_hash", self->info_hash, error) &&
             read_port (self, args, error) &&
             read_token (self, args, "a.", TRUE, error);
    case TSR_KRPC_METHOD_PING:
    case TSR_KRPC_METHOD_UNKNOWN:
    default:
      return TRUE;
    }
}

static gboolean
read_values (TsrKrpcMessage    *self,
             const TsrBencode  *reply,
             GError           **error)
{
  TsrBencode *list;
  guint count;
  guint i;

  if (!lookup (reply, "r.", "values", TSR_BENCODE_LIST, FALSE, &list, error))
    return FALSE;
  if (list == NULL)
    return TRUE;
  count = tsr_bencode_list_length (list);
  if (count > TSR_KRPC_MAX_VALUES)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_MANY,
                   /* TRANSLATORS: %s is the path of a key in a DHT message, like “r.values”, which
                    * stays in English */
                   g_dngettext (GETTEXT_PACKAGE, "“%s” in the DHT message holds %u peer, more than %u",
                                "“%s” in the DHT message holds %u peers, more than %u", count),
                   "r.values", count, TSR_KRPC_MAX_VALUES);
      return FALSE;
    }
  self->values = g_array_sized_new (FALSE, FALSE, sizeof (TsrPeerAddress), count);
  for (i = 0; i < count; i++)
    {
      TsrBencode *item = tsr_bencode_list_get (list, i);
      TsrPeerAddress peer;
      const guint8 *data;
      gsize length = 0;

      if (tsr_bencode_get_node_type (item) != TSR_BENCODE_STRING)
        {
          g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_WRONG_TYPE,
                       /* TRANSLATORS: the path of a key in a DHT message (stays in
                        * English); then two names of bencode types: "integer",
                        * "string", "list" or "dictionary" */
                       _("Item %u of “%s” in the DHT message has the type %s instead of %s"), i, "r.values",
                       tsr_bencode_type_to_string (tsr_bencode_get_node_type (item)),
                       tsr_bencode_type_to_string (TSR_BENCODE_STRING));
          return FALSE;
        }
      data = tsr_bencode_get_string (item, &length);
      /* BEP 32: a list may mix IPv4 and IPv6 peers. */
      if (!tsr_krpc_peer_read (data, length, &peer))
        {
          g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_LENGTH,
                       /* TRANSLATORS: %s is the path of a key in a DHT message, like “r.values”, which
                        * stays in English */
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Item %u of “%s” in the DHT message is %zu byte long, not 6 or 18",
                                    "Item %u of “%s” in the DHT message is %zu bytes long, not 6 or 18",
                                    (gulong) length),
                       i, "r.values", length);
          return FALSE;
        }
      g_array_append_val (self->values, peer);
    }
  return TRUE;
}

static gboolean
read_node_list (const TsrBencode  *reply,
                const char        *key,
                guint              family,
                GArray           **out,
                GError           **error)
{
  const guint8 *data;
  gsize length;
  g_autofree char *path = g_strconcat ("r.", key, NULL);

  if (!lookup_bytes (reply, "r.", key, FALSE, G_MAXSIZE, &data, &length, error))
    return FALSE;
  if (data == NULL)
    return TRUE;
  *out = g_array_new (FALSE, FALSE, sizeof (TsrDhtNode));
  return parse_nodes (data, length, family, path, *out, error);
}

static gboolean
read_response (TsrKrpcMessage    *self,
               const TsrBencode  *root,
               GError           **error)
{
  TsrBencode *reply;

  return lookup (root, "", "r", TSR_BENCODE_DICT, TRUE, &reply, error) &&
         lookup_id (reply, "r.", "id", self->id, error) &&
         read_node_list (reply, "nodes", 4, &self->nodes, error) &&
         read_node_list (reply, "nodes6", 6, &self->nodes6, error) &&
         read_values (self, reply, error) &&
         read_token (self, reply, "r.", FALSE, error);
}

static gboolean
read_error (TsrKrpcMessage    *self,
            const TsrBencode  *root,
            GError           **error)
{
  TsrBencode *list;
  TsrBencode *code;
  TsrBencode *text;
  const guint8 *data;
  gsize length = 0;

  if (!lookup (root, "", "e", TSR_BENCODE_LIST, TRUE, &list, error))
    return FALSE;
  if (tsr_bencode_list_length (list) < 2)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_VALUE,
                   g_dngettext (GETTEXT_PACKAGE, "The error in the DHT message has %u item, not a code and a message",
                                "The error in the DHT message has %u items, not a code and a message",
                                tsr_bencode_list_length (list)),
                   tsr_bencode_list_length (list));
      return FALSE;
    }
  code = tsr_bencode_list_get (list, 0);
  text = tsr_bencode_list_get (list, 1);
  if (tsr_bencode_get_node_type (code) != TSR_BENCODE_INTEGER ||
      tsr_bencode_get_node_type (text) != TSR_BENCODE_STRING)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_WRONG_TYPE,
                   _("The error in the DHT message is not an integer code and a string"));
      return FALSE;
    }
  self->error_code = tsr_bencode_get_integer (code);
  data = tsr_bencode_get_string (text, &length);
  self->error_message_length = MIN (length, TSR_KRPC_MAX_MESSAGE);
  self->error_message = g_malloc (self->error_message_length + 1);
  memcpy (self->error_message, data, self->error_message_length);
  self->error_message[self->error_message_length] = '\0';
  return TRUE;
}

TsrKrpcMessage *
tsr_krpc_message_parse (const guint8  *data,
                        gsize          length,
                        GError       **error)
{
  g_autoptr(TsrKrpcMessage) self = NULL;
  g_autoptr(TsrBencode) root = NULL;
  const guint8 *transaction;
  const guint8 *type;
  gsize transaction_length;
  gsize type_length;

  if (length > TSR_KRPC_MAX_DATAGRAM)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_TOO_LARGE,
                   g_dngettext (GETTEXT_PACKAGE, "The DHT message is %zu byte long, more than %u",
                                "The DHT message is %zu bytes long, more than %u", (gulong) length),
                   length, TSR_KRPC_MAX_DATAGRAM);
      return NULL;
    }
  root = tsr_bencode_decode (data, length, TSR_BENCODE_DECODE_DEFAULT, NULL, error);
  if (root == NULL)
    {
      g_prefix_error (error, _("DHT message: "));
      return NULL;
    }
  if (tsr_bencode_get_node_type (root) != TSR_BENCODE_DICT)
    {
      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_MALFORMED,
                   _("The DHT message is not a dictionary"));
      return NULL;
    }
  if (!lookup_bytes (root, "", "t", TRUE, TSR_KRPC_MAX_TRANSACTION, &transaction, &transaction_length, error) ||
      !lookup_bytes (root, "", "y", TRUE, G_MAXSIZE, &type, &type_length, error))
    return NULL;
  if (type_length != 1 || (type[0] != 'q' && type[0] != 'r' && type[0] != 'e'))
    {
      g_autofree char *quoted = tsr_quote_for_message ((const char *) type, type_length);

      g_set_error (error, TSR_KRPC_ERROR, TSR_KRPC_ERROR_BAD_VALUE,
                   _("The DHT message is of type “%s”, not q, r or e"), quoted);
      return NULL;
    }
  self = tsr_krpc_message_new (type[0] == 'q' ? TSR_KRPC_TYPE_QUERY :
                               type[0] == 'r' ? TSR_KRPC_TYPE_RESPONSE : TSR_KRPC_TYPE_ERROR);
  memcpy (self->transaction, transaction, transaction_length);
  self->transaction_length = transaction_length;
  if (!read_top_level (self, root, error))
    return NULL;
  switch (self->type)
    {
    case TSR_KRPC_TYPE_QUERY:
      if (!read_query (self, root, error))
        return NULL;
      break;
    case TSR_KRPC_TYPE_RESPONSE:
      if (!read_response (self, root, error))
        return NULL;
      break;
    case TSR_KRPC_TYPE_ERROR:
    default:
      if (!read_error (self, root, error))
        return NULL;
      break;
    }
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static void
insert_bytes (TsrBencode   *dict,
              const char   *key,
              const guint8 *data,
              gsize         length)
{
  tsr_bencode_dict_insert (dict, key, tsr_bencode_new_string (data, length));
}

static void
insert_nodes (TsrBencode   *dict,
              const char   *key,
              const GArray *nodes,
              guint         family)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint i;

  for (i = 0; i < nodes->len; i++)
    {
      const TsrDhtNode *node = &g_array_index (nodes, TsrDhtNode, i);

      if (node->address.family == family)
        tsr_krpc_node_append (data, node);
    }
  insert_bytes (dict, key, data->data, data->len);
}

static TsrBencode *
new_peer_string (const TsrPeerAddress *peer)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  tsr_krpc_peer_append (data, peer);
  return tsr_bencode_new_string (data->data, data->len);
}

static TsrBencode *
new_query_arguments (const TsrKrpcMessage *self)
{
  TsrBencode *args = tsr_bencode_new_dict ();

  insert_bytes (args, "id", self->id, TSR_DHT_ID_LENGTH);
  switch (self->method)
    {
    case TSR_KRPC_METHOD_FIND_NODE:
      insert_bytes (args, "target", self->target, TSR_DHT_ID_LENGTH);
      break;
    case TSR_KRPC_METHOD_GET_PEERS:
      insert_bytes (args, "info_hash", self->info_hash, TSR_DHT_ID_LENGTH);
      break;
    case TSR_KRPC_METHOD_ANNOUNCE_PEER:
      insert_bytes (args, "info_hash", self->info_hash, TSR_DHT_ID_LENGTH);
      tsr_bencode_dict_insert (args, "port", tsr_bencode_new_integer (self->port));
      if (self->implied_port)
        tsr_bencode_dict_insert (args, "implied_port", tsr_bencode_new_integer (1));
      insert_bytes (args, "token", self->token, self->token_length);
      break;
    case TSR_KRPC_METHOD_PING:
    case TSR_KRPC_METHOD_UNKNOWN:
    default:
      break;
    }
  if ((self->method == TSR_KRPC_METHOD_FIND_NODE || self->method == TSR_KRPC_METHOD_GET_PEERS) &&
      self->want != TSR_KRPC_WANT_NONE)
    {
      TsrBencode *want = tsr_bencode_new_list ();

      if (self->want & TSR_KRPC_WANT_N4)
        tsr_bencode_list_append (want, tsr_bencode_new_text ("n4"));
      if (self->want & TSR_KRPC_WANT_N6)
        tsr_bencode_list_append (want, tsr_bencode_new_text ("n6"));
      tsr_bencode_dict_insert (args, "want", want);
    }
  return args;
}

static TsrBencode *
new_response_values (const TsrKrpcMessage *self)
{
  TsrBencode *reply = tsr_bencode_new_dict ();

  insert_bytes (reply, "id", self->id, TSR_DHT_ID_LENGTH);
  if (self->nodes != NULL)
    insert_nodes (reply, "nodes", self->nodes, 4);
  if (self->nodes6 != NULL)
    insert_nodes (reply, "nodes6", self->nodes6, 6);
  if (self->values != NULL)
    {
      TsrBencode *values = tsr_bencode_new_list ();
      guint i;

      for (i = 0; i < self->values->len; i++)
        tsr_bencode_list_append (values, new_peer_string (&g_array_index (self->values, TsrPeerAddress, i)));
      tsr_bencode_dict_insert (reply, "values", values);
    }
  if (self->has_token)
    insert_bytes (reply, "token", self->token, self->token_length);
  return reply;
}

GBytes *
tsr_krpc_message_encode (const TsrKrpcMessage *self)
{
  g_autoptr(TsrBencode) root = NULL;
  TsrBencode *error;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->transaction_length <= TSR_KRPC_MAX_TRANSACTION, NULL);
  g_return_val_if_fail (self->type != TSR_KRPC_TYPE_QUERY || self->method != TSR_KRPC_METHOD_UNKNOWN, NULL);

  root = tsr_bencode_new_dict ();
  insert_bytes (root, "t", self->transaction, self->transaction_length);
  if (self->version_length > 0)
    insert_bytes (root, "v", self->version, MIN (self->version_length, TSR_KRPC_MAX_VERSION));
  if (self->read_only)
    tsr_bencode_dict_insert (root, "ro", tsr_bencode_new_integer (1));
  if (self->has_ip)
    tsr_bencode_dict_insert (root, "ip", new_peer_string (&self->ip));
  switch (self->type)
    {
    case TSR_KRPC_TYPE_QUERY:
      tsr_bencode_dict_insert (root, "y", tsr_bencode_new_text ("q"));
      for (i = 0; i < G_N_ELEMENTS (methods); i++)
        if (methods[i].method == self->method)
          tsr_bencode_dict_insert (root, "q", tsr_bencode_new_text (methods[i].name));
      tsr_bencode_dict_insert (root, "a", new_query_arguments (self));
      break;
    case TSR_KRPC_TYPE_RESPONSE:
      tsr_bencode_dict_insert (root, "y", tsr_bencode_new_text ("r"));
      tsr_bencode_dict_insert (root, "r", new_response_values (self));
      break;
    case TSR_KRPC_TYPE_ERROR:
    default:
      tsr_bencode_dict_insert (root, "y", tsr_bencode_new_text ("e"));
      error = tsr_bencode_new_list ();
      tsr_bencode_list_append (error, tsr_bencode_new_integer (self->error_code));
      tsr_bencode_list_append (error, tsr_bencode_new_string (self->error_message != NULL ? self->error_message : "",
                                                              self->error_message != NULL ? self->error_message_length : 0));
      tsr_bencode_dict_insert (root, "e", error);
      break;
    }
  return tsr_bencode_encode (root);
}

const char *
tsr_krpc_code_to_string (gint64 code)
{
  /* Not translated: the text goes to other nodes, not to our user. */
  switch (code)
    {
    case TSR_KRPC_CODE_GENERIC: return "Generic Error";
    case TSR_KRPC_CODE_SERVER: return "Server Error";
    case TSR_KRPC_CODE_PROTOCOL: return "Protocol Error";
    case TSR_KRPC_CODE_METHOD_UNKNOWN: return "Method Unknown";
    default: return "Error";
    }
}

/* ------------------------------------------------------------------ */
/* Writers                                                             */

static void
init_query (TsrKrpcMessage *message,
            TsrKrpcMethod   method,
            const guint8   *transaction,
            gsize           transaction_length,
            const guint8   *id,
            gboolean        read_only)
{
  memset (message, 0, sizeof *message);
  message->type = TSR_KRPC_TYPE_QUERY;
  message->method = method;
  memcpy (message->transaction, transaction, transaction_length);
  message->transaction_length = transaction_length;
  memcpy (message->id, id, TSR_DHT_ID_LENGTH);
  message->read_only = read_only;
}

#define CHECK_TRANSACTION(length) \
  g_return_val_if_fail ((length) >= 1 && (length) <= TSR_KRPC_MAX_TRANSACTION, NULL)

GBytes *
tsr_krpc_write_ping (const guint8 *transaction,
                     gsize         transaction_length,
                     const guint8 *id,
                     gboolean      read_only)
{
  TsrKrpcMessage message;

  CHECK_TRANSACTION (transaction_length);
  init_query (&message, TSR_KRPC_METHOD_PING, transaction, transaction_length, id, read_only);
  return tsr_krpc_message_encode (&message);
}

GBytes *
tsr_krpc_write_find_node (const guint8 *transaction,
                          gsize         transaction_length,
                          const guint8 *id,
                          gboolean      read_only,
                          const guint8 *target,
                          TsrKrpcWant   want)
{
  TsrKrpcMessage message;

  CHECK_TRANSACTION (transaction_length);
  init_query (&message, TSR_KRPC_METHOD_FIND_NODE, transaction, transaction_length, id, read_only);
  memcpy (message.target, target, TSR_DHT_ID_LENGTH);
  message.want = want;
  return tsr_krpc_message_encode (&message);
}

GBytes *
tsr_krpc_write_get_peers (const guint8 *transaction,
                          gsize         transaction_length,
                          const guint8 *id,
                          gboolean      read_only,
                          const guint8 *info_hash,
                          TsrKrpcWant   want)
{
  TsrKrpcMessage message;

  CHECK_TRANSACTION (transaction_length);
  init_query (&message, TSR_KRPC_METHOD_GET_PEERS, transaction, transaction_length, id, read_only);
  memcpy (message.info_hash, info_hash, TSR_DHT_ID_LENGTH);
  message.want = want;
  return tsr_krpc_message_encode (&message);
}

GBytes *
tsr_krpc_write_announce_peer (const guint8 *transaction,
                              gsize         transaction_length,
                              const guint8 *id,
                              gboolean      read_only,
                              const guint8 *info_hash,
                              guint16       port,
                              gboolean      implied_port,
                              const guint8 *token,
                              gsize         token_length)
{
  TsrKrpcMessage message;

  CHECK_TRANSACTION (transaction_length);
  g_return_val_if_fail (token_length <= TSR_KRPC_MAX_TOKEN, NULL);
  g_return_val_if_fail (port != 0 || implied_port, NULL);

  init_query (&message, TSR_KRPC_METHOD_ANNOUNCE_PEER, transaction, transaction_length, id, read_only);
  memcpy (message.info_hash, info_hash, TSR_DHT_ID_LENGTH);
  message.port = port;
  message.implied_port = implied_port;
  message.has_token = TRUE;
  if (token_length > 0)   /* an empty token may come as NULL */
    memcpy (message.token, token, token_length);
  message.token_length = token_length;
  return tsr_krpc_message_encode (&message);
}

GBytes *
tsr_krpc_write_response (const guint8         *transaction,
                         gsize                 transaction_length,
                         const guint8         *id,
                         const TsrPeerAddress *ip,
                         const GArray         *nodes,
                         const GArray         *nodes6,
                         const GArray         *values,
                         const guint8         *token,
                         gsize                 token_length)
{
  TsrKrpcMessage message = { 0 };

  CHECK_TRANSACTION (transaction_length);
  g_return_val_if_fail (token_length <= TSR_KRPC_MAX_TOKEN, NULL);

  message.type = TSR_KRPC_TYPE_RESPONSE;
  memcpy (message.transaction, transaction, transaction_length);
  message.transaction_length = transaction_length;
  memcpy (message.id, id, TSR_DHT_ID_LENGTH);
  if (ip != NULL)
    {
      message.has_ip = TRUE;
      message.ip = *ip;
    }
  /* Borrowed for the encoding, which only reads them. */
  message.nodes = (GArray *) nodes;
  message.nodes6 = (GArray *) nodes6;
  message.values = (GArray *) values;
  if (token != NULL)
    {
      message.has_token = TRUE;
      memcpy (message.token, token, token_length);
      message.token_length = token_length;
    }
  return tsr_krpc_message_encode (&message);
}

GBytes *
tsr_krpc_write_error (const guint8         *transaction,
                      gsize                 transaction_length,
                      TsrKrpcCode           code,
                      const char           *message,
                      const TsrPeerAddress *ip)
{
  TsrKrpcMessage error = { 0 };

  CHECK_TRANSACTION (transaction_length);

  error.type = TSR_KRPC_TYPE_ERROR;
  memcpy (error.transaction, transaction, transaction_length);
  error.transaction_length = transaction_length;
  if (ip != NULL)
    {
      error.has_ip = TRUE;
      error.ip = *ip;
    }
  error.error_code = code;
  error.error_message = (char *) (message != NULL ? message : tsr_krpc_code_to_string (code));
  error.error_message_length = strlen (error.error_message);
  return tsr_krpc_message_encode (&error);
}
