#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Benchmark (not a test): torrent creation and verification speed of
# tessera-cli against mktorrent, transmission-create and libtorrent, on
# the same data in the page cache, measured in one run. Prints each
# median time and the ratio ours/theirs (below 1.0: we are faster), and
# nettle's single-thread SHA-1 rate as the ceiling.
#
# Usage: tests/bench/hash.sh [BUILD_DIR]   (default: _build)
# Needs: mktorrent transmission-cli python3-libtorrent nettle-bin
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/_build}
CLI=$BUILD/src/cli/tessera-cli
RUNS=${RUNS:-5}
THREADS=${THREADS:-2}

for tool in mktorrent transmission-create nettle-hash /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "hash.sh: $tool is missing (build-aux/install-deps installs it)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import libtorrent' 2>/dev/null || { echo "hash.sh: python3-libtorrent is missing" >&2; exit 1; }
[ -x "$CLI" ] || { echo "hash.sh: build first: $CLI is missing" >&2; exit 1; }

WORK=$(mktemp -d /tmp/tsr-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Data: one 1 GiB file, and 1000 files of mixed sizes (1 KiB to 2 MiB).
mkdir -p "$WORK/big" "$WORK/many"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$WORK/big/file.bin"
python3 - "$WORK/many" <<'PY'
import os, random, sys
random.seed(7)
root = sys.argv[1]
for i in range(1000):
    sub = os.path.join(root, f"d{i % 20:02d}")
    os.makedirs(sub, exist_ok=True)
    size = random.choice([1024, 10_000, 100_000, 500_000, 2_000_000])
    with open(os.path.join(sub, f"f{i:04d}.bin"), "wb") as f:
        f.write(os.urandom(size))
PY
cat "$WORK/big/file.bin" > /dev/null
find "$WORK/many" -type f -exec cat {} + > /dev/null

# Median wall time of RUNS runs of a command, in seconds.
median () {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

row () {   # label ours theirs
  printf '%-44s %8.3f s  %8.3f s  %6.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"
}

# libtorrent's recheck of a finished torrent (what `verify` does).
LT_VERIFY=$(cat <<'PY'
import libtorrent as lt, sys, time
ses = lt.session({"enable_dht": False, "enable_lsd": False, "enable_upnp": False,
                  "enable_natpmp": False, "listen_interfaces": "127.0.0.1:0",
                  "aio_threads": int(sys.argv[3]), "hashing_threads": int(sys.argv[3])})
p = lt.add_torrent_params()
p.ti = lt.torrent_info(sys.argv[1]); p.save_path = sys.argv[2]
p.flags = lt.torrent_flags.paused
h = ses.add_torrent(p)
h.force_recheck(); h.resume()
while True:
    s = h.status()
    if s.state in (lt.torrent_status.seeding, lt.torrent_status.finished): break
    if s.state == lt.torrent_status.downloading and s.progress < 1 and not s.state == lt.torrent_status.checking_files:
        raise SystemExit("libtorrent: data incomplete")
    time.sleep(0.01)
PY
)

bench_data () {   # name path piece_exponent
  local name=$1 path=$2 exp=$3 pk=$(( (1 << $3) / 1024 ))
  local out=$WORK/out
  mkdir -p "$out"
  echo
  echo "== $name (piece size $((pk)) KiB), median of $RUNS, $THREADS threads"
  printf '%-44s %10s  %10s  %6s\n' "" "tessera" "other" "ratio"

  local ours
  ours=$(median "$CLI" create -q -f --no-date --threads "$THREADS" -p "${pk}k" -o "$out/t.torrent" "$path")
  # mktorrent 1.1 refuses to overwrite and has no option to: remove first.
  row "create vs mktorrent -t 1" "$ours" "$(median sh -c "rm -f '$out/m1.torrent'; mktorrent -t 1 -l $exp -o '$out/m1.torrent' '$path'")"
  row "create vs mktorrent -t 2" "$ours" "$(median sh -c "rm -f '$out/m2.torrent'; mktorrent -t 2 -l $exp -o '$out/m2.torrent' '$path'")"
  row "create vs transmission-create" "$ours" "$(median sh -c "rm -f '$out/tc.torrent'; transmission-create -s $pk -o '$out/tc.torrent' '$path'")"
  local parent
  parent=$(dirname "$path")
  row "verify vs libtorrent recheck" \
    "$(median "$CLI" verify -q --threads "$THREADS" -d "$parent" "$out/t.torrent")" \
    "$(median /usr/bin/python3 -c "$LT_VERIFY" "$out/t.torrent" "$parent" "$THREADS")"
  # Same data, same piece size: the same v1 info hash as mktorrent.
  local a b
  a=$("$CLI" show --json "$out/t.torrent" | python3 -c 'import json, sys; print(json.load(sys.stdin)["info_hash"])')
  b=$("$CLI" show --json "$out/m1.torrent" | python3 -c 'import json, sys; print(json.load(sys.stdin)["info_hash"])')
  if [ "$a" = "$b" ]; then echo "info hash equals mktorrent's: $a"; else echo "INFO HASH DIFFERS: $a vs $b"; fi
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), cores: $(nproc)"
SHA1_TIME=$(median nettle-hash -a sha1 "$WORK/big/file.bin")
SHA1_RATE=$(echo "1073741824 / $SHA1_TIME / 1000000" | bc -l)
printf 'nettle SHA-1, one thread, 1 GiB: %.3f s = %.0f MB/s; target for %d threads: %.0f MB/s (90%%)\n' \
  "$SHA1_TIME" "$SHA1_RATE" "$THREADS" "$(echo "$SHA1_RATE * $THREADS * 0.9" | bc -l)"

bench_data "1 GiB file" "$WORK/big/file.bin" 20
OURS=$(median "$CLI" create -q -f --no-date --threads "$THREADS" -p 1m -o "$WORK/rate.torrent" "$WORK/big/file.bin")
printf 'tessera create rate on 1 GiB: %.0f MB/s\n' "$(echo "1073741824 / $OURS / 1000000" | bc -l)"
bench_data "1000 files of mixed sizes" "$WORK/many" 18
