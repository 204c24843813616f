# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for Tessera's Python tests: a TAP reporter, a tiny
bencoder, and a bounded runner for tessera-cli and reference tools."""

import hashlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

CLI = os.environ.get("TESSERA_CLI")
TIMEOUT = 60


class Tap:
    """Collects named checks and prints TAP; a failed check does not stop
    the others. Exit status is nonzero when any failed."""

    def __init__(self):
        self.results = []

    def run(self, name, function, *args):
        try:
            function(*args)
            self.results.append((True, name, None))
        except Exception:  # every failure is reported, never swallowed
            self.results.append((False, name, traceback.format_exc()))

    def run_all(self, namespace):
        """Runs every test_* function of @namespace, each in a fresh temporary
        folder, then finishes. TSR_TEST_ONLY=name runs one by hand (and the
        output says so)."""
        only = os.environ.get("TSR_TEST_ONLY")
        for name, function in list(namespace.items()):
            if not name.startswith("test_") or not callable(function):
                continue
            if only and name[5:].replace("_", "-") != only:
                continue
            with temp_dir() as d:
                self.run(name[5:].replace("_", "-"), function, d)
        if only:
            print(f"# only {only} was run (TSR_TEST_ONLY)")
        self.finish()

    def finish(self):
        print(f"1..{len(self.results)}")
        failed = 0
        for number, (ok, name, detail) in enumerate(self.results, 1):
            print(f"{'ok' if ok else 'not ok'} {number} - {name}")
            if not ok:
                failed += 1
                for line in detail.rstrip().splitlines():
                    print(f"# {line}")
        sys.exit(1 if failed else 0)


def bencode(value):
    if isinstance(value, bool):
        raise TypeError("no booleans in bencode")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(type(value))


def info_hash(info):
    return hashlib.sha1(bencode(info)).hexdigest()


def need_cli():
    if not CLI or not os.access(CLI, os.X_OK):
        raise SystemExit("TESSERA_CLI is not set to the built tessera-cli")


def need_tool(tool, package):
    if shutil.which(tool) is None:
        print(f"Bail out! {tool} is missing: install the Debian package {package} (build-aux/install-deps does)")
        sys.exit(1)


def run(args, timeout=TIMEOUT, cwd=None, check=False):
    """Runs a command with a time bound; returns CompletedProcess."""
    result = subprocess.run(args, capture_output=True, timeout=timeout, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return result


def cli(*args, **kwargs):
    return run([CLI, *args], **kwargs)


def temp_dir():
    return tempfile.TemporaryDirectory(prefix="tsr-test-")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def pseudo_random(size, seed):
    """Deterministic bytes without depending on the random module's stream."""
    out = bytearray()
    counter = 0
    # SHAKE-256 stretches each seed to 1 MiB: hundreds of MiB in seconds.
    while len(out) < size:
        out += hashlib.shake_256(b"%d-%d" % (seed, counter)).digest(min(size - len(out), 1 << 20))
        counter += 1
    return bytes(out)


def read_terminal(fd, timeout):
    """Everything a program writes to the pseudo-terminal @fd until it
    closes; closes @fd. Raises AssertionError after @timeout seconds
    without an end."""
    import select
    import time
    screen = b""
    end = time.monotonic() + timeout
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the terminal output did not end within {timeout} s")
            ready, _, _ = select.select([fd], [], [], min(left, 1))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:        # EIO: the other side closed
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(fd)
    return screen.decode(errors="replace")


class Lines:
    """A process whose output lines (stdout and stderr) are read by a thread."""

    def __init__(self, args, env=None, **kwargs):
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, **kwargs)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, predicate, timeout, what):
        """The first line @predicate accepts within @timeout seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                self.lines.put(None)
                break
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError(f"no {what} within {timeout} s; output: {self.seen[-20:]}")
