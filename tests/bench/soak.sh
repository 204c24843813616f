#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Soak benchmark (not a test): one `tessera-cli peer` seeding many
# torrents for a long time while leechers come and go, some finishing,
# some stopped with SIGTERM or SIGKILL part-way. Samples the seeder's RSS,
# open files, threads and CPU every 10 s and says whether they stay flat.
# See soak.py for the rules.
#
# Usage, from the repo root after building:
#   tests/bench/soak.sh [--minutes 30] [--torrents 20] [--leechers 40] [--size-mib 8]
#                       [--seed N] [--dir TMPDIR] [--keep]
# TESSERA_CLI (default: _build/src/cli/tessera-cli) names the binary.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
exec /usr/bin/python3 "$(dirname "$0")/soak.py" "$@"
