#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): Tessera's uTP (BEP 29) against its TCP and
against libtorrent 2.0's uTP (python3-libtorrent), measured in the same run.

Part 1, loopback (127.0.0.1), one seeder and one leecher, one file:
        Tessera -> Tessera over uTP, the same over TCP, libtorrent ->
        Tessera over uTP, libtorrent -> libtorrent over uTP (TCP off in
        libtorrent: enable_*_tcp false). Wall time from starting the leecher
        until its data is complete (then checked by SHA-256), the leecher's
        CPU (user+sys, wait4) and the seeder's CPU over that time
        (/proc/PID/stat), each per GiB; then the ratios.
Part 2, LEDBAT: two network namespaces made here, joined by a wire with a
        20 Mbit/s bottleneck from the seeder's side to the leecher's, its
        queue 400 ms long (a home router's), and a 40 ms round trip
        (tests/python/tsrwire.py: a TAP device in each namespace, the
        delay and the bottleneck between them, as this kernel has no
        netem). For Tessera, then libtorrent, both ends uTP only: the share
        of the link the uTP flow uses alone; the queueing delay it adds
        (ping through the bottleneck while it runs, less ping on the idle
        link); then an iperf3 TCP flow (cubic, the usual default; --tcp-cc)
        over the same bottleneck: the TCP flow's share of the link in its
        first 5 s, and what uTP kept meanwhile.
        The bottleneck is on the wire, as a router's, not a tc tbf qdisc on
        the seeder's device (--bottleneck tbf, how this was measured up to
        2026-12-07): TCP Small Queues lets a TCP socket keep only about a
        millisecond of its pacing rate in its own host's qdisc, so there
        the TCP flow never builds a queue, its few packets wait behind
        uTP's 80 ms, and it got 2 % of the link whatever LEDBAT did
        (libtorrent's uTP too: 7 %).
Part 3, mixed swarm: one Tessera seeder and leechers with both transports
        (the default), plus one with uTP only and one with TCP only, all
        told of each other: how many connections ended on uTP and on TCP.

Every process is stopped by PID and the namespaces deleted, also on
failure. Part 2 needs root, iperf3 and ping (iputils-ping).

Usage (repo root, after building):
    tests/bench/utp.sh [--size 1g] [--runs N] [--parts 1,2,3] [--ledbat-size 128m]
                       [--alone S] [--with-tcp S] [--bottleneck wire|tbf] [--tcp-cc cubic]
                       [--dir TMP] [--timeout S] [--keep]
    Smoke run: tests/bench/utp.sh --size 64m --ledbat-size 64m --alone 5 --with-tcp 6
TESSERA_CLI names the binary (default: _build/src/cli/tessera-cli).

Internal helper mode, one libtorrent client a process, uTP only:
    utp.py --lt-seed|--lt-leech TORRENT FOLDER --listen ADDR [--peer HOST:PORT]"""

import argparse
import atexit
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import swarm  # noqa: E402
from swarm import Events, Failure, file_sha256, parse_size, proc_usage, reap, spawn, stop, stop_all, sync, warm  # noqa: E402

MIB = 1 << 20
GIB = 1 << 30
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SELF = os.path.abspath(__file__)
PYTHON = "/usr/bin/python3"
WIRE = os.path.join(HERE, "..", "python", "tsrwire.py")
RATE_MBIT = 20
ONE_WAY_MS = 20
QUEUE_MS = 400


def lt_main(mode, argv):
    """libtorrent over uTP only, in its own process: prints listening, ready
    (seeder), done (leecher, which then exits) as JSON lines."""
    import libtorrent as lt
    import signal

    parser = argparse.ArgumentParser(prog=f"utp.py --lt-{mode}")
    parser.add_argument("torrent")
    parser.add_argument("folder")
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--peer")
    args = parser.parse_args(argv)
    session = lt.session({
        "listen_interfaces": f"{args.listen}:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": True, "enable_incoming_utp": True,
        "enable_outgoing_tcp": False, "enable_incoming_tcp": False,
        "allow_multiple_connections_per_ip": True, "alert_mask": 0,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.folder
    if mode == "seed":
        params.flags |= lt.torrent_flags.seed_mode
    handle = session.add_torrent(params)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while session.listen_port() == 0:
        time.sleep(0.01)
    swarm.emit("listening", port=session.listen_port())
    peer = None
    if args.peer:
        host, port = args.peer.rsplit(":", 1)
        peer = (host, int(port))
        handle.connect_peer(peer)
    last_dial = time.monotonic()
    ready = False
    # The torrent starts at the session's first tick, about 0.5 s in.
    started = time.monotonic()
    while not stopping:
        time.sleep(0.02)
        status = handle.status()
        if mode == "seed":
            if not ready and status.is_seeding and time.monotonic() - started > 1:
                ready = True
                swarm.emit("ready")
            continue
        if status.is_finished or status.is_seeding:
            swarm.emit("done")
            break
        if peer and status.num_peers == 0 and time.monotonic() - last_dial > 1:
            handle.connect_peer(peer)
            last_dial = time.monotonic()
    session.pause()


class Bench:
    def __init__(self, args, cli):
        self.args = args
        self.cli = cli
        self.dir = args.dir
        self.logs = os.path.join(self.dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.count = 0

    def log(self, name):
        self.count += 1
        return os.path.join(self.logs, f"{self.count:02d}-{name}.log")

    def payload(self, size, name):
        """A pseudo-random file of @size and its torrent (1 MiB pieces)."""
        folder = os.path.join(self.dir, f"src-{name}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "payload.bin")
        rng = random.Random(size)
        with open(path, "wb") as f:
            left = size
            while left:
                chunk = min(left, 8 * MIB)
                f.write(rng.randbytes(chunk))
                left -= chunk
        torrent = os.path.join(self.dir, f"{name}.torrent")
        subprocess.run([self.cli, "create", "-q", "-p", "1m", "-o", torrent, path], check=True, timeout=600)
        return folder, torrent, file_sha256(path)

    def tessera(self, name, folder, torrent, transport, bind, peer=None, leech=False, prefix=()):
        flags = {"utp": ["--no-tcp"], "tcp": ["--no-utp"], "both": []}[transport]
        state = os.path.join(self.dir, f"state-{self.count}-{name}")
        args = [*prefix, self.cli, "peer", "-d", folder, "-p", "0", "--bind", bind, "--no-tracker",
                "--encryption", "off", "--json-events", "--state", state, *flags]
        for address in ([peer] if isinstance(peer, str) else peer or []):
            args += ["--peer", address]
        if leech:
            args.append("--exit-when-done")
        return Events(name, [*args, torrent], self.log(name))

    def libtorrent(self, name, mode, folder, torrent, bind, peer=None, prefix=()):
        args = [*prefix, PYTHON, SELF, f"--lt-{mode}", torrent, folder, "--listen", bind]
        if peer:
            args += ["--peer", peer]
        return Events(name, args, self.log(name))

    # Part 1 --------------------------------------------------------------

    def loopback_row(self, seeder_kind, leecher_kind, transport, src, torrent, digest, size):
        dst = tempfile.mkdtemp(prefix="dst-", dir=self.dir)
        sync()
        if seeder_kind == "tessera":
            seeder = self.tessera("seed", src, torrent, transport, "127.0.0.1")
            seeder.wait_for("done", self.args.timeout)
        else:
            seeder = self.libtorrent("lt-seed", "seed", src, torrent, "127.0.0.1")
            seeder.wait_for("ready", self.args.timeout)
        _, listening = seeder.wait_for("listening", 30)
        peer = f"127.0.0.1:{listening['port']}"
        try:
            seed_cpu_before = proc_usage(seeder.process.pid)[0]
            start = time.monotonic()
            if leecher_kind == "tessera":
                leecher = self.tessera("leech", dst, torrent, transport, "127.0.0.1", peer=peer, leech=True)
            else:
                leecher = self.libtorrent("lt-leech", "leech", dst, torrent, "127.0.0.1", peer=peer)
            try:
                stamp, _ = leecher.wait_for("done", self.args.timeout)
                wall = stamp - start
                seed_cpu = proc_usage(seeder.process.pid)[0] - seed_cpu_before
                if leecher_kind == "tessera":
                    connected = [e for _, e in leecher.of("peer-connected")]
                    if not connected or any(e.get("transport") != transport for e in connected):
                        raise Failure(f"not all over {transport}: {connected}")
                usage = reap(leecher.process, 120)
                if usage is None:
                    raise Failure("the leecher did not exit once done")
                leech_cpu = usage.ru_utime + usage.ru_stime
            finally:
                stop(leecher.process)
        finally:
            stop(seeder.process)
        got = file_sha256(os.path.join(dst, "payload.bin"))
        if got != digest:
            raise Failure("the data is wrong")
        if not self.args.keep:
            shutil.rmtree(dst, ignore_errors=True)
        return wall, leech_cpu, seed_cpu

    def part1(self):
        size = self.args.size
        src, torrent, digest = self.payload(size, "loopback")
        warm(os.path.join(src, "payload.bin"))
        rows = [("Tessera -> Tessera", "tessera", "tessera", "utp"),
                ("Tessera -> Tessera", "tessera", "tessera", "tcp"),
                ("libtorrent -> Tessera", "libtorrent", "tessera", "utp"),
                ("libtorrent -> libtorrent", "libtorrent", "libtorrent", "utp")]
        results = {}
        for label, seeder, leecher, transport in rows:
            runs = []
            for _ in range(self.args.runs):
                try:
                    runs.append(self.loopback_row(seeder, leecher, transport, src, torrent, digest, size))
                except Failure as failure:
                    print(f"  {label} over {transport}: FAILED: {failure}", flush=True)
            if runs:
                results[(label, transport)] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
        gib = size / GIB
        print(f"\nPart 1: loopback, {size / MIB:.0f} MiB, median of {self.args.runs} run(s)")
        print(f"  {'seeder -> leecher':26} {'over':5} {'wall s':>8} {'MB/s':>8} {'leech CPU s/GiB':>16} "
              f"{'seed CPU s/GiB':>15}")
        for (label, transport), (wall, leech_cpu, seed_cpu) in results.items():
            print(f"  {label:26} {transport:5} {wall:8.2f} {size / 1e6 / wall:8.1f} {leech_cpu / gib:16.2f} "
                  f"{seed_cpu / gib:15.2f}")

        def ratio(what, a, b):
            if a in results and b in results:
                wall = results[a][0] / results[b][0]
                cpu = (results[a][1] + results[a][2]) / (results[b][1] + results[b][2])
                print(f"  {what}: time x{wall:.2f}, CPU (both ends) x{cpu:.2f}")

        print("Ratios (same run; below 1 is faster or cheaper):")
        ratio("Tessera uTP / Tessera TCP", ("Tessera -> Tessera", "utp"), ("Tessera -> Tessera", "tcp"))
        ratio("Tessera pair / libtorrent pair, uTP", ("Tessera -> Tessera", "utp"),
              ("libtorrent -> libtorrent", "utp"))
        a, b = ("libtorrent -> Tessera", "utp"), ("libtorrent -> libtorrent", "utp")
        if a in results and b in results:
            print(f"  Tessera leecher / libtorrent leecher, from libtorrent over uTP: time "
                  f"x{results[a][0] / results[b][0]:.2f}, leecher CPU x{results[a][1] / results[b][1]:.2f}")

    # Part 2 --------------------------------------------------------------

    def part2(self):
        for tool in ("iperf3", "ping", "tc", "ip"):
            if shutil.which(tool) is None:
                raise Failure(f"{tool} is missing (Debian packages iperf3, iputils-ping, iproute2)")
        if os.geteuid() != 0:
            raise Failure("part 2 makes network namespaces and needs root")
        src, torrent, digest = self.payload(self.args.ledbat_size, "ledbat")
        print(f"\nPart 2: LEDBAT, {RATE_MBIT} Mbit/s bottleneck ({self.args.bottleneck}, {QUEUE_MS} ms queue), "
              f"{2 * ONE_WAY_MS} ms round trip; uTP alone {self.args.alone} s, then with an iperf3 TCP flow "
              f"({self.args.tcp_cc or 'system default'}) for {self.args.with_tcp} s")
        for kind in ("tessera", "libtorrent"):
            try:
                self.ledbat_run(kind, src, torrent)
            except Failure as failure:
                print(f"  {kind}: FAILED: {failure}", flush=True)

    def ledbat_run(self, kind, src, torrent):
        tag = os.getpid() % 10000
        names = (f"tsrb-a{tag}", f"tsrb-b{tag}")
        taps = (f"tsrba{tag}", f"tsrbb{tag}")
        used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
        free = [n for n in range(2, 251) if f" 10.77.{n}." not in used]
        n = random.choice(free)
        ips = (f"10.77.{n}.1", f"10.77.{n}.2")
        prefixes = [["ip", "netns", "exec", name] for name in names]

        def cleanup():
            for name in names:
                subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)

        cleanup()
        atexit.register(cleanup)
        wire = seeder = leecher = None
        try:
            for name in names:
                subprocess.run(["ip", "netns", "add", name], check=True, timeout=20)
            shaping = ["--rate-mbit", str(RATE_MBIT), "--queue-ms", str(QUEUE_MS)] \
                if self.args.bottleneck == "wire" else []
            wire = subprocess.Popen([PYTHON, WIRE, "--ns", names[0], "--tap", taps[0], "--ns", names[1],
                                     "--tap", taps[1], "--delay-ms", str(ONE_WAY_MS), *shaping],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if wire.stdout.readline().strip() != b"ready":
                raise Failure(f"the wire did not start: {wire.stderr.read1(4096)!r}")
            for side in (0, 1):
                for command in (["ip", "addr", "add", f"{ips[side]}/24", "dev", taps[side]],
                                ["ip", "link", "set", taps[side], "up"], ["ip", "link", "set", "lo", "up"]):
                    subprocess.run([*prefixes[side], *command], check=True, timeout=20)
            # Or the bottleneck on the seeder's own device, where TCP Small
            # Queues keeps a TCP flow from queueing (see the top).
            if self.args.bottleneck == "tbf":
                subprocess.run([*prefixes[0], "tc", "qdisc", "add", "dev", taps[0], "root", "tbf", "rate",
                                f"{RATE_MBIT}mbit", "burst", "32kbit", "latency", f"{QUEUE_MS}ms"], check=True,
                               timeout=20)
            idle = self.ping(prefixes[1], ips[0], 3)
            dst = tempfile.mkdtemp(prefix="dst-", dir=self.dir)
            os.chmod(dst, 0o777)
            if kind == "tessera":
                seeder = self.tessera("ns-seed", src, torrent, "utp", ips[0], prefix=prefixes[0])
                seeder.wait_for("done", self.args.timeout)
            else:
                seeder = self.libtorrent("ns-lt-seed", "seed", src, torrent, ips[0], prefix=prefixes[0])
                seeder.wait_for("ready", self.args.timeout)
            _, listening = seeder.wait_for("listening", 30)
            peer = f"{ips[0]}:{listening['port']}"
            if kind == "tessera":
                leecher = self.tessera("ns-leech", dst, torrent, "utp", ips[1], peer=peer, leech=True,
                                       prefix=prefixes[1])
            else:
                leecher = self.libtorrent("ns-lt-leech", "leech", dst, torrent, ips[1], peer=peer,
                                          prefix=prefixes[1])
            # Past the start (slow start, the first pieces).
            time.sleep(3)
            before = self.tx_bytes(prefixes[0], taps[0])
            start = time.monotonic()
            busy = self.ping(prefixes[1], ips[0], self.args.alone)
            alone = (self.tx_bytes(prefixes[0], taps[0]) - before) * 8 / (RATE_MBIT * 1e6 * (time.monotonic() - start))
            if leecher.eof or "done" in leecher.first:
                raise Failure("the download ended before the measurement did: use a larger --ledbat-size")
            port = 5201 + tag % 1000
            server = spawn([*prefixes[1], "iperf3", "-s", "-1", "-B", ips[1], "-p", port], self.log("iperf3-s"))
            time.sleep(0.5)
            before = self.tx_bytes(prefixes[0], taps[0])
            start = time.monotonic()
            congestion = ["-C", self.args.tcp_cc] if self.args.tcp_cc else []
            client = spawn([*prefixes[0], "iperf3", "-c", ips[1], "-B", ips[0], "-p", port, "-t", self.args.with_tcp,
                            "-i", "1", "-J", *congestion], self.log("iperf3-c"), stdout=subprocess.PIPE)
            out, _ = client.communicate(timeout=self.args.with_tcp + 30)
            reap(client, 5)
            elapsed = time.monotonic() - start
            total = (self.tx_bytes(prefixes[0], taps[0]) - before) * 8
            stop(server)
            report = json.loads(out)
            intervals = [i["sum"] for i in report["intervals"]]
            first5 = [i for i in intervals if i["end"] <= 5.01]
            tcp_first5 = sum(i["bytes"] for i in first5) * 8 / (RATE_MBIT * 1e6 * max(first5[-1]["end"], 1e-3))
            tcp_bits = sum(i["bytes"] for i in intervals) * 8
            utp_with_tcp = max(0.0, total - tcp_bits * 1.03) / (RATE_MBIT * 1e6 * elapsed)
            if leecher.eof or "done" in leecher.first:
                raise Failure("the download ended before the measurement did: use a larger --ledbat-size")
            added = statistics.median(busy) - statistics.median(idle)
            print(f"  {kind:10} uTP alone: {alone:.0%} of the link; ping {statistics.median(idle):.1f} ms idle, "
                  f"{statistics.median(busy):.1f} ms with uTP (+{added:.1f} ms queueing, p90 "
                  f"{sorted(busy)[int(len(busy) * 0.9)]:.1f} ms); with iperf3: TCP {tcp_first5:.0%} of the link "
                  f"in its first 5 s, uTP kept about {utp_with_tcp:.0%}", flush=True)
            if not self.args.keep:
                shutil.rmtree(dst, ignore_errors=True)
        finally:
            for process in (leecher, seeder):
                if process:
                    stop(process.process)
            if wire:
                stop(wire)
            cleanup()

    @staticmethod
    def ping(prefix, address, seconds):
        """Round trips in ms, one every 0.1 s for @seconds."""
        out = subprocess.run([*prefix, "ping", "-n", "-i", "0.1", "-w", str(seconds), address],
                             capture_output=True, text=True, timeout=seconds + 30).stdout
        times = [float(t) for t in re.findall(r"time=([\d.]+) ms", out)]
        if not times:
            raise Failure(f"no ping answered: {out[-300:]}")
        return times

    @staticmethod
    def tx_bytes(prefix, device):
        out = subprocess.run([*prefix, "ip", "-s", "-j", "link", "show", device], capture_output=True, text=True,
                             timeout=20, check=True).stdout
        return json.loads(out)[0]["stats64"]["tx"]["bytes"]

    # Part 3 --------------------------------------------------------------

    def part3(self):
        src, torrent, digest = self.payload(16 * MIB, "mixed")
        kinds = ["both", "both", "both", "both", "utp", "tcp"]
        # Each on its own loopback address, so each is one peer to the others.
        seeder = self.tessera("mixed-seed", src, torrent, "both", "127.0.0.2")
        leechers = []
        try:
            seeder.wait_for("done", self.args.timeout)
            _, listening = seeder.wait_for("listening", 30)
            addresses = [f"127.0.0.2:{listening['port']}"]
            for i, kind in enumerate(kinds):
                # Each is told of the seeder and of every leecher before it.
                dst = tempfile.mkdtemp(prefix="dst-", dir=self.dir)
                leecher = self.tessera(f"mixed-{kind}-{i}", dst, torrent, kind, f"127.0.0.{3 + i}",
                                       peer=list(addresses))
                _, event = leecher.wait_for("listening", 30)
                addresses.append(f"127.0.0.{3 + i}:{event['port']}")
                leechers.append((kind, leecher))
            for _, leecher in leechers:
                leecher.wait_for("done", self.args.timeout)
            time.sleep(2)
            counts = {"utp": 0, "tcp": 0}
            for _, leecher in leechers:
                for _, event in leecher.of("peer-connected"):
                    counts[event.get("transport", "?")] = counts.get(event.get("transport", "?"), 0) + 1
            for _, event in seeder.of("peer-connected"):
                counts[event.get("transport", "?")] = counts.get(event.get("transport", "?"), 0) + 1
            total = sum(counts.values())
            print(f"\nPart 3: mixed swarm, a seeder and {len(kinds)} leechers ({', '.join(kinds)}): "
                  f"{total} connections seen from either end, "
                  + ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in counts.items() if v))
        finally:
            for _, leecher in leechers:
                stop(leecher.process)
            stop(seeder.process)


def main():
    parser = argparse.ArgumentParser(description="uTP benchmark (see the top of utp.py)")
    parser.add_argument("--size", type=parse_size, default=GIB)
    parser.add_argument("--ledbat-size", type=parse_size, default=128 * MIB)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--parts", default="1,2,3")
    parser.add_argument("--alone", type=int, default=15, help="seconds of uTP alone in part 2")
    parser.add_argument("--with-tcp", type=int, default=15, help="seconds of the iperf3 flow in part 2")
    parser.add_argument("--bottleneck", choices=("wire", "tbf"), default="wire",
                        help="part 2: on the wire, as a router's (default), or tc tbf on the seeder's device")
    parser.add_argument("--tcp-cc", default="cubic", help="part 2: the iperf3 flow's congestion control "
                        "('' for the system's)")
    parser.add_argument("--dir")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    cli = os.environ.get("TESSERA_CLI", os.path.join(ROOT, "_build", "src", "cli", "tessera-cli"))
    if not os.access(cli, os.X_OK):
        sys.exit(f"no tessera-cli at {cli}: build first or set TESSERA_CLI")
    made = args.dir is None
    args.dir = args.dir or tempfile.mkdtemp(prefix="tsr-utp-bench-")
    os.chmod(args.dir, 0o755)
    atexit.register(stop_all)
    bench = Bench(args, cli)
    parts = {int(p) for p in args.parts.split(",")}
    print(f"uTP benchmark, logs in {bench.logs}", flush=True)
    try:
        if 1 in parts:
            bench.part1()
        if 2 in parts:
            try:
                bench.part2()
            except Failure as failure:
                print(f"Part 2: FAILED: {failure}")
        if 3 in parts:
            bench.part3()
    finally:
        stop_all()
        if made and not args.keep:
            shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--lt-seed", "--lt-leech"):
        lt_main(sys.argv[1][len("--lt-"):], sys.argv[2:])
    else:
        main()
