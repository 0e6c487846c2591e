#!/usr/bin/env bash
# Builds the sonod-scan photo set: real certificates issued with development keys, printed to
# PDF by headless Chromium, rasterised by pdftoppm (150 and 300 dpi) and "photographed" by
# ImageMagick (perspective, rotation, blur, noise, JPEG, uneven light, glare, folds, low
# contrast, small and large in frame, two certificates, no QR, other QR codes), with fixed
# seeds. See make_set.py for the recipes and README.md for the layout.
#
#   bash bench/scanner-photos/make-set.sh [DIR]      # default bench/scanner-photos/set
#   SMALL=1 bash bench/scanner-photos/make-set.sh    # a quick set (65 pictures) in set-small
#
# DIR gets keys/ (the development keys: trust.json, root.pub.pem), photos/, manifest.jsonl
# (file, expected texts, tags, sizes, parameters), certificates.jsonl and work/ (HTML, PDF,
# rasters). 574 pictures (384 of the first recipes, 180 of the kinds of trouble of issue #17,
# 10 of many codes); about 1–3 s of CPU each (SMALL=1: 92).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
# shellcheck source=tools.sh
source "$here/tools.sh"
if [ "${SMALL:-0}" = 1 ]; then out=${1:-$here/set-small}; else out=${1:-$here/set}; fi
mkdir -p "$out"

(cd "$repo" && cargo build --release --quiet -p sonod-scan -p sonod-keys -p sonod-issuer)

if [ "${SMALL:-0}" = 1 ]; then
    sizes=(--certs 8 --per-cert 7 --extras 3 --trouble 3 --many 3)
else
    sizes=(--certs 30 --per-cert 12 --extras 8 --trouble 6 --many 10)
fi
# SEED=N for a set of other pictures (to measure on pictures the search was not tuned on).
sizes+=(--seed "${SEED:-20261129}")
"$PY" "$here/make_set.py" --out "$out" --bin "$BIN" "${sizes[@]}" --jobs "${JOBS:-$(nproc)}"
