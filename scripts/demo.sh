#!/usr/bin/env bash
# The main job: installs what is missing, builds Sanji, and runs a local demo station —
# the county 政务服务中心 of a sample county with its real-looking catalogue, the 2026
# working-day calendar and four weeks of generated activity — ending in its dashboard.
# Everything lives under ./demo-data (made anew each run); nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== building sanji (release; the first build takes a minute or two)"
swift build -c release --product sanji 2>&1 | grep -E "error|warning: unre|Compiling|Build" | grep -v "^\[" || true
swift build -c release --product sanji >/dev/null
sanji=.build/release/sanji
data=demo-data/county
rm -rf demo-data

echo "== a county node: 怀远县政务服务中心 (340321)"
$sanji init --id 340321 --name 怀远县政务服务中心 --level county --data $data
$sanji catalog import nodes/sample/items.csv --data $data
$sanji calendar import nodes/sample/calendar-2026.csv --data $data

echo "== a window clerk's morning"
item=$($sanji catalog list --level county --format csv --data $data | awk -F, 'NR>1 && $7==0 && $5 ~ /village/ {print $1; exit}')
$sanji case accept --case-no DEMO0001 --item "$item" --channel window --applicant-name 王芳 --data $data
$sanji case complete --case-no DEMO0001 --visits 1 --outcome approved --data $data
$sanji eval add --case-no DEMO0001 --grade 非常满意 --channel device --data $data

echo "== a bad export is rejected whole, naming every bad row"
printf 'case_no,item_code,accepted_at,channel\nX1,NO-SUCH-ITEM,2026-11-02 09:00,window\nX2,%s,yesterday,window\n' "$item" > demo-data/bad-cases.csv
$sanji import cases demo-data/bad-cases.csv --data $data || echo "(rejected as expected; nothing was imported)"

echo "== four weeks of activity (seeded), imported through the normal import path"
$sanji simulate --days 28 --cases-per-day 60 --seed 2026 --keep demo-data/exports --data $data
echo "== importing the same export again changes nothing (no 二次录入)"
$sanji import cases demo-data/exports/cases.csv --data $data

echo
$sanji dashboard --data $data
echo
echo "Try: $sanji dashboard --format json --data $data | less;  $sanji --help"
