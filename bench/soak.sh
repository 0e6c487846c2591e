#!/usr/bin/env bash
# The soak (issue 16): the release verifier under mixed load for DURATION seconds (default
# 300) while the release issuer issues and revokes and the verifier syncs its feed every
# second. Load: valid, revoked, forged and malformed payloads, bad JSON, batches of 50, result
# pages /V/…, and photo uploads to /scan, from 16 connections (verifier/examples/soak_tool.rs
# says what answer each kind expects; any other is an unexpected error).
#
# Reports throughput, unexpected errors (must be 0), p50/p99 latency per kind and overall, and
# the verifier's resident memory before the load, after a 15 s warm-up ("start") and at the
# end, with the bound end <= start + 64 MiB. Exit status 0 only when both hold.
#
#   bench/soak.sh [DURATION_SECONDS]     PORT=18281 KEEP=1 (keep the work directory)
#                                        PROFILE=debug (a quick check of the script, not figures)
#
# Everything runs on 127.0.0.1 and stops by itself (the load after DURATION, the services on
# exit).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-300}
PORT=${PORT:-18281}
WORK=$(mktemp -d /tmp/sonod-soak.XXXXXX)
EXEMPT="soak-$RANDOM-$RANDOM-$RANDOM"
TARGET=${CARGO_TARGET_DIR:-target}
PROFILE=${PROFILE:-release}
BUILD=(--release)
[ "$PROFILE" = release ] || BUILD=()

command -v curl >/dev/null || { echo "curl is needed: apt-get install -y curl" >&2; exit 2; }

# The services in one build (building them apart unifies features differently and rebuilds
# most dependencies); the load generator apart, by default without optimisation (a release
# build of an example pulls the verifier's dev-dependencies into the release features):
# TOOL_PROFILE=release for an optimised one.
TOOL_PROFILE=${TOOL_PROFILE:-debug}
TOOL_BUILD=(--release)
[ "$TOOL_PROFILE" = release ] || TOOL_BUILD=()
cargo build --quiet "${BUILD[@]}" -p sonod-issuer -p sonod-verifier --bins
cargo build --quiet "${TOOL_BUILD[@]}" -p sonod-verifier --example soak_tool

ISSUER_PID=""
VERIFIER_PID=""
cleanup() {
  for p in $VERIFIER_PID $ISSUER_PID; do
    kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  done
  [ "${KEEP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

SONOD_LOG=warn "$TARGET/$PROFILE/sonod-issuer" serve --dev-keys "$WORK/keys" --data "$WORK/issuer" \
  --listen 127.0.0.1:0 >"$WORK/issuer.out" 2>"$WORK/issuer.log" &
ISSUER_PID=$!
ISSUER=""
for _ in $(seq 1 300); do
  ISSUER=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$WORK/issuer.out" 2>/dev/null | head -1)
  [ -n "$ISSUER" ] && [ -s "$WORK/keys/dev-token" ] && break
  sleep 0.1
done
[ -n "$ISSUER" ] || { echo "the issuer did not start" >&2; cat "$WORK/issuer.log" >&2; exit 1; }
TOKEN=$(cat "$WORK/keys/dev-token")

SONOD_LOG=warn "$TARGET/$PROFILE/sonod-verifier" serve --dev-keys "$WORK/keys" --data "$WORK/verifier" \
  --listen "127.0.0.1:$PORT" --issuer "$ISSUER" --sync-interval 1s --exempt-token "$EXEMPT" \
  >"$WORK/verifier.out" 2>"$WORK/verifier.log" &
VERIFIER_PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); services $PROFILE, load generator $TOOL_PROFILE; issuer $ISSUER, verifier http://127.0.0.1:$PORT"
STATUS=0
"$TARGET/$TOOL_PROFILE/examples/soak_tool" "http://127.0.0.1:$PORT" "$ISSUER" "$TOKEN" "$EXEMPT" \
  "$DURATION" "$VERIFIER_PID" || STATUS=$?
ERRORS=$(grep -c -E ' (ERROR|error) ' "$WORK/verifier.log" || true)
echo "verifier log lines at error level: $ERRORS"
curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^sonod_verifier_feed_position|^sonod_verifier_feed_sync_failures' || true
exit "$STATUS"
