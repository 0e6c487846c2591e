#!/usr/bin/env bash
# Sonod on embedded defaults: an issuer (http://127.0.0.1:8080) and a verifier
# (http://127.0.0.1:8081) that replicates the issuer's feed, with development keys made on
# first start. Everything is kept in .sonod-dev/ (delete it to start over). Ctrl-C stops both.
#
#   bash scripts/dev.sh            # run until Ctrl-C
#   bash scripts/dev.sh --smoke    # start, issue → verify → revoke → verify, stop (for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=${1:-}
dev=.sonod-dev
bin=target/release
# Cargo's own progress shows: a first build on a fresh clone compiles a few hundred crates.
echo "সনদ তৈরি হচ্ছে (প্রথমবার কয়েক মিনিট লাগে) / building Sonod (release; the first build takes a few minutes, later ones seconds)…" >&2
cargo build --release -p sonod-keys -p sonod-issuer -p sonod-verifier -p sonod-scan
mkdir -p "$dev"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_for() { # URL PID LOG: the service answers, or its log says why not
    for _ in $(seq 150); do
        curl -fsS "$1" >/dev/null 2>&1 && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.2
    done
    echo "ত্রুটি / error: $1 did not come up; the end of $3:" >&2
    tail -n 3 "$3" >&2
    exit 1
}

SONOD_LOG=${SONOD_LOG:-warn} "$bin/sonod-issuer" serve --dev-keys "$dev/keys" --data "$dev/issuer-data" \
    --listen 127.0.0.1:8080 >"$dev/issuer.out" 2>"$dev/issuer.log" &
pids+=($!)
wait_for http://127.0.0.1:8080/healthz "$!" "$dev/issuer.log"
SONOD_LOG=${SONOD_LOG:-warn} "$bin/sonod-verifier" serve --dev-keys "$dev/keys" --data "$dev/verifier-data" \
    --issuer http://127.0.0.1:8080 --sync-interval 2s --listen 127.0.0.1:8081 >"$dev/verifier.out" 2>"$dev/verifier.log" &
pids+=($!)
wait_for http://127.0.0.1:8081/healthz "$!" "$dev/verifier.log"
token=$(cat "$dev/keys/dev-token")

# The benchmark record without its issue date (the issuer dates it today in Dhaka, the only day
# it signs), expiring in a year.
until=$(date -u -d '+6 hours +1 year -1 day' +%F)
sed -e '/"issued":/d' -e "s/\"expires\": *\"[0-9-]*\"/\"expires\": \"$until\"/" \
    seal/tests/data/benchmark-record.json >"$dev/benchmark-record.json"

if [ "$smoke" != "--smoke" ]; then
    cat <<TXT
সনদ চালু / Sonod is running (development keys — not for real certificates):
  issuer    http://127.0.0.1:8080/  (log in: dev / development-only; API token in $dev/keys/dev-token)
  verifier  http://127.0.0.1:8081/  (upload or photograph a QR at /scan; phone cameras open /V/…)

The development QR codes link to HTTP://LOCALHOST:8081/V/… (plain HTTP, as this verifier speaks):
a browser on this machine opens them. Both services listen on this machine only: to try a
phone's photo, upload it (or a screenshot of the print page) at http://127.0.0.1:8081/scan.

Issue a certificate:
  curl -sS -H "Authorization: Bearer \$(cat $dev/keys/dev-token)" -H 'Content-Type: application/json' \\
       --data @$dev/benchmark-record.json http://127.0.0.1:8080/api/v1/certificates
Verify its qr_text:
  curl -sS -H 'Content-Type: application/json' --data '{"payload": "HTTP://LOCALHOST:8081/V/…"}' http://127.0.0.1:8081/api/v1/verify
Print it (after logging in): http://127.0.0.1:8080/certificates/SERIAL/print

Ctrl-C stops both.
TXT
    wait -n
    exit 0
fi

# --smoke: the whole path through both services.
issued=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data @"$dev/benchmark-record.json" http://127.0.0.1:8080/api/v1/certificates)
serial=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["serial"])' <<<"$issued")
qr=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["qr_text"])' <<<"$issued")
echo "issued serial $serial: $qr"
# The development verifier speaks plain HTTP, and so must the QR's link (issue #17).
case "$qr" in
HTTP://LOCALHOST:8081/V/*) ;;
*) echo "ত্রুটি / error: the development QR link is not HTTP://LOCALHOST:8081/V/…: $qr" >&2; exit 1 ;;
esac
verify() {
    curl -fsS -H 'Content-Type: application/json' --data "{\"payload\": \"$qr\"}" http://127.0.0.1:8081/api/v1/verify |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])'
}
expect() { # expect VERDICT: poll until the verifier says it (feed sync interval), 20 s at most
    for _ in $(seq 40); do
        got=$(verify)
        [ "$got" = "$1" ] && { echo "verdict: $got"; return 0; }
        sleep 0.5
    done
    echo "ত্রুটি / error: expected $1, the verifier says $got" >&2
    exit 1
}
expect valid
# The page is read whole first: `curl | grep -q` fails under pipefail whenever grep stops
# reading at its match before curl has written the rest (curl: (23) Failed writing body).
page=$(curl -fsS "http://127.0.0.1:8081/V/${qr##*/}")
grep -q 'সঠিক' <<<"$page" || { echo "the /V/ page does not say সঠিক" >&2; exit 1; }
curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data '{"reason": "issued_in_error"}' "http://127.0.0.1:8080/api/v1/certificates/$serial/revoke" >/dev/null
expect revoked
echo "smoke test passed: issue → verify (valid) → revoke → verify (revoked)"
