#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): Transmission's remote-control protocol with many
torrents, `tessera-cli daemon` against transmission-daemon 3.00 in the
same run.

N (5000) distinct single-file torrents are made here (1 MiB in 4 pieces of
random hashes, no tracker, no data on disk: they stay idle) and added to
each daemon over its RPC, `torrent-add` with the metainfo in base64, one
HTTP connection, as they are made, one after the other: the load time is
from the first add to the last reply. Each then gets --settle s (5) of
quiet (no check left: nothing is on disk), and K (50) `torrent-get`
requests of exactly the fields `transmission-remote -l` (3.00) asks for,
no ids (every torrent), over one kept-alive HTTP connection with the
session id already known (two more before them, not counted, warm up).
Per request: the wall time from sending it to having read the whole reply
(median, 90th percentile, least), the reply's bytes, and the daemon's CPU
time (utime + stime of /proc/PID/stat over the K requests, divided by K;
less disturbed by a busy machine than the wall time, but counted in
1/100 s ticks: meaningful only over enough requests). Ratios Tessera /
Transmission are printed last; the target of issue 24 is 0.5 at most for
the time per request.

Both run on 127.0.0.1 (no namespace, no root needed: only their RPC is
used, no peer ever connects), with their own configuration and library
folders in a temporary folder, DHT, local peer discovery, port mapping and
uTP off, default queues (both start the torrents they are given; a few
download, the rest wait in the queue). Every process is stopped by PID,
also on failure.

Usage (repo root, after building): tests/bench/rpc.sh [--torrents N]
    [--requests K] [--only tessera,transmission] [--settle S] [--dir TMP]
    [--timeout S] [--keep]
TESSERA_CLI names the binary (default: _build/src/cli/tessera-cli)."""

import argparse
import atexit
import base64
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tsrtest import bencode  # noqa: E402

KIB = 1 << 10
MIB = 1 << 20
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENTS = ["tessera", "transmission"]
# What transmission-remote 3.00 asks for with -l (seen with --debug).
LIST_FIELDS = ["error", "errorString", "eta", "id", "isFinished", "leftUntilDone", "name",
               "peersGettingFromUs", "peersSendingToUs", "rateDownload", "rateUpload", "sizeWhenDone",
               "status", "uploadRatio"]
WARMUP = 2
CLK_TCK = os.sysconf("SC_CLK_TCK")
LIVE = []


class Failure(Exception):
    pass


def write_torrent(path, info):
    with open(path, "wb") as f:
        f.write(bencode({"info": info, "created by": "tessera tests/bench/rpc.py"}))
    return hashlib.sha1(bencode(info)).hexdigest()


def make_idle_torrents(folder, count):
    """@count torrents of one 1 MiB file in 4 pieces whose hashes are random:
    nothing on any disk matches them. Returns their paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(count):
        info = {"name": f"idle-{i:05d}.bin", "length": MIB, "piece length": 256 * KIB,
                "pieces": os.urandom(4 * 20)}
        path = os.path.join(folder, f"t{i:05d}.torrent")
        write_torrent(path, info)
        paths.append(path)
    return paths


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure(f"no VmRSS for PID {pid}")


def tail(path, size=400):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return " | ".join(f.read().decode(errors="replace").strip().splitlines()[-4:])
    except OSError:
        return ""


class Daemon:
    """One daemon process, stopped by PID (SIGTERM, then SIGKILL), and one
    HTTP connection to its RPC."""

    name = "?"

    def __init__(self, argv, log, env=None):
        self.log = log
        self.log_file = open(log, "wb")
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log_file, env=env)
        self.pid = self.process.pid
        LIVE.append(self)
        self.port = None
        self.connection = None
        self.session_id = ""

    def stop(self, grace=30):
        """Seconds it took to exit after SIGTERM (it saves its state)."""
        start = time.monotonic()
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(10)
        if self in LIVE:
            LIVE.remove(self)
        self.log_file.close()
        return time.monotonic() - start

    def alive(self):
        return self.process.poll() is None

    def post(self, body):
        """(status, session id header, reply bytes) of one POST."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        self.connection.request("POST", "/transmission/rpc", body,
                                {"X-Transmission-Session-Id": self.session_id,
                                 "Content-Type": "application/json"})
        reply = self.connection.getresponse()
        data = reply.read()
        return reply.status, reply.getheader("X-Transmission-Session-Id", ""), data

    def call(self, method, **arguments):
        body = json.dumps({"method": method, "arguments": arguments}).encode()
        for _ in range(3):
            try:
                status, session_id, data = self.post(body)
            except (OSError, http.client.HTTPException):
                self.connection = None      # a closed keep-alive connection: once more
                continue
            if status == 409:
                self.session_id = session_id
                continue
            if status != 200:
                raise Failure(f"{self.name} {method}: HTTP {status}")
            answer = json.loads(data)
            if answer.get("result") != "success":
                raise Failure(f"{self.name} {method}: {answer.get('result')}")
            return answer.get("arguments", {})
        raise Failure(f"{self.name} {method}: no answer after three tries")

    def wait_ready(self, timeout=30):
        end = time.monotonic() + timeout
        while True:
            try:
                self.call("session-get")
                return
            except (OSError, http.client.HTTPException, Failure):
                self.connection = None
                if not self.alive():
                    raise Failure(f"{self.name} exited at start: {tail(self.log)}")
                if time.monotonic() > end:
                    raise Failure(f"{self.name}'s RPC did not answer within {timeout} s")
                time.sleep(0.2)

    def add(self, path, paused=False):
        with open(path, "rb") as f:
            metainfo = base64.b64encode(f.read()).decode()
        answer = self.call("torrent-add", metainfo=metainfo, paused=paused)
        if "torrent-added" not in answer:
            raise Failure(f"{self.name} torrent-add {os.path.basename(path)}: {answer}")


class Tessera(Daemon):
    name = "tessera"

    def __init__(self, cli, work, log, library=None, downloads=None, trackers=False):
        """@downloads: the download folder (WORK/downloads); @trackers:
        announce (app-library.py's seeder) rather than --no-tracker."""
        downloads = downloads or os.path.join(work, "downloads")
        os.makedirs(downloads, exist_ok=True)
        super().__init__([cli, "daemon", "--config-dir", os.path.join(work, "config"),
                          "--library-dir", library or os.path.join(work, "library"),
                          "--download-dir", downloads, "--rpc-port", "0", "--peer-port", "0"]
                         + ([] if trackers else ["--no-tracker"]),
                         log, env=dict(os.environ, TESSERA_NO_DHT="1", TESSERA_NO_LSD="1", TESSERA_NO_PORT_MAP="1"))
        # Its first line says where the RPC is (--rpc-port 0: a free port).
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline().decode(errors="replace") if ready else ""
        match = re.search(r"127\.0\.0\.1:(\d+)/transmission/rpc", line)
        if not match:
            self.stop()
            raise Failure(f"tessera-cli daemon did not say its port: {line!r} {tail(log)}")
        self.port = int(match.group(1))
        # Whatever else it prints goes on being read, so that it never
        # blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.wait_ready()


class Transmission(Daemon):
    name = "transmission"

    def __init__(self, config, log):
        os.makedirs(config, exist_ok=True)
        downloads = os.path.join(config, "downloads")
        self.port = free_port()
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False, "rpc-authentication-required": False,
            "rpc-bind-address": "127.0.0.1", "rpc-port": self.port,
            "rpc-whitelist-enabled": True, "rpc-whitelist": "127.0.0.1",
            "peer-port": free_port(), "peer-port-random-on-start": False,
            "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "download-dir": downloads,
            "incomplete-dir-enabled": False, "blocklist-enabled": False, "message-level": 1,
        }
        with open(os.path.join(config, "settings.json"), "w") as f:
            json.dump(settings, f)
        port = self.port
        super().__init__(["transmission-daemon", "-f", "-g", config], log)
        self.port = port
        self.wait_ready()


def stop_all():
    for daemon in list(reversed(LIVE)):
        daemon.stop(grace=10)


def wait_settled(daemon, n, timeout):
    """Until the daemon lists @n torrents, none of them checking (status 1
    or 2)."""
    end = time.monotonic() + timeout
    while True:
        torrents = daemon.call("torrent-get", fields=["id", "status"])["torrents"]
        checking = sum(1 for t in torrents if t.get("status") in (1, 2))
        if len(torrents) == n and checking == 0:
            return
        if time.monotonic() > end:
            raise Failure(f"{daemon.name}: {len(torrents)} of {n} torrents listed, {checking} checking, "
                          f"after {timeout:.0f} s")
        time.sleep(0.5)


def time_requests(daemon, n, k):
    body = json.dumps({"method": "torrent-get", "arguments": {"fields": LIST_FIELDS}}).encode()
    daemon.call("session-get")      # the session id is known from here on
    for _ in range(WARMUP):
        daemon.post(body)
    times, sizes = [], []
    cpu_before = cpu_seconds(daemon.pid)
    for _ in range(k):
        start = time.perf_counter()
        status, _, data = daemon.post(body)
        times.append(time.perf_counter() - start)
        if status != 200:
            raise Failure(f"{daemon.name} torrent-get: HTTP {status}")
        sizes.append(len(data))
    cpu = (cpu_seconds(daemon.pid) - cpu_before) / k
    answer = json.loads(data)
    listed = len(answer["arguments"]["torrents"])
    if listed != n:
        raise Failure(f"{daemon.name} torrent-get listed {listed} torrents, not {n}")
    missing = sorted(set(LIST_FIELDS) - set(answer["arguments"]["torrents"][0])) if listed else []
    return times, sizes, cpu, missing


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--torrents", type=int, default=5000, help="idle torrents loaded in each daemon (5000)")
    parser.add_argument("--requests", type=int, default=50, help="timed torrent-get requests per daemon (50)")
    parser.add_argument("--only", default=",".join(CLIENTS), help="some of tessera,transmission (both)")
    parser.add_argument("--settle", type=float, default=5, help="seconds of quiet before the requests (5)")
    parser.add_argument("--dir", default="/tmp", help="where the temporary folder goes (/tmp)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to load the N torrents (1800)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    clients = [c for c in CLIENTS if c in only]
    if not clients or only - set(CLIENTS):
        parser.error(f"--only takes some of {','.join(CLIENTS)}")
    if args.torrents < 1 or args.requests < 1:
        parser.error("--torrents and --requests must be at least 1")
    if args.settle < 0 or args.timeout <= 0:
        parser.error("--settle must not be negative, --timeout must be positive")
    cli = os.path.abspath(os.environ.get("TESSERA_CLI") or os.path.join(ROOT, "_build", "src", "cli", "tessera-cli"))
    if "tessera" in clients and not os.access(cli, os.X_OK):
        sys.exit(f"rpc.py: {cli} is missing: build first (meson setup _build && ninja -C _build) or set TESSERA_CLI")
    if "transmission" in clients and shutil.which("transmission-daemon") is None:
        sys.exit("rpc.py: transmission-daemon is missing (Debian package transmission-daemon)")

    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
    atexit.register(stop_all)
    work = tempfile.mkdtemp(prefix="tsr-bench-rpc-", dir=args.dir)
    rows = {}
    failed = True
    try:
        if "tessera" in clients:
            version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30).stdout
            print(f"{(version.strip().splitlines() or ['tessera-cli'])[0]} ({cli})")
        if "transmission" in clients:
            version = subprocess.run(["transmission-daemon", "--version"], capture_output=True, text=True,
                                     timeout=30)
            print((version.stdout + version.stderr).strip().splitlines()[0])
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "?")
        print(f"CPU: {model}, {os.cpu_count()} cores; load average at start: %.2f %.2f %.2f" % os.getloadavg())
        print(f"making {args.torrents} torrents ...", file=sys.stderr, flush=True)
        paths = make_idle_torrents(os.path.join(work, "torrents"), args.torrents)
        for client in clients:
            log = os.path.join(work, f"{client}.log")
            print(f"{client}: adding {args.torrents} torrents ...", file=sys.stderr, flush=True)
            if client == "tessera":
                daemon = Tessera(cli, os.path.join(work, "tessera"), log)
            else:
                daemon = Transmission(os.path.join(work, "transmission"), log)
            try:
                start = time.monotonic()
                for path in paths:
                    daemon.add(path)
                    if time.monotonic() - start > args.timeout:
                        raise Failure(f"{client}: not all {args.torrents} torrents added within {args.timeout} s")
                load = time.monotonic() - start
                wait_settled(daemon, args.torrents, args.timeout)
                time.sleep(args.settle)
                print(f"{client}: {args.requests} requests ...", file=sys.stderr, flush=True)
                times, sizes, cpu, missing = time_requests(daemon, args.torrents, args.requests)
                rows[client] = {"load": load, "times": times, "bytes": statistics.median(sizes), "cpu": cpu,
                                "rss": rss_kib(daemon.pid), "missing": missing}
            finally:
                daemon.stop()
        print()
        print(f"{args.torrents} idle torrents; torrent-get of the {len(LIST_FIELDS)} fields of "
              f"`transmission-remote -l`, {args.requests} requests (after {WARMUP} not counted)")
        print(f"{'':14}{'load (s)':>10}{'median ms':>11}{'p90 ms':>9}{'min ms':>9}{'CPU ms/req':>12}"
              f"{'reply bytes':>13}{'RSS MiB':>9}")
        for client, row in rows.items():
            t = [x * 1000 for x in row["times"]]
            print(f"{client:14}{row['load']:10.2f}{statistics.median(t):11.2f}{percentile(t, 0.9):9.2f}"
                  f"{min(t):9.2f}{row['cpu'] * 1000:12.2f}{row['bytes']:13.0f}{row['rss'] / 1024:9.1f}")
            if row["missing"]:
                print(f"  {client} left out fields: {', '.join(row['missing'])}")
        if len(rows) == 2:
            a, b = rows["tessera"], rows["transmission"]
            print()
            print("Ratios, Tessera / Transmission (target for the time per request: 0.50 at most)")
            for label, x, y in (("time per request, median", statistics.median(a["times"]),
                                 statistics.median(b["times"])),
                                ("time per request, p90", percentile(a["times"], 0.9), percentile(b["times"], 0.9)),
                                ("CPU per request", a["cpu"], b["cpu"]),
                                ("reply bytes", a["bytes"], b["bytes"]),
                                ("load time", a["load"], b["load"])):
                print(f"  {label}: " + (f"{x / y:.2f}" if y > 0 else "n/a"))
        print()
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        failed = False
    except Failure as error:
        print(f"rpc.py: {error}", file=sys.stderr)
    finally:
        stop_all()
        if args.keep or failed:
            print(f"kept {work}" + ("" if not failed else " (stopped early: its logs are there)"), file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
