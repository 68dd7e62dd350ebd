#!/usr/bin/env bash
# The main job: installs what is missing, builds Sanji, and runs a local demo county federation
# on loopback — the county 政务服务中心, two township 为民服务中心 and four village 代办站, each a
# real `sanji serve` process with its own store — with four weeks of activity at every station.
# One village goes offline, keeps recording, comes back and resyncs; then the county dashboard
# shows the whole 三级 system. Everything lives under ./demo-data; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== building sanji (release; the first build takes a minute or two)"
swift build -c release --product sanji 2>&1 | grep -E "error|Build" || true
swift build -c release --product sanji >/dev/null
sanji="$PWD/.build/release/sanji"
demo="$PWD/demo-data"
rm -rf "$demo"
mkdir -p "$demo"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# wait_for SECONDS DESCRIPTION COMMAND…: polls a condition with a deadline.
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then echo "demo: timed out waiting until $what" >&2; exit 1; fi
    sleep 0.2
  done
}
json_field() { sed -n "s/.*\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" <<<"$1" | head -n 1; }
endpoint_of() { local e; e=$(json_field "$("$sanji" status --format json --data "$demo/$1")" listen); [[ "$e" != *'*' ]] && echo "$e"; }
serve() { "$sanji" serve --data "$demo/$1" 2>>"$demo/$1.log" & pids+=($!); }

node() { # id name level parent-id
  local id=$1 name=$2 level=$3 parent=${4:-}
  local args=(init --id "$id" --name "$name" --level "$level" --data "$demo/$id")
  [ "$level" != village ] && args+=(--listen 'tcp://127.0.0.1:*')
  if [ -n "$parent" ]; then
    wait_for 20 "$parent listens" endpoint_of "$parent"
    args+=(--parent "$(endpoint_of "$parent")" --parent-key="$("$sanji" keys show --data "$demo/$parent")")
  fi
  "$sanji" "${args[@]}" | head -n 1
  if [ -n "$parent" ]; then
    "$sanji" enroll --id "$id" --key="$("$sanji" keys show --data "$demo/$id")" --name "$name" --data "$demo/$parent"
  fi
  serve "$id"
}

echo "== a county of seven stations, each a sanji process on loopback"
node 340321 怀远县政务服务中心 county
"$sanji" catalog import nodes/sample/items.csv --data "$demo/340321"
"$sanji" calendar import nodes/sample/calendar-2026.csv --data "$demo/340321"
node 340321100 城关镇为民服务中心 township 340321
node 340321101 龙亢镇为民服务中心 township 340321
node 340321100201 城关镇东门社区代办站 village 340321100
node 340321100202 城关镇西园村代办站 village 340321100
node 340321101201 龙亢镇河溜村代办站 village 340321101
node 340321101202 龙亢镇新湖村代办站 village 340321101
stations=(340321 340321100 340321101 340321100201 340321100202 340321101201 340321101202)

seq=$(json_field "$("$sanji" status --format json --data "$demo/340321")" catalog_sequence)
has_catalogue() { [ "$(json_field "$("$sanji" status --format json --data "$demo/$1")" catalog_sequence)" = "$seq" ]; }
for s in "${stations[@]}"; do wait_for 30 "$s holds the catalogue" has_catalogue "$s"; done
echo "every station holds the county's catalogue (sequence $seq)"

echo "== four weeks of activity at every station"
i=0
for s in "${stations[@]}"; do
  i=$((i + 1))
  "$sanji" simulate --days 28 --cases-per-day $((15 + 5 * i)) --seed "$i" --data "$demo/$s"
done

echo "== 龙亢镇新湖村 loses its link for a while, and keeps working"
offline=340321101202
kill "${pids[6]}"; wait "${pids[6]}" 2>/dev/null || true
"$sanji" simulate --days 3 --cases-per-day 25 --seed 99 --data "$demo/$offline"
"$sanji" status --data "$demo/$offline" | sed -n '1,5p'
echo "== the link is back"
serve "$offline"

# Converged: bottom-up, every station's parent link is up with nothing left to send, so that
# what the villages sent has passed through their townships before those are checked.
synced() { local j; j=$("$sanji" status --format json --data "$demo/$1"); [[ "$j" == *'"state": "up"'* && "$j" == *'"backlog": 0'* ]]; }
for s in 340321100201 340321100202 340321101201 340321101202 340321100 340321101; do wait_for 60 "$s has sent everything" synced "$s"; done
"$sanji" status --data "$demo/340321101"

echo
"$sanji" dashboard --data "$demo/340321"
echo
echo "Stations' stores and logs are in $demo; try: $sanji dashboard --format json --data $demo/340321"
