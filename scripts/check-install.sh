#!/usr/bin/env bash
# Runs `make install` into a temporary PREFIX and checks what it put there:
# a stripped binary that runs, the man page, the completion scripts, the
# schemas. scripts/test.sh runs it after the test suite: it needs a release
# build (minutes on a cold cache), which `swift test` must not start from
# inside itself.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$prefix" "$log"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }
# make's own output is long; on failure its last lines say why (a missing
# package shows up here as the linker's undefined references).
if ! make install PREFIX="$prefix" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  fail "make install PREFIX=$prefix failed (its last lines are above)"
fi
bin="$prefix/bin/orchestrate"
[ -x "$bin" ] || fail "no executable $bin"
"$bin" --version >/dev/null || fail "$bin --version failed"
if nm "$bin" >/dev/null 2>&1 && [ -n "$(nm "$bin" 2>/dev/null)" ]; then fail "$bin is not stripped"; fi
[ -x "$prefix/bin/orchestrate-serve" ] || fail "no orchestrate-serve beside orchestrate"
for file in share/man/man1/orchestrate.1 share/bash-completion/completions/orchestrate \
  share/zsh/site-functions/_orchestrate share/fish/vendor_completions.d/orchestrate.fish \
  share/orchestrate/pipeline.schema.json share/orchestrate/run-record.schema.json \
  share/orchestrate/status.schema.json; do
  [ -s "$prefix/$file" ] || fail "missing $file"
done
for page in share/man/man1/orchestrate.1 share/man/man5/orchestrate-pipeline.5; do
  [ -s "$prefix/$page" ] || fail "missing $page"
  # Warnings and worse; mandoc's style notes (long source lines) are not asked for.
  lint=$(mandoc -T lint -W warning "$prefix/$page" 2>&1) || fail "mandoc finds problems in $page:"$'\n'"$lint"
  lint=$(groff -ww -z -mandoc "$prefix/$page" 2>&1)
  [ -z "$lint" ] || fail "groff warns about $page:"$'\n'"$lint"
done
if command -v man >/dev/null; then
  MANPATH="$prefix/share/man" man orchestrate 2>/dev/null | grep -q "orchestrate validate" \
    || fail "man orchestrate does not show the commands"
  MANPATH="$prefix/share/man" man 5 orchestrate-pipeline 2>/dev/null | grep -q "for_each_source" \
    || fail "man 5 orchestrate-pipeline does not show the task fields"
fi
bash -c "source '$prefix/share/bash-completion/completions/orchestrate'; complete -p orchestrate" >/dev/null \
  || fail "the bash completion does not load"
echo "check-install: ok ($(stat -c %s "$bin") bytes, stripped)"
