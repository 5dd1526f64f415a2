#!/usr/bin/env bash
# Slurm workloads on the loopback cluster (scripts/slurm-local.sh):
#   1. 200 trivial tasks through orchestrate (executor: slurm) against a
#      bash loop of `sbatch --wait --wrap true` (timed over LOOP_JOBS jobs,
#      default 20, and scaled to 200: the loop is serial) and one job array
#      of 200 (`sbatch --wait --array`);
#   2. the orchestrator's CPU while it follows 1,000 queued (held) jobs for
#      TRACK_SECONDS (default 120), and how many squeue calls it made (from
#      slurmctld's RPC counts, `sdiag`).
# Uses .build/release/orchestrate (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/orchestrate ] || swift build -c release --product orchestrate
binary=$PWD/.build/release/orchestrate
SLURM_CONF=$(scripts/slurm-local.sh start)
export SLURM_CONF
work=$(mktemp -d "${TMPDIR:-/tmp}/orchestrate-bench-slurm-XXXXXX")
trap 'rm -rf "$work"' EXIT
loop_jobs=${LOOP_JOBS:-20}
track_seconds=${TRACK_SECONDS:-120}

seconds() { python3 -c 'import time; print(time.monotonic())'; }
idle() { while [ -n "$(squeue -h -o %i)" ]; do sleep 0.2; done; }

mkdir -p "$work/pipelines"
{
  echo "executor: slurm"
  echo "slurm: {max_jobs: 200}"
  echo "tasks:"
  for i in $(seq 200); do echo "  - {name: t$i, argv: ['true']}"; done
} >"$work/pipelines/trivial.yaml"

idle
start=$(seconds)
"$binary" "$work/pipelines/trivial.yaml" --root "$work" >/dev/null
orchestrate=$(python3 -c "print(round($(seconds) - $start, 2))")

idle
start=$(seconds)
for _ in $(seq "$loop_jobs"); do sbatch --wait --quiet -o /dev/null --wrap true; done
loop=$(python3 -c "print(round(($(seconds) - $start) * 200 / $loop_jobs, 2))")

idle
start=$(seconds)
sbatch --wait --quiet -o /dev/null --array=1-200 --wrap true
array=$(python3 -c "print(round($(seconds) - $start, 2))")

echo "200 trivial tasks, makespan (s): orchestrate $orchestrate, bash loop of sbatch --wait $loop (from $loop_jobs jobs), job array $array"
python3 -c "print(f'ratios: loop / orchestrate {$loop / $orchestrate:.1f}, orchestrate / array {$orchestrate / $array:.2f}')"

# 1,000 jobs that stay queued: submitted held, so they never start.
{
  echo "executor: slurm"
  echo "slurm: {max_jobs: 1000, extra_args: [--hold]}"
  echo "tasks:"
  for i in $(seq 1000); do echo "  - {name: q$i, argv: ['true']}"; done
} >"$work/pipelines/queued.yaml"
idle
"$binary" "$work/pipelines/queued.yaml" --root "$work" >/dev/null 2>&1 &
pid=$!
while [ "$(squeue -h -t PD -o %i | wc -l)" -lt 1000 ]; do sleep 0.5; done
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rpcs() {
  sdiag | awk '/REQUEST_JOB_INFO/ { for (i = 1; i <= NF; i++) if ($i ~ /^count:/) { sub("count:", "", $i); total += $i } } END { print total + 0 }'
}
before_ticks=$(ticks)
before_rpcs=$(rpcs)
sleep "$track_seconds"
after_ticks=$(ticks)
after_rpcs=$(rpcs)
hz=$(getconf CLK_TCK)
python3 -c "
cpu = ($after_ticks - $before_ticks) / $hz
print(f'1,000 queued jobs for $track_seconds s: orchestrator CPU {cpu:.2f} s = {100 * cpu / $track_seconds:.2f}% of a core, '
      f'{($after_rpcs - $before_rpcs) * 60 / $track_seconds:.1f} job-info calls to slurmctld per minute')"
start=$(seconds)
kill -TERM "$pid"
wait "$pid" || true
python3 -c "print(f'SIGTERM to cancelled record with 1,000 jobs: {$(seconds) - $start:.1f} s')"
echo "jobs left in the queue: $(squeue -h -o %i | wc -l)"
