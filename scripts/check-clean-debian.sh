#!/usr/bin/env bash
# Proves that the README's commands work on a clean Debian 12 that has only
# the Swift toolchain: in a fresh bookworm root made from Debian's packages
# (this machine's apt sources), with /opt/swift mounted read-only, it runs
#
#   scripts/bootstrap.sh                 installs the build's system packages
#   make install PREFIX=/usr/local       release build, --static-swift-stdlib
#   orchestrate --version                the installed binary runs
#   scripts/quick-start.sh               the README's quick start, on PATH
#
# and stops at the first step that fails, with the end of its output. It
# needs the Debian archive (packages for the root and for bootstrap).
#
# Why: a machine that once had a package keeps it, so the test suite stays
# green there when scripts/bootstrap.sh stops installing something the build
# needs (libcurl's headers, which `orchestrate-serve` links against, went
# missing that way). The root holds only what the toolchain itself needs, and
# none of the packages bootstrap installs: if bootstrap drops one, a step here
# fails.
#
#   scripts/check-clean-debian.sh [CHECKOUT]   (default: this script's clone)
#
# It copies the files git knows of CHECKOUT (tracked ones as they are in the
# work tree, and untracked ones that are not ignored). Runs as root (it mounts
# and chroots), needs no standard input, installs mmdebstrap when missing. The
# base root is cached in /var/cache/orchestrate-clean-debian/ as a tarball: a
# fresh copy is unpacked for every run (a check never changes the cache), and
# it is rebuilt when the base's package list or the code that builds it
# changes, or when it is a week old. Everything else lives in a temporary
# directory that is removed at the end, mounts first.
set -euo pipefail

name=check-clean-debian
suite=bookworm
cache_dir=/var/cache/orchestrate-clean-debian
cache_max_days=7
toolchain=/opt/swift

# The base: Debian's minbase plus what the Swift toolchain needs to `swift
# build` a package that imports Foundation and links --static-swift-stdlib
# (each found missing by trying), plus what a clone and the README's first
# command need. Nothing here may be a package scripts/bootstrap.sh installs;
# the bootstrap step checks that.
base_packages=(
  binutils         # swiftc links through the system's `ld` (ld.gold); `make install` strips with it
  libc6-dev        # the C library's headers and crt files, for clang and the linker
  libgcc-12-dev    # crtbeginS.o, libgcc and libgcc_s, which every link names
  libstdc++-12-dev # the static Swift runtime is partly C++: libstdc++ to link it
  libncurses6      # loaded by swift and swift-driver
  libsqlite3-0     # loaded by swift, swift-driver and swift-build
  libcurl4         # loaded by swift-build (the runtime library only; its -dev is bootstrap's)
  libxml2          # loaded by swift-build
  git              # how a clone gets here; SwiftPM fetches the dependencies with it
  ca-certificates  # git and SwiftPM over https, where no local copies are mapped
  make             # `make install` is the README's command: make must be there before it
)
# Priority "required" in bookworm, so minbase brings it, but bootstrap installs
# it: removed so that the check notices when bootstrap stops doing so.
base_removed=(tzdata)

say() { echo "$name: $*" >&2; }
die() { say "$*"; exit 1; }

# --- the host ---------------------------------------------------------------

# Root is needed for chroot and mounts; a private mount namespace (re-exec
# under unshare) means no mount can outlive this script, whatever kills it.
enter_namespace() {
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "run as root: it mounts and chroots"
    exec sudo -n --preserve-env=CI,TMPDIR -- "$BASH" "$0" "$@"
  fi
  if [ -z "${CHECK_CLEAN_DEBIAN_NAMESPACE:-}" ] && unshare --mount --propagation private true 2>/dev/null; then
    export CHECK_CLEAN_DEBIAN_NAMESPACE=1
    exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
  fi
}

install_host_tools() {
  command -v mmdebstrap >/dev/null 2>&1 && return 0
  say "installing mmdebstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq mmdebstrap >/dev/null </dev/null 2>&1 \
    || { apt-get update -qq </dev/null && apt-get install -y -qq mmdebstrap >/dev/null </dev/null; }
}

# This machine's own Debian sources, passed to mmdebstrap as files, so the
# root comes from the same archive (or snapshot) as the host.
find_apt_sources() {
  apt_sources=()
  local file
  for file in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    [ -s "$file" ] && grep -qw "$suite" "$file" && apt_sources+=("$file")
  done
  [ ${#apt_sources[@]} -gt 0 ] \
    || die "no $suite entry in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
}

# --- the base root, built or from the cache -----------------------------------

build_base() { # TARBALL LOG
  local include
  include=$(IFS=,; echo "${base_packages[*]}")
  # TMPDIR: mmdebstrap's own scratch space goes in this run's directory too.
  TMPDIR=$tmp mmdebstrap --variant=minbase --include="$include" \
    --customize-hook="chroot \"\$1\" dpkg --purge ${base_removed[*]}" \
    "$suite" "$1" "${apt_sources[@]}" >"$2" 2>&1
}

# Whatever goes into the base, and the code that builds it, is in the key: a
# changed list can never be served from an old tarball.
cache_key() {
  { declare -f build_base; declare -p base_packages base_removed suite
    cat "${apt_sources[@]}"; dpkg --print-architecture; } | sha256sum | cut -c1-16
}

# Leaves the base tarball's path in $base_tar, and in $base_seconds how long
# building it took (now, or when it went into the cache); $base_cached=1 for
# a tarball from the cache.
get_base() {
  local key start cached
  key=$(cache_key)
  cached="$cache_dir/base-$key.tar"
  if [ -f "$cached" ] && [ -z "$(find "$cached" -mmin +$((cache_max_days * 24 * 60)))" ]; then
    base_tar=$cached base_cached=1
    base_seconds=$(cat "$cached.seconds" 2>/dev/null || echo 0)
    return 0
  fi
  say "building the base root (minbase + ${#base_packages[@]} packages)"
  start=$(date +%s)
  build_base "$tmp/base.tar" "$tmp/mmdebstrap.log" || {
    tail -n 40 "$tmp/mmdebstrap.log" >&2; die "building the base root failed"; }
  base_tar="$tmp/base.tar" base_cached=0 base_seconds=$(( $(date +%s) - start ))
  store_in_cache "$key" || say "could not store the base root in $cache_dir (no cache next time)"
}

# Only this key's tarball is kept: older keys and stale copies go. Written
# under another name and renamed, so that a run never reads a partial file.
store_in_cache() { # KEY
  mkdir -p "$cache_dir" &&
    find "$cache_dir" -maxdepth 1 \( -name 'base-*' -o -name '.base-*' \) -delete &&
    cp "$base_tar" "$cache_dir/.base-$1.tar.$$" &&
    chmod 444 "$cache_dir/.base-$1.tar.$$" &&
    echo "$base_seconds" >"$cache_dir/base-$1.tar.seconds" &&
    mv "$cache_dir/.base-$1.tar.$$" "$cache_dir/base-$1.tar"
}

# --- the root for this run ------------------------------------------------------

mounts=()
mount_in_root() { # DIR MOUNT-ARGS...
  local dir=$root$1; shift
  mkdir -p "$dir"
  mount "$@" "$dir"
  mounts+=("$dir")
}

bind_read_only() { # DIR
  mount_in_root "$1" --bind "$1"
  mount -o remount,bind,ro "$root$1"
}

# A /dev of its own (tmpfs with the usual nodes) rather than the host's: a
# leftover bind of /dev under a directory being removed would be dangerous.
mount_dev() {
  mount_in_root /dev -t tmpfs -o mode=755,nosuid dev
  local node
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r node major minor <<<"$node"
    mknod -m 666 "$root/dev/$node" c "$major" "$minor"
  done
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount_in_root /dev/pts -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts
  mount_in_root /dev/shm -t tmpfs -o mode=1777,nosuid,nodev shm
}

# The host's git `url.<base>.insteadOf` rules (here: GitHub to local copies
# of the packages) are copied into the root, and each local <base> directory
# is mounted read-only at the same path, so SwiftPM resolves as it does here.
map_git_urls() {
  local entry key value base
  while IFS= read -r -d '' entry; do
    key=${entry%%$'\n'*} value=${entry#*$'\n'}
    base=${key#url.}; base=${base%.insteadof}
    git config --file "$root/etc/gitconfig" --add "url.$base.insteadOf" "$value"
    if [ -d "$base" ] && ! findmnt -rn "$root${base%/}" >/dev/null; then bind_read_only "${base%/}"; fi
  done < <(git -C / config -z --get-regexp '^url\..*\.insteadof$' || true)
}

# Tracked files as they are in the work tree (deleted ones skipped), and
# untracked files that are not ignored; never .build/. Owned by root, as in
# a clone root made.
copy_checkout() {
  local file
  mkdir -p "$root/root/orchestrate"
  git -c safe.directory="$checkout" -C "$checkout" ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' file; do
        [[ $file == .build/* ]] && continue
        if [ -e "$checkout/$file" ] || [ -L "$checkout/$file" ]; then printf '%s\0' "$file"; fi
      done \
    | tar -C "$checkout" --null -T - -cf - | tar -C "$root/root/orchestrate" --no-same-owner -xf -
}

# A fresh copy of the base every run: nothing a check does reaches the cache.
unpack_base() {
  root="$tmp/root"
  mkdir "$root"
  tar -C "$root" -xf "$base_tar"
}

make_root() {
  mount_dev
  mount_in_root /proc -t proc proc
  bind_read_only "$toolchain"
  map_git_urls
  # The network as the host sees it, for apt-get (the base has no /etc/hosts:
  # an installer writes it, not a package).
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  [ -e "$root/etc/hosts" ] || cp -L /etc/hosts "$root/etc/hosts"
  copy_checkout
}

# --- the steps ----------------------------------------------------------------

# PATH as the Swift install instructions set it; /usr/local/bin (where `make
# install` puts orchestrate) first for the steps that run it.
swift_path=$toolchain/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
declare -A seconds=()

step() { # NAME PATH COMMAND
  local step_name=$1 path=$2 command=$3 log="$tmp/logs/${1// /-}.log" start status=0
  local environment=(HOME=/root "PATH=$path" LANG=C.UTF-8 TERM=dumb)
  [ -n "${CI+set}" ] && environment+=("CI=$CI")
  say "$step_name: $command"
  start=$(date +%s)
  # In the background so that a signal reaches the traps at once.
  chroot "$root" /usr/bin/env -i "${environment[@]}" /bin/bash -c "cd /root/orchestrate && $command" \
    </dev/null >"$log" 2>&1 &
  wait $! || status=$?
  seconds[$step_name]=$(( $(date +%s) - start ))
  if [ "$status" -ne 0 ]; then
    say "step '$step_name' failed (exit $status after ${seconds[$step_name]} s); the last 40 lines of its output:"
    tail -n 40 "$log" >&2
    die "FAILED at '$step_name' ($(times_so_far))"
  fi
}

times_so_far() {
  local phase text="root ${seconds[root]} s"
  for phase in bootstrap "make install" "orchestrate --version" "quick start"; do
    if [ -n "${seconds[$phase]:-}" ]; then text+=", $phase ${seconds[$phase]} s"; fi
  done
  echo "$text"
}

# bootstrap.sh asks `dpkg -s` about each package it installs; a dpkg that
# notes those names (then runs the real one) shows whether the base already
# had any of them, which would hide it being dropped from bootstrap.
watch_dpkg_questions() {
  mkdir -p "$root/run/$name"
  cat >"$root/run/$name/dpkg" <<'EOF'
#!/bin/sh
if [ "$1" = -s ]; then shift; printf '%s\n' "$@" >>/run/check-clean-debian/asked; set -- -s "$@"; fi
exec /usr/bin/dpkg "$@"
EOF
  chmod 755 "$root/run/$name/dpkg"
  chroot "$root" dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' \
    | sort -u >"$tmp/base-packages"
}

check_base_overlap() {
  local overlap
  overlap=$(sort -u "$root/run/$name/asked" 2>/dev/null | comm -12 - "$tmp/base-packages" | tr '\n' ' ')
  [ -z "$overlap" ] || die "the base root already has ${overlap% }, which scripts/bootstrap.sh installs," \
    "so this check could not see it dropped from bootstrap: the base (base_packages here) must not hold it"
}

run_steps() {
  watch_dpkg_questions
  step bootstrap "/run/$name:$swift_path" scripts/bootstrap.sh
  check_base_overlap
  step "make install" "$swift_path" "make install PREFIX=/usr/local"
  step "orchestrate --version" "/usr/local/bin:$swift_path" "/usr/local/bin/orchestrate --version"
  say "installed: $(head -n 1 "$tmp/logs/orchestrate---version.log")"
  if [ -f "$checkout/scripts/quick-start.sh" ]; then
    step "quick start" "/usr/local/bin:$swift_path" scripts/quick-start.sh
  else
    say "quick start: skipped, scripts/quick-start.sh does not exist in $checkout"
    seconds["quick start"]=skipped
  fi
}

# --- cleanup --------------------------------------------------------------------

# Processes still inside the root (an interrupted build, a server a step
# left behind) would keep its mounts busy: they are found by their root.
kill_root_processes() {
  local signal pid found
  for signal in TERM KILL; do
    found=0
    for pid in /proc/[0-9]*; do
      [ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] || continue
      kill "-$signal" "${pid#/proc/}" 2>/dev/null && found=1
    done
    [ "$found" -eq 1 ] || return 0
    sleep 1
  done
}

cleanup() {
  local status=$? i left
  trap - EXIT INT TERM
  if [ -n "${root:-}" ]; then kill_root_processes; fi
  for (( i = ${#mounts[@]} - 1; i >= 0; i-- )); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true
  done
  left=$(findmnt -rn -o TARGET | awk -v dir="$tmp/" 'index($0, dir) == 1')
  if [ -n "$left" ]; then
    say "still mounted, so $tmp is left in place: $left"
    exit 1
  fi
  rm -rf --one-file-system "$tmp"
  exit "$status"
}

# --- main -----------------------------------------------------------------------

report_root() {
  local size
  size=$(du -m --apparent-size "$base_tar" | cut -f1)
  if [ "$base_cached" -eq 1 ]; then
    say "root: ${seconds[root]} s; base from the cache ($size MB, unpacked in ${seconds[unpack]} s;" \
      "building it took $base_seconds s, so the cache saved about $(( base_seconds - seconds[unpack] )) s)"
  else
    say "root: ${seconds[root]} s; base built in $base_seconds s ($size MB; not in the cache or a week old, now cached in $cache_dir)"
  fi
}

main() {
  enter_namespace "$@"
  local start phase
  start=$(date +%s)
  checkout=$(git -c safe.directory='*' -C "${1:-$(dirname "$0")/..}" rev-parse --show-toplevel) \
    || die "${1:-$(dirname "$0")/..} is not a git checkout"
  [ -x "$toolchain/usr/bin/swift" ] || die "no Swift toolchain in $toolchain"
  tmp=$(realpath "$(mktemp -d "${TMPDIR:-/var/tmp}/$name.XXXXXX")")
  mkdir "$tmp/logs"
  trap cleanup EXIT
  trap 'say interrupted; exit 130' INT
  trap 'say terminated; exit 143' TERM

  phase=$(date +%s)
  install_host_tools
  seconds[host tools]=$(( $(date +%s) - phase ))
  find_apt_sources
  say "testing $checkout"
  phase=$(date +%s)
  get_base
  seconds[unpack]=$(date +%s)
  unpack_base
  seconds[unpack]=$(( $(date +%s) - seconds[unpack] ))
  make_root
  seconds[root]=$(( $(date +%s) - phase ))
  report_root
  run_steps
  say "total $(( $(date +%s) - start )) s (host tools ${seconds[host tools]} s)"
  local quick_start="${seconds[quick start]} s"
  [ "${seconds[quick start]}" != skipped ] || quick_start="skipped (no scripts/quick-start.sh)"
  echo "$name: ok (root ${seconds[root]} s, bootstrap ${seconds[bootstrap]} s," \
    "make install ${seconds[make install]} s, quick start $quick_start)"
}

main "$@"; exit  # one line: bash reads no further, even if this file changes meanwhile
