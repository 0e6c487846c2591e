#!/usr/bin/env bash
# Sonod's main job on embedded defaults, offline: make development keys, issue the
# benchmark record (dated today), write its QR as PNG, scan the PNG and show the verdict.
# Everything lands in .sonod-dev/ (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet -p sonod-keys -p sonod-issuer -p sonod-scan
bin=target/release
dev=.sonod-dev

"$bin/sonod-keys" dev --out "$dev/keys" >/dev/null

# The benchmark record without its issue date: the issuer dates it today in Dhaka (the only
# day it signs); it expires in a year.
until=$(date -u -d '+6 hours +1 year -1 day' +%F)
record="$dev/benchmark-record.json"
sed -e '/"issued":/d' -e "s/\"expires\": *\"[0-9-]*\"/\"expires\": \"$until\"/" \
    seal/tests/data/benchmark-record.json > "$record"

echo "== সনদ প্রদান / issuing =="
qr=$("$bin/sonod-issuer" issue --key "$dev/keys/office.key.pem" \
      --trust "$dev/keys/trust.json" --root "$dev/keys/root.pub.pem" --data "$dev/issuer-data" \
      --record "$record" --out "$dev/out" --verifier-host localhost:8081)
png=$(ls -t "$dev"/out/100524-*.png | head -n 1)

echo
echo "== যাচাই / scanning $png =="
"$bin/sonod-scan" --trust "$dev/keys/trust.json" --root "$dev/keys/root.pub.pem" "$png"
echo
echo "QR: $qr"
