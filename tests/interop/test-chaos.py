#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Crash and resume: processes killed with SIGKILL at random moments and
started again, on 127.0.0.1.

- A leecher (tessera-cli peer) downloading a multi-file torrent from a
  Tessera seeder is killed 20 times. In the end its data is right, no
  piece it had recorded as verified is lost, and the bytes that came from
  the seeder (counted by a relay between them) stay under 1.1 x the
  payload plus one piece per kill.
- The tracker (tessera-cli tracker --state) is killed 20 times while
  peers announce: every restart reads its state file (never the fallback
  copy), and every peer announced longer than the save delay before a
  kill is still known after it.

The moments are random with a seed printed in the output, to replay."""

import json
import os
import random
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, cli, need_cli  # noqa: E402
from tsrpeers import DEADLINE, Peer, TesseraTracker, make_payload, tree_digest  # noqa: E402

need_cli()
tap = Tap()
SEED = int(os.environ.get("TSR_CHAOS_SEED", str(int(time.time()))))
print(f"# random seed {SEED} (TSR_CHAOS_SEED replays it)")
KILLS = 20


class CountingRelay:
    """Listens on 127.0.0.1 and relays each connection to @target,
    counting the bytes that come back from it."""

    def __init__(self, target):
        self.target = target
        self.received = 0
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source, sink, count):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if count:
                    with self.lock:
                        self.received += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.running = False
        self.server.close()


def test_leecher_killed_twenty_times(d):
    rng = random.Random(SEED)
    src, torrent = make_payload(d)
    meta = json.loads(cli("show", "--json", torrent, check=True).stdout)
    total = meta["total_size"]
    piece = meta["piece_length"]
    dst = os.path.join(d, "dst")
    os.mkdir(dst)
    state = os.path.join(d, "leecher-state")
    seeder = relay = leecher = None
    try:
        # Rate-limited, so that 20 kills land during the transfer.
        seeder = Peer(src, torrent, "--up-rate", "1m")
        seeder.wait_for("done", 60)
        relay = CountingRelay(("127.0.0.1", seeder.port))
        have = set()
        kills = 0
        while kills < KILLS:
            leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{relay.port}", "--exit-when-done", state=state)
            time.sleep(rng.uniform(0.3, 1.2))
            # What it printed so far, without waiting for more.
            while leecher.next_event(0) is not None:
                pass
            events = leecher.events
            if any(e["event"] == "done" for e in events) or leecher.process.poll() is not None:
                print(f"# run {kills + 1} ended by itself: status {leecher.process.poll()}, last events "
                      f"{[e for e in events if e['event'] != 'piece-verified'][-5:]}")
                break
            leecher.process.send_signal(signal.SIGKILL)
            leecher.process.wait(timeout=10)
            have |= {e["piece"] for e in leecher.events if e["event"] == "piece-verified"}
            leecher.process.stderr.close()
            leecher = None
            kills += 1
        assert kills == KILLS, f"the download ended after {kills} kills: make it slower"
        leecher = Peer(dst, torrent, "--peer", f"127.0.0.1:{relay.port}", "--exit-when-done", state=state)
        leecher.wait_for("done", DEADLINE)
        assert leecher.process.wait(timeout=30) == 0
        assert tree_digest(os.path.join(dst, "payload")) == tree_digest(os.path.join(src, "payload")), \
            "the data is wrong after the kills"
        received = relay.received
        bound = 1.1 * total + piece * kills
        print(f"# {kills} kills, {received} bytes from the seeder for {total} bytes of payload "
              f"({received / total:.3f} x; bound {bound / total:.3f} x)")
        assert received <= bound, f"{received} bytes downloaded for {total}: more than {bound:.0f}"
        assert have, "no piece was verified before the last kill"
    finally:
        for process in (leecher, seeder):
            if process is not None:
                process.stop()
        if relay is not None:
            relay.close()


SAVE_DELAY = 5   # TSR_TRACKER_SERVER_SAVE_DELAY


def test_tracker_killed_twenty_times(d):
    rng = random.Random(SEED + 1)
    src, _ = make_payload(d, big=1024 * 1024)
    state = os.path.join(d, "state")
    torrent = os.path.join(d, "t.torrent")
    cli("create", "-q", "-p", "256k", "-t", "http://127.0.0.1:1/announce", "-o", torrent,
        os.path.join(src, "payload"), check=True)
    announced = {}       # port -> when, for the running tracker
    saved = set()        # ports a tracker had time to save
    count = 0
    tracker = TesseraTracker(d, "--state", state, "--interval", "900")
    port = tracker.port
    try:
        for round_ in range(KILLS):
            for _ in range(2):
                peer_port = 7000 + count
                count += 1
                scheme = rng.choice(["http", "udp"])
                cli("announce", "--json", "--port", str(peer_port), "--tracker", tracker.url(scheme), torrent,
                    check=True)
                announced[peer_port] = time.monotonic()
            # Now and then long enough for a save; else a kill mid-way.
            time.sleep(SAVE_DELAY + 1.5 if round_ % 4 == 3 else rng.uniform(0, 2.5))
            killed_at = time.monotonic()
            tracker.stop(signal.SIGKILL)
            tracker.process.stdout.close()
            said = tracker.process.stderr.read()
            tracker.process.stderr.close()
            tracker = TesseraTracker(d, "--state", state, "--interval", "900", port=port)
            reply = json.loads(cli("announce", "--json", "--port", "6999", "--tracker", tracker.url("udp"),
                                   torrent, check=True).stdout)
            known = {int(p.rsplit(":", 1)[1]) for p in reply["peers"]}
            # What this tracker had time to save is kept for good; what it
            # heard just before the kill may be lost with it.
            saved |= {p for p, when in announced.items() if killed_at - when > SAVE_DELAY + 1}
            announced = {}
            missing = saved - known
            assert not missing, f"round {round_}: peers {sorted(missing)} were lost (known {sorted(known)})"
            assert b"previous copy" not in said, said
        assert len(saved) >= 8, f"only {len(saved)} peers were saved: the test proves little"
        tracker.stop()
        said = tracker.process.stderr.read()
        assert b"previous copy" not in said, said
    finally:
        tracker.stop()


tap.run_all(globals())
