#!/usr/bin/env bash
# Installs, with apt-get and only when missing, what orchestrate needs beyond
# the Swift toolchain. Safe to run again; does nothing when all is present.
#
#   scripts/bootstrap.sh           what `make install` and the example need
#   scripts/bootstrap.sh --tests   that, and what the test suite needs
#
# The build: the headers of libarchive, zlib and libyaml (libarchive-dev,
# zlib1g-dev, libyaml-dev; libyaml is found through pkg-config), libcurl's
# (libcurl4-openssl-dev: `orchestrate-serve` links Foundation's networking
# statically, and that static library needs libcurl), and the tz database
# (tzdata: named time zones are read from /usr/share/zoneinfo).
#
# The tests: the `crontab` program and the cron daemon (cron),
# `systemd-analyze` (systemd), the curl program (HTTP notifications use it;
# so do the serve tests), Python's html5lib (strict parsing of the report's
# pages), jsonschema and PyYAML (scripts/check-json-schema.py), msmtp (the
# sendmail the email tests hand messages to) and aiosmtpd (the SMTP server
# they start on 127.0.0.1), tmux (the terminal the live view tests drive),
# mandoc and groff (the man pages are linted), ps (procps: the shared-machine
# tests look at a run as another user would). The Slurm packages are
# installed by scripts/slurm-local.sh when it starts a cluster.
set -euo pipefail

build_packages=(libarchive-dev zlib1g-dev libyaml-dev pkg-config libcurl4-openssl-dev tzdata)
test_packages=(cron systemd curl python3-html5lib python3-jsonschema python3-yaml msmtp
  python3-aiosmtpd tmux mandoc groff-base procps)

packages=("${build_packages[@]}")
case "${1:-}" in
  "") ;;
  --tests) packages+=("${test_packages[@]}") ;;
  *)
    echo "bootstrap: unknown argument '$1' (usage: scripts/bootstrap.sh [--tests])" >&2
    exit 2
    ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  echo "bootstrap: the Swift toolchain is not on PATH (https://www.swift.org/install/linux/)" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
  echo "bootstrap: please install ${missing[*]} as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
for package in "${missing[@]}"; do
  if ! dpkg -s "$package" >/dev/null 2>&1; then
    echo "bootstrap: $package is still missing after apt-get install" >&2
    exit 1
  fi
done
