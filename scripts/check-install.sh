#!/usr/bin/env bash
# Runs `make install` into a temporary PREFIX and checks what it put there:
# a stripped binary that runs, the man page, the completion scripts, the
# schemas. scripts/test.sh runs it after the test suite: it needs a release
# build (minutes on a cold cache), which `swift test` must not start from
# inside itself.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make install PREFIX="$prefix" >/dev/null
fail() { echo "check-install: $*" >&2; exit 1; }
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
if command -v man >/dev/null; then
  MANPATH="$prefix/share/man" man orchestrate 2>/dev/null | grep -q "orchestrate validate" \
    || fail "man orchestrate does not show the commands"
fi
bash -c "source '$prefix/share/bash-completion/completions/orchestrate'; complete -p orchestrate" >/dev/null \
  || fail "the bash completion does not load"
echo "check-install: ok ($(stat -c %s "$bin") bytes, stripped)"
