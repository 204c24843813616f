#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): Tessera's uTP against its TCP and against
# libtorrent's uTP on loopback (1 GiB by default: time, CPU per GiB, ratios
# from the same run); LEDBAT in namespaces behind a 20 Mbit/s bottleneck
# (on the wire between them, as a router's) with a 40 ms round trip
# (share of the link alone, an iperf3 TCP flow's share beside it, the
# queueing delay uTP adds, Tessera against libtorrent); and the share of uTP and TCP connections in a mixed swarm.
# See utp.py for what is measured and how.
#
# Usage, from the repo root after building:
#   tests/bench/utp.sh [--size 1g] [--runs N] [--parts 1,2,3] [--ledbat-size 128m]
#                      [--alone S] [--with-tcp S] [--bottleneck wire|tbf] [--tcp-cc cubic]
#                      [--dir TMPDIR] [--timeout S] [--keep]
#   smoke: tests/bench/utp.sh --size 64m --ledbat-size 64m --alone 5 --with-tcp 6
# Needs python3-libtorrent; part 2 needs root, iperf3, iputils-ping, iproute2.
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
# libtorrent's Python binding exists only for the system python.
exec /usr/bin/python3 "$(dirname "$0")/utp.py" "$@"
