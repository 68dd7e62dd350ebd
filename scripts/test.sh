#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: unit, store and end-to-end
# tests against the built `sanji` binary, plus a short run of every benchmark so none rots.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== build"
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null   # fail here if the build failed

echo "== benchmark smoke run (figures in docs/benchmarks.md come from release builds)"
.build/debug/sanji bench intake --rows 20000
.build/debug/sanji bench uplink --rows 5000 --messages 5000
.build/debug/sanji bench resync --days 30

echo "== tests"
# XCTest only: the suite has no Swift Testing tests, and its empty run would close the output.
swift test --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt | grep -E "error|failed|Executed|passed at" | grep -vE "^Test Case .* passed" || true
status=${PIPESTATUS[0]}
if [ "$status" != 0 ] || grep -qE "with [1-9][0-9]* failures?" .build/test-output.txt; then
  echo "tests failed (full output in .build/test-output.txt)" >&2
  exit 1
fi
tail -n 1 .build/test-output.txt
