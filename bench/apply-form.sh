#!/usr/bin/env bash
# The apply forms' weight and time to load over a slow link: the bytes of /apply, each type's
# form and /status (no fonts, scripts or images: the HTML is the whole page), and the time to the
# load event in headless Chromium with its network throttled to 400 kbit/s and 300 ms latency
# (the DevTools protocol over a pipe, bench/apply-form.py). Limits: 100 KB, 2 s.
#
#   bash bench/apply-form.sh                 # against a fresh release issuer
#   bash bench/apply-form.sh --screenshots D # also screenshots at 390 and 1280 px into D
#   BIN=target/debug/sonod-issuer bash bench/apply-form.sh
#
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet -p sonod-issuer --bin sonod-issuer
    BIN=target/release/sonod-issuer
fi
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
SONOD_LOG=error "$BIN" serve --listen 127.0.0.1:0 --data "$work/data" --dev-keys "$work/keys" \
    > "$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q http:// "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1)
echo "issuer: $BIN"
python3 bench/apply-form.py "$url" "$@"
