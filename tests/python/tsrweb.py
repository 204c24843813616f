# SPDX-License-Identifier: GPL-3.0-or-later
"""A static file server on 127.0.0.1 for web seed tests, with HTTP Range
support (python3 -m http.server has none: it always sends whole files).
Run as a program: tsrweb.py FOLDER PORT [--no-range]."""

import http.server
import os
import re
import sys


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    ranges = True
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.command, format % args))

    def send_head(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404)
            return None
        size = os.path.getsize(path)
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", "")) if self.ranges else None
        f = open(path, "rb")
        if match:
            first = int(match.group(1))
            last = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
            if first > last:
                f.close()
                self.send_error(416)
                return None
            f.seek(first)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("Content-Length", str(last - first + 1))
            self.end_headers()
            return _Limited(f, last - first + 1)
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        return f


class _Limited:
    def __init__(self, f, n):
        self.f, self.n = f, n

    def read(self, size=-1):
        if self.n <= 0:
            return b""
        data = self.f.read(self.n if size < 0 else min(size, self.n))
        self.n -= len(data)
        return data

    def close(self):
        self.f.close()


if __name__ == "__main__":
    folder, port = sys.argv[1], int(sys.argv[2])
    RangeHandler.ranges = "--no-range" not in sys.argv
    handler = lambda *a, **k: RangeHandler(*a, directory=folder, **k)  # noqa: E731
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
