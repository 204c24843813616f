/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tsr-krpc.h: the KRPC messages of the Mainline DHT (BEP 5), with IPv6
 * nodes and "want" (BEP 32), the "ip" field (BEP 42) and read-only nodes
 * (BEP 43). A codec only: bytes in, a struct or a GError out; a struct
 * in, bytes out. No sockets, no clock.
 */
#pragma once

#include <glib.h>

#include "tsr-peer-address.h"
#include "tsr-dht-id.h"

G_BEGIN_DECLS

#define TSR_KRPC_ERROR (tsr_krpc_error_quark ())
GQuark tsr_krpc_error_quark (void);

typedef enum
{
  TSR_KRPC_ERROR_TOO_LARGE,     /* a datagram over TSR_KRPC_MAX_DATAGRAM bytes */
  TSR_KRPC_ERROR_MALFORMED,     /* not a bencoded dictionary */
  TSR_KRPC_ERROR_MISSING_KEY,   /* "t", "y", "q", "a", "r", "e", "id", ... absent */
  TSR_KRPC_ERROR_WRONG_TYPE,    /* a key whose value has another bencode type */
  TSR_KRPC_ERROR_BAD_LENGTH,    /* an id not of 20 bytes, nodes not a multiple of 26, ... */
  TSR_KRPC_ERROR_BAD_VALUE,     /* "y" not q, r or e; a port out of range; an empty error */
  TSR_KRPC_ERROR_TOO_MANY,      /* more than TSR_KRPC_MAX_VALUES values or TSR_KRPC_MAX_NODES nodes */
} TsrKrpcError;

/* Datagrams longer than this are refused unread (BEP 32 asks for 1024
 * bytes at most; this leaves room for extensions). */
#define TSR_KRPC_MAX_DATAGRAM    16384
/* Longest transaction id, token and "v" kept. */
#define TSR_KRPC_MAX_TRANSACTION 16
#define TSR_KRPC_MAX_TOKEN       64
#define TSR_KRPC_MAX_VERSION     16
/* Longest error message kept: the rest is cut. */
#define TSR_KRPC_MAX_MESSAGE     256
/* Most peers in "values" and nodes in each of "nodes" and "nodes6"; a
 * node sends 8 nodes and as many peers as fit in a datagram. */
#define TSR_KRPC_MAX_VALUES      100
#define TSR_KRPC_MAX_NODES       100

/* Compact forms: a peer is its address and port (6 or 18 bytes), a node
 * its 20-byte id followed by a peer's compact form (26 or 38 bytes). */
#define TSR_KRPC_PEER4_LENGTH    6
#define TSR_KRPC_PEER6_LENGTH    18
#define TSR_KRPC_NODE4_LENGTH    26
#define TSR_KRPC_NODE6_LENGTH    38

typedef enum
{
  TSR_KRPC_TYPE_QUERY,      /* "y": "q" */
  TSR_KRPC_TYPE_RESPONSE,   /* "y": "r" */
  TSR_KRPC_TYPE_ERROR,      /* "y": "e" */
} TsrKrpcType;

typedef enum
{
  TSR_KRPC_METHOD_UNKNOWN,  /* a method of another BEP: answer 204 */
  TSR_KRPC_METHOD_PING,
  TSR_KRPC_METHOD_FIND_NODE,
  TSR_KRPC_METHOD_GET_PEERS,
  TSR_KRPC_METHOD_ANNOUNCE_PEER,
} TsrKrpcMethod;

/* BEP 5 error codes. */
typedef enum
{
  TSR_KRPC_CODE_GENERIC        = 201,
  TSR_KRPC_CODE_SERVER         = 202,
  TSR_KRPC_CODE_PROTOCOL       = 203,   /* malformed packet, invalid arguments, bad token */
  TSR_KRPC_CODE_METHOD_UNKNOWN = 204,
} TsrKrpcCode;

/* BEP 32 "want" of find_node and get_peers. */
typedef enum
{
  TSR_KRPC_WANT_NONE = 0,   /* no "want": the family the query came over */
  TSR_KRPC_WANT_N4   = 1 << 0,
  TSR_KRPC_WANT_N6   = 1 << 1,
} TsrKrpcWant;

/* A DHT node: its id and where it listens (no peer id). */
typedef struct
{
  guint8         id[TSR_DHT_ID_LENGTH];
  TsrPeerAddress address;
} TsrDhtNode;

/* One KRPC message. The parser fills what the message's type (and, for
 * a query, its method) defines and leaves the rest zero or NULL; the
 * encoder writes the same fields back. */
typedef struct
{
  TsrKrpcType    type;
  guint8         transaction[TSR_KRPC_MAX_TRANSACTION];   /* "t", binary */
  gsize          transaction_length;
  guint8         version[TSR_KRPC_MAX_VERSION];           /* "v", cut; 0 long when absent */
  gsize          version_length;
  gboolean       read_only;                               /* "ro": 1 (BEP 43) */
  gboolean       has_ip;                                  /* "ip" (BEP 42): the requester's */
  TsrPeerAddress ip;                                      /* address as the sender sees it */

  /* Queries and responses: the sender's id. */
  guint8         id[TSR_DHT_ID_LENGTH];

  /* Queries */
  TsrKrpcMethod  method;
  guint8         target[TSR_DHT_ID_LENGTH];               /* find_node */
  guint8         info_hash[TSR_DHT_ID_LENGTH];            /* get_peers, announce_peer */
  TsrKrpcWant    want;                                    /* find_node, get_peers */
  guint16        port;                                    /* announce_peer; 0 only with implied_port */
  gboolean       implied_port;                            /* announce_peer: use the UDP source port */

  /* announce_peer queries and get_peers responses */
  gboolean       has_token;
  guint8         token[TSR_KRPC_MAX_TOKEN];
  gsize          token_length;

  /* Responses: NULL when the key is absent, empty when it is "0:" or "le". */
  GArray        *nodes;      /* (element-type TsrDhtNode) (nullable) IPv4, "nodes" */
  GArray        *nodes6;     /* (element-type TsrDhtNode) (nullable) IPv6, "nodes6" (BEP 32) */
  GArray        *values;     /* (element-type TsrPeerAddress) (nullable) IPv4 and IPv6 peers */

  /* Errors: as sent, cut to TSR_KRPC_MAX_MESSAGE bytes, NUL-terminated
   * but not text in general (quote it before showing it). */
  gint64         error_code;
  char          *error_message;
  gsize          error_message_length;
} TsrKrpcMessage;

TsrKrpcMessage *tsr_krpc_message_new    (TsrKrpcType            type);
void            tsr_krpc_message_free   (TsrKrpcMessage        *self);
/* Parses one datagram. Unknown keys are ignored; the keys read are
 * checked strictly (types, lengths, counts). A response is decoded
 * without knowing the query it answers: the caller checks that what it
 * needs is there. */
TsrKrpcMessage *tsr_krpc_message_parse  (const guint8          *data,
                                         gsize                  length,
                                         GError               **error);
/* Canonical bencoding of @self, keys sorted. Every message the parser
 * returns can be encoded except a query of an unknown method. Nodes of
 * another family than their list's are left out. */
GBytes         *tsr_krpc_message_encode (const TsrKrpcMessage  *self);

/* The message text BEP 5 gives @code ("Generic Error", ...), in English
 * as it goes over the wire; "Error" for other codes. */
const char     *tsr_krpc_code_to_string (gint64                 code);

/* Writers. @transaction is 1 to TSR_KRPC_MAX_TRANSACTION bytes, @id our
 * node id. Queries say @read_only (BEP 43) when we do not answer
 * queries. */
GBytes *tsr_krpc_write_ping          (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      const guint8         *id,
                                      gboolean              read_only);
GBytes *tsr_krpc_write_find_node     (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      const guint8         *id,
                                      gboolean              read_only,
                                      const guint8         *target,
                                      TsrKrpcWant           want);
GBytes *tsr_krpc_write_get_peers     (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      const guint8         *id,
                                      gboolean              read_only,
                                      const guint8         *info_hash,
                                      TsrKrpcWant           want);
GBytes *tsr_krpc_write_announce_peer (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      const guint8         *id,
                                      gboolean              read_only,
                                      const guint8         *info_hash,
                                      guint16               port,
                                      gboolean              implied_port,
                                      const guint8         *token,
                                      gsize                 token_length);
/* A response: to ping and announce_peer with only @id; to find_node
 * with @nodes and/or @nodes6; to get_peers with @values and/or nodes,
 * and @token. Each of @nodes, @nodes6 (element-type TsrDhtNode), @values
 * (element-type TsrPeerAddress) and @token may be NULL to leave its key
 * out. @ip (nullable) is the requester's address (BEP 42). */
GBytes *tsr_krpc_write_response      (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      const guint8         *id,
                                      const TsrPeerAddress *ip,
                                      const GArray         *nodes,
                                      const GArray         *nodes6,
                                      const GArray         *values,
                                      const guint8         *token,
                                      gsize                 token_length);
/* An error; @message NULL for the code's own text. */
GBytes *tsr_krpc_write_error         (const guint8         *transaction,
                                      gsize                 transaction_length,
                                      TsrKrpcCode           code,
                                      const char           *message,
                                      const TsrPeerAddress *ip);

/* Compact peers (6 or 18 bytes, by @length) and nodes (26 or 38). The
 * readers return FALSE for any other length. */
gboolean tsr_krpc_peer_read          (const guint8         *data,
                                      gsize                 length,
                                      TsrPeerAddress       *out);
void     tsr_krpc_peer_append        (GByteArray           *out,
                                      const TsrPeerAddress *peer);
gboolean tsr_krpc_node_read          (const guint8         *data,
                                      gsize                 length,
                                      TsrDhtNode           *out);
void     tsr_krpc_node_append        (GByteArray           *out,
                                      const TsrDhtNode     *node);
/* Appends the nodes of a "nodes" (@family 4) or "nodes6" (6) string to
 * @out (element-type TsrDhtNode). A length that is not a multiple of the
 * node size, or more than TSR_KRPC_MAX_NODES nodes, is an error. */
gboolean tsr_krpc_nodes_parse        (const guint8         *data,
                                      gsize                 length,
                                      guint                 family,
                                      GArray               *out,
                                      GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TsrKrpcMessage, tsr_krpc_message_free)

G_END_DECLS
