# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for tests that run tessera-cli peer: payloads, a peer process
reading --json-events, and opentracker on an address the test chooses."""

import hashlib
import json
import os
import queue
import signal
import subprocess
import threading
import time

from tsrtest import CLI, cli, pseudo_random, write

DEADLINE = 120   # seconds for one transfer, far above what it takes

def make_payload(d, big=24 * 1024 * 1024 + 12345):
    """A multi-file payload of about @big + 3 MiB, and its torrent."""
    src = os.path.join(d, "src")
    root = os.path.join(src, "payload")
    write(os.path.join(root, "big.bin"), pseudo_random(big, 1))
    write(os.path.join(root, "dir", "small.txt"), pseudo_random(777, 2))
    write(os.path.join(root, "dir", "zero"), b"")
    write(os.path.join(root, "mid.bin"), pseudo_random(3 * 1024 * 1024 + 1, 3))
    torrent = os.path.join(d, "payload.torrent")
    cli("create", "-q", "-p", "256k", "-o", torrent, root, check=True)
    return src, torrent


def tree_digest(folder):
    digest = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                digest[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return digest


class Peer:
    """A tessera-cli peer process with --json-events, stopped by PID."""

    def __init__(self, folder, torrent, *extra, tracker_flag=True, state=None):
        flags = ["--no-tracker"] if tracker_flag else []
        # Resume data in the test's folder, never in the user's home.
        state = state or os.path.join(os.path.dirname(os.path.abspath(folder)), "state-" + os.path.basename(folder))
        self.process = subprocess.Popen([CLI, "peer", "-d", folder, "-p", "0", *flags, "--json-events",
                                         "--state", state,
                                         *extra, torrent], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.events = []
        self.lines = queue.Queue()
        # A thread reads stdout: select() cannot see lines already buffered.
        threading.Thread(target=self._read, daemon=True).start()
        first = self.next_event(30)
        assert first is not None and first["event"] == "listening", first
        self.port = first["port"]

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def next_event(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if not line:
            self.lines.put(b"")   # stays at end of file
            return None
        event = json.loads(line)
        self.events.append(event)
        return event

    def drain(self):
        while self.next_event(0.2) is not None:
            pass
        return self.events

    def wait_for_any(self, names, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            event = self.next_event(max(0.1, end - time.monotonic()))
            if event is not None and event["event"] in names:
                return event
            if event is None and self.process.poll() is not None:
                break
        raise AssertionError(f"none of {names} within {timeout} s")

    def wait_for(self, name, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            event = self.next_event(max(0.1, end - time.monotonic()))
            if event is None and self.process.poll() is not None:
                break
            if event is not None and event["event"] == name:
                return event
        # The last events say where it stood (pieces only as a count).
        recent = [e for e in self.events if e["event"] != "piece-verified"][-15:]
        verified = sum(e["event"] == "piece-verified" for e in self.events)
        raise AssertionError(f"no {name!r} event within {timeout} s ({verified} pieces verified); last events: "
                             f"{recent}; stderr: "
                             f"{self.process.stderr.read1(4096) if self.process.poll() is not None else b''}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()


def free_port(kind):
    import socket
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OpenTracker:
    """opentracker on 127.0.0.1 with a whitelist (Debian's build needs one)."""

    def __init__(self, d, info_hashes, address="127.0.0.1"):
        import shutil
        if shutil.which("opentracker") is None:
            raise AssertionError("opentracker is missing: install the Debian package opentracker")
        whitelist = os.path.join(d, "whitelist")
        with open(whitelist, "w") as f:
            f.write("".join(h + "\n" for h in info_hashes))
        # opentracker drops to "nobody" and chroots: it needs to read this.
        os.chmod(d, 0o755)
        os.chmod(whitelist, 0o644)
        self.port = free_port(__import__("socket").SOCK_STREAM)
        self.process = subprocess.Popen(["opentracker", "-i", address, "-p", str(self.port),
                                         "-P", str(self.port), "-w", whitelist],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=d)
        time.sleep(0.5)
        assert self.process.poll() is None, "opentracker did not start"

    def stop(self):
        stop_process(self.process)


def stop_process(process):
    """Stops a process the test started, by PID: TERM, then KILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
