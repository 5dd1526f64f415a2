#!/usr/bin/env bash
# Installs what the build and the tests need beyond the Swift toolchain: the
# headers of libarchive, zlib and libyaml (Debian: libarchive-dev, zlib1g-dev,
# libyaml-dev), the tz database (tzdata: named time zones are read from
# /usr/share/zoneinfo), the
# `crontab` program and the cron daemon (cron) and `systemd-analyze` (systemd),
# which the tests of `orchestrate schedule` and of runs under cron use, curl
# (the HTTP client of HTTP notifications and of the serve tests), Python's html5lib for Debian's python3
# (strict parsing of the report's pages), its jsonschema and PyYAML
# (scripts/check-json-schema.py checks the JSON Schemas in docs/ against real
# files), msmtp (the sendmail-compatible client the email notification tests
# hand messages to) and aiosmtpd (the SMTP server those tests start on
# 127.0.0.1), tmux (the terminal the live view tests drive). Safe to run
# again; does nothing when present. The tests' Slurm packages (slurmctld,
# slurmd, slurm-client) are installed by scripts/slurm-local.sh when it starts.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "bootstrap: the Swift toolchain is not on PATH (https://www.swift.org/install/linux/)" >&2
  exit 1
fi

missing=()
for package in libarchive-dev zlib1g-dev libyaml-dev tzdata cron systemd curl \
  python3-html5lib python3-jsonschema python3-yaml msmtp python3-aiosmtpd tmux; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "bootstrap: please install ${missing[*]} (apt-get install ${missing[*]}) as root" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for program in crontab systemd-analyze msmtp; do
  if ! command -v "$program" >/dev/null 2>&1; then
    echo "bootstrap: $program is still missing after installing cron, systemd and msmtp" >&2
    exit 1
  fi
done
