#!/usr/bin/env bash
# Fuzzes the SJP/2 decoder with libFuzzer for a bounded time: every input is a frame as a node
# would receive it; the decoder must never crash, and what it accepts must decode again as the
# same message. Usage: scripts/fuzz.sh [seconds, default 60] [corpus dir, default a fresh temp dir]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if [ -n "${2:-}" ]; then corpus="$2"; else corpus="$(mktemp -d)"; trap 'rm -rf "$corpus"' EXIT; fi
mkdir -p "$corpus"
build() { swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library "$@"; }
# SwiftPM may keep the file list of the main package from an earlier build (a file added or
# removed since): then the build fails, and a clean one does not.
if ! build >/dev/null 2>&1; then
  rm -rf Fuzz/.build
  build 2>&1 | grep -E "error|Build" || true
  build >/dev/null
fi
Fuzz/.build/release/WireFuzz --write-seeds "$corpus"
# Crash reproducers (crash-*) land in Fuzz/; -print_final_stats gives the figures for docs/reliability.md.
log="$(mktemp)"
# Swift's own backtracer would take the trap's SIGILL first, and libFuzzer would save no reproducer.
if ! (cd Fuzz && SWIFT_BACKTRACE=enable=no .build/release/WireFuzz -max_total_time="$seconds" -print_final_stats=1 "$corpus" >"$log" 2>&1); then
  tail -n 40 "$log" >&2
  echo "fuzz: the decoder failed on an input; its reproducer (crash-*) is in Fuzz/ (run Fuzz/.build/release/WireFuzz <file>)" >&2
  exit 1
fi
grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units" "$log"
rm -f "$log"
echo "fuzz: $seconds s, no crash"
