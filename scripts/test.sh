#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: unit, store and end-to-end
# tests against the built `sanji` binary, plus a short run of every benchmark so none rots.
#
#   bash scripts/test.sh           everything (what CI runs)
#   bash scripts/test.sh --fast    the unit tiers only (Core, Report, Store, Bus, Node): seconds
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

# The unit tiers: no processes, no sockets between processes; the process tiers are SanjiCLITests
# and FederationTests.
unit_tiers='^(SanjiCoreTests|SanjiReportTests|SanjiStoreTests|SanjiBusTests|SanjiNodeTests)\.'
if [ "${1:-}" = "--fast" ]; then
  swift build --build-tests 2>&1 | grep -E "error|warning:" || true
  swift build --build-tests >/dev/null   # fail here if the build failed
  status=0
  swift test --skip-build --disable-swift-testing --filter "$unit_tiers" > .build/test-output.txt 2>&1 || status=$?
  grep -E "error:|failed" .build/test-output.txt | grep -vE "^Test Case .* passed" || true
  tail -n 1 .build/test-output.txt
  if [ "$status" != 0 ] || grep -qE "with [1-9][0-9]* failures?" .build/test-output.txt; then
    echo "tests failed (full output in .build/test-output.txt)" >&2
    exit 1
  fi
  exit 0
fi
# Test-only tools: Debian's docker-compose checks the compose file (no engine needed, none runs
# here); tmux drives `dashboard --watch` as a terminal would; util-linux's unshare and setpriv
# (always on Debian) give the disk-error tests a small tmpfs and another user.
test_tools=()
command -v docker-compose >/dev/null 2>&1 || test_tools+=(docker-compose)
command -v tmux >/dev/null 2>&1 || test_tools+=(tmux)
# iproute2 (ip netns, tc) and iptables put stations on separate hosts over a shaped link.
command -v ip >/dev/null 2>&1 || test_tools+=(iproute2)
command -v iptables >/dev/null 2>&1 || test_tools+=(iptables)
# Headless Chromium (with CJK fonts) prints the 通报 as PDF (`report monthly --format pdf`).
command -v chromium >/dev/null 2>&1 || test_tools+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || test_tools+=(fonts-noto-cjk)
# Debian's prometheus-node-exporter serves a station's metrics file, as county IT would run it.
command -v prometheus-node-exporter >/dev/null 2>&1 || test_tools+=(prometheus-node-exporter)
command -v curl >/dev/null 2>&1 || test_tools+=(curl)
# systemd's systemd-analyze checks the station's unit file (nothing is started).
command -v systemd-analyze >/dev/null 2>&1 || test_tools+=(systemd)
# libfaketime runs one station of a test with a wrong wall clock.
ls /usr/lib/*-linux-gnu/faketime/libfaketimeMT.so.1 >/dev/null 2>&1 || test_tools+=(libfaketime)
if [ ${#test_tools[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${test_tools[*]} for the tests …" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_tools[@]}" >/dev/null
  else
    echo "setup: missing ${test_tools[*]}; install with: sudo apt-get install -y --no-install-recommends ${test_tools[*]}" >&2
    exit 1
  fi
fi

echo "== every public declaration documented"
bash scripts/check-docs.sh

echo "== build"
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null   # fail here if the build failed

# The mixed-version tests run sanji 0.1.0, built from this repository's history: start that build
# now, beside the benchmarks and the fuzzer; the tests wait for it (scripts/build-release.sh).
echo "== building sanji 0.1.0 from history, in the background (for the mixed-version tests)"
bash scripts/build-release.sh 0.1.0 > .build/release-0.1.0.log 2>&1 &

echo "== every benchmark scenario, quick (figures in docs/benchmarks.md come from release builds)"
.build/debug/sanji-bench suite --quick

echo "== fuzzing the wire decoder (libFuzzer, 20 s; scripts/fuzz.sh 600 for a longer run)"
bash scripts/fuzz.sh 20

# serve processes of an earlier, interrupted test run (test data lives only under these names).
sweep() { pkill -f "sanji serve --data ${TMPDIR:-/tmp}/sanji-(cluster|fed)-" 2>/dev/null || true; }
sweep
trap sweep EXIT

echo "== tests"
# XCTest only: the suite has no Swift Testing tests, and its empty run would close the output.
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt | grep -E "error|failed|Executed|passed at" | grep -vE "^Test Case .* passed" || true
status=${PIPESTATUS[0]}
if [ "$status" != 0 ] || grep -qE "with [1-9][0-9]* failures?" .build/test-output.txt; then
  echo "tests failed (full output in .build/test-output.txt)" >&2
  exit 1
fi
tail -n 1 .build/test-output.txt
