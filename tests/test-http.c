/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-http.c: the tracker's HTTP request heads: real clients' announces
 * (with and without keep-alive, HTTP/1.0 and 1.1, LF-only lines),
 * pipelined requests, heads still arriving, and refusals (bodies,
 * chunked, garbage, NUL bytes, oversize heads, bad targets).
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "tsr-http.h"

static TsrHttpResult
parse (const char     *text,
       TsrHttpRequest *request,
       gsize          *consumed)
{
  return tsr_http_parse_request ((const guint8 *) text, strlen (text), request, consumed);
}

static void
test_requests (void)
{
  static const char libtorrent[] = "GET /announce?info_hash=%12%34&port=6881 HTTP/1.1\r\nHost: 127.0.0.1:6969\r\n"
                                   "User-Agent: libtorrent/2.0.8.0\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n";
  static const char aria2[] = "GET /announce?x=1 HTTP/1.1\r\nUser-Agent: aria2/1.36.0\r\nAccept: */*\r\n"
                              "Host: 127.0.0.1\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n\r\n";
  static const char old[] = "GET /scrape?info_hash=%AA HTTP/1.0\nConnection: Keep-Alive\n\n";
  static const char plain10[] = "GET /stats HTTP/1.0\r\n\r\n";
  TsrHttpRequest request;
  gsize consumed = 0;

  g_assert_cmpint (parse (libtorrent, &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_cmpuint (consumed, ==, strlen (libtorrent));
  g_assert_true (request.get);
  g_assert_cmpmem (request.path, request.path_length, "/announce", 9);
  g_assert_cmpmem (request.query, request.query_length, "info_hash=%12%34&port=6881", 26);
  g_assert_false (request.keep_alive);

  g_assert_cmpint (parse (aria2, &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_true (request.keep_alive);           /* HTTP/1.1 default */

  g_assert_cmpint (parse (old, &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_cmpmem (request.path, request.path_length, "/scrape", 7);
  g_assert_true (request.keep_alive);           /* 1.0 asking for it */

  g_assert_cmpint (parse (plain10, &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_null (request.query);
  g_assert_false (request.keep_alive);          /* 1.0 default */
}

static void
test_pipelined_and_partial (void)
{
  static const char two[] = "GET /a HTTP/1.1\r\n\r\nGET /b?q HTTP/1.1\r\nConnection: close\r\n\r\nGET /c";
  TsrHttpRequest request;
  gsize consumed = 0;
  gsize offset = 0;
  gsize cut;

  g_assert_cmpint (tsr_http_parse_request ((const guint8 *) two, strlen (two), &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_cmpmem (request.path, request.path_length, "/a", 2);
  offset += consumed;
  g_assert_cmpint (tsr_http_parse_request ((const guint8 *) two + offset, strlen (two) - offset, &request, &consumed),
                   ==, TSR_HTTP_OK);
  g_assert_cmpmem (request.path, request.path_length, "/b", 2);
  g_assert_false (request.keep_alive);
  offset += consumed;
  g_assert_cmpint (tsr_http_parse_request ((const guint8 *) two + offset, strlen (two) - offset, &request, &consumed),
                   ==, TSR_HTTP_NEED_MORE);
  /* Any cut of a head before its end needs more. */
  for (cut = 0; cut < 19; cut++)
    g_assert_cmpint (tsr_http_parse_request ((const guint8 *) two, cut, &request, &consumed), ==, TSR_HTTP_NEED_MORE);
}

static void
test_refused (void)
{
  static const char *bad[] = {
    "POST /announce HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    "GET /announce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    "GET /announce HTTP/2\r\n\r\n",
    "GET announce HTTP/1.1\r\n\r\n",
    "GET /a b HTTP/1.1\r\n\r\n",
    "GET /a\x01 HTTP/1.1\r\n\r\n",
    "GET\r\n\r\n",
    "GET /a HTTP/1.1\r\n folded\r\n\r\n",
    "GET /a HTTP/1.1\r\nNoColon\r\n\r\n",
    "\r\n\r\n",
  };
  TsrHttpRequest request;
  gsize consumed = 0;
  g_autofree char *huge = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (parse (bad[i], &request, &consumed), ==, TSR_HTTP_BAD);
  {
    static const guint8 nul[] = "GET /a\0 HTTP/1.1\r\n\r\n";

    g_assert_cmpint (tsr_http_parse_request (nul, sizeof nul - 1, &request, &consumed), ==, TSR_HTTP_BAD);
  }
  /* A head that never ends within the limit. */
  huge = g_strnfill (TSR_HTTP_MAX_HEAD + 10, 'a');
  memcpy (huge, "GET /", 5);
  g_assert_cmpint (parse (huge, &request, &consumed), ==, TSR_HTTP_BAD);
  /* HEAD parses, but is not a GET: the server refuses it. */
  g_assert_cmpint (parse ("HEAD /stats HTTP/1.1\r\n\r\n", &request, &consumed), ==, TSR_HTTP_OK);
  g_assert_false (request.get);
}

static void
test_response (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  static const char keep[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nde";
  static const char close_[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
                               "Connection: close\r\n\r\n";

  tsr_http_write_response (out, 200, "OK", "text/plain", (const guint8 *) "de", 2, TRUE);
  g_assert_cmpmem (out->data, out->len, keep, strlen (keep));
  g_byte_array_set_size (out, 0);
  tsr_http_write_response (out, 404, "Not Found", "text/plain", NULL, 0, FALSE);
  g_assert_cmpmem (out->data, out->len, close_, strlen (close_));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/requests", test_requests);
  g_test_add_func ("/http/pipelined-and-partial", test_pipelined_and_partial);
  g_test_add_func ("/http/refused", test_refused);
  g_test_add_func ("/http/response", test_response);
  return g_test_run ();
}
