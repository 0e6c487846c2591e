#!/usr/bin/env bash
# Sonod's main job on embedded defaults, offline: make development keys, issue the
# benchmark record (dated today), write its QR as PNG, scan the PNG with the trust list only
# (signature genuine, not fully checked: exit 3), then sync an offline snapshot from the
# issuer and scan again (valid). Everything lands in .sonod-dev/ (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "সনদ তৈরি হচ্ছে (প্রথমবার কয়েক মিনিট লাগে) / building Sonod (release; the first build takes a few minutes)…" >&2
cargo build --release -p sonod-keys -p sonod-issuer -p sonod-scan
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
      --record "$record" --out "$dev/out" --verifier-host http://localhost:8081)
png=$(ls -t "$dev"/out/100524-*.png | head -n 1)

echo
echo "== যাচাই, শুধু বিশ্বাস-তালিকা দিয়ে / scanning $png with the trust list only =="
# The signature holds, but a trust list alone cannot tell whether the office issued the
# certificate or has revoked it: "Signature genuine — not fully checked", exit status 3.
status=0
"$bin/sonod-scan" --trust "$dev/keys/trust.json" --root "$dev/keys/root.pub.pem" "$png" || status=$?
if [ "$status" != 3 ]; then
    echo "ত্রুটি / error: expected exit status 3 (unconfirmed), got $status" >&2
    exit 1
fi

echo
echo "== অফলাইন তথ্যভান্ডার: প্রদানকারী থেকে sync, তারপর যাচাই / a snapshot synced from the issuer, then scanning =="
# The office's signed feed, served by the issuer on a free port for as long as the sync takes.
# The scanner keeps the highest trust-list sequence it has seen in its state folder.
export XDG_STATE_HOME="$dev/scan-state"
"$bin/sonod-issuer" serve --dev-keys "$dev/keys" --data "$dev/issuer-data" --listen 127.0.0.1:0 \
    >"$dev/demo-issuer.out" 2>"$dev/demo-issuer.log" &
issuer=$!
trap 'kill "$issuer" 2>/dev/null || true; wait "$issuer" 2>/dev/null || true' EXIT
url=
for _ in $(seq 150); do
    url=$(sed -n 's/^sonod-issuer listening on //p' "$dev/demo-issuer.out")
    [ -n "$url" ] && break
    kill -0 "$issuer" 2>/dev/null || break
    sleep 0.2
done
if [ -z "$url" ]; then
    echo "ত্রুটি / error: the issuer did not come up; the end of $dev/demo-issuer.log:" >&2
    tail -n 3 "$dev/demo-issuer.log" >&2
    exit 1
fi
"$bin/sonod-scan" sync --quiet --from "$url" --trust "$dev/keys/trust.json" \
    --root "$dev/keys/root.pub.pem" --store "$dev/scan-store"
"$bin/sonod-scan" --store "$dev/scan-store" --root "$dev/keys/root.pub.pem" "$png"
echo
echo "QR: $qr"
