#!/usr/bin/env bash
# The citizen's page and PDF under load: server time p50/p99, page weight, PDF size.
# Starts a release `sonod-issuer serve` with development keys on a fresh data folder, issues
# CERTS certificates (a tenth of them to one mobile number, the rest to others), signs that
# number in with the one-time code read from the development SMS file, then runs `wrk` with
# its session on `/citizen` and on one certificate's PDF. Usage:
#   bash bench/citizen-load.sh [CERTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
certs=${1:-2000}
secs=${2:-15}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
cargo build -q --release -p sonod-issuer
bin=target/release/sonod-issuer
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=18090
SONOD_LOG=warn $bin serve --dev-keys "$work/keys" --data "$work/data" --listen 127.0.0.1:$port \
    >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do curl -fsS 127.0.0.1:$port/healthz >/dev/null 2>&1 && break; sleep 0.2; done
token=$(cat "$work/keys/dev-token")
python3 - "$certs" "$port" "$token" <<'PY'
import json, sys, datetime, urllib.request, concurrent.futures as cf
certs, port, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = json.load(open('seal/tests/data/benchmark-record.json'))
today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)).date()
r['issued'] = today.isoformat()
r['expires'] = (today + datetime.timedelta(days=364)).isoformat()
def issue(i):
    rec = dict(r, fields=dict(r['fields']))
    rec['fields']['mobile'] = '01712345678' if i % 10 == 0 else '0181%07d' % i
    req = urllib.request.Request(f'http://127.0.0.1:{port}/api/v1/certificates',
        data=json.dumps(rec).encode(), headers={'Authorization': 'Bearer ' + token,
        'Content-Type': 'application/json'})
    urllib.request.urlopen(req).read()
with cf.ThreadPoolExecutor(16) as ex:
    list(ex.map(issue, range(certs)))
PY
curl -fsS -o /dev/null --data 'mobile=01712345678' 127.0.0.1:$port/citizen/code
for _ in $(seq 50); do grep -q '"kind":"code"' "$work/data/sms-dev.jsonl" 2>/dev/null && break; sleep 0.1; done
code=$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    m=json.loads(l)
    if m["kind"]=="code":
        d="".join(str("০১২৩৪৫৬৭৮৯".index(c)) if c in "০১২৩৪৫৬৭৮৯" else c for c in m["text"] if c.isdigit())
        print(d[:6])' "$work/data/sms-dev.jsonl")
cookie=$(curl -fsS -o /dev/null -D - --data "mobile=01712345678&code=$code" 127.0.0.1:$port/citizen/verify |
    sed -n 's/^set-cookie: \(sonod_citizen=[^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }
page=$(curl -fsS -b "$cookie" -o "$work/page.html" -w '%{size_download}' 127.0.0.1:$port/citizen)
listed=$(grep -o 'class="card"' "$work/page.html" | wc -l)
pdf_path=$(grep -o '/citizen/certificates/[0-9]*/pdf' "$work/page.html" | head -1)
pdf=$(curl -fsS -b "$cookie" -o "$work/c.pdf" -w '%{size_download}' "127.0.0.1:$port$pdf_path")
echo "citizen page: $page bytes (HTML with its CSS; no script, no image; fonts are the phone's), $listed certificates listed"
echo "certificate PDF: $pdf bytes (fonts subset and embedded)"
for path in /citizen "$pdf_path"; do
    echo "== wrk -t2 -c8 -d${secs}s --latency $path"
    wrk -t2 -c8 -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" |
        grep -E 'Requests/sec|^ +(50|99)%|Non-2xx'
done
