#!/usr/bin/env python3
"""Debug build times of HEAD and of an older commit (scripts/bench-build.sh)."""
import argparse
import glob
import os
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A file near the bottom of the library and one at its top, by the folders
# they have had in every layout of the sources.
EDITS = [("edit in Platform/Lock.swift (bottom)", "Sources/*/Platform/Lock.swift"),
         ("edit in Status/HealthRules.swift (top)", "Sources/*/Status/HealthRules.swift")]


def timed_build(tree):
    start = time.monotonic()
    subprocess.run(["swift", "build"], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def measure(commit, folder):
    """Seconds of a clean build, then of a build after each edit."""
    tree = tempfile.mkdtemp(prefix="build-", dir=folder)
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--quiet", "--detach", tree, commit],
                   check=True)
    try:
        if os.path.exists(os.path.join(ROOT, "Package.resolved")):
            shutil.copy(os.path.join(ROOT, "Package.resolved"), tree)
        # Dependencies resolved and checked out first: a clean build is of the project only.
        subprocess.run(["swift", "package", "resolve"], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times = [timed_build(tree)]
        for _, pattern in EDITS:
            path = glob.glob(os.path.join(tree, pattern))[0]
            with open(path, "a") as handle:
                handle.write("// edited\n")
            times.append(timed_build(tree))
        return times
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", tree], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("baseline", help="the older commit")
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()
    folder = os.path.join(ROOT, ".build", "bench-build")
    os.makedirs(folder, exist_ok=True)
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    commits = [head, args.baseline]
    results = {commit: [] for commit in commits}
    for _ in range(args.reps):
        for commit in commits:  # interleaved
            print(f"== building {commit}", flush=True)
            results[commit].append(measure(commit, folder))
    rows = ["clean build"] + [label for label, _ in EDITS]
    print(f"\n| debug build | {head} (HEAD) | {args.baseline} |\n| --- | --- | --- |")
    for index, row in enumerate(rows):
        cells = [sorted(r[index] for r in results[c])[len(results[c]) // 2] for c in commits]
        print(f"| {row} | " + " | ".join(f"{cell:.1f} s" for cell in cells) + " |")
    print(f"\nMedians of {args.reps} build(s) each, interleaved; {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
