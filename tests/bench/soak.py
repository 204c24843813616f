#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Soak benchmark (not a test): one `tessera-cli peer` seeding many torrents
for a long time while leechers come and go. Does its memory, its open files
or its threads climb?

One Tessera seeder serves --torrents torrents (pseudo-random multi-file
payloads of --size-mib MiB each; v1, hybrid and v2; 32 KiB to 1 MiB pieces)
on 127.0.0.1. --leechers slots each run one `tessera-cli peer
--exit-when-done` at a time on a random torrent, into a fresh folder, with a
random --down-rate from 1m to 20m (so that transfers overlap) and a random
--encryption (require: MSE only; off: plaintext; prefer). Each leecher's
fate is drawn when it starts: let it finish, stop it part-way with SIGTERM,
or with SIGKILL (a few of those before it even connected); then the slot
waits a random pause and starts the next. A finished leecher's files are
compared with the source by SHA-256; any difference is a data error. A
leecher that verifies no piece for STALL_S seconds is a stall: its inner
state (SIGUSR1) goes to its log and it is killed.

Every 10 s the seeder's VmRSS, open descriptors (/proc/PID/fd), threads
and user+sys CPU are sampled and printed beside the leechers running,
transfers completed and the payload the leechers verified (most of it
from the seeder; the leechers also learn of each other by PEX and trade
among themselves; the seeder's exact upload total comes from its "totals"
events when it stops, in the summary). The first sample is taken before the
first leecher starts. At the end every leecher is stopped, and after
IDLE_S seconds without any a last sample is taken. The verdicts:
  RSS flat: the least-squares slope of RSS after a warm-up (the first
            WARMUP_S seconds, or a quarter of a shorter run) is below 5%
            of its mean there, per hour. Its standard error is printed
            beside it: the read cache (64 MiB shared by the torrents) fills
            and empties as leechers come and go, and RSS swings with it;
            the slope of RSS less the cache's bytes (from the seeder's
            SIGUSR1 debug events, asked for at each sample and waited for
            before RSS is read) is printed too;
  fds flat: with no leecher left, the seeder holds at most FD_SLACK more
            descriptors than before the first leecher came, payload files
            apart: those its storage may keep open (up to 64 a torrent),
            but each at most once.
(The slope of the descriptors after the warm-up is printed too.)

Traffic stays on 127.0.0.1; every process runs in its own session (a ^C
reaches only this script) and is stopped by PID, also on failure, ^C,
SIGTERM or the time limit (--minutes plus setup and a fixed grace). The
work folder goes away unless --keep; after a data error, a stall or a
seeder failure its logs (and the failed leechers' folders) stay, and the
path is printed.

Exit status: 0, or 1 when a leecher's data differed, a leecher stalled or
exited on its own before done, or the seeder died or did not stop cleanly.
The flatness verdicts do not change it: read them.

Usage (repo root, after building): tests/bench/soak.sh [--minutes 30]
    [--torrents 20] [--leechers 40] [--size-mib 8] [--seed N] [--dir TMP] [--keep]
TESSERA_CLI names the binary (default: _build/src/cli/tessera-cli)."""

import argparse
import collections
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

MIB = 1 << 20
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE_S = 10         # between samples of the seeder
IDLE_S = 20           # after the last leecher, before the last sample
WARMUP_S = 300        # left out of the slopes: caches and pools filling
STALL_S = 90          # a leecher with no verified piece for this long is stalled
TERM_GRACE_S = 15     # a leecher has this long to exit after SIGTERM
EXIT_AFTER_DONE_S = 30
FD_SLACK = 3
GRACE_S = 300         # setup, stopping, the idle wait: on top of --minutes

# No proxy may carry any of this traffic elsewhere, and no discovery may
# reach the local network (soak.sh exports these too).
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
CLEAN_ENV.update(no_proxy="*", TESSERA_NO_LSD="1", TESSERA_NO_PORT_MAP="1", TESSERA_NO_DHT="1")


class Failure(Exception):
    """The soak cannot go on; the message says why."""


class Interrupted(Exception):
    """SIGTERM, SIGHUP or the time limit."""


# ---------------------------------------------------------------------------
# Processes: every child is registered by PID and stopped by PID.

class Children:
    def __init__(self):
        self.lock = threading.Lock()
        self.live = {}          # pid -> Popen
        self.closing = False

    def spawn(self, args, stderr_path):
        with self.lock:
            if self.closing:
                raise Interrupted("stopping: no new processes")
            with open(stderr_path, "ab") as err:
                # A session of its own: ^C in the terminal reaches only us,
                # and we stop each child in order.
                process = subprocess.Popen([str(a) for a in args], stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=err, env=CLEAN_ENV,
                                           start_new_session=True)
            self.live[process.pid] = process
            return process

    def signal(self, process, number):
        with self.lock:
            if process.pid in self.live and process.returncode is None:
                try:
                    os.kill(process.pid, number)
                except ProcessLookupError:
                    pass

    def wait(self, process, timeout):
        """The exit status, or None if it still runs after @timeout s."""
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        with self.lock:
            self.live.pop(process.pid, None)
        return status

    def stop(self, process, grace=TERM_GRACE_S):
        """SIGTERM, then SIGKILL after @grace s. Returns (status, killed)."""
        self.signal(process, signal.SIGTERM)
        status = self.wait(process, grace)
        if status is not None:
            return status, False
        self.signal(process, signal.SIGKILL)
        return self.wait(process, 10), True

    def stop_all(self):
        with self.lock:
            self.closing = True
            processes = list(self.live.values())
        for process in processes:
            self.signal(process, signal.SIGTERM)
        end = time.monotonic() + TERM_GRACE_S
        for process in processes:
            if self.wait(process, max(0.1, end - time.monotonic())) is None:
                self.signal(process, signal.SIGKILL)
                self.wait(process, 10)


CHILDREN = Children()


def proc_sample(pid, payload):
    """(RSS in KiB, open descriptors, threads, user+sys CPU s, descriptors
    by kind) of a live process. The kinds: sockets, payload (files under
    the folder @payload; the storage keeps up to 64 a torrent open), twice
    (payload files open more than once), other (pipes, eventfds, ...)."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    kinds = collections.Counter()
    paths = collections.Counter()
    names = os.listdir(f"/proc/{pid}/fd")
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue       # closed meanwhile
        if target.startswith("socket:"):
            kinds["sockets"] += 1
        elif target.startswith(payload + os.sep):
            kinds["payload"] += 1
            paths[target] += 1
        else:
            kinds["other"] += 1
    kinds["twice"] = sum(n - 1 for n in paths.values() if n > 1)
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rfind(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return rss, len(names), threads, cpu, kinds


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(4 * MIB)
            if not block:
                return digest.hexdigest()
            digest.update(block)


def slope(points):
    """Least-squares slope of [(x, y)] and its standard error, or
    (None, None) with fewer than 3 points."""
    if len(points) < 3:
        return None, None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None, None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    residual = sum((y - my - b * (x - mx)) ** 2 for x, y in points)
    return b, (residual / (n - 2) / sxx) ** 0.5


# ---------------------------------------------------------------------------
# The payloads.

class Torrent:
    def __init__(self, index, path, name, files, piece_sizes, total, kind, piece_length):
        self.index = index
        self.path = path                # the .torrent
        self.name = name
        self.files = files              # [(path under the download folder, size, sha256)]
        self.piece_sizes = piece_sizes  # payload bytes of each piece, pads left out
        self.total = total
        self.kind = kind
        self.piece_length = piece_length


def make_torrents(cli, work, count, size, seed):
    """@count folders of pseudo-random files, about @size bytes each, and
    their torrents; the same @seed makes the same bytes."""
    src = os.path.join(work, "src")
    made = []
    for index in range(count):
        rng = random.Random(f"tsr-soak-{seed}-{index}")
        name = f"soak-{index:02d}"
        root = os.path.join(src, name)
        # A few files of random sizes, some in subfolders, now and then an
        # empty one and a tiny one: file edges inside pieces.
        n_files = rng.randint(1, 6)
        cuts = sorted(rng.randrange(size) for _ in range(n_files - 1))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [size])]
        if rng.random() < 0.3:
            sizes.append(0)
        if rng.random() < 0.3:
            sizes.append(rng.randint(1, 999))
        files = []
        for number, length in enumerate(sizes):
            sub = rng.choice(["", "", "a", os.path.join("a", "b"), "c d"])
            relative = os.path.join(name, sub, f"file-{number}.bin")
            path = os.path.join(src, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            digest = hashlib.sha256()
            with open(path, "wb") as f:
                left = length
                while left:
                    block = rng.randbytes(min(MIB, left))
                    f.write(block)
                    digest.update(block)
                    left -= len(block)
            files.append((relative, length, digest.hexdigest()))
        kind = rng.choices(["v1", "hybrid", "v2"], weights=[6, 3, 2])[0]
        piece = rng.choice(["32k", "64k", "256k", "1m"])
        torrent = os.path.join(work, f"{name}.torrent")
        result = subprocess.run([cli, "create", "-q", f"--{kind}", "-p", piece, "--no-date", "-o", torrent, root],
                                capture_output=True, timeout=600, env=CLEAN_ENV)
        if result.returncode != 0:
            raise Failure(f"tessera-cli create failed: {result.stderr.decode(errors='replace').strip()}")
        show = subprocess.run([cli, "show", "--json", torrent], capture_output=True, timeout=60, env=CLEAN_ENV)
        if show.returncode != 0:
            raise Failure(f"tessera-cli show failed: {show.stderr.decode(errors='replace').strip()}")
        meta = json.loads(show.stdout)
        length = meta["piece_length"]
        # Bytes of each piece: the overlap of the piece with the files
        # (their offsets already leave out v2 alignment and pad files).
        pieces = [0] * meta["piece_count"]
        for f in meta["files"]:
            start, end = f["offset"], f["offset"] + f["length"]
            at = start
            while at < end:
                number = at // length
                stop = min(end, (number + 1) * length)
                if number < len(pieces):
                    pieces[number] += stop - at
                at = stop
        made.append(Torrent(index, torrent, name, files, pieces, sum(s for _, s, _ in files), kind, length))
    return src, made


# ---------------------------------------------------------------------------
# The seeder.

class Seeder:
    def __init__(self, cli, work, src, torrents, logs):
        self.log = os.path.join(logs, "seeder.log")
        self.events_path = os.path.join(logs, "seeder.events")
        self.counts = collections.Counter()
        self.done = set()
        self.port = None
        self.uploaded = None        # sum of its "totals" events, when it stops
        self.notable = collections.deque(maxlen=20)   # errors, bans, hash failures
        self.known = {}             # torrent -> addresses in its peer pool (debug events)
        self.cached = {}            # torrent -> bytes in its read cache
        self.n_debug = 0            # debug events so far
        self.eof = threading.Event()
        self.condition = threading.Condition()
        self.started = time.monotonic()
        args = [cli, "peer", "-d", src, "-p", "0", "--bind", "127.0.0.1", "--no-tracker", "--json-events",
                "--state", os.path.join(work, "seeder-state")] + [t.path for t in torrents]
        self.process = CHILDREN.spawn(args, self.log)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        with open(self.events_path, "w") as record:
            for line in self.process.stdout:
                text = line.decode(errors="replace")
                record.write(f"{time.monotonic() - self.started:.3f} {text}")
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                name = event.get("event")
                with self.condition:
                    self.counts[name] += 1
                    if name == "listening":
                        self.port = event.get("port")
                    elif name == "done":
                        self.done.add(event.get("torrent"))
                    elif name == "totals":
                        self.uploaded = (self.uploaded or 0) + int(event.get("uploaded", 0))
                    elif name in ("error", "hash-failed", "peer-banned"):
                        self.notable.append(event)
                    elif name == "debug" and isinstance(event.get("inside"), dict):
                        # Asked for at each sample: what the seeder holds.
                        inside = event["inside"]
                        self.known[event.get("torrent")] = inside.get("known_addresses", 0)
                        self.cached[event.get("torrent")] = inside.get("read_cache_bytes", 0)
                        self.n_debug += 1
                    self.condition.notify_all()
        self.process.stdout.close()
        self.eof.set()
        with self.condition:
            self.condition.notify_all()

    def wait(self, predicate, timeout, what):
        end = time.monotonic() + timeout
        with self.condition:
            while not predicate():
                if self.eof.is_set():
                    raise Failure(f"the seeder exited before {what}: {tail(self.log)}")
                left = end - time.monotonic()
                if left <= 0:
                    raise Failure(f"the seeder: no {what} within {timeout:.0f} s")
                self.condition.wait(min(left, 1.0))

    def alive(self):
        return not self.eof.is_set() and self.process.poll() is None

    def connections(self):
        with self.condition:
            return self.counts["peer-connected"] - self.counts["peer-gone"]


def tail(path, size=600):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            text = f.read().decode(errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-4:])


# ---------------------------------------------------------------------------
# The leechers.

class Stats:
    """What the slots did, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.c = collections.Counter()
        self.served = 0             # bytes of pieces the leechers verified
        self.running = 0
        self.problems = []          # one line each: data errors, stalls, early exits
        self.warnings = collections.Counter()

    def add(self, key, n=1):
        with self.lock:
            self.c[key] += n

    def problem(self, key, text):
        with self.lock:
            self.c[key] += 1
            self.problems.append(text)
            print(f"  ! {text}", flush=True)

    def warn(self, key):
        with self.lock:
            self.warnings[key] += 1


class Leecher:
    def __init__(self, soak, slot, number, torrent, rate, encryption):
        self.torrent = torrent
        self.stats = soak.stats
        self.folder = os.path.join(soak.leech_root, f"slot{slot:02d}-{number:04d}")
        self.dst = os.path.join(self.folder, "dst")
        os.makedirs(self.dst)
        self.log = os.path.join(self.folder, "leecher.log")
        self.label = (f"slot {slot} #{number} ({torrent.name} {torrent.kind}, --down-rate {rate}m, "
                      f"--encryption {encryption})")
        self.recent = collections.deque(maxlen=12)
        self.debug = []
        self.verified = 0
        self.connected = False
        self.done = None            # monotonic time of "done"
        self.eof = threading.Event()
        self.started = time.monotonic()
        self.progress = self.started
        args = [soak.cli, "peer", "-d", self.dst, "-p", "0", "--bind", "127.0.0.1", "--no-tracker",
                "--json-events", "--exit-when-done", "--state", os.path.join(self.folder, "state"),
                "--down-rate", f"{rate}m", "--encryption", encryption,
                "--peer", f"127.0.0.1:{soak.seeder.port}", torrent.path]
        self.process = CHILDREN.spawn(args, self.log)
        with self.stats.lock:
            self.stats.running += 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            name = event.get("event")
            if name == "piece-verified":
                piece = event.get("piece", -1)
                size = self.torrent.piece_sizes[piece] if 0 <= piece < len(self.torrent.piece_sizes) else 0
                self.verified += size
                self.progress = time.monotonic()
                with self.stats.lock:
                    self.stats.served += size
                continue
            if name == "peer-connected":
                self.connected = True
            elif name == "done":
                self.done = time.monotonic()
            elif name == "debug":
                self.debug.append(event.get("inside"))
            if name not in ("peer-state",):
                self.recent.append(event)
        self.process.stdout.close()
        self.eof.set()

    def finished(self):
        with self.stats.lock:
            self.stats.running -= 1

    def check_data(self):
        """Files that differ from the source, as text; empty when all match."""
        bad = []
        for relative, size, digest in self.torrent.files:
            path = os.path.join(self.dst, relative)
            if not os.path.isfile(path):
                bad.append(f"{relative}: missing")
            elif os.path.getsize(path) != size:
                bad.append(f"{relative}: {os.path.getsize(path)} bytes, not {size}")
            elif file_sha256(path) != digest:
                bad.append(f"{relative}: SHA-256 differs")
        expected = {relative for relative, _, _ in self.torrent.files}
        for base, _, names in os.walk(self.dst):
            for name in names:
                relative = os.path.relpath(os.path.join(base, name), self.dst)
                if relative not in expected:
                    bad.append(f"{relative}: not in the torrent")
        return bad

    def run(self, fate, abort_at, ending):
        """Runs until done and exited, the abort time, a stall or the end
        of the soak. Returns what happened: completed, term, kill, stall,
        early-exit, data-error or ended; True as the second value when the
        folder must stay (a problem)."""
        stats = self.stats
        try:
            while True:
                now = time.monotonic()
                if self.eof.is_set():
                    status = CHILDREN.wait(self.process, 10)
                    if self.done is None and ending.is_set():
                        stats.add("ended")          # stopped by the cleanup
                        return "ended", False
                    if self.done is None:
                        stats.problem("early-exit", f"{self.label} exited with status {status} before done "
                                      f"({self.verified} bytes verified): {tail(self.log)}; last events: "
                                      f"{list(self.recent)[-5:]}")
                        return "early-exit", True
                    if status != 0:
                        stats.problem("early-exit", f"{self.label}: exit status {status} after done: "
                                      f"{tail(self.log)}")
                        return "early-exit", True
                    bad = self.check_data()
                    if bad:
                        stats.problem("data-errors", f"{self.label}: data error: {'; '.join(bad[:5])}")
                        return "data-error", True
                    stats.add("completed")
                    return "completed", False
                if self.done is not None and now - self.done > EXIT_AFTER_DONE_S:
                    stats.problem("early-exit", f"{self.label} did not exit within {EXIT_AFTER_DONE_S} s of done")
                    CHILDREN.stop(self.process, 0)
                    return "early-exit", True
                if ending.is_set():
                    CHILDREN.stop(self.process)
                    stats.add("ended")
                    return "ended", False
                if self.done is None and fate != "finish" and now >= abort_at:
                    return self.abort(fate), False
                if self.done is None and now - self.progress > STALL_S:
                    return self.stall(), True
                self.eof.wait(0.2)
        finally:
            self.finished()

    def abort(self, fate):
        stage = "after connecting" if self.connected else "before connecting"
        if fate == "kill":
            CHILDREN.signal(self.process, signal.SIGKILL)
            CHILDREN.wait(self.process, 10)
            self.stats.add("aborted-kill")
            self.stats.add(f"kill {stage}")
            return "kill"
        status, killed = CHILDREN.stop(self.process)
        if killed:
            self.stats.problem("slow-stops", f"{self.label} did not exit within {TERM_GRACE_S} s of SIGTERM")
        elif status != 0:
            self.stats.warn(f"exit status {status} after SIGTERM")
        self.stats.add("aborted-term")
        self.stats.add(f"term {stage}")
        return "term"

    def stall(self):
        CHILDREN.signal(self.process, signal.SIGUSR1)
        time.sleep(3)
        what = "connected" if self.connected else "never connected"
        self.stats.problem("stalls", f"{self.label}: stalled, no piece for {STALL_S} s ({what}, "
                           f"{self.verified} of {self.torrent.total} bytes verified); last events: "
                           f"{list(self.recent)[-5:]}; inside: {json.dumps(self.debug)[:2000]}")
        with open(os.path.join(self.folder, "stall.json"), "w") as f:
            json.dump({"recent": list(self.recent), "debug": self.debug}, f, indent=1)
        CHILDREN.signal(self.process, signal.SIGKILL)
        CHILDREN.wait(self.process, 10)
        return "stall"


class Soak:
    def __init__(self, args, cli):
        self.args = args
        self.cli = cli
        self.work = tempfile.mkdtemp(prefix="tsr-soak-", dir=args.dir)
        self.logs = os.path.join(self.work, "logs")
        self.leech_root = os.path.join(self.work, "leech")
        self.failed_root = os.path.join(self.logs, "failed")
        os.makedirs(self.failed_root)
        os.makedirs(self.leech_root)
        self.stats = Stats()
        self.seeder = None
        self.ending = threading.Event()
        self.threads = []
        self.samples = []          # (elapsed s, rss KiB, fds, threads, cpu s, running, completed, served, kinds)
        self.src = None
        self.keep_logs = False

    def slot(self, index):
        try:
            self._slot(index)
        except Interrupted:
            pass
        except Exception as error:   # a bug here, not in Tessera: say so, loudly
            self.stats.problem("slot-crashes", f"slot {index} crashed: {type(error).__name__}: {error}")

    def _slot(self, index):
        rng = random.Random(f"tsr-soak-{self.args.seed}-slot-{index}")
        # The slots start spread over the first seconds, not all at once.
        if self.ending.wait(rng.uniform(0, 5)):
            return
        number = 0
        while not self.ending.is_set():
            torrent = rng.choice(self.torrents)
            rate = rng.randint(1, 20)
            encryption = rng.choices(["require", "off", "prefer"], weights=[4, 4, 2])[0]
            fate = rng.choices(["finish", "term", "kill"], weights=[2, 1, 1])[0]
            expected = torrent.total / (rate * MIB)
            if fate != "finish" and rng.random() < 0.15:
                delay = rng.uniform(0, 0.3)                        # in the handshake, or before
            else:
                delay = rng.uniform(0.05, 0.95) * expected + 0.3   # part-way
            leecher = Leecher(self, index, number, torrent, rate, encryption)
            self.stats.add("started")
            self.stats.add(f"encryption {encryption}")
            outcome, keep = leecher.run(fate, leecher.started + delay, self.ending)
            if keep:
                self.keep_logs = True
                shutil.move(leecher.folder, self.failed_root)
            else:
                shutil.rmtree(leecher.folder, ignore_errors=True)
            number += 1
            self.ending.wait(rng.uniform(0.2, 4.0))

    def sample(self, start):
        # The seeder's peer pools and read caches first (one debug event a
        # torrent), then RSS at once, so that the two go together.
        seeder = self.seeder
        with seeder.condition:
            wanted = seeder.n_debug + len(self.torrents)
        CHILDREN.signal(seeder.process, signal.SIGUSR1)
        end = time.monotonic() + 2
        with seeder.condition:
            while seeder.n_debug < wanted and time.monotonic() < end and not seeder.eof.is_set():
                seeder.condition.wait(0.1)
            cached = sum(seeder.cached.values())
            known = sum(seeder.known.values())
        rss, fds, threads, cpu, kinds = proc_sample(seeder.process.pid, self.src)
        with self.stats.lock:
            row = (time.monotonic() - start, rss, fds, threads, cpu, self.stats.running,
                   self.stats.c["completed"], self.stats.served, kinds, cached)
        self.samples.append(row)
        print(f"{row[0]:7.0f} s  RSS {rss / 1024:7.1f} MiB  fds {fds:4d} ({kinds['sockets']:3d} sockets, "
              f"{kinds['payload']:3d} files)  threads {threads:3d}  "
              f"CPU {cpu:7.1f} s  conns {self.seeder.connections():3d}  leechers {row[5]:3d}  "
              f"completed {row[6]:5d}  verified {row[7] / MIB:9.1f} MiB  "
              f"known {known:5d}  cache {cached / MIB:5.1f} MiB",
              flush=True)
        return row


def summary(soak, run_s, baseline, idle, cpu_start):
    args = soak.args
    stats = soak.stats
    c = stats.c
    during = soak.samples[:-1] if idle is not None else soak.samples
    rss = [s[1] / 1024 for s in during]
    warmup = min(WARMUP_S, run_s / 4)
    settled = [s for s in during if s[0] >= warmup]
    rss_slope, rss_error = slope([(s[0] / 3600, s[1] / 1024) for s in settled])
    heap_slope, heap_error = slope([(s[0] / 3600, (s[1] * 1024 - s[9]) / MIB) for s in settled])
    fd_slope, _ = slope([(s[0] / 3600, s[2]) for s in settled])
    rss_mean = sum(s[1] / 1024 for s in settled) / len(settled) if settled else 0

    print()
    print(f"=== soak summary (seed {args.seed}) ===")
    print(f"run: {run_s / 60:.1f} min, {args.torrents} torrents x {args.size_mib} MiB, {args.leechers} leecher slots; "
          f"{len(soak.samples)} samples every {SAMPLE_S} s (the last {IDLE_S} s after the leechers left)")
    print(f"RSS MiB: first {rss[0]:.1f}, min {min(rss):.1f}, max {max(rss):.1f}, last {rss[-1]:.1f}"
          + (f", idle {idle[1] / 1024:.1f}" if idle else ""))
    print(f"fds: first {baseline[2]}, min {min(s[2] for s in during)}, max {max(s[2] for s in during)}, "
          f"last {during[-1][2]}" + (f", idle {idle[2]}" if idle else "")
          + f"; sockets max {max(s[8]['sockets'] for s in during)}"
          + (f", idle {idle[8]['sockets']}" if idle else ""))
    print(f"threads: first {baseline[3]}, max {max(s[3] for s in during)}" + (f", idle {idle[3]}" if idle else ""))
    fmt = (lambda v, e, unit: "n/a (fewer than 3 samples)" if v is None
           else f"{v:+.2f} {unit}" if e is None else f"{v:+.2f} ± {e:.2f} {unit}")
    print(f"after the first {warmup:.0f} s ({len(settled)} samples): RSS slope {fmt(rss_slope, rss_error, 'MiB/h')} "
          f"(mean {rss_mean:.1f} MiB); RSS less the read cache {fmt(heap_slope, heap_error, 'MiB/h')}; "
          f"fd slope {fmt(fd_slope, None, 'fds/h')}")
    last = idle or during[-1]
    cpu = last[4] - cpu_start
    seeder = soak.seeder
    served = seeder.uploaded if seeder.uploaded is not None else stats.served
    print(f"seeder CPU: {cpu:.1f} s over the run ({cpu / max(served / (1 << 30), 1e-9):.1f} s per GiB uploaded)")
    print(f"leechers: {c['started']} started, {c['completed']} completed and checked, "
          f"{c['aborted-term'] + c['aborted-kill']} aborted ({c['aborted-term']} SIGTERM, {c['aborted-kill']} SIGKILL; "
          f"{c['term before connecting'] + c['kill before connecting']} of them before connecting), "
          f"{c['ended']} stopped at the end")
    print(f"  encryption: {c['encryption require']} require, {c['encryption off']} off, {c['encryption prefer']} prefer")
    print(f"problems: {c['data-errors']} data errors, {c['stalls']} stalls, {c['early-exit']} early or failed exits, "
          f"{c['slow-stops']} slow to stop after SIGTERM"
          + "".join(f"; {n}x {k}" for k, n in sorted(stats.warnings.items())))
    print(f"bytes served: the seeder uploaded "
          + (f"{seeder.uploaded / MIB:.1f} MiB" if seeder.uploaded is not None else "? (no totals)")
          + f"; the leechers verified {stats.served / MIB:.1f} MiB (from the seeder and, by PEX, each other)")
    print(f"seeder events: {seeder.counts['peer-connected']} peer-connected, {seeder.counts['peer-gone']} peer-gone, "
          f"{seeder.counts['peer-banned']} peer-banned, {seeder.counts['error']} error, "
          f"{seeder.counts['hash-failed']} hash-failed")
    for event in seeder.notable:
        print(f"  seeder: {json.dumps(event)}")

    if rss_slope is None:
        print("RSS flat: n/a (too few samples after the warm-up)")
    else:
        flat = rss_slope < 0.05 * rss_mean
        print(f"RSS flat: {'yes' if flat else 'no'} (rule: slope after the warm-up below 5% of its mean per hour: "
              f"{rss_slope:+.2f} < {0.05 * rss_mean:.2f} MiB/h)"
              + ("; a short run: a few hundred KiB weigh a lot, run 30 min to judge" if run_s < 20 * 60 else ""))
    if idle is None:
        print("fds flat: n/a (no idle sample)")
    else:
        # Payload files may stay open (the storage's cache, bounded by the
        # files there are): count them apart, and each at most once.
        n_files = sum(len(t.files) for t in soak.torrents)
        before, after = baseline[8], idle[8]
        rest_before = baseline[2] - before["payload"]
        rest_after = idle[2] - after["payload"]
        flat = rest_after <= rest_before + FD_SLACK and after["twice"] == 0 and after["payload"] <= n_files
        print(f"fds flat: {'yes' if flat else 'no'} (rule: {IDLE_S} s after the last leecher, descriptors other "
              f"than payload files at most {FD_SLACK} above the sample before the first leecher: {rest_after} vs "
              f"{rest_before} ({after['sockets']} vs {before['sockets']} sockets); payload files open at most once "
              f"each: {after['payload']} open of {n_files}, {after['twice']} twice)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30, help="how long the leechers come and go (30)")
    parser.add_argument("--torrents", type=int, default=20, help="torrents the seeder serves (20)")
    parser.add_argument("--leechers", type=int, default=40, help="leecher slots (40)")
    parser.add_argument("--size-mib", type=float, default=8, help="payload of each torrent, MiB (8)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--dir", default=None, help="where the work folder goes (default: $TMPDIR or /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    if args.minutes <= 0 or args.torrents < 1 or args.leechers < 1 or args.size_mib <= 0:
        parser.error("--minutes, --torrents, --leechers and --size-mib must be positive")
    if args.dir is not None and not os.path.isdir(args.dir):
        parser.error(f"--dir {args.dir} is not a folder")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    cli = os.environ.get("TESSERA_CLI") or os.path.join(ROOT, "_build", "src", "cli", "tessera-cli")
    if not os.access(cli, os.X_OK):
        sys.exit(f"soak.py: {cli} is missing: build first (meson setup _build && ninja -C _build) "
                 "or set TESSERA_CLI")
    cli = os.path.abspath(cli)

    # SIGTERM, SIGHUP and the time limit unwind like ^C: the finally below
    # stops every child. The limit covers setup (by payload size), the run,
    # the idle wait and stopping.
    def on_signal(signum, frame):
        raise Interrupted(signal.Signals(signum).name)
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(number, on_signal)
    # Even when started in the background by a shell, which ignores it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    limit = int(args.minutes * 60 + GRACE_S + args.torrents * args.size_mib / 20)
    signal.alarm(limit)

    soak = Soak(args, cli)
    status = 0
    try:
        version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30).stdout
        print(f"{(version.strip().splitlines() or ['tessera-cli'])[0]} ({cli})")
        print(f"seed {args.seed}; {args.torrents} torrents x {args.size_mib:g} MiB, {args.leechers} leecher slots, "
              f"{args.minutes:g} min (hard limit {limit} s); work folder {soak.work}")
        print("load average at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
        size = int(args.size_mib * MIB)
        src, soak.torrents = make_torrents(cli, soak.work, args.torrents, size, args.seed)
        soak.src = os.path.realpath(src)
        kinds = collections.Counter(t.kind for t in soak.torrents)
        print(f"payloads made: {', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}", flush=True)
        soak.seeder = Seeder(cli, soak.work, src, soak.torrents, soak.logs)
        soak.seeder.wait(lambda: soak.seeder.port is not None, 30, "listening event")
        soak.seeder.wait(lambda: len(soak.seeder.done) >= args.torrents, 120 + args.torrents * args.size_mib / 10,
                         "done event for every torrent (its data checked)")
        print(f"seeder PID {soak.seeder.process.pid} on 127.0.0.1:{soak.seeder.port}, all {args.torrents} torrents "
              "checked", flush=True)
        time.sleep(2)      # the check's hashing threads settle before the baseline

        start = time.monotonic()
        baseline = soak.sample(start)
        cpu_start = baseline[4]
        for index in range(args.leechers):
            thread = threading.Thread(target=soak.slot, args=(index,), daemon=True)
            soak.threads.append(thread)
            thread.start()
        end = start + args.minutes * 60
        next_sample = start + SAMPLE_S
        while time.monotonic() < end:
            if not soak.seeder.alive():
                raise Failure(f"the seeder died: exit status {soak.seeder.process.poll()}: "
                              f"{tail(soak.seeder.log)}")
            if time.monotonic() >= next_sample:
                soak.sample(start)
                next_sample += SAMPLE_S
            time.sleep(min(0.5, max(0.05, min(next_sample, end) - time.monotonic())))
        run_s = time.monotonic() - start

        print(f"time is up: stopping the leechers, then {IDLE_S} s idle", flush=True)
        soak.ending.set()
        for thread in soak.threads:
            thread.join(TERM_GRACE_S + 20)
        if any(thread.is_alive() for thread in soak.threads):
            print("  ! some slots did not end", flush=True)
        time.sleep(IDLE_S)
        if not soak.seeder.alive():
            raise Failure(f"the seeder died: exit status {soak.seeder.process.poll()}: {tail(soak.seeder.log)}")
        idle = soak.sample(start)
        print(f"  (idle: {soak.seeder.connections()} connections by the seeder's events)", flush=True)

        # Its totals come when it stops: the exact bytes it uploaded.
        seeder_status, killed = CHILDREN.stop(soak.seeder.process)
        soak.seeder.eof.wait(5)
        summary(soak, run_s, baseline, idle, cpu_start)
        print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
        c = soak.stats.c
        if killed or seeder_status != 0:
            print(f"the seeder did not stop cleanly: {'killed after ' + str(TERM_GRACE_S) + ' s' if killed else ''}"
                  f" exit status {seeder_status}")
            soak.keep_logs = True
            status = 1
        if c["data-errors"] or c["stalls"] or c["early-exit"] or c["slow-stops"] or c["slot-crashes"]:
            status = 1
        for line in soak.stats.problems:
            print(f"  ! {line}")
    except (Failure, Interrupted, KeyboardInterrupt) as error:
        what = str(error) or type(error).__name__
        print(f"soak.py: {what}", file=sys.stderr, flush=True)
        if soak.samples:
            print("samples so far:", len(soak.samples), file=sys.stderr)
        status = 1
        soak.keep_logs = soak.keep_logs or isinstance(error, Failure)
    finally:
        # No second ^C or SIGTERM may cut the cleanup short.
        signal.alarm(0)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)
        soak.ending.set()
        CHILDREN.stop_all()
        for thread in soak.threads:
            thread.join(5)
        if args.keep:
            print(f"kept {soak.work}", file=sys.stderr)
        elif soak.keep_logs:
            for name in os.listdir(soak.work):
                if name != "logs":
                    path = os.path.join(soak.work, name)
                    shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
            print(f"logs kept in {soak.logs}", file=sys.stderr)
        else:
            shutil.rmtree(soak.work, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
