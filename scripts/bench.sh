#!/bin/sh
# Builds orchestrate in release mode and runs the benchmark suite against
# make, go-task and bash; rewrites docs/benchmarks.md when every workload ran.
#   scripts/bench.sh                 # all workloads
#   scripts/bench.sh status --reps 3 # some of them
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --static-swift-stdlib --product orchestrate
swift build -c release --static-swift-stdlib --product orchestrate-serve
exec python3 Benchmarks/bench.py "$@"
