#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): transfer speed, CPU time and peak memory of
# tessera-cli peer against libtorrent, aria2c and Transmission, as
# leecher, as seeder and in a swarm of 1 seeder + 8 leechers. See
# swarm.py for what is measured and how.
#
# Usage, from the repo root after building:
#   tests/bench/swarm.sh [--size 1g] [--runs N] [--parts 1,2,3] [--skip-part3] [--leechers LIST]
#                        [--no-transmission] [--tessera-utp] [--dir TMPDIR] [--timeout S] [--keep]
# Needs root (Transmission runs in a network namespace), python3-libtorrent,
# aria2, opentracker, transmission-daemon, iproute2.
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
# libtorrent's Python binding exists only for the system python.
exec /usr/bin/python3 "$(dirname "$0")/swarm.py" "$@"
