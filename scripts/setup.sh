#!/usr/bin/env bash
# Installs everything macvlan-shim needs to build, test and benchmark on a
# Debian or Ubuntu machine, then builds it. Run from anywhere, as root.
#   libsystemd-dev          headers the sd-notify addon compiles against
#   make g++ python3        node-gyp, for the same addon
#   iproute2 iputils-ping   the namespaces and pings of the tests and the demo
#   procps                  ps and /proc readers used by the tests
# Then the systemd test tools (.ci/setup-systemd-test.sh), npm ci and a build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsystemd-dev make g++ python3 iproute2 iputils-ping procps)
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
npm ci --no-audit --no-fund
npm run build
