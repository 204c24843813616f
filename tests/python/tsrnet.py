# SPDX-License-Identifier: GPL-3.0-or-later
"""A network namespace for tests and benchmarks that need a peer off
127.0.0.0/8 (Transmission 3.00 refuses loopback peers).

The namespace is joined to the host by a veth pair: 10.77.N.1 on the host
side, 10.77.N.2 inside, with N picked among the /24s no interface of this
host uses. Only those two addresses are ever used. It is removed by name
at cleanup(), and at exit if the caller forgets. Needs root."""

import atexit
import os
import random
import subprocess


class NamespaceError(RuntimeError):
    """The namespace could not be made; the message says which step failed."""


class Namespace:
    def __init__(self, prefix="tsr"):
        tag = os.getpid() % 10000
        self.name = f"{prefix}-ns{tag}"
        # Interface names have at most 15 characters.
        self.host_if = f"{prefix[:4]}h{tag}"
        self.ns_if = f"{prefix[:4]}n{tag}"
        used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
        free = [n for n in range(2, 251) if f" 10.77.{n}." not in used]
        if not free:
            raise NamespaceError("no free 10.77.N.0/24 for the namespace")
        n = random.choice(free)
        self.host_ip = f"10.77.{n}.1"
        self.ns_ip = f"10.77.{n}.2"
        self.cleanup()
        atexit.register(self.cleanup)
        for command in (["ip", "netns", "add", self.name],
                        ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
                        ["ip", "link", "set", self.ns_if, "netns", self.name],
                        ["ip", "addr", "add", f"{self.host_ip}/24", "dev", self.host_if],
                        ["ip", "link", "set", self.host_if, "up"],
                        ["ip", "netns", "exec", self.name, "ip", "addr", "add", f"{self.ns_ip}/24", "dev", self.ns_if],
                        ["ip", "netns", "exec", self.name, "ip", "link", "set", self.ns_if, "up"],
                        ["ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up"]):
            result = subprocess.run(command, capture_output=True, text=True, timeout=20)
            if result.returncode != 0:
                self.cleanup()
                raise NamespaceError(f"{' '.join(command)}: {result.stderr.strip()}")

    def cleanup(self):
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=20)
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, timeout=20)


class NamespacePair:
    """Two network namespaces joined to each other (not to the host) by a
    veth pair: 10.77.N.1 in the first, 10.77.N.2 in the second, with the
    multicast range routed over the pair. For tests of local discovery
    (BEP 14): its multicast never leaves the two. Needs root."""

    def __init__(self, prefix="tsrp"):
        tag = os.getpid() % 10000
        self.names = (f"{prefix}-a{tag}", f"{prefix}-b{tag}")
        self.ifs = (f"{prefix[:4]}a{tag}", f"{prefix[:4]}b{tag}")
        used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
        free = [n for n in range(2, 251) if f" 10.77.{n}." not in used]
        if not free:
            raise NamespaceError("no free 10.77.N.0/24 for the namespaces")
        n = random.choice(free)
        self.ips = (f"10.77.{n}.1", f"10.77.{n}.2")
        self.cleanup()
        atexit.register(self.cleanup)
        commands = [["ip", "netns", "add", self.names[0]], ["ip", "netns", "add", self.names[1]],
                    ["ip", "link", "add", self.ifs[0], "type", "veth", "peer", "name", self.ifs[1]]]
        for side in (0, 1):
            ns = ["ip", "netns", "exec", self.names[side]]
            commands += [["ip", "link", "set", self.ifs[side], "netns", self.names[side]],
                         ns + ["ip", "addr", "add", f"{self.ips[side]}/24", "dev", self.ifs[side]],
                         ns + ["ip", "link", "set", self.ifs[side], "up"],
                         ns + ["ip", "link", "set", "lo", "up"],
                         ns + ["ip", "route", "add", "224.0.0.0/4", "dev", self.ifs[side]]]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True, timeout=20)
            if result.returncode != 0:
                self.cleanup()
                raise NamespaceError(f"{' '.join(command)}: {result.stderr.strip()}")

    def exec_prefix(self, side):
        return ["ip", "netns", "exec", self.names[side]]

    def cleanup(self):
        for name in self.names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)


class NamespaceHub:
    """@count network namespaces on one Ethernet segment: a bridge in a
    hub namespace of its own, and in member i the address 10.77.N.(i+1)
    (N picked among the /24s no interface of this host uses). Nothing is
    routed to the host or beyond: the members reach each other only. For
    tests with many peers that each need an address of their own
    (Transmission refuses loopback ones). Removed by name at cleanup(),
    and at exit if the caller forgets. Needs root."""

    def __init__(self, count, prefix="tsrh"):
        tag = os.getpid() % 10000
        self.hub = f"{prefix}-hub{tag}"
        self.names = [f"{prefix}-{i}-{tag}" for i in range(count)]
        # Interface names have at most 15 characters: "tsrh" + member + tag.
        self.hub_ifs = [f"{prefix[:4]}{i}h{tag}" for i in range(count)]
        self.member_ifs = [f"{prefix[:4]}{i}m{tag}" for i in range(count)]
        used = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True, timeout=20).stdout
        free = [n for n in range(2, 251) if f" 10.77.{n}." not in used]
        if not free:
            raise NamespaceError("no free 10.77.N.0/24 for the namespaces")
        n = random.choice(free)
        self.ips = [f"10.77.{n}.{i + 1}" for i in range(count)]
        self.cleanup()
        atexit.register(self.cleanup)
        hub = ["ip", "netns", "exec", self.hub]
        commands = [["ip", "netns", "add", self.hub],
                    hub + ["ip", "link", "add", "br0", "type", "bridge"],
                    hub + ["ip", "link", "set", "br0", "up"]]
        for i, name in enumerate(self.names):
            member = ["ip", "netns", "exec", name]
            commands += [["ip", "netns", "add", name],
                         hub + ["ip", "link", "add", self.hub_ifs[i], "type", "veth", "peer", "name",
                                self.member_ifs[i]],
                         hub + ["ip", "link", "set", self.member_ifs[i], "netns", name],
                         hub + ["ip", "link", "set", self.hub_ifs[i], "master", "br0"],
                         hub + ["ip", "link", "set", self.hub_ifs[i], "up"],
                         member + ["ip", "addr", "add", f"{self.ips[i]}/24", "dev", self.member_ifs[i]],
                         member + ["ip", "link", "set", self.member_ifs[i], "up"],
                         member + ["ip", "link", "set", "lo", "up"]]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True, timeout=20)
            if result.returncode != 0:
                self.cleanup()
                raise NamespaceError(f"{' '.join(command)}: {result.stderr.strip()}")

    def exec_prefix(self, i):
        return ["ip", "netns", "exec", self.names[i]]

    def cleanup(self):
        # Deleting a namespace deletes the veth ends inside it, and so their peers.
        for name in self.names + [self.hub]:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)
