#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): the desktop app with N (2000) torrents in its
# library, K (200) of them downloading from a seeder on 127.0.0.1, under
# Xvfb on a private session bus, against transmission-gtk 3.00 with the
# same torrents: time to the window, time until the load is over, CPU
# time, resident memory; in Tessera, through its stall probe
# (TESSERA_STALL_PROBE), sidebar count updates a second and the longest
# main-loop stall while they download, while the list is scrolled top to
# bottom and while a search is typed, each search key's time until the
# list shows its rows, and the search's CPU time. See app-library.py for
# what is measured and how.
#
# Usage, from the repo root after building with the app:
#   tests/bench/app-library.sh [--torrents N] [--active K] [--active-seconds S]
#                              [--only tessera,transmission] [--quiet-window S]
#                              [--dir TMPDIR] [--timeout S] [--keep]
# Needs xvfb, xauth, dbus-daemon, xdotool, transmission-daemon and
# transmission-gtk; no root.
# TESSERA_APP (default: _build/src/app/tessera), TESSERA_CLI (default:
# _build/src/cli/tessera-cli) and GSETTINGS_SCHEMA_DIR (default:
# _build/data) name the build.
#
# No multicast on the real local network from a benchmark (BEP 14).
export TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1
# No accessibility bus for either app (GTK 4 and GTK 3 spellings): no
# screen reader listens, and it would start services on the private bus.
export GTK_A11Y=none NO_AT_BRIDGE=1
case " $* " in
  *" --help "*|*" -h "*) exec /usr/bin/python3 "$(dirname "$0")/app-library.py" --help ;;
esac
for tool in dbus-run-session xvfb-run; do
  command -v "$tool" >/dev/null || { echo "app-library.sh: $tool is missing (Debian packages dbus-daemon, xvfb, xauth)" >&2; exit 1; }
done
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" \
  /usr/bin/python3 "$(dirname "$0")/app-library.py" "$@"
