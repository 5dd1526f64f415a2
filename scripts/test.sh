#!/usr/bin/env bash
# Sets everything up, builds orchestrate and runs the whole test suite
# (unit tests and end-to-end tests that run the built binary), with a real
# one-node Slurm cluster on 127.0.0.1 for the Slurm tests (stopped at the end),
# then `make install` into a temporary prefix (scripts/check-install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --tests
if scripts/slurm-local.sh start >/dev/null; then
  trap 'scripts/slurm-local.sh stop' EXIT
else
  echo "test: Slurm could not start here; the Slurm tests will be skipped" >&2
fi
swift build --build-tests
swift test --skip-build --parallel "$@"
scripts/check-install.sh
