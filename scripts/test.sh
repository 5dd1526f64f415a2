#!/usr/bin/env bash
# Sets everything up, builds orchestrate and runs the whole test suite
# (unit tests and end-to-end tests that run the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build --parallel "$@"
