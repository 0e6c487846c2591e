#!/usr/bin/env bash
# Issuance throughput, durable: N certificates through POST /api/v1/certificates with C
# concurrent clients (wrk, on the same machine), next to the raw Ed25519 signing rate
# measured in the same run; then the store's size on disk.
#
#   bash bench/issuer-load.sh [N=100000] [C=32]
#
# Needs wrk (Debian package `wrk`; installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
C=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

cargo build --release --quiet -p sonod-keys -p sonod-issuer --example sign_rate
bin=target/release
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin/sonod-keys" dev --out "$work/keys" >/dev/null 2>&1
"$bin/sonod-issuer" user add --data "$work/data" --name bench --display-name "Load test" --role chairman >/dev/null
token=$("$bin/sonod-issuer" user token --data "$work/data" --name bench --label bench)

today=$(date -u -d '+6 hours' +%F)
until=$(date -u -d '+6 hours +1 year -1 day' +%F)
sed -e "s/\"issued\": *\"[0-9-]*\"/\"issued\": \"$today\"/" -e "s/\"expires\": *\"[0-9-]*\"/\"expires\": \"$until\"/" \
    seal/tests/data/benchmark-record.json > "$work/record.json"

SONOD_LOG=warn "$bin/sonod-issuer" serve --listen 127.0.0.1:0 --data "$work/data" --key "$work/keys/office.key.pem" \
    --office 100524 --verifier-host verify.sonod.gov.bd > "$work/serve.out" &
server=$!
for _ in $(seq 100); do grep -q http:// "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1)

sign=$("$bin/examples/sign_rate" 3 | sed 's/.*=//')
echo "raw Ed25519 signing, one core: $sign signatures/s"

out=$(SONOD_RECORD="$work/record.json" SONOD_TOKEN="$token" SONOD_REQUESTS="$N" SONOD_WRK_THREADS=2 \
      wrk -t2 -c"$C" -d600s --timeout 30s -s bench/issue.lua "$url")
line=$(grep '^responses=' <<<"$out")
echo "wrk: $line"
responses=$(sed 's/.*responses=\([0-9]*\).*/\1/' <<<"$line")
non201=$(sed 's/.*non_201=\([0-9]*\).*/\1/' <<<"$line")
seconds=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line")
rate=$(awk -v n="$responses" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
ratio=$(awk -v r="$rate" -v s="$sign" 'BEGIN { printf "%.1f", 100 * r / s }')
echo "durable issuance: $responses certificates in ${seconds}s with $C clients = $rate/s (${non201} not 201)"
echo "ratio to raw signing: ${ratio}% (goal: at least 25%)"
kill "$server"; wait "$server" 2>/dev/null || true
count=$("$bin/sonod-issuer" stats --data "$work/data" | sed -n 's/^certificates=//p')
bytes=$(du -sb "$work/data" | cut -f1)
echo "store: $count certificates, $(numfmt --to=iec "$bytes") on disk = $(awk -v b="$bytes" -v n="$count" 'BEGIN { printf "%.0f", b / n * 100000 / 1048576 }') MiB per 100,000"
