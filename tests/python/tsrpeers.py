# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for tests that run tessera-cli peer: payloads, a peer process
reading --json-events, and opentracker on an address the test chooses."""

import hashlib
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import threading
import urllib.request
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

    def __init__(self, folder, torrent, *extra, tracker_flag=True, state=None, bind="127.0.0.1", prefix=()):
        flags = ["--no-tracker"] if tracker_flag else []
        # Listening on loopback only: nothing of a test's is reachable from outside.
        if bind:
            flags += ["--bind", bind]
        # Plaintext unless a test asks for MSE: hostile peers and connection
        # counts stay exact (test-mse.py covers encryption).
        if not any(str(arg).startswith("--encryption") for arg in extra):
            flags += ["--encryption", "off"]
        # Resume data in the test's folder, never in the user's home.
        state = state or os.path.join(os.path.dirname(os.path.abspath(folder)), "state-" + os.path.basename(folder))
        # @prefix runs it elsewhere, e.g. ["ip", "netns", "exec", NAME].
        self.process = subprocess.Popen([*prefix, CLI, "peer", "-d", folder, "-p", "0", *flags, "--json-events",
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
        # The last events say where it stood (pieces only as a count), and
        # its inner state (SIGUSR1) what it was waiting for.
        inside = self.debug_state()
        recent = [e for e in self.events if e["event"] != "piece-verified"][-15:]
        verified = sum(e["event"] == "piece-verified" for e in self.events)
        raise AssertionError(f"no {name!r} event within {timeout} s ({verified} pieces verified); last events: "
                             f"{recent}; inside: {inside}; stderr: "
                             f"{self.process.stderr.read1(4096) if self.process.poll() is not None else b''}")

    def debug_state(self):
        """The "debug" events the peer prints on SIGUSR1, or None if it is
        gone or does not answer within 5 s."""
        if self.process.poll() is not None:
            return None
        self.process.send_signal(signal.SIGUSR1)
        found = []
        end = time.monotonic() + 5
        while time.monotonic() < end:
            event = self.next_event(max(0.1, end - time.monotonic()))
            if event is not None and event["event"] == "debug":
                found.append(event.get("inside"))
                end = min(end, time.monotonic() + 0.5)
        return found or None

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


class HostilePeer:
    """Has every piece, says so, unchokes at once, then misbehaves as
    @mode says ("corrupt" flips a byte in every even-numbered piece,
    others see test-hostile.py). Serves honest data otherwise."""

    def __init__(self, torrent, folder, mode):
        meta = json.loads(cli("show", "--json", torrent, check=True).stdout)
        self.mode = mode
        self.info_hash = bytes.fromhex(meta["info_hash"])
        self.piece_length = meta["piece_length"]
        self.pieces = meta["piece_count"]
        stream = bytearray()
        for f in meta["files"]:
            with open(os.path.join(folder, f["path"]), "rb") as handle:
                stream += handle.read()
        self.stream = bytes(stream)
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.running = True
        self.connections = 0
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.settimeout(DEADLINE)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    @staticmethod
    def _read(connection, n):
        data = b""
        while len(data) < n:
            chunk = connection.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _block(self, index, begin, size):
        start = index * self.piece_length + begin
        return self.stream[start:start + size]

    def _serve(self, connection):
        try:
            self._read(connection, 68)
            info_hash = bytes(20) if self.mode == "other-torrent" else self.info_hash
            # A refuser speaks BEP 6, whose reject message it abuses.
            reserved = bytes([0, 0, 0, 0, 0, 0, 0, 0x04]) if self.mode == "refuser" else bytes(8)
            connection.sendall(b"\x13BitTorrent protocol" + reserved + info_hash + b"-XX0001-hostilepeer!")
            if self.mode == "other-torrent":
                self._read(connection, 1)      # the leecher must hang up first
                return
            bits = bytearray((self.pieces + 7) // 8)
            for i in range(self.pieces):
                bits[i // 8] |= 0x80 >> (i % 8)
            connection.sendall(struct.pack(">IB", 1 + len(bits), 5) + bytes(bits) + struct.pack(">IB", 1, 1))
            if self.mode == "bad-have":
                connection.sendall(struct.pack(">IBI", 5, 4, self.pieces + 7))
            if self.mode == "oversized":
                connection.sendall(struct.pack(">IB", 4 * 1024 * 1024, 7) + bytes(64 * 1024))
            blocks_sent = 0
            while self.running:
                length = struct.unpack(">I", self._read(connection, 4))[0]
                if length == 0:
                    continue
                message = self._read(connection, length)
                if message[0] != 6:
                    continue
                self.requests += 1
                index, begin, size = struct.unpack(">III", message[1:13])
                if self.mode == "staller":
                    continue
                if self.mode == "refuser":
                    connection.sendall(struct.pack(">IBIII", 13, 16, index, begin, size))
                    continue
                if self.mode == "mid-piece" and blocks_sent >= 5:
                    return                     # gone with blocks still owed
                block = self._block(index, begin, size)
                if self.mode == "corrupt" and index % 2 == 0:
                    block = bytes([block[0] ^ 0xFF]) + block[1:]
                connection.sendall(struct.pack(">IBII", 9 + len(block), 7, index, begin) + block)
                blocks_sent += 1
        except (EOFError, OSError):
            pass
        finally:
            connection.close()

    def stop(self):
        self.running = False
        self.server.close()


class TesseraTracker:
    """tessera-cli tracker on 127.0.0.1, stopped by PID."""

    def __init__(self, d, *extra, port=0, host="127.0.0.1"):
        self.host = host
        listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.process = subprocess.Popen([CLI, "tracker", "--listen", listen, "--json-events",
                                         "--interval", "60", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d)
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
        assert line, f"the tracker did not start (status {self.process.returncode}): {self.process.stderr.read()}"
        event = json.loads(line)
        assert event["event"] == "listening", event
        self.port = event["port"]

    def url(self, scheme):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/announce"

    def stats(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats?format=json", timeout=10) as reply:
            return json.loads(reply.read())

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
