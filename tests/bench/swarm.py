#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): `tessera-cli peer` moving one pseudo-random file
against libtorrent 2.0 (python3-libtorrent), aria2c and transmission-daemon.

Part 1: a libtorrent seeder serves each leecher in turn: Tessera, aria2c,
        libtorrent (its own process) and Transmission.
Part 2: a Tessera seeder serves the same leechers (and Tessera); the rows
        from the libtorrent seeder are shown beside them.
Part 3: one seeder and 8 leechers of one client meeting through
        opentracker, Tessera against libtorrent: time until all 8 are done.

Each row gets fresh processes, folders and tracker; the seeder's file is read
into the page cache first. Wall time runs from starting the leecher (for
Transmission: from adding the torrent to the running daemon) until its data is
complete: Tessera's "done" event, libtorrent's finished state, aria2c's exit,
Transmission's leftUntilDone = 0. The result is then checked by SHA-256. CPU is
user+sys of the leecher process (wait4 when it exits by itself, else
/proc/PID/stat at the moment it is done), peak RSS is ru_maxrss or VmHWM
(libtorrent 2 maps its files: its RSS counts the page cache it touches).
"seeder CPU" is all the seeder process spent from its start until the leecher
was done, its check of the data included (Tessera checks it before serving,
libtorrent in seed mode hashes each piece when it first sends it).

Traffic stays on 127.0.0.1, except Transmission's (it refuses loopback
peers): it runs in a network namespace made here, joined by a veth pair with
10.77.N.1 (host side: seeder and opentracker) and 10.77.N.2 (Transmission).
Every process is stopped by PID and the namespace deleted, also on failure.
Needs root for the namespace (or --no-transmission).

Usage (repo root, after building): tests/bench/swarm.sh [--size 1g] [--runs N]
    [--parts 1,2,3] [--skip-part3] [--leechers tessera,aria2c,libtorrent,transmission]
    [--no-transmission] [--dir TMP] [--timeout S] [--keep]
TESSERA_CLI names the binary (default: _build/src/cli/tessera-cli).

Internal helper modes, one libtorrent client a process:
    swarm.py --lt-seed TORRENT FOLDER --listen ADDR
    swarm.py --lt-leech TORRENT FOLDER --listen ADDR [--peer HOST:PORT] [--stay]
They print one JSON object a line: listening, announced, ready (the seeder
takes connections), done, and totals when they stop (SIGTERM, or done)."""

import argparse
import atexit
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tsrnet import Namespace, NamespaceError  # noqa: E402

MIB = 1 << 20
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SELF = os.path.abspath(__file__)
PYTHON = "/usr/bin/python3"     # the only python with libtorrent's binding
SWARM_LEECHERS = 8


# ---------------------------------------------------------------------------
# Helper modes: a libtorrent seeder or leecher in its own process, so that its
# CPU time and memory are its own.

def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def lt_main(mode, argv):
    import libtorrent as lt

    parser = argparse.ArgumentParser(prog=f"swarm.py --lt-{mode}")
    parser.add_argument("torrent")
    parser.add_argument("folder")
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--peer", help="HOST:PORT to connect to")
    parser.add_argument("--stay", action="store_true", help="keep seeding once done")
    args = parser.parse_args(argv)

    session = lt.session({
        "listen_interfaces": f"{args.listen}:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,   # TCP only, like the others
        "allow_multiple_connections_per_ip": True,                    # everyone is on 127.0.0.1
        "alert_mask": lt.alert_category.status | lt.alert_category.tracker | lt.alert_category.error,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.folder
    if mode == "seed":
        params.flags |= lt.torrent_flags.seed_mode
    tracked = len(list(params.ti.trackers())) > 0
    handle = session.add_torrent(params)
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))

    end = time.monotonic() + 30
    while session.listen_port() == 0:
        if time.monotonic() > end:
            sys.exit("libtorrent did not open its listening socket")
        time.sleep(0.01)
    emit("listening", port=session.listen_port())

    peer = None
    if args.peer:
        host, port = args.peer.rsplit(":", 1)
        peer = (host, int(port))
        handle.connect_peer(peer)
    last_dial = time.monotonic()
    announced = not tracked
    # An auto-managed torrent starts at the session's first tick, about
    # 0.5 s in; until then connections to it are closed.
    resumed = mode != "seed"
    ready = done = False
    while not stopping:
        if session.wait_for_alert(250):
            for alert in session.pop_alerts():
                if isinstance(alert, lt.tracker_reply_alert) and not announced:
                    announced = True
                    emit("announced", peers=alert.num_peers)
                elif isinstance(alert, lt.torrent_resumed_alert):
                    resumed = True
                elif isinstance(alert, lt.tracker_error_alert):
                    emit("tracker-error", message=alert.message())
                elif isinstance(alert, lt.torrent_error_alert):
                    emit("error", message=alert.message())
        status = handle.status()
        if mode == "seed":
            if not ready and status.is_seeding and announced and resumed:
                ready = True
                emit("ready")
            continue
        if not done and (status.is_finished or status.is_seeding):
            done = True
            emit("done")
            if not args.stay:
                break
        if peer and not done and status.num_peers == 0 and time.monotonic() - last_dial > 1:
            handle.connect_peer(peer)
            last_dial = time.monotonic()
    status = handle.status()
    emit("totals", uploaded=status.total_payload_upload, downloaded=status.total_payload_download)
    # A clean stop: the disk threads write out every block before we exit.
    session.pause()
    del handle
    del session


# ---------------------------------------------------------------------------
# The benchmark's own process: spawning, watching and stopping the clients.

class Failure(Exception):
    """A row that could not be measured; its message is the reason shown."""


# No proxy may carry any of this traffic elsewhere: libcurl (transmission),
# aria2c and GIO all read these variables.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
CLEAN_ENV["no_proxy"] = "*"
LIVE = []          # every process started and not yet reaped


def spawn(args, log, stdout=None, cwd=None):
    tool = args[0]
    if shutil.which(tool) is None and not os.access(tool, os.X_OK):
        package = {"aria2c": "aria2", "opentracker": "opentracker", "transmission-daemon": "transmission-daemon",
                   "ip": "iproute2"}.get(tool, tool)
        raise Failure(f"{tool} is missing (Debian package {package})")
    with open(log, "ab") as err:
        process = subprocess.Popen([str(a) for a in args], stdin=subprocess.DEVNULL,
                                   stdout=stdout if stdout is not None else err, stderr=err,
                                   env=CLEAN_ENV, cwd=cwd)
    process.usage = None
    LIVE.append(process)
    return process


def reap(process, timeout):
    """Waits at most @timeout s for @process to exit; returns its rusage, or
    None if it is still running. Never uses Popen.poll(), which would reap
    the child and lose the rusage."""
    end = time.monotonic() + timeout
    while process.returncode is None:
        try:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        except ChildProcessError:
            process.returncode = -1
            break
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            process.usage = usage
            break
        if time.monotonic() >= end:
            return None
        time.sleep(0.005)
    if process in LIVE:
        LIVE.remove(process)
    return process.usage


def stop(process, grace=10):
    """SIGTERM by PID, then SIGKILL after @grace s."""
    if process.returncode is None:
        try:
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if reap(process, grace) is None and process.returncode is None:
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            reap(process, 10)
    if process in LIVE:
        LIVE.remove(process)


def stop_all():
    for process in list(reversed(LIVE)):
        stop(process, grace=5)


def proc_usage(pid):
    """(user+sys CPU seconds, peak RSS in KiB) of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rfind(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    peak = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return cpu, peak


def tail(path, size=400):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            text = f.read().decode(errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-4:])


class Events:
    """A child printing one JSON object a line; a thread reads them and
    stamps each with the time it arrived."""

    def __init__(self, name, args, log):
        self.name = name
        self.log = log
        self.events = []
        self.first = {}
        self.eof = False
        self.port = None
        self.condition = threading.Condition()
        self.started = time.monotonic()
        self.process = spawn(args, log, stdout=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        # The events are kept beside the log, each with its time since start.
        record = open(self.log[:-len(".log")] + ".events", "w")
        for line in self.process.stdout:
            stamp = time.monotonic()
            record.write(f"{stamp - self.started:.3f} {line.decode(errors='replace')}")
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.condition:
                self.events.append((stamp, event))
                self.first.setdefault(event.get("event"), (stamp, event))
                self.condition.notify_all()
        self.process.stdout.close()    # here, not in stop(): this thread reads it
        record.close()
        with self.condition:
            self.eof = True
            self.condition.notify_all()

    def wait_for(self, name, timeout):
        """(arrival time, event) of the first @name event, seen before or now."""
        end = time.monotonic() + timeout
        with self.condition:
            while name not in self.first:
                if self.eof:
                    raise Failure(f"{self.name} exited before {name!r}: {tail(self.log)}")
                left = end - time.monotonic()
                if left <= 0:
                    raise Failure(f"{self.name}: no {name!r} within {timeout:.0f} s{self.progress()}")
                self.condition.wait(min(left, 1.0))
            return self.first[name]

    def wait_eof(self, timeout):
        """True once the child closed its output (it exited), within @timeout s."""
        end = time.monotonic() + timeout
        with self.condition:
            while not self.eof and time.monotonic() < end:
                self.condition.wait(max(0.01, min(1.0, end - time.monotonic())))
            return self.eof

    def progress(self):
        pieces = [s for s, e in self.events if e.get("event") == "piece-verified"]
        if not pieces:
            return ""
        return f" ({len(pieces)} pieces verified, the last {time.monotonic() - pieces[-1]:.1f} s ago)"

    def of(self, name):
        return [(s, e) for s, e in list(self.events) if e.get("event") == name]


def free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def wait_listening(process, address, port, timeout, what):
    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            pass
        if reap(process, 0) is not None or process.returncode is not None:
            raise Failure(f"{what} exited at start")
        if time.monotonic() > end:
            raise Failure(f"{what} did not listen on {address}:{port} within {timeout} s")
        time.sleep(0.05)


class Tracker:
    """opentracker on @address with a whitelist holding our info hash."""

    def __init__(self, folder, info_hash, address, log):
        os.makedirs(folder, exist_ok=True)
        os.chmod(folder, 0o755)       # it drops to "nobody" and must read the list
        whitelist = os.path.join(folder, "whitelist")
        with open(whitelist, "w") as f:
            f.write(info_hash + "\n")
        os.chmod(whitelist, 0o644)
        self.port = free_port(address)
        self.process = spawn(["opentracker", "-i", address, "-p", self.port, "-P", self.port,
                              "-w", whitelist], log, cwd=folder)
        wait_listening(self.process, address, self.port, 10, "opentracker")
        self.url = f"http://{address}:{self.port}/announce"


class Transmission:
    """transmission-daemon in the namespace, driven over its RPC at
    10.77.N.2:9091 (never through a proxy)."""

    def __init__(self, ns, folder, download, log):
        config = os.path.join(folder, "transmission")
        os.makedirs(config, exist_ok=True)
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False, "rpc-authentication-required": False,
            "rpc-whitelist-enabled": False, "rpc-host-whitelist-enabled": False,
            "rpc-bind-address": ns.ns_ip, "rpc-port": 9091, "peer-port": 51413, "peer-port-random-on-start": False,
            "bind-address-ipv4": ns.ns_ip, "download-dir": download, "incomplete-dir-enabled": False,
            "rename-partial-files": False, "start-added-torrents": True, "blocklist-enabled": False,
            "speed-limit-up-enabled": False, "speed-limit-down-enabled": False, "alt-speed-enabled": False,
        }
        with open(os.path.join(config, "settings.json"), "w") as f:
            json.dump(settings, f)
        self.url = f"http://{ns.ns_ip}:9091/transmission/rpc"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.session_id = ""
        # `ip netns exec` execs the command: the PID is transmission-daemon's.
        self.process = spawn(["ip", "netns", "exec", ns.name, "transmission-daemon", "-f", "-g", config], log)
        end = time.monotonic() + 30
        while True:
            try:
                self.rpc("session-get")
                break
            except (OSError, Failure):
                if reap(self.process, 0) is not None or self.process.returncode is not None:
                    raise Failure(f"transmission-daemon exited at start: {tail(log)}")
                if time.monotonic() > end:
                    raise Failure("transmission-daemon's RPC did not answer within 30 s")
                time.sleep(0.2)

    def rpc(self, method, **arguments):
        body = json.dumps({"method": method, "arguments": arguments}).encode()
        for _ in range(3):
            request = urllib.request.Request(self.url, body, {"X-Transmission-Session-Id": self.session_id,
                                                              "Content-Type": "application/json"})
            try:
                with self.opener.open(request, timeout=10) as reply:
                    answer = json.load(reply)
            except urllib.error.HTTPError as error:
                if error.code == 409:   # the first call learns the session id
                    self.session_id = error.headers.get("X-Transmission-Session-Id", "")
                    continue
                raise
            if answer.get("result") != "success":
                raise Failure(f"transmission {method}: {answer.get('result')}")
            return answer.get("arguments", {})
        raise Failure("transmission RPC: no session id")


class Result:
    def __init__(self, leecher, seeder, wall=None, cpu=None, rss=None, seed_cpu=None, error=None, notes=None,
                 copies=1):
        self.leecher = leecher
        self.seeder = seeder
        self.wall = wall           # seconds
        self.cpu = cpu             # leecher user+sys seconds
        self.rss = rss             # leecher peak RSS, KiB
        self.seed_cpu = seed_cpu   # seeder user+sys seconds, from its start until the leecher was done
        self.error = error
        self.notes = notes or []
        self.copies = copies       # copies of the payload moved: MB/s counts them all
        self.walls = []


def parse_size(text):
    units = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": MIB, "mib": MIB, "g": 1 << 30, "gib": 1 << 30}
    text = text.strip().lower()
    number = text.rstrip("kmgib")
    unit = text[len(number):]
    if not number or unit not in units:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (like 256m, 1g)")
    size = int(float(number) * units[unit])
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(8 * MIB)
            if not block:
                return digest.hexdigest()
            digest.update(block)


def warm(path):
    """Reads the file once so that every seeder serves it from the page cache."""
    with open(path, "rb") as f:
        while f.read(8 * MIB):
            pass


def sync():
    # Writes of the previous row must not land in this one's time.
    subprocess.run(["sync"], timeout=600)


def usage_of(rusage):
    return rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss


class Bench:
    def __init__(self, args, cli):
        self.args = args
        self.cli = cli
        self.size = args.size
        # TCP only, like the others (libtorrent here has uTP off, aria2c and
        # Transmission's namespace speak TCP): Tessera would otherwise carry
        # part 3's swarm of Tessera peers over uTP, which tests/bench/utp.sh
        # measures. --tessera-utp keeps Tessera's default (uTP first).
        # A binary from before uTP has no --no-utp and needs none.
        help_text = subprocess.run([cli, "peer", "--help"], capture_output=True, text=True, timeout=60,
                                   env=CLEAN_ENV).stdout
        self.transport = [] if args.tessera_utp or "--no-utp" not in help_text else ["--no-utp"]
        mib = self.size / MIB
        self.deadline = args.timeout or 60 + 0.5 * mib    # Transmission once took 48 s a GiB
        self.check_deadline = 60 + 0.1 * mib
        self.work = tempfile.mkdtemp(prefix="tsr-swarm-", dir=args.dir)
        os.chmod(self.work, 0o755)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.src = os.path.join(self.work, "src")
        os.makedirs(self.src)
        self.ns = None
        self.results = {}
        self.failed = False

    # -- setup --------------------------------------------------------------

    def make_payload(self):
        self.payload = os.path.join(self.src, "payload.bin")
        digest = hashlib.sha256()
        written = counter = 0
        with open(self.payload, "wb") as f:
            while written < self.size:
                block = hashlib.shake_256(b"tsr-swarm-%d" % counter).digest(min(MIB, self.size - written))
                f.write(block)
                digest.update(block)
                written += len(block)
                counter += 1
        self.sha256 = digest.hexdigest()
        self.torrent = os.path.join(self.work, "payload.torrent")
        self.create(self.torrent)
        show = subprocess.run([self.cli, "show", "--json", self.torrent], capture_output=True, timeout=60,
                              check=True, env=CLEAN_ENV)
        self.info_hash = json.loads(show.stdout)["info_hash"]

    def create(self, output, tracker=None):
        args = [self.cli, "create", "-q", "-p", "1m", "-o", output]
        if tracker:
            args += ["-t", tracker]
        result = subprocess.run(args + [self.payload], capture_output=True, timeout=600, env=CLEAN_ENV)
        if result.returncode != 0:
            raise Failure(f"tessera-cli create failed: {result.stderr.decode(errors='replace').strip()}")
        os.chmod(output, 0o644)

    def namespace(self):
        if self.ns is None:
            try:
                self.ns = Namespace(prefix="tsrb")
            except NamespaceError as e:
                raise Failure(str(e)) from e
        return self.ns

    def log(self, run, what):
        return os.path.join(self.logs, f"{os.path.basename(run)}-{what}.log")

    # -- the two seeders ----------------------------------------------------

    def start_seeder(self, seeder, torrent, host, tracked, run):
        if seeder == "libtorrent":
            seed = Events("libtorrent seeder", [PYTHON, SELF, "--lt-seed", torrent, self.src, "--listen", host],
                          self.log(run, "seeder"))
            seed.port = seed.wait_for("listening", 30)[1]["port"]
            seed.wait_for("ready", 60)
        else:
            args = [self.cli, "peer", "-d", self.src, "-p", "0", "--state", os.path.join(run, "state-seeder"),
                    "--json-events"] + self.transport
            if not tracked:
                args.append("--no-tracker")
            seed = Events("tessera seeder", args + [torrent], self.log(run, "seeder"))
            seed.port = seed.wait_for("listening", 30)[1]["port"]
            seed.wait_for("done", self.check_deadline)        # its data checked
            if tracked:
                seed.wait_for("tracker-reply", 30)
        return seed

    # -- the four leechers: each returns (wall, cpu, rss, seeder cpu, notes) --

    def leech_tessera(self, seed, host, torrent, dst, run, tracked):
        args = [self.cli, "peer", "-d", dst, "-p", "0", "--state", os.path.join(run, "state-leecher"),
                "--json-events", "--exit-when-done"] + self.transport
        if not tracked:
            args += ["--no-tracker", "--peer", f"{host}:{seed.port}"]
        start = time.monotonic()
        peer = Events("tessera leecher", args + [torrent], self.log(run, "leecher"))
        stamp, _ = peer.wait_for("done", self.deadline)
        seed_cpu = proc_usage(seed.process.pid)[0]
        notes = tessera_timeline(peer, start, stamp)
        rusage = reap(peer.process, 60)
        if rusage is None:
            notes.append("did not exit within 60 s of done")
            cpu, rss = proc_usage(peer.process.pid)
        else:
            cpu, rss = usage_of(rusage)
            if peer.process.returncode != 0:
                notes.append(f"exit status {peer.process.returncode}")
        stop(peer.process)
        return stamp - start, cpu, rss, seed_cpu, notes

    def leech_libtorrent(self, seed, host, torrent, dst, run, tracked):
        args = [PYTHON, SELF, "--lt-leech", torrent, dst, "--listen", "127.0.0.1"]
        if not tracked:
            args += ["--peer", f"{host}:{seed.port}"]
        start = time.monotonic()
        peer = Events("libtorrent leecher", args, self.log(run, "leecher"))
        stamp, _ = peer.wait_for("done", self.deadline)
        seed_cpu = proc_usage(seed.process.pid)[0]
        notes = []
        rusage = reap(peer.process, 60)
        if rusage is None:
            notes.append("did not exit within 60 s of done")
            cpu, rss = proc_usage(peer.process.pid)
        else:
            cpu, rss = usage_of(rusage)
        stop(peer.process)
        return stamp - start, cpu, rss, seed_cpu, notes

    def leech_aria2c(self, seed, host, torrent, dst, run, tracked):
        assert tracked, "aria2c cannot be told a peer: it needs the tracker"
        args = ["aria2c", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                "--enable-peer-exchange=false", f"--listen-port={free_port('127.0.0.1')}", "--seed-time=0",
                "--allow-overwrite=true", "--file-allocation=none", "--show-console-readout=false",
                "--summary-interval=0", "--console-log-level=error", "--download-result=hide", "-d", dst, torrent]
        start = time.monotonic()
        process = spawn(args, self.log(run, "leecher"))
        rusage = reap(process, self.deadline)
        wall = time.monotonic() - start
        seed_cpu = proc_usage(seed.process.pid)[0]
        if rusage is None:
            stop(process)
            raise Failure(f"aria2c did not finish within {self.deadline:.0f} s")
        if process.returncode != 0:
            raise Failure(f"aria2c exit status {process.returncode}: {tail(self.log(run, 'leecher'))}")
        cpu, rss = usage_of(rusage)
        return wall, cpu, rss, seed_cpu, []

    def leech_transmission(self, seed, host, torrent, dst, run, tracked):
        assert tracked
        daemon = Transmission(self.namespace(), run, dst, self.log(run, "leecher"))
        try:
            fields = ["leftUntilDone", "sizeWhenDone", "status", "error", "errorString", "percentDone"]
            start = time.monotonic()
            daemon.rpc("torrent-add", filename=torrent, **{"download-dir": dst})
            last = None
            while True:
                torrents = daemon.rpc("torrent-get", fields=fields)["torrents"]
                if torrents:
                    last = torrents[0]
                    if last["sizeWhenDone"] > 0 and last["leftUntilDone"] == 0 and last["status"] not in (1, 2):
                        break
                    if last["error"] == 3:      # a local error: it will not go on
                        raise Failure(f"transmission: {last['errorString']}")
                if time.monotonic() - start > self.deadline:
                    got = f"{last['percentDone']:.1%}" if last else "nothing"
                    raise Failure(f"transmission not done within {self.deadline:.0f} s ({got})")
                time.sleep(0.25)
            wall = time.monotonic() - start
            seed_cpu = proc_usage(seed.process.pid)[0]
            with open(f"/proc/{daemon.process.pid}/comm") as f:
                comm = f.read().strip()
            if not comm.startswith("transmission"):
                raise Failure(f"PID {daemon.process.pid} is {comm!r}, not transmission-daemon")
            cpu, rss = proc_usage(daemon.process.pid)
        finally:
            stop(daemon.process)    # flushes its cache before the data is checked
        return wall, cpu, rss, seed_cpu, []

    # -- one row, one run ---------------------------------------------------

    def measure_pair(self, leecher, seeder, run):
        tracked = leecher in ("aria2c", "transmission")
        host = self.namespace().host_ip if leecher == "transmission" else "127.0.0.1"
        started = []
        try:
            torrent = self.torrent
            if tracked:
                tracker = Tracker(os.path.join(run, "tracker"), self.info_hash, host, self.log(run, "tracker"))
                started.append(tracker.process)
                # The announce URL is outside the info dictionary: same info hash.
                torrent = os.path.join(run, "tracked.torrent")
                self.create(torrent, tracker.url)
            warm(self.payload)
            seed = self.start_seeder(seeder, torrent, host, tracked, run)
            started.append(seed.process)
            dst = os.path.join(run, "dst")
            os.makedirs(dst)
            os.chmod(dst, 0o777)
            function = getattr(self, "leech_" + leecher)
            wall, cpu, rss, seed_cpu, notes = function(seed, host, torrent, dst, run, tracked)
            for process in reversed(started):
                stop(process)
            got = os.path.join(dst, "payload.bin")
            if not os.path.exists(got):
                raise Failure("no data where it should be")
            if os.path.getsize(got) != self.size or file_sha256(got) != self.sha256:
                raise Failure("the data differs from the source (SHA-256)")
            return Result(leecher, seeder, wall, cpu, rss, seed_cpu, notes=notes)
        finally:
            for process in reversed(started):
                stop(process)

    def measure_swarm(self, client, run):
        started = []
        leechers = []
        try:
            tracker = Tracker(os.path.join(run, "tracker"), self.info_hash, "127.0.0.1", self.log(run, "tracker"))
            started.append(tracker.process)
            torrent = os.path.join(run, "tracked.torrent")
            self.create(torrent, tracker.url)
            warm(self.payload)
            seed = self.start_seeder(client, torrent, "127.0.0.1", True, run)
            started.append(seed.process)
            dsts = []
            start = time.monotonic()
            for i in range(SWARM_LEECHERS):
                dst = os.path.join(run, f"dst{i}")
                os.makedirs(dst)
                dsts.append(dst)
                if client == "tessera":
                    # No --exit-when-done: a finished leecher goes on seeding to the others.
                    args = [self.cli, "peer", "-d", dst, "-p", "0", "--state", os.path.join(run, f"state{i}"),
                            "--json-events"] + self.transport + [torrent]
                else:
                    args = [PYTHON, SELF, "--lt-leech", torrent, dst, "--listen", "127.0.0.1", "--stay"]
                peer = Events(f"{client} leecher {i}", args, self.log(run, f"leecher{i}"))
                leechers.append(peer)
                started.append(peer.process)
            end = start + 2 * self.deadline
            stamps = [peer.wait_for("done", max(1.0, end - time.monotonic()))[0] for peer in leechers]
            wall = max(stamps) - start
            usages = [proc_usage(peer.process.pid) for peer in leechers]
            seed_cpu = proc_usage(seed.process.pid)[0]
            for process in reversed(started):
                stop(process)
            seed.wait_eof(15)     # its last words: the totals
            totals = seed.first.get("totals", (None, None))[1]
            for dst in dsts:
                got = os.path.join(dst, "payload.bin")
                if not os.path.exists(got) or os.path.getsize(got) != self.size or file_sha256(got) != self.sha256:
                    raise Failure(f"{dst}: the data differs from the source (SHA-256)")
            notes = [f"first leecher done at {min(stamps) - start:.2f} s, median {statistics.median(stamps) - start:.2f} s"]
            if totals:
                notes.append(f"the seeder sent {totals['uploaded'] / self.size:.2f} copies")
            if client == "tessera":
                for i, peer in enumerate(leechers):
                    gaps = tessera_timeline(peer, start, stamps[i], brief=True)
                    if gaps:
                        notes.append(f"leecher {i}: " + "; ".join(gaps))
            return Result(f"{SWARM_LEECHERS}x {client}", client, wall, sum(u[0] for u in usages),
                          max(u[1] for u in usages), seed_cpu, notes=notes, copies=SWARM_LEECHERS)
        finally:
            for process in reversed(started):
                stop(process)

    # -- medians over --runs ------------------------------------------------

    def row(self, key, label, function):
        if key in self.results:
            return self.results[key]
        runs = []
        for i in range(self.args.runs):
            run = os.path.join(self.work, f"{label}-{i + 1}")
            os.makedirs(run)
            os.chmod(run, 0o755)
            sync()
            print(f"  {label.replace('--', ' <- ')}, run {i + 1} of {self.args.runs} ...", end="", file=sys.stderr,
                  flush=True)
            try:
                result = function(run)
                print(f" {result.wall:.2f} s", file=sys.stderr, flush=True)
            except Exception as error:   # one reference failing must not stop the rest
                reason = str(error) if isinstance(error, Failure) else f"{type(error).__name__}: {error}"
                result = Result(key[0], key[1], error=reason)
                print(f" FAILED: {reason}", file=sys.stderr, flush=True)
                self.failed = True
            finally:
                stop_all()
                shutil.rmtree(run, ignore_errors=True)   # the data; the logs are elsewhere
            runs.append(result)
        good = [r for r in runs if not r.error]
        if not good:
            final = runs[0]
        else:
            final = sorted(good, key=lambda r: r.wall)[(len(good) - 1) // 2]   # its notes
            final = Result(final.leecher, final.seeder,
                           statistics.median(r.wall for r in good), statistics.median(r.cpu for r in good),
                           statistics.median(r.rss for r in good), statistics.median(r.seed_cpu for r in good),
                           notes=final.notes, copies=final.copies)
            final.walls = [r.wall for r in good]
            if len(good) < len(runs):
                final.notes.append(f"{len(runs) - len(good)} of {len(runs)} runs failed: "
                                   + next(r.error for r in runs if r.error))
        self.results[key] = final
        return final

    def pair(self, leecher, seeder):
        return self.row((leecher, seeder), f"{leecher}--{seeder}",
                        lambda run: self.measure_pair(leecher, seeder, run))

    def swarm(self, client):
        return self.row((f"{SWARM_LEECHERS}x {client}", client), f"swarm-{client}",
                        lambda run: self.measure_swarm(client, run))


def tessera_timeline(peer, start, done, brief=False):
    """Where a Tessera download spent its time, from its events."""
    pieces = sorted(s for s, e in peer.of("piece-verified"))
    notes = []
    if not pieces:
        return notes
    gaps = [b - a for a, b in zip(pieces, pieces[1:])]
    longest = max(gaps) if gaps else 0.0
    connected = peer.of("peer-connected")
    if not brief:
        first_peer = f"peer at {connected[0][0] - start:.2f} s, " if connected else ""
        notes.append(f"{first_peer}first piece {pieces[0] - start:.2f} s, longest gap between pieces "
                     f"{longest:.2f} s, last piece to done {done - pieces[-1]:.2f} s")
    elif longest > 1.0:
        notes.append(f"longest gap between pieces {longest:.2f} s")
    trouble = {}
    for _, event in peer.events:
        name = event.get("event")
        if name in ("error", "hash-failed", "peer-banned", "tracker-error"):
            trouble[name] = trouble.get(name, 0) + 1
    if trouble:
        notes.append(", ".join(f"{n} {k} events" for k, n in trouble.items()))
    return notes


# ---------------------------------------------------------------------------
# The report.

def fmt(value, pattern):
    return "-" if value is None else pattern % value


def print_table(bench, keys, title):
    print()
    print(title)
    print(f"{'leecher':<16} {'seeder':<12} {'wall s':>8} {'MB/s':>8} {'CPU s':>7} {'peak RSS MiB':>13} "
          f"{'seeder CPU s':>13}")
    for key in keys:
        r = bench.results.get(key)
        if r is None:
            continue
        if r.error:
            print(f"{r.leecher:<16} {r.seeder:<12} FAILED: {r.error}")
            continue
        rate = r.copies * bench.size / r.wall / 1e6
        print(f"{r.leecher:<16} {r.seeder:<12} {r.wall:8.2f} {rate:8.1f} {r.cpu:7.2f} {r.rss / 1024:13.1f} "
              f"{fmt(r.seed_cpu, '%13.2f')}")
    for key in keys:
        r = bench.results.get(key)
        if r is not None and not r.error and (r.notes or len(r.walls) > 1):
            runs = f"runs: {', '.join(f'{w:.2f}' for w in r.walls)} s; " if len(r.walls) > 1 else ""
            print(f"  {r.leecher} <- {r.seeder}: {runs}{'; '.join(r.notes)}")


def ok(bench, key):
    r = bench.results.get(key)
    return r if r is not None and not r.error else None


def ratio_line(label, ours, theirs, what="wall"):
    if ours is None or theirs is None:
        print(f"  {label}: n/a (a row failed or was not run)")
        return
    a, b = getattr(ours, what), getattr(theirs, what)
    print(f"  {label}: {a:.2f} / {b:.2f} = {a / b:.2f}")


def print_ratios(bench, parts, leechers):
    print()
    print("Ratios (below 1.00: Tessera is faster or cheaper)")
    if 1 in parts:
        ours = ok(bench, ("tessera", "libtorrent"))
        refs = [ok(bench, (name, "libtorrent")) for name in leechers if name != "tessera"]
        refs = [r for r in refs if r]
        best = min(refs, key=lambda r: r.wall) if refs else None
        ratio_line(f"leecher wall, Tessera / best reference ({best.leecher if best else '-'})", ours, best)
        ratio_line("leecher CPU, Tessera / libtorrent", ours, ok(bench, ("libtorrent", "libtorrent")), "cpu")
    if 2 in parts:
        for name in leechers:
            if name == "tessera":
                continue
            ours, theirs = ok(bench, (name, "tessera")), ok(bench, (name, "libtorrent"))
            ratio_line(f"{name} leecher wall, Tessera seeder / libtorrent seeder", ours, theirs)
            ratio_line(f"seeder CPU for {name}, Tessera / libtorrent", ours, theirs, "seed_cpu")
        ratio_line("Tessera to Tessera wall / libtorrent to libtorrent", ok(bench, ("tessera", "tessera")),
                   ok(bench, ("libtorrent", "libtorrent")))
    if 3 in parts:
        key = lambda c: (f"{SWARM_LEECHERS}x {c}", c)   # noqa: E731
        ratio_line("swarm wall, Tessera / libtorrent", ok(bench, key("tessera")), ok(bench, key("libtorrent")))
        ratio_line("swarm leechers' CPU, Tessera / libtorrent", ok(bench, key("tessera")),
                   ok(bench, key("libtorrent")), "cpu")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="payload size, like 256m or 1g (1g)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each row; the median is shown (1)")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run, like 1,2 (1,2,3)")
    parser.add_argument("--skip-part3", action="store_true", help="leave out the 8-leecher swarm")
    parser.add_argument("--no-transmission", action="store_true", help="leave out Transmission (no root needed)")
    parser.add_argument("--leechers", default="tessera,aria2c,libtorrent,transmission",
                        help="the leechers of parts 1 and 2, like transmission or tessera,aria2c (all four)")
    parser.add_argument("--dir", default="/tmp", help="where the temporary folder goes (/tmp)")
    parser.add_argument("--timeout", type=float, default=0, help="seconds allowed for one download "
                        "(default: 60 + 0.5 per MiB)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--tessera-utp", action="store_true", help="let Tessera dial uTP first, its default "
                        "(without it Tessera runs TCP only, like the other clients here)")
    args = parser.parse_args()
    try:
        parts = sorted({int(p) for p in args.parts.split(",") if p.strip()})
    except ValueError:
        parser.error(f"--parts: not a list of part numbers: {args.parts!r}")
    if args.skip_part3 and 3 in parts:
        parts.remove(3)
    if not parts or any(p not in (1, 2, 3) for p in parts):
        parser.error("--parts takes numbers from 1 to 3")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    cli = os.environ.get("TESSERA_CLI") or os.path.join(ROOT, "_build", "src", "cli", "tessera-cli")
    if not os.access(cli, os.X_OK):
        sys.exit(f"swarm.py: {cli} is missing: build first (meson setup _build && ninja -C _build) "
                 "or set TESSERA_CLI")
    cli = os.path.abspath(cli)
    if subprocess.run([PYTHON, "-c", "import libtorrent"], capture_output=True, timeout=60).returncode != 0:
        sys.exit(f"swarm.py: python3-libtorrent is missing for {PYTHON} (Debian package python3-libtorrent)")
    every = ["tessera", "aria2c", "libtorrent", "transmission"]
    wanted = {name.strip() for name in args.leechers.split(",") if name.strip()}
    if not wanted or wanted - set(every):
        parser.error(f"--leechers takes some of {','.join(every)}")
    leechers = [name for name in every if name in wanted]
    if args.no_transmission and "transmission" in leechers:
        leechers.remove("transmission")
    elif os.geteuid() != 0 and "transmission" in leechers and (1 in parts or 2 in parts):
        sys.exit("swarm.py: Transmission runs in a network namespace, which needs root; "
                 "run as root or pass --no-transmission")
    if not os.path.isdir(args.dir):
        sys.exit(f"swarm.py: --dir {args.dir} is not a folder")

    # SIGTERM and SIGHUP unwind like ^C: every finally stops what it started.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
    atexit.register(stop_all)

    bench = Bench(args, cli)
    try:
        version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30).stdout
        version = (version.strip().splitlines() or ["tessera-cli"])[0]
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                     "?")
        print(f"{version} ({cli})")
        print("Tessera's transports: " + ("its default, uTP first then TCP" if args.tessera_utp else
                                          "TCP only (--no-utp where the binary has it), like the others"))
        print(f"CPU: {model}, {os.cpu_count()} cores; payload {bench.size / MIB:.0f} MiB, 1 MiB pieces; "
              f"median of {args.runs} run(s); parts {','.join(map(str, parts))}")
        # Other work on the machine skews every row: say how busy it was.
        print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
        print("making the payload and its torrent ...", file=sys.stderr, flush=True)
        bench.make_payload()

        if 1 in parts:
            print("part 1: a libtorrent seeder", file=sys.stderr, flush=True)
            for name in leechers:
                bench.pair(name, "libtorrent")
        if 2 in parts:
            print("part 2: a Tessera seeder", file=sys.stderr, flush=True)
            for name in ["libtorrent", "aria2c", "transmission", "tessera"]:
                if name in leechers:
                    bench.pair(name, "tessera")
            for name in leechers:                  # the comparison rows, if part 1 did not run
                if name != "tessera":
                    bench.pair(name, "libtorrent")
        if 3 in parts:
            print(f"part 3: 1 seeder + {SWARM_LEECHERS} leechers through opentracker", file=sys.stderr, flush=True)
            bench.swarm("tessera")
            bench.swarm("libtorrent")

        if 1 in parts:
            print_table(bench, [(name, "libtorrent") for name in leechers],
                        "Part 1: one libtorrent seeder, one leecher at a time")
        if 2 in parts:
            keys = []
            for name in leechers:
                keys += [(name, "tessera"), (name, "libtorrent")] if name != "tessera" else [(name, "tessera")]
            print_table(bench, keys, "Part 2: Tessera seeding, beside the libtorrent seeder")
        if 3 in parts:
            print_table(bench, [(f"{SWARM_LEECHERS}x {c}", c) for c in ("tessera", "libtorrent")],
                        f"Part 3: 1 seeder + {SWARM_LEECHERS} leechers of one client (MB/s: all {SWARM_LEECHERS} "
                        "copies; CPU: sum of the leechers; RSS: the largest)")
        print_ratios(bench, parts, leechers)
        print()
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        print("MB/s = 10^6 bytes of payload per second of wall time. CPU = user+sys of the leecher process.")
        if "transmission" in leechers and (1 in parts or 2 in parts):
            print("Transmission runs in its own network namespace over a veth pair, the others on 127.0.0.1.")
    finally:
        stop_all()
        if bench.ns is not None:
            bench.ns.cleanup()
        if args.keep:
            print(f"kept {bench.work}", file=sys.stderr)
        elif bench.failed:
            shutil.rmtree(bench.src, ignore_errors=True)
            print(f"logs of the failed rows kept in {bench.logs}", file=sys.stderr)
        else:
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--lt-seed", "--lt-leech"):
        lt_main(sys.argv[1][len("--lt-"):], sys.argv[2:])
    else:
        main()
