#!/usr/bin/env bash
# Installs what Sanji needs to build and run, if missing: libzmq3-dev, libsqlite3-dev and
# pkg-config from Debian's packages (with apt-get when run as root). Sourced by demo.sh and test.sh.
set -euo pipefail

need=()
pkg-config --version >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists libzmq 2>/dev/null || need+=(libzmq3-dev)
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]} …" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: no Swift toolchain on PATH; Sanji needs Swift 6.1 or later (swift.org/install)" >&2
  exit 1
fi
