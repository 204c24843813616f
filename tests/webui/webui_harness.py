# SPDX-License-Identifier: GPL-3.0-or-later
"""A server for the web interface's browser test: an RPC server and the
web interface's files on one origin, as the daemon serves them.

`transmission`: transmission-daemon 3.00 in a network namespace of its
own (Transmission refuses peers on 127.0.0.0/8, tests/python/tsrnet.py),
RPC on a random port of the namespace's address; no DHT, LPD, PEX, uTP or
port mapping. A proxy on 127.0.0.1 serves data/webui/ with the headers
src/webui/tsr-webui.c sends (its CSP is read from that file, so the two
cannot drift apart) and forwards POST /transmission/rpc to the daemon.

`tessera`: `tessera-cli daemon` serves both itself, on 127.0.0.1 with a
port of its choosing, with config, library and download folders of the
test's own; peers reach it on the host's side of the namespace. No proxy
stands between the page and it: what the page sent and got is read from
Chromium's own network log (test-webui.py, RpcLog).

Every process is stopped by PID, the namespace removed by name."""

import base64
import http.server
import json
import os
import random
import re
import select
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tsrtest import CLI  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WEBUI_DIR = os.path.join(SOURCE_ROOT, "data", "webui")
# The files tsr-webui.c serves, by request path.
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/tessera.js": ("tessera.js", "text/javascript; charset=utf-8"),
    "/tessera.css": ("tessera.css", "text/css; charset=utf-8"),
    "/tessera.svg": ("../icons/hicolor/scalable/apps/io.github.tessera.Tessera.svg", "image/svg+xml"),
}


def webui_csp():
    """The Content-Security-Policy of src/webui/tsr-webui.c, joined as the
    C compiler joins its adjacent string literals."""
    with open(os.path.join(SOURCE_ROOT, "src", "webui", "tsr-webui.c"), encoding="utf-8") as f:
        source = f.read()
    match = re.search(r'#define TSR_WEBUI_CSP((?:\s*"[^"]*"\s*\\?)+)', source)
    assert match, "TSR_WEBUI_CSP not found in tsr-webui.c"
    return "".join(re.findall(r'"([^"]*)"', match.group(1)))


class Proxy:
    """The web interface's files and the RPC on one origin (127.0.0.1).
    Counts the RPC answers by status, so a test can see the 409
    handshake; `refuse_with` makes it answer every RPC with that status
    (401: a wrong password, the prompt cancelled) until reset."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.statuses = []
        self.methods = []    # (method, HTTP status, RPC result) of each forwarded request
        self.refuse_with = None
        csp = webui_csp()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def _security(self):
                self.send_header("Content-Security-Policy", csp)
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Cache-Control", "no-cache")

            def _answer(self, status, content_type, body, extra=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra:
                    self.send_header(name, value)
                self._security()
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                entry = FILES.get(self.path)
                if entry is None:
                    self._answer(404, "text/plain; charset=utf-8", b"There is no such page")
                    return
                with open(os.path.join(WEBUI_DIR, entry[0]), "rb") as f:
                    self._answer(200, entry[1], f.read())

            do_HEAD = do_GET

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.path != "/transmission/rpc":
                    self._answer(404, "text/plain; charset=utf-8", b"There is no such page")
                    return
                if proxy.refuse_with:
                    # Without a WWW-Authenticate challenge: with one, headless
                    # Chromium holds the request on a sign-in prompt no one
                    # can see, and the page never gets the 401 that a person
                    # gets on pressing Cancel.
                    proxy.statuses.append(proxy.refuse_with)
                    self._answer(proxy.refuse_with, "text/html; charset=utf-8", b"<h1>401: Unauthorized</h1>")
                    return
                request = urllib.request.Request(proxy.upstream, data=body, method="POST")
                for name in ("Content-Type", "X-Transmission-Session-Id", "Authorization"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=20) as response:
                        status, headers, data = response.status, response.headers, response.read()
                except urllib.error.HTTPError as error:
                    status, headers, data = error.code, error.headers, error.read()
                proxy.statuses.append(status)
                try:
                    proxy.methods.append((json.loads(body)["method"], status, json.loads(data).get("result")))
                except (ValueError, KeyError, AttributeError):
                    proxy.methods.append((None, status, None))
                extra = [(name, headers[name]) for name in ("X-Transmission-Session-Id", "WWW-Authenticate")
                         if headers.get(name)]
                self._answer(status, headers.get("Content-Type", "application/json"), data, extra)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def rpc_call(server, method, arguments, auth=None):
    """One RPC to @server.rpc_url, the handshake done as clients do it,
    its session id kept in @server.session_id; @auth: "USER:PASSWORD"."""
    body = json.dumps({"method": method, "arguments": arguments}).encode()
    for _ in range(2):
        request = urllib.request.Request(server.rpc_url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if server.session_id:
            request.add_header("X-Transmission-Session-Id", server.session_id)
        if auth:
            request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                reply = json.loads(response.read())
                assert reply["result"] == "success", reply
                return reply["arguments"]
        except urllib.error.HTTPError as error:
            if error.code != 409:
                raise
            server.session_id = error.headers["X-Transmission-Session-Id"]
    raise AssertionError("no session id after a 409")


class TransmissionServer:
    """transmission-daemon in namespace @ns, downloading into @download.
    Peers reach it at ns.host_ip (the host side of the veth pair)."""

    kind = "transmission"

    def __init__(self, ns, d, download):
        self.ns = ns
        self.config = os.path.join(d, "transmission-config")
        os.makedirs(self.config, exist_ok=True)
        port = random.randint(20000, 60000)
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False, "rpc-authentication-required": False,
            "rpc-whitelist-enabled": True, "rpc-whitelist": f"127.0.0.1,{ns.host_ip}",
            "rpc-host-whitelist-enabled": False,
            "rpc-bind-address": ns.ns_ip, "rpc-port": port, "peer-port": random.randint(20000, 60000),
            "bind-address-ipv4": ns.ns_ip, "bind-address-ipv6": "::1", "download-dir": download,
            "incomplete-dir-enabled": False, "start-added-torrents": True,
            "speed-limit-up-enabled": False, "speed-limit-down-enabled": False,
            "encryption": 0, "message-level": 1,
        }
        with open(os.path.join(self.config, "settings.json"), "w") as f:
            json.dump(settings, f)
        self.rpc_url = f"http://{ns.ns_ip}:{port}/transmission/rpc"
        self.process = subprocess.Popen(["ip", "netns", "exec", ns.name, "transmission-daemon", "-f",
                                         "-g", self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.session_id = None
        end = time.monotonic() + 30
        while True:
            try:
                self.call("session-get")
                break
            except OSError:
                assert time.monotonic() < end, "transmission-daemon did not answer its RPC within 30 s"
                assert self.process.poll() is None, "transmission-daemon exited"
                time.sleep(0.3)
        self.proxy = Proxy(self.rpc_url)
        self.url = self.proxy.url

    def call(self, method, **arguments):
        """One RPC from the test itself (not through the page)."""
        return rpc_call(self, method, arguments)

    def stop(self):
        if getattr(self, "proxy", None):
            self.proxy.stop()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class TesseraServer:
    """`tessera-cli daemon` on 127.0.0.1, downloading into @download,
    serving the web interface and the RPC itself. @auth: "USER:PASSWORD"
    for --rpc-auth. The namespace @ns is unused: the daemon reaches the
    peers on its host side as any local address."""

    kind = "tessera"

    def __init__(self, ns, d, download, auth=None, name="tessera"):
        self.auth = auth
        self.session_id = None
        env = dict(os.environ, TESSERA_NO_DHT="1", TESSERA_NO_LSD="1", TESSERA_NO_PORT_MAP="1")
        command = [CLI, "daemon", "--config-dir", os.path.join(d, name + "-config"),
                   "--library-dir", os.path.join(d, name + "-library"), "--download-dir", download,
                   "--rpc-bind", "127.0.0.1", "--rpc-port", "0", "--peer-port", "0"]
        if auth:
            command += ["--rpc-auth", auth]
        self.log = open(os.path.join(d, name + ".log"), "wb")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, env=env)
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline().decode() if ready else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)/transmission/rpc", line)
        if not match:
            self.stop()
            with open(os.path.join(d, name + ".log"), encoding="utf-8", errors="replace") as f:
                raise AssertionError(f"the daemon did not say its port: {line!r} {f.read()!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"
        self.rpc_url = self.url + "transmission/rpc"

    def call(self, method, **arguments):
        """One RPC from the test itself (not through the page)."""
        return rpc_call(self, method, arguments, auth=self.auth)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()


def tessera_server(ns, d, download, **kwargs):
    return TesseraServer(ns, d, download, **kwargs)
