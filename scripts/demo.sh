#!/usr/bin/env bash
# The main job: installs what is missing, builds Sanji, and runs the sample county (nodes/huaiyuan:
# the 怀远县 政务服务中心, four township 为民服务中心, ten village 代办站) as fifteen real
# `sanji serve` processes on loopback, with two years of activity at every station (so that the
# 通报 has 同比 and 本年累计), spread over each station's windows (nodes/huaiyuan/windows.csv).
# One village goes offline, keeps recording, comes back and resyncs; then the county dashboard
# shows the whole 三级 system, and the county's 通报 of the month is written as HTML (and PDF where
# Chromium is installed). Everything lives under ./demo-data; every process is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== building sanji (release; the first build takes a minute or two)"
swift build -c release --static-swift-stdlib --product sanji 2>&1 | grep -E "error|Build" || true
swift build -c release --static-swift-stdlib --product sanji >/dev/null
sanji="$PWD/.build/release/sanji"
data="$PWD/demo-data"
rm -rf "$data"
trap '"$sanji" cluster down --dir "$data" >/dev/null 2>&1 || true' EXIT

echo "== the county: every station initialised, enrolled at its parent and started"
"$sanji" cluster up nodes/huaiyuan --dir "$data"

echo "== two years of activity at every station (cases, evaluations and 咨询, over its windows)"
i=0
for node in $(tail -n +2 nodes/huaiyuan/topology.csv | cut -d, -f1); do
  i=$((i + 1))
  "$sanji" simulate --days 700 --cases-per-day $((10 + 3 * i)) --seed "$i" --data "$data/$node"
done

offline=340321101202
echo "== 龙亢镇新湖村代办站 ($offline) loses its link, and keeps working"
"$sanji" cluster stop $offline --dir "$data"
"$sanji" simulate --days 3 --cases-per-day 25 --seed 99 --data "$data/$offline"
"$sanji" status --data "$data/$offline"
echo "== the link is back; waiting until everything has reached the county"
"$sanji" cluster start $offline --dir "$data"
"$sanji" cluster wait --dir "$data"
"$sanji" cluster status --dir "$data"
echo "== does every station's own data equal the county's copy? (sanji verify)"
"$sanji" verify --data "$data/340321"

echo
"$sanji" dashboard --data "$data/340321"
month=$(TZ=Asia/Shanghai date +%Y-%m)
echo
echo "== the exceptions behind this month's figures, as the county holds them (first 20 of each; sanji exceptions)"
"$sanji" exceptions --month "$month" --kind overdue --format csv --data "$data/340321" | awk 'NR <= 21'
"$sanji" exceptions --month "$month" --kind bad-review --format csv --data "$data/340321" | awk 'NR <= 21'
echo
echo "== the county's 通报 of $month, in its own template (nodes/huaiyuan/report), with its yearly targets (targets.csv)"
"$sanji" report monthly "$month" --format html --out "$data/通报-$month.html" --data "$data/340321"
if command -v chromium >/dev/null 2>&1; then
  "$sanji" report monthly "$month" --format pdf --out "$data/通报-$month.pdf" --data "$data/340321"
else
  echo "(for a PDF: apt-get install chromium fonts-noto-cjk, then $sanji report monthly $month --format pdf --out 通报.pdf --data $data/340321)"
fi
"$sanji" report monthly "$month" --data "$data/340321" | awk 'NR <= 22'
echo
echo "Each station's store and serve.log are in $data/<id>; try: $sanji dashboard --format json --data $data/340321"
