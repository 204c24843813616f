#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A fuzzing campaign: each libFuzzer target runs RUNS executions (default
# 10 million) from its corpus in tests/fuzz/corpus/, with the limits the
# project holds parsers to (1 s per input, 256 MiB), under the sanitizers
# the build was made with. Then the corpus is minimized (-merge=1) over
# the old inputs and the new ones, keeping files of at most 4 KiB, and
# written back to tests/fuzz/corpus/TARGET for CI to replay. Crashes,
# leaks, timeouts and OOMs are copied to OUT/TARGET/.
#
# Not a test: hours of CPU. Build first:
#   CC=clang meson setup _build-fuzz -Dgui=false -Dinterop_tests=false -Dfuzzing=true \
#     -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
#   meson compile -C _build-fuzz
# Usage: tests/fuzz/campaign.sh [-r RUNS] [-o OUT] [-j JOBS] BUILD_DIR [TARGET...]
# Prints one line per target: executions, seconds, corpus before and after,
# findings; the same lines go to OUT/summary.txt.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=10000000
OUT=/tmp/tessera-fuzz-campaign
JOBS=1
while getopts "r:o:j:" opt; do
  case $opt in
    r) RUNS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    *) echo "usage: $0 [-r RUNS] [-o OUT] [-j JOBS] BUILD_DIR [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-r RUNS] [-o OUT] [-j JOBS] BUILD_DIR [TARGET...]" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
shift
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  for dir in "$ROOT"/tests/fuzz/corpus/*/; do TARGETS+=("$(basename "$dir")"); done
fi
mkdir -p "$OUT"
# A smaller quarantine than ASan's 256 MiB default, so that the RSS limit
# measures the parser and not freed memory held for use-after-free checks.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=32:malloc_context_size=20
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

fuzz_one () {
  local target=$1 exe="$BUILD/tests/fuzz/fuzz-$1" work found before after started seconds executed status
  [ -x "$exe" ] || { echo "$target: no $exe (build with -Dfuzzing=true)" >&2; return 1; }
  work=$(mktemp -d "/tmp/tsr-campaign-$target-XXXXXX")
  found="$OUT/$target"
  mkdir -p "$work/corpus" "$work/new" "$found"
  cp "$ROOT/tests/fuzz/corpus/$target/"* "$work/corpus/" 2>/dev/null
  before=$(ls "$work/corpus" | wc -l)
  started=$(date +%s)
  status=0
  # Crashes stop a run; go on from the corpus so far until RUNS are done.
  executed=0
  while [ "$executed" -lt "$RUNS" ]; do
    (cd "$work" && "$exe" -runs=$((RUNS - executed)) -timeout=1 -rss_limit_mb=256 -malloc_limit_mb=256 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$found/" "$work/new" "$work/corpus" \
        > "$work/log" 2>&1)
    status=$?
    local ran
    ran=$(grep -a 'stat::number_of_executed_units' "$work/log" | awk '{print $2}' | tail -1)
    if [ -z "$ran" ]; then
      # Killed by a finding before the final stats: count what it reported.
      ran=$(grep -aoE '^#[0-9]+' "$work/log" | tail -1 | tr -d '#')
      ran=${ran:-1}
    fi
    executed=$((executed + ran))
    cat "$work/log" >> "$found/fuzz.log"
    [ "$status" -eq 0 ] && break
    echo "$target: finding after $executed executions (status $status), see $found" >&2
    [ "$(ls "$found" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-')" -ge 20 ] && break
  done
  seconds=$(( $(date +%s) - started ))
  # Minimize: the old corpus and what this run found, small files only.
  mkdir -p "$work/min"
  find "$work/new" "$work/corpus" -type f -size +4k -delete
  (cd "$work" && "$exe" -merge=1 -timeout=1 -rss_limit_mb=256 "$work/min" "$work/corpus" "$work/new" \
     > "$work/merge.log" 2>&1) || echo "$target: merge failed, corpus kept as it was" >&2
  # The hand-made seeds keep their names (they say what they test); the
  # merged inputs are named by their SHA-1, so a seed kept by the merge is
  # recognised and not added twice.
  if [ "$(ls "$work/min" | wc -l)" -gt 0 ]; then
    local seeds
    seeds=$(cd "$ROOT/tests/fuzz/corpus/$target" && sha1sum -- * 2>/dev/null | awk '{print $1}')
    for file in "$work/min/"*; do
      grep -qx "$(basename "$file")" <<< "$seeds" || cp "$file" "$ROOT/tests/fuzz/corpus/$target/"
    done
  fi
  after=$(ls "$ROOT/tests/fuzz/corpus/$target" | wc -l)
  local findings
  findings=$(ls "$found" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-')
  printf '%-14s %10d executions %6d s  corpus %4d -> %4d  findings %d\n' \
    "$target" "$executed" "$seconds" "$before" "$after" "$findings" | tee -a "$OUT/summary.txt"
  rm -rf "$work"
}

export -f fuzz_one
export ROOT BUILD OUT RUNS
if [ "$JOBS" -gt 1 ]; then
  printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'fuzz_one {}'
else
  for target in "${TARGETS[@]}"; do fuzz_one "$target"; done
fi
