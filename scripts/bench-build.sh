#!/bin/sh
# Debug build times of the working tree's HEAD and of an older commit, each in
# a git worktree of its own: a clean build, then one after a one-line edit of a
# file low in the library (Platform/Lock.swift) and one after an edit of a file
# at the top (Status/HealthRules.swift). Prints a Markdown table.
#   scripts/bench-build.sh 531e8d8          # HEAD against 531e8d8
#   scripts/bench-build.sh 531e8d8 --reps 2
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec python3 Benchmarks/bench_build.py "$@"
