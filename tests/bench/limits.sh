#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): how far one session goes. 5000 idle torrents
# loaded at once, and 2000 incoming peer connections to one seeding
# torrent, in tessera-cli peer, transmission-daemon and libtorrent; memory
# per idle torrent and per connection, load time, connections kept. See
# limits.py for what is measured and how.
#
# Usage, from the repo root after building:
#   tests/bench/limits.sh [--torrents N] [--connections C]
#                         [--only tessera,transmission,libtorrent] [--parts 1,2]
#                         [--burst B] [--settle S] [--dir TMPDIR] [--timeout S] [--keep]
# Needs root (Transmission runs in a network namespace), python3-libtorrent,
# transmission-daemon, iproute2.
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
# libtorrent's Python binding exists only for the system python.
exec /usr/bin/python3 "$(dirname "$0")/limits.py" "$@"
