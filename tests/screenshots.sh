#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Screenshots of the app during a live local download, for the README and
# the AppStream metainfo: data/screenshots/main.png (list and overview),
# files.png, peers.png, trackers.png, create.png (the creation dialog
# with a folder dropped on it) and create-hashing.png (while it hashes). Two rate-limited tessera-cli seeders on
# 127.0.0.1 found through opentracker; the app runs under Xvfb on a private
# session bus with a temporary home, as tessera-screenshots (the app's own
# library with a main that saves its window, tests/app/screenshots.c), and
# quits. Everything started here is stopped by PID at exit.
#
# Last, preferences.png: the preferences window, tall enough for every row.
#
# Usage: tests/screenshots.sh [--language LL] [--out DIR] [BUILD_DIR]
#   BUILD_DIR  default _build
#   --out      where the pictures go (default data/screenshots, or
#              /tmp/tessera-shots-LL with --language)
#   --language the app in that language (LANGUAGE=LL, LC_ALL=C.UTF-8), to
#              check a translation for cut labels. The app reads its
#              catalogs from its build's prefix: `meson setup --prefix=DIR`
#              and `meson install` that build first, with LL in po/LINGUAS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LANG_CODE=""
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --language) LANG_CODE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -*) echo "screenshots.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
BUILD=$(cd "${1:-$ROOT/_build}" && pwd)
CLI=$BUILD/src/cli/tessera-cli
APP=$BUILD/tests/tessera-screenshots
if [ -z "$OUT" ]; then
  if [ -n "$LANG_CODE" ]; then OUT=/tmp/tessera-shots-$LANG_CODE; else OUT=$ROOT/data/screenshots; fi
fi
LANG_ENV=()
if [ -n "$LANG_CODE" ]; then
  LANG_ENV=(LC_ALL=C.UTF-8 LANGUAGE="$LANG_CODE")
  localedir=$(meson introspect --buildoptions "$BUILD" | /usr/bin/python3 -c '
import json, sys
options = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(options["prefix"] + "/" + options["localedir"])')
  [ -f "$localedir/$LANG_CODE/LC_MESSAGES/tessera.mo" ] || {
    echo "screenshots.sh: no $localedir/$LANG_CODE/LC_MESSAGES/tessera.mo: add $LANG_CODE to po/LINGUAS and meson install $BUILD" >&2
    exit 1
  }
fi
for tool in opentracker xvfb-run dbus-run-session; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (build-aux/install-deps)" >&2; exit 1; }
done
[ -x "$APP" ] && [ -x "$CLI" ] || { echo "screenshots.sh: build first ($APP)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/tsr-shots-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"

mkdir -p "$WORK/src/Open Movie Project" "$OUT"
head -c 150M /dev/urandom > "$WORK/src/Open Movie Project/movie.mkv"
head -c 3M /dev/urandom > "$WORK/src/Open Movie Project/extras.mkv"
echo "Subtitles" > "$WORK/src/Open Movie Project/movie.srt"
mkdir -p "$WORK/share"
cp -r "$WORK/src/Open Movie Project" "$WORK/share/"
# Sparse, so free to make: long enough to hash for a screenshot mid-way.
truncate -s 8G "$WORK/share/Open Movie Project/master.mkv"
"$CLI" create -q -p 256k -o "$WORK/probe.torrent" "$WORK/src/Open Movie Project"
HASH=$("$CLI" show --json "$WORK/probe.torrent" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["info_hash"])')
echo "$HASH" > "$WORK/whitelist"
chmod 644 "$WORK/whitelist"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
opentracker -i 127.0.0.1 -p "$PORT" -P "$PORT" -w "$WORK/whitelist" >/dev/null 2>&1 &
PIDS+=($!)
"$CLI" create -q -p 256k -c "A made-up movie, for screenshots" -t "http://127.0.0.1:$PORT/announce" \
  -o "$WORK/movie.torrent" "$WORK/src/Open Movie Project"
for i in 1 2; do
  "$CLI" peer -d "$WORK/src" -p 0 --bind 127.0.0.1 --state "$WORK/seed$i" --up-rate $((3 + i))m \
    "$WORK/movie.torrent" >"$WORK/seed$i.log" 2>&1 &
  PIDS+=($!)
done
sleep 3

HOME_DIR=$WORK/home
mkdir -p "$HOME_DIR/Downloads" "$HOME_DIR/.config" "$WORK/shots"
echo 'XDG_DOWNLOAD_DIR="$HOME/Downloads"' > "$HOME_DIR/.config/user-dirs.dirs"
HOME=$HOME_DIR XDG_DATA_HOME=$HOME_DIR/.local/share XDG_CONFIG_HOME=$HOME_DIR/.config \
XDG_CACHE_HOME=$HOME_DIR/.cache GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$BUILD/data \
GDK_BACKEND=x11 GTK_A11Y=none TESSERA_NO_LSD=1 TESSERA_NO_PORT_MAP=1 TESSERA_NO_DHT=1 no_proxy='*' \
  env "${LANG_ENV[@]}" timeout 150 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1400x24" "$APP" \
  --out "$WORK/shots" --share "$WORK/share/Open Movie Project" "$WORK/movie.torrent" \
  > "$WORK/app.log" 2>&1 || { cat "$WORK/app.log" >&2; exit 1; }
for page in main files peers trackers create create-hashing preferences; do
  [ -s "$WORK/shots/$page.png" ] || { cat "$WORK/app.log" >&2; exit 1; }
  cp "$WORK/shots/$page.png" "$OUT/$page.png"
  echo "$OUT/$page.png"
done
