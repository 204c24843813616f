#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): the limits of one session, for `tessera-cli peer`,
transmission-daemon 3.00 and libtorrent 2.0 (python3-libtorrent, in a child
process of its own so that its memory is its own).

Part 1, torrents: N (5000) distinct single-file torrents made here (1 MiB in
        4 pieces of random hashes, no tracker, no data on disk) are loaded
        into one client as idle downloads with no peers. RSS (VmRSS) with 1
        torrent and with N, each after --settle s (10) of quiet; memory per
        idle torrent = (RSS_N - RSS_1) / (N - 1); load time = from the start
        of the N-load (Tessera: the process start; the others: the first add
        after the first torrent) until every torrent is downloading.
        Tessera: one process per count, every torrent on its command line;
        Transmission: torrent-add over its RPC (metainfo in base64, one HTTP
        connection); libtorrent: async_add_torrent. The last two load 1
        torrent, are measured, then get the N - 1 others.
Part 2, connections: one client seeds one torrent of 4 MiB of real data; a
        load generator (this script in another process, asyncio) opens C
        (2000) connections to it, each from its own source address, at most
        --burst (64) of them in their handshake at a time (connect and reply
        each allowed 15 s). Each sends a BEP 3 handshake for the torrent
        with its own peer id (reserved bits all zero: no extensions), reads
        the client's handshake and what follows (bitfield), and then only
        sends a keep-alive every 60 s. RSS before the
        connections (after --settle s) and once every connection attempt
        ended and --settle s passed; a connection is kept if the client
        answered its handshake and had not closed it by then. Memory per
        connection = (after - before) / kept. The client's own count is
        shown beside it (Tessera: peer-connected minus peer-gone events;
        Transmission: peersConnected; libtorrent: num_peers).
        Limits are raised to C + 50 (Tessera: --max-peers, --max-accepted,
        --max-connections; Transmission: peer-limit-global and
        peer-limit-per-torrent; libtorrent: connections_limit and the
        torrent's max_connections, to 2 C + 50 as it took only about two
        thirds of its limit in incoming peers here, and
        allow_multiple_connections_per_ip), and the listen backlog of
        libtorrent from its 5 to 128, like Tessera's. Transmission 3.00
        lowers its own open-file limit to 1024 (FD_SETSIZE) and so keeps
        about 1000; it also closes peers idle for 1 to 5 minutes.

Addresses: Tessera and libtorrent listen on 127.0.0.1 and the generator's
connections come from 127.3.X.Y. Transmission refuses loopback peers and
takes one peer per address, so it runs in a network namespace made here (a
veth pair, 10.77.N.1 host side, 10.77.N.2 inside); the generator's sources
for it are 10.B.X.Y, a free /16 made local to the host by a route on the
host end of the veth (which goes when the veth is deleted) and routed back
from the namespace through 10.77.N.1. Nothing else is ever a target. Every
process is stopped by PID and the namespace deleted, also on failure.
Needs root for the namespace.

Usage (repo root, after building): tests/bench/limits.sh [--torrents N]
    [--connections C] [--only tessera,transmission,libtorrent] [--parts 1,2]
    [--settle S] [--dir TMP] [--timeout S] [--keep]
TESSERA_CLI names the binary (default: _build/src/cli/tessera-cli).

Internal helper modes, each one process printing a JSON object a line:
    limits.py --lt-load LISTFILE FOLDER     libtorrent, part 1: adds the
        first torrent, then the others when "more" comes on stdin
    limits.py --lt-seed TORRENT FOLDER --max M   libtorrent, part 2
    limits.py --load-gen HOST PORT INFOHASH COUNT SOURCES BURST   the
        generator; SOURCES is the first two octets of its source addresses"""

import argparse
import asyncio
import atexit
import base64
import hashlib
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from tsrnet import Namespace, NamespaceError  # noqa: E402
from tsrtest import bencode  # noqa: E402

KIB = 1 << 10
MIB = 1 << 20
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SELF = os.path.abspath(__file__)
PYTHON = "/usr/bin/python3"     # the only python with libtorrent's binding
CLIENTS = ["tessera", "transmission", "libtorrent"]
HEADROOM = 50                   # limits are set to C + this
BURST = 64                      # the generator's connections in their handshake at once (--burst)
HANDSHAKE_TIMEOUT = 15          # seconds for the connect, and again for the reply
KEEPALIVE = 60                  # seconds between the generator's keep-alives
TRANSMISSION_RPC_PORT = 9091
TRANSMISSION_PEER_PORT = 51413


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


# ---------------------------------------------------------------------------
# Bencoding and the torrents, made here.

def write_torrent(path, info):
    """Writes a trackerless torrent; returns its info hash (20 bytes)."""
    with open(path, "wb") as f:
        f.write(bencode({"info": info, "created by": "tessera tests/bench/limits.py"}))
    return hashlib.sha1(bencode(info)).digest()


def make_idle_torrents(folder, count):
    """@count torrents of one 1 MiB file in 4 pieces whose hashes are random:
    nothing on any disk matches them. Returns (relative names, hex hashes)."""
    os.makedirs(folder, exist_ok=True)
    names, hashes = [], []
    for i in range(count):
        info = {"name": f"idle-{i:05d}.bin", "length": MIB, "piece length": 256 * KIB,
                "pieces": os.urandom(4 * 20)}
        name = f"t{i:05d}.torrent"
        hashes.append(write_torrent(os.path.join(folder, name), info).hex())
        names.append(name)
    return names, hashes


def make_seed(folder, size=4 * MIB, piece=256 * KIB):
    """Real data of @size bytes in @folder/seed.bin and its torrent; returns
    (torrent path, info hash bytes)."""
    os.makedirs(folder, exist_ok=True)
    data = b"".join(hashlib.shake_256(b"tsr-limits-%d" % i).digest(MIB) for i in range((size + MIB - 1) // MIB))
    data = data[:size]
    with open(os.path.join(folder, "seed.bin"), "wb") as f:
        f.write(data)
    pieces = b"".join(hashlib.sha1(data[i:i + piece]).digest() for i in range(0, size, piece))
    torrent = os.path.join(os.path.dirname(folder), "seed.torrent")
    info_hash = write_torrent(torrent, {"name": "seed.bin", "length": size, "piece length": piece, "pieces": pieces})
    return torrent, info_hash


# ---------------------------------------------------------------------------
# Helper modes: libtorrent in a process of its own.

def lt_session(lt, extra):
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "alert_mask": lt.alert_category.status | lt.alert_category.error | lt.alert_category.peer,
        "alert_queue_size": 100000,     # an add_torrent_alert for each of thousands
    }
    settings.update(extra)
    return lt.session(settings)


def stdin_lines():
    """A thread turns stdin into a list of lines (an empty string at EOF)."""
    lines = []

    def read():
        for line in sys.stdin:
            lines.append(line.strip())
        lines.append("")
    threading.Thread(target=read, daemon=True).start()
    return lines


def lt_load_main(argv):
    import libtorrent as lt

    listfile, folder = argv
    with open(listfile) as f:
        paths = [line.strip() for line in f if line.strip()]
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    commands = stdin_lines()
    # Every torrent active at once, like the other two: no queue.
    session = lt_session(lt, {"active_downloads": -1, "active_seeds": -1, "active_limit": -1,
                              "active_checking": 64})
    downloading = lt.torrent_status.states.downloading
    errors = []

    def params_of(path):
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(path)
        params.save_path = folder
        return params

    def drain(alerts_seen):
        for alert in session.pop_alerts():
            if isinstance(alert, lt.add_torrent_alert):
                alerts_seen.append(alert)
                if alert.error.value() != 0:
                    errors.append(alert.error.message())
            elif isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                errors.append(alert.message())

    def count_downloading():
        return sum(1 for s in session.get_torrent_status(lambda s: True) if s.state == downloading)

    def wait_downloading(count, timeout):
        end = time.monotonic() + timeout
        while not stopping and time.monotonic() < end:
            session.wait_for_alert(250)
            drain([])
            if count_downloading() >= count:
                return True
        return False

    start = time.monotonic()
    session.add_torrent(params_of(paths[0]))
    ok = wait_downloading(1, 120)
    emit("loaded", count=1, downloading=count_downloading(), seconds=time.monotonic() - start, errors=errors)
    while not stopping and not commands:
        time.sleep(0.05)
    if ok and not stopping and commands and commands[0] == "more":
        start = time.monotonic()
        added = []
        for i, path in enumerate(paths[1:]):
            session.async_add_torrent(params_of(path))
            if i % 256 == 255:
                drain(added)
        end = start + 3600
        while not stopping and len(added) < len(paths) - 1 and time.monotonic() < end:
            session.wait_for_alert(250)
            drain(added)
        wait_downloading(len(paths), max(1, end - time.monotonic()))
        emit("loaded", count=len(paths), downloading=count_downloading(), seconds=time.monotonic() - start,
             errors=errors[:20], n_errors=len(errors))
    while not stopping and (not commands or commands[-1] != ""):
        time.sleep(0.2)
    session.pause()


def lt_seed_main(argv):
    import libtorrent as lt

    parser = argparse.ArgumentParser(prog="limits.py --lt-seed")
    parser.add_argument("torrent")
    parser.add_argument("folder")
    parser.add_argument("--max", type=int, required=True)
    args = parser.parse_args(argv)
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    session = lt_session(lt, {"connections_limit": args.max, "allow_multiple_connections_per_ip": True,
                              "listen_queue_size": 128})
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.folder
    params.max_connections = args.max
    handle = session.add_torrent(params)
    end = time.monotonic() + 30
    while session.listen_port() == 0 and time.monotonic() < end:
        time.sleep(0.01)
    emit("listening", port=session.listen_port())
    ready = False
    last = 0.0
    closed = {}       # why libtorrent closed peers: its reason and error, counted
    while not stopping:
        if session.wait_for_alert(250):
            for alert in session.pop_alerts():
                if isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                    emit("error", message=alert.message())
                elif isinstance(alert, lt.peer_disconnected_alert):
                    why = f"{alert.error.message()} (close reason {int(alert.reason)})"
                    closed[why] = closed.get(why, 0) + 1
        status = handle.status()
        if not ready and status.is_seeding:
            ready = True
            emit("ready")
        if time.monotonic() - last >= 1:
            last = time.monotonic()
            emit("status", peers=status.num_peers, seeding=status.is_seeding, closed=closed)
    session.pause()


# ---------------------------------------------------------------------------
# Helper mode: the load generator.

class Conn:
    __slots__ = ("state", "bitfield", "error", "writer")

    def __init__(self):
        self.state = "waiting"       # connecting, handshaking, open, closed, failed
        self.bitfield = False        # saw a bitfield (or have-all/have-none)
        self.error = None
        self.writer = None


async def generate(host, port, info_hash, count, sources, burst):
    conns = [Conn() for _ in range(count)]
    gate = asyncio.Semaphore(burst)
    loop = asyncio.get_running_loop()
    a, b = (int(x) for x in sources.split("."))

    async def one(i, conn):
        async with gate:
            conn.state = "connecting"
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                sock.bind((f"{a}.{b}.{i // 250}.{i % 250 + 1}", 0))
                await asyncio.wait_for(loop.sock_connect(sock, (host, port)), HANDSHAKE_TIMEOUT)
                reader, writer = await asyncio.open_connection(sock=sock)
            except (OSError, asyncio.TimeoutError) as error:
                sock.close()
                conn.state, conn.error = "failed", f"connect: {type(error).__name__} {error}".strip()
                return
            conn.writer = writer
            conn.state = "handshaking"
            peer_id = b"-LG0001-" + b"%012d" % i
            writer.write(b"\x13BitTorrent protocol" + bytes(8) + info_hash + peer_id)
            try:
                reply = await asyncio.wait_for(reader.readexactly(68), HANDSHAKE_TIMEOUT)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
                conn.state, conn.error = "failed", f"handshake: {type(error).__name__}"
                writer.close()
                return
            if reply[:20] != b"\x13BitTorrent protocol" or reply[28:48] != info_hash:
                conn.state, conn.error = "failed", "handshake: wrong protocol or info hash"
                writer.close()
                return
            conn.state = "open"
        # Past the gate: read (and drop) whatever comes until the client closes.
        try:
            while True:
                head = await reader.readexactly(4)
                length = int.from_bytes(head, "big")
                if length > 1 << 20:
                    raise ValueError(f"message of {length} bytes")
                body = await reader.readexactly(length) if length else b""
                if body[:1] in (b"\x05", b"\x0e", b"\x0f"):
                    conn.bitfield = True
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            conn.state = "closed"
            conn.error = f"closed by the client ({type(error).__name__})"
            writer.close()

    async def keepalive():
        while True:
            await asyncio.sleep(KEEPALIVE)
            for conn in conns:
                if conn.state == "open":
                    conn.writer.write(bytes(4))

    def counts():
        tally = {}
        for conn in conns:
            tally[conn.state] = tally.get(conn.state, 0) + 1
        errors = {}
        for conn in conns:
            if conn.error:
                errors[conn.error] = errors.get(conn.error, 0) + 1
        return {"states": tally, "bitfields": sum(1 for c in conns if c.state == "open" and c.bitfield),
                "kept": tally.get("open", 0), "errors": errors}

    start = time.monotonic()
    tasks = [asyncio.create_task(one(i, conn)) for i, conn in enumerate(conns)]
    keeper = asyncio.create_task(keepalive())
    last = 0.0
    while any(c.state in ("waiting", "connecting", "handshaking") for c in conns):
        await asyncio.sleep(0.1)
        if time.monotonic() - last >= 2:
            last = time.monotonic()
            emit("progress", seconds=time.monotonic() - start, **counts())
    emit("established", seconds=time.monotonic() - start, **counts())
    # The parent asks for a report ("report") or ends us (EOF, SIGTERM).
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        if line.strip() == b"report":
            emit("report", seconds=time.monotonic() - start, **counts())
    keeper.cancel()
    for task in tasks:
        task.cancel()


def load_gen_main(argv):
    host, port, info_hash, count, sources, burst = argv
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < int(count) + 64:
        emit("error", message=f"the open-file hard limit {hard} is below {int(count) + 64}")
        sys.exit(1)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    asyncio.run(generate(host, int(port), bytes.fromhex(info_hash), int(count), sources, int(burst)))


# ---------------------------------------------------------------------------
# The benchmark's own process: spawning, watching and stopping the clients.

class Failure(Exception):
    """A row that could not be measured; its message is the reason shown."""


# No proxy may carry any of this traffic elsewhere.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
CLEAN_ENV["no_proxy"] = "*"
LIVE = []          # every process started and not yet reaped


class Child:
    """A process printing one JSON object a line; a thread reads them."""

    def __init__(self, name, args, log, cwd=None, stdin=False):
        self.name = name
        self.log = log
        self.events = []
        self.eof = False
        self.condition = threading.Condition()
        self.started = time.monotonic()
        with open(log, "ab") as err:
            self.process = subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE, stderr=err,
                                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                            env=CLEAN_ENV, cwd=cwd)
        LIVE.append(self)
        self.pid = self.process.pid
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
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
                self.seen(stamp, event)
                self.condition.notify_all()
        self.process.stdout.close()
        record.close()
        with self.condition:
            self.eof = True
            self.condition.notify_all()

    def seen(self, stamp, event):
        """For subclasses: called for each event, under the condition."""

    def wait(self, predicate, timeout, what):
        """Waits until @predicate() (called under the condition) is true."""
        end = time.monotonic() + timeout
        with self.condition:
            while not predicate():
                if self.eof:
                    raise Failure(f"{self.name} exited while waiting for {what}: {tail(self.log)}")
                left = end - time.monotonic()
                if left <= 0:
                    raise Failure(f"{self.name}: no {what} within {timeout:.0f} s")
                self.condition.wait(min(left, 1.0))

    def wait_for(self, name, timeout, after=0):
        """The @after-th (from 0) event called @name."""
        found = []

        def check():
            found[:] = [e for s, e in self.events if e.get("event") == name]
            return len(found) > after
        self.wait(check, timeout, repr(name))
        return found[after]

    def send(self, line):
        try:
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        except (OSError, ValueError) as error:
            raise Failure(f"{self.name}: cannot write to it: {error}") from error

    def stop(self, grace=15):
        """SIGTERM by PID, then SIGKILL after @grace s; returns the seconds
        it took to exit and whether it had to be killed."""
        start = time.monotonic()
        killed = False
        if self.process.returncode is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                killed = True
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        if self.process.stdin:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        if self in LIVE:
            LIVE.remove(self)
        return time.monotonic() - start, killed

    def alive(self):
        return self.process.poll() is None


class Tessera(Child):
    """tessera-cli peer with --json-events: each torrent's last state, the
    errors, and the peers it says it has."""

    def __init__(self, *args, **kwargs):
        self.states = {}
        self.downloading_at = {}
        self.errors = []
        self.peers = 0
        self.port = None
        super().__init__(*args, **kwargs)

    def seen(self, stamp, event):
        name = event.get("event")
        if name == "state":
            self.states[event.get("torrent")] = event.get("state")
            if event.get("state") in ("downloading", "seeding"):
                self.downloading_at.setdefault(event.get("torrent"), stamp)
        elif name == "error":
            self.errors.append(event.get("message", "?"))
        elif name in ("peer-connected", "peer-gone"):
            self.peers += 1 if name == "peer-connected" else -1
        elif name == "listening":
            self.port = event.get("port")


def stop_all():
    for child in list(reversed(LIVE)):
        child.stop(grace=5)


def tail(path, size=400):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            text = f.read().decode(errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-4:])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure(f"no VmRSS for PID {pid}")


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


class Transmission:
    """transmission-daemon in the namespace, driven over one HTTP connection
    to its RPC at 10.77.N.2:9091 (no proxy)."""

    def __init__(self, ns, config, download, log, peer_limit):
        os.makedirs(config, exist_ok=True)
        settings = {
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "port-forwarding-enabled": False, "rpc-authentication-required": False,
            "rpc-whitelist-enabled": False, "rpc-host-whitelist-enabled": False,
            "rpc-bind-address": ns.ns_ip, "rpc-port": TRANSMISSION_RPC_PORT,
            "peer-port": TRANSMISSION_PEER_PORT, "peer-port-random-on-start": False,
            "bind-address-ipv4": ns.ns_ip, "download-dir": download, "incomplete-dir-enabled": False,
            "rename-partial-files": False, "start-added-torrents": True, "blocklist-enabled": False,
            "speed-limit-up-enabled": False, "speed-limit-down-enabled": False, "alt-speed-enabled": False,
            # Every torrent active at once: no queues, no limits that stop them.
            "download-queue-enabled": False, "seed-queue-enabled": False, "queue-stalled-enabled": False,
            "ratio-limit-enabled": False, "idle-seeding-limit-enabled": False,
            "peer-limit-global": peer_limit, "peer-limit-per-torrent": peer_limit,
            "encryption": 1, "message-level": 1,
        }
        with open(os.path.join(config, "settings.json"), "w") as f:
            json.dump(settings, f)
        self.host = ns.ns_ip
        self.connection = None
        self.session_id = ""
        self.log = log
        # `ip netns exec` execs the command: the PID is transmission-daemon's.
        self.child = Child("transmission-daemon",
                           ["ip", "netns", "exec", ns.name, "transmission-daemon", "-f", "-g", config], log)
        self.pid = self.child.pid
        end = time.monotonic() + 30
        while True:
            try:
                self.rpc("session-get")
                break
            except (OSError, http.client.HTTPException, Failure):
                self.connection = None
                if not self.child.alive():
                    raise Failure(f"transmission-daemon exited at start: {tail(log)}")
                if time.monotonic() > end:
                    raise Failure("transmission-daemon's RPC did not answer within 30 s")
                time.sleep(0.2)
        if not comm(self.pid).startswith("transmission"):
            raise Failure(f"PID {self.pid} is {comm(self.pid)!r}, not transmission-daemon")

    def rpc(self, method, **arguments):
        body = json.dumps({"method": method, "arguments": arguments}).encode()
        for _ in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, TRANSMISSION_RPC_PORT, timeout=60)
            self.connection.request("POST", "/transmission/rpc", body,
                                    {"X-Transmission-Session-Id": self.session_id,
                                     "Content-Type": "application/json"})
            reply = self.connection.getresponse()
            data = reply.read()
            if reply.status == 409:    # the first call learns the session id
                self.session_id = reply.getheader("X-Transmission-Session-Id", "")
                continue
            if reply.status != 200:
                raise Failure(f"transmission {method}: HTTP {reply.status}")
            answer = json.loads(data)
            if answer.get("result") != "success":
                raise Failure(f"transmission {method}: {answer.get('result')}")
            return answer.get("arguments", {})
        raise Failure("transmission RPC: no session id")

    def add(self, path):
        with open(path, "rb") as f:
            metainfo = base64.b64encode(f.read()).decode()
        answer = self.rpc("torrent-add", metainfo=metainfo)
        if "torrent-added" not in answer:
            raise Failure(f"transmission torrent-add {os.path.basename(path)}: {answer}")

    def torrents(self, fields):
        return self.rpc("torrent-get", fields=fields)["torrents"]

    def stop(self):
        if self.connection is not None:
            self.connection.close()
        self.child.stop()


# ---------------------------------------------------------------------------
# The two parts, per client.

class Row:
    def __init__(self, client):
        self.client = client
        self.rss1 = self.rssn = self.load = None          # KiB, KiB, seconds
        self.rss_before = self.rss_after = None           # KiB
        self.kept = self.client_count = self.establish = None
        self.errors = []
        self.notes = []

    @property
    def per_torrent(self):
        if self.rss1 is None or self.rssn is None:
            return None
        return (self.rssn - self.rss1) / (self.n - 1)

    @property
    def per_connection(self):
        if self.rss_before is None or self.rss_after is None or not self.kept:
            return None
        return (self.rss_after - self.rss_before) / self.kept


class Bench:
    def __init__(self, args, cli):
        self.args = args
        self.cli = cli
        self.work = tempfile.mkdtemp(prefix="tsr-limits-", dir=args.dir)
        os.chmod(self.work, 0o755)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.ns = None
        self.sources_block = None
        self.rows = {name: Row(name) for name in CLIENTS}
        self.failed = False

    def log(self, what):
        return os.path.join(self.logs, f"{what}.log")

    def folder(self, what):
        path = os.path.join(self.work, what)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o777)
        return path

    def settle(self, child, what):
        """--settle s of quiet, then the child must still be running."""
        print(f"    {what}: settling {self.args.settle:.0f} s ...", file=sys.stderr, flush=True)
        time.sleep(self.args.settle)
        if not child.alive():
            raise Failure(f"{child.name} exited: {tail(child.log)}")

    def namespace(self):
        if self.ns is None:
            try:
                self.ns = Namespace(prefix="tsrl")
            except NamespaceError as e:
                raise Failure(str(e)) from e
        return self.ns

    def sources_for_namespace(self):
        """A free 10.B.0.0/16 made local to the host on the veth's host end
        and routed back from the namespace: the generator's sources."""
        if self.sources_block is None:
            ns = self.namespace()
            used = subprocess.run(["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True,
                                  timeout=20).stdout
            used += subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
            free = [b for b in range(100, 250) if f"10.{b}." not in used]
            if not free:
                raise Failure("no free 10.B.0.0/16 for the load generator's sources")
            block = free[os.getpid() % len(free)]
            for command in (["ip", "route", "add", "local", f"10.{block}.0.0/16", "dev", ns.host_if],
                            ["ip", "netns", "exec", ns.name, "ip", "route", "add", f"10.{block}.0.0/16",
                             "via", ns.host_ip]):
                result = subprocess.run(command, capture_output=True, text=True, timeout=20)
                if result.returncode != 0:
                    raise Failure(f"{' '.join(command)}: {result.stderr.strip()}")
            self.sources_block = block
        return f"10.{self.sources_block}"

    def cleanup(self):
        if self.ns is not None:
            if self.sources_block is not None:
                subprocess.run(["ip", "route", "del", "local", f"10.{self.sources_block}.0.0/16", "dev",
                                self.ns.host_if], capture_output=True, timeout=20)
            self.ns.cleanup()

    # -- part 1 -------------------------------------------------------------

    def make_torrents(self):
        self.torrent_dir = os.path.join(self.work, "torrents")
        start = time.monotonic()
        self.names, self.hashes = make_idle_torrents(self.torrent_dir, self.args.torrents)
        print(f"  made {len(self.names)} torrents in {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)

    def tessera_load(self, count, tag):
        args = [self.cli, "peer", "-d", self.folder(f"{tag}-data"), "-p", "0", "--bind", "127.0.0.1",
                "--no-tracker", "--no-dht", "--no-lsd", "--no-port-map", "--json-events",
                "--state", os.path.join(self.work, f"{tag}-state")] + self.names[:count]
        start = time.monotonic()
        peer = Tessera(f"tessera ({count} torrents)", args, self.log(tag), cwd=self.torrent_dir)
        wanted = set(self.hashes[:count])

        def loaded():
            return peer.errors or wanted <= set(peer.downloading_at)
        try:
            peer.wait(loaded, self.args.timeout, f"all {count} torrents downloading")
        except Failure as error:
            raise Failure(f"{error} ({len(peer.downloading_at)} of {count} downloading, states "
                          f"{summarize(peer.states.values())})") from error
        load = max(peer.downloading_at.values()) - start if peer.downloading_at else None
        return peer, load

    def part1_tessera(self, row):
        peer, _ = self.tessera_load(1, "p1-tessera-1")
        try:
            self.settle(peer, "tessera, 1 torrent")
            row.rss1 = rss_kib(peer.pid)
            row.errors += peer.errors
        finally:
            peer.stop()
        print(f"    tessera: loading {row.n} torrents ...", file=sys.stderr, flush=True)
        peer, row.load = self.tessera_load(row.n, "p1-tessera-n")
        try:
            self.settle(peer, f"tessera, {row.n} torrents")
            row.rssn = rss_kib(peer.pid)
            row.errors += peer.errors
            states = summarize(peer.states.values())
            if set(peer.states.values()) != {"downloading"}:
                row.notes.append(f"states at the end: {states}")
            note_stop(row, peer.stop(grace=300))
        finally:
            peer.stop()

    def part1_transmission(self, row):
        ns = self.namespace()
        daemon = Transmission(ns, os.path.join(self.work, "p1-transmission"), self.folder("p1-transmission-data"),
                              self.log("p1-transmission"), 200)
        try:
            fields = ["id", "status", "error", "errorString"]

            def wait_all(count, start):
                end = start + self.args.timeout
                while True:
                    torrents = daemon.torrents(fields)
                    bad = [t for t in torrents if t["error"] != 0]
                    if bad:
                        row.errors += [t["errorString"] for t in bad[:5]]
                        raise Failure(f"{len(bad)} torrents in error: {bad[0]['errorString']}")
                    if len(torrents) >= count and all(t["status"] == 4 for t in torrents):
                        return time.monotonic() - start
                    if time.monotonic() > end:
                        raise Failure(f"not all {count} torrents downloading within {self.args.timeout:.0f} s "
                                      f"(statuses {summarize(t['status'] for t in torrents)})")
                    time.sleep(0.5)
            start = time.monotonic()
            daemon.add(os.path.join(self.torrent_dir, self.names[0]))
            wait_all(1, start)
            self.settle(daemon.child, "transmission, 1 torrent")
            row.rss1 = rss_kib(daemon.pid)
            print(f"    transmission: adding {row.n - 1} torrents ...", file=sys.stderr, flush=True)
            start = time.monotonic()
            for name in self.names[1:]:
                daemon.add(os.path.join(self.torrent_dir, name))
            row.notes.append(f"{row.n - 1} torrent-add calls took {time.monotonic() - start:.1f} s")
            row.load = wait_all(row.n, start)
            self.settle(daemon.child, f"transmission, {row.n} torrents")
            row.rssn = rss_kib(daemon.pid)
            daemon.connection.close()
            note_stop(row, daemon.child.stop(grace=300))
        finally:
            daemon.stop()

    def part1_libtorrent(self, row):
        listfile = os.path.join(self.work, "p1-libtorrent.list")
        with open(listfile, "w") as f:
            f.write("".join(os.path.join(self.torrent_dir, name) + "\n" for name in self.names))
        child = Child("libtorrent", [PYTHON, SELF, "--lt-load", listfile, self.folder("p1-libtorrent-data")],
                      self.log("p1-libtorrent"), stdin=True)
        try:
            first = child.wait_for("loaded", 180)
            if first["downloading"] != 1 or first["errors"]:
                raise Failure(f"the first torrent did not start: {first}")
            self.settle(child, "libtorrent, 1 torrent")
            row.rss1 = rss_kib(child.pid)
            print(f"    libtorrent: adding {row.n - 1} torrents ...", file=sys.stderr, flush=True)
            child.send("more")
            last = child.wait_for("loaded", self.args.timeout + 60, after=1)
            row.load = last["seconds"]
            row.errors += last["errors"]
            if last["downloading"] != row.n:
                raise Failure(f"{last['downloading']} of {row.n} torrents downloading")
            self.settle(child, f"libtorrent, {row.n} torrents")
            row.rssn = rss_kib(child.pid)
            note_stop(row, child.stop(grace=300))
        finally:
            child.stop()

    # -- part 2 -------------------------------------------------------------

    def make_seed(self):
        self.seed_torrent, self.seed_hash = make_seed(os.path.join(self.work, "seed", "data"))
        self.seed_data = os.path.dirname(os.path.join(self.work, "seed", "data", "seed.bin"))
        os.chmod(os.path.join(self.work, "seed"), 0o755)
        os.chmod(self.seed_data, 0o755)

    def load(self, row, host, port, sources, tag, count_of_client, client_child):
        """Opens the connections, waits, measures; fills @row."""
        gen = Child("load generator", [PYTHON, SELF, "--load-gen", host, port, self.seed_hash.hex(),
                                       self.args.connections, sources, self.args.burst], self.log(f"{tag}-gen"),
                    stdin=True)
        try:
            print(f"    {row.client}: opening {self.args.connections} connections ...", file=sys.stderr, flush=True)
            done = gen.wait_for("established", self.args.timeout)
            row.establish = done["seconds"]
            if not client_child.alive():
                raise Failure(f"{client_child.name} exited under the connections: {tail(client_child.log)}")
            print(f"    {row.client}: {done['kept']} open after {done['seconds']:.1f} s; settling "
                  f"{self.args.settle:.0f} s ...", file=sys.stderr, flush=True)
            time.sleep(self.args.settle)
            if not client_child.alive():
                raise Failure(f"{client_child.name} exited under the connections: {tail(client_child.log)}")
            row.rss_after = rss_kib(client_child.pid)
            gen.send("report")
            report = gen.wait_for("report", 30)
            row.kept = report["kept"]
            row.client_count = count_of_client()
            opened = done["states"]
            row.notes.append(f"generator: {summarize_dict(report['states'])}, bitfields {report['bitfields']}; "
                             f"all attempts ended {done['seconds']:.1f} s after the start")
            if report["errors"]:
                row.notes.append("generator errors: " + summarize_dict(report["errors"]))
            if opened.get("failed"):
                row.errors.append(f"{opened['failed']} connections failed")
            if report["kept"] < self.args.connections:
                row.errors.append(f"kept {report['kept']} of {self.args.connections}")
        finally:
            gen.stop()

    def part2_tessera(self, row):
        limit = str(self.args.connections + HEADROOM)
        args = [self.cli, "peer", "-d", self.seed_data, "-p", "0", "--bind", "127.0.0.1", "--no-tracker",
                "--no-dht", "--no-lsd", "--no-port-map", "--json-events", "--max-peers", limit,
                "--max-accepted", limit, "--max-connections", limit,
                "--state", os.path.join(self.work, "p2-tessera-state"), self.seed_torrent]
        peer = Tessera("tessera seeder", args, self.log("p2-tessera"))
        try:
            peer.wait(lambda: peer.errors or peer.states.get(self.seed_hash.hex()) == "seeding", 120, "seeding")
            if peer.errors:
                raise Failure("error event: " + peer.errors[0])
            self.settle(peer, "tessera, seeding")
            row.rss_before = rss_kib(peer.pid)
            self.load(row, "127.0.0.1", peer.port, "127.3", "p2-tessera", lambda: peer.peers, peer)
            row.errors += peer.errors
        finally:
            peer.stop()

    def part2_transmission(self, row):
        ns = self.namespace()
        sources = self.sources_for_namespace()
        daemon = Transmission(ns, os.path.join(self.work, "p2-transmission"), self.seed_data,
                              self.log("p2-transmission"), self.args.connections + HEADROOM)
        try:
            daemon.add(self.seed_torrent)
            end = time.monotonic() + 120
            while True:
                torrents = daemon.torrents(["status", "error", "errorString", "percentDone"])
                if torrents and torrents[0]["error"]:
                    raise Failure(f"transmission: {torrents[0]['errorString']}")
                if torrents and torrents[0]["status"] == 6:
                    break
                if time.monotonic() > end:
                    raise Failure(f"transmission not seeding within 120 s: {torrents}")
                time.sleep(0.5)
            self.settle(daemon.child, "transmission, seeding")
            row.rss_before = rss_kib(daemon.pid)
            nofile = open_file_limit(daemon.pid)
            if nofile is not None and nofile < self.args.connections + 64:
                row.notes.append(f"transmission's own open-file limit: {nofile}")
            self.load(row, ns.ns_ip, TRANSMISSION_PEER_PORT, sources, "p2-transmission",
                      lambda: daemon.torrents(["peersConnected"])[0]["peersConnected"], daemon.child)
        finally:
            daemon.stop()

    def part2_libtorrent(self, row):
        child = Child("libtorrent seeder", [PYTHON, SELF, "--lt-seed", self.seed_torrent, self.seed_data,
                                            "--max", 2 * self.args.connections + HEADROOM],
                      self.log("p2-libtorrent"))
        try:
            port = child.wait_for("listening", 30)["port"]
            child.wait_for("ready", 120)
            self.settle(child, "libtorrent, seeding")
            row.rss_before = rss_kib(child.pid)

            def count():
                statuses = [e for s, e in child.events if e.get("event") == "status"]
                return statuses[-1]["peers"] if statuses else None
            self.load(row, "127.0.0.1", port, "127.3", "p2-libtorrent", count, child)
            row.errors += [e["message"] for s, e in child.events if e.get("event") == "error"]
            statuses = [e for s, e in child.events if e.get("event") == "status"]
            if statuses and statuses[-1]["closed"]:
                row.notes.append("libtorrent closed peers: " + summarize_dict(statuses[-1]["closed"]))
        finally:
            child.stop()

    # -- driving ------------------------------------------------------------

    def run(self, part, client):
        row = self.rows[client]
        row.n = self.args.torrents
        print(f"  part {part}, {client} ...", file=sys.stderr, flush=True)
        try:
            getattr(self, f"part{part}_{client}")(row)
        except Exception as error:   # one client failing must not stop the rest
            reason = str(error) if isinstance(error, Failure) else f"{type(error).__name__}: {error}"
            row.errors.append(f"part {part} FAILED: {reason}")
            print(f"    FAILED: {reason}", file=sys.stderr, flush=True)
            self.failed = True
        finally:
            stop_all()


def note_stop(row, stopped):
    seconds, killed = stopped
    if killed:
        row.errors.append(f"with {row.n} torrents it did not exit within {seconds:.0f} s of SIGTERM")
    else:
        row.notes.append(f"with {row.n} torrents it exited {seconds:.1f} s after SIGTERM")


def open_file_limit(pid):
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    return int(line.split()[3])
    except (OSError, ValueError, IndexError):
        return None
    return None


def summarize(values):
    tally = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return summarize_dict(tally)


def summarize_dict(tally):
    return ", ".join(f"{k} {v}" for k, v in sorted(tally.items(), key=lambda kv: -kv[1])) or "none"


# ---------------------------------------------------------------------------
# The report.

def mib(kib):
    return "-" if kib is None else f"{kib / 1024:.1f}"


def kib_text(kib):
    return "-" if kib is None else f"{kib:.2f}"


def print_report(bench, clients, parts):
    args = bench.args
    rows = [bench.rows[c] for c in clients]
    print()
    print(f"N = {args.torrents} idle torrents, C = {args.connections} connections; RSS = VmRSS after "
          f"{args.settle:.0f} s of quiet; MiB = 2^20 bytes, KiB = 2^10 bytes")
    header = (f"{'client':<13} {'RSS 1 t MiB':>11} {'RSS N MiB':>9} {'KiB/torrent':>11} {'load s':>7} "
              f"{'RSS 0 c MiB':>11} {'RSS C MiB':>9} {'KiB/conn':>8} {'kept':>11} {'errors'}")
    print(header)
    for r in rows:
        kept = "-" if r.kept is None else f"{r.kept}/{args.connections}"
        load = "-" if r.load is None else f"{r.load:.1f}"
        errors = "; ".join(r.errors) if r.errors else "none"
        print(f"{r.client:<13} {mib(r.rss1):>11} {mib(r.rssn):>9} {kib_text(r.per_torrent):>11} {load:>7} "
              f"{mib(r.rss_before):>11} {mib(r.rss_after):>9} {kib_text(r.per_connection):>8} {kept:>11} {errors}")
    for r in rows:
        extra = list(r.notes)
        if r.client_count is not None:
            extra.insert(0, f"the client counts {r.client_count} peers")
        if extra:
            print(f"  {r.client}: {'; '.join(extra)}")
    print()
    print("Ratios, Tessera / reference (below 1.00: Tessera uses less)")
    ours = bench.rows["tessera"]
    for name in ("transmission", "libtorrent"):
        if name not in clients or "tessera" not in clients:
            continue
        theirs = bench.rows[name]
        for label, what, part in (("memory per idle torrent", "per_torrent", 1), ("load time", "load", 1),
                                  ("memory per connection", "per_connection", 2)):
            if part not in parts:
                continue
            a, b = getattr(ours, what), getattr(theirs, what)
            if a is None or b is None or b <= 0:
                print(f"  {label}, Tessera / {name}: n/a")
            else:
                print(f"  {label}, Tessera / {name}: {a:.2f} / {b:.2f} = {a / b:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torrents", type=int, default=5000, help="idle torrents of part 1 (5000)")
    parser.add_argument("--connections", type=int, default=2000, help="peer connections of part 2 (2000)")
    parser.add_argument("--only", default=",".join(CLIENTS), help="some of tessera,transmission,libtorrent (all)")
    parser.add_argument("--parts", default="1,2", help="1 (torrents), 2 (connections) or 1,2 (both)")
    parser.add_argument("--burst", type=int, default=BURST, help="connections of part 2 in their handshake at "
                        f"once ({BURST}: Tessera closes incoming connections beyond 64 waiting for a handshake)")
    parser.add_argument("--settle", type=float, default=10, help="seconds of quiet before each measure (10)")
    parser.add_argument("--dir", default="/tmp", help="where the temporary folder goes (/tmp)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed to load the N torrents or "
                        "to open the C connections, each (900)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    clients = [c for c in CLIENTS if c in {x.strip() for x in args.only.split(",")}]
    if not clients or {x.strip() for x in args.only.split(",") if x.strip()} - set(CLIENTS):
        parser.error(f"--only takes some of {','.join(CLIENTS)}")
    try:
        parts = sorted({int(p) for p in args.parts.split(",") if p.strip()})
    except ValueError:
        parser.error(f"--parts: not a list of part numbers: {args.parts!r}")
    if not parts or any(p not in (1, 2) for p in parts):
        parser.error("--parts takes 1, 2 or 1,2")
    if args.torrents < 2:
        parser.error("--torrents must be at least 2")
    if not 1 <= args.connections <= 60000:
        parser.error("--connections must be from 1 to 60000")
    if args.burst < 1:
        parser.error("--burst must be at least 1")
    if args.settle < 0 or args.timeout <= 0:
        parser.error("--settle must not be negative, --timeout must be positive")
    if not os.path.isdir(args.dir):
        sys.exit(f"limits.py: --dir {args.dir} is not a folder")
    if os.geteuid() != 0 and "transmission" in clients:
        sys.exit("limits.py: Transmission runs in a network namespace made here, which needs root; "
                 "run as root or pass --only tessera,libtorrent")
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if 2 in parts and hard != resource.RLIM_INFINITY and hard < args.connections + 64:
        sys.exit(f"limits.py: the open-file hard limit is {hard}, below the {args.connections} connections + 64 "
                 "the load generator needs (ulimit -Hn)")
    cli = os.environ.get("TESSERA_CLI") or os.path.join(ROOT, "_build", "src", "cli", "tessera-cli")
    if "tessera" in clients and not os.access(cli, os.X_OK):
        sys.exit(f"limits.py: {cli} is missing: build first (meson setup _build && ninja -C _build) "
                 "or set TESSERA_CLI")
    cli = os.path.abspath(cli)
    if "libtorrent" in clients and subprocess.run([PYTHON, "-c", "import libtorrent"], capture_output=True,
                                                  timeout=60).returncode != 0:
        sys.exit(f"limits.py: python3-libtorrent is missing for {PYTHON} (Debian package python3-libtorrent)")
    if "transmission" in clients:
        for tool, package in (("transmission-daemon", "transmission-daemon"), ("ip", "iproute2")):
            if shutil.which(tool) is None:
                sys.exit(f"limits.py: {tool} is missing (Debian package {package})")

    # SIGTERM and SIGHUP unwind like ^C: every finally stops what it started.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda signum, frame: sys.exit(128 + signum))
    atexit.register(stop_all)

    bench = Bench(args, cli)
    atexit.register(bench.cleanup)
    try:
        if "tessera" in clients:
            version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30).stdout
            print(f"{(version.strip().splitlines() or ['tessera-cli'])[0]} ({cli})")
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                      if line.startswith("model name")), "?")
        print(f"CPU: {model}, {os.cpu_count()} cores; load average at start: %.2f %.2f %.2f" % os.getloadavg())
        if 1 in parts:
            print(f"part 1: {args.torrents} idle torrents", file=sys.stderr, flush=True)
            bench.make_torrents()
            for client in clients:
                bench.run(1, client)
        if 2 in parts:
            print(f"part 2: {args.connections} connections", file=sys.stderr, flush=True)
            bench.make_seed()
            for client in clients:
                bench.run(2, client)
        print_report(bench, clients, parts)
        print()
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        if "transmission" in clients:
            print("Transmission runs in its own network namespace over a veth pair, the others on 127.0.0.1.")
    finally:
        stop_all()
        bench.cleanup()
        if args.keep:
            print(f"kept {bench.work}", file=sys.stderr)
        elif bench.failed:
            for name in os.listdir(bench.work):
                if name != "logs":
                    path = os.path.join(bench.work, name)
                    shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
            print(f"logs kept in {bench.logs}", file=sys.stderr)
        else:
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--lt-load":
        lt_load_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--lt-seed":
        lt_seed_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--load-gen":
        load_gen_main(sys.argv[2:])
    else:
        main()
