#!/usr/bin/env bash
# Times log rotation (orchestrate's libarchive writer) against tar -czf, gzip -6
# and, when the zstd program exists, zstd -3, on log-like text (200 MB by
# default). Every method runs once per round, rounds interleaved, so a busy
# machine slows them all alike; medians are printed with throughput and size
# ratios against gzip -6 (and zstd -3).
#
#   scripts/bench-rotation.sh            # 200 MB, 5 rounds
#   SIZE_MB=50 ROUNDS=3 scripts/bench-rotation.sh
#
# Rotation's time includes everything it does: writing, fsync, rename, reading
# the archive back to verify it, and removing the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${SIZE_MB:-200}
rounds=${ROUNDS:-5}

swift build -c release --product orchestrate >&2
binary=$PWD/.build/release/orchestrate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "generating $size_mb MB of log-like text" >&2
awk -v seed=42 -v mb="$size_mb" -f scripts/bench/log-text.awk >"$work/sample.log"
bytes=$(stat -c %s "$work/sample.log")

methods=(rotate-gzip tar-czf gzip-6)
if command -v zstd >/dev/null 2>&1; then
  methods+=(rotate-zstd zstd-3)
else
  echo "no zstd program: zstd is left out" >&2
fi

# A root whose only run is 10 days old, holding the sample (a hard link, so
# setting it up copies nothing); its policy compresses with $1.
prepare_root() {
  local root=$work/root-$1
  rm -rf "$root"
  mkdir -p "$root/pipelines" "$root/logs/bench"
  printf 'tasks: [{name: a, run: "true"}]\nlogs: {compression: %s, delete_after: never}\n' "$1" \
    >"$root/pipelines/bench.yaml"
  local run
  run=run_$(date -u -d '10 days ago' +%Y%m%d_%H%M%S)_4121
  mkdir "$root/logs/bench/$run"
  ln "$work/sample.log" "$root/logs/bench/$run/extract.log"
  echo "$root"
}

# Runs one method; prints "seconds output-bytes".
measure() {
  local method=$1 root="" output start end
  case $method in
    rotate-*) root=$(prepare_root "${method#rotate-}") ;;
  esac
  rm -f "$work"/out.*
  sync
  start=$(date +%s.%N)
  case $method in
    rotate-*) "$binary" rotate --root "$root" >/dev/null ;;
    tar-czf) tar -czf "$work/out.tar.gz" -C "$work" sample.log ;;
    gzip-6) gzip -6 -c "$work/sample.log" >"$work/out.gz" ;;
    zstd-3) zstd -3 -T1 -q -c "$work/sample.log" >"$work/out.zst" ;;
  esac
  end=$(date +%s.%N)
  case $method in
    rotate-*) output=$(stat -c %s "$root"/logs/bench/*.tar.*) ;;
    *) output=$(stat -c %s "$work"/out.*) ;;
  esac
  awk -v a="$start" -v b="$end" -v o="$output" 'BEGIN { printf "%.3f %d\n", b - a, o }'
}

for method in "${methods[@]}"; do : >"$work/times-$method"; done
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  for method in "${methods[@]}"; do measure "$method" >>"$work/times-$method"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A seconds size
for method in "${methods[@]}"; do
  seconds[$method]=$(cut -d' ' -f1 "$work/times-$method" | median)
  size[$method]=$(cut -d' ' -f2 "$work/times-$method" | median)
done

printf '\ninput: %d bytes of log-like text, %d rounds, medians\n\n' "$bytes" "$rounds"
printf '%-12s %9s %10s %12s %8s\n' method seconds "MB/s" "output" "ratio"
for method in "${methods[@]}"; do
  awk -v m="$method" -v s="${seconds[$method]}" -v o="${size[$method]}" -v b="$bytes" \
    'BEGIN { printf "%-12s %9.2f %10.1f %12d %7.1f%%\n", m, s, b / s / 1e6, o, 100 * o / b }'
done
compare() {
  awk -v a="$1" -v b="$2" -v sa="${seconds[$1]}" -v sb="${seconds[$2]}" \
    -v oa="${size[$1]}" -v ob="${size[$2]}" \
    'BEGIN { printf "%s vs %s: throughput %.2fx, size %.3fx\n", a, b, sb / sa, oa / ob }'
}
echo
compare rotate-gzip gzip-6
compare rotate-gzip tar-czf
if [[ -n ${seconds[zstd-3]:-} ]]; then
  compare rotate-zstd zstd-3
  compare rotate-zstd gzip-6
fi
