#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Port mapping (UPnP IGD through gupnp-igd, NAT-PMP through libnatpmp)
against a router of the test's own: two network namespaces made here,
joined by a veth pair; the first plays the router (fake-router.py: SSDP,
the device description and SOAP over HTTP, NAT-PMP on UDP 5351), the
second runs `tessera-cli peer --port-map` with its default route through
the first. Nothing leaves the two namespaces. Every process is stopped by
PID, also on failure. Needs root."""

import json
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from tsrtest import Tap, need_cli  # noqa: E402
from tsrpeers import Peer, make_payload, stop_process  # noqa: E402

need_cli()
if os.geteuid() != 0:
    print("Bail out! this test makes network namespaces and needs root (CI runs as root)")
    sys.exit(1)

tap = Tap()
ROUTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake-router.py")
EXTERNAL = "203.0.113.7"   # TEST-NET-3, only ever a string in the router's answers


class Router:
    """fake-router.py in namespace 0 of @pair; its records as a queue."""

    def __init__(self, pair, *flags):
        self.process = subprocess.Popen([*pair.exec_prefix(0), "/usr/bin/python3", ROUTER, pair.ips[0],
                                         "--external", EXTERNAL, *flags],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.records = []
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.lines.get(timeout=30)
        assert first and json.loads(first) == {"ready": True}, (first, self.process.stderr.read1(4096))

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def wait_for(self, test, timeout, what):
        end = time.monotonic() + timeout
        while True:
            found = [r for r in self.records if test(r)]
            if found:
                return found
            left = end - time.monotonic()
            assert left > 0, f"the router never saw {what}; it saw {self.records}"
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line:
                self.records.append(json.loads(line))

    def stop(self):
        stop_process(self.process)


def with_router(d, flags, check):
    from tsrnet import NamespacePair
    src, torrent = make_payload(d, big=256 * 1024)
    pair = NamespacePair(prefix="tsrm")
    router = peer = None
    try:
        route = subprocess.run([*pair.exec_prefix(1), "ip", "route", "add", "default", "via", pair.ips[0]],
                               capture_output=True, text=True, timeout=20)
        assert route.returncode == 0, route.stderr
        router = Router(pair, *flags)
        peer = Peer(src, torrent, "--port-map", bind=pair.ips[1], prefix=pair.exec_prefix(1))
        check(pair, router, peer)
    finally:
        if peer:
            peer.stop()
        if router:
            router.stop()
        pair.cleanup()


def mapping_event(peer, state, timeout):
    end = time.monotonic() + timeout
    while True:
        event = peer.wait_for("port-mapping", max(0.1, end - time.monotonic()))
        if event["state"] == state:
            return event
        assert event["state"] == "searching", event


def test_natpmp(d):
    """NAT-PMP alone: the external address asked, TCP and UDP mapped for a
    lease of an hour, reported, and removed (lifetime 0) at exit."""
    def check(pair, router, peer):
        event = mapping_event(peer, "mapped", 30)
        assert (event["method"], event["address"], event["port"]) == ("NAT-PMP", EXTERNAL, peer.port), event
        for kind in ("tcp", "udp"):
            router.wait_for(lambda r: r.get("natpmp") == kind and r["private"] == peer.port and
                            r["public"] == peer.port and r["lifetime"] == 3600, 10, f"a {kind} mapping")
        peer.stop()
        for kind in ("tcp", "udp"):
            router.wait_for(lambda r: r.get("natpmp") == kind and r["lifetime"] == 0, 10, f"the {kind} removal")
    with_router(d, ["--no-upnp"], check)


def test_upnp(d):
    """UPnP alone: found by SSDP on the link, TCP and UDP mapped to our
    address and port, reported with the router's external address, and
    deleted at exit."""
    def check(pair, router, peer):
        event = mapping_event(peer, "mapped", 30)
        assert (event["method"], event["address"], event["port"]) == ("UPnP", EXTERNAL, peer.port), event
        for protocol in ("TCP", "UDP"):
            router.wait_for(lambda r: r.get("upnp") == "AddPortMapping" and r["NewProtocol"] == protocol and
                            r["NewInternalClient"] == pair.ips[1] and r["NewInternalPort"] == str(peer.port) and
                            r["NewExternalPort"] == str(peer.port), 10, f"a {protocol} AddPortMapping")
        peer.stop()
        for protocol in ("TCP", "UDP"):
            router.wait_for(lambda r: r.get("upnp") == "DeletePortMapping" and r["NewProtocol"] == protocol and
                            r["NewExternalPort"] == str(peer.port), 10, f"a {protocol} DeletePortMapping")
    with_router(d, ["--no-natpmp"], check)


def test_no_router(d):
    """Neither: the peer says so, with a reason, within the timeout, and
    keeps running."""
    def check(pair, router, peer):
        event = mapping_event(peer, "failed", 30)
        assert "UPnP" in event["reason"] and "NAT-PMP" in event["reason"], event
        assert peer.process.poll() is None
    with_router(d, ["--no-upnp", "--no-natpmp"], check)


def test_off_by_environment(d):
    """TESSERA_NO_PORT_MAP (set for every test) keeps a peer silent unless
    --port-map is given: no SSDP search and no NAT-PMP request reach the
    router."""
    from tsrnet import NamespacePair
    src, torrent = make_payload(d, big=256 * 1024)
    pair = NamespacePair(prefix="tsrm")
    router = peer = None
    try:
        subprocess.run([*pair.exec_prefix(1), "ip", "route", "add", "default", "via", pair.ips[0]],
                       check=True, capture_output=True, timeout=20)
        router = Router(pair)
        assert os.environ.get("TESSERA_NO_PORT_MAP") == "1", "the test environment must set TESSERA_NO_PORT_MAP"
        peer = Peer(src, torrent, bind=pair.ips[1], prefix=pair.exec_prefix(1))
        time.sleep(4)
        peer.drain()
        assert not [e for e in peer.events if e["event"] == "port-mapping"], peer.events
        try:
            router.wait_for(lambda r: True, 1, "anything")
            raise AssertionError(f"the router heard from a peer told not to map: {router.records}")
        except AssertionError as error:
            if "never saw" not in str(error):
                raise
    finally:
        if peer:
            peer.stop()
        if router:
            router.stop()
        pair.cleanup()


tap.run_all(globals())
