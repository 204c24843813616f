#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): Transmission's remote-control protocol with
# many torrents loaded. N (5000) idle torrents are added to tessera-cli
# daemon and to transmission-daemon 3.00; then K (50) torrent-get
# requests of the fields `transmission-remote -l` asks for are timed on
# each (median, p90, CPU time, reply bytes) and compared. See rpc.py for
# what is measured and how.
#
# Usage, from the repo root after building:
#   tests/bench/rpc.sh [--torrents N] [--requests K] [--only tessera,transmission]
#                      [--settle S] [--dir TMPDIR] [--timeout S] [--keep]
# Needs transmission-daemon; no root (everything on 127.0.0.1).
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
exec /usr/bin/python3 "$(dirname "$0")/rpc.py" "$@"
