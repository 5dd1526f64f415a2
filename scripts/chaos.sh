#!/usr/bin/env bash
# Kills the orchestrator with SIGKILL at random moments, many times over,
# then runs the pipeline once more and counts what a dead orchestrator can
# get wrong. Every figure must be 0.
#
#   scripts/chaos.sh [KILLS]        (default 200; release build)
#
# The pipeline: 20 tasks, 3 at a time, some leaving children in their
# process group, some leaving children in a session of their own. A third
# of the kills land in the first 20 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-200}
scripts/bootstrap.sh
swift build -c release --product orchestrate >/dev/null
binary=$PWD/.build/release/orchestrate

root=$(mktemp -d "${TMPDIR:-/tmp}/orchestrate-chaos.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/pipelines"
{
  echo "max_parallel: 3"
  echo "tasks:"
  for i in $(seq 1 20); do
    case $((i % 4)) in
      0) run="sleep 0.0$((i % 7 + 1)); sleep 600 & echo left a child" ;;
      1) run="sleep 0.0$((i % 5 + 2)); echo done" ;;
      2) run="setsid sleep 601 & sleep 0.03" ;;
      3) run="sleep 0.02; exit $((i % 3 == 0 ? 1 : 0))" ;;
    esac
    dependency=""
    [ "$i" -gt 4 ] && dependency=", depends_on: [t$((i - 4))], run_if: always"
    echo "  - {name: t$i, run: '$run', kill_grace: 1s$dependency}"
  done
} >"$root/pipelines/chaos.yaml"

for round in $(seq 1 "$kills"); do
  "$binary" "$root/pipelines/chaos.yaml" >/dev/null 2>&1 &
  pid=$!
  if ((round % 3 == 0)); then delay=$((RANDOM % 21)); else delay=$((20 + RANDOM % 680)); fi
  sleep "$(printf '0.%03d' "$delay")"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
"$binary" "$root/pipelines/chaos.yaml" >/dev/null 2>&1 || true

python3 - "$root" <<'EOF'
import json, os, sys
root = sys.argv[1]
metrics = f"{root}/metrics/chaos"
records, invalid, running, wrong, abandoned = [], 0, 0, 0, 0
for name in sorted(os.listdir(metrics)):
    if name.startswith(".") or not name.endswith(".json"):
        continue
    try:
        record = json.load(open(f"{metrics}/{name}"))
    except ValueError:
        invalid += 1
        continue
    records.append(record)
    running += record["status"] == "running"
    if record["status"] != "abandoned":
        continue
    abandoned += 1
    status = {task["name"]: task["status"] for task in record["tasks"]}
    log = f"{root}/logs/chaos/{record['run_id']}/orchestrate.log"
    for line in open(log) if os.path.exists(log) else []:
        words = line.split()
        if len(words) > 3 and words[2:4] == ["completed", "in"] and status.get(words[1]) != "completed":
            wrong += 1
leftovers = [n for n in os.listdir(metrics) if n.endswith(".tmp") or n.endswith(".reserve")]
# Every task and its children carry the root in their environment.
marker = f"ORCHESTRATE_ROOT={root}".encode()
survivors = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        environment = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if marker in environment and state != "Z":
        survivors.append(int(pid))
for pid in survivors:
    os.kill(pid, 9)
survivors = len(survivors)
print(f"runs {len(records)}, abandoned {abandoned}, invalid JSON {invalid}, still running {running}, "
      f"completions lost {wrong}, processes alive {survivors}, temporary files {len(leftovers)}")
sys.exit(1 if invalid or running or wrong or survivors or leftovers else 0)
EOF
