#!/usr/bin/env bash
# Issuance throughput, durable: N certificates through POST /api/v1/certificates with C
# concurrent keep-alive clients (issuer/examples/load.rs, on the same machine), next to the raw Ed25519 signing rate
# measured in the same run; then the store's size on disk.
#
#   bash bench/issuer-load.sh [N=100000] [C=32]
#
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
C=${2:-32}

cargo build --release --quiet -p sonod-keys -p sonod-issuer --bins --example sign_rate --example load
bin=target/release
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

"$bin/sonod-keys" dev --out "$work/keys" >/dev/null 2>&1
"$bin/sonod-issuer" user add --data "$work/data" --name bench --display-name "Load test" --role chairman >/dev/null
token=$("$bin/sonod-issuer" user token --data "$work/data" --name bench --label bench)

# Dated today in Dhaka, the only day the issuer signs (a run across midnight would be refused).
today=$(date -u -d '+6 hours' +%F)
until=$(date -u -d '+6 hours +1 year -1 day' +%F)
sed -e "s/\"issued\": *\"[0-9-]*\"/\"issued\": \"$today\"/" -e "s/\"expires\": *\"[0-9-]*\"/\"expires\": \"$until\"/" \
    seal/tests/data/benchmark-record.json > "$work/record.json"

SONOD_LOG=warn "$bin/sonod-issuer" serve --listen 127.0.0.1:0 --data "$work/data" --key "$work/keys/office.key.pem" \
    --trust "$work/keys/trust.json" --root "$work/keys/root.pub.pem" \
    --office 100524 --verifier-host verify.sonod.gov.bd > "$work/serve.out" &
server=$!
for _ in $(seq 100); do grep -q http:// "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1)

sign=$("$bin/examples/sign_rate" 3 | sed 's/.*=//')
echo "raw Ed25519 signing, one core: $sign signatures/s"

out=$("$bin/examples/load" "$url" "$token" "$work/record.json" "$N" "$C" "$server")
echo "load: $out"
rate=$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$out")
ratio=$(awk -v r="$rate" -v s="$sign" 'BEGIN { printf "%.1f", 100 * r / s }')
echo "durable issuance: $rate certificates/s with $C clients; ratio to raw signing: ${ratio}% (goal: at least 25%)"
kill "$server"; wait "$server" 2>/dev/null || true
count=$("$bin/sonod-issuer" stats --data "$work/data" | sed -n 's/^certificates=//p')
bytes=$(du -sb "$work/data" | cut -f1)
echo "store: $count certificates, $(numfmt --to=iec "$bytes") on disk = $(awk -v b="$bytes" -v n="$count" 'BEGIN { printf "%.0f", b / n * 100000 / 1048576 }') MiB per 100,000"
