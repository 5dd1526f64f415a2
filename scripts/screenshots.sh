#!/usr/bin/env bash
# Renders the report's overview, a pipeline page, a run page and the list of runs in headless
# Chromium at 1280×800 and 390×844 (a phone) into docs/screenshots/, from a
# demo root where scripts/report-demo/nightly.yaml ran six times. Installs Debian's chromium
# when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
fi
swift build --product orchestrate >&2
binary=$PWD/.build/debug/orchestrate
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/pipelines"
cp scripts/report-demo/nightly.yaml "$root/pipelines/"
for _ in 1 2 3 4 5 6; do "$binary" nightly --root "$root" >/dev/null 2>&1 || true; done
"$binary" report --root "$root" >&2
out=docs/screenshots
mkdir -p "$out"
run=$(ls "$root/report/runs" | sort | tail -1)
shoot() { # page name width height
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$3,$4" --screenshot="$out/$2.png" "file://$root/report/$1" >/dev/null 2>&1
}
for size in "desktop 1280 800" "phone 390 844"; do
  set -- $size
  shoot index.html "overview-$1" "$2" "$3"
  shoot pipelines/nightly.html "pipeline-$1" "$2" "$3"
  shoot "runs/$run" "run-$1" "$2" "$3"
  shoot "runs.html#status=partial" "runs-$1" "$2" "$3"
done
ls "$out"
