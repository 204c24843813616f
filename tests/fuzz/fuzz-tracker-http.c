/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz-http.c: libFuzzer target for the tracker's HTTP request heads. A
 * head that parses lies within the input, and its path and query point
 * into it; requests are read one after another like a pipelined stream.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "tsr-http.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize offset = 0;

  while (offset < size)
    {
      TsrHttpRequest request;
      gsize consumed = 0;
      TsrHttpResult result = tsr_http_parse_request (data + offset, size - offset, &request, &consumed);

      if (result != TSR_HTTP_OK)
        break;
      if (consumed == 0 || consumed > size - offset || consumed > TSR_HTTP_MAX_HEAD ||
          (const guint8 *) request.path < data + offset ||
          (const guint8 *) request.path + request.path_length > data + offset + consumed ||
          (request.query != NULL && (const guint8 *) request.query + request.query_length > data + offset + consumed))
        abort ();
      offset += consumed;
    }
  return 0;
}
