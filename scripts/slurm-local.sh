#!/usr/bin/env bash
# A real one-node Slurm cluster on 127.0.0.1 for the tests and benchmarks:
# Debian's slurmctld and slurmd, started without systemd, with their own
# configuration, state and logs under .build/slurm/ (auth/none: no munged).
#   scripts/slurm-local.sh start   # installs the packages if missing; idempotent
#   scripts/slurm-local.sh stop    # stops both daemons; idempotent
#   scripts/slurm-local.sh conf    # prints the path to export as SLURM_CONF
# `start` returns once the node is idle, and prints the SLURM_CONF path.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.build/slurm"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

install_packages() {
  local missing=()
  for package in slurmctld slurmd slurm-client; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-local: not root: cannot install ${missing[*]}" >&2
    return 1
  fi
  echo "slurm-local: installing ${missing[*]}" >&2
  # Packages must not start their own daemons (no systemd here, and ours
  # run with their own configuration).
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  [ -n "$made_policy" ] && rm -f "$policy"
  return 0
}

# A daemon counts as running while its pid is alive and not a zombie (PID 1
# here may reap late).
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
  [ "$state" != Z ]
}

write_config() {
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  local host memory
  host=$(hostname -s)
  # Ports of this checkout's own, so that two checkouts' clusters on one
  # machine do not answer each other's clients.
  local port
  port=$((16800 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 500 * 2))
  memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
  # More CPUs than the machine has: each free CPU takes one new job per
  # scheduling tick, so trivial jobs do not wait for one another.
  cat >"$conf" <<EOF
ClusterName=orchestrate-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
EnforcePartLimits=ALL
DefMemPerCPU=$((memory / 16))
SlurmdParameters=config_overrides
KillWait=5
MinJobAge=300
MaxJobCount=20000
InactiveLimit=0
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 RealMemory=$memory State=UNKNOWN
PartitionName=batch Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=$host MaxTime=60 State=UP
EOF
}

start() {
  install_packages
  if alive "$dir/slurmctld.pid" && alive "$dir/slurmd.pid"; then
    echo "$conf"
    return 0
  fi
  stop >/dev/null
  write_config
  setsid slurmctld -D -i -f "$conf" </dev/null >>"$dir/log/slurmctld.out" 2>&1 &
  setsid slurmd -D -f "$conf" </dev/null >>"$dir/log/slurmd.out" 2>&1 &
  # Ready when the node takes jobs.
  for _ in $(seq 1 300); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
    if [ "$state" = idle ]; then
      echo "$conf"
      return 0
    fi
    sleep 0.1
  done
  echo "slurm-local: the node did not become idle; see $dir/log" >&2
  tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  return 1
}

stop() {
  for daemon in slurmd slurmctld; do
    local pidfile="$dir/$daemon.pid"
    alive "$pidfile" || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 100); do
      alive "$pidfile" || break
      sleep 0.05
    done
    alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  # Jobs' own processes (slurmstepd) end with the daemons' last job.
  return 0
}

# Only the controller, as when slurmctld crashes or its host is down: jobs
# go on running on the node. `start` brings it back (with the node).
stop_controller() {
  alive "$dir/slurmctld.pid" || return 0
  kill "$(cat "$dir/slurmctld.pid")" 2>/dev/null || true
  for _ in $(seq 1 100); do
    alive "$dir/slurmctld.pid" || return 0
    sleep 0.05
  done
  kill -9 "$(cat "$dir/slurmctld.pid")" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  stop-controller) stop_controller ;;
  conf) echo "$conf" ;;
  *)
    echo "usage: $0 start|stop|stop-controller|conf" >&2
    exit 2
    ;;
esac
