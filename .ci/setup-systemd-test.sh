#!/usr/bin/env bash
# Installs the host tools that the systemd tests need:
#   systemd-analyze (package systemd) for test/unit/packaging/unit-security.test.ts,
#   debootstrap, systemd-nspawn (package systemd-container), nsenter and
#   setpriv (package util-linux) for test/integration/systemd*.test.ts.
# Safe to run again: it does nothing when every tool is already present.
set -euo pipefail

required_commands=(systemd-analyze debootstrap systemd-nspawn nsenter setpriv chroot)
packages=(systemd systemd-container debootstrap util-linux coreutils)

missing=()
for command in "${required_commands[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-systemd-test: all tools present (${required_commands[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-systemd-test: missing ${missing[*]}, and installing them needs root" >&2
  exit 1
fi

echo "setup-systemd-test: missing ${missing[*]}; installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
