#!/usr/bin/env python3
"""Benchmarks of orchestrate against its peers, measured side by side.

Every workload runs its variants interleaved (A B C A B C ...) several times
and reports medians and ratios from the same run: on a shared machine,
absolute times mean little, ratios measured together mean something.

Usage: scripts/bench.sh [WORKLOAD ...] [--reps N] [--no-write] [--work DIR] [--baseline COMMIT]
Workloads: overhead fanout capture planning status runs startup report serve viewers
sampling items eta (default: all).
--baseline COMMIT: the overhead, planning, status, runs, report and serve workloads also measure
orchestrate built at COMMIT.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "orchestrate")
# `orchestrate serve` runs the orchestrate-serve beside it.
SERVE_PROGRAM = "orchestrate-serve"
TOOLS = os.path.join(ROOT, ".build", "bench-tools")
RESULTS = os.path.join(ROOT, "docs", "benchmarks.md")
# The builds scripts/bench.sh makes of the working tree, made again for --baseline.
BUILDS = [["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", product]
          for product in ("orchestrate", SERVE_PROGRAM)]
# With --baseline COMMIT: (COMMIT as given, its binary), measured beside BINARY.
BASELINE = None


def run(command, cwd=None, env=None, stdout=subprocess.DEVNULL, check=True):
    """Runs a command and returns its wall-clock seconds."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if check and result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed ({result.returncode}): "
                 f"{result.stderr.decode(errors='replace')[-400:]}")
    return elapsed


def interleaved(variants, reps):
    """variants: list of (name, setup_or_None, command_fn). Returns name -> [seconds]."""
    times = {name: [] for name, _, _ in variants}
    for _ in range(reps):
        for name, setup, measure in variants:
            if setup:
                setup()
            times[name].append(measure())
    return times


def median(values):
    return statistics.median(values)


def memory_directory(room):
    """/dev/shm when it has `room` bytes free, else None (the work directory)."""
    memory = "/dev/shm"
    if os.path.isdir(memory) and shutil.disk_usage(memory).free > room:
        return memory
    return None


def go_task():
    """go-task from PyPI (go-task-bin), installed beside the build."""
    binary = os.path.join(TOOLS, "bin", "task")
    if os.path.exists(binary):
        return binary
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", TOOLS, "go-task-bin"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0 or not os.path.exists(binary):
        print(f"  note: go-task not available ({result.stderr.decode()[-200:].strip()}); skipped")
        return None
    return binary


def orchestrate_env(root):
    env = {"PATH": "/usr/bin:/bin", "HOME": root, "ORCHESTRATE_ROOT": root}
    return env


def newest_record(root, pipeline):
    directory = os.path.join(root, "metrics", pipeline)
    names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    with open(os.path.join(directory, names[-1])) as handle:
        return json.load(handle)


def baseline_binary(commit):
    """orchestrate (and orchestrate-serve beside it) built at `commit` in a temporary git
    worktree of this repository, with BUILDS; kept in .build/bench-baseline/<hash>/ for
    the next run."""
    resolved = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "--quiet",
                               commit + "^{commit}"], capture_output=True, text=True)
    if resolved.returncode != 0:
        sys.exit(f"bench: --baseline {commit}: not a commit of this repository")
    folder = os.path.join(ROOT, ".build", "bench-baseline")
    binary = os.path.join(folder, resolved.stdout.strip(), "orchestrate")
    if os.path.exists(binary) and os.path.exists(os.path.join(os.path.dirname(binary),
                                                              SERVE_PROGRAM)):
        return binary
    os.makedirs(folder, exist_ok=True)
    tree = tempfile.mkdtemp(prefix="worktree-", dir=folder)
    print(f"== building orchestrate at {commit} in {os.path.relpath(tree, ROOT)}", flush=True)
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--quiet", "--detach", tree,
                    resolved.stdout.strip()], check=True)
    try:
        # The same versions of the dependencies as the working tree's build, when it has them.
        if os.path.exists(os.path.join(ROOT, "Package.resolved")):
            shutil.copy(os.path.join(ROOT, "Package.resolved"), tree)
        for build in BUILDS:
            subprocess.run(build, cwd=tree, check=True)
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        for program in ("orchestrate", SERVE_PROGRAM):
            shutil.copy2(os.path.join(tree, ".build", "release", program),
                         os.path.join(os.path.dirname(binary), program))
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", tree], check=True)
    return binary


def clear_runs(root):
    for sub in ("metrics", "logs"):
        shutil.rmtree(os.path.join(root, sub), ignore_errors=True)


# --- workloads -------------------------------------------------------------------


def overhead(work, reps):
    """300 trivial tasks in sequence, with full metrics and per-task logs."""
    count = 300
    root = os.path.join(work, "overhead")
    os.makedirs(root, exist_ok=True)
    pipeline = os.path.join(root, "trivial.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": "trivial", "tasks": [
            {"name": f"t{i}", "argv": ["/bin/true"]} for i in range(count)]}, handle)
    with open(os.path.join(root, "Makefile"), "w") as handle:
        targets = " ".join(f"t{i}" for i in range(count))
        handle.write(f".PHONY: all {targets}\nall: {targets}\n")
        for i in range(count):
            handle.write(f"t{i}:\n\t@/bin/true\n")
    with open(os.path.join(root, "Taskfile.yml"), "w") as handle:
        handle.write("version: '3'\ntasks:\n  default:\n    cmds:\n")
        handle.writelines("      - /bin/true\n" for _ in range(count))
    with open(os.path.join(root, "run_task.sh"), "w") as handle:
        handle.write(
            'run_task() {\n'
            '  local name=$1; shift\n'
            '  local start=$(date +%s.%N)\n'
            '  "$@" >> "logs/$name.log" 2>&1; local rc=$?\n'
            '  local end=$(date +%s.%N)\n'
            '  echo "{\\"task\\": \\"$name\\", \\"start\\": $start, \\"end\\": $end, '
            '\\"exit\\": $rc}" >> metrics.jsonl\n'
            '}\n'
            'mkdir -p logs; : > metrics.jsonl\n'
            f'for i in $(seq {count}); do run_task t$i /bin/true; done\n')
    # Each build runs with its root on disk, in the work directory, and in memory:
    # what is left in memory is the orchestrator's own cost, without the file
    # system's cost of creating 300 log files (on a disk with many recent
    # deletions, ext4's inode allocator alone can take longer than make's whole
    # run). Every variant has a fresh root of its own, where runs accumulate as
    # they do under cron: every run adds a record.
    builds = [("orchestrate", BINARY)]
    if BASELINE:
        builds.append((f"orchestrate at {BASELINE[0]}", BASELINE[1]))
    homes, variants = {}, []
    for label, binary in builds:
        for name, place in ((label, work),
                            (f"{label}, root on tmpfs", memory_directory(1 << 28))):
            homes[name] = tempfile.mkdtemp(prefix="orchestrate-overhead-", dir=place)
            variants.append((name, None, lambda binary=binary, home=homes[name]: run(
                [binary, pipeline], env=orchestrate_env(home), check=False)))
    variants += [
        ("make -j1", None, lambda: run(["make", "-s", "-j1", "-C", root])),
        ("bash loop", None,
         lambda: run(["bash", "-c", f"for i in $(seq {count}); do /bin/true; done"])),
        # The same file system work as orchestrate's logs: a new directory
        # per run, a log file per task.
        ("bash loop, a log file per task", None,
         lambda: run(["bash", "-c", "d=$(mktemp -d -p .) && "
                      f"for i in $(seq {count}); do /bin/true > $d/t$i.log 2>&1; done"],
                     cwd=root)),
        ("bash run_task", None, lambda: run(["bash", "run_task.sh"], cwd=root)),
    ]
    task = go_task()
    if task:
        variants.append(("go-task", None, lambda: run([task, "--silent", "-d", root])))
    times = interleaved(variants, reps)
    records = {name: newest_record(home, "trivial") for name, home in homes.items()}
    for name, home in homes.items():
        shutil.rmtree(home, ignore_errors=True)
        assert records[name]["counts"]["completed"] == count, (name, records[name]["counts"])
    record = records["orchestrate"]
    base = median(times["make -j1"])
    columns = ["variant", "median", "× make -j1"]
    rows = [(name, f"{median(v):.3f} s", f"{median(v) / base:.2f}") for name, v in times.items()]
    notes = [
        "orchestrate writes a metrics record and one log file per task; make and "
        "the bash loop record nothing, the loop with a log file per task creates as "
        "many files as orchestrate does. The first orchestrate row keeps its root in "
        "the work directory, on disk, the second in /dev/shm (tmpfs).",
        f"orchestrator CPU for the run: {record.get('orchestrator_cpu_seconds', 0):.3f} s, "
        f"peak RSS {record.get('orchestrator_peak_rss_bytes', 0) / 2**20:.1f} MiB.",
    ]
    if BASELINE:
        # The orchestrator's CPU per task in each root's newest run, in milliseconds.
        cpu = {name: r.get("orchestrator_cpu_seconds", 0) / count * 1000
               for name, r in records.items()}
        columns.append("orchestrator CPU per task")
        rows = [row + (f"{cpu[row[0]]:.3f} ms" if row[0] in cpu else "",) for row in rows]
        old = f"orchestrate at {BASELINE[0]}"
        for place in ("", ", root on tmpfs"):
            new_times, old_times = times["orchestrate" + place], times[old + place]
            # Each repetition ran both builds: their ratio in each repetition shows the spread.
            paired = sorted(n / o for n, o in zip(new_times, old_times))
            notes.append(
                f"orchestrate{place} / {old}{place}: "
                f"{median(new_times) / median(old_times):.3f} by medians; by repetition "
                f"median {median(paired):.3f}, quartiles {paired[len(paired) // 4]:.3f}–"
                f"{paired[3 * len(paired) // 4]:.3f}, range {paired[0]:.3f}–{paired[-1]:.3f}; "
                f"CPU per task {cpu['orchestrate' + place] / cpu[old + place]:.3f}.")
    return {
        "title": f"Overhead: {count} × /bin/true in sequence",
        "columns": columns, "rows": rows, "notes": notes,
    }


def fanout(work, reps):
    """4 sources × 50 tasks of `sleep 0.01`, max_parallel 2 and 4."""
    sources, per_source = 4, 50
    total = sources * per_source
    root = os.path.join(work, "fanout")
    os.makedirs(root, exist_ok=True)
    names = [f"s{s}_t{t}" for s in range(sources) for t in range(per_source)]
    pipeline = os.path.join(root, "fan.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": "fan", "sources": [f"s{s}" for s in range(sources)], "tasks": [
            {"name": f"t{t}", "for_each_source": True, "argv": ["sleep", "0.01"]}
            for t in range(per_source)]}, handle)
    with open(os.path.join(root, "Makefile"), "w") as handle:
        handle.write(f".PHONY: all {' '.join(names)}\nall: {' '.join(names)}\n")
        handle.writelines(f"{n}:\n\t@sleep 0.01\n" for n in names)
    with open(os.path.join(root, "Taskfile.yml"), "w") as handle:
        handle.write("version: '3'\ntasks:\n  default:\n    deps: [" + ", ".join(names) + "]\n")
        handle.writelines(f"  {n}:\n    cmds: [sleep 0.01]\n" for n in names)
    env = orchestrate_env(root)
    task = go_task()
    serial = median([run(["bash", "-c", f"for i in $(seq {total}); do sleep 0.01; done"])
                     for _ in range(3)])
    rows, notes = [], [f"total work, {total} × sleep 0.01 run one after another: {serial:.3f} s; "
                       "ideal makespan = total work / N."]
    for n in (2, 4):
        variants = [
            (f"orchestrate N={n}", None,
             lambda n=n: run([BINARY, pipeline, "--max-parallel", str(n)], env=env)),
            (f"make -j{n}", None, lambda n=n: run(["make", "-s", f"-j{n}", "-C", root])),
        ]
        if task:
            variants.append((f"go-task --concurrency {n}", None,
                             lambda n=n: run([task, "--silent", "--concurrency", str(n),
                                              "-d", root])))
        times = interleaved(variants, reps)
        ideal = serial / n
        rows += [(name, f"{median(v):.3f} s", f"{median(v) / ideal:.2f}")
                 for name, v in times.items()]
    return {
        "title": f"Parallel fan-out: {sources} sources × {per_source} tasks of sleep 0.01",
        "columns": ["variant", "median makespan", "× ideal"],
        "rows": rows, "notes": notes,
    }


def capture(work, reps):
    """One task writing 1 GiB to stdout, against `cmd > file`."""
    size = 1 << 30
    # On a shared VM's disk, writeback of earlier gigabytes swamps the
    # difference being measured; memory-backed /dev/shm shows it.
    memory = memory_directory(3 * size)
    in_memory = memory is not None
    root = tempfile.mkdtemp(prefix="orchestrate-capture-", dir=memory or work)
    command = f"head -c {size} /dev/zero"
    pipeline = os.path.join(root, "flood.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": "flood", "tasks": [
            {"name": "flood", "argv": ["head", "-c", str(size), "/dev/zero"]}]}, handle)
    direct = os.path.join(root, "direct.out")
    env = orchestrate_env(root)
    rss = []

    def orchestrated():
        seconds = run([BINARY, pipeline], env=env)
        record = newest_record(root, "flood")
        log = os.path.join(root, record["tasks"][0]["log_file"])
        assert os.path.getsize(log) >= size, "log holds every byte"
        rss.append(record["orchestrator_peak_rss_bytes"])
        clear_runs(root)
        return seconds

    def redirected():
        seconds = run(["sh", "-c", f"{command} > {direct}"])
        os.unlink(direct)
        return seconds

    # Each variant starts with no dirty pages left by the other: writeback
    # of the previous gigabyte would otherwise land on whoever runs next.
    # Writing a gigabyte varies a lot from one try to the next on a shared
    # machine: more rounds, and the best round shown beside the median.
    times = interleaved([("orchestrate", os.sync, orchestrated),
                         ("sh -c 'cmd > file'", os.sync, redirected)], max(reps, 9))
    shutil.rmtree(root, ignore_errors=True)
    o, d = median(times["orchestrate"]), median(times["sh -c 'cmd > file'"])
    best_o, best_d = min(times["orchestrate"]), min(times["sh -c 'cmd > file'"])
    return {
        "title": "Output capture: one task writing 1 GiB to stdout",
        "columns": ["variant", "median", "throughput", "best round"],
        "rows": [("orchestrate", f"{o:.3f} s", f"{size / o / 2**20:.0f} MiB/s",
                  f"{best_o:.3f} s"),
                 ("sh -c 'cmd > file'", f"{d:.3f} s", f"{size / d / 2**20:.0f} MiB/s",
                  f"{best_d:.3f} s")],
        "notes": [f"files on {'/dev/shm (tmpfs)' if in_memory else 'disk'}; "
                  f"orchestrate / direct throughput: {d / o:.2f}× by medians, "
                  f"{best_d / best_o:.2f}× by best rounds "
                  f"(target ≥ 0.95×); orchestrator peak RSS: {max(rss) / 2**20:.1f} MiB "
                  "(target < 30 MiB)."],
    }


def planning(work, reps):
    """--dry-run of generated pipelines: load, validate, plan."""
    root = os.path.join(work, "planning")
    os.makedirs(root, exist_ok=True)
    rows, env = [], orchestrate_env(root)
    per_unit = []
    for count in (1_000, 10_000, 100_000):
        tasks = []
        for i in range(count):
            deps = [f"t{i - k}" for k in (1, 2, 3, 5, 8) if i - k >= 0]
            tasks.append({"name": f"t{i}", "argv": ["/bin/true"], "depends_on": deps})
        edges = sum(len(t["depends_on"]) for t in tasks)
        path = os.path.join(root, f"plan{count}.json")
        with open(path, "w") as handle:
            json.dump({"name": f"plan{count}", "tasks": tasks}, handle)
        binaries = {"now": BINARY}
        if BASELINE:
            binaries[BASELINE[0]] = BASELINE[1]
        variants = [(label, None, lambda binary=binary: run([binary, path, "--dry-run"], env=env))
                    for label, binary in binaries.items()]
        times = interleaved(variants, max(1, reps if count < 100_000 else 2))
        seconds = median(times["now"])
        per_unit.append(seconds / (count + edges) * 1e6)
        row = [f"{count:,} tasks / {edges:,} edges", f"{seconds:.3f} s", f"{per_unit[-1]:.2f} µs"]
        if BASELINE:
            before = median(times[BASELINE[0]])
            row += [f"{before:.3f} s", f"{seconds / before:.2f}×"]
        rows.append(tuple(row))
    columns = ["pipeline", "median", "per task + edge"]
    if BASELINE:
        columns += [f"at {BASELINE[0]}", "ratio"]
    return {
        "title": "Planning at scale: --dry-run (load, validate, plan)",
        "columns": columns,
        "rows": rows,
        "notes": ["Linear when the cost per task + edge stays flat as the pipeline grows "
                  "(target: ≤ 1 s at 10,000 tasks / 50,000 edges)."],
    }


PYTHON_STATUS = r'''
import json, os, statistics, sys
directory = sys.argv[1]
runs = []
for name in os.listdir(directory):
    if name.endswith(".json"):
        with open(os.path.join(directory, name)) as handle:
            runs.append(json.load(handle))
finished = [r for r in runs if r["status"] != "running"]
completed = [r for r in finished if r["status"] == "completed"]
rate = len(completed) / len(finished)
median = statistics.median(r["duration_seconds"] for r in completed)
print(json.dumps({"runs": len(runs), "success_rate": rate, "median": median}))
'''


def generate_runs(root, pipeline, name, count, env):
    """`count` hourly records of `pipeline` up to now, cloned from one real run; returns
    the metrics directory."""
    run([BINARY, pipeline], env=env)
    template = newest_record(root, name)
    directory = os.path.join(root, "metrics", name)
    for entry in os.listdir(directory):
        if entry.endswith(".json"):
            os.unlink(os.path.join(directory, entry))
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=count)
    for i in range(count):
        moment = start + datetime.timedelta(hours=i)
        run_id = moment.strftime("run_%Y%m%d_%H%M%S_") + str(1000 + i % 30000)
        record = dict(template)
        record["run_id"] = run_id
        record["started_at"] = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        record["status"] = "failed" if i % 13 == 0 else "completed"
        record["duration_seconds"] = 60 + (i * 7919) % 600
        with open(os.path.join(directory, run_id + ".json"), "w") as handle:
            json.dump(record, handle, indent=2, sort_keys=True)
    return directory


def eight_task_history(work, name, count, pipeline_name="eight", tasks=8):
    """A root holding `count` runs of an hourly pipeline of `tasks` tasks (8 unless told):
    (root, env, pipeline, records)."""
    root = os.path.join(work, name)
    os.makedirs(root, exist_ok=True)
    env = orchestrate_env(root)
    pipeline = os.path.join(root, f"{pipeline_name}.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": pipeline_name, "schedule": "0 * * * *", "tasks": [
            {"name": f"step{i}", "argv": ["/bin/true"]} for i in range(tasks)]}, handle)
    return root, env, pipeline, generate_runs(root, pipeline, pipeline_name, count, env)


# Histories measured by status, runs and report: a few years of an hourly pipeline, and
# more than a decade of it.
HISTORY_SIZES = (20_000, 100_000)


_SHARED_HISTORIES = {}


def shared_history(work, count):
    """eight_task_history(work, ..., count), made once for status and runs (which only
    read it): 100,000 records take a minute to write."""
    if count not in _SHARED_HISTORIES:
        _SHARED_HISTORIES[count] = eight_task_history(work, f"history-{count}", count)
    return _SHARED_HISTORIES[count]


def builds():
    """(label, binary): the working tree's build, and with --baseline the baseline's."""
    found = [("orchestrate", BINARY)]
    if BASELINE:
        found.append((f"orchestrate at {BASELINE[0]}", BASELINE[1]))
    return found


def status(work, reps):
    """status --json over 20,000 and 100,000 runs of an 8-task pipeline: warm, and cold
    in each way an index can fall behind its records."""
    return [status_at(work, reps, count) for count in HISTORY_SIZES]


class SavedIndex:
    """A pipeline's status index as a warm call left it, put back before each variant so
    that every variant starts from the same file."""

    def __init__(self, directory):
        self.path = os.path.join(directory, ".status-index")
        with open(self.path, "rb") as handle:
            self.data = handle.read()

    def restore(self, missing=0, torn=False):
        """The saved index without the lines of its last `missing` records (runs that
        ended without updating it, records copied in from another host), or with a last
        line cut short (a writer that died mid-append)."""
        data = self.data
        if missing:
            lines = data.split(b"\n")[:-1]
            data = b"\n".join(lines[:-missing]) + b"\n"
        if torn:
            data += data.split(b"\n")[-2][:40]
        # Written in place, not renamed: a rename changes the directory, and status then
        # checks every record as it would after a run (the index's directory mark).
        with open(self.path, "r+b" if os.path.exists(self.path) else "wb") as handle:
            handle.write(data)
            handle.truncate()

    def remove(self):
        if os.path.exists(self.path):
            os.unlink(self.path)


def status_at(work, reps, count):
    root, env, pipeline, directory = shared_history(work, count)
    args = ["status", "--json", "--days", "100000", "--root", root]
    run([BINARY] + args, env=env)  # the index, as any earlier call would have left it
    saved = SavedIndex(directory)
    # The python script reads every record: only over the smaller history.
    python_out = None
    variants = []
    if count <= 20_000:
        script = os.path.join(root, "status.py")
        with open(script, "w") as handle:
            handle.write(PYTHON_STATUS)
        # Compare the answers once: same success rate and median as the script.
        python_out = json.loads(subprocess.run([sys.executable, script, directory],
                                               capture_output=True).stdout)
        report = json.loads(subprocess.run([BINARY] + args, env=env,
                                           capture_output=True).stdout)
        window = report["pipelines"][0]["window"]
        assert abs(window["success_rate"] - python_out["success_rate"]) < 1e-9, window
        assert abs(window["duration_p50_seconds"] - python_out["median"]) < 1e-9, window
        variants.append(("python script", None, lambda: run([sys.executable, script, directory])))
    missing = 24
    for label, binary in builds():
        command = [binary] + args
        measure = lambda command=command: run(command, env=env, check=False)
        variants += [
            (f"{label}: warm", saved.restore, measure),
            (f"{label}: cold, {missing} records missing from the index",
             lambda: saved.restore(missing=missing), measure),
            (f"{label}: cold, last line torn", lambda: saved.restore(torn=True), measure),
        ]
    times = interleaved(variants, reps)
    # A rebuild reads every record: fewer repetitions.
    rebuilds = [(f"{label}: cold, no index (every record read)", saved.remove,
                 lambda binary=binary: run([binary] + args, env=env, check=False))
                for label, binary in builds()]
    times.update(interleaved(rebuilds, max(2, reps // 2)))
    saved.restore()
    base_name = "python script" if python_out else "orchestrate: warm"
    base = median(times[base_name])
    rows = [(name, f"{median(v):.3f} s", f"{median(v) / base:.3f}") for name, v in times.items()]
    size = sum(os.path.getsize(os.path.join(directory, n)) for n in os.listdir(directory))
    notes = [f"{size / 2**20:.0f} MiB of records, an index of {len(saved.data) / 2**20:.1f} MiB. "
             "Warm: the index current. Cold: the index behind its records, put back before "
             "each call; a missing index means every record is decoded once. Targets over "
             "100,000 runs: warm ≤ 0.1 s, cold ≤ 0.3 s."]
    if python_out:
        notes.append(f"The script and status compute the same success rate "
                     f"({python_out['success_rate']:.4f}) and median duration "
                     f"({python_out['median']:.1f} s). Target: warm ≤ 0.05× the script.")
    return {
        "title": f"Status: {count:,} runs of an 8-task pipeline",
        "columns": ["variant", "median", f"× {base_name}"],
        "rows": rows,
        "notes": notes,
    }


def runs(work, reps):
    """runs over the same histories as status, from the status index, against status --json."""
    return [runs_at(work, reps, count) for count in HISTORY_SIZES]


def runs_at(work, reps, count):
    root, env, _, directory = shared_history(work, count)
    status_args = ["status", "--json", "--days", "100000", "--root", root]
    runs_args = ["runs", "--root", root]
    failed_args = runs_args + ["--status", "failed", "--limit", "0", "--json"]
    run([BINARY] + status_args, env=env)  # builds the status index once, as any earlier run would have
    # The answer once: every failed run of the history, as generate_runs made them.
    listed = json.loads(subprocess.run([BINARY] + failed_args, env=env,
                                       capture_output=True).stdout)
    expected = len(range(0, count, 13))
    assert listed["matching"] == expected == len(listed["runs"]), (listed["matching"], expected)
    variants = []
    for label, binary in builds():
        variants += [
            (f"{label}: status --json (warm)", None,
             lambda binary=binary: run([binary] + status_args, env=env)),
            (f"{label}: runs (20 newest)", None,
             lambda binary=binary: run([binary] + runs_args, env=env)),
            (f"{label}: runs --json (20 newest)", None,
             lambda binary=binary: run([binary] + runs_args + ["--json"], env=env)),
            (f"{label}: runs --since 14d --status failed", None,
             lambda binary=binary: run([binary] + runs_args + ["--since", "14d", "--status",
                                                               "failed"], env=env)),
            (f"{label}: runs --status failed --limit 0 --json ({expected:,} runs)", None,
             lambda binary=binary: run([binary] + failed_args, env=env)),
        ]
    times = interleaved(variants, reps)
    base = median(times["orchestrate: status --json (warm)"])
    rows = [(name, f"{median(v):.3f} s", f"{median(v) / base:.2f}") for name, v in times.items()]
    return {
        "title": f"Runs: {count:,} runs of an 8-task pipeline",
        "columns": ["variant", "median", "× orchestrate: status --json"],
        "rows": rows,
        "notes": ["runs reads the runs' own fields from the status index (no task digests, "
                  "no records). Target: ≤ 1× status --json."],
    }


def startup(work, reps):
    """Size and start time of the binary people install (stripped, Swift runtime linked in)."""
    root = os.path.join(work, "startup")
    os.makedirs(os.path.join(root, "pipelines"), exist_ok=True)
    stripped = os.path.join(root, "orchestrate")
    subprocess.run(["strip", "-o", stripped, BINARY], check=True)
    env = orchestrate_env(root)
    with open(os.path.join(root, "pipelines", "small.yaml"), "w") as handle:
        handle.write("schedule: '0 2 * * *'\ntimezone: Europe/Berlin\n"
                     "tasks:\n  - {name: a, run: 'true'}\n  - {name: b, run: 'true', depends_on: [a]}\n")
    for _ in range(3):
        run([stripped, "small"], env=env)
    batch = 50

    def repeated(command):
        # One start is below the timer's resolution on a busy machine: time a batch.
        def measure():
            start = time.perf_counter()
            for _ in range(batch):
                subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return (time.perf_counter() - start) / batch
        return measure

    variants = [
        ("/bin/true", None, repeated(["/bin/true"])),
        ("orchestrate --version", None, repeated([stripped, "--version"])),
        ("orchestrate status --check (1 pipeline, 3 runs)", None,
         repeated([stripped, "status", "--check"])),
    ]
    times = interleaved(variants, reps)
    rows = [(name, f"{median(v) * 1000:.1f} ms") for name, v in times.items()]
    size = os.path.getsize(stripped)
    linked = subprocess.run(["ldd", stripped], capture_output=True, text=True).stdout
    libraries = [line.split()[0] for line in linked.splitlines()
                 if "=>" in line and "vdso" not in line]
    symbols = subprocess.run(["nm", "-S", BINARY], capture_output=True, text=True).stdout
    icu = sum(int(fields[1], 16) for fields in (line.split() for line in symbols.splitlines())
              if len(fields) == 4 and fields[3].startswith("icudt"))
    return {
        "title": "Start: the installed binary",
        "columns": ["variant", "median per start"],
        "rows": rows,
        "notes": [f"Stripped binary: {size / 2**20:.1f} MiB, of which ICU's data table "
                  f"(what Foundation's internationalization would pull in) is "
                  f"{icu / 2**20:.1f} MiB; {len(libraries)} shared libraries loaded at start "
                  f"({', '.join(libraries)}). "
                  f"Targets: ≤ 20 MiB, --version and status --check ≤ 5 ms."],
    }


def report(work, reps):
    """The HTML report over 20,000 and 100,000 runs of an 8-task pipeline: written in
    full, and updated at the end of a run, against status --json and a run without a report."""
    return [report_at(work, reps, count) for count in HISTORY_SIZES]


def report_at(work, reps, count):
    root, env, pipeline, _ = eight_task_history(work, f"report-{count}", count)
    site = os.path.join(root, "site")
    status_cmd = [BINARY, "status", "--json", "--root", root]
    report_cmd = [BINARY, "report", "--root", root, "-o", site]
    run(status_cmd, env=env)  # builds the status index once, as any earlier run would have

    def full():
        shutil.rmtree(site, ignore_errors=True)
        return run(report_cmd, env=env)

    # The runs accumulate, as under cron; each updates the report it finds.
    updates = {label: [] for label, _ in builds()}

    records = os.path.join(root, "metrics", "eight")

    def with_update(label, binary):
        before = set(os.listdir(records))
        seconds = run([binary, pipeline, "--report", site], env=env)
        # The run's own record: another run may have started in the same second.
        (name,) = [n for n in set(os.listdir(records)) - before if n.endswith(".json")]
        log = os.path.join(root, "logs", "eight", name[:-len(".json")], "orchestrate.log")
        with open(log) as handle:
            lines = [line for line in handle if " report: " in line]
        assert lines and " page(s) written" in lines[-1], lines
        updates[label].append(float(lines[-1].split(" unchanged in ")[1].split(" ms")[0]))
        return seconds

    variants = [
        ("status --json", None, lambda: run(status_cmd, env=env)),
        ("report (every page anew)", None, full),
        ("report again (pages unchanged)", None, lambda: run(report_cmd, env=env)),
        ("run without --report", None, lambda: run([BINARY, pipeline], env=env)),
    ] + [(f"run with --report: {label}", None,
          lambda label=label, binary=binary: with_update(label, binary))
         for label, binary in builds()]
    times = interleaved(variants, reps)
    base = median(times["status --json"])
    plain = median(times["run without --report"])
    rows = [(name, f"{median(v):.3f} s", f"{median(v) / base:.2f}") for name, v in times.items()]
    pages = sum(len(files) for _, _, files in os.walk(site))
    timed = "; ".join(
        f"{label}: median {median(values):.1f} ms, at most {max(values):.1f} ms over "
        f"{len(values)} runs, the run {(median(times[f'run with --report: {label}']) - plain) * 1000:+.0f} ms "
        "against the run without, by medians" for label, values in updates.items())
    return {
        "title": f"Report: {count:,} runs of an 8-task pipeline",
        "columns": ["variant", "median", "× status --json"],
        "rows": rows,
        "notes": [f"The full report writes {pages} pages (the overview, the pipeline, "
                  "the 30 newest runs). Target: ≤ 2 s.",
                  "The update at the end of a run (its page, its pipeline's page, the "
                  f"overview), timed by the run itself in its orchestrate.log: {timed}. "
                  "Target: ≤ 50 ms."],
    }


def wrk_binary():
    """wrk from Debian, installed with apt-get when missing (as the other scripts install
    what they need)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("  installing wrk (apt-get install -y wrk)", flush=True)
    for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"],
                    ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if shutil.which("wrk"):
            break
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: serve needs wrk (apt-get install wrk)")
    return found


def wrk_seconds(text):
    """`1.23ms`, `850.00us`, `1.02s` in seconds."""
    for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * scale
    return float(text)


def wrk_run(wrk, url, connections, seconds, headers=()):
    """One wrk run: requests per second, p50 and p99 in seconds, answers other than 2xx
    or 3xx, and socket errors (connect, read, write, time-out)."""
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True).stdout
    result = {"rate": 0.0, "p50": float("nan"), "p99": float("nan"), "non2xx": 0, "socket": 0}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rate"] = float(words[1])
        elif len(words) == 2 and words[0] == "50%":
            result["p50"] = wrk_seconds(words[1])
        elif len(words) == 2 and words[0] == "99%":
            result["p99"] = wrk_seconds(words[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            result["non2xx"] += int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            result["socket"] += sum(int(word.strip(",")) for word in words[3::2])
    if result["rate"] == 0.0:
        sys.exit(f"bench: wrk gave no rate for {url}: {output[-400:]}")
    return result


def start_server(binary, root, env):
    """`orchestrate serve` on a free loopback port: (process, base URL)."""
    process = subprocess.Popen([binary, "serve", "--root", root, "--listen", "127.0.0.1:0"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    # The readiness line: `serving ROOT on http://127.0.0.1:PORT/`.
    line = process.stdout.readline()
    if "http://" not in line:
        process.kill()
        sys.exit(f"bench: serve did not start: {line!r}")
    return process, line.split()[-1].rstrip("/")


def process_memory(pid):
    """Resident and peak resident memory of a process, in bytes, from /proc."""
    memory = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:")):
                memory[line.split(":")[0]] = int(line.split()[1]) * 1024
    return memory


def serve(work, reps):
    """`serve` over 20,000 runs of a 5-task pipeline, 16 clients at once (wrk)."""
    count, connections, seconds = 20_000, 16, 5
    root, env, _, _ = eight_task_history(work, "serve", count, pipeline_name="nightly", tasks=5)
    run([BINARY, "status", "--json", "--root", root], env=env)  # the index, warm
    wrk = wrk_binary()
    builds = [("orchestrate", BINARY)]
    if BASELINE:
        builds.append((f"orchestrate at {BASELINE[0]}", BASELINE[1]))
    pages = [("overview", "/", ()), ("pipeline page", "/pipelines/nightly.html", ()),
             ("/api/status", "/api/status", ()),
             ("pipeline page, gzip", "/pipelines/nightly.html", ("Accept-Encoding: gzip",))]
    servers = {label: start_server(binary, root, env) for label, binary in builds}
    results = {(page, label): [] for page, _, _ in pages for label, _ in builds}
    loads, sizes, memory = [], {}, {}
    try:
        for page, path, headers in pages:
            for label, (_, base) in servers.items():
                # The first answer: the index read, the page computed once.
                request = urllib.request.Request(base + path, headers=dict(
                    header.split(": ", 1) for header in headers))
                with urllib.request.urlopen(request, timeout=60) as answer:
                    sizes[(page, label)] = len(answer.read())
        for _ in range(reps):
            for page, path, headers in pages:
                for label, (_, base) in servers.items():
                    # The connections of the run before leave first: clients of one
                    # address beyond serve's limit (16) would be refused.
                    time.sleep(2)
                    loads.append(os.getloadavg()[0])
                    results[(page, label)].append(
                        wrk_run(wrk, base + path, connections, seconds, headers))
        for label, (process, _) in servers.items():
            memory[label] = process_memory(process.pid)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    rows = []
    for page, _, _ in pages:
        for label, _ in builds:
            runs = results[(page, label)]
            rows.append((f"{page}: {label}", f"{median([r['rate'] for r in runs]):,.0f}",
                         f"{median([r['p50'] for r in runs]) * 1000:.1f} ms",
                         f"{median([r['p99'] for r in runs]) * 1000:.1f} ms",
                         f"{sum(r['non2xx'] for r in runs)}",
                         f"{sum(r['socket'] for r in runs)}",
                         f"{sizes[(page, label)] / 1024:.1f} KiB"))
    notes = [
        f"wrk, {connections} connections, 2 threads, {seconds} s a run, the variants "
        f"interleaved {reps} times, 2 s apart; the status index warm. Requests/s, p50 and "
        "p99 are medians over the runs; answers other than 2xx or 3xx and socket errors "
        "(connect, read, write, time-out: wrk's 5 s) are summed over them. Target: each "
        "page ≥ 1,000 requests/s with p99 ≤ 50 ms and no errors.",
        "Memory of serve after the runs: " + "; ".join(
            f"{label} {m.get('VmRSS', 0) / 2**20:.1f} MiB resident, "
            f"{m.get('VmHWM', 0) / 2**20:.1f} MiB at most" for label, m in memory.items())
        + ". Load average (1 min) before each run: median "
        f"{median(loads):.2f}, {min(loads):.2f}–{max(loads):.2f}.",
    ]
    return {
        "title": f"Serve: {count:,} runs of a 5-task pipeline, {connections} clients",
        "columns": ["page: build", "requests/s", "p50", "p99", "non-2xx/3xx", "socket errors",
                    "body"],
        "rows": rows, "notes": notes,
    }

ITEM_STAGES = ["fetched", "parsed", "qc", "embedded", "indexed"]


def item_ledger(work, items, pipeline="ledger"):
    """A root whose pipeline has an item ledger of `items` items that went through five stages,
    each stage `started` then `done`: 10 events an item, one run's segment per stage and status,
    written in the ledger's own format (docs/items.md) with its indexes and snapshot, as the runs
    that made them would have left it. Returns (root, env, events)."""
    root = os.path.join(work, f"items-{items}")
    directory = os.path.join(root, "metrics", pipeline, "items")
    segments = os.path.join(directory, "segments")
    os.makedirs(segments, exist_ok=True)
    os.makedirs(os.path.join(root, "pipelines"), exist_ok=True)
    with open(os.path.join(root, "pipelines", f"{pipeline}.yaml"), "w") as handle:
        handle.write("items:\n  stages: [" + ", ".join(ITEM_STAGES) + "]\n"
                     "tasks:\n  - name: append\n    run: python3 \"$APPEND\"\n")
    ids = [f"ITEM{index:07d}" for index in range(items)]
    base = 1_700_000_000_000
    covered = {}
    for number in range(2 * len(ITEM_STAGES)):
        stage, status = ITEM_STAGES[number // 2], ("started", "done")[number % 2]
        run_id = f"run_2026010{number // 10 + 1}_0{number % 10}0000_{1000 + number}"
        task = f"{stage}-task"
        at = base + number * 3_600_000
        path = os.path.join(segments, run_id + ".events")
        offsets = []
        offset = 0
        with open(path, "w") as handle:
            block = []
            for index, item in enumerate(ids):
                line = f"E\t{item}\t{stage}\t{status}\t{at}\t{task}\t1\t\t\t\t\n"
                offsets.append(offset)
                offset += len(line)
                block.append(line)
                if len(block) == 10_000 or index == len(ids) - 1:
                    commit = f"C\t{task}\t1\t{len(block)}\n"
                    handle.write("".join(block) + commit)
                    offset += len(commit)
                    block = []
        covered[run_id + ".events"] = offset
        with open(os.path.join(segments, run_id + ".index"), "w") as handle:
            handle.write("".join(f"{item}\t{where}\n" for item, where in zip(ids, offsets)))
            handle.write(f"#trailer\t{offset:020d}\n")
    last_run = run_id
    with open(os.path.join(directory, "snapshot"), "w") as handle:
        written = 0
        chunk = []
        for item in ids:
            for number, stage in enumerate(ITEM_STAGES):
                at = base + (2 * number + 1) * 3_600_000
                chunk.append(f"{item}\t{stage}\tdone\t{at}\t{last_run}\t{stage}-task\t1\t\n")
            if len(chunk) > 50_000:
                text = "".join(chunk)
                handle.write(text)
                written += len(text)
                chunk = []
        text = "".join(chunk)
        handle.write(text)
        written += len(text)
        summary = f"#summary\nitems\t{items}\n"
        summary += "".join(f"count\t{stage}\tdone\t{items}\n" for stage in sorted(ITEM_STAGES))
        summary += f"latest\tindexed\t{items}\n"
        summary += "settings\t21600.0\t0\t0.1\t" + ",".join(ITEM_STAGES) + "\n"
        summary += "".join(f"covered\t{name}\t{size}\n" for name, size in sorted(covered.items()))
        handle.write(summary)
        handle.write(f"#trailer\t{written:020d}\n")
    return root, orchestrate_env(root), items * 2 * len(ITEM_STAGES)


def items(work, reps):
    """The item ledger at scale: `items P` (summary), `--item ID` and a run appending 100,000 events."""
    count = int(os.environ.get("ORCHESTRATE_BENCH_ITEMS", "1000000"))
    started = time.monotonic()
    root, env, events = item_ledger(work, count)
    made = time.monotonic() - started
    append = os.path.join(root, "append.py")
    with open(append, "w") as handle:
        handle.write("import os\n"
                     "with open(os.environ['ORCHESTRATE_ITEMS'], 'a') as out:\n"
                     "    for n in range(100000):\n"
                     "        out.write('{\"item\": \"NEW%07d\", \"stage\": \"fetched\", "
                     "\"status\": \"done\"}\\n' % n)\n")
    env = dict(env, APPEND=append)
    summary_args = [BINARY, "items", "ledger", "--root", root]
    # Warm: the page cache holds the files, as after any earlier call.
    run(summary_args, env=env)
    snapshot = os.path.join(root, "metrics", "ledger", "items", "snapshot")
    saved = snapshot + ".bench"
    shutil.copyfile(snapshot, saved)

    def fresh():
        # Each appending run starts from the ledger as generated.
        shutil.copyfile(saved, snapshot)
        if os.path.exists(snapshot + ".recent"):
            os.unlink(snapshot + ".recent")
        segments = os.path.join(root, "metrics", "ledger", "items", "segments")
        for name in os.listdir(segments):
            if not name.startswith("run_20260"):
                os.unlink(os.path.join(segments, name))
        records = os.path.join(root, "metrics", "ledger")
        for name in os.listdir(records):
            if name.endswith(".json") and name.startswith("run_"):
                os.unlink(os.path.join(records, name))
        shutil.rmtree(os.path.join(root, "logs"), ignore_errors=True)

    variants = [
        ("items P (summary, warm)", None, lambda: run(summary_args, env=env)),
        ("items P --json", None, lambda: run(summary_args + ["--json"], env=env)),
        ("items P --item ID (history, 10 segments)", None,
         lambda: run(summary_args + ["--item", "ITEM0500000"], env=env)),
        ("run appending 100,000 events (incl. snapshot rewrite)", fresh,
         lambda: run([BINARY, os.path.join(root, "pipelines", "ledger.yaml")], env=env)),
    ]
    times = interleaved(variants, reps)
    rows = [(name, f"{median(v):.3f} s") for name, v in times.items()]
    return {
        "title": f"Items: a ledger of {count:,} items, {events:,} events",
        "columns": ["variant", "median"],
        "rows": rows,
        "notes": [f"Ledger generated in the ledger's format in {made:.0f} s (10 segments with "
                  "their indexes, and the snapshot). Targets: summary < 1 s warm, --item < 0.1 s, "
                  "100,000 events appended in one run < 2 s."],
    }


class Viewers:
    """`clients` browsers showing a running run's page: each asks for the page's live part
    every 2 s, as the page itself does, over a connection it keeps."""

    def __init__(self, base, directory, clients=16, every=2.0):
        self.base, self.directory, self.clients, self.every = base, directory, clients, every
        self.answers, self.failures = 0, 0
        self.lock = threading.Lock()

    def __enter__(self):
        self.known = set(os.listdir(self.directory))
        self.stop, self.found = threading.Event(), threading.Event()
        self.path = None
        self.threads = [threading.Thread(target=self.find)] + [
            threading.Thread(target=self.watch, args=(i,)) for i in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.found.set()
        for thread in self.threads:
            thread.join()

    def find(self):
        """The page of the run being measured, once its record exists: looked for by one
        thread, so that the browsers cost the machine only their requests."""
        while not self.stop.is_set():
            new = [n for n in os.listdir(self.directory)
                   if n.endswith(".json") and n not in self.known]
            if new:
                self.path = f"/runs/{max(new)[:-len('.json')]}.html?live=1"
                self.found.set()
                return
            self.stop.wait(0.02)

    def watch(self, index):
        host, port = self.base.split("//")[1].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.found.wait()
        # Browsers opened at different moments: their ticks spread over the 2 s.
        self.stop.wait(self.every * index / self.clients)
        while not self.stop.is_set():
            try:
                connection.request("GET", self.path)
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            with self.lock:
                self.answers += ok
                self.failures += not ok
            self.stop.wait(self.every)
        connection.close()


def viewers(work, reps):
    """The overhead workload's run (300 trivial tasks) with its page watched by 16 browsers
    (the live part asked for every 2 s) against the same run unwatched, beside 20,000 runs of
    another pipeline."""
    count, clients = 300, 16
    root, env, _, _ = eight_task_history(work, "viewers", 20_000)
    pipeline = os.path.join(root, "watched.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": "watched", "tasks": [
            {"name": f"t{i}", "argv": ["/bin/true"]} for i in range(count)]}, handle)
    directory = os.path.join(root, "metrics", "watched")
    run([BINARY, pipeline], env=env)  # the pipeline's directory, and a first record
    process, base = start_server(BINARY, root, env)
    served = {"answers": 0, "failures": 0}
    cpu = {"unwatched": [], "watched": []}
    loads = []

    def measure(watched):
        def once():
            loads.append(os.getloadavg()[0])
            start = time.perf_counter()
            if watched:
                with Viewers(base, directory, clients) as viewing:
                    run([BINARY, pipeline], env=env)
                served["answers"] += viewing.answers
                served["failures"] += viewing.failures
            else:
                run([BINARY, pipeline], env=env)
            elapsed = time.perf_counter() - start
            record = newest_record(root, "watched")
            assert record["counts"]["completed"] == count, record["counts"]
            cpu["watched" if watched else "unwatched"].append(record["orchestrator_cpu_seconds"])
            return elapsed
        return once

    try:
        times = interleaved([("unwatched", None, measure(False)),
                             (f"watched by {clients} browsers", None, measure(True))], reps)
        memory = process_memory(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    base_time = median(times["unwatched"])
    rows = [(name, f"{median(v):.3f} s", f"{median(v) / base_time:.3f}",
             f"{median(cpu['watched' if 'watched by' in name else 'unwatched']):.3f} s")
            for name, v in times.items()]
    paired = sorted(w / u for w, u in zip(times[f"watched by {clients} browsers"],
                                          times["unwatched"]))
    notes = [
        f"The run's wall time and the orchestrator's own CPU (its record), the two variants "
        f"interleaved {reps} times. Watched / unwatched by repetition: median "
        f"{median(paired):.3f}, range {paired[0]:.3f}–{paired[-1]:.3f}. Target: ≤ 1.02.",
        f"serve answered {served['answers']:,} live requests while the runs went on, "
        f"{served['failures']} failed; it held {memory.get('VmRSS', 0) / 2**20:.1f} MiB "
        f"resident ({memory.get('VmHWM', 0) / 2**20:.1f} MiB at most). Load average (1 min) "
        f"before each run: median {median(loads):.2f}, {min(loads):.2f}–{max(loads):.2f}.",
    ]
    return {
        "title": f"Viewers: a run of {count:,} tasks watched by {clients} browsers",
        "columns": ["variant", "median", "× unwatched", "orchestrator CPU"],
        "rows": rows, "notes": notes,
    }


def process_count():
    return sum(1 for name in os.listdir("/proc") if name.isdigit())


def sampling(work, reps):
    """100 tasks sleeping at once: the orchestrator's CPU with and without resource sampling."""
    count, seconds = 100, 30
    root = os.path.join(work, "sampling")
    os.makedirs(root, exist_ok=True)
    pipeline = os.path.join(root, "sleepers.json")
    with open(pipeline, "w") as handle:
        json.dump({"name": "sleepers", "max_parallel": count, "tasks": [
            {"name": f"s{i}", "argv": ["/bin/sleep", str(seconds)]} for i in range(count)]},
            handle)
    homes = {name: tempfile.mkdtemp(prefix="orchestrate-sampling-", dir=work)
             for name in ("sampling on", "sampling off")}
    cpu = {name: [] for name in homes}

    def measure(name):
        env = orchestrate_env(homes[name])
        if name == "sampling off":
            env["ORCHESTRATE_RESOURCE_SAMPLING"] = "off"
        elapsed = run([BINARY, pipeline], env=env, check=False)
        record = newest_record(homes[name], "sleepers")
        assert record["counts"]["completed"] == count, (name, record["counts"])
        cpu[name].append(record["orchestrator_cpu_seconds"] / record["duration_seconds"])
        return elapsed

    load_before, processes = os.getloadavg()[0], process_count()
    interleaved([(name, None, lambda name=name: measure(name)) for name in homes], reps)
    load_after = os.getloadavg()[0]
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)
    on, off = median(cpu["sampling on"]), median(cpu["sampling off"])
    # One sample a second: the extra CPU per second of the run is the cost of one sample.
    cost = on - off
    rows = [(name, f"{median(values) * 100:.3f} %", f"{median(values) * 1000:.2f} ms")
            for name, values in cpu.items()]
    return {
        "title": f"Live resources: {count} tasks sleeping {seconds} s at once",
        "columns": ["variant", "orchestrator CPU (% of a core)", "CPU per second of the run"],
        "rows": rows,
        "notes": [
            f"Sampling costs {cost * 100:.3f} % of a core, about {cost * 1000:.2f} ms per "
            f"sample of {count} process groups (one sample a second; medians of {reps} runs "
            f"each, interleaved). The scan reads every process's stat on the machine: "
            f"{processes} processes when the workload started. Load average (1 min) "
            f"{load_before:.2f} before, {load_after:.2f} after.",
        ],
    }


ETA_PHASES = [("loading", 1.0), ("chunking", 0.5), ("embedding", 3.0), ("indexing", 1.0)]


def eta_pipeline(root):
    """prepare (0.5 s) → embed (4 phases of 1, 0.5, 3 and 1 s, each reporting 10 steps)
    → publish (0.5 s). `speed` in the root scales embed's phases (1.5: a slow night).
    The declared weights are a person's guess (1, 1, 4, 1), not the truth."""
    def report(name, done):
        line = json.dumps({"phase": name, "done": "DONE", "total": 10}).replace('"DONE"', done)
        return f'echo "{line.replace(chr(34), chr(92) + chr(34))}" >> "$ORCHESTRATE_PROGRESS"'
    # Each phase is entered as it starts (done 0), then reports each tenth.
    steps = "\n".join(
        f"{report(name, '0')}; for i in 1 2 3 4 5 6 7 8 9 10; do "
        f"sleep $(awk -v s=\"$SPEED\" 'BEGIN{{print {seconds}/10*s}}'); {report(name, '$i')}; done"
        for name, seconds in ETA_PHASES)
    embed = "SPEED=$(cat speed 2>/dev/null || echo 1)\n" + steps + "\n"
    path = os.path.join(root, "pipelines", "eta.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(
            "tasks:\n"
            "  - {name: prepare, run: 'sleep 0.5'}\n"
            "  - name: embed\n"
            "    depends_on: [prepare]\n"
            "    phases: [loading, chunking, {name: embedding, weight: 4}, indexing]\n"
            "    run: |\n" + "".join(f"      {line}\n" for line in embed.splitlines()) +
            "  - {name: publish, run: 'sleep 0.5', depends_on: [embed]}\n")
    return path


def old_eta(record, history, now):
    """The estimate before phases: a running task's usual duration less its time spent,
    past it (or without history) its time spent extrapolated from the percentage it
    reports (which is the current phase's); status had no run ETA, so the tasks not
    started are added at their usual durations."""
    left = 0.0
    for task in record["tasks"]:
        usual = median(history[task["name"]]) if history.get(task["name"]) else None
        if task["status"] == "running":
            started = datetime.datetime.fromisoformat(
                task["started_at"].replace("Z", "+00:00")).timestamp()
            elapsed = now - started
            percent = (task.get("progress") or {}).get("percent")
            if usual is not None and usual > elapsed:
                left += usual - elapsed
            elif percent and 0 < percent < 100:
                left += elapsed * (100 - percent) / percent
        elif task["status"] == "pending" and usual is not None:
            left += usual
    return left


def eta_sample_run(root, env, history):
    """One run, sampled every 0.1 s: (seconds since start, new ETA, old ETA) and its
    duration."""
    directory = os.path.join(root, "metrics", "eta")
    before = set(os.listdir(directory)) if os.path.isdir(directory) else set()
    start = time.monotonic()
    process = subprocess.Popen([BINARY, os.path.join(root, "pipelines", "eta.yaml")],
                               cwd=root, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    samples = []
    while process.poll() is None:
        time.sleep(0.1)
        asked = time.monotonic()
        answer = subprocess.run([BINARY, "status", "eta", "--json"], cwd=root, env=env,
                                capture_output=True, text=True)
        at = (asked + time.monotonic()) / 2
        try:
            pipelines = json.loads(answer.stdout)["pipelines"]
            running = pipelines[0]["running"]
            new = running[0].get("eta_seconds") if running else None
            names = [n for n in os.listdir(directory) if n.endswith(".json") and n not in before]
            with open(os.path.join(directory, names[0])) as handle:
                record = json.load(handle)
        except (ValueError, KeyError, IndexError, OSError):
            continue
        if record.get("status") != "running":
            continue
        samples.append((at - start, new, old_eta(record, history, time.time())))
    duration = time.monotonic() - start
    return samples, duration


def eta_errors(samples, duration):
    """Relative errors of the new and old estimates from 25% of the run onwards."""
    errors = {"new": [], "old": []}
    for at, new, old in samples:
        truth = duration - at
        if at < 0.25 * duration or truth <= 0.2:
            continue
        for label, estimate in (("new", new), ("old", old)):
            errors[label].append(abs((estimate or 0) - truth) / truth)
    return errors


def eta(work, reps):
    """The run's ETA against the time it really had left, from 25% of the run onwards, on
    a pipeline whose task has phases of unequal speed (1, 0.5, 3, 1 s), new estimator
    (phases, rate, history, critical path) against the old one (usual duration less time
    spent, else the current phase's percentage)."""
    rows, notes = [], []
    scenarios = [("first run (no history)", 1.0, 0),
                 ("as usual (5 runs of history)", 1.0, 5),
                 ("slow night: embed 1.5x slower", 1.5, 5)]
    for label, speed, history_runs in scenarios:
        errors = {"new": [], "old": []}
        for rep in range(max(1, reps // 2)):
            root = os.path.join(work, "eta", f"{label.split()[0]}-{rep}")
            os.makedirs(root, exist_ok=True)
            eta_pipeline(root)
            env = orchestrate_env(root)
            with open(os.path.join(root, "speed"), "w") as handle:
                handle.write("1")
            history = {}
            for _ in range(history_runs):
                run([BINARY, os.path.join(root, "pipelines", "eta.yaml")], cwd=root, env=env)
                for task in newest_record(root, "eta")["tasks"]:
                    if task["status"] == "completed":
                        history.setdefault(task["name"], []).append(task["duration_seconds"])
            with open(os.path.join(root, "speed"), "w") as handle:
                handle.write(str(speed))
            samples, duration = eta_sample_run(root, env, history)
            print(f"  {label}: {duration:.2f} s, {len(samples)} samples", flush=True)
            for key, values in eta_errors(samples, duration).items():
                errors[key] += values
        row = [label]
        for key in ("old", "new"):
            values = sorted(errors[key])
            within = sum(1 for value in values if value <= 0.2) / len(values) if values else 0
            row += [f"{100 * median(values):.0f}%" if values else "–",
                    f"{100 * values[int(0.9 * (len(values) - 1))]:.0f}%" if values else "–",
                    f"{100 * within:.0f}%"]
        row.append(str(len(errors["new"])))
        rows.append(row)
    notes.append("Relative error |ETA − time really left| / time left, of the run's ETA "
                 "(`status --json`'s `eta_seconds`; the old one recomputed from the live "
                 "record), sampled every 0.1 s from 25% of the run onwards; \"within 20%\": "
                 "the share of samples that close. The pipeline: prepare 0.5 s → embed (phases "
                 "of 1, 0.5, 3 and 1 s, declared weights 1, 1, 4, 1) → publish 0.5 s.")
    return {
        "title": "ETA error: a task with phases of unequal speed",
        "columns": ["run", "old: median error", "old: p90", "old: within 20%",
                    "new: median error", "new: p90", "new: within 20%", "samples"],
        "rows": rows, "notes": notes,
    }


WORKLOADS = {"overhead": overhead, "fanout": fanout, "capture": capture,
             "planning": planning, "status": status, "runs": runs, "startup": startup,
             "report": report, "serve": serve, "viewers": viewers, "sampling": sampling,
             "items": items, "eta": eta}


def filesystem(path):
    """The type of the file system holding `path`, from /proc/mounts."""
    path = os.path.realpath(path)
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts") as handle:
            for line in handle:
                fields = line.split()
                point = fields[1]
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) > len(best):
                    best, kind = point, fields[2]
    except OSError:
        pass
    return kind


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
            f"{datetime.date.today().isoformat()}")


def render(results):
    lines = []
    for result in results:
        lines += [f"### {result['title']}", "",
                  "| " + " | ".join(result["columns"]) + " |",
                  "|" + " --- |" * len(result["columns"])]
        lines += ["| " + " | ".join(row) + " |" for row in result["rows"]]
        lines.append("")
        lines += [note for note in result["notes"]]
        lines.append("")
    return "\n".join(lines)


def main():
    global BASELINE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help="any of: " + ", ".join(WORKLOADS))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "bench-work"),
                        help="where workloads create their files (default: .build/bench-work, "
                        "on the project's disk)")
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="overhead, planning, status, runs, report and serve also measure orchestrate built at "
                        "COMMIT (in a temporary git worktree), interleaved with the working tree's build")
    args = parser.parse_args()
    chosen = args.workloads or list(WORKLOADS)
    unknown = [name for name in chosen if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    if args.baseline:
        if not {"overhead", "planning", "status", "runs", "report", "serve"} & set(chosen):
            parser.error("--baseline is measured by the overhead, planning, status, runs, "
                         "report and serve workloads")
        BASELINE = (args.baseline, baseline_binary(args.baseline))
    results = []
    os.makedirs(args.work, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="orchestrate-bench-", dir=args.work) as work:
        for name in chosen:
            print(f"== {name}", flush=True)
            produced = WORKLOADS[name](work, args.reps)
            # status, runs and report measure one table per history size.
            produced = produced if isinstance(produced, list) else [produced]
            print(render(produced), flush=True)
            results += produced
    # A comparison with an older build is not the suite's results: it is only printed.
    if not args.no_write and not args.baseline and set(chosen) == set(WORKLOADS):
        with open(RESULTS, "w") as handle:
            handle.write("# Benchmarks\n\n"
                         "Generated by `scripts/bench.sh` (do not edit by hand). Medians of "
                         "interleaved repetitions; ratios are measured in the same run.\n\n"
                         f"Machine: {machine()}; work directory on "
                         f"{filesystem(args.work)}.\n\n" + render(results)
                         + "Log rotation has its own benchmark, `scripts/bench-rotation.sh` "
                         "(results in docs/logs.md).\n")
        print(f"wrote {os.path.relpath(RESULTS, ROOT)}")


if __name__ == "__main__":
    main()
