#!/usr/bin/env bash
# Sets everything up, builds orchestrate and runs the example pipeline.
# The binary ends up in .build/release/orchestrate; the run's metrics and logs
# in ./metrics and ./logs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --static-swift-stdlib --product orchestrate
status=0
.build/release/orchestrate pipelines/daily.yaml || status=$?
echo
echo "exit code $status; the run's record:"
ls -1t metrics/daily/*.json | head -n 1
echo
.build/release/orchestrate status daily --root .
exit "$status"
