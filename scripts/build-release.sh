#!/usr/bin/env bash
# Builds an earlier release of sanji from this repository's own history, for the mixed-version
# tests and for anyone who must run one: releases.csv names each release's commit (tags may not
# travel). The source is checked out with `git worktree` (nothing here changes) and built once;
# the binary is kept under .build-releases/<version>/ and its path printed.
#   bash scripts/build-release.sh 0.1.0
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/build-release.sh VERSION (see releases.csv)}
commit=$(awk -F, -v v="$version" '$1 == v { print $2 }' releases.csv)
[ -n "$commit" ] || { echo "build-release: no release $version in releases.csv" >&2; exit 1; }
out="$PWD/.build-releases/$version"
bin="$out/sanji"
mkdir -p "$out"
# One build at a time (test.sh starts one early; a test that needs it waits here for it).
exec 9>"$out.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
src="$out/src"
git worktree remove --force "$src" >/dev/null 2>&1 || rm -rf "$src"
git worktree prune
git worktree add --detach "$src" "$commit" >/dev/null 2>&1
(cd "$src" && swift build --product sanji --scratch-path "$out/build" 2>&1 | grep -E "error|Compiling|Build" >&2 || true)
(cd "$src" && swift build --product sanji --scratch-path "$out/build" >/dev/null)
cp "$out/build/debug/sanji" "$bin.tmp" && mv "$bin.tmp" "$bin"
git worktree remove --force "$src" >/dev/null 2>&1 || true
echo "$bin"
