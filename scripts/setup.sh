#!/usr/bin/env bash
# Installs everything macvlan-shim needs to build and test on a Debian or
# Ubuntu machine, then builds it. Run it from anywhere, as root.
#
# Packages:
# - libsystemd-dev: headers that the sd-notify addon compiles against.
# - make, g++, python3: node-gyp, which builds that addon.
# - iproute2, iputils-ping: namespaces and pings in the tests and the demo.
# - procps, strace: process tools that the tests use (strace counts the
#   daemon's netlink requests).
#
# Then it installs the systemd test tools, runs npm ci and builds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsystemd-dev make g++ python3 iproute2 iputils-ping procps strace)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${missing[*]}, and installing them needs root (sudo $0)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

.ci/setup-systemd-test.sh
bench/setup.sh
npm ci --no-audit --no-fund
npm run build
