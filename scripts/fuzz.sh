#!/usr/bin/env bash
# Builds the fuzz harnesses in Fuzz/ (libFuzzer + AddressSanitizer, a debug
# build: every overflow, bounds and unwrap check stays in) and runs them,
# one after the other.
#
#   scripts/fuzz.sh [HARNESS|all] [RUNS]
#
# HARNESS: pipeline-yaml pipeline-json env-file run-record status-index
# journal journal-settle, or all (the default). RUNS: inputs per harness
# (default 1000000).
# Environment: FUZZ_CONFIG=release for an optimized build (traps stay, it is
# faster), FUZZ_ARGS for more libFuzzer flags (e.g. "-fork=1 -ignore_crashes=1"
# to go on past a trap), FUZZ_BUILD_ONLY=1 to only build.
#
# Everything it makes is under .build-fuzz/ (ignored by git): the build;
# corpora/<harness>/, seeded from Fuzz/Corpus/<harness>/ (journal-settle:
# journal's) and, for pipelines, the repository's own pipeline files, then
# grown by libFuzzer; artifacts/<harness>/ (crash-*, timeout-*, oom-*: the
# reproducers); logs/<harness>.log. Fuzz/Dictionaries/<harness>.dict, where
# there is one, gives libFuzzer words to try. A harness that finds a trap
# stops there unless FUZZ_ARGS has -fork=1 -ignore_crashes=1; the others
# still run, and the script exits 1.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
scratch=$root/.build-fuzz
config=${FUZZ_CONFIG:-debug}
harness=${1:-all}
runs=${2:-1000000}
export PATH=/opt/swift/usr/bin:$PATH

all=(pipeline-yaml pipeline-json env-file run-record status-index journal journal-settle)

product() {
  case $1 in
    pipeline-yaml) echo FuzzPipelineYAML ;;
    pipeline-json) echo FuzzPipelineJSON ;;
    env-file) echo FuzzEnvFile ;;
    run-record) echo FuzzRunRecord ;;
    status-index) echo FuzzStatusIndex ;;
    journal) echo FuzzJournal ;;
    journal-settle) echo FuzzJournalSettle ;;
    *) echo "unknown harness '$1' (one of: ${all[*]}, all)" >&2; exit 2 ;;
  esac
}

max_len() {
  case $1 in
    run-record) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# The repository's own files of each kind, added to the seeds.
seed_files() {
  case $1 in
    pipeline-yaml) ls pipelines/*.yaml examples/*.yaml Tests/Pipelines/*/*.yaml ;;
    pipeline-json) ls pipelines/*.json examples/*.json Tests/Pipelines/*/*.json ;;
    *) true ;;
  esac
}

if [[ $harness == all ]]; then harnesses=("${all[@]}"); else harnesses=("$harness"); fi
for name in "${harnesses[@]}"; do product "$name" >/dev/null; done

# Only the harnesses' products: building the whole package would also build
# orchestrate's executables with the fuzzer's main.
flags=(-Xswiftc '-sanitize=fuzzer,address' -Xswiftc -parse-as-library)
mkdir -p "$scratch"
for name in "${harnesses[@]}"; do
  # gold warns about every ASan symbol it cannot export: left out.
  if ! (cd Fuzz && swift build -c "$config" --scratch-path "$scratch" \
    --product "$(product "$name")" "${flags[@]}") >"$scratch/build.log" 2>&1; then
    grep -v 'Cannot export local symbol' "$scratch/build.log" >&2
    echo "build of $name failed" >&2
    exit 1
  fi
  grep -v 'Cannot export local symbol' "$scratch/build.log" | tail -1
done
[[ ${FUZZ_BUILD_ONLY:-0} == 1 ]] && exit 0

status=0
for name in "${harnesses[@]}"; do
  corpus=$scratch/corpora/$name
  artifacts=$scratch/artifacts/$name
  log=$scratch/logs/$name.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp Fuzz/Corpus/"${name%-settle}"/* "$corpus"/
  for file in $(seed_files "$name"); do
    cp "$file" "$corpus/$(echo "${file%/*}" | tr / _)_${file##*/}"
  done
  dictionary=()
  if [[ -f Fuzz/Dictionaries/${name%-settle}.dict ]]; then
    dictionary=(-dict="Fuzz/Dictionaries/${name%-settle}.dict")
  fi
  echo "== $name: $runs inputs, log in ${log#"$root"/}"
  start=$(date +%s)
  before=$(find "$artifacts" -type f | wc -l)
  # The Swift runtime's own backtracer would take the trap's signal before
  # libFuzzer, which then saves no reproducer. Leaks are not what this is
  # for (and FoundationEssentials leaks reading an empty file).
  # shellcheck disable=SC2086
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
    "$scratch/$config/$(product "$name")" "$corpus" -runs="$runs" -max_len="$(max_len "$name")" \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "${dictionary[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
  then
    exited=0
  else
    exited=$?
  fi
  # With -fork and -ignore_crashes libFuzzer can exit 0 after crashes: the
  # reproducers it saved tell.
  found=$(($(find "$artifacts" -type f | wc -l) - before))
  if [[ $exited == 0 && $found == 0 ]]; then
    result="no traps"
  else
    result="FAILED (exit $exited, $found new reproducer(s)): see ${log#"$root"/} and ${artifacts#"$root"/}/"
    status=1
  fi
  # One process prints its final stats; -fork=N prints its progress lines.
  executed=$(grep -o -e 'stat::number_of_executed_units: [0-9]*' -e '^#[0-9]*: cov' "$log" |
    tail -1 | grep -o '[0-9][0-9]*' || echo '?')
  echo "   $executed inputs in $(($(date +%s) - start)) s: $result"
done
exit $status
