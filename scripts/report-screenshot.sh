#!/usr/bin/env bash
# Renders a county's monthly report as HTML and takes a screenshot of it in headless Chromium
# (Debian's chromium and fonts-noto-cjk), so that a person can look at what the county prints.
# Also writes the PDF beside the PNG, as `report monthly --format pdf` makes it.
#   scripts/report-screenshot.sh demo-data/340321 2026-11 report.png
set -euo pipefail
data=${1:?data directory of the county node}; month=${2:?YYYY-MM}; png=${3:-report.png}
sanji=${SANJI:-.build/release/sanji}
[ -x "$sanji" ] || sanji=.build/debug/sanji
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium and fonts-noto-cjk …" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
html=$(mktemp --suffix=.html)
"$sanji" report monthly "$month" --format html --out "$html" --data "$data" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,2400 --screenshot="$png" "file://$html" 2>/dev/null
rm -f "$html"
"$sanji" report monthly "$month" --format pdf --out "${png%.png}.pdf" --data "$data" >/dev/null
echo "wrote $png and ${png%.png}.pdf"
