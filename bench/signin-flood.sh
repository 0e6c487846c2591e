#!/usr/bin/env bash
# Sign-in under attack, against the release issuer: 30 wrong passwords then the right one;
# an unknown name's answer time against a known one's; resident memory before, during and
# after 400 concurrent wrong sign-ins, with /healthz latency during them; a good sign-in
# afterwards (bench/signin-flood.py does the requests).
#
#   bash bench/signin-flood.sh [FLOOD=400]
#   BIN=/path/to/sonod-issuer bash bench/signin-flood.sh   # another build, e.g. an older one
#
set -euo pipefail
cd "$(dirname "$0")/.."
FLOOD=${1:-400}
KNOWN=30
PASSWORD="flood test password"

if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet -p sonod-issuer --bin sonod-issuer
    BIN=target/release/sonod-issuer
fi
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

# KNOWN + 1 accounts with a password (k00 … k15), made before the service locks the store.
for i in $(seq -f %02g 0 "$KNOWN"); do
    echo "$PASSWORD" | "$BIN" user add --data "$work/data" --name "k$i" --display-name "Flood test $i" \
        --role operator --password-stdin >/dev/null 2>&1
done

SONOD_LOG=error "$BIN" serve --listen 127.0.0.1:0 --data "$work/data" --dev-keys "$work/keys" \
    > "$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q http:// "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1)
echo "issuer: $BIN ($(nproc) cores)"
python3 bench/signin-flood.py "$url" "$server" k "$KNOWN" "$PASSWORD" "$FLOOD"
kill "$server"; wait "$server" 2>/dev/null || true
server=""
