#!/usr/bin/env bash
# Installs the system tools that `npm run bench` needs, from Debian's packages.
#   systemd (systemd-networkd): the reference implementation it is compared with.
#   iproute2 (ip): namespaces, topology and the `ip -batch` baseline.
#   python3: the rtnetlink listener and the sd_notify socket listener.
# Safe to run again: it installs nothing when every tool is already present.
set -euo pipefail

networkd=/lib/systemd/systemd-networkd
missing=()
[ -x "$networkd" ] || missing+=(systemd)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
getent passwd systemd-network >/dev/null 2>&1 || missing+=(systemd)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bench/setup.sh: all tools present (systemd-networkd, ip, python3)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/setup.sh: missing packages ${missing[*]}; installing them needs root" >&2
  exit 1
fi

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
echo "bench/setup.sh: installing ${packages}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends ${packages}
