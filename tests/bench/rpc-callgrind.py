#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Instruction counts (not a benchmark of time: valid on a busy machine)
of torrent-get with the fields `transmission-remote -l` asks, on
`tessera-cli daemon` and on transmission-daemon 3.00, each under
valgrind's callgrind.

N idle torrents (those of rpc.py) are first added to each daemon running
natively, which is then stopped (both keep their torrents); it is started
again under callgrind with the same folders, left to settle, and after two
requests not counted, callgrind's counters are zeroed (callgrind_control
-z), K requests are made, and the counters dumped (-d). The same is done
over a quiet stretch as long as the requests took (no request), and that
is taken away: what is left is the daemon's work for the K requests (the
RPC, the HTTP server, everything in the process). Printed: instructions
per request, per torrent, and the ratio Tessera / Transmission.

Usage (repo root, after building): tests/bench/rpc-callgrind.py
    [--torrents N] [--requests K] [--only tessera,transmission]
    [--format object|table] [--dir TMP] [--keep]"""

import argparse
import glob
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpc  # noqa: E402


def valgrind(out):
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
            "--log-file=" + out + ".log"]


class VgTessera(rpc.Daemon):
    name = "tessera"

    def __init__(self, argv, log, env):
        super().__init__(argv, log, env=env)
        ready, _, _ = select.select([self.process.stdout], [], [], 600)
        line = self.process.stdout.readline().decode(errors="replace") if ready else ""
        match = re.search(r"127\.0\.0\.1:(\d+)/transmission/rpc", line)
        if not match:
            self.stop()
            raise rpc.Failure(f"tessera-cli daemon did not say its port: {line!r}")
        self.port = int(match.group(1))
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.wait_ready(600)


class VgTransmission(rpc.Daemon):
    name = "transmission"

    def __init__(self, argv, log, port):
        super().__init__(argv, log)
        self.port = port
        self.wait_ready(600)


def total_ir(out, pid, before):
    """Ir of the newest dump of @pid not in @before."""
    end = time.monotonic() + 120
    while True:
        files = set(glob.glob(f"{out}.*")) - before - set(glob.glob(f"{out}*.log"))
        if files:
            break
        if time.monotonic() > end:
            raise rpc.Failure("no callgrind dump")
        time.sleep(0.5)
    path = max(files, key=os.path.getmtime)
    time.sleep(1)
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1]), files | before
    raise rpc.Failure(f"no totals in {path}")


def measure(daemon, out, k, body):
    def dump():
        subprocess.run(["callgrind_control", "-d", str(daemon.pid)], check=True, capture_output=True, timeout=300)

    daemon.call("session-get")
    for _ in range(2):
        status, _, data = daemon.post(body)
    before = set(glob.glob(f"{out}.*"))
    subprocess.run(["callgrind_control", "-z", str(daemon.pid)], check=True, capture_output=True, timeout=300)
    start = time.monotonic()
    size = 0
    for _ in range(k):
        status, _, data = daemon.post(body)
        if status != 200:
            raise rpc.Failure(f"{daemon.name}: HTTP {status}")
        size = len(data)
    elapsed = time.monotonic() - start
    dump()
    busy, before = total_ir(out, daemon.pid, before)
    subprocess.run(["callgrind_control", "-z", str(daemon.pid)], check=True, capture_output=True, timeout=300)
    time.sleep(elapsed)
    dump()
    idle, before = total_ir(out, daemon.pid, before)
    return busy, idle, elapsed, size, json.loads(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torrents", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--only", default="tessera,transmission")
    parser.add_argument("--format", default="object", choices=["object", "table"])
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    clients = [c for c in rpc.CLIENTS if c in args.only.split(",")]
    cli = os.path.abspath(os.environ.get("TESSERA_CLI") or os.path.join(rpc.ROOT, "_build", "src", "cli",
                                                                        "tessera-cli"))
    work = tempfile.mkdtemp(prefix="tsr-callgrind-rpc-", dir=args.dir)
    arguments = {"fields": rpc.LIST_FIELDS}
    if args.format == "table":
        arguments["format"] = "table"
    body = json.dumps({"method": "torrent-get", "arguments": arguments}).encode()
    results = {}
    try:
        paths = rpc.make_idle_torrents(os.path.join(work, "torrents"), args.torrents)
        for client in clients:
            home = os.path.join(work, client)
            log = os.path.join(work, client + ".log")
            out = os.path.join(work, client + ".callgrind")
            print(f"{client}: adding {args.torrents} torrents natively ...", file=sys.stderr, flush=True)
            if client == "tessera":
                daemon = rpc.Tessera(cli, home, log)
                argv = daemon.process.args
            else:
                daemon = rpc.Transmission(home, log)
                argv = daemon.process.args
                port = daemon.port
            for path in paths:
                daemon.add(path)
            rpc.wait_settled(daemon, args.torrents, 600)
            daemon.stop(grace=120)
            print(f"{client}: again under callgrind ...", file=sys.stderr, flush=True)
            if client == "tessera":
                env = dict(os.environ, TESSERA_NO_DHT="1", TESSERA_NO_LSD="1", TESSERA_NO_PORT_MAP="1")
                daemon = VgTessera(valgrind(out) + list(argv), log + ".vg", env)
            else:
                daemon = VgTransmission(valgrind(out) + list(argv), log + ".vg", port)
            try:
                rpc.wait_settled(daemon, args.torrents, 1200)
                time.sleep(3)
                busy, idle, elapsed, size, answer = measure(daemon, out, args.requests, body)
            finally:
                daemon.stop(grace=300)
            listed = len(answer["arguments"]["torrents"]) - (1 if args.format == "table" else 0)
            if listed != args.torrents:
                raise rpc.Failure(f"{client}: {listed} torrents listed")
            results[client] = (busy, idle, elapsed, size)
            per = (busy - idle) / args.requests
            print(f"{client}: {args.requests} requests: {busy} Ir, idle stretch of {elapsed:.1f} s: {idle} Ir; "
                  f"{per:.0f} Ir per request, {per / args.torrents:.0f} per torrent; reply {size} bytes", flush=True)
        if len(results) == 2:
            a = results["tessera"]
            b = results["transmission"]
            print(f"ratio Tessera / Transmission: {(a[0] - a[1]) / (b[0] - b[1]):.3f}")
    except rpc.Failure as error:
        print(f"rpc-callgrind.py: {error}", file=sys.stderr)
        args.keep = True
        sys.exit(1)
    finally:
        rpc.stop_all()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
