#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Port mapping (UPnP IGD through gupnp-igd, NAT-PMP through libnatpmp)
against a router of the test's own: two network namespaces made here,
joined by a veth pair; the first plays the router (fake-router.py: SSDP,
the device description and SOAP over HTTP, NAT-PMP on UDP 5351), the
second runs `tessera-cli peer --port-map` with its default route through
the first. The miniupnpd tests put Debian's real miniupnpd (nftables
backend) in the first namespace instead, with a second, "external" link
of its own, and read the mappings back from miniupnpd (upnpc -l) and from
its nftables chain. Nothing leaves the two namespaces. Every process is
stopped by PID, also on failure. Needs root."""

import json
import os
import queue
import re
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


MINIUPNPD = "/usr/sbin/miniupnpd"
# miniupnpd refuses to map when its external address is reserved (RFC 5737
# TEST-NET included: "Reserved / private IP address ... Port forwarding is
# impossible") and refuses such an ext_ip= outright, so the external link
# gets an address outside its reserved list. That link is a veth pair with
# both ends in namespace 0 (this kernel has no dummy interfaces): nothing
# is routed off it, so the address is only ever the namespace's own.
MINIUPNPD_EXTERNAL = "198.20.0.1"
MINIUPNPD_HTTP_PORT = 5000   # a fresh namespace: nothing else listens there
NFT_TABLE = "tsrmap"
# The chains miniupnpd fills (upnp_*_chain below), hooked as Debian's
# /etc/miniupnpd/nft_init.sh does; miniupnpd does not make them itself.
NFT_RULESET = f"""table inet {NFT_TABLE} {{
  chain forward {{ type filter hook forward priority 0; policy drop; jump miniupnpd; }}
  chain miniupnpd {{ }}
  chain prerouting {{ type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }}
  chain postrouting {{ type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }}
  chain prerouting_miniupnpd {{ }}
  chain postrouting_miniupnpd {{ }}
}}
"""


def run_in(pair, side, *command, timeout=20, stdin=None):
    result = subprocess.run([*pair.exec_prefix(side), *command], input=stdin, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (command, result.returncode, result.stdout, result.stderr)
    return result.stdout


class Miniupnpd:
    """Debian's miniupnpd in namespace 0 of @pair, in the foreground, its
    log lines (stderr) collected by a thread."""

    def __init__(self, pair, d, upnp, natpmp):
        conf = os.path.join(d, "miniupnpd.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "ext_ifname=wan0",
                f"listening_ip={pair.ifs[0]}",
                f"http_port={MINIUPNPD_HTTP_PORT}",
                "ipv6_disable=yes",
                f"enable_upnp={'yes' if upnp else 'no'}",
                f"enable_natpmp={'yes' if natpmp else 'no'}",
                "secure_mode=yes",
                "system_uptime=no",
                "uuid=5e3d7a52-1c4b-4f0e-9a61-7d2b8c0f4e19",
                f"lease_file={os.path.join(d, 'miniupnpd.leases')}",
                f"upnp_table_name={NFT_TABLE}",
                f"upnp_nat_table_name={NFT_TABLE}",
                "upnp_forward_chain=miniupnpd",
                "upnp_nat_chain=prerouting_miniupnpd",
                "upnp_nat_postrouting_chain=postrouting_miniupnpd",
                # Only our peer, only unprivileged ports.
                f"allow 1024-65535 {pair.ips[1]}/32 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535",
            ]) + "\n")
        self.log = []
        self.lines = queue.Queue()
        self.process = subprocess.Popen([*pair.exec_prefix(0), MINIUPNPD, "-d", "-f", conf,
                                         "-P", os.path.join(d, "miniupnpd.pid")],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()
        # Its last words before serving: the NAT-PMP socket, else HTTP.
        self.wait_for("Listening for NAT-PMP" if natpmp else "HTTP listening on port", 20)

    def _read(self):
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, text, timeout):
        end = time.monotonic() + timeout
        while not any(text in line for line in self.log):
            left = end - time.monotonic()
            assert left > 0, f"miniupnpd never said {text!r}; it said: {self.log[-30:]}"
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            assert line is not None, f"miniupnpd exited ({self.process.wait()}) before {text!r}: {self.log[-30:]}"
            self.log.append(line)

    def recent(self):
        """Its last log lines, those not yet read included."""
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self.lines.put(None)
                break
            self.log.append(line)
        return self.log[-25:]

    def stop(self):
        stop_process(self.process)


def nft_mappings(pair):
    """miniupnpd's DNAT rules as {(protocol, external port): (address, port)}."""
    text = run_in(pair, 0, "nft", "list", "chain", "inet", NFT_TABLE, "prerouting_miniupnpd")
    found = {}
    for line in text.splitlines():
        protocol = re.search(r"@nh,72,8 (0x6|0x11)\b", line)
        dport = re.search(r"\bth dport (\d+)\b", line)
        dnat = re.search(r"\bdnat ip to ([\d.]+):(\d+)", line)
        if protocol and dport and dnat:
            found[({"0x6": "TCP", "0x11": "UDP"}[protocol[1]], int(dport[1]))] = (dnat[1], int(dnat[2]))
    return found


def upnpc_mappings(pair):
    """The mappings miniupnpd lists over UPnP (GetGenericPortMappingEntry),
    asked by upnpc from namespace 1, as {(protocol, external port):
    (address, port, description)}."""
    text = run_in(pair, 1, "upnpc", "-u", f"http://{pair.ips[0]}:{MINIUPNPD_HTTP_PORT}/rootDesc.xml", "-l",
                  timeout=30)
    return {(m[1], int(m[2])): (m[3], int(m[4]), m[5])
            for m in re.finditer(r"^\s*\d+ (TCP|UDP)\s+(\d+)->([\d.]+):(\d+)\s+'([^']*)'", text, re.M)}


def wait_until(test, timeout, what):
    end = time.monotonic() + timeout
    while True:
        value = test()
        if value:
            return value
        assert time.monotonic() < end, f"{what} within {timeout} s"
        time.sleep(0.25)


def with_miniupnpd(d, upnp, natpmp, check):
    from tsrnet import NamespacePair
    assert os.access(MINIUPNPD, os.X_OK), "miniupnpd is missing: install miniupnpd and miniupnpd-nftables"
    src, torrent = make_payload(d, big=256 * 1024)
    pair = NamespacePair(prefix="tsru")
    daemon = peer = None
    try:
        run_in(pair, 1, "ip", "route", "add", "default", "via", pair.ips[0])
        for command in (["ip", "link", "add", "wan0", "type", "veth", "peer", "name", "wan1"],
                        ["ip", "addr", "add", f"{MINIUPNPD_EXTERNAL}/24", "dev", "wan0"],
                        ["ip", "link", "set", "wan0", "up"],
                        ["ip", "link", "set", "wan1", "up"]):
            run_in(pair, 0, *command)
        run_in(pair, 0, "nft", "-f", "-", stdin=NFT_RULESET)
        daemon = Miniupnpd(pair, d, upnp, natpmp)
        peer = Peer(src, torrent, "--port-map", bind=pair.ips[1], prefix=pair.exec_prefix(1))
        check(pair, peer)
    except AssertionError as error:
        if daemon:
            raise AssertionError(f"{error}\nminiupnpd's last lines: {daemon.recent()}") from error
        raise
    finally:
        if peer:
            peer.stop()
        if daemon:
            daemon.stop()
        pair.cleanup()


def check_miniupnpd(pair, peer, methods, upnp):
    """The peer reports one of @methods with miniupnpd's external address
    and its port; miniupnpd's chain forwards TCP and UDP there (and with
    @upnp on, its own UPnP list says so); after SIGTERM both are gone."""
    event = mapping_event(peer, "mapped", 30)
    assert (event["method"] in methods and (event["address"], event["port"]) == (MINIUPNPD_EXTERNAL, peer.port)), \
        (methods, event)
    wanted = {(protocol, peer.port): (pair.ips[1], peer.port) for protocol in ("TCP", "UDP")}
    wait_until(lambda: nft_mappings(pair) == wanted, 10,
               f"miniupnpd's nftables chain holds {wanted} (it holds {nft_mappings(pair)})")
    if upnp:
        listed = upnpc_mappings(pair)
        assert {key: value[:2] for key, value in listed.items()} == wanted, listed
        # Ours when UPnP made them; miniupnpd names NAT-PMP's itself.
        if methods == ("UPnP",):
            assert {value[2] for value in listed.values()} == {"Tessera"}, listed
    assert peer.process.poll() is None
    peer.stop()
    assert peer.process.returncode == 0, peer.process.returncode
    wait_until(lambda: not nft_mappings(pair), 10, f"the mappings removed at exit (left: {nft_mappings(pair)})")
    if upnp:
        assert upnpc_mappings(pair) == {}, upnpc_mappings(pair)


def test_miniupnpd_upnp(d):
    """Debian's miniupnpd with UPnP alone: found by SSDP, TCP and UDP
    mapped (in its nftables chain and in its own list, with our
    description), deleted at exit."""
    with_miniupnpd(d, True, False, lambda pair, peer: check_miniupnpd(pair, peer, ("UPnP",), True))


def test_miniupnpd_natpmp(d):
    """Debian's miniupnpd with NAT-PMP alone: its external address, TCP and
    UDP mapped in its nftables chain, removed (lifetime 0) at exit."""
    with_miniupnpd(d, False, True, lambda pair, peer: check_miniupnpd(pair, peer, ("NAT-PMP",), False))


def test_miniupnpd_both(d):
    """Debian's miniupnpd as it ships, both on: whichever answers first is
    reported, miniupnpd holds one TCP and one UDP mapping (both ways ask
    for the same port), and at exit nothing is left of either."""
    with_miniupnpd(d, True, True, lambda pair, peer: check_miniupnpd(pair, peer, ("UPnP", "NAT-PMP"), True))

tap.run_all(globals())
