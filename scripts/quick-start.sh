#!/usr/bin/env bash
# Runs the README's quick start as a new user would type it, so that it
# cannot rot: the `orchestrate` first on PATH, a temporary HOME, and a
# stand-in `crontab` that keeps the table in that HOME (the machine's own
# crontab is never touched).
#
#   scripts/quick-start.sh            # run it; exit 0 when every command passed
#   scripts/quick-start.sh --print    # print the script it would run
#
# What runs is what README.md marks: every ```sh quick-start block, in order,
# as one bash script (so a `cd` carries over), and every ```yaml file=~/PATH
# block written to that path where it stands between them. The install step
# is a plain ```sh block: the test suite and scripts/check-clean-debian.sh
# bring their own binary.
set -euo pipefail
readme="$(cd "$(dirname "$0")/.." && pwd)/README.md"

# README.md → a bash script. A file block becomes a quoted here-document, so
# nothing in it is expanded.
extract() {
  awk '
    function fail(message) { print "quick-start: README.md line " NR ": " message > "/dev/stderr"; failed = 1; exit 1 }
    /^```/ && mode != "" {
      if (mode == "file") print "QUICK_START_FILE_END"
      mode = ""; next
    }
    /^```sh quick-start[ \t]*$/ { mode = "sh"; blocks++; print "# README.md line " NR; next }
    /^```[a-z]+ file=~\// {
      path = $2; sub(/^file=~\//, "", path)
      if (path !~ /^[A-Za-z0-9._\/-]+$/ || path ~ /\.\./) fail("file path " $2 " is not a plain path under ~/")
      mode = "file"; blocks++
      dir = path; if (sub(/\/[^\/]*$/, "", dir)) print "mkdir -p \"$HOME/" dir "\""
      print "cat > \"$HOME/" path "\" <<'\''QUICK_START_FILE_END'\''"
      next
    }
    mode != "" { print }
    END {
      if (failed) exit 1
      if (mode != "") { print "quick-start: README.md ends inside a quick-start block" > "/dev/stderr"; exit 1 }
      if (blocks == 0) { print "quick-start: README.md has no ```sh quick-start block" > "/dev/stderr"; exit 1 }
    }
  ' "$readme"
}

script=$(extract)
if [ "${1:-}" = --print ]; then
  printf '%s\n' "$script"
  exit 0
fi
command -v orchestrate >/dev/null || { echo "quick-start: no orchestrate on PATH" >&2; exit 1; }

home=$(mktemp -d "${TMPDIR:-/tmp}/orchestrate-quick-start.XXXXXX")
trap 'rm -rf "$home"' EXIT
mkdir "$home/.stand-in"
# The stand-in crontab: `crontab -l` prints the table (exit 1 and cron's
# message when there is none), `crontab -` or `crontab FILE` replaces it.
cat > "$home/.stand-in/crontab" <<'EOF'
#!/bin/sh
table="$HOME/.crontab"
case "${1:--}" in
  -l) if [ -f "$table" ]; then cat "$table"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -r) rm -f "$table" ;;
  -) cat > "$table" ;;
  -*) echo "crontab (stand-in): unsupported option $1" >&2; exit 1 ;;
  *) cat "$1" > "$table" ;;
esac
EOF
chmod 755 "$home/.stand-in/crontab"

cd "$home"
HOME=$home PATH="$home/.stand-in:$PATH" bash -euo pipefail -c "$script"
echo "quick-start: ok ($(command -v orchestrate))"
